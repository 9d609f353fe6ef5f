/* Target functions: spnego_decode, spnego_encode_init, spnego_encode_resp (tools/ntlm_auth/spnego.c) */
/*
 * ntlm_auth's SPNEGO codec fed any bytes a Negotiate header can carry.
 * Invariants: no crash, no read outside the input; every view a decoded
 * token holds lies inside the input; a NegTokenResp, encoded again from
 * its fields, decodes to the same fields; a NegTokenInit offering NTLM
 * alone, encoded again with its mechToken, decodes to the same token.
 */
#include "fuzz_common.h"
#include "spnego.h"

static int inside(spnego_view v, const uint8_t *data, size_t size)
{
	if (!v.data)
		return v.len == 0;
	return v.data >= data && v.len <= size && (size_t)(v.data - data) <= size - v.len;
}

static int same(spnego_view a, spnego_view b)
{
	if (!a.data || !b.data)
		return !a.data && !b.data;
	return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

static void check_resp(const spnego_token *t)
{
	ntlm_buffer out = {NULL, 0};
	spnego_token u;
	FZ_CHECK(spnego_encode_resp(t->neg_state, t->supported_mech == 1, t->mech_token.data,
	                            t->mech_token.len, t->mic.data, t->mic.len, &out) == NTLM_OK);
	FZ_CHECK(spnego_decode(out.data, out.len, &u) == NTLM_OK);
	FZ_CHECK(u.kind == SPNEGO_RESP && u.neg_state == t->neg_state);
	FZ_CHECK(u.supported_mech == (t->supported_mech == 1));
	FZ_CHECK(same(u.mech_token, t->mech_token) && same(u.mic, t->mic));
	ntlm_buffer_free(&out);
}

static void check_init(const spnego_token *t)
{
	ntlm_buffer out = {NULL, 0};
	spnego_token u;
	FZ_CHECK(spnego_encode_init(t->mech_token.data, t->mech_token.len, &out) == NTLM_OK);
	FZ_CHECK(spnego_decode(out.data, out.len, &u) == NTLM_OK);
	FZ_CHECK(u.kind == SPNEGO_INIT && u.ntlm_first && u.n_mechs == 1);
	FZ_CHECK(same(u.mech_token, t->mech_token) && !u.mic.data);
	ntlm_buffer_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	spnego_token t;
	if (spnego_decode(data, size, &t) != NTLM_OK)
		return 0;
	FZ_CHECK(t.kind == SPNEGO_INIT || t.kind == SPNEGO_RESP);
	FZ_CHECK(inside(t.mech_token, data, size) && inside(t.mic, data, size));
	FZ_CHECK(inside(t.mech_types, data, size));
	FZ_CHECK(!t.ntlm_first || t.ntlm_offered);
	if (t.kind == SPNEGO_RESP)
		check_resp(&t);
	else if (t.ntlm_first && t.n_mechs == 1)
		check_init(&t);
	return 0;
}
