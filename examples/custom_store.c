/*
 * custom_store.c - a complete client/server exchange using only the installed
 * public API: a custom account store (one in-memory account) built on
 * ntlm_verify_response(), a handshake in one process, and sealed messages.
 * Build: cc custom_store.c $(pkg-config --cflags --libs ntlmssp)
 */
#include <ntlmssp/ntlmssp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct account {
	const char *user;
	uint8_t nt_hash[16];
};

static ntlm_err verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	const struct account *acct = impl;
	if (strcasecmp(req->user, acct->user) != 0)
		return NTLM_E_NO_SUCH_USER;
	ntlm_err rc = ntlm_verify_response(req, acct->nt_hash, NULL, res);
	if (rc == NTLM_OK) {
		snprintf(res->authority, sizeof(res->authority), "%s", req->server_name);
		snprintf(res->user, sizeof(res->user), "%s", acct->user);
	}
	return rc;
}

static int check(const char *what, ntlm_err rc, ntlm_err want)
{
	if (rc == want)
		return 0;
	fprintf(stderr, "%s: %s\n", what, ntlm_strerror(rc));
	return 1;
}

int main(void)
{
	struct account acct = {"zoe", {0}};
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = verify};
	ntlm_account_store *store = NULL;
	ntlm_cred *cred = NULL;
	ntlm_ctx *client = NULL, *server = NULL;
	ntlm_server_config scfg = {NTLM_SERVER_CONFIG_INIT, .computer_name = "EXAMPLE"};
	/* every call can fail (no memory, a bad /etc/ntlmssp.conf): check each */
	int bad = check("hash", ntlm_nt_hash("zoe's password", acct.nt_hash), NTLM_OK);
	bad = bad || check("store", ntlm_account_store_new(&store, &ops, &acct), NTLM_OK);
	scfg.store = store;
	bad = bad ||
	      check("credential", ntlm_cred_password(&cred, "", "zoe", "zoe's password"), NTLM_OK);
	bad = bad || check("client", ntlm_client_new(&client, cred, NULL), NTLM_OK);
	bad = bad || check("server", ntlm_server_new(&server, &scfg), NTLM_OK);
	if (bad) {
		ntlm_ctx_free(client);
		ntlm_cred_free(cred);
		ntlm_account_store_free(store);
		return 1;
	}

	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	bad = check("negotiate", ntlm_step(client, NULL, 0, &neg), NTLM_CONTINUE);
	bad |= check("challenge", ntlm_step(server, neg.data, neg.len, &chal), NTLM_CONTINUE);
	bad |= check("authenticate", ntlm_step(client, chal.data, chal.len, &auth), NTLM_OK);
	bad |= check("verify", ntlm_step(server, auth.data, auth.len, &none), NTLM_OK);
	if (!bad) {
		uint8_t msg[] = "sealed with the installed library", sig[NTLM_SIGNATURE_SIZE];
		bad |= check("seal", ntlm_protect(client, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig),
		             NTLM_OK);
		bad |= check("unseal", ntlm_unprotect(server, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig),
		             NTLM_OK);
		printf("%s authenticated; received \"%s\"\n", ntlm_ctx_principal(server), (char *)msg);
	}
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	return bad;
}
