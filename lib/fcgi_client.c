/*
 * fcgi_client: one FastCGI GET over a unix socket (see fcgi_client.h). Speaks
 * just the responder role's happy path: begin, params, empty stdin, then
 * stdout records until end-request.
 */
#include "fcgi_client.h"

#include <errno.h>
#include <fastcgi.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { REQUEST_ID = 1, MAX_ANSWER = 1 << 20 };

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void put_header(struct buf *out, int type, size_t len)
{
	FCGI_Header h = {
		.version = FCGI_VERSION_1,
		.type = (unsigned char)type,
		.requestIdB1 = 0,
		.requestIdB0 = REQUEST_ID,
		.contentLengthB1 = (unsigned char)((len >> 8) & 0xff),
		.contentLengthB0 = (unsigned char)(len & 0xff),
	};
	buf_append(out, (const char *)&h, sizeof(h));
}

/* Name-value lengths: one byte below 128, else four with the top bit set. */
static void put_len(struct buf *out, size_t n)
{
	if (n < 128) {
		buf_putc(out, (char)n);
		return;
	}
	unsigned char b[4] = { (unsigned char)(((n >> 24) & 0x7f) | 0x80),
		               (unsigned char)((n >> 16) & 0xff), (unsigned char)((n >> 8) & 0xff),
		               (unsigned char)(n & 0xff) };
	buf_append(out, (const char *)b, 4);
}

static void put_param(struct buf *params, const char *name, const char *value)
{
	put_len(params, strlen(name));
	put_len(params, strlen(value));
	buf_puts(params, name);
	buf_puts(params, value);
}

static int write_all(int fd, const char *p, size_t n, char *err, size_t errlen)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads exactly n bytes before the deadline. */
static int read_full(int fd, char *p, size_t n, double deadline, char *err, size_t errlen)
{
	while (n > 0) {
		double left = deadline - now_ms();
		if (left <= 0) {
			snprintf(err, errlen, "no complete answer in time");
			return -1;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)left + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			continue;
		ssize_t got = read(fd, p, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			return -1;
		}
		if (got == 0) {
			snprintf(err, errlen, "the pool closed the connection before the end");
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

static int build_request(const char *path, struct buf *req)
{
	FCGI_BeginRequestBody begin = { .roleB1 = 0, .roleB0 = FCGI_RESPONDER, .flags = 0 };
	put_header(req, FCGI_BEGIN_REQUEST, sizeof(begin));
	buf_append(req, (const char *)&begin, sizeof(begin));

	struct buf params = { 0 };
	put_param(&params, "REQUEST_METHOD", "GET");
	put_param(&params, "REQUEST_URI", path);
	put_param(&params, "SCRIPT_NAME", path);
	put_param(&params, "DOCUMENT_URI", path);
	put_param(&params, "QUERY_STRING", "");
	put_param(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	put_param(&params, "GATEWAY_INTERFACE", "CGI/1.1");
	put_param(&params, "SERVER_SOFTWARE", "portalctl");
	if (params.len > 0xffff) {
		buf_free(&params);
		return -1;
	}
	put_header(req, FCGI_PARAMS, params.len);
	buf_append(req, params.data, params.len);
	buf_free(&params);
	put_header(req, FCGI_PARAMS, 0);
	put_header(req, FCGI_STDIN, 0);
	return 0;
}

/* The code of a Status header's value ("404 Not Found": three digits, then
 * the end or a blank), or -1. Only the header line counts: strtol would
 * skip line breaks and read a number from the body. */
static int status_code(const char *v, const char *eol)
{
	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	if (eol - v < 3)
		return -1;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		code = code * 10 + (v[i] - '0');
	}
	v += 3;
	if (v < eol && *v != ' ' && *v != '\t' && *v != '\r')
		return -1;
	return code >= 100 && code <= 599 ? code : -1;
}

/* Splits the CGI answer into the status and the body. The headers end at
 * the first empty line, CRLF or LF alone, whichever comes first: a CRLF
 * CRLF further on is in the body. */
static int parse_answer(const struct buf *raw, int *status, struct buf *body, char *err,
                        size_t errlen)
{
	const char *s = buf_str(raw);
	const char *end = strstr(s, "\r\n\r\n");
	const char *lf = strstr(s, "\n\n");
	size_t sep = 4;
	if (lf != NULL && (end == NULL || lf < end)) {
		end = lf;
		sep = 2;
	}
	if (end == NULL) {
		snprintf(err, errlen, "the answer has no end of headers");
		return -1;
	}
	*status = 200;
	for (const char *line = s; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		if (strncasecmp(line, "Status:", 7) == 0) {
			int v = status_code(line + 7, eol);
			if (v < 0) {
				snprintf(err, errlen, "malformed Status header");
				return -1;
			}
			*status = v;
		}
		line = eol + 1;
	}
	size_t off = (size_t)(end - s) + sep;
	buf_append(body, s + off, raw->len - off);
	return 0;
}

int fcgi_client_get(const char *sock_path, const char *path, int timeout_ms, int *status,
                    struct buf *body, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long");
		return -1;
	}
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	double deadline = now_ms() + timeout_ms;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct buf req = { 0 }, raw = { 0 };
	int rc = -1;
	if (build_request(path, &req) < 0) {
		snprintf(err, errlen, "path too long");
		goto out;
	}
	if (write_all(fd, req.data, req.len, err, errlen) < 0)
		goto out;
	for (;;) {
		FCGI_Header h;
		if (read_full(fd, (char *)&h, sizeof(h), deadline, err, errlen) < 0)
			goto out;
		size_t len = ((size_t)h.contentLengthB1 << 8) | h.contentLengthB0;
		size_t total = len + h.paddingLength;
		char content[65535 + 255];
		if (h.version != FCGI_VERSION_1) {
			snprintf(err, errlen, "not a FastCGI answer (version %d)", h.version);
			goto out;
		}
		if (total > 0 && read_full(fd, content, total, deadline, err, errlen) < 0)
			goto out;
		if (h.type == FCGI_END_REQUEST)
			break;
		if (h.type == FCGI_STDOUT) {
			if (raw.len + len > MAX_ANSWER) {
				snprintf(err, errlen, "answer larger than %d bytes", MAX_ANSWER);
				goto out;
			}
			buf_append(&raw, content, len);
		}
		/* FCGI_STDERR and anything else: not part of the page. */
	}
	rc = parse_answer(&raw, status, body, err, errlen);
out:
	close(fd);
	buf_free(&req);
	buf_free(&raw);
	return rc;
}
