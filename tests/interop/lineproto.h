/*
 * lineproto.h - the interop suite's line protocol for the C peer adapters
 * (gssntlm.c, winpr_peer.c): base64, TOKEN lines and the SEAL / UNSEAL /
 * SIGN / VERIFY / QUIT command loop. Header-only; each adapter supplies
 * the four operations.
 */
#ifndef INTEROP_LINEPROTO_H
#define INTEROP_LINEPROTO_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char lp_b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void lp_put_b64(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		putchar(lp_b64chars[(v >> 18) & 63]);
		putchar(lp_b64chars[(v >> 12) & 63]);
		putchar(i + 1 < n ? lp_b64chars[(v >> 6) & 63] : '=');
		putchar(i + 2 < n ? lp_b64chars[v & 63] : '=');
	}
}

/* Decodes up to the first space or line end; malloc'd result, NULL on error. */
static uint8_t *lp_get_b64(const char *s, size_t *n)
{
	size_t len = strcspn(s, " \r\n");
	uint8_t *out = malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	int bits = 0;
	*n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len && s[i] != '='; i++) {
		const char *p = strchr(lp_b64chars, s[i]);
		if (!p || !s[i]) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(p - lp_b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (uint8_t)(acc >> bits);
		}
	}
	return out;
}

static void lp_put_hex(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", d[i]);
}

static void lp_token(const void *d, size_t n)
{
	printf("TOKEN ");
	lp_put_b64(d, n);
	putchar('\n');
	fflush(stdout);
}

/* Reads the next "TOKEN <b64>" line; NULL at EOF or QUIT. */
static uint8_t *lp_read_token(size_t *n)
{
	char *line = NULL;
	size_t cap = 0;
	uint8_t *r = NULL;
	while (getline(&line, &cap, stdin) > 0) {
		if (!strncmp(line, "TOKEN ", 6) && (r = lp_get_b64(line + 6, n)))
			break;
		if (!strncmp(line, "QUIT", 4))
			break;
		printf("ERR expected TOKEN\n");
		fflush(stdout);
	}
	free(line);
	return r;
}

/* An operation returns 0 on success, else writes a reason into err. */
typedef struct lp_ops {
	void *ctx;
	int (*seal)(void *ctx, const uint8_t *in, size_t n, uint8_t **data, size_t *dn, uint8_t sig[16],
	            char *err, size_t errlen);
	int (*unseal)(void *ctx, const uint8_t *d, size_t dn, const uint8_t sig[16], uint8_t **plain,
	              size_t *pn, char *err, size_t errlen);
	int (*sign)(void *ctx, const uint8_t *m, size_t n, uint8_t sig[16], char *err, size_t errlen);
	int (*verify)(void *ctx, const uint8_t *m, size_t n, const uint8_t sig[16], char *err,
	              size_t errlen);
} lp_ops;

static void lp_session(const lp_ops *ops)
{
	char *line = NULL;
	size_t cap = 0;
	char err[256];
	while (getline(&line, &cap, stdin) > 0) {
		char *arg = strchr(line, ' '), *arg2 = NULL;
		size_t n1 = 0, n2 = 0;
		uint8_t *a = NULL, *b = NULL, *o = NULL, sig[16];
		size_t on = 0;
		line[strcspn(line, "\r\n")] = 0;
		if (arg) {
			*arg++ = 0;
			a = lp_get_b64(arg, &n1);
			if ((arg2 = strchr(arg, ' ')))
				b = lp_get_b64(arg2 + 1, &n2);
		}
		err[0] = 0;
		if (!strcmp(line, "QUIT")) {
			free(a);
			free(b);
			break;
		} else if (!a) {
			printf("ERR syntax\n");
		} else if (!strcmp(line, "SEAL")) {
			if (ops->seal(ops->ctx, a, n1, &o, &on, sig, err, sizeof(err)))
				printf("ERR %s\n", err);
			else {
				printf("SEALED ");
				lp_put_b64(o, on);
				putchar(' ');
				lp_put_b64(sig, 16);
				putchar('\n');
			}
		} else if (!strcmp(line, "SIGN")) {
			if (ops->sign(ops->ctx, a, n1, sig, err, sizeof(err)))
				printf("ERR %s\n", err);
			else {
				printf("SIG ");
				lp_put_b64(sig, 16);
				putchar('\n');
			}
		} else if (!b || n2 != 16) {
			printf("ERR syntax\n");
		} else if (!strcmp(line, "UNSEAL")) {
			if (ops->unseal(ops->ctx, a, n1, b, &o, &on, err, sizeof(err)))
				printf("ERR %s\n", err);
			else {
				printf("PLAIN ");
				lp_put_b64(o, on);
				putchar('\n');
			}
		} else if (!strcmp(line, "VERIFY")) {
			if (ops->verify(ops->ctx, a, n1, b, err, sizeof(err)))
				printf("BAD %s\n", err);
			else
				printf("OK\n");
		} else {
			printf("ERR unsupported %s\n", line);
		}
		fflush(stdout);
		free(a);
		free(b);
		free(o);
	}
	free(line);
}

#endif
