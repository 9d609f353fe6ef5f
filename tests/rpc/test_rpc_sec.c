/*
 * test_rpc_sec.c - the security layer on its own: handshake PDUs, per-PDU
 * protection at each level, and the fault each kind of damage earns. The
 * layer inside the library (rpc_sec_*, with the NTLM package's exact error)
 * and its public face (ntlm_rpc_sec_*, the library's one status type).
 */
#include "internal.h"
#include "pdu.h"
#include "rpc_testutil.h"
#include "t.h"
#include "mem.h"
#include "try.h"

#define USER     "alice"
#define PASSWORD "Alice-Passw0rd!"

static char dir[64], accounts[128];

typedef struct pair {
	ntlm_rpc_sec *cli, *srv;
	ntlm_account_store *store;
	ntlm_cred *cred;
} pair;

static void pair_free(pair *p)
{
	ntlm_rpc_sec_free(p->cli);
	ntlm_rpc_sec_free(p->srv);
	ntlm_account_store_free(p->store);
	ntlm_cred_free(p->cred);
	memset(p, 0, sizeof(*p));
}

/* A bare PDU of the bind family. */
static ntlm_buffer bare(uint8_t ptype)
{
	ntlm_buffer out = {NULL, 0};
	ntlm_rpc_syntax s;
	rpc_result r = {RPC_RESULT_ACCEPT, 0, rpc_ndr_syntax};
	nb_writer w;
	demo_syntax(&s);
	nb_writer_init(&w);
	if (ptype == RPC_PT_BIND || ptype == RPC_PT_ALTER)
		rpc_put_bind(&w, ptype, 1, 0, 0, &s);
	else if (ptype == RPC_PT_AUTH3)
		rpc_put_auth3(&w, 1);
	else
		rpc_put_ack(&w, ptype, 1, 5840, 5840, 1, "135", &r, 1);
	T_SETUP(nb_writer_finish(&w, &out));
	nb_writer_free(&w);
	return out;
}

static ntlm_buffer request(const char *stub, size_t len)
{
	ntlm_buffer out = {NULL, 0};
	nb_writer w;
	nb_writer_init(&w);
	rpc_put_request(&w, 2, RPC_PFC_FIRST | RPC_PFC_LAST, (uint32_t)len, 0, 1, (const uint8_t *)stub,
	                len);
	T_SETUP(nb_writer_finish(&w, &out));
	nb_writer_free(&w);
	return out;
}

static ntlm_err new_pair(pair *p, uint32_t level, uint32_t imp, const char *password,
                         const ntlm_client_config *ccfg, const ntlm_policy *spol)
{
	memset(p, 0, sizeof(*p));
	ntlm_server_config scfg = {NTLM_SERVER_CONFIG_INIT};
	NTLM_TRY(ntlm_account_store_smbpasswd(&p->store, accounts));
	scfg.store = p->store;
	scfg.computer_name = "SECTEST";
	scfg.policy = spol;
	NTLM_TRY(ntlm_cred_password(&p->cred, "ANYDOMAIN", USER, password));
	NTLM_TRY(rpc_sec_client_new(&p->cli, p->cred, ccfg, level, imp));
	return rpc_sec_server_new(&p->srv, &scfg);
}

/*
 * bind -> bind_ack -> rpc_auth_3 (or alter_context -> alter_context_resp).
 * Returns the server's result on the last leg; *fault its fault status.
 */
static ntlm_err handshake(pair *p, int third_is_alter, uint32_t *fault)
{
	ntlm_buffer bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK);
	ntlm_buffer third = bare(third_is_alter ? RPC_PT_ALTER : RPC_PT_AUTH3);
	ntlm_buffer resp = bare(RPC_PT_ALTER_RESP);
	ntlm_err rc = rpc_sec_step(p->cli, NULL, 0, &bind, fault);
	if (rc == NTLM_CONTINUE)
		rc = rpc_sec_step(p->srv, bind.data, bind.len, &ack, fault);
	if (rc == NTLM_CONTINUE)
		rc = rpc_sec_step(p->cli, ack.data, ack.len, &third, fault);
	if (rc == NTLM_OK)
		rc = rpc_sec_step(p->srv, third.data, third.len, third_is_alter ? &resp : NULL, fault);
	else
		rc = NTLM_E_INTERNAL; /* the client side must not fail here */
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&ack);
	ntlm_buffer_free(&third);
	ntlm_buffer_free(&resp);
	return rc;
}

static void test_handshake_pdus(void)
{
	pair p;
	uint32_t fault = 1;
	rpc_pdu pdu;
	T_OK(
		new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	ntlm_buffer bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK);
	T_EXPECT_ERR(rpc_sec_step(p.cli, NULL, 0, &bind, &fault), NTLM_CONTINUE);
	T_OK(rpc_pdu_parse(bind.data, bind.len, &pdu));
	T_ASSERT(pdu.has_verifier && pdu.ver.auth_type == 10 && pdu.ver.auth_level == 5);
	T_ASSERT(pdu.hdr.flags & RPC_PFC_HDR_SIGN);
	T_ASSERT(memcmp(pdu.ver.value, "NTLMSSP\0\1\0\0\0", 12) == 0); /* NEGOTIATE */
	T_EXPECT_ERR(rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault), NTLM_CONTINUE);
	T_OK(rpc_pdu_parse(ack.data, ack.len, &pdu));
	T_ASSERT(pdu.has_verifier && (pdu.hdr.flags & RPC_PFC_HDR_SIGN) &&
	         pdu.ver.trailer_off % 4 == 0);
	T_ASSERT(memcmp(pdu.ver.value, "NTLMSSP\0\2\0\0\0", 12) == 0); /* CHALLENGE */
	T_ASSERT(ntlm_rpc_sec_level(p.srv) == 5 && ntlm_rpc_sec_header_signing(p.srv));
	ntlm_buffer auth3 = bare(RPC_PT_AUTH3);
	T_OK(rpc_sec_step(p.cli, ack.data, ack.len, &auth3, &fault));
	T_ASSERT(ntlm_rpc_sec_header_signing(p.cli));
	T_OK(rpc_pdu_parse(auth3.data, auth3.len, &pdu));
	T_ASSERT(pdu.hdr.ptype == RPC_PT_AUTH3 && pdu.ver.trailer_off == 20); /* header + 4 pad */
	T_OK(rpc_sec_step(p.srv, auth3.data, auth3.len, NULL, &fault));
	T_STR(ntlm_ctx_principal(ntlm_rpc_sec_context(p.srv)), "SECTEST\\alice");
	T_ASSERT(ntlm_rpc_sec_imp_level(p.srv) == NTLM_RPC_IMP_IMPERSONATE);
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&ack);
	ntlm_buffer_free(&auth3);
	pair_free(&p);
}

/* Client request and server response through protect/unprotect at one level. */
static void roundtrip(uint32_t level, uint32_t want_level, int third_is_alter)
{
	pair p;
	uint32_t fault = 0;
	T_OK(new_pair(&p, level, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, third_is_alter, &fault));
	T_ASSERT(ntlm_rpc_sec_level(p.srv) == want_level);
	for (int i = 0; i < 3; i++) { /* several messages: sequence numbers advance */
		ntlm_buffer req = request("hello world", 11);
		size_t bare_len = req.len, off, n;
		T_OK(rpc_sec_protect(p.cli, &req));
		if (want_level >= NTLM_RPC_LEVEL_PKT) {
			rpc_pdu pdu;
			T_OK(rpc_pdu_parse(req.data, req.len, &pdu));
			T_ASSERT(pdu.hdr.auth_len == 16 && pdu.ver.pad_len == 5 &&
			         pdu.ver.auth_level == want_level);
			T_ASSERT(req.len == bare_len + 5 + 8 + 16);
		} else {
			T_ASSERT(req.len == bare_len);
		}
		T_OK(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault));
		T_ASSERT(n == 11 && memcmp(req.data + off, "hello world", 11) == 0);
		ntlm_buffer_free(&req);
	}
	/* and the other direction, with a response PDU */
	ntlm_buffer resp = {NULL, 0};
	nb_writer w;
	size_t off, n;
	nb_writer_init(&w);
	T_OK(rpc_put_response(&w, 2, RPC_PFC_FIRST | RPC_PFC_LAST, 2, 0, (const uint8_t *)"ok", 2));
	T_OK(nb_writer_finish(&w, &resp));
	nb_writer_free(&w);
	T_OK(rpc_sec_protect(p.srv, &resp));
	T_OK(rpc_sec_unprotect(p.cli, resp.data, resp.len, &off, &n, &fault));
	T_ASSERT(n == 2 && memcmp(resp.data + off, "ok", 2) == 0);
	ntlm_buffer_free(&resp);
	pair_free(&p);
}

static void test_level_connect(void)
{
	roundtrip(NTLM_RPC_LEVEL_CONNECT, NTLM_RPC_LEVEL_CONNECT, 0);
}

static void test_level_call_is_pkt(void)
{
	roundtrip(NTLM_RPC_LEVEL_CALL, NTLM_RPC_LEVEL_PKT, 0);
}

static void test_level_pkt(void)
{
	roundtrip(NTLM_RPC_LEVEL_PKT, NTLM_RPC_LEVEL_PKT, 0);
}

static void test_level_integrity(void)
{
	roundtrip(NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0);
}

/* DEFAULT is PKT_INTEGRITY: CONNECT, which protects no call, only when named. */
static void test_level_default_is_integrity(void)
{
	roundtrip(NTLM_RPC_LEVEL_DEFAULT, NTLM_RPC_LEVEL_PKT_INTEGRITY, 0);
}

static void test_level_privacy(void)
{
	roundtrip(NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_LEVEL_PKT_PRIVACY, 0);
}

static void test_third_leg_alter_context(void)
{
	roundtrip(NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_LEVEL_PKT_PRIVACY, 1);
}

static void test_padding_to_16(void)
{
	pair p;
	uint32_t fault;
	T_OK(
		new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	for (size_t len = 0; len <= 33; len++) {
		char stub[40];
		memset(stub, 'x', sizeof(stub));
		ntlm_buffer req = request(stub, len);
		rpc_pdu pdu;
		size_t off, n;
		T_OK(rpc_sec_protect(p.cli, &req));
		T_OK(rpc_pdu_parse(req.data, req.len, &pdu));
		T_ASSERT((pdu.ver.trailer_off - RPC_CALL_HDR_LEN) % 16 == 0 && pdu.ver.pad_len < 16);
		T_OK(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault));
		T_ASSERT(n == len);
		ntlm_buffer_free(&req);
	}
	pair_free(&p);
}

static int contains(const ntlm_buffer *b, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= b->len; i++)
		if (memcmp(b->data + i, s, n) == 0)
			return 1;
	return 0;
}

static void test_privacy_hides_stub(void)
{
	pair p;
	uint32_t fault;
	static const char secret[] = "the stub is a secret";
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	ntlm_buffer req = request(secret, sizeof(secret) - 1);
	T_OK(rpc_sec_protect(p.cli, &req));
	T_ASSERT(!contains(&req, secret));
	ntlm_buffer_free(&req);
	pair_free(&p);
	T_OK(
		new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	req = request(secret, sizeof(secret) - 1);
	T_OK(rpc_sec_protect(p.cli, &req));
	T_ASSERT(contains(&req, secret)); /* integrity signs, it does not hide */
	ntlm_buffer_free(&req);
	pair_free(&p);
}

/* Protects a request, flips byte at (offset from the start, or from the end if < 0), checks. */
static void damage(uint32_t level, long at, uint8_t mask, ntlm_err want, uint32_t want_fault)
{
	pair p;
	uint32_t fault = 0;
	size_t off, n;
	T_OK(new_pair(&p, level, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	ntlm_buffer req = request("important arguments", 19);
	T_OK(rpc_sec_protect(p.cli, &req));
	size_t i = at >= 0 ? (size_t)at : req.len - (size_t)(-at);
	req.data[i] ^= mask;
	T_EXPECT_ERR(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault), want);
	T_ASSERT(fault == want_fault);
	ntlm_buffer_free(&req);
	pair_free(&p);
}

static void test_header_is_signed(void)
{
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, 12, 0x01, NTLM_E_BAD_MAC,
	       NTLM_RPC_FAULT_ACCESS_DENIED); /* call_id */
	damage(NTLM_RPC_LEVEL_PKT_PRIVACY, 22, 0x01, NTLM_E_BAD_MAC,
	       NTLM_RPC_FAULT_ACCESS_DENIED); /* opnum */
	damage(NTLM_RPC_LEVEL_PKT, 16, 0x80, NTLM_E_BAD_MAC,
	       NTLM_RPC_FAULT_ACCESS_DENIED); /* alloc_hint */
}

static void test_stub_and_signature_damage(void)
{
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, 30, 0x20, NTLM_E_BAD_MAC, NTLM_RPC_FAULT_ACCESS_DENIED);
	damage(NTLM_RPC_LEVEL_PKT_PRIVACY, 30, 0x20, NTLM_E_BAD_MAC, NTLM_RPC_FAULT_ACCESS_DENIED);
	/* the signature: version (-16), checksum (-12..-5), sequence number (-4..-1) */
	damage(NTLM_RPC_LEVEL_PKT_PRIVACY, -16, 0x01, NTLM_E_BAD_MAC, NTLM_RPC_FAULT_ACCESS_DENIED);
	damage(NTLM_RPC_LEVEL_PKT_PRIVACY, -5, 0x01, NTLM_E_BAD_MAC, NTLM_RPC_FAULT_ACCESS_DENIED);
	damage(NTLM_RPC_LEVEL_PKT_PRIVACY, -4, 0x01, NTLM_E_OUT_OF_SEQUENCE,
	       NTLM_RPC_FAULT_ACCESS_DENIED);
}

static void test_trailer_damage(void)
{
	/* sec_trailer: type, level, pad, reserved, context id (at -24 from the end) */
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, -24, 0x02, NTLM_E_WRONG_STATE,
	       NTLM_RPC_FAULT_SEC_PKG_ERROR);
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, -23, 0x03, NTLM_E_WRONG_STATE,
	       NTLM_RPC_FAULT_SEC_PKG_ERROR);
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, -20, 0x01, NTLM_E_WRONG_STATE,
	       NTLM_RPC_FAULT_SEC_PKG_ERROR);
	damage(NTLM_RPC_LEVEL_PKT_INTEGRITY, -22, 0x40, NTLM_E_FIELD_RANGE, NTLM_RPC_FAULT_PROTO_ERROR);
}

static void test_missing_verifier_and_replay(void)
{
	pair p;
	uint32_t fault = 0;
	size_t off, n;
	T_OK(
		new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	ntlm_buffer req = request("abc", 3);
	T_EXPECT_ERR(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault),
	             NTLM_E_BAD_MESSAGE_TYPE);
	T_ASSERT(fault == NTLM_RPC_FAULT_PROTO_ERROR);
	T_OK(rpc_sec_protect(p.cli, &req));
	uint8_t copy[128];
	size_t len = req.len;
	memcpy(copy, req.data, len);
	T_OK(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault));
	T_EXPECT_ERR(rpc_sec_unprotect(p.srv, copy, len, &off, &n, &fault), NTLM_E_OUT_OF_SEQUENCE);
	T_ASSERT(fault == NTLM_RPC_FAULT_ACCESS_DENIED);
	ntlm_buffer_free(&req);
	pair_free(&p);
}

static void test_wrong_password(void)
{
	pair p;
	uint32_t fault = 0;
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, "wrong", NULL, NULL));
	T_EXPECT_ERR(handshake(&p, 0, &fault), NTLM_E_LOGON_FAILURE);
	T_ASSERT(fault == NTLM_RPC_FAULT_ACCESS_DENIED);
	pair_free(&p);
}

static void test_identify_flag(void)
{
	pair p;
	uint32_t fault = 0;
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IDENTIFY, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	T_ASSERT(ntlm_rpc_sec_imp_level(p.srv) == NTLM_RPC_IMP_IDENTIFY);
	pair_free(&p);
	/* anonymous cannot be said in NTLM: it becomes identify, as Windows does off-machine */
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_ANONYMOUS, PASSWORD, NULL, NULL));
	T_OK(handshake(&p, 0, &fault));
	T_ASSERT(ntlm_rpc_sec_imp_level(p.srv) == NTLM_RPC_IMP_IDENTIFY);
	pair_free(&p);
}

/*
 * The public face: every result an ntlm_rpc_status (no ntlm_err leaks out),
 * the NTLM package's sentence for the last failure in ntlm_rpc_sec_message.
 */
static void test_public_statuses(void)
{
	pair p;
	uint32_t fault = 0;
	size_t off, n;
	ntlm_rpc_sec *none = NULL;
	T_STATUS(ntlm_rpc_sec_server_new(&none, NULL), NTLM_RPC_S_INVALID_ARG);
	T_STATUS(ntlm_rpc_sec_client_new(&none, NULL, NULL, NTLM_RPC_LEVEL_PKT_PRIVACY, 0),
	         NTLM_RPC_S_INVALID_ARG);
	T_STATUS(ntlm_rpc_sec_step(NULL, NULL, 0, NULL, &fault), NTLM_RPC_S_INVALID_ARG);
	T_STR(ntlm_rpc_sec_message(NULL), "");
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	ntlm_buffer bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK), auth3 = bare(RPC_PT_AUTH3);
	T_STATUS(ntlm_rpc_sec_step(p.cli, NULL, 0, &bind, &fault), NTLM_RPC_S_CONTINUE_NEEDED);
	T_STATUS(ntlm_rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault),
	         NTLM_RPC_S_CONTINUE_NEEDED);
	T_STATUS(ntlm_rpc_sec_step(p.cli, ack.data, ack.len, &auth3, &fault), NTLM_RPC_S_OK);
	T_STATUS(ntlm_rpc_sec_step(p.srv, auth3.data, auth3.len, NULL, &fault), NTLM_RPC_S_OK);
	T_STR(ntlm_rpc_sec_message(p.srv), "");
	ntlm_buffer req = request("arguments", 9);
	T_STATUS(ntlm_rpc_sec_protect(p.cli, &req), NTLM_RPC_S_OK);
	req.data[req.len - 5] ^= 1; /* the checksum */
	T_STATUS(ntlm_rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault),
	         (ntlm_rpc_status)ntlm_err_sec_status(NTLM_E_BAD_MAC)); /* SEC_E_MESSAGE_ALTERED */
	T_ASSERT(fault == NTLM_RPC_FAULT_ACCESS_DENIED);
	T_STR(ntlm_rpc_sec_message(p.srv), ntlm_strerror(NTLM_E_BAD_MAC));
	ntlm_buffer_free(&req);
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&ack);
	ntlm_buffer_free(&auth3);
	pair_free(&p);
	/* a refused logon: SEC_E_LOGON_DENIED, and what NTLM said */
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, "wrong", NULL, NULL));
	bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK), auth3 = bare(RPC_PT_AUTH3);
	T_STATUS(ntlm_rpc_sec_step(p.cli, NULL, 0, &bind, &fault), NTLM_RPC_S_CONTINUE_NEEDED);
	T_STATUS(ntlm_rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault),
	         NTLM_RPC_S_CONTINUE_NEEDED);
	T_STATUS(ntlm_rpc_sec_step(p.cli, ack.data, ack.len, &auth3, &fault), NTLM_RPC_S_OK);
	T_STATUS(ntlm_rpc_sec_step(p.srv, auth3.data, auth3.len, NULL, &fault),
	         NTLM_RPC_S_LOGON_DENIED);
	T_ASSERT(fault == NTLM_RPC_FAULT_ACCESS_DENIED);
	T_STR(ntlm_rpc_sec_message(p.srv), ntlm_strerror(NTLM_E_LOGON_FAILURE));
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&ack);
	ntlm_buffer_free(&auth3);
	pair_free(&p);
}

/* The one mapping from the NTLM package's errors, and a sentence for every status. */
static void test_status_mapping(void)
{
	T_STATUS(rpc_status(NTLM_OK), NTLM_RPC_S_OK);
	T_STATUS(rpc_status(NTLM_CONTINUE), NTLM_RPC_S_CONTINUE_NEEDED);
	T_STATUS(rpc_status(NTLM_E_INVALID_PARAMETER), NTLM_RPC_S_INVALID_ARG);
	T_STATUS(rpc_status(NTLM_E_NO_MEMORY), NTLM_RPC_S_OUT_OF_MEMORY);
	T_STATUS(rpc_status(NTLM_E_UNSUPPORTED), NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE);
	T_STATUS(rpc_status(NTLM_E_MIC_MISMATCH), NTLM_RPC_S_LOGON_DENIED);
	T_STATUS(rpc_status(NTLM_E_NO_CREDENTIALS), NTLM_RPC_S_NO_CREDENTIALS);
	static const ntlm_rpc_status all[] = {NTLM_RPC_S_OK,
	                                      NTLM_RPC_S_CONTINUE_NEEDED,
	                                      NTLM_RPC_S_ACCESS_DENIED,
	                                      NTLM_RPC_S_OUT_OF_MEMORY,
	                                      NTLM_RPC_S_INVALID_ARG,
	                                      NTLM_RPC_S_BAD_IMPERSONATION_LEVEL,
	                                      NTLM_RPC_S_CANT_OPEN_ANONYMOUS,
	                                      NTLM_RPC_S_INVALID_BINDING,
	                                      NTLM_RPC_S_UNKNOWN_IF,
	                                      NTLM_RPC_S_SERVER_UNAVAILABLE,
	                                      NTLM_RPC_S_DUPLICATE_ENDPOINT,
	                                      NTLM_RPC_S_CALL_FAILED,
	                                      NTLM_RPC_S_PROTOCOL_ERROR,
	                                      NTLM_RPC_S_PROCNUM_OUT_OF_RANGE,
	                                      NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE,
	                                      NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL,
	                                      NTLM_RPC_S_NO_CONTEXT_AVAILABLE,
	                                      NTLM_RPC_S_BAD_STUB_DATA,
	                                      NTLM_RPC_S_SEC_PKG_ERROR,
	                                      NTLM_RPC_S_LOGON_DENIED,
	                                      NTLM_RPC_S_NO_CREDENTIALS,
	                                      NTLM_RPC_S_WRONG_PRINCIPAL};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(all); i++) {
		T_ASSERT(strcmp(ntlm_rpc_status_name(all[i]), "unknown status") != 0);
		T_ASSERT(strcmp(ntlm_rpc_strerror(all[i]), "unknown status") != 0);
	}
	T_STR(ntlm_rpc_strerror(NTLM_RPC_S_ACCESS_DENIED), "access denied");
	/* every SEC_E value the package can give has a sentence */
	for (int e = NTLM_E_INVALID_PARAMETER; e <= NTLM_E_UNSAFE_FILE; e++)
		T_ASSERT(strcmp(ntlm_rpc_strerror(rpc_status((ntlm_err)e)), "unknown status") != 0);
	T_STR(ntlm_rpc_strerror(0x12345678u), "unknown status");
}

static void test_unknown_auth_type(void)
{
	pair p;
	uint32_t fault = 0;
	T_OK(
		new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL, NULL));
	ntlm_buffer bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK);
	T_STATUS(ntlm_rpc_sec_step(p.cli, NULL, 0, &bind, &fault), NTLM_RPC_S_CONTINUE_NEEDED);
	rpc_pdu pdu;
	T_OK(rpc_pdu_parse(bind.data, bind.len, &pdu));
	bind.data[pdu.ver.trailer_off] = 9; /* RPC_C_AUTHN_GSS_SCHANNEL... not ours */
	ntlm_rpc_status st = ntlm_rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault);
	T_STATUS(st, NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE);
	T_ASSERT(ntlm_rpc_nak_reason(st, fault) == NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED);
	bind.data[2] = RPC_PT_REQUEST; /* not a handshake PDU at all */
	st = ntlm_rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault);
	T_ASSERT(ntlm_rpc_nak_reason(st, fault) == NTLM_RPC_NAK_PROTOCOL_ERROR);
	T_ASSERT(ntlm_rpc_nak_reason(NTLM_RPC_S_OUT_OF_MEMORY, NTLM_RPC_FAULT_SEC_PKG_ERROR) ==
	         NTLM_RPC_NAK_LOCAL_LIMIT_EXCEEDED);
	T_ASSERT(ntlm_rpc_nak_reason(NTLM_RPC_S_LOGON_DENIED, NTLM_RPC_FAULT_ACCESS_DENIED) ==
	         NTLM_RPC_NAK_INVALID_CHECKSUM);
	ntlm_buffer_free(&bind);
	ntlm_buffer_free(&ack);
	pair_free(&p);
}

/* A bind's verifier naming level 0 (DEFAULT) or 1 (NONE) names no level: refused, never CONNECT. */
static void test_bind_without_a_level(void)
{
	for (uint8_t level = 0; level <= 1; level++) {
		pair p;
		uint32_t fault = 0;
		T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, NULL,
		              NULL));
		ntlm_buffer bind = bare(RPC_PT_BIND), ack = bare(RPC_PT_BIND_ACK);
		T_EXPECT_ERR(rpc_sec_step(p.cli, NULL, 0, &bind, &fault), NTLM_CONTINUE);
		rpc_pdu pdu;
		T_OK(rpc_pdu_parse(bind.data, bind.len, &pdu));
		bind.data[pdu.ver.trailer_off + 1] = level;
		T_EXPECT_ERR(rpc_sec_step(p.srv, bind.data, bind.len, &ack, &fault), NTLM_E_UNSUPPORTED);
		T_ASSERT(ntlm_rpc_sec_level(p.srv) == 0);
		ntlm_buffer_free(&bind);
		ntlm_buffer_free(&ack);
		pair_free(&p);
	}
}

/*
 * Without NTLMv2 session security (ESS) the checksum is a CRC32 of the stub
 * only (what Samba and impacket compute): the header is then not protected.
 */
static void test_without_ess(void)
{
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	pol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	pol.min_security = 0;
	ntlm_client_config ccfg = {NTLM_CLIENT_CONFIG_INIT};
	ccfg.policy = &pol;
	ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |
	             NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	             NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH;
	pair p;
	uint32_t fault = 0;
	size_t off, n;
	T_OK(new_pair(&p, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, PASSWORD, &ccfg,
	              &pol));
	T_OK(handshake(&p, 0, &fault));
	T_ASSERT(!(ntlm_ctx_flags(ntlm_rpc_sec_context(p.srv)) &
	           NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY));
	ntlm_buffer req = request("v1 checksum", 11);
	T_OK(rpc_sec_protect(p.cli, &req));
	req.data[12] ^= 1; /* call_id: outside the CRC */
	T_OK(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault));
	ntlm_buffer_free(&req);
	req = request("v1 checksum", 11);
	T_OK(rpc_sec_protect(p.cli, &req));
	req.data[26] ^= 1; /* the stub: inside */
	T_EXPECT_ERR(rpc_sec_unprotect(p.srv, req.data, req.len, &off, &n, &fault), NTLM_E_BAD_MAC);
	ntlm_buffer_free(&req);
	pair_free(&p);
}

int main(void)
{
	if (rt_tempdir(dir, sizeof(dir)) != 0)
		return 1;
	snprintf(accounts, sizeof(accounts), "%s/accounts", dir);
	if (rt_add_account(accounts, USER, PASSWORD, (uint32_t)getuid()) != NTLM_OK)
		return 1;
	T_RUN(test_handshake_pdus);
	T_RUN(test_level_connect);
	T_RUN(test_level_call_is_pkt);
	T_RUN(test_level_pkt);
	T_RUN(test_level_integrity);
	T_RUN(test_level_default_is_integrity);
	T_RUN(test_level_privacy);
	T_RUN(test_third_leg_alter_context);
	T_RUN(test_padding_to_16);
	T_RUN(test_privacy_hides_stub);
	T_RUN(test_header_is_signed);
	T_RUN(test_stub_and_signature_damage);
	T_RUN(test_trailer_damage);
	T_RUN(test_missing_verifier_and_replay);
	T_RUN(test_wrong_password);
	T_RUN(test_identify_flag);
	T_RUN(test_public_statuses);
	T_RUN(test_status_mapping);
	T_RUN(test_unknown_auth_type);
	T_RUN(test_bind_without_a_level);
	T_RUN(test_without_ess);
	unlink(accounts);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", accounts);
	unlink(lock);
	rmdir(dir);
	T_END();
}
