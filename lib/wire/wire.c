/*
 * wire.c - NEGOTIATE / CHALLENGE / AUTHENTICATE codecs ([MS-NLMP] 2.2.1) and
 * the NTLMv2_CLIENT_CHALLENGE view (2.2.2.7); see wire.h.
 *
 * Decoding policy: tolerant of the unusual, strict about the unsafe.
 *  - The optional header parts (VERSION, MIC, the CHALLENGE TargetInfo
 *    fields) are read only when the header has room for them, i.e. when the
 *    lowest offset of a non-empty payload field (or, with no payload, the
 *    message length) lies at or past their end. Old peers send short headers
 *    and put their payload right after; reading a VERSION there would read
 *    payload bytes as a header.
 *  - Every security buffer (Len, MaxLen, Offset): MaxLen < Len is refused
 *    (FIELD_MAXLEN), MaxLen > Len is accepted (padding peers); a non-empty
 *    field must lie inside the message (FIELD_RANGE, overflow-safe through
 *    nb_slice), must not start inside the fixed header and must not overlap
 *    another non-empty field (FIELD_OVERLAP). Empty fields carry no data, so
 *    their offset is never looked at: peers put anything there.
 *  - On any error the output struct is left cleared, never half filled.
 */
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "text.h"
#include "try.h"

static const uint8_t nw_signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', '\0'};

/* One security buffer: Len(2) MaxLen(2) Offset(4); name and pos for explanations. */
typedef struct nw_secbuf {
	uint16_t len;
	uint16_t maxlen;
	uint32_t off;
	const char *name; /* "DomainNameFields"; the value it points at is the name minus "Fields" */
	size_t pos;       /* where the security buffer sits in the header */
} nw_secbuf;

#define NW_SECBUF_SIZE  8
#define NW_VERSION_SIZE 8
#define NW_MIC_SIZE     16

/*
 * Offsets of fixed header fields, and *_HEADER_X: where the header ends when
 * it includes part X (see the layout tables below).
 */
#define NEG_DOMAIN         16
#define NEG_WORKSTATION    24
#define NEG_HEADER_VERSION 40

#define CHAL_TARGET_NAME        12
#define CHAL_TARGET_INFO        40
#define CHAL_HEADER_TARGET_INFO 48
#define CHAL_HEADER_VERSION     56

#define AUTH_LM             12
#define AUTH_NT             20
#define AUTH_DOMAIN         28
#define AUTH_USER           36
#define AUTH_WORKSTATION    44
#define AUTH_SESSION_KEY    52
#define AUTH_HEADER_VERSION 72

#define NEG_SUPPLIED_MASK                                                                          \
	(NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED | NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED)

/* ------------------------------------------------------ explanations */

void nw_fault_set(nw_fault *f, const char *field, size_t offset, const char *fmt, ...)
{
	va_list ap;
	if (!f)
		return;
	snprintf(f->field, sizeof(f->field), "%s", field);
	f->offset = offset;
	va_start(ap, fmt);
	vsnprintf(f->rule, sizeof(f->rule), fmt, ap);
	va_end(ap);
}

void nw_fault_within(nw_fault *f, const char *where, size_t base)
{
	if (!f)
		return;
	if (where) {
		char field[sizeof(f->field)];
		/* a name cut short still names the place; the offset is exact */
		if (snprintf(field, sizeof(field), "%s: %s", where, f->field) < 0)
			field[0] = '\0';
		memcpy(f->field, field, sizeof(field));
	}
	f->offset += base;
}

/* A header read that failed at pos (the reader does not move on failure). */
static ntlm_err header_fault(ntlm_err rc, const nb_reader *r, const char *field, size_t pos,
                             nw_fault *fault)
{
	if (rc == NTLM_E_TRUNCATED)
		nw_fault_set(fault, field, pos, "the message ends at %zu bytes, inside the header", r->len);
	return rc;
}

/* Reads one header field of n bytes (out may be NULL: skipped), naming it if it is cut off. */
static ntlm_err read_header(nb_reader *r, const char *field, void *out, size_t n, nw_fault *fault)
{
	size_t pos = nb_pos(r);
	ntlm_err rc = out ? nb_read_bytes(r, out, n) : nb_skip(r, n);
	return header_fault(rc, r, field, pos, fault);
}

static ntlm_err read_header_u32(nb_reader *r, const char *field, uint32_t *v, nw_fault *fault)
{
	size_t pos = nb_pos(r);
	return header_fault(nb_read_u32le(r, v), r, field, pos, fault);
}

/* ------------------------------------------------------ shared decoding */

/* Signature and MessageType: the first 12 bytes of every message. */
static ntlm_err read_preamble(nb_reader *r, uint32_t *type, nw_fault *fault)
{
	ntlm_err rc = nb_expect(r, nw_signature, sizeof(nw_signature), NTLM_E_BAD_SIGNATURE_HEADER);
	if (rc == NTLM_E_TRUNCATED)
		nw_fault_set(fault, "Signature", 0,
		             "the message is %zu bytes, shorter than the 8-byte \"NTLMSSP\\0\" signature",
		             r->len);
	else if (rc != NTLM_OK)
		nw_fault_set(fault, "Signature", 0, "not \"NTLMSSP\\0\" (not an NTLM message)");
	if (rc != NTLM_OK)
		return rc;
	return read_header_u32(r, "MessageType", type, fault);
}

static ntlm_err expect_preamble(nb_reader *r, uint32_t want, nw_fault *fault)
{
	uint32_t type;
	NTLM_TRY(read_preamble(r, &type, fault));
	if (type == want)
		return NTLM_OK;
	nw_fault_set(fault, "MessageType", 8, "%u, expected %u", type, want);
	return NTLM_E_BAD_MESSAGE_TYPE;
}

static ntlm_err read_secbuf(nb_reader *r, nw_secbuf *f, const char *name, nw_fault *fault)
{
	uint8_t b[NW_SECBUF_SIZE];
	nb_reader sb;
	f->name = name;
	f->pos = nb_pos(r);
	NTLM_TRY(read_header(r, name, b, sizeof(b), fault));
	nb_reader_init(&sb, b, sizeof(b));
	NTLM_TRY(nb_read_u16le(&sb, &f->len));
	NTLM_TRY(nb_read_u16le(&sb, &f->maxlen));
	return nb_read_u32le(&sb, &f->off);
}

/* 2.2.2.10: Major(1) Minor(1) Build(2) Reserved(3) NTLMRevisionCurrent(1) */
static ntlm_err read_version(nb_reader *r, nw_version *v)
{
	NTLM_TRY(nb_read_u8(r, &v->major));
	NTLM_TRY(nb_read_u8(r, &v->minor));
	NTLM_TRY(nb_read_u16le(r, &v->build));
	NTLM_TRY(nb_skip(r, 3));
	return nb_read_u8(r, &v->revision);
}

/*
 * Where the payload begins: the lowest offset of a non-empty field, capped
 * at the message length (also the answer when every field is empty). The
 * optional header parts exist only below this point.
 */
static size_t payload_start(const nw_secbuf *f, size_t n, size_t msg_len)
{
	size_t start = msg_len;
	for (size_t i = 0; i < n; i++)
		if (f[i].len && f[i].off < start)
			start = f[i].off;
	return start;
}

static int secbufs_overlap(const nw_secbuf *a, const nw_secbuf *b)
{
	/* Both already lie inside the message, so the sums cannot overflow. */
	size_t a_end = (size_t)a->off + a->len, b_end = (size_t)b->off + b->len;
	return a->off < b_end && b->off < a_end;
}

/* The (Len, MaxLen, Offset) rules of the file comment for one field. */
static ntlm_err check_secbuf(const nb_reader *msg, const nw_secbuf *f, size_t header_end,
                             nw_fault *fault)
{
	nb_reader view;
	if (f->maxlen < f->len) {
		nw_fault_set(fault, f->name, f->pos, "MaxLen %u is less than Len %u", f->maxlen, f->len);
		return NTLM_E_FIELD_MAXLEN;
	}
	if (f->len == 0)
		return NTLM_OK;
	ntlm_err rc = nb_slice(msg, f->off, f->len, &view);
	if (rc != NTLM_OK) {
		nw_fault_set(fault, f->name, f->pos,
		             "offset 0x%08x + length %u beyond message end (length %zu)", f->off, f->len,
		             msg->len);
		return rc;
	}
	if (f->off < header_end) {
		nw_fault_set(fault, f->name, f->pos, "offset 0x%08x lies inside the %zu-byte header",
		             f->off, header_end);
		return NTLM_E_FIELD_OVERLAP;
	}
	return NTLM_OK;
}

/* Applies the rules to all fields, then refuses any two non-empty ones that overlap. */
static ntlm_err check_secbufs(const nb_reader *msg, const nw_secbuf *f, size_t n, size_t header_end,
                              nw_fault *fault)
{
	for (size_t i = 0; i < n; i++)
		NTLM_TRY(check_secbuf(msg, &f[i], header_end, fault));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (f[i].len && f[j].len && secbufs_overlap(&f[i], &f[j])) {
				nw_fault_set(fault, f[j].name, f[j].pos,
				             "offset 0x%08x, length %u overlaps %s (offset 0x%08x, length %u)",
				             f[j].off, f[j].len, f[i].name, f[i].off, f[i].len);
				return NTLM_E_FIELD_OVERLAP;
			}
	return NTLM_OK;
}

/* The bytes a (checked) security buffer points at; NULL for an empty one. */
static ntlm_err secbuf_view(const nb_reader *msg, const nw_secbuf *f, const uint8_t **view)
{
	nb_reader field;
	*view = NULL;
	if (f->len == 0)
		return NTLM_OK;
	NTLM_TRY(nb_slice(msg, f->off, f->len, &field));
	return nb_read_view(&field, f->len, view);
}

/* Copies a byte field; an empty field gives NULL/0. */
static ntlm_err secbuf_copy(const nb_reader *msg, const nw_secbuf *f, uint8_t **out,
                            size_t *out_len)
{
	const uint8_t *view;
	*out = NULL;
	*out_len = 0;
	NTLM_TRY(secbuf_view(msg, f, &view));
	if (!view)
		return NTLM_OK;
	*out = ntlm_calloc(f->len, 1);
	if (!*out)
		return NTLM_E_NO_MEMORY;
	memcpy(*out, view, f->len);
	*out_len = f->len;
	return NTLM_OK;
}

/* Decodes a string field (UTF-16LE or OEM) to UTF-8; an empty field gives "". */
static ntlm_err secbuf_string(const nb_reader *msg, const nw_secbuf *f, int unicode, char **out,
                              nw_fault *fault)
{
	const uint8_t *view;
	*out = NULL;
	NTLM_TRY(secbuf_view(msg, f, &view));
	ntlm_err rc = unicode ? ntlm_utf16le_to_utf8(view, f->len, out)
	                      : ntlm_oem_to_utf8(view, f->len, out);
	if (rc == NTLM_E_BAD_STRING) {
		char value[48]; /* the value a "...Fields" buffer points at */
		snprintf(value, sizeof(value), "%.*s", (int)(strlen(f->name) - strlen("Fields")), f->name);
		nw_fault_set(fault, value, f->off, "length %u, not a valid %s string%s", f->len,
		             unicode ? "UTF-16LE" : "OEM",
		             unicode && f->len % 2 ? " (odd length)" : " (bad encoding or NUL)");
	}
	return rc;
}

ntlm_err nw_message_type_fault(const uint8_t *data, size_t len, uint32_t *type, nw_fault *fault)
{
	nb_reader r;
	uint32_t t;
	if (!type)
		return NTLM_E_INVALID_PARAMETER;
	*type = 0;
	nb_reader_init(&r, data, len);
	NTLM_TRY(read_preamble(&r, &t, fault));
	if (t < NW_NEGOTIATE || t > NW_AUTHENTICATE) {
		nw_fault_set(fault, "MessageType", 8,
		             "%u is not 1 (NEGOTIATE), 2 (CHALLENGE) or 3 (AUTHENTICATE)", t);
		return NTLM_E_BAD_MESSAGE_TYPE;
	}
	*type = t;
	return NTLM_OK;
}

ntlm_err nw_message_type(const uint8_t *data, size_t len, uint32_t *type)
{
	return nw_message_type_fault(data, len, type, NULL);
}

ntlm_err nw_wrong_type_as_state(ntlm_err rc, const uint8_t *data, size_t len)
{
	uint32_t type;
	if (rc == NTLM_E_BAD_MESSAGE_TYPE && nw_message_type(data, len, &type) == NTLM_OK)
		return NTLM_E_WRONG_STATE;
	return rc;
}

/* ------------------------------------------------------ shared encoding */

/*
 * Writer errors are sticky (nb_writer.err): the encoders write the fixed
 * header as one run and check it once, then fill the payload field by field.
 */

static ntlm_err write_preamble(nb_writer *w, uint32_t type)
{
	nb_write_bytes(w, nw_signature, sizeof(nw_signature));
	nb_write_u32le(w, type);
	return w->err;
}

/* v NULL writes the all-zero VERSION 2.2.2.10 asks for when none is sent. */
static ntlm_err write_version(nb_writer *w, const nw_version *v)
{
	static const nw_version zero;
	if (!v)
		v = &zero;
	nb_write_u8(w, v->major);
	nb_write_u8(w, v->minor);
	nb_write_u16le(w, v->build);
	nb_write_zeros(w, 3);
	nb_write_u8(w, v->revision);
	return w->err;
}

/*
 * Appends data to the payload and fills the security buffer at field_pos
 * (already reserved as zeros in the header) with Len = MaxLen = len.
 */
static ntlm_err put_secbuf(nb_writer *w, size_t field_pos, const void *data, size_t len)
{
	size_t off = w->len;
	if (len > UINT16_MAX || off > UINT32_MAX)
		return NTLM_E_INVALID_PARAMETER;
	nb_write_bytes(w, data, len);
	NTLM_TRY(w->err);
	NTLM_TRY(nb_patch_u16le(w, field_pos, (uint16_t)len));
	NTLM_TRY(nb_patch_u16le(w, field_pos + 2, (uint16_t)len));
	return nb_patch_u32le(w, field_pos + 4, (uint32_t)off);
}

/* strlen, 0 for NULL: for the writers' size hints. */
static size_t str_len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Fills the security buffer at field_pos for the payload bytes written since off. */
static ntlm_err point_secbuf(nb_writer *w, size_t field_pos, size_t off)
{
	size_t len = w->len - off;
	if (len > UINT16_MAX || off > UINT32_MAX)
		return NTLM_E_INVALID_PARAMETER;
	NTLM_TRY(nb_patch_u16le(w, field_pos, (uint16_t)len));
	NTLM_TRY(nb_patch_u16le(w, field_pos + 2, (uint16_t)len));
	return nb_patch_u32le(w, field_pos + 4, (uint32_t)off);
}

/*
 * A UTF-8 string (NULL = "") as UTF-16LE, converted straight into the
 * payload, or as OEM (whose converted copy is wiped).
 */
static ntlm_err put_string(nb_writer *w, size_t field_pos, const char *s, int unicode)
{
	uint8_t *enc;
	size_t enc_len, off = w->len;
	if (unicode) {
		size_t room = 2 * str_len(s);
		if (!(enc = nb_write_open(w, room)))
			return w->err;
		NTLM_TRY(ntlm_utf8_to_utf16le_into(s, enc, room, &enc_len));
		nb_write_commit(w, enc_len);
		NTLM_TRY(w->err);
		return point_secbuf(w, field_pos, off);
	}
	NTLM_TRY(ntlm_utf8_to_oem(s, 0, &enc, &enc_len));
	ntlm_err rc = put_secbuf(w, field_pos, enc, enc_len);
	ntlm_free_secret(enc, enc_len);
	return rc;
}

/* Turns a writer into *out, or frees it when anything before failed. */
static ntlm_err finish(nb_writer *w, ntlm_err rc, ntlm_buffer *out)
{
	if (rc != NTLM_OK) {
		nb_writer_free(w);
		return rc;
	}
	return nb_writer_finish(w, out);
}

/* ------------------------------------------------------------ NEGOTIATE */

/*
 * NEGOTIATE_MESSAGE, [MS-NLMP] 2.2.1.1
 *
 *    0  Signature "NTLMSSP\0"           8
 *    8  MessageType = 1                 4
 *   12  NegotiateFlags                  4   <- 16-byte minimal form ends here
 *   16  DomainNameFields                8   Len(2) MaxLen(2) Offset(4), OEM
 *   24  WorkstationFields               8   OEM    <- 32-byte form ends here
 *   32  Version (if NEGOTIATE_VERSION)  8          <- 40-byte form ends here
 *   ..  Payload
 *
 * A name field is read only when its *_SUPPLIED flag is set. An unflagged
 * field is ignored entirely, offset and length included: the spec says the
 * field is then meaningless, and clients (old Windows among them) leave
 * stale values there. The name fields are required, so a message that stops
 * inside them, or a 16-byte message with a *_SUPPLIED flag, is truncated.
 */

ntlm_err nw_negotiate_encode(const nw_negotiate *m, ntlm_buffer *out)
{
	nb_writer w;
	ntlm_err rc;
	if (!m || !out)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	nb_writer_init(&w);
	write_preamble(&w, NW_NEGOTIATE);
	nb_write_u32le(&w, m->flags);
	nb_write_zeros(&w, 2 * NW_SECBUF_SIZE);
	if (m->has_version)
		write_version(&w, &m->version);
	/* The SUPPLIED flags govern, as in the decoder; NULL then means "". */
	rc = w.err;
	if (rc == NTLM_OK && (m->flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED))
		rc = put_string(&w, NEG_DOMAIN, m->domain, 0);
	if (rc == NTLM_OK && (m->flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED))
		rc = put_string(&w, NEG_WORKSTATION, m->workstation, 0);
	return finish(&w, rc, out);
}

static ntlm_err negotiate_parse(const uint8_t *data, size_t len, nw_negotiate *m, nw_fault *fault)
{
	nb_reader r;
	nw_secbuf f[2] = {{0, 0, 0, "DomainNameFields", NEG_DOMAIN},
	                  {0, 0, 0, "WorkstationFields", NEG_WORKSTATION}};
	nb_reader_init(&r, data, len);
	NTLM_TRY(expect_preamble(&r, NW_NEGOTIATE, fault));
	NTLM_TRY(read_header_u32(&r, "NegotiateFlags", &m->flags, fault));
	if (nb_remaining(&r) > 0 || (m->flags & NEG_SUPPLIED_MASK)) {
		NTLM_TRY(read_secbuf(&r, &f[0], "DomainNameFields", fault));
		NTLM_TRY(read_secbuf(&r, &f[1], "WorkstationFields", fault));
	}
	/* an unflagged field is ignored, offset and length included */
	if (!(m->flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED))
		f[0].len = f[0].maxlen = 0;
	if (!(m->flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED))
		f[1].len = f[1].maxlen = 0;

	/* (a payload start >= 40 implies the name fields were read: pos is 32) */
	if ((m->flags & NTLMSSP_NEGOTIATE_VERSION) && payload_start(f, 2, len) >= NEG_HEADER_VERSION) {
		NTLM_TRY(read_version(&r, &m->version));
		m->has_version = 1;
	}
	NTLM_TRY(check_secbufs(&r, f, 2, nb_pos(&r), fault));
	if (m->flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED)
		NTLM_TRY(secbuf_string(&r, &f[0], 0, &m->domain, fault));
	if (m->flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED)
		NTLM_TRY(secbuf_string(&r, &f[1], 0, &m->workstation, fault));
	return NTLM_OK;
}

ntlm_err nw_negotiate_decode_fault(const uint8_t *data, size_t len, nw_negotiate *m,
                                   nw_fault *fault)
{
	if (!m)
		return NTLM_E_INVALID_PARAMETER;
	memset(m, 0, sizeof(*m));
	ntlm_err rc = negotiate_parse(data, len, m, fault);
	if (rc != NTLM_OK)
		nw_negotiate_clear(m);
	return rc;
}

ntlm_err nw_negotiate_decode(const uint8_t *data, size_t len, nw_negotiate *m)
{
	return nw_negotiate_decode_fault(data, len, m, NULL);
}

void nw_negotiate_clear(nw_negotiate *m)
{
	if (!m)
		return;
	ntlm_free_string(m->domain);
	ntlm_free_string(m->workstation);
	ntlm_memzero(m, sizeof(*m));
}

/* ------------------------------------------------------------ CHALLENGE */

/*
 * CHALLENGE_MESSAGE, [MS-NLMP] 2.2.1.2
 *
 *    0  Signature "NTLMSSP\0"           8
 *    8  MessageType = 2                 4
 *   12  TargetNameFields                8   UTF-16LE if NEGOTIATE_UNICODE, else OEM
 *   20  NegotiateFlags                  4
 *   24  ServerChallenge                 8   <- oldest servers: header ends at 32
 *   32  Reserved                        8
 *   40  TargetInfoFields                8   raw AV_PAIR list (2.2.2.1)
 *   48  Version (if NEGOTIATE_VERSION)  8
 *   56  Payload
 *
 * TargetInfoFields are read when the message and the payload start leave
 * room for them (>= 48), Version when they leave room for it (>= 56).
 * Peers set both UNICODE and OEM; UNICODE then wins, as in Windows.
 * An empty TargetName decodes to NULL (absent). A TargetName that is not
 * valid in the flagged encoding is decoded in the other one and marked
 * (target_name_misencoded): impacket's server sends UTF-16LE under OEM
 * flags, and neither NTLMv2 nor the session keys use the TargetName.
 */

ntlm_err nw_challenge_encode(const nw_challenge *m, ntlm_buffer *out)
{
	nb_writer w;
	ntlm_err rc;
	if (!m || !out || (m->target_info_len && !m->target_info))
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	nb_writer_init(&w);
	nb_writer_reserve(&w, CHAL_HEADER_VERSION + 2 * str_len(m->target_name) + m->target_info_len);
	write_preamble(&w, NW_CHALLENGE);
	nb_write_zeros(&w, NW_SECBUF_SIZE);
	nb_write_u32le(&w, m->flags);
	nb_write_bytes(&w, m->server_challenge, sizeof(m->server_challenge));
	nb_write_zeros(&w, 8); /* Reserved */
	nb_write_zeros(&w, NW_SECBUF_SIZE);
	if (m->has_version)
		write_version(&w, &m->version);
	rc = w.err;
	/* a name the decoder found in the other encoding goes back the way it came */
	int unicode = ((m->flags & NTLMSSP_NEGOTIATE_UNICODE) != 0) != (m->target_name_misencoded != 0);
	if (rc == NTLM_OK && m->target_name)
		rc = put_string(&w, CHAL_TARGET_NAME, m->target_name, unicode);
	if (rc == NTLM_OK && m->target_info_len)
		rc = put_secbuf(&w, CHAL_TARGET_INFO, m->target_info, m->target_info_len);
	return finish(&w, rc, out);
}

/* The TargetName per the flags, else per the other encoding (see above); NULL if neither. */
static ntlm_err challenge_target_name(const nb_reader *r, const nw_secbuf *f, nw_challenge *m)
{
	int unicode = (m->flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	if (f->len == 0)
		return NTLM_OK;
	ntlm_err rc = secbuf_string(r, f, unicode, &m->target_name, NULL);
	if (rc != NTLM_E_BAD_STRING)
		return rc;
	m->target_name_misencoded = 1;
	rc = secbuf_string(r, f, !unicode, &m->target_name, NULL);
	return rc == NTLM_E_BAD_STRING ? NTLM_OK : rc;
}

static ntlm_err challenge_parse(const uint8_t *data, size_t len, nw_challenge *m, nw_fault *fault)
{
	nb_reader r;
	nw_secbuf f[2] = {{0, 0, 0, "TargetNameFields", CHAL_TARGET_NAME},
	                  {0, 0, 0, "TargetInfoFields", CHAL_TARGET_INFO}};
	nb_reader_init(&r, data, len);
	NTLM_TRY(expect_preamble(&r, NW_CHALLENGE, fault));
	NTLM_TRY(read_secbuf(&r, &f[0], "TargetNameFields", fault));
	NTLM_TRY(read_header_u32(&r, "NegotiateFlags", &m->flags, fault));
	NTLM_TRY(read_header(&r, "ServerChallenge", m->server_challenge, sizeof(m->server_challenge),
	                     fault));

	if (payload_start(f, 1, len) >= CHAL_HEADER_TARGET_INFO) {
		NTLM_TRY(read_header(&r, "Reserved", NULL, 8, fault));
		NTLM_TRY(read_secbuf(&r, &f[1], "TargetInfoFields", fault));
	}
	/* (a payload start >= 56 implies TargetInfoFields were read: pos is 48) */
	if ((m->flags & NTLMSSP_NEGOTIATE_VERSION) && payload_start(f, 2, len) >= CHAL_HEADER_VERSION) {
		NTLM_TRY(read_version(&r, &m->version));
		m->has_version = 1;
	}
	NTLM_TRY(check_secbufs(&r, f, 2, nb_pos(&r), fault));
	NTLM_TRY(challenge_target_name(&r, &f[0], m));
	m->target_info_offset = f[1].len ? f[1].off : 0;
	return secbuf_copy(&r, &f[1], &m->target_info, &m->target_info_len);
}

ntlm_err nw_challenge_decode_fault(const uint8_t *data, size_t len, nw_challenge *m,
                                   nw_fault *fault)
{
	if (!m)
		return NTLM_E_INVALID_PARAMETER;
	memset(m, 0, sizeof(*m));
	ntlm_err rc = challenge_parse(data, len, m, fault);
	if (rc != NTLM_OK)
		nw_challenge_clear(m);
	return rc;
}

ntlm_err nw_challenge_decode(const uint8_t *data, size_t len, nw_challenge *m)
{
	return nw_challenge_decode_fault(data, len, m, NULL);
}

void nw_challenge_clear(nw_challenge *m)
{
	if (!m)
		return;
	ntlm_free_string(m->target_name);
	ntlm_free_secret(m->target_info, m->target_info_len);
	ntlm_memzero(m, sizeof(*m));
}

/* --------------------------------------------------------- AUTHENTICATE */

/*
 * AUTHENTICATE_MESSAGE, [MS-NLMP] 2.2.1.3
 *
 *    0  Signature "NTLMSSP\0"               8
 *    8  MessageType = 3                     4
 *   12  LmChallengeResponseFields           8
 *   20  NtChallengeResponseFields           8
 *   28  DomainNameFields                    8   strings: UTF-16LE if this
 *   36  UserNameFields                      8   message's NEGOTIATE_UNICODE,
 *   44  WorkstationFields                   8   else OEM
 *   52  EncryptedRandomSessionKeyFields     8
 *   60  NegotiateFlags                      4   <- minimal header ends at 64
 *   64  Version (if NEGOTIATE_VERSION)      8   read if payload starts >= 72
 *   72  MIC                                16   present if payload starts >= 88
 *   88  Payload
 *
 * The MIC's presence is not flagged in the header (MsvAvFlags inside the
 * NT response announces it), so only the payload start can tell: a MIC
 * field exists exactly when the header reaches 88 bytes.
 */

enum { AF_LM, AF_NT, AF_DOMAIN, AF_USER, AF_WORKSTATION, AF_KEY, AF_COUNT };

ntlm_err nw_authenticate_write(const nw_authenticate *m, int with_mic, nb_writer *w)
{
	ntlm_err rc;
	int unicode;
	if (!m || !w || (m->lm_response_len && !m->lm_response) ||
	    (m->nt_response_len && !m->nt_response) ||
	    (m->encrypted_session_key_len && !m->encrypted_session_key))
		return NTLM_E_INVALID_PARAMETER;
	unicode = (m->flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	nb_writer_reserve(w, NW_AUTH_MIC_END + m->lm_response_len + m->nt_response_len +
	                         m->encrypted_session_key_len +
	                         2 * (str_len(m->domain) + str_len(m->user) + str_len(m->workstation)));
	write_preamble(w, NW_AUTHENTICATE);
	nb_write_zeros(w, AF_COUNT * NW_SECBUF_SIZE);
	nb_write_u32le(w, m->flags);
	/* The MIC sits after the VERSION slot, so a MIC forces one (zero if none). */
	if (m->has_version || with_mic)
		write_version(w, m->has_version ? &m->version : NULL);
	if (with_mic)
		nb_write_zeros(w, NW_MIC_SIZE);
	rc = w->err;
	if (rc == NTLM_OK)
		rc = put_string(w, AUTH_DOMAIN, m->domain, unicode);
	if (rc == NTLM_OK)
		rc = put_string(w, AUTH_USER, m->user, unicode);
	if (rc == NTLM_OK)
		rc = put_string(w, AUTH_WORKSTATION, m->workstation, unicode);
	if (rc == NTLM_OK)
		rc = put_secbuf(w, AUTH_LM, m->lm_response, m->lm_response_len);
	if (rc == NTLM_OK)
		rc = put_secbuf(w, AUTH_NT, m->nt_response, m->nt_response_len);
	if (rc == NTLM_OK)
		rc = put_secbuf(w, AUTH_SESSION_KEY, m->encrypted_session_key,
		                m->encrypted_session_key_len);
	return rc;
}

ntlm_err nw_authenticate_encode(const nw_authenticate *m, int with_mic, ntlm_buffer *out)
{
	nb_writer w;
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	nb_writer_init(&w);
	return finish(&w, nw_authenticate_write(m, with_mic, &w), out);
}

static ntlm_err secbuf_bytes(const nb_reader *msg, const nw_secbuf *f, int borrowed, uint8_t **out,
                             size_t *out_len);

static const char *const auth_field_names[AF_COUNT] = {
	"LmChallengeResponseFields", "NtChallengeResponseFields",
	"DomainNameFields",          "UserNameFields",
	"WorkstationFields",         "EncryptedRandomSessionKeyFields",
};

static ntlm_err authenticate_parse(const uint8_t *data, size_t len, uint32_t flags_if_zero,
                                   nw_authenticate *m, nw_fault *fault)
{
	nb_reader r;
	nw_secbuf f[AF_COUNT];
	size_t start;
	int unicode;
	nb_reader_init(&r, data, len);
	NTLM_TRY(expect_preamble(&r, NW_AUTHENTICATE, fault));
	for (size_t i = 0; i < AF_COUNT; i++)
		NTLM_TRY(read_secbuf(&r, &f[i], auth_field_names[i], fault));
	NTLM_TRY(read_header_u32(&r, "NegotiateFlags", &m->flags, fault));

	start = payload_start(f, AF_COUNT, len);
	if (start >= AUTH_HEADER_VERSION && (m->flags & NTLMSSP_NEGOTIATE_VERSION)) {
		NTLM_TRY(read_version(&r, &m->version));
		m->has_version = 1;
	}
	if (start >= NW_AUTH_MIC_END) {
		if (!m->has_version)
			NTLM_TRY(nb_skip(&r, NW_VERSION_SIZE));
		NTLM_TRY(nb_read_bytes(&r, m->mic, sizeof(m->mic)));
		m->has_mic_field = 1;
	}
	NTLM_TRY(check_secbufs(&r, f, AF_COUNT, nb_pos(&r), fault));

	unicode = ((m->flags ? m->flags : flags_if_zero) & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	m->nt_response_offset = f[AF_NT].len ? f[AF_NT].off : 0;
	NTLM_TRY(secbuf_bytes(&r, &f[AF_LM], m->borrowed, &m->lm_response, &m->lm_response_len));
	NTLM_TRY(secbuf_bytes(&r, &f[AF_NT], m->borrowed, &m->nt_response, &m->nt_response_len));
	NTLM_TRY(secbuf_string(&r, &f[AF_DOMAIN], unicode, &m->domain, fault));
	NTLM_TRY(secbuf_string(&r, &f[AF_USER], unicode, &m->user, fault));
	NTLM_TRY(secbuf_string(&r, &f[AF_WORKSTATION], unicode, &m->workstation, fault));
	return secbuf_bytes(&r, &f[AF_KEY], m->borrowed, &m->encrypted_session_key,
	                    &m->encrypted_session_key_len);
}

/* A byte field: a copy, or with borrowed a view (the codec never writes through it). */
static ntlm_err secbuf_bytes(const nb_reader *msg, const nw_secbuf *f, int borrowed, uint8_t **out,
                             size_t *out_len)
{
	const uint8_t *view;
	if (!borrowed)
		return secbuf_copy(msg, f, out, out_len);
	NTLM_TRY(secbuf_view(msg, f, &view));
	*out = (uint8_t *)view;
	*out_len = view ? f->len : 0;
	return NTLM_OK;
}

static ntlm_err authenticate_decode(const uint8_t *data, size_t len, uint32_t flags_if_zero,
                                    int borrowed, nw_authenticate *m, nw_fault *fault)
{
	if (!m)
		return NTLM_E_INVALID_PARAMETER;
	memset(m, 0, sizeof(*m));
	m->borrowed = borrowed;
	ntlm_err rc = authenticate_parse(data, len, flags_if_zero, m, fault);
	if (rc != NTLM_OK)
		nw_authenticate_clear(m);
	return rc;
}

ntlm_err nw_authenticate_decode_fault(const uint8_t *data, size_t len, uint32_t flags_if_zero,
                                      nw_authenticate *m, nw_fault *fault)
{
	return authenticate_decode(data, len, flags_if_zero, 0, m, fault);
}

ntlm_err nw_authenticate_decode_view(const uint8_t *data, size_t len, uint32_t flags_if_zero,
                                     nw_authenticate *m)
{
	return authenticate_decode(data, len, flags_if_zero, 1, m, NULL);
}

ntlm_err nw_authenticate_decode(const uint8_t *data, size_t len, nw_authenticate *m)
{
	return nw_authenticate_decode_fault(data, len, 0, m, NULL);
}

void nw_authenticate_clear(nw_authenticate *m)
{
	if (!m)
		return;
	if (!m->borrowed) {
		ntlm_free_secret(m->lm_response, m->lm_response_len);
		ntlm_free_secret(m->nt_response, m->nt_response_len);
		ntlm_free_secret(m->encrypted_session_key, m->encrypted_session_key_len);
	}
	ntlm_free_string(m->domain);
	ntlm_free_string(m->user);
	ntlm_free_string(m->workstation);
	ntlm_memzero(m, sizeof(*m)); /* the MIC too */
}
