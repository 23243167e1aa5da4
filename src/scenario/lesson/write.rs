//! A lesson written back as a lesson file: the writing half of [`Lesson::parse`].
//!
//! What the page saves, and what a shared link carries, is this text. Every field is written as
//! the file format spells it, with the defaults left out, so that reading the text gives the same
//! lesson back (a test checks this for every built-in lesson).
//!
//! Objects are built field by field with [`Fields`], whose adds are not inlined: each field then
//! costs the page a call rather than a copy of the code that makes it.

use super::json::{Number, Value};
use super::{
    Action, Checkpoint, Destination, Event, EventKind, Expectation, HostSpec, Lesson, LinkSpec, Payload, ProgramSpec,
    Step, Transform, FORMAT_VERSION,
};
use crate::sim::{Impairments, PacketKind, ShutdownHow, SocketKind, SocketOption};

/// An object's fields, in the order they are written.
#[derive(Default)]
pub(super) struct Fields(pub(super) Vec<(String, Value)>);

impl Fields {
    #[inline(never)]
    pub(super) fn add(&mut self, key: &str, value: Value) -> &mut Self {
        self.0.push((key.into(), value));
        self
    }

    #[inline(never)]
    pub(super) fn text(&mut self, key: &str, words: &str) -> &mut Self {
        self.add(key, text(words))
    }

    #[inline(never)]
    fn number(&mut self, key: &str, value: f64) -> &mut Self {
        self.add(key, Value::Number(Number::Float(value)))
    }

    #[inline(never)]
    fn whole(&mut self, key: &str, value: i64) -> &mut Self {
        self.add(key, Value::Number(Number::Int(value)))
    }

    #[inline(never)]
    fn count(&mut self, key: &str, value: usize) -> &mut Self {
        self.add(key, Value::Number(Number::UInt(value as u64)))
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// A list of strings.
#[inline(never)]
fn texts(items: &[String]) -> Value {
    let mut values = Vec::new();
    for item in items {
        values.push(text(item));
    }
    Value::Array(values)
}

impl Lesson {
    /// The lesson as the text of a lesson file.
    pub fn to_json(&self) -> String {
        let mut file = Fields::default();
        file.whole("socksim", FORMAT_VERSION.into()).text("title", &self.title).text("intro", &self.intro);
        file.add("seed", Value::Number(Number::UInt(self.seed))).number("duration", self.duration);
        // Each list is made by a loop of its own: no closure (and its call through a vtable) each.
        let mut hosts = Vec::new();
        for spec in &self.hosts {
            hosts.push(host(spec));
        }
        file.add("hosts", Value::Array(hosts));
        let mut links = Vec::new();
        for link in &self.links {
            links.push(self.link(link));
        }
        file.add("links", Value::Array(links));
        if !self.events.is_empty() {
            let mut events = Vec::new();
            for event in &self.events {
                events.push(self.event(event));
            }
            file.add("events", Value::Array(events));
        }
        if !self.guide.is_empty() {
            let mut guide = Vec::new();
            for step in &self.guide {
                guide.push(at_text(step.at, &step.text));
            }
            file.add("guide", Value::Array(guide));
        }
        if !self.checkpoints.is_empty() {
            let mut checkpoints = Vec::new();
            for checkpoint in &self.checkpoints {
                checkpoints.push(self.checkpoint(checkpoint));
            }
            file.add("checkpoints", Value::Array(checkpoints));
        }
        file.done().to_text() + "\n"
    }

    /// A link's two hosts: `["client", "server"]`.
    pub(super) fn between(&self, link: usize) -> Value {
        self.ends(self.links[link].ends)
    }

    fn ends(&self, [first, second]: [usize; 2]) -> Value {
        Value::Array(vec![text(&self.hosts[first].name), text(&self.hosts[second].name)])
    }

    fn link(&self, link: &LinkSpec) -> Value {
        let mut fields = Fields::default();
        fields.add("between", self.ends(link.ends));
        impairments(&mut fields, &link.impairments[0], Some(&Impairments::default()));
        if link.impairments[1] != link.impairments[0] {
            let mut reverse = Fields::default();
            impairments(&mut reverse, &link.impairments[1], Some(&link.impairments[0]));
            fields.add("reverse", reverse.done());
        }
        fields.done()
    }

    fn event(&self, event: &Event) -> Value {
        let mut fields = Fields::default();
        fields.number("at", event.at);
        match &event.kind {
            EventKind::DropNext { link, from, packet } => {
                fields.add("drop_next", drop_next(self, *link, *from, *packet));
            }
            EventKind::SetLink { link, from, impairments: set } => {
                let mut inner = Fields::default();
                inner.add("between", self.between(*link));
                if let Some(host) = from {
                    inner.text("from", &self.hosts[*host].name);
                }
                // Every field: one left out would be the link's own, not the default.
                impairments(&mut inner, set, None);
                fields.add("set_link", inner.done());
            }
        }
        fields.done()
    }

    fn checkpoint(&self, checkpoint: &Checkpoint) -> Value {
        let mut expect = Fields::default();
        let host = |fields: &mut Fields, key: &str, host: usize| {
            fields.text(key, &self.hosts[host].name);
        };
        let name = match &checkpoint.expect {
            Expectation::Received { host: h, text: words } => {
                host(&mut expect, "host", *h);
                expect.text("text", words);
                "received"
            }
            Expectation::Raised { host: h, exception } => {
                host(&mut expect, "host", *h);
                expect.text("exception", exception);
                "raised"
            }
            Expectation::PeerClosed { host: h } => {
                host(&mut expect, "host", *h);
                "peer_closed"
            }
            Expectation::SocketState { host: h, state, count } => {
                host(&mut expect, "host", *h);
                expect.text("state", state).count("count", *count);
                "state"
            }
            Expectation::Blocked { host: h } => {
                host(&mut expect, "host", *h);
                "blocked"
            }
            Expectation::Finished { host: h } => {
                host(&mut expect, "host", *h);
                "finished"
            }
            Expectation::Printed { host: h, text: words } => {
                host(&mut expect, "host", *h);
                expect.text("text", words);
                "printed"
            }
            Expectation::AcceptQueue { host: h, socket, length } => {
                host(&mut expect, "host", *h);
                expect.text("socket", socket).count("length", *length);
                "accept_queue"
            }
            Expectation::Packets { filter, at_least, at_most } => {
                if let Some(kind) = filter.kind {
                    expect.text("kind", &kind.label().to_ascii_lowercase());
                }
                if let Some(fate) = &filter.fate {
                    expect.text("fate", fate);
                }
                if let Some(from) = filter.from {
                    host(&mut expect, "from", from);
                }
                if let Some(to) = filter.to {
                    host(&mut expect, "to", to);
                }
                if let Some(duplicate) = filter.duplicate {
                    expect.add("duplicate", Value::Bool(duplicate));
                }
                expect.count("at_least", *at_least);
                if let Some(at_most) = at_most {
                    expect.count("at_most", *at_most);
                }
                "packets"
            }
        };
        let mut fields = Fields::default();
        fields.number("at", checkpoint.at);
        if let Some(question) = &checkpoint.question {
            fields.text("question", question);
        }
        let choices = &checkpoint.choices;
        if !choices.is_empty() {
            fields.add("choices", texts(choices));
        }
        if let Some(answer) = checkpoint.answer {
            fields.count("answer", answer);
        }
        let mut outcome = Fields::default();
        outcome.add(name, expect.done());
        fields.add("expect", outcome.done());
        fields.done()
    }
}

/// A guide's step or a typed line: `{ "at": 2, "text": "…" }`.
fn at_text(at: f64, words: &str) -> Value {
    let mut fields = Fields::default();
    fields.number("at", at).text("text", words);
    fields.done()
}

/// A `drop_next`: the link (its two hosts), and which packet.
pub(super) fn drop_next(lesson: &Lesson, link: usize, from: Option<usize>, kind: Option<PacketKind>) -> Value {
    let mut fields = Fields::default();
    fields.add("between", lesson.between(link));
    if let Some(host) = from {
        fields.text("from", &lesson.hosts[host].name);
    }
    if let Some(kind) = kind {
        fields.text("kind", &kind.label().to_ascii_lowercase());
    }
    fields.done()
}

/// Every field of a direction's impairments.
pub(super) fn impairments_value(fields: &mut Fields, set: &Impairments) {
    impairments(fields, set, None)
}

fn host(host: &HostSpec) -> Value {
    let mut fields = Fields::default();
    fields.text("name", &host.name).text("address", &host.address.to_string());
    if !host.script.is_empty() {
        let mut script = Vec::new();
        for step in &host.script {
            script.push(step_value(step));
        }
        fields.add("script", Value::Array(script));
    }
    if let Some(program) = &host.program {
        fields.add("program", program_value(program));
    }
    fields.done()
}

fn program_value(program: &ProgramSpec) -> Value {
    let mut fields = Fields::default();
    fields.text("file", &program.file);
    // A list of lines reads back as the lines joined, each ending in a newline.
    match program.source.strip_suffix('\n') {
        Some(lines) => fields.add("source", Value::Array(lines.split('\n').map(text).collect())),
        None => fields.text("source", &program.source),
    };
    let argv = &program.argv;
    if !argv.is_empty() {
        fields.add("argv", texts(argv));
    }
    if program.start != 0.0 {
        fields.number("start", program.start);
    }
    let input = &program.input;
    if !input.is_empty() {
        let mut lines = Vec::new();
        for line in input {
            lines.push(at_text(line.at, &line.text));
        }
        fields.add("input", Value::Array(lines));
    }
    fields.done()
}

pub(super) fn step_value(step: &Step) -> Value {
    let mut fields = Fields::default();
    if let Some(at) = step.at {
        fields.number("at", at);
    }
    action_fields(&mut fields, &step.action);
    if step.continue_on_error {
        fields.add("continue_on_error", Value::Bool(true));
    }
    fields.done()
}

/// A script step's call, as a step without its time.
pub(super) fn call_value(action: &Action) -> Value {
    let mut fields = Fields::default();
    action_fields(&mut fields, action);
    fields.done()
}

/// A call's fields: `call`, then `socket` (but for `socket()`), then its own.
fn action_fields(fields: &mut Fields, action: &Action) {
    let call = match action {
        Action::Socket { .. } => "socket",
        Action::Bind { .. } => "bind",
        Action::Listen { .. } => "listen",
        Action::Accept { .. } => "accept",
        Action::Connect { .. } => "connect",
        Action::Send { all: true, .. } => "sendall",
        Action::Send { all: false, .. } => "send",
        Action::Recv { .. } => "recv",
        Action::Sendto { .. } => "sendto",
        Action::Recvfrom { .. } => "recvfrom",
        Action::Shutdown { .. } => "shutdown",
        Action::Close { .. } => "close",
        Action::Setsockopt { .. } => "setsockopt",
        Action::Settimeout { .. } => "settimeout",
    };
    fields.text("call", call);
    if let Some(socket) = action.socket() {
        fields.text("socket", socket);
    }
    let binding = |fields: &mut Fields, first: &str, second: &Option<String>| match second {
        Some(second) => {
            fields.add("as", Value::Array(vec![text(first), text(second)]));
        }
        None => {
            fields.text("as", first);
        }
    };
    let payload = |fields: &mut Fields, payload: &Payload| match payload {
        Payload::Text(words) => {
            fields.text("text", words);
        }
        Payload::Echo { variable, transform } => {
            fields.text("echo", variable);
            match transform {
                Transform::None => {}
                Transform::Upper => {
                    fields.text("transform", "upper");
                }
                Transform::Lower => {
                    fields.text("transform", "lower");
                }
            }
        }
    };
    match action {
        Action::Socket { kind, binds } => {
            fields.text("type", if *kind == SocketKind::Tcp { "tcp" } else { "udp" }).text("as", binds);
        }
        Action::Bind { address, port, .. } | Action::Connect { address, port, .. } => {
            fields.text("address", address).whole("port", *port);
        }
        Action::Listen { backlog, .. } => {
            fields.whole("backlog", *backlog);
        }
        Action::Accept { binds, binds_address, .. } => binding(fields, binds, binds_address),
        Action::Send { payload: bytes, .. } => payload(fields, bytes),
        Action::Recv { bufsize, binds, .. } => {
            fields.whole("bufsize", *bufsize);
            if let Some(binds) = binds {
                fields.text("as", binds);
            }
        }
        Action::Sendto { payload: bytes, to, .. } => {
            payload(fields, bytes);
            match to {
                Destination::Address { address, port } => {
                    fields.text("address", address).whole("port", *port);
                }
                Destination::Variable(variable) => {
                    fields.text("to", variable);
                }
            }
        }
        Action::Recvfrom { bufsize, binds, binds_address, .. } => {
            fields.whole("bufsize", *bufsize);
            if let Some(binds) = binds {
                binding(fields, binds, binds_address);
            }
        }
        Action::Shutdown { how, .. } => {
            let how = match how {
                ShutdownHow::ShutRd => "SHUT_RD",
                ShutdownHow::ShutWr => "SHUT_WR",
                ShutdownHow::ShutRdwr => "SHUT_RDWR",
            };
            fields.text("how", how);
        }
        Action::Close { .. } => {}
        Action::Setsockopt { option, value, .. } => {
            let option = match option {
                SocketOption::SoReuseaddr => "SO_REUSEADDR",
                SocketOption::TcpNodelay => "TCP_NODELAY",
            };
            fields.text("option", option).whole("value", *value);
        }
        Action::Settimeout { seconds, .. } => {
            if let Some(seconds) = seconds {
                fields.number("seconds", *seconds);
            }
        }
    }
}

/// A direction's impairments as a file writes them: the fields that differ from `base`, or all
/// of them.
fn impairments(fields: &mut Fields, set: &Impairments, base: Option<&Impairments>) {
    let all = [
        ("delay_ms", set.delay_us as f64 / 1000.0, base.is_none_or(|base| base.delay_us != set.delay_us)),
        ("jitter_ms", set.jitter_us as f64 / 1000.0, base.is_none_or(|base| base.jitter_us != set.jitter_us)),
        ("loss_percent", set.loss_percent, base.is_none_or(|base| base.loss_percent != set.loss_percent)),
        (
            "duplicate_percent",
            set.duplicate_percent,
            base.is_none_or(|base| base.duplicate_percent != set.duplicate_percent),
        ),
        (
            "bandwidth_kbps",
            set.bandwidth_bps as f64 / 1000.0,
            base.is_none_or(|base| base.bandwidth_bps != set.bandwidth_bps),
        ),
    ];
    for (key, value, differs) in all {
        if differs {
            fields.number(key, value);
        }
    }
}

#[inline(never)]
fn text(words: &str) -> Value {
    Value::String(words.to_string())
}
