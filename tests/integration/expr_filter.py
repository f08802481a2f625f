#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tcpdump as the oracle of dpmirror's expression filters (expr_filter.sh).

  expr_filter.py prepare WORKDIR
      writes WORKDIR/in.pcap (mixed_traffic.py's capture and the frames
      below: TCP flag combinations, TTLs, VLAN 100/200 and QinQ, port range
      edges, ICMP and ICMPv6 types, HTTP requests, broadcast and sizes from
      60 to 1514 bytes), and for each run R WORKDIR/R/dpmirror.ini (tap
      mode, net_pcap in, one session per expression with an `encap = none`
      collector on a net_pcap port of its own) and WORKDIR/plan.json.
  expr_filter.py verify WORKDIR RUN
      for each session of RUN: the frames of its output file against what
      `tcpdump -r in.pcap -w - EXPR` writes (or, for the rule session,
      what mirror_oracle.py's model of the rules selects; for the session
      without a filter, every frame), byte for byte and in order; and the
      stats JSON: matched and mirrored = that count, nothing dropped.
      One "ok   " or "FAIL " line per check; exit 0 when all hold.

Addresses come only from 198.18.0.0/15 and fd00::/8.
"""

import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# A run has at most 15 sessions: dpmirror drives at most 16 ports
# (DP_MAX_PORTS), the input and one output port per session.
RUNS = {
    "run1": [
        "host 198.18.0.1",
        "src host 198.18.0.2",
        "dst host fd00::2",
        "net 198.18.0.0/28",
        "src net 198.18.0.0/26 and not dst net 198.18.0.0/30",
        "net fd12::/16",
        "ip6 src net fd00::/16",
        "port 80",
        "tcp dst port 443",
        "udp port 53",
        "portrange 1000-2000",
        "tcp src portrange 40000-40003",
        "tcp",
        "udp",
        "icmp",
    ],
    "run2": [
        "icmp6",
        "ip6",
        "arp",
        "vlan",
        "vlan 100",
        "vlan 100 and tcp port 80",
        "vlan 100 and vlan 200",
        "tcp[tcpflags] & tcp-syn != 0",
        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
        "tcp[tcpflags] & (tcp-rst|tcp-fin) != 0",
        "len <= 100",
        "greater 1000",
        "less 64",
        "ip[8] = 64",
        "ether[12:2] = 0x0800",
    ],
    # Expressions beside a rule (rte_acl) session and a session without a
    # filter, all on the same source: each burst goes through both.
    "run3": [
        "ip[6:2] & 0x1fff != 0",
        "not ip and not ip6",
        "(tcp port 80 or udp port 53) and not src net 198.18.0.0/30",
        "icmp[icmptype] = icmp-echo",
        "icmp6 and ip6[40] = 135",
        "ether broadcast",
        "ether src 02:00:00:00:00:03",
        "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
        "ip and ip[0] & 0x0f > 5",
        "udp and udp[4:2] > 100",
        "ip[2:2] > 1000 or ip6[4:2] > 1000",
        "not tcp",
        "vlan and (arp or ip6)",
    ],
}
RULES = {
    "rule 10": "accept proto tcp dport 80",
    "rule 20": "reject src 198.18.0.9/32",
    "rule 30": "accept proto udp",
    "rule 40": "accept vlan 100",
}


def extra_frames(seed):
    """Frames that give the expressions something to tell apart."""
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6ND_NA,
                                    ICMPv6ND_NS, ICMPv6ND_RS, IPv6)
    from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
    from scapy.packet import Raw

    rng = random.Random(seed)

    def data(n):
        return bytes(rng.getrandbits(8) for _ in range(n))

    out = []
    eab = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    ecd = Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04")
    bc = Ether(src="02:00:00:00:00:05", dst="ff:ff:ff:ff:ff:ff")

    # Every TCP flag combination worth telling apart, IPv4 and IPv6.
    flags = ["S", "SA", "A", "PA", "FA", "F", "R", "RA", "U", "UA", "SEC",
             "AE", "FPU", ""]
    for i, f in enumerate(flags):
        out.append(eab / IP(src="198.18.2.1", dst="198.18.2.2",
                            ttl=(64, 128, 1, 255)[i % 4]) /
                   TCP(sport=45000 + i, dport=(80, 443, 8080)[i % 3],
                       flags=f) / Raw(data(i * 7)))
        out.append(ecd / IPv6(src="fd00:2::1", dst="fd12:2::2",
                              hlim=(64, 32)[i % 2]) /
                   TCP(sport=46000 + i, dport=(80, 22)[i % 2], flags=f))
    # Port range edges (1000-2000), both protocols and directions.
    for p in (999, 1000, 1500, 2000, 2001):
        out.append(ecd / IP(src="198.18.3.1", dst="198.18.3.2", ttl=64) /
                   UDP(sport=30000, dport=p) / Raw(data(16)))
        out.append(ecd / IP(src="198.18.3.2", dst="198.18.3.1", ttl=63) /
                   TCP(sport=p, dport=30001, flags="A"))
        out.append(eab / IPv6(src="fd00:3::1", dst="fd00:3::2") /
                   UDP(sport=p, dport=30002) / Raw(data(8)))
    # VLAN 100 and 200, QinQ 100/200 and 200/100, 0x88a8 and 0x8100
    # outer tags.
    for vid in (100, 200):
        out.append(eab / Dot1Q(vlan=vid) /
                   IP(src="198.18.4.1", dst="198.18.4.2") /
                   TCP(sport=47000, dport=80, flags="S"))
        out.append(eab / Dot1Q(vlan=vid) /
                   IP(src="198.18.4.2", dst="198.18.4.1") /
                   TCP(sport=80, dport=47000, flags="SA"))
        out.append(eab / Dot1Q(vlan=vid) /
                   IP(src="198.18.4.1", dst="198.18.4.53") /
                   UDP(sport=47001, dport=53) / Raw(data(30)))
        out.append(ecd / Dot1Q(vlan=vid) /
                   IPv6(src="fd00:4::1", dst="fd00:4::2") /
                   ICMPv6EchoRequest(id=vid, seq=1))
        out.append(bc / Dot1Q(vlan=vid) /
                   ARP(op=1, psrc="198.18.4.%d" % (vid // 10),
                       pdst="198.18.4.1"))
    for outer, inner in ((100, 200), (200, 100), (100, 100)):
        out.append(eab / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) /
                   IP(src="198.18.4.3", dst="198.18.4.4") /
                   TCP(sport=47002, dport=80, flags="PA") / Raw(data(40)))
        out.append(eab / Dot1Q(vlan=outer) / Dot1Q(vlan=inner) /
                   IP(src="198.18.4.5", dst="198.18.4.6") /
                   UDP(sport=47003, dport=53) / Raw(data(20)))
    # ICMP and ICMPv6 types beyond echo.
    for t, c in ((8, 0), (0, 0), (3, 3), (11, 0), (5, 1)):
        out.append(ecd / IP(src="198.18.5.1", dst="198.18.5.2") /
                   ICMP(type=t, code=c) / Raw(data(28)))
    out.append(ecd / IPv6(src="fd00:5::1", dst="ff02::1:ff00:2", hlim=255) /
               ICMPv6ND_NS(tgt="fd00:5::2"))
    out.append(ecd / IPv6(src="fd00:5::2", dst="fd00:5::1", hlim=255) /
               ICMPv6ND_NA(tgt="fd00:5::2"))
    out.append(ecd / IPv6(src="fd00:5::3", dst="ff02::2", hlim=255) /
               ICMPv6ND_RS())
    # HTTP requests and responses after TCP headers of several lengths.
    for i, (verb, opts) in enumerate(((b"GET ", []),
                                      (b"GET ", [("NOP", None)] * 4),
                                      (b"POST", []),
                                      (b"HTTP", [("MSS", 1460)]),
                                      (b"GET ", [("NOP", None),
                                                 ("NOP", None),
                                                 ("Timestamp", (1, 2))]))):
        out.append(eab / IP(src="198.18.6.1", dst="198.18.6.2") /
                   TCP(sport=48000 + i, dport=80, flags="PA", options=opts) /
                   Raw(verb + b" /index.html HTTP/1.1\r\n\r\n"))
    # Broadcast and multicast.
    out.append(bc / IP(src="198.18.7.1", dst="198.19.255.255") /
               UDP(sport=68, dport=67) / Raw(data(240)))
    out.append(Ether(src="02:00:00:00:00:06", dst="01:00:5e:00:00:fb") /
               IP(src="198.18.7.2", dst="224.0.0.251", ttl=255) /
               UDP(sport=5353, dport=5353) / Raw(data(40)))
    # Sizes around the `len`, greater and less boundaries.
    for n in (60, 63, 64, 65, 99, 100, 101, 999, 1000, 1001, 1514):
        f = bytes(ecd / IP(src="198.18.8.1", dst="198.18.8.2") /
                  UDP(sport=31000, dport=31001))
        out.append(f + data(n - len(f)) if n > len(f) else f[:n])
    rng.shuffle(out)
    return [bytes(p) for p in out]


def capture(seed=20240611):
    import mixed_traffic
    return mixed_traffic.build(seed) + extra_frames(seed + 1)


def plan():
    """{run: [(session, kind, text)]} with kind expr, rules or all."""
    p = {}
    for run, exprs in RUNS.items():
        p[run] = [("e%02d" % i, "expr", e) for i, e in enumerate(exprs)]
    p["run3"].append(("acl", "rules", RULES))
    p["run3"].append(("all", "all", None))
    return p


def config(sessions):
    lines = ["; expr_filter.sh: one session per filter, each to a collector",
             "; on a port of its own, whose file then holds exactly what the",
             "; session mirrored.",
             "[dpmirror]", "mode = tap", "burst = 32",
             "mirror_pool = 16384", "stats_interval = 0", "",
             "[port in]", "device = net_pcap0,rx_pcap=../in.pcap", ""]
    for i, (name, kind, text) in enumerate(sessions):
        lines += ["[port o-%s]" % name,
                  "device = net_pcap%d,tx_pcap=%s.pcap" % (i + 1, name),
                  "mtu = 9000", "",
                  "[collector c-%s]" % name, "port = o-%s" % name,
                  "encap = none", "",
                  "[session %s]" % name, "sources = in:rx",
                  "collector = c-%s" % name]
        if kind != "all":
            lines.append("filter = f-%s" % name)
        lines.append("")
        if kind == "expr":
            lines += ["[filter f-%s]" % name, "expression = %s" % text, ""]
        elif kind == "rules":
            lines.append("[filter f-%s]" % name)
            lines += ["%s = %s" % kv for kv in sorted(text.items())]
            lines += ["default = reject", ""]
    return "\n".join(lines)


def prepare(work):
    import mixed_traffic
    frames = capture()
    mixed_traffic.write_pcap(os.path.join(work, "in.pcap"), frames)
    p = plan()
    for run, sessions in p.items():
        os.makedirs(os.path.join(work, run), exist_ok=True)
        with open(os.path.join(work, run, "dpmirror.ini"), "w") as f:
            f.write(config(sessions))
    with open(os.path.join(work, "plan.json"), "w") as f:
        json.dump(p, f, indent=1)
    n_expr = sum(k == "expr" for s in p.values() for _, k, _ in s)
    print("expr_filter: %d frames in in.pcap; %d expressions in %d runs" %
          (len(frames), n_expr, len(p)))
    return 0


def frames_of(path):
    from mirror_oracle import read_pcap
    lt, recs = read_pcap(path)
    if lt != 1:
        raise ValueError("%s: link type %d, expected Ethernet" % (path, lt))
    for orig, b in recs:
        if orig != len(b):
            raise ValueError("%s: a frame cut to %d of %d bytes" %
                             (path, len(b), orig))
    return [b for _, b in recs]


def tcpdump(in_path, expr, out_path):
    r = subprocess.run(["tcpdump", "-r", in_path, "-w", out_path, expr],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("tcpdump %r: exit %d: %s" %
                           (expr, r.returncode, r.stderr.decode().strip()))
    return frames_of(out_path)


def rule_oracle(frames, rules):
    from mirror_oracle import Filter, parse
    f = Filter("acl", dict(rules, default="reject"))
    return [b for b in frames if f.accepts(parse(b))]


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "frame %d differs (%d bytes, want %d)" % (i, len(g), len(w))
    if len(got) != len(want):
        return "%d frames, want %d" % (len(got), len(want))
    return None


def verify(work, run):
    with open(os.path.join(work, "plan.json")) as f:
        sessions = json.load(f)[run]
    rundir = os.path.join(work, run)
    in_path = os.path.join(work, "in.pcap")
    frames = frames_of(in_path)
    with open(os.path.join(rundir, "stats.json")) as f:
        st = json.load(f)
    failed = 0
    compared = 0

    def say(ok, text):
        nonlocal failed
        print(("ok   " if ok else "FAIL ") + text)
        failed += not ok

    rx = st["ports"]["in"]["rx_packets"]
    say(rx == len(frames), "%s: port in received %d of %d frames" %
        (run, rx, len(frames)))
    for name, kind, text in sessions:
        if kind == "expr":
            want = tcpdump(in_path, text,
                           os.path.join(rundir, name + ".want.pcap"))
            what = "'%s'" % text
            oracle = "tcpdump"
        elif kind == "rules":
            want = rule_oracle(frames, text)
            what = "rules (%s)" % "; ".join(
                "%s = %s" % kv for kv in sorted(text.items()))
            oracle = "the rule model"
        else:
            want = frames
            what = "no filter"
            oracle = "in.pcap"
        path = os.path.join(rundir, name + ".pcap")
        got = frames_of(path) if os.path.exists(path) else []
        diff = first_difference(got, want)
        compared += len(want)
        say(diff is None and len(want) > 0,
            "%s %s %s: %d frames mirrored, %s %d, %s" %
            (run, name, what, len(got), oracle, len(want),
             "0 differences" if diff is None else diff))
        s = st["sessions"].get(name, {})
        drops = s.get("dropped", {})
        dropped = sum(v for v in drops.values() if isinstance(v, int))
        say(s.get("matched") == len(want) and s.get("mirrored") == len(want)
            and dropped == 0,
            "%s %s stats: matched %s, mirrored %s, dropped %d (want %d, %d, 0)"
            % (run, name, s.get("matched"), s.get("mirrored"), dropped,
               len(want), len(want)))
    print("%s: %d frames compared, %d check(s) failed" %
          (run, compared, failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "prepare":
        return prepare(argv[2])
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
