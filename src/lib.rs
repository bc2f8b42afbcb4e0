//! Schet, the web app: a Leptos single-page app talking gRPC-web to an invoice service.
//!
//! * [`api`]: one function per call; gRPC status → [`api::ApiError`] in one place.
//! * [`settings`]: endpoint, token, language, theme (saved in the browser).
//! * [`views`]: pages; [`components`]: reusable pieces; [`i18n`]: every string, EN and RU.
//! * Rules and conversions come from the shared `schet-api` crate.

pub mod api;
pub mod app;
pub mod components;
pub mod csv;
pub mod drafts;
pub mod format;
pub mod i18n;
pub mod settings;
pub mod views;

pub use app::{App, AppShell};
