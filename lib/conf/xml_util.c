/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf/xml_util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "util/vireo_error.h"

typedef struct {
    char *message;
    char *context;   /* "<the line>\n-----^" pointing at the error */
    int line;
} XmlFirstError;

/* The line of input holding the parser's position and a "----^" pointer
 * under the column, the way libvirt shows XML errors. */
static char *
xml_util_error_context(xmlParserCtxtPtr ctxt)
{
    const xmlChar *base;
    const xmlChar *cur;
    const xmlChar *start;
    g_autoptr(GString) out = NULL;
    size_t col;

    if (!ctxt->input || !ctxt->input->cur || !ctxt->input->base)
        return NULL;
    base = ctxt->input->base;
    cur = ctxt->input->cur;
    start = cur;
    while (start > base && (*start == '\n' || *start == '\r'))
        start--;
    while (start > base && *start != '\n' && *start != '\r')
        start--;
    if (*start == '\n' || *start == '\r')
        start++;
    col = cur > start ? (size_t)(cur - start) : 0;

    out = g_string_new(NULL);
    for (cur = start; *cur && *cur != '\n' && *cur != '\r'; cur++)
        g_string_append_c(out, *cur);
    g_string_append_c(out, '\n');
    for (; col > 0; col--)
        g_string_append_c(out, '-');
    g_string_append_c(out, '^');
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Keeps only the first error: later ones are usually consequences of it
 * ("Premature end of data" after a tag mismatch). */
static void
xml_util_structured_error(void *data, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = data;
    XmlFirstError *first = ctxt ? ctxt->_private : NULL;

    if (!first || first->message || !err || err->level < XML_ERR_ERROR)
        return;
    first->message = g_strdup(err->message ? err->message : "unknown error");
    g_strchomp(first->message);
    first->line = err->line;
    first->context = xml_util_error_context(ctxt);
}

xmlDocPtr
vireo_xml_parse_string(const char *xml, const char *url, const char *root_name,
                       int error_domain)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    XmlFirstError first = { NULL, NULL, 0 };

    if (!xml) {
        vireo_error_report_full(error_domain, VIR_ERR_INVALID_ARG, __FILE__,
                                __func__, __LINE__, "no XML document was given");
        return NULL;
    }

    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        vireo_error_report_full(error_domain, VIR_ERR_NO_MEMORY, __FILE__,
                                __func__, __LINE__, "cannot create an XML parser");
        return NULL;
    }
    ctxt->_private = &first;
    ctxt->sax->serror = xml_util_structured_error;
    ctxt->sax->error = NULL;
    ctxt->sax->warning = NULL;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;

    doc = xmlCtxtReadMemory(ctxt, xml, strlen(xml), url, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOWARNING |
                            XML_PARSE_NOERROR | XML_PARSE_NOCDATA |
                            XML_PARSE_NOBLANKS);
    if (!doc || first.message || !ctxt->wellFormed) {
        if (first.message)
            vireo_error_report_full(error_domain, VIR_ERR_XML_DETAIL, __FILE__,
                                    __func__, __LINE__, "%s:%d: %s%s%s",
                                    url, first.line, first.message,
                                    first.context ? "\n" : "",
                                    first.context ? first.context : "");
        else
            vireo_error_report_full(error_domain, VIR_ERR_XML_DETAIL, __FILE__,
                                    __func__, __LINE__,
                                    "failed to parse XML document %s", url);
        g_free(first.message);
        g_free(first.context);
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);

    root = xmlDocGetRootElement(doc);
    if (!root) {
        vireo_error_report_full(error_domain, VIR_ERR_XML_ERROR, __FILE__,
                                __func__, __LINE__, "%s: missing root element", url);
        xmlFreeDoc(doc);
        return NULL;
    }
    if (root_name && !vireo_xml_is(root, root_name)) {
        vireo_error_report_full(error_domain, VIR_ERR_XML_ERROR, __FILE__,
                                __func__, __LINE__,
                                "unexpected root element <%s>, expecting <%s>",
                                (const char *)root->name, root_name);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

char *
vireo_xml_prop(xmlNodePtr node, const char *name)
{
    xmlChar *val;
    char *ret;

    if (!node)
        return NULL;
    val = xmlGetNoNsProp(node, (const xmlChar *)name);
    if (!val)
        return NULL;
    ret = g_strdup((const char *)val);
    xmlFree(val);
    return ret;
}

bool
vireo_xml_has_prop(xmlNodePtr node, const char *name)
{
    return node && xmlHasProp(node, (const xmlChar *)name) != NULL;
}

bool
vireo_xml_is(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

xmlNodePtr
vireo_xml_first_elem(xmlNodePtr node)
{
    xmlNodePtr c;

    if (!node)
        return NULL;
    for (c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return c;
    }
    return NULL;
}

xmlNodePtr
vireo_xml_next_elem(xmlNodePtr node)
{
    xmlNodePtr c;

    for (c = node ? node->next : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            return c;
    }
    return NULL;
}

xmlNodePtr
vireo_xml_child(xmlNodePtr node, const char *name)
{
    xmlNodePtr c;

    for (c = vireo_xml_first_elem(node); c; c = vireo_xml_next_elem(c)) {
        if (vireo_xml_is(c, name))
            return c;
    }
    return NULL;
}

char *
vireo_xml_content(xmlNodePtr node)
{
    xmlChar *val;
    char *ret;

    if (!node)
        return NULL;
    val = xmlNodeGetContent(node);
    ret = g_strdup(val ? (const char *)val : "");
    xmlFree(val);
    return ret;
}

char *
vireo_xml_child_content(xmlNodePtr node, const char *name)
{
    return vireo_xml_content(vireo_xml_child(node, name));
}

bool
vireo_xml_str_to_ull(const char *str, int base, unsigned long long *val)
{
    char *end = NULL;
    unsigned long long v;

    if (!str || !*str || *str == '-' || g_ascii_isspace(*str))
        return false;
    errno = 0;
    v = strtoull(str, &end, base);
    if (errno || end == str || *end)
        return false;
    *val = v;
    return true;
}

bool
vireo_xml_str_to_uint(const char *str, int base, unsigned int *val)
{
    unsigned long long v;

    if (!vireo_xml_str_to_ull(str, base, &v) || v > UINT_MAX)
        return false;
    *val = v;
    return true;
}

bool
vireo_xml_str_to_int(const char *str, int base, int *val)
{
    char *end = NULL;
    long long v;

    if (!str || !*str || g_ascii_isspace(*str))
        return false;
    errno = 0;
    v = strtoll(str, &end, base);
    if (errno || end == str || *end || v > INT_MAX || v < INT_MIN)
        return false;
    *val = v;
    return true;
}

int
vireo_xml_enum_from_string(const char *const *table, const char *str)
{
    int i;

    if (!str)
        return -1;
    for (i = 0; table[i]; i++) {
        if (strcmp(table[i], str) == 0)
            return i;
    }
    return -1;
}

char *
vireo_xml_node_to_string(xmlNodePtr node)
{
    xmlBufferPtr xbuf = xmlBufferCreate();
    char *ret;

    if (xmlNodeDump(xbuf, node->doc, node, 0, 0) < 0) {
        xmlBufferFree(xbuf);
        return g_strdup("");
    }
    ret = g_strndup((const char *)xmlBufferContent(xbuf), xmlBufferLength(xbuf));
    xmlBufferFree(xbuf);
    return ret;
}

/* ---- writer ---------------------------------------------------------- */

void
vireo_xml_buf_init(VireoXmlBuf *buf)
{
    buf->str = g_string_new(NULL);
    buf->indent = 0;
}

char *
vireo_xml_buf_steal(VireoXmlBuf *buf)
{
    char *ret = g_string_free(buf->str, FALSE);

    buf->str = NULL;
    buf->indent = 0;
    return ret;
}

void
vireo_xml_buf_clear(VireoXmlBuf *buf)
{
    if (buf->str)
        g_string_free(buf->str, TRUE);
    buf->str = NULL;
    buf->indent = 0;
}

void
vireo_xml_buf_adjust_indent(VireoXmlBuf *buf, int delta)
{
    buf->indent += delta;
    if (buf->indent < 0)
        buf->indent = 0;
}

static void
xml_buf_append_indented(VireoXmlBuf *buf, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

        if ((buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n') &&
            !(len == 1 && *p == '\n'))
            g_string_append_printf(buf->str, "%*s", buf->indent, "");
        g_string_append_len(buf->str, p, len);
        p += len;
    }
}

void
vireo_xml_buf_add(VireoXmlBuf *buf, const char *text)
{
    if (text)
        xml_buf_append_indented(buf, text);
}

void
vireo_xml_buf_printf(VireoXmlBuf *buf, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xml_buf_append_indented(buf, text);
}

void
vireo_xml_escape_append(GString *out, const char *str)
{
    for (const char *p = str; p && *p; p++) {
        switch (*p) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        case '\'': g_string_append(out, "&apos;"); break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                break;
            g_string_append_c(out, *p);
        }
    }
}

void
vireo_xml_append_text_element(GString *out, int indent, const char *name, const char *text)
{
    g_string_append_printf(out, "%*s<%s>", indent, "", name);
    vireo_xml_escape_append(out, text);
    g_string_append_printf(out, "</%s>\n", name);
}

void
vireo_xml_buf_add_escaped(VireoXmlBuf *buf, const char *str)
{
    g_autoptr(GString) out = NULL;

    if (!str)
        return;
    out = g_string_sized_new(strlen(str) + 8);
    vireo_xml_escape_append(out, str);
    /* escaped text may hold newlines (descriptions): never re-indent them */
    if (buf->str->len == 0 || buf->str->str[buf->str->len - 1] == '\n')
        g_string_append_printf(buf->str, "%*s", buf->indent, "");
    g_string_append_len(buf->str, out->str, out->len);
}

void
vireo_xml_buf_attr(VireoXmlBuf *buf, const char *name, const char *value)
{
    if (!value)
        return;
    vireo_xml_buf_printf(buf, " %s='", name);
    vireo_xml_buf_add_escaped(buf, value);
    g_string_append_c(buf->str, '\'');
}

void
vireo_xml_buf_element(VireoXmlBuf *buf, const char *name, const char *value)
{
    if (!value)
        return;
    vireo_xml_buf_printf(buf, "<%s>", name);
    vireo_xml_buf_add_escaped(buf, value);
    g_string_append_printf(buf->str, "</%s>\n", name);
}
