//! The TradeApi contract and the rules both sides share.
//!
//! * [`pb`]: messages and gRPC stubs generated from `proto/trade_api.proto` (client stubs
//!   with the `client` feature, server stubs with `server`).
//! * [`decimal`]: `pb::Decimal` ⇄ [`rust_decimal::Decimal`], exact or an error.
//! * [`guid`]: image GUIDs: parsing, formatting, making new ones from random bytes.
//! * [`currency`]: ISO 4217 codes.
//! * `merchant` (feature `merchant`): the merchant REST API's contract, for the reference
//!   endpoint and the app's merchant screen: paths, statuses, limits, request and answer
//!   types (serde, read and written with serde_json, money exact), and the list and create
//!   rules.
//! * [`caps`]: every list and string of every request has a cap, checked before anything.
//! * [`net`]: which addresses the service may call out to (webhooks): public ones only.
//! * [`validate`]: every request rule, returning [`validate::FieldError`]s that name the
//!   field (by its proto name) and the rule, a [`Rule`] code with its parameters. The
//!   browser words it in the user's language next to the field; the server answers
//!   `INVALID_ARGUMENT` with the English text and the code ([`rule`]).
//! * [`refusal`]: why a well-formed change was refused (`FAILED_PRECONDITION`), as a code
//!   with parameters on the wire, like rules.
//!
//! This crate builds for wasm32 (the web app) and native (the server).

pub mod caps;
pub mod currency;
pub mod dates;
pub mod decimal;
pub mod guid;
pub mod limits;
#[cfg(feature = "merchant")]
pub mod merchant;
pub mod net;
pub mod refusal;
pub mod rpc;
pub mod rule;
pub mod status;
pub mod validate;

/// Generated from `proto/trade_api.proto` (package `CoreSchema.V1`).
#[allow(clippy::all, missing_docs)]
pub mod pb {
    tonic::include_proto!("core_schema.v1");
}

pub use decimal::DecimalError;
pub use guid::Guid;
pub use refusal::Refusal;
pub use rule::Rule;
pub use validate::FieldError;

/// The gRPC path prefix every call uses: `POST {endpoint}/CoreSchema.V1.TradeApi/{Method}`.
pub const SERVICE_PATH: &str = "/CoreSchema.V1.TradeApi";
