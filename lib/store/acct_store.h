/*
 * acct_store.h - what the account stores (acct_store.c, acct_winbind.c)
 * share beyond the public store interface in ntlmssp.h.
 */
#ifndef NTLM_ACCT_STORE_H
#define NTLM_ACCT_STORE_H

#include "ntlmssp/ntlmssp.h"

/*
 * For an account that cannot be checked (unknown, no NT hash): the work of
 * checking req against a hash nobody has, so that a refusal costs the same
 * time whether or not the account exists; returns why.
 */
ntlm_err acct_verify_nobody(const ntlm_auth_request *req, ntlm_err why);

#endif
