//! The ndt7 upload test: the WebSocket upgrade, the frames counted as they arrive and thrown away,
//! the measurements sent back.

use super::gate::{Gate, Pass};
use super::{Log, MAX_MESSAGE, MAX_TEST, MEASURE_EVERY, READ_BUF};
use crate::reply::text;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

pub(super) fn ndt7_upgrade(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
    pass: Arc<Pass>,
    gate: &Gate,
) -> Response<Full<Bytes>> {
    let h = req.headers();
    let is_ws = h
        .get(hyper::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let key = h
        .get("sec-websocket-key")
        .map(|k| derive_accept_key(k.as_bytes()));
    let proto_ok = h
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == crate::measure::upload::NDT7_PROTOCOL);
    let (Some(key), true, true) = (key, is_ws, proto_ok) else {
        return text(
            StatusCode::BAD_REQUEST,
            "ndt7 upload: a WebSocket upgrade with subprotocol net.measurementlab.ndt.v7 is expected\n",
        );
    };
    let Ok(session) = gate.sessions.clone().try_acquire_owned() else {
        log(format!(
            "{from} ndt7 refused: {} uploads already running (--max-sessions)",
            gate.limits.sessions
        ));
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "ndt7 upload: too many uploads at once, try again in a minute\n",
        );
    };
    let idle = gate.limits.idle;
    tokio::spawn(async move {
        // The connection's place and the session's are held until the upload ends.
        let _held = (pass, session);
        let _ = tokio::time::timeout(MAX_TEST + Duration::from_secs(5), async move {
            match hyper::upgrade::on(req).await {
                Ok(up) => {
                    // Count what is read from the connection, not whole messages: a 1 MiB
                    // message on a thin uplink takes seconds to complete.
                    let io = crate::measure::upload::Metered::new(TokioIo::new(up));
                    let received = io.read.clone();
                    ndt7_session(io, received, from, log, idle).await;
                }
                Err(e) => log(format!("{from} ndt7 upgrade failed: {e}")),
            }
        })
        .await;
    });
    let mut r = text(StatusCode::SWITCHING_PROTOCOLS, Bytes::new());
    let hs = r.headers_mut();
    hs.insert(hyper::header::UPGRADE, "websocket".parse().unwrap());
    hs.insert(hyper::header::CONNECTION, "Upgrade".parse().unwrap());
    hs.insert("Sec-WebSocket-Accept", key.parse().unwrap());
    hs.insert(
        "Sec-WebSocket-Protocol",
        crate::measure::upload::NDT7_PROTOCOL.parse().unwrap(),
    );
    r
}

/// An ndt7 measurement, as a WebSocket text frame from the server (unmasked).
pub(super) fn measurement(start: Instant, bytes: u64) -> Vec<u8> {
    let us = start.elapsed().as_micros() as u64;
    let m = serde_json::json!({
        "AppInfo": {"ElapsedTime": us, "NumBytes": bytes},
        "Origin": "server",
        "Test": "upload",
    })
    .to_string();
    frame(0x1, m.as_bytes())
}

/// A final WebSocket frame from the server.
pub(super) fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => f.push(n as u8),
        n @ 126..=0xffff => {
            f.push(126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(payload);
    f
}

/// Read a client's WebSocket frames (RFC 6455 §5.2) until it closes, throwing payloads away
/// as they arrive: only `READ_BUF` bytes are held, whatever the message size. Every read
/// waits at most `idle`. Ok: how the upload ended; Err: what the client did wrong.
pub(super) async fn discard_frames<R: AsyncRead + Unpin>(
    r: &mut R,
    idle: Duration,
) -> Result<&'static str, &'static str> {
    let mut buf = vec![0u8; READ_BUF];
    let mut message: u64 = 0;
    loop {
        let mut head = [0u8; 2];
        read_idle(r, &mut head, idle).await?;
        let opcode = head[0] & 0x0f;
        if head[1] & 0x80 == 0 {
            return Err("an unmasked frame from the client");
        }
        let len = match head[1] & 0x7f {
            126 => {
                let mut l = [0u8; 2];
                read_idle(r, &mut l, idle).await?;
                u16::from_be_bytes(l) as u64
            }
            127 => {
                let mut l = [0u8; 8];
                read_idle(r, &mut l, idle).await?;
                u64::from_be_bytes(l)
            }
            n => n as u64,
        };
        let mut mask = [0u8; 4];
        read_idle(r, &mut mask, idle).await?;
        match opcode {
            // Continuation, text, binary: one message may span frames.
            0x0..=0x2 => {
                message = if opcode == 0 {
                    message.saturating_add(len)
                } else {
                    len
                };
                if message > MAX_MESSAGE {
                    return Err("a message larger than ndt7 allows (16 MiB)");
                }
            }
            // Close, ping, pong.
            0x8..=0xa if len <= 125 => {}
            _ => return Err("an invalid frame"),
        }
        let mut left = len;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            let got = match tokio::time::timeout(idle, r.read(&mut buf[..n])).await {
                Err(_) => return Err("idle"),
                Ok(Err(_)) | Ok(Ok(0)) => return Err("cut mid-frame"),
                Ok(Ok(k)) => k,
            };
            left -= got as u64;
        }
        if opcode == 0x8 {
            return Ok("closed by the client");
        }
    }
}

/// Fill `buf`, each read waiting at most `idle`.
pub(super) async fn read_idle<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut [u8],
    idle: Duration,
) -> Result<(), &'static str> {
    match tokio::time::timeout(idle, r.read_exact(buf)).await {
        Err(_) => Err("idle"),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err("closed"),
        Ok(Err(_)) => Err("broken"),
        Ok(Ok(_)) => Ok(()),
    }
}

pub(super) async fn ndt7_session<S>(
    io: S,
    received: Arc<AtomicU64>,
    from: SocketAddr,
    log: Log,
    idle: Duration,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut source, mut sink) = tokio::io::split(io);
    let start = Instant::now();
    let bytes = || received.load(Ordering::Relaxed);
    let mut tick = tokio::time::interval(MEASURE_EVERY);
    tick.tick().await;
    let hard_stop = tokio::time::sleep(MAX_TEST);
    tokio::pin!(hard_stop);
    let reading = discard_frames(&mut source, idle);
    tokio::pin!(reading);
    let how;
    loop {
        tokio::select! {
            r = &mut reading => {
                how = match r {
                    Ok(h) => h,
                    Err("closed") => "closed by the client",
                    Err("idle") => "the client went idle",
                    Err(_) => "broken by the client",
                };
                break;
            },
            _ = tick.tick() => {
                // A client that does not read our measurements must not block the count.
                let m = measurement(start, bytes());
                if tokio::time::timeout(Duration::from_secs(1), sink.write_all(&m)).await.is_err() {
                    how = "client stopped reading";
                    break;
                }
            }
            _ = &mut hard_stop => { how = "stopped at the time limit"; break; }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        sink.write_all(&measurement(start, bytes())).await?;
        sink.write_all(&frame(0x8, &1000u16.to_be_bytes())).await?;
        sink.flush().await
    })
    .await;
    let secs = start.elapsed().as_secs_f64();
    let bytes = bytes();
    log(format!(
        "{from} ndt7 upload: {bytes} bytes in {secs:.1} s = {:.2} Mbit/s ({how})",
        bytes as f64 * 8.0 / secs.max(1e-6) / 1e6
    ));
}
