/*
 * kv.c - ntlm_auth's "Key: value" protocols, each request ended by a line
 * holding ".", each answer too:
 *
 *   ntlm-server-1: Username, NT-Domain, and Password (plaintext) or
 *     LANMAN-Challenge with NT-Response and/or LANMAN-Response (hex);
 *     Request-User-Session-Key / Request-LanMan-Session-Key: Yes.
 *     Answers "Authenticated: Yes" (with User-Session-Key / LANMAN-Session-Key
 *     when asked) or "Authenticated: No" with an Authentication-Error line
 *     for a challenge/response, in Samba's words.
 *   ntlm-change-password-1: parsed as Samba does; the account stores are
 *     read-only to the library, so every change is answered
 *     "Password-Change: No" (the request is not supported).
 *
 * "Key:: <base64>" gives a value in base64, as in Samba's helper.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ntlm_auth.h"
#include "ntlm_b64.h"
#include "mem.h"
#include "text.h"

/* The keys of both protocols (one request holds a value per key). */
enum {
	K_USERNAME,
	K_DOMAIN,
	K_PASSWORD,
	K_CHALLENGE,
	K_LM_RESPONSE,
	K_NT_RESPONSE,
	K_REQ_USER_KEY,
	K_REQ_LM_KEY,
	K_NEW_NT_BLOB,
	K_OLD_NT_HASH,
	K_NEW_LM_BLOB,
	K_OLD_LM_HASH,
	K_NEW_PASSWORD,
	K_OLD_PASSWORD,
	K_COUNT
};

static const struct {
	const char *name;
	int server, change; /* which protocol takes it */
} keys[K_COUNT] = {
	[K_USERNAME] = {"Username", 1, 1},
	[K_DOMAIN] = {"NT-Domain", 1, 1},
	[K_PASSWORD] = {"Password", 1, 0},
	[K_CHALLENGE] = {"LANMAN-Challenge", 1, 0},
	[K_LM_RESPONSE] = {"LANMAN-Response", 1, 0},
	[K_NT_RESPONSE] = {"NT-Response", 1, 0},
	[K_REQ_USER_KEY] = {"Request-User-Session-Key", 1, 0},
	[K_REQ_LM_KEY] = {"Request-LanMan-Session-Key", 1, 0},
	[K_NEW_NT_BLOB] = {"new-nt-password-blob", 0, 1},
	[K_OLD_NT_HASH] = {"old-nt-hash-blob", 0, 1},
	[K_NEW_LM_BLOB] = {"new-lm-password-blob", 0, 1},
	[K_OLD_LM_HASH] = {"old-lm-hash-blob", 0, 1},
	[K_NEW_PASSWORD] = {"new-password", 0, 1},
	[K_OLD_PASSWORD] = {"old-password", 0, 1},
};

typedef struct kv {
	const na_opts *o;
	setup_server *srv;
	int change; /* ntlm-change-password-1 */
	char *val[K_COUNT];
} kv;

static void kv_reset(kv *k)
{
	for (int i = 0; i < K_COUNT; i++) {
		ntlm_free_string(k->val[i]); /* passwords and hashes among them: wiped */
		k->val[i] = NULL;
	}
}

static void end_answer(void)
{
	puts(".");
	fflush(stdout);
}

static void error_answer(const char *fmt, const char *arg)
{
	fputs("Error: ", stdout);
	printf(fmt, arg);
	fputc('\n', stdout);
	end_answer();
}

/* Samba's friendly texts for the failures a challenge/response check gives. */
static const char *failure_text(ntlm_err rc)
{
	switch (rc) {
	case NTLM_E_NO_SUCH_USER:
		return "The specified account does not exist.";
	case NTLM_E_LOGON_FAILURE: /* the store's answer to a wrong password */
		return "When trying to update a password, this return status indicates that the value "
			   "provided as the current password is not correct.";
	case NTLM_E_ACCOUNT_DISABLED:
		return "The referenced account is currently disabled and may not be logged on to.";
	case NTLM_E_ACCOUNT_LOCKED:
		return "The user account has been automatically locked because too many invalid logon "
			   "attempts or password change attempts have been requested.";
	default:
		return ntlm_strerror(rc);
	}
}

static void print_hex_upper(const char *name, const uint8_t *p, size_t n)
{
	printf("%s: ", name);
	for (size_t i = 0; i < n; i++)
		printf("%02X", p[i]);
	fputc('\n', stdout);
}

/* A hex value of at most cap bytes; its length, or -1. */
static long take_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = hex ? strlen(hex) : 0;
	if (!hex || n % 2 || n / 2 > cap || ntlm_hex_decode(hex, out, n / 2) != NTLM_OK)
		return -1;
	return (long)(n / 2);
}

static int yes(const char *v)
{
	return v && !strcasecmp(v, "Yes");
}

/* LANMAN-Challenge and the responses: through the store, as the one-shot mode checks them. */
static void check_challenge(kv *k)
{
	uint8_t chal[NTLM_CHALLENGE_SIZE], lm[24], nt[1024];
	ntlm_auth_result res;
	long lm_len = 0, nt_len = 0;
	ntlm_err rc = NTLM_E_INVALID_PARAMETER;
	memset(&res, 0, sizeof(res));
	if (take_hex(k->val[K_CHALLENGE], chal, sizeof(chal)) == NTLM_CHALLENGE_SIZE &&
	    (!k->val[K_LM_RESPONSE] ||
	     (lm_len = take_hex(k->val[K_LM_RESPONSE], lm, sizeof(lm))) >= 0) &&
	    (!k->val[K_NT_RESPONSE] || (nt_len = take_hex(k->val[K_NT_RESPONSE], nt, sizeof(nt))) >= 0))
		rc = na_verify_challenge(k->srv, k->val[K_DOMAIN], k->val[K_USERNAME], chal, lm,
		                         (size_t)lm_len, nt, (size_t)nt_len, 0, &res);
	if (rc == NTLM_OK) {
		puts("Authenticated: Yes");
		if (yes(k->val[K_REQ_USER_KEY]))
			print_hex_upper("User-Session-Key", res.session_base_key, NTLM_SESSION_KEY_SIZE);
		if (yes(k->val[K_REQ_LM_KEY]) && res.have_lm_session_key)
			print_hex_upper("LANMAN-Session-Key", res.lm_session_key, 8);
	} else {
		printf("Authenticated: No\nAuthentication-Error: %s\n", failure_text(rc));
	}
	end_answer();
	ntlm_memzero(&res, sizeof(res));
}

static void server_request(kv *k)
{
	if (!k->val[K_USERNAME]) {
		error_answer("%s", "No username supplied!");
	} else if (k->val[K_PASSWORD]) {
		const char *domain = k->val[K_DOMAIN] ? k->val[K_DOMAIN] : k->o->domain;
		ntlm_err rc = na_check_password(k->srv, domain, k->val[K_USERNAME], k->val[K_PASSWORD],
		                                NULL, 0);
		puts(rc == NTLM_OK ? "Authenticated: Yes" : "Authenticated: No");
		end_answer();
	} else if (k->val[K_CHALLENGE] && (k->val[K_NT_RESPONSE] || k->val[K_LM_RESPONSE])) {
		check_challenge(k);
	} else {
		error_answer("%s", "No password supplied!");
	}
}

static void change_request(kv *k)
{
	int blobs = (k->val[K_NEW_NT_BLOB] && k->val[K_OLD_NT_HASH]) ||
	            (k->val[K_NEW_LM_BLOB] && k->val[K_OLD_LM_HASH]) ||
	            (k->val[K_NEW_PASSWORD] && k->val[K_OLD_PASSWORD]);
	if (!k->val[K_USERNAME])
		error_answer("%s", "No username supplied!");
	else if (!blobs)
		error_answer("%s", "No NT or LM password blobs supplied!");
	else {
		/* the stores are read-only to the library (ntlm passwd edits them) */
		puts("Password-Change: No\nPassword-Change-Error: The request is not supported.");
		end_answer();
	}
}

/* "Key: value" or "Key:: base64": 0, or -1 after answering the error. */
static int take_line(kv *k, char *line)
{
	char *colon = strstr(line, ": "), *b64val = strstr(line, ":: ");
	char *value;
	int key;
	if (b64val && (!colon || b64val < colon))
		colon = b64val;
	if (!colon) {
		error_answer("%s", "Parameter not found!");
		return -1;
	}
	*colon = '\0';
	value = colon + (colon == b64val ? 3 : 2);
	for (key = 0; key < K_COUNT; key++)
		if (!strcmp(line, keys[key].name) && (k->change ? keys[key].change : keys[key].server))
			break;
	if (key == K_COUNT) {
		error_answer("Unknown request %s", line);
		return -1;
	}
	char *copy = NULL;
	if (colon == b64val) {
		uint8_t *raw = NULL;
		size_t len = 0, where = 0;
		if (!b64_decode(value, strlen(value), 0, &raw, &len, &where) &&
		    (copy = ntlm_calloc(len + 1, 1)))
			memcpy(copy, raw, len);
		ntlm_free_secret(raw, len);
	} else {
		copy = ntlm_strdup(value);
	}
	if (!copy) {
		error_answer("%s", "could not decode the value");
		return -1;
	}
	ntlm_free_string(k->val[key]);
	k->val[key] = copy;
	return 0;
}

static void kv_line(void *arg, char *line, size_t len)
{
	kv *k = arg;
	if (strlen(line) != len) {
		error_answer("%s", "the line contains a NUL byte");
	} else if (len == 0) {
		/* an empty line: nothing, as in Samba's helper */
	} else if (!strcmp(line, ".")) {
		if (k->change)
			change_request(k);
		else
			server_request(k);
		kv_reset(k);
	} else {
		take_line(k, line); /* a bad line is answered at once, as Samba does */
	}
	ntlm_memzero(line, len); /* it may have held a password */
}

static void kv_overlong(void *arg, const char *start, size_t len)
{
	error_answer("%s", "line too long");
}

static int run(const na_opts *o, int change)
{
	setup_opts so;
	setup_server srv;
	kv k;
	memset(&k, 0, sizeof(k));
	k.o = o;
	k.srv = &srv;
	k.change = change;
	int st = na_server_open(o, &so, &srv);
	if (st == NA_EXIT_OK)
		st = na_line_loop(kv_line, kv_overlong, &k);
	kv_reset(&k);
	setup_server_free(&srv);
	setup_opts_free(&so);
	return st;
}

int na_ntlm_server(const na_opts *o)
{
	return run(o, 0);
}

int na_change_password(const na_opts *o)
{
	return run(o, 1);
}
