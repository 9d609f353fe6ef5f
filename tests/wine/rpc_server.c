/*
 * rpc_server.exe - the demonstration interface (demo.idl, server stubs by
 * widl) served by Wine's RPC runtime over ncacn_ip_tcp with
 * RPC_C_AUTHN_WINNT, for the Wine suite (38-wine.sh): rpc-demo-client calls
 * it. Under Wine, rpcrt4 accepts NTLM through secur32, hence through
 * ntlm_auth --helper-protocol=squid-2.5-ntlmssp.
 *
 * usage: rpc_server.exe
 * Listens on 127.0.0.1, a port the system picks, prints "listening PORT"
 * and serves until killed. WhoAmI answers what RpcBindingInqAuthClient says
 * of the call (principal, level, service); the Unix fields are zero.
 */
#include <windows.h>
#include <rpc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

void *__RPC_USER MIDL_user_allocate(SIZE_T n)
{
	return malloc(n);
}

void __RPC_USER MIDL_user_free(void *p)
{
	free(p);
}

void Echo(ULONG n, const byte *data, ULONG *n_out, byte *echo)
{
	memcpy(echo, data, n);
	*n_out = n;
}

ULONG Add(ULONG a, ULONG b)
{
	return a + b;
}

/* s into a "string" out buffer of cap bytes (the wire carries cap bytes). */
static void put_text(byte *out, ULONG cap, const char *s)
{
	memset(out, 0, cap);
	if (s)
		strncpy((char *)out, s, cap ? cap - 1 : 0);
}

void WhoAmI(ULONG flags, ULONG cap, ULONG *status, ULONG *euid, ULONG *egid, ULONG *authn_svc,
            ULONG *authn_level, ULONG *imp_level, ULONG *local, byte *client_principal,
            byte *unix_user, byte *server_principal, byte *target_name)
{
	RPC_AUTHZ_HANDLE privs = NULL;
	RPC_CSTR principal = NULL;
	ULONG level = 0, svc = 0, authz = 0;
	(void)flags;
	*status = RpcBindingInqAuthClientA(NULL, &privs, &principal, &level, &svc, &authz);
	*euid = *egid = *imp_level = *local = 0;
	*authn_svc = svc;
	*authn_level = level;
	/* for NTLM the privileges are the client's name (RPC_C_AUTHZ_NAME style) */
	put_text(client_principal, cap, *status == RPC_S_OK ? (const char *)privs : NULL);
	put_text(unix_user, cap, NULL);
	put_text(server_principal, cap, (const char *)principal);
	put_text(target_name, cap, NULL);
	if (principal)
		RpcStringFreeA(&principal);
}

/* The port of the first ncacn_ip_tcp binding the runtime made. */
static int print_port(void)
{
	RPC_BINDING_VECTOR *v = NULL;
	if (RpcServerInqBindings(&v) != RPC_S_OK)
		return -1;
	int found = -1;
	for (ULONG i = 0; i < v->Count && found < 0; i++) {
		RPC_CSTR s = NULL, endpoint = NULL;
		if (RpcBindingToStringBindingA(v->BindingH[i], &s) == RPC_S_OK &&
		    RpcStringBindingParseA(s, NULL, NULL, NULL, &endpoint, NULL) == RPC_S_OK && endpoint &&
		    *endpoint) {
			printf("listening %s\n", (const char *)endpoint);
			fflush(stdout);
			found = 0;
		}
		if (endpoint)
			RpcStringFreeA(&endpoint);
		if (s)
			RpcStringFreeA(&s);
	}
	RpcBindingVectorFree(&v);
	return found;
}

int main(void)
{
	RPC_STATUS st = RpcServerUseProtseqA((RPC_CSTR) "ncacn_ip_tcp", RPC_C_PROTSEQ_MAX_REQS_DEFAULT,
	                                     NULL);
	if (st == RPC_S_OK)
		st = RpcServerRegisterAuthInfoA(NULL, RPC_C_AUTHN_WINNT, NULL, NULL);
	if (st == RPC_S_OK)
		st = RpcServerRegisterIf(ntlmdemo_v1_0_s_ifspec, NULL, NULL);
	if (st == RPC_S_OK && print_port() != 0)
		st = RPC_S_NO_BINDINGS;
	if (st == RPC_S_OK)
		st = RpcServerListen(1, RPC_C_LISTEN_MAX_CALLS_DEFAULT, FALSE);
	printf("rpc_server: status %lu\n", (unsigned long)st);
	return st == RPC_S_OK ? 0 : 1;
}
