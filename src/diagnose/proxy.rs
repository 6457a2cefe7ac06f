//! The proxy a network requires: a pure rule over the outcomes of the direct and the proxied
//! probes.

use crate::model::Outcome;
use crate::plan::Plan;

/// A direct connection that fails where the same host answers through the proxy is not a
/// dead server: the network requires the proxy (`proxy_required`).
pub fn mark_proxy_required(plan: &Plan, outcomes: &mut [Outcome]) {
    use crate::model::ErrorClass::*;
    // Where the proxy got through: (host, port). Only what rides on TCP can take the proxy:
    // UDP that does not get through stays a UDP finding.
    let through_proxy: Vec<(String, Option<u16>)> = plan
        .probes
        .iter()
        .zip(outcomes.iter())
        .filter(|(p, o)| p.step.via().is_some() && o.works())
        .map(|(p, _)| (p.step.host().to_string(), p.step.port()))
        .collect();
    for (p, o) in plan.probes.iter().zip(outcomes.iter_mut()) {
        let direct_failure = p.step.via().is_none()
            && p.step.transport() != Some(crate::model::Transport::Udp)
            && matches!(
                o.class(),
                Some(Timeout | Refused | Reset | Unreachable | Closed)
            );
        let reached = through_proxy
            .iter()
            .any(|(h, port)| h == p.step.host() && *port == p.step.port());
        if direct_failure && reached {
            let was = o.class().map(|c| c.as_str()).unwrap_or("");
            let msg = format!(
                "direct connection fails ({was}) but the proxy reaches {}: this network requires its proxy",
                p.step.host()
            );
            *o = o.clone().fail(ProxyRequired, msg);
        }
    }
}
