#!/usr/bin/env bash
# Replay issue 13's attacks against the release binary and print what held (loopback only;
# prlimit from util-linux, python3). Takes about a minute after the build.
#   bash benches/attacks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
exec python3 benches/attacks.py target/release/preflight
