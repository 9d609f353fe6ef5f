/*
 * test_wb_check.c - the client's checks on the AUTHENTICATE winbindd
 * computes from its credential cache (lib/engine/client_wb.c), without
 * winbindd: a genuine AUTHENTICATE and its ExportedSessionKey come from one
 * of our clients, and the checks run in a second client that sent the same
 * NEGOTIATE, as winbindd's answer would reach it.
 */
#include "challenge.h"
#include "client_wb.h"
#include "context.h"
#include "filetime.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "wire.h"

#define GRANTED 0xe28a8235u /* our default NEGOTIATE as a Windows server grants it */

/* What "winbindd" answered: an AUTHENTICATE and its key, for a CHALLENGE. */
struct answer {
	ntlm_buffer chal, auth;
	uint8_t key[NTLM_SESSION_KEY_SIZE];
	uint32_t flags;
};

static ntlm_err new_client(ntlm_policy *pol, ntlm_cred **cred, ntlm_ctx **ctx, ntlm_buffer *neg)
{
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT, .policy = pol, .workstation = "CLIENTPC"};
	ntlm_err rc = ntlm_cred_password(cred, "DOM", "alice", "Secret-1");
	if (rc == NTLM_OK)
		rc = ntlm_client_new(ctx, *cred, &cfg);
	if (rc == NTLM_OK && (rc = ntlm_step(*ctx, NULL, 0, neg)) == NTLM_CONTINUE)
		rc = NTLM_OK;
	return rc;
}

static ntlm_err make_answer(int timestamp, struct answer *a)
{
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_buffer neg = {0};
	memset(a, 0, sizeof(*a));
	ntlm_err rc = new_client(&pol, &cred, &ctx, &neg);
	if (rc == NTLM_OK)
		rc = t_challenge(GRANTED, NAMES | (timestamp ? TIMESTAMP : 0), &a->chal);
	if (rc == NTLM_OK)
		rc = ntlm_step(ctx, a->chal.data, a->chal.len, &a->auth);
	if (rc == NTLM_OK)
		rc = ntlm_ctx_session_key(ctx, a->key);
	if (rc == NTLM_OK)
		a->flags = ntlm_ctx_flags(ctx);
	ntlm_buffer_free(&neg);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	return rc;
}

static void answer_free(struct answer *a)
{
	ntlm_buffer_free(&a->chal);
	ntlm_buffer_free(&a->auth);
}

/*
 * The checks in a client that sent the same NEGOTIATE, after the answer's
 * CHALLENGE; edit (optional) changes its state first. Returns their verdict.
 */
static ntlm_err check(const struct answer *a, uint32_t allowed_responses, uint32_t chosen,
                      int timestamp_in_chal, void (*edit)(ntlm_ctx *), int *mic_verified)
{
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	pol.allowed_responses = allowed_responses;
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_buffer neg = {0}, other = {0};
	nw_challenge chal;
	nw_authenticate auth;
	memset(&chal, 0, sizeof(chal));
	memset(&auth, 0, sizeof(auth));
	ntlm_err rc = new_client(&pol, &cred, &ctx, &neg);
	/* the CHALLENGE the checks read its TargetInfo from (the MIC covers a->chal) */
	if (rc == NTLM_OK)
		rc = t_challenge(GRANTED, NAMES | (timestamp_in_chal ? TIMESTAMP : 0), &other);
	if (rc == NTLM_OK)
		rc = nw_challenge_decode(other.data, other.len, &chal);
	if (rc == NTLM_OK)
		rc = ctx_copy_bytes(a->chal.data, a->chal.len, &ctx->hs->challenge_msg);
	if (rc == NTLM_OK && edit)
		edit(ctx);
	if (rc == NTLM_OK)
		rc = client_wb_check(ctx, &chal, chosen, a->auth.data, a->auth.len, a->key, &auth);
	if (mic_verified && ctx)
		*mic_verified = ctx->mic_verified;
	nw_authenticate_clear(&auth);
	nw_challenge_clear(&chal);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&other);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	return rc;
}

/* Our NEGOTIATE was not the one winbindd's MIC covers (one flag byte differs). */
static void other_negotiate(ntlm_ctx *ctx)
{
	ctx->hs->negotiate_msg.data[12] ^= 0x01;
}

static void test_genuine_answer_passes(void)
{
	struct answer a;
	T_SETUP(make_answer(1, &a));
	int mic = 0;
	ntlm_err rc = check(&a, NTLM_RESP_NTLMV2, a.flags, 1, NULL, &mic);
	answer_free(&a);
	T_OK(rc);
	T_ASSERT(mic);
}

static void test_mic_over_another_negotiate_refused(void)
{
	struct answer a;
	T_SETUP(make_answer(1, &a));
	ntlm_err rc = check(&a, NTLM_RESP_NTLMV2, a.flags, 1, other_negotiate, NULL);
	answer_free(&a);
	T_EXPECT_ERR(rc, NTLM_E_MIC_MISMATCH);
}

/* A CHALLENGE with a timestamp wants a MIC: an answer that announces none is refused. */
static void test_missing_mic_refused(void)
{
	struct answer a;
	T_SETUP(make_answer(0, &a)); /* no timestamp: our client announced no MIC */
	ntlm_err with_ts = check(&a, NTLM_RESP_NTLMV2, a.flags, 1, NULL, NULL);
	ntlm_err without = check(&a, NTLM_RESP_NTLMV2, a.flags, 0, NULL, NULL);
	answer_free(&a);
	T_EXPECT_ERR(with_ts, NTLM_E_MIC_MISSING);
	T_OK(without);
}

static void test_flags_we_did_not_choose_refused(void)
{
	struct answer a;
	T_SETUP(make_answer(1, &a));
	ntlm_err rc = check(&a, NTLM_RESP_NTLMV2, a.flags & ~NTLMSSP_NEGOTIATE_SEAL, 1, NULL, NULL);
	answer_free(&a);
	T_EXPECT_ERR(rc, NTLM_E_FLAGS_POLICY);
}

static void test_response_kind_outside_policy_refused(void)
{
	struct answer a;
	T_SETUP(make_answer(1, &a));
	ntlm_err rc = check(&a, NTLM_RESP_NTLMV1, a.flags, 1, NULL, NULL);
	answer_free(&a);
	T_EXPECT_ERR(rc, NTLM_E_NTLMV2_REFUSED);
}

static void test_garbage_refused(void)
{
	struct answer a;
	T_SETUP(make_answer(1, &a));
	a.auth.len = 20; /* cut short */
	ntlm_err rc = check(&a, NTLM_RESP_NTLMV2, a.flags, 1, NULL, NULL);
	answer_free(&a);
	T_ASSERT(rc != NTLM_OK);
}

/* Without winbindd's answer there is no credential: a clear error at creation. */
static void test_cred_without_winbindd(void)
{
	ntlm_cred *c = (ntlm_cred *)1;
	ntlm_err rc = ntlm_cred_from_winbind_cache(&c, "DOM", "nobody-here");
	T_ASSERT(c == NULL);
	T_ASSERT(rc == NTLM_E_BACKEND || rc == NTLM_E_NO_CREDENTIALS || rc == NTLM_E_UNSUPPORTED);
	T_EXPECT_ERR(ntlm_cred_from_winbind_cache(&c, "DOM", ""), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_cred_from_winbind_cache(NULL, "DOM", "x"), NTLM_E_INVALID_PARAMETER);
}

int main(void)
{
	T_RUN(test_genuine_answer_passes);
	T_RUN(test_mic_over_another_negotiate_refused);
	T_RUN(test_missing_mic_refused);
	T_RUN(test_flags_we_did_not_choose_refused);
	T_RUN(test_response_kind_outside_policy_refused);
	T_RUN(test_garbage_refused);
	T_RUN(test_cred_without_winbindd);
	T_END();
}
