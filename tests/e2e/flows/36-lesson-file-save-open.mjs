// A lesson saved from the Lesson tab downloads as a lesson file; opening that file (or a broken
// one) from the same tab opens it as a lesson (or says why not, without a panic).
import { readFile } from 'node:fs/promises';
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import { expectNoPanic, isPlaying, openApp } from './lib/socksim.mjs';

test('36-lesson-files: save a lesson as a file, open it again, refuse a broken one', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { lesson: '05-nobody-home' });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('button.save-lesson').click(),
  ]);
  if (download.suggestedFilename() !== 'nobody-s-home.json') {
    throw new Error(`the file should be named nobody-s-home.json, not ${download.suggestedFilename()}`);
  }
  const text = await readFile(await download.path(), 'utf8');
  const saved = JSON.parse(text);
  if (saved.title !== "Nobody's home" || saved.hosts.length !== 2 || saved.checkpoints.length !== 4) {
    throw new Error(`the saved file is not the lesson: ${text.slice(0, 300)}`);
  }

  // Open it from the free-play page: it opens as a lesson, paused, on the Lesson tab.
  await openApp(page, baseUrl);
  await page.locator('.side button.tab[data-tab="lesson"]').click();
  await page.locator('.open-lesson input[type="file"]').setInputFiles({
    name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(text.replace("Nobody's home", 'My copy')),
  });
  await expectText(page.locator('.lesson h2'), 'My copy');
  await expectText(page.locator('select#lesson'), 'My copy (from a file)');
  await expectCount(page.locator('.lesson ol.checkpoints > li'), 4);
  await waitFor(async () => !(await isPlaying(page)), 2_000, 'a lesson from a file opens paused');
  await screenshot('36-lesson-file-opened');

  // A broken file leaves the lesson as it was and says what is wrong.
  await page.locator('.open-lesson input[type="file"]').setInputFiles({
    name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{ "socksim": 1, "title": "<b>x</b>", "duration": 5, "hosts": [ { "name": "<script>", "address": "10.0.0.1" } ] }'),
  });
  await expectText(page.locator('.hint-bar .notice'), 'That file is not a lesson socksim can open: hosts[0].name');
  await expectText(page.locator('.lesson h2'), 'My copy');
  await expectCount(page.locator('script:not([src])').filter({ hasText: 'x' }), 0);
  await expectNoPanic(page);
});
