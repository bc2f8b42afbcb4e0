//! The merchant section: invoices from a CryptoCloud-compatible API (`api::merchant`).
//!
//! API settings (base URL, key kept as the user chooses, shown only as its last
//! characters), a UTC date range with quick ranges, page size, offset paging
//! ("n–m of all_count"), a status filter over the loaded page (the API has no status
//! parameter), the table with page totals, and a CSV download of the rows shown.

use crate::api::merchant::{self as m, Invoice, Issue, MerchantError, Query, Status};
use crate::i18n::merchant::{MerchantTexts, rule_text, use_texts as use_merchant_texts};
use crate::i18n::{use_lang, use_texts};
use crate::state::use_app;
use crate::tasks;
use crate::tasks::RwSignal;
use crate::tasks::StoredValue;
use leptos::prelude::*;
use rust_decimal::Decimal;
use schet_model::dates::QuickRange;

/// Fields whose errors are shown next to them (the rest in the error banner).
const NEXT_TO_FIELDS: [&str; 3] = ["start", "end", "limit"];

const PAGE_SIZES: [u64; 4] = [10, 25, 50, 100];

/// A Blob URL holding `text` as a CSV file (with a BOM, for spreadsheets).
fn csv_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&format!("\u{feff}{text}").into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

fn usd(d: Decimal) -> String {
    format!("{:.2}", d.round_dp(2))
}

/// One table cell: a main line (with a class, e.g. a badge) and a muted second line.
/// Every cell has this one type, which keeps the wasm small.
fn cell(class: &'static str, main_class: String, main: String, sub: String) -> impl IntoView + use<> {
    view! { <td class=class><span class=main_class>{main}</span><span class="sub muted">{sub}</span></td> }
}

type Cell = (&'static str, String, String, String);

fn money((crypto, in_usd): (Decimal, Decimal), coin: &str) -> Cell {
    ("num", String::new(), format!("{} {coin}", crypto.normalize()), format!("${}", usd(in_usd)))
}

fn text_cell(class: &'static str, main: String) -> Cell {
    (class, String::new(), main, String::new())
}

#[component]
pub fn MerchantPage() -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let lang = use_lang();
    let texts = use_merchant_texts();
    let tm = move || texts.get();
    let saved = app.merchant.get_untracked();
    let (from, to) = QuickRange::Last30Days.days(m::today());
    let start = RwSignal::new(m::format_date(from));
    let end = RwSignal::new(m::format_date(to));
    let size = RwSignal::new(10u64);
    // The contract's rules broken by the form (nothing sent).
    let local_errors = RwSignal::new(Vec::<Issue>::new());
    let query = RwSignal::new(None::<Query>);
    // None: all statuses.
    let filter = RwSignal::new(None::<Status>);
    let url_input = RwSignal::new(saved.url.clone());
    let key_input = RwSignal::new(String::new());
    let remember = RwSignal::new(saved.remember);
    let saved_note = RwSignal::new(false);
    let settings_open = RwSignal::new(saved.key.is_empty() && !saved.use_login);

    let run = move || match start.with_untracked(|s| end.with_untracked(|e| Query::new(s, e, 0, size.get_untracked())))
    {
        Ok(q) => {
            local_errors.set(Vec::new());
            filter.set(None);
            query.set(Some(q));
        }
        Err(issues) => local_errors.set(issues),
    };
    let go_to = move |offset: u64| {
        query.update(|q| {
            if let Some(q) = q {
                *q = Query { size: size.get_untracked(), ..q.at(offset) };
            }
        })
    };
    if !saved.key.is_empty() || saved.use_login {
        run();
    }
    let page = tasks::resource(move || {
        let q = query.get();
        let settings = app.merchant.with(|m| app.settings.with(|login| m.for_request(login)));
        async move {
            match q {
                Some(q) => Some(m::list(&settings, &q.request()).await),
                None => None,
            }
        }
    });
    let result = move || page.get().flatten();
    tasks::effect(move |_| {
        if matches!(result(), Some(Err(MerchantError::Unauthorized(_) | MerchantError::NoKey))) {
            settings_open.set(true);
        }
    });
    // The message next to `field`: a rule broken here, or the service's 400 for it.
    let field_error = move |field: &'static str| -> Option<String> {
        let lang = lang.get();
        let local = local_errors.with(|e| e.iter().find(|i| i.field == field).map(|i| rule_text(&i.rule, lang)));
        local.or_else(|| {
            let e = result()?.err()?;
            e.rule(field).map(|i| rule_text(&i.rule, lang)).or_else(|| e.field(field).map(str::to_string))
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run();
    };
    let quick = move |range: QuickRange| {
        let (a, b) = range.days(m::today());
        start.set(m::format_date(a));
        end.set(m::format_date(b));
        run();
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        app.merchant.update(|s| {
            s.url = url_input.get_untracked().trim().to_string();
            let key = key_input.get_untracked();
            if !key.trim().is_empty() {
                s.key = key.trim().to_string();
                s.use_login = false;
            }
            s.remember = remember.get_untracked();
            s.save();
        });
        key_input.set(String::new());
        saved_note.set(true);
        if query.with_untracked(Option::is_none) {
            run();
        }
    };
    let forget = move |_| {
        app.merchant.update(|s| {
            s.key.clear();
            s.use_login = false;
            s.save();
        });
        saved_note.set(false);
    };
    let use_login = move |_| {
        let login = app.settings.get_untracked();
        app.merchant.update(|s| {
            s.use_login_of(&login);
            s.save();
        });
        url_input.set(login.endpoint);
        saved_note.set(true);
        run();
    };
    let key_status = move || {
        let tm = tm();
        app.merchant.with(|s| {
            if s.use_login && app.settings.with(|login| s.for_request(login).key == login.token) {
                tm.using_login.to_string()
            } else if s.key.is_empty() {
                tm.no_key.to_string()
            } else {
                let kept = if s.remember { tm.kept_here } else { tm.kept_session };
                format!("{} {} ({kept}). {}", tm.key_saved, s.key_hint(), tm.key_keep)
            }
        })
    };

    let date_field = move |tm: &'static MerchantTexts, id: &'static str, field: &'static str| {
        let value = if field == "start" { start } else { end };
        let error_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{if field == "start" { tm.start } else { tm.end }}" "<span class="hint">"("{tm.date_format}")"</span></label>
                <input id=id type="text" inputmode="numeric" autocomplete="off" maxlength="10" size="10"
                    placeholder=tm.date_format
                    aria-invalid=move || field_error(field).is_some().to_string()
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                <p id=error_id class="field-error" hidden=move || field_error(field).is_none()>{move || field_error(field)}</p>
            </div>
        }
    };

    let error_view = move |e: MerchantError| {
        let tm = tm();
        let (headline, detail) = match &e {
            MerchantError::NoKey => (tm.err_no_key, String::new()),
            MerchantError::Unauthorized(d) => (tm.err_key, d.clone()),
            MerchantError::Unavailable(d) => (t.get().err_unavailable, d.clone()),
            MerchantError::BadAnswer(d) => (tm.err_answer, d.clone()),
            MerchantError::Invalid(_) | MerchantError::Rules(_) => {
                // start, end and limit are shown next to their fields; the rest here.
                let lang = lang.get();
                let mut list: Vec<(&str, String)> = match &e {
                    MerchantError::Rules(issues) => {
                        issues.iter().map(|i| (i.field, rule_text(&i.rule, lang))).collect()
                    }
                    MerchantError::Invalid(fields) => fields.iter().map(|(f, m)| (f.as_str(), m.clone())).collect(),
                    _ => Vec::new(),
                };
                list.retain(|(f, _)| !NEXT_TO_FIELDS.contains(f));
                let rest: Vec<String> = list.into_iter().map(|(f, msg)| format!("{f}: {msg}")).collect();
                if rest.is_empty() {
                    return ().into_any();
                }
                (tm.err_invalid, rest.join("; "))
            }
        };
        let retry = matches!(e, MerchantError::Unavailable(_));
        view! {
            <div class="error-banner" role="alert">
                <strong class="error-headline">{headline}</strong>
                {(!detail.is_empty()).then(|| view! { <p class="error-detail">{detail}</p> })}
                {retry.then(|| view! {
                    <button type="button" class="button" on:click=move |_| page.refetch()>{t.get().retry}</button>
                })}
            </div>
        }
        .into_any()
    };

    // The previous CSV's Blob URL, released when replaced or when the page goes.
    let csv_link = StoredValue::new(None::<String>);
    on_cleanup(move || {
        if let Some(url) = csv_link.get_value() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });

    let table = move |page_data: m::ListResponse| {
        let tm = tm();
        let Some(q) = query.get_untracked() else { return ().into_any() };
        let n = page_data.result.len() as u64;
        let all = page_data.all_count;
        let offset = q.offset;
        let range_text = if n == 0 {
            format!("0 {} {all}", tm.of)
        } else {
            format!("{}–{} {} {all}", offset + 1, offset + n, tm.of)
        };
        let per = q.size;
        let has_prev = offset > 0;
        let has_next = offset + n < all;
        let mut counts = [0usize; 5];
        for i in &page_data.result {
            if let Some(k) = Status::ALL.iter().position(|s| *s == i.status) {
                counts[k] += 1;
            }
        }
        let chosen = filter.get();
        let shown: Vec<Invoice> =
            page_data.result.into_iter().filter(|i| chosen.is_none_or(|s| i.status == s)).collect();
        let url = csv_url(&m::to_csv(&shown));
        if let Some(old) = csv_link.get_value() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        csv_link.set_value(url.clone());
        let file = format!("merchant-invoices-{}-{}.csv", m::format_date(q.start.0), m::format_date(q.end.0));
        let mut sums = [Decimal::ZERO; 5];
        for i in &shown {
            for (sum, (_, in_usd)) in sums.iter_mut().zip(m::amounts(i)) {
                *sum += in_usd;
            }
        }
        let totals = sums.map(usd);
        let chip = move |k: Option<Status>, label: String| {
            let class = match k {
                Some(k) => format!("button chip-filter m-{k}"),
                None => "button chip-filter".to_string(),
            };
            view! {
                <button type="button" class=class aria-pressed=(chosen == k).to_string() on:click=move |_| filter.set(k)>
                    {label}
                </button>
            }
        };
        let mut chips = vec![chip(None, format!("{} ({n})", tm.all))];
        for (k, (status, label)) in Status::ALL.into_iter().zip(tm.statuses).enumerate() {
            chips.push(chip(Some(status), format!("{label} ({})", counts[k])));
        }
        let rows: Vec<_> = shown
            .into_iter()
            .map(|i| {
                let k = Status::ALL.iter().position(|s| *s == i.status);
                let label = k.map_or(tm.status_other, |k| tm.statuses[k]).to_string();
                let badge = format!("badge m-{}", k.map_or("unknown", |k| Status::ALL[k].as_str()));
                let time = |t: &str| t.chars().take(19).collect::<String>();
                let coin = &i.currency.code;
                let [amount, to_pay, paid, received, fee] = m::amounts(&i);
                let cells = vec![
                    text_cell("mono", i.uuid.clone()),
                    text_cell("nowrap", time(&i.created)),
                    text_cell("nowrap", time(&i.expiry_date)),
                    ("", badge, label, String::new()),
                    (
                        "",
                        String::new(),
                        coin.clone(),
                        format!("{} · {}", i.currency.network.code, i.currency.network.fullname),
                    ),
                    money(amount, coin),
                    money(to_pay, coin),
                    money(paid, coin),
                    money(received, coin),
                    money(fee, coin),
                    text_cell("wrap", i.order_id.clone()),
                    text_cell("wrap", i.project.name.clone()),
                    text_cell("", if i.test_mode { tm.test_mark.to_string() } else { String::new() }),
                ];
                let cells: Vec<_> = cells.into_iter().map(|(c, mc, m, s)| cell(c, mc, m, s)).collect();
                view! { <tr>{cells}</tr> }
            })
            .collect();
        let heads = [
            tm.col_uuid,
            tm.col_created,
            tm.col_expiry,
            tm.col_status,
            tm.col_currency,
            tm.col_amount,
            tm.col_to_pay,
            tm.col_paid,
            tm.col_received,
            tm.col_fee,
            tm.col_order,
            tm.col_project,
            tm.col_test,
        ]
        .into_iter()
        .enumerate()
        .map(|(k, h)| {
            let label = if k == 1 || k == 2 { format!("{h} (UTC)") } else { h.to_string() };
            view! { <th scope="col" class=if (5..10).contains(&k) { "num" } else { "" }>{label}</th> }
        })
        .collect_view();
        let totals: Vec<_> =
            totals.into_iter().map(|v| cell("num total", String::new(), format!("${v}"), String::new())).collect();
        view! {
            <div class="merchant-bar">
                <p class="pager-text" role="status">{range_text}</p>
                <div class="row">
                    <button type="button" class="button pager-prev" disabled=!has_prev
                        on:click=move |_| go_to(offset.saturating_sub(per))>{tm.prev}</button>
                    <button type="button" class="button pager-next" disabled=!has_next
                        on:click=move |_| go_to(offset + n)>{tm.next}</button>
                    {url.map(|href| view! { <a class="button csv-export" href=href download=file>{tm.export}</a> })}
                </div>
            </div>
            <div class="chips" role="group" aria-label=tm.status_filter>{chips}</div>
            {if n == 0 {
                view! { <p class="empty muted">{tm.none}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table merchant-table">
                            <caption class="muted">{tm.title}" — "{range_text_caption(&q)}</caption>
                            <thead><tr>{heads}</tr></thead>
                            <tbody>{rows}</tbody>
                            <tfoot>
                                <tr>
                                    <th scope="row" colspan="5">{tm.totals}</th>
                                    {totals}
                                    <td colspan="3"></td>
                                </tr>
                            </tfoot>
                        </table>
                    </div>
                }
                .into_any()
            }}
        }
        .into_any()
    };

    let results = move || match result() {
        None if query.with(Option::is_some) => {
            view! { <p class="muted" role="status">{t.get().loading}</p> }.into_any()
        }
        None => ().into_any(),
        Some(Err(e)) => error_view(e),
        Some(Ok(p)) => table(p),
    };

    // The texts change only with the language: one reactive frame, static strings inside.
    let frame = move || {
        let tm = tm();
        view! {
            <h1>{tm.title}</h1>
            <p class="muted">{tm.intro}</p>
            <details class="filters" prop:open=move || settings_open.get()>
                <summary>{tm.settings}</summary>
                <form class="stack" on:submit=save novalidate>
                    <p class="hint" id="merchant-key-status">{key_status}</p>
                    <div class="field">
                        <label for="merchant-url">{tm.url_label}</label>
                        <input id="merchant-url" type="url" autocomplete="url" placeholder="https://…"
                            aria-describedby="merchant-url-hint"
                            prop:value=move || url_input.get() on:input=move |ev| url_input.set(event_target_value(&ev)) />
                        <small id="merchant-url-hint" class="hint">{tm.url_hint}</small>
                    </div>
                    <div class="field">
                        <label for="merchant-key">{tm.key_label}</label>
                        <input id="merchant-key" type="password" autocomplete="off" spellcheck="false"
                            aria-describedby="merchant-key-status"
                            prop:value=move || key_input.get() on:input=move |ev| key_input.set(event_target_value(&ev)) />
                    </div>
                    <label class="check">
                        <input id="merchant-remember" type="checkbox" aria-describedby="merchant-remember-hint"
                            prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev)) />
                        {tm.remember}
                    </label>
                    <small id="merchant-remember-hint" class="hint">{tm.remember_hint}</small>
                    <div class="row">
                        <button type="submit" class="button primary">{tm.save}</button>
                        <button type="button" class="button" on:click=forget>{tm.forget}</button>
                        <button type="button" class="button" on:click=use_login
                            title=tm.use_login_hint>{tm.use_login}</button>
                        <span role="status">{move || saved_note.get().then_some(tm.saved)}</span>
                    </div>
                </form>
            </details>
            <form class="merchant-filters" on:submit=submit novalidate>
                {date_field(tm, "merchant-start", "start")}
                {date_field(tm, "merchant-end", "end")}
                <div class="field">
                    <label for="merchant-size">{tm.page_size}</label>
                    <select id="merchant-size" on:change=move |ev| {
                        let n = event_target_value(&ev).parse().ok().filter(|n| PAGE_SIZES.contains(n));
                        size.set(n.unwrap_or(PAGE_SIZES[0]));
                        if query.with_untracked(Option::is_some) { go_to(0) }
                    }>
                        {PAGE_SIZES.map(|n| view! { <option value=n.to_string() selected=move || size.get() == n>{n}</option> })}
                    </select>
                    <p class="field-error" hidden=move || field_error("limit").is_none()>{move || field_error("limit")}</p>
                </div>
                <button type="submit" class="button primary">{tm.show}</button>
                <div class="quick" role="group" aria-label=tm.quick>
                    {QuickRange::ALL.map(|range| {
                        let label = match range {
                            QuickRange::Today => tm.today,
                            QuickRange::Last7Days => tm.days_7,
                            QuickRange::Last30Days => tm.days_30,
                            QuickRange::ThisMonth => tm.this_month,
                        };
                        view! { <button type="button" class="link-button" on:click=move |_| quick(range)>{label}</button> }
                    }).collect_view()}
                </div>
            </form>
        }
    };
    view! { <section class="page merchant">{frame}{results}</section> }
}

fn range_text_caption(q: &Query) -> String {
    format!("{} – {}", m::format_date(q.start.0), m::format_date(q.end.0))
}
