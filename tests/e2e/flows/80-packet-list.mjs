// The packet list holds every packet of a run, newest first, however many there are: it draws
// only the rows in view, and scrolling to the end shows the first packet sent.
import { expectCount, expectText, test, waitFor, waitForReady } from '../harness.mjs';
import { expectNoPanic, setPlaying } from './lib/socksim.mjs';

const PACKETS = 600;

test('80-packet-list: 600 packets, the rows in view drawn, the oldest reached by scrolling', async ({ page, baseUrl, screenshot }) => {
  // The benchmark's network: 4 hosts in a ring, 600 datagrams sent at time 0.
  await page.goto(new URL(`?bench=4x${PACKETS}`, baseUrl).href);
  await waitForReady(page);
  await setPlaying(page, false);
  const rows = page.locator('table#packets tr[data-packet]');
  await expectText(rows.first(), `${PACKETS - 1}`);
  const drawn = await rows.count();
  if (drawn >= 100) throw new Error(`only the rows in view should be drawn, found ${drawn} of ${PACKETS}`);

  const list = page.locator('.packet-scroll');
  await list.evaluate((element) => { element.scrollTop = element.scrollHeight; });
  await waitFor(async () => (await rows.last().getAttribute('data-packet')) === '0', 5_000,
    async () => `the last row drawn after scrolling to the end should be packet 0, is ${await rows.last().getAttribute('data-packet')}`);
  // Packet 0 is on screen, inside the list's box.
  const box = await list.boundingBox();
  const oldest = await page.locator('table#packets tr[data-packet="0"]').boundingBox();
  if (!box || !oldest || oldest.y < box.y || oldest.y + oldest.height > box.y + box.height + 1) {
    throw new Error(`packet 0's row (y=${oldest?.y}) should be inside the list (y=${box?.y} h=${box?.height})`);
  }
  await expectText(page.locator('table#packets tr[data-packet="0"]'), 'h1 → h2');
  await expectCount(rows, (n) => n < 100);
  await expectNoPanic(page);
  await screenshot('80-packet-list-oldest');
});
