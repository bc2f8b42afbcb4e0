-- Issue 15: "all" and "private" lists read the viewer's own private invoices (with or
-- without a status). Through (owner_id, …) that reads every invoice of theirs down to the
-- page's end, public ones included (a seller with 12,500 public invoices and few private
-- ones read thousands of rows per page). Partial indexes of private invoices only: small,
-- and each list branch is one range read.
CREATE INDEX invoices_mine_private        ON invoices (owner_id, id) WHERE is_private = TRUE;
CREATE INDEX invoices_mine_private_status ON invoices (owner_id, status, id) WHERE is_private = TRUE;
