/*
 * ntlmpeer - this library as an interop peer, speaking the suite's line
 * protocol on stdin/stdout (the same protocol as `ntlm client` / `ntlm
 * server`; the suite uses build/tools/ntlm when it exists and supports it,
 * this fallback otherwise).
 *
 *   ntlmpeer client --user U --domain D --password P [--ntlmv1] [--workstation W]
 *   ntlmpeer server --account-file F [--allow-ntlmv1] [--computer-name C] [--domain-name D]
 *   (both: [--show-session-key])
 *
 * Client: prints "TOKEN <b64>" (NEGOTIATE) unprompted, reads "TOKEN <b64>"
 * (CHALLENGE), prints "TOKEN <b64>" (AUTHENTICATE) then
 * "DONE flags=0x%08x [sessionkey=<hex>] kind=..". Server: reads TOKEN, answers
 * TOKEN, ends with "DONE user=<DOMAIN\user> flags=.. [sessionkey=<hex>] kind=.."
 * or "FAIL <ERRNAME> <message>". The key only with --show-session-key, as
 * `ntlm` does. After DONE: SEAL/UNSEAL/SIGN/VERIFY/QUIT.
 */
#include "lineproto.h"
#include "ntlmssp/ntlmssp.h"

static void say_fail(ntlm_err rc)
{
	printf("FAIL %s %s\n", ntlm_err_name(rc), ntlm_strerror(rc));
	fflush(stdout);
}

static void say_done(ntlm_ctx *ctx, int server, int show_key)
{
	uint8_t key[16] = {0};
	printf("DONE ");
	if (server)
		printf("user=%s ", ntlm_ctx_principal(ctx));
	printf("flags=0x%08x ", ntlm_ctx_flags(ctx));
	if (show_key) {
		printf("sessionkey=");
		if (ntlm_ctx_session_key(ctx, key) == NTLM_OK)
			lp_put_hex(key, 16);
		else
			printf("-"); /* no key (anonymous), as ntlm(1) says */
		printf(" ");
	}
	printf("kind=%s\n", ntlm_response_kind_name(ntlm_ctx_response_kind(ctx)));
	fflush(stdout);
}

/* The session operations; a refusal is reported by its error name. */
static int ntlm_refused(ntlm_err rc, char *err, size_t errlen)
{
	if (rc == NTLM_OK)
		return 0;
	snprintf(err, errlen, "%s", ntlm_err_name(rc));
	return -1;
}

/* Seals (seal_sig set) or unseals a copy in place: lp_session owns its input. */
static int in_place(void *ctx, const uint8_t *in, size_t n, uint8_t *seal_sig,
                    const uint8_t *unseal_sig, uint8_t **out, size_t *on, char *err, size_t errlen)
{
	uint8_t *d = malloc(n + 1);
	if (!d)
		return ntlm_refused(NTLM_E_NO_MEMORY, err, errlen);
	memcpy(d, in, n);
	ntlm_err rc = seal_sig ? ntlm_protect(ctx, NTLM_PROTECT_SEAL, 0, d, n, seal_sig)
	                       : ntlm_unprotect(ctx, NTLM_PROTECT_SEAL, 0, d, n, unseal_sig);
	if (ntlm_refused(rc, err, errlen)) {
		free(d);
		return -1;
	}
	*out = d;
	*on = n;
	return 0;
}

static int op_seal(void *ctx, const uint8_t *in, size_t n, uint8_t **data, size_t *dn,
                   uint8_t sig[16], char *err, size_t errlen)
{
	return in_place(ctx, in, n, sig, NULL, data, dn, err, errlen);
}

static int op_unseal(void *ctx, const uint8_t *d, size_t dn, const uint8_t sig[16], uint8_t **plain,
                     size_t *pn, char *err, size_t errlen)
{
	return in_place(ctx, d, dn, NULL, sig, plain, pn, err, errlen);
}

static int op_sign(void *ctx, const uint8_t *m, size_t n, uint8_t sig[16], char *err, size_t errlen)
{
	/* signing only reads the message */
	return ntlm_refused(ntlm_protect(ctx, NTLM_PROTECT_SIGN, 0, (uint8_t *)m, n, sig), err, errlen);
}

static int op_verify(void *ctx, const uint8_t *m, size_t n, const uint8_t sig[16], char *err,
                     size_t errlen)
{
	return ntlm_refused(ntlm_unprotect(ctx, NTLM_PROTECT_SIGN, 0, (uint8_t *)m, n, sig), err,
	                    errlen);
}

int main(int argc, char **argv)
{
	const char *user = NULL, *domain = NULL, *password = NULL, *account_file = NULL;
	const char *computer = "NTLMSRV", *domain_name = NULL, *workstation = "NTLMCLI";
	int v1 = 0, show_key = 0;
	const lp_opt opts[] = {{"user", &user, NULL},
	                       {"domain", &domain, NULL},
	                       {"password", &password, NULL},
	                       {"account-file", &account_file, NULL},
	                       {"allow-ntlmv1", NULL, &v1},
	                       {"ntlmv1", NULL, &v1},
	                       {"computer-name", &computer, NULL},
	                       {"domain-name", &domain_name, NULL},
	                       {"workstation", &workstation, NULL},
	                       {"show-session-key", NULL, &show_key}};
	int server = lp_args(argc, argv, opts, sizeof(opts) / sizeof(*opts));
	if (server < 0) {
		fprintf(stderr, "usage: ntlmpeer client|server [options]\n");
		return 2;
	}
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_err rc;
	if (server) {
		if (v1)
			pol.allowed_responses |= NTLM_RESP_NTLMV1;
		rc = ntlm_account_store_smbpasswd(&store, account_file);
		ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
		cfg.policy = &pol;
		cfg.store = store;
		cfg.computer_name = computer;
		cfg.domain_name = domain_name;
		if (rc == NTLM_OK)
			rc = ntlm_server_new(&ctx, &cfg);
	} else {
		if (v1)
			pol.allowed_responses = NTLM_RESP_NTLMV1;
		rc = ntlm_cred_password(&cred, domain, user, password);
		ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
		cfg.policy = &pol;
		cfg.workstation = workstation;
		if (rc == NTLM_OK)
			rc = ntlm_client_new(&ctx, cred, &cfg);
	}
	if (rc != NTLM_OK) {
		say_fail(rc);
		return 1;
	}
	/* the client speaks first (NEGOTIATE), the server answers each TOKEN */
	ntlm_buffer out = {NULL, 0};
	uint8_t *in = NULL;
	size_t n = 0;
	rc = server ? NTLM_CONTINUE : ntlm_step(ctx, NULL, 0, &out);
	for (;;) {
		if (out.len)
			lp_token(out.data, out.len);
		ntlm_buffer_free(&out);
		if (rc != NTLM_CONTINUE || !(in = lp_read_token(&n)))
			break;
		rc = ntlm_step(ctx, in, n, &out);
		free(in);
	}
	if (rc == NTLM_OK) {
		say_done(ctx, server, show_key);
		lp_ops ops = {ctx, op_seal, op_unseal, op_sign, op_verify};
		lp_session(&ops);
	} else if (rc == NTLM_CONTINUE) {
		printf("FAIL EOF before the handshake ended\n");
	} else {
		say_fail(rc);
	}
	fflush(stdout);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	return rc == NTLM_OK ? 0 : 1;
}
