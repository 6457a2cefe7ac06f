//! STUN Binding and TURN Allocate over UDP, TCP and TLS (ALPN `stun.turn`), with webrtc-rs's
//! message code (rtc-stun, rtc-turn). A TURN Allocate without credentials answered by 401 with
//! REALM and NONCE proves the relay is reachable on that transport, without needing the
//! meeting's time-limited credentials. Over TCP and TLS, messages are framed by the STUN
//! header's length (RFC 8489 §6.2.2), no extra prefix.

use super::{Env, classify_io, ms_f};
use crate::model::{ErrorClass, Outcome, ProbeError, ProbeKind, Transport};
use crate::profile::IceScheme;
use rtc_stun::attributes::{ATTR_NONCE, ATTR_REALM, ATTR_SOFTWARE, ATTR_XORMAPPED_ADDRESS};
use rtc_stun::error_code::ErrorCodeAttribute;
use rtc_stun::message::{
    BINDING_REQUEST, CLASS_ERROR_RESPONSE, CLASS_REQUEST, CLASS_SUCCESS_RESPONSE, Getter,
    MAGIC_COOKIE, METHOD_ALLOCATE, METHOD_BINDING, Message, MessageType, Setter, TransactionId,
};
use rtc_stun::textattrs::TextAttribute;
use rtc_stun::xoraddr::XorMappedAddress;
use rtc_turn::proto::reqtrans::RequestedTransport;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UdpSocket;

/// Largest STUN message accepted over a stream.
const MAX_STUN: usize = 16 * 1024;

/// The request a probe sends.
pub fn request(scheme: IceScheme) -> Message {
    let mut m = Message::new();
    let typ: MessageType = match scheme {
        IceScheme::Stun => BINDING_REQUEST,
        IceScheme::Turn => MessageType::new(METHOD_ALLOCATE, CLASS_REQUEST),
    };
    let mut setters: Vec<Box<dyn Setter>> = vec![Box::new(TransactionId::new()), Box::new(typ)];
    if scheme == IceScheme::Turn {
        setters.push(Box::new(RequestedTransport {
            protocol: rtc_turn::proto::PROTO_UDP,
        }));
    }
    m.build(&setters)
        .expect("building a STUN request cannot fail");
    m
}

/// What a STUN/TURN server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub success: bool,
    pub error_code: Option<u16>,
    pub realm: Option<String>,
    pub nonce: bool,
    pub mapped: Option<SocketAddr>,
    pub software: Option<String>,
}

/// Decode a datagram or stream frame as the answer to `req`. `Err` (`malformed`) when it is not one.
pub fn decode(req: &Message, bytes: &[u8]) -> Result<Reply, ProbeError> {
    let malformed = |m: String| ProbeError::new(ErrorClass::Malformed, m);
    let mut m = Message::new();
    m.unmarshal_binary(bytes)
        .map_err(|e| malformed(format!("not STUN: {e}")))?;
    if m.transaction_id != req.transaction_id {
        return Err(malformed("a STUN message for another transaction".into()));
    }
    let method_ok = m.typ.method == req.typ.method
        || (req.typ.method == METHOD_BINDING && m.typ.method == METHOD_BINDING);
    if !method_ok {
        return Err(malformed(format!("unexpected STUN method {}", m.typ)));
    }
    let mut reply = Reply {
        success: m.typ.class == CLASS_SUCCESS_RESPONSE,
        error_code: None,
        realm: TextAttribute::get_from_as(&m, ATTR_REALM)
            .ok()
            .map(|t| t.to_string()),
        nonce: m.contains(ATTR_NONCE),
        mapped: None,
        software: TextAttribute::get_from_as(&m, ATTR_SOFTWARE)
            .ok()
            .map(|t| t.to_string()),
    };
    if m.typ.class == CLASS_ERROR_RESPONSE {
        let mut ec = ErrorCodeAttribute::default();
        if ec.get_from(&m).is_ok() {
            reply.error_code = Some(ec.code.0);
        }
    } else if m.typ.class != CLASS_SUCCESS_RESPONSE {
        return Err(malformed(format!("a STUN {} is not a response", m.typ)));
    }
    if let Ok(raw) = m.get(ATTR_XORMAPPED_ADDRESS) {
        // The address must be as long as its family says (RFC 8489 §14.2): the decoder
        // accepts an IPv6 family with 4 bytes of address and pads it with zeros.
        let whole = match raw.get(..2) {
            Some([0, 1]) => raw.len() == 4 + 4,
            Some([0, 2]) => raw.len() == 4 + 16,
            _ => false,
        };
        let mut xor = XorMappedAddress::default();
        if !whole || xor.get_from(&m).is_err() {
            return Err(malformed(format!(
                "a XOR-MAPPED-ADDRESS of {} bytes that does not match its family",
                raw.len()
            )));
        }
        reply.mapped = Some(SocketAddr::new(xor.ip, xor.port));
    }
    Ok(reply)
}

/// A UDP socket connected to `addr`: a connected socket receives the ICMP port-unreachable
/// as ECONNREFUSED, and only `addr`'s datagrams.
pub async fn udp_to(addr: SocketAddr) -> Result<UdpSocket, ProbeError> {
    let bind: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let sock = UdpSocket::bind(bind)
        .await
        .map_err(|e| ProbeError::new(ErrorClass::Local, format!("UDP socket: {e}")))?;
    sock.connect(addr).await.map_err(|e| {
        ProbeError::from(e)
            .context(format_args!("UDP {addr}"))
            .at(addr)
    })?;
    Ok(sock)
}

/// UDP: send with retransmissions (0, 250, 750, 1750 ms, ...) until a valid answer or the deadline.
async fn exchange_udp(
    addr: SocketAddr,
    req: &Message,
    deadline: Duration,
) -> Result<(Reply, Duration, SocketAddr), ProbeError> {
    let sock = udp_to(addr).await?;
    let local = sock
        .local_addr()
        .map_err(|e| ProbeError::new(ErrorClass::Local, format!("UDP socket: {e}")))?;
    let start = Instant::now();
    let mut next_send = Duration::ZERO;
    let mut gap = Duration::from_millis(250);
    let mut sent_at = start;
    let mut garbage: Option<ProbeError> = None;
    let mut buf = vec![0u8; 2048];
    loop {
        let now = start.elapsed();
        if now >= deadline {
            return Err(match garbage {
                Some(g) => ProbeError::new(
                    ErrorClass::Malformed,
                    format!("UDP {addr}: only invalid answers ({g})"),
                ),
                None => ProbeError::new(
                    ErrorClass::Timeout,
                    format!(
                        "UDP {addr}: no answer in {} ms (UDP dropped on the way)",
                        deadline.as_millis()
                    ),
                ),
            }
            .at(addr));
        }
        if now >= next_send {
            sent_at = Instant::now();
            if let Err(e) = sock.send(&req.raw).await {
                return Err(ProbeError::from(e)
                    .context(format_args!("UDP {addr}"))
                    .at(addr));
            }
            next_send = now + gap;
            gap *= 2;
        }
        let wait = next_send.min(deadline).saturating_sub(start.elapsed());
        match tokio::time::timeout(wait, sock.recv(&mut buf)).await {
            Err(_) => continue,
            Ok(Err(e)) => {
                if classify_io(&e) == ErrorClass::Refused {
                    return Err(ProbeError::new(
                        ErrorClass::Refused,
                        format!(
                            "UDP {addr}: port unreachable (ICMP): nothing listens or a firewall rejects"
                        ),
                    )
                    .at(addr));
                }
                return Err(ProbeError::from(e)
                    .context(format_args!("UDP {addr}"))
                    .at(addr));
            }
            Ok(Ok(n)) => match decode(req, &buf[..n]) {
                Ok(r) => return Ok((r, sent_at.elapsed(), local)),
                Err(g) => garbage = Some(g),
            },
        }
    }
}

/// TCP or TLS: write the request, read one framed STUN message.
pub async fn exchange_stream<S>(
    stream: &mut S,
    req: &Message,
) -> Result<(Reply, Duration), ProbeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let t0 = Instant::now();
    stream
        .write_all(&req.raw)
        .await
        .map_err(|e| ProbeError::from(e).context("sending the STUN request"))?;
    stream.flush().await.ok();
    let mut head = [0u8; 20];
    stream
        .read_exact(&mut head)
        .await
        .map_err(|e| ProbeError::from(e).context("reading the STUN answer"))?;
    if head.starts_with(b"HTTP/") || head.starts_with(b"<") {
        return Err(ProbeError::new(
            ErrorClass::NoRelay,
            "a web server answered instead of a TURN relay (the port is not routed to TURN)",
        ));
    }
    let cookie = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    if head[0] & 0xC0 != 0 || cookie != MAGIC_COOKIE {
        return Err(ProbeError::new(
            ErrorClass::Malformed,
            "the answer is not STUN (no magic cookie)",
        ));
    }
    let len = u16::from_be_bytes([head[2], head[3]]) as usize;
    if len > MAX_STUN || !len.is_multiple_of(4) {
        return Err(ProbeError::new(
            ErrorClass::Malformed,
            format!("invalid STUN length {len}"),
        ));
    }
    let mut msg = head.to_vec();
    msg.resize(20 + len, 0);
    stream
        .read_exact(&mut msg[20..])
        .await
        .map_err(|e| ProbeError::from(e).context("reading the STUN answer"))?;
    let rtt = t0.elapsed();
    decode(req, &msg).map(|r| (r, rtt))
}

/// The `stun` or `turn` probe for one ICE URL.
pub async fn probe(
    check: &crate::profile::IceCheck,
    addrs: &[IpAddr],
    env: &Env,
    via: Option<&super::proxy::Proxy>,
) -> Outcome {
    let (scheme, url, host, port, transport) = (
        check.scheme,
        check.url.as_str(),
        check.host.as_str(),
        check.port,
        check.transport,
    );
    let start = Instant::now();
    let kind = match scheme {
        IceScheme::Stun => ProbeKind::Stun,
        IceScheme::Turn => ProbeKind::Turn,
    };
    let mut out = Outcome::new(kind, url.to_string(), Some(transport)).aimed_at(host, port);
    let req = request(scheme);
    let deadline = env.timeout;
    let run = async {
        match transport {
            Transport::Udp => {
                let ip = addrs
                    .iter()
                    .find(|a| a.is_ipv4())
                    .or(addrs.first())
                    .copied()
                    .ok_or_else(|| ProbeError::new(ErrorClass::Local, "no address"))?;
                // A little less than the probe's deadline, so that what the exchange saw
                // (only garbage, or silence) is reported rather than the outer timeout.
                let budget = deadline.saturating_sub(Duration::from_millis(100));
                let (r, rtt, local) = exchange_udp(SocketAddr::new(ip, port), &req, budget).await?;
                out.facts.address = Some(SocketAddr::new(ip, port));
                out.set("local_address", local.to_string());
                Ok::<_, ProbeError>((r, rtt, None))
            }
            Transport::Tcp => {
                let mut tcp =
                    super::proxy::open(via, addrs, host, port, deadline, &mut out).await?;
                let (r, rtt) = exchange_stream(&mut tcp, &req).await?;
                Ok((r, rtt, None))
            }
            Transport::Tls => {
                let tcp = super::proxy::open(via, addrs, host, port, deadline, &mut out).await?;
                let (mut tls, facts) =
                    super::tls::handshake(tcp, host, &[b"stun.turn"], &env.trust).await?;
                facts.record(&mut out);
                if let Err(e) = &facts.judgement {
                    return Err(e.clone());
                }
                let (r, rtt) = exchange_stream(&mut tls, &req).await?;
                Ok((r, rtt, Some(facts)))
            }
        }
    };
    out = match tokio::time::timeout(deadline, run).await {
        Err(_) => out.fail(
            ErrorClass::Timeout,
            format!("{url}: no answer in {} ms", deadline.as_millis()),
        ),
        Ok(Err(e)) => out.failed(e),
        Ok(Ok((reply, rtt, facts))) => {
            out.set("rtt_ms", ms_f(rtt));
            if let Some(m) = reply.mapped {
                out.facts.mapped = Some(m);
            }
            if let Some(s) = &reply.software {
                out.set("software", s.clone());
            }
            if let Some(realm) = &reply.realm {
                out.set("realm", realm.clone());
            }
            if let Some(code) = reply.error_code {
                out.set("error_code", code);
            }
            let out = match (scheme, reply.success, reply.error_code) {
                (IceScheme::Turn, false, Some(401)) if reply.nonce => out.with(
                    "note",
                    "TURN server reachable; it asks for the meeting's credentials (401)",
                ),
                (IceScheme::Turn, true, _) => {
                    out.with("note", "TURN server allocated a relay without credentials")
                }
                (_, false, Some(code)) => out.with(
                    "note",
                    format!("the server answered STUN error {code}: reachable"),
                ),
                _ => out,
            };
            match facts {
                Some(f) => f.apply(out),
                None => out,
            }
        }
    };
    out.duration_ms = start.elapsed().as_millis() as u64;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtc_stun::error_code::CODE_UNAUTHORIZED;

    #[test]
    fn allocate_401_decodes() {
        let req = request(IceScheme::Turn);
        let mut resp = Message::new();
        resp.build(&[
            Box::new(req.clone()),
            Box::new(MessageType::new(METHOD_ALLOCATE, CLASS_ERROR_RESPONSE)),
            Box::new(ErrorCodeAttribute {
                code: CODE_UNAUTHORIZED,
                reason: b"Unauthorized".to_vec(),
            }),
            Box::new(TextAttribute::new(ATTR_REALM, "lab.test".into())),
            Box::new(TextAttribute::new(ATTR_NONCE, "abc".into())),
        ])
        .unwrap();
        let r = decode(&req, &resp.raw).unwrap();
        assert_eq!(
            (r.success, r.error_code, r.realm.as_deref(), r.nonce),
            (false, Some(401), Some("lab.test"), true)
        );
    }

    #[test]
    fn garbage_and_foreign_transactions_are_rejected() {
        let req = request(IceScheme::Stun);
        assert!(decode(&req, b"hello world, not stun").is_err());
        let other = request(IceScheme::Stun);
        let mut resp = Message::new();
        resp.build(&[
            Box::new(other),
            Box::new(rtc_stun::message::BINDING_SUCCESS),
        ])
        .unwrap();
        assert!(decode(&req, &resp.raw).is_err());
        // Truncated valid header.
        assert!(decode(&req, &req.raw[..10]).is_err());
    }

    /// A Binding success carrying a raw XOR-MAPPED-ADDRESS value.
    fn with_mapped(req: &Message, value: &[u8]) -> Vec<u8> {
        let mut resp = Message::new();
        resp.build(&[
            Box::new(req.clone()),
            Box::new(rtc_stun::message::BINDING_SUCCESS),
        ])
        .unwrap();
        resp.add(ATTR_XORMAPPED_ADDRESS, value);
        resp.write_header();
        resp.raw.clone()
    }

    #[test]
    fn mapped_address_must_match_its_family() {
        let req = request(IceScheme::Stun);
        // IPv4 family, port and 4 bytes: an address.
        let v4 = decode(&req, &with_mapped(&req, &[0, 1, 0x21, 0x12, 1, 2, 3, 4])).unwrap();
        assert!(v4.mapped.is_some_and(|m| m.is_ipv4()));
        // IPv6 family with 4 bytes, IPv4 family with 16, an unknown family: not answers.
        for bad in [
            vec![0, 2, 0x21, 0x12, 1, 2, 3, 4],
            [vec![0, 1, 0x21, 0x12], vec![7; 16]].concat(),
            vec![0, 9, 0x21, 0x12, 1, 2, 3, 4],
            vec![0, 1],
        ] {
            let e = decode(&req, &with_mapped(&req, &bad)).unwrap_err();
            assert_eq!(e.class, ErrorClass::Malformed);
            assert!(e.message.contains("XOR-MAPPED-ADDRESS"), "{e}");
        }
        let v6 = [vec![0, 2, 0x21, 0x12], vec![7; 16]].concat();
        assert!(
            decode(&req, &with_mapped(&req, &v6))
                .unwrap()
                .mapped
                .is_some_and(|m| m.is_ipv6())
        );
    }
}
