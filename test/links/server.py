#!/usr/bin/env python3
"""test/links/server.py: the local web server test/links/run checks links
against. Listens on 127.0.0.1 (a free port, written to PORTFILE), logs each
request as "METHOD PATH USER-AGENT" to LOGFILE, and keeps in LOGFILE.max the
most requests of /slow/ it had in hand at once. Paths:

  /ok          200 to HEAD and GET
  /moved       301 to /ok
  /gone        404
  /broken      500
  /nohead      405 to HEAD, 200 to GET
  /never       reads the request and never answers (a timeout)
  /loop        302 to itself (too many redirects)
  /slow/N      200 after 0.5 s (for --parallel)
  /private     401 with WWW-Authenticate: Negotiate (a sign-in asked for)

usage: server.py PORTFILE LOGFILE
"""
import http.server
import sys
import threading
import time

PORTFILE, LOGFILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()
busy = 0
most = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, location=None, body=b"hallo\n"):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        global busy, most
        slow = self.path.startswith("/slow/")
        with lock:
            with open(LOGFILE, "a") as f:
                f.write("%s %s %s\n" % (self.command, self.path,
                                        self.headers.get("User-Agent", "")))
            if slow:
                busy += 1
                most = max(most, busy)
                with open(LOGFILE + ".max", "w") as f:
                    f.write("%d\n" % most)
        try:
            p = self.path
            if p == "/ok":
                self.answer(200)
            elif p == "/moved":
                self.answer(301, "/ok")
            elif p == "/gone":
                self.answer(404)
            elif p == "/broken":
                self.answer(500)
            elif p == "/nohead":
                self.answer(405 if self.command == "HEAD" else 200)
            elif p == "/never":
                time.sleep(3600)
            elif p == "/loop":
                self.answer(302, "/loop")
            elif p == "/private":
                self.send_response(401)
                self.send_header("WWW-Authenticate", "Negotiate")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif p.startswith("/slow/"):
                time.sleep(0.5)
                self.answer(200)
            else:
                self.answer(404)
        finally:
            if slow:
                with lock:
                    busy -= 1

    do_HEAD = handle_any
    do_GET = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORTFILE, "w") as f:
    f.write("%d\n" % server.server_address[1])
server.serve_forever()
