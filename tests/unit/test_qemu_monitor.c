/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP transport (drivers/qemu/qemu_monitor.c) and the typed commands
 * (qemu_monitor_cmds.c) against a fake QMP server running in a thread of
 * this test (socketpair or a UNIX socket in a temp dir), and a smoke test
 * against a real qemu-system-x86_64 when it is installed.
 *
 * The main thread plays the daemon's main loop: it iterates the default
 * GMainContext (where the monitor reads and calls back) while worker
 * threads run commands.
 */
#include "vireo-config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/vireo_command.h"
#include "util/vireo_error.h"
#include "util/vireo_json.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_cmds.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, " \
                 "\"package\": \"Debian 1:7.2+dfsg-7+deb12u5\"}, \"capabilities\": [\"oob\"]}}"
#define CAPS_CMD "{\"execute\":\"qmp_capabilities\",\"id\":\"vireo-0\"}"

static GThread *main_thread;

static void
assert_error(int code, const char *needle)
{
    const VireoError *err = vireo_error_last();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    if (needle && !strstr(err->message, needle))
        g_error("error message '%s' lacks '%s'", err->message, needle);
    vireo_error_reset();
}

/* ---- fake QMP server ---------------------------------------------------- */

typedef struct _Srv Srv;
typedef void (*SrvScript)(Srv *srv);

struct _Srv {
    int fd;                   /* server end */
    int client_fd;            /* client end, for qemu_monitor_open_fd() */
    char *listen_path;        /* when serving a UNIX socket path */
    int listen_delay_ms;
    GString *in;              /* unparsed bytes from the client */
    SrvScript script;
    void *data;
    GThread *thread;
};

static void
srv_write(Srv *srv, const char *text)
{
    gsize len = strlen(text);
    gsize off = 0;

    while (off < len) {
        ssize_t n = send(srv->fd, text + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        off += n;
    }
}

static void G_GNUC_PRINTF(2, 3)
srv_send(Srv *srv, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    line = g_strconcat(text, "\r\n", NULL);
    srv_write(srv, line);
}

/* Next line from the client (without "\r\n"), or NULL on EOF.  Fails the
 * test after @wait_ms (10 s for srv_recv_line()) of silence, unless
 * @timed_out is non-NULL: then it is set and NULL returned. */
static char *
srv_recv_line_full(Srv *srv, int wait_ms, bool *timed_out)
{
    for (;;) {
        char *nl = strchr(srv->in->str, '\n');
        struct pollfd pfd = { .fd = srv->fd, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (nl) {
            gsize len = nl - srv->in->str;
            char *line = g_strndup(srv->in->str, len && nl[-1] == '\r' ? len - 1 : len);

            g_assert_true(len > 0 && nl[-1] == '\r');   /* the client ends lines with \r\n */
            g_string_erase(srv->in, 0, len + 1);
            return line;
        }
        if (poll(&pfd, 1, wait_ms) == 0) {
            if (timed_out) {
                *timed_out = true;
                return NULL;
            }
            g_error("fake QMP server: no command from the client within %d ms", wait_ms);
        }
        n = read(srv->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        g_string_append_len(srv->in, buf, n);
    }
}

static char *
srv_recv_line(Srv *srv)
{
    return srv_recv_line_full(srv, 10000, NULL);
}

/* Next command, parsed. */
static VireoJSON *
srv_recv(Srv *srv)
{
    g_autofree char *line = srv_recv_line(srv);
    VireoJSON *cmd;

    g_assert_nonnull(line);
    cmd = vireo_json_parse(line, strlen(line));
    g_assert_nonnull(cmd);
    return cmd;
}

static void
srv_greet(Srv *srv)
{
    g_autofree char *caps = NULL;

    srv_send(srv, GREETING);
    caps = srv_recv_line(srv);
    g_assert_cmpstr(caps, ==, CAPS_CMD);
    srv_send(srv, "{\"return\": {}, \"id\": \"vireo-0\"}");
}

static gpointer
srv_thread(gpointer opaque)
{
    Srv *srv = opaque;

    if (srv->listen_path) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int lfd;

        g_usleep(srv->listen_delay_ms * 1000);
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(lfd, >=, 0);
        g_strlcpy(addr.sun_path, srv->listen_path, sizeof(addr.sun_path));
        g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
        g_assert_cmpint(listen(lfd, 1), ==, 0);
        srv->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        g_assert_cmpint(srv->fd, >=, 0);
        close(lfd);
    }
    srv->script(srv);
    close(srv->fd);
    srv->fd = -1;
    return NULL;
}

/* A server on a socketpair; the client end is srv->client_fd. */
static Srv *
srv_start(SrvScript script, void *data)
{
    Srv *srv = g_new0(Srv, 1);
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    srv->fd = sv[0];
    srv->client_fd = sv[1];
    srv->in = g_string_new(NULL);
    srv->script = script;
    srv->data = data;
    srv->thread = g_thread_new("fake-qmp", srv_thread, srv);
    return srv;
}

/* A server that creates and listens on @path after @delay_ms. */
static Srv *
srv_start_path(SrvScript script, const char *path, int delay_ms)
{
    Srv *srv = g_new0(Srv, 1);

    srv->fd = -1;
    srv->client_fd = -1;
    srv->listen_path = g_strdup(path);
    srv->listen_delay_ms = delay_ms;
    srv->in = g_string_new(NULL);
    srv->script = script;
    srv->thread = g_thread_new("fake-qmp", srv_thread, srv);
    return srv;
}

static void
srv_join(Srv *srv)
{
    g_thread_join(srv->thread);
    g_string_free(srv->in, TRUE);
    g_free(srv->listen_path);
    g_free(srv);
}

/* ---- the daemon side: callbacks and a main loop ----------------------- */

typedef struct {
    GPtrArray *events;        /* "NAME secs.micros data" */
    int eofs;
    bool close_on_event;      /* close the monitor from inside the callback */
} Record;

static void
rec_event(QemuMonitor *mon, const char *name, const VireoJSON *data,
          long long seconds, unsigned int micros, void *opaque)
{
    Record *rec = opaque;
    g_autofree char *json = data ? vireo_json_format(data, false) : g_strdup("-");

    g_assert_true(g_thread_self() == main_thread);
    g_ptr_array_add(rec->events, g_strdup_printf("%s %lld.%u %s", name, seconds, micros, json));
    if (rec->close_on_event)
        qemu_monitor_close(mon);
}

static void
rec_eof(QemuMonitor *mon, void *opaque)
{
    Record *rec = opaque;

    g_assert_true(g_thread_self() == main_thread);
    rec->eofs++;
}

static const QemuMonitorCallbacks rec_cb = { .eof = rec_eof, .event = rec_event };

static void
rec_init(Record *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->events = g_ptr_array_new_with_free_func(g_free);
}

static void
rec_clear(Record *rec)
{
    g_ptr_array_unref(rec->events);
}

/* Iterate the main context until @done (read atomically) is set or 10 s. */
static void
loop_until(gint *done)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!g_atomic_int_get(done)) {
        if (g_get_monotonic_time() > deadline)
            g_error("main loop: condition not reached within 10 s");
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/* Let the main context run for @ms. */
static void
loop_for(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

typedef struct {
    GThreadFunc fn;
    gpointer data;
    gint done;
    gpointer result;
} Worker;

static gpointer
worker_main(gpointer opaque)
{
    Worker *w = opaque;

    w->result = w->fn(w->data);
    g_atomic_int_set(&w->done, 1);
    g_main_context_wakeup(NULL);
    return NULL;
}

/* Run @fn(@data) on a worker thread while the main thread runs the loop. */
static gpointer
run_worker(GThreadFunc fn, gpointer data)
{
    Worker w = { .fn = fn, .data = data };
    GThread *t = g_thread_new("worker", worker_main, &w);

    loop_until(&w.done);
    g_thread_join(t);
    return w.result;
}

static QemuMonitor *
open_pair(Srv *srv, Record *rec)
{
    QemuMonitor *mon = qemu_monitor_open_fd(srv->client_fd, 5000, &rec_cb, rec);

    srv->client_fd = -1;
    g_assert_nonnull(mon);
    return mon;
}

/* ---- tests: opening ---------------------------------------------------- */

static void
script_greet_then_wait_eof(Srv *srv)
{
    srv_greet(srv);
    g_assert_null(srv_recv_line(srv));
}

static void
test_open_fd(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    int major = 0, minor = 0, micro = -1;

    rec_init(&rec);
    srv = srv_start(script_greet_then_wait_eof, NULL);
    mon = open_pair(srv, &rec);
    qemu_monitor_get_version(mon, &major, &minor, &micro);
    g_assert_cmpint(major, ==, 7);
    g_assert_cmpint(minor, ==, 2);
    g_assert_cmpint(micro, ==, 0);
    g_assert_true(qemu_monitor_is_connected(mon));
    qemu_monitor_free(mon);       /* the server sees EOF */
    srv_join(srv);
    loop_for(20);
    g_assert_cmpint(rec.eofs, ==, 0);     /* closed by us: no callback */
    rec_clear(&rec);
}

static void
test_open_path_retry(void)
{
    g_autofree char *dir = g_dir_make_tmp("vireo-qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "m.sock", NULL);
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    gint64 start = g_get_monotonic_time();

    rec_init(&rec);
    /* the socket appears only after 300 ms, as with a slow-starting QEMU */
    srv = srv_start_path(script_greet_then_wait_eof, path, 300);
    mon = qemu_monitor_open(path, getpid(), 5000, &rec_cb, &rec);
    g_assert_nonnull(mon);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * 1000);
    qemu_monitor_free(mon);
    srv_join(srv);
    g_unlink(path);
    g_rmdir(dir);
    rec_clear(&rec);
}

static void
test_open_timeout(void)
{
    g_autofree char *dir = g_dir_make_tmp("vireo-qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "never.sock", NULL);
    gint64 start = g_get_monotonic_time();
    g_autofree char *needle = g_strdup_printf("QEMU monitor '%s' did not accept a connection "
                                              "within 300 ms", path);

    g_assert_null(qemu_monitor_open(path, 0, 300, &rec_cb, NULL));
    assert_error(VIR_ERR_OPERATION_TIMEOUT, needle);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300 * 1000);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_rmdir(dir);
}

static void
test_open_dead_pid(void)
{
    g_autofree char *dir = g_dir_make_tmp("vireo-qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "m.sock", NULL);
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/true");
    GPid pid = 0;
    int status = 0;
    gint64 start;
    g_autofree char *needle = NULL;

    /* an exited child, deliberately left unreaped: a zombie still answers
     * kill(pid, 0), and must still count as dead */
    g_assert_cmpint(vireo_command_run_async(cmd, &pid), ==, 0);
    g_usleep(200 * 1000);
    start = g_get_monotonic_time();
    g_assert_null(qemu_monitor_open(path, pid, 10000, &rec_cb, NULL));
    needle = g_strdup_printf("QEMU (pid %d) exited before accepting connections on its "
                             "monitor '%s'", (int)pid, path);
    assert_error(VIR_ERR_OPERATION_FAILED, needle);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_rmdir(dir);
}

static void
test_open_path_too_long(void)
{
    g_autofree char *path = g_strnfill(200, 'x');

    g_assert_null(qemu_monitor_open(path, 0, 100, NULL, NULL));
    assert_error(VIR_ERR_OPERATION_FAILED, "is longer than 107 bytes");
}

static void
script_no_greeting_close(Srv *srv)
{
}

static void
script_reply_instead_of_greeting(Srv *srv)
{
    srv_send(srv, "{\"return\": {}}");
    g_assert_null(srv_recv_line(srv));
}

static void
script_caps_refused(Srv *srv)
{
    g_autofree char *caps = NULL;

    srv_send(srv, GREETING);
    caps = srv_recv_line(srv);
    srv_send(srv, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"nope\"}, \"id\": \"vireo-0\"}");
    g_assert_null(srv_recv_line(srv));
}

static void
script_silent(Srv *srv)
{
    g_assert_null(srv_recv_line(srv));
}

static void
test_open_failures(void)
{
    Srv *srv;
    g_autofree char *name = NULL;
    g_autofree char *needle = NULL;
    gint64 start;

    srv = srv_start(script_no_greeting_close, NULL);
    name = g_strdup_printf("fd %d", srv->client_fd);
    g_assert_null(qemu_monitor_open_fd(srv->client_fd, 2000, &rec_cb, NULL));
    needle = g_strdup_printf("QEMU closed its monitor '%s' before sending the QMP greeting", name);
    assert_error(VIR_ERR_OPERATION_FAILED, needle);
    srv_join(srv);

    srv = srv_start(script_reply_instead_of_greeting, NULL);
    g_assert_null(qemu_monitor_open_fd(srv->client_fd, 2000, &rec_cb, NULL));
    assert_error(VIR_ERR_OPERATION_FAILED, "sent a reply instead of the QMP greeting");
    srv_join(srv);

    srv = srv_start(script_caps_refused, NULL);
    g_assert_null(qemu_monitor_open_fd(srv->client_fd, 2000, &rec_cb, NULL));
    assert_error(VIR_ERR_OPERATION_FAILED, "refused qmp_capabilities: nope (CommandNotFound)");
    srv_join(srv);

    srv = srv_start(script_silent, NULL);
    start = g_get_monotonic_time();
    g_assert_null(qemu_monitor_open_fd(srv->client_fd, 250, &rec_cb, NULL));
    assert_error(VIR_ERR_OPERATION_TIMEOUT, "sent no QMP greeting within 250 ms");
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 250 * 1000);
    srv_join(srv);
}

/* Events that QEMU sends right behind the capabilities reply, in the same
 * write, are delivered once the main loop runs. */
static void
script_events_with_caps(Srv *srv)
{
    g_autofree char *caps = NULL;

    srv_send(srv, GREETING);
    caps = srv_recv_line(srv);
    srv_write(srv, "{\"return\": {}, \"id\": \"vireo-0\"}\r\n"
                   "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n"
                   "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 3, \"microseconds\": 4}}\r\n");
    g_assert_null(srv_recv_line(srv));
}

static void
test_open_early_events(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    rec_init(&rec);
    srv = srv_start(script_events_with_caps, NULL);
    mon = open_pair(srv, &rec);
    while (rec.events->len < 2 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(rec.events->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(rec.events, 0), ==, "RESUME 1.2 -");
    g_assert_cmpstr(g_ptr_array_index(rec.events, 1), ==, "STOP 3.4 -");
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* ---- tests: commands --------------------------------------------------- */

static void
script_command(Srv *srv)
{
    g_autoptr(VireoJSON) c1 = NULL;
    g_autoptr(VireoJSON) c2 = NULL;
    g_autoptr(VireoJSON) c3 = NULL;
    g_autofree char *raw = NULL;

    srv_greet(srv);
    /* the exact bytes of a command with arguments */
    raw = srv_recv_line(srv);
    g_assert_cmpstr(raw, ==, "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"net0\"},"
                             "\"id\":\"vireo-1\"}");
    srv_send(srv, "{\"return\": {}, \"id\": \"vireo-1\"}");

    c1 = srv_recv(srv);
    g_assert_cmpstr(vireo_json_object_get_string(c1, "execute"), ==, "query-status");
    g_assert_null(vireo_json_object_get(c1, "arguments"));
    srv_send(srv, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, "
                  "\"id\": \"%s\"}", vireo_json_object_get_string(c1, "id"));

    c2 = srv_recv(srv);
    g_assert_cmpstr(vireo_json_object_get_string(c2, "execute"), ==, "cont");
    srv_send(srv, "{\"id\": \"%s\", \"error\": {\"class\": \"GenericError\", "
                  "\"desc\": \"Resetting the Virtual Machine is required\"}}",
             vireo_json_object_get_string(c2, "id"));

    /* an error without id (QEMU could not parse the command) goes to the
     * only command in flight */
    g_free(srv_recv_line(srv));
    srv_send(srv, "{\"error\": {\"class\": \"GenericError\", "
                  "\"desc\": \"JSON parse error, expecting value\"}}");

    /* a garbage line is skipped; the reply after it still arrives */
    c3 = srv_recv(srv);
    srv_write(srv, "this is not QMP\r\n{\"unknown\": 1}\r\n");
    srv_send(srv, "{\"return\": 7, \"id\": \"%s\"}", vireo_json_object_get_string(c3, "id"));
    g_assert_null(srv_recv_line(srv));
}

static gpointer
worker_command(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    g_autoptr(VireoJSON) args = vireo_json_new_object();
    g_autoptr(VireoJSON) ret = NULL;
    g_autofree char *error_class = NULL;
    bool running = false;

    vireo_json_object_add_string(args, "id", "net0");
    g_assert_cmpint(qemu_monitor_command(mon, "device_del", g_steal_pointer(&args), 0, &ret), ==, 0);
    g_assert_cmpint(vireo_json_get_type(ret), ==, VIREO_JSON_OBJECT);
    g_assert_cmpuint(vireo_json_object_size(ret), ==, 0);
    g_clear_pointer(&ret, vireo_json_free);

    g_assert_cmpint(qemu_monitor_command(mon, "query-status", NULL, 0, &ret), ==, 0);
    g_assert_true(vireo_json_object_get_bool(ret, "running", &running));
    g_assert_true(running);
    g_assert_cmpstr(vireo_json_object_get_string(ret, "status"), ==, "running");
    g_clear_pointer(&ret, vireo_json_free);

    g_assert_cmpint(qemu_monitor_command_full(mon, "cont", NULL, 0, &ret, &error_class), ==, -1);
    g_assert_null(ret);
    g_assert_cmpstr(error_class, ==, "GenericError");
    assert_error(VIR_ERR_OPERATION_FAILED,
                 "operation failed: QEMU command 'cont' failed: Resetting the Virtual Machine "
                 "is required (GenericError)");

    g_assert_cmpint(qemu_monitor_command(mon, "query-name", NULL, 0, &ret), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED,
                 "QEMU command 'query-name' failed: JSON parse error, expecting value (GenericError)");

    g_assert_cmpint(qemu_monitor_command(mon, "query-kvm", NULL, 0, &ret), ==, 0);
    g_assert_cmpstr(vireo_json_get_number_text(ret), ==, "7");
    g_assert_true(qemu_monitor_is_connected(mon));
    return NULL;
}

static void
test_command(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    rec_init(&rec);
    srv = srv_start(script_command, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_command, mon);
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* Three commands in flight; the server answers in reverse order with
 * events in between.  Each thread must get its own answer and the events
 * must arrive in order on the main thread. */
#define N_OOO 3

static void
script_out_of_order(Srv *srv)
{
    VireoJSON *cmds[N_OOO];

    srv_greet(srv);
    for (int i = 0; i < N_OOO; i++)
        cmds[i] = srv_recv(srv);
    for (int i = N_OOO - 1; i >= 0; i--) {
        gint64 n = -1;

        g_assert_true(vireo_json_object_get_int64(
            vireo_json_object_get(cmds[i], "arguments"), "n", &n));
        srv_send(srv, "{\"timestamp\": {\"seconds\": 100, \"microseconds\": %d}, "
                      "\"event\": \"EV%d\", \"data\": {\"i\": %d}}", i, i, i);
        srv_send(srv, "{\"return\": {\"echo\": %" G_GINT64_FORMAT "}, \"id\": \"%s\"}",
                 n, vireo_json_object_get_string(cmds[i], "id"));
        vireo_json_free(cmds[i]);
    }
    srv_send(srv, "{\"timestamp\": {\"seconds\": 101, \"microseconds\": 0}, \"event\": \"LAST\"}");
    g_assert_null(srv_recv_line(srv));
}

typedef struct {
    QemuMonitor *mon;
    int n;
    gint *started;
} EchoJob;

static gpointer
echo_thread(gpointer opaque)
{
    EchoJob *job = opaque;
    g_autoptr(VireoJSON) args = vireo_json_new_object();
    g_autoptr(VireoJSON) ret = NULL;
    gint64 echo = -1;

    vireo_json_object_add_int(args, "n", job->n);
    if (qemu_monitor_command(job->mon, "echo", g_steal_pointer(&args), 5000, &ret) < 0)
        g_error("echo %d failed: %s", job->n, vireo_error_last()->message);
    g_assert_true(vireo_json_object_get_int64(ret, "echo", &echo));
    g_assert_cmpint(echo, ==, job->n);
    return NULL;
}

static gpointer
worker_out_of_order(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    EchoJob jobs[N_OOO];
    GThread *threads[N_OOO];

    for (int i = 0; i < N_OOO; i++) {
        jobs[i] = (EchoJob){ .mon = mon, .n = 1000 + i };
        threads[i] = g_thread_new("echo", echo_thread, &jobs[i]);
    }
    for (int i = 0; i < N_OOO; i++)
        g_thread_join(threads[i]);
    return NULL;
}

static void
test_out_of_order(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    gint64 deadline;

    rec_init(&rec);
    srv = srv_start(script_out_of_order, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_out_of_order, mon);
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (rec.events->len < N_OOO + 1 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(rec.events->len, ==, N_OOO + 1);
    g_assert_cmpstr(g_ptr_array_index(rec.events, 0), ==, "EV2 100.2 {\"i\":2}");
    g_assert_cmpstr(g_ptr_array_index(rec.events, 1), ==, "EV1 100.1 {\"i\":1}");
    g_assert_cmpstr(g_ptr_array_index(rec.events, 2), ==, "EV0 100.0 {\"i\":0}");
    g_assert_cmpstr(g_ptr_array_index(rec.events, 3), ==, "LAST 101.0 -");
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* No answer: the command times out; the late reply is dropped and the
 * monitor stays usable. */
static void
script_timeout(Srv *srv)
{
    g_autoptr(VireoJSON) slow = NULL;
    g_autoptr(VireoJSON) next = NULL;
    gint *timed_out = srv->data;

    srv_greet(srv);
    slow = srv_recv(srv);
    while (!g_atomic_int_get(timed_out))
        g_usleep(5000);
    srv_send(srv, "{\"return\": {\"late\": true}, \"id\": \"%s\"}",
             vireo_json_object_get_string(slow, "id"));
    next = srv_recv(srv);
    srv_send(srv, "{\"return\": {\"late\": false}, \"id\": \"%s\"}",
             vireo_json_object_get_string(next, "id"));
    g_assert_null(srv_recv_line(srv));
}

static gint timeout_flag;

static gpointer
worker_timeout(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    g_autoptr(VireoJSON) ret = NULL;
    gint64 start = g_get_monotonic_time();
    bool late = true;

    g_assert_cmpint(qemu_monitor_command(mon, "query-status", NULL, 200, &ret), ==, -1);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 200 * 1000);
    g_assert_null(ret);
    assert_error(VIR_ERR_OPERATION_TIMEOUT,
                 "Timed out during operation: QEMU did not answer command 'query-status' "
                 "within 200 ms");
    g_atomic_int_set(&timeout_flag, 1);

    g_assert_cmpint(qemu_monitor_command(mon, "query-status", NULL, 5000, &ret), ==, 0);
    g_assert_true(vireo_json_object_get_bool(ret, "late", &late));
    g_assert_false(late);
    return NULL;
}

static void
test_timeout(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    timeout_flag = 0;
    rec_init(&rec);
    srv = srv_start(script_timeout, &timeout_flag);
    mon = open_pair(srv, &rec);
    run_worker(worker_timeout, mon);
    g_assert_true(qemu_monitor_is_connected(mon));
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* QEMU dies while a command waits. */
static void
script_eof_during_command(Srv *srv)
{
    g_autoptr(VireoJSON) cmd = NULL;

    srv_greet(srv);
    cmd = srv_recv(srv);
    g_assert_cmpstr(vireo_json_object_get_string(cmd, "execute"), ==, "stop");
    g_usleep(50 * 1000);
    /* returning closes the socket */
}

static gpointer
worker_eof(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(qemu_monitor_command(mon, "stop", NULL, 10000, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED,
                 "operation failed: QEMU monitor closed while running 'stop'");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
    g_assert_false(qemu_monitor_is_connected(mon));

    g_assert_cmpint(qemu_monitor_command(mon, "cont", NULL, 0, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "is closed, cannot run 'cont'");
    return NULL;
}

static void
test_eof_while_waiting(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    rec_init(&rec);
    srv = srv_start(script_eof_during_command, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_eof, mon);
    loop_for(20);
    g_assert_cmpint(rec.eofs, ==, 1);
    qemu_monitor_close(mon);
    qemu_monitor_close(mon);     /* idempotent */
    qemu_monitor_free(mon);
    srv_join(srv);
    g_assert_cmpint(rec.eofs, ==, 1);
    rec_clear(&rec);
}

/* Many events, in order, with their data and timestamps. */
#define N_EVENTS 200

static void
script_many_events(Srv *srv)
{
    g_autoptr(GString) burst = g_string_new(NULL);

    srv_greet(srv);
    for (int i = 0; i < N_EVENTS; i++) {
        g_string_append_printf(burst,
                               "{\"timestamp\": {\"seconds\": %d, \"microseconds\": %d}, "
                               "\"event\": \"%s\", \"data\": {\"seq\": %d}}\r\n",
                               1000 + i, i * 7, i % 2 ? "STOP" : "RESUME", i);
        /* write in odd-sized pieces to exercise reassembly */
        if (burst->len > 333) {
            srv_write(srv, burst->str);
            g_string_truncate(burst, 0);
        }
    }
    srv_write(srv, burst->str);
    g_assert_null(srv_recv_line(srv));
}

static void
test_events_in_order(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    rec_init(&rec);
    srv = srv_start(script_many_events, NULL);
    mon = open_pair(srv, &rec);
    while (rec.events->len < N_EVENTS && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpuint(rec.events->len, ==, N_EVENTS);
    for (int i = 0; i < N_EVENTS; i++) {
        g_autofree char *want = g_strdup_printf("%s %d.%d {\"seq\":%d}",
                                                i % 2 ? "STOP" : "RESUME", 1000 + i, i * 7, i);

        g_assert_cmpstr(g_ptr_array_index(rec.events, i), ==, want);
    }
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* An event callback closes the monitor: nothing after that is delivered,
 * and no EOF callback follows when the server then hangs up. */
static void
script_events_then_close(Srv *srv)
{
    srv_greet(srv);
    srv_write(srv,
              "{\"event\": \"A\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 0}}\r\n"
              "{\"event\": \"B\", \"timestamp\": {\"seconds\": 2, \"microseconds\": 0}}\r\n"
              "{\"event\": \"C\", \"timestamp\": {\"seconds\": 3, \"microseconds\": 0}}\r\n");
    g_assert_null(srv_recv_line(srv));
}

static void
test_close_in_callback(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    rec_init(&rec);
    rec.close_on_event = true;
    srv = srv_start(script_events_then_close, NULL);
    mon = open_pair(srv, &rec);
    while (rec.events->len < 1 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    srv_join(srv);     /* the server saw our close */
    loop_for(50);
    g_assert_cmpuint(rec.events->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(rec.events, 0), ==, "A 1.0 -");
    g_assert_cmpint(rec.eofs, ==, 0);
    g_assert_false(qemu_monitor_is_connected(mon));
    qemu_monitor_free(mon);
    rec_clear(&rec);
}

/* close() from the main thread while a worker waits for a reply. */
static void
script_never_answer(Srv *srv)
{
    g_autoptr(VireoJSON) cmd = NULL;

    srv_greet(srv);
    cmd = srv_recv(srv);
    g_atomic_int_set((gint *)srv->data, 1);
    g_assert_null(srv_recv_line(srv));
}

typedef struct {
    QemuMonitor *mon;
    gint done;
} CloseJob;

static gpointer
close_waiter(gpointer opaque)
{
    CloseJob *job = opaque;

    g_assert_cmpint(qemu_monitor_command(job->mon, "query-status", NULL, 10000, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "QEMU monitor closed while running 'query-status'");
    g_atomic_int_set(&job->done, 1);
    return NULL;
}

static void
test_close_while_waiting(void)
{
    Record rec;
    Srv *srv;
    gint received = 0;
    CloseJob job = { 0 };
    GThread *t;
    gint64 start;

    rec_init(&rec);
    srv = srv_start(script_never_answer, &received);
    job.mon = open_pair(srv, &rec);
    t = g_thread_new("waiter", close_waiter, &job);
    loop_until(&received);
    g_usleep(50 * 1000);
    start = g_get_monotonic_time();
    /* free, not just close: the waiter's reference keeps the memory valid */
    qemu_monitor_free(job.mon);
    g_thread_join(t);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
    g_assert_true(g_atomic_int_get(&job.done));
    srv_join(srv);
    loop_for(20);
    g_assert_cmpint(rec.eofs, ==, 0);
    rec_clear(&rec);
}

/* Many threads, many commands; whenever a second command follows within
 * 50 ms the server answers the pair in swapped order. */
#define N_THREADS 8
#define N_PER_THREAD 40

static void
script_concurrent(Srv *srv)
{
    int answered = 0;
    int swapped = 0;

    srv_greet(srv);
    while (answered < N_THREADS * N_PER_THREAD) {
        g_autoptr(VireoJSON) a = srv_recv(srv);
        g_autoptr(VireoJSON) b = NULL;
        g_autofree char *line = NULL;
        bool quiet = false;
        const VireoJSON *cmds[2];
        int n = 1;

        if (answered + 1 < N_THREADS * N_PER_THREAD &&
            (line = srv_recv_line_full(srv, 50, &quiet))) {
            b = vireo_json_parse(line, strlen(line));
            g_assert_nonnull(b);
        }
        cmds[0] = b ? b : a;
        if (b) {
            cmds[1] = a;
            n = 2;
            swapped++;
        }
        for (int k = 0; k < n; k++) {
            gint64 v = -1;

            g_assert_true(vireo_json_object_get_int64(
                vireo_json_object_get(cmds[k], "arguments"), "n", &v));
            srv_send(srv, "{\"return\": {\"echo\": %" G_GINT64_FORMAT "}, \"id\": \"%s\"}",
                     v, vireo_json_object_get_string(cmds[k], "id"));
            answered++;
        }
    }
    /* most replies really did go out of order */
    g_assert_cmpint(swapped, >, N_THREADS * N_PER_THREAD / 8);
    g_assert_null(srv_recv_line(srv));
}

typedef struct {
    QemuMonitor *mon;
    int base;
} LoopJob;

static gpointer
concurrent_thread(gpointer opaque)
{
    LoopJob *job = opaque;

    for (int i = 0; i < N_PER_THREAD; i++) {
        EchoJob e = { .mon = job->mon, .n = job->base + i };

        echo_thread(&e);
    }
    return NULL;
}

static gpointer
worker_concurrent(gpointer opaque)
{
    LoopJob jobs[N_THREADS];
    GThread *threads[N_THREADS];

    for (int i = 0; i < N_THREADS; i++) {
        jobs[i] = (LoopJob){ .mon = opaque, .base = i * 10000 };
        threads[i] = g_thread_new("concurrent", concurrent_thread, &jobs[i]);
    }
    for (int i = 0; i < N_THREADS; i++)
        g_thread_join(threads[i]);
    return NULL;
}

static void
test_concurrent(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    rec_init(&rec);
    srv = srv_start(script_concurrent, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_concurrent, mon);
    qemu_monitor_free(mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* A line over 64 MiB: the stream cannot be trusted any more, so the
 * monitor hangs up, fails the waiting command and reports EOF. */
static void
script_oversized(Srv *srv)
{
    gsize chunk = 1024 * 1024;
    g_autofree char *buf = g_malloc(chunk);
    g_autoptr(VireoJSON) cmd = NULL;

    srv_greet(srv);
    cmd = srv_recv(srv);
    memset(buf, 'x', chunk);
    buf[0] = '"';
    for (gsize sent = 0; sent <= 65 * chunk; sent += chunk) {
        /* the client shuts the socket down once it has had enough */
        if (send(srv->fd, buf, chunk, MSG_NOSIGNAL) < 0)
            break;
        buf[0] = 'x';
    }
    g_assert_null(srv_recv_line(srv));
}

static gpointer
worker_oversized(gpointer opaque)
{
    g_assert_cmpint(qemu_monitor_command(opaque, "query-qmp-schema", NULL, 20000, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "QEMU monitor closed while running 'query-qmp-schema'");
    return NULL;
}

static void
test_oversized_line(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    rec_init(&rec);
    srv = srv_start(script_oversized, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_oversized, mon);
    srv_join(srv);
    loop_for(20);
    g_assert_cmpint(rec.eofs, ==, 1);
    g_assert_false(qemu_monitor_is_connected(mon));
    qemu_monitor_free(mon);
    rec_clear(&rec);
}

/* A command issued on the main loop thread could never see its reply. */
typedef struct {
    QemuMonitor *mon;
    gint done;
} GuardJob;

static gboolean
guard_idle(gpointer opaque)
{
    GuardJob *job = opaque;

    g_assert_cmpint(qemu_monitor_command(job->mon, "stop", NULL, 1000, NULL), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(vireo_error_last()->message, "main loop thread"));
    vireo_error_reset();
    g_atomic_int_set(&job->done, 1);
    return G_SOURCE_REMOVE;
}

static void
test_main_thread_guard(void)
{
    Record rec;
    Srv *srv;
    GuardJob job = { 0 };

    rec_init(&rec);
    srv = srv_start(script_greet_then_wait_eof, NULL);
    job.mon = open_pair(srv, &rec);
    g_idle_add(guard_idle, &job);
    loop_until(&job.done);
    qemu_monitor_free(job.mon);
    srv_join(srv);
    rec_clear(&rec);
}

/* QEMU hangs up on the reply to "quit": still a success. */
static void
script_cmds(Srv *srv)
{
    static const struct {
        const char *execute;
        const char *args;        /* expected compact "arguments", or NULL */
        const char *reply;       /* "return"/"error" member text */
    } steps[] = {
        { "query-status", NULL,
          "\"return\": {\"status\": \"paused\", \"singlestep\": false, \"running\": false}" },
        { "query-cpus-fast", NULL,
          "\"return\": [{\"thread-id\": 502, \"cpu-index\": 1, \"qom-path\": \"/m/1\", \"target\": \"x86_64\"},"
          " {\"thread-id\": 501, \"cpu-index\": 0, \"qom-path\": \"/m/0\", \"target\": \"x86_64\"}]" },
        { "query-balloon", NULL, "\"return\": {\"actual\": 1073741824}" },
        { "query-blockstats", NULL,
          "\"return\": [{\"device\": \"\", \"node-name\": \"libvirt-1-format\", "
          "\"qdev\": \"/machine/peripheral/virtio-disk0/virtio-backend\", "
          "\"stats\": {\"rd_bytes\": 1024, \"wr_bytes\": 2048, \"rd_operations\": 3, "
          "\"wr_operations\": 4, \"flush_operations\": 5, \"failed_rd_operations\": 6, "
          "\"failed_wr_operations\": 7, \"failed_flush_operations\": 0, "
          "\"rd_total_time_ns\": 99, \"wr_total_time_ns\": 98, \"flush_total_time_ns\": 97}}, "
          "{\"device\": \"drive-ide0-0-0\", \"qdev\": \"ide0-0-0\", "
          "\"stats\": {\"rd_bytes\": 9007199254740993, \"wr_bytes\": 0}}]" },
        { "query-chardev", NULL,
          "\"return\": [{\"frontend-open\": true, \"filename\": \"pty:/dev/pts/7\", \"label\": \"charserial0\"},"
          " {\"frontend-open\": true, \"filename\": \"unix:/run/x.monitor,server=on\", \"label\": \"charmonitor\"}]" },
        { "query-version", NULL,
          "\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"Debian 1:7.2\"}" },
        { "set-action", "{\"reboot\":\"shutdown\",\"shutdown\":\"pause\"}", "\"return\": {}" },
        { "device_del", "{\"id\":\"hostdev9\"}",
          "\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'hostdev9' not found\"}" },
        { "system_powerdown", NULL, "\"return\": {}" },
        { "system_reset", NULL, "\"return\": {}" },
        { "stop", NULL, "\"return\": {}" },
        { "cont", NULL, "\"return\": {}" },
        { "query-status", NULL, "\"return\": {\"running\": true}" },
        { "quit", NULL, NULL },
    };

    srv_greet(srv);
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        g_autoptr(VireoJSON) cmd = srv_recv(srv);
        const VireoJSON *args = vireo_json_object_get(cmd, "arguments");
        g_autofree char *args_text = args ? vireo_json_format(args, false) : NULL;

        g_assert_cmpstr(vireo_json_object_get_string(cmd, "execute"), ==, steps[i].execute);
        g_assert_cmpstr(args_text, ==, steps[i].args);
        if (!steps[i].reply)
            return;     /* hang up without answering */
        srv_send(srv, "{%s, \"id\": \"%s\"}", steps[i].reply,
                 vireo_json_object_get_string(cmd, "id"));
    }
}

static gpointer
worker_cmds(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    bool running = true;
    g_autofree char *status = NULL;
    g_autoptr(GArray) tids = NULL;
    unsigned long long kib = 0;
    g_autoptr(GHashTable) stats = NULL;
    g_autoptr(GHashTable) ptys = NULL;
    const QemuMonitorBlockStats *st;
    int major = 0, minor = 0, micro = 0;
    g_autofree char *package = NULL;

    g_assert_cmpint(qemu_monitor_query_status(mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "paused");

    g_assert_cmpint(qemu_monitor_query_cpus_fast(mon, &tids), ==, 0);
    g_assert_cmpuint(tids->len, ==, 2);
    g_assert_cmpint(g_array_index(tids, pid_t, 0), ==, 501);
    g_assert_cmpint(g_array_index(tids, pid_t, 1), ==, 502);

    g_assert_cmpint(qemu_monitor_query_balloon(mon, &kib), ==, 0);
    g_assert_cmpuint(kib, ==, 1048576);

    g_assert_cmpint(qemu_monitor_query_blockstats(mon, &stats), ==, 0);
    /* node-name, full qdev path, peripheral id; device + qdev of the second */
    g_assert_cmpuint(g_hash_table_size(stats), ==, 5);
    g_assert_null(g_hash_table_lookup(stats, ""));
    st = g_hash_table_lookup(stats, "virtio-disk0");
    g_assert_nonnull(st);
    g_assert_cmpint(st->rd_bytes, ==, 1024);
    g_assert_cmpint(st->wr_bytes, ==, 2048);
    g_assert_cmpint(st->rd_operations, ==, 3);
    g_assert_cmpint(st->wr_operations, ==, 4);
    g_assert_cmpint(st->flush_operations, ==, 5);
    g_assert_cmpint(st->failed_rd_operations, ==, 6);
    g_assert_cmpint(st->failed_wr_operations, ==, 7);
    g_assert_cmpint(st->failed_flush_operations, ==, 0);
    g_assert_cmpint(st->rd_total_time_ns, ==, 99);
    g_assert_cmpint(st->flush_total_time_ns, ==, 97);
    g_assert_nonnull(g_hash_table_lookup(stats, "/machine/peripheral/virtio-disk0/virtio-backend"));
    g_assert_nonnull(g_hash_table_lookup(stats, "libvirt-1-format"));
    st = g_hash_table_lookup(stats, "drive-ide0-0-0");
    g_assert_nonnull(st);
    g_assert_cmpint(st->rd_bytes, ==, 9007199254740993LL);   /* not rounded through a double */
    g_assert_cmpint(st->rd_operations, ==, -1);               /* not sent */
    g_assert_nonnull(g_hash_table_lookup(stats, "ide0-0-0"));

    g_assert_cmpint(qemu_monitor_query_chardev(mon, &ptys), ==, 0);
    g_assert_cmpuint(g_hash_table_size(ptys), ==, 1);
    g_assert_cmpstr(g_hash_table_lookup(ptys, "charserial0"), ==, "/dev/pts/7");

    g_assert_cmpint(qemu_monitor_query_version(mon, &major, &minor, &micro, &package), ==, 0);
    g_assert_cmpint(major * 10000 + minor * 100 + micro, ==, 70200);
    g_assert_cmpstr(package, ==, "Debian 1:7.2");

    g_assert_cmpint(qemu_monitor_set_action(mon, "shutdown", "pause", NULL, NULL), ==, 0);

    g_assert_cmpint(qemu_monitor_device_del(mon, "hostdev9"), ==, -1);
    assert_error(VIR_ERR_DEVICE_MISSING, "device not found: QEMU has no device 'hostdev9' to unplug");

    g_assert_cmpint(qemu_monitor_system_powerdown(mon), ==, 0);
    g_assert_cmpint(qemu_monitor_system_reset(mon), ==, 0);
    g_assert_cmpint(qemu_monitor_stop(mon), ==, 0);
    g_assert_cmpint(qemu_monitor_cont(mon), ==, 0);

    /* a reply missing a field */
    running = false;
    g_assert_cmpint(qemu_monitor_query_status(mon, &running, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED,
                 "QEMU sent an unexpected reply to 'query-status': missing 'running' or 'status'");
    g_assert_false(running);    /* untouched */

    g_assert_cmpint(qemu_monitor_quit(mon), ==, 0);
    g_assert_null(vireo_error_last());
    return NULL;
}

static void
test_cmds(void)
{
    Record rec;
    Srv *srv;
    QemuMonitor *mon;

    rec_init(&rec);
    srv = srv_start(script_cmds, NULL);
    mon = open_pair(srv, &rec);
    run_worker(worker_cmds, mon);
    srv_join(srv);
    loop_for(20);
    g_assert_cmpint(rec.eofs, ==, 1);
    qemu_monitor_free(mon);
    rec_clear(&rec);
}

/* ---- a real QEMU ------------------------------------------------------- */

static gpointer
worker_qemu(gpointer opaque)
{
    QemuMonitor *mon = opaque;
    bool running = true;
    g_autofree char *status = NULL;
    g_autofree char *package = NULL;
    g_autoptr(GHashTable) ptys = NULL;
    g_autoptr(VireoJSON) ret = NULL;
    int major = 0, minor = 0, micro = 0;
    int gmajor = -1, gminor = -1, gmicro = -1;

    g_assert_cmpint(qemu_monitor_query_status(mon, &running, &status), ==, 0);
    g_assert_false(running);
    g_assert_cmpstr(status, ==, "prelaunch");

    g_assert_cmpint(qemu_monitor_query_version(mon, &major, &minor, &micro, &package), ==, 0);
    qemu_monitor_get_version(mon, &gmajor, &gminor, &gmicro);
    g_assert_cmpint(major, >=, 6);
    g_assert_cmpint(major, ==, gmajor);
    g_assert_cmpint(minor, ==, gminor);
    g_assert_cmpint(micro, ==, gmicro);

    g_assert_cmpint(qemu_monitor_set_action(mon, "shutdown", "pause", NULL, NULL), ==, 0);
    g_assert_cmpint(qemu_monitor_query_chardev(mon, &ptys), ==, 0);
    g_assert_cmpuint(g_hash_table_size(ptys), ==, 0);   /* the monitor is a socket, not a pty */

    /* a real QMP error, with QEMU's class */
    g_assert_cmpint(qemu_monitor_command(mon, "no-such-command", NULL, 0, &ret), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED,
                 "QEMU command 'no-such-command' failed: The command no-such-command has not "
                 "been found (CommandNotFound)");

    g_assert_cmpint(qemu_monitor_quit(mon), ==, 0);
    return NULL;
}

static void
test_real_qemu(void)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    Record rec;
    QemuMonitor *mon;
    GPid pid = 0;
    int status = -1;
    gint64 deadline;

    if (!qemu) {
        g_test_skip("qemu-system-x86_64 is not installed");
        return;
    }
    dir = g_dir_make_tmp("vireo-qmp-XXXXXX", NULL);
    path = g_build_filename(dir, "m.sock", NULL);
    cmd = vireo_command_new(qemu);
    vireo_command_add_args(cmd, "-S", "-nodefaults", "-nographic", "-machine", "none",
                           "-accel", "tcg", NULL);
    vireo_command_add_arg(cmd, "-chardev");
    vireo_command_add_argf(cmd, "socket,id=m,path=%s,server=on,wait=off", path);
    vireo_command_add_args(cmd, "-mon", "chardev=m,mode=control", NULL);
    g_assert_cmpint(vireo_command_run_async(cmd, &pid), ==, 0);
    g_assert_cmpint(pid, >, 0);

    rec_init(&rec);
    mon = qemu_monitor_open(path, pid, 20000, &rec_cb, &rec);
    if (!mon) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        g_error("cannot open the monitor of a real QEMU: %s", vireo_error_last()->message);
    }
    run_worker(worker_qemu, mon);

    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (rec.eofs == 0 && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpint(rec.eofs, ==, 1);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    /* quit's SHUTDOWN event may or may not beat the hangup; nothing else */
    for (guint i = 0; i < rec.events->len; i++)
        g_assert_true(g_str_has_prefix(g_ptr_array_index(rec.events, i), "SHUTDOWN "));

    qemu_monitor_free(mon);
    g_unlink(path);
    g_rmdir(dir);
    rec_clear(&rec);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_thread = g_thread_self();
    g_test_add_func("/qemu-monitor/open-fd", test_open_fd);
    g_test_add_func("/qemu-monitor/open-path-retry", test_open_path_retry);
    g_test_add_func("/qemu-monitor/open-timeout", test_open_timeout);
    g_test_add_func("/qemu-monitor/open-dead-pid", test_open_dead_pid);
    g_test_add_func("/qemu-monitor/open-path-too-long", test_open_path_too_long);
    g_test_add_func("/qemu-monitor/open-failures", test_open_failures);
    g_test_add_func("/qemu-monitor/open-early-events", test_open_early_events);
    g_test_add_func("/qemu-monitor/command", test_command);
    g_test_add_func("/qemu-monitor/out-of-order", test_out_of_order);
    g_test_add_func("/qemu-monitor/timeout", test_timeout);
    g_test_add_func("/qemu-monitor/eof-while-waiting", test_eof_while_waiting);
    g_test_add_func("/qemu-monitor/events-in-order", test_events_in_order);
    g_test_add_func("/qemu-monitor/close-in-callback", test_close_in_callback);
    g_test_add_func("/qemu-monitor/close-while-waiting", test_close_while_waiting);
    g_test_add_func("/qemu-monitor/concurrent", test_concurrent);
    g_test_add_func("/qemu-monitor/oversized-line", test_oversized_line);
    g_test_add_func("/qemu-monitor/main-thread-guard", test_main_thread_guard);
    g_test_add_func("/qemu-monitor/cmds", test_cmds);
    g_test_add_func("/qemu-monitor/real-qemu", test_real_qemu);
    return g_test_run();
}
