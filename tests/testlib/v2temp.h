/* The NTLMv2 temp (client challenge) through the codec's encoder (v2blob.c), for tests. */
#ifndef NTLM_T_V2TEMP_H
#define NTLM_T_V2TEMP_H

#include <string.h>

#include "wire.h"

static inline ntlm_err v2_temp(uint64_t t, const uint8_t cc[8], const uint8_t *av, size_t av_len,
                               ntlm_buffer *out)
{
	nw_v2_response r;
	memset(&r, 0, sizeof(r));
	r.timestamp = t;
	memcpy(r.client_challenge, cc, 8);
	r.av_pairs = av;
	r.av_len = av_len;
	return nw_v2_temp_encode(&r, out);
}

#endif
