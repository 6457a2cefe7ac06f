#!/usr/bin/env bash
# Make docs/live-page.png: the live page of `preflight serve --collect` during a small test day
# (three rooms sent with `check --send` against the tests' loopback venues), rendered by Debian's
# headless Chromium from the server itself.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked -q --test collect write_live_page_example -- --ignored >/dev/null
mkdir -p docs
cp target/live-example/live.png docs/live-page.png
printf 'docs/live-page.png: %s bytes\n' "$(stat -c %s docs/live-page.png)"
