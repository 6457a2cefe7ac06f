//! The JSON shape of an [`Outcome`] (`shared/contract.md`): the facts live in `data`.

use super::{Facts, Skip};
use crate::model::{ErrorClass, ProbeError, ProbeKind, Status, Transport};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Serialize, Deserialize)]
pub struct Outcome {
    pub kind: ProbeKind,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub transport: Option<Transport>,
    pub status: Status,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<ProbeError>,
    #[serde(default)]
    pub data: Map<String, Value>,
}

impl From<super::Outcome> for Outcome {
    fn from(o: super::Outcome) -> Self {
        let mut data = o.data;
        let f = o.facts;
        let mut put = |k: &str, v: Value| {
            data.insert(k.to_string(), v);
        };
        if let (Some((h, p)), ProbeKind::Stun | ProbeKind::Turn) = (&f.aim, o.kind) {
            put("server", format!("{h}:{p}").into());
        }
        if let Some(a) = f.address {
            put("address", a.to_string().into());
        }
        if let Some(m) = f.mapped {
            put("mapped_address", m.to_string().into());
        }
        if let Some(t) = f.filter_test {
            put("filter_test", t.into());
        }
        if let Some(s) = f.skip {
            if let Some(c) = s.cause {
                put("cause", c.as_str().into());
            }
            if let Some(p) = s.probe {
                put("cause_probe", p.into());
            }
        }
        Outcome {
            kind: o.kind,
            target: o.target,
            transport: o.transport,
            status: o.status,
            duration_ms: o.duration_ms,
            error: o.error,
            data,
        }
    }
}

/// A report read back (a merge, a test): the facts are taken out of `data`.
impl From<Outcome> for super::Outcome {
    fn from(o: Outcome) -> Self {
        let mut data = o.data;
        let mut take = |k: &str| match data.remove(k) {
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                data.insert(k.to_string(), other);
                None
            }
            None => None,
        };
        let aim = take("server").and_then(|s| {
            let (h, p) = s.rsplit_once(':')?;
            Some((h.to_string(), p.parse().ok()?))
        });
        let address = take("address").and_then(|a| a.parse().ok());
        let mapped = take("mapped_address").and_then(|a| a.parse().ok());
        let cause =
            take("cause").and_then(|c| serde_json::from_value::<ErrorClass>(Value::String(c)).ok());
        let probe = take("cause_probe");
        let skip = (cause.is_some() || probe.is_some()).then_some(Skip { cause, probe });
        let filter_test = take("filter_test");
        super::Outcome {
            kind: o.kind,
            target: o.target,
            transport: o.transport,
            status: o.status,
            duration_ms: o.duration_ms,
            error: o.error,
            data,
            facts: Facts {
                aim,
                address,
                mapped,
                skip,
                filter_test,
                quality: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ErrorClass, Outcome, ProbeKind, Report, Transport};
    use serde_json::json;

    #[test]
    fn the_facts_are_keys_of_data_on_the_wire_and_typed_again_when_read() {
        let stun = Outcome::new(ProbeKind::Stun, "stun:s.example:3478", Some(Transport::Udp))
            .aimed_at("s.example", 3478)
            .answered_by("192.0.2.7:3478".parse().unwrap());
        let mut stun = stun;
        stun.facts.mapped = Some("[2001:db8::1]:40000".parse().unwrap());
        let json = serde_json::to_value(&stun).unwrap();
        assert_eq!(
            json["data"],
            json!({"server": "s.example:3478", "address": "192.0.2.7:3478",
                   "mapped_address": "[2001:db8::1]:40000"})
        );
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back, stun);
        assert!(back.data.is_empty(), "{:?}", back.data);

        let skipped = Outcome::new(ProbeKind::Https, "https://h.example/", None)
            .aimed_at("h.example", 443)
            .skipped("dns h.example failed (nxdomain)")
            .skipped_for(Some(ErrorClass::Nxdomain), Some("dns h.example".into()));
        let json = serde_json::to_value(&skipped).unwrap();
        assert_eq!(json["data"]["cause"], "nxdomain");
        assert_eq!(json["data"]["cause_probe"], "dns h.example");
        // Only STUN and TURN show where they aimed (`data.server`); the others' target says it.
        assert!(json["data"].get("server").is_none(), "{json}");
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back.facts.skip, skipped.facts.skip);
        assert_eq!(back.facts.aim, None);
    }

    #[test]
    fn a_filters_answered_test_page_is_a_typed_fact() {
        let mut test = Outcome::new(ProbeKind::Proxy, "http://t.example/ via p:3128", None);
        test.facts.filter_test = Some("e2guardian".into());
        let json = serde_json::to_value(&test).unwrap();
        assert_eq!(json["data"]["filter_test"], "e2guardian");
        let back: Outcome = serde_json::from_value(json).unwrap();
        assert_eq!(back, test);
    }

    #[test]
    fn an_inert_report_keeps_where_each_probe_aimed() {
        let mut r: Report = serde_json::from_value(json!({
            "schema": "preflight-report/1", "tool": {"name": "preflight", "version": "0"},
            "started_at": "", "duration_ms": 0, "lang": "en", "venue": {}, "verdict": "blocked",
            "platforms": [{"id": "p", "name": "P", "verdict": "blocked", "summary": "",
                           "probes": []}],
            "network": {}, "bandwidth": null,
            "firewall": {"family": "none", "confidence": 0.0, "evidence": []},
            "support": {"desk": "", "contact": null, "why": "", "ticket": null}
        }))
        .unwrap();
        let o = Outcome::new(ProbeKind::Tcp, "h.example:443", Some(Transport::Tcp))
            .aimed_at("h.example", 443)
            .with("title", "\u{1b}[31mred");
        r.platforms[0].probes.push(o);
        let inert = r.inert();
        let p = &inert.platforms[0].probes[0];
        assert_eq!(p.facts.aim, Some(("h.example".into(), 443)));
        assert!(!p.data_str("title").unwrap().contains('\u{1b}'));
    }
}
