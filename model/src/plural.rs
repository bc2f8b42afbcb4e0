//! Plural forms for counted words.

/// The Russian form of a word counted `n` times: `[one, few, many]` as in 1 часть, 2 части,
/// 5 частей (11–14 take the many form; 21 the one form again).
pub fn ru(n: u64, [one, few, many]: [&str; 3]) -> &str {
    match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn russian_forms_agree_with_the_number() {
        let forms = ["часть", "части", "частей"];
        let words: Vec<String> = [1, 2, 5, 11, 12, 14, 21, 22, 25, 111, 101, 0]
            .iter()
            .map(|n| format!("{n} {}", super::ru(*n, forms)))
            .collect();
        assert_eq!(
            words,
            [
                "1 часть",
                "2 части",
                "5 частей",
                "11 частей",
                "12 частей",
                "14 частей",
                "21 часть",
                "22 части",
                "25 частей",
                "111 частей",
                "101 часть",
                "0 частей"
            ]
        );
    }
}
