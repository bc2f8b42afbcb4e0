//! An invoice status as a coloured badge that also says it in words.

use crate::format;
use crate::i18n::use_texts;
use leptos::prelude::*;

/// Props: `status`, an `Invoice.InvoiceStatus` value.
#[component]
pub fn StatusBadge(status: i32) -> impl IntoView {
    let t = use_texts();
    let parts = move || format::status(status, t.get());
    view! { <span class=move || format!("badge badge-{}", parts().1)>{move || parts().0}</span> }
}
