//! The receiver's counts, the figure and the stability rule; the two peers' answers parsed.

use super::counts::MAX_COUNTS;
use super::*;

#[test]
fn measurement_prefers_tcpinfo() {
    let both = r#"{"AppInfo":{"ElapsedTime":1000000,"NumBytes":100},"TCPInfo":{"ElapsedTime":1000000,"BytesReceived":120}}"#;
    assert_eq!(
        parse_measurement(both).unwrap(),
        Some(Count {
            elapsed_us: 1_000_000,
            bytes: 120
        })
    );
    let app = r#"{"AppInfo":{"ElapsedTime":250000,"NumBytes":5000},"Origin":"server"}"#;
    assert_eq!(parse_measurement(app).unwrap().unwrap().bytes, 5000);
    assert_eq!(parse_measurement(r#"{"Origin":"server"}"#).unwrap(), None);
    assert!(parse_measurement("not json").is_err());
    assert!(parse_measurement("[1,2]").is_err());
}

fn c(t: u64, b: u64) -> Count {
    Count {
        elapsed_us: t,
        bytes: b,
    }
}

/// Counts every 250 ms of a steady 10 Mbit/s (1.25 MB/s), up to `until` µs.
fn steady(until: u64) -> Vec<Count> {
    (1..=until / 250_000)
        .map(|i| c(i * 250_000, i * 312_500))
        .collect()
}

#[test]
fn rate_and_timeline_from_the_receiver() {
    let up = Upload {
        bytes_sent: 2_000_000,
        counts: steady(1_000_000),
        ..Upload::default()
    };
    // 1.25 MB/s = 10 Mbit/s, whatever was handed to the socket (2 MB).
    assert_eq!(up.kbps(), Some(10_000.0));
    let t = up.timeline();
    assert_eq!(t.len(), 4);
    assert!(t.iter().all(|s| s.kbps == 10_000.0), "{t:?}");
}

#[test]
fn a_lagging_count_or_a_burst_does_not_move_the_figure() {
    let mut counts = steady(4_000_000);
    // After a loss, the count lags half a second behind, then catches up; a shaper's
    // bucket lets 100 kB through early.
    counts[12].bytes -= 625_000;
    counts[13].bytes -= 312_500;
    for x in &mut counts[1..4] {
        x.bytes += 100_000;
    }
    let up = Upload {
        bytes_sent: 6_000_000,
        counts,
        ..Upload::default()
    };
    assert_eq!(up.kbps(), Some(10_000.0));
}

#[test]
fn stable_when_the_last_seconds_are_the_whole() {
    let fill = |v: &[Count]| {
        let mut k = Counts::default();
        k.kept = v.to_vec();
        k
    };
    assert!(fill(&steady(4_000_000)).stable());
    // Not before 4 s of counts.
    assert!(!fill(&steady(3_750_000)).stable());
    // Still ramping up: the average keeps rising.
    let ramp: Vec<Count> = (1..=16u64)
        .map(|i| c(i * 250_000, i * i * 40_000))
        .collect();
    assert!(!fill(&ramp).stable());
    // The rate halved for the last 2 s.
    let mut drop = steady(2_000_000);
    drop.extend((1..=8u64).map(|i| c(2_000_000 + i * 250_000, 2_500_000 + i * 156_250)));
    assert!(!fill(&drop).stable());
}

#[test]
fn counts_are_a_bounded_sample() {
    let start = Instant::now();
    let mut k = Counts::default();
    // A flood: 100 000 counts arriving at once keep two slots.
    for i in 0..100_000u64 {
        k.push(c(i, i), start, Duration::ZERO).unwrap();
    }
    assert_eq!(k.as_slice().len(), 2);
    assert_eq!(k.as_slice()[1], c(99_999, 99_999));
    // Spread out (one every 60 ms for 10 minutes): bounded, in order, the last one kept.
    let mut k = Counts::default();
    for i in 0..10_000u64 {
        let at = Duration::from_millis(60 * i);
        k.push(c(at.as_micros() as u64, i), start + at, at).unwrap();
    }
    let v = k.as_slice();
    assert!(v.len() <= MAX_COUNTS, "{}", v.len());
    assert!(v.windows(2).all(|w| w[0].bytes < w[1].bytes));
    assert_eq!(v.last().unwrap().bytes, 9_999);
}

#[test]
fn counts_that_go_back_or_run_on_another_clock_are_lies() {
    let now = Instant::now();
    let mut k = Counts::default();
    k.push(c(1_000_000, 500), now, Duration::from_secs(1))
        .unwrap();
    assert!(
        k.push(c(1_100_000, 400), now, Duration::from_secs(1))
            .is_err()
    );
    // 20 s by the peer's count after 1 s here; 0.1 s after 20 s here.
    assert!(
        k.push(c(20_000_000, 600), now, Duration::from_secs(1))
            .is_err()
    );
    let mut k = Counts::default();
    assert!(
        k.push(c(100_000, 600), now, Duration::from_secs(20))
            .is_err()
    );
}

#[test]
fn idle_counts_after_the_last_byte_do_not_dilute_the_rate() {
    let up = Upload {
        bytes_sent: 3_000_000,
        counts: vec![
            c(500_000, 625_000),
            c(1_000_000, 1_250_000),
            c(1_250_000, 1_250_000),
            c(1_500_000, 1_250_000),
        ],
        ..Upload::default()
    };
    assert_eq!(up.kbps(), Some(10_000.0));
    assert_eq!(up.timeline().len(), 2);
}

#[test]
fn lying_counts_are_refused() {
    assert!(check_counts(&[c(1, 10), c(2, 20)], 20).is_ok());
    assert!(check_counts(&[c(1, 20), c(2, 10)], 30).is_err());
    assert!(check_counts(&[c(1, 10_000_000)], 1000).is_err());
}

#[test]
fn post_answer() {
    let ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"bytes\":1000,\"elapsed_ms\":8.0}";
    assert_eq!(
        parse_post_answer(ok).unwrap(),
        Count {
            elapsed_us: 8000,
            bytes: 1000
        }
    );
    assert_eq!(
        parse_post_answer(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            .unwrap_err()
            .class,
        ErrorClass::HttpStatus
    );
    assert_eq!(
        parse_post_answer(b"garbage").unwrap_err().class,
        ErrorClass::Malformed
    );
}
