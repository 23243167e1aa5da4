// The e2e test harness for socksim: owns test registration, the in-process static
// server for dist/, the one headless Chromium, per-test contexts, timeouts, error
// capture, screenshots, libtest-style reporting, and small on-screen assertions.
// Only playwright-core and node's standard library; never downloads a browser.
//
//   import { test, expectText } from '../harness.mjs';
//   test('name', async ({ page, baseUrl, screenshot }) => { ... }, { timeout: 30_000 });
//
// Test options: timeout (ms, default 30 000); allowErrors (true, or a list of
// RegExps for page/console errors to tolerate); prefix (mount path of dist/, e.g.
// '/socksim/', default '/'); root (directory to serve, default $SOCKSIM_DIST or
// dist/); skip (a reason: reported as ignored).

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = process.env.SOCKSIM_ROOT || fileURLToPath(new URL('../../', import.meta.url));
export const DIST = resolve(process.env.SOCKSIM_DIST || join(REPO_ROOT, 'dist'));
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'e2e-screenshots');
export const VIEWPORT = { width: 1280, height: 720 };
const DEFAULT_TIMEOUT = 30_000;
const POLL_MS = 50;

// ---------------------------------------------------------------- registration

const tests = [];

/** Registers a flow. `fn({ page, baseUrl, screenshot })` runs in a fresh context. */
export function test(name, fn, options = {}) {
  if (typeof fn !== 'function') throw new TypeError(`test(${JSON.stringify(name)}): fn must be a function`);
  if (tests.some((t) => t.name === name)) throw new Error(`test(${JSON.stringify(name)}): duplicate name`);
  tests.push({ name, fn, options });
}

// ---------------------------------------------------------------- static server

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pcap': 'application/vnd.tcpdump.pcap',
};

/** Normalises a mount prefix to "/" or "/a/b/". */
function normalizePrefix(prefix = '/') {
  const trimmed = prefix.split('/').filter(Boolean).join('/');
  return trimmed ? `/${trimmed}/` : '/';
}

function sendText(res, status, text, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** Maps a request path to a file under root, or null if outside the mount or root. */
function fileFor(root, prefix, pathname) {
  if (!pathname.startsWith(prefix)) return null;
  const file = resolve(root, `.${sep}${pathname.slice(prefix.length)}`);
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function serveFile(req, res, root, prefix) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return sendText(res, 400, 'bad request path');
  }
  if (`${pathname}/` === prefix) return sendText(res, 301, 'moved', { Location: prefix });
  let file = fileFor(root, prefix, pathname);
  if (!file) return sendText(res, 404, `not found: ${pathname} (served under ${prefix})`);
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return sendText(res, 404, `not found: ${pathname}`);
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/**
 * Serves `root` under `prefix` on an ephemeral 127.0.0.1 port.
 * Resolves to { baseUrl, close }; baseUrl ends with the prefix (always a trailing "/").
 */
export async function startServer({ root = DIST, prefix = '/' } = {}) {
  const absRoot = resolve(root);
  const mount = normalizePrefix(prefix);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed');
    serveFile(req, res, absRoot, mount).catch((err) => {
      if (!res.headersSent) sendText(res, 500, String(err));
      else res.destroy(err);
    });
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}${mount}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

// ---------------------------------------------------------------- browser

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's headless chromium ($CHROMIUM_PATH); never a downloaded one. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** A fresh context and page with the standard viewport. */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  return { context, page };
}

// ---------------------------------------------------------------- assertions

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

function show(value, max = 600) {
  let text;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Races `promise` against `ms`; resolves to `fallback` on time-out. */
function within(promise, ms, fallback) {
  let timer;
  const late = new Promise((ok) => { timer = setTimeout(() => ok(fallback), Math.max(ms, 0)); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Calls `check()` (→ { ok, ...state }) until ok or `timeout` ms pass (at least once).
 * On time-out throws describe(lastState).
 */
async function poll(check, timeout, describe) {
  const end = Date.now() + timeout;
  const timedOut = { ok: false, error: new Error('check itself did not return in time') };
  for (;;) {
    const state = await within(
      Promise.resolve().then(check).catch((error) => ({ ok: false, error })),
      end - Date.now() + POLL_MS,
      timedOut,
    );
    if (state.ok) return state;
    if (Date.now() >= end) throw new Error(await describe(state));
    await sleep(POLL_MS);
  }
}

const errorNote = (state) => (state.error ? `\n  last error: ${state.error.message ?? state.error}` : '');
const collapse = (text) => text.replace(/\s+/g, ' ').trim();

function textMatches(text, expected) {
  if (expected instanceof RegExp) {
    expected.lastIndex = 0;
    return expected.test(text);
  }
  return collapse(text).includes(collapse(String(expected)));
}

/**
 * Waits until some element matched by `locator` has innerText containing `expected`
 * (a string, whitespace-normalised) or matching it (a RegExp). Returns that text.
 */
export async function expectText(locator, expected, timeout = 5_000) {
  const state = await poll(async () => {
    const texts = await locator.allInnerTexts();
    const hit = texts.find((t) => textMatches(t, expected));
    return { ok: hit !== undefined, texts, value: hit };
  }, timeout, (s) => {
    const what = expected instanceof RegExp ? `to match ${expected}` : `to contain ${show(String(expected))}`;
    const actual = !s.texts ? 'could not read it'
      : s.texts.length === 0 ? 'it matched no element'
      : `it matched ${s.texts.length} element(s) with text: ${show(s.texts.map(collapse))}`;
    return `expectText: expected ${locator} ${what} within ${timeout} ms, but ${actual}${errorNote(s)}`;
  });
  return state.value;
}

/**
 * Waits until `locator` matches exactly `n` elements, or a count for which
 * `n(count)` is true. Returns the count.
 */
export async function expectCount(locator, n, timeout = 5_000) {
  const accepts = typeof n === 'function' ? n : (count) => count === n;
  const state = await poll(async () => {
    const count = await locator.count();
    return { ok: Boolean(accepts(count)), count, value: count };
  }, timeout, async (s) => {
    const want = typeof n === 'function' ? `to satisfy ${n.toString()}` : `to be ${n}`;
    let texts = '';
    if (s.count > 0) {
      const found = await within(locator.allInnerTexts().catch(() => []), 1_000, []);
      if (found.length) texts = `; their text: ${show(found.slice(0, 5).map(collapse))}`;
    }
    const actual = s.count === undefined ? 'could not count it' : `it was ${s.count}`;
    return `expectCount: expected the count of ${locator} ${want} within ${timeout} ms, but ${actual}${texts}${errorNote(s)}`;
  });
  return state.value;
}

/**
 * Polls `fn()` (may be async) until it returns a truthy value, and returns that.
 * `message` is a string, or a function (lastValue, lastError) → string | Promise<string>
 * to describe what was actually there.
 */
export async function waitFor(fn, timeout = 5_000, message = 'condition') {
  const state = await poll(async () => {
    const value = await fn();
    return { ok: Boolean(value), value };
  }, timeout, async (s) => {
    const text = typeof message === 'function' ? await message(s.value, s.error) : message;
    return `waitFor: ${text} (not true within ${timeout} ms; last value: ${show(s.value)})${errorNote(s)}`;
  });
  return state.value;
}

/** Describes the app root for failure messages: its attributes, or what the body holds. */
export function describeApp(page) {
  return within(page.evaluate(() => {
    const app = document.querySelector('#app');
    if (!app) return `no #app element; body starts: ${document.body?.innerHTML.slice(0, 300) ?? '(no body)'}`;
    const attrs = [...app.attributes].map((a) => `${a.name}="${a.value}"`).join(' ');
    return `#app has ${attrs || 'no attributes'}`;
  }).catch((e) => `could not inspect the page: ${e.message}`), 2_000, 'page did not answer');
}

/** Waits for `#app[data-ready="true"]` (the default network is interactive). */
export function waitForReady(page, timeout = 20_000) {
  return waitFor(
    () => page.locator('#app[data-ready="true"]').count(),
    timeout,
    async () => `#app[data-ready="true"] should exist; ${await describeApp(page)}`,
  );
}

// ---------------------------------------------------------------- running

const fileName = (name) => name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';

function isAllowed(message, allowErrors) {
  if (allowErrors === true) return true;
  return Array.isArray(allowErrors) && allowErrors.some((re) => re.test(message));
}

/** Records page errors and console errors; `failed` rejects on the first one not allowed. */
function watchErrors(page, allowErrors) {
  const errors = [];
  let reject;
  const failed = new Promise((_, r) => { reject = r; });
  failed.catch(() => {});
  const record = (message) => {
    errors.push(message);
    if (!isAllowed(message, allowErrors)) reject(new Error(`the page reported an error:\n${message}`));
  };
  page.on('pageerror', (err) => record(`pageerror: ${err.stack || err.message}`));
  page.on('crash', () => record('the page crashed'));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const { url, lineNumber } = msg.location();
    record(`console.error: ${msg.text()}${url ? ` (at ${url}:${lineNumber})` : ''}`);
  });
  return { errors, failed };
}

class TimedOut extends Error {}

function timeLimit(ms, name) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`test ${JSON.stringify(name)} timed out after ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Saves target/e2e-screenshots/<name>.png and returns its path. */
async function saveScreenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${fileName(name)}.png`);
  await page.screenshot({ path });
  return path;
}

async function failureScreenshot(page, name) {
  const shot = saveScreenshot(page, `${name}-FAILED`).catch((e) => `(no screenshot: ${e.message.split('\n')[0]})`);
  return within(shot, 5_000, '(no screenshot: timed out)');
}

/** Runs one test in a fresh context; resolves to null (passed) or a failure report. */
async function runOne(browser, servers, t) {
  const timeout = t.options.timeout ?? DEFAULT_TIMEOUT;
  const { baseUrl } = await servers.get(t.options);
  const { context, page } = await newPage(browser);
  page.setDefaultTimeout(timeout);
  page.setDefaultNavigationTimeout(timeout);
  const { failed } = watchErrors(page, t.options.allowErrors);
  const limit = timeLimit(timeout, t.name);
  const screenshot = (name) => saveScreenshot(page, name);
  const body = Promise.resolve().then(() => t.fn({ page, baseUrl, screenshot }));
  body.catch(() => {});
  try {
    await Promise.race([body, failed, limit.promise]);
    await Promise.race([sleep(0), failed]); // errors that arrived with the last step
    return null;
  } catch (error) {
    const shot = await failureScreenshot(page, t.name);
    if (error instanceof TimedOut) error.message += await pendingStep(context, body);
    return { error, shot };
  } finally {
    limit.cancel();
    await within(context.close().catch(() => {}), 5_000);
  }
}

/** After a time-out: closes the context so the test's pending Playwright call fails, and names it. */
async function pendingStep(context, body) {
  await within(context.close().catch(() => {}), 5_000);
  const pending = await within(body.then(() => null, (e) => e), 2_000, null);
  return pending ? `\nit was still in: ${pending.message ?? pending}` : '';
}

/** Starts one server per (root, prefix) on demand; closeAll() stops them. */
function serverPool() {
  const started = new Map();
  return {
    get({ root = DIST, prefix = '/' } = {}) {
      const key = `${resolve(root)}\n${normalizePrefix(prefix)}`;
      if (!started.has(key)) started.set(key, startServer({ root, prefix }));
      return started.get(key);
    },
    async closeAll() {
      for (const s of started.values()) await s.then((x) => x.close()).catch(() => {});
    },
  };
}

const indent = (text) => String(text).replace(/^/gm, '    ');

/** The error's message, plus only the stack frames in test code (not the harness or libraries). */
function describeError(error) {
  if (!(error instanceof Error)) return indent(error);
  const stack = error.stack ?? '';
  const afterMessage = stack.includes(error.message) ? stack.slice(stack.indexOf(error.message) + error.message.length) : stack;
  const frames = afterMessage.split('\n').filter((line) => /^\s+at /.test(line)
    && !/harness\.mjs|node_modules|node:internal|\(<anonymous>\)/.test(line));
  const message = error.message.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
  return indent([message, ...frames.map((f) => f.trim())].join('\n'));
}

function resultLine({ passed, failed, ignored, filtered, seconds }) {
  const status = failed ? 'FAILED' : 'ok';
  return `test result: ${status}. ${passed} passed; ${failed} failed; ${ignored} ignored; `
    + `0 measured; ${filtered} filtered out; finished in ${seconds.toFixed(2)}s`;
}

async function checkDist() {
  const info = await stat(join(DIST, 'index.html')).catch(() => null);
  if (!info) throw new Error(`no index.html in ${DIST} (run \`trunk build --release\`, or set SOCKSIM_DIST)`);
}

/**
 * Runs the registered tests whose names contain `filter` (default: argv[2]),
 * prints libtest-style lines, and (with exit: true) exits 1 on any failure.
 */
export async function run({ filter = process.argv[2] ?? '', exit = true } = {}) {
  const started = Date.now();
  const selected = tests.filter((t) => t.name.includes(filter));
  const counts = { passed: 0, failed: 0, ignored: 0, filtered: tests.length - selected.length };
  const failures = [];
  console.log(`\nrunning ${selected.length} test${selected.length === 1 ? '' : 's'} (dist: ${DIST})`);
  // A whole run starts with no screenshots, so that none left by an earlier run is looked at.
  if (!filter) await rm(SCREENSHOT_DIR, { recursive: true, force: true });

  let browser;
  const servers = serverPool();
  try {
    await checkDist();
    if (selected.some((t) => !t.options.skip)) browser = await launchBrowser();
  } catch (error) {
    console.log(`error: cannot run the e2e tests:\n${describeError(error)}`);
    for (const t of selected) failures.push({ name: t.name, error });
    counts.failed = selected.length;
  }

  for (const t of failures.length ? [] : selected) {
    if (t.options.skip) {
      console.log(`test ${t.name} ... ignored, ${t.options.skip}`);
      counts.ignored += 1;
      continue;
    }
    const failure = await runOne(browser, servers, t).catch((error) => ({ error, shot: '(none)' }));
    if (!failure) {
      console.log(`test ${t.name} ... ok`);
      counts.passed += 1;
      continue;
    }
    console.log(`test ${t.name} ... FAILED\n${describeError(failure.error)}\n    screenshot: ${failure.shot}`);
    failures.push({ name: t.name });
    counts.failed += 1;
  }

  await within(browser?.close().catch(() => {}) ?? Promise.resolve(), 10_000);
  await servers.closeAll();
  if (failures.length) console.log(`\nfailures:\n${failures.map((f) => `    ${f.name}`).join('\n')}`);
  console.log(`\n${resultLine({ ...counts, seconds: (Date.now() - started) / 1000 })}\n`);
  if (exit) process.exit(counts.failed ? 1 : 0);
  return counts;
}
