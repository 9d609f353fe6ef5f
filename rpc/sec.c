/*
 * sec.c - NTLMSSP as DCE/RPC authentication service 10: the auth verifier of
 * the bind family and per-PDU protection ([MS-RPCE] 2.2.2.11, 3.3.1.5.2).
 *
 * Signature input, as Windows and Samba compute it for NTLMSSP: with NTLMv2
 * session security (ESS) the HMAC covers the whole PDU up to the
 * auth_value (header, body, padding, sec_trailer); without ESS the CRC32
 * covers the stub and its padding only. Only the stub and padding are
 * encrypted at PKT_PRIVACY. ntlm_protect_iov() with NTLM_PROTECT_SEAL does exactly this split:
 * SIGN_ONLY segments are signed, DATA segments signed and sealed, IGNORE
 * segments neither.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ntlmssp/rpc.h"
#include "pdu.h"
#include "try.h"

/* The auth_context_id we use; any value works, it only has to stay the same. */
#define SEC_CONTEXT_ID 0u

struct ntlm_rpc_sec {
	ntlm_ctx *ctx;
	int is_server;
	uint8_t level; /* effective: CALL already raised to PKT */
	uint32_t context_id;
	unsigned legs;      /* handshake PDUs taken so far */
	int hdr_sign_asked; /* client: offered in bind; server: the client offered */
	int hdr_sign;       /* negotiated */
	ntlm_err err;       /* the last failure a public function reported */
};

/*
 * A level the API was given: DEFAULT is PKT_INTEGRITY (CONNECT, which
 * protects no call, only when asked for by name); CALL means PKT on
 * connection-oriented RPC ([MS-RPCE] 2.2.1.1.8).
 */
static uint8_t effective_level(uint32_t level)
{
	if (level == NTLM_RPC_LEVEL_DEFAULT)
		return NTLM_RPC_LEVEL_PKT_INTEGRITY;
	if (level == NTLM_RPC_LEVEL_CALL)
		return NTLM_RPC_LEVEL_PKT;
	return (uint8_t)level;
}

/* A level a peer's sec_trailer names: DEFAULT there is no level at all (never "ours"). */
static uint8_t wire_level(uint8_t level)
{
	return level == NTLM_RPC_LEVEL_DEFAULT ? 0 : effective_level(level);
}

static int level_valid(uint32_t level)
{
	return level >= NTLM_RPC_LEVEL_CONNECT && level <= NTLM_RPC_LEVEL_PKT_PRIVACY;
}

ntlm_err rpc_sec_client_new(ntlm_rpc_sec **out, const ntlm_cred *cred,
                            const ntlm_client_config *cfg, uint32_t level, uint32_t imp_level)
{
	if (!out || !cred || !level_valid(effective_level(level)))
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	ntlm_client_config c = {NTLM_CLIENT_CONFIG_INIT};
	if (cfg && ntlm_sized_in(&c, sizeof(c), cfg, CLIENT_CONFIG_V0_SIZE) != NTLM_OK)
		return NTLM_E_STRUCT_SIZE;
	/* NTLM carries one impersonation limit: "identify only". Anonymous cannot be
	 * expressed and is raised to identify, as Windows does off the local machine. */
	if (imp_level == NTLM_RPC_IMP_ANONYMOUS || imp_level == NTLM_RPC_IMP_IDENTIFY)
		c.flags = (c.flags ? c.flags : NTLM_CLIENT_DEFAULT_FLAGS) | NTLMSSP_NEGOTIATE_IDENTIFY;
	ntlm_rpc_sec *s = calloc(1, sizeof(*s));
	if (!s)
		return NTLM_E_NO_MEMORY;
	s->level = effective_level(level);
	s->context_id = SEC_CONTEXT_ID;
	ntlm_err rc = ntlm_client_new(&s->ctx, cred, &c);
	if (rc != NTLM_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return NTLM_OK;
}

ntlm_err rpc_sec_server_new(ntlm_rpc_sec **out, const ntlm_server_config *cfg)
{
	if (!out || !cfg)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	ntlm_rpc_sec *s = calloc(1, sizeof(*s));
	if (!s)
		return NTLM_E_NO_MEMORY;
	s->is_server = 1;
	ntlm_err rc = ntlm_server_new(&s->ctx, cfg);
	if (rc != NTLM_OK) {
		free(s);
		return rc;
	}
	*out = s;
	return NTLM_OK;
}

NTLM_API void ntlm_rpc_sec_free(ntlm_rpc_sec *sec)
{
	if (!sec)
		return;
	ntlm_ctx_free(sec->ctx);
	free(sec);
}

NTLM_API ntlm_ctx *ntlm_rpc_sec_context(const ntlm_rpc_sec *sec)
{
	return sec ? sec->ctx : NULL;
}

NTLM_API uint32_t ntlm_rpc_sec_level(const ntlm_rpc_sec *sec)
{
	return sec ? sec->level : 0;
}

NTLM_API int ntlm_rpc_sec_header_signing(const ntlm_rpc_sec *sec)
{
	return sec ? sec->hdr_sign : 0;
}

NTLM_API uint32_t ntlm_rpc_sec_imp_level(const ntlm_rpc_sec *sec)
{
	if (!sec || !ntlm_ctx_established(sec->ctx))
		return NTLM_RPC_IMP_DEFAULT;
	return (ntlm_ctx_flags(sec->ctx) & NTLMSSP_NEGOTIATE_IDENTIFY) ? NTLM_RPC_IMP_IDENTIFY
	                                                               : NTLM_RPC_IMP_IMPERSONATE;
}

NTLM_API uint16_t ntlm_rpc_nak_reason(ntlm_rpc_status status, uint32_t fault)
{
	if (fault == NTLM_RPC_FAULT_PROTO_ERROR)
		return NTLM_RPC_NAK_PROTOCOL_ERROR;
	if (status == NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE)
		return NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED;
	if (status == NTLM_RPC_S_OUT_OF_MEMORY)
		return NTLM_RPC_NAK_LOCAL_LIMIT_EXCEEDED;
	return NTLM_RPC_NAK_INVALID_CHECKSUM;
}

/* A refused logon is "access denied"; anything else the package could not do is its error. */
static uint32_t handshake_fault(ntlm_err rc)
{
	switch (rc) {
	case NTLM_E_LOGON_FAILURE:
	case NTLM_E_NO_SUCH_USER:
	case NTLM_E_ACCOUNT_DISABLED:
	case NTLM_E_ACCOUNT_LOCKED:
	case NTLM_E_ACCOUNT_EXPIRED:
	case NTLM_E_ACCOUNT_RESTRICTION:
	case NTLM_E_PASSWORD_EXPIRED:
	case NTLM_E_PASSWORD_MUST_CHANGE:
	case NTLM_E_NO_SUCH_DOMAIN:
	case NTLM_E_NOT_MEMBER:
	case NTLM_E_NTLMV2_REFUSED:
	case NTLM_E_NTLMV1_REFUSED:
	case NTLM_E_LM_REFUSED:
	case NTLM_E_ANONYMOUS_REFUSED:
	case NTLM_E_MIC_MISMATCH:
	case NTLM_E_MIC_MISSING:
	case NTLM_E_CBT_MISMATCH:
	case NTLM_E_CBT_MISSING:
	case NTLM_E_TARGET_MISMATCH:
	case NTLM_E_TARGET_MISSING:
	case NTLM_E_TIME_SKEW:
	case NTLM_E_REPLAY:
	case NTLM_E_TARGET_INFO_MISMATCH:
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	default:
		return NTLM_RPC_FAULT_SEC_PKG_ERROR;
	}
}

static int handshake_ptype_ok(const ntlm_rpc_sec *s, uint8_t t)
{
	if (s->is_server)
		return t == RPC_PT_BIND || t == RPC_PT_ALTER || t == RPC_PT_AUTH3;
	return t == RPC_PT_BIND_ACK || t == RPC_PT_ALTER_RESP;
}

/* The server's first leg fixes level, context id and header signing for the association. */
static ntlm_err adopt_bind(ntlm_rpc_sec *s, const rpc_pdu *p, uint32_t *fault)
{
	uint8_t level = wire_level(p->ver.auth_level);
	if (!level_valid(level)) {
		*fault = NTLM_RPC_FAULT_SEC_PKG_ERROR;
		return NTLM_E_UNSUPPORTED;
	}
	s->level = level;
	s->context_id = p->ver.context_id;
	s->hdr_sign_asked = (p->hdr.flags & RPC_PFC_HDR_SIGN) != 0;
	return NTLM_OK;
}

/* Parses a handshake PDU and checks its sec_trailer against the association. */
static ntlm_err take_verifier(ntlm_rpc_sec *s, const uint8_t *in, size_t in_len, rpc_pdu *p,
                              uint32_t *fault)
{
	*fault = NTLM_RPC_FAULT_PROTO_ERROR;
	NTLM_TRY(rpc_pdu_parse(in, in_len, p));
	if (!handshake_ptype_ok(s, p->hdr.ptype) || !p->has_verifier)
		return NTLM_E_BAD_MESSAGE_TYPE;
	*fault = NTLM_RPC_FAULT_SEC_PKG_ERROR;
	if (p->ver.auth_type != NTLM_RPC_AUTHN_WINNT)
		return NTLM_E_UNSUPPORTED;
	if (s->is_server && s->legs == 0)
		return adopt_bind(s, p, fault);
	if (wire_level(p->ver.auth_level) != s->level || p->ver.context_id != s->context_id)
		return NTLM_E_WRONG_STATE;
	if (!s->is_server)
		s->hdr_sign = s->hdr_sign_asked && (p->hdr.flags & RPC_PFC_HDR_SIGN);
	*fault = 0;
	return NTLM_OK;
}

static int is_bind_request(uint8_t t)
{
	return t == RPC_PT_BIND || t == RPC_PT_ALTER;
}

static int is_bind_answer(uint8_t t)
{
	return t == RPC_PT_BIND_ACK || t == RPC_PT_ALTER_RESP;
}

/* On success (rc) *pdu becomes what w holds; w is freed either way. */
static ntlm_err replace_pdu(ntlm_buffer *pdu, nb_writer *w, ntlm_err rc)
{
	ntlm_buffer out = {NULL, 0};
	if (rc == NTLM_OK)
		rc = nb_writer_finish(w, &out);
	nb_writer_free(w);
	if (rc != NTLM_OK)
		return rc;
	ntlm_buffer_free(pdu);
	*pdu = out;
	return NTLM_OK;
}

/* Appends sec_trailer + token to the bare handshake PDU in *pdu; sets PFC_SUPPORT_HEADER_SIGN. */
static ntlm_err put_handshake_verifier(ntlm_rpc_sec *s, ntlm_buffer *pdu, const ntlm_buffer *tok)
{
	rpc_pdu p;
	NTLM_TRY(rpc_pdu_parse(pdu->data, pdu->len, &p));
	if (p.has_verifier)
		return NTLM_E_INVALID_PARAMETER;
	uint8_t flags = p.hdr.flags;
	if (!s->is_server && is_bind_request(p.hdr.ptype) && s->legs == 0) {
		flags |= RPC_PFC_HDR_SIGN;
		s->hdr_sign_asked = 1;
	} else if (s->is_server && is_bind_answer(p.hdr.ptype) && s->hdr_sign_asked) {
		flags |= RPC_PFC_HDR_SIGN;
		s->hdr_sign = 1;
	}
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, pdu->data, pdu->len);
	ntlm_err rc = nb_patch_bytes(&w, 3, &flags, 1);
	uint8_t pad = (uint8_t)((4 - pdu->len % 4) % 4);
	if (rc == NTLM_OK)
		rc = rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, s->level, pad, s->context_id, tok->data,
		                      tok->len);
	return replace_pdu(pdu, &w, rc);
}

/* Integrity needs NTLM signing, privacy sealing ([MS-RPCE] 3.3.1.5.2, first table). */
static ntlm_err check_level_flags(const ntlm_rpc_sec *s)
{
	uint32_t f = ntlm_ctx_flags(s->ctx);
	if (s->level >= NTLM_RPC_LEVEL_PKT && !(f & NTLMSSP_NEGOTIATE_SIGN))
		return NTLM_E_FLAGS_POLICY;
	if (s->level == NTLM_RPC_LEVEL_PKT_PRIVACY && !(f & NTLMSSP_NEGOTIATE_SEAL))
		return NTLM_E_FLAGS_POLICY;
	return NTLM_OK;
}

ntlm_err rpc_sec_step(ntlm_rpc_sec *sec, const uint8_t *in_pdu, size_t in_len, ntlm_buffer *out_pdu,
                      uint32_t *fault)
{
	uint32_t scratch;
	if (!fault)
		fault = &scratch;
	*fault = NTLM_RPC_FAULT_SEC_PKG_ERROR;
	if (!sec)
		return NTLM_E_INVALID_PARAMETER;
	const uint8_t *token = NULL;
	size_t token_len = 0;
	if (in_pdu) {
		rpc_pdu p;
		NTLM_TRY(take_verifier(sec, in_pdu, in_len, &p, fault));
		token = p.ver.value;
		token_len = p.ver.value_len;
	} else if (sec->is_server || sec->legs) {
		return NTLM_E_WRONG_STATE;
	}
	ntlm_buffer tok = {NULL, 0};
	ntlm_err rc = ntlm_step(sec->ctx, token, token_len, &tok);
	if (rc == NTLM_OK)
		rc = check_level_flags(sec);
	if (rc != NTLM_OK && rc != NTLM_CONTINUE) {
		*fault = handshake_fault(rc);
		ntlm_buffer_free(&tok);
		return rc;
	}
	ntlm_err wrc = NTLM_OK;
	if (tok.len)
		wrc = out_pdu ? put_handshake_verifier(sec, out_pdu, &tok) : NTLM_E_INVALID_PARAMETER;
	ntlm_buffer_free(&tok);
	sec->legs++;
	*fault = wrc == NTLM_OK ? 0 : NTLM_RPC_FAULT_SEC_PKG_ERROR;
	return wrc == NTLM_OK ? rc : wrc;
}

/* ------------------------------------------------------ PDU protection */

static int is_call_pdu(uint8_t t)
{
	return t == RPC_PT_REQUEST || t == RPC_PT_RESPONSE;
}

/*
 * The four segments of a protected PDU: everything before the stub, stub +
 * padding, sec_trailer, signature. Without ESS only the stub is checksummed.
 */
static ntlm_err make_iov(const ntlm_rpc_sec *s, uint8_t *pdu, size_t len, size_t stub_off,
                         size_t trailer_off, ntlm_iov iov[4])
{
	int ess = (ntlm_ctx_flags(s->ctx) & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	ntlm_iov_type around = ess ? NTLM_IOV_SIGN_ONLY : NTLM_IOV_IGNORE;
	ntlm_iov_type stub = s->level == NTLM_RPC_LEVEL_PKT_PRIVACY ? NTLM_IOV_DATA
	                                                            : NTLM_IOV_SIGN_ONLY;
	if (trailer_off < stub_off || len < RPC_SIG_LEN)
		return NTLM_E_FIELD_RANGE;
	const size_t off[4] = {0, stub_off, trailer_off, len - RPC_SIG_LEN};
	const size_t n[4] = {stub_off, trailer_off - stub_off, RPC_TRAILER_LEN, RPC_SIG_LEN};
	const ntlm_iov_type type[4] = {around, stub, around, NTLM_IOV_TOKEN};
	for (int i = 0; i < 4; i++) {
		iov[i].type = type[i];
		iov[i].len = n[i];
		NTLM_TRY(rpc_span(pdu, len, off[i], n[i], &iov[i].data));
	}
	return NTLM_OK;
}

static ntlm_err run_iov(ntlm_rpc_sec *s, ntlm_iov iov[4], int sending)
{
	unsigned mode = s->level == NTLM_RPC_LEVEL_PKT_PRIVACY ? NTLM_PROTECT_SEAL : NTLM_PROTECT_SIGN;
	return sending ? ntlm_protect_iov(s->ctx, mode, 0, iov, 4)
	               : ntlm_unprotect_iov(s->ctx, mode, 0, iov, 4);
}

ntlm_err rpc_sec_protect(ntlm_rpc_sec *sec, ntlm_buffer *pdu)
{
	if (!sec || !pdu || !pdu->data)
		return NTLM_E_INVALID_PARAMETER;
	if (!ntlm_ctx_established(sec->ctx))
		return NTLM_E_WRONG_STATE;
	rpc_pdu p;
	rpc_call_body c;
	NTLM_TRY(rpc_pdu_parse(pdu->data, pdu->len, &p));
	if (!is_call_pdu(p.hdr.ptype) || p.has_verifier)
		return NTLM_E_INVALID_PARAMETER;
	if (sec->level < NTLM_RPC_LEVEL_PKT)
		return NTLM_OK; /* CONNECT: the key is never used after the handshake */
	NTLM_TRY(rpc_parse_call(&p, &c));
	uint8_t pad = (uint8_t)((RPC_AUTH_PAD_ALIGN - c.stub_len % RPC_AUTH_PAD_ALIGN) %
	                        RPC_AUTH_PAD_ALIGN);
	static const uint8_t placeholder[RPC_SIG_LEN];
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, pdu->data, pdu->len);
	ntlm_err rc = rpc_put_verifier(&w, NTLM_RPC_AUTHN_WINNT, sec->level, pad, sec->context_id,
	                               placeholder, RPC_SIG_LEN);
	if (rc == NTLM_OK) {
		ntlm_iov iov[4];
		rc = make_iov(sec, w.data, w.len, c.stub_off, pdu->len + pad, iov);
		if (rc == NTLM_OK)
			rc = run_iov(sec, iov, 1);
	}
	return replace_pdu(pdu, &w, rc);
}

/* The trailer of a protected PDU must be ours: same service, level and context. */
static ntlm_err check_call_verifier(const ntlm_rpc_sec *s, const rpc_pdu *p, uint32_t *fault)
{
	*fault = NTLM_RPC_FAULT_PROTO_ERROR;
	if (!p->has_verifier || p->ver.value_len != RPC_SIG_LEN)
		return NTLM_E_BAD_MESSAGE_TYPE;
	*fault = NTLM_RPC_FAULT_SEC_PKG_ERROR;
	if (p->ver.auth_type != NTLM_RPC_AUTHN_WINNT || wire_level(p->ver.auth_level) != s->level ||
	    p->ver.context_id != s->context_id)
		return NTLM_E_WRONG_STATE;
	*fault = 0;
	return NTLM_OK;
}

ntlm_err rpc_sec_unprotect(ntlm_rpc_sec *sec, uint8_t *pdu, size_t len, size_t *stub_off,
                           size_t *stub_len, uint32_t *fault)
{
	uint32_t scratch;
	if (!fault)
		fault = &scratch;
	*fault = NTLM_RPC_FAULT_SEC_PKG_ERROR;
	if (!sec || !pdu || !stub_off || !stub_len)
		return NTLM_E_INVALID_PARAMETER;
	if (!ntlm_ctx_established(sec->ctx))
		return NTLM_E_WRONG_STATE;
	rpc_pdu p;
	rpc_call_body c;
	*fault = NTLM_RPC_FAULT_PROTO_ERROR;
	NTLM_TRY(rpc_pdu_parse(pdu, len, &p));
	if (!is_call_pdu(p.hdr.ptype))
		return NTLM_E_BAD_MESSAGE_TYPE;
	NTLM_TRY(rpc_parse_call(&p, &c));
	if (sec->level >= NTLM_RPC_LEVEL_PKT) {
		NTLM_TRY(check_call_verifier(sec, &p, fault));
		ntlm_iov iov[4];
		ntlm_err rc = make_iov(sec, pdu, len, c.stub_off, p.ver.trailer_off, iov);
		if (rc == NTLM_OK)
			rc = run_iov(sec, iov, 0);
		if (rc != NTLM_OK) {
			*fault = NTLM_RPC_FAULT_ACCESS_DENIED;
			return rc;
		}
	}
	/* CONNECT: a verifier some peers add anyway protects nothing; it is skipped. */
	*fault = 0;
	*stub_off = c.stub_off;
	*stub_len = c.stub_len;
	return NTLM_OK;
}

/* ------------------------------------------------------ the public face */

/* Every public result crosses as a status; the package's sentence stays with sec. */
static ntlm_rpc_status sec_status(ntlm_rpc_sec *sec, ntlm_err rc)
{
	if (sec && rc != NTLM_OK && rc != NTLM_CONTINUE)
		sec->err = rc;
	return rpc_status(rc);
}

NTLM_API ntlm_rpc_status ntlm_rpc_sec_client_new(ntlm_rpc_sec **out, const ntlm_cred *cred,
                                                 const ntlm_client_config *cfg, uint32_t level,
                                                 uint32_t imp_level)
{
	return rpc_status(rpc_sec_client_new(out, cred, cfg, level, imp_level));
}

NTLM_API ntlm_rpc_status ntlm_rpc_sec_server_new(ntlm_rpc_sec **out, const ntlm_server_config *cfg)
{
	return rpc_status(rpc_sec_server_new(out, cfg));
}

NTLM_API ntlm_rpc_status ntlm_rpc_sec_step(ntlm_rpc_sec *sec, const uint8_t *in_pdu, size_t in_len,
                                           ntlm_buffer *out_pdu, uint32_t *fault)
{
	return sec_status(sec, rpc_sec_step(sec, in_pdu, in_len, out_pdu, fault));
}

NTLM_API ntlm_rpc_status ntlm_rpc_sec_protect(ntlm_rpc_sec *sec, ntlm_buffer *pdu)
{
	return sec_status(sec, rpc_sec_protect(sec, pdu));
}

NTLM_API ntlm_rpc_status ntlm_rpc_sec_unprotect(ntlm_rpc_sec *sec, uint8_t *pdu, size_t len,
                                                size_t *stub_off, size_t *stub_len, uint32_t *fault)
{
	return sec_status(sec, rpc_sec_unprotect(sec, pdu, len, stub_off, stub_len, fault));
}

NTLM_API const char *ntlm_rpc_sec_message(const ntlm_rpc_sec *sec)
{
	return sec && sec->err != NTLM_OK ? ntlm_strerror(sec->err) : "";
}
