//! A lesson written back as a lesson file: the writing half of [`Lesson::parse`].
//!
//! What the page saves, and what a shared link carries, is this text. Every field is written as
//! the file format spells it, with the defaults left out, so that reading the text gives the same
//! lesson back (a test checks this for every built-in lesson).

use super::json::{Number, Value};
use super::{
    Action, Checkpoint, Destination, Event, EventKind, Expectation, HostSpec, Lesson, LinkSpec, Payload, ProgramSpec,
    Step, Transform, FORMAT_VERSION,
};
use crate::sim::{Impairments, PacketKind, ShutdownHow, SocketKind, SocketOption};

impl Lesson {
    /// The lesson as the text of a lesson file.
    pub fn to_json(&self) -> String {
        let host_name = |host: &usize| text(&self.hosts[*host].name);
        let mut file = vec![
            ("socksim", Value::Number(Number::Int(FORMAT_VERSION.into()))),
            ("title", text(&self.title)),
            ("intro", text(&self.intro)),
            ("seed", Value::Number(Number::UInt(self.seed))),
            ("duration", number(self.duration)),
            ("hosts", Value::Array(self.hosts.iter().map(host).collect())),
            ("links", Value::Array(self.links.iter().map(|link| self.link(link)).collect())),
        ];
        if !self.events.is_empty() {
            file.push(("events", Value::Array(self.events.iter().map(|event| self.event(event)).collect())));
        }
        if !self.guide.is_empty() {
            let steps = self.guide.iter().map(|step| object(vec![("at", number(step.at)), ("text", text(&step.text))]));
            file.push(("guide", Value::Array(steps.collect())));
        }
        if !self.checkpoints.is_empty() {
            let checkpoints = self.checkpoints.iter().map(|checkpoint| checkpoint_value(checkpoint, &host_name));
            file.push(("checkpoints", Value::Array(checkpoints.collect())));
        }
        object(file).to_text() + "\n"
    }

    fn link(&self, link: &LinkSpec) -> Value {
        let between = Value::Array(link.ends.iter().map(|&end| text(&self.hosts[end].name)).collect());
        let mut fields = vec![("between", between)];
        fields.extend(impairments(&link.impairments[0], Some(&Impairments::default())));
        if link.impairments[1] != link.impairments[0] {
            fields.push(("reverse", object(impairments(&link.impairments[1], Some(&link.impairments[0])))));
        }
        object(fields)
    }

    fn event(&self, event: &Event) -> Value {
        let link = |link: usize| {
            let ends = self.links[link].ends;
            Value::Array(ends.iter().map(|&end| text(&self.hosts[end].name)).collect())
        };
        let from = |from: Option<usize>| from.map(|host| ("from", text(&self.hosts[host].name)));
        let kind = match &event.kind {
            EventKind::DropNext { link: index, from: sender, packet } => {
                ("drop_next", drop_next(self, *index, *sender, *packet))
            }
            EventKind::SetLink { link: index, from: sender, impairments: set } => {
                let mut fields = vec![("between", link(*index))];
                fields.extend(from(*sender));
                // Every field: one left out would be the link's own, not the default.
                fields.extend(impairments_value(set));
                ("set_link", object(fields))
            }
        };
        object(vec![("at", number(event.at)), kind])
    }
}

/// A `drop_next`: the link (its two hosts), and which packet.
pub(super) fn drop_next(lesson: &Lesson, link: usize, from: Option<usize>, kind: Option<PacketKind>) -> Value {
    let ends = lesson.links[link].ends;
    let mut fields = vec![("between", Value::Array(ends.iter().map(|&end| text(&lesson.hosts[end].name)).collect()))];
    fields.extend(from.map(|host| ("from", text(&lesson.hosts[host].name))));
    fields.extend(kind.map(|kind| ("kind", text(&kind.label().to_ascii_lowercase()))));
    object(fields)
}

/// Every field of a direction's impairments.
pub(super) fn impairments_value(set: &Impairments) -> Vec<(&'static str, Value)> {
    impairments(set, None)
}

fn host(host: &HostSpec) -> Value {
    let mut fields = vec![("name", text(&host.name)), ("address", text(&host.address.to_string()))];
    if !host.script.is_empty() {
        fields.push(("script", Value::Array(host.script.iter().map(step_value).collect())));
    }
    if let Some(program) = &host.program {
        fields.push(("program", program_value(program)));
    }
    object(fields)
}

fn program_value(program: &ProgramSpec) -> Value {
    let lines = program.source.strip_suffix('\n').unwrap_or(&program.source).split('\n');
    // A list of lines reads back as the lines joined, each ending in a newline.
    let source =
        if program.source.ends_with('\n') { Value::Array(lines.map(text).collect()) } else { text(&program.source) };
    let mut fields = vec![("file", text(&program.file)), ("source", source)];
    if !program.argv.is_empty() {
        fields.push(("argv", Value::Array(program.argv.iter().map(|arg| text(arg)).collect())));
    }
    if program.start != 0.0 {
        fields.push(("start", number(program.start)));
    }
    if !program.input.is_empty() {
        let lines = program.input.iter().map(|line| object(vec![("at", number(line.at)), ("text", text(&line.text))]));
        fields.push(("input", Value::Array(lines.collect())));
    }
    object(fields)
}

pub(super) fn step_value(step: &Step) -> Value {
    let mut fields = Vec::new();
    if let Some(at) = step.at {
        fields.push(("at", number(at)));
    }
    let call = |name: &str| ("call", text(name));
    let socket = |socket: &str| ("socket", text(socket));
    let whole = |value: i64| Value::Number(Number::Int(value));
    let binding = |first: &str, second: &Option<String>| match second {
        Some(second) => ("as", Value::Array(vec![text(first), text(second)])),
        None => ("as", text(first)),
    };
    let payload = |payload: &Payload| match payload {
        Payload::Text(words) => vec![("text", text(words))],
        Payload::Echo { variable, transform } => {
            let mut fields = vec![("echo", text(variable))];
            match transform {
                Transform::None => {}
                Transform::Upper => fields.push(("transform", text("upper"))),
                Transform::Lower => fields.push(("transform", text("lower"))),
            }
            fields
        }
    };
    match &step.action {
        Action::Socket { kind, binds } => {
            let kind = if *kind == SocketKind::Tcp { "tcp" } else { "udp" };
            fields.extend([call("socket"), ("type", text(kind)), ("as", text(binds))]);
        }
        Action::Bind { socket: s, address, port } | Action::Connect { socket: s, address, port } => {
            let name = if matches!(step.action, Action::Bind { .. }) { "bind" } else { "connect" };
            fields.extend([call(name), socket(s), ("address", text(address)), ("port", whole(*port))]);
        }
        Action::Listen { socket: s, backlog } => {
            fields.extend([call("listen"), socket(s), ("backlog", whole(*backlog))])
        }
        Action::Accept { socket: s, binds, binds_address } => {
            fields.extend([call("accept"), socket(s), binding(binds, binds_address)]);
        }
        Action::Send { socket: s, payload: bytes, all } => {
            fields.extend([call(if *all { "sendall" } else { "send" }), socket(s)]);
            fields.extend(payload(bytes));
        }
        Action::Recv { socket: s, bufsize, binds } => {
            fields.extend([call("recv"), socket(s), ("bufsize", whole(*bufsize))]);
            fields.extend(binds.as_ref().map(|binds| ("as", text(binds))));
        }
        Action::Sendto { socket: s, payload: bytes, to } => {
            fields.extend([call("sendto"), socket(s)]);
            fields.extend(payload(bytes));
            match to {
                Destination::Address { address, port } => {
                    fields.extend([("address", text(address)), ("port", whole(*port))]);
                }
                Destination::Variable(variable) => fields.push(("to", text(variable))),
            }
        }
        Action::Recvfrom { socket: s, bufsize, binds, binds_address } => {
            fields.extend([call("recvfrom"), socket(s), ("bufsize", whole(*bufsize))]);
            fields.extend(binds.as_ref().map(|binds| binding(binds, binds_address)));
        }
        Action::Shutdown { socket: s, how } => {
            let how = match how {
                ShutdownHow::ShutRd => "SHUT_RD",
                ShutdownHow::ShutWr => "SHUT_WR",
                ShutdownHow::ShutRdwr => "SHUT_RDWR",
            };
            fields.extend([call("shutdown"), socket(s), ("how", text(how))]);
        }
        Action::Close { socket: s } => fields.extend([call("close"), socket(s)]),
        Action::Setsockopt { socket: s, option, value } => {
            let option = match option {
                SocketOption::SoReuseaddr => "SO_REUSEADDR",
                SocketOption::TcpNodelay => "TCP_NODELAY",
            };
            fields.extend([call("setsockopt"), socket(s), ("option", text(option)), ("value", whole(*value))]);
        }
        Action::Settimeout { socket: s, seconds } => {
            fields.extend([call("settimeout"), socket(s)]);
            fields.extend(seconds.map(|seconds| ("seconds", number(seconds))));
        }
    }
    if step.continue_on_error {
        fields.push(("continue_on_error", Value::Bool(true)));
    }
    object(fields)
}

fn checkpoint_value(checkpoint: &Checkpoint, host: &dyn Fn(&usize) -> Value) -> Value {
    let on = |name: &'static str, fields: Vec<(&'static str, Value)>| object(vec![(name, object(fields))]);
    let count = |value: usize| Value::Number(Number::UInt(value as u64));
    let expect = match &checkpoint.expect {
        Expectation::Received { host: h, text: words } => {
            on("received", vec![("host", host(h)), ("text", text(words))])
        }
        Expectation::Raised { host: h, exception } => {
            on("raised", vec![("host", host(h)), ("exception", text(exception))])
        }
        Expectation::PeerClosed { host: h } => on("peer_closed", vec![("host", host(h))]),
        Expectation::SocketState { host: h, state, count: n } => {
            on("state", vec![("host", host(h)), ("state", text(state)), ("count", count(*n))])
        }
        Expectation::Blocked { host: h } => on("blocked", vec![("host", host(h))]),
        Expectation::Finished { host: h } => on("finished", vec![("host", host(h))]),
        Expectation::Printed { host: h, text: words } => on("printed", vec![("host", host(h)), ("text", text(words))]),
        Expectation::AcceptQueue { host: h, socket, length } => {
            on("accept_queue", vec![("host", host(h)), ("socket", text(socket)), ("length", count(*length))])
        }
        Expectation::Packets { filter, at_least, at_most } => {
            let mut fields = Vec::new();
            fields.extend(filter.kind.map(|kind| ("kind", text(&kind.label().to_ascii_lowercase()))));
            fields.extend(filter.fate.as_ref().map(|fate| ("fate", text(fate))));
            fields.extend(filter.from.as_ref().map(|from| ("from", host(from))));
            fields.extend(filter.to.as_ref().map(|to| ("to", host(to))));
            fields.extend(filter.duplicate.map(|duplicate| ("duplicate", Value::Bool(duplicate))));
            fields.push(("at_least", count(*at_least)));
            fields.extend(at_most.map(|at_most| ("at_most", count(at_most))));
            on("packets", fields)
        }
    };
    let mut fields = vec![("at", number(checkpoint.at))];
    fields.extend(checkpoint.question.as_ref().map(|question| ("question", text(question))));
    if !checkpoint.choices.is_empty() {
        fields.push(("choices", Value::Array(checkpoint.choices.iter().map(|choice| text(choice)).collect())));
    }
    fields.extend(checkpoint.answer.map(|answer| ("answer", count(answer))));
    fields.push(("expect", expect));
    object(fields)
}

/// A direction's impairments as a file writes them: the fields that differ from `base`, or all
/// of them.
fn impairments(impairments: &Impairments, base: Option<&Impairments>) -> Vec<(&'static str, Value)> {
    let ms = |us: u64| number(us as f64 / 1000.0);
    let all = [
        ("delay_ms", ms(impairments.delay_us), base.is_none_or(|base| base.delay_us != impairments.delay_us)),
        ("jitter_ms", ms(impairments.jitter_us), base.is_none_or(|base| base.jitter_us != impairments.jitter_us)),
        (
            "loss_percent",
            number(impairments.loss_percent),
            base.is_none_or(|base| base.loss_percent != impairments.loss_percent),
        ),
        (
            "duplicate_percent",
            number(impairments.duplicate_percent),
            base.is_none_or(|base| base.duplicate_percent != impairments.duplicate_percent),
        ),
        (
            "bandwidth_kbps",
            number(impairments.bandwidth_bps as f64 / 1000.0),
            base.is_none_or(|base| base.bandwidth_bps != impairments.bandwidth_bps),
        ),
    ];
    all.into_iter().filter(|(_, _, differs)| *differs).map(|(key, value, _)| (key, value)).collect()
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(key, value)| (key.to_string(), value)).collect())
}

fn text(words: &str) -> Value {
    Value::String(words.to_string())
}

fn number(value: f64) -> Value {
    Value::Number(Number::Float(value))
}
