#!/usr/bin/env bash
# The installed library is usable on its own: install into a staging root,
# build examples/custom_store.c against it as a separate project through
# pkg-config (tests/install; public header only), run it, and check that the shared object exports nothing but ntlm_*.
cd "$ROOT"
pass=0; fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if DESTDIR="$stage" meson install -C build --quiet >/dev/null 2>&1; then ok install; else ko install; fi
pc=$(find "$stage" -name ntlmssp.pc | head -1)
libdir=$(dirname "$(dirname "$pc")")
export PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH=$(dirname "$pc")
# tests/install/meson.build: a consumer project finding the library through pkg-config
if [ -n "$pc" ] && meson setup "$stage/consumer" tests/install -Dsource="$ROOT/examples/custom_store.c" \
	>"$stage/build.log" 2>&1 && ninja -C "$stage/consumer" >>"$stage/build.log" 2>&1; then
	ok "build example with pkg-config"
else
	tail -20 "$stage/build.log"; ko "build example with pkg-config"
fi
if out=$(LD_LIBRARY_PATH="$libdir" "$stage/consumer/consumer") && [[ "$out" == *"EXAMPLE\\zoe authenticated"* ]]; then
	ok "run example: $out"
else
	ko "run example"
fi
so=$(find "$stage" -name 'libntlmssp.so.*' | head -1)
leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -e '^ntlm_' -e '^NTLMSSP_0$' || true)
if [ -z "$leaked" ]; then ok "only ntlm_* exported"; else echo "$leaked"; ko "only ntlm_* exported"; fi
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
