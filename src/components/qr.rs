//! A QR code drawn as one SVG path (no images, no inline styles).

use crate::i18n::TextSignal;
use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

/// The path data of `text`'s QR code, and its size in modules (with a 2-module margin).
pub fn path(text: &str) -> Option<(String, i32)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut d = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{} {}h1v1h-1z", x + 2, y + 2));
            }
        }
    }
    Some((d, n + 4))
}

/// Props: `text` to encode, `label` for screen readers.
#[component]
pub fn QrCode(#[prop(into)] text: String, #[prop(into)] label: TextSignal) -> impl IntoView {
    path(&text).map(|(d, size)| {
        view! {
            <svg class="qr" role="img" aria-label=move || label.get() viewBox=format!("0 0 {size} {size}")
                xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">
                <path d=d fill="#000" />
            </svg>
        }
    })
}
