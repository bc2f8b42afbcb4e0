//! Rate variables (`PriceVariable`: USD per 1 BTC) and fiat exchange rates (units of a
//! currency per 1 USD), from defaults or a rates file.
//!
//! Rates file, one entry a line (`#` starts a comment):
//! ```text
//! variable Average 91234.50
//! currency EUR 0.92
//! ```

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::str::FromStr;

/// A line of a rates file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {what}")]
pub struct RatesError {
    pub line: usize,
    pub what: String,
}

#[derive(Debug, Clone)]
pub struct Rates {
    /// Variable name → USD per 1 BTC.
    pub variables: BTreeMap<String, Decimal>,
    /// ISO 4217 code → units of that currency per 1 USD.
    pub currencies: BTreeMap<String, Decimal>,
}

impl Default for Rates {
    fn default() -> Self {
        let d = |s: &str| Decimal::from_str(s).expect("default rate");
        let variables = [("Average", "90000"), ("Bitstamp", "90120.5"), ("Binance", "89985.25")];
        let currencies = [
            ("USD", "1"),
            ("EUR", "0.92"),
            ("GBP", "0.79"),
            ("RUB", "95"),
            ("UAH", "41.2"),
            ("KZT", "480"),
            ("JPY", "150"),
            ("CNY", "7.2"),
            ("CHF", "0.88"),
            ("CAD", "1.37"),
            ("AUD", "1.52"),
            ("TRY", "34.5"),
            ("INR", "84"),
            ("BRL", "5.6"),
            ("PLN", "4"),
        ];
        Rates {
            variables: variables.iter().map(|(k, v)| (k.to_string(), d(v))).collect(),
            currencies: currencies.iter().map(|(k, v)| (k.to_string(), d(v))).collect(),
        }
    }
}

impl Rates {
    /// Reads a rates file on top of the defaults.
    pub fn from_file_text(text: &str) -> Result<Rates, RatesError> {
        let mut rates = Rates::default();
        for (n, line) in text.lines().enumerate() {
            let error = |what: String| RatesError { line: n + 1, what };
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [kind, name, value] = parts[..] else {
                return Err(error("expected `variable NAME VALUE` or `currency CODE VALUE`".into()));
            };
            let value = Decimal::from_str(value)
                .ok()
                .filter(|v| *v > Decimal::ZERO)
                .ok_or_else(|| error("the value must be a positive decimal number".into()))?;
            match kind {
                "variable" => rates.variables.insert(name.to_string(), value),
                "currency" if schet_api::currency::find(name).is_some() => {
                    rates.currencies.insert(name.to_string(), value)
                }
                "currency" => return Err(error(format!("{name} is not an ISO 4217 currency code"))),
                _ => return Err(error(format!("unknown entry kind {kind:?}"))),
            };
        }
        Ok(rates)
    }

    /// Today's BTC amount for a fiat price, rounded to the satoshi.
    pub fn btc_for_fiat(&self, price: Decimal, currency: &str, variable: &str) -> Option<Decimal> {
        let usd_per_btc = self.variables.get(variable)?;
        let per_usd = self.currencies.get(currency)?;
        let usd = price.checked_div(*per_usd)?;
        let btc = usd.checked_div(*usd_per_btc)?;
        Some(btc.round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero).normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiat_to_btc() {
        let r = Rates::default();
        assert_eq!(r.btc_for_fiat(Decimal::from(900), "USD", "Average"), Some(Decimal::new(1, 2)));
        assert_eq!(r.btc_for_fiat(Decimal::from(900), "XXX", "Average"), None);
        assert_eq!(r.btc_for_fiat(Decimal::from(900), "USD", "Nope"), None);
    }

    #[test]
    fn rates_file() {
        let r = Rates::from_file_text("# rates\nvariable Average 100000\ncurrency EUR 0.5 # cheap\n").unwrap();
        assert_eq!(r.variables["Average"], Decimal::from(100000));
        assert_eq!(r.currencies["EUR"], Decimal::new(5, 1));
        assert!(Rates::from_file_text("variable Average -1").unwrap_err().to_string().starts_with("line 1: "));
        assert!(Rates::from_file_text("currency ABC 1").unwrap_err().what.contains("ISO 4217"));
        assert!(Rates::from_file_text("oops").is_err());
    }
}
