/*
 * server.c - ntlm_auth's server side: the account store and policy from
 * the command line (na_server_open), and the line protocols that run a
 * handshake per request: squid-2.5-ntlmssp (the shared Squid engine,
 * tools/ntlm_squid.c, in Samba's words) and squid-2.5-basic.
 */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ntlm_auth.h"
#include "ntlm_io.h"
#include "ntlm_squid.h"
#include "mem.h"
#include "sys.h"
#include "text.h"

/*
 * --require-membership-of: a SID as given (Samba takes anything that starts
 * "S-" as one), else "DOMAIN\\name" that winbindd resolves, once, here: a
 * name it cannot resolve stops the helper (Samba's words), as a check that
 * could never pass.
 */
static int membership_sid(const char *want, char *sid, size_t cap)
{
	if ((want[0] == 'S' || want[0] == 's') && want[1] == '-') {
		snprintf(sid, cap, "%s", want);
		return 0;
	}
	if (!strchr(want, '\\')) {
		fprintf(stderr, "Could not parse %s into separate domain/name parts!\n", want);
		return -1;
	}
	ntlm_err rc = ntlm_winbind_name_to_sid(want, sid, cap);
	if (rc == NTLM_OK)
		return 0;
	if (rc == NTLM_E_NOT_FOUND)
		fprintf(stderr, "Winbindd lookupname failed to resolve %s into a SID!\n", want);
	else
		fprintf(stderr, "ntlm_auth: --require-membership-of=%s: winbind: %s (%s)\n", want,
		        ntlm_strerror(rc), ntlm_err_name(rc));
	return -1;
}

/*
 * The store: --winbind (with --fallback-account-file: the chained store),
 * else --account-file, $NTLM_ACCOUNT_FILE or NA_DEFAULT_ACCOUNT_FILE; the
 * policy: --policy, else the system's. --require-membership-of needs the
 * logon's SIDs, which only the domain gives: with an account file alone it
 * is refused, since a check silently skipped would let every user in.
 */
int na_server_open(const na_opts *o, setup_opts *so, setup_server *srv)
{
	char sid[192];
	int domain = o->winbind || o->fallback_account_file;
	setup_opts_init(so, "ntlm_auth");
	memset(srv, 0, sizeof(*srv));
	srv->audit_fd = -1;
	if (o->require_membership_of && !domain) {
		fprintf(stderr,
		        "ntlm_auth: --require-membership-of=%s: an account file cannot tell group "
		        "membership (it has no SIDs; use --winbind); refusing to run without the check\n",
		        o->require_membership_of);
		return NA_EXIT_FAIL;
	}
	if (o->require_membership_of && membership_sid(o->require_membership_of, sid, sizeof(sid)))
		return NA_EXIT_FAIL;
	so->winbind = domain;
	so->fallback_file = o->fallback_account_file;
	so->fallback_unreachable = o->fallback_when_unreachable;
	so->names_from_winbind = o->domain_names_from_winbind;
	so->config = o->policy;
	so->audit_log = o->audit_log;
	if (!domain) {
		so->account_file = o->account_file ? o->account_file
		                                   : ntlm_secure_getenv("NTLM_ACCOUNT_FILE");
		if (!so->account_file || !*so->account_file)
			so->account_file = NA_DEFAULT_ACCOUNT_FILE;
	}
	if (setup_server_build(so, 1, srv) != 0)
		return NA_EXIT_FAIL;
	if (o->require_membership_of &&
	    setup_server_require_member(srv, "ntlm_auth", "--require-membership-of", sid) != 0)
		return NA_EXIT_FAIL;
	return NA_EXIT_OK;
}

/* The read loop of the line protocols: handle(arg, line, len) for each line. */
int na_line_loop(void (*handle)(void *arg, char *line, size_t len),
                 void (*overlong)(void *arg, const char *start, size_t len), void *arg)
{
	io_line line = {NULL, 0, 0};
	int got;
	signal(SIGPIPE, SIG_IGN); /* the caller gone: stop at the failed write, quietly */
	while (!ferror(stdout) && (got = io_read_line(stdin, &line, IO_LINE_MAX)) != IO_EOF &&
	       got != IO_ERROR) {
		if (got == IO_TOO_LONG)
			overlong(arg, line.data, line.len);
		else
			handle(arg, line.data, line.len);
	}
	io_line_free(&line);
	return ferror(stdout) ? NA_EXIT_FAIL : NA_EXIT_OK;
}

static void squid_line(void *arg, char *line, size_t len)
{
	squid_handle_line(arg, line, len);
}

static void squid_overlong(void *arg, const char *start, size_t len)
{
	squid_handle_overlong(start, len);
}

int na_squid_ntlmssp(const na_opts *o)
{
	setup_opts so;
	setup_server srv;
	squid s;
	int st = na_server_open(o, &so, &srv);
	squid_init(&s, &srv);
	s.samba = 1;
	if (st == NA_EXIT_OK)
		st = na_line_loop(squid_line, squid_overlong, &s);
	squid_free(&s);
	setup_server_free(&srv);
	setup_opts_free(&so);
	return st;
}

/* ------------------------------------------------------ squid-2.5-basic */

/* RFC 1738 %XX escapes, in place (Squid escapes the user and password words); -1 on a NUL. */
static int url_unescape(char *s)
{
	char *out = s;
	for (char *p = s; *p; p++) {
		int hi, lo;
		if (*p == '%' && (hi = ntlm_hex_value(p[1])) >= 0 && (lo = ntlm_hex_value(p[2])) >= 0) {
			if (hi == 0 && lo == 0)
				return -1;
			*out++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return 0;
}

/*
 * A plaintext password checked the way every other logon is: a whole
 * NTLMv2 handshake between a client context holding it and a server
 * context on the store, in this process, through the public API.
 */
ntlm_err na_check_password(setup_server *srv, const char *domain, const char *user,
                           const char *password, char *principal, size_t cap)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *c = NULL, *s = NULL;
	ntlm_buffer a = {NULL, 0}, b = {NULL, 0};
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT};
	cc.policy = srv->cfg.policy;
	ntlm_err rc = ntlm_cred_password(&cred, domain, user, password);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&c, cred, &cc);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&s, &srv->cfg);
	if (rc == NTLM_OK && (rc = ntlm_step(c, NULL, 0, &a)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(s, a.data, a.len, &b)) == NTLM_CONTINUE) {
		ntlm_buffer_free(&a);
		if ((rc = ntlm_step(c, b.data, b.len, &a)) == NTLM_OK) {
			ntlm_buffer_free(&b);
			rc = ntlm_step(s, a.data, a.len, &b);
		}
	}
	if (rc == NTLM_CONTINUE)
		rc = NTLM_E_INTERNAL;
	if (rc == NTLM_OK && principal)
		snprintf(principal, cap, "%s", ntlm_ctx_principal(s));
	ntlm_buffer_free(&a);
	ntlm_buffer_free(&b);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
	ntlm_cred_free(cred);
	return rc;
}

/* The NetBIOS name the server calls itself: as the server context does (host name, upper case). */
static void computer_name(const setup_server *srv, char *out, size_t cap)
{
	char host[256] = "";
	if (srv->cfg.computer_name) {
		snprintf(out, cap, "%s", srv->cfg.computer_name);
		return;
	}
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[strcspn(host, ".")] = '\0';
	for (char *p = host; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	snprintf(out, cap, "%s", host);
}

ntlm_err na_verify_challenge(setup_server *srv, const char *domain, const char *user,
                             const uint8_t challenge[NTLM_CHALLENGE_SIZE], const uint8_t *lm,
                             size_t lm_len, const uint8_t *nt, size_t nt_len,
                             uint32_t extra_allowed, ntlm_auth_result *res)
{
	ntlm_auth_request req;
	char name[64];
	computer_name(srv, name, sizeof(name));
	memset(&req, 0, sizeof(req));
	req.user = user;
	req.domain = domain ? domain : "";
	req.workstation = "";
	req.server_challenge = challenge;
	req.lm_response = lm_len ? lm : NULL;
	req.lm_response_len = lm_len;
	req.nt_response = nt_len ? nt : NULL;
	req.nt_response_len = nt_len;
	req.flags = 0; /* the caller computed the responses: NTLMv1 without ESS, or NTLMv2 */
	req.allowed_responses = srv->policy.allowed_responses | extra_allowed;
	req.server_name = name;
	req.server_domain = srv->cfg.domain_name ? srv->cfg.domain_name : name;
	req.lockout_threshold = srv->policy.lockout_threshold;
	req.lockout_window = srv->policy.lockout_window;
	req.now = (int64_t)time(NULL);
	return ntlm_account_store_verify(srv->store, &req, res);
}

/* "DOMAIN\user" (or "DOMAIN/user", Squid's users type either) into its parts; else domain default. */
void na_split_user(char *name, const char *default_domain, const char **domain, const char **user)
{
	char *sep = strpbrk(name, "\\/");
	if (sep) {
		*sep = '\0';
		*domain = name;
		*user = sep + 1;
	} else {
		*domain = default_domain;
		*user = name;
	}
}

typedef struct basic {
	const na_opts *o;
	setup_server *srv;
} basic;

static void basic_line(void *arg, char *line, size_t len)
{
	const na_opts *o = ((basic *)arg)->o;
	setup_server *srv = ((basic *)arg)->srv;
	char *space = strchr(line, ' ');
	const char *domain, *user;
	if (strlen(line) != len || !space) {
		puts("ERR"); /* Samba: a line without a password is no logon */
		fflush(stdout);
		return;
	}
	*space = '\0';
	char *password = space + 1;
	if (url_unescape(line) != 0 || url_unescape(password) != 0) {
		puts("ERR");
	} else {
		na_split_user(line, o->domain, &domain, &user);
		puts(na_check_password(srv, domain, user, password, NULL, 0) == NTLM_OK ? "OK" : "ERR");
	}
	ntlm_memzero(password, strlen(password));
	fflush(stdout);
}

static void basic_overlong(void *arg, const char *start, size_t len)
{
	puts("ERR");
	fflush(stdout);
}

int na_squid_basic(const na_opts *o)
{
	setup_opts so;
	setup_server srv;
	int st = na_server_open(o, &so, &srv);
	basic b = {o, &srv};
	if (st == NA_EXIT_OK)
		st = na_line_loop(basic_line, basic_overlong, &b);
	setup_server_free(&srv);
	setup_opts_free(&so);
	return st;
}
