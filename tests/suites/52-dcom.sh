#!/usr/bin/env bash
# DCOM server (issue 15): impacket's DCOMConnection against ntlm-dcom-demo-server
# in a private network namespace (port 135 there is ours): activation of
# NtlmDemo at PKT_INTEGRITY and PKT_PRIVACY, WhoAmI (CoQueryClientBlanket),
# Add, WhoAmIImpersonated (CoImpersonateClient), QueryInterface, AddRef,
# Release; refusals (CONNECT level, wrong password, launch and access
# permissions); tshark dissecting every packet decrypted; ping-based garbage
# collection of a killed client's object. Needs root (useradd, unshare, port 135).
# Prints "dcom: N passed, N failed" last and exits non-zero on failure.
set -u
cd "${ROOT:-$(dirname "$0")/../..}"
BUILD=${DCOM_BUILD_DIR:-build}
WORK=$(mktemp -d /tmp/ntlm-dcom-suite.XXXXXX)
chmod 0711 "$WORK"
NTLMSSP_CONF=$WORK/empty.conf && : >"$NTLMSSP_CONF" && chmod 644 "$NTLMSSP_CONF" && export NTLMSSP_CONF
pass=0
fail=0

cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
	echo "dcom: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
missing() { echo "MISSING $1"; fail=$((fail + 1)); finish; }

[ "$(id -u)" -eq 0 ] || missing "root (useradd, unshare -n, port 135)"
for need in unshare ip tshark useradd; do command -v "$need" >/dev/null || missing "$need"; done
/usr/bin/python3 -c 'import impacket.dcerpc.v5.dcomrt' 2>/dev/null || missing "python3-impacket"
for prog in dcom/ntlm-dcom-demo-server dcom/test_dcom_server tools/ntlm; do
	[ -x "$BUILD/$prog" ] || missing "$BUILD/$prog: build first"
done

# the permission lists and configuration checks, white-box
out=$(timeout 60 "$BUILD/dcom/test_dcom_server" 2>&1)
rc=$?
line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
printf '%-30s %s\n' test_dcom_server "${line:-no summary (exit $rc)}"
if [ -n "$line" ] && [ "$rc" -eq 0 ]; then
	pass=$((pass + ${line%% passed*}))
else
	printf '%s\n' "$out" | grep -vE '^ok ' | head -20
	fail=$((fail + 1))
fi

export COMPUTER=NTLMDEMO
export ALICE_USER=alice ALICE_PASS='Alice-Dcom-Passw0rd!'
export BOB_USER=ntlmdcombob BOB_PASS='Bob-Dcom-Passw0rd!'
export CAROL_USER=ntlmdcomcarol CAROL_PASS='Carol-Dcom-Passw0rd!'
# alice is a Unix user, so WhoAmIImpersonated runs as her uid; bob and carol map to 65534
id "$ALICE_USER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$ALICE_USER" ||
	missing "useradd $ALICE_USER"
export ALICE_UID
ALICE_UID=$(id -u "$ALICE_USER")
for u in ALICE BOB CAROL; do
	user=${u}_USER pw=${u}_PASS
	if ! printf '%s\n' "${!pw}" | "$BUILD/tools/ntlm" passwd --account-file "$WORK/dcom.smbpasswd" \
		--stdin add "${!user}" >/dev/null 2>&1; then
		echo "FAIL account ${!user}"
		fail=$((fail + 1))
	fi
done

out=$(timeout 170 unshare -n bash tests/dcom/netns.sh "$WORK" "$BUILD" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -vE '^ok '
line=$(printf '%s\n' "$out" | grep -E '^dcom-netns: [0-9]+ passed' | tail -1)
if [ -z "$line" ]; then
	fail=$((fail + 1))
else
	pass=$((pass + $(sed -E 's/^dcom-netns: ([0-9]+) passed.*/\1/' <<<"$line")))
	fail=$((fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
fi
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
finish
