//! The lessons socksim ships, compiled into the binary.
//!
//! Each is a lesson file under `src/scenario/lessons/`, numbered as in the course material.

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

/// A built-in lesson by id.
pub fn find(id: &str) -> Option<&'static BuiltIn> {
    BUILT_IN.iter().find(|lesson| lesson.id == id)
}
