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
# The C peers (ntlmpeer, gssntlm, winpr_peer) are meson targets in
# build/tests/interop/; a peer whose library is missing is not built and fails
# its own set-up (counted), the rest of the suite still runs.
export INTEROP_BIN=${INTEROP_BIN:-$ROOT/build/tests/interop}
[ -d "$INTEROP_BIN" ] || { echo "interop: $INTEROP_BIN missing: build first"; echo "interop: 0 passed, 1 failed"; exit 1; }

timeout -k 10 600 /usr/bin/python3 tests/interop/interop.py --work "$work" "$@"
