import { expect, test } from '@playwright/test';

// A causal study: the generated synthetic-control study's results and its placebo chart, then
// a new study set up through the form (refused without geos, in words, then created).
const shots = '../docs/screenshots';
const account = { email: 'northwind-apparel@demo.vitrine.test', password: 'vitrine-demo-2026' };

test('a causal study: results with the placebo chart, then a new one', async ({ page }, info) => {
  const jsOn = info.project.name === 'js-on';
  await page.goto('/login?next=/studies');
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/studies$/);

  const list = page.getByRole('table');
  const row = list.getByRole('row', { name: /synthetic control/ }).first();
  const cells = row.getByRole('cell');
  const treated = (await cells.nth(3).innerText()).split(', ');
  const control = (await cells.nth(4).innerText()).split(', ');
  const day = await cells.nth(5).innerText();
  if (jsOn) await page.screenshot({ path: `${shots}/studies.png` });

  await row.getByRole('link').click();
  await expect(page).toHaveURL(/\/studies\/\d+$/);
  await expect(page.getByTestId('study-effect')).toContainText('Placebo p');
  const placebo = page.locator('figure.chart', { hasText: 'Placebo gaps' });
  await expect(placebo.locator('svg')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Donor weights' })).toBeVisible();
  if (jsOn) await page.screenshot({ path: `${shots}/study.png` });

  // A new study: without geos it is refused and says why; then it is created and read.
  await page.goto('/studies#new-study');
  const form = page.locator('form.study-form');
  await form.getByLabel('Name').fill(`Autumn flight (${info.project.name})`);
  await form.getByLabel('Synthetic control').check();
  await form.getByLabel('Outcome').selectOption('conversions');
  await form.getByLabel('First day of the intervention').fill(day);
  await form.getByRole('button', { name: 'Create and analyse' }).click();
  await expect(page.getByRole('alert')).toContainText(/treated/);
  await expect(page).not.toHaveURL(/\/studies\/\d+$/);

  const again = page.locator('form.study-form');
  for (const geo of treated) await again.locator(`#treated-${geo}`).check();
  for (const geo of control) await again.locator(`#control-${geo}`).check();
  await again.getByLabel('Name').fill(`Autumn flight (${info.project.name})`);
  await again.getByLabel('Synthetic control').check();
  await again.getByLabel('First day of the intervention').fill(day);
  await again.getByRole('button', { name: 'Create and analyse' }).click();
  await expect(page).toHaveURL(/\/studies\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: `Autumn flight (${info.project.name})` })).toBeVisible();
  await expect(page.locator('figure.chart', { hasText: 'Placebo gaps' }).locator('svg')).toBeVisible();
});
