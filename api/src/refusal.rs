//! Why the service refused a well-formed change (FAILED_PRECONDITION), as data: a
//! [`Refusal`] code with its parameters, never a sentence.
//!
//! The service's gRPC status message is the English sentence ([`Refusal`]'s `Display`), so
//! any client can read it; the status details carry the code (a `google.rpc.ErrorInfo` of
//! domain [`DOMAIN`], see [`crate::status`]), and the web app words it in its user's
//! language. A refusal this version has no code for arrives as [`Refusal::Text`].

use crate::rule::Param;
use std::fmt;

/// `ErrorInfo.domain` of a refusal code.
pub const DOMAIN: &str = "refusals.schet";

/// A change the service would not make now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// What the service wrote, with no code this version knows.
    Text { text: String },
    /// The payer's balance is below what the change takes. Amounts in BTC, as text
    /// (`0.0003`), so that no float ever rounds them.
    BalanceLow { have: String, need: String },
    /// A payment with refunds (under way or done) cannot be cancelled: settle them first.
    RefundsOpen,
    /// The price moved after the buyer looked: `pieces` now cost `now` BTC, not the `agreed`
    /// BTC the buyer confirmed (amounts as text, the whole purchase). Nothing was charged;
    /// paying again with `now` agreed goes through.
    PriceChanged { pieces: String, now: String, agreed: String },
}

impl Refusal {
    /// The stable code (`ErrorInfo.reason`); None for [`Refusal::Text`], which has none.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Refusal::Text { .. } => None,
            Refusal::BalanceLow { .. } => Some("BALANCE_LOW"),
            Refusal::RefundsOpen => Some("REFUNDS_OPEN"),
            Refusal::PriceChanged { .. } => Some("PRICE_CHANGED"),
        }
    }

    /// The parameters by name (`ErrorInfo.metadata`).
    pub fn params(&self) -> Vec<Param> {
        let param = |name: &str, value: &str| Param { name: name.to_string(), value: value.to_string() };
        match self {
            Refusal::BalanceLow { have, need } => vec![param("have", have), param("need", need)],
            Refusal::PriceChanged { pieces, now, agreed } => {
                vec![param("pieces", pieces), param("now", now), param("agreed", agreed)]
            }
            Refusal::Text { .. } | Refusal::RefundsOpen => Vec::new(),
        }
    }

    /// The refusal of `code` with `params`; None for a code (or parameters) this version
    /// does not know.
    pub fn from_code(code: &str, params: &[Param]) -> Option<Refusal> {
        let get = |name: &str| params.iter().find(|p| p.name == name).map(|p| p.value.clone());
        match code {
            "BALANCE_LOW" => Some(Refusal::BalanceLow { have: get("have")?, need: get("need")? }),
            "REFUNDS_OPEN" => Some(Refusal::RefundsOpen),
            "PRICE_CHANGED" => {
                Some(Refusal::PriceChanged { pieces: get("pieces")?, now: get("now")?, agreed: get("agreed")? })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Text { text } => f.write_str(text),
            Refusal::BalanceLow { have, need } => {
                write!(f, "insufficient balance: you have {have} BTC, this takes {need} BTC")
            }
            Refusal::RefundsOpen => f.write_str("the payment has refunds; settle them first"),
            Refusal::PriceChanged { pieces, now, agreed } => write!(
                f,
                "the price changed: {pieces} piece(s) now cost {now} BTC, not the {agreed} BTC agreed to; confirm the new price"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_with_their_parameters() {
        let all = [
            Refusal::BalanceLow { have: "0.1".into(), need: "0.25".into() },
            Refusal::RefundsOpen,
            Refusal::PriceChanged { pieces: "2".into(), now: "1".into(), agreed: "0.02".into() },
        ];
        for r in all {
            assert_eq!(Refusal::from_code(r.code().unwrap(), &r.params()), Some(r.clone()), "{r:?}");
        }
        assert_eq!(Refusal::Text { text: "x".into() }.code(), None);
        assert_eq!(Refusal::from_code("BALANCE_LOW", &[]), None, "parameters missing");
        assert_eq!(Refusal::from_code("NEWER", &[]), None);
    }

    #[test]
    fn english_names_the_amounts() {
        let r = Refusal::BalanceLow { have: "0.1".into(), need: "0.25".into() };
        assert_eq!(r.to_string(), "insufficient balance: you have 0.1 BTC, this takes 0.25 BTC");
        let r = Refusal::PriceChanged { pieces: "1".into(), now: "0.5".into(), agreed: "0.01".into() };
        assert_eq!(
            r.to_string(),
            "the price changed: 1 piece(s) now cost 0.5 BTC, not the 0.01 BTC agreed to; confirm the new price"
        );
    }
}
