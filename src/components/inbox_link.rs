//! The top bar's way to the inbox, with the unread count.

use crate::i18n::tr;
use crate::i18n::use_texts;
use crate::state::use_live;
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
                0 => t.get().nav_inbox.to_string(),
                n => format!("{} ({n} {})", t.get().nav_inbox, t.get().unread),
            }>
            {tr(|t| t.nav_inbox)}
            {move || (unread.get() > 0).then(|| view! { <span class="unread-badge" aria-hidden="true">{unread.get()}</span> })}
        </A>
    }
}
