//! One payment as its buyer or seller deals with it: who I am in it, what may still be
//! refunded and for how much, whether it may be cancelled (the service's rule: only the
//! seller, only a paid payment, only without refunds), what a refund invoice's state means,
//! and whether the buyer got fewer secrets than the pieces they paid for.

use rust_decimal::Decimal;
use schet_api::pb::{self, invoice::InvoiceStatus, invoice_payment::InvoicePaymentStatus};
use schet_api::{decimal, limits};

/// My part in a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Buyer,
    Seller,
}

/// Who `me` (a user id) is in `p`; None when neither (the service never shows such a payment).
pub fn role(p: &pb::InvoicePayment, me: &str) -> Option<Role> {
    if me.is_empty() {
        return None;
    }
    if p.invoice.as_ref().and_then(|i| i.owner.as_ref()).is_some_and(|o| o.id == me) {
        Some(Role::Seller)
    } else if p.owner.as_ref().is_some_and(|o| o.id == me) {
        Some(Role::Buyer)
    } else {
        None
    }
}

fn is_paid(p: &pb::InvoicePayment) -> bool {
    p.status == InvoicePaymentStatus::Paid as i32
}

/// The payment's BTC amount (zero when malformed: nothing is derived from a bad amount).
pub fn amount(p: &pb::InvoicePayment) -> Decimal {
    decimal::from_pb_or_zero(p.crypto_amount.as_ref()).unwrap_or_default()
}

/// Pieces that may still be refunded: those neither refunded nor in refund, of a paid payment.
pub fn refundable(p: &pb::InvoicePayment) -> u32 {
    if is_paid(p) { p.pieces.saturating_sub(p.refunded.saturating_add(p.refunding)) } else { 0 }
}

/// What refunding `pieces` of `p` returns: their share of the amount, to the satoshi (as the
/// service prices the refund invoice).
pub fn refund_amount(p: &pb::InvoicePayment, pieces: u32) -> Decimal {
    if p.pieces == 0 {
        return Decimal::ZERO;
    }
    (amount(p) * Decimal::from(pieces) / Decimal::from(p.pieces)).round_dp(limits::BTC_SCALE).normalize()
}

/// Why a payment may not be cancelled by me, or that it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    Allowed,
    /// Only the seller returns the money.
    NotSeller,
    /// Cancelled already, or not paid.
    NotPaid,
    /// Refunds are under way or done: they are settled instead.
    RefundsOpen,
}

/// The service's rule of who may cancel `p`, for `me`.
pub fn may_cancel(p: &pb::InvoicePayment, me: &str) -> Cancel {
    if role(p, me) != Some(Role::Seller) {
        Cancel::NotSeller
    } else if !is_paid(p) {
        Cancel::NotPaid
    } else if p.refunded > 0 || p.refunding > 0 {
        Cancel::RefundsOpen
    } else {
        Cancel::Allowed
    }
}

/// A refund invoice's state, as the payment's parties see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundState {
    /// Issued; the seller has not paid it yet.
    Awaiting,
    /// Paid: the money went back to the buyer.
    Refunded,
    /// Deleted (or expired) before it was paid: that refund was cancelled.
    Cancelled,
}

pub fn refund_state(refund: &pb::Invoice) -> RefundState {
    match InvoiceStatus::try_from(refund.status) {
        Ok(InvoiceStatus::Payed) => RefundState::Refunded,
        Ok(InvoiceStatus::Deleted) => RefundState::Cancelled,
        _ => RefundState::Awaiting,
    }
}

/// The pieces a refund invoice is for (it is sold whole: its PiecesMax).
pub fn refund_pieces(refund: &pb::Invoice) -> u32 {
    refund.pieces_max
}

/// A refund invoice's amount: its BTC price.
pub fn refund_invoice_amount(refund: &pb::Invoice) -> Decimal {
    decimal::from_pb_or_zero(refund.price.as_ref()).unwrap_or_default()
}

/// Where the goods are collected, when the invoice delivers them at an address.
pub fn redirect(p: &pb::InvoicePayment) -> Option<&str> {
    p.secrets.iter().map(|s| s.url.as_str()).find(|u| !u.is_empty()).or_else(|| {
        match p.invoice.as_ref().and_then(|i| i.integration.as_ref()) {
            Some(pb::invoice::Integration::Redirect(u)) if !u.is_empty() => Some(u.as_str()),
            _ => None,
        }
    })
}

/// Fewer secrets than pieces in a paid payment, when the goods are not collected at an
/// address: (secrets received, pieces paid for).
pub fn shortfall(p: &pb::InvoicePayment) -> Option<(u32, u32)> {
    let got = u32::try_from(p.secrets.len()).unwrap_or(u32::MAX);
    (is_paid(p) && got < p.pieces && redirect(p).is_none()).then_some((got, p.pieces))
}

/// The pieces I still hold of what I bought: paid payments' pieces less those refunded.
pub fn pieces_kept(payments: &[pb::InvoicePayment]) -> u32 {
    payments.iter().filter(|p| is_paid(p)).map(|p| p.pieces.saturating_sub(p.refunded)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn user(id: &str) -> Option<pb::UserInfo> {
        Some(pb::UserInfo { id: id.into(), username: id.into(), ..Default::default() })
    }

    fn payment(pieces: u32, refunded: u32, refunding: u32) -> pb::InvoicePayment {
        pb::InvoicePayment {
            id: 7,
            crypto_amount: Some(pb::Decimal { units: 0, nanos: 300_000 }),
            owner: user("b"),
            invoice: Some(pb::Invoice { id: 3, owner: user("s"), ..Default::default() }),
            status: InvoicePaymentStatus::Paid as i32,
            pieces,
            refunded,
            refunding,
            ..Default::default()
        }
    }

    #[test]
    fn parties_are_told_apart() {
        let p = payment(3, 0, 0);
        assert_eq!(role(&p, "s"), Some(Role::Seller));
        assert_eq!(role(&p, "b"), Some(Role::Buyer));
        assert_eq!(role(&p, "x"), None);
        assert_eq!(role(&p, ""), None);
    }

    #[test]
    fn refunds_are_bounded_by_what_is_left_and_priced_by_share() {
        assert_eq!(refundable(&payment(3, 0, 0)), 3);
        assert_eq!(refundable(&payment(3, 1, 1)), 1);
        assert_eq!(refundable(&payment(3, 2, 2)), 0, "never below zero");
        let cancelled = pb::InvoicePayment { status: InvoicePaymentStatus::Canceled as i32, ..payment(3, 0, 0) };
        assert_eq!(refundable(&cancelled), 0);
        assert_eq!(refund_amount(&payment(3, 0, 0), 2).to_string(), "0.0002");
        let odd = pb::InvoicePayment { crypto_amount: Some(pb::Decimal { units: 0, nanos: 100 }), ..payment(3, 0, 0) };
        assert_eq!(refund_amount(&odd, 1).to_string(), "0.00000003", "to the satoshi");
        assert_eq!(refund_amount(&payment(0, 0, 0), 1), Decimal::ZERO);
    }

    #[test]
    fn only_the_seller_cancels_a_paid_payment_without_refunds() {
        assert_eq!(may_cancel(&payment(3, 0, 0), "s"), Cancel::Allowed);
        assert_eq!(may_cancel(&payment(3, 0, 0), "b"), Cancel::NotSeller);
        assert_eq!(may_cancel(&payment(3, 0, 1), "s"), Cancel::RefundsOpen);
        assert_eq!(may_cancel(&payment(3, 1, 0), "s"), Cancel::RefundsOpen);
        let cancelled = pb::InvoicePayment { status: InvoicePaymentStatus::Canceled as i32, ..payment(3, 0, 0) };
        assert_eq!(may_cancel(&cancelled, "s"), Cancel::NotPaid);
    }

    #[test]
    fn a_refund_invoice_reads_as_awaiting_refunded_or_cancelled() {
        let inv = |s: InvoiceStatus| pb::Invoice { status: s as i32, pieces_max: 2, ..Default::default() };
        assert_eq!(refund_state(&inv(InvoiceStatus::Active)), RefundState::Awaiting);
        assert_eq!(refund_state(&inv(InvoiceStatus::Payed)), RefundState::Refunded);
        assert_eq!(refund_state(&inv(InvoiceStatus::Deleted)), RefundState::Cancelled);
        assert_eq!(refund_pieces(&inv(InvoiceStatus::Active)), 2);
    }

    #[test]
    fn a_shortfall_is_fewer_secrets_than_pieces_unless_collected_at_an_address() {
        let secret = |url: &str| pb::InvoiceSecret { text: "k".into(), url: url.into(), ..Default::default() };
        let mut p = payment(3, 0, 0);
        assert_eq!(shortfall(&p), Some((0, 3)));
        p.secrets = vec![secret(""), secret("")];
        assert_eq!(shortfall(&p), Some((2, 3)));
        p.secrets.push(secret(""));
        assert_eq!(shortfall(&p), None);
        let mut at = payment(2, 0, 0);
        at.secrets = vec![secret("https://shop.example/get")];
        assert_eq!(shortfall(&at), None);
        assert_eq!(redirect(&at), Some("https://shop.example/get"));
        let mut r = payment(2, 0, 0);
        r.invoice.as_mut().unwrap().integration = Some(pb::invoice::Integration::Redirect("https://x.example".into()));
        assert_eq!((shortfall(&r), redirect(&r)), (None, Some("https://x.example")));
        let cancelled = pb::InvoicePayment { status: InvoicePaymentStatus::Canceled as i32, ..payment(3, 0, 0) };
        assert_eq!(shortfall(&cancelled), None);
    }

    #[test]
    fn pieces_kept_leave_out_refunds_and_cancellations() {
        let cancelled = pb::InvoicePayment { status: InvoicePaymentStatus::Canceled as i32, ..payment(4, 0, 0) };
        assert_eq!(pieces_kept(&[payment(3, 2, 0), payment(1, 0, 1), cancelled]), 2);
    }

    proptest! {
        /// Refunding everything that is left never asks more than was paid (amounts in satoshi).
        #[test]
        fn refunds_never_exceed_the_payment(pieces in 1u32..1000, done in 0u32..1000, sats in 1i32..99_999_999) {
            let done = done.min(pieces);
            let paid = Some(pb::Decimal { units: 0, nanos: sats * 10 });
            let p = pb::InvoicePayment { crypto_amount: paid, ..payment(pieces, done, 0) };
            let left = refundable(&p);
            prop_assert_eq!(left, pieces - done);
            prop_assert!(refund_amount(&p, left) <= amount(&p));
        }
    }
}
