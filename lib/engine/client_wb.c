/*
 * client_wb.c - the client's checks on the AUTHENTICATE winbindd computed
 * from its credential cache (client.c sends it on only if they pass).
 * winbindd is trusted with the password, not with our policy: its answer
 * must be one our own client could have sent.
 */
#include <string.h>

#include "client_wb.h"
#include "context.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "policy.h"
#include "try.h"
#include "verify.h"
#include "wire.h"

/*
 * The MIC of winbindd's AUTHENTICATE. winbindd's client computes it over the
 * NEGOTIATE it is given (libwbclient's "negotiate_blob") and then announces
 * it in MsvAvFlags; without that blob it computes it over nothing and
 * announces none. A CHALLENGE with a timestamp is one our own client
 * answers with a MIC, so winbindd's answer must carry one, and it must
 * verify over the NEGOTIATE we sent: otherwise a man in the middle could
 * have edited our NEGOTIATE or the CHALLENGE unseen.
 */
static ntlm_err check_wb_mic(ntlm_ctx *ctx, const nw_challenge *chal, const uint8_t *msg,
                             size_t len, const nw_authenticate *a, const uint8_t *key)
{
	nw_av_list server = {NULL, 0, 0}, client = {NULL, 0, 0};
	nw_v2_response v2;
	uint64_t ts = 0;
	uint32_t avflags = 0;
	int want = 0, announced = 0;
	ntlm_err rc = nw_av_parse_view(chal->target_info, chal->target_info_len, &server);
	if (rc == NTLM_OK)
		want = nw_av_get_u64(&server, NW_AV_TIMESTAMP, &ts) == NTLM_OK;
	if (rc == NTLM_OK && a->nt_response_len > 24 &&
	    (rc = nw_v2_response_parse(a->nt_response, a->nt_response_len, &v2)) == NTLM_OK &&
	    (rc = nw_av_parse_view(v2.av_pairs, v2.av_len, &client)) == NTLM_OK)
		announced = nw_av_get_u32(&client, NW_AV_FLAGS, &avflags) == NTLM_OK &&
		            (avflags & NW_AVF_MIC);
	nw_av_clear(&server);
	nw_av_clear(&client);
	NTLM_TRY(rc);
	if (!announced)
		return want ? ctx_refuse(ctx, "winbind: no MIC over our NEGOTIATE", NTLM_E_MIC_MISSING)
		            : NTLM_OK;
	if (!a->has_mic_field)
		return NTLM_E_MIC_MISSING;
	uint8_t mic[NW_MIC_SIZE];
	nk_mic(key, ctx->hs->negotiate_msg.data, ctx->hs->negotiate_msg.len,
	       ctx->hs->challenge_msg.data, ctx->hs->challenge_msg.len, msg, len, NW_AUTH_MIC_OFFSET,
	       mic);
	rc = ntlm_ct_equal(mic, a->mic, NW_MIC_SIZE)
	         ? NTLM_OK
	         : ctx_refuse(ctx, "winbind: MIC not over our NEGOTIATE", NTLM_E_MIC_MISMATCH);
	ntlm_memzero(mic, sizeof(mic));
	ctx->mic_verified = rc == NTLM_OK;
	return rc;
}

/*
 * winbindd's AUTHENTICATE, checked as our own would be before it leaves:
 * flags within what we would have chosen and the policy's minimum security,
 * a response kind the policy allows, the MIC over our NEGOTIATE.
 */
ntlm_err client_wb_check(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t chosen,
                         const uint8_t *msg, size_t len, const uint8_t *key, nw_authenticate *a)
{
	NTLM_TRY(nw_authenticate_decode_view(msg, len, 0, a));
	if (a->flags & ~chosen)
		return ctx_refuse(ctx, "winbind: flags we did not choose", NTLM_E_FLAGS_POLICY);
	const char *rule = policy_min_security_violation(&ctx->hs->policy, a->flags);
	if (rule)
		return ctx_refuse(ctx, rule, NTLM_E_FLAGS_POLICY);
	ctx->kind = nv_classify(a->lm_response, a->lm_response_len, a->nt_response_len, a->user,
	                        a->flags);
	NTLM_TRY(nv_kind_allowed(ctx->kind, ctx->hs->policy.allowed_responses, 0));
	return check_wb_mic(ctx, chal, msg, len, a, key);
}
