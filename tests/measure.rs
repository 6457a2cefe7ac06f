//! Upload bandwidth and path quality over real sockets: the binary's client against the
//! binary's `preflight serve` (ndt7 over WS and WSS, the POST sink, the header echo, STUN over
//! UDP and TCP), and the client's measurement code against hostile peers (a peer that stops
//! reading, closes early, sends garbage or lies about what it received; a lossy or silent UDP
//! server).

mod support;

use futures_util::{SinkExt, StreamExt};
use preflight::measure::{media, quality, upload};
use preflight::{ErrorClass, Status};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::venue::{HOST, Setup};
use support::{Task, rt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// `preflight serve` as a child process; stopped on drop. Its log is read at the end.
struct Serve {
    child: Child,
    http: SocketAddr,
    stun: SocketAddr,
    log: std::sync::mpsc::Receiver<String>,
}

impl Serve {
    fn spawn(ip: IpAddr, extra: &[&str]) -> Serve {
        Serve::spawn_stun(ip, 0, extra)
    }

    /// With STUN (and the media echo) on `stun_port` of `ip` (3478: where a client looks).
    fn spawn_stun(ip: IpAddr, stun_port: u16, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_preflight"))
            .arg("serve")
            .arg("--listen")
            .arg(format!("{ip}:0"))
            .arg("--stun")
            .arg(format!("{ip}:{stun_port}"))
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        // "preflight serve V: ndt7 ws://ADDR/ndt/v7/upload, ..., STUN udp+tcp ADDR"
        let http = first
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("serve said: {first}"))
            .parse()
            .unwrap();
        let stun = first.rsplit(' ').next().unwrap().parse().unwrap();
        let (tx, log) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        Serve {
            child,
            http,
            stun,
            log,
        }
    }

    /// The log lines written so far (waits a little for the last ones).
    fn log(&self) -> Vec<String> {
        let mut v = Vec::new();
        while let Ok(l) = self.log.recv_timeout(Duration::from_millis(300)) {
            v.push(l);
        }
        v
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bandwidth(report: &Value) -> &Value {
    &report["bandwidth"]
}

fn probe<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["platforms"][0]["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} probe in {report:#}"))
}

#[test]
fn ndt7_upload_to_serve_with_quality_and_latency() {
    let lab = Setup::default().start();
    let serve = Serve::spawn(lab.ip, &[]);
    let url = format!("ws://{HOST}:{}/ndt/v7/upload", serve.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "2"]);
    let b = bandwidth(&r.report);
    assert_eq!(b["method"], "ndt7", "{b:#}");
    let kbps = b["upload_kbps"].as_f64().unwrap();
    assert!(kbps > 10_000.0, "loopback upload {kbps} kbit/s");
    let sent = b["bytes_sent"].as_u64().unwrap();
    let received = b["bytes_received"].as_u64().unwrap();
    assert!(
        received > 0 && received <= sent + sent / 50,
        "{received} of {sent}"
    );
    // The figure is the receiver's: its last count over its elapsed time.
    let timeline = b["timeline"].as_array().unwrap();
    assert!(timeline.len() >= 5, "one point per ~250 ms: {timeline:?}");
    assert!(b["idle_rtt_ms"].as_f64().is_some() && b["loaded_rtt_ms"].as_f64().is_some());
    // Latency under load, sampled every 500 ms of a 2 s upload.
    assert!(
        b["latency_timeline"].as_array().unwrap().len() >= 2,
        "{:#}",
        b["latency_timeline"]
    );
    assert_eq!(b["peer"], url.as_str());
    assert!(b["duration_ms"].as_u64().unwrap() >= 1900);
    assert_eq!(b["platforms"][0]["fits"], "fits");
    assert!(b["fits"].as_str().unwrap().contains("fits"), "{b:#}");

    let q = probe(&r.report, "udp_quality");
    assert_eq!(q["status"], "ok", "{q:#}");
    assert!(q["data"]["sent"].as_u64().unwrap() >= 120, "{q:#}");
    assert_eq!(q["data"]["loss_pct"], 0.0);
    assert!(q["data"]["rtt_p95_ms"].as_f64().is_some());
    let bw = probe(&r.report, "bandwidth");
    assert_eq!(bw["status"], "ok", "{bw:#}");
    assert_eq!(r.report["verdict"], "ready", "{}", r.explain());
    assert_eq!(r.code, Some(0));

    let log = serve.log();
    assert!(
        log.iter()
            .any(|l| l.contains("ndt7 upload:") && l.contains("bytes")),
        "one log line per test: {log:?}"
    );
}

#[test]
fn path_quality_levels_come_from_the_profiles() {
    // The same loopback path, judged against levels from a profiles directory: a good RTT
    // below a microsecond makes it poor; the platform's own levels win over network.toml's.
    let lab = Setup::default().start();
    let serve = Serve::spawn(lab.ip, &[]);
    let url = format!("ws://{HOST}:{}/ndt/v7/upload", serve.http.port());
    let dir = tempfile::tempdir().unwrap();
    let levels = |rtt: &str| {
        format!(
            "[quality]\ngood_loss_pct = 1\ngood_jitter_ms = 30\ngood_rtt_ms = {rtt}\ncritical_loss_pct = 20\ncritical_rtt_ms = 2000\n"
        )
    };
    std::fs::write(dir.path().join("network.toml"), levels("0.0001")).unwrap();
    let d = dir.path().to_str().unwrap();
    let args = [
        "--bandwidth-url",
        &url,
        "--duration",
        "1",
        "--profiles-dir",
        d,
    ];
    let r = lab.run_measured(&args);
    let q = probe(&r.report, "udp_quality");
    assert_eq!(q["status"], "warn", "{q:#}");
    assert_eq!(q["error"]["class"], "poor_quality", "{q:#}");
    assert!(
        q["error"]["message"]
            .as_str()
            .unwrap()
            .contains("(good < 0.0001 ms): audio may break up"),
        "{q:#}"
    );
    assert_eq!(r.report["verdict"], "degraded", "{}", r.explain());
    // BigBlueButton's own levels (a copy of its profile with a [quality]) win.
    let bbb = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/bbb.toml"))
        .unwrap()
        + "\n"
        + &levels("100");
    std::fs::write(dir.path().join("bbb.toml"), bbb).unwrap();
    let r = lab.run_measured(&args);
    let q = probe(&r.report, "udp_quality");
    assert_eq!(q["status"], "ok", "{q:#}");
    assert_eq!(r.report["verdict"], "ready", "{}", r.explain());
}

#[test]
fn post_sink_and_wss_with_a_certificate() {
    let lab = Setup::default().start();
    let leaf = lab.ca.leaf(&[HOST]);
    let cert = lab.dir.path().join("serve.pem");
    let key = lab.dir.path().join("serve.key");
    std::fs::write(&cert, &leaf.cert_pem).unwrap();
    std::fs::write(&key, &leaf.key_pem).unwrap();
    let tls = Serve::spawn(
        lab.ip,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    let url = format!("wss://{HOST}:{}/ndt/v7/upload", tls.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "1"]);
    let b = bandwidth(&r.report);
    assert_eq!(b["method"], "ndt7");
    assert!(b["upload_kbps"].as_f64().unwrap() > 1000.0, "{b:#}");

    let url = format!("https://{HOST}:{}/upload", tls.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "1"]);
    let b = bandwidth(&r.report);
    assert_eq!(b["method"], "post", "{b:#}");
    assert!(b["upload_kbps"].as_f64().unwrap() > 1000.0, "{b:#}");
    assert!(b["bytes_received"].as_u64().unwrap() > 0);
    assert!(
        tls.log().iter().any(|l| l.contains("POST upload:")),
        "logged"
    );
}

#[test]
fn serve_echoes_headers_and_answers_stun() {
    let ip = support::fresh_loopback();
    let serve = Serve::spawn(ip, &[]);
    let mut s = std::net::TcpStream::connect(serve.http).unwrap();
    write!(
        s,
        "GET /echo HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.7\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["method"], "GET");
    assert!(
        body["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "x-forwarded-for" && h[1] == "10.0.0.7"),
        "{body:#}"
    );

    // STUN Binding over UDP and TCP: the mapped address is where the request came from.
    rt().block_on(async {
        let req = preflight::probe::stun::request(preflight::profile::IceScheme::Stun);
        let u = UdpSocket::bind((ip, 0)).await.unwrap();
        u.send_to(&req.raw, serve.stun).await.unwrap();
        let mut buf = [0u8; 1500];
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), u.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        let reply = preflight::probe::stun::decode(&req, &buf[..n]).unwrap();
        assert_eq!(reply.mapped, Some(u.local_addr().unwrap()));

        let mut t = TcpStream::connect(serve.stun).await.unwrap();
        let local = t.local_addr().unwrap();
        let (reply, _) = preflight::probe::stun::exchange_stream(&mut t, &req)
            .await
            .unwrap();
        assert_eq!(reply.mapped, Some(local));
        // Garbage does not kill the server: it still answers afterwards.
        u.send_to(b"\x00\x01garbage", serve.stun).await.unwrap();
        u.send_to(&req.raw, serve.stun).await.unwrap();
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), u.recv_from(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(preflight::probe::stun::decode(&req, &buf[..n]).is_ok());
    });
    // A plain GET on the ndt7 path is not an upgrade: a clear 400.
    let mut s = std::net::TcpStream::connect(serve.http).unwrap();
    write!(
        s,
        "GET /ndt/v7/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}

#[test]
fn serve_refuses_endless_headers() {
    let serve = Serve::spawn(support::fresh_loopback(), &[]);
    let mut s = std::net::TcpStream::connect(serve.http).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /echo HTTP/1.1\r\nHost: x\r\n").unwrap();
    let line = format!("X-Pad: {}\r\n", "a".repeat(1000));
    // The server must cut us off well before we have sent a megabyte.
    let mut cut = false;
    for _ in 0..1000 {
        if s.write_all(line.as_bytes()).is_err() {
            cut = true;
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        cut || answer.starts_with("HTTP/1.1 431") || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    // And it still serves others.
    let mut s = std::net::TcpStream::connect(serve.http).unwrap();
    write!(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn no_reachable_peer_is_a_classified_note_not_a_verdict() {
    // No --bandwidth-url: the default is M-Lab's locate API, which this lab's DNS does not know.
    let lab = Setup::default().start();
    let t0 = Instant::now();
    let r = lab.run_measured(&["--duration", "2"]);
    let b = bandwidth(&r.report);
    assert!(b["upload_kbps"].is_null(), "{b:#}");
    assert_eq!(b["error"]["class"], "nxdomain", "{b:#}");
    assert_eq!(r.report["verdict"], "ready", "{}", r.explain());
    assert!(
        r.report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("Upload not measured")),
        "{:#}",
        r.report["notes"]
    );
    // Path quality (2.5 s) still ran; no upload time was spent.
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
}

/// A hostile ndt7 peer: accepts the upgrade with the subprotocol, then does `behave`.
async fn hostile_ndt7<F, Fut>(behave: F) -> (SocketAddr, Task)
where
    F: Fn(tokio_tungstenite::WebSocketStream<TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let l = TcpListener::bind((support::fresh_loopback(), 0))
        .await
        .unwrap();
    let addr = l.local_addr().unwrap();
    let behave = std::sync::Arc::new(behave);
    let t = tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let behave = behave.clone();
            tokio::spawn(async move {
                #[allow(clippy::result_large_err)] // the callback's type is tungstenite's
                let cb = |_: &Request, mut resp: Response| {
                    resp.headers_mut().insert(
                        "Sec-WebSocket-Protocol",
                        upload::NDT7_PROTOCOL.parse().unwrap(),
                    );
                    Ok(resp)
                };
                if let Ok(ws) = tokio_tungstenite::accept_hdr_async(s, cb).await {
                    behave(ws).await;
                }
            });
        }
    });
    (addr, Task(vec![t]))
}

async fn client(addr: SocketAddr, secs: f64) -> (upload::Upload, Duration) {
    let s = TcpStream::connect(addr).await.unwrap();
    let t0 = Instant::now();
    // Nobody stops these runs: the sender is kept alive for the whole measurement.
    let (_keep, stop) = tokio::sync::watch::channel(false);
    let queue = upload::SendQueue::of(&s);
    let up = upload::ndt7(
        Box::new(s),
        &format!("ws://{addr}/ndt/v7/upload"),
        Duration::from_secs_f64(secs),
        stop,
        queue,
    )
    .await;
    (up, t0.elapsed())
}

fn count(bytes: u64, us: u64) -> Message {
    Message::text(format!(
        r#"{{"AppInfo":{{"ElapsedTime":{us},"NumBytes":{bytes}}}}}"#
    ))
}

#[test]
fn a_peer_that_stops_reading_is_stalled_within_the_deadline() {
    rt().block_on(async {
        let (addr, _t) = hostile_ndt7(|ws| async move {
            // Never read; keep the connection open.
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(ws);
        })
        .await;
        let (up, took) = client(addr, 3.0).await;
        assert_eq!(
            up.error.as_ref().map(|e| e.class),
            Some(ErrorClass::Stalled),
            "{up:?}"
        );
        // Never past its deadline (3 s), but for the half second it takes to hang up.
        assert!(took < Duration::from_millis(3600), "{took:?}");
    });
}

#[test]
fn a_peer_that_closes_early_keeps_what_was_measured() {
    rt().block_on(async {
        let (addr, _t) = hostile_ndt7(|mut ws| async move {
            let start = Instant::now();
            let mut bytes = 0u64;
            while start.elapsed() < Duration::from_millis(600) {
                if let Some(Ok(m)) = ws.next().await {
                    bytes += m.len() as u64;
                }
                if bytes > 0 && start.elapsed().as_millis() % 100 < 5 {
                    let _ = ws
                        .send(count(bytes, start.elapsed().as_micros() as u64))
                        .await;
                }
            }
            let _ = ws
                .send(count(bytes, start.elapsed().as_micros() as u64))
                .await;
            let _ = ws.close(None).await;
        })
        .await;
        let (up, took) = client(addr, 3.0).await;
        // Closed politely, or (data still in flight when it dropped the socket) reset.
        assert!(
            matches!(
                up.error.as_ref().map(|e| e.class),
                Some(ErrorClass::Closed | ErrorClass::Reset)
            ),
            "{up:?}"
        );
        assert!(up.kbps().is_some(), "what was measured is kept");
        assert!(took < Duration::from_secs(3), "{took:?}");
    });
}

#[test]
fn garbage_and_lies_are_malformed() {
    rt().block_on(async {
        let (garbage, _t1) = hostile_ndt7(|mut ws| async move {
            let _ = ws.next().await;
            let _ = ws.send(Message::text("{not json")).await;
            while ws.next().await.is_some() {}
        })
        .await;
        let (up, _) = client(garbage, 2.0).await;
        assert_eq!(
            up.error.as_ref().map(|e| e.class),
            Some(ErrorClass::Malformed),
            "{up:?}"
        );

        let (liar, _t2) = hostile_ndt7(|mut ws| async move {
            let _ = ws.next().await;
            let _ = ws.send(count(1 << 40, 100_000)).await;
            while ws.next().await.is_some() {}
        })
        .await;
        let (up, _) = client(liar, 1.0).await;
        let e = up.error.clone().expect("a lie is an error");
        assert_eq!(e.class, ErrorClass::Malformed);
        assert!(e.message.contains("claims"), "{}", e.message);
        assert_eq!(up.kbps(), None, "a lie gives no figure");

        // A huge text message is refused, not buffered.
        let (huge, _t3) = hostile_ndt7(|mut ws| async move {
            let _ = ws.next().await;
            let _ = ws.send(Message::text("x".repeat(1 << 20))).await;
            while ws.next().await.is_some() {}
        })
        .await;
        let (up, _) = client(huge, 1.0).await;
        assert_eq!(
            up.error.as_ref().map(|e| e.class),
            Some(ErrorClass::TooLarge),
            "{up:?}"
        );
    });
}

#[test]
fn a_websocket_without_the_ndt7_subprotocol_is_not_a_peer() {
    rt().block_on(async {
        let l = TcpListener::bind((support::fresh_loopback(), 0))
            .await
            .unwrap();
        let addr = l.local_addr().unwrap();
        let _t = Task(vec![tokio::spawn(async move {
            while let Ok((s, _)) = l.accept().await {
                tokio::spawn(async move {
                    if let Ok(mut ws) = tokio_tungstenite::accept_async(s).await {
                        while ws.next().await.is_some() {}
                    }
                });
            }
        })]);
        let (up, _) = client(addr, 1.0).await;
        // tungstenite refuses a server that omits the protocol the client asked for.
        assert!(
            matches!(
                up.error.as_ref().map(|e| e.class),
                Some(ErrorClass::Malformed)
            ),
            "{up:?}"
        );
    });
}

/// A UDP STUN server that answers one request in `every` (0: none), or garbage.
async fn udp_peer(every: usize, garbage: bool) -> (SocketAddr, Task) {
    let s = UdpSocket::bind((support::fresh_loopback(), 0))
        .await
        .unwrap();
    let addr = s.local_addr().unwrap();
    let t = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        let mut n = 0usize;
        while let Ok((len, from)) = s.recv_from(&mut buf).await {
            n += 1;
            if garbage {
                let _ = s.send_to(b"\x17\x03\x03 not stun", from).await;
            } else if every > 0
                && n.is_multiple_of(every)
                && let Some(a) = preflight::serve::stun_answer(&buf[..len], from)
            {
                let _ = s.send_to(&a, from).await;
            }
        }
    });
    (addr, Task(vec![t]))
}

#[test]
fn path_quality_classifies_loss_garbage_and_silence() {
    // Judged against the built-in levels (`profiles/network.toml`), worded as the report does.
    let levels = preflight::profile::network::NetworkFacts::bundled()
        .unwrap()
        .quality;
    let probe = |name: &'static str, at: SocketAddr, secs: f64| async move {
        quality::probe(name, at, secs).await.judged(&levels, |j| {
            preflight::report::measures::path_quality(j, preflight::lang::Lang::En)
        })
    };
    rt().block_on(async {
        let (good, _a) = udp_peer(1, false).await;
        let o = probe("good", good, 1.0).await;
        assert_eq!(o.status, Status::Ok, "{o:?}");
        assert_eq!(o.data["loss_pct"], 0.0);
        assert_eq!(o.data["sent"], 50);

        let (half, _b) = udp_peer(2, false).await;
        let o = probe("half", half, 1.0).await;
        assert_eq!(o.class(), Some(ErrorClass::PoorQuality), "{o:?}");
        assert_eq!(
            o.status,
            Status::Fail,
            "50 % loss is beyond BBB's critical level"
        );
        assert_eq!(o.data["loss_pct"], 50.0);

        let (junk, _c) = udp_peer(1, true).await;
        let o = probe("junk", junk, 0.5).await;
        assert_eq!(o.class(), Some(ErrorClass::Malformed), "{o:?}");

        let (silent, _d) = udp_peer(0, false).await;
        let t0 = Instant::now();
        let o = probe("silent", silent, 0.5).await;
        assert_eq!(o.class(), Some(ErrorClass::Timeout), "{o:?}");
        assert!(t0.elapsed() < Duration::from_secs(3));
    });
}

#[test]
fn ctrl_c_during_the_upload_keeps_what_was_measured() {
    rt().block_on(async {
        // A well-behaved peer: counts what it reads, every 100 ms.
        let (addr, _t) = hostile_ndt7(|mut ws| async move {
            let start = Instant::now();
            let mut bytes = 0u64;
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    m = ws.next() => match m {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(m)) => bytes += m.len() as u64,
                    },
                    _ = tick.tick() => {
                        let _ = ws.send(count(bytes, start.elapsed().as_micros() as u64)).await;
                    }
                }
            }
        })
        .await;
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(800)).await;
            let _ = stop_tx.send(true);
        });
        let s = TcpStream::connect(addr).await.unwrap();
        let t0 = Instant::now();
        let queue = upload::SendQueue::of(&s);
        let up = upload::ndt7(
            Box::new(s),
            &format!("ws://{addr}/ndt/v7/upload"),
            Duration::from_secs(10),
            stop,
            queue,
        )
        .await;
        assert_eq!(
            up.error.as_ref().map(|e| e.class),
            Some(ErrorClass::Interrupted),
            "{up:?}"
        );
        assert!(up.kbps().is_some(), "the figure so far is kept");
        assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    });
}

/// A POST sink on loopback that reads the request until the body ends (or not at all) and
/// answers `answer` (or nothing).
async fn sink(read_body: bool, answer: Option<&'static [u8]>) -> (SocketAddr, Task) {
    let l = TcpListener::bind((support::fresh_loopback(), 0))
        .await
        .unwrap();
    let addr = l.local_addr().unwrap();
    let t = tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                if !read_body {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let mut seen = Vec::new();
                let mut buf = vec![0u8; 64 * 1024];
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if seen.len() > 8 {
                        seen.drain(..seen.len() - 8);
                    }
                    if seen.ends_with(b"0\r\n\r\n") {
                        break;
                    }
                }
                match answer {
                    Some(a) => {
                        let _ = s.write_all(a).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    (addr, Task(vec![t]))
}

async fn post_to(addr: SocketAddr, secs: f64) -> (upload::Upload, Duration) {
    let (_keep, stop) = tokio::sync::watch::channel(false);
    let s = TcpStream::connect(addr).await.unwrap();
    let t0 = Instant::now();
    let queue = upload::SendQueue::of(&s);
    let up = upload::post(
        Box::new(s),
        "sink",
        "/upload",
        Duration::from_secs_f64(secs),
        stop,
        queue,
    )
    .await;
    (up, t0.elapsed())
}

#[test]
fn post_sink_faults_are_classified() {
    rt().block_on(async {
        let class = |up: &upload::Upload| up.error.as_ref().map(|e| e.class);
        let (forbidden, _a) = sink(true, Some(b"HTTP/1.1 403 Forbidden\r\n\r\n")).await;
        let (up, _) = post_to(forbidden, 0.5).await;
        assert_eq!(class(&up), Some(ErrorClass::HttpStatus), "{up:?}");

        let (garbage, _b) = sink(true, Some(b"\x16\x03\x01 not http at all\r\n\r\n")).await;
        let (up, _) = post_to(garbage, 0.5).await;
        assert_eq!(class(&up), Some(ErrorClass::Malformed), "{up:?}");

        let (liar, _c) = sink(
            true,
            Some(b"HTTP/1.1 200 OK\r\n\r\n{\"bytes\": 999999999999, \"elapsed_ms\": 10}"),
        )
        .await;
        let (up, _) = post_to(liar, 0.5).await;
        assert_eq!(class(&up), Some(ErrorClass::Malformed), "{up:?}");
        assert_eq!(up.kbps(), None);

        let (mute, _d) = sink(true, None).await;
        let (up, took) = post_to(mute, 0.5).await;
        assert_eq!(class(&up), Some(ErrorClass::Timeout), "{up:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");

        let (deaf, _e) = sink(false, None).await;
        let (up, took) = post_to(deaf, 1.0).await;
        assert_eq!(class(&up), Some(ErrorClass::Stalled), "{up:?}");
        assert!(took < Duration::from_secs(4), "{took:?}");
    });
}

#[test]
fn latency_samples_a_listening_hop_and_stops_at_a_refusing_one() {
    rt().block_on(async {
        let l = TcpListener::bind((support::fresh_loopback(), 0))
            .await
            .unwrap();
        let open = l.local_addr().unwrap();
        let v = preflight::measure::latency::idle(&open.into(), Duration::from_secs(2)).await;
        assert_eq!(v.len(), 5, "{v:?}");
        drop(l);
        // Nothing listens any more: refused, no sample (a refusal is not a latency).
        let t0 = Instant::now();
        let v = preflight::measure::latency::idle(&open.into(), Duration::from_secs(2)).await;
        assert!(v.is_empty(), "{v:?}");
        assert!(t0.elapsed() < Duration::from_secs(1));
    });
}

#[test]
fn media_rate_udp_to_serve_only() {
    let lab = Setup::default().start();
    // The measurement peer by address: the media stream goes to port 3478 of its host.
    let peer_ip = support::fresh_loopback();
    let serve = Serve::spawn_stun(peer_ip, media::DEFAULT_PORT, &[]);
    let url = format!("ws://{peer_ip}:{}/ndt/v7/upload", serve.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "2"]);
    let m = &bandwidth(&r.report)["media_udp"];
    // BigBlueButton's speaker: microphone 30 + 20 of headers, webcam « medium » 200 × 1.05.
    assert_eq!(m["target_kbps"], 260.0, "{m:#}");
    assert_eq!(m["platform"], "bbb");
    assert_eq!(m["peer"], format!("{peer_ip}:3478"));
    assert_eq!(m["loss_pct"], 0.0, "{m:#}");
    let got = m["received_kbps"].as_f64().unwrap();
    assert!((200.0..=320.0).contains(&got), "{m:#}");
    assert!(m["jitter_ms"].as_f64().unwrap() < 30.0, "{m:#}");
    assert!(
        m["sent"].as_u64().unwrap() >= 70,
        "1.5 s of 20 ms packets after the warm-up: {m:#}"
    );
    assert_eq!(r.report["verdict"], "ready", "{}", r.explain());
    assert!(
        serve.log().iter().any(|l| l.contains("UDP at media rate")),
        "serve logs the test"
    );
    // An attendee's stream is the microphone.
    let r = lab.run_measured(&[
        "--bandwidth-url",
        &url,
        "--duration",
        "1",
        "--role",
        "attendee",
    ]);
    assert_eq!(bandwidth(&r.report)["media_udp"]["target_kbps"], 50.0);

    // A peer with no echo on its port 3478 (M-Lab's, or serve elsewhere): not measured, said.
    let other_ip = support::fresh_loopback();
    let other = Serve::spawn(other_ip, &[]);
    let url = format!("ws://{other_ip}:{}/ndt/v7/upload", other.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "1"]);
    let m = &bandwidth(&r.report)["media_udp"];
    assert!(m["loss_pct"].is_null(), "{m:#}");
    assert!(
        m["not_measured"].as_str().unwrap().contains("UDP port"),
        "{m:#}"
    );
    assert_eq!(r.report["verdict"], "ready", "{}", r.explain());
}

/// A `preflight serve`-like UDP peer on `ip:3478`: answers STUN like serve, acknowledges the
/// media packets it keeps (`keep(n)` for the n-th), or answers them with garbage.
async fn media_peer(ip: IpAddr, keep: fn(u64) -> bool, garbage: bool) -> (SocketAddr, Task) {
    let s = UdpSocket::bind((ip, media::DEFAULT_PORT)).await.unwrap();
    let addr = s.local_addr().unwrap();
    let t = tokio::spawn(async move {
        let start = Instant::now();
        let mut buf = [0u8; 2048];
        let mut n = 0u64;
        while let Ok((len, from)) = s.recv_from(&mut buf).await {
            if let Some(a) = preflight::serve::stun_answer(&buf[..len], from) {
                let _ = s.send_to(&a, from).await;
                continue;
            }
            n += 1;
            if garbage {
                // Acknowledgements of packets never sent, twice each, and noise.
                let _ = s
                    .send_to(b"PFMA\xff\xff\xff\xff12345678\x04\x00", from)
                    .await;
                let _ = s.send_to(b"noise", from).await;
            }
            if keep(n)
                && let Some(a) = media::echo(&buf[..len], start.elapsed().as_micros() as u64)
            {
                let _ = s.send_to(&a, from).await;
                if garbage {
                    let _ = s.send_to(&a, from).await;
                }
            }
        }
    });
    (addr, Task(vec![t]))
}

fn system_dns() -> preflight::probe::dns::Dns {
    preflight::probe::dns::Dns::new(None, Duration::from_secs(1), vec![]).unwrap()
}

#[test]
fn media_rate_loss_garbage_and_strangers() {
    rt().block_on(async {
        let plan = media::Plan {
            kbps: 890.0,
            platform: "bbb".into(),
        };
        let dns = system_dns();
        let wait = Duration::from_secs(1);
        // A policer that lets every other packet through.
        let ip = support::fresh_loopback();
        let (_, _p) = media_peer(ip, |n| n % 2 == 0, false).await;
        let m = media::measure(&ip.to_string(), media::DEFAULT_PORT, &dns, &plan, wait).await;
        let s = m.result.expect("measured");
        assert!((45.0..=55.0).contains(&s.loss_pct), "{s:?}");
        assert!(!s.congested, "{s:?}");
        assert!((350.0..=550.0).contains(&s.received_kbps), "{s:?}");
        assert_eq!(s.packet_bytes, 1200);

        // Hostile acknowledgements (unknown, duplicated, noise) are counted, never trusted.
        let ip = support::fresh_loopback();
        let (_, _g) = media_peer(ip, |_| true, true).await;
        let m = media::measure(&ip.to_string(), media::DEFAULT_PORT, &dns, &plan, wait).await;
        let s = m.result.expect("measured");
        assert_eq!(s.loss_pct, 0.0, "{s:?}");
        assert!(s.garbage >= s.sent, "{s:?}");

        // A STUN server that is not preflight serve gets one Binding request, no stream.
        let ip = support::fresh_loopback();
        let (stranger, _s) = udp_peer_at(ip, media::DEFAULT_PORT).await;
        let m = media::measure(&ip.to_string(), media::DEFAULT_PORT, &dns, &plan, wait).await;
        let why = m.result.unwrap_err();
        assert!(
            matches!(&why, media::NotMeasured::NotEcho { software: None, .. }),
            "{why:?}"
        );
        let said = preflight::report::errors::not_measured(&why, preflight::report::Lang::En);
        assert!(said.contains("not preflight serve"), "{said}");
        assert!(stranger.load(std::sync::atomic::Ordering::Relaxed) <= 3);

        // Nothing answers: not measured, within the wait.
        let silent = UdpSocket::bind((support::fresh_loopback(), media::DEFAULT_PORT))
            .await
            .unwrap();
        let ip = silent.local_addr().unwrap().ip();
        let t0 = Instant::now();
        let m = media::measure(&ip.to_string(), media::DEFAULT_PORT, &dns, &plan, wait).await;
        assert!(
            matches!(m.result, Err(media::NotMeasured::NoAnswer { .. })),
            "{m:?}"
        );
        assert!(
            t0.elapsed() < Duration::from_millis(1500),
            "{:?}",
            t0.elapsed()
        );
    });
}

/// A Binding success without SOFTWARE, as any STUN server answers.
fn stranger_answer(bytes: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
    let mut req = rtc_stun::message::Message::new();
    req.unmarshal_binary(bytes).ok()?;
    let mut m = rtc_stun::message::Message::new();
    let setters: Vec<Box<dyn rtc_stun::message::Setter>> = vec![
        Box::new(req.transaction_id),
        Box::new(rtc_stun::message::BINDING_SUCCESS),
        Box::new(rtc_stun::xoraddr::XorMappedAddress {
            ip: from.ip(),
            port: from.port(),
        }),
    ];
    m.build(&setters).ok()?;
    Some(m.raw)
}

/// A STUN server that is not preflight serve (no SOFTWARE): counts what it receives.
async fn udp_peer_at(
    ip: IpAddr,
    port: u16,
) -> (std::sync::Arc<std::sync::atomic::AtomicUsize>, Task) {
    let s = UdpSocket::bind((ip, port)).await.unwrap();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let t = tokio::spawn(async move {
        let mut buf = [0u8; 2048];
        while let Ok((len, from)) = s.recv_from(&mut buf).await {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if let Some(a) = stranger_answer(&buf[..len], from) {
                let _ = s.send_to(&a, from).await;
            }
        }
    });
    (seen, Task(vec![t]))
}

#[test]
fn policed_udp_is_a_finding_with_advice() {
    // The ndt7 peer is serve; port 3478 of its host polices UDP: one packet in four passes.
    let lab = Setup::default().start();
    let peer_ip = support::fresh_loopback();
    let serve = Serve::spawn(peer_ip, &[]);
    // The peer runs on the shared runtime's threads while the check runs here.
    let (_, _p) = rt().block_on(media_peer(peer_ip, |n| n % 4 == 0, false));
    let url = format!("ws://{peer_ip}:{}/ndt/v7/upload", serve.http.port());
    let r = lab.run_measured(&["--bandwidth-url", &url, "--duration", "1"]);
    let m = &bandwidth(&r.report)["media_udp"];
    assert!(m["loss_pct"].as_f64().unwrap() > 60.0, "{m:#}");
    let b = probe(&r.report, "bandwidth");
    assert!(b["data"]["udp_policed"].is_object(), "{b:#}");
    assert_eq!(r.report["verdict"], "degraded", "{}", r.explain());
    let summary = r.report["platforms"][0]["summary"].as_str().unwrap();
    // 65 kbit/s get through: not even the 'low' webcam (155 kbit/s with the microphone).
    assert!(
        summary.contains("UDP is policed") && summary.contains("keep the camera off"),
        "{summary}"
    );
    assert_eq!(b["error"]["class"], "poor_quality", "{b:#}");
    let ticket = r.report["support"]["ticket"].as_str().unwrap();
    assert!(
        ticket.contains("raise this room's UDP rate limit") && ticket.contains("260 kbit/s"),
        "{ticket}"
    );
}

/// A peer that reads at about `kbytes_per_s` and counts what it read every 250 ms.
async fn slow_reader(kbytes_per_s: u64) -> (SocketAddr, Task) {
    paced_reader(
        move |bytes| bytes as f64 / (kbytes_per_s * 1000) as f64,
        true,
    )
    .await
}

/// A peer that has read `bytes` no sooner than `due(bytes)` seconds after its start, and
/// counts what it read every 250 ms when `counts`.
async fn paced_reader(
    due: impl Fn(u64) -> f64 + Copy + Send + Sync + 'static,
    counts: bool,
) -> (SocketAddr, Task) {
    let (addr, t) = hostile_ndt7(move |mut ws| async move {
        let start = Instant::now();
        let mut bytes = 0u64;
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        loop {
            tokio::select! {
                m = ws.next() => match m {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(m)) => {
                        bytes += m.len() as u64;
                        // Never faster than the rate: sleep off what this message cost.
                        let due = Duration::from_secs_f64(due(bytes));
                        if let Some(wait) = due.checked_sub(start.elapsed()) {
                            tokio::time::sleep(wait).await;
                        }
                    }
                },
                _ = tick.tick(), if counts => {
                    let _ = ws.send(count(bytes, start.elapsed().as_micros() as u64)).await;
                }
            }
        }
    })
    .await;
    (addr, t)
}

#[test]
fn a_slow_reader_is_not_a_stall_and_a_steady_one_stops_early() {
    rt().block_on(async {
        // 125 kB/s (1 Mbit/s), read in whole messages: a message of the old 1 MiB size would
        // take 8 s to hand over; the sender sizes them from the rate and sees the progress.
        let (addr, _t) = slow_reader(125).await;
        let (up, took) = client(addr, 3.0).await;
        assert!(up.error.is_none(), "{up:?}");
        assert_eq!(up.ended, upload::Ended::Duration);
        let kbps = up.kbps().unwrap();
        assert!((800.0..=1100.0).contains(&kbps), "{kbps} kbit/s");
        assert!(took < Duration::from_millis(3600), "{took:?}");

        // A steady peer with the default duration: the test stops once the rate is stable.
        let (addr, _t) = slow_reader(500).await;
        let (up, took) = client(addr, 10.0).await;
        assert!(up.error.is_none(), "{up:?}");
        assert_eq!(up.ended, upload::Ended::Stable, "{up:?}");
        assert!(up.sending < Duration::from_secs(6), "{:?}", up.sending);
        assert!(took < Duration::from_secs(7), "{took:?}");
        let kbps = up.kbps().unwrap();
        assert!((3600.0..=4400.0).contains(&kbps), "{kbps} kbit/s");
    });
}

#[test]
fn a_rising_rate_is_never_stable_and_runs_its_duration() {
    rt().block_on(async {
        // The peer reads ever faster (its rate grows by 100 kB/s each second): the figure of
        // the last 2 s is never that of the whole, so the test does not stop early.
        let (addr, _t) = paced_reader(|bytes| (2.0 * bytes as f64 / 100_000.0).sqrt(), true).await;
        let (up, took) = client(addr, 5.0).await;
        assert!(up.error.is_none(), "{up:?}");
        assert_eq!(up.ended, upload::Ended::Duration, "{up:?}");
        assert!(
            up.sending >= Duration::from_millis(4900),
            "{:?}",
            up.sending
        );
        assert!(took < Duration::from_millis(5600), "{took:?}");
    });
}

#[test]
fn a_peer_that_reads_without_counting_is_not_stalled() {
    rt().block_on(async {
        // It reads at 250 kB/s but never says what it counted: the socket moves, no stall;
        // the figure is the sender's, and said so.
        let (addr, _t) = paced_reader(|bytes| bytes as f64 / 250_000.0, false).await;
        let (up, _) = client(addr, 3.0).await;
        assert!(up.error.is_none(), "{up:?}");
        assert_eq!(up.ended, upload::Ended::Duration, "{up:?}");
        assert!(up.counts.is_empty(), "{up:?}");
        assert!(up.sender_counted, "{up:?}");
    });
}

#[test]
fn a_flood_of_tiny_counts_stays_a_bounded_sample() {
    rt().block_on(async {
        let (addr, _t) = hostile_ndt7(|ws| async move {
            let (mut sink, mut source) = ws.split();
            let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let r = read.clone();
            tokio::spawn(async move {
                while let Some(Ok(m)) = source.next().await {
                    r.fetch_add(m.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
            let start = Instant::now();
            loop {
                let n = read.load(std::sync::atomic::Ordering::Relaxed) / 2;
                let us = start.elapsed().as_micros() as u64;
                if sink.send(count(n, us)).await.is_err() {
                    break;
                }
            }
        })
        .await;
        let (up, _) = client(addr, 3.0).await;
        assert!(up.counts.len() <= 1024, "{} counts kept", up.counts.len());
        assert!(up.counts.len() >= 20, "{} counts kept", up.counts.len());
        assert!(up.kbps().is_some(), "{up:?}");
    });
}
