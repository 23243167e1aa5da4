// Short names for the wasm's imports and exports, and the same names in wasm-bindgen's JS.
//
// wasm-bindgen names each import after its function and a 16-digit hash (`__wbg_get_d7176cfb76d71114`,
// in the module "./socksim_bg.js") and each closure's export after its Rust type; gzip cannot
// shrink the hashes, so these names weigh 4.4 KB of the page's gzip -9 size. `shortNames(wasm)`
// renames the module to `a` and the imports and exports to `a`, `b`, …, `Z`, `aa`, `ab`, … in
// the order they come in the file, and `renameInJs(js, names)` makes the same change in the JS
// that wasm-bindgen wrote for that wasm: the keys of its imports object (each the import's name,
// once), that object's module name, and each `wasm.NAME` (an export). It throws rather than
// write JS that would not fit the wasm: a name not found where it should be, or found elsewhere.
import { importEnd, leb, lebBytes, sectionsOf } from './wasm-order.mjs';

const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NEXT = `${FIRST}0123456789`;

/** The `n`th short name (from 0): a, …, Z, aa, ab, …, all valid JS identifiers. */
function shortName(n) {
  if (n < FIRST.length) return FIRST[n];
  let rest = n - FIRST.length;
  let width = 2;
  let count = FIRST.length * NEXT.length;
  while (rest >= count) { rest -= count; count *= NEXT.length; width += 1; }
  let name = '';
  for (let i = 1; i < width; i += 1) { name = NEXT[rest % NEXT.length] + name; rest = Math.floor(rest / NEXT.length); }
  return FIRST[rest] + name;
}

/** A wasm name (length and UTF-8 bytes) at `at`: [text, next offset]. */
function readName(bytes, at) {
  const [length, start] = leb(bytes, at);
  return [new TextDecoder().decode(bytes.subarray(start, start + length)), start + length];
}

/** A wasm name's bytes. */
function nameBytes(text) {
  const encoded = new TextEncoder().encode(text);
  return [...lebBytes(encoded.length), ...encoded];
}

/** The import section's body with short names: [bytes, { module: [old, new], imports: Map }]. */
function renameImports(bytes, start) {
  let [count, at] = leb(bytes, start);
  const out = [...lebBytes(count)];
  const imports = new Map();
  let module = null;
  for (let i = 0; i < count; i += 1) {
    const [moduleName, p] = readName(bytes, at);
    const [name, q] = readName(bytes, p);
    if (module !== null && moduleName !== module) throw new Error(`imports from two modules: ${module}, ${moduleName}`);
    module = moduleName;
    const end = importEnd(bytes, bytes[q], q + 1);
    const short = shortName(i);
    if (imports.has(name)) throw new Error(`import ${name} twice`);
    imports.set(name, short);
    out.push(...nameBytes('a'), ...nameBytes(short), ...bytes.subarray(q, end));
    at = end;
  }
  return [out, { module: [module, 'a'], imports }];
}

/** The export section's body with short names: [bytes, Map of the names]. */
function renameExports(bytes, start) {
  let [count, at] = leb(bytes, start);
  const out = [...lebBytes(count)];
  const exports = new Map();
  for (let i = 0; i < count; i += 1) {
    const [name, p] = readName(bytes, at);
    const end = leb(bytes, p + 1)[1];
    const short = shortName(i);
    exports.set(name, short);
    out.push(...nameBytes(short), ...bytes.subarray(p, end));
    at = end;
  }
  return [out, exports];
}

/** `wasm` with short import and export names, and the names: { module, imports, exports }. */
export function shortNames(wasm) {
  const parts = [wasm.subarray(0, 8)];
  const names = { module: null, imports: new Map(), exports: new Map() };
  for (const { id, at, start, end } of sectionsOf(wasm)) {
    let body = null;
    if (id === 2) [body, { module: names.module, imports: names.imports }] = renameImports(wasm, start);
    else if (id === 7) [body, names.exports] = renameExports(wasm, start);
    parts.push(body ? Uint8Array.from([id, ...lebBytes(body.length), ...body]) : wasm.subarray(at, end));
  }
  return [Buffer.concat(parts), names];
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** wasm-bindgen's JS for the wasm, with the names `shortNames` gave it. */
export function renameInJs(js, { module, imports, exports }) {
  const replace = (pattern, by, expected) => {
    let found = 0;
    js = js.replace(pattern, (...match) => { found += 1; return typeof by === 'function' ? by(...match) : by; });
    if (expected !== undefined && found !== expected) throw new Error(`${pattern}: found ${found} times, expected ${expected}`);
  };
  if (module) replace(new RegExp(`^(\\s*)${escape(JSON.stringify(module[0]))}: import0,$`, 'm'), (_, indent) => `${indent}"${module[1]}": import0,`, 1);
  // The imports object's keys: `NAME: function(`, and the name nowhere else.
  for (const [name, short] of imports) {
    if (js.match(new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`, 'g'))?.length !== 1) {
      throw new Error(`import ${name}: not once in the JS`);
    }
    replace(new RegExp(`(?<=^\\s*)${escape(name)}(?=: function\\()`, 'm'), short, 1);
  }
  for (const [name, short] of exports) replace(new RegExp(`(?<![\\w$])wasm\\.${escape(name)}(?![\\w$])`, 'g'), `wasm.${short}`);
  return js;
}
