/*
 * ntlmpeer - this library as an interop peer, speaking the suite's line
 * protocol on stdin/stdout (the same protocol as `ntlm client` / `ntlm
 * server`; the suite uses build/tools/ntlm when it exists and supports it,
 * this fallback otherwise).
 *
 *   ntlmpeer client --user U --domain D --password P [--ntlmv1] [--workstation W]
 *   ntlmpeer server --account-file F [--allow-ntlmv1] [--computer-name C] [--domain-name D]
 *
 * Client: prints "TOKEN <b64>" (NEGOTIATE) unprompted, reads "TOKEN <b64>"
 * (CHALLENGE), prints "TOKEN <b64>" (AUTHENTICATE) then
 * "DONE flags=0x%08x sessionkey=<hex>". Server: reads TOKEN, answers TOKEN,
 * ends with "DONE user=<DOMAIN\user> flags=.. sessionkey=<hex>" or
 * "FAIL <ERRNAME> <message>". After DONE: SEAL/UNSEAL/SIGN/VERIFY/QUIT.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntlmssp/ntlmssp.h"

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_b64(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		putchar(b64chars[(v >> 18) & 63]);
		putchar(b64chars[(v >> 12) & 63]);
		putchar(i + 1 < n ? b64chars[(v >> 6) & 63] : '=');
		putchar(i + 2 < n ? b64chars[v & 63] : '=');
	}
}

/* Decodes s (NUL- or space-terminated); returns malloc'd bytes, NULL on error. */
static uint8_t *get_b64(const char *s, size_t *n)
{
	size_t len = strcspn(s, " \r\n");
	uint8_t *out = malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	int bits = 0;
	*n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(b64chars, s[i]);
		if (s[i] == '=')
			break;
		if (!p || !s[i]) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (uint8_t)(acc >> bits);
		}
	}
	return out;
}

static void put_hex(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", d[i]);
}

static void say_fail(ntlm_err rc)
{
	printf("FAIL %s %s\n", ntlm_err_name(rc), ntlm_strerror(rc));
	fflush(stdout);
}

static void say_done(ntlm_ctx *ctx, int server)
{
	uint8_t key[16] = {0};
	ntlm_ctx_session_key(ctx, key);
	printf("DONE ");
	if (server)
		printf("user=%s ", ntlm_ctx_principal(ctx));
	printf("flags=0x%08x sessionkey=", ntlm_ctx_flags(ctx));
	put_hex(key, 16);
	printf(" kind=%s\n", ntlm_response_kind_name(ntlm_ctx_response_kind(ctx)));
	fflush(stdout);
}

/* Session commands after DONE; returns the exit status. */
static int session(ntlm_ctx *ctx)
{
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, stdin) > 0) {
		char *arg = strchr(line, ' ');
		size_t n1 = 0, n2 = 0;
		uint8_t *a = NULL, *b = NULL, sig[NTLM_SIGNATURE_SIZE];
		ntlm_err rc;
		line[strcspn(line, "\r\n")] = 0;
		if (arg) {
			*arg++ = 0;
			a = get_b64(arg, &n1);
			char *arg2 = strchr(arg, ' ');
			if (arg2)
				b = get_b64(arg2 + 1, &n2);
		}
		if (!strcmp(line, "QUIT")) {
			free(a);
			free(b);
			break;
		} else if (!a) {
			printf("ERR syntax\n");
		} else if (!strcmp(line, "SEAL")) {
			rc = ntlm_seal(ctx, a, n1, sig);
			if (rc != NTLM_OK)
				printf("ERR %s\n", ntlm_err_name(rc));
			else {
				printf("SEALED ");
				put_b64(a, n1);
				putchar(' ');
				put_b64(sig, 16);
				putchar('\n');
			}
		} else if (!strcmp(line, "SIGN")) {
			rc = ntlm_sign(ctx, a, n1, sig);
			if (rc != NTLM_OK)
				printf("ERR %s\n", ntlm_err_name(rc));
			else {
				printf("SIG ");
				put_b64(sig, 16);
				putchar('\n');
			}
		} else if (!b || n2 != 16) {
			printf("ERR syntax\n");
		} else if (!strcmp(line, "UNSEAL")) {
			rc = ntlm_unseal(ctx, a, n1, b);
			if (rc != NTLM_OK)
				printf("ERR %s\n", ntlm_err_name(rc));
			else {
				printf("PLAIN ");
				put_b64(a, n1);
				putchar('\n');
			}
		} else if (!strcmp(line, "VERIFY")) {
			rc = ntlm_verify(ctx, a, n1, b);
			if (rc != NTLM_OK)
				printf("BAD %s\n", ntlm_err_name(rc));
			else
				printf("OK\n");
		} else {
			printf("ERR unknown command\n");
		}
		fflush(stdout);
		free(a);
		free(b);
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	const char *user = NULL, *domain = NULL, *password = NULL, *account_file = NULL;
	const char *computer = "NTLMSRV", *domain_name = NULL, *workstation = "NTLMCLI";
	int v1 = 0;
	static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
	                                     {"domain", required_argument, NULL, 'd'},
	                                     {"password", required_argument, NULL, 'p'},
	                                     {"account-file", required_argument, NULL, 'f'},
	                                     {"allow-ntlmv1", no_argument, NULL, '1'},
	                                     {"ntlmv1", no_argument, NULL, '1'},
	                                     {"computer-name", required_argument, NULL, 'c'},
	                                     {"domain-name", required_argument, NULL, 'D'},
	                                     {"workstation", required_argument, NULL, 'w'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 'd': domain = optarg; break;
		case 'p': password = optarg; break;
		case 'f': account_file = optarg; break;
		case '1': v1 = 1; break;
		case 'c': computer = optarg; break;
		case 'D': domain_name = optarg; break;
		case 'w': workstation = optarg; break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: ntlmpeer client|server [options]\n");
		return 2;
	}
	int server = !strcmp(argv[optind], "server");
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_err rc;
	if (server) {
		if (v1)
			pol.allowed_responses |= NTLM_RESP_NTLMV1;
		rc = ntlm_account_store_smbpasswd(&store, account_file);
		ntlm_server_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.policy = &pol;
		cfg.store = store;
		cfg.computer_name = computer;
		cfg.domain_name = domain_name;
		if (rc == NTLM_OK)
			rc = ntlm_server_new(&ctx, &cfg);
	} else {
		if (v1)
			pol.allowed_responses = NTLM_RESP_NTLMV1;
		rc = ntlm_cred_password(&cred, domain, user, password);
		ntlm_client_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.policy = &pol;
		cfg.workstation = workstation;
		if (rc == NTLM_OK)
			rc = ntlm_client_new(&ctx, cred, &cfg);
	}
	if (rc != NTLM_OK) {
		say_fail(rc);
		return 1;
	}
	int status = 1;
	char *line = NULL;
	size_t cap = 0;
	ntlm_buffer out = {NULL, 0};
	if (!server) {
		rc = ntlm_step(ctx, NULL, 0, &out);
		if (out.len) {
			printf("TOKEN ");
			put_b64(out.data, out.len);
			putchar('\n');
			fflush(stdout);
		}
		ntlm_buffer_free(&out);
	} else {
		rc = NTLM_CONTINUE;
	}
	while (rc == NTLM_CONTINUE && getline(&line, &cap, stdin) > 0) {
		size_t n = 0;
		uint8_t *in;
		if (strncmp(line, "TOKEN ", 6) || !(in = get_b64(line + 6, &n))) {
			printf("ERR expected TOKEN\n");
			fflush(stdout);
			continue;
		}
		rc = ntlm_step(ctx, in, n, &out);
		free(in);
		if (out.len) {
			printf("TOKEN ");
			put_b64(out.data, out.len);
			putchar('\n');
		}
		ntlm_buffer_free(&out);
		fflush(stdout);
	}
	free(line);
	if (rc == NTLM_OK) {
		say_done(ctx, server);
		status = session(ctx);
	} else if (rc == NTLM_CONTINUE) {
		printf("FAIL EOF before the handshake ended\n");
	} else {
		say_fail(rc);
	}
	fflush(stdout);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	return status;
}
