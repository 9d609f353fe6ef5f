/*
 * test_na_client.c - ntlm_auth's client (tools/ntlm_auth/client.c, behind
 * ntlmssp-client-1 and gss-spnego-client). It sends its NEGOTIATE at YR,
 * before it knows the password, and builds the context that answers the
 * CHALLENGE only at TT; that context's NEGOTIATE must be the very bytes
 * sent, since the AUTHENTICATE's MIC covers them. Here: the whole handshake
 * against a server context is accepted, and a NEGOTIATE at TT that differs
 * from the one recorded at YR (in length or in one byte) is refused with no
 * AUTHENTICATE rather than sent with a MIC the server cannot verify.
 */
#include <stdio.h>
#include <string.h>

#include "ntlm_auth.h"
#include "t.h"

/* client.c's line loop lives in server.c with the server modes: not used here. */
int na_line_loop(void (*handle)(void *arg, char *line, size_t len),
                 void (*overlong)(void *arg, const char *start, size_t len), void *arg)
{
	(void)handle;
	(void)overlong;
	(void)arg;
	return NA_EXIT_FAIL;
}

static uint8_t alice_nt[16]; /* "Client-1" */

static ntlm_err store_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	(void)impl;
	ntlm_err rc = ntlm_verify_response(req, alice_nt, NULL, res);
	if (rc != NTLM_OK)
		return rc;
	snprintf(res->authority, sizeof(res->authority), "SERVER");
	snprintf(res->user, sizeof(res->user), "%s", req->user);
	return NTLM_OK;
}

static void store_free(void *impl)
{
	(void)impl;
}

static const ntlm_account_store_ops store_ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
                                                 .verify = store_verify, .free = store_free};

/* tamper: 0 none, 1 one byte of the recorded NEGOTIATE, 2 its length. */
struct run {
	ntlm_err answer, server;
	size_t auth_len;
};

static struct run handshake(int tamper)
{
	struct run r = {NTLM_E_INTERNAL, NTLM_E_INTERNAL, 0};
	na_opts o;
	memset(&o, 0, sizeof(o));
	o.username = "alice";
	o.domain = "DOM";
	o.workstation = "WS";
	na_client cl;
	na_client_init(&cl, &o);
	ntlm_account_store *store = NULL;
	ntlm_ctx *sv = NULL;
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT, .policy = &cl.policy,
	                         .computer_name = "SERVER"};
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ntlm_err rc = ntlm_account_store_new(&store, &store_ops, NULL);
	sc.store = store;
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&sv, &sc);
	if (rc == NTLM_OK)
		rc = na_client_set_password(&cl, "Client-1");
	if (rc == NTLM_OK)
		rc = na_client_start(&cl, &neg);
	if (rc == NTLM_OK && ntlm_step(sv, neg.data, neg.len, &chal) == NTLM_CONTINUE) {
		if (tamper == 1)
			cl.negotiate.data[cl.negotiate.len - 1] ^= 0x01;
		else if (tamper == 2)
			cl.negotiate.len--;
		r.answer = na_client_answer(&cl, chal.data, chal.len, &auth);
		r.auth_len = auth.len;
		if (r.answer == NTLM_OK)
			r.server = ntlm_step(sv, auth.data, auth.len, &none);
	}
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(sv);
	ntlm_account_store_free(store);
	na_client_free(&cl);
	return r;
}

static void same_negotiate_accepted(void)
{
	struct run r = handshake(0);
	T_OK(r.answer);
	T_OK(r.server);
}

static void other_negotiate_bytes_refused(void)
{
	struct run r = handshake(1);
	T_EXPECT_ERR(r.answer, NTLM_E_INTERNAL);
	T_ASSERT(r.auth_len == 0);
}

static void other_negotiate_length_refused(void)
{
	struct run r = handshake(2);
	T_EXPECT_ERR(r.answer, NTLM_E_INTERNAL);
	T_ASSERT(r.auth_len == 0);
}

int main(void)
{
	T_SETUP(ntlm_nt_hash("Client-1", alice_nt));
	T_RUN(same_negotiate_accepted);
	T_RUN(other_negotiate_bytes_refused);
	T_RUN(other_negotiate_length_refused);
	T_END();
}
