//! The catalogue's bad requests to the messages and conversations, and to the images.

use super::*;

/// The message and image calls' cases, in the catalogue's order; `other_id` is the third
/// user's id.
pub(super) fn cases(fx: &Fixture, other_id: String) -> Vec<Case> {
    let (public_id, private_id, payment) = (fx.public, fx.private, fx.payment);
    let unknown_guid = guid(77);
    use Code::{InvalidArgument as IA, NotFound as NF};
    vec![
        (
            "an empty message",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, ..Default::default() },
                BUYER
            ))),
            IA,
            "Text",
        ),
        (
            "too long a message",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "x".repeat(4001), ..Default::default() },
                BUYER
            ))),
            IA,
            "Text",
        ),
        (
            "a message with an unknown image",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: public_id,
                    text: "see".into(),
                    image_ids: vec![unknown_guid.clone()],
                    ..Default::default()
                },
                BUYER
            ))),
            IA,
            "ImageIds[0]",
        ),
        (
            "the seller writes to no one",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: public_id, text: "hi".into(), ..Default::default() },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "the seller writes to a ghost",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: public_id,
                    to_user_id: guid(3),
                    text: "hi".into(),
                    ..Default::default()
                },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "a stranger writes about a private invoice",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest { invoice_id: private_id, text: "hi".into(), ..Default::default() },
                OTHER
            ))),
            NF,
            "",
        ),
        (
            "a stranger writes about a payment",
            call!(|c| c.send_invoice_payment_message(req(
                pb::SendInvoicePaymentMessageRequest { payment_id: payment, text: "hi".into(), image_ids: vec![] },
                OTHER
            ))),
            NF,
            "",
        ),
        (
            "conversations by nothing",
            call!(|c| c.get_conversations_by_id(req(
                pb::GetConversationsByIdRequest { ids: None, ..Default::default() },
                BUYER
            ))),
            IA,
            "Ids",
        ),
        (
            "the seller writes on a private invoice to a third user",
            call!(|c| c.send_invoice_message(req(
                pb::SendInvoiceMessageRequest {
                    invoice_id: private_id,
                    to_user_id: other_id.clone(),
                    text: "hi".into(),
                    ..Default::default()
                },
                SELLER
            ))),
            IA,
            "ToUserId",
        ),
        (
            "store under a malformed GUID",
            call!(|c| c.store_image(req(pb::StoreImageRequest { id: "img-1".into(), data: png(4, 4) }, SELLER))),
            IA,
            "Id",
        ),
        (
            "store something that is not an image",
            call!(|c| c.store_image(req(
                pb::StoreImageRequest { id: guid(11), data: b"%PDF-1.7 not an image".to_vec() },
                SELLER
            ))),
            IA,
            "Data",
        ),
        (
            "store nothing",
            call!(|c| c.store_image(req(pb::StoreImageRequest { id: guid(12), data: vec![] }, SELLER))),
            IA,
            "Data",
        ),
        (
            "store a truncated PNG",
            call!(|c| c
                .store_image(req(pb::StoreImageRequest { id: guid(13), data: png(40, 40)[..60].to_vec() }, SELLER))),
            IA,
            "Data",
        ),
        (
            "read a malformed GUID",
            call!(|c| c.get_image(req(pb::GetImageRequest { id: "x".into(), is_preview: true }, SELLER))),
            IA,
            "Id",
        ),
        (
            "read an unknown image",
            call!(|c| c.get_image(req(pb::GetImageRequest { id: guid(14), is_preview: true }, SELLER))),
            NF,
            "",
        ),
    ]
}
