/*
 * pager: page arithmetic and the pagination's template variables (see
 * pager.h).
 */
#include "pager.h"

#include <stddef.h>

struct pager pager_make(long long page, long size)
{
	struct pager p = { 1, size > 0 ? size : 1, -1, 0 };
	if (page > 1)
		p.page = page > PAGER_MAX_PAGE ? PAGER_MAX_PAGE : (long)page;
	return p;
}

long pager_offset(const struct pager *p)
{
	return (p->page - 1) * p->size;
}

void pager_set_total(struct pager *p, long total)
{
	p->total = total < 0 ? 0 : total;
	p->more = 0;
}

void pager_set_more(struct pager *p, int more)
{
	p->total = -1;
	p->more = more != 0;
}

long pager_pages(const struct pager *p)
{
	if (p->total < 0)
		return p->page + (p->more ? 1 : 0);
	return (p->total + p->size - 1) / p->size;
}

int pager_has_prev(const struct pager *p)
{
	return p->page > 1 && (p->total < 0 || p->page <= pager_pages(p));
}

int pager_has_next(const struct pager *p)
{
	return p->total < 0 ? p->more : p->page < pager_pages(p);
}

const char *pager_href_base(void *base, long n)
{
	const struct pager_base *b = base;
	return arena_printf(b->arena, "%spage=%ld", b->base, n);
}

void pager_vars(struct tvars *v, const struct pager *p, pager_href_fn *href, void *arg)
{
	tvars_int(v, "page", p->page);
	if (p->total >= 0)
		tvars_int(v, "page_count", pager_pages(p));
	tvars_str(v, "prev_href", pager_has_prev(p) ? href(arg, p->page - 1) : NULL);
	tvars_str(v, "next_href", pager_has_next(p) ? href(arg, p->page + 1) : NULL);
}

enum { LINKS_MAX = 16, LINKS_AROUND = 3 };

void pager_links(struct tvars *v, struct arena *a, const struct pager *p, pager_href_fn *href,
                 void *arg)
{
	long pages = p->total < 0 ? 0 : pager_pages(p);
	struct tvars *items[LINKS_MAX];
	size_t n = 0;
	long lo = p->page - LINKS_AROUND > 1 ? p->page - LINKS_AROUND : 1;
	long hi = p->page + LINKS_AROUND < pages ? p->page + LINKS_AROUND : pages;
	for (long k = 1; k <= pages && n < LINKS_MAX; k++) {
		if (k != 1 && k != pages && (k < lo || k > hi)) {
			if (k == lo - 1 || k == hi + 1) {
				struct tvars *gap = tvars_new(a);
				tvars_bool(gap, "gap", 1);
				items[n++] = gap;
			}
			continue;
		}
		struct tvars *it = tvars_new(a);
		tvars_int(it, "n", k);
		tvars_bool(it, "current", k == p->page);
		tvars_str(it, "href", href(arg, k));
		items[n++] = it;
	}
	tvars_list(v, "pages", items, pages > 1 ? n : 0);
}
