// With more hosts than fit side by side, the host panels scroll sideways; pressing a host's card
// in the drawing scrolls its panel into view and lights it, so the eye finds it.
import { expectCount, test, waitFor } from '../harness.mjs';
import { expectNoPanic, openApp, panel } from './lib/socksim.mjs';

test('62-host-cards: pressing a card brings its host\'s panel into view', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { lesson: '08-three-clients', playing: false });
  await expectCount(page.locator('section.host-panel'), 5);
  const inView = (host) => panel(page, host).evaluate((section) => {
    const panels = section.closest('.hosts').getBoundingClientRect();
    const box = section.getBoundingClientRect();
    return box.left >= panels.left - 1 && box.right <= panels.right + 1;
  });
  // The fifth host's panel starts out of view: the premise of this flow.
  if (await inView('client3')) throw new Error('client3\'s panel should start out of view at 1280×720');
  await page.locator('#topology g.host[data-host="client3"]').click();
  await waitFor(() => inView('client3'), 5_000, 'client3\'s panel should scroll into view when its card is pressed');
  await expectCount(page.locator('section.host-panel.shown[data-host="client3"]'), 1);
  await screenshot('62-host-cards-client3');
  // And back to the first.
  await page.locator('#topology g.host[data-host="iterative"]').click();
  await waitFor(() => inView('iterative'), 5_000, 'iterative\'s panel should scroll back into view');
  await expectNoPanic(page);
});
