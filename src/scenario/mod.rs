//! Lessons: the files that set up a network, script its hosts and say what should come of it.
//!
//! - [`lesson`]: the versioned JSON format and its checking.
//! - [`player`]: runs a lesson on the engine and checks its checkpoints.
//! - [`pyrepr`]: Python's spelling of calls and values, for transcripts.
//! - [`library`]: the lessons socksim ships, and the default network the page opens on.
//! - [`session`]: a person's session: a lesson played, their actions recorded, rewound by replay.

pub mod lesson;
pub mod library;
pub mod player;
pub mod program;
pub mod pyrepr;
pub mod session;

pub use lesson::{Lesson, LessonError};
pub use player::{CheckpointResult, Outcome, Player, TranscriptLine};
pub use session::{Intent, Recorded, Revision, Session};
