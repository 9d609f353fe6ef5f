/*
 * ntlm_keys.h - the NTLM computations of [MS-NLMP] 3.3 and 3.4 as pure
 * functions over byte arrays (no state, no I/O). Strings are UTF-8.
 */
#ifndef NTLM_KEYS_H
#define NTLM_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/* 3.3.1 NTOWFv1 = MD4(UNICODE(password)) */
NTLM_MUST_CHECK ntlm_err nk_ntowfv1(const char *password, uint8_t out[16]);
/* 3.3.1 LMOWFv1 = DES(upper(password)[0..6], "KGS!@#$%") || DES([7..13], ...);
 * passwords longer than 14 OEM bytes: NTLM_E_UNSUPPORTED. */
NTLM_MUST_CHECK ntlm_err nk_lmowfv1(const char *password, uint8_t out[16]);
/* 3.3.2 NTOWFv2 = HMAC_MD5(NTOWFv1, UNICODE(Uppercase(user) || domain)); also LMOWFv2. */
NTLM_MUST_CHECK ntlm_err nk_ntowfv2(const uint8_t nt_hash[16], const char *user, const char *domain,
                                    uint8_t out[16]);
/* The same with the domain upper-cased too when upper_domain (a spelling clients key with). */
NTLM_MUST_CHECK ntlm_err nk_ntowfv2_spelled(const uint8_t nt_hash[16], const char *user,
                                            const char *domain, int upper_domain, uint8_t out[16]);

/* 6 DESL(K, D): K 16 bytes, D 8 bytes -> 24 bytes. */
void nk_desl(const uint8_t key[16], const uint8_t data[8], uint8_t out[24]);
/* NTLMv1 with ESS: MD5(server || client)[0..7], the challenge DESL is applied to. */
void nk_ess_challenge(const uint8_t server_challenge[8], const uint8_t client_challenge[8],
                      uint8_t out[8]);
/* NTLMv1 SessionBaseKey = MD4(NTOWFv1). */
void nk_v1_session_base_key(const uint8_t nt_hash[16], uint8_t out[16]);

/*
 * NTProofStr = HMAC_MD5(ntowfv2, server_challenge || temp) and
 * SessionBaseKey = HMAC_MD5(ntowfv2, NTProofStr), with one key schedule.
 */
void nk_v2_proof_and_key(const uint8_t ntowfv2[16], const uint8_t server_challenge[8],
                         const uint8_t *temp, size_t temp_len, uint8_t proof[16],
                         uint8_t session_base_key[16]);
/* LMv2 = HMAC_MD5(ntowfv2, server || client) || client  (24 bytes) */
void nk_lmv2_response(const uint8_t ntowfv2[16], const uint8_t server_challenge[8],
                      const uint8_t client_challenge[8], uint8_t out[24]);

/*
 * 3.4.5.1 KXKEY for NTLMv1 (for NTLMv2, KeyExchangeKey = SessionBaseKey):
 * ESS: HMAC_MD5(SessionBaseKey, ServerChallenge || LmChallengeResponse[0..7]);
 * LM_KEY: DES(LMOWF[0..6], LmResp[0..7]) || DES(LMOWF[7] || 0xBDBDBDBDBDBD, LmResp[0..7]);
 * REQUEST_NON_NT_SESSION_KEY: LMOWF[0..7] || Z(8); else SessionBaseKey.
 * lm_owf8 is LMOWF[0..7] (may be NULL when LM_KEY/NON_NT are not set).
 */
void nk_kxkey_v1(uint32_t flags, const uint8_t session_base_key[16], const uint8_t *lm_owf8,
                 const uint8_t lm_response8[8], const uint8_t server_challenge[8], uint8_t out[16]);

/* 3.4.5.2 SIGNKEY: ESS only (else the caller uses no separate key). */
void nk_sign_key(const uint8_t exported[16], int client_to_server, uint8_t out[16]);
/*
 * 3.4.5.3 SEALKEY. With ESS: MD5(key[0..n] || magic) where n = 16/7/5 bytes
 * for 128/56/40-bit. Without ESS the key is shortened only when LM_KEY or
 * DATAGRAM is set (56-bit -> key[0..6] || 0xA0, 40-bit -> key[0..4] ||
 * 0xE5 0x38 0xB0, 8 bytes); otherwise the whole 16-byte key. *out_len is 16 or 8.
 */
/*
 * The strength of that SEALKEY (128, 56 or 40 bits): what the flags really
 * give, which is what a minimum-security policy must judge (LM_KEY or
 * DATAGRAM without ESS shortens the key even when NEGOTIATE_128 is set).
 */
unsigned nk_seal_key_bits(uint32_t flags);
void nk_seal_key(uint32_t flags, const uint8_t exported[16], int client_to_server, uint8_t out[16],
                 size_t *out_len);
/*
 * 3.1.5.1.2 MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE)
 * with the AUTHENTICATE's MIC field (16 bytes at mic_off) taken as zero, so
 * a received message is checked as it is; a mic_off past the message
 * (SIZE_MAX) hashes auth unchanged.
 */
void nk_mic(const uint8_t exported[16], const uint8_t *neg, size_t neg_len, const uint8_t *chal,
            size_t chal_len, const uint8_t *auth, size_t auth_len, size_t mic_off, uint8_t out[16]);
/* RC4(key, in) -> out, one shot (EncryptedRandomSessionKey). */
void nk_rc4_oneshot(const uint8_t *key, size_t key_len, const uint8_t *in, uint8_t *out,
                    size_t len);

#endif
