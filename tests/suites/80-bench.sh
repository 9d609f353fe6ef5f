#!/usr/bin/env bash
# Benchmark smoke test: `bench/run --quick` builds ntlm-bench and the peer
# benchmarks, runs every section scaled down to milliseconds and prints the
# table. One test: it passes when bench/run exits 0 and the table is there.
# No thresholds: quick-mode figures are not measurements (docs/performance.md).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT"
log=$(mktemp /tmp/ntlm-bench-suite.XXXXXX)
trap 'rm -f "$log"' EXIT
timeout -k 10 300 bench/run --quick >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc -eq 0 ] && grep -q '^handshake, 1 thread' "$log" && grep -q '^seal+sign 1024 ' "$log" &&
	grep -q '^targets:' "$log"; then
	echo "bench: 1 passed, 0 failed"
	exit 0
fi
echo "bench: bench/run --quick failed (exit $rc) or printed no table"
echo "bench: 0 passed, 1 failed"
exit 1
