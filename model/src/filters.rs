//! What selects the invoice list: a tab and filters, kept in the URL query (bookmarkable)
//! and turned into a GetInvoices request.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use schet_api::pb::{self, invoice::InvoiceStatus};

/// Page sizes the list offers.
pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];
const PAGE_DEFAULT: u32 = 20;

/// Every status, in the order the filter form lists them.
pub const ALL_STATUSES: [InvoiceStatus; 5] = [
    InvoiceStatus::Active,
    InvoiceStatus::PendingPay,
    InvoiceStatus::NoPieces,
    InvoiceStatus::Payed,
    InvoiceStatus::Deleted,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    All,
    Mine,
    ToMe,
    Public,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::All, Tab::Mine, Tab::ToMe, Tab::Public];

    pub fn code(self) -> &'static str {
        match self {
            Tab::All => "all",
            Tab::Mine => "mine",
            Tab::ToMe => "tome",
            Tab::Public => "public",
        }
    }

    fn from_code(code: &str) -> Tab {
        Tab::ALL.into_iter().find(|t| t.code() == code).unwrap_or_default()
    }
}

/// Everything that selects the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    pub tab: Tab,
    /// Mine (true), others' (false), or either.
    pub owner: Option<bool>,
    pub statuses: Vec<InvoiceStatus>,
    /// Private (true), public (false), or either.
    pub private: Option<bool>,
    /// One invoice by number (0: any).
    pub id: u64,
    pub to_user: String,
    pub count: u32,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            tab: Tab::All,
            owner: None,
            statuses: Vec::new(),
            private: None,
            id: 0,
            to_user: String::new(),
            count: PAGE_DEFAULT,
        }
    }
}

/// `yes`/`no` in the query.
pub fn flag_code(value: Option<bool>) -> &'static str {
    match value {
        None => "any",
        Some(true) => "yes",
        Some(false) => "no",
    }
}

pub fn flag_from_code(code: &str) -> Option<bool> {
    match code {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl Filters {
    /// From the query's values (`get("tab")`, already percent-decoded). Anything unknown
    /// or malformed is left at its default.
    pub fn from_query<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Filters {
        let statuses = get("status")
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.parse::<i32>().ok())
            .filter_map(|s| InvoiceStatus::try_from(s).ok())
            .collect();
        Filters {
            tab: get("tab").map(Tab::from_code).unwrap_or_default(),
            owner: get("owner").and_then(flag_from_code),
            statuses,
            private: get("private").and_then(flag_from_code),
            id: get("id").and_then(|v| v.parse().ok()).unwrap_or(0),
            to_user: get("to").unwrap_or_default().to_string(),
            count: get("count").and_then(|c| c.parse().ok()).filter(|c| PAGE_SIZES.contains(c)).unwrap_or(PAGE_DEFAULT),
        }
    }

    /// The query string (`?tab=mine&status=0,3`), without defaults.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if self.tab != Tab::All {
            parts.push(format!("tab={}", self.tab.code()));
        }
        if self.owner.is_some() {
            parts.push(format!("owner={}", flag_code(self.owner)));
        }
        if !self.statuses.is_empty() {
            let list: Vec<String> = self.statuses.iter().map(|s| (*s as i32).to_string()).collect();
            parts.push(format!("status={}", list.join(",")));
        }
        if self.private.is_some() {
            parts.push(format!("private={}", flag_code(self.private)));
        }
        if self.id != 0 {
            parts.push(format!("id={}", self.id));
        }
        if !self.to_user.is_empty() {
            parts.push(format!("to={}", utf8_percent_encode(&self.to_user, NON_ALPHANUMERIC)));
        }
        if self.count != PAGE_DEFAULT {
            parts.push(format!("count={}", self.count));
        }
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }

    /// Turns status `s` on or off (the list stays in status order).
    pub fn toggle_status(&mut self, s: InvoiceStatus, on: bool) {
        self.statuses.retain(|x| *x != s);
        if on {
            let at = self.statuses.iter().position(|x| *x > s).unwrap_or(self.statuses.len());
            self.statuses.insert(at, s);
        }
    }

    /// The request for one page after `last_id` (0: the first) for user `me` (their name);
    /// the tab adds its own filter on top of the chosen ones.
    pub fn request(&self, me: &str, last_id: u64) -> pb::GetInvoicesRequest {
        let mut r = pb::GetInvoicesRequest {
            is_owner: self.owner.unwrap_or(false),
            is_owner_has_value: self.owner.is_some(),
            statuses: self.statuses.iter().map(|s| *s as i32).collect(),
            is_status_has_value: !self.statuses.is_empty(),
            is_private: self.private.unwrap_or(false),
            is_private_has_value: self.private.is_some(),
            id: self.id,
            to_user: self.to_user.clone(),
            last_id,
            count: self.count,
        };
        match self.tab {
            Tab::All => {}
            Tab::Mine => {
                r.is_owner = true;
                r.is_owner_has_value = true;
            }
            Tab::ToMe => r.to_user = me.to_string(),
            Tab::Public => {
                r.is_private = false;
                r.is_private_has_value = true;
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads a query string as the app's `nav` does: `&`-separated `key=value`, percent-decoded.
    fn parse(query: &str) -> Filters {
        let pairs: Vec<(String, String)> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned()))
            .collect();
        Filters::from_query(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()))
    }

    #[test]
    fn defaults_make_no_query() {
        assert_eq!(Filters::default().to_query(), "");
        assert_eq!(parse(""), Filters::default());
    }

    #[test]
    fn a_query_reads_as_a_person_wrote_it() {
        let f = parse("?tab=mine&status=4,0,9,x&private=no&to=b%C3%B6b%20x&count=50&owner=maybe");
        assert_eq!(f.tab, Tab::Mine);
        assert_eq!(f.statuses, vec![InvoiceStatus::Deleted, InvoiceStatus::Active], "unknown statuses dropped");
        assert_eq!((f.private, f.owner), (Some(false), None));
        assert_eq!((f.to_user.as_str(), f.count), ("böb x", 50));
        assert_eq!(parse("?count=7").count, 20, "only offered page sizes");
        assert_eq!(parse("?tab=nope").tab, Tab::All);
    }

    #[test]
    fn each_tab_adds_its_own_filter() {
        let f = Filters { private: Some(true), ..Filters::default() };
        let mine = Filters { tab: Tab::Mine, ..f.clone() }.request("bob", 0);
        assert!(mine.is_owner && mine.is_owner_has_value);
        assert_eq!(Filters { tab: Tab::ToMe, ..f.clone() }.request("bob", 7).to_user, "bob");
        let public = Filters { tab: Tab::Public, ..f.clone() }.request("bob", 0);
        assert!(!public.is_private && public.is_private_has_value, "the tab wins over the filter");
        let all = f.request("bob", 42);
        assert_eq!((all.is_private, all.last_id, all.count, all.is_status_has_value), (true, 42, 20, false));
    }

    #[test]
    fn statuses_toggle_in_order() {
        let mut f = Filters::default();
        f.toggle_status(InvoiceStatus::Deleted, true);
        f.toggle_status(InvoiceStatus::Active, true);
        f.toggle_status(InvoiceStatus::Active, true);
        assert_eq!(f.statuses, vec![InvoiceStatus::Active, InvoiceStatus::Deleted]);
        f.toggle_status(InvoiceStatus::Deleted, false);
        assert_eq!(f.statuses, vec![InvoiceStatus::Active]);
    }

    fn flag() -> impl Strategy<Value = Option<bool>> {
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]
    }

    fn filters() -> impl Strategy<Value = Filters> {
        (0usize..4, flag(), proptest::collection::vec(0usize..5, 0..5), flag(), any::<u64>(), "\\PC{0,16}", 0usize..4)
            .prop_map(|(tab, owner, statuses, private, id, to_user, count)| Filters {
                tab: Tab::ALL[tab],
                owner,
                statuses: statuses.into_iter().map(|s| ALL_STATUSES[s]).collect(),
                private,
                id,
                to_user,
                count: PAGE_SIZES[count],
            })
    }

    proptest! {
        #[test]
        fn every_filter_survives_the_url(f in filters()) {
            prop_assert_eq!(parse(&f.to_query()), f);
        }

        #[test]
        fn the_request_keeps_every_chosen_filter(f in filters(), last in any::<u64>()) {
            let r = f.request("me", last);
            prop_assert_eq!((r.id, r.last_id, r.count), (f.id, last, f.count));
            prop_assert_eq!(r.statuses.len(), f.statuses.len());
            if f.tab == Tab::All {
                prop_assert_eq!((r.is_owner_has_value, r.is_private_has_value), (f.owner.is_some(), f.private.is_some()));
            }
        }
    }
}
