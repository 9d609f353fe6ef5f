/*
 * acct_store.c - the account-store interface and the embedded default
 * backend over a Samba smbpasswd file. A store answers "verified or why";
 * it never hands a hash to the protocol engine.
 */
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "ntlm_keys.h"
#include "smbpasswd.h"
#include "textfile.h"
#include "util.h"
#include "wire.h"

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
};

NTLM_API ntlm_err ntlm_account_store_new(ntlm_account_store **out, const ntlm_account_store_ops *ops,
                                         void *impl)
{
	if (!out || !ops || !ops->verify)
		return NTLM_E_INVALID_PARAMETER;
	*out = ntlm_calloc(1, sizeof(**out));
	if (!*out)
		return NTLM_E_NO_MEMORY;
	if (pthread_mutex_init(&(*out)->lockout_mutex, NULL) != 0) {
		free(*out);
		*out = NULL;
		return NTLM_E_NO_MEMORY;
	}
	(*out)->ops = *ops;
	(*out)->impl = impl;
	return NTLM_OK;
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
	int failed = result == NTLM_E_LOGON_FAILURE || result == NTLM_E_NO_SUCH_USER;
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
                            ntlm_auth_result *res)
{
	memset(res, 0, sizeof(*res));
	ntlm_err rc = store->ops.verify(store->impl, req, res);
	if (rc != NTLM_OK)
		ntlm_memzero(res, sizeof(*res));
	return rc;
}

NTLM_API ntlm_err ntlm_account_store_verify(ntlm_account_store *store, const ntlm_auth_request *req,
                                            ntlm_auth_result *res)
{
	if (!store || !req || !res || !req->user || !req->server_challenge)
		return NTLM_E_INVALID_PARAMETER;
	if (!req->lockout_threshold)
		return verify_impl(store, req, res);
	char *name = NULL;
	ntlm_err rc = ntlm_utf8_upper(req->user, &name);
	if (rc == NTLM_OK) {
		if (strlen(name) >= sizeof(((struct lockout_entry *)0)->name))
			name[sizeof(((struct lockout_entry *)0)->name) - 1] = '\0'; /* as the table keeps it */
		rc = lockout_check(store, name, req->now);
	}
	if (rc == NTLM_OK) {
		rc = verify_impl(store, req, res);
		lockout_record(store, req, name, rc);
	} else {
		memset(res, 0, sizeof(*res));
	}
	ntlm_free_string(name);
	return rc;
}

/* --------------------------------------------- response verification */

/*
 * NTLMv2: the client keyed its proof with the domain as it typed it; try that,
 * then upper-case, then no domain (clients differ, Samba tries the same).
 */
static ntlm_err verify_ntlmv2(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                              ntlm_auth_result *res)
{
	const char *candidates[3] = {req->domain ? req->domain : "", NULL, NULL};
	char *upper = NULL;
	/* each distinct spelling once: a wrong password costs no repeated NTOWFv2 */
	if (ntlm_utf8_upper(candidates[0], &upper) == NTLM_OK && strcmp(upper, candidates[0]) != 0)
		candidates[1] = upper;
	if (*candidates[0])
		candidates[2] = "";
	ntlm_err rc = NTLM_E_LOGON_FAILURE;
	for (size_t i = 0; i < 3 && rc != NTLM_OK; i++) {
		uint8_t key[16], proof[16], sbk[16];
		if (!candidates[i] || nk_ntowfv2(nt_hash, req->user, candidates[i], key) != NTLM_OK)
			continue;
		if (req->nt_response_len > 24) {
			nk_v2_proof_and_key(key, req->server_challenge, req->nt_response + 16,
			                    req->nt_response_len - 16, proof, sbk);
			if (ntlm_ct_equal(proof, req->nt_response, 16)) {
				memcpy(res->session_base_key, sbk, 16);
				res->kind = NTLM_KIND_NTLMV2;
				rc = NTLM_OK;
			}
		}
		ntlm_memzero(key, sizeof(key));
		ntlm_memzero(proof, sizeof(proof));
		ntlm_memzero(sbk, sizeof(sbk));
	}
	ntlm_free_string(upper);
	return rc;
}

static ntlm_err verify_ntlmv1(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                              ntlm_auth_result *res)
{
	uint8_t want[24], chal[8];
	int ess = (req->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) && req->lm_response_len >= 8;
	if (ess)
		nk_ess_challenge(req->server_challenge, req->lm_response, chal);
	else
		memcpy(chal, req->server_challenge, 8);
	nk_desl(nt_hash, chal, want);
	int ok = ntlm_ct_equal(want, req->nt_response, 24);
	ntlm_memzero(want, sizeof(want));
	if (!ok)
		return NTLM_E_LOGON_FAILURE;
	nk_v1_session_base_key(nt_hash, res->session_base_key);
	res->kind = ess ? NTLM_KIND_NTLMV1_ESS : NTLM_KIND_NTLMV1;
	return NTLM_OK;
}

static ntlm_err verify_lm(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                          const uint8_t *lm_hash, ntlm_auth_result *res)
{
	uint8_t want[24];
	if (!lm_hash || req->lm_response_len != 24)
		return NTLM_E_LOGON_FAILURE;
	nk_desl(lm_hash, req->server_challenge, want);
	int ok = ntlm_ct_equal(want, req->lm_response, 24);
	ntlm_memzero(want, sizeof(want));
	if (!ok)
		return NTLM_E_LOGON_FAILURE;
	/* The spec's NTLMv1 SessionBaseKey is MD4(NTOWF) even for LM logons. */
	nk_v1_session_base_key(nt_hash, res->session_base_key);
	res->kind = NTLM_KIND_LM;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_verify_response(const ntlm_auth_request *req, const uint8_t nt_hash[16],
                                       const uint8_t *lm_hash, ntlm_auth_result *res)
{
	if (!req || !nt_hash || !res || !req->user || !req->server_challenge ||
	    (!req->nt_response && req->nt_response_len) || (!req->lm_response && req->lm_response_len))
		return NTLM_E_INVALID_PARAMETER;
	ntlm_err rc;
	if (req->nt_response_len > 24)
		rc = (req->allowed_responses & NTLM_RESP_NTLMV2) ? verify_ntlmv2(req, nt_hash, res)
		                                                 : NTLM_E_NTLMV1_REFUSED;
	else if (req->nt_response_len == 24)
		rc = (req->allowed_responses & NTLM_RESP_NTLMV1) ? verify_ntlmv1(req, nt_hash, res)
		                                                 : NTLM_E_NTLMV1_REFUSED;
	else if (req->nt_response_len == 0 && req->lm_response_len == 24)
		rc = (req->allowed_responses & NTLM_RESP_LM) ? verify_lm(req, nt_hash, lm_hash, res)
		                                             : NTLM_E_LM_REFUSED;
	else
		rc = NTLM_E_BAD_RESPONSE;
	if (rc == NTLM_OK && lm_hash) {
		memcpy(res->lm_session_key, lm_hash, 8);
		res->have_lm_session_key = 1;
	}
	return rc;
}

ntlm_err acct_verify_nobody(const ntlm_auth_request *req, ntlm_err why)
{
	/* whatever this "verifies" is thrown away: nobody's hash is not a password */
	static const uint8_t nobody[16];
	ntlm_auth_result scratch;
	memset(&scratch, 0, sizeof(scratch));
	NTLM_IGNORE_RESULT(ntlm_verify_response(req, nobody, NULL, &scratch));
	ntlm_memzero(&scratch, sizeof(scratch));
	return why;
}

/*
 * The smbpasswd store keeps the file's contents between verifications and
 * re-reads them only when the file changed (device, inode, size, mtime and
 * ctime; editors and smbpw_modify() replace the file, so the inode changes).
 * It also remembers recent uid -> Unix name mappings for a short while:
 * reading the file and asking NSS were a third of a handshake. Both caches
 * live in the store object, under its read-write lock; the hashes in the cached text
 * are wiped when it is replaced or freed.
 */
#define NAME_CACHE_SIZE 16
#define NAME_CACHE_SECONDS 60

struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct name_entry {
	uint32_t uid;
	int used;
	time_t at;
	char name[64];
};

struct smbpasswd_store {
	char *path;
	pthread_rwlock_t lock; /* readers share the cached text; a refresh is exclusive */
	tf_buf text;
	int have_text;
	struct file_id id;
	struct name_entry names[NAME_CACHE_SIZE];
	size_t next_name;
};

static int file_id_of(const char *path, struct file_id *id)
{
	struct stat st;
	if (lstat(path, &st) != 0) /* a symbolic link put in its place is a change (then refused) */
		return -1;
	memset(id, 0, sizeof(*id));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	id->ctime = st.st_ctim;
	return 0;
}

static int same_file(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Replaces st->text with the file's contents; called with st->lock held for writing. */
static ntlm_err reload_text(struct smbpasswd_store *st, const struct file_id *before)
{
	struct file_id after;
	if (st->have_text && same_file(before, &st->id))
		return NTLM_OK; /* another thread reloaded it meanwhile */
	tf_buf text;
	int exists = 0;
	tf_init(&text, SMBPW_FILE_MAX);
	ntlm_err rc = tf_read(st->path, &text, &exists);
	if (rc == NTLM_OK && !exists)
		rc = NTLM_E_BACKEND;
	if (rc != NTLM_OK) {
		tf_free(&text);
		return rc == NTLM_E_IO ? NTLM_E_BACKEND : rc;
	}
	tf_free(&st->text);
	st->text = text;
	/* Changed while we read it: use it this once, but read again next time. */
	st->have_text = file_id_of(st->path, &after) == 0 && same_file(before, &after);
	st->id = *before;
	return NTLM_OK;
}

static ntlm_err cached_lookup(struct smbpasswd_store *st, const char *user, smbpw_entry *e)
{
	struct file_id now;
	if (file_id_of(st->path, &now) != 0)
		return NTLM_E_BACKEND;
	pthread_rwlock_rdlock(&st->lock);
	if (st->have_text && same_file(&now, &st->id)) {
		ntlm_err rc = smbpw_find(&st->text, user, e);
		pthread_rwlock_unlock(&st->lock);
		return rc;
	}
	pthread_rwlock_unlock(&st->lock);
	pthread_rwlock_wrlock(&st->lock);
	ntlm_err rc = reload_text(st, &now);
	if (rc == NTLM_OK)
		rc = smbpw_find(&st->text, user, e);
	pthread_rwlock_unlock(&st->lock);
	return rc;
}

static int cached_name(struct smbpasswd_store *st, uint32_t uid, char *out, size_t cap)
{
	time_t now = time(NULL);
	int found = 0;
	pthread_rwlock_rdlock(&st->lock);
	for (size_t i = 0; i < NAME_CACHE_SIZE && !found; i++) {
		struct name_entry *n = &st->names[i];
		if (n->used && n->uid == uid && now - n->at < NAME_CACHE_SECONDS) {
			snprintf(out, cap, "%s", n->name);
			found = 1;
		}
	}
	pthread_rwlock_unlock(&st->lock);
	return found;
}

static void remember_name(struct smbpasswd_store *st, uint32_t uid, const char *name)
{
	pthread_rwlock_wrlock(&st->lock);
	struct name_entry *n = &st->names[st->next_name];
	st->next_name = (st->next_name + 1) % NAME_CACHE_SIZE;
	n->used = 1;
	n->uid = uid;
	n->at = time(NULL);
	snprintf(n->name, sizeof(n->name), "%s", name);
	pthread_rwlock_unlock(&st->lock);
}

/* The mapped local Unix account: the smbpasswd uid's name, else the same name. */
static void map_unix_user(struct smbpasswd_store *st, const smbpw_entry *e, char *out, size_t cap)
{
	struct passwd pw, *found = NULL;
	char buf[2048];
	out[0] = '\0';
	if (cached_name(st, e->uid, out, cap))
		return;
	if (getpwuid_r((uid_t)e->uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(out, cap, "%s", found->pw_name);
	else if (getpwnam_r(e->name, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(out, cap, "%s", found->pw_name);
	else
		return; /* not cached: an account may be created at any moment */
	remember_name(st, e->uid, out);
}

/*
 * After the password verified, as Samba does: a disabled account or a trust
 * account (machine and domain secrets, never a user's logon) is refused
 * with its own status, which only who knows the password gets to see.
 */
static ntlm_err account_usable(const smbpw_entry *e)
{
	if (e->acb & SMBPW_ACB_DISABLED)
		return NTLM_E_ACCOUNT_DISABLED;
	if (e->acb & SMBPW_ACB_DOMTRUST)
		return NTLM_E_NOLOGON_INTERDOMAIN_TRUST;
	if (e->acb & SMBPW_ACB_SVRTRUST)
		return NTLM_E_NOLOGON_SERVER_TRUST;
	if (e->acb & SMBPW_ACB_WSTRUST)
		return NTLM_E_NOLOGON_WORKSTATION_TRUST;
	return NTLM_OK;
}

static ntlm_err smbpasswd_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	struct smbpasswd_store *st = impl;
	smbpw_entry e;
	ntlm_err rc = cached_lookup(st, req->user, &e);
	if (rc == NTLM_E_NOT_FOUND)
		return acct_verify_nobody(req, NTLM_E_NO_SUCH_USER);
	if (rc != NTLM_OK)
		return rc;
	if (e.acb & SMBPW_ACB_AUTOLOCK)
		rc = NTLM_E_ACCOUNT_LOCKED; /* its password is not even tried */
	else if (!e.has_nt)
		rc = acct_verify_nobody(req, NTLM_E_LOGON_FAILURE);
	else
		rc = ntlm_verify_response(req, e.nt, e.has_lm ? e.lm : NULL, res);
	if (rc == NTLM_OK)
		rc = account_usable(&e);
	if (rc == NTLM_OK) {
		/* The local account represents the client: reported under this server's name. */
		snprintf(res->authority, sizeof(res->authority), "%s",
		         req->server_name ? req->server_name : "");
		snprintf(res->user, sizeof(res->user), "%s", e.name);
		map_unix_user(st, &e, res->unix_user, sizeof(res->unix_user));
	}
	ntlm_memzero(&e, sizeof(e));
	return rc;
}

static void smbpasswd_free(void *impl)
{
	struct smbpasswd_store *st = impl;
	if (!st)
		return;
	pthread_rwlock_destroy(&st->lock);
	tf_free(&st->text);
	free(st->path);
	ntlm_free_secret(st, sizeof(*st));
}

NTLM_API ntlm_err ntlm_account_store_smbpasswd(ntlm_account_store **out, const char *path)
{
	if (!out || !path)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	struct smbpasswd_store *st = ntlm_calloc(1, sizeof(*st));
	if (!st)
		return NTLM_E_NO_MEMORY;
	tf_init(&st->text, SMBPW_FILE_MAX);
	if (!(st->path = ntlm_strdup(path)) || pthread_rwlock_init(&st->lock, NULL) != 0) {
		free(st->path);
		free(st);
		return NTLM_E_NO_MEMORY;
	}
	static const ntlm_account_store_ops ops = {smbpasswd_verify, smbpasswd_free};
	ntlm_err rc = ntlm_account_store_new(out, &ops, st);
	if (rc != NTLM_OK)
		smbpasswd_free(st);
	return rc;
}
