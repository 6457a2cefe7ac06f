#!/usr/bin/env python3
"""The lab's scenario files: `env FILE` prints the scenario as shell assignments for run.sh;
`check FILE REPORT SECONDS [EXIT]` compares a preflight JSON report (and the HTML report beside
it, and preflight's exit code) with the scenario's [expect] table and prints one table row. Exit 0: it matches; 1: it does not; 2: it does not, and the scenario
is marked `pending` (a known gap of the binary, named there: reported, not counted as a failure)."""
import json, os, shlex, sys, tomllib

DEFAULTS = {
    "description": "",
    "pending": "",  # why the binary is not expected to pass yet (an issue): failures are shown, not counted
    "network": {
        "forward": "accept",  # the firewall's forward policy: accept | drop
        "rules": [],  # nftables rules of the forward chain, before the defaults
        "proxy": "none",  # explicit proxy on 198.18.1.1:3128: none | squid | e2guardian
        "wpad": False,  # the lab's DNS and web server announce the proxy (WPAD/PAC)
        "banned": [],  # hosts e2guardian bans
        "intercept": "",  # CA name of a TLS interception box on tcp/443 ("": none)
        "intercept_blocks_websocket": False,
        "sinkhole": "",  # the address the DNS gives for the platform instead of its own
        "rate": "",  # tc tbf rate of the uplink (e.g. "1500kbit"; "": not shaped)
        "udp_loss": 0,  # percent of UDP packets dropped at random by the firewall
        # The venue's resolver (its resolv.conf, and --resolver): "lab" (198.18.2.53, the lab's
        # names), "nxdomain" (198.18.2.54, answers NXDOMAIN for every name), "none" (an empty
        # resolv.conf and no --resolver: no resolver configured at all)
        "resolver": "lab",
        # A guest Wi-Fi's sign-in portal: every TCP 80 from the venue is redirected to a web
        # server on the firewall that answers 302 to this URL ("": none); its host, if a name,
        # is in the lab's DNS as 198.18.1.1
        "captive_portal": "",
        "udp_police": "",  # nftables rate UDP to the measurement peer is policed to ("62 kbytes/second")
    },
    "run": {
        "args": [],  # more options for `preflight check`
        "measure": 0,  # seconds of upload to the lab's serve (0: none)
        "platforms": ["bbb"],  # one --platform each; [] means every bundled platform
        "server": "bbb.lab.test",  # --server
        "self_check": False,  # instead of preflight: hosts.py checks the lab's internet
        "webcam": "",  # the speaker's default webcam quality in the bbb profile ("": bundled)
    },
    "expect": {},
}

EXPECT = {
    "verdict", "platforms", "classes", "absent_classes", "family", "evidence_contains",
    "desk_contains", "ticket", "proxy", "upload_kbps", "via_proxy", "fits", "quality",
    "notes_contain", "platform_notes_contain", "probes_ok", "no_firewall", "media_loss_above",
    # network.finding.class: a class, a list of accepted classes, or "none" (null)
    "network_finding",
    "portal_contains",  # network.finding.portal contains this
    "ticket_max_lines",  # a ticket exists and has at most this many lines
    "files_written",  # the JSON and the HTML report both exist (and are not empty)
    "exit_code",  # preflight's exit code
}
RESOLVERS = {"lab", "nxdomain", "none"}


def load(path):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    known = set(DEFAULTS)
    for k in data:
        if k not in known:
            sys.exit(f"{path}: unknown table or key `{k}`")
    net = dict(DEFAULTS["network"])
    for k, v in data.get("network", {}).items():
        if k not in net:
            sys.exit(f"{path}: unknown key `network.{k}`")
        net[k] = v
    if net["resolver"] not in RESOLVERS:
        sys.exit(f"{path}: network.resolver must be one of {sorted(RESOLVERS)}")
    run = dict(DEFAULTS["run"])
    for k, v in data.get("run", {}).items():
        if k not in run:
            sys.exit(f"{path}: unknown key `run.{k}`")
        run[k] = v
    for k in data.get("expect", {}):
        if k not in EXPECT:
            sys.exit(f"{path}: unknown key `expect.{k}`")
    data["run"] = run
    return data, net


def env(path):
    data, net = load(path)
    out = {
        "S_DESC": data.get("description", ""),
        "S_FORWARD": net["forward"],
        "S_RULES": "\n".join(net["rules"]),
        "S_PROXY": net["proxy"],
        "S_WPAD": "1" if net["wpad"] else "",
        "S_BANNED": " ".join(net["banned"]),
        "S_INTERCEPT": net["intercept"],
        "S_INTERCEPT_WS": "1" if net["intercept_blocks_websocket"] else "",
        "S_SINKHOLE": net["sinkhole"],
        "S_RATE": net["rate"],
        "S_UDP_LOSS": str(net["udp_loss"] or ""),
        "S_RESOLVER": net["resolver"],
        "S_PORTAL": net["captive_portal"],
        "S_MEASURE": str(data["run"]["measure"] or ""),
        "S_SERVER": data["run"]["server"],
        "S_SELF_CHECK": "1" if data["run"]["self_check"] else "",
        "S_PENDING": data.get("pending", ""),
        "S_UDP_POLICE": net["udp_police"],
        "S_WEBCAM": data["run"]["webcam"],
    }
    for k, v in out.items():
        print(f"{k}={shlex.quote(str(v))}")
    args = list(data["run"]["args"])
    for p in data["run"]["platforms"]:
        args += ["--platform", p]
    print("S_ARGS=(" + " ".join(shlex.quote(a) for a in args) + ")")


def classes(report):
    """Failure classes that count in a verdict (probes marked `not_counted` by the diagnosis,
    e.g. another BigBlueButton version's endpoint, are left out)."""
    seen = set()
    for p in report["platforms"]:
        for o in p["probes"]:
            if (o.get("data") or {}).get("not_counted"):
                continue
            c = (o.get("error") or {}).get("class") or (o.get("data") or {}).get("cause")
            if c and o["status"] in ("fail", "warn", "skipped"):
                seen.add(c)
                seen.add(f"{o['kind']}:{c}")
                if o.get("transport"):
                    seen.add(f"{o['kind']}/{o['transport']}:{c}")
    return seen


def check(path, report_path, seconds, exit_code=None):
    data, _ = load(path)
    name = path.rsplit("/", 1)[-1].removesuffix(".toml")
    exp = data.get("expect", {})
    try:
        with open(report_path) as f:
            r = json.load(f)
    except Exception as e:  # no report at all is a failure of the scenario
        pending = data.get("pending", "")
        status = f"PENDING ({pending})" if pending else "FAIL"
        print(f"{name:<24} {'-':<9} {'-':<11} {'-':<14} {'-':<28} {seconds:>6} {status}: no report ({e})")
        return 2 if pending else 1
    problems = []
    verdict = r["verdict"]
    family = r["firewall"]["family"]
    desk = (r.get("support") or {}).get("desk") or "-"
    if "verdict" in exp and verdict != exp["verdict"]:
        problems.append(f"verdict {verdict}, expected {exp['verdict']}")
    for pid, v in exp.get("platforms", {}).items():
        got = next((p["verdict"] for p in r["platforms"] if p["id"] == pid), None)
        if got != v:
            problems.append(f"{pid} {got}, expected {v}")
    seen = classes(r)
    for c in exp.get("classes", []):
        if c not in seen:
            problems.append(f"no failing probe `{c}` (saw {sorted(x for x in seen if ':' not in x)})")
    for c in exp.get("absent_classes", []):
        if c in seen:
            problems.append(f"unexpected `{c}`")
    if "family" in exp and family != exp["family"]:
        problems.append(f"firewall {family}, expected {exp['family']}")
    for e in exp.get("evidence_contains", []):
        if not any(e.lower() in x.lower() for x in r["firewall"]["evidence"]):
            problems.append(f"no evidence mentioning `{e}`")
    if "desk_contains" in exp and exp["desk_contains"].lower() not in desk.lower():
        problems.append(f"desk `{desk}`, expected `{exp['desk_contains']}`")
    ticket = bool((r.get("support") or {}).get("ticket"))
    if "ticket" in exp and ticket != exp["ticket"]:
        problems.append(f"ticket {'present' if ticket else 'absent'}")
    if "proxy" in exp and bool(r["network"].get("proxy")) != exp["proxy"]:
        problems.append(f"proxy {r['network'].get('proxy')}")
    b = r.get("bandwidth") or {}
    up = b.get("upload_kbps")
    if "upload_kbps" in exp:
        lo, hi = exp["upload_kbps"]
        if up is None or not lo <= up <= hi:
            problems.append(f"upload {up} kbit/s, expected {lo}..{hi} ({(b.get('error') or {}).get('message', '')})")
    if "via_proxy" in exp and bool(b.get("via_proxy")) != exp["via_proxy"]:
        problems.append(f"measured via proxy: {b.get('via_proxy')}")
    if "fits" in exp:
        got = [p.get("fits") for p in b.get("platforms", [])]
        if exp["fits"] not in got:
            problems.append(f"fits {got}, expected {exp['fits']}")
    if "quality" in exp:
        q = [o for p in r["platforms"] for o in p["probes"] if o["kind"] == "udp_quality"]
        got = q[0]["status"] if q else None
        if got != exp["quality"]:
            problems.append(f"udp_quality {got}, expected {exp['quality']} ({q[0].get('data') if q else ''})")
    if "media_loss_above" in exp:
        m = b.get("media_udp") or {}
        loss = m.get("loss_pct")
        if loss is None or loss <= exp["media_loss_above"]:
            problems.append(f"media_udp loss {loss}, expected above {exp['media_loss_above']} ({m})")
    for n in exp.get("notes_contain", []):
        if not any(n.lower() in x.lower() for x in r.get("notes", [])):
            problems.append(f"no note mentioning `{n}` (notes: {r.get('notes')})")
    for pid, wanted in exp.get("platform_notes_contain", {}).items():
        p = next((p for p in r["platforms"] if p["id"] == pid), None)
        if p is None:
            problems.append(f"no platform {pid}")
            continue
        texts = list(p.get("notes") or []) + [p.get("summary") or ""]
        texts += [str(x) for x in p.get("reasons") or []]
        for n in wanted:
            if not any(n.lower() in t.lower() for t in texts):
                problems.append(f"{pid}: no note mentioning `{n}`")
    for spec in exp.get("probes_ok", []):
        kind, _, text = spec.partition("@")
        kind, _, transport = kind.partition("/")
        found = [
            o for p in r["platforms"] for o in p["probes"]
            if o["kind"] == kind and transport in ("", o.get("transport")) and text in o["target"]
        ]
        if not any(o["status"] == "ok" for o in found):
            got = ", ".join(f"{o['target']} {o['status']}" for o in found) or "no such probe"
            problems.append(f"probe {spec} not ok ({got})")
    if exp.get("no_firewall") and (family != "none" or r["firewall"]["evidence"]):
        problems.append(f"firewall {family} claimed ({'; '.join(r['firewall']['evidence'])})")
    nf = r["network"].get("finding") or {}
    found = nf.get("class") or "none"
    if "network_finding" in exp:
        wanted = exp["network_finding"]
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        if found not in wanted:
            problems.append(f"network finding {found}, expected {' or '.join(wanted)}")
    if "portal_contains" in exp and exp["portal_contains"] not in (nf.get("portal") or ""):
        problems.append(f"portal {nf.get('portal')!r}, expected it to contain {exp['portal_contains']!r}")
    if "ticket_max_lines" in exp:
        lines = ((r.get("support") or {}).get("ticket") or "").splitlines()
        if not lines:
            problems.append("no ticket")
        elif len(lines) > exp["ticket_max_lines"]:
            problems.append(f"ticket of {len(lines)} lines, expected at most {exp['ticket_max_lines']}")
    if exp.get("files_written"):
        html = report_path.removesuffix(".json") + ".html"
        for f in (report_path, html):
            if not os.path.isfile(f) or os.path.getsize(f) == 0:
                problems.append(f"{os.path.basename(f)} not written")
    if "exit_code" in exp and str(exp["exit_code"]) != str(exit_code):
        problems.append(f"exit code {exit_code}, expected {exp['exit_code']}")
    pending = data.get("pending", "")
    if not problems:
        status = "PASS" + (f" (still marked pending: {pending}; remove the mark)" if pending else "")
    elif pending:
        status = f"PENDING ({pending}): " + "; ".join(problems)
    else:
        status = "FAIL: " + "; ".join(problems)
    print(f"{name:<24} {verdict:<9} {family:<11} {found:<14} {desk[:28]:<28} {seconds:>6} {status}")
    if not problems:
        return 0
    return 2 if pending else 1


if __name__ == "__main__":
    if sys.argv[1] == "env":
        env(sys.argv[2])
    elif sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:6]))
    else:
        sys.exit("usage: scenario.py env FILE | check FILE REPORT SECONDS [EXIT]")
