/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml_util: small libxml2 helpers shared by the lib/conf parsers and a
 * GString-based writer that produces libvirt's canonical layout (two-space
 * indentation, single-quoted attributes, libvirt's escaping).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Parse @xml; @url names the document in error messages
 * (e.g. "(domain_definition)").  On a syntax error reports
 * VIR_ERR_XML_DETAIL "<url>:<line>: <libxml2 message>\n<input line>\n---^"
 * for the first error (libvirt's layout, the caret under the column);
 * when @root_name is non-NULL and the root element differs, reports
 * VIR_ERR_XML_ERROR.  Returns the document (caller frees) or NULL.
 * External entities and network access are disabled. */
xmlDocPtr vireo_xml_parse_string(const char *xml, const char *url,
                                 const char *root_name, int error_domain);

/* Attribute @name of @node as a g_malloc'd string, or NULL when absent. */
char *vireo_xml_prop(xmlNodePtr node, const char *name);

/* Whether @node has attribute @name. */
bool vireo_xml_has_prop(xmlNodePtr node, const char *name);

/* First element child of @node called @name, or NULL. */
xmlNodePtr vireo_xml_child(xmlNodePtr node, const char *name);

/* Text content of @node (g_malloc'd), or NULL when @node is NULL. */
char *vireo_xml_content(xmlNodePtr node);

/* Text content of the first child element @name, or NULL. */
char *vireo_xml_child_content(xmlNodePtr node, const char *name);

/* Whether @node is an element called @name. */
bool vireo_xml_is(xmlNodePtr node, const char *name);

/* Iterate element children: for (c = vireo_xml_first_elem(n); c; c = vireo_xml_next_elem(c)) */
xmlNodePtr vireo_xml_first_elem(xmlNodePtr node);
xmlNodePtr vireo_xml_next_elem(xmlNodePtr node);

/* Strict unsigned/signed integer conversion of a whole string (decimal, or
 * hex with 0x when @base is 0).  Return false on garbage or overflow. */
bool vireo_xml_str_to_uint(const char *str, int base, unsigned int *val);
bool vireo_xml_str_to_int(const char *str, int base, int *val);
bool vireo_xml_str_to_ull(const char *str, int base, unsigned long long *val);

/* Index of @str in the NULL-terminated @table, or -1. */
int vireo_xml_enum_from_string(const char *const *table, const char *str);

/* Serialise @node (no formatting) to a new string. */
char *vireo_xml_node_to_string(xmlNodePtr node);

/* ---- writer ---------------------------------------------------------- */

typedef struct {
    GString *str;
    int indent;      /* in spaces */
} VireoXmlBuf;

void vireo_xml_buf_init(VireoXmlBuf *buf);
/* Return the accumulated text (caller frees); the buffer is reset. */
char *vireo_xml_buf_steal(VireoXmlBuf *buf);
void vireo_xml_buf_clear(VireoXmlBuf *buf);
void vireo_xml_buf_adjust_indent(VireoXmlBuf *buf, int delta);

/* Append formatted text; the current indentation is inserted at the start
 * of every line. */
void vireo_xml_buf_printf(VireoXmlBuf *buf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void vireo_xml_buf_add(VireoXmlBuf *buf, const char *text);

/* Append @str escaped for XML (libvirt's rules: & < > ' " as entities,
 * control characters other than tab/newline/CR dropped); NULL adds nothing. */
void vireo_xml_buf_add_escaped(VireoXmlBuf *buf, const char *str);

/* The same escaping onto a plain GString (no indentation handling). */
void vireo_xml_escape_append(GString *out, const char *str);

/* "<name>text</name>\n" at @indent spaces, on a plain GString. */
void vireo_xml_append_text_element(GString *out, int indent, const char *name,
                                   const char *text);

/* Append " name='value'" (escaped) when @value is non-NULL. */
void vireo_xml_buf_attr(VireoXmlBuf *buf, const char *name, const char *value);

/* Append "<name>value</name>\n" (escaped) when @value is non-NULL. */
void vireo_xml_buf_element(VireoXmlBuf *buf, const char *name, const char *value);
