/*
 * test_keys.c - ntlm_keys.h against the [MS-NLMP] 4.2 vectors
 * (tests/vectors/nlmp_vectors.h) plus edge cases. Values marked
 * "independent" below were computed outside this project (openssl MD4,
 * Python hashlib/hmac) from the spec's formulas.
 */
#include <stdint.h>

#include "ntlm_keys.h"

#include "crypto.h"
#include "nlmp_vectors.h"
#include "t.h"
#include "v2temp.h"
#include "mem.h"
#include "wire.h"

static uint64_t le64(const uint8_t b[8])
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

static void unhex16(const char *hex, uint8_t out[16])
{
	size_t n = t_unhex(hex, out, 16);
	if (n != 16)
		abort(); /* a typo in a test literal */
}

/* ------------------------------------------------------ one-way functions */

static void test_ntowfv1_vector(void)
{
	uint8_t got[16];
	T_OK(nk_ntowfv1(V_PASSWORD_STR, got));
	T_BYTES(got, V1_NTOWF, 16);
}

static void test_ntowfv1_independent(void)
{
	static const struct {
		const char *pw, *hash;
	} kats[] = {
		{"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
		{"password", "8846f7eaee8fb117ad06bdd830b7586c"},
		/* "Grüße €" */
		{"Gr\xc3\xbc\xc3\x9f"
	     "e \xe2\x82\xac",
	     "04dbed810eb24e45f8ed4f68a420b6ff"},
		{"pa\xf0\x9f\x98\x80", "7dafedbd0b52384102cc4c23d1f20f88"}, /* surrogate pair */
	};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(kats); i++) {
		uint8_t want[16], got[16];
		unhex16(kats[i].hash, want);
		T_OK(nk_ntowfv1(kats[i].pw, got));
		T_BYTES(got, want, 16);
	}
}

static void test_lmowfv1_vector(void)
{
	uint8_t got[16];
	T_OK(nk_lmowfv1(V_PASSWORD_STR, got));
	T_BYTES(got, V1_LMOWF, 16);
	/* LM upper-cases first, so the case of the password does not matter */
	memset(got, 0, sizeof(got));
	T_OK(nk_lmowfv1("pASSWORD", got));
	T_BYTES(got, V1_LMOWF, 16);
}

static void test_lmowfv1_independent(void)
{
	uint8_t want[16], got[16];
	/* the empty password: both halves are DES under the all-zero (weak) key */
	unhex16("aad3b435b51404eeaad3b435b51404ee", want);
	T_OK(nk_lmowfv1("", got));
	T_BYTES(got, want, 16);
	/* exactly 14 characters is the longest LM can take */
	unhex16("e0c510199cc66abd8c51ec214bebdea1", want);
	T_OK(nk_lmowfv1("abcdefghijklmn", got));
	T_BYTES(got, want, 16);
}

static void test_lmowfv1_too_long(void)
{
	uint8_t got[16];
	T_EXPECT_ERR(nk_lmowfv1("abcdefghijklmno", got), NTLM_E_UNSUPPORTED);
	T_EXPECT_ERR(nk_lmowfv1("a much longer passphrase than LM allows", got), NTLM_E_UNSUPPORTED);
}

static void test_bad_strings(void)
{
	uint8_t got[16];
	static const char bad_utf8[] = "pass\xff"
								   "word";
	static const char truncated[] = "pass\xc3";
	static const char surrogate[] = "\xed\xa0\x80"; /* U+D800 encoded: invalid */
	T_EXPECT_ERR(nk_ntowfv1(bad_utf8, got), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(nk_ntowfv1(truncated, got), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(nk_ntowfv1(surrogate, got), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(nk_lmowfv1(bad_utf8, got), NTLM_E_BAD_STRING);
	/* valid UTF-8, but Cyrillic has no OEM (Latin-1) form */
	T_EXPECT_ERR(nk_lmowfv1("\xd0\xbf\xd0\xb0\xd1\x80", got), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(nk_ntowfv2(V1_NTOWF, bad_utf8, "Domain", got), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(nk_ntowfv2(V1_NTOWF, "User", bad_utf8, got), NTLM_E_BAD_STRING);
}

static void test_ntowfv2_vector(void)
{
	uint8_t got[16];
	T_OK(nk_ntowfv2(V1_NTOWF, V_USER_STR, V_DOMAIN_STR, got));
	T_BYTES(got, V2_NTOWF, 16);
	/* the user name is upper-cased, the domain is not */
	memset(got, 0, sizeof(got));
	T_OK(nk_ntowfv2(V1_NTOWF, "uSeR", V_DOMAIN_STR, got));
	T_BYTES(got, V2_NTOWF, 16);
}

static void test_ntowfv2_independent(void)
{
	uint8_t want[16], got[16];
	/* domain case is significant: "domain" */
	unhex16("51286d67402c2f373fac9967c967b19d", want);
	T_OK(nk_ntowfv2(V1_NTOWF, "User", "domain", got));
	T_BYTES(got, want, 16);
	/* no domain: NULL and "" both mean the empty string */
	unhex16("4cf86da43b3cd4785ab26bcee1e1884b", want);
	T_OK(nk_ntowfv2(V1_NTOWF, "User", NULL, got));
	T_BYTES(got, want, 16);
	memset(got, 0, sizeof(got));
	T_OK(nk_ntowfv2(V1_NTOWF, "User", "", got));
	T_BYTES(got, want, 16);
	/* non-ASCII user "józef" upper-cases to "JÓZEF" */
	unhex16("94f8fdb9a3eaad47f97326aa8d53aaf9", want);
	T_OK(nk_ntowfv2(V1_NTOWF, "j\xc3\xb3zef", "Domain", got));
	T_BYTES(got, want, 16);
}

/* ----------------------------------------------------------------- NTLMv1 */

static void test_v1_responses(void)
{
	uint8_t got[24];
	nk_desl(V1_NTOWF, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_NT_RESPONSE, 24);
	nk_desl(V1_LMOWF, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_LM_RESPONSE, 24);
}

static void test_desl_uses_all_key_bytes(void)
{
	/* K[14..15] feed the third block; K[13] the second; K[6] the first */
	uint8_t key[16], base[24], got[24];
	memcpy(key, V1_NTOWF, 16);
	nk_desl(key, V_SERVER_CHALLENGE, base);
	key[15] ^= 0x80;
	nk_desl(key, V_SERVER_CHALLENGE, got);
	T_BYTES(got, base, 16);
	T_ASSERT(memcmp(got + 16, base + 16, 8) != 0);
	key[15] ^= 0x80;
	key[13] ^= 0x02;
	nk_desl(key, V_SERVER_CHALLENGE, got);
	T_ASSERT(memcmp(got + 8, base + 8, 8) != 0);
	T_BYTES(got, base, 8);
	T_BYTES(got + 16, base + 16, 8);
}

static void test_v1_session_base_key(void)
{
	uint8_t got[16];
	nk_v1_session_base_key(V1_NTOWF, got);
	T_BYTES(got, V1_SESSION_BASE_KEY, 16);
}

static void test_v1_kxkey_variants(void)
{
	uint8_t got[16];
	uint32_t f = V1_NEGOTIATE_FLAGS;

	/* 4.2.2 flags: neither LM_KEY nor NON_NT -> SessionBaseKey */
	nk_kxkey_v1(f, V1_SESSION_BASE_KEY, V1_LMOWF, V1_LM_RESPONSE, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_SESSION_BASE_KEY, 16);
	/* and the LM hash may be absent then */
	memset(got, 0, sizeof(got));
	nk_kxkey_v1(f, V1_SESSION_BASE_KEY, NULL, V1_LM_RESPONSE, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_SESSION_BASE_KEY, 16);

	nk_kxkey_v1(f | NTLMSSP_REQUEST_NON_NT_SESSION_KEY, V1_SESSION_BASE_KEY, V1_LMOWF,
	            V1_LM_RESPONSE, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_KXKEY_NONT, 16);

	nk_kxkey_v1(f | NTLMSSP_NEGOTIATE_LM_KEY, V1_SESSION_BASE_KEY, V1_LMOWF, V1_LM_RESPONSE,
	            V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_KXKEY_LMKEY, 16);

	/* LM_KEY is tested before NON_NT_SESSION_KEY */
	memset(got, 0, sizeof(got));
	nk_kxkey_v1(f | NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_REQUEST_NON_NT_SESSION_KEY,
	            V1_SESSION_BASE_KEY, V1_LMOWF, V1_LM_RESPONSE, V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_KXKEY_LMKEY, 16);
}

static void test_v1_kxkey_missing_lm_hash(void)
{
	/* LM_KEY/NON_NT without an LM hash must not yield a key from public data */
	uint8_t got[16];
	uint32_t f = V1_NEGOTIATE_FLAGS;
	nk_kxkey_v1(f | NTLMSSP_NEGOTIATE_LM_KEY, V1_SESSION_BASE_KEY, NULL, V1_LM_RESPONSE,
	            V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_SESSION_BASE_KEY, 16);
	nk_kxkey_v1(f | NTLMSSP_REQUEST_NON_NT_SESSION_KEY, V1_SESSION_BASE_KEY, NULL, V1_LM_RESPONSE,
	            V_SERVER_CHALLENGE, got);
	T_BYTES(got, V1_SESSION_BASE_KEY, 16);
}

static void test_v1_encrypted_session_key(void)
{
	uint8_t got[16];
	nk_rc4_oneshot(V1_SESSION_BASE_KEY, 16, V_RANDOM_SESSION_KEY, got, 16);
	T_BYTES(got, V1_ENCRYPTED_SESSION_KEY, 16);
	nk_rc4_oneshot(V1_KXKEY_NONT, 16, V_RANDOM_SESSION_KEY, got, 16);
	T_BYTES(got, V1_ENCRYPTED_SESSION_KEY_NONT, 16);
	nk_rc4_oneshot(V1_KXKEY_LMKEY, 16, V_RANDOM_SESSION_KEY, got, 16);
	T_BYTES(got, V1_ENCRYPTED_SESSION_KEY_LMKEY, 16);
	/* the server decrypts in place with the same key */
	nk_rc4_oneshot(V1_SESSION_BASE_KEY, 16, V1_ENCRYPTED_SESSION_KEY, got, 16);
	nk_rc4_oneshot(V1_SESSION_BASE_KEY, 16, got, got, 16);
	T_BYTES(got, V1_ENCRYPTED_SESSION_KEY, 16);
}

static void test_v1_seal_key_vector(void)
{
	/* 4.2.2 flags: no ESS, no LM_KEY -> the exported key, all 16 bytes */
	uint8_t got[16];
	size_t len = 0;
	nk_seal_key(V1_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, 1, got, &len);
	T_ASSERT(len == 16);
	T_BYTES(got, V_RANDOM_SESSION_KEY, 16);
}

/* --------------------------------------------------------- NTLMv1 + ESS */

static void test_ess_challenge(void)
{
	uint8_t want[8], got[8];
	/* independent: MD5(0123456789abcdef || aa*8)[0..7] */
	T_ASSERT(t_unhex("5af2559e6bcb5c25", want, sizeof(want)) == 8);
	nk_ess_challenge(V_SERVER_CHALLENGE, V_CLIENT_CHALLENGE, got);
	T_BYTES(got, want, 8);
}

static void test_v1ess_vectors(void)
{
	uint32_t f = V1ESS_NEGOTIATE_FLAGS;

	/* the LM response carries the client challenge, zero padded */
	uint8_t lm[24] = {0};
	memcpy(lm, V_CLIENT_CHALLENGE, 8);
	T_BYTES(lm, V1ESS_LM_RESPONSE, 24);

	uint8_t chal[8], nt[24];
	nk_ess_challenge(V_SERVER_CHALLENGE, V1ESS_LM_RESPONSE, chal);
	nk_desl(V1_NTOWF, chal, nt);
	T_BYTES(nt, V1ESS_NT_RESPONSE, 24);

	uint8_t sbk[16], kx[16];
	nk_v1_session_base_key(V1_NTOWF, sbk);
	T_BYTES(sbk, V1_SESSION_BASE_KEY, 16);
	/* ESS ignores the LM hash; pass one anyway to show it is unused */
	nk_kxkey_v1(f, sbk, V1_LMOWF, V1ESS_LM_RESPONSE, V_SERVER_CHALLENGE, kx);
	T_BYTES(kx, V1ESS_KEYEXCH_KEY, 16);
	/* ESS wins over LM_KEY */
	nk_kxkey_v1(f | NTLMSSP_NEGOTIATE_LM_KEY, sbk, V1_LMOWF, V1ESS_LM_RESPONSE, V_SERVER_CHALLENGE,
	            kx);
	T_BYTES(kx, V1ESS_KEYEXCH_KEY, 16);

	/* no KEY_EXCH in these flags: ExportedSessionKey = KeyExchangeKey */
	uint8_t seal[16], sign[16];
	size_t len = 0;
	nk_seal_key(f, kx, 1, seal, &len);
	T_ASSERT(len == 16);
	T_BYTES(seal, V1ESS_SEAL_KEY, 16);
	nk_sign_key(kx, 1, sign);
	T_BYTES(sign, V1ESS_SIGN_KEY, 16);
}

/* ----------------------------------------------------------------- NTLMv2 */

static void test_v2_lmv2(void)
{
	uint8_t got[24];
	nk_lmv2_response(V2_NTOWF, V_SERVER_CHALLENGE, V_CLIENT_CHALLENGE, got);
	T_BYTES(got, V2_LM_RESPONSE, 24);

	/* built in place: client challenge already at out[16..23] */
	uint8_t inplace[24] = {0};
	memcpy(inplace + 16, V_CLIENT_CHALLENGE, 8);
	nk_lmv2_response(V2_NTOWF, V_SERVER_CHALLENGE, inplace + 16, inplace);
	T_BYTES(inplace, V2_LM_RESPONSE, 24);
}

static void test_v2_temp(void)
{
	ntlm_buffer temp = {0};
	T_OK(v2_temp(le64(V_TIME), V_CLIENT_CHALLENGE, V2_TARGET_INFO, sizeof(V2_TARGET_INFO), &temp));
	size_t len = temp.len;
	int same = len == sizeof(V2_TEMP) && memcmp(temp.data, V2_TEMP, len) == 0;
	if (!same)
		t_hexdump("temp", temp.data, len);
	ntlm_free_secret(temp.data, temp.len);
	T_ASSERT(len == sizeof(V2_TEMP));
	T_ASSERT(same);
}

static void test_v2_temp_layout(void)
{
	/* timestamp little-endian at [8..15]; empty AV list -> 32 bytes */
	static const uint8_t cc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t want[32] = {
		0x01, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		1,    2,    3, 4, 5, 6, 7, 8, 0,    0,    0,    0,    0,    0,    0,    0,
	};
	ntlm_buffer temp = {0};
	T_OK(v2_temp(0x0102030405060708ull, cc, NULL, 0, &temp));
	size_t len = temp.len;
	int same = len == sizeof(want) && memcmp(temp.data, want, len) == 0;
	ntlm_free_secret(temp.data, temp.len);
	T_ASSERT(len == sizeof(want));
	T_ASSERT(same);
}

/*
 * NTProofStr and SessionBaseKey through nk_v2_proof_and_key, the function the
 * client and the smbpasswd store call ([MS-NLMP] 4.2.4.2.2, 4.2.4.1.2).
 */
static void test_v2_nt_response_and_keys(void)
{
	ntlm_buffer temp = {0};
	T_OK(v2_temp(le64(V_TIME), V_CLIENT_CHALLENGE, V2_TARGET_INFO, sizeof(V2_TARGET_INFO), &temp));

	uint8_t proof[16], sbk[16];
	nk_v2_proof_and_key(V2_NTOWF, V_SERVER_CHALLENGE, temp.data, temp.len, proof, sbk);

	/* NtChallengeResponse = NTProofStr || temp */
	uint8_t resp[sizeof(V2_NT_RESPONSE)];
	int fits = 16 + temp.len == sizeof(resp);
	if (fits) {
		memcpy(resp, proof, 16);
		memcpy(resp + 16, temp.data, temp.len);
	}
	ntlm_free_secret(temp.data, temp.len);
	T_BYTES(proof, V2_NT_PROOF_STR, 16);
	T_ASSERT(fits);
	T_BYTES(resp, V2_NT_RESPONSE, sizeof(resp));
	/* NTLMv2: KeyExchangeKey = SessionBaseKey */
	T_BYTES(sbk, V2_SESSION_BASE_KEY, 16);

	uint8_t enc[16];
	nk_rc4_oneshot(sbk, 16, V_RANDOM_SESSION_KEY, enc, 16);
	T_BYTES(enc, V2_ENCRYPTED_SESSION_KEY, 16);
}

/* The proof binds the server challenge and every byte of temp: no replay elsewhere. */
static void test_v2_proof_binds_challenge_and_blob(void)
{
	uint8_t chal[8], temp[sizeof(V2_TEMP)], base[16], base_key[16], proof[16], sbk[16];
	nk_v2_proof_and_key(V2_NTOWF, V_SERVER_CHALLENGE, V2_TEMP, sizeof(V2_TEMP), base, base_key);
	memcpy(chal, V_SERVER_CHALLENGE, 8);
	for (size_t i = 0; i < 8; i++) {
		chal[i] ^= 0x01;
		nk_v2_proof_and_key(V2_NTOWF, chal, V2_TEMP, sizeof(V2_TEMP), proof, sbk);
		chal[i] ^= 0x01;
		T_ASSERT(memcmp(proof, base, 16) != 0);
		T_ASSERT(memcmp(sbk, base_key, 16) != 0);
	}
	memcpy(temp, V2_TEMP, sizeof(temp));
	for (size_t i = 0; i < sizeof(temp); i++) {
		temp[i] ^= 0x80;
		nk_v2_proof_and_key(V2_NTOWF, V_SERVER_CHALLENGE, temp, sizeof(temp), proof, sbk);
		temp[i] ^= 0x80;
		T_ASSERT(memcmp(proof, base, 16) != 0);
	}
}

static void test_v2_seal_sign_vectors(void)
{
	/* KEY_EXCH: ExportedSessionKey = RandomSessionKey */
	uint8_t got[16];
	size_t len = 0;
	nk_seal_key(V2_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, 1, got, &len);
	T_ASSERT(len == 16);
	T_BYTES(got, V2_SEAL_KEY, 16);
	nk_sign_key(V_RANDOM_SESSION_KEY, 1, got);
	T_BYTES(got, V2_SIGN_KEY, 16);
}

/* ------------------------------------------------------------ SIGN / SEAL */

static void test_sign_keys_per_direction(void)
{
	uint8_t c2s[16], s2c[16], want[16];
	nk_sign_key(V_RANDOM_SESSION_KEY, 1, c2s);
	nk_sign_key(V_RANDOM_SESSION_KEY, 0, s2c);
	T_ASSERT(memcmp(c2s, s2c, 16) != 0);
	/* independent: MD5(0x55*16 || "...server-to-client signing...\0") */
	unhex16("d04d6f10741041d1d246d64188d7a8ad", want);
	T_BYTES(s2c, want, 16);
}

static void test_seal_keys_per_direction(void)
{
	uint8_t c2s[16], s2c[16], want[16];
	size_t l1 = 0, l2 = 0;
	nk_seal_key(V2_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, 1, c2s, &l1);
	nk_seal_key(V2_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, 0, s2c, &l2);
	T_ASSERT(l1 == 16 && l2 == 16);
	T_ASSERT(memcmp(c2s, s2c, 16) != 0);
	unhex16("9355f3a957c1583d25c4c2f11e40390e", want);
	T_BYTES(s2c, want, 16);
}

static void test_seal_key_ess_strengths(void)
{
	const uint32_t ess = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	uint8_t k128[16], k56[16], k40[16], want[16];
	size_t l128 = 0, l56 = 0, l40 = 0;

	nk_seal_key(ess | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56, V_RANDOM_SESSION_KEY, 1, k128,
	            &l128);
	nk_seal_key(ess | NTLMSSP_NEGOTIATE_56, V_RANDOM_SESSION_KEY, 1, k56, &l56);
	nk_seal_key(ess, V_RANDOM_SESSION_KEY, 1, k40, &l40);
	T_ASSERT(l128 == 16 && l56 == 16 && l40 == 16);
	T_BYTES(k128, V2_SEAL_KEY, 16);
	T_ASSERT(memcmp(k128, k56, 16) != 0);
	T_ASSERT(memcmp(k128, k40, 16) != 0);
	T_ASSERT(memcmp(k56, k40, 16) != 0);
	/* independent: MD5(0x55*5 || "...client-to-server sealing...\0") */
	unhex16("42f964a471091a02ff4a77455366e4e5", want);
	T_BYTES(k40, want, 16);

	/* 56-bit hashes only key[0..6]: bytes 7..15 must not matter */
	uint8_t key[16], again[16];
	size_t l = 0;
	memcpy(key, V1ESS_KEYEXCH_KEY, 16);
	memset(key + 7, 0xEE, 9);
	nk_seal_key(V1ESS_NEGOTIATE_FLAGS, key, 1, again, &l);
	T_ASSERT(l == 16);
	T_BYTES(again, V1ESS_SEAL_KEY, 16);
}

static void test_seal_key_without_ess(void)
{
	const uint8_t *k = V_RANDOM_SESSION_KEY;
	uint8_t got[16];
	size_t len = 0;

	/* LM_KEY + 56: K[0..6] || 0xA0 */
	static const uint8_t want56[8] = {0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xA0};
	nk_seal_key(NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_56, k, 1, got, &len);
	T_ASSERT(len == 8);
	T_BYTES(got, want56, 8);
	/* the direction does not matter without ESS */
	nk_seal_key(NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_56, k, 0, got, &len);
	T_ASSERT(len == 8);
	T_BYTES(got, want56, 8);

	/* LM_KEY without 56: 40-bit, K[0..4] || E5 38 B0 (128 does not matter here) */
	static const uint8_t want40[8] = {0x55, 0x55, 0x55, 0x55, 0x55, 0xE5, 0x38, 0xB0};
	nk_seal_key(NTLMSSP_NEGOTIATE_LM_KEY, k, 1, got, &len);
	T_ASSERT(len == 8);
	T_BYTES(got, want40, 8);
	nk_seal_key(NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_128, k, 1, got, &len);
	T_ASSERT(len == 8);
	T_BYTES(got, want40, 8);

	/* DATAGRAM weakens as LM_KEY does (revision W2K3) */
	nk_seal_key(NTLMSSP_NEGOTIATE_DATAGRAM | NTLMSSP_NEGOTIATE_56, k, 1, got, &len);
	T_ASSERT(len == 8);
	T_BYTES(got, want56, 8);

	/* neither LM_KEY nor DATAGRAM: the whole key, whatever 56/128 say */
	nk_seal_key(NTLMSSP_NEGOTIATE_56, k, 1, got, &len);
	T_ASSERT(len == 16);
	T_BYTES(got, k, 16);
	nk_seal_key(0, k, 1, got, &len);
	T_ASSERT(len == 16);
	T_BYTES(got, k, 16);
}

static void test_outputs_may_alias_inputs(void)
{
	uint8_t buf[16];
	size_t len = 0;

	memcpy(buf, V1_SESSION_BASE_KEY, 16);
	nk_kxkey_v1(V1ESS_NEGOTIATE_FLAGS, buf, NULL, V1ESS_LM_RESPONSE, V_SERVER_CHALLENGE, buf);
	T_BYTES(buf, V1ESS_KEYEXCH_KEY, 16);

	memcpy(buf, V_RANDOM_SESSION_KEY, 16);
	nk_seal_key(V2_NEGOTIATE_FLAGS, buf, 1, buf, &len);
	T_BYTES(buf, V2_SEAL_KEY, 16);

	memcpy(buf, V_RANDOM_SESSION_KEY, 16);
	nk_sign_key(buf, 1, buf);
	T_BYTES(buf, V2_SIGN_KEY, 16);
}

/* -------------------------------------------------------------------- MIC */

static void test_mic(void)
{
	static const uint8_t neg[] = "NTLMSSP\0\x01\0\0\0negotiate";
	static const uint8_t chal[] = "NTLMSSP\0\x02\0\0\0challenge!";
	/* an AUTHENTICATE-sized message: its MIC field (72..88) is read as zero */
	uint8_t auth[100], zeroed[100];
	for (size_t i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)(i * 7 + 1);
	memcpy(zeroed, auth, sizeof(auth));
	memset(zeroed + 72, 0, 16);
	uint8_t all[sizeof(neg) + sizeof(chal) + sizeof(auth)];
	memcpy(all, neg, sizeof(neg));
	memcpy(all + sizeof(neg), chal, sizeof(chal));
	memcpy(all + sizeof(neg) + sizeof(chal), zeroed, sizeof(zeroed));

	uint8_t want[16], got[16];
	cr_hmac_md5_ctx h;
	cr_hmac_md5_init(&h, V_RANDOM_SESSION_KEY, 16);
	cr_hmac_md5_update(&h, all, sizeof(all));
	cr_hmac_md5_final(&h, want);
	nk_mic(V_RANDOM_SESSION_KEY, neg, sizeof(neg), chal, sizeof(chal), auth, sizeof(auth), 72, got);
	T_BYTES(got, want, 16);
	nk_mic(V_RANDOM_SESSION_KEY, neg, sizeof(neg), chal, sizeof(chal), zeroed, sizeof(zeroed),
	       SIZE_MAX, got);
	T_BYTES(got, want, 16);

	/* a different key or a changed byte in any message outside the MIC changes the MIC */
	uint8_t other[16];
	nk_mic(V2_SESSION_BASE_KEY, neg, sizeof(neg), chal, sizeof(chal), auth, sizeof(auth), 72,
	       other);
	T_ASSERT(memcmp(other, want, 16) != 0);
	auth[sizeof(auth) - 2] ^= 1;
	nk_mic(V_RANDOM_SESSION_KEY, neg, sizeof(neg), chal, sizeof(chal), auth, sizeof(auth), 72,
	       other);
	T_ASSERT(memcmp(other, want, 16) != 0);
	auth[71] ^= 1; /* just before the field */
	auth[sizeof(auth) - 2] ^= 1;
	nk_mic(V_RANDOM_SESSION_KEY, neg, sizeof(neg), chal, sizeof(chal), auth, sizeof(auth), 72,
	       other);
	T_ASSERT(memcmp(other, want, 16) != 0);
}

static void test_rc4_oneshot_known(void)
{
	static const uint8_t want[9] = {0xbb, 0xf3, 0x16, 0xe8, 0xd9, 0x40, 0xaf, 0x0a, 0xd3};
	uint8_t buf[9];
	memcpy(buf, "Plaintext", 9);
	nk_rc4_oneshot((const uint8_t *)"Key", 3, buf, buf, 9);
	T_BYTES(buf, want, 9);
}

int main(void)
{
	T_RUN(test_ntowfv1_vector);
	T_RUN(test_ntowfv1_independent);
	T_RUN(test_lmowfv1_vector);
	T_RUN(test_lmowfv1_independent);
	T_RUN(test_lmowfv1_too_long);
	T_RUN(test_bad_strings);
	T_RUN(test_ntowfv2_vector);
	T_RUN(test_ntowfv2_independent);
	T_RUN(test_v1_responses);
	T_RUN(test_desl_uses_all_key_bytes);
	T_RUN(test_v1_session_base_key);
	T_RUN(test_v1_kxkey_variants);
	T_RUN(test_v1_kxkey_missing_lm_hash);
	T_RUN(test_v1_encrypted_session_key);
	T_RUN(test_v1_seal_key_vector);
	T_RUN(test_ess_challenge);
	T_RUN(test_v1ess_vectors);
	T_RUN(test_v2_lmv2);
	T_RUN(test_v2_temp);
	T_RUN(test_v2_temp_layout);
	T_RUN(test_v2_nt_response_and_keys);
	T_RUN(test_v2_proof_binds_challenge_and_blob);
	T_RUN(test_v2_seal_sign_vectors);
	T_RUN(test_sign_keys_per_direction);
	T_RUN(test_seal_keys_per_direction);
	T_RUN(test_seal_key_ess_strengths);
	T_RUN(test_seal_key_without_ess);
	T_RUN(test_outputs_may_alias_inputs);
	T_RUN(test_mic);
	T_RUN(test_rc4_oneshot_known);
	T_END();
}
