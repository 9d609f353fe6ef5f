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
# A local policy file must not change the defaults under test.
export NTLMSSP_CONF=/dev/null
exec python3 "$ROOT/tests/mitm/ntlm_mitm.py" "$NTLM"
