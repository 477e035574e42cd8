/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_schema: RelaxNG validation of user XML against schemas/<name>.rng.
 *
 * Each schema is parsed once per process and kept in a cache shared by all
 * threads; a compiled schema is only read while validating, so concurrent
 * validations need no lock beyond the one taken to look the schema up.
 *
 * Where the schemas are found, first match wins:
 *   1. $VIREO_SCHEMA_DIR
 *   2. VIREO_SRCDIR "/schemas" (running from the build tree), if it exists
 *   3. VIREO_DATADIR "/schemas" (the installed copy)
 *
 * libxml2 diagnostics never reach stderr: they are collected per call and
 * become the text of the reported error.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

/* The directory schemas are loaded from (see above).  Caller frees. */
char *vireo_schema_dir(void);

/* The schema that validates documents whose root element is @root_name:
 * "domain" -> "domain", "pool" -> "storagepool", "volume" -> "storagevol",
 * "network" -> "network".  NULL for anything else; nothing is reported. */
const char *vireo_schema_name_for_root(const char *root_name);

/* Validate the XML text @xml against schema @schema_name ("domain" for
 * <dir>/domain.rng).  @xml_name names the document in messages ("(domain
 * definition)", a file name); NULL means "(document)".
 *
 * Returns 0 when the document is well formed and valid.  Otherwise returns
 * -1 after reporting exactly one error.  @schema_name NULL picks the schema
 * from the root element (vireo_schema_name_for_root()); an unknown root is
 * reported as VIR_ERR_XML_INVALID_SCHEMA.  Errors:
 *   VIR_ERR_XML_DETAIL          the text is not well-formed XML
 *   VIR_ERR_XML_INVALID_SCHEMA  the document does not match the schema; the
 *                               message is "Unable to validate doc against
 *                               <path>" followed by one line per libxml2
 *                               diagnostic, naming element and line
 *   VIR_ERR_INVALID_ARG         @schema_name is not a plain name
 *   VIR_ERR_OPERATION_FAILED    the schema file is missing or broken
 * Thread-safe. */
int vireo_schema_validate_string(const char *schema_name, const char *xml,
                                 const char *xml_name);

/* Same for an already parsed document (the parsers call this when asked to
 * validate, so the text is parsed only once).  @doc is not modified. */
int vireo_schema_validate_doc(const char *schema_name, xmlDoc *doc,
                              const char *xml_name);

/* Drop every cached schema (tests that switch VIREO_SCHEMA_DIR, and
 * shutdown so leak checkers stay quiet).  Must not race with validation. */
void vireo_schema_cache_clear(void);
