#!/usr/bin/env bash
# Fuzz the parsers that read what hostile peers and files send (cargo fuzz, nightly toolchain),
# each for a bounded time, one at a time, and print executions and crashes per target.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
#
# Targets (fuzz/fuzz_targets, bodies in fuzz/src/lib.rs): stun_answer (STUN/TURN answers, and
# requests to `serve`), http_head (HTTP answer heads, page titles), pac (PAC/WPAD files), profile
# (--profile files), report (reports given to merge). New inputs go to fuzz/corpus/TARGET (minimise
# before committing: `cargo +nightly fuzz cmin TARGET`); a crash is saved in fuzz/artifacts/TARGET:
# copy it to fuzz/regressions/TARGET/, where `cargo test --test fuzz_corpus` replays it on stable.
# Exit status: 1 when a target crashed, 2 when fuzzing could not run (no nightly or cargo-fuzz).
# FUZZ_TARGET_DIR: where the instrumented build goes (default fuzz/target); CI keeps it outside
# its fresh clone, so that only preflight itself is rebuilt.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
dir=(--target-dir "${FUZZ_TARGET_DIR:-target}")
secs=${1:-60}
shift || true
targets=${*:-stun_answer http_head pac profile report}
if ! cargo +nightly --version >/dev/null 2>&1 || ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain or cargo-fuzz is missing (rustup toolchain install nightly; cargo install cargo-fuzz)"
  exit 2
fi
t0=$(date +%s)
if ! build=$(cargo +nightly fuzz build -O "${dir[@]}" 2>&1); then
  echo "$build" | tail -30
  echo "fuzz: the targets do not build"
  exit 2
fi
echo "fuzz: targets built in $(( $(date +%s) - t0 )) s; ${secs} s per target"
printf '%-12s %8s %12s %8s %8s %8s\n' target seconds executions exec/s corpus crashes
crashed=0
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t"
  before=$(ls "artifacts/$t" | wc -l)
  log=$(mktemp)
  # One process (no -jobs/-workers): the machine has two cores and other work to do.
  cargo +nightly fuzz run -O "${dir[@]}" "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  after=$(ls "artifacts/$t" | wc -l)
  new=$(( after - before ))
  printf '%-12s %8s %12s %8s %8s %8s\n' "$t" "$secs" "${runs:-?}" "${rate:-?}" "$(ls "corpus/$t" | wc -l)" "$new"
  if [ "$rc" -ne 0 ] || [ "$new" -gt 0 ]; then
    crashed=1
    grep -E 'ERROR|panicked|SUMMARY|Test unit written' "$log" | head -10
  fi
  rm -f "$log"
done
exit $crashed
