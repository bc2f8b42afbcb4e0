//! Pages. Each is thin: it reads state, calls the API layer, renders.

pub mod home;
pub mod invoice;
pub mod settings;
