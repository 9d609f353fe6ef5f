#!/usr/bin/env bash
# Sanitizers: the whole project built with AddressSanitizer (leaks included)
# and UndefinedBehaviorSanitizer in build-asan/, then every unit test binary
# and ntlm-demo run with zero reports. One test per binary: it passes when
# the binary passes and no sanitizer reported anything.
cd "$ROOT"
B=build-asan
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all)
if [ -f "$B/build.ninja" ]; then
	meson setup --reconfigure "$B" "${opts[@]}" >"/tmp/ntlm-asan-setup.$$" 2>&1
else
	meson setup "$B" "${opts[@]}" >"/tmp/ntlm-asan-setup.$$" 2>&1
fi || { cat "/tmp/ntlm-asan-setup.$$"; rm -f "/tmp/ntlm-asan-setup.$$"; echo "asan: 0 passed, 1 failed"; exit 1; }
rm -f "/tmp/ntlm-asan-setup.$$"
if ! ninja -C "$B" >"$B/ninja.log" 2>&1; then
	tail -40 "$B/ninja.log"; echo "asan: build failed"; echo "asan: 0 passed, 1 failed"; exit 1
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
sanitizer_report='(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer)'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# run NAME CMD...: the command must exit 0 and print no sanitizer report
run() {
	local name=$1; shift
	local log="$work/$name.log"
	(cd "$work" && "$@") >"$log" 2>&1
	local rc=$?
	if [ $rc -eq 0 ] && ! grep -qE "$sanitizer_report" "$log"; then
		ok "$name$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | sed 's/^/ (/;s/$/)/')"
	else
		ko "$name (exit $rc)"
		grep -E "$sanitizer_report|^FAIL|^  " "$log" | head -20 | sed 's/^/    /'
	fi
}

for t in "$B"/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	run "$(basename "$t")" "$ROOT/$t"
done
run ntlm-demo "$ROOT/$B/tools/ntlm-demo" --account-file "$work/demo.smbpasswd"
echo "asan: $pass passed, $fail failed"
[ $fail -eq 0 ]
