//! The invoice list (GetInvoices): tabs, every filter as a removable chip, filter state in
//! the URL (bookmarkable, `schet_model::filters`), keyset "Load more", CSV export of what is
//! loaded.

use crate::api::{self, ApiError};
use crate::components::{ErrorView, person};
use crate::format;
use crate::i18n::activity::{ActivityTexts, tr as tr_act, use_texts as use_act_texts};
use crate::i18n::invoices::{InvoiceTexts, tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::{Texts, tr, use_texts};
use crate::nav::{screen_query, use_nav};
use crate::state::{use_app, use_profile};
use crate::tasks;
use crate::tasks::Signal;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use schet_api::pb::{self, invoice::InvoiceStatus};
use schet_model::filters::{ALL_STATUSES, Filters, PAGE_SIZES, Tab, flag_code, flag_from_code};

/// The other party of a row: its owner, or, on my own private invoice, its buyer (`→ bob`).
fn partner<'a>(i: &'a pb::Invoice, me: &str) -> (String, Option<&'a pb::UserInfo>) {
    let owner = i.owner.as_ref();
    let target = match &i.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => Some(u),
        _ => None,
    };
    match (owner, target) {
        (Some(o), Some(t)) if o.username == me => (format!("→ {}", t.username), Some(t)),
        (o, _) => (o.map(|o| o.username.clone()).unwrap_or_default(), o),
    }
}

/// The loaded invoices as CSV (the same columns a person sees, plus the full texts).
pub fn to_csv(invoices: &[pb::Invoice], t: &Texts) -> String {
    let mut out = crate::csv::line(&[
        "id",
        "status",
        "private",
        "price",
        "currency",
        "btc_now",
        "pieces_min",
        "pieces_max",
        "owner",
        "buyer",
        "created",
        "valid_to",
        "comment",
    ]);
    for i in invoices {
        let target = match &i.nullable_target_user {
            Some(pb::invoice::NullableTargetUser::TargetUser(u)) => u.username.clone(),
            _ => String::new(),
        };
        let ts = |t: &Option<prost_types::Timestamp>| t.as_ref().map(|t| t.seconds.to_string()).unwrap_or_default();
        out.push_str(&crate::csv::line(&[
            i.id.to_string(),
            format::status(i.status, t).0.to_string(),
            i.is_private.to_string(),
            format::amount(i.price.as_ref()),
            if i.is_base_crypto { "BTC".into() } else { i.fiat_currency.clone() },
            format::amount(i.current_crypto_price.as_ref()),
            i.pieces_min.to_string(),
            i.pieces_max.to_string(),
            i.owner.as_ref().map(|o| o.username.clone()).unwrap_or_default(),
            target,
            ts(&i.created_at),
            ts(&i.valid_to),
            i.comment.clone(),
        ]));
    }
    out
}

/// One page of the list, and whether there may be more after it.
fn page_of(result: Result<Vec<pb::Invoice>, ApiError>, count: u32) -> Result<(Vec<pb::Invoice>, bool), ApiError> {
    result.map(|page| {
        let more = page.len() as u32 == count;
        (page, more)
    })
}

#[component]
pub fn InvoiceListPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let ti = use_inv_texts();
    let profile = use_profile();
    let nav = use_nav();
    let query = screen_query();
    let filters = Memo::new(move |_| {
        query.with(|q| Filters::from_query(|k| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())))
    });
    let go = move |f: Filters| nav.go(&format!("/invoices{}", f.to_query()), false);
    let set = move |change: &dyn Fn(&mut Filters)| {
        let mut f = filters.get_untracked();
        change(&mut f);
        go(f);
    };
    // The user's name, for the "to me" tab only (the others need not wait for it).
    let me_for = move |tab: Tab| if tab == Tab::ToMe { profile.username() } else { Some(String::new()) };

    // The first page for the filters; "Load more" appends the next ones.
    let first = tasks::resource(move || {
        let (f, settings) = (filters.get(), app.settings.get());
        let me = me_for(f.tab);
        // A guest sees public invoices only: "mine" and "to me" need a login, not an error.
        let guest = settings.token.trim().is_empty() && matches!(f.tab, Tab::Mine | Tab::ToMe);
        async move {
            if guest {
                return Some(Err(ApiError::NoToken));
            }
            let me = me?; // the profile is not known yet: it reloads once it is
            Some(page_of(api::invoices::list(&settings, f.request(&me, 0)).await, f.count))
        }
    });
    let extra = RwSignal::new(Vec::<pb::Invoice>::new());
    let more_left = RwSignal::new(false);
    // The page after `last`, appended unless the filters changed meanwhile.
    let more = tasks::action(move |(f, last): &(Filters, u64)| {
        let (f, last, settings) = (f.clone(), *last, app.settings.get_untracked());
        let me = untrack(|| me_for(f.tab)).unwrap_or_default();
        async move {
            let (page, left) = page_of(api::invoices::list(&settings, f.request(&me, last)).await, f.count)?;
            if filters.with_untracked(|now| *now == f) {
                extra.update(|e| e.extend(page));
                more_left.set(left);
            }
            Ok::<(), ApiError>(())
        }
    });
    tasks::effect(move |_| {
        if let Some(Some(Ok((_, left)))) = first.get() {
            extra.set(Vec::new());
            more_left.set(left);
            more.clear();
        }
    });
    let invoices = Memo::new(move |_| {
        let mut all = first.with(|p| match p {
            Some(Some(Ok((page, _)))) => page.clone(),
            _ => Vec::new(),
        });
        extra.with(|e| all.extend(e.iter().cloned()));
        all
    });
    let load_more = move || {
        let last = invoices.with_untracked(|v| v.last().map_or(0, |i| i.id));
        more.dispatch((filters.get_untracked(), last));
    };
    let more_failed = move || more.value().and_then(Result::err).filter(|_| !more.pending());

    // A clock for the countdowns (one for the whole list).
    let now = RwSignal::new(js_sys::Date::now());
    let tick = set_interval_with_handle(move || now.set(js_sys::Date::now()), std::time::Duration::from_secs(30));
    on_cleanup(move || {
        if let Ok(h) = tick {
            h.clear();
        }
    });

    let tab = move |which: Tab, label: fn(&'static InvoiceTexts) -> &'static str| {
        let active = move || filters.with(|f| f.tab == which);
        view! {
            <button type="button" role="tab" class="tab" aria-selected=move || active().to_string()
                on:click=move |_| set(&|f| f.tab = which)>{tr_inv(label)}</button>
        }
    };
    let chips = move || {
        let f = filters.get();
        let (t, ti) = (t.get(), ti.get());
        let mut chips: Vec<(String, Box<dyn Fn(&mut Filters) + Send + Sync>)> = Vec::new();
        if let Some(o) = f.owner {
            let whose = if o { ti.owner_me } else { ti.owner_others };
            chips.push((format!("{}: {whose}", ti.filter_owner), Box::new(|f| f.owner = None)));
        }
        for s in &f.statuses {
            let s = *s;
            chips.push((
                format!("{}: {}", t.field_status, format::status(s as i32, t).0),
                Box::new(move |f| f.toggle_status(s, false)),
            ));
        }
        if let Some(p) = f.private {
            chips.push((
                if p { t.private_invoice } else { t.public_invoice }.to_string(),
                Box::new(|f| f.private = None),
            ));
        }
        if f.id != 0 {
            chips.push((format!("#{}", f.id), Box::new(|f| f.id = 0)));
        }
        if !f.to_user.is_empty() {
            chips.push((format!("{}: {}", t.field_target, f.to_user), Box::new(|f| f.to_user.clear())));
        }
        let remove_label = ti.remove_filter;
        chips
            .into_iter()
            .map(|(label, clear)| {
                let aria = format!("{remove_label}: {label}");
                view! {
                    <span class="chip filter-chip">{label}
                        <button type="button" class="chip-x" aria-label=aria on:click=move |_| set(&|f| clear(f))>"×"</button>
                    </span>
                }
            })
            .collect_view()
    };
    let export = move |_| {
        let csv = invoices.with_untracked(|v| to_csv(v, t.get_untracked()));
        let _ = crate::csv::download("invoices.csv", &csv);
    };
    let me = Signal::derive(move || profile.username().unwrap_or_default());

    view! {
        <section class="page invoices">
            <div class="row spread">
                <h1>{tr(|t| t.home_title)}</h1>
                <div class="row">
                    <a class="button primary" href="/invoices/new">{tr_inv(|t| t.new_invoice)}</a>
                    <button type="button" class="button" on:click=export disabled=move || invoices.with(Vec::is_empty)>
                        {tr_inv(|t| t.export_csv)}
                    </button>
                </div>
            </div>
            <div class="tabs" role="tablist">
                {tab(Tab::All, |t| t.tab_all)}
                {tab(Tab::Mine, |t| t.tab_mine)}
                {tab(Tab::ToMe, |t| t.tab_to_me)}
                {tab(Tab::Public, |t| t.tab_public)}
            </div>
            <details class="filters">
                <summary>{tr_inv(|t| t.filters)}</summary>
                <FilterForm filters=filters on_apply=Callback::new(move |f: Filters| go(f)) />
            </details>
            <div class="chips" aria-live="polite">{chips}</div>
            <Transition fallback=move || view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }>
                {move || first.get().flatten().map(|page| match page {
                    Err(e) => view! { <ErrorView error=e on_retry=Callback::new(move |()| first.refetch()) /> }.into_any(),
                    Ok((rows, _)) if rows.is_empty() => view! { <p class="muted empty">{tr_inv(|t| t.empty)}</p> }.into_any(),
                    Ok(_) => view! { <InvoiceTable invoices=invoices.into() now=now.into() me=me /> }.into_any(),
                })}
            </Transition>
            {move || more_failed().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| load_more()) /> })}
            <div class="row">
                {move || more_left.get().then(|| view! {
                    <button type="button" class="button" disabled=move || more.pending() on:click=move |_| load_more()>
                        {move || if more.pending() { t.get().loading } else { ti.get().load_more }}
                    </button>
                })}
                <label class="inline-label">{tr_inv(|t| t.page_size)}
                    <select on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(20);
                        set(&|f| f.count = n);
                    }>
                        {PAGE_SIZES.iter().map(|n| {
                            let n = *n;
                            view! { <option value=n.to_string() selected=move || filters.with(|f| f.count == n)>{n}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
        </section>
    }
}

/// The filter form: edits a copy and applies it to the URL.
#[component]
fn FilterForm(filters: Memo<Filters>, on_apply: Callback<Filters>) -> impl IntoView {
    let t = use_texts();
    let draft = RwSignal::new(filters.get_untracked());
    tasks::effect(move |_| draft.set(filters.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_apply.run(draft.get_untracked());
    };
    view! {
        <form class="filter-form" on:submit=submit>
            <fieldset>
                <legend>{tr(|t| t.field_status)}</legend>
                {ALL_STATUSES.iter().map(|s| {
                    let s = *s;
                    let id = format!("filter-status-{}", s as i32);
                    let for_id = id.clone();
                    view! {
                        <label for=for_id class="check">
                            <input id=id type="checkbox" prop:checked=move || draft.with(|d| d.statuses.contains(&s))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    draft.update(|d| d.toggle_status(s, on));
                                } />
                            {move || format::status(s as i32, t.get()).0}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label>{tr_inv(|t| t.filter_owner)}
                <select prop:value=move || flag_code(draft.with(|d| d.owner)) on:change=move |ev| draft.update(|d| d.owner = flag_from_code(&event_target_value(&ev)))>
                    <option value="any">{tr_inv(|t| t.any)}</option>
                    <option value="yes">{tr_inv(|t| t.owner_me)}</option>
                    <option value="no">{tr_inv(|t| t.owner_others)}</option>
                </select>
            </label>
            <label>{tr_inv(|t| t.filter_kind)}
                <select prop:value=move || flag_code(draft.with(|d| d.private)) on:change=move |ev| draft.update(|d| d.private = flag_from_code(&event_target_value(&ev)))>
                    <option value="any">{tr_inv(|t| t.any)}</option>
                    <option value="yes">{tr(|t| t.private_invoice)}</option>
                    <option value="no">{tr(|t| t.public_invoice)}</option>
                </select>
            </label>
            <label>{tr(|t| t.open_invoice_label)}
                <input type="text" inputmode="numeric" prop:value=move || draft.with(|d| if d.id == 0 { String::new() } else { d.id.to_string() })
                    on:input=move |ev| draft.update(|d| d.id = event_target_value(&ev).trim().parse().unwrap_or(0)) />
            </label>
            <label>{tr(|t| t.field_target)}
                <input type="text" autocomplete="off" prop:value=move || draft.with(|d| d.to_user.clone())
                    on:input=move |ev| draft.update(|d| d.to_user = event_target_value(&ev).trim().to_string()) />
            </label>
            <button type="submit" class="button primary">{tr_inv(|t| t.apply)}</button>
        </form>
    }
}

/// The rows: plain text cells. When the language, the user or the clock changes the closure
/// runs again and Leptos diffs the new texts into the rows already on the page (a clock tick
/// touches only the countdowns); "Load more" appends rows.
#[component]
pub fn InvoiceTable(invoices: Signal<Vec<pb::Invoice>>, now: Signal<f64>, me: Signal<String>) -> impl IntoView {
    let t = use_texts();
    let ta = use_act_texts();
    view! {
        <div class="table-wrap">
            <table class="invoice-table">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{tr(|t| t.field_status)}</th>
                        <th scope="col">{tr(|t| t.field_comment)}</th>
                        <th scope="col">{tr(|t| t.field_price)}</th>
                        <th scope="col">"BTC"</th>
                        <th scope="col">{tr_inv(|t| t.pieces)}</th>
                        <th scope="col">{tr_act(|t| t.col_secrets)}</th>
                        <th scope="col">{tr_act(|t| t.col_payments)}</th>
                        <th scope="col">{tr_inv(|t| t.partner)}</th>
                        <th scope="col">{tr(|t| t.field_valid_to)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let labels = Labels::new(t.get(), ta.get());
                        let (me, now) = (me.get(), now.get());
                        invoices.with(|list| list.iter().map(|inv| invoice_row(inv, now, &me, &labels)).collect::<Vec<_>>())
                    }}
                </tbody>
            </table>
        </div>
    }
}

/// What one row of the list says: computed once per row, rendered as plain text.
pub struct RowTexts {
    pub id: String,
    pub href: String,
    /// A deleted invoice's row is greyed out.
    pub gone: bool,
    /// The row's classes: `gone` (greyed out), `btc` (priced in BTC: a card shows no second
    /// BTC amount).
    pub class: &'static str,
    pub status: &'static str,
    /// `badge badge-…`: the status colour.
    pub badge_class: String,
    /// The comment's first line.
    pub comment: String,
    pub price: String,
    pub btc: String,
    pub pieces: String,
    /// Unsold secrets.
    pub secrets: String,
    pub payments: String,
    pub partner: String,
    /// The partner's track record (shown on hover).
    pub partner_track: String,
    pub countdown: String,
}

/// The words a row needs besides its values: the texts, and the labels a row shown as a
/// card puts before its numbers (`data-label`).
pub struct Labels {
    pub texts: &'static Texts,
    pub activity: &'static ActivityTexts,
    pub pieces: &'static str,
    pub secrets: &'static str,
    pub payments: &'static str,
    pub valid_to: &'static str,
}

impl Labels {
    pub fn new(texts: &'static Texts, activity: &'static ActivityTexts) -> Labels {
        Labels {
            texts,
            activity,
            pieces: activity.pieces,
            secrets: activity.col_secrets,
            payments: activity.col_payments,
            valid_to: texts.field_valid_to,
        }
    }
}

impl RowTexts {
    pub fn new(inv: &pb::Invoice, now: f64, me: &str, labels: &Labels) -> Self {
        let texts = labels.texts;
        let gone = inv.status == InvoiceStatus::Deleted as i32;
        let (status, status_class) = format::status(inv.status, texts);
        let (partner, who) = partner(inv, me);
        RowTexts {
            id: inv.id.to_string(),
            href: format!("/invoice/{}", inv.id),
            gone,
            class: match (gone, inv.is_base_crypto) {
                (false, false) => "",
                (true, false) => "gone",
                (false, true) => "btc",
                (true, true) => "gone btc",
            },
            status,
            badge_class: format!("badge badge-{status_class}"),
            comment: format::first_line(&inv.comment, 80),
            price: format::price(inv),
            btc: format::btc(inv.current_crypto_price.as_ref()),
            pieces: format::pieces(inv),
            secrets: inv.secrets_count.to_string(),
            payments: inv.payments_count.to_string(),
            partner,
            partner_track: who.map(|u| person::track(u, now, texts, labels.activity)).unwrap_or_default(),
            // A deleted invoice has no time left to count.
            countdown: if gone { "—".to_string() } else { format::countdown(inv.valid_to.as_ref(), now, texts) },
        }
    }
}

/// One row: plain text nodes, no reactive cells (1,000 of them must be cheap). A plain
/// function, not a component, in Leptos's builder syntax: its children stay a typed tuple,
/// where `view!` under `--cfg erase_components` would box every cell (measured ~1.4× slower
/// for 1,000 rows; see tests/render_bench.rs).
///
/// On a narrow screen (style/main.css) each row is a card; its numbers then carry their
/// labels (`data-label`, set once per row like any attribute).
fn invoice_row(inv: &pb::Invoice, now: f64, me: &str, labels: &Labels) -> impl IntoView + use<> {
    use leptos::html::{a, span, td, tr};
    let r = RowTexts::new(inv, now, me, labels);
    tr().class((!r.class.is_empty()).then_some(r.class)).child((
        td().child(a().href(r.href).child(r.id)),
        td().child(span().class(r.badge_class).child(r.status)),
        td().child(r.comment),
        td().child(r.price),
        td().child(r.btc),
        td().attr("data-label", labels.pieces).child(r.pieces),
        td().attr("data-label", labels.secrets).child(r.secrets),
        td().attr("data-label", labels.payments).child(r.payments),
        td().attr("title", r.partner_track).child(r.partner),
        td().attr("data-label", labels.valid_to).child(r.countdown),
    ))
}
