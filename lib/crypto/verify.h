/*
 * verify.h - the response classifier and verifier. What kind of response an
 * AUTHENTICATE carries, whether a policy lets that kind count, which
 * challenge an NTLMv1 response answers, and the check of a response against
 * an account's hashes are each decided here once: the server, every account
 * store and `ntlm decode` ask the same functions, so a kind means the same
 * wherever it is named.
 */
#ifndef NTLM_VERIFY_H
#define NTLM_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/*
 * The kind of the responses, from their shape and the negotiated flags
 * ([MS-NLMP] 3.3): anonymous (no user, no NT response, LM empty or Z(1)),
 * NTLMv2 (NT response longer than 24 bytes), NTLMv1 (24 bytes), LM (only a
 * 24-byte LM response). The one ESS rule: a 24-byte NT response under
 * NEGOTIATE_EXTENDED_SESSIONSECURITY is NTLMv1-ESS and answers the challenge
 * mixed with the client challenge the LM field carries; without that client
 * challenge (LM response shorter than 8 bytes) it is malformed
 * (NTLM_KIND_NONE), never plain NTLMv1 under ESS keys. user may be NULL
 * (then "").
 */
ntlm_response_kind nv_classify(const uint8_t *lm, size_t lm_len, size_t nt_len, const char *user,
                               uint32_t flags);

/* nv_classify() over a store's request. */
ntlm_response_kind nv_classify_request(const ntlm_auth_request *req);

/*
 * NTLM_OK when allowed_responses (NTLM_RESP_*) and allow_anonymous let kind
 * count, else the refusal naming it (nv_refusal); NTLM_E_BAD_RESPONSE for
 * NTLM_KIND_NONE.
 */
NTLM_MUST_CHECK ntlm_err nv_kind_allowed(ntlm_response_kind kind, uint32_t allowed_responses,
                                         int allow_anonymous);

/* The "refused by policy" error of a kind: NTLM_E_NTLMV2_REFUSED, ..._NTLMV1_, _LM_, _ANONYMOUS_. */
NTLM_MUST_CHECK ntlm_err nv_refusal(ntlm_response_kind kind);

/*
 * The kind the server reports after the store verified: its own, except that
 * a store may say it verified only the LM half of an NTLMv1 response (a
 * domain controller falls back to the LM response): then LM. Anything else a
 * store claims is ignored.
 */
ntlm_response_kind nv_verified_kind(ntlm_response_kind classified, ntlm_response_kind store_says);

/* The challenge an NTLMv1 response of this kind answers: the server's, or (ESS) the mixed one. */
void nv_v1_challenge(ntlm_response_kind kind, const uint8_t server_challenge[NTLM_CHALLENGE_SIZE],
                     const uint8_t *lm_response, uint8_t out[NTLM_CHALLENGE_SIZE]);

/*
 * For an account that cannot be checked (unknown, no NT hash): the work of
 * checking req against a hash nobody has, so that a refusal costs the same
 * time whether or not the account exists; returns why.
 */
NTLM_MUST_CHECK ntlm_err nv_verify_nobody(const ntlm_auth_request *req, ntlm_err why);

#endif
