// Lesson 04 "Uppercase over UDP": four hosts, two links losing 30 % of packets; a UDP client
// sends six datagrams with a 1 s timeout on each answer, a TCP client one sentence. Played at 1×,
// datagrams are lost (✕ on the ladder), the client's recvfrom raises TimeoutError, the UDP client
// never sends a seventh datagram, TCP gets its answer, and every checkpoint passes.
import { readFileSync } from 'node:fs';
import { expectCount, expectText, REPO_ROOT, test, waitFor } from '../harness.mjs';
import {
  arrows, expectNoPanic, expectSvgText, isPlaying, ladderArrows, openApp, panel, setPlaying, SPEED, transcript,
} from './lib/socksim.mjs';

test('30-udp-loss-lesson: lesson 04 loses datagrams and its checkpoints pass', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { lesson: '04-uppercase-udp' });
  // A lesson opens paused at 0 s, on its Lesson tab, with its hosts and lossy links.
  await waitFor(async () => !(await isPlaying(page)), 2_000, 'a lesson opens paused');
  await expectText(page.locator('output#clock'), '0.000 ms');
  await expectCount(page.locator('button.tab[data-tab="lesson"][aria-selected="true"]'), 1);
  await expectText(page.locator('.lesson h2'), 'Uppercase over UDP');
  // The hint bar shows the lesson's guide: its first step.
  await expectText(page.locator('.hint-bar'), 'Step 1 of 3: Press play');
  for (const host of ['client', 'server', 'tcp-client', 'tcp-server']) {
    await expectCount(page.locator(`#topology g.host[data-host="${host}"]`), 1);
    await expectCount(panel(page, host), 1);
  }
  // Both links do the same: one legend says what, rather than a label on each.
  await expectSvgText(page.locator('#topology .link-label.legend'), 'every link: 30 ms · 30% loss');
  await expectCount(page.locator('#topology g.link .link-label'), 0);
  const checkpoints = page.locator('.lesson ol.checkpoints > li');
  await expectCount(checkpoints, 4);
  await expectCount(page.locator('.lesson ol.checkpoints > li.pending'), 4);

  await page.locator('select#speed').selectOption(SPEED.realtime);
  await setPlaying(page, true);

  // A datagram is lost on the wire: its arrow ends in ✕.
  const lost = page.locator('#ladder g.arrow[data-fate="lost"]');
  await expectCount(lost, (n) => n >= 1, 20_000);
  await expectCount(page.locator('#ladder g.arrow[data-fate="lost"] text.cross'), (n) => n >= 1);
  await expectSvgText(page.locator('#ladder g.arrow[data-fate="lost"] text.cross'), '✕');

  // Predict, then run: the run stops just before each question's checkpoint until a choice is
  // picked. The first prediction is wrong on purpose, the others right.
  const lesson = JSON.parse(readFileSync(`${REPO_ROOT}/src/scenario/lessons/04-uppercase-udp.json`, 'utf8'));
  const asking = page.locator('.lesson ol.checkpoints > li.asking');
  const predicted = [];
  for (let question = 0; question < 3; question += 1) {
    await expectCount(asking, 1, 30_000);
    if (await isPlaying(page)) throw new Error('the run should stop for a prediction');
    await expectText(page.locator('.hint-bar'), 'Predict, then run');
    const index = Number(await asking.getAttribute('data-checkpoint'));
    const { answer, choices } = lesson.checkpoints[index];
    const choice = question === 0 ? (answer + 1) % choices.length : answer;
    if (question === 0) await screenshot('30-udp-loss-lesson-0-predict');
    await asking.locator('button.choice').nth(choice).click();
    predicted.push(index);
    // The next question (two more are due at 8 s) is asked at once; otherwise the run goes on.
    await waitFor(async () => (await asking.count()) === 0
      || Number(await asking.getAttribute('data-checkpoint')) !== index, 2_000, 'the next question or the run');
  }

  // The three checkpoints due at 8 s get their verdicts, beside the predictions.
  await expectCount(page.locator('.lesson ol.checkpoints > li.passed'), (n) => n >= 3, 30_000);
  await expectText(checkpoints.nth(predicted[0]).locator('.verdict.wrong'), 'Not what happened');
  await expectText(checkpoints.nth(predicted[1]).locator('.verdict.right'), 'Your prediction was right');
  await expectCount(checkpoints.nth(predicted[0]).locator('li.picked'), 1);
  await expectCount(page.locator('.lesson ol.checkpoints > li.failed'), 0);
  await expectText(transcript(page, 'client').and(page.locator('.raised')), 'TimeoutError');
  await screenshot('30-udp-loss-lesson-1-checkpoints-at-8s');

  // The last question (at 30 s) is skipped by playing on.
  await expectCount(asking, 1, 45_000);
  await page.locator('button[data-action="play"]').click();
  await expectCount(asking, 0);

  // The lesson ends at 30 s: it stops playing with every checkpoint passed.
  await waitFor(async () => !(await isPlaying(page)), 45_000,
    async () => `the lesson should stop at its end; clock: ${await page.locator('output#clock').innerText()}`);
  await expectText(page.locator('output#clock'), '30.0000 s');
  await expectCount(page.locator('.lesson ol.checkpoints > li.passed'), 4, 5_000);
  await expectCount(page.locator('.lesson ol.checkpoints > li.pending'), 0);
  await expectCount(page.locator('.lesson ol.checkpoints > li.passed .observed'), 4);
  await expectText(transcript(page, 'tcp-client'), "THE SAME SENTENCE OVER TCP");

  // What the checkpoints claim is what the ladder shows: UDP losses, and exactly six datagrams
  // from the UDP client (it never resends one).
  const all = await ladderArrows(page);
  const udpLost = all.filter((a) => a.kind === 'UDP' && a.fate === 'lost');
  if (udpLost.length < 1) throw new Error(`expected a lost UDP arrow, the ladder has ${JSON.stringify(all)}`);
  await page.locator('button.tab[data-tab="packets"]').click();
  const fromClient = page.locator('table#packets tr[data-packet]').filter({ hasText: /client → server/ })
    .filter({ hasText: 'UDP' }).filter({ hasNotText: 'tcp-client' });
  await expectCount(fromClient, 6);
  await page.locator('button.tab[data-tab="lesson"]').click();
  await expectCount(arrows(page, { fate: 'in-flight' }), 0);
  await expectNoPanic(page);
  await screenshot('30-udp-loss-lesson-2-finished');
}, { timeout: 120_000 });
