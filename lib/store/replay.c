/*
 * replay.c - a bounded, thread-safe cache of recent NTLMv2 proofs. A proof
 * seen again within the timestamp window is a replay. The cache is
 * set-associative (proofs are HMAC outputs, so their first bytes index it
 * uniformly): a lookup touches one set of REPLAY_WAYS entries, and a full set
 * evicts its oldest entry, so memory stays fixed.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "replay.h"

struct replay_entry {
	uint8_t proof[REPLAY_PROOF_SIZE];
	int64_t seen;
	int used;
};

#define REPLAY_WAYS 8

struct ntlm_replay_cache {
	pthread_mutex_t lock;
	struct replay_entry *ring;
	size_t size, sets;
};

NTLM_API ntlm_err ntlm_replay_cache_new(ntlm_replay_cache **out, size_t entries)
{
	if (!out || entries == 0 || entries > (1u << 24))
		return NTLM_E_INVALID_PARAMETER;
	ntlm_replay_cache *rc = ntlm_calloc(1, sizeof(*rc));
	if (!rc)
		return NTLM_E_NO_MEMORY;
	entries = (entries + REPLAY_WAYS - 1) / REPLAY_WAYS * REPLAY_WAYS;
	rc->ring = ntlm_calloc(entries, sizeof(*rc->ring));
	if (!rc->ring || pthread_mutex_init(&rc->lock, NULL) != 0) {
		free(rc->ring);
		free(rc);
		return NTLM_E_NO_MEMORY;
	}
	rc->size = entries;
	rc->sets = entries / REPLAY_WAYS;
	*out = rc;
	return NTLM_OK;
}

NTLM_API void ntlm_replay_cache_free(ntlm_replay_cache *rc)
{
	if (!rc)
		return;
	pthread_mutex_destroy(&rc->lock);
	ntlm_free_secret(rc->ring, rc->size * sizeof(*rc->ring));
	free(rc);
}

ntlm_err replay_check_and_add(ntlm_replay_cache *rc, const uint8_t proof[REPLAY_PROOF_SIZE],
                              int64_t now, uint32_t window)
{
	uint32_t h = (uint32_t)proof[0] | (uint32_t)proof[1] << 8 | (uint32_t)proof[2] << 16 |
	             (uint32_t)proof[3] << 24;
	ntlm_err result = NTLM_OK;
	pthread_mutex_lock(&rc->lock);
	struct replay_entry *set = &rc->ring[(h % rc->sets) * REPLAY_WAYS], *victim = &set[0];
	for (size_t i = 0; i < REPLAY_WAYS; i++) {
		struct replay_entry *e = &set[i];
		if (e->used && now - e->seen <= (int64_t)window &&
		    ntlm_ct_equal(e->proof, proof, REPLAY_PROOF_SIZE)) {
			result = NTLM_E_REPLAY;
			break;
		}
		if (!e->used || (victim->used && e->seen < victim->seen))
			victim = e;
	}
	if (result == NTLM_OK) {
		memcpy(victim->proof, proof, REPLAY_PROOF_SIZE);
		victim->seen = now;
		victim->used = 1;
	}
	pthread_mutex_unlock(&rc->lock);
	return result;
}
