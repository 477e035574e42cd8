/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_monitor_parser.h"

/* How much of a rejected line an error message quotes. */
#define EXCERPT_LEN 160

struct _QemuMonitorParser {
    gsize max_line;
    GByteArray *tail;     /* bytes of the line not yet terminated */
    gsize scanned;        /* prefix of tail known to hold no '\n' */
    GQueue lines;         /* complete lines (GBytes, terminator stripped) */
    bool failed;          /* an oversized line broke the stream */
};

void
qemu_monitor_message_free(QemuMonitorMessage *msg)
{
    if (!msg)
        return;
    vireo_json_free(msg->json);
    g_free(msg->id);
    g_free(msg);
}

const char *
qemu_monitor_message_kind_name(QemuMonitorMessageKind kind)
{
    switch (kind) {
    case QEMU_MONITOR_MESSAGE_GREETING: return "greeting";
    case QEMU_MONITOR_MESSAGE_REPLY: return "reply";
    case QEMU_MONITOR_MESSAGE_EVENT: return "event";
    }
    return "unknown";
}

QemuMonitorParser *
qemu_monitor_parser_new(gsize max_line)
{
    QemuMonitorParser *p = g_new0(QemuMonitorParser, 1);

    p->max_line = max_line ? max_line : QEMU_MONITOR_PARSER_MAX_LINE;
    p->tail = g_byte_array_new();
    g_queue_init(&p->lines);
    return p;
}

void
qemu_monitor_parser_free(QemuMonitorParser *p)
{
    if (!p)
        return;
    g_byte_array_unref(p->tail);
    g_queue_clear_full(&p->lines, (GDestroyNotify)g_bytes_unref);
    g_free(p);
}

bool
qemu_monitor_parser_has_pending(const QemuMonitorParser *p)
{
    return p->lines.length > 0;
}

/* Length of a line's content: a "\r" before the "\n" (or at the end of an
 * unfinished line) is part of the terminator. */
static gsize
content_len(const guint8 *line, gsize len)
{
    return len && line[len - 1] == '\r' ? len - 1 : len;
}

static int
parser_fail_long(QemuMonitorParser *p)
{
    p->failed = true;
    vireo_error_report(VIR_ERR_OPERATION_FAILED,
                       "QEMU monitor sent a line longer than %zu bytes; closing the monitor",
                       p->max_line);
    return -1;
}

int
qemu_monitor_parser_feed(QemuMonitorParser *p, const char *data, gsize len)
{
    gsize start = 0;
    gsize pos;
    const guint8 *nl;

    if (p->failed) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU monitor stream is unusable after an oversized line");
        return -1;
    }
    if (len == 0)
        return 0;

    g_byte_array_append(p->tail, (const guint8 *)data, len);
    pos = p->scanned;
    while ((nl = memchr(p->tail->data + pos, '\n', p->tail->len - pos))) {
        gsize end = nl - p->tail->data;
        gsize clen = content_len(p->tail->data + start, end - start);

        if (clen > p->max_line) {
            g_byte_array_remove_range(p->tail, 0, end + 1);
            return parser_fail_long(p);
        }
        g_queue_push_tail(&p->lines, g_bytes_new(p->tail->data + start, clen));
        start = pos = end + 1;
    }
    if (start)
        g_byte_array_remove_range(p->tail, 0, start);
    p->scanned = p->tail->len;

    if (content_len(p->tail->data, p->tail->len) > p->max_line) {
        g_byte_array_set_size(p->tail, 0);
        p->scanned = 0;
        return parser_fail_long(p);
    }
    return 0;
}

static bool
is_blank(const char *s, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_isspace(s[i]))
            return false;
    }
    return true;
}

static char *
excerpt(const char *s, gsize len)
{
    g_autofree char *cut = g_strndup(s, MIN(len, EXCERPT_LEN));
    g_autofree char *esc = g_strescape(cut, NULL);

    return g_strdup_printf("%s%s", esc, len > EXCERPT_LEN ? "..." : "");
}

static bool
classify_reply(QemuMonitorMessage *m)
{
    const VireoJSON *id = vireo_json_object_get(m->json, "id");
    const VireoJSON *err = vireo_json_object_get(m->json, "error");
    const VireoJSON *ret = vireo_json_object_get(m->json, "return");

    if (err && ret) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU sent a QMP reply with both \"return\" and \"error\"");
        return false;
    }
    if (id) {
        const char *s = vireo_json_get_string(id);

        m->id = s ? g_strdup(s) : vireo_json_format(id, false);
        if (!m->id)
            return false;
    }
    if (err) {
        if (vireo_json_get_type(err) != VIREO_JSON_OBJECT) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU sent a QMP error reply whose \"error\" is not an object");
            return false;
        }
        m->is_error = true;
        m->error_class = vireo_json_object_get_string(err, "class");
        m->error_desc = vireo_json_object_get_string(err, "desc");
        if (!m->error_class)
            m->error_class = "";
        if (!m->error_desc)
            m->error_desc = "";
    } else {
        m->ret = ret;
    }
    m->kind = QEMU_MONITOR_MESSAGE_REPLY;
    return true;
}

static bool
classify_event(QemuMonitorMessage *m)
{
    const VireoJSON *ts = vireo_json_object_get_object(m->json, "timestamp");
    gint64 secs = 0;
    gint64 usecs = 0;

    m->event = vireo_json_object_get_string(m->json, "event");
    if (!m->event || !*m->event) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU sent a QMP event whose name is not a non-empty string");
        return false;
    }
    m->data = vireo_json_object_get(m->json, "data");
    if (ts) {
        vireo_json_object_get_int64(ts, "seconds", &secs);
        vireo_json_object_get_int64(ts, "microseconds", &usecs);
    }
    m->seconds = secs;
    /* QEMU sends -1/-1 when the host clock failed; keep micros in range */
    m->micros = usecs >= 0 && usecs < G_USEC_PER_SEC ? (unsigned int)usecs : 0;
    m->kind = QEMU_MONITOR_MESSAGE_EVENT;
    return true;
}

static void
classify_greeting(QemuMonitorMessage *m, const VireoJSON *qmp)
{
    const VireoJSON *ver = vireo_json_object_get_object(
        vireo_json_object_get_object(qmp, "version"), "qemu");
    gint64 n;

    if (vireo_json_object_get_int64(ver, "major", &n) && n >= 0 && n <= G_MAXINT)
        m->qemu_major = n;
    if (vireo_json_object_get_int64(ver, "minor", &n) && n >= 0 && n <= G_MAXINT)
        m->qemu_minor = n;
    if (vireo_json_object_get_int64(ver, "micro", &n) && n >= 0 && n <= G_MAXINT)
        m->qemu_micro = n;
    m->kind = QEMU_MONITOR_MESSAGE_GREETING;
}

QemuMonitorMessage *
qemu_monitor_message_classify(VireoJSON *json)
{
    g_autoptr(QemuMonitorMessage) m = g_new0(QemuMonitorMessage, 1);
    const VireoJSON *qmp;

    m->json = json;
    if (vireo_json_get_type(json) != VIREO_JSON_OBJECT) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU sent a QMP message that is not a JSON object");
        return NULL;
    }
    if ((qmp = vireo_json_object_get_object(json, "QMP"))) {
        classify_greeting(m, qmp);
    } else if (vireo_json_object_get(json, "event")) {
        if (!classify_event(m))
            return NULL;
    } else if (vireo_json_object_get(json, "return") || vireo_json_object_get(json, "error")) {
        if (!classify_reply(m))
            return NULL;
    } else {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU sent a QMP message that is neither a greeting, a reply nor an event");
        return NULL;
    }
    return g_steal_pointer(&m);
}

int
qemu_monitor_parser_next(QemuMonitorParser *p, QemuMonitorMessage **msg)
{
    GBytes *line;

    while ((line = g_queue_pop_head(&p->lines))) {
        g_autoptr(GBytes) owned = line;
        gsize len = 0;
        const char *text = g_bytes_get_data(owned, &len);
        g_autofree char *error = NULL;
        VireoJSON *json;
        QemuMonitorMessage *m;

        if (is_blank(text, len))
            continue;
        if (!(json = vireo_json_parse_quiet(text, len, &error))) {
            g_autofree char *quote = excerpt(text, len);

            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU sent a QMP message that is not valid JSON (%s): '%s'",
                               error, quote);
            return -1;
        }
        if (!(m = qemu_monitor_message_classify(json)))
            return -1;
        *msg = m;
        return 1;
    }
    return 0;
}
