# Shell functions for suites that need a private standalone winbindd
# (45-winbind, 36-ntlm-auth): sourced, not run. The set-up itself is
# tests/winbind/wbenv.py (the interop suite's: smb.conf on private paths,
# 127.0.0.1 only, an `smbpasswd -a` account); the caller keeps $T (its temp
# dir) and stops winbindd with `stop_group "$winbindd_pid"` in its trap.
#
#   wb_setup            wbenv.py into $T, its variables (WB_*) into the shell; 0 or 1
#   start_winbindd      winbindd on $WB_CONF, PID in $winbindd_pid, up when it answers a ping
#   in_wbenv CMD...     runs CMD the way a client of that winbindd must run
#   stop_group PID      TERM to winbindd's process group, the leader reaped, then KILL
winbindd_pid=""

# winbindd leads its own process group (setsid): TERM to the group, the
# leader reaped by PID, then KILL for whatever of the group is left.
stop_group() { # pid
	[ -n "$1" ] || return 0
	kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# libwbclient only honours the private socket directory when nss_wrapper is loaded.
in_wbenv() {
	env LD_PRELOAD="$WB_ENV_LD_PRELOAD" \
		NSS_WRAPPER_PASSWD="$WB_ENV_NSS_WRAPPER_PASSWD" NSS_WRAPPER_GROUP="$WB_ENV_NSS_WRAPPER_GROUP" \
		SELFTEST_WINBINDD_SOCKET_DIR="$WB_ENV_SELFTEST_WINBINDD_SOCKET_DIR" "$@"
}

wb_setup() {
	/usr/bin/python3 "$ROOT/tests/winbind/wbenv.py" "$T" >"$T/wbenv.sh" 2>"$T/wbenv.err" || return 1
	# shellcheck disable=SC1091
	. "$T/wbenv.sh"
}

start_winbindd() {
	setsid winbindd -s "$WB_CONF" -F --no-process-group --debug-stdout \
		</dev/null >>"$WB_DIR/log/winbindd.suite" 2>&1 &
	winbindd_pid=$!
	for _ in $(seq 100); do
		kill -0 "$winbindd_pid" 2>/dev/null || return 1
		in_wbenv timeout 20 wbinfo -p >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
}
