/*
 * test_domain.c - our server against a real Active Directory domain
 * controller (Samba, provisioned by tests/suites/46-domain.sh): a client
 * context against a server context whose store is the winbind store, or the
 * chained store (the domain first, a local smbpasswd file for foreign
 * domains), with the DC's winbindd reached through nss_wrapper.
 *
 * The suite passes the domain in the environment:
 *   DC_DOMAIN, DC_DNS_DOMAIN   the domain's NetBIOS and DNS names
 *   DC_USER_SID, DC_GROUP_SID  alice's SID and her group ntlmgrp's
 *   DC_LOCAL_FILE              the local smbpasswd file (alice, zed)
 *   DC_LOCKOUT_THRESHOLD       the DC's account lockout threshold
 *   DC_UNIX_USER               (optional) alice's Unix account through winbind's NSS
 * Accounts (tests/domain/users.py): alice bob dave eve fred gina lock; their
 * password is the name capitalised with "-Pass#1" appended.
 *
 * Usage: test_domain up        the DC running
 *        test_domain down      the DC stopped
 *        test_domain bench N   N logons of alice through the winbind store,
 *                              then N through a local store: the timings
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntlmssp/ntlmssp.h"
#include "t.h"

#define SERVER_NAME "DOMSRV"
#define FOREIGN     "OTHERDOM" /* a domain the DC neither is nor trusts */
#define LOCAL_ALICE "Local-Alice#1"
#define LOCAL_ZED   "Zed-Pass#1"

static const char *env_or_die(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		fprintf(stderr, "test_domain: $%s is not set (run tests/suites/46-domain.sh)\n", name);
		exit(2);
	}
	return v;
}

/* A domain account's password: "alice" -> "Alice-Pass#1" (tests/domain/users.py). */
static const char *domain_password(const char *user)
{
	static char pw[64];
	snprintf(pw, sizeof(pw), "%c%s-Pass#1", user[0] - 'a' + 'A', user + 1);
	return pw;
}

/* What the server's audit callback saw last. */
typedef struct audit_seen {
	int n;
	ntlm_err result;
	char source[16];
	char json[2048];
} audit_seen;

static void audit_cb(void *arg, const ntlm_audit_event *ev)
{
	audit_seen *a = arg;
	a->n++;
	a->result = ev->result;
	snprintf(a->source, sizeof(a->source), "%s", ev->account_source ? ev->account_source : "");
	ntlm_buffer j = {0};
	a->json[0] = '\0';
	if (ntlm_audit_json(ev, &j) == NTLM_OK)
		snprintf(a->json, sizeof(a->json), "%.*s", (int)j.len, (const char *)j.data);
	ntlm_buffer_free(&j);
}

/* Both ends of one handshake and what became of it. */
typedef struct pair {
	ntlm_cred *cred;
	ntlm_ctx *client, *server;
	ntlm_err server_rc;
	audit_seen audit;
} pair;

static void pair_free(pair *p)
{
	ntlm_ctx_free(p->client);
	ntlm_ctx_free(p->server);
	ntlm_cred_free(p->cred);
	memset(p, 0, sizeof(*p));
}

/* The three messages; the server's verdict lands in p->server_rc (and is returned). */
static ntlm_err handshake(ntlm_account_store *store, const char *domain, const char *user,
                          const char *password, pair *p)
{
	memset(p, 0, sizeof(*p));
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT, .policy = &pol, .workstation = "DOMCLIENT"};
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT,
	                         .policy = &pol,
	                         .computer_name = SERVER_NAME,
	                         .domain_name = getenv("DC_DOMAIN"),
	                         .store = store,
	                         .audit = audit_cb,
	                         .audit_arg = &p->audit};
	ntlm_err rc = ntlm_cred_password(&p->cred, domain, user, password);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&p->client, p->cred, &cc);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&p->server, &sc);
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	if (rc == NTLM_OK)
		rc = ntlm_step(p->client, NULL, 0, &neg);
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(p->server, neg.data, neg.len, &chal);
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(p->client, chal.data, chal.len, &auth);
	if (rc == NTLM_OK)
		rc = p->server_rc = ntlm_step(p->server, auth.data, auth.len, &none);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	return rc;
}

static int keys_agree(pair *p)
{
	uint8_t kc[16], ks[16];
	return ntlm_ctx_session_key(p->client, kc) == NTLM_OK &&
	       ntlm_ctx_session_key(p->server, ks) == NTLM_OK && memcmp(kc, ks, 16) == 0;
}

/* Is word one of the space-separated words of list? */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The stores every test uses: made once by main(). */
static ntlm_account_store *winbind, *local, *chain, *chain_fallback;

static char principal_buf[256];
static const char *principal(const char *authority, const char *user)
{
	snprintf(principal_buf, sizeof(principal_buf), "%s\\%s", authority, user);
	return principal_buf;
}

/* ------------------------------------------------------------ the DC up */

/* alice logs on: the domain names her, the DC's SIDs reach the context. */
static void domain_user_logs_on_with_groups(void)
{
	pair p;
	ntlm_err rc = handshake(winbind, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"),
	                        &p);
	if (rc != NTLM_OK) {
		pair_free(&p);
		T_FAIL("handshake: %s", ntlm_err_name(rc));
	}
	int keys = keys_agree(&p);
	char principal_got[256], sid[128], groups[2048], unix_user[128];
	snprintf(principal_got, sizeof(principal_got), "%s", ntlm_ctx_principal(p.server));
	snprintf(unix_user, sizeof(unix_user), "%s", ntlm_ctx_unix_user(p.server));
	snprintf(sid, sizeof(sid), "%s", ntlm_ctx_sid(p.server));
	snprintf(groups, sizeof(groups), "%s", ntlm_ctx_group_sids(p.server));
	audit_seen a = p.audit;
	pair_free(&p);
	printf("    principal %s unix user %s sid %s\n    groups %s\n", principal_got, unix_user, sid,
	       groups);
	T_STR(principal_got, principal(env_or_die("DC_DOMAIN"), "alice"));
	T_ASSERT(keys);
	T_STR(sid, env_or_die("DC_USER_SID"));
	T_ASSERT(has_word(groups, env_or_die("DC_GROUP_SID")));
	T_STR(a.source, "domain");
	T_ASSERT(strstr(a.json, "\"account_source\":\"domain\"") != NULL);
	/* with winbind's NSS (the suite's nss_wrapper set-up): the account idmap gives her */
	if (getenv("DC_UNIX_USER"))
		T_STR(unix_user, getenv("DC_UNIX_USER"));
}

/* An exported server context (gss_export_sec_context) keeps the DC's SIDs. */
static void domain_sids_survive_export(void)
{
	pair p;
	ntlm_buffer tok = {0};
	ntlm_ctx *moved = NULL;
	ntlm_err rc = handshake(winbind, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"),
	                        &p);
	if (rc == NTLM_OK)
		rc = ntlm_ctx_export(p.server, &tok);
	if (rc == NTLM_OK)
		rc = ntlm_ctx_import(&moved, tok.data, tok.len);
	char sid[128] = "", groups[2048] = "", want[2048] = "";
	if (rc == NTLM_OK) {
		snprintf(sid, sizeof(sid), "%s", ntlm_ctx_sid(moved));
		snprintf(groups, sizeof(groups), "%s", ntlm_ctx_group_sids(moved));
		snprintf(want, sizeof(want), "%s", ntlm_ctx_group_sids(p.server));
	}
	ntlm_ctx_free(moved);
	ntlm_buffer_free(&tok);
	pair_free(&p);
	T_OK(rc);
	T_STR(sid, env_or_die("DC_USER_SID"));
	T_STR(groups, want);
	T_ASSERT(has_word(groups, env_or_die("DC_GROUP_SID")));
}

/* The client learns only "logon failure"; the audit keeps the DC's reason. */
static void expect_refusal(ntlm_account_store *store, const char *domain, const char *user,
                           const char *password, ntlm_err audited)
{
	pair p;
	ntlm_err rc = handshake(store, domain, user, password, &p);
	audit_seen a = p.audit;
	pair_free(&p);
	printf("    %s\\%s: server %s, audit %s\n", domain, user, ntlm_err_name(rc),
	       ntlm_err_name(a.result));
	ntlm_err shown = audited == NTLM_E_NO_SUCH_USER || audited == NTLM_E_NO_SUCH_DOMAIN
	                     ? NTLM_E_LOGON_FAILURE
	                     : audited;
	T_EXPECT_ERR(rc, shown);
	T_ASSERT(a.n == 1);
	T_EXPECT_ERR(a.result, audited);
	T_STR(a.source, "");
}

static void domain_wrong_password(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "bob", "Not-Bobs#9", NTLM_E_LOGON_FAILURE);
}

static void domain_disabled_account(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "dave", domain_password("dave"),
	               NTLM_E_ACCOUNT_DISABLED);
}

static void domain_password_must_change(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "eve", domain_password("eve"),
	               NTLM_E_PASSWORD_MUST_CHANGE);
}

static void domain_account_expired(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "fred", domain_password("fred"),
	               NTLM_E_ACCOUNT_EXPIRED);
}

static void domain_password_expired(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "gina", domain_password("gina"),
	               NTLM_E_PASSWORD_EXPIRED);
}

/* The DC's threshold of wrong passwords, then the right one: the DC's lockout. */
static void domain_lockout_after_threshold(void)
{
	int n = atoi(env_or_die("DC_LOCKOUT_THRESHOLD"));
	for (int i = 0; i < n; i++) {
		expect_refusal(winbind, env_or_die("DC_DOMAIN"), "lock", "Wrong-Pass#0",
		               NTLM_E_LOGON_FAILURE);
		if (t_failed_current)
			return;
	}
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "lock", domain_password("lock"),
	               NTLM_E_ACCOUNT_LOCKED);
}

/* The domain's own names from winbind, for the CHALLENGE's TargetInfo. */
static void domain_names_from_winbind(void)
{
	char nb[64], dns[256];
	T_OK(ntlm_winbind_domain_names(nb, sizeof(nb), dns, sizeof(dns)));
	printf("    netbios %s dns %s\n", nb, dns);
	T_STR(nb, env_or_die("DC_DOMAIN"));
	T_STR(dns, env_or_die("DC_DNS_DOMAIN"));
	char tiny[4];
	T_EXPECT_ERR(ntlm_winbind_domain_names(tiny, sizeof(tiny), dns, sizeof(dns)),
	             NTLM_E_BUFFER_TOO_SMALL);
}

/* A logon that must succeed through store: who vouched, and which kind of store. */
static void expect_logon(ntlm_account_store *store, const char *domain, const char *user,
                         const char *password, const char *want_principal, const char *want_source)
{
	pair p;
	ntlm_err rc = handshake(store, domain, user, password, &p);
	char got[256];
	snprintf(got, sizeof(got), "%s", ntlm_ctx_principal(p.server));
	int keys = rc == NTLM_OK && keys_agree(&p);
	int no_sid = rc == NTLM_OK && !*ntlm_ctx_sid(p.server);
	audit_seen a = p.audit;
	pair_free(&p);
	printf("    %s\\%s: %s %s (%s)\n", domain, user, ntlm_err_name(rc), got, a.source);
	T_OK(rc);
	T_STR(got, want_principal);
	T_ASSERT(keys);
	T_STR(a.source, want_source);
	char field[64];
	snprintf(field, sizeof(field), "\"account_source\":\"%s\"", want_source);
	T_ASSERT(strstr(a.json, field) != NULL);
	if (strcmp(want_source, "local") == 0)
		T_ASSERT(no_sid); /* a local account has no domain SID */
}

/* The seed's rule: a foreign domain's client with a matching local account is that account. */
static void chain_foreign_domain_local_account(void)
{
	expect_logon(chain, FOREIGN, "zed", LOCAL_ZED, SERVER_NAME "\\zed", "local");
}

/* A domain user's name, from a foreign domain: the local alice, not the domain's. */
static void chain_foreign_domain_same_name_as_domain_user(void)
{
	expect_logon(chain, FOREIGN, "alice", LOCAL_ALICE, SERVER_NAME "\\alice", "local");
}

static void chain_foreign_domain_without_local_account(void)
{
	expect_refusal(chain, FOREIGN, "nobody", "Nobodys-Pass#1", NTLM_E_NO_SUCH_USER);
}

/* The local alice's password for the domain's alice: the domain's "wrong" stands. */
static void chain_domain_wrong_password_never_falls_back(void)
{
	expect_refusal(chain, env_or_die("DC_DOMAIN"), "alice", LOCAL_ALICE, NTLM_E_LOGON_FAILURE);
}

/* Our domain does not know zed, the server does: naming our domain, zed is nobody. */
static void chain_unknown_in_our_domain_never_falls_back(void)
{
	expect_refusal(chain_fallback, env_or_die("DC_DOMAIN"), "zed", LOCAL_ZED, NTLM_E_NO_SUCH_USER);
}

/* Even with fallback for an unreachable DC, a reachable one's "wrong" stands. */
static void chain_fallback_option_keeps_wrong_password(void)
{
	expect_refusal(chain_fallback, env_or_die("DC_DOMAIN"), "alice", LOCAL_ALICE,
	               NTLM_E_LOGON_FAILURE);
}

/* A disabled domain account is not rescued by a local one either. */
static void chain_domain_disabled_never_falls_back(void)
{
	expect_refusal(chain, env_or_die("DC_DOMAIN"), "dave", domain_password("dave"),
	               NTLM_E_ACCOUNT_DISABLED);
}

static void chain_domain_user_logs_on(void)
{
	expect_logon(chain, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"),
	             principal(env_or_die("DC_DOMAIN"), "alice"), "domain");
}

/* ------------------------------------------------------- the DC stopped */

static void down_winbind_is_backend(void)
{
	expect_refusal(winbind, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"),
	               NTLM_E_BACKEND);
}

/* Default: an unreachable domain is not a foreign one; nothing falls back. */
static void down_chain_default_refuses(void)
{
	expect_refusal(chain, env_or_die("DC_DOMAIN"), "alice", LOCAL_ALICE, NTLM_E_BACKEND);
	expect_refusal(chain, FOREIGN, "zed", LOCAL_ZED, NTLM_E_BACKEND);
}

/* Configured fallback: the local account answers while the domain cannot. */
static void down_chain_configured_fallback(void)
{
	expect_logon(chain_fallback, env_or_die("DC_DOMAIN"), "alice", LOCAL_ALICE,
	             SERVER_NAME "\\alice", "local");
	expect_refusal(chain_fallback, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"),
	               NTLM_E_LOGON_FAILURE);
}

/* ------------------------------------------------------------ throughput */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* n handshakes of domain\user through store; the seconds they took, or -1. */
static double time_logons(ntlm_account_store *store, const char *domain, const char *user,
                          const char *password, int n)
{
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		pair p;
		ntlm_err rc = handshake(store, domain, user, password, &p);
		pair_free(&p);
		if (rc != NTLM_OK) {
			fprintf(stderr, "logon %d: %s\n", i, ntlm_err_name(rc));
			return -1;
		}
	}
	return now_s() - t0;
}

static int bench(int n)
{
	double dc = time_logons(winbind, env_or_die("DC_DOMAIN"), "alice", domain_password("alice"), n);
	double own = time_logons(local, SERVER_NAME, "zed", LOCAL_ZED, n);
	if (dc < 0 || own < 0)
		return 1;
	printf("domain logons: %d in %.2f s = %.0f/s (%.0f us each)\n", n, dc, n / dc, dc * 1e6 / n);
	printf("local logons:  %d in %.2f s = %.0f/s (%.0f us each)\n", n, own, n / own, own * 1e6 / n);
	printf("the DC's share per logon: %.0f us\n", (dc - own) * 1e6 / n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	T_SETUP(ntlm_account_store_winbind(&winbind, NULL));
	T_SETUP(ntlm_account_store_smbpasswd(&local, env_or_die("DC_LOCAL_FILE")));
	T_SETUP(ntlm_account_store_chain(&chain, winbind, local, 0));
	T_SETUP(
		ntlm_account_store_chain(&chain_fallback, winbind, local, NTLM_CHAIN_FALLBACK_UNREACHABLE));
	int rc = 2;
	if (strcmp(mode, "up") == 0) {
		T_RUN(domain_user_logs_on_with_groups);
		T_RUN(domain_wrong_password);
		T_RUN(domain_disabled_account);
		T_RUN(domain_password_must_change);
		T_RUN(domain_account_expired);
		T_RUN(domain_password_expired);
		T_RUN(domain_lockout_after_threshold);
		T_RUN(domain_names_from_winbind);
		T_RUN(domain_sids_survive_export);
		T_RUN(chain_foreign_domain_local_account);
		T_RUN(chain_foreign_domain_same_name_as_domain_user);
		T_RUN(chain_foreign_domain_without_local_account);
		T_RUN(chain_domain_wrong_password_never_falls_back);
		T_RUN(chain_fallback_option_keeps_wrong_password);
		T_RUN(chain_unknown_in_our_domain_never_falls_back);
		T_RUN(chain_domain_disabled_never_falls_back);
		T_RUN(chain_domain_user_logs_on);
		rc = t_failed ? 1 : 0;
		printf("%d passed, %d failed\n", t_passed, t_failed);
	} else if (strcmp(mode, "down") == 0) {
		T_RUN(down_winbind_is_backend);
		T_RUN(down_chain_default_refuses);
		T_RUN(down_chain_configured_fallback);
		rc = t_failed ? 1 : 0;
		printf("%d passed, %d failed\n", t_passed, t_failed);
	} else if (strcmp(mode, "bench") == 0 && argc > 2) {
		rc = bench(atoi(argv[2]));
	} else {
		fprintf(stderr, "usage: test_domain up|down|bench N\n");
	}
	ntlm_account_store_free(chain_fallback);
	ntlm_account_store_free(chain);
	ntlm_account_store_free(local);
	ntlm_account_store_free(winbind);
	return rc;
}
