//! The top bar's way to the notifications, with the one unread count: notifications and
//! messages together.

use crate::i18n::{tr, use_texts};
use crate::state::use_live;
use crate::tasks::Memo;
use leptos::prelude::*;

#[component]
pub fn EventsLink() -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    let unread = Memo::new(move |_| live.unread_all());
    view! {
        <a href="/events" class="link-button events-link"
            aria-label=move || match unread.get() {
                0 => t.get().nav_events.to_string(),
                n => format!("{} ({n} {})", t.get().nav_events, t.get().unread),
            }>
            {tr(|t| t.nav_events)}
            {move || (unread.get() > 0).then(|| view! { <span class="unread-badge" aria-hidden="true">{unread.get()}</span> })}
        </a>
    }
}
