//! The state of the live events' link in words (`Live`, `Reconnecting in 4 s`…), for the
//! screens that depend on it.

use crate::i18n::chat::{ChatTexts, use_texts as use_chat_texts};
use crate::state::{Link, use_live};
use leptos::prelude::*;

fn text(link: Link, tc: &ChatTexts) -> String {
    match link {
        Link::Off => tc.link_off.to_string(),
        Link::Connecting => tc.link_connecting.to_string(),
        Link::Live => tc.link_live.to_string(),
        Link::Down(s) => format!("{} {s} s", tc.link_down),
    }
}

#[component]
pub fn LinkState() -> impl IntoView {
    let live = use_live();
    let tc = use_chat_texts();
    view! { <span class="link-state muted small" role="status">{move || text(live.link.get(), tc.get())}</span> }
}
