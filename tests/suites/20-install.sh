#!/usr/bin/env bash
# The installed library is usable on its own: install into a staging root,
# build examples/custom_store.c (ntlmssp.pc), examples/rpc_hello.c
# (rpcntlm.pc) and a DCOM program (dcomntlm.pc) against it as separate projects through pkg-config
# (tests/install; public headers only), run them, and check that the shared
# objects export nothing but ntlm_*.
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
# The same for the RPC library: examples/rpc_hello.c found through rpcntlm.pc
# (which requires ntlmssp.pc), one authenticated, sealed call to itself over
# 127.0.0.1 through the installed librpcntlm.so and libntlmssp.so alone.
if [ -n "$pc" ] && [ -f "$(dirname "$pc")/rpcntlm.pc" ] &&
	meson setup "$stage/rpc-consumer" tests/install -Dsource="$ROOT/examples/rpc_hello.c" -Dpkg=rpcntlm \
	>"$stage/rpc-build.log" 2>&1 && ninja -C "$stage/rpc-consumer" >>"$stage/rpc-build.log" 2>&1; then
	ok "build the RPC example with pkg-config (rpcntlm.pc)"
else
	tail -20 "$stage/rpc-build.log"; ko "build the RPC example with pkg-config (rpcntlm.pc)"
fi
rpc_libs=$(LD_LIBRARY_PATH="$libdir" ldd "$stage/rpc-consumer/consumer" 2>/dev/null | grep -E 'lib(rpcntlm|ntlmssp)\.so' || true)
if out=$(LD_LIBRARY_PATH="$libdir" timeout 30 "$stage/rpc-consumer/consumer" 2>&1) &&
	[[ "$out" == "hello, EXAMPLE\zoe (level 6)" ]] && [ "$(grep -c "$stage" <<<"$rpc_libs")" -eq 2 ]; then
	ok "run the RPC example on the installed libraries: $out"
else
	echo "$out"; echo "$rpc_libs"; ko "run the RPC example on the installed libraries"
fi
# The DCOM library through dcomntlm.pc (which requires rpcntlm and ntlmssp): dcom.h alone
# builds with -Werror and links against the installed libdcomntlm.so.
printf '%s\n' '#include <ntlmssp/dcom.h>' '#include <stdio.h>' \
	'int main(void) { static const ntlm_guid a = NTLM_DCOM_IID_INTLMDEMO;' \
	'  printf("%s %d\n", ntlm_hresult_name(NTLM_DCOM_E_NOINTERFACE), ntlm_guid_equal(&a, &a));' \
	'  return 0; }' >"$stage/dcom_consumer.c"
if [ -n "$pc" ] && [ -f "$(dirname "$pc")/dcomntlm.pc" ] &&
	meson setup "$stage/dcom-consumer" tests/install -Dsource="$stage/dcom_consumer.c" -Dpkg=dcomntlm \
	>"$stage/dcom-build.log" 2>&1 && ninja -C "$stage/dcom-consumer" >>"$stage/dcom-build.log" 2>&1 &&
	[ "$(LD_LIBRARY_PATH="$libdir" "$stage/dcom-consumer/consumer")" = "E_NOINTERFACE 1" ]; then
	ok "build and run a DCOM program with pkg-config (dcomntlm.pc)"
else
	tail -20 "$stage/dcom-build.log"; ko "build and run a DCOM program with pkg-config (dcomntlm.pc)"
fi
# Every function of the installed headers that returns ntlm_err is
# NTLM_MUST_CHECK, and the mark works: dropping a result does not build with
# -Werror, NTLM_IGNORE_RESULT (the documented way to drop one) does.
hdrdir=$(dirname "$(find "$stage" -path '*/ntlmssp/ntlmssp.h' | head -1)")
unmarked=$(grep -hE '^(NTLM_API )?ntlm_err [a-z_0-9]+\(' "$hdrdir"/*.h || true)
if [ -z "$unmarked" ]; then ok "every ntlm_err function is NTLM_MUST_CHECK"; else echo "$unmarked"; ko "every ntlm_err function is NTLM_MUST_CHECK"; fi
unmarked=$(grep -hE '^(NTLM_API )?ntlm_rpc_status [a-z_0-9]+\(' "$hdrdir"/rpc.h || true)
if [ -z "$unmarked" ]; then ok "every ntlm_rpc_status function is NTLM_MUST_CHECK"; else echo "$unmarked"; ko "every ntlm_rpc_status function is NTLM_MUST_CHECK"; fi
unmarked=$(grep -hE '^(NTLM_API )?ntlm_hresult [a-z_0-9]+\(' "$hdrdir"/dcom.h || true)
if [ -z "$unmarked" ]; then ok "every ntlm_hresult function is NTLM_MUST_CHECK"; else echo "$unmarked"; ko "every ntlm_hresult function is NTLM_MUST_CHECK"; fi
printf '#include <ntlmssp/ntlmssp.h>\nint main(void) { uint8_t h[16]; %s; return 0; }\n' \
	'NTLM_IGNORE_RESULT(ntlm_nt_hash("x", h))' >"$stage/ignore.c"
printf '#include <ntlmssp/ntlmssp.h>\nint main(void) { uint8_t h[16]; %s; return 0; }\n' \
	'ntlm_nt_hash("x", h)' >"$stage/drop.c"
for compiler in cc clang; do
	command -v $compiler >/dev/null || continue
	if ! $compiler -std=c11 -Wall -Werror -c "$stage/drop.c" $(pkg-config --cflags ntlmssp) -o "$stage/drop.o" 2>/dev/null &&
		$compiler -std=c11 -Wall -Werror -c "$stage/ignore.c" $(pkg-config --cflags ntlmssp) -o "$stage/ignore.o"; then
		ok "$compiler: a dropped ntlm_err is an error, NTLM_IGNORE_RESULT is not"
	else
		ko "$compiler: a dropped ntlm_err is an error, NTLM_IGNORE_RESULT is not"
	fi
done
# The reference pages install and render without a warning (groff -ww; man -l).
pages="ntlm.1 ntlmssp-ntlm_auth.1 ntlm_client_new.3 ntlm_step.3 ntlm_protect.3 ntlm_account_store.3 ntlm_policy.3
	ntlm_strerror.3 ntlm_rpc.3 ntlm_dcom.3 ntlm_dcom_client.3 ntlm_dcom_server.3 ntlmssp_sspi.3
	ntlmssp.conf.5"
for p in $pages; do
	f=$(find "$stage" -path "*/man/man${p##*.}/$p" | head -1)
	if [ -z "$f" ]; then ko "man page $p installed"; continue; fi
	warn=$( { groff -man -ww -z "$f"; MANWIDTH=80 man --warnings -l "$f" >/dev/null; } 2>&1)
	if [ -z "$warn" ] && MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q NAME; then
		ok "man page $p installed and renders cleanly"
	else
		echo "$warn"; ko "man page $p installed and renders cleanly"
	fi
done
# every public function is named in some section 3 page
undocumented=$(grep -hoE '^NTLM_API [^(]*\b(ntlm_[a-z_0-9]+)\(' "$hdrdir"/ntlmssp.h "$hdrdir"/rpc.h "$hdrdir"/dcom.h |
	grep -oE 'ntlm_[a-z_0-9]+\($' | tr -d '(' | sort -u | while read -r fn; do
		grep -qsw -- "$fn" docs/man/*.3 || echo "$fn"
	done)
if [ -z "$undocumented" ]; then ok "every public function has a man page"; else echo "$undocumented" | tr '\n' ' '; echo; ko "every public function has a man page"; fi
so=$(find "$stage" -name 'libntlmssp.so.*' | head -1)
leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v -e '^ntlm_' -e '^NTLMSSP_0$' || true)
if [ -z "$leaked" ]; then ok "only ntlm_* exported"; else echo "$leaked"; ko "only ntlm_* exported"; fi

# One engine per process: librpcntlm.so reaches the engine through
# libntlmssp.so's public API and carries no copy of it, not even a hidden one
# (nm without -D lists local symbols too). It may keep the base it links
# privately (the bounded reader and its helpers: build/libntlmssp_base.a).
rpc=$(find "$stage" -name 'librpcntlm.so.*' | head -1)
needed=$(readelf -d "$rpc" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -qx 'libntlmssp.so.0' <<<"$needed" && ! grep -q 'nettle' <<<"$needed"; then
	ok "librpcntlm.so needs libntlmssp.so.0, not the crypto library"
else
	echo "NEEDED: $needed"; ko "librpcntlm.so needs libntlmssp.so.0, not the crypto library"
fi
rpc_leaked=$(nm -D --defined-only "$rpc" | awk '{print $3}' | grep -v -e '^ntlm_rpc_' -e '^RPCNTLM_0$' || true)
if [ -z "$rpc_leaked" ]; then ok "librpcntlm.so exports only ntlm_rpc_*"; else echo "$rpc_leaked"; ko "librpcntlm.so exports only ntlm_rpc_*"; fi
# The ABI is a reviewed list: exports, version script and public declarations agree.
if python3 tests/abi.py "$so" lib/libntlmssp.map "$hdrdir"/ntlmssp.h "$hdrdir"/sspi.h; then
	ok "libntlmssp.so: exports = lib/libntlmssp.map = NTLM_API declarations"
else ko "libntlmssp.so: exports = lib/libntlmssp.map = NTLM_API declarations"; fi
if python3 tests/abi.py "$rpc" rpc/librpcntlm.map "$hdrdir"/rpc.h; then
	ok "librpcntlm.so: exports = rpc/librpcntlm.map = NTLM_API declarations"
else ko "librpcntlm.so: exports = rpc/librpcntlm.map = NTLM_API declarations"; fi
# libdcomntlm.so: on librpcntlm.so.0 and libntlmssp.so.0 (one engine, one RPC runtime),
# exporting exactly its list, with no engine or RPC runtime of its own.
dcom=$(find "$stage" -name 'libdcomntlm.so.*' | head -1)
needed=$(readelf -d "$dcom" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if grep -qx 'libntlmssp.so.0' <<<"$needed" && grep -qx 'librpcntlm.so.0' <<<"$needed" &&
	! grep -q 'nettle' <<<"$needed"; then
	ok "libdcomntlm.so needs librpcntlm.so.0 and libntlmssp.so.0, not the crypto library"
else
	echo "NEEDED: $needed"; ko "libdcomntlm.so needs librpcntlm.so.0 and libntlmssp.so.0, not the crypto library"
fi
if python3 tests/abi.py "$dcom" dcom/libdcomntlm.map "$hdrdir"/dcom.h; then
	ok "libdcomntlm.so: exports = dcom/libdcomntlm.map = NTLM_API declarations"
else ko "libdcomntlm.so: exports = dcom/libdcomntlm.map = NTLM_API declarations"; fi
symbols() { nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[tTdDbBrR]$/ {print $3}' | sort -u; }
crt='^(_|completed\.|deregister_tm_clones$|register_tm_clones$|frame_dummy$)'
engine=$(comm -23 <(symbols "$so") <(symbols build/libntlmssp_base.a) | grep -Ev "$crt" |
	comm -12 - <(symbols "$rpc") || true)
if [ -z "$engine" ]; then
	ok "librpcntlm.so defines nothing of libntlmssp.so beyond the base"
else
	echo "$engine" | head -20; ko "librpcntlm.so defines nothing of libntlmssp.so beyond the base"
fi
named=$(symbols "$rpc" | grep -E '^(ntlm_step|ntlm_client_new|ntlm_server_new|client_step|server_step|(nw|nk|cr|ctx|smbpw|policy)_.*)$' || true)
if [ -z "$named" ]; then ok "no engine, codec or crypto symbol in librpcntlm.so"; else echo "$named" | head -20; ko "no engine, codec or crypto symbol in librpcntlm.so"; fi
named=$(symbols "$dcom" | grep -E '^(ntlm_step|ntlm_client_new|ntlm_server_new|client_step|server_step|(nw|nk|cr|ctx|smbpw|policy|rpc)_.*)$' || true)
if [ -z "$named" ]; then ok "no engine, codec, crypto or RPC runtime symbol in libdcomntlm.so"; else echo "$named" | head -20; ko "no engine, codec, crypto or RPC runtime symbol in libdcomntlm.so"; fi
# ntlm_auth is a face too: installed off the PATH, on libntlmssp.so.0, with no engine of its own
na=$(find "$stage" -path '*/libexec/ntlmssp/ntlm_auth' -type f | head -1)
na_engine=$( [ -n "$na" ] && symbols "$na" | grep -E '^(ntlm_step|ntlm_client_new|ntlm_server_new|client_step|server_step|(nw|nk|cr|ctx|smbpw|policy)_.*)$' || true)
if [ -n "$na" ] && readelf -d "$na" | grep -q 'NEEDED.*\[libntlmssp.so.0\]' && [ -z "$na_engine" ]; then
	ok "ntlm_auth in libexec/ntlmssp/, on libntlmssp.so.0, no engine symbols of its own"
else
	echo "ntlm_auth: ${na:-not installed}; $na_engine" | head -5; ko "ntlm_auth installed as a face on libntlmssp.so.0"
fi
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
