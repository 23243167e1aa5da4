//! The pcap files socksim writes, opened by a real dissector: tshark reads every lesson's capture
//! with IP, TCP and UDP checksum validation on, finds no malformed packet and no bad checksum, and
//! decodes each frame as the trace describes it (addresses, ports, sequence numbers, flags, lengths,
//! times).
//!
//! tshark must be installed (`bash scripts/setup.sh` installs it; on Debian `apt-get install -y
//! tshark`). Without it these tests fail, unless `SOCKSIM_SKIP_TSHARK=1` says to skip them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use socksim::scenario::library::BUILT_IN;
use socksim::scenario::Player;
use socksim::sim::*;

const INSTALL: &str = "install it with `bash scripts/setup.sh` (on Debian: `apt-get install -y tshark`), \
                       or set SOCKSIM_SKIP_TSHARK=1 to skip the tshark tests";

/// Whether to run: `false` only when SOCKSIM_SKIP_TSHARK=1; a missing tshark otherwise fails.
fn tshark_available() -> bool {
    if std::env::var("SOCKSIM_SKIP_TSHARK").is_ok_and(|value| value == "1") {
        eprintln!("SOCKSIM_SKIP_TSHARK=1: not checking the pcap with tshark");
        return false;
    }
    match Command::new("tshark").arg("--version").output() {
        Ok(output) if output.status.success() => true,
        Ok(output) => panic!(
            "`tshark --version` failed ({}): {}; {INSTALL}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) => panic!("tshark is not installed ({error}); {INSTALL}"),
    }
}

/// A pcap in the temporary directory, removed when dropped.
struct TempPcap(PathBuf);

impl TempPcap {
    fn new(name: &str, bytes: &[u8]) -> Self {
        // Unique on the machine: the process id, and a counter within the process.
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let file = format!("socksim-{name}-{}-{}.pcap", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(file);
        std::fs::write(&path, bytes).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        TempPcap(path)
    }
}

impl Drop for TempPcap {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Validate every checksum tshark can, and resolve no names. Lesson 11's resolver speaks a toy
/// text protocol on UDP 53 (real DNS messages are binary), so port 53 is read as plain data.
const CHECKS: &[&str] = &[
    "-n",
    "-d",
    "udp.port==53,data",
    "-o",
    "ip.check_checksum:TRUE",
    "-o",
    "tcp.check_checksum:TRUE",
    "-o",
    "udp.check_checksum:TRUE",
];

/// Runs tshark on `file`; returns its standard output (its standard error, where it warns about
/// running as root, is shown only when it fails).
fn tshark(file: &Path, args: &[&str]) -> String {
    let output = Command::new("tshark")
        .args(CHECKS)
        .arg("-r")
        .arg(file)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run tshark ({error}); {INSTALL}"));
    assert!(
        output.status.success(),
        "tshark {args:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("tshark writes UTF-8")
}

/// The fields read for each frame, in this order.
const FIELDS: &[&str] = &[
    "frame.number",
    "frame.time_epoch",
    "frame.len",
    "frame.protocols",
    "_ws.col.Protocol",
    "ip.src",
    "ip.dst",
    "ip.len",
    "ip.proto",
    "ip.checksum.status",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.flags.syn",
    "tcp.flags.ack",
    "tcp.flags.fin",
    "tcp.flags.reset",
    "tcp.flags.push",
    "tcp.checksum.status",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "udp.checksum.status",
    "tcp.analysis.retransmission",
    "tcp.analysis.duplicate_ack",
    "_ws.expert.message",
];

/// One frame as tshark decoded it: field name to value ("" when absent).
struct Frame(Vec<(&'static str, String)>);

impl Frame {
    fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, value)| value.as_str())
            .unwrap_or_else(|| panic!("{field} is not among the fields read"))
    }

    fn number<T: std::str::FromStr>(&self, field: &str) -> T {
        let value = self.get(field);
        value.parse().unwrap_or_else(|_| panic!("{field} = {value:?} is not a number"))
    }

    /// A boolean field: tshark 4.0 writes 1/0, later versions True/False.
    fn flag(&self, field: &str) -> bool {
        match self.get(field) {
            "1" | "True" | "true" => true,
            "0" | "False" | "false" | "" => false,
            other => panic!("{field} = {other:?} is not a boolean"),
        }
    }

    /// Whether a field that is there or not (like `tcp.analysis.retransmission`) is there.
    fn has(&self, field: &str) -> bool {
        !self.get(field).is_empty()
    }

    /// A checksum status tshark validated as good (1; later versions may write "Good").
    fn good(&self, field: &str) -> bool {
        matches!(self.get(field), "1" | "Good")
    }
}

fn frames(file: &Path) -> Vec<Frame> {
    let mut args = vec!["-T", "fields", "-E", "separator=\t", "-E", "occurrence=f", "-E", "quote=n"];
    for field in FIELDS {
        args.extend(["-e", field]);
    }
    tshark(file, &args)
        .lines()
        .map(|line| {
            let values: Vec<&str> = line.split('\t').collect();
            assert_eq!(
                values.len(),
                FIELDS.len(),
                "tshark wrote {} fields, not {}: {line}",
                values.len(),
                FIELDS.len()
            );
            Frame(FIELDS.iter().copied().zip(values.into_iter().map(String::from)).collect())
        })
        .collect()
}

/// Frames tshark finds malformed, or with a bad IP, TCP or UDP checksum: one line each.
fn broken_frames(file: &Path) -> Vec<String> {
    let filter = r#"_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad""#;
    tshark(file, &["-Y", filter]).lines().map(String::from).collect()
}

/// Plays a lesson, writes its pcap and has tshark check it frame by frame against the trace.
/// Returns the player and the frames.
fn check_lesson(id: &str) -> (Player, Vec<Frame>) {
    let player = play_lesson(id, None);
    let trace = player.network().trace();
    let pcap = TempPcap::new(id, &pcap::write(trace));

    let broken = broken_frames(&pcap.0);
    assert!(broken.is_empty(), "{id}: tshark finds malformed frames or bad checksums:\n{}", broken.join("\n"));

    let frames = frames(&pcap.0);
    assert_eq!(frames.len(), trace.len(), "{id}: tshark reads {} frames, the trace has {}", frames.len(), trace.len());
    assert!(!frames.is_empty(), "{id}: no packets");
    for (index, (frame, record)) in frames.iter().zip(trace.records()).enumerate() {
        let summary = &record.summary;
        let what = format!("{id} frame {} ({})", index + 1, summary.describe());
        assert_eq!(frame.number::<usize>("frame.number"), index + 1, "{what}");
        let seconds: f64 = frame.number("frame.time_epoch");
        assert_eq!((seconds * 1e6).round() as i64, record.sent_at.total_micros(), "{what}: time");
        assert_eq!(frame.number::<usize>("frame.len"), record.bytes.len(), "{what}: length");
        assert!(frame.get("frame.protocols").starts_with("raw:ip"), "{what}: {}", frame.get("frame.protocols"));
        assert_eq!(frame.get("ip.src"), summary.src.ip().to_string(), "{what}: source");
        assert_eq!(frame.get("ip.dst"), summary.dst.ip().to_string(), "{what}: destination");
        assert_eq!(frame.number::<usize>("ip.len"), record.bytes.len(), "{what}: IP total length");
        assert!(frame.good("ip.checksum.status"), "{what}: IP checksum {:?}", frame.get("ip.checksum.status"));
        match &summary.transport {
            Transport::Tcp { flags, seq, ack, .. } => {
                // The protocol column names the application (HTTP, SMTP) when tshark knows it.
                assert!(frame.get("frame.protocols").starts_with("raw:ip:tcp"), "{what}");
                assert_eq!(frame.number::<u8>("ip.proto"), 6, "{what}");
                assert_eq!(frame.number::<u16>("tcp.srcport"), summary.src.port(), "{what}");
                assert_eq!(frame.number::<u16>("tcp.dstport"), summary.dst.port(), "{what}");
                assert_eq!(frame.number::<u32>("tcp.seq_raw"), *seq, "{what}: sequence number");
                if flags.ack {
                    assert_eq!(frame.number::<u32>("tcp.ack_raw"), *ack, "{what}: acknowledgement number");
                }
                assert_eq!(frame.number::<usize>("tcp.len"), summary.payload_len, "{what}: payload");
                let seen = (
                    frame.flag("tcp.flags.syn"),
                    frame.flag("tcp.flags.ack"),
                    frame.flag("tcp.flags.fin"),
                    frame.flag("tcp.flags.reset"),
                    frame.flag("tcp.flags.push"),
                );
                assert_eq!(seen, (flags.syn, flags.ack, flags.fin, flags.rst, flags.psh), "{what}: flags");
                assert!(
                    frame.good("tcp.checksum.status"),
                    "{what}: TCP checksum {:?}",
                    frame.get("tcp.checksum.status")
                );
            }
            Transport::Udp => {
                assert_eq!(frame.number::<u8>("ip.proto"), 17, "{what}");
                assert!(frame.get("frame.protocols").starts_with("raw:ip:udp"), "{what}");
                assert_eq!(frame.number::<u16>("udp.srcport"), summary.src.port(), "{what}");
                assert_eq!(frame.number::<u16>("udp.dstport"), summary.dst.port(), "{what}");
                assert_eq!(frame.number::<usize>("udp.length"), summary.payload_len + 8, "{what}: UDP length");
                assert!(
                    frame.good("udp.checksum.status"),
                    "{what}: UDP checksum {:?}",
                    frame.get("udp.checksum.status")
                );
            }
            Transport::Icmp { .. } => assert_eq!(frame.number::<u8>("ip.proto"), 1, "{what}"),
            Transport::Other { number } => assert_eq!(frame.number::<u8>("ip.proto"), *number, "{what}"),
        }
    }
    (player, frames)
}

#[test]
fn lesson_01_handshake_data_and_fin_as_tshark_reads_them() {
    if !tshark_available() {
        return;
    }
    let (_, frames) = check_lesson("01-hello-server");
    let flags = |frame: &Frame| {
        (
            frame.flag("tcp.flags.syn"),
            frame.flag("tcp.flags.ack"),
            frame.flag("tcp.flags.fin"),
            frame.flag("tcp.flags.reset"),
        )
    };
    assert_eq!(flags(&frames[0]), (true, false, false, false), "frame 1 is the SYN");
    assert_eq!(flags(&frames[1]), (true, true, false, false), "frame 2 is the SYN-ACK");
    assert_eq!(flags(&frames[2]), (false, true, false, false), "frame 3 is the ACK");
    assert_eq!(frames[2].number::<usize>("tcp.len"), 0, "the handshake's ACK carries no data");
    // The SYN-ACK answers the SYN, and the ACK answers the SYN-ACK, in raw sequence numbers.
    let seq = |frame: &Frame| frame.number::<u32>("tcp.seq_raw");
    let ack = |frame: &Frame| frame.number::<u32>("tcp.ack_raw");
    assert_eq!(ack(&frames[1]), seq(&frames[0]).wrapping_add(1));
    assert_eq!(ack(&frames[2]), seq(&frames[1]).wrapping_add(1));
    assert!(
        frames[0].get("_ws.expert.message").contains("SYN"),
        "tshark names the SYN: {:?}",
        frames[0].get("_ws.expert.message")
    );
    assert!(frames.iter().any(|frame| frame.number::<usize>("tcp.len") > 0), "the server's line is data");
    let fins: Vec<&str> =
        frames.iter().filter(|frame| frame.flag("tcp.flags.fin")).map(|frame| frame.get("ip.src")).collect();
    assert!(fins.contains(&"10.0.0.1") && fins.contains(&"10.0.0.2"), "both sides send a FIN: {fins:?}");
}

#[test]
fn lesson_04_datagrams_and_a_retransmitted_syn_as_tshark_reads_them() {
    if !tshark_available() {
        return;
    }
    let (player, frames) = check_lesson("04-uppercase-udp");
    let trace = player.network().trace();
    let udp_records = trace.records().filter(|record| record.summary.kind == PacketKind::Udp).count();
    let udp_frames = frames.iter().filter(|frame| frame.get("frame.protocols").starts_with("raw:ip:udp")).count();
    assert!(udp_records >= 6, "the lesson sends at least six datagrams");
    assert_eq!(udp_frames, udp_records, "tshark sees every datagram");
    // The lossy link loses a SYN, and tshark recognises the one sent again.
    let syns = trace.records().filter(|record| record.summary.kind == PacketKind::Syn).count();
    let retransmitted = frames.iter().filter(|frame| frame.has("tcp.analysis.retransmission")).count();
    assert!(syns > 1 && retransmitted > 0, "{syns} SYNs, {retransmitted} frames tshark calls retransmissions");
}

#[test]
fn lesson_07_reordered_letters_and_their_repair_as_tshark_reads_them() {
    if !tshark_available() {
        return;
    }
    let (player, frames) = check_lesson("07-letters-out-of-order");
    let trace = player.network().trace();
    assert!(
        trace.records().any(|record| matches!(record.fate, Fate::DroppedByHand { .. })),
        "the lesson drops a data segment"
    );
    let duplicate_acks = frames.iter().filter(|frame| frame.has("tcp.analysis.duplicate_ack")).count();
    let retransmissions = frames.iter().filter(|frame| frame.has("tcp.analysis.retransmission")).count();
    assert!(duplicate_acks > 0, "tshark sees the receiver's duplicate ACKs");
    assert!(retransmissions > 0, "tshark sees the dropped segment sent again");
}

#[test]
fn every_built_in_lesson_is_a_clean_capture() {
    if !tshark_available() {
        return;
    }
    for lesson in BUILT_IN {
        check_lesson(lesson.id);
    }
}

/// The check for bad checksums must be able to fail: a capture with one corrupted TCP checksum
/// is caught.
#[test]
fn a_corrupted_checksum_is_caught() {
    if !tshark_available() {
        return;
    }
    let player = play_lesson("01-hello-server", None);
    let mut bytes = pcap::write(player.network().trace());
    // The file header is 24 bytes and a record header 16; the first packet's TCP checksum is at
    // offset 16 of its TCP header, after a 20-byte IP header.
    let checksum = 24 + 16 + 20 + 16;
    bytes[checksum] ^= 0xff;
    let pcap = TempPcap::new("corrupted", &bytes);
    let broken = broken_frames(&pcap.0);
    assert_eq!(broken.len(), 1, "tshark flags exactly the corrupted frame: {broken:?}");
}
