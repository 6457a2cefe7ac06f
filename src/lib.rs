//! preflight: can this room's network carry a webinar? See README.md.
//!
//! Data flows one way: options -> profiles -> plan -> runner -> outcomes -> diagnosis -> reports.
//! Probes never print; the diagnosis is a pure function of outcomes and venue facts; platform
//! knowledge, firewall fingerprints and support desks are data in `profiles/`.

mod model;

pub mod app;
pub mod cli;
pub mod collect;
pub mod console;
pub mod diagnose;
pub mod errors;
pub mod exit;
pub mod inert;
pub mod kit;
pub mod lang;
pub mod link;
pub mod measure;
pub mod merge;
pub mod naming;
pub mod options;
pub mod pipeline;
pub mod plan;
pub mod probe;
pub mod profile;
pub mod reply;
pub mod report;
pub mod runner;
pub mod serve;

pub use model::*;
