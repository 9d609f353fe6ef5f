/* text.c - UTF-8, UTF-16LE, OEM, upper case, hex; see text.h */
#include "text.h"

#include <ctype.h>
#include <string.h>

#include "mem.h"
#include "try.h"

/* Simple upper-case mapping for the scripts user names are written in. */
static uint32_t cp_upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if (c < 0x80)
		return c;
	if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
		return c - 32;
	if (c == 0xFF)
		return 0x178;
	if (c >= 0x100 && c <= 0x17F) {
		/* Latin Extended-A: pairs, upper even from 0x100..0x137, odd 0x139..0x148, even 0x14A..0x177 */
		if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? c - 1 : c;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c : c - 1;
		return c;
	}
	if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)
		return c - 32; /* Greek */
	if (c >= 0x430 && c <= 0x44F)
		return c - 32; /* Cyrillic */
	if (c >= 0x450 && c <= 0x45F)
		return c - 80;
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 32; /* fullwidth Latin */
	return c;
}

/* Decodes one UTF-8 code point; returns bytes used or 0 on invalid input. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* An output buffer the converters below fill one code point at a time. */
struct emit_buf {
	uint8_t *p;
	size_t len;
};

/*
 * Walks the code points of s (upper-cased when asked) and hands each to
 * emit; invalid UTF-8, or emit refusing a code point, is NTLM_E_BAD_STRING.
 */
static ntlm_err utf8_walk(const char *s, int upper, int (*emit)(struct emit_buf *, uint32_t),
                          struct emit_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		size_t used = utf8_decode(p, &cp);
		if (!used)
			return NTLM_E_BAD_STRING;
		p += used;
		if (upper)
			cp = cp_upper(cp);
		if (!emit(out, cp))
			return NTLM_E_BAD_STRING;
	}
	return NTLM_OK;
}

/* Runs utf8_walk into a new buffer of cap bytes; wiped and freed on failure. */
static ntlm_err utf8_convert(const char *s, int upper, int (*emit)(struct emit_buf *, uint32_t),
                             size_t cap, uint8_t **out, size_t *out_len)
{
	struct emit_buf b = {ntlm_calloc(cap, 1), 0};
	*out = NULL;
	*out_len = 0;
	if (!b.p)
		return NTLM_E_NO_MEMORY;
	ntlm_err rc = utf8_walk(s, upper, emit, &b);
	if (rc != NTLM_OK) {
		ntlm_free_secret(b.p, cap);
		return rc;
	}
	*out = b.p;
	*out_len = b.len;
	return NTLM_OK;
}

static int emit_utf16le(struct emit_buf *b, uint32_t cp)
{
	if (cp >= 0x10000) {
		uint32_t v = cp - 0x10000;
		emit_utf16le(b, 0xD800 | (v >> 10));
		return emit_utf16le(b, 0xDC00 | (v & 0x3FF));
	}
	b->p[b->len++] = (uint8_t)cp;
	b->p[b->len++] = (uint8_t)(cp >> 8);
	return 1;
}

static int emit_latin1(struct emit_buf *b, uint32_t cp)
{
	if (cp > 0xFF)
		return 0;
	b->p[b->len++] = (uint8_t)cp;
	return 1;
}

/* y-diaeresis upper-cases outside Latin-1: OEM keeps it as it is */
static int emit_latin1_upper(struct emit_buf *b, uint32_t cp)
{
	uint32_t up = cp_upper(cp);
	return emit_latin1(b, up <= 0xFF ? up : cp);
}

static int emit_utf8(struct emit_buf *b, uint32_t cp)
{
	b->len += utf8_encode(cp, (char *)b->p + b->len);
	return 1;
}

/* A converter's output handed on in pieces: the emit_buf (first) is flushed to sink when full. */
struct emit_stream {
	struct emit_buf b;
	void (*sink)(void *arg, const uint8_t *p, size_t n);
	void *arg;
};

#define STREAM_CHUNK 128

static int emit_utf16le_stream(struct emit_buf *b, uint32_t cp)
{
	struct emit_stream *st = (struct emit_stream *)b; /* b is its first member */
	if (b->len > STREAM_CHUNK - 4) {
		st->sink(st->arg, b->p, b->len);
		b->len = 0;
	}
	return emit_utf16le(b, cp);
}

ntlm_err ntlm_utf8_to_utf16le_each(const char *s, int upper,
                                   void (*sink)(void *arg, const uint8_t *p, size_t n), void *arg)
{
	uint8_t chunk[STREAM_CHUNK];
	struct emit_stream st = {{chunk, 0}, sink, arg};
	ntlm_err rc = utf8_walk(s ? s : "", upper, emit_utf16le_stream, &st.b);
	if (rc == NTLM_OK && st.b.len)
		sink(arg, chunk, st.b.len);
	ntlm_memzero(chunk, sizeof(chunk)); /* a user name is no secret, but wipes are uniform */
	return rc;
}

ntlm_err ntlm_utf8_to_utf16le_into(const char *s, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!s)
		s = "";
	*out_len = 0;
	if (cap / 2 < strlen(s))
		return NTLM_E_INVALID_PARAMETER;
	struct emit_buf b = {out, 0};
	NTLM_TRY(utf8_walk(s, 0, emit_utf16le, &b));
	*out_len = b.len;
	return NTLM_OK;
}

int ntlm_utf16le_equals_utf8(const uint8_t *u16, size_t len, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t pos = 0;
	while (*p) {
		uint8_t unit[4];
		struct emit_buf b = {unit, 0};
		uint32_t cp;
		size_t used = utf8_decode(p, &cp);
		if (!used)
			return 0; /* no UTF-16 spells invalid UTF-8 */
		emit_utf16le(&b, cp);
		if (len - pos < b.len || memcmp(u16 + pos, unit, b.len) != 0)
			return 0;
		pos += b.len;
		p += used;
	}
	return pos == len;
}

int ntlm_utf8_upper_differs(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int differs = 0;
	while (*p) {
		uint32_t cp;
		size_t used = utf8_decode(p, &cp);
		if (!used)
			return 0; /* not UTF-8: it has no upper-case spelling */
		differs |= cp_upper(cp) != cp;
		p += used;
	}
	return differs;
}

ntlm_err ntlm_utf8_to_utf16le(const char *s, int upper, uint8_t **out, size_t *out_len)
{
	if (!s)
		s = "";
	/* each input byte yields at most 2 output bytes (4 for a 4-byte sequence) */
	return utf8_convert(s, upper, emit_utf16le, strlen(s) * 2 + 2, out, out_len);
}

ntlm_err ntlm_utf16le_to_utf8(const uint8_t *in, size_t len, char **out)
{
	*out = NULL;
	if (len % 2)
		return NTLM_E_BAD_STRING;
	/* each UTF-16 unit yields at most 3 bytes; a surrogate pair 4 for 2 units */
	char *buf = ntlm_calloc(len / 2 * 3 + 1, 1);
	if (!buf)
		return NTLM_E_NO_MEMORY;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 2) {
		uint32_t cp = (uint32_t)in[i] | ((uint32_t)in[i + 1] << 8);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (i + 3 >= len)
				goto bad;
			uint32_t lo = (uint32_t)in[i + 2] | ((uint32_t)in[i + 3] << 8);
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
			goto bad;
		}
		o += utf8_encode(cp, buf + o);
	}
	buf[o] = '\0';
	*out = buf;
	return NTLM_OK;
bad:
	ntlm_free_secret(buf, len / 2 * 3 + 1);
	return NTLM_E_BAD_STRING;
}

ntlm_err ntlm_oem_to_utf8(const uint8_t *in, size_t len, char **out)
{
	*out = NULL;
	char *buf = ntlm_calloc(len * 2 + 1, 1);
	if (!buf)
		return NTLM_E_NO_MEMORY;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (in[i] == 0) {
			ntlm_free_secret(buf, len * 2 + 1);
			return NTLM_E_BAD_STRING;
		}
		o += utf8_encode(in[i], buf + o);
	}
	buf[o] = '\0';
	*out = buf;
	return NTLM_OK;
}

ntlm_err ntlm_utf8_to_oem(const char *s, int upper, uint8_t **out, size_t *out_len)
{
	if (!s)
		s = "";
	return utf8_convert(s, 0, upper ? emit_latin1_upper : emit_latin1, strlen(s) + 1, out, out_len);
}

ntlm_err ntlm_utf8_upper(const char *s, char **out)
{
	uint8_t *p = NULL;
	size_t n = 0;
	/* upper-casing in the mapped ranges grows a character by at most one byte */
	ntlm_err rc = utf8_convert(s, 1, emit_utf8, strlen(s) * 2 + 1, &p, &n);
	*out = (char *)p;
	return rc;
}

int ntlm_strcasecmp_utf8(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)(a ? a : "");
	const unsigned char *q = (const unsigned char *)(b ? b : "");
	while (*p && *q) {
		uint32_t x, y;
		size_t u = utf8_decode(p, &x), v = utf8_decode(q, &y);
		if (!u || !v)
			return strcmp((const char *)p, (const char *)q) ? 1 : 0;
		if (cp_upper(x) != cp_upper(y))
			return 1;
		p += u;
		q += v;
	}
	return (*p || *q) ? 1 : 0;
}

uint32_t ntlm_strcasehash_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	uint32_t h = 2166136261u; /* FNV-1a over the upper-cased code points */
	while (*p) {
		uint32_t x;
		size_t u = utf8_decode(p, &x);
		if (!u) { /* ntlm_strcasecmp_utf8 compares the rest byte for byte */
			for (; *p; p++)
				h = (h ^ *p) * 16777619u;
			return h;
		}
		h = (h ^ cp_upper(x)) * 16777619u;
		p += u;
	}
	return h;
}

void ntlm_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int ntlm_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ntlm_err ntlm_hex_decode(const char *hex, uint8_t *out, size_t n)
{
	if (!hex || strlen(hex) != 2 * n)
		return NTLM_E_INVALID_PARAMETER;
	for (size_t i = 0; i < n; i++) {
		int hi = ntlm_hex_value(hex[2 * i]), lo = ntlm_hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return NTLM_E_INVALID_PARAMETER;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return NTLM_OK;
}

void ntlm_copy_string(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

char *ntlm_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}
