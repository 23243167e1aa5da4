// The capture download: after a handshake, the ⤓ .pcap button saves socksim.pcap, a classic
// little-endian pcap (LINKTYPE_RAW) holding one record per packet the page lists, each an IPv4
// packet between the two hosts.
import { readFile } from 'node:fs/promises';
import { expectCount, test } from '../harness.mjs';
import { expectNoPanic, handshake, ladderArrows, openApp, setPlaying, SPEED } from './lib/socksim.mjs';

/** Parses a classic pcap: its header fields and records ({ seconds, micros, bytes }). */
function parsePcap(buffer) {
  const header = {
    magic: buffer.subarray(0, 4).toString('hex'),
    major: buffer.readUInt16LE(4),
    minor: buffer.readUInt16LE(6),
    snaplen: buffer.readUInt32LE(16),
    linktype: buffer.readUInt32LE(20),
  };
  const records = [];
  for (let at = 24; at < buffer.length;) {
    if (at + 16 > buffer.length) throw new Error(`truncated record header at byte ${at} of ${buffer.length}`);
    const captured = buffer.readUInt32LE(at + 8);
    const wire = buffer.readUInt32LE(at + 12);
    if (captured !== wire) throw new Error(`record at ${at}: captured ${captured} ≠ on the wire ${wire}`);
    if (at + 16 + captured > buffer.length) throw new Error(`truncated record at byte ${at}`);
    records.push({ seconds: buffer.readUInt32LE(at), micros: buffer.readUInt32LE(at + 4),
      bytes: buffer.subarray(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return { header, records };
}

const ip = (bytes, at) => [...bytes.subarray(at, at + 4)].join('.');

test('70-pcap: the capture downloads as a pcap of the handshake', async ({ page, baseUrl, screenshot }) => {
  await openApp(page, baseUrl, { speed: SPEED.realtime });
  await handshake(page);
  await setPlaying(page, false);
  await expectCount(page.locator('#app[data-in-flight="0"]'), 1, 5_000);
  const packets = await ladderArrows(page);

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.locator('button[data-action="pcap"]').click(),
  ]);
  if (download.suggestedFilename() !== 'socksim.pcap') {
    throw new Error(`the capture should be saved as socksim.pcap, not ${download.suggestedFilename()}`);
  }
  const bytes = await readFile(await download.path());
  if (bytes.length <= 24) throw new Error(`the capture holds only ${bytes.length} bytes (the header is 24)`);
  const { header, records } = parsePcap(bytes);
  if (header.magic !== 'd4c3b2a1') throw new Error(`pcap magic should be d4 c3 b2 a1, is ${header.magic}`);
  if (header.major !== 2 || header.minor !== 4) throw new Error(`pcap version should be 2.4, is ${header.major}.${header.minor}`);
  if (header.linktype !== 101) throw new Error(`link type should be 101 (raw IP), is ${header.linktype}`);

  // One record per packet on the ladder, each an IPv4/TCP packet between the two hosts, in time order.
  if (records.length !== packets.length || records.length < 3) {
    throw new Error(`the capture holds ${records.length} packets, the ladder shows ${packets.length}`);
  }
  let last = 0;
  for (const [index, { seconds, micros, bytes: packet }] of records.entries()) {
    const time = seconds * 1e6 + micros;
    if (time < last) throw new Error(`record ${index} is older than the one before it`);
    last = time;
    if (packet[0] >> 4 !== 4) throw new Error(`record ${index} is not IPv4 (first byte ${packet[0]})`);
    if (packet[9] !== 6) throw new Error(`record ${index} is not TCP (protocol ${packet[9]})`);
    const ends = [ip(packet, 12), ip(packet, 16)].sort().join(' ');
    if (ends !== '10.0.0.1 10.0.0.2') throw new Error(`record ${index} goes between ${ends}`);
  }
  // The first record is the client's SYN to port 80.
  const syn = records[0].bytes;
  const tcp = (syn[0] & 0x0f) * 4;
  const flags = syn[tcp + 13];
  if (ip(syn, 12) !== '10.0.0.1' || syn.readUInt16BE(tcp + 2) !== 80 || (flags & 0x12) !== 0x02) {
    throw new Error(`the first record should be 10.0.0.1's SYN to port 80 (flags ${flags.toString(16)})`);
  }
  await expectNoPanic(page);
  await screenshot('70-pcap');
});
