#!/usr/bin/env bash
# Fuzzing: every libFuzzer target (fuzz/fuzz_*.c, clang, ASan + UBSan) replays
# its fuzz/regress inputs, then fuzzes from its seed corpus for a short,
# bounded time. One test per target; it passes with 0 findings. The time per
# target is chosen so the whole suite stays under 4 minutes on this machine
# (FUZZ_SECONDS overrides). Longer runs: see docs/security.md.
cd "$ROOT"
jobs=$(nproc 2>/dev/null || echo 1)
[ "$jobs" -gt 4 ] && jobs=4
# 19 targets (fuzz/run.sh's list), about 160 s of fuzzing in all, at most 20 s each
secs=$(( 160 * jobs / 19 ))
[ "$secs" -gt 20 ] && secs=20
[ "$secs" -lt 5 ] && secs=5
secs=${FUZZ_SECONDS:-$secs}
if ! command -v clang >/dev/null; then
	echo "clang not installed (scripts/deps.sh test installs it)"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
FUZZ_JOBS=$jobs bash fuzz/run.sh "$secs"
