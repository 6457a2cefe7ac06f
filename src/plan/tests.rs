//! Plans built from the bundled profiles: shared steps, fallbacks, the proxy's tier.

use super::*;

#[test]
fn one_dns_lookup_per_host_and_shared_endpoints() {
    let all = crate::profile::load_all(&[]).unwrap();
    let bbb = all[0].with_server("bbb.example.test");
    let plan = build(&[bbb.clone(), bbb], None);
    let dns: Vec<_> = plan
        .probes
        .iter()
        .filter(|p| p.step.kind() == ProbeKind::Dns)
        .collect();
    assert_eq!(dns.len(), 1);
    // 443: one TCP, one TLS, shared by the API, both WebSockets and TURN over TLS.
    let tcp: Vec<_> = plan
        .probes
        .iter()
        .filter(|p| p.step.kind() == ProbeKind::Tcp)
        .map(|p| p.step.target())
        .collect();
    assert_eq!(tcp, ["bbb.example.test:443", "bbb.example.test:3478"]);
    assert_eq!(
        plan.probes
            .iter()
            .filter(|p| p.step.kind() == ProbeKind::Tls)
            .count(),
        1
    );
    assert_eq!(plan.platforms.len(), 2);
    // Every dependency points backwards (the runner relies on it).
    for (i, p) in plan.probes.iter().enumerate() {
        assert!(p.deps.iter().all(|d| *d < i));
    }
}

#[test]
fn turn_transports_are_tiers_of_one_group() {
    let all = crate::profile::load_all(&[]).unwrap();
    let plan = build(&[all[0].with_server("h.test")], None);
    let tiers: Vec<(String, u8)> = plan.platforms[0]
        .entries
        .iter()
        .filter_map(|e| match &e.role {
            Role::Endpoint { group, tier, .. } if group == "media" => {
                Some((plan.probes[e.probe].step.target(), *tier))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        tiers,
        [
            ("turn:h.test:3478?transport=udp".to_string(), 0),
            ("turn:h.test:3478?transport=tcp".to_string(), 1),
            ("turns:h.test:443?transport=tcp".to_string(), 2)
        ]
    );
}

#[test]
fn with_a_proxy_web_endpoints_count_through_it() {
    let all = crate::profile::load_all(&[]).unwrap();
    let px = Proxy {
        addr: "198.18.0.1:3128".parse().unwrap(),
        label: "proxy.etab.lab:3128".into(),
        source: "wpad".into(),
    };
    let plan = build(&[all[0].with_server("h.test")], Some(&px));
    let counted: Vec<(ProbeKind, bool)> = plan.platforms[0]
        .entries
        .iter()
        .filter(|e| matches!(e.role, Role::Endpoint { .. }))
        .map(|e| {
            (
                plan.probes[e.probe].step.kind(),
                plan.probes[e.probe].step.via().is_some(),
            )
        })
        .collect();
    assert_eq!(
        counted,
        [
            (ProbeKind::Https, true),
            (ProbeKind::Https, true),
            (ProbeKind::Https, true),
            (ProbeKind::Websocket, true),
            (ProbeKind::Websocket, true),
            (ProbeKind::Websocket, true),
            // UDP stays direct; TURN over TCP and TLS may also go through CONNECT.
            (ProbeKind::Turn, false),
            (ProbeKind::Turn, false),
            (ProbeKind::Turn, true),
            (ProbeKind::Turn, false),
            (ProbeKind::Turn, true),
        ]
    );
    // The direct attempts stay, as evidence.
    assert!(
        plan.probes
            .iter()
            .any(|p| p.step.kind() == ProbeKind::Https && p.step.via().is_none())
    );
}
