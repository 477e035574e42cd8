/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_json: a small JSON value tree, parsed and formatted with yajl.
 *
 * This is the only file of the project that includes yajl; everything else
 * (QMP, capability probes, ...) uses this API.
 *
 * A VireoJSON is one value: null, boolean, number, string, array or object.
 *   - Numbers keep the exact text they were parsed from (or that a
 *     constructor produced), so formatting a parsed tree reproduces every
 *     number digit for digit, and 64-bit integers never pass through a
 *     double.  The getters convert on demand and fail when the text does not
 *     fit the requested type (e.g. 1.5 or 2^63 for int64).
 *   - Objects keep their members in insertion order.  Parsing rejects an
 *     object that names a key twice; vireo_json_object_add() replaces.
 *   - Strings are NUL-terminated UTF-8; parsing rejects a string or key that
 *     contains U+0000 (a C string could not carry it) or invalid UTF-8.
 *   - Parsing rejects nesting deeper than VIREO_JSON_MAX_DEPTH, so freeing
 *     and formatting (which recurse) have a bounded stack.
 *
 * Ownership: a value added to an array or object is owned by it from then on
 * ("takes" below).  Getters return borrowed pointers that live as long as
 * their container.  Values are not thread-safe; a tree can move between
 * threads but is not shared while modified.
 *
 * Error domain: values built by the caller cannot fail; vireo_json_parse()
 * and vireo_json_format() report VIR_ERR_INTERNAL_ERROR as documented.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef enum {
    VIREO_JSON_NULL,
    VIREO_JSON_BOOL,
    VIREO_JSON_NUMBER,
    VIREO_JSON_STRING,
    VIREO_JSON_ARRAY,
    VIREO_JSON_OBJECT,
} VireoJSONType;

/* Maximum array/object nesting accepted by the parser (yajl's generator
 * stops at 127, so every parsed tree can be formatted again). */
#define VIREO_JSON_MAX_DEPTH 100

typedef struct _VireoJSON VireoJSON;

/* ---- parsing and formatting ------------------------------------------- */

/* Parse exactly one JSON value from @len bytes of @text (need not be
 * NUL-terminated; whitespace around the value is allowed, anything else
 * after it is "trailing garbage").  Returns a new tree, or NULL after
 * reporting VIR_ERR_INTERNAL_ERROR "cannot parse JSON: <yajl's message>". */
VireoJSON *vireo_json_parse(const char *text, gsize len);

/* Same without reporting: on failure returns NULL and, when @error is
 * non-NULL, sets *@error to a newly allocated one-line description.  For
 * callers that wrap the failure with their own context. */
VireoJSON *vireo_json_parse_quiet(const char *text, gsize len, char **error);

/* Format @v as JSON text.  Compact (no whitespace, no trailing newline)
 * unless @pretty, which indents by two spaces and ends with a newline.
 * Returns NULL after reporting VIR_ERR_INTERNAL_ERROR when a string holds
 * invalid UTF-8 (possible only for strings the caller added).  Caller
 * frees. */
char *vireo_json_format(const VireoJSON *v, bool pretty);

/* ---- constructors (never fail) ---------------------------------------- */

VireoJSON *vireo_json_new_null(void);
VireoJSON *vireo_json_new_bool(bool value);
VireoJSON *vireo_json_new_int(gint64 value);
VireoJSON *vireo_json_new_uint(guint64 value);
/* A non-finite @value (NaN, infinity) has no JSON form: the result is a
 * JSON null. */
VireoJSON *vireo_json_new_double(double value);
/* @value is copied; NULL gives a JSON null. */
VireoJSON *vireo_json_new_string(const char *value);
VireoJSON *vireo_json_new_array(void);
VireoJSON *vireo_json_new_object(void);

/* A deep copy. */
VireoJSON *vireo_json_copy(const VireoJSON *v);

/* Append @value (taken) to @array. */
void vireo_json_array_append(VireoJSON *array, VireoJSON *value);

/* Add @key -> @value (taken) to @obj, replacing (and freeing) an existing
 * member of that name in place. */
void vireo_json_object_add(VireoJSON *obj, const char *key, VireoJSON *value);
void vireo_json_object_add_string(VireoJSON *obj, const char *key, const char *value);
void vireo_json_object_add_int(VireoJSON *obj, const char *key, gint64 value);
void vireo_json_object_add_uint(VireoJSON *obj, const char *key, guint64 value);
void vireo_json_object_add_double(VireoJSON *obj, const char *key, double value);
void vireo_json_object_add_bool(VireoJSON *obj, const char *key, bool value);

/* Remove member @key from @obj and return its value (caller owns it), or
 * NULL when there is no such member or @obj is not an object. */
VireoJSON *vireo_json_object_steal(VireoJSON *obj, const char *key);

/* ---- inspection --------------------------------------------------------- */

VireoJSONType vireo_json_get_type(const VireoJSON *v);
bool vireo_json_is_null(const VireoJSON *v);

/* Scalar getters: false (and *out untouched) when @v is NULL, of another
 * type, or (numbers) when its text does not fit the type. */
bool vireo_json_get_bool(const VireoJSON *v, bool *out);
bool vireo_json_get_int64(const VireoJSON *v, gint64 *out);
bool vireo_json_get_uint64(const VireoJSON *v, guint64 *out);
bool vireo_json_get_double(const VireoJSON *v, double *out);
/* The string's text, or NULL when @v is not a string.  Borrowed. */
const char *vireo_json_get_string(const VireoJSON *v);
/* A number's text exactly as parsed or constructed, or NULL. */
const char *vireo_json_get_number_text(const VireoJSON *v);

/* Arrays: size is 0 for anything that is not an array; get returns NULL
 * when out of range.  Borrowed. */
guint vireo_json_array_size(const VireoJSON *array);
const VireoJSON *vireo_json_array_get(const VireoJSON *array, guint index);

/* Objects: the value of member @key, or NULL (missing key, @obj NULL or
 * not an object).  Borrowed. */
const VireoJSON *vireo_json_object_get(const VireoJSON *obj, const char *key);
/* Typed member getters, same rules as the scalar getters above. */
const char *vireo_json_object_get_string(const VireoJSON *obj, const char *key);
bool vireo_json_object_get_int64(const VireoJSON *obj, const char *key, gint64 *out);
bool vireo_json_object_get_uint64(const VireoJSON *obj, const char *key, guint64 *out);
bool vireo_json_object_get_double(const VireoJSON *obj, const char *key, double *out);
bool vireo_json_object_get_bool(const VireoJSON *obj, const char *key, bool *out);
/* The member's value when it is an object (resp. array), else NULL. */
const VireoJSON *vireo_json_object_get_object(const VireoJSON *obj, const char *key);
const VireoJSON *vireo_json_object_get_array(const VireoJSON *obj, const char *key);

/* Iterate members in order: size is 0 for a non-object; member returns the
 * value of member @index and sets *@key (both borrowed), or NULL when out
 * of range. */
guint vireo_json_object_size(const VireoJSON *obj);
const VireoJSON *vireo_json_object_member(const VireoJSON *obj, guint index, const char **key);

/* Structural equality (numbers compare by text). */
bool vireo_json_equal(const VireoJSON *a, const VireoJSON *b);

void vireo_json_free(VireoJSON *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoJSON, vireo_json_free)
