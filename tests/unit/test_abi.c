/*
 * test_abi.c - the ABI rule of ntlmssp.h: every structure the caller fills
 * carries struct_size. An uninitialised one (size 0) or one from a newer
 * header than the library's is refused with NTLM_E_STRUCT_SIZE before any
 * field is used; a caller's older, shorter structure is read only as far as
 * its size goes (the rest counts as 0), and a structure the library fills
 * for the caller is written only as far as its size goes.
 */
#include <string.h>

#include "ntlmssp/ntlmssp.h"
#include "sized.h"
#include "t.h"

static ntlm_err never_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	(void)impl;
	(void)req;
	(void)res;
	return NTLM_E_LOGON_FAILURE;
}

static void test_unset_sizes_refused(void)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_account_store *store = NULL;
	T_OK(ntlm_cred_password(&cred, "D", "u", "pw"));
	ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = never_verify};
	T_OK(ntlm_account_store_new(&store, &ops, NULL));

	ntlm_client_config cc = {.workstation = "WS"}; /* no NTLM_CLIENT_CONFIG_INIT */
	T_EXPECT_ERR(ntlm_client_new(&ctx, cred, &cc), NTLM_E_STRUCT_SIZE);
	T_ASSERT(ctx == NULL);
	cc.struct_size = sizeof(cc) + 8; /* a newer header than this library */
	T_EXPECT_ERR(ntlm_client_new(&ctx, cred, &cc), NTLM_E_STRUCT_SIZE);
	cc.struct_size = sizeof(cc);
	ntlm_policy pol;
	memset(&pol, 0, sizeof(pol)); /* a policy ntlm_policy_init never saw */
	cc.policy = &pol;
	T_EXPECT_ERR(ntlm_client_new(&ctx, cred, &cc), NTLM_E_STRUCT_SIZE);
	ntlm_policy_init(&pol);
	ntlm_hooks hooks = {.now = NULL};
	cc.hooks = &hooks;
	T_EXPECT_ERR(ntlm_client_new(&ctx, cred, &cc), NTLM_E_STRUCT_SIZE);
	hooks.struct_size = sizeof(hooks);
	T_OK(ntlm_client_new(&ctx, cred, &cc));
	ntlm_ctx_free(ctx);
	ctx = NULL;

	ntlm_server_config sc = {.store = store};
	T_EXPECT_ERR(ntlm_server_new(&ctx, &sc), NTLM_E_STRUCT_SIZE);
	T_ASSERT(ntlm_policy_conflict(&pol, &sc) != NULL); /* says the config is not initialised */
	sc.struct_size = sizeof(sc);
	sc.policy = &pol;
	T_OK(ntlm_server_new(&ctx, &sc));
	ntlm_ctx_free(ctx);

	ntlm_account_store *s2 = NULL;
	ntlm_account_store_ops bare = {.verify = never_verify};
	T_EXPECT_ERR(ntlm_account_store_new(&s2, &bare, NULL), NTLM_E_STRUCT_SIZE);
	T_ASSERT(s2 == NULL);

	ntlm_policy unset;
	memset(&unset, 0, sizeof(unset));
	T_EXPECT_ERR(ntlm_policy_load(&unset, "/nonexistent/ntlmssp.conf", NULL), NTLM_E_STRUCT_SIZE);
	ntlm_account_store_free(store);
	ntlm_cred_free(cred);
}

/* A structure of a later version: one more field than its first one had. */
struct grown {
	size_t struct_size;
	uint32_t old_field;
	uint32_t new_field;
};
#define GROWN_V0 NTLM_SIZE_UPTO(struct grown, old_field)

static void test_older_caller_read_and_written_in_its_size(void)
{
	/* a caller built when the structure ended at old_field; what follows is not its */
	uint8_t mem[sizeof(struct grown) + 8];
	memset(mem, 0xAA, sizeof(mem));
	struct grown caller = {GROWN_V0, 7, 0};
	memcpy(mem, &caller, GROWN_V0);
	struct grown in;
	T_OK(ntlm_sized_in(&in, sizeof(in), mem, GROWN_V0));
	T_ASSERT(in.old_field == 7 && in.new_field == 0 && in.struct_size == sizeof(in));

	struct grown full = {sizeof(full), 1, 2};
	T_OK(ntlm_sized_out(mem, &full, sizeof(full), GROWN_V0));
	memcpy(&caller, mem, GROWN_V0);
	T_ASSERT(caller.struct_size == GROWN_V0 && caller.old_field == 1);
	for (size_t i = GROWN_V0; i < sizeof(mem); i++)
		T_ASSERT(mem[i] == 0xAA); /* nothing past the caller's size */

	size_t zero = 0, big = sizeof(struct grown) + 1, small = GROWN_V0 - 1;
	T_EXPECT_ERR(ntlm_sized_in(&in, sizeof(in), &zero, GROWN_V0), NTLM_E_STRUCT_SIZE);
	memcpy(mem, &big, sizeof(big));
	T_EXPECT_ERR(ntlm_sized_in(&in, sizeof(in), mem, GROWN_V0), NTLM_E_STRUCT_SIZE);
	T_EXPECT_ERR(ntlm_sized_out(mem, &full, sizeof(full), GROWN_V0), NTLM_E_STRUCT_SIZE);
	memcpy(mem, &small, sizeof(small));
	T_EXPECT_ERR(ntlm_sized_in(&in, sizeof(in), mem, GROWN_V0), NTLM_E_STRUCT_SIZE);
}

/* ntlm_policy_init fills as much as the caller's structure holds, and no more. */
static void test_policy_init_writes_the_callers_size(void)
{
	union {
		ntlm_policy p;
		uint8_t raw[sizeof(ntlm_policy) + 16];
	} u;
	memset(&u, 0xAA, sizeof(u));
	ntlm_policy_init(&u.p);
	T_ASSERT(u.p.struct_size == sizeof(ntlm_policy));
	T_ASSERT(u.p.allowed_responses == NTLM_RESP_NTLMV2 && u.p.lockout_window == 1800);
	for (size_t i = sizeof(ntlm_policy); i < sizeof(u.raw); i++)
		T_ASSERT(u.raw[i] == 0xAA);
	memset(&u, 0xAA, sizeof(u));
	ntlm_policy_init_sized(&u.p, sizeof(size_t)); /* no version of the policy is this small */
	for (size_t i = 0; i < sizeof(u.raw); i++)
		T_ASSERT(u.raw[i] == 0xAA);
}

/*
 * ntlm_audit_json() takes a caller's event: unset or unknown sizes are
 * refused, and an event from before account_source existed is read only up
 * to its size (what lies beyond is not the caller's and never shows).
 */
static void test_audit_event_read_in_its_size(void)
{
	static const char not_the_callers[] = "past-the-callers-size";
	ntlm_buffer out = {0};
	union {
		ntlm_audit_event ev;
		uint8_t raw[sizeof(ntlm_audit_event) + 8];
	} u;
	memset(&u, 0, sizeof(u));
	u.ev.user = "alice";
	u.ev.account_source = not_the_callers;
	T_EXPECT_ERR(ntlm_audit_json(&u.ev, &out), NTLM_E_STRUCT_SIZE); /* no _INIT */
	T_ASSERT(out.data == NULL);
	u.ev.struct_size = sizeof(u.ev) + 8; /* a newer header than this library */
	T_EXPECT_ERR(ntlm_audit_json(&u.ev, &out), NTLM_E_STRUCT_SIZE);
	u.ev.struct_size = AUDIT_EVENT_V0_SIZE - 1;
	T_EXPECT_ERR(ntlm_audit_json(&u.ev, &out), NTLM_E_STRUCT_SIZE);

	u.ev.struct_size = AUDIT_EVENT_V0_SIZE; /* built before account_source was added */
	T_OK(ntlm_audit_json(&u.ev, &out));
	T_ASSERT(memmem(out.data, out.len, "\"user\":\"alice\"", 14) != NULL);
	T_ASSERT(memmem(out.data, out.len, not_the_callers, sizeof(not_the_callers) - 1) == NULL);
	ntlm_buffer_free(&out);

	/* negative: an event of today's size shows the field */
	u.ev.struct_size = sizeof(u.ev);
	T_OK(ntlm_audit_json(&u.ev, &out));
	T_ASSERT(memmem(out.data, out.len, not_the_callers, sizeof(not_the_callers) - 1) != NULL);
	ntlm_buffer_free(&out);
	ntlm_audit_event init = {NTLM_AUDIT_EVENT_INIT};
	T_ASSERT(init.struct_size == sizeof(ntlm_audit_event));
}

int main(void)
{
	T_RUN(test_unset_sizes_refused);
	T_RUN(test_older_caller_read_and_written_in_its_size);
	T_RUN(test_policy_init_writes_the_callers_size);
	T_RUN(test_audit_event_read_in_its_size);
	T_END();
}
