/*
 * bench_rpc.c: RPC load generator for vireod and libvirtd.
 *
 * Drives a daemon through libvirt's own client library, so the same binary
 * measures vireod and the reference libvirtd side by side.  It only reports
 * figures; it never asserts on them (see bench/README.md).
 *
 *   bench-rpc setup     -c URI [-n N] [-F FIRST] define N domains bench-NNNN
 *   bench-rpc cleanup   -c URI [-n N] [-F FIRST] undefine them
 *   bench-rpc run       -c URI -m CALL [-p P] [-d SECS | -k CALLS] [-n N]
 *         CALL: getVersion | lookupByName | listAllDomains
 *   bench-rpc coldstart -c URI [-t SECS] [--stop] [-o LOG] [--pidfile F] -- CMD [ARGS...]
 *         exec CMD, then time until the first virConnectGetVersion answer;
 *         --stop then SIGTERMs CMD and times its exit
 *
 * Every mode prints one "RESULT key=value ..." line on stdout for scripts;
 * diagnostics go to stderr.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define BENCH_NAME_FMT "bench-%04d"

enum bench_call {
    CALL_GET_VERSION,
    CALL_LOOKUP_BY_NAME,
    CALL_LIST_ALL_DOMAINS,
};

static const char *const call_names[] = {
    [CALL_GET_VERSION] = "getVersion",
    [CALL_LOOKUP_BY_NAME] = "lookupByName",
    [CALL_LIST_ALL_DOMAINS] = "listAllDomains",
};

struct bench_opts {
    const char *uri;
    enum bench_call call;
    int procs;
    double duration;   /* seconds; used when calls == 0 */
    long calls;        /* per process */
    int ndomains;
    int first;         /* setup/cleanup: first domain number */
    int warmup;        /* untimed calls per process before the start barrier */
    double timeout;    /* coldstart */
    bool stop;         /* coldstart: SIGTERM the started command afterwards */
    const char *log;   /* coldstart: stdout/stderr of the started command */
    const char *pidfile; /* coldstart: where to record the started command's pid */
};

/* Sent by each child to the parent after its run, followed by nsamples
 * uint32_t latencies in nanoseconds (saturated at UINT32_MAX, ~4.29 s). */
struct child_report {
    uint64_t calls;
    uint64_t errors;
    uint64_t t_end_ns;
    uint64_t nsamples;
    uint64_t max_ns;
    char first_error[256];
};

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
sleep_ns(uint64_t ns)
{
    struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* The library's default handler prints every error on stderr; the bench
 * counts errors itself and prints the first one. */
static void
silent_error_func(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static const char *
last_error_message(void)
{
    virErrorPtr err = virGetLastError();

    return err && err->message ? err->message : "unknown error (no libvirt error set)";
}

static virConnectPtr
connect_or_die(const char *uri)
{
    virConnectPtr conn = virConnectOpen(uri);

    if (!conn) {
        fprintf(stderr, "bench-rpc: cannot connect to '%s': %s\n", uri, last_error_message());
        exit(2);
    }
    return conn;
}

static int
write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
read_all(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- setup / cleanup --------------------------------------------------- */

static int
mode_setup(const struct bench_opts *o)
{
    virConnectPtr conn = connect_or_die(o->uri);
    uint64_t t0 = now_ns();
    int defined = 0, errors = 0;
    uint64_t def_max_ns = 0;

    for (int i = o->first; i < o->first + o->ndomains; i++) {
        char name[64];
        char xml[512];
        virDomainPtr dom;

        snprintf(name, sizeof(name), BENCH_NAME_FMT, i);
        snprintf(xml, sizeof(xml),
                 "<domain type='qemu'>\n"
                 "  <name>%s</name>\n"
                 "  <memory unit='MiB'>64</memory>\n"
                 "  <vcpu>1</vcpu>\n"
                 "  <os><type>hvm</type></os>\n"
                 "</domain>\n", name);
        uint64_t t1 = now_ns();
        dom = virDomainDefineXML(conn, xml);
        uint64_t dt = now_ns() - t1;
        if (dt > def_max_ns)
            def_max_ns = dt;
        if (!dom) {
            if (errors++ == 0)
                fprintf(stderr, "bench-rpc: cannot define '%s': %s\n", name, last_error_message());
            continue;
        }
        virDomainFree(dom);
        defined++;
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("RESULT mode=setup defined=%d errors=%d secs=%.3f defines_per_s=%.1f define_max_us=%.1f\n",
           defined, errors, secs, secs > 0 ? defined / secs : 0.0, def_max_ns / 1e3);
    virConnectClose(conn);
    return errors ? 1 : 0;
}

static int
mode_cleanup(const struct bench_opts *o)
{
    virConnectPtr conn = connect_or_die(o->uri);
    uint64_t t0 = now_ns();
    int undefined = 0, missing = 0, errors = 0;
    uint64_t lookup_ns = 0, undef_ns = 0, undef_max_ns = 0;

    for (int i = o->first; i < o->first + o->ndomains; i++) {
        char name[64];
        virDomainPtr dom;

        snprintf(name, sizeof(name), BENCH_NAME_FMT, i);
        uint64_t t1 = now_ns();
        dom = virDomainLookupByName(conn, name);
        lookup_ns += now_ns() - t1;
        if (!dom) {
            virErrorPtr err = virGetLastError();
            if (err && err->code == VIR_ERR_NO_DOMAIN) {
                missing++;
            } else if (errors++ == 0) {
                fprintf(stderr, "bench-rpc: cannot look up '%s': %s\n", name, last_error_message());
            }
            continue;
        }
        t1 = now_ns();
        int r = virDomainUndefine(dom);
        uint64_t dt = now_ns() - t1;
        undef_ns += dt;
        if (dt > undef_max_ns)
            undef_max_ns = dt;
        if (r < 0) {
            if (errors++ == 0)
                fprintf(stderr, "bench-rpc: cannot undefine '%s': %s\n", name, last_error_message());
        } else {
            undefined++;
        }
        virDomainFree(dom);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf("RESULT mode=cleanup undefined=%d missing=%d errors=%d secs=%.3f "
           "lookup_avg_us=%.1f undefine_avg_us=%.1f undefine_max_us=%.1f\n",
           undefined, missing, errors, secs,
           o->ndomains ? lookup_ns / 1e3 / o->ndomains : 0.0,
           undefined ? undef_ns / 1e3 / undefined : 0.0, undef_max_ns / 1e3);
    virConnectClose(conn);
    return errors ? 1 : 0;
}

/* ---- run --------------------------------------------------------------- */

/* One call; returns 0 on success, -1 on failure (libvirt error set). */
static int
do_call(virConnectPtr conn, enum bench_call call, int ndomains, long *cursor)
{
    switch (call) {
    case CALL_GET_VERSION: {
        unsigned long ver = 0;
        return virConnectGetVersion(conn, &ver);
    }
    case CALL_LOOKUP_BY_NAME: {
        char name[64];
        virDomainPtr dom;

        snprintf(name, sizeof(name), BENCH_NAME_FMT, (int)(*cursor % ndomains));
        (*cursor)++;
        dom = virDomainLookupByName(conn, name);
        if (!dom)
            return -1;
        virDomainFree(dom);
        return 0;
    }
    case CALL_LIST_ALL_DOMAINS: {
        virDomainPtr *doms = NULL;
        int n = virConnectListAllDomains(conn, &doms, 0);

        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++)
            virDomainFree(doms[i]);
        free(doms);
        return 0;
    }
    }
    return -1;
}

static void
child_run(const struct bench_opts *o, int idx, int ready_fd, int go_fd, int report_fd)
{
    virConnectPtr conn = connect_or_die(o->uri);
    long cursor = (long)idx * (o->ndomains / (o->procs > 0 ? o->procs : 1));
    struct child_report rep;
    uint32_t *samples = NULL;
    size_t cap = 0;
    uint64_t start_ns = 0, deadline = 0;
    char byte = 'r';

    memset(&rep, 0, sizeof(rep));

    for (int i = 0; i < o->warmup; i++) {
        if (do_call(conn, o->call, o->ndomains, &cursor) < 0 && rep.first_error[0] == '\0')
            snprintf(rep.first_error, sizeof(rep.first_error), "warm-up: %s", last_error_message());
    }

    cap = o->calls > 0 ? (size_t)o->calls : 65536;
    samples = malloc(cap * sizeof(*samples));
    if (!samples) {
        fprintf(stderr, "bench-rpc: out of memory\n");
        _exit(2);
    }

    /* Barrier: tell the parent we are connected and warm, then wait for the
     * common start time it sends to every child. */
    if (write_all(ready_fd, &byte, 1) < 0 || read_all(go_fd, &start_ns, sizeof(start_ns)) < 0)
        _exit(2);
    close(ready_fd);
    close(go_fd);
    if (now_ns() < start_ns)
        sleep_ns(start_ns - now_ns());
    if (o->calls == 0)
        deadline = start_ns + (uint64_t)(o->duration * 1e9);

    for (;;) {
        uint64_t t0 = now_ns();
        if (o->calls > 0 ? (long)rep.calls + (long)rep.errors >= o->calls : t0 >= deadline)
            break;
        int r = do_call(conn, o->call, o->ndomains, &cursor);
        uint64_t dt = now_ns() - t0;
        if (r < 0) {
            rep.errors++;
            if (rep.first_error[0] == '\0')
                snprintf(rep.first_error, sizeof(rep.first_error), "%s", last_error_message());
            /* A dead daemon fails every call instantly: do not spin for the
             * whole duration on a broken connection. */
            if (virConnectIsAlive(conn) != 1)
                break;
            continue;
        }
        rep.calls++;
        if (dt > rep.max_ns)
            rep.max_ns = dt;
        if (rep.nsamples == cap) {
            uint32_t *n = realloc(samples, cap * 2 * sizeof(*samples));
            if (!n) {
                fprintf(stderr, "bench-rpc: out of memory\n");
                _exit(2);
            }
            samples = n;
            cap *= 2;
        }
        samples[rep.nsamples++] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
    }
    rep.t_end_ns = now_ns();
    virConnectClose(conn);

    if (write_all(report_fd, &rep, sizeof(rep)) < 0 ||
        write_all(report_fd, samples, rep.nsamples * sizeof(*samples)) < 0)
        _exit(2);
    _exit(0);
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static double
percentile_us(const uint32_t *sorted, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i] / 1000.0;
}

static int
mode_run(const struct bench_opts *o)
{
    int ready[2], go[2];
    int *report_fds = calloc((size_t)o->procs, sizeof(int));
    pid_t *pids = calloc((size_t)o->procs, sizeof(pid_t));
    struct child_report total;
    uint32_t *all = NULL;
    size_t nall = 0;
    uint64_t start_ns, end_ns = 0;
    int rc = 0;

    if (!report_fds || !pids || pipe(ready) < 0 || pipe(go) < 0) {
        perror("bench-rpc");
        return 2;
    }
    fflush(NULL);
    for (int i = 0; i < o->procs; i++) {
        int rep[2];
        if (pipe(rep) < 0) {
            perror("bench-rpc: pipe");
            return 2;
        }
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("bench-rpc: fork");
            return 2;
        }
        if (pids[i] == 0) {
            close(ready[0]);
            close(go[1]);
            close(rep[0]);
            for (int j = 0; j < i; j++)
                close(report_fds[j]);
            child_run(o, i, ready[1], go[0], rep[1]);
        }
        close(rep[1]);
        report_fds[i] = rep[0];
    }
    close(ready[1]);
    close(go[0]);

    for (int i = 0; i < o->procs; i++) {
        char byte;
        if (read_all(ready[0], &byte, 1) < 0) {
            fprintf(stderr, "bench-rpc: a client process died before the start (see above)\n");
            for (int j = 0; j < o->procs; j++)
                kill(pids[j], SIGTERM);
            while (wait(NULL) > 0)
                ;
            return 2;
        }
    }
    /* Common start slightly in the future so every child starts together. */
    start_ns = now_ns() + 20 * 1000000ull;
    for (int i = 0; i < o->procs; i++)
        write_all(go[1], &start_ns, sizeof(start_ns));
    close(go[1]);
    close(ready[0]);

    memset(&total, 0, sizeof(total));
    for (int i = 0; i < o->procs; i++) {
        struct child_report r;
        if (read_all(report_fds[i], &r, sizeof(r)) < 0) {
            fprintf(stderr, "bench-rpc: client process %d died without a report\n", i);
            rc = 1;
            continue;
        }
        uint32_t *n = realloc(all, (nall + r.nsamples + 1) * sizeof(*all));
        if (!n || read_all(report_fds[i], n + nall, r.nsamples * sizeof(*all)) < 0) {
            fprintf(stderr, "bench-rpc: short report from client process %d\n", i);
            return 2;
        }
        all = n;
        nall += r.nsamples;
        total.calls += r.calls;
        total.errors += r.errors;
        if (r.max_ns > total.max_ns)
            total.max_ns = r.max_ns;
        if (r.t_end_ns > end_ns)
            end_ns = r.t_end_ns;
        if (r.first_error[0] && !total.first_error[0])
            snprintf(total.first_error, sizeof(total.first_error), "%s", r.first_error);
        close(report_fds[i]);
    }
    for (int i = 0; i < o->procs; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) > 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            if (WIFSIGNALED(st))
                fprintf(stderr, "bench-rpc: client process %d killed by signal %d\n", i, WTERMSIG(st));
            else
                fprintf(stderr, "bench-rpc: client process %d exited with status %d\n", i, WEXITSTATUS(st));
            rc = 1;
        }
    }

    qsort(all, nall, sizeof(*all), cmp_u32);
    double secs = end_ns > start_ns ? (double)(end_ns - start_ns) / 1e9 : 0.0;
    if (total.errors) {
        fprintf(stderr, "bench-rpc: %llu failed %s calls; first error: %s\n",
                (unsigned long long)total.errors, call_names[o->call], total.first_error);
        rc = 1;
    }
    printf("RESULT mode=run call=%s procs=%d calls=%llu errors=%llu secs=%.3f "
           "calls_per_s=%.1f p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
           call_names[o->call], o->procs, (unsigned long long)total.calls,
           (unsigned long long)total.errors, secs,
           secs > 0 ? (double)total.calls / secs : 0.0,
           percentile_us(all, nall, 0.50), percentile_us(all, nall, 0.99),
           total.max_ns / 1000.0);
    free(all);
    free(pids);
    free(report_fds);
    return rc;
}

/* ---- coldstart --------------------------------------------------------- */

/* Path of the unix socket named by "socket=" in the URI, if any, so the
 * poll loop can skip connection attempts until the socket exists. */
static char *
uri_socket_path(const char *uri)
{
    const char *p = strstr(uri, "socket=");
    size_t len;
    char *path;

    if (!p)
        return NULL;
    p += strlen("socket=");
    len = strcspn(p, "&");
    path = strndup(p, len);
    return path;
}

static int
mode_coldstart(const struct bench_opts *o, char **argv)
{
    char *sock = uri_socket_path(o->uri);
    uint64_t t0, t_sock = 0, t_ready = 0, deadline;
    struct timespec rt0;
    char stop_status[32] = "none";
    unsigned long attempts = 0;
    pid_t pid;
    int st;
    bool exited = false;

    /* Load the client library's lazily initialised parts before the clock
     * starts, so the figure is the daemon's, not ours. */
    {
        virConnectPtr c = virConnectOpen("test:///default");
        if (c)
            virConnectClose(c);
        virResetLastError();
    }

    fflush(NULL);
    clock_gettime(CLOCK_REALTIME, &rt0);
    t0 = now_ns();
    pid = fork();
    if (pid < 0) {
        perror("bench-rpc: fork");
        return 2;
    }
    if (pid == 0) {
        int fd = open(o->log ? o->log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        execvp(argv[0], argv);
        fprintf(stderr, "bench-rpc: cannot exec '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (o->pidfile) {
        FILE *pf = fopen(o->pidfile, "w");
        if (pf) {
            fprintf(pf, "%d\n", (int)pid);
            fclose(pf);
        }
    }

    deadline = t0 + (uint64_t)(o->timeout * 1e9);
    for (;;) {
        uint64_t now = now_ns();
        struct stat sb;

        if (now > deadline)
            break;
        if (!exited && waitpid(pid, &st, WNOHANG) == pid)
            exited = true; /* fine for wrappers that daemonize; fatal otherwise */
        if (sock && stat(sock, &sb) < 0) {
            sleep_ns(100 * 1000);
            continue;
        }
        if (!t_sock)
            t_sock = now_ns();
        attempts++;
        virConnectPtr conn = virConnectOpen(o->uri);
        if (conn) {
            unsigned long ver;
            int r = virConnectGetVersion(conn, &ver);
            virConnectClose(conn);
            if (r == 0) {
                t_ready = now_ns();
                break;
            }
        }
        virResetLastError();
        sleep_ns(200 * 1000);
    }

    if (!t_ready) {
        fprintf(stderr, "bench-rpc: '%s' did not answer on '%s' within %.1f s%s\n",
                argv[0], o->uri, o->timeout,
                exited ? " (the started command exited)" : "");
    }

    uint64_t t_stop0 = 0, t_stopped = 0;
    if (o->stop && !exited) {
        t_stop0 = now_ns();
        kill(pid, SIGTERM);
        uint64_t kill_deadline = t_stop0 + 10ull * 1000000000ull;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (now_ns() > kill_deadline) {
                fprintf(stderr, "bench-rpc: '%s' (pid %d) ignored SIGTERM for 10 s, sending SIGKILL\n",
                        argv[0], (int)pid);
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                break;
            }
            sleep_ns(200 * 1000);
        }
        t_stopped = now_ns();
        exited = true;
        if (WIFSIGNALED(st))
            snprintf(stop_status, sizeof(stop_status), "signal:%d", WTERMSIG(st));
        else if (WIFEXITED(st))
            snprintf(stop_status, sizeof(stop_status), "exit:%d", WEXITSTATUS(st));
        if (WIFSIGNALED(st) && WTERMSIG(st) != SIGTERM)
            fprintf(stderr, "bench-rpc: '%s' died from signal %d on SIGTERM\n", argv[0], WTERMSIG(st));
        else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            fprintf(stderr, "bench-rpc: '%s' exited with status %d on SIGTERM\n", argv[0], WEXITSTATUS(st));
    } else if (!exited && !o->stop) {
        /* Leave it running for the caller, but give a wrapper script that
         * exits by itself once the daemon is up the time to do so, so it is
         * reaped here rather than left a zombie. */
        uint64_t wrap_deadline = now_ns() + 5ull * 1000000000ull;
        while (now_ns() < wrap_deadline && waitpid(pid, &st, WNOHANG) == 0)
            sleep_ns(1000 * 1000);
    }

    /* ready_epoch_ns lets a caller subtract a wall-clock stamp taken later
     * than our exec, e.g. by a wrapper right before it execs the daemon. */
    uint64_t rt0_ns = (uint64_t)rt0.tv_sec * 1000000000ull + (uint64_t)rt0.tv_nsec;
    printf("RESULT mode=coldstart ok=%d pid=%d ready_ms=%.3f socket_ms=%.3f attempts=%lu stop_ms=%.3f "
           "stop_status=%s exec_epoch_ns=%llu ready_epoch_ns=%llu\n",
           t_ready ? 1 : 0, (int)pid,
           t_ready ? (double)(t_ready - t0) / 1e6 : -1.0,
           t_sock ? (double)(t_sock - t0) / 1e6 : -1.0,
           attempts,
           t_stopped ? (double)(t_stopped - t_stop0) / 1e6 : -1.0,
           stop_status, (unsigned long long)rt0_ns,
           t_ready ? (unsigned long long)(rt0_ns + (t_ready - t0)) : 0ull);
    free(sock);
    return t_ready ? 0 : 1;
}

/* ---- main -------------------------------------------------------------- */

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: bench-rpc setup     -c URI [-n N] [-F FIRST]\n"
            "       bench-rpc cleanup   -c URI [-n N] [-F FIRST]\n"
            "       bench-rpc run       -c URI -m getVersion|lookupByName|listAllDomains\n"
            "                           [-p PROCS] [-d SECONDS | -k CALLS_PER_PROC] [-n N] [-w WARMUP]\n"
            "       bench-rpc coldstart -c URI [-t TIMEOUT_S] [--stop] [-o LOG] [--pidfile F]\n"
            "                           -- CMD [ARGS...]\n"
            "\n"
            "  -n N  number of bench-NNNN domains (default 1000)\n"
            "  -F    setup/cleanup: start at bench-FIRST (default 0)\n"
            "  -p    client processes, each with its own connection (default 1)\n"
            "  -d    duration of the timed run in seconds (default 5)\n"
            "  -k    calls per process instead of a duration\n"
            "  -w    untimed warm-up calls per process (default 50)\n");
}

int
main(int argc, char **argv)
{
    struct bench_opts o = {
        .procs = 1, .duration = 5.0, .ndomains = 1000, .warmup = 50, .timeout = 30.0,
        .call = CALL_GET_VERSION,
    };
    static const struct option longopts[] = {
        { "uri", required_argument, NULL, 'c' },
        { "call", required_argument, NULL, 'm' },
        { "procs", required_argument, NULL, 'p' },
        { "duration", required_argument, NULL, 'd' },
        { "calls", required_argument, NULL, 'k' },
        { "domains", required_argument, NULL, 'n' },
        { "warmup", required_argument, NULL, 'w' },
        { "first", required_argument, NULL, 'F' },
        { "timeout", required_argument, NULL, 't' },
        { "stop", no_argument, NULL, 's' },
        { "log", required_argument, NULL, 'o' },
        { "pidfile", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *mode;
    bool have_call = false;
    int c;

    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    mode = argv[1];
    optind = 2;
    while ((c = getopt_long(argc, argv, "+c:m:p:d:k:n:w:t:so:P:F:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o.uri = optarg; break;
        case 'm':
            have_call = false;
            for (size_t i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++) {
                if (strcmp(optarg, call_names[i]) == 0) {
                    o.call = (enum bench_call)i;
                    have_call = true;
                }
            }
            if (!have_call) {
                fprintf(stderr, "bench-rpc: unknown call '%s' (getVersion, lookupByName, listAllDomains)\n", optarg);
                return 2;
            }
            break;
        case 'p': o.procs = atoi(optarg); break;
        case 'd': o.duration = atof(optarg); o.calls = 0; break;
        case 'k': o.calls = atol(optarg); break;
        case 'n': o.ndomains = atoi(optarg); break;
        case 'w': o.warmup = atoi(optarg); break;
        case 'F': o.first = atoi(optarg); break;
        case 't': o.timeout = atof(optarg); break;
        case 's': o.stop = true; break;
        case 'o': o.log = optarg; break;
        case 'P': o.pidfile = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.uri) {
        fprintf(stderr, "bench-rpc: -c URI is required\n");
        return 2;
    }
    if (o.procs < 1 || o.procs > 1024 || o.ndomains < 1 || o.duration <= 0 || o.warmup < 0 ||
        o.first < 0 || o.first + o.ndomains > 10000) {
        fprintf(stderr, "bench-rpc: bad -p/-n/-d/-w value\n");
        return 2;
    }

    if (virInitialize() < 0) {
        fprintf(stderr, "bench-rpc: virInitialize failed\n");
        return 2;
    }
    virSetErrorFunc(NULL, silent_error_func);
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (strcmp(mode, "setup") == 0)
        return mode_setup(&o);
    if (strcmp(mode, "cleanup") == 0)
        return mode_cleanup(&o);
    if (strcmp(mode, "run") == 0)
        return mode_run(&o);
    if (strcmp(mode, "coldstart") == 0) {
        if (optind >= argc) {
            fprintf(stderr, "bench-rpc: coldstart needs a command after --\n");
            return 2;
        }
        return mode_coldstart(&o, argv + optind);
    }
    fprintf(stderr, "bench-rpc: unknown mode '%s'\n", mode);
    usage(stderr);
    return 2;
}
