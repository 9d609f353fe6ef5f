/*
 * test_client.c - what the client refuses in, and sends back for, a
 * CHALLENGE built byte by byte ([MS-NLMP] 3.1.5.1.2): a TargetInfo without
 * the server's NetBIOS names when signing or sealing is wanted, a datagram
 * CHALLENGE that dropped NTLMSSP_NEGOTIATE_DATAGRAM, the LmChallengeResponse
 * next to an NTLMv2 response, and the AV pairs it echoes.
 */
#include "ntlm_keys.h"
#include "ntlmssp/ntlmssp.h"
#include "challenge.h"
#include "t.h"
#include "filetime.h"
#include "mem.h"
#include "wire.h"

/* The flags a Windows server grants our default NEGOTIATE (ESS, 128, KEY_EXCH, SIGN, SEAL, TARGET_INFO). */
#define GRANTED 0xe28a8235u
#define NO_SIGN_SEAL                                                                               \
	(NTLM_CLIENT_DEFAULT_FLAGS & ~(NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL))

struct run {
	ntlm_err rc;          /* the client's answer to the CHALLENGE */
	ntlm_err again;       /* the same CHALLENGE once more */
	nw_authenticate auth; /* decoded when rc == NTLM_OK */
	int decoded;
};

/* A client (requested flags, datagram or not, NTLMv2 or v1 policy) fed one CHALLENGE. */
static void client_run(struct run *r, uint32_t requested, int datagram, uint32_t allowed,
                       uint32_t chal_flags, int pairs)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, again = {0};
	ntlm_policy pol;
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	memset(r, 0, sizeof(*r));
	r->rc = r->again = NTLM_E_INTERNAL;
	ntlm_policy_init(&pol);
	pol.allowed_responses = allowed;
	cfg.policy = &pol;
	cfg.flags = requested;
	cfg.datagram = datagram;
	cfg.workstation = "CLIENTPC";
	if (ntlm_cred_password(&cred, "WORKGROUP", "alice", "Secret-1") ||
	    ntlm_client_new(&ctx, cred, &cfg) || t_challenge(chal_flags, pairs, &chal))
		goto out;
	if (!datagram && ntlm_step(ctx, NULL, 0, &neg) != NTLM_CONTINUE)
		goto out;
	r->rc = ntlm_step(ctx, chal.data, chal.len, &auth);
	r->again = ntlm_step(ctx, chal.data, chal.len, &again);
	if (r->rc == NTLM_OK)
		r->decoded = nw_authenticate_decode(auth.data, auth.len, &r->auth) == NTLM_OK;
out:
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&again);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
}

static void run_clear(struct run *r)
{
	if (r->decoded)
		nw_authenticate_clear(&r->auth);
	r->decoded = 0;
}

/* A CHALLENGE with neither Unicode nor OEM: no character set in common, no policy refusal. */
static void test_no_common_charset(void)
{
	struct run r;
	client_run(&r, 0, 0, NTLM_RESP_NTLMV2,
	           GRANTED & ~(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM), NAMES);
	T_EXPECT_ERR(r.rc, NTLM_E_NO_COMMON_CHARSET); /* was NTLM_E_FLAGS_POLICY ("min_security") */
	run_clear(&r);
}

/* Item 2: with NTLMv2 and signing or sealing wanted, both NetBIOS names or nothing. */
static void test_names_required_with_sign_or_seal(void)
{
	static const int missing[] = {NB_DOMAIN, NB_COMPUTER, DNS_COMPUTER | TIMESTAMP, 0,
	                              NO_TARGET_INFO};
	struct run r;
	for (size_t i = 0; i < NTLM_ARRAY_LEN(missing); i++) {
		client_run(&r, 0, 0, NTLM_RESP_NTLMV2, GRANTED, missing[i]);
		T_EXPECT_ERR(r.rc, NTLM_E_TARGET_INFO_INCOMPLETE);
		T_EXPECT_ERR(r.again, NTLM_E_FAILED_CONTEXT); /* sticky */
		run_clear(&r);
	}
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_TARGET_INFO_INCOMPLETE) == 0xC000006Du); /* LOGON_FAILURE */
	/* Judged on what the client asked for: a CHALLENGE that clears SIGN and SEAL
	 * (as a man in the middle would) does not slip past. */
	client_run(&r, 0, 0, NTLM_RESP_NTLMV2,
	           GRANTED & ~(NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL), NB_DOMAIN);
	T_EXPECT_ERR(r.rc, NTLM_E_TARGET_INFO_INCOMPLETE);
	run_clear(&r);
	client_run(&r, NTLMSSP_NEGOTIATE_SIGN | NO_SIGN_SEAL, 0, NTLM_RESP_NTLMV2, GRANTED,
	           NB_COMPUTER);
	T_EXPECT_ERR(r.rc, NTLM_E_TARGET_INFO_INCOMPLETE); /* signing alone is enough */
	run_clear(&r);
	/* Controls: both names, or no signing and sealing wanted, or NTLMv1: accepted. */
	client_run(&r, 0, 0, NTLM_RESP_NTLMV2, GRANTED, NAMES);
	T_OK(r.rc);
	T_ASSERT(r.decoded && r.auth.nt_response_len > 24);
	run_clear(&r);
	client_run(&r, NO_SIGN_SEAL, 0, NTLM_RESP_NTLMV2, GRANTED, DNS_COMPUTER);
	T_OK(r.rc);
	run_clear(&r);
	client_run(&r, 0, 0, NTLM_RESP_NTLMV1, GRANTED, 0);
	T_OK(r.rc);
	T_ASSERT(r.decoded && r.auth.nt_response_len == 24);
	run_clear(&r);
}

/* Item 3: NTLMv2 with a TargetInfo sends Z(24), never an LMv2 response. */
static void test_lm_response_zero_with_target_info(void)
{
	static const uint8_t zero[24];
	static const int with_info[] = {NAMES, NAMES | TIMESTAMP, NAMES | DNS_COMPUTER};
	struct run r;
	for (size_t i = 0; i < NTLM_ARRAY_LEN(with_info); i++) {
		client_run(&r, 0, 0, NTLM_RESP_NTLMV2, GRANTED, with_info[i]);
		T_OK(r.rc);
		T_ASSERT(r.decoded && r.auth.lm_response_len == 24);
		T_BYTES(r.auth.lm_response, zero, 24);
		run_clear(&r);
	}
	/* Without a TargetInfo (and without signing or sealing, item 2) the LMv2
	 * response is still sent, and it is the right one. */
	client_run(&r, NO_SIGN_SEAL, 0, NTLM_RESP_NTLMV2, GRANTED, NO_TARGET_INFO);
	T_OK(r.rc);
	T_ASSERT(r.decoded && r.auth.lm_response_len == 24);
	nw_v2_response v2;
	uint8_t nt[16], owf[16], want[24];
	T_OK(nw_v2_response_parse(r.auth.nt_response, r.auth.nt_response_len, &v2));
	T_OK(ntlm_nt_hash("Secret-1", nt));
	T_OK(nk_ntowfv2(nt, "alice", "WORKGROUP", owf));
	nk_lmv2_response(owf, t_server_challenge, v2.client_challenge, want);
	T_BYTES(r.auth.lm_response, want, 24);
	run_clear(&r);
}

/* Item 4: a datagram client refuses a CHALLENGE without NTLMSSP_NEGOTIATE_DATAGRAM. */
static void test_datagram_flag_dropped(void)
{
	struct run r;
	client_run(&r, 0, 1, NTLM_RESP_NTLMV2, GRANTED, NAMES | TIMESTAMP);
	T_EXPECT_ERR(r.rc, NTLM_E_DATAGRAM_MISMATCH);
	T_EXPECT_ERR(r.again, NTLM_E_FAILED_CONTEXT);
	run_clear(&r);
	client_run(&r, 0, 1, NTLM_RESP_NTLMV2, GRANTED | NTLMSSP_NEGOTIATE_DATAGRAM, NAMES | TIMESTAMP);
	T_OK(r.rc);
	T_ASSERT(r.decoded && (r.auth.flags & NTLMSSP_NEGOTIATE_DATAGRAM));
	run_clear(&r);
	/* A connection-oriented client never takes DATAGRAM from a CHALLENGE. */
	client_run(&r, 0, 0, NTLM_RESP_NTLMV2, GRANTED | NTLMSSP_NEGOTIATE_DATAGRAM, NAMES | TIMESTAMP);
	T_OK(r.rc);
	T_ASSERT(r.decoded && !(r.auth.flags & NTLMSSP_NEGOTIATE_DATAGRAM));
	run_clear(&r);
}

/* Item 1 in isolation: the echoed list is the server's own pairs, then ours. */
static void test_echoed_pairs(void)
{
	static const uint8_t zero[16];
	struct run r;
	client_run(&r, 0, 0, NTLM_RESP_NTLMV2, GRANTED, NAMES | DNS_COMPUTER);
	T_OK(r.rc);
	nw_v2_response v2;
	nw_av_list av = {NULL, 0, 0};
	T_OK(nw_v2_response_parse(r.auth.nt_response, r.auth.nt_response_len, &v2));
	T_OK(nw_av_parse(v2.av_pairs, v2.av_len, &av));
	run_clear(&r);
	static const uint16_t want[] = {NW_AV_NB_DOMAIN, NW_AV_NB_COMPUTER, NW_AV_DNS_COMPUTER,
	                                NW_AV_CHANNEL_BINDINGS, NW_AV_TARGET_NAME};
	int ok = av.n == NTLM_ARRAY_LEN(want);
	for (size_t i = 0; ok && i < av.n; i++)
		ok = av.items[i].id == want[i];
	const nw_av *cb = nw_av_get(&av, NW_AV_CHANNEL_BINDINGS);
	const nw_av *tn = nw_av_get(&av, NW_AV_TARGET_NAME);
	int zero_cb = cb && cb->len == 16 && memcmp(cb->value, zero, 16) == 0;
	int empty_tn = tn && tn->len == 0;
	nw_av_clear(&av);
	T_ASSERT(ok);
	T_ASSERT(zero_cb);
	T_ASSERT(empty_tn);
}

int main(void)
{
	T_RUN(test_names_required_with_sign_or_seal);
	T_RUN(test_no_common_charset);
	T_RUN(test_lm_response_zero_with_target_info);
	T_RUN(test_datagram_flag_dropped);
	T_RUN(test_echoed_pairs);
	T_END();
}
