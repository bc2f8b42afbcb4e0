//! The merchant API: CryptoCloud's `POST /v2/invoice/merchant/list` and
//! `POST /v2/invoice/create` (seed 002, API-NOTES §2), over `fetch` (gloo-net) with
//! `Authorization: Token <key>`.
//!
//! The contract is `schet_api::merchant`, shared with the reference endpoint: its request
//! types and rules (checked here before sending, so a broken rule sends nothing and comes
//! back as [`MerchantError::Rules`], codes the screen words in the user's language), and its
//! answer types, each read from serde_json's value tree by the contract's reader. Money is
//! a `Decimal` from the answer's exact number text, never an f64. Dates are `dd.mm.yyyy`
//! UTC days; paging is `offset` (records skipped) and `limit` (number of the last record,
//! inclusive), at most [`MAX_RECORDS`] records a call. This module is compiled into the lazy
//! `screens` module only (the merchant screen is there, with every screen but the shared
//! invoice), and serde_json with it.

use crate::settings::MerchantSettings;
use rust_decimal::Decimal;
pub use schet_api::dates::{format_date, parse_date};
pub use schet_api::merchant::{
    AddFields, CREATE_PATH, CreateRequest, CreateResponse, DAY_MS, Day, Input, Invoice, Issue, LIST_PATH, ListRequest,
    ListResponse, MAX_RECORDS, Rule, Status,
};
use schet_api::merchant::{AnyCurrency, Detail, ErrorResponse, SUCCESS, to_json};
use serde_json::Value;

/// A failed merchant call, as a person can act on it.
#[derive(Debug, Clone, PartialEq)]
pub enum MerchantError {
    /// No API key in the settings: nothing was sent.
    NoKey,
    /// Rules of the contract broken before sending (nothing was sent): each a field and a
    /// rule code, worded by the screen in the user's language.
    Rules(Vec<Issue>),
    /// 400: the service's (field, message) pairs, as it worded them.
    Invalid(Vec<(String, String)>),
    /// 401/403: the service's `detail` ("check your API key").
    Unauthorized(String),
    /// No answer at all (network, address, CORS): worth a retry.
    Unavailable(String),
    /// An answer that is not the documented one: probably not a merchant API.
    BadAnswer(String),
}

impl MerchantError {
    /// The service's 400 message for `field`.
    pub fn field(&self, field: &str) -> Option<&str> {
        match self {
            MerchantError::Invalid(list) => list.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str()),
            _ => None,
        }
    }

    /// The broken rule on `field`, found before sending.
    pub fn rule(&self, field: &str) -> Option<&Issue> {
        match self {
            MerchantError::Rules(list) => list.iter().find(|i| i.field == field),
            _ => None,
        }
    }
}

/// One page as the screen asks for it: the days `start..=end`, `size` records after
/// `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub start: Day,
    pub end: Day,
    pub offset: u64,
    pub size: u64,
}

impl Query {
    /// The dates as typed (`dd.mm.yyyy`), checked by the contract's list rules: the query,
    /// or every broken rule (a blank date is `Required`, another text `Date`).
    pub fn new(start: &str, end: &str, offset: u64, size: u64) -> Result<Query, Vec<Issue>> {
        let day = |text: &str| match text.trim() {
            "" => Input::Missing,
            t => parse_date(t).map_or_else(|| Input::Invalid(t.into()), |d| Input::Given(Day(d))),
        };
        let (start, end) = (day(start), day(end));
        let limit = offset.checked_add(size).map_or(Input::Invalid(u64::MAX.into()), Input::Given);
        let request = ListRequest { start, end, offset: offset.into(), limit };
        request.check()?;
        match (request.start, request.end) {
            (Input::Given(start), Input::Given(end)) => Ok(Query { start, end, offset, size }),
            // check() passes only with both days given.
            _ => Err(Vec::new()),
        }
    }

    /// The same days and size from another offset.
    pub fn at(self, offset: u64) -> Query {
        Query { offset, ..self }
    }

    /// The request body: records `offset+1 ..= offset+size`.
    pub fn request(&self) -> ListRequest {
        ListRequest::new(self.start, self.end, self.offset, Some(self.offset.saturating_add(self.size)))
    }
}

/// One page of the merchant's invoices (`result`, newest first, and `all_count`).
pub async fn list(settings: &MerchantSettings, req: &ListRequest) -> Result<ListResponse, MerchantError> {
    req.check().map_err(MerchantError::Rules)?;
    post(settings, LIST_PATH, to_json(req)).await
}

/// Creates an invoice (for demos and tests). The fiat currency and the coin are the
/// service's to judge; every other rule is checked here first.
pub async fn create(settings: &MerchantSettings, req: &CreateRequest) -> Result<Invoice, MerchantError> {
    req.check(&AnyCurrency).map_err(MerchantError::Rules)?;
    post::<CreateResponse>(settings, CREATE_PATH, to_json(req)).await.map(|answer| answer.result)
}

/// A documented answer of a 200 (read by the contract's reader), which says whether it
/// succeeded.
pub trait Answer: Sized {
    fn read(value: &Value) -> Result<Self, String>;
    fn status(&self) -> &str;
}

impl Answer for ListResponse {
    fn read(value: &Value) -> Result<Self, String> {
        ListResponse::read(value)
    }

    fn status(&self) -> &str {
        &self.status
    }
}

impl Answer for CreateResponse {
    fn read(value: &Value) -> Result<Self, String> {
        CreateResponse::read(value)
    }

    fn status(&self) -> &str {
        &self.status
    }
}

/// The JSON of an answer's body: the one parse (serde_json's value tree; each answer is read
/// from it member by member, so no derived parser per type is in the app).
fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// POSTs a JSON `body` to `path` with the key; returns the answer of a 200, or the
/// documented error (400 per field, 401 `detail`).
pub async fn post<A: Answer>(settings: &MerchantSettings, path: &str, body: String) -> Result<A, MerchantError> {
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
    let not_documented = |why: String| MerchantError::BadAnswer(format!("HTTP {status} from {url}: {why}"));
    match status {
        200 => match json(&text).and_then(|v| A::read(&v)) {
            Ok(answer) if answer.status() == SUCCESS => Ok(answer),
            Ok(answer) => Err(not_documented(format!("status \"{}\"", answer.status()))),
            Err(e) => Err(not_documented(e)),
        },
        400 => match json(&text).and_then(|v| ErrorResponse::read(&v)) {
            Ok(ErrorResponse(fields)) if !fields.is_empty() => Err(MerchantError::Invalid(fields)),
            _ => Err(not_documented(text.chars().take(200).collect())),
        },
        401 | 403 => Err(MerchantError::Unauthorized(
            json(&text).and_then(|v| Detail::read(&v)).map_or_else(|_| format!("HTTP {status}"), |d| d.detail),
        )),
        _ => Err(not_documented("not a documented status".into())),
    }
}

// ------------------------------------------------------------------------------ dates

/// Today's day number, UTC (the API's days are UTC).
pub fn today() -> i64 {
    (js_sys::Date::now() as i64).div_euclid(DAY_MS)
}

// ------------------------------------------------------------------------------ CSV

/// An amount in the invoice's coin and its twin in US dollars.
pub fn amounts(i: &Invoice) -> [(Decimal, Decimal); 5] {
    [
        (i.amount, i.amount_usd),
        (i.amount_to_pay, i.amount_to_pay_usd),
        (i.amount_paid, i.amount_paid_usd),
        (i.received, i.received_usd),
        (i.fee, i.fee_usd),
    ]
}

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
            i.status.to_string(),
            i.currency.fullcode.clone(),
            i.currency.network.code.clone(),
        ];
        for (crypto, usd) in amounts(i) {
            row.push(crypto.normalize().to_string());
            row.push(usd.normalize().to_string());
        }
        row.extend([i.order_id.clone(), i.project.name.clone(), i.test_mode.to_string()]);
        out.push_str(&crate::csv::line(&row));
    }
    out
}
