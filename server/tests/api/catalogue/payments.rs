//! The catalogue's bad requests to paying, the payments, cancelling a payment and refunding.

use super::*;

/// The payment calls' cases, in the catalogue's order.
pub(super) fn cases(fx: &Fixture) -> Vec<Case> {
    let (public_id, pricey, payment) = (fx.public, fx.pricey, fx.payment);
    use Code::{FailedPrecondition as FP, InvalidArgument as IA, NotFound as NF, PermissionDenied as PD};
    vec![
        (
            "pay invoice 0",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: 0, pieces: 1, ..Default::default() },
                BUYER
            ))),
            IA,
            "InvoiceId",
        ),
        (
            "pay one's own invoice",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 1, ..Default::default() },
                SELLER
            ))),
            FP,
            "",
        ),
        (
            "pay zero pieces",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 0, ..Default::default() },
                BUYER
            ))),
            IA,
            "Pieces",
        ),
        (
            "pay more pieces than allowed",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 6, ..Default::default() },
                BUYER
            ))),
            IA,
            "Pieces",
        ),
        (
            "pay more secrets than are left",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: public_id, pieces: 2, ..Default::default() },
                BUYER
            ))),
            FP,
            "",
        ),
        (
            "pay beyond one's balance",
            call!(|c| c.pay_invoice_from_balance(req(
                pb::PayInvoiceFromBalanceRequest { invoice_id: pricey, pieces: 1, ..Default::default() },
                OTHER
            ))),
            FP,
            "",
        ),
        (
            "list more than 100 payments",
            call!(|c| c
                .get_invoice_payments(req(pb::GetInvoicePaymentsRequest { count: 101, ..Default::default() }, BUYER))),
            IA,
            "Count",
        ),
        (
            "cancel payment 0",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: 0 }, SELLER))),
            IA,
            "PaymentId",
        ),
        (
            "the buyer cancels",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: payment }, BUYER))),
            PD,
            "",
        ),
        (
            "cancel an unknown payment",
            call!(|c| c.cancel_invoice_payment(req(pb::CancelInvoicePaymentRequest { payment_id: 999_999 }, SELLER))),
            NF,
            "",
        ),
        (
            "refund zero pieces",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 0 }, SELLER))),
            IA,
            "Pieces",
        ),
        (
            "refund more than was bought",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 2 }, SELLER))),
            IA,
            "Pieces",
        ),
        (
            "a stranger refunds",
            call!(|c| c.create_refund(req(pb::CreateRefundRequest { payment_id: payment, pieces: 1 }, OTHER))),
            NF,
            "",
        ),
    ]
}
