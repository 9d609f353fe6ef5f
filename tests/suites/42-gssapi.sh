#!/usr/bin/env bash
# The GSSAPI mechanism (gss/ntlmssp-gss.so) through MIT krb5's mechglue:
# python3-gssapi drives ours <-> ours and ours <-> gss-ntlmssp both ways in
# one process each (a GSS_MECH_CONFIG file registers one under the NTLMSSP
# OID and the other under a private OID; see tests/gss/gss_interop.py), the
# module's own C tests run, and the module's symbols are checked: exactly the
# GSSAPI entry points exported, libntlmssp.so.0 needed, no engine inside.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
B=$ROOT/build
MODULE=$B/gss/ntlmssp-gss.so
PY=/usr/bin/python3 # Debian's, where python3-gssapi lives
PEER=$(ls /usr/lib/*/gssntlmssp/gssntlmssp.so 2>/dev/null | head -1)
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "gssapi: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -f "$MODULE" ]; then
	bad "prerequisites" "$MODULE not built (apt-get install libkrb5-dev; build first)"
	finish
fi
if ! "$PY" -c 'import gssapi, impacket' 2>/dev/null || [ -z "$PEER" ]; then
	bad "prerequisites" "python3-gssapi, python3-impacket and gss-ntlmssp are needed"
	finish
fi

T=$(mktemp -d /tmp/ntlm-gss.XXXXXX)
trap '[ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
umask 077
: >"$T/empty.conf"
echo 'channel_bindings = required' >"$T/cbt-required.conf"
echo 'allow_anonymous = 1' >"$T/anonymous.conf"
printf 'DOM:alice:Passw0rd!\n' >"$T/users"
# the initiator's smbpasswd lines (gss-ntlmssp reads both forms): the right hash and another
for f in "client Passw0rd!" "wrong Not-Alice#1"; do
	set -- $f
	echo "$2" | "$B/tools/ntlm" passwd --account-file "$T/$1.smbpasswd" --uid 1000 --stdin add alice >/dev/null ||
		bad "smbpasswd line for the initiator ($1)"
done
PRIV=1.3.6.1.4.1.7165.655.99 # a private OID for the implementation the initiator picks
REAL=1.3.6.1.4.1.311.2.2.10
printf 'ntlmssp %s %s\n' "$REAL" "$MODULE" >"$T/self.conf"
printf 'ntlmssp %s %s\ngssntlmssp %s %s\n' "$REAL" "$MODULE" "$PRIV" "$PEER" >"$T/peer-in.conf"
printf 'gssntlmssp %s %s\nntlmssp %s %s\n' "$REAL" "$PEER" "$PRIV" "$MODULE" >"$T/peer-out.conf"
cp "$T/peer-in.conf" "$T/peer-v1.conf"

# --- the module's symbols
expected="gss_accept_sec_context gss_acquire_cred gss_acquire_cred_from gss_compare_name
gss_context_time gss_delete_sec_context gss_display_name gss_display_status gss_duplicate_name
gss_export_cred gss_export_name gss_export_sec_context gss_get_mic gss_get_mic_iov
gss_get_mic_iov_length gss_get_name_attribute gss_import_cred gss_import_name
gss_import_sec_context gss_init_sec_context gss_inquire_attrs_for_mech gss_inquire_context
gss_inquire_cred gss_inquire_cred_by_mech gss_inquire_mech_for_saslname gss_inquire_name
gss_inquire_names_for_mech gss_inquire_saslname_for_mech gss_inquire_sec_context_by_oid
gss_localname gss_release_cred gss_release_name gss_set_sec_context_option gss_unwrap
gss_unwrap_iov gss_verify_mic gss_verify_mic_iov gss_wrap gss_wrap_iov gss_wrap_iov_length
gss_wrap_size_limit gssspi_acquire_cred_with_password gssspi_import_name_by_mech
gssspi_mech_invoke gssspi_set_cred_option"
got=$(nm -D --defined-only "$MODULE" | awk '{print $3}' | sort)
want=$(echo $expected | tr ' ' '\n' | sort)
if [ "$got" = "$want" ]; then
	ok "module exports exactly the $(echo "$want" | wc -l) GSSAPI entry points"
else
	bad "module exports" "$(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
fi
needed=$(readelf -d "$MODULE" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case "$needed" in
*libntlmssp.so.0*) ok "module needs libntlmssp.so.0 ($needed)" ;;
*) bad "module needs libntlmssp.so.0" "$needed" ;;
esac
case "$needed" in
*gssapi*) bad "module does not link the mechglue" "$needed" ;;
*) ok "module does not link the mechglue" ;;
esac
# One engine per process: nothing of libntlmssp.so beyond the base it may link
# privately (nm without -D lists the hidden symbols too).
symbols() { nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[tTdDbBrR]$/ {print $3}' | sort -u; }
crt='^(_|completed\.|CSWTCH\.|deregister_tm_clones$|register_tm_clones$|frame_dummy$)' # compiler-made
inside=$(comm -23 <(symbols "$B/libntlmssp.so") <(symbols "$B/libntlmssp_base.a") | grep -Ev "$crt" |
	comm -12 - <(symbols "$MODULE") | head -5)
named=$(symbols "$MODULE" | grep -E '^(ntlm_step|ntlm_client_new|client_step|server_step|(nw|nk|nv|cr|ctx|ss|smbpw|policy)_.*)$' | head -5)
if [ -z "$inside$named" ] && [ -n "$(symbols "$MODULE")" ]; then
	ok "no engine code inside the module (one engine per process)"
else
	bad "no engine code inside the module" "$inside $named"
fi

# --- through the mechglue
for mode in self peer-in peer-out peer-v1; do
	lm=""
	[ "$mode" = peer-v1 ] && lm=2 # gss-ntlmssp answers with NTLMv1
	out=$(cd "$T" && env GSS_MECH_CONFIG="$T/$mode.conf" NTLM_USER_FILE="$T/users" \
		NTLMSSP_CONF="$T/empty.conf" NETBIOS_COMPUTER_NAME=SERVER NETBIOS_DOMAIN_NAME=DOM \
		${lm:+LM_COMPAT_LEVEL=$lm} NTLM_ACCOUNT_FILE= \
		"$PY" "$ROOT/tests/gss/gss_interop.py" "$mode" "$T" 2>&1)
	echo "$out" | grep -E '^(ok|FAIL) ' | grep -v '^ok ' || true
	n_ok=$(echo "$out" | grep -c '^ok ')
	n_bad=$(echo "$out" | grep -c '^FAIL ')
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	echo "---- $mode: $n_ok checks passed"
	if [ "$n_ok" -eq 0 ] && [ "$n_bad" -eq 0 ]; then
		bad "$mode" "$(echo "$out" | tail -3)"
	fi
done

# --- the module's C tests (direct calls, no glue)
if [ -x "$B/gss/test_gss" ]; then
	if out=$(cd "$T" && NTLMSSP_CONF="$T/empty.conf" "$B/gss/test_gss" 2>&1); then
		echo "$out" | grep "heap per"
		ok "test_gss: $(echo "$out" | tail -1)"
	else
		bad "test_gss" "$(echo "$out" | tail -5)"
	fi
else
	bad "test_gss" "not built"
fi
finish
