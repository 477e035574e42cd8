/*
 * test_c_api: drives a daemon through libvirt's public C client API and prints TAP.
 *
 * Usage: test_c_api URI [EXPECTED_HV_VERSION]
 * Run by run_c_api.py, which starts vireod (or uses VIREO_TEST_URI) and passes its URI.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int test_num;
static int failures;

static void tap_result(int ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tap_result(int ok, const char *name, const char *fmt, ...)
{
    test_num++;
    printf("%s %d - %s", ok ? "ok" : "not ok", test_num, name);
    if (!ok) {
        failures++;
        if (fmt) {
            va_list ap;
            printf(" # ");
            va_start(ap, fmt);
            vprintf(fmt, ap);
            va_end(ap);
        }
    }
    printf("\n");
    fflush(stdout);
}

static const char *
last_error(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "(no libvirt error)";
}

static int
last_code(void)
{
    virErrorPtr e = virGetLastError();
    return e ? e->code : 0;
}

static void
quiet_errors(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

/* ---- event loop thread and recorded lifecycle events */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static int ev_defined_added;
static int ev_undefined_removed;
static int ev_other;
static char ev_name[256];

static void *
event_loop(void *opaque)
{
    (void)opaque;
    for (;;) {
        if (virEventRunDefaultImpl() < 0)
            usleep(10000);
    }
    return NULL;
}

static int
lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    (void)conn;
    (void)opaque;
    pthread_mutex_lock(&ev_lock);
    if (strcmp(virDomainGetName(dom), ev_name) == 0) {
        if (event == VIR_DOMAIN_EVENT_DEFINED && detail == VIR_DOMAIN_EVENT_DEFINED_ADDED)
            ev_defined_added++;
        else if (event == VIR_DOMAIN_EVENT_UNDEFINED && detail == VIR_DOMAIN_EVENT_UNDEFINED_REMOVED)
            ev_undefined_removed++;
        else
            ev_other++;
    }
    pthread_cond_broadcast(&ev_cond);
    pthread_mutex_unlock(&ev_lock);
    return 0;
}

/* Wait up to 5 s for *counter to become nonzero. */
static int
wait_event(int *counter)
{
    struct timespec deadline;
    int got;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&ev_lock);
    while (*counter == 0) {
        if (pthread_cond_timedwait(&ev_cond, &ev_lock, &deadline) != 0)
            break;
    }
    got = *counter;
    pthread_mutex_unlock(&ev_lock);
    return got;
}

static int
list_has(virConnectPtr conn, unsigned int flags, const char *name, int *count)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, flags);
    int found = 0;

    *count = n;
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(virDomainGetName(doms[i]), name) == 0)
            found = 1;
        virDomainFree(doms[i]);
    }
    free(doms);
    return found;
}

#define PLAN 18

int
main(int argc, char **argv)
{
    const char *uri;
    unsigned long long expected_hv = 0;
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    virDomainPtr dom2 = NULL;
    pthread_t loop_thread;
    char xml[2048];
    char uuid[VIR_UUID_STRING_BUFLEN];
    char uuidstr[VIR_UUID_STRING_BUFLEN];
    char *desc = NULL;
    char *desc2 = NULL;
    unsigned long hv = 0;
    unsigned long lib = 0;
    const char *type;
    int cb_id;
    int count = 0;
    int r;

    if (argc < 2) {
        fprintf(stderr, "usage: %s URI [EXPECTED_HV_VERSION]\n", argv[0]);
        return 2;
    }
    uri = argv[1];
    if (argc > 2)
        expected_hv = strtoull(argv[2], NULL, 10);

    printf("1..%d\n", PLAN);
    fflush(stdout);

    virSetErrorFunc(NULL, quiet_errors);
    if (virEventRegisterDefaultImpl() < 0) {
        printf("Bail out! virEventRegisterDefaultImpl: %s\n", last_error());
        return 1;
    }
    if (pthread_create(&loop_thread, NULL, event_loop, NULL) != 0) {
        printf("Bail out! cannot start the event loop thread\n");
        return 1;
    }
    pthread_detach(loop_thread);

    conn = virConnectOpen(uri);
    tap_result(conn != NULL, "virConnectOpen", "%s", last_error());
    if (!conn) {
        printf("Bail out! cannot connect to %s\n", uri);
        return 1;
    }

    type = virConnectGetType(conn);
    tap_result(type && strcmp(type, "QEMU") == 0, "virConnectGetType is QEMU",
               "got %s (%s)", type ? type : "NULL", last_error());

    r = virConnectGetVersion(conn, &hv);
    tap_result(r == 0 && (expected_hv ? hv == expected_hv : hv / 1000 == 7002),
               "virConnectGetVersion", "rc %d, got %lu, want %llu", r, hv, expected_hv);

    r = virConnectGetLibVersion(conn, &lib);
    tap_result(r == 0 && lib == 9000000, "virConnectGetLibVersion is 9000000", "rc %d, got %lu", r, lib);

    snprintf(ev_name, sizeof(ev_name), "itc%ld-capi", (long)getpid());
    snprintf(uuid, sizeof(uuid), "c0ffee00-0000-4000-8000-%012lx", (unsigned long)getpid());
    snprintf(xml, sizeof(xml),
             "<domain type='qemu'>\n"
             "  <name>%s</name>\n"
             "  <uuid>%s</uuid>\n"
             "  <memory unit='KiB'>131072</memory>\n"
             "  <vcpu>1</vcpu>\n"
             "  <os><type arch='x86_64'>hvm</type></os>\n"
             "  <devices>\n"
             "    <disk type='file' device='disk'><source file='/var/lib/vireo-it/c.img'/>"
             "<target dev='vda' bus='virtio'/></disk>\n"
             "  </devices>\n"
             "</domain>\n", ev_name, uuid);

    cb_id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), NULL, NULL);
    tap_result(cb_id >= 0, "virConnectDomainEventRegisterAny(LIFECYCLE)", "%s", last_error());

    dom = virDomainDefineXML(conn, xml);
    tap_result(dom != NULL, "virDomainDefineXML", "%s", last_error());

    tap_result(wait_event(&ev_defined_added) == 1, "lifecycle event DEFINED/ADDED received once",
               "count %d (other %d)", ev_defined_added, ev_other);

    dom2 = virDomainLookupByName(conn, ev_name);
    r = dom2 && virDomainGetUUIDString(dom2, uuidstr) == 0 && strcmp(uuidstr, uuid) == 0;
    tap_result(r, "virDomainLookupByName + virDomainGetUUIDString", "%s", last_error());
    if (dom2)
        virDomainFree(dom2);

    dom2 = virDomainLookupByUUIDString(conn, uuid);
    tap_result(dom2 && strcmp(virDomainGetName(dom2), ev_name) == 0, "virDomainLookupByUUIDString",
               "%s", last_error());
    if (dom2)
        virDomainFree(dom2);

    desc = dom ? virDomainGetXMLDesc(dom, 0) : NULL;
    r = desc && strstr(desc, ev_name) && strstr(desc, uuid) && strstr(desc, "hvm");
    tap_result(r, "virDomainGetXMLDesc has name, uuid, os type", "%s", desc ? desc : last_error());

    dom2 = desc ? virDomainDefineXML(conn, desc) : NULL;
    desc2 = dom2 ? virDomainGetXMLDesc(dom2, 0) : NULL;
    tap_result(desc2 && strcmp(desc, desc2) == 0, "redefining the dumped XML gives the same XML",
               "%s", desc2 ? "XML differs" : last_error());
    if (dom2)
        virDomainFree(dom2);

    r = list_has(conn, 0, ev_name, &count);
    tap_result(r == 1, "virConnectListAllDomains(0) lists it", "found %d, count %d: %s", r, count,
               last_error());
    r = list_has(conn, VIR_CONNECT_LIST_DOMAINS_INACTIVE | VIR_CONNECT_LIST_DOMAINS_PERSISTENT, ev_name,
                 &count);
    tap_result(r == 1, "virConnectListAllDomains(INACTIVE|PERSISTENT) lists it", "found %d", r);
    r = list_has(conn, VIR_CONNECT_LIST_DOMAINS_ACTIVE, ev_name, &count);
    tap_result(r == 0, "virConnectListAllDomains(ACTIVE) does not list it", "found %d", r);

    r = dom ? virDomainUndefine(dom) : -1;
    tap_result(r == 0 && wait_event(&ev_undefined_removed) == 1,
               "virDomainUndefine + UNDEFINED/REMOVED event", "rc %d, events %d: %s", r,
               ev_undefined_removed, last_error());

    dom2 = virDomainLookupByName(conn, ev_name);
    tap_result(dom2 == NULL && last_code() == VIR_ERR_NO_DOMAIN, "lookup after undefine: VIR_ERR_NO_DOMAIN",
               "code %d: %s", last_code(), last_error());
    if (dom2)
        virDomainFree(dom2);

    r = virConnectDomainEventDeregisterAny(conn, cb_id);
    tap_result(r == 0, "virConnectDomainEventDeregisterAny", "%s", last_error());

    if (dom)
        virDomainFree(dom);
    free(desc);
    free(desc2);
    r = virConnectClose(conn);
    tap_result(r == 0, "virConnectClose drops the last reference", "rc %d", r);
    return failures ? 1 : 0;
}
