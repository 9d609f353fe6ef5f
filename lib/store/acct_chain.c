/*
 * acct_chain.c - the seed's rule for a server in a domain: the domain first;
 * only when the client's domain is neither ours nor trusted, the local
 * account with the same user name ("if there is no trust relationship
 * between client and server and the server has a local account with the
 * same name and password as the client, that account represents the
 * client").
 *
 * What may fall back is decided here, in one place (chain_falls_back):
 *  - NTLM_E_NO_SUCH_DOMAIN, the domain store's "not a domain I serve";
 *  - an unreachable domain (NTLM_E_BACKEND, NTLM_E_NO_LOGON_SERVERS) only
 *    with NTLM_CHAIN_FALLBACK_UNREACHABLE, because then a local password
 *    would stand in for a domain one that nobody could check.
 * Every other answer stands: a wrong password or an account state the
 * domain reports never gets a second guess against the local file.
 */
#include <stdlib.h>
#include <string.h>

#include "acct_store.h"
#include "mem.h"
#include "try.h"

struct chain_store {
	ntlm_account_store *domain, *local; /* not owned */
	uint32_t options;
};

/* The one rule: may the local store answer after the domain store said rc? */
static int chain_falls_back(const struct chain_store *ch, ntlm_err rc)
{
	if (rc == NTLM_E_NO_SUCH_DOMAIN)
		return 1;
	if (rc == NTLM_E_BACKEND || rc == NTLM_E_NO_LOGON_SERVERS)
		return (ch->options & NTLM_CHAIN_FALLBACK_UNREACHABLE) != 0;
	return 0;
}

static ntlm_err chain_verify_info(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res,
                                  acct_logon_info *info)
{
	const struct chain_store *ch = impl;
	/* The chain itself is the store the server counts failures on: once per logon. */
	ntlm_auth_request sub = *req;
	sub.lockout_threshold = 0;
	ntlm_err rc = acct_store_verify_info(ch->domain, &sub, res, info);
	if (!chain_falls_back(ch, rc))
		return rc;
	return acct_store_verify_info(ch->local, &sub, res, info);
}

static ntlm_err chain_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	acct_logon_info info = {NULL, NULL, NULL};
	ntlm_err rc = chain_verify_info(impl, req, res, &info);
	acct_logon_info_clear(&info);
	return rc;
}

NTLM_API ntlm_err ntlm_account_store_chain(ntlm_account_store **out, ntlm_account_store *domain,
                                           ntlm_account_store *local, uint32_t options)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	if (!domain || !local || domain == local || (options & ~NTLM_CHAIN_FALLBACK_UNREACHABLE))
		return NTLM_E_INVALID_PARAMETER;
	struct chain_store *ch = ntlm_calloc(1, sizeof(*ch));
	if (!ch)
		return NTLM_E_NO_MEMORY;
	ch->domain = domain;
	ch->local = local;
	ch->options = options;
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = chain_verify,
	                                           .free = free};
	ntlm_err rc = acct_store_new_builtin(out, &ops, chain_verify_info, NULL, ch);
	if (rc != NTLM_OK)
		free(ch);
	return rc;
}
