//! Files the page fetches from beside itself: a built-in lesson's file, when it is opened.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::XmlHttpRequest;

/// Fetches the built-in lesson `id` from `lessons/` beside the page (a relative address, so the
/// page works from any folder of any server), then calls `done` with its text or why it could not
/// be had.
pub fn lesson(id: &str, done: impl FnOnce(Result<String, String>) + 'static) {
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

/// Why the browser refused a request, in its words.
fn reason(error: JsValue) -> String {
    error.dyn_into::<js_sys::Error>().map_or_else(|_| "the request failed".into(), |error| error.message().into())
}
