//! A DNS server on loopback (UDP and TCP), built on hickory-proto's message code: it answers A
//! and AAAA from its zone, NXDOMAIN for other names, or misbehaves as asked.

use super::{Task, rt};
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{RData, Record, RecordType};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Answer from the zone, NXDOMAIN otherwise.
    Zone,
    /// SERVFAIL to everything.
    Servfail,
    /// Read queries and never answer (a blackholed resolver).
    Silent,
    /// Answer from the zone, but lose the first two datagrams (a lossy Wi-Fi).
    LoseFirst,
}

pub struct DnsServer {
    pub addr: SocketAddr,
    pub queries: Arc<AtomicUsize>,
    _task: Task,
}

impl DnsServer {
    /// `zone`: name (without the final dot) -> addresses.
    pub fn start(zone: &[(&str, Vec<IpAddr>)], mode: Mode) -> DnsServer {
        let zone: Arc<HashMap<String, Vec<IpAddr>>> = Arc::new(
            zone.iter()
                .map(|(n, a)| (n.trim_end_matches('.').to_ascii_lowercase(), a.clone()))
                .collect(),
        );
        let queries = Arc::new(AtomicUsize::new(0));
        // The same port for UDP and TCP: try ports until one is free for both.
        let (udp, tcp) = rt().block_on(async {
            loop {
                let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                let port = udp.local_addr().unwrap().port();
                if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
                    return (udp, tcp);
                }
            }
        });
        let addr = udp.local_addr().unwrap();
        let (z, q) = (zone.clone(), queries.clone());
        let t1 = rt().spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, from)) = udp.recv_from(&mut buf).await {
                let seen = q.fetch_add(1, Ordering::Relaxed);
                if mode == Mode::LoseFirst && seen < 2 {
                    continue;
                }
                if let Some(answer) = answer(&buf[..n], &z, mode) {
                    let _ = udp.send_to(&answer, from).await;
                }
            }
        });
        let (z, q) = (zone, queries.clone());
        let t2 = rt().spawn(async move {
            while let Ok((mut s, _)) = tcp.accept().await {
                let (z, q) = (z.clone(), q.clone());
                tokio::spawn(async move {
                    loop {
                        let mut len = [0u8; 2];
                        if s.read_exact(&mut len).await.is_err() {
                            return;
                        }
                        let mut msg = vec![0u8; u16::from_be_bytes(len) as usize];
                        if s.read_exact(&mut msg).await.is_err() {
                            return;
                        }
                        q.fetch_add(1, Ordering::Relaxed);
                        match answer(&msg, &z, mode) {
                            Some(a) => {
                                let mut framed = (a.len() as u16).to_be_bytes().to_vec();
                                framed.extend_from_slice(&a);
                                if s.write_all(&framed).await.is_err() {
                                    return;
                                }
                            }
                            None => std::future::pending::<()>().await,
                        }
                    }
                });
            }
        });
        DnsServer {
            addr,
            queries,
            _task: Task(vec![t1, t2]),
        }
    }
}

fn answer(query: &[u8], zone: &HashMap<String, Vec<IpAddr>>, mode: Mode) -> Option<Vec<u8>> {
    let q = Message::from_vec(query).ok()?;
    let mut m = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = q.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.add_queries(q.queries.clone());
    match mode {
        Mode::Silent => return None,
        Mode::Servfail => m.metadata.response_code = ResponseCode::ServFail,
        Mode::Zone | Mode::LoseFirst => {
            let question = q.queries.first()?;
            let name = question.name().to_ascii();
            let key = name.trim_end_matches('.').to_ascii_lowercase();
            match zone.get(&key) {
                None => m.metadata.response_code = ResponseCode::NXDomain,
                Some(addrs) => {
                    for ip in addrs {
                        let rdata = match (ip, question.query_type()) {
                            (IpAddr::V4(v4), RecordType::A) => RData::A(A(*v4)),
                            (IpAddr::V6(v6), RecordType::AAAA) => RData::AAAA(AAAA(*v6)),
                            _ => continue,
                        };
                        m.add_answer(Record::from_rdata(question.name().clone(), 60, rdata));
                    }
                }
            }
        }
    }
    m.to_vec().ok()
}
