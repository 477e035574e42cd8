/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_conf_vol: storage volume XML (parse against the pool it belongs
 * to, validation, format, copy).
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"

#include <string.h>
#include <libvirt/libvirt.h>

#include "conf/storage_conf_priv.h"

/* virStorageVolType order */
static const char *const vol_type_names[] = {
    "file", "block", "dir", "network", "netdir", "ploop", NULL
};

/* Formats of files in directory-like pools (libvirt's virStorageFileFormat
 * names that a volume can be created or probed as). */
static const char *const file_format_names[] = {
    "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi",
    "fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk", NULL
};
/* Partition types of disk pools (libvirt's virStorageVolFormatDisk). */
static const char *const partition_format_names[] = {
    "none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm",
    "linux-raid", "extended", NULL
};
static const char *const no_format_names[] = { NULL };

const char *const *
vireo_storage_vol_formats_for_pool(int pool_type)
{
    switch (pool_type) {
    case VIREO_STORAGE_POOL_LOGICAL: return no_format_names;
    case VIREO_STORAGE_POOL_DISK: return partition_format_names;
    default: return file_format_names;
    }
}

static int
pool_type_of(const VireoStoragePoolDef *pool)
{
    return pool ? pool->type : VIREO_STORAGE_POOL_DIR;
}

/* libvirt only checks the characters ("1.1", "0.10"); qemu-img judges the
 * version itself when the image is created. */
static bool
compat_is_valid(const char *compat)
{
    const char *p;

    if (!*compat)
        return false;
    for (p = compat; *p; p++) {
        if (*p != '.' && !g_ascii_isdigit(*p))
            return false;
    }
    return true;
}

static int
parse_size(xmlNodePtr node, const char *what, unsigned long long *out)
{
    g_autofree char *value = vireo_xml_content(node);
    g_autofree char *unit = vireo_xml_prop(node, "unit");

    return vireo_storage_parse_size_bytes(value, unit, what, out);
}

static int
parse_vol_source(VireoStorageVolDef *vol, xmlNodePtr source)
{
    xmlNodePtr dev = vireo_xml_child(source, "device");
    xmlNodePtr extent;
    g_autofree char *start = NULL;
    g_autofree char *end = NULL;

    if (!dev)
        return 0;
    if (!(vol->source_partition = vireo_xml_prop(dev, "path"))) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing path in <source><device> of volume '%s'", vol->name);
        return -1;
    }
    if (!(extent = vireo_xml_child(dev, "extent")))
        return 0;
    start = vireo_xml_prop(extent, "start");
    end = vireo_xml_prop(extent, "end");
    if ((start && !vireo_xml_str_to_ull(start, 10, &vol->extent_start)) ||
        (end && !vireo_xml_str_to_ull(end, 10, &vol->extent_end)) ||
        vol->extent_end < vol->extent_start) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid extent start='%s' end='%s' of volume '%s'",
                           start ? start : "", end ? end : "", vol->name);
        return -1;
    }
    return 0;
}

static int
parse_vol_target(const VireoStoragePoolDef *pool, VireoStorageVolDef *vol, xmlNodePtr target)
{
    xmlNodePtr fmt;
    xmlNodePtr features;
    int pool_type = pool_type_of(pool);

    if (vireo_storage_parse_target(target, &vol->target) < 0)
        return -1;
    if (!target)
        return 0;

    if ((fmt = vireo_xml_child(target, "format")) &&
        pool_type != VIREO_STORAGE_POOL_LOGICAL) {
        g_autofree char *type = vireo_xml_prop(fmt, "type");

        if (!type) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "format element of volume '%s' has no type attribute",
                               vol->name);
            return -1;
        }
        if (vireo_xml_enum_from_string(vireo_storage_vol_formats_for_pool(pool_type), type) < 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown volume format type %s", type);
            return -1;
        }
        vol->format = g_steal_pointer(&type);
    }

    vol->compat = vireo_xml_child_content(target, "compat");
    if (vol->compat && !compat_is_valid(vol->compat)) {
        vireo_error_report(VIR_ERR_XML_ERROR, "forbidden characters in 'compat' attribute");
        return -1;
    }

    if ((features = vireo_xml_child(target, "features"))) {
        xmlNodePtr f;

        for (f = vireo_xml_first_elem(features); f; f = vireo_xml_next_elem(f)) {
            if (!vireo_xml_is(f, "lazy_refcounts")) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "unsupported feature %s", (const char *)f->name);
                return -1;
            }
            vol->lazy_refcounts = true;
        }
        /* qcow2 features need the v3 image format */
        if (!vol->compat)
            vol->compat = g_strdup("1.1");
    }
    return 0;
}

static int
parse_vol_backing(VireoStorageVolDef *vol, xmlNodePtr node)
{
    g_autofree char *path = NULL;
    xmlNodePtr fmt;

    if (!node)
        return 0;
    path = vireo_xml_child_content(node, "path");
    if (!path || !*path) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing <path> in <backingStore> of volume '%s'", vol->name);
        return -1;
    }
    vol->backing.path = g_steal_pointer(&path);
    if ((fmt = vireo_xml_child(node, "format"))) {
        g_autofree char *type = vireo_xml_prop(fmt, "type");

        if (!type || vireo_xml_enum_from_string(file_format_names, type) < 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown volume format type %s", type ? type : "");
            return -1;
        }
        vol->backing.format = g_steal_pointer(&type);
    } else {
        /* libvirt assumes raw rather than probing an unnamed format */
        vol->backing.format = g_strdup("raw");
    }
    return 0;
}

static VireoStorageVolDef *
vol_def_parse_node(const VireoStoragePoolDef *pool, xmlNodePtr root, unsigned int flags)
{
    g_autoptr(VireoStorageVolDef) vol = g_new0(VireoStorageVolDef, 1);
    g_autofree char *type = vireo_xml_prop(root, "type");
    xmlNodePtr node;
    int pool_type = pool_type_of(pool);

    vol->type = VIR_STORAGE_VOL_FILE;
    vol->target.owner = -1;
    vol->target.group = -1;
    if (type && (vol->type = vireo_xml_enum_from_string(vol_type_names, type)) < 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED, "unknown volume type '%s'", type);
        return NULL;
    }
    vol->name = vireo_xml_child_content(root, "name");
    if (vireo_storage_check_name(vol->name, "missing volume name element") < 0)
        return NULL;
    vol->key = vireo_xml_child_content(root, "key");
    if (vol->key && !*vol->key)
        g_clear_pointer(&vol->key, g_free);

    node = vireo_xml_child(root, "capacity");
    if (node && node->children) {
        if (parse_size(node, "capacity", &vol->capacity) < 0)
            return NULL;
    } else if (!(flags & VIREO_STORAGE_VOL_PARSE_NO_CAPACITY)) {
        vireo_error_report(VIR_ERR_XML_ERROR, "missing capacity element");
        return NULL;
    }
    if ((node = vireo_xml_child(root, "allocation")) && node->children) {
        if (parse_size(node, "allocation", &vol->allocation) < 0)
            return NULL;
        vol->has_allocation = true;
    } else {
        vol->allocation = vol->capacity;
    }

    if (parse_vol_source(vol, vireo_xml_child(root, "source")) < 0 ||
        parse_vol_target(pool, vol, vireo_xml_child(root, "target")) < 0 ||
        parse_vol_backing(vol, vireo_xml_child(root, "backingStore")) < 0)
        return NULL;

    if (!vol->format) {
        if (pool_type == VIREO_STORAGE_POOL_DISK)
            vol->format = g_strdup("none");
        else if (pool_type != VIREO_STORAGE_POOL_LOGICAL)
            vol->format = g_strdup("raw");
    }
    if (vireo_storage_vol_def_validate(pool, vol) < 0)
        return NULL;
    return g_steal_pointer(&vol);
}

VireoStorageVolDef *
vireo_storage_vol_def_parse_string(const VireoStoragePoolDef *pool,
                                   const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;

    vireo_check_flags(flags, VIREO_STORAGE_PARSE_VALIDATE |
                             VIREO_STORAGE_VOL_PARSE_NO_CAPACITY, NULL);
    if (!(doc = vireo_storage_parse_doc(xml, "(storage_volume_definition)", "volume",
                                        "storagevol", flags)))
        return NULL;
    return vol_def_parse_node(pool, xmlDocGetRootElement(doc), flags);
}

int
vireo_storage_vol_def_validate(const VireoStoragePoolDef *pool, const VireoStorageVolDef *vol)
{
    int pool_type = pool_type_of(pool);

    if (vireo_storage_check_name(vol->name, "missing volume name element") < 0)
        return -1;
    if (vol->type < 0 || vol->type >= (int)G_N_ELEMENTS(vol_type_names) - 1) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED, "unknown volume type %d", vol->type);
        return -1;
    }
    if (vol->format && pool_type != VIREO_STORAGE_POOL_LOGICAL &&
        vireo_xml_enum_from_string(vireo_storage_vol_formats_for_pool(pool_type),
                                   vol->format) < 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown volume format type %s", vol->format);
        return -1;
    }
    if (vol->target.mode & ~0777U) {
        vireo_error_report(VIR_ERR_XML_ERROR, "malformed octal mode");
        return -1;
    }
    if (vol->lazy_refcounts && vol->compat && strcmp(vol->compat, "0.10") == 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "lazy_refcounts of volume '%s' need compat 1.1 or later, not 0.10",
                           vol->name);
        return -1;
    }
    return 0;
}

char *
vireo_storage_vol_def_format(const VireoStoragePoolDef *pool, const VireoStorageVolDef *vol,
                             unsigned int flags)
{
    VireoXmlBuf buf;
    const char *type = NULL;
    int pool_type = pool_type_of(pool);

    (void)flags;
    if (vol->type >= 0 && vol->type < (int)G_N_ELEMENTS(vol_type_names) - 1)
        type = vol_type_names[vol->type];
    vireo_xml_buf_init(&buf);
    vireo_xml_buf_add(&buf, "<volume");
    vireo_xml_buf_attr(&buf, "type", type);
    g_string_append(buf.str, ">\n");
    vireo_xml_buf_adjust_indent(&buf, 2);
    vireo_xml_buf_element(&buf, "name", vol->name);
    vireo_xml_buf_element(&buf, "key", vol->key);
    if (vol->source_partition) {
        vireo_xml_buf_add(&buf, "<source>\n");
        vireo_xml_buf_adjust_indent(&buf, 2);
        vireo_xml_buf_add(&buf, "<device");
        vireo_xml_buf_attr(&buf, "path", vol->source_partition);
        g_string_append(buf.str, ">\n");
        vireo_xml_buf_printf(&buf, "  <extent start='%llu' end='%llu'/>\n",
                             vol->extent_start, vol->extent_end);
        vireo_xml_buf_add(&buf, "</device>\n");
        vireo_xml_buf_adjust_indent(&buf, -2);
        vireo_xml_buf_add(&buf, "</source>\n");
    }
    vireo_xml_buf_printf(&buf, "<capacity unit='bytes'>%llu</capacity>\n", vol->capacity);
    vireo_xml_buf_printf(&buf, "<allocation unit='bytes'>%llu</allocation>\n", vol->allocation);
    if (vol->physical)
        vireo_xml_buf_printf(&buf, "<physical unit='bytes'>%llu</physical>\n", vol->physical);

    vireo_xml_buf_add(&buf, "<target>\n");
    vireo_xml_buf_adjust_indent(&buf, 2);
    vireo_xml_buf_element(&buf, "path", vol->target.path);
    if (vol->format && pool_type != VIREO_STORAGE_POOL_LOGICAL) {
        vireo_xml_buf_add(&buf, "<format");
        vireo_xml_buf_attr(&buf, "type", vol->format);
        g_string_append(buf.str, "/>\n");
    }
    vireo_storage_format_perms(&buf, &vol->target);
    vireo_xml_buf_element(&buf, "compat", vol->compat);
    if (vol->lazy_refcounts) {
        vireo_xml_buf_add(&buf, "<features>\n");
        vireo_xml_buf_add(&buf, "  <lazy_refcounts/>\n");
        vireo_xml_buf_add(&buf, "</features>\n");
    }
    vireo_xml_buf_adjust_indent(&buf, -2);
    vireo_xml_buf_add(&buf, "</target>\n");

    if (vol->backing.path) {
        vireo_xml_buf_add(&buf, "<backingStore>\n");
        vireo_xml_buf_adjust_indent(&buf, 2);
        vireo_xml_buf_element(&buf, "path", vol->backing.path);
        if (vol->backing.format) {
            vireo_xml_buf_add(&buf, "<format");
            vireo_xml_buf_attr(&buf, "type", vol->backing.format);
            g_string_append(buf.str, "/>\n");
        }
        vireo_xml_buf_adjust_indent(&buf, -2);
        vireo_xml_buf_add(&buf, "</backingStore>\n");
    }
    vireo_xml_buf_adjust_indent(&buf, -2);
    vireo_xml_buf_add(&buf, "</volume>\n");
    return vireo_xml_buf_steal(&buf);
}

VireoStorageVolDef *
vireo_storage_vol_def_copy(const VireoStorageVolDef *vol)
{
    VireoStorageVolDef *copy;

    if (!vol)
        return NULL;
    copy = g_new0(VireoStorageVolDef, 1);
    copy->name = g_strdup(vol->name);
    copy->key = g_strdup(vol->key);
    copy->type = vol->type;
    copy->capacity = vol->capacity;
    copy->allocation = vol->allocation;
    copy->physical = vol->physical;
    copy->has_allocation = vol->has_allocation;
    copy->format = g_strdup(vol->format);
    vireo_storage_target_copy(&copy->target, &vol->target);
    copy->compat = g_strdup(vol->compat);
    copy->lazy_refcounts = vol->lazy_refcounts;
    copy->backing.path = g_strdup(vol->backing.path);
    copy->backing.format = g_strdup(vol->backing.format);
    copy->source_partition = g_strdup(vol->source_partition);
    copy->extent_start = vol->extent_start;
    copy->extent_end = vol->extent_end;
    return copy;
}

void
vireo_storage_vol_def_free(VireoStorageVolDef *vol)
{
    if (!vol)
        return;
    g_free(vol->name);
    g_free(vol->key);
    g_free(vol->format);
    vireo_storage_target_clear(&vol->target);
    g_free(vol->compat);
    g_free(vol->backing.path);
    g_free(vol->backing.format);
    g_free(vol->source_partition);
    g_free(vol);
}
