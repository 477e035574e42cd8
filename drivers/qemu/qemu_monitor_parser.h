/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor_parser: splits the byte stream QEMU writes on a QMP monitor
 * into messages and classifies them.  Pure: no I/O, no threads, no GLib main
 * loop; the transport (qemu_monitor.c), the unit tests and the fuzzer feed
 * it whatever chunks read() returned.
 *
 * QMP sends one JSON object per line, terminated by "\r\n" (a bare "\n" is
 * accepted too; blank lines are skipped).  Every line is one of
 *   greeting  {"QMP": {"version": ..., "capabilities": [...]}}
 *   reply     {"return": <any>, "id": <id>}  or
 *             {"error": {"class": "...", "desc": "..."}, "id": <id>}
 *             ("id" is absent when QEMU could not parse the command)
 *   event     {"event": "NAME", "data": {...},
 *              "timestamp": {"seconds": N, "microseconds": N}}
 *
 * Bounded: a line longer than the parser's maximum (64 MiB by default) is a
 * stream error, detected as soon as that many bytes arrive without a
 * newline; the parser buffers at most one unfinished line beyond the
 * complete lines not yet taken with qemu_monitor_parser_next().
 *
 * A QemuMonitorParser is not thread-safe: one reader uses it.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/vireo_json.h"

#define QEMU_MONITOR_PARSER_MAX_LINE (64 * 1024 * 1024)

typedef enum {
    QEMU_MONITOR_MESSAGE_GREETING,
    QEMU_MONITOR_MESSAGE_REPLY,
    QEMU_MONITOR_MESSAGE_EVENT,
} QemuMonitorMessageKind;

typedef struct {
    QemuMonitorMessageKind kind;
    VireoJSON *json;              /* the whole message (owned) */

    /* REPLY */
    char *id;                     /* the "id" if it is a string, else its JSON
                                   * text; NULL when absent */
    bool is_error;
    const VireoJSON *ret;         /* "return" (borrowed from json); NULL for errors */
    const char *error_class;      /* "error"."class" (borrowed), never NULL for errors */
    const char *error_desc;       /* "error"."desc" (borrowed), never NULL for errors */

    /* EVENT */
    const char *event;            /* "event" (borrowed) */
    const VireoJSON *data;        /* "data" (borrowed) or NULL */
    long long seconds;            /* "timestamp"; 0/0 when QEMU sent none */
    unsigned int micros;

    /* GREETING: "QMP"."version"."qemu" (0 when missing) */
    int qemu_major, qemu_minor, qemu_micro;
} QemuMonitorMessage;

void qemu_monitor_message_free(QemuMonitorMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorMessage, qemu_monitor_message_free)

/* Short name of @kind ("greeting", "reply", "event"). */
const char *qemu_monitor_message_kind_name(QemuMonitorMessageKind kind);

typedef struct _QemuMonitorParser QemuMonitorParser;

/* A parser accepting lines of up to @max_line bytes (excluding the line
 * terminator); 0 means QEMU_MONITOR_PARSER_MAX_LINE. */
QemuMonitorParser *qemu_monitor_parser_new(gsize max_line);
void qemu_monitor_parser_free(QemuMonitorParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitorParser, qemu_monitor_parser_free)

/* Append @len bytes (any split: mid-line, mid-UTF-8 sequence, several lines
 * at once).  Returns 0, or -1 after reporting VIR_ERR_OPERATION_FAILED when
 * a line exceeds the maximum; the stream cannot be resynchronised after
 * that, so the parser refuses all further input (the caller closes the
 * monitor).  Complete lines fed before the failing one stay available. */
int qemu_monitor_parser_feed(QemuMonitorParser *parser, const char *data, gsize len);

/* Take the next complete line and classify it.
 * Returns 1 and sets *@msg (caller frees) for a well-formed message;
 * 0 when no complete line is buffered;
 * -1 after reporting VIR_ERR_OPERATION_FAILED when the line is not JSON or
 * not a QMP message.  The bad line is consumed, so the caller may log it and
 * go on with the next one. */
int qemu_monitor_parser_next(QemuMonitorParser *parser, QemuMonitorMessage **msg);

/* Whether complete lines are waiting for qemu_monitor_parser_next(). */
bool qemu_monitor_parser_has_pending(const QemuMonitorParser *parser);

/* Classify one already-parsed message object (taken).  Returns NULL after
 * reporting like qemu_monitor_parser_next().  Exposed for the fuzzer. */
QemuMonitorMessage *qemu_monitor_message_classify(VireoJSON *json);
