import { expect, test } from '@playwright/test';

// Dwell on the Feed page: with JavaScript, the seconds each card is at least half in view go
// out as a beacon when the page is hidden, and the server records them (a resent beacon is all
// duplicates). Without JavaScript nothing is measured or sent, and the feed still works.
test('the seconds cards are in view reach the server', async ({ page, request }, info) => {
  const jsOn = info.project.name === 'js-on';
  const beacons: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/beacon/dwell')) beacons.push(r.postData() ?? '');
  });
  // The impressions are logged once the page is hydrated; dwell counts from then on.
  const hydrated = jsOn ? page.waitForResponse((r) => r.url().endsWith('/api/fn/feed_events')) : null;
  await page.goto('/?user=gen-0000001');
  const cards = page.locator('li.feed-card');
  await expect(cards).toHaveCount(24);
  if (hydrated) await hydrated;
  await page.waitForTimeout(2_500);

  const hide = () =>
    page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
  if (!jsOn) {
    await hide();
    await page.waitForTimeout(500);
    expect(beacons).toHaveLength(0);
    return;
  }
  const answered = page.waitForResponse((r) => r.url().endsWith('/beacon/dwell'));
  await hide();
  const response = await answered;
  expect(response.status()).toBe(200);
  const body = response.request().postData() ?? '';
  const sent = JSON.parse(body);
  // The first rows of cards were in view for the whole wait; nothing was in view for a minute.
  expect(sent.events.length).toBeGreaterThan(0);
  for (const e of sent.events) {
    expect(e.kind).toBe('dwell');
    expect(e.user_id).toBe('gen-0000001');
    expect(e.seconds).toBeGreaterThanOrEqual(2);
    expect(e.seconds).toBeLessThan(60);
  }
  const visible = await cards.evaluateAll((all) =>
    all
      .filter((card) => {
        const r = card.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      })
      .map((card) => Number(card.getAttribute('data-item'))),
  );
  for (const id of visible) expect(sent.events.map((e: { item_id: number }) => e.item_id)).toContain(id);
  const report = await response.json();
  expect(report.accepted).toBe(sent.events.length);
  // Recorded: the same beacon again is nothing but duplicates.
  const again = await request.post('/beacon/dwell', { data: body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  expect((await again.json()).duplicates).toBe(sent.events.length);
});
