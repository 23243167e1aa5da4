//! Files the page fetches from beside itself: a built-in lesson's file, when it is opened.

use js_sys::futures::JsFuture;
use wasm_bindgen::{JsCast, JsValue};

/// The text of the built-in lesson `id`, from `lessons/` beside the page (a relative address, so
/// the page works from any folder of any server), or why it could not be had.
pub async fn lesson(id: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("the page has no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(&format!("lessons/{id}.json"))).await.map_err(reason)?.unchecked_into();
    if !response.ok() {
        return Err(format!("the server answered {} {}", response.status(), response.status_text()));
    }
    let text = JsFuture::from(response.text().map_err(reason)?).await.map_err(reason)?;
    text.as_string().ok_or_else(|| "the file is not text".into())
}

/// Why a fetch failed, in the browser's words.
fn reason(error: JsValue) -> String {
    error.dyn_into::<js_sys::Error>().map_or_else(|_| "the request failed".into(), |error| error.message().into())
}
