// Built-in lessons are fetched from lessons/ beside the page when opened: from a sub-path too, in
// well under half a second on localhost; a lesson whose file cannot be fetched leaves the page on
// what it showed, with the menu back on it and a notice that says why.
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import { expectNoPanic, openApp } from './lib/socksim.mjs';

test('35-lesson-files: a lesson opens from a sub-path, quickly', async ({ page, baseUrl }) => {
  if (!baseUrl.endsWith('/socksim/')) throw new Error(`expected to be served under /socksim/, got ${baseUrl}`);
  await openApp(page, baseUrl);
  const started = Date.now();
  await page.locator('select#lesson').selectOption('01-hello-server');
  await expectText(page.locator('.lesson h2'), 'Hello, server', 2_000);
  const took = Date.now() - started;
  if (took > 500) throw new Error(`the lesson took ${took} ms to open`);
  await expectCount(page.locator('.lesson ol.checkpoints > li'), 6);
  // The lesson's guide says what to do first.
  await expectText(page.locator('.hint-bar'), 'Step 1 of 4: Press play');
  await expectNoPanic(page);
}, { prefix: '/socksim/' });

test('35-lesson-files: a file that cannot be fetched leaves a notice, not a panic', async ({ page, baseUrl }) => {
  await openApp(page, baseUrl, { lesson: '01-hello-server' });
  await expectText(page.locator('.lesson h2'), 'Hello, server');
  await page.route('**/lessons/05-nobody-home.json', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.locator('select#lesson').selectOption('05-nobody-home');
  await expectText(page.locator('.hint-bar .notice'), 'The lesson 05-nobody-home could not be opened: the server answered 404');
  await waitFor(async () => (await page.locator('select#lesson').inputValue()) === '01-hello-server', 2_000,
    'the menu should go back to the lesson still open');
  await expectText(page.locator('.lesson h2'), 'Hello, server');
  await page.route('**/lessons/06-loopback-only.json', (route) => route.abort('connectionrefused'));
  await page.locator('select#lesson').selectOption('06-loopback-only');
  await expectText(page.locator('.hint-bar .notice'), 'The lesson 06-loopback-only could not be opened: the request failed');
  await expectNoPanic(page);
}, { allowErrors: [/Failed to load resource/] });
