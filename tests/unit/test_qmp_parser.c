/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP stream splitter (drivers/qemu/qemu_monitor_parser.c) and the JSON
 * value API under it (lib/util/vireo_json.c).
 *
 * The splitter is fed a recorded QEMU 7.2 session in every possible split:
 * once whole, cut at every byte boundary into two chunks, byte by byte and
 * in pseudo-random chunk sizes; each run must produce exactly the expected
 * message sequence.
 */
#include "vireo-config.h"

#include <math.h>
#include <string.h>

#include "util/vireo_error.h"
#include "util/vireo_json.h"
#include "qemu/qemu_monitor_parser.h"

static void
assert_error(int code, const char *needle)
{
    const VireoError *err = vireo_error_last();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (needle && !strstr(err->message, needle))
        g_error("error message '%s' lacks '%s'", err->message, needle);
    vireo_error_reset();
}

/* ---- JSON -------------------------------------------------------------- */

static void
test_json_roundtrip(void)
{
    const char *text =
        "{\"a\":1,\"b\":[true,false,null,\"x\\\"y\\\\z\\u00e9\\n\"],"
        "\"c\":{\"d\":-12.5e3,\"e\":{}},\"f\":[],\"big\":18446744073709551615}";
    g_autoptr(VireoJSON) v = vireo_json_parse(text, strlen(text));
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    g_autoptr(VireoJSON) again = NULL;
    g_autoptr(VireoJSON) copy = NULL;
    const char *key = NULL;

    g_assert_nonnull(v);
    g_assert_cmpint(vireo_json_get_type(v), ==, VIREO_JSON_OBJECT);
    out = vireo_json_format(v, false);
    /* numbers keep their text; the string escapes are normalised by yajl */
    g_assert_cmpstr(out, ==,
                    "{\"a\":1,\"b\":[true,false,null,\"x\\\"y\\\\z\xc3\xa9\\n\"],"
                    "\"c\":{\"d\":-12.5e3,\"e\":{}},\"f\":[],\"big\":18446744073709551615}");
    again = vireo_json_parse(out, strlen(out));
    g_assert_true(vireo_json_equal(v, again));
    out2 = vireo_json_format(again, false);
    g_assert_cmpstr(out, ==, out2);

    g_assert_cmpstr(vireo_json_get_string(vireo_json_array_get(vireo_json_object_get(v, "b"), 3)),
                    ==, "x\"y\\z\xc3\xa9\n");
    g_assert_cmpuint(vireo_json_array_size(vireo_json_object_get(v, "b")), ==, 4);
    g_assert_null(vireo_json_array_get(vireo_json_object_get(v, "b"), 4));
    g_assert_true(vireo_json_is_null(vireo_json_array_get(vireo_json_object_get(v, "b"), 2)));
    g_assert_cmpuint(vireo_json_object_size(v), ==, 5);
    g_assert_nonnull(vireo_json_object_member(v, 2, &key));
    g_assert_cmpstr(key, ==, "c");

    copy = vireo_json_copy(v);
    g_assert_true(vireo_json_equal(v, copy));
    vireo_json_object_add_int(copy, "a", 2);
    g_assert_false(vireo_json_equal(v, copy));
}

static void
test_json_numbers(void)
{
    const char *text = "[9223372036854775807,-9223372036854775808,9223372036854775808,"
                       "18446744073709551616,1.5,-0,1e400,3]";
    g_autoptr(VireoJSON) v = vireo_json_parse(text, strlen(text));
    gint64 i = 7;
    guint64 u = 7;
    double d = 0;
    bool b = false;

    g_assert_nonnull(v);
    g_assert_true(vireo_json_get_int64(vireo_json_array_get(v, 0), &i));
    g_assert_cmpint(i, ==, G_MAXINT64);
    g_assert_true(vireo_json_get_int64(vireo_json_array_get(v, 1), &i));
    g_assert_cmpint(i, ==, G_MININT64);
    g_assert_false(vireo_json_get_int64(vireo_json_array_get(v, 2), &i));
    g_assert_cmpint(i, ==, G_MININT64);    /* untouched on failure */
    g_assert_true(vireo_json_get_uint64(vireo_json_array_get(v, 2), &u));
    g_assert_cmpuint(u, ==, (guint64)G_MAXINT64 + 1);
    g_assert_false(vireo_json_get_uint64(vireo_json_array_get(v, 3), &u));
    g_assert_false(vireo_json_get_uint64(vireo_json_array_get(v, 1), &u));
    g_assert_false(vireo_json_get_int64(vireo_json_array_get(v, 4), &i));
    g_assert_true(vireo_json_get_double(vireo_json_array_get(v, 4), &d));
    g_assert_cmpfloat(d, ==, 1.5);
    g_assert_true(vireo_json_get_int64(vireo_json_array_get(v, 5), &i));
    g_assert_cmpint(i, ==, 0);
    g_assert_false(vireo_json_get_double(vireo_json_array_get(v, 6), &d));
    g_assert_cmpfloat(d, ==, 1.5);
    g_assert_true(vireo_json_get_double(vireo_json_array_get(v, 7), &d));
    g_assert_cmpfloat(d, ==, 3.0);
    g_assert_false(vireo_json_get_bool(vireo_json_array_get(v, 7), &b));
    g_assert_cmpstr(vireo_json_get_number_text(vireo_json_array_get(v, 6)), ==, "1e400");
}

static void
test_json_build(void)
{
    g_autoptr(VireoJSON) obj = vireo_json_new_object();
    g_autoptr(VireoJSON) stolen = NULL;
    VireoJSON *arr = vireo_json_new_array();
    g_autofree char *compact = NULL;
    g_autofree char *pretty = NULL;
    gint64 i = 0;
    guint64 u = 0;
    bool b = false;

    vireo_json_object_add_string(obj, "execute", "device_del");
    vireo_json_object_add_int(obj, "n", -5);
    vireo_json_object_add_uint(obj, "u", G_MAXUINT64);
    vireo_json_object_add_bool(obj, "flag", true);
    vireo_json_object_add_double(obj, "half", 0.5);
    vireo_json_object_add_double(obj, "nan", NAN);
    vireo_json_array_append(arr, vireo_json_new_string("x"));
    vireo_json_array_append(arr, vireo_json_new_string(NULL));
    vireo_json_object_add(obj, "list", arr);
    vireo_json_object_add_string(obj, "execute", "cont");   /* replaces in place */

    compact = vireo_json_format(obj, false);
    g_assert_cmpstr(compact, ==,
                    "{\"execute\":\"cont\",\"n\":-5,\"u\":18446744073709551615,\"flag\":true,"
                    "\"half\":0.5,\"nan\":null,\"list\":[\"x\",null]}");
    pretty = vireo_json_format(vireo_json_object_get(obj, "list"), true);
    g_assert_cmpstr(pretty, ==, "[\n  \"x\",\n  null\n]\n");

    g_assert_true(vireo_json_object_get_int64(obj, "n", &i));
    g_assert_cmpint(i, ==, -5);
    g_assert_true(vireo_json_object_get_uint64(obj, "u", &u));
    g_assert_cmpuint(u, ==, G_MAXUINT64);
    g_assert_true(vireo_json_object_get_bool(obj, "flag", &b));
    g_assert_true(b);
    g_assert_false(vireo_json_object_get_bool(obj, "missing", &b));
    g_assert_null(vireo_json_object_get_string(obj, "n"));
    g_assert_null(vireo_json_object_get_object(obj, "list"));
    g_assert_nonnull(vireo_json_object_get_array(obj, "list"));

    stolen = vireo_json_object_steal(obj, "list");
    g_assert_cmpuint(vireo_json_array_size(stolen), ==, 2);
    g_assert_null(vireo_json_object_get(obj, "list"));
    g_assert_null(vireo_json_object_steal(obj, "list"));
    g_assert_cmpuint(vireo_json_object_size(obj), ==, 6);
}

static void
test_json_large_object(void)
{
    g_autoptr(GString) s = g_string_new("{");
    g_autoptr(VireoJSON) v = NULL;
    g_autoptr(VireoJSON) stolen = NULL;
    gint64 n = 0;

    for (int i = 0; i < 2000; i++)
        g_string_append_printf(s, "%s\"k%d\":%d", i ? "," : "", i, i * 3);
    g_string_append(s, "}");
    v = vireo_json_parse(s->str, s->len);
    g_assert_nonnull(v);
    g_assert_true(vireo_json_object_get_int64(v, "k1234", &n));
    g_assert_cmpint(n, ==, 3702);
    stolen = vireo_json_object_steal(v, "k7");
    g_assert_nonnull(stolen);
    g_assert_null(vireo_json_object_get(v, "k7"));
    g_assert_true(vireo_json_object_get_int64(v, "k1999", &n));
    g_assert_cmpint(n, ==, 5997);
    vireo_json_object_add_int(v, "k7", 1);
    g_assert_true(vireo_json_object_get_int64(v, "k7", &n));
    g_assert_cmpint(n, ==, 1);

    /* a duplicate key in a big (indexed) object */
    g_string_truncate(s, s->len - 1);
    g_string_append(s, ",\"k5\":0}");
    g_assert_null(vireo_json_parse(s->str, s->len));
    assert_error(VIR_ERR_INTERNAL_ERROR, "duplicate object key 'k5'");
}

static void
test_json_reject(void)
{
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        { "", "premature EOF at byte 0" },
        { "   ", "premature EOF at byte 3" },
        { "{\"a\":1} x", "trailing garbage" },
        { "{\"a\":1}{}", "trailing garbage" },
        { "{\"a\":1,\"a\":2}", "duplicate object key 'a'" },
        { "{\"a\":", "premature EOF" },
        { "[1,]", "unallowed token at this point in JSON text at byte 4" },
        { "{a:1}", "lexical error: invalid char in json text at byte 2" },
        { "[\"\\u0000\"]", "string contains a NUL character" },
        { "{\"\\u0000\":1}", "object key contains a NUL character" },
        { "\"\xff\"", "invalid bytes in UTF8 string" },
        { "[01]", "after array element, I expect ',' or ']' at byte 3" },
        { "/* c */ 1", "comments are not enabled" },
        { "nul", "invalid string in json text" },
    };
    g_autofree char *quiet = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VireoJSON) v = vireo_json_parse(cases[i].text, strlen(cases[i].text));

        if (v)
            g_error("'%s' parsed", cases[i].text);
        assert_error(VIR_ERR_INTERNAL_ERROR, cases[i].error);
    }
    /* length, not NUL, ends the input */
    g_assert_null(vireo_json_parse("[1]\0", 4));
    assert_error(VIR_ERR_INTERNAL_ERROR, "cannot parse JSON: ");

    /* the quiet variant reports nothing */
    g_assert_null(vireo_json_parse_quiet("[", 1, &quiet));
    g_assert_null(vireo_error_last());
    g_assert_nonnull(strstr(quiet, "premature EOF"));
}

static void
test_json_depth(void)
{
    g_autoptr(GString) ok = g_string_new(NULL);
    g_autoptr(GString) deep = g_string_new(NULL);
    g_autoptr(VireoJSON) v = NULL;
    g_autofree char *out = NULL;

    for (int i = 0; i < VIREO_JSON_MAX_DEPTH; i++)
        g_string_append_c(ok, '[');
    for (int i = 0; i < VIREO_JSON_MAX_DEPTH; i++)
        g_string_append_c(ok, ']');
    v = vireo_json_parse(ok->str, ok->len);
    g_assert_nonnull(v);
    out = vireo_json_format(v, false);
    g_assert_cmpstr(out, ==, ok->str);

    for (int i = 0; i <= VIREO_JSON_MAX_DEPTH; i++)
        g_string_append(deep, "{\"a\":");
    g_assert_null(vireo_json_parse(deep->str, deep->len));
    assert_error(VIR_ERR_INTERNAL_ERROR, "nesting deeper than 100 levels");
}

static void
test_json_format_invalid_utf8(void)
{
    g_autoptr(VireoJSON) v = vireo_json_new_string("caf\xe9");

    g_assert_null(vireo_json_format(v, false));
    assert_error(VIR_ERR_INTERNAL_ERROR, "not valid UTF-8");
}

/* ---- QMP stream -------------------------------------------------------- */

/* A QEMU 7.2 session as QEMU writes it: greeting, capabilities, commands
 * with replies, events in between.  The DEVICE_DELETED data carries an
 * escaped "\r\n" and a '}' inside a string, which must not split lines. */
static const char session[] =
    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
    "\"package\": \"Debian 1:7.2+dfsg-7+deb12u5\"}, \"capabilities\": [\"oob\"]}}\r\n"
    "{\"return\": {}, \"id\": \"vireo-0\"}\r\n"
    "{\"return\": {\"status\": \"prelaunch\", \"singlestep\": false, \"running\": false}, "
    "\"id\": \"vireo-1\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840000, \"microseconds\": 123456}, \"event\": \"RESUME\"}\r\n"
    "{\"return\": {}, \"id\": \"vireo-2\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840001, \"microseconds\": 5}, \"event\": \"STOP\"}\r\n"
    "{\"return\": {}, \"id\": \"vireo-3\"}\r\n"
    "{\"return\": {}, \"id\": \"vireo-4\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840002, \"microseconds\": 999999}, \"event\": \"POWERDOWN\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840003, \"microseconds\": 0}, \"event\": \"RESET\", "
    "\"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}\r\n"
    "{\"return\": {}, \"id\": \"vireo-5\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840004, \"microseconds\": 42}, \"event\": \"DEVICE_DELETED\", "
    "\"data\": {\"path\": \"/machine/peripheral/net}0\\r\\n/virtio-backend\"}}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840004, \"microseconds\": 43}, \"event\": \"DEVICE_DELETED\", "
    "\"data\": {\"device\": \"net0\", \"path\": \"/machine/peripheral/net0\"}}\r\n"
    "{\"return\": [{\"thread-id\": 4242, \"props\": {\"core-id\": 0, \"thread-id\": 0, "
    "\"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[0]\", \"cpu-index\": 0, "
    "\"target\": \"x86_64\"}], \"id\": \"vireo-6\"}\r\n"
    "\r\n"
    "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'n\xc3\xa9t9' not found\"}, "
    "\"id\": \"vireo-7\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840005, \"microseconds\": 7}, \"event\": \"GUEST_PANICKED\", "
    "\"data\": {\"action\": \"pause\"}}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840006, \"microseconds\": 8}, \"event\": \"SHUTDOWN\", "
    "\"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}}\n"
    "{\"return\": {\"actual\": 1073741824}, \"id\": \"vireo-8\"}\r\n"
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, expecting value\"}}\r\n"
    "{\"return\": {}, \"id\": 17}\r\n"
    "{\"return\": {}, \"id\": \"vireo-9\"}\r\n"
    "{\"timestamp\": {\"seconds\": 1763840007, \"microseconds\": 9}, \"event\": \"SHUTDOWN\", "
    "\"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n";

static const char *const expected[] = {
    "greeting 7.2.0",
    "reply vireo-0 return {}",
    "reply vireo-1 return {\"status\":\"prelaunch\",\"singlestep\":false,\"running\":false}",
    "event RESUME 1763840000.123456 -",
    "reply vireo-2 return {}",
    "event STOP 1763840001.5 -",
    "reply vireo-3 return {}",
    "reply vireo-4 return {}",
    "event POWERDOWN 1763840002.999999 -",
    "event RESET 1763840003.0 {\"guest\":false,\"reason\":\"host-qmp-system-reset\"}",
    "reply vireo-5 return {}",
    "event DEVICE_DELETED 1763840004.42 {\"path\":\"/machine/peripheral/net}0\\r\\n/virtio-backend\"}",
    "event DEVICE_DELETED 1763840004.43 {\"device\":\"net0\",\"path\":\"/machine/peripheral/net0\"}",
    "reply vireo-6 return [{\"thread-id\":4242,\"props\":{\"core-id\":0,\"thread-id\":0,"
    "\"socket-id\":0},\"qom-path\":\"/machine/unattached/device[0]\",\"cpu-index\":0,"
    "\"target\":\"x86_64\"}]",
    "reply vireo-7 error DeviceNotFound: Device 'n\xc3\xa9t9' not found",
    "event GUEST_PANICKED 1763840005.7 {\"action\":\"pause\"}",
    "event SHUTDOWN 1763840006.8 {\"guest\":true,\"reason\":\"guest-shutdown\"}",
    "reply vireo-8 return {\"actual\":1073741824}",
    "reply (none) error GenericError: JSON parse error, expecting value",
    "reply 17 return {}",
    "reply vireo-9 return {}",
    "event SHUTDOWN 1763840007.9 {\"guest\":false,\"reason\":\"host-qmp-quit\"}",
};

static char *
describe(const QemuMonitorMessage *m)
{
    g_autofree char *json = NULL;

    switch (m->kind) {
    case QEMU_MONITOR_MESSAGE_GREETING:
        return g_strdup_printf("greeting %d.%d.%d", m->qemu_major, m->qemu_minor, m->qemu_micro);
    case QEMU_MONITOR_MESSAGE_REPLY:
        if (m->is_error)
            return g_strdup_printf("reply %s error %s: %s", m->id ? m->id : "(none)",
                                   m->error_class, m->error_desc);
        json = vireo_json_format(m->ret, false);
        return g_strdup_printf("reply %s return %s", m->id ? m->id : "(none)", json);
    case QEMU_MONITOR_MESSAGE_EVENT:
        if (m->data)
            json = vireo_json_format(m->data, false);
        return g_strdup_printf("event %s %lld.%u %s", m->event, m->seconds, m->micros,
                               json ? json : "-");
    }
    return NULL;
}

static void
drain(QemuMonitorParser *p, GPtrArray *out)
{
    QemuMonitorMessage *m = NULL;
    int r;

    while ((r = qemu_monitor_parser_next(p, &m)) > 0) {
        g_ptr_array_add(out, describe(m));
        qemu_monitor_message_free(m);
        m = NULL;
    }
    if (r < 0)
        g_error("unexpected parse failure: %s", vireo_error_last()->message);
}

/* Feed @session in chunks ending at the offsets in @cuts (ascending, the
 * last one == length) and return the descriptions. */
static GPtrArray *
run_cuts(const gsize *cuts, guint ncuts)
{
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(0);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    gsize start = 0;

    for (guint i = 0; i < ncuts; i++) {
        g_assert_cmpint(qemu_monitor_parser_feed(p, session + start, cuts[i] - start), ==, 0);
        drain(p, out);
        start = cuts[i];
    }
    g_assert_false(qemu_monitor_parser_has_pending(p));
    return out;
}

static void
assert_expected(GPtrArray *got, const char *how)
{
    for (guint i = 0; i < MIN(got->len, G_N_ELEMENTS(expected)); i++) {
        if (g_strcmp0(g_ptr_array_index(got, i), expected[i]) != 0)
            g_error("%s: message %u is\n  %s\nexpected\n  %s", how, i,
                    (char *)g_ptr_array_index(got, i), expected[i]);
    }
    if (got->len != G_N_ELEMENTS(expected))
        g_error("%s: %u messages, expected %zu", how, got->len, G_N_ELEMENTS(expected));
}

static void
test_session_whole(void)
{
    gsize len = strlen(session);
    g_autoptr(GPtrArray) got = run_cuts(&len, 1);

    assert_expected(got, "whole");
}

static void
test_session_every_split(void)
{
    gsize len = strlen(session);

    for (gsize i = 0; i <= len; i++) {
        gsize cuts[2] = { i, len };
        g_autoptr(GPtrArray) got = run_cuts(cuts, 2);
        g_autofree char *how = g_strdup_printf("split at %zu", i);

        assert_expected(got, how);
    }
}

static void
test_session_bytewise(void)
{
    gsize len = strlen(session);
    g_autofree gsize *cuts = g_new(gsize, len);
    g_autoptr(GPtrArray) got = NULL;

    for (gsize i = 0; i < len; i++)
        cuts[i] = i + 1;
    got = run_cuts(cuts, len);
    assert_expected(got, "byte by byte");
}

static void
test_session_random_chunks(void)
{
    gsize len = strlen(session);
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261122);

    for (int round = 0; round < 200; round++) {
        g_autoptr(GArray) cuts = g_array_new(FALSE, FALSE, sizeof(gsize));
        g_autoptr(GPtrArray) got = NULL;
        gsize pos = 0;
        g_autofree char *how = g_strdup_printf("random round %d", round);

        while (pos < len) {
            gsize step = g_rand_int_range(rand, 1, 300);

            pos = MIN(len, pos + step);
            g_array_append_val(cuts, pos);
        }
        got = run_cuts((gsize *)(void *)cuts->data, cuts->len);
        assert_expected(got, how);
    }
}

/* Feed @text whole and expect one rejection (with @needle) per bad line
 * followed by a good reply "return {}" with id "ok". */
static void
expect_bad_line(const char *text, gsize len, const char *needle)
{
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(0);
    g_autoptr(QemuMonitorMessage) m = NULL;
    static const char good[] = "{\"return\": {}, \"id\": \"ok\"}\r\n";

    g_assert_cmpint(qemu_monitor_parser_feed(p, text, len), ==, 0);
    g_assert_cmpint(qemu_monitor_parser_feed(p, good, strlen(good)), ==, 0);
    if (qemu_monitor_parser_next(p, &m) != -1)
        g_error("line '%s' was accepted", text);
    g_assert_null(m);
    assert_error(VIR_ERR_OPERATION_FAILED, needle);
    /* the stream goes on with the next line */
    g_assert_cmpint(qemu_monitor_parser_next(p, &m), ==, 1);
    g_assert_cmpint(m->kind, ==, QEMU_MONITOR_MESSAGE_REPLY);
    g_assert_cmpstr(m->id, ==, "ok");
    g_assert_cmpint(qemu_monitor_parser_next(p, &m), ==, 0);
}

#define BAD(literal, needle) expect_bad_line(literal, sizeof(literal) - 1, needle)

static void
test_malformed(void)
{
    BAD("not json\r\n", "not valid JSON (lexical error: invalid string in json text at byte 1): 'not json'");
    BAD("[1, 2]\r\n", "not a JSON object");
    BAD("\"QMP\"\r\n", "not a JSON object");
    BAD("{\"foo\": 1}\r\n", "neither a greeting, a reply nor an event");
    BAD("{\"QMP\": 1}\r\n", "neither a greeting, a reply nor an event");
    BAD("{\"event\": 5}\r\n", "name is not a non-empty string");
    BAD("{\"event\": \"\"}\r\n", "name is not a non-empty string");
    BAD("{\"error\": \"boom\", \"id\": \"x\"}\r\n", "\"error\" is not an object");
    BAD("{\"return\": {}, \"error\": {}}\r\n", "both \"return\" and \"error\"");
    BAD("{\"return\": {}} {\"return\": {}}\r\n", "trailing garbage");
    BAD("{\"return\": {}\r\n", "premature EOF");
    BAD("{\"return\": \"\xc3\x28\"}\r\n", "invalid bytes in UTF8 string");
    BAD("{\"return\": {}}\0\r\n", "trailing garbage");
    /* the excerpt is quoted (escaped) and cut */
    {
        g_autoptr(GString) big = g_string_new(NULL);

        for (int i = 0; i < 100; i++)
            g_string_append(big, "\x01xyz");
        g_string_append(big, "\r\n");
        expect_bad_line(big->str, big->len, "'\\001xyz\\001xyz");
    }
}

static void
test_lenient_fields(void)
{
    static const char text[] =
        "{\"event\": \"X\"}\n"
        "{\"event\": \"Y\", \"timestamp\": {\"seconds\": -1, \"microseconds\": -1}, \"data\": [1]}\n"
        "{\"error\": {}}\n"
        "  \t \r\n"
        "{\"QMP\": {}}\n";
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(0);
    g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);

    g_assert_cmpint(qemu_monitor_parser_feed(p, text, strlen(text)), ==, 0);
    drain(p, got);
    g_assert_cmpuint(got->len, ==, 4);
    g_assert_cmpstr(g_ptr_array_index(got, 0), ==, "event X 0.0 -");
    g_assert_cmpstr(g_ptr_array_index(got, 1), ==, "event Y -1.0 [1]");
    g_assert_cmpstr(g_ptr_array_index(got, 2), ==, "reply (none) error : ");
    g_assert_cmpstr(g_ptr_array_index(got, 3), ==, "greeting 0.0.0");
}

static void
test_line_limit(void)
{
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(16);
    g_autoptr(QemuMonitorParser) q = qemu_monitor_parser_new(16);
    g_autoptr(QemuMonitorParser) r = qemu_monitor_parser_new(16);
    g_autoptr(QemuMonitorMessage) m = NULL;
    /* exactly 16 bytes of content, then "\r\n" */
    static const char fits[] = "{\"return\":12345}\r\n";
    static const char longer[] = "{\"return\":123456}";

    g_assert_cmpuint(strlen(fits), ==, 18);
    /* fits, even when the "\r" arrives alone as the 17th byte */
    g_assert_cmpint(qemu_monitor_parser_feed(p, fits, 17), ==, 0);
    g_assert_cmpint(qemu_monitor_parser_feed(p, fits + 17, 1), ==, 0);
    g_assert_cmpint(qemu_monitor_parser_next(p, &m), ==, 1);
    g_assert_cmpint(m->kind, ==, QEMU_MONITOR_MESSAGE_REPLY);

    /* 17 bytes without a newline: rejected at once, and for good */
    g_assert_cmpint(qemu_monitor_parser_feed(p, longer, strlen(longer)), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "longer than 16 bytes");
    g_assert_cmpint(qemu_monitor_parser_feed(p, "\r\n", 2), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "unusable");
    g_assert_cmpint(qemu_monitor_parser_next(p, &m), ==, 0);

    /* a complete long line inside one chunk; lines before it survive */
    {
        g_autofree char *chunk = g_strdup_printf("%s%s\r\n", fits, longer);
        g_autoptr(QemuMonitorMessage) m2 = NULL;

        g_assert_cmpint(qemu_monitor_parser_feed(q, chunk, strlen(chunk)), ==, -1);
        assert_error(VIR_ERR_OPERATION_FAILED, "longer than 16 bytes");
        g_assert_cmpint(qemu_monitor_parser_next(q, &m2), ==, 1);
        g_assert_cmpint(qemu_monitor_parser_next(q, &m2), ==, 0);
    }

    /* bytewise growth is caught at byte 17 */
    for (gsize i = 0; i < 16; i++)
        g_assert_cmpint(qemu_monitor_parser_feed(r, "x", 1), ==, 0);
    g_assert_cmpint(qemu_monitor_parser_feed(r, "x", 1), ==, -1);
    vireo_error_reset();

    /* the default limit is 64 MiB */
    g_assert_cmpint(QEMU_MONITOR_PARSER_MAX_LINE, ==, 64 * 1024 * 1024);
}

static void
test_default_limit(void)
{
    g_autoptr(QemuMonitorParser) p = qemu_monitor_parser_new(0);
    gsize chunk = 1024 * 1024;
    g_autofree char *buf = g_malloc(chunk);
    int r = 0;
    gsize fed = 0;

    memset(buf, ' ', chunk);
    while (r == 0 && fed <= QEMU_MONITOR_PARSER_MAX_LINE) {
        r = qemu_monitor_parser_feed(p, buf, chunk);
        fed += chunk;
    }
    g_assert_cmpint(r, ==, -1);
    g_assert_cmpuint(fed, ==, (gsize)QEMU_MONITOR_PARSER_MAX_LINE + chunk);
    assert_error(VIR_ERR_OPERATION_FAILED, "longer than 67108864 bytes");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/roundtrip", test_json_roundtrip);
    g_test_add_func("/json/numbers", test_json_numbers);
    g_test_add_func("/json/build", test_json_build);
    g_test_add_func("/json/large-object", test_json_large_object);
    g_test_add_func("/json/reject", test_json_reject);
    g_test_add_func("/json/depth", test_json_depth);
    g_test_add_func("/json/format-invalid-utf8", test_json_format_invalid_utf8);
    g_test_add_func("/qmp-parser/session-whole", test_session_whole);
    g_test_add_func("/qmp-parser/session-every-split", test_session_every_split);
    g_test_add_func("/qmp-parser/session-bytewise", test_session_bytewise);
    g_test_add_func("/qmp-parser/session-random-chunks", test_session_random_chunks);
    g_test_add_func("/qmp-parser/malformed", test_malformed);
    g_test_add_func("/qmp-parser/lenient-fields", test_lenient_fields);
    g_test_add_func("/qmp-parser/line-limit", test_line_limit);
    g_test_add_func("/qmp-parser/default-limit", test_default_limit);
    return g_test_run();
}
