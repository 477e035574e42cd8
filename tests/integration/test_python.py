#!/usr/bin/python3
"""python3-libvirt against the daemon (must run under Debian's /usr/bin/python3)."""

import os
import sys
import threading
import time
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, check_eq, check_in,  # noqa: E402
                     external, parse_xml, dom_name, dom_xml, cleanup_domains, run, libvirt, QEMU_VERSION_NUM)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
names = []
L = libvirt


def finish():
    if external():
        cleanup_domains(d, names)
    d.close()


tap.at_end(finish)

NA = dom_name('pa')
UA = str(uuidlib.uuid4())
NB = dom_name('pb')
names += [NA, NB, dom_name('pev'), dom_name('exit'), dom_name('bad')]


def expect_error(fn, codes, what):
    try:
        fn()
    except L.libvirtError as e:
        check(e.get_error_code() in codes, '%s: error code %s (%s), want one of %s' % (
            what, e.get_error_code(), e.get_error_message(), codes))
        return e
    raise Failure('%s: no libvirtError raised' % what)


@tap.test('daemon starts', required=True)
def t_start():
    check(L is not None, 'python3-libvirt missing: run under /usr/bin/python3')
    d.start()


@tap.test('open / openReadOnly / connection info')
def t_open():
    c = d.conn()
    try:
        check_eq(c.getType(), 'QEMU', 'getType')
        check_eq(c.getVersion(), QEMU_VERSION_NUM, 'getVersion (installed QEMU)')
        check_eq(c.getLibVersion(), 9000000, 'getLibVersion')
        import socket
        check(c.getHostname() in (socket.gethostname(), socket.getfqdn()), 'getHostname %r' % c.getHostname())
        check_eq(c.getURI(), d.uri, 'getURI')
        check_eq(c.isAlive(), 1, 'isAlive')
        check_eq(c.isSecure(), 1, 'isSecure (UNIX socket)')
        info = c.getInfo()
        check_eq(len(info), 8, 'getInfo length')
        check_eq(info[0], 'x86_64', 'getInfo model')
        check_eq(info[2], len(os.sched_getaffinity(0)), 'getInfo cpus vs nproc')
        check(info[1] > 0, 'getInfo memory MiB %r' % info[1])
        caps = parse_xml(c.getCapabilities(), 'getCapabilities')
        check(caps.find('host') is not None, 'caps without <host>')
        check(any(g.findtext('os_type') == 'hvm' for g in caps.findall('guest')), 'no hvm guest')
        check(c.getMaxVcpus('qemu') >= 1, 'getMaxVcpus')
    finally:
        check_eq(c.close(), 0, 'close() return')
    r = d.conn_ro()
    try:
        check_eq(r.getType(), 'QEMU', 'ro getType')
        check_eq(r.getLibVersion(), 9000000, 'ro getLibVersion')
        r.listAllDomains(0)
    finally:
        r.close()


@tap.test('defineXML / defineXMLFlags(VALIDATE) / lookups')
def t_define():
    c = d.conn()
    try:
        dom = c.defineXML(dom_xml(NA, UA, memory_kib=262144, current_kib=131072, vcpus=2))
        check_eq(dom.name(), NA, 'name')
        check_eq(dom.UUIDString(), UA, 'UUIDString')
        check_eq(dom.ID(), -1, 'ID of an inactive domain')
        check_eq(c.lookupByName(NA).UUIDString(), UA, 'lookupByName')
        check_eq(c.lookupByUUIDString(UA).name(), NA, 'lookupByUUIDString')
        check_eq(c.lookupByUUID(uuidlib.UUID(UA).bytes).name(), NA, 'lookupByUUID')
        check_eq(dom.UUID(), uuidlib.UUID(UA).bytes, 'UUID() bytes')
        domb = c.defineXMLFlags(dom_xml(NB), L.VIR_DOMAIN_DEFINE_VALIDATE)
        check_eq(domb.name(), NB, 'defineXMLFlags name')
        check_eq(c.lookupByName(NB).name(), NB, 'lookup of defineXMLFlags domain')
    finally:
        c.close()


@tap.test('info / state / isActive / isPersistent / isUpdated / hasManagedSaveImage / OSType')
def t_info():
    c = d.conn()
    try:
        dom = c.lookupByName(NA)
        info = dom.info()
        check_eq(info[0], L.VIR_DOMAIN_SHUTOFF, 'info state')
        check_eq(info[1], 262144, 'info maxMem')
        check_eq(info[2], 131072, 'info memory')
        check_eq(info[3], 2, 'info nrVirtCpu')
        check_eq(info[4], 0, 'info cpuTime')
        st = dom.state()
        check_eq(st[0], L.VIR_DOMAIN_SHUTOFF, 'state')
        check_eq(dom.isActive(), 0, 'isActive')
        check_eq(dom.isPersistent(), 1, 'isPersistent')
        check_eq(dom.isUpdated(), 0, 'isUpdated')
        check_eq(dom.hasManagedSaveImage(0), 0, 'hasManagedSaveImage')
        check_eq(dom.OSType(), 'hvm', 'OSType')
        check_eq(dom.maxMemory(), 262144, 'maxMemory')
    finally:
        c.close()


@tap.test('XMLDesc flags')
def t_xmldesc():
    c = d.conn()
    try:
        dom = c.lookupByName(NA)
        x0 = dom.XMLDesc(0)
        root = parse_xml(x0)
        check_eq(root.findtext('name'), NA, 'name')
        check_eq(root.findtext('uuid'), UA, 'uuid')
        check_eq(dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE), x0, 'INACTIVE of an inactive domain')
        xs = dom.XMLDesc(L.VIR_DOMAIN_XML_SECURE)
        check_eq(parse_xml(xs).findtext('uuid'), UA, 'SECURE uuid')
        xm = dom.XMLDesc(L.VIR_DOMAIN_XML_MIGRATABLE)
        check_eq(parse_xml(xm).findtext('name'), NA, 'MIGRATABLE name')
        # round trip
        c.defineXML(x0)
        check_eq(c.lookupByName(NA).XMLDesc(0), x0, 'define(XMLDesc) round trip')
        expect_error(lambda: dom.XMLDesc(1 << 20), (L.VIR_ERR_INVALID_ARG,), 'unknown XMLDesc flag')
    finally:
        c.close()


@tap.test('listAllDomains flag combinations')
def t_listall():
    c = d.conn()
    try:
        c.lookupByName(NB).setAutostart(1)

        def names_for(flags):
            return {x.name() for x in c.listAllDomains(flags)} & {NA, NB}
        F = L
        check_eq(names_for(0), {NA, NB}, 'flags 0')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_ACTIVE), set(), 'ACTIVE')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_INACTIVE), {NA, NB}, 'INACTIVE')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_ACTIVE | F.VIR_CONNECT_LIST_DOMAINS_INACTIVE),
                 {NA, NB}, 'ACTIVE|INACTIVE')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_PERSISTENT), {NA, NB}, 'PERSISTENT')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_TRANSIENT), set(), 'TRANSIENT')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_AUTOSTART), {NB}, 'AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART), {NA}, 'NO_AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_INACTIVE | F.VIR_CONNECT_LIST_DOMAINS_AUTOSTART),
                 {NB}, 'INACTIVE|AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_ACTIVE | F.VIR_CONNECT_LIST_DOMAINS_AUTOSTART),
                 set(), 'ACTIVE|AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_SHUTOFF), {NA, NB}, 'SHUTOFF')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_RUNNING), set(), 'RUNNING')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_PERSISTENT | F.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART),
                 {NA}, 'PERSISTENT|NO_AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_AUTOSTART | F.VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART),
                 {NA, NB}, 'AUTOSTART|NO_AUTOSTART')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE), {NA, NB}, 'NO_MANAGEDSAVE')
        check_eq(names_for(F.VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT), set(), 'HAS_SNAPSHOT')
    finally:
        c.close()


@tap.test('autostart / setAutostart')
def t_autostart():
    c = d.conn()
    try:
        dom = c.lookupByName(NA)
        check_eq(dom.autostart(), 0, 'initial autostart')
        dom.setAutostart(1)
        check_eq(c.lookupByName(NA).autostart(), 1, 'after setAutostart(1)')
        dom.setAutostart(0)
        check_eq(c.lookupByName(NA).autostart(), 0, 'after setAutostart(0)')
    finally:
        c.close()


@tap.test('metadata / setMetadata')
def t_metadata():
    c = d.conn()
    try:
        dom = c.lookupByName(NA)
        D, T, E = L.VIR_DOMAIN_METADATA_DESCRIPTION, L.VIR_DOMAIN_METADATA_TITLE, L.VIR_DOMAIN_METADATA_ELEMENT
        cfg = L.VIR_DOMAIN_AFFECT_CONFIG
        expect_error(lambda: dom.metadata(D, None, cfg), (L.VIR_ERR_NO_DOMAIN_METADATA,), 'no description')
        dom.setMetadata(D, 'a description', None, None, cfg)
        dom.setMetadata(T, 'a title', None, None, cfg)
        check_eq(dom.metadata(D, None, cfg), 'a description', 'description')
        check_eq(dom.metadata(T, None, cfg), 'a title', 'title')
        dom.setMetadata(E, '<app xmlns:x="urn:x"><v>1</v></app>', 'app', 'http://example.org/app', cfg)
        got = dom.metadata(E, 'http://example.org/app', cfg)
        r = parse_xml(got, 'metadata element')
        check_eq(r.tag, 'app', 'metadata element tag')
        check_eq(r.findtext('v'), '1', 'metadata element content')
        expect_error(lambda: dom.metadata(E, 'http://example.org/other', cfg),
                     (L.VIR_ERR_NO_DOMAIN_METADATA,), 'absent namespace')
        x = c.lookupByName(NA).XMLDesc(L.VIR_DOMAIN_XML_INACTIVE)
        check_in('http://example.org/app', x, 'XML has the metadata namespace')
        dom.setMetadata(E, None, None, 'http://example.org/app', cfg)
        expect_error(lambda: dom.metadata(E, 'http://example.org/app', cfg),
                     (L.VIR_ERR_NO_DOMAIN_METADATA,), 'removed element')
        dom.setMetadata(D, '', None, None, cfg)
        expect_error(lambda: dom.metadata(D, None, cfg), (L.VIR_ERR_NO_DOMAIN_METADATA,), 'cleared description')
    finally:
        c.close()


@tap.test('legacy numOfDomains / listDomainsID / numOfDefinedDomains / listDefinedDomains')
def t_legacy():
    c = d.conn()
    try:
        ids = c.listDomainsID()
        check_eq(c.numOfDomains(), len(ids), 'numOfDomains vs listDomainsID')
        defined = c.listDefinedDomains()
        check(NA in defined and NB in defined, 'listDefinedDomains %r' % defined)
        check_eq(c.numOfDefinedDomains(), len(defined), 'numOfDefinedDomains vs listDefinedDomains')
        allnames = {x.name() for x in c.listAllDomains(L.VIR_CONNECT_LIST_DOMAINS_INACTIVE)}
        check_eq(set(defined), allnames, 'listDefinedDomains vs listAllDomains(INACTIVE)')
    finally:
        c.close()


@tap.test('errors: missing domain, bad XML, duplicate')
def t_errors():
    c = d.conn()
    try:
        e = expect_error(lambda: c.lookupByName(dom_name('nope')), (L.VIR_ERR_NO_DOMAIN,), 'lookupByName')
        check_in("Domain not found: no domain with matching name '%s'" % dom_name('nope'),
                 e.get_error_message(), 'message')
        expect_error(lambda: c.lookupByUUIDString(str(uuidlib.uuid4())), (L.VIR_ERR_NO_DOMAIN,), 'lookupByUUID')
        expect_error(lambda: c.lookupByID(999999), (L.VIR_ERR_NO_DOMAIN,), 'lookupByID')
        e = expect_error(lambda: c.defineXML('<domain type="qemu"><name>x</name'),
                         (L.VIR_ERR_XML_ERROR, L.VIR_ERR_XML_DETAIL), 'malformed XML')
        e = expect_error(lambda: c.defineXML(dom_xml(dom_name('bad')).replace('>131072<', '>nan<')),
                         (L.VIR_ERR_XML_ERROR, L.VIR_ERR_XML_DETAIL), 'bad value')
        e = expect_error(lambda: c.defineXMLFlags(dom_xml(dom_name('bad')).replace('<devices>', '<bogus/><devices>'),
                                                  L.VIR_DOMAIN_DEFINE_VALIDATE),
                         (L.VIR_ERR_XML_INVALID_SCHEMA,), 'schema-invalid with VALIDATE')
        check_in('XML document failed to validate against schema', e.get_error_message(), 'message')
        e = expect_error(lambda: c.defineXML(dom_xml(NA, str(uuidlib.uuid4()))),
                         (L.VIR_ERR_OPERATION_FAILED,), 'same name, new uuid')
        check_in(UA, e.get_error_message(), 'message names the existing uuid')
        check(dom_name('bad') not in c.listDefinedDomains(), 'bad domain defined')
    finally:
        c.close()


@tap.test('read-only connection refuses defineXML')
def t_ro():
    r = d.conn_ro()
    try:
        e = expect_error(lambda: r.defineXML(dom_xml(dom_name('bad'))), (L.VIR_ERR_OPERATION_DENIED,), 'ro defineXML')
        check_in('read only access', e.get_error_message(), 'message')
        dom = r.lookupByName(NA)
        check_eq(dom.name(), NA, 'ro lookup')
        expect_error(lambda: dom.undefine(), (L.VIR_ERR_OPERATION_DENIED,), 'ro undefine')
        expect_error(lambda: dom.setAutostart(1), (L.VIR_ERR_OPERATION_DENIED,), 'ro setAutostart')
    finally:
        r.close()


class EventLoop:
    _started = False

    @classmethod
    def ensure(cls):
        if not cls._started:
            L.virEventRegisterDefaultImpl()
            t = threading.Thread(target=cls._run, daemon=True)
            t.start()
            cls._started = True

    @staticmethod
    def _run():
        while True:
            L.virEventRunDefaultImpl()


@tap.test('domainEventRegisterAny lifecycle: DEFINED / UNDEFINED from another connection')
def t_events():
    EventLoop.ensure()
    n = dom_name('pev')
    got = []
    cond = threading.Condition()

    def cb(conn, dom, event, detail, opaque):
        with cond:
            got.append((dom.name(), event, detail, opaque))
            cond.notify_all()

    c = d.conn()
    other = d.conn()
    try:
        cid = c.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, 'tok')
        check(cid >= 0, 'callback id %r' % cid)
        other.defineXML(dom_xml(n))
        other.lookupByName(n).undefine()
        want = [(n, L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_ADDED, 'tok'),
                (n, L.VIR_DOMAIN_EVENT_UNDEFINED, L.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, 'tok')]
        deadline = time.monotonic() + 5
        with cond:
            while [g for g in got if g[0] == n] != want and time.monotonic() < deadline:
                cond.wait(0.1)
        check_eq([g for g in got if g[0] == n], want, 'events received')
        c.domainEventDeregisterAny(cid)
        # after deregistering, nothing more arrives
        other.defineXML(dom_xml(n)).undefine()
        time.sleep(0.5)
        check_eq(len([g for g in got if g[0] == n]), 2, 'events after deregister')
        expect_error(lambda: c.domainEventDeregisterAny(cid), (L.VIR_ERR_INVALID_ARG, L.VIR_ERR_RPC,
                                                                L.VIR_ERR_INTERNAL_ERROR),
                     'deregister twice')
    finally:
        other.close()
        c.close()


@tap.test('keepalive: an idle connection with setKeepAlive(1, 2) stays alive for 4 s')
def t_keepalive():
    EventLoop.ensure()
    c = d.conn()
    try:
        check_eq(c.setKeepAlive(1, 2), 0, 'setKeepAlive (daemon must support feature 10)')
        time.sleep(4)
        check_eq(c.isAlive(), 1, 'isAlive after 4 s idle')
        check_eq(c.getType(), 'QEMU', 'call after idle period')
    finally:
        c.close()


@tap.test('undefine and undefineFlags')
def t_undefine():
    c = d.conn()
    try:
        c.lookupByName(NA).undefine()
        expect_error(lambda: c.lookupByName(NA), (L.VIR_ERR_NO_DOMAIN,), 'after undefine')
        c.lookupByName(NB).undefineFlags(L.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | L.VIR_DOMAIN_UNDEFINE_NVRAM)
        expect_error(lambda: c.lookupByName(NB), (L.VIR_ERR_NO_DOMAIN,), 'after undefineFlags')
        check(NA not in c.listDefinedDomains() and NB not in c.listDefinedDomains(), 'still listed')
        # a stale handle: operations on it report NO_DOMAIN
        dom = c.defineXML(dom_xml(NA))
        dom.undefine()
        expect_error(lambda: dom.info(), (L.VIR_ERR_NO_DOMAIN,), 'info on an undefined domain')
        expect_error(lambda: dom.undefine(), (L.VIR_ERR_NO_DOMAIN,), 'undefine twice')
    finally:
        c.close()


@tap.test('large XML: a 1 MiB description round-trips; a 5 MiB one is refused cleanly')
def t_large():
    n = dom_name('big')
    names.append(n)
    c = d.conn()
    try:
        text = ('0123456789abcdef' * 65536)  # 1 MiB
        big = dom_xml(n).replace('<memory', '<description>%s</description>\n  <memory' % text, 1)
        dom = c.defineXML(big)
        check_eq(dom.metadata(L.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0), text, '1 MiB description')
        x = dom.XMLDesc(0)
        c.defineXML(x)
        check_eq(c.lookupByName(n).XMLDesc(0), x, 'round trip of a 1 MiB domain XML')
        huge = dom_xml(n).replace('<memory', '<description>%s</description>\n  <memory' % (text * 5), 1)
        try:
            c.defineXML(huge)
            raise Failure('a 5 MiB XML (over REMOTE_STRING_MAX) was accepted')
        except L.libvirtError as e:
            check(e.get_error_code() in (L.VIR_ERR_RPC, L.VIR_ERR_INTERNAL_ERROR, L.VIR_ERR_XML_ERROR,
                                         L.VIR_ERR_INVALID_ARG),
                  'error %d %s' % (e.get_error_code(), e.get_error_message()))
        # the client library may have dropped this connection; a new one must work
        c2 = d.conn()
        check_eq(c2.lookupByName(n).metadata(L.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0), text,
                 'description unchanged')
        c2.lookupByName(n).undefine()
        c2.close()
    finally:
        try:
            c.close()
        except L.libvirtError:
            pass


@tap.test('10 connections defining 10 domains each, concurrently')
def t_concurrent_define():
    errors = []
    created = [dom_name('cd%d-%d' % (k, i)) for k in range(10) for i in range(10)]
    names.extend(created)

    def worker(k):
        try:
            cc = d.conn()
            try:
                for i in range(10):
                    cc.defineXML(dom_xml(dom_name('cd%d-%d' % (k, i))))
            finally:
                cc.close()
        except Exception as e:
            errors.append('worker %d: %s' % (k, e))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(10)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(40)
    check(not errors, 'errors: %r' % errors[:5])
    c = d.conn()
    try:
        listed = {x.name() for x in c.listAllDomains(0)}
        missing = set(created) - listed
        check(not missing, 'missing after concurrent defines: %s' % sorted(missing)[:10])
        uuids = {c.lookupByName(n).UUIDString() for n in created}
        check_eq(len(uuids), len(created), 'distinct uuids')
        if not external():
            files = set(os.listdir(d.qemu_dir))
            check(all(n + '.xml' in files for n in created), 'definition files missing')
        for n in created:
            c.lookupByName(n).undefine()
    finally:
        c.close()


CHILD = r'''
import libvirt, sys, uuid
c = libvirt.open(sys.argv[1])
c.defineXML(sys.argv[2])
r = libvirt.openReadOnly(sys.argv[1])
r.listAllDomains(0)
if libvirt.virEventRegisterDefaultImpl() == 0:
    c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lambda *a: None, None)
print("done", flush=True)
# exit without close(): the daemon sees EOF only
import os
os._exit(0)
'''


@tap.test('a program exiting without close() leaves the daemon healthy')
def t_exit_without_close():
    n = dom_name('exit')
    for _ in range(3):
        rc, out, err = run(['/usr/bin/python3', '-c', CHILD, d.uri, dom_xml(n)], timeout=20)
        check_eq((rc, out.strip()), (0, 'done'), 'child (stderr %r)' % err)
        c = d.conn()
        c.lookupByName(n).undefine()
        c.close()
    c = d.conn()
    try:
        check_eq(c.getType(), 'QEMU', 'getType after abrupt exits')
    finally:
        c.close()
    check_in('Using API: QEMU', d.virsh_ok('version'), 'virsh after abrupt exits')


@tap.test('20 concurrent connections x 50 lookups')
def t_concurrent():
    c = d.conn()
    doms = [c.defineXML(dom_xml(dom_name('cc%02d' % i))) for i in range(5)]
    names.extend(dom_name('cc%02d' % i) for i in range(5))
    expected = {x.name(): x.UUIDString() for x in doms}
    errors = []
    counts = []

    def worker(k):
        try:
            cc = d.conn()
            try:
                n = 0
                keys = sorted(expected)
                for j in range(50):
                    name = keys[(j + k) % len(keys)]
                    if j % 2:
                        got = cc.lookupByName(name).UUIDString()
                        if got != expected[name]:
                            errors.append('worker %d: %s -> %s' % (k, name, got))
                    else:
                        got = cc.lookupByUUIDString(expected[name]).name()
                        if got != name:
                            errors.append('worker %d: %s -> %s' % (k, expected[name], got))
                    n += 1
                counts.append(n)
            finally:
                cc.close()
        except Exception as e:
            errors.append('worker %d: %s' % (k, e))

    try:
        ts = [threading.Thread(target=worker, args=(k,)) for k in range(20)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join(40)
        check(not any(t.is_alive() for t in ts), 'workers still running after 40s')
        check(not errors, 'errors: %r' % errors[:5])
        check_eq(sum(counts), 1000, 'lookups done')
        print('# 1000 lookups over 20 connections in %.2fs' % (time.monotonic() - t0))
    finally:
        for x in doms:
            x.undefine()
        c.close()


if __name__ == '__main__':
    tap.run()
