//! The top bar's link to the inbox, with the number of unread messages (live).

use crate::api::events::use_live;
use crate::settings::use_texts;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn InboxLink() -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    let unread = Memo::new(move |_| live.unread_total());
    view! {
        <A href="/inbox" attr:class="link-button inbox-link"
            attr:aria-label=move || match unread.get() {
                0 => t.get().chat.nav_inbox.to_string(),
                n => format!("{} ({n} {})", t.get().chat.nav_inbox, t.get().chat.unread),
            }>
            {move || t.get().chat.nav_inbox}
            {move || (unread.get() > 0).then(|| view! { <span class="unread-badge" aria-hidden="true">{unread.get()}</span> })}
        </A>
    }
}
