/*
 * fuzz_dcom_common.h - what the DCOM wire fuzz targets share: a table entry
 * per codec pair (dcom/ndr.h's NDR_CODEC), the errors a decoder may return,
 * and the round-trip invariant.
 */
#ifndef NTLM_FUZZ_DCOM_COMMON_H
#define NTLM_FUZZ_DCOM_COMMON_H

#include "fuzz_common.h"
#include "ndr.h"

/* A codec pair behind untyped calls (wrappers, so no call goes through a cast pointer). */
typedef struct fz_codec {
	size_t size;
	ntlm_err (*decode)(const uint8_t *in, size_t len, void *out);
	ntlm_err (*encode)(const void *in, ntlm_buffer *out);
	/* what the target checks further in a decoded value (may be NULL) */
	void (*deeper)(const void *value);
} fz_codec;

#define FZ_CODEC_WRAP(type)                                                                        \
	static ntlm_err fz_dec_##type(const uint8_t *in, size_t len, void *out)                        \
	{                                                                                              \
		return type##_decode(in, len, out);                                                        \
	}                                                                                              \
	static ntlm_err fz_enc_##type(const void *in, ntlm_buffer *out)                                \
	{                                                                                              \
		return type##_encode(in, out);                                                             \
	}
#define FZ_CODEC(type, deeper)                                                                     \
	{                                                                                              \
		sizeof(type), fz_dec_##type, fz_enc_##type, deeper                                         \
	}

/* The errors ndr.h documents for a decoder: anything else is a finding. */
static inline int fz_dcom_decode_error(ntlm_err rc)
{
	return rc == NTLM_E_TRUNCATED || rc == NTLM_E_FIELD_RANGE ||
	       rc == NTLM_E_BAD_SIGNATURE_HEADER || rc == NTLM_E_BAD_STRING ||
	       rc == NTLM_E_UNSUPPORTED || rc == NTLM_E_NO_MEMORY;
}

/* Decodes in with c; a bad input fails cleanly, a good one runs the deeper checks. */
static inline void *fz_dcom_decode(const fz_codec *c, const uint8_t *in, size_t len)
{
	void *v = calloc(1, c->size);
	FZ_CHECK(v != NULL);
	ntlm_err rc = c->decode(in, len, v);
	if (rc != NTLM_OK) {
		FZ_CHECK(fz_dcom_decode_error(rc));
		free(v);
		return NULL;
	}
	if (c->deeper)
		c->deeper(v);
	return v;
}

/*
 * What decodes re-encodes, and the encoding is a fixed point: encode(v) =
 * e1, decode(e1) = v2, encode(v2) = e1 byte for byte (the canonical form:
 * extensions dropped, padding zeroed, referent ids renumbered).
 */
static inline void fz_dcom_roundtrip(const fz_codec *c, const void *v)
{
	ntlm_buffer e1 = {NULL, 0}, e2 = {NULL, 0};
	FZ_CHECK(c->encode(v, &e1) == NTLM_OK);
	void *v2 = calloc(1, c->size);
	FZ_CHECK(v2 != NULL);
	FZ_CHECK(c->decode(e1.data, e1.len, v2) == NTLM_OK);
	FZ_CHECK(c->encode(v2, &e2) == NTLM_OK);
	FZ_CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
	free(v2);
	ntlm_buffer_free(&e1);
	ntlm_buffer_free(&e2);
}

/* The first byte picks the codec; the rest is its input. */
static inline void fz_dcom_run(const fz_codec *table, size_t n, const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	const fz_codec *c = &table[data[0] % n];
	void *v = fz_dcom_decode(c, data + 1, size - 1);
	if (!v)
		return;
	fz_dcom_roundtrip(c, v);
	free(v);
}

#endif
