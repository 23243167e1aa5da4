//! One packet taken apart, as a packet inspector's detail and bytes panes show it.
//!
//! [`dissect`] reads a raw IPv4 packet (the bytes of a [`PacketRecord`](super::PacketRecord)) with
//! `smoltcp::wire` into [`Layer`]s of named [`Field`]s, each with the bytes it occupies so the page
//! can highlight them in the [`hex_rows`]. A truncated or malformed packet never panics: whatever
//! parses is shown, then a last layer named `"Malformed"` says what is wrong.

use std::ops::Range;

use serde::Serialize;
use smoltcp::wire::{
    Icmpv4DstUnreachable, Icmpv4Message, Icmpv4Packet, Icmpv4TimeExceeded, IpProtocol, Ipv4Address, Ipv4Packet,
    TcpOption, TcpPacket, UdpPacket, IPV4_HEADER_LEN, TCP_HEADER_LEN, UDP_HEADER_LEN,
};

/// How many bytes a [`HexRow`] shows.
pub const HEX_ROW_LEN: usize = 16;

/// How many payload bytes the payload layer previews.
const PREVIEW_LEN: usize = 64;

/// The fixed part of an ICMP header: type, code, checksum and four type-specific bytes.
const ICMP_HEADER_LEN: usize = 8;

/// One protocol's part of a packet, a top-level line of the detail pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// `"IPv4"`, `"TCP"`, `"UDP"`, `"ICMP"`, `"Payload"` or `"Malformed"`.
    pub name: &'static str,
    /// The layer in one line: `10.0.0.1 → 10.0.0.2`, `49152 → 80 [PSH, ACK], Seq=1, Ack=1, Win=512, Len=5`.
    pub summary: String,
    pub fields: Vec<Field>,
    /// The bytes of the packet the layer occupies.
    pub range: Range<usize>,
}

/// One header field, or one problem of a `"Malformed"` layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: &'static str,
    /// The value in words: `0x1a2b (6699)`, `0x012 (SYN, ACK)`.
    pub value: String,
    /// The bytes of the packet the field occupies, to highlight in the hex view.
    pub range: Range<usize>,
}

/// One line of the bytes pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HexRow {
    /// The first byte's offset as four hex digits: `0010`.
    pub offset: String,
    /// The bytes of the packet the row shows.
    pub range: Range<usize>,
    /// Each byte as two lowercase hex digits.
    pub hex: Vec<String>,
    /// Each byte as itself when it is printable ASCII, else `.`.
    pub ascii: String,
}

/// Takes a raw IPv4 packet apart into its layers, outermost first. Out of line, so that its
/// code is counted as the engine's, not the inspector's, in the page's size reports.
#[inline(never)]
pub fn dissect(bytes: &[u8]) -> Vec<Layer> {
    let mut dissection = Dissection::default();
    dissection.ipv4(bytes);
    dissection.finish()
}

/// Lays the bytes out [`HEX_ROW_LEN`] to a row, as a hex dump does.
pub fn hex_rows(bytes: &[u8]) -> Vec<HexRow> {
    let mut rows = Vec::new();
    for (row, chunk) in bytes.chunks(HEX_ROW_LEN).enumerate() {
        let start = row * HEX_ROW_LEN;
        let mut hex = Vec::new();
        let mut ascii = String::new();
        for &byte in chunk {
            hex.push(format!("{byte:02x}"));
            ascii.push(printable(byte));
        }
        rows.push(HexRow { offset: format!("{start:04x}"), range: start..start + chunk.len(), hex, ascii });
    }
    rows
}

/// The layers found so far and what is wrong with the packet.
#[derive(Default)]
struct Dissection {
    layers: Vec<Layer>,
    problems: Vec<Field>,
}

/// A layer's fields, kept only when the packet holds their bytes.
struct Fields {
    /// Where the layer starts in the packet.
    base: usize,
    /// How many of the layer's bytes the packet holds.
    len: usize,
    list: Vec<Field>,
}

/// How a [`Spec`]'s value is written.
#[derive(Clone, Copy)]
enum Style {
    /// The number: `64`.
    Number,
    /// A length: `20 bytes`.
    Bytes,
    /// In hex, then in decimal: `0x1a2b (6699)`.
    Hex,
    /// An IPv4 address: `10.0.0.1`.
    Address,
}

/// A header field that is a number: the bytes from `start` to `read_end` (past `end` when the
/// field shares a 16-bit word), read big-endian, shifted right by `shift`, masked with `mask` and
/// multiplied by `scale`. Tables of them take the place of a closure a field.
struct Spec {
    name: &'static str,
    start: u8,
    end: u8,
    read_end: u8,
    shift: u8,
    scale: u8,
    style: Style,
    mask: u32,
}

impl Spec {
    /// The field of the bytes from `start` to `end`, read whole.
    const fn new(name: &'static str, start: u8, end: u8, style: Style) -> Self {
        Spec { name, start, end, read_end: end, shift: 0, scale: 1, style, mask: u32::MAX }
    }

    /// The same field, read from the bytes up to `read_end`, then shifted, masked and scaled.
    const fn bits(self, read_end: u8, shift: u8, mask: u32, scale: u8) -> Self {
        Spec { read_end, shift, mask, scale, ..self }
    }
}

const IPV4_START: [Spec; 2] = [
    Spec::new("Version", 0, 1, Style::Number).bits(1, 4, 0xf, 1),
    Spec::new("Header length", 0, 1, Style::Bytes).bits(1, 0, 0xf, 4),
];
const IPV4_LENGTH: [Spec; 2] =
    [Spec::new("Total length", 2, 4, Style::Bytes), Spec::new("Identification", 4, 6, Style::Hex)];
const IPV4_FRAGMENT: [Spec; 2] = [
    Spec::new("Fragment offset", 6, 8, Style::Bytes).bits(8, 0, 0x1fff, 8),
    Spec::new("Time to live", 8, 9, Style::Number),
];
const IPV4_ADDRESSES: [Spec; 2] =
    [Spec::new("Source", 12, 16, Style::Address), Spec::new("Destination", 16, 20, Style::Address)];
const TCP_START: [Spec; 3] = [
    Spec::new("Source port", 0, 2, Style::Number),
    Spec::new("Destination port", 2, 4, Style::Number),
    Spec::new("Sequence number", 4, 8, Style::Number),
];
const TCP_HEADER_LENGTH: [Spec; 1] = [Spec::new("Header length", 12, 13, Style::Bytes).bits(14, 12, 0xf, 4)];
const TCP_WINDOW: [Spec; 1] = [Spec::new("Window", 14, 16, Style::Number)];
const TCP_URGENT: [Spec; 1] = [Spec::new("Urgent pointer", 18, 20, Style::Number)];
const UDP_START: [Spec; 3] = [
    Spec::new("Source port", 0, 2, Style::Number),
    Spec::new("Destination port", 2, 4, Style::Number),
    Spec::new("Length", 4, 6, Style::Bytes),
];
const ICMP_ECHO: [Spec; 2] =
    [Spec::new("Identifier", 4, 6, Style::Number), Spec::new("Sequence number", 6, 8, Style::Number)];

/// The IPv4 flags, as [`words`] takes them.
const IPV4_FLAGS: [(u16, &str); 2] = [(0x4000, "Don't fragment"), (0x2000, "More fragments")];

/// The nine TCP flags in Wireshark's order and spelling, FIN the lowest bit.
const TCP_FLAGS: [(u16, &str); 9] = [
    (0x001, "FIN"),
    (0x002, "SYN"),
    (0x004, "RST"),
    (0x008, "PSH"),
    (0x010, "ACK"),
    (0x020, "URG"),
    (0x040, "ECE"),
    (0x080, "CWR"),
    (0x100, "NS"),
];

impl Fields {
    fn new(base: usize, len: usize) -> Self {
        Fields { base, len, list: Vec::new() }
    }

    /// Adds a field at `range` (from the layer's start) when the packet holds all of it. `value` is
    /// only called then, so smoltcp's accessors never read past the end.
    fn add(&mut self, name: &'static str, range: Range<usize>, value: impl FnOnce() -> String) {
        self.add_reading(name, range.clone(), range.end, value);
    }

    /// Adds a field whose value smoltcp reads from the bytes up to `read_end`, past its own: a flag
    /// or length that shares a 16-bit word.
    fn add_reading(
        &mut self,
        name: &'static str,
        range: Range<usize>,
        read_end: usize,
        value: impl FnOnce() -> String,
    ) {
        if range.end.max(read_end) <= self.len {
            self.push(name, range, value());
        }
    }

    /// Adds a field whose value is read: out of line, so that the dozens of fields share it.
    #[inline(never)]
    fn push(&mut self, name: &'static str, range: Range<usize>, value: String) {
        let range = self.base + range.start..self.base + range.end;
        self.list.push(Field { name, value, range });
    }

    /// Adds the fields of `table` the packet holds, their values read from the layer's `bytes`.
    fn add_table(&mut self, bytes: &[u8], table: &[Spec]) {
        for spec in table {
            let (start, end, read_end) = (usize::from(spec.start), usize::from(spec.end), usize::from(spec.read_end));
            if read_end > self.len {
                continue;
            }
            let raw = bytes[start..read_end].iter().fold(0, |raw, &byte| raw << 8 | u32::from(byte));
            let value = (raw >> spec.shift & spec.mask) * u32::from(spec.scale);
            let text = match spec.style {
                Style::Number => value.to_string(),
                Style::Bytes => format!("{value} bytes"),
                Style::Hex => format!("0x{value:04x} ({value})"),
                Style::Address => Ipv4Address::from_bits(value).to_string(),
            };
            self.push(spec.name, start..end, text);
        }
    }

    /// The layer's bytes in the packet, from its start to `end` (or to the last byte there is).
    fn range(&self, end: usize) -> Range<usize> {
        self.base..self.base + end.min(self.len)
    }
}

impl Dissection {
    /// Notes what is wrong with the bytes at `range` (from the packet's start).
    fn problem(&mut self, range: Range<usize>, text: String) {
        self.problems.push(Field { name: "Problem", value: text, range });
    }

    fn push(&mut self, name: &'static str, summary: String, fields: Fields, range: Range<usize>) {
        self.layers.push(Layer { name, summary, fields: fields.list, range });
    }

    fn finish(mut self) -> Vec<Layer> {
        if !self.problems.is_empty() {
            let (mut start, mut end) = (usize::MAX, 0);
            let mut summary = String::new();
            for problem in &self.problems {
                start = start.min(problem.range.start);
                end = end.max(problem.range.end);
                append(&mut summary, "; ", &problem.value);
            }
            self.layers.push(Layer { name: "Malformed", summary, fields: self.problems, range: start..end });
        }
        self.layers
    }

    fn ipv4(&mut self, bytes: &[u8]) {
        let len = bytes.len();
        let ip = Ipv4Packet::new_unchecked(bytes);
        let mut fields = Fields::new(0, len);
        fields.add_table(bytes, &IPV4_START);
        fields.add("DSCP/ECN", 1..2, || {
            let (dscp, ecn) = (ip.dscp(), ip.ecn());
            format!("0x{:02x} (DSCP {dscp}, ECN {ecn})", (dscp << 2) | ecn)
        });
        fields.add_table(bytes, &IPV4_LENGTH);
        fields.add_reading("Flags", 6..7, 8, || words(u16::from_be_bytes([bytes[6], bytes[7]]), &IPV4_FLAGS));
        fields.add_table(bytes, &IPV4_FRAGMENT);
        fields.add("Protocol", 9..10, || match ip.next_header() {
            IpProtocol::Unknown(number) => format!("unknown ({number})"),
            protocol => format!("{protocol} ({})", u8::from(protocol)),
        });
        let header_len = if bytes.is_empty() { 0 } else { usize::from(ip.header_len()) };
        fields.add("Header checksum", 10..12, || {
            let whole = (IPV4_HEADER_LEN..=len).contains(&header_len);
            checksum(ip.checksum(), whole.then(|| ip.verify_checksum()))
        });
        fields.add_table(bytes, &IPV4_ADDRESSES);
        if header_len > IPV4_HEADER_LEN {
            fields.add("Options", IPV4_HEADER_LEN..header_len, || format!("{} bytes", header_len - IPV4_HEADER_LEN));
        }
        let range = fields.range(header_len.max(IPV4_HEADER_LEN));

        if len < IPV4_HEADER_LEN {
            let summary = format!("truncated header ({len} of {IPV4_HEADER_LEN} bytes)");
            self.push("IPv4", summary, fields, range);
            self.problem(0..len, format!("an IPv4 header needs {IPV4_HEADER_LEN} bytes, packet has {len}"));
            return;
        }
        let (src, dst) = (ip.src_addr(), ip.dst_addr());
        self.push("IPv4", format!("{src} → {dst}"), fields, range);
        if ip.version() != 4 {
            self.problem(0..1, format!("IP version is {}, not 4", ip.version()));
            return;
        }
        if header_len < IPV4_HEADER_LEN {
            self.problem(0..1, format!("IPv4 header length is {header_len} bytes, less than {IPV4_HEADER_LEN}"));
            return;
        }
        if len < header_len {
            self.problem(0..1, format!("IPv4 header says {header_len} bytes, packet has {len}"));
            return;
        }
        let total_len = usize::from(ip.total_len());
        if total_len < header_len {
            self.problem(
                2..4,
                format!("IPv4 total length is {total_len} bytes, less than its {header_len}-byte header"),
            );
            return;
        }
        let mut complete = true;
        if len < total_len {
            self.problem(2..4, format!("IPv4 total length says {total_len} bytes, packet has {len}"));
            complete = false;
        } else if len > total_len {
            let extra = len - total_len;
            self.problem(total_len..len, format!("{extra} bytes after the {total_len} the IPv4 total length covers"));
        }

        let payload = &bytes[header_len..total_len.min(len)];
        if ip.frag_offset() != 0 {
            // A later fragment: its bytes continue a transport segment whose header is elsewhere.
            self.payload(payload, header_len);
            return;
        }
        // The first of several fragments holds the transport header but not all it covers.
        complete &= !ip.more_frags();
        match ip.next_header() {
            IpProtocol::Tcp => self.tcp(payload, header_len, (src, dst), complete),
            IpProtocol::Udp => self.udp(payload, header_len, (src, dst), complete),
            IpProtocol::Icmp => self.icmp(payload, header_len, complete),
            _ => self.payload(payload, header_len),
        }
    }

    fn tcp(&mut self, segment: &[u8], base: usize, (src, dst): (Ipv4Address, Ipv4Address), complete: bool) {
        let len = segment.len();
        let tcp = TcpPacket::new_unchecked(segment);
        let mut fields = Fields::new(base, len);
        fields.add_table(segment, &TCP_START);
        // Whether the number means anything depends on the ACK flag, in bytes 12..14.
        fields.add_reading("Acknowledgment number", 8..12, 14, || {
            let ack = tcp.ack_number().0 as u32;
            if tcp.ack() {
                ack.to_string()
            } else {
                format!("{ack} (unused: ACK not set)")
            }
        });
        fields.add_table(segment, &TCP_HEADER_LENGTH);
        fields.add("Flags", 12..14, || {
            let flags = tcp_flags(segment);
            format!("0x{flags:03x} ({})", words(flags, &TCP_FLAGS))
        });
        fields.add_table(segment, &TCP_WINDOW);
        fields.add("Checksum", 16..18, || {
            checksum(tcp.checksum(), complete.then(|| tcp.verify_checksum(&src.into(), &dst.into())))
        });
        fields.add_table(segment, &TCP_URGENT);

        if len < TCP_HEADER_LEN {
            let summary = format!("truncated header ({len} of {TCP_HEADER_LEN} bytes)");
            self.push("TCP", summary, fields, base..base + len);
            self.problem(base..base + len, format!("a TCP header needs {TCP_HEADER_LEN} bytes, segment has {len}"));
            return;
        }
        let header_len = usize::from(tcp.header_len());
        let range = fields.range(header_len.max(TCP_HEADER_LEN));
        let length_field = base + 12..base + 13;
        if header_len < TCP_HEADER_LEN || len < header_len {
            let summary = format!("{} → {}, bad header length", tcp.src_port(), tcp.dst_port());
            self.push("TCP", summary, fields, range);
            let problem = if header_len < TCP_HEADER_LEN {
                format!("TCP header length is {header_len} bytes, less than {TCP_HEADER_LEN}")
            } else {
                format!("TCP header says {header_len} bytes, segment has {len}")
            };
            self.problem(length_field, problem);
            return;
        }
        if header_len > TCP_HEADER_LEN {
            self.tcp_options(&segment[TCP_HEADER_LEN..header_len], base + TCP_HEADER_LEN, &mut fields);
        }
        let payload = &segment[header_len..];
        let seq = tcp.seq_number().0 as u32;
        let mut summary =
            format!("{} → {} [{}], Seq={seq}", tcp.src_port(), tcp.dst_port(), words(tcp_flags(segment), &TCP_FLAGS));
        if tcp.ack() {
            summary += &format!(", Ack={}", tcp.ack_number().0 as u32);
        }
        summary += &format!(", Win={}, Len={}", tcp.window_len(), payload.len());
        self.push("TCP", summary, fields, range);
        self.payload(payload, base + header_len);
    }

    /// Lists the options one field each, after a field that sums them up.
    fn tcp_options(&mut self, options: &[u8], base: usize, fields: &mut Fields) {
        let mut list = Vec::new();
        let mut words = String::new();
        let mut rest = options;
        while !rest.is_empty() {
            let at = base + options.len() - rest.len();
            let Ok((next, option)) = TcpOption::parse(rest) else {
                self.problem(at..base + options.len(), format!("TCP option at byte {at} is malformed"));
                break;
            };
            let (name, value, word) = describe_option(option);
            list.push(Field { name, value, range: at..at + rest.len() - next.len() });
            append(&mut words, ", ", &word);
            rest = next;
            if option == TcpOption::EndOfList {
                // What follows is padding.
                break;
            }
        }
        let summary = format!("{} bytes: {words}", options.len());
        fields.list.push(Field { name: "Options", value: summary, range: base..base + options.len() });
        fields.list.extend(list);
    }

    fn udp(&mut self, datagram: &[u8], base: usize, (src, dst): (Ipv4Address, Ipv4Address), complete: bool) {
        let len = datagram.len();
        let udp = UdpPacket::new_unchecked(datagram);
        let length_ok = len >= UDP_HEADER_LEN && udp.check_len().is_ok();
        let mut fields = Fields::new(base, len);
        fields.add_table(datagram, &UDP_START);
        fields.add("Checksum", 6..8, || match udp.checksum() {
            0 => "0x0000 (none)".to_string(),
            value => checksum(value, (complete && length_ok).then(|| udp.verify_checksum(&src.into(), &dst.into()))),
        });
        let range = fields.range(UDP_HEADER_LEN);

        if len < UDP_HEADER_LEN {
            let summary = format!("truncated header ({len} of {UDP_HEADER_LEN} bytes)");
            self.push("UDP", summary, fields, range);
            self.problem(base..base + len, format!("a UDP header needs {UDP_HEADER_LEN} bytes, datagram has {len}"));
            return;
        }
        let udp_len = usize::from(udp.len());
        let length_field = base + 4..base + 6;
        if udp_len < UDP_HEADER_LEN {
            self.push("UDP", format!("{} → {}, bad length", udp.src_port(), udp.dst_port()), fields, range);
            self.problem(length_field, format!("UDP length is {udp_len} bytes, less than {UDP_HEADER_LEN}"));
            return;
        }
        let payload = &datagram[UDP_HEADER_LEN..udp_len.min(len)];
        self.push("UDP", format!("{} → {}, Len={}", udp.src_port(), udp.dst_port(), payload.len()), fields, range);
        if udp_len > len {
            self.problem(length_field, format!("UDP length says {udp_len} bytes, datagram has {len}"));
        } else if udp_len < len {
            let extra = len - udp_len;
            self.problem(
                base + udp_len..base + len,
                format!("{extra} bytes after the {udp_len} the UDP length covers"),
            );
        }
        self.payload(payload, base + UDP_HEADER_LEN);
    }

    fn icmp(&mut self, message: &[u8], base: usize, complete: bool) {
        let len = message.len();
        let icmp = Icmpv4Packet::new_unchecked(message);
        let mut fields = Fields::new(base, len);
        fields.add("Type", 0..1, || describe_icmp_type(icmp.msg_type()));
        fields.add("Code", 1..2, || match describe_icmp_code(icmp.msg_type(), icmp.msg_code()) {
            Some(words) => format!("{} ({words})", icmp.msg_code()),
            None => icmp.msg_code().to_string(),
        });
        fields.add("Checksum", 2..4, || checksum(icmp.checksum(), complete.then(|| icmp.verify_checksum())));

        if len < ICMP_HEADER_LEN {
            let summary = format!("truncated header ({len} of {ICMP_HEADER_LEN} bytes)");
            self.push("ICMP", summary, fields, base..base + len);
            self.problem(base..base + len, format!("an ICMP header needs {ICMP_HEADER_LEN} bytes, message has {len}"));
            return;
        }
        let message_type = icmp.msg_type();
        let mut summary = message_type.to_string();
        if let Some(words) = describe_icmp_code(message_type, icmp.msg_code()) {
            summary += &format!(" ({words})");
        }
        match message_type {
            Icmpv4Message::EchoRequest | Icmpv4Message::EchoReply => {
                fields.add_table(message, &ICMP_ECHO);
                summary += &format!(", id={}, seq={}", icmp.echo_ident(), icmp.echo_seq_no());
                self.push("ICMP", summary, fields, base..base + ICMP_HEADER_LEN);
                self.payload(&message[ICMP_HEADER_LEN..], base + ICMP_HEADER_LEN);
            }
            Icmpv4Message::DstUnreachable | Icmpv4Message::TimeExceeded => {
                let original = &message[ICMP_HEADER_LEN..];
                fields.add("Original datagram", ICMP_HEADER_LEN..len, || describe_original(original));
                self.push("ICMP", summary, fields, base..base + len);
            }
            _ => {
                self.push("ICMP", summary, fields, base..base + ICMP_HEADER_LEN);
                self.payload(&message[ICMP_HEADER_LEN..], base + ICMP_HEADER_LEN);
            }
        }
    }

    /// Adds the bytes a transport carries, when there are any.
    fn payload(&mut self, payload: &[u8], base: usize) {
        if payload.is_empty() {
            return;
        }
        let range = base..base + payload.len();
        let mut fields = Fields::new(base, payload.len());
        fields.add("Length", 0..payload.len(), || format!("{} bytes", payload.len()));
        fields.add("Data", 0..payload.len(), || preview(payload, PREVIEW_LEN));
        self.push("Payload", format!("{} bytes", payload.len()), fields, range);
    }
}

/// A checksum and whether it is right, when that could be worked out.
fn checksum(value: u16, valid: Option<bool>) -> String {
    let verdict = match valid {
        Some(true) => "valid",
        Some(false) => "invalid",
        None => "unverified: packet incomplete",
    };
    format!("0x{value:04x} ({verdict})")
}

/// The names of the `flags` set in `bits`, `none` when none is.
fn words(bits: u16, flags: &[(u16, &str)]) -> String {
    let mut text = String::new();
    for &(flag, name) in flags {
        if bits & flag != 0 {
            append(&mut text, ", ", name);
        }
    }
    if text.is_empty() {
        text.push_str("none");
    }
    text
}

/// Adds `word` to a list in `text`, after `separator` unless it is the first.
fn append(text: &mut String, separator: &str, word: &str) {
    if !text.is_empty() {
        text.push_str(separator);
    }
    text.push_str(word);
}

/// The nine TCP flags as one number, FIN the lowest bit.
fn tcp_flags(segment: &[u8]) -> u16 {
    u16::from_be_bytes([segment[12], segment[13]]) & 0x1ff
}

/// A TCP option's field name, its value, and a word or two for the options' summary.
fn describe_option(option: TcpOption) -> (&'static str, String, String) {
    match option {
        TcpOption::EndOfList => ("End of option list", "EOL".into(), "EOL".into()),
        TcpOption::NoOperation => ("No-operation", "NOP".into(), "NOP".into()),
        TcpOption::MaxSegmentSize(mss) => ("Maximum segment size", format!("{mss} bytes"), format!("MSS {mss}")),
        TcpOption::WindowScale(shift) => {
            let value = match 1u32.checked_shl(shift.into()) {
                Some(factor) if shift <= 14 => format!("{shift} (multiply by {factor})"),
                _ => format!("{shift} (more than the maximum 14)"),
            };
            ("Window scale", value, format!("window scale {shift}"))
        }
        TcpOption::SackPermitted => ("SACK permitted", "yes".into(), "SACK permitted".into()),
        TcpOption::SackRange(blocks) => {
            let mut text = String::new();
            for (left, right) in blocks.iter().flatten() {
                append(&mut text, ", ", &format!("{left}–{right}"));
            }
            let blocks = text;
            ("SACK", blocks.clone(), format!("SACK {blocks}"))
        }
        TcpOption::TimeStamp { tsval, tsecr } => {
            ("Timestamps", format!("TSval {tsval}, TSecr {tsecr}"), format!("timestamps {tsval}/{tsecr}"))
        }
        TcpOption::Unknown { kind, data } => {
            ("Unknown option", format!("kind {kind}, {} bytes", data.len() + 2), format!("kind {kind}"))
        }
    }
}

fn describe_icmp_type(message_type: Icmpv4Message) -> String {
    match message_type {
        Icmpv4Message::Unknown(number) => format!("{number} (unknown)"),
        known => format!("{} ({known})", u8::from(known)),
    }
}

/// The code in words, for the message types whose codes have names.
fn describe_icmp_code(message_type: Icmpv4Message, code: u8) -> Option<String> {
    match (message_type, code) {
        (Icmpv4Message::DstUnreachable, code) => match Icmpv4DstUnreachable::from(code) {
            Icmpv4DstUnreachable::Unknown(_) => None,
            known => Some(known.to_string()),
        },
        (Icmpv4Message::TimeExceeded, code) => match Icmpv4TimeExceeded::from(code) {
            Icmpv4TimeExceeded::Unknown(_) => None,
            known => Some(known.to_string()),
        },
        _ => None,
    }
}

/// Who sent what to whom, from the start of a datagram an ICMP error quotes:
/// `UDP 10.0.0.1:49152 → 10.0.0.2:9`.
fn describe_original(original: &[u8]) -> String {
    let ip = Ipv4Packet::new_unchecked(original);
    if original.len() < IPV4_HEADER_LEN || ip.version() != 4 {
        return format!("{} bytes", original.len());
    }
    let (src, dst, protocol) = (ip.src_addr(), ip.dst_addr(), ip.next_header());
    let transport = original.get(usize::from(ip.header_len())..).unwrap_or_default();
    let ports = match protocol {
        _ if transport.len() < 4 => None,
        IpProtocol::Tcp => {
            let tcp = TcpPacket::new_unchecked(transport);
            Some((tcp.src_port(), tcp.dst_port()))
        }
        IpProtocol::Udp => {
            let udp = UdpPacket::new_unchecked(transport);
            Some((udp.src_port(), udp.dst_port()))
        }
        _ => None,
    };
    match ports {
        Some((src_port, dst_port)) => format!("{protocol} {src}:{src_port} → {dst}:{dst_port}"),
        None => format!("{protocol} {src} → {dst}"),
    }
}

fn printable(byte: u8) -> char {
    match byte {
        b' '..=b'~' => byte as char,
        _ => '.',
    }
}

/// The first `limit` payload bytes, printable ASCII kept and the rest shown as `.`, then `…` when
/// there are more.
pub(super) fn preview(payload: &[u8], limit: usize) -> String {
    let mut text = String::new();
    for &byte in payload.iter().take(limit) {
        text.push(printable(byte));
    }
    if payload.len() > limit {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use smoltcp::phy::ChecksumCapabilities;
    use smoltcp::wire::{Icmpv4Repr, Ipv4Repr, TcpControl, TcpRepr, TcpSeqNumber, TcpTimestampRepr, UdpRepr};

    use super::*;

    const CLIENT: Ipv4Address = Ipv4Address::new(10, 0, 0, 1);
    const SERVER: Ipv4Address = Ipv4Address::new(10, 0, 0, 2);

    /// An IPv4 packet from the client to the server whose payload `emit` writes.
    fn ipv4(protocol: IpProtocol, payload_len: usize, emit: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let repr = Ipv4Repr { src_addr: CLIENT, dst_addr: SERVER, next_header: protocol, payload_len, hop_limit: 64 };
        let mut bytes = vec![0; repr.buffer_len() + payload_len];
        let mut packet = Ipv4Packet::new_unchecked(&mut bytes);
        repr.emit(&mut packet, &ChecksumCapabilities::default());
        emit(packet.payload_mut());
        bytes
    }

    fn tcp(repr: TcpRepr) -> Vec<u8> {
        ipv4(IpProtocol::Tcp, repr.buffer_len(), |buffer| {
            let mut packet = TcpPacket::new_unchecked(buffer);
            repr.emit(&mut packet, &CLIENT.into(), &SERVER.into(), &ChecksumCapabilities::default());
        })
    }

    fn segment(control: TcpControl, ack: Option<u32>, payload: &[u8]) -> TcpRepr<'_> {
        TcpRepr {
            src_port: 49152,
            dst_port: 80,
            control,
            seq_number: TcpSeqNumber(1000),
            ack_number: ack.map(|ack| TcpSeqNumber(ack as i32)),
            window_len: 64240,
            window_scale: None,
            max_seg_size: None,
            sack_permitted: false,
            sack_ranges: [None; 3],
            timestamp: None,
            payload,
        }
    }

    fn syn() -> Vec<u8> {
        tcp(TcpRepr {
            max_seg_size: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamp: Some(TcpTimestampRepr::new(11, 0)),
            ..segment(TcpControl::Syn, None, &[])
        })
    }

    fn data() -> Vec<u8> {
        tcp(segment(TcpControl::Psh, Some(5000), b"hello"))
    }

    fn udp() -> Vec<u8> {
        let payload = b"ping\x00";
        let repr = UdpRepr { src_port: 5353, dst_port: 9 };
        ipv4(IpProtocol::Udp, UDP_HEADER_LEN + payload.len(), |buffer| {
            let mut packet = UdpPacket::new_unchecked(buffer);
            let fill = |out: &mut [u8]| out.copy_from_slice(payload);
            repr.emit(
                &mut packet,
                &CLIENT.into(),
                &SERVER.into(),
                payload.len(),
                fill,
                &ChecksumCapabilities::default(),
            );
        })
    }

    /// The server's answer to [`udp`]: port 9 is closed.
    fn port_unreachable() -> Vec<u8> {
        let original = udp();
        let quoted = Ipv4Packet::new_unchecked(&original[..]);
        let header = Ipv4Repr::parse(&quoted, &ChecksumCapabilities::default()).unwrap();
        let repr = Icmpv4Repr::DstUnreachable {
            reason: Icmpv4DstUnreachable::PortUnreachable,
            header,
            data: &original[IPV4_HEADER_LEN..],
        };
        let mut bytes = ipv4(IpProtocol::Icmp, repr.buffer_len(), |buffer| {
            repr.emit(&mut Icmpv4Packet::new_unchecked(buffer), &ChecksumCapabilities::default());
        });
        // The reply goes the other way.
        let mut packet = Ipv4Packet::new_unchecked(&mut bytes);
        packet.set_src_addr(SERVER);
        packet.set_dst_addr(CLIENT);
        packet.fill_checksum();
        bytes
    }

    fn layer<'a>(layers: &'a [Layer], name: &str) -> &'a Layer {
        layers.iter().find(|layer| layer.name == name).unwrap_or_else(|| panic!("no {name} layer in {layers:#?}"))
    }

    fn field<'a>(layer: &'a Layer, name: &str) -> &'a Field {
        layer.fields.iter().find(|field| field.name == name).unwrap_or_else(|| panic!("no {name} in {layer:#?}"))
    }

    fn value<'a>(layer: &'a Layer, name: &str) -> &'a str {
        &field(layer, name).value
    }

    fn names(layers: &[Layer]) -> Vec<&'static str> {
        layers.iter().map(|layer| layer.name).collect()
    }

    #[test]
    fn ipv4_header_fields() {
        let mut bytes = syn();
        let mut packet = Ipv4Packet::new_unchecked(&mut bytes);
        packet.set_ident(0x1a2b);
        packet.fill_checksum();
        let layers = dissect(&bytes);
        let ip = layer(&layers, "IPv4");
        assert_eq!(ip.summary, "10.0.0.1 → 10.0.0.2");
        assert_eq!(ip.range, 0..20);
        assert_eq!(value(ip, "Version"), "4");
        assert_eq!(value(ip, "Header length"), "20 bytes");
        assert_eq!(value(ip, "DSCP/ECN"), "0x00 (DSCP 0, ECN 0)");
        assert_eq!(value(ip, "Total length"), format!("{} bytes", bytes.len()));
        assert_eq!(value(ip, "Identification"), "0x1a2b (6699)");
        assert_eq!(field(ip, "Identification").range, 4..6);
        assert_eq!(value(ip, "Flags"), "Don't fragment");
        assert_eq!(value(ip, "Fragment offset"), "0 bytes");
        assert_eq!(value(ip, "Time to live"), "64");
        assert_eq!(value(ip, "Protocol"), "TCP (6)");
        assert!(value(ip, "Header checksum").ends_with("(valid)"), "{ip:#?}");
        assert_eq!(field(ip, "Header checksum").range, 10..12);
        assert_eq!(value(ip, "Source"), "10.0.0.1");
        assert_eq!(field(ip, "Destination").range, 16..20);
    }

    #[test]
    fn syn_with_options() {
        let bytes = syn();
        let layers = dissect(&bytes);
        assert_eq!(names(&layers), ["IPv4", "TCP"]);
        let tcp = layer(&layers, "TCP");
        assert_eq!(value(tcp, "Source port"), "49152");
        assert_eq!(field(tcp, "Source port").range, 20..22);
        assert_eq!(field(tcp, "Destination port").range, 22..24);
        assert_eq!(value(tcp, "Sequence number"), "1000");
        assert_eq!(value(tcp, "Acknowledgment number"), "0 (unused: ACK not set)");
        assert_eq!(value(tcp, "Flags"), "0x002 (SYN)");
        assert_eq!(value(tcp, "Window"), "64240");
        assert!(value(tcp, "Checksum").ends_with("(valid)"), "{tcp:#?}");
        assert_eq!(field(tcp, "Checksum").range, 36..38);
        let header_len = bytes.len() - IPV4_HEADER_LEN;
        assert_eq!(value(tcp, "Header length"), format!("{header_len} bytes"));
        assert_eq!(tcp.range, 20..bytes.len());
        let options = field(tcp, "Options");
        assert_eq!(options.range, 40..bytes.len());
        for word in ["MSS 1460", "window scale 7", "SACK permitted", "timestamps 11/0"] {
            assert!(options.value.contains(word), "{word} missing from {}", options.value);
        }
        let mss = field(tcp, "Maximum segment size");
        assert_eq!((mss.value.as_str(), mss.range.clone()), ("1460 bytes", 40..44));
        assert_eq!(value(tcp, "Window scale"), "7 (multiply by 128)");
        assert_eq!(value(tcp, "Timestamps"), "TSval 11, TSecr 0");
        assert_eq!(tcp.summary, "49152 → 80 [SYN], Seq=1000, Win=64240, Len=0");
    }

    #[test]
    fn data_segment_with_payload() {
        let bytes = data();
        let layers = dissect(&bytes);
        assert_eq!(names(&layers), ["IPv4", "TCP", "Payload"]);
        let tcp = layer(&layers, "TCP");
        assert_eq!(value(tcp, "Flags"), "0x018 (PSH, ACK)");
        assert_eq!(field(tcp, "Flags").range, 32..34);
        assert_eq!(value(tcp, "Acknowledgment number"), "5000");
        assert!(value(tcp, "Checksum").ends_with("(valid)"));
        assert_eq!(tcp.summary, "49152 → 80 [PSH, ACK], Seq=1000, Ack=5000, Win=64240, Len=5");
        assert_eq!(tcp.range, 20..40);
        let payload = layer(&layers, "Payload");
        assert_eq!(payload.range, 40..45);
        assert_eq!(value(payload, "Length"), "5 bytes");
        assert_eq!(value(payload, "Data"), "hello");
    }

    #[test]
    fn corrupted_bytes_fail_their_checksums() {
        let mut bytes = data();
        bytes[42] ^= 0x20;
        let layers = dissect(&bytes);
        assert!(value(layer(&layers, "TCP"), "Checksum").ends_with("(invalid)"));
        assert!(value(layer(&layers, "IPv4"), "Header checksum").ends_with("(valid)"));
        assert_eq!(value(layer(&layers, "Payload"), "Data"), "heLlo");

        let mut bytes = data();
        bytes[8] = 3;
        let layers = dissect(&bytes);
        assert!(value(layer(&layers, "IPv4"), "Header checksum").ends_with("(invalid)"));

        let mut bytes = udp();
        bytes[30] ^= 1;
        assert!(value(layer(&dissect(&bytes), "UDP"), "Checksum").ends_with("(invalid)"));

        let mut bytes = port_unreachable();
        bytes[40] ^= 1;
        assert!(value(layer(&dissect(&bytes), "ICMP"), "Checksum").ends_with("(invalid)"));
    }

    #[test]
    fn udp_datagram() {
        let bytes = udp();
        let layers = dissect(&bytes);
        assert_eq!(names(&layers), ["IPv4", "UDP", "Payload"]);
        assert_eq!(value(layer(&layers, "IPv4"), "Protocol"), "UDP (17)");
        let udp = layer(&layers, "UDP");
        assert_eq!(udp.summary, "5353 → 9, Len=5");
        assert_eq!(udp.range, 20..28);
        assert_eq!(value(udp, "Source port"), "5353");
        assert_eq!(field(udp, "Source port").range, 20..22);
        assert_eq!(value(udp, "Destination port"), "9");
        assert_eq!(value(udp, "Length"), "13 bytes");
        assert_eq!(field(udp, "Length").range, 24..26);
        assert!(value(udp, "Checksum").ends_with("(valid)"), "{udp:#?}");
        assert_eq!(value(layer(&layers, "Payload"), "Data"), "ping.");
    }

    #[test]
    fn udp_without_checksum() {
        let mut bytes = udp();
        UdpPacket::new_unchecked(&mut bytes[IPV4_HEADER_LEN..]).set_checksum(0);
        assert_eq!(value(layer(&dissect(&bytes), "UDP"), "Checksum"), "0x0000 (none)");
    }

    #[test]
    fn icmp_port_unreachable() {
        let bytes = port_unreachable();
        let layers = dissect(&bytes);
        assert_eq!(names(&layers), ["IPv4", "ICMP"]);
        assert_eq!(value(layer(&layers, "IPv4"), "Protocol"), "ICMP (1)");
        let icmp = layer(&layers, "ICMP");
        assert_eq!(icmp.summary, "destination unreachable (destination port unreachable)");
        assert_eq!(icmp.range, 20..bytes.len());
        assert_eq!(value(icmp, "Type"), "3 (destination unreachable)");
        assert_eq!(field(icmp, "Type").range, 20..21);
        assert_eq!(value(icmp, "Code"), "3 (destination port unreachable)");
        assert!(value(icmp, "Checksum").ends_with("(valid)"), "{icmp:#?}");
        let original = field(icmp, "Original datagram");
        assert_eq!(original.value, "UDP 10.0.0.1:5353 → 10.0.0.2:9");
        assert_eq!(original.range, 28..bytes.len());
    }

    #[test]
    fn truncation_is_reported() {
        let bytes = syn();
        let layers = dissect(&bytes[..30]);
        assert_eq!(names(&layers), ["IPv4", "TCP", "Malformed"]);
        let tcp = layer(&layers, "TCP");
        assert_eq!(value(tcp, "Source port"), "49152");
        assert!(tcp.fields.iter().all(|field| field.range.end <= 30), "{tcp:#?}");
        let malformed = layer(&layers, "Malformed");
        let problems: Vec<&str> = malformed.fields.iter().map(|field| field.value.as_str()).collect();
        assert_eq!(
            problems,
            [
                format!("IPv4 total length says {} bytes, packet has 30", bytes.len()),
                "a TCP header needs 20 bytes, segment has 10".to_string(),
            ]
        );

        let layers = dissect(&bytes[..12]);
        assert_eq!(names(&layers), ["IPv4", "Malformed"]);
        let checksum = layer(&layers, "IPv4").fields.last().unwrap();
        assert_eq!(checksum.name, "Header checksum");
        assert!(checksum.value.ends_with("(unverified: packet incomplete)"), "{checksum:#?}");
        assert_eq!(layer(&layers, "Malformed").summary, "an IPv4 header needs 20 bytes, packet has 12");
    }

    #[test]
    fn header_lengths_that_lie_are_reported() {
        let mut bytes = data();
        Ipv4Packet::new_unchecked(&mut bytes).set_header_len(60);
        let layers = dissect(&bytes);
        assert_eq!(names(&layers), ["IPv4", "Malformed"]);
        let problem = &layer(&layers, "Malformed").fields[0];
        assert_eq!(problem.value, "IPv4 header says 60 bytes, packet has 45");
        assert_eq!(problem.range, 0..1);

        let mut bytes = data();
        TcpPacket::new_unchecked(&mut bytes[IPV4_HEADER_LEN..]).set_header_len(12);
        let layers = dissect(&bytes);
        assert_eq!(layer(&layers, "Malformed").summary, "TCP header length is 12 bytes, less than 20");
    }

    /// Every field and layer lies within the packet, and the packet is malformed exactly when expected.
    fn check(bytes: &[u8]) -> Vec<Layer> {
        let layers = dissect(bytes);
        for layer in &layers {
            assert!(layer.range.start <= layer.range.end && layer.range.end <= bytes.len(), "{layer:#?}");
            for field in &layer.fields {
                assert!(field.range.start <= field.range.end && field.range.end <= bytes.len(), "{field:#?}");
            }
        }
        layers
    }

    #[test]
    fn every_truncation_dissects_without_panicking() {
        for bytes in [syn(), data(), udp(), port_unreachable()] {
            assert!(!names(&check(&bytes)).contains(&"Malformed"));
            for len in 0..bytes.len() {
                let layers = check(&bytes[..len]);
                assert_eq!(layers.last().map(|layer| layer.name), Some("Malformed"), "{len}: {layers:#?}");
            }
        }
    }

    #[test]
    fn random_bytes_dissect_without_panicking() {
        // xorshift64: a fixed sequence, so a failure reproduces.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let valid = [syn(), data(), udp(), port_unreachable()];
        for round in 0..20_000 {
            let mut bytes: Vec<u8> = match round % 2 {
                // Noise, often with a plausible first byte so the IPv4 checks pass more often.
                0 => {
                    let len = (next() % 96) as usize;
                    let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                    if let Some(first) = bytes.first_mut().filter(|_| next() % 2 == 0) {
                        *first = 0x45;
                    }
                    bytes
                }
                // A real packet with a few bytes changed.
                _ => valid[(next() % 4) as usize].clone(),
            };
            for _ in 0..next() % 4 {
                if !bytes.is_empty() {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
            }
            check(&bytes);
        }
    }

    #[test]
    fn hex_rows_hold_sixteen_bytes() {
        let bytes: Vec<u8> = (0..20).map(|index| b'A' + index).chain([0x00, b' ', 0x7f, 0xff]).collect();
        let rows = hex_rows(&bytes);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].offset, "0000");
        assert_eq!(rows[0].range, 0..16);
        assert_eq!(rows[0].hex.len(), 16);
        assert_eq!(rows[0].hex[0], "41");
        assert_eq!(rows[0].ascii, "ABCDEFGHIJKLMNOP");
        assert_eq!(rows[1].offset, "0010");
        assert_eq!(rows[1].range, 16..24);
        assert_eq!(rows[1].hex, ["51", "52", "53", "54", "00", "20", "7f", "ff"]);
        assert_eq!(rows[1].ascii, "QRST. ..");
        assert!(hex_rows(&[]).is_empty());
        assert_eq!(hex_rows(&[0; 300]).last().unwrap().offset, "0120");
    }
}
