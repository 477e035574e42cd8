/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo-xml-validate: check XML documents against Vireo's RelaxNG schemas.
 *
 *   vireo-xml-validate [--schema NAME] FILE...
 *
 * The schema is chosen from each document's root element (<domain> ->
 * domain.rng, <pool> -> storagepool.rng, <volume> -> storagevol.rng,
 * <network> -> network.rng) unless --schema forces one.  "-" reads standard
 * input.  Prints "FILE validates" on stdout for each good document, the
 * diagnostics and "FILE fails to validate" on stderr for each bad one.
 * Exit status: 0 when every document validates, 1 when any does not, 2 on
 * usage errors.
 */
#include "vireo-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "conf/vireo_schema.h"

/* Domain XML is a few KiB; anything near this is not a definition. */
#define VALIDATE_MAX_FILE_SIZE (64 * 1024 * 1024)

static char *
read_input(const char *file)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GIOChannel) chan = NULL;
    char *data = NULL;
    gsize len = 0;

    if (!g_str_equal(file, "-"))
        return vireo_file_read_all(file, VALIDATE_MAX_FILE_SIZE, NULL);

    chan = g_io_channel_unix_new(STDIN_FILENO);
    if (g_io_channel_set_encoding(chan, NULL, &gerr) != G_IO_STATUS_NORMAL ||
        g_io_channel_read_to_end(chan, &data, &len, &gerr) != G_IO_STATUS_NORMAL) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "cannot read standard input: %s",
                           gerr ? gerr->message : "unknown error");
        g_free(data);
        return NULL;
    }
    if (len > VALIDATE_MAX_FILE_SIZE) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR,
                           "standard input is larger than %d bytes",
                           VALIDATE_MAX_FILE_SIZE);
        g_free(data);
        return NULL;
    }
    return data;
}

static bool
validate_one(const char *file, const char *schema)
{
    g_autofree char *xml = NULL;
    const char *name = g_str_equal(file, "-") ? "(stdin)" : file;

    vireo_error_reset();
    if (!(xml = read_input(file)) ||
        vireo_schema_validate_string(schema, xml, name) < 0) {
        const VireoError *err = vireo_error_last();

        fprintf(stderr, "%s\n%s fails to validate\n",
                err ? err->message : "unknown error", name);
        return false;
    }
    printf("%s validates\n", name);
    return true;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *schema = NULL;
    g_auto(GStrv) files = NULL;
    GOptionEntry entries[] = {
        { "schema", 's', 0, G_OPTION_ARG_STRING, &schema,
          "validate against NAME.rng instead of choosing by root element "
          "(domain, storagepool, storagevol, network)", "NAME" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
          NULL, "FILE..." },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    bool ok = true;
    size_t i;

    ctx = g_option_context_new("- validate XML against Vireo's schemas");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "The schema directory is $VIREO_SCHEMA_DIR, else the source tree's "
        "schemas/, else the installed copy.\n"
        "Exit status: 0 all valid, 1 some invalid, 2 usage error.");
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        fprintf(stderr, "vireo-xml-validate: %s\n", gerr->message);
        return 2;
    }
    if (!files || !files[0]) {
        g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);

        fprintf(stderr, "vireo-xml-validate: no FILE given\n%s", help);
        return 2;
    }

    /* Errors are printed once, below; the error log would repeat them. */
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        return 2;

    for (i = 0; files[i]; i++) {
        if (!validate_one(files[i], schema))
            ok = false;
    }
    vireo_schema_cache_clear();
    return ok ? 0 : 1;
}
