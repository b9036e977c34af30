#!/usr/bin/env bash
# scripts/rfbench_side_by_side.sh [BUILD_DIR] [OUT_DIR]: the side-by-side rfbench run recorded in
# docs/benchmarks.md — routefabricd, BIRD 2, FRR, GoBGP and OpenBGPD as route servers, same scenarios,
# same load.
# Writes OUT_DIR/results.jsonl (one JSON line per measurement), OUT_DIR/table.md and plots (PNG + SVG).
# Every phase is bounded (--timeout); the whole run takes ~12 minutes on 2 cores.
set -euo pipefail
build=${1:-build}
out=${2:-rfbench-results}
rfb="$build/bench/rfbench/rfbench"
mkdir -p "$out"
json="$out/results.jsonl"
: > "$json"
part=0
run() {
  part=$((part + 1))
  echo "+ rfbench $*" >&2
  "$rfb" --json "$json" --plot "$out" --markdown "$out/part-$part.md" "$@" || true
}
all=routefabricd,bird,frr,gobgp,openbgpd

# Propagation: N peers x K distinct /24s each, limits raised; GoBGP (one prefix per UPDATE to route-server
# clients) only where it finishes within the bound, OpenBGPD only up to 32x10000 (its route decision
# engine held 1.6 GB there, and grows with peers x prefixes). Then every peer announcing the same 10,000
# prefixes (equal path lengths: ECMP).
run --targets $all --scenario ingest --sizes 8x1000,8x10000,32x10000,64x20000 --timeout 300 --max-load gobgp=80000,openbgpd=320000
run --targets $all --scenario ingest --sizes 8x10000 --overlap shared --timeout 300
# Churn: 1,000 prefixes withdrawn / re-announced at 500 events/s for 10 s over an 8 x 1,000 table.
run --targets $all --scenario churn --peers 8 --prefixes 1000 --churn-prefixes 1000 --churn-rate 500 --churn-seconds 10
# Failover of the best of two peers sharing 10,000 prefixes: TCP abort and hold-timer expiry (best path,
# AS-path lengths 1 and 2), NOTIFICATION (ECMP pair, equal lengths).
run --targets $all --scenario failover --peers 2 --prefixes 10000 --failover-mode abort
run --targets $all --scenario failover --peers 2 --prefixes 10000 --failover-mode hold --failover-hold 3
run --targets $all --scenario failover --peers 2 --prefixes 10000 --failover-mode notification --path-lengths 1,1
# Session bring-up of 64 peers; Azure's limits: 1,000 routes per peer, 8 peers (2 more refused).
run --targets $all --scenario bringup --peers 64 --prefixes 1
run --targets $all --scenario route-limit --peers 3 --prefixes 500 --route-limit 1000 --idle-hold 2 --comeback-timeout 30
run --targets $all --scenario peer-count --peer-limit 8 --extra-peers 2 --prefixes 100

{
  head -n 2 "$out/part-1.md"
  for f in $(ls "$out"/part-*.md | sort -t- -k2 -n); do tail -n +3 "$f"; done
} > "$out/table.md"
rm -f "$out"/part-*.md
echo "rfbench: $(wc -l < "$json") measurements in $json, table in $out/table.md" >&2
