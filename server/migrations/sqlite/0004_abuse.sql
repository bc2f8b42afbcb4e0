-- Purchases with a webhook are taken first (a Pending payment), then settled or released:
-- the payment's idempotency key (sent with its webhook; unique, never reused), when it was
-- taken (a Pending one older than the webhook timeout is released on start), and what the
-- seller's system answered (shown to the seller only).
ALTER TABLE payments ADD COLUMN idempotency_key TEXT;
ALTER TABLE payments ADD COLUMN reserved_at INTEGER;
ALTER TABLE payments ADD COLUMN webhook_detail TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX payments_by_idempotency_key ON payments(idempotency_key);
CREATE INDEX payments_reserved ON payments(reserved_at) WHERE reserved_at IS NOT NULL;

-- Quotas: the bytes an image takes (original and preview), per owner.
ALTER TABLE images ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
UPDATE images SET bytes = length(original) + length(preview);
CREATE INDEX images_by_owner ON images(owner_id);

-- A secret's size in a secrets list, at most (schet_api::limits::secret_wire_bytes): an
-- invoice's secrets together stay under SECRETS_BYTES_PER_INVOICE.
ALTER TABLE invoice_secrets ADD COLUMN wire_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE invoice_secrets SET wire_bytes = 40 + length(CAST(text AS BLOB))
    + (CASE WHEN images = '' THEN 0 ELSE (length(images) + 1) / 37 END) * 38;
