/*
 * fuzz_fcgi_client: the input is what a pool answers on its FastCGI socket.
 * A thread here plays the pool on a unix socket: it reads the request of
 * fcgi_client_get (portalctl status), writes the input back as the answer
 * and closes. fcgi_client_get must come back in time with -1 and a message,
 * or with 0, a status from 100 to 599 that the answer's headers name, and
 * the body.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "fcgi_client.h"

static char sock_path[108];
static int listen_fd = -1;

/* The answer the pool thread gives next; go and done take turns with it. */
static const uint8_t *answer;
static size_t answer_size;
static sem_t go, done;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_fcgi_client: invariant broken: %s: %s\n", what, detail ? detail : "");
	abort();
}

static void cleanup(void)
{
	unlink(sock_path);
}

/* The request ends with two empty records: PARAMS and STDIN. */
static int request_complete(const unsigned char *p, size_t n)
{
	static const unsigned char end[16] = { 1, 4, 0, 1, 0, 0, 0, 0, 1, 5, 0, 1, 0, 0, 0, 0 };
	return n >= 16 && memcmp(p + n - 16, end, 16) == 0;
}

/* One connection per answer: read the whole request first (a unix socket
 * closed with unread bytes resets the connection, and the client would
 * see that), write the answer, close. */
static void *pool(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned char req[4096];
		size_t got = 0;
		while (sem_wait(&go) != 0)
			;
		int fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			abort();
		while (!request_complete(req, got) && got < sizeof req) {
			ssize_t r = read(fd, req + got, sizeof req - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		for (size_t off = 0; off < answer_size;) {
			ssize_t w = send(fd, answer + off, answer_size - off, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break; /* the client gave up early: fine */
			off += (size_t)w;
		}
		close(fd);
		sem_post(&done);
	}
	return NULL;
}

static void start(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sock_path, sizeof sock_path, "/tmp/fuzz_fcgi_client.%ld.sock", (long)getpid());
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(listen_fd, 4) != 0)
		abort();
	atexit(cleanup);
	signal(SIGPIPE, SIG_IGN);
	pthread_t t;
	if (sem_init(&go, 0, 0) != 0 || sem_init(&done, 0, 0) != 0 ||
	    pthread_create(&t, NULL, pool, NULL) != 0)
		abort();
}

/* What the answer's headers (up to the first empty line, CRLF or LF) say
 * the status is: 200 without a Status header, -1 for one that is not
 * three digits from 100 to 599 followed by the end of the line or a blank
 * (RFC 3875: "Status: 404 Not Found"), -2 without an end of headers. */
static int header_status(const struct buf *raw)
{
	const char *s = buf_str(raw);
	const char *end = strstr(s, "\r\n\r\n");
	const char *lf = strstr(s, "\n\n");
	if (lf != NULL && (end == NULL || lf < end))
		end = lf;
	if (end == NULL)
		return -2;
	int status = 200;
	for (const char *line = s; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (eol == NULL)
			eol = end;
		if (strncasecmp(line, "Status:", 7) == 0) {
			const char *p = line + 7;
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			int ok = eol - p >= 3;
			for (int i = 0; ok && i < 3; i++)
				ok = p[i] >= '0' && p[i] <= '9';
			ok = ok && (p + 3 == eol || p[3] == ' ' || p[3] == '\t' || p[3] == '\r');
			status = ok ? (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') : -1;
			if (status < 100 || status > 599)
				return -1;
		}
		line = eol + 1;
	}
	return status;
}

/* The STDOUT records of the answer up to END_REQUEST, joined. Returns 1
 * when the answer is whole: version 1 records up to an END_REQUEST. */
static int stdout_of(const uint8_t *d, size_t n, struct buf *raw)
{
	size_t off = 0;
	while (off + 8 <= n) {
		size_t len = (size_t)d[off + 4] << 8 | d[off + 5];
		size_t total = 8 + len + d[off + 6];
		if (d[off] != 1 || off + total > n)
			return 0;
		if (d[off + 1] == 3) /* FCGI_END_REQUEST */
			return 1;
		if (d[off + 1] == 6) /* FCGI_STDOUT */
			buf_append(raw, (const char *)d + off + 8, len);
		off += total;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (listen_fd < 0)
		start();
	answer = data;
	answer_size = size;
	sem_post(&go);
	int status = -1;
	struct buf body = { 0 };
	char err[256] = "";
	int rc = fcgi_client_get(sock_path, "/status", 5000, &status, &body, err, sizeof err);
	while (sem_wait(&done) != 0)
		;

	struct buf raw = { 0 };
	int whole = stdout_of(data, size, &raw);
	int want = header_status(&raw);
	if (rc != 0) {
		if (rc != -1 || err[0] == '\0')
			fail("a failure without a message", err);
		if (strstr(err, "in time") != NULL)
			fail("a closed connection was waited for until the timeout", err);
		if (whole && want >= 0 && raw.len <= 1 << 20)
			fail("a good answer was refused", err);
	} else {
		if (!whole)
			fail("an answer without its end was taken", "");
		if (status != want)
			fail("a status that the headers do not give", buf_str(&raw));
		if (body.len > raw.len ||
		    (body.len > 0 &&
		     memcmp(body.data, raw.data + raw.len - body.len, body.len) != 0))
			fail("a body that is not the end of the answer", "");
	}
	buf_free(&raw);
	buf_free(&body);
	return 0;
}
