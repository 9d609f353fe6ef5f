/*
 * acct_store.c - the account-store interface: a store answers "verified or
 * why" and never hands a hash to the protocol engine. The interface also
 * keeps the optional lockout table, so every store counts failed logons the
 * same way. The stores themselves: smbpasswd_store.c, acct_winbind.c; the
 * verification they share: verify.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acct_store.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "shared.h"
#include "sized.h"
#include "smbpasswd.h"
#include "text.h"
#include "textfile.h"
#include "try.h"

/*
 * Lockout: failed logons counted per user name (upper-cased; the domain is
 * ignored, so a client cannot buy more guesses by spelling it differently).
 * Unknown names count as known ones do, so a lockout never tells which
 * accounts exist. A fixed table; when it is full the entry whose last event
 * (first failure, or end of its lock) is oldest makes room: a lock still
 * running goes only after every count that started before its end.
 */
#define LOCKOUT_ENTRIES 1024

struct lockout_entry {
	char name[128]; /* "" = free */
	uint32_t failures;
	int64_t first;        /* first failure counted */
	int64_t locked_until; /* 0: not locked */
};

struct ntlm_account_store {
	ntlm_account_store_ops ops;
	acct_verify_info_fn verify_info; /* built-in stores: also the logon info */
	const char *source;              /* built-in stores: "domain" or "local" */
	void *impl;
	pthread_mutex_t lockout_mutex; /* also guards replay */
	struct lockout_entry *lockout; /* allocated at the first counted failure */
	/*
	 * The replay cache of the servers that use this store without one of
	 * their own: created by the first of them (policy.replay_cache > 0). A
	 * cache per context would hold one handshake and protect nothing; the
	 * store is the object every server of one service already shares.
	 */
	ntlm_replay_cache *replay;
	sh_state *shared; /* random bytes and the system policy for the servers of this store */
};

NTLM_API ntlm_err ntlm_account_store_new(ntlm_account_store **out,
                                         const ntlm_account_store_ops *caller_ops, void *impl)
{
	ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT};
	if (!out || !caller_ops)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	NTLM_TRY(ntlm_sized_in(&ops, sizeof(ops), caller_ops, STORE_OPS_V0_SIZE));
	if (!ops.verify)
		return NTLM_E_INVALID_PARAMETER;
	*out = ntlm_calloc(1, sizeof(**out));
	if (!*out)
		return NTLM_E_NO_MEMORY;
	if (pthread_mutex_init(&(*out)->lockout_mutex, NULL) != 0) {
		free(*out);
		*out = NULL;
		return NTLM_E_NO_MEMORY;
	}
	if (sh_new(&(*out)->shared) != NTLM_OK) {
		pthread_mutex_destroy(&(*out)->lockout_mutex);
		free(*out);
		*out = NULL;
		return NTLM_E_NO_MEMORY;
	}
	(*out)->ops = ops;
	(*out)->impl = impl;
	return NTLM_OK;
}

ntlm_err acct_store_new_builtin(ntlm_account_store **out, const ntlm_account_store_ops *ops,
                                acct_verify_info_fn verify_info, const char *source, void *impl)
{
	NTLM_TRY(ntlm_account_store_new(out, ops, impl));
	(*out)->verify_info = verify_info;
	(*out)->source = source;
	return NTLM_OK;
}

void acct_logon_info_clear(acct_logon_info *info)
{
	free(info->sid);
	free(info->group_sids);
	memset(info, 0, sizeof(*info));
}

NTLM_API void ntlm_account_store_free(ntlm_account_store *store)
{
	if (!store)
		return;
	if (store->ops.free)
		store->ops.free(store->impl);
	pthread_mutex_destroy(&store->lockout_mutex);
	free(store->lockout);
	ntlm_replay_cache_free(store->replay);
	sh_free(store->shared);
	free(store);
}

ntlm_err acct_store_replay_cache(ntlm_account_store *store, size_t entries, ntlm_replay_cache **out)
{
	ntlm_err rc = NTLM_OK;
	pthread_mutex_lock(&store->lockout_mutex);
	if (!store->replay)
		rc = ntlm_replay_cache_new(&store->replay, entries);
	*out = store->replay;
	pthread_mutex_unlock(&store->lockout_mutex);
	return rc;
}

sh_state *acct_store_shared(ntlm_account_store *store)
{
	return store->shared;
}

static int64_t last_event(const struct lockout_entry *e)
{
	return e->locked_until ? e->locked_until : e->first;
}

/* The entry of name (upper-cased), or NULL; with create, a new or recycled one. */
static struct lockout_entry *lockout_find(ntlm_account_store *store, const char *name, int create)
{
	struct lockout_entry *victim = NULL;
	if (!store->lockout) {
		if (!create || !(store->lockout = calloc(LOCKOUT_ENTRIES, sizeof(*store->lockout))))
			return NULL;
	}
	for (size_t i = 0; i < LOCKOUT_ENTRIES; i++) {
		struct lockout_entry *e = &store->lockout[i];
		if (e->name[0] && strcmp(e->name, name) == 0)
			return e;
		if (!victim || (victim->name[0] && (!e->name[0] || last_event(e) < last_event(victim))))
			victim = e;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->name, sizeof(victim->name), "%s", name);
	return victim;
}

/* NTLM_E_ACCOUNT_LOCKED while name is locked out (an expired lock is forgotten). */
static ntlm_err lockout_check(ntlm_account_store *store, const char *name, int64_t now)
{
	ntlm_err rc = NTLM_OK;
	pthread_mutex_lock(&store->lockout_mutex);
	struct lockout_entry *e = lockout_find(store, name, 0);
	if (e && e->locked_until && now < e->locked_until)
		rc = NTLM_E_ACCOUNT_LOCKED;
	else if (e && e->locked_until)
		memset(e, 0, sizeof(*e));
	pthread_mutex_unlock(&store->lockout_mutex);
	return rc;
}

/* Counts the outcome of one verification of name. */
static void lockout_record(ntlm_account_store *store, const ntlm_auth_request *req,
                           const char *name, ntlm_err result)
{
	int failed = result == NTLM_E_LOGON_FAILURE || result == NTLM_E_NO_SUCH_USER ||
	             result == NTLM_E_NO_SUCH_DOMAIN;
	if (!failed && result != NTLM_OK)
		return; /* not a password guess: a policy refusal, a backend failure */
	pthread_mutex_lock(&store->lockout_mutex);
	struct lockout_entry *e = lockout_find(store, name, failed);
	if (e && !failed) {
		memset(e, 0, sizeof(*e)); /* a logon that succeeded clears the count */
	} else if (e) {
		if (e->failures && req->now - e->first >= (int64_t)req->lockout_window)
			e->failures = 0; /* the earlier failures are out of the window */
		if (e->failures++ == 0)
			e->first = req->now;
		if (e->failures >= req->lockout_threshold) {
			e->locked_until = req->now + (int64_t)req->lockout_window;
			e->failures = 0;
		}
	}
	pthread_mutex_unlock(&store->lockout_mutex);
}

static ntlm_err verify_impl(ntlm_account_store *store, const ntlm_auth_request *req,
                            ntlm_auth_result *res, acct_logon_info *info)
{
	memset(res, 0, sizeof(*res));
	acct_logon_info_clear(info);
	ntlm_err rc = store->verify_info ? store->verify_info(store->impl, req, res, info)
	                                 : store->ops.verify(store->impl, req, res);
	if (rc != NTLM_OK) {
		ntlm_memzero(res, sizeof(*res));
		acct_logon_info_clear(info);
	} else if (!info->source) {
		info->source = store->source;
	}
	return rc;
}

NTLM_API ntlm_err ntlm_account_store_verify(ntlm_account_store *store, const ntlm_auth_request *req,
                                            ntlm_auth_result *res)
{
	acct_logon_info info = {NULL, NULL, NULL};
	ntlm_err rc = acct_store_verify_info(store, req, res, &info);
	acct_logon_info_clear(&info);
	return rc;
}

ntlm_err acct_store_verify_info(ntlm_account_store *store, const ntlm_auth_request *req,
                                ntlm_auth_result *res, acct_logon_info *info)
{
	if (!store || !req || !res || !req->user || !req->server_challenge)
		return NTLM_E_INVALID_PARAMETER;
	if (!req->lockout_threshold)
		return verify_impl(store, req, res, info);
	char *name = NULL;
	ntlm_err rc = ntlm_utf8_upper(req->user, &name);
	if (rc == NTLM_OK) {
		if (strlen(name) >= sizeof(((struct lockout_entry *)0)->name))
			name[sizeof(((struct lockout_entry *)0)->name) - 1] = '\0'; /* as the table keeps it */
		rc = lockout_check(store, name, req->now);
	}
	if (rc == NTLM_OK) {
		rc = verify_impl(store, req, res, info);
		lockout_record(store, req, name, rc);
	} else {
		memset(res, 0, sizeof(*res));
	}
	ntlm_free_string(name);
	return rc;
}
