#!/usr/bin/env bash
# Installs the Debian 12 packages routefabric builds, tests and demos with. Idempotent: packages that are
# already installed are skipped, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang lld llvm libclang-rt-14-dev
  clang-format clang-tidy
  # libraries
  libdpdk-dev libtbb-dev libboost-dev libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev libnuma-dev
  # RPKI-to-Router client library (the one FRR uses) for RPKI origin validation
  librtr-dev
  # real BGP peers for interop tests and side-by-side benchmarks. openbgpd starts no daemon: its
  # openbgpd.service needs /etc/bgpd.conf, which the package does not ship (rfbench runs its own bgpd)
  bird2 frr gobgpd exabgp openbgpd
  # an RPKI-to-Router cache serving a ROA JSON file, for the RPKI tests
  stayrtr
  # lab and plotting tools
  iproute2 procps gnuplot-nox python3 curl
  # the tests of the operator files: man pages rendered by man/groff, the .deb built by CPack
  # (dpkg-shlibdeps in dpkg-dev) and checked by lintian; PyYAML reads the emitted config back
  man-db groff-base dpkg-dev lintian python3-yaml
  # MRT dumps, message logs and rfbench --replay's sample, read back by an independent decoder (bgpdump -m)
  bgpdump
  # the looking glass's test renders the page in headless Chromium (daemon_looking_glass_tests)
  chromium
  # promtool checks /metrics (check metrics) and the Prometheus scrape example of docs/grafana (check config)
  prometheus
  # the BMP tests decode what routefabricd sends a collector with Wireshark's BMP dissector
  tshark
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: need root to install packages (run as root or with sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
