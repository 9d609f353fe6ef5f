/*
 * crypto.c - the crypto shim over Nettle (hashes, HMAC, RC4, DES) and zlib
 * (CRC32); see crypto.h. No other file includes either library, so swapping
 * the backend touches only this file.
 */
#include "crypto.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <sys/random.h>

#include <nettle/arcfour.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <zlib.h>

#include "util.h"

/* The opaque storage in crypto.h must hold Nettle's structs. */
_Static_assert(sizeof(struct md5_ctx) <= sizeof(((cr_md5 *)0)->opaque), "cr_md5 too small");
_Static_assert(alignof(struct md5_ctx) <= alignof(cr_md5), "cr_md5 misaligned");
_Static_assert(sizeof(struct hmac_md5_ctx) <= sizeof(((cr_hmac_md5_ctx *)0)->opaque),
               "cr_hmac_md5 too small");
_Static_assert(alignof(struct hmac_md5_ctx) <= alignof(cr_hmac_md5_ctx), "cr_hmac_md5 misaligned");
_Static_assert(sizeof(struct arcfour_ctx) <= sizeof(((cr_rc4 *)0)->opaque), "cr_rc4 too small");
_Static_assert(alignof(struct arcfour_ctx) <= alignof(cr_rc4), "cr_rc4 misaligned");

static struct md5_ctx *md5_of(cr_md5 *c)
{
	return (struct md5_ctx *)(void *)c->opaque;
}

static struct hmac_md5_ctx *hmac_of(cr_hmac_md5_ctx *c)
{
	return (struct hmac_md5_ctx *)(void *)c->opaque;
}

static struct arcfour_ctx *rc4_of(cr_rc4 *c)
{
	return (struct arcfour_ctx *)(void *)c->opaque;
}

/* ------------------------------------------------------------ hashes */

void cr_md4(const uint8_t *data, size_t len, uint8_t out[16])
{
	struct md4_ctx ctx;
	md4_init(&ctx);
	md4_update(&ctx, len, data);
	md4_digest(&ctx, MD4_DIGEST_SIZE, out);
	/* the input is usually a password */
	ntlm_memzero(&ctx, sizeof(ctx));
}

void cr_md5_digest(const uint8_t *data, size_t len, uint8_t out[16])
{
	cr_md5 c;
	cr_md5_init(&c);
	cr_md5_update(&c, data, len);
	cr_md5_final(&c, out);
}

void cr_md5_init(cr_md5 *c)
{
	md5_init(md5_of(c));
}

void cr_md5_update(cr_md5 *c, const uint8_t *data, size_t len)
{
	md5_update(md5_of(c), len, data);
}

void cr_md5_final(cr_md5 *c, uint8_t out[16])
{
	md5_digest(md5_of(c), MD5_DIGEST_SIZE, out);
	ntlm_memzero(c, sizeof(*c));
}

/* -------------------------------------------------------------- HMAC */

void cr_hmac_md5(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
                 uint8_t out[16])
{
	cr_hmac_md5_ctx c;
	cr_hmac_md5_init(&c, key, key_len);
	cr_hmac_md5_update(&c, data, len);
	cr_hmac_md5_final(&c, out);
}

void cr_hmac_md5_init(cr_hmac_md5_ctx *c, const uint8_t *key, size_t key_len)
{
	hmac_md5_set_key(hmac_of(c), key_len, key);
}

void cr_hmac_md5_update(cr_hmac_md5_ctx *c, const uint8_t *data, size_t len)
{
	hmac_md5_update(hmac_of(c), len, data);
}

void cr_hmac_md5_final(cr_hmac_md5_ctx *c, uint8_t out[16])
{
	hmac_md5_digest(hmac_of(c), MD5_DIGEST_SIZE, out);
	/* the inner/outer states are key material */
	ntlm_memzero(c, sizeof(*c));
}

/* --------------------------------------------------------------- RC4 */

void cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t key_len)
{
	/* Nettle aborts outside 1..256 bytes; NTLM keys are 5..16 bytes. */
	arcfour_set_key(rc4_of(c), key_len, key);
}

void cr_rc4_crypt(cr_rc4 *c, uint8_t *dst, const uint8_t *src, size_t len)
{
	arcfour_crypt(rc4_of(c), len, dst, src);
}

void cr_rc4_wipe(cr_rc4 *c)
{
	ntlm_memzero(c, sizeof(*c));
}

/* --------------------------------------------------------------- DES */

/* Spreads 56 key bits over 8 bytes, 7 per byte in the high bits ([MS-NLMP] 6). */
static void des_expand_key(const uint8_t k[7], uint8_t out[8])
{
	out[0] = k[0];
	for (int i = 1; i < 7; i++)
		out[i] = (uint8_t)((k[i - 1] << (8 - i)) | (k[i] >> i));
	out[7] = (uint8_t)(k[6] << 1);
	des_fix_parity(8, out, out);
}

void cr_des56_encrypt(const uint8_t key7[7], const uint8_t in[8], uint8_t out[8])
{
	uint8_t key8[8];
	struct des_ctx ctx;

	des_expand_key(key7, key8);
	/*
	 * des_set_key returns 0 for weak keys but still schedules them. NTLM
	 * derives keys from hashes and padding (e.g. the all-zero tail of
	 * DESL), so a weak key is legitimate here: the result is ignored.
	 */
	(void)des_set_key(&ctx, key8);
	des_encrypt(&ctx, DES_BLOCK_SIZE, out, in);
	ntlm_memzero(&ctx, sizeof(ctx));
	ntlm_memzero(key8, sizeof(key8));
}

/* ------------------------------------------------------------- CRC32 */

uint32_t cr_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
	uLong v = crc;
	/* zlib takes uInt lengths; feed larger inputs in pieces */
	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;
		v = crc32(v, data, n);
		data += n;
		len -= n;
	}
	return (uint32_t)v;
}

/* ------------------------------------------------------------ random */

ntlm_err cr_random(uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ntlm_memzero(buf, len);
			return NTLM_E_RANDOM;
		}
		/* large requests and signals can yield short reads */
		got += (size_t)n;
	}
	return NTLM_OK;
}
