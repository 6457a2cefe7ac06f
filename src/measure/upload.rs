//! Upload measurement: the ndt7 upload protocol (WebSocket, subprotocol
//! `net.measurementlab.ndt.v7`), or a plain HTTP POST sink. The rate is what the *receiver*
//! says it got, never what was handed to the socket (which overstates slow uplinks).
//!
//! ndt7 (m-lab/ndt-server `spec/ndt7-protocol.md`): the client sends binary messages of random
//! bytes, starting at 8 KiB and doubling while a message is at most 1/16 of what is already
//! queued, up to 1 MiB here, and never more than about 250 ms at the rate measured so far; the
//! server sends JSON measurements (`AppInfo.NumBytes`, `TCPInfo.BytesReceived`, `ElapsedTime` in
//! µs) while it reads.
//!
//! On a thin uplink with a long queue (bufferbloat), the kernel would hold seconds of data: its
//! unsent queue is kept to about 100 ms at the measured rate ([`SendQueue`]), so the end of the
//! sending is the end of the test. The test stops when the receiver's rate is stable (the last
//! 2 s within 3 % of the whole, after at least 4 s), at the latest after its duration; it is
//! stalled only when neither the socket nor the receiver's counts have moved for 2 s.

use crate::model::ErrorClass;
use crate::probe::classify_io;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

pub const NDT7_PROTOCOL: &str = "net.measurementlab.ndt.v7";
const FIRST_MESSAGE: usize = 1 << 13;
const LAST_MESSAGE: usize = 1 << 20;
/// A message takes at most about this long to send at the measured rate.
const MESSAGE_TIME: f64 = 0.25;
/// The earliest an adaptive test stops.
pub const MIN_TEST: Duration = Duration::from_secs(4);
/// Stable: the rate over the last this long ...
const STABLE_WINDOW: Duration = Duration::from_secs(2);
/// ... is within this fraction of the rate over the whole test.
const STABLE_WITHIN: f64 = 0.03;
/// After the sending stops, at most this long for the close and the peer's last count: the
/// counts received while sending already give the figure, and on a bloated uplink the close
/// would wait behind its whole queue.
const TAIL: Duration = Duration::from_millis(300);
/// The POST sink's answer comes within this after the body ends.
const FINAL_GRACE: Duration = Duration::from_millis(1500);
/// Neither the socket nor the receiver's counts moved for this long: the peer stopped reading.
const STALL: Duration = Duration::from_secs(2);
/// How often the sender looks at its progress.
const TICK: Duration = Duration::from_millis(100);
/// Largest text message (a measurement) accepted from the server.
const MAX_TEXT: usize = 64 * 1024;
/// At most this many receiver counts are kept (a bounded sample, whatever the peer sends) ...
const MAX_COUNTS: usize = 1024;
/// ... and counts arriving closer together than this replace each other.
const COUNT_GAP: Duration = Duration::from_millis(50);

/// Turns true when the user stops the run (Ctrl-C): the measurement ends there and keeps
/// what it measured.
pub type Stop = tokio::sync::watch::Receiver<bool>;

/// Resolves when `stop` turns true; never if nobody can set it any more.
pub(crate) async fn stopped(mut stop: Stop) {
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

/// A stream that counts the bytes read from it and written to it: the sender's view of its
/// progress, and what `preflight serve` reports as received.
pub struct Metered<S> {
    inner: S,
    pub read: Arc<AtomicU64>,
    pub written: Arc<AtomicU64>,
}

impl<S> Metered<S> {
    pub fn new(inner: S) -> Metered<S> {
        Metered {
            inner,
            read: Arc::default(),
            written: Arc::default(),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Metered<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = (buf.filled().len() - before) as u64;
        self.read.fetch_add(n, Ordering::Relaxed);
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Metered<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let r = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        if let std::task::Poll::Ready(Ok(n)) = r {
            self.written.fetch_add(n as u64, Ordering::Relaxed);
        }
        r
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Keeps what the kernel holds for the upload's socket small, whatever its buffers would
/// allow, so that the end of the sending is the end of the test:
/// - the whole send buffer (in flight and unsent, `SO_SNDBUF`) holds what is in flight over
///   the idle round trip plus about 250 ms at the measured rate: the link stays full, but a
///   bloated queue on the way holds at most about 250 ms of the upload (TCP would otherwise
///   overfill it, lose a burst of segments and leave the receiver's count lagging for seconds);
/// - where the platform has it (Linux, Android, macOS), the unsent part stays under about
///   100 ms (`TCP_NOTSENT_LOWAT`).
///
/// Both follow the rate as it is measured, from small values at the start.
pub struct SendQueue {
    sock: Option<socket2::Socket>,
    /// The idle round trip, seconds.
    rtt: f64,
    sndbuf: usize,
    unsent: usize,
}

/// Never less than this in the send buffer, nor unsent (the sender must not starve).
const MIN_SNDBUF: f64 = 16.0 * 1024.0;
const MIN_UNSENT: f64 = 8.0 * 1024.0;
/// What the send buffer may hold beyond the idle round trip, at the measured rate: enough for
/// TCP to go on sending while it repairs a loss on a short queue, less than the 400 ms and more
/// of a bloated one (which TCP would otherwise overfill, losing a burst of segments and leaving
/// the receiver's count seconds behind).
const QUEUED_TIME: f64 = 0.35;
/// Linux doubles `SO_SNDBUF` for its bookkeeping, and a full-size segment's buffer is mostly
/// data: half the bytes meant.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SNDBUF_FACTOR: f64 = 0.5;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SNDBUF_FACTOR: f64 = 1.0;
/// Unsent data at the measured rate.
const UNSENT_TIME: f64 = 0.1;

impl SendQueue {
    /// Bound the queue of this TCP connection (a handle on the same socket is kept).
    pub fn of(tcp: &tokio::net::TcpStream) -> SendQueue {
        SendQueue {
            sock: socket2::SockRef::from(tcp).try_clone().ok(),
            rtt: 0.0,
            sndbuf: 0,
            unsent: 0,
        }
    }

    /// Nothing to bound (tests on plain streams).
    pub fn none() -> SendQueue {
        SendQueue {
            sock: None,
            rtt: 0.0,
            sndbuf: 0,
            unsent: 0,
        }
    }

    /// The idle round trip (ms), measured before the upload.
    pub fn with_rtt(mut self, ms: Option<f64>) -> SendQueue {
        self.rtt = ms.unwrap_or(0.0).clamp(0.0, 1000.0) / 1000.0;
        self
    }

    /// The bytes the kernel still holds for this connection (unsent and unacknowledged), where
    /// the platform tells (Linux, Android); None elsewhere. Its change shows the socket moving
    /// while the program cannot write (a send buffer draining into a slow reader).
    pub fn outstanding(&self) -> Option<u64> {
        self.sock.as_ref().and_then(outstanding)
    }

    /// How the queue is bounded here, for the report.
    pub fn mechanism(&self) -> &'static str {
        match &self.sock {
            None => "none",
            Some(_) if NOTSENT_LOWAT => "so_sndbuf+tcp_notsent_lowat",
            Some(_) => "so_sndbuf",
        }
    }

    /// What the send buffer may hold now (bytes).
    pub fn held(&self) -> usize {
        self.sndbuf
    }

    /// Size the bounds for `rate` bytes/s (0: not known yet); a change of less than a
    /// quarter is not applied. The send buffer is sized once the rate is known, and only while
    /// the system lets it hold what the rate needs (once sized, the system stops growing it
    /// by itself: past its limit, it is better left alone).
    pub fn bound(&mut self, rate: f64) {
        let Some(sock) = &self.sock else { return };
        let changed = |now: usize, want: usize| now == 0 || want.abs_diff(now) * 4 >= now;
        let sndbuf = (rate * (self.rtt + QUEUED_TIME)).max(MIN_SNDBUF) as usize;
        let fits = (sndbuf as f64) <= max_sndbuf();
        if rate > 0.0
            && (fits || self.sndbuf != 0)
            && changed(self.sndbuf, sndbuf)
            && sock
                .set_send_buffer_size((sndbuf as f64 * SNDBUF_FACTOR) as usize)
                .is_ok()
        {
            self.sndbuf = sndbuf;
        }
        let unsent = (rate * UNSENT_TIME).clamp(MIN_UNSENT, 16e6) as usize;
        if NOTSENT_LOWAT && changed(self.unsent, unsent) && set_unsent(sock, unsent).is_ok() {
            self.unsent = unsent;
        }
    }
}

/// The largest send buffer the system grants (Linux: `net.core.wmem_max`, which `SO_SNDBUF`
/// cannot exceed, while the system's own tuning may go further).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn max_sndbuf() -> f64 {
    static MAX: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *MAX.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/net/core/wmem_max")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .unwrap_or(212_992.0)
            / SNDBUF_FACTOR
    })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn max_sndbuf() -> f64 {
    64e6
}

const NOTSENT_LOWAT: bool = cfg!(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple"
));

#[cfg(any(target_os = "linux", target_os = "android"))]
fn set_unsent(sock: &socket2::Socket, bytes: usize) -> std::io::Result<()> {
    sock.set_tcp_notsent_lowat(bytes as u32)
}

#[cfg(target_vendor = "apple")]
fn set_unsent(sock: &socket2::Socket, bytes: usize) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    /// `TCP_NOTSENT_LOWAT` in Darwin's `<netinet/tcp.h>` (libc does not name it there).
    const TCP_NOTSENT_LOWAT: libc::c_int = 0x201;
    let v = bytes as libc::c_int;
    // SAFETY: a valid socket descriptor, a c_int option value and its size.
    let r = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            libc::IPPROTO_TCP,
            TCP_NOTSENT_LOWAT,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn set_unsent(_: &socket2::Socket, _: usize) -> std::io::Result<()> {
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn outstanding(sock: &socket2::Socket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let mut n: libc::c_int = 0;
    // SAFETY: a valid socket descriptor and a c_int for the kernel to write the count to
    // (SIOCOUTQ, which is TIOCOUTQ).
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), libc::TIOCOUTQ, &mut n) };
    (r == 0).then_some(n.max(0) as u64)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn outstanding(_: &socket2::Socket) -> Option<u64> {
    None
}

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

/// The receiver's counts as they arrive, as a bounded sample: counts arriving within
/// [`COUNT_GAP`] of the last kept one replace it, and past [`MAX_COUNTS`] every other one is
/// dropped (the last is always kept). A count that goes backwards, or whose clock runs far
/// from ours, is a lie.
#[derive(Debug, Default)]
pub struct Counts {
    kept: Vec<Count>,
    kept_at: Option<Instant>,
}

impl Counts {
    /// Add a count that arrived `since` after the sending started.
    pub fn push(&mut self, c: Count, now: Instant, since: Duration) -> Result<(), String> {
        if let Some(p) = self.kept.last()
            && (c.bytes < p.bytes || c.elapsed_us < p.elapsed_us)
        {
            return Err(format!(
                "the peer's counts go backwards ({} bytes at {} µs, then {} at {} µs)",
                p.bytes, p.elapsed_us, c.bytes, c.elapsed_us
            ));
        }
        // The peer's clock starts at the upgrade, a little before ours; a count may wait a
        // while in a slow downlink. Beyond that, its clock is not a clock.
        let ours = since.as_micros() as u64;
        if c.elapsed_us > ours + 5_000_000 || c.elapsed_us + 2_000_000 < ours / 2 {
            return Err(format!(
                "the peer's clock does not run like ours ({:.1} s by its count, {:.1} s here)",
                c.elapsed_us as f64 / 1e6,
                since.as_secs_f64()
            ));
        }
        let close = self
            .kept_at
            .is_some_and(|t| now.saturating_duration_since(t) < COUNT_GAP);
        if close && self.kept.len() >= 2 {
            let n = self.kept.len();
            self.kept[n - 1] = c;
        } else {
            self.kept.push(c);
            self.kept_at = Some(now);
        }
        if self.kept.len() > MAX_COUNTS {
            let last = *self.kept.last().expect("not empty");
            let mut i = 0;
            self.kept.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            if self.kept.last() != Some(&last) {
                self.kept.push(last);
            }
        }
        Ok(())
    }

    pub fn as_slice(&self) -> &[Count] {
        &self.kept
    }

    /// The receiver's rate (bytes/s) over the last `window` of its counts (all of them when
    /// shorter), None before two counts a quarter second apart.
    pub fn recent_rate(&self, window: Duration) -> Option<f64> {
        let last = self.kept.last()?;
        let from = last.elapsed_us.saturating_sub(window.as_micros() as u64);
        let first = self
            .kept
            .iter()
            .rev()
            .find(|c| c.elapsed_us <= from)
            .or(self.kept.first())?;
        let dt = last.elapsed_us.checked_sub(first.elapsed_us)?;
        (dt >= 250_000).then(|| (last.bytes - first.bytes) as f64 * 1e6 / dt as f64)
    }

    /// Stable: the figure (see [`figure`]) moved by at most [`STABLE_WITHIN`] over the last
    /// [`STABLE_WINDOW`]: the rate of those seconds is that of the whole test, and going on
    /// would not change it.
    pub fn stable(&self) -> bool {
        let Some(last) = self.kept.last() else {
            return false;
        };
        let (t, w) = (last.elapsed_us, STABLE_WINDOW.as_micros() as u64);
        if t < 2 * w {
            return false;
        }
        match (figure(&self.kept, t), figure(&self.kept, t - w)) {
            (Some(now), Some(before)) => {
                now > 0.0 && (now - before).abs() <= STABLE_WITHIN * before
            }
            _ => false,
        }
    }
}

/// Why the sending ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ended {
    /// Not run.
    #[default]
    None,
    /// The receiver's rate was stable.
    Stable,
    /// The duration asked for was reached.
    Duration,
    /// The measurement failed or was stopped (see `error`).
    Error,
}

impl Ended {
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::None => "none",
            Ended::Stable => "stable",
            Ended::Duration => "duration",
            Ended::Error => "error",
        }
    }
}

/// The measurement, also when it failed half-way (what was measured until then is kept).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub method: &'static str,
    /// Bytes the client handed over for sending (the last message may be cut by the deadline).
    pub bytes_sent: u64,
    /// The receiver's counts, in order (a bounded sample).
    pub counts: Vec<Count>,
    /// Sending time (from the first byte to the deadline or the failure).
    pub sending: Duration,
    pub error: Option<(ErrorClass, String)>,
    /// The rate comes from the sender's own count (the receiver sent none): may overstate.
    pub sender_counted: bool,
    /// Why the sending ended.
    pub ended: Ended,
    /// How the kernel's queue was kept small (`tcp_notsent_lowat`, `so_sndbuf`, `none`).
    pub send_queue: &'static str,
}

/// The figure at the count `to` (µs): the median, over the counts of the last
/// [`STABLE_WINDOW`] before it, of the receiver's average rate since its start. A median,
/// because a receiver counts what it could read: after a loss, TCP holds back what follows the
/// missing segment until it is sent again, a round trip later, so a count lags, then catches
/// up; and a shaper's token bucket lets a burst through after an idle moment.
fn figure(counts: &[Count], to: u64) -> Option<f64> {
    let from = to.saturating_sub(STABLE_WINDOW.as_micros() as u64);
    let mut rates: Vec<f64> = counts
        .iter()
        .filter(|c| c.elapsed_us >= from && c.elapsed_us <= to && c.elapsed_us > 0)
        .map(|c| c.bytes as f64 * 1e6 / c.elapsed_us as f64)
        .collect();
    if rates.is_empty() {
        return None;
    }
    rates.sort_by(f64::total_cmp);
    let n = rates.len();
    Some(if n % 2 == 1 {
        rates[n / 2]
    } else {
        (rates[n / 2 - 1] + rates[n / 2]) / 2.0
    })
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

    /// kbit/s from the receiver's counts until the last byte had arrived (see [`figure`]),
    /// or the sender's own count, flagged.
    pub fn kbps(&self) -> Option<f64> {
        let f = self.flowing();
        match figure(f, f.last().map_or(0, |c| c.elapsed_us)) {
            Some(r) => Some(r * 8.0 / 1000.0),
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

/// What the sender watches while sending: the socket's progress and the receiver's counts.
struct Progress {
    written: Arc<AtomicU64>,
    counts: Arc<Mutex<Counts>>,
    start: Instant,
    seen: (u64, u64, Option<u64>),
    moved_at: Instant,
}

impl Progress {
    fn new(written: Arc<AtomicU64>, counts: Arc<Mutex<Counts>>) -> Progress {
        let now = Instant::now();
        Progress {
            written,
            counts,
            start: now,
            seen: (0, 0, None),
            moved_at: now,
        }
    }

    /// Note what moved (what the program wrote, the receiver's count, what the kernel still
    /// holds: `outstanding`); true when nothing did for [`STALL`].
    fn stalled(&mut self, now: Instant, outstanding: Option<u64>) -> bool {
        let w = self.written.load(Ordering::Relaxed);
        let c = self
            .counts
            .lock()
            .unwrap()
            .as_slice()
            .last()
            .map_or(0, |c| c.bytes);
        if (w, c, outstanding) != self.seen {
            self.seen = (w, c, outstanding);
            self.moved_at = now;
        }
        now.duration_since(self.moved_at) >= STALL
    }

    /// The rate (bytes/s) to size the send queue and the messages with: the receiver's
    /// average since its start (steadier than any recent rate: a loss makes the count lag,
    /// a shaper lets bursts through), and before its first count what the socket took less
    /// what it may still hold (`held`), so that the start does not overshoot.
    fn rate(&self, now: Instant, held: usize) -> f64 {
        if let Some(c) = self.counts.lock().unwrap().as_slice().last()
            && c.elapsed_us >= 200_000
        {
            return c.bytes as f64 * 1e6 / c.elapsed_us as f64;
        }
        let t = now.duration_since(self.start).as_secs_f64();
        if t < 0.05 {
            return 0.0;
        }
        self.written
            .load(Ordering::Relaxed)
            .saturating_sub(held as u64) as f64
            / t
    }
}

fn stalled_error() -> (ErrorClass, String) {
    (
        ErrorClass::Stalled,
        format!(
            "the peer stopped reading: nothing left the socket and the peer counted nothing more for {} s",
            STALL.as_secs()
        ),
    )
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
    let metered = Metered::new(stream);
    let written = metered.written.clone();
    let ws = match tokio_tungstenite::client_async_with_config(req, metered, Some(cfg)).await {
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
                        let pushed = counts.lock().unwrap().push(c, now, now - start);
                        if let Err(e) = pushed {
                            return Err((ErrorClass::Malformed, e));
                        }
                    }
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
                        failure = Some((
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
            if reader_done_early || matches!(e.0, ErrorClass::Malformed | ErrorClass::TooLarge) =>
        {
            Some(e)
        }
        _ => None,
    };
    up.counts = progress.counts.lock().unwrap().as_slice().to_vec();
    up.error = match (reader_error, failure) {
        (Some(e), _) if matches!(e.0, ErrorClass::Malformed | ErrorClass::TooLarge) => Some(e),
        (_, Some(f)) => Some(f),
        (e, None) => e,
    };
    if let Some((c, _)) = &up.error {
        up.ended = Ended::Error;
        if *c == ErrorClass::Malformed {
            // A peer that lies or talks garbage gives no figure.
            up.counts.clear();
        }
    }
    finish(&mut up);
    up
}

/// Shared end of both methods: a lying peer is a failure; no count at all is flagged.
fn finish(up: &mut Upload) {
    if let Err(e) = check_counts(&up.counts, up.bytes_sent) {
        up.error = Some((ErrorClass::Malformed, e));
        up.ended = Ended::Error;
        up.counts.clear();
        return;
    }
    if up.counts.is_empty() && up.error.is_none() && up.bytes_sent > 0 {
        up.sender_counted = true;
    }
}

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
            up.error = Some((classify_io(&e), format!("POST upload: {e}")));
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
            up.error = Some((ErrorClass::Timeout, "no answer after the upload".into()));
            up.ended = Ended::Error;
            return up;
        }
        Ok(Err(e)) if buf.is_empty() => {
            up.error = Some((classify_io(&e), format!("reading the sink's answer: {e}")));
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

    fn c(t: u64, b: u64) -> Count {
        Count {
            elapsed_us: t,
            bytes: b,
        }
    }

    /// Counts every 250 ms of a steady 10 Mbit/s (1.25 MB/s), up to `until` µs.
    fn steady(until: u64) -> Vec<Count> {
        (1..=until / 250_000)
            .map(|i| c(i * 250_000, i * 312_500))
            .collect()
    }

    #[test]
    fn rate_and_timeline_from_the_receiver() {
        let up = Upload {
            bytes_sent: 2_000_000,
            counts: steady(1_000_000),
            ..Upload::default()
        };
        // 1.25 MB/s = 10 Mbit/s, whatever was handed to the socket (2 MB).
        assert_eq!(up.kbps(), Some(10_000.0));
        let t = up.timeline();
        assert_eq!(t.len(), 4);
        assert!(t.iter().all(|s| s.kbps == 10_000.0), "{t:?}");
    }

    #[test]
    fn a_lagging_count_or_a_burst_does_not_move_the_figure() {
        let mut counts = steady(4_000_000);
        // After a loss, the count lags half a second behind, then catches up; a shaper's
        // bucket lets 100 kB through early.
        counts[12].bytes -= 625_000;
        counts[13].bytes -= 312_500;
        for x in &mut counts[1..4] {
            x.bytes += 100_000;
        }
        let up = Upload {
            bytes_sent: 6_000_000,
            counts,
            ..Upload::default()
        };
        assert_eq!(up.kbps(), Some(10_000.0));
    }

    #[test]
    fn stable_when_the_last_seconds_are_the_whole() {
        let fill = |v: &[Count]| Counts {
            kept: v.to_vec(),
            ..Counts::default()
        };
        assert!(fill(&steady(4_000_000)).stable());
        // Not before 4 s of counts.
        assert!(!fill(&steady(3_750_000)).stable());
        // Still ramping up: the average keeps rising.
        let ramp: Vec<Count> = (1..=16u64)
            .map(|i| c(i * 250_000, i * i * 40_000))
            .collect();
        assert!(!fill(&ramp).stable());
        // The rate halved for the last 2 s.
        let mut drop = steady(2_000_000);
        drop.extend((1..=8u64).map(|i| c(2_000_000 + i * 250_000, 2_500_000 + i * 156_250)));
        assert!(!fill(&drop).stable());
    }

    #[test]
    fn counts_are_a_bounded_sample() {
        let start = Instant::now();
        let mut k = Counts::default();
        // A flood: 100 000 counts arriving at once keep two slots.
        for i in 0..100_000u64 {
            k.push(c(i, i), start, Duration::ZERO).unwrap();
        }
        assert_eq!(k.as_slice().len(), 2);
        assert_eq!(k.as_slice()[1], c(99_999, 99_999));
        // Spread out (one every 60 ms for 10 minutes): bounded, in order, the last one kept.
        let mut k = Counts::default();
        for i in 0..10_000u64 {
            let at = Duration::from_millis(60 * i);
            k.push(c(at.as_micros() as u64, i), start + at, at).unwrap();
        }
        let v = k.as_slice();
        assert!(v.len() <= MAX_COUNTS, "{}", v.len());
        assert!(v.windows(2).all(|w| w[0].bytes < w[1].bytes));
        assert_eq!(v.last().unwrap().bytes, 9_999);
    }

    #[test]
    fn counts_that_go_back_or_run_on_another_clock_are_lies() {
        let now = Instant::now();
        let mut k = Counts::default();
        k.push(c(1_000_000, 500), now, Duration::from_secs(1))
            .unwrap();
        assert!(
            k.push(c(1_100_000, 400), now, Duration::from_secs(1))
                .is_err()
        );
        // 20 s by the peer's count after 1 s here; 0.1 s after 20 s here.
        assert!(
            k.push(c(20_000_000, 600), now, Duration::from_secs(1))
                .is_err()
        );
        let mut k = Counts::default();
        assert!(
            k.push(c(100_000, 600), now, Duration::from_secs(20))
                .is_err()
        );
    }

    #[test]
    fn idle_counts_after_the_last_byte_do_not_dilute_the_rate() {
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
