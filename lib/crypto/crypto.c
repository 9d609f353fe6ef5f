/*
 * crypto.c - the crypto shim over Nettle (hashes, HMAC, RC4, DES) and zlib
 * (CRC32); see crypto.h. No other file includes either library, so swapping
 * the backend touches only this file.
 */
#include "crypto.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <sys/random.h>

#include <nettle/arcfour.h>
#include <nettle/des.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/version.h>
#include <string.h>
#include <zlib.h>

#include "mem.h"

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

/* ------------------------------------------------ HMAC, key scheduled */

/*
 * The midstates are Nettle's own: hmac_md5_set_key leaves the MD5 states
 * after one block each in ctx->inner and ctx->outer. A message then resumes
 * from a midstate by restoring struct md5_ctx's public fields (state, block
 * count 1, empty buffer), which Nettle has had in this form since 3.0.
 */
_Static_assert(NETTLE_VERSION_MAJOR >= 3, "md5_ctx field layout of Nettle 3 assumed");
_Static_assert(sizeof(((struct md5_ctx *)0)->state) == sizeof(((cr_hmac_md5_key *)0)->inner),
               "MD5 state size");

void cr_hmac_md5_key_init(cr_hmac_md5_key *k, const uint8_t *key, size_t key_len)
{
	struct hmac_md5_ctx h;
	hmac_md5_set_key(&h, key_len, key);
	memcpy(k->inner, h.inner.state, sizeof(k->inner));
	memcpy(k->outer, h.outer.state, sizeof(k->outer));
	ntlm_memzero(&h, sizeof(h));
}

static void md5_resume(struct md5_ctx *m, const uint32_t mid[4])
{
	memcpy(m->state, mid, sizeof(m->state));
	m->count = 1; /* the key block */
	m->index = 0;
}

void cr_hmac_md5_start(cr_md5 *c, const cr_hmac_md5_key *k)
{
	md5_resume(md5_of(c), k->inner);
}

void cr_hmac_md5_finish(cr_md5 *c, const cr_hmac_md5_key *k, uint8_t out[16])
{
	uint8_t inner[MD5_DIGEST_SIZE];
	struct md5_ctx *m = md5_of(c);
	md5_digest(m, MD5_DIGEST_SIZE, inner);
	md5_resume(m, k->outer);
	md5_update(m, MD5_DIGEST_SIZE, inner);
	md5_digest(m, MD5_DIGEST_SIZE, out);
	ntlm_memzero(inner, sizeof(inner));
	ntlm_memzero(c, sizeof(*c));
}

/* --------------------------------------------------------------- RC4 */

_Static_assert(sizeof(((struct arcfour_ctx *)0)->S) == 256, "arcfour_ctx.S");

/*
 * The RC4 key schedule, written into Nettle's (public) arcfour_ctx so that
 * arcfour_crypt continues from it. Nettle's arcfour_set_key advances the key
 * index with a division per byte; a handshake schedules three RC4 keys per
 * side, and this form takes about half the time. Known-answer tests in
 * tests/unit/test_crypto.c hold it to the reference.
 */
static const uint8_t rc4_identity[256] = {
#define ID16(x)                                                                                    \
	x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9, x + 10, x + 11, x + 12,      \
		x + 13, x + 14, x + 15
	ID16(0),   ID16(16),  ID16(32),  ID16(48),  ID16(64),  ID16(80),
	ID16(96),  ID16(112), ID16(128), ID16(144), ID16(160), ID16(176),
	ID16(192), ID16(208), ID16(224), ID16(240)
#undef ID16
};

void cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t key_len)
{
	/* NTLM keys are 5..16 bytes; like Nettle, anything outside 1..256 is a bug. */
	if (key_len < 1 || key_len > 256)
		abort();
	struct arcfour_ctx *r = rc4_of(c);
	uint8_t *S = r->S;
	unsigned j = 0;
	size_t k = 0;
	memcpy(S, rc4_identity, 256);
	if (key_len == 16) {
		/* Every NTLM key but the 40/56-bit ones: no key-index wrap test. */
		for (unsigned i = 0; i < 256; i++) {
			uint8_t t = S[i];
			j = (j + t + key[i & 15]) & 0xff;
			S[i] = S[j];
			S[j] = t;
		}
		r->i = 0;
		r->j = 0;
		return;
	}
	for (unsigned i = 0; i < 256; i++) {
		uint8_t t = S[i];
		j = (j + t + key[k]) & 0xff;
		S[i] = S[j];
		S[j] = t;
		if (++k == key_len)
			k = 0;
	}
	r->i = 0;
	r->j = 0;
}

void cr_rc4_crypt(cr_rc4 *c, uint8_t *dst, const uint8_t *src, size_t len)
{
	arcfour_crypt(rc4_of(c), len, dst, src);
}

void cr_rc4_wipe(cr_rc4 *c)
{
	ntlm_memzero(c, sizeof(*c));
}

void cr_rc4_save(const cr_rc4 *c, uint8_t out[CR_RC4_STATE_SIZE])
{
	const struct arcfour_ctx *r = (const struct arcfour_ctx *)(const void *)c->opaque;
	memcpy(out, r->S, 256);
	out[256] = r->i;
	out[257] = r->j;
}

int cr_rc4_load(cr_rc4 *c, const uint8_t in[CR_RC4_STATE_SIZE])
{
	uint8_t seen[256] = {0};
	for (size_t k = 0; k < 256; k++) {
		if (seen[in[k]])
			return -1;
		seen[in[k]] = 1;
	}
	struct arcfour_ctx *r = rc4_of(c);
	memcpy(r->S, in, 256);
	r->i = in[256];
	r->j = in[257];
	return 0;
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
