/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the QMP reader: the JSON value API
 * (lib/util/vireo_json.c) and the QMP stream splitter/classifier
 * (drivers/qemu/qemu_monitor_parser.c).  The input is what a (possibly
 * hostile) QEMU writes on its monitor socket.
 *
 * Checks, each aborting with both sides printed on violation:
 *   - JSON: when the whole input parses, formatting it (compact and pretty)
 *     gives text that parses to an equal tree, and compact formatting is a
 *     fixpoint (format(parse(format(v))) == format(v)); when it does not,
 *     the quiet parser gave a reason and the reporting parser reported.
 *   - QMP: feeding the input whole, split at a point chosen by the input and
 *     (for inputs up to 4 KiB) byte by byte yields the same sequence of
 *     messages and rejections; every message has the fields its kind
 *     promises.  A small line limit variant exercises the oversized-line
 *     path; everything before the oversized line must still come out.
 *
 * Corpus: tests/fuzz/corpus/qmp (run as the test fuzz-qmp-corpus through
 * fuzz_main.c).
 */
#include "vireo-config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/vireo_error.h"
#include "util/vireo_json.h"
#include "util/vireo_log.h"
#include "qemu/qemu_monitor_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (1024 * 1024)
#define BYTEWISE_MAX 4096
#define SMALL_LIMIT 64

static void G_GNUC_NORETURN
fuzz_fail(const char *what, const char *first, const char *second)
{
    const VireoError *err = vireo_error_last();

    fprintf(stderr, "fuzz-qmp: %s\n", what);
    if (err)
        fprintf(stderr, "--- last error: %s\n", err->message);
    if (first)
        fprintf(stderr, "--- first:\n%s\n", first);
    if (second)
        fprintf(stderr, "--- second:\n%s\n", second);
    abort();
}

static void
check_json(const char *text, size_t size)
{
    g_autofree char *why = NULL;
    g_autoptr(VireoJSON) v = vireo_json_parse_quiet(text, size, &why);
    g_autoptr(VireoJSON) again = NULL;
    g_autoptr(VireoJSON) pretty_again = NULL;
    g_autofree char *compact = NULL;
    g_autofree char *compact2 = NULL;
    g_autofree char *pretty = NULL;

    if (!v) {
        g_autoptr(VireoJSON) v2 = NULL;

        if (!why || !*why)
            fuzz_fail("quiet parse failed without a reason", NULL, NULL);
        vireo_error_reset();
        if ((v2 = vireo_json_parse(text, size)))
            fuzz_fail("parse and parse_quiet disagree", why, NULL);
        if (!vireo_error_last() || vireo_error_last()->code != VIR_ERR_INTERNAL_ERROR)
            fuzz_fail("parse failed without reporting", why, NULL);
        vireo_error_reset();
        return;
    }
    if (why)
        fuzz_fail("parse succeeded but set a reason", why, NULL);

    /* everything the parser accepts can be formatted: UTF-8 was validated
     * and depth is below the generator's limit */
    if (!(compact = vireo_json_format(v, false)))
        fuzz_fail("cannot format a parsed value", NULL, NULL);
    if (!(pretty = vireo_json_format(v, true)))
        fuzz_fail("cannot pretty-format a parsed value", compact, NULL);
    if (!(again = vireo_json_parse(compact, strlen(compact))))
        fuzz_fail("formatted JSON does not parse", compact, NULL);
    if (!vireo_json_equal(v, again))
        fuzz_fail("compact round trip changed the value", compact, NULL);
    if (!(pretty_again = vireo_json_parse(pretty, strlen(pretty))))
        fuzz_fail("pretty JSON does not parse", pretty, NULL);
    if (!vireo_json_equal(v, pretty_again))
        fuzz_fail("pretty round trip changed the value", compact, pretty);
    if (!(compact2 = vireo_json_format(again, false)) || strcmp(compact, compact2) != 0)
        fuzz_fail("compact formatting is not a fixpoint", compact, compact2);
    {
        g_autoptr(VireoJSON) copy = vireo_json_copy(v);

        if (!vireo_json_equal(v, copy))
            fuzz_fail("copy differs", compact, NULL);
    }
}

static void
check_message(const QemuMonitorMessage *m)
{
    switch (m->kind) {
    case QEMU_MONITOR_MESSAGE_GREETING:
        if (!vireo_json_object_get_object(m->json, "QMP"))
            fuzz_fail("greeting without QMP object", NULL, NULL);
        break;
    case QEMU_MONITOR_MESSAGE_REPLY:
        if (m->is_error ? (!m->error_class || !m->error_desc || m->ret) : !m->ret)
            fuzz_fail("reply fields inconsistent", NULL, NULL);
        break;
    case QEMU_MONITOR_MESSAGE_EVENT:
        if (!m->event || !*m->event || m->micros >= 1000000)
            fuzz_fail("event fields inconsistent", m->event, NULL);
        break;
    default:
        fuzz_fail("unknown message kind", NULL, NULL);
    }
}

/* Describe every outcome of draining @p into @out. */
static void
drain(QemuMonitorParser *p, GString *out)
{
    for (;;) {
        QemuMonitorMessage *m = NULL;
        int r = qemu_monitor_parser_next(p, &m);

        if (r == 0)
            return;
        if (r < 0) {
            if (m)
                fuzz_fail("next() failed but returned a message", NULL, NULL);
            if (!vireo_error_last())
                fuzz_fail("next() failed without reporting", NULL, NULL);
            vireo_error_reset();
            g_string_append(out, "REJECT\n");
            continue;
        }
        check_message(m);
        {
            g_autofree char *json = vireo_json_format(m->json, false);

            if (!json)
                fuzz_fail("cannot format a message", NULL, NULL);
            g_string_append_printf(out, "%s %s\n", qemu_monitor_message_kind_name(m->kind), json);
        }
        qemu_monitor_message_free(m);
    }
}

/* Feed @text in pieces of at most @step bytes (0: whole), with an extra
 * cut at @cut.  Returns the description of the outcome. */
static char *
run_stream(const char *text, size_t size, size_t step, size_t cut, gsize limit)
{
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(limit);
    GString *out = g_string_new(NULL);
    size_t pos = 0;

    while (pos < size) {
        size_t n = step ? MIN(step, size - pos) : size - pos;

        if (pos < cut && pos + n > cut)
            n = cut - pos;
        if (qemu_monitor_parser_feed(p, text + pos, n) < 0) {
            if (!vireo_error_last())
                fuzz_fail("feed() failed without reporting", NULL, NULL);
            vireo_error_reset();
            drain(p, out);
            g_string_append(out, "BROKEN\n");
            /* a broken stream stays broken */
            if (qemu_monitor_parser_feed(p, "\n", 1) != -1)
                fuzz_fail("broken stream accepted more input", out->str, NULL);
            vireo_error_reset();
            break;
        }
        drain(p, out);
        pos += n;
    }
    return g_string_free(out, FALSE);
}

static void
check_stream(const char *text, size_t size, size_t cut, gsize limit)
{
    g_autofree char *whole = run_stream(text, size, 0, size, limit);
    g_autofree char *split = run_stream(text, size, 0, cut, limit);

    if (strcmp(whole, split) != 0)
        fuzz_fail("split feed differs from whole feed", whole, split);
    if (size <= BYTEWISE_MAX) {
        g_autofree char *bytewise = run_stream(text, size, 1, size, limit);

        if (strcmp(whole, bytewise) != 0)
            fuzz_fail("bytewise feed differs from whole feed", whole, bytewise);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gsize initialized;
    const char *text = (const char *)data;
    size_t cut;

    if (g_once_init_enter(&initialized)) {
        /* every rejected input reports an error; don't log them all */
        if (vireo_log_set_outputs("4:file:/dev/null") < 0)
            abort();
        g_once_init_leave(&initialized, 1);
    }
    if (size > FUZZ_MAX_INPUT)
        return 0;

    check_json(text, size);

    cut = size ? (data[0] * 257u + data[size - 1]) % (size + 1) : 0;
    check_stream(text, size, cut, 0);
    check_stream(text, size, cut, SMALL_LIMIT);
    vireo_error_reset();
    return 0;
}
