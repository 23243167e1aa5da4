//! A part of the page drawn again only when what it shows has changed.
//!
//! The page is drawn up to sixty times a second while the clock runs, but most frames only move
//! the clock: a [`Memo`] keeps its part as it is unless the [`Shown`] it was drawn for changed.

use std::rc::Rc;

use yew::prelude::*;

use super::model::Shown;

#[derive(Properties)]
pub struct MemoProps {
    pub shown: Shown,
    /// Draws the part; called only when `shown` changed.
    pub draw: Rc<dyn Fn() -> Html>,
}

impl PartialEq for MemoProps {
    fn eq(&self, other: &Self) -> bool {
        self.shown == other.shown
    }
}

#[component]
pub fn Memo(props: &MemoProps) -> Html {
    (props.draw)()
}
