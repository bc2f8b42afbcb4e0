//! The answers: a 400's per-field messages, a 401's `detail`, and the invoice as the list
//! and create calls give it (money as exact JSON numbers), with its one writer, [`to_json`].

use super::*;

// ------------------------------------------------------------------------------- errors

/// A 400: `{"status":"error","result":{"<field>":"<message>", …}}`, fields in the order the
/// rules found them (a repeated field keeps its first message). Read by `reading.rs`: each
/// field's message, or a list of messages (joined).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse(pub Vec<(String, String)>);

impl ErrorResponse {
    pub fn new(issues: &[Issue]) -> ErrorResponse {
        let mut fields: Vec<(String, String)> = Vec::new();
        for issue in issues {
            if !fields.iter().any(|(f, _)| f == issue.field) {
                fields.push((issue.field.to_string(), issue.message()));
            }
        }
        ErrorResponse(fields)
    }
}

impl Serialize for ErrorResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a [(String, String)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("status", ERROR)?;
        map.serialize_entry("result", &Fields(&self.0))?;
        map.end()
    }
}

/// A 401 (and 413, 500) body: `{"detail":"…"}` (read by `reading.rs`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Detail {
    pub detail: String,
}

// ------------------------------------------------------------------------------- invoice

/// Money as the API writes it: a JSON number with the amount's exact text (read by
/// `reading.rs`: from a number or a string, `null` or left out reading as 0).
mod money {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        number(*value).serialize(s)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            value.map(number).unwrap_or(Value::Null).serialize(s)
        }
    }
}

/// One invoice, as the list and create calls answer it. Every field may be missing from
/// another service's answer, or null (it then reads as empty or 0); unknown fields are
/// skipped; a field of another type is an error that names it (`reading.rs`).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Invoice {
    /// `INV-` and 8 characters of `[A-Z0-9]`.
    pub uuid: String,
    /// `YYYY-MM-DD HH:MM:SS.ffffff`, UTC ([`crate::dates::format_time`]).
    pub created: String,
    pub address: String,
    pub currency: Currency,
    pub date_finished: Option<String>,
    pub expiry_date: String,
    pub side_commission: String,
    pub side_commission_cc: String,
    pub type_payments: String,
    pub status: Status,
    pub is_email_required: bool,
    pub project: Project,
    pub tx_list: Vec<Value>,
    pub test_mode: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub user_email: String,
    pub pay_url: String,
    pub phone: String,
    pub order_id: String,
    #[serde(with = "money::option")]
    pub amount_in_crypto: Option<Decimal>,
    #[serde(with = "money")]
    pub amount_in_fiat: Decimal,
    pub fiat_currency: String,
    /// In the invoice's coin; each `_usd` twin is the same in US dollars.
    #[serde(with = "money")]
    pub amount: Decimal,
    #[serde(with = "money")]
    pub amount_usd: Decimal,
    /// `amount + fee` (the client pays the transfer fee).
    #[serde(with = "money")]
    pub amount_to_pay: Decimal,
    #[serde(with = "money")]
    pub amount_to_pay_usd: Decimal,
    #[serde(with = "money")]
    pub amount_paid: Decimal,
    #[serde(with = "money")]
    pub amount_paid_usd: Decimal,
    #[serde(with = "money")]
    pub fee: Decimal,
    #[serde(with = "money")]
    pub fee_usd: Decimal,
    #[serde(with = "money")]
    pub service_fee: Decimal,
    #[serde(with = "money")]
    pub service_fee_usd: Decimal,
    /// `amount_paid - fee - service_fee`, not below 0.
    #[serde(with = "money")]
    pub received: Decimal,
    #[serde(with = "money")]
    pub received_usd: Decimal,
    /// What a `partial` invoice still lacks.
    #[serde(with = "money")]
    pub to_surcharge: Decimal,
    #[serde(with = "money")]
    pub to_surcharge_usd: Decimal,
    /// The payment page (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Currency {
    pub id: u32,
    /// `USDT`
    pub code: String,
    /// `USDT_TRC20`
    pub fullcode: String,
    pub network: Network,
    pub name: String,
    pub is_email_required: bool,
    pub stablecoin: bool,
    pub order: u32,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Network {
    /// `TRC20`
    pub code: String,
    pub id: u32,
    /// `Tron`
    pub fullname: String,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub fail: String,
    pub success: String,
    pub logo: String,
}

/// The JSON text of an answer (the one writer of the merchant API).
pub fn to_json<T: Serialize>(answer: &T) -> String {
    // The answer types hold strings, numbers and maps with string keys only.
    serde_json::to_string(answer).expect("merchant answers always serialize")
}
