#!/usr/bin/env python3
"""Replays issue 13's attacks against the release binary, on loopback only, and prints what held.

    bash benches/attacks.sh            # builds the release binary, then runs this
    python3 benches/attacks.py BINARY  # an already built binary

Every client and peer here talks to 127.0.0.0/8 only; every loop is bounded in count and time.
Exit status: 0 when everything held, 1 otherwise.
"""

import json
import os
import pty
import re
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/preflight")
WORK = tempfile.mkdtemp(prefix="preflight-attacks-")
ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "CI"}
ENV.update(LANG="C", NO_COLOR="1")
RESULTS = []


def verdict(name, held, figures):
    RESULTS.append(held)
    print(f"{'HELD  ' if held else 'BROKEN'} {name}: {figures}", flush=True)


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Serve:
    """`preflight serve` on loopback under a file limit; its log is kept."""

    def __init__(self, nofile=None, extra=()):
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", "--stun", "127.0.0.1:0", *extra]
        if nofile:
            cmd = ["prlimit", f"--nofile={nofile}:{nofile}", *cmd]
        self.p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=ENV, text=True)
        first = self.p.stderr.readline()
        self.http = ("127.0.0.1", int(re.search(r"ws://127\.0\.0\.1:(\d+)/", first).group(1)))
        self.stun = ("127.0.0.1", int(first.rsplit(":", 1)[1]))
        self.limits = self.p.stderr.readline().strip()
        self.log = []
        threading.Thread(target=lambda: [self.log.append(l) for l in self.p.stderr], daemon=True).start()

    def fds(self):
        return len(os.listdir(f"/proc/{self.p.pid}/fd"))

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def http_get(addr, path="/echo", source="127.0.0.3", timeout=5):
    """(status line, milliseconds) of one request from another address, or the error."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection(addr, timeout=timeout, source_address=(source, 0))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        return data.split(b"\r\n", 1)[0].decode(errors="replace"), (time.monotonic() - t0) * 1000
    except OSError as e:
        return f"error: {e}", (time.monotonic() - t0) * 1000


def stun_tcp(addr, source="127.0.0.3"):
    req = struct.pack(">HHI", 0x0001, 0, 0x2112A442) + os.urandom(12)
    try:
        s = socket.create_connection(addr, timeout=5, source_address=(source, 0))
        s.sendall(req)
        head = s.recv(20)
        s.close()
        return len(head) == 20 and head[:2] == b"\x01\x01"
    except OSError:
        return False


def attack_sockets():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), max(hard, 4096)))
    serve = Serve(nofile=1024)
    held = []
    for _ in range(1100):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.setblocking(False)
        s.connect_ex(serve.http)
        held.append(s)
    time.sleep(1.0)
    status, ms = http_get(serve.http)
    stun_ok = stun_tcp(serve.stun)
    fds = serve.fds()
    open_ = sum(1 for s in held if s.fileno() >= 0 and not _closed(s))
    verdict(
        "1 100 idle sockets from one address, serve under a 1 024 file limit",
        status.startswith("HTTP/1.1 200") and stun_ok,
        f"{serve.limits.split('limits: ')[1]}; another address got `{status}` in {ms:.0f} ms, "
        f"STUN over TCP {'answered' if stun_ok else 'NOT answered'}; serve holds {fds} descriptors, "
        f"the attacker still has {open_} of 1100 sockets open",
    )
    time.sleep(11)
    verdict(
        "idle sockets are closed at the idle deadline (10 s)",
        serve.fds() < 40,
        f"serve holds {serve.fds()} descriptors 12 s later",
    )
    for s in held:
        s.close()
    serve.stop()


def _closed(s):
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def ws_upgrade(addr, source):
    s = socket.create_connection(addr, timeout=10, source_address=(source, 0))
    s.sendall(
        b"GET /ndt/v7/upload HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: net.measurementlab.ndt.v7\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    return s, head.split(b"\r\n", 1)[0].decode()


def attack_ndt7_memory():
    serve = Serve()
    clients = []
    half = 8 << 20
    chunk = os.urandom(1 << 20)
    t0 = time.monotonic()
    for i in range(30):
        s, status = ws_upgrade(serve.http, "127.0.0.4")
        assert "101" in status, status
        # A binary frame announcing 16 MiB, masked, then half of it.
        s.sendall(struct.pack(">BBQ", 0x82, 0x80 | 127, 16 << 20) + os.urandom(4))
        for _ in range(half // len(chunk)):
            s.sendall(chunk)
        clients.append(s)
    time.sleep(1.0)
    hwm = status_kib(serve.p.pid, "VmHWM")
    status, ms = http_get(serve.http)
    verdict(
        "30 ndt7 clients mid-way through 16 MiB messages",
        hwm < 200 * 1024 and status.startswith("HTTP/1.1 200"),
        f"{30 * half >> 20} MiB sent in {time.monotonic() - t0:.1f} s; serve's peak memory (VmHWM) "
        f"{mib(hwm)} (limit 200 MiB); another client got `{status}` in {ms:.0f} ms",
    )
    for s in clients:
        s.close()
    time.sleep(0.5)
    log = [l for l in serve.log if "ndt7 upload" in l]
    print(f"       serve logged {len(log)} ndt7 uploads, e.g. {log[0].strip() if log else '-'}")
    serve.stop()


class SilentDns:
    """A resolver that never answers (UDP and TCP on one port): runs last until their deadline."""

    def __init__(self):
        while True:
            self.u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.u.bind(("127.0.0.1", 0))
            self.port = self.u.getsockname()[1]
            self.t = socket.socket()
            try:
                self.t.bind(("127.0.0.1", self.port))
                self.t.listen(16)
                break
            except OSError:
                self.u.close()
                self.t.close()
        self.addr = f"127.0.0.1:{self.port}"


def check(args, **kw):
    return subprocess.run([BIN, *args], env=ENV, capture_output=True, timeout=120, **kw)


def make_reports(dns):
    """Three real reports (the binary against a resolver that never answers), with hostile labels."""
    labels = ["CDI", "=HYPERLINK(\"http://evil.example/\",\"clic\")", "+SUM(A1:A9)", "@cmd|' /C calc'!A0",
              "-2+3", "\x1b[2J\x1b[1;32m[OK] ALL READY\x1b[8m"]
    procs, paths = [], []
    for i, label in enumerate(labels):
        path = os.path.join(WORK, f"salle{i}.json")
        paths.append(path)
        procs.append(subprocess.Popen(
            [BIN, "--platform", "webinaire", "--resolver", dns.addr, "--timeout", "1", "--no-bandwidth",
             f"--venue={label}", "--json", path], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
    outs = [p.communicate(timeout=60)[0] for p in procs]
    return paths, outs


def attack_merge_and_strings(dns):
    paths, outs = make_reports(dns)
    fifo = os.path.join(WORK, "fifo.json")
    os.mkfifo(fifo)
    huge = os.path.join(WORK, "huge.json")
    with open(huge, "wb") as f:
        f.truncate(2 << 30)
    csv_path = os.path.join(WORK, "merged.csv")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    try:
        m = subprocess.run([BIN, "merge", *paths, fifo, huge, paths[0], "--csv", csv_path, "--lang", "en"],
                           env=ENV, capture_output=True, timeout=60)
        took = time.monotonic() - t0
        hung = False
    except subprocess.TimeoutExpired:
        took, hung, m = 60.0, True, None
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    text = m.stdout.decode() if m else ""
    skipped = [l for l in text.splitlines() if l.startswith("Skipped:")]
    verdict(
        "merge given a FIFO and a 2 GiB file beside 6 reports (one named twice)",
        not hung and took < 10 and rss < 200 * 1024 and m.returncode == 0 and len(skipped) == 3,
        f"{took:.2f} s, peak memory at most {mib(max(rss, before))} (the largest of every child so far; "
        f"limits 10 s, 200 MiB); exit "
        f"{m.returncode if m else 'hung'}; " + "; ".join(s.replace(WORK + "/", "") for s in skipped),
    )
    import csv as csvmod
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csvmod.reader(f, delimiter=";") for c in row]
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    raw = open(csv_path, "rb").read()
    esc = [o for o in outs if b"\x1b" in o] + ([text] if "\x1b" in text else [])
    verdict(
        "CSV and piped text carry no formula and no ESC",
        not formulas and b"\x1b" not in raw and not esc,
        f"{len(cells)} CSV cells, {len(formulas)} starting with = + - @ TAB CR "
        f"(e.g. {[c for c in cells if c.startswith(chr(39))][:2]}); ESC in the CSV: {raw.count(0x1b)}, "
        f"in the check's and merge's piped text: {len(esc)}",
    )


def attack_outputs(dns):
    html = os.path.join(WORK, "r.html")
    t0 = time.monotonic()
    r = check(["--platform", "webinaire", "--resolver", dns.addr, "--timeout", "1", "--no-bandwidth",
               "--json", "/nonexistent/x.json", "--html", html])
    took = time.monotonic() - t0
    verdict(
        "--json into a folder that does not exist",
        r.returncode == 3 and took < 1.0 and not os.path.exists(html),
        f"exit {r.returncode} after {took * 1000:.0f} ms, before any probe: "
        f"`{r.stderr.decode().strip()}`",
    )
    # A folder that disappears during the run: the other output is still written, and the
    # exit code printed is the one returned.
    gone = os.path.join(WORK, "gone")
    os.mkdir(gone)
    json_path = os.path.join(gone, "x.json")
    p = subprocess.Popen([BIN, "--platform", "webinaire", "--resolver", dns.addr, "--timeout", "2",
                          "--no-bandwidth", "--lang", "en", "--json", json_path, "--html", html],
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    os.rmdir(gone)
    out, err = p.communicate(timeout=60)
    said = re.search(rb"exit code (\d+)", out)
    verdict(
        "an output that fails after the run",
        p.returncode == 3 and os.path.exists(html) and said and int(said.group(1)) == p.returncode,
        f"exit {p.returncode}, text says `{said.group(0).decode() if said else '?'}`, HTML written: "
        f"{os.path.exists(html)}; `{err.decode().strip()}`",
    )
    # A run killed mid-way leaves the previous report whole.
    good = os.path.join(WORK, "keep.json")
    check(["--platform", "webinaire", "--resolver", dns.addr, "--timeout", "1", "--no-bandwidth", "--json", good])
    before = open(good, "rb").read()
    p = subprocess.Popen([BIN, "--platform", "webinaire", "--resolver", dns.addr, "--timeout", "3",
                          "--no-bandwidth", "--json", good], env=ENV, stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    p.kill()
    p.wait()
    after = open(good, "rb").read()
    json.loads(after)
    leftovers = [f for f in os.listdir(WORK) if f.endswith(".tmp")]
    verdict("a run killed mid-way", after == before and not leftovers,
            f"the previous report is intact and valid JSON ({len(after)} bytes); temporary files left: {leftovers}")


def attack_ctrl_c(dns):
    json_path = os.path.join(WORK, "partial.json")
    p = subprocess.Popen([BIN, "--platform", "webinaire", "--resolver", dns.addr, "--timeout", "30",
                          "--no-bandwidth", "--lang", "en", "--json", json_path],
                         env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=30)
    took = time.monotonic() - t0
    r = json.load(open(json_path))
    probes = [o for pl in r["platforms"] for o in pl["probes"]]
    marked = [o for o in probes if o["status"] == "skipped" and o["data"].get("cause") == "interrupted"]
    text = out.decode()
    verdict(
        "Ctrl-C while probing",
        p.returncode == 130 and r["verdict"] == "incomplete" and r["partial"] is True and r["support"] is None
        and len(marked) == len([o for o in probes if o["status"] == "skipped"]) and "blocked" not in text.lower(),
        f"exit {p.returncode} after {took * 1000:.0f} ms; verdict `{r['verdict']}`, partial {r['partial']}, "
        f"ticket {r['support']}; {len(marked)}/{len(probes)} tests marked interrupted; the text ends "
        f"`{text.strip().splitlines()[-1]}`",
    )
    # At the "press Enter" prompt (what a double-click shows): in a terminal.
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BIN, [BIN, "--pause", "--platform", "webinaire", "--resolver", dns.addr, "--timeout", "1",
                        "--no-bandwidth", "--lang", "en"], ENV)
    seen = b""
    deadline = time.monotonic() + 30
    while b"Press Enter" not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    t0 = time.monotonic()
    os.kill(pid, signal.SIGINT)
    code = None
    while time.monotonic() - t0 < 5:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            break
        if select.select([fd], [], [], 0.1)[0]:
            try:
                os.read(fd, 4096)
            except OSError:
                pass
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    verdict("Ctrl-C at the \"press Enter\" prompt", b"Press Enter" in seen and code is not None,
            f"prompt shown: {b'Press Enter' in seen}; ended {'in %.0f ms with exit %s' % ((time.monotonic() - t0) * 1000, code) if code is not None else 'NOT (killed after 5 s)'}")


def attack_non_ascii():
    bad = "092123é"
    cases = [["--uai", bad], ["--department", "9é"], ["--server", "bbb.é xample"], ["--platform", "é"],
             ["--profile", "é.toml"], ["--resolver", "é"], ["--ca-file", "é.pem"], ["--kind", "é"], ["--role", "é"],
             ["--bandwidth-url", "ws://é é/"], ["--duration", "é"], ["--timeout", "é"], ["--lang", "é"],
             ["--lab-net", "é"], ["--json", "/é/x.json"], ["--html", "/é/x.html"], ["merge", "é.json"],
             ["profiles", "show", "é"], ["serve", "--listen", "é"], ["serve", "--tls-cert", "é", "--tls-key", "é"],
             ["serve", "--max-connections", "é"]]
    codes = {}
    for c in cases:
        r = check(c)
        codes[" ".join(c)] = (r.returncode, b"panicked" in r.stderr)
    panics = {k: v for k, v in codes.items() if v[0] == 101 or v[1]}
    not3 = {k: v[0] for k, v in codes.items() if v[0] != 3}
    r = check(["--uai", bad])
    verdict(
        "non-ASCII in every option",
        not panics and not not3,
        f"{len(cases)} options, all exit 3 with a message (e.g. `{r.stderr.decode().strip()}`); "
        f"panics: {panics or 'none'}",
    )


def stun_peer(mode):
    """A STUN server on loopback answering Binding with an IPv6-family XOR-MAPPED-ADDRESS of 4 bytes."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))

    def run():
        u.settimeout(0.5)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                req, addr = u.recvfrom(2048)
            except socket.timeout:
                continue
            except OSError:
                return
            attr = struct.pack(">HHHH", 0x0020, 8, 2, addr[1] ^ 0x2112) + bytes([1, 2, 3, 4])
            u.sendto(struct.pack(">HHI", 0x0101, len(attr), 0x2112A442) + req[8:20] + attr, addr)

    threading.Thread(target=run, daemon=True).start()
    return u


def profile(stun_port):
    path = os.path.join(WORK, f"local{stun_port}.toml")
    with open(path, "w") as f:
        f.write(f"""id = "local"\nname = "Local"\nengine = "other"\n\n[[ice]]\nurl = "stun:127.0.0.1:{stun_port}"\n
[needs]\naudio = 30\nwebcam = {{ medium = 200 }}\nwebcam_default = "medium"\nscreen = 1500\n""")
    return path


def attack_secrets_and_stun():
    serve = Serve()
    prof = profile(serve.stun[1])
    j, h = os.path.join(WORK, "secret.json"), os.path.join(WORK, "secret.html")
    url = f"ws://user:password@127.0.0.1:{serve.http[1]}/ndt/v7/upload?access_token=SECRET-TOKEN"
    r = check(["--profile", prof, "--platform", "local", "--lab-net", "127.0.0.0/8", "--bandwidth-url", url,
               "--duration", "2", "--json", j, "--html", h])
    blob = open(j, "rb").read() + open(h, "rb").read() + r.stdout
    rep = json.load(open(j))
    serve.stop()
    leaks = [s for s in (b"password", b"SECRET-TOKEN") if s in blob]
    verdict(
        "--bandwidth-url with credentials and a token",
        not leaks and rep["bandwidth"] is not None,
        f"peer recorded as `{(rep['bandwidth'] or {}).get('peer')}`, measured "
        f"{(rep['bandwidth'] or {}).get('upload_kbps')} kbit/s; secrets found in JSON/HTML/text: {leaks or 'none'}",
    )
    peer = stun_peer("short-v6")
    r = check(["--profile", profile(peer.getsockname()[1]), "--platform", "local", "--lab-net", "127.0.0.0/8",
               "--no-bandwidth", "--timeout", "2", "--json"])
    rep = json.loads(r.stdout)
    stun = [o for o in rep["platforms"][0]["probes"] if o["kind"] == "stun"][0]
    verdict(
        "a STUN answer whose XOR-MAPPED-ADDRESS says IPv6 with 4 bytes",
        "mapped_address" not in stun["data"] and stun["status"] == "fail",
        f"probe {stun['status']} ({(stun.get('error') or {}).get('class')}: {(stun.get('error') or {}).get('message')})",
    )
    peer.close()


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit(f"no binary at {BIN}: build it with `cargo build --release`")
    print(f"preflight attack replay: {BIN}, work folder {WORK}\n", flush=True)
    dns = SilentDns()
    attack_sockets()
    attack_ndt7_memory()
    attack_merge_and_strings(dns)
    attack_outputs(dns)
    attack_ctrl_c(dns)
    attack_non_ascii()
    attack_secrets_and_stun()
    held = sum(RESULTS)
    print(f"\n{held} held, {len(RESULTS) - held} broken")
    subprocess.run(["rm", "-rf", WORK])
    sys.exit(0 if held == len(RESULTS) else 1)


if __name__ == "__main__":
    main()
