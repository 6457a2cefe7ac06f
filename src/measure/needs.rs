//! What the speaker's (or an attendee's) stream needs from the upload, from a profile's
//! bitrates, and whether the measured upload fits: a pure function, tested without sockets.
//!
//! Overhead: each audio packet (50 per second, `ptime 20`) carries about 50 bytes of IP, UDP,
//! RTP and SRTP headers, 20 kbit/s; video and screen packets are large, about 5 % more.
//! Headroom: the stream fits when it takes at most 75 % of the upload (Vonage's network test
//! keeps the same margin), is tight up to 100 %, and is insufficient beyond.
//! (These are protocol and method figures, the same for every platform; what each platform
//! sends, and the webcam qualities a speaker steps down to, are its profile's `[needs]`.)

use crate::model::Verdict;
use crate::options::Participant;
use crate::profile::Needs;

pub const AUDIO_OVERHEAD_KBPS: f64 = 20.0;
pub const VIDEO_OVERHEAD: f64 = 1.05;
pub const HEADROOM: f64 = 0.75;

/// One way of speaking, from the fullest to the leanest.
#[derive(Debug, Clone, PartialEq)]
pub struct Way {
    pub kind: WayKind,
    pub kbps: f64,
}

/// What a way of speaking sends (`report::needs` words it).
#[derive(Debug, Clone, PartialEq)]
pub enum WayKind {
    /// Microphone, the default webcam quality and screen sharing.
    Full { webcam: String },
    /// Microphone and screen sharing, camera off.
    ScreenCameraOff,
    /// Microphone and a webcam quality, no screen sharing.
    Webcam { quality: String },
    /// The speaker's microphone alone.
    Microphone,
    /// An attendee's microphone.
    AttendeeMicrophone,
}

/// What the measured upload allows, as the advice will say it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reading {
    /// The full stream fits with headroom.
    Fits,
    /// The full stream takes more than the headroom: plan for `plan`.
    Tight { plan: Way },
    /// The full stream does not fit: plan for `plan`.
    Short { plan: Way },
    /// Even the leanest way takes nearly all the upload.
    VeryTight { leanest: f64 },
    /// Not even the microphone fits.
    NotEvenAudio { leanest: f64 },
    /// Published presenter totals (minimum `lo`, recommended `hi`), no per-stream figures.
    Totals { lo: f64, hi: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The full stream for the role, with overhead.
    pub needed_kbps: f64,
    /// `fits`, `tight` or `insufficient` (for the full stream).
    pub fits: &'static str,
    /// The fullest option that fits with headroom (None: not even audio).
    pub best: Option<Way>,
    pub level: Verdict,
    /// The full stream (None for published totals), the upload, and what they allow.
    pub full: Option<Way>,
    pub upload_kbps: f64,
    pub reading: Reading,
    /// The role's media stream over UDP: the speaker's microphone and default webcam (an
    /// attendee's microphone), with overhead: what the UDP test at media rate stands for.
    pub media_kbps: f64,
    /// The speaker's microphone with each webcam quality, fullest first (empty for attendees).
    pub webcams: Vec<(String, f64)>,
}

fn audio(n: &Needs, role: Participant) -> f64 {
    let a = match role {
        Participant::Speaker => n.audio,
        Participant::Attendee => n.attendee,
    };
    a + AUDIO_OVERHEAD_KBPS
}

/// The ways to speak, fullest first, with their needs (overhead included).
pub fn options(n: &Needs, role: Participant) -> Vec<Way> {
    let a = audio(n, role);
    if role == Participant::Attendee {
        return vec![Way {
            kind: WayKind::AttendeeMicrophone,
            kbps: a.round(),
        }];
    }
    let cam = |q: &str| n.webcam.get(q).copied();
    let v = |x: f64| x * VIDEO_OVERHEAD;
    let mut out = Vec::new();
    let def = n.webcam_default.as_str();
    if let Some(c) = cam(def) {
        out.push(Way {
            kind: WayKind::Full {
                webcam: def.to_string(),
            },
            kbps: (a + v(c + n.screen)).round(),
        });
    }
    out.push(Way {
        kind: WayKind::ScreenCameraOff,
        kbps: (a + v(n.screen)).round(),
    });
    if let Some(c) = cam(def) {
        out.push(Way {
            kind: WayKind::Webcam {
                quality: def.to_string(),
            },
            kbps: (a + v(c)).round(),
        });
    }
    // The webcam qualities the profile steps down to (`webcam_fallbacks`).
    for q in &n.webcam_fallbacks {
        if let Some(c) = cam(q) {
            out.push(Way {
                kind: WayKind::Webcam { quality: q.clone() },
                kbps: (a + v(c)).round(),
            });
        }
    }
    out.push(Way {
        kind: WayKind::Microphone,
        kbps: a.round(),
    });
    out
}

/// A platform that publishes only a presenter's whole upload (minimum, recommended), no
/// per-stream figures: the upload is judged against those totals, as published, without
/// inventing a split between webcam and screen. Above the recommended figure it fits; between
/// the two it is enough (tight); below the minimum it is not (degraded, never blocked: the
/// figures are guidance, not a measured stream).
fn judge_totals(n: &Needs, lo: f64, hi: f64, upload_kbps: f64) -> Fit {
    let (fits, level) = if upload_kbps >= hi {
        ("fits", Verdict::Ready)
    } else if upload_kbps >= lo {
        ("tight", Verdict::Ready)
    } else {
        ("insufficient", Verdict::Degraded)
    };
    Fit {
        needed_kbps: lo,
        fits,
        best: None,
        level,
        full: None,
        upload_kbps,
        reading: Reading::Totals { lo, hi },
        media_kbps: media_kbps(n, Participant::Speaker),
        webcams: webcams(n, Participant::Speaker),
    }
}

/// The role's media stream alone (see [`Fit::media_kbps`]).
pub fn media_kbps(n: &Needs, role: Participant) -> f64 {
    let a = audio(n, role);
    match (role, n.webcam.get(&n.webcam_default)) {
        (Participant::Speaker, Some(c)) => (a + c * VIDEO_OVERHEAD).round(),
        _ => a.round(),
    }
}

/// The speaker's microphone with each webcam quality, fullest first.
fn webcams(n: &Needs, role: Participant) -> Vec<(String, f64)> {
    if role == Participant::Attendee {
        return vec![];
    }
    let a = audio(n, role);
    let mut v: Vec<(String, f64)> = n
        .webcam
        .iter()
        .map(|(q, c)| (q.clone(), (a + c * VIDEO_OVERHEAD).round()))
        .collect();
    v.sort_by(|x, y| y.1.total_cmp(&x.1));
    v
}

/// Judge the measured upload against the role's stream.
pub fn judge(n: &Needs, role: Participant, upload_kbps: f64) -> Fit {
    if let (Some((lo, hi)), Participant::Speaker) = (n.presenter_total, role) {
        return judge_totals(n, lo, hi, upload_kbps);
    }
    let opts = options(n, role);
    let full = opts[0].clone();
    let best = opts
        .iter()
        .find(|o| o.kbps <= upload_kbps * HEADROOM)
        .cloned();
    let fits = if full.kbps <= upload_kbps * HEADROOM {
        "fits"
    } else if full.kbps <= upload_kbps {
        "tight"
    } else {
        "insufficient"
    };
    let leanest = opts.last().map(|o| o.kbps).unwrap_or(0.0);
    let (level, reading) = match (fits, &best) {
        ("fits", _) => (Verdict::Ready, Reading::Fits),
        ("tight", Some(b)) if b != &full => (Verdict::Degraded, Reading::Tight { plan: b.clone() }),
        (_, Some(b)) => (Verdict::Degraded, Reading::Short { plan: b.clone() }),
        (_, None) if leanest <= upload_kbps => (Verdict::Degraded, Reading::VeryTight { leanest }),
        (_, None) => (Verdict::Blocked, Reading::NotEvenAudio { leanest }),
    };
    Fit {
        needed_kbps: full.kbps,
        fits,
        best,
        level,
        full: Some(full),
        upload_kbps,
        reading,
        media_kbps: media_kbps(n, role),
        webcams: webcams(n, role),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// BigBlueButton's defaults, as `profiles/bbb.toml` has them.
    pub fn bbb() -> Needs {
        Needs {
            audio: 30.0,
            webcam: [
                ("low".to_string(), 100.0),
                ("medium".into(), 200.0),
                ("high".into(), 500.0),
                ("hd".into(), 800.0),
            ]
            .into_iter()
            .collect(),
            webcam_default: "medium".into(),
            webcam_fallbacks: vec!["low".into()],
            screen: 1500.0,
            attendee: 30.0,
            presenter_total: None,
            source: String::new(),
        }
    }

    /// A platform that publishes only a presenter's totals (Livestorm's guidance).
    pub fn livestorm() -> Needs {
        Needs {
            audio: 0.0,
            webcam: Default::default(),
            webcam_default: String::new(),
            webcam_fallbacks: vec![],
            screen: 0.0,
            attendee: 0.0,
            presenter_total: Some((5000.0, 15000.0)),
            source: "guidance".into(),
        }
    }

    #[test]
    fn published_totals_are_judged_as_published() {
        let livestorm = livestorm();
        let f = judge(&livestorm, Participant::Speaker, 20_000.0);
        assert_eq!((f.fits, f.level), ("fits", Verdict::Ready));
        let f = judge(&livestorm, Participant::Speaker, 8_000.0);
        assert_eq!((f.fits, f.level), ("tight", Verdict::Ready));
        assert_eq!(
            f.reading,
            Reading::Totals {
                lo: 5000.0,
                hi: 15000.0
            }
        );
        let f = judge(&livestorm, Participant::Speaker, 1_500.0);
        assert_eq!(
            (f.fits, f.level, f.needed_kbps),
            ("insufficient", Verdict::Degraded, 5000.0)
        );
        // An attendee is judged on what attendees need, not the presenter's totals.
        let f = judge(&livestorm, Participant::Attendee, 100.0);
        assert_eq!(f.fits, "fits");
    }

    #[test]
    fn speaker_ladder() {
        let o = options(&bbb(), Participant::Speaker);
        // 30 + 20 + 1.05 × 1700 = 1835.
        assert_eq!(o[0].kbps, 1835.0);
        assert_eq!(o.last().unwrap().kbps, 50.0);
        assert!(o.windows(2).all(|w| w[0].kbps >= w[1].kbps), "{o:?}");
    }

    #[test]
    fn fits_tight_insufficient() {
        let n = bbb();
        let f = judge(&n, Participant::Speaker, 10_000.0);
        assert_eq!((f.fits, f.level), ("fits", Verdict::Ready));
        let f = judge(&n, Participant::Speaker, 2_300.0);
        assert_eq!((f.fits, f.level), ("tight", Verdict::Degraded));
        assert!(
            matches!(&f.reading, Reading::Tight { plan } if plan.kind == WayKind::ScreenCameraOff),
            "{:?}",
            f.reading
        );
        let f = judge(&n, Participant::Speaker, 1_000.0);
        assert_eq!((f.fits, f.level), ("insufficient", Verdict::Degraded));
        assert!(
            matches!(&f.reading, Reading::Short { plan } if matches!(plan.kind, WayKind::Webcam { .. })),
            "{:?}",
            f.reading
        );
        let f = judge(&n, Participant::Speaker, 60.0);
        assert_eq!(f.level, Verdict::Degraded, "{:?}", f.reading);
        let f = judge(&n, Participant::Speaker, 40.0);
        assert_eq!(f.level, Verdict::Blocked, "{:?}", f.reading);
        // An attendee needs only the microphone.
        let f = judge(&n, Participant::Attendee, 100.0);
        assert_eq!((f.needed_kbps, f.fits), (50.0, "fits"));
        assert_eq!((f.media_kbps, f.webcams.len()), (50.0, 0));
    }

    #[test]
    fn media_rate_is_microphone_and_default_webcam() {
        // 30 + 20 + 1.05 × 200 = 260.
        assert_eq!(media_kbps(&bbb(), Participant::Speaker), 260.0);
        let f = judge(&bbb(), Participant::Speaker, 10_000.0);
        assert_eq!(f.media_kbps, 260.0);
        let q: Vec<&str> = f.webcams.iter().map(|w| w.0.as_str()).collect();
        assert_eq!(q, ["hd", "high", "medium", "low"]);
        assert_eq!(f.webcams[3].1, 155.0);
    }
}
