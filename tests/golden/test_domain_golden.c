/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests for lib/conf/domain_conf:
 *   tests/golden/domain/in/NAME.xml  -> parse, validate, format
 *                                      == tests/golden/domain/out/NAME.xml,
 *                                      and formatting the output again gives
 *                                      the same bytes;
 *   tests/golden/domain/reject/NAME.xml -> parse (+ validate) fails with
 *                                      exactly reject/NAME.err
 *                                      ("code=N\n<message>\n").
 * File name prefixes choose the flags:
 *   live-    parse without INACTIVE, format live with id='7'
 *   status-  parse STATUS, format STATUS|SECURE with id='7'
 *   secure-  parse INACTIVE, format INACTIVE|SECURE
 *   (other)  parse INACTIVE, format INACTIVE (virsh define + dumpxml --inactive)
 * Random UUIDs and MACs come from GLib's generator, reseeded per test.
 * VIREO_TEST_REGENERATE=1 rewrites out/ and .err files; review the diff.
 * Any file in those directories that no test uses fails the run.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "conf/domain_conf.h"
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "golden_util.h"

static char *golden_dir;

typedef struct {
    unsigned int parse_flags;
    unsigned int format_flags;
    int id;
} GoldenMode;

static GoldenMode
golden_mode(const char *name)
{
    GoldenMode m = { VIREO_DOMAIN_PARSE_INACTIVE, VIREO_DOMAIN_FORMAT_INACTIVE, -1 };

    if (g_str_has_prefix(name, "live-")) {
        m.parse_flags = 0;
        m.format_flags = 0;
        m.id = 7;
    } else if (g_str_has_prefix(name, "status-")) {
        m.parse_flags = VIREO_DOMAIN_PARSE_STATUS;
        m.format_flags = VIREO_DOMAIN_FORMAT_STATUS | VIREO_DOMAIN_FORMAT_SECURE;
        m.id = 7;
    } else if (g_str_has_prefix(name, "secure-")) {
        m.format_flags |= VIREO_DOMAIN_FORMAT_SECURE;
    }
    return m;
}

static void
test_golden_roundtrip(gconstpointer data)
{
    const char *name = data;
    GoldenMode mode = golden_mode(name);
    g_autofree char *in = g_strdup_printf("%s/in/%s.xml", golden_dir, name);
    g_autofree char *out = g_strdup_printf("%s/out/%s.xml", golden_dir, name);
    g_autoptr(VireoDomainDef) def = NULL;
    g_autoptr(VireoDomainDef) again = NULL;
    g_autoptr(VireoDomainDef) copy = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *xml_copy = NULL;

    g_random_set_seed(42);
    def = vireo_domain_def_parse_file(in, mode.parse_flags);
    if (!def)
        g_error("%s: parse failed: %s", in, vireo_error_last()->message);
    if (vireo_domain_def_validate(def) < 0)
        g_error("%s: validation failed: %s", in, vireo_error_last()->message);
    xml = vireo_domain_def_format(def, mode.id, mode.format_flags);
    vireo_golden_compare(out, xml);

    /* idempotence: the canonical form is a fixed point */
    again = vireo_domain_def_parse_string(xml, mode.parse_flags);
    if (!again)
        g_error("%s: re-parse of output failed: %s", out, vireo_error_last()->message);
    xml2 = vireo_domain_def_format(again, mode.id, mode.format_flags);
    g_assert_cmpstr(xml2, ==, xml);

    /* a copy formats identically */
    copy = vireo_domain_def_copy(def);
    g_assert_nonnull(copy);
    xml_copy = vireo_domain_def_format(copy, mode.id, mode.format_flags);
    g_assert_cmpstr(xml_copy, ==, xml);
}

static void
test_golden_reject(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("%s/reject/%s.xml", golden_dir, name);
    g_autofree char *errpath = g_strdup_printf("%s/reject/%s.err", golden_dir, name);
    g_autoptr(VireoDomainDef) def = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *actual = NULL;
    const VireoError *err;

    /* through the string parser, as virDomainDefineXML does: messages
     * then name "(domain_definition)", not the checkout's path */
    if (!g_file_get_contents(in, &xml, NULL, &gerr))
        g_error("cannot read %s: %s", in, gerr->message);
    vireo_error_reset();
    g_random_set_seed(42);
    def = vireo_domain_def_parse_string(xml, golden_mode(name).parse_flags);
    if (def) {
        if (vireo_domain_def_validate(def) == 0)
            g_error("%s was accepted but must be rejected", in);
    }
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->domain, ==, VIR_FROM_DOMAIN);
    actual = g_strdup_printf("code=%d\n%s\n", err->code, err->message);
    vireo_golden_compare(errpath, actual);
}

/* Names (without extension) of the files ending in @ext in @dir, sorted;
 * files with any other extension are added to @stray. */
static GPtrArray *
list_dir(const char *dir, const char *const *exts, GPtrArray *stray)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!(d = g_dir_open(dir, 0, &err)))
        g_error("cannot open %s: %s", dir, err->message);
    while ((ent = g_dir_read_name(d))) {
        size_t i;
        bool matched = false;

        for (i = 0; exts[i]; i++) {
            if (g_str_has_suffix(ent, exts[i])) {
                if (i == 0)
                    g_ptr_array_add(names, g_strndup(ent, strlen(ent) - strlen(exts[i])));
                matched = true;
                break;
            }
        }
        if (!matched)
            g_ptr_array_add(stray, g_build_filename(dir, ent, NULL));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

static int
cmp_strv(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *unused;

static void
test_no_unused_fixtures(void)
{
    guint i;

    for (i = 0; i < unused->len; i++)
        g_printerr("unused fixture: %s\n", (char *)unused->pdata[i]);
    g_assert_cmpuint(unused->len, ==, 0);
}

static void
check_pairs(const char *dir, GPtrArray *names, const char *ext_have,
            const char *ext_need)
{
    guint i;

    /* every ext_have file needs its partner, when regenerating it is made */
    for (i = 0; i < names->len; i++) {
        g_autofree char *partner = g_strdup_printf("%s/%s%s", dir,
                                                   (char *)names->pdata[i], ext_need);

        if (!vireo_golden_regenerating() && !g_file_test(partner, G_FILE_TEST_EXISTS))
            g_ptr_array_add(unused, g_strdup_printf("%s/%s%s (no %s)", dir,
                                                    (char *)names->pdata[i],
                                                    ext_have, partner));
    }
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR");
    static const char *const in_exts[] = { ".xml", NULL };
    static const char *const reject_exts[] = { ".xml", ".err", NULL };
    static const char *const err_exts[] = { ".err", ".xml", NULL };
    g_autofree char *in_dir = NULL;
    g_autofree char *out_dir = NULL;
    g_autofree char *reject_dir = NULL;
    g_autoptr(GPtrArray) ins = NULL;
    g_autoptr(GPtrArray) outs = NULL;
    g_autoptr(GPtrArray) rejects = NULL;
    g_autoptr(GPtrArray) errs = NULL;
    g_autoptr(GPtrArray) ignored = g_ptr_array_new_with_free_func(g_free);
    guint i;

    g_test_init(&argc, &argv, NULL);
    /* rejected inputs are the point here: keep their error logs quiet */
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        g_error("cannot silence the error log");
    g_test_set_nonfatal_assertions();
    if (!srcdir)
        g_error("VIREO_SRCDIR must point at the source tree");
    golden_dir = g_build_filename(srcdir, "tests", "golden", "domain", NULL);
    in_dir = g_build_filename(golden_dir, "in", NULL);
    out_dir = g_build_filename(golden_dir, "out", NULL);
    reject_dir = g_build_filename(golden_dir, "reject", NULL);

    unused = g_ptr_array_new_with_free_func(g_free);
    ins = list_dir(in_dir, in_exts, unused);
    outs = list_dir(out_dir, in_exts, unused);
    rejects = list_dir(reject_dir, reject_exts, ignored);
    errs = list_dir(reject_dir, err_exts, ignored);
    /* stray files in reject/ are those neither .xml nor .err */
    for (i = 0; i < ignored->len; i++) {
        const char *p = ignored->pdata[i];

        if (!g_str_has_suffix(p, ".xml") && !g_str_has_suffix(p, ".err")) {
            guint j;
            bool dup = false;

            for (j = 0; j < unused->len; j++)
                dup |= strcmp(unused->pdata[j], p) == 0;
            if (!dup)
                g_ptr_array_add(unused, g_strdup(p));
        }
    }
    /* out/X.xml needs in/X.xml */
    for (i = 0; i < outs->len; i++) {
        g_autofree char *partner = g_strdup_printf("%s/%s.xml", in_dir,
                                                   (char *)outs->pdata[i]);

        if (!g_file_test(partner, G_FILE_TEST_EXISTS))
            g_ptr_array_add(unused, g_strdup_printf("%s/%s.xml", out_dir,
                                                    (char *)outs->pdata[i]));
    }
    check_pairs(reject_dir, rejects, ".xml", ".err");
    for (i = 0; i < errs->len; i++) {
        g_autofree char *partner = g_strdup_printf("%s/%s.xml", reject_dir,
                                                   (char *)errs->pdata[i]);

        if (!g_file_test(partner, G_FILE_TEST_EXISTS))
            g_ptr_array_add(unused, g_strdup_printf("%s/%s.err", reject_dir,
                                                    (char *)errs->pdata[i]));
    }
    g_ptr_array_sort(unused, cmp_strv);

    for (i = 0; i < ins->len; i++) {
        g_autofree char *path = g_strdup_printf("/domain/golden/%s", (char *)ins->pdata[i]);

        g_test_add_data_func(path, ins->pdata[i], test_golden_roundtrip);
    }
    for (i = 0; i < rejects->len; i++) {
        g_autofree char *path = g_strdup_printf("/domain/reject/%s", (char *)rejects->pdata[i]);

        g_test_add_data_func(path, rejects->pdata[i], test_golden_reject);
    }
    g_test_add_func("/domain/fixtures/none-unused", test_no_unused_fixtures);
    /* a fixture set that shrank to nothing is a broken checkout */
    g_assert_cmpuint(ins->len, >=, 35);
    g_assert_cmpuint(rejects->len, >=, 15);

    return g_test_run();
}
