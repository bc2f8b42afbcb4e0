//! The API layer: one function per call, taking settings and plain messages and
//! returning `Result<_, ApiError>`. Views never touch tonic.
//!
//! Status codes become [`ApiError`] here, in one place.

pub mod chat;
pub mod events;
mod head_start;
pub mod images;
pub mod invoices;
pub mod merchant;
pub mod payments;
pub mod profile;
pub mod secrets;
mod wire;

use crate::settings::Settings;
use prost::Message;
use schet_api::rpc::Rpc;
use schet_api::{FieldError, Refusal};
use std::marker::PhantomData;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;

/// A failed call, as a person can act on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request broke a rule; names the field (proto name) and the rule. (Boxed: every
    /// call's future holds an `ApiError`, and a small one keeps them small.)
    #[error("{0}")]
    Invalid(Box<FieldError>),
    /// INVALID_ARGUMENT without a field we could recognise.
    #[error("invalid request: {0}")]
    BadRequest(String),
    #[error("unauthenticated: log in again ({0})")]
    Unauthenticated(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    #[error("not possible now: {0}")]
    FailedPrecondition(String),
    /// FAILED_PRECONDITION: the service would not make the change now; a code worded in the
    /// user's language where the service sent one, else its text.
    #[error("not possible now: {0}")]
    Refused(Refusal),
    /// The network or the service is down: retry later.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Something answered, but not as a gRPC-web TradeApi service.
    #[error("the endpoint is not a gRPC-web invoice service: {0}")]
    WrongEndpoint(String),
    #[error("not logged in")]
    NoToken,
    #[error("{0}")]
    Other(String),
}

impl ApiError {
    /// Worth retrying as is (network trouble), as opposed to fixing something first.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::Unavailable(_))
    }

    /// The detail the service gave, for showing under the headline.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Invalid(e) => e.to_string(),
            ApiError::BadRequest(m)
            | ApiError::Unauthenticated(m)
            | ApiError::NotFound(m)
            | ApiError::PermissionDenied(m)
            | ApiError::FailedPrecondition(m)
            | ApiError::Unavailable(m)
            | ApiError::WrongEndpoint(m)
            | ApiError::Other(m) => m.clone(),
            ApiError::Refused(r) => r.to_string(),
            ApiError::NoToken => String::new(),
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> ApiError {
        ApiError::Invalid(Box::new(e))
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> ApiError {
        let message = status.message().to_string();
        match status.code() {
            // The rule's code from the details (worded in the user's language), else the
            // service's own `Field: rule` text.
            Code::InvalidArgument => match FieldError::from_status(&message, status.details()) {
                Some(field) => field.into(),
                None => ApiError::BadRequest(message),
            },
            Code::Unauthenticated => ApiError::Unauthenticated(message),
            Code::NotFound => ApiError::NotFound(message),
            Code::PermissionDenied => ApiError::PermissionDenied(message),
            Code::FailedPrecondition => ApiError::Refused(Refusal::from_status(&message, status.details())),
            Code::OutOfRange | Code::AlreadyExists | Code::Aborted => ApiError::FailedPrecondition(message),
            Code::Unavailable | Code::DeadlineExceeded => ApiError::Unavailable(message),
            Code::Unimplemented => ApiError::WrongEndpoint(message),
            Code::Unknown | Code::Internal => classify_transport(&status, message),
            _ => ApiError::Other(format!("{:?}: {message}", status.code())),
        }
    }
}

/// Transport failures arrive as Unknown/Internal statuses carrying the client's error.
fn classify_transport(status: &tonic::Status, message: String) -> ApiError {
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

/// Calls to the settings' endpoint with its token: `call.unary::<rpcs::GetInvoiceById>(…)`.
/// The call's type (generated from `proto/`) fixes its path, request and response.
pub struct Call {
    grpc: tonic::client::Grpc<tonic_web_wasm_client::Client>,
    /// None: a guest (no `authorization` metadata at all).
    token: Option<String>,
}

impl Call {
    /// A call that needs a login: [`ApiError::NoToken`] without one (nothing is sent).
    pub fn new(settings: &Settings) -> Result<Call, ApiError> {
        let call = Call::viewer(settings);
        if call.token.is_none() {
            return Err(ApiError::NoToken);
        }
        Ok(call)
    }

    /// A call a guest may make too (what a shared link shows: GetInvoiceById, GetInvoices,
    /// GetImage, GetVariables): with the token when there is one, else as a guest.
    pub fn viewer(settings: &Settings) -> Call {
        let grpc = tonic::client::Grpc::new(tonic_web_wasm_client::Client::new(settings.base_url()));
        let token = settings.token.trim();
        Call { grpc, token: (!token.is_empty()).then(|| token.to_string()) }
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

    /// The transport's go-ahead (tower's contract; the browser client is always ready).
    async fn ready(&mut self) -> Result<(), ApiError> {
        self.grpc.ready().await.map_err(|e| ApiError::Unavailable(e.to_string()))
    }

    /// One request, one response.
    pub async fn unary<R: Rpc>(&mut self, message: R::Request) -> Result<R::Response, ApiError> {
        let body = self.unary_bytes(R::PATH, message.encode_to_vec()).await?;
        decode(&body)
    }

    async fn unary_bytes(&mut self, path: &'static str, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        let request = self.request(body)?;
        self.ready().await?;
        Ok(self.grpc.unary(request, PathAndQuery::from_static(path), wire::BytesCodec).await?.into_inner())
    }

    /// One request, a stream of responses.
    pub async fn server_streaming<R: Rpc>(&mut self, message: R::Request) -> Result<Responses<R>, ApiError> {
        let request = self.request(message.encode_to_vec())?;
        let path = PathAndQuery::from_static(R::PATH);
        self.ready().await?;
        let stream = self.grpc.server_streaming(request, path, wire::BytesCodec).await?.into_inner();
        Ok(Responses { stream, call: PhantomData })
    }
}

/// A response the service sent that is not the contract's message: it is not our service.
fn decode<M: Message + Default>(body: &[u8]) -> Result<M, ApiError> {
    M::decode(body).map_err(|e| ApiError::WrongEndpoint(format!("the answer is not a TradeApi message: {e}")))
}

/// The messages of a server-streaming call, in order.
pub struct Responses<R: Rpc> {
    stream: tonic::Streaming<Vec<u8>>,
    call: PhantomData<fn() -> R>,
}

impl<R: Rpc> Responses<R> {
    /// The next message; `None` when the service ended the stream.
    pub async fn message(&mut self) -> Result<Option<R::Response>, ApiError> {
        match self.stream.message().await? {
            Some(body) => decode(&body).map(Some),
            None => Ok(None),
        }
    }
}
