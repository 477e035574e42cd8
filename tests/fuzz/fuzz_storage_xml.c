/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the storage pool and volume XML parsers and
 * formatters (lib/conf/storage_conf*.c).
 *
 * The input is tried as a pool document and as a volume document in a pool
 * of every type (the pool type chooses the volume formats).  For every
 * input that parses:
 *   - format, parse the output again, format again: the two outputs must be
 *     identical (formatting is canonical, so one round trip is a fixpoint);
 *   - a deep copy formats exactly like the original;
 *   - the parsed definition passes the exported validate function (the
 *     parsers promise to return only valid definitions);
 *   - when the input is valid for the schema, the formatted output is
 *     valid too (the formatter never writes what the schema refuses).
 * For every input that does not parse, an error must have been reported
 * in the storage error domain (the report-once contract).  Any violation
 * prints both sides and aborts, which libFuzzer records as a crash.
 *
 * Volume documents are parsed with VIREO_STORAGE_VOL_PARSE_NO_CAPACITY as
 * well, and the round trip then uses the same flag.
 *
 * VIREO_FUZZ_SCHEMA_STRICT=1 also requires every schema-valid input to
 * parse (off by default: the parsers check what the schema cannot say,
 * such as a volume format that depends on the pool type).
 *
 * Corpus: tests/fuzz/corpus/storage_xml (run as the test
 * fuzz-storage-xml-corpus through fuzz_main.c).
 */
#include "vireo-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "conf/storage_conf.h"
#include "conf/vireo_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Storage XML is well under a KiB; larger inputs only slow the fuzzer. */
#define FUZZ_MAX_INPUT (64 * 1024)

static bool fuzz_schema_strict;
static VireoStoragePoolDef *fuzz_pools[VIREO_STORAGE_POOL_LAST];

static const char *const fuzz_pool_xml[VIREO_STORAGE_POOL_LAST] = {
    [VIREO_STORAGE_POOL_DIR] =
        "<pool type='dir'><name>d</name><target><path>/var/lib/libvirt/images</path></target></pool>",
    [VIREO_STORAGE_POOL_FS] =
        "<pool type='fs'><name>f</name><source><device path='/dev/sdb1'/></source>"
        "<target><path>/mnt/f</path></target></pool>",
    [VIREO_STORAGE_POOL_NETFS] =
        "<pool type='netfs'><name>n</name><source><host name='h'/><dir path='/e'/></source>"
        "<target><path>/mnt/n</path></target></pool>",
    [VIREO_STORAGE_POOL_LOGICAL] =
        "<pool type='logical'><name>vg</name><source><device path='/dev/sdc'/></source></pool>",
    [VIREO_STORAGE_POOL_DISK] =
        "<pool type='disk'><name>sdd</name><source><device path='/dev/sdd'/></source></pool>",
};

static void G_GNUC_NORETURN
fuzz_fail(const char *what, const char *input, const char *first, const char *second)
{
    const VireoError *err = vireo_error_last();

    fprintf(stderr, "fuzz-storage-xml: %s\n", what);
    if (err)
        fprintf(stderr, "--- last error: %s\n", err->message);
    fprintf(stderr, "--- input:\n%s\n", input);
    if (first)
        fprintf(stderr, "--- first:\n%s\n", first);
    if (second)
        fprintf(stderr, "--- second:\n%s\n", second);
    abort();
}

static void
fuzz_check_failure(const char *input, bool input_valid)
{
    const VireoError *err = vireo_error_last();

    if (!err)
        fuzz_fail("parse failed without reporting an error", input, NULL, NULL);
    if (err->domain != VIR_FROM_STORAGE)
        fuzz_fail("parse failed with an error outside the storage domain", input, NULL, NULL);
    if (input_valid && fuzz_schema_strict)
        fuzz_fail("the parser rejects a schema-valid document", input, NULL, NULL);
}

static void
fuzz_pool(const char *input, bool input_valid)
{
    g_autoptr(VireoStoragePoolDef) def1 = NULL;
    g_autoptr(VireoStoragePoolDef) def2 = NULL;
    g_autoptr(VireoStoragePoolDef) copy = NULL;
    g_autofree char *out1 = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    vireo_error_reset();
    if (!(def1 = vireo_storage_pool_def_parse_string(input, 0))) {
        fuzz_check_failure(input, input_valid);
        return;
    }
    if (vireo_storage_pool_def_validate(def1) < 0)
        fuzz_fail("a parsed pool does not validate", input, NULL, NULL);
    out1 = vireo_storage_pool_def_format(def1, 0);

    vireo_error_reset();
    if (!(def2 = vireo_storage_pool_def_parse_string(out1, 0)))
        fuzz_fail("formatted pool does not parse again", input, out1, NULL);
    out2 = vireo_storage_pool_def_format(def2, 0);
    if (strcmp(out1, out2) != 0)
        fuzz_fail("pool format is not stable across parse/format", input, out1, out2);

    if (input_valid && vireo_schema_validate_string("storagepool", out1, "formatted") < 0)
        fuzz_fail("the output for a schema-valid pool does not validate", input, out1, NULL);

    copy = vireo_storage_pool_def_copy(def1);
    out_copy = vireo_storage_pool_def_format(copy, VIREO_STORAGE_FORMAT_INACTIVE);
    if (strcmp(out1, out_copy) != 0)
        fuzz_fail("a deep copy of a pool formats differently", input, out1, out_copy);
}

static void
fuzz_vol(const VireoStoragePoolDef *pool, const char *input, bool input_valid,
         unsigned int flags)
{
    g_autoptr(VireoStorageVolDef) vol1 = NULL;
    g_autoptr(VireoStorageVolDef) vol2 = NULL;
    g_autoptr(VireoStorageVolDef) copy = NULL;
    g_autofree char *out1 = NULL;
    g_autofree char *out2 = NULL;
    g_autofree char *out_copy = NULL;

    vireo_error_reset();
    if (!(vol1 = vireo_storage_vol_def_parse_string(pool, input, flags))) {
        /* the schema cannot tell which formats a pool type takes, and
         * leaves <capacity> optional for clones */
        fuzz_check_failure(input, input_valid && pool->type == VIREO_STORAGE_POOL_DIR &&
                                  (flags & VIREO_STORAGE_VOL_PARSE_NO_CAPACITY));
        return;
    }
    if (vireo_storage_vol_def_validate(pool, vol1) < 0)
        fuzz_fail("a parsed volume does not validate", input, NULL, NULL);
    out1 = vireo_storage_vol_def_format(pool, vol1, 0);

    vireo_error_reset();
    if (!(vol2 = vireo_storage_vol_def_parse_string(pool, out1, flags)))
        fuzz_fail("formatted volume does not parse again", input, out1, NULL);
    out2 = vireo_storage_vol_def_format(pool, vol2, 0);
    if (strcmp(out1, out2) != 0)
        fuzz_fail("volume format is not stable across parse/format", input, out1, out2);

    if (input_valid && vireo_schema_validate_string("storagevol", out1, "formatted") < 0)
        fuzz_fail("the output for a schema-valid volume does not validate", input, out1, NULL);

    copy = vireo_storage_vol_def_copy(vol1);
    out_copy = vireo_storage_vol_def_format(pool, copy, 0);
    if (strcmp(out1, out_copy) != 0)
        fuzz_fail("a deep copy of a volume formats differently", input, out1, out_copy);
}

static bool
fuzz_schema_valid(const char *schema, const char *input)
{
    vireo_error_reset();
    if (vireo_schema_validate_string(schema, input, "input") == 0)
        return true;
    if (vireo_error_last() && vireo_error_last()->code == VIR_ERR_OPERATION_FAILED)
        fuzz_fail("cannot load the storage schemas (set VIREO_SCHEMA_DIR)", input, NULL, NULL);
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gsize initialized;
    g_autofree char *input = NULL;
    bool pool_valid;
    bool vol_valid;
    int t;

    if (g_once_init_enter(&initialized)) {
        /* every rejected input reports an error; don't log them all */
        if (vireo_log_set_outputs("4:file:/dev/null") < 0)
            abort();
        fuzz_schema_strict = g_strcmp0(g_getenv("VIREO_FUZZ_SCHEMA_STRICT"), "1") == 0;
        for (t = 0; t < VIREO_STORAGE_POOL_LAST; t++) {
            if (!(fuzz_pools[t] = vireo_storage_pool_def_parse_string(fuzz_pool_xml[t], 0)))
                fuzz_fail("a built-in pool does not parse", fuzz_pool_xml[t], NULL, NULL);
        }
        g_once_init_leave(&initialized, 1);
    }
    if (size > FUZZ_MAX_INPUT)
        return 0;

    /* the API takes a C string: an embedded NUL ends the document */
    input = g_strndup((const char *)data, size);

    pool_valid = fuzz_schema_valid("storagepool", input);
    vol_valid = fuzz_schema_valid("storagevol", input);

    fuzz_pool(input, pool_valid);
    for (t = 0; t < VIREO_STORAGE_POOL_LAST; t++)
        fuzz_vol(fuzz_pools[t], input, vol_valid, 0);
    fuzz_vol(fuzz_pools[VIREO_STORAGE_POOL_DIR], input, vol_valid,
             VIREO_STORAGE_VOL_PARSE_NO_CAPACITY);
    vireo_error_reset();
    return 0;
}
