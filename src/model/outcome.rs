//! What one probe found.

use super::{ErrorClass, ProbeError, ProbeKind, Status, Transport};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::net::SocketAddr;

/// The result of one probe. `error` is present only for `warn` and `fail`.
///
/// What the program itself reads back is typed in [`Facts`]; on the wire those facts are keys of
/// `data` (see [`wire`]), so the JSON report keeps its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "wire::Outcome", from = "wire::Outcome")]
pub struct Outcome {
    pub kind: ProbeKind,
    pub target: String,
    pub transport: Option<Transport>,
    pub status: Status,
    pub duration_ms: u64,
    pub error: Option<ProbeError>,
    /// What the probe learned that only the report shows.
    pub data: Map<String, Value>,
    pub facts: Facts,
}

/// What a probe learned that the program reads back (the diagnosis, the measurements, the
/// ticket), typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The host and port the probe aimed at (the plan's step; not in the report, except as
    /// `data.server` for STUN and TURN).
    pub aim: Option<(String, u16)>,
    /// The address that answered (`data.address`).
    pub address: Option<SocketAddr>,
    /// The public address a STUN or TURN server saw (`data.mapped_address`).
    pub mapped: Option<SocketAddr>,
    /// Why a skipped probe did not run (`data.cause`, `data.cause_probe`).
    pub skip: Option<Skip>,
    /// What the path quality levels said of a stream that is not good (not on the wire: the
    /// JSON has the figures and the English message).
    pub quality: Option<Judgement>,
    /// The product whose own test page the proxy answered (`data.filter_test`).
    pub filter_test: Option<String>,
}

/// Why a probe was skipped: the root failure's class (`Interrupted` when the run was stopped)
/// and which probe failed (`kind target`).
#[derive(Debug, Clone, PartialEq)]
pub struct Skip {
    pub cause: Option<ErrorClass>,
    pub probe: Option<String>,
}

pub mod wire;

impl Outcome {
    pub fn new(kind: ProbeKind, target: impl Into<String>, transport: Option<Transport>) -> Self {
        Outcome {
            kind,
            target: crate::inert::line(&target.into()),
            transport,
            status: Status::Ok,
            duration_ms: 0,
            error: None,
            data: Map::new(),
            facts: Facts::default(),
        }
    }

    /// Record what the probe learned; strings (which the network chose) are made inert.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        let mut v = value.into();
        crate::inert::value(&mut v);
        self.data.insert(key.to_string(), v);
    }

    pub fn fail(self, class: ErrorClass, message: impl Into<String>) -> Self {
        self.failed(ProbeError::new(class, message))
    }

    pub fn warn(self, class: ErrorClass, message: impl Into<String>) -> Self {
        self.warned(ProbeError::new(class, message))
    }

    /// Fail with `e` (its message, which the network may have chosen, made inert).
    pub fn failed(mut self, e: ProbeError) -> Self {
        self.status = Status::Fail;
        self.error = Some(ProbeError {
            message: crate::inert::line(&e.message),
            ..e
        });
        self
    }

    /// Warn with `e` (its message made inert).
    pub fn warned(mut self, e: ProbeError) -> Self {
        self.status = Status::Warn;
        self.error = Some(ProbeError {
            message: crate::inert::line(&e.message),
            ..e
        });
        self
    }

    pub fn skipped(mut self, why: impl Into<String>) -> Self {
        self.status = Status::Skipped;
        self.error = None;
        let why: String = why.into();
        self.set("skipped", why);
        self
    }

    /// The address that answered.
    pub fn answered_by(mut self, addr: SocketAddr) -> Self {
        self.facts.address = Some(addr);
        self
    }

    /// The host and port the probe aims at.
    pub fn aimed_at(mut self, host: &str, port: u16) -> Self {
        self.facts.aim = Some((host.to_string(), port));
        self
    }

    /// Skipped because of `cause` (the root failure's class) found by `probe` (`kind target`).
    pub fn skipped_for(mut self, cause: Option<ErrorClass>, probe: Option<String>) -> Self {
        self.facts.skip = Some(Skip { cause, probe });
        self
    }

    /// Skipped because the run was stopped.
    pub fn was_interrupted(&self) -> bool {
        self.status == Status::Skipped
            && self.facts.skip.as_ref().and_then(|s| s.cause) == Some(ErrorClass::Interrupted)
    }

    pub fn class(&self) -> Option<ErrorClass> {
        self.error.as_ref().map(|e| e.class)
    }

    pub fn works(&self) -> bool {
        matches!(self.status, Status::Ok | Status::Warn)
    }

    pub fn data_str(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }
}

/// A level the stream crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Loss,
    Jitter,
    Rtt,
}

/// One figure at or beyond its good level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossed {
    pub measure: Measure,
    /// The figure (loss %, jitter ms, median RTT ms).
    pub value: f64,
    /// The good level it reached.
    pub good: f64,
}

/// What the levels say of a stream that is not good.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    /// No packet was answered.
    NoAnswer,
    /// Figures at or beyond their good level; `critical`: one is beyond its critical level,
    /// live media will not hold.
    Poor {
        critical: bool,
        crossed: Vec<Crossed>,
    },
}

impl Judgement {
    pub fn critical(&self) -> bool {
        match self {
            Judgement::NoAnswer => true,
            Judgement::Poor { critical, .. } => *critical,
        }
    }

    /// The good level a figure crossed (None when that figure was fine, or nothing answered).
    pub fn good_level(&self, m: Measure) -> Option<f64> {
        match self {
            Judgement::Poor { crossed, .. } => {
                crossed.iter().find(|c| c.measure == m).map(|c| c.good)
            }
            Judgement::NoAnswer => None,
        }
    }
}
