#!/usr/bin/env bash
# Make docs/report-example.{html,png}: the HTML report of a real run, rendered by Debian's
# headless Chromium. As root: the venue lab's AMON scenario (a collège of the Yvelines behind
# e2guardian, 20 Mbit/s uplink measured through the proxy). Otherwise: a collège of the 92 whose
# filter answers with e2guardian's block page, against the tests' loopback peers.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
  LAB_RESULTS=$PWD/target/report-example bash tests/lab/run.sh amon-block-page >/dev/null
  src=target/report-example/amon-block-page.html
else
  cargo test --locked -q --test reports write_example_report -- --ignored >/dev/null
  src=target/report-example/college-92.html
fi
mkdir -p docs
cp "$src" docs/report-example.html
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --window-size=1000,1400 \
  --screenshot="$PWD/docs/report-example.png" "file://$PWD/docs/report-example.html" 2>/dev/null
printf 'docs/report-example.html: %s bytes\ndocs/report-example.png: %s bytes\n' \
  "$(stat -c %s docs/report-example.html)" "$(stat -c %s docs/report-example.png)"
