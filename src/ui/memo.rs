//! A part of the page drawn again only when what it is drawn from has changed.
//!
//! The page is drawn up to sixty times a second while the clock runs, but most frames only move
//! the clock: a [`Memo`] keeps its part as it is unless the part it is given is not the
//! [`same`](Part::same) as last time, or the part's own state ([`Slot`]) changed. Every part of
//! the page that is drawn apart (a panel, a host's panel, the packet list, the inspector, the
//! network editor, the program editor) is a [`Part`] in a `Memo`: one component for all of them.

use std::any::Any;
use std::rc::Rc;

use yew::prelude::*;
use yew::virtual_dom::{Key, VComp};

use super::kept::Slot;
use super::model::Shown;

/// What a [`Memo`] draws.
pub trait Part: Any {
    /// Draws the part; its own state is kept in `slot`.
    fn draw(&self, slot: &Slot) -> Html;

    /// Whether `other`, the part given to the same `Memo` last time, draws the same.
    fn same(&self, other: &dyn Part) -> bool;

    /// Called after each drawing, once the page shows it.
    fn drawn(&self, _slot: &Slot) {}
}

/// [`Part::same`] for a part compared as a whole.
pub fn same<T: Part + PartialEq>(this: &T, other: &dyn Part) -> bool {
    (other as &dyn Any).downcast_ref::<T>().is_some_and(|other| other == this)
}

#[derive(Properties)]
pub struct MemoProps {
    part: Rc<dyn Part>,
}

impl MemoProps {
    pub fn new(part: Rc<dyn Part>) -> MemoProps {
        MemoProps { part }
    }
}

impl PartialEq for MemoProps {
    fn eq(&self, other: &Self) -> bool {
        self.part.same(&*other.part)
    }
}

/// The component every part is drawn in. It is a struct component, not a function one: it needs
/// no hooks, and so the page has none of their code.
pub struct Memo {
    slot: Slot,
}

impl Component for Memo {
    /// Draws the part again (its state changed).
    type Message = ();
    type Properties = MemoProps;

    fn create(ctx: &Context<Self>) -> Memo {
        Memo { slot: Slot::new(ctx.link().callback(|()| ())) }
    }

    fn update(&mut self, _: &Context<Self>, (): ()) -> bool {
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        ctx.props().part.draw(&self.slot)
    }

    fn rendered(&mut self, ctx: &Context<Self>, _: bool) {
        ctx.props().part.drawn(&self.slot);
    }
}

/// A part in a [`Memo`]. Parts of different kinds at the same place are told apart by `key`, so
/// that one does not inherit the other's state.
pub fn memo(key: Option<Key>, part: Rc<dyn Part>) -> Html {
    VComp::new::<Memo>(Rc::new(MemoProps::new(part)), key).into()
}

/// A panel of the page: drawn again only when what the page shows ([`Shown`]) changed.
pub struct Panel {
    pub shown: Shown,
    pub draw: Box<dyn Fn() -> Html>,
}

impl Part for Panel {
    fn draw(&self, _: &Slot) -> Html {
        (self.draw)()
    }

    fn same(&self, other: &dyn Part) -> bool {
        (other as &dyn Any).downcast_ref::<Panel>().is_some_and(|other| other.shown == self.shown)
    }
}
