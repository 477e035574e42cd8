#!/usr/bin/python3
"""virsh domain definition commands: define/list/dominfo/dumpxml/autostart/undefine/metadata."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, check, check_eq, check_in,  # noqa: E402
                     external, parse_xml, dom_name, dom_xml, write_file, dominfo_fields,
                     list_rows, cleanup_domains, make_tempdir, shorten)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
work = make_tempdir('vireo-it-files-')
names = []


def finish():
    if external():
        cleanup_domains(d, names)
    d.close()


tap.at_end(finish)

N1 = dom_name('web')
U1 = 'a1b2c3d4-0000-4000-8000-%012x' % (os.getpid() & 0xffffffffffff)
N2 = dom_name('db')
names += [N1, N2, dom_name('bad'), dom_name('ro')]


def f(name, text):
    return write_file(work, name, text)


@tap.test('daemon starts', required=True)
def t_start():
    d.start()


@tap.test('define a domain file; list --all shows it shut off')
def t_define():
    p = f('d1.xml', dom_xml(N1, U1, memory_kib=262144, current_kib=131072, vcpus=2))
    out = d.virsh_ok('define', p)
    check_in("Domain '%s' defined from %s" % (N1, p), out, 'define output')
    rows = list_rows(d.virsh_ok('list', '--all'))
    check(('-', N1, 'shut off') in rows, 'list --all rows %r' % rows)
    rows = list_rows(d.virsh_ok('list'))
    check(all(r[1] != N1 for r in rows), 'inactive domain in plain list: %r' % rows)


@tap.test('dominfo fields')
def t_dominfo():
    fl = dominfo_fields(d.virsh_ok('dominfo', N1))
    want = {'Id': '-', 'Name': N1, 'UUID': U1, 'OS Type': 'hvm', 'State': 'shut off',
            'CPU(s)': '2', 'Max memory': '262144 KiB', 'Used memory': '131072 KiB',
            'Persistent': 'yes', 'Autostart': 'disable', 'Managed save': 'no'}
    bad = ['%s: got %r, want %r' % (k, fl.get(k), v) for k, v in want.items() if fl.get(k) != v]
    check(not bad, 'dominfo fields: ' + '; '.join(bad))


@tap.test('domuuid / domname / domid / domstate')
def t_ids():
    check_eq(d.virsh_ok('domuuid', N1).strip(), U1, 'domuuid')
    check_eq(d.virsh_ok('domname', U1).strip(), N1, 'domname by uuid')
    check_eq(d.virsh_ok('domid', N1).strip(), '-', 'domid of an inactive domain')
    check_eq(d.virsh_ok('domstate', N1).strip(), 'shut off', 'domstate')
    rc, out, err = d.virsh('domname', 'ffffffff-ffff-4fff-8fff-ffffffffffff')
    check_eq(rc, 1, 'domname of unknown uuid rc')
    check_in('error: failed to get domain', err, 'stderr')


@tap.test('dumpxml round trip: define(dumpxml) gives identical dumpxml')
def t_roundtrip():
    x1 = d.virsh_ok('dumpxml', N1)
    root = parse_xml(x1, 'dumpxml')
    check_eq(root.findtext('name'), N1, 'name')
    check_eq(root.findtext('uuid'), U1, 'uuid')
    check_eq(root.findtext('os/type'), 'hvm', 'os/type')
    check_eq(root.get('type'), 'qemu', 'domain type')
    check(root.find("devices/disk/target[@dev='vda']") is not None, 'disk vda lost: %s' % shorten(x1))
    check(root.find('devices/interface') is not None, 'interface lost')
    p = f('rt.xml', x1)
    d.virsh_ok('define', p)
    x2 = d.virsh_ok('dumpxml', N1)
    check_eq(x2, x1, 'dumpxml after redefining the dumped XML')
    x3 = d.virsh_ok('dumpxml', '--inactive', N1)
    check_eq(x3, x1, 'dumpxml --inactive of an inactive domain')
    x4 = d.virsh_ok('dumpxml', '--security-info', N1)
    check_eq(parse_xml(x4).findtext('uuid'), U1, 'dumpxml --security-info uuid')
    x5 = d.virsh_ok('dumpxml', '--inactive', '--security-info', N1)
    check_eq(x5, x4, 'dumpxml --inactive --security-info')
    p = f('rt2.xml', x4)
    d.virsh_ok('define', p)
    check_eq(d.virsh_ok('dumpxml', N1), x1, 'dumpxml after redefining the --security-info XML')


@tap.test('define --validate: schema-invalid file')
def t_validate_schema():
    bad = dom_xml(dom_name('bad')).replace('  <devices>', '  <bogus/>\n  <devices>')
    p = f('bad-schema.xml', bad)
    rc, out, err = d.virsh('define', '--validate', p)
    check_eq(rc, 1, 'rc')
    check_in('error: Failed to define domain from %s' % p, err, 'stderr')
    check_in('XML document failed to validate against schema', err, 'stderr')
    check_in('bogus', err, 'stderr should name the offending element')
    check(dom_name('bad') not in d.virsh_ok('list', '--all', '--name'), 'invalid domain got defined')


@tap.test('define --validate: well-formed schema-valid XML with an invalid value')
def t_validate_value():
    # vcpu current > maximum passes the RNG; the parser must refuse it.
    bad = dom_xml(dom_name('bad'), vcpus=2).replace('<vcpu>2</vcpu>', "<vcpu current='4'>2</vcpu>")
    p = f('bad-value.xml', bad)
    rc, out, err = d.virsh('define', '--validate', p)
    check_eq(rc, 1, 'rc')
    check_in('error: Failed to define domain from %s' % p, err, 'stderr')
    check('schema' not in err, 'schema passed it, the parser should report: %r' % err)
    check(re.search(r'vcpu', err, re.I), 'error does not mention vcpu: %r' % err)
    check(dom_name('bad') not in d.virsh_ok('list', '--all', '--name'), 'invalid domain got defined')


@tap.test('define (no --validate): invalid value reported by the parser')
def t_value_noval():
    bad = dom_xml(dom_name('bad')).replace('>131072</memory>', '>notanumber</memory>')
    p = f('bad-num.xml', bad)
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, 'rc')
    check_in('error: XML error:', err, 'stderr')
    check_in("'notanumber'", err, 'stderr')


@tap.test('define malformed XML: error names the line')
def t_malformed():
    p = f('malformed.xml', "<domain type='qemu'>\n  <name>x</name>\n  <memory>1</memory\n</domain>\n")
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, 'rc')
    check_in('error: Failed to define domain from %s' % p, err, 'stderr')
    check(re.search(r':4:', err), 'error does not name line 4: %r' % err)


@tap.test('autostart / autostart --disable')
def t_autostart():
    out = d.virsh_ok('autostart', N1)
    check_in("Domain '%s' marked as autostarted" % N1, out, 'autostart output')
    check_eq(dominfo_fields(d.virsh_ok('dominfo', N1)).get('Autostart'), 'enable', 'dominfo Autostart')
    check(N1 in d.virsh_ok('list', '--all', '--autostart', '--name').split(), 'not in --autostart list')
    check(N1 not in d.virsh_ok('list', '--all', '--no-autostart', '--name').split(), 'in --no-autostart list')
    if not external():
        check(os.path.lexists(d.path('etc', 'qemu', 'autostart', N1 + '.xml')), 'no autostart symlink')
    out = d.virsh_ok('autostart', '--disable', N1)
    check_in("Domain '%s' unmarked as autostarted" % N1, out, 'autostart --disable output')
    check_eq(dominfo_fields(d.virsh_ok('dominfo', N1)).get('Autostart'), 'disable', 'dominfo Autostart')
    check(N1 not in d.virsh_ok('list', '--all', '--autostart', '--name').split(), 'still in --autostart')
    check(N1 in d.virsh_ok('list', '--all', '--no-autostart', '--name').split(), 'not in --no-autostart')
    if not external():
        check(not os.path.lexists(d.path('etc', 'qemu', 'autostart', N1 + '.xml')), 'autostart symlink left')


@tap.test('list filters: --name, --inactive, --persistent, --no-autostart, --autostart')
def t_filters():
    d.virsh_ok('define', f('d2.xml', dom_xml(N2)))
    d.virsh_ok('autostart', N2)
    names_all = d.virsh_ok('list', '--all', '--name').split()
    check(N1 in names_all and N2 in names_all, '--all --name: %r' % names_all)
    check_eq(names_all, sorted(names_all), 'list --name is sorted')
    inactive = [r[1] for r in list_rows(d.virsh_ok('list', '--inactive'))]
    check(N1 in inactive and N2 in inactive, '--inactive: %r' % inactive)
    pers = d.virsh_ok('list', '--all', '--persistent', '--name').split()
    check(N1 in pers and N2 in pers, '--persistent: %r' % pers)
    trans = d.virsh_ok('list', '--all', '--transient', '--name').split()
    check(N1 not in trans and N2 not in trans, '--transient: %r' % trans)
    noauto = d.virsh_ok('list', '--all', '--no-autostart', '--name').split()
    check(N1 in noauto and N2 not in noauto, '--no-autostart: %r' % noauto)
    auto = d.virsh_ok('list', '--all', '--autostart', '--name').split()
    check(N2 in auto and N1 not in auto, '--autostart: %r' % auto)
    active = d.virsh_ok('list', '--name').split()
    check(N1 not in active and N2 not in active, 'plain list --name shows inactive: %r' % active)
    uuids = d.virsh_ok('list', '--all', '--uuid').split()
    check(U1 in uuids, '--uuid: %r' % uuids)


@tap.test('undefine removes the domain; undefine of a missing domain fails')
def t_undefine():
    out = d.virsh_ok('undefine', N2)
    check_in("Domain '%s' has been undefined" % N2, out, 'undefine output')
    check(N2 not in d.virsh_ok('list', '--all', '--name').split(), 'still listed')
    if not external():
        check(not os.path.exists(d.path('etc', 'qemu', N2 + '.xml')), 'definition file left behind')
        check(not os.path.lexists(d.path('etc', 'qemu', 'autostart', N2 + '.xml')), 'autostart link left')
    rc, out, err = d.virsh('undefine', N2)
    check_eq(rc, 1, 'rc')
    check_in("error: failed to get domain '%s'" % N2, err, 'stderr')
    rc, out, err = d.virsh('dominfo', N2)
    check_eq(rc, 1, 'dominfo rc')


@tap.test('redefine same name with another uuid is refused, naming the existing uuid')
def t_uuid_clash():
    p = f('clash.xml', dom_xml(N1, 'a1b2c3d4-ffff-4000-8000-000000000001'))
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, 'rc')
    check_in("domain '%s' already exists with uuid %s" % (N1, U1), err, 'stderr')
    check_eq(d.virsh_ok('domuuid', N1).strip(), U1, 'uuid unchanged')


@tap.test('redefine same uuid with another name is refused')
def t_name_clash():
    p = f('clash2.xml', dom_xml(dom_name('other'), U1))
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, 'rc (stdout %r)' % out)
    check_in(N1, err, 'stderr names the existing domain')
    check(dom_name('other') not in d.virsh_ok('list', '--all', '--name').split(), 'renamed copy defined')


@tap.test('desc / desc --title / metadata')
def t_desc():
    out = d.virsh_ok('desc', N1)
    check_in('No description for domain: %s' % N1, out, 'desc of a fresh domain')
    out = d.virsh_ok('desc', N1, '--config', 'hello world')
    check_in('Domain description updated successfully', out, 'desc set')
    check_eq(d.virsh_ok('desc', N1).strip(), 'hello world', 'desc get')
    out = d.virsh_ok('desc', '--title', N1, '--config', 'My Title')
    check_in('Domain title updated successfully', out, 'title set')
    check_eq(d.virsh_ok('desc', '--title', N1).strip(), 'My Title', 'title get')
    check_eq(d.virsh_ok('desc', N1).strip(), 'hello world', 'desc kept after title set')
    x = parse_xml(d.virsh_ok('dumpxml', N1))
    check_eq(x.findtext('title'), 'My Title', 'dumpxml <title>')
    check_eq(x.findtext('description'), 'hello world', 'dumpxml <description>')
    out = d.virsh_ok('metadata', N1, '--uri', 'http://example.org/it', '--key', 'it',
                     '--set', '<foo bar="1"/>', '--config')
    check_in('Metadata modified', out, 'metadata set')
    got = d.virsh_ok('metadata', N1, '--uri', 'http://example.org/it').strip()
    check_eq(got, '<foo bar="1"/>', 'metadata get')
    rc, out, err = d.virsh('metadata', N1, '--uri', 'http://example.org/none')
    check_eq(rc, 1, 'metadata get of an absent namespace rc')
    check_in('metadata not found', err.lower(), 'stderr')
    # metadata survives in the persistent XML, and round-trips
    x1 = d.virsh_ok('dumpxml', N1)
    check_in('http://example.org/it', x1, 'dumpxml has the metadata namespace')
    d.virsh_ok('define', f('rt3.xml', x1))
    check_eq(d.virsh_ok('dumpxml', N1), x1, 'round trip with title/description/metadata')
    out = d.virsh_ok('metadata', N1, '--uri', 'http://example.org/it', '--remove', '--config')
    rc, out, err = d.virsh('metadata', N1, '--uri', 'http://example.org/it')
    check_eq(rc, 1, 'metadata get after --remove rc')


@tap.test('read-only connection refuses define')
def t_ro_define():
    p = f('ro.xml', dom_xml(dom_name('ro')))
    rc, out, err = d.virsh('define', p, ro=True)
    check_eq(rc, 1, 'rc')
    check_in('read only access', err, 'stderr')
    check_in('operation forbidden', err, 'stderr')
    check(dom_name('ro') not in d.virsh_ok('list', '--all', '--name').split(), 'ro define succeeded')
    # reading works on the ro socket
    check_in(N1, d.virsh_ok('list', '--all', '--name', ro=True), 'ro list')
    rc, out, err = d.virsh('undefine', N1, ro=True)
    check_eq(rc, 1, 'ro undefine rc')
    check_in('read only access', err, 'ro undefine stderr')


@tap.test("odd names: space, UTF-8, '&' work; '/' and empty are refused")
def t_names():
    odd = [dom_name('sp ace ü-1'), dom_name('a&b<c>')]
    names.extend(odd)
    for i, n in enumerate(odd):
        esc = n.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
        p = f('odd%d.xml' % i, dom_xml('@@NAME@@').replace('@@NAME@@', esc))
        out = d.virsh_ok('define', p)
        check_in("Domain '%s' defined from" % n, out, 'define output')
        check(n in d.virsh_ok('list', '--all', '--name').splitlines(), '%r not listed' % n)
        check_eq(dominfo_fields(d.virsh_ok('dominfo', n)).get('Name'), n, 'dominfo Name')
        x = d.virsh_ok('dumpxml', n)
        check_eq(parse_xml(x).findtext('name'), n, 'dumpxml name')
        d.virsh_ok('define', f('odd%d-rt.xml' % i, x))
        check_eq(d.virsh_ok('dumpxml', n), x, 'round trip')
        check_eq(d.virsh_ok('domstate', '--reason', n).strip(), 'shut off (unknown)', 'domstate --reason')
        d.virsh_ok('undefine', n)
        check(n not in d.virsh_ok('list', '--all', '--name').splitlines(), '%r still listed' % n)
    p = f('slash.xml', dom_xml(dom_name('sl/ash')))
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, "rc for a name with '/'")
    check(re.search(r"contain '/'", err), "stderr does not say the name cannot contain '/': %r" % err)
    p = f('noname.xml', dom_xml('X').replace('<name>X</name>', '<name></name>'))
    rc, out, err = d.virsh('define', p)
    check_eq(rc, 1, 'rc for an empty name')
    check_in('missing name information', err, 'stderr')


@tap.test('list --title shows the title column')
def t_list_title():
    d.virsh_ok('desc', '--title', N1, '--config', 'Title For List')
    rows = [l for l in d.virsh_ok('list', '--all', '--title').splitlines() if N1 in l]
    check(len(rows) == 1 and rows[0].split()[-3:] == ['Title', 'For', 'List'], 'list --title rows %r' % rows)


@tap.test('many domains: define 20, list, undefine all')
def t_many():
    many = [dom_name('m%02d' % i) for i in range(20)]
    names.extend(many)
    for n in many:
        d.virsh_ok('define', f(n + '.xml', dom_xml(n)))
    listed = set(d.virsh_ok('list', '--all', '--name').split())
    check(set(many) <= listed, 'missing: %r' % sorted(set(many) - listed))
    for n in many:
        d.virsh_ok('undefine', n)
    listed = set(d.virsh_ok('list', '--all', '--name').split())
    check(not (set(many) & listed), 'left: %r' % sorted(set(many) & listed))


@tap.test('final undefine')
def t_final():
    d.virsh_ok('undefine', N1)
    check(N1 not in d.virsh_ok('list', '--all', '--name').split(), 'still listed')


if __name__ == '__main__':
    tap.run()
