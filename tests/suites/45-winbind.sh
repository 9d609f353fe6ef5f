#!/usr/bin/env bash
# The domain account backend (ntlm_account_store_winbind) against a real
# winbindd: a private standalone Samba set up the way the interop suite does
# it (tests/interop/peers.py: smb.conf on private paths, 127.0.0.1 only, an
# `smbpasswd -a` account), with its winbindd started here and ended by PID.
# build/tests/winbind/test_winbind (tests/winbind/test_winbind.c) runs the
# client/server handshakes with winbindd up, then again after it is stopped.
# Prints "winbind: N passed, N failed" last; exits non-zero on a failure.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "winbind: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

T=$(mktemp -d /tmp/ntlm-winbind.XXXXXX)
# A local policy file must not change what the test expects: an empty one.
: >"$T/empty.conf"
export NTLMSSP_CONF=$T/empty.conf
# stop_group, in_wbenv, wb_setup, start_winbindd (shared with 36-ntlm-auth)
. "$ROOT/tests/winbind/wbsetup.sh"
cleanup() {
	stop_group "$winbindd_pid"
	[ -n "${WINBIND_KEEP:-}" ] && echo "winbind: keeping $T" || rm -rf "$T"
}
trap cleanup EXIT

# Counts the "ok   name" / "FAIL name" lines of test_winbind (t.h's format).
run_phase() { # phase
	local out="$T/test-$1.out"
	in_wbenv WB_USER="$WB_USER" WB_PASSWORD="$WB_PASSWORD" WB_DOMAIN="$WB_DOMAIN" \
		WB_WRONG_PASSWORD="$WB_WRONG_PASSWORD" WB_UNKNOWN_USER="$WB_UNKNOWN_USER" \
		timeout -k 5 120 "$TW" "$1" >"$out" 2>&1
	local rc=$?
	sed 's/^/    /' "$out"
	local n_ok n_bad
	n_ok=$(grep -c '^ok   ' "$out")
	n_bad=$(grep -c '^FAIL ' "$out")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	[ "$rc" -eq 0 ] || [ "$n_bad" -gt 0 ] || bad "test_winbind $1" "exit status $rc"
}

# --- the test program (a meson target: tests/winbind/meson.build)
TW=build/tests/winbind/test_winbind
[ -x "$TW" ] || { bad "prerequisites" "$TW missing (build first)"; finish; }
with_winbind=0
nm build/libntlmssp.a 2>/dev/null | grep -q 'U wbcCtxAuthenticateUserEx' && with_winbind=1
if [ "$with_winbind" -eq 0 ]; then
	echo "winbind: the library was built without libwbclient: checking the stub only"
	"$TW" stub | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" -eq 0 ] && ok "stub answers NTLM_E_UNSUPPORTED" || bad "stub"
	finish
fi

# --- Samba, set up by the interop suite's code
for need in winbindd wbinfo smbpasswd; do
	command -v "$need" >/dev/null 2>&1 || [ -x "$need" ] ||
		{ bad "prerequisites" "$need not found (apt-get install winbind samba)"; finish; }
done
if wb_setup; then
	ok "standalone Samba set up ($WB_DOMAIN\\$WB_USER)"
else
	bad "standalone Samba set-up" "$(tail -3 "$T/wbenv.err" | tr '\n' ' ')"
	finish
fi
[ -r "$WB_ENV_LD_PRELOAD" ] || { bad "prerequisites" "no $WB_ENV_LD_PRELOAD (apt-get install libnss-wrapper)"; finish; }

if start_winbindd; then
	ok "winbindd answers a ping (PID $winbindd_pid)"
else
	bad "winbindd starts" "$(tail -5 "$WB_DIR/log/winbindd.suite" | tr '\n' ' ')"
	finish
fi

# `ntlm server --winbind` (the tool, when built with the option): one
# handshake with `ntlm client` through tests/winbind/tool_relay.py.
tool_has_winbind=0
[ -x build/tools/ntlm ] && build/tools/ntlm server --help 2>&1 | grep -q -- '--winbind' && tool_has_winbind=1
[ "$tool_has_winbind" -eq 1 ] || echo "winbind: build/tools/ntlm has no --winbind: the tool's checks are left out"
tool_handshake() { # password -> the server's last line, then the relay's verdict
	in_wbenv timeout -k 5 60 /usr/bin/python3 tests/winbind/tool_relay.py build/tools/ntlm \
		--user "$WB_USER" --domain "$WB_DOMAIN" --password "$1" -- \
		--winbind --computer-name WBTEST 2>&1
}
check_tool() { # label password want-regex
	[ "$tool_has_winbind" -eq 1 ] || return 0
	local out
	out=$(tool_handshake "$2")
	if echo "$out" | grep -qE "$3"; then ok "ntlm server --winbind: $1"; else bad "ntlm server --winbind: $1" "$(echo "$out" | tr '\n' ' ' | head -c 300)"; fi
}

# --- winbindd running
run_phase up
check_tool "right password" "$WB_PASSWORD" "^DONE user=$WB_DOMAIN\\\\$WB_USER .*kind=NTLMv2"
check_tool "keys agree, sealing works" "$WB_PASSWORD" "^sealed$"
check_tool "wrong password" "$WB_WRONG_PASSWORD" "^FAIL .*LOGON_FAILURE"

# --- winbindd stopped: the store must say "backend", not "wrong password"
stop_group "$winbindd_pid"
if kill -0 "$winbindd_pid" 2>/dev/null; then
	bad "winbindd stopped" "PID $winbindd_pid still there"
else
	ok "winbindd stopped (PID $winbindd_pid)"
fi
winbindd_pid=""
run_phase down
check_tool "winbindd stopped" "$WB_PASSWORD" "^FAIL .*BACKEND"
finish
