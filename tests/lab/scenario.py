#!/usr/bin/env python3
"""The lab's scenario files: `env FILE` prints the scenario as shell assignments for run.sh;
`check FILE REPORT` compares a preflight JSON report with the scenario's [expect] table and
prints one table row (exit 1 when it does not match)."""
import json, shlex, sys, tomllib

DEFAULTS = {
    "description": "",
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
    },
    "run": {"args": [], "measure": 0},  # measure: seconds of upload to the lab's serve (0: none)
    "expect": {},
}


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
        "S_MEASURE": str(data.get("run", {}).get("measure") or ""),
    }
    for k, v in out.items():
        print(f"{k}={shlex.quote(str(v))}")
    args = data.get("run", {}).get("args", [])
    print("S_ARGS=(" + " ".join(shlex.quote(a) for a in args) + ")")


def classes(report):
    seen = set()
    for p in report["platforms"]:
        for o in p["probes"]:
            c = (o.get("error") or {}).get("class") or (o.get("data") or {}).get("cause")
            if c and o["status"] in ("fail", "warn", "skipped"):
                seen.add(c)
                seen.add(f"{o['kind']}:{c}")
                if o.get("transport"):
                    seen.add(f"{o['kind']}/{o['transport']}:{c}")
    return seen


def check(path, report_path, seconds):
    data, _ = load(path)
    name = path.rsplit("/", 1)[-1].removesuffix(".toml")
    exp = data.get("expect", {})
    try:
        with open(report_path) as f:
            r = json.load(f)
    except Exception as e:  # no report at all is a failure of the scenario
        print(f"{name:<24} {'-':<9} {'-':<11} {'-':<28} {seconds:>6} FAIL: no report ({e})")
        return 1
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
    for n in exp.get("notes_contain", []):
        if not any(n.lower() in x.lower() for x in r.get("notes", [])):
            problems.append(f"no note mentioning `{n}` (notes: {r.get('notes')})")
    status = "PASS" if not problems else "FAIL: " + "; ".join(problems)
    print(f"{name:<24} {verdict:<9} {family:<11} {desk[:28]:<28} {seconds:>6} {status}")
    return 0 if not problems else 1


if __name__ == "__main__":
    if sys.argv[1] == "env":
        env(sys.argv[2])
    elif sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit("usage: scenario.py env FILE | check FILE REPORT SECONDS")
