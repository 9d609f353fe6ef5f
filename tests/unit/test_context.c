/*
 * test_context.c - client and server contexts end to end in one process:
 * every authentication kind the policy can allow, and a negative test for
 * every check the server makes (bad password, unknown user, disabled
 * account, NTLMv1 refused, tampered/missing MIC, channel bindings, target
 * name, stale timestamp, truncated messages, wrong order, replay on a
 * finished context).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "context.h"
#include "ntlm_keys.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "v2temp.h"
#include "filetime.h"
#include "mem.h"
#include "try.h"
#include "verify.h"
#include "wire.h"

static char store_path[256];

static void make_store(void)
{
	if (store_path[0])
		return;
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-ctx-%d.smbpasswd", (int)getpid());
	unlink(store_path);
	uint8_t nt[16], lm[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	T_SETUP(smbpw_modify(store_path, SMBPW_ADD, "alice", nt, NULL, 0));
	T_SETUP(ntlm_nt_hash("Bob-pass", nt));
	T_SETUP(smbpw_modify(store_path, SMBPW_ADD, "bob", nt, NULL, 0));
	T_SETUP(smbpw_modify(store_path, SMBPW_DISABLE, "bob", NULL, NULL, 0));
	T_SETUP(ntlm_nt_hash("SHORTPW", nt));
	T_SETUP(ntlm_lm_hash("SHORTPW", lm));
	T_SETUP(smbpw_modify(store_path, SMBPW_ADD, "carol", nt, lm, 0));
	/* Samba's locked ([L]) and trust accounts ([I] [W] [S]), all with password "Flag-pw1" */
	static const struct {
		const char *name;
		uint32_t acb;
	} flagged[] = {{"locked", SMBPW_ACB_NORMAL | SMBPW_ACB_AUTOLOCK},
	               {"trust-dom", SMBPW_ACB_DOMTRUST},
	               {"wks$", SMBPW_ACB_WSTRUST},
	               {"srv$", SMBPW_ACB_SVRTRUST}};
	FILE *f = fopen(store_path, "a");
	for (size_t i = 0; f && i < NTLM_ARRAY_LEN(flagged); i++) {
		smbpw_entry e;
		char line[SMBPW_LINE_MAX];
		memset(&e, 0, sizeof(e));
		snprintf(e.name, sizeof(e.name), "%s", flagged[i].name);
		e.has_nt = 1;
		T_SETUP(ntlm_nt_hash("Flag-pw1", e.nt));
		e.acb = flagged[i].acb;
		if (smbpw_format_line(&e, line, sizeof(line)) == NTLM_OK)
			fputs(line, f);
	}
	if (f)
		fclose(f);
}

/* Controllable clocks: the server's and the client's. */
static int64_t server_time = 1700000000, client_time = 1700000000;
static int64_t server_now(void *arg)
{
	return *(int64_t *)arg;
}

struct pair {
	ntlm_cred *cred;
	ntlm_account_store *store;
	ntlm_client_config ccfg;
	ntlm_server_config scfg;
	ntlm_policy cpol, spol;
	ntlm_hooks shooks, chooks;
	ntlm_ctx *client, *server;
	ntlm_buffer neg, chal, auth;
	ntlm_err client_rc, server_rc;
};

static void pair_init(struct pair *p, const char *user, const char *password)
{
	make_store();
	memset(p, 0, sizeof(*p));
	if (user)
		T_SETUP(ntlm_cred_password(&p->cred, "WORKGROUP", user, password));
	else
		T_SETUP(ntlm_cred_anonymous(&p->cred));
	T_SETUP(ntlm_account_store_smbpasswd(&p->store, store_path));
	ntlm_policy_init(&p->cpol);
	ntlm_policy_init(&p->spol);
	p->shooks.struct_size = sizeof(p->shooks);
	p->shooks.now = server_now;
	p->shooks.arg = &server_time;
	p->chooks.struct_size = sizeof(p->chooks);
	p->chooks.now = server_now;
	p->chooks.arg = &client_time;
	p->ccfg.struct_size = sizeof(p->ccfg);
	p->ccfg.policy = &p->cpol;
	p->ccfg.workstation = "CLIENTPC";
	p->ccfg.hooks = &p->chooks;
	p->scfg.struct_size = sizeof(p->scfg);
	p->scfg.policy = &p->spol;
	p->scfg.store = p->store;
	p->scfg.computer_name = "SERVER";
	p->scfg.hooks = &p->shooks;
}

/* NEGOTIATE and CHALLENGE; AUTHENTICATE is built but not yet delivered. */
static ntlm_err pair_first_legs(struct pair *p)
{
	ntlm_err rc = ntlm_client_new(&p->client, p->cred, &p->ccfg);
	if (rc != NTLM_OK)
		return rc;
	NTLM_TRY(ntlm_server_new(&p->server, &p->scfg));
	if (p->ccfg.datagram) {
		rc = ntlm_step(p->server, NULL, 0, &p->chal);
	} else {
		rc = ntlm_step(p->client, NULL, 0, &p->neg);
		if (rc != NTLM_CONTINUE)
			return rc;
		rc = ntlm_step(p->server, p->neg.data, p->neg.len, &p->chal);
	}
	if (rc != NTLM_CONTINUE)
		return rc;
	p->client_rc = ntlm_step(p->client, p->chal.data, p->chal.len, &p->auth);
	return p->client_rc;
}

static ntlm_err pair_run(struct pair *p)
{
	ntlm_err rc = pair_first_legs(p);
	if (rc != NTLM_OK)
		return rc;
	ntlm_buffer none = {0};
	p->server_rc = ntlm_step(p->server, p->auth.data, p->auth.len, &none);
	ntlm_buffer_free(&none);
	return p->server_rc;
}

static void pair_free(struct pair *p)
{
	ntlm_ctx_free(p->client);
	ntlm_ctx_free(p->server);
	ntlm_cred_free(p->cred);
	ntlm_account_store_free(p->store);
	ntlm_buffer_free(&p->neg);
	ntlm_buffer_free(&p->chal);
	ntlm_buffer_free(&p->auth);
}

/* Both sides agree on the key and can seal to each other. */
static int pair_talks(struct pair *p)
{
	uint8_t kc[16], ks[16], msg[16] = "hello, server!!", sig[16];
	if (ntlm_ctx_session_key(p->client, kc) || ntlm_ctx_session_key(p->server, ks) ||
	    memcmp(kc, ks, 16))
		return 0;
	if (ntlm_protect(p->client, NTLM_PROTECT_SEAL, 0, msg, 16, sig) ||
	    ntlm_unprotect(p->server, NTLM_PROTECT_SEAL, 0, msg, 16, sig))
		return 0;
	if (ntlm_protect(p->server, NTLM_PROTECT_SEAL, 0, msg, 16, sig) ||
	    ntlm_unprotect(p->client, NTLM_PROTECT_SEAL, 0, msg, 16, sig))
		return 0;
	return memcmp(msg, "hello, server!!", 16) == 0;
}

static void test_ntlmv2_default(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_OK(pair_run(&p));
	T_STR(ntlm_ctx_principal(p.server), "SERVER\\alice");
	T_STR(ntlm_ctx_peer_user(p.server), "alice");
	T_STR(ntlm_ctx_peer_domain(p.server), "WORKGROUP");
	T_STR(ntlm_ctx_peer_workstation(p.server), "CLIENTPC");
	T_ASSERT(ntlm_ctx_response_kind(p.server) == NTLM_KIND_NTLMV2);
	T_ASSERT(ntlm_ctx_mic_verified(p.server));
	uint32_t f = ntlm_ctx_flags(p.server);
	T_ASSERT(f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	T_ASSERT(f & NTLMSSP_NEGOTIATE_KEY_EXCH);
	T_ASSERT(f & NTLMSSP_NEGOTIATE_128);
	T_ASSERT(f & NTLMSSP_NEGOTIATE_UNICODE);
	T_ASSERT(ntlm_ctx_flags(p.client) == f);
	T_ASSERT(ntlm_ctx_established(p.client) && ntlm_ctx_established(p.server));
	T_ASSERT(!ntlm_ctx_is_anonymous(p.server));
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_user_name_case_and_nthash_cred(void)
{
	struct pair p;
	pair_init(&p, "ALICE", "Secret-1");
	ntlm_cred_free(p.cred);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	T_OK(ntlm_cred_nthash(&p.cred, "other-domain", "ALICE", nt));
	T_OK(pair_run(&p));
	T_STR(ntlm_ctx_principal(p.server), "SERVER\\alice"); /* canonical name from the store */
	pair_free(&p);
}

static void test_bad_password(void)
{
	struct pair p;
	pair_init(&p, "alice", "wrong");
	T_EXPECT_ERR(pair_run(&p), NTLM_E_LOGON_FAILURE);
	T_STR(ntlm_ctx_refusal_rule(p.server), ""); /* not a policy refusal */
	T_ASSERT(!ntlm_ctx_established(p.server));
	ntlm_buffer none = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_FAILED_CONTEXT);
	uint8_t k[16];
	T_EXPECT_ERR(ntlm_ctx_session_key(p.server, k), NTLM_E_WRONG_STATE);
	pair_free(&p);
}

static void test_unknown_user(void)
{
	struct pair p;
	pair_init(&p, "mallory", "Secret-1");
	/* as for a wrong password: the status does not tell which accounts exist */
	T_EXPECT_ERR(pair_run(&p), NTLM_E_LOGON_FAILURE);
	T_STR(ntlm_ctx_refusal_rule(p.server), "");
	pair_free(&p);
}

static void test_disabled_account(void)
{
	struct pair p;
	pair_init(&p, "bob", "Bob-pass");
	T_EXPECT_ERR(pair_run(&p), NTLM_E_ACCOUNT_DISABLED);
	pair_free(&p);
}

static void use_ntlmv1(struct pair *p, int ess)
{
	p->cpol.allowed_responses = NTLM_RESP_NTLMV1;
	p->cpol.min_security = 0;
	if (!ess) {
		p->ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET |
		                NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM |
		                NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_128 |
		                NTLMSSP_NEGOTIATE_KEY_EXCH;
	}
}

static void test_ntlmv1_refused_by_default(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	use_ntlmv1(&p, 1);
	T_EXPECT_ERR(pair_run(&p), NTLM_E_NTLMV1_REFUSED);
	T_STR(ntlm_ctx_refusal_rule(p.server), "allowed_responses");
	pair_free(&p);
}

static void test_ntlmv1_ess_when_allowed(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	use_ntlmv1(&p, 1);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_response_kind(p.server) == NTLM_KIND_NTLMV1_ESS);
	T_ASSERT(!ntlm_ctx_mic_verified(p.server));
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_ntlmv1_plain_and_lm_key(void)
{
	struct pair p;
	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	/* signing without ESS is refused by the default minimum security */
	T_EXPECT_ERR(pair_run(&p), NTLM_E_FLAGS_POLICY);
	T_STR(ntlm_ctx_refusal_rule(p.server), "min_security: ess");
	pair_free(&p);

	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	p.spol.min_security = NTLM_SEC_128BIT;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_response_kind(p.server) == NTLM_KIND_NTLMV1);
	T_ASSERT(pair_talks(&p));
	pair_free(&p);

	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.ccfg.flags |= NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_56;
	p.ccfg.flags &= ~(NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH);
	p.cpol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_LM;
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_LM;
	p.spol.min_security = 0;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_LM_KEY);
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_min_security_enforced(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	               NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	               NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH;
	p.cpol.min_security = 0;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_FLAGS_POLICY); /* server requires 128-bit */
	T_STR(ntlm_ctx_refusal_rule(p.server), "min_security: 128bit");
	pair_free(&p);
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	               NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	               NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH;
	p.cpol.min_security = 0;
	p.spol.min_security = 0;
	T_OK(pair_run(&p));
	T_ASSERT(!(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_128));
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static int audit_events;
static ntlm_err audit_last;
static char audit_rule[64];
static void count_audit(void *arg, const ntlm_audit_event *ev)
{
	(void)arg;
	audit_events++;
	audit_last = ev->result;
	snprintf(audit_rule, sizeof(audit_rule), "%s", ev->rule ? ev->rule : "");
}

/* A refusal at the NEGOTIATE step is audited too, exactly once. */
static void test_negotiate_refusal_is_audited(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_NTLM |
	               NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_56;
	p.cpol.min_security = 0;
	p.scfg.audit = count_audit;
	audit_events = 0;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_FLAGS_POLICY);
	T_ASSERT(audit_events == 1 && audit_last == NTLM_E_FLAGS_POLICY);
	T_STR(audit_rule, "min_security: 128bit");
	ntlm_buffer out = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.neg.data, p.neg.len, &out), NTLM_E_FAILED_CONTEXT);
	T_ASSERT(audit_events == 1);
	pair_free(&p);
}

/* ------------------------------------------- account flags and lockout (issue 10) */

static ntlm_err logon(ntlm_account_store *store, const char *user, const char *domain,
                      const char *password, uint32_t lockout_threshold)
{
	struct pair p;
	pair_init(&p, user, password);
	ntlm_cred_free(p.cred);
	p.cred = NULL;
	T_SETUP(ntlm_cred_password(&p.cred, domain, user, password));
	p.spol.lockout_threshold = lockout_threshold;
	p.spol.lockout_window = 600;
	if (store)
		p.scfg.store = store;
	p.scfg.audit = count_audit;
	ntlm_err rc = pair_run(&p);
	pair_free(&p);
	return rc;
}

/* [L] and the trust accounts through a whole handshake, with Samba's statuses. */
static void test_account_flags_refused(void)
{
	static const struct {
		const char *user;
		ntlm_err right, wrong; /* with the right password, with a wrong one */
		uint32_t ntstatus;
	} cases[] = {
		{"locked", NTLM_E_ACCOUNT_LOCKED, NTLM_E_ACCOUNT_LOCKED, 0xC0000234u},
		{"trust-dom", NTLM_E_NOLOGON_INTERDOMAIN_TRUST, NTLM_E_LOGON_FAILURE, 0xC0000198u},
		{"wks$", NTLM_E_NOLOGON_WORKSTATION_TRUST, NTLM_E_LOGON_FAILURE, 0xC0000199u},
		{"srv$", NTLM_E_NOLOGON_SERVER_TRUST, NTLM_E_LOGON_FAILURE, 0xC000019Au},
	};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cases); i++) {
		audit_last = NTLM_OK;
		T_EXPECT_ERR(logon(NULL, cases[i].user, "WORKGROUP", "Flag-pw1", 0), cases[i].right);
		T_ASSERT(audit_last == cases[i].right); /* the audit record keeps the reason */
		T_ASSERT(ntlm_err_ntstatus(cases[i].right) == cases[i].ntstatus);
		/* a trust account's state is told only to who knows its password */
		T_EXPECT_ERR(logon(NULL, cases[i].user, "WORKGROUP", "wrong", 0), cases[i].wrong);
	}
	/* negative: the same password on a normal account logs on */
	T_OK(logon(NULL, "alice", "WORKGROUP", "Secret-1", 0));
}

static void test_lockout(void)
{
	ntlm_account_store *store = NULL;
	make_store();
	T_OK(ntlm_account_store_smbpasswd(&store, store_path));
	int64_t saved = server_time;
	/* three wrong passwords, the domain and the case spelled differently each time */
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-1", 3), NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(logon(store, "alice", "OTHER", "guess-2", 3), NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(logon(store, "ALICE", "", "guess-3", 3), NTLM_E_LOGON_FAILURE);
	/* locked out: even the right password is refused, and audited as such */
	audit_last = NTLM_OK;
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "Secret-1", 3), NTLM_E_ACCOUNT_LOCKED);
	T_ASSERT(audit_last == NTLM_E_ACCOUNT_LOCKED);
	/* another account is not affected */
	T_OK(logon(store, "carol", "WORKGROUP", "SHORTPW", 3));
	/* the lock ends after the window */
	server_time += 601;
	client_time = server_time;
	T_OK(logon(store, "alice", "WORKGROUP", "Secret-1", 3));
	/* failures older than the window are forgotten; a success clears the count */
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-4", 3), NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-5", 3), NTLM_E_LOGON_FAILURE);
	server_time += 601;
	client_time = server_time;
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-6", 3), NTLM_E_LOGON_FAILURE);
	T_OK(logon(store, "alice", "WORKGROUP", "Secret-1", 3));
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-7", 3), NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(logon(store, "alice", "WORKGROUP", "guess-8", 3), NTLM_E_LOGON_FAILURE);
	T_OK(logon(store, "alice", "WORKGROUP", "Secret-1", 3));
	/* an unknown name locks out like a known one: the lockout tells no account exists */
	for (int i = 0; i < 3; i++) {
		ntlm_err rc = logon(store, "mallory", "WORKGROUP", "guess", 3);
		T_ASSERT(rc == NTLM_E_NO_SUCH_USER || rc == NTLM_E_LOGON_FAILURE);
	}
	T_EXPECT_ERR(logon(store, "mallory", "WORKGROUP", "guess", 3), NTLM_E_ACCOUNT_LOCKED);
	/* negative: off by default, any number of failures */
	for (int i = 0; i < 5; i++)
		T_EXPECT_ERR(logon(store, "carol", "WORKGROUP", "guess", 0), NTLM_E_LOGON_FAILURE);
	T_OK(logon(store, "carol", "WORKGROUP", "SHORTPW", 0));
	server_time = client_time = saved;
	ntlm_account_store_free(store);
}

static void test_anonymous(void)
{
	struct pair p;
	pair_init(&p, NULL, NULL);
	p.cpol.min_security = 0;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_ANONYMOUS_REFUSED);
	pair_free(&p);
	pair_init(&p, NULL, NULL);
	p.cpol.min_security = 0;
	p.spol.allow_anonymous = 1;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_is_anonymous(p.server));
	T_STR(ntlm_ctx_principal(p.server), "NT AUTHORITY\\ANONYMOUS LOGON");
	uint8_t k[16];
	T_EXPECT_ERR(ntlm_ctx_session_key(p.server, k), NTLM_E_NO_SESSION_KEY);
	T_EXPECT_ERR(ntlm_protect(p.server, NTLM_PROTECT_SIGN, 0, k, 16, k), NTLM_E_NO_SESSION_KEY);
	pair_free(&p);
}

static void test_tampered_mic(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_EXPECT_ERR(pair_first_legs(&p), NTLM_OK);
	p.auth.data[72] ^= 0x01; /* the MIC field */
	ntlm_buffer none = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_MIC_MISMATCH);
	pair_free(&p);
}

static void test_tampered_negotiate_breaks_mic(void)
{
	/* An attacker who strips flags from the NEGOTIATE is caught by the MIC. */
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_OK(ntlm_client_new(&p.client, p.cred, &p.ccfg));
	T_OK(ntlm_server_new(&p.server, &p.scfg));
	T_EXPECT_ERR(ntlm_step(p.client, NULL, 0, &p.neg), NTLM_CONTINUE);
	p.neg.data[12] &= (uint8_t)~0x10; /* drop NEGOTIATE_SIGN on the wire */
	T_EXPECT_ERR(ntlm_step(p.server, p.neg.data, p.neg.len, &p.chal), NTLM_CONTINUE);
	T_EXPECT_ERR(ntlm_step(p.client, p.chal.data, p.chal.len, &p.auth), NTLM_OK);
	ntlm_buffer none = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_MIC_MISMATCH);
	pair_free(&p);
}

static void test_missing_mic_when_required(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	use_ntlmv1(&p, 1); /* NTLMv1 carries no MIC */
	p.spol.allowed_responses = NTLM_RESP_NTLMV1;
	p.spol.require_mic = 1;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_MIC_MISSING);
	T_STR(ntlm_ctx_refusal_rule(p.server), "require_mic");
	pair_free(&p);
}

static const uint8_t cbt_a[16] = "channel-bind-AAA", cbt_b[16] = "channel-bind-BBB";

static void test_channel_bindings(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.cbt_hash = cbt_a;
	p.scfg.cbt_hash = cbt_a;
	T_OK(pair_run(&p));
	pair_free(&p);

	pair_init(&p, "alice", "Secret-1");
	p.ccfg.cbt_hash = cbt_a;
	p.scfg.cbt_hash = cbt_b;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_CBT_MISMATCH);
	pair_free(&p);

	pair_init(&p, "alice", "Secret-1");
	p.scfg.cbt_hash = cbt_b;
	p.spol.cbt = NTLM_CBT_REQUIRED;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_CBT_MISSING);
	pair_free(&p);

	pair_init(&p, "alice", "Secret-1"); /* never: mismatching bindings ignored */
	p.ccfg.cbt_hash = cbt_a;
	p.scfg.cbt_hash = cbt_b;
	p.spol.cbt = NTLM_CBT_NEVER;
	T_OK(pair_run(&p));
	pair_free(&p);
}

/* Expected values computed independently (Python hashlib over the RFC 4121 layout). */
static void test_channel_bindings_hash(void)
{
	ntlm_channel_bindings cb;
	uint8_t h[16], want[16];
	memset(&cb, 0, sizeof(cb));
	T_OK(ntlm_channel_bindings_hash(&cb, h));
	t_unhex("441018525208457705bf09a8ee3c1093", want, 16);
	T_BYTES(h, want, 16);
	uint8_t ad[21 + 32];
	memcpy(ad, "tls-server-end-point:", 21);
	for (int i = 0; i < 32; i++)
		ad[21 + i] = (uint8_t)i;
	cb.application_data = ad;
	cb.application_data_len = sizeof(ad);
	T_OK(ntlm_channel_bindings_hash(&cb, h));
	t_unhex("8f1214c9c9cab8dc3bf866da9aba57a7", want, 16);
	T_BYTES(h, want, 16);
	cb.application_data = NULL;
	T_EXPECT_ERR(ntlm_channel_bindings_hash(&cb, h), NTLM_E_INVALID_PARAMETER);
	/* the hash is what both sides configure */
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	cb.application_data = ad;
	T_OK(ntlm_channel_bindings_hash(&cb, h));
	p.ccfg.cbt_hash = h;
	p.scfg.cbt_hash = h;
	p.spol.cbt = NTLM_CBT_REQUIRED;
	T_OK(pair_run(&p));
	pair_free(&p);
}

static void test_target_name(void)
{
	static const char *const services[] = {"HTTP/web.example.com", "HOST/SERVER", NULL};
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.target_name = "http/WEB.example.com";
	p.scfg.service_names = services;
	p.spol.require_target_name = 1;
	T_OK(pair_run(&p));
	T_STR(ntlm_ctx_target_name(p.server), "http/WEB.example.com");
	pair_free(&p);

	pair_init(&p, "alice", "Secret-1");
	p.ccfg.target_name = "HTTP/evil.example.com";
	p.scfg.service_names = services;
	p.spol.require_target_name = 1;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_TARGET_MISMATCH);
	pair_free(&p);

	pair_init(&p, "alice", "Secret-1");
	p.scfg.service_names = services;
	p.spol.require_target_name = 1;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_TARGET_MISSING);
	pair_free(&p);
}

static void test_stale_timestamp(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_EXPECT_ERR(pair_first_legs(&p), NTLM_OK);
	int64_t saved = server_time;
	server_time += 7201; /* the AUTHENTICATE arrives after the window */
	ntlm_buffer none = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_TIME_SKEW);
	server_time = saved;
	pair_free(&p);
	pair_init(&p, "alice", "Secret-1");
	p.spol.timestamp_window = 0; /* not checked */
	T_EXPECT_ERR(pair_first_legs(&p), NTLM_OK);
	server_time += 100000;
	T_OK(ntlm_step(p.server, p.auth.data, p.auth.len, &none));
	server_time = saved;
	pair_free(&p);
}

static void test_truncated_authenticate_fails_for_good(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_EXPECT_ERR(pair_first_legs(&p), NTLM_OK);
	ntlm_buffer none = {0};
	ntlm_err rc = ntlm_step(p.server, p.auth.data, p.auth.len - 10, &none);
	T_ASSERT(rc == NTLM_E_FIELD_RANGE || rc == NTLM_E_TRUNCATED);
	/* the complete message cannot rescue a failed context */
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_FAILED_CONTEXT);
	pair_free(&p);
}

static void test_wrong_message_order(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_EXPECT_ERR(pair_first_legs(&p), NTLM_OK);
	ntlm_ctx *fresh_server = NULL, *fresh_client = NULL;
	ntlm_buffer out = {0};
	T_OK(ntlm_server_new(&fresh_server, &p.scfg));
	T_EXPECT_ERR(ntlm_step(fresh_server, p.auth.data, p.auth.len, &out), NTLM_E_WRONG_STATE);
	T_OK(ntlm_client_new(&fresh_client, p.cred, &p.ccfg));
	T_EXPECT_ERR(ntlm_step(fresh_client, p.chal.data, p.chal.len, &out), NTLM_E_WRONG_STATE);
	ntlm_ctx_free(fresh_client);
	fresh_client = NULL;
	T_OK(ntlm_client_new(&fresh_client, p.cred, &p.ccfg));
	T_EXPECT_ERR(ntlm_step(fresh_client, NULL, 0, &out), NTLM_CONTINUE);
	ntlm_buffer_free(&out);
	T_EXPECT_ERR(ntlm_step(fresh_client, p.neg.data, p.neg.len, &out), NTLM_E_WRONG_STATE);
	/* the server, expecting AUTHENTICATE, is handed another NEGOTIATE */
	T_EXPECT_ERR(ntlm_step(p.server, p.neg.data, p.neg.len, &out), NTLM_E_WRONG_STATE);
	ntlm_ctx_free(fresh_server);
	ntlm_ctx_free(fresh_client);
	pair_free(&p);
}

static void test_replay_on_finished_context(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	T_OK(pair_run(&p));
	ntlm_buffer none = {0};
	T_EXPECT_ERR(ntlm_step(p.server, p.auth.data, p.auth.len, &none), NTLM_E_WRONG_STATE);
	T_EXPECT_ERR(ntlm_step(p.client, p.chal.data, p.chal.len, &none), NTLM_E_WRONG_STATE);
	T_ASSERT(ntlm_ctx_established(p.server)); /* the refusal did not break the session */
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_oem_only_client(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.flags = NTLMSSP_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |
	               NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	               NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128 |
	               NTLMSSP_NEGOTIATE_KEY_EXCH;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_OEM);
	T_ASSERT(!(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_UNICODE));
	T_STR(ntlm_ctx_peer_workstation(p.server), "CLIENTPC");
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_no_version_no_key_exchange(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.omit_version = 1;
	p.ccfg.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	               NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	               NTLMSSP_NEGOTIATE_128;
	p.cpol.min_security = 0;
	p.spol.min_security = NTLM_SEC_128BIT;
	T_OK(pair_run(&p));
	T_ASSERT(p.neg.len == 32); /* the short NEGOTIATE form */
	T_ASSERT(!(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_KEY_EXCH));
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
}

static void test_datagram(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.ccfg.datagram = 1;
	p.scfg.datagram = 1;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_DATAGRAM);
	uint8_t m[8] = "dgram!!", sig[16];
	T_OK(ntlm_protect(p.client, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 5, m, 8, sig));
	T_OK(ntlm_unprotect(p.server, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 5, m, 8, sig));
	T_ASSERT(memcmp(m, "dgram!!", 8) == 0);
	pair_free(&p);
}

static void test_cred_file(void)
{
	char path[256];
	snprintf(path, sizeof(path), "/tmp/ntlmssp-test-cred-%d", (int)getpid());
	FILE *f = fopen(path, "w");
	fprintf(f, "# comment\nOTHER:zed:nope\nWORKGROUP:alice:Secret-1\n");
	fclose(f);
	struct pair p;
	pair_init(&p, "alice", "x");
	ntlm_cred_free(p.cred);
	p.cred = NULL;
	T_OK(ntlm_cred_from_file(&p.cred, path, NULL, "ALICE"));
	T_OK(pair_run(&p));
	pair_free(&p);
	ntlm_cred *c = NULL;
	T_EXPECT_ERR(ntlm_cred_from_file(&c, path, NULL, "nobody"), NTLM_E_NOT_FOUND);
	unlink(path);
	T_EXPECT_ERR(ntlm_cred_from_file(&c, path, NULL, "alice"), NTLM_E_IO);
}

/* The store-side verifier on its own: an LM-only response, and each refusal. */
static void test_verify_response_lm_and_refusals(void)
{
	uint8_t nt[16], lm[16], chal[8] = {1, 2, 3, 4, 5, 6, 7, 8}, lmresp[24], ntresp[24];
	T_SETUP(ntlm_nt_hash("SHORTPW", nt));
	T_SETUP(ntlm_lm_hash("SHORTPW", lm));
	nk_desl(lm, chal, lmresp);
	nk_desl(nt, chal, ntresp);
	ntlm_auth_request req;
	ntlm_auth_result res;
	memset(&req, 0, sizeof(req));
	req.user = "carol";
	req.domain = "";
	req.server_challenge = chal;
	req.lm_response = lmresp;
	req.lm_response_len = 24;
	req.allowed_responses = NTLM_RESP_LM;
	T_OK(ntlm_verify_response(&req, nt, lm, &res));
	T_ASSERT(res.kind == NTLM_KIND_LM && res.have_lm_session_key);
	T_BYTES(res.lm_session_key, lm, 8);
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_LOGON_FAILURE);
	req.allowed_responses = NTLM_RESP_NTLMV2;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, lm, &res), NTLM_E_LM_REFUSED);
	lmresp[0] ^= 1;
	req.allowed_responses = NTLM_RESP_LM;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, lm, &res), NTLM_E_LOGON_FAILURE);
	/* plain NTLMv1 */
	req.nt_response = ntresp;
	req.nt_response_len = 24;
	req.allowed_responses = NTLM_RESP_NTLMV1;
	T_OK(ntlm_verify_response(&req, nt, NULL, &res));
	T_ASSERT(res.kind == NTLM_KIND_NTLMV1);
	req.allowed_responses = NTLM_RESP_NTLMV2;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_NTLMV1_REFUSED);
	req.nt_response_len = 7; /* neither a v1 nor a v2 shape */
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_BAD_RESPONSE);
	/* through the smbpasswd store: carol has an LM hash on file */
	make_store();
	ntlm_account_store *st = NULL;
	T_OK(ntlm_account_store_smbpasswd(&st, store_path));
	lmresp[0] ^= 1;
	req.nt_response = NULL;
	req.nt_response_len = 0;
	req.allowed_responses = NTLM_RESP_LM;
	req.server_name = "SERVER";
	T_OK(ntlm_account_store_verify(st, &req, &res));
	T_STR(res.authority, "SERVER");
	T_STR(res.user, "carol");
	ntlm_account_store_free(st);
}

/* A store that remembers what the server allowed it. */
struct recording_store {
	ntlm_account_store *inner;
	uint32_t allowed;
};

static ntlm_err recording_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	struct recording_store *rs = impl;
	rs->allowed = req->allowed_responses;
	return ntlm_account_store_verify(rs->inner, req, res);
}

/*
 * An MS-CHAP answer (NTLM_RESP_MSCHAP): NTLMv1's form, allowed only as
 * MS-CHAP when the caller vouches for it, never by the NTLM bits' absence;
 * a server context never takes the bit from a policy.
 */
static void test_mschap_kind(void)
{
	uint8_t nt[16], chal[8] = {8, 7, 6, 5, 4, 3, 2, 1}, resp[24], want_key[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	nk_desl(nt, chal, resp);
	nk_v1_session_base_key(nt, want_key);
	ntlm_auth_request req;
	ntlm_auth_result res;
	memset(&req, 0, sizeof(req));
	req.user = "alice";
	req.server_challenge = chal;
	req.nt_response = resp;
	req.nt_response_len = 24;
	req.allowed_responses = NTLM_RESP_NTLMV2 | NTLM_RESP_MSCHAP;
	T_OK(ntlm_verify_response(&req, nt, NULL, &res));
	T_ASSERT(res.kind == NTLM_KIND_MSCHAP);
	T_BYTES(res.session_base_key, want_key, 16);
	T_STR(ntlm_response_kind_name(NTLM_KIND_MSCHAP), "MS-CHAP");
	req.allowed_responses = NTLM_RESP_NTLMV2;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_NTLMV1_REFUSED);
	req.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_MSCHAP;
	T_OK(ntlm_verify_response(&req, nt, NULL, &res));
	T_ASSERT(res.kind == NTLM_KIND_MSCHAP);
	resp[5] ^= 0x10;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_LOGON_FAILURE);
	resp[5] ^= 0x10;
	/* under ESS it is NTLMv1-ESS, which MS-CHAP never is */
	req.flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	req.lm_response = resp;
	req.lm_response_len = 24;
	req.allowed_responses = NTLM_RESP_NTLMV2 | NTLM_RESP_MSCHAP;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_NTLMV1_REFUSED);
	/* through the store: the same answer, the same kind */
	req.flags = 0;
	req.lm_response = NULL;
	req.lm_response_len = 0;
	make_store();
	ntlm_account_store *st = NULL;
	T_OK(ntlm_account_store_smbpasswd(&st, store_path));
	T_OK(ntlm_account_store_verify(st, &req, &res));
	T_ASSERT(res.kind == NTLM_KIND_MSCHAP);
	T_BYTES(res.session_base_key, want_key, 16);
	req.user = "nobody-here";
	T_EXPECT_ERR(ntlm_account_store_verify(st, &req, &res), NTLM_E_NO_SUCH_USER);
	ntlm_account_store_free(st);

	/* a policy holding the bit lets no NTLMv1 into an NTLMSSP logon */
	struct pair p;
	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.spol.allowed_responses = NTLM_RESP_NTLMV2 | NTLM_RESP_MSCHAP;
	p.spol.min_security = NTLM_SEC_128BIT;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_NTLMV1_REFUSED);
	pair_free(&p);
	/* where NTLMv1 is allowed the store is never told it is MS-CHAP: a domain told so
	   would accept NTLMv1 it refuses outside MS-CHAP */
	static const ntlm_account_store_ops rops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = recording_verify};
	struct recording_store rs = {NULL, 0};
	ntlm_account_store *outer = NULL;
	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2 | NTLM_RESP_MSCHAP;
	p.spol.min_security = NTLM_SEC_128BIT;
	rs.inner = p.store;
	T_OK(ntlm_account_store_new(&outer, &rops, &rs));
	p.scfg.store = outer;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_response_kind(p.server) == NTLM_KIND_NTLMV1);
	T_ASSERT(rs.allowed == (NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2));
	pair_free(&p);
	ntlm_account_store_free(outer);
}

/* The store caches the file: edits must still take effect at once. */
static void test_store_sees_edits(void)
{
	char path[256];
	snprintf(path, sizeof(path), "/tmp/ntlmssp-test-edit-%d.smbpasswd", (int)getpid());
	unlink(path);
	T_OK(smbpw_create_default(path, "frank", "first-pw", 0));
	struct pair p;
	pair_init(&p, "frank", "first-pw");
	ntlm_account_store_free(p.store);
	T_OK(ntlm_account_store_smbpasswd(&p.store, path));
	p.scfg.store = p.store;
	T_OK(pair_run(&p));
	ntlm_account_store *keep = p.store;
	p.store = NULL; /* reuse the same store object below */
	pair_free(&p);

	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("second-pw", nt));
	T_OK(smbpw_modify(path, SMBPW_SET_HASH, "frank", nt, NULL, 0));
	pair_init(&p, "frank", "first-pw");
	ntlm_account_store_free(p.store);
	p.store = NULL;
	p.scfg.store = keep;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_LOGON_FAILURE);
	pair_free(&p);
	pair_init(&p, "frank", "second-pw");
	ntlm_account_store_free(p.store);
	p.store = NULL;
	p.scfg.store = keep;
	T_OK(pair_run(&p));
	pair_free(&p);

	T_OK(smbpw_modify(path, SMBPW_DISABLE, "frank", NULL, NULL, 0));
	pair_init(&p, "frank", "second-pw");
	ntlm_account_store_free(p.store);
	p.store = NULL;
	p.scfg.store = keep;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_ACCOUNT_DISABLED);
	pair_free(&p);

	unlink(path);
	pair_init(&p, "frank", "second-pw");
	ntlm_account_store_free(p.store);
	p.store = NULL;
	p.scfg.store = keep;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_BACKEND); /* the file is gone */
	pair_free(&p);
	ntlm_account_store_free(keep);
	strcat(path, ".lock");
	unlink(path);
}

/* NTLMv2 keyed with the domain upper-cased, or with none, still verifies (clients differ). */
static void test_verify_domain_spellings(void)
{
	const char *keyed_with[3] = {"WORKGROUP", "", "OTHER"};
	const ntlm_err want[3] = {NTLM_OK, NTLM_OK, NTLM_E_LOGON_FAILURE};
	uint8_t nt[16], chal[8] = {8, 7, 6, 5, 4, 3, 2, 1}, cc[8] = {1}, v2[16], resp[16 + 64];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	for (int i = 0; i < 3; i++) {
		ntlm_buffer temp = {0};
		uint8_t sbk[16];
		T_OK(nk_ntowfv2(nt, "alice", keyed_with[i], v2));
		T_OK(v2_temp(ntlm_unix_to_filetime(1700000000), cc, NULL, 0, &temp));
		T_ASSERT(temp.len <= 64);
		nk_v2_proof_and_key(v2, chal, temp.data, temp.len, resp, sbk);
		memcpy(resp + 16, temp.data, temp.len);
		ntlm_auth_request req;
		ntlm_auth_result res;
		memset(&req, 0, sizeof(req));
		req.user = "alice";
		req.domain = "workgroup"; /* as typed: lower case */
		req.server_challenge = chal;
		req.nt_response = resp;
		req.nt_response_len = 16 + temp.len;
		req.allowed_responses = NTLM_RESP_NTLMV2;
		T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), want[i]);
		if (want[i] == NTLM_OK)
			T_BYTES(res.session_base_key, sbk, 16);
		ntlm_buffer_free(&temp);
	}
}

static void test_api_misuse(void)
{
	ntlm_ctx *ctx = NULL;
	ntlm_buffer out = {0};
	ntlm_server_config scfg = {NTLM_SERVER_CONFIG_INIT};
	T_EXPECT_ERR(ntlm_server_new(&ctx, &scfg), NTLM_E_INVALID_PARAMETER); /* no store */
	T_EXPECT_ERR(ntlm_client_new(&ctx, NULL, NULL), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_step(NULL, NULL, 0, &out), NTLM_E_INVALID_PARAMETER);
	ntlm_cred *c = NULL;
	T_EXPECT_ERR(ntlm_cred_password(&c, "D", "", "pw"), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_cred_password(&c, "D", "u", NULL), NTLM_E_INVALID_PARAMETER);
	ntlm_cred_free(c);
}

/* ------------------------------------------- one classifier, one ESS rule */

static void test_classifier(void)
{
	static const uint8_t z1[1] = {0}, lm24[24] = {1};
	const uint32_t ess = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	T_ASSERT(nv_classify(NULL, 0, 0, "", 0) == NTLM_KIND_ANONYMOUS);
	T_ASSERT(nv_classify(z1, 1, 0, NULL, 0) == NTLM_KIND_ANONYMOUS);
	T_ASSERT(nv_classify(z1, 1, 0, "bob", 0) == NTLM_KIND_NONE);
	T_ASSERT(nv_classify(lm24, 24, 0, "bob", 0) == NTLM_KIND_LM);
	T_ASSERT(nv_classify(lm24, 24, 24, "bob", 0) == NTLM_KIND_NTLMV1);
	T_ASSERT(nv_classify(lm24, 24, 24, "bob", ess) == NTLM_KIND_NTLMV1_ESS);
	T_ASSERT(nv_classify(lm24, 8, 24, "bob", ess) == NTLM_KIND_NTLMV1_ESS);
	/* ESS without the client challenge it mixes in: malformed, not plain NTLMv1 */
	T_ASSERT(nv_classify(lm24, 7, 24, "bob", ess) == NTLM_KIND_NONE);
	T_ASSERT(nv_classify(NULL, 0, 24, "bob", ess) == NTLM_KIND_NONE);
	T_ASSERT(nv_classify(NULL, 0, 24, "bob", 0) == NTLM_KIND_NTLMV1);
	T_ASSERT(nv_classify(NULL, 0, 25, "bob", ess) == NTLM_KIND_NTLMV2);
	T_ASSERT(nv_classify(NULL, 0, 23, "bob", 0) == NTLM_KIND_NONE);
	/* each refusal names its kind */
	T_EXPECT_ERR(nv_kind_allowed(NTLM_KIND_NTLMV2, NTLM_RESP_NTLMV1, 1), NTLM_E_NTLMV2_REFUSED);
	T_EXPECT_ERR(nv_kind_allowed(NTLM_KIND_NTLMV1_ESS, NTLM_RESP_NTLMV2, 1), NTLM_E_NTLMV1_REFUSED);
	T_EXPECT_ERR(nv_kind_allowed(NTLM_KIND_LM, NTLM_RESP_NTLMV1, 1), NTLM_E_LM_REFUSED);
	T_EXPECT_ERR(nv_kind_allowed(NTLM_KIND_ANONYMOUS,
	                             (NTLM_RESP_LM | NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2), 0),
	             NTLM_E_ANONYMOUS_REFUSED);
	T_EXPECT_ERR(
		nv_kind_allowed(NTLM_KIND_NONE, (NTLM_RESP_LM | NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2), 1),
		NTLM_E_BAD_RESPONSE);
	T_OK(nv_kind_allowed(NTLM_KIND_NTLMV2, NTLM_RESP_NTLMV2, 0));
}

/* A server that allows only NTLMv1 refuses NTLMv2 as NTLMv2, not as "NTLMv1 refused". */
static void test_ntlmv2_refused_by_policy(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	p.spol.allowed_responses = NTLM_RESP_NTLMV1;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_NTLMV2_REFUSED);
	T_STR(ntlm_ctx_refusal_rule(p.server), "allowed_responses");
	pair_free(&p);
}

/*
 * NEGOTIATE_EXTENDED_SESSIONSECURITY with a 24-byte NT response answering the
 * plain challenge and no LM response (so no client challenge): the store once
 * verified it as plain NTLMv1 while the server derived the keys the ESS way.
 */
static void test_ess_without_client_challenge(void)
{
	struct pair p;
	pair_init(&p, "alice", "Secret-1");
	use_ntlmv1(&p, 1);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	T_OK(pair_first_legs(&p));
	nw_challenge c;
	nw_authenticate a;
	T_OK(nw_challenge_decode(p.chal.data, p.chal.len, &c));
	T_OK(nw_authenticate_decode(p.auth.data, p.auth.len, &a));
	T_ASSERT(a.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	T_ASSERT(a.nt_response_len == 24);
	uint8_t nt[16];
	T_OK(ntlm_nt_hash("Secret-1", nt));
	nk_desl(nt, c.server_challenge, a.nt_response);
	a.lm_response_len = 0;
	ntlm_buffer forged = {0}, out = {0};
	T_OK(nw_authenticate_encode(&a, 0, &forged));
	a.lm_response_len = 24;
	T_EXPECT_ERR(ntlm_step(p.server, forged.data, forged.len, &out), NTLM_E_BAD_RESPONSE);
	/* and the same request straight to the verifier */
	ntlm_auth_request req;
	ntlm_auth_result res;
	memset(&req, 0, sizeof(req));
	req.user = "alice";
	req.server_challenge = c.server_challenge;
	req.nt_response = a.nt_response;
	req.nt_response_len = 24;
	req.flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	req.allowed_responses = NTLM_RESP_NTLMV1;
	T_EXPECT_ERR(ntlm_verify_response(&req, nt, NULL, &res), NTLM_E_BAD_RESPONSE);
	req.flags = 0;
	T_OK(ntlm_verify_response(&req, nt, NULL, &res));
	T_ASSERT(res.kind == NTLM_KIND_NTLMV1);
	ntlm_buffer_free(&forged);
	nw_authenticate_clear(&a);
	nw_challenge_clear(&c);
	pair_free(&p);
}

/* A store that verifies through the smbpasswd store, then claims another kind. */
struct claiming_store {
	ntlm_account_store *inner;
	ntlm_response_kind says;
};

static ntlm_err claiming_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	struct claiming_store *cs = impl;
	ntlm_err rc = ntlm_account_store_verify(cs->inner, req, res);
	if (rc == NTLM_OK)
		res->kind = cs->says;
	return rc;
}

/* The server classifies; a store can only say it verified the LM half of NTLMv1. */
static void test_store_cannot_change_kind(void)
{
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
	                                           .verify = claiming_verify};
	struct pair p;
	struct claiming_store cs;
	ntlm_account_store *outer = NULL;

	pair_init(&p, "alice", "Secret-1");
	use_ntlmv1(&p, 1);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	cs.inner = p.store;
	cs.says = NTLM_KIND_NTLMV2; /* would make the server take the NTLMv2 key path */
	T_OK(ntlm_account_store_new(&outer, &ops, &cs));
	p.scfg.store = outer;
	T_OK(pair_run(&p));
	T_ASSERT(ntlm_ctx_response_kind(p.server) == NTLM_KIND_NTLMV1_ESS);
	T_ASSERT(pair_talks(&p));
	pair_free(&p);
	ntlm_account_store_free(outer);

	/* "LM" for a plain NTLMv1 logon is a kind too: the policy must allow it */
	pair_init(&p, "carol", "SHORTPW");
	use_ntlmv1(&p, 0);
	p.spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	p.spol.min_security = NTLM_SEC_128BIT;
	cs.inner = p.store;
	cs.says = NTLM_KIND_LM;
	T_OK(ntlm_account_store_new(&outer, &ops, &cs));
	p.scfg.store = outer;
	T_EXPECT_ERR(pair_run(&p), NTLM_E_LM_REFUSED);
	pair_free(&p);
	ntlm_account_store_free(outer);
}

int main(void)
{
	T_RUN(test_ntlmv2_default);
	T_RUN(test_user_name_case_and_nthash_cred);
	T_RUN(test_bad_password);
	T_RUN(test_unknown_user);
	T_RUN(test_disabled_account);
	T_RUN(test_ntlmv1_refused_by_default);
	T_RUN(test_ntlmv1_ess_when_allowed);
	T_RUN(test_ntlmv1_plain_and_lm_key);
	T_RUN(test_min_security_enforced);
	T_RUN(test_negotiate_refusal_is_audited);
	T_RUN(test_anonymous);
	T_RUN(test_tampered_mic);
	T_RUN(test_tampered_negotiate_breaks_mic);
	T_RUN(test_missing_mic_when_required);
	T_RUN(test_channel_bindings);
	T_RUN(test_channel_bindings_hash);
	T_RUN(test_target_name);
	T_RUN(test_stale_timestamp);
	T_RUN(test_truncated_authenticate_fails_for_good);
	T_RUN(test_wrong_message_order);
	T_RUN(test_replay_on_finished_context);
	T_RUN(test_oem_only_client);
	T_RUN(test_no_version_no_key_exchange);
	T_RUN(test_datagram);
	T_RUN(test_cred_file);
	T_RUN(test_verify_response_lm_and_refusals);
	T_RUN(test_mschap_kind);
	T_RUN(test_store_sees_edits);
	T_RUN(test_verify_domain_spellings);
	T_RUN(test_api_misuse);
	T_RUN(test_account_flags_refused);
	T_RUN(test_lockout);
	T_RUN(test_classifier);
	T_RUN(test_ntlmv2_refused_by_policy);
	T_RUN(test_ess_without_client_challenge);
	T_RUN(test_store_cannot_change_kind);
	unlink(store_path);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}
