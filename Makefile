# Rapportageportaal: the one entry point.
#
#   make            build build/portal, build/portal-admin, build/portalctl
#   make run        set up everything (packages, cluster, nginx) and run in the foreground
#   make start/stop the same environment in the background
#   make check      every test, in an environment of its own, torn down afterwards
#   make lint       clang-format, cppcheck, clang-tidy on lib/ and cgi-bin/
#   make fuzz       libFuzzer on the parsers of untrusted input, 5 minutes a target
#   make install    install under PREFIX (/usr/local), DESTDIR respected; make uninstall
#
# Sources are found by wildcard: a new lib/foo.c joins libportal.a, a new
# test/unit/test_foo.c becomes build/test/test_foo, with no edit here.

CC      ?= cc
# libcurl: portalctl links check (lib/links.c)
PKGS     = libxml-2.0 libcurl
CPPFLAGS = -D_DEFAULT_SOURCE -Ilib -I/usr/include/postgresql $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/libxml2)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
LDFLAGS += -pie -Wl,-z,relro,-z,now
LDLIBS   = -lpq -lfcgi -lxml2 -largon2 -lcrypto -lgssapi_krb5 -lldap -llber \
           $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)

# Sanitizer build of the library and the unit tests (make check runs both).
ASAN_CFLAGS = -std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer \
              -fsanitize=address,undefined -fno-sanitize-recover=all

B        = build
LIB_SRC  = $(sort $(wildcard lib/*.c))
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(B)/obj/%.o)
ASAN_OBJ = $(LIB_SRC:lib/%.c=$(B)/asan/obj/%.o)
PROGS    = $(B)/portal $(B)/portal-admin $(B)/portalctl
UNIT_SRC = $(sort $(wildcard test/unit/test_*.c))
UNIT     = $(UNIT_SRC:test/unit/%.c=$(B)/test/%)
UNIT_ASAN= $(UNIT_SRC:test/unit/%.c=$(B)/asan/test/%)

PREFIX  ?= /usr/local

.PHONY: all run start stop check unit unit-asan lint format bench fuzz clean install uninstall bootstrap bootstrap-check

all: $(PROGS)

$(B)/obj/%.o: lib/%.c lib/*.h | $(B)/obj
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/asan/obj/%.o: lib/%.c lib/*.h | $(B)/asan/obj
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

$(B)/libportal.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/asan/libportal.a: $(ASAN_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# PORTAL_DATADIR: where portalctl migrate looks for the schema outside a
# checkout; build with the PREFIX you install with.
$(B)/%: cgi-bin/%.c $(B)/libportal.a lib/*.h
	$(CC) $(CPPFLAGS) -DPORTAL_DATADIR='"$(SHAREDIR)"' $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/libportal.a $(LDLIBS)

$(B)/test/%: test/unit/%.c $(B)/libportal.a lib/*.h | $(B)/test
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(B)/libportal.a $(LDLIBS) -lcmocka

$(B)/asan/test/%: test/unit/%.c $(B)/asan/libportal.a lib/*.h | $(B)/asan/test
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/asan/libportal.a $(LDLIBS) -lcmocka

$(B)/obj $(B)/asan/obj $(B)/test $(B)/asan/test:
	mkdir -p $@

unit: $(UNIT)
unit-asan: $(UNIT_ASAN)

# Install missing Debian packages; quiet when everything is there. Running
# needs the build tools, libraries, nginx and PostgreSQL; the tests also need
# their tools (Chromium, wrk, libFuzzer's runtime, ...): deploy/bootstrap.sh.
bootstrap:
	@deploy/bootstrap.sh run

bootstrap-check:
	@deploy/bootstrap.sh check

run: bootstrap all
	@deploy/dev/devenv run

start: bootstrap all
	@deploy/dev/devenv start

stop:
	@deploy/dev/devenv stop

check: bootstrap-check all unit unit-asan
	@test/run-all

bench: bootstrap-check all
	@test/bench/run

# libFuzzer on the parsers of untrusted input, 5 minutes a target (make check
# runs the same for 10 s each); FUZZ_SECONDS to change it. See test/README.md.
fuzz: bootstrap-check
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} test/fuzz/run

lint:
	clang-format --dry-run --Werror lib/*.[ch] cgi-bin/*.c test/unit/*.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Ilib lib cgi-bin
	clang-tidy --quiet $(LIB_SRC) $(wildcard cgi-bin/*.c) -- $(CPPFLAGS) -std=c11

format:
	clang-format -i lib/*.[ch] cgi-bin/*.c test/unit/*.c

clean:
	rm -rf $(B)

# ---- install (FHS): make install [PREFIX=/usr/local] [DESTDIR=...] ----
# portalctl in bin/; the pools, which only systemd starts, in lib/rapportageportaal/;
# templates, static files, schema and nginx's error pages (portal --error-pages,
# from these templates alone: env -i, since a caller's PORTAL_* would be
# refused) in share/rapportageportaal/; units in
# lib/systemd/system/ (systemd also reads /usr/local/lib/systemd/system); the
# nginx site in /etc/nginx/sites-available/. The shipped units, site and man
# pages name /usr/local: another PREFIX is written over it. Configuration
# (/etc/rapportageportaal/env) is never installed or removed: see README.md.
SYSCONFDIR  ?= /etc
LIBEXECDIR   = $(PREFIX)/lib/rapportageportaal
SHAREDIR     = $(PREFIX)/share/rapportageportaal
MAN8DIR      = $(PREFIX)/share/man/man8
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
NGINXSITE    = $(SYSCONFDIR)/nginx/sites-available/rapportageportaal
UNITS        = portal.socket portal.service portal-admin.socket portal-admin.service \
               portal-directory-sync.service portal-directory-sync.timer \
               portal-review-close.service portal-review-close.timer \
               portal-links-check.service portal-links-check.timer
MANPAGES     = portal.8 portal-admin.8 portalctl.8
INSTALL     ?= install
SUBST        = sed -e 's|/usr/local|$(PREFIX)|g'

install: all
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SHAREDIR) \
		$(DESTDIR)$(MAN8DIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(SYSCONFDIR)/nginx/sites-available
	$(INSTALL) -m 0755 $(B)/portalctl $(DESTDIR)$(PREFIX)/bin/portalctl
	$(INSTALL) -m 0755 $(B)/portal $(B)/portal-admin $(DESTDIR)$(LIBEXECDIR)/
	cd templates && find . -path ./static -prune -o -type f -print | while read -r f; do \
		$(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(SHAREDIR)/templates/$$f" || exit 1; done
	cd templates/static && find . -type f | while read -r f; do \
		$(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(SHAREDIR)/static/$$f" || exit 1; done
	cd schema && find . -path ./seed -prune -o -type f -name '*.sql' -print | while read -r f; do \
		$(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(SHAREDIR)/schema/$$f" || exit 1; done
	$(INSTALL) -m 0644 deploy/systemd/env.example deploy/systemd/admin.env.example \
		deploy/systemd/directory.env.example $(DESTDIR)$(SHAREDIR)/
	env -i PORTAL_TEMPLATES=templates $(B)/portal --env /dev/null \
		--error-pages $(DESTDIR)$(SHAREDIR)/errors
	for u in $(UNITS); do \
		$(SUBST) deploy/systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	$(INSTALL) -m 0644 deploy/systemd/rapportageportaal.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/rapportageportaal.conf
	for m in $(MANPAGES); do \
		$(SUBST) deploy/man/$$m >$(DESTDIR)$(MAN8DIR)/$$m && \
		chmod 0644 $(DESTDIR)$(MAN8DIR)/$$m || exit 1; done
	$(SUBST) deploy/nginx/rapportageportaal.conf >$(DESTDIR)$(NGINXSITE)
	chmod 0644 $(DESTDIR)$(NGINXSITE)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/portalctl $(DESTDIR)$(NGINXSITE) \
		$(DESTDIR)$(SYSUSERSDIR)/rapportageportaal.conf \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(addprefix $(DESTDIR)$(MAN8DIR)/,$(MANPAGES))
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SHAREDIR)
