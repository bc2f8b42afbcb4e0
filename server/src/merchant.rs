//! Merchant invoices over CryptoCloud's REST calls (seed 002, API-NOTES §2), on the same
//! port as TradeApi:
//!
//! * `POST /v2/invoice/create` — body `shop_id`, `amount`, `currency` (ISO 4217, default
//!   `USD`), `order_id`, `email`, `add_fields.time_to_pay{hours,minutes}` (default 24 h),
//!   `add_fields.cryptocurrency` (a fullcode such as `BTC`, `USDT_TRC20`; default
//!   `USDT_TRC20`). Answers `{"status":"success","result":{…invoice…, "link"}}`.
//! * `POST /v2/invoice/merchant/list` — body `start`, `end` (`dd.mm.yyyy`, UTC days, both
//!   inclusive, `end >= start`), `offset`, `limit`. Answers
//!   `{"status":"success","result":[…],"all_count":N}`, newest first (by `created`, then
//!   by creation order), only the caller's invoices.
//!
//! Paging, as documented: records are numbered from 1 in that order; `offset` = how many
//! records to skip (default 0: `offset=10` starts with the 11th), `limit` = the number of the
//! last record wanted, inclusive (`limit=20` ends with the 20th). So the answer holds records
//! `offset+1 ..= limit`, i.e. `limit - offset` of them, but never more than
//! [`MAX_RECORDS`] (a larger span is cut to the first 100, not refused). Without `limit`
//! the answer holds [`DEFAULT_COUNT`] records from `offset` (the documented default
//! `limit=10` when `offset` is 0). `limit <= offset` is a 400 on `limit`; an `offset`
//! past the end gives an empty `result` with the true `all_count`. Numbers may be given
//! as JSON numbers or as strings of digits.
//!
//! `Authorization: Token <key>`, where the key is a user's bearer token. 401 bodies: no
//! header (or an empty one) → `Credentials were not provided`; a header that is not exactly
//! `Token <one word>` → `Invalid header padding`; a key that is no user's → `Signature
//! verification failed`. Authentication comes before any check of the body. 400 bodies are
//! `{"status":"error","result":{"<field>":"<message>"}}`, one entry per bad field (a body
//! that is not a JSON object is reported on `body`); an empty body counts as `{}`.
//!
//! Money is exact (`rust_decimal`, stored as text) and written as JSON numbers from its
//! decimal text, never through a float. `amount`, `amount_to_pay`, `amount_paid`, `fee`,
//! `service_fee`, `received`, `to_surcharge` are in the invoice's coin; each `_usd` twin is
//! that times the coin's USD price fixed at creation, to the cent; `amount_usd` comes from
//! the creation currency's rate (`rates.rs`). The client pays the transfer fee
//! (`amount_to_pay = amount + fee`), the merchant the 1.9% service fee
//! (`received = amount_paid - fee - service_fee`, not below 0); `to_surcharge` is what a
//! `partial` invoice still lacks. A `created` invoice past its expiry reads as `canceled`.
//! The reference server has no payment page: statuses move with
//! `schet-server merchant set-status` (and the demo seeding), and `link` only has the
//! documented shape.

use crate::rates::Rates;
use crate::service::{Service, ServiceError};
use crate::store::{Store, now_ms};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, StatusCode, header};
use rust_decimal::{Decimal, RoundingStrategy};
pub use schet_api::dates::{civil_from_days, days_from_civil, format_date, parse_date};
use schet_api::json::{self, Value};
use sqlx::Row as _;
use sqlx::sqlite::SqliteRow;
use std::str::FromStr;
use std::sync::Arc;

pub const LIST_PATH: &str = "/v2/invoice/merchant/list";
pub const CREATE_PATH: &str = "/v2/invoice/create";
/// Most records one list call returns.
pub const MAX_RECORDS: u64 = 100;
/// Records returned when `limit` is not given.
pub const DEFAULT_COUNT: u64 = 10;
/// Invoice statuses, as the API spells them.
pub const STATUSES: [&str; 5] = ["created", "paid", "partial", "overpaid", "canceled"];
/// Largest request body read.
const MAX_BODY_BYTES: usize = 64 * 1024;
const DAY_MS: i64 = 86_400_000;
/// The service fee, paid by the merchant: this share of the amount.
const SERVICE_FEE_RATE: Decimal = Decimal::from_parts(19, 0, 0, false, 3); // 0.019
/// Invoice lifetime when `add_fields.time_to_pay` is not given.
const DEFAULT_LIFETIME_MINUTES: i64 = 24 * 60;
/// Longest lifetime accepted (30 days).
const MAX_LIFETIME_MINUTES: i64 = 30 * 24 * 60;
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

pub const NO_CREDENTIALS: &str = "Credentials were not provided";
pub const BAD_HEADER: &str = "Invalid header padding";
pub const BAD_SIGNATURE: &str = "Signature verification failed";

/// The two calls, to be merged into the server's router (CORS is applied there).
pub fn routes(service: Arc<Service>) -> Router {
    Router::new().route(LIST_PATH, post(list)).route(CREATE_PATH, post(create)).with_state(service)
}

// ---------------------------------------------------------------------------- coins

/// A cryptocurrency an invoice can be paid in.
#[derive(Debug)]
pub struct Coin {
    pub id: u32,
    pub code: &'static str,
    pub fullcode: &'static str,
    pub name: &'static str,
    pub network_code: &'static str,
    pub network_id: u32,
    pub network_name: &'static str,
    pub stablecoin: bool,
    /// USD per coin (fixed reference prices).
    pub usd: &'static str,
    /// Decimal places amounts in this coin are rounded to.
    pub scale: u32,
    /// Transfer fee, in the coin.
    pub fee: &'static str,
}

const fn coin(
    id: u32,
    code: &'static str,
    fullcode: &'static str,
    name: &'static str,
    network: (&'static str, u32, &'static str),
    stablecoin: bool,
    usd: &'static str,
    scale: u32,
    fee: &'static str,
) -> Coin {
    let (network_code, network_id, network_name) = network;
    Coin { id, code, fullcode, name, network_code, network_id, network_name, stablecoin, usd, scale, fee }
}

pub const COINS: &[Coin] = &[
    coin(4, "USDT", "USDT_TRC20", "Tether", ("TRC20", 4, "Tron"), true, "1", 6, "1.4"),
    coin(1, "BTC", "BTC", "Bitcoin", ("BTC", 1, "Bitcoin"), false, "90000", 8, "0.00002"),
    coin(3, "ETH", "ETH", "Ethereum", ("ERC20", 3, "Ethereum"), false, "3000", 8, "0.0008"),
    coin(2, "LTC", "LTC", "Litecoin", ("LTC", 2, "Litecoin"), false, "80", 8, "0.0005"),
    coin(5, "USDT", "USDT_ERC20", "Tether", ("ERC20", 3, "Ethereum"), true, "1", 6, "3.5"),
    coin(6, "USDC", "USDC_ERC20", "USD Coin", ("ERC20", 3, "Ethereum"), true, "1", 6, "3.5"),
    coin(7, "TRX", "TRX", "Tron", ("TRC20", 4, "Tron"), false, "0.25", 6, "1"),
    coin(8, "TON", "TON", "Toncoin", ("TON", 8, "The Open Network"), false, "5", 6, "0.05"),
];

pub fn find_coin(fullcode: &str) -> Option<&'static Coin> {
    COINS.iter().find(|c| c.fullcode.eq_ignore_ascii_case(fullcode))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("a decimal constant")
}

fn round(value: Decimal, scale: u32) -> Decimal {
    value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero).normalize()
}

// ---------------------------------------------------------------------------- dates

/// Unix milliseconds → the day number (UTC).
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// Unix milliseconds → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC).
pub fn format_time(ms: i64) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS);
    let (h, mi, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:06}", milli * 1000)
}

// ---------------------------------------------------------------------------- replies

fn reply(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn detail(status: StatusCode, message: &str) -> Response {
    reply(status, Obj::new().str("detail", message).done())
}

fn unauthorized(message: &str) -> Response {
    let mut response = detail(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Token"));
    response
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "merchant call failed");
    detail(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

type FieldErrors = Vec<(&'static str, String)>;

fn field_errors(errors: &FieldErrors) -> Response {
    let result = errors.iter().fold(Obj::new(), |o, (field, message)| o.str(field, message)).done();
    reply(StatusCode::BAD_REQUEST, Obj::new().str("status", "error").raw("result", &result).done())
}

/// The key from `Authorization: Token <key>`, or the 401 message.
pub fn token_from(headers: &HeaderMap) -> Result<&str, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Err(NO_CREDENTIALS) };
    let Ok(value) = value.to_str() else { return Err(BAD_HEADER) };
    let mut words = value.split(' ').filter(|w| !w.is_empty());
    match (words.next(), words.next(), words.next()) {
        (None, _, _) => Err(NO_CREDENTIALS),
        (Some(scheme), Some(key), None) if scheme.eq_ignore_ascii_case("token") && !key.contains('\t') => Ok(key),
        _ => Err(BAD_HEADER),
    }
}

async fn authenticate(service: &Service, headers: &HeaderMap) -> Result<crate::service::Caller, Response> {
    let key = token_from(headers).map_err(unauthorized)?;
    match service.authenticate(key).await {
        Ok(caller) => Ok(caller),
        Err(ServiceError::Unauthenticated(_)) => Err(unauthorized(BAD_SIGNATURE)),
        Err(e) => Err(internal(e)),
    }
}

/// The body as a JSON object (an empty body is `{}`), or the 400/413 to send.
async fn read_object(body: Body) -> Result<Vec<(String, Value)>, Response> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        detail(StatusCode::PAYLOAD_TOO_LARGE, &format!("the body is larger than {MAX_BODY_BYTES} bytes"))
    })?;
    let bad = |message: String| field_errors(&vec![("body", message)]);
    let text = std::str::from_utf8(&bytes).map_err(|_| bad("the body is not UTF-8 text.".into()))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match json::parse(text) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(bad("the body must be a JSON object.".into())),
        Err(e) => Err(bad(format!("the body is not valid JSON: {e}."))),
    }
}

fn get<'a>(fields: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| **v != Value::Null)
}

/// A whole number ≥ 0, from a JSON number or a string of digits.
fn whole(value: Option<&Value>, name: &str) -> Result<Option<u64>, String> {
    match value {
        None => Ok(None),
        Some(Value::Number(t) | Value::String(t)) => {
            t.trim().parse::<u64>().map(Some).map_err(|_| format!("{name} must be a whole number, 0 or more."))
        }
        Some(_) => Err(format!("{name} must be a whole number, 0 or more.")),
    }
}

// ---------------------------------------------------------------------------- list

/// A checked list request.
#[derive(Debug, PartialEq)]
pub struct ListQuery {
    /// Creation times in `[from_ms, to_ms)`.
    pub from_ms: i64,
    pub to_ms: i64,
    pub offset: u64,
    /// Records to return (≤ [`MAX_RECORDS`]).
    pub count: u64,
}

impl ListQuery {
    fn from_json(fields: &[(String, Value)]) -> Result<ListQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut date = |name: &'static str| match get(fields, name) {
            None => {
                errors.push((name, format!("{name} not passed.")));
                None
            }
            Some(Value::String(s)) if parse_date(s.trim()).is_some() => parse_date(s.trim()),
            Some(_) => {
                errors.push((name, format!("{name} must be a date in the format dd.mm.yyyy.")));
                None
            }
        };
        let (start, end) = (date("start"), date("end"));
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            errors.push(("end", "end must be greater than or equal to start.".into()));
        }
        let offset = whole(get(fields, "offset"), "offset").unwrap_or_else(|m| {
            errors.push(("offset", m));
            Some(0)
        });
        let limit = whole(get(fields, "limit"), "limit").unwrap_or_else(|m| {
            errors.push(("limit", m));
            None
        });
        let offset = offset.unwrap_or(0).min(i64::MAX as u64 / 2);
        let count = match limit {
            None => DEFAULT_COUNT,
            Some(limit) if limit > offset => (limit - offset).min(MAX_RECORDS),
            Some(_) => {
                if !errors.iter().any(|(f, _)| *f == "offset") {
                    errors.push(("limit", "limit must be greater than offset.".into()));
                }
                0
            }
        };
        match (start, end) {
            (Some(s), Some(e)) if errors.is_empty() => {
                Ok(ListQuery { from_ms: s * DAY_MS, to_ms: (e + 1) * DAY_MS, offset, count })
            }
            _ => Err(errors),
        }
    }
}

async fn list(State(service): State<Arc<Service>>, headers: HeaderMap, body: Body) -> Response {
    let caller = match authenticate(&service, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let fields = match read_object(body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let query = match ListQuery::from_json(&fields) {
        Ok(q) => q,
        Err(errors) => return field_errors(&errors),
    };
    match page(&service.store, &caller.id, &query).await {
        Ok((rows, all_count)) => {
            let now = now_ms();
            let items: Vec<String> = rows.iter().map(|r| r.render(now, None)).collect();
            let body = Obj::new()
                .str("status", "success")
                .raw("result", &format!("[{}]", items.join(",")))
                .raw("all_count", &all_count.to_string())
                .done();
            reply(StatusCode::OK, body)
        }
        Err(e) => internal(e),
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT m.*, p.name AS project_name FROM merchant_invoices m ",
            "JOIN merchant_projects p ON p.id = m.project_id ",
            $tail
        )
    };
}

/// One page of the owner's invoices, and how many there are in the range.
pub async fn page(store: &Store, owner_id: &str, q: &ListQuery) -> Result<(Vec<Invoice>, u64), sqlx::Error> {
    let mut tx = store.read.begin().await?;
    let all: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM merchant_invoices WHERE owner_id = ? AND created_at >= ? AND created_at < ?",
    )
    .bind(owner_id)
    .bind(q.from_ms)
    .bind(q.to_ms)
    .fetch_one(&mut *tx)
    .await?;
    let rows = sqlx::query(select!(
        "WHERE m.owner_id = ? AND m.created_at >= ? AND m.created_at < ? \
         ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?"
    ))
    .bind(owner_id)
    .bind(q.from_ms)
    .bind(q.to_ms)
    .bind(q.count as i64)
    .bind(q.offset as i64)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let invoices = rows.iter().map(Invoice::from_row).collect::<Result<Vec<_>, _>>()?;
    Ok((invoices, all as u64))
}

// ---------------------------------------------------------------------------- invoices

/// A stored merchant invoice.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub uuid: String,
    pub created_at: i64,
    pub expiry_at: i64,
    pub finished_at: Option<i64>,
    pub status: String,
    pub test_mode: bool,
    pub order_id: String,
    pub email: String,
    pub fiat_currency: String,
    pub amount_in_fiat: Decimal,
    pub amount_usd: Decimal,
    pub coin: &'static Coin,
    pub usd_per_coin: Decimal,
    pub amount: Decimal,
    pub fee: Decimal,
    pub service_fee: Decimal,
    pub amount_paid: Decimal,
    pub project_id: i64,
    pub project_name: String,
}

fn dec_col(row: &SqliteRow, col: &str) -> Result<Decimal, sqlx::Error> {
    let text: String = row.try_get(col)?;
    Decimal::from_str(&text).map_err(|e| sqlx::Error::Decode(format!("{col}: {e}").into()))
}

impl Invoice {
    fn from_row(row: &SqliteRow) -> Result<Invoice, sqlx::Error> {
        let crypto: String = row.try_get("crypto")?;
        Ok(Invoice {
            uuid: row.try_get("uuid")?,
            created_at: row.try_get("created_at")?,
            expiry_at: row.try_get("expiry_at")?,
            finished_at: row.try_get("finished_at")?,
            status: row.try_get("status")?,
            test_mode: row.try_get("test_mode")?,
            order_id: row.try_get("order_id")?,
            email: row.try_get("email")?,
            fiat_currency: row.try_get("fiat_currency")?,
            amount_in_fiat: dec_col(row, "amount_in_fiat")?,
            amount_usd: dec_col(row, "amount_usd")?,
            coin: find_coin(&crypto).ok_or_else(|| sqlx::Error::Decode(format!("unknown coin {crypto}").into()))?,
            usd_per_coin: dec_col(row, "usd_per_coin")?,
            amount: dec_col(row, "amount")?,
            fee: dec_col(row, "fee")?,
            service_fee: dec_col(row, "service_fee")?,
            amount_paid: dec_col(row, "amount_paid")?,
            project_id: row.try_get("project_id")?,
            project_name: row.try_get("project_name")?,
        })
    }

    pub fn amount_to_pay(&self) -> Decimal {
        self.amount + self.fee
    }

    /// The status as of `now`: an unpaid invoice past its expiry is canceled.
    pub fn status_at(&self, now: i64) -> (&str, Option<i64>) {
        if self.status == "created" && self.expiry_at <= now {
            ("canceled", Some(self.expiry_at))
        } else {
            (self.status.as_str(), self.finished_at)
        }
    }

    pub fn received(&self) -> Decimal {
        (self.amount_paid - self.fee - self.service_fee).max(Decimal::ZERO)
    }

    pub fn to_surcharge(&self, status: &str) -> Decimal {
        if status == "partial" { (self.amount_to_pay() - self.amount_paid).max(Decimal::ZERO) } else { Decimal::ZERO }
    }

    fn usd(&self, coins: Decimal) -> Decimal {
        round(coins * self.usd_per_coin, 2)
    }

    /// The invoice object of the API (list entries; `link` is added on create).
    fn render(&self, now: i64, link: Option<&str>) -> String {
        let c = self.coin;
        let (status, finished) = self.status_at(now);
        let network = Obj::new()
            .str("code", c.network_code)
            .raw("id", &c.network_id.to_string())
            .str("fullname", c.network_name)
            .done();
        let currency = Obj::new()
            .raw("id", &c.id.to_string())
            .str("code", c.code)
            .str("fullcode", c.fullcode)
            .raw("network", &network)
            .str("name", c.name)
            .bool("is_email_required", false)
            .bool("stablecoin", c.stablecoin)
            .raw("order", &c.id.to_string())
            .done();
        let project = Obj::new()
            .raw("id", &self.project_id.to_string())
            .str("name", &self.project_name)
            .str("fail", "")
            .str("success", "")
            .str("logo", "None")
            .done();
        let to_pay = self.amount_to_pay();
        let (received, surcharge) = (self.received(), self.to_surcharge(status));
        let mut o = Obj::new()
            .str("uuid", &self.uuid)
            .str("created", &format_time(self.created_at))
            .str("address", "")
            .raw("currency", &currency)
            .opt_str("date_finished", finished.map(format_time).as_deref())
            .str("expiry_date", &format_time(self.expiry_at))
            .str("side_commission", "client")
            .str("side_commission_cc", "merchant")
            .str("type_payments", "crypto")
            .str("status", status)
            .bool("is_email_required", false)
            .raw("project", &project)
            .raw("tx_list", "[]")
            .bool("test_mode", self.test_mode)
            .str("type", "up")
            .str("user_email", &self.email)
            .str("pay_url", "None")
            .str("phone", "")
            .str("order_id", &self.order_id)
            .raw("amount_in_crypto", "null")
            .num("amount_in_fiat", self.amount_in_fiat)
            .str("fiat_currency", &self.fiat_currency)
            .num("amount", self.amount)
            .num("amount_usd", self.amount_usd)
            .num("amount_to_pay", to_pay)
            .num("amount_to_pay_usd", self.usd(to_pay))
            .num("amount_paid", self.amount_paid)
            .num("amount_paid_usd", self.usd(self.amount_paid))
            .num("fee", self.fee)
            .num("fee_usd", self.usd(self.fee))
            .num("service_fee", self.service_fee)
            .num("service_fee_usd", self.usd(self.service_fee))
            .num("received", received)
            .num("received_usd", self.usd(received))
            .num("to_surcharge", surcharge)
            .num("to_surcharge_usd", self.usd(surcharge));
        if let Some(link) = link {
            o = o.str("link", link);
        }
        o.done()
    }
}

/// What a new invoice is made of (from `/v2/invoice/create`, or the demo seeding).
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub shop_id: String,
    /// The project's name when the shop is new (default: the shop id).
    pub project_name: Option<String>,
    pub order_id: String,
    pub email: String,
    pub fiat_currency: String,
    pub amount_in_fiat: Decimal,
    pub coin: &'static Coin,
    pub lifetime_minutes: i64,
    pub test_mode: bool,
    pub created_at: i64,
}

/// `INV-` and 8 characters of [A-Z0-9].
fn new_uuid() -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random generator is available");
    let tail: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("INV-{tail}")
}

/// Stores a new `created` invoice; returns it.
pub async fn insert(store: &Store, rates: &Rates, owner_id: &str, new: &NewInvoice) -> Result<Invoice, String> {
    let per_usd = rates.currencies.get(&new.fiat_currency).ok_or("unsupported currency")?;
    let amount_usd = round(new.amount_in_fiat / per_usd, 2);
    let coin = new.coin;
    let usd_per_coin = dec(coin.usd);
    let amount = round(amount_usd / usd_per_coin, coin.scale);
    let fee = dec(coin.fee);
    let service_fee = round(amount * SERVICE_FEE_RATE, coin.scale);
    let expiry_at = new.created_at + new.lifetime_minutes * 60_000;
    let mut tx = store.write.begin().await.map_err(|e| e.to_string())?;
    let name = new.project_name.clone().unwrap_or_else(|| new.shop_id.clone());
    sqlx::query("INSERT OR IGNORE INTO merchant_projects (owner_id, shop_id, name) VALUES (?, ?, ?)")
        .bind(owner_id)
        .bind(&new.shop_id)
        .bind(&name)
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let project_id: i64 = sqlx::query_scalar("SELECT id FROM merchant_projects WHERE owner_id = ? AND shop_id = ?")
        .bind(owner_id)
        .bind(&new.shop_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let mut uuid = new_uuid();
    for attempt in 0.. {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM merchant_invoices WHERE uuid = ?")
            .bind(&uuid)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        if taken.is_none() || attempt > 8 {
            break;
        }
        uuid = new_uuid();
    }
    sqlx::query(
        "INSERT INTO merchant_invoices (uuid, owner_id, project_id, order_id, email, fiat_currency, amount_in_fiat, \
         amount_usd, crypto, usd_per_coin, amount, fee, service_fee, status, test_mode, created_at, expiry_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)",
    )
    .bind(&uuid)
    .bind(owner_id)
    .bind(project_id)
    .bind(&new.order_id)
    .bind(&new.email)
    .bind(&new.fiat_currency)
    .bind(new.amount_in_fiat.normalize().to_string())
    .bind(amount_usd.to_string())
    .bind(coin.fullcode)
    .bind(usd_per_coin.to_string())
    .bind(amount.to_string())
    .bind(fee.to_string())
    .bind(service_fee.to_string())
    .bind(new.test_mode)
    .bind(new.created_at)
    .bind(expiry_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    find(store, &uuid).await?.ok_or_else(|| "the new invoice was not found".into())
}

pub async fn find(store: &Store, uuid: &str) -> Result<Option<Invoice>, String> {
    let row = sqlx::query(select!("WHERE m.uuid = ?"))
        .bind(uuid)
        .fetch_optional(&store.write)
        .await
        .map_err(|e| e.to_string())?;
    row.as_ref().map(Invoice::from_row).transpose().map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------- create

fn create_request(fields: &[(String, Value)], rates: &Rates, now: i64) -> Result<NewInvoice, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut text = |name: &'static str, required: bool, max: usize| -> String {
        match get(fields, name) {
            None if required => errors.push((name, format!("{name} not passed."))),
            None => {}
            Some(Value::String(s)) if s.trim().is_empty() && required => {
                errors.push((name, format!("{name} not passed.")))
            }
            Some(Value::String(s)) if s.chars().count() > max => {
                errors.push((name, format!("{name} must be at most {max} characters.")))
            }
            Some(Value::String(s)) => return s.trim().to_string(),
            Some(Value::Number(n)) if n.len() <= max => return n.clone(),
            Some(_) => errors.push((name, format!("{name} must be a string."))),
        }
        String::new()
    };
    let shop_id = text("shop_id", true, 64);
    let order_id = text("order_id", false, 100);
    let email = text("email", false, 254);
    let currency = text("currency", false, 16).to_ascii_uppercase();
    if !email.is_empty() && !email.contains('@') {
        errors.push(("email", "email must be an e-mail address.".into()));
    }
    let fiat_currency = if currency.is_empty() { "USD".to_string() } else { currency };
    if !rates.currencies.contains_key(&fiat_currency) && !errors.iter().any(|(f, _)| *f == "currency") {
        errors.push(("currency", format!("currency {fiat_currency} is not supported.")));
    }
    let amount = match get(fields, "amount") {
        None => {
            errors.push(("amount", "amount not passed.".into()));
            Decimal::ZERO
        }
        Some(Value::Number(t) | Value::String(t)) => match json::exact(t.trim()) {
            Some(a) if a > Decimal::ZERO && a <= MAX_AMOUNT && a.normalize().scale() <= 8 => a.normalize(),
            _ => {
                errors.push((
                    "amount",
                    "amount must be a number above 0, at most 1000000000, with at most 8 decimals.".into(),
                ));
                Decimal::ZERO
            }
        },
        Some(_) => {
            errors.push(("amount", "amount must be a number.".into()));
            Decimal::ZERO
        }
    };
    let mut lifetime_minutes = DEFAULT_LIFETIME_MINUTES;
    let mut coin = &COINS[0];
    match get(fields, "add_fields") {
        None => {}
        Some(Value::Object(add)) => {
            match get(add, "time_to_pay") {
                None => {}
                Some(Value::Object(ttp)) => {
                    let hours = whole(get(ttp, "hours"), "hours");
                    let minutes = whole(get(ttp, "minutes"), "minutes");
                    match (hours, minutes) {
                        (Ok(h), Ok(m)) => {
                            let total = h.unwrap_or(0).min(1 << 40) as i64 * 60 + m.unwrap_or(0).min(1 << 40) as i64;
                            if (1..=MAX_LIFETIME_MINUTES).contains(&total) {
                                lifetime_minutes = total;
                            } else {
                                errors.push((
                                    "add_fields.time_to_pay",
                                    "time_to_pay must be between 1 minute and 720 hours.".into(),
                                ));
                            }
                        }
                        (Err(m), _) | (_, Err(m)) => errors.push(("add_fields.time_to_pay", m)),
                    }
                }
                Some(_) => errors.push(("add_fields.time_to_pay", "time_to_pay must be an object.".into())),
            }
            match get(add, "cryptocurrency") {
                None => {}
                Some(Value::String(code)) if find_coin(code.trim()).is_some() => {
                    coin = find_coin(code.trim()).expect("checked")
                }
                Some(_) => {
                    let known: Vec<&str> = COINS.iter().map(|c| c.fullcode).collect();
                    errors.push((
                        "add_fields.cryptocurrency",
                        format!("cryptocurrency must be one of {}.", known.join(", ")),
                    ))
                }
            }
        }
        Some(_) => errors.push(("add_fields", "add_fields must be an object.".into())),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewInvoice {
        shop_id,
        project_name: None,
        order_id,
        email,
        fiat_currency,
        amount_in_fiat: amount,
        coin,
        lifetime_minutes,
        test_mode: false,
        created_at: now,
    })
}

async fn create(State(service): State<Arc<Service>>, headers: HeaderMap, body: Body) -> Response {
    let caller = match authenticate(&service, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let fields = match read_object(body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let now = now_ms();
    let new = match create_request(&fields, &service.rates, now) {
        Ok(n) => n,
        Err(errors) => return field_errors(&errors),
    };
    match insert(&service.store, &service.rates, &caller.id, &new).await {
        Ok(invoice) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let link = format!("http://{host}/pay/{}", invoice.uuid.trim_start_matches("INV-"));
            let result = invoice.render(now, Some(&link));
            reply(StatusCode::OK, Obj::new().str("status", "success").raw("result", &result).done())
        }
        Err(e) => internal(e),
    }
}

// ---------------------------------------------------------------------------- admin

/// What was paid for an invoice to be in `status`, when not given: nothing for created,
/// the amount to pay for paid, 60% of it for partial, 110% for overpaid; canceled keeps
/// what was paid.
fn default_paid(invoice: &Invoice, status: &str) -> Decimal {
    let to_pay = invoice.amount_to_pay();
    let scale = invoice.coin.scale;
    match status {
        "paid" => to_pay,
        "partial" => round(to_pay * Decimal::new(6, 1), scale),
        "overpaid" => round(to_pay * Decimal::new(11, 1), scale),
        "canceled" => invoice.amount_paid,
        _ => Decimal::ZERO,
    }
}

/// Moves an invoice to `status` (an admin's or the demo's doing), with what was paid;
/// returns a line describing the result.
pub async fn set_status(store: &Store, uuid: &str, status: &str, paid: Option<Decimal>) -> Result<String, String> {
    set_status_at(store, uuid, status, paid, now_ms()).await
}

async fn set_status_at(
    store: &Store,
    uuid: &str,
    status: &str,
    paid: Option<Decimal>,
    at: i64,
) -> Result<String, String> {
    let status = STATUSES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(status))
        .ok_or_else(|| format!("unknown status {status:?}: one of {}", STATUSES.join(", ")))?;
    let invoice = find(store, uuid).await?.ok_or_else(|| format!("no merchant invoice {uuid}"))?;
    let paid = paid.unwrap_or_else(|| default_paid(&invoice, status));
    let to_pay = invoice.amount_to_pay();
    let fits = match *status {
        "created" => paid.is_zero(),
        "paid" => paid == to_pay,
        "partial" => paid > Decimal::ZERO && paid < to_pay,
        "overpaid" => paid > to_pay,
        _ => paid >= Decimal::ZERO && paid < to_pay,
    };
    if !fits || paid.scale() > invoice.coin.scale {
        return Err(format!(
            "{status} does not fit a payment of {paid} {} (amount to pay {to_pay}, at most {} decimals)",
            invoice.coin.code, invoice.coin.scale
        ));
    }
    let finished = matches!(*status, "paid" | "overpaid" | "canceled").then_some(at);
    sqlx::query("UPDATE merchant_invoices SET status = ?, amount_paid = ?, finished_at = ? WHERE uuid = ?")
        .bind(status)
        .bind(paid.normalize().to_string())
        .bind(finished)
        .bind(&invoice.uuid)
        .execute(&store.write)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("{}: {status}, paid {} {} of {to_pay}", invoice.uuid, paid.normalize(), invoice.coin.code))
}

/// Seeds `username`'s demo merchant invoices (every status, several coins and networks,
/// over the last 60 days), unless the user has some already. Returns how many were made.
pub async fn seed_for_user(store: &Store, rates: &Rates, username: &str) -> Result<usize, String> {
    let owner: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(&store.read)
        .await
        .map_err(|e| e.to_string())?;
    let owner = owner.ok_or_else(|| format!("no user {username}"))?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM merchant_invoices WHERE owner_id = ?")
        .bind(&owner)
        .fetch_one(&store.read)
        .await
        .map_err(|e| e.to_string())?;
    if existing > 0 {
        return Ok(0);
    }
    const PATTERN: [&str; 12] = [
        "paid", "created", "paid", "partial", "canceled", "paid", "overpaid", "paid", "canceled", "created", "paid",
        "partial",
    ];
    const SHOPS: [(&str, &str); 3] = [("GIFT-01", "Gift cards"), ("KEYS-02", "Game keys"), ("CONS-03", "Consulting")];
    const AMOUNTS: [&str; 9] = ["9.99", "25", "49.5", "100", "149", "250", "1200", "15.75", "75"];
    const FIATS: [&str; 5] = ["USD", "USD", "EUR", "USD", "RUB"];
    let now = now_ms();
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let total = 36;
    for i in 0..total {
        let status = PATTERN[i % PATTERN.len()];
        let (shop, name) = SHOPS[i % SHOPS.len()];
        let fiat = FIATS[i % FIATS.len()];
        let mut amount = dec(AMOUNTS[(i * 5 + 2) % AMOUNTS.len()]);
        if fiat == "RUB" {
            amount *= Decimal::from(90);
        }
        let created_at = if status == "created" {
            now - (i as i64 + 1) * 25 * 60_000 - next(600) as i64 * 1000
        } else {
            now - (1 + i as i64 * 58 / total as i64) * DAY_MS - next(20 * 3600) as i64 * 1000
        };
        let new = NewInvoice {
            shop_id: shop.into(),
            project_name: Some(name.into()),
            order_id: format!("ORD-{}", 1001 + i),
            email: if i % 3 == 0 { format!("buyer{}@example.com", i + 1) } else { String::new() },
            fiat_currency: fiat.into(),
            amount_in_fiat: amount,
            coin: &COINS[(i * 7 + i / 8) % COINS.len()],
            lifetime_minutes: DEFAULT_LIFETIME_MINUTES,
            test_mode: i % 11 == 5,
            created_at,
        };
        let invoice = insert(store, rates, &owner, &new).await?;
        if status != "created" {
            let at = if status == "canceled" { invoice.expiry_at } else { created_at + (5 + next(90) as i64) * 60_000 };
            set_status_at(store, &invoice.uuid, status, None, at).await?;
        }
    }
    Ok(total)
}

/// `--demo`: alice's merchant invoices, once.
pub async fn seed_demo(service: &Service) -> Result<(), ServiceError> {
    let made = seed_for_user(&service.store, &service.rates, crate::demo::DEMO_USERS[0].0)
        .await
        .map_err(ServiceError::Internal)?;
    if made > 0 {
        tracing::info!(made, "demo merchant invoices seeded");
    }
    Ok(())
}

// ---------------------------------------------------------------------------- JSON

/// A JSON object being written: keys in the order given, values as JSON text.
struct Obj(String);

impl Obj {
    fn new() -> Obj {
        Obj(String::from("{"))
    }

    fn raw(mut self, key: &str, value: &str) -> Obj {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        json::write_string(&mut self.0, key);
        self.0.push(':');
        self.0.push_str(value);
        self
    }

    fn str(self, key: &str, value: &str) -> Obj {
        let mut text = String::new();
        json::write_string(&mut text, value);
        self.raw(key, &text)
    }

    fn opt_str(self, key: &str, value: Option<&str>) -> Obj {
        match value {
            Some(v) => self.str(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn bool(self, key: &str, value: bool) -> Obj {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// Money as a JSON number, from its exact decimal text.
    fn num(self, key: &str, value: Decimal) -> Obj {
        self.raw(key, &value.normalize().to_string())
    }

    fn done(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schet_api::json::{Value, parse};

    #[test]
    fn dates() {
        assert_eq!(parse_date("01.01.1970"), Some(0));
        assert_eq!(parse_date("29.02.2024"), Some(days_from_civil(2024, 2, 29)));
        for bad in ["29.02.2023", "31.04.2024", "1.1.2024", "01-01-2024", "00.01.2024", "01.13.2024", "2024.01.01", ""]
        {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        for day in [-800_000, -1, 0, 1, 19_000, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(format_time(1_672_574_400_123), "2023-01-01 12:00:00.123000");
    }

    fn obj(text: &str) -> Vec<(String, Value)> {
        match parse(text).unwrap() {
            Value::Object(m) => m,
            _ => panic!(),
        }
    }

    #[test]
    fn list_query_rules() {
        let q = ListQuery::from_json(&obj(r#"{"start":"01.01.2023","end":"31.01.2023"}"#)).unwrap();
        assert_eq!((q.offset, q.count), (0, 10));
        assert_eq!(q.from_ms, days_from_civil(2023, 1, 1) * DAY_MS);
        assert_eq!(q.to_ms, days_from_civil(2023, 2, 1) * DAY_MS);
        let q = ListQuery::from_json(&obj(r#"{"start":"01.01.2023","end":"01.01.2023","offset":10,"limit":20}"#));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((10, 10)));
        let q = ListQuery::from_json(&obj(r#"{"start":"01.01.2023","end":"01.01.2023","offset":"5","limit":500}"#));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((5, 100)));
        let q = ListQuery::from_json(&obj(r#"{"start":"01.01.2023","end":"01.01.2023","offset":30}"#));
        assert_eq!(q.map(|q| (q.offset, q.count)), Ok((30, 10)));
        let e = ListQuery::from_json(&obj("{}")).unwrap_err();
        assert_eq!(e, vec![("start", "start not passed.".to_string()), ("end", "end not passed.".to_string())]);
        let e = ListQuery::from_json(&obj(r#"{"start":"02.01.2023","end":"01.01.2023","offset":-1,"limit":1.5}"#))
            .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["end", "offset", "limit"]);
        let e = ListQuery::from_json(&obj(r#"{"start":"01.01.2023","end":"01.01.2023","offset":5,"limit":5}"#));
        assert_eq!(e.unwrap_err(), vec![("limit", "limit must be greater than offset.".to_string())]);
    }

    #[test]
    fn auth_header_shapes() {
        let h = |v: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(v) = v {
                headers.insert(header::AUTHORIZATION, v.parse().unwrap());
            }
            token_from(&headers).map(str::to_string)
        };
        assert_eq!(h(None), Err(NO_CREDENTIALS));
        assert_eq!(h(Some("")), Err(NO_CREDENTIALS));
        assert_eq!(h(Some("Token abc")), Ok("abc".into()));
        assert_eq!(h(Some("token  abc ")), Ok("abc".into()));
        for bad in ["Token", "Bearer abc", "Token a b", "abc"] {
            assert_eq!(h(Some(bad)), Err(BAD_HEADER), "{bad}");
        }
    }
}
