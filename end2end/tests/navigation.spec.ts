import { expect, test } from '@playwright/test';

// Runs with JavaScript on and off: the server renders every page completely.
const pages = [
  { path: '/', heading: 'Discover', nav: 'Feed' },
  { path: '/campaigns', heading: 'Campaigns', nav: 'Campaigns' },
  { path: '/experiments', heading: 'Experiments', nav: 'Experiments' },
  { path: '/studies', heading: 'Causal studies', nav: 'Studies' },
  { path: '/system', heading: 'System', nav: 'System' },
];

for (const { path, heading, nav } of pages) {
  test(`${path} renders its page with navigation`, async ({ page }) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav });
    await expect(link).toHaveAttribute('aria-current', 'page');
    await expect(page).toHaveTitle(`${heading} · Vitrine`);
  });
}

test('the system page reports libtorch, the database and LanceDB', async ({ page }, info) => {
  await page.goto('/system');
  await expect(page.getByTestId('libtorch-version')).toHaveText(/^2\.11/);
  await expect(page.getByTestId('db-kind')).toHaveText('sqlite');
  await expect(page.getByTestId('migrations')).toContainText('up to date');
  // The model half: doctor's agreement check, the served weights, the curve and the evaluation.
  await expect(page.getByTestId('agreement')).toContainText('SQL and LanceDB agree');
  await expect(page.getByTestId('weights')).toHaveText(/^[0-9a-f]{12}$/);
  // The demo world is generated: the model's validation NDCG@10 stands beside the planted ceiling.
  await expect(page.getByTestId('planted-ceiling')).toHaveText(/^0\.\d{4} \(the model reaches \d+%\)$/);
  await expect(page.locator('figure.chart', { hasText: 'Training loss' }).locator('svg')).toBeVisible();
  await expect(page.getByTestId('evaluation').getByRole('row', { name: /two-tower/ })).toBeVisible();
  // The registry: the served weights are its serving version, with their validation NDCG@10.
  const weights = await page.getByTestId('weights').textContent();
  const serving = page.getByTestId('model-version').filter({ hasText: 'serving' });
  await expect(serving).toHaveCount(1);
  await expect(serving).toContainText(weights ?? 'no weights');
  await expect(serving.locator('td.num').first()).toHaveText(/^0\.\d{4}$/);
  if (info.project.name === 'js-on') {
    await page.screenshot({ path: '../docs/screenshots/system.png' });
  }
});

test('an unknown page is a 404 with a way back', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
