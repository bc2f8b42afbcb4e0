//! Logging in from where a person is: the way to the login page and back
//! (`/settings?next=…`), a login link's token taken out of the address, and a purchase started as a guest ("Log in to buy") carried through the login.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The login page.
pub const LOGIN_PATH: &str = "/settings";

/// Longest `next` kept (a path with its query); anything longer is dropped.
const NEXT_MAX: usize = 2048;

/// What a query value may not hold as is.
const QUERY_VALUE: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'&').add(b'+').add(b'<').add(b'>').add(b'=').add(b'?');

/// `next` if it is a path of this site to come back to (`/invoice/5?buy=2`); None for
/// anything that could lead elsewhere (`//host`, `https://…`, `/\host`) or is malformed.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= NEXT_MAX
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

/// The login page, coming back to `next` (a path with its query) afterwards.
pub fn login_href(next: &str) -> String {
    match safe_next(next) {
        Some(next) if next != LOGIN_PATH && !next.starts_with("/settings?") => {
            format!("{LOGIN_PATH}?next={}", utf8_percent_encode(next, QUERY_VALUE))
        }
        _ => LOGIN_PATH.to_string(),
    }
}

/// A query string (`?a=1&b=2`, or empty) of `pairs` without the keys in `drop`, in order.
pub fn query_without(pairs: &[(String, String)], drop: &[&str]) -> String {
    let kept: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .map(|(k, v)| format!("{}={}", utf8_percent_encode(k, QUERY_VALUE), utf8_percent_encode(v, QUERY_VALUE)))
        .collect();
    if kept.is_empty() { String::new() } else { format!("?{}", kept.join("&")) }
}

/// The query key of a purchase begun as a guest: `/invoice/5?buy=2` opens the invoice with
/// 2 pieces chosen and the confirmation open.
pub const BUY_KEY: &str = "buy";

/// The invoice page to come back to after logging in, with the pieces chosen.
pub fn buy_path(invoice_id: u64, pieces: u32) -> String {
    format!("/invoice/{invoice_id}?{BUY_KEY}={pieces}")
}

/// The pieces of a `buy` value: a whole number above 0.
pub fn buy_pieces(value: &str) -> Option<u32> {
    value.trim().parse::<u32>().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/invoice/5?buy=2"), Some("/invoice/5?buy=2"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "invoice/5", "", "/a\nb", "/a\\b"] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), None);
    }

    #[test]
    fn the_login_link_carries_the_way_back() {
        assert_eq!(login_href("/invoice/5?buy=2"), "/settings?next=/invoice/5%3Fbuy%3D2");
        assert_eq!(login_href("/settings"), "/settings", "no way back to the login page itself");
        assert_eq!(login_href("/settings?token=x"), "/settings");
        assert_eq!(login_href("//evil.example"), "/settings");
        assert_eq!(login_href("/a b&c#d"), "/settings?next=/a%20b%26c%23d");
    }

    #[test]
    fn the_token_leaves_the_query_and_the_rest_stays() {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let q = pairs(&[("token", "secret"), ("merchant", "login"), ("next", "/invoice/5?buy=2")]);
        assert_eq!(query_without(&q, &["token"]), "?merchant=login&next=/invoice/5%3Fbuy%3D2");
        assert_eq!(query_without(&pairs(&[("token", "x")]), &["token"]), "");
        assert_eq!(query_without(&[], &["token"]), "");
    }

    #[test]
    fn a_purchase_comes_back_with_its_pieces() {
        assert_eq!(buy_path(5, 2), "/invoice/5?buy=2");
        assert_eq!(buy_pieces("2"), Some(2));
        for bad in ["0", "-1", "x", "", "99999999999"] {
            assert_eq!(buy_pieces(bad), None, "{bad}");
        }
    }

    proptest! {
        /// Whatever is asked, the login link leads to the login page and back to this site only.
        #[test]
        fn the_way_back_never_leaves_the_site(next in "\\PC{0,60}") {
            let href = login_href(&next);
            prop_assert!(href == LOGIN_PATH || href.starts_with("/settings?next=/"));
            prop_assert!(!href.contains("next=//"));
        }
    }
}
