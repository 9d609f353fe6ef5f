#!/usr/bin/env bash
# RPC (NTLMSSP as DCE/RPC authentication service 10): the PDU codec and the
# security layer, the runtime end to end, what the server refuses (verification
# trailer, minimum level, alter_context, fragment size), connection limits and
# ncalrpc endpoints, impersonation and delegation (as root), the demo
# server/client pair and ntlm-demo, impacket's client against our server,
# our client against Samba's samba-dcerpcd.
# Prints "rpc: N passed, N failed" last and exits non-zero on failure. Every
# process it starts is stopped by its PID (Samba's by its process group) on
# any exit.
set -u
cd "${ROOT:-$(dirname "$0")/../..}"
B=${RPC_BUILD_DIR:-build}/rpc
WORK=$(mktemp -d /tmp/ntlm-rpc-suite.XXXXXX)
chmod 0711 "$WORK"
# Contexts made without a policy follow the system policy: run against the
# defaults (an empty policy file), whatever this host's /etc/ntlmssp.conf says.
NTLMSSP_CONF=$WORK/empty.conf && : >"$NTLMSSP_CONF" && chmod 644 "$NTLMSSP_CONF" && export NTLMSSP_CONF
PIDS=()
pass=0
fail=0
skip=0

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -f "$WORK/samba.pgid" ] && kill -- -"$(cat "$WORK/samba.pgid")" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Adds a program's "N passed, N failed" line to the totals (name, output, exit code).
tally() {
	local line p f
	line=$(printf '%s\n' "$2" | grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' | tail -1)
	if [ -z "$line" ]; then
		p=0
		f=1
	else
		p=$(sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/^([A-Za-z_-]+: )?[0-9]+ passed, ([0-9]+) failed.*/\2/' <<<"$line")
	fi
	[ "$3" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	printf '%-26s %s\n' "$1" "${line:-no summary (exit $3)}"
	[ "$f" -ne 0 ] && printf '%s\n' "$2" | grep -vE '^ok ' | head -40
	pass=$((pass + p))
	fail=$((fail + f))
}

run() {
	local name=$1 out rc
	shift
	out=$(timeout 300 "$@" 2>&1)
	rc=$?
	tally "$name" "$out" "$rc"
}

# One shell-level check: the command must succeed (want=0) or fail (want=1)
# and print the pattern.
expect() {
	local want=$1 name=$2 pattern=$3 out rc
	shift 3
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ $((rc != 0)) -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name (exit $rc)"
		printf '%s\n' "$out" | head -10
	fi
}
check() { expect 0 "$@"; }
check_fails() { expect 1 "$@"; }

for t in test_rpc_pdu test_rpc_sec test_rpc_runtime test_rpc_vt test_rpc_conn rpc-demo-server rpc-demo-client rpc_samba_call; do
	[ -x "$B/$t" ] || { echo "missing $B/$t: build first"; echo "rpc: 0 passed, 1 failed"; exit 1; }
done

run test_rpc_pdu "$B/test_rpc_pdu"
run test_rpc_sec "$B/test_rpc_sec"
run test_rpc_runtime "$B/test_rpc_runtime"
run test_rpc_vt "$B/test_rpc_vt"
run test_rpc_conn "$B/test_rpc_conn"

IMP_USER=ntlmrpcimp
if [ "$(id -u)" -eq 0 ]; then
	id "$IMP_USER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$IMP_USER"
	RPC_IMP_USER=$IMP_USER run test_rpc_imp "$B/test_rpc_imp"
else
	echo "test_rpc_imp               skipped: needs root"
	skip=$((skip + 1))
fi

# --- the demo pair, then impacket against the same demo server
DEMO_USER=rpcdemo
DEMO_PASS='Demo-Rpc-Passw0rd!'
"$B/rpc-demo-server" --listen 'ncacn_ip_tcp:127.0.0.1[0]' --listen "ncalrpc:[$WORK/demo.sock]" \
	--account-file "$WORK/demo.smbpasswd" --create-account "$DEMO_USER:$DEMO_PASS" \
	--computer NTLMRPC --port-file "$WORK/demo.port" >"$WORK/demo-server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$WORK/demo.port" ] && [ -S "$WORK/demo.sock" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/demo.port" 2>/dev/null)
TCP="ncacn_ip_tcp:127.0.0.1[$PORT]"
C="$B/rpc-demo-client"
check "demo: add at privacy" '^add: 42$' \
	"$C" --binding "$TCP" --user "$DEMO_USER" --password "$DEMO_PASS" --domain ELSEWHERE add 40 2
check "demo: whoami at integrity" 'client=NTLMRPC\\rpcdemo' \
	"$C" --binding "$TCP" --user "$DEMO_USER" --password "$DEMO_PASS" --level integrity whoami
check_fails "demo: wrong password refused" 'ACCESS_DENIED' \
	"$C" --binding "$TCP" --user "$DEMO_USER" --password wrong echo hi
check "demo: ncalrpc local call" 'local=1' "$C" --binding "ncalrpc:[$WORK/demo.sock]" whoami
check_fails "demo: ncalrpc principal mismatch" 'WRONG_PRINCIPAL' \
	"$C" --binding "ncalrpc:[$WORK/demo.sock]" --principal '.\no-such-account' whoami
# A created account is the Unix user of that name, else 65534: never the server's uid.
DEMO_UID=$(id -u "$DEMO_USER" 2>/dev/null || echo 65534)
check "demo: account maps to uid $DEMO_UID" "^$DEMO_USER:$DEMO_UID:" cat "$WORK/demo.smbpasswd"
if [ "$(id -u)" -eq 0 ] && [ "$DEMO_UID" -ne 0 ]; then
	check "demo: the account cannot read /etc/shadow" "^readfile: status=0 errno=13 euid=$DEMO_UID " \
		"$C" --binding "$TCP" --user "$DEMO_USER" --password "$DEMO_PASS" readfile /etc/shadow
	check "demo: root's local call is not impersonated" '^whoami: status=5 euid=0 ' \
		"$C" --binding "ncalrpc:[$WORK/demo.sock]" whoami --impersonate
fi

if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
	run impacket "/usr/bin/python3" tests/rpc/impacket_client.py "$PORT" "$DEMO_USER" "$DEMO_PASS" \
		ELSEWHERE 'NTLMRPC\rpcdemo'
else
	echo "impacket                   MISSING python3-impacket"
	fail=$((fail + 1))
fi
kill "${PIDS[0]}" 2>/dev/null
wait "${PIDS[0]}" 2>/dev/null
PIDS=()

# --- ntlm-demo: its default account is not the running uid either
NTLM_DEMO=${RPC_BUILD_DIR:-build}/tools/ntlm-demo
NDEMO_UID=$(id -u demo 2>/dev/null || echo 65534)
check "ntlm-demo: success" '^demo: success$' "$NTLM_DEMO" --account-file "$WORK/ntlm-demo.smbpasswd"
check "ntlm-demo: demo maps to uid $NDEMO_UID" "^demo:$NDEMO_UID:" cat "$WORK/ntlm-demo.smbpasswd"

# --- our client against Samba, in a network namespace of its own when possible
if [ "$(id -u)" -ne 0 ]; then
	echo "samba                      skipped: needs root (useradd, smbpasswd, port 135)"
	skip=$((skip + 1))
elif [ ! -x /usr/libexec/samba/samba-dcerpcd ] || ! command -v rpcclient >/dev/null; then
	echo "samba                      MISSING samba / smbclient"
	fail=$((fail + 1))
else
	if unshare -n true 2>/dev/null; then
		run samba unshare -n bash tests/rpc/samba_interop.sh "$WORK" "$B"
	else
		run samba bash tests/rpc/samba_interop.sh "$WORK" "$B"
	fi
fi

if [ "$skip" -gt 0 ]; then
	echo "rpc: $pass passed, $fail failed, $skip skipped"
else
	echo "rpc: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
