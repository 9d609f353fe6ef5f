/*
 * smbpasswd_store.c - the embedded default account store over a Samba
 * smbpasswd file (ntlm_account_store_smbpasswd): the file's contents cached
 * between verifications, the uid -> Unix name map, the account flags.
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

#include "acct_store.h"
#include "smbpasswd.h"
#include "textfile.h"
#include "mem.h"
#include "text.h"
#include "try.h"
#include "verify.h"

/*
 * The smbpasswd store keeps the file's contents between verifications and
 * re-reads them only when the file changed (device, inode, size, mtime and
 * ctime; editors and smbpw_modify() replace the file, so the inode changes).
 * It also remembers recent uid -> Unix name mappings for a short while:
 * reading the file and asking NSS were a third of a handshake. Both caches
 * live in the store object, under its read-write lock; the hashes in the cached text
 * are wiped when it is replaced or freed.
 */
#define NAME_CACHE_SIZE    16
#define NAME_CACHE_SECONDS 60

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
	smbpw_index index; /* of text: a lookup costs the same for the first and the 10,000th user */
	int have_text;
	tf_file_id id;
	struct name_entry names[NAME_CACHE_SIZE];
	size_t next_name;
};

/* The account file's identity; a missing file (or one that cannot be stat'ed) is -1. */
static int file_id_of(const char *path, tf_file_id *id)
{
	return tf_file_id_of(path, id) == 0 && id->exists ? 0 : -1;
}

/* Replaces st->text with the file's contents; called with st->lock held for writing. */
static ntlm_err reload_text(struct smbpasswd_store *st, const tf_file_id *before)
{
	tf_file_id after;
	if (st->have_text && tf_same_file(before, &st->id))
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
	smbpw_index index;
	rc = smbpw_index_build(&text, &index);
	if (rc != NTLM_OK) {
		tf_free(&text);
		return rc;
	}
	smbpw_index_free(&st->index);
	tf_free(&st->text);
	st->text = text;
	st->index = index;
	/* Changed while we read it: use it this once, but read again next time. */
	st->have_text = file_id_of(st->path, &after) == 0 && tf_same_file(before, &after);
	st->id = *before;
	return NTLM_OK;
}

static ntlm_err cached_lookup(struct smbpasswd_store *st, const char *user, smbpw_entry *e)
{
	tf_file_id now;
	if (file_id_of(st->path, &now) != 0)
		return NTLM_E_BACKEND;
	pthread_rwlock_rdlock(&st->lock);
	if (st->have_text && tf_same_file(&now, &st->id)) {
		ntlm_err rc = smbpw_find_indexed(&st->text, &st->index, user, e);
		pthread_rwlock_unlock(&st->lock);
		return rc;
	}
	pthread_rwlock_unlock(&st->lock);
	pthread_rwlock_wrlock(&st->lock);
	ntlm_err rc = reload_text(st, &now);
	if (rc == NTLM_OK)
		rc = smbpw_find_indexed(&st->text, &st->index, user, e);
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
			ntlm_copy_string(out, cap, n->name);
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
		return nv_verify_nobody(req, NTLM_E_NO_SUCH_USER);
	if (rc != NTLM_OK)
		return rc;
	if (e.acb & SMBPW_ACB_AUTOLOCK)
		rc = NTLM_E_ACCOUNT_LOCKED; /* its password is not even tried */
	else if (!e.has_nt)
		rc = nv_verify_nobody(req, NTLM_E_LOGON_FAILURE);
	else
		rc = ntlm_verify_response(req, e.nt, e.has_lm ? e.lm : NULL, res);
	if (rc == NTLM_OK)
		rc = account_usable(&e);
	if (rc == NTLM_OK) {
		/* The local account represents the client: reported under this server's name. */
		ntlm_copy_string(res->authority, sizeof(res->authority), req->server_name);
		ntlm_copy_string(res->user, sizeof(res->user), e.name);
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
	smbpw_index_free(&st->index);
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
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
	                                           .verify = smbpasswd_verify, .free = smbpasswd_free};
	ntlm_err rc = acct_store_new_builtin(out, &ops, NULL, "local", st);
	if (rc != NTLM_OK)
		smbpasswd_free(st);
	return rc;
}
