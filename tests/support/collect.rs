//! A collecting server for a test day on loopback: the real `preflight serve --collect`, run as
//! a child process (stopped when dropped), and a plain HTTP client to poke at it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Collecting {
    /// Where it listens (HTTP).
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub token: Option<String>,
    /// Its log lines so far.
    pub log: Arc<Mutex<String>>,
    child: Child,
}

impl Collecting {
    pub fn start(token: Option<&str>) -> Collecting {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_preflight"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--stun", "127.0.0.1:0"])
            .arg("--collect")
            .arg(dir.path().join("rapports"))
            .env_remove("PREFLIGHT_COLLECT_TOKEN")
            // The lines waited for below are the English ones, whatever the machine's language.
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(t) = token {
            cmd.args(["--collect-token", t]);
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(String::new()));
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            log.lock().unwrap().push_str(&format!("{line}\n"));
            if addr.is_none()
                && let Some(rest) = line.split("POST http://").nth(1)
            {
                addr = rest.split('/').next().and_then(|a| a.parse().ok());
            }
            if line.contains("collecting reports into") {
                break;
            }
        }
        let addr = addr.unwrap_or_else(|| panic!("serve did not start: {}", log.lock().unwrap()));
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                keep.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        Collecting {
            addr,
            dir,
            token: token.map(str::to_string),
            log,
            child,
        }
    }

    /// What `check --send` is given.
    pub fn send_url(&self) -> String {
        match &self.token {
            Some(t) => format!("http://{}/reports?token={t}", self.addr),
            None => format!("http://{}/reports", self.addr),
        }
    }

    /// The live page's URL.
    pub fn page_url(&self) -> String {
        match &self.token {
            Some(t) => format!("http://{}/?token={t}", self.addr),
            None => format!("http://{}/", self.addr),
        }
    }

    pub fn folder(&self) -> PathBuf {
        self.dir.path().join("rapports")
    }

    /// Every file in the folder (hidden ones too: nothing half-written may stay).
    pub fn stored(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.folder())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    }

    /// One request; the status and the body of the answer.
    pub fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[&str],
        body: &[u8],
    ) -> (u16, String) {
        http(self.addr, method, target, headers, body)
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 request. The body is written from another thread, so that an answer that
/// comes before the whole body was read (a refusal) is still read here.
pub fn http(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[&str],
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut w = s.try_clone().unwrap();
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = w.write_all(head.as_bytes());
        let _ = w.write_all(&body);
    });
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let _ = writer.join();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}
