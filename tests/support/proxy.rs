//! An explicit HTTP proxy on loopback, the way a school's squid or AMON's e2guardian answers a
//! browser: CONNECT tunnels (or 407, or 403 from squid), and e2guardian's own test page.

use super::{Task, rt};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Tunnels every CONNECT (squid allowing 443).
    Tunnel,
    /// Asks for credentials (407 with a Basic realm).
    Auth,
    /// Refuses every tunnel (403 from squid).
    Forbid,
    /// Tunnels, and answers e2guardian's internal test URL like e2guardian does.
    E2guardian,
}

pub struct ProxyServer {
    pub addr: SocketAddr,
    /// Where CONNECT targets are really sent (the test's platform), whatever host is asked.
    _task: Task,
}

impl ProxyServer {
    /// `upstream`: where tunnels lead (names are the test's, so the proxy does not resolve).
    pub fn start(mode: Mode, upstream: SocketAddr) -> ProxyServer {
        let listener = rt().block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let task = rt().spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                tokio::spawn(handle(s, mode, upstream));
            }
        });
        ProxyServer {
            addr,
            _task: Task(vec![task]),
        }
    }
}

async fn handle(mut s: TcpStream, mode: Mode, upstream: SocketAddr) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte).await {
            Ok(1) if buf.len() < 16 * 1024 => buf.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let first = head.lines().next().unwrap_or("").to_string();
    let squid = "Server: squid/5.7\r\nVia: 1.1 proxy.etab.lan (squid/5.7)\r\n";
    if first.starts_with("GET http://internal.test.e2guardian.org") {
        let answer = if mode == Mode::E2guardian {
            let body = "e2guardian internal test OK";
            format!(
                "HTTP/1.1 200 OK\r\nServer: e2guardian\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        } else {
            let body = "<html><head><title>ERROR: The requested URL could not be retrieved</title></head></html>";
            format!(
                "HTTP/1.1 503 Service Unavailable\r\n{squid}X-Squid-Error: ERR_DNS_FAIL 0\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        };
        let _ = s.write_all(answer.as_bytes()).await;
        return;
    }
    if !first.starts_with("CONNECT ") {
        let _ = s
            .write_all(
                format!("HTTP/1.1 400 Bad Request\r\n{squid}Content-Length: 0\r\n\r\n").as_bytes(),
            )
            .await;
        return;
    }
    match mode {
        Mode::Auth => {
            let _ = s
                .write_all(
                    format!("HTTP/1.1 407 Proxy Authentication Required\r\n{squid}Proxy-Authenticate: Basic realm=\"Proxy Etablissement\"\r\nContent-Length: 0\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
        Mode::Forbid => {
            let _ = s
                .write_all(
                    format!("HTTP/1.1 403 Forbidden\r\n{squid}X-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 0\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
        Mode::Tunnel | Mode::E2guardian => {
            let Ok(mut up) = TcpStream::connect(upstream).await else {
                let _ = s.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                return;
            };
            if s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
            let _ = copy_bidirectional(&mut s, &mut up).await;
        }
    }
}
