// Prints what the parts of a wasm file weigh: the file (raw and `gzip -9`, GNU gzip's, as the
// budget is stated; node's zlib at level 9 says about 1.3 KB more), and the code of each part,
// attributed by the functions' names (from a build of the same code with names kept).
//   node scripts/wasm-size.mjs PAGE.wasm NAMED.wasm
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { importedFunctions, leb, sectionsOf } from './wasm-order.mjs';

const [page, named] = process.argv.slice(2).map((file) => readFileSync(file));
if (!page || !named) {
  console.error('usage: node scripts/wasm-size.mjs PAGE.wasm NAMED.wasm');
  process.exit(2);
}

/** Each function's code size, by its name. */
function functionSizes(bytes) {
  let imported = 0;
  const bodies = [];
  const names = new Map();
  for (const { id, start, end } of sectionsOf(bytes)) {
    if (id === 2) {
      // Imports: functions imported come first in the index space.
      imported = importedFunctions(bytes, start);
    } else if (id === 10) {
      let [count, p] = leb(bytes, start);
      for (let i = 0; i < count; i += 1) { const [n, q] = leb(bytes, p); bodies.push(q + n - p); p = q + n; }
    } else if (id === 0) {
      const [nameLength, p] = leb(bytes, start);
      if (new TextDecoder().decode(bytes.subarray(p, p + nameLength)) === 'name') {
        let q = p + nameLength;
        while (q < end) {
          const kind = bytes[q];
          const [length, r] = leb(bytes, q + 1);
          if (kind === 1) {
            let [count, s] = leb(bytes, r);
            for (let i = 0; i < count; i += 1) {
              const [index, t] = leb(bytes, s);
              const [n, u] = leb(bytes, t);
              names.set(index, new TextDecoder().decode(bytes.subarray(u, u + n)));
              s = u + n;
            }
          }
          q = r + length;
        }
      }
    }
  }
  return bodies.map((size, i) => [names.get(imported + i) ?? `function ${imported + i}`, size]);
}

/** The part a function belongs to: `python::machine`, `ui::app`, or a crate such as `yew`. */
function part(name) {
  const own = name.match(/socksim(?:\[\w+\])?::(\w+)::(\w+)/);
  if (own) return `${own[1]}::${own[2]}`;
  const crate = name.match(/^<*&?(?:mut )?(\w+)(?:\[\w+\])?::/);
  return crate ? crate[1] : '(other)';
}

const raw = page.length;
const gzip = execFileSync('gzip', ['-9', '-c'], { input: page, maxBuffer: 1 << 26 }).length;
const zlib = gzipSync(page, { level: 9 }).length;
const sizes = functionSizes(named);
const code = sizes.reduce((sum, [, size]) => sum + size, 0);
const parts = new Map();
for (const [name, size] of sizes) parts.set(part(name), (parts.get(part(name)) ?? 0) + size);
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const share = (bytes) => kb((bytes / code) * gzip * (code / raw));

console.log(`page wasm: ${kb(raw)} raw, ${kb(gzip)} gzip -9 (goal ≤ 250 KB; node's zlib: ${kb(zlib)}); code ${kb(code)} raw, the rest data`);
const groups = new Map();
for (const [name, size] of parts) {
  const group = name.includes('::') ? name.split('::')[0] : 'crates';
  groups.set(group, (groups.get(group) ?? 0) + size);
}
console.log('\nby part of socksim (code raw, and its estimated share of the gzip size):');
for (const [group, size] of [...groups].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${group.padEnd(10)} ${kb(size).padStart(9)}  ≈ ${share(size)} gzip`);
}
const python = groups.get('python') ?? 0;
console.log(`\nthe Python interpreter (python::*): ${kb(python)} of code, ≈ ${share(python)} of the gzip payload`);
console.log('\nlargest modules and crates:');
for (const [name, size] of [...parts].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`  ${name.padEnd(26)} ${kb(size).padStart(9)}`);
}

// Core's float printing and reading bring ~12 KB of tables that do not compress; src/decimal.rs
// replaces them, and any `{}` of an f64 or `{:?}` of a string in page code brings them back.
const floats = sizes.filter(([name]) => /flt2dec|dec2flt|fmt::float|unicode::printable/.test(name));
console.log(floats.length === 0
  ? '\ncore\'s float formatting and parsing: none in the page (as it should be: see src/decimal.rs)'
  : `\ncore's float formatting or parsing is back in the page (${kb(floats.reduce((sum, [, size]) => sum + size, 0))} of code, plus ~12 KB of tables): ` +
    floats.slice(0, 5).map(([name]) => name).join(', ') + ' — find the `{}` of an f64 or `{:?}` that brought it');
