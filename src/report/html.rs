//! The HTML report: one self-contained page (no external script, font or image) that a teacher
//! opens in a browser and forwards by e-mail: a banner per platform, the probe table, the
//! likely firewall, whom to call with the ticket and a copy button, and the upload chart.
//! Every string from the network (titles, headers, messages) is escaped: servers choose them.

use super::{Lang, i18n, why};
use crate::model::{Outcome, ProbeKind, Report, Status, Verdict};
use crate::report::messages::{M, msg, words};
use serde_json::Value;
use std::fmt::Write;

use super::upload_chart::bandwidth;
pub use super::upload_chart::upload_chart;

pub use crate::inert::html as esc;

pub const CSS: &str = r#"
:root{--ok:#1a7f37;--warn:#b35900;--bad:#c62828;--ink:#1f2328;--mute:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:1.5em;margin:0 0 4px}
h2{font-size:1.15em;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1em;margin:16px 0 6px}
.meta{color:var(--mute);margin:0 0 16px}
.banner{border-radius:8px;padding:12px 16px;margin:10px 0;border-left:8px solid;background:var(--bg)}
.banner .v{font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.ready{border-color:var(--ok)}.ready .v{color:var(--ok)}
.degraded{border-color:var(--warn)}.degraded .v{color:var(--warn)}
.blocked{border-color:var(--bad)}.blocked .v{color:var(--bad)}
.incomplete{border-color:var(--mute)}.incomplete .v{color:var(--mute)}
.banner p{margin:4px 0 0}
.banner ul{margin:6px 0 0;padding-left:20px}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:6px 0 12px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg)}
td.t{word-break:break-all}
.s-ok{color:var(--ok);font-weight:600}.s-warn{color:var(--warn);font-weight:600}
.s-fail{color:var(--bad);font-weight:600}.s-skipped{color:var(--mute)}
.small{color:var(--mute);font-size:.85em}
.box{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
pre.ticket{white-space:pre-wrap;background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px;font:13px/1.4 ui-monospace,Consolas,monospace}
button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid var(--line);background:#fff;cursor:pointer}
svg text{font:11px system-ui,sans-serif;fill:var(--mute)}
.figs{display:flex;gap:24px;flex-wrap:wrap}
.fig b{display:block;font-size:1.4em}
@media print{@page{size:A4;margin:14mm}main{padding:0;max-width:none}button{display:none}
tr,.banner,.box,svg{break-inside:avoid}h2{break-after:avoid}body{font-size:11pt}}
"#;

const COPY_JS: &str = r#"function copyTicket(){var t=document.getElementById('ticket');var s=t.innerText;
function done(){var b=document.getElementById('copy');b.textContent=b.dataset.done;}
if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(s).then(done,fallback);}else{fallback();}
function fallback(){var r=document.createRange();r.selectNodeContents(t);var sel=window.getSelection();sel.removeAllRanges();sel.addRange(r);
try{document.execCommand('copy');done();}catch(e){}}}"#;

fn class(v: Verdict) -> &'static str {
    v.as_str()
}

fn symbol(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "✔",
        Verdict::Degraded => "⚠",
        Verdict::Blocked => "✖",
        Verdict::Incomplete => "…",
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Ok => "s-ok",
        Status::Warn => "s-warn",
        Status::Fail => "s-fail",
        Status::Skipped => "s-skipped",
    }
}

/// The few facts of a probe worth a column: what it learned, or why it failed.
fn detail(o: &Outcome, l: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(e) = &o.error {
        if words(l).shows_engineer_detail() {
            parts.push(format!(
                "<b>{}</b> — {}",
                esc(e.class.as_str()),
                esc(i18n::class_meaning(e.class, l))
            ));
            parts.push(format!("<span class=small>{}</span>", esc(&e.message)));
        } else {
            parts.push(format!("<b>{}</b>", esc(i18n::class_meaning(e.class, l))));
        }
    } else if o.status == Status::Skipped {
        parts.push(esc(&why(o, l)));
    }
    let d = &o.data;
    let s = |k: &str| d.get(k).and_then(Value::as_str);
    let colon = msg(l, M::Colon);
    for (k, label) in [
        ("issuer", msg(l, M::Issuer)),
        ("title", msg(l, M::Title)),
        ("proxy_marker", "proxy"),
        ("path", msg(l, M::Path)),
        ("note", "note"),
    ] {
        if let Some(v) = s(k) {
            parts.push(format!("{label}{colon}{}", esc(v)));
        }
    }
    if let Some(m) = o.facts.mapped {
        parts.push(format!("{}{colon}{m}", msg(l, M::MappedAddress)));
    }
    if let Some(v) = d.get("http_status").and_then(Value::as_u64) {
        parts.push(format!("HTTP {v}"));
    }
    if let Some(v) = d.get("addresses").and_then(Value::as_array) {
        let a: Vec<String> = v.iter().filter_map(Value::as_str).map(esc).collect();
        if !a.is_empty() {
            parts.push(a.join(", "));
        }
    }
    if let Some(v) = d.get("rtt_ms").and_then(Value::as_f64) {
        parts.push(format!("RTT {v:.0} ms"));
    }
    for k in ["loss_pct", "jitter_ms", "rtt_median_ms", "rtt_p95_ms"] {
        if let Some(v) = d.get(k).and_then(Value::as_f64) {
            parts.push(format!("{k} {v:.1}"));
        }
    }
    parts.join("<br>")
}

fn probe_table(s: &mut String, probes: &[Outcome], l: Lang) {
    let _ = write!(
        s,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>ms</th><th>{}</th></tr></thead><tbody>",
        msg(l, M::Step),
        msg(l, M::Target),
        msg(l, M::Status),
        msg(l, M::Detail)
    );
    // Tests that did not run because a step before them failed: one line, not one row each.
    let skipped = probes
        .iter()
        .filter(|o| o.status == Status::Skipped)
        .count();
    for o in probes.iter().filter(|o| o.status != Status::Skipped) {
        // The transport says something only where the same step runs over several.
        let transport = match (o.kind, o.transport) {
            (ProbeKind::Stun | ProbeKind::Turn, Some(t)) => {
                format!(" / {}", t.as_str().to_uppercase())
            }
            _ => String::new(),
        };
        let _ = write!(
            s,
            "<tr><td>{}{}</td><td class=t>{}</td><td class={}>{}</td><td>{}</td><td>{}</td></tr>",
            esc(i18n::step(o.kind, l)),
            transport,
            esc(&o.target),
            status_class(o.status),
            esc(i18n::status(o.status, l)),
            o.duration_ms,
            detail(o, l)
        );
    }
    if skipped > 0 {
        let _ = write!(
            s,
            "<tr><td colspan=5 class=small>{skipped} {}</td></tr>",
            esc(msg(l, M::TestsNotRunStepFailedSeeJson))
        );
    }
    s.push_str("</tbody></table>");
}

/// The whole page.
pub fn render_html(r: &Report, l: Lang) -> String {
    let mut s = String::with_capacity(32 * 1024);
    let title = format!(
        "preflight — {} — {}",
        i18n::verdict(r.verdict, l),
        r.started_at
    );
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang={}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body><main>",
        l.code(),
        esc(&title)
    );
    let _ = write!(s, "<h1>{}</h1>", esc(msg(l, M::CanThisRoomS)));
    let mut venue = vec![esc(&i18n::local_time(&r.started_at, l))];
    if let Some(v) = &r.venue.label {
        venue.push(esc(v));
    }
    if let Some(k) = &r.venue.kind {
        venue.push(esc(i18n::kind(k, l)));
    }
    if let Some(u) = &r.venue.uai {
        venue.push(format!("UAI {}", esc(u)));
    } else if let Some(d) = &r.venue.department {
        venue.push(format!("{} {}", msg(l, M::Department), esc(d)));
    }
    let _ = write!(
        s,
        "<p class=meta>{} — preflight {}{}</p>",
        venue.join(" — "),
        esc(&r.tool.version),
        if r.partial {
            msg(l, M::BInterruptedPartialReport)
        } else {
            ""
        }
    );
    // First the verdict and what to do.
    let _ = write!(
        s,
        "<section class=\"banner {} overall\" id=verdict><span class=v>{} {}</span><p><b>{}</b></p></section>",
        class(r.verdict),
        symbol(r.verdict),
        esc(i18n::verdict(r.verdict, l)),
        esc(&i18n::action(r, l))
    );
    for p in &r.platforms {
        if r.network.finding.is_some() {
            // The network is the matter: one line per platform.
            let _ = write!(
                s,
                "<p class=small id=\"platform-{}\">{} <b>{}</b> — {}</p>",
                esc(&p.id),
                symbol(p.verdict),
                esc(&p.name),
                esc(&p.summary)
            );
            continue;
        }
        let _ = write!(
            s,
            "<section class=\"banner {}\" id=\"platform-{}\"><span class=v>{} {}</span> — <b>{}</b><p>{}</p>",
            class(p.verdict),
            esc(&p.id),
            symbol(p.verdict),
            esc(i18n::verdict(p.verdict, l)),
            esc(&p.name),
            esc(&p.summary)
        );
        if p.reasons.len() > 1 {
            s.push_str("<ul>");
            for reason in &p.reasons[1..] {
                let _ = write!(s, "<li>{}</li>", esc(reason));
            }
            s.push_str("</ul>");
        }
        s.push_str("</section>");
    }
    for n in &r.notes {
        let _ = write!(s, "<p class=small>ℹ {}</p>", esc(n));
    }

    if let Some(sup) = &r.support {
        let _ = write!(
            s,
            "<h2>{}</h2><div class=box><p><b>{}</b></p>",
            msg(l, M::WhomToContact),
            esc(&sup.desk)
        );
        if let Some(c) = &sup.contact {
            let _ = write!(s, "<p>{}</p>", esc(c));
        }
        let _ = write!(s, "<p class=small>{}</p>", esc(&sup.why));
        if let Some(t) = &sup.ticket {
            let _ = write!(
                s,
                "<h3>{}</h3><pre class=ticket id=ticket>{}</pre><button id=copy type=button onclick=\"copyTicket()\" data-done=\"{}\">{}</button>",
                msg(l, M::TicketReadyToSend),
                esc(t),
                esc(msg(l, M::Copied)),
                esc(msg(l, M::CopyTheTicket))
            );
        }
        s.push_str("</div>");
    }

    if r.firewall.family != "none"
        && (r.firewall.family != "unknown" || !r.firewall.evidence.is_empty())
    {
        let _ = write!(
            s,
            "<h2>{}</h2><p><b>{}</b> ({} {:.0} %)</p><ul>",
            msg(l, M::LikelyFirewallTitle),
            esc(&i18n::firewall(&r.firewall, l)),
            msg(l, M::Confidence),
            r.firewall.confidence * 100.0
        );
        for e in &r.firewall.evidence {
            let _ = write!(s, "<li>{}</li>", esc(e));
        }
        s.push_str("</ul>");
    }

    bandwidth(&mut s, r, l);

    let _ = write!(s, "<h2>{}</h2>", msg(l, M::EveryTest));
    for p in &r.platforms {
        let _ = write!(
            s,
            "<h3>{} <span class=\"{}\">{} {}</span></h3>",
            esc(&p.name),
            match p.verdict {
                Verdict::Ready => "s-ok",
                Verdict::Degraded => "s-warn",
                Verdict::Blocked => "s-fail",
                Verdict::Incomplete => "s-skipped",
            },
            symbol(p.verdict),
            esc(i18n::verdict(p.verdict, l))
        );
        probe_table(&mut s, &p.probes, l);
    }
    let quality: Vec<&Outcome> = r
        .network
        .probes
        .iter()
        .filter(|o| o.kind != ProbeKind::Bandwidth)
        .collect();
    let _ = write!(s, "<h3>{}</h3><p class=small>", msg(l, M::Network));
    if let Some(v) = &r.network.resolver {
        let _ = write!(s, "DNS{}{}<br>", msg(l, M::Colon), esc(v));
    }
    let _ = write!(
        s,
        "proxy{}{}",
        msg(l, M::Colon),
        esc(r
            .network
            .proxy
            .as_deref()
            .unwrap_or(msg(l, M::NoneDirectAccess)))
    );
    if let Some(v) = &r.network.public_ip {
        let _ = write!(
            s,
            "<br>{}{}{}",
            msg(l, M::PublicAddress),
            msg(l, M::Colon),
            esc(v)
        );
    }
    s.push_str("</p>");
    if !quality.is_empty() {
        let owned: Vec<Outcome> = quality.into_iter().cloned().collect();
        probe_table(&mut s, &owned, l);
    }
    let _ = writeln!(
        s,
        "<p class=small>{} {} ({} {}, {} s).</p></main><script>{COPY_JS}</script></body></html>",
        msg(l, M::OverallVerdict),
        esc(i18n::verdict(r.verdict, l)),
        msg(l, M::ExitCode),
        r.exit_code(),
        l.dec(r.duration_ms as f64 / 1000.0, 1)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stun_answer_shows_the_address_the_server_saw() {
        let mut o = Outcome::new(
            crate::model::ProbeKind::Stun,
            "stun:s.example:3478",
            Some(crate::model::Transport::Udp),
        );
        o.facts.mapped = Some("198.51.100.7:40000".parse().unwrap());
        assert!(detail(&o, Lang::Fr).contains("adresse vue : 198.51.100.7:40000"));
        assert!(detail(&o, Lang::En).contains("mapped address: 198.51.100.7:40000"));
    }

    #[test]
    fn escapes_what_servers_choose() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn chart_scales_to_the_largest_value() {
        let svg = upload_chart(
            &[(0.0, 0.0), (250.0, 4000.0), (500.0, 8000.0)],
            &[],
            Some(2000.0),
            Lang::En,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("polyline"));
        assert!(svg.contains("needed"));
        // The top label is 15 % above the largest sample (8 Mbit/s -> 9.2).
        assert!(svg.contains(">9.2<"), "{svg}");
        assert!(!svg.contains("<circle"), "no latency, no dots");
    }

    #[test]
    fn chart_draws_latency_under_load_on_its_own_scale() {
        let svg = upload_chart(
            &[(0.0, 0.0), (500.0, 8000.0)],
            &[(250.0, 20.0), (500.0, 80.0)],
            None,
            Lang::Fr,
        );
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        // 80 ms is the largest sample: the right scale tops at 92 ms.
        assert!(svg.contains(">92 ms<"), "{svg}");
        assert!(svg.contains("latence pendant l&#39;envoi"), "{svg}");
    }
}
