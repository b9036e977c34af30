#!/bin/sh
# The cost of BMP export (with MRT message logging) on ingest, and the memory bound under a stalled BMP
# station: rfbench's ingest (PEERS x PREFIXES, disjoint) against routefabricd --no-fib, interleaved runs of
#   plain   rfbench's generated configuration
#   export  the same plus a bmp collector (pre-policy, post-policy, loc-rib) that reads, and mrt.updates
#   stalled the same plus a bmp collector that accepts and never reads (the buffer bound must hold)
# Prints each run (all peers done, peak RSS, what the station received) and the medians.
#
# usage: scripts/bmp_cost.sh [RUNS] [PEERS] [PREFIXES]     (from the source tree, build/ built)
set -eu
RUNS=${1:-5}
PEERS=${2:-64}
PREFIXES=${3:-20000}
B=${BUILD_DIR:-build}
RFD=$B/daemon/routefabricd
RFBENCH=$B/bench/rfbench/rfbench
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
PORT=17911
STATION=17912

"$RFBENCH" --targets routefabricd --peers "$PEERS" --prefixes "$PREFIXES" --print-config routefabricd |
    sed "s/^  port: 179$/  port: $PORT/" >"$W/plain.yaml"
mkdir -p "$W/mrt"
cp "$W/plain.yaml" "$W/export.yaml"
cat >>"$W/export.yaml" <<YAML
mrt:
  directory: $W/mrt
  updates: {enabled: true}
bmp:
  collectors:
    - {name: station, address: 127.0.0.1, port: $STATION, route_monitoring: [pre-policy, post-policy, loc-rib]}
YAML
cp "$W/export.yaml" "$W/stalled.yaml"

# The station: counts BMP messages by type (reads) or holds the connection without reading (stalls).
cat >"$W/station.py" <<'PY'
import signal, socket, struct, sys
mode, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode == "stall":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", port)); s.listen(4)
counts, total, conns, held = {}, 0, 0, []
def done(*_):
    with open(out, "w") as f:
        f.write("connections=%d bytes=%d types=%s\n" % (conns, total, sorted(counts.items())))
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
while True:
    c, _ = s.accept(); conns += 1
    if mode == "stall":
        held.append(c); continue
    buf = b""
    while True:
        d = c.recv(1 << 20)
        if not d:
            break
        total += len(d); buf += d
        while len(buf) >= 6:
            ln, t = struct.unpack("!IB", buf[1:6])
            if len(buf) < ln:
                break
            counts[t] = counts.get(t, 0) + 1; buf = buf[ln:]
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for i in $(seq 1 "$RUNS"); do
    for mode in plain export stalled; do
        station=""
        if [ "$mode" != plain ]; then
            python3 "$W/station.py" "$([ "$mode" = stalled ] && echo stall || echo read)" "$STATION" "$W/station.txt" &
            station=$!
            sleep 0.3
        fi
        rm -rf "$W/mrt"/*
        "$RFD" --no-fib "$W/$mode.yaml" >"$W/rfd.log" 2>&1 &
        rfd=$!
        sleep 1
        rm -f "$W/out.json"
        "$RFBENCH" --no-spawn --targets routefabricd --target-addr 127.0.0.1 --target-port "$PORT" \
            --peers "$PEERS" --prefixes "$PREFIXES" --scenario ingest --quiet --json "$W/out.json" >/dev/null 2>&1 || true
        sleep 1  # the export drains after the monitor has everything
        hwm=$(awk '/VmHWM/ {print $2}' "/proc/$rfd/status")
        kill "$rfd"; wait "$rfd" || true
        got=""
        if [ -n "$station" ]; then
            sleep 1  # the station reads what routefabricd wrote on its way out (Peer Downs, Termination)
            kill "$station"; wait "$station" || true
            got=$(cat "$W/station.txt")
        fi
        ms=$(python3 -c "import json,sys
def f(o):
    if isinstance(o, dict):
        if 'all_peers_done_ms' in o: return o['all_peers_done_ms']
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = f(v)
            if r is not None: return r
print(f([json.loads(l) for l in open('$W/out.json') if l.strip()]))")
        echo "run $i $mode all_peers_done_ms=$ms vmhwm_kib=$hwm $got"
        echo "$ms" >>"$W/$mode.ms"
        echo "$hwm" >>"$W/$mode.hwm"
    done
done
for mode in plain export stalled; do
    echo "median $mode: all peers done $(median <"$W/$mode.ms") ms, peak RSS $(median <"$W/$mode.hwm") KiB"
done
