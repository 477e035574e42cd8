/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <math.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "util/vireo_error.h"
#include "util/vireo_json.h"

typedef struct {
    char *key;
    VireoJSON *value;
} VireoJSONMember;

struct _VireoJSON {
    VireoJSONType type;
    union {
        bool b;
        char *text;                 /* NUMBER (its JSON text) and STRING */
        GPtrArray *items;           /* ARRAY: VireoJSON * */
        struct {
            GPtrArray *members;     /* VireoJSONMember *, insertion order */
            GHashTable *index;      /* key -> VireoJSONMember *, built lazily */
        } obj;
    } u;
};

/* Objects smaller than this are searched linearly; larger ones get a hash
 * index so that a peer sending a huge object cannot make parsing
 * quadratic (every insert checks for a duplicate key). */
#define OBJECT_INDEX_THRESHOLD 8

static VireoJSON *
json_new(VireoJSONType type)
{
    VireoJSON *v = g_new0(VireoJSON, 1);

    v->type = type;
    return v;
}

static void
member_free(VireoJSONMember *m)
{
    if (!m)
        return;
    g_free(m->key);
    vireo_json_free(m->value);
    g_free(m);
}

void
vireo_json_free(VireoJSON *v)
{
    if (!v)
        return;
    switch (v->type) {
    case VIREO_JSON_NUMBER:
    case VIREO_JSON_STRING:
        g_free(v->u.text);
        break;
    case VIREO_JSON_ARRAY:
        g_ptr_array_unref(v->u.items);
        break;
    case VIREO_JSON_OBJECT:
        if (v->u.obj.index)
            g_hash_table_unref(v->u.obj.index);
        g_ptr_array_unref(v->u.obj.members);
        break;
    case VIREO_JSON_NULL:
    case VIREO_JSON_BOOL:
        break;
    }
    g_free(v);
}

/* ---- constructors ------------------------------------------------------ */

VireoJSON *
vireo_json_new_null(void)
{
    return json_new(VIREO_JSON_NULL);
}

VireoJSON *
vireo_json_new_bool(bool value)
{
    VireoJSON *v = json_new(VIREO_JSON_BOOL);

    v->u.b = value;
    return v;
}

static VireoJSON *
json_new_number_take(char *text)
{
    VireoJSON *v = json_new(VIREO_JSON_NUMBER);

    v->u.text = text;
    return v;
}

VireoJSON *
vireo_json_new_int(gint64 value)
{
    return json_new_number_take(g_strdup_printf("%" G_GINT64_FORMAT, value));
}

VireoJSON *
vireo_json_new_uint(guint64 value)
{
    return json_new_number_take(g_strdup_printf("%" G_GUINT64_FORMAT, value));
}

VireoJSON *
vireo_json_new_double(double value)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (!isfinite(value))
        return vireo_json_new_null();
    g_ascii_dtostr(buf, sizeof(buf), value);
    return json_new_number_take(g_strdup(buf));
}

VireoJSON *
vireo_json_new_string(const char *value)
{
    VireoJSON *v;

    if (!value)
        return vireo_json_new_null();
    v = json_new(VIREO_JSON_STRING);
    v->u.text = g_strdup(value);
    return v;
}

VireoJSON *
vireo_json_new_array(void)
{
    VireoJSON *v = json_new(VIREO_JSON_ARRAY);

    v->u.items = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_json_free);
    return v;
}

VireoJSON *
vireo_json_new_object(void)
{
    VireoJSON *v = json_new(VIREO_JSON_OBJECT);

    v->u.obj.members = g_ptr_array_new_with_free_func((GDestroyNotify)member_free);
    return v;
}

void
vireo_json_array_append(VireoJSON *array, VireoJSON *value)
{
    g_return_if_fail(array && array->type == VIREO_JSON_ARRAY && value);
    g_ptr_array_add(array->u.items, value);
}

static VireoJSONMember *
object_find(const VireoJSON *obj, const char *key)
{
    GPtrArray *members = obj->u.obj.members;

    if (obj->u.obj.index)
        return g_hash_table_lookup(obj->u.obj.index, key);
    for (guint i = 0; i < members->len; i++) {
        VireoJSONMember *m = g_ptr_array_index(members, i);

        if (strcmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

/* Append a member known not to exist yet. */
static void
object_append_new(VireoJSON *obj, char *key, VireoJSON *value)
{
    VireoJSONMember *m = g_new0(VireoJSONMember, 1);
    GPtrArray *members = obj->u.obj.members;

    m->key = key;
    m->value = value;
    g_ptr_array_add(members, m);
    if (obj->u.obj.index) {
        g_hash_table_insert(obj->u.obj.index, m->key, m);
    } else if (members->len >= OBJECT_INDEX_THRESHOLD) {
        obj->u.obj.index = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < members->len; i++) {
            VireoJSONMember *e = g_ptr_array_index(members, i);

            g_hash_table_insert(obj->u.obj.index, e->key, e);
        }
    }
}

void
vireo_json_object_add(VireoJSON *obj, const char *key, VireoJSON *value)
{
    VireoJSONMember *m;

    g_return_if_fail(obj && obj->type == VIREO_JSON_OBJECT && key && value);
    if ((m = object_find(obj, key))) {
        vireo_json_free(m->value);
        m->value = value;
        return;
    }
    object_append_new(obj, g_strdup(key), value);
}

void
vireo_json_object_add_string(VireoJSON *obj, const char *key, const char *value)
{
    vireo_json_object_add(obj, key, vireo_json_new_string(value));
}

void
vireo_json_object_add_int(VireoJSON *obj, const char *key, gint64 value)
{
    vireo_json_object_add(obj, key, vireo_json_new_int(value));
}

void
vireo_json_object_add_uint(VireoJSON *obj, const char *key, guint64 value)
{
    vireo_json_object_add(obj, key, vireo_json_new_uint(value));
}

void
vireo_json_object_add_double(VireoJSON *obj, const char *key, double value)
{
    vireo_json_object_add(obj, key, vireo_json_new_double(value));
}

void
vireo_json_object_add_bool(VireoJSON *obj, const char *key, bool value)
{
    vireo_json_object_add(obj, key, vireo_json_new_bool(value));
}

VireoJSON *
vireo_json_object_steal(VireoJSON *obj, const char *key)
{
    VireoJSONMember *m;
    VireoJSON *value;

    if (!obj || obj->type != VIREO_JSON_OBJECT || !key || !(m = object_find(obj, key)))
        return NULL;
    value = g_steal_pointer(&m->value);
    if (obj->u.obj.index)
        g_hash_table_remove(obj->u.obj.index, key);
    g_ptr_array_remove(obj->u.obj.members, m);   /* frees m */
    return value;
}

VireoJSON *
vireo_json_copy(const VireoJSON *v)
{
    VireoJSON *c;

    if (!v)
        return NULL;
    switch (v->type) {
    case VIREO_JSON_NULL:
        return vireo_json_new_null();
    case VIREO_JSON_BOOL:
        return vireo_json_new_bool(v->u.b);
    case VIREO_JSON_NUMBER:
        return json_new_number_take(g_strdup(v->u.text));
    case VIREO_JSON_STRING:
        return vireo_json_new_string(v->u.text);
    case VIREO_JSON_ARRAY:
        c = vireo_json_new_array();
        for (guint i = 0; i < v->u.items->len; i++)
            vireo_json_array_append(c, vireo_json_copy(g_ptr_array_index(v->u.items, i)));
        return c;
    case VIREO_JSON_OBJECT:
        c = vireo_json_new_object();
        for (guint i = 0; i < v->u.obj.members->len; i++) {
            VireoJSONMember *m = g_ptr_array_index(v->u.obj.members, i);

            object_append_new(c, g_strdup(m->key), vireo_json_copy(m->value));
        }
        return c;
    }
    g_assert_not_reached();
}

/* ---- inspection -------------------------------------------------------- */

VireoJSONType
vireo_json_get_type(const VireoJSON *v)
{
    return v ? v->type : VIREO_JSON_NULL;
}

bool
vireo_json_is_null(const VireoJSON *v)
{
    return v && v->type == VIREO_JSON_NULL;
}

bool
vireo_json_get_bool(const VireoJSON *v, bool *out)
{
    if (!v || v->type != VIREO_JSON_BOOL)
        return false;
    *out = v->u.b;
    return true;
}

bool
vireo_json_get_int64(const VireoJSON *v, gint64 *out)
{
    gint64 n;

    if (!v || v->type != VIREO_JSON_NUMBER ||
        !g_ascii_string_to_signed(v->u.text, 10, G_MININT64, G_MAXINT64, &n, NULL))
        return false;
    *out = n;
    return true;
}

bool
vireo_json_get_uint64(const VireoJSON *v, guint64 *out)
{
    guint64 n;

    if (!v || v->type != VIREO_JSON_NUMBER ||
        !g_ascii_string_to_unsigned(v->u.text, 10, 0, G_MAXUINT64, &n, NULL))
        return false;
    *out = n;
    return true;
}

bool
vireo_json_get_double(const VireoJSON *v, double *out)
{
    char *end = NULL;
    double d;

    if (!v || v->type != VIREO_JSON_NUMBER)
        return false;
    d = g_ascii_strtod(v->u.text, &end);
    if (!end || *end || !isfinite(d))
        return false;
    *out = d;
    return true;
}

const char *
vireo_json_get_string(const VireoJSON *v)
{
    return v && v->type == VIREO_JSON_STRING ? v->u.text : NULL;
}

const char *
vireo_json_get_number_text(const VireoJSON *v)
{
    return v && v->type == VIREO_JSON_NUMBER ? v->u.text : NULL;
}

guint
vireo_json_array_size(const VireoJSON *array)
{
    return array && array->type == VIREO_JSON_ARRAY ? array->u.items->len : 0;
}

const VireoJSON *
vireo_json_array_get(const VireoJSON *array, guint index)
{
    if (index >= vireo_json_array_size(array))
        return NULL;
    return g_ptr_array_index(array->u.items, index);
}

const VireoJSON *
vireo_json_object_get(const VireoJSON *obj, const char *key)
{
    VireoJSONMember *m;

    if (!obj || obj->type != VIREO_JSON_OBJECT || !key || !(m = object_find(obj, key)))
        return NULL;
    return m->value;
}

const char *
vireo_json_object_get_string(const VireoJSON *obj, const char *key)
{
    return vireo_json_get_string(vireo_json_object_get(obj, key));
}

bool
vireo_json_object_get_int64(const VireoJSON *obj, const char *key, gint64 *out)
{
    return vireo_json_get_int64(vireo_json_object_get(obj, key), out);
}

bool
vireo_json_object_get_uint64(const VireoJSON *obj, const char *key, guint64 *out)
{
    return vireo_json_get_uint64(vireo_json_object_get(obj, key), out);
}

bool
vireo_json_object_get_double(const VireoJSON *obj, const char *key, double *out)
{
    return vireo_json_get_double(vireo_json_object_get(obj, key), out);
}

bool
vireo_json_object_get_bool(const VireoJSON *obj, const char *key, bool *out)
{
    return vireo_json_get_bool(vireo_json_object_get(obj, key), out);
}

const VireoJSON *
vireo_json_object_get_object(const VireoJSON *obj, const char *key)
{
    const VireoJSON *v = vireo_json_object_get(obj, key);

    return v && v->type == VIREO_JSON_OBJECT ? v : NULL;
}

const VireoJSON *
vireo_json_object_get_array(const VireoJSON *obj, const char *key)
{
    const VireoJSON *v = vireo_json_object_get(obj, key);

    return v && v->type == VIREO_JSON_ARRAY ? v : NULL;
}

guint
vireo_json_object_size(const VireoJSON *obj)
{
    return obj && obj->type == VIREO_JSON_OBJECT ? obj->u.obj.members->len : 0;
}

const VireoJSON *
vireo_json_object_member(const VireoJSON *obj, guint index, const char **key)
{
    VireoJSONMember *m;

    if (index >= vireo_json_object_size(obj))
        return NULL;
    m = g_ptr_array_index(obj->u.obj.members, index);
    if (key)
        *key = m->key;
    return m->value;
}

bool
vireo_json_equal(const VireoJSON *a, const VireoJSON *b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case VIREO_JSON_NULL:
        return true;
    case VIREO_JSON_BOOL:
        return a->u.b == b->u.b;
    case VIREO_JSON_NUMBER:
    case VIREO_JSON_STRING:
        return strcmp(a->u.text, b->u.text) == 0;
    case VIREO_JSON_ARRAY:
        if (a->u.items->len != b->u.items->len)
            return false;
        for (guint i = 0; i < a->u.items->len; i++) {
            if (!vireo_json_equal(g_ptr_array_index(a->u.items, i),
                                  g_ptr_array_index(b->u.items, i)))
                return false;
        }
        return true;
    case VIREO_JSON_OBJECT:
        /* keys are unique, so same size + every key of a matching is enough */
        if (a->u.obj.members->len != b->u.obj.members->len)
            return false;
        for (guint i = 0; i < a->u.obj.members->len; i++) {
            VireoJSONMember *m = g_ptr_array_index(a->u.obj.members, i);
            VireoJSONMember *o = object_find(b, m->key);

            if (!o || !vireo_json_equal(m->value, o->value))
                return false;
        }
        return true;
    }
    return false;
}

/* ---- parsing ----------------------------------------------------------- */

typedef struct {
    VireoJSON *root;
    GPtrArray *stack;     /* open containers, borrowed (owned by their parents / root) */
    char *key;            /* object key waiting for its value */
    char *error;          /* why a callback cancelled the parse */
} ParseCtx;

/* Attach @v (taken) to the innermost open container, or make it the root. */
static int
parse_add(ParseCtx *ctx, VireoJSON *v)
{
    VireoJSON *parent;

    if (ctx->stack->len == 0) {
        if (ctx->root) {
            vireo_json_free(v);
            ctx->error = g_strdup("more than one top-level value");
            return 0;
        }
        ctx->root = v;
        return 1;
    }
    parent = g_ptr_array_index(ctx->stack, ctx->stack->len - 1);
    if (parent->type == VIREO_JSON_ARRAY) {
        g_ptr_array_add(parent->u.items, v);
        return 1;
    }
    if (!ctx->key) {
        /* yajl never delivers an object value without its key */
        vireo_json_free(v);
        ctx->error = g_strdup("object value without a key");
        return 0;
    }
    if (object_find(parent, ctx->key)) {
        vireo_json_free(v);
        ctx->error = g_strdup_printf("duplicate object key '%s'", ctx->key);
        return 0;
    }
    object_append_new(parent, g_steal_pointer(&ctx->key), v);
    return 1;
}

static bool
parse_check_text(ParseCtx *ctx, const unsigned char *s, size_t len, const char *what)
{
    if (memchr(s, '\0', len)) {
        ctx->error = g_strdup_printf("%s contains a NUL character", what);
        return false;
    }
    return true;
}

static int
parse_null(void *opaque)
{
    return parse_add(opaque, vireo_json_new_null());
}

static int
parse_boolean(void *opaque, int value)
{
    return parse_add(opaque, vireo_json_new_bool(value != 0));
}

static int
parse_number(void *opaque, const char *text, size_t len)
{
    return parse_add(opaque, json_new_number_take(g_strndup(text, len)));
}

static int
parse_string(void *opaque, const unsigned char *s, size_t len)
{
    ParseCtx *ctx = opaque;
    VireoJSON *v;

    if (!parse_check_text(ctx, s, len, "string"))
        return 0;
    v = json_new(VIREO_JSON_STRING);
    v->u.text = g_strndup((const char *)s, len);
    return parse_add(ctx, v);
}

static int
parse_start(ParseCtx *ctx, VireoJSON *container)
{
    if (ctx->stack->len >= VIREO_JSON_MAX_DEPTH) {
        vireo_json_free(container);
        ctx->error = g_strdup_printf("nesting deeper than %d levels", VIREO_JSON_MAX_DEPTH);
        return 0;
    }
    if (!parse_add(ctx, container))
        return 0;
    g_ptr_array_add(ctx->stack, container);
    return 1;
}

static int
parse_start_map(void *opaque)
{
    return parse_start(opaque, vireo_json_new_object());
}

static int
parse_start_array(void *opaque)
{
    return parse_start(opaque, vireo_json_new_array());
}

static int
parse_map_key(void *opaque, const unsigned char *s, size_t len)
{
    ParseCtx *ctx = opaque;

    if (!parse_check_text(ctx, s, len, "object key"))
        return 0;
    g_free(ctx->key);
    ctx->key = g_strndup((const char *)s, len);
    return 1;
}

static int
parse_end(void *opaque)
{
    ParseCtx *ctx = opaque;

    if (ctx->stack->len)
        g_ptr_array_set_size(ctx->stack, ctx->stack->len - 1);
    return 1;
}

static const yajl_callbacks parse_callbacks = {
    .yajl_null = parse_null,
    .yajl_boolean = parse_boolean,
    .yajl_number = parse_number,      /* keeps the text; integer/double unused */
    .yajl_string = parse_string,
    .yajl_start_map = parse_start_map,
    .yajl_map_key = parse_map_key,
    .yajl_end_map = parse_end,
    .yajl_start_array = parse_start_array,
    .yajl_end_array = parse_end,
};

VireoJSON *
vireo_json_parse_quiet(const char *text, gsize len, char **error)
{
    ParseCtx ctx = { 0 };
    yajl_handle h;
    yajl_status st;
    VireoJSON *ret = NULL;
    bool at_end = false;

    if (error)
        *error = NULL;
    ctx.stack = g_ptr_array_new();
    h = yajl_alloc(&parse_callbacks, NULL, &ctx);
    /* defaults wanted: UTF-8 validated, no comments, one value, trailing
     * garbage rejected */
    st = yajl_parse(h, (const unsigned char *)(text ? text : ""), len);
    if (st == yajl_status_ok) {
        at_end = true;
        st = yajl_complete_parse(h);
    }

    if (st == yajl_status_ok && ctx.root) {
        ret = g_steal_pointer(&ctx.root);
    } else if (error) {
        /* yajl counts from the start of its last input chunk */
        gsize offset = at_end ? len : yajl_get_bytes_consumed(h);

        if (st == yajl_status_ok) {
            *error = g_strdup("no value");
        } else if (ctx.error) {
            *error = g_strdup_printf("%s at byte %zu", ctx.error, offset);
        } else {
            unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
            g_autofree char *clean = g_strstrip(g_strdup((const char *)msg));
            gsize n = strlen(clean);

            yajl_free_error(h, msg);
            if (n && clean[n - 1] == '.')
                clean[n - 1] = '\0';
            *error = g_strdup_printf("%s at byte %zu", clean, offset);
        }
    }

    yajl_free(h);
    vireo_json_free(ctx.root);
    g_free(ctx.key);
    g_free(ctx.error);
    g_ptr_array_unref(ctx.stack);
    return ret;
}

VireoJSON *
vireo_json_parse(const char *text, gsize len)
{
    g_autofree char *error = NULL;
    VireoJSON *v = vireo_json_parse_quiet(text, len, &error);

    if (!v)
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot parse JSON: %s", error);
    return v;
}

/* ---- formatting -------------------------------------------------------- */

static yajl_gen_status
format_value(yajl_gen g, const VireoJSON *v)
{
    yajl_gen_status st;

    switch (v->type) {
    case VIREO_JSON_NULL:
        return yajl_gen_null(g);
    case VIREO_JSON_BOOL:
        return yajl_gen_bool(g, v->u.b);
    case VIREO_JSON_NUMBER:
        return yajl_gen_number(g, v->u.text, strlen(v->u.text));
    case VIREO_JSON_STRING:
        return yajl_gen_string(g, (const unsigned char *)v->u.text, strlen(v->u.text));
    case VIREO_JSON_ARRAY:
        if ((st = yajl_gen_array_open(g)) != yajl_gen_status_ok)
            return st;
        for (guint i = 0; i < v->u.items->len; i++) {
            if ((st = format_value(g, g_ptr_array_index(v->u.items, i))) != yajl_gen_status_ok)
                return st;
        }
        return yajl_gen_array_close(g);
    case VIREO_JSON_OBJECT:
        if ((st = yajl_gen_map_open(g)) != yajl_gen_status_ok)
            return st;
        for (guint i = 0; i < v->u.obj.members->len; i++) {
            VireoJSONMember *m = g_ptr_array_index(v->u.obj.members, i);

            if ((st = yajl_gen_string(g, (const unsigned char *)m->key,
                                      strlen(m->key))) != yajl_gen_status_ok ||
                (st = format_value(g, m->value)) != yajl_gen_status_ok)
                return st;
        }
        return yajl_gen_map_close(g);
    }
    return yajl_gen_generation_complete;
}

char *
vireo_json_format(const VireoJSON *v, bool pretty)
{
    yajl_gen g;
    yajl_gen_status st;
    const unsigned char *buf = NULL;
    size_t len = 0;
    char *ret = NULL;

    g_return_val_if_fail(v != NULL, NULL);

    g = yajl_gen_alloc(NULL);
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    if (pretty) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
    }
    st = format_value(g, v);
    if (st == yajl_gen_status_ok && yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
        ret = g_strndup((const char *)buf, len);
    } else if (st == yajl_gen_invalid_string) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "cannot format JSON: a string is not valid UTF-8");
    } else if (st == yajl_max_depth_exceeded) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "cannot format JSON: nesting deeper than the generator allows");
    } else {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot format JSON: generator status %d", st);
    }
    yajl_gen_free(g);
    return ret;
}
