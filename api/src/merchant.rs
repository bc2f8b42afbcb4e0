//! The merchant REST API (CryptoCloud's `/v2/invoice/…`, seed 002, API-NOTES §2): the
//! contract once, for the reference endpoint and the browser alike.
//!
//! * [`LIST_PATH`] — body [`ListRequest`] (`start`, `end` as `dd.mm.yyyy` UTC days, both
//!   inclusive; `offset`, `limit`), answer [`ListResponse`]. Paging as documented: records
//!   are numbered from 1, newest first; `offset` = records skipped (default 0), `limit` = the
//!   number of the last record wanted, inclusive. The answer holds records
//!   `offset+1 ..= limit`, never more than [`MAX_RECORDS`] (a longer span is cut, not
//!   refused); without `limit`, [`DEFAULT_COUNT`] records from `offset`.
//! * [`CREATE_PATH`] — body [`CreateRequest`], answer [`CreateResponse`].
//! * 400: [`ErrorResponse`], one message per bad field; 401: [`Detail`] with
//!   [`NO_CREDENTIALS`], [`BAD_HEADER`] or [`BAD_SIGNATURE`].
//!
//! Requests are read leniently, field by field ([`Input`]): numbers may come as JSON numbers
//! or as strings of digits, and one bad field never hides another. [`ListRequest::check`]
//! and [`CreateRequest::check`] hold the rules and return [`Issue`]s (a field and a
//! [`Rule`] code); [`Issue::message`] words them in English as the API does. Money is a
//! [`Decimal`] end to end: numbers are read and written from their exact text
//! (serde_json's `arbitrary_precision`), never through an `f64`.

use crate::dates::{format_date, parse_date};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::fmt;

pub const LIST_PATH: &str = "/v2/invoice/merchant/list";
pub const CREATE_PATH: &str = "/v2/invoice/create";
/// Most records one list call returns.
pub const MAX_RECORDS: u64 = 100;
/// Records returned when `limit` is not given.
pub const DEFAULT_COUNT: u64 = 10;
/// One UTC day, in milliseconds (the list's `start`/`end` are whole days).
pub const DAY_MS: i64 = 86_400_000;
/// Largest request body read.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Invoice lifetime when `add_fields.time_to_pay` is not given (24 hours).
pub const DEFAULT_LIFETIME_MINUTES: i64 = 24 * 60;
/// Longest lifetime accepted (30 days).
pub const MAX_LIFETIME_MINUTES: i64 = 30 * 24 * 60;
/// Largest `amount` accepted, and its most decimal places.
pub const MAX_AMOUNT: Decimal = dec!(1_000_000_000);
pub const AMOUNT_SCALE: u32 = 8;
/// Longest text fields, in characters.
pub const SHOP_ID_MAX: usize = 64;
pub const ORDER_ID_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const CURRENCY_MAX: usize = 16;
/// The fiat currency of an invoice when `currency` is not given.
pub const DEFAULT_CURRENCY: &str = "USD";

/// 401 `detail`s: no `Authorization` header (or an empty one); a header that is not exactly
/// `Token <one word>`; a key that is no one's.
pub const NO_CREDENTIALS: &str = "Credentials were not provided";
pub const BAD_HEADER: &str = "Invalid header padding";
pub const BAD_SIGNATURE: &str = "Signature verification failed";

/// An invoice's status, as the API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Created,
    Paid,
    Partial,
    Overpaid,
    Canceled,
    /// A status this contract does not know (another service's); never written.
    #[default]
    #[serde(other)]
    Other,
}

impl Status {
    /// The statuses an invoice can be in.
    pub const ALL: [Status; 5] = [Status::Created, Status::Paid, Status::Partial, Status::Overpaid, Status::Canceled];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Paid => "paid",
            Status::Partial => "partial",
            Status::Overpaid => "overpaid",
            Status::Canceled => "canceled",
            Status::Other => "other",
        }
    }

    /// One of [`Status::ALL`] by name, in any letter case.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ------------------------------------------------------------------------------- reading

/// A request field as the client sent it: left out (or `null`), a value of the expected
/// kind, or something else (kept as sent, for the rule that reports it).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Input<T> {
    #[default]
    Missing,
    Given(T),
    Invalid(Value),
}

impl<T> Input<T> {
    pub fn is_missing(&self) -> bool {
        matches!(self, Input::Missing)
    }

    pub fn given(&self) -> Option<&T> {
        match self {
            Input::Given(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Input<T> {
    fn from(value: T) -> Self {
        Input::Given(value)
    }
}

/// How a field's value is read from JSON (leniently: the API's clients send numbers as
/// strings too) and written.
pub trait Field: Sized {
    fn read(value: &Value) -> Option<Self>;
    fn write(&self) -> Value;
}

impl<'de, T: Field> Deserialize<'de> for Input<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Input::Missing,
            v => T::read(&v).map_or(Input::Invalid(v), Input::Given),
        })
    }
}

impl<T: Field> Serialize for Input<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Input::Missing => s.serialize_none(),
            Input::Given(v) => v.write().serialize(s),
            Input::Invalid(v) => v.serialize(s),
        }
    }
}

/// A whole number ≥ 0: a JSON number or a string of digits.
impl Field for u64 {
    fn read(value: &Value) -> Option<u64> {
        match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    fn write(&self) -> Value {
        Value::from(*self)
    }
}

/// Text: a string (trimmed), or a number's text (an order id sent as a number).
impl Field for String {
    fn read(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn write(&self) -> Value {
        Value::from(self.as_str())
    }
}

/// An amount: a JSON number or a string holding one, exactly (never rounded).
impl Field for Decimal {
    fn read(value: &Value) -> Option<Decimal> {
        match value {
            Value::Number(n) => exact(n.as_str()),
            Value::String(s) => exact(s.trim()),
            _ => None,
        }
    }

    fn write(&self) -> Value {
        number(*self)
    }
}

/// A calendar day (days since 1970-01-01, UTC), written `dd.mm.yyyy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Field for Day {
    fn read(value: &Value) -> Option<Day> {
        value.as_str().and_then(|s| parse_date(s.trim())).map(Day)
    }

    fn write(&self) -> Value {
        Value::from(format_date(self.0))
    }
}

/// Nested objects are read member by member (a bad member is reported, not the object).
macro_rules! object_field {
    ($t:ty) => {
        impl Field for $t {
            fn read(value: &Value) -> Option<$t> {
                if value.is_object() { serde_json::from_value(value.clone()).ok() } else { None }
            }

            fn write(&self) -> Value {
                serde_json::to_value(self).unwrap_or(Value::Null)
            }
        }
    };
}

/// A JSON number's text (`12.50`, `1e-3`, `-2.5E+2`) as a [`Decimal`], exactly: `None` when
/// it is not a JSON number, or when a Decimal cannot hold it without rounding (zeros beyond
/// its 28 places are dropped; any other digit there is not).
pub fn exact(text: &str) -> Option<Decimal> {
    // serde_json checks the syntax (the whole text, one number).
    text.parse::<serde_json::Number>().ok()?;
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, exponent) = match rest.find(['e', 'E']) {
        // An exponent beyond ±64 cannot give a Decimal anyway; clamping keeps the loop short.
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().map_or(i64::MAX, |e| e).clamp(-64, 64) as i32),
        None => (rest, 0),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let mut scale = frac.len() as i32 - exponent;
    while scale < 0 {
        mantissa = mantissa.checked_mul(10)?;
        scale += 1;
    }
    while scale > 28 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

/// A JSON number with `value`'s exact decimal text.
fn number(value: Decimal) -> Value {
    let text = value.normalize().to_string();
    serde_json::from_str::<serde_json::Number>(&text).map_or(Value::String(text), Value::Number)
}

// ------------------------------------------------------------------------------- rules

/// One broken rule of a request: the field (the key of the 400 answer), the word the
/// message names it by, and the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub field: &'static str,
    pub name: &'static str,
    pub rule: Rule,
}

/// The rules of the two requests, as codes (a client words them in its language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Left out, or blank.
    Required,
    /// Not a `dd.mm.yyyy` calendar date.
    Date,
    /// `end` before `start`.
    EndBeforeStart,
    /// Not a whole number ≥ 0.
    Whole,
    /// `limit` not above `offset`.
    LimitAboveOffset,
    /// Not a string.
    Text,
    /// Longer than this many characters.
    TooLong(usize),
    /// Holds a control character (a NUL, say: no store keeps one in text).
    ControlChars,
    /// Not an e-mail address.
    Email,
    /// Not a number.
    Number,
    /// Not above 0, above [`MAX_AMOUNT`], or more than [`AMOUNT_SCALE`] decimals.
    Amount,
    /// Not a JSON object.
    Object,
    /// `time_to_pay` outside 1 minute ..= [`MAX_LIFETIME_MINUTES`].
    Lifetime,
    /// A fiat currency the service has no rate for.
    Currency(String),
    /// A cryptocurrency the service does not take; the ones it takes.
    Cryptocurrency(Vec<String>),
    /// The body: not UTF-8, not a JSON object, or not JSON at all (with the parser's words).
    BodyNotText,
    BodyNotObject,
    BodyNotJson(String),
}

impl Issue {
    pub fn new(field: &'static str, rule: Rule) -> Issue {
        let name = field.rsplit('.').next().unwrap_or(field);
        Issue { field, name, rule }
    }

    /// The English message, worded as the API words it.
    pub fn message(&self) -> String {
        let name = self.name;
        match &self.rule {
            Rule::Required => format!("{name} not passed."),
            Rule::Date => format!("{name} must be a date in the format dd.mm.yyyy."),
            Rule::EndBeforeStart => "end must be greater than or equal to start.".into(),
            Rule::Whole => format!("{name} must be a whole number, 0 or more."),
            Rule::LimitAboveOffset => "limit must be greater than offset.".into(),
            Rule::Text => format!("{name} must be a string."),
            Rule::TooLong(max) => format!("{name} must be at most {max} characters."),
            Rule::ControlChars => format!("{name} must not contain control characters."),
            Rule::Email => format!("{name} must be an e-mail address."),
            Rule::Number => format!("{name} must be a number."),
            Rule::Amount => {
                format!("{name} must be a number above 0, at most {MAX_AMOUNT}, with at most {AMOUNT_SCALE} decimals.")
            }
            Rule::Object => format!("{name} must be an object."),
            Rule::Lifetime => {
                format!("{name} must be between 1 minute and {} hours.", MAX_LIFETIME_MINUTES / 60)
            }
            Rule::Currency(code) => format!("{name} {code} is not supported."),
            Rule::Cryptocurrency(known) => format!("{name} must be one of {}.", known.join(", ")),
            Rule::BodyNotText => "the body is not UTF-8 text.".into(),
            Rule::BodyNotObject => "the body must be a JSON object.".into(),
            Rule::BodyNotJson(why) => format!("the body is not valid JSON: {why}."),
        }
    }
}

/// Reads a request body: an empty body is `{}`; anything but a JSON object is an [`Issue`]
/// on `body`.
pub fn read_body<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, Issue> {
    let text = std::str::from_utf8(bytes).map_err(|_| Issue::new("body", Rule::BodyNotText))?;
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| Issue::new("body", Rule::BodyNotJson(e.to_string())))?;
    if !value.is_object() {
        return Err(Issue::new("body", Rule::BodyNotObject));
    }
    // Every member is read leniently, so an object always fits.
    serde_json::from_value(value).map_err(|e| Issue::new("body", Rule::BodyNotJson(e.to_string())))
}

// ------------------------------------------------------------------------------- list

/// `POST /v2/invoice/merchant/list`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ListRequest {
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub start: Input<Day>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub end: Input<Day>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub offset: Input<u64>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub limit: Input<u64>,
}

/// A list request that passed [`ListRequest::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    /// Creation times in `[from_ms, to_ms)`.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Records skipped.
    pub offset: u64,
    /// Records to return (≤ [`MAX_RECORDS`]).
    pub count: u64,
}

impl ListRequest {
    /// Days `start..=end`, records `offset+1 ..= limit` (`limit` None: the default count).
    pub fn new(start: Day, end: Day, offset: u64, limit: Option<u64>) -> ListRequest {
        ListRequest {
            start: start.into(),
            end: end.into(),
            offset: offset.into(),
            limit: limit.map_or(Input::Missing, Input::Given),
        }
    }

    /// Every rule of the list call: each broken one, or the query to run.
    pub fn check(&self) -> Result<ListQuery, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut day = |field: &'static str, input: &Input<Day>| match input {
            Input::Given(d) => Some(d.0),
            Input::Missing => {
                issues.push(Issue::new(field, Rule::Required));
                None
            }
            Input::Invalid(_) => {
                issues.push(Issue::new(field, Rule::Date));
                None
            }
        };
        let (start, end) = (day("start", &self.start), day("end", &self.end));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            issues.push(Issue::new("end", Rule::EndBeforeStart));
        }
        let offset = match &self.offset {
            Input::Given(n) => Some(*n),
            Input::Missing => Some(0),
            Input::Invalid(_) => {
                issues.push(Issue::new("offset", Rule::Whole));
                None
            }
        };
        let count = match (&self.limit, offset) {
            (Input::Missing, _) => DEFAULT_COUNT,
            (Input::Invalid(_), _) => {
                issues.push(Issue::new("limit", Rule::Whole));
                0
            }
            (Input::Given(limit), Some(offset)) if *limit > offset => (limit - offset).min(MAX_RECORDS),
            (Input::Given(_), Some(_)) => {
                issues.push(Issue::new("limit", Rule::LimitAboveOffset));
                0
            }
            (Input::Given(_), None) => 0,
        };
        match (start, end, offset) {
            (Some(s), Some(e), Some(offset)) if issues.is_empty() => Ok(ListQuery {
                from_ms: s.saturating_mul(DAY_MS),
                to_ms: e.saturating_add(1).saturating_mul(DAY_MS),
                // Far past any real count; keeps SQL's signed OFFSET in range.
                offset: offset.min(i64::MAX as u64 / 2),
                count,
            }),
            _ => Err(issues),
        }
    }
}

/// The answer to a list call.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListResponse {
    pub status: String,
    #[serde(default)]
    pub result: Vec<Invoice>,
    #[serde(default)]
    pub all_count: u64,
}

impl ListResponse {
    pub fn new(result: Vec<Invoice>, all_count: u64) -> ListResponse {
        ListResponse { status: SUCCESS.into(), result, all_count }
    }
}

pub const SUCCESS: &str = "success";
pub const ERROR: &str = "error";

// ------------------------------------------------------------------------------- create

/// `POST /v2/invoice/create`.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CreateRequest {
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub shop_id: Input<String>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub amount: Input<Decimal>,
    /// ISO 4217; left out: [`DEFAULT_CURRENCY`].
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub currency: Input<String>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub order_id: Input<String>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub email: Input<String>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub add_fields: Input<AddFields>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct AddFields {
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub time_to_pay: Input<TimeToPay>,
    /// A coin's fullcode (`BTC`, `USDT_TRC20`…); left out: the service's default.
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub cryptocurrency: Input<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TimeToPay {
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub hours: Input<u64>,
    #[serde(default, skip_serializing_if = "Input::is_missing")]
    pub minutes: Input<u64>,
}

object_field!(AddFields);
object_field!(TimeToPay);

/// A create request that passed [`CreateRequest::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvoice {
    pub shop_id: String,
    pub amount: Decimal,
    /// Upper case; [`DEFAULT_CURRENCY`] when not given.
    pub currency: String,
    pub order_id: String,
    pub email: String,
    pub lifetime_minutes: i64,
    /// A coin's fullcode as given (any letter case); None: the service's default coin.
    pub cryptocurrency: Option<String>,
}

/// What a service takes beyond the shape of a request: the fiat currencies it has a rate
/// for and the coins it is paid in. (A client that does not know them passes [`AnyCurrency`]
/// and leaves those two rules to the service.)
pub trait Accepts {
    fn currency(&self, code: &str) -> bool;
    /// Fullcodes, as the API spells them; empty: any.
    fn cryptocurrencies(&self) -> Vec<String>;
}

/// Accepts every currency and coin.
pub struct AnyCurrency;

impl Accepts for AnyCurrency {
    fn currency(&self, _: &str) -> bool {
        true
    }

    fn cryptocurrencies(&self) -> Vec<String> {
        Vec::new()
    }
}

impl CreateRequest {
    /// Every rule of the create call: each broken one (in field order), or the invoice to make.
    pub fn check(&self, accepts: &dyn Accepts) -> Result<NewInvoice, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut text = |field: &'static str, input: &Input<String>, required: bool, max: usize| -> Option<String> {
            match input {
                Input::Given(s) if s.is_empty() && required => issues.push(Issue::new(field, Rule::Required)),
                Input::Given(s) if s.chars().count() > max => issues.push(Issue::new(field, Rule::TooLong(max))),
                // NUL only (PostgreSQL refuses it in text, as api/src/caps.rs says for gRPC):
                // a line break or a tab in an order id is the merchant's own business.
                Input::Given(s) if s.contains('\0') => issues.push(Issue::new(field, Rule::ControlChars)),
                Input::Given(s) => return Some(s.clone()),
                Input::Missing if required => issues.push(Issue::new(field, Rule::Required)),
                Input::Missing => return Some(String::new()),
                Input::Invalid(_) => issues.push(Issue::new(field, Rule::Text)),
            }
            None
        };
        let shop_id = text("shop_id", &self.shop_id, true, SHOP_ID_MAX).unwrap_or_default();
        let order_id = text("order_id", &self.order_id, false, ORDER_ID_MAX).unwrap_or_default();
        let email = text("email", &self.email, false, EMAIL_MAX).unwrap_or_default();
        let currency = text("currency", &self.currency, false, CURRENCY_MAX).map(|c| c.to_ascii_uppercase());
        if !email.is_empty() && !email.contains('@') {
            issues.push(Issue::new("email", Rule::Email));
        }
        let currency = match currency {
            Some(c) if c.is_empty() => DEFAULT_CURRENCY.to_string(),
            Some(c) => {
                if !accepts.currency(&c) {
                    issues.push(Issue::new("currency", Rule::Currency(c.clone())));
                }
                c
            }
            None => String::new(),
        };
        let amount = match &self.amount {
            Input::Given(a) if *a > Decimal::ZERO && *a <= MAX_AMOUNT && a.normalize().scale() <= AMOUNT_SCALE => {
                a.normalize()
            }
            Input::Given(_) | Input::Invalid(Value::String(_)) => {
                issues.push(Issue::new("amount", Rule::Amount));
                Decimal::ZERO
            }
            Input::Missing => {
                issues.push(Issue::new("amount", Rule::Required));
                Decimal::ZERO
            }
            Input::Invalid(_) => {
                issues.push(Issue::new("amount", Rule::Number));
                Decimal::ZERO
            }
        };
        let mut lifetime_minutes = DEFAULT_LIFETIME_MINUTES;
        let mut cryptocurrency = None;
        match &self.add_fields {
            Input::Missing => {}
            Input::Invalid(_) => issues.push(Issue::new("add_fields", Rule::Object)),
            Input::Given(add) => {
                const TTP: &str = "add_fields.time_to_pay";
                match &add.time_to_pay {
                    Input::Missing => {}
                    Input::Invalid(_) => issues.push(Issue::new(TTP, Rule::Object)),
                    Input::Given(t) => match (&t.hours, &t.minutes) {
                        (Input::Invalid(_), _) => issues.push(Issue { field: TTP, name: "hours", rule: Rule::Whole }),
                        (_, Input::Invalid(_)) => issues.push(Issue { field: TTP, name: "minutes", rule: Rule::Whole }),
                        (h, m) => {
                            let part = |i: &Input<u64>| i.given().copied().unwrap_or(0).min(1 << 40) as i64;
                            let total = part(h) * 60 + part(m);
                            if (1..=MAX_LIFETIME_MINUTES).contains(&total) {
                                lifetime_minutes = total;
                            } else {
                                issues.push(Issue::new(TTP, Rule::Lifetime));
                            }
                        }
                    },
                }
                let known = accepts.cryptocurrencies();
                match &add.cryptocurrency {
                    Input::Missing => {}
                    Input::Given(code)
                        if !code.is_empty()
                            && (known.is_empty() || known.iter().any(|k| k.eq_ignore_ascii_case(code))) =>
                    {
                        cryptocurrency = Some(code.clone())
                    }
                    Input::Given(_) | Input::Invalid(_) => {
                        issues.push(Issue::new("add_fields.cryptocurrency", Rule::Cryptocurrency(known)))
                    }
                }
            }
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(NewInvoice { shop_id, amount, currency, order_id, email, lifetime_minutes, cryptocurrency })
    }
}

/// The answer to a create call: the new invoice, with its payment `link`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CreateResponse {
    pub status: String,
    pub result: Invoice,
}

impl CreateResponse {
    pub fn new(result: Invoice) -> CreateResponse {
        CreateResponse { status: SUCCESS.into(), result }
    }
}

// ------------------------------------------------------------------------------- errors

/// A 400: `{"status":"error","result":{"<field>":"<message>", …}}`, fields in the order the
/// rules found them (a repeated field keeps its first message).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse(pub Vec<(String, String)>);

impl ErrorResponse {
    pub fn new(issues: &[Issue]) -> ErrorResponse {
        let mut fields: Vec<(String, String)> = Vec::new();
        for issue in issues {
            if !fields.iter().any(|(f, _)| f == issue.field) {
                fields.push((issue.field.to_string(), issue.message()));
            }
        }
        ErrorResponse(fields)
    }
}

impl Serialize for ErrorResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a [(String, String)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("status", ERROR)?;
        map.serialize_entry("result", &Fields(&self.0))?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for ErrorResponse {
    /// `result` as the API sends it: each field's message, or a list of messages (joined).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Raw {
            #[serde(default)]
            result: serde_json::Map<String, Value>,
        }
        let raw = Raw::deserialize(d)?;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
            other => other.to_string(),
        };
        Ok(ErrorResponse(raw.result.iter().map(|(k, v)| (k.clone(), text(v))).collect()))
    }
}

/// A 401 (and 413, 500) body: `{"detail":"…"}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Detail {
    pub detail: String,
}

// ------------------------------------------------------------------------------- invoice

/// Money as the API writes it: a JSON number with the amount's exact text; read from a
/// number or a string, `null` or left out reading as 0.
mod money {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        number(*value).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Decimal::ZERO),
            v => Decimal::read(&v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not an amount"))),
        }
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            value.map(number).unwrap_or(Value::Null).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            match Value::deserialize(d)? {
                Value::Null => Ok(None),
                v => {
                    Decimal::read(&v).map(Some).ok_or_else(|| serde::de::Error::custom(format!("{v} is not an amount")))
                }
            }
        }
    }
}

/// One invoice, as the list and create calls answer it. Every field may be missing from
/// another service's answer (it then reads as empty or 0); unknown fields are skipped.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Invoice {
    /// `INV-` and 8 characters of `[A-Z0-9]`.
    pub uuid: String,
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, UTC ([`crate::dates::format_time`]).
    pub created: String,
    pub address: String,
    pub currency: Currency,
    pub date_finished: Option<String>,
    pub expiry_date: String,
    pub side_commission: String,
    pub side_commission_cc: String,
    pub type_payments: String,
    pub status: Status,
    pub is_email_required: bool,
    pub project: Project,
    pub tx_list: Vec<Value>,
    pub test_mode: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub user_email: String,
    pub pay_url: String,
    pub phone: String,
    pub order_id: String,
    #[serde(with = "money::option")]
    pub amount_in_crypto: Option<Decimal>,
    #[serde(with = "money")]
    pub amount_in_fiat: Decimal,
    pub fiat_currency: String,
    /// In the invoice's coin; each `_usd` twin is the same in US dollars.
    #[serde(with = "money")]
    pub amount: Decimal,
    #[serde(with = "money")]
    pub amount_usd: Decimal,
    /// `amount + fee` (the client pays the transfer fee).
    #[serde(with = "money")]
    pub amount_to_pay: Decimal,
    #[serde(with = "money")]
    pub amount_to_pay_usd: Decimal,
    #[serde(with = "money")]
    pub amount_paid: Decimal,
    #[serde(with = "money")]
    pub amount_paid_usd: Decimal,
    #[serde(with = "money")]
    pub fee: Decimal,
    #[serde(with = "money")]
    pub fee_usd: Decimal,
    #[serde(with = "money")]
    pub service_fee: Decimal,
    #[serde(with = "money")]
    pub service_fee_usd: Decimal,
    /// `amount_paid - fee - service_fee`, not below 0.
    #[serde(with = "money")]
    pub received: Decimal,
    #[serde(with = "money")]
    pub received_usd: Decimal,
    /// What a `partial` invoice still lacks.
    #[serde(with = "money")]
    pub to_surcharge: Decimal,
    #[serde(with = "money")]
    pub to_surcharge_usd: Decimal,
    /// The payment page (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Currency {
    pub id: u32,
    /// `USDT`
    pub code: String,
    /// `USDT_TRC20`
    pub fullcode: String,
    pub network: Network,
    pub name: String,
    pub is_email_required: bool,
    pub stablecoin: bool,
    pub order: u32,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Network {
    /// `TRC20`
    pub code: String,
    pub id: u32,
    /// `Tron`
    pub fullname: String,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub fail: String,
    pub success: String,
    pub logo: String,
}

/// The JSON text of an answer (the one writer of the merchant API).
pub fn to_json<T: Serialize>(answer: &T) -> String {
    // The answer types hold strings, numbers and maps with string keys only.
    serde_json::to_string(answer).expect("merchant answers always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::days_from_civil;
    use serde_json::json;
    use std::str::FromStr;

    fn list(v: Value) -> Result<ListQuery, Vec<Issue>> {
        read_body::<ListRequest>(v.to_string().as_bytes()).unwrap().check()
    }

    fn fields(issues: Vec<Issue>) -> Vec<(&'static str, String)> {
        issues.into_iter().map(|i| (i.field, i.message())).collect()
    }

    #[test]
    fn list_rules() {
        let q = list(json!({"start": "01.01.2023", "end": "31.01.2023"})).unwrap();
        assert_eq!((q.offset, q.count), (0, DEFAULT_COUNT));
        assert_eq!(q.from_ms, days_from_civil(2023, 1, 1) * DAY_MS);
        assert_eq!(q.to_ms, days_from_civil(2023, 2, 1) * DAY_MS);
        let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 10, "limit": 20}));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((10, 10)));
        let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": "5", "limit": 500}));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((5, MAX_RECORDS)));
        let q = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 30}));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((30, 10)));
        assert_eq!(
            fields(list(json!({})).unwrap_err()),
            [("start", "start not passed.".into()), ("end", "end not passed.".into())]
        );
        let e = list(json!({"start": "02.01.2023", "end": "01.01.2023", "offset": -1, "limit": 1.5})).unwrap_err();
        assert_eq!(e.iter().map(|i| i.field).collect::<Vec<_>>(), ["end", "offset", "limit"]);
        assert_eq!(e[2].rule, Rule::Whole);
        let e = list(json!({"start": "01.01.2023", "end": "01.01.2023", "offset": 5, "limit": 5})).unwrap_err();
        assert_eq!(fields(e), [("limit", "limit must be greater than offset.".into())]);
        let e = list(json!({"start": 20230101, "end": "1.1.2023"})).unwrap_err();
        assert_eq!(e.iter().map(|i| &i.rule).collect::<Vec<_>>(), [&Rule::Date, &Rule::Date]);
    }

    #[test]
    fn a_list_request_is_written_as_the_api_reads_it() {
        let req = ListRequest::new(Day(days_from_civil(2024, 3, 1)), Day(days_from_civil(2024, 3, 31)), 10, Some(20));
        let text = serde_json::to_string(&req).unwrap();
        assert_eq!(text, r#"{"start":"01.03.2024","end":"31.03.2024","offset":10,"limit":20}"#);
        assert_eq!(read_body::<ListRequest>(text.as_bytes()).unwrap(), req);
        let no_limit = ListRequest::new(Day(0), Day(0), 0, None);
        assert_eq!(
            serde_json::to_string(&no_limit).unwrap(),
            r#"{"start":"01.01.1970","end":"01.01.1970","offset":0}"#
        );
    }

    #[test]
    fn bodies_that_are_not_objects_are_issues_on_body() {
        assert_eq!(read_body::<ListRequest>(b"").unwrap(), ListRequest::default());
        assert_eq!(read_body::<ListRequest>(b" \n").unwrap(), ListRequest::default());
        for bad in [&b"{"[..], b"[1]", b"\"x\"", b"nul", b"{\"a\":1}}", b"\xff"] {
            let e = read_body::<ListRequest>(bad).unwrap_err();
            assert_eq!(e.field, "body");
            assert!(e.message().starts_with("the body"), "{}", e.message());
        }
        let deep = "[".repeat(10_000);
        assert_eq!(read_body::<CreateRequest>(deep.as_bytes()).unwrap_err().field, "body");
    }

    #[test]
    fn create_rules() {
        struct Service;
        impl Accepts for Service {
            fn currency(&self, code: &str) -> bool {
                ["USD", "EUR"].contains(&code)
            }
            fn cryptocurrencies(&self) -> Vec<String> {
                vec!["BTC".into(), "USDT_TRC20".into()]
            }
        }
        let ok = |v: Value| read_body::<CreateRequest>(v.to_string().as_bytes()).unwrap().check(&Service);
        let new = ok(json!({"shop_id": "S", "amount": "10.50", "currency": "eur",
            "add_fields": {"time_to_pay": {"hours": 2, "minutes": "30"}, "cryptocurrency": "BTC"}}))
        .unwrap();
        assert_eq!(new.amount, Decimal::from_str("10.5").unwrap());
        assert_eq!((new.currency.as_str(), new.lifetime_minutes), ("EUR", 150));
        assert_eq!(new.cryptocurrency.as_deref(), Some("BTC"));
        let new = ok(json!({"shop_id": 42, "amount": 1})).unwrap();
        assert_eq!((new.shop_id.as_str(), new.currency.as_str(), new.lifetime_minutes), ("42", "USD", 24 * 60));
        let e = ok(json!({"shop_id": " ", "amount": 0.000000001, "email": "x", "order_id": [],
            "add_fields": {"time_to_pay": {"hours": 721}}}))
        .unwrap_err();
        assert_eq!(
            fields(e),
            [
                ("shop_id", "shop_id not passed.".into()),
                ("order_id", "order_id must be a string.".into()),
                ("email", "email must be an e-mail address.".into()),
                ("amount", "amount must be a number above 0, at most 1000000000, with at most 8 decimals.".into()),
                ("add_fields.time_to_pay", "time_to_pay must be between 1 minute and 720 hours.".into()),
            ]
        );
        let e = ok(json!({"shop_id": "S", "amount": true, "add_fields": {"time_to_pay": {"minutes": -3}}}));
        assert_eq!(
            fields(e.unwrap_err()),
            [
                ("amount", "amount must be a number.".into()),
                ("add_fields.time_to_pay", "minutes must be a whole number, 0 or more.".into())
            ]
        );
        // A line break is the merchant's own business; a NUL no store keeps in text.
        let new = ok(json!({"shop_id": "S", "amount": 1, "order_id": "A,\"q\"\nline"})).unwrap();
        assert_eq!(new.order_id, "A,\"q\"\nline");
        let e = ok(json!({"shop_id": "S", "amount": 1, "order_id": "a\0b"})).unwrap_err();
        assert_eq!(fields(e), [("order_id", "order_id must not contain control characters.".into())]);
        let e = ok(json!({"shop_id": "S", "amount": 1, "add_fields": []})).unwrap_err();
        assert_eq!(fields(e), [("add_fields", "add_fields must be an object.".into())]);
        let e = ok(json!({"shop_id": "S", "amount": 1, "currency": "XYZ", "add_fields": {"cryptocurrency": "doge"}}));
        assert_eq!(
            fields(e.unwrap_err()),
            [
                ("currency", "currency XYZ is not supported.".into()),
                ("add_fields.cryptocurrency", "cryptocurrency must be one of BTC, USDT_TRC20.".into())
            ]
        );
        let any = read_body::<CreateRequest>(br#"{"shop_id":"S","amount":1,"currency":"XYZ"}"#).unwrap();
        assert_eq!(any.check(&AnyCurrency).unwrap().currency, "XYZ");
        let e = ok(json!({"shop_id": "S", "amount": 1, "order_id": "a\u{0}b"})).unwrap_err();
        assert_eq!(fields(e), [("order_id", "order_id must not contain control characters.".into())]);
    }

    #[test]
    fn amounts_are_exact_both_ways() {
        // 28 digits, more than an f64 keeps: read exactly.
        let text = r#"{"shop_id":"S","amount":0.1000000000000000055511151231}"#;
        let req = read_body::<CreateRequest>(text.as_bytes()).unwrap();
        assert_eq!(req.amount, Input::Given(Decimal::from_str("0.1000000000000000055511151231").unwrap()));
        // More digits than a Decimal holds: refused, never rounded.
        let text = r#"{"shop_id":"S","amount":0.1000000000000000055511151231257827}"#;
        let req = read_body::<CreateRequest>(text.as_bytes()).unwrap();
        assert!(matches!(req.amount, Input::Invalid(_)));
        assert_eq!(req.check(&AnyCurrency).unwrap_err()[0].rule, Rule::Number);
        let invoice = Invoice { amount: Decimal::from_str("0.30000000").unwrap(), ..Default::default() };
        let written = to_json(&invoice);
        assert!(written.contains(r#""amount":0.3,"#), "{written}");
        let back: Invoice = serde_json::from_str(&written).unwrap();
        assert_eq!(back, invoice);
        // Another service's answer: strings for numbers, nulls, missing and unknown fields.
        let theirs: Invoice = serde_json::from_str(
            r#"{"uuid":"INV-1","amount":"12.345678","amount_usd":null,"status":"paid","novel":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!((theirs.amount, theirs.amount_usd, theirs.status), (dec!(12.345678), dec!(0), Status::Paid));
        let unknown: Invoice = serde_json::from_str(r#"{"status":"refunded"}"#).unwrap();
        assert_eq!(unknown.status, Status::Other);
    }

    #[test]
    fn error_answers_keep_the_order_of_the_rules() {
        let e = ErrorResponse::new(&[
            Issue::new("start", Rule::Required),
            Issue::new("end", Rule::Date),
            Issue::new("end", Rule::EndBeforeStart),
        ]);
        let text = to_json(&e);
        assert_eq!(
            text,
            r#"{"status":"error","result":{"start":"start not passed.","end":"end must be a date in the format dd.mm.yyyy."}}"#
        );
        let back: ErrorResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(back.0.len(), 2);
        let list: ErrorResponse = serde_json::from_str(r#"{"status":"error","result":{"a":["x","y"]}}"#).unwrap();
        assert_eq!(list.0, [("a".to_string(), "x y".to_string())]);
    }

    #[test]
    fn money_text_is_read_exactly_or_not_at_all() {
        assert_eq!(exact("101.40"), Some(Decimal::new(10140, 2)));
        assert_eq!(exact("1e-3"), Some(Decimal::new(1, 3)));
        assert_eq!(exact("-2.5E+2"), Some(Decimal::new(-250, 0)));
        assert_eq!(exact("0.1000000000000000000000000000000"), Some(Decimal::new(1, 1)), "zeros beyond 28 places");
        assert_eq!(exact("0.1000000000000000000000000000001"), None, "a digit beyond 28 places is not rounded");
        assert_eq!(exact("1e99"), None);
        for bad in ["", "abc", "1.", "01", "1e", "+1", " 1", "1 ", "0x10", "1.5.5", "NaN"] {
            assert_eq!(exact(bad), None, "{bad:?}");
        }
        assert_eq!(Decimal::read(&Value::String(" 12.5 ".into())), Some(Decimal::new(125, 1)));
        assert_eq!(Decimal::read(&Value::Bool(true)), None);
    }

    proptest::proptest! {
        #[test]
        fn any_decimal_reads_back_exactly(m in proptest::prelude::any::<i64>(), scale in 0u32..=18) {
            let d = Decimal::new(m, scale);
            proptest::prop_assert_eq!(exact(&d.to_string()), Some(d));
            let written = to_json(&Invoice { amount: d, ..Default::default() });
            let back: Invoice = serde_json::from_str(&written).unwrap();
            proptest::prop_assert_eq!(back.amount, d);
        }
    }

    #[test]
    fn statuses_by_name() {
        for s in Status::ALL {
            assert_eq!(Status::parse(&s.as_str().to_uppercase()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Status::parse("refunded"), None);
    }
}
