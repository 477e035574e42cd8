#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Build the seed corpus of the fuzz-packet target.

usage: gen_packet_corpus.py PROTOCOL.x TRACES_DIR OUT_DIR [--check]

Reads the decoded protocol traces (protocol-traces/*.txt, one JSON payload
per packet), re-encodes each REMOTE packet whose procedure our .x knows with
an XDR encoder driven by the .x itself, and writes one file per distinct
(procedure, type, status, payload) plus the PROTOCOL.md hex examples and
truncated/garbled variants.

--check only compares every re-encoded packet length with the length the
trace recorded: a mismatch means a field order or type in our .x differs
from libvirt's wire format.

Run by hand when the .x grows; the corpus is committed.
"""

import hashlib
import json
import os
import re
import struct
import sys


# ---------------------------------------------------------------------------
# A small .x reader: consts, typedefs, structs, unions (int switch), enums.

class Decl:
    def __init__(self, base, name, kind='plain', bound=None):
        self.base = base      # type name ("int", "remote_nonnull_domain", ...)
        self.name = name
        self.kind = kind      # plain | fixed | var | optional
        self.bound = bound    # int for fixed / var


class Proto:
    def __init__(self, text):
        text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
        text = re.sub(r'^%[^\n]*', ' ', text, flags=re.M)
        self.consts = {}
        self.typedefs = {}
        self.structs = {}
        self.unions = {}
        self.procs = {}
        for m in re.finditer(r'\bconst\s+(\w+)\s*=\s*(0x[0-9a-fA-F]+|-?\d+)\s*;', text):
            self.consts[m.group(1)] = int(m.group(2), 0)
        for m in re.finditer(r'\btypedef\s+([^;]+);', text):
            d = self.decl(m.group(1))
            self.typedefs[d.name] = d
        for m in re.finditer(r'\bstruct\s+(\w+)\s*\{(.*?)\}\s*;', text, re.S):
            self.structs[m.group(1)] = [self.decl(f) for f in m.group(2).split(';') if f.strip()]
        for m in re.finditer(r'\bunion\s+(\w+)\s+switch\s*\(\s*int\s+(\w+)\s*\)\s*\{(.*?)\}\s*;',
                             text, re.S):
            arms = {}
            for am in re.finditer(r'case\s+(\w+)\s*:\s*([^;]+);', m.group(3)):
                arms[self.num(am.group(1))] = self.decl(am.group(2))
            self.unions[m.group(1)] = (m.group(2), arms)
        m = re.search(r'\benum\s+remote_procedure\s*\{(.*?)\}\s*;', text, re.S)
        for pm in re.finditer(r'REMOTE_PROC_(\w+)\s*=\s*(\d+)', m.group(1)):
            self.procs[int(pm.group(2))] = pm.group(1)

    def num(self, tok):
        tok = tok.strip()
        if tok in self.consts:
            return self.consts[tok]
        return int(tok, 0)

    def decl(self, s):
        s = ' '.join(s.split())
        m = re.fullmatch(r'(.+?)\s*(\*?)\s*(\w+)\s*(?:\[(\w+)\]|<(\w*)>)?', s)
        if not m:
            raise ValueError('cannot parse declaration %r' % s)
        base, star, name, fixed, var = m.groups()
        base = base.strip()
        if star:
            return Decl(base, name, 'optional')
        if fixed is not None:
            return Decl(base, name, 'fixed', self.num(fixed))
        if var is not None:
            return Decl(base, name, 'var', self.num(var) if var else 0xffffffff)
        return Decl(base, name)


def pad(b):
    return b + b'\0' * ((4 - len(b) % 4) % 4)


class Encoder:
    def __init__(self, proto):
        self.p = proto

    def prim(self, base, v):
        if base in ('int', 'char', 'short', 'bool', 'enum'):
            return struct.pack('>i', v)
        if base in ('unsigned int', 'unsigned char', 'unsigned short', 'unsigned'):
            return struct.pack('>I', v)
        if base == 'hyper':
            return struct.pack('>q', v)
        if base == 'unsigned hyper':
            return struct.pack('>Q', v)
        if base == 'double':
            return struct.pack('>d', v)
        return None

    def decl(self, d, v):
        if d.base == 'string':
            b = v.encode('utf-8') if isinstance(v, str) else bytes(v)
            assert len(b) <= d.bound
            return struct.pack('>I', len(b)) + pad(b)
        if d.base == 'opaque':
            b = bytes.fromhex(v) if isinstance(v, str) else bytes(v)
            if d.kind == 'fixed':
                assert len(b) == d.bound, (d.name, len(b))
                return pad(b)
            assert len(b) <= d.bound
            return struct.pack('>I', len(b)) + pad(b)
        if d.kind == 'optional':
            if v is None:
                return struct.pack('>I', 0)
            return struct.pack('>I', 1) + self.typ(d.base, v)
        if d.kind == 'fixed':
            assert len(v) == d.bound
            return b''.join(self.typ(d.base, e) for e in v)
        if d.kind == 'var':
            assert len(v) <= d.bound
            return struct.pack('>I', len(v)) + b''.join(self.typ(d.base, e) for e in v)
        return self.typ(d.base, v)

    def typ(self, name, v):
        b = self.prim(name, v)
        if b is not None:
            return b
        if name in self.p.typedefs:
            return self.decl(self.p.typedefs[name], v)
        if name in self.p.structs:
            return b''.join(self.decl(f, v[f.name]) for f in self.p.structs[name])
        if name in self.p.unions:
            disc, arms = self.p.unions[name]
            arm = arms[v[disc]]
            return struct.pack('>i', v[disc]) + self.decl(arm, v[arm.name])
        raise KeyError('unknown type %s' % name)


# ---------------------------------------------------------------------------

TYPES = {'CALL': 0, 'REPLY': 1, 'MESSAGE': 2, 'STREAM': 3,
         'CALL_WITH_FDS': 4, 'REPLY_WITH_FDS': 5, 'STREAM_HOLE': 6}
STATUS = {'OK': 0, 'ERROR': 1, 'CONTINUE': 2}
LINE = re.compile(r'^\s*[\d.]+\s+c\d+\s+(C->S|S->C)\s+0x([0-9a-f]+)\s+v(\d+)\s+\S+\((\d+)\)\s+'
                  r'(\w+)\s+ser=(\d+)\s+(\w+)\s+len=(\d+)')


def header(length, prog, vers, proc, typ, serial, status):
    return struct.pack('>IIIiiIi', length, prog, vers, proc, typ, serial, status)


def packets_from_traces(proto, tdir):
    enc = Encoder(proto)
    out = []       # (name, bytes, recorded_len)
    for fn in sorted(os.listdir(tdir)):
        if not fn.startswith('trace_') or not fn.endswith('.txt'):
            continue
        lines = open(os.path.join(tdir, fn), encoding='utf-8', errors='replace').read().split('\n')
        for i, line in enumerate(lines):
            m = LINE.match(line)
            if not m:
                continue
            _dir, prog, vers, proc, typ, serial, status, length = m.groups()
            prog, vers, proc, serial, length = (int(prog, 16), int(vers), int(proc),
                                                int(serial), int(length))
            typ, status = TYPES[typ], STATUS[status]
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ''
            if prog != 0x20008086:
                if length == 28:
                    out.append(('%s-%d' % (fn, i), header(28, prog, vers, proc, typ, serial, status), 28))
                continue
            if typ in (3, 6):
                continue        # stream data: bytes not recorded
            pname = proto.procs.get(proc)
            if status == 1 and typ in (1, 5):
                sname, key = 'remote_error', 'error='
            elif typ in (0, 4):
                sname, key = 'remote_%s_args' % (pname or '').lower(), 'args='
            elif typ == 2:
                sname, key = 'remote_%s_msg' % (pname or '').lower(), 'msg='
            else:
                sname, key = 'remote_%s_ret' % (pname or '').lower(), 'ret='
            if pname is None and sname != 'remote_error':
                continue
            payload = None
            for k in ('args=', 'ret=', 'msg=', 'error='):
                if nxt.startswith(k):
                    text = nxt[len(k):]
                    if text.endswith('...'):
                        break
                    try:
                        payload = json.loads(text)
                    except ValueError:
                        payload = ...
                    if k == 'error=':
                        sname = 'remote_error'
                    break
            if payload is ... or (payload is None and nxt.startswith(key) is False
                                   and not nxt.startswith(('args=', 'ret=', 'msg=', 'error='))):
                continue
            if payload is None:
                if sname in proto.structs:
                    continue    # truncated or missing payload for a non-void type
                body = b''
            else:
                if sname not in proto.structs:
                    continue
                body = enc.typ(sname, payload)
            if typ in (4, 5):
                body = struct.pack('>I', 0) + body
            pkt = header(28 + len(body), prog, vers, proc, typ, serial, status) + body
            out.append(('%s-%d' % (fn, i), pkt, length))
    return out


PROTOCOL_EXAMPLES = {
    'example-auth-list-call': '0000001c 20008086 00000001 00000042 00000000 00000000 00000000',
    'example-auth-list-reply': '00000024 20008086 00000001 00000042 00000001 00000000 00000000 00000001 00000000',
    'example-supports-feature-call': '00000020 20008086 00000001 0000003c 00000000 00000001 00000000 0000000a',
    'example-supports-feature-reply': '00000020 20008086 00000001 0000003c 00000001 00000001 00000000 00000001',
    'example-connect-open-call': '00000038 20008086 00000001 00000001 00000000 00000002 00000000 '
                                 '00000001 0000000e 71656d753a2f2f2f73797374656d0000 00000000',
    'example-connect-open-reply': '0000001c 20008086 00000001 00000001 00000001 00000002 00000000',
    'example-lookup-by-name-call': '00000024 20008086 00000001 00000017 00000000 0000000d 00000000 00000004 74657374',
    'example-lookup-by-name-reply': '00000038 20008086 00000001 00000017 00000001 0000000d 00000000 '
                                    '00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001',
    'example-lifecycle-event': '00000044 20008086 00000001 0000013e 00000002 00000001 00000000 00000000 '
                               '00000003 766d3100 00112233445566778899aabbccddeeff ffffffff 00000000 00000000',
    'example-keepalive-ping': '0000001c 6b656570 00000001 00000001 00000002 00000000 00000000',
    'example-console-stream': '00000022 20008086 00000001 000000c9 00000003 00000008 00000002 68656c6c6f0d',
}


def error_example():
    def s(t):
        b = t.encode()
        return struct.pack('>II', 1, len(b)) + pad(b)
    body = (struct.pack('>ii', 3, 18)
            + s('this function is not supported by the connection driver: virStorageVolResize')
            + struct.pack('>ii', 2, 0)
            + s('this function is not supported by the connection driver: %s')
            + s('virStorageVolResize')
            + struct.pack('>iiii', 0, -1, -1, 0))
    return header(28 + len(body), 0x20008086, 1, 260, 1, 56, 1) + body


def variants(pkt):
    """Truncated and garbled forms of one packet."""
    out = []
    if len(pkt) > 32:
        cut = pkt[:len(pkt) - 5]
        out.append(('trunc', cut))                                  # length word lies
        out.append(('trunc-fixed', struct.pack('>I', len(cut)) + cut[4:]))   # honest length
    big = bytearray(pkt)
    if len(big) >= 32:
        big[28:32] = b'\xff\xff\xff\xf0'                           # huge first count/length
        out.append(('hugecount', bytes(big)))
    extra = pkt + b'\0\0\0\0'
    out.append(('trailing', struct.pack('>I', len(extra)) + extra[4:]))
    return out


def main(argv):
    check = '--check' in argv
    args = [a for a in argv[1:] if a != '--check']
    if len(args) != 3:
        raise SystemExit(__doc__)
    proto = Proto(open(args[0], encoding='utf-8').read())
    pkts = packets_from_traces(proto, args[1])
    bad = [(n, len(p), l) for n, p, l in pkts if len(p) != l]
    print('%d packets re-encoded from traces, %d length mismatches' % (len(pkts), len(bad)))
    for n, got, want in bad[:20]:
        print('  MISMATCH %s: encoded %d, trace says %d' % (n, got, want))
    if check:
        return 1 if bad else 0
    os.makedirs(args[2], exist_ok=True)
    corpus = {}
    for name, hexs in PROTOCOL_EXAMPLES.items():
        corpus[name] = bytes.fromhex(hexs.replace(' ', ''))
    corpus['example-error-reply'] = error_example()
    # At most two distinct payloads per (program, procedure, type, status),
    # the smallest first, none over 16 KiB: libFuzzer mutates small seeds best.
    groups = {}
    for name, pkt, length in pkts:
        if len(pkt) != length or len(pkt) > 16384:
            continue
        groups.setdefault(pkt[4:8] + pkt[12:20] + pkt[24:28], set()).add(pkt)
    for key in sorted(groups):
        for pkt in sorted(groups[key], key=lambda p: (len(p), p))[:2]:
            proc = struct.unpack('>i', pkt[12:16])[0]
            typ = struct.unpack('>i', pkt[16:20])[0]
            if pkt[4:8] == b'\x20\x00\x80\x86':
                pname = proto.procs.get(proc, str(proc)).lower()
            else:
                pname = 'keepalive'
            h = hashlib.sha1(pkt).hexdigest()[:8]
            corpus['trace-%s-%d-%s' % (pname, typ, h)] = pkt
    for name in sorted(n for n in corpus if n.startswith('example-')):
        for vname, v in variants(corpus[name]):
            corpus['%s-%s' % (name, vname)] = v
    for name, data in sorted(corpus.items()):
        with open(os.path.join(args[2], name), 'wb') as f:
            f.write(data)
    print('%d corpus files written to %s' % (len(corpus), args[2]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
