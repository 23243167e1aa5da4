//! The page, drawn with Yew. It only draws what the engine reports and never reaches into smoltcp.
//!
//! For now it runs the first lesson in the engine, inside the browser, and shows its calls,
//! packets and checkpoints; the interactive topology, ladder and socket panels come next.

use yew::prelude::*;

use crate::scenario::library;
use crate::scenario::player::{Outcome, Player};
use crate::scenario::{Lesson, LessonError};
use crate::sim::Fate;

/// One row of the packet table.
#[derive(Clone, PartialEq)]
pub struct PacketRow {
    pub id: u64,
    pub sent_ms: f64,
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub summary: String,
    pub fate: String,
}

/// One call of a host's script.
#[derive(Clone, PartialEq)]
pub struct CallRow {
    pub host: String,
    pub code: String,
    pub result: String,
    pub raised: bool,
}

/// What a lesson run shows.
#[derive(Clone, PartialEq)]
pub struct RunView {
    pub title: String,
    pub intro: String,
    pub calls: Vec<CallRow>,
    pub packets: Vec<PacketRow>,
    pub checkpoints: Vec<(String, bool, String)>,
}

fn milliseconds(micros: i64) -> f64 {
    micros as f64 / 1000.0
}

/// Runs a built-in lesson to its end and turns the result into rows.
pub fn run_lesson(id: &str) -> Result<RunView, LessonError> {
    let built_in = library::find(id)
        .ok_or_else(|| LessonError { field: String::new(), message: format!("there is no built-in lesson {id:?}") })?;
    let mut player = Player::new(Lesson::parse(built_in.text)?)?;
    player.run_to_end();
    let network = player.network();
    let name = |id: usize| network.host(id).map_or("?", |host| host.name()).to_string();
    let packets = network
        .trace()
        .records()
        .map(|record| PacketRow {
            id: record.id,
            sent_ms: milliseconds(record.sent_at.total_micros()),
            from: name(record.from),
            to: record.to.map_or_else(|| "(nobody)".into(), name),
            kind: record.summary.kind.label(),
            summary: record.summary.describe(),
            fate: match record.fate {
                Fate::Delivered { at } => format!("delivered at {:.1} ms", milliseconds(at.total_micros())),
                fate => fate.label().into(),
            },
        })
        .collect();
    let calls = player
        .transcript()
        .iter()
        .map(|line| CallRow {
            host: name(line.host),
            code: line.code.clone(),
            result: match &line.outcome {
                Outcome::Returned(value) => value.clone(),
                Outcome::Raised(error) => error.clone(),
                Outcome::Blocked => "… blocked".into(),
            },
            raised: matches!(line.outcome, Outcome::Raised(_)),
        })
        .collect();
    let lesson = player.lesson();
    let checkpoints = lesson
        .checkpoints
        .iter()
        .zip(player.results())
        .filter_map(|(checkpoint, result)| {
            let result = result.as_ref()?;
            let question = checkpoint.question.clone().unwrap_or_else(|| lesson.describe(&checkpoint.expect));
            Some((question, result.passed, result.observed.clone()))
        })
        .collect();
    Ok(RunView { title: lesson.title.clone(), intro: lesson.intro.clone(), calls, packets, checkpoints })
}

#[derive(Properties, PartialEq)]
pub struct LessonRunProps {
    pub lesson: AttrValue,
}

/// A lesson, run to its end in the engine: calls, packets, checkpoints.
#[component]
pub fn LessonRun(props: &LessonRunProps) -> Html {
    let run = use_memo(props.lesson.clone(), |id| run_lesson(id));
    let view = match &*run {
        Ok(view) => view,
        Err(error) => return html! { <p class="error" role="alert">{ format!("This lesson cannot run: {error}") }</p> },
    };
    html! {
        <article class="lesson-run">
            <h2>{ &view.title }</h2>
            <p class="intro">{ &view.intro }</p>
            <h3>{ "Socket calls" }</h3>
            <table class="calls">
                <thead><tr><th>{ "host" }</th><th>{ "Python" }</th><th>{ "result" }</th></tr></thead>
                <tbody>
                    { for view.calls.iter().map(|call| html! {
                        <tr class={classes!(call.raised.then_some("raised"))}>
                            <td>{ &call.host }</td><td><code>{ &call.code }</code></td><td><code>{ &call.result }</code></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "Packets" }</h3>
            <table class="packets">
                <thead><tr><th>{ "#" }</th><th>{ "sent (ms)" }</th><th>{ "from → to" }</th><th>{ "kind" }</th><th>{ "segment" }</th><th>{ "fate" }</th></tr></thead>
                <tbody>
                    { for view.packets.iter().map(|packet| html! {
                        <tr class="packet">
                            <td>{ packet.id }</td>
                            <td>{ format!("{:.1}", packet.sent_ms) }</td>
                            <td>{ format!("{} → {}", packet.from, packet.to) }</td>
                            <td><span class={classes!("kind", packet.kind.to_ascii_lowercase())}>{ packet.kind }</span></td>
                            <td><code>{ &packet.summary }</code></td>
                            <td>{ &packet.fate }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "Checkpoints" }</h3>
            <ul class="checkpoints">
                { for view.checkpoints.iter().map(|(question, passed, observed)| html! {
                    <li class={classes!(if *passed { "passed" } else { "failed" })}>
                        <span class="mark">{ if *passed { "✔" } else { "✘" } }</span>
                        { question }<br /><small>{ observed }</small>
                    </li>
                }) }
            </ul>
        </article>
    }
}

#[component]
pub fn App() -> Html {
    html! {
        <main>
            <header>
                <h1>{ "socksim" }</h1>
                <p>{ "A socket simulator: every host runs a real TCP/IP stack (smoltcp), here, in your browser." }</p>
            </header>
            <LessonRun lesson="01-hello-server" />
        </main>
    }
}

/// Mounts the page on the document's body.
pub fn mount() {
    yew::Renderer::<App>::new().render();
}
