#!/usr/bin/env bash
# Upload accuracy and run time: preflight's figure (ndt7 against `preflight serve`) beside iperf3's,
# through a router whose uplink is shaped with tc tbf, with a short queue (50 ms) and a bloated one
# (400 ms, an ADSL-like uplink with bufferbloat, common in écoles), for `--duration 6` and the
# default duration, in the same run. One row per case: shaped rate, queue, duration asked,
# preflight's figure and error, iperf3's figure and error (both against the shaped rate), the
# upload's length and why it stopped, the whole run's wall time, latency idle / under load, and
# the loss of the UDP stream at the speaker's media rate. Then preflight's CPU time and peak memory
# during the 100 Mbit/s default run.
#
#   sudo benches/bandwidth.sh          (needs iproute2, iperf3, python3; about 10 minutes)
#   sudo RATES="1 2 20" QUEUES=400 DURATIONS=6 benches/bandwidth.sh     (some rows only)
#
#   venue 198.18.9.1 --veth-- router (tbf on its uplink) --veth-- peer 198.18.10.2
#                                                                 (preflight serve, iperf3 -s)
#
# Both tools measure goodput (what the receiver got): TCP/IP and Ethernet headers take about 4.4 %
# of a shaped link's rate, so both read a little under it.
set -euo pipefail
rates=${RATES:-0.5 1 2 5 20 100}
queues=${QUEUES:-50 400}
durations=${DURATIONS:-6 default}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bandwidth bench: needs root (network namespaces, tc)"; exit 1; }
for t in ip tc iperf3 python3; do
  command -v "$t" >/dev/null || { echo "bandwidth bench: $t is missing (apt-get install iproute2 iperf3 python3)"; exit 1; }
done
(cd "$root" && cargo build --release --locked -q)
bin=${PREFLIGHT_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/preflight}

id=pfb$$
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for n in c r s; do ip netns del "$id-$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for n in c r s; do
  ip netns add "$id-$n"
  ip -n "$id-$n" link set lo up
done
ip link add "$id-c0" netns "$id-c" type veth peer name "$id-r0" netns "$id-r"
ip link add "$id-r1" netns "$id-r" type veth peer name "$id-s0" netns "$id-s"
ip -n "$id-c" addr add 198.18.9.1/24 dev "$id-c0"
ip -n "$id-r" addr add 198.18.9.254/24 dev "$id-r0"
ip -n "$id-r" addr add 198.18.10.254/24 dev "$id-r1"
ip -n "$id-s" addr add 198.18.10.2/24 dev "$id-s0"
for d in c:c0 r:r0 r:r1 s:s0; do
  n=${d%%:*} i=${d##*:}
  ip -n "$id-$n" link set "$id-$i" up
  # Offloads would hand tbf 64 KiB super-packets; shape real frames.
  ip netns exec "$id-$n" ethtool -K "$id-$i" tso off gso off gro off 2>/dev/null || true
done
ip -n "$id-c" route add default via 198.18.9.254
ip -n "$id-s" route add default via 198.18.10.254
ip netns exec "$id-r" sysctl -qw net.ipv4.ip_forward=1

ip netns exec "$id-s" "$bin" serve --listen 198.18.10.2:8080 --stun 198.18.10.2:3478 2>"$work/serve.log" &
pids+=($!)
ip netns exec "$id-s" iperf3 -s -B 198.18.10.2 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5

# A platform that is just the peer, so that `check` measures path quality to it too; the media
# rate (webcam « medium » + audio) is BigBlueButton's.
cat >"$work/bench.toml" <<EOF
id = "bench"
name = "Benchmark peer"
engine = "bigbluebutton"
description = "preflight serve standing in for a platform"
[[ice]]
url = "stun:198.18.10.2:3478"
group = "media"
[needs]
source = "BigBlueButton defaults"
audio = 30
webcam = { low = 100, medium = 200 }
webcam_default = "medium"
screen = 1500
attendee = 30
EOF

# Wall time, CPU seconds and peak RSS (KiB) of a command, from the kernel's accounting of the child.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.buffer.write(p.stdout)
sys.stderr.write(f"{wall:.2f} {r.ru_utime + r.ru_stime:.2f} {r.ru_maxrss}\n")
PY
}

printf '%-9s %-6s %-5s | %-9s %-7s | %-9s %-7s | %-6s %-9s %-6s | %-15s | %s\n' \
  shaped queue dur preflight error iperf3 error upload stop run "RTT idle/load" "media loss"
for rate in $rates; do
  kbit=$(python3 -c "print(round($rate * 1000))")
  for queue in $queues; do
    ip netns exec "$id-r" tc qdisc del dev "$id-r1" root 2>/dev/null || true
    # burst: at least a few full frames, and 4 ms worth at high rates.
    burst=$(( kbit * 4 / 8 )); [ "$burst" -lt 15140 ] && burst=15140
    ip netns exec "$id-r" tc qdisc add dev "$id-r1" root tbf rate "${kbit}kbit" burst "$burst" latency "${queue}ms"
    for dur in $durations; do
      secs=$dur args=(--duration "$dur")
      [ "$dur" = default ] && secs=10 args=()
      ip3=$(ip netns exec "$id-c" iperf3 -c 198.18.10.2 -t "$secs" -J 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1000)')
      report=$(measure ip netns exec "$id-c" "$bin" check --profile "$work/bench.toml" --platform bench \
        --bandwidth-url ws://198.18.10.2:8080/ndt/v7/upload "${args[@]}" --timeout 3 \
        --lab-net 198.18.0.0/15 --json - 2>"$work/cost")
      read -r wall cpu rss < <(tail -n 1 "$work/cost")
      python3 - "$rate" "$queue" "$dur" "$ip3" "$wall" "$report" <<'PY'
import json, sys
rate, queue, dur, ip3, wall = float(sys.argv[1]) * 1000, sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
b = json.loads(sys.argv[6]).get("bandwidth") or {}
pf = b.get("upload_kbps") or 0
err = lambda v: f"{100 * (v - rate) / rate:+.1f} %"
stop = b.get("stopped") or (b.get("error") or {}).get("class") or "?"
up = (b.get("duration_ms") or 0) / 1000
m = b.get("media_udp") or {}
media = f"{m['loss_pct']:.1f} %" if m.get("loss_pct") is not None else (m.get("not_measured") and "n/m" or "-")
rtt = f"{b.get('idle_rtt_ms') or 0:.1f} / {b.get('loaded_rtt_ms') or 0:.0f} ms"
print(f"{rate/1000:<4g}Mb/s {queue + ' ms':<6} {dur:<5} | {pf/1000:<5.2f}Mb/s {err(pf):<7} | "
      f"{ip3/1000:<5.2f}Mb/s {err(ip3):<7} | {up:<4.1f}s  {stop:<9} {wall:<4.1f}s  | {rtt:<15} | {media}")
PY
      [ "$rate" = 100 ] && [ "$dur" = default ] && last_cost="$cpu $rss"
    done
  done
done
if [ -n "${last_cost:-}" ]; then
  read -r cpu rss <<<"$last_cost"
  echo "preflight at 100 Mbit/s (default run, whole check): CPU ${cpu} s, peak memory $((rss / 1024)) MiB"
fi
