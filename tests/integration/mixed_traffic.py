#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a deterministic pcap of mixed traffic for the pcap mirror test.

The frames cover what the parser contract (dataplane/dp_parse.h) cares
about: TCP, UDP and ICMP over IPv4 and IPv6 in both directions, 802.1Q,
QinQ and deeper tag stacks, ARP, IPv4 options and fragments, IPv6
extension headers and fragments, truncated and malformed frames, and large
and small frames.  Addresses come only from 198.18.0.0/15 and fd00::/8.

Usage: mixed_traffic.py OUT.pcap [--seed N]
"""

import argparse
import random
import struct
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption_NOP, IPOption_RR
from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, IPv6,
                                IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting)
from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.packet import Raw

MAC_A = "02:00:00:00:00:01"
MAC_B = "02:00:00:00:00:02"
MAC_C = "02:00:00:00:00:03"
MAC_D = "02:00:00:00:00:04"
BCAST = "ff:ff:ff:ff:ff:ff"


def _payload(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


class Gen:
    """Collects frames as raw bytes."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.frames = []

    def add(self, pkt):
        self.frames.append(bytes(pkt))

    def add_raw(self, data):
        self.frames.append(bytes(data))

    def data(self, n):
        return _payload(self.rng, n)

    # Both directions of a TCP conversation: handshake, data, close.
    def tcp_flow(self, l2a, l2b, ipa, ipb, sport, dport, sizes, v6=False):
        ipcls = IPv6 if v6 else IP
        seq_a = self.rng.randrange(1 << 32)
        seq_b = self.rng.randrange(1 << 32)

        def a2b(flags, data=b"", seq=None, ack=None):
            return (l2a / ipcls(src=ipa, dst=ipb) /
                    TCP(sport=sport, dport=dport, flags=flags,
                        seq=seq if seq is not None else seq_a,
                        ack=ack or 0, window=65535) / Raw(data))

        def b2a(flags, data=b"", seq=None, ack=None):
            return (l2b / ipcls(src=ipb, dst=ipa) /
                    TCP(sport=dport, dport=sport, flags=flags,
                        seq=seq if seq is not None else seq_b,
                        ack=ack or 0, window=65535) / Raw(data))

        self.add(a2b("S"))
        self.add(b2a("SA", ack=seq_a + 1))
        seq_a += 1
        seq_b += 1
        self.add(a2b("A", ack=seq_b))
        for i, n in enumerate(sizes):
            d = self.data(n)
            if i % 2 == 0:
                self.add(a2b("PA", d, ack=seq_b))
                seq_a += n
            else:
                self.add(b2a("PA", d, ack=seq_a))
                seq_b += n
        self.add(a2b("FA", ack=seq_b))
        self.add(b2a("FA", ack=seq_a + 1))


def build(seed):
    g = Gen(seed)
    eab = Ether(src=MAC_A, dst=MAC_B)
    eba = Ether(src=MAC_B, dst=MAC_A)
    ecd = Ether(src=MAC_C, dst=MAC_D)
    edc = Ether(src=MAC_D, dst=MAC_C)

    # TCP over IPv4: web ports, ssh, and one outside 80..443.
    g.tcp_flow(eab, eba, "198.18.0.1", "198.18.0.2", 40001, 80,
               [120, 1460, 0, 700])
    g.tcp_flow(eab, eba, "198.18.0.3", "198.18.0.4", 40002, 443,
               [300, 1200])
    g.tcp_flow(ecd, edc, "198.18.0.5", "198.18.0.6", 40003, 22, [48, 96])
    g.tcp_flow(ecd, edc, "198.18.0.7", "198.18.0.8", 40004, 8080, [10])
    # A server port inside 80..443 that is not a well-known one.
    g.tcp_flow(eab, eba, "198.18.0.9", "198.18.0.10", 443, 143, [33])
    # TCP over IPv6, inside and outside fd00::/16.
    g.tcp_flow(eab, eba, "fd00::1", "fd00::2", 50001, 443, [200, 1400],
               v6=True)
    g.tcp_flow(ecd, edc, "fd12:3456::1", "fd12:3456::2", 50002, 80, [64],
               v6=True)
    g.tcp_flow(ecd, edc, "fd00:0:0:1::5", "fd12:3456::9", 50003, 22, [16],
               v6=True)

    # UDP: DNS both ways (IPv4 and IPv6), and other ports.
    q = DNS(id=0x1234, rd=1, qd=DNSQR(qname="example.test"))
    r = DNS(id=0x1234, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.test"),
            an=DNSRR(rrname="example.test", rdata="198.18.0.99"))
    for i in range(3):
        g.add(eab / IP(src="198.18.0.11", dst="198.18.0.53") /
              UDP(sport=33000 + i, dport=53) / q)
        g.add(eba / IP(src="198.18.0.53", dst="198.18.0.11") /
              UDP(sport=53, dport=33000 + i) / r)
    g.add(eab / IPv6(src="fd00::11", dst="fd00::53") /
          UDP(sport=33100, dport=53) / q)
    g.add(eba / IPv6(src="fd00::53", dst="fd00::11") /
          UDP(sport=53, dport=33100) / r)
    for i in range(6):
        g.add(ecd / IP(src="198.18.0.%d" % (20 + i), dst="198.18.0.30") /
              UDP(sport=12000 + i, dport=9999) / Raw(g.data(20 + 37 * i)))
        g.add(edc / IP(src="198.18.0.30", dst="198.18.0.%d" % (20 + i)) /
              UDP(sport=9999, dport=12000 + i) / Raw(g.data(10 + 13 * i)))
    for i in range(4):
        g.add(ecd / IPv6(src="fd00::%x" % (0x20 + i), dst="fd12::30") /
              UDP(sport=12100 + i, dport=5000) / Raw(g.data(30 + 50 * i)))
        g.add(edc / IPv6(src="fd12::30", dst="fd00::%x" % (0x20 + i)) /
              UDP(sport=5000, dport=12100 + i) / Raw(g.data(15 + 7 * i)))
    # UDP from the address the rejects filter refuses.
    g.add(eba / IP(src="198.18.0.2", dst="198.18.0.1") /
          UDP(sport=7000, dport=7001) / Raw(g.data(40)))
    g.add(eab / IPv6(src="fd00::1", dst="fd00::2") /
          UDP(sport=7000, dport=7001) / Raw(g.data(40)))

    # ICMP echo over IPv4 and IPv6.
    for i in range(3):
        g.add(eab / IP(src="198.18.0.1", dst="198.18.0.2") /
              ICMP(type=8, id=0x42, seq=i) / Raw(g.data(56)))
        g.add(eba / IP(src="198.18.0.2", dst="198.18.0.1") /
              ICMP(type=0, id=0x42, seq=i) / Raw(g.data(56)))
        g.add(eab / IPv6(src="fd00::1", dst="fd00::2") /
              ICMPv6EchoRequest(id=0x43, seq=i) / Raw(g.data(56)))
        g.add(eba / IPv6(src="fd00::2", dst="fd00::1") /
              ICMPv6EchoReply(id=0x43, seq=i) / Raw(g.data(56)))

    # 802.1Q and QinQ.
    for vid in (10, 20, 30):
        g.add(eab / Dot1Q(vlan=vid, prio=vid % 8) /
              IP(src="198.18.0.%d" % (100 + vid), dst="198.18.0.2") /
              TCP(sport=41000 + vid, dport=80, flags="S"))
        g.add(eba / Dot1Q(vlan=vid) /
              IP(src="198.18.0.2", dst="198.18.0.%d" % (100 + vid)) /
              TCP(sport=80, dport=41000 + vid, flags="SA"))
        g.add(ecd / Dot1Q(vlan=vid) /
              IP(src="198.18.0.%d" % (100 + vid), dst="198.18.0.30") /
              UDP(sport=42000 + vid, dport=53) / q)
        g.add(ecd / Dot1Q(vlan=vid) /
              IPv6(src="fd00::%x" % (0x100 + vid), dst="fd00::2") /
              UDP(sport=42000 + vid, dport=4000) / Raw(g.data(24)))
        g.add(Ether(src=MAC_C, dst=BCAST) / Dot1Q(vlan=vid) /
              ARP(op=1, hwsrc=MAC_C, psrc="198.18.0.%d" % (100 + vid),
                  pdst="198.18.0.1"))
    # QinQ: 0x88a8 outer tag + 0x8100 inner tag; the outer VID counts.
    for outer, inner in ((10, 20), (20, 10), (30, 10)):
        g.add(eab / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) /
              IP(src="198.18.0.%d" % (150 + outer), dst="198.18.0.2") /
              TCP(sport=43000 + inner, dport=443, flags="PA") /
              Raw(g.data(100)))
        g.add(eba / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) /
              IP(src="198.18.0.2", dst="198.18.0.%d" % (150 + outer)) /
              UDP(sport=53, dport=43000 + inner) / r)
        g.add(eab / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) /
              IPv6(src="fd00::%x" % (0x150 + outer), dst="fd12::1") /
              ICMPv6EchoRequest(id=outer, seq=inner))
    # Four tags (the most the parser walks) and five (one too many: the
    # frame is then not IP).  0x9100 is a tag too.
    g.add(eab / Dot1AD(vlan=30) / Dot1Q(vlan=31) / Dot1Q(vlan=32) /
          Dot1Q(vlan=33) / IP(src="198.18.0.40", dst="198.18.0.41") /
          TCP(sport=44000, dport=80, flags="S"))
    five = (eab / Dot1AD(vlan=30) / Dot1Q(vlan=31) / Dot1Q(vlan=32) /
            Dot1Q(vlan=33) / Dot1Q(vlan=34) /
            IP(src="198.18.0.40", dst="198.18.0.41") /
            TCP(sport=44001, dport=80, flags="S"))
    g.add(five)
    nine1 = bytearray(bytes(eab / Dot1Q(vlan=10) /
                            IP(src="198.18.0.42", dst="198.18.0.43") /
                            UDP(sport=44002, dport=44003) /
                            Raw(g.data(18))))
    nine1[12:14] = b"\x91\x00"
    g.add_raw(nine1)

    # ARP, untagged.
    g.add(Ether(src=MAC_A, dst=BCAST) /
          ARP(op=1, hwsrc=MAC_A, psrc="198.18.0.1", pdst="198.18.0.2"))
    g.add(Ether(src=MAC_B, dst=MAC_A) /
          ARP(op=2, hwsrc=MAC_B, psrc="198.18.0.2", hwdst=MAC_A,
              pdst="198.18.0.1"))

    # IPv4 with options (IHL 6 and 10).
    g.add(eab / IP(src="198.18.0.1", dst="198.18.0.2",
                   options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(),
                            IPOption_NOP()]) /
          TCP(sport=40001, dport=80, flags="A") / Raw(g.data(20)))
    g.add(eba / IP(src="198.18.0.2", dst="198.18.0.1",
                   options=[IPOption_RR(routers=["198.18.0.7"] * 8)]) /
          TCP(sport=80, dport=40001, flags="A") / Raw(g.data(20)))
    g.add(ecd / IP(src="198.18.0.12", dst="198.18.0.53",
                   options=[IPOption_NOP()] * 8) /
          UDP(sport=33333, dport=53) / q)

    # IPv4 fragments: first (MF, offset 0) and non-first, UDP and TCP.
    big = (IP(src="198.18.0.13", dst="198.18.0.53", id=777) /
           UDP(sport=33444, dport=53) / Raw(g.data(1200)))
    big = IP(bytes(big))
    f1 = bytes(big)[:20 + 600]
    h = bytearray(f1[:20])
    struct.pack_into("!HH", h, 2, 20 + 600, 0x2000)
    frag1 = IP(bytes(h) + f1[20:])
    del frag1.chksum
    g.add(ecd / frag1)
    frag2 = IP(src="198.18.0.13", dst="198.18.0.53", id=777, proto=17,
               frag=75, flags=0) / Raw(bytes(big)[20 + 600:])
    g.add(ecd / frag2)
    # A non-first fragment whose first bytes look like web ports.
    g.add(eab / IP(src="198.18.0.1", dst="198.18.0.2", id=778, proto=6,
                   frag=10, flags="MF") /
          Raw(struct.pack("!HH", 40001, 80) + g.data(60)))
    g.add(eab / IP(src="198.18.0.1", dst="198.18.0.2", id=778, proto=6,
                   frag=0, flags="MF") /
          TCP(sport=40001, dport=80, flags="PA") / Raw(g.data(56)))

    # IPv6 extension headers.
    g.add(eab / IPv6(src="fd00::1", dst="fd00::2") / IPv6ExtHdrHopByHop() /
          IPv6ExtHdrDestOpt() /
          IPv6ExtHdrRouting(addresses=["fd00::7"]) /
          TCP(sport=50001, dport=443, flags="PA") / Raw(g.data(40)))
    g.add(ecd / IPv6(src="fd12::1", dst="fd00::3") / IPv6ExtHdrDestOpt() /
          UDP(sport=5353, dport=53) / q)
    ext8 = IPv6ExtHdrHopByHop()
    for _ in range(7):
        ext8 = ext8 / IPv6ExtHdrDestOpt()
    g.add(eab / IPv6(src="fd12::5", dst="fd12::6") / ext8 /
          TCP(sport=50005, dport=80, flags="S"))
    # IPv6 fragments: first and non-first.
    g.add(eab / IPv6(src="fd00::1", dst="fd00::2") /
          IPv6ExtHdrFragment(id=99, offset=0, m=1) /
          UDP(sport=7000, dport=53, len=1008) / Raw(g.data(600)))
    g.add(eab / IPv6(src="fd00::1", dst="fd00::2") /
          IPv6ExtHdrFragment(id=99, offset=76, m=0, nh=17) /
          Raw(struct.pack("!HH", 7000, 443) + g.data(400)))
    g.add(ecd / IPv6(src="fd12::1", dst="fd00::2") /
          IPv6ExtHdrFragment(id=100, offset=0, m=1) /
          TCP(sport=50010, dport=80, flags="PA") / Raw(g.data(64)))
    # Bogus chains: a hop-by-hop header that runs past the frame, and a
    # chain cut in the middle of the fixed part of an extension header.
    bog = bytearray(bytes(eab / IPv6(src="fd00::1", dst="fd00::2", nh=0) /
                          Raw(bytes([6, 20]) + g.data(30))))
    g.add_raw(bog)
    bog2 = bytearray(bytes(eba / IPv6(src="fd00::2", dst="fd00::1") /
                           IPv6ExtHdrDestOpt() / TCP(sport=80, dport=50001)))
    g.add_raw(bog2[:14 + 40 + 1])       # cut in the extension header
    g.add_raw(bog2[:14 + 40 + 8 + 1])   # chain complete, L4 cut

    # Truncated frames.
    t4 = bytes(eab / IP(src="198.18.0.1", dst="198.18.0.2") /
               TCP(sport=40001, dport=80, flags="A") / Raw(g.data(30)))
    g.add_raw(t4[:14 + 12])          # in the middle of the IPv4 header
    g.add_raw(t4[:14 + 20 + 2])      # only the source port
    g.add_raw(t4[:14 + 20 + 4])      # both ports, rest of TCP missing
    g.add_raw(t4[:14 + 20 + 10])     # in the middle of the TCP header
    t6 = bytes(eab / IPv6(src="fd00::1", dst="fd00::2") /
               UDP(sport=7000, dport=53) / Raw(g.data(30)))
    g.add_raw(t6[:14 + 30])          # in the middle of the IPv6 header
    g.add_raw(t6[:14 + 40 + 3])      # 3 bytes of UDP
    g.add_raw(t6[:14 + 40 + 6])      # ports present, UDP cut
    tq = bytes(eab / Dot1Q(vlan=30) / IP(src="198.18.0.1", dst="198.18.0.2"))
    g.add_raw(tq[:16])               # tag cut after its TCI
    g.add_raw(tq[:14])               # tag TPID, nothing after it

    # Malformed IPv4 headers.
    # From the address the rejects session refuses: were any of them
    # taken for IPv4, that session would lose its copy.
    good = bytes(eba / IP(src="198.18.0.2", dst="198.18.0.1") /
                 UDP(sport=7000, dport=7001) / Raw(g.data(30)))
    m = bytearray(good)
    m[14] = 0x44                     # IHL 4
    g.add_raw(m)
    m = bytearray(good)
    struct.pack_into("!H", m, 14 + 2, 16)   # total_length < IHL*4
    g.add_raw(m)
    m = bytearray(good)
    struct.pack_into("!H", m, 14 + 2, 22)   # ports outside the IP payload
    g.add_raw(m)
    m = bytearray(good)
    struct.pack_into("!H", m, 14 + 2, 24)   # ports exactly inside it
    g.add_raw(m)
    # The same with TCP to port 80: only the second has its ports.
    web = bytes(eab / IP(src="198.18.0.1", dst="198.18.0.2") /
                TCP(sport=40001, dport=80, flags="A") / Raw(g.data(30)))
    for tlen in (23, 24):
        m = bytearray(web)
        struct.pack_into("!H", m, 14 + 2, tlen)
        g.add_raw(m)
    web6 = bytes(eab / IPv6(src="fd12::1", dst="fd12::2") /
                 TCP(sport=50001, dport=80, flags="A") / Raw(g.data(30)))
    for plen in (3, 4):
        m = bytearray(web6)
        struct.pack_into("!H", m, 14 + 4, plen)
        g.add_raw(m)
    m = bytearray(good)
    m[14] = 0x4f                     # IHL 15: 60 bytes, more than present
    g.add_raw(m[:14 + 40])
    m = bytearray(good)
    m[14] = 0x65                     # version 6 in an IPv4 frame
    g.add_raw(m)
    m = bytearray(t6)
    m[14] = 0x45                     # version 4 in an IPv6 frame
    g.add_raw(m)
    m = bytearray(t6)
    struct.pack_into("!H", m, 14 + 4, 2)   # IPv6 payload length too small
    g.add_raw(m)
    g.add_raw(bytes.fromhex("02000000000102000000"))  # 10-byte frame
    g.add_raw(bytes.fromhex("020000000002020000000001"))  # 12 bytes

    # Large and small frames.
    for i in range(3):
        g.add(eab / IP(src="198.18.0.1", dst="198.18.0.2") /
              TCP(sport=40001, dport=80, flags="A") / Raw(g.data(1460)))
        g.add(eab / IP(src="198.18.0.31", dst="198.18.0.30") /
              UDP(sport=12000, dport=9999) / Raw(g.data(1472)))
        g.add(eab / IPv6(src="fd00::20", dst="fd12::30") /
              UDP(sport=12100, dport=5000) / Raw(g.data(1452)))
    for i in range(4):
        g.add(ecd / IP(src="198.18.0.20", dst="198.18.0.30") /
              UDP(sport=12000, dport=9999))
        g.add(ecd / IP(src="198.18.0.30", dst="198.18.0.20") /
              UDP(sport=9999, dport=12000) / Raw(b"\x00" * 18))
        g.add(ecd / Raw(struct.pack("!H", 0x88b5) + g.data(2 + i)))

    # Shuffle the middle so flows interleave, deterministically.
    head = g.frames[:10]
    rest = g.frames[10:]
    g.rng.shuffle(rest)
    frames = head + rest
    # Repeat the whole set once more so every session sees many packets
    # and the sampling counters wrap several times.
    return frames + frames[::-1]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            sec = 1700000000 + i // 1000
            usec = (i % 1000) * 1000
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)))
            f.write(fr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20240611)
    a = ap.parse_args()
    frames = build(a.seed)
    write_pcap(a.out, frames)
    print("mixed_traffic: %d frames written to %s" % (len(frames), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
