#!/usr/bin/env bash
# Unit tests: every tests/unit binary (via meson test) and the layering check
# (tests/layers.py); sums their counts.
cd "$ROOT"
# Contexts made without a policy follow the system policy: run against the
# defaults (an empty policy file), whatever this host's /etc/ntlmssp.conf says.
NTLMSSP_CONF=$(mktemp) && chmod 644 "$NTLMSSP_CONF" && export NTLMSSP_CONF
trap 'rm -f "$NTLMSSP_CONF"' EXIT
pass=0; fail=0
for t in build/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
	p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
	[ -z "$line" ] && { p=0; f=1; }
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	printf '%-24s %s\n' "$(basename "$t")" "${line:-no summary (exit $rc)}"
	[ "$f" -ne 0 ] && echo "$out" | grep -vE '^ok ' | head -40
	pass=$((pass + p)); fail=$((fail + f))
done
# The library's rooms depend downwards only; the self-test plants each kind of
# wrong include and fails unless the check catches it.
out=$(python3 tests/layers.py --self-test 2>&1); rc=$?
printf '%-24s %s\n' layers "$(echo "$out" | tail -1)"
if [ $rc -eq 0 ]; then pass=$((pass + 1)); else echo "$out" | head -40; fail=$((fail + 1)); fi
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ]
