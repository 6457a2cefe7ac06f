//! Runs a plan: every probe concurrently, each as soon as the probes it needs are done, each
//! under its own deadline, the whole run under a global cap. A probe whose prerequisite failed
//! is `skipped` with the reason. Ctrl-C (the `cancel` future) stops the run and keeps what was
//! measured.

use crate::model::{ErrorClass, Outcome, ProbeKind, Status};
use crate::plan::{Plan, Step};
use crate::probe::{self, Env, dns::Dns};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Told about progress; the CLI draws bars with it. Probes themselves never print.
pub trait Observer: Send + Sync {
    fn started(&self, _total: usize) {}
    fn finished(&self, _index: usize, _step: &Step, _outcome: &Outcome) {}
    /// A longer stage without steps (the measurements), named in words.
    fn phase(&self, _what: &str) {}
}

/// An observer that does nothing (tests, `--json` to a pipe).
pub struct Silent;
impl Observer for Silent {}

pub struct RunResult {
    /// One outcome per planned probe, in plan order.
    pub outcomes: Vec<Outcome>,
    pub interrupted: bool,
    pub duration: Duration,
}

type Slot = watch::Sender<Option<Arc<Outcome>>>;

/// The longest a whole run may take, whatever the chain of dependencies: DNS, then a
/// connection, then a request, each with its deadline, plus a margin.
pub fn global_cap(timeout: Duration) -> Duration {
    timeout * 3 + Duration::from_secs(1)
}

pub async fn run(
    plan: &Plan,
    dns: Arc<Dns>,
    env: Env,
    observer: Arc<dyn Observer>,
    cancel: impl Future<Output = ()>,
) -> RunResult {
    let start = Instant::now();
    let n = plan.probes.len();
    observer.started(n);
    let slots: Arc<Vec<Slot>> = Arc::new((0..n).map(|_| watch::channel(None).0).collect());
    let addrs: Arc<Mutex<HashMap<String, Vec<IpAddr>>>> = Arc::default();
    let mut set = tokio::task::JoinSet::new();
    for (i, p) in plan.probes.iter().enumerate() {
        let step = p.step.clone();
        let deps = p.deps.clone();
        let slots = slots.clone();
        let dns = dns.clone();
        let env = env.clone();
        let addrs = addrs.clone();
        let observer = observer.clone();
        let kinds: Vec<ProbeKind> = deps.iter().map(|d| plan.probes[*d].step.kind()).collect();
        set.spawn(async move {
            // Wait for what this probe needs.
            let mut got_deps: Vec<(ProbeKind, Arc<Outcome>)> = Vec::new();
            for (d, kind) in deps.iter().zip(kinds) {
                let mut rx = slots[*d].subscribe();
                if let Ok(Some(o)) = rx.wait_for(Option::is_some).await.map(|v| v.clone()) {
                    got_deps.push((kind, o));
                }
            }
            let blocked = got_deps.iter().find_map(|(kind, o)| skip(*kind, &step, o));
            let outcome = match blocked {
                Some(skipped) => skipped,
                None => {
                    let safety = env.timeout + Duration::from_millis(500);
                    let started = Instant::now();
                    match tokio::time::timeout(safety, run_step(&step, &dns, &env, &addrs)).await {
                        Ok(o) => aimed(&step, o),
                        Err(_) => {
                            let mut o = step
                                .outcome()
                                .fail(ErrorClass::Timeout, "no result before the deadline");
                            o.duration_ms = started.elapsed().as_millis() as u64;
                            o
                        }
                    }
                }
            };
            observer.finished(i, &step, &outcome);
            slots[i].send_replace(Some(Arc::new(outcome)));
        });
    }

    let cap = global_cap(env.timeout);
    let mut interrupted = false;
    let all = async { while set.join_next().await.is_some() {} };
    tokio::select! {
        _ = all => {}
        _ = cancel => { interrupted = true; }
        _ = tokio::time::sleep(cap) => {}
    }
    let outcomes = plan
        .probes
        .iter()
        .enumerate()
        .map(|(i, p)| match slots[i].borrow().as_ref() {
            Some(o) => (**o).clone(),
            None if interrupted => p
                .step
                .outcome()
                .skipped("the run was interrupted (Ctrl-C) before this probe finished")
                .skipped_for(Some(ErrorClass::Interrupted), None),
            None => {
                let mut o = p.step.outcome().fail(
                    ErrorClass::Timeout,
                    "the run reached its time limit before this probe finished",
                );
                o.duration_ms = cap.as_millis() as u64;
                o
            }
        })
        .collect();
    RunResult {
        outcomes,
        interrupted,
        duration: start.elapsed(),
    }
}

/// May a probe run after this prerequisite? A TLS handshake that worked but showed an
/// untrusted or inspected chain still lets HTTPS and WebSocket run: what answers behind the
/// interception (a block page, a proxy's refusal) is evidence.
fn usable(dep_kind: ProbeKind, _step: &Step, o: &Outcome) -> bool {
    match o.status {
        Status::Ok | Status::Warn => true,
        Status::Skipped => false,
        Status::Fail => {
            dep_kind == ProbeKind::Tls
                && matches!(
                    o.class(),
                    Some(ErrorClass::TlsInterception | ErrorClass::CertInvalid)
                )
        }
    }
}

/// The outcome of a probe that must not run because of this prerequisite's outcome, if so.
fn skip(dep_kind: ProbeKind, step: &Step, dep: &Outcome) -> Option<Outcome> {
    (!usable(dep_kind, step, dep)).then(|| skipped_because(step, dep))
}

/// The runner's rule for prerequisites, applied in plan order to outcomes that `probe` gives
/// (made-up ones in tests): a probe whose prerequisite failed is skipped, with its root cause.
pub fn settle(plan: &Plan, mut probe: impl FnMut(&Step) -> Outcome) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::with_capacity(plan.probes.len());
    for p in &plan.probes {
        let blocked = p
            .deps
            .iter()
            .find_map(|d| skip(plan.probes[*d].step.kind(), &p.step, out.get(*d)?));
        out.push(blocked.unwrap_or_else(|| aimed(&p.step, probe(&p.step))));
    }
    out
}

/// The outcome with the step's host and port, unless the probe said where it aimed.
fn aimed(step: &Step, mut o: Outcome) -> Outcome {
    if o.facts.aim.is_none() {
        o.facts.aim = step.aim();
    }
    o
}

fn skipped_because(step: &Step, dep: &Outcome) -> Outcome {
    let why = match (&dep.error, dep.status) {
        (Some(e), _) => format!(
            "{} {} failed ({})",
            dep.kind.as_str(),
            dep.target,
            e.class.as_str()
        ),
        (None, _) => format!("{} {} did not run", dep.kind.as_str(), dep.target),
    };
    // Carry the root cause so the diagnosis need not walk the plan.
    let inherited = dep.facts.skip.as_ref();
    let cause = dep.class().or(inherited.and_then(|s| s.cause));
    let probe = inherited
        .and_then(|s| s.probe.clone())
        .unwrap_or_else(|| format!("{} {}", dep.kind.as_str(), dep.target));
    step.outcome().skipped(why).skipped_for(cause, Some(probe))
}

async fn run_step(
    step: &Step,
    dns: &Dns,
    env: &Env,
    addrs: &Mutex<HashMap<String, Vec<IpAddr>>>,
) -> Outcome {
    let lookup = |host: &str| {
        addrs
            .lock()
            .map(|m| m.get(host).cloned().unwrap_or_default())
            .unwrap_or_default()
    };
    match step {
        Step::Dns { host } => {
            let (o, ips) = dns.probe(host).await;
            if let Ok(mut m) = addrs.lock() {
                m.insert(host.clone(), ips);
            }
            o
        }
        Step::Tcp { host, port } => {
            probe::tcp::probe(host, &lookup(host), *port, env.timeout).await
        }
        Step::Tls { host, port } => {
            probe::tls::probe(
                host,
                &lookup(host),
                *port,
                &[b"http/1.1"],
                &env.trust,
                env.timeout,
            )
            .await
        }
        Step::Https { host, check, via } => {
            probe::http::probe(check, host, &lookup(host), env, via.as_ref()).await
        }
        Step::Websocket { host, check, via } => {
            probe::websocket::probe(check, host, &lookup(host), env, via.as_ref()).await
        }
        Step::Ice { check, via } => {
            probe::stun::probe(check, &lookup(&check.host), env, via.as_ref()).await
        }
    }
}

/// A Ctrl-C (or any stop request) that every stage can wait on.
#[derive(Clone)]
pub struct Cancel(tokio::sync::watch::Receiver<bool>);

impl Cancel {
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Cancel) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (tx, Cancel(rx))
    }

    /// Resolves when the stop was asked (never if the sender is kept and unused).
    pub async fn wait(mut self) {
        if self.0.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// The flag itself, for a measurement that stops early and keeps what it has.
    pub fn receiver(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.clone()
    }
}
