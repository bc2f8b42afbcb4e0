//! Start page: open an invoice by its number.

use crate::settings::use_texts;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Home() -> impl IntoView {
    let t = use_texts();
    let navigate = use_navigate();
    let (id, set_id) = signal(String::new());
    let (error, set_error) = signal(false);
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match id.get().trim().parse::<u64>() {
            Ok(n) if n > 0 => navigate(&format!("/invoice/{n}"), Default::default()),
            _ => set_error.set(true),
        }
    };
    view! {
        <section class="page">
            <h1>{move || t.get().home_title}</h1>
            <p class="muted">{move || t.get().app_tagline}</p>
            <form class="inline-form" on:submit=open novalidate>
                <label for="open-invoice-id">{move || t.get().open_invoice_label}</label>
                <input id="open-invoice-id" type="text" inputmode="numeric" autocomplete="off"
                    aria-invalid=move || error.get().to_string()
                    aria-describedby="open-invoice-error"
                    prop:value=id
                    on:input=move |ev| { set_id.set(event_target_value(&ev)); set_error.set(false); } />
                <button type="submit" class="button primary">{move || t.get().open_invoice_button}</button>
                <p id="open-invoice-error" class="field-error" hidden=move || !error.get()>{move || t.get().invoice_id_rule}</p>
            </form>
        </section>
    }
}
