/* Target functions: nw_challenge_decode, nw_challenge_encode, nw_av_parse */
/*
 * A CHALLENGE_MESSAGE from the network (what a client receives). Whatever
 * decodes must re-encode to a message that decodes to the same fields; the
 * re-encoding is a fixed point. The TargetInfo is also run through the AV
 * pair parser, as the client does.
 */
#include "fuzz_common.h"

static void same_challenge(const nw_challenge *a, const nw_challenge *b)
{
	FZ_CHECK(a->flags == b->flags);
	FZ_CHECK(memcmp(a->server_challenge, b->server_challenge, 8) == 0);
	FZ_CHECK((a->target_name == NULL) == (b->target_name == NULL));
	FZ_CHECK(!a->target_name || strcmp(a->target_name, b->target_name) == 0);
	FZ_CHECK(a->target_info_len == b->target_info_len);
	FZ_CHECK(!a->target_info_len ||
	         memcmp(a->target_info, b->target_info, a->target_info_len) == 0);
	FZ_CHECK(a->has_version == b->has_version);
	FZ_CHECK(!a->has_version || memcmp(&a->version, &b->version, sizeof(a->version)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fz_dup(data, size);
	nw_challenge m, m2;
	ntlm_err rc = nw_challenge_decode(in, size, &m);
	if (rc == NTLM_OK) {
		ntlm_buffer enc = {NULL, 0}, enc2 = {NULL, 0};
		FZ_CHECK(nw_challenge_encode(&m, &enc) == NTLM_OK);
		FZ_CHECK(nw_challenge_decode(enc.data, enc.len, &m2) == NTLM_OK);
		same_challenge(&m, &m2);
		FZ_CHECK(nw_challenge_encode(&m2, &enc2) == NTLM_OK);
		FZ_CHECK(enc.len == enc2.len && memcmp(enc.data, enc2.data, enc.len) == 0);
		nw_challenge_clear(&m2);
		ntlm_buffer_free(&enc);
		ntlm_buffer_free(&enc2);

		nw_av_list av;
		if (nw_av_parse(m.target_info, m.target_info_len, &av) == NTLM_OK)
			nw_av_clear(&av);
	} else {
		FZ_CHECK(m.target_name == NULL && m.target_info == NULL && m.target_info_len == 0);
	}
	nw_challenge_clear(&m);
	free(in);
	return 0;
}
