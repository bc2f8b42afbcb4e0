//! Request rules shared by the browser (errors shown next to the field, before any request)
//! and the server (`INVALID_ARGUMENT` whose message is the same [`FieldError`] text, and
//! whose details carry the rule's code: see [`crate::rule`]).
//!
//! A field is named by its proto name (`Price`, `UserName`, `Secrets[2].Text`,
//! `Webhook.Url`), so a server error maps back to the form field that caused it. A rule is
//! a [`Rule`] code with its parameters, never a sentence: each side words it.

use crate::rule::{PemKind, Rule};
use crate::{currency, decimal, guid::Guid, limits, pb};
use rust_decimal::Decimal;
use std::fmt;

/// One broken rule: which field, and what the rule is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub rule: Rule,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        FieldError { field: field.into(), rule }
    }

    /// Reads `"Field: rule"` back (an `INVALID_ARGUMENT` message from a service that sent no
    /// rule code): the rule is kept as the service's text.
    pub fn parse(message: &str) -> Option<FieldError> {
        let (field, rule) = message.split_once(": ")?;
        let plausible = !field.is_empty()
            && field.len() <= 64
            && field.bytes().all(|b| b.is_ascii_alphanumeric() || b"[]._".contains(&b));
        plausible.then(|| FieldError::new(field, Rule::Text { text: rule.to_string() }))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

impl std::error::Error for FieldError {}

/// Collects every broken rule of one request.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: impl Into<String>, rule: Rule) {
        self.0.push(FieldError::new(field, rule));
    }

    /// `Ok` when nothing was broken, else the first broken rule.
    pub fn first(self) -> Result<(), FieldError> {
        self.0.into_iter().next().map_or(Ok(()), Err)
    }
}

/// A user name: 3–32 characters of `A–Z a–z 0–9 _ . -`.
pub fn username(value: &str) -> Result<(), Rule> {
    let n = value.chars().count();
    if n == 0 {
        return Err(Rule::Required);
    }
    if !(limits::USERNAME_MIN..=limits::USERNAME_MAX).contains(&n) {
        return Err(Rule::LengthRange { min: limits::USERNAME_MIN as u64, max: limits::USERNAME_MAX as u64 });
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
        return Err(Rule::NameChars);
    }
    Ok(())
}

/// Free text: at most `max` characters, no control characters but newline and tab.
pub fn text(value: &str, max: usize, required: bool) -> Result<(), Rule> {
    let n = value.chars().count();
    if required && value.trim().is_empty() {
        return Err(Rule::Required);
    }
    if n > max {
        return Err(Rule::TooLong { max: max as u64, has: n as u64 });
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(Rule::ControlChars);
    }
    Ok(())
}

/// GetInvoices' Statuses: each an invoice status; repeats count once (in the order given).
pub fn statuses(values: &[i32]) -> Result<Vec<pb::invoice::InvoiceStatus>, FieldError> {
    let mut out = Vec::with_capacity(values.len().min(limits::STATUSES_MAX));
    for (i, value) in values.iter().enumerate() {
        let status = pb::invoice::InvoiceStatus::try_from(*value)
            .map_err(|_| FieldError::new(format!("Statuses[{i}]"), Rule::NotAStatus { value: (*value).into() }))?;
        if !out.contains(&status) {
            out.push(status);
        }
    }
    Ok(out)
}

/// A list of image GUIDs: at most [`limits::IMAGES_MAX`], each a GUID, no repeats.
pub fn images(field: &str, ids: &[String], errors: &mut Errors) {
    if ids.len() > limits::IMAGES_MAX {
        errors.push(field, Rule::TooManyImages { max: limits::IMAGES_MAX as u64, has: ids.len() as u64 });
        return;
    }
    let mut seen = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match id.parse::<Guid>() {
            Ok(g) if seen.contains(&g) => errors.push(format!("{field}[{i}]"), Rule::ListedTwice),
            Ok(g) => seen.push(g),
            Err(e) => errors.push(format!("{field}[{i}]"), e.into()),
        }
    }
}

/// A price: positive, within the maximum, with no more decimal places than the unit has
/// (8 for BTC, the currency's minor units for fiat).
pub fn price(value: Option<&pb::Decimal>, base_crypto: bool, fiat: &str) -> Result<Decimal, Rule> {
    let Some(value) = value else { return Err(Rule::Required) };
    let value = decimal::from_pb(value)?;
    if value <= Decimal::ZERO {
        return Err(Rule::Positive);
    }
    let (max, scale, unit) = if base_crypto {
        (limits::btc_price_max(), limits::BTC_SCALE, "BTC".to_string())
    } else {
        // An unknown currency is reported on FiatCurrency; do not pile a second error here.
        let scale = currency::find(fiat).map_or(decimal::MAX_SCALE, |c| c.minor_units);
        (limits::fiat_price_max(), scale, fiat.to_string())
    };
    if value > max {
        return Err(Rule::PriceMax { max: u64::try_from(max).unwrap_or(u64::MAX), unit });
    }
    if value.scale() > scale {
        return Err(Rule::Scale { places: scale, unit });
    }
    Ok(value)
}

/// An ISO 4217 code of [`currency::CURRENCIES`].
pub fn fiat_currency(code: &str) -> Result<(), Rule> {
    if code.is_empty() {
        return Err(Rule::FiatRequired);
    }
    if currency::find(code).is_none() {
        return Err(Rule::CurrencyCode);
    }
    Ok(())
}

/// An absolute http(s) URL (https only when `https_only`), without spaces or control
/// characters, at most [`limits::URL_MAX`] long.
pub fn url(value: &str, https_only: bool) -> Result<(), Rule> {
    if value.is_empty() {
        return Err(Rule::Required);
    }
    if value.len() > limits::URL_MAX {
        return Err(Rule::CharsMax { max: limits::URL_MAX as u64 });
    }
    let lower = value.to_ascii_lowercase();
    let rest = if let Some(r) = lower.strip_prefix("https://") {
        r
    } else if let Some(r) = lower.strip_prefix("http://").filter(|_| !https_only) {
        r
    } else {
        return Err(Rule::Scheme { https_only });
    };
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Rule::NoSpaces);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err(Rule::Ipv6Host),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let host_ok = !host.is_empty()
        && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c))
        && !host.starts_with(['.', '-'])
        && !host.ends_with('-');
    if !host_ok {
        return Err(Rule::Host);
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Err(Rule::Port);
    }
    Ok(())
}

/// A PEM document with at least one block of `kind` (one of its labels), with a
/// well-formed base64 body. (The server also parses the DER inside.)
pub fn pem(value: &str, kind: PemKind) -> Result<(), Rule> {
    if value.trim().is_empty() {
        return Err(Rule::Required);
    }
    if value.len() > limits::PEM_MAX {
        return Err(Rule::KibMax { max: (limits::PEM_MAX / 1024) as u64 });
    }
    let labels = kind.labels();
    let mut found = false;
    let mut rest = value;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(end_label) = after.find("-----") else { return Err(Rule::PemBegin) };
        let label = &after[..end_label];
        // Name a block only by a label we know: a damaged line may hold key material.
        let shown = if KNOWN_LABELS.contains(&label) { label } else { "PEM" };
        if label.len() > 40 || !label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ') {
            return Err(Rule::PemBegin);
        }
        let body_start = &after[end_label + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            return Err(Rule::PemNoEnd { label: shown.to_string() });
        };
        let body = &body_start[..body_end];
        // Encrypted legacy keys carry headers ("Proc-Type: ..."): not supported.
        if body.contains(':') {
            return Err(Rule::PemEncrypted);
        }
        let b64: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let well_formed = !b64.is_empty()
            && b64.len().is_multiple_of(4)
            && b64.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/' || *b == b'=')
            && !b64[..b64.len().saturating_sub(2)].contains(&b'=');
        if !well_formed {
            return Err(Rule::PemBase64 { label: shown.to_string() });
        }
        if labels.contains(&label) {
            found = true;
        }
        rest = &body_start[body_end + end_marker.len()..];
    }
    if found { Ok(()) } else { Err(Rule::PemMissing { kind }) }
}

const KNOWN_LABELS: &[&str] =
    &["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PUBLIC KEY"];

/// A webhook: https URL, the client's certificate and key, the server's certificate.
/// `key_kept` is true when updating an invoice whose stored key is kept (empty field).
pub fn webhook(prefix: &str, w: &pb::Webhook, key_kept: bool, errors: &mut Errors) {
    if let Err(e) = url(&w.url, true) {
        errors.push(format!("{prefix}.Url"), e);
    }
    if let Err(e) = pem(&w.client_crt, PemKind::Certificate) {
        errors.push(format!("{prefix}.ClientCrt"), e);
    }
    if !(key_kept && w.client_key.is_empty())
        && let Err(e) = pem(&w.client_key, PemKind::PrivateKey)
    {
        errors.push(format!("{prefix}.ClientKey"), e);
    }
    if let Err(e) = pem(&w.server_crt, PemKind::Certificate) {
        errors.push(format!("{prefix}.ServerCrt"), e);
    }
}

/// The shared part of CreateInvoice and UpdatePublicInvoice: price, currency, variable,
/// comment, pieces, images.
#[allow(clippy::too_many_arguments)]
fn invoice_body(
    errors: &mut Errors,
    is_private: bool,
    base_crypto: bool,
    price_value: Option<&pb::Decimal>,
    fiat: &str,
    variable: &str,
    comment: &str,
    pieces: (u32, u32),
    image_ids: &[String],
) {
    if !base_crypto {
        if let Err(e) = fiat_currency(fiat) {
            errors.push("FiatCurrency", e);
        }
        if variable.trim().is_empty() {
            errors.push("PriceVariable", Rule::VariableRequired);
        } else if variable.len() > 64 || !variable.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)) {
            errors.push("PriceVariable", Rule::VariableName);
        }
    }
    if let Err(e) = price(price_value, base_crypto, fiat) {
        errors.push("Price", e);
    }
    if let Err(e) = text(comment, limits::COMMENT_MAX, false) {
        errors.push("Comment", e);
    }
    if !is_private {
        let (min, max) = pieces;
        if min < 1 {
            errors.push("PiecesMin", Rule::AtLeast { min: 1 });
        } else if max < min {
            errors.push("PiecesMax", Rule::BelowPiecesMin);
        }
        if max > limits::PIECES_MAX {
            errors.push("PiecesMax", Rule::AtMost { max: u64::from(limits::PIECES_MAX) });
        }
    }
    images("Images", image_ids, errors);
}

/// A secret's text, images and (implicit) URL rules.
pub fn secret(prefix: &str, text_value: &str, image_ids: &[String], errors: &mut Errors) {
    let field = |name: &str| if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
    if let Err(e) = text(text_value, limits::SECRET_TEXT_MAX, true) {
        errors.push(field("Text"), e);
    }
    images(&field("Images"), image_ids, errors);
}

fn integration_create(i: Option<&pb::create_invoice_request::Integration>, errors: &mut Errors) {
    use pb::create_invoice_request::Integration;
    match i {
        None | Some(Integration::NoIntegration(_)) => {}
        Some(Integration::Redirect(u)) => {
            if let Err(e) = url(u, false) {
                errors.push("Redirect", e);
            }
        }
        Some(Integration::Webhook(w)) => webhook("Webhook", w, false, errors),
    }
}

/// Every rule of CreateInvoice. Empty when the request is acceptable.
pub fn create_invoice(req: &pb::CreateInvoiceRequest) -> Errors {
    let mut errors = Errors::default();
    if req.is_private
        && let Err(e) = username(&req.user_name)
    {
        errors.push("UserName", e);
    }
    invoice_body(
        &mut errors,
        req.is_private,
        req.is_base_crypto,
        req.price.as_ref(),
        &req.fiat_currency,
        &req.price_variable,
        &req.comment,
        (req.pieces_min, req.pieces_max),
        &req.images,
    );
    if !(limits::TTL_MIN_MINUTES..=limits::TTL_MAX_MINUTES).contains(&req.ttl_minutes) {
        errors.push(
            "TtlMinutes",
            Rule::TtlRange { min: u64::from(limits::TTL_MIN_MINUTES), max: u64::from(limits::TTL_MAX_MINUTES) },
        );
    }
    if req.secrets.len() > limits::INITIAL_SECRETS_MAX {
        errors.push("Secrets", Rule::TooManySecrets { max: limits::INITIAL_SECRETS_MAX as u64 });
    } else {
        for (i, s) in req.secrets.iter().enumerate() {
            secret(&format!("Secrets[{i}]"), &s.text, &s.images, &mut errors);
        }
    }
    integration_create(req.integration.as_ref(), &mut errors);
    errors
}

/// Every rule of UpdatePublicInvoice (the invoice itself is checked by the service).
/// `key_stored`: the invoice already has a webhook key, so an empty ClientKey keeps it.
pub fn update_public_invoice(req: &pb::UpdatePublicInvoiceRequest, key_stored: bool) -> Errors {
    use pb::update_public_invoice_request::Integration;
    let mut errors = Errors::default();
    if req.invoice_id == 0 {
        errors.push("InvoiceId", Rule::Required);
    }
    invoice_body(
        &mut errors,
        false,
        req.is_base_crypto,
        req.price.as_ref(),
        &req.fiat_currency,
        &req.price_variable,
        &req.comment,
        (req.pieces_min, req.pieces_max),
        &req.images,
    );
    match req.integration.as_ref() {
        None | Some(Integration::NoIntegration(_)) => {}
        Some(Integration::Redirect(u)) => {
            if let Err(e) = url(u, false) {
                errors.push("Redirect", e);
            }
        }
        Some(Integration::Webhook(w)) => webhook("Webhook", w, key_stored, &mut errors),
    }
    errors
}

/// A chat message: text (may be empty only with images) and images.
pub fn message(text_value: &str, image_ids: &[String]) -> Errors {
    let mut errors = Errors::default();
    if let Err(e) = text(text_value, limits::MESSAGE_TEXT_MAX, image_ids.is_empty()) {
        errors.push("Text", e);
    }
    images("ImageIds", image_ids, &mut errors);
    errors
}

#[cfg(test)]
mod tests;
