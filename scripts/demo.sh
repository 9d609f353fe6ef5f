#!/usr/bin/env bash
# The main job: build, then a server and a client authenticate on 127.0.0.1
# against the embedded default account store (./ntlm-demo.smbpasswd, created
# on first run with the account demo / Demo-Passw0rd) and exchange sealed
# messages.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec ./build/tools/ntlm-demo "$@"
