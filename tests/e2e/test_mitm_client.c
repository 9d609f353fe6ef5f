/*
 * test_mitm_client.c - a man in the middle between this library's client and
 * server, in one process: between two ntlm_step calls it rewrites the
 * CHALLENGE. The attack it plays: the victim client talks to the attacker
 * (no SPN, no TLS of its own); the attacker relays to a server that
 * requires a target name and channel bindings, the bindings of the
 * attacker's own TLS channel. The attacker strips MsvAvTimestamp (so the
 * client sends no MIC over the CHALLENGE) and injects the server's SPN and
 * its own bindings, hoping the client echoes them inside the
 * NTProofStr-protected blob. The client must not: it sends its own pairs.
 */
#include <stdlib.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "try.h"
#include "wire.h"

static char store_path[128];
static const char *const services[] = {"HTTP/server.example.com", NULL};
static const uint8_t attacker_cbt[16] = "attacker-tls-cbt";
static const uint8_t victim_cbt[16] = "victims-own--cbt";

static void make_store(void)
{
	if (store_path[0])
		return;
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-mitm-%d.smbpasswd", (int)getpid());
	unlink(store_path);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	T_SETUP(smbpw_modify(store_path, SMBPW_ADD, "alice", nt, NULL, 0));
}

/* What the attacker does to the CHALLENGE. */
enum { KEEP = 0, STRIP_TIMESTAMP = 1, INJECT = 2 };

/* Rebuilds the CHALLENGE's TargetInfo: the server's pairs minus what is stripped, plus what is injected. */
static ntlm_err rewrite_challenge(const ntlm_buffer *in, int how, ntlm_buffer *out)
{
	nw_challenge c;
	nw_av_list got = {NULL, 0, 0}, put = {NULL, 0, 0};
	ntlm_buffer ti = {NULL, 0};
	NTLM_TRY(nw_challenge_decode(in->data, in->len, &c));
	ntlm_err rc = nw_av_parse(c.target_info, c.target_info_len, &got);
	for (size_t i = 0; rc == NTLM_OK && i < got.n; i++)
		if (!((how & STRIP_TIMESTAMP) && got.items[i].id == NW_AV_TIMESTAMP))
			rc = nw_av_set(&put, got.items[i].id, got.items[i].value, got.items[i].len);
	if (rc == NTLM_OK && (how & INJECT)) {
		uint8_t single_host[48];
		memset(single_host, 0x5a, sizeof(single_host));
		rc = nw_av_set_string(&put, NW_AV_TARGET_NAME, services[0]);
		if (rc == NTLM_OK)
			rc = nw_av_set(&put, NW_AV_CHANNEL_BINDINGS, attacker_cbt, 16);
		if (rc == NTLM_OK)
			rc = nw_av_set(&put, NW_AV_SINGLE_HOST, single_host, sizeof(single_host));
	}
	if (rc == NTLM_OK)
		rc = nw_av_encode(&put, &ti);
	if (rc == NTLM_OK) {
		uint8_t *orig = c.target_info;
		size_t orig_len = c.target_info_len;
		c.target_info = ti.data;
		c.target_info_len = ti.len;
		rc = nw_challenge_encode(&c, out);
		c.target_info = orig; /* nw_challenge_clear wipes and frees the decoded one */
		c.target_info_len = orig_len;
	}
	ntlm_buffer_free(&ti);
	nw_av_clear(&got);
	nw_av_clear(&put);
	nw_challenge_clear(&c);
	return rc;
}

struct relay {
	ntlm_err client_rc, server_rc;
	int server_established;
	nw_av_list av; /* the AV pairs in the client's NTLMv2 response */
	uint8_t lm[24];
};

/*
 * One relayed logon: victim client -> attacker (rewrites the CHALLENGE) ->
 * server requiring target name and the attacker's channel bindings.
 */
static void relay_run(struct relay *r, int how, const char *client_spn, const uint8_t *client_cbt)
{
	make_store();
	memset(r, 0, sizeof(*r));
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	ntlm_ctx *client = NULL, *server = NULL;
	ntlm_buffer neg = {0}, chal = {0}, forged = {0}, auth = {0}, none = {0};
	ntlm_policy spol;
	ntlm_policy_init(&spol);
	spol.require_target_name = 1;
	spol.cbt = NTLM_CBT_REQUIRED;
	ntlm_client_config ccfg = {NTLM_CLIENT_CONFIG_INIT};
	ntlm_server_config scfg;
	scfg = (ntlm_server_config){NTLM_SERVER_CONFIG_INIT};
	ccfg.workstation = "VICTIM";
	ccfg.target_name = client_spn;
	ccfg.cbt_hash = client_cbt;
	scfg.policy = &spol;
	scfg.computer_name = "SERVER";
	scfg.service_names = services;
	scfg.cbt_hash = attacker_cbt;

	r->client_rc = r->server_rc = NTLM_E_INTERNAL;
	if (ntlm_cred_password(&cred, "WORKGROUP", "alice", "Secret-1") ||
	    ntlm_account_store_smbpasswd(&store, store_path))
		goto out;
	scfg.store = store;
	if (ntlm_client_new(&client, cred, &ccfg) || ntlm_server_new(&server, &scfg))
		goto out;
	if (ntlm_step(client, NULL, 0, &neg) != NTLM_CONTINUE ||
	    ntlm_step(server, neg.data, neg.len, &chal) != NTLM_CONTINUE)
		goto out;
	if (rewrite_challenge(&chal, how, &forged) != NTLM_OK)
		goto out;
	r->client_rc = ntlm_step(client, forged.data, forged.len, &auth);
	if (r->client_rc != NTLM_OK)
		goto out;
	nw_authenticate a;
	if (nw_authenticate_decode(auth.data, auth.len, &a) == NTLM_OK) {
		nw_v2_response v2;
		if (nw_v2_response_parse(a.nt_response, a.nt_response_len, &v2) == NTLM_OK)
			/* left empty when malformed: the checks then find no pairs */
			NTLM_IGNORE_RESULT(nw_av_parse(v2.av_pairs, v2.av_len, &r->av));
		if (a.lm_response_len == 24)
			memcpy(r->lm, a.lm_response, 24);
		nw_authenticate_clear(&a);
	}
	r->server_rc = ntlm_step(server, auth.data, auth.len, &none);
	r->server_established = ntlm_ctx_established(server);
out:
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&forged);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
}

/* The attack itself: the relayed logon must not be accepted. */
static void test_injected_target_and_bindings_not_echoed(void)
{
	struct relay r;
	relay_run(&r, STRIP_TIMESTAMP | INJECT, NULL, NULL);
	T_OK(r.client_rc);
	T_ASSERT(r.server_rc != NTLM_OK);
	T_ASSERT(!r.server_established);
	/* What stops it: the client's own pairs, empty name and zero bindings. */
	const nw_av *name = nw_av_get(&r.av, NW_AV_TARGET_NAME);
	const nw_av *cb = nw_av_get(&r.av, NW_AV_CHANNEL_BINDINGS);
	static const uint8_t zero[16];
	T_ASSERT(name && name->len == 0);
	T_ASSERT(cb && cb->len == 16);
	T_BYTES(cb->value, zero, 16);
	T_ASSERT(nw_av_get(&r.av, NW_AV_SINGLE_HOST) == NULL);
	/* The server's own pairs are still echoed. */
	T_ASSERT(nw_av_get(&r.av, NW_AV_NB_COMPUTER) != NULL);
	T_ASSERT(nw_av_get(&r.av, NW_AV_NB_DOMAIN) != NULL);
	nw_av_clear(&r.av);
}

/* Injection with the timestamp kept: the same pairs come out (and the MIC is sent). */
static void test_injection_with_timestamp_not_echoed(void)
{
	struct relay r;
	relay_run(&r, INJECT, NULL, NULL);
	T_OK(r.client_rc);
	T_ASSERT(r.server_rc != NTLM_OK);
	const nw_av *name = nw_av_get(&r.av, NW_AV_TARGET_NAME);
	T_ASSERT(name && name->len == 0);
	T_ASSERT(nw_av_get(&r.av, NW_AV_SINGLE_HOST) == NULL);
	nw_av_clear(&r.av);
}

/* A client with its own SPN and bindings sends those, whatever the CHALLENGE carried. */
static void test_client_pairs_replace_injected(void)
{
	struct relay r;
	char *spn = NULL;
	relay_run(&r, STRIP_TIMESTAMP | INJECT, "HTTP/attacker.example.net", victim_cbt);
	T_OK(r.client_rc);
	T_ASSERT(r.server_rc != NTLM_OK); /* it names the attacker's host, not the server */
	T_OK(nw_av_get_string(&r.av, NW_AV_TARGET_NAME, &spn));
	T_STR(spn, "HTTP/attacker.example.net");
	free(spn);
	const nw_av *cb = nw_av_get(&r.av, NW_AV_CHANNEL_BINDINGS);
	T_ASSERT(cb && cb->len == 16);
	T_BYTES(cb->value, victim_cbt, 16);
	nw_av_clear(&r.av);
}

/* Control: without the attacker, a client that names the service and binds
 * to the same channel is accepted by this server, so the refusals above come
 * from the pairs, not from the set-up. */
static void test_control_no_attacker(void)
{
	struct relay r;
	relay_run(&r, KEEP, services[0], attacker_cbt);
	T_OK(r.client_rc);
	T_OK(r.server_rc);
	T_ASSERT(r.server_established);
	static const uint8_t zero[24];
	T_BYTES(r.lm, zero, 24); /* NTLMv2 with a TargetInfo: Z(24) as LmChallengeResponse */
	nw_av_clear(&r.av);
}

int main(void)
{
	T_RUN(test_injected_target_and_bindings_not_echoed);
	T_RUN(test_injection_with_timestamp_not_echoed);
	T_RUN(test_client_pairs_replace_injected);
	T_RUN(test_control_no_attacker);
	if (store_path[0])
		unlink(store_path);
	T_END();
}
