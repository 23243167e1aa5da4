// Entry point of the socksim e2e suite: loads every tests/e2e/flows/*.mjs (sorted by
// name), each of which registers flows with test(), then runs them.
//   node tests/e2e/run.mjs [filter]     (SOCKSIM_DIST selects the served directory)
import { readdir } from 'node:fs/promises';
import { run } from './harness.mjs';

const flows = new URL('./flows/', import.meta.url);
const files = (await readdir(flows)).filter((f) => f.endsWith('.mjs')).sort();
for (const file of files) await import(new URL(file, flows));
await run();
