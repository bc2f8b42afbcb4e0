//! An invoice's secrets as the manager shows them: the sale queue and the sold ones; where a
//! drop puts a dragged secret; line numbers as ranges.

use schet_api::pb::{self, invoice_secret::NullablePayment};

/// The payment that bought `secret`, if it is sold.
pub fn payment_of(secret: &pb::InvoiceSecret) -> Option<u64> {
    match secret.nullable_payment {
        Some(NullablePayment::PaymentId(p)) => Some(p),
        _ => None,
    }
}

/// A list as the service returned it, split into the sale queue (by Order) and the sold ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Secrets {
    pub unsold: Vec<pb::InvoiceSecret>,
    pub sold: Vec<pb::InvoiceSecret>,
}

impl Secrets {
    pub fn from_list(list: Vec<pb::InvoiceSecret>) -> Secrets {
        let (sold, mut unsold): (Vec<_>, Vec<_>) = list.into_iter().partition(|s| payment_of(s).is_some());
        unsold.sort_by_key(|s| (s.order, s.id));
        Secrets { unsold, sold }
    }

    /// Every secret's id, unsold and sold.
    pub fn ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.unsold.iter().chain(&self.sold).map(|s| s.id)
    }
}

/// The Order that puts `dragged` where `target` is now (dropping on a secret takes its
/// place: the others shift towards where the dragged one was). None: nothing moves.
pub fn drop_order(queue: &[pb::InvoiceSecret], dragged: u64, target: u64) -> Option<u32> {
    if dragged == target {
        return None;
    }
    let from = queue.iter().position(|s| s.id == dragged)?;
    let to = queue.iter().position(|s| s.id == target)?;
    (from != to).then_some(to as u32 + 1)
}

/// Line numbers (ascending) as ranges: `1–3, 5, 7–9`.
pub fn ranges(lines: impl IntoIterator<Item = usize>) -> String {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for n in lines {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => out.push((n, n)),
        }
    }
    out.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") }).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn queue(n: u64) -> Vec<pb::InvoiceSecret> {
        (1..=n).map(|i| pb::InvoiceSecret { id: i * 10, order: i as u32, ..Default::default() }).collect()
    }

    #[test]
    fn a_drop_takes_the_targets_place() {
        let q = queue(4);
        assert_eq!(drop_order(&q, 10, 30), Some(3), "dragged down");
        assert_eq!(drop_order(&q, 40, 10), Some(1), "dragged up");
        assert_eq!(drop_order(&q, 20, 20), None, "onto itself");
        assert_eq!(drop_order(&q, 20, 99), None, "onto something not in the queue");
    }

    #[test]
    fn sold_ones_leave_the_queue_which_is_in_order() {
        let mut list = queue(3);
        list.reverse();
        list[1].nullable_payment = Some(NullablePayment::PaymentId(7));
        let s = Secrets::from_list(list);
        assert_eq!(s.unsold.iter().map(|s| s.id).collect::<Vec<_>>(), vec![10, 30]);
        assert_eq!((s.sold.len(), payment_of(&s.sold[0])), (1, Some(7)));
        assert_eq!(s.ids().count(), 3);
    }

    #[test]
    fn ranges_read_like_a_person_writes_them() {
        assert_eq!(ranges([1, 2, 3, 5, 7, 8, 9]), "1–3, 5, 7–9");
        assert_eq!(ranges([4]), "4");
        assert_eq!(ranges([]), "");
    }

    /// The numbers a range text stands for.
    fn expand(text: &str) -> BTreeSet<usize> {
        text.split(", ")
            .filter(|p| !p.is_empty())
            .flat_map(|p| match p.split_once('–') {
                Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect::<Vec<_>>(),
                None => vec![p.parse().unwrap()],
            })
            .collect()
    }

    proptest! {
        #[test]
        fn ranges_stand_for_exactly_the_lines(lines in proptest::collection::btree_set(1usize..200, 0..40)) {
            let text = ranges(lines.iter().copied());
            prop_assert_eq!(expand(&text), lines.clone());
            // As short as can be: no two ranges touch.
            let parts: Vec<&str> = text.split(", ").filter(|p| !p.is_empty()).collect();
            let ends: Vec<(usize, usize)> = parts.iter().map(|p| {
                let (a, b) = p.split_once('–').unwrap_or((p, p));
                (a.parse().unwrap(), b.parse().unwrap())
            }).collect();
            prop_assert!(ends.windows(2).all(|w| w[0].1 + 1 < w[1].0));
        }

        #[test]
        fn a_drop_then_a_renumbering_puts_the_dragged_one_at_the_target(n in 2u64..12, from in 0usize..12, to in 0usize..12) {
            let q = queue(n);
            let (from, to) = (from % n as usize, to % n as usize);
            let order = drop_order(&q, q[from].id, q[to].id);
            if from == to {
                prop_assert_eq!(order, None);
            } else {
                // The service moves the dragged secret to that Order and shifts the others.
                let mut ids: Vec<u64> = q.iter().map(|s| s.id).collect();
                let moved = ids.remove(from);
                ids.insert(order.unwrap() as usize - 1, moved);
                prop_assert_eq!(ids[to], q[from].id);
            }
        }
    }
}
