#!/usr/bin/env python3
"""Writes the seed corpora of the codec fuzzers (tests/fuzz/corpus/<name>/<sha1>) from the golden captures in
tests/data/ and a few hand-made edge cases. The first octet of update/message/roundtrip inputs selects the
codec options (tests/control/codec/fuzz_common.hpp): bit 0 4-octet AS, bit 1 extended message, bit 2/3 ADD-PATH
IPv4/IPv6. Crash inputs found later are added to the same folders by hand and kept.
The MRT reader's corpus (mrt/) is cut from the replay sample docs/rfbench/sample.mrt: the peer index table with
RIB records of both families, single BGP4MP_ET records (MESSAGE, MESSAGE_AS4, STATE_CHANGE_AS4), and a file cut
mid-record.
Usage: python3 tests/fuzz/make_corpus.py
"""
import hashlib
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")
MARKER = b"\xff" * 16

# Options the capture listener negotiated with each implementation (see tests/data/README.md).
SESSIONS = {"frr": 0x0F, "bird": 0x01, "gobgp": 0x05, "exabgp": 0x02}


def msg(t, body):
    return MARKER + struct.pack("!HB", 19 + len(body), t) + body


def attr(flags, t, v):
    if flags & 0x10:
        return struct.pack("!BBH", flags, t, len(v)) + v
    return struct.pack("!BBB", flags, t, len(v)) + v


def update(withdrawn, attrs, nlri):
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri)


def split(stream):
    out, pos = [], 0
    while len(stream) - pos >= 19:
        n = struct.unpack("!H", stream[pos + 16:pos + 18])[0]
        out.append(stream[pos:pos + n])
        pos += n
    return out


def put(name, blob):
    d = os.path.join(here, "corpus", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


base = attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x01" + struct.pack("!I", 65001)) + attr(0x40, 3, bytes([100, 64, 0, 1]))
base2 = attr(0x40, 1, b"\x00") + attr(0x40, 2, b"\x02\x02" + struct.pack("!HH", 23456, 65002)) + attr(0x40, 3, bytes([100, 64, 0, 1]))
handmade = [
    (0x01, msg(4, b"")),
    (0x01, msg(3, bytes([6, 2, 3]) + b"bye")),
    (0x01, msg(5, struct.pack("!HBB", 2, 1, 1))),
    (0x01, update(b"", b"", b"")),
    (0x01, update(b"", attr(0x80, 15, struct.pack("!HB", 2, 1)), b"")),
    (0x01, update(bytes([24, 10, 0, 0, 32, 10, 1, 2, 3]), b"", b"")),
    (0x01, update(b"", base + attr(0xC0, 8, struct.pack("!II", 0xFFFFFF01, 65001 << 16 | 7)), bytes([24, 10, 0, 0, 0]))),
    (0x00, update(b"", base2 + attr(0xC0, 17, b"\x02\x02" + struct.pack("!II", 4200000001, 65002))
                  + attr(0xC0, 7, struct.pack("!HI", 23456, 1)) + attr(0xC0, 18, struct.pack("!II", 4200000001, 1)),
                  bytes([16, 10, 1]))),
    (0x05, update(struct.pack("!IB", 7, 8) + b"\x0a", base, struct.pack("!IB", 1, 24) + b"\x0a\x00\x00")),
    (0x09, update(b"", attr(0x90, 14, struct.pack("!HBB", 2, 1, 32) + bytes(32) + b"\x00" + struct.pack("!IB", 3, 64) + bytes(8))
                  + base, b"")),
    (0x01, update(b"", base + attr(0xD0, 200, bytes(300)) + attr(0x80, 10, bytes(8)) + attr(0x80, 9, bytes(4)), b"")),
    # malformed: attribute running past the area, bad ORIGIN, AS_PATH with a zero-length segment
    (0x01, update(b"", base + b"\x40\x05\x09\x00", bytes([24, 10, 0, 0]))),
    (0x01, update(b"", attr(0x40, 1, b"\x07") + attr(0x40, 2, b"\x02\x00"), bytes([24, 10, 0, 0]))),
]

for impl, opts in SESSIONS.items():
    path = os.path.join(data, impl, "session.bgp")
    if not os.path.exists(path):
        continue
    stream = open(path, "rb").read()
    put("message", bytes([opts]) + stream)
    for m in split(stream):
        put("header", m[:19])
        put("roundtrip", bytes([opts]) + m)
        if m[18] == 1:
            put("open", m)
        if m[18] == 2:
            put("update", bytes([opts]) + m)
for opts, m in handmade:
    put("header", m[:19])
    put("roundtrip", bytes([opts]) + m)
    put("message", bytes([opts]) + m)
    if m[18] == 2:
        put("update", bytes([opts]) + m)


# MRT: whole records of the replay sample (common header: timestamp, type, subtype, length).
def mrt_records(blob):
    out, pos = [], 0
    while len(blob) - pos >= 12:
        n = struct.unpack("!I", blob[pos + 8:pos + 12])[0]
        out.append(blob[pos:pos + 12 + n])
        pos += 12 + n
    return out


sample = open(os.path.join(here, "..", "..", "docs", "rfbench", "sample.mrt"), "rb").read()
records = mrt_records(sample)
ribs_v4 = [r for r in records if r[4:8] == b"\x00\x0d\x00\x02"]
ribs_v6 = [r for r in records if r[4:8] == b"\x00\x0d\x00\x04"]
as4 = [r for r in records if r[4:8] == b"\x00\x11\x00\x04"]
as2 = [r for r in records if r[4:8] == b"\x00\x11\x00\x01"]
states = [r for r in records if r[4:8] == b"\x00\x11\x00\x05"]
put("mrt", records[0] + b"".join(ribs_v4[:3]))
put("mrt", records[0] + ribs_v4[-1] + ribs_v6[0])
put("mrt", as4[0])
put("mrt", as4[len(as4) // 2] + as2[0])
put("mrt", records[0] + ribs_v4[0][:-5])
put("mrt", states[0] + as4[-1])
