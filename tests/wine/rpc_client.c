/*
 * rpc_client.exe - a Windows DCE/RPC client for the Wine suite (38-wine.sh):
 * the demonstration interface (demo.idl, stubs by widl) over ncacn_ip_tcp
 * with RPC_C_AUTHN_WINNT and explicit SEC_WINNT_AUTH_IDENTITY_W credentials.
 * Under Wine, rpcrt4 runs NTLM through secur32, hence through ntlm_auth.
 *
 * usage: rpc_client.exe PORT USER DOMAIN PASSWORD LEVEL
 *        LEVEL: connect, integrity or privacy
 *
 * Calls Add, Echo (20000 bytes: fragmented both ways) and WhoAmI (asking the
 * server to impersonate first) and prints what WhoAmI answered as
 * "whoami NAME=VALUE ..." for the suite to check. A call that fails raises
 * an RPC exception: it is reported as "rpc exception CODE" and ends the
 * program with status 3 (a wrong password must end that way, with 5:
 * access denied).
 */
#include <windows.h>
#include <rpc.h>
#define SECURITY_WIN32
#include <security.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "wincommon.h"

#define ECHO_LEN 20000
#define TEXT_CAP 256

void *__RPC_USER MIDL_user_allocate(SIZE_T n)
{
	return malloc(n);
}

void __RPC_USER MIDL_user_free(void *p)
{
	free(p);
}

/*
 * The stubs raise a failed call as an exception; mingw has no __try, so
 * the process's last-chance filter reports it and ends the program.
 */
static LONG WINAPI on_exception(EXCEPTION_POINTERS *e)
{
	DWORD code = e->ExceptionRecord->ExceptionCode;
	char err[256];
	printf("rpc exception %lu (%s)\n", (unsigned long)code, wt_strerror(code, err, sizeof(err)));
	fflush(stdout);
	ExitProcess(3);
	return EXCEPTION_EXECUTE_HANDLER;
}

static WCHAR *widen(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	WCHAR *w = malloc(sizeof(WCHAR) * (size_t)(n > 0 ? n : 1));
	if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0)
		w[0] = 0;
	return w;
}

static unsigned long parse_level(const char *s)
{
	if (!strcmp(s, "connect"))
		return RPC_C_AUTHN_LEVEL_CONNECT;
	if (!strcmp(s, "integrity"))
		return RPC_C_AUTHN_LEVEL_PKT_INTEGRITY;
	if (!strcmp(s, "privacy"))
		return RPC_C_AUTHN_LEVEL_PKT_PRIVACY;
	return 0;
}

/* A binding to 127.0.0.1[port] authenticated with NTLM at level. */
static RPC_BINDING_HANDLE bind_ntlm(const char *port, SEC_WINNT_AUTH_IDENTITY_W *id,
                                    unsigned long level)
{
	RPC_WSTR str = NULL;
	RPC_BINDING_HANDLE h = NULL;
	WCHAR *wport = widen(port);
	RPC_STATUS st = RpcStringBindingComposeW(NULL, (RPC_WSTR)L"ncacn_ip_tcp",
	                                         (RPC_WSTR)L"127.0.0.1", (RPC_WSTR)wport, NULL, &str);
	if (st == RPC_S_OK)
		st = RpcBindingFromStringBindingW(str, &h);
	char err[256];
	if (wt_step(st == RPC_S_OK, "binding", "%s", wt_strerror(st, err, sizeof(err)))) {
		/* what an NTLM client can grant at most: the server may impersonate it */
		RPC_SECURITY_QOS qos = {RPC_C_SECURITY_QOS_VERSION, RPC_C_QOS_CAPABILITIES_DEFAULT,
		                        RPC_C_QOS_IDENTITY_STATIC, RPC_C_IMP_LEVEL_IMPERSONATE};
		st = RpcBindingSetAuthInfoExW(h, NULL, level, RPC_C_AUTHN_WINNT, id, RPC_C_AUTHZ_NONE,
		                              &qos);
		if (!wt_step(st == RPC_S_OK, "RpcBindingSetAuthInfoEx", "%s",
		             wt_strerror(st, err, sizeof(err)))) {
			RpcBindingFree(&h);
			h = NULL;
		}
	}
	if (str)
		RpcStringFreeW(&str);
	free(wport);
	return h;
}

static void call_all(void)
{
	ULONG sum = Add(40000, 2);
	wt_check(sum == 40002, "Add", "40000 + 2 = %lu", (unsigned long)sum);

	byte *in = malloc(ECHO_LEN), *out = calloc(1, ECHO_LEN);
	for (ULONG i = 0; i < ECHO_LEN; i++)
		in[i] = (byte)(i * 7 + 3);
	ULONG n_out = 0;
	Echo(ECHO_LEN, in, &n_out, out);
	wt_check(n_out == ECHO_LEN && !memcmp(in, out, ECHO_LEN), "Echo 20000 bytes",
	         "%lu bytes came back, %s", (unsigned long)n_out,
	         memcmp(in, out, ECHO_LEN) ? "different" : "the same");
	free(in);
	free(out);

	/* the strings come without a terminator: one byte more than cap stays zero */
	ULONG status, euid, egid, svc, level, imp, local;
	byte *s[4];
	for (int i = 0; i < 4; i++)
		s[i] = calloc(1, TEXT_CAP + 1);
	WhoAmI(1, TEXT_CAP, &status, &euid, &egid, &svc, &level, &imp, &local, s[0], s[1], s[2], s[3]);
	printf("whoami status=%lu euid=%lu egid=%lu authn_svc=%lu authn_level=%lu imp_level=%lu "
	       "local=%lu",
	       (unsigned long)status, (unsigned long)euid, (unsigned long)egid, (unsigned long)svc,
	       (unsigned long)level, (unsigned long)imp, (unsigned long)local);
	const char *names[4] = {"principal", "unix_user", "server_principal", "target_name"};
	for (int i = 0; i < 4; i++) {
		printf(" %s=%s", names[i], (const char *)s[i]);
		free(s[i]);
	}
	printf("\n");
	wt_check(svc == RPC_C_AUTHN_WINNT, "WhoAmI", "authentication service %lu", (unsigned long)svc);
}

int main(int argc, char **argv)
{
	unsigned long level = argc == 6 ? parse_level(argv[5]) : 0;
	if (!level) {
		fprintf(stderr, "usage: rpc_client.exe PORT USER DOMAIN PASSWORD "
		                "connect|integrity|privacy\n");
		return 2;
	}
	SetUnhandledExceptionFilter(on_exception);
	WCHAR *user = widen(argv[2]), *domain = widen(argv[3]), *password = widen(argv[4]);
	SEC_WINNT_AUTH_IDENTITY_W id = {
		.User = (unsigned short *)user,
		.UserLength = (unsigned long)wcslen(user),
		.Domain = (unsigned short *)domain,
		.DomainLength = (unsigned long)wcslen(domain),
		.Password = (unsigned short *)password,
		.PasswordLength = (unsigned long)wcslen(password),
		.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};
	RPC_BINDING_HANDLE h = bind_ntlm(argv[1], &id, level);
	if (h) {
		demo_binding = h; /* the interface's implicit handle (demo.idl) */
		call_all();
		RpcBindingFree(&h);
	}
	free(user);
	free(domain);
	free(password);
	return wt_finish("rpc_client");
}
