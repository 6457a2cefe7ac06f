//! Small HTTP answers, shared by the built-in server and the collector it may host.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

/// An answer with `status` and `body`, as plain bytes.
pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r
}

/// A 200 answer carrying JSON.
pub fn json(v: serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = text(StatusCode::OK, v.to_string());
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}
