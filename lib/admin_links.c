/*
 * admin_links: GET /admin/links, the broken links (see admin_links.h).
 */
#include "admin_links.h"

#include "admin.h"
#include "links.h"
#include "session.h"

/* clang-format off */

/* The failure as the page names it: failure is the kind (the page's
 * message admin.links.failure.<kind>), http_status the answer's status. A
 * page is ADMIN_PAGE_SIZE (50) rows. */
static const char sql_links_list[] =
	SESSION_CTE
	"SELECT cur.*, l.* FROM cur LEFT JOIN LATERAL ("
	" SELECT r.id, r.title, lc.url, lc.failure, lc.http_status, lc.error,"
	"  lc.failures_in_row AS failures,"
	"  " DB_DATE_TIME_NL("lc.failing_since") " AS since,"
	"  " DB_DATE_TIME_NL("lc.checked_at") " AS checked,"
	"  '/admin/reports/' || r.id AS href, count(*) OVER () AS total"
	" FROM link_checks lc JOIN reports r ON r.id = lc.report_id"
	" WHERE r.status = 'published' AND " LINKS_BROKEN_SQL("lc", "r")
	" ORDER BY lc.failing_since, r.id LIMIT 50 OFFSET $3::int) l ON true";

/* clang-format on */

const struct db_stmt admin_links_stmts[] = {
	{ "admin_links_list", sql_links_list, 3 },
	{ NULL, NULL, 0 },
};

const struct field admin_links_fields[] = {
	PAGER_FIELD("page"),
	FIELDS_END,
};

void admin_get_links(struct ctx *c)
{
	struct pager pg = pager_make(field_int(&c->fields, "page", 1), ADMIN_PAGE_SIZE);
	const char *p[] = { arena_printf(c->arena, "%ld", pager_offset(&pg)) };
	PGresult *res = admin_page_query(c, "admin_links_list", 1, p);
	if (res == NULL)
		return;
	int empty = db_is_null(res, 0, "id");
	int n = empty ? 0 : PQntuples(res);
	struct tvars *items[ADMIN_PAGE_SIZE];
	if (n > ADMIN_PAGE_SIZE)
		n = ADMIN_PAGE_SIZE;
	for (int i = 0; i < n; i++) {
		struct tvars *o = tvars_new(c->arena);
		const char *kind = db_text(res, i, "failure");
		tvars_str(o, "id", db_text(res, i, "id"));
		tvars_str(o, "title", db_text(res, i, "title"));
		tvars_str(o, "url", db_text(res, i, "url"));
		tvars_str(o, "href", db_text(res, i, "href"));
		tvars_str(o, "since", db_text(res, i, "since"));
		tvars_str(o, "checked", db_text(res, i, "checked"));
		tvars_str(o, "failures", db_text(res, i, "failures"));
		tvars_str(o, "http_status", db_text(res, i, "http_status"));
		tvars_str(o, "error", db_text(res, i, "error"));
		tvars_str(o, "failure",
		          app_msg(c, arena_printf(c->arena, "admin.links.failure.%s", kind)));
		items[i] = o;
	}
	tvars_list(c->vars, "links", items, (size_t)n);
	pager_set_total(&pg, empty ? 0 : (long)db_int(res, 0, "total"));
	admin_pager_vars(c, "/admin/links?", &pg);
	app_render(c, 200, "admin/links");
	PQclear(res);
}
