//! The two requests, `list` and `create`: their bodies, read leniently field by field (a
//! field left out is `Input::Missing`, each struct's default), and the rules that turn them
//! into a query or a new invoice (or every broken rule).

use super::*;

// ------------------------------------------------------------------------------- list

/// `POST /v2/invoice/merchant/list`.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListRequest {
    pub start: Input<Day>,
    pub end: Input<Day>,
    pub offset: Input<u64>,
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

body!(ListRequest { start, end, offset, limit });

/// The answer to a list call (read by `reading.rs`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListResponse {
    pub status: String,
    pub result: Vec<Invoice>,
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
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateRequest {
    pub shop_id: Input<String>,
    pub amount: Input<Decimal>,
    /// ISO 4217; left out: [`DEFAULT_CURRENCY`].
    pub currency: Input<String>,
    pub order_id: Input<String>,
    pub email: Input<String>,
    pub add_fields: Input<AddFields>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default)]
pub struct AddFields {
    pub time_to_pay: Input<TimeToPay>,
    /// A coin's fullcode (`BTC`, `USDT_TRC20`…); left out: the service's default.
    pub cryptocurrency: Input<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default)]
pub struct TimeToPay {
    pub hours: Input<u64>,
    pub minutes: Input<u64>,
}

body!(CreateRequest { shop_id, amount, currency, order_id, email, add_fields });
body!(AddFields { time_to_pay, cryptocurrency });
body!(TimeToPay { hours, minutes });
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

/// The answer to a create call: the new invoice, with its payment `link` (read by
/// `reading.rs`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CreateResponse {
    pub status: String,
    pub result: Invoice,
}

impl CreateResponse {
    pub fn new(result: Invoice) -> CreateResponse {
        CreateResponse { status: SUCCESS.into(), result }
    }
}
