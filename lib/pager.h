/*
 * pager: the one way every list is cut into pages, for the admin pool's
 * lists, the role page's four lists and the employees' report list: the
 * page field's bounds, the offset a statement takes, the page count, and
 * the template variables of the pagination (page, page_count, prev_href,
 * next_href; and for the report list the numbered links around the current
 * page). A page past the last is shown empty, with a link back but none
 * forward, as the lists always did.
 */
#ifndef PAGER_H
#define PAGER_H

#include "arena.h"
#include "field.h"
#include "tmpl.h"

/* The highest page a list is asked for. */
#define PAGER_MAX_PAGE 100000

/* The declaration of a list's page field ("page", or "mpage" on the role
 * page): a number from 1 to PAGER_MAX_PAGE, 400 otherwise; absent or
 * empty is page 1. */
#define PAGER_FIELD(name)                                                                          \
	{                                                                                          \
		(name), FIELD_INT, FIELD_QUERY, 1, PAGER_MAX_PAGE, NULL                            \
	}

struct pager {
	long page;  /* 1-based */
	long size;  /* rows per page */
	long total; /* rows of the whole list; -1 when not counted (pager_more) */
	int more;   /* total -1: a row past this page exists */
};

/* A pager on page (1 when below 1) of size rows, total not yet known. */
struct pager pager_make(long long page, long size);

/* The number of rows before the page: the statement's OFFSET. */
long pager_offset(const struct pager *p);

/* Sets the list's total rows, or (for a list not counted, such as the
 * audit log) whether rows past the page exist. */
void pager_set_total(struct pager *p, long total);
void pager_set_more(struct pager *p, int more);

/* The number of pages (0 for an empty list); for a list not counted, the
 * pages seen so far: page, plus one when there is more. */
long pager_pages(const struct pager *p);

/* 1 when the page has a previous (page > 1, and not past the last page of
 * a counted list) or a next page. */
int pager_has_prev(const struct pager *p);
int pager_has_next(const struct pager *p);

/* The link to page n of a list, from the arena; arg is the caller's. */
typedef const char *pager_href_fn(void *arg, long n);

/* For pager_href_base: base is the list's link up to and including '?' or
 * '&', the page's link base + "page=N". */
struct pager_base {
	struct arena *arena;
	const char *base;
};
const char *pager_href_base(void *base, long n);

/*
 * Sets page, page_count (a counted list only), prev_href and next_href (NULL
 * when there is none) in v.
 */
void pager_vars(struct tvars *v, const struct pager *p, pager_href_fn *href, void *arg);

/*
 * Sets "pages" in v to the numbered links of a counted list with more than
 * one page (else an empty list): the first, the last and three either side
 * of the current page, each {n, current, href}, with {gap} where pages are
 * left out; at most 16 items.
 */
void pager_links(struct tvars *v, struct arena *a, const struct pager *p, pager_href_fn *href,
                 void *arg);

#endif
