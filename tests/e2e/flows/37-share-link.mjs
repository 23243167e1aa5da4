// "Copy link": the link carries the network, the calls made on it and the time, so that a fresh
// page opened with it shows the same packets; a damaged or hostile link opens the default network
// with a message, and nothing from it gets into the page.
import { deflateRawSync } from 'node:zlib';
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import { call, clockMicros, expectNoPanic, ladderArrows, openApp, panel, setPlaying, transcript } from './lib/socksim.mjs';

const pack = (text) => deflateRawSync(Buffer.from(text)).toString('base64url');

test('37-share-link: a copied link replays the same packets in a fresh page', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { playing: false });
  await call(page, 'server', { call: 'socket', kind: 'tcp' });
  await call(page, 'server', { call: 'bind', socket: 's', address: '0.0.0.0', port: 80 });
  await call(page, 'server', { call: 'listen', socket: 's', backlog: 5 });
  await call(page, 'server', { call: 'accept', socket: 's' });
  await call(page, 'client', { call: 'socket', kind: 'tcp' });
  await call(page, 'client', { call: 'connect', socket: 's', address: '10.0.0.2', port: 80 });
  await setPlaying(page, true);
  await expectCount(page.locator('#ladder g.arrow[data-kind="ACK"][data-fate="delivered"]'), (n) => n >= 1, 15_000);
  await setPlaying(page, false);
  const arrows = await ladderArrows(page);
  const lines = await transcript(page, 'server').allInnerTexts();
  const at = await clockMicros(page);

  await page.locator('button[data-action="share"]').click();
  await expectText(page.locator('.hint-bar .notice'), 'characters');
  const link = page.url();
  if (!link.includes('#share=')) throw new Error(`the address should carry the session: ${link}`);
  if (link.length > 4000) throw new Error(`the link is ${link.length} characters: too long to paste`);

  const fresh = await page.context().newPage();
  await fresh.goto(link);
  await waitFor(async () => (await clockMicros(fresh)) === at, 10_000, 'the shared page at the shared time');
  const replayed = await ladderArrows(fresh);
  if (JSON.stringify(replayed) !== JSON.stringify(arrows)) {
    throw new Error(`the packets differ:\n${JSON.stringify(arrows)}\n${JSON.stringify(replayed)}`);
  }
  const replayedLines = await transcript(fresh, 'server').allInnerTexts();
  if (replayedLines.join('\n') !== lines.join('\n')) throw new Error(`the calls differ:\n${lines}\n${replayedLines}`);
  await expectCount(panel(fresh, 'server').locator('tr.socket[data-state="ESTABLISHED"]'), 1);
  await screenshot('37-share-link-opened');
  await fresh.close();
});

test('37-share-link: a damaged or hostile link opens the default network with a message', async ({ page, baseUrl }) => {
  for (const [hash, message] of [
    ['#share=%%%not-base64', 'This link could not be opened'],
    [`#share=${pack('{ "lesson": 5 }')}`, 'This link could not be opened'],
    [`#share=${'A'.repeat(100_001)}`, 'the link is too long'],
    [`#share=${pack(JSON.stringify({ lesson: { socksim: 1, title: '<img src=x onerror=alert(1)>', duration: 5, hosts: [{ name: '<script>alert(1)</script>', address: '10.0.0.1' }] }, at: 0, actions: [] }))}`, 'lesson.hosts[0].name'],
    [`#share=${pack(JSON.stringify({ lesson: { socksim: 1, title: 'ok', duration: 5, hosts: [{ name: 'a', address: '10.0.0.1' }] }, at: 1e9, actions: [] }))}`, 'at:'],
  ]) {
    // A new document each time (a change of #fragment alone would not load the page again).
    await page.goto('about:blank');
    await page.goto(`${baseUrl}${hash}`);
    await expectText(page.locator('.hint-bar .notice'), message, 10_000);
    await expectText(page.locator('select#lesson'), 'Client and server (free play)');
    await expectCount(page.locator('img[src="x"], script:not([src])').filter({ hasText: 'alert' }), 0);
    await expectCount(page.locator('img[src="x"]'), 0);
    await expectNoPanic(page);
  }
});
