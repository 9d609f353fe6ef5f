#!/usr/bin/env bash
# Wine's NTLM through our ntlm_auth: Windows programs (tests/wine/, built with
# mingw-w64) run under Wine 8 with only our ntlm_auth on PATH.
#   SSPI: AcquireCredentialsHandle("NTLM") with explicit credentials,
#     InitializeSecurityContext, Encrypt/DecryptMessage, Make/VerifySignature
#     against `ntlm server` and against Samba's gensec server (python3-samba,
#     accounts in a sam.ldb provisioned offline); a wrong password is refused.
#   SSPI server: AcceptSecurityContext (our ntlm_auth as squid-2.5-ntlmssp)
#     with `ntlm client` logging on; a wrong password is refused.
#   DCE/RPC: the demo interface (widl stubs) with RPC_C_AUTHN_WINNT at CONNECT,
#     PKT_INTEGRITY and PKT_PRIVACY against rpc-demo-server: the calls run, the
#     server names DOMAIN\user and impersonates the mapped local account; a
#     wrong password gets access denied.
#   Wine's own server side fails in ways of its own (docs/interop.md): its
#     SSPI server's session security and its RPC server are shown as "note"
#     lines, not counted.
#   Ours ran: Wine finds ntlm_auth with execvp() on PATH, and PATH holds only
#     a directory with a link to ours; with an empty directory there instead,
#     Wine has no NTLM at all (Samba's /usr/bin/ntlm_auth is never reached).
# Headless and loopback only; the Wine prefix (wineboot -i) is cached under
# build/wine-prefix/ by Wine version and hard-linked into the temp dir.
# WINE_NTLM_AUTH=/usr/bin/ntlm_auth runs the same cases with Samba's helper.
# Prints "wine: N passed, N failed" last; every process it starts is ended by
# PID (the Wine server of its own prefix with wineserver -k) on exit.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
B=$ROOT/build
NTLM=$B/tools/ntlm
NTLM_AUTH=${WINE_NTLM_AUTH:-$B/tools/ntlm_auth}
RPC_SERVER=$B/rpc/rpc-demo-server
EXE=$B/tests/wine
WINE=${WINE:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver}
pass=0
fail=0
started=$(date +%s)

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1${2:+: $2}"; }
finish() { echo "wine: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
elapsed() { echo $(($(date +%s) - started)); }

for need in "$WINE" "$WINESERVER" "$NTLM" "$NTLM_AUTH" "$RPC_SERVER" python3 samba-tool; do
	if ! command -v "$need" >/dev/null 2>&1 && [ ! -x "$need" ]; then
		bad "prerequisites" "$need not found (apt-get install wine64 samba python3-samba; build first)"
		finish
	fi
done
if [ ! -f "$EXE/sspi_peer.exe" ] || [ ! -f "$EXE/rpc_client.exe" ] ||
	[ ! -f "$EXE/rpc_server.exe" ]; then
	bad "prerequisites" "the Windows test programs were not built: install gcc-mingw-w64-x86-64 and wine64-tools (widl), then meson setup --reconfigure build && ninja -C build"
	finish
fi

T=$(mktemp -d /tmp/ntlm-wine.XXXXXX)
chmod 711 "$T"
PFX=$T/prefix
BOOT=""
PIDS=()
GROUPS_STARTED=()
cleanup() {
	for g in "${GROUPS_STARTED[@]}"; do kill -- -"$g" 2>/dev/null; done
	for p in "$PFX" "$T/prefix-netns" $BOOT; do
		[ -d "$p" ] && WINEPREFIX=$p "$WINESERVER" -k 2>/dev/null
	done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	[ -n "${KEEP_T:-}" ] && echo "wine: keeping $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Contexts made without a policy follow the system policy: run against the defaults.
: >"$T/empty.conf"
chmod 644 "$T/empty.conf"
export NTLMSSP_CONF=$T/empty.conf

# --- Samba's server: provisioning takes a while, so it runs while Wine boots
# (in a process group of its own: samba-tool is its child).
setsid /usr/bin/python3 - "$T" >"$T/samba-setup.log" 2>&1 <<EOF &
import sys
sys.path.insert(0, "$ROOT/tests/interop")
from peers import Env, SambaGensec
p = SambaGensec()
err = p.setup(Env(sys.argv[1]))
print(err or "")
open(sys.argv[1] + "/samba.conf", "w").write("" if err else p.conf)
EOF
samba_setup_pid=$!
GROUPS_STARTED+=("$samba_setup_pid")

# --- the Wine prefix
# Wine runs with this environment only: no DISPLAY, no Mono or Gecko, PATH
# holding the one directory where ntlm_auth may be found.
wine_in() { # PATH_DIR PREFIX PROGRAM ARGS...
	local path=$1 prefix=$2
	shift 2
	env -i HOME="$T" PATH="$path" NTLMSSP_CONF="$NTLMSSP_CONF" NTLM_ACCOUNT_FILE="$T/accounts" \
		WINEPREFIX="$prefix" \
		WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8 "$WINE" "$@"
}
mkdir -p "$T/bin" "$T/nobin"
ln -s "$NTLM_AUTH" "$T/bin/ntlm_auth"
wine_version=$("$WINE" --version 2>/dev/null)
cache=$B/wine-prefix/$(printf '%s' "$wine_version" | tr -c 'A-Za-z0-9.~+-' '_')
boot_start=$(date +%s)
how=cached
if [ ! -f "$cache/.complete" ]; then
	# booted where it is kept, then renamed: a second run of the same Wine
	# version skips the boot
	how=booted
	mkdir -p "$B/wine-prefix"
	BOOT=$(mktemp -d "$B/wine-prefix/boot.XXXXXX")
	if wine_in "$T/nobin" "$BOOT" wineboot -i >"$T/wineboot.log" 2>&1 &&
		WINEPREFIX=$BOOT "$WINESERVER" -w && touch "$BOOT/.complete"; then
		mv -T "$BOOT" "$cache" 2>/dev/null || rm -rf "$BOOT" # another run was faster
	else
		WINEPREFIX=$BOOT "$WINESERVER" -k 2>/dev/null
		rm -rf "$BOOT"
	fi
	BOOT=""
fi
# Hard links for the 700 MB of DLLs Wine only reads; copies of the files it
# rewrites (the registry and the other top-level files).
make_prefix() { # DIR
	[ -f "$cache/.complete" ] && cp -al "$cache" "$1" 2>/dev/null &&
		find "$cache" -maxdepth 1 -type f -exec cp --remove-destination -p {} "$1/" \;
}
if make_prefix "$PFX"; then
	ok "Wine prefix ($wine_version, wineboot -i $how: $(($(date +%s) - boot_start)) s)"
else
	bad "Wine prefix" "wineboot -i failed: $(tail -3 "$T/wineboot.log" 2>/dev/null | tr '\n' ' ')"
	finish
fi
# one Wine server for all the runs below (each run then starts in well under a second)
WINEPREFIX=$PFX "$WINESERVER" -p
wine() { wine_in "$T/bin" "$PFX" "$@" 2>>"$T/wine.stderr"; }

wait_file() { # file pid
	for _ in $(seq 600); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# A line-protocol server behind the TCP relay: LABEL COMMAND... ; sets relay_port.
start_relay() {
	local label=$1
	shift
	python3 "$ROOT/tests/wine/relay.py" "$T/$label.port" -- "$@" 2>"$T/$label.log" &
	PIDS+=("$!")
	relay_port=""
	wait_file "$T/$label.port" "$!" && relay_port=$(cat "$T/$label.port")
	[ -n "$relay_port" ]
}

# Every "ok" line of a program run counts; its "FAIL" lines fail the case.
sspi_case() { # LABEL PORT USER DOMAIN PASSWORD WANT_USER [no-resync]
	local out checks=8
	[ -n "${7:-}" ] && checks=7 # no genuine message after the forgery
	out=$(wine "$EXE/sspi_peer.exe" connect "$2" "$3" "$4" "$5" ${7:-})
	printf '%s\n' "$out" >>"$T/sspi.out"
	if grep -qF "peer: DONE user=$6 " <<<"$out" &&
		grep -q "^sspi_peer: $checks passed, 0 failed" <<<"$out"; then
		ok "$1: logon as $6, seal and sign both ways, forgeries refused"
	else
		bad "$1" "$(grep -E '^(FAIL|peer:)' <<<"$out" | head -5 | tr '\n' '|')"
	fi
}

sspi_refused() { # LABEL PORT USER DOMAIN PASSWORD PATTERN
	local out
	out=$(wine "$EXE/sspi_peer.exe" connect "$2" "$3" "$4" "$5")
	if grep -qE "^peer: FAIL .*($6)" <<<"$out"; then
		ok "$1: $(grep "^peer:" <<<"$out" | cut -d" " -f2,3)"
	else
		bad "$1" "$(grep -E '^(FAIL|peer:)' <<<"$out" | head -3 | tr '\n' '|')"
	fi
}

# --- SSPI against `ntlm server`
ACCT=winetest
PASSWORD='Wine-Passw0rd!'
"$NTLM" passwd --account-file "$T/accounts" --password-on-command-line "$PASSWORD" add "$ACCT" >/dev/null
if start_relay ntlm-server "$NTLM" server --account-file "$T/accounts" --computer-name WINESRV; then
	sspi_case "SSPI vs ntlm server" "$relay_port" "$ACCT" WINEDOM "$PASSWORD" "WINESRV\\$ACCT"
	sspi_refused "SSPI vs ntlm server, wrong password" "$relay_port" "$ACCT" WINEDOM 'Wrong-Passw0rd' \
		NTLM_E_LOGON_FAILURE
	# the proof that Wine ran the ntlm_auth of $T/bin: without it, no NTLM at all
	out=$(wine_in "$T/nobin" "$PFX" "$EXE/sspi_peer.exe" connect "$relay_port" "$ACCT" WINEDOM \
		"$PASSWORD" 2>&1)
	if grep -q 'FAIL AcquireCredentialsHandle NTLM: .*0x80090305' <<<"$out"; then
		ok "without ntlm_auth on PATH Wine has no NTLM (SEC_E_SECPKG_NOT_FOUND): the one on PATH ran above"
	else
		bad "PATH without ntlm_auth" "$(head -3 <<<"$out" | tr '\n' '|')"
	fi
else
	bad "relay for ntlm server" "$(tail -3 "$T/ntlm-server.log")"
fi
echo "wine: SSPI vs ntlm server done at $(elapsed) s"

# --- Wine as the server: AcceptSecurityContext runs our ntlm_auth as
# squid-2.5-ntlmssp (accounts from $NTLM_ACCOUNT_FILE: Wine passes no
# options); the client is `ntlm client`
if start_relay ntlm-client "$NTLM" client --user "$ACCT" --domain WINEDOM --password "$PASSWORD"; then
	out=$(wine "$EXE/sspi_peer.exe" accept "$relay_port" handshake-only)
	printf '%s\n' "$out" >>"$T/sspi.out"
	if grep -q '^sspi_peer: 1 passed, 0 failed' <<<"$out"; then
		ok "AcceptSecurityContext: ntlm client logs on to Wine"
	else
		bad "AcceptSecurityContext" "$(grep -E '^(FAIL|peer:|status:)' <<<"$out" | tr '\n' '|')"
	fi
	# Wine 8's server contexts do not interoperate for sealing or signing
	# (docs/interop.md): shown, not counted
	out=$(wine "$EXE/sspi_peer.exe" accept "$relay_port")
	echo "note Wine as server, session security (a Wine bug): $(grep -c '^FAIL' <<<"$out") of" \
		"$(grep -cE '^(ok|FAIL) ' <<<"$out") checks fail"
else
	bad "relay for ntlm client" "$(tail -3 "$T/ntlm-client.log")"
fi
if start_relay ntlm-client-wrong "$NTLM" client --user "$ACCT" --domain WINEDOM --password 'Wrong-Passw0rd'; then
	out=$(wine "$EXE/sspi_peer.exe" accept "$relay_port" handshake-only)
	if grep -q '^status: .*0x8009030c' <<<"$out"; then
		ok "AcceptSecurityContext, wrong password: SEC_E_LOGON_DENIED"
	else
		bad "AcceptSecurityContext, wrong password" "$(grep -E '^(FAIL|peer:|status:)' <<<"$out" | tr '\n' '|')"
	fi
else
	bad "relay for ntlm client (wrong password)" "$(tail -3 "$T/ntlm-client-wrong.log")"
fi
echo "wine: SSPI accept done at $(elapsed) s"

# --- DCE/RPC against rpc-demo-server: the default one (PKT_INTEGRITY at least)
# and one that takes CONNECT
start_rpc() { # LABEL [OPTIONS]
	local label=$1
	shift
	"$RPC_SERVER" --listen 'ncacn_ip_tcp:127.0.0.1[0]' --account-file "$T/accounts" \
		--computer WINERPC --port-file "$T/$label.port" "$@" >"$T/$label.log" 2>&1 &
	PIDS+=("$!")
	rpc_port=""
	wait_file "$T/$label.port" "$!" && rpc_port=$(cat "$T/$label.port")
	[ -n "$rpc_port" ]
}
# the account (made by ntlm passwd above) maps to the Unix user of its name, else to 65534
want_uid=$(id -u "$ACCT" 2>/dev/null || echo 65534)
want_unix=$(id -un "$want_uid" 2>/dev/null || echo "$want_uid")

rpc_case() { # LABEL PORT LEVEL WANT_LEVEL
	local out w
	out=$(wine "$EXE/rpc_client.exe" "$2" "$ACCT" WINEDOM "$PASSWORD" "$3")
	printf '%s\n' "$out" >>"$T/rpc.out"
	w=$(grep '^whoami ' <<<"$out")
	if ! grep -q '^rpc_client: 3 passed, 0 failed' <<<"$out"; then
		bad "$1" "$(grep -E '^(FAIL|rpc exception)' <<<"$out" | head -3 | tr '\n' '|')"
		return
	fi
	if grep -q " authn_svc=10 authn_level=$4 " <<<"$w" &&
		grep -q " principal=WINERPC\\\\$ACCT " <<<"$w"; then
		ok "$1: Add, Echo (20000 bytes), WhoAmI as WINERPC\\$ACCT at level $4"
	else
		bad "$1: what the server saw" "$w"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		bad "$1: impersonation" "the RPC server must run as root to change identity"
	elif grep -q "^whoami status=0 euid=$want_uid .* unix_user=$want_unix " <<<"$w"; then
		ok "$1: impersonation runs the call as $want_unix (uid $want_uid)"
	else
		bad "$1: impersonation" "$w"
	fi
}

rpc_refused() { # LABEL PORT PASSWORD LEVEL
	local out
	out=$(wine "$EXE/rpc_client.exe" "$2" "$ACCT" WINEDOM "$3" "$4")
	if grep -q '^rpc exception 5 ' <<<"$out"; then
		ok "$1: access denied"
	else
		bad "$1" "$(head -3 <<<"$out" | tr '\n' '|')"
	fi
}

if start_rpc rpc; then
	rpc_case "RPC PKT_INTEGRITY" "$rpc_port" integrity 5
	rpc_case "RPC PKT_PRIVACY" "$rpc_port" privacy 6
	rpc_refused "RPC wrong password" "$rpc_port" 'Wrong-Passw0rd' privacy
	rpc_refused "RPC CONNECT against a server that wants PKT_INTEGRITY" "$rpc_port" "$PASSWORD" connect
else
	bad "rpc-demo-server starts" "$(tail -3 "$T/rpc.log")"
fi
if start_rpc rpc-connect --min-level 2; then
	rpc_case "RPC CONNECT" "$rpc_port" connect 2
else
	bad "rpc-demo-server --min-level 2 starts" "$(tail -3 "$T/rpc-connect.log")"
fi
echo "wine: RPC done at $(elapsed) s"

# --- Wine's RPC server, for the record (docs/interop.md): rpc-demo-client
# against rpc_server.exe. Not counted: what fails is Wine's. Wine's server
# listens on every address, and Wine's sockets are made by its wineserver:
# a prefix of its own, whose wineserver starts in a network namespace of its
# own.
wine_rpc_server_notes() {
	ip link set lo up && make_prefix "$NSPFX" || return
	wine_in "$T/bin" "$NSPFX" "$EXE/rpc_server.exe" >"$T/wine-rpc-server.out" 2>/dev/null &
	local pid=$! port=""
	for _ in $(seq 300); do
		port=$(awk '/^listening/ {print $2}' "$T/wine-rpc-server.out" | tr -d '\r')
		[ -n "$port" ] && break
		sleep 0.1
	done
	for level in none integrity; do
		echo "note Wine's RPC server, rpc-demo-client at $level:" \
			"$(timeout 20 "$B/rpc/rpc-demo-client" --binding "ncacn_ip_tcp:127.0.0.1[$port]" \
				--user "$ACCT" --password "$PASSWORD" --level "$level" add 2 3 2>&1 | head -1)"
	done
	kill "$pid"
	WINEPREFIX=$NSPFX "$WINESERVER" -k
}
NSPFX=$T/prefix-netns
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
	export -f wine_in make_prefix wine_rpc_server_notes
	export T NSPFX WINE WINESERVER EXE B ACCT PASSWORD NTLMSSP_CONF cache
	unshare -n bash -c wine_rpc_server_notes
fi
echo "wine: Wine's RPC server done at $(elapsed) s"

# --- SSPI against Samba's gensec server
if wait "$samba_setup_pid" && [ -s "$T/samba.conf" ]; then
	samba_conf=$(cat "$T/samba.conf")
	if start_relay samba env PYTHONPATH="$ROOT/tests/interop" PYTHONDONTWRITEBYTECODE=1 \
		/usr/bin/python3 "$ROOT/tests/interop/peer_samba.py" --via gensec --conf "$samba_conf" server; then
		# gensec counts a refused message in its sequence: no resync after a forgery
		sspi_case "SSPI vs Samba gensec" "$relay_port" ntlmitest INTEROP 'Interop-Passw0rd!' \
			'INTEROP\ntlmitest' no-resync
		sspi_refused "SSPI vs Samba gensec, wrong password" "$relay_port" ntlmitest INTEROP \
			'Wrong-Passw0rd' 'NT_STATUS_WRONG_PASSWORD|NT_STATUS_LOGON_FAILURE'
	else
		bad "relay for Samba gensec" "$(tail -3 "$T/samba.log")"
	fi
else
	bad "Samba provisioning" "$(tail -3 "$T/samba-setup.log" | tr '\n' ' ')"
fi
echo "wine: done in $(elapsed) s (prefix $how)"
finish
