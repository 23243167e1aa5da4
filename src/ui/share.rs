//! Links that carry a whole session: the lesson (hosts, links, programs, seed), the actions made
//! on it and the time shown (see `scenario::lesson::recording`), so that opening one replays the
//! same packets.
//!
//! The page's text is packed by the browser (`window.socksimShare` in index.html: deflate and
//! base64url, after `#share=` in the address), which costs the wasm nothing. A link is untrusted:
//! anything wrong with it leaves the default network open, with a message saying why.

use wasm_bindgen::JsCast;
use yew::Callback;

use super::model::{Model, Msg};
use crate::scenario::lesson::recording;

/// Puts a link to the session in the address bar and on the clipboard, then says so.
pub fn copy(model: &Model, send: Callback<Msg>) {
    let session = &model.session;
    let text = recording::write(session.lesson(), session.actions(), session.now());
    call(
        "copy",
        &text,
        Box::new(move |result| {
            send.emit(Msg::Notice(result.unwrap_or_else(|why| format!("The link could not be made: {why}."))));
        }),
    );
}

/// Opens the session of the `#share=` link the page was opened with, if it was.
pub fn open_from_address(send: Callback<Msg>) {
    let Some(hash) = web_sys::window().and_then(|window| window.location().hash().ok()) else { return };
    let Some(packed) = hash.strip_prefix("#share=") else { return };
    call(
        "open",
        packed,
        Box::new(move |result| match result {
            Ok(text) => send.emit(Msg::OpenShared(text)),
            Err(why) => send
                .emit(Msg::Notice(format!("This link could not be opened ({why}), so here is the default network."))),
        }),
    );
}

/// Calls `window.socksimShare[method](argument)`, then `done` with the string it resolves to or
/// why it failed.
fn call(method: &str, argument: &str, done: Box<dyn FnOnce(Result<String, String>)>) {
    let promise = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &"socksimShare".into()).ok())
        .and_then(|share| {
            let function = js_sys::Reflect::get(&share, &method.into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
            function.call1(&share, &argument.into()).ok()
        });
    let Some(promise) = promise else { return done(Err("this browser cannot".into())) };
    super::fetch::settled(&promise, move |value| {
        done(value.and_then(|value| value.as_string().ok_or_else(|| "no text".into())))
    });
}
