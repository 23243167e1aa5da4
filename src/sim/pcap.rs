//! The trace as a classic pcap file, for Wireshark and tshark.
//!
//! Classic pcap (not pcapng), microsecond timestamps taken from the virtual clock, link type
//! `LINKTYPE_RAW` (101): each record is the bare IPv4 packet a host transmitted, checksums and all.

use super::trace::Trace;

const MAGIC: u32 = 0xa1b2_c3d4;
const VERSION_MAJOR: u16 = 2;
const VERSION_MINOR: u16 = 4;
const SNAPLEN: u32 = 65_535;
const LINKTYPE_RAW: u32 = 101;

/// Writes the packets of `trace`, oldest first, each at the time it was sent.
pub fn write(trace: &Trace) -> Vec<u8> {
    let mut out = Vec::with_capacity(24 + trace.records().map(|r| 16 + r.bytes.len()).sum::<usize>());
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&VERSION_MAJOR.to_le_bytes());
    out.extend_from_slice(&VERSION_MINOR.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes()); // thiszone: timestamps are UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
    for record in trace.records() {
        let micros = record.sent_at.total_micros().max(0) as u64;
        let len = record.bytes.len() as u32;
        out.extend_from_slice(&((micros / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((micros % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes()); // captured length
        out.extend_from_slice(&len.to_le_bytes()); // length on the wire
        out.extend_from_slice(&record.bytes);
    }
    out
}
