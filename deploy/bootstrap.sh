#!/usr/bin/env bash
# deploy/bootstrap.sh: installs the Debian 12 packages that building, running
# and testing need. Silent and quick when all are there (make run/check call
# it every time); otherwise one apt-get update and one apt-get install.
#
# It never starts or configures the system nginx or PostgreSQL: the dev and
# test environments run their own (deploy/dev/devenv) on other ports with
# their own configuration, so a service the install starts does not matter.
set -euo pipefail

packages=(
	# build
	gcc clang make pkg-config
	libfcgi-dev libargon2-dev libpq-dev libxml2-dev libcmocka-dev
	# run (PostgreSQL 15 in Debian 12 includes what used to be -contrib)
	nginx postgresql-15 postgresql-client-15 openssl
	# test, lint, bench
	curl wrk valgrind cppcheck clang-tidy clang-format
	libclang-rt-14-dev # libFuzzer, for test/fuzz (make fuzz)
	chromium chromium-driver jq
)

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
