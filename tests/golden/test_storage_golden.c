/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests for lib/conf/storage_conf (pools) and storage_conf_vol
 * (volumes), under tests/golden/storage/{pool,vol}/:
 *   in/NAME.xml      -> parse (with schema validation), format
 *                       == out/NAME.xml; the output validates against the
 *                       schema, parses back to the same bytes, and a deep
 *                       copy formats identically;
 *   reject/NAME.xml  -> parse fails with exactly reject/NAME.err
 *                       ("code=N\n<message>\n"), error domain storage.
 *                       Parsed without the schema (the parser's own
 *                       checks are the point), except names containing
 *                       "schema-", which are parsed with validation and
 *                       compared on the code alone (the message names
 *                       the schema's path).
 * Volume file names start with the type of the pool they are parsed
 * against: dir-, fs-, netfs-, logical-, disk- (the pools are built in
 * below); a following "clone-" parses with
 * VIREO_STORAGE_VOL_PARSE_NO_CAPACITY.
 * Random UUIDs come from GLib's generator, reseeded per test.
 * VIREO_TEST_REGENERATE=1 rewrites out/ and .err files; review the diff.
 * Any file in those directories that no test uses fails the run.
 */
#include <glib.h>
#include <string.h>

#include "conf/storage_conf.h"
#include "conf/vireo_schema.h"
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "golden_util.h"

static GPtrArray *unused;

typedef struct {
    bool is_vol;
    char *dir;      /* tests/golden/storage/pool or .../vol */
    char *name;
} GoldenCase;

static void
golden_case_free(gpointer p)
{
    GoldenCase *c = p;

    g_free(c->dir);
    g_free(c->name);
    g_free(c);
}

static const char *const pool_xml[] = {
    [VIREO_STORAGE_POOL_DIR] =
        "<pool type='dir'><name>default</name><target><path>/var/lib/libvirt/images</path></target></pool>",
    [VIREO_STORAGE_POOL_FS] =
        "<pool type='fs'><name>fs</name><source><device path='/dev/sdb1'/></source>"
        "<target><path>/mnt/fs</path></target></pool>",
    [VIREO_STORAGE_POOL_NETFS] =
        "<pool type='netfs'><name>nfs</name><source><host name='nfs.example.com'/>"
        "<dir path='/export'/></source><target><path>/mnt/nfs</path></target></pool>",
    [VIREO_STORAGE_POOL_LOGICAL] =
        "<pool type='logical'><name>vg0</name><source><device path='/dev/sdc'/></source></pool>",
    [VIREO_STORAGE_POOL_DISK] =
        "<pool type='disk'><name>sdd</name><source><device path='/dev/sdd'/>"
        "<format type='gpt'/></source></pool>",
};

/* The pool a volume fixture is parsed against, from its name prefix. */
static VireoStoragePoolDef *
golden_pool_for(const char *name, unsigned int *vol_flags)
{
    int type;

    for (type = 0; type < VIREO_STORAGE_POOL_LAST; type++) {
        g_autofree char *prefix = g_strdup_printf("%s-", vireo_storage_pool_type_to_string(type));

        if (g_str_has_prefix(name, prefix)) {
            VireoStoragePoolDef *pool = vireo_storage_pool_def_parse_string(pool_xml[type], 0);

            if (!pool)
                g_error("built-in %s pool does not parse: %s", prefix,
                        vireo_error_last()->message);
            *vol_flags = g_str_has_prefix(name + strlen(prefix), "clone-")
                ? VIREO_STORAGE_VOL_PARSE_NO_CAPACITY : 0;
            return pool;
        }
    }
    g_error("volume fixture %s must start with a pool type (dir-, fs-, ...)", name);
    return NULL;
}

static char *
read_fixture(const char *path)
{
    g_autoptr(GError) gerr = NULL;
    char *xml = NULL;

    if (!g_file_get_contents(path, &xml, NULL, &gerr))
        g_error("cannot read %s: %s", path, gerr->message);
    return xml;
}

static void
test_pool_roundtrip(const GoldenCase *c)
{
    g_autofree char *in = g_strdup_printf("%s/in/%s.xml", c->dir, c->name);
    g_autofree char *out = g_strdup_printf("%s/out/%s.xml", c->dir, c->name);
    g_autoptr(VireoStoragePoolDef) def = NULL;
    g_autoptr(VireoStoragePoolDef) again = NULL;
    g_autoptr(VireoStoragePoolDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *xml_copy = NULL;

    g_random_set_seed(42);
    if (!(def = vireo_storage_pool_def_parse_file(in, VIREO_STORAGE_PARSE_VALIDATE)))
        g_error("%s: parse failed: %s", in, vireo_error_last()->message);
    g_assert_cmpint(vireo_storage_pool_def_validate(def), ==, 0);
    xml = vireo_storage_pool_def_format(def, 0);
    vireo_golden_compare(out, xml);

    if (vireo_schema_validate_string("storagepool", xml, out) < 0)
        g_error("%s: output does not validate: %s", out, vireo_error_last()->message);
    if (!(again = vireo_storage_pool_def_parse_string(xml, VIREO_STORAGE_PARSE_VALIDATE)))
        g_error("%s: re-parse of output failed: %s", out, vireo_error_last()->message);
    xml2 = vireo_storage_pool_def_format(again, 0);
    g_assert_cmpstr(xml2, ==, xml);

    copy = vireo_storage_pool_def_copy(def);
    xml_copy = vireo_storage_pool_def_format(copy, VIREO_STORAGE_FORMAT_INACTIVE);
    g_assert_cmpstr(xml_copy, ==, xml);
}

static void
test_vol_roundtrip(const GoldenCase *c)
{
    g_autofree char *in = g_strdup_printf("%s/in/%s.xml", c->dir, c->name);
    g_autofree char *out = g_strdup_printf("%s/out/%s.xml", c->dir, c->name);
    g_autofree char *input = read_fixture(in);
    unsigned int vol_flags = 0;
    g_autoptr(VireoStoragePoolDef) pool = golden_pool_for(c->name, &vol_flags);
    g_autoptr(VireoStorageVolDef) vol = NULL;
    g_autoptr(VireoStorageVolDef) again = NULL;
    g_autoptr(VireoStorageVolDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *xml_copy = NULL;

    if (!(vol = vireo_storage_vol_def_parse_string(pool, input,
                                                   vol_flags | VIREO_STORAGE_PARSE_VALIDATE)))
        g_error("%s: parse failed: %s", in, vireo_error_last()->message);
    g_assert_cmpint(vireo_storage_vol_def_validate(pool, vol), ==, 0);
    xml = vireo_storage_vol_def_format(pool, vol, 0);
    vireo_golden_compare(out, xml);

    if (vireo_schema_validate_string("storagevol", xml, out) < 0)
        g_error("%s: output does not validate: %s", out, vireo_error_last()->message);
    if (!(again = vireo_storage_vol_def_parse_string(pool, xml, VIREO_STORAGE_PARSE_VALIDATE)))
        g_error("%s: re-parse of output failed: %s", out, vireo_error_last()->message);
    xml2 = vireo_storage_vol_def_format(pool, again, 0);
    g_assert_cmpstr(xml2, ==, xml);

    copy = vireo_storage_vol_def_copy(vol);
    xml_copy = vireo_storage_vol_def_format(pool, copy, 0);
    g_assert_cmpstr(xml_copy, ==, xml);
}

static void
test_golden_roundtrip(gconstpointer data)
{
    const GoldenCase *c = data;

    if (c->is_vol)
        test_vol_roundtrip(c);
    else
        test_pool_roundtrip(c);
}

static void
test_golden_reject(gconstpointer data)
{
    const GoldenCase *c = data;
    g_autofree char *in = g_strdup_printf("%s/reject/%s.xml", c->dir, c->name);
    g_autofree char *errpath = g_strdup_printf("%s/reject/%s.err", c->dir, c->name);
    g_autofree char *xml = read_fixture(in);
    g_autofree char *actual = NULL;
    bool schema = strstr(c->name, "schema-") != NULL;
    unsigned int flags = schema ? VIREO_STORAGE_PARSE_VALIDATE : 0;
    const VireoError *err;

    vireo_error_reset();
    g_random_set_seed(42);
    if (c->is_vol) {
        unsigned int vol_flags = 0;
        g_autoptr(VireoStoragePoolDef) pool = golden_pool_for(c->name, &vol_flags);
        g_autoptr(VireoStorageVolDef) vol =
            vireo_storage_vol_def_parse_string(pool, xml, flags | vol_flags);

        if (vol)
            g_error("%s was accepted but must be rejected", in);
    } else {
        g_autoptr(VireoStoragePoolDef) def = vireo_storage_pool_def_parse_string(xml, flags);

        if (def)
            g_error("%s was accepted but must be rejected", in);
    }
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->domain, ==, VIR_FROM_STORAGE);
    if (schema)
        actual = g_strdup_printf("code=%d\n", err->code);
    else
        actual = g_strdup_printf("code=%d\n%s\n", err->code, err->message);
    vireo_golden_compare(errpath, actual);
}

/* Runtime values a parse never produces: the formatter's side only. */
static void
test_vol_runtime_fields(void)
{
    g_autoptr(VireoStoragePoolDef) pool = vireo_storage_pool_def_parse_string(pool_xml[VIREO_STORAGE_POOL_DISK], 0);
    g_autoptr(VireoStorageVolDef) vol = NULL;
    g_autoptr(VireoStorageVolDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml_copy = NULL;

    g_assert_nonnull(pool);
    vol = vireo_storage_vol_def_parse_string(pool,
        "<volume><name>sdd1</name><capacity unit='MiB'>1</capacity></volume>", 0);
    g_assert_nonnull(vol);
    g_assert_false(vol->has_allocation);
    g_assert_cmpuint(vol->allocation, ==, 1048576);
    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->key = g_strdup("/dev/sdd1");
    vol->target.path = g_strdup("/dev/sdd1");
    vol->physical = 1049088;
    vol->source_partition = g_strdup("/dev/sdd");
    vol->extent_start = 1048576;
    vol->extent_end = 2097152;
    xml = vireo_storage_vol_def_format(pool, vol, 0);
    g_assert_cmpstr(xml, ==,
                    "<volume type='block'>\n"
                    "  <name>sdd1</name>\n"
                    "  <key>/dev/sdd1</key>\n"
                    "  <source>\n"
                    "    <device path='/dev/sdd'>\n"
                    "      <extent start='1048576' end='2097152'/>\n"
                    "    </device>\n"
                    "  </source>\n"
                    "  <capacity unit='bytes'>1048576</capacity>\n"
                    "  <allocation unit='bytes'>1048576</allocation>\n"
                    "  <physical unit='bytes'>1049088</physical>\n"
                    "  <target>\n"
                    "    <path>/dev/sdd1</path>\n"
                    "    <format type='none'/>\n"
                    "  </target>\n"
                    "</volume>\n");
    copy = vireo_storage_vol_def_copy(vol);
    xml_copy = vireo_storage_vol_def_format(pool, copy, 0);
    g_assert_cmpstr(xml_copy, ==, xml);
}

static void
test_size_units(void)
{
    static const struct {
        const char *value;
        const char *unit;
        unsigned long long bytes;
    } ok[] = {
        { "7", NULL, 7 }, { "7", "", 7 }, { "7", "b", 7 }, { "7", "bytes", 7 },
        { "2", "k", 2048 }, { "2", "KiB", 2048 }, { "2", "KB", 2000 },
        { "3", "M", 3145728 }, { "3", "MB", 3000000 }, { "1", "GiB", 1073741824 },
        { "1", "gb", 1000000000 }, { "1", "T", 1099511627776ULL },
        { "1", "PB", 1000000000000000ULL }, { "7", "EiB", 7ULL << 60 },
        { "9223372036854775807", "B", G_MAXINT64 },
    };
    static const struct {
        const char *value;
        const char *unit;
        int code;
    } bad[] = {
        { "1", "Q", VIR_ERR_INVALID_ARG }, { "1", "KiBB", VIR_ERR_INVALID_ARG },
        { "1", "bits", VIR_ERR_INVALID_ARG }, { "-1", NULL, VIR_ERR_XML_ERROR },
        { " 1", NULL, VIR_ERR_XML_ERROR }, { "", NULL, VIR_ERR_XML_ERROR },
        { "8", "E", VIR_ERR_OVERFLOW }, { "18446744073709551616", NULL, VIR_ERR_XML_ERROR },
        { "9223372036854775808", NULL, VIR_ERR_OVERFLOW }, { "10", "EB", VIR_ERR_OVERFLOW },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(ok); i++) {
        unsigned long long v = 0;

        g_assert_cmpint(vireo_storage_parse_size_bytes(ok[i].value, ok[i].unit, "capacity", &v), ==, 0);
        g_assert_cmpuint(v, ==, ok[i].bytes);
    }
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        unsigned long long v = 99;

        vireo_error_reset();
        g_assert_cmpint(vireo_storage_parse_size_bytes(bad[i].value, bad[i].unit, "capacity", &v), ==, -1);
        g_assert_cmpuint(v, ==, 99);
        g_assert_cmpint(vireo_error_last()->code, ==, bad[i].code);
    }
}

static void
test_no_unused_fixtures(void)
{
    guint i;

    for (i = 0; i < unused->len; i++)
        g_printerr("unused fixture: %s\n", (char *)unused->pdata[i]);
    g_assert_cmpuint(unused->len, ==, 0);
}

/* Names of the *.xml files in @dir, sorted; every other file that is not
 * @allowed_ext goes to the unused list. */
static GPtrArray *
list_xml(const char *dir, const char *allowed_ext)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!(d = g_dir_open(dir, 0, &err)))
        g_error("cannot open %s: %s", dir, err->message);
    while ((ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, ".xml"))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - 4));
        else if (!allowed_ext || !g_str_has_suffix(ent, allowed_ext))
            g_ptr_array_add(unused, g_build_filename(dir, ent, NULL));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

/* Every @ext file in @dir needs @partner_dir/NAME@partner_ext. */
static void
check_partners(const char *dir, const char *ext, const char *partner_dir,
               const char *partner_ext)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    const char *ent;

    if (!(d = g_dir_open(dir, 0, &err)))
        g_error("cannot open %s: %s", dir, err->message);
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *base = NULL;
        g_autofree char *partner = NULL;

        if (!g_str_has_suffix(ent, ext))
            continue;
        base = g_strndup(ent, strlen(ent) - strlen(ext));
        partner = g_strdup_printf("%s/%s%s", partner_dir, base, partner_ext);
        if (!g_file_test(partner, G_FILE_TEST_EXISTS))
            g_ptr_array_add(unused, g_strdup_printf("%s/%s (no %s)", dir, ent, partner));
    }
}

static guint
add_set(GPtrArray *cases, const char *golden_root, const char *kind, bool is_vol,
        guint *nrejects)
{
    g_autofree char *dir = g_build_filename(golden_root, kind, NULL);
    g_autofree char *in_dir = g_build_filename(dir, "in", NULL);
    g_autofree char *out_dir = g_build_filename(dir, "out", NULL);
    g_autofree char *reject_dir = g_build_filename(dir, "reject", NULL);
    g_autoptr(GPtrArray) ins = list_xml(in_dir, NULL);
    g_autoptr(GPtrArray) outs = list_xml(out_dir, NULL);
    g_autoptr(GPtrArray) rejects = list_xml(reject_dir, ".err");
    guint i;

    check_partners(out_dir, ".xml", in_dir, ".xml");
    check_partners(reject_dir, ".err", reject_dir, ".xml");
    if (!vireo_golden_regenerating())
        check_partners(reject_dir, ".xml", reject_dir, ".err");

    for (i = 0; i < ins->len; i++) {
        GoldenCase *c = g_new0(GoldenCase, 1);
        g_autofree char *path = g_strdup_printf("/storage/%s/golden/%s", kind,
                                                (char *)ins->pdata[i]);

        c->is_vol = is_vol;
        c->dir = g_strdup(dir);
        c->name = g_strdup(ins->pdata[i]);
        g_ptr_array_add(cases, c);
        g_test_add_data_func(path, c, test_golden_roundtrip);
    }
    for (i = 0; i < rejects->len; i++) {
        GoldenCase *c = g_new0(GoldenCase, 1);
        g_autofree char *path = g_strdup_printf("/storage/%s/reject/%s", kind,
                                                (char *)rejects->pdata[i]);

        c->is_vol = is_vol;
        c->dir = g_strdup(dir);
        c->name = g_strdup(rejects->pdata[i]);
        g_ptr_array_add(cases, c);
        g_test_add_data_func(path, c, test_golden_reject);
    }
    *nrejects = rejects->len;
    return ins->len;
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR");
    g_autofree char *golden_root = NULL;
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(golden_case_free);
    guint npools, nvols, npool_rejects, nvol_rejects;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        g_error("cannot silence the error log");
    g_test_set_nonfatal_assertions();
    if (!srcdir)
        g_error("VIREO_SRCDIR must point at the source tree");
    golden_root = g_build_filename(srcdir, "tests", "golden", "storage", NULL);
    unused = g_ptr_array_new_with_free_func(g_free);

    npools = add_set(cases, golden_root, "pool", false, &npool_rejects);
    nvols = add_set(cases, golden_root, "vol", true, &nvol_rejects);
    g_ptr_array_sort(unused, (GCompareFunc)g_strcmp0);

    g_test_add_func("/storage/vol/runtime-fields", test_vol_runtime_fields);
    g_test_add_func("/storage/size-units", test_size_units);
    g_test_add_func("/storage/fixtures/none-unused", test_no_unused_fixtures);
    /* a fixture set that shrank to nothing is a broken checkout */
    g_assert_cmpuint(npools, >=, 20);
    g_assert_cmpuint(nvols, >=, 15);
    g_assert_cmpuint(npool_rejects + nvol_rejects, >=, 15);

    ret = g_test_run();
    vireo_schema_cache_clear();
    g_ptr_array_free(unused, TRUE);
    return ret;
}
