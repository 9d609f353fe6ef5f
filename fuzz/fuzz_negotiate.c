/* Target functions: nw_negotiate_decode, nw_negotiate_encode, nw_message_type */
/*
 * A NEGOTIATE_MESSAGE from the network. Whatever decodes must re-encode, and
 * the re-encoding must decode to the same fields and be a fixed point of
 * encode(decode(.)).
 */
#include "fuzz_common.h"

static void same_negotiate(const nw_negotiate *a, const nw_negotiate *b)
{
	FZ_CHECK(a->flags == b->flags);
	FZ_CHECK((a->domain == NULL) == (b->domain == NULL));
	FZ_CHECK(!a->domain || strcmp(a->domain, b->domain) == 0);
	FZ_CHECK((a->workstation == NULL) == (b->workstation == NULL));
	FZ_CHECK(!a->workstation || strcmp(a->workstation, b->workstation) == 0);
	FZ_CHECK(a->has_version == b->has_version);
	FZ_CHECK(!a->has_version || memcmp(&a->version, &b->version, sizeof(a->version)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = fz_dup(data, size);
	uint32_t type = 0;
	/* exercised for crashes only: the decode below judges the message */
	NTLM_IGNORE_RESULT(nw_message_type(in, size, &type));

	nw_negotiate m, m2;
	ntlm_err rc = nw_negotiate_decode(in, size, &m);
	if (rc == NTLM_OK) {
		FZ_CHECK(type == NW_NEGOTIATE);
		ntlm_buffer enc = {NULL, 0}, enc2 = {NULL, 0};
		FZ_CHECK(nw_negotiate_encode(&m, &enc) == NTLM_OK);
		FZ_CHECK(nw_negotiate_decode(enc.data, enc.len, &m2) == NTLM_OK);
		same_negotiate(&m, &m2);
		FZ_CHECK(nw_negotiate_encode(&m2, &enc2) == NTLM_OK);
		FZ_CHECK(enc.len == enc2.len && memcmp(enc.data, enc2.data, enc.len) == 0);
		nw_negotiate_clear(&m2);
		ntlm_buffer_free(&enc);
		ntlm_buffer_free(&enc2);
	} else {
		/* a failed decode leaves the struct cleared */
		FZ_CHECK(m.domain == NULL && m.workstation == NULL && m.flags == 0);
	}
	nw_negotiate_clear(&m);
	free(in);
	return 0;
}
