/*
 * test_replay.c - the NTLMv2 replay cache shared by server contexts: the
 * same AUTHENTICATE replayed to a second server context (which, with the
 * same randomness, issues the same challenge) is refused with
 * NTLM_E_REPLAY; without the cache it would pass; a different handshake
 * passes; entries expire after the window; the cache is bounded (old
 * entries are evicted, memory does not grow) and safe to share between
 * threads.
 */
#include <pthread.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "replay.h"
#include "t.h"

static char store_path[256];
#define NOW 1700000000

/* Fixed clock; a random stream fixed by its seed (a counter mixed with the seed). */
struct rng {
	uint64_t seed, n;
};

static int64_t fixed_now(void *arg)
{
	(void)arg;
	return NOW;
}

static ntlm_err seeded_random(void *arg, uint8_t *buf, size_t len)
{
	struct rng *r = arg;
	for (size_t i = 0; i < len; i++) {
		uint64_t x = (r->seed + r->n++) * 0x9E3779B97F4A7C15ull;
		x ^= x >> 29;
		buf[i] = (uint8_t)(x >> 24);
	}
	return NTLM_OK;
}

struct party {
	struct rng rng;
	ntlm_hooks hooks;
	ntlm_ctx *ctx;
};

static void party_hooks(struct party *p, uint64_t seed)
{
	p->rng.seed = seed;
	p->rng.n = 0;
	p->hooks.struct_size = sizeof(p->hooks);
	p->hooks.now = fixed_now;
	p->hooks.random = seeded_random;
	p->hooks.arg = &p->rng;
}

static ntlm_account_store *store;

static ntlm_err server_new_with(struct party *s, ntlm_replay_cache *rc, const ntlm_policy *pol)
{
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	cfg.policy = pol;
	party_hooks(s, 1000); /* every server: the same challenge */
	cfg.store = store;
	cfg.computer_name = "SERVER";
	cfg.hooks = &s->hooks;
	cfg.replay = rc;
	return ntlm_server_new(&s->ctx, &cfg);
}

static ntlm_err server_new(struct party *s, ntlm_replay_cache *rc)
{
	static ntlm_policy defaults;
	ntlm_policy_init(&defaults);
	return server_new_with(s, rc, &defaults);
}

/* A client (seed picks its client challenge) runs NEGOTIATE/CHALLENGE/AUTHENTICATE with s. */
struct msgs {
	ntlm_buffer neg, chal, auth;
};

static void msgs_free(struct msgs *m)
{
	ntlm_buffer_free(&m->neg);
	ntlm_buffer_free(&m->chal);
	ntlm_buffer_free(&m->auth);
}

static ntlm_err handshake(struct party *s, uint64_t client_seed, struct msgs *m)
{
	struct party c;
	ntlm_cred *cred = NULL;
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	ntlm_buffer none = {0};
	memset(&c, 0, sizeof(c)); /* c.ctx is freed even when the client was never made */
	memset(m, 0, sizeof(*m));
	party_hooks(&c, client_seed);
	cfg.workstation = "WS";
	cfg.hooks = &c.hooks;
	ntlm_err rc = ntlm_cred_password(&cred, "DOM", "alice", "Secret-1");
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&c.ctx, cred, &cfg);
	if (rc == NTLM_OK && (rc = ntlm_step(c.ctx, NULL, 0, &m->neg)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(s->ctx, m->neg.data, m->neg.len, &m->chal)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(c.ctx, m->chal.data, m->chal.len, &m->auth)) == NTLM_OK)
		rc = ntlm_step(s->ctx, m->auth.data, m->auth.len, &none);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(c.ctx);
	ntlm_cred_free(cred);
	return rc;
}

/* Replays recorded NEGOTIATE and AUTHENTICATE to server s; checks s issues the same challenge. */
static ntlm_err replay_to(struct party *s, const struct msgs *m, int *same_challenge)
{
	ntlm_buffer chal = {0}, none = {0};
	ntlm_err rc = ntlm_step(s->ctx, m->neg.data, m->neg.len, &chal);
	*same_challenge = chal.len == m->chal.len && memcmp(chal.data, m->chal.data, chal.len) == 0;
	if (rc == NTLM_CONTINUE)
		rc = ntlm_step(s->ctx, m->auth.data, m->auth.len, &none);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&none);
	return rc;
}

static void test_replay_to_second_server(void)
{
	ntlm_replay_cache *rc = NULL;
	struct party a, b;
	struct msgs m;
	int same;
	T_OK(ntlm_replay_cache_new(&rc, 64));
	T_OK(server_new(&a, rc));
	T_OK(server_new(&b, rc));
	T_OK(handshake(&a, 7, &m));
	T_ASSERT(ntlm_ctx_response_kind(a.ctx) == NTLM_KIND_NTLMV2);
	ntlm_err got = replay_to(&b, &m, &same);
	T_ASSERT(same); /* otherwise the replay would fail for another reason */
	T_EXPECT_ERR(got, NTLM_E_REPLAY);
	T_ASSERT(!ntlm_ctx_established(b.ctx));
	msgs_free(&m);
	ntlm_ctx_free(a.ctx);
	ntlm_ctx_free(b.ctx);
	ntlm_replay_cache_free(rc);
}

/*
 * No cache given: the servers share their store's (replay_cache means every
 * server, not only those whose caller made a cache).
 */
static void test_store_cache_by_default(void)
{
	struct party a, b;
	struct msgs m;
	int same;
	T_OK(server_new(&a, NULL));
	T_OK(server_new(&b, NULL));
	T_OK(handshake(&a, 11, &m));
	T_EXPECT_ERR(replay_to(&b, &m, &same), NTLM_E_REPLAY);
	T_ASSERT(same); /* otherwise the replay would fail for another reason */
	msgs_free(&m);
	ntlm_ctx_free(a.ctx);
	ntlm_ctx_free(b.ctx);
}

/* The control: with replay_cache = 0 (and no cache given) the very same replay is accepted. */
static void test_without_cache_replay_passes(void)
{
	struct party a, b;
	struct msgs m;
	int same;
	ntlm_policy off;
	ntlm_policy_init(&off);
	off.replay_cache = 0;
	T_OK(server_new_with(&a, NULL, &off));
	T_OK(server_new_with(&b, NULL, &off));
	T_OK(handshake(&a, 7, &m));
	T_OK(replay_to(&b, &m, &same));
	T_ASSERT(same);
	msgs_free(&m);
	ntlm_ctx_free(a.ctx);
	ntlm_ctx_free(b.ctx);
}

/* A fresh handshake (another client challenge) is no replay, even with the same server challenge. */
static void test_different_handshake_passes(void)
{
	ntlm_replay_cache *rc = NULL;
	struct party a, b;
	struct msgs m1, m2;
	T_OK(ntlm_replay_cache_new(&rc, 64));
	T_OK(server_new(&a, rc));
	T_OK(server_new(&b, rc));
	T_OK(handshake(&a, 7, &m1));
	T_OK(handshake(&b, 8, &m2));
	T_ASSERT(m1.chal.len == m2.chal.len && memcmp(m1.chal.data, m2.chal.data, m1.chal.len) == 0);
	T_ASSERT(m1.auth.len != m2.auth.len || memcmp(m1.auth.data, m2.auth.data, m1.auth.len) != 0);
	msgs_free(&m1);
	msgs_free(&m2);
	ntlm_ctx_free(a.ctx);
	ntlm_ctx_free(b.ctx);
	ntlm_replay_cache_free(rc);
}

static void make_proof(uint32_t i, uint8_t proof[16])
{
	/* spread like HMAC output: the cache indexes sets by the first bytes */
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;
	for (int k = 0; k < 16; k++) {
		x ^= x >> 31;
		x *= 0xBF58476D1CE4E5B9ull;
		proof[k] = (uint8_t)(x >> 56);
	}
}

static void test_window(void)
{
	ntlm_replay_cache *rc = NULL;
	uint8_t p[16];
	make_proof(1, p);
	T_OK(ntlm_replay_cache_new(&rc, 16));
	T_OK(replay_check_and_add(rc, p, 1000, 100));
	T_EXPECT_ERR(replay_check_and_add(rc, p, 1000, 100), NTLM_E_REPLAY);
	T_EXPECT_ERR(replay_check_and_add(rc, p, 1100, 100), NTLM_E_REPLAY); /* edge of the window */
	T_OK(replay_check_and_add(rc, p, 1101, 100));                        /* expired: fresh again */
	T_EXPECT_ERR(replay_check_and_add(rc, p, 1102, 100), NTLM_E_REPLAY);
	ntlm_replay_cache_free(rc);
}

/* Bounded: a cache of N entries remembers about the last N proofs and no more. */
static void test_bounded(void)
{
	ntlm_replay_cache *rc = NULL;
	enum { N = 64, MANY = 20000 };
	uint8_t p[16];
	T_OK(ntlm_replay_cache_new(&rc, N));
	for (uint32_t i = 0; i < MANY; i++) {
		make_proof(i, p);
		if (replay_check_and_add(rc, p, NOW, 7200) != NTLM_OK)
			T_FAIL("fresh proof %u taken for a replay", i);
	}
	/* the most recent proof is remembered */
	make_proof(MANY - 1, p);
	T_EXPECT_ERR(replay_check_and_add(rc, p, NOW, 7200), NTLM_E_REPLAY);
	/* of all proofs, at most N (rounded up to whole sets) are still remembered */
	uint32_t remembered = 0;
	for (uint32_t i = 0; i < MANY; i++) {
		make_proof(i, p);
		if (replay_check_and_add(rc, p, NOW, 7200) == NTLM_E_REPLAY)
			remembered++;
	}
	T_ASSERT(remembered >= 1 && remembered <= N);
	ntlm_replay_cache_free(rc);

	T_EXPECT_ERR(ntlm_replay_cache_new(&rc, 0), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_replay_cache_new(&rc, (size_t)1 << 30), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_replay_cache_new(NULL, 16), NTLM_E_INVALID_PARAMETER);
	T_OK(ntlm_replay_cache_new(&rc, 1)); /* rounded up to one set */
	make_proof(3, p);
	T_OK(replay_check_and_add(rc, p, NOW, 10));
	T_EXPECT_ERR(replay_check_and_add(rc, p, NOW, 10), NTLM_E_REPLAY);
	ntlm_replay_cache_free(rc);
	ntlm_replay_cache_free(NULL);
}

/* Shared between threads: each proof is accepted exactly once overall. */
enum { THREADS = 4, PROOFS = 2000 };
struct worker {
	ntlm_replay_cache *rc;
	int accepted;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t p[16];
	for (uint32_t i = 0; i < PROOFS; i++) {
		make_proof(100000 + i, p);
		if (replay_check_and_add(w->rc, p, NOW, 7200) == NTLM_OK)
			w->accepted++;
	}
	return NULL;
}

static void test_threads(void)
{
	ntlm_replay_cache *rc = NULL;
	pthread_t th[THREADS];
	struct worker w[THREADS];
	T_OK(ntlm_replay_cache_new(&rc, 16 * PROOFS)); /* room for all: no set overflows */
	for (int i = 0; i < THREADS; i++) {
		w[i].rc = rc;
		w[i].accepted = 0;
		T_ASSERT(pthread_create(&th[i], NULL, worker_run, &w[i]) == 0);
	}
	int total = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		total += w[i].accepted;
	}
	ntlm_replay_cache_free(rc);
	if (total != PROOFS)
		T_FAIL("%d acceptances for %d distinct proofs", total, PROOFS);
}

int main(void)
{
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-replay-%d.smbpasswd",
	         (int)getpid());
	unlink(store_path);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	if (smbpw_modify(store_path, SMBPW_ADD, "alice", nt, NULL, 0) != NTLM_OK ||
	    ntlm_account_store_smbpasswd(&store, store_path) != NTLM_OK) {
		fprintf(stderr, "cannot create %s\n", store_path);
		return 1;
	}
	T_RUN(test_replay_to_second_server);
	T_RUN(test_store_cache_by_default);
	T_RUN(test_without_cache_replay_passes);
	T_RUN(test_different_handshake_passes);
	T_RUN(test_window);
	T_RUN(test_bounded);
	T_RUN(test_threads);
	ntlm_account_store_free(store);
	unlink(store_path);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}
