#!/usr/bin/env python3
# Runs as `python3 FILE`, `./FILE` and `bash FILE` alike: to a shell the next three lines re-run it with
# python3; to Python they are a string.
""":"
exec python3 "$0" "$@"
":"""
__doc__ = """The layering check: folders are layers, and includes point down.

Every production source file belongs to the layer of the deepest folder named in LAYERS below. A file
may include headers of its own layer and of the layers its layer may use (directly or through them);
anything else is an include against the direction and fails the check, with the file, the line and the
rule. DPDK headers (<rte_*.h>, <dpdk/...>) are allowed only in the layers marked `dpdk`. A source
folder that no layer names fails too: a new folder is placed in the picture before it holds code.

docs/architecture.md draws the same table. Usage: check_layers.py [--root DIR] [--quiet]
Exit status 0 when the tree follows the rules, 1 when it does not, 2 on a usage error.
"""
import argparse
import os
import re
import sys

# (layer, may use, dpdk allowed, job). Bottom to top; "may use" is closed transitively.
LAYERS = [
    ("net", [], False, "IP addresses, prefixes, hashing, the flat prefix map, the small vector"),
    ("fib/delta", ["net"], False, "the FIB's input: Loc-RIB deltas and the sink the RIB publishes into"),
    ("control/azure", ["net"], False, "Azure Route Server semantics as values: defaults, ASN rules"),
    ("control/codec", ["net"], False, "BGP wire codec: pure functions over bytes"),
    ("control/session", ["control/codec", "control/azure"], False,
     "one BGP session: connection, FSM, OPEN policy; emits events"),
    ("control/rpki", ["control/codec"], False,
     "route origin validation (RFC 6811): validity, the ROA table, RPKI-to-Router caches"),
    ("control/policy", ["control/codec", "control/azure", "control/rpki"], False,
     "routing policy: named sets, statements, import and export evaluation"),
    ("control/rib", ["control/codec", "control/azure", "control/policy", "fib/delta"], False,
     "Adj-RIB-In, decision, Loc-RIB, Adj-RIB-Out, route limits, delta publishing"),
    ("control/server", ["control/session", "control/rib"], False,
     "the route server: listeners, peers, sessions; owns the RIB"),
    ("control/tools", ["control/codec"], False, "rf-decode"),
    ("control/mrt", ["control/codec"], False, "MRT records (RFC 6396) built from BGP values: pure encoding"),
    ("control/bmp", ["control/codec"], False, "BMP messages (RFC 7854, RFC 9069) built from BGP values: pure encoding"),
    ("fib/vnet", ["net"], False, "the VNet domain: model, effective routes, next-hop types"),
    ("fib", ["fib/delta", "fib/vnet"], True, "lookup tables, next-hop groups, the lock-free updater"),
    ("dataplane", ["fib"], True, "DPDK EAL, ports, host emulator, traffic, neighbours, probes"),
    ("daemon/config", ["control/server", "fib/vnet"], False, "the YAML configuration: parse, validate, emit"),
    ("daemon/mrt", ["control/server", "control/mrt"], False,
     "MRT files: RIB dumps (TABLE_DUMP_V2), the BGP4MP_ET message log, rotation, the writer thread"),
    ("daemon/bmp", ["control/server", "control/bmp"], False,
     "BMP export: collector connections, back-off, bounded buffers, resynchronisation"),
    ("daemon/api", ["daemon/config", "daemon/mrt", "daemon/bmp", "control/server", "fib/vnet"], False,
     "REST API, metrics, rfctl, the looking glass"),
    ("daemon/forwarding", ["daemon/api", "dataplane"], True, "the forwarding module and its loader"),
    ("daemon", ["daemon/forwarding", "daemon/api", "daemon/config", "dataplane"], False,
     "routefabricd's main: the composition root"),
    ("bench", ["daemon", "daemon/forwarding", "daemon/api", "daemon/config", "dataplane", "control/server",
               "control/tools"], True, "micro-benchmarks, rfbench, the emulator's scenario harness"),
]

SOURCE_ROOTS = ["net", "control", "fib", "dataplane", "daemon", "bench"]
SOURCE_EXT = (".cpp", ".hpp", ".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
DPDK = re.compile(r"^(rte_[A-Za-z0-9_]*\.h|dpdk/)")


def closure(layers):
    uses = {name: set(u) for name, u, _, _ in layers}
    out = {}
    for name in uses:
        seen, todo = set(), list(uses[name])
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(uses.get(n, ()))
        out[name] = seen
    return out


def layer_of(path, names):
    """The deepest layer whose folder holds `path` (repository-relative, '/'-separated)."""
    best = None
    for n in names:
        if path.startswith(n + "/") and (best is None or len(n) > len(best)):
            best = n
    return best


def check(root):
    names = [n for n, _, _, _ in LAYERS]
    allowed = closure(LAYERS)
    dpdk = {n for n, _, d, _ in LAYERS if d}
    problems = []
    # The declared graph itself must point one way.
    for n in names:
        if n in allowed[n]:
            problems.append(f"layer {n} may use itself through its own uses: a cycle in LAYERS")
        for u in allowed[n]:
            if u not in names:
                problems.append(f"layer {n} may use {u}, which is not a layer")
    files = 0
    for top in SOURCE_ROOTS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            sources = [f for f in sorted(filenames) if f.endswith(SOURCE_EXT)]
            if not sources:
                continue
            layer = layer_of(rel_dir + "/x", names)
            if layer is None:
                problems.append(f"{rel_dir}/: a source folder that no layer names (add it to "
                                f"scripts/check_layers.py and docs/architecture.md)")
                continue
            for f in sources:
                rel = f"{rel_dir}/{f}"
                files += 1
                with open(os.path.join(dirpath, f), encoding="utf-8", errors="replace") as fh:
                    for lineno, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        kind, target = m.group(1), m.group(2)
                        if kind == "<":
                            if DPDK.match(target) and layer not in dpdk:
                                problems.append(f"{rel}:{lineno}: <{target}> is a DPDK header; layer {layer} "
                                                f"must not include DPDK (only {', '.join(sorted(dpdk))})")
                            continue
                        if not any(target.startswith(t + "/") for t in SOURCE_ROOTS):
                            continue  # same-folder or generated include, or a test header
                        to = layer_of(target, names)
                        if to is None:
                            problems.append(f"{rel}:{lineno}: \"{target}\" is in no layer")
                        elif to != layer and to not in allowed[layer]:
                            problems.append(f"{rel}:{lineno}: {layer} includes \"{target}\" ({to}): against "
                                            f"the direction (may use: {', '.join(sorted(allowed[layer])) or 'nothing'})")
    return files, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--table", action="store_true", help="print the layers and exit")
    args = ap.parse_args()
    if args.table:
        allowed = closure(LAYERS)
        for n, uses, d, job in LAYERS:
            print(f"{n:18} {'DPDK ' if d else ''}{job}; uses: {', '.join(uses) or '-'}")
        return 0
    if not os.path.isdir(args.root):
        print(f"check_layers: no folder {args.root}", file=sys.stderr)
        return 2
    files, problems = check(os.path.abspath(args.root))
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} problem(s) in {files} files")
        return 1
    if not args.quiet:
        print(f"layering: {files} files, {len(LAYERS)} layers, every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
