/*
 * acct_store.h - what the engine asks of the store object beyond the public
 * store interface in ntlmssp.h.
 */
#ifndef NTLM_ACCT_STORE_H
#define NTLM_ACCT_STORE_H

#include <stddef.h>

#include "ntlmssp/ntlmssp.h"

/*
 * The store's own replay cache, created with entries on first use: every
 * server of one service shares its store, so the cache protects them all
 * (a cache per context would hold one handshake).
 */
NTLM_MUST_CHECK ntlm_err acct_store_replay_cache(ntlm_account_store *store, size_t entries,
                                                 ntlm_replay_cache **out);

#endif
