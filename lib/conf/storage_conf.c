/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_conf: storage pool XML (parse, defaults, validation, format,
 * copy) and the helpers shared with the volume half in storage_conf_vol.c.
 *
 * Messages reuse libvirt's wording where libvirt reports the same problem,
 * because clients and scripts match on them; checks libvirt does not make
 * (absolute target paths, one device for fs and disk pools) get sentences
 * of our own that name the pool and the fix.
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"

#include <string.h>
#include <libvirt/libvirt.h>

#include "conf/storage_conf_priv.h"
#include "conf/vireo_schema.h"
#include "util/vireo_file.h"

#define STORAGE_XML_MAX_LEN (10 * 1024 * 1024)
/* An unbounded list of <device> would let a client make us allocate at will;
 * a volume group with more PVs than this is not a realistic definition. */
#define STORAGE_POOL_MAX_DEVICES 256

static const char *const pool_type_names[] = {
    "dir", "fs", "netfs", "logical", "disk", NULL
};

static const char *const fs_format_names[] = {
    "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2",
    "vfat", "hfs+", "xfs", "ocfs2", "vmfs", NULL
};
static const char *const netfs_format_names[] = {
    "auto", "nfs", "glusterfs", "cifs", NULL
};
static const char *const disk_format_names[] = {
    "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2", NULL
};
static const char *const logical_format_names[] = { "unknown", "lvm2", NULL };
static const char *const no_names[] = { NULL };

G_STATIC_ASSERT(G_N_ELEMENTS(pool_type_names) == VIREO_STORAGE_POOL_LAST + 1);

const char *
vireo_storage_pool_type_to_string(int type)
{
    if (type < 0 || type >= VIREO_STORAGE_POOL_LAST)
        return NULL;
    return pool_type_names[type];
}

int
vireo_storage_pool_type_from_string(const char *str)
{
    return str ? vireo_xml_enum_from_string(pool_type_names, str) : -1;
}

static const char *const *
pool_formats(int type)
{
    switch (type) {
    case VIREO_STORAGE_POOL_FS: return fs_format_names;
    case VIREO_STORAGE_POOL_NETFS: return netfs_format_names;
    case VIREO_STORAGE_POOL_DISK: return disk_format_names;
    case VIREO_STORAGE_POOL_LOGICAL: return logical_format_names;
    default: return no_names;
    }
}

/* ---- shared helpers --------------------------------------------------- */

int
vireo_storage_parse_size_bytes(const char *value, const char *unit,
                               const char *what, unsigned long long *bytes)
{
    unsigned long long num;
    unsigned long long scale = 1;
    unsigned long long base = 1024;
    int power = 0;

    if (!vireo_xml_str_to_ull(value, 10, &num)) {
        vireo_error_report(VIR_ERR_XML_ERROR, "malformed %s element", what);
        return -1;
    }
    if (unit && *unit) {
        const char *rest = unit + 1;

        switch (g_ascii_tolower(unit[0])) {
        case 'b': power = 0; break;
        case 'k': power = 1; break;
        case 'm': power = 2; break;
        case 'g': power = 3; break;
        case 't': power = 4; break;
        case 'p': power = 5; break;
        case 'e': power = 6; break;
        default: power = -1; break;
        }
        if (power == 0) {
            if (*rest && g_ascii_strcasecmp(rest, "yte") != 0 &&
                g_ascii_strcasecmp(rest, "ytes") != 0)
                power = -1;
        } else if (power > 0) {
            if (g_ascii_strcasecmp(rest, "b") == 0)
                base = 1000;
            else if (*rest && g_ascii_strcasecmp(rest, "ib") != 0)
                power = -1;
        }
        if (power < 0) {
            vireo_error_report(VIR_ERR_INVALID_ARG, "unknown suffix '%s'", unit);
            return -1;
        }
        while (power--)
            scale *= base;
    }
    /* libvirt's limit for sizes: they travel as signed 64-bit in places */
    if (num > G_MAXINT64 || (num && scale > (unsigned long long)G_MAXINT64 / num)) {
        vireo_error_report(VIR_ERR_OVERFLOW, "value too large: %llu%s",
                           num, unit ? unit : "");
        return -1;
    }
    *bytes = num * scale;
    return 0;
}

/* Remove doubled slashes and a trailing slash, as libvirt does for
 * target paths ("/a//b/" -> "/a/b"; "/" stays "/"; a leading "//"
 * followed by a name is kept). */
char *
vireo_storage_sanitize_path(const char *path)
{
    GString *out = g_string_new(NULL);
    const char *p = path;

    /* POSIX gives exactly two leading slashes a meaning of their own */
    if (p[0] == '/' && p[1] == '/' && p[2] != '/') {
        g_string_append(out, "//");
        p += 2;
    }
    for (; *p; p++) {
        if (*p == '/' && out->len && out->str[out->len - 1] == '/')
            continue;
        g_string_append_c(out, *p);
    }
    if (out->len > 1 && out->str[out->len - 1] == '/')
        g_string_truncate(out, out->len - 1);
    return g_string_free(out, FALSE);
}

/* An id in <owner>/<group>: -1 means "not given", anything else must be a
 * valid uid/gid. */
static int
parse_id(xmlNodePtr perms, const char *name, long long *out)
{
    g_autofree char *val = vireo_xml_child_content(perms, name);
    const char *digits;
    unsigned long long v;

    if (!val) {
        *out = -1;
        return 0;
    }
    if (strcmp(val, "-1") == 0) {
        *out = -1;
        return 0;
    }
    digits = val[0] == '+' ? val + 1 : val;
    if (!g_ascii_isdigit(digits[0]) || !vireo_xml_str_to_ull(digits, 10, &v) ||
        v >= G_MAXUINT32) {
        vireo_error_report(VIR_ERR_XML_ERROR, "malformed %s element", name);
        return -1;
    }
    *out = (long long)v;
    return 0;
}

int
vireo_storage_parse_target(xmlNodePtr node, VireoStorageTarget *target)
{
    xmlNodePtr perms;
    g_autofree char *path = NULL;

    target->owner = -1;
    target->group = -1;
    if (!node)
        return 0;
    if ((path = vireo_xml_child_content(node, "path")) && *path)
        target->path = vireo_storage_sanitize_path(path);

    if (!(perms = vireo_xml_child(node, "permissions")))
        return 0;
    {
        g_autofree char *mode = vireo_xml_child_content(perms, "mode");

        if (mode) {
            unsigned int m;

            if (!vireo_xml_str_to_uint(mode, 8, &m) || (m & ~0777U)) {
                vireo_error_report(VIR_ERR_XML_ERROR, "malformed octal mode");
                return -1;
            }
            target->mode = m;
        }
    }
    if (parse_id(perms, "owner", &target->owner) < 0 ||
        parse_id(perms, "group", &target->group) < 0)
        return -1;
    target->label = vireo_xml_child_content(perms, "label");
    return 0;
}

void
vireo_storage_format_perms(VireoXmlBuf *buf, const VireoStorageTarget *target)
{
    if (!target->mode && target->owner < 0 && target->group < 0 && !target->label)
        return;
    vireo_xml_buf_add(buf, "<permissions>\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    if (target->mode)
        vireo_xml_buf_printf(buf, "<mode>0%o</mode>\n", target->mode);
    if (target->owner >= 0)
        vireo_xml_buf_printf(buf, "<owner>%lld</owner>\n", target->owner);
    if (target->group >= 0)
        vireo_xml_buf_printf(buf, "<group>%lld</group>\n", target->group);
    vireo_xml_buf_element(buf, "label", target->label);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</permissions>\n");
}

void
vireo_storage_target_clear(VireoStorageTarget *target)
{
    g_clear_pointer(&target->path, g_free);
    g_clear_pointer(&target->label, g_free);
    target->mode = 0;
    target->owner = -1;
    target->group = -1;
}

void
vireo_storage_target_copy(VireoStorageTarget *dst, const VireoStorageTarget *src)
{
    dst->path = g_strdup(src->path);
    dst->label = g_strdup(src->label);
    dst->mode = src->mode;
    dst->owner = src->owner;
    dst->group = src->group;
}

xmlDocPtr
vireo_storage_parse_doc(const char *xml, const char *url, const char *root_name,
                        const char *schema, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr root;

    if (!(doc = vireo_xml_parse_string(xml, url, NULL, VIREO_ERROR_DOMAIN)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!vireo_xml_is(root, root_name)) {
        vireo_error_report(VIR_ERR_XML_ERROR, "expecting root element of '%s', not '%s'",
                           root_name, (const char *)root->name);
        return NULL;
    }
    if ((flags & VIREO_STORAGE_PARSE_VALIDATE) &&
        vireo_schema_validate_doc(schema, doc, url) < 0) {
        const VireoError *err = vireo_error_last();
        g_autofree char *msg = NULL;
        int code = err ? err->code : VIR_ERR_XML_INVALID_SCHEMA;
        const char *prefix = vireo_error_prefix(code);

        /* vireo_schema reports in VIR_FROM_XML; storage APIs answer in
         * VIR_FROM_STORAGE, so restate the same text there. */
        msg = g_strdup(err ? err->message : "schema validation failed");
        if (prefix && g_str_has_prefix(msg, prefix) &&
            strncmp(msg + strlen(prefix), ": ", 2) == 0)
            vireo_error_report(code, "%s", msg + strlen(prefix) + 2);
        else
            vireo_error_report(code, "%s", msg);
        return NULL;
    }
    return g_steal_pointer(&doc);
}

char *
vireo_storage_read_file(const char *path)
{
    return vireo_file_read_all(path, STORAGE_XML_MAX_LEN, NULL);
}

int
vireo_storage_check_name(const char *name, const char *missing_msg)
{
    if (!name || !*name) {
        vireo_error_report(VIR_ERR_XML_ERROR, "%s", missing_msg);
        return -1;
    }
    if (strchr(name, '/')) {
        vireo_error_report(VIR_ERR_XML_ERROR, "name %s cannot contain '/'", name);
        return -1;
    }
    return 0;
}

/* ---- pool parsing ----------------------------------------------------- */

static int
parse_pool_source(VireoStoragePoolDef *def, xmlNodePtr source)
{
    VireoStoragePoolSource *src = &def->source;
    xmlNodePtr c;
    g_autoptr(GArray) devices = g_array_new(FALSE, TRUE, sizeof(VireoStoragePoolSourceDevice));

    if (!source)
        return 0;
    for (c = vireo_xml_first_elem(source); c; c = vireo_xml_next_elem(c)) {
        if (vireo_xml_is(c, "device")) {
            VireoStoragePoolSourceDevice dev = { NULL, NULL };

            if (devices->len >= STORAGE_POOL_MAX_DEVICES) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "storage pool '%s' lists more than %d source devices",
                                   def->name, STORAGE_POOL_MAX_DEVICES);
                goto error;
            }
            if (!(dev.path = vireo_xml_prop(c, "path"))) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "missing storage pool source device path");
                goto error;
            }
            dev.part_separator = vireo_xml_prop(c, "part_separator");
            g_array_append_val(devices, dev);
            if (dev.part_separator && strcmp(dev.part_separator, "yes") != 0 &&
                strcmp(dev.part_separator, "no") != 0) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "Invalid value for attribute 'part_separator' in "
                                   "element 'device': '%s'.", dev.part_separator);
                goto error;
            }
        } else if (vireo_xml_is(c, "host") && !src->host_name) {
            g_autofree char *port = vireo_xml_prop(c, "port");

            if (!(src->host_name = vireo_xml_prop(c, "name"))) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "missing storage pool host name");
                goto error;
            }
            if (port) {
                unsigned int p;

                if (!vireo_xml_str_to_uint(port, 10, &p) || p == 0 || p > 65535) {
                    vireo_error_report(VIR_ERR_XML_ERROR,
                                       "Invalid port number: %s", port);
                    goto error;
                }
                src->host_port = (int)p;
            }
        } else if (vireo_xml_is(c, "dir") && !src->dir) {
            if (!(src->dir = vireo_xml_prop(c, "path"))) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "missing storage pool source path");
                goto error;
            }
        } else if (vireo_xml_is(c, "name") && !src->name) {
            src->name = vireo_xml_content(c);
        } else if (vireo_xml_is(c, "format") && !src->format) {
            g_autofree char *fmt = vireo_xml_prop(c, "type");

            if (!fmt) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "missing storage pool source format type");
                goto error;
            }
            /* dir pools have no format: libvirt ignores the element */
            if (def->type == VIREO_STORAGE_POOL_DIR)
                continue;
            if (vireo_xml_enum_from_string(pool_formats(def->type), fmt) < 0) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "unknown pool format type %s", fmt);
                goto error;
            }
            src->format = g_steal_pointer(&fmt);
        } else if (vireo_xml_is(c, "protocol") && !src->protocol_ver) {
            g_autofree char *ver = vireo_xml_prop(c, "ver");
            unsigned int v;

            if (!ver)
                continue;
            if (def->type != VIREO_STORAGE_POOL_NETFS) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "storage pool protocol ver is only valid for netfs pools");
                goto error;
            }
            if (!vireo_xml_str_to_uint(ver, 10, &v)) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "storage pool protocol ver unsupported %s", ver);
                goto error;
            }
            src->protocol_ver = g_steal_pointer(&ver);
        }
    }
    src->ndevices = devices->len;
    src->devices = (VireoStoragePoolSourceDevice *)(void *)g_array_free(g_steal_pointer(&devices),
                                                                      src->ndevices == 0);
    return 0;

 error:
    {
        guint i;

        for (i = 0; i < devices->len; i++) {
            VireoStoragePoolSourceDevice *d = &g_array_index(devices, VireoStoragePoolSourceDevice, i);

            g_free(d->path);
            g_free(d->part_separator);
        }
    }
    return -1;
}

static void
pool_apply_defaults(VireoStoragePoolDef *def)
{
    VireoStoragePoolSource *src = &def->source;

    switch (def->type) {
    case VIREO_STORAGE_POOL_FS:
    case VIREO_STORAGE_POOL_NETFS:
        if (!src->format)
            src->format = g_strdup("auto");
        break;
    case VIREO_STORAGE_POOL_DISK:
        if (!src->format)
            src->format = g_strdup("unknown");
        if (!def->target.path)
            def->target.path = g_strdup("/dev");
        break;
    case VIREO_STORAGE_POOL_LOGICAL:
        if (!src->name || !*src->name) {
            g_free(src->name);
            src->name = g_strdup(def->name);
        }
        if (!src->format)
            src->format = g_strdup("lvm2");
        /* the LVs of a volume group always live in /dev/<vg> */
        if (src->name && !strchr(src->name, '/')) {
            g_free(def->target.path);
            def->target.path = g_strdup_printf("/dev/%s", src->name);
        }
        break;
    default:
        break;
    }
}

static VireoStoragePoolDef *
pool_def_parse_node(xmlNodePtr root)
{
    g_autoptr(VireoStoragePoolDef) def = g_new0(VireoStoragePoolDef, 1);
    g_autofree char *type = vireo_xml_prop(root, "type");
    g_autofree char *uuid = NULL;
    xmlNodePtr c;

    def->target.owner = -1;
    def->target.group = -1;
    if (!type) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "Missing required attribute 'type' in element 'pool'");
        return NULL;
    }
    if ((def->type = vireo_storage_pool_type_from_string(type)) < 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "Invalid value for attribute 'type' in element 'pool': '%s'.",
                           type);
        return NULL;
    }
    for (c = vireo_xml_first_elem(root); c; c = vireo_xml_next_elem(c)) {
        if (vireo_xml_is(c, "name") && !def->name)
            def->name = vireo_xml_content(c);
    }
    if (vireo_storage_check_name(def->name, "missing pool source name element") < 0)
        return NULL;

    if ((uuid = vireo_xml_child_content(root, "uuid"))) {
        if (!vireo_uuid_parse(uuid, def->uuid)) {
            vireo_error_report(VIR_ERR_XML_ERROR, "malformed uuid element");
            return NULL;
        }
    } else {
        vireo_uuid_generate(def->uuid);
    }

    if (parse_pool_source(def, vireo_xml_child(root, "source")) < 0)
        return NULL;
    if (vireo_storage_parse_target(vireo_xml_child(root, "target"), &def->target) < 0)
        return NULL;
    pool_apply_defaults(def);
    if (vireo_storage_pool_def_validate(def) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

VireoStoragePoolDef *
vireo_storage_pool_def_parse_string(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;

    vireo_check_flags(flags, VIREO_STORAGE_PARSE_VALIDATE, NULL);
    if (!(doc = vireo_storage_parse_doc(xml, "(storage_pool_definition)", "pool",
                                        "storagepool", flags)))
        return NULL;
    return pool_def_parse_node(xmlDocGetRootElement(doc));
}

VireoStoragePoolDef *
vireo_storage_pool_def_parse_file(const char *path, unsigned int flags)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    vireo_check_flags(flags, VIREO_STORAGE_PARSE_VALIDATE, NULL);
    if (!(xml = vireo_storage_read_file(path)))
        return NULL;
    if (!(doc = vireo_storage_parse_doc(xml, path, "pool", "storagepool", flags)))
        return NULL;
    return pool_def_parse_node(xmlDocGetRootElement(doc));
}

/* ---- pool validation -------------------------------------------------- */

int
vireo_storage_pool_def_validate(const VireoStoragePoolDef *def)
{
    const VireoStoragePoolSource *src = &def->source;
    const char *type = vireo_storage_pool_type_to_string(def->type);
    size_t i;

    if (!type) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown storage pool type %d", def->type);
        return -1;
    }
    if (vireo_storage_check_name(def->name, "missing pool source name element") < 0)
        return -1;

    for (i = 0; i < src->ndevices; i++) {
        if (!src->devices[i].path || !*src->devices[i].path) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing storage pool source device path");
            return -1;
        }
    }
    if (src->format && def->type != VIREO_STORAGE_POOL_DIR &&
        vireo_xml_enum_from_string(pool_formats(def->type), src->format) < 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown pool format type %s", src->format);
        return -1;
    }

    switch (def->type) {
    case VIREO_STORAGE_POOL_FS:
    case VIREO_STORAGE_POOL_DISK:
        if (src->ndevices == 0) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing storage pool source device name");
            return -1;
        }
        if (src->ndevices > 1) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "storage pool '%s' of type '%s' takes exactly one "
                               "source device, not %zu", def->name, type, src->ndevices);
            return -1;
        }
        break;
    case VIREO_STORAGE_POOL_NETFS:
        if (!src->host_name || !*src->host_name) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing storage pool source host name");
            return -1;
        }
        if (!src->dir || !*src->dir) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing storage pool source path");
            return -1;
        }
        break;
    case VIREO_STORAGE_POOL_LOGICAL:
        if (!src->name || !*src->name) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing storage pool source name for logical pool '%s'",
                               def->name);
            return -1;
        }
        if (strchr(src->name, '/')) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "volume group name '%s' of storage pool '%s' cannot contain '/'",
                               src->name, def->name);
            return -1;
        }
        break;
    default:
        break;
    }

    if (!def->target.path || !*def->target.path) {
        vireo_error_report(VIR_ERR_XML_ERROR, "missing storage pool target path");
        return -1;
    }
    if (def->target.path[0] != '/') {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "target path '%s' of storage pool '%s' must be absolute",
                           def->target.path, def->name);
        return -1;
    }
    if (def->target.mode & ~0777U) {
        vireo_error_report(VIR_ERR_XML_ERROR, "malformed octal mode");
        return -1;
    }
    return 0;
}

/* ---- pool formatting -------------------------------------------------- */

static void
format_pool_source(VireoXmlBuf *buf, const VireoStoragePoolDef *def)
{
    const VireoStoragePoolSource *src = &def->source;
    size_t i;

    vireo_xml_buf_add(buf, "<source>\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    if (src->host_name) {
        vireo_xml_buf_add(buf, "<host");
        vireo_xml_buf_attr(buf, "name", src->host_name);
        if (src->host_port > 0)
            g_string_append_printf(buf->str, " port='%d'", src->host_port);
        g_string_append(buf->str, "/>\n");
    }
    for (i = 0; i < src->ndevices; i++) {
        vireo_xml_buf_add(buf, "<device");
        vireo_xml_buf_attr(buf, "path", src->devices[i].path);
        vireo_xml_buf_attr(buf, "part_separator", src->devices[i].part_separator);
        g_string_append(buf->str, "/>\n");
    }
    if (src->dir) {
        vireo_xml_buf_add(buf, "<dir");
        vireo_xml_buf_attr(buf, "path", src->dir);
        g_string_append(buf->str, "/>\n");
    }
    vireo_xml_buf_element(buf, "name", src->name);
    if (src->format && def->type != VIREO_STORAGE_POOL_DIR) {
        vireo_xml_buf_add(buf, "<format");
        vireo_xml_buf_attr(buf, "type", src->format);
        g_string_append(buf->str, "/>\n");
    }
    if (src->protocol_ver) {
        vireo_xml_buf_add(buf, "<protocol");
        vireo_xml_buf_attr(buf, "ver", src->protocol_ver);
        g_string_append(buf->str, "/>\n");
    }
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</source>\n");
}

char *
vireo_storage_pool_def_format(const VireoStoragePoolDef *def, unsigned int flags)
{
    VireoXmlBuf buf;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    (void)flags;   /* libvirt writes the same document in both views */
    vireo_xml_buf_init(&buf);
    vireo_xml_buf_add(&buf, "<pool");
    vireo_xml_buf_attr(&buf, "type", vireo_storage_pool_type_to_string(def->type));
    g_string_append(buf.str, ">\n");
    vireo_xml_buf_adjust_indent(&buf, 2);
    vireo_xml_buf_element(&buf, "name", def->name);
    vireo_xml_buf_element(&buf, "uuid", vireo_uuid_format(def->uuid, uuidstr));
    vireo_xml_buf_printf(&buf, "<capacity unit='bytes'>%llu</capacity>\n", def->capacity);
    vireo_xml_buf_printf(&buf, "<allocation unit='bytes'>%llu</allocation>\n", def->allocation);
    vireo_xml_buf_printf(&buf, "<available unit='bytes'>%llu</available>\n", def->available);
    format_pool_source(&buf, def);
    vireo_xml_buf_add(&buf, "<target>\n");
    vireo_xml_buf_adjust_indent(&buf, 2);
    vireo_xml_buf_element(&buf, "path", def->target.path);
    vireo_storage_format_perms(&buf, &def->target);
    vireo_xml_buf_adjust_indent(&buf, -2);
    vireo_xml_buf_add(&buf, "</target>\n");
    vireo_xml_buf_adjust_indent(&buf, -2);
    vireo_xml_buf_add(&buf, "</pool>\n");
    return vireo_xml_buf_steal(&buf);
}

/* ---- copy and free ---------------------------------------------------- */

VireoStoragePoolDef *
vireo_storage_pool_def_copy(const VireoStoragePoolDef *def)
{
    VireoStoragePoolDef *copy;
    size_t i;

    if (!def)
        return NULL;
    copy = g_new0(VireoStoragePoolDef, 1);
    copy->type = def->type;
    copy->name = g_strdup(def->name);
    memcpy(copy->uuid, def->uuid, sizeof(copy->uuid));
    copy->capacity = def->capacity;
    copy->allocation = def->allocation;
    copy->available = def->available;
    if (def->source.ndevices) {
        copy->source.devices = g_new0(VireoStoragePoolSourceDevice, def->source.ndevices);
        for (i = 0; i < def->source.ndevices; i++) {
            copy->source.devices[i].path = g_strdup(def->source.devices[i].path);
            copy->source.devices[i].part_separator =
                g_strdup(def->source.devices[i].part_separator);
        }
    }
    copy->source.ndevices = def->source.ndevices;
    copy->source.host_name = g_strdup(def->source.host_name);
    copy->source.host_port = def->source.host_port;
    copy->source.dir = g_strdup(def->source.dir);
    copy->source.name = g_strdup(def->source.name);
    copy->source.format = g_strdup(def->source.format);
    copy->source.protocol_ver = g_strdup(def->source.protocol_ver);
    vireo_storage_target_copy(&copy->target, &def->target);
    return copy;
}

void
vireo_storage_pool_def_free(VireoStoragePoolDef *def)
{
    size_t i;

    if (!def)
        return;
    for (i = 0; i < def->source.ndevices; i++) {
        g_free(def->source.devices[i].path);
        g_free(def->source.devices[i].part_separator);
    }
    g_free(def->source.devices);
    g_free(def->source.host_name);
    g_free(def->source.dir);
    g_free(def->source.name);
    g_free(def->source.format);
    g_free(def->source.protocol_ver);
    vireo_storage_target_clear(&def->target);
    g_free(def->name);
    g_free(def);
}
