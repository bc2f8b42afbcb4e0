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

impl<T: Field> Input<T> {
    /// The field as written: None when left out.
    pub fn value(&self) -> Option<Value> {
        match self {
            Input::Missing => None,
            Input::Given(v) => Some(v.write()),
            Input::Invalid(v) => Some(v.clone()),
        }
    }
}

/// A request body `$t`: its members, each field that is not left out, in the struct's
/// order ([`Input::value`]), written as a JSON object.
macro_rules! body {
    ($t:ty { $($f:ident),* }) => {
        impl $t {
            pub fn members(&self) -> Vec<(&'static str, Value)> {
                let all = [$((stringify!($f), self.$f.value())),*];
                all.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let members = self.members();
                let mut map = s.serialize_map(Some(members.len()))?;
                for (name, value) in &members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    };
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
                Value::Object(self.members().into_iter().map(|(name, value)| (name.to_string(), value)).collect())
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
    text.parse::<serde_json::Number>().map_or(Value::String(text), Value::Number)
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

mod answers;
mod reading;
mod requests;
#[cfg(test)]
mod tests;

pub use answers::*;
pub use requests::*;
