/*
 * test_ctx_export.c - ntlm_ctx_export / ntlm_ctx_import carry a domain
 * logon's SIDs (token version 2), still read version 1 tokens (no SIDs),
 * and refuse other versions, oversized SID strings and SID strings that are
 * not SID syntax. Tokens with SIDs are made from an exported client context
 * by writing the SID strings into it, as a server context of a domain
 * logon would export them.
 */
#include "challenge.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "wire.h"

#define SID    "S-1-5-21-1451049861-2955549453-4117829074-1103"
#define GROUPS "S-1-5-21-1451049861-2955549453-4117829074-513 S-1-5-21-1-2-3-1110"
#define HEADER (8 + 7 + 4 + 16) /* magic+version, seven flag bytes, flags, key */

/* An established client context's token (version 2, empty SIDs), with a session. */
static ntlm_err exported_client(ntlm_buffer *tok)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_buffer neg = {0}, chal = {0}, auth = {0};
	ntlm_err rc = ntlm_cred_password(&cred, "DOM", "alice", "Secret-1");
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&ctx, cred, NULL);
	if (rc == NTLM_OK && (rc = ntlm_step(ctx, NULL, 0, &neg)) == NTLM_CONTINUE)
		rc = t_challenge(0xe28a8235u, NAMES | TIMESTAMP, &chal);
	if (rc == NTLM_OK)
		rc = ntlm_step(ctx, chal.data, chal.len, &auth);
	uint8_t m[4] = "msg", sig[16];
	if (rc == NTLM_OK) /* one message: the RC4 state is not the initial one */
		rc = ntlm_protect(ctx, NTLM_PROTECT_SEAL, 0, m, sizeof(m), sig);
	if (rc == NTLM_OK)
		rc = ntlm_ctx_export(ctx, tok);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	return rc;
}

/* Where the SID strings of a version 2 token start (after the six names). */
static size_t sids_offset(const ntlm_buffer *tok)
{
	size_t off = HEADER;
	for (int i = 0; i < 6; i++)
		off += 2 + (size_t)(tok->data[off] | tok->data[off + 1] << 8);
	return off;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * The token with the SID strings replaced by sid and groups (lengths as
 * given, or sid_len when not (uint32_t)-1), version byte set, or the SID
 * fields dropped (version 1).
 */
static ntlm_err with_sids(const ntlm_buffer *tok, uint8_t version, const char *sid,
                          uint32_t sid_len, const char *groups, ntlm_buffer *out)
{
	size_t at = sids_offset(tok), rest = at + 8;
	size_t ns = strlen(sid), ng = strlen(groups);
	int drop = version == 1;
	out->len = tok->len - 8 + (drop ? 0 : 8 + ns + ng);
	out->data = malloc(out->len);
	if (!out->data)
		return NTLM_E_NO_MEMORY;
	uint8_t *p = out->data;
	memcpy(p, tok->data, at);
	p[7] = version;
	p += at;
	if (!drop) {
		put_u32(p, sid_len != (uint32_t)-1 ? sid_len : (uint32_t)ns);
		memcpy(p + 4, sid, ns);
		put_u32(p + 4 + ns, (uint32_t)ng);
		memcpy(p + 8 + ns, groups, ng);
		p += 8 + ns + ng;
	}
	memcpy(p, tok->data + rest, tok->len - rest);
	return NTLM_OK;
}

static ntlm_err import_variant(uint8_t version, const char *sid, uint32_t sid_len,
                               const char *groups, char *got_sid, char *got_groups)
{
	ntlm_buffer tok = {0}, v = {0};
	ntlm_ctx *ctx = NULL;
	ntlm_err rc = exported_client(&tok);
	if (rc == NTLM_OK)
		rc = with_sids(&tok, version, sid, sid_len, groups, &v);
	if (rc == NTLM_OK)
		rc = ntlm_ctx_import(&ctx, v.data, v.len);
	if (rc == NTLM_OK && got_sid) {
		snprintf(got_sid, 128, "%s", ntlm_ctx_sid(ctx));
		snprintf(got_groups, 256, "%s", ntlm_ctx_group_sids(ctx));
	}
	if (rc != NTLM_OK && ctx)
		rc = NTLM_E_INTERNAL; /* a refused token must leave no context */
	ntlm_ctx_free(ctx);
	ntlm_buffer_free(&tok);
	ntlm_buffer_free(&v);
	return rc;
}

static void test_sids_round_trip(void)
{
	ntlm_buffer tok = {0}, v = {0}, again = {0};
	ntlm_ctx *ctx = NULL;
	T_SETUP(exported_client(&tok));
	T_ASSERT(tok.data[7] == 2);
	T_SETUP(with_sids(&tok, 2, SID, (uint32_t)-1, GROUPS, &v));
	ntlm_err rc = ntlm_ctx_import(&ctx, v.data, v.len);
	char sid[128] = "", groups[256] = "";
	if (rc == NTLM_OK) {
		snprintf(sid, sizeof(sid), "%s", ntlm_ctx_sid(ctx));
		snprintf(groups, sizeof(groups), "%s", ntlm_ctx_group_sids(ctx));
		rc = ntlm_ctx_export(ctx, &again);
	}
	int same = rc == NTLM_OK && again.len == v.len && memcmp(again.data, v.data, v.len) == 0;
	ntlm_ctx_free(ctx);
	ntlm_buffer_free(&tok);
	ntlm_buffer_free(&v);
	ntlm_buffer_free(&again);
	T_OK(rc);
	T_STR(sid, SID);
	T_STR(groups, GROUPS);
	T_ASSERT(same); /* exported again, byte for byte */
}

/* A token of the previous build (version 1) imports, with no SIDs. */
static void test_version1_still_read(void)
{
	char sid[128] = "x", groups[256] = "x";
	T_OK(import_variant(1, "", (uint32_t)-1, "", sid, groups));
	T_STR(sid, "");
	T_STR(groups, "");
}

static void test_other_versions_refused(void)
{
	T_EXPECT_ERR(import_variant(3, "", (uint32_t)-1, "", NULL, NULL), NTLM_E_BAD_MESSAGE_TYPE);
	T_EXPECT_ERR(import_variant(0, "", (uint32_t)-1, "", NULL, NULL), NTLM_E_BAD_MESSAGE_TYPE);
}

/* A length past the bound is refused before anything is read; one past the token is short. */
static void test_sid_lengths_bounded(void)
{
	T_EXPECT_ERR(import_variant(2, SID, 0x7fffffffu, "", NULL, NULL), NTLM_E_BAD_MESSAGE_TYPE);
	T_EXPECT_ERR(import_variant(2, SID, (1u << 20) + 1, "", NULL, NULL), NTLM_E_BAD_MESSAGE_TYPE);
	T_EXPECT_ERR(import_variant(2, SID, 60000, "", NULL, NULL), NTLM_E_TRUNCATED);
}

static void test_sid_syntax_checked(void)
{
	static const char *bad_sid[] = {"S-1-5-21-x", "S-1-5 S-1-2", "s-1-5",
	                                "S-",         "1-5-21",      "S-1-5\n"};
	static const char *bad_groups[] = {"S-1-5 ", " S-1-5", "S-1-5  S-1-2", "S-1-5,S-1-2",
	                                   "S-1-5 x"};
	for (size_t i = 0; i < sizeof(bad_sid) / sizeof(bad_sid[0]); i++)
		T_EXPECT_ERR(import_variant(2, bad_sid[i], (uint32_t)-1, "", NULL, NULL),
		             NTLM_E_BAD_STRING);
	for (size_t i = 0; i < sizeof(bad_groups) / sizeof(bad_groups[0]); i++)
		T_EXPECT_ERR(import_variant(2, SID, (uint32_t)-1, bad_groups[i], NULL, NULL),
		             NTLM_E_BAD_STRING);
	char sid[128], groups[256];
	T_OK(import_variant(2, "", (uint32_t)-1, "S-1-5-32-545", sid, groups));
	T_STR(groups, "S-1-5-32-545");
}

int main(void)
{
	T_RUN(test_sids_round_trip);
	T_RUN(test_version1_still_read);
	T_RUN(test_other_versions_refused);
	T_RUN(test_sid_lengths_bounded);
	T_RUN(test_sid_syntax_checked);
	T_END();
}
