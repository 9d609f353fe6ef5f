/* ntlm_b64.c - base64; see ntlm_b64.h */
#include "ntlm_b64.h"

#include <string.h>

#include "mem.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int b64_fput(FILE *f, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t left = n - i;
		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		char quad[4] = {b64_alphabet[v >> 18 & 63], b64_alphabet[v >> 12 & 63],
		                left > 1 ? b64_alphabet[v >> 6 & 63] : '=',
		                left > 2 ? b64_alphabet[v & 63] : '='};
		if (fwrite(quad, 1, 4, f) != 4)
			return -1;
	}
	return 0;
}

/* Checks length and padding; *body = characters before the padding. */
static const char *b64_shape(const char *s, size_t len, int strict, size_t *body, size_t *where)
{
	size_t pad = 0;
	*body = len;
	while (*body > 0 && s[*body - 1] == '=' && pad < 2) {
		(*body)--;
		pad++;
	}
	for (size_t i = 0; i < *body; i++) {
		if (b64_value(s[i]) < 0) {
			*where = i;
			return s[i] == '=' ? "'=' before the end" : "invalid character";
		}
	}
	if (strict && len % 4 != 0) {
		*where = len;
		return "length is not a multiple of 4 (missing padding?)";
	}
	if (*body % 4 == 1) {
		*where = *body - 1;
		return "truncated: one character left over at the end";
	}
	/* "xx==" and "xxx=" are the only padded endings */
	if (pad && pad != 4 - *body % 4) {
		*where = *body;
		return "wrong amount of '=' padding";
	}
	return NULL;
}

const char *b64_decode(const char *s, size_t len, int strict, uint8_t **out, size_t *out_len,
                       size_t *where)
{
	size_t body;
	*out = NULL;
	*out_len = 0;
	*where = 0;
	const char *why = b64_shape(s, len, strict, &body, where);
	if (why)
		return why;
	size_t n = body / 4 * 3 + (body % 4 ? body % 4 - 1 : 0);
	if (n == 0)
		return NULL;
	uint8_t *buf = ntlm_calloc(n, 1);
	if (!buf)
		return "out of memory";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t k = 0;
	for (size_t i = 0; i < body; i++) {
		acc = (acc << 6 | (uint32_t)b64_value(s[i])) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[k++] = (uint8_t)(acc >> bits);
		}
	}
	/* The bits under the padding must be zero, or two spellings decode alike. */
	if (strict && (acc & ((1u << bits) - 1)) != 0) {
		ntlm_free_secret(buf, n);
		*where = body - 1;
		return "non-canonical final character";
	}
	*out = buf;
	*out_len = n;
	return NULL;
}
