//! Create (CreateInvoice) and edit (UpdatePublicInvoice) an invoice.
//!
//! The form keeps what the person typed, as typed ([`InvoiceForm`]), saves it as a draft on
//! every change (restored after a reload or a failed request, cleared on success; the
//! webhook's private key is never part of it) and checks it with the same rules as the
//! service (`schet_api::validate`), showing each error next to its field as soon as the
//! field was touched. Errors the service finds map back to the same fields.

use crate::api::{self, ApiError};
use crate::components::{ErrorView, ImagePicker, files};
use crate::drafts;
use crate::i18n::Texts;
use crate::settings::{Settings, tr, use_app, use_texts};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use prost::Message;
use rust_decimal::Decimal;
use schet_api::pb::{self, create_invoice_request as cir, update_public_invoice_request as upr};
use schet_api::{FieldError, Rule, currency, decimal, limits, validate};
use std::str::FromStr;

/// What the person typed. A protobuf message so a draft is a few bytes in localStorage.
#[derive(Clone, PartialEq, Message)]
pub struct InvoiceForm {
    #[prost(bool, tag = "1")]
    pub is_private: bool,
    #[prost(string, tag = "2")]
    pub user_name: String,
    #[prost(bool, tag = "3")]
    pub in_fiat: bool,
    #[prost(string, tag = "4")]
    pub price: String,
    #[prost(string, tag = "5")]
    pub fiat_currency: String,
    #[prost(string, tag = "6")]
    pub price_variable: String,
    #[prost(string, tag = "7")]
    pub ttl_value: String,
    /// 0 minutes, 1 hours, 2 days.
    #[prost(uint32, tag = "8")]
    pub ttl_unit: u32,
    #[prost(string, tag = "9")]
    pub comment: String,
    #[prost(string, tag = "10")]
    pub pieces_min: String,
    #[prost(string, tag = "11")]
    pub pieces_max: String,
    #[prost(bool, tag = "12")]
    pub limit_liquidity: bool,
    #[prost(string, repeated, tag = "13")]
    pub images: Vec<String>,
    /// Initial secrets, one per line.
    #[prost(string, tag = "14")]
    pub secrets: String,
    /// 0 none, 1 redirect, 2 webhook.
    #[prost(uint32, tag = "15")]
    pub integration: u32,
    #[prost(string, tag = "16")]
    pub redirect: String,
    #[prost(string, tag = "17")]
    pub webhook_url: String,
    #[prost(string, tag = "18")]
    pub client_crt: String,
    #[prost(string, tag = "19")]
    pub server_crt: String,
    #[prost(bool, tag = "20")]
    pub webhook_required: bool,
}

const TTL_FACTORS: [u32; 3] = [1, 60, 1440];

impl InvoiceForm {
    pub fn blank() -> InvoiceForm {
        InvoiceForm {
            price_variable: "Average".into(),
            fiat_currency: "USD".into(),
            ttl_value: "7".into(),
            ttl_unit: 2,
            pieces_min: "1".into(),
            pieces_max: "1".into(),
            ..Default::default()
        }
    }

    /// The form of an existing invoice (editing).
    pub fn from_invoice(i: &pb::Invoice) -> InvoiceForm {
        let (integration, redirect, hook) = match &i.integration {
            Some(pb::invoice::Integration::Redirect(u)) => (1, u.clone(), pb::Webhook::default()),
            Some(pb::invoice::Integration::Webhook(w)) => (2, String::new(), w.clone()),
            _ => (0, String::new(), pb::Webhook::default()),
        };
        let (ttl_value, ttl_unit) = match i.ttl_minutes {
            m if m % 1440 == 0 => ((m / 1440).to_string(), 2),
            m if m % 60 == 0 => ((m / 60).to_string(), 1),
            m => (m.to_string(), 0),
        };
        InvoiceForm {
            is_private: i.is_private,
            user_name: String::new(),
            in_fiat: !i.is_base_crypto,
            price: crate::format::amount(i.price.as_ref()),
            fiat_currency: if i.fiat_currency.is_empty() { "USD".into() } else { i.fiat_currency.clone() },
            price_variable: if i.price_variable.is_empty() { "Average".into() } else { i.price_variable.clone() },
            ttl_value,
            ttl_unit,
            comment: i.comment.clone(),
            pieces_min: i.pieces_min.to_string(),
            pieces_max: i.pieces_max.to_string(),
            limit_liquidity: i.limit_liquidity,
            images: i.images.clone(),
            secrets: String::new(),
            integration,
            redirect,
            webhook_url: hook.url,
            client_crt: hook.client_crt,
            server_crt: hook.server_crt,
            webhook_required: hook.required,
        }
    }

    fn price(&self, errors: &mut Vec<FieldError>) -> Option<pb::Decimal> {
        let text = self.price.trim().replace(',', ".");
        if text.is_empty() {
            return None; // "is required" comes from the shared rules
        }
        match Decimal::from_str(&text).ok().and_then(|d| decimal::to_pb(d).ok()) {
            Some(p) => Some(p),
            None => {
                errors.push(FieldError::new("Price", Rule::NotANumber));
                None
            }
        }
    }

    fn number(text: &str, field: &str, errors: &mut Vec<FieldError>) -> u32 {
        match text.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) if text.trim().is_empty() => 0,
            Err(_) => {
                errors.push(FieldError::new(field, Rule::NotANumber));
                0
            }
        }
    }

    fn webhook(&self, client_key: &str) -> pb::Webhook {
        pb::Webhook {
            url: self.webhook_url.trim().to_string(),
            client_crt: self.client_crt.clone(),
            client_key: client_key.to_string(),
            server_crt: self.server_crt.clone(),
            required: self.webhook_required,
        }
    }

    /// The CreateInvoice request and every broken rule (parsing first, then the shared rules).
    pub fn to_create(&self, client_key: &str) -> (pb::CreateInvoiceRequest, Vec<FieldError>) {
        let mut errors = Vec::new();
        let ttl = Self::number(&self.ttl_value, "TtlMinutes", &mut errors)
            .saturating_mul(TTL_FACTORS[self.ttl_unit.min(2) as usize]);
        let req = pb::CreateInvoiceRequest {
            is_private: self.is_private,
            is_base_crypto: !self.in_fiat,
            user_name: self.user_name.trim().to_string(),
            price: self.price(&mut errors),
            fiat_currency: if self.in_fiat { self.fiat_currency.clone() } else { String::new() },
            price_variable: if self.in_fiat { self.price_variable.clone() } else { String::new() },
            ttl_minutes: ttl,
            comment: self.comment.clone(),
            pieces_min: Self::number(&self.pieces_min, "PiecesMin", &mut errors),
            pieces_max: Self::number(&self.pieces_max, "PiecesMax", &mut errors),
            limit_liquidity: self.limit_liquidity,
            images: self.images.clone(),
            secrets: self
                .secrets
                .lines()
                .filter(|l| !l.trim().is_empty())
                .enumerate()
                .map(|(i, l)| pb::CreateInvoiceSecretRequest {
                    text: l.trim().to_string(),
                    order: i as u32 + 1,
                    ..Default::default()
                })
                .collect(),
            integration: Some(match self.integration {
                1 => cir::Integration::Redirect(self.redirect.trim().to_string()),
                2 => cir::Integration::Webhook(self.webhook(client_key)),
                _ => cir::Integration::NoIntegration(true),
            }),
        };
        let known: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(validate::create_invoice(&req).0.into_iter().filter(|e| !known.contains(&e.field)));
        (req, errors)
    }

    /// The UpdatePublicInvoice request and every broken rule.
    pub fn to_update(
        &self,
        id: u64,
        client_key: &str,
        key_stored: bool,
    ) -> (pb::UpdatePublicInvoiceRequest, Vec<FieldError>) {
        let (create, mut errors) = self.to_create(client_key);
        errors.retain(|e| e.field != "TtlMinutes" && !e.field.starts_with("Secrets") && e.field != "UserName");
        if key_stored {
            errors.retain(|e| !(e.field == "Webhook.ClientKey" && client_key.is_empty()));
        }
        let req = pb::UpdatePublicInvoiceRequest {
            invoice_id: id,
            is_base_crypto: create.is_base_crypto,
            price: create.price,
            fiat_currency: create.fiat_currency,
            price_variable: create.price_variable,
            comment: create.comment,
            pieces_min: create.pieces_min,
            pieces_max: create.pieces_max,
            limit_liquidity: create.limit_liquidity,
            images: create.images,
            integration: create.integration.map(|i| match i {
                cir::Integration::NoIntegration(b) => upr::Integration::NoIntegration(b),
                cir::Integration::Redirect(u) => upr::Integration::Redirect(u),
                cir::Integration::Webhook(w) => upr::Integration::Webhook(w),
            }),
        };
        (req, errors)
    }
}

fn draft_key(settings: &Settings, id: Option<u64>) -> String {
    match id {
        Some(id) => drafts::key(settings, &format!("invoice.{id}")),
        None => drafts::key(settings, "invoice.new"),
    }
}

/// The saved draft of this user, if any.
pub fn load_draft(settings: &Settings, id: Option<u64>) -> Option<InvoiceForm> {
    drafts::load(&draft_key(settings, id))
}

pub fn clear_draft(settings: &Settings, id: Option<u64>) {
    drafts::clear(&draft_key(settings, id));
}

/// `/invoices/new`
#[component]
pub fn CreateInvoicePage() -> impl IntoView {
    view! { <InvoiceFormView invoice=None /> }
}

/// `/invoice/:id/edit`: loads the invoice, then the same form, prefilled.
#[component]
pub fn EditInvoicePage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let invoice = LocalResource::new(move || {
        let settings = app.settings.get();
        let id = id();
        async move { api::invoices::get_by_id(&settings, id).await }
    });
    view! {
        <Transition fallback=move || view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }>
            {move || invoice.get().map(|r| match r {
                Ok(inv) if inv.is_private => view! {
                    <section class="page"><p class="error-banner" role="alert">{tr(|t| t.inv.not_editable_private)}</p></section>
                }.into_any(),
                Ok(inv) => view! { <InvoiceFormView invoice=Some(inv) /> }.into_any(),
                Err(e) => view! { <section class="page"><ErrorView error=e /></section> }.into_any(),
            })}
        </Transition>
    }
}

/// The form. Props: `invoice`, the invoice being edited (None: a new one).
#[component]
pub fn InvoiceFormView(invoice: Option<pb::Invoice>) -> impl IntoView {
    let app = use_app();
    let t = use_texts();
    let navigate = use_navigate();
    let editing = invoice.as_ref().map(|i| i.id);
    let key_stored = invoice.as_ref().is_some_and(
        |i| matches!(&i.integration, Some(pb::invoice::Integration::Webhook(w)) if !w.client_key.is_empty()),
    );
    let draft_at = StoredValue::new(draft_key(&app.settings.get_untracked(), editing));
    let draft = draft_at.with_value(|k| drafts::load::<InvoiceForm>(k));
    let restored = RwSignal::new(draft.is_some());
    let start =
        draft.unwrap_or_else(|| invoice.as_ref().map(InvoiceForm::from_invoice).unwrap_or_else(InvoiceForm::blank));
    let form = RwSignal::new(start.clone());
    let images = RwSignal::new(start.images.clone());
    let client_key = RwSignal::new(String::new());
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<FieldError>);
    let failure = RwSignal::new(None::<ApiError>);
    let saving = RwSignal::new(false);

    // Images live in their own component; fold them into the form (and the draft).
    Effect::new(move |first: Option<()>| {
        let list = images.get();
        if first.is_some() {
            form.update(|f| f.images = list);
            form.with_untracked(|f| draft_at.with_value(|k| drafts::save(k, f)));
        }
    });
    let errors = Memo::new(move |_| {
        let f = form.get();
        let key = client_key.get();
        let mut list = match editing {
            Some(id) => f.to_update(id, &key, key_stored).1,
            None => f.to_create(&key).1,
        };
        if let Some(e) = server_error.get() {
            list.insert(0, e);
        }
        list
    });
    // The error to show for a field: once it was touched or a submit was tried.
    let error_for = move |field: &'static str, key: &'static str| {
        Signal::derive(move || {
            if !submitted.get() && !touched.with(|t| t.contains(&key)) {
                return None;
            }
            errors.with(|list| {
                list.iter()
                    .find(|e| {
                        e.field == field
                            || e.field.starts_with(&format!("{field}["))
                            || e.field.starts_with(&format!("{field}."))
                    })
                    .map(|e| crate::i18n::rules::field_error_text(e, Some(field), t.get().lang))
            })
        })
    };
    let touch = move |key: &'static str| {
        touched.update(|t| {
            if !t.contains(&key) {
                t.push(key);
            }
        })
    };
    // Every change is saved as a draft at once: a reload or a crash right after typing
    // loses nothing.
    let edit = move |key: &'static str, f: &dyn Fn(&mut InvoiceForm)| {
        touch(key);
        server_error.set(None);
        form.update(|form| f(form));
        form.with_untracked(|f| draft_at.with_value(|k| drafts::save(k, f)));
    };

    // Live checks: does the buyer exist; the rate variables.
    let variables = LocalResource::new(move || {
        let settings = app.settings.get();
        async move { api::invoices::variables(&settings).await.unwrap_or_default() }
    });
    let user_check = RwSignal::new(None::<(String, bool)>);
    let check_gen = StoredValue::new(0u32);
    Effect::new(move |_| {
        let name = form.with(|f| f.user_name.trim().to_string());
        if !form.with(|f| f.is_private) || validate::username(&name).is_err() {
            user_check.set(None);
            return;
        }
        check_gen.update_value(|g| *g += 1);
        let mine = check_gen.get_value();
        let settings = app.settings.get_untracked();
        set_timeout(
            move || {
                if check_gen.try_get_value() != Some(mine) {
                    return; // typed on
                }
                leptos::task::spawn_local(async move {
                    if let Ok(found) = api::invoices::user_exists(&settings, &name).await
                        && check_gen.try_get_value() == Some(mine)
                    {
                        user_check.try_set(Some((name, found)));
                    }
                });
            },
            std::time::Duration::from_millis(350),
        );
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        failure.set(None);
        if errors.with_untracked(|e| !e.is_empty()) {
            return;
        }
        let f = form.get_untracked();
        let key = client_key.get_untracked();
        let settings = app.settings.get_untracked();
        let navigate = navigate.clone();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = match editing {
                Some(id) => api::invoices::update(&settings, f.to_update(id, &key, key_stored).0, key_stored).await,
                None => api::invoices::create(&settings, f.to_create(&key).0).await,
            };
            saving.set(false);
            match result {
                Ok(inv) => {
                    draft_at.with_value(|k| drafts::clear(k));
                    client_key.set(String::new());
                    navigate(&format!("/invoice/{}", inv.id), Default::default());
                }
                Err(ApiError::Invalid(e)) => server_error.set(Some(e)),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let discard = move |_| {
        draft_at.with_value(|k| drafts::clear(k));
        restored.set(false);
        let fresh = invoice.as_ref().map(InvoiceForm::from_invoice).unwrap_or_else(InvoiceForm::blank);
        images.set(fresh.images.clone());
        form.set(fresh);
        touched.set(Vec::new());
        submitted.set(false);
    };
    let discard = StoredValue::new(discard);

    let text_input = move |id: &'static str,
                           key: &'static str,
                           field: &'static str,
                           label: fn(&Texts) -> &'static str,
                           get: fn(&InvoiceForm) -> String,
                           set: fn(&mut InvoiceForm, String)| {
        let err = error_for(field, key);
        let err_id = format!("{id}-error");
        view! {
            <div class="field">
                <label for=id>{move || label(t.get())}</label>
                <input id=id type="text" autocomplete="off" prop:value=move || form.with(get)
                    aria-invalid=move || err.with(Option::is_some).to_string() aria-describedby=err_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(key, &|f| set(f, v.clone())); } />
                <p id=err_id class="field-error" hidden=move || err.with(Option::is_none)>{move || err.get()}</p>
            </div>
        }
    };
    let pem_area = move |id: &'static str,
                         key: &'static str,
                         field: &'static str,
                         label: fn(&Texts) -> &'static str,
                         get: fn(&InvoiceForm) -> String,
                         set: fn(&mut InvoiceForm, String)| {
        let err = error_for(field, key);
        let err_id = format!("{id}-error");
        let file_id = format!("{id}-file");
        view! {
            <div class="field">
                <label for=id>{move || label(t.get())}</label>
                <textarea id=id class="mono" spellcheck="false" autocomplete="off" prop:value=move || form.with(get)
                    aria-invalid=move || err.with(Option::is_some).to_string() aria-describedby=err_id.clone()
                    on:input=move |ev| { let v = event_target_value(&ev); edit(key, &|f| set(f, v.clone())); }></textarea>
                <label class="muted" for=file_id.clone()>{tr(|t| t.inv.load_file)}</label>
                <input id=file_id type="file" accept=".pem,.crt,.cer,.key,text/plain" on:change=move |ev| {
                    if let Some(file) = files::from_input(&ev).into_iter().next() {
                        leptos::task::spawn_local(async move {
                            if let Ok(text) = files::text(&file).await {
                                edit(key, &|f| set(f, text.clone()));
                            }
                        });
                    }
                } />
                <p id=err_id class="field-error" hidden=move || err.with(Option::is_none)>{move || err.get()}</p>
            </div>
        }
    };

    let kind = move |private: bool, label: fn(&Texts) -> &'static str| {
        view! {
            <label>
                <input type="radio" name="invoice-kind" prop:checked=move || form.with(|f| f.is_private == private)
                    disabled=editing.is_some()
                    on:change=move |_| edit("kind", &|f| f.is_private = private) />
                {move || label(t.get())}
            </label>
        }
    };
    let unit = move |fiat: bool, label: fn(&Texts) -> &'static str| {
        view! {
            <label>
                <input type="radio" name="price-unit" prop:checked=move || form.with(|f| f.in_fiat == fiat)
                    on:change=move |_| edit("unit", &|f| f.in_fiat = fiat) />
                {move || label(t.get())}
            </label>
        }
    };
    let integration = move |value: u32, label: fn(&Texts) -> &'static str| {
        view! {
            <label>
                <input type="radio" name="integration" prop:checked=move || form.with(|f| f.integration == value)
                    on:change=move |_| edit("integration", &|f| f.integration = value) />
                {move || label(t.get())}
            </label>
        }
    };
    let preview = move || {
        let f = form.get();
        if !f.in_fiat {
            return None;
        }
        let vars = variables.get().unwrap_or_default();
        let rate = vars.iter().find(|(n, _)| *n == f.price_variable).and_then(|(_, v)| decimal::from_pb(v).ok())?;
        let price = Decimal::from_str(&f.price.trim().replace(',', ".")).ok()?;
        let t = t.get();
        Some(if f.fiat_currency == "USD" && rate > Decimal::ZERO {
            format!(
                "{} {} BTC ({} {rate} USD/BTC)",
                t.inv.btc_preview,
                decimal::format_btc(price / rate),
                f.price_variable
            )
        } else {
            format!("{}: {rate} USD/BTC", f.price_variable)
        })
    };
    let ttl_err = error_for("TtlMinutes", "ttl");
    let comment_err = error_for("Comment", "comment");
    let pieces_min_err = error_for("PiecesMin", "pieces");
    let pieces_max_err = error_for("PiecesMax", "pieces");
    let secrets_err = error_for("Secrets", "secrets");
    let key_err = error_for("Webhook.ClientKey", "key");
    let images_err = error_for("Images", "images");
    let currency_err = error_for("FiatCurrency", "unit");
    let variable_err = error_for("PriceVariable", "unit");
    let comment_left = move || limits::COMMENT_MAX as i64 - form.with(|f| f.comment.chars().count() as i64);

    view! {
        <section class="page narrow invoice-form">
            <h1>{move || if editing.is_some() { t.get().inv.edit_title } else { t.get().inv.create_title }}</h1>
            {move || restored.get().then(|| view! {
                <div class="notice" role="status">
                    <span>{tr(|t| t.inv.draft_restored)}</span>
                    <button type="button" class="button" on:click=move |ev| discard.with_value(|d| d(ev))>{tr(|t| t.inv.discard_draft)}</button>
                </div>
            })}
            <form class="form-grid" on:submit=submit novalidate>
                <div class="field">
                    <div class="segmented" role="radiogroup">
                        {kind(false, |t| t.inv.kind_public)}
                        {kind(true, |t| t.inv.kind_private)}
                    </div>
                    <small class="hint">{move || if form.with(|f| f.is_private) { t.get().inv.kind_private_hint } else { t.get().inv.kind_public_hint }}</small>
                </div>
                {move || form.with(|f| f.is_private).then(|| view! {
                    {text_input("invoice-user", "user", "UserName", |t| t.inv.buyer_name, |f| f.user_name.clone(), |f, v| f.user_name = v)}
                    {move || user_check.get().map(|(name, found)| if found {
                        view! { <p class="field-ok" role="status">{tr(|t| t.inv.user_found)}": "{name.clone()}</p> }.into_any()
                    } else {
                        view! { <p class="field-error" role="status">{tr(|t| t.inv.user_not_found)}</p> }.into_any()
                    })}
                })}
                <div class="field">
                    <span>{tr(|t| t.inv.price_in)}</span>
                    <div class="segmented" role="radiogroup">
                        {unit(false, |t| t.inv.in_btc)}
                        {unit(true, |t| t.inv.in_fiat)}
                    </div>
                </div>
                <div class="pair">
                    {text_input("invoice-price", "price", "Price", |t| t.field_price, |f| f.price.clone(), |f, v| f.price = v)}
                    {move || form.with(|f| f.in_fiat).then(|| view! {
                        <div class="field">
                            <label for="invoice-currency">{tr(|t| t.inv.currency)}</label>
                            <select id="invoice-currency" on:change=move |ev| { let v = event_target_value(&ev); edit("unit", &|f| f.fiat_currency = v.clone()); }>
                                {currency::CURRENCIES.iter().map(|c| {
                                    let code = c.code;
                                    view! { <option value=code selected=move || form.with(|f| f.fiat_currency == code)>{format!("{code} — {}", c.name)}</option> }
                                }).collect_view()}
                            </select>
                            <p id="invoice-currency-error" class="field-error" hidden=move || currency_err.with(Option::is_none)>{move || currency_err.get()}</p>
                        </div>
                        <div class="field">
                            <label for="invoice-variable">{tr(|t| t.inv.rate_variable)}</label>
                            <select id="invoice-variable" on:change=move |ev| { let v = event_target_value(&ev); edit("unit", &|f| f.price_variable = v.clone()); }>
                                {move || {
                                    let mut vars: Vec<String> = variables.get().unwrap_or_default().into_iter().map(|(n, _)| n).collect();
                                    let current = form.with_untracked(|f| f.price_variable.clone());
                                    if !vars.contains(&current) { vars.insert(0, current); }
                                    vars.into_iter().map(|n| {
                                        let (n2, n3) = (n.clone(), n.clone());
                                        view! { <option value=n3 selected=move || form.with(|f| f.price_variable == n2)>{n}</option> }
                                    }).collect_view()
                                }}
                            </select>
                            <p id="invoice-variable-error" class="field-error" hidden=move || variable_err.with(Option::is_none)>{move || variable_err.get()}</p>
                        </div>
                    })}
                </div>
                {move || preview().map(|p| view! { <p class="hint" role="status">{p}</p> })}
                {editing.is_none().then(|| view! {
                    <div class="field">
                        <label for="invoice-ttl">{tr(|t| t.inv.lifetime)}</label>
                        <div class="pair">
                            <input id="invoice-ttl" type="text" inputmode="numeric" prop:value=move || form.with(|f| f.ttl_value.clone())
                                aria-invalid=move || ttl_err.with(Option::is_some).to_string()
                                on:input=move |ev| { let v = event_target_value(&ev); edit("ttl", &|f| f.ttl_value = v.clone()); } />
                            <select aria-label=tr(|t| t.inv.lifetime) on:change=move |ev| { let v: u32 = event_target_value(&ev).parse().unwrap_or(2); edit("ttl", &|f| f.ttl_unit = v); }>
                                <option value="0" selected=move || form.with(|f| f.ttl_unit == 0)>{tr(|t| t.inv.minutes)}</option>
                                <option value="1" selected=move || form.with(|f| f.ttl_unit == 1)>{tr(|t| t.inv.hours)}</option>
                                <option value="2" selected=move || form.with(|f| f.ttl_unit == 2)>{tr(|t| t.inv.days)}</option>
                            </select>
                        </div>
                        <p id="invoice-ttl-error" class="field-error" hidden=move || ttl_err.with(Option::is_none)>{move || ttl_err.get()}</p>
                    </div>
                })}
                <div class="field">
                    <label for="invoice-comment">{tr(|t| t.field_comment)}</label>
                    <textarea id="invoice-comment" prop:value=move || form.with(|f| f.comment.clone())
                        aria-invalid=move || comment_err.with(Option::is_some).to_string() aria-describedby="invoice-comment-count"
                        on:input=move |ev| { let v = event_target_value(&ev); edit("comment", &|f| f.comment = v.clone()); }></textarea>
                    <small id="invoice-comment-count" class="counter" class:field-error=move || comment_left() < 0>
                        {move || format!("{} {}", comment_left(), t.get().inv.chars_left)}
                    </small>
                    <p id="invoice-comment-error" class="field-error" hidden=move || comment_err.with(Option::is_none)>{move || comment_err.get()}</p>
                </div>
                {move || (!form.with(|f| f.is_private)).then(|| view! {
                    <div class="pair">
                        <div class="field">
                            <label for="invoice-pieces-min">{tr(|t| t.inv.pieces_min)}</label>
                            <input id="invoice-pieces-min" type="text" inputmode="numeric" prop:value=move || form.with(|f| f.pieces_min.clone())
                                aria-invalid=move || pieces_min_err.with(Option::is_some).to_string()
                                on:input=move |ev| { let v = event_target_value(&ev); edit("pieces", &|f| f.pieces_min = v.clone()); } />
                            <p id="invoice-pieces-min-error" class="field-error" hidden=move || pieces_min_err.with(Option::is_none)>{move || pieces_min_err.get()}</p>
                        </div>
                        <div class="field">
                            <label for="invoice-pieces-max">{tr(|t| t.inv.pieces_max)}</label>
                            <input id="invoice-pieces-max" type="text" inputmode="numeric" prop:value=move || form.with(|f| f.pieces_max.clone())
                                aria-invalid=move || pieces_max_err.with(Option::is_some).to_string()
                                on:input=move |ev| { let v = event_target_value(&ev); edit("pieces", &|f| f.pieces_max = v.clone()); } />
                            <p id="invoice-pieces-max-error" class="field-error" hidden=move || pieces_max_err.with(Option::is_none)>{move || pieces_max_err.get()}</p>
                        </div>
                    </div>
                    <label class="check" for="invoice-liquidity">
                        <input id="invoice-liquidity" type="checkbox" prop:checked=move || form.with(|f| f.limit_liquidity)
                            on:change=move |ev| { let v = event_target_checked(&ev); edit("pieces", &|f| f.limit_liquidity = v); } />
                        {tr(|t| t.inv.limit_liquidity_hint)}
                    </label>
                })}
                <ImagePicker images=images input_id="invoice-images" label=Signal::derive(move || t.get().inv.images) error=images_err />
                {editing.is_none().then(|| view! {
                    <div class="field">
                        <label for="invoice-secrets">{tr(|t| t.inv.initial_secrets)}</label>
                        <textarea id="invoice-secrets" class="mono" prop:value=move || form.with(|f| f.secrets.clone())
                            aria-describedby="invoice-secrets-hint"
                            on:input=move |ev| { let v = event_target_value(&ev); edit("secrets", &|f| f.secrets = v.clone()); }></textarea>
                        <small id="invoice-secrets-hint" class="hint">{tr(|t| t.inv.initial_secrets_hint)}</small>
                        <p id="invoice-secrets-error" class="field-error" hidden=move || secrets_err.with(Option::is_none)>{move || secrets_err.get()}</p>
                    </div>
                })}
                <fieldset class="group">
                    <legend>{tr(|t| t.inv.integration)}</legend>
                    <div class="segmented" role="radiogroup">
                        {integration(0, |t| t.inv.integration_none)}
                        {integration(1, |t| t.inv.integration_redirect)}
                        {integration(2, |t| t.inv.integration_webhook)}
                    </div>
                    {move || match form.with(|f| f.integration) {
                        1 => text_input("invoice-redirect", "redirect", "Redirect", |t| t.inv.redirect_url, |f| f.redirect.clone(), |f, v| f.redirect = v).into_any(),
                        2 => view! {
                            {text_input("invoice-webhook-url", "hook-url", "Webhook.Url", |t| t.inv.webhook_url, |f| f.webhook_url.clone(), |f, v| f.webhook_url = v)}
                            {pem_area("invoice-client-crt", "hook-crt", "Webhook.ClientCrt", |t| t.inv.client_crt, |f| f.client_crt.clone(), |f, v| f.client_crt = v)}
                            <div class="field">
                                <label for="invoice-client-key">{tr(|t| t.inv.client_key)}</label>
                                <textarea id="invoice-client-key" class="mono" spellcheck="false" autocomplete="off"
                                    placeholder=move || if key_stored { t.get().inv.client_key_kept } else { "" }
                                    aria-describedby="invoice-client-key-hint"
                                    aria-invalid=move || key_err.with(Option::is_some).to_string()
                                    prop:value=move || client_key.get()
                                    on:input=move |ev| { touch("key"); client_key.set(event_target_value(&ev)); }></textarea>
                                <small id="invoice-client-key-hint" class="hint">{tr(|t| t.inv.client_key_hint)}</small>
                                <p id="invoice-client-key-error" class="field-error" hidden=move || key_err.with(Option::is_none)>{move || key_err.get()}</p>
                            </div>
                            {pem_area("invoice-server-crt", "hook-server", "Webhook.ServerCrt", |t| t.inv.server_crt, |f| f.server_crt.clone(), |f, v| f.server_crt = v)}
                            <label class="check" for="invoice-webhook-required">
                                <input id="invoice-webhook-required" type="checkbox" prop:checked=move || form.with(|f| f.webhook_required)
                                    on:change=move |ev| { let v = event_target_checked(&ev); edit("hook-required", &|f| f.webhook_required = v); } />
                                {tr(|t| t.inv.webhook_required)}
                            </label>
                        }.into_any(),
                        _ => ().into_any(),
                    }}
                </fieldset>
                {move || (submitted.get() && errors.with(|e| !e.is_empty())).then(|| view! {
                    <p class="field-error" role="alert">{tr(|t| t.inv.fix_errors)}</p>
                })}
                {move || failure.get().map(|e| view! { <ErrorView error=e /> })}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || saving.get()>
                        {move || if saving.get() { t.get().inv.saving } else if editing.is_some() { t.get().inv.save } else { t.get().inv.create }}
                    </button>
                </div>
            </form>
        </section>
    }
}
