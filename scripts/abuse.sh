#!/usr/bin/env bash
# Hostile-input campaign against routefabricd, on loopback only, bounded in count and time.
#
# Usage: bash scripts/abuse.sh [--short] [--build DIR] [--keep]
#   --short      small counts (CI: about a minute); without it the counts of the original campaign
#   --build DIR  build tree holding daemon/routefabricd (default: build)
#   --keep       keep the work directory (config, daemon and BIRD logs) even when every check passed
#
# It starts routefabricd from the build tree with a generated configuration (BGP and REST API on
# 127.x.y.z addresses picked for this run, free ports), and one legitimate peer, BIRD 2, that must stay
# Established throughout. Then it replays the campaign: connections from unknown addresses, garbage
# OPENs, mutated UPDATEs, a KEEPALIVE flood, UPDATEs with huge attribute counts, bad header lengths,
# silent sockets from a configured peer's address, ROUTE-REFRESH before OPEN, big and slow HTTP
# requests, idle HTTP connections beyond the bound, duplicate YAML keys (--check-config), SIGHUP during
# API writes, and invalid UTF-8 in JSON. After every step it checks that the daemon is alive and that
# BIRD's session is still Established.
#
# Prints one row per check (what was sent, what was expected, what happened) and exits 1 if any
# failed, 77 if it cannot run here (routefabricd not built, no BIRD, no python3): ctest counts that as
# skipped. BIRD listens on port 179 of its own 127.x address (binding it needs root or CAP_NET_BIND_SERVICE).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
short=0
build="$root/build"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=1 ;;
    --build) build=$(cd "$2" && pwd) || exit 2; shift ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "abuse.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

daemon="$build/daemon/routefabricd"
bird=$(command -v bird || ls /usr/sbin/bird 2>/dev/null || true)
birdc=$(command -v birdc || ls /usr/sbin/birdc 2>/dev/null || true)
if [ ! -x "$daemon" ]; then
  echo "abuse.sh: SKIP: $daemon is not built (cmake --build $build --target routefabricd)"
  exit 77
fi
if [ -z "$bird" ] || [ -z "$birdc" ] || ! command -v python3 >/dev/null; then
  echo "abuse.sh: SKIP: needs BIRD 2 (bird, birdc) and python3"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rf-abuse.XXXXXX")
python3 - "$daemon" "$bird" "$birdc" "$work" "$short" <<'PY'
import errno, json, os, random, resource, signal, socket, struct, subprocess, sys, threading, time
import http.client

daemon_bin, bird_bin, birdc_bin, work, short = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
rng = random.Random(17)
N = dict(unknown=50 if short else 500, garbage=10 if short else 49, mutated=12 if short else 110,
         keepalives=5000 if short else 100000, attributes=1000 if short else 10000, silent=3 if short else 10,
         big_body_mb=8 if short else 100, idle_http=1100 if short else 20100, sighups=40 if short else 200)

# ---------------------------------------------------------------- addresses, ports, configuration
net = f"127.{rng.randint(100, 250)}.{os.getpid() % 250 + 1}"
RS, LEGIT = f"{net}.1", f"{net}.2"
FUZZ = [f"{net}.{10 + i}" for i in range(12)]       # configured peers the campaign plays
UNKNOWN = [f"{net}.{100 + i}" for i in range(100)]  # not configured


def free_port(addr):
    s = socket.socket()
    s.bind((addr, 0))
    p = s.getsockname()[1]
    s.close()
    return p


BGP_PORT, API_PORT = free_port(RS), free_port(RS)
config_path = os.path.join(work, "routefabric.yaml")
peers = [f"  - {{name: legit, address: {LEGIT}, asn: 65002}}"]
peers += [f"  - {{name: fuzz{i}, address: {a}, asn: {65100 + i}}}" for i, a in enumerate(FUZZ)]
with open(config_path, "w") as f:
    f.write(f"route_server:\n  router_id: 10.255.0.1\n  listen: [{RS}]\n  port: {BGP_PORT}\n"
            f"  idle_hold: 1\n  idle_hold_max: 2\n  max_peers: 64\npeers:\n" + "\n".join(peers) +
            f"\napi:\n  listen: {RS}\n  port: {API_PORT}\n")

# The daemon runs under the usual limit of 1,024 file descriptors (the idle-connection step opens more
# API connections than that); the script raises its own limit to open them.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = N["idle_http"] + 500
if hard != resource.RLIM_INFINITY:
    want = min(want, hard)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
daemon_fds = 1024 if hard == resource.RLIM_INFINITY else min(1024, hard)
daemon_log = open(os.path.join(work, "routefabricd.log"), "w")
daemon = subprocess.Popen([daemon_bin, "--config", config_path], stdout=daemon_log, stderr=subprocess.STDOUT,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (daemon_fds, hard)))

bird_dir = os.path.join(work, "bird")
os.makedirs(bird_dir)
with open(os.path.join(bird_dir, "bird.conf"), "w") as f:
    f.write(f"""router id 10.0.0.2;
log "{bird_dir}/bird.log" all;
protocol device {{}}
protocol static s4 {{ ipv4; route 10.2.0.0/24 unreachable; }}
protocol bgp routeserver {{
  local {LEGIT} as 65002;
  neighbor {RS} port {BGP_PORT} as 65515;
  multihop; connect delay time 1; error wait time 1, 4; hold time 30;
  ipv4 {{ import all; export where source = RTS_STATIC; next hop self; }};
}}
""")
bird = subprocess.Popen([bird_bin, "-f", "-c", f"{bird_dir}/bird.conf", "-s", f"{bird_dir}/bird.ctl",
                         "-P", f"{bird_dir}/bird.pid"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_all():
    for p in (bird, daemon):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def legit_established():
    try:
        out = subprocess.run([birdc_bin, "-s", f"{bird_dir}/bird.ctl", "show", "protocols", "routeserver"],
                             capture_output=True, text=True, timeout=5).stdout
    except subprocess.TimeoutExpired:
        return False
    return "Established" in out


def wait_until(pred, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


# ---------------------------------------------------------------- BGP on raw sockets
def header(length, mtype):
    return b"\xff" * 16 + struct.pack("!HB", length, mtype)


def open_msg(asn, router_id, hold=30, caps=b""):
    params = b""
    if caps:
        params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, asn, hold, socket.inet_aton(router_id), len(params)) + params
    return header(19 + len(body), 1) + body


KEEPALIVE = header(19, 4)


def update(attrs, nlri):
    body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri
    return header(19 + len(body), 2) + body


def good_update(asn, third):
    attrs = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 4, 2, 1]) + struct.pack("!H", asn) + bytes([0x40, 3, 4, 100, 64, 0, 9])
    return update(attrs, bytes([24, 10, 9, third]))


class Peer:
    """A blocking BGP speaker on a raw socket, from one of our 127.x addresses."""

    def __init__(self, local):
        self.local, self.sock, self.buf, self.rs_open = local, None, b"", b""

    def connect(self, timeout=3.0):
        self.sock = socket.socket()
        self.sock.bind((self.local, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((RS, BGP_PORT))
        self.buf = b""

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def receive(self, timeout=3.0):
        """The next message (type, bytes), 'closed', or None on timeout."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if length >= 19 and len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    return m[18], m
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                return "closed"
            if not chunk:
                return "closed"
            self.buf += chunk

    def await_notification(self, timeout=3.0):
        """(code, subcode), 'closed' (closed without one) or None (nothing within timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r = self.receive(end - time.monotonic())
            if r is None or r == "closed":
                return r
            if r[0] == 3:
                return (r[1][19], r[1][20])
        return None

    def accepted(self, attempts_for=6.0):
        """Connects until the route server answers with its OPEN (a peer in idle-hold is refused)."""
        end = time.monotonic() + attempts_for
        while time.monotonic() < end:
            try:
                self.connect()
            except OSError:
                time.sleep(0.2)
                continue
            r = self.receive(2.0)
            if r not in (None, "closed") and r[0] == 1:
                self.rs_open = r[1]
                return True
            self.close()
            time.sleep(0.3)
        return False

    def handshake(self, asn, router_id, caps=b""):
        if not self.accepted():
            return False
        self.send(open_msg(asn, router_id, caps=caps))
        r = self.receive()
        if r in (None, "closed") or r[0] != 4:
            return False
        return self.send(KEEPALIVE)

    def still_up(self):
        """KEEPALIVE round trip: the session answers with no NOTIFICATION within 0.5 s."""
        if not self.send(KEEPALIVE):
            return False
        return self.await_notification(0.5) is None

    def rs_capabilities(self):
        """Capability codes in the route server's OPEN."""
        codes, m = set(), self.rs_open
        at, end = 29, 29 + (m[28] if len(m) > 28 else 0)
        while at + 2 <= end and at + 2 <= len(m):
            ptype, plen = m[at], m[at + 1]
            if ptype == 2:
                c = at + 2
                while c + 2 <= at + 2 + plen:
                    codes.add(m[c])
                    c += 2 + m[c + 1]
            at += 2 + plen
        return codes

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


fuzz_turn = [0]


def next_fuzz():
    i = fuzz_turn[0] % len(FUZZ)
    fuzz_turn[0] += 1
    return i, FUZZ[i]


# ---------------------------------------------------------------- HTTP
def api(method, path, body=None, headers=None, timeout=5.0):
    c = http.client.HTTPConnection(RS, API_PORT, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


# ---------------------------------------------------------------- the checks
rows = []


def row(check, sent, expected, happened, ok):
    alive = daemon.poll() is None
    legit = alive and wait_until(legit_established, 3.0)
    if not alive:
        happened += "; DAEMON DIED"
    elif not legit:
        happened += "; legitimate peer NOT Established"
    rows.append((check, sent, expected, happened, ok and alive and legit))
    print(f"{'PASS' if rows[-1][4] else 'FAIL'}  {check}: {happened}", flush=True)


def unknown_sources():
    closed = 0
    for i in range(N["unknown"]):
        p = Peer(UNKNOWN[i % len(UNKNOWN)])
        try:
            p.connect()
            closed += p.receive(3.0) == "closed"
        except OSError:
            closed += 1
        p.close()
    time.sleep(0.5)
    with open(daemon_log.name, errors="replace") as f:
        lines = sum("not a configured peer" in l for l in f)
    row("unknown-source connections", f"{N['unknown']} connections from {len(UNKNOWN)} unknown addresses",
        "each closed at once; log rate-limited (<= 10 lines)", f"{closed} closed, {lines} log lines",
        closed == N["unknown"] and lines <= 10)


def garbage_opens():
    answered, codes = 0, {}
    for _ in range(N["garbage"]):
        _, addr = next_fuzz()
        p = Peer(addr)
        if not p.accepted():
            continue
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 60)))
        kind = rng.randint(0, 2)
        if kind == 0:
            msg = header(19 + len(body), 1) + body  # random OPEN body
        elif kind == 1:
            m = bytearray(open_msg(65100, "10.0.0.99", caps=bytes([2, 0, 65, 4, 0, 0, 1])))
            m[19 + rng.randint(0, len(m) - 20)] ^= 1 << rng.randint(0, 7)  # one bit flipped
            msg = bytes(m)
        else:
            msg = open_msg(65100, "10.0.0.99")[:19] + open_msg(65100, "10.0.0.99")[19:24]  # truncated
            msg = header(len(msg), 1) + msg[19:]
        p.send(msg)
        r = p.await_notification(3.0)
        if r is not None:
            answered += 1
            if r != "closed":
                codes[f"{r[0]}/{r[1]}"] = codes.get(f"{r[0]}/{r[1]}", 0) + 1
        p.close()
    row("garbage OPENs", f"{N['garbage']} random/bit-flipped/truncated OPENs", "NOTIFICATION or close for each",
        f"{answered} answered {codes}", answered == N["garbage"])


def mutated_updates():
    outcomes = {"notification": 0, "kept": 0, "no answer": 0}
    for k in range(N["mutated"]):
        i, addr = next_fuzz()
        p = Peer(addr)
        if not p.handshake(65100 + i, f"10.0.1.{i + 1}"):
            outcomes["no answer"] += 1
            continue
        m = bytearray(good_update(65100 + i, k % 250))
        for _ in range(rng.randint(1, 4)):
            m[19 + rng.randint(0, len(m) - 20)] = rng.getrandbits(8)
        p.send(bytes(m))
        r = p.await_notification(1.0)
        if r is None and p.still_up():
            outcomes["kept"] += 1
        elif r is not None:
            outcomes["notification"] += 1
        else:
            outcomes["no answer"] += 1
        p.close()
    row("mutated UPDATEs", f"{N['mutated']} UPDATEs with 1-4 random bytes", "NOTIFICATION, or session kept (RFC 7606)",
        str(outcomes), outcomes["no answer"] == 0)


def keepalive_flood():
    i, addr = next_fuzz()
    p = Peer(addr)
    ok = p.handshake(65100 + i, f"10.0.1.{i + 1}")
    sent = 0
    chunk = KEEPALIVE * 1000
    while ok and sent < N["keepalives"]:
        ok = p.send(chunk)
        sent += 1000
    kept = ok and p.still_up()
    p.close()
    row("KEEPALIVE flood", f"{sent} KEEPALIVEs on one session", "session kept", "kept" if kept else "dropped", kept)


def huge_attribute_counts():
    i, addr = next_fuzz()
    p = Peer(addr)
    ext = bytes([6, 0])  # extended messages (RFC 8654), if the route server offers them too
    ok = p.handshake(65100 + i, f"10.0.1.{i + 1}", caps=ext)
    limit = 65535 if 6 in p.rs_capabilities() else 4096
    count = min(N["attributes"], (limit - 19 - 4 - 30) // 3)
    base = bytes([0x40, 1, 1, 0]) + bytes([0x40, 2, 4, 2, 1]) + struct.pack("!H", 65100 + i) + bytes([0x40, 3, 4, 100, 64, 0, 9])
    attrs = base + b"".join(bytes([0xC0, 100 + n % 150, 0]) for n in range(count))
    msg = update(attrs, bytes([24, 10, 9, 251]))
    if len(msg) > limit:  # stay within the size the session allows
        count = (limit - 19 - 4 - len(base) - 4) // 3
        attrs = base + b"".join(bytes([0xC0, 100 + n % 150, 0]) for n in range(count))
        msg = update(attrs, bytes([24, 10, 9, 251]))
    p.send(msg)
    r = p.await_notification(2.0)
    if not ok:
        what = "no session"
    else:
        what = f"NOTIFICATION {r[0]}/{r[1]}" if isinstance(r, tuple) else ("closed" if r else ("kept" if p.still_up() else "no answer"))
    p.close()
    row("huge attribute counts", f"one UPDATE with {count} attributes ({len(msg)} bytes)",
        "NOTIFICATION or session kept, answered", what, what not in ("no answer", "no session"))


def bad_header_lengths():
    cases = [("length 18", header(18, 4)), ("KEEPALIVE of 20", header(20, 4) + b"\0"),
             ("length 65535", header(65535, 2) + b"\0" * 100), ("OPEN of 20", header(20, 1) + b"\4")]
    got = []
    for name, msg in cases:
        _, addr = next_fuzz()
        p = Peer(addr)
        if not p.accepted():
            got.append(f"{name}: not accepted")
            continue
        p.send(msg)
        r = p.await_notification(3.0)
        got.append(f"{name}: {r[0]}/{r[1]}" if isinstance(r, tuple) else f"{name}: {r}")
        p.close()
    ok = all(g.endswith(": 1/2") for g in got)
    row("bad header lengths", ", ".join(n for n, _ in cases), "NOTIFICATION 1/2 each", "; ".join(got), ok)


def silent_sockets():
    i, addr = next_fuzz()
    silent = []
    for _ in range(N["silent"]):
        s = Peer(addr)
        if s.accepted():
            silent.append(s)
    real = Peer(addr)
    up = real.handshake(65100 + i, f"10.0.1.{i + 1}") and real.still_up()
    # The same against the legitimate peer's address while its session is Established.
    legit_silent = []
    for _ in range(N["silent"]):
        s = Peer(LEGIT)
        try:
            s.connect()
            legit_silent.append(s)
        except OSError:
            pass
    time.sleep(1.0)
    legit_up = legit_established()
    for s in silent + legit_silent + [real]:
        s.close()
    row("silent sockets from a configured address",
        f"{len(silent)} silent + the real peer from one address; {len(legit_silent)} silent from BIRD's address",
        "the real peer establishes; BIRD's session untouched",
        f"real peer {'Established' if up else 'kept out'}; BIRD {'Established' if legit_up else 'disturbed'}",
        up and legit_up)


def route_refresh_before_open():
    _, addr = next_fuzz()
    p = Peer(addr)
    r = "not accepted"
    if p.accepted():
        p.send(header(23, 5) + bytes([0, 1, 0, 1]))
        r = p.await_notification(3.0)
    p.close()
    row("ROUTE-REFRESH before OPEN", "ROUTE-REFRESH in OpenSent", "NOTIFICATION 5/1 (RFC 6608)",
        f"{r[0]}/{r[1]}" if isinstance(r, tuple) else str(r), r == (5, 1))


def big_http_request():
    size = N["big_body_mb"] << 20
    s = socket.create_connection((RS, API_PORT), timeout=10)
    s.sendall(f"POST /api/v1/peerings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              f"Content-Length: {size}\r\n\r\n".encode())
    sent, chunk = 0, b"x" * 65536
    try:
        while sent < size:
            s.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    status = ""
    try:
        s.settimeout(5)
        status = s.recv(4096).decode(errors="replace").split("\r\n")[0]
    except OSError as e:
        status = f"no answer ({e.strerror or e})"
    s.close()
    row("big HTTP request", f"POST with a {N['big_body_mb']} MB body", "413 before the body is read",
        f"'{status}' after {sent >> 20} MB sent", " 413 " in status + " ")


slowloris_result = {}


def slowloris_start():
    def run():
        s = socket.create_connection((RS, API_PORT), timeout=5)
        begin = time.monotonic()
        closed = False
        try:
            s.sendall(b"GET /api/v1/routeserver HTTP/1.1\r\n")
            for _ in range(90):  # one header byte per second, at most 90 s
                time.sleep(1)
                s.sendall(b"X")
        except OSError:
            closed = True
        s.close()
        slowloris_result["closed"] = closed
        slowloris_result["after"] = time.monotonic() - begin
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def slowloris_finish(t):
    t.join(95)
    closed, after = slowloris_result.get("closed", False), slowloris_result.get("after", 0)
    row("slow HTTP request (slowloris)", "request headers at one byte per second",
        "connection closed by the server within 60 s", f"closed after {after:.0f} s" if closed else "still open",
        closed and after <= 60)


def idle_http_connections():
    conns, refused = [], 0
    for _ in range(N["idle_http"]):
        try:
            conns.append(socket.create_connection((RS, API_PORT), timeout=2))
        except OSError:
            refused += 1
    time.sleep(1.0)
    # The server answers those beyond its bound with 503 and closes them: count the ones it turned away.
    closed = 0
    for c in conns:
        c.setblocking(False)
        try:
            data = c.recv(64)
            closed += data == b"" or data.startswith(b"HTTP/1.1 503")
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    # BGP must still accept connections meanwhile.
    i, addr = next_fuzz()
    p = Peer(addr)
    bgp_ok = p.handshake(65100 + i, f"10.0.1.{i + 1}")
    p.close()
    with open(daemon_log.name, errors="replace") as f:
        logged = sum(("connection" in l.lower() and ("limit" in l.lower() or "bound" in l.lower()) and "api" in l.lower()) for l in f)
    for c in conns:
        c.close()
    row("idle HTTP connections beyond the bound", f"{N['idle_http']} idle API connections",
        "those beyond the bound closed/refused and logged; BGP still accepts",
        f"{len(conns)} opened, {refused} refused, {closed} closed by the server, {logged} log lines; "
        f"BGP {'ok' if bgp_ok else 'BLOCKED'}", bgp_ok and (refused + closed) > 0 and logged > 0)


def duplicate_yaml_keys():
    cases = {
        "duplicate key": "route_server:\n  listen: [127.0.0.1]\n  port: 42179\n  port: 99999999\npeers: []\n",
        "duplicate section": "route_server:\n  listen: [127.0.0.1]\npeers: []\npeers:\n  - {name: x, address: 127.0.0.9, asn: 65515}\n",
        "second document": "route_server:\n  listen: [127.0.0.1]\n---\nroute_server:\n  listen: [bogus]\n",
        "type tag": "route_server:\n  listen: [127.0.0.1]\n  port: !!str 5\n",
    }
    got = []
    for name, text in cases.items():
        path = os.path.join(work, name.replace(" ", "-") + ".yaml")
        with open(path, "w") as f:
            f.write(text)
        r = subprocess.run([daemon_bin, "--check-config", path], capture_output=True, text=True, timeout=10)
        out = (r.stdout + r.stderr).strip().splitlines()
        got.append(f"{name}: exit {r.returncode}" + (f" ({out[0][:60]})" if out and r.returncode else ""))
    ok = all(": exit 0" not in g for g in got)
    row("duplicate YAML keys (--check-config)", ", ".join(cases), "each refused with line and column",
        "; ".join(got), ok)


def api_names():
    status, body = api("GET", "/api/v1/peerings")
    return sorted(p["name"] for p in json.loads(body)["value"]) if status == 200 else None


def file_names():
    """Names of the peers in the configuration file (block or flow style; the `peers` section only)."""
    names, in_peers = [], False
    with open(config_path) as f:
        for raw in f:
            if raw[:1] not in (" ", "-", "\n", "#"):
                in_peers = raw.startswith("peers:")
                continue
            line = raw.strip()
            if not in_peers:
                continue
            if line.startswith("- name:") or line.startswith("name:"):
                names.append(line.split(":", 1)[1].strip().strip('"'))
            elif line.startswith("- {name:"):
                names.append(line.split("name:", 1)[1].split(",")[0].strip())
    return sorted(names)


def sighup_during_api_writes():
    stop = threading.Event()
    calls = {"ok": 0, "other": 0}

    def writer(w):
        k = 0
        while not stop.is_set() and k < 2000:
            name, addr = f"h{w}_{k % 3}", f"{net}.{200 + 3 * w + k % 3}"
            try:
                s, _ = api("POST", "/api/v1/peerings", json.dumps({"name": name, "peerIp": addr, "peerAsn": 65200 + 3 * w + k % 3}),
                            {"Content-Type": "application/json"})
                calls["ok" if s in (200, 201, 409) else "other"] += 1
                if k % 2:
                    s, _ = api("DELETE", f"/api/v1/peerings/{name}")
                    calls["ok" if s in (200, 404) else "other"] += 1
            except OSError:
                calls["other"] += 1
            k += 1

    writers = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(2)]
    for t in writers:
        t.start()
    for _ in range(N["sighups"]):  # 50 Hz
        daemon.send_signal(signal.SIGHUP)
        time.sleep(0.02)
    stop.set()
    for t in writers:
        t.join(30)
    time.sleep(1.0)
    running = api_names()
    in_file = file_names()
    answers_ok = running is not None and all(api("GET", f"/api/v1/peerings/{n}")[0] == 200 for n in running)
    # A later SIGHUP must change nothing.
    daemon.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    after = api_names()
    ok = running == in_file and answers_ok and after == running
    for n in running or []:
        if n.startswith("h"):
            api("DELETE", f"/api/v1/peerings/{n}")
    only_running = sorted(set(running or []) - set(in_file))
    only_file = sorted(set(in_file) - set(running or []))
    happened = (f"{len(in_file)} peers, running = file" if running == in_file else
                f"only running: {only_running}, only in the file: {only_file}")
    if not answers_ok:
        happened += "; some listed peerings answer 404"
    if after != running:
        happened += "; another SIGHUP changed the running set"
    row("SIGHUP during API writes", f"{N['sighups']} SIGHUPs at 50 Hz while 2 clients create/delete peerings "
        f"({calls['ok']} API calls answered)", "running peers = file = API answers", happened, ok)


def invalid_utf8_json():
    cases = {"invalid UTF-8": b'{"name": "\xff\xfe", "peerIp": "127.0.0.9", "peerAsn": 65009}',
             "400-digit number": b'{"name": "n", "peerIp": "127.0.0.9", "peerAsn": ' + b"9" * 400 + b"}"}
    got = []
    for name, body in cases.items():
        s, _ = api("POST", "/api/v1/peerings", body, {"Content-Type": "application/json"})
        got.append((name, s))
    row("invalid UTF-8 JSON", ", ".join(cases), "400 each", "; ".join(f"{n}: {s}" for n, s in got),
        all(s == 400 for _, s in got))


# ---------------------------------------------------------------- run
def main():
    ready = wait_until(lambda: daemon.poll() is None and legit_established(), 30.0, 0.5)
    if not ready:
        print(f"abuse.sh: the legitimate peer did not establish (logs in {work})")
        return 1
    print(f"routefabricd {RS}:{BGP_PORT} (API {API_PORT}), BIRD at {LEGIT} Established; "
          f"{'short' if short else 'full'} campaign", flush=True)
    slow = slowloris_start()
    steps = [unknown_sources, garbage_opens, mutated_updates, keepalive_flood, huge_attribute_counts,
             bad_header_lengths, silent_sockets, route_refresh_before_open, big_http_request,
             idle_http_connections, duplicate_yaml_keys, sighup_during_api_writes, invalid_utf8_json]
    for step in steps:
        if daemon.poll() is not None:
            row(step.__name__, "-", "-", "not run: the daemon is gone", False)
            continue
        try:
            step()
        except Exception as e:  # a step that cannot even run is a failed check, not a crashed script
            row(step.__name__, "-", "-", f"error: {type(e).__name__}: {e}", False)
    slowloris_finish(slow)
    print()
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    w = [min(x, 60) for x in w]
    print(f"{'result':6}  {'check':{w[0]}}  {'sent':{w[1]}}  {'expected':{w[2]}}  happened")
    for check, sent, expected, happened, ok in rows:
        print(f"{'PASS' if ok else 'FAIL':6}  {check[:60]:{w[0]}}  {sent[:60]:{w[1]}}  {expected[:60]:{w[2]}}  {happened}")
    failed = sum(not r[4] for r in rows)
    print(f"\n{len(rows) - failed} passed, {failed} failed; daemon log {daemon_log.name}")
    return 1 if failed else 0


try:
    code = main()
finally:
    stop_all()
sys.exit(code)
PY
rc=$?
if [ "$rc" -eq 0 ] && [ "$keep" -eq 0 ]; then
  rm -rf "$work"
else
  echo "work directory kept: $work"
fi
exit "$rc"
