//! The cryptocurrencies merchant invoices can be paid in: codes and networks as CryptoCloud
//! names them, with the reference service's fixed USD prices and transfer fees.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// A cryptocurrency an invoice can be paid in.
#[derive(Debug)]
pub struct Coin {
    pub id: u32,
    pub code: &'static str,
    pub fullcode: &'static str,
    pub name: &'static str,
    pub network_code: &'static str,
    pub network_id: u32,
    pub network_name: &'static str,
    pub stablecoin: bool,
    /// USD per coin (fixed reference prices).
    pub usd: Decimal,
    /// Decimal places amounts in this coin are rounded to.
    pub scale: u32,
    /// Transfer fee, in the coin (paid by the client).
    pub fee: Decimal,
}

/// The coin of an invoice whose request names none.
pub fn default_coin() -> &'static Coin {
    &COINS[0]
}

pub static COINS: &[Coin] = &[
    coin(4, "USDT", "USDT_TRC20", "Tether", ("TRC20", 4, "Tron"), true, dec!(1), 6, dec!(1.4)),
    coin(1, "BTC", "BTC", "Bitcoin", ("BTC", 1, "Bitcoin"), false, dec!(90000), 8, dec!(0.00002)),
    coin(3, "ETH", "ETH", "Ethereum", ("ERC20", 3, "Ethereum"), false, dec!(3000), 8, dec!(0.0008)),
    coin(2, "LTC", "LTC", "Litecoin", ("LTC", 2, "Litecoin"), false, dec!(80), 8, dec!(0.0005)),
    coin(5, "USDT", "USDT_ERC20", "Tether", ("ERC20", 3, "Ethereum"), true, dec!(1), 6, dec!(3.5)),
    coin(6, "USDC", "USDC_ERC20", "USD Coin", ("ERC20", 3, "Ethereum"), true, dec!(1), 6, dec!(3.5)),
    coin(7, "TRX", "TRX", "Tron", ("TRC20", 4, "Tron"), false, dec!(0.25), 6, dec!(1)),
    coin(8, "TON", "TON", "Toncoin", ("TON", 8, "The Open Network"), false, dec!(5), 6, dec!(0.05)),
];

#[allow(clippy::too_many_arguments)]
const fn coin(
    id: u32,
    code: &'static str,
    fullcode: &'static str,
    name: &'static str,
    network: (&'static str, u32, &'static str),
    stablecoin: bool,
    usd: Decimal,
    scale: u32,
    fee: Decimal,
) -> Coin {
    let (network_code, network_id, network_name) = network;
    Coin { id, code, fullcode, name, network_code, network_id, network_name, stablecoin, usd, scale, fee }
}

/// The coin with this fullcode, in any letter case.
pub fn find_coin(fullcode: &str) -> Option<&'static Coin> {
    COINS.iter().find(|c| c.fullcode.eq_ignore_ascii_case(fullcode.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullcodes_are_unique_and_found_in_any_case() {
        for c in COINS {
            assert_eq!(COINS.iter().filter(|o| o.fullcode == c.fullcode).count(), 1, "{}", c.fullcode);
            assert!(std::ptr::eq(find_coin(&c.fullcode.to_lowercase()).unwrap(), c));
            assert!(c.usd > Decimal::ZERO && c.fee > Decimal::ZERO && c.fee.scale() <= c.scale);
        }
        assert!(find_coin("DOGE").is_none());
    }
}
