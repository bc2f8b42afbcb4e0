//! Payments as each party sees them, read a page at a time: one query for the payments with
//! their buyers and invoices, one for their refund invoices, one for the goods of those that
//! fit in the reply: three queries whatever the page size.

use super::secrets::secret_from_row;
use super::{Caller, Result, Service, ServiceError};
use crate::db::{Conn, Row, q, timestamp};
use crate::sql_in;
use prost::Message;
use schet_api::pb::{self, invoice_payment::InvoicePaymentStatus};
use std::collections::HashMap;

/// A payment row: the payment (`p_…`), its buyer (`b_…`), how many secrets it bought and
/// their size at most, and its invoice ([`invoice_columns`]).
macro_rules! payment_columns {
    () => {
        concat!(
            "p.id AS p_id, p.pieces AS p_pieces, p.crypto_amount AS p_amount, p.status AS p_status,
    p.confirmation AS p_confirmation, p.is_refund AS p_is_refund, p.refunded AS p_refunded,
    p.refunding AS p_refunding, p.created_at AS p_created, p.webhook_detail AS p_webhook_detail, p.buyer_id AS p_buyer,
    b.username AS b_name, b.created_at AS b_created, b.last_online AS b_online,
    b.invoices_created AS b_ic, b.payments_payed AS b_pp, b.payments_received AS b_pr,
    (SELECT COUNT(*) FROM invoice_secrets s WHERE s.payment_id = p.id) AS p_secrets,
    (SELECT CAST(COALESCE(SUM(s.wire_bytes), 0) AS BIGINT) FROM invoice_secrets s WHERE s.payment_id = p.id)
      AS p_secret_bytes, ",
            invoice_columns!()
        )
    };
}

macro_rules! payment_tables {
    () => {
        concat!(
            " FROM payments p JOIN users b ON b.id = p.buyer_id JOIN invoices i ON i.id = p.invoice_id",
            invoice_users!()
        )
    };
}

pub(super) fn payment_not_found(id: u64) -> ServiceError {
    ServiceError::NotFound(format!("payment {id} was not found"))
}

/// How much of a payment to show.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// With its goods and refund invoices.
    Full,
    /// Without them (events, conversations): small whatever was bought.
    Summary,
    /// With its goods; a payment just made has no refund invoices to look for.
    New,
}

/// Payments read once, to be shown to one or more viewers.
pub(crate) struct Loaded {
    rows: Vec<Row>,
    refunds: HashMap<i64, Vec<Row>>,
    secrets: HashMap<i64, Vec<Row>>,
    detail: Detail,
}

impl Service {
    /// Reads payments `ids`. With `budget` (a list), only as many as fit in it in the
    /// viewer's eyes (at least one) get their goods read, and the rest are dropped: what does
    /// not fit follows on the next page.
    pub(crate) async fn load_payments(
        &self,
        c: &mut Conn,
        ids: &[i64],
        detail: Detail,
        budget: Option<(&Caller, usize)>,
    ) -> Result<Loaded> {
        let mut loaded = Loaded { rows: Vec::new(), refunds: HashMap::new(), secrets: HashMap::new(), detail };
        if ids.is_empty() {
            return Ok(loaded);
        }
        loaded.rows =
            q(sql_in!(["SELECT ", payment_columns!(), payment_tables!(), " WHERE p.id"] 1 [" ORDER BY p.id DESC"]))
                .bind(ids)
                .fetch_all(c)
                .await?;
        if detail == Detail::Summary {
            return Ok(loaded);
        }
        for row in if detail == Detail::New {
            Vec::new()
        } else {
            q(sql_in!(
                ["SELECT ", invoice_columns!(), " FROM invoices i", invoice_users!(), " WHERE i.refund_payment_id"] 1
                [" ORDER BY i.id"]
            ))
            .bind(ids)
            .fetch_all(c)
            .await?
        } {
            loaded.refunds.entry(row.get("refund_payment_id")?).or_default().push(row);
        }
        if let Some((viewer, budget)) = budget {
            // Cut where the next payment, with its goods at their largest, would pass the budget.
            let mut used = 0;
            let mut kept = 0;
            for row in &loaded.rows {
                let shell = self.payment_from(row, &loaded.refunds, None, viewer, detail)?;
                let goods: usize = row.get("p_secret_bytes")?;
                let count: usize = row.get("p_secrets")?;
                let redirect: String = row.get("redirect_url")?;
                let size = shell.encoded_len() + goods + count * (redirect.len() + 4) + 8;
                if kept > 0 && used + size > budget {
                    break;
                }
                used += size;
                kept += 1;
            }
            loaded.rows.truncate(kept);
        }
        let with_goods: Vec<i64> = loaded
            .rows
            .iter()
            .filter(|r| r.get::<i64>("p_secrets").is_ok_and(|n| n > 0))
            .map(|r| r.get("p_id"))
            .collect::<Result<_, _>>()?;
        if !with_goods.is_empty() {
            for row in q(sql_in!(["SELECT * FROM invoice_secrets WHERE payment_id"] 1 [" ORDER BY payment_id, id"]))
                .bind(&with_goods)
                .fetch_all(c)
                .await?
            {
                loaded.secrets.entry(row.get("payment_id")?).or_default().push(row);
            }
        }
        Ok(loaded)
    }

    /// The loaded payments as `viewer` sees them, newest first; with `parties_only`, those
    /// the viewer is not a party to are left out.
    pub(crate) fn show_payments(
        &self,
        loaded: &Loaded,
        viewer: &Caller,
        parties_only: bool,
    ) -> Result<Vec<pb::InvoicePayment>> {
        let mut out = Vec::with_capacity(loaded.rows.len());
        for row in &loaded.rows {
            let buyer: String = row.get("p_buyer")?;
            let seller: String = row.get("owner_id")?;
            if parties_only && viewer.id != buyer && viewer.id != seller {
                continue;
            }
            let id: i64 = row.get("p_id")?;
            out.push(self.payment_from(row, &loaded.refunds, loaded.secrets.get(&id), viewer, loaded.detail)?);
        }
        Ok(out)
    }

    /// One payment as `viewer` sees it (buyer or seller; `any_party`: anyone, for the
    /// service's own notices), with its goods and refunds.
    pub(crate) async fn payment_in(
        &self,
        c: &mut Conn,
        viewer: &Caller,
        id: i64,
        any_party: bool,
    ) -> Result<pb::InvoicePayment> {
        let loaded = self.load_payments(c, &[id], Detail::Full, None).await?;
        self.show_payments(&loaded, viewer, !any_party)?.pop().ok_or_else(|| payment_not_found(id as u64))
    }

    /// A payment from its row, for `viewer`.
    fn payment_from(
        &self,
        row: &Row,
        refunds: &HashMap<i64, Vec<Row>>,
        secrets: Option<&Vec<Row>>,
        viewer: &Caller,
        detail: Detail,
    ) -> Result<pb::InvoicePayment> {
        let id: i64 = row.get("p_id")?;
        let buyer: String = row.get("p_buyer")?;
        let seller: String = row.get("owner_id")?;
        let mut invoice = self.invoice_from_row(row, viewer)?;
        let status: i32 = row.get("p_status")?;
        // A purchase still in progress (its webhook not yet answered) has delivered nothing.
        let delivered = status != InvoicePaymentStatus::Pending as i32 || viewer.id == seller;
        // The redirect URL travels with the delivered goods: the buyer sees it in their
        // payment (the invoice alone shows it to its owner only).
        let redirect = match &invoice.integration {
            Some(pb::invoice::Integration::Redirect(_)) if delivered => row.get::<String>("redirect_url")?,
            _ => String::new(),
        };
        if viewer.id == buyer && !redirect.is_empty() {
            invoice.integration = Some(pb::invoice::Integration::Redirect(redirect.clone()));
        }
        let goods = match secrets {
            Some(rows) if delivered && detail != Detail::Summary => rows
                .iter()
                .map(|r| {
                    let mut s = secret_from_row(r, 1)?;
                    if s.url.is_empty() {
                        s.url = redirect.clone();
                    }
                    Ok(s)
                })
                .collect::<Result<Vec<_>>>()?,
            _ => Vec::new(),
        };
        let refunds = match refunds.get(&id) {
            Some(rows) if detail == Detail::Full => {
                rows.iter().map(|r| self.invoice_from_row(r, viewer)).collect::<Result<Vec<_>>>()?
            }
            _ => Vec::new(),
        };
        Ok(pb::InvoicePayment {
            id: id as u64,
            crypto_amount: super::pb_dec(row.get("p_amount")?)?,
            created_at: Some(timestamp(row.get("p_created")?)),
            confirmation: row.get("p_confirmation")?,
            owner: Some(self.user_info(row, "b", buyer)?),
            invoice: Some(invoice),
            status,
            pieces: row.get("p_pieces")?,
            is_refund: row.get("p_is_refund")?,
            refunds,
            refunded: row.get("p_refunded")?,
            refunding: row.get("p_refunding")?,
            secrets: goods,
            // What the seller's system answered is the seller's to read.
            webhook_detail: if viewer.id == seller { row.get("p_webhook_detail")? } else { String::new() },
        })
    }
}
