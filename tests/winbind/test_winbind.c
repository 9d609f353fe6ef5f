/*
 * test_winbind.c - a client context against a server context whose account
 * store is ntlm_account_store_winbind(), with a real (private, standalone)
 * winbindd behind it. Started by tests/suites/45-winbind.sh, which sets up
 * Samba and passes the account in the environment:
 *   WB_USER, WB_PASSWORD, WB_DOMAIN, WB_WRONG_PASSWORD, WB_UNKNOWN_USER
 * and reaches the daemon through nss_wrapper (SELFTEST_WINBINDD_SOCKET_DIR).
 *
 * Usage: test_winbind up    winbindd running
 *        test_winbind down  winbindd stopped
 *        test_winbind stub  library built without libwbclient
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntlmssp/ntlmssp.h"
#include "t.h"

/* Flags of an NTLMv1 client without extended session security. */
#define V1_PLAIN_FLAGS                                                                             \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |                 \
	 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |             \
	 NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH)

static const char *env_or_die(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "test_winbind: $%s is not set (run tests/suites/45-winbind.sh)\n", name);
		exit(2);
	}
	return v;
}

/* One authentication attempt: what the client sends and what the server allows. */
typedef struct attempt {
	const char *domain, *user, *password;
	uint32_t client_responses; /* NTLM_RESP_* the client policy allows (0: defaults) */
	uint32_t server_responses; /* NTLM_RESP_* the server policy allows (0: defaults) */
	uint32_t client_flags;     /* 0: the library's defaults */
	const char *domain_filter; /* for the store */
} attempt;

/* Both ends of one handshake and what became of it. */
typedef struct pair {
	ntlm_account_store *store;
	ntlm_cred *cred;
	ntlm_ctx *client, *server;
	ntlm_err client_rc, server_rc;
} pair;

static void pair_free(pair *p)
{
	ntlm_ctx_free(p->client);
	ntlm_ctx_free(p->server);
	ntlm_cred_free(p->cred);
	ntlm_account_store_free(p->store);
	memset(p, 0, sizeof(*p));
}

static void policies(const attempt *a, ntlm_policy *cp, ntlm_policy *sp)
{
	ntlm_policy_init(cp);
	ntlm_policy_init(sp);
	if (a->client_responses)
		cp->allowed_responses = a->client_responses;
	if (a->server_responses)
		sp->allowed_responses = a->server_responses;
	if (a->client_flags && !(a->client_flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
		cp->min_security &= ~NTLM_SEC_ESS;
		sp->min_security &= ~NTLM_SEC_ESS;
	}
}

/* The three messages; the server's verdict lands in p->server_rc. */
static ntlm_err run_handshake(const attempt *a, ntlm_account_store *store, pair *p)
{
	ntlm_policy cp, sp;
	policies(a, &cp, &sp);
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT, .policy = &cp, .workstation = "WBCLIENT",
	                         .flags = a->client_flags};
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT, .policy = &sp, .computer_name = "WBTEST",
	                         .store = store};
	ntlm_err rc = ntlm_cred_password(&p->cred, a->domain, a->user, a->password);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&p->client, p->cred, &cc);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&p->server, &sc);
	if (rc != NTLM_OK)
		return rc;
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	rc = ntlm_step(p->client, NULL, 0, &neg);
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(p->server, neg.data, neg.len, &chal);
	if (rc == NTLM_CONTINUE)
		rc = p->client_rc = ntlm_step(p->client, chal.data, chal.len, &auth);
	if (rc == NTLM_OK)
		rc = p->server_rc = ntlm_step(p->server, auth.data, auth.len, &none);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	return rc;
}

/* Makes the store the attempt names, then runs the handshake. */
static ntlm_err attempt_run(const attempt *a, pair *p)
{
	memset(p, 0, sizeof(*p));
	ntlm_err rc = ntlm_account_store_winbind(&p->store, a->domain_filter);
	return rc == NTLM_OK ? run_handshake(a, p->store, p) : rc;
}

static attempt right(void)
{
	attempt a = {
		env_or_die("WB_DOMAIN"), env_or_die("WB_USER"), env_or_die("WB_PASSWORD"), 0, 0, 0, NULL};
	return a;
}

static char expected_principal[256];

/* ASCII lower-case copy (the test's NetBIOS names are ASCII). */
static const char *lower_copy(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	out[i] = '\0';
	return out;
}

/* One direction of sealing: what from wraps, to unwraps intact. */
static int seal_roundtrip(ntlm_ctx *from, ntlm_ctx *to)
{
	static const char text[] = "sealed through a winbind-verified context";
	ntlm_buffer wrapped = {0}, plain = {0};
	int ok = ntlm_wrap(from, NTLM_PROTECT_SEAL, 0, (const uint8_t *)text, sizeof(text), &wrapped) ==
	             NTLM_OK &&
	         ntlm_unwrap(to, NTLM_PROTECT_SEAL, 0, wrapped.data, wrapped.len, &plain) == NTLM_OK &&
	         plain.len == sizeof(text) && memcmp(plain.data, text, sizeof(text)) == 0;
	ntlm_buffer_free(&wrapped);
	ntlm_buffer_free(&plain);
	return ok;
}

/* Both ends hold the same key: a sealed message goes through both ways. */
static int keys_and_sealing_agree(pair *p)
{
	uint8_t kc[16], ks[16];
	if (ntlm_ctx_session_key(p->client, kc) != NTLM_OK ||
	    ntlm_ctx_session_key(p->server, ks) != NTLM_OK || memcmp(kc, ks, 16) != 0)
		return 0;
	return seal_roundtrip(p->client, p->server) && seal_roundtrip(p->server, p->client);
}

/* A successful logon: principal, Unix account, kind, keys, sealing. */
static void expect_logon(pair *p, ntlm_response_kind want_kind)
{
	T_STR(ntlm_ctx_principal(p->server), expected_principal);
	T_STR(ntlm_ctx_unix_user(p->server), env_or_die("WB_USER"));
	T_STR(ntlm_response_kind_name(ntlm_ctx_response_kind(p->server)),
	      ntlm_response_kind_name(want_kind));
	T_ASSERT(keys_and_sealing_agree(p));
}

/*
 * A handshake test: how it differs from right() and what must come of it.
 * Strings "$NAME" come from the environment; NULL keeps right()'s value.
 */
typedef struct wb_case {
	const char *domain, *user, *password, *domain_filter;
	int lower; /* LOWER_*: use an ASCII lower-case copy */
	uint32_t client_responses, server_responses, client_flags;
	ntlm_err want; /* NTLM_OK: a logon of the given kind */
	ntlm_response_kind kind;
	int show; /* print the principal and Unix user */
} wb_case;
enum { LOWER_DOMAIN = 1, LOWER_FILTER = 2 };

static const char *expand(const char *spec, const char *dflt)
{
	return !spec ? dflt : spec[0] == '$' ? env_or_die(spec + 1) : spec;
}

static void check_case(const wb_case *c)
{
	attempt a = right();
	char lower_domain[64], lower_filter[64];
	a.domain = expand(c->domain, a.domain);
	a.user = expand(c->user, a.user);
	a.password = expand(c->password, a.password);
	a.domain_filter = expand(c->domain_filter, NULL);
	if (c->lower & LOWER_DOMAIN)
		a.domain = lower_copy(a.domain, lower_domain, sizeof(lower_domain));
	if (c->lower & LOWER_FILTER)
		a.domain_filter = lower_copy(a.domain_filter, lower_filter, sizeof(lower_filter));
	a.client_responses = c->client_responses;
	a.server_responses = c->server_responses;
	a.client_flags = c->client_flags;
	pair p;
	ntlm_err rc = attempt_run(&a, &p);
	if (rc == NTLM_OK && c->want == NTLM_OK) {
		if (c->show)
			printf("     principal %s, unix user %s\n", ntlm_ctx_principal(p.server),
			       ntlm_ctx_unix_user(p.server));
		expect_logon(&p, c->kind);
	}
	pair_free(&p);
	if (rc != c->want)
		T_FAIL("handshake: %s, wanted %s", ntlm_err_name(rc), ntlm_err_name(c->want));
}

#define V1 NTLM_RESP_NTLMV1
/* name, then the wb_case; each becomes a test function of that name. */
#define HANDSHAKE_CASES(X)                                                                         \
	X(right_password_ntlmv2, .kind = NTLM_KIND_NTLMV2, .show = 1)                                  \
	/* reported as the domain names itself, not as typed */                                        \
	X(right_password_lowercase_domain, .lower = LOWER_DOMAIN, .kind = NTLM_KIND_NTLMV2)            \
	X(right_password_no_domain, .domain = "", .kind = NTLM_KIND_NTLMV2)                            \
	X(wrong_password, .password = "$WB_WRONG_PASSWORD", .want = NTLM_E_LOGON_FAILURE)              \
	X(unknown_user, .user = "$WB_UNKNOWN_USER", .want = NTLM_E_LOGON_FAILURE)                      \
	X(ntlmv1_refused_by_policy, .client_responses = V1, .want = NTLM_E_NTLMV1_REFUSED)             \
	/* the domain allows NTLMv1 (the suite's smb.conf); so does our policy here */                 \
	X(ntlmv1_ess_allowed, .client_responses = V1, .server_responses = V1,                          \
	  .kind = NTLM_KIND_NTLMV1_ESS)                                                                \
	X(ntlmv1_plain_allowed, .client_responses = V1, .server_responses = V1,                        \
	  .client_flags = V1_PLAIN_FLAGS, .kind = NTLM_KIND_NTLMV1)                                    \
	X(ntlmv1_wrong_password, .client_responses = V1, .server_responses = V1,                       \
	  .password = "$WB_WRONG_PASSWORD", .want = NTLM_E_LOGON_FAILURE)                              \
	/* NetBIOS names compare case-insensitively */                                                 \
	X(domain_filter_matches, .domain_filter = "$WB_DOMAIN", .lower = LOWER_FILTER,                 \
	  .kind = NTLM_KIND_NTLMV2)                                                                    \
	X(domain_filter_other_domain, .domain_filter = "ELSEWHERE", .want = NTLM_E_LOGON_FAILURE)      \
	/* the client sends no domain; winbindd's own domain is not the filter's */                    \
	X(domain_filter_checks_the_authority, .domain = "", .domain_filter = "ELSEWHERE",              \
	  .want = NTLM_E_LOGON_FAILURE)                                                                \
	/* a domain winbindd does not know: the peer sees a logon failure (the store: below) */        \
	X(foreign_domain_refused, .domain = "FOREIGNDOM", .want = NTLM_E_LOGON_FAILURE)

#define DEFINE_CASE(name, ...)                                                                     \
	static void name(void)                                                                         \
	{                                                                                              \
		static const wb_case c = {__VA_ARGS__};                                                    \
		check_case(&c);                                                                            \
	}
HANDSHAKE_CASES(DEFINE_CASE)
#define RUN_CASE(name, ...) T_RUN(name);

/* The store straight: an LM-only response with LM not allowed never leaves here. */
static void lm_refused_by_policy(void)
{
	ntlm_account_store *store = NULL;
	T_OK(ntlm_account_store_winbind(&store, NULL));
	static const uint8_t chal[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t lm[24] = {0x55};
	ntlm_auth_request req = {.user = env_or_die("WB_USER"),
	                         .domain = env_or_die("WB_DOMAIN"),
	                         .workstation = "WBCLIENT",
	                         .server_challenge = chal,
	                         .lm_response = lm,
	                         .lm_response_len = sizeof(lm),
	                         .allowed_responses = NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1};
	ntlm_auth_result res;
	ntlm_err rc = ntlm_account_store_verify(store, &req, &res);
	req.nt_response = lm;
	req.nt_response_len = 5; /* neither v1 nor v2 */
	ntlm_err rc_bad = ntlm_account_store_verify(store, &req, &res);
	ntlm_account_store_free(store);
	T_EXPECT_ERR(rc, NTLM_E_LM_REFUSED);
	T_EXPECT_ERR(rc_bad, NTLM_E_BAD_RESPONSE);
}

/*
 * The store straight: winbindd has no logon server for a domain it does not
 * know; the store asks and says NTLM_E_NO_SUCH_DOMAIN (a chained store's cue
 * for the local account), not "no logon servers" (an outage) nor "backend".
 */
static void foreign_domain_is_no_such_domain(void)
{
	ntlm_account_store *store = NULL;
	T_OK(ntlm_account_store_winbind(&store, NULL));
	static const uint8_t chal[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t nt[48] = {0x55}; /* NTLMv2-shaped; never verified */
	ntlm_auth_request req = {.user = env_or_die("WB_USER"),
	                         .domain = "FOREIGNDOM",
	                         .workstation = "WBCLIENT",
	                         .server_challenge = chal,
	                         .nt_response = nt,
	                         .nt_response_len = sizeof(nt),
	                         .allowed_responses = NTLM_RESP_NTLMV2};
	ntlm_auth_result res;
	ntlm_err rc = ntlm_account_store_verify(store, &req, &res);
	req.domain = env_or_die("WB_DOMAIN"); /* our own domain: a wrong response */
	ntlm_err rc_own = ntlm_account_store_verify(store, &req, &res);
	ntlm_account_store_free(store);
	T_EXPECT_ERR(rc, NTLM_E_NO_SUCH_DOMAIN);
	T_EXPECT_ERR(rc_own, NTLM_E_LOGON_FAILURE);
}

/* One store shared by several threads, each with its own contexts. */
#define THREADS 4
#define ROUNDS  5

struct thread_arg {
	ntlm_account_store *store;
	int failures;
};

static void *logon_loop(void *arg)
{
	struct thread_arg *t = arg;
	attempt a = right();
	for (int i = 0; i < ROUNDS; i++) {
		pair p = {0};
		if (run_handshake(&a, t->store, &p) != NTLM_OK ||
		    strcmp(ntlm_ctx_principal(p.server), expected_principal) != 0 ||
		    !keys_and_sealing_agree(&p))
			t->failures++;
		p.store = NULL; /* shared, freed by the caller */
		pair_free(&p);
	}
	return NULL;
}

static void shared_store_threads(void)
{
	ntlm_account_store *store = NULL;
	T_OK(ntlm_account_store_winbind(&store, NULL));
	pthread_t th[THREADS];
	struct thread_arg args[THREADS];
	int started = 0;
	for (; started < THREADS; started++) {
		args[started] = (struct thread_arg){store, 0};
		if (pthread_create(&th[started], NULL, logon_loop, &args[started]) != 0)
			break;
	}
	int failures = 0;
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		failures += args[i].failures;
	}
	ntlm_account_store_free(store);
	T_ASSERT(started == THREADS);
	if (failures)
		T_FAIL("%d of %d logons failed", failures, THREADS * ROUNDS);
}

/* ------------------------------------------------------- winbindd stopped */

DEFINE_CASE(stopped_is_backend_error, .want = NTLM_E_BACKEND)

/* Refused before winbindd is asked: had it been asked, this would be NTLM_E_BACKEND. */
static void stopped_ntlmv1_refused_without_winbindd(void)
{
	ntlmv1_refused_by_policy();
}

static void stopped_filter_refused_without_winbindd(void)
{
	domain_filter_other_domain();
}

/* ------------------------------------------------ built without winbind */

static void stub_is_unsupported(void)
{
	ntlm_account_store *store = (ntlm_account_store *)&store;
	T_EXPECT_ERR(ntlm_account_store_winbind(&store, NULL), NTLM_E_UNSUPPORTED);
	T_ASSERT(store == NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (strcmp(mode, "stub") == 0) {
		T_RUN(stub_is_unsupported);
		T_END();
	}
	snprintf(expected_principal, sizeof(expected_principal), "%s\\%s", env_or_die("WB_DOMAIN"),
	         env_or_die("WB_USER"));
	if (strcmp(mode, "up") == 0) {
		HANDSHAKE_CASES(RUN_CASE)
		T_RUN(lm_refused_by_policy);
		T_RUN(foreign_domain_is_no_such_domain);
		T_RUN(shared_store_threads);
	} else if (strcmp(mode, "down") == 0) {
		T_RUN(stopped_is_backend_error);
		T_RUN(stopped_ntlmv1_refused_without_winbindd);
		T_RUN(stopped_filter_refused_without_winbindd);
	} else {
		fprintf(stderr, "usage: test_winbind up|down|stub\n");
		return 2;
	}
	T_END();
}
