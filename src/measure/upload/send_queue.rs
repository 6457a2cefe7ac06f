//! The upload socket's kernel queue, kept small (socket options).

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
