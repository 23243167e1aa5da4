//! The side panel: tabs for the packet list, the inspector, the network editor and the lesson.

use std::fmt::Write;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::inspector;
use super::markup::{attribute_at, closest, element, escape, fixed, index, into_html, within};
use super::memo::memo;
use super::model::{Model, ModelHandle, Msg, Prediction, Tab};
use super::network_editor;
use super::packets::PacketListProps;
use super::{download, fetch};

/// The tabs: what each shows, its label, and the name its button says in `data-tab`.
const TABS: [(Tab, &str, &str); 4] = [
    (Tab::Packets, "Packets", "packets"),
    (Tab::Inspector, "Inspector", "inspector"),
    (Tab::Network, "Network", "network"),
    (Tab::Lesson, "Lesson", "lesson"),
];

pub fn view(handle: &ModelHandle, send: &Callback<Msg>) -> Html {
    let model = &*handle.0.borrow();
    let content = match model.tab {
        // Each tab's part is told from the others by its key: one opened anew starts afresh.
        Tab::Packets => memo(
            Some("packets".into()),
            Rc::new(PacketListProps { model: handle.clone(), shown: model.shown(), send: send.clone() }),
        ),
        Tab::Inspector => memo(Some("inspector".into()), Rc::new(inspector::props(model, send))),
        Tab::Network => memo(Some("network".into()), Rc::new(network_editor::props(model, send))),
        Tab::Lesson => lesson(handle, model, send),
    };
    // One listener for the tabs, which say which they are in `data-tab`.
    let onclick = {
        let send = send.clone();
        Callback::from(move |event: MouseEvent| {
            let Some(pressed) = attribute_at(&event, "data-tab") else { return };
            if let Some(&(tab, ..)) = TABS.iter().find(|(_, _, name)| pressed == *name) {
                send.emit(Msg::Tab(tab));
            }
        })
    };
    html! {
        <aside class="side">
            <div class="tabs" role="tablist" {onclick}>
                { for TABS.iter().map(|&(tab, label, name)| {
                    let selected = model.tab == tab;
                    html! {
                        <button role="tab" class="tab" aria-selected={selected.to_string()} data-tab={name}>
                            { label }
                        </button>
                    }
                }) }
            </div>
            <div class="tab-body" role="tabpanel">{ content }</div>
        </aside>
    }
}

/// The lesson's intro and checkpoints, each with its verdict once its time has come. A question
/// is answered before the run reaches it ("predict, then run"); its verdict is then shown beside
/// the prediction.
fn lesson(handle: &ModelHandle, model: &Model, send: &Callback<Msg>) -> Html {
    let player = model.session.player();
    let lesson = player.lesson();
    let heading = into_html(format!("<h2>{}</h2><p>{}</p>", escape(&lesson.title), escape(&lesson.intro)));
    if lesson.checkpoints.is_empty() {
        return html! {
            <div class="lesson">
                { heading }
                { lesson_files(handle, send) }
                { fixed(r#"<p class="empty">Free play: no checkpoints. Open a lesson from the menu for a guided run.</p>"#) }
            </div>
        };
    }
    // One listener for the choices: a choice's checkpoint and place in its list say which it is.
    let predict = {
        let send = send.clone();
        Callback::from(move |event: MouseEvent| {
            if let Some((checkpoint, choice)) = choice_at(&event) {
                send.emit(Msg::Predict { checkpoint, choice });
            }
        })
    };
    html! {
        <div class="lesson">
            { heading }
            { lesson_files(handle, send) }
            <ol class="checkpoints" onclick={predict}>
                { for lesson.checkpoints.iter().zip(player.results()).enumerate().map(|(number, (checkpoint, result))| {
                    let question = checkpoint.question.clone().unwrap_or_else(|| lesson.describe(&checkpoint.expect));
                    let (class, mark) = match result {
                        Some(result) if result.passed => ("passed", "✔"),
                        Some(_) => ("failed", "✘"),
                        None => ("pending", "…"),
                    };
                    let prediction = model.predictions.get(number).copied().unwrap_or(Prediction::Skipped);
                    let asking = model.asking == Some(number);
                    // Once decided, a question the student answered is marked by their prediction.
                    let (mark, predicted) = match (result, prediction) {
                        (Some(_), Prediction::Made(choice)) if checkpoint.answer == Some(choice) => ("✔", " right"),
                        (Some(_), Prediction::Made(_)) => ("✘", " wrong"),
                        _ => (mark, ""),
                    };
                    let mut head = format!(
                        r#"<span class="mark{predicted}" aria-hidden="true">{mark}</span><span class="question">{}</span><small class="at"> (at {} s)</small>"#,
                        escape(&question),
                        crate::decimal::plain(checkpoint.at)
                    );
                    if asking {
                        head.push_str(r#"<p class="predict">Predict first: pick what you think will happen, and the run goes on.</p>"#);
                    }
                    let mut tail = String::new();
                    if let Some(result) = result {
                        if let Prediction::Made(choice) = prediction {
                            tail.push_str(if checkpoint.answer == Some(choice) {
                                r#"<p class="verdict right">✔ Your prediction was right.</p>"#
                            } else {
                                r#"<p class="verdict wrong">✘ Not what happened.</p>"#
                            });
                        }
                        let _ = write!(tail, r#"<p class="observed">{}</p>"#, escape(&result.observed));
                    }
                    let class = if asking { format!("{class} asking") } else { class.to_string() };
                    let choices = checkpoint.choices.iter().enumerate().map(|(index, choice)| {
                        let right = result.is_some() && checkpoint.answer == Some(index);
                        let picked = prediction == Prediction::Made(index);
                        let class = match (right, picked) {
                            (true, true) => Some("answer picked"),
                            (true, false) => Some("answer"),
                            (false, true) => Some("picked"),
                            (false, false) => None,
                        };
                        element("li", &["class"], vec![class.map(String::from)], html! {
                            <button type="button" class="choice" disabled={result.is_some()}
                                aria-pressed={picked.to_string()}>{ choice }</button>
                        })
                    });
                    element("li", &["class", "data-checkpoint"], vec![Some(class), Some(number.to_string())], html! {
                        <>
                            { into_html(head) }
                            if !checkpoint.choices.is_empty() {
                                <ul class="choices">{ for choices }</ul>
                            }
                            { into_html(tail) }
                        </>
                    })
                }) }
            </ol>
        </div>
    }
}

/// The checkpoint and the choice of the choice button an event happened on.
fn choice_at(event: &MouseEvent) -> Option<(usize, usize)> {
    let item = closest(event, "button.choice")?.parent_element()?;
    let checkpoint = index(&item.closest("[data-checkpoint]").ok()??.get_attribute("data-checkpoint")?)?;
    let mut choice = 0;
    let mut before = item.previous_element_sibling();
    while let Some(element) = before {
        choice += 1;
        before = element.previous_element_sibling();
    }
    Some((checkpoint, choice))
}

/// Saving the lesson as it is now (its network as edited, its seed) as a lesson file, and opening
/// one. Both are fixed markup with one listener each on their box.
fn lesson_files(handle: &ModelHandle, send: &Callback<Msg>) -> Html {
    let save = {
        let model = handle.clone();
        Callback::from(move |event: MouseEvent| {
            if !within(&event, "button.save-lesson") {
                return;
            }
            let model = model.0.borrow();
            let lesson = model.session.lesson();
            download::save(&file_name(&lesson.title), "application/json", lesson.to_json().as_bytes());
        })
    };
    let open = {
        let send = send.clone();
        Callback::from(move |event: Event| {
            let Some(field) = event.target().and_then(|target| target.dyn_into::<HtmlInputElement>().ok()) else {
                return;
            };
            let send = send.clone();
            fetch::chosen_file(&field, move |text| match text {
                Ok(text) => send.emit(Msg::OpenFile(text)),
                Err(why) => send.emit(Msg::Notice(format!("That file could not be read: {why}."))),
            });
            // Choosing the same file again opens it again.
            field.set_value("");
        })
    };
    html! {
        <div class="lesson-files" onclick={save} onchange={open}>
            { fixed(concat!(
                r#"<button type="button" class="save-lesson" title="Download this lesson (as its network is now) as a lesson file">⤓ Save lesson file</button>"#,
                r#"<label class="open-lesson" title="Open a lesson file from your computer"><input type="file" accept=".json,application/json">Open lesson file…</label>"#,
            )) }
        </div>
    }
}
/// A file name for a lesson: its title in lower case, words joined by dashes.
fn file_name(title: &str) -> String {
    // Words are runs of ASCII letters and digits; one pass over the bytes writes them.
    let mut name = String::new();
    let mut between = false;
    for b in title.bytes() {
        if b.is_ascii_alphanumeric() {
            if between && !name.is_empty() {
                name.push('-');
            }
            between = false;
            name.push(char::from(b.to_ascii_lowercase()));
        } else {
            between = true;
        }
    }
    if name.is_empty() {
        "lesson.json".into()
    } else {
        name + ".json"
    }
}
