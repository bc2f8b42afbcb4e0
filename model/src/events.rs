//! Notifications: what SubscribeNewEvents delivers, and what a catch-up after (re)connecting
//! finds, as short notes for the events view, kept per login in the browser.
//!
//! A note says what happened, to which invoice, payment or conversation, who did it, and
//! for how much: never a comment, a message's text or a secret (those stay on the service;
//! the view shows them from what it has loaded). Each is new until opened or "Mark all
//! read"; a message's note is new while the message is unread in its conversation (the chat's
//! own read state), so that the one unread count is notes + unread messages, each once.

use crate::conversations::other_party;
use schet_api::pb::{
    self, event::EventType, invoice::InvoiceStatus, invoice::NullableRefund, invoice::NullableTargetUser,
    invoice_payment::InvoicePaymentStatus,
};

/// Notes kept; the oldest go first.
pub const KEEP: usize = 100;

/// What happened, from the point of view of the user the note is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Kind {
    Unknown = 0,
    /// A private invoice was made out to me.
    InvoiceToMe = 1,
    /// A refund invoice was made out to me: a buyer asked for their money back.
    RefundToPay = 2,
    // 3: not used.
    /// My private invoice was paid.
    InvoicePaid = 4,
    /// Someone bought pieces of my public invoice.
    PaymentReceived = 5,
    /// A refund to me was paid.
    RefundReceived = 6,
    /// An invoice made out to me was deleted by its owner.
    InvoiceWithdrawn = 7,
    /// The recipient of my invoice declined it.
    InvoiceDeclined = 8,
    /// A payment was cancelled (the money went back to the buyer).
    PaymentCancelled = 9,
    /// Pieces of a payment are in refund.
    RefundRequested = 10,
    /// A payment changed otherwise.
    PaymentChanged = 11,
    /// A message from the other party of a conversation.
    Message = 12,
}

/// One notification.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Note {
    /// This browser's number for it (newer notes, higher numbers).
    #[prost(uint64, tag = "1")]
    pub id: u64,
    #[prost(enumeration = "Kind", tag = "2")]
    pub kind: i32,
    /// When it happened, Unix seconds (0: unknown).
    #[prost(int64, tag = "3")]
    pub at: i64,
    #[prost(uint64, tag = "4")]
    pub invoice_id: u64,
    #[prost(uint64, tag = "5")]
    pub payment_id: u64,
    #[prost(uint64, tag = "6")]
    pub conversation_id: u64,
    #[prost(uint64, tag = "7")]
    pub message_id: u64,
    /// The other party's name.
    #[prost(string, tag = "8")]
    pub who: String,
    /// The amount in BTC, exactly as the service sent it (empty: none).
    #[prost(string, tag = "9")]
    pub amount: String,
    /// Pieces bought or in refund (0: not about pieces).
    #[prost(uint32, tag = "10")]
    pub pieces: u32,
    #[prost(bool, tag = "11")]
    pub read: bool,
    /// Two notes with the same key are the same news (an event and a catch-up, a repeat).
    #[prost(string, tag = "12")]
    pub key: String,
}

impl Note {
    // `kind()` (generated) reads the kind, Unknown for a number this version does not know.

    /// Where the note leads: the conversation, the payment, or the invoice.
    pub fn link(&self) -> String {
        if self.kind() == Kind::Message && self.conversation_id != 0 {
            format!("/inbox/{}", self.conversation_id)
        } else if self.payment_id != 0 && self.kind() != Kind::RefundToPay {
            format!("/payment/{}", self.payment_id)
        } else {
            format!("/invoice/{}", self.invoice_id)
        }
    }

    fn keyed(mut self, detail: &str) -> Note {
        self.key = format!("{}.{}.{}.{}.{detail}", self.kind, self.invoice_id, self.payment_id, self.message_id);
        self
    }
}

/// The notes of one login, newest first, and how far the catch-up has looked.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Log {
    #[prost(message, repeated, tag = "1")]
    pub notes: Vec<Note>,
    #[prost(uint64, tag = "2")]
    pub next_id: u64,
    /// The newest payment received that is known (noted or older than the first look).
    #[prost(uint64, tag = "3")]
    pub payments_upto: u64,
    /// The newest invoice made out to me that is known.
    #[prost(uint64, tag = "4")]
    pub invoices_upto: u64,
    /// The catch-up has looked once (before that, what exists is old news, not new).
    #[prost(bool, tag = "5")]
    pub looked: bool,
}

fn seconds(t: Option<&prost_types::Timestamp>) -> i64 {
    t.map_or(0, |t| t.seconds)
}

fn amount(d: Option<&pb::Decimal>) -> String {
    schet_api::decimal::from_pb_or_zero(d).map(|v| v.normalize().to_string()).unwrap_or_default()
}

fn name(u: Option<&pb::UserInfo>) -> String {
    u.map(|u| u.username.clone()).unwrap_or_default()
}

fn id_of(u: Option<&pb::UserInfo>) -> &str {
    u.map_or("", |u| u.id.as_str())
}

fn target(i: &pb::Invoice) -> Option<&pb::UserInfo> {
    match &i.nullable_target_user {
        Some(NullableTargetUser::TargetUser(u)) => Some(u),
        _ => None,
    }
}

fn refund_of(i: &pb::Invoice) -> u64 {
    match i.nullable_refund {
        Some(NullableRefund::RefundPaymentId(p)) => p,
        _ => 0,
    }
}

fn base(kind: Kind, at: i64) -> Note {
    Note { kind: kind as i32, at, ..Default::default() }
}

/// A payment to me (I am the seller of its invoice): bought pieces, a paid private invoice or
/// a paid refund. None when I am not its seller.
fn received(p: &pb::InvoicePayment, me: &str) -> Option<Note> {
    let invoice = p.invoice.as_ref()?;
    if id_of(invoice.owner.as_ref()) != me || id_of(p.owner.as_ref()) == me {
        return None;
    }
    let kind = if refund_of(invoice) != 0 {
        Kind::RefundReceived
    } else if invoice.is_private {
        Kind::InvoicePaid
    } else {
        Kind::PaymentReceived
    };
    let note = Note {
        invoice_id: invoice.id,
        payment_id: p.id,
        who: name(p.owner.as_ref()),
        amount: amount(p.crypto_amount.as_ref()),
        pieces: if invoice.is_private { 0 } else { p.pieces },
        ..base(kind, seconds(p.created_at.as_ref()))
    };
    Some(note.keyed(""))
}

/// A private invoice made out to me (or a refund invoice, mine to pay). The service tells
/// of one when it is made (InvoiceUpdated); a repeat is the same news.
fn made_out_to_me(i: &pb::Invoice, me: &str, at: i64) -> Option<Note> {
    if id_of(target(i)) != me || id_of(i.owner.as_ref()) == me {
        return None;
    }
    let kind = if refund_of(i) == 0 { Kind::InvoiceToMe } else { Kind::RefundToPay };
    let note = Note {
        invoice_id: i.id,
        payment_id: refund_of(i),
        who: name(i.owner.as_ref()),
        amount: amount(i.current_crypto_price.as_ref()),
        ..base(kind, at)
    };
    Some(note.keyed(""))
}

/// What `event` means to user `me`, if anything worth telling: none for a keep-alive, for
/// what I did myself, or for what is not mine.
pub fn note_of(event: &pb::Event, me: &str) -> Option<Note> {
    use pb::event::Payload;
    let at = seconds(event.created_at.as_ref());
    match (EventType::try_from(event.r#type).ok()?, event.payload.as_ref()?) {
        (_, Payload::Conversation(c)) => {
            let m = c.messages.iter().max_by_key(|m| m.id)?;
            if m.owner_id == me {
                return None;
            }
            let (invoice_id, payment_id) = match &c.parent {
                Some(pb::conversation::Parent::Invoice(i)) => (i.id, 0),
                Some(pb::conversation::Parent::Payment(p)) => (p.invoice.as_ref().map_or(0, |i| i.id), p.id),
                None => (0, 0),
            };
            let note = Note {
                invoice_id,
                payment_id,
                conversation_id: c.id,
                message_id: m.id,
                who: name(other_party(c, me)),
                ..base(Kind::Message, seconds(m.created_at.as_ref()).max(at))
            };
            Some(note.keyed(""))
        }
        (EventType::InvoiceUpdated, Payload::Invoice(i)) => made_out_to_me(i, me, at),
        (EventType::InvoiceDeleted, Payload::Invoice(i)) => {
            let (kind, who) = if id_of(target(i)) == me {
                (Kind::InvoiceWithdrawn, i.owner.as_ref())
            } else if id_of(i.owner.as_ref()) == me && target(i).is_some() {
                (Kind::InvoiceDeclined, target(i))
            } else {
                return None;
            };
            let note = Note { invoice_id: i.id, payment_id: refund_of(i), who: name(who), ..base(kind, at) };
            Some(note.keyed(""))
        }
        (EventType::InvoicePaid | EventType::PaymentNew, Payload::Payment(p)) => {
            received(p, me).map(|n| if n.at == 0 { Note { at, ..n } } else { n })
        }
        (EventType::PaymentUpdated, Payload::Payment(p)) => {
            let invoice = p.invoice.as_ref()?;
            let (seller, buyer) = (invoice.owner.as_ref(), p.owner.as_ref());
            let who = if id_of(buyer) == me { seller } else { buyer };
            let (kind, pieces) = if p.status == InvoicePaymentStatus::Canceled as i32 {
                (Kind::PaymentCancelled, p.pieces)
            } else if p.refunding > 0 {
                (Kind::RefundRequested, p.refunding)
            } else {
                (Kind::PaymentChanged, 0)
            };
            let note = Note {
                invoice_id: invoice.id,
                payment_id: p.id,
                who: name(who),
                amount: amount(p.crypto_amount.as_ref()),
                pieces,
                ..base(kind, at)
            };
            Some(note.keyed(&format!("{}.{}.{}", p.status, p.refunding, p.refunded)))
        }
        _ => None,
    }
}

impl Log {
    /// Notes what `event` means to `me`; the note when it is news (not a repeat).
    pub fn record(&mut self, event: &pb::Event, me: &str) -> Option<Note> {
        let note = note_of(event, me)?;
        // (The catch-up's marks stay: a payment older than this one may still be missed news.
        // Its notes and this one share keys, so nothing is told twice.)
        self.add(note)
    }

    fn add(&mut self, note: Note) -> Option<Note> {
        if self.notes.iter().any(|n| n.key == note.key) {
            return None;
        }
        self.next_id += 1;
        let note = Note { id: self.next_id, read: false, ..note };
        let at = self.notes.iter().position(|n| n.at <= note.at || note.at == 0).unwrap_or(self.notes.len());
        self.notes.insert(at, note.clone());
        self.notes.truncate(KEEP);
        Some(note)
    }

    /// After (re)connecting: the newest payments I received and private invoices made out to
    /// me (each newest first), noting those after what is known; returns the news. The first
    /// look (a new browser, a new login) notes them as already read: recent history, not news.
    pub fn catch_up(&mut self, received_page: &[pb::InvoicePayment], to_me: &[pb::Invoice], me: &str) -> Vec<Note> {
        let newest_payment = received_page.iter().map(|p| p.id).max().unwrap_or(0);
        let newest_invoice = to_me.iter().map(|i| i.id).max().unwrap_or(0);
        let first = !self.looked;
        self.looked = true;
        let mut added = Vec::new();
        let (payments_upto, invoices_upto) = (self.payments_upto, self.invoices_upto);
        for p in received_page.iter().rev().filter(|p| p.id > payments_upto) {
            if p.status == InvoicePaymentStatus::Paid as i32
                && let Some(n) = received(p, me).and_then(|n| self.add(n))
            {
                added.push(n);
            }
        }
        let live = [InvoiceStatus::Active as i32, InvoiceStatus::PendingPay as i32];
        for i in to_me.iter().rev().filter(|i| i.id > invoices_upto && live.contains(&i.status)) {
            if let Some(n) = made_out_to_me(i, me, seconds(i.created_at.as_ref())).and_then(|n| self.add(n)) {
                added.push(n);
            }
        }
        self.payments_upto = self.payments_upto.max(newest_payment);
        self.invoices_upto = self.invoices_upto.max(newest_invoice);
        if first {
            for n in &added {
                self.mark_read(n.id);
            }
            return Vec::new();
        }
        added
    }

    /// Notes not read, messages aside (their conversations count those).
    pub fn unread(&self) -> usize {
        self.notes.iter().filter(|n| !n.read && n.kind() != Kind::Message).count()
    }

    /// Marks note `id` read; false when it already was (or is unknown).
    pub fn mark_read(&mut self, id: u64) -> bool {
        match self.notes.iter_mut().find(|n| n.id == id && !n.read) {
            Some(n) => {
                n.read = true;
                true
            }
            None => false,
        }
    }

    /// Marks every note read; false when none was unread.
    pub fn mark_all_read(&mut self) -> bool {
        let mut changed = false;
        for n in self.notes.iter_mut().filter(|n| !n.read) {
            n.read = true;
            changed = true;
        }
        changed
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
