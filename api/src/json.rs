//! A small, strict JSON reader and string writer (RFC 8259) for the merchant REST API, used
//! by the reference endpoint and the browser alike. Numbers stay as their text, so money is
//! read into [`Decimal`] exactly ([`exact`]) and never through an `f64`. (serde_json would
//! add its float parser to the app's wasm; rust_decimal's own string parsers ~4 KB gzip.)

use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Members in order. A repeated key: the first one counts, later ones are dropped.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A member of an object (`None` for a missing key or a value that is not an object).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A number's text.
    pub fn number(&self) -> Option<&str> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A number (or a string holding one) as an exact decimal.
    pub fn decimal(&self) -> Option<Decimal> {
        match self {
            Value::Number(t) | Value::String(t) => exact(t.trim()),
            _ => None,
        }
    }
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {at}")]
pub struct JsonError {
    pub what: &'static str,
    pub at: usize,
}

/// Deepest nesting accepted (deeper is an error, never a stack overflow).
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.ws();
    let value = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok(value)
}

/// A JSON number's text (`-12.5`, `1e-3`) as an exact decimal; `None` if the text is not a
/// JSON number or has more digits than a `Decimal` holds (never rounded).
pub fn exact(text: &str) -> Option<Decimal> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    if p.number().is_err() || p.i != text.len() {
        return None;
    }
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, exponent) = match rest.find(['e', 'E']) {
        // An exponent beyond ±64 cannot give a Decimal anyway; clamping keeps the loop short.
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().map_or(i64::MAX, |e| e).clamp(-64, 64) as i32),
        None => (rest, 0),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    let mut scale = frac.len() as i32 - exponent;
    while scale < 0 {
        mantissa = mantissa.checked_mul(10)?;
        scale += 1;
    }
    // Trailing zeros beyond what a Decimal holds are dropped; any other digit there is not.
    while scale > 28 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

/// Appends `s` as a JSON string literal (safe to embed in HTML script too: U+2028/9 escaped).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[(c as usize >> shift) & 0xf] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError { what, at: self.i }
    }

    fn ws(&mut self) {
        while matches!(self.s.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, literal: &[u8]) -> bool {
        let found = self.s[self.i..].starts_with(literal);
        if found {
            self.i += literal.len();
        }
        found
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    /// The items of an array or the members of an object, up to `close`.
    fn seq(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Result<(), JsonError>) -> Result<(), JsonError> {
        self.i += 1; // the opening bracket
        self.ws();
        if self.eat(&[close]) {
            return Ok(());
        }
        loop {
            self.ws();
            item(self)?;
            self.ws();
            if self.eat(&[close]) {
                return Ok(());
            }
            if !self.eat(b",") {
                return Err(self.err(if close == b'}' { "expected ',' or '}'" } else { "expected ',' or ']'" }));
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end")),
            Some(b'{') => {
                let mut members: Vec<(String, Value)> = Vec::new();
                self.seq(b'}', |p| {
                    if p.s.get(p.i) != Some(&b'"') {
                        return Err(p.err("expected a key in quotes"));
                    }
                    let key = p.string()?;
                    p.ws();
                    if !p.eat(b":") {
                        return Err(p.err("expected ':'"));
                    }
                    p.ws();
                    let value = p.value(depth + 1)?;
                    if !members.iter().any(|(k, _)| *k == key) {
                        members.push((key, value));
                    }
                    Ok(())
                })?;
                Ok(Value::Object(members))
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.seq(b']', |p| {
                    items.push(p.value(depth + 1)?);
                    Ok(())
                })?;
                Ok(Value::Array(items))
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(_) if self.eat(b"true") => Ok(Value::Bool(true)),
            Some(_) if self.eat(b"false") => Ok(Value::Bool(false)),
            Some(_) if self.eat(b"null") => Ok(Value::Null),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.i;
        self.eat(b"-");
        if !self.eat(b"0") && self.digits() == 0 {
            return Err(self.err("expected a digit"));
        }
        if self.eat(b".") && self.digits() == 0 {
            return Err(self.err("expected a digit after '.'"));
        }
        if self.eat(b"e") || self.eat(b"E") {
            let _ = self.eat(b"+") || self.eat(b"-");
            if self.digits() == 0 {
                return Err(self.err("expected an exponent"));
            }
        }
        // Only ASCII was consumed.
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self.s.get(self.i..self.i + 4).filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        let hex = hex.ok_or_else(|| self.err("expected 4 hex digits"))?;
        self.i += 4;
        Ok(hex.iter().fold(0, |n, c| n * 16 + (*c as char).to_digit(16).unwrap_or(0)))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // the opening quote
        let mut out = Vec::new();
        loop {
            let start = self.i;
            while self.s.get(self.i).is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20) {
                self.i += 1;
            }
            out.extend_from_slice(&self.s[start..self.i]);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    // The input is a &str and only whole characters were copied.
                    return String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.s.get(self.i).copied() {
                        Some(e @ (b'"' | b'\\' | b'/')) => e as char,
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return Err(self.err("expected a low surrogate"));
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("expected a low surrogate"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(code).ok_or_else(|| self.err("invalid \\u escape"))?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    self.i += 1;
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                Some(_) => return Err(self.err("control character in a string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_and_keeps_number_text() {
        let v =
            parse(r#" {"a": [1, -0.5e+3, "x\u00e9\ud83d\ude00\n\/"], "b": {"c": null, "d": true}, "a": 2} "#).unwrap();
        let Value::Object(m) = &v else { panic!("an object") };
        assert_eq!(m.len(), 2, "a repeated key: the first one counts");
        assert_eq!(
            m[0].1,
            Value::Array(vec![
                Value::Number("1".into()),
                Value::Number("-0.5e+3".into()),
                Value::String("xé😀\n/".into())
            ])
        );
        assert_eq!(v.get("b").and_then(|b| b.get("d")), Some(&Value::Bool(true)));
        assert_eq!(v.get("zz"), None);
    }

    #[test]
    fn refuses_what_is_not_json_and_says_where() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "1.",
            "-",
            "\"\u{1}\"",
            "tru",
            "[1] x",
            "\"\\ud800\"",
            "\"\\x\"",
            "\"abc",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse("[1,]").unwrap_err(), JsonError { what: "unexpected character", at: 3 });
        assert_eq!(parse("[1 2]").unwrap_err().to_string(), "expected ',' or ']' at byte 3");
        assert!(parse(&"[".repeat(100)).is_err(), "too deep is an error, not a stack overflow");
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(exact("101.40"), Some(Decimal::new(10140, 2)));
        assert_eq!(exact("1e-3"), Some(Decimal::new(1, 3)));
        assert_eq!(exact("-2.5E+2"), Some(Decimal::new(-250, 0)));
        assert_eq!(exact("0.1000000000000000000000000000000"), Some(Decimal::new(1, 1)), "zeros beyond 28 places");
        assert_eq!(exact("0.1000000000000000000000000000001"), None, "a digit beyond 28 places is not rounded");
        assert_eq!(exact("1e99"), None);
        for bad in ["", "abc", "1.", "01", "1e", "+1", " 1", "0x10"] {
            assert_eq!(exact(bad), None, "{bad:?}");
        }
        assert_eq!(Value::String(" 12.5 ".into()).decimal(), Some(Decimal::new(125, 1)));
        assert_eq!(Value::Bool(true).decimal(), None);
    }

    #[test]
    fn writes_strings_that_read_back() {
        let mut s = String::new();
        write_string(&mut s, "a\"b\\c\u{1}\u{2028}\n");
        assert_eq!(s, r#""a\"b\\c\u0001\u2028\n""#);
    }

    proptest! {
        #[test]
        fn any_decimal_reads_back_exactly(m in any::<i64>(), scale in 0u32..=18) {
            let d = Decimal::new(m, scale);
            prop_assert_eq!(exact(&d.to_string()), Some(d));
        }

        #[test]
        fn any_string_round_trips(s in any::<String>()) {
            let mut text = String::new();
            write_string(&mut text, &s);
            prop_assert_eq!(parse(&text), Ok(Value::String(s)));
        }
    }
}
