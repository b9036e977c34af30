#!/usr/bin/env python3
"""scripts/check_layers.py fails on an include against the direction, and only then.

Builds small trees in a temporary folder, each a copy of a clean one with one bad thing injected, and
runs the real checker (the same file CI runs) on each: the clean tree passes; an upward include, a DPDK
header in control/, and a source folder no layer names each fail, naming the file and line.
"""
import os
import subprocess
import sys
import tempfile

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "check_layers.py")

CLEAN = {
    "net/ip.hpp": "#pragma once\n",
    "control/codec/codec.hpp": '#pragma once\n#include "net/ip.hpp"\n',
    "control/rib/rib.cpp": '#include "control/codec/codec.hpp"\n#include "fib/delta/delta.hpp"\n',
    "fib/delta/delta.hpp": '#pragma once\n#include "net/ip.hpp"\n',
    "fib/fib.cpp": '#include <rte_rcu_qsbr.h>\n#include "fib/delta/delta.hpp"\n',
    "daemon/main.cpp": '#include "control/codec/codec.hpp"\n#include "dataplane/eal.hpp"\n',
    "dataplane/eal.hpp": '#pragma once\n#include <rte_eal.h>\n',
}


def run(files, launcher=(sys.executable,)):
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        p = subprocess.run([*launcher, CHECKER, "--root", root], capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr


def expect(name, files, code, needle=None, launcher=(sys.executable,)):
    rc, out = run(files, launcher)
    ok = rc == code and (needle is None or needle in out)
    print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {rc}")
    if not ok:
        print(f"     expected exit {code}" + (f" and '{needle}'" if needle else "") + f"; got:\n{out}")
    return ok


def with_(extra):
    files = dict(CLEAN)
    for path, text in extra.items():
        files[path] = files.get(path, "") + text
    return files


def main():
    results = [
        expect("a clean tree passes", CLEAN, 0),
        expect("the codec including the daemon fails",
               with_({"control/codec/codec.hpp": '#include "daemon/main.hpp"\n'}), 1,
               'control/codec/codec.hpp:3: control/codec includes "daemon/main.hpp"'),
        expect("the FIB including the RIB fails",
               with_({"fib/fib.cpp": '#include "control/rib/rib.hpp"\n'}), 1, "fib/fib.cpp:3: fib includes"),
        expect("a DPDK header in the RIB fails",
               with_({"control/rib/rib.cpp": "#include <rte_mbuf.h>\n"}), 1,
               "control/rib/rib.cpp:3: <rte_mbuf.h> is a DPDK header"),
        expect("a source folder no layer names fails", with_({"control/unplaced/unplaced.cpp": "\n"}), 1,
               "control/unplaced/: a source folder that no layer names"),
        # CI and users may start it through a shell: the same verdicts either way.
        expect("started by bash, a clean tree passes", CLEAN, 0, launcher=("bash",)),
        expect("started by bash, an upward include fails",
               with_({"fib/fib.cpp": '#include "control/rib/rib.hpp"\n'}), 1, "fib/fib.cpp:3: fib includes",
               launcher=("bash",)),
        expect("a lower layer may still include itself and below",
               with_({"control/rib/rib.cpp": '#include "control/rib/rib.hpp"\n#include "net/ip.hpp"\n'}), 0),
    ]
    failed = results.count(False)
    print(f"check_layers_test: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
