//! Buying on the invoice page: the pieces and a confirmation with the amount, which is sent
//! as the amount agreed to: a price that moved meanwhile is shown and asked again
//! (`schet_model::checkout`), and nothing is paid at a price not confirmed (a guest gets
//! "Log in to buy", which comes back here with the pieces chosen and the confirmation open:
//! `?buy=N`), and what I bought of this invoice, right away and after a reload, each with a
//! link to its payment page. Only the guest's box is part of the shared link's first view;
//! the rest is used by the logged-in part of `actions.rs`, loaded after it.

use crate::api;
use crate::components::ErrorView;
use crate::components::payment_card::status_text;
use crate::format;
use crate::i18n::invoices::{tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::payments::{tr as tr_pay, use_texts as use_pay_texts};
use crate::i18n::use_texts;
use crate::nav::use_nav;
use crate::state::{use_app, use_live, use_profile};
use crate::tasks;
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use rust_decimal::Decimal;
use schet_api::pb;
use schet_model::checkout::Checkout;
use schet_model::login::{BUY_KEY, buy_path, buy_pieces, login_href};
use schet_model::payment::pieces_kept;

/// Pages of my payments read to find those for one invoice (20 a page).
const PAGES: usize = 10;

/// The pieces one purchase may take now (the stock may have changed since the page opened).
fn range(i: &pb::Invoice) -> (u32, u32) {
    let low = i.pieces_min.min(i.pieces_max).max(1);
    (low, i.pieces_max.max(low))
}

/// The pieces being chosen: what is typed (at first those asked for on coming back from the
/// login, `?buy=N`, else the fewest allowed), and the number it means if one purchase may
/// take that many now (a private invoice is paid whole: any number stands for it).
#[derive(Clone, Copy)]
struct Pieces {
    invoice: Memo<Option<pb::Invoice>>,
    typed: RwSignal<String>,
    private: bool,
    /// The pieces came with `?buy=N`.
    asked: bool,
}

impl Pieces {
    fn new(invoice: Memo<Option<pb::Invoice>>) -> Pieces {
        let asked = use_nav().query_untracked(BUY_KEY).and_then(|v| buy_pieces(&v));
        let low = invoice.with_untracked(|i| i.as_ref().map_or(0, |i| range(i).0));
        let private = invoice.with_untracked(|i| i.as_ref().is_some_and(|i| i.is_private));
        Pieces { invoice, typed: RwSignal::new(asked.unwrap_or(low).to_string()), private, asked: asked.is_some() }
    }

    fn id(&self) -> u64 {
        self.invoice.with_untracked(|i| i.as_ref().map_or(0, |i| i.id))
    }

    /// The fewest one purchase may take now (tracked).
    fn low(&self) -> u32 {
        self.invoice.with(|i| i.as_ref().map_or(0, |i| range(i).0))
    }

    /// The pieces typed, if allowed now (tracked).
    fn parsed(&self) -> Option<u32> {
        let (low, high) = self.invoice.with(|i| i.as_ref().map_or((1, 0), range));
        self.typed.with(|p| p.trim().parse::<u32>().ok()).filter(|n| self.private || (low..=high).contains(n))
    }
}

/// The number of pieces to buy, within what one purchase may take now (none for a private
/// invoice). Props: `pieces`; `on_input`, called as the number is changed.
#[component]
fn PiecesField(pieces: Pieces, #[prop(optional)] on_input: Option<Callback<()>>) -> impl IntoView {
    let read = move |f: fn(&pb::Invoice) -> u32| pieces.invoice.with(|i| i.as_ref().map_or(0, f));
    let (low_now, high_now) = (move || read(|i| range(i).0), move || read(|i| range(i).1));
    (!pieces.private).then(|| {
        view! {
            <div class="field">
                <label for="buy-pieces">{tr_inv(|t| t.pieces_to_buy)}" ("{low_now}"–"{high_now}")"</label>
                <input id="buy-pieces" type="number" min=low_now max=high_now prop:value=move || pieces.typed.get()
                    aria-invalid=move || pieces.parsed().is_none().to_string()
                    on:input=move |ev| {
                        pieces.typed.set(event_target_value(&ev));
                        if let Some(f) = on_input { f.run(()) }
                    } />
            </div>
        }
    })
}

/// A guest's buy box (the shared link's first view): the pieces and "Log in to buy", which
/// comes back here with those pieces, ready to pay (`?buy=N`).
/// Props: `invoice`, the invoice as last read (kept current).
#[component]
pub fn GuestBuyBox(invoice: Memo<Option<pb::Invoice>>) -> impl IntoView {
    let pieces = Pieces::new(invoice);
    let (id, low) = (pieces.id(), untrack(|| pieces.low()));
    let href = move || login_href(&buy_path(id, pieces.parsed().unwrap_or(low)));
    view! {
        <div class="buy-box">
            <PiecesField pieces=pieces />
            <a href=href class="button primary" id="buy-log-in">{tr_pay(|t| t.log_in_to_buy)}</a>
            <p class="hint small">{tr_pay(|t| t.log_in_to_buy_hint)}</p>
        </div>
    }
}

/// Buying, logged in. Props: `invoice`, the invoice as last read (kept current); `on_paid`,
/// what a purchase answered; `on_stale`: the invoice should be read again (its price moved).
#[component]
pub fn BuyBox(
    invoice: Memo<Option<pb::Invoice>>,
    on_paid: Callback<pb::InvoicePayment>,
    on_stale: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let ti = use_inv_texts();
    let profile = use_profile();
    let nav = use_nav();
    let pieces = Pieces::new(invoice);
    let (id, private) = (pieces.id(), pieces.private);
    let unit = move || {
        invoice.with(|i| {
            i.as_ref()
                .and_then(|i| schet_api::decimal::from_pb_or_zero(i.current_crypto_price.as_ref()).ok())
                .unwrap_or_default()
        })
    };
    let open = move || pieces.parsed().map(|n| Checkout::open(if private { 1 } else { n }, unit())).unwrap_or_default();
    // Coming back from the login with `?buy=N`: the confirmation is open.
    let checkout = RwSignal::new(if pieces.asked { untrack(open) } else { Checkout::Closed });
    // The invoice read again while asking (a live event, the 20 s refresh): a new price is
    // asked again before anything is sent.
    tasks::effect(move |_| {
        let unit = unit();
        if checkout.with_untracked(Checkout::is_open) {
            checkout.update(|c| *c = c.price_now(unit));
        }
    });
    let drop_query = StoredValue::new(move || nav.go(&format!("/invoice/{id}"), true));
    // PayInvoiceFromBalance with the amount shown (`pieces` is ignored for a private invoice).
    let pay = tasks::action(move |(n, agreed): &(u32, Decimal)| {
        let (settings, n, agreed) = (app.settings.get_untracked(), *n, *agreed);
        async move {
            let result = api::payments::pay(&settings, id, if private { 0 } else { n }, agreed).await;
            let refusal = match &result {
                Err(api::ApiError::Refused(r)) => Some(r.clone()),
                _ => None,
            };
            checkout.update(|c| *c = c.answered(refusal.as_ref()));
            match &result {
                Ok(p) => {
                    on_paid.run(p.clone());
                    profile.refresh();
                    drop_query.with_value(|go| go());
                }
                Err(_) if checkout.with_untracked(Checkout::is_open) => on_stale.run(()),
                Err(_) => {}
            }
            result
        }
    });
    // The error of the last purchase, unless the confirmation asks again about it (a moved
    // price is told there, and the page shows the new one).
    let failure = move || {
        let told = |e: &api::ApiError| matches!(e, api::ApiError::Refused(schet_api::Refusal::PriceChanged { .. }));
        pay.value().and_then(Result::err).filter(|e| !told(e) && !checkout.with(Checkout::is_open))
    };
    let balance = move || profile.balance().map(|b| format::btc(Some(&b)));
    let on_input = Callback::new(move |()| checkout.set(Checkout::Closed));
    view! {
        <div class="buy-box">
            <PiecesField pieces=pieces on_input=on_input />
            <button type="button" class="button primary" disabled=move || pieces.parsed().is_none()
                on:click=move |_| checkout.set(open())>{move || if private { ti.get().pay } else { ti.get().buy }}</button>
            {move || checkout.get().confirm().map(|(_, amount)| {
                let repriced = match checkout.get() {
                    Checkout::Repriced { was, .. } => Some(schet_api::decimal::format_btc(was)),
                    _ => None,
                };
                let moved = repriced.is_some();
                let label = if moved { tr_inv(|t| t.price_changed) } else { tr_inv(|t| t.pay_confirm) };
                view! {
                    <div class="notice" class:repriced=moved role="alertdialog" aria-label=label id="buy-confirm">
                        {repriced.map(|was| view! {
                            <strong class="price-changed">{tr_inv(|t| t.price_changed)}</strong>
                            <span class="small">{tr_inv(|t| t.price_you_confirmed)}": "<s>{was}" BTC"</s></span>
                        })}
                        <span>{tr_inv(|t| t.pay_confirm)}": "<strong class="buy-amount">{schet_api::decimal::format_btc(amount)}" BTC"</strong></span>
                        {move || balance().map(|b| view! { <span class="muted small">{tr_pay(|t| t.your_balance)}": "{b}</span> })}
                        <div class="row">
                            <button type="button" class="button primary" id="buy-confirm-pay" disabled=move || pay.pending()
                                on:click=move |_| { if let Some(sent) = checkout.get_untracked().confirm() { pay.dispatch(sent); } }>
                                {move || if pay.pending() { ti.get().paying } else { ti.get().confirm }}
                            </button>
                            <button type="button" class="button" on:click=move |_| checkout.set(Checkout::Closed)>{tr_inv(|t| t.cancel)}</button>
                        </div>
                    </div>
                }
            })}
        </div>
        {move || failure().map(|e| view! { <ErrorView error=e /> })}
    }
}

/// My payments for this invoice, newest first: those read from the service, with what was
/// paid on this page (or announced live) since.
#[component]
pub fn Bought(invoice: Memo<Option<pb::Invoice>>, paid: RwSignal<Vec<pb::InvoicePayment>>) -> impl IntoView {
    let app = use_app();
    let live = use_live();
    let t = use_texts();
    let ti = use_inv_texts();
    let tp = use_pay_texts();
    // Only what identifies the invoice: a refresh of its price or stock does not read again.
    let key = Memo::new(move |_| {
        invoice.with(|i| i.as_ref().map(|i| pb::Invoice { id: i.id, created_at: i.created_at, ..Default::default() }))
    });
    let read = tasks::resource(move || {
        let (settings, key) = (app.settings.get(), key.get());
        async move {
            match key {
                Some(inv) => api::payments::mine_for_invoice(&settings, &inv, PAGES).await,
                None => Ok(Vec::new()),
            }
        }
    });
    // A payment of mine for this invoice announced live (new, or cancelled by the seller).
    tasks::effect(move |seen: Option<()>| {
        let event = live.last_event.get();
        if seen.is_none() {
            return;
        }
        if let Some(pb::event::Payload::Payment(p)) = event.and_then(|e| e.payload) {
            let id = key.with_untracked(|k| k.as_ref().map_or(0, |k| k.id));
            if p.invoice.as_ref().is_some_and(|i| i.id == id) {
                paid.update(|list| merge(list, vec![p]));
            }
        }
    });
    let mine = Memo::new(move |_| {
        let mut all = read.with(|r| r.and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default());
        paid.with(|p| merge(&mut all, p.clone()));
        all
    });
    let private = move || invoice.with(|i| i.as_ref().is_some_and(|i| i.is_private));
    let failed = move || read.with(|r| r.and_then(|r| r.as_ref().err()).cloned());
    view! {
        {move || failed().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| read.refetch()) /> })}
        {move || (!mine.with(Vec::is_empty)).then(|| {
            let heading = move || {
                let kept = mine.with(|m| pieces_kept(m));
                let tp = tp.get();
                match (private(), kept) {
                    (true, 0) | (false, 0) => tp.bought_none_kept.to_string(),
                    (true, _) => tp.bought_private.to_string(),
                    (false, n) => format!("{} {}", tp.bought, (tp.pieces)(n.into())),
                }
            };
            view! {
                <section class="bought notice" aria-labelledby="bought-title">
                    <h2 id="bought-title">{heading}</h2>
                    <ul class="bought-list">
                        {move || mine.get().into_iter().map(|p| {
                            let status = p.status;
                            let badge = move || status_text(status, ti.get(), t.get());
                            let (pieces, refunded) = (p.pieces, p.refunded);
                            view! {
                                <li>
                                    <a href=format!("/payment/{}", p.id)>{tr_pay(|t| t.payment)}" #"{p.id}</a>
                                    {(!private()).then(|| view! { " · "{move || (tp.get().pieces)(pieces.into())} })}
                                    " · "{format::btc(p.crypto_amount.as_ref())}" "
                                    <span class=move || format!("badge badge-{}", badge().1)>{move || badge().0}</span>
                                    {(refunded > 0).then(|| view! { " · "{tr_pay(|t| t.refunded)}": "{refunded}})}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="small muted">{tr_pay(|t| t.bought_goods_there)}</p>
                </section>
            }
        })}
    }
}

/// `fresh` into `list` by payment id (the newer copy wins), newest first.
fn merge(list: &mut Vec<pb::InvoicePayment>, fresh: Vec<pb::InvoicePayment>) {
    for p in fresh {
        match list.iter_mut().find(|x| x.id == p.id) {
            Some(x) => *x = p,
            None => list.push(p),
        }
    }
    list.sort_by_key(|p| std::cmp::Reverse(p.id));
}
