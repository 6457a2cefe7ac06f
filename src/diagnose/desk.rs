//! Whom to call: a pure function of the venue and the identified firewall, with the desks of
//! `profiles/desks.toml`. The choice is typed; `report::ticket` words it.

pub use crate::profile::desks::{Desk, Desks};

fn applies(d: &Desk, department: Option<&str>, kind: Option<&str>, family: &str) -> bool {
    (d.departments.is_empty() || department.is_some_and(|x| d.departments.iter().any(|y| y == x)))
        && (d.kinds.is_empty() || kind.is_some_and(|x| d.kinds.iter().any(|y| y == x)))
        && d.firewall.as_deref().is_none_or(|f| f == family)
}

/// The desk chosen for a venue and the firewall family the network shows.
#[derive(Debug, Clone)]
pub struct DeskChoice<'a> {
    pub desk: &'a Desk,
    /// The venue implies this family, but the network shows `observed`: both are to be reported.
    pub contradiction: Option<(String, String)>,
    /// Neither the department nor the kind of school was given: the routing is a guess.
    pub venue_unspecified: bool,
}

/// Choose the desk: the venue's own desk first, then the desk of the firewall the network
/// shows, then the last desk of the file (the local referent).
pub fn choose<'a>(
    desks: &'a Desks,
    department: Option<&str>,
    kind: Option<&str>,
    family: &str,
) -> DeskChoice<'a> {
    let by_venue = desks.desk.iter().find(|d| {
        d.firewall.is_none()
            && applies(d, department, kind, family)
            && !(d.departments.is_empty() && d.kinds.is_empty())
    });
    let by_network = desks
        .desk
        .iter()
        .find(|d| d.firewall.is_some() && applies(d, department, kind, family));
    let observed_known = !matches!(family, "unknown" | "none");
    let (desk, contradiction) = match (by_venue, by_network) {
        (Some(v), _) => {
            let contradiction = v
                .firewall_expected
                .as_ref()
                .filter(|exp| observed_known && exp.as_str() != family)
                .map(|exp| (exp.clone(), family.to_string()));
            (v, contradiction)
        }
        (None, Some(n)) => (n, None),
        (None, None) => (
            desks.desk.last().expect("desks.toml has at least one desk"),
            None,
        ),
    };
    DeskChoice {
        desk,
        contradiction,
        venue_unspecified: department.is_none() && kind.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_desks_name_are_the_ones_kind_takes() {
        use crate::cli::Kind;
        let kinds = [Kind::Ecole, Kind::College, Kind::Lycee, Kind::Other].map(Kind::as_str);
        assert_eq!(kinds, crate::profile::desks::KINDS);
    }

    #[test]
    fn routing_table_of_the_seed() {
        let d = Desks::bundled().unwrap();
        let desk = |dep, kind, fam| choose(&d, dep, kind, fam).desk.name.clone();
        assert!(desk(Some("78"), Some("college"), "unknown").contains("CARIINA"));
        assert!(desk(Some("91"), Some("college"), "unknown").contains("CARIINA"));
        assert!(desk(Some("95"), Some("lycee"), "unknown").contains("CARIINA"));
        assert!(desk(Some("92"), Some("lycee"), "unknown").contains("CARIINA"));
        assert!(desk(Some("92"), Some("college"), "unknown").contains("Guichet unique ENC"));
        assert!(desk(Some("78"), Some("ecole"), "unknown").contains("Mairie"));
        assert!(desk(None, None, "amon").contains("CARIINA"));
        assert!(desk(None, None, "unknown").contains("Référent"));
        assert!(desk(Some("75"), Some("college"), "unknown").contains("Référent"));
    }

    #[test]
    fn a_venue_that_implies_another_firewall_is_a_contradiction() {
        let d = Desks::bundled().unwrap();
        let c = choose(&d, Some("92"), Some("college"), "amon");
        assert!(c.desk.name.contains("Guichet unique ENC"));
        assert_eq!(c.contradiction, Some(("rge".into(), "amon".into())));
        assert!(!c.venue_unspecified);
        // The family the venue implies, or none identified: nothing to say.
        assert_eq!(
            choose(&d, Some("92"), Some("college"), "rge").contradiction,
            None
        );
        assert_eq!(
            choose(&d, Some("92"), Some("college"), "unknown").contradiction,
            None
        );
        assert!(choose(&d, None, None, "unknown").venue_unspecified);
    }
}
