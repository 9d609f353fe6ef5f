/* test_rpc_pdu.c - the DCE/RPC PDU codec: encodings, and refusal of malformed input. */
#include "pdu.h"
#include "t.h"
#include "mem.h"

static ntlm_rpc_syntax demo(void)
{
	ntlm_rpc_syntax s = {{0}, 1, 0};
	T_SETUP(ntlm_rpc_uuid_parse("5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60", s.uuid));
	return s;
}

/* Runs an encoder into a fresh buffer. */
#define ENCODE(buf, call)                                                                          \
	do {                                                                                           \
		nb_writer w_;                                                                              \
		nb_writer_init(&w_);                                                                       \
		T_OK(call);                                                                                \
		T_OK(nb_writer_finish(&w_, &(buf)));                                                       \
		nb_writer_free(&w_);                                                                       \
	} while (0)

static void test_uuid_text(void)
{
	uint8_t wire[16];
	char text[37];
	T_ASSERT(ntlm_rpc_uuid_parse("8A885D04-1CEB-11C9-9FE8-08002B104860", wire) == NTLM_RPC_S_OK);
	T_BYTES(wire, rpc_ndr_syntax.uuid, 16);
	ntlm_rpc_uuid_format(wire, text);
	T_STR(text, "8a885d04-1ceb-11c9-9fe8-08002b104860");
	T_ASSERT(ntlm_rpc_uuid_parse("8a885d04-1ceb-11c9-9fe8-08002b10486", wire) ==
	         NTLM_RPC_S_INVALID_ARG);
	T_ASSERT(ntlm_rpc_uuid_parse("8a885d04+1ceb-11c9-9fe8-08002b104860", wire) ==
	         NTLM_RPC_S_INVALID_ARG);
	T_ASSERT(ntlm_rpc_uuid_parse("8a885d04-1ceb-11c9-9fe8-08002b10486g", wire) ==
	         NTLM_RPC_S_INVALID_ARG);
}

static void test_bind_roundtrip(void)
{
	ntlm_buffer b = {NULL, 0};
	ntlm_rpc_syntax s = demo(), got;
	ENCODE(b, rpc_put_bind(&w_, RPC_PT_BIND, 7, 0x1234, 3, &s));
	T_ASSERT(b.len == 72); /* [C706] 12.6.4.3 with one context and one transfer syntax */
	rpc_pdu p;
	rpc_bind_body body;
	rpc_ctx_elem e;
	T_OK(rpc_pdu_parse(b.data, b.len, &p));
	T_ASSERT(p.hdr.ptype == RPC_PT_BIND && p.hdr.call_id == 7 && !p.has_verifier);
	T_ASSERT(p.hdr.flags == (RPC_PFC_FIRST | RPC_PFC_LAST));
	T_OK(rpc_parse_bind(&p, &body));
	T_ASSERT(body.max_xmit == RPC_FRAG_OFFER && body.assoc_group == 0x1234 && body.n_ctx == 1);
	T_OK(rpc_next_ctx(&body.ctx_list, &e));
	T_ASSERT(e.ctx_id == 3 && e.n_transfer == 1 && rpc_syntax_equal(&e.abstract, &s));
	T_OK(rpc_next_syntax(&e.transfer_list, &got));
	T_ASSERT(rpc_syntax_equal(&got, &rpc_ndr_syntax));
	ntlm_buffer_free(&b);
}

static void test_ack_alignment(void)
{
	/* The result list is 4-aligned whatever the secondary address' length. */
	const char *addrs[] = {"", "1", "135", "49152", "/tmp/x.sock"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(addrs); i++) {
		ntlm_buffer b = {NULL, 0};
		rpc_result r = {RPC_RESULT_ACCEPT, 0, rpc_ndr_syntax}, got;
		ENCODE(b, rpc_put_ack(&w_, RPC_PT_BIND_ACK, 9, 4280, 5840, 77, addrs[i], &r, 1));
		rpc_pdu p;
		rpc_ack_body a;
		T_OK(rpc_pdu_parse(b.data, b.len, &p));
		T_OK(rpc_parse_ack(&p, &a));
		T_ASSERT(a.max_xmit == 4280 && a.max_recv == 5840 && a.assoc_group == 77 &&
		         a.n_results == 1);
		T_OK(rpc_next_result(&a.results, &got));
		T_ASSERT(got.result == RPC_RESULT_ACCEPT &&
		         rpc_syntax_equal(&got.transfer, &rpc_ndr_syntax));
		T_ASSERT(b.len % 4 == 0);
		ntlm_buffer_free(&b);
	}
}

static void test_nak_and_fault(void)
{
	ntlm_buffer b = {NULL, 0};
	uint16_t reason = 0;
	rpc_pdu p;
	rpc_call_body c;
	ENCODE(b, rpc_put_nak(&w_, 4, NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED));
	T_OK(rpc_pdu_parse(b.data, b.len, &p));
	T_OK(rpc_parse_nak(&p, &reason));
	T_ASSERT(reason == 8);
	ntlm_buffer_free(&b);
	ENCODE(b, rpc_put_fault(&w_, 5, 2, NTLM_RPC_FAULT_PROTO_ERROR, 1));
	T_ASSERT(b.len == 32);
	T_OK(rpc_pdu_parse(b.data, b.len, &p));
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(c.status == 0x1c01000bu && c.ctx_id == 2 && (p.hdr.flags & RPC_PFC_DID_NOT_EXECUTE));
	ntlm_buffer_free(&b);
}

static void test_request_with_object(void)
{
	uint8_t pdu[64];
	static const uint8_t hdr[] = {5, 0, 0, 0x83, 0x10, 0, 0, 0, 44, 0, 0, 0,
	                              1, 0, 0, 0,    4,    0, 0, 0, 1,  0, 9, 0};
	memcpy(pdu, hdr, sizeof(hdr));
	memset(pdu + 24, 0xAB, 16); /* object UUID */
	memcpy(pdu + 40, "stub", 4);
	rpc_pdu p;
	rpc_call_body c;
	T_OK(rpc_pdu_parse(pdu, 44, &p));
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(c.has_object && c.object[0] == 0xAB && c.opnum == 9 && c.ctx_id == 1);
	T_ASSERT(c.stub_off == 40 && c.stub_len == 4);
}

/* The encoder: the flag, the object after the opnum, the stub after it; and a round trip. */
static void test_put_request_object(void)
{
	static const uint8_t obj[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const uint8_t want[] = {5, 0, 0, 0x83, 0x10, 0,  0,  0,  44, 0,  0,   0,   7,   0,  0,
	                               0, 4, 0, 0,    0,    1,  0,  9,  0,  1,  2,   3,   4,   5,  6,
	                               7, 8, 9, 10,   11,   12, 13, 14, 15, 16, 's', 't', 'u', 'b'};
	ntlm_buffer b = {NULL, 0};
	nb_writer w;
	nb_writer_init(&w);
	T_OK(rpc_put_request_object(&w, 7, RPC_PFC_FIRST | RPC_PFC_LAST, 4, 1, 9, obj,
	                            (const uint8_t *)"stub", 4));
	T_OK(nb_writer_finish(&w, &b));
	nb_writer_free(&w);
	T_ASSERT(b.len == sizeof(want));
	T_BYTES(b.data, want, sizeof(want));
	ntlm_buffer_free(&b);
	/* without an object the flag is never set, even if the caller passed it */
	nb_writer_init(&w);
	T_OK(rpc_put_request_object(&w, 7, RPC_PFC_FIRST | RPC_PFC_LAST | RPC_PFC_OBJECT_UUID, 4, 1, 9,
	                            NULL, (const uint8_t *)"stub", 4));
	T_OK(nb_writer_finish(&w, &b));
	nb_writer_free(&w);
	rpc_pdu p;
	rpc_call_body c;
	T_OK(rpc_pdu_parse(b.data, b.len, &p));
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(!c.has_object && c.stub_off == 24 && c.stub_len == 4 && b.data[3] == 0x03);
	ntlm_buffer_free(&b);
}

static void test_verifier_layout(void)
{
	ntlm_buffer b = {NULL, 0};
	static const uint8_t token[5] = {1, 2, 3, 4, 5};
	nb_writer w;
	nb_writer_init(&w);
	T_OK(rpc_put_request(&w, 1, RPC_PFC_FIRST | RPC_PFC_LAST, 3, 0, 0, (const uint8_t *)"abc", 3));
	T_OK(rpc_put_verifier(&w, 10, 6, 13, 0x01020304, token, sizeof(token)));
	T_OK(nb_writer_finish(&w, &b));
	nb_writer_free(&w);
	rpc_pdu p;
	rpc_call_body c;
	T_OK(rpc_pdu_parse(b.data, b.len, &p));
	T_ASSERT(p.has_verifier && p.ver.auth_type == 10 && p.ver.auth_level == 6);
	T_ASSERT(p.ver.pad_len == 13 && p.ver.context_id == 0x01020304 && p.ver.value_len == 5);
	T_ASSERT(p.ver.trailer_off == 24 + 3 + 13);
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(c.stub_off == 24 && c.stub_len == 3);
	ntlm_buffer_free(&b);
}

/* One valid request, then each corruption must be refused. */
static void test_malformed(void)
{
	ntlm_buffer b = {NULL, 0};
	static const uint8_t sig[16];
	nb_writer w;
	nb_writer_init(&w);
	T_OK(rpc_put_request(&w, 1, RPC_PFC_FIRST | RPC_PFC_LAST, 4, 0, 0, (const uint8_t *)"abcd", 4));
	T_OK(rpc_put_verifier(&w, 10, 5, 12, 0, sig, 16));
	T_OK(nb_writer_finish(&w, &b));
	nb_writer_free(&w);
	uint8_t m[128];
	rpc_pdu p;
	rpc_call_body c;
	size_t n = b.len;
	T_ASSERT(n <= sizeof(m));
	memcpy(m, b.data, n);
	m[0] = 4;
	T_EXPECT_ERR(rpc_pdu_parse(m, n, &p), NTLM_E_BAD_MESSAGE_TYPE); /* version */
	memcpy(m, b.data, n);
	m[4] = 0x00;
	T_EXPECT_ERR(rpc_pdu_parse(m, n, &p), NTLM_E_UNSUPPORTED); /* big-endian drep */
	memcpy(m, b.data, n);
	T_EXPECT_ERR(rpc_pdu_parse(m, n - 1, &p), NTLM_E_FIELD_RANGE); /* frag_length != size */
	m[10] = 200;
	T_EXPECT_ERR(rpc_pdu_parse(m, n, &p), NTLM_E_FIELD_RANGE); /* auth_length too long */
	memcpy(m, b.data, n);
	m[10] = 15;
	T_EXPECT_ERR(rpc_pdu_parse(m, n, &p), NTLM_E_FIELD_RANGE); /* trailer not 4-aligned */
	memcpy(m, b.data, n);
	m[n - 16 - 6] = 17; /* auth_pad_length beyond the stub */
	T_OK(rpc_pdu_parse(m, n, &p));
	T_EXPECT_ERR(rpc_parse_call(&p, &c), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(rpc_pdu_parse(m, 10, &p), NTLM_E_TRUNCATED);
	uint16_t frag;
	memcpy(m, b.data, n);
	T_OK(rpc_peek_frag_len(m, &frag));
	T_ASSERT(frag == n);
	m[8] = 3;
	m[9] = 0;
	T_EXPECT_ERR(rpc_peek_frag_len(m, &frag), NTLM_E_FIELD_RANGE);
	ntlm_buffer_free(&b);
}

static void test_truncated_bodies(void)
{
	/* Every prefix of a bind must be refused by some layer, never read past. */
	ntlm_buffer b = {NULL, 0};
	ntlm_rpc_syntax s = demo();
	ENCODE(b, rpc_put_bind(&w_, RPC_PT_BIND, 1, 0, 0, &s));
	for (size_t cut = RPC_HDR_LEN; cut < b.len; cut++) {
		uint8_t m[80];
		memcpy(m, b.data, cut);
		m[8] = (uint8_t)cut; /* consistent frag_length */
		rpc_pdu p;
		rpc_bind_body body;
		rpc_ctx_elem e;
		ntlm_rpc_syntax ts;
		T_OK(rpc_pdu_parse(m, cut, &p));
		ntlm_err rc = rpc_parse_bind(&p, &body);
		if (rc == NTLM_OK)
			rc = rpc_next_ctx(&body.ctx_list, &e);
		if (rc == NTLM_OK)
			rc = rpc_next_syntax(&e.transfer_list, &ts);
		T_ASSERT(rc == NTLM_E_TRUNCATED);
	}
	ntlm_buffer_free(&b);
}

/* rpc_span is the bounds check behind every in-place view of a PDU. */
static void test_span_bounds(void)
{
	uint8_t pdu[32] = {0}, *span;
	T_OK(rpc_span(pdu, sizeof(pdu), 16, 16, &span));
	T_ASSERT(span == pdu + 16);
	T_OK(rpc_span(pdu, sizeof(pdu), 32, 0, &span));
	T_EXPECT_ERR(rpc_span(pdu, sizeof(pdu), 16, 17, &span), NTLM_E_FIELD_RANGE);
	T_ASSERT(span == NULL);
	T_EXPECT_ERR(rpc_span(pdu, sizeof(pdu), 33, 0, &span), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(rpc_span(pdu, sizeof(pdu), SIZE_MAX, 2, &span), NTLM_E_FIELD_RANGE);
}

/* rpcclient (Samba 4.17) -> srvsvc NetrServerGetInfo 101 at PKT_INTEGRITY, as captured: bitmask, pcontext. */
static const char samba_request[] =
	"0500000310000000a0001000040000006800000000001500000002000c000000000000000c0000005c005c00"
	"3100320037002e0030002e0030002e0031000000650000008ae3137102f43671010004000100000002402800"
	"c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b1048600200000000000000"
	"000000000a05080001000000010000008ff1387f3433c0a600000000";

static void test_vt_from_samba(void)
{
	uint8_t pdu[160];
	rpc_pdu p;
	rpc_call_body c;
	rpc_vt vt;
	ntlm_rpc_syntax srvsvc;
	int found = 0;
	T_ASSERT(t_unhex(samba_request, pdu, sizeof(pdu)) == sizeof(pdu));
	T_OK(rpc_pdu_parse(pdu, sizeof(pdu), &p));
	T_OK(rpc_parse_call(&p, &c));
	T_OK(rpc_vt_parse(pdu + c.stub_off, c.stub_len, &vt, &found));
	T_ASSERT(found && vt.off == 44);
	T_ASSERT(vt.have == (RPC_VT_HAVE_BITMASK | RPC_VT_HAVE_PCONTEXT));
	T_ASSERT(vt.bitmask == RPC_VT_CLIENT_HDR_SIGN);
	T_ASSERT(ntlm_rpc_uuid_parse("4b324fc8-1670-01d3-1278-5a47bf6ee188", srvsvc.uuid) == 0);
	srvsvc.major = 3;
	srvsvc.minor = 0;
	T_ASSERT(rpc_syntax_equal(&vt.abstract, &srvsvc));
	T_ASSERT(rpc_syntax_equal(&vt.transfer, &rpc_ndr_syntax));
}

static rpc_vt full_vt(void)
{
	rpc_vt vt;
	memset(&vt, 0, sizeof(vt));
	vt.have = RPC_VT_HAVE_BITMASK | RPC_VT_HAVE_PCONTEXT | RPC_VT_HAVE_HEADER2;
	vt.bitmask = RPC_VT_CLIENT_HDR_SIGN;
	T_SETUP(ntlm_rpc_uuid_parse("5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60", vt.abstract.uuid));
	vt.abstract.major = 1;
	vt.transfer = rpc_ndr_syntax;
	vt.ptype = RPC_PT_REQUEST;
	vt.drep[0] = RPC_DREP_LE;
	vt.call_id = 0x01020304;
	vt.ctx_id = 7;
	vt.opnum = 9;
	return vt;
}

/* stub (len bytes of 'a') + trailer, as our client sends it */
static ntlm_buffer stub_with_vt(size_t len, const rpc_vt *vt)
{
	ntlm_buffer out = {NULL, 0};
	nb_writer w;
	nb_writer_init(&w);
	for (size_t i = 0; i < len; i++)
		nb_write_u8(&w, 'a');
	rpc_put_vt(&w, len, vt);
	T_SETUP(nb_writer_finish(&w, &out));
	nb_writer_free(&w);
	return out;
}

static void test_vt_roundtrip(void)
{
	rpc_vt in = full_vt(), out;
	for (size_t len = 0; len < 9; len++) {
		ntlm_buffer b = stub_with_vt(len, &in);
		int found = 0;
		T_ASSERT(b.len == ((len + 3) & ~(size_t)3) + 8 + 8 + 44 + 20);
		T_OK(rpc_vt_parse(b.data, b.len, &out, &found));
		T_ASSERT(found && out.off == ((len + 3) & ~(size_t)3) && out.have == in.have);
		T_ASSERT(out.bitmask == 1 && rpc_syntax_equal(&out.abstract, &in.abstract) &&
		         rpc_syntax_equal(&out.transfer, &rpc_ndr_syntax));
		T_ASSERT(out.ptype == 0 && out.drep[0] == 0x10 && out.call_id == 0x01020304 &&
		         out.ctx_id == 7 && out.opnum == 9);
		/* the last command, and only it, carries SEC_VT_COMMAND_END */
		T_ASSERT(b.data[b.len - 20 + 1] == 0x40 && b.data[out.off + 8 + 1] == 0x00);
		ntlm_buffer_free(&b);
	}
}

static void test_vt_absent_or_not_ours(void)
{
	rpc_vt vt = full_vt(), out;
	int found = 1;
	T_OK(rpc_vt_parse(NULL, 0, &out, &found));
	T_ASSERT(!found);
	T_OK(rpc_vt_parse((const uint8_t *)"plain stub bytes", 16, &out, &found));
	T_ASSERT(!found);
	ntlm_buffer b = stub_with_vt(8, &vt);
	/* not 4-aligned: not a trailer */
	uint8_t shifted[200];
	shifted[0] = 'x';
	memcpy(shifted + 1, b.data, b.len);
	T_OK(rpc_vt_parse(shifted, b.len + 1, &out, &found));
	T_ASSERT(!found);
	/* bytes after the END command: not a trailer (the stub just contains the signature) */
	memcpy(shifted, b.data, b.len);
	memset(shifted + b.len, 0, 4);
	T_OK(rpc_vt_parse(shifted, b.len + 4, &out, &found));
	T_ASSERT(!found);
	/* no END on the last command */
	memcpy(shifted, b.data, b.len);
	shifted[b.len - 20 + 1] = 0x00;
	T_OK(rpc_vt_parse(shifted, b.len, &out, &found));
	T_ASSERT(!found);
	/* a length that runs past the end */
	memcpy(shifted, b.data, b.len);
	shifted[b.len - 20 + 2] = 0x20;
	T_OK(rpc_vt_parse(shifted, b.len, &out, &found));
	T_ASSERT(!found);
	/* only the last 1 KiB is searched */
	static uint8_t big[2048];
	memset(big, 'b', sizeof(big));
	memcpy(big, b.data + 8, b.len - 8);
	T_OK(rpc_vt_parse(big, sizeof(big), &out, &found));
	T_ASSERT(!found);
	memcpy(big + sizeof(big) - (b.len - 8), b.data + 8, b.len - 8);
	T_OK(rpc_vt_parse(big, sizeof(big), &out, &found));
	T_ASSERT(found && out.off == sizeof(big) - (b.len - 8) && out.opnum == 9);
	ntlm_buffer_free(&b);
}

static void test_vt_wrong(void)
{
	rpc_vt vt = full_vt(), out;
	int found = 0;
	uint8_t copy[200];
	/* a known command with the wrong length: a pcontext of 36 bytes */
	vt.have = RPC_VT_HAVE_PCONTEXT;
	ntlm_buffer one = stub_with_vt(8, &vt);
	memcpy(copy, one.data, one.len);
	copy[8 + 8 + 2] = 36;
	T_EXPECT_ERR(rpc_vt_parse(copy, one.len - 4, &out, &found), NTLM_E_BAD_MESSAGE_TYPE);
	T_ASSERT(found);
	/* a command given twice */
	static const uint8_t twice[] = {0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71,
	                                0x01, 0x00, 0x04, 0x00, 1,    0,    0,    0,
	                                0x01, 0x40, 0x04, 0x00, 0,    0,    0,    0};
	T_EXPECT_ERR(rpc_vt_parse(twice, sizeof(twice), &out, &found), NTLM_E_BAD_MESSAGE_TYPE);
	/* an unknown command: skipped, unless it must be processed */
	static const uint8_t unknown[] = {'s',  't',  'u',  'b',  0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4,
	                                  0x36, 0x71, 0x09, 0x40, 0x04, 0x00, 1,    2,    3,    4};
	memcpy(copy, unknown, sizeof(unknown));
	T_OK(rpc_vt_parse(copy, sizeof(unknown), &out, &found));
	T_ASSERT(found && out.off == 4 && out.have == 0);
	copy[13] = 0xc0;
	T_EXPECT_ERR(rpc_vt_parse(copy, sizeof(unknown), &out, &found), NTLM_E_UNSUPPORTED);
	ntlm_buffer_free(&one);
	rpc_vt none;
	memset(&none, 0, sizeof(none));
	nb_writer w;
	nb_writer_init(&w);
	T_EXPECT_ERR(rpc_put_vt(&w, 0, &none), NTLM_E_INVALID_PARAMETER);
	nb_writer_free(&w);
}

int main(void)
{
	T_RUN(test_uuid_text);
	T_RUN(test_bind_roundtrip);
	T_RUN(test_ack_alignment);
	T_RUN(test_nak_and_fault);
	T_RUN(test_request_with_object);
	T_RUN(test_put_request_object);
	T_RUN(test_verifier_layout);
	T_RUN(test_malformed);
	T_RUN(test_truncated_bodies);
	T_RUN(test_span_bounds);
	T_RUN(test_vt_from_samba);
	T_RUN(test_vt_roundtrip);
	T_RUN(test_vt_absent_or_not_ours);
	T_RUN(test_vt_wrong);
	T_END();
}
