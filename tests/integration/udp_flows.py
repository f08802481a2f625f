#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a pcap of COUNT flows of 200-byte Ethernet/IPv4/UDP frames, one
frame per flow, for the tests that replay one with net_pcap infinite_rx.

  udp_flows.py FILE --src A.B.C.D --dst A.B.C.D [--sport P] [--dport P]
               [--count N]

Frame i goes from --src to --dst with i added to its last byte, from
--sport to --dport; a port written "N+i" is N plus i, a plain N is the
same for every frame.  MACs 02:00:00:00:00:01 -> 02:00:00:00:00:02.
"""
import argparse
import ipaddress
import struct


def port(text, i):
    if text.endswith("+i"):
        return int(text[:-2]) + i
    return int(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--sport", default="1024+i")
    ap.add_argument("--dport", default="9")
    ap.add_argument("--count", type=int, default=64)
    a = ap.parse_args()
    src = ipaddress.IPv4Address(a.src).packed
    dst = int(ipaddress.IPv4Address(a.dst))
    with open(a.file, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(a.count):
            udp = struct.pack("!HHHH", port(a.sport, i), port(a.dport, i),
                              166, 0) + bytes(158)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 186, i, 0, 64, 17, 0,
                             src, ipaddress.IPv4Address(dst + i).packed)
            fr = (bytes.fromhex("020000000002020000000001") + b"\x08\x00" +
                  ip + udp)
            f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
