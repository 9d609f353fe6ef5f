#!/usr/bin/env bash
# Valgrind (memcheck): every unit test binary of the plain build and
# ntlm-demo, each once, following forked children, with definite and
# indirect leaks counted as errors. One test per binary: it passes when the
# binary passes and valgrind reports no error.
# Excluded: test_hygiene. It replaces malloc/free in its own executable to
# inspect every freed block, and memcheck replaces them again (in the
# executable too), so under valgrind its checker would never run; it is
# covered by the plain run in 10-unit.
cd "$ROOT"
B=build
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
if ! command -v valgrind >/dev/null; then
	echo "valgrind not installed (scripts/deps.sh test installs it)"
	echo "valgrind: 0 passed, 1 failed"; exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vg=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --trace-children=yes --child-silent-after-fork=no)

run() {
	local name=$1; shift
	local log="$work/$name.log"
	(cd "$work" && "${vg[@]}" --log-file="$work/$name.vg.%p" "$@") >"$log" 2>&1
	local rc=$?
	# every process's report: errors show as "==pid== " lines in a non-empty file
	local reports
	reports=$(cat "$work/$name.vg."* 2>/dev/null)
	if [ $rc -eq 0 ] && [ -z "$reports" ]; then
		ok "$name$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/^/ (/;s/$/)/')"
	else
		ko "$name (exit $rc)"
		{ echo "$reports"; grep -E '^FAIL|^  ' "$log"; } | head -30 | sed 's/^/    /'
	fi
}

for t in "$B"/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	[ "$(basename "$t")" = test_hygiene ] && continue
	run "$(basename "$t")" "$ROOT/$t"
done
run ntlm-demo "$ROOT/$B/tools/ntlm-demo" --account-file "$work/demo.smbpasswd"
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
