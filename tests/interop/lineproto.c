/* lineproto.c - the line protocol shared by the C interop peers (see lineproto.h). */
#include <getopt.h>

#include "lineproto.h"

static const char lp_b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void lp_put_b64(const uint8_t *d, size_t n)
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

uint8_t *lp_get_b64(const char *s, size_t *n)
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

void lp_put_hex(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", d[i]);
}

void lp_token(const void *d, size_t n)
{
	printf("TOKEN ");
	lp_put_b64(d, n);
	putchar('\n');
	fflush(stdout);
}

uint8_t *lp_read_token(size_t *n)
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

void lp_session(const lp_ops *ops)
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

uint32_t lp_auth_flags(const uint8_t *t, size_t n)
{
	if (n >= 64 && !memcmp(t, "NTLMSSP", 8) && t[8] == 3)
		return (uint32_t)t[60] | (uint32_t)t[61] << 8 | (uint32_t)t[62] << 16 |
		       (uint32_t)t[63] << 24;
	return 0;
}

int lp_args(int argc, char **argv, const lp_opt *opts, size_t n_opts)
{
	struct option *lo = calloc(n_opts + 1, sizeof(*lo));
	int c, bad = 0;
	if (!lo)
		return -1;
	for (size_t i = 0; i < n_opts; i++)
		lo[i] = (struct option){opts[i].name, opts[i].value ? required_argument : no_argument, NULL,
		                        (int)i};
	while (!bad && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 0 || (size_t)c >= n_opts)
			bad = 1;
		else if (opts[c].value)
			*opts[c].value = optarg;
		else
			*opts[c].flag = 1;
	}
	free(lo);
	if (bad || optind >= argc)
		return -1;
	return !strcmp(argv[optind], "server");
}
