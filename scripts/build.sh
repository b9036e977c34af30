#!/usr/bin/env bash
# scripts/build.sh DIR [cmake options...]: configure (once) and build one build tree with Ninja.
# The compiler is chosen by CC/CXX as usual.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja "$@"
else
  cmake "$dir" "$@" >/dev/null
fi
cmake --build "$dir" --parallel "${RF_JOBS:-$(nproc)}"
