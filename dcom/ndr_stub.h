/*
 * ndr_stub.h - how a stub's codec pair is made from its reader and writer
 * functions (static get_X(nb_reader *, X *) and put_X(ndr_writer *, const X *)),
 * so every stub module states only its fields.
 */
#ifndef DCOM_NDR_STUB_H
#define DCOM_NDR_STUB_H

#include <string.h>

#include "ndr.h"

/* Runs a stub decoder over in/len. */
#define DECODE_WITH(fn, in, len, out)                                                              \
	do {                                                                                           \
		nb_reader r_;                                                                              \
		memset((out), 0, sizeof(*(out)));                                                          \
		nb_reader_init(&r_, (in), (len));                                                          \
		return (fn)(&r_, (out));                                                                   \
	} while (0)

/* Runs a stub encoder into a fresh writer and hands out the bytes. */
#define ENCODE_WITH(fn, in, out)                                                                   \
	do {                                                                                           \
		ndr_writer nw_;                                                                            \
		ndr_writer_init(&nw_);                                                                     \
		(fn)(&nw_, (in));                                                                          \
		return ndr_writer_finish(&nw_, (out));                                                     \
	} while (0)

/* The codec pair of a stub from its static get_X / put_X. */
#define STUB_CODEC(type, get, put)                                                                 \
	ntlm_err type##_decode(const uint8_t *in, size_t len, type *out)                               \
	{                                                                                              \
		DECODE_WITH(get, in, len, out);                                                            \
	}                                                                                              \
	ntlm_err type##_encode(const type *in, ntlm_buffer *out)                                       \
	{                                                                                              \
		ENCODE_WITH(put, in, out);                                                                 \
	}

#endif
