// Rewinding: after a handshake and some data, dragging the timeline back to 0 empties the ladder;
// stepping and playing forward again replays the very same packets (ids, kinds, fates), and the
// calls' results come back.
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import {
  call, clockMicros, expectNoPanic, handshake, isPlaying, ladderArrows, openApp, panel, seek, setPlaying, setSpeed,
  SPEED, transcript, waitForClock,
} from './lib/socksim.mjs';

const show = (list) => list.map((a) => `#${a.packet} ${a.kind} ${a.fate}`).join(', ');

test('40-rewind: the timeline goes back to 0 and the same packets replay', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.realtime });
  await handshake(page);
  const recv = await call(page, 'server', { call: 'recv', socket: 'conn', bufsize: 1024 });
  await call(page, 'client', { call: 'sendall', socket: 's', text: 'rewind me' });
  await expectText(recv, "→ b'rewind me'", 10_000);
  // Let the last ACK land, then stop and write down the ladder.
  await waitFor(async () => (await page.locator('#app').getAttribute('data-in-flight')) === '0', 5_000, 'nothing in flight');
  await waitForClock(page, (await clockMicros(page)) + 500_000);
  await setPlaying(page, false);
  const before = await ladderArrows(page);
  const end = await clockMicros(page);
  const kinds = before.map((a) => a.kind);
  for (const kind of ['SYN', 'SYN-ACK', 'ACK', 'DATA']) {
    if (!kinds.includes(kind)) throw new Error(`the ladder should hold a ${kind} arrow before rewinding: ${show(before)}`);
  }
  if (before.some((a) => a.fate !== 'delivered')) throw new Error(`every packet should be delivered: ${show(before)}`);
  await screenshot('40-rewind-1-before');

  // Drag the timeline back to 0.
  await seek(page, 0);
  await waitFor(async () => (await clockMicros(page)) === 0, 2_000, 'the timeline should read 0');
  await expectText(page.locator('output#clock'), '0.000 ms');
  await expectCount(page.locator('#ladder g.arrow'), 0);
  await expectCount(page.locator('#topology g.packet'), 0);
  await expectCount(panel(page, 'server').locator('tr.socket'), 0);
  await expectCount(transcript(page, 'server'), 0);
  // The timeline keeps its end: the recording is still there to replay.
  const max = Number(await page.locator('input#timeline').getAttribute('max'));
  if (max < end) throw new Error(`the timeline's max should stay at the recorded end ${end}, it is ${max}`);
  if (await isPlaying(page)) throw new Error('seeking should pause the page');
  await screenshot('40-rewind-2-at-zero');

  // Step forward (the ⏭ button; the ArrowRight key is covered by 50-keyboard-and-errors): the
  // first packets come back, the same as before.
  let stepped = [];
  for (let i = 0; i < 12 && stepped.length < 3; i += 1) {
    const clock = await clockMicros(page);
    await page.locator('button[data-action="step"]').click();
    await waitFor(async () => (await clockMicros(page)) > clock, 2_000, `step #${i + 1} should move the clock on`);
    stepped = await ladderArrows(page);
  }
  const prefix = stepped.map((a) => `${a.packet} ${a.kind}`);
  const expected = before.slice(0, stepped.length).map((a) => `${a.packet} ${a.kind}`);
  if (prefix.join() !== expected.join()) {
    throw new Error(`stepping replayed ${show(stepped)}, expected it to start like ${show(before)}`);
  }
  await screenshot('40-rewind-3-stepped');

  // Play on to where we were: the very same packets, with the same fates; the results are back.
  await setSpeed(page, SPEED.realtime);
  await setPlaying(page, true);
  await waitForClock(page, end, 20_000);
  await setPlaying(page, false);
  await waitFor(async () => JSON.stringify(await ladderArrows(page)) === JSON.stringify(before), 5_000,
    async () => `after replaying, the ladder should be ${show(before)}; it is ${show(await ladderArrows(page))}`);
  await expectText(transcript(page, 'server').and(page.locator('.returned')), "→ b'rewind me'");
  await expectCount(panel(page, 'client').locator('tr.socket[data-state="ESTABLISHED"]'), 1);
  await expectCount(panel(page, 'server').locator('tr.socket[data-state="ESTABLISHED"]'), 1);
  await expectNoPanic(page);
  await screenshot('40-rewind-4-replayed');
}, { timeout: 60_000 });
