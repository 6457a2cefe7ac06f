#!/usr/bin/env bash
# The venue lab: each scenario in tests/lab/scenarios/*.toml builds a school network from network
# namespaces and real Debian servers, runs the release binary from the "venue" and checks its
# JSON report against the scenario's [expect] table.
#
#   venue (preflight)  --veth--  firewall (nftables, NAT, squid/e2guardian, TLS interception)
#   198.18.1.2                   198.18.1.1 | 198.18.2.1  --veth--  internet 198.18.2.2
#                                                                   .10 bbb.lab.test: haproxy 443
#                                                                       (TLS, ALPN stun.turn ->
#                                                                       coturn), nginx, coturn 3478
#                                                                   .20 wpad.etab.lab (nginx, PAC)
#                                                                   .30 speed.lab.test (preflight
#                                                                       serve: ndt7, STUN)
#                                                                   .53 dnsmasq
# Addresses exist only inside the namespaces it makes (198.18.0.0/15, the benchmarking range).
# Everything it starts is stopped and every namespace deleted on exit, also on failure or Ctrl-C.
#
# Usage: tests/lab/run.sh [SCENARIO...]    (names or files; default: all)
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
(cd "$root" && cargo build --release --locked -q)
bin=$target/release/preflight

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

# --- certificates, made once per run ------------------------------------------------------------
pki() {
  local d=$work/pki
  mkdir -p "$d"
  ca() { # name file
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/O=$1/CN=$1" \
      -keyout "$d/$2.key" -out "$d/$2.pem" 2>/dev/null
  }
  leaf() { # ca file cn
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" -keyout "$d/$2.key" -out "$d/$2.csr" 2>/dev/null
    printf 'subjectAltName=DNS:%s\n' "$3" >"$d/$2.ext"
    openssl x509 -req -in "$d/$2.csr" -CA "$d/$1.pem" -CAkey "$d/$1.key" -CAcreateserial \
      -days 2 -extfile "$d/$2.ext" -out "$d/$2.crt" 2>/dev/null
    cat "$d/$2.crt" "$d/$2.key" >"$d/$2.bundle"
  }
  ca "Lab Public Root CA" root
  leaf root bbb bbb.lab.test
  leaf root speed speed.lab.test
}

# --- one scenario -------------------------------------------------------------------------------
ns() { ip netns exec "$id-$1" "${@:2}"; }
bg() { # ns logname cmd...: start a daemon in a namespace, remember its pid
  local n=$1 log=$2
  shift 2
  ip netns exec "$id-$n" "$@" >"$work/run/$log.log" 2>&1 &
  pids+=($!)
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
  for a in 10 20 30 53; do ip -n "$id-i" addr add "198.18.2.$a/32" dev "$id-i0"; done
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
}

firewall() {
  local nat_pre="" loss=""
  # Random UDP loss, both ways (netem is not in this kernel; nftables can drop at random).
  [ -n "$S_UDP_LOSS" ] && loss="    meta l4proto udp udp dport != 53 udp sport != 53 numgen random mod 100 < $S_UDP_LOSS drop"
  [ -n "$S_INTERCEPT" ] && nat_pre="iifname \"$id-f0\" tcp dport 443 redirect to :8443"
  ns f nft -f - <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy $S_FORWARD;
$loss
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

internet() {
  local r=$work/run addr=198.18.2.10
  [ -n "$S_SINKHOLE" ] && addr=$S_SINKHOLE
  local wpad=()
  [ -n "$S_WPAD" ] && wpad=(--address=/wpad.etab.lab/198.18.2.20)
  bg i dnsmasq dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=198.18.2.53 --user=root --pid-file="$r/dnsmasq.pid" \
    --local=/lab.test/ --local=/etab.lab/ --address=/bbb.lab.test/"$addr" \
    --address=/proxy.etab.lab/198.18.1.1 --address=/speed.lab.test/198.18.2.30 "${wpad[@]}"
  # The measurement peer an académie would host: preflight serve, HTTPS on 443, STUN on 3478.
  bg i serve "$bin" serve --listen 198.18.2.30:443 --stun 198.18.2.30:3478 \
    --tls-cert "$work/pki/speed.crt" --tls-key "$work/pki/speed.key"
  bg i ws python3 "$here/ws.py" 127.0.0.1 8090
  cat >"$r/nginx.conf" <<EOF
worker_processes 1;
pid $r/nginx.pid;
error_log $r/nginx.error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $r/ngx-body; proxy_temp_path $r/ngx-proxy;
  fastcgi_temp_path $r/ngx-fcgi; uwsgi_temp_path $r/ngx-uwsgi; scgi_temp_path $r/ngx-scgi;
  server {
    listen 127.0.0.1:8080;
    location = /bigbluebutton/api {
      default_type text/xml;
      return 200 "<response><returncode>SUCCESS</returncode><version>2.0</version></response>";
    }
    location ~ ^/(bbb-webrtc-sfu|graphql) {
      proxy_pass http://127.0.0.1:8090;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection "upgrade";
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
  bg i coturn turnserver -n --no-cli --listening-ip 198.18.2.10 --relay-ip 198.18.2.10 \
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
frontend https
  bind 198.18.2.10:443 ssl crt $work/pki/bbb.bundle alpn http/1.1,stun.turn
  use_backend turn if { ssl_fc_alpn -i stun.turn }
  default_backend web
backend turn
  server coturn 198.18.2.10:3478
backend web
  server nginx 127.0.0.1:8080
EOF
  bg i haproxy haproxy -db -f "$r/haproxy.cfg"
}

middlebox() {
  local r=$work/run
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

run_scenario() {
  local file=$1 name
  name=$(basename "$file" .toml)
  eval "$(python3 "$here/scenario.py" env "$file")"
  mkdir -p "$work/run"
  network
  firewall
  internet
  middlebox
  wait_port i udp 198.18.2.53 53
  wait_port i tcp 198.18.2.10 443
  wait_port i tcp 198.18.2.10 3478
  wait_port i tcp 127.0.0.1 8080
  wait_port i tcp 198.18.2.30 443
  [ "$S_PROXY" != none ] && wait_port f tcp 198.18.1.1 3128
  [ -n "$S_INTERCEPT" ] && wait_port f tcp 0.0.0.0 8443
  local out=$results/$name.json ca=$work/pki/root.pem
  if [ -n "$S_INTERCEPT" ]; then
    # The school's machines trust the inspection box's CA (pushed by the DSI), as here.
    cat "$work/pki/root.pem" "$work/pki/icpt-$S_INTERCEPT-ca.pem" >"$work/run/ca.pem"
    ca=$work/run/ca.pem
  fi
  rm -f "$out"
  local start end code=0
  local measure=(--no-bandwidth)
  [ -n "$S_MEASURE" ] && measure=(--bandwidth-url wss://speed.lab.test/ndt/v7/upload --duration "$S_MEASURE")
  start=$(date +%s.%N)
  ns v env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
    "$bin" check --server bbb.lab.test --platform bbb --resolver 198.18.2.53 --ca-file "$ca" \
    --lab-net 198.18.0.0/15 --timeout 3 "${measure[@]}" --lang fr --venue "$name" \
    --json "$out" --html "$results/$name.html" "${S_ARGS[@]}" \
    >"$results/$name.txt" 2>&1 || code=$?
  end=$(date +%s.%N)
  local secs
  secs=$(python3 -c "print(f'{$end - $start:.1f}s')")
  local ok=0
  python3 "$here/scenario.py" check "$file" "$out" "$secs" || ok=1
  if [ "$ok" != 0 ]; then
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
printf '%-24s %-9s %-11s %-28s %6s %s\n' scenario verdict firewall desk time result
failed=0
lab_start=$(date +%s)
for f in "${files[@]}"; do
  run_scenario "$f" || failed=$((failed + 1))
done
echo "lab: ${#files[@]} scenarios, $failed failed, $(($(date +%s) - lab_start)) s; reports in $results"
[ "$failed" = 0 ]
