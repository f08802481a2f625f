#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a small capture of real-looking mixed traffic for scripts/demo.sh.

Hosts live in 198.18.0.0/24 and fd00::/64: a client talks HTTP, HTTPS, DNS
(over IPv4 and IPv6), ping and SSH to a server, with ARP, a VLAN-tagged
frame and an IPv6 ping around it.  Deterministic: the same bytes each run.
"""
import sys

from scapy.all import (ARP, DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Dot1Q,
                       Ether, ICMPv6EchoReply, ICMPv6EchoRequest, IPv6, Raw,
                       wrpcap)

CMAC, SMAC = "02:00:00:00:00:02", "02:00:00:00:00:0a"
C4, S4 = "198.18.0.2", "198.18.0.10"
C6, S6 = "fd00::2", "fd00::53"


def tcp_session(sport, dport, request, response, seq=1000, ack=5000):
    """Handshake, one request, one response, close."""
    c = Ether(src=CMAC, dst=SMAC) / IP(src=C4, dst=S4)
    s = Ether(src=SMAC, dst=CMAC) / IP(src=S4, dst=C4)
    out = [
        c / TCP(sport=sport, dport=dport, flags="S", seq=seq),
        s / TCP(sport=dport, dport=sport, flags="SA", seq=ack, ack=seq + 1),
        c / TCP(sport=sport, dport=dport, flags="A", seq=seq + 1, ack=ack + 1),
        c / TCP(sport=sport, dport=dport, flags="PA", seq=seq + 1,
                ack=ack + 1) / Raw(request),
        s / TCP(sport=dport, dport=sport, flags="PA", seq=ack + 1,
                ack=seq + 1 + len(request)) / Raw(response),
        c / TCP(sport=sport, dport=dport, flags="FA",
                seq=seq + 1 + len(request), ack=ack + 1 + len(response)),
        s / TCP(sport=dport, dport=sport, flags="FA",
                seq=ack + 1 + len(response), ack=seq + 2 + len(request)),
    ]
    return out


def main(path):
    pkts = [
        Ether(src=CMAC, dst="ff:ff:ff:ff:ff:ff") /
        ARP(op=1, hwsrc=CMAC, psrc=C4, pdst=S4),
        Ether(src=SMAC, dst=CMAC) /
        ARP(op=2, hwsrc=SMAC, psrc=S4, hwdst=CMAC, pdst=C4),
    ]
    body = b"<html><body>" + b"dpmirror demo " * 80 + b"</body></html>\n"
    pkts += tcp_session(40000, 80,
                        b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n",
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                        % len(body) + body)
    pkts += tcp_session(40001, 443, b"\x16\x03\x01" + b"\x00" * 200,
                        b"\x16\x03\x03" + b"\x01" * 900)
    pkts += tcp_session(40002, 22, b"SSH-2.0-client\r\n",
                        b"SSH-2.0-server\r\n")
    q = DNS(id=7, rd=1, qd=DNSQR(qname="collector.demo"))
    pkts += [
        Ether(src=CMAC, dst=SMAC) / IP(src=C4, dst=S4) /
        UDP(sport=53000, dport=53) / q,
        Ether(src=SMAC, dst=CMAC) / IP(src=S4, dst=C4) /
        UDP(sport=53, dport=53000) /
        DNS(id=7, qr=1, qd=q.qd, an=DNSRR(rrname="collector.demo",
                                          rdata="198.18.1.3")),
        Ether(src=CMAC, dst=SMAC) / IPv6(src=C6, dst=S6) /
        UDP(sport=53001, dport=53) / DNS(id=8, rd=1, qd=DNSQR(
            qname="collector.demo", qtype="AAAA")),
        Ether(src=SMAC, dst=CMAC) / IPv6(src=S6, dst=C6) /
        UDP(sport=53, dport=53001) /
        DNS(id=8, qr=1, qd=DNSQR(qname="collector.demo", qtype="AAAA"),
            an=DNSRR(rrname="collector.demo", type="AAAA",
                     rdata="fd00:1::3")),
    ]
    for i in range(3):
        pkts += [
            Ether(src=CMAC, dst=SMAC) / IP(src=C4, dst=S4) /
            ICMP(type=8, id=0x42, seq=i) / Raw(b"ping" * 14),
            Ether(src=SMAC, dst=CMAC) / IP(src=S4, dst=C4) /
            ICMP(type=0, id=0x42, seq=i) / Raw(b"ping" * 14),
        ]
    pkts += [
        Ether(src=CMAC, dst=SMAC) / IPv6(src=C6, dst=S6) /
        ICMPv6EchoRequest(id=9, seq=1, data=b"v6ping" * 8),
        Ether(src=SMAC, dst=CMAC) / IPv6(src=S6, dst=C6) /
        ICMPv6EchoReply(id=9, seq=1, data=b"v6ping" * 8),
        Ether(src=CMAC, dst=SMAC) / Dot1Q(vlan=10) / IP(src=C4, dst=S4) /
        UDP(sport=5000, dport=5001) / Raw(b"tagged" * 10),
    ]
    for i, p in enumerate(pkts):
        p.time = 1767225600 + i / 1000  # fixed timestamps
    wrpcap(path, pkts)
    print(len(pkts))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo-in.pcap")
