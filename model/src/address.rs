//! The address, read by the app's own router (`nav`): which screen a path shows (the app's route table,
//! [`route`]) and the number it names, a link's parts and the query's values.
//! The web app's `nav` module follows the address with these.

use percent_encoding::percent_decode_str;
use std::num::NonZeroU64;

/// The app's screens, by the path that shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    /// `/invoice/:id`: an invoice's own page, the one a shared link opens.
    Invoice,
    /// `/` and `/invoices`.
    InvoiceList,
    /// `/invoices/new`.
    NewInvoice,
    /// `/invoice/:id/edit`.
    EditInvoice,
    /// `/invoice/:id/secrets`.
    Secrets,
    /// `/settings`: settings and the login.
    Settings,
    /// `/merchant`.
    Merchant,
    /// `/inbox`.
    Inbox,
    /// `/inbox/:conversation`.
    Conversation,
    /// `/inbox/payment/:payment`: the chat of one payment.
    PaymentChat,
    /// `/payments`.
    Payments,
    /// `/payment/:id`.
    Payment,
    /// `/events`.
    Events,
    /// Any other path.
    NotFound,
}

impl Screen {
    /// Whether a guest (nobody logged in) may use it: what a shared link shows (the invoice
    /// list's public part, an invoice), the login page, the merchant API's page (it uses its
    /// own key) and "no such page". Every other screen is someone's own.
    pub fn open_to_guests(self) -> bool {
        use Screen::*;
        matches!(self, Invoice | InvoiceList | Settings | Merchant | NotFound)
    }
}

/// A path read: its screen, and the number the path names, if the screen has one (`:id`,
/// `:conversation`, `:payment`): None when it is not a whole number above 0, which the
/// screen then says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    pub screen: Screen,
    pub number: Option<u64>,
}

/// The screen at `path` (no query). One trailing `/` is ignored; a number's segment must not
/// be empty.
pub fn route(path: &str) -> Route {
    use Screen::*;
    let path = if path.len() > 1 { path.strip_suffix('/').unwrap_or(path) } else { path };
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let number = |segment: &str| segment.parse::<NonZeroU64>().ok().map(NonZeroU64::get);
    let given = |segment: &&str| !segment.is_empty();
    let (screen, n) = match parts.as_slice() {
        [] | [""] | ["invoices"] => (InvoiceList, None),
        ["invoices", "new"] => (NewInvoice, None),
        ["invoice", id] if given(id) => (Invoice, number(id)),
        ["invoice", id, "edit"] if given(id) => (EditInvoice, number(id)),
        ["invoice", id, "secrets"] if given(id) => (Secrets, number(id)),
        ["settings"] => (Settings, None),
        ["merchant"] => (Merchant, None),
        ["inbox"] => (Inbox, None),
        ["inbox", "payment", id] if given(id) => (PaymentChat, number(id)),
        ["inbox", id] if given(id) => (Conversation, number(id)),
        ["payments"] => (Payments, None),
        ["payment", id] if given(id) => (Payment, number(id)),
        ["events"] => (Events, None),
        _ => (NotFound, None),
    };
    Route { screen, number: n }
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

/// Every `key=value` of a query (with or without its `?`), decoded as [`query_value`], in
/// order.
pub fn query_pairs(search: &str) -> Vec<(String, String)> {
    let search = search.strip_prefix('?').unwrap_or(search);
    search
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(part: &str) -> String {
    percent_decode_str(&part.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::login::{BUY_KEY, buy_path};
    use proptest::prelude::*;

    /// The invoice number of an invoice's own page (the page a shared link opens).
    fn invoice_number(path: &str) -> Option<u64> {
        let r = route(path);
        r.number.filter(|_| r.screen == Screen::Invoice)
    }

    #[test]
    fn an_invoice_page_is_one_segment_after_invoice() {
        assert_eq!(route("/invoice/5").screen, Screen::Invoice);
        assert_eq!(route("/invoice/abc").screen, Screen::Invoice);
        for other in ["/invoice/", "/invoice", "/invoice/5/edit", "/invoice/5/secrets", "/invoices", "/", "/payment/5"]
        {
            assert_ne!(route(other).screen, Screen::Invoice, "{other}");
        }
    }

    #[test]
    fn the_invoice_number_is_a_whole_number_above_zero() {
        assert_eq!(invoice_number("/invoice/42"), Some(42));
        for bad in ["/invoice/0", "/invoice/-1", "/invoice/abc", "/invoice/4.5", "/invoice/5/edit", "/invoices/5"] {
            assert_eq!(invoice_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_screen_has_its_path() {
        use Screen::*;
        let cases = [
            ("/", InvoiceList, None),
            ("", InvoiceList, None),
            ("/invoices", InvoiceList, None),
            ("/invoices/", InvoiceList, None),
            ("/invoices/new", NewInvoice, None),
            ("/invoice/7", Invoice, Some(7)),
            ("/invoice/7/", Invoice, Some(7)),
            ("/invoice/7/edit", EditInvoice, Some(7)),
            ("/invoice/7/secrets", Secrets, Some(7)),
            ("/settings", Settings, None),
            ("/merchant", Merchant, None),
            ("/inbox", Inbox, None),
            ("/inbox/3", Conversation, Some(3)),
            ("/inbox/payment/4", PaymentChat, Some(4)),
            ("/payments", Payments, None),
            ("/payment/9", Payment, Some(9)),
            ("/events", Events, None),
        ];
        for (path, screen, number) in cases {
            assert_eq!(route(path), Route { screen, number }, "{path}");
        }
    }

    #[test]
    fn a_bad_number_keeps_the_screen_and_an_unknown_path_is_not_found() {
        use Screen::*;
        assert_eq!(route("/invoice/abc"), Route { screen: Invoice, number: None });
        assert_eq!(route("/payment/0"), Route { screen: Payment, number: None });
        assert_eq!(route("/inbox/payment"), Route { screen: Conversation, number: None });
        for path in ["/invoice", "/invoice/", "/invoice//edit", "/nowhere", "/invoices/5", "/invoice/5/other"] {
            assert_eq!(route(path).screen, NotFound, "{path}");
        }
    }

    #[test]
    fn guests_may_open_only_what_is_not_someones_own() {
        for path in ["/", "/invoices", "/invoice/5", "/settings", "/merchant", "/nowhere"] {
            assert!(route(path).screen.open_to_guests(), "{path}");
        }
        for path in ["/invoices/new", "/invoice/5/edit", "/invoice/5/secrets", "/inbox", "/inbox/2", "/payments"] {
            assert!(!route(path).screen.open_to_guests(), "{path}");
        }
        for path in ["/inbox/payment/3", "/payment/3", "/events"] {
            assert!(!route(path).screen.open_to_guests(), "{path}");
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

    #[test]
    fn query_pairs_keep_their_order_and_skip_empty_parts() {
        let pairs = query_pairs("?tab=mine&&status=1%2C2&flag");
        let expected = [("tab", "mine"), ("status", "1,2"), ("flag", "")];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_string(), v.to_string())));
        assert!(query_pairs("").is_empty());
    }

    proptest! {
        #[test]
        fn a_numbered_screen_reads_its_number_back(n in 1u64.., which in 0usize..6) {
            let (path, screen) = [
                (format!("/invoice/{n}"), Screen::Invoice),
                (format!("/invoice/{n}/edit"), Screen::EditInvoice),
                (format!("/invoice/{n}/secrets"), Screen::Secrets),
                (format!("/inbox/{n}"), Screen::Conversation),
                (format!("/inbox/payment/{n}"), Screen::PaymentChat),
                (format!("/payment/{n}"), Screen::Payment),
            ][which].clone();
            prop_assert_eq!(route(&path), Route { screen, number: Some(n) });
        }

        #[test]
        fn a_purchase_path_reads_back(id in 1u64.., pieces in 1u32..) {
            let href = buy_path(id, pieces);
            let (path, search) = split_href(&href);
            prop_assert_eq!(route(path).screen, Screen::Invoice);
            prop_assert_eq!(invoice_number(path), Some(id));
            prop_assert_eq!(query_value(search, BUY_KEY), Some(pieces.to_string()));
        }

        #[test]
        fn any_address_reads_without_a_panic(path in "\\PC{0,40}", key in "[a-z]{1,5}") {
            let (p, search) = split_href(&path);
            let _ = (route(p), query_value(search, &key), query_pairs(search));
        }
    }
}
