/* stub_codec.h - a codec pair that answers NTLM_E_UNSUPPORTED (until its module is written). */
#ifndef DCOM_STUB_CODEC_H
#define DCOM_STUB_CODEC_H

#include <string.h>

#define NDR_CODEC_STUB(type)                                                                       \
	ntlm_err type##_encode(const type *in, ntlm_buffer *out)                                       \
	{                                                                                              \
		(void)in;                                                                                  \
		out->data = NULL;                                                                          \
		out->len = 0;                                                                              \
		return NTLM_E_UNSUPPORTED;                                                                 \
	}                                                                                              \
	ntlm_err type##_decode(const uint8_t *in, size_t len, type *out)                               \
	{                                                                                              \
		(void)in;                                                                                  \
		(void)len;                                                                                 \
		memset(out, 0, sizeof(*out));                                                              \
		return NTLM_E_UNSUPPORTED;                                                                 \
	}

#endif
