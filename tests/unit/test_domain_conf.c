/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for lib/conf/domain_conf: memory units, MAC addresses, disk
 * names, metadata get/set, copy, validation of edited definitions.
 * Whole-document behaviour is covered by tests/golden/domain.
 */
#include <glib.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "conf/domain_conf_priv.h"
#include "conf/domain_validate.h"
#include "conf/vireo_mac.h"
#include "util/vireo_error.h"
#include "util/vireo_log.h"

static const char *const base_xml =
    "<domain type='kvm'>\n"
    "  <name>unit</name>\n"
    "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
    "  <memory unit='MiB'>1024</memory>\n"
    "  <vcpu current='2'>4</vcpu>\n"
    "  <os><type>hvm</type></os>\n"
    "  <devices>\n"
    "    <interface type='network'>\n"
    "      <mac address='52:54:00:00:00:01'/>\n"
    "      <source network='default'/>\n"
    "    </interface>\n"
    "    <graphics type='vnc' passwd='hunter2'/>\n"
    "  </devices>\n"
    "</domain>\n";

static VireoDomainDef *
parse_base(void)
{
    VireoDomainDef *def = vireo_domain_def_parse_string(base_xml, VIREO_DOMAIN_PARSE_INACTIVE);

    if (!def)
        g_error("base XML failed to parse: %s", vireo_error_last()->message);
    return def;
}

/* ---- memory units ----------------------------------------------------- */

static void
test_memory_units(void)
{
    static const struct {
        const char *value;
        const char *unit;
        unsigned long long kib;
    } ok[] = {
        { "1024", NULL, 1024 },
        { "1024", "", 1024 },
        { "2048", "k", 2048 },
        { "2048", "KiB", 2048 },
        { "1000", "KB", 977 },            /* 1,000,000 bytes rounded up */
        { "1", "b", 1 },                  /* any byte count rounds up to 1 KiB */
        { "1024", "bytes", 1 },
        { "1025", "byte", 2 },
        { "1", "M", 1024 },
        { "1", "MiB", 1024 },
        { "1", "mib", 1024 },
        { "1", "MB", 977 },
        { "1", "G", 1048576 },
        { "4", "GiB", 4194304 },
        { "1", "GB", 976563 },
        { "1", "T", 1073741824ULL },
        { "1", "TiB", 1073741824ULL },
        { "1", "TB", 976562500ULL },
        { "1", "P", 1099511627776ULL },
        { "0", "GiB", 0 },
        { " 512 ", "MiB", 524288 },
    };
    static const struct {
        const char *value;
        const char *unit;
        const char *fragment;
    } bad[] = {
        { "1", "kilobytes", "unknown unit 'kilobytes'" },
        { "1", "Q", "unknown unit 'Q'" },
        { "1", "GiBB", "unknown unit 'GiBB'" },
        { "-1", "MiB", "invalid value '-1'" },
        { "1.5", "GiB", "invalid value '1.5'" },
        { "", "GiB", "invalid value ''" },
        { "0x10", NULL, "invalid value '0x10'" },
        { "20", "EiB", "too large" },
        { "99999999999999999999", "b", "invalid value" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        unsigned long long kib = 12345;

        if (vireo_domain_parse_memory_kib(ok[i].value, ok[i].unit, "<memory>", &kib) < 0)
            g_error("'%s' '%s' rejected: %s", ok[i].value, ok[i].unit,
                    vireo_error_last()->message);
        g_assert_cmpuint(kib, ==, ok[i].kib);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        unsigned long long kib = 12345;

        vireo_error_reset();
        g_assert_cmpint(vireo_domain_parse_memory_kib(bad[i].value, bad[i].unit,
                                                      "<memory>", &kib), ==, -1);
        g_assert_cmpuint(kib, ==, 12345);
        g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_ERROR);
        g_assert_nonnull(strstr(vireo_error_last()->message, bad[i].fragment));
        g_assert_true(g_str_has_prefix(vireo_error_last()->message, "XML error: "));
    }
}

/* ---- MAC addresses ---------------------------------------------------- */

static void
test_mac_parse_format(void)
{
    VireoMac mac;
    VireoMac untouched = { { 1, 2, 3, 4, 5, 6 } };
    char buf[VIREO_MAC_STRING_BUFLEN];
    static const char *const bad[] = {
        "", "52:54:00:00:00", "52:54:00:00:00:00:00", "52-54-00-00-00-00",
        "52:54:00:00:00:0g", "525:4:00:00:00:00", "52:54::00:00:00",
        "52:54:00:00:00:00x", NULL,
    };
    size_t i;

    g_assert_true(vireo_mac_parse("52:54:00:AB:cd:0F", &mac));
    g_assert_cmpstr(vireo_mac_format(&mac, buf), ==, "52:54:00:ab:cd:0f");
    g_assert_true(vireo_mac_parse("2:4:0:a:b:c", &mac));
    g_assert_cmpstr(vireo_mac_format(&mac, buf), ==, "02:04:00:0a:0b:0c");
    g_assert_true(vireo_mac_parse("52:54:00:00:00:01 \n", &mac));
    g_assert_cmpstr(vireo_mac_format(&mac, buf), ==, "52:54:00:00:00:01");

    for (i = 0; bad[i]; i++) {
        mac = untouched;
        g_assert_false(vireo_mac_parse(bad[i], &mac));
        g_assert_true(vireo_mac_equal(&mac, &untouched));
    }
    g_assert_false(vireo_mac_parse(NULL, &mac));

    g_assert_true(vireo_mac_parse("01:00:5e:00:00:01", &mac));
    g_assert_true(vireo_mac_is_multicast(&mac));
    g_assert_true(vireo_mac_parse("52:54:00:00:00:01", &mac));
    g_assert_false(vireo_mac_is_multicast(&mac));
}

static void
test_mac_generate(void)
{
    VireoMac seen[64];
    size_t i, j, dups = 0;

    for (i = 0; i < G_N_ELEMENTS(seen); i++) {
        char buf[VIREO_MAC_STRING_BUFLEN];

        vireo_mac_generate_qemu(&seen[i]);
        g_assert_true(g_str_has_prefix(vireo_mac_format(&seen[i], buf), "52:54:00:"));
        g_assert_false(vireo_mac_is_multicast(&seen[i]));
        for (j = 0; j < i; j++)
            dups += vireo_mac_equal(&seen[i], &seen[j]);
    }
    /* 64 draws from 2^24: a collision is ~1e-4 likely, two are a bug */
    g_assert_cmpuint(dups, <=, 1);
}

static void
test_mac_parse_in_domain(void)
{
    g_autoptr(VireoDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    char buf[VIREO_MAC_STRING_BUFLEN];

    def = vireo_domain_def_parse_string(
        "<domain type='qemu'><name>m</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices><interface type='user'/><interface type='user'>"
        "<mac address='52:54:00:FF:00:01'/></interface></devices></domain>",
        VIREO_DOMAIN_PARSE_INACTIVE);
    g_assert_nonnull(def);
    g_assert_cmpuint(def->nnets, ==, 2);
    g_assert_true(def->nets[0]->mac_generated);
    g_assert_true(g_str_has_prefix(vireo_mac_format(&def->nets[0]->mac, buf), "52:54:00:"));
    g_assert_false(def->nets[1]->mac_generated);
    g_assert_cmpstr(vireo_mac_format(&def->nets[1]->mac, buf), ==, "52:54:00:ff:00:01");
    /* the generated MAC is part of the definition from now on */
    xml = vireo_domain_def_format(def, -1, VIREO_DOMAIN_FORMAT_INACTIVE);
    g_assert_nonnull(strstr(xml, vireo_mac_format(&def->nets[0]->mac, buf)));
}

/* ---- disk names ------------------------------------------------------- */

static void
test_disk_name_index(void)
{
    static const struct { const char *name; int idx; } cases[] = {
        { "vda", 0 }, { "vdb", 1 }, { "sdz", 25 }, { "sdaa", 26 }, { "sdab", 27 },
        { "sdba", 52 }, { "hdc", 2 }, { "fdb", 1 }, { "xvdc", 2 }, { "ubda", 0 },
        { "vda1", 0 }, { "vd", -1 }, { "disk0", -1 }, { "vdA", -1 }, { "vda1x", -1 },
        { "", -1 }, { NULL, -1 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(vireo_domain_disk_name_to_index(cases[i].name), ==, cases[i].idx);
}

/* ---- metadata --------------------------------------------------------- */

static void
assert_no_metadata(const VireoDomainDef *def, int type, const char *uri)
{
    g_autofree char *val = NULL;

    vireo_error_reset();
    val = vireo_domain_def_get_metadata(def, type, uri);
    g_assert_null(val);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_NO_DOMAIN_METADATA);
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "metadata not found: Requested metadata element is not present");
}

static void
test_metadata_title_description(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autofree char *title = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *xml = NULL;

    assert_no_metadata(def, VIR_DOMAIN_METADATA_TITLE, NULL);
    assert_no_metadata(def, VIR_DOMAIN_METADATA_DESCRIPTION, NULL);

    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_TITLE,
                                                  "Web & mail", NULL, NULL), ==, 0);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_DESCRIPTION,
                                                  "multi\nline", NULL, NULL), ==, 0);
    title = vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_TITLE, NULL);
    desc = vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_DESCRIPTION, NULL);
    g_assert_cmpstr(title, ==, "Web & mail");
    g_assert_cmpstr(desc, ==, "multi\nline");
    xml = vireo_domain_def_format(def, -1, 0);
    g_assert_nonnull(strstr(xml, "  <title>Web &amp; mail</title>\n"
                                 "  <description>multi\nline</description>\n"));

    /* newlines are refused in titles, and the old title stays */
    vireo_error_reset();
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_TITLE,
                                                  "a\nb", NULL, NULL), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpstr(def->title, ==, "Web & mail");

    /* key/uri make no sense for these types */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_TITLE,
                                                  "x", "k", NULL), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);

    /* NULL and "" both remove */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_TITLE,
                                                  NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_DESCRIPTION,
                                                  "", NULL, NULL), ==, 0);
    assert_no_metadata(def, VIR_DOMAIN_METADATA_TITLE, NULL);
    assert_no_metadata(def, VIR_DOMAIN_METADATA_DESCRIPTION, NULL);

    vireo_error_reset();
    g_assert_null(vireo_domain_def_get_metadata(def, 42, NULL));
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
}

static void
test_metadata_element(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autoptr(VireoDomainDef) reparsed = NULL;
    g_autofree char *got = NULL;
    g_autofree char *got2 = NULL;
    g_autofree char *other = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    const char *uri = "http://example.org/app/1";

    assert_no_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, uri);

    /* the element is moved into the caller's namespace, whatever it said */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<foo a='1'><bar>text</bar></foo>",
                                                  "app", uri), ==, 0);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<other/>", "oth", "urn:other"), ==, 0);
    got = vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, uri);
    /* handed back without the namespace, as the application wrote it */
    g_assert_cmpstr(got, ==, "<foo a=\"1\">\n  <bar>text</bar>\n</foo>");

    xml = vireo_domain_def_format(def, -1, VIREO_DOMAIN_FORMAT_INACTIVE);
    g_assert_nonnull(strstr(xml,
                            "  <metadata>\n"
                            "    <app:foo xmlns:app=\"http://example.org/app/1\" a=\"1\">\n"
                            "      <app:bar>text</app:bar>\n"
                            "    </app:foo>\n"
                            "    <oth:other xmlns:oth=\"urn:other\"/>\n"
                            "  </metadata>\n"
                            "  <memory unit='KiB'>1048576</memory>\n"));

    /* it survives a format/parse cycle unchanged */
    reparsed = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE);
    g_assert_nonnull(reparsed);
    xml2 = vireo_domain_def_format(reparsed, -1, VIREO_DOMAIN_FORMAT_INACTIVE);
    g_assert_cmpstr(xml2, ==, xml);

    /* setting again replaces, whatever the prefix */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<baz/>", "new", uri), ==, 0);
    got2 = vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, uri);
    g_assert_cmpstr(got2, ==, "<baz/>");

    /* removal leaves the other namespace alone */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  NULL, NULL, uri), ==, 0);
    assert_no_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, uri);
    other = vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, "urn:other");
    g_assert_cmpstr(other, ==, "<other/>");
    /* removing what is not there is fine */
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  NULL, NULL, "urn:none"), ==, 0);
}

static void
test_metadata_element_errors(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autofree char *before = vireo_domain_def_format(def, -1, 0);
    g_autofree char *after = NULL;

    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<a/>", "k", NULL), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<a/>", NULL, "urn:x"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<a/>", "bad key", "urn:x"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpint(vireo_domain_def_set_metadata(def, VIR_DOMAIN_METADATA_ELEMENT,
                                                  "<a><b></a>", "k", "urn:x"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_DETAIL);
    g_assert_true(g_str_has_prefix(vireo_error_last()->message,
                                   "(metadata_xml):1: "));
    g_assert_null(vireo_domain_def_get_metadata(def, VIR_DOMAIN_METADATA_ELEMENT, NULL));
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);

    /* failures leave the definition as it was */
    after = vireo_domain_def_format(def, -1, 0);
    g_assert_cmpstr(after, ==, before);
}

/* ---- copy, format flags, validation ----------------------------------- */

static void
test_copy_is_deep(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autoptr(VireoDomainDef) copy = vireo_domain_def_copy(def);
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_assert_nonnull(copy);
    g_assert_true(copy->nets[0] != def->nets[0]);
    a = vireo_domain_def_format(def, 3, VIREO_DOMAIN_FORMAT_SECURE);
    b = vireo_domain_def_format(copy, 3, VIREO_DOMAIN_FORMAT_SECURE);
    g_assert_cmpstr(a, ==, b);

    g_free(copy->name);
    copy->name = g_strdup("changed");
    copy->mem_max_kib = 1;
    g_assert_cmpstr(def->name, ==, "unit");
    g_assert_cmpuint(def->mem_max_kib, ==, 1048576);
    g_assert_null(vireo_domain_def_copy(NULL));
}

static void
test_format_flags(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autofree char *plain = vireo_domain_def_format(def, 5, 0);
    g_autofree char *secure = vireo_domain_def_format(def, 5, VIREO_DOMAIN_FORMAT_SECURE);
    g_autofree char *inactive = vireo_domain_def_format(def, 5, VIREO_DOMAIN_FORMAT_INACTIVE);
    g_autofree char *noid = vireo_domain_def_format(def, -1, 0);

    g_assert_null(strstr(plain, "hunter2"));
    g_assert_nonnull(strstr(secure, " passwd='hunter2'"));
    g_assert_true(g_str_has_prefix(plain, "<domain type='kvm' id='5'>\n"));
    g_assert_true(g_str_has_prefix(inactive, "<domain type='kvm'>\n"));
    g_assert_true(g_str_has_prefix(noid, "<domain type='kvm'>\n"));
    g_assert_nonnull(strstr(plain, "  <vcpu placement='static' current='2'>4</vcpu>\n"));
}

static void
expect_invalid(VireoDomainDef *def, int code, const char *fragment)
{
    vireo_error_reset();
    g_assert_cmpint(vireo_domain_def_validate(def), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, code);
    if (!strstr(vireo_error_last()->message, fragment))
        g_error("'%s' does not contain '%s'", vireo_error_last()->message, fragment);
}

static void
test_validate_edited(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();

    g_assert_cmpint(vireo_domain_def_validate(def), ==, 0);

    def->mem_cur_kib = def->mem_max_kib + 1;
    expect_invalid(def, VIR_ERR_XML_ERROR, "exceeds its maximum memory");
    def->mem_cur_kib = def->mem_max_kib;

    def->vcpus_current = 5;
    expect_invalid(def, VIR_ERR_XML_ERROR, "current vCPU count 5");
    def->vcpus_current = 0;
    expect_invalid(def, VIR_ERR_XML_ERROR, "at least one vCPU");
    def->vcpus_current = 4;
    def->vcpus_max = VIREO_DOMAIN_MAX_VCPUS + 1;
    expect_invalid(def, VIR_ERR_CONFIG_UNSUPPORTED, "exceeds the limit of 4096");
    def->vcpus_max = 4;

    g_free(def->name);
    def->name = g_strdup("");
    expect_invalid(def, VIR_ERR_XML_ERROR, "must not be empty");
    g_free(def->name);
    def->name = g_strdup("a/b");
    expect_invalid(def, VIR_ERR_XML_ERROR, "must not contain '/'");
    g_free(def->name);
    def->name = g_strdup("ok");

    def->on_reboot = VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART;
    expect_invalid(def, VIR_ERR_CONFIG_UNSUPPORTED, "'on_reboot'");
    def->on_reboot = VIR_DOMAIN_LIFECYCLE_ACTION_RESTART;

    g_assert_cmpint(vireo_domain_def_validate(def), ==, 0);
}

static void
test_syntax_error_message(void)
{
    g_autoptr(VireoDomainDef) def = NULL;

    def = vireo_domain_def_parse_string("<domain type='kvm'>\n  <name>x</name>\n</domian>\n", 0);
    g_assert_null(def);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_DETAIL);
    g_assert_cmpint(vireo_error_last()->domain, ==, VIR_FROM_DOMAIN);
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "(domain_definition):3: Opening and ending tag mismatch: "
                    "domain line 1 and domian\n</domian>\n---------^");

    vireo_error_reset();
    g_assert_null(vireo_domain_def_parse_string(base_xml, 1u << 5));
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
}

static void
test_parse_file_missing(void)
{
    g_autoptr(VireoDomainDef) def = vireo_domain_def_parse_file("/nonexistent/vireo/x.xml", 0);

    g_assert_null(def);
    g_assert_nonnull(vireo_error_last());
    g_assert_nonnull(strstr(vireo_error_last()->message, "/nonexistent/vireo/x.xml"));
}

static void
test_device_parse_and_find(void)
{
    g_autoptr(VireoDomainDef) def = parse_base();
    g_autoptr(VireoDomainDiskDef) disk = NULL;
    g_autoptr(VireoDomainNetDef) net = NULL;
    g_autoptr(VireoDomainNetDef) bad = NULL;
    VireoMac mac;

    disk = vireo_domain_disk_def_parse_string(
        "<disk type='block' device='disk'><source dev='/dev/sdx'/><target dev='sdc'/></disk>",
        VIREO_DOMAIN_PARSE_INACTIVE);
    g_assert_nonnull(disk);
    g_assert_cmpint(disk->type, ==, VIREO_DOMAIN_DISK_TYPE_BLOCK);
    g_assert_cmpint(disk->target_bus, ==, VIREO_DOMAIN_DISK_BUS_SCSI);
    g_assert_cmpstr(disk->src_path, ==, "/dev/sdx");

    net = vireo_domain_net_def_parse_string(
        "<interface type='bridge'><source bridge='br0'/></interface>", 0);
    g_assert_nonnull(net);
    g_assert_true(net->mac_generated);
    g_assert_cmpstr(net->source_bridge, ==, "br0");

    bad = vireo_domain_net_def_parse_string("<disk/>", 0);
    g_assert_null(bad);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_ERROR);

    g_assert_true(vireo_mac_parse("52:54:00:00:00:01", &mac));
    g_assert_true(vireo_domain_def_find_net(def, &mac) == def->nets[0]);
    g_assert_true(vireo_mac_parse("52:54:00:00:00:02", &mac));
    g_assert_null(vireo_domain_def_find_net(def, &mac));
    g_assert_null(vireo_domain_def_find_disk(def, "vda"));
}

static void
test_keep_order(void)
{
    static const char *const xml =
        "<domain type='kvm'><name>o</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices>"
        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"
        "<disk type='file' device='cdrom'><target dev='hda'/></disk>"
        "</devices></domain>";
    g_autoptr(VireoDomainDef) first = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE);
    g_autoptr(VireoDomainDef) kept = NULL;
    g_autoptr(VireoDomainDef) resorted = NULL;
    g_autofree char *out = NULL;

    /* libvirt groups by the bus as written: hda (no bus) goes after hdc */
    g_assert_nonnull(first);
    g_assert_cmpstr(first->disks[0]->target_dev, ==, "hdc");
    g_assert_cmpstr(first->disks[1]->target_dev, ==, "hda");

    out = vireo_domain_def_format(first, -1, VIREO_DOMAIN_FORMAT_INACTIVE);
    kept = vireo_domain_def_parse_string(out, VIREO_DOMAIN_PARSE_INACTIVE |
                                              VIREO_DOMAIN_PARSE_KEEP_ORDER);
    g_assert_nonnull(kept);
    g_assert_cmpstr(kept->disks[0]->target_dev, ==, "hdc");
    g_assert_cmpstr(kept->disks[1]->target_dev, ==, "hda");

    /* without the flag the now explicit buses sort them: the quirk the
     * flag exists for */
    resorted = vireo_domain_def_parse_string(out, VIREO_DOMAIN_PARSE_INACTIVE);
    g_assert_nonnull(resorted);
    g_assert_cmpstr(resorted->disks[0]->target_dev, ==, "hda");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* rejected inputs are the point here: keep their error logs quiet */
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        g_error("cannot silence the error log");

    g_test_add_func("/domain_conf/memory/units", test_memory_units);
    g_test_add_func("/domain_conf/mac/parse-format", test_mac_parse_format);
    g_test_add_func("/domain_conf/mac/generate", test_mac_generate);
    g_test_add_func("/domain_conf/mac/in-domain", test_mac_parse_in_domain);
    g_test_add_func("/domain_conf/disk/name-index", test_disk_name_index);
    g_test_add_func("/domain_conf/metadata/title-description", test_metadata_title_description);
    g_test_add_func("/domain_conf/metadata/element", test_metadata_element);
    g_test_add_func("/domain_conf/metadata/element-errors", test_metadata_element_errors);
    g_test_add_func("/domain_conf/copy/deep", test_copy_is_deep);
    g_test_add_func("/domain_conf/format/flags", test_format_flags);
    g_test_add_func("/domain_conf/validate/edited", test_validate_edited);
    g_test_add_func("/domain_conf/parse/syntax-error", test_syntax_error_message);
    g_test_add_func("/domain_conf/parse/file-missing", test_parse_file_missing);
    g_test_add_func("/domain_conf/device/parse-find", test_device_parse_and_find);
    g_test_add_func("/domain_conf/parse/keep-order", test_keep_order);
    return g_test_run();
}
