//! Everything preflight knows, loaded in one place: the platform profiles, the firewall
//! fingerprints, the support desks and the network facts. Built in (`profiles/*.toml`, compiled
//! into the binary), then a `--profiles-dir` whose files override or add, then `--profile` files.
//!
//! In a profiles directory, `firewalls.toml` adds families or replaces them by `id` (its
//! `[confidence]` is optional), `desks.toml` adds desks (consulted before the built-in ones) or
//! replaces them by `id`, `network.toml` replaces the parts of the network facts it gives
//! (`control`, `[quality]`), and every other `*.toml` is
//! a platform profile that adds a platform or replaces one by `id`. Each file is validated with
//! file, line and field.

use super::desks::{Desk, Desks};
use super::firewalls::{Fingerprints, FingerprintsFile};
use super::network::{NetworkFacts, NetworkFile};
use super::{BUNDLED, Profile, ProfileError, load_file, parse};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Library {
    pub platforms: Vec<Profile>,
    pub fingerprints: Fingerprints,
    pub desks: Desks,
    pub network: NetworkFacts,
}

fn file_error(path: &Path, message: String) -> ProfileError {
    ProfileError {
        file: path.display().to_string(),
        line: 0,
        column: 0,
        field: "(file)".into(),
        message,
    }
}

fn read(path: &Path) -> Result<String, ProfileError> {
    std::fs::read_to_string(path)
        .map_err(|e| file_error(path, format!("cannot read the file: {e}")))
}

/// Replace by `id`, or add (`front`: before what is there, so it is consulted first).
fn upsert<T>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> &str, front: bool) {
    match list.iter().position(|x| id(x) == id(&item)) {
        Some(i) => list[i] = item,
        None if front => list.insert(0, item),
        None => list.push(item),
    }
}

impl Library {
    /// What is built into the binary.
    pub fn bundled() -> Result<Library, ProfileError> {
        Ok(Library {
            platforms: BUNDLED
                .iter()
                .map(|(file, text)| parse(file, text))
                .collect::<Result<_, _>>()?,
            fingerprints: Fingerprints::bundled()?,
            desks: Desks::bundled()?,
            network: NetworkFacts::bundled()?,
        })
    }

    /// Built in, then `dir`'s files (in name order), then `files` (platform profiles).
    pub fn load(dir: Option<&Path>, files: &[PathBuf]) -> Result<Library, ProfileError> {
        let mut lib = Library::bundled()?;
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| file_error(dir, format!("cannot read the profiles directory: {e}")))?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
                .collect();
            paths.sort();
            if paths.is_empty() {
                return Err(file_error(
                    dir,
                    "the profiles directory has no .toml file".into(),
                ));
            }
            for path in &paths {
                lib.add_file(path)?;
            }
        }
        for path in files {
            lib.add_platform(load_file(path)?);
        }
        let families: Vec<&str> = lib
            .fingerprints
            .family
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        lib.desks.check(&families)?;
        Ok(lib)
    }

    fn add_platform(&mut self, p: Profile) {
        upsert(&mut self.platforms, p, |p| &p.id, false);
    }

    fn add_file(&mut self, path: &Path) -> Result<(), ProfileError> {
        let name = path.display().to_string();
        match path.file_name().and_then(|n| n.to_str()) {
            Some("firewalls.toml") => {
                let extra = FingerprintsFile::parse(&name, &read(path)?)?;
                if let Some(c) = extra.confidence {
                    self.fingerprints.confidence = c;
                }
                for f in extra.family {
                    upsert(&mut self.fingerprints.family, f, |f| &f.id, false);
                }
            }
            Some("desks.toml") => {
                let extra = Desks::parse(&name, &read(path)?)?;
                // In file order, each before the built-in ones.
                for d in extra.desk.into_iter().rev() {
                    upsert(&mut self.desks.desk, d, |d: &Desk| &d.id, true);
                }
            }
            Some("network.toml") => self
                .network
                .update(NetworkFile::parse(&name, &read(path)?)?),
            _ => self.add_platform(load_file(path)?),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::firewalls::Family;

    fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(d.path().join(name), text).unwrap();
        }
        d
    }

    #[test]
    fn a_directory_adds_and_overrides_desks_firewalls_and_platforms() {
        let bundled = Library::bundled().unwrap();
        let d = dir(&[
            (
                "desks.toml",
                "[[desk]]\nid = \"mairie-x\"\nname = \"Mairie de X, service informatique\"\ndepartments = [\"78\"]\nkinds = [\"ecole\"]\nwhy_fr = \"La mairie gère le réseau.\"\nwhy_en = \"The town runs the network.\"\n",
            ),
            (
                "firewalls.toml",
                "[[family]]\nid = \"stormshield\"\nname = \"Stormshield (local)\"\n[[family.sign]]\nin = \"title\"\ncontains = \"Bloqué par X\"\nweight = 0.7\n",
            ),
            ("network.toml", "control = [\"192.0.2.1:443\"]\n"),
        ]);
        let lib = Library::load(Some(d.path()), &[]).unwrap();
        assert_eq!(lib.desks.desk[0].id, "mairie-x");
        assert_eq!(lib.desks.desk.len(), bundled.desks.desk.len() + 1);
        let storm: Vec<&Family> = lib
            .fingerprints
            .family
            .iter()
            .filter(|f| f.id == "stormshield")
            .collect();
        assert_eq!(storm.len(), 1, "replaced by id, not added");
        assert_eq!(storm[0].name, "Stormshield (local)");
        assert_eq!(lib.network.control, ["192.0.2.1:443".parse().unwrap()]);
        // The confidence thresholds were not given: the built-in ones stay.
        assert_eq!(
            lib.fingerprints.confidence.claim,
            bundled.fingerprints.confidence.claim
        );
        assert_eq!(lib.platforms.len(), bundled.platforms.len());
    }

    #[test]
    fn a_bad_file_in_the_directory_names_its_file_line_and_field() {
        let d = dir(&[(
            "desks.toml",
            "[[desk]]\nid = \"x\"\nname = \"X\"\nwhy_fr = \"a\"\nwhy_en = \"b\"\nphone = 3\n",
        )]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert!(e.file.ends_with("desks.toml"), "{e}");
        assert_eq!(e.line, 6, "{e}");
        assert!(e.to_string().contains("phone"), "{e}");
        let empty = tempfile::tempdir().unwrap();
        let e = Library::load(Some(empty.path()), &[]).unwrap_err();
        assert!(e.message.contains("no .toml"), "{e}");
        let e = Library::load(Some(&empty.path().join("missing")), &[]).unwrap_err();
        assert!(e.message.contains("cannot read"), "{e}");
    }

    #[test]
    fn desks_are_checked_against_the_venues_and_the_fingerprints() {
        let desk = |extra: &str| {
            format!(
                "# a town\n[[desk]]\nid = \"ok\"\nname = \"OK\"\nwhy_fr = \"a\"\nwhy_en = \"b\"\n\n[[desk]]\nid = \"x\"\nname = \"X\"\nwhy_fr = \"a\"\nwhy_en = \"b\"\n{extra}"
            )
        };
        for (extra, field, words) in [
            ("kinds = [\"collège\"]\n", "desk[1].kinds", "collège"),
            ("departments = [\"9\"]\n", "desk[1].departments", "`9`"),
            ("firewall = \"amon2\"\n", "desk[1].firewall", "amon2"),
        ] {
            let d = dir(&[("desks.toml", &desk(extra))]);
            let e = Library::load(Some(d.path()), &[]).unwrap_err();
            assert!(e.file.ends_with("desks.toml"), "{e}");
            assert_eq!((e.field.as_str(), e.line), (field, 8), "{e}");
            assert!(e.message.contains(words), "{e}");
        }
        // A family the same directory adds is known.
        let d = dir(&[
            ("desks.toml", &desk("firewall = \"filtre-x\"\n")),
            (
                "firewalls.toml",
                "[[family]]\nid = \"filtre-x\"\nname = \"X\"\n[[family.sign]]\nin = \"title\"\ncontains = \"x\"\nweight = 0.5\n",
            ),
        ]);
        assert_eq!(
            Library::load(Some(d.path()), &[]).unwrap().desks.desk[1].id,
            "x"
        );
        // The desk left when no other applies cannot be given a condition.
        let d = dir(&[(
            "desks.toml",
            "[[desk]]\nid = \"referent\"\nname = \"R\"\nkinds = [\"lycee\"]\nwhy_fr = \"a\"\nwhy_en = \"b\"\n",
        )]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert!(e.message.contains("last desk"), "{e}");
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn path_quality_levels_are_data_and_checked() {
        let bundled = Library::bundled().unwrap();
        let q = bundled.network.quality;
        assert_eq!(
            (q.good_loss_pct, q.good_jitter_ms, q.good_rtt_ms),
            (1.0, 30.0, 100.0)
        );
        assert_eq!((q.critical_loss_pct, q.critical_rtt_ms), (20.0, 2000.0));
        assert!(bundled.platforms.iter().all(|p| p.quality.is_none()));
        let levels = "good_loss_pct = 2\ngood_jitter_ms = 40\ngood_rtt_ms = 150\ncritical_loss_pct = 10\ncritical_rtt_ms = 1000\n";
        // network.toml replaces the part it gives: the control addresses stay.
        let d = dir(&[("network.toml", &format!("[quality]\n{levels}"))]);
        let lib = Library::load(Some(d.path()), &[]).unwrap();
        assert_eq!(lib.network.quality.good_rtt_ms, 150.0);
        assert_eq!(lib.network.control, bundled.network.control);
        // A platform's own levels.
        let own = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/profiles/livestorm.toml"
        ))
        .unwrap()
            + "\n[quality]\n"
            + levels;
        let d = dir(&[("livestorm.toml", &own)]);
        let lib = Library::load(Some(d.path()), &[]).unwrap();
        let ls = lib.platforms.iter().find(|p| p.id == "livestorm").unwrap();
        assert_eq!(ls.quality.unwrap().critical_loss_pct, 10.0);
        // Bad values: file, line, field.
        let bad = format!(
            "control = [\"192.0.2.1:443\"]\n[quality]\n{}",
            levels.replace("good_rtt_ms = 150", "good_rtt_ms = 1500")
        );
        let d = dir(&[("network.toml", &bad)]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert!(e.file.ends_with("network.toml"), "{e}");
        assert_eq!(
            (e.field.as_str(), e.line),
            ("quality.good_rtt_ms", 5),
            "{e}"
        );
        let bad = own.replace("good_loss_pct = 2", "good_loss_pct = -2");
        let d = dir(&[("livestorm.toml", &bad)]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert!(e.file.ends_with("livestorm.toml"), "{e}");
        assert_eq!(e.field, "quality.good_loss_pct", "{e}");
        assert_eq!(
            e.line,
            bad.lines()
                .position(|l| l.starts_with("good_loss_pct"))
                .unwrap()
                + 1
        );
        let d = dir(&[("network.toml", "[quality]\ngood_loss_pct = 1\n")]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert!(e.message.contains("missing field"), "{e}");
    }

    #[test]
    fn the_speaking_ladders_webcam_steps_are_data_and_checked() {
        use crate::measure::needs::{WayKind, options};
        use crate::options::Participant;
        let steps = |lib: &Library| -> Vec<String> {
            let bbb = lib.platforms.iter().find(|p| p.id == "bbb").unwrap();
            options(&bbb.needs, Participant::Speaker)
                .into_iter()
                .filter_map(|w| match w.kind {
                    WayKind::Webcam { quality } => Some(quality),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(steps(&Library::bundled().unwrap()), ["medium", "low"]);
        let bbb =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/bbb.toml"))
                .unwrap();
        let with = |fallbacks: &str| {
            let text = bbb.replace("webcam_fallbacks = [\"low\"]", fallbacks);
            let d = dir(&[("bbb.toml", &text)]);
            (Library::load(Some(d.path()), &[]), text)
        };
        let (lib, _) = with("webcam_fallbacks = []");
        assert_eq!(steps(&lib.unwrap()), ["medium"]);
        // Not said: the lowest quality.
        let (lib, _) = with("");
        assert_eq!(steps(&lib.unwrap()), ["medium", "low"]);
        let (e, text) = with("webcam_fallbacks = [\"low\", \"tiny\"]");
        let e = e.unwrap_err();
        assert_eq!(e.field, "needs.webcam_fallbacks", "{e}");
        assert!(e.message.contains("tiny"), "{e}");
        assert_eq!(
            e.line,
            text.lines()
                .position(|l| l.starts_with("webcam_fallbacks"))
                .unwrap()
                + 1
        );
    }

    #[test]
    fn a_filters_test_page_is_data_and_checked() {
        let bundled = Library::bundled().unwrap();
        let e2g: Vec<_> = bundled.fingerprints.tests().collect();
        assert_eq!(e2g.len(), 1);
        assert_eq!(e2g[0].url, "http://internal.test.e2guardian.org/");
        assert_eq!(e2g[0].answer, "e2guardian internal test OK");
        let family = |test: &str| {
            format!(
                "[[family]]\nid = \"x\"\nname = \"X\"\n[[family.sign]]\nin = \"server\"\ncontains = \"x\"\nweight = 0.5\n[[family.test]]\n{test}"
            )
        };
        let good = "product = \"filtre-x\"\nurl = \"http://test.filtre-x.example/\"\nanswer = \"X OK\"\nweight = 0.7\n";
        let d = dir(&[("firewalls.toml", &family(good))]);
        let lib = Library::load(Some(d.path()), &[]).unwrap();
        assert!(lib.fingerprints.tests().any(|t| t.product == "filtre-x"));
        for (bad, field) in [
            (good.replace("http://", "https://"), "family[0].test[0].url"),
            (good.replace("0.7", "1.5"), "family[0].test[0].weight"),
            (good.replace("X OK", " "), "family[0].test[0].answer"),
            (
                good.replace("filtre-x\"", "Filtre X\""),
                "family[0].test[0].product",
            ),
            // A product named like a field the proxy probe writes would overwrite it.
            (
                good.replace("filtre-x\"", "title\""),
                "family[0].test[0].product",
            ),
        ] {
            let d = dir(&[("firewalls.toml", &family(&bad))]);
            let e = Library::load(Some(d.path()), &[]).unwrap_err();
            assert!(e.file.ends_with("firewalls.toml"), "{e}");
            assert_eq!((e.field.as_str(), e.line), (field, 8), "{e}");
        }
        let d = dir(&[("firewalls.toml", &family(good).replace("0.5", "-1"))]);
        let e = Library::load(Some(d.path()), &[]).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.line),
            ("family[0].sign[0].weight", 4),
            "{e}"
        );
    }
}
