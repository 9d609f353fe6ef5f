/*
 * test_member.c - ntlm_account_store_require_member() over a fake built-in
 * store that reports a logon's SIDs as the winbind store does: the account's
 * own SID or a listed group passes; a SID that is only a prefix, a suffix or
 * a part of a listed one does not; no SIDs at all (a local account) never
 * passes; the required SID in a non-canonical spelling means the same SID;
 * malformed ones are refused; a refused non-member is not counted by the
 * lockout; and a server context tells the client LOGON_FAILURE while the
 * audit keeps NTLM_E_NOT_MEMBER.
 */
#include <stdio.h>
#include <string.h>

#include "acct_store.h"
#include "mem.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

#define DOM "S-1-5-21-1-2-3"

/* The password's NT hash ("Member-1"): a server context needs the real session key. */
static uint8_t alice_nt[16];

/* A fake domain logon: any user with the password, reporting sid and groups (NULL: none). */
struct fake {
	const char *sid, *groups;
	int calls;
};

static ntlm_err fake_info(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res,
                          acct_logon_info *info)
{
	struct fake *f = impl;
	f->calls++;
	if (req->nt_response_len && ntlm_verify_response(req, alice_nt, NULL, res) != NTLM_OK)
		return NTLM_E_LOGON_FAILURE;
	res->kind = NTLM_KIND_NTLMV2;
	snprintf(res->authority, sizeof(res->authority), "DOMAIN");
	snprintf(res->user, sizeof(res->user), "%s", req->user);
	if (f->sid && !(info->sid = ntlm_strdup(f->sid)))
		return NTLM_E_NO_MEMORY;
	if (f->groups && !(info->group_sids = ntlm_strdup(f->groups)))
		return NTLM_E_NO_MEMORY;
	info->source = "domain";
	return NTLM_OK;
}

static ntlm_err fake_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	acct_logon_info info = {NULL, NULL, NULL};
	ntlm_err rc = fake_info(impl, req, res, &info);
	acct_logon_info_clear(&info);
	return rc;
}

static void fake_free(void *impl)
{
	(void)impl; /* on the test's stack */
}

static const ntlm_account_store_ops fake_ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = fake_verify,
                                                .free = fake_free};

static const uint8_t challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static ntlm_auth_request request(void)
{
	ntlm_auth_request r;
	memset(&r, 0, sizeof(r));
	r.user = "alice";
	r.domain = "DOMAIN";
	r.server_challenge = challenge;
	r.allowed_responses = NTLM_RESP_NTLMV2;
	r.now = 1700000000;
	return r;
}

/* required against a logon reporting sid and groups: the verdict. */
static ntlm_err verdict(const char *required, const char *sid, const char *groups)
{
	struct fake f = {sid, groups, 0};
	ntlm_account_store *inner = NULL, *m = NULL;
	ntlm_auth_result res;
	ntlm_auth_request req = request();
	ntlm_err rc = acct_store_new_builtin(&inner, &fake_ops, fake_info, "domain", &f);
	if (rc == NTLM_OK)
		rc = ntlm_account_store_require_member(&m, inner, required);
	if (rc == NTLM_OK)
		rc = ntlm_account_store_verify(m, &req, &res);
	ntlm_account_store_free(m);
	ntlm_account_store_free(inner);
	return rc;
}

static const char *const groups = DOM "-513 " DOM "-1110 S-1-5-32-545";

static void member_of_a_listed_group(void)
{
	T_OK(verdict(DOM "-513", DOM "-1103", groups)); /* the primary group, first */
	T_OK(verdict(DOM "-1110", DOM "-1103", groups));
	T_OK(verdict("S-1-5-32-545", DOM "-1103", groups)); /* the last */
}

static void the_account_itself(void)
{
	T_OK(verdict(DOM "-1103", DOM "-1103", groups));
	T_OK(verdict(DOM "-1103", DOM "-1103", "")); /* no groups */
}

static void not_a_member(void)
{
	T_EXPECT_ERR(verdict(DOM "-1111", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict(DOM "-1104", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
}

/* Whole SIDs only: a prefix, a longer SID or a SID inside another is another group. */
static void parts_of_sids_are_not_members(void)
{
	T_EXPECT_ERR(verdict(DOM "-111", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict(DOM "-11101", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict(DOM "-1", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict("S-1-5-21-1-2", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict(DOM "-110", DOM "-1103", DOM "-1103"), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict("S-1-5-32-54", DOM "-1103", groups), NTLM_E_NOT_MEMBER);
}

/* A logon without SIDs (a local account, a custom store) is nobody's member. */
static void no_sids_no_member(void)
{
	T_EXPECT_ERR(verdict(DOM "-513", NULL, NULL), NTLM_E_NOT_MEMBER);
	T_EXPECT_ERR(verdict(DOM "-513", NULL, ""), NTLM_E_NOT_MEMBER);
}

static void spellings_of_one_sid(void)
{
	T_OK(verdict("s-1-5-21-1-2-3-0001110", DOM "-1103", groups));
	T_OK(verdict("S-01-5-21-1-2-3-1110", DOM "-1103", groups));
}

static void malformed_sids_refused(void)
{
	static const char *const bad[] = {
		"",
		"S-",
		"S-1",
		"S-1-5",
		"S-2-5-21-1",
		"X-1-5-21",
		"S-1-5-21-",
		"S-1--21-1",
		"S-1-5-21-1 ",
		" S-1-5-21-1",
		"S-1-5-21-+1",
		"S-1-5-21-4294967296",
		"S-1-4294967296-1",
		"S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"NTLMDOM\\ntlmgrp",
		"S-1-5-21-1,S-1-5-21-2",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (verdict(bad[i], DOM "-1103", groups) != NTLM_E_INVALID_PARAMETER)
			T_FAIL("'%s' was taken as a SID", bad[i]);
	T_OK(verdict("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
	             "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15",
	             NULL)); /* 15 sub-authorities: the most a SID has */
}

static void arguments_refused(void)
{
	struct fake f = {NULL, NULL, 0};
	ntlm_account_store *inner = NULL, *m = (ntlm_account_store *)&f;
	T_OK(ntlm_account_store_new(&inner, &fake_ops, &f));
	T_EXPECT_ERR(ntlm_account_store_require_member(&m, NULL, DOM "-513"), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(m == NULL);
	T_EXPECT_ERR(ntlm_account_store_require_member(&m, inner, NULL), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_account_store_require_member(NULL, inner, DOM "-513"),
	             NTLM_E_INVALID_PARAMETER);
	ntlm_account_store_free(inner);
}

/* A non-member who knows the password is no guesser: never locked out for it. */
static void non_member_not_counted_by_lockout(void)
{
	struct fake f = {DOM "-1103", groups, 0};
	ntlm_account_store *inner = NULL, *m = NULL;
	ntlm_auth_result res;
	ntlm_auth_request req = request();
	req.lockout_threshold = 2;
	req.lockout_window = 600;
	T_OK(acct_store_new_builtin(&inner, &fake_ops, fake_info, "domain", &f));
	T_OK(ntlm_account_store_require_member(&m, inner, DOM "-9999"));
	ntlm_err r[3];
	for (int i = 0; i < 3; i++)
		r[i] = ntlm_account_store_verify(m, &req, &res);
	ntlm_account_store_free(m);
	ntlm_account_store_free(inner);
	for (int i = 0; i < 3; i++)
		T_EXPECT_ERR(r[i], NTLM_E_NOT_MEMBER);
	T_ASSERT(f.calls == 3);
}

/* ------------------------------------------- through a server context */

struct seen {
	ntlm_err result;
	char json[2048];
};

static void audit_cb(void *arg, const ntlm_audit_event *ev)
{
	struct seen *s = arg;
	s->result = ev->result;
	ntlm_buffer j = {NULL, 0};
	if (ntlm_audit_json(ev, &j) == NTLM_OK)
		snprintf(s->json, sizeof(s->json), "%.*s", (int)j.len, (const char *)j.data);
	ntlm_buffer_free(&j);
}

/* A whole handshake against the membership store; the principal and SIDs seen. */
static ntlm_err logon(const char *required, char *sid, size_t cap, struct seen *s)
{
	struct fake f = {DOM "-1103", groups, 0};
	ntlm_account_store *inner = NULL, *m = NULL;
	ntlm_cred *cred = NULL;
	ntlm_ctx *c = NULL, *sv = NULL;
	ntlm_policy pol;
	ntlm_policy_init(&pol);
	ntlm_client_config cc = {NTLM_CLIENT_CONFIG_INIT, .policy = &pol, .workstation = "WS"};
	ntlm_server_config sc = {NTLM_SERVER_CONFIG_INIT, .policy = &pol, .computer_name = "SERVER",
	                         .audit = audit_cb, .audit_arg = s};
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ntlm_err rc = acct_store_new_builtin(&inner, &fake_ops, fake_info, "domain", &f);
	if (rc == NTLM_OK)
		rc = ntlm_account_store_require_member(&m, inner, required);
	sc.store = m;
	if (rc == NTLM_OK)
		rc = ntlm_cred_password(&cred, "DOMAIN", "alice", "Member-1");
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&c, cred, &cc);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&sv, &sc);
	if (rc == NTLM_OK && (rc = ntlm_step(c, NULL, 0, &neg)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(sv, neg.data, neg.len, &chal)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(c, chal.data, chal.len, &auth)) == NTLM_OK)
		rc = ntlm_step(sv, auth.data, auth.len, &none);
	snprintf(sid, cap, "%s", ntlm_ctx_sid(sv));
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(c);
	ntlm_ctx_free(sv);
	ntlm_cred_free(cred);
	ntlm_account_store_free(m);
	ntlm_account_store_free(inner);
	return rc;
}

static void server_member_keeps_the_sids(void)
{
	struct seen s = {NTLM_E_INTERNAL, ""};
	char sid[128];
	T_OK(logon(DOM "-1110", sid, sizeof(sid), &s));
	T_STR(sid, DOM "-1103");
	T_ASSERT(strstr(s.json, "\"account_source\":\"domain\"") != NULL);
}

static void server_non_member_reads_as_logon_failure(void)
{
	struct seen s = {NTLM_E_INTERNAL, ""};
	char sid[128];
	T_EXPECT_ERR(logon(DOM "-1111", sid, sizeof(sid), &s), NTLM_E_LOGON_FAILURE);
	T_EXPECT_ERR(s.result, NTLM_E_NOT_MEMBER);
	T_STR(sid, "");
}

int main(void)
{
	T_SETUP(ntlm_nt_hash("Member-1", alice_nt));
	T_RUN(member_of_a_listed_group);
	T_RUN(the_account_itself);
	T_RUN(not_a_member);
	T_RUN(parts_of_sids_are_not_members);
	T_RUN(no_sids_no_member);
	T_RUN(spellings_of_one_sid);
	T_RUN(malformed_sids_refused);
	T_RUN(arguments_refused);
	T_RUN(non_member_not_counted_by_lockout);
	T_RUN(server_member_keeps_the_sids);
	T_RUN(server_non_member_reads_as_logon_failure);
	T_END();
}
