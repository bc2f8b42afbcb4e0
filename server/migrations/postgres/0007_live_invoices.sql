-- Issue 15 (migrations/sqlite/0007_live_invoices.sql): each owner's count of live invoices
-- (Active, PendingPay, NoPieces), kept by triggers in the transaction of every write that
-- makes an invoice live or ends it, so that CreateInvoice's quota check reads one row.
--
-- Locks: a row trigger fires at the end of its statement, after the statement's own row
-- locks (the sweep locks every expired invoice before any count). Every transaction that
-- changes a count does so after the other rows it locks (invoice, payments, users), so a
-- count's lock is always the last one taken: no cycle of waits through it.
CREATE TABLE live_invoices (
    owner_id TEXT PRIMARY KEY REFERENCES users(id),
    n        BIGINT NOT NULL
);

-- Instances of the previous version may still write: invoices are held still until the
-- triggers exist and the counts are taken (this transaction's end).
LOCK TABLE invoices IN SHARE ROW EXCLUSIVE MODE;

CREATE FUNCTION count_live_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status IN (0, 1, 2) THEN
            UPDATE live_invoices SET n = n - 1 WHERE owner_id = OLD.owner_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status IN (0, 1, 2) THEN
            INSERT INTO live_invoices (owner_id, n) VALUES (NEW.owner_id, 1)
                ON CONFLICT (owner_id) DO UPDATE SET n = live_invoices.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER invoices_live_insert AFTER INSERT ON invoices FOR EACH ROW
    WHEN (NEW.status IN (0, 1, 2)) EXECUTE FUNCTION count_live_invoices();
CREATE TRIGGER invoices_live_update AFTER UPDATE OF status, owner_id ON invoices FOR EACH ROW
    WHEN ((OLD.status IN (0, 1, 2)) <> (NEW.status IN (0, 1, 2)) OR OLD.owner_id <> NEW.owner_id)
    EXECUTE FUNCTION count_live_invoices();
CREATE TRIGGER invoices_live_delete AFTER DELETE ON invoices FOR EACH ROW
    WHEN (OLD.status IN (0, 1, 2)) EXECUTE FUNCTION count_live_invoices();

INSERT INTO live_invoices (owner_id, n)
    SELECT owner_id, COUNT(*) FROM invoices WHERE status IN (0, 1, 2) GROUP BY owner_id;
