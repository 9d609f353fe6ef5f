/*
 * test_dcom_server.c - the DCOM server's permission lists (who an entry
 * names: users of this server and of other domains, Unix groups, SIDs, the
 * well-known groups, never an anonymous or unauthenticated caller) and its
 * configuration checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"
#include "t.h"

static ntlm_dcom_server *srv;

/* An authenticated caller of this server's accounts (NTLMDEMO), mapped to unix_user. */
static struct dcom_caller caller(const char *principal, const char *unix_user)
{
	struct dcom_caller c = {principal, unix_user, "", "", 1, 0};
	return c;
}

static int permitted(const struct dcom_caller *c, const char *entry)
{
	char *list[] = {(char *)entry, NULL};
	return dcom_caller_permitted(srv, c, list);
}

static void test_users(void)
{
	struct dcom_caller alice = caller("NTLMDEMO\\alice", "nobody");
	T_ASSERT(permitted(&alice, "NTLMDEMO\\alice"));
	T_ASSERT(permitted(&alice, "ntlmdemo\\ALICE")); /* names are case-insensitive */
	T_ASSERT(permitted(&alice, "alice"));           /* no domain: this server's */
	T_ASSERT(permitted(&alice, ".\\alice"));
	T_ASSERT(!permitted(&alice, "NTLMDEMO\\bob"));
	T_ASSERT(!permitted(&alice, "OTHER\\alice")); /* another domain's alice is someone else */
	T_ASSERT(!permitted(&alice, "NTLMDEMO\\alic"));
	T_ASSERT(!permitted(&alice, "NTLMDEMO\\alice2"));
	struct dcom_caller other = caller("OTHER\\alice", "");
	T_ASSERT(permitted(&other, "OTHER\\alice"));
	T_ASSERT(!permitted(&other, "alice"));
	T_ASSERT(!permitted(&other, "NTLMDEMO\\alice"));
}

static void test_groups(void)
{
	/* a Unix group the mapped account is in (root's primary group is root) */
	struct dcom_caller c = caller("NTLMDEMO\\someone", "root");
	T_ASSERT(permitted(&c, "root"));
	T_ASSERT(permitted(&c, "NTLMDEMO\\root"));
	T_ASSERT(!permitted(&c, "OTHER\\root")); /* Unix groups are this server's */
	T_ASSERT(!permitted(&c, "no-such-group-here"));
	struct dcom_caller unmapped = caller("NTLMDEMO\\someone", "");
	T_ASSERT(!permitted(&unmapped, "root"));
}

static void test_sids(void)
{
	struct dcom_caller c = caller("DOM\\carol", "");
	c.sid = "S-1-5-21-1-2-3-1001";
	c.group_sids = "S-1-5-21-1-2-3-513 S-1-5-32-545";
	T_ASSERT(permitted(&c, "S-1-5-21-1-2-3-1001"));
	T_ASSERT(permitted(&c, "S-1-5-32-545"));
	T_ASSERT(permitted(&c, "S-1-5-21-1-2-3-513"));
	T_ASSERT(!permitted(&c, "S-1-5-32-544"));
	T_ASSERT(!permitted(&c, "S-1-5-32-54")); /* a prefix is not the SID */
	T_ASSERT(!permitted(&c, "S-1-5-21-1-2-3-100"));
	T_ASSERT(permitted(&c, "S-1-1-0"));  /* Everyone */
	T_ASSERT(permitted(&c, "S-1-5-11")); /* Authenticated Users */
}

static void test_nobody(void)
{
	struct dcom_caller alice = caller("NTLMDEMO\\alice", "");
	char *empty[] = {NULL};
	T_ASSERT(!dcom_caller_permitted(srv, &alice, empty)); /* an empty list is nobody */
	T_ASSERT(!dcom_caller_permitted(srv, &alice, NULL));
	struct dcom_caller anon = alice;
	anon.anonymous = 1;
	T_ASSERT(!permitted(&anon, "S-1-1-0"));
	T_ASSERT(!permitted(&anon, "alice"));
	struct dcom_caller unauth = alice;
	unauth.authenticated = 0;
	T_ASSERT(!permitted(&unauth, "S-1-5-11"));
	T_ASSERT(!permitted(&unauth, "alice"));
	struct dcom_caller logon = caller("NT AUTHORITY\\ANONYMOUS LOGON", "");
	T_ASSERT(!permitted(&logon, "S-1-1-0"));
	struct dcom_caller nameless = caller("", "");
	T_ASSERT(!permitted(&nameless, "S-1-5-11"));
}

static void test_config(void)
{
	ntlm_dcom_server *s = NULL;
	ntlm_dcom_server_config cfg = {NTLM_DCOM_SERVER_CONFIG_INIT};
	cfg.authn_svc = 9; /* Negotiate: not ours */
	T_ASSERT(ntlm_dcom_server_new(&s, &cfg) == NTLM_DCOM_E_INVALIDARG && !s);
	cfg.authn_svc = 0;
	cfg.authn_level = 7;
	T_ASSERT(ntlm_dcom_server_new(&s, &cfg) == NTLM_DCOM_E_INVALIDARG && !s);
	ntlm_dcom_server_config unsized = cfg;
	unsized.struct_size = 0;
	unsized.authn_level = 0;
	T_ASSERT(ntlm_dcom_server_new(&s, &unsized) == NTLM_DCOM_E_INVALIDARG && !s);
	cfg.authn_level = 0;
	T_ASSERT(ntlm_dcom_server_new(&s, &cfg) == NTLM_DCOM_S_OK);
	/* the default floor is PKT_INTEGRITY, the ping timeout 120 s x 3 */
	T_ASSERT(s->cfg.authn_level == NTLM_RPC_LEVEL_PKT_INTEGRITY);
	T_ASSERT(s->cfg.ping_period_ms == 120000 && s->cfg.ping_count == 3);
	ntlm_dcom_class cls = {NTLM_DCOM_CLASS_INIT};
	T_ASSERT(ntlm_dcom_server_register_class(s, &cls) == NTLM_DCOM_E_INVALIDARG); /* no factory */
	ntlm_dcom_server_free(s);
}

int main(void)
{
	ntlm_server_config ncfg = {NTLM_SERVER_CONFIG_INIT};
	ncfg.computer_name = "NTLMDEMO";
	ntlm_dcom_server_config cfg = {NTLM_DCOM_SERVER_CONFIG_INIT};
	cfg.ntlm = &ncfg;
	if (ntlm_dcom_server_new(&srv, &cfg) != NTLM_DCOM_S_OK) {
		fprintf(stderr, "setup: ntlm_dcom_server_new failed\n");
		return 2;
	}
	T_RUN(test_users);
	T_RUN(test_groups);
	T_RUN(test_sids);
	T_RUN(test_nobody);
	T_RUN(test_config);
	ntlm_dcom_server_free(srv);
	T_END();
}
