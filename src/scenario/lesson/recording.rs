//! A shared session as text: its lesson, the actions the person made (each at its virtual time)
//! and the time they were watching, which is what a "copy link" carries.
//!
//! ```json
//! { "lesson": { …a lesson file… }, "at": 2.5,
//!   "actions": [ { "us": 500000, "host": "server", "call": { "call": "socket", "type": "tcp", "as": "s" } },
//!                { "us": 812000, "drop": 3 },
//!                { "us": 900000, "run": "client", "file": "client.py", "source": "…" } ] }
//! ```
//!
//! Links come from strangers: the text is read with the lesson reader's checks, and an action is
//! checked as a script step of its host would be (its socket must be one the host has made).

use super::json::{self, Number, Value};
use super::write::{call_value, drop_next, impairments_value, Fields};
use super::{impairments, join, Checked, Checker, Lesson, LessonError, Object, RawImpairments, RawStep, ScriptChecker};
use crate::scenario::session::{Intent, Recorded};
use crate::sim::{Impairments, Instant};

/// At most this many actions in a shared session.
pub const MAX_ACTIONS: usize = 2_000;

/// What a shared link opens: a lesson, what was done to it, and the time to show.
pub struct Shared {
    pub lesson: Lesson,
    pub actions: Vec<Recorded>,
    pub at: Instant,
}

/// A session as the text a link carries.
pub fn write(lesson: &Lesson, actions: &[Recorded], at: Instant) -> String {
    let actions = actions.iter().map(|Recorded { at, intent }| {
        let mut fields = Fields::default();
        fields.add("us", Value::Number(Number::Int(at.total_micros())));
        let name = |host: &usize| lesson.hosts[*host].name.as_str();
        match intent {
            Intent::Call { host, action } => {
                fields.text("host", name(host)).add("call", call_value(action));
            }
            Intent::DropPacket { packet } => {
                fields.add("drop", Value::Number(Number::UInt(*packet)));
            }
            Intent::DropNext { link, from, kind } => {
                fields.add("drop_next", drop_next(lesson, *link, *from, *kind));
            }
            Intent::SetLink { link, from, impairments } => {
                fields.add("set_link", lesson.between(*link)).text("from", name(from));
                impairments_value(&mut fields, impairments);
            }
            Intent::Run { host, file, source } => {
                fields.text("run", name(host)).text("file", file).text("source", source);
            }
            Intent::Stop { host } => {
                fields.text("stop", name(host));
            }
            Intent::Type { host, text: line } => {
                fields.text("type", name(host)).text("text", line);
            }
        }
        Value::Object(fields.0)
    });
    let lesson = json::parse(&lesson.to_json()).expect("a lesson writes JSON");
    Value::Object(vec![
        ("lesson".into(), lesson),
        ("at".into(), Value::Number(Number::Float(at.total_micros() as f64 / 1e6))),
        ("actions".into(), Value::Array(actions.collect())),
    ])
    .to_text()
}

/// Reads a shared session, checking it as strictly as a lesson file.
pub fn read(text: &str) -> Result<Shared, LessonError> {
    check(text).map_err(|error| *error)
}

/// What [`read`] does, with the error boxed as the checks pass it.
fn check(text: &str) -> Checked<Shared> {
    let Value::Object(fields) =
        json::parse(text).map_err(|error| LessonError::new_fmt("", format_args!("not JSON ({error})")))?
    else {
        return Err(LessonError::new("", "a shared session is an object { \"lesson\": …, \"actions\": … }"));
    };
    let mut file = Object { fields, ..Object::default() };
    let lesson_text = match file.take("lesson") {
        Some(lesson) => lesson.to_text(),
        None => return Err(LessonError::new("lesson", "missing: this field is required")),
    };
    let lesson = Lesson::check(&lesson_text).map_err(|mut error| {
        error.field = join("lesson", &error.field);
        error
    })?;
    let at = file.number("at").unwrap_or(0.0);
    let mut actions = Vec::new();
    file.each("actions", &mut |_, field, value| actions.push((field, value)));
    file.done()?;
    if !(at.is_finite() && (0.0..=super::limits::SECONDS).contains(&at)) {
        return Err(LessonError::new_fmt(
            "at",
            format_args!(
                "{} is not a time from 0 to {} seconds",
                crate::decimal::plain(at),
                crate::decimal::plain(super::limits::SECONDS)
            ),
        ));
    }
    if actions.len() > MAX_ACTIONS {
        return Err(LessonError::new_fmt("actions", format_args!("{} actions; at most {MAX_ACTIONS}", actions.len())));
    }
    let checker = Checker { host_names: lesson.hosts.iter().map(|host| host.name.clone()).collect() };
    // What each host's calls may name: the variables its script binds, then those of earlier calls.
    let mut scripts: Vec<ScriptChecker> =
        lesson.hosts.iter().map(|host| ScriptChecker::knowing(&host.script)).collect();
    let mut recorded = Vec::new();
    let mut last = 0;
    for (field, value) in actions {
        let mut action = match value {
            Value::Object(fields) => Object { fields, path: field.clone(), ..Object::default() },
            _ => return Err(LessonError::new(&field, "an action is an object { \"us\": …, … }")),
        };
        let us = action.scalar("us", "a time in microseconds", Value::as_i64);
        let intent = read_intent(&mut action, &checker, &lesson, &mut scripts, &field)?;
        action.done()?;
        let us = us.ok_or_else(|| LessonError::at(&field, "us", "missing: this field is required"))?;
        if us < last || us as f64 > super::limits::SECONDS * 1e6 {
            return Err(LessonError::at(&field, "us", "actions are listed in time order, within the limits"));
        }
        last = us;
        recorded.push(Recorded { at: Instant::from_micros(us), intent });
    }
    Ok(Shared { lesson, actions: recorded, at: Instant::from_micros((at * 1e6).round() as i64) })
}

fn read_intent(
    action: &mut Object,
    checker: &Checker,
    lesson: &Lesson,
    scripts: &mut [ScriptChecker],
    field: &str,
) -> Checked<Intent> {
    let host = |action: &mut Object, key: &'static str| -> Checked<Option<usize>> {
        action.string(key).map(|name| checker.host(&name, field, key)).transpose()
    };
    if let Some(host) = host(action, "host")? {
        let call = action.object("call", RawStep::read).ok_or_else(|| LessonError::at(field, "call", "missing"))?;
        let step = scripts[host].step(&call, &join(field, "call"))?;
        return Ok(Intent::Call { host, action: step.action.into() });
    }
    if let Some(packet) = action.scalar("drop", "a packet number", Value::as_u64) {
        return Ok(Intent::DropPacket { packet });
    }
    if let Some(drop) = action.object("drop_next", super::RawDropNext::read) {
        let field = &join(field, "drop_next");
        let link = checker.link(&drop.between, &lesson.links, field, "between")?;
        let from = checker.link_end(drop.from.as_deref(), &lesson.links[link], field, "from")?;
        let kind = super::packet_kind(drop.kind.as_deref(), field, "kind")?;
        return Ok(Intent::DropNext { link, from, kind });
    }
    if let Some(between) = action.between("set_link") {
        let link = checker.link(&between, &lesson.links, field, "set_link")?;
        let from = host(action, "from")?.ok_or_else(|| LessonError::at(field, "from", "missing"))?;
        if !lesson.links[link].ends.contains(&from) {
            return Err(LessonError::at(field, "from", "is not an end of this link"));
        }
        let set = impairments(RawImpairments::read(action), Impairments::default(), field)?;
        return Ok(Intent::SetLink { link, from, impairments: set });
    }
    if let Some(host) = host(action, "run")? {
        let file = action.string("file").unwrap_or_else(|| format!("{}.py", lesson.hosts[host].name));
        let source = action.string("source").unwrap_or_default();
        if source.len() > super::limits::TEXT_BYTES || file.len() > super::limits::FILE_NAME_CHARS {
            return Err(LessonError::at(field, "source", "too long"));
        }
        return Ok(Intent::Run { host, file, source });
    }
    if let Some(host) = host(action, "stop")? {
        return Ok(Intent::Stop { host });
    }
    if let Some(host) = host(action, "type")? {
        let text = action.string("text").unwrap_or_default();
        if text.len() > super::limits::TEXT_BYTES {
            return Err(LessonError::at(field, "text", "too long"));
        }
        return Ok(Intent::Type { host, text });
    }
    Err(LessonError::new(field, "an action is one of host+call, drop, drop_next, set_link, run, stop, type"))
}
