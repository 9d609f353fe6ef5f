/* spnego.c - SPNEGO tokens in DER; see spnego.h */
#include "spnego.h"

#include <string.h>

#include "buf.h"
#include "try.h"

/* DER tags: universal, and the context-specific [n] constructed ones SPNEGO uses. */
#define TAG_ENUMERATED  0x0a
#define TAG_OID         0x06
#define TAG_OCTETS      0x04
#define TAG_BITS        0x03
#define TAG_SEQUENCE    0x30
#define TAG_APP0        0x60 /* [APPLICATION 0] constructed: RFC 2743's InitialContextToken */
#define TAG_CTX(n)      (0xa0 | (n))
#define MAX_LENGTH_SIZE 4 /* length octets after 0x8N: far above any token we take */

/* 1.3.6.1.5.5.2 (SPNEGO) and 1.3.6.1.4.1.311.2.2.10 (NTLMSSP), DER content octets. */
static const uint8_t oid_spnego[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
static const uint8_t oid_ntlmssp[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};

/* MechTypeList { NTLMSSP }: SEQUENCE { OID } */
static const uint8_t ntlm_mech_types[] = {TAG_SEQUENCE, 2 + sizeof(oid_ntlmssp),
                                          TAG_OID,      sizeof(oid_ntlmssp),
                                          0x2b,         0x06,
                                          0x01,         0x04,
                                          0x01,         0x82,
                                          0x37,         0x02,
                                          0x02,         0x0a};

const uint8_t *spnego_ntlm_mech_types(size_t *len)
{
	*len = sizeof(ntlm_mech_types);
	return ntlm_mech_types;
}

/* ------------------------------------------------------------ decoding */

/* One element: its tag, and its content as a reader of its own (whole[0..whole_len): the TLV). */
typedef struct der_elem {
	uint8_t tag;
	nb_reader content;
	const uint8_t *whole;
	size_t whole_len;
} der_elem;

static ntlm_err der_length(nb_reader *r, size_t *len)
{
	uint8_t b;
	NTLM_TRY(nb_read_u8(r, &b));
	if (!(b & 0x80)) {
		*len = b;
		return NTLM_OK;
	}
	unsigned n = b & 0x7f;
	if (n == 0 || n > MAX_LENGTH_SIZE)
		return NTLM_E_FIELD_RANGE; /* indefinite (BER, not DER), or absurdly long */
	size_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		NTLM_TRY(nb_read_u8(r, &b));
		v = (v << 8) | b;
	}
	*len = v;
	return NTLM_OK;
}

static ntlm_err der_next(nb_reader *r, der_elem *e)
{
	const uint8_t *content;
	size_t start = nb_pos(r), len;
	NTLM_TRY(nb_read_u8(r, &e->tag));
	if ((e->tag & 0x1f) == 0x1f)
		return NTLM_E_BAD_MESSAGE_TYPE; /* high tag numbers: nothing in SPNEGO */
	NTLM_TRY(der_length(r, &len));
	NTLM_TRY(nb_read_view(r, len, &content)); /* NTLM_E_TRUNCATED past the parent's end */
	nb_reader_init(&e->content, content, len);
	e->whole = r->data + start;
	e->whole_len = nb_pos(r) - start;
	return NTLM_OK;
}

/* The next element, which must carry tag. */
static ntlm_err der_expect(nb_reader *r, uint8_t tag, der_elem *e)
{
	NTLM_TRY(der_next(r, e));
	return e->tag == tag ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE;
}

/* An explicit [n] holding exactly one element of tag inner. */
static ntlm_err der_explicit(der_elem *outer, uint8_t inner, der_elem *e)
{
	NTLM_TRY(der_expect(&outer->content, inner, e));
	return nb_remaining(&outer->content) ? NTLM_E_BAD_MESSAGE_TYPE : NTLM_OK;
}

static spnego_view view_of(const nb_reader *r)
{
	spnego_view v = {r->data, r->len};
	return v;
}

static int oid_is(const nb_reader *r, const uint8_t *oid, size_t len)
{
	nb_reader copy = *r;
	return r->len == len && nb_expect(&copy, oid, len, NTLM_E_BAD_MESSAGE_TYPE) == NTLM_OK;
}

/* The tag of the element content starts with (0 when empty), without consuming it. */
static uint8_t peek_tag(const nb_reader *content)
{
	nb_reader copy = *content;
	uint8_t tag = 0;
	return nb_read_u8(&copy, &tag) == NTLM_OK ? tag : 0;
}

/* [0] MechTypeList: SEQUENCE OF OID; the MechTypeList as encoded is what the MIC covers. */
static ntlm_err read_mech_types(der_elem *field, spnego_token *t)
{
	der_elem list, oid;
	NTLM_TRY(der_explicit(field, TAG_SEQUENCE, &list));
	t->mech_types.data = list.whole;
	t->mech_types.len = list.whole_len;
	while (nb_remaining(&list.content)) {
		NTLM_TRY(der_expect(&list.content, TAG_OID, &oid));
		if (oid.content.len == 0)
			return NTLM_E_BAD_MESSAGE_TYPE;
		if (oid_is(&oid.content, oid_ntlmssp, sizeof(oid_ntlmssp))) {
			t->ntlm_first |= t->n_mechs == 0;
			t->ntlm_offered = 1;
		}
		t->n_mechs++;
	}
	return t->n_mechs ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE; /* RFC 4178: at least one */
}

/* The fields of a NegTokenInit, [0] to [4], each at most once and in order. */
static ntlm_err read_init_fields(nb_reader *seq, spnego_token *t)
{
	der_elem f, v;
	int last = -1;
	while (nb_remaining(seq)) {
		NTLM_TRY(der_next(seq, &f));
		int n = f.tag - TAG_CTX(0);
		if (n < 0 || n > 4 || n <= last)
			return NTLM_E_BAD_MESSAGE_TYPE;
		last = n;
		if (n == 0) {
			NTLM_TRY(read_mech_types(&f, t));
		} else if (n == 1) {
			NTLM_TRY(der_explicit(&f, TAG_BITS, &v)); /* reqFlags: advisory, ignored */
		} else if (n == 2) {
			NTLM_TRY(der_explicit(&f, TAG_OCTETS, &v));
			t->mech_token = view_of(&v.content);
		} else if (n == 3 && peek_tag(&f.content) == TAG_SEQUENCE) {
			NTLM_TRY(der_explicit(&f, TAG_SEQUENCE, &v)); /* NegTokenInit2's negHints */
		} else {
			NTLM_TRY(der_explicit(&f, TAG_OCTETS, &v)); /* [3], or NegTokenInit2's [4] */
			t->mic = view_of(&v.content);
		}
	}
	return t->mech_types.data ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE; /* mechTypes is required */
}

static ntlm_err read_neg_state(der_elem *f, spnego_token *t)
{
	der_elem v;
	uint8_t state;
	NTLM_TRY(der_explicit(f, TAG_ENUMERATED, &v));
	NTLM_TRY(nb_read_u8(&v.content, &state));
	if (nb_remaining(&v.content) || state > SPNEGO_REQUEST_MIC)
		return NTLM_E_BAD_MESSAGE_TYPE;
	t->neg_state = state;
	return NTLM_OK;
}

static ntlm_err read_resp_fields(nb_reader *seq, spnego_token *t)
{
	der_elem f, v;
	int last = -1;
	while (nb_remaining(seq)) {
		NTLM_TRY(der_next(seq, &f));
		int n = f.tag - TAG_CTX(0);
		if (n < 0 || n > 3 || n <= last)
			return NTLM_E_BAD_MESSAGE_TYPE;
		last = n;
		if (n == 0) {
			NTLM_TRY(read_neg_state(&f, t));
		} else if (n == 1) {
			NTLM_TRY(der_explicit(&f, TAG_OID, &v));
			t->supported_mech = oid_is(&v.content, oid_ntlmssp, sizeof(oid_ntlmssp)) ? 1 : 2;
		} else {
			NTLM_TRY(der_explicit(&f, TAG_OCTETS, &v));
			if (n == 2)
				t->mech_token = view_of(&v.content);
			else
				t->mic = view_of(&v.content);
		}
	}
	return NTLM_OK;
}

/* [APPLICATION 0] { OID spnego, [0] { SEQUENCE NegTokenInit } } */
static ntlm_err decode_init(der_elem *app, spnego_token *t)
{
	der_elem oid, inner, seq;
	NTLM_TRY(der_expect(&app->content, TAG_OID, &oid));
	if (!oid_is(&oid.content, oid_spnego, sizeof(oid_spnego)))
		return NTLM_E_BAD_SIGNATURE_HEADER; /* another mechanism's token (Kerberos) */
	NTLM_TRY(der_expect(&app->content, TAG_CTX(0), &inner));
	if (nb_remaining(&app->content))
		return NTLM_E_BAD_MESSAGE_TYPE;
	NTLM_TRY(der_explicit(&inner, TAG_SEQUENCE, &seq));
	t->kind = SPNEGO_INIT;
	return read_init_fields(&seq.content, t);
}

ntlm_err spnego_decode(const uint8_t *data, size_t len, spnego_token *t)
{
	nb_reader r;
	der_elem top, seq;
	memset(t, 0, sizeof(*t));
	t->neg_state = SPNEGO_NO_STATE;
	nb_reader_init(&r, data, len);
	uint8_t first = peek_tag(&r);
	if (first != TAG_APP0 && first != TAG_CTX(1))
		return NTLM_E_BAD_SIGNATURE_HEADER;
	NTLM_TRY(der_next(&r, &top));
	if (nb_remaining(&r))
		return NTLM_E_BAD_MESSAGE_TYPE; /* nothing may follow the token */
	if (top.tag == TAG_APP0)
		return decode_init(&top, t);
	NTLM_TRY(der_explicit(&top, TAG_SEQUENCE, &seq));
	t->kind = SPNEGO_RESP;
	return read_resp_fields(&seq.content, t);
}

/* ------------------------------------------------------------ encoding */

static void put_length(nb_writer *w, size_t len)
{
	if (len < 0x80) {
		nb_write_u8(w, (uint8_t)len);
		return;
	}
	unsigned n = 0;
	for (size_t v = len; v; v >>= 8)
		n++;
	nb_write_u8(w, (uint8_t)(0x80 | n));
	while (n--)
		nb_write_u8(w, (uint8_t)(len >> (8 * n)));
}

/* tag, length, then content (the bytes w holds from 'from' on): wraps what was just written. */
static ntlm_err wrap_from(nb_writer *w, size_t from, uint8_t tag)
{
	uint8_t head[2 + sizeof(size_t)];
	nb_writer h;
	NTLM_TRY(w->err);
	size_t len = w->len - from;
	nb_writer_init(&h);
	nb_write_u8(&h, tag);
	put_length(&h, len);
	ntlm_err rc = h.err;
	size_t hl = h.len;
	if (rc == NTLM_OK)
		memcpy(head, h.data, hl);
	nb_writer_free(&h);
	NTLM_TRY(rc);
	nb_write_zeros(w, hl); /* room for the header: move the content up */
	NTLM_TRY(w->err);
	memmove(w->data + from + hl, w->data + from, len);
	memcpy(w->data + from, head, hl);
	return NTLM_OK;
}

/* [n] { OCTET STRING data } */
static ntlm_err put_octets_field(nb_writer *w, unsigned n, const uint8_t *data, size_t len)
{
	size_t from = w->len;
	nb_write_bytes(w, data, len);
	NTLM_TRY(wrap_from(w, from, TAG_OCTETS));
	return wrap_from(w, from, TAG_CTX(n));
}

ntlm_err spnego_encode_init(const uint8_t *mech_token, size_t len, ntlm_buffer *out)
{
	nb_writer w;
	ntlm_err rc;
	nb_writer_init(&w);
	nb_write_u8(&w, TAG_OID);
	nb_write_u8(&w, sizeof(oid_spnego));
	nb_write_bytes(&w, oid_spnego, sizeof(oid_spnego));
	size_t inner = w.len;
	nb_write_bytes(&w, ntlm_mech_types, sizeof(ntlm_mech_types));
	rc = wrap_from(&w, inner, TAG_CTX(0)); /* mechTypes */
	if (rc == NTLM_OK && mech_token)
		rc = put_octets_field(&w, 2, mech_token, len);
	if (rc == NTLM_OK)
		rc = wrap_from(&w, inner, TAG_SEQUENCE); /* NegTokenInit */
	if (rc == NTLM_OK)
		rc = wrap_from(&w, inner, TAG_CTX(0));
	if (rc == NTLM_OK)
		rc = wrap_from(&w, 0, TAG_APP0);
	if (rc == NTLM_OK)
		return nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc;
}

ntlm_err spnego_encode_resp(int neg_state, int with_mech, const uint8_t *token, size_t token_len,
                            const uint8_t *mic, size_t mic_len, ntlm_buffer *out)
{
	nb_writer w;
	ntlm_err rc = NTLM_OK;
	nb_writer_init(&w);
	if (neg_state != SPNEGO_NO_STATE) {
		const uint8_t state[] = {TAG_CTX(0), 3, TAG_ENUMERATED, 1, (uint8_t)neg_state};
		nb_write_bytes(&w, state, sizeof(state));
	}
	if (with_mech) {
		nb_write_u8(&w, TAG_CTX(1));
		nb_write_u8(&w, 2 + sizeof(oid_ntlmssp));
		nb_write_u8(&w, TAG_OID);
		nb_write_u8(&w, sizeof(oid_ntlmssp));
		nb_write_bytes(&w, oid_ntlmssp, sizeof(oid_ntlmssp));
	}
	if (token)
		rc = put_octets_field(&w, 2, token, token_len);
	if (rc == NTLM_OK && mic)
		rc = put_octets_field(&w, 3, mic, mic_len);
	if (rc == NTLM_OK)
		rc = wrap_from(&w, 0, TAG_SEQUENCE);
	if (rc == NTLM_OK)
		rc = wrap_from(&w, 0, TAG_CTX(1));
	if (rc == NTLM_OK)
		return nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc;
}
