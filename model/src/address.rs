//! The parts of the address the app reads without the router: the shared link's page is
//! shown before the router's code is there (the web app's `nav` module), so the invoice
//! number, a query value and "is this the same page" are read here.

use percent_encoding::percent_decode_str;
use std::num::NonZeroU64;

/// Whether `path` is an invoice's own page (`/invoice/:id`, one segment after it, as the
/// router matches it): the page a shared link opens.
pub fn is_invoice_page(path: &str) -> bool {
    path.strip_prefix("/invoice/").is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// The invoice number of an invoice's page, None when the path is not one or its number is
/// not a whole number above 0 (the page then says what an invoice number is).
pub fn invoice_id(path: &str) -> Option<u64> {
    let id = path.strip_prefix("/invoice/").filter(|_| is_invoice_page(path))?;
    id.parse::<NonZeroU64>().ok().map(NonZeroU64::get)
}

/// A link's path and query (without the `?`), the fragment dropped.
pub fn split_href(href: &str) -> (&str, &str) {
    let href = href.split('#').next().unwrap_or_default();
    href.split_once('?').unwrap_or((href, ""))
}

/// The value of `key` in a query (`a=1&b=2`, with or without its `?`), percent-decoded, `+`
/// read as a space; the first one when the key repeats.
pub fn query_value(search: &str, key: &str) -> Option<String> {
    let search = search.strip_prefix('?').unwrap_or(search);
    search.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k) == key).then(|| decode(v))
    })
}

fn decode(part: &str) -> String {
    percent_decode_str(&part.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::login::{BUY_KEY, buy_path};
    use proptest::prelude::*;

    #[test]
    fn an_invoice_page_is_one_segment_after_invoice() {
        assert!(is_invoice_page("/invoice/5"));
        assert!(is_invoice_page("/invoice/abc"));
        for other in ["/invoice/", "/invoice", "/invoice/5/edit", "/invoice/5/secrets", "/invoices", "/", "/payment/5"]
        {
            assert!(!is_invoice_page(other), "{other}");
        }
    }

    #[test]
    fn the_invoice_number_is_a_whole_number_above_zero() {
        assert_eq!(invoice_id("/invoice/42"), Some(42));
        for bad in ["/invoice/0", "/invoice/-1", "/invoice/abc", "/invoice/4.5", "/invoice/5/edit", "/invoices/5"] {
            assert_eq!(invoice_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_link_splits_into_path_and_query_without_the_fragment() {
        assert_eq!(split_href("/invoice/5?buy=2#top"), ("/invoice/5", "buy=2"));
        assert_eq!(split_href("/invoices"), ("/invoices", ""));
        assert_eq!(split_href("/invoices#x"), ("/invoices", ""));
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(query_value("?buy=3&x=1", "buy").as_deref(), Some("3"));
        assert_eq!(query_value("x=1&buy=3", "buy").as_deref(), Some("3"));
        assert_eq!(query_value("next=%2Finvoice%2F5%3Fbuy%3D2", "next").as_deref(), Some("/invoice/5?buy=2"));
        assert_eq!(query_value("q=a+b", "q").as_deref(), Some("a b"));
        assert_eq!(query_value("flag", "flag").as_deref(), Some(""));
        assert_eq!(query_value("buy=1&buy=2", "buy").as_deref(), Some("1"));
        assert_eq!(query_value("", "buy"), None);
        assert_eq!(query_value("buyer=1", "buy"), None);
    }

    proptest! {
        #[test]
        fn a_purchase_path_reads_back(id in 1u64.., pieces in 1u32..) {
            let href = buy_path(id, pieces);
            let (path, search) = split_href(&href);
            prop_assert!(is_invoice_page(path));
            prop_assert_eq!(invoice_id(path), Some(id));
            prop_assert_eq!(query_value(search, BUY_KEY), Some(pieces.to_string()));
        }

        #[test]
        fn any_address_reads_without_a_panic(path in "\\PC{0,40}", key in "[a-z]{1,5}") {
            let (p, search) = split_href(&path);
            let _ = (is_invoice_page(p), invoice_id(p), query_value(search, &key));
        }
    }
}
