#!/usr/bin/env bash
# End to end with a real FreeRADIUS 3.2: its mschap module runs our
# ntlm_auth (one-shot mode, --allow-mschapv2) for MS-CHAPv1 (radtest),
# MS-CHAPv2 (attributes computed by tests/radius/mschap.py, sent with
# radclient), EAP-MSCHAPv2 and PEAP-MSCHAPv2 (eapol_test, a real 802.1X
# login). Right password -> Access-Accept, wrong password or unknown user ->
# Access-Reject; the keys FreeRADIUS derives from the NT key ntlm_auth
# returns (MS-CHAP-MPPE-Keys, MS-MPPE-Send-Key/Recv-Key, the EAP MSK) and
# the MS-CHAP2-Success authenticator response are checked against values
# computed independently from RFC 2548/2759/3079.
# FreeRADIUS runs in the foreground from a minimal configuration written
# into a temporary directory (nothing under /etc is read but the packaged
# dictionaries), on 127.0.0.1 and a free port; it is ended by PID on exit.
# Prints "radius: N passed, N failed" last; exits non-zero on a failure.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
NTLM_AUTH=$ROOT/build/tools/ntlm_auth
NTLM=$ROOT/build/tools/ntlm
PY=/usr/bin/python3
MSCHAP=$ROOT/tests/radius/radius_check.py
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "radius: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

for need in freeradius radclient radtest eapol_test openssl "$PY" "$NTLM_AUTH" "$NTLM"; do
	if ! command -v "$need" >/dev/null 2>&1 && [ ! -x "$need" ]; then
		bad "prerequisites" "$need not found (apt-get install freeradius freeradius-utils eapoltest openssl python3-samba; build first)"
		finish
	fi
done
"$PY" -c 'import samba.crypto, cryptography' 2>/dev/null ||
	{ bad "prerequisites" "python3-samba and python3-cryptography are needed"; finish; }

T=$(mktemp -d /tmp/ntlm-radius.XXXXXX)
radius_pid=""
# stop_group, in_wbenv, wb_setup, start_winbindd (shared with 36-ntlm-auth and 45-winbind)
. "$ROOT/tests/winbind/wbsetup.sh"
cleanup() {
	if [ -n "$radius_pid" ]; then
		kill "$radius_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$radius_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$radius_pid" 2>/dev/null
		wait "$radius_pid" 2>/dev/null
	fi
	stop_group "$winbindd_pid"
	[ -n "${KEEP_T:-}" ] && echo "radius: keeping $T" || rm -rf "$T"
}
trap cleanup EXIT

free_udp_port() {
	"$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# RADIUS_PARTS picks parts (the mutants' runs use it): oneshot, winbind, freeradius
PARTS=" ${RADIUS_PARTS:-oneshot winbind freeradius} "
has_part() { [ "${PARTS#* "$1" }" != "$PARTS" ]; }
USER=alice
PASSWORD='Radius-Passw0rd'
WRONG='Radius-Passw0rd?'
SECRET=radius-test-secret
# the policy is passed on the command line: FreeRADIUS gives its helpers no environment
: >"$T/empty.conf"
"$NTLM" passwd --account-file "$T/accounts" --password-on-command-line "$PASSWORD" add "$USER" >/dev/null ||
	{ bad "account file"; finish; }

# --- the one-shot mode as FreeRADIUS runs it: an empty environment, everything in options
SHORT=Carol-Pw1 # an LM hash needs at most 14 bytes
{ "$NTLM" passwd --account-file "$T/accounts" --password-on-command-line "$SHORT" --with-lm-hash \
	add carol && "$NTLM" passwd --account-file "$T/accounts" --password-on-command-line "$PASSWORD" \
	add dave && "$NTLM" passwd --account-file "$T/accounts" disable dave; } >/dev/null ||
	{ bad "account file"; finish; }
CHAL=0123456789abcdef
NT_KEY=$("$PY" "$MSCHAP" nt-key "$PASSWORD" | tr a-f A-F)
GOOD=$("$PY" "$MSCHAP" response "$CHAL" "$PASSWORD")
BAD=$("$PY" "$MSCHAP" response "$CHAL" "$WRONG")
LOGON_FAILURE="The attempted logon is invalid. This is either due to a bad username or authentication information. (0xc000006d)"
oneshot() { # policy-file args... -> $out (stdout), $err (stderr), $rc
	local policy=$1
	shift
	out=$(env -i "$NTLM_AUTH" --policy="$policy" --account-file="$T/accounts" \
		--audit-log="$T/oneshot-audit.log" "$@" 2>"$T/oneshot.err")
	rc=$?
	err=$(cat "$T/oneshot.err")
}
expect() { # label want-rc want-stdout
	if [ "$rc" = "$2" ] && [ "$out" = "$3" ]; then ok "ntlm_auth one-shot: $1"; else
		bad "ntlm_auth one-shot: $1" "exit $rc, stdout '$out', stderr '$err'"
	fi
}
last_audit() { tail -1 "$T/oneshot-audit.log" 2>/dev/null; }
echo "allowed_responses = ntlmv1, ntlmv2" >"$T/ntlmv1.conf"
# the checks: an MS-CHAP answer with and without --allow-mschapv2, refusals, keys, hex
oneshot_checks() {
	oneshot "$T/empty.conf" --request-nt-key --allow-mschapv2 --username="$USER" --challenge="$CHAL" --nt-response="$GOOD"
	expect "MS-CHAP answer with --allow-mschapv2: NT_KEY (MD4 of the NT hash, upper-case hex)" 0 "NT_KEY: $NT_KEY"
	last_audit | grep -q '"result":"success".*"response":"MS-CHAP"' && ok "ntlm_auth one-shot: audited as MS-CHAP" ||
		bad "ntlm_auth one-shot: audited as MS-CHAP" "$(last_audit)"
	oneshot "$T/empty.conf" --request-nt-key --username="$USER" --challenge="$CHAL" --nt-response="$GOOD"
	expect "the same answer without --allow-mschapv2 is NTLMv1: refused by the default policy" 1 "$LOGON_FAILURE"
	last_audit | grep -q '"result":"failure".*"response":"NTLMv1".*' && last_audit | grep -q '"rule":"allowed_responses"' &&
		ok "ntlm_auth one-shot: the refusal is audited as NTLMv1, rule allowed_responses" ||
		bad "ntlm_auth one-shot: NTLMv1 refusal audited" "$(last_audit)"
	oneshot "$T/ntlmv1.conf" --request-nt-key --username="$USER" --challenge="$CHAL" --nt-response="$GOOD"
	expect "without --allow-mschapv2, a policy that allows ntlmv1 accepts it as NTLMv1" 0 "NT_KEY: $NT_KEY"
	oneshot "$T/empty.conf" --request-nt-key --allow-mschapv2 --username="$USER" --challenge="$CHAL" --nt-response="$BAD"
	expect "wrong password: refused" 1 "$LOGON_FAILURE"
	oneshot "$T/empty.conf" --request-nt-key --allow-mschapv2 --username=nobody --challenge="$CHAL" --nt-response="$GOOD"
	expect "unknown user: refused, in the same words as a wrong password" 1 "$LOGON_FAILURE"
	oneshot "$T/empty.conf" --request-nt-key --allow-mschapv2 --username=dave --challenge="$CHAL" --nt-response="$GOOD"
	expect "disabled account, right password: refused as disabled (FreeRADIUS: error 691)" 1 \
		"The referenced account is currently disabled and cannot be logged on to. (0xc0000072)"
	echo "require_mic = yes" >"$T/mic.conf"
	oneshot "$T/mic.conf" --request-nt-key --allow-mschapv2 --username="$USER" --challenge="$CHAL" --nt-response="$GOOD"
	expect "a policy requiring a MIC refuses (a bare response carries none)" 1 "$LOGON_FAILURE"
	LM_KEY=$("$PY" "$MSCHAP" lm-key "$SHORT" | tr a-f A-F)
	oneshot "$T/empty.conf" --request-lm-key --request-nt-key --allow-mschapv2 --username=carol \
		--challenge="$CHAL" --nt-response="$("$PY" "$MSCHAP" response "$CHAL" "$SHORT")"
	expect "--request-lm-key with an LM hash on file: LM_KEY, then NT_KEY" 0 "LM_KEY: $LM_KEY
NT_KEY: $("$PY" "$MSCHAP" nt-key "$SHORT" | tr a-f A-F)"
	oneshot "$T/empty.conf" --request-nt-key --allow-mschapv2 --username="$USER" --challenge="${CHAL:2}" --nt-response="$GOOD"
	if [ "$rc" = 1 ] && [ -z "$out" ] && [ "$err" = "hex decode of ${CHAL:2} failed! (only got 7 bytes)" ]; then
		ok "ntlm_auth one-shot: a 7-byte challenge is refused in Samba's words"
	else
		bad "ntlm_auth one-shot: short challenge" "exit $rc, stdout '$out', stderr '$err'"
	fi
}
has_part oneshot && oneshot_checks

# --- the same with --winbind: a private standalone Samba (tests/winbind/wbsetup.sh) whose
# winbindd allows NTLMv1 only for MS-CHAP ("ntlm auth = mschapv2-and-ntlmv2-only")
winbind_checks() {
	if ! nm build/libntlmssp.a 2>/dev/null | grep -q 'U wbcCtxAuthenticateUserEx'; then
		echo "radius: the library was built without libwbclient: --winbind is not checked"
		return 0
	fi
	if ! wb_setup; then
		bad "standalone Samba set-up" "$(tail -3 "$T/wbenv.err" | tr '\n' ' ')"
		return 0
	fi
	sed -i 's/^\( *ntlm auth =\).*/\1 mschapv2-and-ntlmv2-only/' "$WB_CONF"
	grep -q "ntlm auth = mschapv2-and-ntlmv2-only" "$WB_CONF" || { bad "smb.conf: ntlm auth"; return 0; }
	start_winbindd || { bad "winbindd starts" "$(tail -3 "$WB_DIR/log/winbindd.suite" | tr '\n' ' ')"; return 0; }
	local good bad_resp key
	good=$("$PY" "$MSCHAP" response "$CHAL" "$WB_PASSWORD")
	bad_resp=$("$PY" "$MSCHAP" response "$CHAL" "$WB_WRONG_PASSWORD")
	key=$("$PY" "$MSCHAP" nt-key "$WB_PASSWORD" | tr a-f A-F)
	wb_oneshot() { # policy args...
		local policy=$1
		shift
		out=$(in_wbenv "$NTLM_AUTH" --policy="$policy" --winbind --request-nt-key \
			--username="$WB_USER" --domain="$WB_DOMAIN" --challenge="$CHAL" "$@" 2>"$T/oneshot.err")
		rc=$?
		err=$(cat "$T/oneshot.err")
	}
	wb_oneshot "$T/empty.conf" --allow-mschapv2 --nt-response="$good"
	expect "--winbind, MS-CHAP answer: the domain accepts it (MSV1_0_ALLOW_MSVCHAPV2), NT_KEY" 0 "NT_KEY: $key"
	wb_oneshot "$T/ntlmv1.conf" --nt-response="$good"
	expect "--winbind, the same as NTLMv1 (our policy allows it): the domain refuses NTLMv1" 1 "$LOGON_FAILURE"
	wb_oneshot "$T/empty.conf" --allow-mschapv2 --nt-response="$bad_resp"
	expect "--winbind, wrong password: refused" 1 "$LOGON_FAILURE"
	# Samba's own ntlm_auth on the same winbindd, the same arguments: the same bytes and status
	local samba_ntlm_auth
	samba_ntlm_auth=$(command -v ntlm_auth || echo /usr/bin/ntlm_auth)
	same_as_samba() { # label args...
		local label=$1 ours theirs
		shift
		ours=$(in_wbenv "$NTLM_AUTH" --winbind --policy="$T/empty.conf" "$@" 2>&1; echo "exit $?")
		theirs=$(in_wbenv "$samba_ntlm_auth" --configfile="$WB_CONF" "$@" 2>&1; echo "exit $?")
		if [ "$ours" = "$theirs" ]; then ok "same output as Samba's ntlm_auth: $label"; else
			bad "same output as Samba's ntlm_auth: $label" "ours '$ours', Samba's '$theirs'"
		fi
	}
	if [ -x "$samba_ntlm_auth" ]; then
		local args=(--request-nt-key --request-lm-key --username="$WB_USER" --domain="$WB_DOMAIN" --challenge="$CHAL")
		same_as_samba "MS-CHAP answer" "${args[@]}" --allow-mschapv2 --nt-response="$good"
		same_as_samba "wrong password" "${args[@]}" --allow-mschapv2 --nt-response="$bad_resp"
		same_as_samba "without --allow-mschapv2" "${args[@]}" --nt-response="$good"
		same_as_samba "unknown user" --request-nt-key --allow-mschapv2 --username=nobody \
			--challenge="$CHAL" --nt-response="$good"
		same_as_samba "a 7-byte challenge" --request-nt-key --allow-mschapv2 --username="$WB_USER" \
			--challenge="${CHAL:2}" --nt-response="$good"
	else
		bad "prerequisites" "Samba's ntlm_auth not found (apt-get install winbind)"
	fi
	stop_group "$winbindd_pid"
	winbindd_pid=""
	wb_oneshot "$T/empty.conf" --allow-mschapv2 --nt-response="$good"
	expect "--winbind, winbindd stopped: Samba's words for it (FreeRADIUS: a failure, not a reject)" 1 \
		"Reading winbind reply failed! (0xc0000001)"
	if [ -x "$samba_ntlm_auth" ]; then
		same_as_samba "winbindd stopped" --request-nt-key --allow-mschapv2 \
			--username="$WB_USER" --domain="$WB_DOMAIN" --challenge="$CHAL" --nt-response="$good"
	fi
}
has_part winbind && winbind_checks

has_part freeradius || finish

# --- a test certificate authority and server certificate for EAP-TLS/PEAP
R=$T/raddb
mkdir -p "$R/certs" "$T/log" "$T/run"
(
	cd "$R/certs" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=ntlmssp test CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
			-subj "/CN=radius.test" &&
		printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' >ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
			-days 2 -extfile ext.cnf
) >"$T/openssl.log" 2>&1 || { bad "test certificates" "$(tail -3 "$T/openssl.log" | tr '\n' ' ')"; finish; }

PORT=$(free_udp_port)
NTLM_AUTH_CMD="$NTLM_AUTH --request-nt-key --allow-mschapv2 --policy=$T/empty.conf --account-file=$T/accounts --audit-log=$T/audit.log --username=%{mschap:User-Name} --challenge=%{mschap:Challenge:-00} --nt-response=%{mschap:NT-Response:-00}"

# --- the minimal FreeRADIUS configuration
: >"$R/dictionary"
cat >"$R/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = $T
sbindir = /usr/sbin
logdir = $T/log
raddbdir = $R
radacctdir = $T/log
name = freeradius
confdir = $R
modconfdir = $R
certdir = $R/certs
cadir = $R/certs
run_dir = $T/run
db_dir = $R
libdir = /usr/lib/freeradius
pidfile = $T/run/radiusd.pid
max_request_time = 30
cleanup_delay = 1
max_requests = 256
hostname_lookups = no
log {
	destination = files
	file = $T/log/radius.log
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = no
}
proxy_requests = no
client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = no
}
thread pool {
	start_servers = 2
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
	max_requests_per_server = 0
}
modules {
	mschap {
		use_mppe = yes
		require_encryption = no
		require_strong = no
		with_ntdomain_hack = yes
		ntlm_auth = "$NTLM_AUTH_CMD"
		ntlm_auth_timeout = 10
	}
	eap {
		default_eap_type = peap
		timer_expire = 60
		ignore_unknown_eap_types = no
		cisco_accounting_username_bug = no
		max_sessions = 64
		tls-config tls-common {
			private_key_file = $R/certs/server.key
			certificate_file = $R/certs/server.pem
			ca_file = $R/certs/ca.pem
			ca_path = $R/certs
			cipher_list = "DEFAULT"
			tls_min_version = "1.2"
			tls_max_version = "1.2"
			ecdh_curve = ""
			cache {
				enable = no
			}
			verify {
			}
			ocsp {
				enable = no
			}
		}
		peap {
			tls = tls-common
			default_eap_type = mschapv2
			copy_request_to_tunnel = yes
			use_tunneled_reply = no
			virtual_server = "inner-tunnel"
		}
		mschapv2 {
			send_error = no
		}
	}
}
instantiate {
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $PORT
	}
	authorize {
		mschap
		eap {
			ok = return
		}
	}
	authenticate {
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
}
server inner-tunnel {
	authorize {
		mschap
		eap {
			ok = return
		}
	}
	authenticate {
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
}
EOF

freeradius -X -d "$R" >"$T/radiusd.out" 2>&1 </dev/null &
radius_pid=$!
ready=0
for _ in $(seq 100); do
	kill -0 "$radius_pid" 2>/dev/null || break
	grep -q "Ready to process requests" "$T/radiusd.out" && { ready=1; break; }
	sleep 0.1
done
if [ "$ready" -eq 1 ]; then
	ok "FreeRADIUS $(freeradius -v 2>/dev/null | grep -o 'Version [0-9.]*' | head -1) up on 127.0.0.1:$PORT"
else
	bad "FreeRADIUS starts" "$(grep -iE 'error|fail' "$T/radiusd.out" | tail -5 | tr '\n' ' ')"
	finish
fi

# --- MS-CHAPv1: radtest computes the response itself
radtest_v1() { # user password -> radclient's output
	timeout 20 radtest -t mschap -d "$R" "$1" "$2" "127.0.0.1:$PORT" 0 "$SECRET" 2>&1
}
out=$(radtest_v1 "$USER" "$PASSWORD")
if echo "$out" | grep -q "Received Access-Accept"; then
	ok "MS-CHAPv1 (radtest), right password: Access-Accept"
else
	bad "MS-CHAPv1 (radtest), right password" "$(echo "$out" | tail -3 | tr '\n' ' ')"
fi
# MS-CHAP-MPPE-Keys: the LM key (none: zeros), then the NT key ntlm_auth returned (RFC 2548 2.4.1)
want=$("$PY" "$MSCHAP" nt-key "$PASSWORD")
got=$(echo "$out" | sed -n 's/.*MS-CHAP-MPPE-Keys = 0x\([0-9a-f]*\).*/\1/p')
if [ "${got:0:48}" = "0000000000000000$want" ]; then
	ok "MS-CHAPv1: MS-CHAP-MPPE-Keys carry the NT key (MD4 of the NT hash)"
else
	bad "MS-CHAPv1: MS-CHAP-MPPE-Keys" "got '$got', want 0000000000000000$want..."
fi
out=$(radtest_v1 "$USER" "$WRONG")
echo "$out" | grep -q "Received Access-Reject" && ok "MS-CHAPv1, wrong password: Access-Reject" ||
	bad "MS-CHAPv1, wrong password" "$(echo "$out" | tail -3 | tr '\n' ' ')"
out=$(radtest_v1 nobody "$PASSWORD")
echo "$out" | grep -q "Received Access-Reject" && ok "MS-CHAPv1, unknown user: Access-Reject" ||
	bad "MS-CHAPv1, unknown user" "$(echo "$out" | tail -3 | tr '\n' ' ')"

# --- MS-CHAPv2: the attributes computed here (RFC 2548, RFC 2759), sent with radclient
v2() { # label user typed-password accept|reject
	local out
	out=$("$PY" "$MSCHAP" v2 "127.0.0.1:$PORT" "$SECRET" "$R" "$2" "$PASSWORD" "$4" "$3" 2>&1)
	while IFS= read -r line; do
		case "$line" in
		"ok   "*) ok "${line#ok   }" ;;
		"FAIL "*) bad "${line#FAIL }" ;;
		*) echo "    $line" ;;
		esac
	done <<<"$out"
	echo "$out" | grep -qE '^(ok|FAIL) ' || bad "MS-CHAPv2 $1" "no verdict: $(echo "$out" | tail -3 | tr '\n' ' ')"
}
v2 "right password" "$USER" "$PASSWORD" accept
v2 "DOMAIN\\user, right password" "RADTEST\\$USER" "$PASSWORD" accept
v2 "wrong password" "$USER" "$WRONG" reject
v2 "unknown user" nobody "$PASSWORD" reject

# --- 802.1X with eapol_test: EAP-MSCHAPv2, and PEAP-MSCHAPv2 (inside TLS, certificate checked)
eapol() { # method user password -> eapol_test's exit status; log in $T/eapol-<method>-<user>.log
	local conf=$T/eapol.conf
	{
		echo "network={"
		echo "	key_mgmt=IEEE8021X"
		echo "	identity=\"$2\""
		echo "	password=\"$3\""
		if [ "$1" = peap ]; then
			echo "	eap=PEAP"
			echo "	phase1=\"peapver=0\""
			echo "	phase2=\"auth=MSCHAPV2\""
			echo "	ca_cert=\"$R/certs/ca.pem\""
		else
			echo "	eap=MSCHAPV2"
		fi
		echo "}"
	} >"$conf"
	timeout 40 eapol_test -c "$conf" -a 127.0.0.1 -p "$PORT" -s "$SECRET" -t 15 \
		>"$T/eapol-$1-$2.log" 2>&1
}
for method in mschapv2 peap; do
	label=$([ "$method" = peap ] && echo PEAP-MSCHAPv2 || echo EAP-MSCHAPv2)
	if eapol "$method" "$USER" "$PASSWORD" && grep -q "^MPPE keys OK: 1  mismatch: 0" "$T/eapol-$method-$USER.log"; then
		ok "$label (eapol_test), right password: Access-Accept, the MSK matches the server's MPPE keys"
		while IFS= read -r line; do
			case "$line" in
			"ok   "*) ok "${line#ok   }" ;;
			"FAIL "*) bad "${line#FAIL }" ;;
			esac
		done < <("$PY" "$MSCHAP" eap "$T/eapol-$method-$USER.log" "$USER" "$PASSWORD" "$method" 2>&1)
	else
		bad "$label (eapol_test), right password" "$(tail -3 "$T/eapol-$method-$USER.log" | tr '\n' ' ')"
	fi
	if ! eapol "$method" "$USER" "$WRONG" && grep -q "Access-Reject" "$T/eapol-$method-$USER.log"; then
		ok "$label, wrong password: Access-Reject"
	else
		bad "$label, wrong password" "$(tail -3 "$T/eapol-$method-$USER.log" | tr '\n' ' ')"
	fi
	if ! eapol "$method" nobody "$PASSWORD" && grep -q "Access-Reject" "$T/eapol-$method-nobody.log"; then
		ok "$label, unknown user: Access-Reject"
	else
		bad "$label, unknown user" "$(tail -3 "$T/eapol-$method-nobody.log" | tr '\n' ' ')"
	fi
done

finish
