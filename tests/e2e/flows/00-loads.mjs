// Smoke flow: the page loads, becomes interactive, is titled "socksim", shows no panic.
import { expectCount, test, waitFor, waitForReady } from '../harness.mjs';

test('00-loads: page becomes interactive without a panic', async ({ page, baseUrl, screenshot }) => {
  await page.goto(baseUrl);
  await waitForReady(page);
  await waitFor(async () => (await page.title()).includes('socksim'), 2_000,
    async () => `document title should contain "socksim", it is ${JSON.stringify(await page.title())}`);
  await expectCount(page.locator('.panic-banner').filter({ visible: true }), 0, 2_000);
  await screenshot('00-loads');
});
