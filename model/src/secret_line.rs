//! The one reader of secrets typed or pasted as lines: the create form's initial secrets and
//! the secrets manager's bulk import.
//!
//! One secret per line; blank lines are skipped. A line may be CSV `text,guid;guid` (the
//! text quoted with `"` when it has commas or quotes, `""` for a quote); a line whose part
//! after its last comma is not a list of GUIDs is all text.

use schet_api::{FieldError, Guid, validate};

/// One secret as read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretLine {
    /// 1-based line number in the text.
    pub line: usize,
    pub text: String,
    pub images: Vec<String>,
    /// A rule the line breaks (such a line is never sent).
    pub error: Option<FieldError>,
}

/// Every non-blank line of `input`, read and checked.
pub fn parse(input: &str) -> Vec<SecretLine> {
    input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let (text, images) = split(l.trim_end_matches('\r'));
            let mut errors = validate::Errors::default();
            validate::secret("", &text, &images, &mut errors);
            SecretLine { line: i + 1, text, images, error: errors.first().err() }
        })
        .collect()
}

/// A list of GUIDs separated by `;` or spaces (empty: none); None if any part is not one.
fn guids(tail: &str) -> Option<Vec<String>> {
    let tail = tail.trim();
    if tail.is_empty() {
        return Some(Vec::new());
    }
    tail.split([';', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| p.trim().parse::<Guid>().map(|g| g.to_string()).ok())
        .collect::<Option<Vec<_>>>()
}

/// One line's text and images.
pub fn split(line: &str) -> (String, Vec<String>) {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('"') {
        // A quoted CSV field, then `,images`.
        let mut text = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, c)| *c) == Some('"') {
                    chars.next();
                    text.push('"');
                    continue;
                }
                let after = rest[i + 1..].trim_start();
                if after.is_empty() {
                    return (text, Vec::new());
                }
                if let Some(tail) = after.strip_prefix(',')
                    && let Some(images) = guids(tail)
                {
                    return (text, images);
                }
                break;
            }
            text.push(c);
        }
        return (line.trim().to_string(), Vec::new());
    }
    if let Some((text, tail)) = line.rsplit_once(',')
        && let Some(images) = guids(tail)
        && !text.trim().is_empty()
    {
        return (text.trim().to_string(), images);
    }
    (line.trim().to_string(), Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use schet_api::Rule;

    const G1: &str = "0b7c1f5e-2a4d-4c7b-9e1a-3f5d6c7b8a90";
    const G2: &str = "1c8d2a6f-3b5e-4d8c-8f2b-4a6e7d8c9b01";

    #[test]
    fn lines_plain_csv_and_quoted() {
        let input = format!("KEY-1\n\n  KEY-2, with comma\nKEY-3,{G1};{G2}\n\"a, \"\"quoted\"\" one\",{G1}\nlast,\r\n");
        let got: Vec<_> = parse(&input).into_iter().map(|l| (l.line, l.text, l.images.len(), l.error)).collect();
        assert_eq!(
            got,
            vec![
                (1, "KEY-1".into(), 0, None),
                (3, "KEY-2, with comma".into(), 0, None),
                (4, "KEY-3".into(), 2, None),
                (5, "a, \"quoted\" one".into(), 1, None),
                (6, "last".into(), 0, None),
            ]
        );
    }

    #[test]
    fn guids_are_normalised_and_spaces_separate_them_too() {
        let (text, images) = split(&format!("code, {} {G2}", G1.to_uppercase()));
        assert_eq!((text.as_str(), images), ("code", vec![G1.to_string(), G2.to_string()]));
    }

    #[test]
    fn a_tail_that_is_not_guids_stays_text() {
        assert_eq!(split("price, 12 USD"), ("price, 12 USD".into(), vec![]));
        assert_eq!(split(&format!(",{G1}")), (format!(",{G1}"), vec![]), "no text before the images");
        assert_eq!(split("\"unterminated, text"), ("\"unterminated, text".into(), vec![]));
        assert_eq!(split("\"quoted\" trailing"), ("\"quoted\" trailing".into(), vec![]));
    }

    #[test]
    fn a_line_breaking_a_rule_says_which() {
        let long = "x".repeat(4001);
        let lines = parse(&format!("ok\n{long}\n\"\",{G1}"));
        assert_eq!(lines[0].error, None);
        assert_eq!(lines[1].error.as_ref().map(|e| &e.rule), Some(&Rule::TooLong { max: 4000, has: 4001 }));
        assert_eq!(lines[2].error.as_ref().map(|e| (e.field.as_str(), &e.rule)), Some(("Text", &Rule::Required)));
    }

    /// CSV as a spreadsheet writes it: the text quoted when needed.
    fn csv(text: &str, images: &[String]) -> String {
        let quoted = format!("\"{}\"", text.replace('"', "\"\""));
        if images.is_empty() { quoted } else { format!("{quoted},{}", images.join(";")) }
    }

    proptest! {
        #[test]
        fn quoted_csv_reads_back_exactly(
            text in "[^\"\r\n]{0,10}(\"[^\"\r\n]{0,10}){0,3}",
            bytes in proptest::collection::vec(any::<[u8; 16]>(), 0..3),
        ) {
            let images: Vec<String> = bytes.into_iter().map(|b| Guid::from_random_bytes(b).to_string()).collect();
            prop_assert_eq!(split(&csv(&text, &images)), (text, images));
        }

        #[test]
        fn every_line_number_names_a_non_blank_line(input in "([a-z ,\"]{0,12}\n){0,12}") {
            let all: Vec<&str> = input.lines().collect();
            let lines = parse(&input);
            prop_assert_eq!(lines.len(), all.iter().filter(|l| !l.trim().is_empty()).count());
            for l in &lines {
                prop_assert!(!all[l.line - 1].trim().is_empty());
            }
            prop_assert!(lines.windows(2).all(|w| w[0].line < w[1].line));
        }
    }
}
