//! A part's own state, which draws the part again when it is set. Each [`Memo`](super::memo::Memo)
//! keeps one [`Slot`] for whatever state its part keeps: Yew's hooks (`use_state`) would make a
//! reducer and a dispatcher for each type of state, and a component of its own for each part far
//! more code.

use std::any::Any;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

pub struct Kept<T> {
    cell: Rc<RefCell<T>>,
    redraw: Callback<()>,
}

impl<T> Clone for Kept<T> {
    fn clone(&self) -> Self {
        Kept { cell: Rc::clone(&self.cell), redraw: self.redraw.clone() }
    }
}

impl<T> Kept<T> {
    /// The state as it is now (which a listener reads when it is called, not as it was drawn).
    pub fn get(&self) -> Ref<'_, T> {
        self.cell.borrow()
    }

    /// Changes the state without drawing the part again (while it is being drawn).
    pub fn quietly<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        change(&mut self.cell.borrow_mut())
    }

    /// Changes the state, then draws the part again.
    pub fn change(&self, change: impl FnOnce(&mut T)) {
        change(&mut self.cell.borrow_mut());
        self.redraw.emit(());
    }
}

/// Where a part keeps its state, of whatever type, from one drawing to the next.
pub struct Slot {
    state: RefCell<Option<Rc<dyn Any>>>,
    redraw: Callback<()>,
}

impl Slot {
    /// An empty slot; `redraw` draws its part again.
    pub fn new(redraw: Callback<()>) -> Slot {
        Slot { state: RefCell::new(None), redraw }
    }

    /// What draws the part again.
    pub fn redraw(&self) -> Callback<()> {
        self.redraw.clone()
    }

    /// The part's state, made by `init` when the part is first drawn.
    pub fn kept<T: 'static>(&self, init: impl FnOnce() -> T) -> Kept<T> {
        let mut state = self.state.borrow_mut();
        let cell = state.take().and_then(|kept| kept.downcast::<RefCell<T>>().ok());
        let cell = cell.unwrap_or_else(|| Rc::new(RefCell::new(init())));
        *state = Some(Rc::clone(&cell) as Rc<dyn Any>);
        Kept { cell, redraw: self.redraw.clone() }
    }
}
