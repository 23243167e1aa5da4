//! A host's Python program: the editor (line numbers, colouring, the line each thread is on and
//! the one it is blocked on), run and stop, and the console with a line for `input()`.
//!
//! The editor keeps what the person types as its own state, so typing redraws only the editor;
//! what the session reports (the program's state, its threads' lines, its console) comes in as
//! a [`ProgramView`], drawn again only when the session changed.

use std::fmt::Write;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::kept::{Kept, Slot};
use super::markup::{escape, fixed, into_html};
use super::memo::{memo, same, Part};
use super::model::{Model, Msg};
use super::toolbar::time_label;
use crate::python::syntax::{self, Kind};
use crate::python::{Status, ThreadLine};
use crate::scenario::program::{HostProgram, Run};
use crate::sim::HostId;

/// The console lines a panel keeps (the newest).
const CONSOLE_LINES: usize = 200;

/// Where a host's program is, as the panel says it.
#[derive(Clone, Debug, PartialEq)]
pub enum ProgramState {
    /// The host runs no program.
    None,
    /// It starts at this time (microseconds).
    Starts(i64),
    Running,
    /// A loop that never blocks: it runs on, a slice of virtual time per budget of steps.
    Busy,
    /// Every thread waits for a socket call.
    Blocked,
    Input,
    Sleeping,
    Exited(i32),
}

impl ProgramState {
    fn of(program: &HostProgram) -> ProgramState {
        if let Some(code) = program.exit_code() {
            return ProgramState::Exited(code);
        }
        match program.run() {
            Run::NotStarted => ProgramState::Starts(program.start().total_micros()),
            Run::Refused(_) => ProgramState::Exited(1),
            Run::Started(process) => match process.status() {
                Status::Runnable => ProgramState::Busy,
                Status::Waiting { input: true, .. } => ProgramState::Input,
                Status::Waiting { calls, .. } if !calls.is_empty() => ProgramState::Blocked,
                Status::Waiting { wake_at: Some(_), .. } => ProgramState::Sleeping,
                Status::Waiting { .. } => ProgramState::Running,
                Status::Finished { exit_code } => ProgramState::Exited(*exit_code),
            },
        }
    }

    fn label(&self) -> String {
        match self {
            ProgramState::None => "not running".into(),
            ProgramState::Starts(at) => format!("starts at {}", time_label(*at)),
            ProgramState::Running => "running".into(),
            ProgramState::Busy => "busy: a loop that never blocks".into(),
            ProgramState::Blocked => "blocked in a socket call".into(),
            ProgramState::Input => "waiting for a line (input)".into(),
            ProgramState::Sleeping => "sleeping".into(),
            ProgramState::Exited(code) => format!("exited with status {code}"),
        }
    }

    fn is_live(&self) -> bool {
        !matches!(self, ProgramState::None | ProgramState::Exited(_))
    }
}

/// A console line, numbered from the program's first line (so that a new line leaves the
/// others be).
#[derive(Clone, PartialEq)]
pub struct ConsoleLine {
    pub number: usize,
    pub at: i64,
    pub stream: &'static str,
    pub text: String,
}

/// What the panel shows of a host's program.
#[derive(Clone, PartialEq)]
pub struct ProgramView {
    pub host: HostId,
    pub file: String,
    /// The text the program was started with (the editor starts from it).
    pub source: String,
    pub state: ProgramState,
    pub threads: Vec<ThreadLine>,
    pub console: Vec<ConsoleLine>,
}

impl ProgramView {
    pub fn of(model: &Model, host: HostId, host_name: &str) -> ProgramView {
        let Some(program) = model.session.player().program(host) else {
            return ProgramView {
                host,
                file: format!("{host_name}.py"),
                source: String::new(),
                state: ProgramState::None,
                threads: Vec::new(),
                console: Vec::new(),
            };
        };
        let console = program.console().map_or_else(Vec::new, |console| {
            let lines = console.lines();
            let first = lines.len().saturating_sub(CONSOLE_LINES);
            lines
                .iter()
                .enumerate()
                .skip(first)
                .map(|(index, line)| ConsoleLine {
                    number: console.dropped() + index,
                    at: line.at.total_micros(),
                    stream: line.stream.name(),
                    text: line.text.clone(),
                })
                .collect()
        });
        ProgramView {
            host,
            file: program.file().into(),
            source: program.source().into(),
            threads: program.process().map(|process| process.current_lines()).unwrap_or_default(),
            state: ProgramState::of(program),
            console,
        }
    }
}

/// The editor, its buttons and the console. Not a part of its own: the editor is one, and the
/// rest is drawn again with the host's panel.
pub fn program_panel(view: &ProgramView, send: &Callback<Msg>) -> Html {
    let host = view.host;
    let live = view.state.is_live();
    let type_line = {
        let send = send.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let form = event.target().and_then(|target| target.dyn_into::<web_sys::Element>().ok());
            let field = form.and_then(|form| form.query_selector("input").ok().flatten());
            if let Some(field) = field.and_then(|field| field.dyn_into::<HtmlInputElement>().ok()) {
                send.emit(Msg::TypeLine { host, text: field.value() });
                field.set_value("");
            }
        })
    };
    let status_class = match view.state {
        ProgramState::Exited(0) => "program-state ok",
        ProgramState::Exited(_) => "program-state failed",
        ProgramState::Blocked | ProgramState::Input => "program-state waiting",
        _ => "program-state",
    };
    let mut label = view.state.label();
    if let Some(thread) = view.threads.iter().find(|thread| thread.waiting) {
        if view.state == ProgramState::Blocked {
            label = format!("blocked on line {}", thread.line);
        }
    }
    html! {
        <div class="program">
            { memo(None, Rc::new(Editor {
                host,
                file: view.file.clone(),
                source: view.source.clone(),
                threads: view.threads.clone(),
                live,
                send: send.clone(),
                status: (status_class, label),
            })) }
            <div class="console-scroll">
                <ol class="console" aria-label="console">{ into_html(console(&view.console)) }</ol>
            </div>
            <form class="console-input" onsubmit={type_line}>
                <input name="line" aria-label="type a line" autocomplete="off" disabled={!live}
                    placeholder={if view.state == ProgramState::Input { "input() waits: type a line and press Enter" } else { "type a line for input()" }} />
            </form>
        </div>
    }
}

/// The console's lines, as markup. A time is shown once for the lines written at it (a
/// traceback's, say).
fn console(lines: &[ConsoleLine]) -> String {
    let mut out = String::new();
    let mut last = None;
    for line in lines {
        let time = if last == Some(line.at) { String::new() } else { time_label(line.at) };
        last = Some(line.at);
        let _ = write!(
            out,
            r#"<li class="{}"><span class="time">{time}</span><span class="text">{}</span></li>"#,
            line.stream,
            escape(&line.text)
        );
    }
    out
}

/// What the editor holds: the text being edited, and where it scrolls.
struct Draft {
    text: String,
    scroller: NodeRef,
    /// The program's text the editor last started from.
    source: String,
    /// The line the editor last scrolled to, once it has been drawn (see [`Editor::focus`]).
    scrolled_for: Option<Option<u32>>,
}

/// Replaces the text being edited.
fn rewrite(draft: &Kept<Draft>, text: String) {
    draft.change(|draft| draft.text = text);
}

/// The text a person edits, laid over its coloured copy, with line numbers and the lines the
/// threads are on.
#[derive(PartialEq)]
struct Editor {
    host: HostId,
    file: String,
    source: String,
    threads: Vec<ThreadLine>,
    live: bool,
    send: Callback<Msg>,
    /// The program's state, its class and its label, shown beside the run and stop buttons.
    status: (&'static str, String),
}

impl Editor {
    fn draft(&self, slot: &Slot) -> Kept<Draft> {
        slot.kept(|| Draft {
            text: self.source.clone(),
            scroller: NodeRef::default(),
            source: self.source.clone(),
            scrolled_for: None,
        })
    }

    /// The line a thread is blocked on, or else runs.
    fn focus(&self) -> Option<u32> {
        self.threads.iter().find(|thread| thread.waiting).or(self.threads.first()).map(|thread| thread.line)
    }
}

impl Part for Editor {
    fn draw(&self, slot: &Slot) -> Html {
        editor(self, slot)
    }

    fn same(&self, other: &dyn Part) -> bool {
        same(self, other)
    }

    /// The line a thread is blocked on (or else runs) is scrolled into view when it changes.
    fn drawn(&self, slot: &Slot) {
        let draft = self.draft(slot);
        let focus = self.focus();
        if draft.get().scrolled_for == Some(focus) {
            return;
        }
        draft.quietly(|draft| draft.scrolled_for = Some(focus));
        let scroller = draft.get().scroller.cast::<HtmlElement>();
        if let (Some(line), Some(scroller)) = (focus, scroller) {
            scroll_to_line(&scroller, line);
        }
    }
}

fn editor(props: &Editor, slot: &Slot) -> Html {
    let draft = props.draft(slot);
    // A new program (a lesson opened, the network rebuilt) replaces what was being edited.
    let text = &draft.quietly(|draft| {
        if draft.source != props.source {
            draft.source.clone_from(&props.source);
            draft.text.clone_from(&props.source);
        }
        draft.text.clone()
    });
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = event.target().and_then(|target| target.dyn_into::<HtmlTextAreaElement>().ok()) {
                rewrite(&draft, area.value());
            }
        })
    };
    // Tab indents (four spaces, as Python programs do) instead of leaving the editor.
    let onkeydown = {
        let draft = draft.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() != "Tab" || event.shift_key() {
                return;
            }
            let Some(area) = event.target().and_then(|target| target.dyn_into::<HtmlTextAreaElement>().ok()) else {
                return;
            };
            event.prevent_default();
            let (start, end) = (area.selection_start().ok().flatten(), area.selection_end().ok().flatten());
            if let (Some(start), Some(end)) = (start, end) {
                let _ = area.set_range_text_with_start_and_end("    ", start, end);
                let _ = area.set_selection_range(start + 4, start + 4);
                rewrite(&draft, area.value());
            }
        })
    };
    let run = {
        let (send, draft, file, host) = (props.send.clone(), draft.clone(), props.file.clone(), props.host);
        Callback::from(move |_: MouseEvent| {
            let source = draft.get().text.clone();
            send.emit(Msg::RunProgram { host, file: file.clone(), source })
        })
    };
    let stop = {
        let host = props.host;
        props.send.reform(move |_: MouseEvent| Msg::StopProgram(host))
    };
    let scroller = draft.get().scroller.clone();
    let lines = text.split('\n').count();
    let columns = text.split('\n').map(|line| line.chars().count()).max().unwrap_or(0);
    let edited = props.live && *text != props.source;
    let mark = |line: usize| {
        let on_line = props.threads.iter().filter(|thread| thread.line as usize == line);
        on_line.fold(None, |mark, thread| if thread.waiting { Some("blocked") } else { mark.or(Some("current")) })
    };
    let mut gutter = String::new();
    for line in 1..=lines {
        match mark(line) {
            Some(class) => write!(gutter, r#"<li class="{class}">{line}</li>"#),
            None => write!(gutter, "<li>{line}</li>"),
        }
        .unwrap_or_default();
    }
    // The threads' marks, then the coloured copy of the text. The parser drops a newline right
    // after `<pre>`: the first one written is that one, so the text keeps its own.
    let mut coloured = String::new();
    for thread in &props.threads {
        let _ = write!(
            coloured,
            r#"<div class="line-mark {}" style="--line:{}" title="{}"></div>"#,
            if thread.waiting { "blocked" } else { "current" },
            thread.line,
            escape(&thread.thread)
        );
    }
    coloured.push_str("<pre class=\"coloured\" aria-hidden=\"true\">\n");
    for (kind, piece) in syntax::pieces(text) {
        match kind {
            Kind::Plain => coloured.push_str(&escape(piece)),
            kind => {
                let _ = write!(coloured, r#"<span class="{}">{}</span>"#, kind.class(), escape(piece));
            }
        }
    }
    coloured.push_str("\n</pre>");
    html! {
        <>
            <div class="program-bar">
                { into_html(format!(r#"<span class="file">{}</span>"#, escape(&props.file))) }
                <button type="button" class="run-program" onclick={run} disabled={text.trim().is_empty()}
                    title="Run the program on this host (a running one is stopped first)">
                    { if props.live { "↻ Restart" } else { "▶ Run" } }
                </button>
                <button type="button" class="stop-program" disabled={!props.live} onclick={stop}>{ "■ Stop" }</button>
                { into_html(format!(r#"<span class="{}">{}</span>"#, props.status.0, escape(&props.status.1))) }
                if edited {
                    { fixed(r#"<span class="edited">edited: restart to run it</span>"#) }
                }
            </div>
            <div class="editor-scroll" ref={scroller}>
                <div class="editor" style={format!("--lines:{lines};--columns:{columns}")}>
                    <ol class="gutter" aria-hidden="true">{ into_html(gutter) }</ol>
                    <div class="code">
                        { into_html(coloured) }
                        <textarea aria-label="program" spellcheck="false" autocapitalize="off" autocomplete="off"
                            wrap="off" value={text.clone()} {oninput} {onkeydown}
                            placeholder="Paste a Python socket program here, then press Run." />
                    </div>
                </div>
            </div>
        </>
    }
}

/// Scrolls the editor so that a line (from 1) is in view, a third of the way down, unless it is.
fn scroll_to_line(scroller: &HtmlElement, line: u32) {
    let Some(number) = scroller.query_selector(".gutter li").ok().flatten() else { return };
    let Ok(number) = number.dyn_into::<HtmlElement>() else { return };
    let height = number.offset_height();
    let top = (line as i32 - 1) * height;
    let (scrolled, visible) = (scroller.scroll_top(), scroller.client_height());
    if top < scrolled || top + height > scrolled + visible {
        scroller.set_scroll_top(top - visible / 3);
    }
}
