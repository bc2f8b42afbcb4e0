//! Pieces screens share. A component may use other components, the state, the API and the
//! texts; never a screen.

pub mod composer;
pub mod decline;
pub mod error_view;
pub mod events_link;
pub mod field;
pub mod files;
pub mod image_picker;
pub mod inbox_link;
pub mod invoice_chat;
pub mod link_state;
pub mod login;
pub mod lookup;
pub mod payment_card;
pub mod payment_chat;
pub mod person;
pub mod qr;
pub mod rows;
pub mod status_badge;
pub mod subject;
pub mod thread;
pub mod thumbs;
pub mod top_bar;

pub use error_view::{ErrorView, part_or_retry};
pub use image_picker::ImagePicker;
pub use payment_card::PaymentCard;
pub use person::Person;
pub use qr::QrCode;
pub use rows::Rows;
pub use status_badge::StatusBadge;
pub use top_bar::TopBar;
