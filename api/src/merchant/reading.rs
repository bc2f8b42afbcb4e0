//! Reading the answers, member by member, from the JSON value tree: one small reader per
//! kind of member instead of serde's derived visitor per type (the browser app reads
//! answers, and the derived code was most of its merchant screen's wasm). Each answer type
//! has `read(&Value)`, and its serde `Deserialize` is that reader.
//!
//! The rules are the contract's: a member left out, or `null`, is the type's empty value (""
//! or 0); a member the contract does not know is skipped; a member of another type is an
//! error that names it. Text is kept as written (a number's text is text too); money is read
//! as a request's amount is ([`Field`]): exactly, from a number or a string.

use super::*;
use serde_json::Map;

type Members = Map<String, Value>;

/// `name` of `members`, None when left out or null.
fn member<'a>(members: &'a Members, name: &str) -> Option<&'a Value> {
    members.get(name).filter(|v| !v.is_null())
}

fn wrong(name: &str, what: &str) -> String {
    format!("{name}: not {what}")
}

/// Text as it was written (a number's text too: an order id sent as a number).
fn as_text(name: &str, value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(wrong(name, "a string")),
    }
}

fn text(m: &Members, name: &str) -> Result<String, String> {
    Ok(maybe_text(m, name)?.unwrap_or_default())
}

fn maybe_text(m: &Members, name: &str) -> Result<Option<String>, String> {
    member(m, name).map(|v| as_text(name, v)).transpose()
}

fn money(m: &Members, name: &str) -> Result<Decimal, String> {
    Ok(maybe_money(m, name)?.unwrap_or(Decimal::ZERO))
}

fn maybe_money(m: &Members, name: &str) -> Result<Option<Decimal>, String> {
    member(m, name).map(|v| Decimal::read(v).ok_or_else(|| wrong(name, "an amount"))).transpose()
}

fn flag(m: &Members, name: &str) -> Result<bool, String> {
    member(m, name).map_or(Ok(false), |v| v.as_bool().ok_or_else(|| wrong(name, "true or false")))
}

fn whole<T: TryFrom<i64> + Default>(m: &Members, name: &str) -> Result<T, String> {
    member(m, name).map_or(Ok(T::default()), |v| {
        v.as_i64().and_then(|n| T::try_from(n).ok()).ok_or_else(|| wrong(name, "a whole number in range"))
    })
}

fn object<T: Default>(m: &Members, name: &str, read: fn(&Members) -> Result<T, String>) -> Result<T, String> {
    match member(m, name) {
        None => Ok(T::default()),
        Some(Value::Object(inner)) => read(inner).map_err(|e| format!("{name}.{e}")),
        Some(_) => Err(wrong(name, "an object")),
    }
}

fn items<'a>(m: &'a Members, name: &str) -> Result<&'a [Value], String> {
    match member(m, name) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(wrong(name, "a list")),
    }
}

fn list(m: &Members, name: &str) -> Result<Vec<Value>, String> {
    items(m, name).map(<[Value]>::to_vec)
}

/// A status as the API spells it; one this contract does not know is [`Status::Other`].
fn status(m: &Members, name: &str) -> Result<Status, String> {
    match member(m, name) {
        None => Ok(Status::default()),
        Some(Value::String(s)) => Ok(Status::ALL.into_iter().find(|k| k.as_str() == s).unwrap_or(Status::Other)),
        Some(_) => Err(wrong(name, "a string")),
    }
}

fn network(m: &Members) -> Result<Network, String> {
    Ok(Network { code: text(m, "code")?, id: whole(m, "id")?, fullname: text(m, "fullname")? })
}

fn currency(m: &Members) -> Result<Currency, String> {
    Ok(Currency {
        id: whole(m, "id")?,
        code: text(m, "code")?,
        fullcode: text(m, "fullcode")?,
        network: object(m, "network", network)?,
        name: text(m, "name")?,
        is_email_required: flag(m, "is_email_required")?,
        stablecoin: flag(m, "stablecoin")?,
        order: whole(m, "order")?,
    })
}

fn project(m: &Members) -> Result<Project, String> {
    Ok(Project {
        id: whole(m, "id")?,
        name: text(m, "name")?,
        fail: text(m, "fail")?,
        success: text(m, "success")?,
        logo: text(m, "logo")?,
    })
}

fn invoice(m: &Members) -> Result<Invoice, String> {
    Ok(Invoice {
        uuid: text(m, "uuid")?,
        created: text(m, "created")?,
        address: text(m, "address")?,
        currency: object(m, "currency", currency)?,
        date_finished: maybe_text(m, "date_finished")?,
        expiry_date: text(m, "expiry_date")?,
        side_commission: text(m, "side_commission")?,
        side_commission_cc: text(m, "side_commission_cc")?,
        type_payments: text(m, "type_payments")?,
        status: status(m, "status")?,
        is_email_required: flag(m, "is_email_required")?,
        project: object(m, "project", project)?,
        tx_list: list(m, "tx_list")?,
        test_mode: flag(m, "test_mode")?,
        kind: text(m, "type")?,
        user_email: text(m, "user_email")?,
        pay_url: text(m, "pay_url")?,
        phone: text(m, "phone")?,
        order_id: text(m, "order_id")?,
        amount_in_crypto: maybe_money(m, "amount_in_crypto")?,
        amount_in_fiat: money(m, "amount_in_fiat")?,
        fiat_currency: text(m, "fiat_currency")?,
        amount: money(m, "amount")?,
        amount_usd: money(m, "amount_usd")?,
        amount_to_pay: money(m, "amount_to_pay")?,
        amount_to_pay_usd: money(m, "amount_to_pay_usd")?,
        amount_paid: money(m, "amount_paid")?,
        amount_paid_usd: money(m, "amount_paid_usd")?,
        fee: money(m, "fee")?,
        fee_usd: money(m, "fee_usd")?,
        service_fee: money(m, "service_fee")?,
        service_fee_usd: money(m, "service_fee_usd")?,
        received: money(m, "received")?,
        received_usd: money(m, "received_usd")?,
        to_surcharge: money(m, "to_surcharge")?,
        to_surcharge_usd: money(m, "to_surcharge_usd")?,
        link: maybe_text(m, "link")?,
    })
}

/// The members of a whole answer.
fn answer(value: &Value) -> Result<&Members, String> {
    value.as_object().ok_or_else(|| "the answer is not a JSON object".to_string())
}

impl Invoice {
    pub fn read(value: &Value) -> Result<Invoice, String> {
        invoice(answer(value)?)
    }
}

impl ListResponse {
    /// `status`, `result` (the invoices; each an object), `all_count`.
    pub fn read(value: &Value) -> Result<ListResponse, String> {
        let m = answer(value)?;
        let each = |(i, v): (usize, &Value)| match v {
            Value::Object(inner) => invoice(inner).map_err(|e| format!("result[{i}].{e}")),
            _ => Err(wrong(&format!("result[{i}]"), "an object")),
        };
        let result = items(m, "result")?.iter().enumerate().map(each).collect::<Result<_, _>>()?;
        Ok(ListResponse { status: text(m, "status")?, result, all_count: whole(m, "all_count")? })
    }
}

impl CreateResponse {
    /// `status`, and `result`, the new invoice (required: an answer without it made none).
    pub fn read(value: &Value) -> Result<CreateResponse, String> {
        let m = answer(value)?;
        let result = match member(m, "result") {
            Some(Value::Object(inner)) => invoice(inner).map_err(|e| format!("result.{e}"))?,
            Some(_) => return Err(wrong("result", "an object")),
            None => return Err("result: left out".to_string()),
        };
        Ok(CreateResponse { status: text(m, "status")?, result })
    }
}

impl Detail {
    pub fn read(value: &Value) -> Result<Detail, String> {
        Ok(Detail { detail: text(answer(value)?, "detail")? })
    }
}

impl ErrorResponse {
    /// `result`: each field's message, or a list of messages (joined), in the answer's order.
    pub fn read(value: &Value) -> Result<ErrorResponse, String> {
        let words = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
            other => serde_json::to_string(other).unwrap_or_default(),
        };
        let fields = match member(answer(value)?, "result") {
            None => Vec::new(),
            Some(Value::Object(result)) => result.iter().map(|(k, v)| (k.clone(), words(v))).collect(),
            Some(_) => return Err(wrong("result", "an object")),
        };
        Ok(ErrorResponse(fields))
    }
}

/// serde's way in, for those who read with serde_json: the same readers.
macro_rules! read_with_serde {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                <$t>::read(&Value::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

read_with_serde!(Invoice, ListResponse, CreateResponse, Detail, ErrorResponse);
