#!/usr/bin/env bash
# End to end with a real Squid: `ntlm squid-helper` is Squid's NTLM helper,
# curl authenticates through the proxy to a tiny local origin server.
# Right password -> 200 (and the user in Squid's access log), wrong password,
# unknown user, disabled account or no credentials -> 407.
# Everything runs on 127.0.0.1 in a temporary directory; the processes we
# start are ended by their PIDs on exit.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NTLM=$ROOT/build/tools/ntlm
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "squid: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

SQUID=$(command -v squid || echo /usr/sbin/squid)
for need in "$SQUID" curl python3 "$NTLM"; do
	if ! command -v "$need" >/dev/null 2>&1 && [ ! -x "$need" ]; then
		bad "prerequisites" "$need not found (apt-get install squid curl; build first)"
		finish
	fi
done

. "$ROOT/tests/testlib/squid.sh"
T=$(mktemp -d /tmp/ntlm-squid.XXXXXX)
# A local policy file must not change what the test expects (Squid passes
# the environment on to its helpers): an empty one (/dev/null is no regular file).
: >"$T/empty.conf"
export NTLMSSP_CONF=$T/empty.conf
squid_pid=""
origin_pid=""
cleanup() {
	for pid in $squid_pid $origin_pid; do
		kill "$pid" 2>/dev/null
	done
	for pid in $squid_pid $origin_pid; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	# Squid's helpers are its children: they end when Squid closes their stdin.
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
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

# --- the origin server
mkdir -p "$T/www"
echo "hello through the proxy" >"$T/www/index.html"
origin_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/www" "$origin_port" >"$T/origin.log" 2>&1 &
origin_pid=$!

# --- accounts, and a copy of the helper any Squid user can run
cp "$NTLM" "$T/ntlm"
chmod 755 "$T/ntlm"
"$T/ntlm" passwd --account-file "$T/accounts" --password-on-command-line 'Sq-Passw0rd' add alice >/dev/null
"$T/ntlm" passwd --account-file "$T/accounts" --password-on-command-line 'Other-Pass1' add carol >/dev/null

# --- Squid: as root it must drop to an unprivileged user, which then owns the directory
proxy_port=$(free_port)
accel_port=$(free_port)
user_line=""
if [ "$(id -u)" -eq 0 ]; then
	squid_user=$(id -u proxy >/dev/null 2>&1 && echo proxy || echo nobody)
	user_line="cache_effective_user $squid_user"
	chown -R "$squid_user" "$T"
	chmod 711 "$T"
	# the account file as an administrator keeps it: root's, read by Squid's group
	chown root:"$(id -gn "$squid_user")" "$T/accounts"
	chmod 640 "$T/accounts"
fi
cat >"$T/squid.conf" <<EOF
http_port 127.0.0.1:$proxy_port
# the same Squid as a web server front: there it authenticates with 401 and
# WWW-Authenticate, which is what `curl --ntlm` speaks
http_port 127.0.0.1:$accel_port accel defaultsite=127.0.0.1:$origin_port
cache_peer 127.0.0.1 parent $origin_port 0 no-query originserver name=origin
$user_line
$(squid_common_conf ntlm-squid-test)
auth_param ntlm program $T/ntlm squid-helper --account-file $T/accounts --computer-name SQUIDTEST --audit-log $T/audit.log
auth_param ntlm children 2 startup=1 idle=1
auth_param ntlm keep_alive on
acl authenticated proxy_auth REQUIRED
http_access allow authenticated
http_access deny all
EOF
if [ -n "$user_line" ]; then chown "$squid_user" "$T/squid.conf"; fi

if ! wait_port "$origin_port" "$origin_pid"; then
	bad "origin server starts" "$(tail -3 "$T/origin.log")"
	finish
fi
"$SQUID" -N -f "$T/squid.conf" >"$T/squid.out" 2>&1 &
squid_pid=$!
if wait_port "$proxy_port" "$squid_pid"; then
	ok "squid starts on 127.0.0.1:$proxy_port"
else
	bad "squid starts" "$(tail -5 "$T/squid.out" "$T/cache.log" 2>/dev/null | tr '\n' ' ')"
	finish
fi

url="http://127.0.0.1:$origin_port/index.html"
fetch() { # curl args... -> prints the HTTP status; the body goes to $T/body
	curl -s -o "$T/body" -w '%{http_code}' --max-time 20 -x "http://127.0.0.1:$proxy_port" "$@" "$url"
}

code=$(fetch --proxy-ntlm -U 'alice:Sq-Passw0rd')
if [ "$code" = 200 ] && grep -q "hello through the proxy" "$T/body"; then
	ok "right password: 200 and the page"
else
	bad "right password" "HTTP $code"
fi

code=$(fetch --proxy-ntlm -U 'SOMEDOMAIN\alice:Sq-Passw0rd')
[ "$code" = 200 ] && ok "right password with a domain: 200" || bad "right password with a domain" "HTTP $code"

code=$(fetch --proxy-ntlm -U 'alice:wrong-password')
[ "$code" = 407 ] && ok "wrong password: 407" || bad "wrong password" "HTTP $code"

code=$(fetch --proxy-ntlm -U 'mallory:Sq-Passw0rd')
[ "$code" = 407 ] && ok "unknown user: 407" || bad "unknown user" "HTTP $code"

code=$(fetch)
[ "$code" = 407 ] && ok "no credentials: 407" || bad "no credentials" "HTTP $code"

code=$(fetch --proxy-ntlm -U 'carol:Other-Pass1')
[ "$code" = 200 ] && ok "second user: 200" || bad "second user" "HTTP $code"
mode_before=$(stat -c '%a %U:%G' "$T/accounts")
"$T/ntlm" passwd --account-file "$T/accounts" disable carol >/dev/null
code=$(fetch --proxy-ntlm -U 'carol:Other-Pass1')
[ "$code" = 407 ] && ok "disabled account: 407" || bad "disabled account" "HTTP $code"
# the edit kept the file's mode and group: the helper still reads it
mode_after=$(stat -c '%a %U:%G' "$T/accounts")
code=$(fetch --proxy-ntlm -U 'alice:Sq-Passw0rd')
if [ "$code" = 200 ] && [ "$mode_after" = "$mode_before" ]; then
	ok "ntlm passwd keeps mode and group ($mode_after): still 200"
else
	bad "ntlm passwd keeps mode and group" "HTTP $code, $mode_before -> $mode_after"
fi

# HTTP (not proxy) authentication: `curl --ntlm` against the accelerator port.
web_fetch() {
	curl -s -o "$T/body" -w '%{http_code}' --max-time 20 "$@" "http://127.0.0.1:$accel_port/index.html"
}
code=$(web_fetch --ntlm -u 'alice:Sq-Passw0rd')
if [ "$code" = 200 ] && grep -q "hello through the proxy" "$T/body"; then
	ok "curl --ntlm (WWW-Authenticate): right password: 200 and the page"
else
	bad "curl --ntlm right password" "HTTP $code"
fi
code=$(web_fetch --ntlm -u 'alice:wrong-password')
[ "$code" = 401 ] && ok "curl --ntlm: wrong password: 401" || bad "curl --ntlm wrong password" "HTTP $code"

# Squid writes its access log when a request ends; give it a moment.
for _ in $(seq 20); do grep -q alice "$T/access.log" 2>/dev/null && break; sleep 0.2; done
# native format: time elapsed client action/code size method URL user hierarchy type
if awk -v u="$url" '$4 ~ /\/200$/ && $7 == u && tolower($8) ~ /alice/' "$T/access.log" | grep -q .; then
	ok "access log: 200 for the authenticated user ($(awk '$4 ~ /\/200$/ {print $8; exit}' "$T/access.log"))"
else
	bad "access log names the user" "$(tail -3 "$T/access.log" 2>/dev/null | tr '\n' '|')"
fi
if awk '$4 ~ /\/407$/' "$T/access.log" | grep -q .; then
	ok "access log: 407 for the refused requests"
else
	bad "access log has the 407s"
fi
if grep -q '"error":"NTLM_E_LOGON_FAILURE"' "$T/audit.log" 2>/dev/null &&
	grep -q '"error":"NTLM_E_ACCOUNT_DISABLED"' "$T/audit.log" &&
	grep -q '"result":"success"' "$T/audit.log"; then
	ok "helper audit log: successes and failures"
else
	bad "helper audit log" "$(head -c 300 "$T/audit.log" 2>/dev/null)"
fi
if grep -qiE 'helper.*(crash|died|exited)|FATAL' "$T/cache.log"; then
	bad "no helper crash in cache.log" "$(grep -iE 'crash|died|exited|FATAL' "$T/cache.log" | head -3)"
else
	ok "no helper crash in cache.log"
fi
finish
