//! A host's panel: its sockets (state, endpoints, accept queue, buffers, a waiting call), and two
//! tabs: a form to make any socket call, with the Python line it stands for shown as it is typed,
//! above the host's transcript of calls with their results or exceptions; and the host's Python
//! program (see [`super::program_panel`]).

use std::borrow::Cow;
use std::fmt::Write;
use std::net::SocketAddrV4;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::kept::{Kept, Slot};
use super::markup::{closest, escape, fixed, into_html, option, value_at};
use super::memo::{same, Part};
use super::model::{Model, Msg};
use super::program_panel::{program_panel, ProgramState, ProgramView};
use super::toolbar::time_label;
use super::topology::state_class;
use crate::python::methods::find;
use crate::scenario::lesson::{Action, Destination, Payload, Quoted};
use crate::scenario::{pyrepr, Outcome, TranscriptLine};
use crate::sim::{Fd, HostId, ShutdownHow, Snapshot, SocketKind, SortedMap};

/// One socket of the panel's table.
#[derive(Clone, PartialEq)]
pub struct SocketRow {
    pub variable: Option<String>,
    pub fd: Option<Fd>,
    pub kind: SocketKind,
    pub local: String,
    pub remote: String,
    pub state: String,
    pub queue: Option<(usize, usize)>,
    pub unread: usize,
    pub unsent: usize,
    pub waiting: Option<&'static str>,
}

/// A line of the host's transcript.
#[derive(Clone, PartialEq)]
pub struct CallLine {
    /// Where the line is in the session's transcript of every host: it names the line, so that
    /// a new line is added to the page without redrawing the others.
    pub number: usize,
    pub at: i64,
    pub code: String,
    pub outcome: Outcome,
}

/// What a host panel draws; it redraws only when this changes.
#[derive(Clone, PartialEq)]
pub struct HostView {
    pub caller: Caller,
    pub sockets: Vec<SocketRow>,
    pub transcript: Vec<CallLine>,
    pub program: ProgramView,
}

/// A host as its call form sees it: which host, its open socket variables and the peers it can
/// reach. The form is drawn again only when this changes, not with every packet.
#[derive(Clone, PartialEq)]
pub struct Caller {
    pub id: HostId,
    pub name: String,
    pub address: String,
    /// Open socket variables, with their kind.
    pub variables: Vec<(String, SocketKind)>,
    /// Every host's name and address, for connect and sendto.
    pub peers: Vec<(String, String)>,
}

/// The transcript lines a panel keeps (the newest).
const TRANSCRIPT_LINES: usize = 60;

pub fn views(model: &Model, snapshot: &Snapshot) -> Vec<HostView> {
    let player = model.session.player();
    let peers: Vec<(String, String)> =
        snapshot.hosts.iter().map(|host| (host.name.clone(), host.address.to_string())).collect();
    let mut transcripts = newest_lines(player.transcript(), snapshot.hosts.len());
    snapshot
        .hosts
        .iter()
        .map(|host| {
            // The variables calls made by hand name, and those of the host's program (for the table).
            let names: SortedMap<Fd, &String> = player
                .sockets(host.id)
                .map(|sockets| sockets.iter().filter(|(_, &fd)| fd >= 0).map(|(name, &fd)| (fd, name)).collect())
                .unwrap_or_default();
            let program_names = player
                .program(host.id)
                .and_then(|program| program.process())
                .map(|process| process.socket_names())
                .unwrap_or_default();
            let variable = |fd: Fd| {
                let program = program_names.iter().find(|(known, _)| *known == fd).map(|(_, name)| name.to_string());
                names.get(&fd).map(|name| name.to_string()).or(program)
            };
            let sockets = host
                .sockets
                .iter()
                .map(|socket| SocketRow {
                    variable: socket.fd.and_then(variable),
                    fd: socket.fd,
                    kind: socket.kind,
                    local: endpoint(socket.local),
                    remote: endpoint(socket.remote),
                    state: socket.state.clone(),
                    queue: socket.accept_queue,
                    unread: socket.receive_buffered,
                    unsent: socket.send_buffered,
                    waiting: socket
                        .fd
                        .and_then(|fd| host.blocked.iter().find(|blocked| blocked.fd == fd))
                        .map(|blocked| blocked.waits_for),
                })
                .collect();
            let variables = names
                .iter()
                .filter_map(|(&fd, name)| {
                    let kind = host.sockets.iter().find(|socket| socket.fd == Some(fd))?.kind;
                    Some((name.to_string(), kind))
                })
                .collect();
            HostView {
                caller: Caller {
                    id: host.id,
                    name: host.name.clone(),
                    address: host.address.to_string(),
                    variables,
                    peers: peers.clone(),
                },
                sockets,
                transcript: core::mem::take(&mut transcripts[host.id]),
                program: ProgramView::of(model, host.id, &host.name),
            }
        })
        .collect()
}

/// Each host's newest [`TRANSCRIPT_LINES`] lines, oldest first, read from the end of the
/// session's transcript in one pass: a long run does not make every redraw read all of it.
fn newest_lines(transcript: &[TranscriptLine], hosts: usize) -> Vec<Vec<CallLine>> {
    let mut lines: Vec<Vec<CallLine>> = vec![Vec::new(); hosts];
    let mut full = 0;
    for (number, line) in transcript.iter().enumerate().rev() {
        let Some(host_lines) = lines.get_mut(line.host) else { continue };
        if host_lines.len() == TRANSCRIPT_LINES {
            continue;
        }
        host_lines.push(CallLine {
            number,
            at: line.started_at.total_micros(),
            code: line.code.clone(),
            outcome: line.outcome.clone(),
        });
        if host_lines.len() == TRANSCRIPT_LINES {
            full += 1;
            if full == hosts {
                break;
            }
        }
    }
    for host_lines in &mut lines {
        host_lines.reverse();
    }
    lines
}

/// The calls the form offers, in the order a program makes them.
const CALLS: [&str; 12] = [
    "socket", "bind", "listen", "accept", "connect", "send", "sendall", "recv", "sendto", "recvfrom", "shutdown",
    "close",
];

/// What the person has typed into the form.
#[derive(Clone, PartialEq)]
struct Form {
    call: &'static str,
    socket: String,
    kind: SocketKind,
    /// The address `bind` binds to; `connect` and `sendto` use `address`.
    bind_address: String,
    address: String,
    port: String,
    backlog: String,
    text: String,
    bufsize: String,
}

/// The call that usually follows `call` in a program.
fn next_call(call: &str, kind: SocketKind, host_name: &str) -> &'static str {
    let client = find(host_name.as_bytes(), b"client", false).is_some();
    match (call, kind) {
        ("socket", SocketKind::Tcp) if client => "connect",
        ("socket", SocketKind::Udp) if client => "sendto",
        ("socket", _) => "bind",
        ("bind", SocketKind::Tcp) => "listen",
        ("bind", SocketKind::Udp) => "recvfrom",
        ("listen", _) => "accept",
        ("accept", _) | ("send", _) | ("sendall", _) => "recv",
        ("connect", _) => "sendall",
        ("recv", _) => "sendall",
        ("sendto", _) => "recvfrom",
        ("recvfrom", _) => "sendto",
        _ => CALLS.iter().find(|&&known| known == call).copied().unwrap_or("socket"),
    }
}

/// The first of `stem`, `stem2`, `stem3`… that no variable of the host is.
fn fresh_variable(stem: &str, view: &Caller, taken_closed: &[String]) -> String {
    let taken = |name: &str| view.variables.iter().any(|(v, _)| v == name) || taken_closed.iter().any(|v| v == name);
    if !taken(stem) {
        return stem.into();
    }
    (2..).map(|n| format!("{stem}{n}")).find(|name| !taken(name)).expect("a free name")
}

impl Form {
    fn new(view: &Caller) -> Form {
        Form {
            call: "socket",
            socket: view.variables.first().map(|(name, _)| name.clone()).unwrap_or_else(|| "s".into()),
            kind: SocketKind::Tcp,
            bind_address: "0.0.0.0".into(),
            address: peer_guess(view),
            port: "80".into(),
            backlog: "5".into(),
            text: "Hello\\r\\n".into(),
            bufsize: "1024".into(),
        }
    }

    /// The script action the form stands for, or what is missing.
    fn action(&self, view: &Caller) -> Result<Action, String> {
        let socket = || -> Result<String, String> {
            if view.variables.iter().any(|(name, _)| name == &self.socket) {
                Ok(self.socket.clone())
            } else {
                Err("Make a socket first: socket()".into())
            }
        };
        let port = || -> Result<i64, String> {
            self.port.trim().parse::<i64>().map_err(|_| format!("{} is not a port number", Quoted(&self.port)))
        };
        let whole = |text: &str, what: &str| -> Result<i64, String> {
            text.trim().parse::<i64>().map_err(|_| format!("{} is not a whole number ({what})", Quoted(text)))
        };
        let payload = || Payload::Text(unescape(&self.text));
        Ok(match self.call {
            "socket" => Action::Socket { kind: self.kind, binds: fresh_variable("s", view, &[]) },
            "bind" => Action::Bind { socket: socket()?, address: self.bind_address.trim().into(), port: port()? },
            "listen" => Action::Listen { socket: socket()?, backlog: whole(&self.backlog, "backlog")? },
            "accept" => Action::Accept {
                socket: socket()?,
                binds: fresh_variable("conn", view, &[]),
                binds_address: Some("addr".into()),
            },
            "connect" => Action::Connect { socket: socket()?, address: self.address.trim().into(), port: port()? },
            "send" | "sendall" => Action::Send { socket: socket()?, payload: payload(), all: self.call == "sendall" },
            "recv" => Action::Recv {
                socket: socket()?,
                bufsize: whole(&self.bufsize, "bufsize")?,
                binds: Some("data".into()),
            },
            "sendto" => Action::Sendto {
                socket: socket()?,
                payload: payload(),
                to: Destination::Address { address: self.address.trim().into(), port: port()? },
            },
            "recvfrom" => Action::Recvfrom {
                socket: socket()?,
                bufsize: whole(&self.bufsize, "bufsize")?,
                binds: Some("data".into()),
                binds_address: Some("addr".into()),
            },
            "shutdown" => Action::Shutdown { socket: socket()?, how: ShutdownHow::ShutWr },
            _ => Action::Close { socket: socket()? },
        })
    }
}

/// Another host's address, for a client's first connect.
fn peer_guess(view: &Caller) -> String {
    view.peers
        .iter()
        .find(|(name, address)| name != &view.name && address != &view.address)
        .map_or_else(|| "127.0.0.1".into(), |(_, address)| address.clone())
}

/// The text typed for send, with `\r`, `\n`, `\t` and `\\` read as Python reads them.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// What a host's panel keeps: the tab the person picked, and what they typed into the call form
/// (nothing while the Python tab is open: the form starts afresh when it opens again).
#[derive(Default)]
struct PanelState {
    picked: Option<bool>,
    form: Option<Form>,
}

type Keeper = Kept<PanelState>;

/// A field's listener: it writes the field's new value into the form with `apply`.
fn form_editor<E: JsCast + 'static>(keeper: &Keeper, apply: fn(&mut Form, String)) -> Callback<E> {
    let keeper = keeper.clone();
    Callback::from(move |event: E| {
        let value = value_at(event.unchecked_ref());
        keeper.change(|kept| {
            if let Some(form) = &mut kept.form {
                apply(form, value);
            }
        });
    })
}

/// A host's panel, drawn again only when its view changed.
#[derive(PartialEq)]
pub struct HostPanel {
    pub view: HostView,
    pub send: Callback<Msg>,
}

impl Part for HostPanel {
    fn draw(&self, slot: &Slot) -> Html {
        host_panel(self, slot)
    }

    fn same(&self, other: &dyn Part) -> bool {
        same(self, other)
    }
}

fn host_panel(props: &HostPanel, slot: &Slot) -> Html {
    let view = &props.view;
    let host = &view.caller;
    let keeper = slot.kept(PanelState::default);
    // The program tab is open when the host runs a program, until the person picks a tab.
    let show_program = keeper.get().picked.unwrap_or(view.program.state != ProgramState::None);
    if show_program {
        keeper.quietly(|kept| kept.form = None);
    }
    // One listener for both tabs: the one pressed is told by its label.
    let pick = {
        let keeper = keeper.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some(tab) = closest(&event, "button.host-tab") {
                let python = tab.text_content().is_some_and(|label| label == "Python");
                keeper.change(|kept| kept.picked = Some(python));
            }
        })
    };
    html! {
        <section class="host-panel" data-host={host.name.clone()} aria-label={format!("host {}", host.name)}>
            <h2>
                { into_html(format!(r#"{}<span class="address">{}</span>"#, escape(&host.name), escape(&host.address))) }
                <span class="host-tabs" role="tablist" onclick={pick}>
                    <button type="button" role="tab" class="host-tab" aria-selected={(!show_program).to_string()}>{ "Calls" }</button>
                    <button type="button" role="tab" class="host-tab" aria-selected={show_program.to_string()}>{ "Python" }</button>
                </span>
            </h2>
            <div class="sockets-box">{ into_html(sockets_table(view)) }</div>
            if show_program {
                { program_panel(&view.program, &props.send) }
            } else {
                { call_form(host, &keeper, &props.send) }
                // The newest call stays in view, as in a console (see .transcript-scroll in style.css).
                <div class="transcript-scroll">
                    <ol class="transcript" aria-label={format!("{}'s calls", host.name)}>
                        { into_html(transcript(&view.transcript)) }
                    </ol>
                </div>
            }
        </section>
    }
}

/// A socket's address as `ip:port`, or a dash when it has none (written by hand: core's
/// `SocketAddrV4` formatting is a copy of its own in the page).
fn endpoint(address: Option<SocketAddrV4>) -> String {
    address.map_or_else(|| "—".into(), |address| format!("{}:{}", address.ip(), address.port()))
}

/// The form that makes any socket call on the host, with the Python line it stands for. Its
/// state is kept by the host's panel.
fn call_form(view: &Caller, keeper: &Keeper, send: &Callback<Msg>) -> Html {
    let form = keeper.quietly(|kept| kept.form.get_or_insert_with(|| Form::new(view)).clone());
    let edit = |apply: fn(&mut Form, String)| form_editor::<Event>(keeper, apply);
    let edit_input = |apply: fn(&mut Form, String)| form_editor::<InputEvent>(keeper, apply);
    // A socket variable that was closed falls back to one still open.
    let mut current = form;
    if !view.variables.iter().any(|(name, _)| name == &current.socket) {
        if let Some((name, _)) = view.variables.last() {
            current.socket = name.clone();
        }
    }
    let action = current.action(view).map(Rc::new);
    let preview = match &action {
        Ok(action) => format!("&gt;&gt;&gt; {}", escape(&pyrepr::call_line(action))),
        Err(message) => format!(r#"<span class="missing">{}</span>"#, escape(message)),
    };
    let missing = action.is_err();
    let run = {
        let keeper = keeper.clone();
        let send = send.clone();
        let host = view.id;
        let name = view.name.clone();
        let current = current.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Ok(action) = &action else { return };
            let mut next = current.clone();
            if let Action::Socket { binds, kind } = &**action {
                next.socket = binds.clone();
                next.kind = *kind;
            }
            if let Action::Accept { binds, .. } = &**action {
                next.socket = binds.clone();
            }
            next.call = next_call(current.call, next.kind, &name);
            keeper.change(|kept| kept.form = Some(next));
            send.emit(Msg::Call { host, action: Rc::clone(action) });
        })
    };
    let needs_socket = current.call != "socket";
    let needs_address = matches!(current.call, "bind" | "connect" | "sendto");
    let needs_text = matches!(current.call, "send" | "sendall" | "sendto");
    let needs_bufsize = matches!(current.call, "recv" | "recvfrom");
    let address_list = format!("addresses-{}", view.id);
    let mut addresses = String::new();
    if current.call == "bind" {
        addresses
            .push_str(r#"<option value="0.0.0.0">every address</option><option value="">'' (every address)</option>"#);
    }
    addresses.push_str(r#"<option value="127.0.0.1">loopback</option>"#);
    for (name, address) in &view.peers {
        let _ = write!(addresses, r#"<option value="{}">{}</option>"#, escape(address), escape(name));
    }
    let mut calls = String::new();
    for call in CALLS {
        option(&mut calls, call, call == current.call, &format!("{call}()"));
    }
    let mut sockets = String::new();
    if view.variables.is_empty() {
        sockets.push_str(r#"<option value="">no socket yet</option>"#);
    }
    for (name, kind) in &view.variables {
        let label = format!("{name} ({})", if *kind == SocketKind::Tcp { "TCP" } else { "UDP" });
        option(&mut sockets, name, *name == current.socket, &label);
    }
    html! {
            <form class="call-form" onsubmit={run}>
                <div class="call-fields">
                    <select name="call" aria-label="call" onchange={edit(|form, value| {
                        form.call = CALLS.iter().find(|&&call| call == value).copied().unwrap_or("socket");
                    })}>
                        { into_html(calls) }
                    </select>
                    if needs_socket {
                        <select name="socket" aria-label="socket" onchange={edit(|form, value| form.socket = value)}>
                            { into_html(sockets) }
                        </select>
                    } else {
                        <select name="kind" aria-label="socket type" onchange={edit(|form, value| {
                            form.kind = if value == "udp" { SocketKind::Udp } else { SocketKind::Tcp };
                        })}>
                            { fixed(if current.kind == SocketKind::Tcp {
                                r#"<option value="tcp" selected>TCP (SOCK_STREAM)</option><option value="udp">UDP (SOCK_DGRAM)</option>"#
                            } else {
                                r#"<option value="tcp">TCP (SOCK_STREAM)</option><option value="udp" selected>UDP (SOCK_DGRAM)</option>"#
                            }) }
                        </select>
                    }
                    if needs_address {
                        // `bind` has an address of its own, the others share one.
                        <input name="address" aria-label="address" list={address_list.clone()} size="11"
                            value={if current.call == "bind" { &current.bind_address } else { &current.address }.clone()}
                            oninput={edit_input(|form, value| {
                                if form.call == "bind" { form.bind_address = value } else { form.address = value }
                            })} />
                        <datalist id={address_list}>{ into_html(addresses) }</datalist>
                        <input name="port" aria-label="port" type="number" class="port" value={current.port.clone()}
                            oninput={edit_input(|form, value| form.port = value)} />
                    }
                    if current.call == "listen" {
                        <input name="backlog" aria-label="backlog" type="number" class="port" value={current.backlog.clone()}
                            oninput={edit_input(|form, value| form.backlog = value)} />
                    }
                    if needs_text {
                        <input name="text" aria-label="text to send" size="12" value={current.text.clone()}
                            oninput={edit_input(|form, value| form.text = value)} />
                    }
                    if needs_bufsize {
                        <input name="bufsize" aria-label="bufsize" type="number" class="port" value={current.bufsize.clone()}
                            oninput={edit_input(|form, value| form.bufsize = value)} />
                    }
                    <button type="submit" class="run-call" disabled={missing}>{ "Call" }</button>
                </div>
                <code class="preview">{ into_html(preview) }</code>
            </form>
    }
}

/// The sockets' table, as markup.
fn sockets_table(view: &HostView) -> String {
    if view.sockets.is_empty() {
        return r#"<p class="no-sockets">No open sockets.</p>"#.into();
    }
    let mut out = String::from(
        r#"<table class="sockets"><thead><tr><th>socket</th><th>local ⇄ remote</th><th>state</th></tr></thead><tbody>"#,
    );
    for socket in &view.sockets {
        out.push_str(r#"<tr class="socket"#);
        if socket.waiting.is_some() {
            out.push_str(" waiting");
        }
        out.push('"');
        if let Some(fd) = socket.fd {
            let _ = write!(out, r#" data-fd="{fd}""#);
        }
        let state = escape(&socket.state);
        let _ = write!(out, r#" data-state="{state}"><td>"#);
        match (&socket.variable, socket.fd) {
            (Some(variable), Some(fd)) => {
                let _ = write!(out, "{} · fd {fd}", escape(variable));
            }
            (None, Some(fd)) => {
                let _ = write!(out, "fd {fd}");
            }
            (_, None) if socket.state == "TIME-WAIT" => out.push_str("(closed)"),
            (_, None) => out.push_str("(not yet accepted)"),
        }
        let kind = if socket.kind == SocketKind::Tcp { "TCP" } else { "UDP" };
        let _ = write!(
            out,
            r#"<small class="kind">{kind}</small></td><td class="mono">{} ⇄ {}<div class="extra">"#,
            escape(&socket.local),
            escape(&socket.remote)
        );
        let _ = match (socket.queue, socket.unread, socket.unsent) {
            (Some((queued, capacity)), _, _) => write!(out, "accept queue {queued}/{capacity}"),
            (None, 0, 0) => Ok(()),
            (None, unread, 0) => write!(out, "{unread} B unread"),
            (None, 0, unsent) => write!(out, "{unsent} B unsent"),
            (None, unread, unsent) => write!(out, "{unread} B unread, {unsent} B unsent"),
        };
        out.push_str("</div>");
        if let Some(waiting) = socket.waiting {
            let _ = write!(out, r#"<div class="waits">⏳ {}</div>"#, escape(waiting));
        }
        let _ = write!(
            out,
            r#"</td><td><span class="state {}">{state}</span></td></tr>"#,
            escape(&state_class(&socket.state))
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The transcript's lines, as markup.
fn transcript(lines: &[CallLine]) -> String {
    let mut out = String::new();
    for line in lines {
        let (class, result) = match &line.outcome {
            Outcome::Blocked => ("blocked", Some(Cow::Borrowed("⏳ blocked…"))),
            Outcome::Returned(value) if value == "None" => ("returned", None),
            Outcome::Returned(value) => ("returned", Some(Cow::Owned(format!("→ {}", escape(value))))),
            Outcome::Raised(error) => ("raised", Some(escape(error))),
        };
        let _ = write!(
            out,
            r#"<li class="{class}"><span class="time">{}</span><code>{}</code>"#,
            time_label(line.at),
            escape(&line.code)
        );
        if let Some(result) = result {
            let _ = write!(out, r#"<span class="result">{result}</span>"#);
        }
        out.push_str("</li>");
    }
    out
}
