#!/usr/bin/python3
"""kill -9 the daemon while a client defines domains; nothing acknowledged may be lost."""

import glob
import os
import random
import sys
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, check_eq,  # noqa: E402
                     require_own_daemon, parse_xml, dom_xml, libvirt)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
L = libvirt
tap.at_end(d.close)
SEED = int(os.environ.get('VIREO_TEST_SEED', str(int(time.time()))))
rnd = random.Random(SEED)
state = {'ok': {}, 'xml': {}, 'inputs': {}, 'attempted': set()}
ROUNDS = 5
PER_ROUND = 50


def define_loop(c, tag, acked, xmls, inputs, attempted, progress):
    for i in range(PER_ROUND):
        n = 'crash-%s-%02d' % (tag, i)
        x = dom_xml(n)
        attempted.add(n)
        inputs[n] = x
        try:
            c.defineXML(x)
        except L.libvirtError:
            return
        acked.add(n)
        progress.set()
        try:
            xmls[n] = c.lookupByName(n).XMLDesc(0)
        except L.libvirtError:
            return


def check_files():
    """Every *.xml in etc/qemu parses and is named after its domain."""
    names = set()
    for p in sorted(glob.glob(os.path.join(d.qemu_dir, '*.xml'))):
        with open(p, 'rb') as f:
            data = f.read()
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            raise Failure('%s is broken (%s): %r' % (p, e, data[:200]))
        n = root.findtext('name')
        check_eq(os.path.basename(p), '%s.xml' % n, 'file name vs <name>')
        names.add(n)
    leftovers = sorted(f for f in os.listdir(d.qemu_dir)
                       if not f.endswith('.xml') and f != 'autostart')
    if leftovers:
        print('# leftover files after kill -9 (must be ignored): %s' % leftovers, flush=True)
    return names


def one_round(r):
    require_own_daemon()
    if not d.alive():
        d.start()
    acked, xmls = set(), {}
    progress = threading.Event()
    c = d.conn()
    kill_after = rnd.randrange(1, PER_ROUND - 5)
    worker = threading.Thread(target=define_loop,
                              args=(c, 'r%d' % r, acked, xmls, state['inputs'], state['attempted'], progress))
    worker.start()
    deadline = time.monotonic() + 20
    while len(acked) < kill_after and worker.is_alive() and time.monotonic() < deadline:
        progress.wait(0.01)
        progress.clear()
    time.sleep(rnd.random() * 0.005)
    d.kill9()
    worker.join(20)
    check(not worker.is_alive(), 'define loop still blocked 20s after the kill')
    try:
        c.close()
    except L.libvirtError:
        pass
    print('# round %d (seed %d): kill after %d acks, %d acked, %d attempted in total' % (
        r, SEED, kill_after, len(acked), len(state['attempted'])), flush=True)
    check(len(acked) < PER_ROUND, 'the kill came after the whole loop; nothing was tested')
    state['ok'].update({n: True for n in acked})
    state['xml'].update(xmls)

    on_disk = check_files()
    d.start()
    c = d.conn()
    try:
        listed = {x.name() for x in c.listAllDomains(0)}
        missing = set(state['ok']) - listed
        check(not missing, 'acknowledged defines lost: %s' % sorted(missing))
        stray = listed - state['attempted']
        check(not stray, 'domains nobody defined: %s' % sorted(stray))
        check_eq(listed, on_disk, 'listed domains vs *.xml files on disk')
        for n, x in state['xml'].items():
            check_eq(c.lookupByName(n).XMLDesc(0), x, 'XML of %s after kill -9 + restart' % n)
        for n in listed - set(state['xml']):
            # acked (or in flight) but never dumped before the kill: check it against its input
            got = parse_xml(c.lookupByName(n).XMLDesc(0))
            want = ET.fromstring(state['inputs'][n])
            for path in ('name', 'uuid', 'memory', 'vcpu', 'os/type'):
                check_eq(got.findtext(path), want.findtext(path), '%s of %s' % (path, n))
            check_eq(got.find('devices/interface/mac').get('address'),
                     want.find('devices/interface/mac').get('address'), 'mac of %s' % n)
        # the daemon keeps working on this root
        c.defineXML(dom_xml('crash-probe')).undefine()
    finally:
        c.close()


for r in range(ROUNDS):
    tap.add('round %d: kill -9 during 50 defines, restart, nothing acknowledged lost' % r,
            lambda r=r: one_round(r))


@tap.test('leftover temp files in etc/qemu are ignored')
def t_tempfiles():
    require_own_daemon()
    d.stop()
    junk = {
        'it-tmp.xml.tmp': dom_xml('tmpjunk1'),
        'it-tmp2.xml.Xa9Qz1': dom_xml('tmpjunk2'),
        'it-tmp3.xml~': dom_xml('tmpjunk3'),
        'it-tmp4.xml.new': "<domain type='qemu'><name>tmpjunk4</na",
    }
    for fn, text in junk.items():
        with open(os.path.join(d.qemu_dir, fn), 'w') as f:
            f.write(text)
    d.start()
    c = d.conn()
    try:
        listed = {x.name() for x in c.listAllDomains(0)}
        check(not ({'tmpjunk1', 'tmpjunk2', 'tmpjunk3', 'tmpjunk4'} & listed),
              'temp files loaded as domains: %r' % sorted(listed & {'tmpjunk1', 'tmpjunk2', 'tmpjunk3'}))
        missing = set(state['ok']) - listed
        check(not missing, 'domains lost: %s' % sorted(missing))
        n = sorted(state['ok'])[0]
        c.lookupByName(n).undefine()
        check(not os.path.exists(os.path.join(d.qemu_dir, n + '.xml')), 'undefine left the file')
    finally:
        c.close()
    check_eq(d.stop(), 0, 'exit status')


if __name__ == '__main__':
    tap.run()
