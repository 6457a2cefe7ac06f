//! Interop with Debian's coturn (a real TURN server): STUN Binding and TURN Allocate over UDP,
//! TCP and TLS (ALPN stun.turn), driven through the binary with a `--profile` file.
//! `.ci/run` installs coturn; without it the test says so and passes only outside CI.

mod support;

use std::io::Write;
use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Daemon(Child);
impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    // A port free for both TCP and UDP.
    loop {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = t.local_addr().unwrap().port();
        if UdpSocket::bind(("127.0.0.1", p)).is_ok() {
            return p;
        }
    }
}

fn wait_tcp(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "coturn did not start on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn have_turnserver() -> bool {
    Command::new("turnserver")
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn coturn_answers_on_udp_tcp_and_tls() {
    if !have_turnserver() {
        support::skip("coturn (turnserver) is not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A CA and a leaf for the IP literal, so the chain is trusted through --ca-file.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "coturn test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("ca.pem"), ca.pem()).unwrap();
    std::fs::write(p("cert.pem"), leaf.pem()).unwrap();
    std::fs::write(p("key.pem"), leaf_key.serialize_pem()).unwrap();

    let plain = free_port();
    let tls = free_port();
    let _turn = Daemon(
        Command::new("turnserver")
            .args([
                "-n",
                "--no-cli",
                "--listening-ip",
                "127.0.0.1",
                "--relay-ip",
                "127.0.0.1",
            ])
            .args([
                "--listening-port",
                &plain.to_string(),
                "--tls-listening-port",
                &tls.to_string(),
            ])
            .args(["--min-port", "49152", "--max-port", "49300"])
            .arg("--cert")
            .arg(p("cert.pem"))
            .arg("--pkey")
            .arg(p("key.pem"))
            .args([
                "--lt-cred-mech",
                "--user",
                "u:p",
                "--realm",
                "coturn.test",
                "--log-file",
                "stdout",
            ])
            .arg("--pidfile")
            .arg(p("turn.pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start turnserver"),
    );
    wait_tcp(plain);
    wait_tcp(tls);

    let profile = p("coturn.toml");
    let mut f = std::fs::File::create(&profile).unwrap();
    write!(
        f,
        r#"id = "coturn"
name = "coturn"
engine = "other"
[[ice]]
url = "stun:127.0.0.1:{plain}"
required = false
[[ice]]
url = "turn:127.0.0.1:{plain}?transport=udp"
group = "media"
[[ice]]
url = "turn:127.0.0.1:{plain}?transport=tcp"
group = "media"
[[ice]]
url = "turns:127.0.0.1:{tls}?transport=tcp"
group = "media"
[needs]
audio = 30
webcam = {{ medium = 200 }}
webcam_default = "medium"
screen = 1500
"#
    )
    .unwrap();
    drop(f);

    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["--platform", "coturn", "--profile"])
        .arg(&profile)
        .arg("--ca-file")
        .arg(p("ca.pem"))
        .args(["--timeout", "3", "--no-bandwidth", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["verdict"], "ready");
    let probes = report["platforms"][0]["probes"].as_array().unwrap();
    let find = |kind: &str, transport: &str| {
        probes
            .iter()
            .find(|p| p["kind"] == kind && p["transport"] == transport)
            .unwrap_or_else(|| panic!("no {kind}/{transport} probe"))
    };
    let stun = find("stun", "udp");
    assert_eq!(stun["status"], "ok");
    assert!(
        stun["data"]["mapped_address"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    for t in ["udp", "tcp", "tls"] {
        let turn = find("turn", t);
        assert_eq!(turn["status"], "ok", "{turn}");
        assert_eq!(turn["data"]["error_code"], 401, "{turn}");
        assert_eq!(turn["data"]["realm"], "coturn.test", "{turn}");
    }
    assert_eq!(find("turn", "tls")["data"]["alpn"], "stun.turn");
}
