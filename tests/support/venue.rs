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
/// Where the venue's captive portal (`Setup::portal`) sends plain HTTP.
pub const PORTAL_LOGIN: &str = "http://portail.wifi.test/login?continue=1";

/// A TURN relay on a host of its own (`Setup::relay`).
pub const RELAY: &str = "relay.example.test";

/// The real platforms' names, all served by the venue's address (by host name). Missing on
/// purpose: `bbb-dinum-w3` (the published list is stale) and the sign-in provider.
pub const PLATFORM_NAMES: &[&str] = &[
    "webinaire.numerique.gouv.fr",
    "bbb-dinum-scalelite.visio.education.fr",
    "bbb-dinum-w1.visio.education.fr",
    "bbb-dinum-w2.visio.education.fr",
    "bbb-dinum-turn1.visio.education.fr",
    "bbb-dinum-turn2.visio.education.fr",
    "bbb-dinum-turn3.visio.education.fr",
    "bbb-dinum-turn4.visio.education.fr",
    "bbb-dinum-turn5.visio.education.fr",
    "app.livestorm.co",
    "api.livestorm.co",
    "cdn.ireland.production.livestorm.io",
    "stun.cloudflare.com",
];

#[derive(Clone, Copy, PartialEq)]
pub enum Cert {
    Good,
    Expired,
    /// Issued by a CA the machine does not trust, named like a firewall vendor's.
    Intercepted,
    /// Issued by a firewall vendor's CA that the machine trusts (the school installed it): a
    /// TLS inspection box that can answer in the server's place.
    Inspected,
}

#[derive(Clone, Copy, PartialEq)]
pub enum Names {
    Good,
    Sinkhole,
    Missing,
    Servfail,
    Silent,
    /// The resolver loses the first datagrams it gets.
    Lossy,
}

/// What the venue's network and the platform look like in one test.
pub struct Setup {
    pub web: Option<web::Mode>,
    pub cert: Cert,
    /// TURN on 443 beside the web server (ALPN stun.turn, plain TCP), as bbb-install does.
    pub web_turn: bool,
    /// The services' pages were reworded.
    pub reworded: bool,
    /// A filter holds TURN over TLS on 443 (handshake done, no answer).
    pub hold_turn: bool,
    pub turn_udp: bool,
    pub turn_tcp: bool,
    pub turn_mode: stun::Mode,
    pub names: Names,
    /// A TURN relay on a host of its own ([`RELAY`]): TCP 3478, TLS on 443, and UDP 3478
    /// unless `relay_udp` is false.
    pub relay: bool,
    pub relay_udp: bool,
    /// Whether anything answers beyond the venue's own names (the addresses tried without DNS).
    pub internet: bool,
    /// A guest Wi-Fi portal: plain HTTP on port 80 of the venue redirected to [`PORTAL_LOGIN`].
    pub portal: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            web: Some(web::Mode::Bbb),
            cert: Cert::Good,
            web_turn: true,
            reworded: false,
            hold_turn: false,
            turn_udp: true,
            turn_tcp: true,
            turn_mode: stun::Mode::Good,
            names: Names::Good,
            relay: false,
            relay_udp: true,
            internet: true,
            portal: false,
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
    /// Profiles moved to the test's ports (empty when the real ports are used).
    pub profiles: Vec<PathBuf>,
    pub dns: DnsServer,
    pub _web: Option<WebServer>,
    pub _turn: Option<StunServer>,
    pub _relay: Option<(WebServer, StunServer)>,
    pub _portal: Option<super::Task>,
    /// The relay's address, when there is one.
    pub relay_ip: Option<IpAddr>,
    /// Whether the addresses tried without DNS answer.
    pub internet: bool,
}

/// A venue's address and its sockets for HTTPS and TURN (TCP and UDP on one port), bound here
/// and handed to the servers, so that nothing can take a port between its choice and its use.
struct Sockets {
    ip: IpAddr,
    web: std::net::TcpListener,
    turn_tcp: std::net::TcpListener,
    turn_udp: std::net::UdpSocket,
    /// The real ports (443, 3478): the bundled profile is used unchanged.
    real: bool,
}

/// The real ports on a loopback address of this venue's own when this process may bind them
/// (another test process may hold them on an address: the next one is tried), unless
/// `PREFLIGHT_TEST_HIGH_PORTS` is set (which tests the other path as root); else ports the
/// OS chose.
fn sockets() -> Sockets {
    use std::net::{TcpListener, UdpSocket};
    let high = std::env::var_os("PREFLIGHT_TEST_HIGH_PORTS").is_some();
    if !high {
        for _ in 0..32 {
            match bind_at(super::fresh_loopback(), 443, 3478) {
                Ok(s) => return s,
                // Not allowed to bind low ports: no address will do.
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => break,
                Err(_) => continue,
            }
        }
    }
    let ip = super::fresh_loopback();
    let web = TcpListener::bind((ip, 0)).unwrap();
    loop {
        let turn_tcp = TcpListener::bind((ip, 0)).unwrap();
        let port = turn_tcp.local_addr().unwrap().port();
        if let Ok(turn_udp) = UdpSocket::bind((ip, port)) {
            return Sockets {
                ip,
                web,
                turn_tcp,
                turn_udp,
                real: false,
            };
        }
    }
}

/// The sockets of a venue at `ip` on these ports (TCP for the web, TCP and UDP for TURN).
fn bind_at(ip: IpAddr, web: u16, turn: u16) -> std::io::Result<Sockets> {
    use std::net::{TcpListener, UdpSocket};
    Ok(Sockets {
        ip,
        web: TcpListener::bind((ip, web))?,
        turn_tcp: TcpListener::bind((ip, turn))?,
        turn_udp: UdpSocket::bind((ip, turn))?,
        real: web == 443,
    })
}

/// Sockets on the same ports as a venue's, on a loopback address of their own (a relay).
fn same_ports(web: u16, turn: u16) -> Sockets {
    (0..64)
        .find_map(|_| bind_at(super::fresh_loopback(), web, turn).ok())
        .expect("no loopback address with these ports free")
}

/// A bundled profile moved to the test's ports (when this process may not bind 443 and 3478):
/// web URLs get the HTTPS port, 443 and 3478 in ICE URIs become the test's ports.
fn moved_profile(text: &str, https: u16, turn: u16) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if l.trim_start().starts_with("url = ") {
            for scheme in ["https://", "wss://"] {
                if let Some(i) = l.find(scheme) {
                    let rest = &l[i + scheme.len()..];
                    if let Some(slash) = rest.find('/') {
                        let host = &rest[..slash];
                        if !host.contains(':') {
                            l = format!("{}{scheme}{host}:{https}{}", &l[..i], &rest[slash..]);
                        }
                    }
                }
            }
            l = l
                .replace(":3478", &format!(":{turn}"))
                .replace(":443", &format!(":{https}"));
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

impl Setup {
    pub fn start(self) -> Lab {
        let sockets = sockets();
        let ip = sockets.ip;
        let dir = tempfile::tempdir().unwrap();
        let ca = Ca::new("preflight test CA");
        let ca_file = dir.path().join("ca.pem");
        let mut names = vec![HOST];
        names.extend_from_slice(PLATFORM_NAMES);
        let vendor = Ca::new("Fortinet_CA_SSL");
        let leaf = match self.cert {
            Cert::Good => ca.leaf(&names),
            Cert::Expired => ca.expired_leaf(&names),
            Cert::Intercepted | Cert::Inspected => vendor.leaf(&names),
        };
        // The machine trusts the lab's root; with `Inspected`, also the box's authority.
        let mut trusted = ca.pem.clone();
        if self.cert == Cert::Inspected {
            trusted.push_str(&vendor.pem);
        }
        std::fs::write(&ca_file, &trusted).unwrap();
        let https = sockets.web.local_addr().unwrap().port();
        let turn_port = sockets.turn_tcp.local_addr().unwrap().port();
        let real_ports = sockets.real;
        // A server that is not started leaves its port closed (refused).
        let web = self.web.map(|mode| {
            WebServer::on(
                sockets.web,
                &leaf,
                WebOptions {
                    mode,
                    turn: self.web_turn,
                    reworded: self.reworded,
                    hold_turn: self.hold_turn,
                },
            )
            .unwrap()
        });
        let turn = (self.turn_udp || self.turn_tcp).then(|| {
            StunServer::on(
                SocketAddr::new(ip, turn_port),
                self.turn_tcp.then_some(sockets.turn_tcp),
                self.turn_udp.then_some(sockets.turn_udp),
                self.turn_mode,
            )
            .unwrap()
        });
        // The relay listens on the same ports as the venue, on an address of its own.
        let relay_sockets = self.relay.then(|| same_ports(https, turn_port));
        let relay_ip = relay_sockets.as_ref().map(|r| r.ip);
        let relay = relay_sockets.map(|r| {
            let web = WebServer::on(r.web, &ca.leaf(&[RELAY]), WebOptions::default()).unwrap();
            let turn = StunServer::on(
                SocketAddr::new(r.ip, turn_port),
                Some(r.turn_tcp),
                self.relay_udp.then_some(r.turn_udp),
                stun::Mode::Good,
            )
            .unwrap();
            (web, turn)
        });
        let portal = self
            .portal
            .then(|| web::portal(SocketAddr::new(ip, 80), PORTAL_LOGIN));
        let answer = match self.names {
            Names::Sinkhole => "0.0.0.0".parse().unwrap(),
            _ => ip,
        };
        let mut zone: Vec<(&str, Vec<IpAddr>)> = match self.names {
            Names::Missing => vec![],
            _ => names.iter().map(|n| (*n, vec![answer])).collect(),
        };
        if let Some(rip) = relay_ip {
            zone.push((RELAY, vec![rip]));
        }
        let mode = match self.names {
            Names::Servfail => dns::Mode::Servfail,
            Names::Silent => dns::Mode::Silent,
            Names::Lossy => dns::Mode::LoseFirst,
            _ => dns::Mode::Zone,
        };
        let dns = DnsServer::start(&zone, mode);
        let mut profiles = Vec::new();
        if !real_ports {
            for (name, text) in [
                ("bbb.toml", include_str!("../../profiles/bbb.toml")),
                (
                    "webinaire.toml",
                    include_str!("../../profiles/webinaire.toml"),
                ),
                (
                    "livestorm.toml",
                    include_str!("../../profiles/livestorm.toml"),
                ),
            ] {
                let p = dir.path().join(name);
                std::fs::write(&p, moved_profile(text, https, turn_port)).unwrap();
                profiles.push(p);
            }
        }
        Lab {
            ip,
            ca,
            web_addr: SocketAddr::new(ip, https),
            dir,
            ca_file,
            profiles,
            dns,
            _web: web,
            _turn: turn,
            _relay: relay,
            _portal: portal,
            relay_ip,
            internet: self.internet,
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
        let mut args = vec!["--server", HOST, "--platform", "bbb"];
        args.extend_from_slice(extra);
        self.run_args(&args, envs)
    }

    /// Run `check` with exactly these arguments, plus the lab's resolver, CA, deadline and
    /// profiles, and the JSON report on stdout.
    pub fn run_args(&self, args: &[&str], envs: &[(&str, String)]) -> Run {
        self.run_args_with(Command::new(env!("CARGO_BIN_EXE_preflight")), args, envs)
    }

    /// `run` with another program (the Windows build under Wine).
    pub fn run_program(&self, cmd: Command, extra: &[&str], envs: &[(&str, String)]) -> Run {
        let mut args = vec!["--server", HOST, "--platform", "bbb", "--no-bandwidth"];
        args.extend_from_slice(extra);
        self.run_args_with(cmd, &args, envs)
    }

    fn run_args_with(&self, mut cmd: Command, args: &[&str], envs: &[(&str, String)]) -> Run {
        cmd.args(["check", "--json"])
            .arg("--resolver")
            .arg(self.dns.addr.to_string())
            .arg("--ca-file")
            .arg(&self.ca_file)
            .args(["--timeout", "2", "--lab-net", "127.0.0.0/8"])
            // "The internet", tried without DNS when no name resolves: this venue's web server,
            // or an address where nothing answers.
            .arg("--lab-control")
            .arg(if self.internet {
                self.web_addr.to_string()
            } else {
                "127.0.0.1:9".to_string()
            })
            .args(args)
            .current_dir(self.dir.path());
        for p in &self.profiles {
            cmd.arg("--profile").arg(p);
        }
        super::without_proxy_env(&mut cmd);
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

impl Lab {
    /// This venue's settings as a `preflight.toml` (the double-click kit's file), for a run
    /// without options: the same checks as [`Lab::run`].
    pub fn sidecar(&self) -> String {
        let s = |v: &str| toml::Value::String(v.to_string()).to_string();
        let mut t = format!(
            "server = {}\nplatform = \"bbb\"\nresolver = {}\nca-file = {}\ntimeout = 2\nlab-net = \"127.0.0.0/8\"\nno-bandwidth = true\n",
            s(HOST),
            s(&self.dns.addr.to_string()),
            s(&self.ca_file.display().to_string())
        );
        if !self.profiles.is_empty() {
            let list: Vec<String> = self
                .profiles
                .iter()
                .map(|p| s(&p.display().to_string()))
                .collect();
            t.push_str(&format!("profile = [{}]\n", list.join(", ")));
        }
        t
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

impl Run {
    /// The report block of one platform.
    pub fn platform(&self, id: &str) -> &Value {
        self.report["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("no platform {id}: {}", self.explain()))
    }

    /// A platform's notes, joined.
    pub fn notes(&self, id: &str) -> String {
        self.platform(id)["notes"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// The probe of a platform whose target contains `target` (and of this kind).
    pub fn find(&self, id: &str, kind: &str, target: &str) -> &Value {
        self.platform(id)["probes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind && p["target"].as_str().is_some_and(|t| t.contains(target)))
            .unwrap_or_else(|| panic!("no {kind} probe to {target}: {}", self.explain()))
    }
}
