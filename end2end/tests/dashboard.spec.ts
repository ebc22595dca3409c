import { expect, test } from '@playwright/test';

// The advertiser's way in: the Campaigns page asks for a session, the sign-in form refuses a
// wrong password in words, and the right one shows this advertiser's campaigns only. Runs with
// JavaScript on and off (the forms are plain HTML). Screenshots go to docs/screenshots.
const shots = '../docs/screenshots';
const account = { email: 'northwind-apparel@demo.vitrine.test', password: 'vitrine-demo-2026' };

test('sign in, then the campaigns list, sorted', async ({ page }, info) => {
  await page.goto('/campaigns');
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\?next=/);

  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match an account');
  await expect(page.locator('body')).not.toContainText('unauthorized');
  if (info.project.name === 'js-on') {
    await page.screenshot({ path: `${shots}/login.png` });
  }

  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  const table = page.getByRole('table');
  await expect(table.getByRole('link', { name: 'Spring launch' })).toBeVisible();
  await expect(table).not.toContainText('Contoso');
  await expect(page.getByRole('list', { name: 'Totals' })).toContainText('$');
  if (info.project.name === 'js-on') {
    await page.screenshot({ path: `${shots}/campaigns.png` });
  }

  await table.getByRole('link', { name: 'Impressions' }).click();
  await expect(page).toHaveURL(/sort=impressions&dir=desc/);
  await expect(page.getByRole('columnheader', { name: /Impressions/ })).toHaveAttribute('aria-sort', 'descending');

  // A campaign: its KPIs and a chart per metric over the list's range, then by creative.
  await page.getByRole('table').getByRole('link', { name: 'Spring launch' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Spring launch' })).toBeVisible();
  await expect(page.locator('figure.chart svg')).toHaveCount(6);
  await expect(page.getByRole('list', { name: 'Totals' })).toContainText('ROAS');
  if (info.project.name === 'js-on') {
    await page.screenshot({ path: `${shots}/campaign.png` });
  }
  await page.getByRole('link', { name: 'By creative' }).click();
  await expect(page).toHaveURL(/breakdown=creative/);
  await expect(page.getByRole('columnheader', { name: 'Creative' })).toBeVisible();
  await expect(page.locator('tbody tr')).not.toHaveCount(0);
});
