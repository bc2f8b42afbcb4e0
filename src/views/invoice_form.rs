//! Create (CreateInvoice) and edit (UpdatePublicInvoice) an invoice.
//!
//! The form keeps what the person typed, as typed (`schet_model::invoice_form`), saves it as
//! a draft on every change (restored after a reload or a failed request, cleared on success;
//! the webhook's private key is never part of it) and checks it with the same rules as the
//! service, showing each error next to its field, in the user's language, as soon as the
//! field was touched. Errors the service finds map back to the same fields.

use crate::api::{self, ApiError};
use crate::components::field::{Control, Field};
use crate::components::{ErrorView, ImagePicker, files};
use crate::i18n::TextSignal;
use crate::i18n::invoices::{InvoiceTexts, tr as tr_inv, use_texts as use_inv_texts};
use crate::i18n::{rules::field_error_text, tr, use_lang};
use crate::nav;
use crate::settings::Settings;
use crate::state::use_app;
use crate::storage::Stored;
use crate::tasks;
use crate::tasks::Signal;
use crate::tasks::StoredValue;
use crate::tasks::{Memo, RwSignal};
use leptos::prelude::*;
use rust_decimal::Decimal;
use schet_api::pb;
use schet_api::{FieldError, currency, decimal, limits, validate};
use schet_model::codec::Proto;
use schet_model::invoice_form::{Delivery, InvoiceForm, TtlUnit, error_for};
use std::time::Duration;

/// Where the draft of invoice `id` (None: a new one) is kept for this login.
fn draft(settings: &Settings, id: Option<u64>) -> Stored<Proto<InvoiceForm>> {
    match id {
        Some(id) => settings.draft(&format!("invoice.{id}")),
        None => settings.draft("invoice.new"),
    }
}

/// The saved draft of this user, if any.
pub fn load_draft(settings: &Settings, id: Option<u64>) -> Option<InvoiceForm> {
    draft(settings, id).load()
}

pub fn clear_draft(settings: &Settings, id: Option<u64>) {
    draft(settings, id).clear();
}

/// `/invoices/new`
#[component]
pub fn CreateInvoicePage() -> impl IntoView {
    view! { <InvoiceFormView invoice=None /> }
}

/// `/invoice/:id/edit`: loads the invoice, then the same form, prefilled.
#[component]
pub fn EditInvoicePage() -> impl IntoView {
    let id = nav::path_number();
    move || match id.get() {
        Some(id) => view! { <EditInvoice id=id /> }.into_any(),
        None => view! { <p class="page">{tr(|t| t.invoice_id_rule)}</p> }.into_any(),
    }
}

#[component]
fn EditInvoice(id: u64) -> impl IntoView {
    let app = use_app();
    let invoice = tasks::resource(move || {
        let settings = app.settings.get();
        async move { api::invoices::get_by_id(&settings, id).await }
    });
    view! {
        <Transition fallback=move || view! { <div class="skeleton" aria-label=tr(|t| t.loading)></div> }>
            {move || invoice.get().map(|r| match r {
                Ok(inv) if inv.is_private => view! {
                    <section class="page"><p class="error-banner" role="alert">{tr_inv(|t| t.not_editable_private)}</p></section>
                }.into_any(),
                Ok(inv) => view! { <InvoiceFormView invoice=Some(inv) /> }.into_any(),
                Err(e) => view! { <section class="page"><ErrorView error=e /></section> }.into_any(),
            })}
        </Transition>
    }
}

/// What the person typed, checked, and its errors.
#[derive(Clone, Copy)]
struct Form {
    form: RwSignal<InvoiceForm>,
    /// The inputs touched (an error shows once its input was, or a submit was tried).
    touched: RwSignal<Vec<&'static str>>,
    submitted: RwSignal<bool>,
    /// A rule the service found on the last submit (until the next change).
    server_error: RwSignal<Option<FieldError>>,
    errors: Memo<Vec<FieldError>>,
    draft: StoredValue<Stored<Proto<InvoiceForm>>>,
}

impl Form {
    fn touch(self, key: &'static str) {
        if !self.touched.with_untracked(|t| t.contains(&key)) {
            self.touched.update(|t| t.push(key));
        }
    }

    /// A change of input `key`: kept at once as a draft, so a reload or a crash right after
    /// typing loses nothing.
    fn edit(self, key: &'static str, f: impl FnOnce(&mut InvoiceForm)) {
        self.touch(key);
        self.server_error.set(None);
        self.form.update(f);
        self.form.with_untracked(|f| self.draft.with_value(|d| d.save(f)));
    }

    /// The error to show under the form field `field` (a proto name), in the user's language.
    fn error(self, field: &'static str, key: &'static str) -> Signal<Option<String>> {
        let lang = use_lang();
        Signal::derive(move || {
            if !self.submitted.get() && !self.touched.with(|t| t.contains(&key)) {
                return None;
            }
            self.errors.with(|list| error_for(list, field).map(|e| field_error_text(e, Some(field), lang.get())))
        })
    }

    /// A text field bound to the form: its value, its changes and its error.
    #[allow(clippy::too_many_arguments)]
    fn text(
        self,
        id: &'static str,
        key: &'static str,
        field: &'static str,
        label: TextSignal,
        control: Control,
        get: fn(&InvoiceForm) -> String,
        set: fn(&mut InvoiceForm, String),
    ) -> impl IntoView + use<> {
        let form = self.form;
        view! {
            <Field id=id label=label control=control error=self.error(field, key)
                value=Signal::derive(move || form.with(get))
                on_input=Callback::new(move |v: String| self.edit(key, |f| set(f, v))) />
        }
    }

    /// A PEM text area that can also be filled from a file.
    fn pem(
        self,
        id: &'static str,
        key: &'static str,
        field: &'static str,
        label: fn(&'static InvoiceTexts) -> &'static str,
        get: fn(&InvoiceForm) -> String,
        set: fn(&mut InvoiceForm, String),
    ) -> impl IntoView + use<> {
        let form = self.form;
        let file_id = format!("{id}-file");
        let load = move |ev: leptos::ev::Event| {
            if let Some(file) = files::from_input(&ev).into_iter().next() {
                leptos::task::spawn_local(async move {
                    if let Ok(text) = files::text(&file).await {
                        self.edit(key, |f| set(f, text));
                    }
                });
            }
        };
        view! {
            <Field id=id label=tr_inv(label) control=Control::Code error=self.error(field, key)
                value=Signal::derive(move || form.with(get))
                on_input=Callback::new(move |v: String| self.edit(key, |f| set(f, v)))>
                <label class="muted" for=file_id.clone()>{tr_inv(|t| t.load_file)}</label>
                <input id=file_id type="file" accept=".pem,.crt,.cer,.key,text/plain" on:change=load />
            </Field>
        }
    }
}

/// The form. Props: `invoice`, the invoice being edited (None: a new one).
#[component]
pub fn InvoiceFormView(invoice: Option<pb::Invoice>) -> impl IntoView {
    let app = use_app();
    let ti = use_inv_texts();
    let nav = nav::use_nav();
    let editing = invoice.as_ref().map(|i| i.id);
    let key_stored = invoice.as_ref().is_some_and(
        |i| matches!(&i.integration, Some(pb::invoice::Integration::Webhook(w)) if !w.client_key.is_empty()),
    );
    let invoice = StoredValue::new(invoice);
    let draft = StoredValue::new(draft(&app.settings.get_untracked(), editing));
    let saved = draft.with_value(Stored::load);
    let restored = RwSignal::new(saved.is_some());
    let fresh =
        move || invoice.with_value(|i| i.as_ref().map(InvoiceForm::from_invoice)).unwrap_or_else(InvoiceForm::blank);
    let start = saved.unwrap_or_else(fresh);
    let images = RwSignal::new(start.images.clone());
    let form = RwSignal::new(start);
    let client_key = RwSignal::new(String::new());
    let server_error = RwSignal::new(None::<FieldError>);
    let errors = Memo::new(move |_| {
        let key = client_key.get();
        let mut list = form.with(|f| match editing {
            Some(id) => f.to_update(id, &key, key_stored).1,
            None => f.to_create(&key).1,
        });
        if let Some(e) = server_error.get() {
            list.insert(0, e);
        }
        list
    });
    let f =
        Form { form, touched: RwSignal::new(Vec::new()), submitted: RwSignal::new(false), server_error, errors, draft };

    // Images live in their own component; fold them into the form (and the draft).
    tasks::effect(move |first: Option<()>| {
        let list = images.get();
        if first.is_some() {
            f.edit("images", |form| form.images = list);
        }
    });

    // The rate variables, and whether the private invoice's buyer exists (asked once the
    // name has stood still for a moment).
    let variables = tasks::resource(move || {
        let settings = app.settings.get();
        async move { api::invoices::variables(&settings).await.unwrap_or_default() }
    });
    let buyer_name = Memo::new(move |_| {
        form.with(|f| {
            let name = f.user_name.trim();
            (f.is_private && validate::username(name).is_ok()).then(|| name.to_string())
        })
    });
    let settled = RwSignal::new(None::<String>);
    tasks::effect(move |_| {
        let name = buyer_name.get();
        set_timeout(
            move || {
                if buyer_name.try_get_untracked().as_ref() == Some(&name) && settled.get_untracked() != name {
                    settled.set(name);
                }
            },
            Duration::from_millis(350),
        );
    });
    let buyer_check = tasks::resource(move || {
        let (settings, name) = (app.settings.get(), settled.get());
        async move {
            let name = name?;
            api::invoices::user_exists(&settings, &name).await.ok().map(|found| (name, found))
        }
    });
    let buyer_check = move || buyer_check.get().flatten().filter(|(n, _)| buyer_name.with(|b| b.as_ref() == Some(n)));

    // Saved: the draft is done with, and the invoice opens; a rule the service found shows
    // next to its field.
    let save = tasks::action(move |(form, key): &(InvoiceForm, String)| {
        let (form, key, settings) = (form.clone(), key.clone(), app.settings.get_untracked());
        async move {
            let result = match editing {
                Some(id) => api::invoices::update(&settings, form.to_update(id, &key, key_stored).0, key_stored).await,
                None => api::invoices::create(&settings, form.to_create(&key).0).await,
            };
            match &result {
                Ok(inv) => {
                    draft.with_value(Stored::clear);
                    client_key.set(String::new());
                    nav.go(&format!("/invoice/{}", inv.id), false);
                }
                Err(ApiError::Invalid(e)) => server_error.set(Some((**e).clone())),
                Err(_) => {}
            }
            result.map(|_| ())
        }
    });
    let failure = move || match save.value() {
        Some(Err(ApiError::Invalid(_))) | None | Some(Ok(_)) => None,
        Some(Err(e)) => (!save.pending()).then_some(e),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        f.submitted.set(true);
        if errors.with_untracked(|e| e.is_empty()) {
            save.dispatch((form.get_untracked(), client_key.get_untracked()));
        }
    };
    let discard = move |_| {
        draft.with_value(Stored::clear);
        restored.set(false);
        let fresh = fresh();
        images.set(fresh.images.clone());
        form.set(fresh);
        f.touched.set(Vec::new());
        f.submitted.set(false);
    };

    let radio = move |name: &'static str, on: Signal<bool>, label: TextSignal, pick: Callback<()>| {
        view! {
            <label>
                <input type="radio" name=name prop:checked=move || on.get() disabled=name == "invoice-kind" && editing.is_some()
                    on:change=move |_| pick.run(()) />
                {label}
            </label>
        }
    };
    type Label = fn(&'static InvoiceTexts) -> &'static str;
    let kind = move |private: bool, label: Label| {
        let on = Signal::derive(move || form.with(|f| f.is_private == private));
        radio("invoice-kind", on, tr_inv(label), Callback::new(move |()| f.edit("kind", |f| f.is_private = private)))
    };
    let unit = move |fiat: bool, label: Label| {
        let on = Signal::derive(move || form.with(|f| f.in_fiat == fiat));
        radio("price-unit", on, tr_inv(label), Callback::new(move |()| f.edit("unit", |f| f.in_fiat = fiat)))
    };
    let delivery = move |d: Delivery, label: Label| {
        let on = Signal::derive(move || form.with(|f| f.delivery() == d));
        radio("integration", on, tr_inv(label), Callback::new(move |()| f.edit("integration", |f| f.set_delivery(d))))
    };
    let preview = move || {
        let form = form.get();
        if !form.in_fiat {
            return None;
        }
        let vars = variables.get().unwrap_or_default();
        let rate = vars.iter().find(|(n, _)| *n == form.price_variable).and_then(|(_, v)| decimal::from_pb(v).ok())?;
        let price = form.price_value()?;
        Some(if form.fiat_currency == "USD" && rate > Decimal::ZERO {
            let btc = decimal::format_btc(price / rate);
            format!("{} {btc} BTC ({} {rate} USD/BTC)", ti.get().btc_preview, form.price_variable)
        } else {
            format!("{}: {rate} USD/BTC", form.price_variable)
        })
    };
    let lang = use_lang();
    let currencies = Signal::derive(move || {
        let name = crate::format::currency_names(lang.get().code());
        let label = |code: &str| name(code).map_or_else(|| code.to_string(), |n| format!("{code} — {n}"));
        currency::CURRENCIES.iter().map(|c| (c.code.to_string(), label(c.code))).collect()
    });
    let variable_names = Signal::derive(move || {
        let mut names: Vec<String> = variables.get().unwrap_or_default().into_iter().map(|(n, _)| n).collect();
        let current = form.with_untracked(|f| f.price_variable.clone());
        if !names.contains(&current) {
            names.insert(0, current);
        }
        names.into_iter().map(|n| (n.clone(), n)).collect()
    });
    let ttl_units = Signal::derive(move || {
        let ti = ti.get();
        let label = |u: TtlUnit| match u {
            TtlUnit::Minutes => ti.minutes,
            TtlUnit::Hours => ti.hours,
            TtlUnit::Days => ti.days,
        };
        TtlUnit::ALL.map(|u| ((u as i32).to_string(), label(u).to_string())).to_vec()
    });
    let comment_left = move || limits::COMMENT_MAX as i64 - form.with(|f| f.comment.chars().count() as i64);

    view! {
        <section class="page narrow invoice-form">
            <h1>{move || if editing.is_some() { ti.get().edit_title } else { ti.get().create_title }}</h1>
            {move || restored.get().then(|| view! {
                <div class="notice" role="status">
                    <span>{tr_inv(|t| t.draft_restored)}</span>
                    <button type="button" class="button" on:click=discard>{tr_inv(|t| t.discard_draft)}</button>
                </div>
            })}
            <form class="form-grid" on:submit=submit novalidate>
                <div class="field">
                    <div class="segmented" role="radiogroup">{kind(false, |t| t.kind_public)}{kind(true, |t| t.kind_private)}</div>
                    <small class="hint">{move || if form.with(|f| f.is_private) { ti.get().kind_private_hint } else { ti.get().kind_public_hint }}</small>
                </div>
                {move || form.with(|f| f.is_private).then(|| view! {
                    {f.text("invoice-user", "user", "UserName", tr_inv(|t| t.buyer_name), Control::Text, |f| f.user_name.clone(), |f, v| f.user_name = v)}
                    {move || buyer_check().map(|(name, found)| if found {
                        view! { <p class="field-ok" role="status">{tr_inv(|t| t.user_found)}": "{name}</p> }.into_any()
                    } else {
                        view! { <p class="field-error" role="status">{tr_inv(|t| t.user_not_found)}</p> }.into_any()
                    })}
                })}
                <div class="field">
                    <span>{tr_inv(|t| t.price_in)}</span>
                    <div class="segmented" role="radiogroup">{unit(false, |t| t.in_btc)}{unit(true, |t| t.in_fiat)}</div>
                </div>
                <div class="pair">
                    {f.text("invoice-price", "price", "Price", tr(|t| t.field_price), Control::Text, |f| f.price.clone(), |f, v| f.price = v)}
                    {move || form.with(|f| f.in_fiat).then(|| view! {
                        <Field id="invoice-currency" label=tr_inv(|t| t.currency) options=currencies error=f.error("FiatCurrency", "unit")
                            value=Signal::derive(move || form.with(|f| f.fiat_currency.clone()))
                            on_input=Callback::new(move |v: String| f.edit("unit", |f| f.fiat_currency = v)) />
                        <Field id="invoice-variable" label=tr_inv(|t| t.rate_variable) options=variable_names error=f.error("PriceVariable", "unit")
                            value=Signal::derive(move || form.with(|f| f.price_variable.clone()))
                            on_input=Callback::new(move |v: String| f.edit("unit", |f| f.price_variable = v)) />
                    })}
                </div>
                {move || preview().map(|p| view! { <p class="hint" role="status">{p}</p> })}
                {editing.is_none().then(|| view! {
                    <Field id="invoice-ttl" label=tr_inv(|t| t.lifetime) control=Control::Numeric inline=true error=f.error("TtlMinutes", "ttl")
                        value=Signal::derive(move || form.with(|f| f.ttl_value.clone()))
                        on_input=Callback::new(move |v: String| f.edit("ttl", |f| f.ttl_value = v))>
                        <select aria-label=tr_inv(|t| t.lifetime) on:change=move |ev| {
                            let unit = event_target_value(&ev).parse::<i32>().ok().and_then(|u| TtlUnit::try_from(u).ok());
                            f.edit("ttl", |f| f.set_ttl_unit(unit.unwrap_or(TtlUnit::Days)));
                        }>
                            {move || ttl_units.get().into_iter().map(|(v, text)| {
                                let on = v == (form.with(|f| f.ttl_unit()) as i32).to_string();
                                view! { <option value=v selected=on>{text}</option> }
                            }).collect_view()}
                        </select>
                    </Field>
                })}
                <Field id="invoice-comment" label=tr(|t| t.field_comment) control=Control::Area error=f.error("Comment", "comment")
                    counter=true hint=move || format!("{} {}", comment_left(), ti.get().chars_left) hint_bad=move || comment_left() < 0
                    value=Signal::derive(move || form.with(|f| f.comment.clone()))
                    on_input=Callback::new(move |v: String| f.edit("comment", |f| f.comment = v)) />
                {move || (!form.with(|f| f.is_private)).then(|| view! {
                    <div class="pair">
                        {f.text("invoice-pieces-min", "pieces", "PiecesMin", tr_inv(|t| t.pieces_min), Control::Numeric, |f| f.pieces_min.clone(), |f, v| f.pieces_min = v)}
                        {f.text("invoice-pieces-max", "pieces", "PiecesMax", tr_inv(|t| t.pieces_max), Control::Numeric, |f| f.pieces_max.clone(), |f, v| f.pieces_max = v)}
                    </div>
                    <label class="check" for="invoice-liquidity">
                        <input id="invoice-liquidity" type="checkbox" prop:checked=move || form.with(|f| f.limit_liquidity)
                            on:change=move |ev| { let v = event_target_checked(&ev); f.edit("pieces", |f| f.limit_liquidity = v); } />
                        {tr_inv(|t| t.limit_liquidity_hint)}
                    </label>
                })}
                <ImagePicker images=images input_id="invoice-images" label=tr_inv(|t| t.images) error=f.error("Images", "images") />
                {editing.is_none().then(|| view! {
                    <Field id="invoice-secrets" label=tr_inv(|t| t.initial_secrets) control=Control::Code error=f.error("Secrets", "secrets")
                        hint=move || ti.get().initial_secrets_hint.to_string()
                        value=Signal::derive(move || form.with(|f| f.secrets.clone()))
                        on_input=Callback::new(move |v: String| f.edit("secrets", |f| f.secrets = v)) />
                })}
                <fieldset class="group">
                    <legend>{tr_inv(|t| t.integration)}</legend>
                    <div class="segmented" role="radiogroup">
                        {delivery(Delivery::Chat, |t| t.integration_none)}
                        {delivery(Delivery::Redirect, |t| t.integration_redirect)}
                        {delivery(Delivery::Webhook, |t| t.integration_webhook)}
                    </div>
                    {move || match form.with(|f| f.delivery()) {
                        Delivery::Redirect => f.text("invoice-redirect", "redirect", "Redirect", tr_inv(|t| t.redirect_url), Control::Url, |f| f.redirect.clone(), |f, v| f.redirect = v).into_any(),
                        Delivery::Webhook => view! {
                            {f.text("invoice-webhook-url", "hook-url", "Webhook.Url", tr_inv(|t| t.webhook_url), Control::Url, |f| f.webhook_url.clone(), |f, v| f.webhook_url = v)}
                            {f.pem("invoice-client-crt", "hook-crt", "Webhook.ClientCrt", |t| t.client_crt, |f| f.client_crt.clone(), |f, v| f.client_crt = v)}
                            <Field id="invoice-client-key" label=tr_inv(|t| t.client_key) control=Control::Code error=f.error("Webhook.ClientKey", "key")
                                placeholder=move || if key_stored { ti.get().client_key_kept.to_string() } else { String::new() }
                                hint=move || ti.get().client_key_hint.to_string()
                                value=client_key on_input=Callback::new(move |v: String| { f.touch("key"); client_key.set(v); }) />
                            {f.pem("invoice-server-crt", "hook-server", "Webhook.ServerCrt", |t| t.server_crt, |f| f.server_crt.clone(), |f, v| f.server_crt = v)}
                            <label class="check" for="invoice-webhook-required">
                                <input id="invoice-webhook-required" type="checkbox" prop:checked=move || form.with(|f| f.webhook_required)
                                    on:change=move |ev| { let v = event_target_checked(&ev); f.edit("hook-required", |f| f.webhook_required = v); } />
                                {tr_inv(|t| t.webhook_required)}
                            </label>
                        }.into_any(),
                        Delivery::Chat => ().into_any(),
                    }}
                </fieldset>
                {move || (f.submitted.get() && errors.with(|e| !e.is_empty())).then(|| view! {
                    <p class="field-error" role="alert">{tr_inv(|t| t.fix_errors)}</p>
                })}
                {move || failure().map(|e| view! { <ErrorView error=e /> })}
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || save.pending()>
                        {move || if save.pending() { ti.get().saving } else if editing.is_some() { ti.get().save } else { ti.get().create }}
                    </button>
                </div>
            </form>
        </section>
    }
}
