#!/usr/bin/env bash
# The DCOM checks that need port 135: run by tests/suites/52-dcom.sh inside a
# private network namespace (unshare -n), where 127.0.0.1:135 is ours alone.
# Usage: netns.sh WORKDIR BUILDDIR   (the account file WORKDIR/dcom.smbpasswd
# and the variables ALICE_* BOB_* CAROL_* COMPUTER come from the suite).
# Prints "dcom-netns: N passed, N failed" last. Every process it starts is
# stopped by its PID on exit.
set -u
WORK=$1
B=$2
PY=/usr/bin/python3
IMP="$PY tests/dcom/impacket_dcom.py"
SERVER="$B/dcom/ntlm-dcom-demo-server"
PIDS=()
pass=0
fail=0

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -20; }

# A program printing "ok"/"FAIL" lines and "impacket-dcom: N passed, N failed" last.
tally() {
	local name=$1 out rc line p f
	shift
	out=$(timeout 120 "$@" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^impacket-dcom: [0-9]+ passed' | tail -1)
	p=$(sed -nE 's/^impacket-dcom: ([0-9]+) passed.*/\1/p' <<<"$line")
	f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
	[ -z "$line" ] && p=0 && f=1
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p))
	fail=$((fail + f))
	printf '%-30s %s\n' "$name" "${line:-no summary (exit $rc)}"
	printf '%s\n' "$out" | grep -E '^(FAIL|Traceback|  File|[A-Za-z]*Error)' | head -20
}

# Starts the demo server on 127.0.0.1:135 with the given extra options; waits for its ports.
start_server() {
	local log=$1
	shift
	rm -f "$WORK/ports"
	"$SERVER" --account-file "$WORK/dcom.smbpasswd" --host 127.0.0.1 --port 135 \
		--computer "$COMPUTER" --port-file "$WORK/ports" "$@" >"$log" 2>&1 &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	for _ in $(seq 1 50); do [ -s "$WORK/ports" ] && return 0; sleep 0.1; done
	bad "server did not start" "$(cat "$log")"
	return 1
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
}

ip link set lo up || { bad "ip link set lo up"; echo "dcom-netns: $pass passed, $fail failed"; exit 1; }

# --- the main server: alice may launch and call, bob may launch but not call, carol neither
start_server "$WORK/server.log" --allow "$COMPUTER\\$ALICE_USER" \
	--launch "$COMPUTER\\$ALICE_USER" --launch "$BOB_USER" --ncalrpc "$WORK/dcom.sock" || exit 1
if [ -S "$WORK/dcom.sock" ]; then ok "ncalrpc endpoint made"; else bad "ncalrpc endpoint made"; fi
EXPORTER=$(cut -d' ' -f2 "$WORK/ports")

# tshark sees every packet of alice's runs (the password it decrypts with is hers)
tshark -i lo -w "$WORK/dcom.pcap" -f "tcp port 135 or tcp port $EXPORTER" >"$WORK/tshark.log" 2>&1 &
TSHARK=$!
PIDS+=("$TSHARK")
for _ in $(seq 1 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.1; done
tally "impacket: alice's calls" $IMP calls "$ALICE_USER" "$ALICE_PASS" ELSEWHERE \
	"$COMPUTER\\$ALICE_USER" "$ALICE_UID" "$ALICE_USER"
sleep 1
kill -INT "$TSHARK" 2>/dev/null
wait "$TSHARK" 2>/dev/null

tally "impacket: CONNECT refused" $IMP refused "$ALICE_USER" "$ALICE_PASS" ELSEWHERE connect
tally "impacket: wrong password" $IMP refused "$ALICE_USER" "not-$ALICE_PASS" ELSEWHERE password
tally "impacket: carol may not launch" $IMP refused "$CAROL_USER" "$CAROL_PASS" ELSEWHERE launch
tally "impacket: bob may not call" $IMP refused "$BOB_USER" "$BOB_PASS" ELSEWHERE access
stop_server

log=$(cat "$WORK/server.log")
if grep -q "activated NtlmDemo for $COMPUTER\\\\$ALICE_USER" <<<"$log" &&
	grep -q "of NtlmDemo released" <<<"$log"; then
	ok "server log: alice's objects activated and released"
else
	bad "server log: alice's objects activated and released" "$log"
fi
if grep -q "activation of NtlmDemo refused to .*$CAROL_USER: not in its launch permission" <<<"$log" &&
	grep -q "call on NtlmDemo refused: not in its access permission" <<<"$log"; then
	ok "server log: launch and access refusals"
else
	bad "server log: launch and access refusals" "$log"
fi

# --- tshark: every packet of alice's runs dissects cleanly, decrypted with her password
dissect=$(tshark -r "$WORK/dcom.pcap" -o "ntlmssp.nt_password:$ALICE_PASS" \
	-d "tcp.port==$EXPORTER,dcerpc" -V 2>&1)
summary=$(tshark -r "$WORK/dcom.pcap" -o "ntlmssp.nt_password:$ALICE_PASS" \
	-d "tcp.port==$EXPORTER,dcerpc" 2>&1)
printf '%s\n' "$summary" >"$WORK/tshark-summary.txt"
if [ "$(printf '%s\n' "$summary" | wc -l)" -gt 20 ]; then
	ok "tshark: $(printf '%s\n' "$summary" | wc -l) packets captured"
else
	bad "tshark: packets captured" "$summary"
fi
if grep -qiE 'malformed|\[Expert Info \(Error' <<<"$dissect"; then
	bad "tshark: no malformed packet, no expert error" \
		"$(grep -iE -B30 'malformed|\[Expert Info \(Error' <<<"$dissect" | head -60)"
else
	ok "tshark: no malformed packet, no expert error"
fi
# both runs, the PKT_PRIVACY one decrypted: each answer is seen twice
for what in "RemoteCreateInstance response" "RemQueryInterface response S_OK" \
	"RemQueryInterface response E_NOINTERFACE" "RemAddRef response" "RemRelease response -> S_OK"; do
	n=$(grep -c "$what" <<<"$summary")
	if [ "$n" -ge 2 ]; then ok "tshark: $what (x$n)"; else bad "tshark: $what (x$n, want 2 or more)"; fi
done

# --- garbage collection: a client killed without releasing loses its object after the ping timeout
start_server "$WORK/gc.log" --ping-period-ms 300 --ping-count 3 || exit 1
$IMP linger "$ALICE_USER" "$ALICE_PASS" ELSEWHERE 2 >"$WORK/linger.out" 2>&1 &
LINGER=$!
PIDS+=("$LINGER")
for _ in $(seq 1 100); do grep -q '^ready' "$WORK/linger.out" && break; sleep 0.1; done
oid=$(sed -nE 's/^ready ([0-9a-f]+)$/\1/p' "$WORK/linger.out")
if [ -n "$oid" ] && grep -q "^ok   linger: pinged object still answers" "$WORK/linger.out"; then
	ok "gc: pinged for 2 s (> 0.9 s timeout), the object lives"
else
	bad "gc: pinged object lives" "$(cat "$WORK/linger.out" "$WORK/gc.log")"
fi
if grep -q "collected" "$WORK/gc.log"; then bad "gc: nothing collected while pinged" "$(cat "$WORK/gc.log")"; fi
kill -KILL "$LINGER" 2>/dev/null
wait "$LINGER" 2>/dev/null
for _ in $(seq 1 50); do grep -q "object $oid of NtlmDemo collected" "$WORK/gc.log" && break; sleep 0.1; done
if [ -n "$oid" ] && grep -q "object $oid of NtlmDemo collected (not pinged in time)" "$WORK/gc.log"; then
	ok "gc: the killed client's object is collected after the ping timeout"
else
	bad "gc: the killed client's object is collected" "$(cat "$WORK/gc.log")"
fi
stop_server
if grep -qE "stopped: 1 created, 0 released, 1 collected, 0 live" "$WORK/gc.log"; then
	ok "gc: server counters (1 created, 1 collected, 0 live)"
else
	bad "gc: server counters" "$(tail -3 "$WORK/gc.log")"
fi

echo "dcom-netns: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
