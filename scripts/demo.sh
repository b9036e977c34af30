#!/usr/bin/env bash
# The routefabric demo (README: "Run the demo"). On a fresh Debian 12 machine, as root:
#   scripts/demo.sh
# installs what it needs (scripts/setup.sh), builds routefabricd and rfctl, then on loopback:
#   1. starts routefabricd (two route-server instances 127.0.0.4/.5, REST API, FIB, host emulator with
#      6,000 VMs in the lab VNet 10.1.0.0/16) from scripts/lab/demo.yaml; the instances sit outside that
#      VNet (lab addresses), which its log says once;
#   2. starts two NVAs (BIRD 2) that advertise 10.250.0.0/16 (on-premises) and 0.0.0.0/0 with equal
#      AS-path lengths, next hops 10.1.1.4 and 10.1.1.5;
#   3. prints the peerings, nva1's learned routes, what the route server advertises to nva1 (the lab
#      VNet's address space 10.1.0.0/16 and nva2's reflected routes) and that route in nva1's BIRD
#      table, and a VM's effective routes (the ECMP pair);
#   4. fails nva2 (SIGKILL by PID: its TCP sessions close), prints the effective routes again (one next
#      hop) and the convergence the emulator measured (BGP change in → every host forwarding on the new
#      path);
#   5. prints a metrics excerpt and where the Grafana dashboard and the Prometheus scrape example are
#      (docs/grafana);
#   6. stops everything it started, by PID, removes its temp dir and exits 0.
# Environment: RF_BUILD_DIR (default build), RF_JOBS (build parallelism, default nproc),
# RF_DEMO_SKIP_SETUP=1 to skip the package check, RF_DEMO_PREFIXES=N (0-998, default 0) for N more
# on-premises /24s per NVA (10.251.0.0/24 up), so the failure moves N+2 prefixes at once.
# RF_DEMO_CHANGES=N (0-200, default 0): before the failure, nva2 changes its routes N times over BGP
# (an AS-path prepend switched on, then off, by `birdc configure`): every prefix leaves the ECMP pair
# or joins it again by UPDATE, and each change's convergence is printed, then their distribution.
# RF_DEMO_NICE=N (-20..19, default 0) starts routefabricd at that nice value: the NVAs stand in for
# separate machines, and on a small VM they compete with the route server for the same CPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${RF_BUILD_DIR:-build}
jobs=${RF_JOBS:-$(nproc)}
extra=${RF_DEMO_PREFIXES:-0}
case $extra in
  '' | *[!0-9]*) echo "demo: RF_DEMO_PREFIXES must be a number 0-998, got '$extra'" >&2; exit 2 ;;
esac
[ "$extra" -le 998 ] || { echo "demo: RF_DEMO_PREFIXES must be at most 998 (route limit 1,000 per peer)" >&2; exit 2; }
changes=${RF_DEMO_CHANGES:-0}
case $changes in
  '' | *[!0-9]*) echo "demo: RF_DEMO_CHANGES must be a number 0-200, got '$changes'" >&2; exit 2 ;;
esac
[ "$changes" -le 200 ] || { echo "demo: RF_DEMO_CHANGES must be at most 200" >&2; exit 2; }
niceness=${RF_DEMO_NICE:-0}
case $niceness in
  -[0-9] | -1[0-9] | -20 | [0-9] | 1[0-9]) ;;
  *) echo "demo: RF_DEMO_NICE must be a number -20..19, got '$niceness'" >&2; exit 2 ;;
esac

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

if [ "${RF_DEMO_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi
bird=$(command -v bird || true)
[ -x "$bird" ] || bird=/usr/sbin/bird
[ -x "$bird" ] || die "BIRD 2 (package bird2) is not installed; run scripts/setup.sh as root"

say "building routefabricd and rfctl in $build"
# A tree scripts/test.sh configured is used as it is (it only adds targets the demo does not build); a
# new tree gets the same defaults, so the test script reuses it without rebuilding the libraries.
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" --target routefabricd rfctl --parallel "$jobs" | tail -n 1
rfd="$build/daemon/routefabricd"
rfctl_bin="$build/daemon/api/rfctl"

work=$(mktemp -d "${TMPDIR:-/tmp}/rf-demo.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  set +e
  # routefabricd first (SIGTERM: Cease / Administrative Shutdown to the NVAs), then the NVAs.
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$rc" -ne 0 ] && [ -f "$work/routefabricd.log" ]; then
    echo "--- last lines of routefabricd's log ---" >&2
    tail -n 30 "$work/routefabricd.log" >&2
    for f in "$work"/nva*/bird.log; do
      [ -f "$f" ] && { echo "--- last lines of $(basename "$(dirname "$f")")'s BIRD log ---" >&2; tail -n 10 "$f" >&2; }
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free TCP port on 127.0.0.1 from a fixed range (bounded search).
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
rs_port=$(free_port 11179) || die "no free port for BGP"
api_port=$(free_port $((rs_port + 1000))) || die "no free port for the API"
sed -e "s/@RS_PORT@/$rs_port/" -e "s/@API_PORT@/$api_port/" scripts/lab/demo.yaml >"$work/routefabric.yaml"
export RFCTL_SERVER="http://127.0.0.1:$api_port"
rfctl() { "$rfctl_bin" "$@"; }

# wait_for SECONDS MESSAGE COMMAND...: polls COMMAND every 0.5 s; fails the demo with MESSAGE on timeout.
wait_for() {
  local secs=$1 msg=$2
  shift 2
  local i
  for i in $(seq 1 $((secs * 2))); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  die "timed out after ${secs}s: $msg"
}

say "starting routefabricd (BGP on 127.0.0.4/.5 port $rs_port, API on 127.0.0.1:$api_port)"
"$rfd" --check-config "$work/routefabric.yaml"
nice -n "$niceness" "$rfd" "$work/routefabric.yaml" >"$work/routefabricd.log" 2>&1 &
pids+=($!)
wait_for 60 "routefabricd's API did not answer (see its log)" rfctl routeserver show
grep -E "listening on|sits outside its VNet|FIB:|REST API" "$work/routefabricd.log" | sed 's/^[^ ]* [a-z]* /  /'

# One BIRD 2 per NVA: sessions to both instances, a static on-premises prefix and a default route with
# the NVA's own address in the NVA subnet as next hop (resolvable through a private IGP table).
start_nva() {
  local name=$1 addr=$2 asn=$3 nh=$4 dir="$work/$1"
  mkdir -p "$dir"
  cat >"$dir/bird.conf" <<EOF
router id $addr;
log "$dir/bird.log" all;
ipv4 table igp4;
protocol device {}
protocol static nexthops { ipv4 { table igp4; }; route 10.1.1.0/24 via "lo"; }
protocol static onprem {
  ipv4 { import filter { bgp_next_hop = $nh; accept; }; };
  route 10.250.0.0/16 unreachable;
  route 0.0.0.0/0 unreachable;
$(for i in $(seq 0 $((extra - 1))); do echo "  route 10.$((251 + i / 256)).$((i % 256)).0/24 unreachable;"; done)
}
# RF_DEMO_CHANGES switches the prepend on and off (the line below becomes bgp_path.prepend(ASN);).
filter to_rs {
  if source != RTS_STATIC then reject;
  # prepend
  accept;
}
EOF
  local n=0 rs
  for rs in 127.0.0.4 127.0.0.5; do
    cat >>"$dir/bird.conf" <<EOF
protocol bgp rs$n {
  local $addr as $asn;
  neighbor $rs port $rs_port as 65515;
  multihop;
  strict bind yes;   # listen on the NVA's own address only: two BIRDs share the port
  connect delay time 1; error wait time 1, 4;
  hold time 9;
  ipv4 { igp table igp4; import all; export filter to_rs; next hop keep; };
}
EOF
    n=$((n + 1))
  done
  "$bird" -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >"$dir/stdout.log" 2>&1 &
  pids+=($!)
  echo $! >"$dir/pid"
}
say "starting the NVAs: nva1 (BIRD 2, AS 65001, next hop 10.1.1.4) and nva2 (BIRD 2, AS 65002, next hop 10.1.1.5)"
start_nva nva1 127.0.0.11 65001 10.1.1.4
start_nva nva2 127.0.0.12 65002 10.1.1.5

# Both peerings Established (the table has one row per peering).
established() { [ "$(rfctl peering list | awk '($1 == "nva1" || $1 == "nva2") && $4 == "Established"' | wc -l)" -eq 2 ]; }
ecmp_pair() {
  local r
  r=$(rfctl vm effective-routes vm42)
  echo "$r" | grep 10.250.0.0/16 | grep -q 10.1.1.4 && echo "$r" | grep 10.250.0.0/16 | grep -q 10.1.1.5
}
birdc_bin=$(command -v birdc || echo /usr/sbin/birdc)
[ -x "$birdc_bin" ] || die "birdc (package bird2) is not installed"
# nva1's BIRD has the lab VNet's address space from the route server.
nva1_has_vnet() { "$birdc_bin" -s "$work/nva1/bird.ctl" show route 10.1.0.0/16 | grep -q '^10\.1\.0\.0/16'; }
wait_for 60 "nva1 and nva2 did not both reach Established (see their logs)" established
wait_for 30 "the ECMP pair for 10.250.0.0/16 did not appear in vm42's effective routes" ecmp_pair
wait_for 30 "nva1 did not receive the lab VNet's address space 10.1.0.0/16" nva1_has_vnet

say "rfctl peering list"
rfctl peering list
say "rfctl peering list-learned-routes nva1"
rfctl peering list-learned-routes nva1
say "rfctl peering list-advertised-routes nva1   (the lab VNet 10.1.0.0/16 and nva2's routes, reflected)"
rfctl peering list-advertised-routes nva1
# BIRD lists it as unreachable: its next hop is the instance's own address, and BIRD resolves no next
# hop in 127.0.0.0/8 (on a lab LAN the route server's address resolves).
say "birdc show route 10.1.0.0/16   (in nva1: the VNet address space from both route-server instances; next hop in 127/8, so 'unreachable')"
"$birdc_bin" -s "$work/nva1/bird.ctl" show route 10.1.0.0/16 | sed 's/^/  /'
say "rfctl vm effective-routes vm42   (ECMP: two next hops for 10.250.0.0/16 and 0.0.0.0/0)"
rfctl vm effective-routes vm42
sleep 1
say "rfctl emulator stats   (6,000 VMs forwarding through the FIB)"
rfctl emulator stats

last_host_us() { rfctl -o json emulator stats | tr -d ' "' | tr ',' '\n' | sed -n 's/^last_change_last_host_us://p'; }
measurements() { rfctl -o json emulator stats | tr -d ' "' | tr ',' '\n' | sed -n 's/^convergence_measurements://p'; }
if [ "$changes" -gt 0 ]; then
  say "nva2 changes its routes $changes times over BGP (AS-path prepend on/off): every prefix leaves or rejoins the ECMP pair"
  # next_hops_of_10250 WANT: vm42's route for 10.250.0.0/16 has both next hops (2) or only nva1's (1).
  pair_state() {
    local line
    line=$(rfctl vm effective-routes vm42 | grep 10.250.0.0/16)
    if [ "$1" = 2 ]; then
      echo "$line" | grep -q 10.1.1.5
    else
      echo "$line" | grep -q 10.1.1.4 && ! echo "$line" | grep -q 10.1.1.5
    fi
  }
  more_measured() { [ "$(measurements)" -gt "$1" ]; }
  results=()
  for i in $(seq 1 "$changes"); do
    if [ $((i % 2)) = 1 ]; then
      sed -i 's/^  # prepend$/  bgp_path.prepend(65002);/' "$work/nva2/bird.conf"
      want=1
    else
      sed -i 's/^  bgp_path.prepend(65002);$/  # prepend/' "$work/nva2/bird.conf"
      want=2
    fi
    before=$(measurements)
    "$birdc_bin" -s "$work/nva2/bird.ctl" configure >/dev/null || die "birdc configure failed for nva2"
    wait_for 30 "change $i did not reach vm42's effective routes" pair_state "$want"
    wait_for 10 "change $i was not measured by the emulator" more_measured "$before"
    sleep 0.3   # the measurement of this change closes (others are not measured while one runs)
    us=$(last_host_us)
    results+=("$us")
    printf '  change %d (%s): last host %s us after the UPDATE was read\n' "$i" \
      "$([ "$want" = 1 ] && echo "prepend on: {nva1,nva2} -> {nva1}" || echo "prepend off: {nva1} -> {nva1,nva2}")" "$us"
  done
  printf '  last host over %d changes, sorted (us): %s\n' "$changes" "$(printf '%s\n' "${results[@]}" | sort -n | tr '\n' ' ')"
  if [ $((changes % 2)) = 1 ]; then
    sed -i 's/^  bgp_path.prepend(65002);$/  # prepend/' "$work/nva2/bird.conf"
    "$birdc_bin" -s "$work/nva2/bird.ctl" configure >/dev/null || die "birdc configure failed for nva2"
    wait_for 30 "the ECMP pair did not come back" ecmp_pair
  fi
fi

nva2_pid=$(cat "$work/nva2/pid")
say "failing nva2: kill -KILL $nva2_pid (BIRD's TCP sessions close; the route server withdraws its paths)"
kill -KILL "$nva2_pid"
single_path() {
  local line
  line=$(rfctl vm effective-routes vm42 | grep 10.250.0.0/16)
  echo "$line" | grep -q 10.1.1.4 && ! echo "$line" | grep -q 10.1.1.5
}
wait_for 30 "10.250.0.0/16 still has nva2's next hop after nva2 failed" single_path
say "rfctl peering list"
rfctl peering list
say "rfctl vm effective-routes vm42   (one next hop left)"
rfctl vm effective-routes vm42
measured() { rfctl -o json emulator stats | grep -q '"convergence_measurements"'; }
wait_for 10 "the emulator reported no convergence measurement" measured
sleep 1
say "rfctl emulator stats   (convergence: BGP change in -> every host forwarding on the new path)"
rfctl emulator stats

say "metrics (excerpt): curl $RFCTL_SERVER/metrics"
if command -v curl >/dev/null; then
  curl -s "$RFCTL_SERVER/metrics" | grep -E '^(routefabric_(sessions|peer_routes|peer_state\{.*established|peer_flaps_total|peer_prefixes_(received|accepted)_total|peer_best_prefixes|fib_queue_depth|fib_publish_latency_seconds_(count|sum)|convergence_seconds_(count|sum)|host_packets_total|updates_total|io_loop_lag_last_seconds)|process_resident_memory_bytes)' || true
fi
say "monitoring: Prometheus and Grafana"
echo "  scrape example:    $root/docs/grafana/prometheus.yml   (this demo's target: 127.0.0.1:$api_port)"
echo "  Grafana dashboard: $root/docs/grafana/routefabric.json (Dashboards > New > Import)"
echo "  how-to:            docs/user-guide.md, section 5"
say "demo finished: stopping routefabricd and the NVAs"
