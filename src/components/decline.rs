//! The recipient of a private invoice declines it (DeleteInvoice by its recipient: the
//! service deletes it and tells its owner), after a confirmation.

use crate::api;
use crate::components::ErrorView;
use crate::i18n::activity::tr as tr_act;
use crate::state::use_app;
use crate::tasks;
use crate::tasks::RwSignal;
use leptos::prelude::*;

/// Props: `invoice_id`; `on_done` runs once it is declined (say, to show it again).
#[component]
pub fn Decline(invoice_id: u64, on_done: Callback<()>) -> impl IntoView {
    let app = use_app();
    let confirming = RwSignal::new(false);
    let decline = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::invoices::delete(&settings, invoice_id).await.map(|_| ());
            if result.is_ok() {
                confirming.set(false);
                on_done.run(());
            }
            result
        }
    });
    view! {
        <button type="button" class="button danger" on:click=move |_| { decline.clear(); confirming.set(true); }>
            {tr_act(|t| t.decline)}
        </button>
        {move || confirming.get().then(|| view! {
            <div class="error-banner" role="alertdialog" aria-label=tr_act(|t| t.decline)>
                <p>{tr_act(|t| t.decline_confirm)}</p>
                <div class="row">
                    <button type="button" class="button primary" disabled=move || decline.pending()
                        on:click=move |_| decline.dispatch(())>{tr_act(|t| t.decline_yes)}</button>
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>{tr_act(|t| t.keep_it)}</button>
                </div>
            </div>
        })}
        {move || decline.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
    }
}
