//! A component's own state that draws the component again when it is set: a `use_mut_ref` and a
//! `use_force_update`. Yew's `use_state` makes a reducer and a dispatcher for each type of state
//! it keeps; this makes far less code for each.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

pub struct Kept<T> {
    cell: Rc<RefCell<T>>,
    redraw: UseForceUpdateHandle,
}

impl<T> Clone for Kept<T> {
    fn clone(&self) -> Self {
        Kept { cell: Rc::clone(&self.cell), redraw: self.redraw.clone() }
    }
}

/// State made by `init` when the component is first drawn.
#[hook]
pub fn use_kept<T: 'static>(init: impl FnOnce() -> T) -> Kept<T> {
    Kept { cell: use_mut_ref(init), redraw: use_force_update() }
}

impl<T> Kept<T> {
    /// The state as it is now (which a listener reads when it is called, not as it was drawn).
    pub fn get(&self) -> Ref<'_, T> {
        self.cell.borrow()
    }

    /// Changes the state without drawing the component again (while it is being drawn).
    pub fn quietly<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        change(&mut self.cell.borrow_mut())
    }

    /// Changes the state, then draws the component again.
    pub fn change(&self, change: impl FnOnce(&mut T)) {
        change(&mut self.cell.borrow_mut());
        self.redraw.force_update();
    }
}
