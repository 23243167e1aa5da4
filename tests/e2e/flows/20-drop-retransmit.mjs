// Dropping a packet by hand: a TCP segment dropped in flight is retransmitted after the RTO and
// the bytes arrive; a UDP datagram dropped in flight is gone for good.
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import {
  arrows, call, catchInFlight, clockMicros, expectNoPanic, handshake, ladderArrows, openApp, panel, setPlaying,
  setSpeed, SPEED, transcript, waitForClock,
} from './lib/socksim.mjs';

/** Clicks the envelope of packet `id` in the topology (the page is paused, so it stands still). */
async function dropEnvelope(page, id) {
  await page.locator(`#topology g.packet[data-packet="${id}"]`).click();
  await expectCount(page.locator(`#topology g.burst[data-packet="${id}"]`), 1, 5_000);
  await expectCount(arrows(page).and(page.locator(`[data-packet="${id}"][data-fate="dropped-by-hand"]`)), 1, 5_000);
  await expectCount(page.locator(`#topology g.packet[data-packet="${id}"]`), 0);
}

test('20-drop-retransmit: a dropped DATA segment is sent again and delivered', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.realtime });
  await handshake(page);
  await setPlaying(page, false);
  const recv = await call(page, 'server', { call: 'recv', socket: 'conn', bufsize: 1024, preview: '>>> data = conn.recv(1024)' });
  await expectCount(recv.and(page.locator('.blocked')), 1);

  const sendall = await call(page, 'client', {
    call: 'sendall', socket: 's', text: 'Hello, lossy world\\r\\n', preview: ">>> s.sendall(b'Hello, lossy world\\r\\n')",
  });
  await expectText(sendall, "s.sendall(b'Hello, lossy world\\r\\n')");

  // Catch the DATA envelope half-way along the wire and click it.
  const id = await catchInFlight(page, 'DATA');
  await dropEnvelope(page, id);
  // Dropping selects the packet and shows it in the inspector.
  await expectCount(page.locator('button.tab[data-tab="inspector"][aria-selected="true"]'), 1);
  await expectCount(page.locator('#inspector details.layer[data-layer="TCP"]'), 1);
  await expectText(page.locator('#inspector .headline'), `#${id}`);
  await expectText(page.locator('#inspector .headline'), 'dropped by hand');
  // Pointing at a field lights its bytes: the TCP source port is two bytes, after the IPv4 header.
  await page.locator('#inspector details.layer[data-layer="TCP"] .field', { hasText: 'Source port' }).hover();
  await expectCount(page.locator('#inspector .hex span.lit'), 2);
  await page.locator('#inspector .headline').hover();
  await expectCount(page.locator('#inspector .hex span.lit'), 0);
  await expectCount(page.locator(`#ladder g.arrow[data-packet="${id}"] text.cross`), 1);
  await screenshot('20-drop-retransmit-1-dropped');
  const droppedAt = await clockMicros(page);

  // Play on (slowly, to watch): after the ~1 s RTO the segment goes again and arrives.
  await setSpeed(page, SPEED.default);
  await setPlaying(page, true);
  await expectCount(arrows(page, { kind: 'DATA', fate: 'delivered' }), (n) => n >= 1, 15_000);
  const data = (await ladderArrows(page)).filter((a) => a.kind === 'DATA');
  if (data.length < 2 || data[0].packet !== id || data[0].fate !== 'dropped-by-hand') {
    throw new Error(`expected the dropped DATA #${id} then a retransmission, ladder has DATA ${JSON.stringify(data)}`);
  }
  const retransmittedAt = await clockMicros(page);
  if (retransmittedAt - droppedAt < 900_000) {
    throw new Error(`retransmission came ${retransmittedAt - droppedAt} µs after the drop; the RTO is about 1 s`);
  }
  await expectCount(recv.and(page.locator('.returned')), 1, 5_000);
  await expectText(recv, "→ b'Hello, lossy world\\r\\n'");
  await expectCount(sendall.and(page.locator('.returned')), 1);
  await expectNoPanic(page);
  await screenshot('20-drop-retransmit-2-retransmitted');
}, { timeout: 60_000 });

test('20-drop-retransmit: a dropped UDP datagram is not sent again', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { playing: false });
  await call(page, 'server', { call: 'socket', kind: 'udp', preview: '>>> s = socket(AF_INET, SOCK_DGRAM)' });
  await call(page, 'server', { call: 'bind', socket: 's', address: '0.0.0.0', port: 9999 });
  const recvfrom = await call(page, 'server', {
    call: 'recvfrom', socket: 's', bufsize: 2048, preview: '>>> data, addr = s.recvfrom(2048)',
  });
  await expectCount(recvfrom.and(page.locator('.blocked')), 1);
  await expectCount(panel(page, 'server').locator('tr.socket.waiting'), 1);

  await call(page, 'client', { call: 'socket', kind: 'udp' });
  const sendto = await call(page, 'client', {
    call: 'sendto', socket: 's', text: 'just once', address: '10.0.0.2', port: 9999,
    preview: ">>> s.sendto(b'just once', ('10.0.0.2', 9999))",
  });
  await expectText(sendto, "s.sendto(b'just once', ('10.0.0.2', 9999))");
  await expectText(sendto, '→ 9'); // sendto returns the number of bytes sent

  const id = await catchInFlight(page, 'UDP');
  await dropEnvelope(page, id);
  await expectCount(page.locator('#inspector details.layer[data-layer="UDP"]'), 1);
  await screenshot('20-drop-retransmit-3-udp-dropped');

  // Several virtual seconds later there is still just the one datagram, and recvfrom still waits.
  const droppedAt = await clockMicros(page);
  await setSpeed(page, SPEED.realtime);
  await setPlaying(page, true);
  await waitForClock(page, droppedAt + 5_000_000, 20_000);
  await setPlaying(page, false);
  const udp = (await ladderArrows(page)).filter((a) => a.kind === 'UDP');
  if (udp.length !== 1 || udp[0].packet !== id || udp[0].fate !== 'dropped-by-hand') {
    throw new Error(`expected exactly one UDP arrow, #${id}, dropped by hand; the ladder has ${JSON.stringify(udp)}`);
  }
  await page.locator('button.tab[data-tab="packets"]').click();
  await expectCount(page.locator('table#packets tr[data-packet]'), 1);
  await expectText(page.locator(`table#packets tr[data-packet="${id}"]`), 'dropped by hand');
  await expectCount(arrows(page), 1);
  await expectCount(recvfrom.and(page.locator('.blocked')), 1);
  await expectCount(transcript(page, 'server').and(page.locator('.returned')), 2); // socket, bind
  await waitFor(async () => (await page.locator('#app').getAttribute('data-in-flight')) === '0', 1_000, 'nothing in flight');
  await expectNoPanic(page);
  await screenshot('20-drop-retransmit-4-udp-not-resent');
}, { timeout: 60_000 });
