//! The top bar's way to the inbox. (Unread messages are counted with the notifications, in
//! the one badge of `events_link`.)

use crate::i18n::tr;
use leptos::prelude::*;

#[component]
pub fn InboxLink() -> impl IntoView {
    view! { <a href="/inbox" class="link-button inbox-link">{tr(|t| t.nav_inbox)}</a> }
}
