//! The two parties of a private invoice or a payment: what the recipient of a private invoice
//! may do with it (decline it), and what the other party hears when one of them acts.

use super::events::event;
use super::invoices::effective_status;
use super::{Caller, Result, Service, ServiceError};
use crate::db::{Conn, Row, now_ms};
use schet_api::pb::{self, event::EventType, invoice::InvoiceStatus};

/// Events for users, published once the transaction that made them is committed.
pub(crate) type Notices = Vec<(String, pb::Event)>;

impl Service {
    /// True when `caller` is the recipient (not the owner) of the private invoice `row` and
    /// may decline it: DeleteInvoice by its recipient, while it is not deleted, expired or
    /// paid (the caller checks "paid" as for the owner). False for anyone else, who must be
    /// the owner to delete it.
    pub(crate) fn declines(&self, caller: &Caller, row: &Row) -> Result<bool> {
        let owner: String = row.get("owner_id")?;
        let target: Option<String> = row.get("target_user_id")?;
        if caller.id == owner || target.as_deref() != Some(caller.id.as_str()) {
            return Ok(false);
        }
        let status = effective_status(row.get("status")?, row.get("valid_to")?, now_ms());
        if status == InvoiceStatus::Deleted as i32 {
            return Err(ServiceError::FailedPrecondition("the invoice is deleted or expired".into()));
        }
        Ok(true)
    }

    /// Who hears that the invoice `deleted` (its row after the deletion) is gone: the
    /// recipient when the owner deleted it, the owner when the recipient declined it.
    pub(crate) fn deletion_notices(&self, caller: &Caller, deleted: &Row) -> Result<Notices> {
        let owner: String = deleted.get("owner_id")?;
        let target: Option<String> = deleted.get("target_user_id")?;
        let other = if caller.id == owner { target } else { Some(owner) };
        let Some(other) = other else { return Ok(Vec::new()) };
        let view = self.invoice_from_row(deleted, &Caller { id: other.clone(), username: String::new() })?;
        Ok(vec![(other, event(EventType::InvoiceDeleted, Some(pb::event::Payload::Invoice(view))))])
    }

    /// What the party who did not ask for a refund hears: the payment, now with pieces in
    /// refund; a seller asked by the buyer also gets the refund invoice made out to them (it
    /// is theirs to pay). `refund` is the refund invoice's row.
    pub(crate) async fn refund_notices(
        &self,
        conn: &mut Conn,
        caller: &Caller,
        payment: &pb::InvoicePayment,
        refund: &Row,
    ) -> Result<Notices> {
        let seller = payment.invoice.as_ref().and_then(|i| i.owner.as_ref()).map(|o| o.id.clone()).unwrap_or_default();
        let buyer = payment.owner.as_ref().map(|o| o.id.clone()).unwrap_or_default();
        let other = Caller { id: if caller.id == seller { buyer } else { seller.clone() }, username: String::new() };
        let theirs = self.payment_in(conn, &other, payment.id as i64, false).await?;
        let mut out =
            vec![(other.id.clone(), event(EventType::PaymentUpdated, Some(pb::event::Payload::Payment(theirs))))];
        if other.id == seller {
            let invoice = self.invoice_from_row(refund, &other)?;
            out.push((other.id.clone(), event(EventType::InvoiceUpdated, Some(pb::event::Payload::Invoice(invoice)))));
        }
        Ok(out)
    }

    pub(crate) fn publish_all(&self, notices: Notices) {
        for (user, e) in notices {
            self.publish(&user, e);
        }
    }
}
