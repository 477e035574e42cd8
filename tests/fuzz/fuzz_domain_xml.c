/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the domain XML parser and formatter (lib/conf).
 *
 * For every input that parses:
 *   - format, parse the output again, format again: the two outputs must be
 *     identical (formatting is canonical, so one round trip is a fixpoint);
 *   - a deep copy formats exactly like the original;
 *   - the same holds for the inactive (persistent config) view;
 *   - when the input is valid for schemas/domain.rng, the formatted output
 *     is valid too (the formatter never writes what the schema refuses).
 * For every input that does not parse, an error must have been reported
 * (the report-once contract).  Any violation prints both sides and aborts,
 * which libFuzzer records as a crash.
 *
 * VIREO_FUZZ_SCHEMA_STRICT=1 also requires every schema-valid input to
 * parse.  It is off by default because the parser makes semantic checks
 * the schema cannot express (a tablet on the ps2 bus, zero memory); turn
 * it on to look for places where the two disagree.
 *
 * Corpus: tests/fuzz/corpus/domain_xml (run as the test
 * fuzz-domain-xml-corpus through fuzz_main.c).
 */
#include "vireo-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "conf/domain_conf.h"
#include "conf/vireo_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Domain XML is a few KiB; larger inputs only slow the fuzzer down. */
#define FUZZ_MAX_INPUT (256 * 1024)

static void G_GNUC_NORETURN
fuzz_fail(const char *what, const char *input, const char *first, const char *second)
{
    const VireoError *err = vireo_error_last();

    fprintf(stderr, "fuzz-domain-xml: %s\n", what);
    if (err)
        fprintf(stderr, "--- last error: %s\n", err->message);
    fprintf(stderr, "--- input:\n%s\n", input);
    if (first)
        fprintf(stderr, "--- first:\n%s\n", first);
    if (second)
        fprintf(stderr, "--- second:\n%s\n", second);
    abort();
}

static bool fuzz_schema_strict;

static void
fuzz_round_trip(const char *input, bool input_valid,
                unsigned int parse_flags, unsigned int format_flags)
{
    g_autoptr(VireoDomainDef) def1 = NULL;
    g_autoptr(VireoDomainDef) def2 = NULL;
    g_autoptr(VireoDomainDef) copy = NULL;
    g_autofree char *out1 = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;
    g_autofree char *out_live = NULL;

    vireo_error_reset();
    if (!(def1 = vireo_domain_def_parse_string(input, parse_flags))) {
        if (!vireo_error_last())
            fuzz_fail("parse failed without reporting an error", input, NULL, NULL);
        if (input_valid && fuzz_schema_strict)
            fuzz_fail("the parser rejects a schema-valid document", input, NULL, NULL);
        return;
    }

    out1 = vireo_domain_def_format(def1, -1, format_flags);
    if (!out1)
        fuzz_fail("format returned NULL", input, NULL, NULL);

    /* Our own output comes back with KEEP_ORDER, as the daemon reloads its
     * files: libvirt's insertion order (disks by bus, controllers by index,
     * both before defaults are filled in) may legitimately reorder it. */
    vireo_error_reset();
    if (!(def2 = vireo_domain_def_parse_string(out1, parse_flags | VIREO_DOMAIN_PARSE_KEEP_ORDER)))
        fuzz_fail("formatted output does not parse again", input, out1, NULL);
    out2 = vireo_domain_def_format(def2, -1, format_flags);
    if (strcmp(out1, out2) != 0)
        fuzz_fail("format is not stable across parse/format", input, out1, out2);

    if (input_valid && vireo_schema_validate_string("domain", out1, "formatted") < 0)
        fuzz_fail("the output for a schema-valid document does not validate",
                  input, out1, NULL);

    copy = vireo_domain_def_copy(def1);
    out_copy = vireo_domain_def_format(copy, -1, format_flags);
    if (strcmp(out1, out_copy) != 0)
        fuzz_fail("a deep copy formats differently", input, out1, out_copy);

    /* running view, with an id: only exercised, the id makes it differ */
    out_live = vireo_domain_def_format(def1, 42, 0);
    if (!out_live || !strstr(out_live, "<domain"))
        fuzz_fail("live format is not a domain", input, out_live, NULL);

    vireo_error_reset();
    if (vireo_domain_def_validate(def1) < 0 && !vireo_error_last())
        fuzz_fail("validate failed without reporting an error", input, out1, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gsize initialized;
    g_autofree char *input = NULL;
    bool valid;

    if (g_once_init_enter(&initialized)) {
        /* every rejected input reports an error; don't log them all */
        if (vireo_log_set_outputs("4:file:/dev/null") < 0)
            abort();
        fuzz_schema_strict = g_strcmp0(g_getenv("VIREO_FUZZ_SCHEMA_STRICT"), "1") == 0;
        g_once_init_leave(&initialized, 1);
    }
    if (size > FUZZ_MAX_INPUT)
        return 0;

    /* the API takes a C string: an embedded NUL ends the document */
    input = g_strndup((const char *)data, size);

    valid = vireo_schema_validate_string("domain", input, "input") == 0;
    if (!valid && vireo_error_last()->code == VIR_ERR_OPERATION_FAILED)
        fuzz_fail("cannot load schemas/domain.rng (set VIREO_SCHEMA_DIR)", input, NULL, NULL);

    fuzz_round_trip(input, valid, 0, VIREO_DOMAIN_FORMAT_SECURE);
    fuzz_round_trip(input, valid, VIREO_DOMAIN_PARSE_INACTIVE,
                    VIREO_DOMAIN_FORMAT_SECURE | VIREO_DOMAIN_FORMAT_INACTIVE);
    vireo_error_reset();
    return 0;
}
