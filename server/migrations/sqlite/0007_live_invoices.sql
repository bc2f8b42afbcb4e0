-- Issue 15: CreateInvoice checks the owner's quota of live invoices (Active, PendingPay,
-- NoPieces). Counting them cost as much as the owner had (12,500 rows for a big seller, on
-- the single writer, on every create); a count kept per owner costs one row. Triggers keep
-- it in the same transaction as every write that makes an invoice live or ends it (create,
-- refund invoice, delete, the sweep of expired ones, a payment, a cancellation), whichever
-- code does it. Those past their ValidTo that the sweeper has not yet marked are still in
-- it: the quota check subtracts them when the count reaches the quota.
CREATE TABLE live_invoices (
    owner_id TEXT PRIMARY KEY REFERENCES users(id),
    n        INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO live_invoices (owner_id, n)
    SELECT owner_id, COUNT(*) FROM invoices WHERE status IN (0, 1, 2) GROUP BY owner_id;

CREATE TRIGGER invoices_live_insert AFTER INSERT ON invoices WHEN NEW.status IN (0, 1, 2)
BEGIN
    INSERT INTO live_invoices (owner_id, n) VALUES (NEW.owner_id, 1)
        ON CONFLICT (owner_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER invoices_live_update AFTER UPDATE OF status, owner_id ON invoices
    WHEN (OLD.status IN (0, 1, 2)) <> (NEW.status IN (0, 1, 2)) OR OLD.owner_id <> NEW.owner_id
BEGIN
    UPDATE live_invoices SET n = n - 1 WHERE owner_id = OLD.owner_id AND OLD.status IN (0, 1, 2);
    INSERT INTO live_invoices (owner_id, n) SELECT NEW.owner_id, 1 WHERE NEW.status IN (0, 1, 2)
        ON CONFLICT (owner_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER invoices_live_delete AFTER DELETE ON invoices WHEN OLD.status IN (0, 1, 2)
BEGIN
    UPDATE live_invoices SET n = n - 1 WHERE owner_id = OLD.owner_id;
END;
