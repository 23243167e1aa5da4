//! Files the page reads: a built-in lesson's file, fetched from beside the page when it is opened,
//! and a lesson file the person chose from their computer.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::XmlHttpRequest;

/// Fetches the built-in lesson `id` from `lessons/` beside the page (a relative address, so the
/// page works from any folder of any server), then calls `done` with its text or why it could not
/// be had.
pub fn lesson(id: &str, done: impl FnOnce(Result<String, String>) + 'static) {
    fetch_lesson(id, Box::new(done));
}

/// The type of what is called once a file has been read: its text, or why it could not be had.
/// Taken as one boxed type, so that each caller's handler does not make its own copy of the code
/// below.
type Done<T> = Box<dyn FnOnce(Result<T, String>)>;

fn fetch_lesson(id: &str, done: Done<String>) {
    let request = match XmlHttpRequest::new() {
        Ok(request) => request,
        Err(error) => return done(Err(reason(error))),
    };
    if let Err(error) = request.open("GET", &format!("lessons/{id}.json")) {
        return done(Err(reason(error)));
    }
    if let Err(error) = request.send() {
        return done(Err(reason(error)));
    }
    // The request ends in a later task, so a handler set now hears how.
    let answered = request.clone();
    let ended = Closure::once_into_js(move || {
        let status = answered.status().unwrap_or(0);
        done(match answered.response_text() {
            Ok(Some(text)) if status == 200 => Ok(text),
            _ if status == 0 => Err("the request failed (is the server still running?)".into()),
            _ => Err(format!("the server answered {status} {}", answered.status_text().unwrap_or_default())),
        })
    });
    request.set_onloadend(Some(ended.unchecked_ref()));
}

/// Reads the file chosen in a file field as text, then calls `done` with it or why it could not
/// be read. Nothing happens if no file was chosen.
pub fn chosen_file(field: &web_sys::HtmlInputElement, done: impl FnOnce(Result<String, String>) + 'static) {
    read_chosen(field, Box::new(done));
}

fn read_chosen(field: &web_sys::HtmlInputElement, done: Done<String>) {
    let Some(file) = field.files().and_then(|files| files.get(0)) else { return };
    if file.size() > crate::scenario::lesson::limits::FILE_BYTES as f64 {
        let limit = crate::scenario::lesson::limits::FILE_BYTES / 1024;
        return done(Err(format!("{} is larger than a lesson may be ({limit} KiB)", file.name())));
    }
    await_promise(
        &file.text(),
        Box::new(move |text| done(text.and_then(|text| text.as_string().ok_or_else(|| "it is not text".into())))),
    );
}

/// Calls `done` once `promise` settles: with its value, or with why it was rejected.
pub fn settled(promise: &JsValue, done: impl FnOnce(Result<JsValue, String>) + 'static) {
    await_promise(promise, Box::new(done));
}

fn await_promise(promise: &JsValue, done: Done<JsValue>) {
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let failed = done.clone();
    let resolved = Closure::once_into_js(move |value: JsValue| {
        if let Some(done) = done.borrow_mut().take() {
            done(Ok(value));
        }
    });
    let rejected = Closure::once_into_js(move |error: JsValue| {
        if let Some(done) = failed.borrow_mut().take() {
            done(Err(reason(error)));
        }
    });
    // `then` called by hand: the handlers are one-shot closures the browser frees once called.
    if let Ok(then) = js_sys::Reflect::get(promise, &"then".into()).and_then(|then| then.dyn_into::<js_sys::Function>())
    {
        let _ = then.call2(promise, &resolved, &rejected);
    }
}

/// Why the browser refused a request, in its words.
fn reason(error: JsValue) -> String {
    error.dyn_into::<js_sys::Error>().map_or_else(|_| "the request failed".into(), |error| error.message().into())
}
