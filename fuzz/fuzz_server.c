/* Target functions: ntlm_server_new, ntlm_step (server: NEGOTIATE -> CHALLENGE, AUTHENTICATE), ntlm_audit_json, ntlm_ctx_* queries, ntlm_wrap (both sequence modes), replay cache */
/*
 * The acceptor state machine fed what a network client can send: an
 * arbitrary NEGOTIATE, then (after the server's real CHALLENGE) an
 * arbitrary AUTHENTICATE, under the policy chosen by the first byte (see
 * fz_policy). Time and randomness are fixed, so the seeds (real clients'
 * messages for the same challenge, from gen_corpus) authenticate, and the
 * fuzzer starts from inside the success path.
 *
 * Input: sel(1) | len(2, LE) NEGOTIATE | AUTHENTICATE (the rest).
 * In datagram mode (sel bit 6) there is no NEGOTIATE: its bytes are ignored.
 *
 * Invariants: a failed step leaves a failed context; an established one
 * answers its queries; the audit record is JSON; a replayed NTLMv2
 * AUTHENTICATE is refused by a second server sharing the replay cache;
 * nothing the policy forbids is accepted: only NTLMv2 when bindings or
 * target names are required, a target name sent names one of our services,
 * no key shorter than 128 bits under min_security 128bit.
 */
#include "fuzz_common.h"
#include "policy.h"

static ntlm_account_store *store;

static void audit_cb(void *arg, const ntlm_audit_event *ev)
{
	int *calls = arg;
	(*calls)++;
	ntlm_buffer json = {NULL, 0};
	FZ_CHECK(ntlm_audit_json(ev, &json) == NTLM_OK);
	FZ_CHECK(json.len >= 2 && json.data[0] == '{' && json.data[json.len - 1] == '}');
	for (size_t i = 0; i < json.len; i++)
		FZ_CHECK(json.data[i] >= 0x20); /* one line, control characters escaped */
	ntlm_buffer_free(&json);
}

/* Runs one server over the two messages; returns the result of the AUTHENTICATE step. */
static ntlm_err run_server(uint8_t sel, ntlm_replay_cache *replay, const uint8_t *neg,
                           size_t neg_len, const uint8_t *auth, size_t auth_len, int check,
                           ntlm_response_kind *kind)
{
	ntlm_policy policy;
	ntlm_hooks hooks = {NTLM_HOOKS_INIT};
	fz_rng rng;
	ntlm_ctx *ctx = NULL;
	int audits = 0;
	FZ_CHECK(fz_server_new(sel, store, replay, &policy, &hooks, &rng, audit_cb, &audits, &ctx) ==
	         NTLM_OK);

	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = (sel & FZ_SEL_DATAGRAM) ? ntlm_step(ctx, NULL, 0, &out)
	                                      : ntlm_step(ctx, neg, neg_len, &out);
	*kind = NTLM_KIND_NONE;
	if (rc != NTLM_CONTINUE) {
		FZ_CHECK(rc != NTLM_OK);
		FZ_CHECK(out.data == NULL && out.len == 0);
		FZ_CHECK(ntlm_step(ctx, neg, neg_len, &out) == NTLM_E_FAILED_CONTEXT);
		ntlm_ctx_free(ctx);
		return rc;
	}
	/* our own CHALLENGE always decodes */
	nw_challenge chal;
	FZ_CHECK(nw_challenge_decode(out.data, out.len, &chal) == NTLM_OK);
	nw_challenge_clear(&chal);
	ntlm_buffer_free(&out);

	rc = ntlm_step(ctx, auth, auth_len, &out);
	FZ_CHECK(rc != NTLM_CONTINUE);
	FZ_CHECK(out.len == 0); /* the server has nothing more to say */
	ntlm_buffer_free(&out);
	if (rc == NTLM_OK) {
		FZ_CHECK(audits == 1);
		FZ_CHECK(ntlm_ctx_established(ctx));
		*kind = ntlm_ctx_response_kind(ctx);
		if (check) {
			ntlm_policy p;
			fz_policy(sel, &p);
			switch (*kind) {
			case NTLM_KIND_NTLMV2:
				FZ_CHECK(p.allowed_responses & NTLM_RESP_NTLMV2);
				break;
			case NTLM_KIND_NTLMV1:
			case NTLM_KIND_NTLMV1_ESS:
				FZ_CHECK(p.allowed_responses & NTLM_RESP_NTLMV1);
				break;
			case NTLM_KIND_LM:
				FZ_CHECK(p.allowed_responses & NTLM_RESP_LM);
				break;
			case NTLM_KIND_ANONYMOUS:
				FZ_CHECK(p.allow_anonymous && ntlm_ctx_is_anonymous(ctx));
				break;
			default:
				FZ_CHECK(!"established with no response kind");
			}
			if (p.require_mic && *kind != NTLM_KIND_ANONYMOUS)
				FZ_CHECK(ntlm_ctx_mic_verified(ctx));
			if (p.require_target_name || p.cbt == NTLM_CBT_REQUIRED)
				FZ_CHECK(*kind == NTLM_KIND_NTLMV2);
			/* service names are configured: any target name sent must be one */
			const char *target = ntlm_ctx_target_name(ctx);
			if (p.require_target_name || *target)
				FZ_CHECK(ntlm_strcasecmp_utf8(target, fz_services[0]) == 0 ||
				         ntlm_strcasecmp_utf8(target, fz_services[1]) == 0);
			if (p.min_security & NTLM_SEC_128BIT)
				FZ_CHECK(!policy_short_key(ntlm_ctx_flags(ctx)));
		}
		(void)ntlm_ctx_flags(ctx);
		(void)ntlm_ctx_peer_user(ctx);
		(void)ntlm_ctx_peer_domain(ctx);
		(void)ntlm_ctx_peer_workstation(ctx);
		FZ_CHECK(ntlm_ctx_principal(ctx)[0] != '\0');
		(void)ntlm_ctx_unix_user(ctx);
		uint8_t key[16];
		/* an anonymous logon has no key: either answer is fine */
		NTLM_IGNORE_RESULT(ntlm_ctx_session_key(ctx, key));
		ntlm_buffer w = {NULL, 0};
		unsigned seq_mode = (sel & FZ_SEL_DATAGRAM) ? NTLM_PROTECT_EXPLICIT_SEQ : 0u;
		if (ntlm_wrap(ctx, NTLM_PROTECT_SEAL | seq_mode, 0, (const uint8_t *)"reply", 5, &w) ==
		    NTLM_OK)
			FZ_CHECK(w.len == 5 + NTLM_SIGNATURE_SIZE);
		ntlm_buffer_free(&w);
	} else {
		FZ_CHECK(!ntlm_ctx_established(ctx));
		FZ_CHECK(audits <= 1);
		uint8_t key[16];
		FZ_CHECK(ntlm_ctx_session_key(ctx, key) != NTLM_OK);
		FZ_CHECK(ntlm_step(ctx, auth, auth_len, &out) == NTLM_E_FAILED_CONTEXT);
	}
	ntlm_ctx_free(ctx);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!store)
		store = fz_store_new(); /* stateless */
	uint8_t sel = data[0];
	data++;
	size--;
	const uint8_t *negp;
	size_t neg_len = fz_take(&data, &size, &negp);
	uint8_t *neg = fz_dup(negp, neg_len);
	uint8_t *auth = fz_dup(data, size);

	ntlm_replay_cache *replay = NULL;
	FZ_CHECK(ntlm_replay_cache_new(&replay, 16) == NTLM_OK);
	ntlm_response_kind kind;
	ntlm_err rc = run_server(sel, replay, neg, neg_len, auth, size, 1, &kind);
	if (rc == NTLM_OK && kind == NTLM_KIND_NTLMV2) {
		/* The same messages to a second server (same challenge): a replay. */
		ntlm_response_kind kind2;
		FZ_CHECK(run_server(sel, replay, neg, neg_len, auth, size, 0, &kind2) == NTLM_E_REPLAY);
	}
	ntlm_replay_cache_free(replay);
	free(neg);
	free(auth);
	return 0;
}
