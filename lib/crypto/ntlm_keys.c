/*
 * ntlm_keys.c - the one-way functions, responses and session keys of
 * [MS-NLMP] 3.3.1, 3.3.2, 3.4.5.1-3.4.5.3 and 3.1.5.1.2; see ntlm_keys.h.
 * Every intermediate that derives from a password or key is wiped.
 */
#include "ntlm_keys.h"

#include <string.h>

#include "crypto.h"
#include "mem.h"
#include "text.h"
#include "try.h"

/* [MS-NLMP] 3.4.5.2 / 3.4.5.3: the constants include their terminating NUL. */
static const char sign_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_s2c[] = "session key to server-to-client sealing key magic constant";

/* ------------------------------------------------------ one-way functions */

ntlm_err nk_ntowfv1(const char *password, uint8_t out[16])
{
	uint8_t *u16;
	size_t u16_len;
	NTLM_TRY(ntlm_utf8_to_utf16le(password, 0, &u16, &u16_len));
	cr_md4(u16, u16_len, out);
	ntlm_free_secret(u16, u16_len);
	return NTLM_OK;
}

ntlm_err nk_lmowfv1(const char *password, uint8_t out[16])
{
	static const uint8_t magic[8] = {'K', 'G', 'S', '!', '@', '#', '$', '%'};
	uint8_t *oem;
	size_t oem_len;
	NTLM_TRY(ntlm_utf8_to_oem(password, 1, &oem, &oem_len));
	if (oem_len > 14) {
		/* LM cannot represent it; the caller falls back to NT-only */
		ntlm_free_secret(oem, oem_len);
		return NTLM_E_UNSUPPORTED;
	}
	uint8_t pw[14] = {0}; /* zero padding to 14 bytes */
	memcpy(pw, oem, oem_len);
	ntlm_free_secret(oem, oem_len);

	cr_des56_encrypt(pw, magic, out);
	cr_des56_encrypt(pw + 7, magic, out + 8);
	ntlm_memzero(pw, sizeof(pw));
	return NTLM_OK;
}

static void hmac_sink(void *arg, const uint8_t *p, size_t n)
{
	cr_hmac_md5_update(arg, p, n);
}

ntlm_err nk_ntowfv2_spelled(const uint8_t nt_hash[16], const char *user, const char *domain,
                            int upper_domain, uint8_t out[16])
{
	cr_hmac_md5_ctx c;
	cr_hmac_md5_init(&c, nt_hash, 16);
	/* the names are hashed as they are converted: no copy of either */
	ntlm_err rc = ntlm_utf8_to_utf16le_each(user, 1, hmac_sink, &c);
	if (rc == NTLM_OK)
		rc = ntlm_utf8_to_utf16le_each(domain, upper_domain, hmac_sink, &c);
	if (rc != NTLM_OK) {
		ntlm_memzero(&c, sizeof(c));
		return rc;
	}
	cr_hmac_md5_final(&c, out);
	return NTLM_OK;
}

ntlm_err nk_ntowfv2(const uint8_t nt_hash[16], const char *user, const char *domain,
                    uint8_t out[16])
{
	return nk_ntowfv2_spelled(nt_hash, user, domain, 0, out);
}

/* ----------------------------------------------------------------- NTLMv1 */

void nk_desl(const uint8_t key[16], const uint8_t data[8], uint8_t out[24])
{
	/* third DES key: K[14..15] || Z(5) */
	uint8_t k3[7] = {key[14], key[15], 0, 0, 0, 0, 0};
	cr_des56_encrypt(key, data, out);
	cr_des56_encrypt(key + 7, data, out + 8);
	cr_des56_encrypt(k3, data, out + 16);
	ntlm_memzero(k3, sizeof(k3));
}

void nk_ess_challenge(const uint8_t server_challenge[8], const uint8_t client_challenge[8],
                      uint8_t out[8])
{
	uint8_t digest[16];
	cr_md5 c;
	cr_md5_init(&c);
	cr_md5_update(&c, server_challenge, 8);
	cr_md5_update(&c, client_challenge, 8);
	cr_md5_final(&c, digest);
	memcpy(out, digest, 8);
	ntlm_memzero(digest, sizeof(digest));
}

void nk_v1_session_base_key(const uint8_t nt_hash[16], uint8_t out[16])
{
	cr_md4(nt_hash, 16, out);
}

/* ----------------------------------------------------------------- NTLMv2 */

void nk_v2_proof_and_key(const uint8_t ntowfv2[16], const uint8_t server_challenge[8],
                         const uint8_t *temp, size_t temp_len, uint8_t proof[16],
                         uint8_t session_base_key[16])
{
	/* Both MACs are keyed with NTOWFv2: schedule the key once. */
	cr_hmac_md5_key k;
	cr_md5 c;
	cr_hmac_md5_key_init(&k, ntowfv2, 16);
	cr_hmac_md5_start(&c, &k);
	cr_md5_update(&c, server_challenge, 8);
	cr_md5_update(&c, temp, temp_len);
	cr_hmac_md5_finish(&c, &k, proof);
	cr_hmac_md5_start(&c, &k);
	cr_md5_update(&c, proof, 16);
	cr_hmac_md5_finish(&c, &k, session_base_key);
	ntlm_memzero(&k, sizeof(k));
}

void nk_lmv2_response(const uint8_t ntowfv2[16], const uint8_t server_challenge[8],
                      const uint8_t client_challenge[8], uint8_t out[24])
{
	uint8_t cc[8];
	/* out may overlap client_challenge (e.g. a response built in place) */
	memcpy(cc, client_challenge, 8);
	cr_hmac_md5_ctx c;
	cr_hmac_md5_init(&c, ntowfv2, 16);
	cr_hmac_md5_update(&c, server_challenge, 8);
	cr_hmac_md5_update(&c, cc, 8);
	cr_hmac_md5_final(&c, out);
	memcpy(out + 16, cc, 8);
}

/* ------------------------------------------------------------ session keys */

void nk_kxkey_v1(uint32_t flags, const uint8_t session_base_key[16], const uint8_t *lm_owf8,
                 const uint8_t lm_response8[8], const uint8_t server_challenge[8], uint8_t out[16])
{
	uint8_t key[16];

	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
		/* ESS takes precedence over LM_KEY ([MS-NLMP] 2.2.2.5) */
		cr_hmac_md5_ctx c;
		cr_hmac_md5_init(&c, session_base_key, 16);
		cr_hmac_md5_update(&c, server_challenge, 8);
		cr_hmac_md5_update(&c, lm_response8, 8);
		cr_hmac_md5_final(&c, key);
	} else if ((flags & NTLMSSP_NEGOTIATE_LM_KEY) && lm_owf8) {
		uint8_t k2[7] = {lm_owf8[7], 0xBD, 0xBD, 0xBD, 0xBD, 0xBD, 0xBD};
		cr_des56_encrypt(lm_owf8, lm_response8, key);
		cr_des56_encrypt(k2, lm_response8, key + 8);
		ntlm_memzero(k2, sizeof(k2));
	} else if ((flags & NTLMSSP_REQUEST_NON_NT_SESSION_KEY) && lm_owf8) {
		memcpy(key, lm_owf8, 8);
		memset(key + 8, 0, 8);
	} else {
		/*
		 * Also reached when LM_KEY/NON_NT is set but no LM hash is known:
		 * a key from public data only would be forgeable, so fall back to
		 * the secret SessionBaseKey (the peer then simply fails to verify).
		 */
		memcpy(key, session_base_key, 16);
	}
	/* via key[]: out may alias an input */
	memcpy(out, key, 16);
	ntlm_memzero(key, sizeof(key));
}

/* MD5(key[0..len) || magic, NUL included) */
static void md5_key_magic(const uint8_t *key, size_t len, const char *magic, size_t magic_size,
                          uint8_t out[16])
{
	cr_md5 c;
	cr_md5_init(&c);
	cr_md5_update(&c, key, len);
	cr_md5_update(&c, (const uint8_t *)magic, magic_size);
	cr_md5_final(&c, out);
}

void nk_sign_key(const uint8_t exported[16], int client_to_server, uint8_t out[16])
{
	if (client_to_server)
		md5_key_magic(exported, 16, sign_c2s, sizeof(sign_c2s), out);
	else
		md5_key_magic(exported, 16, sign_s2c, sizeof(sign_s2c), out);
}

/*
 * Without ESS, [MS-NLMP] 3.4.5.3 weakens the key to 64 bits only when
 * LM_KEY is negotiated, or DATAGRAM with NTLM revision >= W2K3 (the only
 * revision we speak); otherwise the whole exported key is used.
 */
unsigned nk_seal_key_bits(uint32_t flags)
{
	int ess = (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	/* without ESS only LM_KEY or DATAGRAM shorten the key, and never to 128 */
	if (!ess && !(flags & (NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_DATAGRAM)))
		return 128;
	if (ess && (flags & NTLMSSP_NEGOTIATE_128))
		return 128;
	return (flags & NTLMSSP_NEGOTIATE_56) ? 56 : 40;
}

static size_t seal_key_v1(uint32_t flags, const uint8_t exported[16], uint8_t key[16])
{
	unsigned bits = nk_seal_key_bits(flags);
	if (bits == 128) {
		memcpy(key, exported, 16);
		return 16;
	}
	memset(key, 0, 16);
	if (bits == 56) {
		memcpy(key, exported, 7);
		key[7] = 0xA0;
	} else {
		memcpy(key, exported, 5);
		key[5] = 0xE5;
		key[6] = 0x38;
		key[7] = 0xB0;
	}
	return 8;
}

void nk_seal_key(uint32_t flags, const uint8_t exported[16], int client_to_server, uint8_t out[16],
                 size_t *out_len)
{
	uint8_t key[16];
	size_t len;

	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
		/* 128/56/40-bit: how much of the key is hashed */
		unsigned bits = nk_seal_key_bits(flags);
		size_t n = bits == 128 ? 16 : bits == 56 ? 7 : 5;
		if (client_to_server)
			md5_key_magic(exported, n, seal_c2s, sizeof(seal_c2s), key);
		else
			md5_key_magic(exported, n, seal_s2c, sizeof(seal_s2c), key);
		len = 16;
	} else {
		len = seal_key_v1(flags, exported, key);
	}
	/* via key[]: out may alias exported */
	memcpy(out, key, 16);
	*out_len = len;
	ntlm_memzero(key, sizeof(key));
}

void nk_mic(const uint8_t exported[16], const uint8_t *neg, size_t neg_len, const uint8_t *chal,
            size_t chal_len, const uint8_t *auth, size_t auth_len, size_t mic_off, uint8_t out[16])
{
	static const uint8_t zero[16];
	cr_hmac_md5_ctx c;
	cr_hmac_md5_init(&c, exported, 16);
	cr_hmac_md5_update(&c, neg, neg_len);
	cr_hmac_md5_update(&c, chal, chal_len);
	if (mic_off <= auth_len && auth_len - mic_off >= sizeof(zero)) {
		/* the AUTHENTICATE as sent, its MIC field read as zero: no copy to patch */
		cr_hmac_md5_update(&c, auth, mic_off);
		cr_hmac_md5_update(&c, zero, sizeof(zero));
		cr_hmac_md5_update(&c, auth + mic_off + sizeof(zero), auth_len - mic_off - sizeof(zero));
	} else {
		cr_hmac_md5_update(&c, auth, auth_len);
	}
	cr_hmac_md5_final(&c, out);
}

void nk_rc4_oneshot(const uint8_t *key, size_t key_len, const uint8_t *in, uint8_t *out, size_t len)
{
	cr_rc4 c;
	cr_rc4_init(&c, key, key_len);
	cr_rc4_crypt(&c, out, in, len);
	cr_rc4_wipe(&c);
}
