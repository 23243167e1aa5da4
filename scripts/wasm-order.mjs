// The order of a wasm module's functions in its code section, chosen for gzip: deflate finds
// repeats only within the last 32 KB, so code that looks alike should sit side by side. Sorting
// the functions by name (wasm-opt --reorder-functions-by-name) keeps each crate's and module's
// code together; this order goes further and saves 6.3 KB of the page's gzip -9 size.
//
// The order is built greedily from the first function by name. Each step looks at the 32 functions
// not yet placed that look most like the last one placed (by MinHash, over 4-byte shingles), plus
// the next one by name, and places the one that costs the fewest bits after the last 32 KB placed,
// relative to what it costs on its own. That is done four times, weighing 32, 48, 64 and 96 of the
// most alike functions: which of them is best varies from build to build by a few hundred bytes of
// gzip, with no trend, so scripts/wasm-opt.mjs finishes the module in each order and keeps the one
// `gzip -9` makes smallest (0.6 KB less on the page than 32 alone; more orders, nine from 24 to
// 128, came out worse in the one build tried). The cost of each step is an estimate of deflate's: its LZ77 matching
// (hash chains, lazy matches, as zlib's level 9 but with shorter chains) with fixed bits for
// lengths and distances, as in deflate's fixed Huffman code, and each byte coded as a literal
// costing what its frequency in all the code says (at most 12 bits). Everything is integer
// arithmetic or exactly rounded, so the order depends on the input only. Measured on the page:
// the fewest bits per byte, instead of the smallest share of its own cost, is 2.6 KB worse;
// zlib's own sizes as the costs 1.0 KB (dynamic Huffman codes) to 1.6 KB (fixed) worse, and
// twice as slow; chains of 1024 or 4096 no better.
//
// `withOrders(wasm)` returns the module in each order, with a name section that names each function
// by its rank (`o0000`, `o0001`, …); `wasm-opt --reorder-functions-by-name` then puts them in that order,
// updating every call, and `--strip-debug` drops the names (scripts/wasm-opt.mjs does both).

/** How many of the most similar functions each step weighs, in each of the orders tried. */
const CANDIDATES = [32, 48, 64, 96];
/** Shingle length and number of hash functions of the MinHash signatures. */
const SHINGLE = 4;
const HASHES = 128;
/** Deflate's window (less zlib's margin), and how many earlier positions a match search tries. */
const WINDOW = 32768 - 262;
const CHAIN = 256;
/** Costs are in 1/16 bits. */
const BIT = 16;
const MAX_LITERAL_BITS = 12;

/** Reads an unsigned LEB128 number at `at`; returns [value, next offset]. (scripts/wasm-size.mjs
 * reads with it too.) */
export function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/** The end of an import's description (after its kind byte) starting at `at`.
 * (scripts/wasm-names.mjs walks the import section with it too.) */
export function importEnd(bytes, kind, at) {
  if (kind === 0) return leb(bytes, at)[1];
  if (kind === 1 || kind === 2) {
    // A table's element type, then (tables and memories) limits: flags, minimum, maximum.
    if (kind === 1) at += 1;
    const flags = bytes[at];
    at = leb(bytes, at + 1)[1];
    return flags & 1 ? leb(bytes, at)[1] : at;
  }
  if (kind === 3) return at + 2;
  if (kind === 4) return leb(bytes, at + 1)[1];
  throw new Error(`unknown import kind ${kind}`);
}

/** How many functions the import section starting at `start` imports (they come first in the
 * function index space). (scripts/wasm-size.mjs counts them with it too.) */
export function importedFunctions(bytes, start) {
  let imported = 0;
  let [count, p] = leb(bytes, start);
  for (let i = 0; i < count; i += 1) {
    for (let s = 0; s < 2; s += 1) { const [n, q] = leb(bytes, p); p = q + n; }
    const kind = bytes[p];
    if (kind === 0) imported += 1;
    p = importEnd(bytes, kind, p + 1);
  }
  return imported;
}

/** An unsigned LEB128 number's bytes. (scripts/wasm-names.mjs writes them with it too.) */
export function lebBytes(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** The module's sections, in order: each section's id, where it starts (its id byte), where its
 * body starts and where it ends. (scripts/wasm-names.mjs and wasm-size.mjs walk them with it too.) */
export function* sectionsOf(wasm) {
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = leb(wasm, at + 1);
    yield { id, at, start, end: start + size };
    at = start + size;
  }
}

/** The module's sections ({ id, custom name, bytes with header }), imported function count and
 * function bodies (each with its size, as in the file). */
function parse(wasm) {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error('not a wasm module');
  }
  const sections = [];
  const bodies = [];
  let imported = 0;
  for (const { id, at, start, end } of sectionsOf(wasm)) {
    let custom = null;
    if (id === 0) {
      const [length, p] = leb(wasm, start);
      custom = new TextDecoder().decode(wasm.subarray(p, p + length));
    } else if (id === 2) {
      // Imports: imported functions come first in the function index space.
      imported = importedFunctions(wasm, start);
    } else if (id === 10) {
      let [count, p] = leb(wasm, start);
      for (let i = 0; i < count; i += 1) {
        const [n, q] = leb(wasm, p);
        bodies.push(wasm.subarray(p, q + n));
        p = q + n;
      }
    }
    sections.push({ id, custom, bytes: wasm.subarray(at, end) });
  }
  return { sections, imported, bodies };
}

/** FNV-1a of `length` bytes at `at`. */
function fnv(bytes, at, length) {
  let hash = 0x811c9dc5;
  for (let i = at; i < at + length; i += 1) hash = Math.imul(hash ^ bytes[i], 16777619);
  return hash >>> 0;
}

/** A 32-bit mix (lowbias32). */
function mix(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Each body's MinHash signature, HASHES numbers a body, side by side. */
function signatures(bodies) {
  const seeds = new Int32Array(HASHES);
  for (let k = 0, s = 12345; k < HASHES; k += 1) { s = (Math.imul(s, 1103515245) + 12345) | 0; seeds[k] = s; }
  const signature = new Uint32Array(bodies.length * HASHES).fill(0xffffffff);
  bodies.forEach((body, i) => {
    const shingles = new Set();
    if (body.length < SHINGLE) shingles.add(fnv(body, 0, body.length));
    for (let at = 0; at + SHINGLE <= body.length; at += 1) shingles.add(fnv(body, at, SHINGLE));
    const base = i * HASHES;
    for (const shingle of shingles) {
      for (let k = 0; k < HASHES; k += 1) {
        const value = mix(shingle ^ seeds[k]);
        if (value < signature[base + k]) signature[base + k] = value;
      }
    }
  });
  return signature;
}

/** Deflate's length codes: the first length of each, and its extra bits. */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];

/** The bits of each match length, in fixed Huffman codes (7 bits for codes 257–279, 8 above). */
const LENGTH_COST = new Int32Array(259);
for (let length = 3, code = 0; length <= 258; length += 1) {
  while (code + 1 < LENGTH_BASE.length && LENGTH_BASE[code + 1] <= length) code += 1;
  LENGTH_COST[length] = ((code < 23 ? 7 : 8) + LENGTH_EXTRA[code]) * BIT;
}

/** The bits of a match distance: a 5-bit code and its extra bits. */
function distanceCost(distance) {
  return (distance <= 4 ? 5 : 5 + 30 - Math.clz32(distance - 1)) * BIT;
}

/** The code placed so far, with hash chains over it as deflate keeps them, and what a body would
 * cost placed next. */
class Placed {
  constructor(bodies) {
    let total = 0;
    let largest = 0;
    const frequency = new Float64Array(256).fill(1);
    for (const body of bodies) {
      total += body.length;
      largest = Math.max(largest, body.length);
      for (const byte of body) frequency[byte] += 1;
    }
    this.bytes = new Uint8Array(total + largest + 2);
    this.previous = new Int32Array(total + largest + 2);
    this.head = new Int32Array(65536).fill(-1);
    this.length = 0;
    /** Positions below this one are in the hash chains. */
    this.inserted = 0;
    this.literalCost = new Int32Array(256);
    const all = total + 256;
    for (let byte = 0; byte < 256; byte += 1) {
      const bits = Math.min(MAX_LITERAL_BITS, Math.log2(all / frequency[byte]));
      this.literalCost[byte] = Math.round(bits * BIT);
    }
  }

  hash(at) {
    const b = this.bytes;
    return Math.imul((b[at] << 16) | (b[at + 1] << 8) | b[at + 2], 0x9e3779b1) >>> 16;
  }

  /** Puts the positions below `end` into the hash chains. */
  insert(end) {
    for (let at = this.inserted; at < end; at += 1) {
      const hash = this.hash(at);
      this.previous[at] = this.head[hash];
      this.head[hash] = at;
    }
    this.inserted = Math.max(this.inserted, end);
  }

  /** Takes the positions from `start` on out of the hash chains again. */
  uninsert(start) {
    for (let at = this.inserted - 1; at >= start; at -= 1) this.head[this.hash(at)] = this.previous[at];
    this.inserted = start;
  }

  /** The longest match at `at` (ending by `end`) longer than `shorter`: [length, distance], or
   * length 0. */
  match(at, end, shorter) {
    const b = this.bytes;
    const longest = Math.min(258, end - at);
    let best = shorter;
    let distance = 0;
    if (best >= longest) return [0, 0];
    let chain = shorter >= 32 ? CHAIN >> 2 : CHAIN;
    for (let from = this.head[this.hash(at)]; from >= 0 && from >= at - WINDOW && chain > 0; from = this.previous[from]) {
      chain -= 1;
      if (from >= at || b[from + best] !== b[at + best] || b[from] !== b[at] || b[from + 1] !== b[at + 1]) continue;
      let length = 2;
      while (length < longest && b[from + length] === b[at + length]) length += 1;
      if (length > best) {
        best = length;
        distance = at - from;
        if (length === longest) break;
      }
    }
    return best > shorter ? [best, distance] : [0, 0];
  }

  /** What `body` costs placed next, in 1/16 bits: deflate's lazy matching, as zlib does it. */
  cost(body) {
    const start = this.length;
    const end = start + body.length;
    this.bytes.set(body, start);
    const inserted = this.inserted;
    let bits = 0;
    // A match found at `at - 1`, kept in case the one at `at` is longer.
    let pending = 0;
    let pendingDistance = 0;
    let at = start;
    while (at < end) {
      this.insert(Math.min(at, end - 2));
      let [length, distance] = this.match(at, end, Math.max(pending, 2));
      if (length === 3 && distance > 4096) length = 0;
      if (pending > 0 && length === 0) {
        bits += LENGTH_COST[pending] + distanceCost(pendingDistance);
        at += pending - 1;
        pending = 0;
      } else {
        if (pending > 0 || length === 0) bits += this.literalCost[this.bytes[pending > 0 ? at - 1 : at]];
        if (length > 0) { pending = length; pendingDistance = distance; } else { pending = 0; }
        at += 1;
      }
    }
    if (pending > 0) bits += LENGTH_COST[pending] + distanceCost(pendingDistance);
    this.uninsert(inserted);
    return bits;
  }

  /** Places `body` next. */
  place(body) {
    this.bytes.set(body, this.length);
    this.length += body.length;
    this.insert(this.length - 2);
  }
}

/** An order of the bodies, weighing `weighed` of the most alike at each step: their indices,
 * first to last. `alone` is each body's cost on its own. */
function greedyOrder(bodies, signature, alone, weighed) {
  const count = bodies.length;
  const placed = new Placed(bodies);
  const done = new Uint8Array(count);
  const similarity = new Int32Array(count);
  const result = [0];
  done[0] = 1;
  placed.place(bodies[0]);
  for (let step = 1, last = 0; step < count; step += 1) {
    const open = [];
    for (let i = 0; i < count; i += 1) {
      if (done[i]) continue;
      let same = 0;
      for (let k = 0, a = i * HASHES, b = last * HASHES; k < HASHES; k += 1) if (signature[a + k] === signature[b + k]) same += 1;
      similarity[i] = same;
      open.push(i);
    }
    const candidates = open.sort((a, b) => similarity[b] - similarity[a] || a - b).slice(0, weighed);
    if (last + 1 < count && !done[last + 1] && !candidates.includes(last + 1)) candidates.push(last + 1);
    let best = -1;
    let bestScore = Infinity;
    for (const candidate of candidates) {
      const cost = placed.cost(bodies[candidate]);
      const score = cost / alone[candidate];
      if (score < bestScore) { bestScore = score; best = candidate; }
    }
    result.push(best);
    done[best] = 1;
    placed.place(bodies[best]);
    last = best;
  }
  return result;
}

/** The orders of the bodies, one for each of CANDIDATES: their indices, first to last. */
function orders(bodies) {
  if (bodies.length === 0) return [[]];
  const signature = signatures(bodies);
  const empty = new Placed(bodies);
  const alone = bodies.map((body) => empty.cost(body) + 1);
  return CANDIDATES.map((weighed) => greedyOrder(bodies, signature, alone, weighed));
}

/** `wasm` in each of the orders: with a name section that names its functions by their rank in
 * that order (and no other names). */
export function withOrders(wasm) {
  const { sections, imported, bodies } = parse(wasm);
  return orders(bodies).map((order) => named(wasm, sections, imported, order));
}

/** `wasm` with its functions named by their rank in `order`. */
function named(wasm, sections, imported, order) {
  const rank = new Array(order.length);
  order.forEach((body, position) => { rank[body] = position; });
  const digits = String(Math.max(0, order.length - 1)).length;
  const encoder = new TextEncoder();
  const names = lebBytes(order.length);
  rank.forEach((position, i) => {
    const name = encoder.encode(`o${String(position).padStart(digits, '0')}`);
    names.push(...lebBytes(imported + i), ...lebBytes(name.length), ...name);
  });
  const payload = [...lebBytes(4), ...encoder.encode('name'), 1, ...lebBytes(names.length), ...names];
  const parts = [wasm.subarray(0, 8)];
  for (const section of sections) if (section.custom !== 'name') parts.push(section.bytes);
  parts.push(Uint8Array.from([0, ...lebBytes(payload.length), ...payload]));
  return Buffer.concat(parts);
}
