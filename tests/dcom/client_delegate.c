/*
 * client_delegate.c - the DCOM client used by a thread that impersonates,
 * against a running ntlm-dcom-demo-server (tests/suites/53-dcom-client.sh;
 * root: the threads take a user's ids with the raw per-thread system calls,
 * as the RPC runtime's impersonation does). What docs/rpc.md says of the
 * RPC layer holds for activation and calls:
 *   - a thread holding a client's identity at DELEGATE (real and effective
 *     uid the client's) reaches a local server over ncalrpc as the client;
 *   - at IMPERSONATE (effective uid only) it is refused
 *     (ERROR_BAD_IMPERSONATION_LEVEL), and over ncacn_ip_tcp without
 *     credentials either way (SEC_E_NO_CREDENTIALS);
 * and of the client's associations: each serves the identity it was made
 * with (the process's proxy refuses the impersonating thread, and the
 * thread's activation does not reuse the process's association).
 * usage: dcom_client_delegate NCALRPC_BINDING TCP_BINDING USER
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "demo_ndr.h"
#include "ntlmssp/dcom.h"
#include "client_t.h"

#if defined(SYS_setresuid32)
#define T_SETRESUID SYS_setresuid32
#define T_SETRESGID SYS_setresgid32
#else
#define T_SETRESUID SYS_setresuid
#define T_SETRESGID SYS_setresgid
#endif

static const char *local, *tcp;
static uid_t uid;
static gid_t gid;
static ntlm_dcom_client *cli;
static ntlm_dcom_proxy *root_proxy;

static ntlm_hresult activate(const char *binding, ntlm_dcom_proxy **p)
{
	static const ntlm_guid clsid = NTLM_DCOM_CLSID_NTLMDEMO, iid = NTLM_DCOM_IID_INTLMDEMO;
	ntlm_dcom_server_info si = {NTLM_DCOM_SERVER_INFO_INIT};
	si.binding = binding;
	si.imp_level = NTLM_RPC_IMP_DELEGATE;
	return ntlm_dcom_create_instance(cli, &si, &clsid, &iid, p);
}

/* WhoAmI's principal into out ("" on failure); the call's HRESULT. */
static ntlm_hresult whoami(ntlm_dcom_proxy *p, char *out, size_t cap)
{
	ntlm_buffer stub = {NULL, 0};
	size_t off;
	dcom_demo_whoami_resp r;
	out[0] = '\0';
	ntlm_hresult hr = ntlm_dcom_proxy_call(p, NTLM_DCOM_DEMO_OP_WHOAMI, NULL, 0, &stub, &off);
	if (NTLM_DCOM_SUCCEEDED(hr) && dcom_demo_whoami_resp_decode(stub.data, stub.len, &r) == NTLM_OK)
		snprintf(out, cap, "%.255s", r.principal.utf8);
	ntlm_buffer_free(&stub);
	return hr;
}

/* 1 if principal is "COMPUTER\\user". */
static int names(const char *principal, const char *user)
{
	const char *bs = strrchr(principal, '\\');
	return bs && strcmp(bs + 1, user) == 0;
}

/* This thread only: real and effective ids (delegate) or the effective ones (impersonate). */
static int become(int delegate)
{
	uid_t r = delegate ? uid : (uid_t)-1;
	gid_t g = delegate ? gid : (gid_t)-1;
	return syscall(T_SETRESGID, g, gid, 0) == 0 && syscall(T_SETRESUID, r, uid, 0) == 0 ? 0 : -1;
}

static void revert(void)
{
	if (syscall(T_SETRESUID, 0, 0, 0) != 0 || syscall(T_SETRESGID, 0, 0, 0) != 0)
		_exit(3); /* a thread that cannot revert must not go on */
}

static void delegating(void)
{
	char who[256];
	ntlm_dcom_proxy *p = NULL;
	if (become(1) != 0) {
		T_FAIL("cannot take the ids of uid %u", (unsigned)uid);
	}
	T_HR(activate(local, &p), NTLM_DCOM_S_OK);
	if (p) {
		T_HR(whoami(p, who, sizeof(who)), NTLM_DCOM_S_OK);
		if (!names(who, getpwuid(uid)->pw_name))
			T_FAIL("the server saw %s, not the delegated user", who);
		T_HR(ntlm_dcom_release(p), NTLM_DCOM_S_OK);
	}
	/* the process's proxy is not this identity's */
	T_HR(whoami(root_proxy, who, sizeof(who)), NTLM_DCOM_E_ACCESSDENIED);
	/* NTLM never had the client's password: no identity to take to tcp */
	p = NULL;
	T_HR(activate(tcp, &p), (ntlm_hresult)NTLM_RPC_S_NO_CREDENTIALS);
	revert();
}

static void impersonating(void)
{
	ntlm_dcom_proxy *p = NULL;
	if (become(0) != 0) {
		T_FAIL("cannot take the effective ids of uid %u", (unsigned)uid);
	}
	T_HR(activate(local, &p), NTLM_DCOM_HRESULT_FROM_WIN32(NTLM_RPC_S_BAD_IMPERSONATION_LEVEL));
	T_HR(activate(tcp, &p), (ntlm_hresult)NTLM_RPC_S_NO_CREDENTIALS);
	T_ASSERT(p == NULL);
	revert();
}

/* T_FAIL returns from its function: each test body runs in a function of its own. */
struct body {
	void (*fn)(void);
};

static void *thread_main(void *arg)
{
	((struct body *)arg)->fn();
	return NULL;
}

static void run_thread(void (*fn)(void))
{
	pthread_t t;
	struct body b = {fn};
	if (pthread_create(&t, NULL, thread_main, &b) != 0) {
		T_FAIL("pthread_create");
		return;
	}
	pthread_join(t, NULL);
}

static void test_delegate_on_this_machine(void)
{
	run_thread(delegating);
}

static void test_impersonate_stays_in_the_process(void)
{
	run_thread(impersonating);
}

/* The process's own proxy, made first and checked last: still the process's identity. */
static void test_process_identity_kept(void)
{
	char who[256];
	T_HR(whoami(root_proxy, who, sizeof(who)), NTLM_DCOM_S_OK);
	T_ASSERT(names(who, "root"));
}

int main(int argc, char **argv)
{
	char who[256];
	if (argc != 4 || geteuid() != 0 || !getpwnam(argv[3])) {
		fprintf(stderr, "usage (as root): %s NCALRPC_BINDING TCP_BINDING USER\n", argv[0]);
		return 2;
	}
	local = argv[1];
	tcp = argv[2];
	uid = getpwnam(argv[3])->pw_uid;
	gid = getpwnam(argv[3])->pw_gid;
	/* before any thread takes another identity: the ping thread is the process's */
	if (NTLM_DCOM_FAILED(ntlm_dcom_client_new(&cli, NULL)) ||
	    NTLM_DCOM_FAILED(activate(local, &root_proxy)) ||
	    NTLM_DCOM_FAILED(whoami(root_proxy, who, sizeof(who)))) {
		fprintf(stderr, "set-up failed: %s\n", ntlm_dcom_client_message(cli));
		return 1;
	}
	T_RUN(test_delegate_on_this_machine);
	T_RUN(test_impersonate_stays_in_the_process);
	T_RUN(test_process_identity_kept);
	ntlm_hresult hr = ntlm_dcom_release(root_proxy);
	if (NTLM_DCOM_FAILED(hr))
		printf("FAIL release: %s\n", ntlm_hresult_name(hr));
	ntlm_dcom_client_free(cli);
	T_END();
}
