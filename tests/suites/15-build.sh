#!/usr/bin/env bash
# Build hygiene: the whole tree builds with gcc and with clang at the
# project's warning level with -Werror, the clang static analyzer (scan-build)
# finds nothing, and every C file is formatted as .clang-format says.
#   build-gcc-werror/    gcc, -Dwerror=true (incremental: a warning fails its
#                        object, so an unchanged object had none)
#   build-clang-werror/  clang, -Dwerror=true, compiled under scan-build; it is
#                        rebuilt from clean on every run so every file is analysed
# The format check runs clang-format --dry-run --Werror over the C files git
# knows. The reformat command is
#   git ls-files '*.c' '*.h' | xargs clang-format -i
# Prints "build: N passed, N failed" last; exits non-zero on a failure.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "build: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
seconds() { echo $(($(date +%s) - $1)); }

# Prints the compiler's diagnostics from a ninja log, at most 30 lines.
diagnostics() {
	grep -E '(error|warning):|^FAILED:' "$1" | head -30 | sed 's/^/    /'
}

log=$(mktemp /tmp/ntlm-build-suite.XXXXXX)
trap 'rm -f "$log"' EXIT
# configure DIR [meson options...]: set up, or reconfigure if set up already
configure() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson setup --reconfigure "$dir" "$@" >"$log" 2>&1
	else
		meson setup "$dir" "$@" >"$log" 2>&1
	fi || { tail -20 "$log"; return 1; }
}

# --- gcc, -Werror
t0=$(date +%s)
if ! command -v gcc >/dev/null; then
	bad "gcc -Werror build" "gcc not installed (scripts/deps.sh build)"
elif ! CC=gcc configure build-gcc-werror -Dwerror=true; then
	bad "gcc -Werror build" "meson setup failed"
elif ninja -C build-gcc-werror >build-gcc-werror/ninja.log 2>&1; then
	ok "gcc -Werror build ($(seconds "$t0") s)"
else
	diagnostics build-gcc-werror/ninja.log
	bad "gcc -Werror build" "see build-gcc-werror/ninja.log"
fi

# --- clang, -Werror, under the static analyzer
# The directory must be configured under scan-build (its C compiler is then
# scan-build's wrapper, compiling with clang): one configured otherwise would
# build without analysis and report nothing, so it is set up again.
configure_scan() {
	if [ -f "$B/build.ninja" ] && ! grep -q 'C compiler for the host machine: .*ccc-analyzer (clang ' \
		"$B/meson-logs/meson-log.txt" 2>/dev/null; then
		rm -rf "$B"
	fi
	if [ -f "$B/build.ninja" ]; then
		configure "$B" -Dwerror=true
	else
		CC=clang scan-build --use-cc=clang meson setup "$B" -Dwerror=true >"$log" 2>&1 ||
			{ tail -20 "$log"; return 1; }
	fi
}
t0=$(date +%s)
B=build-clang-werror
report=$B/scan-report
if ! command -v clang >/dev/null || ! command -v scan-build >/dev/null; then
	bad "clang -Werror build" "clang or scan-build not installed (scripts/deps.sh test: clang, clang-tools)"
	bad "scan-build: no findings" "not run"
elif ! configure_scan; then
	bad "clang -Werror build" "meson setup failed"
	bad "scan-build: no findings" "not run"
else
	ninja -C "$B" -t clean >/dev/null 2>&1
	rm -rf "$report"
	# scan-build sets CC to its compiler wrapper, which compiles with clang
	# (--use-cc) and then runs the analyzer on the same command line.
	scan-build --use-cc=clang --status-bugs -o "$report" ninja -C "$B" >"$B/scan.log" 2>&1
	rc=$?
	if grep -q '^FAILED:' "$B/scan.log"; then
		diagnostics "$B/scan.log"
		bad "clang -Werror build" "see $B/scan.log"
		bad "scan-build: no findings" "the build failed"
	else
		ok "clang -Werror build"
		bugs=$(grep -oE 'scan-build: [0-9]+ bugs? found' "$B/scan.log" | tail -1)
		if [ "$rc" -eq 0 ] && grep -q 'scan-build: No bugs found' "$B/scan.log"; then
			ok "scan-build: no findings ($(seconds "$t0") s with the build)"
		else
			grep -E 'warning:' "$B/scan.log" | sort -u | head -30 | sed 's/^/    /'
			bad "scan-build: no findings" "${bugs:-exit $rc}; scan-view $report/*"
		fi
	fi
fi

# --- formatting
if ! command -v clang-format >/dev/null; then
	bad "clang-format" "clang-format not installed (scripts/deps.sh test)"
else
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		mapfile -t files < <(git ls-files '*.c' '*.h')
	else
		mapfile -t files < <(find . -path './build*' -prune -o \( -name '*.c' -o -name '*.h' \) -print | sort)
	fi
	out=$(clang-format --dry-run --Werror "${files[@]}" 2>&1)
	if [ $? -eq 0 ]; then
		ok "clang-format: ${#files[@]} files as .clang-format says"
	else
		n=$(grep -c ': error: code should be clang-formatted' <<<"$out")
		grep ': error: code should be clang-formatted' <<<"$out" | cut -d: -f1 | sort | uniq -c |
			sort -rn | head -20 | sed 's/^/    /'
		bad "clang-format" "$n places in $(grep ': error:' <<<"$out" | cut -d: -f1 | sort -u | wc -l) files differ; fix: git ls-files '*.c' '*.h' | xargs clang-format -i"
	fi
fi
finish
