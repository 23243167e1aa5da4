// The three-way handshake, made by hand: a TCP server (socket, bind, listen, accept) and a client
// (socket, connect) on the default network; SYN, SYN-ACK and ACK travel as envelopes and ladder
// arrows, accept() returns, and both ends are ESTABLISHED. Every line reads as Python.
import { readFile } from 'node:fs/promises';
import { expectCount, expectText, REPO_ROOT, test, waitFor } from '../harness.mjs';
import {
  arrows, call, envelopes, expectNoPanic, expectSvgText, handshake, openApp, panel, setPlaying, SPEED, stepUntil,
  transcript,
} from './lib/socksim.mjs';

test('10-handshake: server accepts, client connects, SYN/SYN-ACK/ACK, both ESTABLISHED', async ({ page, baseUrl, screenshot }) => {
  // Paused, so that each envelope can be caught in flight with the step button.
  await openApp(page, baseUrl, { playing: false });
  const server = panel(page, 'server');
  const client = panel(page, 'client');

  await call(page, 'server', { call: 'socket', kind: 'tcp', preview: '>>> s = socket(AF_INET, SOCK_STREAM)' });
  await expectText(transcript(page, 'server').last(), 's = socket(AF_INET, SOCK_STREAM)');
  await expectText(transcript(page, 'server').last(), '<socket fd=3>');

  const bind = await call(page, 'server', {
    call: 'bind', socket: 's', address: '0.0.0.0', port: 80, preview: ">>> s.bind(('0.0.0.0', 80))",
  });
  await expectText(bind, "s.bind(('0.0.0.0', 80))");
  await expectCount(bind.and(page.locator('.returned')), 1);

  const listen = await call(page, 'server', { call: 'listen', socket: 's', backlog: 5, preview: '>>> s.listen(5)' });
  await expectText(listen, 's.listen(5)');
  await expectCount(server.locator('tr.socket[data-state="LISTEN"]'), 1);
  await expectText(server.locator('tr.socket[data-state="LISTEN"]'), '0.0.0.0:80');

  const accept = await call(page, 'server', { call: 'accept', socket: 's', preview: '>>> conn, addr = s.accept()' });
  await expectText(accept, 'conn, addr = s.accept()');
  await expectCount(accept.and(page.locator('.blocked')), 1);
  await expectText(accept, 'blocked');
  // The listening socket's row says a call waits on it.
  await expectCount(server.locator('tr.socket.waiting[data-state="LISTEN"]'), 1);
  await expectText(server.locator('tr.socket.waiting'), 'accept: waiting for a connection');
  await expectCount(page.locator('#topology g.host.blocked[data-host="server"]'), 1);
  await screenshot('10-handshake-1-accept-blocked');

  await call(page, 'client', { call: 'socket', kind: 'tcp' });
  const connect = await call(page, 'client', {
    call: 'connect', socket: 's', address: '10.0.0.2', port: 80, preview: ">>> s.connect(('10.0.0.2', 80))",
  });
  await expectText(connect, "s.connect(('10.0.0.2', 80))");

  // The six calls were made at one instant (paused): the ladder stacks them a row each, in order.
  const marks = await page.locator('#ladder g.call-mark text').evaluateAll((nodes) => nodes.map((node) => {
    const box = node.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, text: node.textContent };
  }));
  if (marks.length !== 6) throw new Error(`6 calls should be marked on the ladder, found ${marks.map((m) => m.text)}`);
  for (let i = 1; i < marks.length; i += 1) {
    if (marks[i].top < marks[i - 1].bottom - 1) {
      throw new Error(`the ladder marks "${marks[i - 1].text}" and "${marks[i].text}" overlap`);
    }
  }

  // Step through the handshake and catch each envelope on the wire.
  const seen = new Set();
  const kinds = ['SYN', 'SYN-ACK', 'ACK'];
  await stepUntil(page, async () => {
    for (const kind of kinds) if (await envelopes(page, kind).count()) seen.add(kind);
    return kinds.every((kind) => seen.has(kind));
  }, { max: 20, what: `envelopes ${kinds.join(', ')} in the topology (seen: ${[...seen]})` });
  // The last envelope caught (the ACK) is on the wire now, with its arrow in flight on the ladder.
  await expectCount(arrows(page, { kind: 'ACK', fate: 'in-flight' }), (n) => n >= 1);
  await screenshot('10-handshake-2-ack-in-flight');

  // Play on: everything lands.
  await setPlaying(page, true);
  await waitFor(async () => (await page.locator('#app').getAttribute('data-in-flight')) === '0', 10_000,
    'nothing in flight');
  for (const kind of kinds) await expectCount(arrows(page, { kind, fate: 'delivered' }), (n) => n >= 1, 5_000);
  // The handshake's three arrows, in order, and the first one is the client's SYN.
  const first = await page.locator('#ladder g.arrow').evaluateAll((nodes) => nodes.slice(0, 3).map((n) => n.dataset.kind));
  if (first.join(' ') !== 'SYN SYN-ACK ACK') throw new Error(`first ladder arrows should be SYN SYN-ACK ACK, are ${first}`);

  // accept() returned the connection and the client's address.
  await expectCount(accept.and(page.locator('.returned')), 1, 5_000);
  await expectText(accept, /\(<socket fd=4>, \('10\.0\.0\.1', \d+\)\)/);
  await expectCount(connect.and(page.locator('.returned')), 1, 5_000);
  await expectCount(server.locator('tr.socket.waiting'), 0);
  await expectCount(page.locator('#topology g.host.blocked'), 0);

  // Both ends ESTABLISHED; the server still LISTENs on s.
  await expectCount(client.locator('tr.socket[data-state="ESTABLISHED"]'), 1);
  await expectCount(server.locator('tr.socket[data-state="ESTABLISHED"]'), 1);
  await expectCount(server.locator('tr.socket[data-state="LISTEN"]'), 1);
  await expectText(server.locator('tr.socket[data-state="ESTABLISHED"]'), 'conn · fd 4');
  await expectText(server.locator('tr.socket[data-state="ESTABLISHED"]'), '10.0.0.2:80');
  await expectText(client.locator('tr.socket[data-state="ESTABLISHED"]'), '10.0.0.2:80');
  await expectSvgText(page.locator('#topology g.host[data-host="client"]'), 'ESTABLISHED');
  await expectSvgText(page.locator('#topology g.host[data-host="server"]'), 'ESTABLISHED');

  // After accept the form offers recv on the new connection.
  await expectText(server.locator('code.preview'), '>>> data = conn.recv(1024)');
  await expectNoPanic(page);
  await screenshot('10-handshake-3-established');

  // The ladder downloads as a standalone SVG: well-formed, the host names over their lanes, the
  // three arrows, the page's colours inside it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-action="ladder"]').click()]);
  if (download.suggestedFilename() !== 'ladder.svg') throw new Error(`named ${download.suggestedFilename()}`);
  const svg = await readFile(await download.path(), 'utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      heads: [...doc.querySelectorAll('text.head')].map((head) => head.textContent),
      arrows: [...doc.querySelectorAll('g.arrow')].map((arrow) => arrow.getAttribute('data-kind')),
    };
  }, svg);
  if (parsed.error) throw new Error(`the SVG is not well-formed: ${parsed.error}`);
  if (parsed.heads.join() !== 'client,server') throw new Error(`host names: ${parsed.heads}`);
  if (parsed.arrows.slice(0, 3).join() !== 'SYN,SYN-ACK,ACK') throw new Error(`arrows: ${parsed.arrows}`);
  if (!svg.includes('--syn:')) throw new Error('the colours should be in the file');
  const view = await page.context().newPage();
  await view.setContent(`<body style="margin:0;background:#fff"><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}"></body>`);
  await view.screenshot({ path: `${REPO_ROOT}/target/e2e-screenshots/10-handshake-5-ladder-svg.png` });
  await view.close();
});

// The newest line of a host's transcript is the one a person just caused: it must be in view
// inside the transcript's scrolling box, however many lines came before it.
test('10-handshake: the newest transcript line stays in view', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.realtime });
  await handshake(page);
  const lines = transcript(page, 'server');
  await expectCount(lines, 4);
  await screenshot('10-handshake-4-transcripts');
  const box = await panel(page, 'server').locator('.transcript-scroll').boundingBox();
  const newest = await lines.last().boundingBox();
  const shown = newest && box && newest.y >= box.y - 1 && newest.y + newest.height <= box.y + box.height + 1;
  if (!shown) {
    const all = await lines.evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().y.toFixed(0)));
    throw new Error(`the newest server transcript line (${await lines.last().innerText()}) is outside the `
      + `transcript's visible box (list y=${box?.y.toFixed(0)} h=${box?.height.toFixed(0)}, newest line y=`
      + `${newest?.y.toFixed(0)} h=${newest?.height.toFixed(0)}; lines' y oldest→newest: ${all.join(', ')})`);
  }
});
