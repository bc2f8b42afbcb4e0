//! The way into a payment's conversation (SendInvoicePaymentMessage), from either side:
//! "Write to the seller" for its buyer, "Write to the buyer" for its seller, with the
//! conversation's unread messages once it exists.

use crate::i18n::activity::tr as tr_act;
use crate::state::use_live;
use crate::tasks::Memo;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::conversations::Thread;

/// Where a payment's conversation is read and written (it need not exist yet).
pub fn href(payment_id: u64) -> String {
    format!("/inbox/payment/{payment_id}")
}

/// Props: `payment`. Nothing for someone who is neither its buyer nor its seller.
#[component]
pub fn PaymentChatLink(payment: pb::InvoicePayment) -> impl IntoView {
    let live = use_live();
    let buyer = payment.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    let seller = payment.invoice.as_ref().and_then(|i| i.owner.as_ref()).map(|o| o.id.clone()).unwrap_or_default();
    let thread = Thread::Payment { payment_id: payment.id };
    let unread = Memo::new(move |_| live.find(&thread).map_or(0, |c| live.unread(&c)));
    let id = payment.id;
    move || {
        let me = live.me.get()?;
        let label = if me == buyer {
            tr_act(|t| t.write_to_seller)
        } else if me == seller {
            tr_act(|t| t.write_to_buyer)
        } else {
            return None;
        };
        Some(view! {
            <a class="button payment-chat-link" href=href(id)>
                {label}
                {move || (unread.get() > 0).then(|| view! { <span class="unread-badge">{unread.get()}</span> })}
            </a>
        })
    }
}
