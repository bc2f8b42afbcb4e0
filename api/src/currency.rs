//! ISO 4217 currencies a fiat price can be kept in: the active national currencies
//! (no funds, precious metals or testing codes), sorted by code. Their names are the
//! reader's browser's, in the reader's language (`Intl.DisplayNames` in the app).

/// One ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// Three upper-case letters, e.g. `USD`.
    pub code: &'static str,
    /// Digits after the decimal point a price in it may have.
    pub minor_units: u32,
}

/// Every accepted currency, sorted by code.
pub const CURRENCIES: &[Currency] = &[
    Currency { code: "AED", minor_units: 2 },
    Currency { code: "AFN", minor_units: 2 },
    Currency { code: "ALL", minor_units: 2 },
    Currency { code: "AMD", minor_units: 2 },
    Currency { code: "AOA", minor_units: 2 },
    Currency { code: "ARS", minor_units: 2 },
    Currency { code: "AUD", minor_units: 2 },
    Currency { code: "AWG", minor_units: 2 },
    Currency { code: "AZN", minor_units: 2 },
    Currency { code: "BAM", minor_units: 2 },
    Currency { code: "BBD", minor_units: 2 },
    Currency { code: "BDT", minor_units: 2 },
    Currency { code: "BHD", minor_units: 3 },
    Currency { code: "BIF", minor_units: 0 },
    Currency { code: "BMD", minor_units: 2 },
    Currency { code: "BND", minor_units: 2 },
    Currency { code: "BOB", minor_units: 2 },
    Currency { code: "BRL", minor_units: 2 },
    Currency { code: "BSD", minor_units: 2 },
    Currency { code: "BTN", minor_units: 2 },
    Currency { code: "BWP", minor_units: 2 },
    Currency { code: "BYN", minor_units: 2 },
    Currency { code: "BZD", minor_units: 2 },
    Currency { code: "CAD", minor_units: 2 },
    Currency { code: "CDF", minor_units: 2 },
    Currency { code: "CHF", minor_units: 2 },
    Currency { code: "CLP", minor_units: 0 },
    Currency { code: "CNY", minor_units: 2 },
    Currency { code: "COP", minor_units: 2 },
    Currency { code: "CRC", minor_units: 2 },
    Currency { code: "CUP", minor_units: 2 },
    Currency { code: "CVE", minor_units: 2 },
    Currency { code: "CZK", minor_units: 2 },
    Currency { code: "DJF", minor_units: 0 },
    Currency { code: "DKK", minor_units: 2 },
    Currency { code: "DOP", minor_units: 2 },
    Currency { code: "DZD", minor_units: 2 },
    Currency { code: "EGP", minor_units: 2 },
    Currency { code: "ERN", minor_units: 2 },
    Currency { code: "ETB", minor_units: 2 },
    Currency { code: "EUR", minor_units: 2 },
    Currency { code: "FJD", minor_units: 2 },
    Currency { code: "FKP", minor_units: 2 },
    Currency { code: "GBP", minor_units: 2 },
    Currency { code: "GEL", minor_units: 2 },
    Currency { code: "GHS", minor_units: 2 },
    Currency { code: "GIP", minor_units: 2 },
    Currency { code: "GMD", minor_units: 2 },
    Currency { code: "GNF", minor_units: 0 },
    Currency { code: "GTQ", minor_units: 2 },
    Currency { code: "GYD", minor_units: 2 },
    Currency { code: "HKD", minor_units: 2 },
    Currency { code: "HNL", minor_units: 2 },
    Currency { code: "HTG", minor_units: 2 },
    Currency { code: "HUF", minor_units: 2 },
    Currency { code: "IDR", minor_units: 2 },
    Currency { code: "ILS", minor_units: 2 },
    Currency { code: "INR", minor_units: 2 },
    Currency { code: "IQD", minor_units: 3 },
    Currency { code: "IRR", minor_units: 2 },
    Currency { code: "ISK", minor_units: 0 },
    Currency { code: "JMD", minor_units: 2 },
    Currency { code: "JOD", minor_units: 3 },
    Currency { code: "JPY", minor_units: 0 },
    Currency { code: "KES", minor_units: 2 },
    Currency { code: "KGS", minor_units: 2 },
    Currency { code: "KHR", minor_units: 2 },
    Currency { code: "KMF", minor_units: 0 },
    Currency { code: "KPW", minor_units: 2 },
    Currency { code: "KRW", minor_units: 0 },
    Currency { code: "KWD", minor_units: 3 },
    Currency { code: "KYD", minor_units: 2 },
    Currency { code: "KZT", minor_units: 2 },
    Currency { code: "LAK", minor_units: 2 },
    Currency { code: "LBP", minor_units: 2 },
    Currency { code: "LKR", minor_units: 2 },
    Currency { code: "LRD", minor_units: 2 },
    Currency { code: "LSL", minor_units: 2 },
    Currency { code: "LYD", minor_units: 3 },
    Currency { code: "MAD", minor_units: 2 },
    Currency { code: "MDL", minor_units: 2 },
    Currency { code: "MGA", minor_units: 2 },
    Currency { code: "MKD", minor_units: 2 },
    Currency { code: "MMK", minor_units: 2 },
    Currency { code: "MNT", minor_units: 2 },
    Currency { code: "MOP", minor_units: 2 },
    Currency { code: "MRU", minor_units: 2 },
    Currency { code: "MUR", minor_units: 2 },
    Currency { code: "MVR", minor_units: 2 },
    Currency { code: "MWK", minor_units: 2 },
    Currency { code: "MXN", minor_units: 2 },
    Currency { code: "MYR", minor_units: 2 },
    Currency { code: "MZN", minor_units: 2 },
    Currency { code: "NAD", minor_units: 2 },
    Currency { code: "NGN", minor_units: 2 },
    Currency { code: "NIO", minor_units: 2 },
    Currency { code: "NOK", minor_units: 2 },
    Currency { code: "NPR", minor_units: 2 },
    Currency { code: "NZD", minor_units: 2 },
    Currency { code: "OMR", minor_units: 3 },
    Currency { code: "PAB", minor_units: 2 },
    Currency { code: "PEN", minor_units: 2 },
    Currency { code: "PGK", minor_units: 2 },
    Currency { code: "PHP", minor_units: 2 },
    Currency { code: "PKR", minor_units: 2 },
    Currency { code: "PLN", minor_units: 2 },
    Currency { code: "PYG", minor_units: 0 },
    Currency { code: "QAR", minor_units: 2 },
    Currency { code: "RON", minor_units: 2 },
    Currency { code: "RSD", minor_units: 2 },
    Currency { code: "RUB", minor_units: 2 },
    Currency { code: "RWF", minor_units: 0 },
    Currency { code: "SAR", minor_units: 2 },
    Currency { code: "SBD", minor_units: 2 },
    Currency { code: "SCR", minor_units: 2 },
    Currency { code: "SDG", minor_units: 2 },
    Currency { code: "SEK", minor_units: 2 },
    Currency { code: "SGD", minor_units: 2 },
    Currency { code: "SHP", minor_units: 2 },
    Currency { code: "SLE", minor_units: 2 },
    Currency { code: "SOS", minor_units: 2 },
    Currency { code: "SRD", minor_units: 2 },
    Currency { code: "SSP", minor_units: 2 },
    Currency { code: "STN", minor_units: 2 },
    Currency { code: "SVC", minor_units: 2 },
    Currency { code: "SYP", minor_units: 2 },
    Currency { code: "SZL", minor_units: 2 },
    Currency { code: "THB", minor_units: 2 },
    Currency { code: "TJS", minor_units: 2 },
    Currency { code: "TMT", minor_units: 2 },
    Currency { code: "TND", minor_units: 3 },
    Currency { code: "TOP", minor_units: 2 },
    Currency { code: "TRY", minor_units: 2 },
    Currency { code: "TTD", minor_units: 2 },
    Currency { code: "TWD", minor_units: 2 },
    Currency { code: "TZS", minor_units: 2 },
    Currency { code: "UAH", minor_units: 2 },
    Currency { code: "UGX", minor_units: 0 },
    Currency { code: "USD", minor_units: 2 },
    Currency { code: "UYU", minor_units: 2 },
    Currency { code: "UZS", minor_units: 2 },
    Currency { code: "VED", minor_units: 2 },
    Currency { code: "VES", minor_units: 2 },
    Currency { code: "VND", minor_units: 0 },
    Currency { code: "VUV", minor_units: 0 },
    Currency { code: "WST", minor_units: 2 },
    Currency { code: "XAF", minor_units: 0 },
    Currency { code: "XCD", minor_units: 2 },
    Currency { code: "XCG", minor_units: 2 },
    Currency { code: "XOF", minor_units: 0 },
    Currency { code: "XPF", minor_units: 0 },
    Currency { code: "YER", minor_units: 2 },
    Currency { code: "ZAR", minor_units: 2 },
    Currency { code: "ZMW", minor_units: 2 },
    Currency { code: "ZWG", minor_units: 2 },
];

/// The currency with this exact (upper-case) code.
pub fn find(code: &str) -> Option<&'static Currency> {
    CURRENCIES.binary_search_by(|c| c.code.cmp(code)).ok().map(|i| &CURRENCIES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes() {
        assert_eq!(find("USD").map(|c| c.minor_units), Some(2));
        assert_eq!(find("JPY").map(|c| c.minor_units), Some(0));
        assert_eq!(find("KWD").map(|c| c.minor_units), Some(3));
        assert_eq!(find("RUB").map(|c| c.minor_units), Some(2));
        for bad in ["usd", "US", "USDT", "XXX", "BTC", "", "XAU"] {
            assert!(find(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn table_is_sorted_and_well_formed() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].code < w[1].code));
        assert!(CURRENCIES.iter().all(|c| c.code.len() == 3 && c.code.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(CURRENCIES.len() > 140);
    }
}
