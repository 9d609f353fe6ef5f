/*
 * client.c - the client (initiator) state machine of [MS-NLMP] 3.1.5:
 *   INITIAL --(NEGOTIATE out)--> NEGOTIATE_SENT --(CHALLENGE in, AUTHENTICATE out)--> DONE
 * In datagram mode there is no NEGOTIATE: the first input is the CHALLENGE.
 */
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "client_wb.h"
#include "context.h"
#include "cred.h"
#include "filetime.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "policy.h"
#include "try.h"
#include "verify.h"
#include "wb_ccache.h"
#include "wire.h"

/* What we announce as our VERSION: 10.0 build 20348, NTLMSSP_REVISION_W2K3. */
static const nw_version our_version = {10, 0, 20348, 15};

void client_state_wipe(struct ntlm_client_state *cl)
{
	ntlm_free_string(cl->domain);
	ntlm_free_string(cl->user);
	ntlm_free_string(cl->workstation);
	ntlm_free_string(cl->target_spn);
	ntlm_memzero(cl, sizeof(*cl));
}

NTLM_API ntlm_err ntlm_client_new(ntlm_ctx **out, const ntlm_cred *cred,
                                  const ntlm_client_config *cfg)
{
	if (!out || !cred)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	ntlm_ctx *ctx = ntlm_calloc(1, sizeof(*ctx));
	if (!ctx)
		return NTLM_E_NO_MEMORY;
	ntlm_client_config copy = {NTLM_CLIENT_CONFIG_INIT};
	ntlm_err rc = cfg ? client_config_in(&copy, cfg) : NTLM_OK;
	if (rc != NTLM_OK) {
		ntlm_ctx_free(ctx);
		return rc;
	}
	cfg = &copy;
	rc = ctx_handshake_new(ctx, cred->shared, cfg->policy, cfg->hooks);
	/* an anonymous client sends no response: allowed_responses does not bind it */
	if (rc == NTLM_OK && !cred->anonymous && ntlm_policy_conflict(&ctx->hs->policy, NULL))
		rc = NTLM_E_POLICY_CONFLICT;
	if (rc != NTLM_OK) {
		ntlm_ctx_free(ctx);
		return rc;
	}
	ctx->datagram = cfg->datagram;
	struct ntlm_client_state *cl = &ctx->hs->cl;
	cl->anonymous = cred->anonymous;
	cl->winbind_cache = cred->winbind_cache;
	/* winbindd's client sends zero bindings, no target name and no datagram
	 * mode: asking for them with its credentials would silently go without */
	if (cl->winbind_cache && (cfg->cbt_hash || cfg->target_name || ctx->datagram)) {
		ntlm_ctx_free(ctx);
		return NTLM_E_UNSUPPORTED;
	}
	memcpy(cl->nt_hash, cred->nt_hash, NTLM_HASH_SIZE);
	memcpy(cl->lm_hash, cred->lm_hash, NTLM_HASH_SIZE);
	cl->have_lm = cred->have_lm;
	cl->send_version = !cfg->omit_version;
	cl->requested = cfg->flags ? cfg->flags : NTLM_CLIENT_DEFAULT_FLAGS;
	if (ctx->datagram)
		cl->requested |= NTLMSSP_NEGOTIATE_DATAGRAM;
	if (cfg->cbt_hash) {
		memcpy(cl->cbt, cfg->cbt_hash, NTLM_CBT_HASH_SIZE);
		cl->have_cbt = 1;
	}
	rc = ctx_set_string(&cl->domain, cred->domain);
	if (rc == NTLM_OK)
		rc = ctx_set_string(&cl->user, cred->user);
	if (rc == NTLM_OK && cfg->target_name)
		rc = ctx_set_string(&cl->target_spn, cfg->target_name);
	if (rc == NTLM_OK)
		rc = cfg->workstation ? ctx_set_string(&cl->workstation, cfg->workstation)
		                      : ctx_host_netbios_name(&cl->workstation);
	if (rc != NTLM_OK) {
		ntlm_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return NTLM_OK;
}

static ntlm_err send_negotiate(ntlm_ctx *ctx, ntlm_buffer *out)
{
	nw_negotiate neg;
	memset(&neg, 0, sizeof(neg));
	neg.flags = ctx->hs->cl.requested;
	if (ctx->hs->cl.send_version && (neg.flags & NTLMSSP_NEGOTIATE_VERSION)) {
		neg.has_version = 1;
		neg.version = our_version;
	} else {
		neg.flags &= ~NTLMSSP_NEGOTIATE_VERSION;
	}
	NTLM_TRY(nw_negotiate_encode(&neg, out));
	ntlm_err rc = ctx_copy_bytes(out->data, out->len, &ctx->hs->negotiate_msg);
	if (rc != NTLM_OK) {
		ntlm_buffer_free(out);
		return rc;
	}
	ctx->state = CTX_NEGOTIATE_SENT;
	return NTLM_CONTINUE;
}

/* Flags for the AUTHENTICATE: the server's choice, limited to what we asked. */
static ntlm_err choose_flags(ntlm_ctx *ctx, uint32_t offered, uint32_t *out)
{
	uint32_t f = offered & (ctx->hs->cl.requested | NTLMSSP_NEGOTIATE_TARGET_INFO |
	                        NTLMSSP_TARGET_TYPE_DOMAIN | NTLMSSP_TARGET_TYPE_SERVER |
	                        NTLMSSP_NEGOTIATE_VERSION);
	if (f & NTLMSSP_NEGOTIATE_UNICODE)
		f &= ~NTLMSSP_NEGOTIATE_OEM;
	else if (!(f & NTLMSSP_NEGOTIATE_OEM))
		return NTLM_E_NO_COMMON_CHARSET; /* no policy refused this: the peers cannot talk */
	if (ctx->datagram && !(f & NTLMSSP_NEGOTIATE_DATAGRAM))
		return NTLM_E_DATAGRAM_MISMATCH; /* we would rekey per message, the server would not */
	/* ESS wins over LM_KEY (2.2.2.5); without our LM hash we could not derive its key */
	if ((f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) || !ctx->hs->cl.have_lm)
		f &= ~NTLMSSP_NEGOTIATE_LM_KEY;
	if (!ctx->hs->cl.send_version)
		f &= ~NTLMSSP_NEGOTIATE_VERSION;
	if (ctx->hs->cl.anonymous) {
		f |= NTLMSSP_ANONYMOUS;
		f &= ~(NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL);
	} else {
		const char *rule = policy_min_security_violation(&ctx->hs->policy, f);
		if (rule)
			return ctx_refuse(ctx, rule, NTLM_E_FLAGS_POLICY);
	}
	*out = f;
	return NTLM_OK;
}

/* The parts of an AUTHENTICATE that the response computation fills in. */
struct auth_parts {
	uint8_t lm[24];
	size_t lm_len;
	ntlm_buffer nt;
	uint8_t session_base_key[NTLM_SESSION_KEY_SIZE];
	uint8_t key_exchange_key[NTLM_SESSION_KEY_SIZE];
	int want_mic;
};

static void auth_parts_wipe(struct auth_parts *p)
{
	ntlm_buffer_free(&p->nt);
	ntlm_memzero(p, sizeof(*p));
}

/*
 * [MS-NLMP] 3.1.5.1.2: with NTLMv2, a server that does not name itself
 * (MsvAvNbComputerName, MsvAvNbDomainName) gets no signed or sealed session.
 * Judged on what we asked for, not on what the CHALLENGE granted: a man in
 * the middle could clear SIGN and SEAL to slip past.
 */
static ntlm_err check_server_names(const ntlm_ctx *ctx, const nw_av_list *server)
{
	if (!(ctx->hs->cl.requested & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)))
		return NTLM_OK;
	if (nw_av_get(server, NW_AV_NB_COMPUTER) && nw_av_get(server, NW_AV_NB_DOMAIN))
		return NTLM_OK;
	return NTLM_E_TARGET_INFO_INCOMPLETE;
}

/*
 * Pairs only a client speaks for (2.2.2.1): the target it means, the channel
 * it is on, its own machine. A CHALLENGE has no business carrying them; echoed
 * under our NTProofStr they would let a man in the middle choose them.
 */
static const uint16_t client_own_pairs[] = {NW_AV_TARGET_NAME, NW_AV_CHANNEL_BINDINGS,
                                            NW_AV_SINGLE_HOST};

static int client_own_pair(uint16_t id)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(client_own_pairs); i++)
		if (client_own_pairs[i] == id)
			return 1;
	return 0;
}

/*
 * The AV pairs the client returns, written straight into *out: the server's
 * (read in place) with our MsvAvFlags, then our channel bindings and target name.
 */
static ntlm_err client_av_pairs(ntlm_ctx *ctx, const nw_challenge *chal, uint64_t *timestamp,
                                int *want_mic, ntlm_buffer *out)
{
	static const uint8_t zero[16];
	const char *spn = ctx->hs->cl.target_spn ? ctx->hs->cl.target_spn : "";
	nw_av_list server = {NULL, 0, 0};
	uint64_t server_time = 0;
	uint32_t avflags = 0;
	uint8_t flags_value[4];
	nb_writer w;
	nb_writer_init(&w);
	*want_mic = 0;
	ntlm_err rc = nw_av_parse_view(chal->target_info, chal->target_info_len, &server);
	if (rc == NTLM_OK)
		rc = check_server_names(ctx, &server);
	if (rc == NTLM_OK && nw_av_get_u64(&server, NW_AV_TIMESTAMP, &server_time) == NTLM_OK) {
		/* The server's clock wins (3.1.5.2.1), and a MIC is then required. */
		*timestamp = server_time;
		*want_mic = 1;
	}
	int echoed = rc == NTLM_OK && nw_av_get_u32(&server, NW_AV_FLAGS, &avflags) == NTLM_OK;
	/* The MIC bit is the client's own claim: never echo a server's MIC bit
	 * when no MIC is sent (the server would then demand one and fail). */
	nb_store_u32le(flags_value, *want_mic ? avflags | NW_AVF_MIC : avflags & ~NW_AVF_MIC);
	nb_writer_reserve(&w, chal->target_info_len + 8 + 20 + 4 + 2 * strlen(spn) + 4);
	for (size_t i = 0; rc == NTLM_OK && i < server.n; i++) {
		const nw_av *av = &server.items[i];
		if (client_own_pair(av->id))
			continue; /* never the server's: ours follow */
		if (av->id == NW_AV_FLAGS)
			rc = nw_av_write(&w, NW_AV_FLAGS, flags_value, sizeof(flags_value));
		else
			rc = nw_av_write(&w, av->id, av->value, av->len);
	}
	if (rc == NTLM_OK && *want_mic && !echoed)
		rc = nw_av_write(&w, NW_AV_FLAGS, flags_value, sizeof(flags_value));
	/* Like Windows, always our own bindings (all zero without any) and target
	 * name (empty without an SPN), in Windows' order. */
	if (rc == NTLM_OK)
		rc = nw_av_write(&w, NW_AV_CHANNEL_BINDINGS, ctx->hs->cl.have_cbt ? ctx->hs->cl.cbt : zero,
		                 NTLM_CBT_HASH_SIZE);
	if (rc == NTLM_OK)
		rc = nw_av_write_string(&w, NW_AV_TARGET_NAME, spn);
	if (rc == NTLM_OK)
		rc = nw_av_write_eol(&w);
	nw_av_clear(&server);
	if (rc != NTLM_OK) {
		nb_writer_free(&w);
		return rc;
	}
	return nb_writer_finish(&w, out);
}

static ntlm_err compute_ntlmv2(ntlm_ctx *ctx, const nw_challenge *chal, struct auth_parts *p)
{
	uint8_t ntowfv2[NTLM_HASH_SIZE], proof[CR_MD5_SIZE];
	nw_v2_response v2;
	ntlm_buffer av = {NULL, 0};
	nb_writer w;
	memset(&v2, 0, sizeof(v2));
	v2.timestamp = ntlm_unix_to_filetime(ctx_now(ctx));
	nb_writer_init(&w);
	ntlm_err rc = ctx_random(ctx, v2.client_challenge, NTLM_CHALLENGE_SIZE);
	if (rc == NTLM_OK)
		rc = client_av_pairs(ctx, chal, &v2.timestamp, &p->want_mic, &av);
	if (rc == NTLM_OK)
		rc = nk_ntowfv2(ctx->hs->cl.nt_hash, ctx->hs->cl.user, ctx->hs->cl.domain, ntowfv2);
	v2.av_pairs = av.data;
	v2.av_len = av.len;
	/* NTProofStr || temp: the proof is computed over the temp, then patched in front */
	if (rc == NTLM_OK) {
		nb_writer_reserve(&w, NW_PROOF_SIZE + 32 + av.len);
		nb_write_zeros(&w, NW_PROOF_SIZE);
		rc = nw_v2_temp_write(&w, &v2); /* the writer's error is sticky */
	}
	if (rc == NTLM_OK) {
		nk_v2_proof_and_key(ntowfv2, chal->server_challenge, w.data + NW_PROOF_SIZE,
		                    w.len - NW_PROOF_SIZE, proof, p->session_base_key);
		memcpy(p->key_exchange_key, p->session_base_key, NTLM_SESSION_KEY_SIZE);
		/* With a TargetInfo the LmChallengeResponse is Z(24) (3.1.5.1.2): no
		 * LMv2 response, which is only an offline-crackable proof of the password. */
		p->lm_len = 24;
		if (chal->target_info_len)
			memset(p->lm, 0, 24);
		else
			nk_lmv2_response(ntowfv2, chal->server_challenge, v2.client_challenge, p->lm);
		rc = nb_patch_bytes(&w, 0, proof, NW_PROOF_SIZE);
	}
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, &p->nt);
	else
		nb_writer_free(&w);
	ntlm_memzero(ntowfv2, sizeof(ntowfv2));
	ntlm_memzero(proof, sizeof(proof));
	ntlm_buffer_free(&av);
	return rc;
}

static ntlm_err compute_ntlmv1(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t flags,
                               struct auth_parts *p)
{
	uint8_t nt[24];
	p->lm_len = 24;
	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
		uint8_t cc[NTLM_CHALLENGE_SIZE], ess[NTLM_CHALLENGE_SIZE];
		NTLM_TRY(ctx_random(ctx, cc, NTLM_CHALLENGE_SIZE));
		nk_ess_challenge(chal->server_challenge, cc, ess);
		nk_desl(ctx->hs->cl.nt_hash, ess, nt);
		memset(p->lm, 0, 24);
		memcpy(p->lm, cc, NTLM_CHALLENGE_SIZE);
	} else {
		nk_desl(ctx->hs->cl.nt_hash, chal->server_challenge, nt);
		if (ctx->hs->cl.have_lm && (ctx->hs->policy.allowed_responses & NTLM_RESP_LM))
			nk_desl(ctx->hs->cl.lm_hash, chal->server_challenge, p->lm);
		else
			memcpy(p->lm, nt, 24); /* no LM hash: repeat the NT response, as Windows does */
	}
	nk_v1_session_base_key(ctx->hs->cl.nt_hash, p->session_base_key);
	nk_kxkey_v1(flags, p->session_base_key, ctx->hs->cl.have_lm ? ctx->hs->cl.lm_hash : NULL, p->lm,
	            chal->server_challenge, p->key_exchange_key);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, nt, 24);
	ntlm_memzero(nt, sizeof(nt));
	return nb_writer_finish(&w, &p->nt);
}

/*
 * LM only (the policy allows LM and neither NTLM response): LmChallengeResponse
 * DESL(LMOWF, challenge) and an empty NtChallengeResponse, the form the
 * server classifies as LM (3.3.1). The keys are NTLMv1's.
 */
static ntlm_err compute_lm(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t flags,
                           struct auth_parts *p)
{
	struct ntlm_client_state *cl = &ctx->hs->cl;
	p->lm_len = 24;
	nk_desl(cl->lm_hash, chal->server_challenge, p->lm);
	nk_v1_session_base_key(cl->nt_hash, p->session_base_key);
	nk_kxkey_v1(flags, p->session_base_key, cl->lm_hash, p->lm, chal->server_challenge,
	            p->key_exchange_key);
	nb_writer w;
	nb_writer_init(&w);
	return nb_writer_finish(&w, &p->nt);
}

static ntlm_err compute_responses(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t flags,
                                  struct auth_parts *p)
{
	uint32_t allowed = ctx->hs->policy.allowed_responses;
	if (ctx->hs->cl.anonymous) {
		/* 3.1.5.1.2: LmChallengeResponse Z(1), empty NT response, zero key. */
		p->lm_len = 1;
		p->lm[0] = 0;
		nb_writer w;
		nb_writer_init(&w);
		return nb_writer_finish(&w, &p->nt);
	}
	if (allowed & NTLM_RESP_NTLMV2)
		return compute_ntlmv2(ctx, chal, p);
	if (allowed & NTLM_RESP_NTLMV1)
		return compute_ntlmv1(ctx, chal, flags, p);
	if ((allowed & NTLM_RESP_LM) && ctx->hs->cl.have_lm)
		return compute_lm(ctx, chal, flags, p);
	return NTLM_E_NO_LM_HASH; /* only LM allowed (a policy without responses is refused at creation) */
}

/* ExportedSessionKey and, with KEY_EXCH, its encryption under KXKEY (3.1.5.1.2). */
static ntlm_err derive_exported_key(ntlm_ctx *ctx, uint32_t flags, const struct auth_parts *p,
                                    uint8_t encrypted[NTLM_SESSION_KEY_SIZE], int *have_encrypted)
{
	*have_encrypted = 0;
	if (ctx->hs->cl.anonymous) {
		ctx_set_key(ctx, NULL);
		return NTLM_OK;
	}
	uint8_t exported[NTLM_SESSION_KEY_SIZE];
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		NTLM_TRY(ctx_random(ctx, exported, NTLM_SESSION_KEY_SIZE));
		nk_rc4_oneshot(p->key_exchange_key, NTLM_SESSION_KEY_SIZE, exported, encrypted,
		               NTLM_SESSION_KEY_SIZE);
		*have_encrypted = 1;
	} else {
		memcpy(exported, p->key_exchange_key, NTLM_SESSION_KEY_SIZE);
	}
	ctx_set_key(ctx, exported);
	ntlm_memzero(exported, sizeof(exported));
	return NTLM_OK;
}

static ntlm_err build_authenticate(ntlm_ctx *ctx, uint32_t flags, const struct auth_parts *p,
                                   const uint8_t *encrypted_key, ntlm_buffer *out)
{
	nw_authenticate m;
	memset(&m, 0, sizeof(m));
	m.flags = flags;
	m.lm_response = (uint8_t *)p->lm;
	m.lm_response_len = p->lm_len;
	m.nt_response = p->nt.data;
	m.nt_response_len = p->nt.len;
	m.domain = ctx->hs->cl.domain;
	m.user = ctx->hs->cl.user;
	m.workstation = ctx->hs->cl.workstation;
	m.encrypted_session_key = (uint8_t *)encrypted_key;
	m.encrypted_session_key_len = encrypted_key ? NTLM_SESSION_KEY_SIZE : 0;
	if (flags & NTLMSSP_NEGOTIATE_VERSION) {
		m.has_version = 1;
		m.version = our_version;
	}
	/* m borrows every pointer: nothing to clear */
	nb_writer w;
	nb_writer_init(&w);
	ntlm_err rc = nw_authenticate_write(&m, p->want_mic, &w);
	if (rc == NTLM_OK && p->want_mic) {
		uint8_t mic[NW_MIC_SIZE];
		nk_mic(ctx->exported_key, ctx->hs->negotiate_msg.data, ctx->hs->negotiate_msg.len,
		       ctx->hs->challenge_msg.data, ctx->hs->challenge_msg.len, w.data, w.len,
		       NW_AUTH_MIC_OFFSET, mic);
		rc = nb_patch_bytes(&w, NW_AUTH_MIC_OFFSET, mic, NW_MIC_SIZE);
		ntlm_memzero(mic, sizeof(mic));
	}
	if (rc != NTLM_OK) {
		nb_writer_free(&w);
		return rc;
	}
	return nb_writer_finish(&w, out);
}

/* ------------------------------------------------ winbindd's credential cache */

/* The CHALLENGE answered by winbindd from its credential cache (wb_ccache.h). */
static ntlm_err handle_challenge_winbind(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t chosen,
                                         ntlm_buffer *out)
{
	const struct ntlm_client_state *cl = &ctx->hs->cl;
	uint8_t key[NTLM_SESSION_KEY_SIZE];
	ntlm_buffer msg = {NULL, 0};
	nw_authenticate a;
	memset(&a, 0, sizeof(a));
	nw_av_list server = {NULL, 0, 0};
	ntlm_err rc = nw_av_parse_view(chal->target_info, chal->target_info_len, &server);
	if (rc == NTLM_OK)
		rc = check_server_names(ctx, &server);
	nw_av_clear(&server);
	if (rc == NTLM_OK)
		rc = wb_ccache_answer(cl->domain, cl->user, ctx->hs->negotiate_msg.data,
		                      ctx->hs->negotiate_msg.len, ctx->hs->challenge_msg.data,
		                      ctx->hs->challenge_msg.len, &msg, key);
	if (rc == NTLM_OK)
		rc = client_wb_check(ctx, chal, chosen, msg.data, msg.len, key, &a);
	if (rc == NTLM_OK) {
		const struct ctx_results r = {a.user, a.domain,          a.workstation, a.domain, a.user,
		                              NULL,   chal->target_name, NULL,          NULL};
		rc = ctx_set_results(ctx, &r);
	}
	if (rc == NTLM_OK) {
		ctx_set_key(ctx, key);
		ctx->flags = a.flags;
		*out = msg;
		msg.data = NULL;
	}
	nw_authenticate_clear(&a);
	ntlm_buffer_free(&msg);
	ntlm_memzero(key, sizeof(key));
	return rc;
}

/* ---------------------------------------------------------------------------- */

static ntlm_err handle_challenge(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	nw_challenge chal;
	struct auth_parts parts;
	uint8_t encrypted[NTLM_SESSION_KEY_SIZE];
	int have_encrypted = 0;
	uint32_t flags = 0;
	memset(&parts, 0, sizeof(parts));
	ntlm_err rc = nw_challenge_decode(in, in_len, &chal);
	if (rc != NTLM_OK)
		return nw_wrong_type_as_state(rc, in, in_len);
	rc = ctx_copy_bytes(in, in_len, &ctx->hs->challenge_msg);
	if (rc == NTLM_OK)
		rc = choose_flags(ctx, chal.flags, &flags);
	if (rc == NTLM_OK && ctx->hs->cl.winbind_cache) {
		rc = handle_challenge_winbind(ctx, &chal, flags, out);
		nw_challenge_clear(&chal);
		if (rc != NTLM_OK)
			return rc;
		ctx_finish(ctx);
		return NTLM_OK;
	}
	if (rc == NTLM_OK)
		rc = compute_responses(ctx, &chal, flags, &parts);
	if (rc == NTLM_OK)
		rc = derive_exported_key(ctx, flags, &parts, encrypted, &have_encrypted);
	if (rc == NTLM_OK)
		rc = build_authenticate(ctx, flags, &parts, have_encrypted ? encrypted : NULL, out);
	/* what we sent, named as the server will name it */
	ctx->kind = nv_classify(parts.lm, parts.lm_len, parts.nt.len, ctx->hs->cl.user, flags);
	ctx->mic_verified = parts.want_mic; /* the client sent one; nothing to verify here */
	if (rc == NTLM_OK) {
		const struct ntlm_client_state *cl = &ctx->hs->cl;
		const struct ctx_results r = {cl->user,         cl->domain, cl->workstation,
		                              cl->domain,       cl->user,   NULL,
		                              chal.target_name, NULL,       NULL};
		rc = ctx_set_results(ctx, &r);
	}
	auth_parts_wipe(&parts);
	ntlm_memzero(encrypted, sizeof(encrypted));
	nw_challenge_clear(&chal);
	if (rc != NTLM_OK)
		return rc;
	ctx->flags = flags;
	ctx->anonymous = ctx->hs->cl.anonymous;
	ctx_finish(ctx);
	return NTLM_OK;
}

ntlm_err client_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	switch (ctx->state) {
	case CTX_INITIAL:
		if (ctx->datagram) {
			if (!in)
				return NTLM_E_INVALID_PARAMETER; /* connectionless: starts with CHALLENGE */
			return handle_challenge(ctx, in, in_len, out);
		}
		if (in)
			return NTLM_E_WRONG_STATE;
		return send_negotiate(ctx, out);
	case CTX_NEGOTIATE_SENT:
		if (!in)
			return NTLM_E_INVALID_PARAMETER;
		return handle_challenge(ctx, in, in_len, out);
	default:
		return NTLM_E_WRONG_STATE;
	}
}
