/*
 * field: checks a route's declared fields against the request's query and
 * form and keeps their typed values (see field.h). A table holds a handful
 * of fields and a request a few dozen values, so each field is a scan of
 * its list.
 */
#include "field.h"

#include <limits.h>
#include <string.h>

#include "buf.h"
#include "log.h"

enum { ID_MAX_DIGITS = 18 };

const char *field_problem_str(enum field_problem p)
{
	switch (p) {
	case FIELD_FINE:
		return "fine";
	case FIELD_MISSING:
		return "missing";
	case FIELD_REPEATED:
		return "given more than once";
	case FIELD_BAD_UTF8:
		return "not valid UTF-8";
	case FIELD_NOT_A_NUMBER:
		return "not a number";
	case FIELD_OUT_OF_RANGE:
		return "out of range";
	case FIELD_TOO_LONG:
		return "too long";
	case FIELD_TOO_SHORT:
		return "too short";
	case FIELD_NOT_A_CHOICE:
		return "not one of the choices";
	}
	return "unknown";
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Parses a decimal number: for an id no sign and no leading zero, at most
 * 18 digits; else an optional '-' and any digits that fit a long long. */
static int parse_number(const char *s, int id, long long *out)
{
	int neg = 0, digits = 0;
	unsigned long long v = 0;
	/* LLONG_MAX, or for a negative number its negation minus one. */
	unsigned long long limit = LLONG_MAX;
	if (!id && *s == '-') {
		neg = 1;
		limit = (unsigned long long)LLONG_MAX + 1;
		s++;
	}
	if (id && *s == '0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (id && digits == ID_MAX_DIGITS)
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
		digits++;
	}
	if (digits == 0)
		return -1;
	if (neg)
		*out = v == limit ? LLONG_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

/* Checks one value s of f, trimmed already; fills v's i and s. */
static enum field_problem check_one(const struct field *f, const char *s, struct field_value *v)
{
	size_t len = strlen(s);
	if (!utf8_valid(s, len))
		return FIELD_BAD_UTF8;
	v->s = s;
	switch (f->type) {
	case FIELD_TEXT: {
		long chars = utf8_count(s, len);
		if (chars < 0)
			return FIELD_BAD_UTF8;
		if (f->max > 0 && chars > f->max)
			return FIELD_TOO_LONG;
		if (f->min > 0 && chars < f->min)
			return FIELD_TOO_SHORT;
		return FIELD_FINE;
	}
	case FIELD_INT:
	case FIELD_ID:
		if (parse_number(s, f->type == FIELD_ID, &v->i) < 0)
			return FIELD_NOT_A_NUMBER;
		if ((f->min != 0 || f->max != 0) && (v->i < f->min || v->i > f->max))
			return FIELD_OUT_OF_RANGE;
		return FIELD_FINE;
	case FIELD_BOOL:
		if (strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
			v->i = 1;
		else if (strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
			v->i = 0;
		else
			return FIELD_NOT_A_CHOICE;
		return FIELD_FINE;
	case FIELD_ENUM:
		for (long long k = 0; f->choices && f->choices[k]; k++)
			if (strcmp(s, f->choices[k]) == 0) {
				v->i = k;
				v->s = f->choices[k];
				return FIELD_FINE;
			}
		return FIELD_NOT_A_CHOICE;
	}
	return FIELD_NOT_A_CHOICE;
}

/* The value as the field takes it: trimmed when it says so. */
static const char *prepare(const struct field *f, struct arena *a, const char *s)
{
	if (!(f->flags & FIELD_TRIM))
		return s;
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	return arena_strndup(a, s, n);
}

static enum field_problem check_field(const struct field *f, const struct kvlist *l,
                                      struct arena *a, struct field_value *v)
{
	size_t count = 0;
	for (size_t k = 0; l && k < l->n; k++)
		if (strcmp(l->items[k].key, f->name) == 0)
			count++;
	if (count > 1 && !(f->flags & FIELD_MULTI))
		return FIELD_REPEATED;

	const char **all = arena_alloc(a, sizeof(*all) * (count + 1));
	long long *nums = arena_alloc(a, sizeof(*nums) * (count + 1));
	size_t n = 0;
	for (size_t k = 0; l && k < l->n; k++) {
		if (strcmp(l->items[k].key, f->name) != 0)
			continue;
		const char *s = prepare(f, a, l->items[k].value);
		/* Only text may be empty: "?page=" is no page, but an empty
		 * checkbox value is not a checkbox a browser sends. */
		if (s[0] == '\0' && f->type != FIELD_TEXT && !(f->flags & FIELD_MULTI))
			continue;
		struct field_value one = { 0 };
		enum field_problem p = check_one(f, s, &one);
		if (p != FIELD_FINE)
			return p;
		all[n] = one.s;
		nums[n] = one.i;
		if (n == 0) {
			v->i = one.i;
			v->s = one.s;
		}
		n++;
	}
	if (n == 0 || ((f->flags & FIELD_REQUIRED) && f->type == FIELD_TEXT && v->s[0] == '\0')) {
		v->s = NULL;
		v->i = 0;
		return (f->flags & FIELD_REQUIRED) ? FIELD_MISSING : FIELD_FINE;
	}
	v->present = 1;
	v->n = n;
	v->all = all;
	v->nums = nums;
	return FIELD_FINE;
}

int field_check(struct fieldset *fs, const struct field *fields, const struct kvlist *query,
                const struct kvlist *form, struct arena *a)
{
	memset(fs, 0, sizeof(*fs));
	fs->fields = fields;
	fs->arena = a;
	if (fields == NULL)
		return 0;
	while (fields[fs->n].name)
		fs->n++;
	fs->values = arena_alloc(a, sizeof(*fs->values) * (fs->n + 1));
	memset(fs->values, 0, sizeof(*fs->values) * (fs->n + 1));
	for (size_t i = 0; i < fs->n; i++) {
		const struct field *f = &fields[i];
		struct field_value *v = &fs->values[i];
		enum field_problem p = check_field(f, (f->flags & FIELD_FORM) ? form : query, a, v);
		if (p == FIELD_FINE)
			continue;
		*v = (struct field_value){ .problem = p };
		if (!(f->flags & FIELD_LENIENT) && fs->bad == NULL)
			fs->bad = f;
	}
	return fs->bad ? -1 : 0;
}

const struct field_value *field_get(const struct fieldset *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->fields[i].name, name) == 0)
			return &fs->values[i];
	log_error("field not declared by the route", "field=%s", name);
	return NULL;
}

int field_present(const struct fieldset *fs, const char *name)
{
	const struct field_value *v = field_get(fs, name);
	return v != NULL && v->present;
}

long long field_int(const struct fieldset *fs, const char *name, long long dflt)
{
	const struct field_value *v = field_get(fs, name);
	return v != NULL && v->present ? v->i : dflt;
}

const char *field_str(const struct fieldset *fs, const char *name, const char *dflt)
{
	const struct field_value *v = field_get(fs, name);
	return v != NULL && v->present ? v->s : dflt;
}

const char *field_id_array(const struct fieldset *fs, const char *name)
{
	const struct field_value *v = field_get(fs, name);
	if (v == NULL || !v->present)
		return NULL;
	struct buf b = { 0 };
	buf_putc(&b, '{');
	for (size_t k = 0; k < v->n; k++)
		buf_printf(&b, "%s%lld", k ? "," : "", v->nums[k]);
	buf_putc(&b, '}');
	const char *out = arena_strdup(fs->arena, buf_str(&b));
	buf_free(&b);
	return out;
}
