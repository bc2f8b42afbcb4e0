//! The invoice form as typed ([`InvoiceForm`]) and its requests: CreateInvoice and
//! UpdatePublicInvoice, with every broken rule (what does not parse first, then the shared
//! rules of `schet_api::validate`). A protobuf message, so a draft is a few bytes.

use crate::secret_line;
use rust_decimal::Decimal;
use schet_api::pb::{self, create_invoice_request as cir, update_public_invoice_request as upr};
use schet_api::{FieldError, Rule, decimal, validate};
use std::str::FromStr;

/// The unit of the invoice's lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum TtlUnit {
    Minutes = 0,
    Hours = 1,
    Days = 2,
}

impl TtlUnit {
    pub const ALL: [TtlUnit; 3] = [TtlUnit::Minutes, TtlUnit::Hours, TtlUnit::Days];

    pub fn minutes(self) -> u32 {
        match self {
            TtlUnit::Minutes => 1,
            TtlUnit::Hours => 60,
            TtlUnit::Days => 1440,
        }
    }

    /// A lifetime in the largest unit that divides it: 2880 minutes → (2, Days).
    pub fn split(minutes: u32) -> (u32, TtlUnit) {
        let unit = [TtlUnit::Days, TtlUnit::Hours].into_iter().find(|u| minutes.is_multiple_of(u.minutes()));
        let unit = unit.unwrap_or(TtlUnit::Minutes);
        (minutes / unit.minutes(), unit)
    }
}

/// How the buyer gets the goods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Delivery {
    /// In the chat: no integration.
    Chat = 0,
    Redirect = 1,
    Webhook = 2,
}

impl Delivery {
    pub const ALL: [Delivery; 3] = [Delivery::Chat, Delivery::Redirect, Delivery::Webhook];
}

/// What the person typed, as typed.
#[derive(Clone, PartialEq, prost::Message)]
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
    #[prost(enumeration = "TtlUnit", tag = "8")]
    pub ttl_unit: i32,
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
    /// Initial secrets, one per line (as the bulk import reads them).
    #[prost(string, tag = "14")]
    pub secrets: String,
    #[prost(enumeration = "Delivery", tag = "15")]
    pub delivery: i32,
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

/// The fields the edit form leaves out: never checked there.
const NOT_EDITED: [&str; 3] = ["TtlMinutes", "Secrets", "UserName"];

impl InvoiceForm {
    /// A new invoice's form.
    pub fn blank() -> InvoiceForm {
        let mut form = InvoiceForm {
            price_variable: "Average".into(),
            fiat_currency: "USD".into(),
            ttl_value: "7".into(),
            pieces_min: "1".into(),
            pieces_max: "1".into(),
            ..Default::default()
        };
        form.set_ttl_unit(TtlUnit::Days);
        form
    }

    /// The form of an existing invoice (editing).
    pub fn from_invoice(i: &pb::Invoice) -> InvoiceForm {
        let (delivery, redirect, hook) = match &i.integration {
            Some(pb::invoice::Integration::Redirect(u)) => (Delivery::Redirect, u.clone(), pb::Webhook::default()),
            Some(pb::invoice::Integration::Webhook(w)) => (Delivery::Webhook, String::new(), w.clone()),
            _ => (Delivery::Chat, String::new(), pb::Webhook::default()),
        };
        let (ttl_value, ttl_unit) = TtlUnit::split(i.ttl_minutes);
        let price =
            decimal::from_pb_or_zero(i.price.as_ref()).map_or_else(|_| "?".into(), |p| p.normalize().to_string());
        let mut form = InvoiceForm {
            is_private: i.is_private,
            in_fiat: !i.is_base_crypto,
            price,
            fiat_currency: if i.fiat_currency.is_empty() { "USD".into() } else { i.fiat_currency.clone() },
            price_variable: if i.price_variable.is_empty() { "Average".into() } else { i.price_variable.clone() },
            ttl_value: ttl_value.to_string(),
            comment: i.comment.clone(),
            pieces_min: i.pieces_min.to_string(),
            pieces_max: i.pieces_max.to_string(),
            limit_liquidity: i.limit_liquidity,
            images: i.images.clone(),
            redirect,
            webhook_url: hook.url,
            client_crt: hook.client_crt,
            server_crt: hook.server_crt,
            webhook_required: hook.required,
            ..Default::default()
        };
        form.set_ttl_unit(ttl_unit);
        form.set_delivery(delivery);
        form
    }

    /// The price as typed (`,` as the decimal point too), exact.
    pub fn price_value(&self) -> Option<Decimal> {
        Decimal::from_str(&self.price.trim().replace(',', ".")).ok()
    }

    fn price_pb(&self, errors: &mut Vec<FieldError>) -> Option<pb::Decimal> {
        if self.price.trim().is_empty() {
            return None; // "is required" comes from the shared rules
        }
        let parsed = self.price_value().and_then(|d| decimal::to_pb(d).ok());
        if parsed.is_none() {
            errors.push(FieldError::new("Price", Rule::NotANumber));
        }
        parsed
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

    /// The CreateInvoice request and every broken rule (parsing first, then the shared rules;
    /// one error per field). `client_key`: the webhook's key, never part of a draft.
    pub fn to_create(&self, client_key: &str) -> (pb::CreateInvoiceRequest, Vec<FieldError>) {
        let mut errors = Vec::new();
        let ttl = Self::number(&self.ttl_value, "TtlMinutes", &mut errors).saturating_mul(self.ttl_unit().minutes());
        let secrets = secret_line::parse(&self.secrets)
            .into_iter()
            .enumerate()
            .map(|(i, l)| pb::CreateInvoiceSecretRequest {
                text: l.text,
                images: l.images,
                order: i as u32 + 1,
                ..Default::default()
            })
            .collect();
        let req = pb::CreateInvoiceRequest {
            is_private: self.is_private,
            is_base_crypto: !self.in_fiat,
            user_name: self.user_name.trim().to_string(),
            price: self.price_pb(&mut errors),
            fiat_currency: if self.in_fiat { self.fiat_currency.clone() } else { String::new() },
            price_variable: if self.in_fiat { self.price_variable.clone() } else { String::new() },
            ttl_minutes: ttl,
            comment: self.comment.clone(),
            pieces_min: Self::number(&self.pieces_min, "PiecesMin", &mut errors),
            pieces_max: Self::number(&self.pieces_max, "PiecesMax", &mut errors),
            limit_liquidity: self.limit_liquidity,
            images: self.images.clone(),
            secrets,
            integration: Some(match self.delivery() {
                Delivery::Redirect => cir::Integration::Redirect(self.redirect.trim().to_string()),
                Delivery::Webhook => cir::Integration::Webhook(self.webhook(client_key)),
                Delivery::Chat => cir::Integration::NoIntegration(true),
            }),
        };
        let known: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
        errors.extend(validate::create_invoice(&req).0.into_iter().filter(|e| !known.contains(&e.field)));
        (req, errors)
    }

    /// The UpdatePublicInvoice request of invoice `id` and every broken rule. `key_stored`:
    /// the invoice has a webhook key, which an empty `client_key` keeps.
    pub fn to_update(
        &self,
        id: u64,
        client_key: &str,
        key_stored: bool,
    ) -> (pb::UpdatePublicInvoiceRequest, Vec<FieldError>) {
        let (create, mut errors) = self.to_create(client_key);
        errors.retain(|e| !NOT_EDITED.iter().any(|f| belongs(&e.field, f)));
        if key_stored && client_key.is_empty() {
            errors.retain(|e| e.field != "Webhook.ClientKey");
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

/// Whether an error on `field` (a proto name, `Secrets[2].Text`) belongs to the form field
/// `shown` (`Secrets`): itself, an element or a member of it.
pub fn belongs(field: &str, shown: &str) -> bool {
    field.strip_prefix(shown).is_some_and(|rest| rest.is_empty() || rest.starts_with(['[', '.']))
}

/// The first error that belongs to the form field `shown`.
pub fn error_for<'a>(errors: &'a [FieldError], shown: &str) -> Option<&'a FieldError> {
    errors.iter().find(|e| belongs(&e.field, shown))
}

#[cfg(test)]
#[path = "invoice_form_tests.rs"]
mod tests;
