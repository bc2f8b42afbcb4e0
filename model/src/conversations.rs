//! The user's conversations as last known: which thread a conversation is, who the other
//! party is, unread counts, and merging what the service sends into what is known.
//!
//! The service sends conversations whole (a read, a send's answer, a live event) or, soon, a
//! live event carrying only the new message: [`merge`] takes either, keeping every message
//! once, by id.

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

/// Puts what the service sent about a conversation into `list`: its messages join the known
/// ones (by id: a repeat changes nothing), the rest of it (parties, parent) is taken from
/// the newer copy. The list stays latest first.
pub fn merge(list: &mut Vec<pb::Conversation>, c: pb::Conversation) {
    match list.iter_mut().find(|x| x.id == c.id) {
        Some(known) => {
            let mut messages = std::mem::take(&mut known.messages);
            let newer = last_id(&c) >= last_id_of(&messages);
            for m in &c.messages {
                insert(&mut messages, m.clone());
            }
            if newer {
                *known = pb::Conversation { messages, ..c };
            } else {
                known.messages = messages;
            }
        }
        None => {
            let mut c = c;
            let arrived = std::mem::take(&mut c.messages);
            for m in arrived {
                insert(&mut c.messages, m);
            }
            list.push(c);
        }
    }
    sort(list);
}

fn last_id_of(messages: &[pb::ConversationMessage]) -> u64 {
    messages.iter().map(|m| m.id).max().unwrap_or(0)
}

/// Puts `m` in its place by id (replacing a message with its id).
fn insert(messages: &mut Vec<pb::ConversationMessage>, m: pb::ConversationMessage) {
    match messages.binary_search_by_key(&m.id, |x| x.id) {
        Ok(i) => messages[i] = m,
        Err(i) => messages.insert(i, m),
    }
}

/// Merges a fresh read of every conversation into `list` (messages known only here, say one
/// that arrived during the read, are kept).
pub fn merge_all(list: &mut Vec<pb::Conversation>, fresh: Vec<pb::Conversation>) {
    for c in fresh {
        merge(list, c);
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
        let mut list = vec![conv(1, &[1, 2, 3])];
        merge(&mut list, conv(1, &[4]));
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4]);
        merge(&mut list, conv(1, &[4]));
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4], "a repeat changes nothing");
        merge(&mut list, conv(1, &[1, 2]));
        assert_eq!(ids(&list[0]), vec![1, 2, 3, 4], "an older copy loses nothing");
    }

    #[test]
    fn the_list_is_latest_first() {
        let mut list = Vec::new();
        merge_all(&mut list, vec![conv(1, &[5]), conv(2, &[3]), conv(3, &[])]);
        assert_eq!(list.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2, 3]);
        merge(&mut list, conv(2, &[9]));
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

    proptest! {
        /// However the messages arrive (whole conversations, single messages, repeats, out of
        /// order), every message is there once, in order.
        #[test]
        fn merging_in_any_order_keeps_each_message_once(
            parts in proptest::collection::vec((0u64..3, proptest::collection::btree_set(1u64..40, 0..6)), 0..20),
        ) {
            let mut list = Vec::new();
            let mut expected: HashMap<u64, std::collections::BTreeSet<u64>> = HashMap::new();
            for (id, messages) in parts {
                let ms: Vec<u64> = messages.iter().copied().collect();
                expected.entry(id).or_default().extend(ms.iter().copied());
                merge(&mut list, conv(id, &ms));
            }
            prop_assert_eq!(list.len(), expected.len());
            for c in &list {
                let want: Vec<u64> = expected[&c.id].iter().copied().collect();
                prop_assert_eq!(ids(c), want);
            }
            prop_assert!(list.windows(2).all(|w| last_id(&w[0]) >= last_id(&w[1])));
        }
    }
}
