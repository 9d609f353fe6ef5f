/*
 * pdu.h - the connection-oriented DCE/RPC PDU codec ([C706] 12.6,
 * [MS-RPCE] 2.2.2): encoders on nb_writer, decoders on nb_reader only.
 * Little-endian data representation (drep 0x10) only: it is what every
 * Windows and Samba peer sends, and a big-endian PDU is refused as a
 * protocol error rather than half-understood.
 */
#ifndef NTLM_RPC_PDU_H
#define NTLM_RPC_PDU_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ntlmssp/rpc.h"

#define RPC_HDR_LEN        16u
#define RPC_TRAILER_LEN    8u    /* sec_trailer without auth_value */
#define RPC_CALL_HDR_LEN   24u   /* request / response: header + alloc_hint, ctx, opnum */
#define RPC_AUTH_PAD_ALIGN 16u   /* [MS-RPCE] 2.2.2.11: sec_trailer 16-aligned after the stub */
#define RPC_SIG_LEN        16u   /* an NTLMSSP signature */
#define RPC_FRAG_OFFER     5840u /* max_xmit/recv_frag we offer (Windows' value) */
#define RPC_FRAG_MIN       1432u /* [C706] 12.6.3.1 must_recv_frag_size */
#define RPC_FRAG_ABS_MAX   65535u
#define RPC_DREP_LE        0x10u /* drep[0]: integer little-endian, ASCII, IEEE float */

enum rpc_ptype {
	RPC_PT_REQUEST = 0,
	RPC_PT_RESPONSE = 2,
	RPC_PT_FAULT = 3,
	RPC_PT_BIND = 11,
	RPC_PT_BIND_ACK = 12,
	RPC_PT_BIND_NAK = 13,
	RPC_PT_ALTER = 14,
	RPC_PT_ALTER_RESP = 15,
	RPC_PT_AUTH3 = 16,
	RPC_PT_SHUTDOWN = 17,
	RPC_PT_CO_CANCEL = 18,
	RPC_PT_ORPHANED = 19
};

#define RPC_PFC_FIRST           0x01u
#define RPC_PFC_LAST            0x02u
#define RPC_PFC_HDR_SIGN        0x04u /* bind family; PFC_PENDING_CANCEL on other PDUs */
#define RPC_PFC_CONC_MPX        0x10u
#define RPC_PFC_DID_NOT_EXECUTE 0x20u
#define RPC_PFC_OBJECT_UUID     0x80u

/* p_cont_def_result_t and p_provider_reason_t ([C706] 12.6.3.1). */
#define RPC_RESULT_ACCEPT                 0u
#define RPC_RESULT_PROVIDER_REJECT        2u
#define RPC_RESULT_NEGOTIATE_ACK          3u /* bind time feature negotiation ([MS-RPCE] 3.3.1.5.3) */
#define RPC_REASON_NONE                   0u
#define RPC_REASON_ABSTRACT_NOT_SUPPORTED 1u
#define RPC_REASON_TRANSFER_NOT_SUPPORTED 2u

/* The common header's fields we act on. */
typedef struct rpc_hdr {
	uint8_t ptype, flags;
	uint8_t drep[4];
	uint16_t frag_len, auth_len;
	uint32_t call_id;
} rpc_hdr;

/* sec_trailer and the auth_value after it (a view into the PDU). */
typedef struct rpc_verifier {
	uint8_t auth_type, auth_level, pad_len;
	uint32_t context_id;
	size_t trailer_off; /* where the sec_trailer starts in the PDU */
	const uint8_t *value;
	size_t value_len;
} rpc_verifier;

/* One parsed fragment. body: after the common header, up to the sec_trailer. */
typedef struct rpc_pdu {
	const uint8_t *data;
	size_t len;
	rpc_hdr hdr;
	int has_verifier;
	rpc_verifier ver;
	nb_reader body;
} rpc_pdu;

/* frag_length of the header in hdr[0..16); NTLM_E_BAD_MESSAGE_TYPE if not a v5 PDU. */
ntlm_err rpc_peek_frag_len(const uint8_t hdr[RPC_HDR_LEN], uint16_t *frag_len);
/* Checks the common header and locates the verifier (frag_length must equal len). */
ntlm_err rpc_pdu_parse(const uint8_t *data, size_t len, rpc_pdu *p);
/*
 * The one way the runtime and the security layer address a part of a PDU
 * they own (to copy a stub out, or to seal and unseal in place): *span =
 * pdu + off after checking [off, off + n) lies inside the len bytes with the
 * bounded reader; NTLM_E_FIELD_RANGE otherwise.
 */
ntlm_err rpc_span(uint8_t *pdu, size_t len, size_t off, size_t n, uint8_t **span);

/* bind and alter_context: the presentation context list stays a reader. */
typedef struct rpc_bind_body {
	uint16_t max_xmit, max_recv;
	uint32_t assoc_group;
	uint8_t n_ctx;
	nb_reader ctx_list;
} rpc_bind_body;

typedef struct rpc_ctx_elem {
	uint16_t ctx_id;
	ntlm_rpc_syntax abstract;
	uint8_t n_transfer;
	nb_reader transfer_list;
} rpc_ctx_elem;

ntlm_err rpc_parse_bind(const rpc_pdu *p, rpc_bind_body *b);
ntlm_err rpc_next_ctx(nb_reader *list, rpc_ctx_elem *e);
ntlm_err rpc_next_syntax(nb_reader *list, ntlm_rpc_syntax *s);

/* bind_ack and alter_context_resp. */
typedef struct rpc_ack_body {
	uint16_t max_xmit, max_recv;
	uint32_t assoc_group;
	uint8_t n_results;
	nb_reader results;
} rpc_ack_body;

typedef struct rpc_result {
	uint16_t result, reason;
	ntlm_rpc_syntax transfer;
} rpc_result;

ntlm_err rpc_parse_ack(const rpc_pdu *p, rpc_ack_body *a);
ntlm_err rpc_next_result(nb_reader *list, rpc_result *r);
ntlm_err rpc_parse_nak(const rpc_pdu *p, uint16_t *reason);

/* request, response and fault. stub_len excludes the auth padding. */
typedef struct rpc_call_body {
	uint32_t alloc_hint;
	uint16_t ctx_id;
	uint16_t opnum; /* request */
	int has_object; /* request with PFC_OBJECT_UUID */
	uint8_t object[16];
	uint32_t status; /* fault */
	size_t stub_off, stub_len;
} rpc_call_body;

ntlm_err rpc_parse_call(const rpc_pdu *p, rpc_call_body *c);

/*
 * The verification trailer ([MS-RPCE] 2.2.2.13): a client puts it after a
 * request's stub (4-aligned, before the auth padding, in the last fragment)
 * so that the signature or seal also covers what the unprotected bind said
 * (the presentation context) and, where the signature does not cover the
 * header, the header fields that pick the operation.
 */
#define RPC_VT_SEARCH          1024u /* the trailer is looked for in the stub's last 1 KiB */
#define RPC_VT_CLIENT_HDR_SIGN 0x1u  /* rpc_sec_vt_bitmask: the bind set PFC_SUPPORT_HEADER_SIGN */
#define RPC_VT_HAVE_BITMASK    0x1u
#define RPC_VT_HAVE_PCONTEXT   0x2u
#define RPC_VT_HAVE_HEADER2    0x4u

typedef struct rpc_vt {
	size_t off;       /* where the trailer starts in the stub (what precedes it is the call's) */
	unsigned have;    /* RPC_VT_HAVE_*: the commands present */
	uint32_t bitmask; /* rpc_sec_vt_bitmask */
	ntlm_rpc_syntax abstract, transfer; /* rpc_sec_vt_pcontext */
	uint8_t ptype, drep[4];             /* rpc_sec_vt_header2 */
	uint32_t call_id;
	uint16_t ctx_id, opnum;
} rpc_vt;

/*
 * Finds the trailer at the end of a request's (reassembled) stub: a 4-aligned
 * signature within the last RPC_VT_SEARCH bytes followed by commands that end
 * exactly at len, the last one marked SEC_VT_COMMAND_END. NTLM_OK with
 * *found 0 if there is none. A trailer that is there but wrong (a known
 * command of the wrong length or repeated, a command the receiver must
 * process but does not know) is NTLM_E_BAD_MESSAGE_TYPE / NTLM_E_UNSUPPORTED.
 * A pure function over the bytes: the fuzzer's entry point for the trailer.
 */
ntlm_err rpc_vt_parse(const uint8_t *stub, size_t len, rpc_vt *vt, int *found);
/* Appends zero padding to 4 (the stub so far is stub_len bytes) and the trailer's commands in vt->have. */
ntlm_err rpc_put_vt(nb_writer *w, size_t stub_len, const rpc_vt *vt);

/* The NDR transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0. */
extern const ntlm_rpc_syntax rpc_ndr_syntax;
int rpc_syntax_equal(const ntlm_rpc_syntax *a, const ntlm_rpc_syntax *b);
/* 1 for the bind time feature negotiation pseudo-syntax 6cb71c2c-9812-4540-... */
int rpc_is_btfn_syntax(const ntlm_rpc_syntax *s);

/* Encoders. Each writes a bare PDU (auth_length 0) and patches frag_length. */
ntlm_err rpc_put_bind(nb_writer *w, uint8_t ptype, uint32_t call_id, uint32_t assoc_group,
                      uint16_t ctx_id, const ntlm_rpc_syntax *abstract);
ntlm_err rpc_put_ack(nb_writer *w, uint8_t ptype, uint32_t call_id, uint16_t max_xmit,
                     uint16_t max_recv, uint32_t assoc_group, const char *sec_addr,
                     const rpc_result *results, size_t n);
ntlm_err rpc_put_nak(nb_writer *w, uint32_t call_id, uint16_t reason);
ntlm_err rpc_put_auth3(nb_writer *w, uint32_t call_id);
ntlm_err rpc_put_request(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                         uint16_t ctx_id, uint16_t opnum, const uint8_t *stub, size_t len);
/* The same with an object UUID (PFC_OBJECT_UUID set, the 16 bytes after the opnum). */
ntlm_err rpc_put_request_object(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                                uint16_t ctx_id, uint16_t opnum, const uint8_t object[16],
                                const uint8_t *stub, size_t len);
ntlm_err rpc_put_response(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                          uint16_t ctx_id, const uint8_t *stub, size_t len);
ntlm_err rpc_put_fault(nb_writer *w, uint32_t call_id, uint16_t ctx_id, uint32_t status,
                       int did_not_execute);
/* Writes a sec_trailer + auth_value after w's bytes and patches frag/auth length. */
ntlm_err rpc_put_verifier(nb_writer *w, uint8_t auth_type, uint8_t level, uint8_t pad_len,
                          uint32_t context_id, const uint8_t *value, size_t value_len);

#endif
