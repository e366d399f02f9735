#!/usr/bin/env bash
# deploy/bootstrap.sh: installs the Debian 12 packages that building and
# running (and, for the tests, testing) need. Silent and quick when all are
# there (make run/check call it every time); otherwise one apt-get update and
# one apt-get install.
#
#   deploy/bootstrap.sh run      build and run: make, make run, make start, make install
#   deploy/bootstrap.sh check    all of run, and the tools of make check, bench,
#                                fuzz and lint (the default)
#   deploy/bootstrap.sh SET --list   print SET's packages, one a line; install nothing
#
# It never starts or configures the system nginx or PostgreSQL: the dev and
# test environments run their own (deploy/dev/devenv) on other ports with
# their own configuration, so a service the install starts does not matter.
# The system slapd, Prometheus and PgBouncer that installing their packages
# starts are stopped and disabled (test/ldap and test/replica run their own;
# test/metrics needs promtool only).
set -euo pipefail

run_packages=(
	# build
	gcc make pkg-config
	libfcgi-dev libargon2-dev libpq-dev libssl-dev libxml2-dev
	libkrb5-dev # GSS-API: Kerberos sign-in (SPNEGO) in the portal pool
	libldap-dev # portalctl directory sync
	libcurl4-openssl-dev # portalctl links check (libcurl, OpenSSL flavour)
	# run (PostgreSQL 15 in Debian 12 includes what used to be -contrib);
	# deploy/dev/devenv uses openssl (certificate, passwords) and curl
	nginx postgresql-15 postgresql-client-15 openssl curl
	libcurl4 # portalctl links check
)
check_packages=(
	# unit tests, make CC=clang, lint
	libcmocka-dev clang cppcheck clang-tidy clang-format
	# test/pool, make bench (wrk), the leak checks
	wrk valgrind
	libclang-rt-14-dev # libFuzzer, for test/fuzz (make fuzz)
	chromium chromium-driver jq # test/browser
	iproute2 # ss: the suites pick free ports with it
	krb5-kdc krb5-admin-server krb5-user # test/sso: a KDC of its own, kinit
	slapd ldap-utils # test/ldap: a directory of its own on loopback
	prometheus # promtool: test/metrics checks the pools' /metrics with it
	pgbouncer # test/replica: PgBouncer in front of the primary
)

usage() {
	echo "usage: deploy/bootstrap.sh [run|check] [--list]" >&2
	exit 2
}

set_name=check list=0
for arg in "$@"; do
	case $arg in
	run | check) set_name=$arg ;;
	--list) list=1 ;;
	*) usage ;;
	esac
done
packages=("${run_packages[@]}")
[ "$set_name" = check ] && packages+=("${check_packages[@]}")

if [ "$list" = 1 ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

missing=()
for p in "${packages[@]}"; do
	# Installed means "install ok installed", not just known to dpkg.
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	if [ "$status" != installed ]; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "bootstrap: missing packages: ${missing[*]}; run as root or install sudo" >&2
		exit 1
	fi
	sudo=(sudo)
fi

echo "bootstrap: installing ${missing[*]}" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's slapd starts a directory of its own when installed (and asks for an
# admin password, which DEBIAN_FRONTEND=noninteractive skips): test/ldap runs
# its own slapd on another port with its own configuration, so the system one
# is stopped and kept from starting at boot.
# The same for the Prometheus server that comes with promtool, and PgBouncer.
for p in "${missing[@]}"; do
	case $p in
	slapd | prometheus | pgbouncer) ;;
	*) continue ;;
	esac
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		"${sudo[@]}" systemctl disable --now "$p" >/dev/null 2>&1 || true
	elif command -v service >/dev/null; then
		"${sudo[@]}" service "$p" stop >/dev/null 2>&1 || true
	fi
done
