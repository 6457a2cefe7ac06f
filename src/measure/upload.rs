//! Upload measurement: the ndt7 upload protocol (WebSocket, subprotocol
//! `net.measurementlab.ndt.v7`), or a plain HTTP POST sink. The rate is what the *receiver*
//! says it got, never what was handed to the socket (which overstates slow uplinks).
//!
//! ndt7 (m-lab/ndt-server `spec/ndt7-protocol.md`): the client sends binary messages of random
//! bytes, starting at 8 KiB and doubling while a message is at most 1/16 of what is already
//! queued, up to 1 MiB here; the server sends JSON measurements (`AppInfo.NumBytes`,
//! `TCPInfo.BytesReceived`, `ElapsedTime` in µs) while it reads.

use crate::model::ErrorClass;
use crate::probe::classify_io;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

pub const NDT7_PROTOCOL: &str = "net.measurementlab.ndt.v7";
const FIRST_MESSAGE: usize = 1 << 13;
const LAST_MESSAGE: usize = 1 << 20;
/// After the sending deadline, at most this long for the close and the server's last count
/// (ndt7's hard cap is 13 s for a 10 s test).
const AFTER_DEADLINE: Duration = Duration::from_secs(3);
/// The POST sink's answer comes within this after the body ends.
const FINAL_GRACE: Duration = Duration::from_millis(1500);
/// How long the close frame may wait behind queued data.
const CLOSE_WAIT: Duration = Duration::from_millis(2000);
/// Sending blocked this long means the peer stopped reading.
const STALL: Duration = Duration::from_secs(2);
/// Largest text message (a measurement) accepted from the server.
const MAX_TEXT: usize = 64 * 1024;

/// Turns true when the user stops the run (Ctrl-C): the measurement ends there and keeps
/// what it measured.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Resolves when `stop` turns true; never if nobody can set it any more.
async fn stopped(mut stop: Stop) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn interrupted(after: Duration) -> (ErrorClass, String) {
    (
        ErrorClass::Interrupted,
        format!("stopped by the user after {:.1} s", after.as_secs_f64()),
    )
}

/// Any byte stream the measurement can run over (TCP, TLS, a proxy tunnel).
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One point of the throughput timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t_ms: f64,
    pub kbps: f64,
}

/// What the receiver said: bytes received after `elapsed` since its start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub elapsed_us: u64,
    pub bytes: u64,
}

/// The measurement, also when it failed half-way (what was measured until then is kept).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub method: &'static str,
    /// Bytes the client handed over for sending (the last message may be cut by the deadline).
    pub bytes_sent: u64,
    /// The receiver's counts, in order.
    pub counts: Vec<Count>,
    /// Sending time (from the first byte to the deadline or the failure).
    pub sending: Duration,
    pub error: Option<(ErrorClass, String)>,
    /// The rate comes from the sender's own count (the receiver sent none): may overstate.
    pub sender_counted: bool,
}

impl Upload {
    /// The receiver's counts up to the one where everything had arrived: counts after it only
    /// add idle time (the peer waiting for a close that the full send buffer delays).
    fn flowing(&self) -> &[Count] {
        let last = self.counts.last().map(|c| c.bytes).unwrap_or(0);
        let end = self
            .counts
            .iter()
            .position(|c| c.bytes == last)
            .map(|i| i + 1)
            .unwrap_or(0);
        &self.counts[..end]
    }

    /// kbit/s from the receiver's count when the last byte had arrived (or the sender's own
    /// count, flagged).
    pub fn kbps(&self) -> Option<f64> {
        match self.flowing().last() {
            Some(c) if c.elapsed_us > 0 => {
                Some(c.bytes as f64 * 8.0 * 1000.0 / c.elapsed_us as f64)
            }
            _ if self.sender_counted && !self.sending.is_zero() => {
                Some(self.bytes_sent as f64 * 8.0 / self.sending.as_secs_f64() / 1000.0)
            }
            _ => None,
        }
    }

    /// The rate between successive counts, one point per ~250 ms.
    pub fn timeline(&self) -> Vec<Sample> {
        let mut out = Vec::new();
        let mut prev = Count {
            elapsed_us: 0,
            bytes: 0,
        };
        for c in self.flowing() {
            let dt = c.elapsed_us.saturating_sub(prev.elapsed_us);
            if dt < 200_000 {
                continue;
            }
            let kbps = c.bytes.saturating_sub(prev.bytes) as f64 * 8.0 * 1000.0 / dt as f64;
            out.push(Sample {
                t_ms: (c.elapsed_us as f64 / 1000.0).round(),
                kbps: (kbps * 10.0).round() / 10.0,
            });
            prev = *c;
        }
        out
    }
}

/// Parse one ndt7 measurement message: the receiver's count, preferring `TCPInfo` (what the
/// kernel received) over `AppInfo` (what the application read).
pub fn parse_measurement(text: &str) -> Result<Option<Count>, String> {
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("a measurement is not JSON ({e})"))?;
    if !v.is_object() {
        return Err("a measurement is not a JSON object".into());
    }
    let pick = |section: &str, bytes: &str| {
        let s = v.get(section)?;
        let b = s.get(bytes)?.as_u64()?;
        let t = s.get("ElapsedTime")?.as_u64()?;
        Some(Count {
            elapsed_us: t,
            bytes: b,
        })
    };
    Ok(pick("TCPInfo", "BytesReceived").or_else(|| pick("AppInfo", "NumBytes")))
}

/// Check the receiver's counts against what was sent: a count that goes back in time or
/// claims more than was sent is a lie, not a measurement.
pub fn check_counts(counts: &[Count], sent: u64) -> Result<(), String> {
    // TCPInfo counts headers of the WebSocket frames too: allow their few bytes per message.
    let allowance = sent / 50 + 64 * 1024;
    for w in counts.windows(2) {
        if w[1].bytes < w[0].bytes || w[1].elapsed_us < w[0].elapsed_us {
            return Err(format!(
                "the peer's counts go backwards ({} bytes at {} µs, then {} at {} µs)",
                w[0].bytes, w[0].elapsed_us, w[1].bytes, w[1].elapsed_us
            ));
        }
    }
    if let Some(last) = counts.last()
        && last.bytes > sent + allowance
    {
        return Err(format!(
            "the peer claims {} bytes received but only {sent} were sent",
            last.bytes
        ));
    }
    Ok(())
}

/// Random-looking bytes (xorshift), so that nothing on the way can compress them.
pub fn payload(len: usize) -> bytes::Bytes {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ (Instant::now().elapsed().as_nanos() as u64);
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    bytes::Bytes::from(v)
}

fn ws_error(e: tungstenite::Error, what: &str) -> (ErrorClass, String) {
    match e {
        tungstenite::Error::Io(io) => (classify_io(&io), format!("{what}: {io}")),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            (ErrorClass::Closed, format!("{what}: the peer closed early"))
        }
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        ) => (
            ErrorClass::Reset,
            format!("{what}: the peer cut the connection without closing the test"),
        ),
        tungstenite::Error::Capacity(c) => (ErrorClass::TooLarge, format!("{what}: {c}")),
        tungstenite::Error::Http(r) => (
            ErrorClass::UpgradeRefused,
            format!(
                "{what}: HTTP {} instead of the ndt7 upgrade",
                r.status().as_u16()
            ),
        ),
        e => (ErrorClass::Malformed, format!("{what}: {e}")),
    }
}

/// The ndt7 upload over `stream` (already connected, TLS done if `wss`), for `duration`.
/// `url` is the full `ws(s)://host/ndt/v7/upload?...` URL.
pub async fn ndt7(stream: Box<dyn Io>, url: &str, duration: Duration, stop: Stop) -> Upload {
    let mut up = Upload {
        method: "ndt7",
        ..Upload::default()
    };
    let mut req = match url.into_client_request() {
        Ok(r) => r,
        Err(e) => {
            up.error = Some((ErrorClass::Local, format!("ndt7 URL {url}: {e}")));
            return up;
        }
    };
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        http::HeaderValue::from_static(NDT7_PROTOCOL),
    );
    if let Ok(v) = crate::probe::fetch::USER_AGENT.parse() {
        req.headers_mut().insert("User-Agent", v);
    }
    let mut cfg = tungstenite::protocol::WebSocketConfig::default();
    cfg.max_message_size = Some(MAX_TEXT);
    cfg.max_frame_size = Some(MAX_TEXT);
    let ws = match tokio_tungstenite::client_async_with_config(req, stream, Some(cfg)).await {
        Ok((ws, resp)) => {
            let proto = resp
                .headers()
                .get("Sec-WebSocket-Protocol")
                .and_then(|v| v.to_str().ok());
            if proto != Some(NDT7_PROTOCOL) {
                up.error = Some((
                    ErrorClass::Malformed,
                    format!(
                        "the peer accepted the WebSocket but not the ndt7 subprotocol ({})",
                        proto.unwrap_or("none")
                    ),
                ));
                return up;
            }
            ws
        }
        Err(e) => {
            up.error = Some(ws_error(e, "ndt7 upgrade"));
            return up;
        }
    };
    let (mut sink, mut source) = ws.split();
    let counts: Arc<Mutex<Vec<Count>>> = Arc::default();
    let reader_counts = counts.clone();
    // The reader: the server's measurements until it closes (or garbage).
    let reader = tokio::spawn(async move {
        while let Some(m) = source.next().await {
            match m {
                Ok(Message::Text(t)) => match parse_measurement(t.as_str()) {
                    Ok(Some(c)) => reader_counts.lock().unwrap().push(c),
                    Ok(None) => {}
                    Err(e) => return Err((ErrorClass::Malformed, e)),
                },
                Ok(Message::Close(_)) => return Ok(true),
                Ok(_) => {}
                Err(e) => return Err(ws_error(e, "ndt7 measurements")),
            }
        }
        Ok(false)
    });
    let data = payload(LAST_MESSAGE);
    let start = Instant::now();
    let user_stop = stopped(stop);
    tokio::pin!(user_stop);
    let stop = start + duration;
    let mut size = FIRST_MESSAGE;
    let mut failure = None;
    loop {
        let now = Instant::now();
        if now >= stop {
            break;
        }
        if reader.is_finished() {
            // The peer ended the test before the deadline.
            failure = Some((
                ErrorClass::Closed,
                format!(
                    "the peer closed the test after {:.1} s of {:.0} s",
                    start.elapsed().as_secs_f64(),
                    duration.as_secs_f64()
                ),
            ));
            break;
        }
        // One message may block while the peer does not read: never past the deadline.
        let wait = (stop - now).min(STALL.max(duration / 4));
        // Counted when handed over: a message cut by the deadline may still partly arrive.
        up.bytes_sent += size as u64;
        let sent = tokio::select! {
            r = tokio::time::timeout(wait, sink.send(Message::Binary(data.slice(..size)))) => r,
            _ = &mut user_stop => {
                failure = Some(interrupted(start.elapsed()));
                break;
            }
        };
        match sent {
            Ok(Ok(())) => {
                if size < LAST_MESSAGE && (size as u64) <= up.bytes_sent / 16 {
                    size *= 2;
                }
            }
            Ok(Err(e)) => {
                failure = Some(ws_error(e, "ndt7 upload"));
                break;
            }
            Err(_) if Instant::now() >= stop => break,
            Err(_) => {
                failure = Some((
                    ErrorClass::Stalled,
                    format!(
                        "the peer stopped reading: nothing could be sent for {} ms",
                        wait.as_millis()
                    ),
                ));
                break;
            }
        }
    }
    up.sending = start.elapsed();
    let reader_done_early = reader.is_finished();
    // Close (the frame waits behind what is still queued on a thin uplink, so give it time:
    // the peer's count on reading it is exact), then a moment for that last count.
    // A broken or stalled test does not wait: the peer will not answer.
    let (close_wait, after) = if failure.is_some() {
        (Duration::from_millis(200), Duration::from_millis(300))
    } else {
        (CLOSE_WAIT, AFTER_DEADLINE)
    };
    let ended = Instant::now();
    let _ = tokio::time::timeout(close_wait, sink.send(Message::Close(None))).await;
    let grace = after
        .saturating_sub(ended.elapsed())
        .max(Duration::from_millis(200));
    let closed = tokio::time::timeout(grace, reader).await;
    // After our close, a peer that drops the connection instead of closing politely has
    // still measured; garbage and oversized messages are findings whenever they came.
    let reader_error = match closed {
        Ok(Ok(Err(e)))
            if reader_done_early || matches!(e.0, ErrorClass::Malformed | ErrorClass::TooLarge) =>
        {
            Some(e)
        }
        _ => None,
    };
    up.counts = std::mem::take(&mut *counts.lock().unwrap());
    up.error = match (reader_error, failure) {
        (Some(e), _) if matches!(e.0, ErrorClass::Malformed | ErrorClass::TooLarge) => Some(e),
        (_, Some(f)) => Some(f),
        (e, None) => e,
    };
    finish(&mut up);
    up
}

/// Shared end of both methods: a lying peer is a failure; no count at all is flagged.
fn finish(up: &mut Upload) {
    if let Err(e) = check_counts(&up.counts, up.bytes_sent) {
        up.error = Some((ErrorClass::Malformed, e));
        up.counts.clear();
        return;
    }
    if up.counts.is_empty() && up.error.is_none() && up.bytes_sent > 0 {
        up.sender_counted = true;
    }
}

/// The plain HTTP POST sink: a chunked body for `duration`, then the server's JSON count
/// (`{"bytes": N, "elapsed_ms": T}`, what `preflight serve` answers on `/upload`).
pub async fn post(
    mut stream: Box<dyn Io>,
    host: &str,
    path: &str,
    duration: Duration,
    stop: Stop,
) -> Upload {
    let mut up = Upload {
        method: "post",
        ..Upload::default()
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        crate::probe::fetch::USER_AGENT
    );
    const CHUNK: usize = 64 * 1024;
    let data = payload(CHUNK);
    let chunk_head = format!("{CHUNK:x}\r\n");
    let user_stop = stop;
    let start = Instant::now();
    let stop = start + duration;
    let send = async {
        stream.write_all(head.as_bytes()).await?;
        while Instant::now() < stop && !*user_stop.borrow() {
            stream.write_all(chunk_head.as_bytes()).await?;
            stream.write_all(&data).await?;
            stream.write_all(b"\r\n").await?;
            up.bytes_sent += CHUNK as u64;
        }
        stream.write_all(b"0\r\n\r\n").await?;
        stream.flush().await
    };
    let sent = tokio::time::timeout(duration + STALL, send).await;
    up.sending = start.elapsed().min(duration);
    let was_stopped = *user_stop.borrow();
    match sent {
        Err(_) => {
            up.error = Some((
                ErrorClass::Stalled,
                "the peer stopped reading the upload".into(),
            ));
            return up;
        }
        Ok(Err(e)) => {
            up.error = Some((classify_io(&e), format!("POST upload: {e}")));
            return up;
        }
        Ok(Ok(())) => {}
    }
    // The answer: a small head and JSON body, read with limits.
    let mut buf = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() > MAX_TEXT {
                return Ok(());
            }
        }
    };
    match tokio::time::timeout(FINAL_GRACE + Duration::from_secs(2), read).await {
        Err(_) => {
            up.error = Some((ErrorClass::Timeout, "no answer after the upload".into()));
            return up;
        }
        Ok(Err(e)) if buf.is_empty() => {
            up.error = Some((classify_io(&e), format!("reading the sink's answer: {e}")));
            return up;
        }
        _ => {}
    }
    match parse_post_answer(&buf) {
        Ok(c) => up.counts.push(c),
        Err(e) => up.error = Some(e),
    }
    if was_stopped && up.error.is_none() {
        up.error = Some(interrupted(up.sending));
    }
    finish(&mut up);
    up
}

/// The sink's answer: HTTP 200 with `{"bytes": N, "elapsed_ms": T}`.
pub fn parse_post_answer(buf: &[u8]) -> Result<Count, (ErrorClass, String)> {
    if buf.len() > MAX_TEXT {
        return Err((
            ErrorClass::TooLarge,
            "the sink's answer is too large".into(),
        ));
    }
    let (head, body_at) = crate::probe::proxy::parse_head(buf).ok_or((
        ErrorClass::Malformed,
        "the sink's answer is not HTTP".to_string(),
    ))?;
    let status = head.status;
    if status != 200 {
        return Err((
            ErrorClass::HttpStatus,
            format!("the sink answered HTTP {status}"),
        ));
    }
    let v: Value = serde_json::from_slice(&buf[body_at..]).map_err(|e| {
        (
            ErrorClass::Malformed,
            format!("the sink's answer is not its JSON count ({e})"),
        )
    })?;
    match (v["bytes"].as_u64(), v["elapsed_ms"].as_f64()) {
        (Some(b), Some(t)) if t > 0.0 => Ok(Count {
            elapsed_us: (t * 1000.0) as u64,
            bytes: b,
        }),
        _ => Err((
            ErrorClass::Malformed,
            "the sink's answer has no bytes/elapsed_ms count".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measurement_prefers_tcpinfo() {
        let both = r#"{"AppInfo":{"ElapsedTime":1000000,"NumBytes":100},"TCPInfo":{"ElapsedTime":1000000,"BytesReceived":120}}"#;
        assert_eq!(
            parse_measurement(both).unwrap(),
            Some(Count {
                elapsed_us: 1_000_000,
                bytes: 120
            })
        );
        let app = r#"{"AppInfo":{"ElapsedTime":250000,"NumBytes":5000},"Origin":"server"}"#;
        assert_eq!(parse_measurement(app).unwrap().unwrap().bytes, 5000);
        assert_eq!(parse_measurement(r#"{"Origin":"server"}"#).unwrap(), None);
        assert!(parse_measurement("not json").is_err());
        assert!(parse_measurement("[1,2]").is_err());
    }

    #[test]
    fn rate_and_timeline_from_the_receiver() {
        let up = Upload {
            bytes_sent: 2_000_000,
            counts: vec![
                Count {
                    elapsed_us: 250_000,
                    bytes: 250_000,
                },
                Count {
                    elapsed_us: 500_000,
                    bytes: 500_000,
                },
                Count {
                    elapsed_us: 1_000_000,
                    bytes: 1_250_000,
                },
            ],
            ..Upload::default()
        };
        // 1.25 MB in 1 s = 10 Mbit/s, whatever was handed to the socket (2 MB).
        assert_eq!(up.kbps(), Some(10_000.0));
        let t = up.timeline();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].kbps, 8000.0);
        assert_eq!(t[2].kbps, 12000.0);
    }

    #[test]
    fn idle_counts_after_the_last_byte_do_not_dilute_the_rate() {
        let c = |t, b| Count {
            elapsed_us: t,
            bytes: b,
        };
        let up = Upload {
            bytes_sent: 3_000_000,
            counts: vec![
                c(500_000, 625_000),
                c(1_000_000, 1_250_000),
                c(1_250_000, 1_250_000),
                c(1_500_000, 1_250_000),
            ],
            ..Upload::default()
        };
        assert_eq!(up.kbps(), Some(10_000.0));
        assert_eq!(up.timeline().len(), 2);
    }

    #[test]
    fn lying_counts_are_refused() {
        let c = |t, b| Count {
            elapsed_us: t,
            bytes: b,
        };
        assert!(check_counts(&[c(1, 10), c(2, 20)], 20).is_ok());
        assert!(check_counts(&[c(1, 20), c(2, 10)], 30).is_err());
        assert!(check_counts(&[c(1, 10_000_000)], 1000).is_err());
    }

    #[test]
    fn post_answer() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"bytes\":1000,\"elapsed_ms\":8.0}";
        assert_eq!(
            parse_post_answer(ok).unwrap(),
            Count {
                elapsed_us: 8000,
                bytes: 1000
            }
        );
        assert_eq!(
            parse_post_answer(b"HTTP/1.1 403 Forbidden\r\n\r\n")
                .unwrap_err()
                .0,
            ErrorClass::HttpStatus
        );
        assert_eq!(
            parse_post_answer(b"garbage").unwrap_err().0,
            ErrorClass::Malformed
        );
    }
}
