//! A counterparty named with their track record from `UserInfo`: invoices created, payments
//! made and received, member since, last online. The one way the app names someone it
//! deals with (myself: the name alone).

use crate::format;
use crate::i18n::activity::{ActivityTexts, tr as tr_act, use_texts as use_act_texts};
use crate::i18n::{Texts, use_texts};
use crate::state::use_live;
use leptos::prelude::*;
use schet_api::pb;

/// The track record in one line, e.g. `Invoices created: 12 · Payments made: 3 · Payments
/// received: 30 · Member since 3/1/2025 · Last online 2 h ago`.
pub fn track(u: &pb::UserInfo, now_ms: f64, t: &Texts, ta: &ActivityTexts) -> String {
    format!(
        "{}: {} · {}: {} · {}: {} · {} {} · {} {}",
        ta.track_invoices,
        u.invoices_created_count,
        ta.track_paid,
        u.payments_payed_count,
        ta.track_received,
        u.payments_received_count,
        ta.track_since,
        format::date(u.created_at.as_ref(), t),
        ta.track_online,
        format::ago(u.last_online.as_ref(), now_ms, t, ta.just_now, ta.ago),
    )
}

/// Props: `user`. A user the service did not describe (no name) shows as a dash.
#[component]
pub fn Person(user: pb::UserInfo) -> impl IntoView {
    let t = use_texts();
    let ta = use_act_texts();
    if user.username.is_empty() {
        return view! { <span class="person muted">"—"</span> }.into_any();
    }
    let name = user.username.clone();
    if use_live().me.get_untracked().as_deref() == Some(user.id.as_str()) {
        return view! { <span class="person"><strong class="person-name">{name}</strong></span> }.into_any();
    }
    let now = js_sys::Date::now();
    let record = move || track(&user, now, t.get(), ta.get());
    view! {
        <span class="person">
            <strong class="person-name">{name}</strong>
            " "
            <span class="track muted small" aria-label=tr_act(|t| t.track_label)>{record}</span>
        </span>
    }
    .into_any()
}
