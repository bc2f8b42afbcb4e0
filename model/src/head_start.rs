//! The shared link's head start: boot.js asks the service for the invoice of an
//! `/invoice/:id` address while the app is still downloading (see boot.js), and the app takes
//! that answer instead of asking again, when it is for the same address, login and invoice,
//! is fresh, and is a clean success. Anything else is ignored and the app asks the ordinary
//! way, so every error is still worded by the one gRPC client.
//!
//! This module reads the answer: a gRPC-web unary reply body (RFC-like framing of the
//! gRPC-web protocol: frames of one flag byte, a 4-byte big-endian length and that many
//! bytes; flag 0 is a message, flag 0x80 the trailers as HTTP/1 header lines).

/// How old a head start may be, in milliseconds, for the app to take it.
pub const FRESH_MS: f64 = 30_000.0;

/// What boot.js's request was for: the service's address, the login token (empty for a
/// guest) and the invoice.
pub fn key(base_url: &str, token: &str, invoice_id: u64) -> String {
    format!("{base_url}|{token}|{invoice_id}")
}

/// The one message of a successful unary gRPC-web reply, or None for anything else: a
/// non-zero `grpc-status` (in the headers of a trailers-only reply, `header_status`, or in
/// the trailers), no trailers, no message or more than one, a cut-off frame.
pub fn unary_message<'a>(body: &'a [u8], header_status: Option<&str>) -> Option<&'a [u8]> {
    if header_status.is_some_and(|s| s.trim() != "0") {
        return None;
    }
    let mut rest = body;
    let mut message = None;
    let mut status_ok = false;
    while !rest.is_empty() {
        let (&flag, after) = rest.split_first()?;
        let len = u32::from_be_bytes(after.get(..4)?.try_into().ok()?) as usize;
        let payload = after.get(4..4usize.checked_add(len)?)?;
        rest = &after[4 + len..];
        match flag {
            0 if message.is_none() => message = Some(payload),
            0x80 => status_ok = trailer_status(payload) == Some(0),
            _ => return None,
        }
    }
    if status_ok { message } else { None }
}

/// The `grpc-status` of a trailers frame.
fn trailer_status(trailers: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(trailers).ok()?;
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim().eq_ignore_ascii_case("grpc-status").then(|| value.trim().parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![flag];
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    fn reply(message: &[u8], trailers: &str) -> Vec<u8> {
        [frame(0, message), frame(0x80, trailers.as_bytes())].concat()
    }

    #[test]
    fn a_clean_reply_gives_its_message() {
        let body = reply(b"\x0a\x03abc", "grpc-status:0\r\ngrpc-message:\r\n");
        assert_eq!(unary_message(&body, None), Some(&b"\x0a\x03abc"[..]));
        assert_eq!(unary_message(&body, Some("0")), Some(&b"\x0a\x03abc"[..]));
        // An empty message is a message (an invoice list with nothing in it).
        assert_eq!(unary_message(&reply(b"", "Grpc-Status: 0\r\n"), None), Some(&b""[..]));
    }

    #[test]
    fn any_failure_is_left_to_the_ordinary_call() {
        let ok = reply(b"x", "grpc-status:0\r\n");
        assert_eq!(unary_message(&ok, Some("16")), None, "trailers-only refusal in the headers");
        assert_eq!(unary_message(&reply(b"x", "grpc-status:5\r\n"), None), None, "NOT_FOUND in the trailers");
        assert_eq!(unary_message(&frame(0, b"x"), None), None, "no trailers: cut off");
        assert_eq!(unary_message(&frame(0x80, b"grpc-status:0\r\n"), None), None, "no message");
        assert_eq!(unary_message(&ok[..ok.len() - 1], None), None, "a frame cut short");
        let two = [frame(0, b"a"), frame(0, b"b"), frame(0x80, b"grpc-status:0")].concat();
        assert_eq!(unary_message(&two, None), None, "two messages for a unary call");
        let compressed = [frame(1, b"a"), frame(0x80, b"grpc-status:0")].concat();
        assert_eq!(unary_message(&compressed, None), None, "a compressed frame is not read here");
        assert_eq!(unary_message(b"", None), None);
    }

    #[test]
    fn the_key_names_address_login_and_invoice() {
        assert_eq!(key("https://x", "t", 7), "https://x|t|7");
        assert_ne!(key("https://x", "", 7), key("https://x", "t", 7));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..64), status in proptest::option::of("[0-9 ]{0,3}")) {
            let _ = unary_message(&body, status.as_deref());
        }

        #[test]
        fn a_well_formed_reply_round_trips(message in proptest::collection::vec(any::<u8>(), 0..300)) {
            let body = reply(&message, "grpc-status:0\r\ngrpc-message:\r\n");
            prop_assert_eq!(unary_message(&body, None), Some(&message[..]));
        }
    }
}
