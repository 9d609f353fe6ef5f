/* pdu.c - connection-oriented DCE/RPC PDUs; see pdu.h */
#include "pdu.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "try.h"

#define RPC_VERS 5u

const ntlm_rpc_syntax rpc_ndr_syntax = {{0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
                                         0x08, 0x00, 0x2b, 0x10, 0x48, 0x60},
                                        2,
                                        0};

/* ------------------------------------------------------------- UUIDs */

/* Text groups of a UUID and how many leading bytes are stored little-endian. */
static const struct {
	size_t digits;
	int swap;
} uuid_groups[] = {{8, 1}, {4, 1}, {4, 1}, {4, 0}, {12, 0}};

NTLM_API ntlm_rpc_status ntlm_rpc_uuid_parse(const char *text, uint8_t wire[16])
{
	if (!text || !wire || strlen(text) != 36)
		return NTLM_RPC_S_INVALID_ARG;
	size_t pos = 0, out = 0;
	for (size_t g = 0; g < NTLM_ARRAY_LEN(uuid_groups); g++) {
		size_t n = uuid_groups[g].digits / 2;
		uint8_t bytes[6];
		char hex[13];
		memcpy(hex, text + pos, uuid_groups[g].digits);
		hex[uuid_groups[g].digits] = '\0';
		for (char *c = hex; *c; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		if (ntlm_hex_decode(hex, bytes, n) != NTLM_OK)
			return NTLM_RPC_S_INVALID_ARG;
		for (size_t i = 0; i < n; i++)
			wire[out + i] = uuid_groups[g].swap ? bytes[n - 1 - i] : bytes[i];
		out += n;
		pos += uuid_groups[g].digits;
		if (g + 1 < NTLM_ARRAY_LEN(uuid_groups) && text[pos++] != '-')
			return NTLM_RPC_S_INVALID_ARG;
	}
	return NTLM_RPC_S_OK;
}

NTLM_API void ntlm_rpc_uuid_format(const uint8_t wire[16], char out[37])
{
	size_t in = 0;
	char *p = out;
	for (size_t g = 0; g < NTLM_ARRAY_LEN(uuid_groups); g++) {
		size_t n = uuid_groups[g].digits / 2;
		for (size_t i = 0; i < n; i++) {
			uint8_t b = uuid_groups[g].swap ? wire[in + n - 1 - i] : wire[in + i];
			snprintf(p, 3, "%02x", b);
			p += 2;
		}
		in += n;
		if (g + 1 < NTLM_ARRAY_LEN(uuid_groups))
			*p++ = '-';
	}
	*p = '\0';
}

int rpc_syntax_equal(const ntlm_rpc_syntax *a, const ntlm_rpc_syntax *b)
{
	return memcmp(a->uuid, b->uuid, 16) == 0 && a->major == b->major && a->minor == b->minor;
}

int rpc_is_btfn_syntax(const ntlm_rpc_syntax *s)
{
	/* 6CB71C2C-9812-4540: the first eight wire bytes; the rest carry the bitmask. */
	static const uint8_t prefix[8] = {0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45};
	return memcmp(s->uuid, prefix, sizeof(prefix)) == 0;
}

/* ----------------------------------------------------------- decoding */

ntlm_err rpc_peek_frag_len(const uint8_t hdr[RPC_HDR_LEN], uint16_t *frag_len)
{
	nb_reader r;
	nb_reader_init(&r, hdr, RPC_HDR_LEN);
	uint8_t vers;
	NTLM_TRY(nb_read_u8(&r, &vers));
	if (vers != RPC_VERS)
		return NTLM_E_BAD_MESSAGE_TYPE;
	NTLM_TRY(nb_skip(&r, 7));
	NTLM_TRY(nb_read_u16le(&r, frag_len));
	return *frag_len < RPC_HDR_LEN ? NTLM_E_FIELD_RANGE : NTLM_OK;
}

/* The sec_trailer sits auth_length + 8 bytes before the end ([MS-RPCE] 2.2.2.11). */
static ntlm_err parse_verifier(const nb_reader *whole, size_t len, uint16_t auth_len,
                               rpc_verifier *v)
{
	if ((size_t)auth_len + RPC_TRAILER_LEN > len - RPC_HDR_LEN)
		return NTLM_E_FIELD_RANGE;
	v->trailer_off = len - auth_len - RPC_TRAILER_LEN;
	if (v->trailer_off % 4)
		return NTLM_E_FIELD_RANGE; /* the trailer is always 4-aligned */
	nb_reader t;
	uint8_t reserved;
	NTLM_TRY(nb_slice(whole, v->trailer_off, RPC_TRAILER_LEN + auth_len, &t));
	NTLM_TRY(nb_read_u8(&t, &v->auth_type));
	NTLM_TRY(nb_read_u8(&t, &v->auth_level));
	NTLM_TRY(nb_read_u8(&t, &v->pad_len));
	NTLM_TRY(nb_read_u8(&t, &reserved));
	NTLM_TRY(nb_read_u32le(&t, &v->context_id));
	v->value_len = auth_len;
	return nb_read_view(&t, auth_len, &v->value);
}

ntlm_err rpc_span(uint8_t *pdu, size_t len, size_t off, size_t n, uint8_t **span)
{
	nb_reader whole, part;
	*span = NULL;
	nb_reader_init(&whole, pdu, len);
	NTLM_TRY(nb_slice(&whole, off, n, &part));
	*span = pdu + off; /* the same bytes as part, writable: the caller owns the PDU */
	return NTLM_OK;
}

ntlm_err rpc_pdu_parse(const uint8_t *data, size_t len, rpc_pdu *p)
{
	memset(p, 0, sizeof(*p));
	if (!data)
		return NTLM_E_INVALID_PARAMETER;
	nb_reader r;
	nb_reader_init(&r, data, len);
	uint8_t vers, minor;
	NTLM_TRY(nb_read_u8(&r, &vers));
	NTLM_TRY(nb_read_u8(&r, &minor));
	NTLM_TRY(nb_read_u8(&r, &p->hdr.ptype));
	NTLM_TRY(nb_read_u8(&r, &p->hdr.flags));
	NTLM_TRY(nb_read_bytes(&r, p->hdr.drep, 4));
	NTLM_TRY(nb_read_u16le(&r, &p->hdr.frag_len));
	NTLM_TRY(nb_read_u16le(&r, &p->hdr.auth_len));
	NTLM_TRY(nb_read_u32le(&r, &p->hdr.call_id));
	if (vers != RPC_VERS || minor > 1)
		return NTLM_E_BAD_MESSAGE_TYPE;
	if ((p->hdr.drep[0] & 0xF0u) != (RPC_DREP_LE & 0xF0u))
		return NTLM_E_UNSUPPORTED;
	if (p->hdr.frag_len != len)
		return NTLM_E_FIELD_RANGE;
	p->data = data;
	p->len = len;
	size_t body_end = len;
	if (p->hdr.auth_len) {
		NTLM_TRY(parse_verifier(&r, len, p->hdr.auth_len, &p->ver));
		p->has_verifier = 1;
		body_end = p->ver.trailer_off;
	}
	return nb_slice(&r, RPC_HDR_LEN, body_end - RPC_HDR_LEN, &p->body);
}

/* child = the next n bytes of r, as a reader of their own. */
static ntlm_err sub_reader(nb_reader *r, size_t n, nb_reader *child)
{
	const uint8_t *view;
	NTLM_TRY(nb_read_view(r, n, &view));
	nb_reader_init(child, view, n);
	return NTLM_OK;
}

static ntlm_err rest_reader(nb_reader *r, nb_reader *child)
{
	return sub_reader(r, nb_remaining(r), child);
}

ntlm_err rpc_next_syntax(nb_reader *list, ntlm_rpc_syntax *s)
{
	NTLM_TRY(nb_read_bytes(list, s->uuid, 16));
	NTLM_TRY(nb_read_u16le(list, &s->major));
	return nb_read_u16le(list, &s->minor);
}

static int is_bind_family(uint8_t t)
{
	return t == RPC_PT_BIND || t == RPC_PT_ALTER;
}

ntlm_err rpc_parse_bind(const rpc_pdu *p, rpc_bind_body *b)
{
	if (!is_bind_family(p->hdr.ptype))
		return NTLM_E_BAD_MESSAGE_TYPE;
	nb_reader r = p->body;
	NTLM_TRY(nb_read_u16le(&r, &b->max_xmit));
	NTLM_TRY(nb_read_u16le(&r, &b->max_recv));
	NTLM_TRY(nb_read_u32le(&r, &b->assoc_group));
	NTLM_TRY(nb_read_u8(&r, &b->n_ctx));
	NTLM_TRY(nb_skip(&r, 3));
	return rest_reader(&r, &b->ctx_list);
}

ntlm_err rpc_next_ctx(nb_reader *list, rpc_ctx_elem *e)
{
	uint8_t reserved;
	NTLM_TRY(nb_read_u16le(list, &e->ctx_id));
	NTLM_TRY(nb_read_u8(list, &e->n_transfer));
	NTLM_TRY(nb_read_u8(list, &reserved));
	NTLM_TRY(rpc_next_syntax(list, &e->abstract));
	return sub_reader(list, (size_t)e->n_transfer * 20, &e->transfer_list);
}

ntlm_err rpc_parse_ack(const rpc_pdu *p, rpc_ack_body *a)
{
	if (p->hdr.ptype != RPC_PT_BIND_ACK && p->hdr.ptype != RPC_PT_ALTER_RESP)
		return NTLM_E_BAD_MESSAGE_TYPE;
	nb_reader r = p->body;
	uint16_t addr_len;
	NTLM_TRY(nb_read_u16le(&r, &a->max_xmit));
	NTLM_TRY(nb_read_u16le(&r, &a->max_recv));
	NTLM_TRY(nb_read_u32le(&r, &a->assoc_group));
	NTLM_TRY(nb_read_u16le(&r, &addr_len));
	NTLM_TRY(nb_skip(&r, addr_len));
	/* The result list is 4-aligned; the body starts 4-aligned in the PDU. */
	NTLM_TRY(nb_skip(&r, (4 - nb_pos(&r) % 4) % 4));
	NTLM_TRY(nb_read_u8(&r, &a->n_results));
	NTLM_TRY(nb_skip(&r, 3));
	return rest_reader(&r, &a->results);
}

ntlm_err rpc_next_result(nb_reader *list, rpc_result *res)
{
	NTLM_TRY(nb_read_u16le(list, &res->result));
	NTLM_TRY(nb_read_u16le(list, &res->reason));
	return rpc_next_syntax(list, &res->transfer);
}

ntlm_err rpc_parse_nak(const rpc_pdu *p, uint16_t *reason)
{
	if (p->hdr.ptype != RPC_PT_BIND_NAK)
		return NTLM_E_BAD_MESSAGE_TYPE;
	nb_reader r = p->body;
	return nb_read_u16le(&r, reason);
}

ntlm_err rpc_parse_call(const rpc_pdu *p, rpc_call_body *c)
{
	memset(c, 0, sizeof(*c));
	nb_reader r = p->body;
	uint8_t cancel, reserved;
	NTLM_TRY(nb_read_u32le(&r, &c->alloc_hint));
	NTLM_TRY(nb_read_u16le(&r, &c->ctx_id));
	switch (p->hdr.ptype) {
	case RPC_PT_REQUEST:
		NTLM_TRY(nb_read_u16le(&r, &c->opnum));
		if (p->hdr.flags & RPC_PFC_OBJECT_UUID) {
			NTLM_TRY(nb_read_bytes(&r, c->object, 16));
			c->has_object = 1;
		}
		break;
	case RPC_PT_RESPONSE:
		NTLM_TRY(nb_read_u8(&r, &cancel));
		NTLM_TRY(nb_read_u8(&r, &reserved));
		break;
	case RPC_PT_FAULT:
		NTLM_TRY(nb_read_u8(&r, &cancel));
		NTLM_TRY(nb_read_u8(&r, &reserved));
		NTLM_TRY(nb_read_u32le(&r, &c->status));
		break;
	default:
		return NTLM_E_BAD_MESSAGE_TYPE;
	}
	size_t pad = p->has_verifier ? p->ver.pad_len : 0;
	if (pad > nb_remaining(&r))
		return NTLM_E_FIELD_RANGE; /* padding claimed beyond the stub */
	c->stub_off = RPC_HDR_LEN + nb_pos(&r);
	c->stub_len = nb_remaining(&r) - pad;
	return NTLM_OK;
}

/* ------------------------------------------------ verification trailer */

static const uint8_t vt_magic[8] = {0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71};

#define VT_CMD_MASK     0x3FFFu
#define VT_CMD_END      0x4000u /* SEC_VT_COMMAND_END: the last command */
#define VT_MUST_PROCESS 0x8000u /* SEC_VT_MUST_PROCESS_COMMAND: refuse it if unknown */
#define VT_BITMASK_1    1u
#define VT_PCONTEXT     2u
#define VT_HEADER2      3u

/* Structure only: commands that end exactly where r does, the last (only it) marked END. */
static int vt_well_formed(nb_reader r)
{
	uint16_t cmd = 0, n;
	while (nb_remaining(&r)) {
		if (cmd & VT_CMD_END)
			return 0;
		if (nb_read_u16le(&r, &cmd) != NTLM_OK || nb_read_u16le(&r, &n) != NTLM_OK ||
		    nb_skip(&r, n) != NTLM_OK)
			return 0;
	}
	return (cmd & VT_CMD_END) != 0;
}

static ntlm_err vt_command(nb_reader *r, rpc_vt *vt)
{
	uint16_t cmd, n, reserved2;
	uint8_t reserved1;
	nb_reader v;
	NTLM_TRY(nb_read_u16le(r, &cmd));
	NTLM_TRY(nb_read_u16le(r, &n));
	NTLM_TRY(sub_reader(r, n, &v));
	static const struct {
		unsigned have;
		uint16_t len;
	} known[] = {[VT_BITMASK_1] = {RPC_VT_HAVE_BITMASK, 4},
	             [VT_PCONTEXT] = {RPC_VT_HAVE_PCONTEXT, 40},
	             [VT_HEADER2] = {RPC_VT_HAVE_HEADER2, 16}};
	unsigned id = cmd & VT_CMD_MASK;
	if (id == 0 || id >= NTLM_ARRAY_LEN(known))
		return (cmd & VT_MUST_PROCESS) ? NTLM_E_UNSUPPORTED : NTLM_OK;
	if (n != known[id].len || (vt->have & known[id].have))
		return NTLM_E_BAD_MESSAGE_TYPE; /* a repeated command would leave two answers */
	vt->have |= known[id].have;
	if (id == VT_BITMASK_1)
		return nb_read_u32le(&v, &vt->bitmask);
	if (id == VT_PCONTEXT) {
		NTLM_TRY(rpc_next_syntax(&v, &vt->abstract));
		return rpc_next_syntax(&v, &vt->transfer);
	}
	NTLM_TRY(nb_read_u8(&v, &vt->ptype));
	NTLM_TRY(nb_read_u8(&v, &reserved1));
	NTLM_TRY(nb_read_u16le(&v, &reserved2));
	NTLM_TRY(nb_read_bytes(&v, vt->drep, 4));
	NTLM_TRY(nb_read_u32le(&v, &vt->call_id));
	NTLM_TRY(nb_read_u16le(&v, &vt->ctx_id));
	return nb_read_u16le(&v, &vt->opnum);
}

/*
 * [MS-RPCE] 2.2.2.13 asks a server to search for the signature rather than
 * assume where the stub ends; the first 4-aligned candidate whose commands
 * run exactly to the end is the trailer.
 */
ntlm_err rpc_vt_parse(const uint8_t *stub, size_t len, rpc_vt *vt, int *found)
{
	memset(vt, 0, sizeof(*vt));
	*found = 0;
	if (!stub)
		return len ? NTLM_E_INVALID_PARAMETER : NTLM_OK;
	nb_reader whole;
	nb_reader_init(&whole, stub, len);
	size_t start = len > RPC_VT_SEARCH ? len - RPC_VT_SEARCH : 0;
	start += (4 - start % 4) % 4;
	for (size_t off = start; off + sizeof(vt_magic) <= len; off += 4) {
		nb_reader r;
		NTLM_TRY(nb_slice(&whole, off, len - off, &r));
		if (nb_expect(&r, vt_magic, sizeof(vt_magic), NTLM_E_BAD_MESSAGE_TYPE) != NTLM_OK ||
		    !vt_well_formed(r))
			continue;
		vt->off = off;
		*found = 1;
		while (nb_remaining(&r))
			NTLM_TRY(vt_command(&r, vt));
		return NTLM_OK;
	}
	return NTLM_OK;
}

/* ----------------------------------------------------------- encoding */

#define FRAG_LEN_OFF 8
#define AUTH_LEN_OFF 10

static void put_hdr(nb_writer *w, uint8_t ptype, uint8_t flags, uint32_t call_id)
{
	static const uint8_t drep[4] = {RPC_DREP_LE, 0, 0, 0};
	nb_write_u8(w, RPC_VERS);
	nb_write_u8(w, 0);
	nb_write_u8(w, ptype);
	nb_write_u8(w, flags);
	nb_write_bytes(w, drep, 4);
	nb_write_u16le(w, 0); /* frag_length, patched last */
	nb_write_u16le(w, 0); /* auth_length */
	nb_write_u32le(w, call_id);
}

static void put_syntax(nb_writer *w, const ntlm_rpc_syntax *s)
{
	nb_write_bytes(w, s->uuid, 16);
	nb_write_u16le(w, s->major);
	nb_write_u16le(w, s->minor);
}

ntlm_err rpc_put_vt(nb_writer *w, size_t stub_len, const rpc_vt *vt)
{
	unsigned left = vt->have & (RPC_VT_HAVE_BITMASK | RPC_VT_HAVE_PCONTEXT | RPC_VT_HAVE_HEADER2);
	if (!left)
		return NTLM_E_INVALID_PARAMETER;
	nb_write_zeros(w, (4 - stub_len % 4) % 4);
	nb_write_bytes(w, vt_magic, sizeof(vt_magic));
	if (left & RPC_VT_HAVE_BITMASK) {
		left &= ~RPC_VT_HAVE_BITMASK;
		nb_write_u16le(w, (uint16_t)(VT_BITMASK_1 | (left ? 0 : VT_CMD_END)));
		nb_write_u16le(w, 4);
		nb_write_u32le(w, vt->bitmask);
	}
	if (left & RPC_VT_HAVE_PCONTEXT) {
		left &= ~RPC_VT_HAVE_PCONTEXT;
		nb_write_u16le(w, (uint16_t)(VT_PCONTEXT | (left ? 0 : VT_CMD_END)));
		nb_write_u16le(w, 40);
		put_syntax(w, &vt->abstract);
		put_syntax(w, &vt->transfer);
	}
	if (left & RPC_VT_HAVE_HEADER2) {
		nb_write_u16le(w, (uint16_t)(VT_HEADER2 | VT_CMD_END));
		nb_write_u16le(w, 16);
		nb_write_u8(w, vt->ptype);
		nb_write_zeros(w, 3);
		nb_write_bytes(w, vt->drep, 4);
		nb_write_u32le(w, vt->call_id);
		nb_write_u16le(w, vt->ctx_id);
		nb_write_u16le(w, vt->opnum);
	}
	return w->err;
}

/* frag_length = what was written; a PDU cannot exceed 64 KiB. */
static ntlm_err patch_frag(nb_writer *w)
{
	if (w->err != NTLM_OK)
		return w->err;
	if (w->len > RPC_FRAG_ABS_MAX)
		return NTLM_E_BUFFER_TOO_SMALL;
	return nb_patch_u16le(w, FRAG_LEN_OFF, (uint16_t)w->len);
}

ntlm_err rpc_put_bind(nb_writer *w, uint8_t ptype, uint32_t call_id, uint32_t assoc_group,
                      uint16_t ctx_id, const ntlm_rpc_syntax *abstract)
{
	put_hdr(w, ptype, RPC_PFC_FIRST | RPC_PFC_LAST, call_id);
	nb_write_u16le(w, RPC_FRAG_OFFER);
	nb_write_u16le(w, RPC_FRAG_OFFER);
	nb_write_u32le(w, assoc_group);
	nb_write_u8(w, 1); /* one presentation context */
	nb_write_zeros(w, 3);
	nb_write_u16le(w, ctx_id);
	nb_write_u8(w, 1); /* one transfer syntax: NDR */
	nb_write_u8(w, 0);
	put_syntax(w, abstract);
	put_syntax(w, &rpc_ndr_syntax);
	return patch_frag(w);
}

ntlm_err rpc_put_ack(nb_writer *w, uint8_t ptype, uint32_t call_id, uint16_t max_xmit,
                     uint16_t max_recv, uint32_t assoc_group, const char *sec_addr,
                     const rpc_result *results, size_t n)
{
	if (n > 255)
		return NTLM_E_INVALID_PARAMETER;
	put_hdr(w, ptype, RPC_PFC_FIRST | RPC_PFC_LAST, call_id);
	nb_write_u16le(w, max_xmit);
	nb_write_u16le(w, max_recv);
	nb_write_u32le(w, assoc_group);
	size_t addr_len = sec_addr && *sec_addr ? strlen(sec_addr) + 1 : 0;
	if (addr_len > 256)
		return NTLM_E_INVALID_PARAMETER;
	nb_write_u16le(w, (uint16_t)addr_len);
	nb_write_bytes(w, sec_addr, addr_len);
	nb_write_zeros(w, (4 - w->len % 4) % 4);
	nb_write_u8(w, (uint8_t)n);
	nb_write_zeros(w, 3);
	for (size_t i = 0; i < n; i++) {
		nb_write_u16le(w, results[i].result);
		nb_write_u16le(w, results[i].reason);
		put_syntax(w, &results[i].transfer);
	}
	return patch_frag(w);
}

ntlm_err rpc_put_nak(nb_writer *w, uint32_t call_id, uint16_t reason)
{
	put_hdr(w, RPC_PT_BIND_NAK, RPC_PFC_FIRST | RPC_PFC_LAST, call_id);
	nb_write_u16le(w, reason);
	nb_write_u8(w, 1); /* versions supported: 5.0 */
	nb_write_u8(w, RPC_VERS);
	nb_write_u8(w, 0);
	return patch_frag(w);
}

ntlm_err rpc_put_auth3(nb_writer *w, uint32_t call_id)
{
	put_hdr(w, RPC_PT_AUTH3, RPC_PFC_FIRST | RPC_PFC_LAST, call_id);
	nb_write_zeros(w, 4); /* [MS-RPCE] 2.2.2.10: pad, ignored on receipt */
	return patch_frag(w);
}

ntlm_err rpc_put_request(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                         uint16_t ctx_id, uint16_t opnum, const uint8_t *stub, size_t len)
{
	return rpc_put_request_object(w, call_id, flags, alloc_hint, ctx_id, opnum, NULL, stub, len);
}

ntlm_err rpc_put_request_object(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                                uint16_t ctx_id, uint16_t opnum, const uint8_t object[16],
                                const uint8_t *stub, size_t len)
{
	flags = object ? flags | RPC_PFC_OBJECT_UUID : flags & ~RPC_PFC_OBJECT_UUID;
	put_hdr(w, RPC_PT_REQUEST, flags, call_id);
	nb_write_u32le(w, alloc_hint);
	nb_write_u16le(w, ctx_id);
	nb_write_u16le(w, opnum);
	if (object)
		nb_write_bytes(w, object, 16);
	nb_write_bytes(w, stub, len);
	return patch_frag(w);
}

ntlm_err rpc_put_response(nb_writer *w, uint32_t call_id, uint8_t flags, uint32_t alloc_hint,
                          uint16_t ctx_id, const uint8_t *stub, size_t len)
{
	put_hdr(w, RPC_PT_RESPONSE, flags, call_id);
	nb_write_u32le(w, alloc_hint);
	nb_write_u16le(w, ctx_id);
	nb_write_u8(w, 0); /* cancel_count */
	nb_write_u8(w, 0);
	nb_write_bytes(w, stub, len);
	return patch_frag(w);
}

ntlm_err rpc_put_fault(nb_writer *w, uint32_t call_id, uint16_t ctx_id, uint32_t status,
                       int did_not_execute)
{
	uint8_t flags = RPC_PFC_FIRST | RPC_PFC_LAST | (did_not_execute ? RPC_PFC_DID_NOT_EXECUTE : 0);
	put_hdr(w, RPC_PT_FAULT, flags, call_id);
	nb_write_u32le(w, 0); /* alloc_hint */
	nb_write_u16le(w, ctx_id);
	nb_write_u8(w, 0);
	nb_write_u8(w, 0);
	nb_write_u32le(w, status);
	nb_write_zeros(w, 4);
	return patch_frag(w);
}

ntlm_err rpc_put_verifier(nb_writer *w, uint8_t auth_type, uint8_t level, uint8_t pad_len,
                          uint32_t context_id, const uint8_t *value, size_t value_len)
{
	if (value_len > RPC_FRAG_ABS_MAX)
		return NTLM_E_BUFFER_TOO_SMALL;
	nb_write_zeros(w, pad_len);
	nb_write_u8(w, auth_type);
	nb_write_u8(w, level);
	nb_write_u8(w, pad_len);
	nb_write_u8(w, 0);
	nb_write_u32le(w, context_id);
	nb_write_bytes(w, value, value_len);
	NTLM_TRY(patch_frag(w));
	return nb_patch_u16le(w, AUTH_LEN_OFF, (uint16_t)value_len);
}
