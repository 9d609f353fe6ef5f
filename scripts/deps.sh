#!/usr/bin/env bash
# Installs the Debian 12 packages a job needs, only when something is missing.
#   deps.sh build   - compiler, meson, Nettle, zlib
#   deps.sh test    - build + everything the test suites use (peers, fuzzers, valgrind)
set -eu
build_pkgs="gcc pkgconf meson ninja-build nettle-dev zlib1g-dev libwbclient-dev"
test_pkgs="clang libclang-rt-14-dev valgrind python3 $(cat "$(dirname "$0")/../tests/packages.txt" 2>/dev/null | grep -v '^#' | tr '\n' ' ')"
case "${1:-build}" in
	build) want="$build_pkgs" ;;
	test) want="$build_pkgs $test_pkgs" ;;
	*) echo "usage: deps.sh build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing >/tmp/ntlmssp-apt.log 2>&1 || { tail -30 /tmp/ntlmssp-apt.log; exit 1; }
