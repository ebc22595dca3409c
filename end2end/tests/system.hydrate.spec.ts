import { expect, test } from '@playwright/test';

// Needs JavaScript: the page hydrates, then a click makes a server-function round trip.
test('the system page hydrates and refreshes through a server function', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  // Signed in, so that the Campaigns page below loads its data (signed out, it answers 401,
  // which the browser logs as an error).
  await page.goto('/login');
  await page.getByLabel('E-mail address').fill('northwind-apparel@demo.vitrine.test');
  await page.getByLabel('Password').fill('vitrine-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/campaigns$/);

  await page.goto('/system');
  const refresh = page.getByRole('button', { name: 'Refresh' });
  await expect(refresh).toHaveAttribute('data-hydrated', 'true');

  const roundTrip = page.waitForResponse(
    (response) => response.url().endsWith('/api/fn/system_report') && response.request().method() === 'POST',
  );
  await refresh.click();
  const response = await roundTrip;
  expect(response.status()).toBe(200);
  const report = await response.json();
  expect(report.torch.libtorch_version).toMatch(/^2\.11/);
  await expect(page.getByTestId('libtorch-version')).toHaveText(/^2\.11/);

  // Client-side navigation after hydration.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible();
  await expect(page.getByRole('table').getByRole('link', { name: 'Spring launch' })).toBeVisible();

  expect(problems).toEqual([]);
});
