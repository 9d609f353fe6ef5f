/*
 * ntlm_walk.c - see ntlm_walk.h. Layouts: [MS-NLMP] 2.2.1.1-2.2.1.3 (the
 * tables in lib/wire/wire.c); AV pairs 2.2.2.1; NTLMv2 responses 2.2.2.8.
 * All reads go through nb_reader.
 */
#include "ntlm_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "wire.h"

typedef enum { FK_BYTES, FK_STRING, FK_OEM_STRING, FK_TARGET_INFO, FK_NT_RESPONSE } field_kind;

typedef struct field_def {
	const char *name;  /* the security buffer: "DomainNameFields" */
	const char *value; /* what it points at: "DomainName" */
	size_t pos;        /* where the security buffer sits in the header */
	uint32_t gate;     /* read only when this flag is set (0: always) */
	field_kind kind;
} field_def;

typedef struct field {
	const field_def *def;
	uint16_t len, maxlen;
	uint32_t off;
	int active; /* read from the header and meaningful */
} field;

#define WALK_MAX_FIELDS 6

typedef struct walk {
	nb_reader msg;
	size_t len;
	uint32_t flags;
	int unicode;       /* strings are UTF-16LE (else OEM) */
	size_t header_end; /* payload fields must not start below this */
	field f[WALK_MAX_FIELDS];
	size_t n;
	char *why;
	size_t cap;
} walk;

static int fail(walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(walk *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->why, w->cap, fmt, ap);
	va_end(ap);
	return -1;
}

static const field_def negotiate_fields[] = {
	{"DomainNameFields", "DomainName", 16, NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED, FK_OEM_STRING},
	{"WorkstationFields", "Workstation", 24, NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
	 FK_OEM_STRING},
};

static const field_def challenge_fields[] = {
	{"TargetNameFields", "TargetName", 12, 0, FK_STRING},
	{"TargetInfoFields", "TargetInfo", 40, 0, FK_TARGET_INFO},
};

static const field_def authenticate_fields[] = {
	{"LmChallengeResponseFields", "LmChallengeResponse", 12, 0, FK_BYTES},
	{"NtChallengeResponseFields", "NtChallengeResponse", 20, 0, FK_NT_RESPONSE},
	{"DomainNameFields", "DomainName", 28, 0, FK_STRING},
	{"UserNameFields", "UserName", 36, 0, FK_STRING},
	{"WorkstationFields", "Workstation", 44, 0, FK_STRING},
	{"EncryptedRandomSessionKeyFields", "EncryptedRandomSessionKey", 52, 0, FK_BYTES},
};

/* ------------------------------------------------------------ header */

static int need_bytes(walk *w, const char *name, size_t pos, size_t n)
{
	nb_reader r;
	if (nb_slice(&w->msg, pos, n, &r) != NTLM_OK)
		return fail(w, "%s at offset 0x%08zx: the message ends at %zu bytes, inside the header",
		            name, pos, w->len);
	return 0;
}

static int read_flags(walk *w, size_t pos)
{
	nb_reader r;
	if (need_bytes(w, "NegotiateFlags", pos, 4))
		return -1;
	/* need_bytes() checked the four bytes are there */
	NTLM_IGNORE_RESULT(nb_slice(&w->msg, pos, 4, &r));
	NTLM_IGNORE_RESULT(nb_read_u32le(&r, &w->flags));
	w->unicode = (w->flags & NTLMSSP_NEGOTIATE_UNICODE) != 0;
	return 0;
}

/* Reads the security buffer of def into the next field slot. */
static int read_field(walk *w, const field_def *def)
{
	nb_reader r;
	field *f = &w->f[w->n++];
	f->def = def;
	if (need_bytes(w, def->name, def->pos, 8))
		return -1;
	/* need_bytes() checked the eight bytes are there */
	NTLM_IGNORE_RESULT(nb_slice(&w->msg, def->pos, 8, &r));
	NTLM_IGNORE_RESULT(nb_read_u16le(&r, &f->len));
	NTLM_IGNORE_RESULT(nb_read_u16le(&r, &f->maxlen));
	NTLM_IGNORE_RESULT(nb_read_u32le(&r, &f->off));
	f->active = !def->gate || (w->flags & def->gate);
	return 0;
}

/* The lowest offset of an active non-empty field, capped at the message length. */
static size_t payload_start(const walk *w)
{
	size_t start = w->len;
	for (size_t i = 0; i < w->n; i++)
		if (w->f[i].active && w->f[i].len && w->f[i].off < start)
			start = w->f[i].off;
	return start;
}

/* 16 fixed bytes, then (if there is more or a name is flagged) both name fields, then VERSION. */
static int walk_negotiate_header(walk *w)
{
	if (read_flags(w, 12))
		return -1;
	w->header_end = 16;
	if (w->len > 16 || (w->flags & (NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
	                                NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED))) {
		for (size_t i = 0; i < NTLM_ARRAY_LEN(negotiate_fields); i++)
			if (read_field(w, &negotiate_fields[i]))
				return -1;
		w->header_end = 32;
	}
	if ((w->flags & NTLMSSP_NEGOTIATE_VERSION) && payload_start(w) >= 40)
		w->header_end = 40;
	return 0;
}

/* TargetInfoFields and VERSION exist only when the payload leaves room for them. */
static int walk_challenge_header(walk *w)
{
	if (read_field(w, &challenge_fields[0]) || read_flags(w, 20) ||
	    need_bytes(w, "ServerChallenge", 24, 8))
		return -1;
	w->header_end = 32;
	if (payload_start(w) >= 48) {
		if (read_field(w, &challenge_fields[1]))
			return -1;
		w->header_end = 48;
	}
	if ((w->flags & NTLMSSP_NEGOTIATE_VERSION) && payload_start(w) >= 56)
		w->header_end = 56;
	return 0;
}

/* Six fields and the flags; VERSION and MIC when the payload starts late enough. */
static int walk_authenticate_header(walk *w)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(authenticate_fields); i++)
		if (read_field(w, &authenticate_fields[i]))
			return -1;
	if (read_flags(w, 60))
		return -1;
	w->header_end = 64;
	size_t start = payload_start(w);
	if (start >= 72 && (w->flags & NTLMSSP_NEGOTIATE_VERSION))
		w->header_end = 72;
	if (start >= NW_AUTH_MIC_END)
		w->header_end = NW_AUTH_MIC_END;
	return 0;
}

/* ------------------------------------------------------------ fields */

static int check_field_range(walk *w, const field *f)
{
	nb_reader r;
	if (f->maxlen < f->len)
		return fail(w, "%s at offset 0x%08zx: MaxLen %u is less than Len %u", f->def->name,
		            f->def->pos, f->maxlen, f->len);
	if (f->len == 0)
		return 0;
	if (nb_slice(&w->msg, f->off, f->len, &r) != NTLM_OK)
		return fail(w, "%s: offset 0x%08x + length %u beyond message end (length %zu)",
		            f->def->name, f->off, f->len, w->len);
	if (f->off < w->header_end)
		return fail(w, "%s: offset 0x%08x lies inside the %zu-byte header", f->def->name,
		            f->off, w->header_end);
	return 0;
}

static int check_overlaps(walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const field *a = &w->f[i];
		for (size_t j = i + 1; j < w->n; j++) {
			const field *b = &w->f[j];
			if (!a->active || !b->active || !a->len || !b->len)
				continue;
			/* both lie inside the message: the sums cannot overflow */
			if ((size_t)a->off < (size_t)b->off + b->len && (size_t)b->off < (size_t)a->off + a->len)
				return fail(w, "%s (offset 0x%08x, length %u) overlaps %s (offset 0x%08x, length %u)",
				            a->def->name, a->off, a->len, b->def->name, b->off, b->len);
		}
	}
	return 0;
}

static int check_string(walk *w, const field *f, const uint8_t *p, int unicode)
{
	char *s = NULL;
	ntlm_err rc = unicode ? ntlm_utf16le_to_utf8(p, f->len, &s) : ntlm_oem_to_utf8(p, f->len, &s);
	ntlm_free_string(s);
	if (rc == NTLM_OK)
		return 0;
	return fail(w, "%s at offset 0x%08x, length %u: not a valid %s string%s", f->def->value, f->off,
	            f->len, unicode ? "UTF-16LE" : "OEM",
	            unicode && f->len % 2 ? " (odd length)" : " (bad encoding or NUL)");
}

/* ------------------------------------------------------------ AV pairs */

typedef struct av_rule {
	uint16_t id;
	size_t min, max;
	const char *expect;
} av_rule;

/* 2.2.2.1: the fixed sizes; string values (ids 1-5, 9) only need an even length. */
static const av_rule av_rules[] = {
	{NW_AV_FLAGS, 4, 4, "4"},
	{NW_AV_TIMESTAMP, 8, 8, "8"},
	{NW_AV_SINGLE_HOST, 48, UINT16_MAX, "at least 48"},
	{NW_AV_CHANNEL_BINDINGS, 16, 16, "16"},
};

static int av_is_string(uint16_t id)
{
	return (id >= NW_AV_NB_COMPUTER && id <= NW_AV_DNS_TREE) || id == NW_AV_TARGET_NAME;
}

static int check_av_value(walk *w, const char *where, uint16_t id, uint16_t len, size_t at)
{
	const char *name = nw_av_name(id) ? nw_av_name(id) : "unknown AvId";
	for (size_t i = 0; i < NTLM_ARRAY_LEN(av_rules); i++)
		if (av_rules[i].id == id && (len < av_rules[i].min || len > av_rules[i].max))
			return fail(w, "%s: %s at offset 0x%08zx: length %u, expected %s", where, name, at, len,
			            av_rules[i].expect);
	if (av_is_string(id) && len % 2)
		return fail(w, "%s: %s at offset 0x%08zx: odd length %u for a UTF-16 string", where, name,
		            at, len);
	return 0;
}

/* base: the list's offset in the message, so that every error names an absolute offset. */
static int walk_av_pairs(walk *w, const char *where, const uint8_t *p, size_t n, size_t base)
{
	nb_reader r;
	uint8_t seen[(UINT16_MAX + 1) / 8];
	memset(seen, 0, sizeof(seen));
	nb_reader_init(&r, p, n);
	for (;;) {
		size_t at = base + nb_pos(&r);
		uint16_t id, len;
		if (nb_read_u16le(&r, &id) != NTLM_OK || nb_read_u16le(&r, &len) != NTLM_OK)
			return fail(w, "%s: AV pair header at offset 0x%08zx runs past the end of the list "
			               "(no MsvAvEOL)", where, at);
		if (nb_skip(&r, len) != NTLM_OK)
			return fail(w, "%s: AvId %u at offset 0x%08zx: length %u runs past the end of the "
			               "list (%zu bytes left)", where, id, at, len, nb_remaining(&r));
		if (id == NW_AV_EOL)
			return len ? fail(w, "%s: MsvAvEOL at offset 0x%08zx: length %u, expected 0", where,
			                  at, len)
			           : 0;
		if (seen[id / 8] & (1u << (id % 8)))
			return fail(w, "%s: AvId %u (%s) at offset 0x%08zx appears twice", where, id,
			            nw_av_name(id) ? nw_av_name(id) : "unknown", at);
		seen[id / 8] |= (uint8_t)(1u << (id % 8));
		if (check_av_value(w, where, id, len, at))
			return -1;
	}
}

/* NTLMv2_RESPONSE: NTProofStr(16) RespType HiRespType Z(6) TimeStamp(8) Challenge(8) Z(4) AvPairs. */
static int walk_nt_response(walk *w, const field *f, const uint8_t *p)
{
	nb_reader r;
	uint8_t resp, hi;
	const uint8_t *av;
	if (f->len <= 24)
		return 0; /* NTLMv1 (24) or anonymous (0) */
	if (f->len < 48)
		return fail(w, "NtChallengeResponse at offset 0x%08x: %u bytes: too long for NTLMv1 (24) "
		               "and too short for NTLMv2 (at least 48)", f->off, f->len);
	nb_reader_init(&r, p, f->len);
	/* f->len >= 48 holds every fixed field read here */
	NTLM_IGNORE_RESULT(nb_skip(&r, 16));
	NTLM_IGNORE_RESULT(nb_read_u8(&r, &resp));
	NTLM_IGNORE_RESULT(nb_read_u8(&r, &hi));
	if (resp != 1 || hi != 1)
		return fail(w, "NtChallengeResponse: RespType/HiRespType at offset 0x%08zx are %u/%u, "
		               "expected 1/1", (size_t)f->off + 16, resp, hi);
	NTLM_IGNORE_RESULT(nb_skip(&r, 26));
	size_t n = nb_remaining(&r);
	NTLM_IGNORE_RESULT(nb_read_view(&r, n, &av)); /* exactly what remains */
	return walk_av_pairs(w, "NtChallengeResponse AvPairs", av, n, (size_t)f->off + 44);
}

static int check_content(walk *w, const field *f)
{
	nb_reader r;
	const uint8_t *p;
	if (!f->active || f->len == 0)
		return 0;
	/* the range was checked by check_field_range */
	NTLM_IGNORE_RESULT(nb_slice(&w->msg, f->off, f->len, &r));
	NTLM_IGNORE_RESULT(nb_read_view(&r, f->len, &p));
	switch (f->def->kind) {
	case FK_STRING:
		return check_string(w, f, p, w->unicode);
	case FK_OEM_STRING:
		return check_string(w, f, p, 0);
	case FK_TARGET_INFO:
		return walk_av_pairs(w, "TargetInfo", p, f->len, f->off);
	case FK_NT_RESPONSE:
		return walk_nt_response(w, f, p);
	default:
		return 0;
	}
}

static int check_fields(walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->f[i].active && check_field_range(w, &w->f[i]))
			return -1;
	if (check_overlaps(w))
		return -1;
	for (size_t i = 0; i < w->n; i++)
		if (check_content(w, &w->f[i]))
			return -1;
	return 0;
}

/* ------------------------------------------------------------ message */

static int walk_preamble(walk *w, uint32_t *type)
{
	static const uint8_t sig[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', '\0'};
	nb_reader r = w->msg;
	if (w->len < sizeof(sig))
		return fail(w, "Signature: the message is %zu bytes, shorter than the 8-byte "
		               "\"NTLMSSP\\0\" signature", w->len);
	if (nb_expect(&r, sig, sizeof(sig), NTLM_E_BAD_SIGNATURE_HEADER) != NTLM_OK)
		return fail(w, "Signature at offset 0x00000000: not \"NTLMSSP\\0\" (not an NTLM message)");
	if (nb_read_u32le(&r, type) != NTLM_OK)
		return fail(w, "MessageType at offset 0x00000008: the message ends at %zu bytes", w->len);
	if (*type < NW_NEGOTIATE || *type > NW_AUTHENTICATE)
		return fail(w, "MessageType at offset 0x00000008: %u is not 1 (NEGOTIATE), 2 (CHALLENGE) "
		               "or 3 (AUTHENTICATE)", *type);
	return 0;
}

int walk_message(const uint8_t *msg, size_t len, char *why, size_t cap)
{
	walk w;
	uint32_t type = 0;
	memset(&w, 0, sizeof(w));
	nb_reader_init(&w.msg, msg, len);
	w.len = len;
	w.why = why;
	w.cap = cap;
	if (cap)
		why[0] = '\0';
	if (walk_preamble(&w, &type))
		return -1;
	int rc = type == NW_NEGOTIATE   ? walk_negotiate_header(&w)
	         : type == NW_CHALLENGE ? walk_challenge_header(&w)
	                                : walk_authenticate_header(&w);
	return rc ? -1 : check_fields(&w);
}
