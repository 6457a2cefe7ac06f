#!/usr/bin/env bash
# The kit an organiser hands out, in dist/: the Windows and Linux programs, each in an archive
# with preflight.toml (what to test, where, where to send the report) and LISEZMOI.txt, and
# SHA256SUMS over everything. Every speaker unzips the folder and double-clicks the program.
#
#   bash scripts/dist.sh                   # with the commented example preflight.toml
#   bash scripts/dist.sh --config mon.toml # with the organiser's own (try the kit before handing it out)
#
# Needs what .ci/run installs for the Windows build: rustup target x86_64-pc-windows-gnu and
# gcc-mingw-w64-x86-64; python3 makes the zip. The Linux program is built for this machine's
# x86_64 glibc. The test-only bcryptprimitives.dll (tests/windows/) is never put in the kit.
set -euo pipefail
cd "$(dirname "$0")/.."
config=scripts/kit/preflight.toml
while [ $# -gt 0 ]; do
  case $1 in
    --config) config=${2:?--config needs a file}; shift 2 ;;
    *) echo "usage: bash scripts/dist.sh [--config preflight.toml]" >&2; exit 3 ;;
  esac
done
[ -f "$config" ] || { echo "dist.sh: --config $config: no such file" >&2; exit 3; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
win=x86_64-pc-windows-gnu

cargo build --locked --release --target "$win" --bin preflight
cargo build --locked --release --bin preflight

rm -rf dist
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p dist "$stage/windows/preflight" "$stage/linux/preflight"
cp "target/$win/release/preflight.exe" "$stage/windows/preflight/"
cp target/release/preflight "$stage/linux/preflight/"
for d in windows linux; do
  cp "$config" "$stage/$d/preflight/preflight.toml"
  cp scripts/kit/LISEZMOI.txt "$stage/$d/preflight/"
done
# A zip for Windows ("Extraire tout" gives a folder named preflight), a tar.gz for Linux.
python3 - "$stage/windows" "dist/preflight-$version-windows-x86_64.zip" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            path = os.path.join(base, f)
            z.write(path, os.path.relpath(path, root))
PY
tar -C "$stage/linux" --owner=0 --group=0 -czf "dist/preflight-$version-linux-x86_64.tar.gz" preflight
cp "target/$win/release/preflight.exe" "dist/preflight-$version-windows-x86_64.exe"
cp target/release/preflight "dist/preflight-$version-linux-x86_64"
(cd dist && sha256sum -- * > SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
ls -l dist
cat dist/SHA256SUMS
