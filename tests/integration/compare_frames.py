#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that mirrored frames arrived byte for byte.

usage: compare_frames.py SEEN.pcap MIRRORED.pcap [--decap]
       [--proto icmp|icmp-request|icmp-reply|tcp:PORT|udp:PORT]...
       [--min N] [--echo N] [--absent KIND]...

SEEN.pcap is a capture where the original frames were seen (a host's eth0),
MIRRORED.pcap the decapsulated copies (the far host's vxlan0).  Every SEEN
frame of the selected kinds must be found, byte for byte, in MIRRORED (as a
multiset: a frame seen twice must be mirrored twice).  --decap: MIRRORED
holds the copies as they travel (VxLAN, Geneve, GRE, ERSPAN II or III over
IPv4 or IPv6, told apart by their headers): each is decapsulated first, and
one that is none of these counts as missing.  --min N: at least N
frames must be selected.  --echo N: the selection must hold at least N ICMP
or ICMPv6 echo requests and N echo replies.  --absent KIND: no MIRRORED
frame may be of that kind (e.g. icmp-reply for an ingress-only mirror).
Prints one line per check and
exits 0 when all hold.
"""
import argparse
import collections
import os
import struct
import sys


def read_pcap(path):
    """Frames of a classic pcap file (tcpdump -w), any byte order."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, expected Ethernet")
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def l3(frame):
    """(ethertype, offset of the L3 header) after any VLAN tags."""
    off, et = 12, None
    while off + 2 <= len(frame):
        et = struct.unpack("!H", frame[off:off + 2])[0]
        if et in (0x8100, 0x88A8):
            off += 4
            continue
        return et, off + 2
    return None, None


def classify(frame):
    """('icmp', type) / ('tcp', sport, dport) / ('udp', ...) / None."""
    et, off = l3(frame)
    if et == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 0x0F) * 4
        proto = frame[off + 9]
        l4 = off + ihl
    elif et == 0x86DD and len(frame) >= off + 40:
        proto = frame[off + 6]
        l4 = off + 40
    else:
        return None
    if proto in (1, 58) and len(frame) > l4:
        return ("icmp", frame[l4])
    if proto in (6, 17) and len(frame) >= l4 + 4:
        sp, dp = struct.unpack("!HH", frame[l4:l4 + 4])
        return ("tcp" if proto == 6 else "udp", sp, dp)
    return None


def selected(frame, wants):
    c = classify(frame)
    if c is None:
        return False
    for w in wants:
        if w == "icmp" and c[0] == "icmp":
            return True
        if w == "icmp-request" and c[0] == "icmp" and c[1] in (8, 128):
            return True
        if w == "icmp-reply" and c[0] == "icmp" and c[1] in (0, 129):
            return True
        if ":" in w:
            kind, port = w.split(":")
            if c[0] == kind and int(port) in (c[1], c[2]):
                return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seen")
    ap.add_argument("mirrored")
    ap.add_argument("--proto", action="append", default=[])
    ap.add_argument("--min", type=int, default=1)
    ap.add_argument("--echo", type=int, default=0)
    ap.add_argument("--absent", action="append", default=[])
    ap.add_argument("--decap", action="store_true")
    a = ap.parse_args()
    wants = a.proto or ["icmp"]

    seen = [f for f in read_pcap(a.seen) if selected(f, wants)]
    copies = read_pcap(a.mirrored)
    if a.decap:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from mirror_oracle import decap
        inner = [decap(f) for f in copies]
        print(f"decapsulated {sum(x is not None for x in inner)} of "
              f"{len(copies)} copies")
        copies = [x for x in inner if x is not None]
    mirrored = collections.Counter(copies)
    ok = True

    def check(what, cond):
        nonlocal ok
        print(("ok   " if cond else "FAIL ") + what)
        ok = ok and cond

    check(f"{len(seen)} frames of {','.join(wants)} seen (>= {a.min})",
          len(seen) >= a.min)
    missing = 0
    need = collections.Counter(seen)
    for frame, n in need.items():
        if mirrored[frame] < n:
            missing += n - mirrored[frame]
    check(f"every one of them mirrored byte for byte ({missing} missing)",
          missing == 0)
    if a.echo:
        kinds = collections.Counter(classify(f)[1] for f in seen
                                    if classify(f)[0] == "icmp")
        req = kinds[8] + kinds[128]
        rep = kinds[0] + kinds[129]
        check(f"{req} echo requests and {rep} replies (>= {a.echo} each)",
              req >= a.echo and rep >= a.echo)
    for kind in a.absent:
        n = sum(1 for f in copies if selected(f, [kind]))
        check(f"no {kind} frame mirrored ({n} found)", n == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
