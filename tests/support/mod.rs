//! Real peers for the integration tests, all on loopback: a DNS server, an HTTPS + WebSocket
//! server that answers like BigBlueButton (and TURN over TLS on the same port, as haproxy does on
//! a BigBlueButton server), a STUN/TURN server, and hostile or broken variants of each.
//! They run on one background tokio runtime; dropping a handle stops its server.
#![allow(dead_code)]

pub mod chromium;
pub mod collect;
pub mod dns;
pub mod pki;
pub mod proxy;
pub mod stun;
pub mod venue;
pub mod web;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// True under CI (`.ci/run` exports `PREFLIGHT_CI=1`; CI services set `CI`): there every
/// dependency of the tests is installed, and no test may be left out.
pub fn under_ci() -> bool {
    ["PREFLIGHT_CI", "CI"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}

/// Say that a test does not run here and why (`reason` completes "ignored, because …"); the
/// caller then returns. Under CI this fails the test instead: a missing dependency there is a
/// broken CI, not a pass.
pub fn skip(reason: &str) {
    assert!(
        !under_ci(),
        "not ignored under CI (PREFLIGHT_CI or CI is set), but {reason}"
    );
    eprintln!("ignored, because {reason}");
}

/// The runtime the peers live on (the binary under test runs in its own process).
pub fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("peer runtime")
    })
}

/// A loopback address of its own for each venue of a test run, so that tests running in
/// parallel can each have "their" server on the real ports (443, 3478).
pub fn fresh_loopback() -> IpAddr {
    static NEXT: AtomicU8 = AtomicU8::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let p = (std::process::id() % 250) as u8 + 1;
    IpAddr::V4(Ipv4Addr::new(127, 88, p, n))
}

/// The binary must find no proxy in its environment (a developer's own would be used).
pub fn without_proxy_env(cmd: &mut std::process::Command) {
    for v in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(v);
    }
}

/// Stops the server's tasks when dropped (its listening sockets close with them).
pub struct Task(pub Vec<tokio::task::JoinHandle<()>>);

impl Drop for Task {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}
