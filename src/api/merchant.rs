//! The merchant API: CryptoCloud's `POST /v2/invoice/merchant/list` and
//! `POST /v2/invoice/create` (seed 002, API-NOTES §2), over `fetch` (gloo-net) with
//! `Authorization: Token <key>`.
//!
//! JSON is read by the api crate's strict reader (shared with the reference endpoint), which
//! keeps every number as its text, so money goes into `rust_decimal` exactly
//! ([`json::exact`]) and never through an f64; it is also much smaller in the wasm than
//! serde_json with derived structs. Dates are `dd.mm.yyyy` UTC days, as the API
//! defines them; paging is `offset` (records skipped) and `limit` (number of the last
//! record, inclusive), at most [`MAX_PAGE`] records a call.

use crate::settings::MerchantSettings;
use rust_decimal::Decimal;
pub use schet_api::dates::{civil_from_days, days_from_civil, format_date, parse_date};
use schet_api::json::{self, Value};

pub const LIST_PATH: &str = "/v2/invoice/merchant/list";
pub const CREATE_PATH: &str = "/v2/invoice/create";
/// Most records one call returns.
pub const MAX_PAGE: u32 = 100;
/// The invoice statuses, as the API spells them.
pub const STATUSES: [&str; 5] = ["created", "paid", "partial", "overpaid", "canceled"];
const DAY_MS: f64 = 86_400_000.0;

/// A failed merchant call, as a person can act on it.
#[derive(Debug, Clone, PartialEq)]
pub enum MerchantError {
    /// No API key in the settings: nothing was sent.
    NoKey,
    /// 400, or a rule checked before sending: (field, message) pairs.
    Invalid(Vec<(String, String)>),
    /// 401/403: the service's `detail` ("check your API key").
    Unauthorized(String),
    /// No answer at all (network, address, CORS): worth a retry.
    Unavailable(String),
    /// An answer that is not the documented one: probably not a merchant API.
    BadAnswer(String),
}

impl MerchantError {
    /// The message for `field` among 400 errors.
    pub fn field(&self, field: &str) -> Option<&str> {
        match self {
            MerchantError::Invalid(list) => list.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str()),
            _ => None,
        }
    }
}

/// An amount in the invoice's coin and in USD.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Money {
    pub crypto: Decimal,
    pub usd: Decimal,
}

/// One invoice of the list (the fields the app shows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invoice {
    pub uuid: String,
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, as sent.
    pub created: String,
    pub expiry_date: String,
    pub status: String,
    /// Coin code (`USDT`), fullcode (`USDT_TRC20`), network code and name.
    pub coin: String,
    pub fullcode: String,
    pub network: String,
    pub network_name: String,
    pub amount: Money,
    pub to_pay: Money,
    pub paid: Money,
    pub received: Money,
    pub fee: Money,
    pub service_fee: Money,
    pub to_surcharge: Money,
    pub order_id: String,
    pub project: String,
    pub test_mode: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub invoices: Vec<Invoice>,
    pub all_count: u64,
}

/// A list request; `offset`/`limit` as the API means them.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    pub start: String,
    pub end: String,
    pub offset: u32,
    pub limit: u32,
}

/// The rules the service applies, checked before sending: dates `dd.mm.yyyy`,
/// `end >= start`, `offset < limit <= offset + 100`. Messages are rule codes the view
/// words: `date`, `order`, `range`.
pub fn check(req: &ListRequest) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    let (start, end) = (parse_date(req.start.trim()), parse_date(req.end.trim()));
    if start.is_none() {
        errors.push(("start".into(), "date".into()));
    }
    if end.is_none() {
        errors.push(("end".into(), "date".into()));
    }
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors.push(("end".into(), "order".into()));
    }
    if req.limit <= req.offset || req.limit - req.offset > MAX_PAGE {
        errors.push(("limit".into(), "range".into()));
    }
    errors
}

/// One page of the merchant's invoices.
pub async fn list(settings: &MerchantSettings, req: &ListRequest) -> Result<Page, MerchantError> {
    let errors = check(req);
    if !errors.is_empty() {
        return Err(MerchantError::Invalid(errors));
    }
    let mut body = String::from("{\"start\":");
    json::write_string(&mut body, req.start.trim());
    body.push_str(",\"end\":");
    json::write_string(&mut body, req.end.trim());
    body.push_str(&format!(",\"offset\":{},\"limit\":{}}}", req.offset, req.limit));
    let answer = post(settings, LIST_PATH, body).await?;
    let bad = || MerchantError::BadAnswer("the list answer is not the documented one".into());
    let Some(Value::Array(items)) = answer.get("result") else { return Err(bad()) };
    let all_count = answer.get("all_count").and_then(Value::number).and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    Ok(Page { invoices: items.iter().map(invoice).collect(), all_count })
}

/// What `/v2/invoice/create` takes (empty strings are left out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewInvoice {
    pub shop_id: String,
    pub amount: Decimal,
    /// ISO 4217; empty: USD.
    pub currency: String,
    pub order_id: String,
    pub email: String,
    /// A coin's fullcode (`BTC`, `USDT_TRC20`…); empty: the service's default.
    pub cryptocurrency: String,
}

/// Creates an invoice (for demos and tests).
pub async fn create(settings: &MerchantSettings, new: &NewInvoice) -> Result<Invoice, MerchantError> {
    let mut body = String::from("{\"shop_id\":");
    json::write_string(&mut body, &new.shop_id);
    body.push_str(&format!(",\"amount\":{}", new.amount.normalize()));
    for (name, value) in [("currency", &new.currency), ("order_id", &new.order_id), ("email", &new.email)] {
        if !value.is_empty() {
            body.push_str(&format!(",\"{name}\":"));
            json::write_string(&mut body, value);
        }
    }
    if !new.cryptocurrency.is_empty() {
        body.push_str(",\"add_fields\":{\"cryptocurrency\":");
        json::write_string(&mut body, &new.cryptocurrency);
        body.push('}');
    }
    body.push('}');
    let answer = post(settings, CREATE_PATH, body).await?;
    match answer.get("result") {
        Some(v @ Value::Object(_)) => Ok(invoice(v)),
        _ => Err(MerchantError::BadAnswer("the create answer is not the documented one".into())),
    }
}

/// POSTs a JSON `body` to `path` with the key; returns the answer of a 200, or the
/// documented error (400 per field, 401 `detail`).
pub async fn post(settings: &MerchantSettings, path: &str, body: String) -> Result<Value, MerchantError> {
    let key = settings.key.trim();
    if key.is_empty() {
        return Err(MerchantError::NoKey);
    }
    // What a header can carry; the service judges the rest ("Invalid header padding").
    if !key.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return Err(MerchantError::Unauthorized("the key has characters a header cannot carry".into()));
    }
    let url = format!("{}{path}", settings.base_url());
    let request = gloo_net::http::Request::post(&url)
        .header("Authorization", &format!("Token {key}"))
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| MerchantError::Unavailable(e.to_string()))?;
    let response = request.send().await.map_err(|e| MerchantError::Unavailable(e.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| MerchantError::Unavailable(e.to_string()))?;
    let answer = json::parse(&text).ok();
    let text_of = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().filter_map(Value::str).collect::<Vec<_>>().join(" "),
        other => other.str().unwrap_or_default().to_string(),
    };
    match (status, answer) {
        (200, Some(answer)) if answer.get("status").and_then(Value::str) == Some("success") => Ok(answer),
        (400, Some(answer)) => match answer.get("result") {
            Some(Value::Object(fields)) => {
                Err(MerchantError::Invalid(fields.iter().map(|(k, v)| (k.clone(), text_of(v))).collect()))
            }
            _ => Err(MerchantError::BadAnswer(format!("HTTP 400: {}", text.chars().take(200).collect::<String>()))),
        },
        (401 | 403, answer) => Err(MerchantError::Unauthorized(
            answer.as_ref().and_then(|a| a.get("detail")).map(text_of).unwrap_or_else(|| format!("HTTP {status}")),
        )),
        (status, _) => Err(MerchantError::BadAnswer(format!("HTTP {status} from {url}"))),
    }
}

fn invoice(v: &Value) -> Invoice {
    let text = |v: Option<&Value>| v.and_then(Value::str).unwrap_or_default().to_string();
    let money = |name: &str| Money {
        crypto: v.get(name).and_then(Value::decimal).unwrap_or_default(),
        usd: v.get(&format!("{name}_usd")).and_then(Value::decimal).unwrap_or_default(),
    };
    let currency = v.get("currency");
    let network = currency.and_then(|c| c.get("network"));
    Invoice {
        uuid: text(v.get("uuid")),
        created: text(v.get("created")),
        expiry_date: text(v.get("expiry_date")),
        status: text(v.get("status")),
        coin: text(currency.and_then(|c| c.get("code"))),
        fullcode: text(currency.and_then(|c| c.get("fullcode"))),
        network: text(network.and_then(|n| n.get("code"))),
        network_name: text(network.and_then(|n| n.get("fullname"))),
        amount: money("amount"),
        to_pay: money("amount_to_pay"),
        paid: money("amount_paid"),
        received: money("received"),
        fee: money("fee"),
        service_fee: money("service_fee"),
        to_surcharge: money("to_surcharge"),
        order_id: text(v.get("order_id")),
        project: text(v.get("project").and_then(|p| p.get("name"))),
        test_mode: v.get("test_mode") == Some(&Value::Bool(true)),
    }
}

// ------------------------------------------------------------------------------ dates

/// Today's day number, UTC (the API's days are UTC).
pub fn today() -> i64 {
    (js_sys::Date::now() / DAY_MS).floor() as i64
}

// ------------------------------------------------------------------------------ CSV

/// The invoices as CSV (RFC 4180, CRLF, a header line; text that a spreadsheet would run
/// as a formula is neutralised by `crate::csv::line`).
pub fn to_csv(invoices: &[Invoice]) -> String {
    let mut out = crate::csv::line(&[
        "uuid",
        "created",
        "expiry_date",
        "status",
        "currency",
        "network",
        "amount",
        "amount_usd",
        "amount_to_pay",
        "amount_to_pay_usd",
        "amount_paid",
        "amount_paid_usd",
        "received",
        "received_usd",
        "fee",
        "fee_usd",
        "order_id",
        "project",
        "test_mode",
    ]);
    for i in invoices {
        let mut row = vec![
            i.uuid.clone(),
            i.created.clone(),
            i.expiry_date.clone(),
            i.status.clone(),
            i.fullcode.clone(),
            i.network.clone(),
        ];
        for m in [i.amount, i.to_pay, i.paid, i.received, i.fee] {
            row.push(m.crypto.normalize().to_string());
            row.push(m.usd.normalize().to_string());
        }
        row.extend([i.order_id.clone(), i.project.clone(), i.test_mode.to_string()]);
        out.push_str(&crate::csv::line(&row));
    }
    out
}
