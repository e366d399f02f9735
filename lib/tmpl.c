/*
 * tmpl: parses the XHTML templates once with libxml2, compiles each into a
 * small tree of dynamic nodes (every static run of markup pre-escaped into one
 * literal) and renders that tree to HTML5 per request. See tmpl.h.
 */
#include "tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "log.h"

#define TMPL_NS "urn:rapportageportaal:template"

enum { BOOLOID = 16, INT8OID = 20, INT2OID = 21, INT4OID = 23 };

/* ---- values ---- */

enum tv_kind { TV_NULL, TV_STR, TV_INT, TV_BOOL, TV_OBJ, TV_LIST, TV_ROWS, TV_ROW };

struct tval {
	enum tv_kind kind;
	union {
		struct {
			const char *s; /* NUL-terminated */
			size_t len;
		} str;
		long long i;
		int b;
		const struct tvars *obj;
		struct {
			struct tvars *const *items;
			size_t n;
		} list;
		struct {
			const PGresult *res;
			int row; /* TV_ROW: the row; TV_ROWS: the first row */
			int n;   /* TV_ROWS: how many rows from row on */
		} row;
	} u;
};

struct tvar {
	const char *key;
	struct tval val;
	struct tvar *next;
};

/* Newest first, so setting a key again shadows the old value. */
struct tvars {
	struct arena *a;
	struct tvar *head;
};

struct tvars *tvars_new(struct arena *a)
{
	struct tvars *v = arena_alloc(a, sizeof(*v));
	v->a = a;
	return v;
}

static struct tval *tvars_set(struct tvars *v, const char *key)
{
	struct tvar *e = arena_alloc(v->a, sizeof(*e));
	e->key = arena_strdup(v->a, key);
	e->next = v->head;
	v->head = e;
	return &e->val; /* zero-filled: TV_NULL */
}

void tvars_str(struct tvars *v, const char *key, const char *value)
{
	struct tval *t = tvars_set(v, key);
	if (value != NULL) {
		t->kind = TV_STR;
		t->u.str.len = strlen(value);
		t->u.str.s = arena_strndup(v->a, value, t->u.str.len);
	}
}

void tvars_int(struct tvars *v, const char *key, long long n)
{
	struct tval *t = tvars_set(v, key);
	t->kind = TV_INT;
	t->u.i = n;
}

void tvars_bool(struct tvars *v, const char *key, int b)
{
	struct tval *t = tvars_set(v, key);
	t->kind = TV_BOOL;
	t->u.b = b != 0;
}

void tvars_obj(struct tvars *v, const char *key, struct tvars *child)
{
	struct tval *t = tvars_set(v, key);
	if (child != NULL) {
		t->kind = TV_OBJ;
		t->u.obj = child;
	}
}

void tvars_list(struct tvars *v, const char *key, struct tvars *const *items, size_t n)
{
	struct tval *t = tvars_set(v, key);
	t->kind = TV_LIST;
	t->u.list.n = n;
	if (n > 0) {
		/* An array of pointers: each item is a scope the caller built. */
		const size_t size = n * sizeof(struct tvars *);
		struct tvars **copy = arena_alloc(v->a, size);
		memcpy(copy, items, size);
		t->u.list.items = copy;
	}
}

void tvars_rows(struct tvars *v, const char *key, const PGresult *res)
{
	tvars_rows_range(v, key, res, 0, res ? PQntuples(res) : 0);
}

void tvars_rows_range(struct tvars *v, const char *key, const PGresult *res, int first, int n)
{
	struct tval *t = tvars_set(v, key);
	if (res != NULL && first >= 0 && n >= 0 && first + n <= PQntuples(res)) {
		t->kind = TV_ROWS;
		t->u.row.res = res;
		t->u.row.row = first;
		t->u.row.n = n;
	}
}

void tvars_row(struct tvars *v, const char *key, const PGresult *res, int row)
{
	struct tval *t = tvars_set(v, key);
	if (res != NULL && row >= 0 && row < PQntuples(res)) {
		t->kind = TV_ROW;
		t->u.row.res = res;
		t->u.row.row = row;
	}
}

/* Keys are compared first by their first character: most differ there. */
static int same_key(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

static const struct tval *tvars_find(const struct tvars *v, const char *key)
{
	for (const struct tvar *e = v ? v->head : NULL; e != NULL; e = e->next)
		if (same_key(e->key, key))
			return &e->val;
	return NULL;
}

/*
 * The index of the column called name in res. *hint (when not NULL) is where an
 * expression found its column last time: each template expression reads
 * the same statement's results, so one comparison usually confirms it.
 * PQfnumber, which copies and case-folds the name and then compares it with
 * every column, is the fallback.
 */
static int column_of(const PGresult *res, const char *name, int *hint)
{
	if (hint != NULL && *hint >= 0 && *hint < PQnfields(res) &&
	    strcmp(PQfname(res, *hint), name) == 0)
		return *hint;
	int c = PQfnumber(res, name);
	if (hint != NULL && c >= 0)
		*hint = c;
	return c;
}

/* One column of a result row as a value, read in place. */
static int row_cell(const PGresult *res, int row, const char *col, int *hint, struct tval *out)
{
	int c = column_of(res, col, hint);
	if (c < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	if (PQgetisnull(res, row, c))
		return 0;
	const char *s = PQgetvalue(res, row, c);
	switch (PQftype(res, c)) {
	case BOOLOID:
		out->kind = TV_BOOL;
		out->u.b = s[0] == 't';
		break;
	case INT2OID:
	case INT4OID:
	case INT8OID:
		/* As numbers, so that a count of 0 is false in t:if. */
		out->kind = TV_INT;
		out->u.i = strtoll(s, NULL, 10);
		break;
	default:
		out->kind = TV_STR;
		out->u.str.s = s;
		out->u.str.len = (size_t)PQgetlength(res, row, c);
		break;
	}
	return 0;
}

/* ---- compiled templates ---- */

/* A dotted name split once at load: "r.title" is {"r", "title"}. cols[i]
 * is the column segs[i] was last found at when it named a result column
 * (-1 before): written while rendering, in the template set's arena. */
struct expr {
	const char *src;
	const char *const *segs;
	int *cols;
	unsigned n;
};

enum piece_kind { P_LIT, P_DATA, P_MSG };

/* Part of a start tag: literal markup, or one attribute set at render. */
struct piece {
	enum piece_kind kind;
	int url;       /* the attribute holds a URL */
	const char *s; /* P_LIT: markup; else ' name="' */
	size_t len;
	const char *name; /* attribute name */
	struct expr e;    /* P_DATA */
	const char *key;  /* P_MSG */
};

enum content { C_KIDS, C_TEXT, C_MSG, C_INCLUDE, C_BODY };

struct tmpl;

/* A literal run of output (elem == 0), or an element with directives. */
struct node {
	int elem;
	int line;
	const char *lit;
	size_t lit_len;
	const struct expr *each;
	const char *each_var;
	const struct expr *if_e, *unless_e;
	const struct piece *head;
	size_t nhead;
	const char *close;
	size_t close_len;
	enum content content;
	struct expr text;
	const char *msg;
	const char *incl_name;
	const struct tmpl *incl;
	const struct node *kids;
	size_t nkids;
};

struct tmpl {
	const char *name; /* "admin/users" */
	const char *path; /* "templates/admin/users.xhtml" */
	const char *title_key;
	int title_line;
	const struct node *nodes;
	size_t n;
	int visit; /* include cycle check: 0 new, 1 on the path, 2 done */
};

struct tmpl_set {
	struct arena arena;
	struct tmpl *v; /* sorted by name */
	size_t n;
};

/* ---- escaping and URLs ---- */

/*
 * Nonzero when a byte of w equals ch (SWAR: no false negatives; a false
 * positive only sends that word through the byte loop). Most of what a page
 * escapes is plain text: callgrind counted the byte-at-a-time escapers as
 * 11 % of a list page in the pool.
 */
static inline uint64_t word_has(uint64_t w, unsigned char ch)
{
	const uint64_t ones = 0x0101010101010101u;
	uint64_t y = w ^ (ones * ch);
	return (y - ones) & ~y & (ones << 7);
}

/* The replacement of s[i] in text (attr: in a quoted attribute), or NULL. */
static const char *escape_of(char ch, int attr)
{
	switch (ch) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return attr ? "&quot;" : NULL;
	case '\'':
		return attr ? "&#39;" : NULL;
	default:
		return NULL;
	}
}

static void escape(struct buf *out, const char *s, size_t len, int attr)
{
	size_t start = 0, i = 0;
	while (i < len) {
		if (len - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			uint64_t hit = word_has(w, '&') | word_has(w, '<') | word_has(w, '>');
			if (attr)
				hit |= word_has(w, '"') | word_has(w, '\'');
			if (hit == 0) {
				i += 8;
				continue;
			}
		}
		const char *rep = escape_of(s[i], attr);
		if (rep != NULL) {
			if (i > start)
				buf_append(out, s + start, i - start);
			buf_puts(out, rep);
			start = i + 1;
		}
		i++;
	}
	if (len > start)
		buf_append(out, s + start, len - start);
}

void tmpl_escape_text(struct buf *out, const char *s, size_t len)
{
	escape(out, s, len, 0);
}

void tmpl_escape_attr(struct buf *out, const char *s, size_t len)
{
	escape(out, s, len, 1);
}

static int ascii_casecmp_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (x != y)
			return 1;
	}
	return 0;
}

/*
 * Browsers strip leading spaces and control characters before they look for
 * a scheme ("\x01javascript:" runs script), so any of them makes a URL
 * unsafe rather than being trimmed here.
 */
static int url_safe_n(const char *u, size_t len)
{
	if (len > 0 && u[0] == ' ')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	for (size_t i = 0; i < len; i++) {
		char c = u[i];
		if (c == '/' || c == '?' || c == '#')
			return 1;
		if (c == ':') {
			return (i == 4 && ascii_casecmp_n(u, "http", 4) == 0) ||
			       (i == 5 && ascii_casecmp_n(u, "https", 5) == 0) ||
			       (i == 6 && ascii_casecmp_n(u, "mailto", 6) == 0);
		}
	}
	return 1;
}

int tmpl_url_safe(const char *url)
{
	return url != NULL && url_safe_n(url, strlen(url));
}

/* ---- loading ---- */

struct cctx {
	struct arena *a;
	struct tmpl *t;
	xmlNode *root;
	char *err;
	size_t errlen;
};

struct nlist {
	struct node *v;
	size_t n, cap;
};

static int cfail(struct cctx *cc, const xmlNode *x, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cfail(struct cctx *cc, const xmlNode *x, const char *fmt, ...)
{
	int n = snprintf(cc->err, cc->errlen, "%s:%ld: ", cc->t->path, xmlGetLineNo(x));
	if (n >= 0 && (size_t)n < cc->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(cc->err + n, cc->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static struct node *nlist_push(struct arena *a, struct nlist *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct node *v = arena_alloc(a, cap * sizeof(*v));
		if (l->n > 0)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	struct node *nd = &l->v[l->n++];
	memset(nd, 0, sizeof(*nd));
	return nd;
}

static void flush_lit(struct cctx *cc, struct buf *lit, struct nlist *out)
{
	if (lit->len == 0)
		return;
	struct node *nd = nlist_push(cc->a, out);
	nd->lit = arena_strndup(cc->a, lit->data, lit->len);
	nd->lit_len = lit->len;
	buf_reset(lit);
}

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* Splits "a.b.c" into segments. Returns 0, or -1 when it is not a dotted name. */
static int parse_expr(struct arena *a, const char *s, struct expr *e)
{
	size_t len = strlen(s);
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (len == 0)
		return -1;
	unsigned n = 1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.')
			n++;
		else if (!is_ident_char(s[i]))
			return -1;
	}
	const char **segs = arena_alloc(a, n * sizeof(*segs));
	int *cols = arena_alloc(a, n * sizeof(*cols));
	for (unsigned i = 0; i < n; i++)
		cols[i] = -1;
	size_t start = 0;
	unsigned k = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (i == start)
				return -1;
			segs[k++] = arena_strndup(a, s + start, i - start);
			start = i + 1;
		}
	}
	e->src = arena_strndup(a, s, len);
	e->segs = segs;
	e->cols = cols;
	e->n = n;
	return 0;
}

static int is_void(const char *name)
{
	static const char *const v[] = { "area",  "base", "br",   "col",    "embed", "hr", "img",
		                         "input", "link", "meta", "source", "track", "wbr" };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

static int is_url_attr(const char *name)
{
	static const char *const v[] = { "href", "src",      "action",     "formaction", "poster",
		                         "cite", "data",     "background", "longdesc",   "manifest",
		                         "icon", "codebase", "xlink:href" };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (ascii_casecmp_n(name, v[i], strlen(v[i]) + 1) == 0)
			return 1;
	return 0;
}

static int valid_attr_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_ident_char(*s) && *s != ':')
			return 0;
	return 1;
}

static int in_tmpl_ns(const xmlNs *ns)
{
	return ns != NULL && ns->href != NULL && strcmp((const char *)ns->href, TMPL_NS) == 0;
}

/* The name an element or attribute is written with: "prefix:local" outside
 * the default namespace. */
static const char *out_name(struct arena *a, const xmlNs *ns, const xmlChar *name)
{
	if (ns != NULL && ns->prefix != NULL)
		return arena_printf(a, "%s:%s", (const char *)ns->prefix, (const char *)name);
	return arena_strdup(a, (const char *)name);
}

static int has_content(const xmlNode *x)
{
	for (const xmlNode *k = x->children; k != NULL; k = k->next) {
		if (k->type == XML_ELEMENT_NODE || k->type == XML_ENTITY_REF_NODE)
			return 1;
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) &&
		    k->content != NULL && k->content[0] != '\0')
			return 1;
	}
	return 0;
}

/* The directives found on one element. */
struct directives {
	const char *each, *if_e, *unless_e, *text, *msg, *include, *title;
	int body;
	int ncontent;
	size_t ndyn;
	const char **dyn_names; /* attribute names set by t:attr-/t:msg-attr- */
};

static int compile_children(struct cctx *cc, xmlNode *first, struct buf *lit, struct nlist *out);

static char *attr_value(struct cctx *cc, xmlAttr *p)
{
	xmlChar *v = xmlNodeGetContent((xmlNode *)p);
	char *s = arena_strdup(cc->a, v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

static int collect_directives(struct cctx *cc, xmlNode *x, size_t nprops, struct directives *d)
{
	memset(d, 0, sizeof(*d));
	d->dyn_names = arena_alloc(cc->a, (nprops + 1) * sizeof(*d->dyn_names));
	for (xmlAttr *p = x->properties; p != NULL; p = p->next) {
		if (!in_tmpl_ns(p->ns))
			continue;
		const char *n = (const char *)p->name;
		const char *dyn = NULL;
		if (strcmp(n, "each") == 0) {
			d->each = attr_value(cc, p);
		} else if (strcmp(n, "if") == 0) {
			d->if_e = attr_value(cc, p);
		} else if (strcmp(n, "unless") == 0) {
			d->unless_e = attr_value(cc, p);
		} else if (strcmp(n, "text") == 0) {
			d->text = attr_value(cc, p);
			d->ncontent++;
		} else if (strcmp(n, "msg") == 0) {
			d->msg = attr_value(cc, p);
			d->ncontent++;
		} else if (strcmp(n, "include") == 0) {
			d->include = attr_value(cc, p);
			d->ncontent++;
		} else if (strcmp(n, "body") == 0) {
			d->body = 1;
			d->ncontent++;
		} else if (strcmp(n, "title") == 0) {
			d->title = attr_value(cc, p);
		} else if (strncmp(n, "attr-", 5) == 0) {
			dyn = n + 5;
		} else if (strncmp(n, "msg-attr-", 9) == 0) {
			dyn = n + 9;
		} else {
			return cfail(cc, x, "unknown template attribute t:%s", n);
		}
		if (dyn == NULL)
			continue;
		if (!valid_attr_name(dyn))
			return cfail(cc, x, "bad attribute name in t:%s", n);
		/* Escaping cannot make data safe inside script, so no handler from
		 * data; nor inside CSS (style) or a document of its own (srcdoc,
		 * which the browser parses as HTML). */
		if (ascii_casecmp_n(dyn, "on", 2) == 0)
			return cfail(cc, x, "t:%s: event handler attributes cannot be set", n);
		if ((strlen(dyn) == 5 && ascii_casecmp_n(dyn, "style", 5) == 0) ||
		    (strlen(dyn) == 6 && ascii_casecmp_n(dyn, "srcdoc", 6) == 0))
			return cfail(cc, x, "t:%s: %s cannot be set from data or messages", n, dyn);
		for (size_t i = 0; i < d->ndyn; i++)
			if (strcmp(d->dyn_names[i], dyn) == 0)
				return cfail(cc, x, "attribute %s is set twice", dyn);
		d->dyn_names[d->ndyn++] = dyn;
	}
	if (d->ncontent > 1)
		return cfail(cc, x, "t:text, t:msg, t:include and t:body exclude each other");
	return 0;
}

static int is_dyn_name(const struct directives *d, const char *name)
{
	for (size_t i = 0; i < d->ndyn; i++)
		if (strcmp(d->dyn_names[i], name) == 0)
			return 1;
	return 0;
}

/* Appends ' name="value"' for a literal attribute of the template. */
static void static_attr(xmlAttr *p, const char *name, struct buf *lit)
{
	xmlChar *v = xmlNodeGetContent((xmlNode *)p);
	const char *s = v ? (const char *)v : "";
	buf_putc(lit, ' ');
	buf_puts(lit, name);
	buf_puts(lit, "=\"");
	tmpl_escape_attr(lit, s, strlen(s));
	buf_putc(lit, '"');
	xmlFree(v);
}

/* Ends the literal run of a start tag, before a dynamic attribute or at '>'. */
static void flush_head(struct cctx *cc, struct piece *v, size_t *n, struct buf *hl)
{
	if (hl->len == 0)
		return;
	struct piece *lp = &v[(*n)++];
	lp->kind = P_LIT;
	lp->s = arena_strndup(cc->a, hl->data, hl->len);
	lp->len = hl->len;
	buf_reset(hl);
}

/* Compiles the start tag of a dynamic element into pieces. */
static int compile_head(struct cctx *cc, xmlNode *x, const char *name, size_t nprops,
                        const struct directives *d, struct node *nd)
{
	struct piece *v = arena_alloc(cc->a, (2 * nprops + 2) * sizeof(*v));
	size_t n = 0;
	struct buf hl = { 0 };
	buf_putc(&hl, '<');
	buf_puts(&hl, name);
	for (xmlAttr *p = x->properties; p != NULL; p = p->next) {
		const char *pn = (const char *)p->name;
		if (!in_tmpl_ns(p->ns)) {
			const char *an = out_name(cc->a, p->ns, p->name);
			if (!is_dyn_name(d, an))
				static_attr(p, an, &hl);
			continue;
		}
		int is_msg = strncmp(pn, "msg-attr-", 9) == 0;
		if (!is_msg && strncmp(pn, "attr-", 5) != 0)
			continue;
		const char *an = pn + (is_msg ? 9 : 5);
		flush_head(cc, v, &n, &hl);
		struct piece *pc = &v[n++];
		pc->name = arena_strdup(cc->a, an); /* p->name dies with the document */
		pc->url = is_url_attr(an);
		pc->s = arena_printf(cc->a, " %s=\"", an);
		pc->len = strlen(pc->s);
		char *val = attr_value(cc, p);
		if (is_msg) {
			pc->kind = P_MSG;
			pc->key = val;
			if (val[0] == '\0') {
				buf_free(&hl);
				return cfail(cc, x, "t:%s needs a message key", pn);
			}
		} else {
			pc->kind = P_DATA;
			if (parse_expr(cc->a, val, &pc->e) != 0) {
				buf_free(&hl);
				return cfail(cc, x, "malformed expression \"%s\" in t:%s", val, pn);
			}
		}
	}
	buf_putc(&hl, '>');
	flush_head(cc, v, &n, &hl);
	nd->head = v;
	nd->nhead = n;
	buf_free(&hl);
	return 0;
}

static struct expr *new_expr(struct cctx *cc, xmlNode *x, const char *src, const char *what)
{
	struct expr *e = arena_alloc(cc->a, sizeof(*e));
	if (parse_expr(cc->a, src, e) != 0) {
		cfail(cc, x, "malformed expression \"%s\" in t:%s", src, what);
		return NULL;
	}
	return e;
}

/* "x in expr" */
static int parse_each(struct cctx *cc, xmlNode *x, const char *src, struct node *nd)
{
	const char *p = src;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	const char *var = p;
	while (is_ident_char(*p))
		p++;
	size_t vlen = (size_t)(p - var);
	const char *sp = p;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (vlen == 0 || p == sp || strncmp(p, "in", 2) != 0 ||
	    (p[2] != ' ' && p[2] != '\t' && p[2] != '\n'))
		return cfail(cc, x, "malformed t:each \"%s\" (expected \"name in expr\")", src);
	struct expr *e = arena_alloc(cc->a, sizeof(*e));
	if (parse_expr(cc->a, p + 2, e) != 0)
		return cfail(cc, x, "malformed t:each \"%s\" (expected \"name in expr\")", src);
	nd->each = e;
	nd->each_var = arena_strndup(cc->a, var, vlen);
	return 0;
}

static int compile_element(struct cctx *cc, xmlNode *x, struct buf *lit, struct nlist *out)
{
	int block = 0;
	if (in_tmpl_ns(x->ns)) {
		if (strcmp((const char *)x->name, "block") != 0)
			return cfail(cc, x, "unknown template element <t:%s>", x->name);
		block = 1;
	}
	size_t nprops = 0;
	for (xmlAttr *p = x->properties; p != NULL; p = p->next) {
		if (block && !in_tmpl_ns(p->ns))
			return cfail(cc, x, "<t:block> takes only t: attributes, not %s", p->name);
		nprops++;
	}
	struct directives d;
	if (collect_directives(cc, x, nprops, &d) != 0)
		return -1;
	if (d.title != NULL) {
		if (x != cc->root)
			return cfail(cc, x, "t:title belongs on the root element");
		if (d.title[0] == '\0')
			return cfail(cc, x, "t:title needs a message key");
		cc->t->title_key = d.title;
		cc->t->title_line = (int)xmlGetLineNo(x);
	}
	const char *name = block ? NULL : out_name(cc->a, x->ns, x->name);
	int vd = name != NULL && is_void(name);
	if (vd && (d.ncontent > 0 || has_content(x)))
		return cfail(cc, x, "<%s> is a void element and cannot have content", name);
	int dynamic = d.each || d.if_e || d.unless_e || d.ncontent > 0 || d.ndyn > 0;

	if (!dynamic) {
		/* Folded into the surrounding literal: no node at all at render. */
		if (block)
			return compile_children(cc, x->children, lit, out);
		buf_putc(lit, '<');
		buf_puts(lit, name);
		for (xmlAttr *p = x->properties; p != NULL; p = p->next)
			if (!in_tmpl_ns(p->ns))
				static_attr(p, out_name(cc->a, p->ns, p->name), lit);
		buf_putc(lit, '>');
		if (vd)
			return 0;
		if (compile_children(cc, x->children, lit, out) != 0)
			return -1;
		buf_printf(lit, "</%s>", name);
		return 0;
	}

	flush_lit(cc, lit, out);
	struct node nd;
	memset(&nd, 0, sizeof(nd));
	nd.elem = 1;
	nd.line = (int)xmlGetLineNo(x);
	if (d.each != NULL && parse_each(cc, x, d.each, &nd) != 0)
		return -1;
	if (d.if_e != NULL && (nd.if_e = new_expr(cc, x, d.if_e, "if")) == NULL)
		return -1;
	if (d.unless_e != NULL && (nd.unless_e = new_expr(cc, x, d.unless_e, "unless")) == NULL)
		return -1;
	if (!block) {
		if (compile_head(cc, x, name, nprops, &d, &nd) != 0)
			return -1;
		if (!vd) {
			nd.close = arena_printf(cc->a, "</%s>", name);
			nd.close_len = strlen(nd.close);
		}
	}
	if (d.text != NULL) {
		nd.content = C_TEXT;
		if (parse_expr(cc->a, d.text, &nd.text) != 0)
			return cfail(cc, x, "malformed expression \"%s\" in t:text", d.text);
	} else if (d.msg != NULL) {
		nd.content = C_MSG;
		nd.msg = d.msg;
		if (d.msg[0] == '\0')
			return cfail(cc, x, "t:msg needs a message key");
	} else if (d.include != NULL) {
		nd.content = C_INCLUDE;
		nd.incl_name = d.include;
	} else if (d.body) {
		nd.content = C_BODY;
	} else if (!vd) {
		struct nlist kids = { 0 };
		struct buf klit = { 0 };
		int rc = compile_children(cc, x->children, &klit, &kids);
		if (rc == 0)
			flush_lit(cc, &klit, &kids);
		buf_free(&klit);
		if (rc != 0)
			return -1;
		nd.kids = kids.v;
		nd.nkids = kids.n;
	}
	*nlist_push(cc->a, out) = nd;
	return 0;
}

static int compile_children(struct cctx *cc, xmlNode *first, struct buf *lit, struct nlist *out)
{
	for (xmlNode *k = first; k != NULL; k = k->next) {
		switch (k->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (k->content != NULL)
				tmpl_escape_text(lit, (const char *)k->content,
				                 strlen((const char *)k->content));
			break;
		case XML_ELEMENT_NODE:
			if (compile_element(cc, k, lit, out) != 0)
				return -1;
			break;
		case XML_ENTITY_REF_NODE:
			return cfail(cc, k, "entity &%s; is not allowed (write the character)",
			             k->name);
		default:
			/* Comments and processing instructions are not output. */
			break;
		}
	}
	return 0;
}

struct parse_error {
	int set;
	int line;
	char msg[512];
};

#if LIBXML_VERSION >= 21200
static void on_xml_error(void *ud, const xmlError *e)
#else
static void on_xml_error(void *ud, xmlErrorPtr e)
#endif
{
	struct parse_error *pe = ud;
	if (pe->set || e->level < XML_ERR_ERROR)
		return;
	pe->set = 1;
	pe->line = e->line;
	snprintf(pe->msg, sizeof(pe->msg), "%s", e->message ? e->message : "parse error");
	size_t n = strlen(pe->msg);
	while (n > 0 && (pe->msg[n - 1] == '\n' || pe->msg[n - 1] == ' '))
		pe->msg[--n] = '\0';
}

static int compile_file(struct tmpl *t, struct arena *a, char *err, size_t errlen)
{
	struct parse_error pe = { 0 };
	/* No entity substitution and no DTD loading: only the predefined
	 * entities and character references are understood. */
	xmlSetStructuredErrorFunc(&pe, on_xml_error);
	xmlDoc *doc = xmlReadFile(t->path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (doc == NULL || pe.set) {
		if (pe.set)
			snprintf(err, errlen, "%s:%d: %s", t->path, pe.line, pe.msg);
		else
			snprintf(err, errlen, "%s: cannot parse", t->path);
		xmlFreeDoc(doc);
		return -1;
	}
	struct cctx cc = {
		.a = a, .t = t, .root = xmlDocGetRootElement(doc), .err = err, .errlen = errlen
	};
	if (cc.root == NULL) {
		snprintf(err, errlen, "%s: no root element", t->path);
		xmlFreeDoc(doc);
		return -1;
	}
	struct nlist out = { 0 };
	struct buf lit = { 0 };
	int rc = compile_element(&cc, cc.root, &lit, &out);
	if (rc == 0)
		flush_lit(&cc, &lit, &out);
	buf_free(&lit);
	xmlFreeDoc(doc);
	t->nodes = out.v;
	t->n = out.n;
	return rc;
}

static const struct tmpl *find_tmpl(const struct tmpl_set *set, const char *name)
{
	size_t lo = 0, hi = set->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, set->v[mid].name);
		if (c == 0)
			return &set->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct files {
	struct tmpl *v;
	size_t n, cap;
};

static int walk(struct arena *a, const char *dir, const char *rel, int depth, struct files *f,
                char *err, size_t errlen)
{
	if (depth > 16) {
		snprintf(err, errlen, "%s: folders nested too deep", dir);
		return -1;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *path = arena_printf(a, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		const char *sub =
		    rel[0] ? arena_printf(a, "%s/%s", rel, e->d_name) : arena_strdup(a, e->d_name);
		if (S_ISDIR(st.st_mode)) {
			rc = walk(a, path, sub, depth + 1, f, err, errlen);
			continue;
		}
		size_t len = strlen(sub);
		if (!S_ISREG(st.st_mode) || len <= 6 || strcmp(sub + len - 6, ".xhtml") != 0)
			continue;
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 32;
			struct tmpl *v = arena_alloc(a, cap * sizeof(*v));
			if (f->n > 0)
				memcpy(v, f->v, f->n * sizeof(*v));
			f->v = v;
			f->cap = cap;
		}
		struct tmpl *t = &f->v[f->n++];
		memset(t, 0, sizeof(*t));
		t->name = arena_strndup(a, sub, len - 6);
		t->path = path;
	}
	closedir(d);
	return rc;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct tmpl *)x)->name, ((const struct tmpl *)y)->name);
}

static int resolve_nodes(const struct tmpl_set *set, const struct tmpl *t, const struct node *v,
                         size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		struct node *nd = (struct node *)&v[i]; /* still being built */
		if (!nd->elem)
			continue;
		if (nd->content == C_INCLUDE) {
			nd->incl = find_tmpl(set, nd->incl_name);
			if (nd->incl == NULL) {
				snprintf(err, errlen, "%s:%d: t:include of unknown template \"%s\"",
				         t->path, nd->line, nd->incl_name);
				return -1;
			}
		}
		if (resolve_nodes(set, t, nd->kids, nd->nkids, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int check_cycles(struct tmpl *t, const struct node *v, size_t n, char *err, size_t errlen);

static int visit(struct tmpl *t, char *err, size_t errlen)
{
	if (t->visit == 2)
		return 0;
	t->visit = 1;
	if (check_cycles(t, t->nodes, t->n, err, errlen) != 0)
		return -1;
	t->visit = 2;
	return 0;
}

static int check_cycles(struct tmpl *t, const struct node *v, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].elem)
			continue;
		if (v[i].content == C_INCLUDE) {
			struct tmpl *to = (struct tmpl *)v[i].incl;
			if (to->visit == 1) {
				snprintf(err, errlen, "%s:%d: t:include of \"%s\" makes a cycle",
				         t->path, v[i].line, to->name);
				return -1;
			}
			if (visit(to, err, errlen) != 0)
				return -1;
		}
		if (check_cycles(t, v[i].kids, v[i].nkids, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int tmpl_load(const char *dir, struct tmpl_set **out, char *err, size_t errlen)
{
	*out = NULL;
	struct tmpl_set *set = calloc(1, sizeof(*set));
	if (set == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t dlen = strlen(dir);
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	const char *root = arena_strndup(&set->arena, dir, dlen);
	struct files f = { 0 };
	if (walk(&set->arena, root, "", 0, &f, err, errlen) != 0)
		goto fail;
	if (f.n > 0)
		qsort(f.v, f.n, sizeof(*f.v), by_name);
	set->v = f.v;
	set->n = f.n;
	for (size_t i = 0; i < set->n; i++)
		if (compile_file(&set->v[i], &set->arena, err, errlen) != 0)
			goto fail;
	for (size_t i = 0; i < set->n; i++)
		if (resolve_nodes(set, &set->v[i], set->v[i].nodes, set->v[i].n, err, errlen) != 0)
			goto fail;
	for (size_t i = 0; i < set->n; i++)
		if (visit(&set->v[i], err, errlen) != 0)
			goto fail;
	*out = set;
	return 0;
fail:
	tmpl_free(set);
	return -1;
}

void tmpl_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	arena_free(&set->arena);
	free(set);
}

int tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return set != NULL && name != NULL && find_tmpl(set, name) != NULL;
}

/* ---- rendering ---- */

/* A name bound during render (loop variables, lang, page_title), innermost first. */
struct binding {
	const char *name;
	struct tval val;
	const struct binding *up;
};

struct rctx {
	const struct msgcat *msgs;
	const char *lang;
	const struct tvars *vars;
	const struct binding *scope;
	const struct tmpl *cur;  /* for error messages */
	const struct tmpl *page; /* what t:body renders; NULL outside a layout */
	struct buf *out;
	struct buf scratch;
	char *err;
	size_t errlen;
};

enum emit_mode { M_TEXT, M_ATTR, M_RAW };

static int rfail(struct rctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rfail(struct rctx *c, int line, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "%s:%d: ", c->cur->path, line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* The value of the dotted name segs[0..n): cols as struct expr has them, or
 * NULL (a message placeholder). */
static int lookup(const struct rctx *c, const char *const *segs, int *cols, unsigned n,
                  struct tval *out)
{
	const struct tval *v = NULL;
	for (const struct binding *b = c->scope; b != NULL; b = b->up) {
		if (same_key(b->name, segs[0])) {
			v = &b->val;
			break;
		}
	}
	if (v == NULL && (v = tvars_find(c->vars, segs[0])) == NULL)
		return -1;
	struct tval cur = *v;
	for (unsigned i = 1; i < n; i++) {
		if (cur.kind == TV_OBJ) {
			if ((v = tvars_find(cur.u.obj, segs[i])) == NULL)
				return -1;
			cur = *v;
		} else if (cur.kind == TV_ROW) {
			if (row_cell(cur.u.row.res, cur.u.row.row, segs[i], cols ? &cols[i] : NULL,
			             &cur) != 0)
				return -1;
		} else {
			return -1;
		}
	}
	*out = cur;
	return 0;
}

static int truthy(const struct rctx *c, const struct expr *e)
{
	struct tval v;
	if (lookup(c, e->segs, e->cols, e->n, &v) != 0)
		return 0;
	switch (v.kind) {
	case TV_NULL:
		return 0;
	case TV_STR:
		return v.u.str.len > 0;
	case TV_INT:
		return v.u.i != 0;
	case TV_BOOL:
		return v.u.b;
	case TV_LIST:
		return v.u.list.n > 0;
	case TV_ROWS:
		return v.u.row.n > 0;
	case TV_OBJ:
	case TV_ROW:
		return 1;
	}
	return 0;
}

/* The text form of a value: null is "", integers are decimal. */
static int value_text(const struct tval *v, char *num, size_t numlen, const char **s, size_t *len)
{
	switch (v->kind) {
	case TV_NULL:
		*s = "";
		*len = 0;
		return 0;
	case TV_STR:
		*s = v->u.str.s;
		*len = v->u.str.len;
		return 0;
	case TV_INT: {
		int n = snprintf(num, numlen, "%lld", v->u.i);
		*s = num;
		*len = n > 0 ? (size_t)n : 0;
		return 0;
	}
	default:
		return -1;
	}
}

static void emit(struct buf *dst, enum emit_mode m, const char *s, size_t len)
{
	if (m == M_TEXT)
		tmpl_escape_text(dst, s, len);
	else if (m == M_ATTR)
		tmpl_escape_attr(dst, s, len);
	else if (len > 0)
		buf_append(dst, s, len);
}

/* Writes message text with its {expr} placeholders filled from scope. */
static int fill(struct rctx *c, int line, const char *text, enum emit_mode m, struct buf *dst)
{
	const char *p = text;
	for (;;) {
		const char *open = strchr(p, '{');
		if (open == NULL) {
			emit(dst, m, p, strlen(p));
			return 0;
		}
		const char *close = open + 1;
		while (is_ident_char(*close) || *close == '.')
			close++;
		char name[128];
		size_t nlen = (size_t)(close - open - 1);
		if (*close != '}' || nlen == 0 || nlen >= sizeof(name)) {
			/* Not a placeholder: a literal brace. */
			emit(dst, m, p, (size_t)(open + 1 - p));
			p = open + 1;
			continue;
		}
		emit(dst, m, p, (size_t)(open - p));
		memcpy(name, open + 1, nlen);
		name[nlen] = '\0';
		const char *segs[16];
		unsigned n = 0;
		segs[n++] = name;
		for (size_t i = 0; i < nlen; i++) {
			if (name[i] == '.') {
				name[i] = '\0';
				if (n == 16)
					return rfail(c, line, "placeholder {%.*s} too deep",
					             (int)nlen, open + 1);
				segs[n++] = name + i + 1;
			}
		}
		struct tval v;
		char num[32];
		const char *s;
		size_t len;
		if (lookup(c, segs, NULL, n, &v) != 0)
			return rfail(c, line, "missing variable \"%.*s\" in a message placeholder",
			             (int)nlen, open + 1);
		if (value_text(&v, num, sizeof(num), &s, &len) != 0)
			return rfail(c, line, "variable \"%.*s\" is not text", (int)nlen, open + 1);
		emit(dst, m, s, len);
		p = close + 1;
	}
}

static const char *message(struct rctx *c, int line, const char *key)
{
	const char *text = msgcat_get(c->msgs, c->lang, key);
	if (text == NULL)
		rfail(c, line, "missing message \"%s\"", key);
	return text;
}

static void unsafe_url(struct rctx *c, int line, const struct piece *pc, const char *url)
{
	char q[128];
	log_event(LOG_WARN, "unsafe url", "attr=%s template=%s line=%d url=%s", pc->name,
	          c->cur->name, line, log_quote(q, sizeof(q), url));
	buf_putc(c->out, '#');
}

static int render_attr(struct rctx *c, int line, const struct piece *pc)
{
	if (pc->kind == P_MSG) {
		const char *text = message(c, line, pc->key);
		if (text == NULL)
			return -1;
		if (!pc->url) {
			buf_append(c->out, pc->s, pc->len);
			if (fill(c, line, text, M_ATTR, c->out) != 0)
				return -1;
			buf_putc(c->out, '"');
			return 0;
		}
		buf_reset(&c->scratch);
		if (fill(c, line, text, M_RAW, &c->scratch) != 0)
			return -1;
		buf_append(c->out, pc->s, pc->len);
		if (url_safe_n(buf_str(&c->scratch), c->scratch.len))
			tmpl_escape_attr(c->out, buf_str(&c->scratch), c->scratch.len);
		else
			unsafe_url(c, line, pc, buf_str(&c->scratch));
		buf_putc(c->out, '"');
		return 0;
	}
	struct tval v;
	if (lookup(c, pc->e.segs, pc->e.cols, pc->e.n, &v) != 0)
		return rfail(c, line, "missing variable \"%s\" in t:attr-%s", pc->e.src, pc->name);
	switch (v.kind) {
	case TV_NULL:
		return 0;
	case TV_BOOL:
		if (v.u.b) {
			buf_append(c->out, pc->s, pc->len);
			buf_puts(c->out, pc->name);
			buf_putc(c->out, '"');
		}
		return 0;
	case TV_INT:
		buf_append(c->out, pc->s, pc->len);
		buf_printf(c->out, "%lld\"", v.u.i);
		return 0;
	case TV_STR:
		buf_append(c->out, pc->s, pc->len);
		if (!pc->url || url_safe_n(v.u.str.s, v.u.str.len))
			tmpl_escape_attr(c->out, v.u.str.s, v.u.str.len);
		else
			unsafe_url(c, line, pc, v.u.str.s);
		buf_putc(c->out, '"');
		return 0;
	default:
		return rfail(c, line, "variable \"%s\" in t:attr-%s is not text", pc->e.src,
		             pc->name);
	}
}

static int render_nodes(struct rctx *c, const struct node *v, size_t n);

static int render_one(struct rctx *c, const struct node *nd)
{
	if (nd->if_e != NULL && !truthy(c, nd->if_e))
		return 0;
	if (nd->unless_e != NULL && truthy(c, nd->unless_e))
		return 0;
	for (size_t i = 0; i < nd->nhead; i++) {
		const struct piece *pc = &nd->head[i];
		if (pc->kind == P_LIT)
			buf_append(c->out, pc->s, pc->len);
		else if (render_attr(c, nd->line, pc) != 0)
			return -1;
	}
	switch (nd->content) {
	case C_KIDS:
		if (render_nodes(c, nd->kids, nd->nkids) != 0)
			return -1;
		break;
	case C_TEXT: {
		struct tval v;
		char num[32];
		const char *s;
		size_t len;
		if (lookup(c, nd->text.segs, nd->text.cols, nd->text.n, &v) != 0)
			return rfail(c, nd->line, "missing variable \"%s\" in t:text",
			             nd->text.src);
		if (value_text(&v, num, sizeof(num), &s, &len) != 0)
			return rfail(c, nd->line, "variable \"%s\" in t:text is not text",
			             nd->text.src);
		tmpl_escape_text(c->out, s, len);
		break;
	}
	case C_MSG: {
		const char *text = message(c, nd->line, nd->msg);
		if (text == NULL || fill(c, nd->line, text, M_TEXT, c->out) != 0)
			return -1;
		break;
	}
	case C_INCLUDE: {
		const struct tmpl *saved = c->cur;
		c->cur = nd->incl;
		int rc = render_nodes(c, nd->incl->nodes, nd->incl->n);
		if (rc != 0)
			return -1;
		c->cur = saved;
		break;
	}
	case C_BODY: {
		const struct tmpl *page = c->page, *saved = c->cur;
		if (page == NULL)
			return rfail(c, nd->line, "t:body outside a layout");
		c->page = NULL; /* a page cannot hold itself */
		c->cur = page;
		if (render_nodes(c, page->nodes, page->n) != 0)
			return -1;
		c->cur = saved;
		c->page = page;
		break;
	}
	}
	if (nd->close != NULL)
		buf_append(c->out, nd->close, nd->close_len);
	return 0;
}

static int render_elem(struct rctx *c, const struct node *nd)
{
	if (nd->each == NULL)
		return render_one(c, nd);
	struct tval v;
	if (lookup(c, nd->each->segs, nd->each->cols, nd->each->n, &v) != 0)
		return rfail(c, nd->line, "missing variable \"%s\" in t:each", nd->each->src);
	struct binding b = { .name = nd->each_var, .up = c->scope };
	int rc = 0;
	c->scope = &b;
	if (v.kind == TV_LIST) {
		b.val.kind = TV_OBJ;
		for (size_t i = 0; rc == 0 && i < v.u.list.n; i++) {
			b.val.u.obj = v.u.list.items[i];
			rc = render_one(c, nd);
		}
	} else if (v.kind == TV_ROWS) {
		b.val.kind = TV_ROW;
		b.val.u.row.res = v.u.row.res;
		int end = v.u.row.row + v.u.row.n;
		for (int i = v.u.row.row; rc == 0 && i < end; i++) {
			b.val.u.row.row = i;
			rc = render_one(c, nd);
		}
	} else if (v.kind != TV_NULL) {
		rc = rfail(c, nd->line, "t:each over \"%s\", which is not a list", nd->each->src);
	}
	c->scope = b.up;
	return rc;
}

static int render_nodes(struct rctx *c, const struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &v[i];
		if (!nd->elem)
			buf_append(c->out, nd->lit, nd->lit_len);
		else if (render_elem(c, nd) != 0)
			return -1;
	}
	return 0;
}

static int render(const struct tmpl_set *set, const struct msgcat *msgs, const char *lang,
                  const char *layout_name, const char *name, const struct tvars *vars,
                  struct buf *out, char *err, size_t errlen)
{
	const struct tmpl *page = set ? find_tmpl(set, name) : NULL;
	const struct tmpl *layout = layout_name && set ? find_tmpl(set, layout_name) : page;
	if (page == NULL || layout == NULL) {
		snprintf(err, errlen, "unknown template \"%s\"", page ? layout_name : name);
		return -1;
	}
	lang = (lang != NULL && strcmp(lang, "en") == 0) ? "en" : "nl";
	struct rctx c = { .msgs = msgs,
		          .lang = lang,
		          .vars = vars,
		          .cur = page,
		          .out = out,
		          .err = err,
		          .errlen = errlen };
	struct binding blang = { .name = "lang", .val = { .kind = TV_STR } };
	blang.val.u.str.s = lang;
	blang.val.u.str.len = 2;
	c.scope = &blang;
	struct buf title = { 0 };
	struct binding btitle = { .name = "page_title", .val = { .kind = TV_STR }, .up = &blang };
	int rc = 0;
	if (page->title_key != NULL) {
		const char *text = message(&c, page->title_line, page->title_key);
		if (text == NULL || fill(&c, page->title_line, text, M_RAW, &title) != 0) {
			rc = -1;
			goto out;
		}
		btitle.val.u.str.s = buf_str(&title);
		btitle.val.u.str.len = title.len;
		c.scope = &btitle;
	}
	if (layout_name != NULL) {
		buf_puts(out, "<!DOCTYPE html>\n");
		c.page = page;
	}
	c.cur = layout;
	rc = render_nodes(&c, layout->nodes, layout->n);
out:
	buf_free(&title);
	buf_free(&c.scratch);
	return rc;
}

int tmpl_render(const struct tmpl_set *set, const struct msgcat *msgs, const char *lang,
                const char *page, const struct tvars *vars, struct buf *out, char *err,
                size_t errlen)
{
	return render(set, msgs, lang, "layout", page, vars, out, err, errlen);
}

int tmpl_render_fragment(const struct tmpl_set *set, const struct msgcat *msgs, const char *lang,
                         const char *name, const struct tvars *vars, struct buf *out, char *err,
                         size_t errlen)
{
	return render(set, msgs, lang, NULL, name, vars, out, err, errlen);
}
