//! gRPC-web as a browser sends it: HTTP/1.1, hand-made frames, no gRPC client involved.

use crate::harness::*;
use prost::Message;
use schet_api::pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Reply {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// (flag, payload) of each frame of a gRPC-web body.
    fn frames(&self) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut b = &self.body[..];
        while b.len() >= 5 {
            let len = u32::from_be_bytes([b[1], b[2], b[3], b[4]]) as usize;
            out.push((b[0], b[5..5 + len].to_vec()));
            b = &b[5 + len..];
        }
        out
    }
}

fn frame(message: &impl Message) -> Vec<u8> {
    let bytes = message.encode_to_vec();
    let mut out = vec![0u8];
    out.extend((bytes.len() as u32).to_be_bytes());
    out.extend(bytes);
    out
}

/// One HTTP/1.1 exchange on a fresh connection.
async fn http(s: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
        s.addr,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap().to_string();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    }
    Reply { status_line, headers, body }
}

const WEB: (&str, &str) = ("content-type", "application/grpc-web+proto");

#[tokio::test]
async fn a_hand_made_frame_gets_the_invoice_and_a_trailer_frame() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let inv = c.create_invoice(req(public("over gRPC-web"), SELLER)).await.unwrap().into_inner();
    let body = frame(&pb::GetInvoiceByIdRequest { invoice_id: inv.id });
    let auth = format!("Bearer {BUYER}");
    let r = http(
        &s,
        "POST",
        "/CoreSchema.V1.TradeApi/GetInvoiceById",
        &[WEB, ("x-grpc-web", "1"), ("authorization", &auth)],
        &body,
    )
    .await;
    assert!(r.status_line.contains("200"), "{}", r.status_line);
    assert_eq!(r.header("content-type"), Some("application/grpc-web+proto"));
    let frames = r.frames();
    assert_eq!(frames.len(), 2, "a data frame and a trailer frame");
    assert_eq!(frames[0].0, 0);
    let got = pb::GetInvoicesResponse::decode(&frames[0].1[..]).unwrap();
    assert_eq!(got.invoices[0].comment, "over gRPC-web");
    assert_eq!(frames[1].0, 0x80, "trailers");
    let trailers = String::from_utf8(frames[1].1.clone()).unwrap();
    assert!(trailers.contains("grpc-status:0"), "{trailers}");
}

#[tokio::test]
async fn errors_arrive_in_headers_percent_encoded_and_readable_cross_origin() {
    let s = Server::start().await;
    let body = frame(&pb::GetInvoiceByIdRequest { invoice_id: 1 });
    let r = http(
        &s,
        "POST",
        "/CoreSchema.V1.TradeApi/GetInvoiceById",
        &[WEB, ("authorization", "Bearer wrong"), ("origin", "http://app.example")],
        &body,
    )
    .await;
    assert_eq!(r.header("grpc-status"), Some("16"));
    assert_eq!(r.header("grpc-message"), Some("the%20token%20is%20not%20valid:%20log%20in%20again"));
    let exposed = r.header("access-control-expose-headers").unwrap_or_default();
    assert!(exposed.contains("grpc-status") && exposed.contains("grpc-message"), "{exposed}");
}

#[tokio::test]
async fn a_broken_rule_arrives_with_its_code_readable_cross_origin() {
    let s = Server::start().await;
    let body = frame(&pb::GetInvoicesRequest { count: 101, ..Default::default() });
    let auth = format!("Bearer {BUYER}");
    let r = http(
        &s,
        "POST",
        "/CoreSchema.V1.TradeApi/GetInvoices",
        &[WEB, ("authorization", &auth), ("origin", "http://app.example")],
        &body,
    )
    .await;
    assert_eq!(r.header("grpc-status"), Some("3"));
    assert_eq!(r.header("grpc-message"), Some("count:%20must%20be%20at%20most%20100"));
    let details = base64_decode(r.header("grpc-status-details-bin").expect("the details"));
    let rule = schet_api::FieldError::from_status("count: must be at most 100", &details).expect("a rule");
    assert_eq!(rule, schet_api::FieldError::new("count", schet_api::Rule::AtMost { max: 100 }));
    let exposed = r.header("access-control-expose-headers").unwrap_or_default();
    assert!(exposed.contains("grpc-status-details-bin"), "{exposed}");
}

#[tokio::test]
async fn a_cors_preflight_allows_what_the_browser_client_sends() {
    let s = Server::start().await;
    let r = http(
        &s,
        "OPTIONS",
        "/CoreSchema.V1.TradeApi/GetMyProfile",
        &[
            ("origin", "http://app.example"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "authorization,content-type,x-grpc-web,x-user-agent"),
        ],
        b"",
    )
    .await;
    assert!(r.status_line.contains("200"), "{}", r.status_line);
    let allowed = r.header("access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    for h in ["authorization", "content-type", "x-grpc-web", "x-user-agent"] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn broken_frames_get_an_error_status_and_the_service_carries_on() {
    let s = Server::start().await;
    let auth = format!("Bearer {BUYER}");
    let headers = [WEB, ("authorization", auth.as_str())];
    let path = "/CoreSchema.V1.TradeApi/GetMyProfile";
    // A length prefix promising more than is sent; bytes that are not protobuf; a
    // compressed flag without compression.
    for body in [vec![0u8, 0, 0, 3, 232, 1, 2], vec![0u8, 0, 0, 0, 3, 0xff, 0xff, 0xff], vec![1u8, 0, 0, 0, 0]] {
        let r = http(&s, "POST", path, &headers, &body).await;
        let status = r.header("grpc-status").map(str::to_string).or_else(|| {
            let frames = r.frames();
            let t = frames.iter().find(|f| f.0 == 0x80).map(|f| String::from_utf8_lossy(&f.1).into_owned())?;
            t.lines().find_map(|l| l.strip_prefix("grpc-status:").map(|v| v.trim().to_string()))
        });
        let status = status.expect("a grpc-status");
        assert_ne!(status, "0", "body {body:?} must not succeed");
    }
    // Still serving.
    let r = http(&s, "POST", path, &headers, &frame(&())).await;
    let frames = r.frames();
    let me = pb::MyProfileResponse::decode(&frames[0].1[..]).unwrap();
    assert_eq!(me.username, "buyer");
}

#[tokio::test]
async fn the_text_variant_base64_works_too() {
    let s = Server::start().await;
    let auth = format!("Bearer {SELLER}");
    let body = frame(&());
    let b64 = base64_encode(&body);
    let r = http(
        &s,
        "POST",
        "/CoreSchema.V1.TradeApi/GetMyProfile",
        &[
            ("content-type", "application/grpc-web-text"),
            ("accept", "application/grpc-web-text"),
            ("authorization", &auth),
        ],
        b64.as_bytes(),
    )
    .await;
    assert_eq!(r.header("content-type"), Some("application/grpc-web-text+proto"));
    let decoded = base64_decode(std::str::from_utf8(&r.body).unwrap());
    let first = Reply { status_line: String::new(), headers: vec![], body: decoded }.frames();
    assert_eq!(pb::MyProfileResponse::decode(&first[0].1[..]).unwrap().username, "seller");
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes concatenated base64 pieces (each frame may be padded separately).
fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        if c == b'=' {
            acc = 0;
            bits = 0;
            continue;
        }
        let Some(v) = B64.iter().position(|&x| x == c) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[tokio::test]
async fn a_guest_reads_a_public_invoice_as_a_browser_sends_it_without_a_token() {
    let s = Server::start().await;
    let mut c = s.client().await;
    let public_id = c.create_invoice(req(public("shared link"), SELLER)).await.unwrap().into_inner().id;
    let private_id = c.create_invoice(req(private_to("buyer"), SELLER)).await.unwrap().into_inner().id;
    let path = "/CoreSchema.V1.TradeApi/GetInvoiceById";
    let origin = ("origin", "http://app.example");
    let r = http(&s, "POST", path, &[WEB, origin], &frame(&pb::GetInvoiceByIdRequest { invoice_id: public_id })).await;
    let frames = r.frames();
    let got = pb::GetInvoicesResponse::decode(&frames[0].1[..]).unwrap();
    assert_eq!(got.invoices[0].comment, "shared link");
    let hidden =
        http(&s, "POST", path, &[WEB, origin], &frame(&pb::GetInvoiceByIdRequest { invoice_id: private_id })).await;
    assert_eq!(hidden.header("grpc-status"), Some("5"), "NOT_FOUND, as for a missing invoice");
    let profile = http(&s, "POST", "/CoreSchema.V1.TradeApi/GetMyProfile", &[WEB, origin], &frame(&())).await;
    assert_eq!(profile.header("grpc-status"), Some("16"), "everything else needs a login");
}
