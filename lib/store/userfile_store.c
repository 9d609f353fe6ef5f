/*
 * userfile_store.c - an account store over gss-ntlmssp's NTLM_USER_FILE
 * (ntlm_account_store_userfile), so an acceptor configured for gss-ntlmssp
 * keeps working: "DOMAIN:USER:PASSWORD" lines and smbpasswd lines, in one
 * file. The file is read at each verification, as gss-ntlmssp does (the
 * smbpasswd store is the one that caches).
 */
#include <stdlib.h>
#include <string.h>

#include "acct_store.h"
#include "credfile.h"
#include "mem.h"
#include "smbpasswd.h"
#include "try.h"

struct userfile_store {
	char *path;
};

static ntlm_err fill_result(const ntlm_auth_request *req, const char *domain, const char *user,
                            ntlm_auth_result *res)
{
	/* the entry's domain vouches for the user; an entry without one: this server */
	const char *authority = domain && *domain ? domain : req->server_name;
	if (!authority || strlen(authority) >= sizeof(res->authority) ||
	    strlen(user) >= sizeof(res->user) || strlen(user) >= sizeof(res->unix_user))
		return NTLM_E_LOGON_FAILURE;
	strcpy(res->authority, authority);
	strcpy(res->user, user);
	strcpy(res->unix_user, user);
	return NTLM_OK;
}

/* An smbpasswd line naming the user: verified with its hashes. */
static ntlm_err verify_smbpasswd(const char *path, const ntlm_auth_request *req,
                                 ntlm_auth_result *res)
{
	smbpw_entry e;
	NTLM_TRY(smbpw_lookup(path, req->user, &e));
	ntlm_err rc = NTLM_E_LOGON_FAILURE;
	if (!(e.acb & SMBPW_ACB_DISABLED) && e.has_nt)
		rc = ntlm_verify_response(req, e.nt, e.has_lm ? e.lm : NULL, res);
	if (rc == NTLM_OK)
		rc = fill_result(req, NULL, e.name, res);
	ntlm_memzero(&e, sizeof(e));
	return rc;
}

/* A DOMAIN:USER:PASSWORD line naming the user (an empty domain matches any). */
static ntlm_err verify_clear(const char *path, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	char *d = NULL, *u = NULL, *p = NULL;
	uint8_t nt[NTLM_HASH_SIZE];
	NTLM_TRY(credfile_lookup(path, NULL, req->user, &d, &u, &p));
	ntlm_err rc = ntlm_nt_hash(p, nt);
	if (rc == NTLM_OK)
		rc = ntlm_verify_response(req, nt, NULL, res);
	if (rc == NTLM_OK)
		rc = fill_result(req, d, u, res);
	ntlm_memzero(nt, sizeof(nt));
	ntlm_free_string(d);
	ntlm_free_string(u);
	ntlm_free_string(p);
	return rc;
}

static ntlm_err userfile_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	const struct userfile_store *st = impl;
	if (!req->user || !*req->user)
		return NTLM_E_NO_SUCH_USER;
	ntlm_err rc = verify_smbpasswd(st->path, req, res);
	if (rc == NTLM_E_BAD_FILE)
		rc = NTLM_E_NOT_FOUND; /* a DOMAIN:USER:PASSWORD line whose domain is the user's name */
	if (rc != NTLM_E_NOT_FOUND)
		return rc == NTLM_E_IO ? NTLM_E_BACKEND : rc;
	rc = verify_clear(st->path, req, res);
	if (rc == NTLM_E_NOT_FOUND)
		return NTLM_E_NO_SUCH_USER;
	return rc == NTLM_E_IO ? NTLM_E_BACKEND : rc;
}

static void userfile_free(void *impl)
{
	struct userfile_store *st = impl;
	if (!st)
		return;
	ntlm_free_string(st->path);
	free(st);
}

NTLM_API ntlm_err ntlm_account_store_userfile(ntlm_account_store **out, const char *path)
{
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
	                                           .verify = userfile_verify, .free = userfile_free};
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	if (!path || !*path)
		return NTLM_E_INVALID_PARAMETER;
	struct userfile_store *st = ntlm_calloc(1, sizeof(*st));
	if (!st)
		return NTLM_E_NO_MEMORY;
	st->path = ntlm_strdup(path);
	if (!st->path) {
		free(st);
		return NTLM_E_NO_MEMORY;
	}
	ntlm_err rc = acct_store_new_builtin(out, &ops, NULL, "local", st);
	if (rc != NTLM_OK)
		userfile_free(st);
	return rc;
}
