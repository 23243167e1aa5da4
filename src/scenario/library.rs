//! The lessons socksim ships, compiled into the binary.
//!
//! Each is a lesson file under `src/scenario/lessons/`, numbered as in the course material.

use super::lesson::{HostSpec, Lesson, LinkSpec};
use crate::sim::{Impairments, Ipv4Address};

/// A built-in lesson: its id (the file name without `.json`) and its text.
pub struct BuiltIn {
    pub id: &'static str,
    pub text: &'static str,
}

macro_rules! lessons {
    ($($id:literal),* $(,)?) => {
        &[$(BuiltIn { id: $id, text: include_str!(concat!("lessons/", $id, ".json")) }),*]
    };
}

/// Every built-in lesson, in course order.
pub const BUILT_IN: &[BuiltIn] = lessons![
    "01-hello-server",
    "03-uppercase-tcp",
    "04-uppercase-udp",
    "05-nobody-home",
    "06-loopback-only",
    "07-letters-out-of-order",
    "09-full-accept-queue",
];

/// The network the page opens on: a client and a server on one clean 10 ms link, nothing running.
pub fn default_network() -> Lesson {
    let host = |name: &str, address: [u8; 4]| HostSpec {
        name: name.into(),
        address: Ipv4Address::from(address),
        script: Vec::new(),
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
    }
}

/// A built-in lesson by id.
pub fn find(id: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|lesson| lesson.id == id)
}
