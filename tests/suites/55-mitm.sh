#!/usr/bin/env bash
# A man in the middle between `ntlm client` and `ntlm server` (default
# settings) rewrites NEGOTIATE, CHALLENGE and AUTHENTICATE: every downgrade
# must fail, the unmodified relay must work (tests/mitm/ntlm_mitm.py).
# Prints "mitm: N passed, N failed".
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NTLM=$ROOT/build/tools/ntlm
if [ ! -x "$NTLM" ]; then
	echo "FAIL build/tools/ntlm not built"
	echo "mitm: 0 passed, 1 failed"
	exit 1
fi
exec python3 "$ROOT/tests/mitm/ntlm_mitm.py" "$NTLM"
