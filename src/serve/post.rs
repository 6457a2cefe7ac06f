//! `POST /upload`: a sink that counts the body and answers its rate.

use super::{Log, MAX_POST};
use crate::reply::json;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub(super) async fn post_sink(
    req: Request<Incoming>,
    from: SocketAddr,
    log: Log,
    idle: Duration,
) -> Response<Full<Bytes>> {
    let mut body = req.into_body();
    let mut bytes: u64 = 0;
    let mut first: Option<Instant> = None;
    let start = Instant::now();
    let mut how = "complete";
    loop {
        let left = MAX_POST.saturating_sub(start.elapsed());
        match tokio::time::timeout(left.min(idle), body.frame()).await {
            Err(_) if left <= idle => {
                how = "cut at the time limit";
                break;
            }
            Err(_) => {
                how = "the client went idle";
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                how = "broken by the client";
                break;
            }
            Ok(Some(Ok(f))) => {
                if let Some(d) = f.data_ref() {
                    first.get_or_insert_with(Instant::now);
                    bytes += d.len() as u64;
                }
            }
        }
    }
    let elapsed = first.map(|f| f.elapsed()).unwrap_or_default();
    let ms = (elapsed.as_secs_f64() * 1000.0).max(0.001);
    let kbps = bytes as f64 * 8.0 / ms;
    log(format!(
        "{from} POST upload: {bytes} bytes in {:.1} s = {:.2} Mbit/s ({how})",
        ms / 1000.0,
        kbps / 1000.0
    ));
    json(
        serde_json::json!({"bytes": bytes, "elapsed_ms": (ms * 10.0).round() / 10.0, "kbps": kbps.round()}),
    )
}
