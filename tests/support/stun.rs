//! A STUN/TURN server on loopback with webrtc-rs's message code: Binding gets the mapped
//! address, Allocate without credentials gets 401 with REALM and NONCE (what coturn answers).
//! Over TCP and TLS, messages are framed by the STUN header's length.

use super::{Task, rt};
use rtc_stun::attributes::{ATTR_NONCE, ATTR_REALM, ATTR_SOFTWARE};
use rtc_stun::error_code::{CODE_UNAUTHORIZED, ErrorCodeAttribute};
use rtc_stun::message::{
    BINDING_SUCCESS, CLASS_ERROR_RESPONSE, CLASS_REQUEST, METHOD_ALLOCATE, METHOD_BINDING, Message,
    MessageType, Setter,
};
use rtc_stun::textattrs::TextAttribute;
use rtc_stun::xoraddr::XorMappedAddress;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

pub const REALM: &str = "lab.test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A real STUN/TURN server.
    Good,
    /// Answers every datagram or frame with bytes that are not STUN.
    Garbage,
    /// Reads and never answers.
    Silent,
}

/// The answer to one STUN request from `from` (None: not a request we answer).
pub fn answer(bytes: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
    let mut req = Message::new();
    req.unmarshal_binary(bytes).ok()?;
    if req.typ.class != CLASS_REQUEST {
        return None;
    }
    let mut m = Message::new();
    let software = TextAttribute::new(ATTR_SOFTWARE, "preflight test peer".into());
    let setters: Vec<Box<dyn Setter>> = match req.typ.method {
        METHOD_BINDING => vec![
            Box::new(req.transaction_id),
            Box::new(BINDING_SUCCESS),
            Box::new(XorMappedAddress {
                ip: from.ip(),
                port: from.port(),
            }),
            Box::new(software),
        ],
        METHOD_ALLOCATE => vec![
            Box::new(req.transaction_id),
            Box::new(MessageType::new(METHOD_ALLOCATE, CLASS_ERROR_RESPONSE)),
            Box::new(ErrorCodeAttribute {
                code: CODE_UNAUTHORIZED,
                reason: b"Unauthorized".to_vec(),
            }),
            Box::new(TextAttribute::new(ATTR_REALM, REALM.into())),
            Box::new(TextAttribute::new(ATTR_NONCE, "6a8b3c2d1e0f".into())),
            Box::new(software),
        ],
        _ => return None,
    };
    m.build(&setters).ok()?;
    Some(m.raw)
}

/// Serve STUN framed over a stream (TCP, or TLS after ALPN `stun.turn`).
pub async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    from: SocketAddr,
    mode: Mode,
) {
    loop {
        let mut head = [0u8; 20];
        if s.read_exact(&mut head).await.is_err() {
            return;
        }
        let len = u16::from_be_bytes([head[2], head[3]]) as usize;
        let mut msg = head.to_vec();
        msg.resize(20 + len, 0);
        if s.read_exact(&mut msg[20..]).await.is_err() {
            return;
        }
        let reply = match mode {
            Mode::Good => answer(&msg, from),
            Mode::Garbage => Some(b"\xde\xad\xbe\xef: these bytes are not STUN at all".to_vec()),
            Mode::Silent => None,
        };
        if let Some(r) = reply
            && s.write_all(&r).await.is_err()
        {
            return;
        }
    }
}

pub struct StunServer {
    pub addr: SocketAddr,
    _task: Task,
}

impl StunServer {
    /// Listen on `ip:port` (port 0: any) over UDP and/or TCP.
    pub fn start(
        ip: IpAddr,
        port: u16,
        udp: bool,
        tcp: bool,
        mode: Mode,
    ) -> std::io::Result<StunServer> {
        let t = std::net::TcpListener::bind((ip, port))?;
        let addr = t.local_addr()?;
        let u = if udp {
            Some(std::net::UdpSocket::bind(addr)?)
        } else {
            None
        };
        Self::on(addr, tcp.then_some(t), u, mode)
    }

    /// Serve on sockets bound beforehand (ports chosen and held, that no one can take).
    pub fn on(
        addr: SocketAddr,
        t: Option<std::net::TcpListener>,
        u: Option<std::net::UdpSocket>,
        mode: Mode,
    ) -> std::io::Result<StunServer> {
        let (u, t) = {
            let _in = rt().enter();
            let u = match u {
                Some(u) => {
                    u.set_nonblocking(true)?;
                    Some(UdpSocket::from_std(u)?)
                }
                None => None,
            };
            let t = match t {
                Some(t) => {
                    t.set_nonblocking(true)?;
                    Some(TcpListener::from_std(t)?)
                }
                None => None,
            };
            (u, t)
        };
        let mut tasks = Vec::new();
        if let Some(u) = u {
            tasks.push(rt().spawn(async move {
                let mut buf = vec![0u8; 2048];
                while let Ok((n, from)) = u.recv_from(&mut buf).await {
                    let reply = match mode {
                        Mode::Good => answer(&buf[..n], from),
                        Mode::Garbage => Some(vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7]),
                        Mode::Silent => None,
                    };
                    if let Some(r) = reply {
                        let _ = u.send_to(&r, from).await;
                    }
                }
            }));
        }
        if let Some(t) = t {
            tasks.push(rt().spawn(async move {
                while let Ok((s, from)) = t.accept().await {
                    tokio::spawn(serve_stream(s, from, mode));
                }
            }));
        }
        Ok(StunServer {
            addr,
            _task: Task(tasks),
        })
    }
}
