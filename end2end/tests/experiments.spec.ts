import { expect, test } from '@playwright/test';

// Login, then a campaign, then its experiment: the seed's table of results by metric (each
// arm's value and interval, the lift with its interval, corrected p-values) and its forest
// plot, the SRM reading and the sequential status; then the power calculator, whose answer
// the server renders (so it works with JavaScript off too). Screenshots go to docs/screenshots.
const shots = '../docs/screenshots';
const account = { email: 'contoso-footwear@demo.vitrine.test', password: 'vitrine-demo-2026' };

test('sign in, a campaign, then its experiment', async ({ page }, info) => {
  const jsOn = info.project.name === 'js-on';
  await page.goto('/login?next=/campaigns');
  await page.getByLabel('E-mail address').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/campaigns$/);
  await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeVisible();

  await page.getByRole('table').locator('tbody a').first().click();
  await expect(page).toHaveURL(/\/campaigns\/\d+/);
  await expect(page.locator('figure.chart svg')).toHaveCount(6);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Experiments' })).toBeVisible();
  const list = page.getByRole('table');
  await expect(list.getByRole('link', { name: 'Headline test' })).toBeVisible();
  await expect(list).not.toContainText('Layout test'); // another advertiser's

  await list.getByRole('link', { name: 'Headline test' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Headline test' })).toBeVisible();
  await expect(page.getByTestId('srm')).toContainText(/split as planned|Sample ratio mismatch/);
  await expect(page.getByTestId('sequential')).toContainText('Always-valid');
  const results = page.getByTestId('metric-results');
  await expect(results.getByRole('columnheader', { name: 'p (Holm)' })).toBeVisible();
  await expect(results.locator('tbody tr')).not.toHaveCount(0);
  await expect(results).toContainText('CTR');
  // The seed's table: CTR, save rate, dwell per click, conversion rate and CPA, each with both
  // arms' values and their intervals, the lift with its interval, and the p-values.
  const seed = [['CTR', 'ctr'], ['Save rate', 'save_rate'], ['Dwell per click', 'dwell_per_click'], ['CVR', 'cvr'], ['CPA', 'cpa']];
  for (const [label] of seed) {
    const row = results.locator('tbody tr').filter({
      has: page.getByRole('rowheader', { name: new RegExp(`^${label}( ★)?$`) }),
    });
    await expect(row).toHaveCount(1);
    const cells = row.locator('td');
    await expect(cells).toHaveCount(9);
    for (const arm of [1, 2]) await expect(cells.nth(arm)).toContainText('…');
    await expect(cells.nth(3)).toHaveText(/^[+-]\d+\.\d\d%$/);
    await expect(cells.nth(4)).toHaveText(/^[+-]\d+\.\d\d% … [+-]\d+\.\d\d%$/);
    await expect(cells.nth(5)).toHaveText(/^(< 0\.0001|\d\.\d{4})$/);
    await expect(cells.nth(8)).toHaveText(/Better|Worse|Inconclusive/);
  }
  // The forest plot: one whisker and one dot per tested metric, each labelled.
  const forest = page.locator('figure.chart', { hasText: 'Relative lift by metric' });
  await expect(forest.locator('svg')).toBeVisible();
  const tested = await results.locator('tbody tr:not(.untested)').count();
  await expect(forest.locator('svg circle')).toHaveCount(tested);
  for (const [, name] of seed) await expect(forest.locator('svg')).toContainText(`${name} (treatment)`);
  if (jsOn) await page.screenshot({ path: `${shots}/experiment.png` });

  // The power calculator: the browser checks the ranges, the server computes.
  await page.goto('/experiments');
  await page.getByLabel('Baseline rate (%)').fill('4');
  await page.getByLabel('Smallest lift worth detecting (%, relative)').fill('5');
  await page.getByRole('button', { name: 'Calculate' }).click();
  await expect(page).toHaveURL(/baseline=4&lift=5/);
  const answer = page.getByTestId('power-answer');
  await expect(answer).toContainText('Total');
  await expect(answer.locator('.kpi-value').nth(2)).toHaveText(/^\d{1,3}(,\d{3})+$/);
  if (jsOn) await page.screenshot({ path: `${shots}/experiments.png` });

  // What the browser cannot check, the server refuses in words.
  await page.goto('/experiments?baseline=abc');
  await expect(page.getByRole('alert')).toContainText('is not a number');

  // Signing out from the navigation.
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1/);
  await page.goto('/experiments/1');
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
});
