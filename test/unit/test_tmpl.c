/*
 * Unit tests for lib/tmpl.c: loading and checking templates, the attribute
 * language, HTML5 output, escaping, URL filtering and values from PGresults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl.h"

#define NS  "xmlns:t=\"urn:rapportageportaal:template\""
#define FIX "test/unit/fixtures/tmpl"

/* A throwaway template folder with its catalogues, and what a render needs. */
struct fx {
	char dir[64];
	char paths[16][128];
	int npaths;
	struct tmpl_set *set;
	struct msgcat *msgs;
	struct arena a;
	struct tvars *v;
	struct buf out;
	char err[512];
};

static const char *const default_msgs[] = {
	"nl.msg",
	"hello = Hallo {name}!\nplain = Tekst & <meer>\ntitle = Titel\n"
	"wrap = {page_title} | Proef\nlink = /help?x=1&y=2\nbad.link = javascript:alert(1)\n",
	"en.msg",
	"hello = Hello {name}!\nplain = Text & <more>\ntitle = Title\n"
	"wrap = {page_title} | Test\nlink = /help?x=1&y=2\nbad.link = javascript:alert(1)\n",
	NULL,
};

static void fx_write(struct fx *f, const char *name, const char *content)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	char *slash = strrchr(path, '/');
	if (slash > path + strlen(f->dir)) {
		*slash = '\0';
		mkdir(path, 0700);
		assert_true(f->npaths < 16);
		snprintf(f->paths[f->npaths++], 128, "%s", path);
		*slash = '/';
	}
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
	assert_true(f->npaths < 16);
	snprintf(f->paths[f->npaths++], 128, "%s", path);
}

/* Writes files (name, content pairs, NULL-terminated) and loads them. */
static int fx_load(struct fx *f, const char *const *files)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_tmpl.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (size_t i = 0; files[i] != NULL; i += 2)
		fx_write(f, files[i], files[i + 1]);
	for (size_t i = 0; default_msgs[i] != NULL; i += 2)
		fx_write(f, default_msgs[i], default_msgs[i + 1]);
	char err[512];
	assert_int_equal(msgcat_load(f->dir, &f->msgs, err, sizeof(err)), 0);
	f->v = tvars_new(&f->a);
	return tmpl_load(f->dir, &f->set, f->err, sizeof(f->err));
}

static void fx_free(struct fx *f)
{
	tmpl_free(f->set);
	msgcat_free(f->msgs);
	arena_free(&f->a);
	buf_free(&f->out);
	/* Files before their folders: they were recorded after them. */
	for (int i = f->npaths - 1; i >= 0; i--) {
		struct stat st;
		if (stat(f->paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		unlink(f->paths[i]);
	}
	for (int i = f->npaths - 1; i >= 0; i--)
		rmdir(f->paths[i]);
	rmdir(f->dir);
}

static const char *frag(struct fx *f, const char *name)
{
	buf_reset(&f->out);
	int rc = tmpl_render_fragment(f->set, f->msgs, "nl", name, f->v, &f->out, f->err,
	                              sizeof(f->err));
	if (rc != 0)
		fail_msg("render failed: %s", f->err);
	return buf_str(&f->out);
}

static int frag_rc(struct fx *f, const char *name)
{
	buf_reset(&f->out);
	return tmpl_render_fragment(f->set, f->msgs, "nl", name, f->v, &f->out, f->err,
	                            sizeof(f->err));
}

/* One template "t" with the given source. */
static void load_one(struct fx *f, const char *src)
{
	const char *files[] = { "t.xhtml", src, NULL };
	if (fx_load(f, files) != 0)
		fail_msg("load failed: %s", f->err);
}

/* ---- escaping ---- */

static void test_escape_text_escapes_amp_lt_gt_and_keeps_quotes(void **state)
{
	(void)state;
	struct buf b = { 0 };
	tmpl_escape_text(&b, "a<b>&\"'c", 8);
	assert_string_equal(buf_str(&b), "a&lt;b&gt;&amp;\"'c");
	buf_free(&b);
}

static void test_escape_attr_escapes_all_five_characters(void **state)
{
	(void)state;
	struct buf b = { 0 };
	tmpl_escape_attr(&b, "<a href=\"x\" onclick='y'>&", 25);
	assert_string_equal(buf_str(&b), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;");
	buf_free(&b);
}

/* The escapers, one byte at a time, as the definition to hold them to. */
static void escape_reference(struct buf *b, const char *s, size_t len, int attr)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, attr ? "&quot;" : "\"");
			break;
		case '\'':
			buf_puts(b, attr ? "&#39;" : "'");
			break;
		default:
			buf_append(b, s + i, 1);
		}
	}
}

/* The escapers skip eight plain bytes at a time: every special character
 * at every position of strings of 0 to 40 bytes, around bytes that the
 * word test could confuse (NUL, 0x80, 0xff, multi-byte UTF-8, the
 * neighbours of each special character), in both escapers. */
static void test_escapers_equal_the_byte_at_a_time_definition(void **state)
{
	(void)state;
	const char specials[] = "&<>\"'%;=?\x7f\x80\xff\x01";
	const char fills[] = { 'x', '\0', (char)0xc3, (char)0x80, '%', '=', '\'' + 1, '"' - 1 };
	char s[41];
	struct buf got = { 0 }, want = { 0 };
	for (size_t f = 0; f < sizeof(fills); f++)
		for (size_t len = 0; len <= 40; len++)
			for (size_t pos = 0; pos <= len; pos++)
				for (size_t k = 0; k < sizeof(specials) - 1; k++) {
					memset(s, fills[f], sizeof(s));
					if (pos < len)
						s[pos] = specials[k];
					if (len > 20)
						s[len - 1 - pos % 8] =
						    specials[(k + 3) % (sizeof(specials) - 1)];
					for (int attr = 0; attr < 2; attr++) {
						buf_reset(&got);
						buf_reset(&want);
						buf_putc(&got, '[');
						buf_putc(&want, '[');
						if (attr)
							tmpl_escape_attr(&got, s, len);
						else
							tmpl_escape_text(&got, s, len);
						escape_reference(&want, s, len, attr);
						assert_int_equal(got.len, want.len);
						assert_memory_equal(got.data, want.data, want.len);
					}
				}
	buf_free(&got);
	buf_free(&want);
}

static void test_text_from_data_is_escaped(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS " t:text=\"s\">x</p>");
	tvars_str(f.v, "s", "<script>alert(\"x\" & 'y')</script>");
	assert_string_equal(frag(&f, "t"),
	                    "<p>&lt;script&gt;alert(\"x\" &amp; 'y')&lt;/script&gt;</p>");
	fx_free(&f);
}

static void test_attribute_from_data_is_escaped(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<input " NS " t:attr-value=\"s\"/>");
	tvars_str(f.v, "s", "\"><script>'&");
	assert_string_equal(frag(&f, "t"), "<input value=\"&quot;&gt;&lt;script&gt;&#39;&amp;\">");
	fx_free(&f);
}

static void test_literal_template_text_and_attributes_are_escaped(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p title=\"a &quot;b&quot; &lt;c&gt; 'd'\">1 &lt; 2 &amp;&amp; 3 &gt; 2</p>");
	assert_string_equal(frag(&f, "t"), "<p title=\"a &quot;b&quot; &lt;c&gt; &#39;d&#39;\">"
	                                   "1 &lt; 2 &amp;&amp; 3 &gt; 2</p>");
	fx_free(&f);
}

/* ---- URLs ---- */

static void test_url_safe_rejects_script_and_data_schemes(void **state)
{
	(void)state;
	assert_false(tmpl_url_safe("javascript:alert(1)"));
	assert_false(tmpl_url_safe("JaVaScRiPt:alert(1)"));
	assert_false(tmpl_url_safe("data:text/html,<script>"));
	assert_false(tmpl_url_safe("vbscript:x"));
	assert_false(tmpl_url_safe(" javascript:alert(1)"));
	assert_false(tmpl_url_safe("\tjavascript:alert(1)"));
	assert_false(tmpl_url_safe("\x01javascript:alert(1)"));
	assert_false(tmpl_url_safe("java\nscript:alert(1)"));
	assert_false(tmpl_url_safe("/ok\x7f"));
	assert_false(tmpl_url_safe(" /relative"));
	assert_false(tmpl_url_safe("httpx://example.org"));
	assert_false(tmpl_url_safe(NULL));
}

static void test_url_safe_accepts_http_https_mailto_and_relative(void **state)
{
	(void)state;
	assert_true(tmpl_url_safe("http://example.org/"));
	assert_true(tmpl_url_safe("HTTPS://bi.example.org/dash?id=1"));
	assert_true(tmpl_url_safe("MailTo:someone@example.org"));
	assert_true(tmpl_url_safe("/reports/12"));
	assert_true(tmpl_url_safe("reports/12"));
	assert_true(tmpl_url_safe("a/b:c"));
	assert_true(tmpl_url_safe("?q=x:y"));
	assert_true(tmpl_url_safe("#top:1"));
	assert_true(tmpl_url_safe(""));
}

static void test_unsafe_url_from_data_renders_as_hash(void **state)
{
	(void)state;
	static const char *const bad[] = { "javascript:alert(1)",
		                           "JaVaScRiPt:alert(1)",
		                           "data:text/html;base64,PHNjcmlwdD4=",
		                           " javascript:alert(1)",
		                           "\tjavascript:alert(1)",
		                           "\x01javascript:alert(1)" };
	struct fx f;
	load_one(&f, "<a " NS " t:attr-href=\"u\" t:attr-title=\"u\">x</a>");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tvars_str(f.v, "u", bad[i]);
		const char *out = frag(&f, "t");
		assert_true(strncmp(out, "<a href=\"#\" title=\"", 19) == 0);
	}
	fx_free(&f);
}

static void test_safe_url_from_data_is_kept_and_escaped(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><a t:attr-href=\"a\">1</a><img t:attr-src=\"b\"/>"
	             "<form t:attr-action=\"c\"></form><a t:attr-href=\"d\">4</a></p>");
	tvars_str(f.v, "a", "https://bi.example.org/d?x=1&y=2");
	tvars_str(f.v, "b", "/static/logo.png");
	tvars_str(f.v, "c", "mailto:a@example.org");
	tvars_str(f.v, "d", "HTTP://example.org");
	assert_string_equal(frag(&f, "t"),
	                    "<p><a href=\"https://bi.example.org/d?x=1&amp;y=2\">1</a>"
	                    "<img src=\"/static/logo.png\"><form action=\"mailto:a@example.org\">"
	                    "</form><a href=\"HTTP://example.org\">4</a></p>");
	fx_free(&f);
}

static void test_message_in_url_attribute_is_filtered_too(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><a t:msg-attr-href=\"link\">1</a><a t:msg-attr-href=\"bad.link\" "
	             "t:msg-attr-title=\"plain\">2</a></p>");
	assert_string_equal(frag(&f, "t"), "<p><a href=\"/help?x=1&amp;y=2\">1</a><a href=\"#\" "
	                                   "title=\"Tekst &amp; &lt;meer&gt;\">2</a></p>");
	fx_free(&f);
}

/* ---- the attribute language ---- */

static void test_each_repeats_the_element_for_every_list_item(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<ul " NS "><li t:each=\"r in reports\" t:text=\"r.title\">x</li></ul>");
	struct tvars *items[3];
	const char *titles[3] = { "Omzet", "Kosten & baten", "Verzuim" };
	for (int i = 0; i < 3; i++) {
		items[i] = tvars_new(&f.a);
		tvars_str(items[i], "title", titles[i]);
	}
	tvars_list(f.v, "reports", items, 3);
	assert_string_equal(frag(&f, "t"), "<ul><li>Omzet</li><li>Kosten &amp; baten</li>"
	                                   "<li>Verzuim</li></ul>");
	tvars_list(f.v, "reports", NULL, 0);
	assert_string_equal(frag(&f, "t"), "<ul></ul>");
	fx_free(&f);
}

static PGresult *make_result(void)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	PGresAttDesc at[4] = {
		{ .name = (char *)"title", .typid = 25, .typlen = -1, .atttypmod = -1 },
		{ .name = (char *)"url", .typid = 25, .typlen = -1, .atttypmod = -1 },
		{ .name = (char *)"is_new", .typid = 16, .typlen = 1, .atttypmod = -1 },
		{ .name = (char *)"views", .typid = 23, .typlen = 4, .atttypmod = -1 },
	};
	assert_int_equal(PQsetResultAttrs(res, 4, at), 1);
	const char *rows[3][4] = { { "A<1>", "https://x.example/a", "t", "12" },
		                   { "B", "javascript:alert(1)", "f", "0" },
		                   { "C", NULL, NULL, NULL } };
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 4; c++)
			assert_int_equal(PQsetvalue(res, r, c, (char *)rows[r][c],
			                            rows[r][c] ? (int)strlen(rows[r][c]) : -1),
			                 1);
	return res;
}

static void test_each_over_pgresult_reads_columns_by_name(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<ul " NS "><li t:each=\"r in rows\"><a t:attr-href=\"r.url\" "
	             "t:text=\"r.title\">x</a><b t:if=\"r.is_new\">new</b><i t:if=\"r.views\" "
	             "t:text=\"r.views\">0</i></li></ul>");
	PGresult *res = make_result();
	tvars_rows(f.v, "rows", res);
	assert_string_equal(frag(&f, "t"),
	                    "<ul><li><a href=\"https://x.example/a\">A&lt;1&gt;</a><b>new</b>"
	                    "<i>12</i></li><li><a href=\"#\">B</a></li><li><a>C</a></li></ul>");
	PQclear(res);
	fx_free(&f);
}

static void test_each_over_a_row_range_renders_only_those_rows(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<ul " NS "><li t:each=\"r in rows\" t:text=\"r.title\">x</li>"
	             "<b t:unless=\"none\">empty</b></ul>");
	PGresult *res = make_result();
	tvars_rows_range(f.v, "rows", res, 1, 2);
	tvars_rows_range(f.v, "none", res, 3, 0);
	assert_string_equal(frag(&f, "t"), "<ul><li>B</li><li>C</li><b>empty</b></ul>");
	/* A range beyond the result is null, never a read past its end. */
	tvars_rows_range(f.v, "rows", res, 2, 5);
	assert_string_equal(frag(&f, "t"), "<ul><b>empty</b></ul>");
	PQclear(res);
	fx_free(&f);
}

/* A result with the columns title and url in the order given by swap. */
static PGresult *two_columns(int swap, const char *title, const char *url)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	assert_non_null(res);
	PGresAttDesc at[2] = {
		{ .name = (char *)"title", .typid = 25, .typlen = -1, .atttypmod = -1 },
		{ .name = (char *)"url", .typid = 25, .typlen = -1, .atttypmod = -1 },
	};
	if (swap) {
		PGresAttDesc t = at[0];
		at[0] = at[1];
		at[1] = t;
	}
	assert_int_equal(PQsetResultAttrs(res, 2, at), 1);
	assert_int_equal(PQsetvalue(res, 0, swap, (char *)title, (int)strlen(title)), 1);
	assert_int_equal(PQsetvalue(res, 0, !swap, (char *)url, (int)strlen(url)), 1);
	return res;
}

static void test_columns_are_found_again_when_a_result_orders_them_otherwise(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<a " NS " t:attr-href=\"r.url\" t:text=\"r.title\">x</a>");
	/* The template remembers where it found each column; a result with
	 * another order (another statement) must not be read at those places. */
	PGresult *a = two_columns(0, "Eerste", "/a");
	PGresult *b = two_columns(1, "Tweede", "/b");
	tvars_row(f.v, "r", a, 0);
	assert_string_equal(frag(&f, "t"), "<a href=\"/a\">Eerste</a>");
	tvars_row(f.v, "r", b, 0);
	assert_string_equal(frag(&f, "t"), "<a href=\"/b\">Tweede</a>");
	tvars_row(f.v, "r", a, 0);
	assert_string_equal(frag(&f, "t"), "<a href=\"/a\">Eerste</a>");
	PQclear(a);
	PQclear(b);
	fx_free(&f);
}

static void test_single_row_is_an_object(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS " t:text=\"r.title\" t:attr-data-views=\"r.views\">x</p>");
	PGresult *res = make_result();
	tvars_row(f.v, "r", res, 0);
	assert_string_equal(frag(&f, "t"), "<p data-views=\"12\">A&lt;1&gt;</p>");
	PQclear(res);
	fx_free(&f);
}

static void test_if_and_unless_follow_truthiness(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><t:block t:each=\"k in keys\"><i t:if=\"k.v\">T</i>"
	             "<i t:unless=\"k.v\">F</i></t:block></p>");
	struct tvars *items[12];
	for (int i = 0; i < 12; i++)
		items[i] = tvars_new(&f.a);
	struct tvars *empty = tvars_new(&f.a);
	/* false: null, missing, "", 0, false, empty list */
	tvars_str(items[0], "v", NULL);
	tvars_str(items[2], "v", "");
	tvars_int(items[3], "v", 0);
	tvars_bool(items[4], "v", 0);
	tvars_list(items[5], "v", NULL, 0);
	/* true: text, number, true, a list with an item, an object, "0" as text */
	tvars_str(items[6], "v", "x");
	tvars_int(items[7], "v", -3);
	tvars_bool(items[8], "v", 1);
	tvars_list(items[9], "v", &empty, 1);
	tvars_obj(items[10], "v", empty);
	tvars_str(items[11], "v", "0");
	tvars_list(f.v, "keys", items, 12);
	assert_string_equal(frag(&f, "t"), "<p><i>F</i><i>F</i><i>F</i><i>F</i><i>F</i><i>F</i>"
	                                   "<i>T</i><i>T</i><i>T</i><i>T</i><i>T</i><i>T</i></p>");
	fx_free(&f);
}

static void test_bool_attribute_is_named_when_true_and_omitted_when_false(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<input " NS " type=\"checkbox\" t:attr-checked=\"c\" t:attr-disabled=\"d\" "
	             "t:attr-title=\"n\"/>");
	tvars_bool(f.v, "c", 1);
	tvars_bool(f.v, "d", 0);
	tvars_str(f.v, "n", NULL);
	assert_string_equal(frag(&f, "t"), "<input type=\"checkbox\" checked=\"checked\">");
	fx_free(&f);
}

static void test_dynamic_attribute_replaces_the_literal_one(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<a " NS " class=\"x\" href=\"/example\" t:attr-href=\"u\">x</a>");
	tvars_str(f.v, "u", "/real");
	assert_string_equal(frag(&f, "t"), "<a class=\"x\" href=\"/real\">x</a>");
	fx_free(&f);
}

static void test_integers_render_in_decimal(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><b t:text=\"a\">x</b><b t:text=\"b\">x</b></p>");
	tvars_int(f.v, "a", -9000000000LL);
	tvars_int(f.v, "b", 0);
	assert_string_equal(frag(&f, "t"), "<p><b>-9000000000</b><b>0</b></p>");
	fx_free(&f);
}

static void test_dotted_names_look_through_nested_objects(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS " t:text=\"a.b.c\">x</p>");
	struct tvars *b = tvars_new(&f.a), *c = tvars_new(&f.a);
	tvars_str(c, "c", "diep");
	tvars_obj(b, "b", c);
	tvars_obj(f.v, "a", b);
	assert_string_equal(frag(&f, "t"), "<p>diep</p>");
	fx_free(&f);
}

static void test_text_on_missing_variable_fails_naming_the_key(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<div " NS ">\n<p t:text=\"user.nmae\">x</p></div>");
	struct tvars *u = tvars_new(&f.a);
	tvars_str(u, "name", "Jan");
	tvars_obj(f.v, "user", u);
	assert_int_equal(frag_rc(&f, "t"), -1);
	assert_non_null(strstr(f.err, "t.xhtml:2:"));
	assert_non_null(strstr(f.err, "\"user.nmae\""));
	fx_free(&f);
}

static void test_each_and_attr_on_missing_variable_fail(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<ul " NS "><li t:each=\"r in rows\">x</li><a t:attr-href=\"u\">y</a></ul>");
	assert_int_equal(frag_rc(&f, "t"), -1);
	assert_non_null(strstr(f.err, "\"rows\""));
	tvars_list(f.v, "rows", NULL, 0);
	assert_int_equal(frag_rc(&f, "t"), -1);
	assert_non_null(strstr(f.err, "\"u\""));
	fx_free(&f);
}

static void test_each_over_text_is_an_error(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<ul " NS "><li t:each=\"r in rows\">x</li></ul>");
	tvars_str(f.v, "rows", "abc");
	assert_int_equal(frag_rc(&f, "t"), -1);
	assert_non_null(strstr(f.err, "not a list"));
	fx_free(&f);
}

static void test_missing_message_key_fails_naming_the_key(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS " t:msg=\"no.such.key\">x</p>");
	assert_int_equal(frag_rc(&f, "t"), -1);
	assert_non_null(strstr(f.err, "t.xhtml:1:"));
	assert_non_null(strstr(f.err, "\"no.such.key\""));
	fx_free(&f);
}

static void test_message_placeholders_are_filled_and_escaped(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><b t:msg=\"hello\">x</b><i t:msg-attr-title=\"hello\">y</i>"
	             "<s t:msg=\"plain\">z</s></p>");
	tvars_str(f.v, "name", "<Anne & \"Bo\">");
	assert_string_equal(frag(&f, "t"),
	                    "<p><b>Hallo &lt;Anne &amp; \"Bo\"&gt;!</b>"
	                    "<i title=\"Hallo &lt;Anne &amp; &quot;Bo&quot;&gt;!\">y</i>"
	                    "<s>Tekst &amp; &lt;meer&gt;</s></p>");
	/* A placeholder on a missing variable is an error naming it. */
	struct fx g;
	load_one(&g, "<p " NS " t:msg=\"hello\">x</p>");
	assert_int_equal(frag_rc(&g, "t"), -1);
	assert_non_null(strstr(g.err, "\"name\""));
	fx_free(&g);
	fx_free(&f);
}

static void test_void_and_empty_elements_serialise_as_html5(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<div><br/><hr></hr><img src=\"a.png\" alt=\"\"/><p/><span></span>"
	             "<input type=\"text\"/><textarea/><meta charset=\"utf-8\"/><wbr/>"
	             "<script src=\"/x.js\"/></div>");
	assert_string_equal(frag(&f, "t"), "<div><br><hr><img src=\"a.png\" alt=\"\"><p></p>"
	                                   "<span></span><input type=\"text\"><textarea></textarea>"
	                                   "<meta charset=\"utf-8\"><wbr><script src=\"/x.js\">"
	                                   "</script></div>");
	fx_free(&f);
}

static void test_dynamic_void_element_has_no_end_tag(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<p " NS "><input t:if=\"x\" t:attr-value=\"x\"/><i t:if=\"x\"/></p>");
	tvars_str(f.v, "x", "1");
	assert_string_equal(frag(&f, "t"), "<p><input value=\"1\"><i></i></p>");
	fx_free(&f);
}

static void test_comments_and_template_namespace_are_not_emitted(void **state)
{
	(void)state;
	struct fx f;
	load_one(&f, "<div xmlns=\"http://www.w3.org/1999/xhtml\" " NS
	             "><!-- secret --><t:block t:if=\"x\"><b>in</b></t:block><?pi x?></div>");
	tvars_bool(f.v, "x", 1);
	assert_string_equal(frag(&f, "t"), "<div><b>in</b></div>");
	fx_free(&f);
}

static void test_include_renders_the_named_template(void **state)
{
	(void)state;
	struct fx f;
	const char *files[] = { "t.xhtml", "<div " NS "><p t:include=\"parts/x\">gone</p></div>",
		                "parts/x.xhtml", "<b " NS " t:text=\"name\">x</b>", NULL };
	assert_int_equal(fx_load(&f, files), 0);
	assert_true(tmpl_exists(f.set, "parts/x"));
	assert_false(tmpl_exists(f.set, "x"));
	tvars_str(f.v, "name", "Z");
	assert_string_equal(frag(&f, "t"), "<div><p><b>Z</b></p></div>");
	fx_free(&f);
}

static void test_layout_wraps_the_page_and_gets_page_title(void **state)
{
	(void)state;
	struct fx f;
	const char *files[] = {
		"layout.xhtml",
		"<html " NS " t:attr-lang=\"lang\"><head><title t:msg=\"wrap\">x</title></head>"
		"<body><main t:body=\"\">gone</main></body></html>",
		"page.xhtml",
		"<t:block " NS " t:title=\"hello\"><h1 t:text=\"name\">x</h1></t:block>", NULL
	};
	assert_int_equal(fx_load(&f, files), 0);
	tvars_str(f.v, "name", "<Jo>");
	assert_int_equal(
	    tmpl_render(f.set, f.msgs, "en", "page", f.v, &f.out, f.err, sizeof(f.err)), 0);
	assert_string_equal(
	    buf_str(&f.out),
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Hello &lt;Jo&gt;! | "
	    "Test</title></head><body><main><h1>&lt;Jo&gt;</h1></main></body></html>");
	fx_free(&f);
}

static void test_fixture_set_renders_page_with_layout_and_include(void **state)
{
	(void)state;
	struct tmpl_set *set;
	struct msgcat *msgs;
	char err[512];
	assert_int_equal(tmpl_load(FIX "/good/", &set, err, sizeof(err)), 0);
	assert_int_equal(msgcat_load(FIX "/good", &msgs, err, sizeof(err)), 0);
	struct arena a = ARENA_INIT;
	struct tvars *v = tvars_new(&a), *r = tvars_new(&a);
	tvars_str(v, "who", "Kim");
	tvars_str(v, "heading", "Kop");
	tvars_str(r, "url", "/r/1");
	tvars_str(r, "title", "Een");
	tvars_list(v, "reports", &r, 1);
	struct buf out = { 0 };
	assert_int_equal(tmpl_render(set, msgs, "nl", "page", v, &out, err, sizeof(err)), 0);
	const char *s = buf_str(&out);
	assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"nl\">", 32) == 0);
	assert_non_null(strstr(s, "<title>Overzicht van Kim | Proef</title>"));
	assert_non_null(strstr(s, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(s, "<h1>Kop</h1>"));
	assert_non_null(strstr(s, "<li><a href=\"/r/1\">Een</a></li>"));
	assert_non_null(strstr(s, "<div><p class=\"foot\">Voet</p></div>"));
	assert_null(strstr(s, "comment"));
	assert_null(strstr(s, "xmlns"));
	assert_null(strstr(s, "t:"));
	buf_free(&out);
	arena_free(&a);
	msgcat_free(msgs);
	tmpl_free(set);
}

/* ---- load errors ---- */

static void expect_load_error(const char *dir, const char *want1, const char *want2)
{
	struct tmpl_set *set = NULL;
	char err[512] = "";
	assert_int_equal(tmpl_load(dir, &set, err, sizeof(err)), -1);
	assert_null(set);
	if (strstr(err, want1) == NULL || strstr(err, want2) == NULL)
		fail_msg("error \"%s\" lacks \"%s\" or \"%s\"", err, want1, want2);
}

static void test_unclosed_tag_fails_naming_file_and_line(void **state)
{
	(void)state;
	/* libxml2 notices at the mismatched </div> on line 5. */
	expect_load_error(FIX "/broken-unclosed", FIX "/broken-unclosed/page.xhtml:5:", "p");
}

static void test_unknown_template_attribute_fails_naming_file_and_line(void **state)
{
	(void)state;
	expect_load_error(FIX "/broken-attr",
	                  FIX "/broken-attr/page.xhtml:4:", "unknown template attribute t:tetx");
}

static void test_malformed_each_fails_naming_file_and_line(void **state)
{
	(void)state;
	expect_load_error(FIX "/broken-each", "page.xhtml:2:", "malformed t:each \"reports\"");
}

static void test_include_of_unknown_template_fails(void **state)
{
	(void)state;
	expect_load_error(FIX "/broken-include", "page.xhtml:2:", "unknown template \"nosuch\"");
}

static void test_include_cycle_fails(void **state)
{
	(void)state;
	struct fx f;
	const char *files[] = { "a.xhtml", "<p " NS " t:include=\"b\">x</p>", "b.xhtml",
		                "<p " NS ">\n<i t:include=\"a\">x</i></p>", NULL };
	assert_int_equal(fx_load(&f, files), -1);
	assert_non_null(strstr(f.err, "cycle"));
	fx_free(&f);
}

static void test_other_static_errors_are_reported(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "<br " NS " t:text=\"x\"/>", "void element" },
		{ "<p " NS "><br>x</br></p>", "void element" },
		{ "<p " NS " t:text=\"x\" t:msg=\"y\">x</p>", "exclude each other" },
		{ "<p " NS " t:text=\"a..b\">x</p>", "malformed expression" },
		{ "<p " NS " t:if=\"\">x</p>", "malformed expression" },
		{ "<p " NS "><t:span>x</t:span></p>", "unknown template element" },
		{ "<p " NS "><i t:title=\"k\">x</i></p>", "root element" },
		{ "<p " NS " t:attr-onclick=\"x\">x</p>", "event handler" },
		{ "<p " NS " t:attr-style=\"x\">x</p>", "style cannot be set" },
		{ "<p " NS " t:attr-STYLE=\"x\">x</p>", "STYLE cannot be set" },
		{ "<iframe " NS " t:attr-srcdoc=\"x\">x</iframe>", "srcdoc cannot be set" },
		{ "<p " NS " t:msg-attr-style=\"k\">x</p>", "style cannot be set" },
		{ "<p>&nbsp;</p>", "nbsp" },
		{ "<p " NS "><t:block class=\"x\">y</t:block></p>", "only t: attributes" },
		{ "<p><q:x>y</q:x></p>", "t.xhtml:1:" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		const char *files[] = { "t.xhtml", cases[i][0], NULL };
		assert_int_equal(fx_load(&f, files), -1);
		if (strstr(f.err, cases[i][1]) == NULL || strstr(f.err, "t.xhtml:") == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", cases[i][0], f.err, cases[i][1]);
		fx_free(&f);
	}
}

static void test_missing_folder_is_an_error(void **state)
{
	(void)state;
	expect_load_error("/nonexistent/templates", "/nonexistent/templates", "No such file");
}

/* ---- the real templates ---- */

struct real {
	struct tmpl_set *set;
	struct msgcat *msgs;
	struct arena a;
	struct buf out;
	char err[512];
};

static void real_load(struct real *r)
{
	memset(r, 0, sizeof(*r));
	if (tmpl_load("templates", &r->set, r->err, sizeof(r->err)) != 0)
		fail_msg("%s", r->err);
	if (msgcat_load("templates/messages", &r->msgs, r->err, sizeof(r->err)) != 0)
		fail_msg("%s", r->err);
}

static void real_free(struct real *r)
{
	buf_free(&r->out);
	arena_free(&r->a);
	msgcat_free(r->msgs);
	tmpl_free(r->set);
}

static void test_real_login_page_renders_in_dutch_and_english(void **state)
{
	(void)state;
	struct real r;
	real_load(&r);
	struct tvars *v = tvars_new(&r.a);
	tvars_str(v, "csrf", "tok\"en");
	tvars_str(v, "next", "");
	tvars_bool(v, "error", 1);
	assert_int_equal(tmpl_render(r.set, r.msgs, "nl", "login", v, &r.out, r.err, sizeof(r.err)),
	                 0);
	const char *s = buf_str(&r.out);
	assert_non_null(strstr(s, "<html lang=\"nl\">"));
	assert_non_null(strstr(s, "<title>Inloggen — Rapportageportaal</title>"));
	assert_non_null(strstr(s, "<h1>Inloggen</h1>"));
	assert_non_null(strstr(s, "Gebruikersnaam of e-mailadres"));
	assert_non_null(strstr(s, "value=\"tok&quot;en\""));
	assert_non_null(strstr(s, "name=\"next\" value=\"\""));
	assert_non_null(strstr(s, "role=\"alert\""));
	assert_non_null(strstr(s, "<link rel=\"stylesheet\" href=\"/static/portal.css\">"));
	assert_null(strstr(s, "/>"));
	assert_null(strstr(s, "Uitloggen")); /* no user: no navigation */

	buf_reset(&r.out);
	tvars_bool(v, "error", 0);
	assert_int_equal(tmpl_render(r.set, r.msgs, "en", "login", v, &r.out, r.err, sizeof(r.err)),
	                 0);
	s = buf_str(&r.out);
	assert_non_null(strstr(s, "<html lang=\"en\">"));
	assert_non_null(strstr(s, "<h1>Sign in</h1>"));
	assert_non_null(strstr(s, "Username or email address"));
	assert_null(strstr(s, "role=\"alert\""));
	real_free(&r);
}

static void test_real_error_pages_render_with_reference(void **state)
{
	(void)state;
	static const char *const pages[] = { "error/400", "error/403", "error/404", "error/405",
		                             "error/409", "error/500", "error/503" };
	struct real r;
	real_load(&r);
	struct tvars *v = tvars_new(&r.a);
	tvars_str(v, "req_id", "3f2a");
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		for (int en = 0; en < 2; en++) {
			buf_reset(&r.out);
			if (tmpl_render(r.set, r.msgs, en ? "en" : "nl", pages[i], v, &r.out, r.err,
			                sizeof(r.err)) != 0)
				fail_msg("%s: %s", pages[i], r.err);
			const char *s = buf_str(&r.out);
			assert_non_null(strstr(s, "<h1>"));
			assert_non_null(strstr(s, "<a href=\"/\">"));
			int has_ref =
			    strstr(s, en ? "Reference: 3f2a" : "Referentie: 3f2a") != NULL;
			assert_int_equal(has_ref, i >= 5);
		}
	}
	buf_reset(&r.out);
	assert_int_equal(
	    tmpl_render(r.set, r.msgs, "nl", "error/404", v, &r.out, r.err, sizeof(r.err)), 0);
	assert_non_null(strstr(buf_str(&r.out), "<h1>Pagina niet gevonden</h1>"));
	real_free(&r);
}

static void test_real_layout_shows_navigation_for_a_signed_in_user(void **state)
{
	(void)state;
	struct real r;
	real_load(&r);
	struct tvars *v = tvars_new(&r.a), *u = tvars_new(&r.a);
	tvars_str(u, "display_name", "Anne <Admin>");
	tvars_bool(u, "is_superuser", 1);
	tvars_obj(v, "user", u);
	tvars_str(v, "csrf", "c1");
	assert_int_equal(
	    tmpl_render(r.set, r.msgs, "nl", "error/403", v, &r.out, r.err, sizeof(r.err)), 0);
	const char *s = buf_str(&r.out);
	assert_non_null(strstr(s, "Ingelogd als Anne &lt;Admin&gt;"));
	assert_non_null(strstr(s, "href=\"/admin/\""));
	assert_non_null(strstr(s, "name=\"csrf\" value=\"c1\""));
	real_free(&r);
}

static void test_unknown_page_is_a_render_error(void **state)
{
	(void)state;
	struct real r;
	real_load(&r);
	assert_int_equal(
	    tmpl_render(r.set, r.msgs, "nl", "nope", NULL, &r.out, r.err, sizeof(r.err)), -1);
	assert_non_null(strstr(r.err, "\"nope\""));
	real_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_text_escapes_amp_lt_gt_and_keeps_quotes),
		cmocka_unit_test(test_escapers_equal_the_byte_at_a_time_definition),
		cmocka_unit_test(test_escape_attr_escapes_all_five_characters),
		cmocka_unit_test(test_text_from_data_is_escaped),
		cmocka_unit_test(test_attribute_from_data_is_escaped),
		cmocka_unit_test(test_literal_template_text_and_attributes_are_escaped),
		cmocka_unit_test(test_url_safe_rejects_script_and_data_schemes),
		cmocka_unit_test(test_url_safe_accepts_http_https_mailto_and_relative),
		cmocka_unit_test(test_unsafe_url_from_data_renders_as_hash),
		cmocka_unit_test(test_safe_url_from_data_is_kept_and_escaped),
		cmocka_unit_test(test_message_in_url_attribute_is_filtered_too),
		cmocka_unit_test(test_each_repeats_the_element_for_every_list_item),
		cmocka_unit_test(test_each_over_pgresult_reads_columns_by_name),
		cmocka_unit_test(test_each_over_a_row_range_renders_only_those_rows),
		cmocka_unit_test(test_columns_are_found_again_when_a_result_orders_them_otherwise),
		cmocka_unit_test(test_single_row_is_an_object),
		cmocka_unit_test(test_if_and_unless_follow_truthiness),
		cmocka_unit_test(test_bool_attribute_is_named_when_true_and_omitted_when_false),
		cmocka_unit_test(test_dynamic_attribute_replaces_the_literal_one),
		cmocka_unit_test(test_integers_render_in_decimal),
		cmocka_unit_test(test_dotted_names_look_through_nested_objects),
		cmocka_unit_test(test_text_on_missing_variable_fails_naming_the_key),
		cmocka_unit_test(test_each_and_attr_on_missing_variable_fail),
		cmocka_unit_test(test_each_over_text_is_an_error),
		cmocka_unit_test(test_missing_message_key_fails_naming_the_key),
		cmocka_unit_test(test_message_placeholders_are_filled_and_escaped),
		cmocka_unit_test(test_void_and_empty_elements_serialise_as_html5),
		cmocka_unit_test(test_dynamic_void_element_has_no_end_tag),
		cmocka_unit_test(test_comments_and_template_namespace_are_not_emitted),
		cmocka_unit_test(test_include_renders_the_named_template),
		cmocka_unit_test(test_layout_wraps_the_page_and_gets_page_title),
		cmocka_unit_test(test_fixture_set_renders_page_with_layout_and_include),
		cmocka_unit_test(test_unclosed_tag_fails_naming_file_and_line),
		cmocka_unit_test(test_unknown_template_attribute_fails_naming_file_and_line),
		cmocka_unit_test(test_malformed_each_fails_naming_file_and_line),
		cmocka_unit_test(test_include_of_unknown_template_fails),
		cmocka_unit_test(test_include_cycle_fails),
		cmocka_unit_test(test_other_static_errors_are_reported),
		cmocka_unit_test(test_missing_folder_is_an_error),
		cmocka_unit_test(test_real_login_page_renders_in_dutch_and_english),
		cmocka_unit_test(test_real_error_pages_render_with_reference),
		cmocka_unit_test(test_real_layout_shows_navigation_for_a_signed_in_user),
		cmocka_unit_test(test_unknown_page_is_a_render_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
