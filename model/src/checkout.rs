//! Confirming a purchase: the amount the buyer agreed to (sent as `AgreedAmount`), and a
//! price that moved before the payment went through, which is asked again with the new
//! amount. Nothing is paid at a price the buyer did not see.

use rust_decimal::Decimal;
use schet_api::Refusal;
use std::str::FromStr;

/// The confirmation of a purchase on the invoice page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Checkout {
    /// No confirmation open.
    #[default]
    Closed,
    /// Asking to pay `agreed` BTC for `pieces` (a private invoice: 1).
    Asking { pieces: u32, agreed: Decimal },
    /// The price moved after the buyer looked: they saw `was` BTC, the purchase now costs
    /// `now` BTC. Asking again; confirming agrees to `now`.
    Repriced { pieces: u32, was: Decimal, now: Decimal },
}

impl Checkout {
    /// Asks to pay for `pieces` at `unit` BTC each.
    pub fn open(pieces: u32, unit: Decimal) -> Checkout {
        Checkout::Asking { pieces, agreed: unit * Decimal::from(pieces) }
    }

    pub fn is_open(&self) -> bool {
        !matches!(self, Checkout::Closed)
    }

    /// What confirming sends: the pieces and the amount agreed to (the one shown).
    pub fn confirm(&self) -> Option<(u32, Decimal)> {
        match *self {
            Checkout::Closed => None,
            Checkout::Asking { pieces, agreed } => Some((pieces, agreed)),
            Checkout::Repriced { pieces, now, .. } => Some((pieces, now)),
        }
    }

    /// The invoice was read again while asking, at `unit` BTC a piece: a purchase that now
    /// costs something else is asked again before anything is sent.
    pub fn price_now(&self, unit: Decimal) -> Checkout {
        let Some((pieces, shown)) = self.confirm() else { return Checkout::Closed };
        let now = unit * Decimal::from(pieces);
        if now == shown || unit <= Decimal::ZERO {
            return self.clone();
        }
        let was = match *self {
            Checkout::Repriced { was, .. } => was,
            _ => shown,
        };
        if now == was { Checkout::Asking { pieces, agreed: now } } else { Checkout::Repriced { pieces, was, now } }
    }

    /// After the service answered the purchase (`refusal`: why it refused, None when it
    /// went through or failed otherwise): a changed price asks again with the service's
    /// amount; anything else closes the confirmation.
    pub fn answered(&self, refusal: Option<&Refusal>) -> Checkout {
        let (Some((pieces, sent)), Some(Refusal::PriceChanged { now, agreed, .. })) = (self.confirm(), refusal) else {
            return Checkout::Closed;
        };
        match (Decimal::from_str(now), Decimal::from_str(agreed)) {
            // The refusal is about what was sent (not an older click's answer).
            (Ok(now), Ok(agreed)) if agreed == sent && now != sent => Checkout::Repriced { pieces, was: sent, now },
            _ => Checkout::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn changed(now: &str, agreed: &str) -> Refusal {
        Refusal::PriceChanged { pieces: "2".into(), now: now.into(), agreed: agreed.into() }
    }

    #[test]
    fn confirming_sends_the_amount_shown() {
        let c = Checkout::open(2, d("0.001"));
        assert_eq!(c.confirm(), Some((2, d("0.002"))));
        assert!(c.is_open());
        assert_eq!(Checkout::Closed.confirm(), None);
    }

    #[test]
    fn a_refused_price_asks_again_with_the_new_amount() {
        let c = Checkout::open(2, d("0.001")).answered(Some(&changed("19.98", "0.002")));
        assert_eq!(c, Checkout::Repriced { pieces: 2, was: d("0.002"), now: d("19.98") });
        assert_eq!(c.confirm(), Some((2, d("19.98"))), "confirming agrees to the new price");
        // It moved again: asked again, still showing what was first confirmed.
        let again = c.answered(Some(&changed("30", "19.98")));
        assert_eq!(again, Checkout::Repriced { pieces: 2, was: d("19.98"), now: d("30") });
        assert_eq!(again.answered(None), Checkout::Closed, "paid: closed");
    }

    #[test]
    fn other_answers_close_it() {
        let c = Checkout::open(1, d("0.5"));
        assert_eq!(c.answered(Some(&Refusal::RefundsOpen)), Checkout::Closed);
        assert_eq!(c.answered(Some(&changed("1", "0.7"))), Checkout::Closed, "not about what was sent");
        assert_eq!(c.answered(Some(&changed("x", "0.5"))), Checkout::Closed, "not a number");
        assert_eq!(Checkout::Closed.answered(Some(&changed("1", "0.5"))), Checkout::Closed);
    }

    #[test]
    fn a_price_read_while_asking_asks_again() {
        let c = Checkout::open(3, d("0.01"));
        assert_eq!(c.price_now(d("0.01")), c, "the same price changes nothing");
        let moved = c.price_now(d("0.02"));
        assert_eq!(moved, Checkout::Repriced { pieces: 3, was: d("0.03"), now: d("0.06") });
        assert_eq!(moved.price_now(d("0.01")), c, "back to what was confirmed");
        assert_eq!(c.price_now(Decimal::ZERO), c, "no rate: the service will say so");
        assert_eq!(Checkout::Closed.price_now(d("1")), Checkout::Closed);
    }

    proptest! {
        /// Whatever the prices read and refused, confirming never sends an amount other than
        /// the one on screen (`now` once repriced), for the pieces chosen.
        #[test]
        fn what_is_sent_is_what_is_shown(pieces in 1u32..50, steps in proptest::collection::vec((0u8..3, 1u64..10_000), 0..12)) {
            let mut c = Checkout::open(pieces, Decimal::new(1, 3));
            for (kind, cents) in steps {
                let price = Decimal::new(cents as i64, 5);
                c = match kind {
                    0 => c.price_now(price),
                    1 => match c.confirm() {
                        Some((_, sent)) if price * Decimal::from(pieces) != sent => c.answered(Some(&changed(&(price * Decimal::from(pieces)).to_string(), &sent.to_string()))),
                        _ => c,
                    },
                    _ => Checkout::open(pieces, price),
                };
                let shown = match c {
                    Checkout::Closed => None,
                    Checkout::Asking { agreed, .. } => Some(agreed),
                    Checkout::Repriced { now, was, .. } => { prop_assert_ne!(now, was); Some(now) }
                };
                prop_assert_eq!(c.confirm(), shown.map(|s| (pieces, s)));
            }
        }
    }
}
