# shellcheck shell=bash
# test/lib.sh: TAP helpers for the shell suites (test/e2e/run, test/db/run, ...).
# Source it, call ok/not_ok/check/is/like for each test, end with done_testing,
# whose status is the suite's: non-zero when any test failed.
#
#   . "$(dirname "$0")/../lib.sh"
#   is "GET /login answers 200" "$status" 200
#   like "the page is Dutch" "$body" 'Inloggen' "$body"
#   done_testing

TAP_N=0
TAP_PASS=0
TAP_FAIL=0

# diag TEXT...: prints each line of TEXT as a TAP comment, indented.
diag() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do
		printf '#   %s\n' "$line"
	done
}

# ok DESC: records a passing test.
ok() {
	TAP_N=$((TAP_N + 1))
	TAP_PASS=$((TAP_PASS + 1))
	printf 'ok %d - %s\n' "$TAP_N" "$1"
}

# not_ok DESC [DETAIL]: records a failing test; DETAIL (at most 20 lines)
# follows as comments, so the reason is next to the failure.
not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$1"
	if [ -n "${2-}" ]; then
		diag "$(printf '%s\n' "$2" | head -n 20)"
	fi
}

# check DESC CMD [ARGS...]: passes when CMD succeeds; on failure its output
# is the detail.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "command failed (status $?): $*"$'\n'"$out"
	fi
}

# is DESC GOT EXPECTED [DETAIL]: passes when GOT equals EXPECTED.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:      '$2'"$'\n'"expected: '$3'${4:+$'\n'$4}"
	fi
}

# like DESC GOT REGEX [DETAIL]: passes when GOT matches the extended REGEX
# (grep -E, anywhere in GOT, any line).
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		not_ok "$1" "does not match: /$3/"$'\n'"got: $(printf '%s\n' "$2" | head -c 600)${4:+$'\n'$4}"
	fi
}

# unlike DESC GOT REGEX [DETAIL]: passes when GOT does not match REGEX.
unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		not_ok "$1" "matches: /$3/"$'\n'"got: $(printf '%s\n' "$2" | head -c 600)${4:+$'\n'$4}"
	else
		ok "$1"
	fi
}

# done_testing: prints the plan and the count; returns 1 when any failed
# (or when no test ran at all, which is a broken suite, not a pass).
done_testing() {
	printf '1..%d\n' "$TAP_N"
	printf '# %d passed, %d failed\n' "$TAP_PASS" "$TAP_FAIL"
	[ "$TAP_FAIL" -eq 0 ] && [ "$TAP_N" -gt 0 ]
}

# admin_confirm JAR PASSWORD [CURL ARGS...]: the admin pool's "confirm it's
# you" step (GET then POST /admin/confirm, with the page's csrf) for the
# session in the cookie jar JAR, at $BASE. Every suite that uses /admin/
# signs in and then calls this, so that what it asserts stays the admin
# pages' own. Prints the POST's status: 303 when confirmed.
admin_confirm() {
	local jar=$1 pw=$2 page csrf
	shift 2
	page=$(curl -sk --max-time 30 "$@" -b "$jar" "$BASE/admin/confirm")
	csrf=$(printf '%s' "$page" | sed -nE 's/.*name="csrf" value="([^"]*)".*/\1/p' | head -n 1)
	curl -sk --max-time 30 "$@" -b "$jar" -o /dev/null -w '%{http_code}' \
		--data-urlencode "csrf=$csrf" --data-urlencode "password=$pw" "$BASE/admin/confirm"
}

# The suites' own statement of when a membership counts (schema 0017: from
# valid_from, inclusive, until valid_until, exclusive; NULL is open), for
# their recomputations of access from the grant tables: written out here,
# not read from the schema's view, so that a wrong view shows.
MEMBER_NOW="(ur.valid_from IS NULL OR ur.valid_from <= now()) AND (ur.valid_until IS NULL OR ur.valid_until > now())"
