//! What the drawings show of a session at one [`Revision`]: the snapshot of hosts, sockets and
//! links, where the topology puts each card and wire, and the ladder's time axis.
//!
//! Between two revisions only the clock moves, so a scene is worked out once per revision and not
//! once per animation frame; each frame places the moving parts (envelopes, bursts and the
//! ladder's "now") from the clock alone.

use super::ladder;
use super::model::Model;
use super::topology::{Layout, Shape};
use crate::scenario::session::Revision;
use crate::sim::Snapshot;

pub struct Scene {
    /// The model's session count, the session's revision and the topology's shape this scene
    /// was made at.
    pub made_at: (u64, Revision, Shape),
    pub snapshot: Snapshot,
    pub layout: Layout,
    pub ladder: ladder::Plan,
}

impl Scene {
    pub fn of(model: &Model) -> Scene {
        let snapshot = model.session.network().snapshot();
        Scene {
            made_at: model.shown().scene,
            layout: Layout::of(&snapshot, model.shape),
            ladder: ladder::Plan::of(&model.session),
            snapshot,
        }
    }
}
