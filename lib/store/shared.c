/* shared.c - see shared.h */
#include "shared.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "crypto.h"
#include "mem.h"

/* About a page: one getrandom serves ~150 client handshakes or ~500 server challenges. */
#define SH_POOL_BYTES 4032

/* The pool's page: a child of fork finds it zeroed, left == 0, and refills. */
struct sh_pool {
	uint32_t left; /* the last `left` bytes are unused */
	uint8_t bytes[SH_POOL_BYTES];
};

struct sh_state {
	pthread_mutex_t lock;
	struct sh_pool *pool; /* mapped at the first draw */
	int no_pool;          /* the kernel cannot wipe it on fork: no pool at all */
	/* the system policy as last read */
	char *policy_path;
	tf_file_id policy_id;
	int policy_settled; /* the file's times are old enough for its identity to tell a change */
	int64_t policy_seen_ms;
	ntlm_policy policy;
};

static int64_t clock_ms(clockid_t clock)
{
	struct timespec ts;
	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The coarse clocks are read in user space (vDSO): no system call per context. */
static int64_t now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC_COARSE);
}

ntlm_err sh_new(sh_state **out)
{
	*out = ntlm_calloc(1, sizeof(**out));
	if (!*out)
		return NTLM_E_NO_MEMORY;
	if (pthread_mutex_init(&(*out)->lock, NULL) != 0) {
		free(*out);
		*out = NULL;
		return NTLM_E_NO_MEMORY;
	}
	return NTLM_OK;
}

void sh_free(sh_state *s)
{
	if (!s)
		return;
	if (s->pool) {
		ntlm_memzero(s->pool, sizeof(*s->pool));
		munmap(s->pool, sizeof(*s->pool));
	}
	free(s->policy_path);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Maps the pool; with s->lock held. Without MADV_WIPEONFORK there is none. */
static struct sh_pool *pool_map(sh_state *s)
{
	if (s->pool || s->no_pool)
		return s->pool;
	void *p = mmap(NULL, sizeof(*s->pool), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	               0);
	if (p == MAP_FAILED) {
		s->no_pool = 1;
		return NULL;
	}
	if (madvise(p, sizeof(*s->pool), MADV_WIPEONFORK) != 0) {
		munmap(p, sizeof(*s->pool));
		s->no_pool = 1;
		return NULL;
	}
	(void)madvise(p, sizeof(*s->pool), MADV_DONTDUMP); /* best effort: keep them out of cores */
	s->pool = p;
	return s->pool;
}

ntlm_err sh_random(sh_state *s, uint8_t *buf, size_t len)
{
	if (!s || len > SH_POOL_BYTES / 8)
		return cr_random(buf, len);
	ntlm_err rc = NTLM_OK;
	pthread_mutex_lock(&s->lock);
	struct sh_pool *pool = pool_map(s);
	if (!pool) {
		pthread_mutex_unlock(&s->lock);
		return cr_random(buf, len);
	}
	if (pool->left < len) {
		rc = cr_random(pool->bytes, sizeof(pool->bytes));
		pool->left = rc == NTLM_OK ? (uint32_t)sizeof(pool->bytes) : 0;
	}
	if (rc == NTLM_OK) {
		uint8_t *take = pool->bytes + pool->left - len;
		memcpy(buf, take, len);
		ntlm_memzero(take, len); /* handed out once, never kept */
		pool->left -= (uint32_t)len;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* With s->lock held: the copy is of path's policy. */
static int policy_of(const sh_state *s, const char *path)
{
	return s->policy_path && strcmp(s->policy_path, path) == 0;
}

int sh_policy_fresh(sh_state *s, const char *path, ntlm_policy *out)
{
	if (!s)
		return 0;
	int64_t now = now_ms();
	pthread_mutex_lock(&s->lock);
	int fresh = policy_of(s, path) && now - s->policy_seen_ms < SH_POLICY_RECHECK_MS;
	if (fresh)
		*out = s->policy;
	pthread_mutex_unlock(&s->lock);
	return fresh;
}

int sh_policy_same(sh_state *s, const char *path, const tf_file_id *id, ntlm_policy *out)
{
	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	int same = policy_of(s, path) && s->policy_settled && tf_same_file(id, &s->policy_id);
	if (same) {
		*out = s->policy;
		s->policy_seen_ms = now_ms();
	}
	pthread_mutex_unlock(&s->lock);
	return same;
}

/*
 * Two writes within one tick of the file system's clock can leave size and
 * times alike: an identity taken within 2 s of the file's last change does
 * not prove the next look sees the same contents, so that copy is read again.
 */
static int settled(const tf_file_id *id)
{
	if (!id->exists)
		return 1;
	time_t last = id->mtime.tv_sec > id->ctime.tv_sec ? id->mtime.tv_sec : id->ctime.tv_sec;
	return clock_ms(CLOCK_REALTIME_COARSE) / 1000 - (int64_t)last >= 2;
}

void sh_policy_keep(sh_state *s, const char *path, const tf_file_id *id, const ntlm_policy *p)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	if (!policy_of(s, path)) {
		free(s->policy_path);
		s->policy_path = ntlm_strdup(path);
	}
	if (s->policy_path) {
		s->policy = *p;
		s->policy_id = *id;
		s->policy_settled = settled(id);
		s->policy_seen_ms = now_ms();
	}
	pthread_mutex_unlock(&s->lock);
}
