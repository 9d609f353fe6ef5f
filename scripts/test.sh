#!/usr/bin/env bash
# The project's one test command: installs what is missing (Debian 12, root),
# builds, and runs every suite in tests/suites/ in name order. Each suite is an
# executable script that prints "N passed, N failed" as its last such line and
# exits non-zero on failure. This script sums them and ends with the total.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
export ROOT

bash scripts/deps.sh test || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

if ! { [ -d build ] && meson setup --reconfigure build >/dev/null 2>&1 || meson setup build >/dev/null; }; then
	echo "meson setup failed"; echo "0 passed, 1 failed"; exit 1
fi
if ! ninja -C build >build/ninja.log 2>&1; then
	cat build/ninja.log; echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

total_pass=0
total_fail=0
summary=()
only="${NTLMSSP_SUITES:-}"
for suite in tests/suites/*.sh; do
	name=$(basename "$suite" .sh)
	if [ -n "$only" ] && ! [[ ",$only," == *",$name,"* ]]; then
		continue
	fi
	echo "=== suite $name"
	log=$(mktemp)
	start=$(date +%s)
	bash "$suite" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
	f=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	[ -z "$line" ] && { p=0; f=1; }
	# a suite that exits non-zero without reporting a failure still counts as one
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
	rm -f "$log"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-28s %5d passed %3d failed %5ds' "$name" "$p" "$f" "$secs")")
done
echo
echo "=== summary"
for s in "${summary[@]}"; do echo "$s"; done
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
