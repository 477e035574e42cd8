/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command_priv: state shared by the per-device-class parts of the
 * command line builder (qemu_command*.c).  Not for use elsewhere.
 */
#pragma once

#include "qemu/qemu_command.h"

#define QEMU_PCI_SLOTS 32

typedef struct {
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    bool multifunction;
} QemuPciAddr;

/* An implicit or explicit PCI controller (bus) the command line creates. */
typedef struct {
    int index;                    /* bus number, pci.N */
    const char *model;            /* "pcie-root-port", "pci-bridge" */
    int chassis;
    int port;
    QemuPciAddr addr;             /* where the controller itself sits */
    const VireoDomainControllerDef *def; /* NULL when implicit */
} QemuPciBus;

typedef struct {
    const VireoDomainDef *def;
    const QemuCaps *caps;
    const QemuBuildParams *params;
    VireoCommand *cmd;
    bool q35;
    const char *machine;          /* resolved, versioned machine name */
    const char *emulator;         /* the binary, for messages */
    GHashTable *pci;              /* const VireoDomainDeviceInfo * -> QemuPciAddr * */
    GPtrArray *buses;             /* QemuPciBus *, sorted by index */
    unsigned char used[256][QEMU_PCI_SLOTS]; /* per bus, bitmask of used functions */
    GHashTable *bootindex;        /* const VireoDomainDeviceInfo * -> GUINT bootindex */
    int node_counter;             /* libvirt-N block node names */
    bool has_usb;                 /* a USB controller is on the command line */
    bool implicit_usb;            /* ... that the XML does not list */
    VireoDomainDeviceInfo implicit_usb_info;
    int next_bus_index;           /* for implicit root ports */
    unsigned int rp_slot, rp_func;/* root port allocation cursor on bus 0 */
    bool video_slot_reserved;     /* the primary video slot is kept free */
    GPtrArray *deferred;          /* q35 conventional devices: info, what (owned) pairs */
    bool placing_deferred;
} QemuBuildCtx;

/* qemu_command_pci.c */
int qemu_build_pci_plan(QemuBuildCtx *ctx);
void qemu_build_pci_buses(QemuBuildCtx *ctx);
/* ",bus=pci.0,addr=0x3" for @info (appended to @buf), nothing when the
 * device has no PCI address in the plan. */
void qemu_build_pci_addr_str(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, GString *buf);
/* The QEMU device of a USB controller model (NULL model: the machine's
 * default), or NULL for an unsupported model. */
const char *qemu_build_usb_device(const QemuBuildCtx *ctx, const char *model);
/* Whether a device/driver name is a PCI Express one (gets a root port on q35). */
bool qemu_build_device_is_pcie(const char *qemu_device);
/* QEMU device names of a NIC model, a SCSI controller model; NULL when
 * not supported. */
const char *qemu_build_net_device(const VireoDomainNetDef *net);
const char *qemu_build_scsi_device(const char *model);
/* The QEMU device name of a video model, NULL when not supported. */
const char *qemu_build_video_device(const VireoDomainVideoDef *video, bool primary);

/* qemu_command_disk.c */
int qemu_build_controllers(QemuBuildCtx *ctx);
int qemu_build_disks(QemuBuildCtx *ctx);

/* qemu_command_net.c */
int qemu_build_nets(QemuBuildCtx *ctx);

/* qemu_command_chardev.c */
void qemu_build_monitor(QemuBuildCtx *ctx);
int qemu_build_chardevs(QemuBuildCtx *ctx);

/* qemu_command_graphics.c */
int qemu_build_inputs(QemuBuildCtx *ctx);
int qemu_build_graphics(QemuBuildCtx *ctx);
int qemu_build_videos(QemuBuildCtx *ctx);

/* QEMU option value escaping: ',' -> ',,' (appended to @buf). */
void qemu_build_escape(GString *buf, const char *value);
/* Add ",bootindex=N" when the device boots. */
void qemu_build_bootindex_str(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, GString *buf);
