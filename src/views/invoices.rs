//! The invoice list (GetInvoices): tabs, every filter as a removable chip, filter state in
//! the URL (bookmarkable), keyset "Load more", CSV export of what is loaded.

use crate::api::{self, ApiError};
use crate::app::use_profile;
use crate::components::ErrorView;
use crate::format;
use crate::i18n::Texts;
use crate::settings::{tr, use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use schet_api::pb::{self, invoice::InvoiceStatus};

pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    All,
    Mine,
    ToMe,
    Public,
}

impl Tab {
    fn code(self) -> &'static str {
        match self {
            Tab::All => "all",
            Tab::Mine => "mine",
            Tab::ToMe => "tome",
            Tab::Public => "public",
        }
    }
}

/// Everything that selects the list; lives in the URL query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub tab: Tab,
    pub owner: Option<bool>,
    pub statuses: Vec<i32>,
    pub private: Option<bool>,
    pub id: u64,
    pub to_user: String,
    pub count: u32,
}

fn flag(q: &ParamsMap, key: &str) -> Option<bool> {
    match q.get(key).as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

impl Filters {
    pub fn from_query(q: &ParamsMap) -> Filters {
        let tab = match q.get("tab").as_deref() {
            Some("mine") => Tab::Mine,
            Some("tome") => Tab::ToMe,
            Some("public") => Tab::Public,
            _ => Tab::All,
        };
        let statuses = q
            .get("status")
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.parse::<i32>().ok())
            .filter(|s| InvoiceStatus::try_from(*s).is_ok())
            .collect();
        let count = q.get("count").and_then(|c| c.parse().ok()).filter(|c| PAGE_SIZES.contains(c)).unwrap_or(20);
        Filters {
            tab,
            owner: flag(q, "owner"),
            statuses,
            private: flag(q, "private"),
            id: q.get("id").and_then(|v| v.parse().ok()).unwrap_or(0),
            to_user: q.get("to").unwrap_or_default(),
            count,
        }
    }

    /// The query string (`?tab=mine&status=0,3`), without defaults.
    pub fn to_query(&self) -> String {
        let yn = |b: bool| if b { "yes" } else { "no" };
        let mut parts = Vec::new();
        if self.tab != Tab::All {
            parts.push(format!("tab={}", self.tab.code()));
        }
        if let Some(o) = self.owner {
            parts.push(format!("owner={}", yn(o)));
        }
        if !self.statuses.is_empty() {
            let list: Vec<String> = self.statuses.iter().map(i32::to_string).collect();
            parts.push(format!("status={}", list.join(",")));
        }
        if let Some(p) = self.private {
            parts.push(format!("private={}", yn(p)));
        }
        if self.id != 0 {
            parts.push(format!("id={}", self.id));
        }
        if !self.to_user.is_empty() {
            let enc = percent_encoding::utf8_percent_encode(&self.to_user, percent_encoding::NON_ALPHANUMERIC);
            parts.push(format!("to={enc}"));
        }
        if self.count != 20 {
            parts.push(format!("count={}", self.count));
        }
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }

    /// The request for one page; the tab adds its own filter on top of the chosen ones.
    pub fn request(&self, me: &str, last_id: u64) -> pb::GetInvoicesRequest {
        let mut r = pb::GetInvoicesRequest {
            is_owner: self.owner.unwrap_or(false),
            is_owner_has_value: self.owner.is_some(),
            statuses: self.statuses.clone(),
            is_status_has_value: !self.statuses.is_empty(),
            is_private: self.private.unwrap_or(false),
            is_private_has_value: self.private.is_some(),
            id: self.id,
            to_user: self.to_user.clone(),
            last_id,
            count: self.count,
        };
        match self.tab {
            Tab::All => {}
            Tab::Mine => {
                r.is_owner = true;
                r.is_owner_has_value = true;
            }
            Tab::ToMe => r.to_user = me.to_string(),
            Tab::Public => {
                r.is_private = false;
                r.is_private_has_value = true;
            }
        }
        r
    }
}

const ALL_STATUSES: [InvoiceStatus; 5] = [
    InvoiceStatus::Active,
    InvoiceStatus::PendingPay,
    InvoiceStatus::NoPieces,
    InvoiceStatus::Payed,
    InvoiceStatus::Deleted,
];

fn partner(i: &pb::Invoice, me: &str) -> String {
    let owner = i.owner.as_ref().map(|o| o.username.clone()).unwrap_or_default();
    let target = match &i.nullable_target_user {
        Some(pb::invoice::NullableTargetUser::TargetUser(u)) => u.username.clone(),
        _ => String::new(),
    };
    if owner == me && !target.is_empty() { format!("→ {target}") } else { owner }
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

#[component]
pub fn InvoiceListPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let profile = use_profile();
    let query = use_query_map();
    let navigate = use_navigate();
    let filters = Memo::new(move |_| query.with(Filters::from_query));
    let go = move |f: Filters| navigate(&format!("/invoices{}", f.to_query()), Default::default());
    let go = StoredValue::new(go);
    let set = move |change: &dyn Fn(&mut Filters)| {
        let mut f = filters.get_untracked();
        change(&mut f);
        go.with_value(|g| g(f));
    };

    let invoices = RwSignal::new(Vec::<pb::Invoice>::new());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let more = RwSignal::new(false);
    // Which load is current: a newer filter makes older answers stale.
    let generation = StoredValue::new(0u64);
    let load = move |reset: bool| {
        let f = filters.get_untracked();
        let settings = app.settings.get_untracked();
        let me = profile.username().unwrap_or_default();
        let last = if reset { 0 } else { invoices.with_untracked(|v| v.last().map_or(0, |i| i.id)) };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        loading.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            if f.tab == Tab::ToMe && me.is_empty() {
                // Wait for the profile: the effect below reloads once it is known.
                loading.set(false);
                return;
            }
            let result = api::invoices::list(&settings, f.request(&me, last)).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    more.set(page.len() as u32 == f.count);
                    if reset {
                        invoices.set(page);
                    } else {
                        invoices.update(|v| v.extend(page));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        filters.track();
        app.settings.track();
        let _ = profile.username();
        load(true);
    });
    // A clock for the countdowns (one for the whole list).
    let now = RwSignal::new(js_sys::Date::now());
    let tick = leptos::prelude::set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(30),
    );
    on_cleanup(move || {
        if let Ok(h) = tick {
            h.clear();
        }
    });

    let tab = move |which: Tab, label: fn(&Texts) -> &'static str| {
        let active = move || filters.with(|f| f.tab == which);
        view! {
            <button type="button" role="tab" class="tab" aria-selected=move || active().to_string()
                on:click=move |_| set(&|f| f.tab = which)>{move || label(t.get())}</button>
        }
    };
    let chips = move || {
        let f = filters.get();
        let t = t.get();
        let mut chips: Vec<(String, Box<dyn Fn(&mut Filters) + Send + Sync>)> = Vec::new();
        if let Some(o) = f.owner {
            chips.push((
                format!("{}: {}", t.inv.filter_owner, if o { t.inv.owner_me } else { t.inv.owner_others }),
                Box::new(|f| f.owner = None),
            ));
        }
        for s in &f.statuses {
            let s = *s;
            chips.push((
                format!("{}: {}", t.field_status, format::status(s, t).0),
                Box::new(move |f| f.statuses.retain(|x| *x != s)),
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
        let remove_label = t.inv.remove_filter;
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
                    <a class="button primary" href="/invoices/new">{tr(|t| t.inv.new_invoice)}</a>
                    <button type="button" class="button" on:click=export disabled=move || invoices.with(Vec::is_empty)>
                        {tr(|t| t.inv.export_csv)}
                    </button>
                </div>
            </div>
            <div class="tabs" role="tablist">
                {tab(Tab::All, |t| t.inv.tab_all)}
                {tab(Tab::Mine, |t| t.inv.tab_mine)}
                {tab(Tab::ToMe, |t| t.inv.tab_to_me)}
                {tab(Tab::Public, |t| t.inv.tab_public)}
            </div>
            <details class="filters">
                <summary>{tr(|t| t.inv.filters)}</summary>
                <FilterForm filters=filters on_apply=Callback::new(move |f: Filters| go.with_value(|g| g(f))) />
            </details>
            <div class="chips" aria-live="polite">{chips}</div>
            {move || error.get().map(|e| view! { <ErrorView error=e on_retry=Callback::new(move |()| load(true)) /> })}
            <InvoiceTable invoices=invoices.into() now=now.into() me=me />
            {move || (loading.get() && invoices.with(Vec::is_empty)).then(|| view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> })}
            {move || (!loading.get() && error.with(Option::is_none) && invoices.with(Vec::is_empty))
                .then(|| view! { <p class="muted empty">{tr(|t| t.inv.empty)}</p> })}
            <div class="row">
                {move || more.get().then(|| view! {
                    <button type="button" class="button" disabled=move || loading.get() on:click=move |_| load(false)>
                        {move || if loading.get() { t.get().loading } else { t.get().inv.load_more }}
                    </button>
                })}
                <label class="inline-label">{tr(|t| t.inv.page_size)}
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
    Effect::new(move |_| draft.set(filters.get()));
    let tri = move |v: Option<bool>| match v {
        None => "any",
        Some(true) => "yes",
        Some(false) => "no",
    };
    let parse_tri = |s: String| match s.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_apply.run(draft.get_untracked());
    };
    view! {
        <form class="filter-form" on:submit=submit>
            <fieldset>
                <legend>{tr(|t| t.field_status)}</legend>
                {ALL_STATUSES.iter().map(|s| {
                    let code = *s as i32;
                    let id = format!("filter-status-{code}");
                    let for_id = id.clone();
                    view! {
                        <label for=for_id class="check">
                            <input id=id type="checkbox" prop:checked=move || draft.with(|d| d.statuses.contains(&code))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    draft.update(|d| {
                                        d.statuses.retain(|x| *x != code);
                                        if on { d.statuses.push(code); d.statuses.sort(); }
                                    });
                                } />
                            {move || format::status(code, t.get()).0}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label>{tr(|t| t.inv.filter_owner)}
                <select prop:value=move || tri(draft.with(|d| d.owner)) on:change=move |ev| draft.update(|d| d.owner = parse_tri(event_target_value(&ev)))>
                    <option value="any">{tr(|t| t.inv.any)}</option>
                    <option value="yes">{tr(|t| t.inv.owner_me)}</option>
                    <option value="no">{tr(|t| t.inv.owner_others)}</option>
                </select>
            </label>
            <label>{tr(|t| t.inv.filter_kind)}
                <select prop:value=move || tri(draft.with(|d| d.private)) on:change=move |ev| draft.update(|d| d.private = parse_tri(event_target_value(&ev)))>
                    <option value="any">{tr(|t| t.inv.any)}</option>
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
            <button type="submit" class="button primary">{tr(|t| t.inv.apply)}</button>
        </form>
    }
}

/// The rows: plain text cells. When the language, the user or the clock changes the closure
/// runs again and Leptos diffs the new texts into the rows already on the page (a clock tick
/// touches only the countdowns); "Load more" appends rows.
#[component]
pub fn InvoiceTable(invoices: Signal<Vec<pb::Invoice>>, now: Signal<f64>, me: Signal<String>) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="table-wrap">
            <table class="invoice-table">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{tr(|t| t.field_status)}</th>
                        <th scope="col">{tr(|t| t.field_price)}</th>
                        <th scope="col">"BTC"</th>
                        <th scope="col">{tr(|t| t.inv.pieces)}</th>
                        <th scope="col">{tr(|t| t.inv.partner)}</th>
                        <th scope="col">{tr(|t| t.field_valid_to)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let texts = t.get();
                        let (me, now) = (me.get(), now.get());
                        invoices.with(|list| list.iter().map(|inv| invoice_row(inv, now, &me, texts)).collect::<Vec<_>>())
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
    pub status: &'static str,
    /// `badge badge-…`: the status colour.
    pub badge_class: String,
    pub price: String,
    pub btc: String,
    pub pieces: String,
    pub partner: String,
    pub countdown: String,
}

impl RowTexts {
    pub fn new(inv: &pb::Invoice, now: f64, me: &str, texts: &Texts) -> Self {
        let gone = inv.status == InvoiceStatus::Deleted as i32;
        let (status, status_class) = format::status(inv.status, texts);
        RowTexts {
            id: inv.id.to_string(),
            href: format!("/invoice/{}", inv.id),
            gone,
            status,
            badge_class: format!("badge badge-{status_class}"),
            price: format::price(inv),
            btc: format::btc(inv.current_crypto_price.as_ref()),
            pieces: format::pieces(inv),
            partner: partner(inv, me),
            // A deleted invoice has no time left to count.
            countdown: if gone { "—".to_string() } else { format::countdown(inv.valid_to.as_ref(), now, texts) },
        }
    }
}

/// One row: plain text nodes, no reactive cells (1,000 of them must be cheap). A plain
/// function, not a component, in Leptos's builder syntax: its children stay a typed tuple,
/// where `view!` under `--cfg erase_components` would box every cell (measured ~1.4× slower
/// for 1,000 rows; see tests/render_bench.rs).
fn invoice_row(inv: &pb::Invoice, now: f64, me: &str, texts: &'static Texts) -> impl IntoView + use<> {
    use leptos::html::{a, span, td, tr};
    let r = RowTexts::new(inv, now, me, texts);
    tr().class(r.gone.then_some("gone")).child((
        td().child(a().href(r.href).child(r.id)),
        td().child(span().class(r.badge_class).child(r.status)),
        td().child(r.price),
        td().child(r.btc),
        td().child(r.pieces),
        td().child(r.partner),
        td().child(r.countdown),
    ))
}
