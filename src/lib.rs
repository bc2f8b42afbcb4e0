//! Schet, the web app: a Leptos single-page app talking gRPC-web to an invoice service.
//!
//! Layers, each using only those below it:
//! * [`app`]: the shell and the screen at the address. [`views`]: one screen each, never
//!   importing one another.
//! * [`nav`]: the app's own router: the address, the screen it shows, moving elsewhere.
//! * [`components`]: pieces screens share.
//! * [`state`]: what every screen shares (settings, profile, live events), via the context.
//! * [`api`]: one function per call; gRPC status → [`api::ApiError`] in one place.
//! * `lazy`: what the split build loads after the first view.
//! * [`settings`], [`storage`], [`i18n`] (every string, EN and RU), [`format`], [`csv`].
//! * The plain logic (forms, bulk import, filters…) is the `schet-model` crate, tested
//!   natively; rules and conversions come from the shared `schet-api` crate.

pub mod api;
pub mod app;
pub mod components;
pub mod csv;
pub mod format;
pub mod i18n;
mod lazy;
pub mod nav;
pub mod settings;
pub mod state;
pub mod storage;
pub mod tasks;
pub mod views;

pub use app::App;
pub use state::AppShell;
