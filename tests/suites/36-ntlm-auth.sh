#!/usr/bin/env bash
# ntlm_auth, the Samba-compatible helper (docs/ntlm_auth.md), with the real
# callers and against Samba's own:
#  (a) differential dialogues (tests/ntlm_auth/difftest.py): every helper
#      protocol, the same lines to Samba's /usr/bin/ntlm_auth (over a private
#      standalone winbindd, tests/winbind/wbsetup.sh) and to ours;
#  (b) Squid 5's Negotiate with `--helper-protocol=gss-spnego`: raw NTLMSSP
#      in Negotiate, and NTLM inside SPNEGO from MIT's SPNEGO over the
#      gss-ntlmssp mechanism (python3-gssapi; GSS_MECH_CONFIG names it, in
#      the temp dir) -> 200, a wrong password -> 401; Squid's NTLM through
#      `--helper-protocol=squid-2.5-ntlmssp` with curl --ntlm;
#  (c) curl 7.88 --ntlm-wb, which always runs /usr/bin/ntlm_auth: in a
#      private mount namespace (unshare -m) with ours bind-mounted over that
#      path, seen by no other process -> 200;
#  and the security checks (tests/ntlm_auth/checks.py: mechListMIC wrong or
#  missing, --require-membership-of refused with an account file alone; with a
#  domain's SIDs it is tested against the DC in 46-domain).
# Everything on 127.0.0.1 in a temporary directory; what we start is
# stopped by PID on exit. Last line "ntlm-auth: N passed, N failed".
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
NA=$ROOT/build/tools/ntlm_auth
NTLM=$ROOT/build/tools/ntlm
SAMBA_NA=/usr/bin/ntlm_auth
GSSNTLM=/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "ntlm-auth: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

SQUID=$(command -v squid || echo /usr/sbin/squid)
for need in "$NA" "$NTLM" "$SAMBA_NA" "$SQUID" curl unshare winbindd wbinfo smbpasswd "$GSSNTLM"; do
	command -v "$need" >/dev/null 2>&1 || [ -e "$need" ] ||
		{ bad "prerequisites" "$need not found (tests/packages.txt; build first)"; finish; }
done
/usr/bin/python3 -c 'import gssapi' 2>/dev/null || { bad "prerequisites" "python3-gssapi"; finish; }

. "$ROOT/tests/testlib/squid.sh"
T=$(mktemp -d /tmp/ntlm-auth.XXXXXX)
: >"$T/empty.conf" # a local policy file must not change what the tests expect
export NTLMSSP_CONF=$T/empty.conf
. "$ROOT/tests/winbind/wbsetup.sh"
squid_pid=""
origin_pid=""
cleanup() {
	stop_group "$winbindd_pid"
	for pid in $squid_pid $origin_pid; do kill "$pid" 2>/dev/null; done
	for pid in $squid_pid $origin_pid; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	[ -n "${KEEP_T:-}" ] && echo "ntlm-auth: keeping $T" || rm -rf "$T"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # port pid
	for _ in $(seq 150); do
		kill -0 "$2" 2>/dev/null || return 1
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
			"$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# --- the command line
v=$("$NA" --version)
# Wine reads "Version %d.%d.%d" and wants at least 3.0.25
if echo "$v" | awk '{ split($2, n, /[.-]/); exit !($1 == "Version" && (n[1] > 3 || (n[1] == 3 && (n[2] > 0 || n[3] >= 25)))) }'; then
	ok "--version: '$v' passes Wine's check (Samba's: '$("$SAMBA_NA" --version)')"
else
	bad "--version" "$v"
fi
want=$("$SAMBA_NA" --helper-protocol=no-such 2>&1 </dev/null)
want_rc=$?
got=$("$NA" --helper-protocol=no-such 2>&1 </dev/null)
got_rc=$?
[ "$got" = "$want" ] && [ "$got_rc" = "$want_rc" ] && ok "unknown helper protocol: Samba's words, exit $got_rc" ||
	bad "unknown helper protocol" "$got_rc: $got"
out=$("$NA" --helper-protocol=squid-2.5-ntlmssp --account-file="$T/none" --require-membership-of=S-1-5-32-544 2>&1 </dev/null)
[ $? -ne 0 ] && echo "$out" | grep -q "cannot tell group membership" &&
	ok "--require-membership-of refused cleanly (exit 1, says why)" || bad "--require-membership-of" "$out"
"$NA" --helper-protocol=ntlmssp-client-1 --configfile=/nonexistent -d 3 --target-hostname=h \
	--target-service=http --username=x </dev/null && ok "Samba's --configfile, -d, --target-* accepted" ||
	bad "Samba's options accepted"

# --- the security checks, each made to fire (tests/ntlm_auth/checks.py; the mutants run it too)
/usr/bin/python3 tests/ntlm_auth/checks.py "$ROOT/build" >"$T/checks.out" 2>&1
rc=$?
cat "$T/checks.out" | grep -v '^checks:'
pass=$((pass + $(grep -c '^ok   ' "$T/checks.out")))
fail=$((fail + $(grep -c '^FAIL ' "$T/checks.out")))
[ $rc -eq 0 ] || grep -q '^FAIL ' "$T/checks.out" || bad "checks.py" "exit $rc"

# --- accounts: the same user and password in our smbpasswd file as in Samba's
if ! wb_setup; then
	bad "standalone Samba set-up" "$(tail -3 "$T/wbenv.err" | tr '\n' ' ')"
	finish
fi
"$NTLM" passwd --account-file "$T/accounts" --password-on-command-line "$WB_PASSWORD" add "$WB_USER" >/dev/null
printf '%s:%s:%s\n' "$WB_DOMAIN" "$WB_USER" "$WB_PASSWORD" >"$T/userfile"
chmod 600 "$T/userfile"

# --- (a) differential, with winbindd up only as long as it is needed
if start_winbindd; then
	ok "winbindd answers a ping (PID $winbindd_pid)"
	in_wbenv timeout -k 5 300 /usr/bin/python3 tests/ntlm_auth/difftest.py "$NA" "$WB_CONF" \
		"$T/accounts" "$WB_USER" "$WB_PASSWORD" "$WB_DOMAIN" >"$T/difftest.out" 2>&1
	rc=$?
	sed 's/^/    /' "$T/difftest.out" | cut -c1-200
	pass=$((pass + $(grep -c '^ok   ' "$T/difftest.out")))
	fail=$((fail + $(grep -c '^FAIL ' "$T/difftest.out")))
	[ $rc -eq 0 ] || grep -q '^FAIL ' "$T/difftest.out" || bad "difftest.py" "exit $rc"
	stop_group "$winbindd_pid"
	winbindd_pid=""
else
	bad "winbindd starts" "$(tail -5 "$WB_DIR/log/winbindd.suite" | tr '\n' ' ')"
fi

# --- (b) Squid: Negotiate and NTLM, both through our ntlm_auth
mkdir -p "$T/www" "$T/bin"
echo "hello through ntlm_auth" >"$T/www/index.html"
cp "$NA" "$T/bin/ntlm_auth"
cp -L build/libntlmssp.so.0 "$T/libntlmssp.so.0" # its RUNPATH is $ORIGIN/..
chmod 755 "$T/bin/ntlm_auth" "$T/bin"
origin_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$origin_port" >"$T/origin.log" 2>&1 &
origin_pid=$!
accel_port=$(free_port)
user_line=""
if [ "$(id -u)" -eq 0 ]; then
	squid_user=$(id -u proxy >/dev/null 2>&1 && echo proxy || echo nobody)
	user_line="cache_effective_user $squid_user"
	chown -R "$squid_user" "$T"
	chmod 711 "$T"
	chown root:"$(id -gn "$squid_user")" "$T/accounts" "$T/userfile"
	chmod 640 "$T/accounts"
fi
helper="$T/bin/ntlm_auth --account-file=$T/accounts"
cat >"$T/squid.conf" <<EOF
http_port 127.0.0.1:$accel_port accel defaultsite=127.0.0.1:$origin_port
cache_peer 127.0.0.1 parent $origin_port 0 no-query originserver name=origin
$user_line
$(squid_common_conf ntlm-auth-test)
auth_param negotiate program $helper --helper-protocol=gss-spnego
auth_param negotiate children 2 startup=1 idle=1
auth_param negotiate keep_alive on
auth_param ntlm program $helper --helper-protocol=squid-2.5-ntlmssp
auth_param ntlm children 2 startup=1 idle=1
auth_param ntlm keep_alive on
acl authenticated proxy_auth REQUIRED
http_access allow authenticated
http_access deny all
EOF
[ -n "$user_line" ] && chown "$squid_user" "$T/squid.conf"
if ! wait_port "$origin_port" "$origin_pid"; then bad "origin server starts" "$(tail -3 "$T/origin.log")"; finish; fi
"$SQUID" -N -f "$T/squid.conf" >"$T/squid.out" 2>&1 &
squid_pid=$!
if wait_port "$accel_port" "$squid_pid"; then
	ok "squid starts on 127.0.0.1:$accel_port (Negotiate: gss-spnego, NTLM: squid-2.5-ntlmssp)"
else
	bad "squid starts" "$(tail -5 "$T/squid.out" "$T/cache.log" 2>/dev/null | tr '\n' ' ')"
	finish
fi
url="http://127.0.0.1:$accel_port/index.html"

negotiate() { # raw|spnego args... -> the client's last line
	timeout -k 5 60 /usr/bin/python3 tests/ntlm_auth/negotiate_client.py "$url" "$@" 2>&1 | tail -1
}
raw_client() { # password
	negotiate raw "$NA" --helper-protocol=ntlmssp-client-1 --username="$WB_USER" \
		--domain="$WB_DOMAIN" --password="$1"
}
r=$(raw_client "$WB_PASSWORD")
[ "$r" = "200 " ] && ok "Negotiate with raw NTLMSSP (TlRM...): 200" || bad "Negotiate raw NTLMSSP" "$r"
r=$(raw_client "wrong-password")
[ "$r" = "401 " ] && ok "Negotiate with raw NTLMSSP, wrong password: 401" || bad "Negotiate raw, wrong password" "$r"

printf 'gssntlmssp_v1 1.3.6.1.4.1.311.2.2.10 %s\n' "$GSSNTLM" >"$T/mech.conf"
printf '%s:%s:%s\n' "$WB_DOMAIN" "$WB_USER" "wrong-password" >"$T/wrongfile"
spnego_client() { # user file
	GSS_MECH_CONFIG=$T/mech.conf NTLM_USER_FILE=$1 negotiate spnego "$WB_USER" "$WB_DOMAIN"
}
cp "$T/userfile" "$T/userfile.client" # the client's copy: the helper's stays Squid's
r=$(spnego_client "$T/userfile.client")
# Squid 5 keeps the helper's last token to itself: the client's SPNEGO cannot complete over HTTP
[ "${r% *}" = "200" ] && ok "Negotiate with NTLM in SPNEGO (MIT SPNEGO + gss-ntlmssp): 200" ||
	bad "Negotiate SPNEGO" "$r"
# ... so straight against the helper: MIT checks our mechListMIC, we check MIT's
r=$(GSS_MECH_CONFIG=$T/mech.conf NTLM_USER_FILE=$T/userfile.client timeout -k 5 60 /usr/bin/python3 \
	tests/ntlm_auth/negotiate_client.py "helper:$NA --helper-protocol=gss-spnego --account-file=$T/accounts" \
	spnego "$WB_USER" "$WB_DOMAIN" 2>&1 | tail -1)
[ "$r" = "AF complete" ] && ok "MIT SPNEGO against gss-spnego: mechListMICs verified both ways, context complete" ||
	bad "MIT SPNEGO against gss-spnego" "$r"
r=$(spnego_client "$T/wrongfile")
[ "$r" = "401 " ] && ok "Negotiate with NTLM in SPNEGO, wrong password: 401" || bad "Negotiate SPNEGO, wrong password" "$r"

web() { curl -s -o "$T/body" -w '%{http_code}' --max-time 20 "$@" "$url"; }
code=$(web --ntlm -u "$WB_USER:$WB_PASSWORD")
[ "$code" = 200 ] && grep -q "hello through ntlm_auth" "$T/body" &&
	ok "curl --ntlm through squid-2.5-ntlmssp: 200 and the page" || bad "curl --ntlm" "HTTP $code"
code=$(web --ntlm -u "$WB_USER:wrong-password")
[ "$code" = 401 ] && ok "curl --ntlm, wrong password: 401" || bad "curl --ntlm, wrong password" "HTTP $code"

# --- (c) curl --ntlm-wb: ours over /usr/bin/ntlm_auth in a private mount namespace
ntlm_wb() { # user-file
	NTLM_USER_FILE=$1 LD_LIBRARY_PATH=$T unshare -m --propagation private sh -c \
		'mount --bind "$0" /usr/bin/ntlm_auth && exec curl -s -o "$1" -w "%{http_code}" --max-time 20 --ntlm-wb -u "$2:" "$3"' \
		"$T/bin/ntlm_auth" "$T/body" "$WB_USER" "$url"
}
code=$(ntlm_wb "$T/userfile.client")
[ "$code" = 200 ] && grep -q "hello through ntlm_auth" "$T/body" &&
	ok "curl --ntlm-wb with ours bind-mounted over /usr/bin/ntlm_auth: 200" || bad "curl --ntlm-wb" "HTTP $code"
code=$(ntlm_wb "$T/wrongfile")
[ "$code" = 401 ] && ok "curl --ntlm-wb, wrong password in the credential file: 401" || bad "curl --ntlm-wb, wrong password" "HTTP $code"
[ "$("$SAMBA_NA" --version)" != "$("$NA" --version)" ] && ok "the bind mount was private: /usr/bin/ntlm_auth is Samba's outside" ||
	bad "private bind mount" "/usr/bin/ntlm_auth is ours outside the namespace"

for _ in $(seq 20); do grep -q "$WB_USER" "$T/access.log" 2>/dev/null && break; sleep 0.2; done
if awk '$4 ~ /\/200$/' "$T/access.log" | grep -qi "$WB_USER"; then
	ok "access log names the user ($(awk '$4 ~ /\/200$/ {print $8; exit}' "$T/access.log"))"
else
	bad "access log names the user" "$(tail -3 "$T/access.log" 2>/dev/null | tr '\n' '|')"
fi
if grep -qiE 'helper.*(crash|died|exited)|FATAL' "$T/cache.log"; then
	bad "no helper crash in Squid's log" "$(grep -iE 'crash|died|exited|FATAL' "$T/cache.log" | head -3)"
else
	ok "no helper crash in Squid's log"
fi
finish
