//! A broken rule on the wire: the `grpc-status-details-bin` of an `INVALID_ARGUMENT` (a
//! `google.rpc.Status` holding a `google.rpc.BadRequest` with the field and the English text,
//! and a `google.rpc.ErrorInfo` whose `reason` is the rule's code and whose `metadata` holds
//! its parameters), written by the service and read by the web app. A `FAILED_PRECONDITION`
//! carries a [`Refusal`] the same way (an `ErrorInfo` of the refusals' domain).

use crate::refusal::{self, Refusal};
use crate::rule::{DOMAIN, Param, Rule};
use crate::validate::FieldError;

/// `google.rpc.Status`, as a reader needs it: only the details.
#[derive(Clone, PartialEq, prost::Message)]
struct StatusDetails {
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// `google.rpc.Status`.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// `google.rpc.BadRequest`.
#[derive(Clone, PartialEq, prost::Message)]
struct BadRequest {
    #[prost(message, repeated, tag = "1")]
    field_violations: Vec<FieldViolation>,
}

/// `google.rpc.BadRequest.FieldViolation`.
#[derive(Clone, PartialEq, prost::Message)]
struct FieldViolation {
    #[prost(string, tag = "1")]
    field: String,
    #[prost(string, tag = "2")]
    description: String,
    #[prost(string, tag = "3")]
    reason: String,
}

/// `google.rpc.ErrorInfo`.
#[derive(Clone, PartialEq, prost::Message)]
struct ErrorInfo {
    #[prost(string, tag = "1")]
    reason: String,
    #[prost(string, tag = "2")]
    domain: String,
    /// `map<string, string> metadata`: on the wire, a repeated entry of key 1 and value 2.
    #[prost(message, repeated, tag = "3")]
    metadata: Vec<Param>,
}

const BAD_REQUEST: &str = "type.googleapis.com/google.rpc.BadRequest";
const ERROR_INFO: &str = "type.googleapis.com/google.rpc.ErrorInfo";
/// `google.rpc.Code.INVALID_ARGUMENT`.
const INVALID_ARGUMENT: i32 = 3;
/// `google.rpc.Code.FAILED_PRECONDITION`.
const FAILED_PRECONDITION: i32 = 9;

fn any(type_url: &str, value: Vec<u8>) -> prost_types::Any {
    prost_types::Any { type_url: type_url.to_string(), value }
}

/// The `ErrorInfo` of status `details` in `domain`, if there is one.
fn error_info(details: &[u8], domain: &str) -> Option<ErrorInfo> {
    use prost::Message;
    let status = StatusDetails::decode(details).ok()?;
    let info = status.details.iter().find(|any| any.type_url == ERROR_INFO)?;
    ErrorInfo::decode(&info.value[..]).ok().filter(|info| info.domain == domain)
}

impl Refusal {
    /// The `grpc-status-details-bin` bytes of a `FAILED_PRECONDITION` for this refusal (its
    /// message is the `Display` text); empty for a refusal without a code.
    pub fn status_details(&self) -> Vec<u8> {
        use prost::Message;
        let Some(code) = self.code() else { return Vec::new() };
        let info = ErrorInfo { reason: code.to_string(), domain: refusal::DOMAIN.to_string(), metadata: self.params() };
        RpcStatus {
            code: FAILED_PRECONDITION,
            message: self.to_string(),
            details: vec![any(ERROR_INFO, info.encode_to_vec())],
        }
        .encode_to_vec()
    }

    /// The refusal of a `FAILED_PRECONDITION` with `message` and status `details`: from its
    /// code when the details carry one this version knows, else the service's text.
    pub fn from_status(message: &str, details: &[u8]) -> Refusal {
        error_info(details, refusal::DOMAIN)
            .and_then(|info| Refusal::from_code(&info.reason, &info.metadata))
            .unwrap_or_else(|| Refusal::Text { text: message.to_string() })
    }
}

impl FieldError {
    /// The `grpc-status-details-bin` bytes of an `INVALID_ARGUMENT` for this error (its
    /// message is the `Display` text).
    pub fn status_details(&self) -> Vec<u8> {
        use prost::Message;
        let violation = FieldViolation {
            field: self.field.clone(),
            description: self.rule.to_string(),
            reason: self.rule.code().to_string(),
        };
        let info = ErrorInfo {
            reason: self.rule.code().to_string(),
            domain: DOMAIN.to_string(),
            metadata: self.rule.params(),
        };
        RpcStatus {
            code: INVALID_ARGUMENT,
            message: self.to_string(),
            details: vec![
                any(BAD_REQUEST, BadRequest { field_violations: vec![violation] }.encode_to_vec()),
                any(ERROR_INFO, info.encode_to_vec()),
            ],
        }
        .encode_to_vec()
    }

    /// The error of an `INVALID_ARGUMENT` with `message` (`Field: rule`) and status
    /// `details`: the rule from its code when the details carry one this version knows,
    /// else the service's text (a service that sends only text). None when the message
    /// names no field.
    pub fn from_status(message: &str, details: &[u8]) -> Option<FieldError> {
        let mut error = FieldError::parse(message)?;
        if let Some(rule) = error_info(details, DOMAIN).and_then(|info| Rule::from_code(&info.reason, &info.metadata)) {
            error.rule = rule;
        }
        Some(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::tests::every_rule;
    use proptest::prelude::*;

    #[test]
    fn a_status_carries_field_and_rule() {
        for rule in every_rule() {
            let e = FieldError::new("Secrets[2].Text", rule);
            assert_eq!(FieldError::from_status(&e.to_string(), &e.status_details()), Some(e));
        }
    }

    #[test]
    fn a_status_without_a_code_keeps_the_services_text() {
        let text = |t: &str| Some(FieldError::new("Price", Rule::Text { text: t.into() }));
        assert_eq!(FieldError::from_status("Price: is too dear", &[]), text("is too dear"), "no details");
        assert_eq!(FieldError::from_status("Price: is too dear", b"not a status"), text("is too dear"));
        let newer = FieldError::new("Price", Rule::Text { text: "x".into() }).status_details();
        let newer = String::from_utf8_lossy(&newer).replace("TEXT", "NEW!").into_bytes();
        assert_eq!(FieldError::from_status("Price: is new", &newer), text("is new"), "an unknown code");
        assert_eq!(FieldError::from_status("invoice 5 was not found", &[]), None, "no field named");
    }

    /// The metadata's entries are what a `map<string, string>` is on the wire.
    #[test]
    fn metadata_reads_as_a_protobuf_map() {
        use prost::Message;
        #[derive(Clone, PartialEq, prost::Message)]
        struct AsMap {
            #[prost(btree_map = "string, string", tag = "3")]
            metadata: std::collections::BTreeMap<String, String>,
        }
        let info = ErrorInfo { metadata: Rule::TooLong { max: 5, has: 6 }.params(), ..Default::default() };
        let map = AsMap::decode(&info.encode_to_vec()[..]).unwrap().metadata;
        assert_eq!(map.get("max").map(String::as_str), Some("5"));
        assert_eq!(map.get("has").map(String::as_str), Some("6"));
    }

    #[test]
    fn a_refusal_carries_its_code_and_falls_back_to_text() {
        let low = Refusal::BalanceLow { have: "0.1".into(), need: "0.3".into() };
        assert_eq!(Refusal::from_status(&low.to_string(), &low.status_details()), low);
        assert_eq!(Refusal::from_status("x", &Refusal::RefundsOpen.status_details()), Refusal::RefundsOpen);
        let text = |t: &str| Refusal::Text { text: t.into() };
        assert_eq!(Refusal::from_status("sold out", &[]), text("sold out"), "no details");
        let rule = FieldError::new("Price", Rule::Required).status_details();
        assert_eq!(Refusal::from_status("sold out", &rule), text("sold out"), "a rule's details are not a refusal");
        assert!(text("x").status_details().is_empty());
    }

    proptest! {
        #[test]
        fn text_rules_survive_the_wire(field in "[A-Za-z][A-Za-z0-9_.]{0,20}", text in "\\PC{0,80}") {
            let e = FieldError::new(field, Rule::Text { text });
            prop_assert_eq!(FieldError::from_status(&e.to_string(), &e.status_details()), Some(e));
        }
    }
}
