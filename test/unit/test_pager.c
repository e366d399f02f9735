/*
 * Unit tests for lib/pager.c: offsets, page counts, previous and next at
 * the edges (the first page, the last, past the last, an empty list, a list
 * not counted), and the pagination as the templates render it: the admin
 * lists' pager (templates/admin/pager.xhtml, with the real catalogues: run
 * from the repository root) and the numbered links of the report list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pager.h"

static void test_offset_counts_the_rows_before_the_page(void **state)
{
	(void)state;
	struct pager p = pager_make(1, 50);
	assert_int_equal(pager_offset(&p), 0);
	p = pager_make(3, 50);
	assert_int_equal(pager_offset(&p), 100);
	p = pager_make(PAGER_MAX_PAGE, 20);
	assert_int_equal(pager_offset(&p), (PAGER_MAX_PAGE - 1) * 20L);
}

static void test_make_keeps_the_page_within_its_field_bounds(void **state)
{
	(void)state;
	assert_int_equal(pager_make(0, 50).page, 1);
	assert_int_equal(pager_make(-7, 50).page, 1);
	assert_int_equal(pager_make(PAGER_MAX_PAGE + 1LL, 50).page, PAGER_MAX_PAGE);
	assert_int_equal(pager_make(2, 0).size, 1);
}

static void test_page_count_rounds_up(void **state)
{
	(void)state;
	struct pager p = pager_make(1, 50);
	pager_set_total(&p, 0);
	assert_int_equal(pager_pages(&p), 0);
	pager_set_total(&p, 1);
	assert_int_equal(pager_pages(&p), 1);
	pager_set_total(&p, 50);
	assert_int_equal(pager_pages(&p), 1);
	pager_set_total(&p, 51);
	assert_int_equal(pager_pages(&p), 2);
	pager_set_total(&p, 10000);
	assert_int_equal(pager_pages(&p), 200);
}

static void test_prev_and_next_at_the_edges(void **state)
{
	(void)state;
	struct pager p = pager_make(1, 50);
	pager_set_total(&p, 120);
	assert_false(pager_has_prev(&p));
	assert_true(pager_has_next(&p));
	p = pager_make(2, 50);
	pager_set_total(&p, 120);
	assert_true(pager_has_prev(&p));
	assert_true(pager_has_next(&p));
	p = pager_make(3, 50);
	pager_set_total(&p, 120);
	assert_true(pager_has_prev(&p));
	assert_false(pager_has_next(&p));
}

static void test_page_past_the_last_has_neither_link(void **state)
{
	(void)state;
	struct pager p = pager_make(9, 50);
	pager_set_total(&p, 120);
	assert_false(pager_has_prev(&p));
	assert_false(pager_has_next(&p));
	p = pager_make(1, 50);
	pager_set_total(&p, 0);
	assert_false(pager_has_prev(&p));
	assert_false(pager_has_next(&p));
}

static void test_uncounted_list_goes_on_while_there_is_more(void **state)
{
	(void)state;
	struct pager p = pager_make(4, 50);
	pager_set_more(&p, 1);
	assert_true(pager_has_prev(&p));
	assert_true(pager_has_next(&p));
	assert_int_equal(pager_pages(&p), 5);
	pager_set_more(&p, 0);
	assert_false(pager_has_next(&p));
	assert_int_equal(pager_pages(&p), 4);
	/* Past the end of an uncounted list there is still a way back. */
	p = pager_make(900, 50);
	pager_set_more(&p, 0);
	assert_true(pager_has_prev(&p));
}

static void test_href_base_appends_the_page(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct pager_base b = { &a, "/admin/users?q=x&" };
	assert_string_equal(pager_href_base(&b, 7), "/admin/users?q=x&page=7");
	arena_free(&a);
}

/* ---- rendered ---- */

struct fx {
	struct tmpl_set *set;
	struct msgcat *msgs;
	struct arena a;
	struct tvars *v;
	struct buf out;
};

static int setup(void **state)
{
	char err[512];
	struct fx *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	if (tmpl_load("templates", &f->set, err, sizeof(err)) < 0 ||
	    msgcat_load("templates/messages", &f->msgs, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s (run from the repository root)\n", err);
		return -1;
	}
	f->v = tvars_new(&f->a);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	tmpl_free(f->set);
	msgcat_free(f->msgs);
	arena_free(&f->a);
	buf_free(&f->out);
	free(f);
	return 0;
}

static const char *render(struct fx *f, const char *name)
{
	char err[512];
	buf_reset(&f->out);
	if (tmpl_render_fragment(f->set, f->msgs, "nl", name, f->v, &f->out, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	return buf_str(&f->out);
}

static void test_admin_pager_renders_page_of_pages_and_both_links(void **state)
{
	struct fx *f = *state;
	struct pager p = pager_make(2, 50);
	pager_set_total(&p, 120);
	struct pager_base b = { &f->a, "/admin/roles?q=&" };
	pager_vars(f->v, &p, pager_href_base, &b);
	const char *html = render(f, "admin/pager");
	assert_non_null(strstr(html, "Pagina 2 van 3"));
	assert_non_null(strstr(html, "href=\"/admin/roles?q=&amp;page=1\" rel=\"prev\""));
	assert_non_null(strstr(html, "href=\"/admin/roles?q=&amp;page=3\" rel=\"next\""));
}

static void test_admin_pager_of_an_empty_list_renders_nothing(void **state)
{
	struct fx *f = *state;
	struct pager p = pager_make(1, 50);
	pager_set_total(&p, 0);
	struct pager_base b = { &f->a, "/admin/roles?" };
	pager_vars(f->v, &p, pager_href_base, &b);
	assert_string_equal(render(f, "admin/pager"), "");
}

static void test_admin_pager_on_the_first_page_has_no_previous(void **state)
{
	struct fx *f = *state;
	struct pager p = pager_make(1, 50);
	pager_set_total(&p, 51);
	struct pager_base b = { &f->a, "/admin/usage?never=&sort=title&" };
	pager_vars(f->v, &p, pager_href_base, &b);
	const char *html = render(f, "admin/pager");
	assert_null(strstr(html, "rel=\"prev\""));
	assert_non_null(strstr(html, "page=2\" rel=\"next\""));
	assert_non_null(strstr(html, "Pagina 1 van 2"));
}

/* The report list's links in a template of their own (the report page
 * needs many more variables): "<a>1</a><span>…</span><b>6</b>...". */
static const char pages_tmpl[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<p xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:t=\"urn:rapportageportaal:template\">"
    "<t:block t:each=\"p in pages\"><span t:if=\"p.gap\">…</span>"
    "<b t:if=\"p.current\" t:text=\"p.n\">1</b>"
    "<a t:if=\"p.href\" t:unless=\"p.current\" t:attr-href=\"p.href\" t:text=\"p.n\">2</a>"
    "</t:block></p>\n";

static const char *links(struct fx *f, long page, long total)
{
	char dir[] = "/tmp/test_pager.XXXXXX", path[64], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pages.xhtml", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(pages_tmpl, fp);
	fclose(fp);
	struct tmpl_set *set;
	int rc = tmpl_load(dir, &set, err, sizeof(err));
	unlink(path);
	rmdir(dir);
	if (rc < 0)
		fail_msg("%s", err);

	struct pager p = pager_make(page, 10);
	pager_set_total(&p, total);
	struct pager_base b = { &f->a, "/reports?" };
	struct tvars *v = tvars_new(&f->a);
	pager_links(v, &f->a, &p, pager_href_base, &b);
	buf_reset(&f->out);
	rc = tmpl_render_fragment(set, f->msgs, "nl", "pages", v, &f->out, err, sizeof(err));
	tmpl_free(set);
	if (rc < 0)
		fail_msg("%s", err);
	return buf_str(&f->out);
}

static void test_links_show_first_last_and_three_around_the_current(void **state)
{
	struct fx *f = *state;
	const char *html = links(f, 10, 200);
	assert_non_null(strstr(html, "<a href=\"/reports?page=1\">1</a><span>…</span>"
	                             "<a href=\"/reports?page=7\">7</a>"));
	assert_non_null(strstr(html, "<a href=\"/reports?page=9\">9</a><b>10</b>"
	                             "<a href=\"/reports?page=11\">11</a>"));
	assert_non_null(strstr(html, "<a href=\"/reports?page=13\">13</a><span>…</span>"
	                             "<a href=\"/reports?page=20\">20</a></p>"));
	assert_null(strstr(html, "page=6\""));
	assert_null(strstr(html, "page=14\""));
}

static void test_links_near_the_start_have_no_gap_before(void **state)
{
	struct fx *f = *state;
	const char *html = links(f, 1, 100);
	assert_non_null(strstr(html, "<p><b>1</b><a href=\"/reports?page=2\">2</a>"));
	assert_non_null(strstr(html, "page=4\">4</a><span>…</span><a href=\"/reports?page=10\">"));
	/* One gap only: before the last page. */
	const char *gap = strstr(html, "…");
	assert_non_null(gap);
	assert_null(strstr(gap + 1, "…"));
}

static void test_links_of_a_single_page_are_none(void **state)
{
	struct fx *f = *state;
	assert_string_equal(links(f, 1, 10), "<p></p>");
	assert_string_equal(links(f, 1, 0), "<p></p>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offset_counts_the_rows_before_the_page),
		cmocka_unit_test(test_make_keeps_the_page_within_its_field_bounds),
		cmocka_unit_test(test_page_count_rounds_up),
		cmocka_unit_test(test_prev_and_next_at_the_edges),
		cmocka_unit_test(test_page_past_the_last_has_neither_link),
		cmocka_unit_test(test_uncounted_list_goes_on_while_there_is_more),
		cmocka_unit_test(test_href_base_appends_the_page),
		cmocka_unit_test_setup_teardown(
		    test_admin_pager_renders_page_of_pages_and_both_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_pager_of_an_empty_list_renders_nothing,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_pager_on_the_first_page_has_no_previous,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_links_show_first_last_and_three_around_the_current, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_near_the_start_have_no_gap_before, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_links_of_a_single_page_are_none, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
