//! The network editor: hosts (name and address, checked as a lesson file's are) and links, with
//! sliders for what each link does. Sliders change the running network at the current time; adding
//! or removing a host or a link builds a new network and starts the run again.

use yew::prelude::*;

use super::kept::{Kept, Slot};
use super::markup::{fixed, index, into_html, option, value_at};
use super::memo::{same, Part};
use super::model::{Model, Msg};
use super::toolbar::input_number;
use crate::decimal::plain;
use crate::scenario::lesson::{host_address, host_name, limits, HostSpec, LinkSpec};
use crate::scenario::Lesson;
use crate::sim::{Impairments, Ipv4Address};

/// What the network editor is drawn from.
#[derive(PartialEq)]
pub struct NetworkEditorProps {
    pub network: Network,
    /// What each of the network's links does now, in its first direction.
    pub impairments: Vec<Impairments>,
    pub send: Callback<Msg>,
}

pub fn props(model: &Model, send: &Callback<Msg>) -> NetworkEditorProps {
    let running = model.session.network();
    let lesson = model.session.lesson();
    let impairments = lesson
        .links
        .iter()
        .map(|link| {
            let [a, b] = link.ends;
            running.link_between(a, b).map_or(link.impairments[0], |id| running.links()[id].impairments(a))
        })
        .collect();
    NetworkEditorProps { network: Network::of(lesson), impairments, send: send.clone() }
}

/// What the editor edits: a lesson's hosts and links, and what a network built from them keeps of
/// the lesson. Its scripts, events and checkpoints name the hosts the lesson had, so once edited a
/// lesson loses them and becomes the person's own network.
#[derive(Clone, PartialEq)]
pub struct Network {
    title: String,
    intro: String,
    seed: u64,
    duration: f64,
    hosts: Vec<Host>,
    links: Vec<LinkSpec>,
}

#[derive(Clone, PartialEq)]
struct Host {
    name: String,
    address: Ipv4Address,
}

impl Network {
    fn of(lesson: &Lesson) -> Network {
        let scripted = !lesson.checkpoints.is_empty()
            || !lesson.events.is_empty()
            || lesson.hosts.iter().any(|host| !host.script.is_empty());
        let (title, intro) = if scripted {
            ("Your network".into(), "Hosts and links of your own: make calls from the hosts' panels.".into())
        } else {
            (lesson.title.clone(), lesson.intro.clone())
        };
        Network {
            title,
            intro,
            seed: lesson.seed,
            duration: lesson.duration,
            hosts: lesson.hosts.iter().map(|host| Host { name: host.name.clone(), address: host.address }).collect(),
            links: lesson.links.clone(),
        }
    }

    /// The lesson that builds this network: its hosts, with nothing to run yet.
    fn lesson(self) -> Lesson {
        Lesson {
            title: self.title,
            intro: self.intro,
            seed: self.seed,
            duration: self.duration,
            hosts: self
                .hosts
                .into_iter()
                .map(|host| HostSpec { name: host.name, address: host.address, script: Vec::new(), program: None })
                .collect(),
            links: self.links,
            events: Vec::new(),
            checkpoints: Vec::new(),
            guide: Vec::new(),
        }
    }

    /// The first address 10.0.0.N no host has.
    fn free_address(&self) -> Ipv4Address {
        (1..=254u8)
            .map(|last| Ipv4Address::new(10, 0, 0, last))
            .find(|address| self.hosts.iter().all(|host| host.address != *address))
            .unwrap_or(Ipv4Address::new(10, 0, 1, 1))
    }

    fn free_name(&self) -> String {
        (self.hosts.len() + 1..)
            .map(|number| format!("host{number}"))
            .find(|name| self.hosts.iter().all(|host| &host.name != name))
            .expect("some name is free")
    }
}

/// Gives host `index` the name typed, if it is a valid name no other host has.
fn rename(network: &mut Network, index: usize, typed: &str) -> Result<(), String> {
    let name = host_name(typed.trim())?;
    if network.hosts.iter().enumerate().any(|(other, host)| other != index && host.name == name) {
        return Err(format!("Another host is called {name}."));
    }
    network.hosts[index].name = name;
    Ok(())
}

/// Gives host `index` the address typed, if it is a host's address no other host has.
fn readdress(network: &mut Network, index: usize, typed: &str) -> Result<(), String> {
    let address = host_address(typed)?;
    if network.hosts.iter().enumerate().any(|(other, host)| other != index && host.address == address) {
        return Err(format!("Another host has the address {address}."));
    }
    network.hosts[index].address = address;
    Ok(())
}

/// Removes host `index` and its links.
fn remove_host(network: &mut Network, index: usize) {
    network.hosts.remove(index);
    network.links.retain(|link| !link.ends.contains(&index));
    for link in &mut network.links {
        for end in &mut link.ends {
            *end -= usize::from(*end > index);
        }
    }
}

/// Adds a host with a free name and address, linked to the first host.
fn add_host(network: &mut Network, _: usize) {
    let host = Host { name: network.free_name(), address: network.free_address() };
    network.hosts.push(host);
    if network.hosts.len() > 1 {
        let ends = [0, network.hosts.len() - 1];
        network.links.push(LinkSpec { ends, impairments: [Impairments::default(); 2] });
    }
}

fn remove_link(network: &mut Network, index: usize) {
    network.links.remove(index);
}

impl Part for NetworkEditorProps {
    fn draw(&self, slot: &Slot) -> Html {
        network_editor(self, slot)
    }

    fn same(&self, other: &dyn Part) -> bool {
        same(self, other)
    }
}

fn network_editor(props: &NetworkEditorProps, slot: &Slot) -> Html {
    let editing = slot.kept(Editing::default);
    let (error, link_ends, dragging) = {
        let now = editing.get();
        (now.error.clone(), now.link_ends, now.dragging)
    };
    let network = &props.network;

    let rebuild = {
        let send = props.send.clone();
        let editing = editing.clone();
        move |network: Network| {
            editing.change(|editing| editing.error = None);
            send.emit(Msg::Rebuild(Box::new(network.lesson())));
        }
    };
    let edit_host = |index: usize, change: fn(&mut Network, usize, &str) -> Result<(), String>| {
        let network = network.clone();
        let rebuild = rebuild.clone();
        let editing = editing.clone();
        Callback::from(move |event: Event| {
            let mut changed = network.clone();
            match change(&mut changed, index, &value_at(&event)) {
                Ok(()) => rebuild(changed),
                Err(message) => editing.change(|editing| editing.error = Some(message)),
            }
        })
    };
    let change = |index: usize, apply: fn(&mut Network, usize)| {
        let network = network.clone();
        let rebuild = rebuild.clone();
        Callback::from(move |_: MouseEvent| {
            let mut changed = network.clone();
            apply(&mut changed, index);
            rebuild(changed);
        })
    };
    let add_link = {
        let network = network.clone();
        let rebuild = rebuild.clone();
        let editing = editing.clone();
        let (a, b) = link_ends;
        Callback::from(move |_: MouseEvent| {
            let exists = network.links.iter().any(|link| link.ends == [a, b] || link.ends == [b, a]);
            let error = |message: &str| editing.change(|editing| editing.error = Some(message.into()));
            if a == b || a >= network.hosts.len() || b >= network.hosts.len() {
                error("A link joins two different hosts.");
            } else if exists {
                error("Those two hosts are linked already.");
            } else {
                let mut network = network.clone();
                network.links.push(LinkSpec { ends: [a, b], impairments: [Impairments::default(); 2] });
                rebuild(network);
            }
        })
    };
    let choose_end = |which: usize| {
        let editing = editing.clone();
        Callback::from(move |event: Event| {
            if let Some(host) = index(&value_at(&event)) {
                let (mut a, mut b) = editing.get().link_ends;
                if which == 0 {
                    a = host
                } else {
                    b = host
                }
                editing.change(|editing| editing.link_ends = (a, b));
            }
        })
    };
    let host_options = |selected: usize| {
        let mut options = String::new();
        for (index, host) in network.hosts.iter().enumerate() {
            option(&mut options, &index.to_string(), index == selected, &host.name);
        }
        into_html(options)
    };

    html! {
        <div class="network-editor">
            if let Some(message) = &error {
                <p class="error" role="alert">{ message }</p>
            }
            { fixed(r#"<h3>Hosts</h3>"#) }
            <table class="hosts-table">
                // Markup text would be read outside the table, which drops table rows: so not here.
                <thead><tr><th>{ "name" }</th><th>{ "address" }</th><th /></tr></thead>
                <tbody>
                    { for network.hosts.iter().enumerate().map(|(index, host)| html! {
                        <tr key={format!("{index}-{}", host.name)} data-host={host.name.clone()}>
                            <td><input class="host-name" aria-label={format!("name of host {}", index + 1)}
                                value={host.name.clone()} maxlength={limits::NAME_CHARS.to_string()} onchange={edit_host(index, rename)} /></td>
                            <td><input class="host-address" aria-label={format!("address of {}", host.name)}
                                value={host.address.to_string()} onchange={edit_host(index, readdress)} /></td>
                            <td><button class="remove" onclick={change(index, remove_host)} aria-label={format!("remove {}", host.name)}
                                disabled={network.hosts.len() <= 1}>{ "✕" }</button></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <button data-action="add-host" onclick={change(0, add_host)} disabled={network.hosts.len() >= limits::HOSTS}>
                { "+ Add a host" }
            </button>
            { fixed("<h3>Links</h3>") }
            { for network.links.iter().enumerate().map(|(index, link)| {
                let [a, b] = link.ends;
                let impairments = props.impairments.get(index).copied().unwrap_or_default();
                html! {
                    <fieldset class="link-editor" key={format!("{a}-{b}")} data-link={index.to_string()}>
                        <legend>
                            { format!("{} ⇄ {}", network.hosts[a].name, network.hosts[b].name) }
                            <button class="remove" onclick={change(index, remove_link)} aria-label="remove this link">{ "✕" }</button>
                        </legend>
                        { sliders(index, impairments, dragging, &editing, &props.send) }
                    </fieldset>
                }
            }) }
            if network.hosts.len() >= 2 {
                <p class="add-link">
                    <select aria-label="first host" onchange={choose_end(0)}>{ host_options(link_ends.0) }</select>
                    { " ⇄ " }
                    <select aria-label="second host" onchange={choose_end(1)}>{ host_options(link_ends.1) }</select>
                    <button data-action="add-link" onclick={add_link}>{ "+ Link them" }</button>
                </p>
            }
        </div>
    }
}

/// What the editor keeps while it is used: why the last edit was refused, the hosts chosen for
/// a new link, and a slider being dragged.
struct Editing {
    error: Option<String>,
    link_ends: (usize, usize),
    dragging: Option<Dragging>,
}

impl Default for Editing {
    fn default() -> Self {
        Editing { error: None, link_ends: (0, 1), dragging: None }
    }
}

/// A link whose slider is being dragged, and its impairments as the slider shows them so far.
#[derive(Clone, Copy)]
struct Dragging {
    link: usize,
    impairments: Impairments,
}

/// One slider: its label, range, and how it reads and writes the impairments.
struct Slider {
    name: &'static str,
    unit: &'static str,
    max: f64,
    get: fn(&Impairments) -> f64,
    set: fn(&mut Impairments, f64),
}

const SLIDERS: [Slider; 4] = [
    Slider {
        name: "delay",
        unit: "ms",
        max: 500.0,
        get: |i| i.delay_us as f64 / 1000.0,
        set: |i, v| i.delay_us = (v * 1000.0) as u64,
    },
    Slider {
        name: "jitter",
        unit: "ms",
        max: 200.0,
        get: |i| i.jitter_us as f64 / 1000.0,
        set: |i, v| i.jitter_us = (v * 1000.0) as u64,
    },
    Slider { name: "loss", unit: "%", max: 100.0, get: |i| i.loss_percent, set: |i, v| i.loss_percent = v },
    Slider {
        name: "duplication",
        unit: "%",
        max: 100.0,
        get: |i| i.duplicate_percent,
        set: |i, v| i.duplicate_percent = v,
    },
];

/// A link's sliders: the value shows while dragging; letting go changes the link (both ways).
fn sliders(
    link: usize,
    impairments: Impairments,
    dragging: Option<Dragging>,
    editing: &Kept<Editing>,
    send: &Callback<Msg>,
) -> Html {
    let shown = match dragging {
        Some(dragged) if dragged.link == link => dragged.impairments,
        _ => impairments,
    };
    html! {
        <div class="sliders">
            { for SLIDERS.iter().map(|slider| {
                let value = (slider.get)(&shown);
                let oninput = {
                    let editing = editing.clone();
                    let set = slider.set;
                    Callback::from(move |event: InputEvent| {
                        if let Some(value) = input_number(&event) {
                            let mut impairments = shown;
                            set(&mut impairments, value);
                            editing.change(|editing| editing.dragging = Some(Dragging { link, impairments }));
                        }
                    })
                };
                let onchange = {
                    let editing = editing.clone();
                    let send = send.clone();
                    let set = slider.set;
                    Callback::from(move |event: Event| {
                        if let Some(value) = input_number(&event) {
                            let mut impairments = shown;
                            set(&mut impairments, value);
                            editing.change(|editing| editing.dragging = None);
                            send.emit(Msg::SetLink { link, impairments });
                        }
                    })
                };
                html! {
                    <label class="slider" data-slider={slider.name}>
                        <span class="slider-name">{ slider.name }</span>
                        <input type="range" min="0" max={plain(slider.max)} step="1"
                            value={plain(value)} {oninput} {onchange} />
                        <output>{ format!("{} {}", plain(value), slider.unit) }</output>
                    </label>
                }
            }) }
        </div>
    }
}
