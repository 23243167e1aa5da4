//! The side panel: tabs for the packet list, the inspector, the network editor and the lesson.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::inspector::{self, Inspector};
use super::model::{Model, ModelHandle, Msg, Prediction, Tab};
use super::network_editor::{self, NetworkEditor};
use super::packets::PacketList;
use super::{download, fetch};

const TABS: [(Tab, &str); 4] =
    [(Tab::Packets, "Packets"), (Tab::Inspector, "Inspector"), (Tab::Network, "Network"), (Tab::Lesson, "Lesson")];

pub fn view(handle: &ModelHandle, send: &Callback<Msg>) -> Html {
    let model = &*handle.0.borrow();
    let content = match model.tab {
        Tab::Packets => html! { <PacketList model={handle.clone()} shown={model.shown()} send={send.clone()} /> },
        Tab::Inspector => html! { <Inspector ..inspector::props(model, send) /> },
        Tab::Network => html! { <NetworkEditor ..network_editor::props(model, send) /> },
        Tab::Lesson => lesson(model, send),
    };
    html! {
        <aside class="side">
            <div class="tabs" role="tablist">
                { for TABS.iter().map(|&(tab, label)| {
                    let onclick = send.reform(move |_: MouseEvent| Msg::Tab(tab));
                    let selected = model.tab == tab;
                    html! {
                        <button role="tab" class="tab" aria-selected={selected.to_string()} data-tab={label.to_ascii_lowercase()} {onclick}>
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
fn lesson(model: &Model, send: &Callback<Msg>) -> Html {
    let player = model.session.player();
    let lesson = player.lesson();
    if lesson.checkpoints.is_empty() {
        return html! {
            <div class="lesson">
                <h2>{ &lesson.title }</h2>
                <p>{ &lesson.intro }</p>
                { lesson_files(model, send) }
                <p class="empty">{ "Free play: no checkpoints. Open a lesson from the menu for a guided run." }</p>
            </div>
        };
    }
    html! {
        <div class="lesson">
            <h2>{ &lesson.title }</h2>
            <p>{ &lesson.intro }</p>
            { lesson_files(model, send) }
            <ol class="checkpoints">
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
                        (Some(_), Prediction::Made(choice)) if checkpoint.answer == Some(choice) => ("✔", Some("right")),
                        (Some(_), Prediction::Made(_)) => ("✘", Some("wrong")),
                        _ => (mark, None),
                    };
                    html! {
                        <li class={classes!(class, asking.then_some("asking"))} data-checkpoint={number.to_string()}>
                            <span class={classes!("mark", predicted)} aria-hidden="true">{ mark }</span>
                            <span class="question">{ question }</span>
                            <small class="at">{ format!(" (at {} s)", crate::decimal::plain(checkpoint.at)) }</small>
                            if asking {
                                <p class="predict">{ "Predict first: pick what you think will happen, and the run goes on." }</p>
                            }
                            if !checkpoint.choices.is_empty() {
                                <ul class="choices">
                                    { for checkpoint.choices.iter().enumerate().map(|(index, choice)| {
                                        let right = result.is_some() && checkpoint.answer == Some(index);
                                        let picked = prediction == Prediction::Made(index);
                                        let onclick = send.reform(move |_: MouseEvent| Msg::Predict { checkpoint: number, choice: index });
                                        html! {
                                            <li class={classes!(right.then_some("answer"), picked.then_some("picked"))}>
                                                <button type="button" class="choice" disabled={result.is_some()}
                                                    aria-pressed={picked.to_string()} {onclick}>{ choice }</button>
                                            </li>
                                        }
                                    }) }
                                </ul>
                            }
                            if let Some(result) = result {
                                if let Prediction::Made(choice) = prediction {
                                    <p class={classes!("verdict", if checkpoint.answer == Some(choice) { "right" } else { "wrong" })}>
                                        { if checkpoint.answer == Some(choice) { "✔ Your prediction was right." } else { "✘ Not what happened." } }
                                    </p>
                                }
                                <p class="observed">{ &result.observed }</p>
                            }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

/// Saving the lesson as it is now (its network as edited, its seed) as a lesson file, and opening one.
fn lesson_files(model: &Model, send: &Callback<Msg>) -> Html {
    let save = {
        let lesson = model.session.lesson();
        let (text, title) = (lesson.to_json(), lesson.title.clone());
        Callback::from(move |_: MouseEvent| download::save(&file_name(&title), "application/json", text.as_bytes()))
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
        <div class="lesson-files">
            <button type="button" class="save-lesson" onclick={save} title="Download this lesson (as its network is now) as a lesson file">
                { "⤓ Save lesson file" }
            </button>
            <label class="open-lesson" title="Open a lesson file from your computer">
                <input type="file" accept=".json,application/json" onchange={open} />
                { "Open lesson file…" }
            </label>
        </div>
    }
}

/// A file name for a lesson: its title in lower case, words joined by dashes.
fn file_name(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "lesson.json".into()
    } else {
        words.join("-") + ".json"
    }
}
