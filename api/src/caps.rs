//! Every list and every string of every request has a cap, checked here once: by the app
//! before it sends, by the service before anything else. Nothing a client sends, however
//! large a message it manages to encode, makes the service do unbounded work (a query with
//! 32,700 statuses, a lookup by an 8 MB name). The field rules (`validate`) come after, on
//! requests that fit; where both bound the same field they say the same thing.

use crate::rule::Rule;
use crate::validate::FieldError;
use crate::{limits, pb};

/// The caps of one request.
pub trait Capped {
    /// The first field over its cap.
    fn caps(&self) -> Result<(), FieldError>;
}

/// Longest a GUID field may be (a GUID is 36; spaces and braces aside).
pub const GUID_FIELD_MAX: usize = 64;
/// Longest a user id may be (a GUID).
pub const USER_ID_MAX: usize = 64;
/// Longest a fiat currency code may be, even where it is ignored (a code is 3 letters).
pub const CURRENCY_FIELD_MAX: usize = 16;
/// Longest a rate variable's name may be.
pub const VARIABLE_MAX: usize = 64;

/// At most `max` characters (the text's count, as the rule that shows it counts), and no
/// NUL: no store keeps one in text (PostgreSQL refuses it), and no field needs it.
fn chars(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.as_bytes().contains(&0) {
        return Err(FieldError::new(field, Rule::ControlChars));
    }
    // Bytes are at least as many as characters: most values need no counting.
    if value.len() <= max {
        return Ok(());
    }
    let has = value.chars().count();
    if has > max {
        return Err(FieldError::new(field, Rule::TooLong { max: max as u64, has: has as u64 }));
    }
    Ok(())
}

/// At most `max` bytes of PEM text, without NUL.
fn pem(field: &str, value: &str) -> Result<(), FieldError> {
    if value.as_bytes().contains(&0) {
        return Err(FieldError::new(field, Rule::ControlChars));
    }
    if value.len() > limits::PEM_MAX {
        return Err(FieldError::new(field, Rule::KibMax { max: (limits::PEM_MAX / 1024) as u64 }));
    }
    Ok(())
}

/// At most [`limits::IMAGES_MAX`] image GUIDs, each of a GUID's length.
fn images(field: &str, ids: &[String]) -> Result<(), FieldError> {
    if ids.len() > limits::IMAGES_MAX {
        return Err(FieldError::new(
            field,
            Rule::TooManyImages { max: limits::IMAGES_MAX as u64, has: ids.len() as u64 },
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        chars(&format!("{field}[{i}]"), id, GUID_FIELD_MAX)?;
    }
    Ok(())
}

fn list(field: &str, len: usize, max: usize) -> Result<(), FieldError> {
    if len > max {
        return Err(FieldError::new(field, Rule::TooManyItems { max: max as u64, has: len as u64 }));
    }
    Ok(())
}

fn webhook(w: &pb::Webhook) -> Result<(), FieldError> {
    chars("Webhook.Url", &w.url, limits::URL_MAX)?;
    pem("Webhook.ClientCrt", &w.client_crt)?;
    pem("Webhook.ClientKey", &w.client_key)?;
    pem("Webhook.ServerCrt", &w.server_crt)
}

/// The price, comment, pieces and images every invoice request has.
fn invoice(fiat: &str, variable: &str, comment: &str, images_field: &[String]) -> Result<(), FieldError> {
    chars("FiatCurrency", fiat, CURRENCY_FIELD_MAX)?;
    chars("PriceVariable", variable, VARIABLE_MAX)?;
    chars("Comment", comment, limits::COMMENT_MAX)?;
    images("Images", images_field)
}

impl Capped for pb::CreateInvoiceRequest {
    fn caps(&self) -> Result<(), FieldError> {
        use pb::create_invoice_request::Integration;
        chars("UserName", &self.user_name, limits::USERNAME_MAX)?;
        invoice(&self.fiat_currency, &self.price_variable, &self.comment, &self.images)?;
        if self.secrets.len() > limits::INITIAL_SECRETS_MAX {
            return Err(FieldError::new("Secrets", Rule::TooManySecrets { max: limits::INITIAL_SECRETS_MAX as u64 }));
        }
        for (i, s) in self.secrets.iter().enumerate() {
            chars(&format!("Secrets[{i}].Text"), &s.text, limits::SECRET_TEXT_MAX)?;
            images(&format!("Secrets[{i}].Images"), &s.images)?;
        }
        match &self.integration {
            Some(Integration::Redirect(url)) => chars("Redirect", url, limits::URL_MAX),
            Some(Integration::Webhook(w)) => webhook(w),
            None | Some(Integration::NoIntegration(_)) => Ok(()),
        }
    }
}

impl Capped for pb::UpdatePublicInvoiceRequest {
    fn caps(&self) -> Result<(), FieldError> {
        use pb::update_public_invoice_request::Integration;
        invoice(&self.fiat_currency, &self.price_variable, &self.comment, &self.images)?;
        match &self.integration {
            Some(Integration::Redirect(url)) => chars("Redirect", url, limits::URL_MAX),
            Some(Integration::Webhook(w)) => webhook(w),
            None | Some(Integration::NoIntegration(_)) => Ok(()),
        }
    }
}

impl Capped for pb::GetInvoicesRequest {
    fn caps(&self) -> Result<(), FieldError> {
        // Each status at most once: no more than there are.
        list("Statuses", self.statuses.len(), limits::STATUSES_MAX)?;
        chars("ToUser", &self.to_user, limits::USERNAME_MAX)
    }
}

impl Capped for pb::SendInvoiceMessageRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("ToUserId", &self.to_user_id, USER_ID_MAX)?;
        chars("Text", &self.text, limits::MESSAGE_TEXT_MAX)?;
        images("ImageIds", &self.image_ids)
    }
}

impl Capped for pb::SendInvoicePaymentMessageRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("Text", &self.text, limits::MESSAGE_TEXT_MAX)?;
        images("ImageIds", &self.image_ids)
    }
}

impl Capped for pb::CreateInvoiceSecretRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("Text", &self.text, limits::SECRET_TEXT_MAX)?;
        images("Images", &self.images)
    }
}

impl Capped for pb::UpdateInvoiceSecretRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("Text", &self.text, limits::SECRET_TEXT_MAX)?;
        images("Images", &self.images)
    }
}

impl Capped for pb::GetConversationsByIdRequest {
    fn caps(&self) -> Result<(), FieldError> {
        match &self.ids {
            Some(pb::get_conversations_by_id_request::Ids::UserId(id)) => chars("UserId", id, USER_ID_MAX),
            _ => Ok(()),
        }
    }
}

impl Capped for pb::StoreImageRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("Id", &self.id, GUID_FIELD_MAX)?;
        if self.data.len() > limits::IMAGE_MAX_BYTES {
            let (max, has) = (limits::IMAGE_MAX_BYTES as u64, self.data.len() as u64);
            return Err(FieldError::new("Data", Rule::FileTooLarge { max, has }));
        }
        Ok(())
    }
}

impl Capped for pb::GetImageRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("Id", &self.id, GUID_FIELD_MAX)
    }
}

impl Capped for pb::IsUserExistRequest {
    fn caps(&self) -> Result<(), FieldError> {
        chars("UserName", &self.user_name, limits::USERNAME_MAX)
    }
}

/// Requests of numbers and flags only: nothing to cap.
macro_rules! uncapped {
    ($($t:ty),* $(,)?) => {
        $(impl Capped for $t {
            fn caps(&self) -> Result<(), FieldError> {
                Ok(())
            }
        })*
    };
}

uncapped!(
    (),
    pb::DeleteInvoiceRequest,
    pb::GetInvoiceByIdRequest,
    pb::GetInvoiceSecretsRequest,
    pb::ChangeInvoiceSecretRequest,
    pb::PayInvoiceFromBalanceRequest,
    pb::GetInvoicePaymentsRequest,
    pb::CancelInvoicePaymentRequest,
    pb::CreateRefundRequest,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn field<T: Capped>(req: &T) -> Option<(String, Rule)> {
        req.caps().err().map(|e| (e.field, e.rule))
    }

    #[test]
    fn statuses_are_at_most_as_many_as_there_are() {
        let five = pb::GetInvoicesRequest { statuses: vec![0, 1, 2, 3, 4], ..Default::default() };
        assert_eq!(field(&five), None);
        let six = pb::GetInvoicesRequest { statuses: vec![0; 6], ..Default::default() };
        assert_eq!(field(&six), Some(("Statuses".into(), Rule::TooManyItems { max: 5, has: 6 })));
        let flood = pb::GetInvoicesRequest { statuses: vec![4; 32_700], ..Default::default() };
        assert_eq!(field(&flood).unwrap().0, "Statuses");
    }

    #[test]
    fn no_string_carries_a_nul() {
        let nul = "a\0b".to_string();
        let exists = pb::IsUserExistRequest { user_name: nul.clone() };
        assert_eq!(field(&exists), Some(("UserName".into(), Rule::ControlChars)));
        let message = pb::SendInvoiceMessageRequest { text: nul.clone(), ..Default::default() };
        assert_eq!(field(&message), Some(("Text".into(), Rule::ControlChars)));
        let mut create = pb::CreateInvoiceRequest::default();
        create.integration = Some(pb::create_invoice_request::Integration::Webhook(pb::Webhook {
            client_key: nul,
            ..Default::default()
        }));
        assert_eq!(field(&create).map(|(_, r)| r), Some(Rule::ControlChars));
    }

    #[test]
    fn every_string_and_list_has_its_cap() {
        let long = |n: usize| "x".repeat(n);
        let cases: Vec<(Option<(String, Rule)>, &str)> = vec![
            (field(&pb::CreateInvoiceRequest { user_name: long(33), ..Default::default() }), "UserName"),
            (field(&pb::CreateInvoiceRequest { fiat_currency: long(17), ..Default::default() }), "FiatCurrency"),
            (field(&pb::CreateInvoiceRequest { price_variable: long(65), ..Default::default() }), "PriceVariable"),
            (field(&pb::CreateInvoiceRequest { comment: long(2001), ..Default::default() }), "Comment"),
            (field(&pb::CreateInvoiceRequest { images: vec![String::new(); 11], ..Default::default() }), "Images"),
            (field(&pb::CreateInvoiceRequest { images: vec![long(65)], ..Default::default() }), "Images[0]"),
            (
                field(&pb::CreateInvoiceRequest {
                    secrets: vec![pb::CreateInvoiceSecretRequest::default(); 101],
                    ..Default::default()
                }),
                "Secrets",
            ),
            (
                field(&pb::CreateInvoiceRequest {
                    secrets: vec![pb::CreateInvoiceSecretRequest { text: long(4001), ..Default::default() }],
                    ..Default::default()
                }),
                "Secrets[0].Text",
            ),
            (
                field(&pb::CreateInvoiceRequest {
                    integration: Some(pb::create_invoice_request::Integration::Redirect(long(2049))),
                    ..Default::default()
                }),
                "Redirect",
            ),
            (
                field(&pb::UpdatePublicInvoiceRequest {
                    integration: Some(pb::update_public_invoice_request::Integration::Webhook(pb::Webhook {
                        client_key: long(16 * 1024 + 1),
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
                "Webhook.ClientKey",
            ),
            (field(&pb::GetInvoicesRequest { to_user: long(33), ..Default::default() }), "ToUser"),
            (field(&pb::SendInvoiceMessageRequest { to_user_id: long(65), ..Default::default() }), "ToUserId"),
            (field(&pb::SendInvoiceMessageRequest { text: "ж".repeat(4001), ..Default::default() }), "Text"),
            (
                field(&pb::SendInvoicePaymentMessageRequest {
                    image_ids: vec![String::new(); 11],
                    ..Default::default()
                }),
                "ImageIds",
            ),
            (field(&pb::CreateInvoiceSecretRequest { text: long(4001), ..Default::default() }), "Text"),
            (field(&pb::UpdateInvoiceSecretRequest { images: vec![long(65)], ..Default::default() }), "Images[0]"),
            (
                field(&pb::GetConversationsByIdRequest {
                    ids: Some(pb::get_conversations_by_id_request::Ids::UserId(long(65))),
                    ..Default::default()
                }),
                "UserId",
            ),
            (
                field(&pb::StoreImageRequest { data: vec![0; limits::IMAGE_MAX_BYTES + 1], ..Default::default() }),
                "Data",
            ),
            (field(&pb::GetImageRequest { id: long(65), ..Default::default() }), "Id"),
            (field(&pb::IsUserExistRequest { user_name: long(33) }), "UserName"),
        ];
        for (i, (got, want)) in cases.into_iter().enumerate() {
            assert_eq!(got.map(|(f, _)| f).as_deref(), Some(want), "case {i}");
        }
        // Characters are counted, not bytes: 4000 four-byte characters fit a 4000 cap.
        assert_eq!(field(&pb::SendInvoiceMessageRequest { text: "😀".repeat(4000), ..Default::default() }), None);
        assert_eq!(field(&pb::CreateInvoiceRequest::default()), None);
    }
}
