-- Payments, refunds, conversations, messages and images.

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id    INTEGER NOT NULL REFERENCES invoices(id),
    buyer_id      TEXT NOT NULL REFERENCES users(id),   -- InvoicePayment.Owner
    pieces        INTEGER NOT NULL,
    crypto_amount TEXT NOT NULL,                        -- BTC paid
    status        INTEGER NOT NULL,                     -- InvoicePayment.InvoicePaymentStatus
    confirmation  TEXT NOT NULL DEFAULT '',
    is_refund     INTEGER NOT NULL DEFAULT 0,           -- this payment paid a refund invoice
    refunded      INTEGER NOT NULL DEFAULT 0,           -- pieces refunded (refund invoices paid)
    refunding     INTEGER NOT NULL DEFAULT 0,           -- pieces in open refund invoices
    created_at    INTEGER NOT NULL
);
CREATE INDEX payments_by_buyer   ON payments(buyer_id, id);
CREATE INDEX payments_by_invoice ON payments(invoice_id, id);

CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER REFERENCES invoices(id),         -- one per (invoice, buyer) ...
    payment_id INTEGER REFERENCES payments(id),         -- ... or one per payment
    seller_id  TEXT NOT NULL REFERENCES users(id),
    buyer_id   TEXT NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    UNIQUE (invoice_id, buyer_id),
    UNIQUE (payment_id)
);
CREATE INDEX conversations_by_seller ON conversations(seller_id, updated_at);
CREATE INDEX conversations_by_buyer  ON conversations(buyer_id, updated_at);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    owner_id        TEXT NOT NULL REFERENCES users(id),
    text            TEXT NOT NULL,
    images          TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);

CREATE TABLE images (
    id         TEXT PRIMARY KEY,                        -- GUID chosen by the client
    owner_id   TEXT NOT NULL REFERENCES users(id),
    mime       TEXT NOT NULL,
    original   BLOB NOT NULL,
    preview    BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
