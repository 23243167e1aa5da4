// Helpers shared by the socksim flows: opening the page, driving the transport, making socket
// calls from a host panel, and reading the ladder. Lives in flows/lib/ so run.mjs (which loads
// flows/*.mjs only) does not load it as a flow.
import { describeApp, expectCount, expectText, waitFor, waitForReady } from '../../harness.mjs';

/** Speed option values of select#speed. */
export const SPEED = { slowest: '0', default: '1', tenth: '2', third: '3', realtime: '4' };

/** The app root. */
export const app = (page) => page.locator('#app');

/** A host's panel (`client`, `server`, …). */
export const panel = (page, host) => page.locator(`section.host-panel[data-host="${host}"]`);

/** A host panel's transcript lines. */
export const transcript = (page, host) => panel(page, host).locator('ol.transcript li');

/** Ladder arrows, optionally of one kind and/or fate. */
export function arrows(page, { kind, fate } = {}) {
  let selector = '#ladder g.arrow';
  if (kind) selector += `[data-kind="${kind}"]`;
  if (fate) selector += `[data-fate="${fate}"]`;
  return page.locator(selector);
}

/** Envelopes in flight in the topology, optionally of one kind. */
export const envelopes = (page, kind) =>
  page.locator(kind ? `#topology g.packet[data-kind="${kind}"]` : '#topology g.packet');

/** Opens the page (optionally a lesson), waits until it is interactive, sets the speed. */
export async function openApp(page, baseUrl, { lesson, speed, playing } = {}) {
  await page.goto(baseUrl);
  await waitForReady(page);
  if (lesson !== undefined) {
    // The page fetches the lesson's file when it is picked, and opens it when it arrives.
    const fetched = page.waitForResponse((response) => response.url().endsWith(`lessons/${lesson}.json`), { timeout: 5_000 });
    await page.locator('select#lesson').selectOption(lesson);
    await fetched;
    await waitFor(async () => (await page.locator('select#lesson').inputValue()) === lesson, 5_000,
      `select#lesson should read ${JSON.stringify(lesson)}`);
  }
  if (speed !== undefined) await setSpeed(page, speed);
  if (playing !== undefined) await setPlaying(page, playing);
}

export async function setSpeed(page, value) {
  await page.locator('select#speed').selectOption(String(value));
  await waitFor(async () => (await page.locator('select#speed').inputValue()) === String(value), 2_000,
    `select#speed should be ${value}`);
}

export async function isPlaying(page) {
  return (await app(page).getAttribute('data-playing')) === 'true';
}

/** Clicks the play/pause button if needed so that the page plays (true) or is paused (false).
 * A lesson opened just before (it opens paused) may arrive between the look and the click, and
 * the click then plays it: so the page is looked at again, and clicked again if need be. */
export async function setPlaying(page, playing) {
  for (let attempt = 1; ; attempt += 1) {
    if ((await isPlaying(page)) !== playing) await page.locator('button[data-action="play"]').click();
    try {
      await waitFor(async () => (await isPlaying(page)) === playing, 2_000,
        async () => `#app should have data-playing="${playing}"; ${await describeApp(page)}`);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** The virtual clock in µs, read from the timeline's value. */
export async function clockMicros(page) {
  return Number(await page.locator('input#timeline').inputValue());
}

/** Waits until the virtual clock reaches `micros` (the page must be playing). */
export async function waitForClock(page, micros, timeout = 20_000) {
  await waitFor(async () => (await clockMicros(page)) >= micros, timeout,
    async () => `virtual clock should reach ${micros} µs; it reads ${await page.locator('output#clock').innerText()}`);
}

/** Moves the timeline to `micros` as a drag would: sets the value and fires a bubbling input event. */
export async function seek(page, micros) {
  await page.locator('input#timeline').evaluate((input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, micros);
}

/** Clicks the step button until `done()` is truthy (at most `max` steps). Returns the steps taken. */
export async function stepUntil(page, done, { max = 30, what = 'condition' } = {}) {
  for (let steps = 0; ; steps += 1) {
    if (await done()) return steps;
    if (steps >= max) throw new Error(`stepUntil: ${what} not reached after ${max} steps; ${await describeApp(page)}`);
    const before = await clockMicros(page);
    await page.locator('button[data-action="step"]').click();
    // One step is one redraw: wait until the clock moved (or a notice says nothing will happen).
    await waitFor(async () => (await clockMicros(page)) !== before
      || (await page.locator('.hint-bar .notice').count()) > 0 || (await done()), 2_000, 'a step to move the clock');
  }
}

/**
 * Makes a socket call from a host's panel: sets the call select and the given fields, optionally
 * checks the Python preview, clicks Call, and waits for the new transcript line, which it returns.
 *   await call(page, 'server', { call: 'bind', socket: 's', address: '0.0.0.0', port: 80 })
 */
export async function call(page, host, { call: name, kind, socket, address, port, backlog, text, bufsize, preview }) {
  const form = panel(page, host);
  await form.locator('select[name="call"]').selectOption(name);
  await waitFor(async () => (await form.locator('select[name="call"]').inputValue()) === name, 2_000,
    `${host}'s call select should read ${name}`);
  if (kind !== undefined) await form.locator('select[name="kind"]').selectOption(kind);
  if (socket !== undefined) await form.locator('select[name="socket"]').selectOption(socket);
  const fields = { address, port, backlog, text, bufsize };
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) await form.locator(`input[name="${field}"]`).fill(String(value));
  }
  if (preview !== undefined) await expectText(form.locator('code.preview'), preview, 2_000);
  const lines = transcript(page, host);
  const before = await lines.count();
  await form.locator('button.run-call').click();
  await expectCount(lines, (n) => n > before, 5_000);
  return lines.nth(before);
}

/** Every ladder arrow as { packet, kind, fate }, in document (id) order. */
export function ladderArrows(page) {
  return page.locator('#ladder g.arrow').evaluateAll((nodes) => nodes.map((node) => ({
    packet: node.getAttribute('data-packet'),
    kind: node.getAttribute('data-kind'),
    fate: node.getAttribute('data-fate'),
  })));
}

/** Fails if a panic banner is on the page. */
export async function expectNoPanic(page) {
  await expectCount(page.locator('.panic-banner'), 0, 2_000);
}

/**
 * A TCP server listening on server:80 with accept() blocked, and a client connected to it, both
 * ESTABLISHED. Leaves the page playing at whatever speed it had. The server's connection is `conn`,
 * the client's socket `s`.
 */
export async function handshake(page) {
  await call(page, 'server', { call: 'socket', kind: 'tcp' });
  await call(page, 'server', { call: 'bind', socket: 's', address: '0.0.0.0', port: 80 });
  await call(page, 'server', { call: 'listen', socket: 's', backlog: 5 });
  const accept = await call(page, 'server', { call: 'accept', socket: 's' });
  await call(page, 'client', { call: 'socket', kind: 'tcp' });
  await call(page, 'client', { call: 'connect', socket: 's', address: '10.0.0.2', port: 80 });
  await setPlaying(page, true);
  await expectText(accept, '(<socket fd=', 20_000);
  await expectCount(panel(page, 'client').locator('tr.socket[data-state="ESTABLISHED"]'), 1, 10_000);
  await expectCount(panel(page, 'server').locator('tr.socket[data-state="ESTABLISHED"]'), 1, 10_000);
  return accept;
}

/**
 * Like expectText, for SVG elements (which have no innerText): waits until some element matched
 * by `locator` has textContent containing `expected` (string) or matching it (RegExp).
 */
export async function expectSvgText(locator, expected, timeout = 5_000) {
  const matches = (text) => (expected instanceof RegExp ? expected.test(text) : text.includes(expected));
  let texts = [];
  return waitFor(async () => {
    texts = (await locator.evaluateAll((nodes) => nodes.map((n) => n.textContent.replace(/\s+/g, ' '))));
    return texts.find(matches);
  }, timeout, () => `${locator} should have text ${expected}; texts: ${JSON.stringify(texts).slice(0, 600)}`);
}

/**
 * Plays at 1/100× until an envelope of `kind` is on the wire and has flown `flownMicros` of virtual
 * time, then pauses, so it stands still mid-link for a click. Returns its packet id.
 */
export async function catchInFlight(page, kind, { flownMicros = 4_000, timeout = 15_000 } = {}) {
  await setSpeed(page, SPEED.slowest);
  await setPlaying(page, true);
  await waitFor(async () => (await envelopes(page, kind).count()) > 0, timeout,
    async () => `a ${kind} envelope should appear in the topology; ${await describeApp(page)}`);
  const id = await envelopes(page, kind).first().getAttribute('data-packet');
  const seenAt = await clockMicros(page);
  await waitForClock(page, seenAt + flownMicros, timeout);
  await setPlaying(page, false);
  await expectCount(page.locator(`#topology g.packet[data-packet="${id}"]`), 1, 1_000);
  return id;
}

/**
 * Checks for known app bugs that should not stop the rest of a flow: `check(what, fn)` runs the
 * assertion `fn` and records its failure; `throwIfAny()` (call it last) fails the flow listing every
 * one. The flow carries on past such a failure only where it says how (e.g. re-opening a tab).
 */
export function softChecks() {
  const failures = [];
  return {
    async check(what, fn) {
      try {
        await fn();
      } catch (error) {
        failures.push(`${what}\n      ${String(error.message ?? error).split('\n')[0]}`);
      }
    },
    throwIfAny() {
      if (failures.length) throw new Error(`app bug(s) seen during the flow:\n  - ${failures.join('\n  - ')}`);
    },
  };
}
