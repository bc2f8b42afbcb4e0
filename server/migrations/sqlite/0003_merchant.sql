-- Merchant invoices: the CryptoCloud-compatible REST calls (`/v2/invoice/create`,
-- `/v2/invoice/merchant/list`), see src/merchant.rs.
-- Money is stored as exact decimal text (rust_decimal); times as Unix milliseconds (UTC).

-- A merchant's shop ("project"), created on first use of its shop_id.
CREATE TABLE merchant_projects (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id TEXT NOT NULL REFERENCES users(id),
    shop_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    UNIQUE (owner_id, shop_id)
);

CREATE TABLE merchant_invoices (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid           TEXT NOT NULL UNIQUE,          -- INV-XXXXXXXX
    owner_id       TEXT NOT NULL REFERENCES users(id),
    project_id     INTEGER NOT NULL REFERENCES merchant_projects(id),
    order_id       TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    fiat_currency  TEXT NOT NULL,                 -- ISO 4217 code the invoice was created in
    amount_in_fiat TEXT NOT NULL,
    amount_usd     TEXT NOT NULL,
    crypto         TEXT NOT NULL,                 -- currency fullcode, e.g. USDT_TRC20
    usd_per_coin   TEXT NOT NULL,                 -- the coin's price when the invoice was made
    amount         TEXT NOT NULL,                 -- in the coin
    fee            TEXT NOT NULL,                 -- transfer fee, in the coin (paid by the client)
    service_fee    TEXT NOT NULL,                 -- service fee, in the coin (paid by the merchant)
    amount_paid    TEXT NOT NULL DEFAULT '0',     -- in the coin
    status         TEXT NOT NULL,                 -- created, paid, partial, overpaid, canceled
    test_mode      INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    expiry_at      INTEGER NOT NULL,
    finished_at    INTEGER
);
CREATE INDEX merchant_invoices_by_owner ON merchant_invoices(owner_id, created_at, id);
