/*
 * crypto.h - the crypto shim. crypto.c is the only file that includes Nettle
 * (and zlib for CRC32). Context types are opaque storage sized for Nettle's
 * structs (checked by static assertions in crypto.c), so callers allocate
 * nothing and wipe with cr_*_wipe().
 */
#ifndef NTLM_CRYPTO_H
#define NTLM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

typedef struct cr_md5 {
	_Alignas(8) uint8_t opaque[128];
} cr_md5;

typedef struct cr_hmac_md5 {
	_Alignas(8) uint8_t opaque[384];
} cr_hmac_md5_ctx;

/* Byte-aligned and exactly Nettle's size: two of these live in every context. */
typedef struct cr_rc4 {
	uint8_t opaque[258];
} cr_rc4;

/*
 * An HMAC-MD5 key with its key schedule done: the MD5 states after the
 * inner (key ^ ipad) and outer (key ^ opad) blocks. Computing a MAC from it
 * costs no key-block compressions, so per-message MACs under a long-lived
 * key (session security) pay only for their data. Secret: wipe with
 * ntlm_memzero.
 */
typedef struct cr_hmac_md5_key {
	uint32_t inner[4], outer[4];
} cr_hmac_md5_key;

void cr_md4(const uint8_t *data, size_t len, uint8_t out[16]);
void cr_md5_digest(const uint8_t *data, size_t len, uint8_t out[16]);

void cr_md5_init(cr_md5 *c);
void cr_md5_update(cr_md5 *c, const uint8_t *data, size_t len);
void cr_md5_final(cr_md5 *c, uint8_t out[16]); /* also wipes c */

void cr_hmac_md5_init(cr_hmac_md5_ctx *c, const uint8_t *key, size_t key_len);
void cr_hmac_md5_update(cr_hmac_md5_ctx *c, const uint8_t *data, size_t len);
void cr_hmac_md5_final(cr_hmac_md5_ctx *c, uint8_t out[16]); /* also wipes c */

/* Key schedule once ... */
void cr_hmac_md5_key_init(cr_hmac_md5_key *k, const uint8_t *key, size_t key_len);
/* ... then per message: start, update (cr_md5_update), finish (also wipes c). */
void cr_hmac_md5_start(cr_md5 *c, const cr_hmac_md5_key *k);
void cr_hmac_md5_finish(cr_md5 *c, const cr_hmac_md5_key *k, uint8_t out[16]);

void cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t key_len);
/* In place is allowed (dst == src). */
void cr_rc4_crypt(cr_rc4 *c, uint8_t *dst, const uint8_t *src, size_t len);
void cr_rc4_wipe(cr_rc4 *c);
/* The state as bytes (an exported context carries it): S-box, i, j. */
#define CR_RC4_STATE_SIZE 258
void cr_rc4_save(const cr_rc4 *c, uint8_t out[CR_RC4_STATE_SIZE]);
/* Restores a saved state; refuses (returns -1) an S-box that is no permutation. */
int cr_rc4_load(cr_rc4 *c, const uint8_t in[CR_RC4_STATE_SIZE]);

/* DES-ECB encrypt of one block with a 56-bit key given as 7 bytes (parity added). */
void cr_des56_encrypt(const uint8_t key7[7], const uint8_t in[8], uint8_t out[8]);

uint32_t cr_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* getrandom(2), retried on EINTR; NTLM_E_RANDOM on failure. */
NTLM_MUST_CHECK ntlm_err cr_random(uint8_t *buf, size_t len);

#endif
