/* Target functions: nw_authenticate_decode, nw_authenticate_encode, nw_v2_response_parse */
/*
 * An AUTHENTICATE_MESSAGE from the network (what a server receives).
 * Whatever decodes must re-encode (with the MIC field when it had one) to a
 * message that decodes to the same fields; the re-encoding is a fixed point.
 */
#include "fuzz_common.h"
#include "try.h"

static void same_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	FZ_CHECK(an == bn);
	FZ_CHECK(an == 0 || memcmp(a, b, an) == 0);
}

static void same_authenticate(const nw_authenticate *a, const nw_authenticate *b)
{
	FZ_CHECK(a->flags == b->flags);
	same_bytes(a->lm_response, a->lm_response_len, b->lm_response, b->lm_response_len);
	same_bytes(a->nt_response, a->nt_response_len, b->nt_response, b->nt_response_len);
	same_bytes(a->encrypted_session_key, a->encrypted_session_key_len, b->encrypted_session_key,
	           b->encrypted_session_key_len);
	FZ_CHECK(strcmp(a->domain, b->domain) == 0);
	FZ_CHECK(strcmp(a->user, b->user) == 0);
	FZ_CHECK(strcmp(a->workstation, b->workstation) == 0);
	FZ_CHECK(a->has_version == b->has_version);
	FZ_CHECK(!a->has_version || memcmp(&a->version, &b->version, sizeof(a->version)) == 0);
	FZ_CHECK(a->has_mic_field == b->has_mic_field);
	FZ_CHECK(!a->has_mic_field || memcmp(a->mic, b->mic, 16) == 0);
}

static ntlm_err encode(const nw_authenticate *m, ntlm_buffer *out)
{
	NTLM_TRY(nw_authenticate_encode(m, m->has_mic_field, out));
	if (m->has_mic_field)
		memcpy(out->data + NW_AUTH_MIC_OFFSET, m->mic, 16);
	return NTLM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fz_dup(data, size);
	nw_authenticate m, m2;
	ntlm_err rc = nw_authenticate_decode(in, size, &m);
	if (rc == NTLM_OK) {
		/* never NULL after a successful decode */
		FZ_CHECK(m.domain && m.user && m.workstation);
		ntlm_buffer enc = {NULL, 0}, enc2 = {NULL, 0};
		FZ_CHECK(encode(&m, &enc) == NTLM_OK);
		FZ_CHECK(nw_authenticate_decode(enc.data, enc.len, &m2) == NTLM_OK);
		same_authenticate(&m, &m2);
		FZ_CHECK(encode(&m2, &enc2) == NTLM_OK);
		FZ_CHECK(enc.len == enc2.len && memcmp(enc.data, enc2.data, enc.len) == 0);
		nw_authenticate_clear(&m2);
		ntlm_buffer_free(&enc);
		ntlm_buffer_free(&enc2);

		nw_v2_response v2;
		if (nw_v2_response_parse(m.nt_response, m.nt_response_len, &v2) == NTLM_OK) {
			nw_av_list av;
			if (nw_av_parse(v2.av_pairs, v2.av_len, &av) == NTLM_OK)
				nw_av_clear(&av);
		}
	} else {
		FZ_CHECK(m.lm_response == NULL && m.nt_response == NULL && m.user == NULL &&
		         m.domain == NULL && m.workstation == NULL && m.encrypted_session_key == NULL);
	}
	nw_authenticate_clear(&m);
	free(in);
	return 0;
}
