//! STUN Binding over UDP and TCP, and the acknowledgements of the media-rate packets on the UDP
//! port.

use super::Log;
use super::gate::Gate;
use super::ndt7::read_idle;
use rtc_stun::attributes::ATTR_SOFTWARE;
use rtc_stun::message::{BINDING_SUCCESS, CLASS_REQUEST, METHOD_BINDING, Message, Setter};
use rtc_stun::textattrs::TextAttribute;
use rtc_stun::xoraddr::XorMappedAddress;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, UdpSocket};

/// The answer to a STUN Binding request from `from` (None: not one).
pub fn stun_answer(bytes: &[u8], from: SocketAddr) -> Option<Vec<u8>> {
    let mut req = Message::new();
    req.unmarshal_binary(bytes).ok()?;
    if req.typ.class != CLASS_REQUEST || req.typ.method != METHOD_BINDING {
        return None;
    }
    let mut m = Message::new();
    let setters: Vec<Box<dyn Setter>> = vec![
        Box::new(req.transaction_id),
        Box::new(BINDING_SUCCESS),
        Box::new(XorMappedAddress {
            ip: from.ip(),
            port: from.port(),
        }),
        // Tells preflight's client that this peer echoes media packets on this port.
        Box::new(TextAttribute::new(
            ATTR_SOFTWARE,
            format!(
                "preflight serve {} ({})",
                env!("CARGO_PKG_VERSION"),
                crate::measure::media::SOFTWARE_MARK
            ),
        )),
    ];
    m.build(&setters).ok()?;
    Some(m.raw)
}

pub(super) async fn stun_udp(sock: UdpSocket, log: Log) {
    let mut buf = [0u8; 2048];
    let mut last_log: Option<(SocketAddr, Instant, bool)> = None;
    let started = Instant::now();
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        // A STUN Binding request, or a packet of the client's UDP test at media rate,
        // acknowledged with its arrival time.
        let (answer, media) = match stun_answer(&buf[..n], from) {
            Some(a) => (Some(a), false),
            None => (
                crate::measure::media::echo(&buf[..n], started.elapsed().as_micros() as u64),
                true,
            ),
        };
        let Some(a) = answer else { continue };
        let _ = sock.send_to(&a, from).await;
        // One line per client and test, not per packet.
        if last_log.is_none_or(|(f, t, m)| {
            f != from || m != media || t.elapsed() > Duration::from_secs(10)
        }) {
            log(format!(
                "{from} {}",
                if media {
                    "UDP at media rate (echo)"
                } else {
                    "STUN over UDP"
                }
            ));
            last_log = Some((from, Instant::now(), media));
        }
    }
}

pub(super) async fn stun_tcp(listener: TcpListener, gate: Arc<Gate>, log: Log) {
    loop {
        let Ok((mut s, from)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let pass = match gate.enter(from.ip()) {
            Ok(p) => p,
            Err(why) => {
                gate.refuse(from, why, &log);
                continue;
            }
        };
        let log = log.clone();
        let idle = gate.limits.idle;
        tokio::spawn(async move {
            let _pass = pass;
            let _ = tokio::time::timeout(Duration::from_secs(30), async {
                loop {
                    let mut head = [0u8; 20];
                    if read_idle(&mut s, &mut head, idle).await.is_err() {
                        return Ok::<_, std::io::Error>(());
                    }
                    let len = u16::from_be_bytes([head[2], head[3]]) as usize;
                    if len > 2048 {
                        return Ok(());
                    }
                    let mut msg = head.to_vec();
                    msg.resize(20 + len, 0);
                    if read_idle(&mut s, &mut msg[20..], idle).await.is_err() {
                        return Ok(());
                    }
                    match stun_answer(&msg, from) {
                        Some(a) => s.write_all(&a).await?,
                        None => return Ok(()),
                    }
                    log(format!("{from} STUN over TCP"));
                }
            })
            .await;
        });
    }
}
