use std::rc::Rc;

use crate::html::ImplicitClone;

/// The [Listener] trait is an universal implementation of an event listener
/// which is used to bind Rust-listener to JS-listener (DOM).
pub trait Listener {
    /// Returns the name of the event
    fn kind(&self) -> ListenerKind;

    /// Handles an event firing
    fn handle(&self, event: web_sys::Event);

    /// Makes the event listener passive. See
    /// [addEventListener](https://developer.mozilla.org/en-US/docs/Web/API/EventTarget/addEventListener).
    fn passive(&self) -> bool;
}

impl std::fmt::Debug for dyn Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Listener {{ kind: {}, passive: {:?} }}",
            self.kind().as_ref(),
            self.passive(),
        )
    }
}

macro_rules! gen_listener_kinds {
    ($($kind:ident)*) => {
        /// Supported kinds of DOM event listeners
        // Using instead of strings to optimise registry collection performance by simplifying
        // hashmap hash calculation.
        #[derive(PartialEq, Eq, Hash, Debug)]
        // `u8`: the first byte is the index of the kind (see `static_name`).
        #[repr(u8)]
        #[allow(non_camel_case_types)]
        #[allow(missing_docs)]
        pub enum ListenerKind {
            $( $kind, )*
            other(std::borrow::Cow<'static, str>),
        }

        // Written out rather than derived: a derived `clone` matches every kind (1.7 KB of wasm).
        impl Clone for ListenerKind {
            fn clone(&self) -> Self {
                match self {
                    Self::other(type_name) => Self::other(type_name.clone()),
                    // SAFETY: every other kind is a variant without data, so a bitwise copy is a
                    // clone.
                    _ => unsafe { std::ptr::read(self) },
                }
            }
        }

        impl ListenerKind {
            /// The kind's name with its "on" prefix, or "" for `other`.
            fn static_name(&self) -> &'static str {
                // The names end to end and their lengths rather than a match: a match over every
                // kind is 1.6 KB of wasm.
                const NAMES: &str = concat!($( stringify!($kind), )*);
                const LENGTHS: &[u8] = &[$( stringify!($kind).len() as u8, )*];
                // SAFETY: `ListenerKind` is `repr(u8)`, so its first byte is its variant's index
                // (the index of `other` is past the table).
                let index = usize::from(unsafe { *(self as *const Self as *const u8) });
                match LENGTHS.get(index) {
                    Some(&length) => {
                        let start: usize = LENGTHS[..index].iter().map(|&l| usize::from(l)).sum();
                        &NAMES[start..start + usize::from(length)]
                    }
                    None => "",
                }
            }

            pub fn type_name(&self) -> std::borrow::Cow<'static, str> {
                match self {
                    Self::other(type_name) => type_name.clone(),
                    _ => self.static_name()[2..].into(),
                }
            }
        }

        impl AsRef<str> for ListenerKind {
            fn as_ref(&self) -> &str {
                match self {
                    Self::other(type_name) => type_name.as_ref(),
                    _ => self.static_name(),
                }
            }
        }
    };
}

// Only the kinds socksim uses (vendor/yew/PATCHES.md); `html/listener/events.rs` lists the same.
gen_listener_kinds! {
    onchange
    onclick
    oninput
    onkeydown
    onmousedown
    onmouseleave
    onmousemove
    onmouseover
    onscroll
    onsubmit
}

/// A list of event listeners
#[derive(Debug, Clone, ImplicitClone, Default)]
pub enum Listeners {
    /// No listeners registered or pending.
    /// Distinct from `Pending` with an empty slice to avoid an allocation.
    #[default]
    None,

    /// Not yet added to the element or registry
    Pending(Box<[Option<Rc<dyn Listener>>]>),
}

impl PartialEq for Listeners {
    fn eq(&self, rhs: &Self) -> bool {
        use Listeners::*;

        match (self, rhs) {
            (None, None) => true,
            (Pending(lhs), Pending(rhs)) => {
                if lhs.len() != rhs.len() {
                    false
                } else {
                    use std::option::Option::None;

                    lhs.iter()
                        .zip(rhs.iter())
                        .all(|(lhs, rhs)| match (lhs, rhs) {
                            (Some(lhs), Some(rhs)) => {
                                // We are okay with comparisons from different compilation units to
                                // result in false not-equal results. This should only lead in the
                                // worst-case to some unneeded re-renders.
                                #[allow(ambiguous_wide_pointer_comparisons)]
                                Rc::ptr_eq(lhs, rhs)
                            }
                            (None, None) => true,
                            _ => false,
                        })
                }
            }
            (None, Pending(pending)) | (Pending(pending), None) => pending.is_empty(),
        }
    }
}
