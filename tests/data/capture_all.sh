#!/usr/bin/env bash
# Re-captures the golden BGP byte streams in tests/data/<impl>/ from real implementations on loopback.
# Each daemon runs in the foreground (background job of this script) with a generated config in a temp
# dir, connects to tests/data/capture.py, and is stopped by its PID. Ports: 179xx on 127.0.0.x.
# Usage: bash tests/data/capture_all.sh [frr] [bird] [gobgp] [exabgp]   (default: all four)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"  # FRR drops to the frr user and writes its pid file and vty socket there
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
which_ones=${*:-frr bird gobgp exabgp}

# start_capture NAME PORT ARGS...: capture.py on 127.0.0.1:PORT writing NAME's session.bgp.
start_capture() {
  local name=$1 port=$2
  shift 2
  mkdir -p "$here/$name"
  python3 "$here/capture.py" --listen "127.0.0.1:$port" --out "$here/$name/$OUT" "$@" &
  cap_pid=$!
  pids+=("$cap_pid")
  sleep 0.3
}
wait_capture() { wait "$cap_pid" || { echo "capture for $1 failed; daemon log:"; tail -20 "$work/$1"/*.log; }; }

# ------------------------------------------------------------------------------------------ FRR
frr() {
  local d=$work/frr
  mkdir -p "$d"
  chmod 777 "$d"
  cat > "$d/bgpd.conf" <<'EOF'
frr defaults traditional
hostname cap-frr
!
route-map SET1 permit 10
 set community 65001:100 65001:200 65535:666
 set large-community 65001:1:2 65001:3:4
 set extcommunity rt 65001:100
 set metric 50
!
router bgp 65001
 bgp router-id 10.0.0.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 65000
 neighbor 127.0.0.1 port 17901
 neighbor 127.0.0.1 update-source 127.0.0.2
 neighbor 127.0.0.1 disable-connected-check
 neighbor 127.0.0.1 advertisement-interval 0
 neighbor 127.0.0.1 timers connect 1
 !
 address-family ipv4 unicast
  network 10.1.1.0/24 route-map SET1
  network 10.1.2.0/24 route-map SET1
  network 10.1.3.0/24
  network 10.2.1.0/24
  network 10.2.2.0/24
  aggregate-address 10.2.0.0/16 as-set
  neighbor 127.0.0.1 addpath-tx-all-paths
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:1::/48 route-map SET1
  network 2001:db8:2::/48
  neighbor 127.0.0.1 activate
 exit-address-family
!
EOF
  OUT=session.bgp start_capture frr 17901 --asn 65000 --add-path --refresh-at 4 --duration 20
  /usr/lib/frr/bgpd -Z -n -l 127.0.0.2 -p 17911 --vty_socket "$d" -f "$d/bgpd.conf" \
    -i "$d/bgpd.pid" > "$d/bgpd.log" 2>&1 &
  pids+=($!)
  sleep 9
  # FRR asks for our routes (ROUTE-REFRESH), then shuts the session down with an RFC 8203 message.
  vtysh --vty_socket "$d" -c 'clear bgp ipv4 unicast 127.0.0.1 soft in' || true
  sleep 1
  vtysh --vty_socket "$d" -c 'configure terminal' -c 'router bgp 65001' \
    -c 'neighbor 127.0.0.1 shutdown message maintenance window' || true
  wait_capture frr
}

# ----------------------------------------------------------------------------------------- BIRD
bird() {
  local d=$work/bird
  mkdir -p "$d"
  cat > "$d/bird.conf" <<'EOF'
router id 10.0.0.3;
protocol device { }
protocol static s4 {
  ipv4;
  route 10.3.1.0/24 blackhole;
  route 10.3.2.0/24 blackhole;
  route 10.3.3.0/25 blackhole;
}
protocol static s6 {
  ipv6;
  route 2001:db8:3::/48 blackhole;
  route 2001:db8:3:1::/64 blackhole;
}
filter out_attrs {
  bgp_community.add((65003,100));
  bgp_community.add((65003,200));
  bgp_large_community.add((65003,7,8));
  bgp_ext_community.add((rt,65003,100));
  bgp_med = 30;
  bgp_path.prepend(65003);
  accept;
}
protocol bgp cap {
  local 127.0.0.3 port 17913 as 65003;
  neighbor 127.0.0.1 port 17903 as 65000;
  multihop;
  connect retry time 1;
  ipv4 { import none; export filter out_attrs; };
  ipv6 { import none; export filter out_attrs; next hop address 2001:db8::3; };
}
EOF
  OUT=session.bgp start_capture bird 17903 --asn 65000 --extended-message --duration 8
  /usr/sbin/bird -f -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" > "$d/bird.log" 2>&1 &
  pids+=($!)
  wait_capture bird
}

# ---------------------------------------------------------------------------------------- GoBGP
gobgp() {
  local d=$work/gobgp
  mkdir -p "$d"
  cat > "$d/gobgpd.toml" <<'EOF'
[global.config]
  as = 65004
  router-id = "10.0.0.4"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    local-address = "127.0.0.4"
    remote-port = 17904
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      send-max = 8
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
EOF
  gobgpd -f "$d/gobgpd.toml" --api-hosts 127.0.0.1:17924 --pprof-disable > "$d/gobgpd.log" 2>&1 &
  pids+=($!)
  sleep 1.5
  local g=(/usr/bin/gobgp -u 127.0.0.1 -p 17924)
  "${g[@]}" global rib add 10.4.1.0/24 nexthop 100.64.0.4 community 65004:1,65004:2 large-community 65004:5:6 med 40
  "${g[@]}" global rib add 10.4.2.0/24 nexthop 100.64.0.4 origin incomplete aigp metric 10 || \
    "${g[@]}" global rib add 10.4.2.0/24 nexthop 100.64.0.4 origin incomplete
  "${g[@]}" global rib -a ipv6 add 2001:db8:4::/48 nexthop 2001:db8::4 community 65004:3
  OUT=session.bgp start_capture gobgp 17904 --asn 65000 --add-path --duration 8
  wait_capture gobgp
}

# --------------------------------------------------------------------------------------- ExaBGP
exabgp() {
  local d=$work/exabgp
  mkdir -p "$d"
  # A 4-octet ASN on a session without the 4-octet capability: ExaBGP sends AS_TRANS and AS4_PATH.
  cat > "$d/exabgp.conf" <<'EOF'
neighbor 127.0.0.1 {
  router-id 10.0.0.5;
  local-address 127.0.0.5;
  local-as 4200000005;
  peer-as 65000;
  connect 17905;
  capability {
    asn4 disable;
    route-refresh;
  }
  family {
    ipv4 unicast;
    ipv6 unicast;
  }
  static {
    route 10.5.1.0/24 next-hop 100.64.0.5 origin incomplete as-path [ 4200000005 65010 4200000011 ] med 20 community [ 65005:1 no-export ] large-community [ 4200000005:1:1 ] extended-community [ target:65005:7 ];
    route 10.5.2.0/24 next-hop 100.64.0.5 as-path [ 4200000005 ] aggregator ( 4200000005:10.0.0.5 ) atomic-aggregate;
    route 10.5.3.0/24 next-hop 100.64.0.5 as-path [ 4200000005 ] originator-id 10.0.0.9 cluster-list [ 10.0.0.7 10.0.0.8 ] attribute [ 0xf0 0xc0 0xdeadbeef ];
    route 2001:db8:5::/48 next-hop 2001:db8::5 as-path [ 4200000005 ] community [ 65005:2 ];
  }
}
EOF
  OUT=session.bgp start_capture exabgp 17905 --asn 65000 --two-octet --duration 8
  env exabgp.tcp.bind='' exabgp.daemon.daemonize=false exabgp.log.destination=stderr \
    exabgp.api.cli=false exabgp "$d/exabgp.conf" > "$d/exabgp.log" 2>&1 &
  pids+=($!)
  wait_capture exabgp
}

for impl in $which_ones; do
  echo "== $impl"
  "$impl"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pids=()
  ls -l "$here/$impl"
done
