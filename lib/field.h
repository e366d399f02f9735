/*
 * field: the typed input of a route, as kcgi's struct kvalid tables have
 * it. A route declares its fields in the route table next to its handler
 * (name, type, bounds, where it comes from, required); the request cycle
 * (app.c) runs field_check after req_parse and router_match, before the
 * handler, and the handler reads typed, checked values (field_int,
 * field_str, field_id_array) instead of the raw query or form. No database
 * and no request context here, so every verdict has a unit test.
 *
 * What is checked here is structure: a number is a number within its
 * range, an id is a positive number, a choice is one of its choices, a text
 * is valid UTF-8 within its length in characters, a required field is
 * there. Business rules (an e-mail address, the password policy, a taken
 * name, the characters a name may not hold) stay in the operations
 * (lib/users.c, admin_role_check, ...), which word their messages at the
 * form's fields.
 */
#ifndef FIELD_H
#define FIELD_H

#include <stddef.h>

#include "arena.h"
#include "req.h"

enum field_type {
	FIELD_TEXT, /* any valid UTF-8; min, max: its length in characters (0, 0: any) */
	FIELD_INT,  /* a decimal number, optional '-'; min, max: its range (0, 0: any) */
	FIELD_ID,   /* a positive decimal number as the router's {id}: no sign, no leading
	               zero, at most 18 digits; min, max: its range (0, 0: any) */
	FIELD_BOOL, /* "1" or "on" (1), "0" or "off" (0), as a checkbox sends it */
	FIELD_ENUM, /* one of choices; its index is the value */
};

/* Flags of a field. */
enum {
	FIELD_QUERY = 0,          /* from the query string (the default) */
	FIELD_FORM = 1u << 0,     /* from the POST body */
	FIELD_REQUIRED = 1u << 1, /* must be given, and not empty */
	FIELD_MULTI = 1u << 2,    /* repeated, as checkboxes "user_id[]" are: every value checked */
	FIELD_TRIM = 1u << 3,     /* spaces, tabs, CR and LF around the value removed first */
	FIELD_LENIENT = 1u << 4,  /* a bad value reads as absent (the handler's default)
	                             instead of answering 400 */
};

struct field {
	const char *name; /* NULL ends a table */
	enum field_type type;
	unsigned flags;
	long long min, max;         /* the bounds, as the type says */
	const char *const *choices; /* FIELD_ENUM: NULL-terminated */
};

/* The end of a field table. */
#define FIELDS_END                                                                                 \
	{                                                                                          \
		NULL, FIELD_TEXT, 0, 0, 0, NULL                                                    \
	}

/* Why a field is not present. */
enum field_problem {
	FIELD_FINE = 0,
	FIELD_MISSING,      /* required, and absent or empty */
	FIELD_REPEATED,     /* given twice, and not FIELD_MULTI */
	FIELD_BAD_UTF8,     /* not valid UTF-8, or holds NUL */
	FIELD_NOT_A_NUMBER, /* INT or ID: not a plain decimal number, or one too large */
	FIELD_OUT_OF_RANGE, /* INT or ID: outside min..max */
	FIELD_TOO_LONG,     /* TEXT: over max characters */
	FIELD_TOO_SHORT,    /* TEXT: under min characters */
	FIELD_NOT_A_CHOICE, /* ENUM: none of the choices; BOOL: none of its words */
};

struct field_value {
	int present;                /* 1: given and valid */
	enum field_problem problem; /* when given (or required) and not valid */
	long long i;                /* INT, ID, BOOL (0 or 1), ENUM (index of the choice) */
	const char *s;              /* the value as checked (trimmed); ENUM: the choice */
	size_t n;                   /* MULTI: how many values */
	const char *const *all;     /* MULTI: the n values */
	const long long *nums;      /* MULTI of INT or ID: the n numbers */
};

/* The checked fields of one request. Memory: values and everything they
 * point to come from the arena given to field_check, or point into the
 * request's lists. */
struct fieldset {
	const struct field *fields; /* the route's table; NULL: none declared */
	struct field_value *values; /* one per field of the table */
	size_t n;
	struct arena *arena;
	const struct field *bad; /* the first field that answers 400; NULL when none */
	int answered;            /* app_fields_ok has given the verdict */
};

/*
 * Checks every field of fields (a table ending in { NULL }, or NULL) against
 * the query and form lists and fills fs. An empty value of a field that is
 * not TEXT counts as absent ("?page=" is page 1), except in a MULTI list. A bad value of a
 * FIELD_LENIENT field reads as absent; of any other field, and a missing
 * required one, it sets fs->bad (the first one). Returns 0 when nothing is
 * bad, -1 when fs->bad is set. Values not declared are ignored.
 */
int field_check(struct fieldset *fs, const struct field *fields, const struct kvlist *query,
                const struct kvlist *form, struct arena *a);

/* The value of the declared field name, or NULL (and a log line: a bug)
 * when the route does not declare it. */
const struct field_value *field_get(const struct fieldset *fs, const char *name);

/* 1 when the field name was given and valid. */
int field_present(const struct fieldset *fs, const char *name);

/* The number of an INT, ID, BOOL or ENUM field (the choice's index), or
 * dflt when it is absent. */
long long field_int(const struct fieldset *fs, const char *name, long long dflt);

/* The text of a field (for ENUM the choice), or dflt when absent. */
const char *field_str(const struct fieldset *fs, const char *name, const char *dflt);

/* The numbers of a MULTI ID field as a PostgreSQL bigint array literal
 * "{1,2}" (from the fieldset's arena), or NULL when none was given. */
const char *field_id_array(const struct fieldset *fs, const char *name);

/* A readable English name of p, for the log. */
const char *field_problem_str(enum field_problem p);

#endif
