//! A venue for the integration tests: a platform (DNS name, HTTPS + WebSocket, TURN) on a
//! loopback address of its own, reached by the binary with `--server`, `--resolver` and
//! `--ca-file`. As root the peers listen on the real ports (443, 3478) and the bundled `bbb`
//! profile is used unchanged; otherwise an overriding profile moves the same checks to free ports.

use super::dns::{self, DnsServer};
use super::pki::Ca;
use super::proxy::{self, ProxyServer};
use super::stun::{self, StunServer};
use super::web::{self, WebOptions, WebServer};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::Command;

pub const HOST: &str = "bbb.example.test";

#[derive(Clone, Copy, PartialEq)]
pub enum Cert {
    Good,
    Expired,
    /// Issued by a CA the machine does not trust, named like a firewall vendor's.
    Intercepted,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Names {
    Good,
    Sinkhole,
    Missing,
    Servfail,
    Silent,
}

/// What the venue's network and the platform look like in one test.
pub struct Setup {
    pub web: Option<web::Mode>,
    pub cert: Cert,
    pub turn_udp: bool,
    pub turn_tcp: bool,
    pub turn_mode: stun::Mode,
    pub names: Names,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            web: Some(web::Mode::Bbb),
            cert: Cert::Good,
            turn_udp: true,
            turn_tcp: true,
            turn_mode: stun::Mode::Good,
            names: Names::Good,
        }
    }
}

pub struct Lab {
    /// The venue's loopback address (every server of this lab listens on it).
    pub ip: IpAddr,
    /// The lab's CA, to issue more certificates (a measurement peer's).
    pub ca: Ca,
    /// The platform's HTTPS (and TURN over TLS) address, where a test proxy sends its tunnels.
    pub web_addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub ca_file: PathBuf,
    pub profile: Option<PathBuf>,
    pub dns: DnsServer,
    pub _web: Option<WebServer>,
    pub _turn: Option<StunServer>,
}

/// Two ports on `ip` for (HTTPS, TURN): the real ones when this process may bind them (and
/// `PREFLIGHT_TEST_HIGH_PORTS` is not set, which tests the other path as root).
fn ports(ip: IpAddr) -> (u16, u16, bool) {
    let high = std::env::var_os("PREFLIGHT_TEST_HIGH_PORTS").is_some();
    if !high && std::net::TcpListener::bind((ip, 443)).is_ok() {
        return (443, 3478, true);
    }
    let free = || {
        let t = std::net::TcpListener::bind((ip, 0)).unwrap();
        t.local_addr().unwrap().port()
    };
    (free(), free(), false)
}

impl Setup {
    pub fn start(self) -> Lab {
        let ip = super::fresh_loopback();
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::new("preflight test CA");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &ca.pem).unwrap();
        let leaf = match self.cert {
            Cert::Good => ca.leaf(&[HOST]),
            Cert::Expired => ca.expired_leaf(&[HOST]),
            Cert::Intercepted => Ca::new("Fortinet_CA_SSL").leaf(&[HOST]),
        };
        let (https, turn_port, real_ports) = ports(ip);
        let web = self.web.map(|mode| {
            WebServer::start(
                SocketAddr::new(ip, https),
                &leaf,
                WebOptions { mode, turn: true },
            )
            .unwrap()
        });
        let turn = (self.turn_udp || self.turn_tcp).then(|| {
            StunServer::start(ip, turn_port, self.turn_udp, self.turn_tcp, self.turn_mode).unwrap()
        });
        let answer = match self.names {
            Names::Sinkhole => "0.0.0.0".parse().unwrap(),
            _ => ip,
        };
        let zone: Vec<(&str, Vec<IpAddr>)> = match self.names {
            Names::Missing => vec![],
            _ => vec![(HOST, vec![answer])],
        };
        let mode = match self.names {
            Names::Servfail => dns::Mode::Servfail,
            Names::Silent => dns::Mode::Silent,
            _ => dns::Mode::Zone,
        };
        let dns = DnsServer::start(&zone, mode);
        let profile = (!real_ports).then(|| {
            let bundled = include_str!("../../profiles/bbb.toml");
            let moved = bundled
                .replace("{server}:3478", &format!("{{server}}:{turn_port}"))
                .replace("{server}:443", &format!("{{server}}:{https}"))
                .replace("://{server}/", &format!("://{{server}}:{https}/"));
            let p = dir.path().join("bbb.toml");
            std::fs::write(&p, moved).unwrap();
            p
        });
        Lab {
            ip,
            ca,
            web_addr: SocketAddr::new(ip, https),
            dir,
            ca_file,
            profile,
            dns,
            _web: web,
            _turn: turn,
        }
    }
}

pub struct Run {
    pub code: Option<i32>,
    pub report: Value,
    pub stderr: String,
}

impl Lab {
    pub fn run(&self, extra: &[&str]) -> Run {
        self.run_env(extra, &[])
    }

    pub fn run_env(&self, extra: &[&str], envs: &[(&str, String)]) -> Run {
        let mut args = vec!["--no-bandwidth"];
        args.extend_from_slice(extra);
        self.run_with(&args, envs)
    }

    /// A run with the measurements (path quality, upload): `extra` names the peer.
    pub fn run_measured(&self, extra: &[&str]) -> Run {
        self.run_with(extra, &[])
    }

    fn run_with(&self, extra: &[&str], envs: &[(&str, String)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_preflight"));
        cmd.args(["check", "--server", HOST, "--platform", "bbb", "--json"])
            .arg("--resolver")
            .arg(self.dns.addr.to_string())
            .arg("--ca-file")
            .arg(&self.ca_file)
            .args(["--timeout", "2", "--lab-net", "127.0.0.0/8"])
            .args(extra)
            .current_dir(self.dir.path());
        if let Some(p) = &self.profile {
            cmd.arg("--profile").arg(p);
        }
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
        cmd.envs(envs.iter().map(|(k, v)| (k, v)));
        let out = cmd.env("LANG", "C").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("no JSON report ({e}); stderr:\n{stderr}"));
        validate(&report);
        Run {
            code: out.status.code(),
            report,
            stderr,
        }
    }
}

/// Every report the binary writes must match the published schema.
pub fn validate(report: &Value) {
    let schema: Value =
        serde_json::from_str(include_str!("../report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "report breaks the schema: {errors:#?}\n{report:#}"
    );
}

impl Run {
    pub fn probes(&self) -> &Vec<Value> {
        self.report["platforms"][0]["probes"].as_array().unwrap()
    }

    /// The probe of this kind (and transport, when given) that does not go through a proxy.
    pub fn probe(&self, kind: &str, transport: Option<&str>) -> &Value {
        self.probes()
            .iter()
            .find(|p| p["kind"] == kind && transport.is_none_or(|t| p["transport"] == t))
            .unwrap_or_else(|| panic!("no {kind} {transport:?} probe in {:#}", self.report))
    }

    /// Why the probe did not work: its error class, or for a probe skipped because what it
    /// needed failed (a name, a connection), the cause it inherited.
    pub fn class(&self, kind: &str, transport: Option<&str>) -> String {
        let p = self.probe(kind, transport);
        p["error"]["class"]
            .as_str()
            .or(p["data"]["cause"].as_str())
            .unwrap_or("")
            .to_string()
    }

    pub fn verdict(&self) -> &str {
        self.report["verdict"].as_str().unwrap()
    }

    pub fn explain(&self) -> String {
        format!("exit {:?}\n{}\n{:#}", self.code, self.stderr, self.report)
    }
}

impl Lab {
    /// Run with `HTTPS_PROXY` naming a proxy that leads to this lab's platform.
    pub fn run_through(&self, mode: proxy::Mode) -> Run {
        let px = ProxyServer::start(mode, self.web_addr);
        self.run_env(&[], &[("HTTPS_PROXY", format!("http://{}", px.addr))])
    }
}

impl Run {
    /// The probe of this kind that went through the proxy.
    pub fn via_proxy(&self, kind: &str) -> &Value {
        self.probes()
            .iter()
            .find(|p| {
                p["kind"] == kind
                    && p["data"]["path"]
                        .as_str()
                        .is_some_and(|v| v.starts_with("proxy "))
            })
            .unwrap_or_else(|| panic!("no {kind} probe through the proxy: {}", self.explain()))
    }
}
