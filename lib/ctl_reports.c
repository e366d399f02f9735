/*
 * ctl_reports: portalctl's report commands and the checks of a report's
 * values as the admin form makes them (see ctl_reports.h).
 */
#include "ctl_reports.h"

#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ctl.h"
#include "preview.h"
#include "reports.h"
#include "req.h"

/*
 * The SQL below is laid out by hand, one clause a line, the C indentation
 * showing the structure. Every change is one statement with its audit row
 * (actor NULL, "via": "portalctl").
 */
/* clang-format off */
/* Every report, as a console table. */
static const char sql_report_list[] =
	"SELECT r.id::text AS id, r.status::text AS status, r.category, r.title,"
	" coalesce(u.username::text || CASE WHEN u.is_active THEN '' ELSE ' (inactive)' END,"
	"  '(none)') AS owner"
	" FROM reports r LEFT JOIN report_owners o ON o.report_id = r.id"
	" LEFT JOIN users u ON u.id = o.user_id ORDER BY r.id";

/* clang-format on */

const struct db_stmt ctl_report_stmts[] = {
	{ "ctl_report_list", sql_report_list, 0 },
	{ NULL, NULL, 0 },
};

/* ---- values ------------------------------------------------------------------ */

int ctl_status_ok(const char *s)
{
	return strcmp(s, "draft") == 0 || strcmp(s, "published") == 0 || strcmp(s, "archived") == 0;
}

struct report_msgs {
	const struct report_form *f;
	struct buf *msgs;
};

/* The admin form's message keys, in words for the console. */
static void report_bad(void *ctx, const char *field, const char *key)
{
	struct report_msgs *m = ctx;
	const struct report_form *f = m->f;
	const char *url = str_has_control(f->url) ? "(control character)" : f->url;
	const char *status = str_has_control(f->status) ? "(control character)" : f->status;

	if (strcmp(key, "admin.error.required") == 0) {
		buf_printf(m->msgs, "--%s is required\n", field);
	} else if (strcmp(field, "url") == 0) {
		buf_printf(m->msgs,
		           "invalid URL \"%.*s\": an http:// or https:// address of at most 2000 "
		           "characters, without spaces or control characters\n",
		           (int)utf8_prefix(url, 200), url);
	} else if (strcmp(field, "status") == 0) {
		buf_printf(m->msgs, "invalid status \"%.*s\": draft, published or archived\n",
		           (int)utf8_prefix(status, 64), status);
	} else if (strcmp(key, "admin.error.control") == 0 ||
	           strcmp(key, "admin.error.invisible") == 0) {
		const char *v = strcmp(field, "title") == 0      ? f->title
		                : strcmp(field, "category") == 0 ? f->category
		                                                 : f->description;
		char err[256];

		str_check_visible(field, v, strcmp(field, "description") == 0 ? STR_LINE_BREAKS : 0,
		                  err, sizeof err);
		buf_printf(m->msgs, "%s\n", err);
	} else if (strcmp(field, "title") == 0) {
		buf_printf(m->msgs, "invalid title: at most 200 characters\n");
	} else if (strcmp(field, "category") == 0) {
		buf_printf(m->msgs, "invalid category: at most 100 characters\n");
	} else {
		buf_printf(m->msgs, "invalid %s: at most 4000 characters\n", field);
	}
}

int ctl_check_report(const struct report_form *f, struct buf *msgs)
{
	struct report_msgs m = { f, msgs };
	const char *fields[] = { f->title, f->url, f->category, f->description, f->status };
	int n = 0;

	/* admin_report_check counts characters assuming valid UTF-8, which the
	 * web form guarantees and the command line does not. */
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (utf8_count(fields[i], strlen(fields[i])) < 0) {
			buf_printf(msgs, "a value is not valid UTF-8\n");
			return 1;
		}
	}
	if (f->category[0] != '\0' && f->category[strspn(f->category, " \t")] == '\0') {
		buf_printf(msgs, "invalid category: it is blank\n");
		n++;
	}
	if (f->title[0] != '\0' && f->title[strspn(f->title, " \t")] == '\0') {
		buf_printf(msgs, "invalid title: it is blank\n");
		return n + 1;
	}
	return n + admin_report_check(f, report_bad, &m);
}

/* ---- reports ---------------------------------------------------------------- */

int ctl_report_add(struct db *db, const struct report_form *in, const char *owner, FILE *out,
                   FILE *err)
{
	struct report_form f = { in->title ? in->title : "", in->url ? in->url : "",
		                 in->category ? in->category : "Algemeen",
		                 in->description ? in->description : "",
		                 in->status ? in->status : "draft" };
	struct buf msgs = { 0 };

	if (ctl_check_report(&f, &msgs) > 0) {
		for (const char *s = buf_str(&msgs); *s != '\0';) {
			const char *nl = strchr(s, '\n');
			int n = nl ? (int)(nl - s) : (int)strlen(s);

			fprintf(err, CTL_PROG ": %.*s\n", n, s);
			s += n + (nl != NULL);
		}
		buf_free(&msgs);
		return 1;
	}
	buf_free(&msgs);
	if (ctl_open(db, err) != 0)
		return 1;
	struct reports_values v = { f.title, f.url, f.category, f.description, f.status };
	struct reports_outcome o;
	/* The report and its owner together, or neither. */
	if (db_command(db, "BEGIN") != DB_OK ||
	    reports_create(db, &audit_console, &v, &o) != REPORTS_OK) {
		ctl_db_failed(db, "add the report", err);
		db_command(db, "ROLLBACK");
		return 1;
	}
	if (owner != NULL) {
		struct reports_outcome w;
		enum reports_status rc =
		    reports_set_owner(db, &audit_console, o.id, owner, NULL, &w);
		if (rc != REPORTS_OK) {
			if (rc == REPORTS_NO_USER)
				fprintf(err, CTL_PROG ": no user \"%s\" (--owner); nothing added\n",
				        owner);
			else
				ctl_db_failed(db, "add the report", err);
			db_command(db, "ROLLBACK");
			return 1;
		}
	}
	if (db_command(db, "COMMIT") != DB_OK) {
		ctl_db_failed(db, "add the report", err);
		return 1;
	}
	fprintf(out, "%lld\n", o.id);
	return 0;
}

int ctl_report_set_owner(struct db *db, const char *id, const char *user, const char *contact,
                         FILE *out, FILE *err)
{
	long long n;
	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, CTL_PROG ": invalid report id \"%s\": expected a positive number\n",
		        id);
		return 1;
	}
	if (contact != NULL) {
		const char *problem = admin_text_problem(contact, REPORTS_CONTACT_MAX, 0);
		if (problem != NULL) {
			fprintf(err, CTL_PROG ": invalid --contact: %s\n",
			        strcmp(problem, "admin.error.too_long") == 0
			            ? "at most 200 characters"
			            : "it holds a control or invisible character");
			return 1;
		}
	}
	if (ctl_open(db, err) != 0)
		return 1;
	struct reports_outcome o;
	switch (reports_set_owner(db, &audit_console, n, user, contact, &o)) {
	case REPORTS_OK:
		fprintf(out, "report %lld: owner %s%s%s\n", n, user,
		        contact && contact[0] ? ", contact " : "", contact ? contact : "");
		return 0;
	case REPORTS_UNCHANGED:
		fprintf(out, "report %lld: owner %s already; nothing changed\n", n, user);
		return 0;
	case REPORTS_NOT_FOUND:
		fprintf(err, CTL_PROG ": no report %lld\n", n);
		return 1;
	case REPORTS_NO_USER:
		fprintf(err, CTL_PROG ": no user \"%s\"\n", user);
		return 1;
	default:
		ctl_db_failed(db, "set the owner", err);
		return 1;
	}
}

int ctl_report_list(struct db *db, FILE *out, FILE *err)
{
	if (ctl_open(db, err) != 0)
		return 1;
	return ctl_list(db, "ctl_report_list", 0, NULL, "list the reports", "report", "reports",
	                out, err);
}

/* set-status --dry-run: the preview of the change (lib/preview.h). */
static int dry_run_status(struct db *db, long long id, const struct reports_values *v, FILE *out,
                          FILE *err)
{
	struct preview_change ch = { .kind = PREVIEW_REPORT_UPDATE, .id = id, .report = v };
	struct preview p;
	int rc = 1;
	switch (preview_run(db, &audit_console, &ch, NULL, &p)) {
	case PREVIEW_OK:
		fprintf(out, "dry run: report %lld: %s -> %s\n", id, p.report.old_status,
		        v->status);
		preview_print(out, &p);
		fputs("nothing was changed\n", out);
		rc = 0;
		break;
	case PREVIEW_NOT_FOUND:
		fprintf(err, CTL_PROG ": no report with id %lld\n", id);
		break;
	default:
		fprintf(err, CTL_PROG ": could not preview the change: %s\n",
		        db_last_message(db)[0] ? db_last_message(db) : "the database failed");
		break;
	}
	preview_free(&p);
	return rc;
}

int ctl_report_set_status(struct db *db, const char *id, const char *status, int dry, FILE *out,
                          FILE *err)
{
	long long n;

	if (ctl_parse_id(id, &n) != 0) {
		fprintf(err, CTL_PROG ": invalid report id \"%s\": expected a positive number\n",
		        id);
		return 1;
	}
	if (!ctl_status_ok(status)) {
		fprintf(err,
		        CTL_PROG ": invalid status \"%s\"\n"
		                 "HINT:  The status is one of draft, published, archived.\n",
		        str_has_control(status) ? "(control character)" : status);
		return 1;
	}
	if (ctl_open(db, err) != 0)
		return 1;
	struct reports_values v = { .status = status };
	struct reports_outcome o;
	if (dry)
		return dry_run_status(db, n, &v, out, err);
	switch (reports_update(db, &audit_console, n, NULL, &v, &o)) {
	case REPORTS_OK:
		fprintf(out, "report %s: %s -> %s\n", id, o.old_status, status);
		return 0;
	case REPORTS_UNCHANGED:
		fprintf(out, "report %s is already %s; nothing changed\n", id, status);
		return 0;
	case REPORTS_NOT_FOUND:
		fprintf(err, CTL_PROG ": no report with id %s\n", id);
		return 1;
	default:
		fprintf(err, CTL_PROG ": could not set the status: %s\n",
		        db_last_message(db)[0] ? db_last_message(db) : "the database failed");
		return 1;
	}
}
