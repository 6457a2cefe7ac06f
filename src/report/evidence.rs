//! The firewall section of a report: the diagnosis's identification, worded.

use crate::diagnose::firewall::{ClueKind, Evidence, Identification, Pattern};
use crate::lang::Lang;
use crate::model::Firewall;
use crate::report::messages::{M, msg, words};

fn line(e: &Evidence, l: Lang) -> String {
    let c = match e {
        Evidence::Pattern(Pattern::UdpBlockedToRelays) => {
            return msg(l, M::UDPIsBlockedTowards).to_string();
        }
        Evidence::Pattern(Pattern::Only443ToRelays) => {
            return msg(l, M::TowardsTheMediaRelays).to_string();
        }
        Evidence::Clue(c) => c,
    };
    let what = match c.kind {
        ClueKind::Issuer => msg(l, M::CertificateIssuedBy),
        ClueKind::Title => msg(l, M::PageOpenQuote),
        ClueKind::Server => msg(l, M::HeaderServer),
        ClueKind::Via => msg(l, M::HeaderVia),
        ClueKind::SquidError => "X-Squid-Error:",
        ClueKind::Location => msg(l, M::RedirectTo),
        ClueKind::Proxy => "proxy",
        ClueKind::Sinkhole => msg(l, M::NameDivertedTo),
        ClueKind::Test => {
            return words(l).filter_test_answered(&c.value, &c.seen);
        }
    };
    let close = match c.kind {
        ClueKind::Title => msg(l, M::CloseQuote),
        _ => "",
    };
    let sep = if c.kind == ClueKind::Title { "" } else { " " };
    format!("{what}{sep}{}{close} ({})", c.value, c.seen)
}

/// The report's `firewall` object.
pub fn firewall(id: &Identification, l: Lang) -> Firewall {
    Firewall {
        family: id.family.clone(),
        name: id.name.clone(),
        confidence: id.confidence,
        evidence: id.evidence.iter().map(|e| line(e, l)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::firewall::Clue;

    #[test]
    fn clues_and_patterns_are_worded_in_each_language() {
        let id = Identification {
            family: "amon".into(),
            name: Some("AMON".into()),
            confidence: 0.6,
            evidence: vec![
                Evidence::Clue(Clue {
                    kind: ClueKind::Title,
                    value: "e2guardian - Accès interdit".into(),
                    seen: "https https://h/".into(),
                }),
                Evidence::Pattern(Pattern::Only443ToRelays),
            ],
        };
        let fr = firewall(&id, Lang::Fr);
        assert_eq!(
            fr.evidence,
            [
                "page « e2guardian - Accès interdit » (https https://h/)",
                "vers les relais média, seul le port 443 passe (3478 fermé)"
            ]
        );
        let en = firewall(&id, Lang::En);
        assert_eq!(
            en.evidence[0],
            "page “e2guardian - Accès interdit” (https https://h/)"
        );
        assert_eq!((en.family.as_str(), en.confidence), ("amon", 0.6));
    }

    #[test]
    fn a_filter_answering_its_test_page_is_worded() {
        let test = Evidence::Clue(Clue {
            kind: ClueKind::Test,
            value: "e2guardian".into(),
            seen: "proxy http://internal.test.e2guardian.org/ via p:3128".into(),
        });
        assert_eq!(
            line(&test, Lang::Fr),
            "le proxy répond à la page de test propre à e2guardian (proxy http://internal.test.e2guardian.org/ via p:3128)"
        );
        assert_eq!(
            line(&test, Lang::En),
            "the proxy answers e2guardian's own test page (proxy http://internal.test.e2guardian.org/ via p:3128)"
        );
    }
}
