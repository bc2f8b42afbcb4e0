//! Secrets of an invoice (the digital goods sold one per piece, in queue order):
//! GetInvoiceSecrets, CreateInvoiceSecret, UpdateInvoiceSecret, ChangeInvoiceSecret.
//! Every change answers with the whole list, which the screen shows as is.
//!
//! Also the pure parts of the screen: where a drop puts a secret, and bulk-import parsing.

use super::{ApiError, Call};
use crate::settings::Settings;
use schet_api::pb::{self, invoice_secret::NullablePayment};
use schet_api::rpc::rpcs;
use schet_api::{Guid, validate};

pub use schet_api::pb::change_invoice_secret_request::SecretOperations as Move;

/// The payment that bought `secret`, if it is sold.
pub fn payment_of(secret: &pb::InvoiceSecret) -> Option<u64> {
    match secret.nullable_payment {
        Some(NullablePayment::PaymentId(p)) => Some(p),
        _ => None,
    }
}

/// A list as the service returned it, split into the sale queue (by Order) and the sold ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Secrets {
    pub unsold: Vec<pb::InvoiceSecret>,
    pub sold: Vec<pb::InvoiceSecret>,
}

impl Secrets {
    pub fn from_list(list: Vec<pb::InvoiceSecret>) -> Secrets {
        let (sold, mut unsold): (Vec<_>, Vec<_>) = list.into_iter().partition(|s| payment_of(s).is_some());
        unsold.sort_by_key(|s| (s.order, s.id));
        Secrets { unsold, sold }
    }
}

fn check(text: &str, images: &[String]) -> Result<(), ApiError> {
    let mut errors = validate::Errors::default();
    validate::secret("", text, images, &mut errors);
    errors.first().map_err(ApiError::Invalid)
}

/// Both tabs: GetInvoiceSecrets for the unsold and for the sold ones.
pub async fn load(settings: &Settings, invoice_id: u64) -> Result<Secrets, ApiError> {
    let mut all = list(settings, invoice_id, false).await?;
    all.extend(list(settings, invoice_id, true).await?);
    Ok(Secrets::from_list(all))
}

/// GetInvoiceSecrets: unsold (`sold` false) in queue order, or sold. Only the owner may ask:
/// others get PermissionDenied (or NotFound for an invoice they cannot see).
pub async fn list(settings: &Settings, invoice_id: u64, sold: bool) -> Result<Vec<pb::InvoiceSecret>, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(call.unary::<rpcs::GetInvoiceSecrets>(pb::GetInvoiceSecretsRequest { invoice_id, is_sold: sold }).await?.secrets)
}

/// CreateInvoiceSecret at queue position `order` (1-based; 0 = last).
pub async fn create(
    settings: &Settings,
    invoice_id: u64,
    text: String,
    images: Vec<String>,
    order: u32,
) -> Result<Secrets, ApiError> {
    check(&text, &images)?;
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::CreateInvoiceSecret>(pb::CreateInvoiceSecretRequest { invoice_id, text, images, order })
            .await?
            .secrets,
    ))
}

/// UpdateInvoiceSecret: new text and images; `order` non-zero also moves it there.
pub async fn update(
    settings: &Settings,
    secret_id: u64,
    text: String,
    images: Vec<String>,
    order: u32,
) -> Result<Secrets, ApiError> {
    check(&text, &images)?;
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::UpdateInvoiceSecret>(pb::UpdateInvoiceSecretRequest { secret_id, text, images, order })
            .await?
            .secrets,
    ))
}

/// ChangeInvoiceSecret: move up/down/top/bottom, or remove.
pub async fn change(settings: &Settings, secret_id: u64, operation: Move) -> Result<Secrets, ApiError> {
    let mut call = Call::new(settings)?;
    Ok(Secrets::from_list(
        call.unary::<rpcs::ChangeInvoiceSecret>(pb::ChangeInvoiceSecretRequest {
            secret_id,
            operation: operation as i32,
        })
        .await?
        .secrets,
    ))
}

/// The Order that puts `dragged` where `target` is now (dropping on a secret takes its
/// place: the others shift towards where the dragged one was). None: nothing moves.
pub fn drop_order(queue: &[pb::InvoiceSecret], dragged: u64, target: u64) -> Option<u32> {
    if dragged == target {
        return None;
    }
    let from = queue.iter().position(|s| s.id == dragged)?;
    let to = queue.iter().position(|s| s.id == target)?;
    (from != to).then_some(to as u32 + 1)
}

/// One line of a bulk import, ready to create.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkLine {
    /// 1-based line number in the pasted text.
    pub line: usize,
    pub text: String,
    pub images: Vec<String>,
    /// A rule the line breaks (it is not sent).
    pub error: Option<schet_api::FieldError>,
}

/// Parses pasted secrets: one per line; blank lines are skipped. A line may be CSV
/// `text,guid;guid` (the text quoted with `"` when it has commas or quotes, `""` for a
/// quote); a line whose part after its last comma is not a list of GUIDs is all text.
pub fn parse_bulk(input: &str) -> Vec<BulkLine> {
    input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let (text, images) = split_line(l.trim_end_matches('\r'));
            let mut errors = validate::Errors::default();
            validate::secret("", &text, &images, &mut errors);
            let error = errors.first().err();
            BulkLine { line: i + 1, text, images, error }
        })
        .collect()
}

fn guids(tail: &str) -> Option<Vec<String>> {
    let tail = tail.trim();
    if tail.is_empty() {
        return Some(Vec::new());
    }
    tail.split([';', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| p.trim().parse::<Guid>().map(|g| g.to_string()).ok())
        .collect::<Option<Vec<_>>>()
}

fn split_line(line: &str) -> (String, Vec<String>) {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('"') {
        // A quoted CSV field, then `,images`.
        let mut text = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    text.push('"');
                    continue;
                }
                let after = rest[i + 1..].trim_start();
                if after.is_empty() {
                    return (text, Vec::new());
                }
                if let Some(tail) = after.strip_prefix(',')
                    && let Some(images) = guids(tail)
                {
                    return (text, images);
                }
                break;
            }
            text.push(c);
        }
        return (line.trim().to_string(), Vec::new());
    }
    if let Some((text, tail)) = line.rsplit_once(',')
        && let Some(images) = guids(tail)
        && !text.trim().is_empty()
    {
        return (text.trim().to_string(), images);
    }
    (line.trim().to_string(), Vec::new())
}
