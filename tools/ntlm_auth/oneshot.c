/*
 * oneshot.c - ntlm_auth without --helper-protocol: one check of a
 * challenge and its responses given on the command line, as FreeRADIUS's
 * mschap module runs it (--request-nt-key --username --challenge
 * --nt-response, MS-CHAP only with --allow-mschapv2), printing Samba's
 * lines (NT_KEY: ..., or the failure's status text) and exiting 0 on
 * success, 1 otherwise. Without --challenge, a --password is checked.
 *
 * What the policy means here (docs/ntlm_auth.md, "FreeRADIUS"):
 * - An MS-CHAP v1/v2 answer has NTLMv1's form. It counts as MS-CHAP
 *   (NTLM_RESP_MSCHAP) only when the caller says so with --allow-mschapv2,
 *   as Samba's domain then allows it under "ntlm auth =
 *   mschapv2-and-ntlmv2-only", our default policy's match. Without the
 *   switch a 24-byte response is NTLMv1, allowed only if allowed_responses
 *   says so; LM and NTLMv2 responses follow allowed_responses in any case.
 * - Settings that demand a proof only an NTLMSSP exchange carries
 *   (require_mic here; channel_bindings = required and require_target_name
 *   are refused by the set-up, which has nothing to compare them with)
 *   refuse every logon: a bare challenge and response cannot show it.
 *   Settings that check such a proof when present (min_security,
 *   timestamp_window, replay_cache, channel bindings if present) have
 *   nothing to check.
 * - lockout_threshold counts within one process, and this mode is one
 *   logon per process: accounts are locked in the store ([L], or the domain).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntlm_auth.h"
#include "ntlm_ntstatus.h"
#include "mem.h"
#include "text.h"

#define NT_RESPONSE_MAX 4096 /* an NTLMv2 response with a generous AV pair list */

/* The command line's challenge and responses, decoded. */
typedef struct crap {
	uint8_t challenge[NTLM_CHALLENGE_SIZE];
	uint8_t lm[24];
	size_t lm_len;
	uint8_t nt[NT_RESPONSE_MAX];
	size_t nt_len;
} crap;

/*
 * Hex digits into out[cap]: 0 when all of hex decodes and its length is in
 * [min, max]; else -1 after saying so in Samba's words (which count the
 * bytes decoded before the first bad digit).
 */
static int decode_hex(const char *hex, uint8_t *out, size_t min, size_t max, size_t *len)
{
	size_t n = 0, digits = strlen(hex);
	while (n * 2 + 1 < digits && ntlm_hex_value(hex[n * 2]) >= 0 &&
	       ntlm_hex_value(hex[n * 2 + 1]) >= 0) {
		if (n < max)
			out[n] = (uint8_t)(ntlm_hex_value(hex[n * 2]) << 4 | ntlm_hex_value(hex[n * 2 + 1]));
		n++;
	}
	if (n * 2 != digits || n < min || n > max) {
		fprintf(stderr, "hex decode of %s failed! (only got %zu bytes)\n", hex, n > max ? max : n);
		return -1;
	}
	*len = n;
	return 0;
}

static int decode_crap(const na_opts *o, crap *c)
{
	size_t len;
	memset(c, 0, sizeof(*c));
	if (decode_hex(o->challenge, c->challenge, NTLM_CHALLENGE_SIZE, NTLM_CHALLENGE_SIZE, &len))
		return -1;
	if (o->lm_response && decode_hex(o->lm_response, c->lm, 24, 24, &c->lm_len))
		return -1;
	if (o->nt_response && decode_hex(o->nt_response, c->nt, 24, NT_RESPONSE_MAX, &c->nt_len))
		return -1;
	return 0;
}

/*
 * Samba's failure line reads "<description> (0x<status>)" with [MS-ERREF]
 * 2.3.1's description of the status (what Samba 4.17 prints; FreeRADIUS
 * matches the status number). Like Samba's helper, which asks winbindd to
 * squash the status, a wrong password, an unknown user and a response kind
 * the policy refuses all read as STATUS_LOGON_FAILURE: the caller learns no
 * more than that the logon failed.
 */
static const struct {
	uint32_t status;
	const char *text;
} descriptions[] = {
	{0xC0000001u, "{Operation Failed} The requested operation was unsuccessful."},
	{0xC000000Du, "An invalid parameter was passed to a service or function."},
	{0xC0000017u, "{Not Enough Quota} Not enough virtual memory or paging file quota is "
                  "available to complete the specified operation."},
	{0xC000005Eu, "No logon servers are currently available to service the logon request."},
	{0xC000006Du, "The attempted logon is invalid. This is either due to a bad username or "
                  "authentication information."},
	{0xC0000072u, "The referenced account is currently disabled and cannot be logged on to."},
	{0xC0000198u, "The account used is an interdomain trust account. Use your global user "
                  "account or local user account to access this server."},
	{0xC0000199u, "The account used is a computer account. Use your global user account or "
                  "local user account to access this server."},
	{0xC000019Au, "The account used is a server trust account. Use your global user account "
                  "or local user account to access this server."},
	{0xC0000234u, "The user account has been automatically locked because too many invalid "
                  "logon attempts or password change attempts have been requested."},
};

static uint32_t squashed_status(ntlm_err rc)
{
	switch (rc) {
	case NTLM_E_LOGON_FAILURE:
	case NTLM_E_NO_SUCH_USER:
	case NTLM_E_NTLMV1_REFUSED:
	case NTLM_E_NTLMV2_REFUSED:
	case NTLM_E_LM_REFUSED:
	case NTLM_E_BAD_RESPONSE:
	case NTLM_E_NO_LM_HASH:
		return 0xC000006Du;
	default:
		return ntlm_err_ntstatus(rc);
	}
}

static void print_failure(const na_opts *o, ntlm_err rc)
{
	if (rc == NTLM_E_BACKEND && (o->winbind || o->fallback_account_file)) {
		/* Samba's words when winbindd does not answer (FreeRADIUS: a failure, not a reject) */
		printf("Reading winbind reply failed! (0x%x)\n", 0xC0000001u);
		return;
	}
	uint32_t st = squashed_status(rc);
	const char *text = NULL;
	for (size_t i = 0; i < sizeof(descriptions) / sizeof(descriptions[0]) && !text; i++)
		if (descriptions[i].status == st)
			text = descriptions[i].text;
	printf("%s (0x%x)\n", text ? text : ntstatus_name_of(rc), st);
}

static void print_key(const char *label, const uint8_t *key, size_t len)
{
	char hex[2 * NTLM_SESSION_KEY_SIZE + 1];
	if (ntlm_ct_is_zero(key, len))
		return; /* Samba prints no key it did not get */
	ntlm_hex_encode(key, len, hex);
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	printf("%s: %s\n", label, hex);
	ntlm_memzero(hex, sizeof(hex));
}

/*
 * The kind the responses claim, for the audit record of a logon that
 * failed (a verified one reports the store's answer). The decision is
 * never made here: the library classifies, this only names the attempt.
 */
static ntlm_response_kind claimed_kind(const na_opts *o, const crap *c)
{
	if (c->nt_len > 24)
		return NTLM_KIND_NTLMV2;
	if (c->nt_len == 24)
		return o->allow_mschapv2 ? NTLM_KIND_MSCHAP : NTLM_KIND_NTLMV1;
	return c->lm_len == 24 ? NTLM_KIND_LM : NTLM_KIND_NONE;
}

/* The logon as the audit log records it (srv->cfg.audit, set by --audit-log). */
typedef struct logon {
	const char *domain, *user, *workstation;
	ntlm_response_kind kind;
	const char *rule;
	char principal[256];
} logon;

static void audit(const setup_server *srv, const logon *l, ntlm_err rc, int64_t now)
{
	if (!srv->cfg.audit)
		return;
	ntlm_audit_event ev = {NTLM_AUDIT_EVENT_INIT};
	ev.time = now;
	ev.result = rc;
	ev.domain = l->domain;
	ev.user = l->user;
	ev.workstation = l->workstation;
	ev.authenticated = rc == NTLM_OK ? l->principal : NULL;
	ev.kind = l->kind;
	ev.rule = l->rule;
	if (l->kind == NTLM_KIND_MSCHAP || l->kind == NTLM_KIND_NTLMV1)
		ev.weaknesses = NTLM_WEAK_NTLMV1; /* DES under the bare NT hash, crackable offline */
	else if (l->kind == NTLM_KIND_LM)
		ev.weaknesses = NTLM_WEAK_LM;
	srv->cfg.audit(srv->cfg.audit_arg, &ev);
}

static const char *refusal_rule(ntlm_err rc)
{
	if (rc == NTLM_E_NTLMV1_REFUSED || rc == NTLM_E_NTLMV2_REFUSED || rc == NTLM_E_LM_REFUSED)
		return "allowed_responses";
	return NULL;
}

/* The store's verdict on c for l's user; *res filled on success. */
static ntlm_err verify(const na_opts *o, setup_server *srv, const crap *c, logon *l, int64_t now,
                       ntlm_auth_result *res)
{
	ntlm_auth_request req;
	memset(&req, 0, sizeof(req));
	req.user = l->user;
	req.domain = l->domain;
	req.workstation = l->workstation;
	req.server_challenge = c->challenge;
	req.nt_response = c->nt_len ? c->nt : NULL;
	req.nt_response_len = c->nt_len;
	req.lm_response = c->lm_len ? c->lm : NULL;
	req.lm_response_len = c->lm_len;
	req.allowed_responses = srv->policy.allowed_responses & ~NTLM_RESP_MSCHAP;
	if (o->allow_mschapv2)
		req.allowed_responses |= NTLM_RESP_MSCHAP;
	req.server_name = srv->cfg.computer_name;
	req.server_domain = srv->cfg.domain_name;
	req.lockout_threshold = srv->policy.lockout_threshold;
	req.lockout_window = srv->policy.lockout_window;
	req.now = now;
	l->kind = claimed_kind(o, c);
	if (srv->policy.require_mic) {
		l->rule = "require_mic"; /* no NTLMSSP messages here, so no MIC over them */
		return NTLM_E_MIC_MISSING;
	}
	ntlm_err rc = ntlm_account_store_verify(srv->store, &req, res);
	if (rc == NTLM_OK) {
		l->kind = res->kind;
		snprintf(l->principal, sizeof(l->principal), "%s%s%s", res->authority,
		         *res->authority ? "\\" : "", res->user);
	}
	l->rule = refusal_rule(rc);
	return rc;
}

/* The challenge/response check; the store and policy are open. */
static int check_crap(const na_opts *o, setup_server *srv, const crap *c, logon *l)
{
	ntlm_auth_result res;
	int64_t now = (int64_t)time(NULL);
	ntlm_err rc = verify(o, srv, c, l, now, &res);
	audit(srv, l, rc, now);
	if (o->debuglevel > 0)
		fprintf(stderr, "ntlm_auth: %s: %s response: %s\n", l->user,
		        ntlm_response_kind_name(l->kind), ntlm_strerror(rc));
	if (rc != NTLM_OK) {
		print_failure(o, rc);
		return NA_EXIT_FAIL;
	}
	if (o->request_lm_key && res.have_lm_session_key)
		print_key("LM_KEY", res.lm_session_key, sizeof(res.lm_session_key));
	if (o->request_nt_key)
		print_key("NT_KEY", res.session_base_key, sizeof(res.session_base_key));
	ntlm_memzero(&res, sizeof(res));
	return NA_EXIT_OK;
}

/*
 * Without --challenge: --password checked by a whole handshake in this
 * process, answered as Samba's plaintext check prints it ("<NT_STATUS
 * name>: <description> (0x<status>)", where a success reads ":  (0x0)").
 */
static int check_plaintext(const na_opts *o, setup_server *srv, logon *l)
{
	if (!o->password) {
		fputs("ntlm_auth: no --password to check (and no --challenge)\n", stderr);
		return NA_EXIT_FAIL;
	}
	ntlm_err rc = na_check_password(srv, l->domain, l->user, o->password, NULL, 0);
	if (rc == NTLM_OK) {
		puts(":  (0x0)");
		return NA_EXIT_OK;
	}
	printf("%s: ", ntstatus_name_of(rc));
	print_failure(o, rc);
	return NA_EXIT_FAIL;
}

int na_oneshot(const na_opts *o)
{
	if (!o->username || !*o->username) {
		fputs("username must be specified!\n\n", stderr);
		return NA_EXIT_FAIL;
	}
	crap *c = calloc(1, sizeof(*c));
	char *name = ntlm_strdup(o->username);
	if (!c || !name) {
		free(c);
		free(name);
		fputs("ntlm_auth: out of memory\n", stderr);
		return NA_EXIT_FAIL;
	}
	logon l;
	memset(&l, 0, sizeof(l));
	l.workstation = o->workstation ? o->workstation : "";
	if (o->domain) {
		l.domain = o->domain;
		l.user = o->username;
	} else {
		/* "DOMAIN\user" without --domain names its domain, as winbindd reads it */
		na_split_user(name, "", &l.domain, &l.user);
	}
	setup_opts so;
	setup_server srv;
	setup_opts_init(&so, "ntlm_auth");
	memset(&srv, 0, sizeof(srv));
	srv.audit_fd = -1;
	int st = o->challenge && decode_crap(o, c) != 0 ? NA_EXIT_FAIL : na_server_open(o, &so, &srv);
	if (st == NA_EXIT_OK)
		st = o->challenge ? check_crap(o, &srv, c, &l) : check_plaintext(o, &srv, &l);
	setup_server_free(&srv);
	setup_opts_free(&so);
	ntlm_free_secret(c, sizeof(*c));
	free(name);
	return st;
}
