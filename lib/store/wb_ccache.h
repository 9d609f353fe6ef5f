/*
 * wb_ccache.h - winbindd's memory credential cache, for a client without a
 * password (ntlm_cred_from_winbind_cache, cred.c and client.c). winbindd
 * holds the password of a user who logged on (pam_winbind, or
 * wbcCredentialSave / `wbinfo --ccache-save`) and answers a CHALLENGE with
 * a whole AUTHENTICATE and the ExportedSessionKey; this library never sees
 * the password or its hash. winbindd lets only the uid that saved the entry
 * (and root) use it. Built from acct_winbind.c, or acct_winbind_none.c
 * without libwbclient (NTLM_E_UNSUPPORTED).
 */
#ifndef NTLM_WB_CCACHE_H
#define NTLM_WB_CCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/*
 * Is there an entry for domain\user (domain NULL or "": winbindd's default
 * domain) that this process's uid may use? NTLM_E_NO_CREDENTIALS if not
 * (winbindd does not tell "none" from "another uid's"), NTLM_E_BACKEND when
 * winbindd does not answer.
 */
NTLM_MUST_CHECK ntlm_err wb_ccache_probe(const char *domain, const char *user);

/*
 * winbindd answers challenge for domain\user. negotiate is the NEGOTIATE
 * this client sent: winbindd's client adopts its flags and computes the MIC
 * over it. *auth (the AUTHENTICATE, to free with ntlm_buffer_free) and
 * session_key (ExportedSessionKey) on success.
 */
NTLM_MUST_CHECK ntlm_err wb_ccache_answer(const char *domain, const char *user,
                                          const uint8_t *negotiate, size_t negotiate_len,
                                          const uint8_t *challenge, size_t challenge_len,
                                          ntlm_buffer *auth,
                                          uint8_t session_key[NTLM_SESSION_KEY_SIZE]);

#endif
