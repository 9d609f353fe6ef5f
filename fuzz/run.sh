#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs
# each one for a bounded time from its seed corpus.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 20 s, every target)
#
# Environment: FUZZ_JOBS     targets run at once (default: number of CPUs)
#              FUZZ_BUILD    build directory (default build-fuzz)
#              FUZZ_ARGS     extra libFuzzer flags
# Before fuzzing, each target replays fuzz/regress/<target>/* (inputs that
# once crashed). New inputs go to $FUZZ_BUILD/work/<target>/ (kept between
# runs, so long runs build on each other); crashes to
# $FUZZ_BUILD/artifacts/<target>/. A target passes when it ends with 0
# findings; the last line is "N passed, N failed".
#
# Longer campaign, e.g. one hour per target on every core:
#   FUZZ_JOBS=$(nproc) fuzz/run.sh 3600
# and one target by hand:
#   build-fuzz/fuzz/fuzz_server -dict=fuzz/ntlm.dict build-fuzz/work/fuzz_server fuzz/corpus/fuzz_server
set -u
cd "$(dirname "$0")/.."
secs=${1:-20}
shift $(( $# > 0 ? 1 : 0 ))
all="fuzz_negotiate fuzz_challenge fuzz_authenticate fuzz_av_pairs fuzz_v2_response fuzz_server
fuzz_client fuzz_unseal fuzz_smbpasswd fuzz_credfile fuzz_policy fuzz_helper fuzz_squid
fuzz_rpc_pdu fuzz_rpc_server fuzz_gss_tokens fuzz_spnego fuzz_dcom_orpc fuzz_dcom_actprops"
targets=${*:-$all}
B=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

if ! [ -f "$B/build.ninja" ]; then
	CC=clang meson setup "$B" -Dfuzz=true >"/tmp/ntlm-fuzz-setup.$$" 2>&1 ||
		{ cat "/tmp/ntlm-fuzz-setup.$$"; rm -f "/tmp/ntlm-fuzz-setup.$$"; echo "fuzz: meson setup failed"; echo "0 passed, 1 failed"; exit 1; }
	rm -f "/tmp/ntlm-fuzz-setup.$$"
fi
ninja_targets=""
for t in $targets; do ninja_targets="$ninja_targets fuzz/$t"; done
if ! ninja -C "$B" $ninja_targets >"$B/fuzz-build.log" 2>&1; then
	tail -40 "$B/fuzz-build.log"; echo "fuzz: build failed"; echo "0 passed, 1 failed"; exit 1
fi

dict_for() {
	case $1 in
	fuzz_smbpasswd|fuzz_credfile|fuzz_policy) echo "-dict=fuzz/text.dict" ;;
	*) echo "-dict=fuzz/ntlm.dict" ;;
	esac
}

# Runs one target; writes its one-line verdict to $B/logs/<t>.result
run_one() {
	local t=$1 bin="$B/fuzz/$1" log="$B/logs/$1.log" res="$B/logs/$1.result"
	local work="$B/work/$1" art="$B/artifacts/$1/"
	mkdir -p "$work" "$art"
	rm -f "$art"/* "$res"
	export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
	# 1. the regress inputs: each must run clean
	if [ -d "fuzz/regress/$t" ] && [ -n "$(ls -A "fuzz/regress/$t" 2>/dev/null)" ]; then
		if ! "$bin" -runs=1 "fuzz/regress/$t"/* >"$B/logs/$t.regress.log" 2>&1; then
			echo "FAIL $t: a fuzz/regress input fails again (see $B/logs/$t.regress.log)" >"$res"
			return
		fi
	fi
	# 2. fuzzing from the seeds (fuzz/corpus/<t>) and what earlier runs found
	local seeds="fuzz/corpus/$t"
	[ -d "$seeds" ] || seeds=""
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$art" $(dict_for "$t") ${FUZZ_ARGS:-} \
		"$work" $seeds >"$log" 2>&1
	local rc=$?
	local execs cov
	execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
	cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	local found
	found=$(ls "$art" 2>/dev/null | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -5 | tr '\n' ' ')
	if [ $rc -ne 0 ] || [ -n "$found" ]; then
		echo "FAIL $t: finding after ${execs:-?} execs (exit $rc) ${found:+artifacts: $found}- see $log; reproduce: $bin <artifact>" >"$res"
	else
		echo "ok   $t: ${execs:-?} execs in ${secs} s, ${cov:-cov ?}, 0 findings" >"$res"
	fi
}

mkdir -p "$B/logs"
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

pass=0; fail=0
for t in $targets; do
	if [ -f "$B/logs/$t.result" ]; then
		cat "$B/logs/$t.result"
		if grep -q '^ok ' "$B/logs/$t.result"; then pass=$((pass + 1)); else
			fail=$((fail + 1))
			grep -aE 'ERROR|invariant failed|runtime error|SUMMARY' "$B/logs/$t.log" 2>/dev/null | head -5 | sed 's/^/    /'
		fi
	else
		echo "FAIL $t: no result"; fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
