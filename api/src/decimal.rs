//! `pb::Decimal { units, nanos }` ⇄ [`rust_decimal::Decimal`].
//!
//! value = units + nanos·10⁻⁹, with |nanos| < 10⁹ and nanos of the sign of units.
//! Every valid `pb::Decimal` converts exactly (|value| < 2⁶³, which fits rust_decimal's
//! 96-bit mantissa with scale 9). The other way can fail: more than 9 decimal places, or a
//! whole part beyond `i64`. Nothing is ever rounded.

use crate::pb;
use rust_decimal::Decimal;

const NANOS_PER_UNIT: i128 = 1_000_000_000;
/// Decimal places a `pb::Decimal` can carry.
pub const MAX_SCALE: u32 = 9;

/// Why a value cannot cross between the two representations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("nanos must be between -999999999 and 999999999")]
    NanosOutOfRange,
    #[error("nanos must have the same sign as units")]
    SignMismatch,
    #[error("has more than 9 decimal places")]
    TooPrecise,
    #[error("is too large (the whole part must fit in a signed 64-bit integer)")]
    TooLarge,
}

/// `pb::Decimal` → `rust_decimal::Decimal`, checking the wire invariants.
pub fn from_pb(value: &pb::Decimal) -> Result<Decimal, DecimalError> {
    let (units, nanos) = (value.units, value.nanos);
    if i128::from(nanos).abs() >= NANOS_PER_UNIT {
        return Err(DecimalError::NanosOutOfRange);
    }
    if (units > 0 && nanos < 0) || (units < 0 && nanos > 0) {
        return Err(DecimalError::SignMismatch);
    }
    let scaled = i128::from(units) * NANOS_PER_UNIT + i128::from(nanos);
    // |scaled| < 2^63 * 10^9 < 2^96: always representable.
    Decimal::try_from_i128_with_scale(scaled, MAX_SCALE).map(|d| d.normalize()).map_err(|_| DecimalError::TooLarge)
}

/// `rust_decimal::Decimal` → `pb::Decimal`, exact or an error (never rounds).
pub fn to_pb(value: Decimal) -> Result<pb::Decimal, DecimalError> {
    let value = value.normalize();
    let scale = value.scale();
    if scale > MAX_SCALE {
        return Err(DecimalError::TooPrecise);
    }
    // mantissa < 2^96 and 10^9 < 2^30: the product fits i128.
    let scaled = value.mantissa() * 10i128.pow(MAX_SCALE - scale);
    let units = i64::try_from(scaled / NANOS_PER_UNIT).map_err(|_| DecimalError::TooLarge)?;
    // `%` keeps the dividend's sign, so nanos has the sign of units.
    let nanos = (scaled % NANOS_PER_UNIT) as i32;
    Ok(pb::Decimal { units, nanos })
}

/// An optional wire decimal (a missing message field) read as zero.
pub fn from_pb_or_zero(value: Option<&pb::Decimal>) -> Result<Decimal, DecimalError> {
    value.map_or(Ok(Decimal::ZERO), from_pb)
}

/// Formats a BTC amount to the satoshi, without trailing zeros (`0`, `1.5`, `0.00012`).
pub fn format_btc(value: Decimal) -> String {
    value.round_dp(8).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn known_values() {
        assert_eq!(to_pb(d("1.5")).unwrap(), pb::Decimal { units: 1, nanos: 500_000_000 });
        assert_eq!(to_pb(d("-1.5")).unwrap(), pb::Decimal { units: -1, nanos: -500_000_000 });
        assert_eq!(to_pb(d("-0.000000001")).unwrap(), pb::Decimal { units: 0, nanos: -1 });
        assert_eq!(from_pb(&pb::Decimal { units: 0, nanos: -1 }).unwrap(), d("-0.000000001"));
        assert_eq!(
            from_pb(&pb::Decimal { units: i64::MAX, nanos: 999_999_999 }).unwrap(),
            d("9223372036854775807.999999999")
        );
        assert_eq!(to_pb(d("0.10000000000000")).unwrap(), pb::Decimal { units: 0, nanos: 100_000_000 });
    }

    #[test]
    fn rejects_bad_wire_values() {
        assert_eq!(from_pb(&pb::Decimal { units: 0, nanos: 1_000_000_000 }), Err(DecimalError::NanosOutOfRange));
        assert_eq!(from_pb(&pb::Decimal { units: 0, nanos: -1_000_000_000 }), Err(DecimalError::NanosOutOfRange));
        assert_eq!(from_pb(&pb::Decimal { units: 1, nanos: -1 }), Err(DecimalError::SignMismatch));
        assert_eq!(from_pb(&pb::Decimal { units: -1, nanos: 1 }), Err(DecimalError::SignMismatch));
        assert_eq!(from_pb(&pb::Decimal { units: 0, nanos: i32::MIN }), Err(DecimalError::NanosOutOfRange));
    }

    #[test]
    fn rejects_what_does_not_fit_instead_of_rounding() {
        assert_eq!(to_pb(d("0.0000000001")), Err(DecimalError::TooPrecise));
        assert_eq!(to_pb(d("1.1234567891")), Err(DecimalError::TooPrecise));
        assert_eq!(to_pb(d("9223372036854775808")), Err(DecimalError::TooLarge));
        assert_eq!(to_pb(d("-9223372036854775809")), Err(DecimalError::TooLarge));
        assert!(to_pb(d("-9223372036854775808.999999999")).is_ok());
    }

    #[test]
    fn btc_format() {
        assert_eq!(format_btc(d("1")), "1");
        assert_eq!(format_btc(d("0.000")), "0");
        assert_eq!(format_btc(d("0.123456789")), "0.12345679");
        assert_eq!(format_btc(d("0.00012000")), "0.00012");
    }

    fn wire() -> impl Strategy<Value = pb::Decimal> {
        (any::<i64>(), 0i32..1_000_000_000).prop_map(|(units, n)| {
            // Nanos take the sign of units; at zero units, either sign (odd n: negative).
            let nanos = if units < 0 || (units == 0 && n % 2 == 1) { -n } else { n };
            pb::Decimal { units, nanos }
        })
    }

    proptest! {
        #[test]
        fn every_valid_wire_value_round_trips(w in wire()) {
            let value = from_pb(&w).unwrap();
            prop_assert_eq!(to_pb(value).unwrap(), w);
        }

        #[test]
        fn every_decimal_converts_exactly_or_is_rejected(lo in any::<u64>(), hi in any::<u32>(), neg in any::<bool>(), scale in 0u32..=28) {
            let mantissa = (i128::from(hi) << 64 | i128::from(lo)) * if neg { -1 } else { 1 };
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            match to_pb(value) {
                Ok(w) => prop_assert_eq!(from_pb(&w).unwrap(), value.normalize()),
                Err(DecimalError::TooPrecise) => prop_assert!(value.normalize().scale() > MAX_SCALE),
                Err(DecimalError::TooLarge) => prop_assert!(value.trunc().abs() > Decimal::from(i64::MAX)),
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
            }
        }
    }
}
