#!/usr/bin/env bash
# Our RPC client against Samba's own RPC server: samba-dcerpcd started
# standalone with a private smb.conf and one smbpasswd account; rpcclient
# against the same set-up first, as a check of the set-up itself.
#
#   samba_interop.sh WORKDIR RPC_BUILD_DIR
#
# Run it inside `unshare -n` (50-rpc.sh does) so that the endpoint mapper's
# port 135 on 127.0.0.1 is ours alone. Writes the daemon's process group id
# to WORKDIR/samba.pgid (the caller's trap stops it too) and stops it itself.
# Prints "samba: N passed, N failed" last.
set -u
WORK=$1
B=$2
W=$WORK/samba
USER=ntlmrpcsmb
PASS='Smb-Passw0rd!'
DOMAIN=SMBRPC
DCERPCD=/usr/libexec/samba/samba-dcerpcd
pass=0
fail=0
SPID=

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -20; }

stop_samba() {
	[ -n "$SPID" ] && kill -- -"$SPID" 2>/dev/null
	wait 2>/dev/null
	SPID=
}
trap stop_samba EXIT

finish() {
	stop_samba
	echo "samba: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

ip link set lo up 2>/dev/null # a fresh network namespace starts with lo down

mkdir -p "$W"/{private,lock,state,cache,pid,log,ncalrpc}
cat >"$W/smb.conf" <<EOF
[global]
	workgroup = $DOMAIN
	netbios name = SMBRPCSRV
	server role = standalone server
	interfaces = lo
	bind interfaces only = yes
	private dir = $W/private
	lock directory = $W/lock
	state directory = $W/state
	cache directory = $W/cache
	pid directory = $W/pid
	ncalrpc dir = $W/ncalrpc
	log file = $W/log/log.%m
	passdb backend = smbpasswd:$W/private/smbpasswd
	smb passwd file = $W/private/smbpasswd
	rpc start on demand helpers = no
	disable spoolss = yes
EOF

id "$USER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$USER" || { bad "useradd $USER"; finish; }
if ! out=$(printf '%s\n%s\n' "$PASS" "$PASS" | smbpasswd -c "$W/smb.conf" -s -a "$USER" 2>&1); then
	bad "smbpasswd -a $USER" "$out"
	finish
fi

setsid "$DCERPCD" -s "$W/smb.conf" --libexec-rpcds -F --no-process-group --debug-stdout -d 1 \
	>"$W/dcerpcd.log" 2>&1 &
SPID=$!
echo "$SPID" >"$WORK/samba.pgid"

# The endpoint mapper first, then the workers' interfaces (registered a little later).
for _ in $(seq 1 30); do
	timeout 1 bash -c '</dev/tcp/127.0.0.1/135' 2>/dev/null && break
	sleep 1
done
ready=
for _ in $(seq 1 20); do
	out=$(timeout 30 "$B/rpc_samba_call" 127.0.0.1 "$USER" "$PASS" "$DOMAIN" integrity 2>&1) && { ready=1; break; }
	sleep 1
done
[ -n "$ready" ] || { bad "samba-dcerpcd serves srvsvc" "$out"$'\n'"$(tail -20 "$W/dcerpcd.log")"; finish; }
ok "samba-dcerpcd serves srvsvc (endpoint mapper on 127.0.0.1[135])"

out=$(timeout 30 rpcclient -s "$W/smb.conf" -U "$DOMAIN\\$USER%$PASS" 'ncacn_ip_tcp:127.0.0.1[sign,seal]' -c srvinfo 2>&1)
if grep -q platform_id <<<"$out"; then ok "rpcclient srvinfo [sign,seal] (the set-up works)"; else bad "rpcclient srvinfo" "$out"; fi
out=$(timeout 30 rpcclient -s "$W/smb.conf" -U "$DOMAIN\\$USER%wrong" 'ncacn_ip_tcp:127.0.0.1[sign,seal]' -c srvinfo 2>&1)
if ! grep -q platform_id <<<"$out"; then ok "rpcclient with a wrong password is refused"; else bad "rpcclient wrong password" "$out"; fi

# Wireshark's dissector must find our verification trailer where Samba looks for it.
TPID=
if command -v tshark >/dev/null; then
	tshark -n -i lo -f tcp -w "$W/vt.pcapng" >"$W/tshark.log" 2>&1 &
	TPID=$!
	# "Capturing on" comes before the capture does: wait for "Capture started" (or, from a
	# tshark that does not say it, a second)
	for _ in $(seq 1 100); do grep -q "Capture started" "$W/tshark.log" && break; sleep 0.1; done
	sleep 0.3
fi
ports=
for level in integrity privacy; do
	out=$(timeout 30 "$B/rpc_samba_call" 127.0.0.1 "$USER" "$PASS" "$DOMAIN" "$level" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	if [ $rc -eq 0 ] && grep -q "NetrServerGetInfo 101: platform 500 name SMBRPCSRV" <<<"$out" &&
		grep -q "header signing negotiated" <<<"$out"; then
		ok "our client -> samba srvsvc NetrServerGetInfo 101 at $level"
	else
		bad "our client -> samba at $level" "$out"
	fi
	ports="$ports $(sed -nE 's/.*srvsvc on port ([0-9]+).*/\1/p' <<<"$out")"
done
if [ -n "$TPID" ]; then
	sleep 0.5
	kill -INT "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	decode=()
	for p in $ports; do decode+=(-d "tcp.port==$p,dcerpc"); done
	vt=$(tshark -n -r "$W/vt.pcapng" "${decode[@]}" -Y 'dcerpc.pkt_type == 0 && dcerpc.opnum == 21 && dcerpc.auth_level == 5' \
		-T fields -e dcerpc.rpc_sec_vt.command -e dcerpc.rpc_sec_vt.pcontext.interface.uuid 2>&1)
	if grep -q '0x0001,0x0002,0x4003' <<<"$vt" && grep -q '4b324fc8-1670-01d3-1278-5a47bf6ee188' <<<"$vt"; then
		ok "tshark reads our verification trailer (bitmask, pcontext srvsvc, header2) at integrity"
	else
		bad "tshark does not see our verification trailer" "$vt"
	fi
else
	bad "tshark missing: cannot check the verification trailer on the wire"
fi

out=$(timeout 30 "$B/rpc_samba_call" 127.0.0.1 "$USER" "not-the-password" "$DOMAIN" privacy 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
if [ $rc -eq 1 ] && ! grep -q "NetrServerGetInfo 101:" <<<"$out"; then
	ok "our client with a wrong password is refused by samba"
else
	bad "wrong password against samba" "$out"
fi
finish
