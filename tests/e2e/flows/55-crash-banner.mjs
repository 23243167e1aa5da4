// The banner for a bug that stops the page: the page's wasm aborts on a Rust panic
// (-Cpanic=immediate-abort, scripts/env.sh), which reaches the page as a WebAssembly trap, and
// index.html turns an uncaught trap into the banner. socksim has no way to panic on purpose, so
// the flow makes real traps with a module of one function that runs `unreachable` (what a Rust
// panic compiles to), thrown out of a callback and out of a promise as the page's own would be.
import { expectCount, expectText, test, waitForReady } from '../harness.mjs';
import { app, expectNoPanic, openApp } from './lib/socksim.mjs';

/** Runs, in the page, `unreachable` from a one-function wasm module: in a timer or a promise. */
const trap = (page, how) => page.evaluate((how) => {
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // a type: () -> ()
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // exported as "f"
    0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b, // its body: unreachable
  ]);
  const { f } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  if (how === 'callback') setTimeout(f);
  else Promise.resolve().then(f);
}, how);

test('55-crash-banner: a wasm trap shows the banner once, Reload starts again', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl);
  const banner = page.locator('.panic-banner[role="alert"]');

  // Other uncaught errors are not the page stopping: no banner.
  await page.evaluate(() => setTimeout(() => { throw new Error('an error that is not a trap'); }));
  await expectNoPanic(page);

  await trap(page, 'callback');
  await expectCount(banner, 1);
  await expectText(banner.locator('p'), /^socksim stopped because of a bug \(.*unreachable.*\)\. Reload the page/);
  await screenshot('55-crash-banner');
  // A second trap (the page's code is broken for good) does not add a second banner.
  await trap(page, 'promise');
  await expectCount(banner, 1);

  await banner.locator('button', { hasText: 'Reload' }).click();
  await waitForReady(page);
  await expectCount(app(page), 1);
  await expectNoPanic(page);

  // A trap out of a promise alone shows it too.
  await trap(page, 'promise');
  await expectCount(banner, 1);
}, { allowErrors: [/an error that is not a trap/, /unreachable/] });
