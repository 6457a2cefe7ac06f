//! The ndt7 client: the WebSocket upgrade, binary messages that grow within what the measured
//! rate allows, the server's measurements read while sending, the adaptive stop.

use super::counts::{Count, Counts};
use super::progress::{Progress, TICK, stalled_error};
use super::{
    Ended, Io, MAX_TEXT, Metered, SendQueue, Stop, Upload, finish, interrupted, payload, stopped,
};
use crate::model::{ErrorClass, ProbeError};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

pub const NDT7_PROTOCOL: &str = "net.measurementlab.ndt.v7";
const FIRST_MESSAGE: usize = 1 << 13;
const LAST_MESSAGE: usize = 1 << 20;
/// A message takes at most about this long to send at the measured rate.
const MESSAGE_TIME: f64 = 0.25;
/// The earliest an adaptive test stops.
pub const MIN_TEST: Duration = Duration::from_secs(4);
/// After the sending stops, at most this long for the close and the peer's last count: the
/// counts received while sending already give the figure, and on a bloated uplink the close
/// would wait behind its whole queue.
const TAIL: Duration = Duration::from_millis(300);

/// Parse one ndt7 measurement message: the receiver's count, preferring `TCPInfo` (what the
/// kernel received) over `AppInfo` (what the application read).
pub fn parse_measurement(text: &str) -> Result<Option<Count>, ProbeError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        ProbeError::new(
            ErrorClass::Malformed,
            format!("a measurement is not JSON ({e})"),
        )
    })?;
    if !v.is_object() {
        return Err(ProbeError::new(
            ErrorClass::Malformed,
            "a measurement is not a JSON object",
        ));
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

fn ws_error(e: tungstenite::Error, what: &str) -> ProbeError {
    let e = match e {
        tungstenite::Error::Io(io) => ProbeError::from(io),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            ProbeError::new(ErrorClass::Closed, "the peer closed early")
        }
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        ) => ProbeError::new(
            ErrorClass::Reset,
            "the peer cut the connection without closing the test",
        ),
        tungstenite::Error::Capacity(c) => ProbeError::new(ErrorClass::TooLarge, c.to_string()),
        tungstenite::Error::Http(r) => ProbeError::new(
            ErrorClass::UpgradeRefused,
            format!("HTTP {} instead of the ndt7 upgrade", r.status().as_u16()),
        ),
        e => ProbeError::new(ErrorClass::Malformed, e.to_string()),
    };
    e.context(what)
}

/// The ndt7 upload over `stream` (already connected, TLS done if `wss`), for at most
/// `duration`: when it is longer than [`MIN_TEST`], it stops as soon as the receiver's rate is
/// stable. `url` is the full `ws(s)://host/ndt/v7/upload?...` URL; `queue` bounds the socket's
/// unsent data.
pub async fn ndt7(
    stream: Box<dyn Io>,
    url: &str,
    duration: Duration,
    stop: Stop,
    mut queue: SendQueue,
) -> Upload {
    let mut up = Upload {
        method: "ndt7",
        send_queue: queue.mechanism(),
        ..Upload::default()
    };
    let mut req = match url.into_client_request() {
        Ok(r) => r,
        Err(e) => {
            up.error = Some(
                ProbeError::new(ErrorClass::Local, e.to_string())
                    .context(format!("ndt7 URL {url}")),
            );
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
    let metered = Metered::new(stream);
    let written = metered.written.clone();
    let ws = match tokio_tungstenite::client_async_with_config(req, metered, Some(cfg)).await {
        Ok((ws, resp)) => {
            let proto = resp
                .headers()
                .get("Sec-WebSocket-Protocol")
                .and_then(|v| v.to_str().ok());
            if proto != Some(NDT7_PROTOCOL) {
                up.error = Some(ProbeError::new(
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
    let counts: Arc<Mutex<Counts>> = Arc::default();
    let mut progress = Progress::new(written, counts.clone());
    let start = progress.start;
    // The reader: the server's measurements until it closes (or garbage, or lies).
    let mut reader = tokio::spawn(async move {
        while let Some(m) = source.next().await {
            match m {
                Ok(Message::Text(t)) => match parse_measurement(t.as_str()) {
                    Ok(Some(c)) => {
                        let now = Instant::now();
                        counts.lock().unwrap().push(c, now, now - start)?;
                    }
                    Ok(None) => {}
                    Err(e) => return Err(e),
                },
                Ok(Message::Close(_)) => return Ok(true),
                Ok(_) => {}
                Err(e) => return Err(ws_error(e, "ndt7 measurements")),
            }
        }
        Ok(false)
    });
    let data = payload(LAST_MESSAGE);
    let user_stop = stopped(stop);
    tokio::pin!(user_stop);
    let deadline = tokio::time::Instant::from_std(start + duration);
    let adaptive = duration > MIN_TEST;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    queue.bound(0.0);
    let mut size = FIRST_MESSAGE;
    let mut cap = FIRST_MESSAGE;
    let mut failure = None;
    'sending: loop {
        // Counted when handed over: a message cut by the end may still partly arrive.
        up.bytes_sent += size as u64;
        let send = sink.send(Message::Binary(data.slice(..size)));
        tokio::pin!(send);
        loop {
            tokio::select! {
                r = &mut send => match r {
                    Ok(()) => break,
                    Err(e) => {
                        failure = Some(ws_error(e, "ndt7 upload"));
                        break 'sending;
                    }
                },
                _ = tokio::time::sleep_until(deadline) => {
                    up.ended = Ended::Duration;
                    break 'sending;
                }
                _ = tick.tick() => {
                    let now = Instant::now();
                    if reader.is_finished() {
                        // The peer ended the test before the deadline.
                        failure = Some(ProbeError::new(
                            ErrorClass::Closed,
                            format!(
                                "the peer closed the test after {:.1} s of {:.0} s",
                                start.elapsed().as_secs_f64(),
                                duration.as_secs_f64()
                            ),
                        ));
                        break 'sending;
                    }
                    if progress.stalled(now, queue.outstanding()) {
                        failure = Some(stalled_error());
                        break 'sending;
                    }
                    let rate = progress.rate(now, queue.held());
                    queue.bound(rate);
                    cap = ((rate * MESSAGE_TIME) as usize).clamp(FIRST_MESSAGE, LAST_MESSAGE);
                    if adaptive
                        && now.duration_since(start) >= MIN_TEST
                        && progress.counts.lock().unwrap().stable()
                    {
                        up.ended = Ended::Stable;
                        break 'sending;
                    }
                }
                _ = &mut user_stop => {
                    failure = Some(interrupted(start.elapsed()));
                    break 'sending;
                }
            }
        }
        // ndt7's scaling rule, within what about 250 ms at the measured rate allows.
        if size < cap && (size as u64) <= up.bytes_sent / 16 {
            size *= 2;
        }
        size = size.min(cap);
    }
    up.sending = start.elapsed();
    let reader_done_early = reader.is_finished();
    // Close: the frame waits behind the rest of the current message and the (small) unsent
    // queue; the peer's answer brings a last count, a bonus: the counts received while
    // sending give the figure. A broken or stalled test does not wait: the peer will not answer.
    let tail = if failure.is_some() {
        Duration::from_millis(300)
    } else {
        TAIL
    };
    let closed = tokio::time::timeout(tail, async {
        let _ = sink.send(Message::Close(None)).await;
        (&mut reader).await
    })
    .await;
    reader.abort();
    // After our close, a peer that drops the connection instead of closing politely has
    // still measured; garbage, lies and oversized messages are findings whenever they came.
    let reader_error = match closed {
        Ok(Ok(Err(e)))
            if reader_done_early
                || matches!(e.class, ErrorClass::Malformed | ErrorClass::TooLarge) =>
        {
            Some(e)
        }
        _ => None,
    };
    up.counts = progress.counts.lock().unwrap().as_slice().to_vec();
    up.error = match (reader_error, failure) {
        (Some(e), _) if matches!(e.class, ErrorClass::Malformed | ErrorClass::TooLarge) => Some(e),
        (_, Some(f)) => Some(f),
        (e, None) => e,
    };
    if let Some(e) = &up.error {
        up.ended = Ended::Error;
        if e.class == ErrorClass::Malformed {
            // A peer that lies or talks garbage gives no figure.
            up.counts.clear();
        }
    }
    finish(&mut up);
    up
}
