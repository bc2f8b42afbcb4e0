-- Users, invoices, their secrets, and rate variables.
-- Money is stored as exact decimal text (rust_decimal); times as Unix milliseconds (UTC).

CREATE TABLE users (
    id          TEXT PRIMARY KEY,               -- GUID, the UserInfo.Id
    username    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    token_hash  BLOB NOT NULL UNIQUE,           -- SHA-256 of the bearer token; the token is never stored
    balance     TEXT NOT NULL DEFAULT '0',      -- BTC
    invoices_created  INTEGER NOT NULL DEFAULT 0,
    payments_payed    INTEGER NOT NULL DEFAULT 0,
    payments_received INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    last_online INTEGER NOT NULL
);

CREATE TABLE invoices (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id           TEXT NOT NULL REFERENCES users(id),
    target_user_id     TEXT REFERENCES users(id),   -- private invoices only
    is_private         INTEGER NOT NULL,
    is_base_crypto     INTEGER NOT NULL,
    price              TEXT NOT NULL,
    fiat_currency      TEXT NOT NULL,
    price_variable     TEXT NOT NULL,
    ttl_minutes        INTEGER NOT NULL,
    comment            TEXT NOT NULL,
    pieces_min         INTEGER NOT NULL,
    pieces_max         INTEGER NOT NULL,
    limit_liquidity    INTEGER NOT NULL,
    status             INTEGER NOT NULL,            -- Invoice.InvoiceStatus
    total_payed_crypto TEXT NOT NULL DEFAULT '0',
    payments_count     INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    valid_to           INTEGER NOT NULL,
    fee                TEXT NOT NULL,
    refund_payment_id  INTEGER,
    service            INTEGER NOT NULL DEFAULT 0,  -- Invoice.ServiceType
    images             TEXT NOT NULL DEFAULT '',    -- GUIDs in order, comma-separated
    integration        INTEGER NOT NULL DEFAULT 0,  -- 0 none, 1 redirect, 2 webhook
    redirect_url       TEXT NOT NULL DEFAULT '',
    webhook_url        TEXT NOT NULL DEFAULT '',
    webhook_client_crt TEXT NOT NULL DEFAULT '',
    webhook_client_key TEXT NOT NULL DEFAULT '',    -- write-only: never sent back
    webhook_server_crt TEXT NOT NULL DEFAULT '',
    webhook_required   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invoices_by_owner  ON invoices(owner_id, id);
CREATE INDEX invoices_by_target ON invoices(target_user_id, id);
CREATE INDEX invoices_by_expiry ON invoices(status, valid_to);

CREATE TABLE invoice_secrets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    text       TEXT NOT NULL,
    images     TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL,                    -- InvoiceSecret.Order: dense 1..n among unsold
    payment_id INTEGER                              -- set once sold
);
CREATE INDEX secrets_by_invoice ON invoice_secrets(invoice_id, payment_id, position);

CREATE TABLE variables (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL                             -- USD per 1 BTC
);
