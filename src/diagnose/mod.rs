//! Diagnosis: pure functions over outcomes and venue facts (no sockets): the verdict, the
//! likely firewall, the support desk and its ticket.

pub mod desk;
pub mod firewall;
pub mod measures;
pub mod network;
pub mod proxy;
pub mod verdict;
