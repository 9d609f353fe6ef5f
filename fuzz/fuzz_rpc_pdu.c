/* Target functions: rpc_peek_frag_len, rpc_pdu_parse, rpc_parse_bind/ack/nak/call, rpc_next_ctx/syntax/result, rpc_span, rpc_put_* */
/*
 * The DCE/RPC PDU codec (rpc/pdu.c) fed one fragment as a peer sends it:
 * the common header, the sec_trailer and auth_value, and the body of every
 * PDU type the runtime reads.
 *
 * Input: the PDU (any bytes).
 *
 * Invariants: a parsed PDU's views (body, auth_value, stub) lie inside the
 * input; frag_length equals the input's length; what decodes re-encodes
 * (bind, ack, nak, request) to a PDU that decodes to the same fields.
 */
#include "fuzz_common.h"
#include "pdu.h"

/* p lies within [base, base + len). */
static int inside(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	return n == 0 || (p >= base && n <= len && (size_t)(p - base) <= len - n);
}

static void reparse(nb_writer *w, rpc_pdu *out, ntlm_buffer *buf)
{
	FZ_CHECK(nb_writer_finish(w, buf) == NTLM_OK);
	nb_writer_free(w);
	FZ_CHECK(rpc_pdu_parse(buf->data, buf->len, out) == NTLM_OK);
}

static void check_bind(const rpc_pdu *p)
{
	rpc_bind_body b;
	if (rpc_parse_bind(p, &b) != NTLM_OK)
		return;
	FZ_CHECK(inside(p->data, p->len, b.ctx_list.data, b.ctx_list.len));
	for (unsigned i = 0; i < b.n_ctx; i++) {
		rpc_ctx_elem e;
		if (rpc_next_ctx(&b.ctx_list, &e) != NTLM_OK)
			break;
		FZ_CHECK(e.transfer_list.len == (size_t)e.n_transfer * 20);
		ntlm_rpc_syntax ts;
		for (unsigned j = 0; j < e.n_transfer; j++)
			FZ_CHECK(rpc_next_syntax(&e.transfer_list, &ts) == NTLM_OK);
		/* one context re-encoded as a bind of its own */
		nb_writer w;
		rpc_pdu q;
		rpc_bind_body qb;
		rpc_ctx_elem qe;
		ntlm_buffer buf = {NULL, 0};
		nb_writer_init(&w);
		FZ_CHECK(rpc_put_bind(&w, p->hdr.ptype, p->hdr.call_id, b.assoc_group, e.ctx_id,
		                      &e.abstract) == NTLM_OK);
		reparse(&w, &q, &buf);
		FZ_CHECK(rpc_parse_bind(&q, &qb) == NTLM_OK && qb.n_ctx == 1 &&
		         qb.assoc_group == b.assoc_group && q.hdr.call_id == p->hdr.call_id);
		FZ_CHECK(rpc_next_ctx(&qb.ctx_list, &qe) == NTLM_OK && qe.ctx_id == e.ctx_id &&
		         rpc_syntax_equal(&qe.abstract, &e.abstract) && qe.n_transfer == 1);
		FZ_CHECK(rpc_next_syntax(&qe.transfer_list, &ts) == NTLM_OK &&
		         rpc_syntax_equal(&ts, &rpc_ndr_syntax));
		ntlm_buffer_free(&buf);
	}
}

static void check_ack(const rpc_pdu *p)
{
	rpc_ack_body a;
	rpc_result res[255];
	size_t n = 0;
	if (rpc_parse_ack(p, &a) != NTLM_OK)
		return;
	FZ_CHECK(inside(p->data, p->len, a.results.data, a.results.len));
	while (n < a.n_results && rpc_next_result(&a.results, &res[n]) == NTLM_OK)
		n++;
	nb_writer w;
	rpc_pdu q;
	rpc_ack_body qa;
	ntlm_buffer buf = {NULL, 0};
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_ack(&w, p->hdr.ptype, p->hdr.call_id, a.max_xmit, a.max_recv, a.assoc_group,
	                     "135", res, n) == NTLM_OK);
	reparse(&w, &q, &buf);
	FZ_CHECK(rpc_parse_ack(&q, &qa) == NTLM_OK && qa.n_results == n && qa.max_xmit == a.max_xmit &&
	         qa.max_recv == a.max_recv && qa.assoc_group == a.assoc_group);
	for (size_t i = 0; i < n; i++) {
		rpc_result r;
		FZ_CHECK(rpc_next_result(&qa.results, &r) == NTLM_OK && r.result == res[i].result &&
		         r.reason == res[i].reason && rpc_syntax_equal(&r.transfer, &res[i].transfer));
	}
	ntlm_buffer_free(&buf);
}

static void check_nak(const rpc_pdu *p)
{
	uint16_t reason, again;
	if (rpc_parse_nak(p, &reason) != NTLM_OK)
		return;
	nb_writer w;
	rpc_pdu q;
	ntlm_buffer buf = {NULL, 0};
	nb_writer_init(&w);
	FZ_CHECK(rpc_put_nak(&w, p->hdr.call_id, reason) == NTLM_OK);
	reparse(&w, &q, &buf);
	FZ_CHECK(rpc_parse_nak(&q, &again) == NTLM_OK && again == reason);
	ntlm_buffer_free(&buf);
}

static void check_call(const rpc_pdu *p, uint8_t *copy)
{
	rpc_call_body c;
	if (rpc_parse_call(p, &c) != NTLM_OK)
		return;
	uint8_t *stub;
	FZ_CHECK(c.stub_off >= RPC_HDR_LEN && c.stub_off + c.stub_len <= p->len);
	FZ_CHECK(rpc_span(copy, p->len, c.stub_off, c.stub_len, &stub) == NTLM_OK);
	if (p->has_verifier)
		FZ_CHECK(c.stub_off + c.stub_len + p->ver.pad_len == p->ver.trailer_off);
	if (p->hdr.ptype != RPC_PT_REQUEST)
		return;
	nb_writer w;
	rpc_pdu q;
	rpc_call_body qc;
	ntlm_buffer buf = {NULL, 0};
	nb_writer_init(&w);
	if (rpc_put_request_object(&w, p->hdr.call_id, p->hdr.flags, c.alloc_hint, c.ctx_id, c.opnum,
	                           c.has_object ? c.object : NULL, stub, c.stub_len) != NTLM_OK) {
		nb_writer_free(&w); /* only when it would exceed 64 KiB */
		return;
	}
	reparse(&w, &q, &buf);
	FZ_CHECK(rpc_parse_call(&q, &qc) == NTLM_OK && qc.ctx_id == c.ctx_id && qc.opnum == c.opnum &&
	         qc.alloc_hint == c.alloc_hint && qc.stub_len == c.stub_len &&
	         qc.has_object == c.has_object && memcmp(qc.object, c.object, 16) == 0 &&
	         memcmp(buf.data + qc.stub_off, stub, c.stub_len) == 0);
	ntlm_buffer_free(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t *pdu = fz_dup(data, size);
	uint16_t frag = 0;
	if (size >= RPC_HDR_LEN && rpc_peek_frag_len(pdu, &frag) == NTLM_OK)
		FZ_CHECK(frag >= RPC_HDR_LEN);
	rpc_pdu p;
	if (rpc_pdu_parse(pdu, size, &p) == NTLM_OK) {
		FZ_CHECK(p.hdr.frag_len == size && frag == size);
		FZ_CHECK(inside(pdu, size, p.body.data, p.body.len));
		if (p.has_verifier) {
			FZ_CHECK(p.ver.value_len == p.hdr.auth_len);
			FZ_CHECK(p.ver.trailer_off + RPC_TRAILER_LEN + p.ver.value_len == size);
			FZ_CHECK(inside(pdu, size, p.ver.value, p.ver.value_len));
		}
		check_bind(&p);
		check_ack(&p);
		check_nak(&p);
		check_call(&p, pdu);
	}
	/* rpc_span: inside exactly when the range fits */
	if (size >= 4) {
		size_t off = data[0] | (size_t)data[1] << 8, n = data[2] | (size_t)data[3] << 8;
		uint8_t *span;
		ntlm_err rc = rpc_span(pdu, size, off, n, &span);
		FZ_CHECK((rc == NTLM_OK) == (off <= size && n <= size - off));
		FZ_CHECK(rc != NTLM_OK || span == pdu + off);
	}
	free(pdu);
	return 0;
}
