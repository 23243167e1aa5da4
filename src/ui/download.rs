//! Saving bytes the page made (a capture) as a file the browser downloads.

use wasm_bindgen::JsCast;

/// Offers `bytes` for download as `name`. Does nothing if the browser refuses (no document).
pub fn save(name: &str, mime: &str, bytes: &[u8]) {
    let _ = try_save(name, mime, bytes);
}

fn try_save(name: &str, mime: &str, bytes: &[u8]) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let anchor = document.create_element("a").ok()?.dyn_into::<web_sys::HtmlAnchorElement>().ok()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).ok()
}
