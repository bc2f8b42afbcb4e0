//! What the parties can do with a payment, each asked first with the amount shown: the
//! seller refunds pieces (CreateRefund, at most those not yet refunded) and pays the refund
//! invoice, or cancels the payment (only a paid one without refunds: the service's rule);
//! the buyer deletes a refund invoice, which cancels that refund.

use crate::api::{self, ApiError};
use crate::components::ErrorView;
use crate::format;
use crate::i18n::payments::{tr as tr_pay, use_texts as use_pay_texts};
use crate::i18n::{tr, use_texts};
use crate::state::{use_app, use_profile};
use crate::tasks;
use crate::tasks::{Memo, RwSignal, Signal};
use leptos::prelude::*;
use rust_decimal::Decimal;
use schet_api::{decimal, pb};
use schet_model::payment::{
    Cancel, RefundState, Role, amount, may_cancel, refund_amount, refund_invoice_amount, refund_pieces, refund_state,
    refundable,
};

fn btc(d: Decimal) -> String {
    format!("{} BTC", decimal::format_btc(d))
}

fn buyer_name(p: &pb::InvoicePayment) -> String {
    p.owner.as_ref().map(|o| o.username.clone()).unwrap_or_default()
}

/// A confirmation: what will happen, and Confirm / Cancel. Props: `text` (reactive), `busy`,
/// `on_confirm`, `on_cancel`; `id` names its Confirm button.
#[component]
fn Confirm(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    id: &'static str,
) -> impl IntoView {
    let tp = use_pay_texts();
    let profile = use_profile();
    view! {
        <div class="notice confirm" role="alertdialog" aria-label=move || text.get()>
            <p>{move || text.get()}</p>
            {move || profile.balance().map(|b| view! {
                <p class="muted small">{tr_pay(|t| t.your_balance)}": "{format::btc(Some(&b))}</p>
            })}
            <div class="row">
                <button type="button" class="button primary" id=id disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())>{move || if busy.get() { tp.get().working } else { tp.get().confirm }}</button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>{tr_pay(|t| t.back)}</button>
            </div>
        </div>
    }
}

/// The seller's refund and cancel, or what the buyer may do. Re-made only when what is
/// allowed changes.
#[component]
pub fn Actions(
    payment: Memo<Option<pb::InvoicePayment>>,
    role: Memo<Option<Role>>,
    update: Callback<pb::InvoicePayment>,
    moved: Callback<()>,
) -> impl IntoView {
    let profile = use_profile();
    let allowed = Memo::new(move |_| {
        let me = profile.user_id().unwrap_or_default();
        payment.with(|p| p.as_ref().map(|p| (refundable(p) > 0, may_cancel(p, &me))))
    });
    // A refused cancel stays said while the payment is read again (which may hide the button).
    let refused = RwSignal::new(None::<ApiError>);
    let parts = move || {
        match (role.get(), allowed.get()) {
        (Some(Role::Seller), Some((can_refund, cancel))) => view! {
            <div class="actions payment-actions">
                {can_refund.then(|| view! { <RefundForm payment=payment update=update /> })}
                {match cancel {
                    Cancel::Allowed => view! { <CancelPayment payment=payment update=update moved=moved refused=refused /> }.into_any(),
                    Cancel::RefundsOpen => view! { <p class="hint small">{tr_pay(|t| t.cancel_not_with_refunds)}</p> }.into_any(),
                    Cancel::NotPaid | Cancel::NotSeller => ().into_any(),
                }}
            </div>
        }
        .into_any(),
        (Some(Role::Buyer), _) => view! { <p class="hint small">{tr_pay(|t| t.buyer_actions_hint)}</p> }.into_any(),
        _ => ().into_any(),
    }
    };
    view! {
        {parts}
        {move || refused.get().map(|e| view! { <ErrorView error=e /> })}
    }
}

/// "Refund pieces": how many (1 to those not yet refunded), the amount, a confirmation.
#[component]
fn RefundForm(payment: Memo<Option<pb::InvoicePayment>>, update: Callback<pb::InvoicePayment>) -> impl IntoView {
    let app = use_app();
    let tp = use_pay_texts();
    let open = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let left = move || payment.with(|p| p.as_ref().map_or(0, refundable));
    let count = RwSignal::new(String::from("1"));
    let parsed = move || count.with(|c| c.trim().parse::<u32>().ok()).filter(|n| (1..=left()).contains(n));
    let sum = move || parsed().and_then(|n| payment.with(|p| p.as_ref().map(|p| refund_amount(p, n))));
    let id = payment.with_untracked(|p| p.as_ref().map_or(0, |p| p.id));
    let refund = tasks::action(move |n: &u32| {
        let (settings, n) = (app.settings.get_untracked(), *n);
        async move {
            let result = api::payments::refund(&settings, id, n).await;
            confirming.set(false);
            if let Ok((p, _)) = &result {
                update.run(p.clone());
                open.set(false);
            }
            result.map(|_| ())
        }
    });
    let question = Signal::derive(move || {
        let tp = tp.get();
        let who = payment.with(|p| p.as_ref().map(buyer_name).unwrap_or_default());
        match (parsed(), sum()) {
            (Some(n), Some(sum)) => tp
                .refund_confirm
                .replace("{pieces}", &(tp.pieces)(n.into()))
                .replace("{amount}", &btc(sum))
                .replace("{buyer}", &who),
            _ => String::new(),
        }
    });
    view! {
        {move || (!open.get()).then(|| view! {
            <button type="button" class="button" id="refund-open" on:click=move |_| { open.set(true); refund.clear(); }>
                {tr_pay(|t| t.refund_pieces)}
            </button>
        })}
        {move || open.get().then(|| view! {
            <form class="refund-form stack" on:submit=move |ev| { ev.prevent_default(); if parsed().is_some() { confirming.set(true); } }>
                <div class="field">
                    <label for="refund-pieces">{tr_pay(|t| t.refund_how_many)}" (1–"{left}")"</label>
                    <input id="refund-pieces" type="number" min="1" max=left prop:value=move || count.get()
                        aria-invalid=move || parsed().is_none().to_string() aria-describedby="refund-pieces-hint"
                        on:input=move |ev| { count.set(event_target_value(&ev)); confirming.set(false); } />
                    <p id="refund-pieces-hint" class="hint small">
                        {move || match sum() {
                            Some(s) => format!("{}: {}", tp.get().refund_amount, btc(s)),
                            None => tp.get().refund_pieces_rule.replace("{max}", &left().to_string()),
                        }}
                    </p>
                </div>
                <div class="row">
                    <button type="submit" class="button primary" disabled=move || parsed().is_none()>{tr_pay(|t| t.refund_next)}</button>
                    <button type="button" class="button" on:click=move |_| { open.set(false); confirming.set(false); }>{tr_pay(|t| t.back)}</button>
                </div>
            </form>
            {move || confirming.get().then(|| view! {
                <Confirm text=question busy=Signal::derive(move || refund.pending()) id="refund-confirm"
                    on_confirm=Callback::new(move |()| { if let Some(n) = parsed() { refund.dispatch(n); } })
                    on_cancel=Callback::new(move |()| confirming.set(false)) />
            })}
        })}
        {move || refund.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
    }
}

/// The seller cancels the payment and returns the money.
#[component]
fn CancelPayment(
    payment: Memo<Option<pb::InvoicePayment>>,
    update: Callback<pb::InvoicePayment>,
    moved: Callback<()>,
    refused: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let app = use_app();
    let tp = use_pay_texts();
    let confirming = RwSignal::new(false);
    let id = payment.with_untracked(|p| p.as_ref().map_or(0, |p| p.id));
    let cancel = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::payments::cancel(&settings, id).await;
            confirming.set(false);
            match result {
                Ok(p) => update.run(p),
                // Refused: said, and what is true now (refunds opened meanwhile) read again.
                Err(e) => refused.set(Some(e)),
            }
            moved.run(());
        }
    });
    let question = Signal::derive(move || {
        let (sum, who) = payment.with(|p| p.as_ref().map(|p| (amount(p), buyer_name(p))).unwrap_or_default());
        tp.get().cancel_confirm.replace("{amount}", &btc(sum)).replace("{buyer}", &who).replace("{id}", &id.to_string())
    });
    view! {
        <button type="button" class="button danger" id="cancel-open" on:click=move |_| { confirming.set(true); refused.set(None); }>
            {tr_pay(|t| t.cancel_payment)}
        </button>
        {move || confirming.get().then(|| view! {
            <Confirm text=question busy=Signal::derive(move || cancel.pending()) id="cancel-confirm"
                on_confirm=Callback::new(move |()| cancel.dispatch(()))
                on_cancel=Callback::new(move |()| confirming.set(false)) />
        })}
    }
}

/// The refund invoices of a payment, with their state; the seller pays one still awaiting
/// payment, the buyer may delete it (which cancels that refund).
#[component]
pub fn Refunds(
    payment: Memo<Option<pb::InvoicePayment>>,
    role: Memo<Option<Role>>,
    update: Callback<pb::InvoicePayment>,
    moved: Callback<()>,
) -> impl IntoView {
    let refunds = Memo::new(move |_| payment.with(|p| p.as_ref().map(|p| p.refunds.clone()).unwrap_or_default()));
    move || {
        (!refunds.with(Vec::is_empty)).then(|| {
            view! {
                <section class="refunds" aria-labelledby="refunds-title">
                    <h2 id="refunds-title">{tr_pay(|t| t.refunds_title)}</h2>
                    <ul class="refund-list">
                        {move || refunds.get().into_iter().map(|refund| view! {
                            <RefundRow refund=refund payment=payment role=role update=update moved=moved />
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
fn RefundRow(
    refund: pb::Invoice,
    payment: Memo<Option<pb::InvoicePayment>>,
    role: Memo<Option<Role>>,
    update: Callback<pb::InvoicePayment>,
    moved: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let tp = use_pay_texts();
    let id = refund.id;
    let state = refund_state(&refund);
    let (pieces, sum) = (refund_pieces(&refund), refund_invoice_amount(&refund));
    let valid_to = refund.valid_to;
    let confirming = RwSignal::new(false);
    // The seller pays it (PayInvoiceFromBalance of the refund invoice): the buyer is repaid.
    let pay = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::payments::pay(&settings, id, 0, sum).await;
            confirming.set(false);
            moved.run(());
            result.map(|_| ())
        }
    });
    // The buyer deletes it: that refund is cancelled; the answer is the payment as it now is.
    let delete = tasks::action(move |()| {
        let settings = app.settings.get_untracked();
        async move {
            let result = api::invoices::delete(&settings, id).await;
            confirming.set(false);
            match &result {
                Ok(Some(p)) => update.run(p.clone()),
                _ => moved.run(()),
            }
            result.map(|_| ())
        }
    });
    let class = move || match state {
        RefundState::Awaiting => (tp.get().refund_awaiting, "pending"),
        RefundState::Refunded => (tp.get().refund_done, "active"),
        RefundState::Cancelled => (tp.get().refund_cancelled, "deleted"),
    };
    let who = payment.with_untracked(|p| p.as_ref().map(buyer_name).unwrap_or_default());
    let question = Signal::derive(move || {
        let tp = tp.get();
        let text = if role.get() == Some(Role::Seller) { tp.refund_pay_confirm } else { tp.refund_delete_confirm };
        text.replace("{amount}", &btc(sum)).replace("{buyer}", &who).replace("{pieces}", &(tp.pieces)(pieces.into()))
    });
    let busy = Signal::derive(move || pay.pending() || delete.pending());
    let failure = move || pay.value().and_then(Result::err).or_else(|| delete.value().and_then(Result::err));
    view! {
        <li class="refund" data-refund=id.to_string()>
            <div class="row">
                <a href=format!("/invoice/{id}")>{tr_pay(|t| t.refund_invoice)}" #"{id}</a>
                <span>{move || (tp.get().pieces)(pieces.into())}</span>
                <strong>{btc(sum)}</strong>
                <span class=move || format!("badge badge-{}", class().1)>{move || class().0}</span>
                {(state == RefundState::Awaiting).then(|| view! {
                    <span class="muted small">{tr(|t| t.field_valid_to)}" "{move || format::datetime(valid_to.as_ref(), t.get())}</span>
                })}
            </div>
            {move || (state == RefundState::Awaiting && !confirming.get()).then(|| match role.get() {
                Some(Role::Seller) => view! {
                    <button type="button" class="button primary refund-pay" on:click=move |_| { confirming.set(true); pay.clear(); }>
                        {tr_pay(|t| t.refund_pay)}
                    </button>
                }.into_any(),
                Some(Role::Buyer) => view! {
                    <button type="button" class="button refund-delete" on:click=move |_| { confirming.set(true); delete.clear(); }>
                        {tr_pay(|t| t.refund_delete)}
                    </button>
                }.into_any(),
                None => ().into_any(),
            })}
            {move || confirming.get().then(|| view! {
                <Confirm text=question busy=busy id="refund-row-confirm"
                    on_confirm=Callback::new(move |()| {
                        if role.get_untracked() == Some(Role::Seller) { pay.dispatch(()) } else { delete.dispatch(()) }
                    })
                    on_cancel=Callback::new(move |()| confirming.set(false)) />
            })}
            {move || failure().map(|e| view! { <ErrorView error=e /> })}
        </li>
    }
}
