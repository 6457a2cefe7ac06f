#!/usr/bin/env bash
# The Windows build, tested under Wine: cross-builds preflight.exe for x86_64-pc-windows-gnu
# (Debian's mingw-w64 links it), builds the test-only bcryptprimitives.dll beside it (Wine 8
# lacks ProcessPrng, which Rust's standard library calls), then runs tests/windows.rs against
# that folder: version and profiles, a check against the loopback peers, the system proxy read
# from the registry, the double-click started from another folder.
# Needs: rustup target x86_64-pc-windows-gnu, gcc-mingw-w64-x86-64, wine64 (.ci/run installs them).
# The .exe is built with the wintest profile (Cargo.toml): the code scripts/dist.sh ships, compiled
# for less (no LTO, dependencies at opt-level 1), which keeps CI well under its 25 minutes.
# PREFLIGHT_WINDOWS_PROFILE=release tests the release build itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
target=x86_64-pc-windows-gnu
out=$PWD/target/windows
export WINEPREFIX=$PWD/target/wine-prefix WINEDEBUG=-all
wine=${PREFLIGHT_WINE:-/usr/lib/wine/wine64}
wineserver=${PREFLIGHT_WINESERVER:-/usr/lib/wine/wineserver}
# Wine's server outlives the programs it ran: stop this prefix's one, also on failure.
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT

t0=$(date +%s)
profile=${PREFLIGHT_WINDOWS_PROFILE:-wintest}
cargo build --locked --profile "$profile" --target "$target" --bin preflight
t1=$(date +%s)
mkdir -p "$out"
cp "target/$target/$profile/preflight.exe" "$out/"
x86_64-w64-mingw32-gcc -shared -O2 -o "$out/bcryptprimitives.dll" \
  tests/windows/bcryptprimitives.c tests/windows/bcryptprimitives.def -ladvapi32
# The first start creates the prefix (a few seconds); later runs reuse it.
"$wine" "$out/preflight.exe" --version
t2=$(date +%s)
PREFLIGHT_WINDOWS_DIR=$out PREFLIGHT_REQUIRE_WINDOWS=1 cargo test --locked --test windows
t3=$(date +%s)
printf 'windows: build (%s) %ss, shim and Wine prefix %ss, tests under Wine %ss; preflight.exe %s bytes\n' \
  "$profile" $((t1 - t0)) $((t2 - t1)) $((t3 - t2)) "$(stat -c %s "$out/preflight.exe")"
