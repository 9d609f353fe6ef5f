/*
 * test_chain.c - ntlm_account_store_chain() with fake stores: every branch
 * of the fallback rule (only a domain we neither are nor trust falls back;
 * an unreachable domain only when configured; a wrong password or an
 * account state never), the lockout counted once on the chain, the
 * arguments refused, and through a server context: the principal and the
 * audit record's account_source of each path.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

/* The one account's NT hash ("Local-1"), for a fake that verifies for real. */
static uint8_t alice_nt[16];

/* A fake store: answers `answer` and counts its calls. */
struct fake {
	const char *authority;
	ntlm_err answer;
	int calls;
	uint32_t seen_threshold; /* lockout_threshold of the last request */
};

static ntlm_err fake_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	struct fake *f = impl;
	f->calls++;
	f->seen_threshold = req->lockout_threshold;
	if (f->answer != NTLM_OK)
		return f->answer;
	/* a server context needs the real session key; a direct call does not */
	if (req->nt_response_len && ntlm_verify_response(req, alice_nt, NULL, res) != NTLM_OK)
		return NTLM_E_LOGON_FAILURE;
	res->kind = NTLM_KIND_NTLMV2;
	snprintf(res->authority, sizeof(res->authority), "%s", f->authority);
	snprintf(res->user, sizeof(res->user), "%s", req->user);
	return NTLM_OK;
}

static void fake_free(void *impl)
{
	(void)impl; /* the fakes live on the test's stack */
}

static const ntlm_account_store_ops fake_ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = fake_verify,
                                                .free = fake_free};

struct bench {
	struct fake dom, loc;
	ntlm_account_store *d, *l, *chain;
};

static int bench_init(struct bench *b, ntlm_err dom_answer, ntlm_err loc_answer, uint32_t options)
{
	memset(b, 0, sizeof(*b));
	b->dom = (struct fake){"DOMAIN", dom_answer, 0, 0};
	b->loc = (struct fake){"SERVER", loc_answer, 0, 0};
	return ntlm_account_store_new(&b->d, &fake_ops, &b->dom) == NTLM_OK &&
	       ntlm_account_store_new(&b->l, &fake_ops, &b->loc) == NTLM_OK &&
	       ntlm_account_store_chain(&b->chain, b->d, b->l, options) == NTLM_OK;
}

static void bench_free(struct bench *b)
{
	ntlm_account_store_free(b->chain);
	ntlm_account_store_free(b->d);
	ntlm_account_store_free(b->l);
}

static const uint8_t challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static ntlm_auth_request request(void)
{
	ntlm_auth_request r;
	memset(&r, 0, sizeof(r));
	r.user = "alice";
	r.domain = "ELSEWHERE";
	r.workstation = "WS";
	r.server_challenge = challenge;
	r.allowed_responses = NTLM_RESP_NTLMV2;
	r.now = 1700000000;
	return r;
}

/* One verification through a chain of two fakes: what came back, who was asked. */
struct outcome {
	ntlm_err rc;
	char authority[64];
	int dom_calls, loc_calls;
};

static struct outcome run(ntlm_err dom_answer, ntlm_err loc_answer, uint32_t options)
{
	struct outcome o = {NTLM_E_INTERNAL, "", 0, 0};
	struct bench b;
	if (bench_init(&b, dom_answer, loc_answer, options)) {
		ntlm_auth_request req = request();
		ntlm_auth_result res;
		o.rc = ntlm_account_store_verify(b.chain, &req, &res);
		snprintf(o.authority, sizeof(o.authority), "%s", res.authority);
		o.dom_calls = b.dom.calls;
		o.loc_calls = b.loc.calls;
	}
	bench_free(&b);
	return o;
}

/* The domain's answer stands; the local store is not asked. */
static void expect_no_fallback(ntlm_err dom_answer, uint32_t options)
{
	struct outcome o = run(dom_answer, NTLM_OK, options);
	T_EXPECT_ERR(o.rc, dom_answer);
	T_ASSERT(o.dom_calls == 1 && o.loc_calls == 0);
}

static void domain_success_is_the_domains(void)
{
	struct outcome o = run(NTLM_OK, NTLM_OK, NTLM_CHAIN_FALLBACK_UNREACHABLE);
	T_OK(o.rc);
	T_STR(o.authority, "DOMAIN");
	T_ASSERT(o.dom_calls == 1 && o.loc_calls == 0);
}

static void foreign_domain_falls_back_to_local(void)
{
	struct outcome o = run(NTLM_E_NO_SUCH_DOMAIN, NTLM_OK, 0);
	T_OK(o.rc);
	T_STR(o.authority, "SERVER");
	T_ASSERT(o.dom_calls == 1 && o.loc_calls == 1);
}

static void foreign_domain_without_local_account(void)
{
	struct outcome o = run(NTLM_E_NO_SUCH_DOMAIN, NTLM_E_NO_SUCH_USER, 0);
	T_EXPECT_ERR(o.rc, NTLM_E_NO_SUCH_USER);
	T_ASSERT(o.loc_calls == 1);
}

static void foreign_domain_local_wrong_password(void)
{
	struct outcome o = run(NTLM_E_NO_SUCH_DOMAIN, NTLM_E_LOGON_FAILURE, 0);
	T_EXPECT_ERR(o.rc, NTLM_E_LOGON_FAILURE);
}

/* No second guess: with or without the unreachable option. */
static void wrong_password_never_falls_back(void)
{
	expect_no_fallback(NTLM_E_LOGON_FAILURE, 0);
	expect_no_fallback(NTLM_E_LOGON_FAILURE, NTLM_CHAIN_FALLBACK_UNREACHABLE);
}

/* Our domain does not know the user: that is not a foreign domain. */
static void unknown_domain_user_never_falls_back(void)
{
	expect_no_fallback(NTLM_E_NO_SUCH_USER, NTLM_CHAIN_FALLBACK_UNREACHABLE);
}

static void account_states_never_fall_back(void)
{
	const ntlm_err states[] = {NTLM_E_ACCOUNT_DISABLED, NTLM_E_ACCOUNT_LOCKED,
	                           NTLM_E_ACCOUNT_EXPIRED,  NTLM_E_ACCOUNT_RESTRICTION,
	                           NTLM_E_PASSWORD_EXPIRED, NTLM_E_PASSWORD_MUST_CHANGE,
	                           NTLM_E_NTLMV1_REFUSED,   NTLM_E_NOLOGON_WORKSTATION_TRUST};
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		expect_no_fallback(states[i], NTLM_CHAIN_FALLBACK_UNREACHABLE);
		if (t_failed_current)
			return;
	}
}

static void unreachable_default_refuses(void)
{
	expect_no_fallback(NTLM_E_BACKEND, 0);
	expect_no_fallback(NTLM_E_NO_LOGON_SERVERS, 0);
}

static void unreachable_configured_falls_back(void)
{
	struct outcome o = run(NTLM_E_BACKEND, NTLM_OK, NTLM_CHAIN_FALLBACK_UNREACHABLE);
	T_OK(o.rc);
	T_STR(o.authority, "SERVER");
	o = run(NTLM_E_NO_LOGON_SERVERS, NTLM_OK, NTLM_CHAIN_FALLBACK_UNREACHABLE);
	T_OK(o.rc);
	T_STR(o.authority, "SERVER");
}

static void arguments_refused(void)
{
	struct bench b;
	T_ASSERT(bench_init(&b, NTLM_OK, NTLM_OK, 0));
	ntlm_account_store *c = (ntlm_account_store *)&b; /* must be reset to NULL */
	T_EXPECT_ERR(ntlm_account_store_chain(&c, NULL, b.l, 0), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(c == NULL);
	T_EXPECT_ERR(ntlm_account_store_chain(&c, b.d, NULL, 0), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_account_store_chain(&c, b.d, b.d, 0), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_account_store_chain(&c, b.d, b.l, 0x80u), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_account_store_chain(NULL, b.d, b.l, 0), NTLM_E_INVALID_PARAMETER);
	bench_free(&b);
}

/* The server's lockout policy counts on the chain, once per logon, and not in the links. */
static void lockout_counts_once_on_the_chain(void)
{
	struct bench b;
	T_ASSERT(bench_init(&b, NTLM_E_NO_SUCH_DOMAIN, NTLM_E_LOGON_FAILURE, 0));
	ntlm_auth_request req = request();
	req.lockout_threshold = 2;
	req.lockout_window = 600;
	ntlm_auth_result res;
	ntlm_err r1 = ntlm_account_store_verify(b.chain, &req, &res);
	ntlm_err r2 = ntlm_account_store_verify(b.chain, &req, &res);
	ntlm_err r3 = ntlm_account_store_verify(b.chain, &req, &res);
	int dom_calls = b.dom.calls, loc_calls = b.loc.calls;
	uint32_t seen = b.dom.seen_threshold | b.loc.seen_threshold;
	bench_free(&b);
	T_EXPECT_ERR(r1, NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(r2, NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(r3, NTLM_E_ACCOUNT_LOCKED);
	T_ASSERT(dom_calls == 2 && loc_calls == 2); /* the third was not tried */
	T_ASSERT(seen == 0);
}

/* Guessing at foreign domain names buys no extra tries: they count as failures too. */
static void lockout_counts_foreign_domains(void)
{
	struct fake dom = {"DOMAIN", NTLM_E_NO_SUCH_DOMAIN, 0, 0};
	ntlm_account_store *d = NULL;
	T_OK(ntlm_account_store_new(&d, &fake_ops, &dom));
	ntlm_auth_request req = request();
	req.lockout_threshold = 2;
	req.lockout_window = 600;
	ntlm_auth_result res;
	ntlm_err r1 = ntlm_account_store_verify(d, &req, &res);
	ntlm_err r2 = ntlm_account_store_verify(d, &req, &res);
	ntlm_err r3 = ntlm_account_store_verify(d, &req, &res);
	ntlm_account_store_free(d);
	T_EXPECT_ERR(r1, NTLM_E_NO_SUCH_DOMAIN);
	T_EXPECT_ERR(r2, NTLM_E_NO_SUCH_DOMAIN);
	T_EXPECT_ERR(r3, NTLM_E_ACCOUNT_LOCKED);
}

/* ------------------------------------------- through a server context */

static char store_path[256];

struct seen {
	int calls;
	ntlm_err result;
	char source[16], json[2048];
};

static void audit_cb(void *arg, const ntlm_audit_event *ev)
{
	struct seen *s = arg;
	s->calls++;
	s->result = ev->result;
	snprintf(s->source, sizeof(s->source), "%s", ev->account_source ? ev->account_source : "-");
	ntlm_buffer j = {NULL, 0};
	if (ntlm_audit_json(ev, &j) == NTLM_OK)
		snprintf(s->json, sizeof(s->json), "%.*s", (int)j.len, (const char *)j.data);
	ntlm_buffer_free(&j);
}

/*
 * A handshake against a chain of a fake domain and the real smbpasswd store
 * (chained 0: against the fake domain alone).
 */
static ntlm_err logon(ntlm_err dom_answer, int chained, const char *password, char *principal,
                      size_t cap, struct seen *s)
{
	struct fake dom = {"DOMAIN", dom_answer, 0, 0};
	ntlm_account_store *d = NULL, *l = NULL, *chain = NULL;
	ntlm_cred *cred = NULL;
	ntlm_ctx *c = NULL, *sv = NULL;
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT, .policy = &pol, .workstation = "WS"};
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT, .policy = &pol, .computer_name = "SERVER",
	                         .audit = audit_cb, .audit_arg = s};
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ntlm_err rc = ntlm_account_store_new(&d, &fake_ops, &dom);
	if (rc == NTLM_OK)
		rc = ntlm_account_store_smbpasswd(&l, store_path);
	if (rc == NTLM_OK)
		rc = ntlm_account_store_chain(&chain, d, l, 0);
	sc.store = chained ? chain : d;
	if (rc == NTLM_OK)
		rc = ntlm_cred_password(&cred, "ELSEWHERE", "alice", password);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&c, cred, &cc);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&sv, &sc);
	if (rc == NTLM_OK && (rc = ntlm_step(c, NULL, 0, &neg)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(sv, neg.data, neg.len, &chal)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(c, chal.data, chal.len, &auth)) == NTLM_OK)
		rc = ntlm_step(sv, auth.data, auth.len, &none);
	snprintf(principal, cap, "%s", ntlm_ctx_principal(sv));
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(c);
	ntlm_ctx_free(sv);
	ntlm_cred_free(cred);
	ntlm_account_store_free(chain);
	ntlm_account_store_free(l);
	ntlm_account_store_free(d);
	return rc;
}

static void server_reports_the_local_path(void)
{
	struct seen s = {0, NTLM_OK, "", ""};
	char who[256];
	T_OK(logon(NTLM_E_NO_SUCH_DOMAIN, 1, "Local-1", who, sizeof(who), &s));
	T_STR(who, "SERVER\\alice");
	T_STR(s.source, "local");
	T_ASSERT(strstr(s.json, "\"account_source\":\"local\"") != NULL);
}

/* A custom store says nothing about its source; the JSON then has no such field. */
static void server_custom_store_has_no_source(void)
{
	struct seen s = {0, NTLM_OK, "", ""};
	char who[256];
	T_OK(logon(NTLM_OK, 1, "Local-1", who, sizeof(who), &s));
	T_STR(who, "DOMAIN\\alice");
	T_STR(s.source, "-");
	T_ASSERT(strstr(s.json, "account_source") == NULL);
}

/* The client cannot tell a foreign domain from a wrong password; the audit can. */
static void server_hides_no_such_domain(void)
{
	struct seen s = {0, NTLM_OK, "", ""};
	char who[256];
	T_EXPECT_ERR(logon(NTLM_E_NO_SUCH_DOMAIN, 0, "Local-1", who, sizeof(who), &s),
	             NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(s.result, NTLM_E_NO_SUCH_DOMAIN);
	T_STR(s.source, "-");
	/* after the fallback, the local store's wrong password */
	T_EXPECT_ERR(logon(NTLM_E_NO_SUCH_DOMAIN, 1, "Wrong-1", who, sizeof(who), &s),
	             NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(s.result, NTLM_E_LOGON_FAILURE);
}

int main(void)
{
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-chain-%d.smbpasswd", (int)getpid());
	unlink(store_path);
	T_SETUP(ntlm_nt_hash("Local-1", alice_nt));
	if (smbpw_modify(store_path, SMBPW_ADD, "alice", alice_nt, NULL, 0) != NTLM_OK) {
		fprintf(stderr, "cannot create %s\n", store_path);
		return 1;
	}
	T_RUN(domain_success_is_the_domains);
	T_RUN(foreign_domain_falls_back_to_local);
	T_RUN(foreign_domain_without_local_account);
	T_RUN(foreign_domain_local_wrong_password);
	T_RUN(wrong_password_never_falls_back);
	T_RUN(unknown_domain_user_never_falls_back);
	T_RUN(account_states_never_fall_back);
	T_RUN(unreachable_default_refuses);
	T_RUN(unreachable_configured_falls_back);
	T_RUN(arguments_refused);
	T_RUN(lockout_counts_once_on_the_chain);
	T_RUN(lockout_counts_foreign_domains);
	T_RUN(server_reports_the_local_path);
	T_RUN(server_custom_store_has_no_source);
	T_RUN(server_hides_no_such_domain);
	unlink(store_path);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}
