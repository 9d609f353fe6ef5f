/* Target functions: nw_v2_response_parse, nw_av_parse, ntlm_account_store_verify (smbpasswd store: NTLMv2, NTLMv1, LM verification) */
/*
 * An NTLMv2 NtChallengeResponse from the network: the layout parser, its AV
 * pairs, and the verification the embedded smbpasswd store runs over it
 * (with the file in memory). The views the parser returns must lie inside
 * the response; the store must answer without reading outside it.
 * Input: byte 0 picks the flags / allowed kinds, the rest is the response.
 */
#include "fuzz_common.h"
#include "smbpasswd.h"

static ntlm_account_store *store;

static void store_init(void)
{
	smbpw_entry e;
	char line[SMBPW_LINE_MAX], path[64];
	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", FZ_LM_USER);
	e.uid = 1000;
	FZ_CHECK(nk_ntowfv1(FZ_LM_PASSWORD, e.nt) == NTLM_OK);
	FZ_CHECK(nk_lmowfv1(FZ_LM_PASSWORD, e.lm) == NTLM_OK);
	e.has_nt = e.has_lm = 1;
	e.acb = SMBPW_ACB_NORMAL;
	FZ_CHECK(smbpw_format_line(&e, line, sizeof(line)) == NTLM_OK);
	int fd = fz_memfile(line, strlen(line), path); /* kept open: the store re-reads it */
	(void)fd;
	FZ_CHECK(ntlm_account_store_smbpasswd(&store, path) == NTLM_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!store)
		store_init(); /* stateless: shared by all inputs */
	uint8_t sel = data[0];
	uint8_t *in = fz_dup(data + 1, size - 1);
	size--;
	nw_v2_response r;
	if (nw_v2_response_parse(in, size, &r) == NTLM_OK) {
		FZ_CHECK(size >= 48);
		FZ_CHECK(r.proof == in && r.temp == in + 16 && r.temp_len == size - 16);
		FZ_CHECK(r.av_pairs == in + 44 && r.av_len == size - 44);
		FZ_CHECK(memcmp(r.client_challenge, in + 32, 8) == 0);
		nw_av_list av;
		if (nw_av_parse(r.av_pairs, r.av_len, &av) == NTLM_OK)
			nw_av_clear(&av);
	}

	static const uint8_t challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	ntlm_auth_request req;
	ntlm_auth_result res;
	memset(&req, 0, sizeof(req));
	req.user = FZ_LM_USER;
	req.domain = (sel & 1) ? FZ_DOMAIN : "";
	req.workstation = "";
	req.server_challenge = challenge;
	if (sel & 2) {
		/* as an LM-only answer: no NT response, the input is the LM response */
		req.lm_response = in;
		req.lm_response_len = size;
	} else {
		req.nt_response = in;
		req.nt_response_len = size;
		req.lm_response = size >= 24 ? in : NULL;
		req.lm_response_len = size >= 24 ? 24 : 0;
	}
	req.flags = (sel & 4) ? NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY : 0;
	req.allowed_responses = (sel & 8) ? (NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1 | NTLM_RESP_LM)
	                                  : NTLM_RESP_NTLMV2;
	req.server_name = "FUZZSRV";
	req.server_domain = FZ_DOMAIN;
	ntlm_err rc = ntlm_account_store_verify(store, &req, &res);
	if (rc != NTLM_OK)
		FZ_CHECK(ntlm_ct_is_zero(&res, sizeof(res))); /* a refusal hands back nothing */
	else if (!(sel & 8))
		FZ_CHECK(res.kind == NTLM_KIND_NTLMV2); /* policy: nothing weaker got through */
	ntlm_memzero(&res, sizeof(res));
	free(in);
	return 0;
}
