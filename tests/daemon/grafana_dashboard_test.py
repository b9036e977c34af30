#!/usr/bin/env python3
"""The Grafana dashboard and the Prometheus scrape example of docs/grafana against the real daemon.

- Every metric name a PromQL expression of docs/grafana/routefabric.json uses is one routefabricd exports:
  the names come from a scrape of this build's routefabricd (route server only, one configured peer, on
  loopback), histograms with their _bucket/_sum/_count series. The checker itself is shown to catch a
  name the daemon does not export.
- Every panel and query takes its data source from the dashboard's `datasource` variable.
- `promtool check config` accepts docs/grafana/prometheus.yml (with a token file beside it, as its
  bearer-token job reads one).
Skips (exit 77) when routefabricd is not built or promtool is missing.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SOURCE = os.environ.get("RF_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("RF_BINARY_DIR", os.path.join(SOURCE, "build"))
DASHBOARD = os.path.join(SOURCE, "docs", "grafana", "routefabric.json")
SCRAPE_CONFIG = os.path.join(SOURCE, "docs", "grafana", "prometheus.yml")
METRIC = re.compile(r"\b((?:routefabric|process)_[A-Za-z0-9_]+)")


def free_port(host):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def exported_names(text):
    """Series names a scrape holds: every family of a # TYPE line, histograms with their suffixes."""
    names = set()
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            names.add(m.group(1))
            if m.group(2) == "histogram":
                names.update(m.group(1) + s for s in ("_bucket", "_sum", "_count"))
    return names


def expressions(dashboard):
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]
    for var in dashboard["templating"]["list"]:
        if var.get("type") == "query":
            yield "variable " + var["name"], var["definition"]


def unknown_names(dashboard, exported):
    """(where, name) for every metric name an expression uses that is not exported."""
    return [(where, name) for where, expr in expressions(dashboard) for name in METRIC.findall(expr)
            if name not in exported]


def scrape_daemon(tmp):
    daemon = os.path.join(BINARY, "daemon", "routefabricd")
    bgp, api = free_port("127.0.0.80"), free_port("127.0.0.1")
    config = os.path.join(tmp, "rf.yaml")
    with open(config, "w") as f:
        f.write("route_server:\n  router_id: 10.255.0.80\n  listen: [127.0.0.80]\n  port: %d\n"
                "peers:\n  - {name: nva81, address: 127.0.0.81, asn: 65081, passive: true}\n"
                "api:\n  port: %d\n" % (bgp, api))
    log = open(os.path.join(tmp, "rf.log"), "w")
    proc = subprocess.Popen([daemon, "--no-fib", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % api, timeout=2) as r:
                    return r.read().decode()
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("routefabricd did not serve /metrics:\n" +
                                     open(os.path.join(tmp, "rf.log")).read())
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    if not os.access(os.path.join(BINARY, "daemon", "routefabricd"), os.X_OK) or not shutil.which("promtool"):
        print("skipped: needs routefabricd built in %s and promtool (Debian prometheus)" % BINARY)
        return 77
    failures = []
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    with tempfile.TemporaryDirectory(prefix="rf-grafana") as tmp:
        text = scrape_daemon(tmp)
        exported = exported_names(text)
        for name in ("routefabric_peer_state", "process_resident_memory_bytes", "routefabric_io_loop_lag_seconds"):
            if name not in exported:
                failures.append("the scrape lacks " + name)
        for where, name in unknown_names(dashboard, exported):
            failures.append("panel '%s' uses %s, which routefabricd does not export" % (where, name))
        # The checker catches what it is for.
        bogus = {"panels": [{"title": "t", "targets": [{"expr": "rate(routefabric_no_such_metric_total[5m])"}]}],
                 "templating": {"list": []}}
        if unknown_names(bogus, exported) != [("t", "routefabric_no_such_metric_total")]:
            failures.append("the checker missed a name the daemon does not export")

        var_names = {v["name"] for v in dashboard["templating"]["list"]}
        if "datasource" not in var_names:
            failures.append("no datasource variable")
        for panel in dashboard["panels"]:
            if panel["type"] == "row":
                continue
            uses = [panel.get("datasource", {})] + [t.get("datasource", {}) for t in panel.get("targets", [])]
            if any(d.get("uid") != "${datasource}" for d in uses):
                failures.append("panel '%s' does not use the datasource variable" % panel["title"])
            if not panel.get("targets"):
                failures.append("panel '%s' has no query" % panel["title"])

        shutil.copy(SCRAPE_CONFIG, os.path.join(tmp, "prometheus.yml"))
        with open(os.path.join(tmp, "routefabric.token"), "w") as f:
            f.write("example-token\n")
        check = subprocess.run(["promtool", "check", "config", os.path.join(tmp, "prometheus.yml")],
                               capture_output=True, text=True)
        if check.returncode != 0:
            failures.append("promtool check config: " + check.stdout + check.stderr)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("dashboard: %d queries over %d exported names; scrape example accepted by promtool" %
              (sum(1 for _ in expressions(dashboard)), len(exported)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
