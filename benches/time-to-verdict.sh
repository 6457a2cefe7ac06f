#!/usr/bin/env bash
# Time to verdict on a network that drops everything, and the release binary's size.
# A venue namespace whose only route leads to a "firewall" namespace that forwards nothing and
# drops what is addressed to it: every packet (DNS to the system resolver included) vanishes, as
# behind a firewall that drops. Root only; cleans up.
# Usage: benches/time-to-verdict.sh [RUNS]   (prints one line per run, then min/median/max)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
cargo build --release --locked -q
bin=$PWD/${CARGO_TARGET_DIR:-target}/release/preflight
ns=pfl-bh-$$
fw=pfl-bhfw-$$
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$fw" 2>/dev/null || true
  rm -rf "/etc/netns/$ns"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns add "$fw"
ip -n "$ns" link set lo up
ip link add bh0 netns "$ns" type veth peer name bh1 netns "$fw"
ip -n "$ns" addr add 198.18.200.2/24 dev bh0
ip -n "$fw" addr add 198.18.200.1/24 dev bh1
ip -n "$ns" link set bh0 up
ip -n "$fw" link set bh1 up
ip -n "$ns" route add default via 198.18.200.1 dev bh0
ip netns exec "$fw" nft -f - <<'NFT'
table inet blackhole {
  chain input {
    type filter hook input priority 0; policy drop;
  }
  chain forward {
    type filter hook forward priority 0; policy drop;
  }
}
NFT
mkdir -p "/etc/netns/$ns"
printf 'nameserver 198.18.200.53\nsearch lycee.example\n' > "/etc/netns/$ns/resolv.conf"
printf 'binary: %s bytes (%s)\n' "$(stat -c %s "$bin")" "$(du -h "$bin" | cut -f1)"
# Two runs per round: connectivity only (--no-bandwidth), and the default (what a double-click
# runs: measurements included, which a network that reaches nothing must not make slower).
for variant in --no-bandwidth default; do
  times=()
  extra=()
  [ "$variant" = default ] || extra=("$variant")
  for i in $(seq "$runs"); do
    s=$(date +%s.%N)
    code=0
    ip netns exec "$ns" env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
      "$bin" --server bbb.example.org "${extra[@]}" --json /dev/null >/dev/null 2>&1 || code=$?
    e=$(date +%s.%N)
    t=$(python3 -c "print($e-$s)")
    times+=("$t")
    printf '%s run %d: %.2f s, exit %d (expected 2: blocked)\n' "$variant" "$i" "$t" "$code"
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v v="$variant" '{a[NR]=$1} END {printf "blackholed network (%s), 5 s deadline, all platforms: min %.2f s, median %.2f s, max %.2f s over %d runs\n", v, a[1], a[int((NR+1)/2)], a[NR], NR}'
done
