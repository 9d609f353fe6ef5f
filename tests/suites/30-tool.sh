#!/usr/bin/env bash
# The `ntlm` command: helper mode through pipes, decode, hash, passwd and the
# squid-helper protocol (tests/tools/tooltest.py). Prints "tool: N passed, N failed".
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NTLM=$ROOT/build/tools/ntlm
if [ ! -x "$NTLM" ]; then
	echo "FAIL build/tools/ntlm not built"
	echo "tool: 0 passed, 1 failed"
	exit 1
fi
# A local policy file must not change what the tests expect: an empty one
# (/dev/null is no regular file, and the policy file must be one).
conf=$(mktemp /tmp/ntlm-tool-conf.XXXXXX)
trap 'rm -f "$conf"' EXIT
export NTLMSSP_CONF=$conf
python3 "$ROOT/tests/tools/tooltest.py" "$NTLM"
