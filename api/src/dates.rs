//! Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian, UTC), and the
//! merchant API's two forms: `dd.mm.yyyy` days and `YYYY-MM-DD HH:MM:SS.ffffff` times.
//! Shared by the server and the browser so both accept exactly the same dates.

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 of a date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((i64::from(m) + 9) % 12) + 2) / 5 + i64::from(d) - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// The (year, month, day) of a day number: the inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `dd.mm.yyyy`, exactly (two digits, two digits, four digits), a real calendar date →
/// its day number.
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[2] != b'.' || b[5] != b'.' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (d, m, y) = (num(0..2)?, num(3..5)?, num(6..10)?);
    let y = i64::from(y);
    if y == 0 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Day number → `dd.mm.yyyy`.
pub fn format_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{d:02}.{m:02}.{y:04}")
}

/// Unix milliseconds → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), as the merchant API writes times.
pub fn format_time(ms: i64) -> String {
    let (y, mo, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS);
    let (h, mi, s, milli) = (in_day / 3_600_000, in_day / 60_000 % 60, in_day / 1000 % 60, in_day % 1000);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:06}", milli * 1000)
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of a second (UTC) → Unix milliseconds
/// (the fraction is cut to milliseconds); the inverse of [`format_time`].
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if !text.is_ascii()
        || b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    let day = parse_date(&format!("{}.{}.{}", &text[8..10], &text[5..7], &text[..4]))?;
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let milli = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            digits.iter().take(3).chain(std::iter::repeat(&b'0')).take(3).fold(0, |n, c| n * 10 + i64::from(c - b'0'))
        }
        _ => return None,
    };
    Some(day * DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(parse_date("01.01.1970"), Some(0));
        assert_eq!(parse_date("31.12.1969"), Some(-1));
        assert_eq!(parse_date("29.02.2024"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(format_date(days_from_civil(2023, 1, 31)), "31.01.2023");
        for bad in [
            "29.02.2023",
            "31.04.2024",
            "00.01.2024",
            "01.13.2024",
            "1.1.2024",
            "01-01-2024",
            "01.01.0000",
            "aa.bb.cccc",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(format_time(1_672_574_400_123), "2023-01-01 12:00:00.123000");
        assert_eq!(parse_time("2023-01-01 12:00:00.123000"), Some(1_672_574_400_123));
        assert_eq!(parse_time("2023-01-01 12:00:00"), Some(1_672_574_400_000));
        assert_eq!(parse_time("2023-01-01 12:00:00.5"), Some(1_672_574_400_500));
        for bad in [
            "2023-02-30 12:00:00",
            "2023-01-01 24:00:00",
            "2023-01-01T12:00:00",
            "2023-01-01 12:00:00.",
            "",
            "2023-01-01 12:00:00é",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn times_round_trip(ms in 0i64..253_402_300_799_999) {
            prop_assert_eq!(parse_time(&format_time(ms)), Some(ms));
        }

        #[test]
        fn day_numbers_round_trip(day in -700_000i64..3_000_000) {
            let (y, m, d) = civil_from_days(day);
            prop_assert_eq!(days_from_civil(y, m, d), day);
            if (1..=9999).contains(&y) {
                prop_assert_eq!(parse_date(&format_date(day)), Some(day));
            }
        }
    }
}
