// Python programs on the page: paste an echo server and an echo client from a course's slides,
// run them, watch the server block in accept() (its line marked), the handshake and the data on
// the ladder, and both consoles; type a line for input(); a syntax error and a busy loop (stopped)
// as Python shows them; rewinding replays the programs.
import { readFileSync } from 'node:fs';
import { expectCount, expectText, REPO_ROOT, test, waitFor } from '../harness.mjs';
import { arrows, expectNoPanic, openApp, panel, seek, setPlaying, SPEED, waitForClock, clockMicros } from './lib/socksim.mjs';

// The course's echo server and client, as tests/python/ runs them natively.
const corpus = (file) => readFileSync(`${REPO_ROOT}/tests/python/${file}`, 'utf8');
const SERVER = corpus('echo_server.py');
const CLIENT = corpus('echo_client.py');

/** Opens a host's Python tab, pastes a program and runs it. */
async function runProgram(page, host, source) {
  const hostPanel = panel(page, host);
  await hostPanel.locator('button.host-tab', { hasText: 'Python' }).click();
  await hostPanel.locator('.code textarea').fill(source);
  await hostPanel.locator('button.run-program').click();
  return hostPanel;
}

const consoleLines = (hostPanel) => hostPanel.locator('ol.console li');
const state = (hostPanel) => hostPanel.locator('.program-state');

test('90-python: paste a server and a client, run them, see the consoles and the packets', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.third });
  const server = await runProgram(page, 'server', SERVER);
  await expectText(consoleLines(server).first(), 'Listening on port 50007');
  await expectText(state(server), 'blocked on line 11');
  const serverRunning = await clockMicros(page);
  // The line it is blocked on (11: conn, addr = s.accept()) is marked in the gutter and the code.
  await expectCount(server.locator('.gutter li.blocked'), 1);
  await expectText(server.locator('.gutter li.blocked'), '11');
  await expectCount(server.locator('.line-mark.blocked'), 1);
  // The listening socket shows in the panel's table, as for calls made by hand.
  await expectCount(server.locator('tr.socket[data-state="LISTEN"]'), 1);
  await expectText(server.locator('tr.socket[data-state="LISTEN"]'), 's · fd 3');
  // The code is coloured: keywords, strings, comments.
  await expectCount(server.locator('.coloured .kw', { hasText: 'import' }), 1);
  await expectCount(server.locator('.coloured .co'), 3);
  await screenshot('90-python-1-server-blocked');

  const client = await runProgram(page, 'client', CLIENT);
  await expectText(consoleLines(client).last(), "Received b'Hello, world'", 15_000);
  await expectText(state(client), 'exited with status 0');
  await expectText(consoleLines(server).nth(1), "Connected by ('10.0.0.1', ");
  for (const kind of ['SYN', 'SYN-ACK', 'ACK', 'DATA', 'FIN']) {
    await expectCount(arrows(page, { kind, fate: 'delivered' }), (n) => n >= 1, 10_000);
  }
  await expectText(state(server), 'exited with status 0', 10_000);
  await screenshot('90-python-2-echoed');

  // Rewind to before the client ran: its console is empty again, the server waits in accept().
  await setPlaying(page, false);
  await seek(page, serverRunning);
  await expectCount(consoleLines(client), 0);
  await expectText(state(server), 'blocked on line 11');
  await expectNoPanic(page);
});

test('90-python: input() waits for a typed line; errors and a busy loop read as Python', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.third });
  const client = await runProgram(page, 'client', "name = input('Your name? ')\nprint('Hello,', name.upper())\n");
  await expectText(state(client), 'waiting for a line');
  await expectText(consoleLines(client).first(), 'Your name?');
  await client.locator('.console-input input').fill('ada');
  await client.locator('.console-input input').press('Enter');
  await expectText(consoleLines(client).last(), 'Hello, ADA');
  await expectText(state(client), 'exited with status 0');

  const server = await runProgram(page, 'server', "print('one')\nif True\n    print('two')\n");
  await expectText(consoleLines(server).last(), "SyntaxError: expected ':'");
  await expectCount(server.locator('ol.console li.err'), (n) => n >= 3);
  await expectText(state(server), 'exited with status 1');
  await screenshot('90-python-3-input-and-syntax-error');

  // A loop that never blocks: the page stays live (the clock runs on), and Stop ends it.
  await runProgram(page, 'server', 'n = 0\nwhile True:\n    n += 1\n');
  await expectText(state(server), 'busy');
  await expectCount(server.locator('.gutter li.current'), 1);
  const before = await clockMicros(page);
  await waitForClock(page, before + 50_000, 10_000);
  await server.locator('button.stop-program').click();
  await expectText(consoleLines(server).last(), 'KeyboardInterrupt');
  await expectText(state(server), 'exited with status 130');
  await waitFor(async () => (await server.locator('.gutter li.current').count()) === 0, 2_000, 'no current line once stopped');
  await expectNoPanic(page);
});
