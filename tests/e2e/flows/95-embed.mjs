// Embedding in slides: the example deck (www/deck.html, copied into dist/) embeds three lessons
// with ?embed and steps them with postMessage commands on its arrow keys; the frames answer with
// events (ready, state, packet, checkpoint, error), which the deck keeps in window.socksimEvents.
// Malformed messages are answered with an error event and change nothing; the embed mode shows
// only the chosen panels, from 480×270 up; bad URL parameters are ignored.
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import { expectNoPanic } from './lib/socksim.mjs';

const events = (page, filter = {}) => page.evaluate((filter) => window.socksimEvents.filter((event) =>
  Object.entries(filter).every(([key, value]) => event[key] === value)), filter);

/** The deck's frame on slide `slide` (0-based; the title slide has none). */
const frame = (page, slide) => page.frameLocator(`.slide:nth-of-type(${slide + 1}) iframe`);

/** Waits until the deck has received an event matching `filter` (and `check`, if given). */
async function expectEvent(page, filter, check = () => true, timeout = 5_000) {
  return waitFor(async () => (await events(page, filter)).find(check), timeout,
    async () => `an event ${JSON.stringify(filter)}; the deck has ${JSON.stringify((await events(page)).slice(-12))}`);
}

test('95-embed: the example deck steps embedded lessons with its arrow keys and hears their events', async ({ page, baseUrl, screenshot }) => {
  await page.goto(`${baseUrl}deck.html`);
  // Each of the three frames says it is ready once its lesson is open.
  await waitFor(async () => (await events(page, { event: 'ready' })).length === 3, 20_000, 'three ready events');
  const ready = await events(page, { event: 'ready' });
  const lessons = ready.map((event) => event.lesson).sort();
  if (JSON.stringify(lessons) !== JSON.stringify(['01-hello-server', '03-uppercase-tcp', '05-nobody-home'])) {
    throw new Error(`ready events name the wrong lessons: ${JSON.stringify(ready)}`);
  }
  const hello = ready.find((event) => event.lesson === '01-hello-server');
  if (hello.title !== 'Hello, server' || hello.slide !== 1 || hello.duration !== 3) throw new Error(JSON.stringify(hello));
  await screenshot('95-embed-0-title-slide');

  // → on the title slide goes to slide 1; then each → is one step of its simulator.
  await page.keyboard.press('ArrowRight');
  await expectCount(page.locator('.slide.current iframe'), 1);
  for (let step = 0; step < 3; step += 1) await page.keyboard.press('ArrowRight');
  const syn = await expectEvent(page, { slide: 1, event: 'packet', kind: 'SYN', fate: 'sent' });
  if (syn.from !== 'client' || syn.to !== 'server' || !(syn.time > 0)) throw new Error(`SYN: ${JSON.stringify(syn)}`);
  await expectEvent(page, { slide: 1, event: 'packet', kind: 'SYN', fate: 'delivered' }, (event) => event.time > syn.time);
  await expectEvent(page, { slide: 1, event: 'packet', kind: 'SYN-ACK', fate: 'sent' });
  // Steps pause the run, and each is told as a state.
  const paused = await expectEvent(page, { slide: 1, event: 'state', playing: false }, (event) => event.time > 0);
  await expectText(page.locator('.slide.current .log'), 'SYN');
  await expectText(page.locator('.slide.current .progress'), 'step 3 of 8');
  await expectText(frame(page, 1).locator('#clock'), /\d/);
  await expectCount(frame(page, 1).locator('#ladder g.arrow'), (n) => n >= 2);
  // The slide's column is taller than wide: the two hosts stand one above the other and both
  // drawings keep their text at its size (side by side, the cards' names were 9 px tall and the
  // ladder's labels 10 px).
  const tallest = (selector) => frame(page, 1).locator(selector).evaluateAll(
    (texts) => Math.max(0, ...texts.map((text) => text.getBoundingClientRect().height)));
  await waitFor(async () => (await tallest('#topology .host-name')) >= 15, 5_000,
    async () => `the cards' names should be at least 15 px tall; they are ${await tallest('#topology .host-name')} px`);
  await waitFor(async () => (await tallest('#ladder .arrow-label')) >= 12, 5_000,
    async () => `the ladder's labels should be at least 12 px tall; they are ${await tallest('#ladder .arrow-label')} px`);
  await screenshot('95-embed-1-handshake-stepped');

  // ← steps back: the clock goes back, told as a state with an earlier time.
  const before = (await events(page, { slide: 1, event: 'state' })).at(-1).time;
  await page.keyboard.press('ArrowLeft');
  await expectEvent(page, { slide: 1, event: 'state' }, (event) => event.time < before);
  await expectText(page.locator('.slide.current .progress'), 'step 2 of 8');
  if (paused.playing !== false) throw new Error('a step pauses the run');

  // The rest of slide 1's steps, then slide 2 (RST), then slide 3, where the deck drops the
  // client's first data segment: it is dropped, then retransmitted and delivered.
  for (let step = 0; step < 6; step += 1) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expectText(page.locator('.slide.current h2'), "Nobody's home");
  for (let step = 0; step < 4; step += 1) await page.keyboard.press('ArrowRight');
  await expectEvent(page, { slide: 2, event: 'packet', kind: 'RST' });
  await page.keyboard.press('ArrowRight');
  await expectText(page.locator('.slide.current h2'), 'A lost segment');
  for (let step = 0; step < 14; step += 1) await page.keyboard.press('ArrowRight');
  const dropped = await expectEvent(page, { slide: 3, event: 'packet', kind: 'DATA', fate: 'dropped-by-hand' });
  if (dropped.from !== 'client') throw new Error(`the client's segment is dropped: ${JSON.stringify(dropped)}`);
  await expectEvent(page, { slide: 3, event: 'packet', kind: 'DATA', fate: 'delivered', from: 'client' },
    (event) => event.time > dropped.time, 10_000);
  await expectText(page.locator('.slide.current .log'), 'DATA');
  await expectCount(frame(page, 3).locator('#ladder g.arrow[data-fate="dropped-by-hand"]'), 1);
  await screenshot('95-embed-2-drop-and-retransmit');

  // Hostile and malformed messages: each is answered with an error event, and changes nothing.
  const errorsBefore = (await events(page, { slide: 3, event: 'error' })).length;
  const clockBefore = await frame(page, 3).locator('#clock').innerText();
  const hostile = await page.evaluate(() => {
    const target = document.querySelectorAll('iframe')[2].contentWindow;
    const messages = [
      'hello', '{"socksim": 1, "command": ', null, 42, [1, 2], {}, { socksim: 2, command: 'play' },
      { socksim: 1 }, { socksim: 1, command: 'fly' }, { socksim: 1, command: 'seek', time: -1 },
      { socksim: 1, command: 'seek', time: 'soon' }, { socksim: 1, command: 'seek', time: 1e300 },
      { socksim: 1, command: 'speed', speed: 99 }, { socksim: 1, command: 'speed', speed: 1.5 },
      { socksim: 1, command: 'load', lesson: '../../etc/passwd' }, { socksim: 1, command: 'load' },
      { socksim: 1, command: 'load', scenario: '{"socksim": 1, "hosts": "many"}' },
      { socksim: 1, command: 'dropNext', link: ['client', 'mars'] },
      { socksim: 1, command: 'dropNext', link: 'client-server' },
      { socksim: 1, command: 'dropNext', link: ['client', 'server'], kind: 'carrier-pigeon' },
      { socksim: 1, command: 'dropNext', link: ['client', 'server'], from: 'mars' },
    ];
    for (const message of messages) target.postMessage(message, '*');
    // An event is not a command: ignored without an answer (two frames never argue).
    target.postMessage({ socksim: 1, event: 'ready' }, '*');
    return messages.length;
  });
  await waitFor(async () => (await events(page, { slide: 3, event: 'error' })).length === errorsBefore + hostile, 5_000,
    async () => `${hostile} error events; got ${JSON.stringify(await events(page, { slide: 3, event: 'error' }))}`);
  const errors = (await events(page, { slide: 3, event: 'error' })).slice(errorsBefore).map((event) => event.message);
  for (const expected of ['not a command', '"time" must be a number', 'no built-in lesson', 'not a lesson', 'must name two hosts', 'packet kind']) {
    if (!errors.some((message) => message.includes(expected))) throw new Error(`no error says ${expected}: ${JSON.stringify(errors)}`);
  }
  await expectText(frame(page, 3).locator('#clock'), clockBefore);
  await expectCount(frame(page, 3).locator('.panic-banner'), 0);
  await expectNoPanic(page);

  // The frame still obeys: seek, speed, load a scenario by its text, play and pause.
  await page.evaluate(() => document.querySelectorAll('iframe')[2].contentWindow.postMessage({ socksim: 1, command: 'seek', time: 0.25 }, '*'));
  await expectEvent(page, { slide: 3, event: 'state', time: 0.25, playing: false });
  const scenario = JSON.stringify({
    socksim: 1, title: 'Sent by the deck', duration: 2,
    hosts: [
      { name: 'a', address: '10.0.0.1', script: [{ at: 0.1, call: 'socket', type: 'udp', as: 's' },
        { call: 'sendto', socket: 's', text: 'hi', address: 'b', port: 9 }] },
      { name: 'b', address: '10.0.0.2' },
    ],
    links: [{ between: ['a', 'b'], delay_ms: 20 }],
  });
  await page.evaluate((scenario) => {
    const target = document.querySelectorAll('iframe')[2].contentWindow;
    target.postMessage({ socksim: 1, command: 'load', scenario }, '*');
    target.postMessage({ socksim: 1, command: 'speed', speed: 4 }, '*');
    target.postMessage({ socksim: 1, command: 'play' }, '*');
  }, scenario);
  await expectEvent(page, { slide: 3, event: 'ready', title: 'Sent by the deck', lesson: null });
  await expectEvent(page, { slide: 3, event: 'packet', kind: 'UDP', from: 'a', to: 'b', fate: 'delivered' }, () => true, 10_000);
  await expectEvent(page, { slide: 3, event: 'state', playing: false, time: 2 }, () => true, 10_000);
  await expectText(frame(page, 3).locator('.embed-bar .title'), 'Sent by the deck');
}, { timeout: 90_000 });

test('95-embed: ?embed shows only the chosen panels, readable at 480×270 and full screen', async ({ page, baseUrl, screenshot }) => {
  await page.setViewportSize({ width: 480, height: 270 });
  await page.goto(`${baseUrl}index.html?embed&lesson=04-uppercase-udp&autoplay&speed=4`);
  await expectText(page.locator('.embed-bar .title'), 'Uppercase over UDP', 20_000);
  await expectCount(page.locator('#app.embed'), 1);
  await expectCount(page.locator('.toolbar, .hint-bar, .hosts, .side'), 0);
  // A frame this small shows one drawing unless told otherwise: two side by side would not read.
  await expectCount(page.locator('.stage'), 0);
  await expectCount(page.locator('.ladder-panel'), 1);
  await waitFor(async () => (await page.locator('#app').getAttribute('data-playing')) === 'true', 5_000, 'autoplay');
  await expectCount(page.locator('#ladder g.arrow[data-kind="UDP"]'), (n) => n >= 3, 20_000);
  // The ladder's labels are drawn at a size that reads (at least 9 px tall on the screen).
  const labelHeight = () => page.locator('#ladder g.arrow text.arrow-label').evaluateAll(
    (texts) => Math.max(0, ...texts.map((text) => text.getBoundingClientRect().height)));
  await waitFor(async () => (await labelHeight()) >= 9, 5_000,
    async () => `the ladder's labels should be at least 9 px tall at 480×270; they are ${await labelHeight()} px`);
  // Nothing sticks out of the frame.
  const overflow = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  if (overflow[0] > 480 || overflow[1] > 270) throw new Error(`the page overflows 480×270: ${overflow}`);
  await page.locator('button[data-action="play"]').click();
  await screenshot('95-embed-3-480x270-ladder');

  // Two drawings when the deck asks for them.
  await page.goto(`${baseUrl}index.html?embed&lesson=04-uppercase-udp&panels=topology,ladder`);
  await expectText(page.locator('.embed-bar .title'), 'Uppercase over UDP', 20_000);
  await expectCount(page.locator('.stage, .ladder-panel'), 2);
  // Full cards would be drawn at a third of their size there: the hosts get narrow cards (name
  // and address) whose names read (full cards' were 6 px tall).
  const nameHeight = () => page.locator('#topology .host-name').evaluateAll(
    (texts) => Math.min(...texts.map((text) => text.getBoundingClientRect().height)));
  await waitFor(async () => (await nameHeight()) >= 11, 5_000,
    async () => `the cards' names should be at least 11 px tall at 480×270; they are ${await nameHeight()} px`);
  await expectCount(page.locator('#topology .port'), 0);

  await page.goto(`${baseUrl}index.html?embed&lesson=01-hello-server&panels=topology,ladder,hosts,side`);
  await expectText(page.locator('.embed-bar .title'), 'Hello, server', 20_000);
  await expectCount(page.locator('.stage, .ladder-panel, .hosts, .side'), 4);
  await screenshot('95-embed-4-480x270-all-panels');

  // A ladder panel shorter than the quiet stretch drawn below "now" is scrolled up to keep "now",
  // and the arrows that led to it, in view (at its end it showed only that stretch).
  await page.goto(`${baseUrl}index.html?embed&lesson=03-uppercase-tcp&panels=topology,ladder,hosts&autoplay&speed=4`);
  await expectCount(page.locator('#ladder g.arrow[data-kind="DATA"]'), (n) => n >= 1, 20_000);
  const nowInView = () => page.locator('.ladder-scroll').evaluate((scroll) => {
    const box = scroll.getBoundingClientRect();
    const now = scroll.querySelector('.ladder-now .now line').getBoundingClientRect();
    return { panel: Math.round(box.height), scrollTop: scroll.scrollTop, inView: now.top >= box.top && now.bottom <= box.bottom };
  });
  await waitFor(async () => { const seen = await nowInView(); return seen.inView && seen.scrollTop < 0; }, 5_000,
    async () => `"now" should be in view in a short ladder panel, scrolled up from the end: ${JSON.stringify(await nowInView())}`);
  await screenshot('95-embed-4-480x270-short-ladder');

  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${baseUrl}index.html?embed&lesson=03-uppercase-tcp&panels=ladder,topology&speed=3&autoplay`);
  await expectCount(page.locator('#ladder g.arrow[data-kind="DATA"]'), (n) => n >= 1, 20_000);
  await page.locator('button[data-action="play"]').click();
  await screenshot('95-embed-5-full-screen');

  // Bad parameters are ignored (with console warnings): the default panels, the lesson not found
  // leaves the default network, nothing panics.
  await page.setViewportSize({ width: 480, height: 270 });
  await page.goto(`${baseUrl}index.html?embed&panels=bogus,%3Cscript%3E&speed=9&lesson=..%2F..%2Fetc&autoplay=maybe`);
  await expectText(page.locator('.embed-bar .title'), 'Client and server', 20_000);
  await expectCount(page.locator('.stage, .ladder-panel'), 2);
  await expectCount(page.locator('.hosts, .side'), 0);
  await expectNoPanic(page);
});
