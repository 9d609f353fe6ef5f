# shellcheck shell=bash
# A private Samba Active Directory domain controller for the domain suite
# (tests/suites/46-domain.sh), sourced. Everything lives under $DC_DIR (a
# temp dir): the provisioned databases, smb.conf, sockets, pid and lock
# files, logs. Samba binds fixed ports (88, 135, 389, 445, ...), so it binds
# only the dedicated loopback address $DC_IP: other suites use 127.0.0.1.
# libwbclient (and so our winbind store) reaches the DC's own winbindd only
# through nss_wrapper: SELFTEST_WINBINDD_SOCKET_DIR is honoured only while
# nss_wrapper is loaded (a plain WINBINDD_SOCKET_DIR is not read at all).
#
# Set before sourcing: DC_DIR. Provides dc_provision, dc_users, dc_start,
# dc_stop, in_dc (runs a command as a client of the DC's winbindd).

DC_IP=${DC_IP:-127.0.0.21}
DC_REALM=NTLMDOM.TEST
DC_DOMAIN=NTLMDOM
DC_HOST=NTLMDC
DC_ADMINPASS='Adm1n-Pass#2024'
DC_LOCKOUT_THRESHOLD=3
DC_CONF=$DC_DIR/etc/smb.conf
DC_PID=""
NSS_WRAPPER_SO=${NSS_WRAPPER_SO:-/usr/lib/x86_64-linux-gnu/libnss_wrapper.so}
# tdb's fsync on every transaction is what makes a provision slow (1.5 min
# instead of 30 s on a loaded disk); a test domain need not survive a crash.
export TDB_NO_FSYNC=1

in_dc() {
	env LD_PRELOAD="$NSS_WRAPPER_SO" NSS_WRAPPER_PASSWD=/etc/passwd NSS_WRAPPER_GROUP=/etc/group \
		SELFTEST_WINBINDD_SOCKET_DIR="$DC_DIR/winbindd" "$@"
}

# The port Samba's LDAP server would take is free on DC_IP (no other DC there).
dc_address_free() {
	! (exec 3<>"/dev/tcp/$DC_IP/389") 2>/dev/null
}

dc_provision() {
	mkdir -p "$DC_DIR"/{log,pid,ncalrpc,winbindd} || return 1
	# no DNS server (port 53 is nobody's business here), no NetBIOS; "ntlm auth"
	# as a domain's default: NTLMv2 only
	(cd "$DC_DIR" && samba-tool domain provision --server-role=dc --use-rfc2307 \
		--realm="$DC_REALM" --domain="$DC_DOMAIN" --host-name="$DC_HOST" \
		--adminpass="$DC_ADMINPASS" --targetdir="$DC_DIR" --host-ip="$DC_IP" \
		--dns-backend=SAMBA_INTERNAL \
		--option="interfaces=$DC_IP/8" --option="bind interfaces only=yes" \
		--option="log file=$DC_DIR/log/log.%m" --option="pid directory=$DC_DIR/pid" \
		--option="ncalrpc dir=$DC_DIR/ncalrpc" \
		--option="winbindd socket directory=$DC_DIR/winbindd" \
		--option="dns forwarder=" --option="disable netbios=yes" \
		--option="server services=-dns -nbt" --option="rpc start on demand helpers=no" \
		--option="ntlm auth=ntlmv2-only" \
		>"$DC_DIR/log/provision.out" 2>&1)
}

# The test accounts (tests/domain/users.py) and the lockout threshold.
dc_users() {
	/usr/bin/python3 tests/domain/users.py "$DC_CONF" >"$DC_DIR/log/users.out" 2>&1 &&
		samba-tool domain passwordsettings set -s "$DC_CONF" \
			--account-lockout-threshold="$DC_LOCKOUT_THRESHOLD" >>"$DC_DIR/log/users.out" 2>&1
}

# Samba in the foreground (-i) in one process (-M single) under setsid, so
# its smbd and winbindd children are one process group to stop.
dc_start() {
	setsid samba -i -M single -s "$DC_CONF" </dev/null >>"$DC_DIR/log/samba.out" 2>&1 &
	DC_PID=$!
	for _ in $(seq 200); do
		kill -0 "$DC_PID" 2>/dev/null || return 1
		# winbindd answers, and knows its domain (it talks to the DC's SAM)
		in_dc timeout 10 wbinfo -p >/dev/null 2>&1 &&
			in_dc timeout 10 wbinfo -D "$DC_DOMAIN" >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
}

# TERM to the group, the leader reaped by PID, then KILL for what is left.
dc_stop() {
	[ -n "$DC_PID" ] || return 0
	kill -TERM -- "-$DC_PID" 2>/dev/null || kill -TERM "$DC_PID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$DC_PID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$DC_PID" 2>/dev/null
	wait "$DC_PID" 2>/dev/null
	DC_PID=""
	return 0
}
