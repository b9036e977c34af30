#!/usr/bin/env python3
"""A minimal BGP listener that records, byte for byte, what a real BGP implementation sends.

It accepts one TCP connection, answers the peer's OPEN with its own OPEN and a KEEPALIVE, keeps the
session alive with KEEPALIVEs, optionally asks for the routes again (ROUTE-REFRESH) and writes every
message it receives, unchanged and concatenated, to --out. It stops when the peer sends a NOTIFICATION
or closes the connection, or after --duration seconds (then it sends a Cease NOTIFICATION itself).

Our OPEN: version 4, My AS --as (AS_TRANS with a 4-octet --as), hold time 90, capabilities multiprotocol
IPv4+IPv6 unicast, route refresh, enhanced route refresh, 4-octet AS (unless --two-octet), extended
message (with --extended-message) and ADD-PATH receive for IPv4+IPv6 unicast (with --add-path).
Used by tests/data/capture_all.sh; see tests/data/README.md.
"""
import argparse
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def message(msg_type, body):
    return MARKER + struct.pack("!HB", 19 + len(body), msg_type) + body


def capability(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def our_open(args):
    caps = capability(1, struct.pack("!HBB", 1, 0, 1)) + capability(1, struct.pack("!HBB", 2, 0, 1))
    caps += capability(2) + capability(70)
    if not args.two_octet:
        caps += capability(65, struct.pack("!I", args.asn))
    if args.extended_message:
        caps += capability(6)
    if args.add_path:
        caps += capability(69, struct.pack("!HBB", 1, 1, 1) + struct.pack("!HBB", 2, 1, 1))
    my_as = args.asn if args.asn <= 0xFFFF else 23456
    ident = socket.inet_aton(args.router_id)
    body = struct.pack("!BHH", 4, my_as, 90) + ident + struct.pack("!BBB", len(caps) + 2, 2, len(caps)) + caps
    return message(1, body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, help="ADDRESS:PORT")
    ap.add_argument("--out", required=True)
    ap.add_argument("--asn", type=int, default=65000)
    ap.add_argument("--router-id", default="10.0.0.100")
    ap.add_argument("--two-octet", action="store_true")
    ap.add_argument("--extended-message", action="store_true")
    ap.add_argument("--add-path", action="store_true")
    ap.add_argument("--refresh-at", type=float, default=0, help="send ROUTE-REFRESH this many s after OPEN")
    ap.add_argument("--duration", type=float, default=15)
    ap.add_argument("--accept-timeout", type=float, default=15)
    args = ap.parse_args()

    host, port = args.listen.rsplit(":", 1)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, int(port)))
    srv.listen(1)
    srv.settimeout(args.accept_timeout)
    try:
        conn, peer = srv.accept()
    except socket.timeout:
        print("capture: no connection", file=sys.stderr)
        return 1
    srv.close()
    print(f"capture: connection from {peer[0]}:{peer[1]}", file=sys.stderr)

    start = time.monotonic()
    deadline = start + args.duration
    conn.sendall(our_open(args))
    recorded = []
    opened_at = None
    refreshed = False
    last_keepalive = time.monotonic()
    end_reason = "duration"
    buf = b""
    while time.monotonic() < deadline and end_reason == "duration":
        now = time.monotonic()
        if opened_at is not None and now - last_keepalive > 5:
            conn.sendall(message(4, b""))
            last_keepalive = now
        if opened_at is not None and args.refresh_at > 0 and not refreshed and now - opened_at >= args.refresh_at:
            conn.sendall(message(5, struct.pack("!HBB", 1, 0, 1)) + message(5, struct.pack("!HBB", 2, 0, 1)))
            refreshed = True
        conn.settimeout(0.2)
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            end_reason = "peer closed"
            break
        buf += chunk
        while len(buf) >= 19:
            if buf[:16] != MARKER:
                end_reason = "bad marker"
                break
            length, msg_type = struct.unpack("!HB", buf[16:19])
            if length < 19 or len(buf) < length:
                break
            recorded.append(buf[:length])
            buf = buf[length:]
            if msg_type == 1:
                conn.sendall(message(4, b""))
                opened_at = time.monotonic()
                last_keepalive = opened_at
            elif msg_type == 3:
                end_reason = "notification"
                break
    if end_reason == "duration":
        # Cease / Administrative Shutdown with an RFC 8203 message.
        text = b"capture done"
        try:
            conn.sendall(message(3, struct.pack("!BBB", 6, 2, len(text)) + text))
        except OSError:
            pass
    conn.close()
    with open(args.out, "wb") as f:
        for m in recorded:
            f.write(m)
    print(f"capture: {len(recorded)} messages, {sum(map(len, recorded))} bytes -> {args.out} ({end_reason})",
          file=sys.stderr)
    return 0 if recorded else 1


if __name__ == "__main__":
    sys.exit(main())
