/*
 * client.c - ntlm_auth's client side: the credential and the NTLM client
 * context behind ntlmssp-client-1 (Wine's InitializeSecurityContext, curl's
 * --ntlm-wb) and gss-spnego-client.
 *
 *   request            answer
 *   PW <b64 password>  OK                  the password (Wine sends it first)
 *   SF <features...>   OK                  NTLMSSP_FEATURE_SIGN/SEAL/SESSION_KEY: we always
 *                                          negotiate keys, signing and sealing
 *   YR                 YR <b64 NEGOTIATE>  a new handshake
 *   TT <b64 CHALLENGE> AF <b64 AUTHENTICATE>, or PW when no password is known yet (send
 *                      "PW ..." and then the TT again), or BH <reason>
 *   GF                 GF 0x<flags>        negotiated (before: the ones requested)
 *   GK                 GK <b64 key>        the exported session key, or BH No session key
 *
 * The password comes from --password, else a PW line; without one,
 * --use-cached-creds asks winbindd's credential cache (single sign-on:
 * winbindd answers the CHALLENGE, we never see the password), then the
 * credential file in $NTLM_USER_FILE (curl's --ntlm-wb passes only the
 * user name), then PW is asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "ntlm_auth.h"
#include "ntlm_b64.h"
#include "ntlm_io.h"
#include "mem.h"
#include "sys.h"

/* One answer line: verb, and the base64 of data when given. */
static void answer_b64(const char *verb, const uint8_t *data, size_t len)
{
	fputs(verb, stdout);
	if (data) {
		fputc(' ', stdout);
		b64_fput(stdout, data, len);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

void na_client_init(na_client *cl, const na_opts *o)
{
	memset(cl, 0, sizeof(*cl));
	cl->o = o;
	ntlm_policy_init(&cl->policy);
}

void na_client_free(na_client *cl)
{
	ntlm_ctx_free(cl->ctx);
	ntlm_cred_free(cl->cred);
	ntlm_free_string(cl->password);
	ntlm_buffer_free(&cl->negotiate);
	memset(cl, 0, sizeof(*cl));
}

int na_client_load_policy(na_client *cl)
{
	unsigned line = 0;
	ntlm_err rc = ntlm_policy_load(&cl->policy, cl->o->policy, &line);
	if (rc == NTLM_OK)
		return 0;
	fprintf(stderr, "ntlm_auth: policy %s: %s (%s)", cl->o->policy ? cl->o->policy : "file",
	        ntlm_strerror(rc), ntlm_err_name(rc));
	if (rc == NTLM_E_BAD_FILE)
		fprintf(stderr, " at line %u", line);
	fputc('\n', stderr);
	return -1;
}

ntlm_err na_client_set_password(na_client *cl, const char *password)
{
	char *copy = ntlm_strdup(password);
	if (!copy)
		return NTLM_E_NO_MEMORY;
	ntlm_free_string(cl->password);
	cl->password = copy;
	ntlm_cred_free(cl->cred); /* a new password: the next TT builds the credential again */
	cl->cred = NULL;
	return NTLM_OK;
}

/*
 * --use-cached-creds: winbindd's cache for this user and uid, if there is
 * one. Any failure (no entry, winbindd not running, a build without
 * libwbclient) means "no cache": the other sources follow, as with Samba.
 * Not when a target name is to be sent (gss-spnego-client's
 * --target-service): winbindd's client sends none.
 */
static int cached_cred(na_client *cl)
{
	const na_opts *o = cl->o;
	return o->use_cached_creds && !cl->spn &&
	       ntlm_cred_from_winbind_cache(&cl->cred, o->domain, o->username) == NTLM_OK;
}

/* The credential: --password or PW, else winbindd's cache (--use-cached-creds), else
 * $NTLM_USER_FILE; NTLM_E_NO_CREDENTIALS: ask (PW). */
static ntlm_err get_cred(na_client *cl)
{
	const na_opts *o = cl->o;
	const char *pw = cl->password ? cl->password : o->password;
	if (cl->cred)
		return NTLM_OK;
	if (pw)
		return ntlm_cred_password(&cl->cred, o->domain, o->username, pw);
	if (cached_cred(cl))
		return NTLM_OK;
	if (!ntlm_secure_getenv("NTLM_USER_FILE"))
		return NTLM_E_NO_CREDENTIALS;
	ntlm_err rc = ntlm_cred_from_file(&cl->cred, NULL, o->domain, o->username);
	return rc == NTLM_E_NOT_FOUND ? NTLM_E_NO_CREDENTIALS : rc;
}

static ntlm_err new_context(na_client *cl, const ntlm_cred *cred, ntlm_ctx **out)
{
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	cfg.policy = &cl->policy;
	cfg.workstation = cl->o->workstation;
	cfg.target_name = cl->spn;
	return ntlm_client_new(out, cred, &cfg);
}

/*
 * YR: the NEGOTIATE. It carries no user and no password, so it is made
 * before the password is known (Wine and Samba ask for it only at TT) and
 * kept: the context that answers the CHALLENGE must have sent the very same
 * bytes, since the MIC covers them.
 */
ntlm_err na_client_start(na_client *cl, ntlm_buffer *out)
{
	ntlm_cred *placeholder = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_err rc;
	ntlm_ctx_free(cl->ctx);
	cl->ctx = NULL;
	cl->done = 0;
	ntlm_buffer_free(&cl->negotiate);
	rc = ntlm_cred_password(&placeholder, cl->o->domain, cl->o->username ? cl->o->username : "",
	                        "");
	if (rc == NTLM_OK)
		rc = new_context(cl, placeholder, &ctx);
	if (rc == NTLM_OK && (rc = ntlm_step(ctx, NULL, 0, &cl->negotiate)) == NTLM_CONTINUE)
		rc = NTLM_OK;
	else if (rc == NTLM_OK)
		rc = NTLM_E_INTERNAL;
	ntlm_ctx_free(ctx);
	ntlm_cred_free(placeholder);
	if (rc != NTLM_OK)
		return rc;
	out->data = malloc(cl->negotiate.len);
	if (!out->data)
		return NTLM_E_NO_MEMORY;
	memcpy(out->data, cl->negotiate.data, cl->negotiate.len);
	out->len = cl->negotiate.len;
	return NTLM_OK;
}

/*
 * TT: the AUTHENTICATE. NTLM_E_NO_CREDENTIALS: no password yet (the
 * caller answers PW and the TT comes again).
 */
ntlm_err na_client_answer(na_client *cl, const uint8_t *challenge, size_t len, ntlm_buffer *out)
{
	ntlm_buffer neg = {NULL, 0};
	ntlm_err rc;
	if (!cl->negotiate.data || cl->ctx)
		return NTLM_E_WRONG_STATE; /* TT before YR, or a second TT */
	if (!cl->o->username)
		return NTLM_E_NO_CREDENTIALS;
	if ((rc = get_cred(cl)) != NTLM_OK)
		return rc;
	if ((rc = new_context(cl, cl->cred, &cl->ctx)) != NTLM_OK)
		return rc;
	rc = ntlm_step(cl->ctx, NULL, 0, &neg);
	if (rc == NTLM_CONTINUE &&
	    (neg.len != cl->negotiate.len || memcmp(neg.data, cl->negotiate.data, neg.len) != 0))
		rc = NTLM_E_INTERNAL; /* not the NEGOTIATE sent: the MIC would not verify */
	ntlm_buffer_free(&neg);
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(cl->ctx, challenge, len, out);
	if (rc == NTLM_CONTINUE)
		rc = NTLM_E_WRONG_STATE;
	cl->done = rc == NTLM_OK;
	return rc;
}

uint32_t na_client_flags(const na_client *cl)
{
	return cl->ctx ? ntlm_ctx_flags(cl->ctx) : NTLM_CLIENT_DEFAULT_FLAGS;
}

/* GK, as Samba answers it. */
static void answer_key(const na_client *cl)
{
	uint8_t key[NTLM_SESSION_KEY_SIZE];
	if (!cl->done || ntlm_ctx_session_key(cl->ctx, key) != NTLM_OK) {
		puts("BH No session key");
		fflush(stdout);
		return;
	}
	answer_b64("GK", key, sizeof(key));
	ntlm_memzero(key, sizeof(key));
}

/* "PW <b64>": Samba answers OK even to a token that does not decode (it keeps what it got). */
static void take_password(na_client *cl, const char *b64)
{
	uint8_t *pw = NULL;
	size_t len = 0, where = 0;
	char *text = NULL;
	if (!b64_decode(b64, strlen(b64), 0, &pw, &len, &where) && (text = ntlm_calloc(len + 1, 1))) {
		memcpy(text, pw, len);
		if (strlen(text) == len && na_client_set_password(cl, text) != NTLM_OK)
			fputs("ntlm_auth: out of memory\n", stderr);
	}
	ntlm_free_secret(pw, len);
	ntlm_free_secret(text, text ? len + 1 : 0);
	puts("OK");
	fflush(stdout);
}

/* "TT <b64>": AF with the AUTHENTICATE, PW to ask for the password, BH otherwise. */
static void answer_challenge(na_client *cl, const char *b64)
{
	uint8_t *tok = NULL;
	size_t len = 0, where = 0;
	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = NTLM_E_INVALID_PARAMETER;
	if (!b64_decode(b64, strlen(b64), 0, &tok, &len, &where))
		rc = na_client_answer(cl, tok, len, &out);
	if (rc == NTLM_OK) {
		answer_b64("AF", out.data, out.len);
	} else if (rc == NTLM_E_NO_CREDENTIALS) {
		ntlm_ctx_free(cl->ctx); /* the TT comes again once the password is known */
		cl->ctx = NULL;
		puts("PW");
	} else {
		printf("BH %s\n", ntlm_strerror(rc));
	}
	fflush(stdout);
	ntlm_buffer_free(&out);
	ntlm_free_secret(tok, len);
}

void na_client_line(na_client *cl, char *line, size_t len)
{
	ntlm_buffer out = {NULL, 0};
	/* Samba's helper reads a two-letter verb, a space and the rest */
	int has_arg = len > 3 && line[2] == ' ';
	if (strlen(line) != len) {
		puts("BH the line contains a NUL byte");
	} else if (!strcmp(line, "YR") || !strncmp(line, "YR ", 3)) {
		ntlm_err rc = na_client_start(cl, &out);
		if (rc == NTLM_OK)
			answer_b64("YR", out.data, out.len);
		else
			printf("BH %s\n", ntlm_strerror(rc));
	} else if (has_arg && !strncmp(line, "TT", 2)) {
		answer_challenge(cl, line + 3);
	} else if (has_arg && !strncmp(line, "PW", 2)) {
		take_password(cl, line + 3);
	} else if (!strcmp(line, "SF") || !strncmp(line, "SF ", 3)) {
		puts("OK");
	} else if (!strcmp(line, "GF")) {
		printf("GF 0x%08x\n", (unsigned)na_client_flags(cl));
	} else if (!strcmp(line, "GK")) {
		answer_key(cl);
	} else if (!strcmp(line, "OK")) {
		puts("BH Command expected");
	} else {
		puts("BH SPNEGO request invalid prefix");
	}
	fflush(stdout);
	ntlm_buffer_free(&out);
}

static void client_line(void *arg, char *line, size_t len)
{
	na_client_line(arg, line, len);
}

void na_client_overlong(void *arg, const char *start, size_t len)
{
	printf("BH line longer than %d bytes\n", IO_LINE_MAX);
	fflush(stdout);
}

int na_ntlmssp_client(const na_opts *o)
{
	na_client cl;
	na_client_init(&cl, o);
	int st = na_client_load_policy(&cl) == 0 ? na_line_loop(client_line, na_client_overlong, &cl)
	                                         : NA_EXIT_FAIL;
	na_client_free(&cl);
	return st;
}
