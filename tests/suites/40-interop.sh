#!/usr/bin/env bash
# Interop suite: this library against python3-ntlm-auth, impacket, Samba
# (ntlm_auth + winbindd), gss-ntlmssp and WinPR, plus tshark's dissector.
# Every peer comes from a Debian package (tests/packages.txt); every process is
# started on 127.0.0.1 / stdio by tests/interop/interop.py and ended by PID.
# Prints the clients x servers matrix and "interop: N passed, N failed" last.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
# Contexts made without a policy follow the system policy: run against the
# defaults (an empty policy file), whatever this host's /etc/ntlmssp.conf says.
work=$(mktemp -d /tmp/ntlm-interop.XXXXXX)
[ -n "${INTEROP_KEEP:-}" ] && echo "interop: keeping $work" || trap 'rm -rf "$work"' EXIT
NTLMSSP_CONF=$work/empty.conf && : >"$NTLMSSP_CONF" && chmod 644 "$NTLMSSP_CONF" && export NTLMSSP_CONF
mkdir -p "$work/bin"
fail_build() { echo "interop: cannot build $1"; cat "$work/cc.log" 2>/dev/null | tail -20; echo "interop: 0 passed, 1 failed"; exit 1; }

CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -Wall"
# ours is build/tools/ntlm (`ntlm client` / `ntlm server`); without it, a
# small driver of the public API that speaks the same line protocol
if [ ! -x build/tools/ntlm ]; then
	cc $CFLAGS -Iinclude -o "$work/bin/ntlmpeer" tests/interop/ntlmpeer.c tests/interop/lineproto.c build/libntlmssp.a \
		$(pkg-config --libs nettle zlib) $(pkg-config --libs wbclient 2>/dev/null) -lpthread >"$work/cc.log" 2>&1 || fail_build ntlmpeer
fi
# the C peers, each linked with the shared line protocol; one that does not
# build fails its own set-up (counted), the rest of the suite still runs
build_peer() { # name pkg-config-package
	cc $CFLAGS -o "$work/bin/$1" "tests/interop/$1.c" tests/interop/lineproto.c $(pkg-config --cflags --libs "$2") \
		>"$work/cc-$1.log" 2>&1 || { echo "interop: cannot build $1:"; tail -20 "$work/cc-$1.log"; }
}
build_peer gssntlm krb5-gssapi
build_peer winpr_peer winpr2

timeout -k 10 600 /usr/bin/python3 tests/interop/interop.py --work "$work" "$@"
