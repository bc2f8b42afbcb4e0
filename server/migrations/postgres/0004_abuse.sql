-- Reservations, quotas, secrets' sizes (migrations/sqlite/0004_abuse.sql).
ALTER TABLE payments ADD COLUMN idempotency_key TEXT;
ALTER TABLE payments ADD COLUMN reserved_at BIGINT;
ALTER TABLE payments ADD COLUMN webhook_detail TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX payments_by_idempotency_key ON payments (idempotency_key);
CREATE INDEX payments_reserved ON payments (reserved_at) WHERE reserved_at IS NOT NULL;

ALTER TABLE images ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
UPDATE images SET bytes = length(original) + length(preview);
CREATE INDEX images_by_owner ON images (owner_id);

ALTER TABLE invoice_secrets ADD COLUMN wire_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE invoice_secrets SET wire_bytes = 40 + octet_length(text)
    + (CASE WHEN images = '' THEN 0 ELSE (length(images) + 1) / 37 END) * 38;
