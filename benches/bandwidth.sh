#!/usr/bin/env bash
# Upload accuracy: preflight's figure (ndt7 against `preflight serve`) beside iperf3's, on the
# same veth link whose upload is shaped with tc tbf at 1, 5, 20 and 100 Mbit/s, in the same run.
# Prints one row per rate: shaped rate, preflight, iperf3, their errors against the shaped rate,
# latency idle and under load; then preflight's CPU time and peak memory during the 100 Mbit/s run.
#
#   sudo benches/bandwidth.sh [SECONDS]      (default 10 s per measurement; needs iproute2, iperf3)
#
# Both tools measure goodput (what the receiver got): TCP/IP and Ethernet headers take about 4 %
# of a shaped link's rate, so both read a little under it.
set -euo pipefail
secs=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bandwidth bench: needs root (network namespaces, tc)"; exit 1; }
for t in ip tc iperf3 python3; do
  command -v "$t" >/dev/null || { echo "bandwidth bench: $t is missing (apt-get install iproute2 iperf3 python3)"; exit 1; }
done
(cd "$root" && cargo build --release --locked -q)
bin=${CARGO_TARGET_DIR:-$root/target}/release/preflight

id=pfb$$
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  ip netns del "$id-c" 2>/dev/null || true
  ip netns del "$id-s" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$id-c"
ip netns add "$id-s"
ip link add "$id-c0" netns "$id-c" type veth peer name "$id-s0" netns "$id-s"
ip -n "$id-c" addr add 198.18.9.1/24 dev "$id-c0"
ip -n "$id-s" addr add 198.18.9.2/24 dev "$id-s0"
for n in c s; do
  ip -n "$id-$n" link set lo up
  ip -n "$id-$n" link set "$id-${n}0" up
done
# Offloads would hand tbf 64 KiB super-packets; shape real frames.
for n in c s; do ip netns exec "$id-$n" ethtool -K "$id-${n}0" tso off gso off gro off 2>/dev/null || true; done

ip netns exec "$id-s" "$bin" serve --listen 198.18.9.2:8080 --stun 198.18.9.2:3478 2>"$work/serve.log" &
pids+=($!)
ip netns exec "$id-s" iperf3 -s -B 198.18.9.2 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5

# A platform that is just the peer, so that `check` measures path quality to it too.
cat >"$work/bench.toml" <<EOF
id = "bench"
name = "Benchmark peer"
engine = "bigbluebutton"
description = "preflight serve standing in for a platform"
[[ice]]
url = "stun:198.18.9.2:3478"
group = "media"
[needs]
source = "BigBlueButton defaults"
audio = 30
webcam = { medium = 200 }
webcam_default = "medium"
screen = 1500
attendee = 30
EOF

# CPU seconds and peak RSS (KiB) of a command, from the kernel's accounting of the child.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(p.stdout)
sys.stderr.write(f"{r.ru_utime + r.ru_stime:.2f} {r.ru_maxrss}\n")
PY
}

printf '%-8s %-12s %-8s %-12s %-8s %-20s\n' shaped preflight error iperf3 error "RTT idle/loaded"
for rate in 1 5 20 100; do
  ip netns exec "$id-c" tc qdisc del dev "$id-c0" root 2>/dev/null || true
  # burst: at least a few full frames, and 4 ms worth at high rates; queue: 50 ms.
  burst=$(( rate * 1000 * 4 / 8 )); [ "$burst" -lt 15140 ] && burst=15140
  ip netns exec "$id-c" tc qdisc add dev "$id-c0" root tbf rate "${rate}mbit" burst "$burst" latency 50ms
  ip3=$(ip netns exec "$id-c" iperf3 -c 198.18.9.2 -t "$secs" -J 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1000)')
  report=$(measure ip netns exec "$id-c" "$bin" check --profile "$work/bench.toml" --platform bench \
    --bandwidth-url ws://198.18.9.2:8080/ndt/v7/upload --duration "$secs" --timeout 3 \
    --lab-net 198.18.0.0/15 --json - 2>"$work/cost")
  read -r pf idle loaded <<<"$(python3 -c '
import json,sys
b = json.loads(sys.argv[1])["bandwidth"]
print(b.get("upload_kbps") or 0, b.get("idle_rtt_ms") or 0, b.get("loaded_rtt_ms") or 0)' "$report")"
  python3 - "$rate" "$pf" "$ip3" "$idle" "$loaded" <<'PY'
import sys
rate, pf, ip3, idle, loaded = float(sys.argv[1]) * 1000, *map(float, sys.argv[2:])
err = lambda v: f"{100 * (v - rate) / rate:+.1f} %"
print(f"{rate/1000:<4.0f}Mb/s {pf/1000:<7.2f}Mb/s {err(pf):<8} {ip3/1000:<7.2f}Mb/s {err(ip3):<8} {idle:.1f} / {loaded:.1f} ms")
PY
  [ "$rate" = 100 ] && read -r cpu rss < <(tail -n 1 "$work/cost")
done
echo "preflight at 100 Mbit/s (${secs} s upload, whole check): CPU ${cpu} s, peak memory $((rss / 1024)) MiB"
