//! The toolbar: lesson menu, time controls (reset, step back, play, step, speed, timeline, seed)
//! and the capture download; and the hint line under it.

use std::fmt::Write;

use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::fetch;
use super::markup::{attribute_at, element, escape, fixed, index, into_html, option, value_at, within};
use super::model::{Model, Msg, SPEEDS};
use crate::decimal::Rounded;
use crate::scenario::library;

/// A virtual time for people: `0.000 s`, `12.345 ms` below a second.
pub fn time_label(micros: i64) -> String {
    if micros.abs() < 1_000_000 {
        format!("{} ms", Rounded(micros as f64 / 1000.0, 3))
    } else {
        format!("{} s", Rounded(micros as f64 / 1e6, 4))
    }
}

fn select(event: &Event) -> Option<HtmlSelectElement> {
    event.target()?.dyn_into().ok()
}

/// Opens the lesson the menu names (fetching its file), or the default network. If the file cannot
/// be had, the menu goes back to `current` and the notice says why.
fn open_chosen(menu: HtmlSelectElement, current: &'static str, send: Callback<Msg>) {
    let id = menu.value();
    if id.is_empty() {
        send.emit(Msg::Open(None));
        return;
    }
    fetch::lesson(&id.clone(), move |text| match text {
        // Unless another lesson was chosen meanwhile.
        Ok(text) if menu.value() == id => send.emit(Msg::Open(Some((id, text)))),
        Ok(_) => {}
        Err(why) => {
            menu.set_value(current);
            send.emit(Msg::Notice(format!("The lesson {id} could not be opened: {why}.")));
        }
    });
}

/// A number field's or slider's value, as the browser reads it (which spares the page Rust's own
/// reading of decimal numbers).
pub fn input_number(event: &Event) -> Option<f64> {
    let number = event.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?.value_as_number();
    (!number.is_nan()).then_some(number)
}

/// What the toolbar's last buttons do: save the capture, save the ladder, copy a link.
pub struct Files {
    pub pcap: Callback<()>,
    pub ladder: Callback<()>,
    pub link: Callback<()>,
}

pub fn view(model: &Model, send: &Callback<Msg>, files: &Files) -> Html {
    let session = &model.session;
    let now = session.now().total_micros();
    let horizon = session.horizon().total_micros().max(now);
    // One listener for the buttons, which say what they do in `data-action`.
    let onclick = {
        let (send, files) = (send.clone(), (files.pcap.clone(), files.ladder.clone(), files.link.clone()));
        Callback::from(move |event: MouseEvent| match attribute_at(&event, "data-action").as_deref() {
            Some("reset") => send.emit(Msg::Reset),
            Some("step-back") => send.emit(Msg::StepBack),
            Some("play") => send.emit(Msg::TogglePlay),
            Some("step") => send.emit(Msg::Step),
            Some("pcap") => files.0.emit(()),
            Some("ladder") => files.1.emit(()),
            Some("share") => files.2.emit(()),
            _ => {}
        })
    };
    let open = {
        let send = send.clone();
        let current = model.lesson_id.unwrap_or_default();
        Callback::from(move |event: Event| {
            if let Some(menu) = select(&event) {
                open_chosen(menu, current, send.clone());
            }
        })
    };
    let speed = {
        let send = send.clone();
        Callback::from(move |event: Event| {
            if let Some(index) = index(&value_at(&event)) {
                send.emit(Msg::Speed(index));
            }
        })
    };
    let seek = {
        let send = send.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(micros) = input_number(&event) {
                send.emit(Msg::Seek(micros as i64));
            }
        })
    };
    let seed = {
        let send = send.clone();
        Callback::from(move |event: Event| {
            if let Ok(seed) = value_at(&event).trim().parse() {
                send.emit(Msg::Seed(seed));
            }
        })
    };
    let mut lessons = String::new();
    option(&mut lessons, "", model.lesson_id.is_none() && !model.opened_file, "Client and server (free play)");
    if model.lesson_id.is_none() && model.opened_file {
        let _ = write!(
            lessons,
            r#"<option value="file" selected disabled>{} (from a file)</option>"#,
            escape(&session.lesson().title)
        );
    }
    for lesson in library::BUILT_IN {
        let number = lesson.id.split('-').next().unwrap_or_default();
        option(&mut lessons, lesson.id, model.lesson_id == Some(lesson.id), &format!("{number} · {}", lesson.title));
    }
    let mut speeds = String::new();
    for (index, speed) in SPEEDS.iter().enumerate() {
        option(&mut speeds, &index.to_string(), index == model.speed, speed.label);
    }
    html! {
        <header class="toolbar" {onclick}>
            { fixed(r#"<span class="brand">socksim</span>"#) }
            <label class="lesson-menu">
                { fixed(r#"<span class="visually-hidden">Lesson</span>"#) }
                <select id="lesson" onchange={open} title="Open a lesson">{ into_html(lessons) }</select>
            </label>
            <div class="transport" role="group" aria-label="Time">
                { fixed(concat!(
                    r#"<button data-action="reset" title="Reset: back to 0 s, forget every action (R)">⟲<span class="visually-hidden">Reset</span></button>"#,
                    r#"<button data-action="step-back" title="Back to the previous packet event (←)">◂ back</button>"#,
                )) }
                { play_button(model.playing) }
                { fixed(r#"<button data-action="step" title="On to the next packet event (→)">step ▸</button>"#) }
            </div>
            <label class="speed" title="Playback speed: virtual seconds per second">
                { fixed(r#"<span class="visually-hidden">Speed</span>"#) }
                <select id="speed" onchange={speed}>{ into_html(speeds) }</select>
            </label>
            <label class="timeline">
                { fixed(r#"<span class="visually-hidden">Timeline</span>"#) }
                <input id="timeline" type="range" min="0" max={horizon.to_string()} step="1"
                    value={now.to_string()} oninput={seek}
                    aria-valuetext={time_label(now)} title="Drag to rewind and replay" />
            </label>
            { element(
                "output",
                &["id", "class", "title"],
                vec![
                    Some("clock".into()),
                    Some(if model.fast_forwarding { "clock fast" } else { "clock" }.into()),
                    Some(if model.fast_forwarding { "Nothing on the wires: fast-forwarding" } else { "Virtual time" }.into()),
                ],
                Html::from(time_label(now) + if model.fast_forwarding { " »" } else { "" }),
            ) }
            <label class="seed" title="The seed of the network's randomness: loss, jitter, ports, sequence numbers">
                { "seed " }
                <input id="seed" type="number" min="0" value={session.lesson().seed.to_string()} onchange={seed} />
            </label>
            { fixed(concat!(
                r#"<button data-action="pcap" title="Download every packet as a capture for Wireshark">⤓ pcap</button>"#,
                r#"<button data-action="ladder" title="Download the ladder as an SVG file, for slides">⤓ svg</button>"#,
                r#"<button data-action="share" title="Copy a link that opens this network and replays what you did">Link</button>"#,
            )) }
        </header>
    }
}

/// The play/pause button, of the toolbar and of an embedded page's control strip.
pub fn play_button(playing: bool) -> Html {
    let (label, icon) = if playing { ("Pause", "❚❚") } else { ("Play", "▶") };
    html! { <button data-action="play" class="play" aria-label={label} title={format!("{label} (space)")}>{ icon }</button> }
}

/// The line under the toolbar: the lesson's intro (or what to try first), and any notice.
pub fn hint(model: &Model, send: &Callback<Msg>) -> Html {
    let lesson = model.session.lesson();
    let dismiss = {
        let send = send.clone();
        Callback::from(move |event: MouseEvent| {
            if within(&event, "button.dismiss") {
                send.emit(Msg::Dismiss);
            }
        })
    };
    let markup = if let Some(notice) = &model.notice {
        format!(
            r#"<p class="notice" role="status">{}<button class="dismiss" aria-label="Dismiss">✕</button></p>"#,
            escape(notice)
        )
    } else if let Some(question) = model.asking.and_then(|index| lesson.checkpoints.get(index)?.question.as_ref()) {
        format!(
            r#"<p class="hint asking" role="status"><strong>Predict, then run: </strong>{} Pick an answer in the Lesson tab (or press play to skip it).</p>"#,
            escape(question)
        )
    } else if let Some((number, step)) = lesson.guide_at(model.session.now().total_micros() as f64 / 1e6) {
        format!(
            r#"<p class="hint guide" role="status"><strong>Step {} of {}: </strong>{}</p>"#,
            number + 1,
            lesson.guide.len(),
            escape(&step.text)
        )
    } else {
        let intro = escape(&lesson.intro);
        format!(r#"<p class="hint" title="{intro}"><strong>{}: </strong>{intro}</p>"#, escape(&lesson.title))
    };
    html! { <div class="hint-bar" onclick={dismiss}>{ into_html(markup) }</div> }
}
