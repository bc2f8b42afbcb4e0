//! Screens, one per route. Each is thin (it reads state, calls the API layer, renders) and
//! independent: a screen never imports another screen or `app`, so each can be loaded on
//! its own.

pub mod chat;
pub mod events;
pub mod invoice;
pub mod invoice_form;
pub mod invoices;
pub mod merchant;
pub mod payment;
pub mod payments;
pub mod secrets;
pub mod settings;
