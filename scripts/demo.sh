#!/usr/bin/env bash
# The main job (README: "Run the demo"): installs what it needs, builds, and runs the routefabric demo.
# Today the demo decodes a BGP session that FRR sent on loopback (captured bytes in tests/data/) and
# prints every message; it grows into the full lab demo with the speaker, FIB and data plane.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
exec build/control/tools/rf-decode tests/data/frr/session.bgp
