import { defineConfig } from '@playwright/test';

// The server under test: `cargo leptos end-to-end` starts it at LEPTOS_SITE_ADDR.
const baseURL = `http://${process.env.LEPTOS_SITE_ADDR ?? '127.0.0.1:3000'}`;

// Debian's Chromium; Playwright never downloads a browser here.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    launchOptions,
    trace: 'off',
  },
  projects: [
    // Everything with JavaScript on; specs named *.hydrate.spec.ts need it.
    { name: 'js-on', use: { javaScriptEnabled: true } },
    // The server-rendered pages alone.
    { name: 'js-off', use: { javaScriptEnabled: false }, testIgnore: /\.hydrate\.spec\.ts$/ },
  ],
});
