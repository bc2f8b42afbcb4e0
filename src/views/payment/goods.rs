//! The goods of a payment: every secret bought (its text, its images as previews that
//! enlarge on click, its URL), where to collect them, and a warning with "Contact the
//! seller" when fewer secrets came than pieces were paid for.

use crate::components::payment_card::safe_link;
use crate::components::thumbs::Thumbs;
use crate::i18n::payments::{tr as tr_pay, use_texts as use_pay_texts};
use crate::tasks::Memo;
use leptos::prelude::*;
use schet_api::pb;
use schet_model::payment::{Role, redirect, shortfall};

fn link(url: String) -> AnyView {
    match safe_link(&url) {
        Some(href) => view! { <a href=href rel="noopener noreferrer" target="_blank">{url}</a> }.into_any(),
        None => view! { <span class="mono">{url}</span> }.into_any(),
    }
}

/// Props: `id`, the payment's number; `payment`, as last read; `role`, mine in it.
#[component]
pub fn Goods(id: u64, payment: Memo<Option<pb::InvoicePayment>>, role: Memo<Option<Role>>) -> impl IntoView {
    let tp = use_pay_texts();
    let secrets = Memo::new(move |_| payment.with(|p| p.as_ref().map(|p| p.secrets.clone()).unwrap_or_default()));
    // Where to collect the goods, unless each secret already names its URL.
    let collect_at = Memo::new(move |_| {
        payment.with(|p| {
            p.as_ref()
                .filter(|p| p.secrets.iter().all(|s| s.url.is_empty()))
                .and_then(|p| redirect(p).map(str::to_string))
        })
    });
    let short = Memo::new(move |_| payment.with(|p| p.as_ref().and_then(shortfall)));
    view! {
        <section class="goods" aria-labelledby="goods-title">
            <h2 id="goods-title">{tr_pay(|t| t.goods_title)}</h2>
            {move || short.get().map(|(got, pieces)| {
                let counts = move || tp.get().shortfall.replace("{got}", &got.to_string()).replace("{pieces}", &pieces.to_string());
                match role.get() {
                    Some(Role::Buyer) => view! {
                        <div class="warning shortfall" role="alert">
                            <p>{counts}" "{tr_pay(|t| t.shortfall_buyer)}</p>
                            <button type="button" class="button primary" id="contact-seller"
                                on:click=move |_| super::go_to_conversation(id)>{tr_pay(|t| t.contact_seller)}</button>
                        </div>
                    }.into_any(),
                    _ => view! { <p class="warning shortfall">{counts}" "{tr_pay(|t| t.shortfall_seller)}</p> }.into_any(),
                }
            })}
            {move || if secrets.with(Vec::is_empty) {
                view! { <p class="muted">{tr_pay(|t| t.no_secrets)}</p> }.into_any()
            } else {
                view! {
                    <ol class="secrets-received">
                        {secrets.get().into_iter().map(|s| view! {
                            <li class="secret-bought">
                                {(!s.text.is_empty()).then(|| view! { <p class="mono comment-text">{s.text.clone()}</p> })}
                                <Thumbs images=s.images.clone() />
                                {(!s.url.is_empty()).then(|| view! { <p class="small">{tr_pay(|t| t.secret_url)}": "{link(s.url.clone())}</p> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {move || collect_at.get().map(|u| view! { <p>{tr_pay(|t| t.collect_at)}": "{link(u)}</p> })}
        </section>
    }
}
