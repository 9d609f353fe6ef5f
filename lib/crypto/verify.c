/*
 * verify.c - the response classifier and verifier (see verify.h): one
 * classification, one policy check and one ESS rule for the server, every
 * account store and the tools, and the check of a response against an
 * account's hashes that the stores share (ntlm_verify_response).
 */
#include "verify.h"

#include <string.h>

#include "ntlm_keys.h"
#include "mem.h"
#include "text.h"
#include "try.h"

ntlm_response_kind nv_classify(const uint8_t *lm, size_t lm_len, size_t nt_len, const char *user,
                               uint32_t flags)
{
	int no_user = !user || !*user;
	if (nt_len == 0 && no_user && (lm_len == 0 || (lm_len == 1 && lm && lm[0] == 0)))
		return NTLM_KIND_ANONYMOUS;
	if (nt_len > 24)
		return NTLM_KIND_NTLMV2;
	if (nt_len == 24 && !(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return NTLM_KIND_NTLMV1;
	if (nt_len == 24)
		return lm_len >= 8 ? NTLM_KIND_NTLMV1_ESS : NTLM_KIND_NONE;
	if (nt_len == 0 && lm_len == 24)
		return NTLM_KIND_LM;
	return NTLM_KIND_NONE;
}

ntlm_response_kind nv_classify_request(const ntlm_auth_request *req)
{
	ntlm_response_kind kind = nv_classify(req->lm_response, req->lm_response_len,
	                                      req->nt_response_len, req->user, req->flags);
	/* the caller vouches that this NTLMv1-form answer is MS-CHAP's (see NTLM_RESP_MSCHAP) */
	if (kind == NTLM_KIND_NTLMV1 && req->nt_response_len == 24 &&
	    (req->allowed_responses & NTLM_RESP_MSCHAP))
		return NTLM_KIND_MSCHAP;
	return kind;
}

ntlm_err nv_refusal(ntlm_response_kind kind)
{
	switch (kind) {
	case NTLM_KIND_ANONYMOUS:
		return NTLM_E_ANONYMOUS_REFUSED;
	case NTLM_KIND_NTLMV2:
		return NTLM_E_NTLMV2_REFUSED;
	case NTLM_KIND_NTLMV1:
	case NTLM_KIND_NTLMV1_ESS:
	case NTLM_KIND_MSCHAP:
		return NTLM_E_NTLMV1_REFUSED;
	case NTLM_KIND_LM:
		return NTLM_E_LM_REFUSED;
	default:
		return NTLM_E_BAD_RESPONSE;
	}
}

ntlm_err nv_kind_allowed(ntlm_response_kind kind, uint32_t allowed_responses, int allow_anonymous)
{
	int ok;
	switch (kind) {
	case NTLM_KIND_ANONYMOUS:
		ok = allow_anonymous;
		break;
	case NTLM_KIND_NTLMV2:
		ok = (allowed_responses & NTLM_RESP_NTLMV2) != 0;
		break;
	case NTLM_KIND_NTLMV1:
	case NTLM_KIND_NTLMV1_ESS:
		ok = (allowed_responses & NTLM_RESP_NTLMV1) != 0;
		break;
	case NTLM_KIND_LM:
		ok = (allowed_responses & NTLM_RESP_LM) != 0;
		break;
	case NTLM_KIND_MSCHAP:
		ok = (allowed_responses & NTLM_RESP_MSCHAP) != 0;
		break;
	default:
		return NTLM_E_BAD_RESPONSE;
	}
	return ok ? NTLM_OK : nv_refusal(kind);
}

ntlm_response_kind nv_verified_kind(ntlm_response_kind classified, ntlm_response_kind store_says)
{
	if (classified == NTLM_KIND_NTLMV1 && store_says == NTLM_KIND_LM)
		return NTLM_KIND_LM;
	return classified;
}

void nv_v1_challenge(ntlm_response_kind kind, const uint8_t server_challenge[8],
                     const uint8_t *lm_response, uint8_t out[8])
{
	if (kind == NTLM_KIND_NTLMV1_ESS)
		nk_ess_challenge(server_challenge, lm_response, out);
	else
		memcpy(out, server_challenge, 8);
}

/* --------------------------------------------- response verification */

/*
 * NTLMv2: the client keyed its proof with the domain as it typed it; try that,
 * then upper-case, then no domain (clients differ, Samba tries the same).
 */
static ntlm_err verify_ntlmv2(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                              ntlm_auth_result *res)
{
	const char *domain = req->domain ? req->domain : "";
	/* as typed, upper-cased, none: each distinct spelling once, so a wrong
	   password costs no repeated NTOWFv2 */
	const struct {
		const char *domain;
		int upper, tried;
	} spelling[3] = {
		{domain, 0, 1}, {domain, 1, ntlm_utf8_upper_differs(domain)}, {"", 0, *domain != '\0'}};
	ntlm_err rc = NTLM_E_LOGON_FAILURE;
	for (size_t i = 0; i < 3 && rc != NTLM_OK; i++) {
		uint8_t key[16], proof[16], sbk[16];
		if (!spelling[i].tried || nk_ntowfv2_spelled(nt_hash, req->user, spelling[i].domain,
		                                             spelling[i].upper, key) != NTLM_OK)
			continue;
		nk_v2_proof_and_key(key, req->server_challenge, req->nt_response + 16,
		                    req->nt_response_len - 16, proof, sbk);
		if (ntlm_ct_equal(proof, req->nt_response, 16)) {
			memcpy(res->session_base_key, sbk, 16);
			rc = NTLM_OK;
		}
		ntlm_memzero(key, sizeof(key));
		ntlm_memzero(proof, sizeof(proof));
		ntlm_memzero(sbk, sizeof(sbk));
	}
	return rc;
}

static ntlm_err verify_ntlmv1(const ntlm_auth_request *req, ntlm_response_kind kind,
                              const uint8_t nt_hash[16], ntlm_auth_result *res)
{
	uint8_t want[24], chal[8];
	nv_v1_challenge(kind, req->server_challenge, req->lm_response, chal);
	nk_desl(nt_hash, chal, want);
	int ok = ntlm_ct_equal(want, req->nt_response, 24);
	ntlm_memzero(want, sizeof(want));
	if (!ok)
		return NTLM_E_LOGON_FAILURE;
	nk_v1_session_base_key(nt_hash, res->session_base_key);
	return NTLM_OK;
}

static ntlm_err verify_lm(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                          const uint8_t *lm_hash, ntlm_auth_result *res)
{
	uint8_t want[24];
	if (!lm_hash)
		return NTLM_E_LOGON_FAILURE;
	nk_desl(lm_hash, req->server_challenge, want);
	int ok = ntlm_ct_equal(want, req->lm_response, 24);
	ntlm_memzero(want, sizeof(want));
	if (!ok)
		return NTLM_E_LOGON_FAILURE;
	/* The spec's NTLMv1 SessionBaseKey is MD4(NTOWF) even for LM logons. */
	nk_v1_session_base_key(nt_hash, res->session_base_key);
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_verify_response(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                                       const uint8_t *lm_hash, ntlm_auth_result *res)
{
	if (!req || !nt_hash || !res || !req->user || !req->server_challenge ||
	    (!req->nt_response && req->nt_response_len) || (!req->lm_response && req->lm_response_len))
		return NTLM_E_INVALID_PARAMETER;
	ntlm_response_kind kind = nv_classify_request(req);
	if (kind == NTLM_KIND_ANONYMOUS)
		return NTLM_E_BAD_RESPONSE; /* nothing to verify: the server decides on anonymous */
	ntlm_err rc = nv_kind_allowed(kind, req->allowed_responses, 0);
	if (rc == NTLM_OK && kind == NTLM_KIND_NTLMV2)
		rc = verify_ntlmv2(req, nt_hash, res);
	else if (rc == NTLM_OK && kind == NTLM_KIND_LM)
		rc = verify_lm(req, nt_hash, lm_hash, res);
	else if (rc == NTLM_OK)
		rc = verify_ntlmv1(req, kind, nt_hash, res);
	if (rc != NTLM_OK)
		return rc;
	res->kind = kind;
	if (lm_hash) {
		memcpy(res->lm_session_key, lm_hash, 8);
		res->have_lm_session_key = 1;
	}
	return NTLM_OK;
}

ntlm_err nv_verify_nobody(const ntlm_auth_request *req, ntlm_err why)
{
	/* whatever this "verifies" is thrown away: nobody's hash is not a password */
	static const uint8_t nobody[16];
	ntlm_auth_result scratch;
	memset(&scratch, 0, sizeof(scratch));
	NTLM_IGNORE_RESULT(ntlm_verify_response(req, nobody, NULL, &scratch));
	ntlm_memzero(&scratch, sizeof(scratch));
	return why;
}
