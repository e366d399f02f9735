/*
 * tmpl: XHTML templates with an attribute language (namespace
 * urn:rapportageportaal:template, prefix t:), parsed once by libxml2 when a
 * program starts and rendered to HTML5 per request.
 *
 *   t:text="expr"           replace the element's content with the value
 *   t:each="x in expr"      repeat the element for every item of a list
 *   t:if="expr" / t:unless  keep the element only when expr is (not) truthy
 *   t:attr-NAME="expr"      set attribute NAME to the value (omitted when null)
 *   t:msg="key"             replace the content with a catalogue message
 *   t:msg-attr-NAME="key"   set attribute NAME to a catalogue message
 *   t:include="name"        replace the content with template name's root
 *   t:body=""               (layout only) replace the content with the page
 *   t:title="key"           (page root) the message key of the page title,
 *                           available to the layout as the variable page_title
 *   <t:block>               an element that renders only its children
 *
 * Expressions are dotted names: "user", "r.title". Messages may hold {expr}
 * placeholders, filled from the current scope (escaped like text).
 * Truthiness: null, missing, "", 0, false and an empty list are false.
 *
 * Values are always text: the renderer escapes for the place it writes
 * (text node or quoted attribute) and there is no way to emit raw markup.
 * URL attributes (href, src, action, formaction, and the like) set from data
 * accept only http:, https:, mailto: and relative URLs; anything else renders
 * as "#" and is logged. Event handlers (on*), style and srcdoc cannot be set
 * by t:attr- or t:msg-attr- at all: a template that tries does not load.
 */
#ifndef TMPL_H
#define TMPL_H

#include <libpq-fe.h>
#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "i18n.h"

/* ---- values ---- */

struct tvars; /* a scope of named values, allocated in an arena */

/* A new, empty scope. */
struct tvars *tvars_new(struct arena *a);
/* Sets key to a string (copied into the arena); NULL sets null. */
void tvars_str(struct tvars *v, const char *key, const char *value);
void tvars_int(struct tvars *v, const char *key, long long n);
void tvars_bool(struct tvars *v, const char *key, int b);
/* Sets key to a nested scope: "key.field" looks inside it. */
void tvars_obj(struct tvars *v, const char *key, struct tvars *child);
/* Sets key to a list of scopes, for t:each. items is copied. */
void tvars_list(struct tvars *v, const char *key, struct tvars *const *items, size_t n);
/*
 * Sets key to the rows of res, for t:each: "r.col" reads column col of the
 * current row straight from res (no copy); SQL NULL is null and a boolean
 * column is truthy only when true. res must outlive the render.
 */
void tvars_rows(struct tvars *v, const char *key, const PGresult *res);
/* The same for rows first .. first+n-1 only: one result can carry several
 * lists (a "kind" column tells them apart) and each is a range of it. A
 * range outside res sets null. */
void tvars_rows_range(struct tvars *v, const char *key, const PGresult *res, int first, int n);
/* Sets key to row `row` of res, as an object. */
void tvars_row(struct tvars *v, const char *key, const PGresult *res, int row);

/* ---- templates ---- */

struct tmpl_set;

/*
 * Parses every *.xhtml file under dir (subfolders included; the name of
 * "dir/admin/users.xhtml" is "admin/users") and checks the attribute
 * language statically: unknown t: attributes, malformed t:each, includes of
 * unknown templates. Returns 0, or -1 with err naming file and line:
 *   templates/login.xhtml:12: unknown template attribute t:tetx
 */
int tmpl_load(const char *dir, struct tmpl_set **out, char *err, size_t errlen);
void tmpl_free(struct tmpl_set *set);
/* 1 when a template of that name exists. */
int tmpl_exists(const struct tmpl_set *set, const char *name);

/*
 * Renders page inside the template "layout" (the page's root goes where the
 * layout has t:body) as an HTML5 document into out: "<!DOCTYPE html>",
 * void elements without end tags, every other element with one. lang picks
 * the catalogue ("nl" or "en"); the variable lang is set to it.
 * Returns 0, or -1 with err naming template, line and cause (a t:text or
 * t:each on a missing variable, a missing message key); out then holds
 * partial output that the caller discards.
 */
int tmpl_render(const struct tmpl_set *set, const struct msgcat *msgs, const char *lang,
                const char *page, const struct tvars *vars, struct buf *out, char *err,
                size_t errlen);

/* The same without the layout: the named template's root element alone. */
int tmpl_render_fragment(const struct tmpl_set *set, const struct msgcat *msgs, const char *lang,
                         const char *name, const struct tvars *vars, struct buf *out, char *err,
                         size_t errlen);

/* Escapes s for a text node (& < >) or a quoted attribute (& < > " ') and
 * appends it to out. */
void tmpl_escape_text(struct buf *out, const char *s, size_t len);
void tmpl_escape_attr(struct buf *out, const char *s, size_t len);

/* Returns 1 when url may stand in a URL attribute: http:, https:, mailto:
 * (any case) or relative, with no control character or leading space. */
int tmpl_url_safe(const char *url);

#endif
