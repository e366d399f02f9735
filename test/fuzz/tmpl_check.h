/*
 * tmpl_check.h: what fuzz_tmpl and fuzz_tmpl_load share. A model of the
 * variables some templates read (every expression of t:text, t:attr-*,
 * t:if, t:unless, t:each and message placeholders, found by reading the
 * XHTML with libxml2 here), twin scopes built from it (the fuzz input's
 * values in one, the same shape with every non-empty string "x" in the
 * other), and the check of two renders: the same tags and attributes in
 * the same order, so no value made markup; every '&' an entity; a URL
 * attribute that data changed has no scheme but http, https or mailto.
 */
#ifndef TMPL_CHECK_H
#define TMPL_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "tmpl.h"
#include "url_scheme.h"

#define TC_NS "urn:rapportageportaal:template"

static inline void tc_fail(const char *what, const char *detail)
{
	fprintf(stderr, "tmpl invariant broken: %s\n", what);
	if (detail != NULL)
		fprintf(stderr, "---\n%s\n---\n", detail);
	abort();
}

/* ---- the model ---- */

struct tc_use {
	char *path;  /* "r.title" */
	int textual; /* used as text (not only as a condition) */
	char *var;   /* for t:each: the item variable ("r"), else NULL */
};

struct tc_model {
	struct tc_use *v;
	size_t n, cap;
};

static inline void tc_add(struct tc_model *m, const char *path, size_t len, int textual,
                          const char *var)
{
	for (size_t i = 0; i < m->n; i++) {
		if (strlen(m->v[i].path) == len && strncmp(m->v[i].path, path, len) == 0 &&
		    (var == NULL) == (m->v[i].var == NULL) &&
		    (var == NULL || strcmp(var, m->v[i].var) == 0)) {
			m->v[i].textual |= textual;
			return;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = realloc(m->v, m->cap * sizeof *m->v);
		if (m->v == NULL)
			abort();
	}
	struct tc_use *u = &m->v[m->n++];
	u->path = strndup(path, len);
	u->textual = textual;
	u->var = var ? strdup(var) : NULL;
}

static inline void tc_model_free(struct tc_model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].var);
	}
	free(m->v);
	memset(m, 0, sizeof *m);
}

static inline int tc_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* A dotted name, blanks around it dropped; anything else is ignored (the
 * template then fails to load, which is fine). */
static inline void tc_add_expr(struct tc_model *m, const char *s, int textual, const char *var)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	size_t n = 0;
	while (tc_ident(s[n]))
		n++;
	if (n > 0 && n < 200)
		tc_add(m, s, n, textual, var);
}

/* The {a.b} placeholders of message text. */
static inline void tc_add_placeholders(struct tc_model *m, const char *text)
{
	for (const char *p = strchr(text, '{'); p != NULL; p = strchr(p + 1, '{')) {
		size_t n = 0;
		while (tc_ident(p[1 + n]))
			n++;
		if (n > 0 && p[1 + n] == '}')
			tc_add(m, p + 1, n, 1, NULL);
	}
}

static inline void tc_walk(struct tc_model *m, xmlNode *x)
{
	for (; x != NULL; x = x->next) {
		if (x->type != XML_ELEMENT_NODE)
			continue;
		for (xmlAttr *a = x->properties; a != NULL; a = a->next) {
			if (a->ns == NULL || a->ns->href == NULL ||
			    strcmp((const char *)a->ns->href, TC_NS) != 0)
				continue;
			xmlChar *v = xmlNodeGetContent((xmlNode *)a);
			const char *s = v ? (const char *)v : "";
			const char *n = (const char *)a->name;
			if (strcmp(n, "text") == 0 || strncmp(n, "attr-", 5) == 0) {
				tc_add_expr(m, s, 1, NULL);
			} else if (strcmp(n, "if") == 0 || strcmp(n, "unless") == 0) {
				tc_add_expr(m, s, 0, NULL);
			} else if (strcmp(n, "each") == 0) {
				/* "x in expr" */
				const char *p = s + strspn(s, " \t\n");
				size_t vl = 0;
				while (tc_ident(p[vl]) && p[vl] != '.')
					vl++;
				const char *in = strstr(p + vl, " in");
				if (vl > 0 && vl < 64 && in != NULL) {
					char var[64];
					memcpy(var, p, vl);
					var[vl] = '\0';
					tc_add_expr(m, in + 3, 0, var);
				}
			}
			xmlFree(v);
		}
		tc_walk(m, x->children);
	}
}

/* Adds the expressions of one template's text. */
static inline void tc_model_read(struct tc_model *m, const char *xml, size_t len)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "t.xhtml", NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	                                XML_PARSE_NOWARNING);
	if (doc == NULL)
		return;
	tc_walk(m, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
}

/* ---- the twin scopes ---- */

/* Decisions come from the shape bytes, a few bits at a time, round and
 * round; values from the pool in turn. */
struct tc_input {
	const uint8_t *shape;
	size_t nshape, bit;
	const char **vals;
	size_t nvals, next;
	PGresult **res; /* to PQclear after the render */
	size_t nres, capres;
};

static inline unsigned tc_bits(struct tc_input *in, int k)
{
	unsigned v = 0;
	for (int i = 0; i < k; i++) {
		size_t b = in->bit++ % (in->nshape * 8 + 1);
		unsigned bit = b < in->nshape * 8 ? (in->shape[b / 8] >> (b % 8)) & 1 : 0;
		v = v << 1 | bit;
	}
	return v;
}

static inline const char *tc_value(struct tc_input *in)
{
	if (in->nvals == 0)
		return "";
	return in->vals[in->next++ % in->nvals];
}

/* The benign twin of a string value. */
static inline const char *tc_benign(const char *s)
{
	return s[0] == '\0' ? "" : "x";
}

static inline PGresult *tc_result(struct tc_input *in)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (r == NULL)
		abort();
	if (in->nres == in->capres) {
		in->capres = in->capres ? in->capres * 2 : 16;
		in->res = realloc(in->res, in->capres * sizeof *in->res);
		if (in->res == NULL)
			abort();
	}
	in->res[in->nres++] = r;
	return r;
}

static inline void tc_clear(struct tc_input *in)
{
	for (size_t i = 0; i < in->nres; i++)
		PQclear(in->res[i]);
	free(in->res);
	in->res = NULL;
	in->nres = in->capres = 0;
}

/* A leaf: tagged by its first byte, \x01 true, \x02 false, \x03 null,
 * \x04 a number; else the string. A name used as text takes no boolean
 * (a render error, not what this looks for): it gets the rest as text. */
static inline void tc_leaf(struct tc_input *in, struct tvars *a, struct tvars *b, const char *key,
                           int textual)
{
	const char *v = tc_value(in);
	while (textual && (v[0] == 1 || v[0] == 2))
		v++;
	switch (v[0]) {
	case 1:
	case 2:
		tvars_bool(a, key, v[0] == 1);
		tvars_bool(b, key, v[0] == 1);
		break;
	case 3:
		tvars_str(a, key, NULL);
		tvars_str(b, key, NULL);
		break;
	case 4:
		tvars_int(a, key, atoll(v + 1));
		tvars_int(b, key, atoll(v + 1));
		break;
	default:
		tvars_str(a, key, v);
		tvars_str(b, key, tc_benign(v));
	}
}

/* The model as a tree, built once: a node per dotted name, with its fields
 * and, for a t:each list, the fields of its items (those of every item
 * variable over it, merged by name). */
struct tc_node {
	char *name;
	int textual;
	struct tc_node **kids;
	size_t nkids;
	int is_list;
	const char *vars[8];
	size_t nvars;
	struct tc_node **items;
	size_t nitems;
};

static inline struct tc_node *tc_kid(struct tc_node *n, const char *name, size_t len, int make)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i]->name) == len && strncmp(n->kids[i]->name, name, len) == 0)
			return n->kids[i];
	if (!make)
		return NULL;
	struct tc_node *k = calloc(1, sizeof *k);
	n->kids = realloc(n->kids, (n->nkids + 1) * sizeof *n->kids);
	if (k == NULL || n->kids == NULL)
		abort();
	k->name = strndup(name, len);
	n->kids[n->nkids++] = k;
	return k;
}

static inline void tc_add_item(struct tc_node *list, struct tc_node *field)
{
	for (size_t i = 0; i < list->nitems; i++)
		if (strcmp(list->items[i]->name, field->name) == 0)
			return;
	list->items = realloc(list->items, (list->nitems + 1) * sizeof *list->items);
	if (list->items == NULL)
		abort();
	list->items[list->nitems++] = field;
}

static inline void tc_link_lists(struct tc_node *root, struct tc_node *n)
{
	for (size_t v = 0; v < n->nvars; v++) {
		struct tc_node *var = tc_kid(root, n->vars[v], strlen(n->vars[v]), 0);
		for (size_t i = 0; var != NULL && i < var->nkids; i++)
			tc_add_item(n, var->kids[i]);
	}
	for (size_t i = 0; i < n->nkids; i++)
		tc_link_lists(root, n->kids[i]);
}

/* The tree of m; the names it points to stay m's. */
static inline struct tc_node *tc_tree(const struct tc_model *m)
{
	struct tc_node *root = calloc(1, sizeof *root);
	if (root == NULL)
		abort();
	for (size_t i = 0; i < m->n; i++) {
		struct tc_node *n = root;
		for (const char *p = m->v[i].path; *p;) {
			size_t l = strcspn(p, ".");
			if (l > 0)
				n = tc_kid(n, p, l, 1);
			p += l + (p[l] == '.');
		}
		if (n == root)
			continue;
		n->textual |= m->v[i].textual;
		if (m->v[i].var != NULL) {
			n->is_list = 1;
			if (n->nvars < 8)
				n->vars[n->nvars++] = m->v[i].var;
		}
	}
	tc_link_lists(root, root);
	return root;
}

enum { TC_MAX_DEPTH = 4, TC_MAX_COLS = 64 };

static inline void tc_value_of(struct tc_input *in, struct arena *ar, struct tvars *a,
                               struct tvars *b, const struct tc_node *n, int depth);

/* An object scope pair with the given fields. */
static inline void tc_object(struct tc_input *in, struct arena *ar, struct tvars **oa,
                             struct tvars **ob, struct tc_node *const *fields, size_t nf, int depth)
{
	*oa = tvars_new(ar);
	*ob = tvars_new(ar);
	for (size_t i = 0; i < nf; i++)
		tc_value_of(in, ar, *oa, *ob, fields[i], depth + 1);
}

/* A PGresult pair with the given fields as columns: text, bool or int8,
 * values from the pool (\x03 is NULL). */
static inline void tc_rows(struct tc_input *in, struct tc_node *const *fields, size_t nf, int nrows,
                           PGresult **ra, PGresult **rb)
{
	PGresAttDesc att[TC_MAX_COLS];
	static const Oid types[] = { 25, 25, 16, 20 };
	size_t nc = nf < TC_MAX_COLS ? nf : TC_MAX_COLS;
	for (size_t c = 0; c < nc; c++) {
		memset(&att[c], 0, sizeof att[c]);
		att[c].name = fields[c]->name;
		att[c].typid = types[tc_bits(in, 2)];
		if (att[c].typid == 16 && fields[c]->textual)
			att[c].typid = 25;
		att[c].typlen = -1;
		att[c].atttypmod = -1;
	}
	*ra = tc_result(in);
	*rb = tc_result(in);
	if (nc > 0 &&
	    (!PQsetResultAttrs(*ra, (int)nc, att) || !PQsetResultAttrs(*rb, (int)nc, att)))
		abort();
	for (int r = 0; nc > 0 && r < nrows; r++) {
		for (size_t c = 0; c < nc; c++) {
			const char *v = tc_value(in), *w;
			int lv = (int)strlen(v), lw;
			if (v[0] == 3) {
				w = v;
				lv = lw = -1;
			} else if (att[c].typid == 16) {
				v = w = (v[0] == 1 || (v[0] != 2 && lv > 0)) ? "t" : "f";
				lv = lw = 1;
			} else if (att[c].typid == 20) {
				size_t d = strspn(v, "0123456789");
				if (d == 0 || d > 18) {
					v = "0";
					d = 1;
				}
				w = v;
				lv = lw = (int)d;
			} else {
				w = tc_benign(v);
				lw = (int)strlen(w);
			}
			if (!PQsetvalue(*ra, r, (int)c, (char *)v, lv) ||
			    !PQsetvalue(*rb, r, (int)c, (char *)w, lw))
				abort();
		}
	}
}

/* Sets n's name in a and b to a value of its shape: a list (of scopes or of
 * rows), an object (a scope or a row) or a leaf. */
static inline void tc_value_of(struct tc_input *in, struct arena *ar, struct tvars *a,
                               struct tvars *b, const struct tc_node *n, int depth)
{
	const char *key = n->name;
	if (n->is_list && depth < TC_MAX_DEPTH) {
		int k = (int)tc_bits(in, 2);
		if (tc_bits(in, 1)) {
			PGresult *ra, *rb;
			tc_rows(in, n->items, n->nitems, k, &ra, &rb);
			if (k >= 2 && tc_bits(in, 1)) {
				tvars_rows_range(a, key, ra, 1, k - 1);
				tvars_rows_range(b, key, rb, 1, k - 1);
			} else {
				tvars_rows(a, key, ra);
				tvars_rows(b, key, rb);
			}
			return;
		}
		struct tvars *ia[3], *ib[3];
		k = k < 3 ? k : 3;
		for (int i = 0; i < k; i++)
			tc_object(in, ar, &ia[i], &ib[i], n->items, n->nitems, depth);
		tvars_list(a, key, ia, (size_t)k);
		tvars_list(b, key, ib, (size_t)k);
		return;
	}
	/* A name used as text and with fields: the shape decides. */
	if (n->nkids > 0 && depth < TC_MAX_DEPTH && (!n->textual || tc_bits(in, 1))) {
		if (tc_bits(in, 2) == 0) {
			PGresult *ra, *rb;
			tc_rows(in, n->kids, n->nkids, 2, &ra, &rb);
			int row = (int)tc_bits(in, 1);
			tvars_row(a, key, ra, row);
			tvars_row(b, key, rb, row);
			return;
		}
		struct tvars *oa, *ob;
		tc_object(in, ar, &oa, &ob, n->kids, n->nkids, depth);
		tvars_obj(a, key, oa);
		tvars_obj(b, key, ob);
		return;
	}
	tc_leaf(in, a, b, key, n->textual);
}

/* The two top scopes, one value for every first segment of the model. */
static inline void tc_scopes(const struct tc_node *root, struct tc_input *in, struct arena *ar,
                             struct tvars **a, struct tvars **b)
{
	*a = tvars_new(ar);
	*b = tvars_new(ar);
	for (size_t i = 0; i < root->nkids; i++) {
		/* Bound by the renderer itself. */
		const char *name = root->kids[i]->name;
		if (strcmp(name, "lang") != 0 && strcmp(name, "page_title") != 0)
			tc_value_of(in, ar, *a, *b, root->kids[i], 0);
	}
}

static inline void tc_tree_free(struct tc_node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		tc_tree_free(n->kids[i]);
	free(n->kids);
	free(n->items);
	free(n->name);
	free(n);
}

/* ---- the check of the output ---- */

struct tc_tok {
	const char *s;
	size_t n;
	int kind; /* 0 tag, 1 end tag, 2 attribute name, 3 attribute value (as written) */
};

struct tc_toks {
	struct tc_tok *v;
	size_t n, cap;
};

static inline void tc_push(struct tc_toks *t, const char *s, size_t n, int kind)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = realloc(t->v, t->cap * sizeof *t->v);
		if (t->v == NULL)
			abort();
	}
	t->v[t->n++] = (struct tc_tok){ s, n, kind };
}

static inline int tc_name_char(unsigned char c)
{
	return c > ' ' && c != '<' && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' &&
	       c != '&' && c != 0x7f;
}

/* The five entities the escapers write; every '&' must start one. */
static inline size_t tc_entity(const char *p)
{
	static const char *const e[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	for (size_t i = 0; i < 5; i++)
		if (strncmp(p, e[i], strlen(e[i])) == 0)
			return strlen(e[i]);
	return 0;
}

/* Splits HTML5 as the renderer writes it: <!DOCTYPE html>, <name
 * attr="value" ...>, </name>, and text without '<' or '>'. Returns NULL or
 * what is wrong. */
static inline const char *tc_tokenize(const char *h, struct tc_toks *t)
{
	const char *p = h;
	while (*p) {
		if (*p == '>')
			return "a '>' in text";
		if (*p == '&') {
			size_t e = tc_entity(p);
			if (e == 0)
				return "a '&' in text that is not an entity";
			p += e;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		p++;
		if (strncmp(p, "!DOCTYPE html>", 14) == 0) {
			p += 14;
			continue;
		}
		int end = *p == '/';
		p += end;
		const char *name = p;
		while (tc_name_char((unsigned char)*p))
			p++;
		if (p == name)
			return "a '<' that starts no tag";
		tc_push(t, name, (size_t)(p - name), end);
		for (;;) {
			if (*p == '>') {
				p++;
				break;
			}
			if (*p != ' ' || end)
				return "a tag that does not go on with ' name=\"value\"' or '>'";
			p++;
			const char *an = p;
			while (tc_name_char((unsigned char)*p))
				p++;
			if (p == an || p[0] != '=' || p[1] != '"')
				return "an attribute without =\"...\"";
			tc_push(t, an, (size_t)(p - an), 2);
			p += 2;
			const char *v = p;
			while (*p && *p != '"') {
				if (*p == '<' || *p == '>')
					return "'<' or '>' in an attribute value";
				if (*p == '&') {
					size_t e = tc_entity(p);
					if (e == 0)
						return "a '&' in an attribute that is not an "
						       "entity";
					p += e;
					continue;
				}
				p++;
			}
			if (*p != '"')
				return "an attribute value that does not end";
			tc_push(t, v, (size_t)(p - v), 3);
			p++;
		}
	}
	return NULL;
}

static inline int tc_url_attr(const char *s, size_t n)
{
	static const char *const v[] = { "href", "src",      "action",     "formaction", "poster",
		                         "cite", "data",     "background", "longdesc",   "manifest",
		                         "icon", "codebase", "xlink:href" };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strlen(v[i]) == n && strncasecmp(s, v[i], n) == 0)
			return 1;
	return 0;
}

/* An attribute value as the browser reads it (the five entities undone),
 * then its scheme as the browser finds it (WHATWG URL: leading C0 controls
 * and spaces stripped, tabs and newlines removed): 1 when it has one that
 * is not http, https or mailto. */
static inline int tc_bad_scheme(const char *s, size_t n)
{
	char plain[4096], scheme[16];
	size_t w = 0;
	for (size_t i = 0; i < n && w + 1 < sizeof plain;) {
		size_t e = s[i] == '&' ? tc_entity(s + i) : 0;
		if (e > 0) {
			plain[w++] = s[i + 1] == 'a'   ? '&'
			             : s[i + 1] == 'l' ? '<'
			             : s[i + 1] == 'g' ? '>'
			             : s[i + 1] == 'q' ? '"'
			                               : '\'';
			i += e;
		} else {
			plain[w++] = s[i++];
		}
	}
	plain[w] = '\0';
	if (!fz_browser_scheme(plain, scheme, sizeof scheme))
		return 0;
	return strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
	       strcmp(scheme, "mailto") != 0;
}

/* The render with the fuzz values (a) against the one with benign values
 * (b): both must tokenize, with the same tags and attribute names in the
 * same order; a URL attribute whose value differs has a safe scheme. */
static inline void tc_compare(const char *a, const char *b)
{
	struct tc_toks ta = { 0 }, tb = { 0 };
	const char *why = tc_tokenize(a, &ta);
	if (why != NULL)
		tc_fail(why, a);
	why = tc_tokenize(b, &tb);
	if (why != NULL)
		tc_fail(why, b);
	if (ta.n != tb.n)
		tc_fail("data changed the number of tags or attributes", a);
	for (size_t i = 0; i < ta.n; i++) {
		const struct tc_tok *x = &ta.v[i], *y = &tb.v[i];
		if (x->kind != y->kind)
			tc_fail("data changed the markup", a);
		if (x->kind != 3 && (x->n != y->n || memcmp(x->s, y->s, x->n) != 0))
			tc_fail("data changed a tag or attribute name", a);
		if (x->kind == 3 && (x->n != y->n || memcmp(x->s, y->s, x->n) != 0) &&
		    tc_url_attr(ta.v[i - 1].s, ta.v[i - 1].n) && tc_bad_scheme(x->s, x->n))
			tc_fail("data put an unsafe URL in a URL attribute", a);
	}
	free(ta.v);
	free(tb.v);
}

/* Two renders of one page, with the fuzz values (a) and the benign ones
 * (b): both must succeed or both fail, and when they do, compare. */
static inline void tc_compare_renders(int ra, const char *ea, const struct buf *oa, int rb,
                                      const char *eb, const struct buf *ob)
{
	if (ra != rb)
		tc_fail("the values, not their shape, decided whether a page renders",
		        ra ? ea : eb);
	if (ra == 0)
		tc_compare(buf_str(oa), buf_str(ob));
}

#endif
