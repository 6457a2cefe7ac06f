#!/usr/bin/env python3
"""The lab's self-check (stdlib only), run from the venue namespace on an open network: every host
of the lab's internet answers as the real service does (shared/research/platforms-verified.md):
its DNS name, its certificate (lab root CA, exact name, picked by SNI), its HTTP answers, its
WebSocket upgrades, its TURN/STUN answers, and what is deliberately missing (NXDOMAIN names, no
relay on bbbnorelay.lab.test). One line per check; exit 1 if any fails.

Usage: hosts.py CA_FILE"""
import base64, hashlib, os, random, socket, ssl, struct, sys

DNS = ("198.18.2.53", 53)
CA = sys.argv[1]
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
failed = 0
count = 0


def check(what, fn, *args):
    global failed, count
    count += 1
    try:
        detail = fn(*args)
        print(f"ok   {what}: {detail}")
    except Exception as e:  # every failure is reported with what it was
        failed += 1
        print(f"FAIL {what}: {type(e).__name__}: {e}")


# --- DNS ------------------------------------------------------------------------------------------
def dns_query(name):
    """(rcode, [IPv4 addresses]) from the lab's DNS for an A query."""
    tid = random.randrange(65536)
    q = struct.pack(">HHHHHH", tid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q, DNS)
        r = s.recv(1500)
    rid, flags, qd, an = struct.unpack(">HHHH", r[:8])
    assert rid == tid, "answer to another query"
    i = 12
    for _ in range(qd):  # skip the question
        while r[i]:
            i += r[i] + 1
        i += 5
    addrs = []
    for _ in range(an):
        if r[i] & 0xC0 == 0xC0:
            i += 2
        else:
            while r[i]:
                i += r[i] + 1
            i += 1
        typ, _cls, _ttl, ln = struct.unpack(">HHIH", r[i : i + 10])
        i += 10
        if typ == 1:
            addrs.append(socket.inet_ntoa(r[i : i + ln]))
        i += ln
    return flags & 0xF, addrs


def resolves(name, addr):
    rcode, addrs = dns_query(name)
    assert rcode == 0 and addrs == [addr], f"rcode {rcode}, {addrs}, expected {addr}"
    return addr


def nxdomain(name):
    rcode, addrs = dns_query(name)
    assert rcode == 3, f"rcode {rcode} {addrs}, expected NXDOMAIN (3)"
    return "NXDOMAIN"


def addr_of(name):
    rcode, addrs = dns_query(name)
    assert rcode == 0 and addrs, f"{name} does not resolve (rcode {rcode})"
    return addrs[0]


# --- TLS, HTTP, WebSocket -------------------------------------------------------------------------
def tls(name, alpn, port=443):
    ctx = ssl.create_default_context(cafile=CA)
    ctx.set_alpn_protocols(alpn)
    raw = socket.create_connection((addr_of(name), port), timeout=3)
    try:
        return ctx.wrap_socket(raw, server_hostname=name)  # checks the chain and the exact name
    except Exception:
        raw.close()
        raise


def read_all(s, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            b = s.recv(65536)
        except (ssl.SSLError, ConnectionResetError):
            break
        if not b:
            break
        data += b
    return data


def parse(resp):
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body.decode("utf-8", "replace")


def get(name, path, extra=""):
    with tls(name, ["http/1.1"]) as s:
        head = f"GET {path} HTTP/1.1\r\nHost: {name}\r\nUser-Agent: lab\r\n{extra}Connection: close\r\n\r\n"
        s.sendall(head.encode())
        return parse(read_all(s))


def http(name, path, status, contains=(), location=None, ctype=None):
    st, h, body = get(name, path)
    assert st == status, f"HTTP {st}, expected {status}"
    for c in contains:
        assert c in body, f"body lacks {c!r}: {body[:200]!r}"
    if location is not None:
        got = h.get("location", "")
        assert got.startswith(location), f"Location {got!r}, expected {location!r}…"
    if ctype is not None:
        assert h.get("content-type", "").startswith(ctype), f"Content-Type {h.get('content-type')!r}"
    where = f" -> {h['location'][:70]}" if "location" in h else ""
    return f"HTTP {st}{where}" + (f" ({h.get('content-type')})" if ctype else "")


def no_text(name, path, text):
    _, _, body = get(name, path)
    assert text not in body, f"body has {text!r}"
    return f"no {text!r}"


def websocket(name, path, status):
    key = base64.b64encode(os.urandom(16)).decode()
    with tls(name, ["http/1.1"]) as s:
        s.sendall(
            (f"GET {path} HTTP/1.1\r\nHost: {name}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
             f"Origin: https://{name}\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
        st, h, _ = parse(data)
        assert st == status, f"HTTP {st}, expected {status}"
        if st == 101:
            want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
            assert h.get("sec-websocket-accept") == want, "bad Sec-WebSocket-Accept"
            mask = os.urandom(4)
            close = bytes(b ^ mask[i] for i, b in enumerate(struct.pack(">H", 1000)))
            s.sendall(b"\x88\x82" + mask + close)
        return f"HTTP {st}" + (" Switching Protocols" if st == 101 else f" (server: {h.get('server', '-')})")


# --- TLS ALPN, TURN, STUN -------------------------------------------------------------------------
def alpn_turn(name):
    with tls(name, ["stun.turn"]) as s:
        got = s.selected_alpn_protocol()
        assert got == "stun.turn", f"ALPN {got!r}"
        return f"TLS {s.version()}, ALPN {got}"


def alpn_refused(name):
    try:
        with tls(name, ["stun.turn"]):
            pass
    except ssl.SSLError as e:
        assert "no application protocol" in str(e).lower().replace("_", " "), f"{e}"
        return "TLS alert no_application_protocol"
    raise AssertionError("the handshake succeeded")


def stun_msg(kind):
    tid = os.urandom(12)
    attrs = b""
    if kind == 0x0003:  # Allocate, REQUESTED-TRANSPORT UDP, no credentials
        attrs = struct.pack(">HHI", 0x0019, 4, 17 << 24)
    return struct.pack(">HHI", kind, len(attrs), 0x2112A442) + tid + attrs, tid


def stun_answer(data, tid):
    typ, ln, cookie = struct.unpack(">HHI", data[:8])
    assert cookie == 0x2112A442 and data[8:20] == tid, "not an answer to the request"
    attrs, i = {}, 20
    while i < 20 + ln:
        t, l = struct.unpack(">HH", data[i : i + 4])
        attrs[t] = data[i + 4 : i + 4 + l]
        i += 4 + ((l + 3) & ~3)
    return typ, attrs


def stream_exchange(s, msg):
    s.sendall(msg)
    data = b""
    while len(data) < 20 or len(data) < 20 + struct.unpack(">H", data[2:4])[0]:
        b = s.recv(4096)
        assert b, "closed before an answer"
        data += b
    return data


def turn_401(data, tid):
    typ, attrs = stun_answer(data, tid)
    assert typ == 0x0113, f"message type {typ:#06x}, expected an Allocate error (0x0113)"
    e = attrs.get(0x0009, b"\0\0\0\0")
    code = (e[2] & 7) * 100 + e[3]
    assert code == 401, f"error {code}"
    realm = attrs.get(0x0014, b"").decode()
    return f"Allocate -> 401 Unauthorized (realm {realm})"


def udp_exchange(name, port, msg):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.connect((addr_of(name), port))
        s.send(msg)
        return s.recv(1500)  # ConnectionRefusedError on ICMP port unreachable


def turn_udp(name, port=3478):
    msg, tid = stun_msg(0x0003)
    return "UDP " + turn_401(udp_exchange(name, port, msg), tid)


def turn_tcp(name, port=3478):
    msg, tid = stun_msg(0x0003)
    with socket.create_connection((addr_of(name), port), timeout=3) as s:
        return f"TCP {port} " + turn_401(stream_exchange(s, msg), tid)


def turn_tls(name, port=443):
    msg, tid = stun_msg(0x0003)
    with tls(name, ["stun.turn"], port) as s:
        alpn = s.selected_alpn_protocol()
        return f"TLS {port} (ALPN {alpn}) " + turn_401(stream_exchange(s, msg), tid)


def stun_udp(name, port=3478):
    msg, tid = stun_msg(0x0001)
    typ, attrs = stun_answer(udp_exchange(name, port, msg), tid)
    assert typ == 0x0101 and 0x0020 in attrs, f"message type {typ:#06x}"
    x = attrs[0x0020]
    ip = socket.inet_ntoa(bytes(a ^ b for a, b in zip(x[4:8], struct.pack(">I", 0x2112A442))))
    return f"Binding success, mapped address {ip}"


def udp_refused(name, port=3478):
    msg, _ = stun_msg(0x0001)
    try:
        udp_exchange(name, port, msg)
    except ConnectionRefusedError:
        return "ICMP port unreachable"
    raise AssertionError("something answered")


def tcp_refused(name, port=3478):
    try:
        socket.create_connection((addr_of(name), port), timeout=3).close()
    except ConnectionRefusedError:
        return "connection refused (RST)"
    raise AssertionError("something accepted the connection")


# --- the hosts ------------------------------------------------------------------------------------
ADDRS = {
    "bbb.lab.test": "198.18.2.10",
    "bbb27.lab.test": "198.18.2.11",
    "bbbnorelay.lab.test": "198.18.2.12",
    "relay.lab.test": "198.18.2.13",
    "webinaire.numerique.gouv.fr": "198.18.2.21",
    "bbb-dinum-scalelite.visio.education.fr": "198.18.2.22",
    "bbb-dinum-w1.visio.education.fr": "198.18.2.23",
    "bbb-dinum-w2.visio.education.fr": "198.18.2.24",
    "app.livestorm.co": "198.18.2.31",
    "api.livestorm.co": "198.18.2.31",
    "cdn.ireland.production.livestorm.io": "198.18.2.32",
    "stun.cloudflare.com": "198.18.2.33",
    "speed.lab.test": "198.18.2.30",
}
TURN = [f"bbb-dinum-turn{n}.visio.education.fr" for n in range(1, 6)]
for n in TURN:
    ADDRS[n] = "198.18.2.25"
for name, addr in ADDRS.items():
    check(f"dns {name}", resolves, name, addr)
for name in ["auth.proconnect.gouv.fr", "bbb-dinum-w3.visio.education.fr", "example.lab.test", "example.com"]:
    check(f"dns {name}", nxdomain, name)


def bbb_web(host, version):
    api = ["<returncode>SUCCESS</returncode>", f"<bbbVersion>{version}</bbbVersion>"]
    check(f"{host} API", http, host, "/bigbluebutton/api", 200, api)
    page = ["<title>BigBlueButton</title>"]
    check(f"{host} /html5client/", http, host, "/html5client/", 200, page, None, "text/html")
    check(f"{host} /pad/", http, host, "/pad/", 401)
    sockjs = ["/html5client/sockjs/websocket", "/html5client/sockjs/123/abcd/websocket"]
    if version.startswith("3."):
        upgrades = {"/graphql": 101, sockjs[0]: 404}
    else:
        upgrades = {sockjs[0]: 101, sockjs[1]: 101, "/graphql": 404}
        check(f"{host} /graphql", http, host, "/graphql", 404)
    upgrades["/bbb-webrtc-sfu"] = 401  # auth_request: no session, no upgrade
    for path, status in upgrades.items():
        check(f"{host} wss {path}", websocket, host, path, status)


def relay(host, tcp443=False):
    check(f"{host} TLS ALPN stun.turn", alpn_turn, host)
    check(f"{host} turns 443", turn_tls, host)
    check(f"{host} turn udp 3478", turn_udp, host)
    check(f"{host} turn tcp 3478", turn_tcp, host)
    if tcp443:
        check(f"{host} turn plain tcp 443", turn_tcp, host, 443)


# BigBlueButton 3.0 as bbb-install sets it up: haproxy on 443 (ALPN stun.turn to coturn).
bbb_web("bbb.lab.test", "3.0.4")
relay("bbb.lab.test")
# BigBlueButton 2.7.
bbb_web("bbb27.lab.test", "2.7.9")
relay("bbb27.lab.test")
# BigBlueButton 3.0 without a relay: nginx on 443, nothing on 3478.
bbb_web("bbbnorelay.lab.test", "3.0.4")
check("bbbnorelay.lab.test TLS ALPN stun.turn", alpn_refused, "bbbnorelay.lab.test")
check("bbbnorelay.lab.test udp 3478", udp_refused, "bbbnorelay.lab.test")
check("bbbnorelay.lab.test tcp 3478", tcp_refused, "bbbnorelay.lab.test")
# A standalone relay.
relay("relay.lab.test")
# webinaire: b3desk, Scalelite, nodes, TURN cluster.
w = "webinaire.numerique.gouv.fr"
check(f"{w} /", http, w, "/", 302, [], "/home")
home = ["<title>Accueil - Webinaire</title>", "Webinaire"]
check(f"{w} /home", http, w, "/home", 200, home, None, "text/html")
check(f"{w} /welcome", http, w, "/welcome", 302, [], "https://auth.proconnect.gouv.fr/api/v2/authorize?")
sc = "bbb-dinum-scalelite.visio.education.fr"
check(f"{sc} API", http, sc, "/bigbluebutton/api", 200, ["<returncode>SUCCESS</returncode>"])
check(f"{sc} API without bbbVersion", no_text, sc, "/bigbluebutton/api", "bbbVersion")
bbb_web("bbb-dinum-w1.visio.education.fr", "3.0.4")
bbb_web("bbb-dinum-w2.visio.education.fr", "2.7.9")
relay(TURN[0], tcp443=True)
for n in TURN[1:]:  # one certificate for the five names, one address
    check(f"{n} turns 443", turn_tls, n)
# Livestorm.
a = "app.livestorm.co"
check(f"{a} /", http, a, "/", 302, [], "/login")
check(f"{a} /login", http, a, "/login", 200, ["<title>Livestorm</title>"], None, "text/html")
check(f"{a} /elsewhere", http, a, "/elsewhere", 404, [], None, "text/html")
check(f"{a} wss /", websocket, a, "/", 404)
api = "api.livestorm.co"
check(f"{api} /v1/ping", http, api, "/v1/ping", 401, ['"Unauthorized"'], None, "application/vnd.api+json")
c = "cdn.ireland.production.livestorm.io"
check(f"{c} /", http, c, "/", 403, ["<Code>AccessDenied</Code>"], None, "application/xml")
check("stun.cloudflare.com stun udp 3478", stun_udp, "stun.cloudflare.com")

print(f"{count} checks, {failed} failed")
sys.exit(1 if failed else 0)
