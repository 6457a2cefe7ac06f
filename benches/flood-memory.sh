#!/usr/bin/env bash
# Memory against a hostile measurement peer: an ndt7 peer on loopback that reads the upload but
# floods the client with tiny, valid measurement messages (hundreds of thousands a second).
# Prints the client's peak memory and CPU time for a 20 s upload against it, and against
# `preflight serve` (a normal peer) for comparison.
#
#   benches/flood-memory.sh [SECONDS]     (default 20; loopback only, no root needed)
set -euo pipefail
secs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
command -v python3 >/dev/null || { echo "flood bench: python3 is missing"; exit 1; }
(cd "$root" && cargo build --release --locked -q)
bin=${PREFLIGHT_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/preflight}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The flooding peer: answers the ndt7 upgrade, reads (and counts) the upload, and writes
# measurement messages as fast as the socket takes them, each with a later ElapsedTime.
cat >"$work/flood.py" <<'PY'
import asyncio, base64, hashlib, sys, time
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
async def handle(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except Exception:  # a latency sample: a bare connection
        writer.close()
        return
    key = next(l.split(":", 1)[1].strip() for l in head.decode().split("\r\n")
               if l.lower().startswith("sec-websocket-key"))
    acc = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Accept: {acc}\r\nSec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n").encode())
    got = [0]
    async def drain():
        try:
            while True:
                b = await reader.read(1 << 20)
                if not b:
                    return
                got[0] += len(b)
        except Exception:
            return
    d = asyncio.create_task(drain())
    t0 = time.monotonic()
    try:
        while not d.done():
            # 5000 copies of one valid count, then a later one: cheap to make, never backwards,
            # never more than was read, on a real clock.
            us = int((time.monotonic() - t0) * 1e6)
            p = b'{"AppInfo":{"ElapsedTime":%d,"NumBytes":%d}}' % (us, got[0] // 2)
            writer.write((b"\x81" + bytes([len(p)]) + p) * 5000)
            await writer.drain()
    except Exception:
        pass
    writer.close()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
PY
python3 "$work/flood.py" >"$work/port" &
pids+=($!)
"$bin" serve --listen 127.0.0.1:0 --stun 127.0.0.1:0 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/port" ] && grep -q ndt7 "$work/serve.log" && break; sleep 0.1; done
flood=$(cat "$work/port")
serve=$(sed -n 's#.*ws://\([^/]*\)/ndt.*#\1#p' "$work/serve.log" | head -n 1)

run() { # label url bin secs profile
  python3 - "$@" <<'PY'
import json, resource, subprocess, sys, time
label, url, bin, secs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
t0 = time.monotonic()
p = subprocess.run([bin, "check", "--profile", sys.argv[5], "--platform", "loop",
                    "--bandwidth-url", url, "--duration", secs, "--timeout", "3",
                    "--lab-net", "127.0.0.0/8", "--json", "-"], stdout=subprocess.PIPE,
                   stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
b = (json.loads(p.stdout or b"{}").get("bandwidth") or {})
e = (b.get("error") or {}).get("class", "-")
print(f"{label:<34} peak memory {r.ru_maxrss / 1024:6.1f} MiB, CPU {r.ru_utime + r.ru_stime:5.2f} s, "
      f"wall {time.monotonic() - t0:4.1f} s, figure {b.get('upload_kbps')}, error {e}")
PY
}
cat >"$work/loop.toml" <<EOF
id = "loop"
name = "Loopback"
engine = "bigbluebutton"
description = "loopback peer"
[[ice]]
url = "stun:${serve%:*}:3478"
group = "media"
[needs]
source = "test"
audio = 30
webcam = { medium = 200 }
webcam_default = "medium"
screen = 1500
attendee = 30
EOF
run "preflight serve (normal peer)" "ws://$serve/ndt/v7/upload" "$bin" "$secs" "$work/loop.toml"
run "flooding peer" "ws://127.0.0.1:$flood/ndt/v7/upload" "$bin" "$secs" "$work/loop.toml"
