//! The top bar's way to the notifications, with the one unread count: notifications and
//! messages together.

use crate::i18n::{tr, use_texts};
use crate::state::use_live;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn EventsLink() -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    let unread = Memo::new(move |_| live.unread_all());
    view! {
        <A href="/events" attr:class="link-button events-link"
            attr:aria-label=move || match unread.get() {
                0 => t.get().nav_events.to_string(),
                n => format!("{} ({n} {})", t.get().nav_events, t.get().unread),
            }>
            {tr(|t| t.nav_events)}
            {move || (unread.get() > 0).then(|| view! { <span class="unread-badge" aria-hidden="true">{unread.get()}</span> })}
        </A>
    }
}
