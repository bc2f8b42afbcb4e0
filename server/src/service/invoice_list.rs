//! GetInvoices as SQL whose cost does not grow with the table.
//!
//! What a viewer may list is split into disjoint *sources*, each an index range: public
//! invoices (a partial index of them), their own (`owner_id`), those issued to them
//! (`target_user_id`). Each requested status is one more equality on the same index
//! (`(…, status, id)`); an expired invoice the sweeper has not yet marked reads as deleted,
//! and is found through the expiry index. Every branch reads at most one page, newest first
//! (keyset on id); the branches are merged, and the page is joined to its owners and
//! targets: one query, whatever the page size and the table's size. (A filter within one
//! user's own invoices, e.g. only their private ones, reads that user's invoices.)
//!
//! Parameters: `$1` now, `$2` the viewer (NULL for a guest), `$3` the page size, `$4` the
//! last id seen (the largest id for the first page), `$5` one id (0: any), `$6` the target
//! user's id.

use schet_api::pb::invoice::InvoiceStatus;

/// A GetInvoices request, checked, with the target user's name resolved.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub guest: bool,
    pub owner: Option<bool>,
    pub private: Option<bool>,
    pub statuses: Vec<i32>,
    pub id: bool,
    /// `ToUser` given: the viewer (true) or someone else (false).
    pub to_user: Option<bool>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Source {
    Public,
    PublicNotMine,
    Mine,
    MinePublic,
    MinePrivate,
    ToMe,
    /// To the named target, from the viewer.
    TargetFromMe,
}

impl Source {
    /// The equality that picks the index, and what else must hold.
    fn conditions(self) -> (&'static str, &'static str) {
        match self {
            Source::Public => ("i.target_user_id IS NULL", "i.is_private = FALSE"),
            Source::PublicNotMine => {
                ("i.target_user_id IS NULL", "i.is_private = FALSE AND i.owner_id IS DISTINCT FROM $2")
            }
            Source::Mine => ("i.owner_id = $2", ""),
            Source::MinePublic => ("i.owner_id = $2", "i.is_private = FALSE"),
            Source::MinePrivate => ("i.owner_id = $2", "i.is_private = TRUE"),
            Source::ToMe => ("i.target_user_id = $2", ""),
            Source::TargetFromMe => ("i.target_user_id = $6", "i.owner_id = $2"),
        }
    }
}

fn sources(f: &Filter) -> Vec<Source> {
    use Source::*;
    let mut list = match (f.owner, f.private) {
        (None, None) => vec![Public, MinePrivate, ToMe],
        (None, Some(false)) => vec![Public],
        (None, Some(true)) => vec![MinePrivate, ToMe],
        (Some(true), None) => vec![Mine],
        (Some(true), Some(false)) => vec![MinePublic],
        (Some(true), Some(true)) => vec![MinePrivate],
        (Some(false), None) => vec![PublicNotMine, ToMe],
        (Some(false), Some(false)) => vec![PublicNotMine],
        (Some(false), Some(true)) => vec![ToMe],
    };
    if f.guest {
        // A guest owns nothing and is sent nothing.
        list.retain(|s| matches!(s, Public | PublicNotMine));
    }
    match f.to_user {
        None => list,
        // Only private invoices have a target: the viewer's own to that user, or, when the
        // viewer names themselves, those issued to them.
        Some(me) => list
            .into_iter()
            .filter_map(|s| match s {
                Mine | MinePrivate => Some(TargetFromMe),
                ToMe if me => Some(ToMe),
                _ => None,
            })
            .collect(),
    }
}

/// What a live status past its time is found by: the expiry index.
const EXPIRED: &str = "i.status IN (0, 1, 2) AND i.valid_to <= $1";

/// The status conditions: equalities (one index range each, in id order), or a live status
/// past its time ([`EXPIRED`]). `+ 0` keeps the planner off the expiry index where the
/// status's own range is the one to read.
fn status_branches(statuses: &[i32]) -> Vec<String> {
    let mut out = Vec::new();
    for &s in statuses {
        match InvoiceStatus::try_from(s) {
            Ok(InvoiceStatus::Active | InvoiceStatus::PendingPay | InvoiceStatus::NoPieces) => {
                out.push(format!("i.status = {s} AND i.valid_to + 0 > $1"));
            }
            Ok(InvoiceStatus::Deleted) => {
                out.push(format!("i.status = {s}"));
                out.push(EXPIRED.to_string());
            }
            _ => out.push(format!("i.status = {s}")),
        }
    }
    out
}

/// A source's conditions written so that no index of theirs applies (on both databases), so
/// that only the expiry index can serve an [`EXPIRED`] branch: the few invoices the sweeper
/// has not yet marked, rather than all of a user's (or all public ones).
fn unindexed(condition: &str) -> String {
    condition
        .replace("i.owner_id", "(i.owner_id || '')")
        .replace("i.target_user_id", "(i.target_user_id || '')")
        .replace("i.is_private = FALSE", "(CASE WHEN i.is_private THEN 1 ELSE 0 END) = 0")
        .replace("i.is_private = TRUE", "(CASE WHEN i.is_private THEN 1 ELSE 0 END) = 1")
}

/// The query for `f` (None: nothing can match). Its rows are [`invoice_columns`]' newest
/// first.
pub(crate) fn sql(f: &Filter) -> Option<String> {
    let sources = sources(f);
    let statuses = if f.statuses.is_empty() { vec![String::new()] } else { status_branches(&f.statuses) };
    let mut branches = Vec::new();
    for source in &sources {
        let (index, rest) = source.conditions();
        for status in &statuses {
            let (index, rest) = if status == EXPIRED {
                (unindexed(index), unindexed(rest))
            } else {
                (index.to_string(), rest.to_string())
            };
            let mut conditions = vec![index];
            if f.id {
                conditions.insert(0, "i.id = $5".into());
            }
            for c in [rest.as_str(), status.as_str()] {
                if !c.is_empty() {
                    conditions.push(c.to_string());
                }
            }
            // Always a keyset bound (the largest id for the first page): every branch is a
            // range read, newest first, that stops at the page's end.
            conditions.push("i.id < $4".into());
            branches.push(format!(
                "SELECT i.id FROM invoices i WHERE {} ORDER BY i.id DESC LIMIT $3",
                conditions.join(" AND ")
            ));
        }
    }
    let page = match branches.len() {
        0 => return None,
        1 => branches.remove(0),
        _ => {
            let parts: Vec<String> =
                branches.iter().enumerate().map(|(n, b)| format!("SELECT id FROM ({b}) AS b{n}")).collect();
            format!("{} ORDER BY id DESC LIMIT $3", parts.join(" UNION ALL "))
        }
    };
    Some(format!(
        "SELECT {} FROM ({page}) AS page JOIN invoices i ON i.id = page.id{} ORDER BY i.id DESC",
        invoice_columns!(),
        invoice_users!()
    ))
}

/// Every shape of the query the service can send (for the plan test): each combination of
/// filters, with each status alone and a few together.
pub fn shapes() -> Vec<String> {
    let flags = [None, Some(false), Some(true)];
    let statuses: Vec<Vec<i32>> = vec![vec![], vec![0], vec![1], vec![2], vec![3], vec![4], vec![0, 4], vec![1, 2, 3]];
    let mut out = Vec::new();
    for guest in [false, true] {
        for owner in flags {
            for private in flags {
                for s in &statuses {
                    for id in [false, true] {
                        for to_user in flags {
                            let f = Filter { guest, owner, private, statuses: s.clone(), id, to_user };
                            out.extend(sql(&f));
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
