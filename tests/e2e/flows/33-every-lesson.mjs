// Every built-in lesson, opened from the lesson menu and played to its end at 1× with its
// checkpoints shown: one test per lesson, so a failure names it. Whenever the run stops for a
// question, the hint bar must ask that checkpoint's question (in time order, just before its time)
// and the flow answers it: with the lesson file's `answer`, except one question per lesson that is
// answered wrong on purpose (a different one in each lesson). At the end every checkpoint must have
// passed, every question must show its verdict beside the prediction (right, or the one wrong), and
// no panic banner may have appeared. A screenshot of the lesson player is taken at each lesson's end.
//
// The lesson ids come from src/scenario/library.rs (the menu's source) and are checked against the
// files in src/scenario/lessons/, so a lesson added to one and not the other fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { expectCount, expectText, REPO_ROOT, test, waitFor } from '../harness.mjs';
import { clockMicros, expectNoPanic, isPlaying, openApp, panel, setSpeed, SPEED } from './lib/socksim.mjs';

const LESSONS_DIR = `${REPO_ROOT}/src/scenario/lessons`;

/** The built-in lessons as library.rs lists them: [{ id, title }], in course order. */
function builtIns() {
  const source = readFileSync(`${REPO_ROOT}/src/scenario/library.rs`, 'utf8');
  const list = source.match(/pub const BUILT_IN: &\[BuiltIn\] = lessons!\[([\s\S]*?)\];/);
  if (!list) throw new Error('33-every-lesson: cannot find BUILT_IN in src/scenario/library.rs');
  const lessons = [...list[1].matchAll(/"([^"]+)"\s*:\s*"((?:[^"\\]|\\.)*)"/g)]
    .map(([, id, title]) => ({ id, title: JSON.parse(`"${title}"`) }));
  const files = readdirSync(LESSONS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  const ids = lessons.map((l) => l.id);
  if (lessons.length === 0 || JSON.stringify([...ids].sort()) !== JSON.stringify(files)) {
    throw new Error(`33-every-lesson: library.rs lists ${JSON.stringify(ids)} but lessons/ holds ${JSON.stringify(files)}`);
  }
  return lessons;
}

const LESSONS = builtIns();

/** The questions of a lesson in the order the run asks them: by time, then by place in the file. */
function questionOrder(lesson) {
  return lesson.checkpoints
    .map((checkpoint, index) => ({ checkpoint, index }))
    .filter(({ checkpoint }) => checkpoint.question && checkpoint.choices?.length)
    .sort((a, b) => Math.round(a.checkpoint.at * 1e6) - Math.round(b.checkpoint.at * 1e6) || a.index - b.index);
}

const oneLine = (text) => String(text).replace(/\s+/g, ' ').trim();

LESSONS.forEach(({ id, title }, number) => {
  const lesson = JSON.parse(readFileSync(`${LESSONS_DIR}/${id}.json`, 'utf8'));
  const questions = questionOrder(lesson);
  // One question per lesson is answered wrong on purpose, a different one from lesson to lesson.
  const wrongAt = questions.length ? number % questions.length : -1;
  const endMicros = Math.round(lesson.duration * 1e6);

  test(`33-every-lesson: ${id} plays to its end with every checkpoint passed`, async ({ page, baseUrl, screenshot }) => {
    // Opened from the menu: the menu lists every built-in lesson, and this one opens paused at 0 s
    // on the Lesson tab with its title, intro, hosts and checkpoint list.
    await openApp(page, baseUrl);
    const menuValues = await page.locator('select#lesson option').evaluateAll((options) => options.map((o) => o.value));
    for (const { id: other } of LESSONS) {
      if (!menuValues.includes(other)) throw new Error(`the lesson menu should offer ${other}; it offers ${JSON.stringify(menuValues)}`);
    }
    await openApp(page, baseUrl, { lesson: id });
    await expectText(page.locator('.lesson h2'), title, 10_000);
    if (title !== lesson.title) throw new Error(`library.rs calls ${id} ${JSON.stringify(title)}, its file ${JSON.stringify(lesson.title)}`);
    await waitFor(async () => !(await isPlaying(page)), 2_000, 'a lesson opens paused');
    await expectText(page.locator('output#clock'), '0.000 ms');
    await expectCount(page.locator('button.tab[data-tab="lesson"][aria-selected="true"]'), 1);
    await expectText(page.locator('.lesson > p'), lesson.intro);
    const firstGuide = lesson.guide?.[0];
    await expectText(page.locator('.hint-bar'), firstGuide && firstGuide.at <= 0 ? `Step 1 of ${lesson.guide.length}` : title);
    for (const host of lesson.hosts) {
      await expectCount(page.locator(`#topology g.host[data-host="${host.name}"]`), 1);
      await expectCount(panel(page, host.name), 1);
    }
    const checkpoints = page.locator('.lesson ol.checkpoints > li');
    await expectCount(checkpoints, lesson.checkpoints.length);
    await expectCount(page.locator('.lesson ol.checkpoints > li.pending'), lesson.checkpoints.length);
    for (const { checkpoint, index } of questions) {
      await expectText(checkpoints.nth(index).locator('.question'), checkpoint.question);
      await expectCount(checkpoints.nth(index).locator('button.choice'), checkpoint.choices.length);
    }

    await setSpeed(page, SPEED.realtime);
    // Play. At 1× with the quiet-time fast-forward an early question (0.4 s in lesson 06) may stop
    // the run again before a poll sees it playing, so the click counts once the clock moved.
    const asking = page.locator('.lesson ol.checkpoints > li.asking');
    await page.locator('button[data-action="play"]').click();
    await waitFor(async () => (await isPlaying(page)) || (await clockMicros(page)) > 0, 2_000,
      'pressing play should start the run');

    // Each stop is a question (answered, and the run goes on) or the lesson's end.
    const picked = new Map(); // checkpoint index → the choice clicked
    const describe = async () => `clock ${await page.locator('output#clock').innerText()}, `
      + `asking ${await asking.count()}, hint ${JSON.stringify(oneLine(await page.locator('.hint-bar').innerText()))}`;
    for (;;) {
      await waitFor(async () => !(await isPlaying(page)), 150_000,
        async () => `the run should stop for a question or at its end (${lesson.duration} s); ${await describe()}`);
      if ((await asking.count()) === 0) break;
      const index = Number(await asking.getAttribute('data-checkpoint'));
      const expected = questions[picked.size];
      if (!expected || index !== expected.index) {
        throw new Error(`the run asked checkpoint ${index} (${JSON.stringify(lesson.checkpoints[index]?.question)}); `
          + `expected ${expected ? `checkpoint ${expected.index} next` : 'no more questions'} `
          + `(asked so far: ${JSON.stringify([...picked.keys()])})`);
      }
      const { checkpoint } = expected;
      // It stops just before the checkpoint's time, with the checkpoint still undecided.
      const clock = await clockMicros(page);
      const at = Math.round(checkpoint.at * 1e6);
      if (!(clock < at && clock >= at - 1_000)) {
        throw new Error(`checkpoint ${index} (at ${checkpoint.at} s) was asked at ${clock} µs, not just before its time`);
      }
      await expectCount(page.locator(`.lesson ol.checkpoints > li.asking.pending[data-checkpoint="${index}"]`), 1);
      await expectText(page.locator('.hint-bar .hint.asking'), 'Predict, then run:');
      await expectText(page.locator('.hint-bar .hint.asking'), checkpoint.question);
      await expectText(asking.locator('p.predict'), 'Predict first');
      const choice = picked.size === wrongAt ? (checkpoint.answer + 1) % checkpoint.choices.length : checkpoint.answer;
      await asking.locator('button.choice').nth(choice).click();
      picked.set(index, choice);
      await waitFor(async () => (await asking.count()) === 0
        || Number(await asking.getAttribute('data-checkpoint')) !== index, 5_000,
      async () => `answering checkpoint ${index} should let the run go on; ${await describe()}`);
    }

    // The end: the clock stands at the lesson's duration, every question was asked, every
    // checkpoint passed, and each question shows its verdict beside the prediction.
    await expectText(page.locator('output#clock'), `${lesson.duration.toFixed(4)} s`);
    if ((await clockMicros(page)) !== endMicros) {
      throw new Error(`the lesson should stop at ${endMicros} µs; the timeline reads ${await clockMicros(page)}`);
    }
    if (picked.size !== questions.length) {
      throw new Error(`${questions.length} questions should have been asked; ${picked.size} were (${JSON.stringify([...picked.keys()])})`);
    }
    const states = await checkpoints.evaluateAll((items) => items.map((li) => ({
      checkpoint: li.dataset.checkpoint,
      class: li.className,
      text: li.innerText.replace(/\s+/g, ' ').slice(0, 300),
    })));
    const notPassed = states.filter((s) => !s.class.split(' ').includes('passed'));
    if (notPassed.length) {
      throw new Error(`every checkpoint of ${id} should pass in the browser; these did not:\n`
        + notPassed.map((s) => `      #${s.checkpoint} [${s.class}] ${s.text}`).join('\n'));
    }
    await expectCount(page.locator('.lesson ol.checkpoints > li.failed'), 0);
    await expectCount(page.locator('.lesson ol.checkpoints > li.pending'), 0);
    await expectCount(page.locator('.lesson ol.checkpoints > li.passed .observed'), lesson.checkpoints.length);
    await expectCount(page.locator('.lesson ol.checkpoints > li.asking'), 0);
    for (const [index, choice] of picked) {
      const item = checkpoints.nth(index);
      const { answer } = lesson.checkpoints[index];
      await expectCount(item.locator('.verdict'), 1);
      if (choice === answer) await expectText(item.locator('.verdict.right'), '✔ Your prediction was right.');
      else await expectText(item.locator('.verdict.wrong'), '✘ Not what happened.');
      await expectCount(item.locator('ul.choices > li.picked'), 1);
      await expectCount(item.locator('ul.choices > li.picked button.choice'), 1);
      await expectCount(item.locator(`ul.choices > li:nth-child(${choice + 1}).picked`), 1);
      await expectCount(item.locator(`ul.choices > li:nth-child(${answer + 1}).answer`), 1);
      await expectCount(item.locator('button.choice:not([disabled])'), 0);
    }
    // Checkpoints without a question show no verdict.
    await expectCount(page.locator('.lesson ol.checkpoints > li .verdict'), questions.length);
    await expectCount(page.locator('.lesson ol.checkpoints > li .verdict.wrong'), questions.length ? 1 : 0);
    await expectNoPanic(page);
    if (await isPlaying(page)) throw new Error('the lesson should have stopped playing at its end');

    // The screenshot shows the wrong verdict (the most interesting one) in the Lesson tab.
    if (wrongAt >= 0) await checkpoints.nth(questions[wrongAt].index).scrollIntoViewIfNeeded();
    await screenshot(`33-every-lesson-${id}`);
  }, { timeout: 180_000 });
});
