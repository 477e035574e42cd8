/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_XML
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "conf/vireo_schema.h"

VIREO_LOG_MODULE("conf.schema");

#ifndef VIREO_DATADIR
# define VIREO_DATADIR "/usr/share/vireo"
#endif

/* Enough diagnostics to locate the problem without flooding a client. */
#define SCHEMA_MAX_ERROR_LINES 20

#if LIBXML_VERSION >= 21200
typedef const xmlError *SchemaXmlError;
#else
typedef xmlError *SchemaXmlError;
#endif

/* Compiled schemas keyed by absolute file path, so that changing
 * VIREO_SCHEMA_DIR (tests) picks up a different file without confusion. */
static GMutex schema_cache_lock;
static GHashTable *schema_cache;

/* ------------------------------------------------------------------ */
/* Collecting libxml2 diagnostics                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *xml_name;
    GPtrArray *lines;      /* char *, one per diagnostic */
    guint dropped;         /* diagnostics beyond SCHEMA_MAX_ERROR_LINES */
    GString *generic;      /* unstructured fragments (xmlGenericError) */
    /* the calling thread's handlers, restored when capture ends */
    xmlStructuredErrorFunc saved_serror;
    void *saved_serror_ctx;
    xmlGenericErrorFunc saved_generic;
    void *saved_generic_ctx;
} SchemaErrors;

static void
schema_errors_add(SchemaErrors *errs, char *line)
{
    g_strstrip(line);
    if (!*line) {
        g_free(line);
        return;
    }
    /* libxml2 repeats diagnostics while backtracking */
    if (g_ptr_array_find_with_equal_func(errs->lines, line, g_str_equal, NULL)) {
        g_free(line);
        return;
    }
    if (errs->lines->len >= SCHEMA_MAX_ERROR_LINES) {
        errs->dropped++;
        g_free(line);
        return;
    }
    g_ptr_array_add(errs->lines, line);
}

static void
schema_structured_error_cb(void *opaque, SchemaXmlError err)
{
    SchemaErrors *errs = opaque;
    g_autofree char *msg = NULL;
    const xmlNode *node;

    if (!err || err->level == XML_ERR_WARNING)
        return;

    msg = g_strstrip(g_strdup(err->message ? err->message : "unknown libxml2 error"));
    node = err->node;

    if (node && node->type == XML_ELEMENT_NODE && node->name) {
        schema_errors_add(errs, g_strdup_printf("%s (%s line %ld, at element '%s')",
                                                msg, errs->xml_name,
                                                xmlGetLineNo(node),
                                                (const char *)node->name));
    } else if (err->line > 0) {
        schema_errors_add(errs, g_strdup_printf("%s (%s line %d)", msg,
                                                errs->xml_name, err->line));
    } else {
        schema_errors_add(errs, g_steal_pointer(&msg));
    }
}

static void G_GNUC_PRINTF(2, 3)
schema_generic_error_cb(void *opaque, const char *fmt, ...)
{
    SchemaErrors *errs = opaque;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(errs->generic, fmt, ap);
    va_end(ap);
}

/* Route every libxml2 diagnostic raised by this thread into @errs until
 * schema_errors_end().  libxml2 keeps these handlers per thread, so other
 * threads are unaffected. */
static void
schema_errors_begin(SchemaErrors *errs, const char *xml_name)
{
    errs->xml_name = xml_name ? xml_name : "(document)";
    errs->lines = g_ptr_array_new_with_free_func(g_free);
    errs->dropped = 0;
    errs->generic = g_string_new(NULL);

    errs->saved_serror = xmlStructuredError;
    errs->saved_serror_ctx = xmlStructuredErrorContext;
    errs->saved_generic = xmlGenericError;
    errs->saved_generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(errs, schema_structured_error_cb);
    xmlSetGenericErrorFunc(errs, schema_generic_error_cb);
}

static void
schema_errors_end(SchemaErrors *errs)
{
    g_auto(GStrv) parts = NULL;
    size_t i;

    xmlSetStructuredErrorFunc(errs->saved_serror_ctx, errs->saved_serror);
    xmlSetGenericErrorFunc(errs->saved_generic_ctx, errs->saved_generic);

    parts = g_strsplit(errs->generic->str, "\n", -1);
    for (i = 0; parts[i]; i++)
        schema_errors_add(errs, g_strdup(parts[i]));
    g_string_free(errs->generic, TRUE);
    errs->generic = NULL;
}

static void
schema_errors_clear(SchemaErrors *errs)
{
    if (errs->lines)
        g_ptr_array_unref(errs->lines);
    errs->lines = NULL;
    if (errs->generic)
        g_string_free(errs->generic, TRUE);
    errs->generic = NULL;
}

/* All collected diagnostics, one per line, or @fallback when libxml2 said
 * nothing. */
static char *
schema_errors_text(const SchemaErrors *errs, const char *fallback)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < errs->lines->len; i++) {
        if (i > 0)
            g_string_append_c(out, '\n');
        g_string_append(out, g_ptr_array_index(errs->lines, i));
    }
    if (errs->dropped > 0)
        g_string_append_printf(out, "\n(%u more errors not shown)", errs->dropped);
    if (out->len == 0)
        g_string_append(out, fallback);
    return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Locating and loading schemas                                        */
/* ------------------------------------------------------------------ */

static void
schema_init_libxml(void)
{
    static gsize initialized;

    if (g_once_init_enter(&initialized)) {
        xmlInitParser();
        g_once_init_leave(&initialized, 1);
    }
}

char *
vireo_schema_dir(void)
{
    const char *env = g_getenv("VIREO_SCHEMA_DIR");

    if (env && *env)
        return g_strdup(env);
    if (g_file_test(VIREO_SRCDIR "/schemas", G_FILE_TEST_IS_DIR))
        return g_strdup(VIREO_SRCDIR "/schemas");
    return g_strdup(VIREO_DATADIR "/schemas");
}

const char *
vireo_schema_name_for_root(const char *root_name)
{
    static const struct {
        const char *root;
        const char *schema;
    } map[] = {
        { "domain", "domain" },
        { "pool", "storagepool" },
        { "volume", "storagevol" },
        { "network", "network" },
    };
    size_t i;

    if (!root_name)
        return NULL;
    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_equal(map[i].root, root_name))
            return map[i].schema;
    }
    return NULL;
}

/* Schema names become file names: keep them to [a-z0-9_-]. */
static bool
schema_name_is_valid(const char *name)
{
    const char *p;

    if (!name || !g_ascii_islower(name[0]))
        return false;
    for (p = name; *p; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_' && *p != '-')
            return false;
    }
    return true;
}

static xmlRelaxNG *
schema_compile(const char *path)
{
    SchemaErrors errs = { 0 };
    xmlRelaxNGParserCtxt *pctxt = NULL;
    xmlRelaxNG *rng = NULL;
    g_autofree char *text = NULL;

    schema_errors_begin(&errs, path);
    pctxt = xmlRelaxNGNewParserCtxt(path);
    if (pctxt) {
        xmlRelaxNGSetParserStructuredErrors(pctxt, schema_structured_error_cb, &errs);
        rng = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
    }
    schema_errors_end(&errs);

    if (!rng) {
        text = schema_errors_text(&errs, "no diagnostic from libxml2");
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot compile RelaxNG schema '%s' (reinstall Vireo or "
                           "point VIREO_SCHEMA_DIR at a good copy):\n%s",
                           path, text);
    }
    schema_errors_clear(&errs);
    return rng;
}

static void
schema_free_cb(gpointer data)
{
    xmlRelaxNGFree(data);
}

/* The compiled schema for @schema_name; fills @path_out (caller frees). */
static xmlRelaxNG *
schema_lookup(const char *schema_name, char **path_out)
{
    g_autofree char *dir = NULL;
    g_autofree char *file = NULL;
    g_autofree char *path = NULL;
    xmlRelaxNG *rng;

    if (!schema_name_is_valid(schema_name)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "invalid schema name '%s': expected a plain name such as 'domain'",
                           schema_name ? schema_name : "(null)");
        return NULL;
    }

    schema_init_libxml();
    dir = vireo_schema_dir();
    file = g_strdup_printf("%s.rng", schema_name);
    path = g_build_filename(dir, file, NULL);

    g_mutex_lock(&schema_cache_lock);
    if (!schema_cache)
        schema_cache = g_hash_table_new_full(g_str_hash, g_str_equal,
                                             g_free, schema_free_cb);
    rng = g_hash_table_lookup(schema_cache, path);
    if (!rng) {
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "cannot find RelaxNG schema '%s' for '%s' documents: "
                               "no such file (set VIREO_SCHEMA_DIR to the directory "
                               "holding Vireo's schemas)",
                               path, schema_name);
        } else if ((rng = schema_compile(path))) {
            VIREO_DEBUG("compiled schema %s", path);
            g_hash_table_insert(schema_cache, g_strdup(path), rng);
        }
    }
    g_mutex_unlock(&schema_cache_lock);

    if (rng)
        *path_out = g_steal_pointer(&path);
    return rng;
}

void
vireo_schema_cache_clear(void)
{
    g_mutex_lock(&schema_cache_lock);
    g_clear_pointer(&schema_cache, g_hash_table_unref);
    g_mutex_unlock(&schema_cache_lock);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

int
vireo_schema_validate_doc(const char *schema_name, xmlDoc *doc,
                          const char *xml_name)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    SchemaErrors errs = { 0 };
    xmlRelaxNGValidCtxt *vctxt;
    xmlRelaxNG *rng;
    int rc;

    if (!doc) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "no XML document to validate");
        return -1;
    }
    if (!schema_name) {
        xmlNode *root = xmlDocGetRootElement(doc);
        const char *root_name = root ? (const char *)root->name : "";

        if (!(schema_name = vireo_schema_name_for_root(root_name))) {
            vireo_error_report(VIR_ERR_XML_INVALID_SCHEMA,
                               "no schema for root element <%s> of %s: expected "
                               "<domain>, <pool>, <volume> or <network>",
                               root_name, xml_name ? xml_name : "(document)");
            return -1;
        }
    }
    if (!(rng = schema_lookup(schema_name, &path)))
        return -1;

    /* A compiled schema is read-only during validation; each call gets its
     * own validation context, which holds all mutable state. */
    schema_errors_begin(&errs, xml_name);
    vctxt = xmlRelaxNGNewValidCtxt(rng);
    if (vctxt) {
        xmlRelaxNGSetValidStructuredErrors(vctxt, schema_structured_error_cb, &errs);
        rc = xmlRelaxNGValidateDoc(vctxt, doc);
        xmlRelaxNGFreeValidCtxt(vctxt);
    } else {
        rc = -1;
    }
    schema_errors_end(&errs);

    if (rc != 0) {
        text = schema_errors_text(&errs, "libxml2 reported no detail");
        vireo_error_report(VIR_ERR_XML_INVALID_SCHEMA,
                           "Unable to validate doc against %s\n%s", path, text);
        schema_errors_clear(&errs);
        return -1;
    }

    schema_errors_clear(&errs);
    VIREO_DEBUG("%s validates against %s", errs.xml_name, path);
    return 0;
}

int
vireo_schema_validate_string(const char *schema_name, const char *xml,
                             const char *xml_name)
{
    g_autofree char *text = NULL;
    SchemaErrors errs = { 0 };
    xmlParserCtxt *pctxt = NULL;
    xmlDoc *doc = NULL;
    size_t len;
    int ret;

    if (!xml) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "no XML text to validate");
        return -1;
    }
    len = strlen(xml);
    if (len > INT_MAX) {
        vireo_error_report(VIR_ERR_XML_DETAIL, "%s: document too large (%zu bytes)",
                           xml_name ? xml_name : "(document)", len);
        return -1;
    }

    schema_init_libxml();

    /* No network, no entity substitution, no DTD loading: user XML only
     * ever gets parsed, never expanded. */
    schema_errors_begin(&errs, xml_name);
    if ((pctxt = xmlNewParserCtxt())) {
        doc = xmlCtxtReadMemory(pctxt, xml, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
        if (!doc && errs.lines->len == 0) {
            const xmlError *last = xmlCtxtGetLastError(pctxt);

            if (last && last->message) {
                g_autofree char *msg = g_strstrip(g_strdup(last->message));

                schema_errors_add(&errs, g_strdup_printf("%s (%s line %d)", msg,
                                                         errs.xml_name, last->line));
            }
        }
        xmlFreeParserCtxt(pctxt);
    }
    schema_errors_end(&errs);

    if (!doc) {
        text = schema_errors_text(&errs, "not well-formed XML");
        vireo_error_report(VIR_ERR_XML_DETAIL, "cannot parse %s: %s",
                           errs.xml_name, text);
        schema_errors_clear(&errs);
        return -1;
    }
    schema_errors_clear(&errs);

    ret = vireo_schema_validate_doc(schema_name, doc, xml_name);
    xmlFreeDoc(doc);
    return ret;
}
