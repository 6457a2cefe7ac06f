//! preflight: can this room's network carry a webinar? See README.md.
//!
//! Data flows one way: options -> profiles -> plan -> runner -> outcomes -> diagnosis -> reports.

mod model;
pub mod profile;

pub use model::*;
