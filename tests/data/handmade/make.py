#!/usr/bin/env python3
"""Writes rfc7606.bgp: hand-made UPDATEs, each with one RFC 7606 problem, to show rf-decode's error output
(`rf-decode tests/data/handmade/rfc7606.bgp`). Usage: python3 tests/data/handmade/make.py"""
import os
import struct


def msg(t, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), t) + body


def attr(flags, t, v):
    return struct.pack("!BBB", flags, t, len(v)) + v


def update(attrs, nlri):
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


origin = attr(0x40, 1, b"\x00")
path = attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65001, 65002))
nh = attr(0x40, 3, bytes([100, 64, 0, 1]))
nlri = bytes([24, 10, 9, 1])
msgs = [
    update(origin + path + nh + attr(0xC0, 8, struct.pack("!I", 65001 << 16 | 1)), nlri),  # fine
    update(attr(0x40, 1, b"\x07") + path + nh, nlri),  # bad ORIGIN value: treat-as-withdraw
    update(origin + path + nh + attr(0x40, 6, b"\x01"), nlri),  # ATOMIC_AGGREGATE length 1: attribute discard
    update(origin + path, nlri),  # NEXT_HOP missing: treat-as-withdraw
    update(origin + path + nh + attr(0xC0, 7, b"\x00" * 8) + attr(0xC0, 7, b"\x00" * 8), nlri),  # repeated
    update(origin + path + nh + attr(0x80, 14, struct.pack("!HBB", 2, 1, 5) + b"\x00" * 6), b""),  # session reset
]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rfc7606.bgp"), "wb") as f:
    f.write(b"".join(msgs))
