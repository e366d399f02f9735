/*
 * log: key=value event lines on stderr (see log.h). Each line is built in a
 * fixed stack buffer and written with one write(2), which keeps lines from
 * the workers of a pool whole: no locks, no allocation, safe after fork.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Below PIPE_BUF (4096 on Linux), so a write to a pipe is atomic. */
#define LOG_LINE_SIZE 2048
/* msg is a constant in the code; the cap only guards against misuse. */
#define LOG_MSG_SIZE 256
#define LOG_REQ_SIZE 16

static enum log_level log_level = LOG_INFO;
static int log_fd = 2;
static char log_req[LOG_REQ_SIZE + 1];

static const char *const log_names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_set_fd(int fd)
{
	log_fd = fd;
}

int log_parse_level(const char *s, enum log_level *out)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		/* Case-insensitive like PostgreSQL's enum settings: INFO is
		 * obviously meant as info. */
		if (strcasecmp(s, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void log_set_request(const char *id)
{
	size_t i = 0;

	/* The id comes from our own code, but a space or '=' in it would
	 * still break key=value parsing, so anything unusual becomes '?'. */
	for (; id != NULL && id[i] != '\0' && i < LOG_REQ_SIZE; i++) {
		char c = id[i];
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		         (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.' || c == ':';
		log_req[i] = ok ? c : '?';
	}
	log_req[i] = '\0';
}

/*
 * Where to cut s so that the first cut bytes are kept: moved back to the
 * start of a UTF-8 sequence so no character is split. Only bytes >= 0x80 are
 * stepped over, so invalid input cannot make it back off into ASCII.
 */
static size_t utf8_cut(const unsigned char *s, size_t cut)
{
	while (cut > 0 && (s[cut] & 0xc0) == 0x80 && (s[cut - 1] & 0x80))
		cut--;
	return cut;
}

/* The escaped length of byte c inside quotes. */
static size_t quoted_len(unsigned char c)
{
	return (c == '"' || c == '\\') ? 2 : 1;
}

const char *log_quote(char *out, size_t n, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
	size_t need = 0;
	size_t len = strlen((const char *)u);

	if (n < 3) {
		/* Not even room for "": nothing sensible fits. */
		if (n > 0)
			out[0] = '\0';
		return n > 0 ? out : "";
	}
	for (size_t i = 0; i < len; i++)
		need += quoted_len(u[i]);

	/* Room for the content: n less the two quotes, the NUL and, when
	 * cut, the "..." marker. */
	int cut = need > n - 3;
	size_t room = cut ? (n >= 6 ? n - 6 : 0) : need;
	size_t w = 0;
	size_t i = 0;

	out[w++] = '"';
	for (; i < len && quoted_len(u[i]) <= room; i++) {
		room -= quoted_len(u[i]);
		if (quoted_len(u[i]) == 2)
			out[w++] = '\\';
		out[w++] = is_control(u[i]) ? '?' : (char)u[i];
	}
	if (cut) {
		/* Bytes >= 0x80 were copied one for one, so the output moves
		 * back with the input. */
		size_t back = i - utf8_cut(u, i);
		w -= back;
		for (size_t k = 0; k < 3 && w + 2 < n; k++)
			out[w++] = '.';
	}
	out[w++] = '"';
	out[w] = '\0';
	return out;
}

/* Writes all of p, retrying on EINTR; there is nowhere to report failure. */
static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Finishes the fields that vsnprintf put in dst (size bytes, size >= 5; n is
 * what it returned): control characters become '?' and, when they did not
 * fit, the text is cut at a character boundary and ended with "...".
 * Returns the length kept (no NUL counted).
 */
static size_t finish_fields(char *dst, size_t size, int n)
{
	size_t len;

	if (n < 0)
		return 0;
	len = (size_t)n;
	if (len >= size) {
		len = utf8_cut((const unsigned char *)dst, size - 4);
		memset(dst + len, '.', 3);
		len += 3;
	}
	for (size_t i = 0; i < len; i++)
		if (is_control((unsigned char)dst[i]))
			dst[i] = '?';
	return len;
}

void log_event(enum log_level level, const char *msg, const char *fmt, ...)
{
	char line[LOG_LINE_SIZE];
	char tail[LOG_REQ_SIZE + 8];
	size_t pos = 0;
	size_t tail_len;
	int saved = errno;

	if (level < log_level)
		return;
	if ((unsigned)level >= sizeof log_names / sizeof log_names[0])
		level = LOG_ERROR;

	/* The request id goes at the end even on a cut line: it is what ties
	 * the line to the request, so the room for it is kept first. */
	if (log_req[0] != '\0')
		tail_len = (size_t)snprintf(tail, sizeof tail, " req=%s\n", log_req);
	else
		tail_len = (size_t)snprintf(tail, sizeof tail, "\n");

	pos += (size_t)snprintf(line, sizeof line, "level=%s msg=", log_names[level]);
	log_quote(line + pos, LOG_MSG_SIZE, msg);
	pos += strlen(line + pos);
	pos += (size_t)snprintf(line + pos, sizeof line - pos, " pid=%ld", (long)getpid());

	if (fmt != NULL) {
		va_list ap;
		/* One byte for the separating space, one for vsnprintf's NUL. */
		size_t room = sizeof line - pos - tail_len - 1;
		va_start(ap, fmt);
		int r = vsnprintf(line + pos + 1, room, fmt, ap);
		va_end(ap);
		size_t n = finish_fields(line + pos + 1, room, r);
		if (n > 0) {
			line[pos] = ' ';
			pos += 1 + n;
		}
	}
	memcpy(line + pos, tail, tail_len);
	pos += tail_len;

	write_all(log_fd, line, pos);
	errno = saved;
}
