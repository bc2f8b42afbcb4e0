//! The merchant REST calls over HTTP, on the same port as TradeApi: CryptoCloud's
//! `POST /v2/invoice/merchant/list` and `POST /v2/invoice/create`. A thin layer: the contract
//! (bodies, rules, answers) is `schet_api::merchant`, the work is `service::merchant`.
//!
//! `Authorization: Token <key>`, where the key is a user's bearer token. Authentication comes
//! before any look at the body. An empty body counts as `{}`. The create answer's `link` is
//! built from the service's configured public URL, never from the request's `Host`.

use crate::db::now_ms;
use crate::service::merchant::Draft;
use crate::service::{Caller, Service, ServiceError};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, StatusCode, header};
use schet_api::merchant::{
    self as api, BAD_HEADER, BAD_SIGNATURE, CREATE_PATH, CreateRequest, CreateResponse, Detail, ErrorResponse, Issue,
    LIST_PATH, ListRequest, ListResponse, MAX_BODY_BYTES, NO_CREDENTIALS,
};
use std::sync::Arc;

/// The two calls, to be merged into the server's router (CORS is applied there).
pub fn routes(service: Arc<Service>) -> Router {
    Router::new().route(LIST_PATH, post(list)).route(CREATE_PATH, post(create)).with_state(service)
}

fn reply<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], api::to_json(body)).into_response()
}

fn detail(status: StatusCode, message: &str) -> Response {
    reply(status, &Detail { detail: message.to_string() })
}

fn unauthorized(message: &str) -> Response {
    let mut response = detail(StatusCode::UNAUTHORIZED, message);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, http::HeaderValue::from_static("Token"));
    response
}

fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "merchant call failed");
    detail(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

fn bad_request(issues: &[Issue]) -> Response {
    reply(StatusCode::BAD_REQUEST, &ErrorResponse::new(issues))
}

/// The key from `Authorization: Token <key>`, or the 401 message.
pub fn token_from(headers: &HeaderMap) -> Result<&str, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Err(NO_CREDENTIALS) };
    let Ok(value) = value.to_str() else { return Err(BAD_HEADER) };
    let mut words = value.split(' ').filter(|w| !w.is_empty());
    match (words.next(), words.next(), words.next()) {
        (None, _, _) => Err(NO_CREDENTIALS),
        (Some(scheme), Some(key), None) if scheme.eq_ignore_ascii_case("token") && !key.contains('\t') => Ok(key),
        _ => Err(BAD_HEADER),
    }
}

async fn authenticate(service: &Service, headers: &HeaderMap) -> Result<Caller, Response> {
    let key = token_from(headers).map_err(unauthorized)?;
    match service.authenticate(key).await {
        Ok(caller) => Ok(caller),
        Err(ServiceError::Unauthenticated(_)) => Err(unauthorized(BAD_SIGNATURE)),
        Err(e) => Err(internal(e)),
    }
}

/// Authenticates, then reads the body as `T` (the 401, 413 or 400 to send otherwise).
async fn request<T: serde::de::DeserializeOwned + Default>(
    service: &Service,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Caller, T), Response> {
    let caller = authenticate(service, headers).await?;
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        detail(StatusCode::PAYLOAD_TOO_LARGE, &format!("the body is larger than {MAX_BODY_BYTES} bytes"))
    })?;
    let request = api::read_body::<T>(&bytes).map_err(|issue| bad_request(&[issue]))?;
    Ok((caller, request))
}

async fn list(State(service): State<Arc<Service>>, headers: HeaderMap, body: Body) -> Response {
    let (caller, request) = match request::<ListRequest>(&service, &headers, body).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let query = match request.check() {
        Ok(q) => q,
        Err(issues) => return bad_request(&issues),
    };
    match service.merchant().page(&caller.id, &query).await {
        Ok((invoices, all_count)) => {
            let now = now_ms();
            let result = invoices.iter().map(|i| i.to_api(now, None)).collect();
            reply(StatusCode::OK, &ListResponse::new(result, all_count))
        }
        Err(e) => internal(e),
    }
}

async fn create(State(service): State<Arc<Service>>, headers: HeaderMap, body: Body) -> Response {
    let (caller, request) = match request::<CreateRequest>(&service, &headers, body).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let new = match request.check(&service.merchant()) {
        Ok(n) => n,
        Err(issues) => return bad_request(&issues),
    };
    let now = now_ms();
    match service.merchant().create(&caller.id, &Draft::from_request(new, now)).await {
        Ok(invoice) => {
            let link = format!("{}/pay/{}", service.public_url(), invoice.uuid.trim_start_matches("INV-"));
            reply(StatusCode::OK, &CreateResponse::new(invoice.to_api(now, Some(link))))
        }
        Err(e) => internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_header_shapes() {
        let h = |v: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(v) = v {
                headers.insert(header::AUTHORIZATION, v.parse().unwrap());
            }
            token_from(&headers).map(str::to_string)
        };
        assert_eq!(h(None), Err(NO_CREDENTIALS));
        assert_eq!(h(Some("")), Err(NO_CREDENTIALS));
        assert_eq!(h(Some("Token abc")), Ok("abc".into()));
        assert_eq!(h(Some("token  abc ")), Ok("abc".into()));
        for bad in ["Token", "Bearer abc", "Token a b", "abc"] {
            assert_eq!(h(Some(bad)), Err(BAD_HEADER), "{bad}");
        }
    }
}
