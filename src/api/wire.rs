//! The gRPC-web transport: tonic over tonic-web-wasm-client, carrying bytes that the caller
//! encodes and decodes (prost). tonic's generated client would compile its whole
//! request/response machinery once per call (≈1.3 KB of gzipped wasm each, measured); this
//! way it exists once.
//!
//! Nothing here is needed to put a shared invoice on screen (boot.js's head start brings it),
//! so in the split release build this module's code is fetched on the first call, as the
//! lazy module `transport` (about 110 KB of wasm, 42 KB with brotli), while the first view
//! renders; see [`unary_sender`].

use super::ApiError;
use prost::bytes::{Buf, BufMut};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::{Code, Status};

/// Passes message bodies through as they are.
struct BytesCodec;

struct BytesEncoder;

struct BytesDecoder;

impl Encoder for BytesEncoder {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for BytesDecoder {
    type Item = Vec<u8>;
    type Error = Status;

    /// tonic hands over exactly one message's bytes.
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let mut message = vec![0; src.remaining()];
        src.copy_to_slice(&mut message);
        Ok(Some(message))
    }
}

impl Codec for BytesCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = BytesEncoder;
    type Decoder = BytesDecoder;

    fn encoder(&mut self) -> BytesEncoder {
        BytesEncoder
    }

    fn decoder(&mut self) -> BytesDecoder {
        BytesDecoder
    }
}

/// Status codes become [`ApiError`]s here, in one place.
impl From<Status> for ApiError {
    fn from(status: Status) -> ApiError {
        let message = status.message().to_string();
        match status.code() {
            // The rule's code from the details (worded in the user's language), else the
            // service's own `Field: rule` text.
            Code::InvalidArgument => match schet_api::FieldError::from_status(&message, status.details()) {
                Some(field) => field.into(),
                None => ApiError::BadRequest(message),
            },
            Code::Unauthenticated => ApiError::Unauthenticated(message),
            Code::NotFound => ApiError::NotFound(message),
            Code::PermissionDenied => ApiError::PermissionDenied(message),
            Code::FailedPrecondition => ApiError::Refused(schet_api::Refusal::from_status(&message, status.details())),
            Code::OutOfRange | Code::AlreadyExists | Code::Aborted => ApiError::FailedPrecondition(message),
            Code::Unavailable | Code::DeadlineExceeded => ApiError::Unavailable(message),
            Code::Unimplemented => ApiError::WrongEndpoint(message),
            Code::Unknown | Code::Internal => classify_transport(&status, message),
            _ => ApiError::Other(format!("{:?}: {message}", status.code())),
        }
    }
}

/// Transport failures arrive as Unknown/Internal statuses carrying the client's error.
fn classify_transport(status: &Status, message: String) -> ApiError {
    use std::error::Error as _;
    let mut source = status.source();
    while let Some(e) = source {
        if let Some(e) = e.downcast_ref::<tonic_web_wasm_client::Error>() {
            return match e {
                tonic_web_wasm_client::Error::InvalidContentType(_)
                | tonic_web_wasm_client::Error::MissingContentTypeHeader
                | tonic_web_wasm_client::Error::MalformedResponse => ApiError::WrongEndpoint(e.to_string()),
                _ => ApiError::Unavailable(e.to_string()),
            };
        }
        source = e.source();
    }
    // The fetch API reports network failures as a TypeError.
    if message.contains("Failed to fetch") || message.contains("NetworkError") || message.contains("JS API error") {
        ApiError::Unavailable(message)
    } else if message.contains("content type") || message.contains("content-type") {
        ApiError::WrongEndpoint(message)
    } else {
        ApiError::Other(message)
    }
}

/// Where a call goes and as whom: the endpoint, and the token (None: a guest, who sends no
/// `authorization` metadata at all).
#[derive(Clone)]
pub struct Target {
    pub base_url: String,
    pub token: Option<String>,
}

impl Target {
    fn client(&self) -> tonic::client::Grpc<tonic_web_wasm_client::Client> {
        tonic::client::Grpc::new(tonic_web_wasm_client::Client::new(self.base_url.clone()))
    }

    /// Wraps an encoded message with `authorization: Bearer <token>` (none for a guest).
    fn request(&self, body: Vec<u8>) -> Result<tonic::Request<Vec<u8>>, ApiError> {
        let mut request = tonic::Request::new(body);
        if let Some(token) = &self.token {
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| ApiError::Unauthenticated("the token has characters a header cannot carry".into()))?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

/// The transport's go-ahead (tower's contract; the browser client is always ready).
async fn ready(grpc: &mut tonic::client::Grpc<tonic_web_wasm_client::Client>) -> Result<(), ApiError> {
    grpc.ready().await.map_err(|e| ApiError::Unavailable(e.to_string()))
}

/// A unary call's answer, as bytes, once sent.
pub type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<u8>, ApiError>>>>;

/// Sends one unary call: `(target, path, encoded request)`.
pub type Unary = fn(Target, &'static str, Vec<u8>) -> Answer;

/// The unary transport. In the split release build this is where the module `transport` is
/// fetched (once; a failed fetch is an `Err`, which the caller reports as the service being
/// unreachable, retryable): a function pointer into it comes back.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(transport, wasm_split_path = ::leptos::wasm_split, fallible)
)]
pub fn unary_sender() -> Result<Unary, leptos::wasm_split::SplitLoaderError> {
    Ok(send)
}

fn send(target: Target, path: &'static str, body: Vec<u8>) -> Answer {
    Box::pin(unary(target, path, body))
}

async fn unary(target: Target, path: &'static str, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
    let request = target.request(body)?;
    let mut grpc = target.client();
    ready(&mut grpc).await?;
    Ok(grpc.unary(request, PathAndQuery::from_static(path), BytesCodec).await?.into_inner())
}

/// A server-streaming call's messages, as bytes (only the live stream, itself lazy, uses it).
pub struct Stream(tonic::Streaming<Vec<u8>>);

pub async fn server_streaming(target: Target, path: &'static str, body: Vec<u8>) -> Result<Stream, ApiError> {
    let request = target.request(body)?;
    let mut grpc = target.client();
    ready(&mut grpc).await?;
    Ok(Stream(grpc.server_streaming(request, PathAndQuery::from_static(path), BytesCodec).await?.into_inner()))
}

impl Stream {
    /// The next message's bytes; `None` when the service ended the stream.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(self.0.message().await?)
    }
}
