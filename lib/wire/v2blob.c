/*
 * v2blob.c - the NTLMv2 response of [MS-NLMP] 2.2.2.8 in both directions:
 * the client encodes its NTLMv2_CLIENT_CHALLENGE ("temp") here, the server
 * and the tools decode it here, with the same struct (nw_v2_response).
 *
 *    0  NTProofStr (Response)           16
 *   16  RespType = 1                     1   <- temp starts here
 *   17  HiRespType = 1                   1
 *   18  Reserved1                        2
 *   20  Reserved2                        4
 *   24  TimeStamp (FILETIME)             8
 *   32  ChallengeFromClient              8
 *   40  Reserved3                        4
 *   44  AvPairs                          variable (at least MsvAvEOL: 4)
 *       Z(4)                             written by the encoder, as Windows does
 */
#include <string.h>

#include "buf.h"
#include "try.h"
#include "wire.h"

#define V2_PROOF_SIZE   NW_PROOF_SIZE
#define V2_RESPONSE_MIN 48
#define V2_RESP_TYPE    1

ntlm_err nw_v2_temp_write(nb_writer *w, const nw_v2_response *r)
{
	if (!w || !r || (r->av_len && !r->av_pairs))
		return NTLM_E_INVALID_PARAMETER;
	nb_writer_reserve(w, V2_RESPONSE_MIN - V2_PROOF_SIZE + r->av_len);
	nb_write_u8(w, V2_RESP_TYPE);
	nb_write_u8(w, V2_RESP_TYPE); /* HiRespType */
	nb_write_zeros(w, 6);
	nb_write_u64le(w, r->timestamp);
	nb_write_bytes(w, r->client_challenge, sizeof(r->client_challenge));
	nb_write_zeros(w, 4);
	nb_write_bytes(w, r->av_pairs, r->av_len);
	nb_write_zeros(w, 4);
	/* the writer's error is sticky, so one check at the end suffices */
	return w->err;
}

ntlm_err nw_v2_temp_encode(const nw_v2_response *r, ntlm_buffer *temp)
{
	nb_writer w;
	nb_writer_init(&w);
	ntlm_err rc = nw_v2_temp_write(&w, r);
	if (rc != NTLM_OK) {
		nb_writer_free(&w);
		return rc;
	}
	return nb_writer_finish(&w, temp);
}

static ntlm_err v2_response_read(nb_reader *r, nw_v2_response *out, nw_fault *fault)
{
	uint8_t resp_type, hi_resp_type;
	NTLM_TRY(nb_read_view(r, V2_PROOF_SIZE, &out->proof));
	out->temp_len = nb_remaining(r);
	NTLM_TRY(nb_read_view(r, out->temp_len, &out->temp));
	nb_reader_init(r, out->temp, out->temp_len);
	NTLM_TRY(nb_read_u8(r, &resp_type));
	NTLM_TRY(nb_read_u8(r, &hi_resp_type));
	if (resp_type != V2_RESP_TYPE || hi_resp_type != V2_RESP_TYPE) {
		nw_fault_set(fault, "RespType/HiRespType", V2_PROOF_SIZE, "%u/%u, expected 1/1", resp_type,
		             hi_resp_type);
		return NTLM_E_BAD_RESPONSE;
	}
	NTLM_TRY(nb_skip(r, 6)); /* Reserved1, Reserved2: ignored on receipt */
	NTLM_TRY(nb_read_u64le(r, &out->timestamp));
	NTLM_TRY(nb_read_bytes(r, out->client_challenge, sizeof(out->client_challenge)));
	NTLM_TRY(nb_skip(r, 4)); /* Reserved3 */
	out->av_len = nb_remaining(r);
	return nb_read_view(r, out->av_len, &out->av_pairs);
}

ntlm_err nw_v2_response_parse_fault(const uint8_t *nt_response, size_t len, nw_v2_response *out,
                                    nw_fault *fault)
{
	nb_reader r;
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	memset(out, 0, sizeof(*out));
	if (!nt_response || len < V2_RESPONSE_MIN) {
		nw_fault_set(fault, "NtChallengeResponse", 0,
		             "%zu bytes: too long for NTLMv1 (24) and too short for NTLMv2 (at least %d)",
		             len, V2_RESPONSE_MIN);
		return NTLM_E_BAD_RESPONSE;
	}
	nb_reader_init(&r, nt_response, len);
	ntlm_err rc = v2_response_read(&r, out, fault);
	if (rc != NTLM_OK) {
		memset(out, 0, sizeof(*out));
		/* every layout fault of a response is one error to the caller */
		return NTLM_E_BAD_RESPONSE;
	}
	return NTLM_OK;
}

ntlm_err nw_v2_response_parse(const uint8_t *nt_response, size_t len, nw_v2_response *out)
{
	return nw_v2_response_parse_fault(nt_response, len, out, NULL);
}
