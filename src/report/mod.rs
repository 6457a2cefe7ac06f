//! Reports: the JSON contract is the model itself (`crate::model::Report`); this module turns
//! a run into that model, with sentences in the user's language, and renders it as text.

pub mod html;
pub mod i18n;
pub mod text;

pub use i18n::Lang;

use crate::diagnose::verdict::{Diagnosis, Finding};
use crate::model::{Outcome, PlatformReport, Status};
use crate::plan::{PlatformPlan, Role};

/// The label of an endpoint in sentences: its `what` from the profile, else its target.
fn label(p: &PlatformPlan, outcomes: &[Outcome], probe: usize, lang: Lang) -> String {
    let what = p
        .entries
        .iter()
        .find(|e| e.probe == probe)
        .and_then(|e| match &e.role {
            Role::Endpoint { what_fr, .. } if lang == Lang::Fr && !what_fr.is_empty() => {
                Some(what_fr.clone())
            }
            Role::Endpoint { what, .. } if !what.is_empty() => Some(what.clone()),
            _ => None,
        });
    let target = &outcomes[probe].target;
    match what {
        Some(w) => format!("{w} ({target})"),
        None => target.clone(),
    }
}

/// A platform's `udp_quality` outcome and its figures (loss %, jitter, RTT median, RTT p95),
/// when it was measured.
pub fn quality_of(p: &PlatformReport) -> Option<(&Outcome, Option<[f64; 4]>)> {
    let q = p
        .probes
        .iter()
        .find(|o| o.kind == crate::model::ProbeKind::UdpQuality)?;
    let f = |k: &str| q.data.get(k).and_then(|v| v.as_f64());
    let figures = match (
        f("loss_pct"),
        f("jitter_ms"),
        f("rtt_median_ms"),
        f("rtt_p95_ms"),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    };
    Some((q, figures))
}

/// Why a probe did not work, in plain words (the root cause for a skipped probe).
pub fn why(o: &Outcome, lang: Lang) -> String {
    if o.status == Status::Skipped {
        let cause = o
            .data_str("cause")
            .and_then(|c| serde_json::from_value(c.into()).ok());
        let by = o.data_str("cause_probe").unwrap_or("");
        return match cause {
            Some(c) => format!("{} [{by}]", i18n::class_meaning(c, lang)),
            None => lang.t("non testé", "not tested").to_string(),
        };
    }
    match &o.error {
        Some(e) => i18n::class_meaning(e.class, lang).to_string(),
        None => String::new(),
    }
}

/// One platform's report block: verdict, one-sentence summary, reasons, probes.
pub fn platform_report(
    p: &PlatformPlan,
    d: &Diagnosis,
    outcomes: &[Outcome],
    lang: Lang,
) -> PlatformReport {
    let mut reasons = Vec::new();
    let mut summary = None;
    // Worst findings first, so the summary names what matters most.
    let mut findings: Vec<&Finding> = d.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity()));
    for f in findings {
        let line = match f {
            Finding::Down {
                failed, required, ..
            } => {
                let first = failed[0];
                let s = format!(
                    "{} — {}",
                    label(p, outcomes, first, lang),
                    why(&outcomes[first], lang)
                );
                if *required {
                    s
                } else {
                    format!("{} {s}", lang.t("(optionnel)", "(optional)"))
                }
            }
            Finding::Fallback { used, failed, .. } => format!(
                "{} {} ; {} — {}",
                lang.t(
                    "ne fonctionne que par repli :",
                    "works only through a fallback:"
                ),
                label(p, outcomes, *used, lang),
                label(p, outcomes, failed[0], lang),
                why(&outcomes[failed[0]], lang)
            ),
            Finding::Warned { probe } => format!(
                "{} — {}",
                label(p, outcomes, *probe, lang),
                why(&outcomes[*probe], lang)
            ),
        };
        if summary.is_none() {
            summary = Some(line.clone());
        }
        reasons.push(line);
    }
    let summary = summary.unwrap_or_else(|| {
        lang.t(
            "Tout ce que le navigateur utilise répond depuis ce réseau.",
            "Everything the browser uses answers from this network.",
        )
        .to_string()
    });
    let mut probes: Vec<Outcome> = p
        .entries
        .iter()
        .map(|e| outcomes[e.probe].clone())
        .collect();
    probes.sort_by_key(|o| o.kind);
    PlatformReport {
        id: p.profile.id.clone(),
        name: p.profile.name.clone(),
        verdict: d.verdict,
        summary,
        reasons,
        probes,
    }
}
