//! The plain HTTP POST sink's client: a chunked body for the whole duration, then the sink's
//! JSON count.

use super::counts::Count;
use super::progress::{Progress, TICK, stalled_error};
use super::{Ended, Io, MAX_TEXT, Metered, SendQueue, Stop, Upload, finish, interrupted, payload};
use crate::model::{ErrorClass, ProbeError};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The POST sink's answer comes within this after the body ends.
const FINAL_GRACE: Duration = Duration::from_millis(1500);

/// The plain HTTP POST sink: a chunked body for `duration` (the sink counts only at the end:
/// no early stop), then the server's JSON count (`{"bytes": N, "elapsed_ms": T}`, what
/// `preflight serve` answers on `/upload`).
pub async fn post(
    stream: Box<dyn Io>,
    host: &str,
    path: &str,
    duration: Duration,
    stop: Stop,
    mut queue: SendQueue,
) -> Upload {
    let mut up = Upload {
        method: "post",
        send_queue: queue.mechanism(),
        ..Upload::default()
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        crate::probe::fetch::USER_AGENT
    );
    const CHUNK: usize = 16 * 1024;
    let data = payload(CHUNK);
    let chunk_head = format!("{CHUNK:x}\r\n");
    let mut stream = Metered::new(stream);
    let mut progress = Progress::new(stream.written.clone(), Arc::default());
    let start = progress.start;
    let user_stop = stop;
    let end = start + duration;
    queue.bound(0.0);
    let mut sent_chunks = 0u64;
    let sent = {
        let send = async {
            stream.write_all(head.as_bytes()).await?;
            while Instant::now() < end && !*user_stop.borrow() {
                stream.write_all(chunk_head.as_bytes()).await?;
                stream.write_all(&data).await?;
                stream.write_all(b"\r\n").await?;
                sent_chunks += 1;
            }
            stream.write_all(b"0\r\n\r\n").await?;
            stream.flush().await
        };
        tokio::pin!(send);
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                r = &mut send => break Some(r),
                _ = tick.tick() => {
                    let now = Instant::now();
                    if progress.stalled(now, queue.outstanding()) {
                        break None;
                    }
                    queue.bound(progress.rate(now, queue.held()));
                }
            }
        }
    };
    up.bytes_sent = sent_chunks * CHUNK as u64;
    up.sending = start.elapsed().min(duration);
    up.ended = Ended::Duration;
    let was_stopped = *user_stop.borrow();
    match sent {
        None => {
            up.error = Some(stalled_error());
            up.ended = Ended::Error;
            return up;
        }
        Some(Err(e)) => {
            up.error = Some(ProbeError::from(e).context("POST upload"));
            up.ended = Ended::Error;
            return up;
        }
        Some(Ok(())) => {}
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
            up.error = Some(ProbeError::new(
                ErrorClass::Timeout,
                "no answer after the upload",
            ));
            up.ended = Ended::Error;
            return up;
        }
        Ok(Err(e)) if buf.is_empty() => {
            up.error = Some(ProbeError::from(e).context("reading the sink's answer"));
            up.ended = Ended::Error;
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
    if up.error.is_some() {
        up.ended = Ended::Error;
    }
    finish(&mut up);
    up
}

/// The sink's answer: HTTP 200 with `{"bytes": N, "elapsed_ms": T}`.
pub fn parse_post_answer(buf: &[u8]) -> Result<Count, ProbeError> {
    if buf.len() > MAX_TEXT {
        return Err(ProbeError::new(
            ErrorClass::TooLarge,
            "the sink's answer is too large",
        ));
    }
    let (head, body_at) = crate::probe::proxy::parse_head(buf)
        .ok_or_else(|| ProbeError::new(ErrorClass::Malformed, "the sink's answer is not HTTP"))?;
    let status = head.status;
    if status != 200 {
        return Err(ProbeError::new(
            ErrorClass::HttpStatus,
            format!("the sink answered HTTP {status}"),
        ));
    }
    let v: Value = serde_json::from_slice(&buf[body_at..]).map_err(|e| {
        ProbeError::new(
            ErrorClass::Malformed,
            format!("the sink's answer is not its JSON count ({e})"),
        )
    })?;
    match (v["bytes"].as_u64(), v["elapsed_ms"].as_f64()) {
        (Some(b), Some(t)) if t > 0.0 => Ok(Count {
            elapsed_us: (t * 1000.0) as u64,
            bytes: b,
        }),
        _ => Err(ProbeError::new(
            ErrorClass::Malformed,
            "the sink's answer has no bytes/elapsed_ms count",
        )),
    }
}
