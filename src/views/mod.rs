//! Pages. Each is thin: it reads state, calls the API layer, renders.

pub mod chat;
pub mod invoice;
pub mod invoice_form;
pub mod invoices;
pub mod merchant;
pub mod payments;
pub mod secrets;
pub mod settings;
