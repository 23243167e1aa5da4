// wasm-opt for the page's wasm, in one place for Trunk and scripts/wasm-size.sh, so that the two
// always build the same file (Trunk.toml says why each setting is there):
//   1. wasm-opt with the settings below (the functions sorted by name, their names kept);
//   2. scripts/wasm-order.mjs: better orders of the functions for gzip, written as their names;
//   3. wasm-opt again, for each order: the functions put in that order, the names and the
//      producers and target-features sections stripped;
//   4. scripts/wasm-names.mjs: short names for the imports and exports (the same in the JS);
//      of the orders, the file gzip -9 makes smallest is kept.
//
//   node scripts/wasm-opt.mjs IN.wasm OUT.wasm [NAMED.wasm]
//     NAMED.wasm: the file of step 1, with each function's name (for scripts/wasm-size.mjs).
//   node scripts/wasm-opt.mjs --trunk
//     Trunk's post_build hook (Trunk.toml): in a release build, the wasm in Trunk's staging
//     folder and wasm-bindgen's JS beside it (step 4's names), in place, and the integrity
//     Trunk wrote for each in index.html. Trunk runs no wasm-opt of its own (data-wasm-opt="0"
//     in index.html).
// wasm-opt is binaryen's, found on PATH (node_modules/.bin, see scripts/env.sh).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renameInJs, shortNames } from './wasm-names.mjs';
import { withOrders } from './wasm-order.mjs';

/** Step 1: the optimisations (Trunk.toml explains each). */
const OPTIMIZE = [
  '-Os',
  '--one-caller-inline-max-function-size=75',
  '--flatten',
  '--rereloop',
  '-Os',
  '-Os',
  '--low-memory-unused',
  '--reorder-functions-by-name',
];
/** Step 3: no optimisation passes, but -Os's levels, which wasm-opt also uses when it writes the
 * file (without them the same code is written 0.7 KB larger). */
const FINISH = [
  '--optimize-level=2',
  '--shrink-level=1',
  '--reorder-functions-by-name',
  '--strip-debug',
  '--strip-producers',
  '--strip-target-features',
];

function wasmOpt(args) {
  try {
    execFileSync('wasm-opt', args, { stdio: 'inherit' });
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('no wasm-opt on PATH: run scripts/setup.sh, then `source scripts/env.sh`');
    throw error;
  }
}

/** Optimises `input` into `output`; keeps step 1's file, with its names, as `named` if given.
 * Returns the imports' and exports' new names (for the JS, see scripts/wasm-names.mjs). */
function optimize(input, output, named) {
  const work = mkdtempSync(join(tmpdir(), 'socksim-wasm-opt-'));
  try {
    const sorted = join(work, 'sorted.wasm');
    const ordered = join(work, 'ordered.wasm');
    wasmOpt([input, ...OPTIMIZE, '-g', '-o', sorted]);
    if (named) copyFileSync(sorted, named);
    // Each order finished, the one gzip -9 makes smallest kept (scripts/wasm-order.mjs).
    let best = null;
    for (const module of withOrders(readFileSync(sorted))) {
      writeFileSync(ordered, module);
      wasmOpt([ordered, ...FINISH, '-o', output]);
      const [wasm, names] = shortNames(readFileSync(output));
      const size = execFileSync('gzip', ['-9', '-c'], { input: wasm, maxBuffer: 1 << 26 }).length;
      if (!best || size < best.size) best = { size, wasm, names };
    }
    writeFileSync(output, best.wasm);
    return best.names;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The file's digests, as subresource integrity writes them. */
function digests(file) {
  const bytes = readFileSync(file);
  return ['sha256', 'sha384', 'sha512'].map((algorithm) => `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`);
}

/** Trunk's post_build hook: the staged wasm and JS, and their integrity in the staged index.html. */
function trunkHook() {
  const { TRUNK_PROFILE: profile, TRUNK_STAGING_DIR: staging } = process.env;
  if (!staging) throw new Error('--trunk is for Trunk\'s post_build hook (no TRUNK_STAGING_DIR)');
  // As Trunk itself: no wasm-opt in a debug build.
  if (profile !== 'release') return;
  const wasm = readdirSync(staging).filter((file) => file.endsWith('_bg.wasm'));
  if (wasm.length !== 1) throw new Error(`expected one *_bg.wasm in ${staging}, found ${wasm.length}`);
  const file = join(staging, wasm[0]);
  const js = join(staging, wasm[0].replace(/_bg\.wasm$/, '.js'));
  const before = [...digests(file), ...digests(js)];
  const names = optimize(file, file);
  writeFileSync(js, renameInJs(readFileSync(js, 'utf8'), names));
  const after = [...digests(file), ...digests(js)];
  // The integrity Trunk wrote (sha384 unless data-integrity says otherwise; none with --no-sri).
  const html = join(staging, 'index.html');
  let text = readFileSync(html, 'utf8');
  before.forEach((digest, i) => { text = text.replaceAll(`integrity="${digest}"`, `integrity="${after[i]}"`); });
  writeFileSync(html, text);
}

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--trunk') {
  trunkHook();
} else if (args.length === 2 || args.length === 3) {
  optimize(...args);
} else {
  console.error('usage: node scripts/wasm-opt.mjs IN.wasm OUT.wasm [NAMED.wasm] | --trunk');
  process.exit(2);
}
