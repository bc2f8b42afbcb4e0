//! The user's conversations as last known: which thread a conversation is, who the other
//! party is, unread counts, and merging what the service sends into what is known.
//!
//! The service sends a conversation's newest page of messages (a read, a send's answer),
//! an older page asked for, or a live event carrying only the new message: [`Conversations::merge`] takes
//! each, keeping every message once, by id, and knows whether older ones are left to read.

use schet_api::pb::{self, conversation::Parent};
use std::collections::HashMap;

/// Which conversation: one per (invoice, buyer), one per payment. Known before the
/// conversation exists (a buyer's first message on an invoice page).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Thread {
    Invoice { invoice_id: u64, buyer_id: String },
    Payment { payment_id: u64 },
}

impl Thread {
    pub fn of(c: &pb::Conversation) -> Option<Thread> {
        match &c.parent {
            Some(Parent::Invoice(i)) => {
                Some(Thread::Invoice { invoice_id: i.id, buyer_id: c.buyer.as_ref().map(|b| b.id.clone())? })
            }
            Some(Parent::Payment(p)) => Some(Thread::Payment { payment_id: p.id }),
            None => None,
        }
    }

    /// A stable name for keys in storage.
    pub fn key(&self) -> String {
        match self {
            Thread::Invoice { invoice_id, buyer_id } => format!("i{invoice_id}.{buyer_id}"),
            Thread::Payment { payment_id } => format!("p{payment_id}"),
        }
    }
}

/// The other party of `c` for the user `me`.
pub fn other_party<'a>(c: &'a pb::Conversation, me: &str) -> Option<&'a pb::UserInfo> {
    let seller = c.seller.as_ref();
    if seller.is_some_and(|s| s.id == me) { c.buyer.as_ref() } else { seller }
}

/// The id of the last message (0: none).
pub fn last_id(c: &pb::Conversation) -> u64 {
    c.messages.iter().map(|m| m.id).max().unwrap_or(0)
}

/// Messages from the other party after `seen` (the last message id read).
pub fn unread(c: &pb::Conversation, me: &str, seen: u64) -> usize {
    c.messages.iter().filter(|m| m.id > seen && m.owner_id != me).count()
}

/// Unread messages over all conversations; `seen`: conversation id → last message id read.
pub fn unread_total(list: &[pb::Conversation], me: &str, seen: &HashMap<u64, u64>) -> usize {
    list.iter().map(|c| unread(c, me, seen.get(&c.id).copied().unwrap_or(0))).sum()
}

/// How what the service sent about a conversation relates to what is known of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrived {
    /// Its newest messages, without gaps (a read, a send's answer); `HasOlderMessages` says
    /// whether older ones exist.
    Newest,
    /// A page of older messages, asked for before the oldest one known.
    Older,
    /// New messages alone (a live event): what is known of older ones stays.
    New,
}

/// My conversations as known, latest message first (read as a slice), and for each how far
/// its messages are known without a gap.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conversations {
    list: Vec<pb::Conversation>,
    /// Conversation id → the newest message up to which every message from the oldest one
    /// known on is known (read from the service, not only heard live).
    through: HashMap<u64, u64>,
}

impl std::ops::Deref for Conversations {
    type Target = [pb::Conversation];
    fn deref(&self) -> &[pb::Conversation] {
        &self.list
    }
}

impl Conversations {
    /// Puts what the service sent about a conversation in: its messages join the known ones
    /// (by id: a repeat changes nothing), the rest of it (parties, parent) is taken from the
    /// newer copy, and whether older messages exist is what the copy holding the oldest
    /// message said. A newest page that starts after the last message known without a gap
    /// may have missed messages between (a long time away): what is known before it is let
    /// go, and paging back brings it again, whole.
    pub fn merge(&mut self, c: pb::Conversation, arrived: Arrived) {
        let through = self.through.entry(c.id).or_insert(0);
        let (theirs, newest) = (oldest_of(&c.messages), last_id_of(&c.messages));
        match self.list.iter_mut().find(|x| x.id == c.id) {
            Some(known) => {
                let mut messages = std::mem::take(&mut known.messages);
                let mut known_older = known.has_older_messages;
                let before = oldest_of(&messages);
                match arrived {
                    Arrived::Newest if !c.messages.is_empty() => {
                        if c.has_older_messages && theirs > *through {
                            messages.retain(|m| m.id > theirs);
                            known_older = true;
                        }
                        *through = (*through).max(newest);
                    }
                    Arrived::Older => *through = (*through).max(before),
                    Arrived::Newest | Arrived::New => {}
                }
                let has_older = match (arrived, c.messages.is_empty()) {
                    (Arrived::Older, true) => false,
                    (_, true) => known_older,
                    (_, false) if messages.is_empty() || theirs <= oldest_of(&messages) => c.has_older_messages,
                    (_, false) => known_older,
                };
                let newer = newest >= last_id_of(&messages);
                for m in &c.messages {
                    insert(&mut messages, m.clone());
                }
                if newer {
                    *known = pb::Conversation { messages, ..c };
                } else {
                    known.messages = messages;
                }
                known.has_older_messages = has_older;
            }
            None => {
                if arrived != Arrived::New {
                    *through = newest;
                }
                let mut c = c;
                let arrived = std::mem::take(&mut c.messages);
                for m in arrived {
                    insert(&mut c.messages, m);
                }
                self.list.push(c);
            }
        }
        sort(&mut self.list);
    }

    /// Merges a fresh read of every conversation (their newest messages) in (messages known
    /// only here, say one that arrived during the read, are kept).
    pub fn merge_all(&mut self, fresh: Vec<pb::Conversation>) {
        for c in fresh {
            self.merge(c, Arrived::Newest);
        }
    }
}

fn last_id_of(messages: &[pb::ConversationMessage]) -> u64 {
    messages.iter().map(|m| m.id).max().unwrap_or(0)
}

fn oldest_of(messages: &[pb::ConversationMessage]) -> u64 {
    messages.iter().map(|m| m.id).min().unwrap_or(0)
}

/// The id of the oldest message known (0: none): older pages are read before it.
pub fn oldest_id(c: &pb::Conversation) -> u64 {
    oldest_of(&c.messages)
}

/// Puts `m` in its place by id (replacing a message with its id).
fn insert(messages: &mut Vec<pb::ConversationMessage>, m: pb::ConversationMessage) {
    match messages.binary_search_by_key(&m.id, |x| x.id) {
        Ok(i) => messages[i] = m,
        Err(i) => messages.insert(i, m),
    }
}

/// The buyers of invoice `invoice_id` among payments I received (newest first), each once,
/// newest purchase first: whom its seller may write to first.
pub fn buyers_of(invoice_id: u64, payments: &[pb::InvoicePayment]) -> Vec<pb::UserInfo> {
    let mut out: Vec<pb::UserInfo> = Vec::new();
    for p in payments.iter().filter(|p| p.invoice.as_ref().is_some_and(|i| i.id == invoice_id)) {
        if let Some(b) = &p.owner
            && !out.iter().any(|u| u.id == b.id)
        {
            out.push(b.clone());
        }
    }
    out
}

/// Whether the page of received payments after `page` (a full page of `size`, newest first)
/// can hold more of the invoice created at `created`: not once the page reaches payments
/// made before the invoice existed.
pub fn more_buyers_after(page: &[pb::InvoicePayment], size: u32, created: Option<&prost_types::Timestamp>) -> bool {
    let oldest = page.last().and_then(|p| p.created_at.as_ref());
    let before_invoice = match (oldest, created) {
        (Some(o), Some(c)) => (o.seconds, o.nanos) < (c.seconds, c.nanos),
        _ => false,
    };
    page.len() as u32 == size && !before_invoice
}

/// Latest message first; then newest conversation.
fn sort(list: &mut [pb::Conversation]) {
    list.sort_by(|a, b| last_id(b).cmp(&last_id(a)).then(b.id.cmp(&a.id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msg(id: u64, owner: &str) -> pb::ConversationMessage {
        pb::ConversationMessage { id, owner_id: owner.into(), text: format!("m{id}"), ..Default::default() }
    }

    fn conv(id: u64, messages: &[u64]) -> pb::Conversation {
        pb::Conversation {
            id,
            seller: Some(pb::UserInfo { id: "s".into(), ..Default::default() }),
            buyer: Some(pb::UserInfo { id: "b".into(), ..Default::default() }),
            messages: messages.iter().map(|m| msg(*m, if m % 2 == 0 { "s" } else { "b" })).collect(),
            ..Default::default()
        }
    }

    fn ids(c: &pb::Conversation) -> Vec<u64> {
        c.messages.iter().map(|m| m.id).collect()
    }

    #[test]
    fn a_new_message_alone_joins_the_conversation() {
        let mut list = Conversations::default();
        list.merge(conv(1, &[1, 2, 3]), Arrived::Newest);
        list.merge(conv(1, &[4]), Arrived::New);
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4]);
        list.merge(conv(1, &[4]), Arrived::New);
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4], "a repeat changes nothing");
        list.merge(conv(1, &[1, 2]), Arrived::Newest);
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4], "an older copy loses nothing");
    }

    #[test]
    fn the_list_is_latest_first() {
        let mut list = Conversations::default();
        list.merge_all(vec![conv(1, &[5]), conv(2, &[3]), conv(3, &[])]);
        assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2, 3]);
        list.merge(conv(2, &[9]), Arrived::New);
        assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), vec![2, 1, 3]);
    }

    #[test]
    fn unread_counts_the_other_partys_messages_after_the_last_seen() {
        let c = conv(1, &[1, 2, 3, 4, 5]);
        assert_eq!((unread(&c, "s", 0), unread(&c, "s", 3), unread(&c, "b", 0)), (3, 1, 2));
        let seen = HashMap::from([(1, 5)]);
        assert_eq!(unread_total(&[c, conv(2, &[7])], "s", &seen), 1);
    }

    #[test]
    fn threads_and_parties() {
        let mut c = conv(1, &[]);
        assert_eq!(Thread::of(&c), None, "no parent");
        c.parent = Some(Parent::Invoice(pb::Invoice { id: 12, ..Default::default() }));
        let thread = Thread::of(&c).unwrap();
        assert_eq!((thread.key().as_str(), other_party(&c, "s").map(|u| u.id.as_str())), ("i12.b", Some("b")));
        assert_eq!(other_party(&c, "b").map(|u| u.id.as_str()), Some("s"));
        c.parent = Some(Parent::Payment(pb::InvoicePayment { id: 7, ..Default::default() }));
        assert_eq!(Thread::of(&c), Some(Thread::Payment { payment_id: 7 }));
    }

    #[test]
    fn buyers_of_an_invoice_once_each_and_paging_stops_before_it_existed() {
        let pay = |id: u64, invoice: u64, buyer: &str, at: i64| pb::InvoicePayment {
            id,
            invoice: Some(pb::Invoice { id: invoice, ..Default::default() }),
            owner: Some(pb::UserInfo { id: buyer.into(), ..Default::default() }),
            created_at: Some(prost_types::Timestamp { seconds: at, nanos: 0 }),
            ..Default::default()
        };
        let page = vec![pay(9, 5, "x", 90), pay(8, 4, "y", 80), pay(7, 5, "z", 70), pay(6, 5, "x", 60)];
        let ids: Vec<String> = buyers_of(5, &page).into_iter().map(|u| u.id).collect();
        assert_eq!(ids, vec!["x", "z"]);
        let created = |at: i64| Some(prost_types::Timestamp { seconds: at, nanos: 0 });
        assert!(more_buyers_after(&page, 4, created(50).as_ref()), "a full page, all after the invoice");
        assert!(!more_buyers_after(&page, 5, created(50).as_ref()), "a short page is the last");
        assert!(!more_buyers_after(&page, 4, created(65).as_ref()), "reached payments older than the invoice");
    }

    fn page(id: u64, messages: std::ops::RangeInclusive<u64>, older: bool) -> pb::Conversation {
        pb::Conversation { has_older_messages: older, ..conv(id, &messages.collect::<Vec<_>>()) }
    }

    #[test]
    fn older_pages_join_below_and_say_when_none_are_left() {
        let mut list = Conversations::default();
        list.merge(page(1, 71..=100, true), Arrived::Newest);
        assert!(list[0].has_older_messages);
        assert_eq!(oldest_id(&list[0]), 71);
        list.merge(page(1, 41..=70, true), Arrived::Older);
        assert!(list[0].has_older_messages);
        // A live message and a send's answer (the newest page) while paging: nothing lost.
        list.merge(page(1, 101..=101, true), Arrived::New);
        list.merge(page(1, 73..=102, true), Arrived::Newest);
        list.merge(page(1, 1..=40, false), Arrived::Older);
        assert_eq!(ids(&list[0]), (1..=102).collect::<Vec<_>>());
        assert!(!list[0].has_older_messages, "all read");
        list.merge(page(1, 103..=103, true), Arrived::New);
        list.merge(page(1, 74..=103, true), Arrived::Newest);
        assert!(!list[0].has_older_messages, "a live message or a newest page does not bring older ones back");
        list.merge(page(1, 1..=0, false), Arrived::Older);
        assert!(!list[0].has_older_messages);
        assert_eq!(ids(&list[0]).len(), 103);
    }

    #[test]
    fn a_live_message_alone_leaves_older_ones_to_read() {
        let mut list = Conversations::default();
        list.merge(page(1, 9..=9, true), Arrived::New);
        assert!(list[0].has_older_messages, "a conversation first heard of live has older messages");
        list.merge(page(1, 1..=10, false), Arrived::Newest);
        assert!(!list[0].has_older_messages);
    }

    #[test]
    fn a_newest_page_after_a_gap_lets_go_of_what_came_before_it() {
        let mut list = Conversations::default();
        list.merge(page(1, 1..=30, false), Arrived::Newest);
        // Away: 31..=60 missed; the catch-up reads the newest 30 and an event came meanwhile.
        list.merge(page(1, 91..=91, true), Arrived::New);
        list.merge(page(1, 61..=90, true), Arrived::Newest);
        assert_eq!(ids(&list[0]), (61..=91).collect::<Vec<_>>(), "no gap shown as if it were the whole story");
        assert!(list[0].has_older_messages, "older ones to read again");
        list.merge(page(1, 1..=60, false), Arrived::Older);
        assert_eq!(ids(&list[0]), (1..=91).collect::<Vec<_>>());
    }

    /// Steps of a client against a conversation on the service: a message posted (heard
    /// live or not), the newest page read, an older page read.
    #[derive(Debug, Clone)]
    enum Step {
        Post { gap: u64, heard: bool },
        ReadNewest,
        ReadOlder,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1u64..4, proptest::bool::weighted(0.9)).prop_map(|(gap, heard)| Step::Post { gap, heard }),
            Just(Step::ReadNewest),
            Just(Step::ReadOlder),
        ]
    }

    /// The service's page: the newest `count` of `all` before `before` (0: the newest).
    fn serve(all: &[u64], before: u64, count: usize) -> pb::Conversation {
        let below: Vec<u64> = all.iter().copied().filter(|m| before == 0 || *m < before).collect();
        let from = below.len().saturating_sub(count);
        pb::Conversation { has_older_messages: from > 0, ..conv(1, &below[from..]) }
    }

    proptest! {
        /// Whatever the order of live messages, reads and older pages, what is shown is the
        /// service's conversation from the oldest message known on, each message once, in
        /// order, with no gap; "older messages" is offered exactly while some exist; paging
        /// back until none are left shows the whole conversation.
        #[test]
        fn paging_back_shows_every_message_once_without_gaps(
            first in 0usize..40,
            count in 1usize..12,
            steps in proptest::collection::vec(step(), 0..40),
        ) {
            let mut all: Vec<u64> = (1..=first as u64).map(|i| i * 2).collect();
            let mut list = Conversations::default();
            list.merge(serve(&all, 0, count), Arrived::Newest);
            for s in steps {
                match s {
                    Step::Post { gap, heard } => {
                        let id = all.last().copied().unwrap_or(0) + gap;
                        all.push(id);
                        if heard {
                            let event = pb::Conversation { has_older_messages: all.len() > 1, ..conv(1, &[id]) };
                            list.merge(event, Arrived::New);
                        }
                    }
                    Step::ReadNewest => list.merge(serve(&all, 0, count), Arrived::Newest),
                    Step::ReadOlder => {
                        let before = oldest_id(&list[0]);
                        if list[0].has_older_messages && before > 0 {
                            list.merge(serve(&all, before, count), Arrived::Older);
                        }
                    }
                }
                let c = &list[0];
                let (from, through) = (oldest_id(c), list.through.get(&1).copied().unwrap_or(0));
                let shown = ids(c);
                prop_assert!(shown.windows(2).all(|w| w[0] < w[1]), "in order, once each");
                prop_assert!(shown.iter().all(|m| all.contains(m)));
                // No gap from the oldest shown to the last one read (only a message missed
                // live may be absent after it, until the next read of the newest).
                let whole: Vec<u64> = all.iter().copied().filter(|m| *m >= from && *m <= through).collect();
                let kept: Vec<u64> = shown.iter().copied().filter(|m| *m <= through).collect();
                prop_assert_eq!(kept, whole);
                if !shown.is_empty() {
                    prop_assert_eq!(c.has_older_messages, all.iter().any(|m| *m < from), "older offered exactly when some exist");
                }
            }
            // Read the newest (catching up on anything missed), then page back to the start.
            list.merge(serve(&all, 0, count), Arrived::Newest);
            let mut guard = 0;
            while list[0].has_older_messages && guard < 100 {
                let before = oldest_id(&list[0]);
                list.merge(serve(&all, before, count), Arrived::Older);
                guard += 1;
            }
            prop_assert_eq!(ids(&list[0]), all);
        }

        /// However the messages arrive (whole conversations, single messages, repeats, out of
        /// order), every message is there once, in order.
        #[test]
        fn merging_in_any_order_keeps_each_message_once(
            parts in proptest::collection::vec((0u64..3, proptest::collection::btree_set(1u64..40, 0..6)), 0..20),
        ) {
            let mut list = Conversations::default();
            let mut expected: HashMap<u64, std::collections::BTreeSet<u64>> = HashMap::new();
            for (id, messages) in parts {
                let ms: Vec<u64> = messages.iter().copied().collect();
                expected.entry(id).or_default().extend(ms.iter().copied());
                list.merge(conv(id, &ms), Arrived::New);
            }
            prop_assert_eq!(list.len(), expected.len());
            for c in list.iter() {
                let want: Vec<u64> = expected[&c.id].iter().copied().collect();
                prop_assert_eq!(ids(c), want);
            }
            prop_assert!(list.windows(2).all(|w| last_id(&w[0]) >= last_id(&w[1])));
        }
    }
}
