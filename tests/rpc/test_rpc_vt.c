/*
 * test_rpc_vt.c - what the server runtime refuses from a client it cannot
 * trust on the path: a verification trailer that does not match the
 * negotiated presentation context or the header ([MS-RPCE] 2.2.2.13), a
 * missing one when the server requires it, calls below the default minimum
 * level, an alter_context carrying a verifier on an authenticated
 * association, and fragments above the max_recv_frag it announced. The
 * client side is driven by hand (the security layer plus raw PDUs), as a man
 * in the middle or an odd client would. Needs no root.
 */
#include <errno.h>
#include <sys/socket.h>

#include "internal.h"
#include "pdu.h"
#include "rpc_testutil.h"
#include "t.h"
#include "mem.h"
#include "try.h"

#define USER       "carol"
#define PASSWORD   "Carol-Passw0rd!"
#define COMPUTER   "VTTEST"
#define OTHER_UUID "5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f62"
#define CLOSED     0xFFFFFFFFu /* raw_call: the server hung up without an answer */

static char dir[64], accounts[128];
static rt_server plain, strict, weak; /* defaults; trailer required; floor NONE */
static rt_server reauth;              /* allow_reauthentication */
static ntlm_cred *good;
static ntlm_rpc_syntax demo, other;

/* One association driven by hand. */
typedef struct raw {
	int fd;
	ntlm_rpc_sec *sec; /* NULL: unauthenticated */
	uint32_t call_id;
} raw;

static void raw_close(raw *r)
{
	if (r->fd >= 0)
		close(r->fd);
	ntlm_rpc_sec_free(r->sec);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

static ntlm_err send_buf(raw *r, nb_writer *w)
{
	ntlm_err rc = w->err == NTLM_OK ? rpc_send_all(r->fd, w->data, w->len) : w->err;
	nb_writer_free(w);
	return rc;
}

static ntlm_err raw_connect(raw *r, const char *binding)
{
	rpc_endpoint ep;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->call_id = 1;
	if (rpc_endpoint_parse(binding, &ep) != NTLM_RPC_S_OK)
		return NTLM_E_INVALID_PARAMETER;
	r->fd = rpc_connect(&ep);
	if (r->fd < 0)
		return NTLM_E_IO;
	rpc_set_timeouts(r->fd, 10);
	return NTLM_OK;
}

/* The next PDU, or NTLM_E_IO once the server has hung up. */
static ntlm_err raw_recv(raw *r, uint8_t **pdu, size_t *len, rpc_pdu *p)
{
	NTLM_TRY(rpc_recv_pdu(r->fd, RPC_FRAG_ABS_MAX, pdu, len));
	return rpc_pdu_parse(*pdu, *len, p);
}

/*
 * bind (to iface, at level; PFC_SUPPORT_HEADER_SIGN removed if strip_hdr_sign,
 * as a man in the middle may) -> bind_ack -> rpc_auth_3. level NONE: a bind
 * without a verifier.
 */
static ntlm_err raw_bind(raw *r, const char *binding, const ntlm_rpc_syntax *iface, uint32_t level,
                         int strip_hdr_sign)
{
	NTLM_TRY(raw_connect(r, binding));
	nb_writer w;
	ntlm_buffer bind = {NULL, 0}, auth3 = {NULL, 0};
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	rpc_pdu p;
	uint32_t fault;
	nb_writer_init(&w);
	NTLM_TRY(rpc_put_bind(&w, RPC_PT_BIND, r->call_id++, 0, 0, iface));
	NTLM_TRY(nb_writer_finish(&w, &bind));
	nb_writer_free(&w);
	ntlm_err rc = NTLM_CONTINUE;
	if (level != NTLM_RPC_LEVEL_NONE) {
		NTLM_TRY(rpc_sec_client_new(&r->sec, good, NULL, level, NTLM_RPC_IMP_IMPERSONATE));
		rc = rpc_sec_step(r->sec, NULL, 0, &bind, &fault);
	}
	if (rc == NTLM_CONTINUE && strip_hdr_sign)
		bind.data[3] &= (uint8_t)~RPC_PFC_HDR_SIGN;
	if (rc == NTLM_CONTINUE)
		rc = rpc_send_all(r->fd, bind.data, bind.len);
	if (rc == NTLM_OK)
		rc = raw_recv(r, &ack, &ack_len, &p);
	if (rc == NTLM_OK && p.hdr.ptype != RPC_PT_BIND_ACK)
		rc = NTLM_E_BAD_MESSAGE_TYPE;
	if (rc == NTLM_OK && r->sec) {
		nb_writer_init(&w);
		rpc_put_auth3(&w, r->call_id++);
		rc = nb_writer_finish(&w, &auth3);
		nb_writer_free(&w);
		if (rc == NTLM_OK)
			rc = rpc_sec_step(r->sec, ack, ack_len, &auth3, &fault);
		if (rc == NTLM_OK)
			rc = rpc_send_all(r->fd, auth3.data, auth3.len);
	}
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&auth3);
	free(ack);
	return rc;
}

/* The trailer our own client sends for a call (opnum) on context 0 of iface. */
static rpc_vt good_vt(const raw *r, const ntlm_rpc_syntax *iface, uint16_t opnum)
{
	rpc_vt vt;
	memset(&vt, 0, sizeof(vt));
	vt.have = RPC_VT_HAVE_BITMASK | RPC_VT_HAVE_PCONTEXT | RPC_VT_HAVE_HEADER2;
	vt.bitmask = RPC_VT_CLIENT_HDR_SIGN;
	vt.abstract = *iface;
	vt.transfer = rpc_ndr_syntax;
	vt.ptype = RPC_PT_REQUEST;
	vt.drep[0] = RPC_DREP_LE;
	vt.call_id = r->call_id;
	vt.opnum = opnum;
	return vt;
}

/*
 * One request: stub, then the trailer (vt, or the raw bytes extra), signed or
 * sealed by the association. 0 with the response stub in *out, the fault
 * status, or CLOSED.
 */
static uint32_t raw_call(raw *r, uint16_t opnum, const void *stub, size_t len, const rpc_vt *vt,
                         const ntlm_buffer *extra, ntlm_buffer *out)
{
	nb_writer body, w;
	ntlm_buffer pdu = {NULL, 0};
	nb_writer_init(&body);
	nb_write_bytes(&body, stub, len);
	if (vt)
		rpc_put_vt(&body, len, vt);
	if (extra)
		nb_write_bytes(&body, extra->data, extra->len);
	nb_writer_init(&w);
	rpc_put_request(&w, r->call_id++, RPC_PFC_FIRST | RPC_PFC_LAST, (uint32_t)body.len, 0, opnum,
	                body.data, body.len);
	nb_writer_free(&body);
	ntlm_err rc = nb_writer_finish(&w, &pdu);
	nb_writer_free(&w);
	if (rc == NTLM_OK && r->sec)
		rc = rpc_sec_protect(r->sec, &pdu);
	if (rc == NTLM_OK)
		rc = rpc_send_all(r->fd, pdu.data, pdu.len);
	ntlm_buffer_free(&pdu);
	uint8_t *answer = NULL;
	size_t n = 0, off, stub_len;
	rpc_pdu p;
	rpc_call_body c;
	uint32_t st = CLOSED;
	int has_stub = 0; /* a fault has none, whatever its status */
	if (rc == NTLM_OK && raw_recv(r, &answer, &n, &p) == NTLM_OK &&
	    rpc_parse_call(&p, &c) == NTLM_OK) {
		if (p.hdr.ptype == RPC_PT_FAULT)
			st = c.status;
		else if (!r->sec || rpc_sec_unprotect(r->sec, answer, n, &off, &stub_len, NULL) == NTLM_OK)
			st = 0, has_stub = 1;
		if (has_stub && out) {
			out->data = NULL;
			out->len = 0;
			if (!r->sec) {
				off = c.stub_off;
				stub_len = c.stub_len;
			}
			nb_writer copy;
			nb_writer_init(&copy);
			nb_write_bytes(&copy, answer + off, stub_len);
			if (nb_writer_finish(&copy, out) != NTLM_OK)
				out->len = 0; /* the caller's checks see an empty stub */
			nb_writer_free(&copy);
		}
	}
	free(answer);
	return st;
}

/* After a refusal the server hangs up: nothing more arrives. */
static int hung_up(raw *r)
{
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	ntlm_err rc = raw_recv(r, &pdu, &len, &p);
	free(pdu);
	return rc == NTLM_E_IO;
}

static void test_matching_trailer_runs(void)
{
	raw r;
	ntlm_buffer out = {NULL, 0};
	for (uint32_t level = NTLM_RPC_LEVEL_PKT_INTEGRITY; level <= NTLM_RPC_LEVEL_PKT_PRIVACY;
	     level++) {
		T_OK(raw_bind(&r, plain.tcp, &demo, level, 0));
		rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
		T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "abcdefgh", 8, &vt, NULL, &out) == 0);
		/* the handler sees the stub, not the trailer */
		T_ASSERT(out.len == 8 && memcmp(out.data, "abcdefgh", 8) == 0);
		ntlm_buffer_free(&out);
		/* a stub that is not a multiple of 4 keeps the trailer's alignment padding */
		vt = good_vt(&r, &demo, DEMO_OP_ECHO);
		T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "abc", 3, &vt, NULL, &out) == 0);
		T_ASSERT(out.len == 4 && memcmp(out.data, "abc\0", 4) == 0);
		ntlm_buffer_free(&out);
		/* without a trailer (impacket sends none) the call runs as it came */
		T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "xyz", 3, NULL, NULL, &out) == 0);
		T_ASSERT(out.len == 3);
		ntlm_buffer_free(&out);
		raw_close(&r);
	}
}

/* The bind was rewritten to another interface: the trailer names the one the client meant. */
static void test_renamed_interface_refused(void)
{
	raw r;
	T_OK(raw_bind(&r, plain.tcp, &other, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	T_ASSERT(hung_up(&r));
	raw_close(&r);
	/* the transfer syntax is checked too */
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0));
	vt = good_vt(&r, &demo, DEMO_OP_ECHO);
	vt.transfer.major = 1;
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	raw_close(&r);
}

static void test_header2_mismatch_refused(void)
{
	raw r;
	for (int field = 0; field < 4; field++) {
		T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0));
		rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
		if (field == 0)
			vt.opnum = DEMO_OP_ADD;
		else if (field == 1)
			vt.call_id++;
		else if (field == 2)
			vt.ctx_id = 1;
		else
			vt.drep[0] = 0x00; /* big-endian */
		T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, NULL) ==
		         NTLM_RPC_FAULT_ACCESS_DENIED);
		raw_close(&r);
	}
}

/* The client says its bind offered header signing; the bind the server saw did not. */
static void test_stripped_header_signing_refused(void)
{
	raw r;
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 1));
	rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	raw_close(&r);
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 1));
	vt.have &= ~RPC_VT_HAVE_BITMASK; /* a client that never offered it */
	vt.call_id = r.call_id;
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, NULL) == 0);
	raw_close(&r);
}

static void test_unknown_must_process_command_refused(void)
{
	static const uint8_t bytes[] = {0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71,
	                                0x07, 0xc0, 0x04, 0x00, 1,    2,    3,    4};
	ntlm_buffer extra = {(uint8_t *)bytes, sizeof(bytes)};
	raw r;
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, &extra, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	raw_close(&r);
	/* without SEC_VT_MUST_PROCESS_COMMAND it is skipped, and taken off the stub */
	uint8_t optional[sizeof(bytes)];
	ntlm_buffer out = {NULL, 0};
	memcpy(optional, bytes, sizeof(bytes));
	optional[9] = 0x40;
	extra.data = optional;
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, &extra, &out) == 0);
	T_ASSERT(out.len == 4);
	ntlm_buffer_free(&out);
	raw_close(&r);
}

/* require_verification_trailer: each presentation context must be vouched for once. */
static void test_required_trailer(void)
{
	raw r;
	ntlm_buffer out = {NULL, 0};
	T_OK(raw_bind(&r, strict.tcp, &demo, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, NULL, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	T_ASSERT(hung_up(&r));
	raw_close(&r);
	T_OK(raw_bind(&r, strict.tcp, &demo, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, &out) == 0);
	ntlm_buffer_free(&out);
	/* the context is verified now: later calls need not repeat it (Samba's client does not) */
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, NULL, &out) == 0);
	T_ASSERT(out.len == 4);
	ntlm_buffer_free(&out);
	raw_close(&r);
	/* our own client passes */
	ntlm_rpc_client *cli = NULL;
	T_OK(rt_bind(&cli, strict.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             good));
	T_OK(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, (const uint8_t *)"ours", 4, &out));
	T_ASSERT(out.len == 4 && memcmp(out.data, "ours", 4) == 0);
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
}

/* Item 15: below PKT_INTEGRITY nothing stops a man in the middle; the default floor refuses it. */
static void test_default_floor_is_integrity(void)
{
	static const uint32_t levels[] = {NTLM_RPC_LEVEL_NONE,          NTLM_RPC_LEVEL_CONNECT,
	                                  NTLM_RPC_LEVEL_CALL,          NTLM_RPC_LEVEL_PKT,
	                                  NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_LEVEL_PKT_PRIVACY,
	                                  NTLM_RPC_LEVEL_DEFAULT};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(levels); i++) {
		ntlm_rpc_client *cli = NULL;
		demo_whoami who;
		T_OK(rt_bind(&cli, plain.tcp, levels[i], NTLM_RPC_IMP_IMPERSONATE, NULL, good));
		uint32_t st = rt_whoami(cli, 0, &who);
		if (levels[i] >= NTLM_RPC_LEVEL_PKT_INTEGRITY || levels[i] == NTLM_RPC_LEVEL_DEFAULT) {
			T_OK(st);
			T_ASSERT(who.authn_level >= NTLM_RPC_LEVEL_PKT_INTEGRITY); /* DEFAULT is integrity */
		} else {
			T_ASSERT(st == NTLM_RPC_S_ACCESS_DENIED);
			T_ASSERT(ntlm_rpc_client_fault(cli) == NTLM_RPC_FAULT_ACCESS_DENIED);
		}
		ntlm_rpc_client_free(cli);
	}
	/* an unsigned call injected on a CONNECT association runs nowhere by default... */
	raw r;
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_CONNECT, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, NULL, NULL) ==
	         NTLM_RPC_FAULT_ACCESS_DENIED);
	raw_close(&r);
	/* ...but does where CONNECT was allowed by name */
	ntlm_buffer out = {NULL, 0};
	T_OK(raw_bind(&r, weak.tcp, &demo, NTLM_RPC_LEVEL_CONNECT, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, NULL, NULL, &out) == 0);
	ntlm_buffer_free(&out);
	raw_close(&r);
}

/* alter_context for iface; with a verifier (an NTLM NEGOTIATE for auth_context_id 7) if verifier. */
static ntlm_err send_alter_id(raw *r, const ntlm_rpc_syntax *iface, uint16_t ctx_id, int verifier,
                              uint32_t auth_ctx_id)
{
	nb_writer w;
	nb_writer_init(&w);
	NTLM_TRY(rpc_put_bind(&w, RPC_PT_ALTER, r->call_id++, 0, ctx_id, iface));
	if (verifier) {
		static const uint8_t negotiate[] = "NTLMSSP\0\1\0\0\0\x07\x82\x08\xa2";
		NTLM_TRY(rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, NTLM_RPC_LEVEL_PKT_PRIVACY, 0,
		                          auth_ctx_id, negotiate, sizeof(negotiate) - 1));
	}
	return send_buf(r, &w);
}

static ntlm_err send_alter(raw *r, const ntlm_rpc_syntax *iface, uint16_t ctx_id, int verifier)
{
	return send_alter_id(r, iface, ctx_id, verifier, 7);
}

static void test_alter_context_with_verifier_refused(void)
{
	raw r;
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	rpc_call_body c;
	ntlm_buffer out = {NULL, 0};
	/* a new presentation context without a verifier joins the association */
	T_OK(raw_bind(&r, plain.tcp, &demo, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	T_OK(send_alter(&r, &other, 1, 0));
	T_OK(raw_recv(&r, &pdu, &len, &p));
	T_ASSERT(p.hdr.ptype == RPC_PT_ALTER_RESP);
	free(pdu);
	rpc_vt vt = good_vt(&r, &demo, DEMO_OP_ECHO);
	T_ASSERT(raw_call(&r, DEMO_OP_ECHO, "hi!!", 4, &vt, NULL, &out) == 0);
	ntlm_buffer_free(&out);
	/* one with a verifier (a new NTLM context, for another auth_context_id) is refused */
	T_OK(send_alter(&r, &other, 2, 1));
	T_OK(raw_recv(&r, &pdu, &len, &p));
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(p.hdr.ptype == RPC_PT_FAULT && c.status == NTLM_RPC_FAULT_ACCESS_DENIED);
	free(pdu);
	T_ASSERT(hung_up(&r));
	raw_close(&r);
}

/* The answer to what was just sent must be a fault with status want (0: any), then the server hangs up. */
static void expect_fault_and_hangup(raw *r, uint32_t want, int *ok)
{
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	rpc_call_body c;
	*ok = raw_recv(r, &pdu, &len, &p) == NTLM_OK && p.hdr.ptype == RPC_PT_FAULT &&
	      rpc_parse_call(&p, &c) == NTLM_OK && (c.status == want || (!want && c.status));
	free(pdu);
	*ok = *ok && hung_up(r);
}

/*
 * allow_reauthentication: an alter_context naming a new auth_context_id gets
 * an NTLM CHALLENGE; a bad third leg then ends the association. One naming
 * the association's own auth_context_id (0, our client's) stays refused.
 */
static void test_reauthentication(void)
{
	raw r;
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	int ok;
	T_OK(raw_bind(&r, reauth.tcp, &demo, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	T_OK(send_alter(&r, &other, 1, 1));
	T_OK(raw_recv(&r, &pdu, &len, &p));
	int challenged = p.hdr.ptype == RPC_PT_ALTER_RESP && p.has_verifier;
	free(pdu);
	T_ASSERT(challenged);
	nb_writer w;
	nb_writer_init(&w);
	static const uint8_t bogus[] = "NTLMSSP\0\3\0\0\0\0\0\0\0\0\0\0\0";
	T_OK(rpc_put_auth3(&w, r.call_id++));
	T_OK(rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, NTLM_RPC_LEVEL_PKT_PRIVACY, 0, 7, bogus,
	                      sizeof(bogus) - 1));
	T_OK(send_buf(&r, &w));
	expect_fault_and_hangup(&r, 0, &ok);
	raw_close(&r);
	T_ASSERT(ok);
	T_OK(raw_bind(&r, reauth.tcp, &demo, NTLM_RPC_LEVEL_PKT_PRIVACY, 0));
	T_OK(send_alter_id(&r, &other, 1, 1, 0));
	expect_fault_and_hangup(&r, NTLM_RPC_FAULT_ACCESS_DENIED, &ok);
	raw_close(&r);
	T_ASSERT(ok);
}

/* The bind_ack announces max_recv_frag RPC_FRAG_OFFER; a larger fragment ends the connection. */
static void test_oversize_fragment_refused(void)
{
	static uint8_t stub[RPC_FRAG_OFFER];
	raw r;
	memset(stub, 'f', sizeof(stub));
	/* Add answers a stub of the wrong size with a fault: proof that the call was read */
	T_OK(raw_bind(&r, weak.tcp, &demo, NTLM_RPC_LEVEL_NONE, 0));
	T_ASSERT(raw_call(&r, DEMO_OP_ADD, stub, RPC_FRAG_OFFER - RPC_CALL_HDR_LEN, NULL, NULL, NULL) ==
	         NTLM_RPC_FAULT_NDR);
	T_ASSERT(raw_call(&r, DEMO_OP_ADD, stub, RPC_FRAG_OFFER - RPC_CALL_HDR_LEN + 1, NULL, NULL,
	                  NULL) == CLOSED);
	raw_close(&r);
}

int main(void)
{
	if (rt_tempdir(dir, sizeof(dir)) != 0)
		return 1;
	snprintf(accounts, sizeof(accounts), "%s/accounts", dir);
	demo_syntax(&demo);
	other = demo;
	T_SETUP(ntlm_rpc_uuid_parse(OTHER_UUID, other.uuid));
	ntlm_rpc_interface second = {NTLM_RPC_INTERFACE_INIT};
	demo_iface(&second);
	second.id = other;
	ntlm_rpc_server_config require = {NTLM_RPC_SERVER_CONFIG_INIT,
	                                  .require_verification_trailer = 1};
	ntlm_rpc_server_config none = {NTLM_RPC_SERVER_CONFIG_INIT, .min_level = NTLM_RPC_LEVEL_NONE};
	ntlm_rpc_server_config again = {NTLM_RPC_SERVER_CONFIG_INIT, .allow_reauthentication = 1};
	if (rt_add_account(accounts, USER, PASSWORD, (uint32_t)getuid()) != NTLM_OK ||
	    ntlm_cred_password(&good, "ELSEWHERE", USER, PASSWORD) != NTLM_OK ||
	    rt_server_start(&plain, dir, "plain", accounts, COMPUTER, &second) != 0 ||
	    rt_server_start_cfg(&strict, dir, "strict", accounts, COMPUTER, &second, &require) != 0 ||
	    rt_server_start_cfg(&weak, dir, "weak", accounts, COMPUTER, &second, &none) != 0 ||
	    rt_server_start_cfg(&reauth, dir, "reauth", accounts, COMPUTER, &second, &again) != 0) {
		fprintf(stderr, "set-up failed: %s\n", strerror(errno));
		return 1;
	}
	T_RUN(test_matching_trailer_runs);
	T_RUN(test_renamed_interface_refused);
	T_RUN(test_header2_mismatch_refused);
	T_RUN(test_stripped_header_signing_refused);
	T_RUN(test_unknown_must_process_command_refused);
	T_RUN(test_required_trailer);
	T_RUN(test_default_floor_is_integrity);
	T_RUN(test_alter_context_with_verifier_refused);
	T_RUN(test_reauthentication);
	T_RUN(test_oversize_fragment_refused);
	rt_server_stop(&plain);
	rt_server_stop(&strict);
	rt_server_stop(&weak);
	rt_server_stop(&reauth);
	ntlm_cred_free(good);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", accounts);
	unlink(accounts);
	unlink(lock);
	rmdir(dir);
	T_END();
}
