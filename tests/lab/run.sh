#!/usr/bin/env bash
# The venue lab: each scenario in tests/lab/scenarios/*.toml builds a school network from network
# namespaces and real Debian servers, runs the release binary from the "venue" and checks its
# JSON report against the scenario's [expect] table.
#
#   venue (preflight)  --veth--  firewall (nftables, NAT, squid/e2guardian, TLS interception)
#   198.18.1.2                   198.18.1.1 | 198.18.2.1  --veth--  internet 198.18.2.2
#
# The internet hosts the real services' names (dnsmasq on .53; every other name is NXDOMAIN),
# with certificates from the lab's root CA, answering as the real services do:
#   .10 bbb.lab.test         BigBlueButton 3.0: haproxy on 443 (ALPN stun.turn -> coturn, the
#                            rest -> nginx: API with bbbVersion, /graphql WebSocket, 401 from
#                            auth_request on /bbb-webrtc-sfu), coturn UDP/TCP 3478
#   .11 bbb27.lab.test       BigBlueButton 2.7 (/html5client/sockjs WebSocket, no /graphql), TURN as .10
#   .12 bbbnorelay.lab.test  BigBlueButton 3.0, nginx alone on 443, nothing on 3478
#   .13 relay.lab.test       a standalone coturn: UDP/TCP 3478, TLS 443 (haproxy)
#   .20 wpad.etab.lab        the PAC file (when the scenario announces a proxy)
#   .21 webinaire.numerique.gouv.fr (b3desk: / -> /home, /welcome -> the sign-in provider,
#       which does not resolve); .22 bbb-dinum-scalelite (API without bbbVersion); .23 node w1
#       (3.0), .24 node w2 (2.7), w3 not in the DNS; .25 bbb-dinum-turn1..5 (TURN on 443 as TLS
#       and as plain TCP, UDP/TCP 3478)
#   .30 speed.lab.test       preflight serve (ndt7, STUN)
#   .54 a second resolver that answers NXDOMAIN for every name (scenarios with
#       network.resolver = "nxdomain"; "none" leaves the venue without any resolver)
#   .31 app.livestorm.co, api.livestorm.co (401 JSON); .32 cdn.ireland.production.livestorm.io
#       (403 XML); .33 stun.cloudflare.com (STUN on UDP 3478)
# A guest Wi-Fi (network.captive_portal = URL): the firewall redirects every TCP 80 from the venue to
# a sign-in server on 198.18.1.1:8080 that answers 302 to that URL (and serves the sign-in page).
# tests/lab/hosts.py (scenario `hosts`) checks all of that from the venue.
# Addresses exist only inside the namespaces it makes (198.18.0.0/15, the benchmarking range).
# Everything it starts is stopped and every namespace deleted on exit, also on failure or Ctrl-C.
#
# Usage: tests/lab/run.sh [SCENARIO...]    (names or files; default: all)
#   LAB_EXEC='command' runs the command in the venue namespace once the scenario's servers are up,
#   before preflight (e.g. curl or openssl s_client; $LAB_CA is the venue's trusted roots).
# Needs root. Not root: says so and exits 0, unless CI or PREFLIGHT_LAB=1 is set (then exit 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
  echo "lab: needs root (network namespaces); not run"
  [ -n "${CI:-}${PREFLIGHT_LAB:-}" ] && exit 1
  exit 0
fi
for tool in ip nft dnsmasq nginx haproxy turnserver squid e2guardian openssl python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "lab: $tool is missing (bash .ci/run installs the lab's packages)"
    exit 1
  fi
done

target=${CARGO_TARGET_DIR:-$root/target}
# LAB_PROFILE=dev runs the debug build that `cargo test` builds anyway (CI: one compile fewer);
# the default is the release build people run.
case "${LAB_PROFILE:-release}" in
  dev) (cd "$root" && cargo build --locked -q --bin preflight); bin=$target/debug/preflight ;;
  *) (cd "$root" && cargo build --release --locked -q); bin=$target/release/preflight ;;
esac

id=pfl$$
# Lower case only: e2guardian lowercases the paths of some of its lists.
work=/tmp/preflight-lab-$$
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"
results=${LAB_RESULTS:-$target/lab}
mkdir -p "$results"
pids=()

teardown() {
  local all=("${pids[@]:-}")
  # Daemons that fork away from their starter are found by their pid files.
  for f in "$work"/run/*.pid; do
    [ -f "$f" ] && all+=("$(cat "$f")")
  done
  for p in "${all[@]}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  # Some (e2guardian in the foreground) ignore SIGTERM: two seconds, then SIGKILL.
  for _ in $(seq 20); do
    local alive=0
    for p in "${all[@]}"; do
      [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${all[@]}"; do
    [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
  done
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && wait "$p" 2>/dev/null || true
  done
  pids=()
  for n in v f i; do
    ip netns del "$id-$n" 2>/dev/null || true
    rm -rf "/etc/netns/$id-$n"
  done
  rm -rf "$work/run"
}
cleanup() {
  teardown
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- certificates (P-256: quick to make), made once per run ---------------------------------------
pki() {
  local d=$work/pki
  mkdir -p "$d"
  ca() { # name file
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/O=$1/CN=$1" -keyout "$d/$2.key" -out "$d/$2.pem" 2>/dev/null
  }
  leaf() { # ca file name... (the first name is the CN; all are SANs)
    local names
    names=$(printf 'DNS:%s,' "${@:3}")
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
      -keyout "$d/$2.key" -out "$d/$2.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "${names%,}" >"$d/$2.ext"
    openssl x509 -req -in "$d/$2.csr" -CA "$d/$1.pem" -CAkey "$d/$1.key" -CAcreateserial \
      -days 2 -extfile "$d/$2.ext" -out "$d/$2.crt" 2>/dev/null
    cat "$d/$2.crt" "$d/$2.key" >"$d/$2.bundle"
  }
  ca "Lab Public Root CA" root
  leaf root bbb bbb.lab.test
  leaf root speed speed.lab.test
  leaf root bbb27 bbb27.lab.test
  leaf root bbbnorelay bbbnorelay.lab.test
  leaf root relay relay.lab.test
  leaf root webinaire webinaire.numerique.gouv.fr
  leaf root scalelite bbb-dinum-scalelite.visio.education.fr
  leaf root dinum-w1 bbb-dinum-w1.visio.education.fr
  leaf root dinum-w2 bbb-dinum-w2.visio.education.fr
  leaf root dinum-turn bbb-dinum-turn{1,2,3,4,5}.visio.education.fr
  leaf root livestorm-app app.livestorm.co
  leaf root livestorm-api api.livestorm.co
  leaf root livestorm-cdn cdn.ireland.production.livestorm.io
}

# --- one scenario -------------------------------------------------------------------------------
ns() { ip netns exec "$id-$1" "${@:2}"; }
bg() { # ns logname cmd...: start a daemon in a namespace, remember its pid
  local n=$1 log=$2
  shift 2
  ip netns exec "$id-$n" "$@" >"$work/run/$log.log" 2>&1 &
  pids+=($!)
  # Out of the job table: a daemon that dies badly when stopped (Debian's e2guardian segfaults on
  # SIGTERM) must not print "Segmentation fault" over the results. Teardown still stops each one
  # by its pid (SIGTERM, then SIGKILL); the shell reaps them, its `wait` no longer can.
  disown $!
}
wait_port() { # ns proto addr port
  for _ in $(seq 100); do
    if ns "$1" ss -Hln"${2:0:1}" "sport = :$4" | grep -q "$3:$4"; then return 0; fi
    sleep 0.05
  done
  echo "lab: nothing listens on $2 $3:$4 in $1" >&2
  cat "$work"/run/*.log >&2 || true
  return 1
}

network() {
  for n in v f i; do
    ip netns add "$id-$n"
    ip -n "$id-$n" link set lo up
  done
  ip link add "$id-v0" netns "$id-v" type veth peer name "$id-f0" netns "$id-f"
  ip link add "$id-f1" netns "$id-f" type veth peer name "$id-i0" netns "$id-i"
  ip -n "$id-v" addr add 198.18.1.2/24 dev "$id-v0"
  ip -n "$id-f" addr add 198.18.1.1/24 dev "$id-f0"
  ip -n "$id-f" addr add 198.18.2.1/24 dev "$id-f1"
  ip -n "$id-i" addr add 198.18.2.2/24 dev "$id-i0"
  for a in 10 11 12 13 20 21 22 23 24 25 30 31 32 33 53 54; do
    ip -n "$id-i" addr add "198.18.2.$a/32" dev "$id-i0"
  done
  ip -n "$id-v" link set "$id-v0" up
  ip -n "$id-f" link set "$id-f0" up
  ip -n "$id-f" link set "$id-f1" up
  ip -n "$id-i" link set "$id-i0" up
  ip -n "$id-v" route add default via 198.18.1.1
  ip -n "$id-i" route add default via 198.18.2.1
  ns f sysctl -qw net.ipv4.ip_forward=1
  for n in v f; do
    mkdir -p "/etc/netns/$id-$n"
    printf 'nameserver 198.18.2.53\nsearch etab.lab\n' >"/etc/netns/$id-$n/resolv.conf"
  done
  # The venue's own resolver (the firewall's daemons keep the lab's).
  case "$S_RESOLVER" in
    lab) ;;
    nxdomain) printf 'nameserver 198.18.2.54\nsearch etab.lab\n' >"/etc/netns/$id-v/resolv.conf" ;;
    none) : >"/etc/netns/$id-v/resolv.conf" ;; # Wi-Fi off: no resolver configured at all
    *) echo "lab: unknown resolver $S_RESOLVER" >&2; return 1 ;;
  esac
}

# The host of the captive portal's URL (a name or an address).
portal_host() {
  local h=${S_PORTAL#*://}
  h=${h%%[/?#]*}
  echo "${h%:*}"
}

firewall() {
  local nat_pre="" loss="" police=""
  # Random UDP loss, both ways (netem is not in this kernel; nftables can drop at random).
  [ -n "$S_UDP_LOSS" ] && loss="    meta l4proto udp udp dport != 53 udp sport != 53 numgen random mod 100 < $S_UDP_LOSS drop"
  # A UDP policer towards the measurement peer (tc prio is not in this kernel either).
  [ -n "$S_UDP_POLICE" ] && police="    ip daddr 198.18.2.30 meta l4proto udp limit rate over $S_UDP_POLICE burst 20 kbytes drop"
  [ -n "$S_INTERCEPT" ] && nat_pre="iifname \"$id-f0\" tcp dport 443 redirect to :8443"
  # A guest Wi-Fi: every plain HTTP request goes to the sign-in server, whatever its address.
  [ -n "$S_PORTAL" ] && nat_pre="$nat_pre
    iifname \"$id-f0\" tcp dport 80 redirect to :8080"
  ns f nft -f - <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy $S_FORWARD;
$loss
$police
    ct state established,related accept
$S_RULES
    udp dport 53 accept
    tcp dport 53 accept
  }
  chain pre {
    type nat hook prerouting priority -100;
    $nat_pre
  }
  chain post {
    type nat hook postrouting priority 100;
    oifname "$id-f1" masquerade
  }
}
EOF
  # The school's uplink: what leaves towards the internet is shaped.
  if [ -n "$S_RATE" ]; then
    ns f tc qdisc add dev "$id-f1" root tbf rate "$S_RATE" burst 32kb latency 100ms
  fi
}

# The lab's internet: the hosts of the real services under their real names (the lab's DNS
# resolves them to 198.18.2.0/24, the lab's root CA signs their certificates), answering as the
# services' own code and install scripts make them answer (shared/research/platforms-verified.md).
# Each: name, address.
hosts_table() {
  local bbb=198.18.2.10
  [ -n "$S_SINKHOLE" ] && bbb=$S_SINKHOLE
  cat <<EOF
bbb.lab.test $bbb
bbb27.lab.test 198.18.2.11
bbbnorelay.lab.test 198.18.2.12
relay.lab.test 198.18.2.13
webinaire.numerique.gouv.fr 198.18.2.21
bbb-dinum-scalelite.visio.education.fr 198.18.2.22
bbb-dinum-w1.visio.education.fr 198.18.2.23
bbb-dinum-w2.visio.education.fr 198.18.2.24
bbb-dinum-turn1.visio.education.fr 198.18.2.25
bbb-dinum-turn2.visio.education.fr 198.18.2.25
bbb-dinum-turn3.visio.education.fr 198.18.2.25
bbb-dinum-turn4.visio.education.fr 198.18.2.25
bbb-dinum-turn5.visio.education.fr 198.18.2.25
app.livestorm.co 198.18.2.31
api.livestorm.co 198.18.2.31
cdn.ireland.production.livestorm.io 198.18.2.32
stun.cloudflare.com 198.18.2.33
speed.lab.test 198.18.2.30
proxy.etab.lab 198.18.1.1
EOF
  [ -n "$S_WPAD" ] && echo "wpad.etab.lab 198.18.2.20"
  if [ -n "$S_PORTAL" ] && ! [[ $(portal_host) =~ ^[0-9.]+$ ]]; then
    echo "$(portal_host) 198.18.1.1"
  fi
  return 0
}

# BigBlueButton's web server as bbb-install sets it up, per version (the parts a browser meets).
# /bbb-webrtc-sfu (and the notes) sit behind nginx's auth_request: without a meeting session the
# server itself answers 401 and never upgrades. 3.0: /graphql is a WebSocket (no session check
# before the upgrade), no sockjs. 2.7: /html5client/sockjs is the WebSocket, no /graphql.
bbb_locations() { # version file
  local sockjs graphql
  local ws='proxy_pass http://127.0.0.1:8090; proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";'
  case "$1" in
    3.*) sockjs='return 404;' graphql=$ws ;;
    2.*) sockjs=$ws graphql='return 404;' ;;
  esac
  cat >"$2" <<EOF
location = / {
  default_type text/html;
  return 200 '<!DOCTYPE html><html><head><title>BigBlueButton - Open Source Web Conferencing</title></head><body><h1>Welcome to BigBlueButton</h1></body></html>';
}
location = /bigbluebutton/api {
  default_type text/xml;
  return 200 '<response><returncode>SUCCESS</returncode><version>2.0</version><apiVersion>2.0</apiVersion><bbbVersion>$1</bbbVersion></response>';
}
location /html5client/ {
  default_type text/html;
  return 200 '<!DOCTYPE html><html><head><meta charset="utf-8"><title>BigBlueButton</title></head><body><div id="app"></div></body></html>';
}
location /html5client/sockjs { $sockjs }
location /graphql { $graphql }
location /bbb-webrtc-sfu {
  auth_request /bigbluebutton/connection/checkAuthorization;
  $ws
}
location /pad/ {
  auth_request /bigbluebutton/connection/checkAuthorization;
  $ws
}
location = /bigbluebutton/connection/checkAuthorization {
  internal;
  return 401;
}
location / { return 404; }
EOF
}

# The start of an nginx configuration whose files all sit in the run directory, up to the
# inside of its http block: nginx_head NAME (pid, logs and temp paths named after it).
nginx_head() {
  local r=$work/run
  cat <<EOF
worker_processes 1;
pid $r/$1.pid;
error_log $r/$1.error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $r/$1-body; proxy_temp_path $r/$1-proxy;
  fastcgi_temp_path $r/$1-fcgi; uwsgi_temp_path $r/$1-uwsgi; scgi_temp_path $r/$1-scgi;
EOF
}

internet() {
  local r=$work/run p=$work/pki name addr
  local dns=()
  while read -r name addr; do dns+=(--address=/"$name"/"$addr"); done < <(hosts_table)
  # --local=/#/: every other name is NXDOMAIN (e.g. the sign-in provider, a stale node).
  bg i dnsmasq dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=198.18.2.53 --user=root --pid-file="$r/dnsmasq.pid" --local=/#/ "${dns[@]}"
  if [ "$S_RESOLVER" = nxdomain ]; then
    # A resolver with no name at all: NXDOMAIN for every question.
    bg i dnsmasq-nx dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
      --listen-address=198.18.2.54 --user=root --pid-file="$r/dnsmasq-nx.pid" --local=/#/
  fi
  # The measurement peer an académie would host: preflight serve, HTTPS on 443, STUN on 3478.
  bg i serve "$bin" serve --listen 198.18.2.30:443 --stun 198.18.2.30:3478 \
    --tls-cert "$p/speed.crt" --tls-key "$p/speed.key"
  bg i ws python3 "$here/ws.py" 127.0.0.1 8090
  bbb_locations 3.0.4 "$r/bbb30.locations"
  bbb_locations 2.7.9 "$r/bbb27.locations"
  cert() { # file: a server's certificate lines for nginx
    echo "ssl_certificate $p/$1.crt; ssl_certificate_key $p/$1.key;"
  }
  nginx_head nginx >"$r/nginx.conf"
  cat >>"$r/nginx.conf" <<EOF
  # bbb.lab.test, bbb27.lab.test: behind haproxy, which ends TLS on 443.
  server { listen 127.0.0.1:8080; include $r/bbb30.locations; }
  server { listen 127.0.0.1:8081; include $r/bbb27.locations; }
  # bbbnorelay.lab.test: BigBlueButton 3.0 without haproxy nor coturn: nginx ends TLS itself,
  # so a ClientHello offering only ALPN stun.turn gets no_application_protocol.
  server { listen 198.18.2.12:443 ssl http2; $(cert bbbnorelay) include $r/bbb30.locations; }
  # webinaire.numerique.gouv.fr: b3desk (numerique-gouv/b3desk web/b3desk/endpoints/public.py).
  server {
    listen 198.18.2.21:443 ssl http2; $(cert webinaire)
    absolute_redirect off;
    location = / { return 302 /home; }
    location = /home {
      default_type text/html;
      return 200 '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Accueil - Webinaire</title></head><body><h1>Webinaire</h1><p>Le service de webinaire de l\'État.</p></body></html>';
    }
    location = /welcome {
      return 302 'https://auth.proconnect.gouv.fr/api/v2/authorize?response_type=code&client_id=b3desk&scope=openid+email+given_name+usual_name&redirect_uri=https%3A%2F%2Fwebinaire.numerique.gouv.fr%2Foidc_callback&state=lab&nonce=lab';
    }
    location / { return 404; }
  }
  # Scalelite: its API index has no bbbVersion.
  server {
    listen 198.18.2.22:443 ssl http2; $(cert scalelite)
    location = /bigbluebutton/api {
      default_type text/xml;
      return 200 '<response><returncode>SUCCESS</returncode><version>2.0</version></response>';
    }
    location / { return 404; }
  }
  # Two of its nodes: w1 runs 3.0, w2 2.7 (w3 is in the published list but not in the DNS).
  server { listen 198.18.2.23:443 ssl http2; $(cert dinum-w1) include $r/bbb30.locations; }
  server { listen 198.18.2.24:443 ssl http2; $(cert dinum-w2) include $r/bbb27.locations; }
  # Livestorm: the app (a WebSocket upgrade on / is not switched), the API, the CDN (S3-like).
  server {
    listen 198.18.2.31:443 ssl http2 default_server; server_name app.livestorm.co; $(cert livestorm-app)
    absolute_redirect off;
    location = / {
      if (\$http_upgrade) { return 404; }
      return 302 /login;
    }
    location = /login {
      default_type text/html;
      return 200 '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Livestorm</title></head><body><div id="app"></div></body></html>';
    }
    location / {
      default_type text/html;
      return 404 '<!DOCTYPE html><html><head><title>Page not found - Livestorm</title></head><body><h1>404</h1></body></html>';
    }
  }
  server {
    listen 198.18.2.31:443 ssl http2; server_name api.livestorm.co; $(cert livestorm-api)
    location / {
      default_type application/vnd.api+json;
      return 401 '{"errors":[{"title":"Unauthorized","detail":"A valid API token is required","code":"401","status":"401"}]}';
    }
  }
  server {
    listen 198.18.2.32:443 ssl http2; $(cert livestorm-cdn)
    location / {
      default_type application/xml;
      return 403 '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>LAB0000000000000</RequestId></Error>';
    }
  }
  server {
    listen 198.18.2.20:80;
    location = /wpad.dat {
      default_type application/x-ns-proxy-autoconfig;
      return 200 'function FindProxyForURL(url, host) { return "PROXY proxy.etab.lab:3128; DIRECT"; }';
    }
  }
}
EOF
  bg i nginx nginx -c "$r/nginx.conf" -g 'daemon off;'
  # One coturn for every relay (bbb, bbb27, relay, the DINUM cluster) and the STUN server; each
  # relays from the address it was reached on. Nothing on bbbnorelay.lab.test.
  local ip listen=()
  for ip in 10 11 13 25 33; do listen+=(--listening-ip "198.18.2.$ip"); done
  bg i coturn turnserver -n --no-cli "${listen[@]}" \
    --listening-port 3478 --no-tls --no-dtls --min-port 49152 --max-port 49200 \
    --lt-cred-mech --user u:p --realm lab.test --pidfile "$r/turn.pid" --log-file stdout
  cat >"$r/haproxy.cfg" <<EOF
global
  pidfile $r/haproxy.pid
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
# bbb-install's 443: ALPN stun.turn goes to coturn, everything else to nginx.
frontend bbb
  bind 198.18.2.10:443 ssl crt $p/bbb.bundle alpn http/1.1,stun.turn
  use_backend turn-bbb if { ssl_fc_alpn -i stun.turn }
  default_backend web-bbb30
frontend bbb27
  bind 198.18.2.11:443 ssl crt $p/bbb27.bundle alpn http/1.1,stun.turn
  use_backend turn-bbb27 if { ssl_fc_alpn -i stun.turn }
  default_backend web-bbb27
# A standalone relay (bbb-install -c): TURN over TLS on 443.
frontend relay
  bind 198.18.2.13:443 ssl crt $p/relay.bundle alpn stun.turn
  default_backend turn-relay
# The DINUM TURN cluster on 443, as TLS and as plain TCP: a TLS ClientHello is ended by the
# frontend below, anything else goes to coturn as it is.
frontend dinum-turn
  bind 198.18.2.25:443
  tcp-request inspect-delay 3s
  tcp-request content accept if { req.ssl_hello_type 1 }
  tcp-request content accept if { req.len gt 0 }
  use_backend dinum-turn-tls if { req.ssl_hello_type 1 }
  default_backend turn-dinum
frontend dinum-turn-tls
  bind 127.0.0.1:8445 ssl crt $p/dinum-turn.bundle alpn stun.turn
  default_backend turn-dinum
backend dinum-turn-tls
  server tls 127.0.0.1:8445
backend turn-bbb
  server coturn 198.18.2.10:3478
backend turn-bbb27
  server coturn 198.18.2.11:3478
backend turn-relay
  server coturn 198.18.2.13:3478
backend turn-dinum
  server coturn 198.18.2.25:3478
backend web-bbb30
  server nginx 127.0.0.1:8080
backend web-bbb27
  server nginx 127.0.0.1:8081
EOF
  bg i haproxy haproxy -db -f "$r/haproxy.cfg"
}

middlebox() {
  local r=$work/run
  if [ -n "$S_PORTAL" ]; then
    # The guest Wi-Fi's sign-in server: its own page for its own host, a 302 to it for any other.
    nginx_head portal >"$r/portal.conf"
    cat >>"$r/portal.conf" <<EOF
  server {
    listen 198.18.1.1:8080 default_server;
    location / { return 302 '$S_PORTAL'; }
  }
  server {
    listen 198.18.1.1:8080; server_name $(portal_host);
    location / {
      default_type text/html;
      return 200 '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Wi-Fi invités — connexion</title></head><body><h1>Wi-Fi invités</h1><p>Acceptez les conditions d\'utilisation pour accéder à Internet.</p><form method="post"><button>Se connecter</button></form></body></html>';
    }
  }
}
EOF
    bg f portal nginx -c "$r/portal.conf" -g 'daemon off;'
  fi
  if [ -n "$S_INTERCEPT" ]; then
    # A TLS inspection box: it presents certificates minted by its own CA (named like the
    # vendor's), and re-encrypts towards the real server.
    local d=$work/pki
    if [ ! -f "$d/icpt-$S_INTERCEPT.bundle" ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=$S_INTERCEPT/CN=$S_INTERCEPT" \
        -keyout "$d/icpt-$S_INTERCEPT-ca.key" -out "$d/icpt-$S_INTERCEPT-ca.pem" 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -subj "/CN=bbb.lab.test" -keyout "$d/icpt.key" \
        -out "$d/icpt.csr" 2>/dev/null
      printf 'subjectAltName=DNS:bbb.lab.test\n' >"$d/icpt.ext"
      openssl x509 -req -in "$d/icpt.csr" -CA "$d/icpt-$S_INTERCEPT-ca.pem" \
        -CAkey "$d/icpt-$S_INTERCEPT-ca.key" -CAcreateserial -days 2 -extfile "$d/icpt.ext" \
        -out "$d/icpt.crt" 2>/dev/null
      cat "$d/icpt.crt" "$d/icpt.key" >"$d/icpt-$S_INTERCEPT.bundle"
    fi
    local mode=tcp deny=""
    if [ -n "$S_INTERCEPT_WS" ]; then
      mode=http
      deny="  http-request deny deny_status 403 if { hdr(upgrade) -i websocket }"
    fi
    cat >"$r/intercept.cfg" <<EOF
global
  pidfile $r/intercept.pid
defaults
  mode $mode
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend inspect
  bind :8443 ssl crt $d/icpt-$S_INTERCEPT.bundle alpn http/1.1
$deny
  default_backend upstream
backend upstream
  server real 198.18.2.10:443 ssl verify none sni str(bbb.lab.test) alpn http/1.1
EOF
    bg f intercept haproxy -db -f "$r/intercept.cfg"
  fi
  case "$S_PROXY" in
    none) ;;
    squid)
      mkdir -p "$r/squid"
      chown proxy:proxy "$r/squid"
      cat >"$r/squid.conf" <<EOF
http_port 198.18.1.1:3128
acl SSL_ports port 443
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow all
cache deny all
dns_nameservers 198.18.2.53
pid_filename $r/squid/squid.pid
cache_log $r/squid/cache.log
access_log none
coredump_dir $r/squid
shutdown_lifetime 0 seconds
EOF
      bg f squid squid -N -f "$r/squid.conf"
      ;;
    e2guardian)
      # AMON's filter: e2guardian answering the browsers on 3128, French pages, a banned list.
      local e=$r/e2g
      chmod 1777 "$r" # e2guardian drops to its own user, and logs there
      cp -r /etc/e2guardian "$e"
      grep -rl /etc/e2guardian "$e" | xargs sed -i "s#/etc/e2guardian#$e#g"
      sed -i -e "s/^filterip =.*/filterip = 198.18.1.1/" -e "s/^filterports =.*/filterports = 3128/" \
        -e "s/^language = .*/language = 'french'/" -e "s/^transparenthttpsport =.*/transparenthttpsport = 0/" \
        -e "s/^nodaemon = .*/nodaemon = on/" "$e/e2guardian.conf"
      {
        echo "pidfilename = '$r/e2guardian.pid'"
        echo "loglocation = '$r/e2guardian.access.log'"
      } >>"$e/e2guardian.conf"
      for h in $S_BANNED; do echo "$h" >>"$e/lists/bannedsitelist"; done
      bg f e2guardian e2guardian -N -c "$e/e2guardian.conf"
      ;;
    *) echo "lab: unknown proxy $S_PROXY" >&2; return 1 ;;
  esac
}

servers_ready() {
  wait_port i udp 198.18.2.53 53 &&
    wait_port i tcp 127.0.0.1 8090 &&
    wait_port i tcp 127.0.0.1 8080 &&
    wait_port i tcp 198.18.2.32 443 &&
    wait_port i tcp 198.18.2.10 443 &&
    wait_port i tcp 198.18.2.25 443 &&
    wait_port i tcp 198.18.2.10 3478 &&
    wait_port i udp 198.18.2.33 3478 &&
    wait_port i tcp 198.18.2.30 443 &&
    { [ "$S_RESOLVER" != nxdomain ] || wait_port i udp 198.18.2.54 53; } &&
    { [ -z "$S_PORTAL" ] || wait_port f tcp 198.18.1.1 8080; } &&
    { [ "$S_PROXY" = none ] || wait_port f tcp 198.18.1.1 3128; } &&
    { [ -z "$S_INTERCEPT" ] || wait_port f tcp 0.0.0.0 8443; }
}

run_scenario() {
  local file=$1 name
  name=$(basename "$file" .toml)
  local vars
  if ! vars=$(python3 "$here/scenario.py" env "$file"); then
    printf '%-24s %s\n' "$name" "FAIL: the scenario file is not valid"
    return 1
  fi
  eval "$vars"
  mkdir -p "$work/run"
  # (set -e does not apply inside a function called with ||: each step is checked.)
  if ! { network && firewall && internet && middlebox && servers_ready; }; then
    printf '%-24s %s\n' "$name" "FAIL: the lab could not be set up"
    teardown
    return 1
  fi
  local out=$results/$name.json ca=$work/pki/root.pem
  if [ -n "$S_INTERCEPT" ]; then
    # The school's machines trust the inspection box's CA (pushed by the DSI), as here.
    cat "$work/pki/root.pem" "$work/pki/icpt-$S_INTERCEPT-ca.pem" >"$work/run/ca.pem"
    ca=$work/run/ca.pem
  fi
  if [ -n "${LAB_EXEC:-}" ]; then
    # A look from the venue before the run (e.g. curl, openssl s_client); $LAB_CA is its trust.
    ns v env LAB_CA="$ca" bash -c "$LAB_EXEC" || true
  fi
  local start end code=0 secs ok=0
  start=$(date +%s.%N)
  if [ -n "$S_SELF_CHECK" ]; then
    ns v python3 "$here/hosts.py" "$ca" >"$results/$name.txt" 2>&1 || code=$?
    end=$(date +%s.%N)
    secs=$(awk "BEGIN { printf \"%.1fs\", $end - $start }")
    if [ "$code" = 0 ]; then
      printf '%-24s %-9s %-11s %-14s %-28s %6s PASS (%s)\n' "$name" - - - - "$secs" "$(tail -n 1 "$results/$name.txt")"
    else
      printf '%-24s %-9s %-11s %-14s %-28s %6s FAIL:\n' "$name" - - - - "$secs"
      grep -v '^ok ' "$results/$name.txt" >&2 || true
      ok=1
    fi
    teardown
    return $ok
  fi
  rm -f "$out" "$results/$name.html"
  local resolver=()
  case "$S_RESOLVER" in
    lab) resolver=(--resolver 198.18.2.53) ;;
    nxdomain) resolver=(--resolver 198.18.2.54) ;;
    none) ;; # the system's configuration, which has no resolver
  esac
  local measure=(--no-bandwidth)
  [ -n "$S_MEASURE" ] && measure=(--bandwidth-url wss://speed.lab.test/ndt/v7/upload --duration "$S_MEASURE")
  if [ -n "$S_WEBCAM" ]; then
    # The speaker's webcam set to another quality: the bbb profile with that default.
    sed "s/^webcam_default = .*/webcam_default = \"$S_WEBCAM\"/" "$root/profiles/bbb.toml" >"$work/run/bbb.toml"
    measure+=(--profile "$work/run/bbb.toml")
  fi
  ns v env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
    "$bin" check --server "$S_SERVER" "${resolver[@]}" --ca-file "$ca" --lab-control 198.18.2.10:443 \
    --lab-net 198.18.0.0/15 --timeout 3 "${measure[@]}" --lang fr --venue "$name" \
    --json "$out" --html "$results/$name.html" "${S_ARGS[@]}" \
    >"$results/$name.txt" 2>&1 || code=$?
  end=$(date +%s.%N)
  secs=$(awk "BEGIN { printf \"%.1fs\", $end - $start }")
  python3 "$here/scenario.py" check "$file" "$out" "$secs" "$code" || ok=$?
  if [ "$ok" = 1 ]; then
    echo "---- $name: preflight exit $code, its report:" >&2
    cat "$results/$name.txt" >&2 || true
    tail -n 5 "$work"/run/*.log "$work"/run/e2guardian.access.log >&2 2>/dev/null || true
  fi
  teardown
  return $ok
}

pki
if [ $# -gt 0 ]; then
  files=()
  for s in "$@"; do
    if [ -f "$s" ]; then files+=("$s"); else files+=("$here/scenarios/$s.toml"); fi
  done
else
  files=("$here"/scenarios/*.toml)
fi
printf '%-24s %-9s %-11s %-14s %-28s %6s %s\n' scenario verdict firewall finding desk time result
failed=0 pending=0
lab_start=$(date +%s)
for f in "${files[@]}"; do
  rc=0
  run_scenario "$f" || rc=$?
  case $rc in
    0) ;;
    2) pending=$((pending + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
echo "lab: ${#files[@]} scenarios, $failed failed, $pending pending (known gaps, not counted)," \
  "$(($(date +%s) - lab_start)) s; reports in $results"
[ "$failed" = 0 ]
