/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireod: argv, configuration, bring-up order and the main loop.
 *
 * Bring-up order matters for restart safety: lock the root (pidfile), load
 * the configuration, initialise the driver (load definitions, later reconnect
 * to running guests), start listening, run autostart, and only then accept
 * mutating calls.
 */
#include "vireo-config.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "util/vireo_pidfile.h"
#include "qemu/qemu_driver.h"
#include "storage/storage_driver.h"
#include "dispatch.h"
#include "remote_events.h"
#include "rpc_server.h"
#include "vireod_config.h"
#include "vireod_paths.h"

VIREO_LOG_MODULE("daemon");

#define LIBVIRT_COMPAT_DIR "/run/libvirt"

static GMainLoop *main_loop;

static gboolean
on_quit_signal(gpointer data)
{
    VIREO_INFO("received %s, shutting down", (const char *)data);
    g_main_loop_quit(main_loop);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_hup_signal(gpointer data)
{
    /* logrotate moved our files away: reopen them. */
    vireo_log_reopen();
    return G_SOURCE_CONTINUE;
}

static VireoStorageDriver *storage_for_vms;

/* A pool/volume pair to the path QEMU opens, through the storage vtable. */
static char *
resolve_volume_for_vm(const char *pool_name, const char *vol_name, int *vol_type)
{
    VireoConnect conn = { .serial = 0, .readonly = false };
    g_autoptr(VireoPoolRef) pool = NULL;
    g_autoptr(VireoVolRef) vol = NULL;
    VireoVolInfo info = { 0 };

    if (!(pool = storage_for_vms->pool_lookup_by_name(&conn, pool_name)) ||
        !(vol = storage_for_vms->vol_lookup_by_name(&conn, pool, vol_name)) ||
        storage_for_vms->vol_get_info(&conn, vol, 0, &info) < 0)
        return NULL;
    *vol_type = info.type;
    return storage_for_vms->vol_get_path(&conn, vol);
}

typedef struct {
    VireoHypervisorDriver *drv;
    VireoStorageDriver *storage;
    const char *uri_file;
    char *uri;
} RecoverCtx;

/* Reconnect to running guests and autostart, then open for business: allow
 * mutating calls and publish the URI (the "ready" signal). */
static gpointer
recover_run(gpointer data)
{
    RecoverCtx *ctx = data;

    /* Pools first: autostarted guests may have their disks in them. */
    if (ctx->storage->state_autostart() < 0)
        VIREO_ERROR("storage recovery failed: %s",
                    vireo_error_last() ? vireo_error_last()->message : "?");
    if (ctx->drv->state_autostart() < 0)
        VIREO_ERROR("recovery failed: %s",
                    vireo_error_last() ? vireo_error_last()->message : "?");
    vireo_dispatch_set_ready();
    if (vireo_file_write_atomic(ctx->uri_file, ctx->uri, strlen(ctx->uri), 0644) < 0)
        VIREO_ERROR("cannot write the URI file: %s", vireo_error_last()->message);
    printf("vireod %s ready; connect with: virsh -c '%s'\n", VIREO_VERSION, ctx->uri);
    fflush(stdout);
    g_free(ctx->uri);
    return NULL;
}

static void
die(const char *what)
{
    const VireoError *err = vireo_error_last();

    fprintf(stderr, "vireod: %s: %s\n", what, err ? err->message : "unknown error");
    exit(EXIT_FAILURE);
}

/* Is somebody (a libvirtd, say) answering on @path? */
static bool
socket_in_use(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;
    bool used;

    if (strlen(path) >= sizeof(addr.sun_path))
        return false;
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    used = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    close(fd);
    return used;
}

static int
add_sockets(VireoServer *srv, const VireodConfig *cfg, const char *dir)
{
    g_autofree char *rw = g_build_filename(dir, "libvirt-sock", NULL);
    g_autofree char *ro = g_build_filename(dir, "libvirt-sock-ro", NULL);

    if (socket_in_use(rw)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "socket '%s' is already served by another daemon "
                           "(libvirtd?); stop it or disable libvirt_compat_sockets", rw);
        return -1;
    }
    if (vireo_server_add_unix(srv, rw, cfg->unix_sock_rw_perms,
                              cfg->unix_sock_group, false) < 0 ||
        vireo_server_add_unix(srv, ro, cfg->unix_sock_ro_perms,
                              cfg->unix_sock_group, true) < 0)
        return -1;
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *root = NULL;
    g_autofree char *config_path = NULL;
    gboolean verbose = FALSE, version = FALSE;
    GOptionEntry entries[] = {
        { "root", 'r', 0, G_OPTION_ARG_FILENAME, &root,
          "embedded mode: keep config, state, sockets and logs under DIR", "DIR" },
        { "config", 'f', 0, G_OPTION_ARG_FILENAME, &config_path,
          "configuration file (default: <config dir>/vireod.conf, if present)", "FILE" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "log at info level", NULL },
        { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "print the version", NULL },
        { NULL }
    };
    g_autoptr(GOptionContext) octx = g_option_context_new("- the Vireo virtualization daemon");
    g_autoptr(GError) gerr = NULL;
    g_autoptr(VireodPaths) paths = NULL;
    g_autoptr(VireodConfig) cfg = NULL;
    RecoverCtx recover = { 0 };
    GThread *recover_thread;
    VireoServerLimits limits = { 0 };
    VireoDriverPaths dpaths;
    VireoServer *srv;
    VireoHypervisorDriver *drv = qemu_driver_get();
    VireoStorageDriver *storage = storage_driver_get();
    int pidfd;

    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &gerr)) {
        fprintf(stderr, "vireod: %s (see vireod --help)\n", gerr->message);
        return EXIT_FAILURE;
    }
    if (version) {
        printf("vireod %s\n", VIREO_VERSION);
        return EXIT_SUCCESS;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Streams move 256 KiB chunks: keep such buffers on the heap and the
     * heap's top, instead of an mmap/munmap (and page faults) per chunk. */
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);

    paths = vireod_paths_new(root);
    cfg = vireod_config_new();
    if (config_path) {
        if (vireod_config_load_file(cfg, config_path) < 0)
            die("cannot load configuration");
    } else if (g_file_test(paths->config_file, G_FILE_TEST_EXISTS)) {
        if (vireod_config_load_file(cfg, paths->config_file) < 0)
            die("cannot load configuration");
    }
    vireo_log_set_level(verbose ? VIREO_LOG_INFO : cfg->log_level);
    if ((cfg->log_filters && vireo_log_set_filters(cfg->log_filters) < 0) ||
        (cfg->log_outputs && vireo_log_set_outputs(cfg->log_outputs) < 0))
        die("bad logging settings");
    if (cfg->unix_sock_dir) {
        g_free(paths->sock_dir);
        paths->sock_dir = g_strdup(cfg->unix_sock_dir);
    }

    if (vireod_paths_create(paths) < 0)
        die("cannot create the state directories");
    if ((pidfd = vireo_pidfile_acquire(paths->pidfile, getpid())) < 0)
        die("cannot start");
    unlink(paths->uri_file);

    main_loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_quit_signal, (gpointer)"SIGTERM");
    g_unix_signal_add(SIGINT, on_quit_signal, (gpointer)"SIGINT");
    g_unix_signal_add(SIGHUP, on_hup_signal, NULL);

    limits.max_clients = cfg->max_clients;
    limits.max_workers = cfg->max_workers;
    limits.max_client_requests = cfg->max_client_requests;
    limits.keepalive_interval = cfg->keepalive_interval;
    limits.keepalive_count = cfg->keepalive_count;
    srv = vireo_server_new(&limits);
    if (vireo_dispatch_init(drv, srv, cfg->max_workers) < 0)
        die("cannot start the dispatcher");

    dpaths = (VireoDriverPaths) {
        .config_dir = paths->config_dir,
        .state_dir = paths->state_dir,
        .run_dir = paths->run_dir,
        .cache_dir = paths->cache_dir,
        .log_dir = paths->log_dir,
        .privileged = geteuid() == 0,
    };
    if (drv->state_initialize(&dpaths, vireo_remote_events_deliver, NULL) < 0)
        die("cannot initialise the QEMU driver");
    if (storage->state_initialize(&dpaths, vireo_remote_pool_events_deliver, NULL) < 0)
        die("cannot initialise the storage driver");
    vireo_dispatch_set_storage_driver(storage);
    /* The drivers know each other only through these two hooks: VMs
     * resolve <disk type='volume'> through the storage driver, and the
     * storage driver refuses to delete a volume a running VM uses. */
    storage_for_vms = storage;
    if (drv->set_volume_resolver)
        drv->set_volume_resolver(resolve_volume_for_vm);
    if (storage->set_vol_in_use_hook && drv->domain_uses_path)
        storage->set_vol_in_use_hook(drv->domain_uses_path);

    if (add_sockets(srv, cfg, paths->sock_dir) < 0)
        die("cannot listen");
    if (cfg->libvirt_compat_sockets &&
        (vireo_file_make_path(LIBVIRT_COMPAT_DIR, 0755) < 0 ||
         add_sockets(srv, cfg, LIBVIRT_COMPAT_DIR) < 0))
        die("cannot bind the libvirt socket paths");
    vireo_server_start(srv);

    /* Recovery talks to running guests, whose monitors the main loop reads:
     * it runs beside the loop, and mutating calls wait for it. */
    recover.drv = drv;
    recover.storage = storage;
    recover.uri_file = paths->uri_file;
    recover.uri = g_strdup_printf("qemu+unix:///system?socket=%s/libvirt-sock", paths->sock_dir);
    recover_thread = g_thread_new("vireo-recover", recover_run, &recover);

    g_main_loop_run(main_loop);
    g_thread_join(recover_thread);

    vireo_server_shutdown(srv);
    vireo_dispatch_shutdown();
    drv->state_cleanup();
    storage->state_cleanup();
    vireo_server_free(srv);
    unlink(paths->uri_file);
    vireo_pidfile_release(paths->pidfile, pidfd);
    g_main_loop_unref(main_loop);
    return EXIT_SUCCESS;
}
