/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for lib/conf/vireo_schema and schemas/domain.rng.
 *
 * Every tests/golden/schema/valid/NAME.xml must validate (and be accepted by the
 * domain parser, with a stable round trip).  tests/golden/schema/invalid/
 * holds one rejected document per file, NAME.xml, with its exact expected
 * error in NAME.err: the virErrorNumber name on the first line, then the
 * message with the schema directory written as @SCHEMADIR@.
 * VIREO_TEST_REGENERATE=1 rewrites the .err files; review the diff.
 * A fixture file that no test uses fails the run.
 */
#include "vireo-config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/parser.h>

#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "conf/vireo_schema.h"
#include "conf/domain_conf.h"

#define SCHEMA_SRC_DIR VIREO_SRCDIR "/schemas"
#define FIXTURE_DIR VIREO_SRCDIR "/tests/golden/schema"
#define LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"

static const char *const valid_min_doc =
    "<domain type='kvm'><name>t</name><memory>1024</memory>"
    "<os><type>hvm</type></os></domain>";
static const char *const invalid_doc =
    "<domain type='kvm'>\n<name>t</name>\n<memory>1024</memory>\n"
    "<os><type>hvm</type></os>\n<devices>\n<watchdog model='i6300esb'/>\n"
    "</devices>\n</domain>\n";

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static char *
read_fixture(const char *sub, const char *name)
{
    g_autofree char *path = g_build_filename(FIXTURE_DIR, sub, name, NULL);
    g_autoptr(GError) gerr = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &gerr))
        g_error("cannot read fixture %s: %s", path, gerr->message);
    return data;
}

static int
strcmp_indirect(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the files in FIXTURE_DIR/@sub. */
static GPtrArray *
list_fixtures(const char *sub)
{
    g_autofree char *dir_path = g_build_filename(FIXTURE_DIR, sub, NULL);
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &gerr);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!dir)
        g_error("cannot list %s: %s", dir_path, gerr->message);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, strcmp_indirect);
    return names;
}

static const char *
error_code_name(int code)
{
    switch (code) {
    case VIR_ERR_XML_INVALID_SCHEMA: return "VIR_ERR_XML_INVALID_SCHEMA";
    case VIR_ERR_XML_DETAIL: return "VIR_ERR_XML_DETAIL";
    case VIR_ERR_XML_ERROR: return "VIR_ERR_XML_ERROR";
    case VIR_ERR_INVALID_ARG: return "VIR_ERR_INVALID_ARG";
    case VIR_ERR_OPERATION_FAILED: return "VIR_ERR_OPERATION_FAILED";
    default: return "unexpected";
    }
}

/* Replace every occurrence of @needle in @haystack by @repl. */
static char *
replace_all(const char *haystack, const char *needle, const char *repl)
{
    g_auto(GStrv) parts = g_strsplit(haystack, needle, -1);

    return g_strjoinv(repl, parts);
}

static void
use_source_schemas(void)
{
    g_unsetenv("VIREO_SCHEMA_DIR");
}

/* ------------------------------------------------------------------ */
/* locating schemas                                                    */
/* ------------------------------------------------------------------ */

static void
test_schema_dir(void)
{
    g_autofree char *dir1 = NULL;
    g_autofree char *dir2 = NULL;

    g_setenv("VIREO_SCHEMA_DIR", "/nonexistent/vireo-schemas", TRUE);
    dir1 = vireo_schema_dir();
    g_assert_cmpstr(dir1, ==, "/nonexistent/vireo-schemas");

    /* empty means unset */
    g_setenv("VIREO_SCHEMA_DIR", "", TRUE);
    dir2 = vireo_schema_dir();
    g_assert_cmpstr(dir2, ==, SCHEMA_SRC_DIR);

    use_source_schemas();
}

static void
test_schema_name_for_root(void)
{
    g_assert_cmpstr(vireo_schema_name_for_root("domain"), ==, "domain");
    g_assert_cmpstr(vireo_schema_name_for_root("pool"), ==, "storagepool");
    g_assert_cmpstr(vireo_schema_name_for_root("volume"), ==, "storagevol");
    g_assert_cmpstr(vireo_schema_name_for_root("network"), ==, "network");
    g_assert_null(vireo_schema_name_for_root("domains"));
    g_assert_null(vireo_schema_name_for_root("Domain"));
    g_assert_null(vireo_schema_name_for_root(""));
    g_assert_null(vireo_schema_name_for_root(NULL));
}

/* ------------------------------------------------------------------ */
/* fixtures                                                            */
/* ------------------------------------------------------------------ */

/* Every file is an .xml document; invalid/ pairs each with its .err. */
static void
test_fixture_inventory(void)
{
    g_autoptr(GPtrArray) valid = list_fixtures("valid");
    g_autoptr(GPtrArray) invalid = list_fixtures("invalid");
    guint nxml = 0;
    guint i;

    for (i = 0; i < valid->len; i++) {
        const char *name = valid->pdata[i];

        if (!g_str_has_suffix(name, ".xml"))
            g_error("unused fixture valid/%s (only .xml files belong there)", name);
    }
    for (i = 0; i < invalid->len; i++) {
        const char *name = invalid->pdata[i];
        g_autofree char *stem = NULL;
        g_autofree char *partner = NULL;

        if (g_str_has_suffix(name, ".xml")) {
            stem = g_strndup(name, strlen(name) - 4);
            partner = g_strconcat(stem, ".err", NULL);
            nxml++;
        } else if (g_str_has_suffix(name, ".err")) {
            stem = g_strndup(name, strlen(name) - 4);
            partner = g_strconcat(stem, ".xml", NULL);
        } else {
            g_error("unused fixture invalid/%s (only NAME.xml + NAME.err belong there)", name);
        }
        if (!g_ptr_array_find_with_equal_func(invalid, partner, g_str_equal, NULL) &&
            !g_getenv("VIREO_TEST_REGENERATE"))
            g_error("fixture invalid/%s has no invalid/%s%s", name, partner,
                    g_str_has_suffix(partner, ".err")
                    ? " (run with VIREO_TEST_REGENERATE=1 to create it)" : "");
    }
    g_assert_cmpuint(valid->len, >=, 20);
    g_assert_cmpuint(nxml, >=, 10);
}

static void
check_round_trip(const char *name, const char *xml)
{
    g_autoptr(VireoDomainDef) def1 = NULL;
    g_autoptr(VireoDomainDef) def2 = NULL;
    g_autofree char *out1 = NULL;
    g_autofree char *out2 = NULL;

    /* what the schema accepts, the parser must accept */
    if (!(def1 = vireo_domain_def_parse_string(xml, 0))) {
        const VireoError *err = vireo_error_last();

        g_error("valid/%s validates but the parser rejects it: %s", name,
                err ? err->message : "(no error reported)");
    }
    out1 = vireo_domain_def_format(def1, -1, VIREO_DOMAIN_FORMAT_SECURE);

    /* and what the formatter writes must validate too */
    if (vireo_schema_validate_string("domain", out1, name) < 0)
        g_error("formatted valid/%s does not validate: %s\n--- output:\n%s", name,
                vireo_error_last()->message, out1);

    if (!(def2 = vireo_domain_def_parse_string(out1, 0)))
        g_error("formatted valid/%s does not parse back: %s\n--- output:\n%s", name,
                vireo_error_last()->message, out1);
    out2 = vireo_domain_def_format(def2, -1, VIREO_DOMAIN_FORMAT_SECURE);
    g_assert_cmpstr(out1, ==, out2);
}

static void
test_valid_fixture(gconstpointer data)
{
    const char *name = data;
    g_autofree char *xml = read_fixture("valid", name);

    use_source_schemas();
    vireo_error_reset();
    if (vireo_schema_validate_string("domain", xml, name) < 0)
        g_error("valid/%s does not validate: %s", name, vireo_error_last()->message);
    g_assert_null(vireo_error_last());
    /* the root element picks the same schema */
    g_assert_cmpint(vireo_schema_validate_string(NULL, xml, name), ==, 0);

    check_round_trip(name, xml);
}

/* Our valid documents are valid libvirt documents too: checked against the
 * schemas of the installed libvirt when there is one. */
static void
test_valid_fixtures_libvirt(void)
{
    g_autoptr(GPtrArray) valid = NULL;
    guint i;

    if (!g_file_test(LIBVIRT_SCHEMA_DIR "/domain.rng", G_FILE_TEST_IS_REGULAR)) {
        g_test_skip("libvirt's schemas are not installed");
        return;
    }
    valid = list_fixtures("valid");
    g_setenv("VIREO_SCHEMA_DIR", LIBVIRT_SCHEMA_DIR, TRUE);
    for (i = 0; i < valid->len; i++) {
        const char *name = valid->pdata[i];
        g_autofree char *xml = read_fixture("valid", name);

        if (vireo_schema_validate_string("domain", xml, name) < 0)
            g_error("valid/%s is not valid for libvirt: %s", name,
                    vireo_error_last()->message);
    }
    use_source_schemas();
}

static void
test_invalid_fixture(gconstpointer data)
{
    const char *name = data;
    g_autofree char *xml = read_fixture("invalid", name);
    g_autofree char *stem = g_strndup(name, strlen(name) - 4);
    g_autofree char *err_name = g_strconcat(stem, ".err", NULL);
    g_autofree char *err_path = g_build_filename(FIXTURE_DIR, "invalid", err_name, NULL);
    g_autofree char *message = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *expected = NULL;
    const VireoError *err;

    use_source_schemas();
    vireo_error_reset();
    g_assert_cmpint(vireo_schema_validate_string("domain", xml, name), ==, -1);
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->domain, ==, VIR_FROM_XML);

    message = replace_all(err->message, SCHEMA_SRC_DIR, "@SCHEMADIR@");
    actual = g_strdup_printf("%s\n%s\n", error_code_name(err->code), message);

    if (g_getenv("VIREO_TEST_REGENERATE")) {
        g_assert_cmpint(vireo_file_write_atomic(err_path, actual, strlen(actual), 0644), ==, 0);
        return;
    }
    expected = read_fixture("invalid", err_name);
    g_assert_cmpstr(actual, ==, expected);
}

/* ------------------------------------------------------------------ */
/* error reporting                                                     */
/* ------------------------------------------------------------------ */

static void
test_error_format(void)
{
    const VireoError *err;
    const char *prefix = "XML document failed to validate against schema: "
                         "Unable to validate doc against " SCHEMA_SRC_DIR "/domain.rng\n";

    use_source_schemas();
    g_assert_cmpint(vireo_schema_validate_string("domain", invalid_doc, "watchdog.xml"), ==, -1);
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_cmpint(err->domain, ==, VIR_FROM_XML);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    /* libxml2's own words, then where: document name, line, element */
    g_assert_nonnull(strstr(err->message, "\nExtra element devices in interleave\n"));
    g_assert_nonnull(strstr(err->message,
                            "Element domain failed to validate content "
                            "(watchdog.xml line 5, at element 'devices')"));
    g_assert_false(g_str_has_suffix(err->message, "\n"));

    /* without a name */
    g_assert_cmpint(vireo_schema_validate_string("domain", invalid_doc, NULL), ==, -1);
    g_assert_nonnull(strstr(vireo_error_last()->message, "((document) line 5"));
}

static void
test_error_malformed(void)
{
    const VireoError *err;

    g_assert_cmpint(vireo_schema_validate_string("domain", "<domain type='kvm'><name>x</nam>",
                                                 "broken.xml"), ==, -1);
    err = vireo_error_last();
    g_assert_cmpint(err->code, ==, VIR_ERR_XML_DETAIL);
    g_assert_true(g_str_has_prefix(err->message, "cannot parse broken.xml: "));
    g_assert_nonnull(strstr(err->message, "(broken.xml line 1)"));

    g_assert_cmpint(vireo_schema_validate_string("domain", "", "empty.xml"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_DETAIL);

    /* entities are never expanded, external ones never fetched */
    g_assert_cmpint(vireo_schema_validate_string(
        "domain",
        "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
        "<domain type='kvm'><name>&x;</name><memory>1</memory>"
        "<os><type>hvm</type></os></domain>", "xxe.xml"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_INVALID_SCHEMA);

    g_assert_cmpint(vireo_schema_validate_string("domain", NULL, "null"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
}

static void
test_error_bad_name(void)
{
    static const char *const bad[] = { "../domain", "domain.rng", "", "Domain", "/etc/x" };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(vireo_schema_validate_string(bad[i], valid_min_doc, "x"), ==, -1);
        g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    }
}

static void
test_error_unknown_root(void)
{
    g_assert_cmpint(vireo_schema_validate_string(NULL, "<domains/>", "list.xml"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "XML document failed to validate against schema: no schema for "
                    "root element <domains> of list.xml: expected <domain>, <pool>, "
                    "<volume> or <network>");
    /* a forced schema still applies */
    g_assert_cmpint(vireo_schema_validate_string("domain", "<domains/>", "list.xml"), ==, -1);
    g_assert_nonnull(strstr(vireo_error_last()->message,
                            "Expecting element domain, got domains"));
}

static void
test_error_missing_schema(void)
{
    g_autofree char *tmp = g_dir_make_tmp("vireo-schema-XXXXXX", NULL);
    g_autofree char *expected = NULL;

    g_assert_nonnull(tmp);
    g_setenv("VIREO_SCHEMA_DIR", tmp, TRUE);
    g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "x"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_OPERATION_FAILED);
    expected = g_strdup_printf("operation failed: cannot find RelaxNG schema '%s/domain.rng' "
                               "for 'domain' documents: no such file (set VIREO_SCHEMA_DIR "
                               "to the directory holding Vireo's schemas)", tmp);
    g_assert_cmpstr(vireo_error_last()->message, ==, expected);
    use_source_schemas();
    g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

static void
test_error_broken_schema(void)
{
    g_autofree char *tmp = g_dir_make_tmp("vireo-schema-XXXXXX", NULL);
    g_autofree char *rng = g_build_filename(tmp, "domain.rng", NULL);
    g_autofree char *notxml = g_build_filename(tmp, "network.rng", NULL);
    const char *text =
        "<grammar xmlns='http://relaxng.org/ns/structure/1.0'>"
        "<start><ref name='nosuchdefine'/></start></grammar>";
    const VireoError *err;

    g_assert_true(g_file_set_contents(rng, text, -1, NULL));
    g_assert_true(g_file_set_contents(notxml, "<grammar", -1, NULL));
    g_setenv("VIREO_SCHEMA_DIR", tmp, TRUE);

    g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "x"), ==, -1);
    err = vireo_error_last();
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_true(g_str_has_prefix(err->message, "operation failed: cannot compile RelaxNG schema '"));
    g_assert_nonnull(strstr(err->message, rng));
    g_assert_nonnull(strstr(err->message, "nosuchdefine"));

    g_assert_cmpint(vireo_schema_validate_string("network", "<network/>", "x"), ==, -1);
    err = vireo_error_last();
    g_assert_cmpint(err->code, ==, VIR_ERR_OPERATION_FAILED);
    g_assert_nonnull(strstr(err->message, notxml));

    use_source_schemas();
    g_assert_cmpint(unlink(rng), ==, 0);
    g_assert_cmpint(unlink(notxml), ==, 0);
    g_assert_cmpint(g_rmdir(tmp), ==, 0);
}

/* libxml2 must not print anything itself: every diagnostic goes into the
 * reported error.  Checked in a subprocess with our own log silenced. */
static void
test_no_stderr_noise(void)
{
    if (g_test_subprocess()) {
        g_autofree char *tmp = g_dir_make_tmp("vireo-schema-XXXXXX", NULL);
        g_autofree char *rng = g_build_filename(tmp, "domain.rng", NULL);

        g_assert_cmpint(vireo_log_set_outputs("4:file:/dev/null"), ==, 0);
        g_assert_cmpint(vireo_schema_validate_string("domain", invalid_doc, "a"), ==, -1);
        g_assert_cmpint(vireo_schema_validate_string("domain", "<domain", "b"), ==, -1);
        g_assert_true(g_file_set_contents(rng, "<grammar><oops/>", -1, NULL));
        g_setenv("VIREO_SCHEMA_DIR", tmp, TRUE);
        g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "c"), ==, -1);
        g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_OPERATION_FAILED);
        (void)unlink(rng);
        (void)g_rmdir(tmp);
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("");
    g_test_trap_assert_stdout("");
}

static guint custom_handler_calls;

static void
custom_structured_handler(void *opaque, xmlErrorPtr err)
{
    g_assert_true(opaque == &custom_handler_calls);
    custom_handler_calls++;
}

/* The caller's libxml2 error handler is back in place afterwards, and was
 * not called for diagnostics the validation captured. */
static void
test_handlers_restored(void)
{
    xmlDoc *doc;

    use_source_schemas();
    custom_handler_calls = 0;
    xmlSetStructuredErrorFunc(&custom_handler_calls, (xmlStructuredErrorFunc)custom_structured_handler);

    g_assert_cmpint(vireo_schema_validate_string("domain", invalid_doc, "a"), ==, -1);
    g_assert_cmpint(vireo_schema_validate_string("domain", "<domain", "b"), ==, -1);
    g_assert_cmpuint(custom_handler_calls, ==, 0);

    doc = xmlReadMemory("<a>", 3, "x", NULL, XML_PARSE_NONET);
    g_assert_null(doc);
    g_assert_cmpuint(custom_handler_calls, >, 0);

    xmlSetStructuredErrorFunc(NULL, NULL);
}

static void
test_validate_doc(void)
{
    xmlDoc *doc = xmlReadMemory(valid_min_doc, strlen(valid_min_doc), "x", NULL,
                                XML_PARSE_NONET);

    use_source_schemas();
    g_assert_nonnull(doc);
    g_assert_cmpint(vireo_schema_validate_doc("domain", doc, "x"), ==, 0);
    g_assert_cmpint(vireo_schema_validate_doc(NULL, doc, "x"), ==, 0);
    g_assert_cmpint(vireo_schema_validate_doc("domain", NULL, "x"), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    xmlFreeDoc(doc);
}

static void
test_cache(void)
{
    use_source_schemas();
    g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "x"), ==, 0);
    g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "x"), ==, 0);
    vireo_schema_cache_clear();
    vireo_schema_cache_clear();
    g_assert_cmpint(vireo_schema_validate_string("domain", valid_min_doc, "x"), ==, 0);
    g_assert_cmpint(vireo_schema_validate_string("domain", invalid_doc, "x"), ==, -1);
}

/* ------------------------------------------------------------------ */
/* threads                                                             */
/* ------------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 60

static gpointer
thread_main(gpointer data)
{
    guint id = GPOINTER_TO_UINT(data);
    guint i;

    for (i = 0; i < ROUNDS; i++) {
        g_autofree char *name = g_strdup_printf("thread%u-round%u.xml", id, i);

        if ((i + id) % 2 == 0) {
            if (vireo_schema_validate_string("domain", valid_min_doc, name) != 0)
                return GUINT_TO_POINTER(1);
        } else {
            const VireoError *err;

            if (vireo_schema_validate_string("domain", invalid_doc, name) != -1)
                return GUINT_TO_POINTER(2);
            /* errors are per thread: ours, with our document name */
            err = vireo_error_last();
            if (!err || err->code != VIR_ERR_XML_INVALID_SCHEMA ||
                !strstr(err->message, name))
                return GUINT_TO_POINTER(3);
        }
    }
    return NULL;
}

static void
test_threads(void)
{
    GThread *threads[THREADS];
    guint i;

    use_source_schemas();
    /* start from an empty cache so the threads race to compile it */
    vireo_schema_cache_clear();
    for (i = 0; i < THREADS; i++)
        threads[i] = g_thread_new("schema", thread_main, GUINT_TO_POINTER(i));
    for (i = 0; i < THREADS; i++)
        g_assert_null(g_thread_join(threads[i]));
}

/* ------------------------------------------------------------------ */
/* tools/vireo-xml-validate                                            */
/* ------------------------------------------------------------------ */

#define VALIDATE_TOOL VIREO_BUILDDIR "/tools/vireo-xml-validate"

static int
run_tool(const char *const *args, char **out, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) gerr = NULL;
    int status = 0;

    g_ptr_array_add(argv, (gpointer)VALIDATE_TOOL);
    for (; *args; args++)
        g_ptr_array_add(argv, (gpointer)*args);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                      out, err, &status, &gerr))
        g_error("cannot run %s: %s", VALIDATE_TOOL, gerr->message);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void
test_tool(void)
{
    g_autofree char *good = g_build_filename(FIXTURE_DIR, "valid", "34-full-q35.xml", NULL);
    g_autofree char *good2 = g_build_filename(FIXTURE_DIR, "valid", "01-minimal.xml", NULL);
    g_autofree char *bad = g_build_filename(FIXTURE_DIR, "invalid", "device-unknown.xml", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *expect_out = NULL;
    const char *all_good[] = { good, good2, NULL };
    const char *mixed[] = { good, bad, NULL };
    const char *forced[] = { "--schema", "storagepool", good, NULL };
    const char *none[] = { NULL };

    if (!g_file_test(VALIDATE_TOOL, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("vireo-xml-validate is not built");
        return;
    }
    use_source_schemas();

    g_assert_cmpint(run_tool(all_good, &out, &err), ==, 0);
    expect_out = g_strdup_printf("%s validates\n%s validates\n", good, good2);
    g_assert_cmpstr(out, ==, expect_out);
    g_assert_cmpstr(err, ==, "");
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    g_clear_pointer(&expect_out, g_free);

    /* one bad file: status 1, the good one still reported */
    g_assert_cmpint(run_tool(mixed, &out, &err), ==, 1);
    expect_out = g_strdup_printf("%s validates\n", good);
    g_assert_cmpstr(out, ==, expect_out);
    g_assert_true(g_str_has_prefix(err, "XML document failed to validate against schema: "
                                        "Unable to validate doc against " SCHEMA_SRC_DIR
                                        "/domain.rng\n"));
    g_assert_nonnull(strstr(err, "Extra element devices in interleave\n"));
    g_assert_true(g_str_has_suffix(err, "device-unknown.xml fails to validate\n"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);

    /* --schema overrides the root element; that schema does not exist yet */
    g_assert_cmpint(run_tool(forced, &out, &err), ==, 1);
    g_assert_nonnull(strstr(err, SCHEMA_SRC_DIR "/storagepool.rng"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);

    /* usage error */
    g_assert_cmpint(run_tool(none, &out, &err), ==, 2);
    g_assert_nonnull(strstr(err, "no FILE given"));
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) valid = NULL;
    g_autoptr(GPtrArray) invalid = NULL;
    guint i;

    g_test_init(&argc, &argv, NULL);
    use_source_schemas();
    /* reported errors are asserted on; do not also print them */
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        return 1;

    g_test_add_func("/schema/dir", test_schema_dir);
    g_test_add_func("/schema/name-for-root", test_schema_name_for_root);
    g_test_add_func("/schema/fixtures/inventory", test_fixture_inventory);
    g_test_add_func("/schema/fixtures/valid-for-libvirt", test_valid_fixtures_libvirt);

    valid = list_fixtures("valid");
    for (i = 0; i < valid->len; i++) {
        const char *name = valid->pdata[i];
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        path = g_strdup_printf("/schema/valid/%s", name);
        g_test_add_data_func(path, name, test_valid_fixture);
    }
    invalid = list_fixtures("invalid");
    for (i = 0; i < invalid->len; i++) {
        const char *name = invalid->pdata[i];
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(name, ".xml"))
            continue;
        path = g_strdup_printf("/schema/invalid/%s", name);
        g_test_add_data_func(path, name, test_invalid_fixture);
    }

    g_test_add_func("/schema/error/format", test_error_format);
    g_test_add_func("/schema/error/malformed", test_error_malformed);
    g_test_add_func("/schema/error/bad-name", test_error_bad_name);
    g_test_add_func("/schema/error/unknown-root", test_error_unknown_root);
    g_test_add_func("/schema/error/missing-schema", test_error_missing_schema);
    g_test_add_func("/schema/error/broken-schema", test_error_broken_schema);
    g_test_add_func("/schema/error/no-stderr-noise", test_no_stderr_noise);
    g_test_add_func("/schema/handlers-restored", test_handlers_restored);
    g_test_add_func("/schema/validate-doc", test_validate_doc);
    g_test_add_func("/schema/cache", test_cache);
    g_test_add_func("/schema/threads", test_threads);
    g_test_add_func("/schema/tool", test_tool);

    return g_test_run();
}
