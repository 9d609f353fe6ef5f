/* cred.c - client credentials; see ntlmssp.h */
#include <stdlib.h>
#include <string.h>

#include "cred.h"
#include "credfile.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "sys.h"
#include "try.h"
#include "wb_ccache.h"

static ntlm_err cred_alloc(ntlm_cred **out, const char *domain, const char *user)
{
	*out = NULL;
	if (!user || !*user)
		return NTLM_E_INVALID_PARAMETER;
	ntlm_cred *c = ntlm_calloc(1, sizeof(*c));
	if (!c)
		return NTLM_E_NO_MEMORY;
	c->domain = ntlm_strdup(domain ? domain : "");
	c->user = ntlm_strdup(user);
	if (!c->domain || !c->user || sh_new(&c->shared) != NTLM_OK) {
		ntlm_cred_free(c);
		return NTLM_E_NO_MEMORY;
	}
	*out = c;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_cred_password(ntlm_cred **out, const char *domain, const char *user,
                                     const char *password)
{
	if (!out || !password)
		return NTLM_E_INVALID_PARAMETER;
	NTLM_TRY(cred_alloc(out, domain, user));
	ntlm_cred *c = *out;
	ntlm_err rc = nk_ntowfv1(password, c->nt_hash);
	if (rc != NTLM_OK) {
		ntlm_cred_free(c);
		*out = NULL;
		return rc;
	}
	/* LM needs a short Latin-1 password; without one LM is simply unavailable. */
	c->have_lm = nk_lmowfv1(password, c->lm_hash) == NTLM_OK;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_cred_nthash(ntlm_cred **out, const char *domain, const char *user,
                                   const uint8_t nt_hash[NTLM_HASH_SIZE])
{
	if (!out || !nt_hash)
		return NTLM_E_INVALID_PARAMETER;
	NTLM_TRY(cred_alloc(out, domain, user));
	memcpy((*out)->nt_hash, nt_hash, NTLM_HASH_SIZE);
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_cred_anonymous(ntlm_cred **out)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	ntlm_cred *c = ntlm_calloc(1, sizeof(*c));
	if (!c)
		return NTLM_E_NO_MEMORY;
	c->domain = ntlm_strdup("");
	c->user = ntlm_strdup("");
	if (!c->domain || !c->user || sh_new(&c->shared) != NTLM_OK) {
		ntlm_cred_free(c);
		return NTLM_E_NO_MEMORY;
	}
	c->anonymous = 1;
	*out = c;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_cred_from_file(ntlm_cred **out, const char *path, const char *domain,
                                      const char *user)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	if (!path)
		path = ntlm_secure_getenv("NTLM_USER_FILE");
	if (!path || !*path)
		return NTLM_E_NO_CREDENTIALS;
	credfile_entry e;
	NTLM_TRY(credfile_lookup_client(path, domain, user, &e));
	ntlm_err rc = NTLM_E_NO_CREDENTIALS; /* an smbpasswd line that stores no NT hash */
	if (e.password)
		rc = ntlm_cred_password(out, e.domain, e.user, e.password);
	else if (e.has_nt)
		rc = ntlm_cred_nthash(out, e.domain ? e.domain : domain, e.user, e.nt);
	credfile_entry_free(&e);
	return rc;
}

NTLM_API ntlm_err ntlm_cred_from_winbind_cache(ntlm_cred **out, const char *domain,
                                               const char *user)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	/* asked now, so a missing entry is the caller's error here, not a failed handshake later */
	NTLM_TRY(cred_alloc(out, domain, user));
	ntlm_err rc = wb_ccache_probe(domain, user);
	if (rc != NTLM_OK) {
		ntlm_cred_free(*out);
		*out = NULL;
		return rc;
	}
	(*out)->winbind_cache = 1;
	return NTLM_OK;
}

NTLM_API void ntlm_cred_free(ntlm_cred *c)
{
	if (!c)
		return;
	ntlm_free_string(c->domain);
	ntlm_free_string(c->user);
	sh_free(c->shared);
	ntlm_free_secret(c, sizeof(*c));
}

NTLM_API ntlm_err ntlm_nt_hash(const char *password, uint8_t out[NTLM_HASH_SIZE])
{
	if (!password || !out)
		return NTLM_E_INVALID_PARAMETER;
	return nk_ntowfv1(password, out);
}

NTLM_API ntlm_err ntlm_lm_hash(const char *password, uint8_t out[NTLM_HASH_SIZE])
{
	if (!password || !out)
		return NTLM_E_INVALID_PARAMETER;
	return nk_lmowfv1(password, out);
}
