//! Merchant invoices (CryptoCloud-style, seed 002): pricing and storage. The HTTP side is
//! `crate::merchant`; the contract (requests, answers, rules) is `schet_api::merchant`.
//!
//! Money is exact (`rust_decimal`, stored as text). `amount`, `amount_to_pay`, `amount_paid`,
//! `fee`, `service_fee`, `received`, `to_surcharge` are in the invoice's coin; each `_usd`
//! twin is that times the coin's USD price fixed at creation, to the cent; `amount_usd`
//! comes from the creation currency's rate (`rates.rs`). The client pays the transfer fee
//! (`amount_to_pay = amount + fee`), the merchant the 1.9% service fee
//! (`received = amount_paid - fee - service_fee`, not below 0); `to_surcharge` is what a
//! `partial` invoice still lacks. A `created` invoice past its expiry reads as `canceled`.
//! The reference service has no payment page: statuses move with
//! `schet-server merchant set-status` (and the demo seeding).

use super::coins::{COINS, Coin, default_coin, find_coin};
use super::{Result, Service, ServiceError, random_bytes};
use crate::db::{Row, now_ms, q};
use crate::sql;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_decimal_macros::dec;
use schet_api::dates::format_time;
use schet_api::merchant::{self as api, Accepts, ListQuery, Status};

/// The service fee, paid by the merchant: this share of the amount.
const SERVICE_FEE_RATE: Decimal = dec!(0.019);

fn round(value: Decimal, scale: u32) -> Decimal {
    value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero).normalize()
}

/// A stored merchant invoice.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub uuid: String,
    pub created_at: i64,
    pub expiry_at: i64,
    pub finished_at: Option<i64>,
    pub status: Status,
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

/// What a new invoice is made of: a checked create request, or the demo's data.
#[derive(Debug, Clone)]
pub struct Draft {
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

impl Draft {
    /// A checked `/v2/invoice/create` request, made now.
    pub fn from_request(new: api::NewInvoice, now: i64) -> Draft {
        Draft {
            shop_id: new.shop_id,
            project_name: None,
            order_id: new.order_id,
            email: new.email,
            fiat_currency: new.currency,
            amount_in_fiat: new.amount,
            coin: new.cryptocurrency.as_deref().and_then(find_coin).unwrap_or_else(default_coin),
            lifetime_minutes: new.lifetime_minutes,
            test_mode: false,
            created_at: now,
        }
    }
}

impl Invoice {
    fn from_row(row: &Row) -> Result<Invoice> {
        let crypto: String = row.get("crypto")?;
        let status: String = row.get("status")?;
        Ok(Invoice {
            uuid: row.get("uuid")?,
            created_at: row.get("created_at")?,
            expiry_at: row.get("expiry_at")?,
            finished_at: row.get("finished_at")?,
            status: Status::parse(&status)
                .ok_or_else(|| ServiceError::Internal(format!("merchant status {status:?}")))?,
            test_mode: row.get("test_mode")?,
            order_id: row.get("order_id")?,
            email: row.get("email")?,
            fiat_currency: row.get("fiat_currency")?,
            amount_in_fiat: row.get("amount_in_fiat")?,
            amount_usd: row.get("amount_usd")?,
            coin: find_coin(&crypto).ok_or_else(|| ServiceError::Internal(format!("unknown coin {crypto}")))?,
            usd_per_coin: row.get("usd_per_coin")?,
            amount: row.get("amount")?,
            fee: row.get("fee")?,
            service_fee: row.get("service_fee")?,
            amount_paid: row.get("amount_paid")?,
            project_id: row.get("project_id")?,
            project_name: row.get("project_name")?,
        })
    }

    pub fn amount_to_pay(&self) -> Decimal {
        self.amount + self.fee
    }

    /// The status as of `now`: an unpaid invoice past its expiry is canceled.
    pub fn status_at(&self, now: i64) -> (Status, Option<i64>) {
        if self.status == Status::Created && self.expiry_at <= now {
            (Status::Canceled, Some(self.expiry_at))
        } else {
            (self.status, self.finished_at)
        }
    }

    pub fn received(&self) -> Decimal {
        (self.amount_paid - self.fee - self.service_fee).max(Decimal::ZERO)
    }

    pub fn to_surcharge(&self, status: Status) -> Decimal {
        if status == Status::Partial {
            (self.amount_to_pay() - self.amount_paid).max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        }
    }

    fn usd(&self, coins: Decimal) -> Decimal {
        round(coins * self.usd_per_coin, 2)
    }

    /// The invoice object of the API as of `now` (`link` only in the create answer).
    pub fn to_api(&self, now: i64, link: Option<String>) -> api::Invoice {
        let c = self.coin;
        let (status, finished) = self.status_at(now);
        let to_pay = self.amount_to_pay();
        let (received, surcharge) = (self.received(), self.to_surcharge(status));
        api::Invoice {
            uuid: self.uuid.clone(),
            created: format_time(self.created_at),
            address: String::new(),
            currency: api::Currency {
                id: c.id,
                code: c.code.into(),
                fullcode: c.fullcode.into(),
                network: api::Network {
                    code: c.network_code.into(),
                    id: c.network_id,
                    fullname: c.network_name.into(),
                },
                name: c.name.into(),
                is_email_required: false,
                stablecoin: c.stablecoin,
                order: c.id,
            },
            date_finished: finished.map(format_time),
            expiry_date: format_time(self.expiry_at),
            side_commission: "client".into(),
            side_commission_cc: "merchant".into(),
            type_payments: "crypto".into(),
            status,
            is_email_required: false,
            project: api::Project {
                id: self.project_id,
                name: self.project_name.clone(),
                fail: String::new(),
                success: String::new(),
                logo: "None".into(),
            },
            tx_list: Vec::new(),
            test_mode: self.test_mode,
            kind: "up".into(),
            user_email: self.email.clone(),
            pay_url: "None".into(),
            phone: String::new(),
            order_id: self.order_id.clone(),
            amount_in_crypto: None,
            amount_in_fiat: self.amount_in_fiat,
            fiat_currency: self.fiat_currency.clone(),
            amount: self.amount,
            amount_usd: self.amount_usd,
            amount_to_pay: to_pay,
            amount_to_pay_usd: self.usd(to_pay),
            amount_paid: self.amount_paid,
            amount_paid_usd: self.usd(self.amount_paid),
            fee: self.fee,
            fee_usd: self.usd(self.fee),
            service_fee: self.service_fee,
            service_fee_usd: self.usd(self.service_fee),
            received,
            received_usd: self.usd(received),
            to_surcharge: surcharge,
            to_surcharge_usd: self.usd(surcharge),
            link,
        }
    }

    /// What was paid for an invoice to be in `status`, when not given: nothing for created,
    /// the amount to pay for paid, 60% of it for partial, 110% for overpaid; canceled keeps
    /// what was paid.
    fn default_paid(&self, status: Status) -> Decimal {
        let to_pay = self.amount_to_pay();
        match status {
            Status::Paid => to_pay,
            Status::Partial => round(to_pay * dec!(0.6), self.coin.scale),
            Status::Overpaid => round(to_pay * dec!(1.1), self.coin.scale),
            Status::Canceled => self.amount_paid,
            Status::Created | Status::Other => Decimal::ZERO,
        }
    }
}

/// `INV-` and 8 characters of [A-Z0-9].
fn new_uuid() -> String {
    const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = random_bytes::<8>().iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("INV-{tail}")
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

/// The merchant side of the service: `service.merchant()`.
pub struct Merchant<'a>(&'a Service);

impl Service {
    pub fn merchant(&self) -> Merchant<'_> {
        Merchant(self)
    }
}

/// The currencies this service has a rate for, and the coins it takes.
impl Accepts for Merchant<'_> {
    fn currency(&self, code: &str) -> bool {
        self.0.rates.currencies.contains_key(code)
    }

    fn cryptocurrencies(&self) -> Vec<String> {
        COINS.iter().map(|c| c.fullcode.to_string()).collect()
    }
}

impl Merchant<'_> {
    /// One page of the owner's invoices, and how many there are in the range.
    pub async fn page(&self, owner_id: &str, q: &ListQuery) -> Result<(Vec<Invoice>, u64)> {
        let query = q;
        let mut tx = self.0.store.snapshot().await?;
        let all: i64 = crate::db::q(sql!(
            "SELECT COUNT(*) FROM merchant_invoices WHERE owner_id = $1 AND created_at >= $2 AND created_at < $3"
        ))
        .bind(owner_id)
        .bind(query.from_ms)
        .bind(query.to_ms)
        .scalar(&mut tx)
        .await?;
        let rows = crate::db::q(sql!(select!(
            "WHERE m.owner_id = $1 AND m.created_at >= $2 AND m.created_at < $3 \
             ORDER BY m.created_at DESC, m.id DESC LIMIT $4 OFFSET $5"
        )))
        .bind(owner_id)
        .bind(query.from_ms)
        .bind(query.to_ms)
        .bind(query.count as i64)
        .bind(query.offset as i64)
        .fetch_all(&mut tx)
        .await?;
        tx.commit().await?;
        let invoices = rows.iter().map(Invoice::from_row).collect::<Result<Vec<_>>>()?;
        Ok((invoices, all as u64))
    }

    /// Stores a new `created` invoice, priced now; returns it.
    pub async fn create(&self, owner_id: &str, new: &Draft) -> Result<Invoice> {
        let rates = &self.0.rates;
        let per_usd = rates.currencies.get(&new.fiat_currency).ok_or_else(|| {
            ServiceError::FailedPrecondition(format!("currency {} is not supported", new.fiat_currency))
        })?;
        let amount_usd = round(new.amount_in_fiat / per_usd, 2);
        let coin = new.coin;
        let amount = round(amount_usd / coin.usd, coin.scale);
        let service_fee = round(amount * SERVICE_FEE_RATE, coin.scale);
        let expiry_at = new.created_at + new.lifetime_minutes * 60_000;
        let mut tx = self.0.store.begin().await?;
        let name = new.project_name.clone().unwrap_or_else(|| new.shop_id.clone());
        q(sql!("INSERT INTO merchant_projects (owner_id, shop_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"))
            .bind(owner_id)
            .bind(&new.shop_id)
            .bind(&name)
            .execute(&mut tx)
            .await?;
        let project_id: i64 = q(sql!("SELECT id FROM merchant_projects WHERE owner_id = $1 AND shop_id = $2"))
            .bind(owner_id)
            .bind(&new.shop_id)
            .scalar(&mut tx)
            .await?;
        let mut uuid = new_uuid();
        for attempt in 0.. {
            let taken: Option<i64> =
                q(sql!("SELECT id FROM merchant_invoices WHERE uuid = $1")).bind(&uuid).scalar_opt(&mut tx).await?;
            if taken.is_none() || attempt > 8 {
                break;
            }
            uuid = new_uuid();
        }
        let id: i64 = q(sql!(
            "INSERT INTO merchant_invoices (uuid, owner_id, project_id, order_id, email, fiat_currency, amount_in_fiat, \
             amount_usd, crypto, usd_per_coin, amount, fee, service_fee, status, test_mode, created_at, expiry_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'created', $14, $15, $16) RETURNING id"
        ))
        .bind(&uuid)
        .bind(owner_id)
        .bind(project_id)
        .bind(&new.order_id)
        .bind(&new.email)
        .bind(&new.fiat_currency)
        .bind(new.amount_in_fiat.normalize())
        .bind(amount_usd)
        .bind(coin.fullcode)
        .bind(coin.usd.normalize())
        .bind(amount)
        .bind(coin.fee.normalize())
        .bind(service_fee)
        .bind(new.test_mode)
        .bind(new.created_at)
        .bind(expiry_at)
        .scalar(&mut tx)
        .await?;
        let row = q(sql!(select!("WHERE m.id = $1"))).bind(id).fetch_one(&mut tx).await?;
        let invoice = Invoice::from_row(&row)?;
        tx.commit().await?;
        Ok(invoice)
    }

    pub async fn find(&self, uuid: &str) -> Result<Option<Invoice>> {
        let mut conn = self.0.store.read().await?;
        let row = q(sql!(select!("WHERE m.uuid = $1"))).bind(uuid).fetch_optional(&mut conn).await?;
        row.as_ref().map(Invoice::from_row).transpose()
    }

    /// How many invoices `owner_id` has.
    pub async fn count(&self, owner_id: &str) -> Result<u64> {
        let mut conn = self.0.store.read().await?;
        let n: i64 = q(sql!("SELECT COUNT(*) FROM merchant_invoices WHERE owner_id = $1"))
            .bind(owner_id)
            .scalar(&mut conn)
            .await?;
        Ok(n as u64)
    }

    /// Moves an invoice to `status` (an admin's or the demo's doing) at time `at`, with what
    /// was paid (None: what the status implies); returns a line describing the result.
    pub async fn set_status(&self, uuid: &str, status: Status, paid: Option<Decimal>, at: i64) -> Result<String> {
        if status == Status::Other {
            return Err(ServiceError::FailedPrecondition(format!(
                "unknown status: one of {}",
                Status::ALL.map(Status::as_str).join(", ")
            )));
        }
        let invoice =
            self.find(uuid).await?.ok_or_else(|| ServiceError::NotFound(format!("no merchant invoice {uuid}")))?;
        let paid = paid.unwrap_or_else(|| invoice.default_paid(status));
        let to_pay = invoice.amount_to_pay();
        let fits = match status {
            Status::Created => paid.is_zero(),
            Status::Paid => paid == to_pay,
            Status::Partial => paid > Decimal::ZERO && paid < to_pay,
            Status::Overpaid => paid > to_pay,
            Status::Canceled | Status::Other => paid >= Decimal::ZERO && paid < to_pay,
        };
        if !fits || paid.scale() > invoice.coin.scale {
            return Err(ServiceError::FailedPrecondition(format!(
                "{status} does not fit a payment of {paid} {} (amount to pay {to_pay}, at most {} decimals)",
                invoice.coin.code, invoice.coin.scale
            )));
        }
        let finished = matches!(status, Status::Paid | Status::Overpaid | Status::Canceled).then_some(at);
        let mut tx = self.0.store.begin().await?;
        q(sql!("UPDATE merchant_invoices SET status = $1, amount_paid = $2, finished_at = $3 WHERE uuid = $4"))
            .bind(status.as_str())
            .bind(paid.normalize())
            .bind(finished)
            .bind(&invoice.uuid)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(format!("{}: {status}, paid {} {} of {to_pay}", invoice.uuid, paid.normalize(), invoice.coin.code))
    }

    /// [`Merchant::set_status`] now.
    pub async fn set_status_now(&self, uuid: &str, status: Status, paid: Option<Decimal>) -> Result<String> {
        self.set_status(uuid, status, paid, now_ms()).await
    }
}
