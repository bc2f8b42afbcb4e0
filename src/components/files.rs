//! Reading files the user picked or dropped.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The bytes of a picked file.
pub async fn bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| "the file could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The text of a picked file (PEM certificates and keys).
pub async fn text(file: &web_sys::File) -> Result<String, String> {
    let value = JsFuture::from(file.text()).await.map_err(|_| "the file could not be read".to_string())?;
    value.as_string().ok_or_else(|| "the file is not text".to_string())
}

/// The files of an `<input type=file>` change event.
pub fn from_input(ev: &web_sys::Event) -> Vec<web_sys::File> {
    let list = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).and_then(|i| i.files());
    list_files(list)
}

/// The files of a drop event.
pub fn from_drop(ev: &web_sys::DragEvent) -> Vec<web_sys::File> {
    list_files(ev.data_transfer().and_then(|d| d.files()))
}

fn list_files(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A `blob:` URL showing image bytes (revoke it when done).
pub fn image_url(bytes: &[u8]) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Image type by the first bytes (what the service checks too).
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}
