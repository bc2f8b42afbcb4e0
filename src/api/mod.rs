//! The API layer: one function per call, taking settings and plain messages and
//! returning `Result<_, ApiError>`. Views never touch tonic.
//!
//! Status codes become [`ApiError`] in one place, the transport ([`wire`]).

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

/// Calls to the settings' endpoint with its token: `call.unary::<rpcs::GetInvoiceById>(…)`.
/// The call's type (generated from `proto/`) fixes its path, request and response; the
/// transport ([`wire`]) carries the bytes.
pub struct Call {
    target: wire::Target,
}

impl Call {
    /// A call that needs a login: [`ApiError::NoToken`] without one (nothing is sent).
    pub fn new(settings: &Settings) -> Result<Call, ApiError> {
        let call = Call::viewer(settings);
        if call.target.token.is_none() {
            return Err(ApiError::NoToken);
        }
        Ok(call)
    }

    /// A call a guest may make too (what a shared link shows: GetInvoiceById, GetInvoices,
    /// GetImage, GetVariables): with the token when there is one, else as a guest.
    pub fn viewer(settings: &Settings) -> Call {
        let token = settings.token.trim();
        let token = (!token.is_empty()).then(|| token.to_string());
        Call { target: wire::Target { base_url: settings.base_url(), token } }
    }

    /// One request, one response.
    pub async fn unary<R: Rpc>(&mut self, message: R::Request) -> Result<R::Response, ApiError> {
        decode(&send(self.target.clone(), R::PATH, message.encode_to_vec()).await?)
    }

    /// One request, a stream of responses.
    pub async fn server_streaming<R: Rpc>(&mut self, message: R::Request) -> Result<Responses<R>, ApiError> {
        let target = self.target.clone();
        let stream = wire::server_streaming(target, R::PATH, message.encode_to_vec()).await?;
        Ok(Responses { stream, call: PhantomData })
    }
}

/// Sends an encoded unary request; the answer's bytes. One future for every call (what
/// [`Call::unary`] compiles per call is only the encoding and the decoding).
fn send(target: wire::Target, path: &'static str, body: Vec<u8>) -> wire::Answer {
    Box::pin(async move {
        // The split release build fetches the transport's code on the first call.
        let transport = crate::lazy::lazily!(wire::unary_sender)
            .map_err(|e| ApiError::Unavailable(format!("the app's transport could not be loaded: {e}")))?;
        transport(target, path, body).await
    })
}

/// A response the service sent that is not the contract's message: it is not our service.
fn decode<M: Message + Default>(body: &[u8]) -> Result<M, ApiError> {
    M::decode(body).map_err(|e| ApiError::WrongEndpoint(format!("the answer is not a TradeApi message: {e}")))
}

/// The messages of a server-streaming call, in order.
pub struct Responses<R: Rpc> {
    stream: wire::Stream,
    call: PhantomData<fn() -> R>,
}

impl<R: Rpc> Responses<R> {
    /// The next message; `None` when the service ended the stream.
    pub async fn message(&mut self) -> Result<Option<R::Response>, ApiError> {
        match self.stream.next().await? {
            Some(body) => decode(&body).map(Some),
            None => Ok(None),
        }
    }
}
