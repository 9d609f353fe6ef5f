/*
 * acct_store.h - what the engine asks of the store object beyond the public
 * store interface in ntlmssp.h.
 */
#ifndef NTLM_ACCT_STORE_H
#define NTLM_ACCT_STORE_H

#include <stddef.h>

#include "ntlmssp/ntlmssp.h"
#include "shared.h"

/*
 * The store's own replay cache, created with entries on first use: every
 * server of one service shares its store, so the cache protects them all
 * (a cache per context would hold one handshake).
 */
NTLM_MUST_CHECK ntlm_err acct_store_replay_cache(ntlm_account_store *store, size_t entries,
                                                 ntlm_replay_cache **out);

/* What the store keeps for its servers' contexts: random bytes, the system policy. */
sh_state *acct_store_shared(ntlm_account_store *store);

/*
 * What a built-in store learns about a logon beyond ntlm_auth_result. It is
 * kept out of that public struct so that custom stores (and callers of
 * ntlm_account_store_verify) keep their ABI: a custom store leaves it empty.
 */
typedef struct acct_logon_info {
	char *sid;          /* the account's SID "S-1-5-21-..." (NULL: not known) */
	char *group_sids;   /* the SIDs of its groups, space-separated (NULL: not known) */
	const char *source; /* "domain" or "local": the kind of store that answered (static) */
} acct_logon_info;

/* Frees what info holds and empties it. */
void acct_logon_info_clear(acct_logon_info *info);

/* A built-in store's verification: ntlm_account_store_ops.verify plus the logon info. */
typedef ntlm_err (*acct_verify_info_fn)(void *impl, const ntlm_auth_request *req,
                                        ntlm_auth_result *res, acct_logon_info *info);

/*
 * A built-in store: as ntlm_account_store_new(), with verify_info used
 * instead of ops->verify when the engine wants the logon info, and source
 * ("domain", "local") reported for every logon it verifies.
 */
NTLM_MUST_CHECK ntlm_err acct_store_new_builtin(ntlm_account_store **out,
                                                const ntlm_account_store_ops *ops,
                                                acct_verify_info_fn verify_info, const char *source,
                                                void *impl);

/*
 * ntlm_account_store_verify() with the logon info: filled on success (a
 * custom store gives only the source NULL), empty on failure.
 */
NTLM_MUST_CHECK ntlm_err acct_store_verify_info(ntlm_account_store *store,
                                                const ntlm_auth_request *req, ntlm_auth_result *res,
                                                acct_logon_info *info);

/*
 * Domain-local groups (aliases: BUILTIN's, or a domain's own) are not in a
 * logon's SIDs; winbindd knows their members. *member: whether the account
 * (sid, with its space-separated group_sids) belongs to the alias, asked of
 * winbindd in the alias's domain (acct_winbind.c). Any answer but a
 * membership, winbindd absent included, is 0: the caller refuses.
 */
void acct_winbind_alias_member(const char *alias, const char *sid, const char *group_sids,
                               int *member);

#endif
