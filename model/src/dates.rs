//! Date ranges a person picks in one click (the merchant list's quick ranges).

use schet_api::dates::civil_from_days;

/// A quick range ending today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickRange {
    Today,
    Last7Days,
    Last30Days,
    ThisMonth,
}

impl QuickRange {
    pub const ALL: [QuickRange; 4] =
        [QuickRange::Today, QuickRange::Last7Days, QuickRange::Last30Days, QuickRange::ThisMonth];

    /// The first and last day (day numbers, UTC) for `today`.
    pub fn days(self, today: i64) -> (i64, i64) {
        match self {
            QuickRange::Today => (today, today),
            QuickRange::Last7Days => (today - 6, today),
            QuickRange::Last30Days => (today - 29, today),
            QuickRange::ThisMonth => (today - i64::from(civil_from_days(today).2) + 1, today),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use schet_api::dates::days_from_civil;

    #[test]
    fn ranges_end_today() {
        let today = days_from_civil(2025, 3, 14);
        assert_eq!(QuickRange::Today.days(today), (today, today));
        assert_eq!(QuickRange::Last7Days.days(today), (days_from_civil(2025, 3, 8), today));
        assert_eq!(QuickRange::Last30Days.days(today), (days_from_civil(2025, 2, 13), today));
        assert_eq!(QuickRange::ThisMonth.days(today), (days_from_civil(2025, 3, 1), today));
    }

    proptest! {
        #[test]
        fn this_month_starts_on_the_first(today in 0i64..100_000) {
            let (first, last) = QuickRange::ThisMonth.days(today);
            let (y, m, d) = civil_from_days(first);
            prop_assert_eq!(d, 1);
            prop_assert_eq!((y, m), { let (y, m, _) = civil_from_days(today); (y, m) });
            prop_assert!(first <= last);
        }
    }
}
