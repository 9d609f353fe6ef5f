/*
 * policy.h - the policy decisions the roles share (policy.c); the policy
 * object itself and its file are public (ntlmssp.h).
 */
#ifndef NTLM_POLICY_H
#define NTLM_POLICY_H

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"
#include "shared.h"

/*
 * The system policy ($NTLMSSP_CONF, else /etc/ntlmssp.conf; the defaults
 * where that file does not exist) for a context created without a policy of
 * its caller's. sh (may be NULL: the file is read) is the store's or the
 * credential's copy: the file is looked at again at most every
 * SH_POLICY_RECHECK_MS and read only when it changed. A file that does not
 * load is an error, never the defaults; nothing of it is kept.
 */
NTLM_MUST_CHECK ntlm_err policy_system(sh_state *sh, ntlm_policy *out);

/* Signing or sealing with less than a 128-bit key (see nk_seal_key_bits). */
int policy_short_key(uint32_t flags);
/* The policy rule (e.g. "min_security: 128bit") the flags break, or NULL. */
const char *policy_min_security_violation(const ntlm_policy *p, uint32_t flags);
/* The policy rule an error reports, or NULL when the error is not a policy refusal. */
const char *policy_rule_for_error(ntlm_err e);

#endif
