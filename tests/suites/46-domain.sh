#!/usr/bin/env bash
# Our server against a real Active Directory domain controller: a private
# Samba AD DC provisioned here (tests/domain/dc.sh: temp dir, its own
# loopback address, sockets and pid files of its own), with users made by
# tests/domain/users.py and the lockout threshold by samba-tool. Then
# build/tests/domain/test_domain (tests/domain/test_domain.c) runs our
# server's winbind store and chained store against the DC's winbindd,
# times 1,000 domain logons, and runs again with the DC stopped. A block of
# its own runs ntlm_auth against the DC (--require-membership-of, the chained
# store's options), next to Samba's /usr/bin/ntlm_auth on the same requests.
# Prints "domain: N passed, N failed" last; exits non-zero on a failure.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "domain: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; } # from to (seconds)

T=$(mktemp -d /tmp/ntlm-domain.XXXXXX)
: >"$T/empty.conf" # a local policy file must not change what the test expects
export NTLMSSP_CONF=$T/empty.conf
DC_DIR=$T/dc
# shellcheck source=tests/domain/dc.sh
. tests/domain/dc.sh
rpc_pid=""
sso_http_pid=""
cleanup() {
	[ -n "$rpc_pid" ] && kill "$rpc_pid" 2>/dev/null
	[ -n "$sso_http_pid" ] && kill "$sso_http_pid" 2>/dev/null
	dc_stop
	[ -n "${DOMAIN_KEEP:-}" ] && echo "domain: keeping $T" || rm -rf "$T"
}
trap cleanup EXIT

# --- prerequisites
TD=build/tests/domain/test_domain
NTLM=build/tools/ntlm
[ -x "$TD" ] && [ -x "$NTLM" ] || { bad "prerequisites" "$TD or $NTLM missing (build first)"; finish; }
nm build/libntlmssp.a 2>/dev/null | grep -q 'U wbcCtxAuthenticateUserEx' ||
	{ bad "prerequisites" "the library was built without libwbclient (libwbclient-dev)"; finish; }
for need in samba samba-tool wbinfo; do
	command -v "$need" >/dev/null 2>&1 ||
		{ bad "prerequisites" "$need not found (samba, samba-ad-provision, winbind)"; finish; }
done
[ -r "$NSS_WRAPPER_SO" ] || { bad "prerequisites" "no $NSS_WRAPPER_SO (libnss-wrapper)"; finish; }
dc_address_free || { bad "prerequisites" "$DC_IP:389 is taken (another DC running?)"; finish; }

# --- the DC
t0=$(date +%s.%N)
if dc_provision; then
	t1=$(date +%s.%N)
	ok "DC provisioned ($DC_DOMAIN, $DC_REALM on $DC_IP) in $(elapsed "$t0" "$t1") s"
else
	bad "provision" "$(tail -5 "$DC_DIR/log/provision.out" | tr '\n' ' ')"
	finish
fi
if dc_users; then
	t2=$(date +%s.%N)
	ok "users, group and lockout threshold $DC_LOCKOUT_THRESHOLD made in $(elapsed "$t1" "$t2") s"
else
	bad "users" "$(tail -5 "$DC_DIR/log/users.out" | tr '\n' ' ')"
	finish
fi
if dc_start; then
	t3=$(date +%s.%N)
	ok "samba started (PID $DC_PID), its winbindd answers, in $(elapsed "$t2" "$t3") s"
else
	bad "samba starts" "$(tail -5 "$DC_DIR/log/samba.out" | tr '\n' ' ')"
	finish
fi

sid_of() { in_dc timeout 10 wbinfo -n "$DC_DOMAIN\\$1" | awk '{print $1}'; }
export DC_DOMAIN DC_LOCKOUT_THRESHOLD
DC_DNS_DOMAIN=$(echo "$DC_REALM" | tr 'A-Z' 'a-z')
DC_USER_SID=$(sid_of alice)
DC_GROUP_SID=$(sid_of ntlmgrp)
export DC_DNS_DOMAIN DC_USER_SID DC_GROUP_SID
case "$DC_USER_SID/$DC_GROUP_SID" in
S-1-5-21-*/S-1-5-21-*) ok "SIDs: alice $DC_USER_SID, ntlmgrp $DC_GROUP_SID" ;;
*) bad "SIDs from wbinfo -n" "'$DC_USER_SID' '$DC_GROUP_SID'"; finish ;;
esac

# the server's own accounts: alice (not the domain's password) and zed
export DC_LOCAL_FILE=$T/local.smbpasswd
for acct in "alice Local-Alice#1" "zed Zed-Pass#1"; do
	set -- $acct
	echo "$2" | "$NTLM" passwd --account-file "$DC_LOCAL_FILE" --uid 65534 --stdin add "$1" >/dev/null ||
		{ bad "local account $1"; finish; }
done

# Counts the "ok   name" / "FAIL name" lines of test_domain (t.h's format).
run_phase() { # phase
	local out="$T/test-$1.out"
	in_nss timeout -k 5 120 "$TD" "$1" >"$out" 2>&1
	local rc=$?
	sed 's/^/    /' "$out"
	local n_ok n_bad
	n_ok=$(grep -c '^ok   ' "$out")
	n_bad=$(grep -c '^FAIL ' "$out")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	[ "$rc" -eq 0 ] || [ "$n_bad" -gt 0 ] || bad "test_domain $1" "exit status $rc"
}

# The GSSAPI acceptor over the same DC (tests/domain/gss_domain.py): winbind when
# no account file is configured, the chained store's keys, SIDs as name attributes.
# No account file may reach it: the suite's own environment names none.
GSS_CONF=build/gss/mech.build.conf
gss_phase() { # up|down
	local out="$T/gss-$1.out"
	if [ ! -f "$GSS_CONF" ] || ! /usr/bin/python3 -c 'import gssapi' 2>/dev/null; then
		bad "gssapi $1" "$GSS_CONF or python3-gssapi missing"
		return
	fi
	if [ -e /etc/ntlmssp/smbpasswd ]; then
		bad "gssapi $1" "/etc/ntlmssp/smbpasswd exists: the acceptor's default would not be winbind"
		return
	fi
	in_nss env -u NTLM_ACCOUNT_FILE -u NTLM_USER_FILE -u NETBIOS_DOMAIN_NAME -u NTLMSSP_AUDIT_LOG \
		GSS_MECH_CONFIG="$GSS_CONF" NETBIOS_COMPUTER_NAME=DOMSRV \
		timeout -k 5 120 /usr/bin/python3 tests/domain/gss_domain.py "$1" "$T" >"$out" 2>&1
	local rc=$?
	sed 's/^/    /' "$out"
	local n_ok n_bad
	n_ok=$(grep -c '^ok   ' "$out")
	n_bad=$(grep -c '^FAIL ' "$out")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	[ "$rc" -eq 0 ] || [ "$n_bad" -gt 0 ] || bad "gss_domain.py $1" "exit status $rc"
	[ "$n_ok" -gt 0 ] || [ "$n_bad" -gt 0 ] || bad "gss_domain.py $1" "no result: $(tail -3 "$out" | tr '\n' ' ')"
}

# --- the DC running (with winbind's NSS, when there, so idmap's account has a name)
NSS_WINBIND_SO=${NSS_WINBIND_SO:-/usr/lib/x86_64-linux-gnu/libnss_winbind.so.2}
in_nss() { in_dc env NSS_WRAPPER_MODULE_SO_PATH="$NSS_WINBIND_SO" NSS_WRAPPER_MODULE_FN_PREFIX=winbind "$@"; }
[ -r "$NSS_WINBIND_SO" ] && export DC_UNIX_USER="$DC_DOMAIN\\alice"
run_phase up
gss_phase up

# --- the tool: `ntlm client` against `ntlm server --winbind --fallback-account-file`
# (tests/winbind/tool_relay.py relays the tokens and checks keys and sealing)
tool() { # label want-regex client-domain user password [server options]
	local label=$1 want=$2 dom=$3 user=$4 pw=$5
	shift 5
	local out
	out=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/winbind/tool_relay.py "$NTLM" \
		--user "$user" --domain "$dom" --password "$pw" -- \
		--winbind --computer-name DOMSRV --audit-log "$T/audit.log" "$@" 2>&1)
	if echo "$out" | grep -qE "$want"; then ok "ntlm server: $label"; else bad "ntlm server: $label" "$(echo "$out" | tr '\n' ' ' | head -c 300)"; fi
}
last_audit_has() { tail -1 "$T/audit.log" | grep -q "$1"; }
FB=(--fallback-account-file "$DC_LOCAL_FILE")
tool "domain user, domain names from winbind" "^DONE user=$DC_DOMAIN\\\\alice " \
	"$DC_DOMAIN" alice Alice-Pass#1 --domain-names-from-winbind "${FB[@]}"
last_audit_has '"account_source":"domain"' && ok "audit: account_source domain" ||
	bad "audit: account_source domain" "$(tail -1 "$T/audit.log")"
tool "foreign domain, local account" "^DONE user=DOMSRV\\\\zed " OTHERDOM zed Zed-Pass#1 "${FB[@]}"
last_audit_has '"account_source":"local"' && ok "audit: account_source local" ||
	bad "audit: account_source local" "$(tail -1 "$T/audit.log")"
tool "domain user, the local password refused" "^FAIL .*LOGON_FAILURE" \
	"$DC_DOMAIN" alice Local-Alice#1 "${FB[@]}" --fallback-when-unreachable
tool "foreign domain without --fallback-account-file refused" "^FAIL .*LOGON_FAILURE" OTHERDOM zed Zed-Pass#1
last_audit_has '"error":"NTLM_E_NO_SUCH_DOMAIN"' && ok "audit: NTLM_E_NO_SUCH_DOMAIN kept" ||
	bad "audit: NTLM_E_NO_SUCH_DOMAIN kept" "$(tail -1 "$T/audit.log")"

# =============================================================================
# --- ntlm_auth against the DC (issues 13 and 14): --require-membership-of decided
# from the logon's SIDs, and the chained store as ntlm_auth options. Samba's own
# /usr/bin/ntlm_auth answers the same requests against the same DC where it can:
# its output and exit status must be ours, byte for byte.
NA=build/tools/ntlm_auth
SAMBA_NA=/usr/bin/ntlm_auth
NA_LOG=$T/na-audit.log
na_client=()
client_as() { na_client=("$NA" --helper-protocol=ntlmssp-client-1 --domain="$1" --username="$2" --password="$3"); }
# one handshake of $na_client against a server helper: the server's last answer
relay() { in_dc timeout -k 5 60 /usr/bin/python3 tests/ntlm_auth/relay.py "${na_client[@]}" -- "$@" 2>&1 | tail -1; }
samba_na=("$SAMBA_NA" --configfile="$DC_CONF")
pw_of() { # alice -> Alice-Pass#1
	[ "$1" = Administrator ] && echo "$DC_ADMINPASS" || echo "$(echo "${1:0:1}" | tr a-z A-Z)${1:1}-Pass#1"
}
one_line() { echo "$1" | tr '\n' ' ' | sed 's/ $//'; }
same() { # label ours samba [want-regex, on the answer as one line]
	if [ "$2" = "$3" ] && { [ -z "${4:-}" ] || one_line "$2" | grep -qE "$4"; }; then
		ok "ntlm_auth $1: $(one_line "$2") (Samba's too)"
	else
		bad "ntlm_auth $1" "ours '$(one_line "$2")', Samba's '$(one_line "$3")'"
	fi
}
na_t0=$(date +%s.%N)
if [ ! -x "$NA" ] || [ ! -x "$SAMBA_NA" ]; then
	bad "ntlm_auth prerequisites" "$NA or $SAMBA_NA missing"
else
	# member / non-member of the group given by SID, through both NTLMSSP server modes
	for proto in squid-2.5-ntlmssp gss-spnego; do
		for u in alice bob; do
			client_as "$DC_DOMAIN" "$u" "$(pw_of "$u")"
			want='NA (\* )?NT_STATUS_LOGON_FAILURE$'
			[ "$u" = alice ] && want="^AF (\* )?$DC_DOMAIN\\\\alice\$"
			same "$proto --require-membership-of=<ntlmgrp's SID>, $u" \
				"$(relay "$NA" --helper-protocol="$proto" --winbind --require-membership-of="$DC_GROUP_SID" --audit-log="$NA_LOG")" \
				"$(relay "$SAMBA_NA" --configfile="$DC_CONF" --helper-protocol="$proto" --require-membership-of="$DC_GROUP_SID")" "$want"
		done
	done
	grep -q '"user":"bob".*' "$NA_LOG" && tail -1 "$NA_LOG" | grep -q '"error":"NTLM_E_NOT_MEMBER"' &&
		ok "ntlm_auth: the audit log says NTLM_E_NOT_MEMBER (the client read a logon failure)" ||
		bad "ntlm_auth audit of a non-member" "$(tail -1 "$NA_LOG")"
	# by name: Samba 4.17's NTLMSSP modes pass the name to winbindd unresolved and answer
	# NT_STATUS_INVALID_PARAMETER to everybody (docs/interop.md); ours resolve it once
	for u in alice bob; do
		client_as "$DC_DOMAIN" "$u" "$(pw_of "$u")"
		got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp --winbind --require-membership-of="$DC_DOMAIN\\ntlmgrp")
		want="NA NT_STATUS_LOGON_FAILURE"
		[ "$u" = alice ] && want="AF $DC_DOMAIN\\alice"
		[ "$got" = "$want" ] && ok "ntlm_auth squid-2.5-ntlmssp --require-membership-of=$DC_DOMAIN\\ntlmgrp, $u: $got" ||
			bad "ntlm_auth squid-2.5-ntlmssp by group name, $u" "'$got'"
	done
	# one-shot (FreeRADIUS's mode): a plaintext password, and a challenge with an NTLMv2
	# response computed here; group and user names resolved through winbindd, BUILTIN's
	# aliases (S-1-5-32-545 Users) as winbindd expands them
	for case in "$DC_DOMAIN\\ntlmgrp alice" "$DC_DOMAIN\\ntlmgrp bob" "ntlmgrp bob" "$DC_DOMAIN\\alice alice" "$DC_DOMAIN\\alice bob" \
		"BUILTIN\\Administrators alice" "BUILTIN\\Administrators Administrator" "S-1-5-32-545 alice"; do
		set -- $case
		args=(--username="$2" --domain="$DC_DOMAIN" --password="$(pw_of "$2")" --require-membership-of="$1")
		same "one-shot --require-membership-of=$1, $2" \
			"$(in_dc "$NA" --winbind "${args[@]}" 2>&1; echo "exit $?")" "$(in_dc "${samba_na[@]}" "${args[@]}" 2>&1; echo "exit $?")"
	done
	for u in alice bob; do
		nt=$(/usr/bin/python3 tests/domain/ntlmv2.py "$u" "$DC_DOMAIN" "$(pw_of "$u")" 0102030405060708)
		args=(--username="$u" --domain="$DC_DOMAIN" --challenge=0102030405060708 --nt-response="$nt"
			--request-nt-key --require-membership-of="$DC_DOMAIN\\ntlmgrp")
		same "one-shot --challenge --nt-response (NTLMv2) --request-nt-key, member of ntlmgrp, $u" \
			"$(in_dc "$NA" --winbind "${args[@]}" 2>&1; echo "exit $?")" "$(in_dc "${samba_na[@]}" "${args[@]}" 2>&1; echo "exit $?")"
	done
	basic=$(printf '%s %s\n' alice "$(pw_of alice | sed 's/#/%23/')" bob "$(pw_of bob | sed 's/#/%23/')")
	same "squid-2.5-basic --require-membership-of=$DC_DOMAIN\\ntlmgrp, alice and bob" \
		"$(echo "$basic" | in_dc "$NA" --helper-protocol=squid-2.5-basic --winbind --require-membership-of="$DC_DOMAIN\\ntlmgrp" 2>&1)" \
		"$(echo "$basic" | in_dc "${samba_na[@]}" --helper-protocol=squid-2.5-basic --require-membership-of="$DC_DOMAIN\\ntlmgrp" 2>&1)" '^OK ERR$'
	# a name winbindd cannot resolve: Samba's words on stderr, exit 1 (ours before any request)
	args=(--username=alice --domain="$DC_DOMAIN" --password="$(pw_of alice)" --require-membership-of="$DC_DOMAIN\\nosuchgroup")
	same "one-shot --require-membership-of=$DC_DOMAIN\\nosuchgroup" \
		"$(in_dc "$NA" --winbind "${args[@]}" 2>&1; echo "exit $?")" "$(in_dc "${samba_na[@]}" "${args[@]}" 2>&1; echo "exit $?")" 'exit 1$'
	out=$(in_dc "$NA" --helper-protocol=squid-2.5-ntlmssp --winbind --require-membership-of="$DC_DOMAIN\\nosuchgroup" </dev/null 2>&1)
	[ $? -eq 1 ] && [ "$out" = "Winbindd lookupname failed to resolve $DC_DOMAIN\\nosuchgroup into a SID!" ] &&
		ok "ntlm_auth squid-2.5-ntlmssp with an unresolvable group: stops at start (exit 1, Samba's words)" ||
		bad "ntlm_auth squid-2.5-ntlmssp with an unresolvable group" "$out"

	# the chained store: the domain first, the local account for a foreign domain only
	FBA=(--fallback-account-file="$DC_LOCAL_FILE")
	client_as "$DC_DOMAIN" alice Alice-Pass#1
	tt=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/ntlm_auth/relay.py "${na_client[@]}" -- "$NA" \
		--helper-protocol=squid-2.5-ntlmssp "${FBA[@]}" --domain-names-from-winbind 2>&1)
	if [ "$(echo "$tt" | tail -1)" = "AF $DC_DOMAIN\\alice" ] &&
		/usr/bin/python3 -c 'import base64, sys; sys.exit(sys.argv[2].encode("utf-16-le") not in base64.b64decode(sys.argv[1]))' \
			"$(echo "$tt" | head -1 | cut -d' ' -f2)" "$DC_DNS_DOMAIN"; then
		ok "ntlm_auth chained store: domain user -> AF $DC_DOMAIN\\alice; the CHALLENGE names $DC_DNS_DOMAIN (--domain-names-from-winbind)"
	else
		bad "ntlm_auth chained store, domain user" "$(echo "$tt" | tr '\n' ' ' | head -c 300)"
	fi
	client_as OTHERDOM zed Zed-Pass#1
	got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp "${FBA[@]}" --audit-log="$NA_LOG")
	case "$got" in
	"AF $DC_DOMAIN\\"*) bad "ntlm_auth chained store, foreign domain" "'$got' (the domain's?)" ;;
	"AF "*\\zed) tail -1 "$NA_LOG" | grep -q '"account_source":"local"' &&
		ok "ntlm_auth chained store: OTHERDOM\\zed -> the local account: $got" ||
		bad "ntlm_auth chained store audit" "$(tail -1 "$NA_LOG")" ;;
	*) bad "ntlm_auth chained store, foreign domain" "'$got'" ;;
	esac
	got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp "${FBA[@]}" --require-membership-of="$DC_GROUP_SID")
	[ "$got" = "NA NT_STATUS_LOGON_FAILURE" ] &&
		ok "ntlm_auth chained store + --require-membership-of: a local account has no SIDs -> $got" ||
		bad "ntlm_auth chained store + membership, local account" "'$got'"
	client_as "$DC_DOMAIN" alice Local-Alice#1
	got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp "${FBA[@]}" --fallback-when-unreachable)
	[ "$got" = "NA NT_STATUS_LOGON_FAILURE" ] &&
		ok "ntlm_auth chained store: $DC_DOMAIN\\alice with the local password -> $got (no fallback)" ||
		bad "ntlm_auth chained store, wrong domain password" "'$got'"
fi
echo "    ntlm_auth against the DC: $(elapsed "$na_t0" "$(date +%s.%N)") s"
# =============================================================================

# --- impersonation: the RPC demo server with the winbind store impersonates a
# domain user as the Unix account winbind's NSS gives it (its idmap). NSS
# reaches the DC's winbindd through nss_wrapper's module hook and libnss_winbind.
if [ ! -r "$NSS_WINBIND_SO" ]; then
	bad "impersonation" "no $NSS_WINBIND_SO (libnss-winbind)"
else
	alice_pw=$(in_nss getent passwd "$DC_DOMAIN\\alice")
	alice_uid=$(echo "$alice_pw" | cut -d: -f3)
	case "$alice_uid" in
	[1-9]*) ok "NSS (winbind, idmap): $alice_pw" ;;
	*) bad "NSS (winbind, idmap) names alice" "'$alice_pw'" ;;
	esac
	in_nss build/rpc/rpc-demo-server --listen 'ncacn_ip_tcp:127.0.0.1[0]' --winbind \
		--computer DOMSRV --port-file "$T/rpc.port" >"$T/rpc-server.log" 2>&1 &
	rpc_pid=$!
	for _ in $(seq 100); do [ -s "$T/rpc.port" ] && break; sleep 0.1; done
	rpc_out=$(in_nss timeout 60 build/rpc/rpc-demo-client --binding "ncacn_ip_tcp:127.0.0.1[$(cat "$T/rpc.port" 2>/dev/null)]" \
		--user alice --password Alice-Pass#1 --domain "$DC_DOMAIN" whoami --impersonate 2>&1)
	echo "$rpc_out" | sed 's/^/    /'
	if echo "$rpc_out" | grep -q "^whoami: status=0 euid=$alice_uid " &&
		echo "$rpc_out" | grep -qF "client=$DC_DOMAIN\\alice"; then
		ok "RPC: impersonated $DC_DOMAIN\\alice as uid $alice_uid, the blanket names $DC_DOMAIN\\alice"
	else
		bad "RPC impersonation of a domain user" "$(echo "$rpc_out" | tr '\n' ' ' | head -c 300)"
	fi
	kill "$rpc_pid" 2>/dev/null
	wait "$rpc_pid" 2>/dev/null
	rpc_pid=""
fi

# --- 1,000 domain logons in a row, and as many against a local store
if in_dc timeout -k 5 150 "$TD" bench "${DOMAIN_LOGONS:-1000}" >"$T/bench.out" 2>&1; then
	sed 's/^/    /' "$T/bench.out"
	ok "${DOMAIN_LOGONS:-1000} domain logons timed"
else
	bad "domain logons timed" "$(tail -3 "$T/bench.out" | tr '\n' ' ')"
fi

# --- single sign-on: the client takes a domain user's credentials from
# winbindd's memory cache (ntlm_cred_from_winbind_cache; docs/winbind.md).
# The cache is filled as the user's uid would fill it at logon (pam_winbind
# does the same call: wbinfo --ccache-save); winbindd lets only that uid, and
# root, use the entry. Our server (root: winbindd's privileged pipe) verifies.
sso_block() {
	local u1=3000901 u2=3000902 out
	# the unprivileged client must reach the DC's winbindd socket under $T, and
	# our ntlm_auth with the library its RUNPATH ($ORIGIN/..) names: a copy in
	# $T, since the tree may lie under a directory only root may enter
	chmod 755 "$T" "$DC_DIR"
	mkdir -p "$T/bin" && cp build/tools/ntlm_auth "$T/bin/ntlm_auth" &&
		cp -L build/libntlmssp.so.0 "$T/libntlmssp.so.0" && chmod 755 "$T/bin" "$T/bin/ntlm_auth" ||
		{ bad "SSO: copy ntlm_auth to $T/bin"; return; }
	if in_dc setpriv --reuid=$u1 --regid=$u1 --clear-groups \
		wbinfo --ccache-save="$DC_DOMAIN\\bob%Bob-Pass#1" >"$T/ccache.out" 2>&1; then
		ok "SSO: bob's password saved in winbindd's cache as uid $u1"
	else
		bad "SSO: wbinfo --ccache-save" "$(cat "$T/ccache.out")"
		return
	fi
	sso() { # label want-regex uid user [server options]
		local label=$1 want=$2 uid=$3 user=$4
		shift 4
		out=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/winbind/tool_relay.py "$NTLM" --client-as "$uid" \
			--user "$user" --domain "$DC_DOMAIN" --winbind-ccache -- \
			--winbind --computer-name DOMSRV --audit-log "$T/audit.log" "$@" 2>&1)
		if echo "$out" | grep -qE "$want"; then ok "SSO: $label"; else bad "SSO: $label" "$(echo "$out" | tr '\n' ' ' | head -c 300)"; fi
	}
	sso "uid $u1 logs on as bob from the cache (MIC required), sealing both ways" \
		"^DONE user=$DC_DOMAIN\\\\bob .*kind=NTLMv2" $u1 bob --require-mic
	echo "$out" | grep -q '^sealed$' && ok "SSO: keys agree, sealed both ways" || bad "SSO: sealing" "$out"
	tail -1 "$T/audit.log" | grep -q '"mic":1\|"mic":true' && ok "SSO: the server verified the MIC" ||
		bad "SSO: the server verified the MIC" "$(tail -1 "$T/audit.log")"
	sso "another uid ($u2) is refused bob's entry" "NTLM_E_NO_CREDENTIALS" $u2 bob
	sso "no entry for alice: a clear error" "winbindd's credential cache: no credentials available" $u1 alice
	# winbindd's client sends no target name and zero bindings: asking for them is refused
	out=$(in_dc setpriv --reuid=$u1 --regid=$u1 --clear-groups "$NTLM" client --winbind-ccache \
		--user bob --domain "$DC_DOMAIN" --target-name HTTP/web.example </dev/null 2>&1)
	echo "$out" | grep -q "NTLM_E_UNSUPPORTED" && ok "SSO: --target-name with the cache refused (NTLM_E_UNSUPPORTED)" ||
		bad "SSO: --target-name with the cache" "$out"
	# Samba's own server (its ntlm_auth, squid-2.5-ntlmssp, over the DC's winbindd)
	# and ours, with our ntlm_auth --use-cached-creds as the client (curl's --ntlm-wb line)
	local client="setpriv --reuid=$u1 --regid=$u1 --clear-groups $T/bin/ntlm_auth --helper-protocol=ntlmssp-client-1 --use-cached-creds --domain=$DC_DOMAIN"
	out=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/domain/sso_relay.py "$client --username=bob" \
		"/usr/bin/ntlm_auth --configfile=$DC_CONF --helper-protocol=squid-2.5-ntlmssp" 2>&1)
	echo "$out" | grep -q "^AF $DC_DOMAIN\\\\bob$" && ok "SSO: ntlm_auth --use-cached-creds → Samba's squid-2.5-ntlmssp: AF $DC_DOMAIN\\bob" ||
		bad "SSO: ntlm_auth --use-cached-creds against Samba's server" "$(echo "$out" | tr '\n' ' ')"
	out=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/domain/sso_relay.py "$client --username=bob" \
		"$ROOT/build/tools/ntlm_auth --helper-protocol=squid-2.5-ntlmssp --winbind" 2>&1)
	echo "$out" | grep -q "^AF $DC_DOMAIN\\\\bob$" && ok "SSO: ntlm_auth --use-cached-creds → our squid-2.5-ntlmssp --winbind" ||
		bad "SSO: ntlm_auth --use-cached-creds against our server" "$(echo "$out" | tr '\n' ' ')"
	out=$(in_dc timeout -k 5 60 /usr/bin/python3 tests/domain/sso_relay.py "$client --username=alice" \
		"/usr/bin/ntlm_auth --configfile=$DC_CONF --helper-protocol=squid-2.5-ntlmssp" 2>&1)
	echo "$out" | grep -q "^client: PW$" && ok "SSO: ntlm_auth without a cache entry asks for the password (PW)" ||
		bad "SSO: ntlm_auth without a cache entry" "$(echo "$out" | tr '\n' ' ')"
	sso_curl $u1 $u2
}

# curl --ntlm-wb (Debian's curl runs /usr/bin/ntlm_auth --use-cached-creds): ours
# bind-mounted there in a private mount namespace, curl as the uid, against a
# small NTLM web server whose helper is our squid-2.5-ntlmssp --winbind.
sso_curl() { # uid-with-entry uid-without
	# started without the in_dc function, so that $! is the server's own PID
	LD_PRELOAD="$NSS_WRAPPER_SO" NSS_WRAPPER_PASSWD=/etc/passwd NSS_WRAPPER_GROUP=/etc/group \
		SELFTEST_WINBINDD_SOCKET_DIR="$DC_DIR/winbindd" /usr/bin/python3 tests/domain/ntlm_http.py \
		"$T/http.port" "$T/bin/ntlm_auth" --helper-protocol=squid-2.5-ntlmssp --winbind 2>"$T/http.log" &
	sso_http_pid=$!
	for _ in $(seq 100); do [ -s "$T/http.port" ] && break; sleep 0.1; done
	local url uid body
	url="http://127.0.0.1:$(cat "$T/http.port" 2>/dev/null)/"
	for uid in "$@"; do
		body=$(in_dc env LD_LIBRARY_PATH="$T" unshare -m --propagation private sh -c \
			'mount --bind "$0" /usr/bin/ntlm_auth && exec setpriv --reuid=$1 --regid=$1 --clear-groups curl -s --max-time 20 --ntlm-wb -u "$2:" -w " %{http_code}" "$3"' \
			"$T/bin/ntlm_auth" "$uid" "$DC_DOMAIN\\bob" "$url" 2>&1)
		if [ "$uid" = "$1" ]; then
			[ "$body" = "hello $DC_DOMAIN\\bob
 200" ] && ok "SSO: curl --ntlm-wb as uid $uid (our ntlm_auth --use-cached-creds): 200, $DC_DOMAIN\\bob" ||
				bad "SSO: curl --ntlm-wb from the cache" "$body"
		else
			case "$body" in *" 200") bad "SSO: curl --ntlm-wb as another uid" "$body" ;;
			*) ok "SSO: curl --ntlm-wb as uid $uid (no entry of its own): refused (${body##* })" ;; esac
		fi
	done
	kill "$sso_http_pid" 2>/dev/null
	wait "$sso_http_pid" 2>/dev/null
	sso_http_pid=""
}
sso_block

# --- the DC stopped: the configured behaviour
dc_pid=$DC_PID
dc_stop
if kill -0 "$dc_pid" 2>/dev/null; then bad "DC stopped" "PID $dc_pid still there"; else ok "DC stopped (PID $dc_pid)"; fi
run_phase down
gss_phase down
tool "DC stopped: refused by default" "^FAIL .*BACKEND" "$DC_DOMAIN" alice Local-Alice#1 "${FB[@]}"
tool "DC stopped: --fallback-when-unreachable" "^DONE user=DOMSRV\\\\alice " \
	"$DC_DOMAIN" alice Local-Alice#1 "${FB[@]}" --fallback-when-unreachable
# ntlm_auth's chained store with the DC stopped (the block above has its helpers)
if [ -x "$NA" ]; then
	client_as "$DC_DOMAIN" alice Local-Alice#1
	got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp "${FBA[@]}")
	case "$got" in
	NA\ *) ok "ntlm_auth, DC stopped: refused by default ($got)" ;;
	*) bad "ntlm_auth, DC stopped, default" "'$got'" ;;
	esac
	got=$(relay "$NA" --helper-protocol=squid-2.5-ntlmssp "${FBA[@]}" --fallback-when-unreachable)
	case "$got" in
	"AF $DC_DOMAIN\\"*) bad "ntlm_auth, DC stopped, --fallback-when-unreachable" "'$got'" ;;
	"AF "*\\alice) ok "ntlm_auth, DC stopped, --fallback-when-unreachable: the local account: $got" ;;
	*) bad "ntlm_auth, DC stopped, --fallback-when-unreachable" "'$got'" ;;
	esac
	# (Samba's helper, its winbindd gone too, prints "could not obtain winbind separator!",
	# "Reading winbind reply failed! (0x01)" and a success line ":  (0x0)", exit 1)
	out=$(in_dc "$NA" "${FBA[@]}" --username=alice --domain="$DC_DOMAIN" --password=Local-Alice#1 2>&1; echo "exit $?")
	[ "$(one_line "$out")" = "NT_STATUS_UNSUCCESSFUL: Reading winbind reply failed! (0xc0000001) exit 1" ] &&
		ok "ntlm_auth one-shot, DC stopped: $(one_line "$out")" || bad "ntlm_auth one-shot, DC stopped" "$out"
fi
finish
