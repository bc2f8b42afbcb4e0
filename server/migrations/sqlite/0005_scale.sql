-- Issue 15: the cost of a call stays flat as the data grows. An index for every filter and
-- order the lists use, and what lets a page be read in one query. (Public invoices are the
-- ones without a target user: `target_user_id IS NULL` is their index.)

-- User names are looked up through lower() on both stores.
CREATE INDEX users_by_lower_name ON users (lower(username));

-- GetInvoices: mine / to a user / public, by status, newest first.
CREATE INDEX invoices_by_owner_status  ON invoices (owner_id, status, id);
CREATE INDEX invoices_by_target_status ON invoices (target_user_id, status, id);
-- Public invoices, newest first, and by status (partial: only public rows).
CREATE INDEX invoices_public        ON invoices (id) WHERE is_private = FALSE;
CREATE INDEX invoices_public_status ON invoices (status, id) WHERE is_private = FALSE;
-- A payment's refund invoices; invoices whose webhook key is stored (sealed on start).
CREATE INDEX invoices_by_refund ON invoices (refund_payment_id) WHERE refund_payment_id IS NOT NULL;
CREATE INDEX invoices_with_webhook_key ON invoices (id) WHERE webhook_client_key <> '';

-- GetInvoicePayments: payments received, by the seller (who never changes).
ALTER TABLE payments ADD COLUMN seller_id TEXT REFERENCES users(id);
UPDATE payments SET seller_id = (SELECT owner_id FROM invoices WHERE invoices.id = payments.invoice_id);
CREATE INDEX payments_by_seller ON payments (seller_id, id);

-- A user's messages (the foreign key from messages to users is checked through it).
CREATE INDEX messages_by_owner ON messages (owner_id);

-- A payment's secrets.
CREATE INDEX secrets_by_payment ON invoice_secrets (payment_id, id) WHERE payment_id IS NOT NULL;

-- GetConversationsById by user: the conversations of a pair.
CREATE INDEX conversations_by_pair ON conversations (seller_id, buyer_id, updated_at);

-- GetImage: where each image is shown (an invoice, a secret, a message), for the check of
-- who may see it without reading every list of images.
CREATE TABLE image_uses (
    image_id   TEXT NOT NULL,
    invoice_id INTEGER REFERENCES invoices(id),
    secret_id  INTEGER,                            -- secrets may be removed (their uses too)
    message_id INTEGER REFERENCES messages(id)
);
CREATE INDEX image_uses_by_image   ON image_uses (image_id);
-- Full (not partial) indexes on the keys that reference other tables: SQLite's foreign key
-- checks look rows up by them.
CREATE INDEX image_uses_by_invoice ON image_uses (invoice_id);
CREATE INDEX image_uses_by_message ON image_uses (message_id);
CREATE INDEX image_uses_by_secret  ON image_uses (secret_id) WHERE secret_id IS NOT NULL;

WITH RECURSIVE split(invoice_id, image_id, rest) AS (
    SELECT id, '', images || ',' FROM invoices WHERE images <> ''
    UNION ALL
    SELECT invoice_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO image_uses (image_id, invoice_id) SELECT image_id, invoice_id FROM split WHERE image_id <> '';

WITH RECURSIVE split(secret_id, image_id, rest) AS (
    SELECT id, '', images || ',' FROM invoice_secrets WHERE images <> ''
    UNION ALL
    SELECT secret_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO image_uses (image_id, secret_id) SELECT image_id, secret_id FROM split WHERE image_id <> '';

WITH RECURSIVE split(message_id, image_id, rest) AS (
    SELECT id, '', images || ',' FROM messages WHERE images <> ''
    UNION ALL
    SELECT message_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
    FROM split WHERE rest <> ''
)
INSERT INTO image_uses (image_id, message_id) SELECT image_id, message_id FROM split WHERE image_id <> '';
