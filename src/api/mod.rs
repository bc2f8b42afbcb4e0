//! The API layer: one function per call, taking settings and plain messages and
//! returning `Result<_, ApiError>`. Views never touch tonic.
//!
//! Status codes become [`ApiError`] here, in one place.

pub mod chat;
pub mod events;
pub mod images;
pub mod invoices;
pub mod merchant;
pub mod payments;
pub mod profile;
pub mod secrets;

use crate::settings::Settings;
use schet_api::FieldError;
use schet_api::pb::trade_api_client::TradeApiClient;
use tonic::Code;

/// A failed call, as a person can act on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request broke a rule; names the field (proto name) and the rule.
    #[error("{0}")]
    Invalid(FieldError),
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
            ApiError::NoToken => String::new(),
        }
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> ApiError {
        let message = status.message().to_string();
        match status.code() {
            Code::InvalidArgument => match FieldError::parse(&message) {
                Some(field) => ApiError::Invalid(field),
                None => ApiError::BadRequest(message),
            },
            Code::Unauthenticated => ApiError::Unauthenticated(message),
            Code::NotFound => ApiError::NotFound(message),
            Code::PermissionDenied => ApiError::PermissionDenied(message),
            Code::FailedPrecondition | Code::OutOfRange | Code::AlreadyExists | Code::Aborted => {
                ApiError::FailedPrecondition(message)
            }
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

pub type Client = TradeApiClient<tonic_web_wasm_client::Client>;

/// A client for the settings' endpoint, and the request wrapper that adds the token.
pub struct Call {
    pub client: Client,
    token: String,
}

impl Call {
    pub fn new(settings: &Settings) -> Result<Call, ApiError> {
        if settings.token.trim().is_empty() {
            return Err(ApiError::NoToken);
        }
        let client = TradeApiClient::new(tonic_web_wasm_client::Client::new(settings.base_url()));
        Ok(Call { client, token: settings.token.trim().to_string() })
    }

    /// Wraps a message with `authorization: Bearer <token>`.
    pub fn request<T>(&self, message: T) -> Result<tonic::Request<T>, ApiError> {
        let mut request = tonic::Request::new(message);
        let value = format!("Bearer {}", self.token)
            .parse()
            .map_err(|_| ApiError::Unauthenticated("the token has characters a header cannot carry".into()))?;
        request.metadata_mut().insert("authorization", value);
        Ok(request)
    }
}
