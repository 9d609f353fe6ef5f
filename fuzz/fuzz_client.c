/* Target functions: ntlm_client_new, ntlm_step (client: CHALLENGE -> AUTHENTICATE), ntlm_wrap, ntlm_protect */
/*
 * The initiator fed what a network server can send: an arbitrary
 * CHALLENGE, under the policy chosen by the first byte (fz_policy) and the
 * requested flags chosen by the second (fz_client_flags).
 *
 * Input: sel(1) | flagsel(1) | CHALLENGE (the rest).
 *
 * Invariants: the AUTHENTICATE the client produces decodes; it carries only
 * the response kind the client policy allows (a server cannot downgrade
 * it); the negotiated flags meet the client's minimum security and stay
 * within what it asked for (a datagram client keeps DATAGRAM); an NTLMv2
 * response echoes the client's own channel bindings and target name, never
 * the server's, no MsvAvSingleHost, both server NetBIOS names when signing
 * or sealing was asked for, and Z(24) as LM response next to a TargetInfo;
 * a failed step leaves a failed context.
 */
#include "fuzz_common.h"

#define FZ_ALLOWED_EXTRA                                                                           \
	(NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_TARGET_TYPE_DOMAIN | NTLMSSP_TARGET_TYPE_SERVER |     \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_ANONYMOUS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t sel = data[0], fsel = data[1] & 7;
	uint8_t *in = fz_dup(data + 2, size - 2);
	size -= 2;

	ntlm_policy policy;
	ntlm_hooks hooks = {NTLM_HOOKS_INIT};
	fz_rng rng;
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	FZ_CHECK(fz_client_new(sel, fz_client_flags[fsel], &cred, &policy, &hooks, &rng, 0xc11e47ull,
	                       &ctx) == NTLM_OK);
	ntlm_buffer out = {NULL, 0};
	uint32_t requested = ctx->hs->cl.requested;
	if (!(sel & FZ_SEL_DATAGRAM)) {
		FZ_CHECK(ntlm_step(ctx, NULL, 0, &out) == NTLM_CONTINUE);
		nw_negotiate neg;
		FZ_CHECK(nw_negotiate_decode(out.data, out.len, &neg) == NTLM_OK);
		nw_negotiate_clear(&neg);
		ntlm_buffer_free(&out);
	}
	ntlm_err rc = ntlm_step(ctx, in, size, &out);
	int chal_has_target_info = 0;
	if (rc == NTLM_OK) {
		nw_challenge chal;
		FZ_CHECK(nw_challenge_decode(in, size, &chal) == NTLM_OK);
		chal_has_target_info = chal.target_info_len != 0;
		nw_challenge_clear(&chal);
	}
	if (rc == NTLM_OK) {
		int anonymous = ntlm_ctx_is_anonymous(ctx);
		nw_authenticate a;
		FZ_CHECK(nw_authenticate_decode(out.data, out.len, &a) == NTLM_OK);
		uint32_t f = ntlm_ctx_flags(ctx);
		FZ_CHECK(a.flags == f);
		FZ_CHECK((f & ~(requested | FZ_ALLOWED_EXTRA)) == 0);
		if (sel & FZ_SEL_DATAGRAM)
			FZ_CHECK(f & NTLMSSP_NEGOTIATE_DATAGRAM); /* never carries on connection-oriented */
		if (anonymous) {
			FZ_CHECK(a.nt_response_len == 0);
			FZ_CHECK(!(f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)));
		} else if (policy.allowed_responses & NTLM_RESP_NTLMV2) {
			FZ_CHECK(a.nt_response_len > 24); /* never downgraded by the server */
			nw_v2_response v2;
			FZ_CHECK(nw_v2_response_parse(a.nt_response, a.nt_response_len, &v2) == NTLM_OK);
			nw_av_list av;
			FZ_CHECK(nw_av_parse(v2.av_pairs, v2.av_len, &av) == NTLM_OK);
			uint32_t avflags = 0;
			NTLM_IGNORE_RESULT(nw_av_get_u32(&av, NW_AV_FLAGS, &avflags)); /* absent: 0 */
			if (avflags & NW_AVF_MIC)
				FZ_CHECK(a.has_mic_field); /* a MIC announced is a MIC sent */
			/* Our own bindings and target name, never the server's. */
			static const uint8_t zero[24];
			const nw_av *cb = nw_av_get(&av, NW_AV_CHANNEL_BINDINGS);
			FZ_CHECK(cb && cb->len == 16);
			FZ_CHECK(memcmp(cb->value, (sel & 0x08) ? fz_cbt : zero, 16) == 0);
			char *spn = NULL;
			FZ_CHECK(nw_av_get_string(&av, NW_AV_TARGET_NAME, &spn) == NTLM_OK);
			FZ_CHECK(strcmp(spn, (sel & 0x10) ? fz_services[0] : "") == 0);
			free(spn);
			FZ_CHECK(nw_av_get(&av, NW_AV_SINGLE_HOST) == NULL);
			/* Signing or sealing wanted: the server named itself (3.1.5.1.2). */
			if (requested & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL))
				FZ_CHECK(nw_av_get(&av, NW_AV_NB_COMPUTER) && nw_av_get(&av, NW_AV_NB_DOMAIN));
			/* With a TargetInfo the LmChallengeResponse is Z(24), not LMv2. */
			FZ_CHECK(a.lm_response_len == 24);
			if (chal_has_target_info)
				FZ_CHECK(memcmp(a.lm_response, zero, 24) == 0);
			nw_av_clear(&av);
		} else {
			FZ_CHECK(a.nt_response_len == 24);
		}
		if (!anonymous) {
			/* key strength, key exchange and ESS are required once keys are used */
			int keyed = (f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) != 0;
			if ((policy.min_security & NTLM_SEC_128BIT) && keyed)
				FZ_CHECK(f & NTLMSSP_NEGOTIATE_128);
			if ((policy.min_security & NTLM_SEC_ESS) && keyed)
				FZ_CHECK(f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
			if (policy.min_security & NTLM_SEC_SIGN)
				FZ_CHECK(f & NTLMSSP_NEGOTIATE_SIGN);
			if (policy.min_security & NTLM_SEC_SEAL)
				FZ_CHECK(f & NTLMSSP_NEGOTIATE_SEAL);
			if ((policy.min_security & NTLM_SEC_KEY_EXCH) &&
			    (f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)))
				FZ_CHECK(f & NTLMSSP_NEGOTIATE_KEY_EXCH);
		}
		nw_authenticate_clear(&a);
		ntlm_buffer_free(&out);

		FZ_CHECK(ntlm_ctx_established(ctx));
		(void)ntlm_ctx_target_name(ctx);
		uint8_t sig[NTLM_SIGNATURE_SIZE], hello[5] = {'h', 'e', 'l', 'l', 'o'};
		int dg = (sel & FZ_SEL_DATAGRAM) != 0;
		unsigned seq_mode = dg ? NTLM_PROTECT_EXPLICIT_SEQ : 0u;
		ntlm_buffer w = {NULL, 0};
		if (ntlm_wrap(ctx, NTLM_PROTECT_SEAL | seq_mode, 0, hello, 5, &w) == NTLM_OK)
			FZ_CHECK(f & NTLMSSP_NEGOTIATE_SEAL);
		ntlm_buffer_free(&w);
		/* without SIGN negotiated signing fails: either answer is fine here */
		NTLM_IGNORE_RESULT(
			ntlm_protect(ctx, NTLM_PROTECT_SIGN | seq_mode, dg ? 7u : 0u, hello, 5, sig));
	} else {
		FZ_CHECK(rc != NTLM_CONTINUE);
		FZ_CHECK(out.data == NULL && out.len == 0);
		FZ_CHECK(!ntlm_ctx_established(ctx));
		FZ_CHECK(ntlm_step(ctx, in, size, &out) == NTLM_E_FAILED_CONTEXT);
	}
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	free(in);
	return 0;
}
