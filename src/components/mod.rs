//! Reusable pieces of the UI.

pub mod error_view;
pub mod status_badge;
pub mod top_bar;

pub use error_view::ErrorView;
pub use status_badge::StatusBadge;
pub use top_bar::TopBar;
