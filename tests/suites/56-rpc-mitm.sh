#!/usr/bin/env bash
# A man in the middle against DCE/RPC with default settings: a TCP proxy
# (tests/mitm/rpc_mitm.py) between rpc-demo-client and rpc_mitm_server
# renames the interface in the bind, downgrades the bind to CONNECT and
# injects a call, injects an alter_context with a verifier, and injects an
# oversize fragment; each is refused, and each also runs unmodified (or
# against an explicitly weakened server) to show the change is real.
# Prints "rpc-mitm: N passed, N failed" last and exits non-zero on failure.
set -u
cd "${ROOT:-$(dirname "$0")/../..}"
B=${RPC_BUILD_DIR:-build}/rpc
for t in rpc_mitm_server rpc-demo-client; do
	[ -x "$B/$t" ] || { echo "missing $B/$t: build first"; echo "rpc-mitm: 0 passed, 1 failed"; exit 1; }
done
out=$(timeout 300 /usr/bin/python3 tests/mitm/rpc_mitm.py "$B" 2>&1)
rc=$?
printf '%s\n' "$out"
if ! tail -1 <<<"$out" | grep -qE '^rpc-mitm: [0-9]+ passed, [0-9]+ failed'; then
	echo "rpc-mitm: 0 passed, 1 failed"
	exit 1
fi
[ "$rc" -eq 0 ]
