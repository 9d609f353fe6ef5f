/*
 * test_vectors.c - the [MS-NLMP] 4.2 examples at message level, through the
 * public handshake API (what production runs):
 *  - the spec's messages decode to the spec's values;
 *  - a client given the 4.2.1 inputs (credentials, time and randomness through
 *    ntlm_hooks) and fed the spec's CHALLENGE answers with the spec's
 *    AUTHENTICATE, derives the spec's key and seals as the spec does;
 *  - a server whose CHALLENGE carries the spec's ServerChallenge accepts the
 *    spec's AUTHENTICATE, derives the spec's key and unseals the spec's
 *    sealed message.
 * The bytes are in tests/vectors/nlmp_vectors.h.
 */
#include <unistd.h>

#include "nlmp_vectors.h"
#include "ntlm_keys.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "v2temp.h"
#include "mem.h"
#include "try.h"
#include "wire.h"

/* AUTHENTICATE_MESSAGE layout ([MS-NLMP] 2.2.1.3): NegotiateFlags, then Version. */
#define AUTH_FLAGS_OFFSET   60
#define AUTH_VERSION_OFFSET 64

/* 4.2.1 Time is FILETIME 0 (1601-01-01): in the hooks' Unix seconds. */
#define SPEC_UNIX_TIME (-11644473600LL)

static int64_t spec_now(void *arg)
{
	(void)arg;
	return SPEC_UNIX_TIME;
}

/*
 * The 4.2.1 random values, handed out in the order the engine asks for them;
 * a request of another size (or one too many) fails, so the test also fixes
 * what randomness each role consumes.
 */
struct spec_random {
	const uint8_t *const *values;
	const size_t *lens;
	size_t n, next;
};

static ntlm_err spec_random_fill(void *arg, uint8_t *buf, size_t len)
{
	struct spec_random *r = arg;
	if (r->next >= r->n || r->lens[r->next] != len)
		return NTLM_E_RANDOM;
	memcpy(buf, r->values[r->next], len);
	r->next++;
	return NTLM_OK;
}

/* ------------------------------------------------- the spec's messages */

static void check_auth_names(const nw_authenticate *a)
{
	T_STR(a->domain, V_DOMAIN_STR);
	T_STR(a->user, V_USER_STR);
	T_STR(a->workstation, V_WORKSTATION_STR);
}

static void check_spec_challenge(const uint8_t *msg, size_t len, uint32_t flags)
{
	nw_challenge c;
	T_OK(nw_challenge_decode(msg, len, &c));
	int ok = c.flags == flags && memcmp(c.server_challenge, V_SERVER_CHALLENGE, 8) == 0 &&
	         c.target_name && strcmp(c.target_name, V_SERVER_STR) == 0;
	int ti = (c.flags & NTLMSSP_NEGOTIATE_TARGET_INFO)
	             ? c.target_info_len == sizeof(V2_TARGET_INFO) &&
	                   memcmp(c.target_info, V2_TARGET_INFO, sizeof(V2_TARGET_INFO)) == 0
	             : c.target_info_len == 0;
	nw_challenge_clear(&c);
	T_ASSERT(ok);
	T_ASSERT(ti);
}

/* The CHALLENGE messages decode to 4.2.1's ServerChallenge, the section's flags, "Server". */
static void test_spec_challenges_decode(void)
{
	check_spec_challenge(V1_CHALLENGE_MSG, sizeof(V1_CHALLENGE_MSG), V1_NEGOTIATE_FLAGS);
	check_spec_challenge(V1ESS_CHALLENGE_MSG, sizeof(V1ESS_CHALLENGE_MSG), V1ESS_NEGOTIATE_FLAGS);
	check_spec_challenge(V2_CHALLENGE_MSG, sizeof(V2_CHALLENGE_MSG), V2_NEGOTIATE_FLAGS);
}

/* The erratum: 4.2.2.3 as printed lacks Reserved and TargetInfoFields; it must not decode. */
static void test_spec_challenge_erratum_refused(void)
{
	uint8_t printed[sizeof(V1_CHALLENGE_MSG) - 16];
	memcpy(printed, V1_CHALLENGE_MSG, 32);
	memcpy(printed + 32, V1_CHALLENGE_MSG + 48, sizeof(V1_CHALLENGE_MSG) - 48);
	nw_challenge c;
	T_ASSERT(nw_challenge_decode(printed, sizeof(printed), &c) != NTLM_OK);
}

/* The AUTHENTICATE messages carry the computed responses and keys of nlmp_vectors.h. */
static void test_spec_authenticates_decode(void)
{
	nw_authenticate a;
	T_OK(nw_authenticate_decode(V1_AUTHENTICATE_MSG, sizeof(V1_AUTHENTICATE_MSG), &a));
	check_auth_names(&a);
	int ok = a.lm_response_len == 24 && memcmp(a.lm_response, V1_LM_RESPONSE, 24) == 0 &&
	         a.nt_response_len == 24 && memcmp(a.nt_response, V1_NT_RESPONSE, 24) == 0 &&
	         a.encrypted_session_key_len == 16 &&
	         memcmp(a.encrypted_session_key, V1_ENCRYPTED_SESSION_KEY, 16) == 0;
	nw_authenticate_clear(&a);
	T_ASSERT(ok);

	T_OK(nw_authenticate_decode(V1ESS_AUTHENTICATE_MSG, sizeof(V1ESS_AUTHENTICATE_MSG), &a));
	check_auth_names(&a);
	ok = a.lm_response_len == 24 && memcmp(a.lm_response, V1ESS_LM_RESPONSE, 24) == 0 &&
	     a.nt_response_len == 24 && memcmp(a.nt_response, V1ESS_NT_RESPONSE, 24) == 0 &&
	     a.encrypted_session_key_len == 0;
	nw_authenticate_clear(&a);
	T_ASSERT(ok);

	T_OK(nw_authenticate_decode(V2_AUTHENTICATE_MSG, sizeof(V2_AUTHENTICATE_MSG), &a));
	check_auth_names(&a);
	ok = a.lm_response_len == 24 && memcmp(a.lm_response, V2_LM_RESPONSE, 24) == 0 &&
	     a.nt_response_len == sizeof(V2_NT_RESPONSE) &&
	     memcmp(a.nt_response, V2_NT_RESPONSE, sizeof(V2_NT_RESPONSE)) == 0 &&
	     a.encrypted_session_key_len == 16 &&
	     memcmp(a.encrypted_session_key, V2_ENCRYPTED_SESSION_KEY, 16) == 0 && !a.has_mic_field;
	nw_authenticate_clear(&a);
	T_ASSERT(ok);
}

/*
 * 4.2.4 through the functions the client and the smbpasswd store call, fed
 * the spec's blob: temp, NTProofStr, SessionBaseKey, EncryptedRandomSessionKey
 * as they stand inside the spec's AUTHENTICATE.
 */
static void test_spec_v2_blob_production_path(void)
{
	uint64_t t = 0;
	for (int i = 7; i >= 0; i--)
		t = (t << 8) | V_TIME[i];
	ntlm_buffer temp = {0};
	uint8_t v2[16], proof[16], sbk[16], enc[16];
	T_OK(nk_ntowfv2(V1_NTOWF, V_USER_STR, V_DOMAIN_STR, v2));
	T_OK(v2_temp(t, V_CLIENT_CHALLENGE, V2_TARGET_INFO, sizeof(V2_TARGET_INFO), &temp));
	nk_v2_proof_and_key(v2, V_SERVER_CHALLENGE, temp.data, temp.len, proof, sbk);
	nk_rc4_oneshot(sbk, 16, V_RANDOM_SESSION_KEY, enc, 16);

	nw_authenticate a;
	T_OK(nw_authenticate_decode(V2_AUTHENTICATE_MSG, sizeof(V2_AUTHENTICATE_MSG), &a));
	int ok = a.nt_response_len == 16 + temp.len &&
	         memcmp(a.nt_response + 16, temp.data, temp.len) == 0 &&
	         memcmp(a.nt_response, proof, 16) == 0 && memcmp(a.encrypted_session_key, enc, 16) == 0;
	nw_authenticate_clear(&a);
	ntlm_buffer_free(&temp);
	T_ASSERT(ok);
	T_BYTES(sbk, V2_SESSION_BASE_KEY, 16);
}

/* ------------------------------------------------------------- client */

struct spec_client {
	ntlm_cred *cred;
	ntlm_policy pol;
	ntlm_hooks hooks;
	struct spec_random rnd;
	ntlm_client_config cfg;
	ntlm_ctx *ctx;
	ntlm_buffer neg, auth;
};

static const uint8_t *const client_rnd_v1[] = {V_RANDOM_SESSION_KEY};
static const size_t client_len_v1[] = {16};
static const uint8_t *const client_rnd_ess[] = {V_CLIENT_CHALLENGE, V_RANDOM_SESSION_KEY};
static const size_t client_len_ess[] = {8, 16};

/* A client with the 4.2.1 inputs, fed the CHALLENGE; the AUTHENTICATE lands in c->auth. */
static ntlm_err spec_client_run(struct spec_client *c, uint32_t allowed, uint32_t min_security,
                                const uint8_t *const *rnd, const size_t *lens, size_t n,
                                const uint8_t *challenge, size_t challenge_len)
{
	memset(c, 0, sizeof(*c));
	NTLM_TRY(ntlm_cred_password(&c->cred, V_DOMAIN_STR, V_USER_STR, V_PASSWORD_STR));
	ntlm_policy_init(&c->pol);
	/* NTLMv1 and weaker keys are explicit settings, as the spec's examples need */
	c->pol.allowed_responses = allowed;
	c->pol.min_security = min_security;
	c->rnd = (struct spec_random){rnd, lens, n, 0};
	c->hooks = (ntlm_hooks){NTLM_HOOKS_INIT, .now = spec_now, .random = spec_random_fill,
	                        .arg = &c->rnd};
	c->cfg.struct_size = sizeof(c->cfg);
	c->cfg.policy = &c->pol;
	c->cfg.workstation = V_WORKSTATION_STR;
	c->cfg.hooks = &c->hooks;
	NTLM_TRY(ntlm_client_new(&c->ctx, c->cred, &c->cfg));
	ntlm_err rc = ntlm_step(c->ctx, NULL, 0, &c->neg);
	if (rc != NTLM_CONTINUE)
		return rc;
	return ntlm_step(c->ctx, challenge, challenge_len, &c->auth);
}

static void spec_client_free(struct spec_client *c)
{
	ntlm_ctx_free(c->ctx);
	ntlm_cred_free(c->cred);
	ntlm_buffer_free(&c->neg);
	ntlm_buffer_free(&c->auth);
}

/*
 * The client's seal of the 4.2 plaintext is the spec's sealed message: this
 * needs the spec's ExportedSessionKey and the negotiated flags to match.
 */
static void check_client_seals(ntlm_ctx *ctx, const uint8_t *sealed, const uint8_t *signature)
{
	uint8_t buf[sizeof(V_PLAINTEXT)], sig[16];
	memcpy(buf, V_PLAINTEXT, sizeof(buf));
	T_OK(ntlm_protect(ctx, NTLM_PROTECT_SEAL, 0, buf, sizeof(buf), sig));
	T_BYTES(buf, sealed, sizeof(buf));
	T_BYTES(sig, signature, 16);
}

/*
 * The whole AUTHENTICATE, byte for byte, except two fields the spec's client
 * chose for itself: NegotiateFlags (checked against want_flags) and the
 * Version (ours is checked to be a VERSION with NTLMSSP_REVISION_W2K3).
 */
static void check_whole_authenticate(const ntlm_buffer *got, const uint8_t *spec, size_t spec_len,
                                     uint32_t want_flags)
{
	T_ASSERT(got->len == spec_len);
	uint8_t want[256];
	T_ASSERT(spec_len <= sizeof(want));
	memcpy(want, spec, spec_len);
	uint32_t flags = (uint32_t)got->data[AUTH_FLAGS_OFFSET] |
	                 (uint32_t)got->data[AUTH_FLAGS_OFFSET + 1] << 8 |
	                 (uint32_t)got->data[AUTH_FLAGS_OFFSET + 2] << 16 |
	                 (uint32_t)got->data[AUTH_FLAGS_OFFSET + 3] << 24;
	if (flags != want_flags)
		T_FAIL("client flags 0x%08x, wanted 0x%08x", flags, want_flags);
	T_ASSERT(got->data[AUTH_VERSION_OFFSET + 7] == 0x0f);
	memcpy(want + AUTH_FLAGS_OFFSET, got->data + AUTH_FLAGS_OFFSET, 12);
	T_BYTES(got->data, want, spec_len);
}

/*
 * 4.2.2: NTLMv1 with an LM hash, LM allowed. The client's flags differ from
 * the spec client's 0xe2808235: ours are the CHALLENGE's offer limited to what
 * we requested (so TARGET_TYPE_SERVER stays, and REQUEST_TARGET/TARGET_INFO,
 * which the CHALLENGE does not offer, are not added). No flag enters a v1
 * response or key, so everything else matches.
 */
static void test_client_v1(void)
{
	struct spec_client c;
	ntlm_err rc = spec_client_run(&c, NTLM_RESP_NTLMV1 | NTLM_RESP_LM,
	                              NTLM_SEC_128BIT | NTLM_SEC_KEY_EXCH, client_rnd_v1, client_len_v1,
	                              1, V1_CHALLENGE_MSG, sizeof(V1_CHALLENGE_MSG));
	if (rc != NTLM_OK) {
		spec_client_free(&c);
		T_FAIL("client: %s", ntlm_err_name(rc));
	}
	uint8_t key[16];
	int used_all = c.rnd.next == c.rnd.n;
	check_whole_authenticate(&c.auth, V1_AUTHENTICATE_MSG, sizeof(V1_AUTHENTICATE_MSG),
	                         V1_NEGOTIATE_FLAGS & ~NTLMSSP_NEGOTIATE_OEM);
	T_ASSERT(used_all);
	T_OK(ntlm_ctx_session_key(c.ctx, key));
	T_BYTES(key, V_RANDOM_SESSION_KEY, 16);
	T_ASSERT(ntlm_ctx_response_kind(c.ctx) == NTLM_KIND_NTLMV1);
	check_client_seals(c.ctx, V1_SEALED_DATA, V1_SIGNATURE);
	spec_client_free(&c);
}

/*
 * 4.2.3: NTLMv1 with ESS, 56-bit, no key exchange. As in 4.2.2 the client's
 * flags differ from the spec client's 0x82088235 only in TARGET_TYPE_SERVER
 * (kept) and REQUEST_TARGET (not offered).
 */
static void test_client_v1_ess(void)
{
	struct spec_client c;
	/* no KEY_EXCH: the RandomSessionKey is never asked for */
	ntlm_err rc = spec_client_run(&c, NTLM_RESP_NTLMV1, 0, client_rnd_ess, client_len_ess, 1,
	                              V1ESS_CHALLENGE_MSG, sizeof(V1ESS_CHALLENGE_MSG));
	if (rc != NTLM_OK) {
		spec_client_free(&c);
		T_FAIL("client: %s", ntlm_err_name(rc));
	}
	uint8_t key[16];
	int used_all = c.rnd.next == c.rnd.n;
	check_whole_authenticate(&c.auth, V1ESS_AUTHENTICATE_MSG, sizeof(V1ESS_AUTHENTICATE_MSG),
	                         V1ESS_NEGOTIATE_FLAGS & ~NTLMSSP_NEGOTIATE_OEM);
	T_ASSERT(used_all);
	T_OK(ntlm_ctx_session_key(c.ctx, key));
	T_BYTES(key, V1ESS_KEYEXCH_KEY, 16);
	T_ASSERT(ntlm_ctx_response_kind(c.ctx) == NTLM_KIND_NTLMV1_ESS);
	check_client_seals(c.ctx, V1ESS_SEALED_DATA, V1ESS_SIGNATURE);
	spec_client_free(&c);
}

/*
 * 4.2.4: NTLMv2 with the default policy. Not compared byte for byte, on
 * purpose: where the spec's client echoes the server's AV pairs unchanged,
 * ours may add its own (MsvAvChannelBindings, MsvAvTargetName; MsvAvFlags and
 * a MIC when the server sent a timestamp), which changes NTProofStr, the
 * session base key and the encrypted key; and with a TargetInfo it may send
 * Z(24) rather than an LMv2 response ([MS-NLMP] 3.1.5.1.2; the spec's LMv2
 * bytes are checked in test_spec_authenticates_decode). What the spec fixes is checked: the names,
 * the blob's time, client challenge and the server's AV pairs, a proof that
 * the smbpasswd-store verifier accepts for the spec's credentials and
 * ServerChallenge, the key exchange under that proof's key, the spec's
 * ExportedSessionKey and sealed message. The spec's blob itself goes through
 * the same functions in test_spec_v2_blob_production_path.
 */
static void test_client_v2(void)
{
	struct spec_client c;
	ntlm_policy def;
	ntlm_policy_init(&def);
	ntlm_err rc = spec_client_run(&c, def.allowed_responses, def.min_security, client_rnd_ess,
	                              client_len_ess, 2, V2_CHALLENGE_MSG, sizeof(V2_CHALLENGE_MSG));
	if (rc != NTLM_OK) {
		spec_client_free(&c);
		T_FAIL("client: %s", ntlm_err_name(rc));
	}
	T_ASSERT(c.rnd.next == c.rnd.n);
	T_ASSERT(ntlm_ctx_response_kind(c.ctx) == NTLM_KIND_NTLMV2);

	nw_authenticate a;
	T_OK(nw_authenticate_decode(c.auth.data, c.auth.len, &a));
	nw_v2_response r;
	nw_av_list av = {NULL, 0, 0};
	ntlm_auth_request req;
	ntlm_auth_result res;
	uint8_t nt[16], enc[16];
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	T_SETUP(ntlm_nt_hash(V_PASSWORD_STR, nt));
	req.user = a.user;
	req.domain = a.domain;
	req.server_challenge = V_SERVER_CHALLENGE;
	req.nt_response = a.nt_response;
	req.nt_response_len = a.nt_response_len;
	req.flags = a.flags;
	req.allowed_responses = NTLM_RESP_NTLMV2;
	ntlm_err vrc = ntlm_verify_response(&req, nt, NULL, &res);
	int parsed = vrc == NTLM_OK &&
	             nw_v2_response_parse(a.nt_response, a.nt_response_len, &r) == NTLM_OK &&
	             nw_av_parse(r.av_pairs, r.av_len, &av) == NTLM_OK;
	const nw_av *dom = parsed ? nw_av_get(&av, NW_AV_NB_DOMAIN) : NULL;
	const nw_av *srv = parsed ? nw_av_get(&av, NW_AV_NB_COMPUTER) : NULL;
	int blob_ok = parsed && r.timestamp == 0 &&
	              memcmp(r.client_challenge, V_CLIENT_CHALLENGE, 8) == 0 && dom &&
	              dom->len == sizeof(V_USERDOM) && memcmp(dom->value, V_USERDOM, dom->len) == 0 &&
	              srv && srv->len == sizeof(V_SERVER_NAME) &&
	              memcmp(srv->value, V_SERVER_NAME, srv->len) == 0;
	nk_rc4_oneshot(res.session_base_key, 16, V_RANDOM_SESSION_KEY, enc, 16);
	int key_ok = a.encrypted_session_key_len == 16 && memcmp(a.encrypted_session_key, enc, 16) == 0;
	int names_ok = !strcmp(a.domain, V_DOMAIN_STR) && !strcmp(a.user, V_USER_STR) &&
	               !strcmp(a.workstation, V_WORKSTATION_STR);
	uint32_t flags = a.flags;
	nw_av_clear(&av);
	nw_authenticate_clear(&a);
	ntlm_memzero(&res, sizeof(res));
	T_OK(vrc);
	T_ASSERT(blob_ok);
	T_ASSERT(key_ok);
	T_ASSERT(names_ok);
	/* the offer less OEM; REQUEST_TARGET and TARGET_TYPE_SERVER as in 4.2.2 */
	if (flags != (V2_NEGOTIATE_FLAGS & ~NTLMSSP_NEGOTIATE_OEM))
		T_FAIL("client flags 0x%08x", flags);

	uint8_t key[16];
	T_OK(ntlm_ctx_session_key(c.ctx, key));
	T_BYTES(key, V_RANDOM_SESSION_KEY, 16);
	check_client_seals(c.ctx, V2_SEALED_DATA, V2_SIGNATURE);
	spec_client_free(&c);
}

/* ------------------------------------------------------------- server */

static char store_path[256];

static const char *spec_store(void)
{
	if (!store_path[0]) {
		uint8_t nt[16];
		snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-vectors-%d.smbpasswd",
		         (int)getpid());
		unlink(store_path);
		T_SETUP(ntlm_nt_hash(V_PASSWORD_STR, nt));
		T_SETUP(smbpw_modify(store_path, SMBPW_ADD, V_USER_STR, nt, NULL, 65534));
	}
	return store_path;
}

static const size_t server_len[] = {8};

/*
 * A server named as in 4.2 ("Server", domain "Domain") whose CHALLENGE
 * carries server_challenge, fed the spec's AUTHENTICATE. The NEGOTIATE asks
 * for what the spec's CHALLENGE offers.
 */
static ntlm_err server_run(const uint8_t *server_challenge, uint32_t allowed, uint32_t min_security,
                           uint32_t asked, const uint8_t *auth, size_t auth_len, ntlm_ctx **out)
{
	ntlm_account_store *store = NULL;
	ntlm_policy pol;
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	const uint8_t *const vals[] = {server_challenge};
	struct spec_random rnd = {vals, server_len, 1, 0};
	ntlm_hooks hooks = {NTLM_HOOKS_INIT, .now = spec_now, .random = spec_random_fill, .arg = &rnd};
	ntlm_buffer neg = {0}, chal = {0}, none = {0};
	nw_negotiate n;
	ntlm_err rc;
	*out = NULL;
	ntlm_policy_init(&pol);
	pol.allowed_responses = allowed;
	pol.min_security = min_security;
	cfg = (ntlm_server_config){NTLM_SERVER_CONFIG_INIT};
	memset(&n, 0, sizeof(n));
	n.flags = asked;
	cfg.policy = &pol;
	cfg.computer_name = V_SERVER_STR;
	cfg.domain_name = V_DOMAIN_STR;
	cfg.hooks = &hooks;
	rc = ntlm_account_store_smbpasswd(&store, spec_store());
	cfg.store = store;
	if (rc == NTLM_OK)
		rc = nw_negotiate_encode(&n, &neg);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(out, &cfg);
	if (rc == NTLM_OK && (rc = ntlm_step(*out, neg.data, neg.len, &chal)) == NTLM_CONTINUE)
		rc = ntlm_step(*out, auth, auth_len, &none);
	if (rc == NTLM_OK && rnd.next != rnd.n)
		rc = NTLM_E_INTERNAL;
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&none);
	ntlm_account_store_free(store);
	return rc;
}

static ntlm_err spec_server_run(uint32_t allowed, uint32_t min_security, uint32_t asked,
                                const uint8_t *auth, size_t auth_len, ntlm_ctx **out)
{
	return server_run(V_SERVER_CHALLENGE, allowed, min_security, asked, auth, auth_len, out);
}

/* The server's key is the spec's, and it unseals the spec's sealed message. */
static void check_server_unseals(ntlm_ctx *srv, const uint8_t *want_key, const uint8_t *sealed,
                                 const uint8_t *signature)
{
	uint8_t key[16], buf[sizeof(V_PLAINTEXT)];
	T_OK(ntlm_ctx_session_key(srv, key));
	T_BYTES(key, want_key, 16);
	memcpy(buf, sealed, sizeof(buf));
	T_OK(ntlm_unprotect(srv, NTLM_PROTECT_SEAL, 0, buf, sizeof(buf), signature));
	T_BYTES(buf, V_PLAINTEXT, sizeof(buf));
	T_STR(ntlm_ctx_peer_user(srv), V_USER_STR);
}

static void test_server_v1(void)
{
	ntlm_ctx *srv = NULL;
	ntlm_err rc = spec_server_run(NTLM_RESP_NTLMV1, NTLM_SEC_128BIT | NTLM_SEC_KEY_EXCH,
	                              V1_NEGOTIATE_FLAGS, V1_AUTHENTICATE_MSG,
	                              sizeof(V1_AUTHENTICATE_MSG), &srv);
	if (rc != NTLM_OK) {
		ntlm_ctx_free(srv);
		T_FAIL("server: %s", ntlm_err_name(rc));
	}
	T_ASSERT(ntlm_ctx_response_kind(srv) == NTLM_KIND_NTLMV1);
	check_server_unseals(srv, V_RANDOM_SESSION_KEY, V1_SEALED_DATA, V1_SIGNATURE);
	ntlm_ctx_free(srv);
}

static void test_server_v1_ess(void)
{
	ntlm_ctx *srv = NULL;
	ntlm_err rc = spec_server_run(NTLM_RESP_NTLMV1, 0, V1ESS_NEGOTIATE_FLAGS,
	                              V1ESS_AUTHENTICATE_MSG, sizeof(V1ESS_AUTHENTICATE_MSG), &srv);
	if (rc != NTLM_OK) {
		ntlm_ctx_free(srv);
		T_FAIL("server: %s", ntlm_err_name(rc));
	}
	T_ASSERT(ntlm_ctx_response_kind(srv) == NTLM_KIND_NTLMV1_ESS);
	check_server_unseals(srv, V1ESS_KEYEXCH_KEY, V1ESS_SEALED_DATA, V1ESS_SIGNATURE);
	ntlm_ctx_free(srv);
}

/*
 * 4.2.4 under the default policy (its clock at the spec's Time, so the blob is
 * fresh). The spec's CHALLENGE carries no MsvAvTimestamp and ours always does,
 * so the spec's blob echoes a TargetInfo without our timestamp: exactly what a
 * MitM that strips the timestamp produces, and refused as such (issue item 5).
 * The v2 key path itself is pinned by test_spec_v2_blob_production_path and
 * test_client_v2, which run the same nk_v2_proof_and_key the store runs.
 */
static void test_server_v2(void)
{
	ntlm_ctx *srv = NULL;
	ntlm_policy def;
	ntlm_policy_init(&def);
	ntlm_err rc = spec_server_run(def.allowed_responses, def.min_security, V2_NEGOTIATE_FLAGS,
	                              V2_AUTHENTICATE_MSG, sizeof(V2_AUTHENTICATE_MSG), &srv);
	ntlm_ctx_free(srv);
	if (rc != NTLM_E_TARGET_INFO_MISMATCH)
		T_FAIL("server: %s, wanted NTLM_E_TARGET_INFO_MISMATCH", ntlm_err_name(rc));
}

/* The same AUTHENTICATE against any other ServerChallenge is refused (no replay). */
static void test_server_other_challenge_refused(void)
{
	static const uint8_t other[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xee};
	static const struct {
		uint32_t allowed, min_security, asked;
		const uint8_t *auth;
		size_t len;
	} cases[] = {
		{NTLM_RESP_NTLMV1, 0, V1_NEGOTIATE_FLAGS, V1_AUTHENTICATE_MSG, sizeof(V1_AUTHENTICATE_MSG)},
		{NTLM_RESP_NTLMV1, 0, V1ESS_NEGOTIATE_FLAGS, V1ESS_AUTHENTICATE_MSG,
	     sizeof(V1ESS_AUTHENTICATE_MSG)},
		/* 4.2.4 is refused under any challenge for its missing timestamp: test_server_v2 */
	};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cases); i++) {
		ntlm_ctx *srv = NULL;
		ntlm_err rc = server_run(other, cases[i].allowed, cases[i].min_security, cases[i].asked,
		                         cases[i].auth, cases[i].len, &srv);
		ntlm_ctx_free(srv);
		if (rc != NTLM_E_LOGON_FAILURE)
			T_FAIL("case %zu: %s, wanted NTLM_E_LOGON_FAILURE", i, ntlm_err_name(rc));
	}
}

int main(void)
{
	T_RUN(test_spec_challenges_decode);
	T_RUN(test_spec_challenge_erratum_refused);
	T_RUN(test_spec_authenticates_decode);
	T_RUN(test_spec_v2_blob_production_path);
	T_RUN(test_client_v1);
	T_RUN(test_client_v1_ess);
	T_RUN(test_client_v2);
	T_RUN(test_server_v1);
	T_RUN(test_server_v1_ess);
	T_RUN(test_server_v2);
	T_RUN(test_server_other_challenge_refused);
	if (store_path[0])
		unlink(store_path);
	T_END();
}
