//! Opening an invoice or a payment by its number, side by side.

use crate::i18n::{Texts, tr, use_texts};
use crate::nav::use_nav;
use crate::tasks::RwSignal;
use leptos::prelude::*;

/// One "number → page" box: `what` names it (`invoice`, `payment`), `path` the page.
fn lookup_box(what: &'static str, label: fn(&Texts) -> &'static str, path: &'static str) -> impl IntoView {
    let t = use_texts();
    let nav = use_nav();
    let value = RwSignal::new(String::new());
    let bad = RwSignal::new(false);
    let id = format!("lookup-{what}");
    let error_id = format!("{id}-error");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match value.with_untracked(|v| v.trim().parse::<u64>().ok()).filter(|n| *n > 0) {
            Some(n) => nav.go(&format!("{path}/{n}"), false),
            None => bad.set(true),
        }
    };
    view! {
        <form class="lookup-box" on:submit=submit novalidate>
            <label for=id.clone()>{move || label(t.get())}</label>
            <div class="row">
                <input id=id type="text" inputmode="numeric" autocomplete="off" prop:value=move || value.get()
                    aria-invalid=move || bad.get().to_string() aria-describedby=error_id.clone()
                    on:input=move |ev| { value.set(event_target_value(&ev)); bad.set(false); } />
                <button type="submit" class="button">{tr(|t| t.open)}</button>
            </div>
            <p id=error_id class="field-error" hidden=move || !bad.get()>{tr(|t| t.invoice_id_rule)}</p>
        </form>
    }
}

/// An invoice by number and a payment by number.
#[component]
pub fn Lookup() -> impl IntoView {
    view! {
        <div class="lookup row">
            {lookup_box("invoice", |t| t.open_invoice_label, "/invoice")}
            {lookup_box("payment", |t| t.open_payment_label, "/payment")}
        </div>
    }
}
