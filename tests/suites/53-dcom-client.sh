#!/usr/bin/env bash
# DCOM: our client (ntlm-dcom-demo-client, libdcomntlm's client runtime)
# against our server (ntlm-dcom-demo-server) through the whole path:
# activation (IRemoteSCMActivator::RemoteCreateInstance), OXID resolution
# (IObjectExporter::ResolveOxid2), INtlmDemo's methods, QueryInterface and
# RemRelease through IRemUnknown2, pings (ComplexPing, SimplePing), on
# ncacn_ip_tcp and on ncalrpc; the levels (CONNECT refused by default), a
# wrong password, the per-proxy blanket, the server principal (checked over
# ncalrpc, not verifiable over tcp), the impersonation levels as the RPC
# layer reports them; tshark dissects every packet of the tcp run, decrypted
# with the test password; a client killed without releasing has its object
# collected after the (short) ping timeout while a live client's survives.
# Servers listen on free ports of 127.0.0.1 (never 135) and on sockets in a
# temporary directory; every process started is stopped by its PID on exit.
# Prints "dcom-client: N passed, N failed" last; exits non-zero on failure.
set -u
cd "${ROOT:-$(dirname "$0")/../..}"
B=${DCOM_BUILD_DIR:-build}/dcom
SERVER=$B/ntlm-dcom-demo-server
CLIENT=$B/ntlm-dcom-demo-client
NTLM=${DCOM_BUILD_DIR:-build}/tools/ntlm
WORK=$(mktemp -d /tmp/ntlm-dcom-client.XXXXXX)
chmod 0711 "$WORK"
NTLMSSP_CONF=$WORK/empty.conf && : >"$NTLMSSP_CONF" && chmod 644 "$NTLMSSP_CONF" && export NTLMSSP_CONF
PIDS=()
pass=0
fail=0

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "dcom-client: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

# expect WANT NAME PATTERN CMD...: the command must succeed (0) or fail (1) and print PATTERN.
expect() {
	local want=$1 name=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ $((rc != 0)) -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		bad "$name" "exit $rc"
		printf '%s\n' "$out" | head -12
	fi
}
check() { expect 0 "$@"; }
check_fails() { expect 1 "$@"; }

for need in "$SERVER" "$CLIENT" "$NTLM" "$B/test_dcom_client_api" "$B/dcom_client_delegate"; do
	[ -x "$need" ] || { bad "prerequisites" "$need missing: build first"; finish; }
done
command -v tshark >/dev/null || { bad "prerequisites" "tshark missing (apt-get install tshark)"; finish; }
[ "$(id -u)" -eq 0 ] || { bad "prerequisites" "needs root (a Unix account to impersonate)"; finish; }

out=$("$B/test_dcom_client_api" 2>&1)
if [ $? -eq 0 ]; then ok "client API without a server ($(tail -1 <<<"$out"))"; else
	bad "client API without a server"
	printf '%s\n' "$out" | grep -v '^ok' | head
fi

# The account: an NTLM account alice mapped to the Unix user alice (made if missing first,
# so that `ntlm passwd add` maps the account to it).
DUSER=alice
DPASS='Alice-Dcom-Passw0rd!'
COMPUTER=DCOMCLIENT
id "$DUSER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$DUSER"
DUID=$(id -u "$DUSER")
PING_MS=1000 # the server collects after 3 periods without a ping

# start_server NAME ARGS...: the demo server with alice, a port file and a socket; sets PORT, XPORT, SOCK.
start_server() {
	local name=$1
	shift
	SOCK=$WORK/$name.sock
	printf '%s\n' "$DPASS" | "$NTLM" passwd --account-file "$WORK/$name.smbpasswd" --stdin \
		add "$DUSER" >/dev/null || return 1
	"$SERVER" --host 127.0.0.1 --port 0 --port-file "$WORK/$name.port" --ncalrpc "$SOCK" \
		--account-file "$WORK/$name.smbpasswd" \
		--computer "$COMPUTER" --ping-period-ms "$PING_MS" --ping-count 3 "$@" \
		>"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 100); do [ -s "$WORK/$name.port" ] && [ -S "$SOCK" ] && break; sleep 0.1; done
	read -r PORT XPORT <"$WORK/$name.port" 2>/dev/null
	[ -n "${PORT:-}" ] && [ -S "$SOCK" ]
}

start_server main || { bad "demo server starts" "$(head -5 "$WORK/main.log")"; finish; }
ok "demo server on 127.0.0.1[$PORT] (objects on $XPORT) and $SOCK"
TCP="ncacn_ip_tcp:127.0.0.1[$PORT]"
LOCAL="ncalrpc:[$SOCK]"
AS_ALICE=(--user "$DUSER" --password "$DPASS" --domain ELSEWHERE)

# --- ncacn_ip_tcp, captured for tshark (only runs with the right password: tshark decrypts with it)
tshark -i lo -f "tcp port $PORT or tcp port $XPORT" -w "$WORK/tcp.pcapng" >"$WORK/tshark.log" 2>&1 &
TSHARK=$!
PIDS+=($TSHARK)
for _ in $(seq 1 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.1; done
sleep 1 # "Capturing on" comes a little before the capture does

out=$(timeout 60 "$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" 2>&1)
rc=$?
printf '%s\n' "$out" >"$WORK/tcp-default.out"
t() { # name pattern: a line of the default run
	if [ "$rc" -eq 0 ] && grep -qE -- "$2" <<<"$out"; then ok "$1"; else
		bad "$1" "exit $rc"
		printf '%s\n' "$out" | head -12
	fi
}
t "tcp: activation and OXID resolution" '^activate: S_OK .* exporter=ncacn_ip_tcp:127\.0\.0\.1\['"$XPORT"'\]$'
t "tcp: WhoAmI at the default level (integrity)" \
	"^whoami: principal=$COMPUTER\\\\$DUSER authn_svc=10 authn_level=5 imp_level=3$"
t "tcp: Add" '^add: 2 \+ 40 = 42$'
t "tcp: WhoAmIImpersonated runs as alice" "^whoami-imp: euid=$DUID unix_user=$DUSER$"
t "tcp: QueryInterface IUnknown" '^qi IUnknown: S_OK ipid='
t "tcp: QueryInterface of an unknown IID" '^qi unknown: E_NOINTERFACE \(0x80004002\)'
t "tcp: release" '^release: S_OK$'
OID=$(sed -nE 's/^activate: .* oid=0x([0-9a-f]+) .*/\1/p' <<<"$out")
if grep -qiE "object $OID .*released" "$WORK/main.log"; then ok "tcp: the server saw the release"; else
	bad "tcp: the server saw the release" "$(tail -5 "$WORK/main.log")"
fi

check "tcp: privacy" '^whoami: principal=.* authn_level=6 imp_level=3$' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --level privacy whoami release
check "tcp: --host and --port" '^add: 1 \+ 1 = 2$' \
	"$CLIENT" --host 127.0.0.1 --port "$PORT" "${AS_ALICE[@]}" add:1:1
# SetBlanket after a call: the proxy's association must change, not only its record
levels() { sed -nE 's/^whoami: .* authn_level=([0-9]+) .*/\1/p' | tr '\n' ' '; }
out=$(timeout 60 "$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" whoami blanket:privacy:impersonate whoami \
	blanket:integrity:identify whoami 2>&1)
if [ "$(levels <<<"$out")" = "5 6 5 " ] && grep -q 'imp_level=2$' <<<"$out"; then
	ok "tcp: SetBlanket changes how the next call goes (integrity, privacy, integrity+identify)"
else
	bad "tcp: SetBlanket changes how the next call goes" "$(printf '%s' "$out" | head -8)"
fi
check "tcp: IDENTIFY: the server may only identify" '^whoami: .* imp_level=2$' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --imp-level identify whoami
check "tcp: DELEGATE is IMPERSONATE over NTLM" '^whoami: .* imp_level=3$' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --imp-level delegate whoami
# NTLM cannot verify a remote server: the principal only travels as the target name.
check "tcp: a server principal cannot be verified (docs/rpc.md)" '^whoami: principal=' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --server-principal 'NOWHERE\nobody' whoami

# --- pings over tcp: a live client's object survives 6 s (the timeout is 3 s); a killed one's goes
"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --ping-period-ms "$PING_MS" whoami hold:60 \
	>"$WORK/killed.out" 2>&1 &
VICTIM=$!
PIDS+=($VICTIM)
out=$(timeout 60 "$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --ping-period-ms "$PING_MS" \
	whoami hold:6 add:20:22 release 2>&1)
rc=$?
printf '%s\n' "$out" >"$WORK/live.out"
LIVE_OID=$(sed -nE 's/^activate: .* oid=0x([0-9a-f]+) .*/\1/p' <<<"$out")
t "ping: a live client's object survives the ping timeout" '^add: 20 \+ 22 = 42$'
t "ping: ... and is released by it" '^release: S_OK$'
if [ -n "$LIVE_OID" ] && ! grep -qiE "object $LIVE_OID .*collected" "$WORK/main.log"; then
	ok "ping: the server did not collect the live client's object"
else
	bad "ping: the server did not collect the live client's object" "$(tail -5 "$WORK/main.log")"
fi
KILLED_OID=$(sed -nE 's/^activate: .* oid=0x([0-9a-f]+) .*/\1/p' "$WORK/killed.out")
if grep -q '^holding' "$WORK/killed.out" && [ -n "$KILLED_OID" ]; then
	{ kill -KILL "$VICTIM" && wait "$VICTIM"; } 2>/dev/null
	for _ in $(seq 1 100); do grep -qiE "object $KILLED_OID .*collected" "$WORK/main.log" && break; sleep 0.1; done
	if grep -qiE "object $KILLED_OID .*collected" "$WORK/main.log"; then
		ok "ping: a killed client's object is collected after the timeout"
	else
		bad "ping: a killed client's object is collected after the timeout" "$(tail -5 "$WORK/main.log")"
	fi
else
	bad "ping: the client to kill is holding its object" "$(cat "$WORK/killed.out")"
fi

sleep 0.5
kill -INT "$TSHARK" 2>/dev/null
wait "$TSHARK" 2>/dev/null

# --- tshark: every packet dissected, the DCOM interfaces named, the sealed ones decrypted
DISSECT=(tshark -r "$WORK/tcp.pcapng" -o "ntlmssp.nt_password:$DPASS"
	-d "tcp.port==$PORT,dcerpc" -d "tcp.port==$XPORT,dcerpc")
"${DISSECT[@]}" -V >"$WORK/tcp.txt" 2>&1
"${DISSECT[@]}" >"$WORK/tcp.summary" 2>&1
if [ -s "$WORK/tcp.summary" ] && ! grep -qiE 'malformed|\[Expert Info \(Error' "$WORK/tcp.txt"; then
	ok "tshark: $(wc -l <"$WORK/tcp.summary") packets, no malformed packet or expert error"
else
	bad "tshark: no malformed packet or expert error" \
		"$(grep -iE -m5 'malformed|Expert Info \(Error' "$WORK/tcp.txt")"
fi
# Warnings: only tshark's "Long frame", in two cases where tshark 4.0 miscounts, not we:
# the zero padding (up to 3 bytes) that aligns a stub to 4 before its verification trailer
# ([MS-RPCE] 2.2.2.13; tshark counts it in the stub), and a ComplexPing that only drops OIDs
# (tshark reads the OIDs, NDR hypers aligned to 8, at a 4-aligned offset, 4 bytes early).
# (TCP's own sequence warnings, e.g. D-SACK on a busy loopback, are about the host, not us.)
warn=$(grep -E 'Expert Info \(Warning/' "$WORK/tcp.txt" | grep -cvE 'Warning/Protocol\): Long frame|Warning/Sequence\)')
long=$(grep -E 'Long frame \([0-9]+ bytes\)' "$WORK/tcp.summary" |
	grep -cvE '\([1-3] bytes\)|ComplexPing request AddToSet=0 DelFromSet=[1-9][0-9]*\[Long frame \(4 bytes\)\]')
if [ "$warn" -eq 0 ] && [ "$long" -eq 0 ]; then ok "tshark: no expert warning but the alignment before the trailer"; else
	bad "tshark: no expert warning but the alignment before the trailer" \
		"$(grep -E 'Expert Info \(Warning/|Long frame \(' "$WORK/tcp.txt" "$WORK/tcp.summary" | head -5)"
fi
for what in 'ISystemActivator' 'IOXIDResolver' 'IRemUnknown2' 'RemoteCreateInstance' 'ResolveOxid2' \
	'ComplexPing' 'SimplePing' 'RemQueryInterface' 'RemRelease' 'DCOM'; do
	if grep -q "$what" "$WORK/tcp.summary" "$WORK/tcp.txt"; then ok "tshark: $what dissected"; else
		bad "tshark: $what dissected"
	fi
done
# the sealed runs (privacy): their stubs (the results tshark shows) only once decrypted with the password
with=$(grep -c -- '-> S_OK' "$WORK/tcp.summary")
without=$(tshark -r "$WORK/tcp.pcapng" -d "tcp.port==$PORT,dcerpc" -d "tcp.port==$XPORT,dcerpc" 2>/dev/null |
	grep -c -- '-> S_OK')
if [ "$with" -gt "$without" ]; then
	ok "tshark: sealed stubs decrypted with the password ($with results read, $without without it)"
else
	bad "tshark: sealed stubs decrypted with the password" "$with with, $without without"
fi

# --- refusals over tcp (not captured)
check_fails "tcp: CONNECT is refused by default" '^activate: E_ACCESSDENIED' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" --level connect whoami
check_fails "tcp: a wrong password is refused" '^activate: (E_ACCESSDENIED|SEC_E_LOGON_DENIED)' \
	"$CLIENT" --binding "$TCP" --user "$DUSER" --password wrong whoami
check_fails "tcp: SetBlanket to CONNECT: the next call is refused" '^whoami: E_ACCESSDENIED' \
	"$CLIENT" --binding "$TCP" "${AS_ALICE[@]}" whoami blanket:connect:impersonate whoami

# --- ncalrpc: the local call (the kernel's identity), then NTLM over the socket
AS_UNIX_ALICE=(setpriv --reuid="$DUSER" --regid="$(id -g "$DUSER")" --init-groups)
out=$(timeout 60 "${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" 2>&1)
rc=$?
printf '%s\n' "$out" >"$WORK/local-default.out"
t "ncalrpc: activation and OXID resolution" "^activate: S_OK .* exporter=ncalrpc:\\[$SOCK\\]$"
t "ncalrpc: WhoAmI is the kernel's identity, at privacy" \
	"^whoami: principal=[^ ]*\\\\$DUSER authn_svc=10 authn_level=6 imp_level=3$"
t "ncalrpc: Add" '^add: 2 \+ 40 = 42$'
t "ncalrpc: WhoAmIImpersonated runs as alice" "^whoami-imp: euid=$DUID unix_user=$DUSER$"
t "ncalrpc: QueryInterface IUnknown" '^qi IUnknown: S_OK'
t "ncalrpc: QueryInterface of an unknown IID" '^qi unknown: E_NOINTERFACE'
t "ncalrpc: release" '^release: S_OK$'
check "ncalrpc: NTLM with credentials" "^whoami: principal=$COMPUTER\\\\$DUSER authn_svc=10 authn_level=6 " \
	"$CLIENT" --binding "$LOCAL" "${AS_ALICE[@]}" --level privacy whoami
check "ncalrpc: DELEGATE is granted on this machine" '^whoami: .* imp_level=4$' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --imp-level delegate whoami
check "ncalrpc: DELEGATE over NTLM is IMPERSONATE" '^whoami: .* imp_level=3$' \
	"$CLIENT" --binding "$LOCAL" "${AS_ALICE[@]}" --imp-level delegate whoami
check "ncalrpc: IDENTIFY" '^whoami: .* imp_level=2$' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --imp-level identify whoami
check_fails "ncalrpc: IDENTIFY cannot be impersonated" '^whoami-imp: ' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --imp-level identify whoami-imp
# mutual authentication: the server process runs as root here
check "ncalrpc: the right server principal passes" '^whoami: principal=' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --server-principal '.\root' whoami
check_fails "ncalrpc: a wrong server principal fails" \
	'^activate: SEC_E_WRONG_PRINCIPAL \(0x80090322\): server principal mismatch' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --server-principal '.\nobody' whoami
check_fails "ncalrpc: SetBlanket with a wrong principal fails the next call" \
	'^whoami: SEC_E_WRONG_PRINCIPAL' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" whoami blanket:integrity:impersonate:.\\nobody whoami
check "ncalrpc: SetBlanket with the right principal passes" '^whoami: principal=' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" blanket:integrity:impersonate:.\\root whoami
check "ncalrpc: a live client's object survives the ping timeout" '^add: 1 \+ 2 = 3$' \
	"${AS_UNIX_ALICE[@]}" "$CLIENT" --binding "$LOCAL" --ping-period-ms "$PING_MS" whoami hold:5 add:1:2

# --- a thread that impersonates: delegation on this machine only (docs/rpc.md), one identity per association
out=$(timeout 60 "$B/dcom_client_delegate" "$LOCAL" "$TCP" "$DUSER" 2>&1)
if [ $? -eq 0 ]; then ok "impersonating threads: delegate, impersonate, identities ($(tail -1 <<<"$out"))"; else
	bad "impersonating threads: delegate, impersonate, identities"
	printf '%s\n' "$out" | grep -v '^ok' | head
fi

kill "${PIDS[0]}" 2>/dev/null
wait "${PIDS[0]}" 2>/dev/null
if grep -qE 'stopped: .* [1-9][0-9]* collected' "$WORK/main.log"; then
	ok "server: $(grep -oE 'stopped: .*' "$WORK/main.log")"
else
	bad "server: its totals" "$(tail -3 "$WORK/main.log")"
fi
finish
