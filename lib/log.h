/*
 * log: one line per event, key=value, on stderr (journald collects it):
 *   level=info msg="signed in" pid=812 user=42 ip=10.0.0.7 req=3f2a
 * Never pass passwords, tokens or session ids to it.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below this level are dropped. Default LOG_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Where lines go: fd 2 unless changed (tests point it at a pipe). */
void log_set_fd(int fd);

/* Parses "debug", "info", "warn" or "error". Returns 0, or -1 when unknown. */
int log_parse_level(const char *s, enum log_level *out);

/* The request id added as req=... to every line until cleared with NULL.
 * The string is copied (at most 16 bytes). */
void log_set_request(const char *id);

/*
 * Writes one line: level=... msg="..." pid=... then the printf-formatted
 * fields (fmt may be NULL), then req=... when set. msg is quoted and escaped.
 * Control characters in the formatted fields are replaced by '?', so no
 * value can forge a second line. Use log_quote for values that may hold
 * spaces or quotes. The line is at most 2 KiB (longer fields are cut, the
 * cut marked with "...") and goes out in one write(2), so lines from
 * concurrent processes never interleave. errno is preserved.
 */
void log_event(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(msg, ...) log_event(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...)  log_event(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)  log_event(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_event(LOG_ERROR, msg, __VA_ARGS__)

/*
 * Writes s into out as a double-quoted value with '"' and '\\' escaped and
 * control characters as '?', truncated to fit n bytes (with "..." marking
 * the cut). Returns out, so it can stand as a printf argument:
 *   char q[128]; log_warn("bad url", "url=%s", log_quote(q, sizeof q, url));
 */
const char *log_quote(char *out, size_t n, const char *s);

#endif
