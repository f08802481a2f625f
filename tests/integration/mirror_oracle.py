#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent oracle for the pcap-in -> dpmirror -> pcap-out test.

From the raw bytes of in.pcap and the INI configuration it computes, on its
own, what dpmirror must produce: the parse of every frame (the contract in
dataplane/dp_parse.h), the verdict of every session filter (DESIGN section 4,
struct cfg_rule in cfg/cfg.h), sampling and snaplen, and from that the exact
sequence of mirrored copies and the counters of the stats JSON (DESIGN
section 5).  It then checks out.pcap (outer headers byte by byte, and again
through tshark's VXLAN dissector), fwd.pcap and the stats JSON against it.
verify-encaps does the same for one collector per port in any
encapsulation (VxLAN, Geneve, GRE, ERSPAN II and III, none with or without
an RSPAN tag) with two workers; split_outer/decap decode any of them.

Usage:
  mirror_oracle.py verify --config C --in in.pcap --fwd fwd.pcap
                   --out out.pcap --stats stats.json [--workdir DIR]
  mirror_oracle.py --self-test
  mirror_oracle.py verify-encaps --config C --stats stats.json --workdir DIR
                   --t0 T --t1 T      (encaps.sh: every encapsulation)
  mirror_oracle.py --encap-self-test
  mirror_oracle.py rx-packets STATS.json PORT   (prints the count or -1)
  mirror_oracle.py count-frames FILE.pcap
"""

import configparser
import hashlib
import ipaddress
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# --------------------------------------------------------------------------
# pcap I/O (classic libpcap format only; that is what net_pcap writes).


def read_pcap(path):
    """Return (linktype, [(orig_len, bytes)])."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file (%d bytes)" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = ">"
    else:
        raise ValueError("%s: bad pcap magic 0x%08x" % (path, magic))
    linktype = struct.unpack(e + "I", data[20:24])[0]
    recs = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: truncated record header" % path)
        _, _, caplen, origlen = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError("%s: truncated record" % path)
        recs.append((origlen, data[off:off + caplen]))
        off += caplen
    return linktype, recs


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i // 1000,
                                (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


# --------------------------------------------------------------------------
# Parser: the rules of dataplane/dp_parse.h, from raw bytes.

VLAN_NONE = 0xffff
MAX_VLANS = 4
MAX_EXT = 8
TPIDS = (0x8100, 0x88a8, 0x9100)
V6_EXT = (0, 43, 44, 60, 51, 135)
PORT_PROTOS = (6, 17, 132)
F_FRAG = 0x01
F_FRAG_FIRST = 0x02
F_VLAN_TRUNC = 0x04


class Meta:
    __slots__ = ("ethertype", "vlan", "n_vlans", "l3", "proto", "flags",
                 "has_ports", "l4_ofs", "sport", "dport", "src", "dst")

    def __init__(self):
        self.ethertype = 0
        self.vlan = VLAN_NONE
        self.n_vlans = 0
        self.l3 = 0
        self.proto = 0
        self.flags = 0
        self.has_ports = False
        self.l4_ofs = 0
        self.sport = 0
        self.dport = 0
        self.src = b""
        self.dst = b""


def _u16(b, o):
    return (b[o] << 8) | b[o + 1]


def parse(b):
    m = Meta()
    n = len(b)
    if n < 14:
        return m
    off = 12
    et = _u16(b, off)
    while et in TPIDS:
        if m.n_vlans == MAX_VLANS or off + 6 > n:
            # The tag stack runs past the limit or the frame.  The VID
            # of a cut tag is left out of the model: the traffic never
            # makes the result depend on it.
            if m.n_vlans == 0 and off + 4 <= n:
                m.vlan = _u16(b, off + 2) & 0xfff
            m.flags |= F_VLAN_TRUNC
            m.ethertype = 0
            return m
        if m.n_vlans == 0:
            m.vlan = _u16(b, off + 2) & 0xfff
        m.n_vlans += 1
        off += 4
        et = _u16(b, off)
    m.ethertype = et
    l3 = off + 2
    if et == 0x0800:
        if n - l3 < 20:
            return m
        ver, ihl = b[l3] >> 4, b[l3] & 0xf
        tlen = _u16(b, l3 + 2)
        if ver != 4 or ihl < 5 or ihl * 4 > n - l3 or tlen < ihl * 4:
            return m
        m.l3 = 4
        m.proto = b[l3 + 9]
        m.src = bytes(b[l3 + 12:l3 + 16])
        m.dst = bytes(b[l3 + 16:l3 + 20])
        fo = _u16(b, l3 + 6)
        frag_off = fo & 0x1fff
        if fo & 0x2000 or frag_off:
            m.flags |= F_FRAG
            if frag_off == 0:
                m.flags |= F_FRAG_FIRST
        l4 = l3 + ihl * 4
        m.l4_ofs = l4
        end = min(l3 + tlen, n)
        if (m.proto in PORT_PROTOS and frag_off == 0 and l4 + 4 <= end):
            m.has_ports = True
            m.sport = _u16(b, l4)
            m.dport = _u16(b, l4 + 2)
    elif et == 0x86dd:
        if n - l3 < 40 or b[l3] >> 4 != 6:
            return m
        m.l3 = 6
        m.src = bytes(b[l3 + 8:l3 + 24])
        m.dst = bytes(b[l3 + 24:l3 + 40])
        end = min(l3 + 40 + _u16(b, l3 + 4), n)
        nh = b[l3 + 6]
        cur = l3 + 40
        walked = 0
        first = True
        complete = True
        while nh in V6_EXT:
            if walked == MAX_EXT or cur + 2 > n:
                complete = False
                break
            if nh == 44:
                hl = 8
            elif nh == 51:
                hl = (b[cur + 1] + 2) * 4
            else:
                hl = (b[cur + 1] + 1) * 8
            if cur + hl > n:
                complete = False
                break
            if nh == 44:
                m.flags |= F_FRAG
                if _u16(b, cur + 2) >> 3 == 0:
                    m.flags |= F_FRAG_FIRST
                else:
                    first = False
            nh = b[cur]
            cur += hl
            walked += 1
        m.proto = nh
        if complete:
            m.l4_ofs = cur
            if nh in PORT_PROTOS and first and cur + 4 <= end:
                m.has_ports = True
                m.sport = _u16(b, cur)
                m.dport = _u16(b, cur + 2)
    return m


def flow_key(m, frame):
    """Packets with the same key must get the same outer UDP source port
    (dp_flow_hash: the endpoints ordered so that A->B and B->A agree, plus
    the protocol).  Whether a fragment hashes its ports is left open by the
    contract (hashing none keeps the fragments of a datagram together), so
    fragments are grouped apart from unfragmented packets."""
    if m.l3:
        a = (m.src, m.sport)
        z = (m.dst, m.dport)
        return (("ip", m.l3, m.proto, bool(m.flags & F_FRAG)) +
                tuple(sorted((a, z))))
    if len(frame) >= 12:
        return ("mac",) + tuple(sorted((bytes(frame[0:6]),
                                        bytes(frame[6:12]))))
    return None


def _flow_str(k):
    if k[0] == "ip":
        ends = ["%s.%d" % (ipaddress.ip_address(a), p) for a, p in k[4:]]
        return "proto %d%s %s <-> %s" % (k[2], " frag" if k[3] else "",
                                         ends[0], ends[1])
    return "mac %s <-> %s" % (k[1].hex(":"), k[2].hex(":"))


# --------------------------------------------------------------------------
# Configuration (DESIGN section 4), read independently of cfg/.

PROTO_NAMES = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132}


class Rule:
    def __init__(self, number, text):
        w = text.split()
        if not w or w[0] not in ("accept", "reject"):
            raise ValueError("rule %d: %r" % (number, text))
        self.number = number
        self.text = text
        self.accept = w[0] == "accept"
        self.proto = -1
        self.family = 0
        self.src = self.dst = None
        self.sport = self.dport = None
        self.vlan = -1
        i = 1
        while i < len(w):
            k, v = w[i], w[i + 1]
            i += 2
            if k == "proto":
                self.proto = PROTO_NAMES[v] if v in PROTO_NAMES else int(v)
            elif k in ("src", "dst"):
                net = ipaddress.ip_network(v, strict=False)
                self.family = 4 if net.version == 4 else 6
                setattr(self, k, net)
            elif k in ("sport", "dport"):
                lo, _, hi = v.partition("-")
                setattr(self, k, (int(lo), int(hi or lo)))
            elif k == "vlan":
                self.vlan = int(v)
            else:
                raise ValueError("rule %d: unknown word %r" % (number, k))
        self.ip_rule = (self.proto >= 0 or self.family != 0 or
                        self.src is not None or self.dst is not None or
                        self.sport is not None or self.dport is not None)

    def matches(self, m):
        if self.ip_rule and m.l3 == 0:
            return False
        if self.family and self.family != m.l3:
            return False
        if self.proto >= 0 and m.proto != self.proto:
            return False
        for net, addr in ((self.src, m.src), (self.dst, m.dst)):
            if net is not None:
                a = ipaddress.ip_address(addr)
                if a not in net:
                    return False
        for rng, port in ((self.sport, m.sport), (self.dport, m.dport)):
            if rng is not None:
                if not m.has_ports or not rng[0] <= port <= rng[1]:
                    return False
        if self.vlan >= 0 and m.vlan != self.vlan:
            return False
        return True


class Filter:
    def __init__(self, name, sec):
        self.name = name
        self.rules = []
        self.default_accept = False
        for k, v in sec.items():
            if k.startswith("rule "):
                self.rules.append(Rule(int(k.split()[1]), v))
            elif k == "default":
                self.default_accept = v == "accept"
            else:
                raise ValueError("[filter %s] unknown key %s" % (name, k))
        self.rules.sort(key=lambda r: r.number)

    def accepts(self, m):
        for r in self.rules:
            if r.matches(m):
                return r.accept
        return self.default_accept


def _mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


# Bytes an encapsulation adds to a copy, IPv4 | IPv6 outer header (GRE: +4
# with a key, +4 with sequence numbers; none: 4 with a VLAN tag).
OVERHEAD = {"vxlan": (50, 70), "geneve": (50, 70), "gre": (38, 58),
            "erspan2": (50, 70), "erspan3": (54, 74), "none": (0, 0)}
DEFAULT_DST_PORT = {"vxlan": 4789, "geneve": 6081}


class Collector:
    def __init__(self, name, sec):
        self.name = name
        self.port = sec["port"]
        self.encap = sec.get("encap", "vxlan")
        if self.encap not in OVERHEAD:
            raise ValueError("[collector %s] encap = %s is not modelled" %
                             (name, self.encap))
        self.vlan = int(sec.get("vlan", "0"))
        self.key = int(sec["key"]) if "key" in sec else None
        self.seq = (sec.get("seq", "no") == "yes" or
                    self.encap in ("erspan2", "erspan3"))
        self.session_id = int(sec.get("session_id", "0"))
        self.vni = int(sec.get("vni", "0"))
        self.dst_port = int(sec.get("dst_port",
                                    DEFAULT_DST_PORT.get(self.encap, 0)))
        self.ttl = int(sec.get("ttl", "64"))
        self.dscp = int(sec.get("dscp", "0"))
        if self.encap == "none":
            self.remote_ip = self.local_ip = None
            self.family = 0
            self.remote_mac = self.local_mac = None
            return
        self.remote_ip = ipaddress.ip_address(sec["remote_ip"])
        self.local_ip = ipaddress.ip_address(sec["local_ip"])
        self.family = self.remote_ip.version
        self.remote_mac = _mac(sec["remote_mac"])
        self.local_mac = _mac(sec["local_mac"]) if "local_mac" in sec else None

    def overhead(self):
        if self.encap == "none":
            return 4 if self.vlan else 0
        o = OVERHEAD[self.encap][0 if self.family == 4 else 1]
        if self.encap == "gre":
            o += (4 if self.key is not None else 0) + (4 if self.seq else 0)
        return o


class Session:
    def __init__(self, name, sec, filters, collectors):
        self.name = name
        self.sources = []
        for s in sec["sources"].split():
            port, _, d = s.partition(":")
            self.sources.append((port, d))
        self.collectors = [collectors[c] for c in sec["collector"].split()]
        self.filter = filters[sec["filter"]] if "filter" in sec else None
        self.snaplen = int(sec.get("snaplen", "0"))
        self.sample = int(sec.get("sample", "1"))
        self.rate = sec.get("rate", "0")

    def wants(self, m):
        return self.filter is None or self.filter.accepts(m)


class Config:
    def __init__(self, path):
        cp = configparser.ConfigParser(
            comment_prefixes=(";", "#"), inline_comment_prefixes=(";",),
            delimiters=("=",), interpolation=None, strict=True)
        cp.optionxform = str
        with open(path) as f:
            cp.read_file(f)
        self.ports = {}
        self.filters = {}
        self.collectors = {}
        self.sessions = []
        self.mode = "inline"
        for s in cp.sections():
            kind, _, name = s.partition(" ")
            sec = dict(cp[s])
            if kind == "dpmirror":
                self.mode = sec.get("mode", "inline")
            elif kind == "port":
                self.ports[name] = sec
            elif kind == "filter":
                self.filters[name] = Filter(name, sec)
        for s in cp.sections():
            kind, _, name = s.partition(" ")
            if kind == "collector":
                self.collectors[name] = Collector(name, dict(cp[s]))
                if self.collectors[name].encap != "vxlan":
                    raise ValueError("[collector %s] encap = %s: this "
                                     "verifier models vxlan only; "
                                     "verify-encaps checks the others" %
                                     (name, self.collectors[name].encap))
        for s in cp.sections():
            kind, _, name = s.partition(" ")
            if kind == "session":
                self.sessions.append(Session(name, dict(cp[s]), self.filters,
                                             self.collectors))
        # The oracle tells copies apart by (remote IP, VNI): each such pair
        # must belong to one session only.
        self.by_dest = {}
        for s in self.sessions:
            if s.rate not in ("0", ""):
                raise ValueError("session %s: rate is not modelled" % s.name)
            for c in s.collectors:
                key = (c.remote_ip.packed, c.vni)
                other = self.by_dest.get(key)
                if other is not None and other[0] is not s:
                    raise ValueError("sessions %s and %s share %s vni %d" %
                                     (other[0].name, s.name, c.remote_ip,
                                      c.vni))
                self.by_dest[key] = (s, c)
        self.rx_port = None
        self.fwd_port = None
        self.out_port = None
        for name, p in self.ports.items():
            dev = p["device"]
            if "rx_pcap=" in dev:
                self.rx_port = name
        self.fwd_port = self.ports[self.rx_port].get("peer")
        outs = {c.port for s in self.sessions for c in s.collectors}
        if len(outs) != 1:
            raise ValueError("all collectors must share one port")
        self.out_port = outs.pop()
        for s in self.sessions:
            for port, d in s.sources:
                if port != self.rx_port or d != "rx":
                    raise ValueError("session %s: only %s:rx is modelled" %
                                     (s.name, self.rx_port))


# --------------------------------------------------------------------------
# The expected output.


class Expect:
    def __init__(self, cfg, frames):
        self.cfg = cfg
        self.frames = frames
        self.metas = [parse(f) for f in frames]
        self.matched = {s.name: 0 for s in cfg.sessions}
        self.mirrored = {s.name: 0 for s in cfg.sessions}
        self.copies = []  # (session name, inner bytes, frame index)
        for i, (f, m) in enumerate(zip(frames, self.metas)):
            for s in cfg.sessions:
                if not s.wants(m):
                    continue
                cnt = self.matched[s.name]
                self.matched[s.name] = cnt + 1
                if cnt % s.sample != 0:
                    continue
                inner = f[:s.snaplen] if s.snaplen else f
                self.mirrored[s.name] += 1
                self.copies.append((s.name, bytes(inner), i))

    def session(self, name):
        for s in self.cfg.sessions:
            if s.name == name:
                return s
        raise KeyError(name)


def hdr_len(c):
    return c.overhead()


# --------------------------------------------------------------------------
# Outer header decoding, from raw bytes.


def _csum(data):
    if len(data) % 2:
        data = data + b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def decode_copy(cfg, b):
    """Return (session, collector, udp sport, inner, [problems])."""
    p = []
    if len(b) < 50:
        return None, None, None, None, ["shorter than an outer header"]
    et = _u16(b, 12)
    if et == 0x0800:
        ip = b[14:34]
        key = (bytes(ip[16:20]), None)
        udp = 34
    elif et == 0x86dd:
        if len(b) < 70:
            return None, None, None, None, ["short IPv6 outer header"]
        ip = b[14:54]
        key = (bytes(ip[24:40]), None)
        udp = 54
    else:
        return None, None, None, None, ["outer ethertype 0x%04x" % et]
    vx = b[udp + 8:udp + 16]
    vni = (vx[4] << 16) | (vx[5] << 8) | vx[6]
    hit = cfg.by_dest.get((key[0], vni))
    if hit is None:
        return None, None, None, None, [
            "no collector has remote %s vni %d" %
            (ipaddress.ip_address(key[0]), vni)]
    s, c = hit
    if c.family != (4 if et == 0x0800 else 6):
        p.append("outer family does not match collector %s" % c.name)
        return s, c, None, None, p
    if b[0:6] != c.remote_mac:
        p.append("eth dst %s != remote_mac" % b[0:6].hex(":"))
    if c.local_mac is not None and b[6:12] != c.local_mac:
        p.append("eth src %s != local_mac" % b[6:12].hex(":"))
    if b[6] & 1:
        p.append("eth src %s is multicast" % b[6:12].hex(":"))
    udp_len = len(b) - udp
    if et == 0x0800:
        if ip[0] != 0x45:
            p.append("IPv4 version/IHL 0x%02x" % ip[0])
        if ip[1] != c.dscp << 2:
            p.append("TOS 0x%02x != dscp %d << 2" % (ip[1], c.dscp))
        if _u16(ip, 2) != len(b) - 14:
            p.append("total_length %d != %d" % (_u16(ip, 2), len(b) - 14))
        if _u16(ip, 4) != 0:
            p.append("IP ID %d != 0" % _u16(ip, 4))
        if _u16(ip, 6) != 0x4000:
            p.append("flags/offset 0x%04x != DF" % _u16(ip, 6))
        if ip[8] != c.ttl:
            p.append("TTL %d != %d" % (ip[8], c.ttl))
        if ip[9] != 17:
            p.append("protocol %d != 17" % ip[9])
        if _csum(bytes(ip)) != 0xffff:
            p.append("bad IPv4 header checksum 0x%04x" % _u16(ip, 10))
        if bytes(ip[12:16]) != c.local_ip.packed:
            p.append("IP src %s != local_ip" % ipaddress.ip_address(
                bytes(ip[12:16])))
        if _u16(b, udp + 6) != 0:
            p.append("IPv4 UDP checksum 0x%04x != 0" % _u16(b, udp + 6))
    else:
        vtf = struct.unpack("!I", bytes(ip[0:4]))[0]
        if vtf >> 28 != 6:
            p.append("IPv6 version %d" % (vtf >> 28))
        if (vtf >> 20) & 0xff != c.dscp << 2:
            p.append("traffic class 0x%02x != dscp %d << 2" %
                     ((vtf >> 20) & 0xff, c.dscp))
        if vtf & 0xfffff:
            p.append("flow label 0x%05x != 0" % (vtf & 0xfffff))
        if _u16(ip, 4) != udp_len:
            p.append("payload_length %d != %d" % (_u16(ip, 4), udp_len))
        if ip[6] != 17:
            p.append("next header %d != 17" % ip[6])
        if ip[7] != c.ttl:
            p.append("hop limit %d != %d" % (ip[7], c.ttl))
        if bytes(ip[8:24]) != c.local_ip.packed:
            p.append("IPv6 src %s != local_ip" % ipaddress.ip_address(
                bytes(ip[8:24])))
        ck = _u16(b, udp + 6)
        pseudo = (bytes(ip[8:40]) + struct.pack("!IxxxB", udp_len, 17))
        if ck == 0:
            p.append("IPv6 UDP checksum is 0")
        elif _csum(pseudo + bytes(b[udp:])) != 0xffff:
            p.append("bad IPv6 UDP checksum 0x%04x" % ck)
    sport = _u16(b, udp)
    if not 49152 <= sport <= 65535:
        p.append("UDP sport %d outside 49152..65535" % sport)
    if _u16(b, udp + 2) != c.dst_port:
        p.append("UDP dport %d != %d" % (_u16(b, udp + 2), c.dst_port))
    if _u16(b, udp + 4) != udp_len:
        p.append("UDP length %d != %d" % (_u16(b, udp + 4), udp_len))
    if vx[0] != 0x08 or vx[1:4] != b"\0\0\0" or vx[7] != 0:
        p.append("VxLAN flags/reserved %s" % bytes(vx).hex())
    return s, c, sport, bytes(b[udp + 16:]), p


# --------------------------------------------------------------------------
# tshark's view of the copies.

TSHARK_FIELDS = ["frame.number", "frame.protocols", "eth.dst", "eth.src",
                 "eth.type", "ip.src", "ip.dst", "ip.ttl", "ip.dsfield.dscp",
                 "ip.flags.df", "ip.checksum.status", "ipv6.src", "ipv6.dst",
                 "ipv6.hlim", "ipv6.tclass.dscp", "udp.srcport",
                 "udp.dstport", "udp.checksum.status", "vxlan.flags",
                 "vxlan.vni"]
OUTER_PROTOS = ("eth", "ethertype", "ip", "ipv6", "udp", "vxlan")


_TSHARK_CACHE = {}


def _tshark(args):
    """Run tshark; the self-test runs it on the same files many times, so
    the output is cached by file content."""
    path = args[args.index("-r") + 1]
    with open(path, "rb") as f:
        key = (hashlib.sha256(f.read()).hexdigest(), tuple(args[2:]))
    if key in _TSHARK_CACHE:
        return _TSHARK_CACHE[key]
    r = subprocess.run(["tshark", "-n"] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if r.returncode != 0:
        raise RuntimeError("tshark %s failed: %s" %
                           (" ".join(args), r.stderr.decode()[-500:]))
    _TSHARK_CACHE[key] = r.stdout
    return r.stdout


def _decode_as(cfg):
    ports = sorted({c.dst_port for c in cfg.collectors.values()})
    args = []
    for port in ports:
        args += ["-d", "udp.port==%d,vxlan" % port]
    return args + ["-o", "ip.check_checksum:TRUE",
                   "-o", "udp.check_checksum:TRUE"]


def tshark_fields(cfg, path):
    args = ["-r", path] + _decode_as(cfg) + ["-T", "fields", "-E",
                                              "separator=/t", "-E",
                                              "occurrence=f"]
    for f in TSHARK_FIELDS:
        args += ["-e", f]
    rows = []
    for line in _tshark(args).decode().splitlines():
        v = line.split("\t")
        rows.append(dict(zip(TSHARK_FIELDS, v + [""] * len(TSHARK_FIELDS))))
    return rows


def tshark_problems(cfg, path):
    """Per frame: (malformed anywhere?, [expert warnings/errors in the
    outer layers])."""
    # Only packets with a warning, an error or a malformed mark are
    # written out (the rest cannot have a problem); that keeps it fast.
    xml = _tshark(["-r", path] + _decode_as(cfg) +
                  ["-Y", "_ws.malformed || _ws.expert.severity >= 0x00600000",
                   "-T", "pdml"])
    out = {}
    for pkt in ET.fromstring(xml).iter("packet"):
        num = None
        for fld in pkt.iter("field"):
            if fld.get("name") == "frame.number":
                num = int(fld.get("show"))
                break
        protos = [p for p in pkt if p.tag == "proto"]
        names = [p.get("name") for p in protos]
        malformed = "_ws.malformed" in names
        outer_bad = []
        # The outer layers are what comes before the first vxlan proto.
        for p in protos:
            name = p.get("name")
            if name in ("geninfo", "frame"):
                continue
            if name not in OUTER_PROTOS:
                outer_bad.append("unexpected outer layer %s" % name)
                break
            for fld in p.iter("field"):
                if fld.get("name") != "_ws.expert":
                    continue
                sev = msg = None
                for sub in fld.iter("field"):
                    if sub.get("name") == "_ws.expert.severity":
                        sev = int(sub.get("show") or "0", 0)
                    elif sub.get("name") == "_ws.expert.message":
                        msg = sub.get("show")
                # PI_WARN is 0x00600000, PI_ERROR 0x00800000.
                if sev is not None and sev >= 0x00600000:
                    outer_bad.append("%s: %s" % (name, msg))
            for sub in p.iter("proto"):
                if sub.get("name") == "_ws.malformed":
                    outer_bad.append("%s: malformed" % name)
            if name == "vxlan":
                break
        out[num] = (malformed, outer_bad)
    return out


# --------------------------------------------------------------------------
# Verification.


class Checker:
    def __init__(self, quiet=False):
        self.passed = 0
        self.failed = []
        self.quiet = quiet

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            if getattr(self, "say_ok", False):
                self.say("ok   %s" % name)
        else:
            self.failed.append(name)
            self.say("FAIL %s%s" % (name, (": " + detail) if detail else ""))
        return ok

    def say(self, s):
        if not self.quiet:
            print(s)


def _few(lst, n=5):
    s = "; ".join(str(x) for x in lst[:n])
    if len(lst) > n:
        s += "; ... (%d in all)" % len(lst)
    return s


def verify(cfg_path, in_path, fwd_path, out_path, stats_path, workdir,
           quiet=False):
    ck = Checker(quiet)
    cfg = Config(cfg_path)
    lt, in_recs = read_pcap(in_path)
    frames = [r[1] for r in in_recs]
    exp = Expect(cfg, frames)
    n_in = len(frames)
    in_bytes = sum(len(f) for f in frames)

    # fwd.pcap: the originals, untouched and in order.
    try:
        _, fwd = read_pcap(fwd_path)
    except (OSError, ValueError) as e:
        fwd = None
        ck.check("fwd.pcap readable", False, str(e))
    if fwd is not None:
        ck.check("fwd.pcap frame count", len(fwd) == n_in,
                 "%d frames, in.pcap has %d" % (len(fwd), n_in))
        diff = [i for i in range(min(len(fwd), n_in))
                if fwd[i][1] != frames[i] or fwd[i][0] != in_recs[i][0]]
        ck.check("fwd.pcap equals in.pcap byte for byte", not diff and
                 len(fwd) == n_in, "frames differ at %s" % _few(diff))

    # out.pcap, decoded from raw bytes.
    try:
        olt, out = read_pcap(out_path)
    except (OSError, ValueError) as e:
        out = None
        ck.check("out.pcap readable", False, str(e))
    got = []
    sports = {}
    lb = {}
    src_macs = set()
    if out is not None:
        ck.check("out.pcap link type Ethernet", olt == 1, "link type %d" % olt)
        cut = [i for i, (ol, d) in enumerate(out) if ol != len(d)]
        ck.check("out.pcap records not truncated", not cut, _few(cut))
        bad = []
        for k, (_, b) in enumerate(out):
            s, c, sport, inner, probs = decode_copy(cfg, b)
            for pr in probs:
                bad.append("copy %d (%s): %s" %
                           (k + 1, s.name if s else "?", pr))
            if s is None or inner is None:
                got.append(("?", bytes(b), k))
                continue
            got.append((s.name, inner, k))
            if c.local_mac is None:
                src_macs.add(bytes(b[6:12]))
            m = parse(inner) if not s.snaplen else None
            key = (flow_key(m, inner) if m is not None else None)
            if key is not None:
                sports.setdefault(key, set()).add(sport)
                if len(s.collectors) > 1:
                    lb.setdefault((s.name, key), set()).add(c.name)
        ck.check("outer headers of every copy (Ethernet, IP, UDP, VxLAN)",
                 not bad, _few(bad, 8))
        ck.check("one outer source MAC for collectors without local_mac",
                 len(src_macs) <= 1,
                 ", ".join(x.hex(":") for x in sorted(src_macs)))

    # Copies made from full frames: derive the flow of every copy from the
    # original frame (snapped copies too) to test the symmetric source port.
    if out is not None and [(g[0], g[1]) for g in got] == \
            [(e[0], e[1]) for e in exp.copies]:
        sports = {}
        lb = {}
        for (sname, _, fi), (_, _, k) in zip(exp.copies, got):
            b = out[k][1]
            udp = 34 if _u16(b, 12) == 0x0800 else 54
            key = flow_key(exp.metas[fi], frames[fi])
            if key is None:
                continue
            sports.setdefault(key, set()).add(_u16(b, udp))
            s, c = cfg.by_dest[(bytes(b[30:34]) if udp == 34 else
                                bytes(b[38:54]),
                                (b[udp + 12] << 16) | (b[udp + 13] << 8) |
                                b[udp + 14])]
            if len(s.collectors) > 1:
                lb.setdefault((s.name, key), set()).add(c.name)
    if out is not None:
        asym = ["%s -> ports %s" % (_flow_str(k), sorted(v))
                for k, v in sports.items() if len(v) > 1]
        ck.check("one outer UDP source port per flow, both directions",
                 not asym, _few(asym))
        allp = set().union(*sports.values()) if sports else set()
        ck.check("outer UDP source ports vary between flows",
                 len(sports) < 2 or len(allp) > 1,
                 "%d flows all use %s" % (len(sports), sorted(allp)))
        split = ["%s %s -> %s" % (k[0], _flow_str(k[1]), sorted(v))
                 for k, v in lb.items() if len(v) > 1]
        ck.check("load-balanced sessions keep a flow on one collector",
                 not split, _few(split))

    # The copies, session by session and as one sequence.
    exp_seq = [(e[0], e[1]) for e in exp.copies]
    got_seq = [(g[0], g[1]) for g in got]
    for s in cfg.sessions:
        e = [x[1] for x in exp_seq if x[0] == s.name]
        g = [x[1] for x in got_seq if x[0] == s.name]
        ck.say("session %-10s matched %4d  copies expected %4d got %4d" %
               (s.name, exp.matched[s.name], len(e), len(g)))
        if e == g:
            ck.check("session %s copies" % s.name, True)
        else:
            i = next((j for j in range(min(len(e), len(g))) if e[j] != g[j]),
                     min(len(e), len(g)))
            fi = [x[2] for x in exp.copies if x[0] == s.name]
            where = ("in.pcap frame %d" % (fi[i] + 1)) if i < len(fi) else ""
            ck.check("session %s copies" % s.name, False,
                     "expected %d, got %d; first difference at copy %d "
                     "(%s): expected %s, got %s" %
                     (len(e), len(g), i + 1, where,
                      e[i][:24].hex() + "(%d B)" % len(e[i])
                      if i < len(e) else "nothing",
                      g[i][:24].hex() + "(%d B)" % len(g[i])
                      if i < len(g) else "nothing"))
    if exp_seq == got_seq:
        ck.check("copies in packet order, sessions in config order", True)
    else:
        i = next((j for j in range(min(len(exp_seq), len(got_seq)))
                  if exp_seq[j] != got_seq[j]),
                 min(len(exp_seq), len(got_seq)))
        ck.check("copies in packet order, sessions in config order", False,
                 "%d expected, %d got; first difference at out.pcap frame "
                 "%d: expected %s, got %s" %
                 (len(exp_seq), len(got_seq), i + 1,
                  "%s from in.pcap frame %d" % (exp.copies[i][0],
                                                exp.copies[i][2] + 1)
                  if i < len(exp_seq) else "nothing",
                  got_seq[i][0] if i < len(got_seq) else "nothing"))

    # tshark's independent view of the outer headers.
    if out is not None and out:
        tshark_checks(ck, cfg, out_path, out, got, workdir)

    # The statistics.
    try:
        with open(stats_path) as f:
            st = json.load(f)
    except (OSError, ValueError) as e:
        ck.check("stats JSON readable", False, str(e))
        st = None
    if st is not None:
        stats_checks(ck, cfg, exp, st, n_in, in_bytes)

    if not quiet:
        if ck.failed:
            print("failed checks:")
            for f in ck.failed:
                print("  " + f)
        print("pcap_mirror: %d passed, %d failed" % (ck.passed,
                                                     len(ck.failed)))
    return ck


def tshark_checks(ck, cfg, out_path, out, got, workdir):
    rows = tshark_fields(cfg, out_path)
    ck.check("tshark decodes every copy", len(rows) == len(out),
             "%d rows for %d frames" % (len(rows), len(out)))
    bad = []
    for r, (sname, _, k) in zip(rows, got):
        if sname == "?":
            continue
        s = next(x for x in cfg.sessions if x.name == sname)
        protos = r["frame.protocols"].split(":")
        fam = "ip" if r["eth.type"] == "0x0800" else "ipv6"
        want = ["eth", "ethertype", fam, "udp", "vxlan", "eth"]
        if protos[:6] != want:
            bad.append("frame %d: layers %s" % (k + 1,
                                                ":".join(protos[:6])))
            continue
        cands = [c for c in s.collectors
                 if int(r["vxlan.vni"] or -1) == c.vni and
                 ipaddress.ip_address(r[fam + ".dst"]) == c.remote_ip]
        if not cands:
            bad.append("frame %d: %s vni %s is not a collector of %s" %
                       (k + 1, r[fam + ".dst"], r["vxlan.vni"], sname))
            continue
        c = cands[0]
        errs = []
        if r["eth.dst"] != c.remote_mac.hex(":"):
            errs.append("eth.dst %s" % r["eth.dst"])
        if ipaddress.ip_address(r[fam + ".src"]) != c.local_ip:
            errs.append("src %s" % r[fam + ".src"])
        if fam == "ip":
            if (int(r["ip.ttl"]) != c.ttl or
                    int(r["ip.dsfield.dscp"]) != c.dscp or
                    r["ip.flags.df"] not in ("1", "True")):
                errs.append("ttl/dscp/df %s/%s/%s" %
                            (r["ip.ttl"], r["ip.dsfield.dscp"],
                             r["ip.flags.df"]))
            # Checksum status: 0 bad, 1 good, 2 unverified.
            if r["ip.checksum.status"] != "1":
                errs.append("ip.checksum.status %s (1 = good)" %
                            r["ip.checksum.status"])
        else:
            if (int(r["ipv6.hlim"]) != c.ttl or
                    int(r["ipv6.tclass.dscp"]) != c.dscp):
                errs.append("hlim/dscp %s/%s" % (r["ipv6.hlim"],
                                                 r["ipv6.tclass.dscp"]))
            if r["udp.checksum.status"] != "1":
                errs.append("udp.checksum.status %s (1 = good)" %
                            r["udp.checksum.status"])
        sp = int(r["udp.srcport"])
        if not 49152 <= sp <= 65535 or int(r["udp.dstport"]) != c.dst_port:
            errs.append("udp %s -> %s" % (r["udp.srcport"],
                                         r["udp.dstport"]))
        if int(r["vxlan.flags"], 0) != 0x0800:
            errs.append("vxlan.flags %s" % r["vxlan.flags"])
        if errs:
            bad.append("frame %d (%s): %s" % (k + 1, sname, ", ".join(errs)))
    ck.check("tshark: every copy is VXLAN with the collector's outer fields",
             not bad, _few(bad, 8))

    # Malformed outer layers: expert warnings/errors before the VXLAN
    # payload, or a malformed mark on a copy whose inner frame is fine on
    # its own (an inner frame that is malformed is legitimately marked).
    probs = tshark_problems(cfg, out_path)
    inner_path = os.path.join(workdir, "inner.pcap")
    write_pcap(inner_path, [g[1] if g[0] != "?" else b"" for g in got])
    inner_probs = tshark_problems(cfg, inner_path)
    bad = []
    for num in sorted(probs):
        mal, outer_bad = probs[num]
        for ob in outer_bad:
            bad.append("frame %d: %s" % (num, ob))
        if mal and not inner_probs.get(num, (False, []))[0]:
            bad.append("frame %d: malformed, its inner frame is not" % num)
    ck.check("tshark: no malformed outer layers", not bad, _few(bad, 8))


def stats_checks(ck, cfg, exp, st, n_in, in_bytes):
    ports = st.get("ports", {})
    sess = st.get("sessions", {})

    def port(name, key):
        try:
            return int(ports[name][key])
        except (KeyError, TypeError, ValueError):
            return None

    n_copies = len(exp.copies)
    copy_bytes = {}
    for sname, inner, _ in exp.copies:
        s = exp.session(sname)
        copy_bytes[sname] = (copy_bytes.get(sname, 0) +
                             hdr_len(s.collectors[0]) + len(inner))
    total_copy_bytes = sum(copy_bytes.values())
    rx, fwd, out = cfg.rx_port, cfg.fwd_port, cfg.out_port
    want = [(rx, "rx_packets", n_in), (rx, "rx_bytes", in_bytes),
            (rx, "rx_missed", 0), (rx, "rx_errors", 0),
            (fwd, "tx_packets", n_in), (fwd, "tx_bytes", in_bytes),
            (fwd, "tx_dropped", 0),
            (out, "tx_packets", n_copies), (out, "tx_bytes", total_copy_bytes),
            (out, "tx_dropped", 0)]
    for p, k, v in want:
        g = port(p, k)
        ck.check("stats ports.%s.%s == %d" % (p, k, v), g == v, "got %s" % g)
    dur = st.get("duration_s")
    ck.check("stats duration_s is a positive number",
             isinstance(dur, (int, float)) and dur > 0, "got %r" % (dur,))
    w = st.get("workers")
    ok = (isinstance(w, list) and len(w) == 1 and w[0].get("lcore") == 1 and
          w[0].get("packets") == n_in and
          isinstance(w[0].get("busy_cycles"), int) and
          w[0]["busy_cycles"] > 0)
    ck.check("stats workers: lcore 1 handled %d packets" % n_in, ok,
             "got %s" % json.dumps(w))
    for s in cfg.sessions:
        g = sess.get(s.name)
        if not isinstance(g, dict):
            ck.check("stats sessions.%s present" % s.name, False)
            continue
        d = g.get("dropped", {})
        try:
            drops = sum(int(v) for v in d.values())
        except (TypeError, ValueError):
            drops = None
        m_exp = exp.matched[s.name]
        c_exp = exp.mirrored[s.name]
        ck.say("  stats %-10s matched %s/%d mirrored %s/%d dropped %s" %
               (s.name, g.get("matched"), m_exp, g.get("mirrored"), c_exp,
                json.dumps(d, separators=(",", ":"))))
        ck.check("stats %s matched == %d" % (s.name, m_exp),
                 g.get("matched") == m_exp, "got %s" % g.get("matched"))
        ck.check("stats %s mirrored == %d" % (s.name, c_exp),
                 g.get("mirrored") == c_exp, "got %s" % g.get("mirrored"))
        ck.check("stats %s matched == mirrored + dropped" % s.name,
                 drops is not None and g.get("matched") ==
                 (g.get("mirrored") or 0) + drops,
                 "%s != %s + %s" % (g.get("matched"), g.get("mirrored"),
                                    drops))
        names = ("sampled_out", "rate_limited", "no_mbuf", "tx_full",
                 "too_big")
        want_d = {n: 0 for n in names}
        want_d["sampled_out"] = m_exp - c_exp
        got_d = {n: d.get(n) for n in names}
        ck.check("stats %s dropped == %s" % (s.name, want_d),
                 got_d == want_d, "got %s" % got_d)
        ck.check("stats %s mirrored_bytes == %d" %
                 (s.name, copy_bytes.get(s.name, 0)),
                 g.get("mirrored_bytes") == copy_bytes.get(s.name, 0),
                 "got %s" % g.get("mirrored_bytes"))


# --------------------------------------------------------------------------
# Every encapsulation (verify-encaps): one collector per port, each port a
# net_pcap with one tx_pcap file per worker, the input port one rx_pcap file
# per worker.  The decoder below needs no configuration (compare_frames.py
# uses it to decapsulate); check_encap_copy then holds each field against
# the collector's configuration and the original frame.

ETH_P_TEB = 0x6558
ETH_P_ERSPAN2 = 0x88be
ETH_P_ERSPAN3 = 0x22eb
GRE_K = 0x2000
GRE_S = 0x1000
GRE_C = 0x8000
UDP_KINDS = {4789: "vxlan", 8472: "vxlan", 6081: "geneve"}


def split_outer(b, udp_kinds=None):
    """Decode an encapsulated copy from raw bytes.  Returns (fields, None)
    or (None, reason).  fields["kind"] is vxlan, geneve, gre, erspan2 or
    erspan3; fields["inner"] the encapsulated frame."""
    kinds = dict(UDP_KINDS)
    kinds.update(udp_kinds or {})
    d = {}
    if len(b) < 14:
        return None, "shorter than an Ethernet header"
    et = _u16(b, 12)
    if et == 0x0800:
        if len(b) < 34:
            return None, "short IPv4 header"
        ihl = (b[14] & 0xf) * 4
        d.update(family=4, ip=bytes(b[14:14 + ihl]), proto=b[23],
                 src=bytes(b[26:30]), dst=bytes(b[30:34]))
        l4 = 14 + ihl
    elif et == 0x86dd:
        if len(b) < 54:
            return None, "short IPv6 header"
        d.update(family=6, ip=bytes(b[14:54]), proto=b[20],
                 src=bytes(b[22:38]), dst=bytes(b[38:54]))
        l4 = 54
    else:
        return None, "outer ethertype 0x%04x is not IP" % et
    d["l4"] = l4
    if d["proto"] == 17:
        if len(b) < l4 + 16:
            return None, "short UDP tunnel header"
        d.update(sport=_u16(b, l4), dport=_u16(b, l4 + 2),
                 udp_len=_u16(b, l4 + 4), udp_csum=_u16(b, l4 + 6))
        kind = kinds.get(d["dport"])
        t = l4 + 8
        if kind == "vxlan":
            d.update(kind=kind, vx_flags=b[t], vx_rsv=bytes(b[t + 1:t + 4]),
                     vni=(b[t + 4] << 16) | (b[t + 5] << 8) | b[t + 6],
                     vx_rsv2=b[t + 7], inner=bytes(b[t + 8:]))
        elif kind == "geneve":
            optlen = (b[t] & 0x3f) * 4
            d.update(kind=kind, gn_ver=b[t] >> 6, gn_optlen=optlen,
                     gn_flags=b[t + 1], gn_proto=_u16(b, t + 2),
                     vni=(b[t + 4] << 16) | (b[t + 5] << 8) | b[t + 6],
                     gn_rsv=b[t + 7], inner=bytes(b[t + 8 + optlen:]))
        else:
            return None, "UDP port %d is no tunnel known here" % d["dport"]
        return d, None
    if d["proto"] != 47:
        return None, "outer IP protocol %d is neither UDP nor GRE" % \
            d["proto"]
    if len(b) < l4 + 4:
        return None, "short GRE header"
    fl = _u16(b, l4)
    o = l4 + 4
    d.update(gre_flags=fl, gre_proto=_u16(b, l4 + 2), key=None, seq=None)
    if fl & GRE_C:
        o += 4
    if fl & GRE_K:
        d["key"] = struct.unpack("!I", bytes(b[o:o + 4]))[0]
        o += 4
    if fl & GRE_S:
        d["seq"] = struct.unpack("!I", bytes(b[o:o + 4]))[0]
        o += 4
    if len(b) < o:
        return None, "GRE header runs past the frame"
    if d["gre_proto"] == ETH_P_TEB:
        d.update(kind="gre", inner=bytes(b[o:]))
    elif d["gre_proto"] == ETH_P_ERSPAN2:
        if len(b) < o + 8:
            return None, "short ERSPAN II header"
        w0, w1, w2 = _u16(b, o), _u16(b, o + 2), \
            struct.unpack("!I", bytes(b[o + 4:o + 8]))[0]
        d.update(kind="erspan2", ver=w0 >> 12, vlan=w0 & 0xfff,
                 cos=w1 >> 13, en=(w1 >> 11) & 3, t=(w1 >> 10) & 1,
                 sid=w1 & 0x3ff, rsv=w2 >> 20, index=w2 & 0xfffff,
                 inner=bytes(b[o + 8:]))
    elif d["gre_proto"] == ETH_P_ERSPAN3:
        if len(b) < o + 12:
            return None, "short ERSPAN III header"
        w0, w1 = _u16(b, o), _u16(b, o + 2)
        ts = struct.unpack("!I", bytes(b[o + 4:o + 8]))[0]
        sgt, w3 = _u16(b, o + 8), _u16(b, o + 10)
        opt = 8 if w3 & 1 else 0
        d.update(kind="erspan3", ver=w0 >> 12, vlan=w0 & 0xfff,
                 cos=w1 >> 13, bso=(w1 >> 11) & 3, t=(w1 >> 10) & 1,
                 sid=w1 & 0x3ff, ts=ts, sgt=sgt, p=w3 >> 15,
                 ft=(w3 >> 10) & 0x1f, hw=(w3 >> 4) & 0x3f,
                 d=(w3 >> 3) & 1, gra=(w3 >> 1) & 3, o=w3 & 1,
                 inner=bytes(b[o + 12 + opt:]))
    else:
        return None, "GRE protocol 0x%04x" % d["gre_proto"]
    return d, None


def decap(b, udp_kinds=None):
    """The frame inside an encapsulated copy, or None."""
    d, _ = split_outer(b, udp_kinds)
    return d["inner"] if d else None


def outer_tag(frame):
    """What ERSPAN must say about the original's VLAN: a list of the
    acceptable (vlan, cos, en) triples.  An 802.1Q or 802.1ad tag is
    described; untagged frames say 0; a 0x9100 tag or a tag cut before the
    EtherType behind it is outside the contract, so either answer is
    taken."""
    none = (0, 0, 0)
    if len(frame) < 14:
        return [none]
    et = _u16(frame, 12)
    if et in (0x8100, 0x88a8) and len(frame) >= 18:
        tci = _u16(frame, 14)
        return [(tci & 0xfff, tci >> 13, 3)]
    if et in (0x8100, 0x88a8, 0x9100):
        alt = [none]
        if len(frame) >= 16:
            tci = _u16(frame, 14)
            alt.append((tci & 0xfff, tci >> 13, 3))
        return alt
    return [none]


def check_encap_copy(c, b, d, want):
    """Problems of copy B (decoded as D) of collector C, given WANT: the
    expected inner frame, cut flag, direction, port index and the ERSPAN
    VLAN choices."""
    p = []
    if d["kind"] != c.encap:
        return ["decodes as %s, collector is %s" % (d["kind"], c.encap)]
    if d["family"] != c.family:
        p.append("outer IPv%d, collector is IPv%d" % (d["family"], c.family))
        return p
    if b[0:6] != c.remote_mac:
        p.append("eth dst %s != remote_mac" % b[0:6].hex(":"))
    if c.local_mac is not None and b[6:12] != c.local_mac:
        p.append("eth src %s != local_mac" % b[6:12].hex(":"))
    if b[6] & 1:
        p.append("eth src is multicast")
    ip = d["ip"]
    l4 = d["l4"]
    l4_len = len(b) - l4
    proto = 17 if c.encap in ("vxlan", "geneve") else 47
    if len(b) - len(d["inner"]) != c.overhead():
        p.append("outer header %d bytes, expected %d" %
                 (len(b) - len(d["inner"]), c.overhead()))
    if d["family"] == 4:
        if ip[0] != 0x45:
            p.append("IPv4 version/IHL 0x%02x" % ip[0])
        if ip[1] != c.dscp << 2:
            p.append("TOS 0x%02x != dscp %d << 2" % (ip[1], c.dscp))
        if _u16(ip, 2) != len(b) - 14:
            p.append("total_length %d != %d" % (_u16(ip, 2), len(b) - 14))
        if _u16(ip, 6) != 0x4000:
            p.append("flags/offset 0x%04x != DF" % _u16(ip, 6))
        if ip[8] != c.ttl:
            p.append("TTL %d != %d" % (ip[8], c.ttl))
        if _csum(bytes(ip)) != 0xffff:
            p.append("bad IPv4 header checksum")
    else:
        vtf = struct.unpack("!I", ip[0:4])[0]
        if vtf >> 28 != 6 or (vtf >> 20) & 0xff != c.dscp << 2 or \
                vtf & 0xfffff:
            p.append("IPv6 version/class/label 0x%08x" % vtf)
        if _u16(ip, 4) != l4_len:
            p.append("payload_length %d != %d" % (_u16(ip, 4), l4_len))
        if ip[7] != c.ttl:
            p.append("hop limit %d != %d" % (ip[7], c.ttl))
    if d["proto"] != proto:
        p.append("IP protocol %d != %d" % (d["proto"], proto))
    if d["src"] != c.local_ip.packed or d["dst"] != c.remote_ip.packed:
        p.append("IP %s -> %s" % (ipaddress.ip_address(d["src"]),
                                  ipaddress.ip_address(d["dst"])))
    if proto == 17:
        if not 49152 <= d["sport"] <= 65535:
            p.append("UDP sport %d outside 49152..65535" % d["sport"])
        if d["dport"] != c.dst_port:
            p.append("UDP dport %d != %d" % (d["dport"], c.dst_port))
        if d["udp_len"] != l4_len:
            p.append("UDP length %d != %d" % (d["udp_len"], l4_len))
        if d["family"] == 4 and d["udp_csum"] != 0:
            p.append("IPv4 UDP checksum 0x%04x != 0" % d["udp_csum"])
        if d["family"] == 6:
            pseudo = (d["src"] + d["dst"] + struct.pack("!IxxxB", l4_len,
                                                        17))
            if d["udp_csum"] == 0 or \
                    _csum(pseudo + bytes(b[l4:])) != 0xffff:
                p.append("bad IPv6 UDP checksum 0x%04x" % d["udp_csum"])
    if c.encap == "vxlan":
        if d["vx_flags"] != 8 or d["vx_rsv"] != b"\0\0\0" or d["vx_rsv2"]:
            p.append("VxLAN flags/reserved")
        if d["vni"] != c.vni:
            p.append("VNI %d != %d" % (d["vni"], c.vni))
    elif c.encap == "geneve":
        if (d["gn_ver"], d["gn_optlen"], d["gn_flags"], d["gn_proto"],
                d["gn_rsv"]) != (0, 0, 0, ETH_P_TEB, 0):
            p.append("Geneve ver %d optlen %d flags 0x%02x proto 0x%04x "
                     "rsv %d" % (d["gn_ver"], d["gn_optlen"], d["gn_flags"],
                                 d["gn_proto"], d["gn_rsv"]))
        if d["vni"] != c.vni:
            p.append("VNI %d != %d" % (d["vni"], c.vni))
    else:
        if c.encap == "gre":
            fl = (GRE_K if c.key is not None else 0) | \
                (GRE_S if c.seq else 0)
            gp = ETH_P_TEB
        else:
            fl = GRE_S
            gp = ETH_P_ERSPAN2 if c.encap == "erspan2" else ETH_P_ERSPAN3
        if d["gre_flags"] != fl or d["gre_proto"] != gp:
            p.append("GRE flags 0x%04x proto 0x%04x, expected 0x%04x "
                     "0x%04x" % (d["gre_flags"], d["gre_proto"], fl, gp))
        if c.encap == "gre" and d["key"] != c.key:
            p.append("GRE key %s != %s" % (d["key"], c.key))
    if c.encap in ("erspan2", "erspan3"):
        if c.encap == "erspan2":
            tag = (d["vlan"], d["cos"], d["en"])
            tags = want["tags"]
        else:
            tag = (d["vlan"], d["cos"])
            tags = [t[:2] for t in want["tags"]]
        if tag not in tags:
            p.append("VLAN/COS/En %s, expected %s" % (tag, tags))
        if d["t"] != int(want["cut"]):
            p.append("T %d, copy %s cut" % (d["t"],
                                            "was" if want["cut"] else
                                            "was not"))
        if d["sid"] != c.session_id:
            p.append("session id %d != %d" % (d["sid"], c.session_id))
    if c.encap == "erspan2":
        if d["ver"] != 1 or d["rsv"] != 0:
            p.append("ERSPAN II version %d reserved %d" % (d["ver"],
                                                          d["rsv"]))
        if d["index"] != want["index"]:
            p.append("index %d != port index %d" % (d["index"],
                                                     want["index"]))
    elif c.encap == "erspan3":
        if d["ver"] != 2 or d["bso"] != 0:
            p.append("ERSPAN III version %d BSO %d" % (d["ver"], d["bso"]))
        got = (d["sgt"], d["p"], d["ft"], d["hw"], d["d"], d["gra"], d["o"])
        exp = (0, 1, 0, 0, int(want["egress"]), 1, 0)
        if got != exp:
            p.append("SGT/P/FT/HW/D/Gra/O %s != %s" % (got, exp))
    if d["inner"] != want["inner"]:
        p.append("inner frame (%d B) differs from the original's first %d "
                 "bytes" % (len(d["inner"]), len(want["inner"])))
    return p


class EncapConfig:
    """The parts of an INI file verify-encaps models: ports (their pcap
    files), collectors of any encapsulation, filters, sessions whose
    sources are the input port's rx or its peer's tx."""

    def __init__(self, path, workdir):
        cp = configparser.ConfigParser(
            comment_prefixes=(";", "#"), inline_comment_prefixes=(";",),
            delimiters=("=",), interpolation=None, strict=True)
        cp.optionxform = str
        with open(path) as f:
            cp.read_file(f)
        self.ports = []
        self.port_sec = {}
        self.filters = {}
        self.collectors = {}
        self.sessions = []
        for s in cp.sections():
            kind, _, name = s.partition(" ")
            sec = dict(cp[s])
            if kind == "port":
                self.ports.append(name)
                self.port_sec[name] = sec
            elif kind == "filter":
                self.filters[name] = Filter(name, sec)
            elif kind == "collector":
                self.collectors[name] = Collector(name, sec)
        for s in cp.sections():
            kind, _, name = s.partition(" ")
            if kind == "session":
                self.sessions.append(Session(name, dict(cp[s]), self.filters,
                                             self.collectors))

        def files(dev, key):
            out = []
            for w in dev.split(",")[1:]:
                k, _, v = w.partition("=")
                if k == key:
                    out.append(os.path.join(workdir, v))
            return out
        self.rx_files = {}
        self.tx_files = {}
        for name in self.ports:
            dev = self.port_sec[name]["device"]
            self.rx_files[name] = files(dev, "rx_pcap")
            self.tx_files[name] = files(dev, "tx_pcap")
        rx = [n for n in self.ports if self.rx_files[n]]
        if len(rx) != 1:
            raise ValueError("exactly one port must read pcap files")
        self.rx_port = rx[0]
        self.fwd_port = self.port_sec[self.rx_port].get("peer")
        self.n_queues = len(self.rx_files[self.rx_port])
        for s in self.sessions:
            if len(s.collectors) != 1 or s.sample != 1:
                raise ValueError("session %s: one collector, no sampling" %
                                 s.name)
            for port, d in s.sources:
                if not ((port == self.rx_port and d == "rx") or
                        (port == self.fwd_port and d == "tx")):
                    raise ValueError("session %s: only %s:rx and %s:tx are "
                                     "modelled" % (s.name, self.rx_port,
                                                   self.fwd_port))
        users = {}
        for s in self.sessions:
            users.setdefault(s.collectors[0].name, []).append(s)
        for c in self.collectors.values():
            if len(users.get(c.name, [])) != 1:
                raise ValueError("collector %s: one session each" % c.name)
            if len(self.tx_files[c.port]) != self.n_queues:
                raise ValueError("port %s: one tx_pcap per worker (%d)" %
                                 (c.port, self.n_queues))
        self.session_of = {c: v[0] for c, v in users.items()}


def expect_encaps(cfg, queues):
    """Per collector, per queue (= worker): the expected copies in order,
    each a dict (orig, inner, cut, egress, index, tags, fi); and per session
    the matched count."""
    idx = {n: i for i, n in enumerate(cfg.ports)}
    exp = {c: [[] for _ in queues] for c in cfg.collectors}
    matched = {s.name: 0 for s in cfg.sessions}
    for q, frames in enumerate(queues):
        for fi, f in enumerate(frames):
            m = parse(f)
            for s in cfg.sessions:
                if not s.wants(m):
                    continue
                for port, d in s.sources:
                    egress = d == "tx"
                    matched[s.name] += 1
                    cut = bool(s.snaplen) and len(f) > s.snaplen
                    inner = f[:s.snaplen] if s.snaplen else f
                    c = s.collectors[0]
                    if c.encap == "none" and c.vlan:
                        inner = (inner[:12] + struct.pack("!HH", 0x8100,
                                                          c.vlan) +
                                 inner[12:])
                    exp[c.name][q].append(dict(
                        orig=f, inner=bytes(inner), cut=cut, egress=egress,
                        index=idx[port], tags=outer_tag(f), fi=fi, meta=m))
    return exp, matched


ENCAP_TSHARK_FIELDS = [
    "frame.protocols", "eth.type", "ip.checksum.status",
    "udp.checksum.status", "udp.dstport", "gre.proto", "gre.key",
    "gre.sequence_number", "erspan.version", "erspan.spanid",
    "erspan.truncated", "erspan.direction", "erspan.vlan", "erspan.index",
    "erspan.timestamp", "geneve.vni", "vlan.id", "vxlan.vni"]

WANT_LAYERS = {
    "vxlan": ["udp", "vxlan", "eth"], "geneve": ["udp", "geneve", "eth"],
    "gre": ["gre", "eth"], "erspan2": ["gre", "erspan", "eth"],
    "erspan3": ["gre", "erspan", "eth"]}


def _num(v):
    if v in ("True", "False"):
        return int(v == "True")
    return int(v, 0) if v != "" else None


def tshark_encap_rows(path, udp_kinds):
    args = ["-r", path, "-o", "ip.check_checksum:TRUE",
            "-o", "udp.check_checksum:TRUE"]
    for port, kind in sorted(udp_kinds.items()):
        args += ["-d", "udp.port==%d,%s" % (port, kind)]
    args += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"]
    for f in ENCAP_TSHARK_FIELDS:
        args += ["-e", f]
    rows = []
    for line in _tshark(args).decode().splitlines():
        v = line.split("\t")
        rows.append(dict(zip(ENCAP_TSHARK_FIELDS,
                             v + [""] * len(ENCAP_TSHARK_FIELDS))))
    return rows


def tshark_flagged(path, udp_kinds):
    """Frame numbers tshark marks malformed or with an expert error."""
    args = ["-r", path]
    for port, kind in sorted(udp_kinds.items()):
        args += ["-d", "udp.port==%d,%s" % (port, kind)]
    args += ["-Y", "_ws.malformed || _ws.expert.severity >= 0x00800000",
             "-T", "fields", "-e", "frame.number"]
    return {int(x) for x in _tshark(args).decode().split()}


def tshark_encap_row_problems(c, r, w, seq):
    """What tshark says about one copy against what it must say."""
    e = []
    protos = r["frame.protocols"].split(":")
    if c.encap == "none":
        if c.vlan:
            if protos[:3] != ["eth", "ethertype", "vlan"] or \
                    _num(r["vlan.id"]) != c.vlan:
                e.append("layers %s vlan.id %s" % (":".join(protos[:3]),
                                                   r["vlan.id"]))
        return e
    fam = "ip" if c.family == 4 else "ipv6"
    want = ["eth", "ethertype", fam] + WANT_LAYERS[c.encap]
    if protos[:len(want)] != want:
        return ["layers %s" % ":".join(protos[:len(want)])]
    if c.family == 4 and r["ip.checksum.status"] != "1":
        e.append("ip.checksum.status %s" % r["ip.checksum.status"])
    if c.encap in ("vxlan", "geneve"):
        if _num(r["udp.dstport"]) != c.dst_port:
            e.append("udp.dstport %s" % r["udp.dstport"])
        if c.family == 6 and r["udp.checksum.status"] != "1":
            e.append("udp.checksum.status %s" % r["udp.checksum.status"])
        if _num(r[c.encap + ".vni"]) != c.vni:
            e.append("%s.vni %s" % (c.encap, r[c.encap + ".vni"]))
        return e
    gp = {"gre": ETH_P_TEB, "erspan2": ETH_P_ERSPAN2,
          "erspan3": ETH_P_ERSPAN3}[c.encap]
    if _num(r["gre.proto"]) != gp:
        e.append("gre.proto %s" % r["gre.proto"])
    if _num(r["gre.key"]) != c.key:
        e.append("gre.key %s, want %s" % (r["gre.key"], c.key))
    if _num(r["gre.sequence_number"]) != seq:
        e.append("gre.sequence_number %s, the raw bytes say %s" %
                 (r["gre.sequence_number"], seq))
    if c.encap == "gre":
        return e
    ver = 1 if c.encap == "erspan2" else 2
    if _num(r["erspan.version"]) != ver:
        e.append("erspan.version %s" % r["erspan.version"])
    if _num(r["erspan.spanid"]) != c.session_id:
        e.append("erspan.spanid %s" % r["erspan.spanid"])
    if _num(r["erspan.truncated"]) != int(w["cut"]):
        e.append("erspan.truncated %s, copy %s cut" %
                 (r["erspan.truncated"], "was" if w["cut"] else "was not"))
    if _num(r["erspan.vlan"]) not in [t[0] for t in w["tags"]]:
        e.append("erspan.vlan %s" % r["erspan.vlan"])
    if c.encap == "erspan2":
        if _num(r["erspan.index"]) != w["index"]:
            e.append("erspan.index %s" % r["erspan.index"])
    elif _num(r["erspan.direction"]) != int(w["egress"]):
        e.append("erspan.direction %s, want %d" % (r["erspan.direction"],
                                                  int(w["egress"])))
    return e


def verify_encaps(cfg_path, stats_path, workdir, t0, t1, quiet=False):
    """T0, T1: wall-clock seconds before dpmirror started and after it
    stopped, the window the ERSPAN III timestamps must fall in."""
    ck = Checker(quiet)
    ck.say_ok = True
    cfg = EncapConfig(cfg_path, workdir)
    queues = [[r[1] for r in read_pcap(f)[1]]
              for f in cfg.rx_files[cfg.rx_port]]
    exp, matched = expect_encaps(cfg, queues)
    udp_kinds = {c.dst_port: c.encap for c in cfg.collectors.values()
                 if c.encap in ("vxlan", "geneve")}
    lo = int((t0 - 1.0) * 1e7) & 0xffffffff
    span = int((t1 - t0 + 2.0) * 1e7)
    counted = {}
    for c in cfg.collectors.values():
        s = cfg.session_of[c.name]
        outs = []
        for f in cfg.tx_files[c.port]:
            try:
                outs.append([r[1] for r in read_pcap(f)[1]])
            except (OSError, ValueError) as e:
                ck.check("%s: %s readable" % (c.name, f), False, str(e))
                outs.append([])
        n_exp = [len(x) for x in exp[c.name]]
        n_got = [len(x) for x in outs]
        ck.say("collector %-8s %-7s IPv%s  copies per worker expected %s "
               "got %s" % (c.name, c.encap + (" %d" % c.vlan if c.vlan
                                              else ""),
                           c.family or "-", n_exp, n_got))
        counted[c.name] = (sum(n_got), sum(len(b) for o in outs for b in o))
        bad = []
        seqs = []
        sports = {}
        per_file_seq = []
        ts_bad = []
        cut_n = 0
        for q, (got, want) in enumerate(zip(outs, exp[c.name])):
            if len(got) != len(want):
                bad.append("worker %d: %d copies, expected %d" %
                           (q, len(got), len(want)))
            fseq = []
            last_ts = None
            for k, (b, w) in enumerate(zip(got, want)):
                where = "worker %d copy %d (input frame %d)" % (q, k + 1,
                                                                 w["fi"] + 1)
                cut_n += w["cut"]
                if c.encap == "none":
                    if b != w["inner"]:
                        bad.append("%s: not the original%s byte for byte" %
                                   (where, " behind one tag" if c.vlan
                                    else ""))
                    continue
                d, why = split_outer(b, udp_kinds)
                if d is None:
                    bad.append("%s: %s" % (where, why))
                    continue
                for pr in check_encap_copy(c, b, d, w):
                    bad.append("%s: %s" % (where, pr))
                if c.seq:
                    fseq.append(d["seq"])
                elif d.get("seq") is not None:
                    bad.append("%s: a sequence number" % where)
                if c.encap in ("vxlan", "geneve") and not s.snaplen:
                    key = flow_key(w["meta"], w["orig"])
                    if key is not None:
                        sports.setdefault(key, set()).add(d["sport"])
                if c.encap == "erspan3":
                    if (d["ts"] - lo) & 0xffffffff > span:
                        ts_bad.append("%s: timestamp %d outside the run" %
                                      (where, d["ts"]))
                    elif last_ts is not None and \
                            (d["ts"] - last_ts) & 0xffffffff > span:
                        ts_bad.append("%s: timestamp %d before %d" %
                                      (where, d["ts"], last_ts))
                    last_ts = d["ts"]
            seqs += fseq
            per_file_seq.append(fseq)
        ck.check("%s: every copy as expected (outer headers, fields, inner "
                 "frame%s)" % (c.name, ", %d cut" % cut_n if cut_n else ""),
                 not bad, _few(bad, 6))
        if c.seq:
            mono = all(all(a < b for a, b in zip(x, x[1:]))
                       for x in per_file_seq)
            ck.check("%s: sequence numbers 0..%d, each once, rising per "
                     "worker" % (c.name, sum(n_exp) - 1),
                     sorted(seqs) == list(range(sum(n_exp))) and mono,
                     "%d numbers, %d distinct, min %s max %s, rising %s" %
                     (len(seqs), len(set(seqs)), min(seqs, default=None),
                      max(seqs, default=None), mono))
            both = [x for x in per_file_seq if x]
            inter = (len(both) == 2 and
                     not (max(both[0]) < min(both[1]) or
                          max(both[1]) < min(both[0])))
            ck.say("  %s: sequence ranges per worker %s%s" %
                   (c.name, ", ".join("%d..%d" % (min(x), max(x))
                                      for x in both),
                    " (interleaved)" if inter else ""))
        if c.encap == "erspan3":
            ck.check("%s: timestamps within the run, never going back" %
                     c.name, not ts_bad, _few(ts_bad))
        if sports:
            asym = [_flow_str(k) for k, v in sports.items() if len(v) > 1]
            ck.check("%s: one outer UDP source port per flow, both "
                     "directions" % c.name, not asym, _few(asym))
        tshark_encap_checks(ck, c, outs, exp[c.name], udp_kinds, workdir)
    try:
        with open(stats_path) as f:
            st = json.load(f)
    except (OSError, ValueError) as e:
        ck.check("stats JSON readable", False, str(e))
        st = None
    if st is not None:
        encap_stats_checks(ck, cfg, exp, matched, counted, queues, st)
    if not quiet:
        if ck.failed:
            print("failed checks:")
            for f in ck.failed:
                print("  " + f)
        print("encaps: %d passed, %d failed" % (ck.passed, len(ck.failed)))
    return ck


def tshark_encap_checks(ck, c, outs, want, udp_kinds, workdir):
    bad = []
    tseq = []
    flagged_n = 0
    for q, (got, w) in enumerate(zip(outs, want)):
        if not got:
            continue
        path = os.path.join(workdir, "tshark-%s-%d.pcap" % (c.name, q))
        write_pcap(path, got)
        rows = tshark_encap_rows(path, udp_kinds)
        if len(rows) != len(got):
            bad.append("worker %d: %d rows for %d copies" %
                       (q, len(rows), len(got)))
            continue
        for k, (r, b, ww) in enumerate(zip(rows, got, w)):
            d = split_outer(b, udp_kinds)[0] if c.encap != "none" else None
            seq = d.get("seq") if d else None
            if c.seq and r["gre.sequence_number"] != "":
                tseq.append(int(r["gre.sequence_number"]))
            for e in tshark_encap_row_problems(c, r, ww, seq):
                bad.append("worker %d copy %d: %s" % (q, k + 1, e))
        # Malformed or in error: only where the inner frame is so on its
        # own (the capture holds truncated and malformed frames on purpose).
        flagged = tshark_flagged(path, udp_kinds)
        flagged_n += len(flagged)
        ipath = os.path.join(workdir, "tshark-%s-%d-inner.pcap" %
                             (c.name, q))
        write_pcap(ipath, [x["orig"][:len(x["inner"])]
                           if c.encap != "none" or not c.vlan else x["orig"]
                           for x in w[:len(got)]])
        own = tshark_flagged(ipath, udp_kinds)
        for num in sorted(flagged - own):
            bad.append("worker %d copy %d: malformed or in error, its "
                       "inner frame alone is not" % (q, num))
    ck.check("%s: tshark decodes every copy with the expected fields, "
             "nothing malformed beyond the inner frames' own (%d flagged "
             "copies, all with a malformed original)" % (c.name, flagged_n),
             not bad, _few(bad, 6))
    if c.seq:
        ck.check("%s: tshark's gre.sequence_number: 0..%d each once" %
                 (c.name, len(tseq) - 1),
                 sorted(tseq) == list(range(sum(len(x) for x in want))),
                 "%d values, %d distinct" % (len(tseq), len(set(tseq))))


def encap_stats_checks(ck, cfg, exp, matched, counted, queues, st):
    ports = st.get("ports", {})
    sess = st.get("sessions", {})
    colls = st.get("collectors")
    n_in = sum(len(q) for q in queues)
    ck.check("stats ports.%s.rx_packets == %d" % (cfg.rx_port, n_in),
             ports.get(cfg.rx_port, {}).get("rx_packets") == n_in,
             "got %s" % ports.get(cfg.rx_port, {}).get("rx_packets"))
    w = st.get("workers")
    want_w = sorted(len(q) for q in queues)
    got_w = sorted(x.get("packets") for x in w) if isinstance(w, list) \
        else None
    ck.check("stats workers: %d workers handled %s packets" %
             (len(queues), want_w), got_w == want_w, "got %s" % got_w)
    if colls is None:
        ck.check("stats JSON has a collectors object", False,
                 "no \"collectors\" key (DESIGN section 5)")
    for c in cfg.collectors.values():
        s = cfg.session_of[c.name]
        n, nb = counted[c.name]
        want_n = sum(len(x) for x in exp[c.name])
        want_b = sum(len(x["inner"]) for q in exp[c.name] for x in q)
        if c.encap != "none":
            want_b += want_n * c.overhead()
        ck.check("%s: %d copies of %d bytes in the files" %
                 (c.name, want_n, want_b), (n, nb) == (want_n, want_b),
                 "got %d copies of %d bytes" % (n, nb))
        p = ports.get(c.port, {})
        ck.check("stats ports.%s tx_packets/tx_bytes == %d/%d" %
                 (c.port, n, nb),
                 (p.get("tx_packets"), p.get("tx_bytes")) == (n, nb),
                 "got %s/%s" % (p.get("tx_packets"), p.get("tx_bytes")))
        g = sess.get(s.name, {})
        dr = g.get("dropped", {})
        ck.check("stats sessions.%s matched %d mirrored %d bytes %d, "
                 "nothing dropped" % (s.name, matched[s.name], n, nb),
                 (g.get("matched"), g.get("mirrored"),
                  g.get("mirrored_bytes")) == (matched[s.name], n, nb) and
                 not any(dr.values()),
                 "got %s" % json.dumps(g, separators=(",", ":")))
        if colls is None:
            continue
        cs = colls.get(c.name)
        if not isinstance(cs, dict):
            ck.check("stats collectors.%s present" % c.name, False)
            continue
        ok = cs.get("packets") == n and cs.get("bytes") == nb
        if c.seq:
            ok = ok and cs.get("next_seq") == n
        else:
            ok = ok and "next_seq" not in cs
        ck.check("stats collectors.%s packets %d bytes %d %s" %
                 (c.name, n, nb, "next_seq %d" % n if c.seq else
                  "no next_seq"), ok,
                 "got %s" % json.dumps(cs, separators=(",", ":")))


def encap_self_test():
    """The encapsulation decoder and checks against copies built by scapy
    (an encoder of its own): correct copies pass, each broken field fails."""
    from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III
    from scapy.contrib.geneve import GENEVE
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import GRE, Dot1Q, Ether
    from scapy.layers.vxlan import VXLAN
    from scapy.packet import Raw

    orig = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                 Dot1Q(vlan=30, prio=5) /
                 IP(src="198.18.0.1", dst="198.18.0.2") /
                 UDP(sport=1000, dport=2000) / Raw(bytes(range(200))))
    base = {"port": "o", "remote_mac": "02:00:00:00:01:03",
            "local_mac": "02:00:00:00:02:0a", "ttl": "9", "dscp": "3"}
    cases = []
    for fam in (4, 6):
        a = {"remote_ip": "198.18.1.3" if fam == 4 else "fd00:1::3",
             "local_ip": "198.18.1.10" if fam == 4 else "fd00:1::10"}
        for enc, extra in (("vxlan", {"vni": "77"}),
                           ("geneve", {"vni": "16777215"}),
                           ("gre", {"key": "4294967295", "seq": "yes"}),
                           ("gre", {}),
                           ("erspan2", {"session_id": "1023"}),
                           ("erspan3", {"session_id": "5"})):
            sec = dict(base, encap=enc, **a, **extra)
            cases.append(Collector("%s%d" % (enc, fam), sec))
    ok = True
    n = 0
    for c in cases:
        for cut in (False, True):
            inner = orig[:100] if cut else orig
            eth = Ether(dst=c.remote_mac.hex(":"), src=c.local_mac.hex(":"))
            proto = 17 if c.encap in ("vxlan", "geneve") else 47
            if c.family == 4:
                ip = IP(src=str(c.local_ip), dst=str(c.remote_ip), ttl=c.ttl,
                        tos=c.dscp << 2, id=0, flags="DF", proto=proto)
            else:
                ip = IPv6(src=str(c.local_ip), dst=str(c.remote_ip),
                          hlim=c.ttl, tc=c.dscp << 2, nh=proto)
            if c.encap == "vxlan":
                tun = (UDP(sport=50000, dport=c.dst_port,
                           chksum=0 if c.family == 4 else None) /
                       VXLAN(flags=0x08, vni=c.vni))
            elif c.encap == "geneve":
                tun = (UDP(sport=50000, dport=c.dst_port,
                           chksum=0 if c.family == 4 else None) /
                       GENEVE(proto=0x6558, vni=c.vni))
            elif c.encap == "gre":
                g = GRE(proto=0x6558)
                if c.key is not None:
                    g.key_present, g.key = 1, c.key
                if c.seq:
                    g.seqnum_present, g.sequence_number = 1, 7
                tun = g
            elif c.encap == "erspan2":
                tun = (GRE(proto=0x88be, seqnum_present=1,
                           sequence_number=7) /
                       ERSPAN_II(ver=1, vlan=30, cos=5, en=3, t=int(cut),
                                 session_id=c.session_id, index=2))
            else:
                tun = (GRE(proto=0x22eb, seqnum_present=1,
                           sequence_number=7) /
                       ERSPAN_III(ver=2, vlan=30, cos=5, t=int(cut),
                                  session_id=c.session_id,
                                  timestamp=123456, sgt_other=0, p=1, ft=0,
                                  hw=0, d=1, gra=1, o=0))
            b = bytes(eth / ip / tun / Raw(inner))
            want = dict(inner=inner, cut=cut, egress=True, index=2,
                        tags=outer_tag(orig))

            def probs(frame):
                d, why = split_outer(frame)
                if d is None:
                    return [why]
                return check_encap_copy(c, frame, d, want)
            n += 1
            p = probs(b)
            if p:
                print("encap self-test %s cut=%s: a correct copy fails: %s" %
                      (c.name, cut, p))
                ok = False
            d = split_outer(b)[0]
            if d and c.seq and d["seq"] != 7:
                print("encap self-test %s: sequence %s != 7" %
                      (c.name, d["seq"]))
                ok = False
            # Each mutation must be caught.
            muts = [("last inner byte", len(b) - 1, 0x01),
                    ("outer TTL", 22 if c.family == 4 else 21, 0x02)]
            l4 = d["l4"] if d else 34
            if proto == 47:
                muts.append(("GRE flags", l4, 0x20))
            else:
                muts.append(("UDP dport", l4 + 3, 0x01))
            if c.encap in ("erspan2", "erspan3"):
                e = l4 + 8
                muts += [("T bit", e + 2, 0x04), ("session id", e + 3, 0x01),
                         ("VLAN", e + 1, 0x01)]
                if c.encap == "erspan3":
                    muts.append(("D bit", e + 11, 0x08))
                else:
                    muts.append(("index", e + 7, 0x01))
            if c.encap == "gre" and c.key is not None:
                muts.append(("key", l4 + 4, 0x01))
            if c.encap in ("vxlan", "geneve"):
                muts.append(("VNI", l4 + 8 + 6, 0x01))
            for label, off, bit in muts:
                m = bytearray(b)
                m[off] ^= bit
                n += 1
                if not probs(bytes(m)):
                    print("encap self-test %s: %s flipped passes" %
                          (c.name, label))
                    ok = False
    print("encap self-test: %s (%d cases)" % ("ok" if ok else "FAILED", n))
    return ok


# --------------------------------------------------------------------------
# Self-test: the verifier must pass a correct output and fail broken ones.


def _fake_sport(key):
    import zlib
    return 49152 | (zlib.crc32(repr(key).encode()) & 0x3fff)


def fake_outputs(cfg, exp, d, port_mac="02:00:00:aa:bb:cc"):
    """Build out.pcap, fwd.pcap and stats.json the way dpmirror should,
    with scapy (not with the oracle's own decoder)."""
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Ether
    from scapy.layers.vxlan import VXLAN
    from scapy.packet import Raw

    copies = []
    per = {}
    for sname, inner, fi in exp.copies:
        s = exp.session(sname)
        key = flow_key(exp.metas[fi], exp.frames[fi])
        sport = _fake_sport(key)
        c = s.collectors[sport % len(s.collectors)]
        eth = Ether(dst=c.remote_mac.hex(":"),
                    src=(c.local_mac.hex(":") if c.local_mac else port_mac))
        if c.family == 4:
            ip = IP(src=str(c.local_ip), dst=str(c.remote_ip), ttl=c.ttl,
                    tos=c.dscp << 2, id=0, flags="DF")
            udp = UDP(sport=sport, dport=c.dst_port, chksum=0)
        else:
            ip = IPv6(src=str(c.local_ip), dst=str(c.remote_ip), hlim=c.ttl,
                      tc=c.dscp << 2)
            udp = UDP(sport=sport, dport=c.dst_port)
        pkt = eth / ip / udp / VXLAN(flags=0x08, vni=c.vni) / Raw(inner)
        b = bytes(pkt)
        copies.append(b)
        per[sname] = per.get(sname, 0) + len(b)
    write_pcap(os.path.join(d, "out.pcap"), copies)
    write_pcap(os.path.join(d, "fwd.pcap"), exp.frames)
    n = len(exp.frames)
    nb = sum(len(f) for f in exp.frames)
    zero = {"rx_packets": 0, "rx_bytes": 0, "tx_packets": 0, "tx_bytes": 0,
            "rx_missed": 0, "rx_errors": 0, "tx_dropped": 0}
    ports = {p: dict(zero) for p in cfg.ports}
    ports[cfg.rx_port].update(rx_packets=n, rx_bytes=nb)
    ports[cfg.fwd_port].update(tx_packets=n, tx_bytes=nb)
    ports[cfg.out_port].update(tx_packets=len(copies),
                               tx_bytes=sum(len(b) for b in copies))
    sessions = {}
    for s in cfg.sessions:
        m, c = exp.matched[s.name], exp.mirrored[s.name]
        sessions[s.name] = {
            "matched": m, "mirrored": c, "mirrored_bytes": per.get(s.name, 0),
            "dropped": {"sampled_out": m - c, "rate_limited": 0,
                        "no_mbuf": 0, "tx_full": 0, "too_big": 0}}
    st = {"duration_s": 1.5, "ports": ports, "sessions": sessions,
          "workers": [{"lcore": 1, "packets": n, "busy_cycles": 123456}]}
    with open(os.path.join(d, "stats.json"), "w") as f:
        json.dump(st, f)
    return copies, st


def self_test():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import mixed_traffic  # noqa: E402

    unit = parse_unit_tests()
    d = tempfile.mkdtemp(prefix="dpm-oracle-")
    try:
        cfg_path = os.path.join(here, "mixed.ini")
        in_path = os.path.join(d, "in.pcap")
        frames = mixed_traffic.build(20240611)
        mixed_traffic.write_pcap(in_path, frames)
        cfg = Config(cfg_path)
        exp = Expect(cfg, frames)
        copies, st = fake_outputs(cfg, exp, d)
        paths = [cfg_path, in_path, os.path.join(d, "fwd.pcap"),
                 os.path.join(d, "out.pcap"), os.path.join(d, "stats.json"),
                 d]
        results = []

        def run(label, must_pass):
            ck = verify(*paths, quiet=True)
            ok = (not ck.failed) == must_pass
            results.append(ok)
            print("self-test %-42s %s (%d passed, %d failed%s)" %
                  (label, "ok" if ok else "WRONG", ck.passed, len(ck.failed),
                   (": " + "; ".join(ck.failed[:3])) if ck.failed else ""))

        run("correct output passes", True)
        good_out = list(copies)

        def mutate(label, new_copies=None, stats=None, fwd=None):
            write_pcap(paths[3], new_copies if new_copies is not None
                       else good_out)
            with open(paths[4], "w") as f:
                json.dump(stats if stats is not None else st, f)
            write_pcap(paths[2], fwd if fwd is not None else frames)
            run(label, False)

        # Pick a copy of a full-frame session and one of an IPv6 one.
        k4 = next(i for i, e in enumerate(exp.copies)
                  if exp.session(e[0]).collectors[0].family == 4 and
                  len(e[1]) > 60)
        k6 = next(i for i, e in enumerate(exp.copies)
                  if exp.session(e[0]).collectors[0].family == 6)
        c = list(good_out)
        b = bytearray(c[k4])
        b[-1] ^= 0x01
        c[k4] = bytes(b)
        mutate("one inner byte flipped fails", c)
        c = list(good_out)
        del c[len(c) // 2]
        mutate("one copy dropped fails", c)
        c = list(good_out)
        b = bytearray(c[k4])
        vni = exp.session(exp.copies[k4][0]).collectors[0].vni
        other = next(x.vni for x in cfg.collectors.values()
                     if x.family == 4 and x.vni != vni and
                     x.remote_ip == exp.session(exp.copies[k4][0])
                     .collectors[0].remote_ip)
        b[46:49] = struct.pack("!I", other)[1:]
        c[k4] = bytes(b)
        mutate("VNI swapped to another session fails", c)
        c = list(good_out)
        j = next(i for i in range(len(c) - 1)
                 if exp.copies[i][0] != exp.copies[i + 1][0])
        c[j], c[j + 1] = c[j + 1], c[j]
        mutate("two copies swapped fails", c)
        c = list(good_out)
        b = bytearray(c[k4])
        b[24] ^= 0x10
        c[k4] = bytes(b)
        mutate("bad outer IPv4 checksum fails", c)
        c = list(good_out)
        b = bytearray(c[k6])
        b[54 + 6:54 + 8] = b"\0\0"
        c[k6] = bytes(b)
        mutate("IPv6 UDP checksum 0 fails", c)
        c = list(good_out)
        b = bytearray(c[k4])
        b[34 + 4:34 + 6] = struct.pack("!H", len(b) - 34 + 100)
        c[k4] = bytes(b)
        mutate("UDP length too long fails", c)
        c = list(good_out)
        b = bytearray(c[k4])
        b[22] -= 1
        b[24:26] = b"\0\0"
        b[24:26] = struct.pack("!H", 0xffff - _csum(bytes(b[14:34])))
        c[k4] = bytes(b)
        mutate("wrong outer TTL fails", c)
        # A reply getting a source port of its own: find a flow with
        # copies in both directions.
        c = list(good_out)
        seen = {}
        pick = None
        for i, (sname, inner, fi) in enumerate(exp.copies):
            m = exp.metas[fi]
            if m.l3 != 4 or m.proto != 6:
                continue
            key = flow_key(m, exp.frames[fi])
            if key in seen and seen[key] != m.src:
                pick = i
                break
            seen.setdefault(key, m.src)
        b = bytearray(c[pick])
        sp = _u16(b, 34) ^ 0x0101
        b[34:36] = struct.pack("!H", sp)
        c[pick] = bytes(b)
        mutate("asymmetric outer source port fails", c)
        c = list(good_out)
        b = bytearray(c[k4])
        b[42] = 0x0c
        c[k4] = bytes(b)
        mutate("VxLAN flags wrong fails", c)
        s2 = json.loads(json.dumps(st))
        first = cfg.sessions[0].name
        s2["sessions"][first]["mirrored"] -= 1
        mutate("stats mirrored off by one fails", stats=s2)
        s2 = json.loads(json.dumps(st))
        s2["ports"][cfg.fwd_port]["tx_packets"] -= 1
        mutate("stats fwd tx_packets off by one fails", stats=s2)
        s2 = json.loads(json.dumps(st))
        s2["workers"][0]["packets"] += 1
        mutate("stats worker packets wrong fails", stats=s2)
        mutate("fwd.pcap missing a frame fails", fwd=frames[:-1])
        f2 = list(frames)
        f2[5] = f2[5][:-1] + bytes([f2[5][-1] ^ 0xff])
        mutate("fwd.pcap with a changed byte fails", fwd=f2)
        ok = all(results) and unit
        print("mirror_oracle self-test: %s (%d cases, parser unit tests %s)" %
              ("ok" if ok else "FAILED", len(results),
               "ok" if unit else "FAILED"))
        return 0 if ok else 1
    finally:
        shutil.rmtree(d, ignore_errors=True)


def parse_unit_tests():
    """Hand-made frames with hand-written expected parses."""
    def eth(et, vlans=()):
        h = bytes(6) + bytes([2, 0, 0, 0, 0, 1])
        for tpid, vid in vlans:
            h += struct.pack("!HH", tpid, vid)
        return h + struct.pack("!H", et)

    def ip4(proto, l4, ihl=5, tlen=None, frag=0):
        opts = bytes(4 * (ihl - 5)) if ihl >= 5 else b""
        tl = tlen if tlen is not None else 20 + len(opts) + len(l4)
        h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl, 1, frag, 64,
                        proto, 0, bytes([198, 18, 0, 1]),
                        bytes([198, 18, 0, 2]))
        return h + opts + l4

    def ip6(nh, rest, plen=None):
        return struct.pack("!IHBB16s16s", 0x60000000,
                           len(rest) if plen is None else plen, nh, 64,
                           bytes([0xfd] + [0] * 14 + [1]),
                           bytes([0xfd] + [0] * 14 + [2])) + rest

    ports = struct.pack("!HH", 1234, 80) + bytes(4)
    cases = [
        ("ipv4 udp", eth(0x0800) + ip4(17, ports), (4, 17, True, 1234, 80,
                                                   VLAN_NONE, 0)),
        ("ipv4 opts", eth(0x0800) + ip4(6, ports + bytes(12), ihl=7),
         (4, 6, True, 1234, 80, VLAN_NONE, 0)),
        ("ihl 4", eth(0x0800) + ip4(6, ports, ihl=4), (0, 0, False, 0, 0,
                                                       VLAN_NONE, 0)),
        ("tlen<ihl", eth(0x0800) + ip4(6, ports, tlen=19),
         (0, 0, False, 0, 0, VLAN_NONE, 0)),
        ("tlen 23", eth(0x0800) + ip4(6, ports, tlen=23),
         (4, 6, False, 0, 0, VLAN_NONE, 0)),
        ("tlen 24", eth(0x0800) + ip4(6, ports, tlen=24),
         (4, 6, True, 1234, 80, VLAN_NONE, 0)),
        ("frag first", eth(0x0800) + ip4(17, ports, frag=0x2000),
         (4, 17, True, 1234, 80, VLAN_NONE, F_FRAG | F_FRAG_FIRST)),
        ("frag later", eth(0x0800) + ip4(17, ports, frag=3),
         (4, 17, False, 0, 0, VLAN_NONE, F_FRAG)),
        ("qinq", eth(0x0800, [(0x88a8, 0x2007), (0x8100, 20)]) +
         ip4(6, ports), (4, 6, True, 1234, 80, 7, 0)),
        ("4 tags", eth(0x0800, [(0x8100, 1)] * 4) + ip4(6, ports),
         (4, 6, True, 1234, 80, 1, 0)),
        ("5 tags", eth(0x0800, [(0x9100, 2)] * 5) + ip4(6, ports),
         (0, 0, False, 0, 0, 2, F_VLAN_TRUNC)),
        ("v6 udp", eth(0x86dd) + ip6(17, ports), (6, 17, True, 1234, 80,
                                                  VLAN_NONE, 0)),
        ("v6 hbh+frag", eth(0x86dd) + ip6(0, bytes([44, 0]) + bytes(6) +
                                          bytes([6, 0, 0, 0, 0, 0, 0, 9]) +
                                          ports),
         (6, 6, True, 1234, 80, VLAN_NONE, F_FRAG | F_FRAG_FIRST)),
        ("v6 frag later", eth(0x86dd) + ip6(44, bytes([17, 0, 0, 8]) +
                                            bytes(4) + ports),
         (6, 17, False, 0, 0, VLAN_NONE, F_FRAG)),
        ("v6 plen 3", eth(0x86dd) + ip6(17, ports, plen=3),
         (6, 17, False, 0, 0, VLAN_NONE, 0)),
        ("v6 ah", eth(0x86dd) + ip6(51, bytes([6, 1]) + bytes(10) + ports),
         (6, 6, True, 1234, 80, VLAN_NONE, 0)),
        ("v6 short", (eth(0x86dd) + ip6(17, ports))[:14 + 39],
         (0, 0, False, 0, 0, VLAN_NONE, 0)),
        ("v6 8 ext", eth(0x86dd) + ip6(60, b"".join(
            bytes([60 if i < 7 else 17, 0]) + bytes(6) for i in range(8)) +
            ports), (6, 17, True, 1234, 80, VLAN_NONE, 0)),
        ("10 bytes", bytes(10), (0, 0, False, 0, 0, VLAN_NONE, 0)),
        ("arp", eth(0x0806) + bytes(28), (0, 0, False, 0, 0, VLAN_NONE, 0)),
    ]
    ok = True
    for name, frame, want in cases:
        m = parse(frame)
        got = (m.l3, m.proto, m.has_ports, m.sport, m.dport, m.vlan, m.flags)
        if got != want:
            print("parse unit test %s: got %s, want %s" % (name, got, want))
            ok = False
    # Filter rules.
    m = parse(eth(0x0800, [(0x8100, 10)]) + ip4(17, ports))
    m_arp = parse(eth(0x0806, [(0x8100, 10)]) + bytes(28))
    rules = [("accept vlan 10", m, True), ("accept vlan 10", m_arp, True),
             ("accept proto udp", m_arp, False),
             ("accept src 198.18.0.0/24", m, True),
             ("accept src fd00::/8", m, False),
             ("accept dport 80", m, True), ("accept dport 81-90", m, False),
             ("accept proto tcp", m, False), ("accept vlan 11", m, False)]
    for text, mm, want in rules:
        if Rule(1, text).matches(mm) != want:
            print("rule unit test %r: want %s" % (text, want))
            ok = False
    return ok


# --------------------------------------------------------------------------


def main(argv):
    if len(argv) >= 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) >= 2 and argv[1] == "--encap-self-test":
        return 0 if encap_self_test() else 1
    if len(argv) >= 2 and argv[1] == "verify-encaps":
        import argparse
        ap = argparse.ArgumentParser()
        ap.add_argument("--config", required=True)
        ap.add_argument("--stats", required=True)
        ap.add_argument("--workdir", required=True)
        ap.add_argument("--t0", type=float, required=True)
        ap.add_argument("--t1", type=float, required=True)
        a = ap.parse_args(argv[2:])
        ck = verify_encaps(a.config, a.stats, a.workdir, a.t0, a.t1)
        return 0 if not ck.failed else 1
    if len(argv) == 4 and argv[1] == "rx-packets":
        try:
            with open(argv[2]) as f:
                print(int(json.load(f)["ports"][argv[3]]["rx_packets"]))
        except (OSError, ValueError, KeyError, TypeError):
            print(-1)
        return 0
    if len(argv) == 3 and argv[1] == "count-frames":
        print(len(read_pcap(argv[2])[1]))
        return 0
    if len(argv) >= 2 and argv[1] == "verify":
        import argparse
        ap = argparse.ArgumentParser()
        for a in ("config", "in", "fwd", "out", "stats"):
            ap.add_argument("--" + a, required=True)
        ap.add_argument("--workdir", default=None)
        a = ap.parse_args(argv[2:])
        wd = a.workdir or os.path.dirname(os.path.abspath(a.out))
        ck = verify(a.config, getattr(a, "in"), a.fwd, a.out, a.stats, wd)
        return 0 if not ck.failed else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
