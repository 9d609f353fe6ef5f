/*
 * test_shared.c - the random bytes an account store (and a credential) draws
 * ahead for its contexts (lib/store/shared.c): every value handed out is new,
 * also across refills of the pool, and a child of fork(2) never hands out
 * the bytes its parent will (the server challenges of both differ).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ntlmssp/ntlmssp.h"
#include "t.h"

#define CHALLENGE_OFFSET 24 /* ServerChallenge in a CHALLENGE message */

static ntlm_err never_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	(void)impl;
	(void)req;
	(void)res;
	return NTLM_E_LOGON_FAILURE;
}

static ntlm_buffer negotiate;
static ntlm_policy policy;

/* A NEGOTIATE from a real client, answered by every server below. */
static void make_negotiate(void)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *c = NULL;
	ntlm_policy_init(&policy);
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT, .policy = &policy};
	T_SETUP(ntlm_cred_password(&cred, "D", "u", "pw"));
	T_SETUP(ntlm_client_new(&c, cred, &cc));
	if (ntlm_step(c, NULL, 0, &negotiate) != NTLM_CONTINUE)
		T_FAIL("no NEGOTIATE");
	ntlm_ctx_free(c);
	ntlm_cred_free(cred);
}

/* The challenge a new server context of store sends. */
static void challenge_of(ntlm_account_store *store, uint8_t out[NTLM_CHALLENGE_SIZE])
{
	ntlm_ctx *s = NULL;
	ntlm_buffer chal = {0};
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT, .policy = &policy, .store = store,
	                         .computer_name = "SRV"};
	T_SETUP(ntlm_server_new(&s, &sc));
	if (ntlm_step(s, negotiate.data, negotiate.len, &chal) != NTLM_CONTINUE ||
	    chal.len < CHALLENGE_OFFSET + NTLM_CHALLENGE_SIZE)
		T_FAIL("no CHALLENGE");
	memcpy(out, chal.data + CHALLENGE_OFFSET, NTLM_CHALLENGE_SIZE);
	ntlm_buffer_free(&chal);
	ntlm_ctx_free(s);
}

static ntlm_account_store *new_store(void)
{
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = never_verify};
	ntlm_account_store *store = NULL;
	T_SETUP(ntlm_account_store_new(&store, &ops, NULL));
	return store;
}

static int cmp_challenge(const void *a, const void *b)
{
	return memcmp(a, b, NTLM_CHALLENGE_SIZE);
}

/* More challenges than one pool holds: no value comes twice. */
static void test_challenges_distinct(void)
{
	enum { N = 1200 };
	static uint8_t seen[N][NTLM_CHALLENGE_SIZE];
	ntlm_account_store *store = new_store();
	for (size_t i = 0; i < N; i++)
		challenge_of(store, seen[i]);
	qsort(seen, N, sizeof(seen[0]), cmp_challenge);
	for (size_t i = 1; i < N; i++)
		if (memcmp(seen[i - 1], seen[i], NTLM_CHALLENGE_SIZE) == 0)
			T_FAIL("challenge %zu came twice", i);
	ntlm_account_store_free(store);
}

/* After fork, parent and child each draw their own: never the same bytes. */
static void test_fork_shares_no_bytes(void)
{
	ntlm_account_store *store = new_store();
	uint8_t before[NTLM_CHALLENGE_SIZE], parent[NTLM_CHALLENGE_SIZE], child[NTLM_CHALLENGE_SIZE];
	challenge_of(store, before); /* the pool is filled now */
	int fds[2];
	T_ASSERT(pipe(fds) == 0);
	pid_t pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		challenge_of(store, child);
		_exit(write(fds[1], child, sizeof(child)) == (ssize_t)sizeof(child) ? 0 : 1);
	}
	close(fds[1]);
	challenge_of(store, parent);
	T_ASSERT(read(fds[0], child, sizeof(child)) == (ssize_t)sizeof(child));
	close(fds[0]);
	int status = 0;
	T_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_ASSERT(memcmp(parent, child, sizeof(child)) != 0);
	T_ASSERT(memcmp(before, child, sizeof(child)) != 0);
	ntlm_account_store_free(store);
}

int main(void)
{
	make_negotiate();
	T_RUN(test_challenges_distinct);
	T_RUN(test_fork_shares_no_bytes);
	ntlm_buffer_free(&negotiate);
	T_END();
}
