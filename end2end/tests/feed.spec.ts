import { expect, test } from '@playwright/test';

// The discovery feed: cards with category chips, the category filter, a demo user switch,
// "more like this" and a search by description. With JavaScript, the page logs its
// impressions and saves through the events service and "Load more" appends in place; without
// it, the same controls are links and forms.
const shots = '../docs/screenshots';

test('the feed, a category, then more like this', async ({ page }, info) => {
  const jsOn = info.project.name === 'js-on';
  const logged = jsOn
    ? page.waitForResponse((r) => r.url().endsWith('/api/fn/feed_events'))
    : null;
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Discover' })).toBeVisible();
  const cards = page.locator('li.feed-card');
  await expect(cards).toHaveCount(24);
  await expect(cards.first().locator('.chip')).not.toBeEmpty();
  // The demo user is synthetic: the line under the feed names the tastes the world planted.
  await expect(page.getByTestId('planted-tastes')).toContainText(/Likes: .+; dislikes: .+/);
  // The pictures load (a broken URL leaves naturalWidth at 0).
  const picture = cards.first().locator('img');
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  if (logged) {
    const response = await logged;
    expect(response.status()).toBe(200);
    expect((await response.json()).accepted).toBe(24);
    await page.screenshot({ path: `${shots}/feed.png` });
  }

  // Load more: appended in place with JavaScript, the next page's URL without.
  await page.getByRole('link', { name: 'Load more' }).click();
  if (jsOn) {
    await expect(cards).toHaveCount(48);
  } else {
    await expect(page).toHaveURL(/cursor=/);
    await expect(cards).toHaveCount(24);
  }

  // Another demo user, one category.
  await page.goto('/');
  await page.getByLabel('Viewing as').selectOption('gen-0000002');
  await page.getByLabel('Category').selectOption('Dress');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/user=gen-0000002&category=Dress/);
  await expect(cards.first()).toBeVisible();
  for (const chip of await cards.locator('.chip').allInnerTexts()) expect(chip).toBe('Dress');

  // Saving: recorded once per user and item, the page stays.
  const save = cards.first().getByRole('button', { name: 'Save' });
  if (jsOn) {
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/fn/feed_events'));
    await save.click();
    expect((await saved).status()).toBe(200);
    await expect(cards.first().getByRole('button', { name: 'Saved ✓' })).toBeVisible();
  } else {
    await save.click();
    await expect(page).toHaveURL(/user=gen-0000002&category=Dress/);
  }

  // More like this, from the first card.
  const title = await cards.first().locator('.feed-title').innerText();
  await cards.first().getByRole('link', { name: 'More like this' }).click();
  await expect(page).toHaveURL(/\/similar\?item=\d+&user=gen-0000002/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`More like “${title}”`);
  await expect(page.getByRole('list', { name: 'Similar items' }).locator('li.feed-card')).toHaveCount(24);
  if (jsOn) await page.screenshot({ path: `${shots}/similar.png` });

  // By description, through the text encoder.
  await page.goto('/');
  await page.getByLabel('Find by description').fill('black leather ankle boot');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Items matching “black leather ankle boot”');
  await expect(page.locator('li.feed-card').first()).toBeVisible();

  // An item that does not exist is a sentence, not a trace.
  await page.goto('/similar?item=999999999');
  await expect(page.getByRole('alert')).toContainText('no item 999999999');
});
