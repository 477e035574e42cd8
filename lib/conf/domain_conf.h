/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf: libvirt-format domain XML <-> VireoDomainDef.
 *
 * Pure functions: nothing here touches the host.  Parsing follows libvirt
 * 9.0: unknown elements are ignored (and therefore dropped on output),
 * invalid values of known elements and attributes are refused with a
 * reported error.  Formatting is canonical: libvirt's element order,
 * two-space indentation, single-quoted attributes, so that the output of
 * vireo_domain_def_format() matches `virsh dumpxml` for the covered subset.
 *
 * Semantic checks that need the whole definition (duplicate targets,
 * addresses, MACs, boot orders, limits) live in vireo_domain_def_validate()
 * (domain_validate.c); parsing alone does not run them.
 *
 * Nothing here takes locks; a VireoDomainDef is owned by one caller at a
 * time.  Enum-typed members hold the enums below (or libvirt's public ones
 * where libvirt has one, e.g. virDomainLifecycleAction).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>
#include <libxml/tree.h>

#include "util/vireo_uuid.h"
#include "conf/vireo_mac.h"

typedef enum {
    VIREO_DOMAIN_VIRT_QEMU = 0,
    VIREO_DOMAIN_VIRT_KVM,
    VIREO_DOMAIN_VIRT_LAST
} VireoDomainVirtType;

/* Tri-state for optional yes/no (on/off) attributes. */
typedef enum {
    VIREO_TRISTATE_ABSENT = 0,
    VIREO_TRISTATE_YES,
    VIREO_TRISTATE_NO,
    VIREO_TRISTATE_LAST
} VireoTristate;

/* ---- device address and common device info ---------------------------- */

typedef enum {
    VIREO_DOMAIN_ADDRESS_NONE = 0,
    VIREO_DOMAIN_ADDRESS_PCI,
    VIREO_DOMAIN_ADDRESS_DRIVE,
    VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL,
    VIREO_DOMAIN_ADDRESS_USB,
    VIREO_DOMAIN_ADDRESS_LAST
} VireoDomainAddressType;

typedef struct {
    int type;                     /* VireoDomainAddressType */
    /* pci */
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    int multifunction;            /* VireoTristate */
    /* drive; virtio-serial uses controller, drive_bus and port */
    unsigned int controller;
    unsigned int drive_bus;       /* the 'bus' attribute of a drive/virtio-serial address */
    unsigned int target;
    unsigned int unit;
    unsigned int port;            /* virtio-serial port */
    /* usb */
    unsigned int usb_bus;
    char usb_port[32];            /* "1" or a hub path "1.2.3", "" = not given */
} VireoDomainDeviceAddress;

typedef struct {
    char *alias;                  /* runtime-only unless it starts with "ua-" */
    VireoDomainDeviceAddress addr;
    unsigned int boot_order;      /* <boot order='N'/>, 0 = none */
} VireoDomainDeviceInfo;

/* ---- disks ------------------------------------------------------------ */

typedef enum {
    VIREO_DOMAIN_DISK_TYPE_FILE = 0,
    VIREO_DOMAIN_DISK_TYPE_BLOCK,
    VIREO_DOMAIN_DISK_TYPE_VOLUME,
    VIREO_DOMAIN_DISK_TYPE_LAST
} VireoDomainDiskType;

typedef enum {
    VIREO_DOMAIN_DISK_DEVICE_DISK = 0,
    VIREO_DOMAIN_DISK_DEVICE_CDROM,
    VIREO_DOMAIN_DISK_DEVICE_FLOPPY,
    VIREO_DOMAIN_DISK_DEVICE_LUN,
    VIREO_DOMAIN_DISK_DEVICE_LAST
} VireoDomainDiskDevice;

typedef enum {
    VIREO_DOMAIN_DISK_BUS_NONE = 0,   /* not given */
    VIREO_DOMAIN_DISK_BUS_IDE,
    VIREO_DOMAIN_DISK_BUS_FDC,
    VIREO_DOMAIN_DISK_BUS_SCSI,
    VIREO_DOMAIN_DISK_BUS_VIRTIO,
    VIREO_DOMAIN_DISK_BUS_USB,
    VIREO_DOMAIN_DISK_BUS_SATA,
    VIREO_DOMAIN_DISK_BUS_LAST
} VireoDomainDiskBus;

typedef enum {
    VIREO_DOMAIN_DISK_CACHE_DEFAULT = 0,
    VIREO_DOMAIN_DISK_CACHE_NONE,
    VIREO_DOMAIN_DISK_CACHE_WRITETHRU,
    VIREO_DOMAIN_DISK_CACHE_WRITEBACK,
    VIREO_DOMAIN_DISK_CACHE_DIRECTSYNC,
    VIREO_DOMAIN_DISK_CACHE_UNSAFE,
    VIREO_DOMAIN_DISK_CACHE_LAST
} VireoDomainDiskCache;

typedef enum {
    VIREO_DOMAIN_DISK_IO_DEFAULT = 0,
    VIREO_DOMAIN_DISK_IO_NATIVE,
    VIREO_DOMAIN_DISK_IO_THREADS,
    VIREO_DOMAIN_DISK_IO_URING,
    VIREO_DOMAIN_DISK_IO_LAST
} VireoDomainDiskIo;

typedef enum {
    VIREO_DOMAIN_DISK_DISCARD_DEFAULT = 0,
    VIREO_DOMAIN_DISK_DISCARD_UNMAP,
    VIREO_DOMAIN_DISK_DISCARD_IGNORE,
    VIREO_DOMAIN_DISK_DISCARD_LAST
} VireoDomainDiskDiscard;

typedef struct {
    int type;                     /* VireoDomainDiskType */
    int device;                   /* VireoDomainDiskDevice */
    char *driver_name;            /* "qemu" */
    char *driver_type;            /* "raw", "qcow2", ... */
    int cache;                    /* VireoDomainDiskCache */
    int io;                       /* VireoDomainDiskIo */
    int discard;                  /* VireoDomainDiskDiscard */
    char *src_path;               /* file= (file) or dev= (block); NULL = empty (cdrom) */
    char *src_pool;               /* volume */
    char *src_volume;             /* volume */
    char *startup_policy;         /* mandatory, requisite, optional */
    char *target_dev;             /* "vda" */
    int target_bus;               /* VireoDomainDiskBus */
    bool readonly;
    bool shareable;
    char *serial;
    VireoDomainDeviceInfo info;
} VireoDomainDiskDef;

/* ---- controllers ------------------------------------------------------ */

typedef enum {
    VIREO_DOMAIN_CONTROLLER_TYPE_IDE = 0,
    VIREO_DOMAIN_CONTROLLER_TYPE_FDC,
    VIREO_DOMAIN_CONTROLLER_TYPE_SCSI,
    VIREO_DOMAIN_CONTROLLER_TYPE_SATA,
    VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL,
    VIREO_DOMAIN_CONTROLLER_TYPE_CCID,
    VIREO_DOMAIN_CONTROLLER_TYPE_USB,
    VIREO_DOMAIN_CONTROLLER_TYPE_PCI,
    VIREO_DOMAIN_CONTROLLER_TYPE_XENBUS,
    VIREO_DOMAIN_CONTROLLER_TYPE_ISA,
    VIREO_DOMAIN_CONTROLLER_TYPE_LAST
} VireoDomainControllerType;

typedef struct {
    int type;                     /* VireoDomainControllerType */
    int index;                    /* -1 = not given (assigned on parse) */
    char *model;                  /* validated per type; NULL = default */
    unsigned int ports;           /* virtio-serial/sata... 0 = not given */
    char *model_name;             /* <model name=''/> (PCI controllers) */
    int target_chassis;           /* <target chassis=''/>, -1 = not given */
    int target_port;              /* <target port=''/>, -1 = not given */
    VireoDomainDeviceInfo info;
} VireoDomainControllerDef;

/* ---- network interfaces ----------------------------------------------- */

typedef enum {
    VIREO_DOMAIN_NET_TYPE_USER = 0,
    VIREO_DOMAIN_NET_TYPE_ETHERNET,
    VIREO_DOMAIN_NET_TYPE_NETWORK,
    VIREO_DOMAIN_NET_TYPE_BRIDGE,
    VIREO_DOMAIN_NET_TYPE_LAST
} VireoDomainNetType;

typedef struct {
    int type;                     /* VireoDomainNetType */
    VireoMac mac;
    bool mac_generated;           /* no <mac> in the input; generated on parse */
    char *source_network;
    char *source_bridge;
    char *model;                  /* <model type=''/> */
    char *target_dev;             /* runtime "vnetN" names are dropped when inactive */
    char *driver_name;            /* <driver name='vhost'/> */
    unsigned int driver_queues;   /* 0 = not given */
    int link_state;               /* VireoTristate: YES = up, NO = down */
    unsigned int mtu;             /* 0 = not given */
    VireoDomainDeviceInfo info;
} VireoDomainNetDef;

/* ---- serial ports and consoles ---------------------------------------- */

typedef enum {
    VIREO_DOMAIN_CHR_TYPE_NULL = 0,
    VIREO_DOMAIN_CHR_TYPE_VC,
    VIREO_DOMAIN_CHR_TYPE_PTY,
    VIREO_DOMAIN_CHR_TYPE_DEV,
    VIREO_DOMAIN_CHR_TYPE_FILE,
    VIREO_DOMAIN_CHR_TYPE_PIPE,
    VIREO_DOMAIN_CHR_TYPE_STDIO,
    VIREO_DOMAIN_CHR_TYPE_UNIX,
    VIREO_DOMAIN_CHR_TYPE_SPICEVMC,
    VIREO_DOMAIN_CHR_TYPE_LAST
} VireoDomainChrType;

typedef enum {
    VIREO_DOMAIN_CHR_MODE_DEFAULT = 0,
    VIREO_DOMAIN_CHR_MODE_CONNECT,
    VIREO_DOMAIN_CHR_MODE_BIND,
    VIREO_DOMAIN_CHR_MODE_LAST
} VireoDomainChrSourceMode;

typedef struct {
    int type;                     /* VireoDomainChrType */
    char *source_path;            /* for pty: the runtime tty (live only) */
    int source_mode;              /* VireoDomainChrSourceMode (unix) */
    char *log_file;               /* <log file=''/>: copy of the output, kept by QEMU */
    int log_append;               /* VireoTristate: <log append='on|off'/> */
    char *target_type;            /* "serial", "virtio", "isa-serial", NULL */
    char *target_model;           /* serial <target><model name=''/> */
    char *target_name;            /* channel <target name='org.qemu.guest_agent.0'/> */
    int target_port;              /* -1 = not given */
    VireoDomainDeviceInfo info;
} VireoDomainChrDef;

/* ---- graphics --------------------------------------------------------- */

typedef enum {
    VIREO_DOMAIN_GRAPHICS_TYPE_SDL = 0,
    VIREO_DOMAIN_GRAPHICS_TYPE_VNC,
    VIREO_DOMAIN_GRAPHICS_TYPE_RDP,
    VIREO_DOMAIN_GRAPHICS_TYPE_DESKTOP,
    VIREO_DOMAIN_GRAPHICS_TYPE_SPICE,
    VIREO_DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS,
    VIREO_DOMAIN_GRAPHICS_TYPE_DBUS,
    VIREO_DOMAIN_GRAPHICS_TYPE_LAST
} VireoDomainGraphicsType;

typedef enum {
    VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET = 0, /* no <listen> at all */
    VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS,
    VIREO_DOMAIN_GRAPHICS_LISTEN_NETWORK,
    VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET,
    VIREO_DOMAIN_GRAPHICS_LISTEN_NONE,
    VIREO_DOMAIN_GRAPHICS_LISTEN_LAST
} VireoDomainGraphicsListenType;

typedef struct {
    int type;                     /* VireoDomainGraphicsType */
    int port;                     /* -1 with autoport */
    bool autoport;
    int autoport_setting;         /* VireoTristate: autoport='' as written (spice) */
    int tls_port;                 /* spice tlsPort, 0 = not given */
    int websocket;                /* vnc websocket, 0 = not given */
    char *keymap;
    char *passwd;                 /* formatted only with VIREO_DOMAIN_FORMAT_SECURE */
    char *passwd_valid_to;
    int listen_type;              /* VireoDomainGraphicsListenType */
    char *listen_address;
    char *listen_network;
    char *listen_socket;          /* vnc socket= or <listen type='socket'> */
    VireoDomainDeviceInfo info;   /* unused (no address), kept for symmetry */
} VireoDomainGraphicsDef;

/* ---- video, input, memballoon, rng ------------------------------------ */

typedef struct {
    char *model;                  /* "vga", "cirrus", "virtio", "qxl", "bochs", "ramfb", "none" */
    unsigned int vram;            /* KiB, 0 = not given */
    unsigned int ram;             /* qxl, KiB */
    unsigned int vgamem;          /* qxl, KiB */
    unsigned int heads;           /* 0 = not given */
    bool primary;
    VireoDomainDeviceInfo info;
} VireoDomainVideoDef;

typedef enum {
    VIREO_DOMAIN_INPUT_TYPE_MOUSE = 0,
    VIREO_DOMAIN_INPUT_TYPE_TABLET,
    VIREO_DOMAIN_INPUT_TYPE_KEYBOARD,
    VIREO_DOMAIN_INPUT_TYPE_LAST
} VireoDomainInputType;

typedef enum {
    VIREO_DOMAIN_INPUT_BUS_DEFAULT = 0,
    VIREO_DOMAIN_INPUT_BUS_PS2,
    VIREO_DOMAIN_INPUT_BUS_USB,
    VIREO_DOMAIN_INPUT_BUS_XEN,
    VIREO_DOMAIN_INPUT_BUS_VIRTIO,
    VIREO_DOMAIN_INPUT_BUS_LAST
} VireoDomainInputBus;

typedef struct {
    int type;                     /* VireoDomainInputType */
    int bus;                      /* VireoDomainInputBus */
    VireoDomainDeviceInfo info;
} VireoDomainInputDef;

typedef struct {
    char *model;                  /* "virtio", "none", "xen" */
    unsigned int period;          /* <stats period=''/>, 0 = none */
    VireoDomainDeviceInfo info;
} VireoDomainMemballoonDef;

typedef struct {
    char *model;                  /* "virtio" */
    char *backend_model;          /* "random" */
    char *backend_path;           /* "/dev/urandom" */
    VireoDomainDeviceInfo info;
} VireoDomainRNGDef;

typedef struct {
    char *model;                  /* ich9, ich6, ac97, es1370, sb16, pcspk, usb, ich7 */
    VireoDomainDeviceInfo info;
} VireoDomainSoundDef;

typedef struct {
    unsigned int id;              /* id='' (1-based) */
    char *type;                   /* none, spice, pulseaudio, alsa, sdl, file, dbus, ... */
} VireoDomainAudioDef;

typedef struct {
    char *bus;                    /* "usb" */
    int type;                     /* VireoDomainChrType (spicevmc) */
    VireoDomainDeviceInfo info;
} VireoDomainRedirdevDef;

typedef struct {
    char *model;                  /* i6300esb, ib700, diag288, itco */
    char *action;                 /* reset, shutdown, poweroff, pause, none, dump, inject-nmi */
    VireoDomainDeviceInfo info;
} VireoDomainWatchdogDef;

typedef struct {
    char *model;                  /* isa, pseries, hyperv, s390, pvpanic; NULL = default */
    VireoDomainDeviceInfo info;
} VireoDomainPanicDef;

typedef struct {
    char *model;                  /* tpm-tis, tpm-crb, tpm-spapr, spapr-tpm-proxy; NULL = default */
    char *backend_type;           /* emulator, passthrough */
    char *backend_version;        /* emulator: 1.2, 2.0 */
    char *backend_path;           /* passthrough: <device path=''/> */
    VireoDomainDeviceInfo info;
} VireoDomainTPMDef;

/* ---- cpu, clock, os --------------------------------------------------- */

typedef enum {
    VIREO_DOMAIN_CPU_MODE_NONE = 0,   /* no <cpu> element */
    VIREO_DOMAIN_CPU_MODE_CUSTOM,
    VIREO_DOMAIN_CPU_MODE_HOST_MODEL,
    VIREO_DOMAIN_CPU_MODE_HOST_PASSTHROUGH,
    VIREO_DOMAIN_CPU_MODE_MAXIMUM,
    VIREO_DOMAIN_CPU_MODE_LAST
} VireoDomainCpuMode;

typedef struct {
    char *name;
    char *policy;                 /* force, require, optional, disable, forbid */
} VireoDomainCpuFeature;

typedef struct {
    int mode;                     /* VireoDomainCpuMode */
    char *match;                  /* minimum, exact, strict (custom only) */
    char *check;                  /* none, partial, full */
    char *migratable;             /* on/off (host-passthrough, maximum) */
    char *model;
    char *model_fallback;         /* allow, forbid */
    char *vendor;
    unsigned int sockets, dies, cores, threads; /* 0 = no <topology> */
    VireoDomainCpuFeature *features;
    size_t nfeatures;
} VireoDomainCpuDef;

typedef struct {
    char *name;                   /* rtc, pit, hpet, kvmclock, ... */
    char *tickpolicy;
    char *track;                  /* boot, guest, wall, realtime */
    int present;                  /* VireoTristate */
} VireoDomainTimerDef;

typedef struct {
    char *offset;                 /* utc (default), localtime, timezone, variable */
    char *timezone;               /* offset='timezone' */
    char *adjustment;             /* offset='variable' / 'utc' adjustment='reset' */
    char *basis;                  /* offset='variable' */
    VireoDomainTimerDef *timers;
    size_t ntimers;
} VireoDomainClockDef;

typedef enum {
    VIREO_DOMAIN_BOOT_FLOPPY = 0,
    VIREO_DOMAIN_BOOT_CDROM,
    VIREO_DOMAIN_BOOT_DISK,
    VIREO_DOMAIN_BOOT_NET,
    VIREO_DOMAIN_BOOT_LAST
} VireoDomainBootDev;

#define VIREO_DOMAIN_BOOT_MAX 4

typedef enum {
    VIREO_DOMAIN_FEATURE_ACPI = 0,
    VIREO_DOMAIN_FEATURE_APIC,
    VIREO_DOMAIN_FEATURE_PAE,
    VIREO_DOMAIN_FEATURE_HAP,
    VIREO_DOMAIN_FEATURE_PMU,
    VIREO_DOMAIN_FEATURE_VMPORT,
    VIREO_DOMAIN_FEATURE_SMM,
    VIREO_DOMAIN_FEATURE_LAST
} VireoDomainFeature;

/* <features><kvm> children, each with state='on|off' */
typedef enum {
    VIREO_DOMAIN_KVM_HIDDEN = 0,
    VIREO_DOMAIN_KVM_HINT_DEDICATED,
    VIREO_DOMAIN_KVM_POLL_CONTROL,
    VIREO_DOMAIN_KVM_PV_IPI,
    VIREO_DOMAIN_KVM_LAST
} VireoDomainKvmFeature;

/* ---- the domain ------------------------------------------------------- */

typedef struct _VireoDomainDef VireoDomainDef;
struct _VireoDomainDef {
    int virt_type;                /* VireoDomainVirtType */
    int parsed_id;                /* id='' when parsed without PARSE_INACTIVE, else -1 */
    char *name;
    VireoUUID uuid;
    char *title;
    char *description;
    xmlNodePtr metadata;          /* <metadata> element (own copy, no doc) or NULL */

    unsigned long long mem_max_kib;   /* <memory> */
    unsigned long long mem_cur_kib;   /* <currentMemory> */

    /* <memoryBacking> */
    bool mb_hugepages;
    bool mb_nosharepages;
    bool mb_locked;
    bool mb_discard;
    char *mb_source_type;             /* file, anonymous, memfd */
    char *mb_access_mode;             /* shared, private */
    char *mb_allocation_mode;         /* immediate, ondemand */

    unsigned int vcpus_max;           /* <vcpu> */
    unsigned int vcpus_current;       /* current= (== vcpus_max when absent) */
    bool vcpu_placement_auto;         /* placement='auto' */
    char *vcpu_cpuset;
    unsigned int iothreads;           /* <iothreads>, 0 = none */

    /* <os> */
    char *os_type;                    /* "hvm" */
    char *os_arch;
    char *os_machine;
    char *os_firmware;                /* firmware='efi'|'bios' */
    int os_boot[VIREO_DOMAIN_BOOT_MAX]; /* VireoDomainBootDev */
    size_t os_nboot;
    int os_bootmenu;                  /* VireoTristate */
    char *os_kernel;
    char *os_initrd;
    char *os_cmdline;
    char *os_dtb;
    char *os_loader;                  /* path */
    int os_loader_readonly;           /* VireoTristate */
    char *os_loader_type;             /* rom, pflash */
    int os_loader_secure;             /* VireoTristate */
    char *os_nvram;                   /* path */
    char *os_nvram_template;

    /* <features>: VireoTristate per VireoDomainFeature (YES for the plain
     * presence features acpi/apic/pae) */
    int features[VIREO_DOMAIN_FEATURE_LAST];
    int features_kvm[VIREO_DOMAIN_KVM_LAST];   /* VireoTristate */

    VireoDomainCpuDef cpu;
    VireoDomainClockDef clock;

    int pm_suspend_to_mem;            /* VireoTristate, <pm> */
    int pm_suspend_to_disk;

    int on_poweroff;                  /* virDomainLifecycleAction */
    int on_reboot;
    int on_crash;

    /* <devices> */
    char *emulator;
    VireoDomainDiskDef **disks;
    size_t ndisks;
    VireoDomainControllerDef **controllers;
    size_t ncontrollers;
    VireoDomainNetDef **nets;
    size_t nnets;
    VireoDomainChrDef **serials;
    size_t nserials;
    VireoDomainChrDef **consoles;
    size_t nconsoles;
    VireoDomainChrDef **channels;     /* virtio (guest agent, spice) channels */
    size_t nchannels;
    VireoDomainInputDef **inputs;
    size_t ninputs;
    VireoDomainTPMDef **tpms;
    size_t ntpms;
    VireoDomainGraphicsDef **graphics;
    size_t ngraphics;
    VireoDomainVideoDef **videos;
    size_t nvideos;
    VireoDomainSoundDef **sounds;
    size_t nsounds;
    VireoDomainAudioDef **audios;
    size_t naudios;
    VireoDomainRedirdevDef **redirdevs;
    size_t nredirdevs;
    VireoDomainWatchdogDef *watchdog;     /* NULL = none */
    VireoDomainMemballoonDef *memballoon; /* NULL = none given */
    VireoDomainRNGDef **rngs;
    size_t nrngs;
    VireoDomainPanicDef **panics;
    size_t npanics;
};

/* ---- parse ------------------------------------------------------------ */

#define VIREO_DOMAIN_PARSE_INACTIVE (1 << 0) /* ignore runtime-only data (id attr, aliases, pty paths) */
#define VIREO_DOMAIN_PARSE_STATUS   (1 << 1) /* keep runtime data (for the daemon's own status files) */
/* Keep disks and controllers in document order.  libvirt's placement (by
 * bus, then index) is not a fixed point when one input mixes disks with and
 * without an explicit bus, so XML we wrote ourselves (saved configs, copies)
 * must be read back with this flag to keep its order.  Implied by STATUS. */
#define VIREO_DOMAIN_PARSE_KEEP_ORDER (1 << 2)

/* Parse a domain definition.  Generates a UUID when none is given and MAC
 * addresses for interfaces without one, and fills the parse-time defaults
 * libvirt 9 applies: currentMemory = memory (also when larger), <boot
 * dev='hd'/> when nothing boots, disk buses from the target name, drive
 * addresses for ide/fdc/scsi/sata disks, implicit disk and virtio-serial
 * controllers, controller indexes, a console for the first serial port (and
 * vice versa), input buses (ps2, tablet: usb), the primary video, loader
 * type 'rom', and a cirrus video model when none is named.  Disks and
 * controllers are placed in libvirt's order (grouped by bus / type) unless
 * PARSE_STATUS is given, which keeps document order (our own output).
 * Does NOT run vireo_domain_def_validate().
 * Returns a new definition (caller frees) or NULL after reporting
 * VIR_ERR_XML_DETAIL (syntax), VIR_ERR_XML_ERROR, VIR_ERR_NO_NAME,
 * VIR_ERR_CONFIG_UNSUPPORTED or VIR_ERR_INTERNAL_ERROR. */
VireoDomainDef *vireo_domain_def_parse_string(const char *xml, unsigned int flags);
/* Same, reading @path first (VIR_ERR_SYSTEM_ERROR when unreadable). */
VireoDomainDef *vireo_domain_def_parse_file(const char *path, unsigned int flags);
/* Same on an already parsed <domain> element (e.g. inside a status file). */
VireoDomainDef *vireo_domain_def_parse_node(xmlNodePtr root, unsigned int flags);

/* ---- format ----------------------------------------------------------- */

#define VIREO_DOMAIN_FORMAT_SECURE   (1 << 0) /* include secrets such as VNC passwords */
#define VIREO_DOMAIN_FORMAT_INACTIVE (1 << 1) /* omit runtime-only data */
#define VIREO_DOMAIN_FORMAT_STATUS   (1 << 2) /* like live; for the daemon's status files */

/* Format @def as libvirt does; @id < 0 (or INACTIVE) omits the id=''
 * attribute.  Returns a newly allocated string ending in "\n"; never NULL. */
char *vireo_domain_def_format(const VireoDomainDef *def, int id, unsigned int flags);

/* ---- validate, copy, free --------------------------------------------- */

/* Semantic validation (domain_validate.c): 0, or -1 with a reported error
 * (VIR_ERR_XML_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, VIR_ERR_INVALID_ARG). */
int vireo_domain_def_validate(const VireoDomainDef *def);

/* Deep copy (through the canonical XML, like libvirt's virDomainDefCopy).
 * NULL only for a NULL @def or a def that could not have been parsed
 * (e.g. filled in by hand with an empty name), after reporting. */
VireoDomainDef *vireo_domain_def_copy(const VireoDomainDef *def);

void vireo_domain_def_free(VireoDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainDef, vireo_domain_def_free)

/* ---- metadata --------------------------------------------------------- */

/* <metadata>, <title>, <description> as virDomainGetMetadata/SetMetadata see
 * them; @type = VIR_DOMAIN_METADATA_DESCRIPTION / _TITLE / _ELEMENT; @uri
 * identifies the element's namespace (ELEMENT only).
 * Returns a new string, or NULL after reporting VIR_ERR_NO_DOMAIN_METADATA
 * ("Requested metadata element is not present") or VIR_ERR_INVALID_ARG. */
char *vireo_domain_def_get_metadata(const VireoDomainDef *def, int type, const char *uri);

/* Set (or with @metadata NULL or "" for title/description: remove) one piece
 * of metadata.  ELEMENT needs @uri, and @key (the namespace prefix) when
 * setting; the stored element gets xmlns:key=uri and replaces any element in
 * that namespace.  Returns 0, or -1 after reporting VIR_ERR_INVALID_ARG /
 * VIR_ERR_XML_DETAIL; @def is unchanged on failure. */
int vireo_domain_def_set_metadata(VireoDomainDef *def, int type, const char *metadata,
                                  const char *key, const char *uri);

/* ---- helpers for drivers ---------------------------------------------- */

/* String forms ("kvm", "virtio", ...), NULL for out-of-range values. */
const char *vireo_domain_virt_type_to_string(int type);
int vireo_domain_virt_type_from_string(const char *str); /* -1 when unknown */
const char *vireo_domain_disk_bus_to_string(int bus);
const char *vireo_domain_disk_device_to_string(int device);
const char *vireo_domain_net_type_to_string(int type);
const char *vireo_domain_graphics_type_to_string(int type);
const char *vireo_domain_chr_type_to_string(int type);
const char *vireo_domain_lifecycle_action_to_string(int action);

/* Parse "<number>" scaled by @unit (libvirt's suffixes: b, bytes, k, KiB,
 * KB, M, MiB, MB, G, GiB, GB, T, TiB, TB, P, PiB, PB, E, EiB, EB; case
 * insensitive; NULL/"" = KiB) into KiB, rounding up.  Reports
 * VIR_ERR_XML_ERROR naming @what on failure. */
int vireo_domain_parse_memory_kib(const char *value, const char *unit,
                                  const char *what, unsigned long long *kib);

/* Lookups: the disk whose target ("vda") or source path is @name; the
 * interface with @mac.  NULL when absent (nothing reported). */
VireoDomainDiskDef *vireo_domain_def_find_disk(const VireoDomainDef *def, const char *name);
VireoDomainNetDef *vireo_domain_def_find_net(const VireoDomainDef *def, const VireoMac *mac);

/* One <disk> or <interface> element on its own (virDomainAttachDevice and
 * friends).  Disk buses and MACs get their defaults; addresses are left to
 * the caller.  NULL after reporting, like the domain parser. */
VireoDomainDiskDef *vireo_domain_disk_def_parse_string(const char *xml, unsigned int flags);
VireoDomainNetDef *vireo_domain_net_def_parse_string(const char *xml, unsigned int flags);

/* Free one device (NULL-safe). */
void vireo_domain_disk_def_free(VireoDomainDiskDef *disk);
void vireo_domain_net_def_free(VireoDomainNetDef *net);
void vireo_domain_controller_def_free(VireoDomainControllerDef *ctrl);
void vireo_domain_chr_def_free(VireoDomainChrDef *chr);
void vireo_domain_graphics_def_free(VireoDomainGraphicsDef *gfx);
void vireo_domain_video_def_free(VireoDomainVideoDef *video);
void vireo_domain_input_def_free(VireoDomainInputDef *input);
void vireo_domain_memballoon_def_free(VireoDomainMemballoonDef *balloon);
void vireo_domain_rng_def_free(VireoDomainRNGDef *rng);
void vireo_domain_sound_def_free(VireoDomainSoundDef *sound);
void vireo_domain_audio_def_free(VireoDomainAudioDef *audio);
void vireo_domain_redirdev_def_free(VireoDomainRedirdevDef *redirdev);
void vireo_domain_watchdog_def_free(VireoDomainWatchdogDef *watchdog);
void vireo_domain_panic_def_free(VireoDomainPanicDef *panic);
void vireo_domain_tpm_def_free(VireoDomainTPMDef *tpm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainDiskDef, vireo_domain_disk_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainNetDef, vireo_domain_net_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainControllerDef, vireo_domain_controller_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainChrDef, vireo_domain_chr_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainGraphicsDef, vireo_domain_graphics_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainVideoDef, vireo_domain_video_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainInputDef, vireo_domain_input_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainMemballoonDef, vireo_domain_memballoon_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainRNGDef, vireo_domain_rng_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainSoundDef, vireo_domain_sound_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainAudioDef, vireo_domain_audio_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainRedirdevDef, vireo_domain_redirdev_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainWatchdogDef, vireo_domain_watchdog_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainPanicDef, vireo_domain_panic_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainTPMDef, vireo_domain_tpm_def_free)
