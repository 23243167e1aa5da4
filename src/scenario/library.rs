//! The lessons socksim ships, and the network the page opens on.
//!
//! Each lesson is a file under `src/scenario/lessons/`, numbered as in the course material. The
//! command line has the files compiled in. The page has only their ids and titles, for its menu,
//! and fetches a file when it is opened (`lessons/` is copied beside the page): the files are
//! most of what a lesson weighs, and only one is needed at a time.

use super::lesson::{HostSpec, Lesson, LinkSpec};
use crate::sim::{Impairments, Ipv4Address};

/// A built-in lesson.
pub struct BuiltIn {
    /// The file's name without `.json`.
    pub id: &'static str,
    /// The file's title (a test checks that they agree).
    pub title: &'static str,
    /// The file.
    #[cfg(not(target_arch = "wasm32"))]
    pub text: &'static str,
}

macro_rules! lessons {
    ($($id:literal: $title:literal),* $(,)?) => {
        &[$(BuiltIn {
            id: $id,
            title: $title,
            #[cfg(not(target_arch = "wasm32"))]
            text: include_str!(concat!("lessons/", $id, ".json")),
        }),*]
    };
}

/// Every built-in lesson, in course order.
pub const BUILT_IN: &[BuiltIn] = lessons![
    "01-hello-server": "Hello, server",
    "02-echo-and-log": "Echo and log",
    "03-uppercase-tcp": "Uppercase over TCP",
    "04-uppercase-udp": "Uppercase over UDP",
    "05-nobody-home": "Nobody's home",
    "06-loopback-only": "Loopback only",
    "07-letters-out-of-order": "Letters out of order",
    "08-three-clients": "Three clients, one server",
    "09-full-accept-queue": "A full accept queue",
    "10-speak-the-right-language": "Speak the right language",
    "11-dns": "What is my address / DNS",
    "12-port-mapping": "Port mapping",
];

/// The network the page opens on: a client and a server on one clean 10 ms link, nothing running.
pub fn default_network() -> Lesson {
    let host = |name: &str, address: [u8; 4]| HostSpec {
        name: name.into(),
        address: Ipv4Address::from(address),
        script: Vec::new(),
        program: None,
    };
    Lesson {
        title: "Client and server".into(),
        intro: "Two hosts on one link. Open a TCP server on the server (socket, bind, listen, accept), then \
                connect to it from the client and watch the three-way handshake."
            .into(),
        seed: 1,
        duration: 60.0,
        hosts: vec![host("client", [10, 0, 0, 1]), host("server", [10, 0, 0, 2])],
        links: vec![LinkSpec { ends: [0, 1], impairments: [Impairments::default(); 2] }],
        events: Vec::new(),
        checkpoints: Vec::new(),
        guide: Vec::new(),
    }
}

/// A built-in lesson by id.
pub fn find(id: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|lesson| lesson.id == id)
}
