/*
 * policy.h - the policy decisions the roles share (policy.c); the policy
 * object itself and its file are public (ntlmssp.h).
 */
#ifndef NTLM_POLICY_H
#define NTLM_POLICY_H

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/* Signing or sealing with less than a 128-bit key (see nk_seal_key_bits). */
int policy_short_key(uint32_t flags);
/* The policy rule (e.g. "min_security: 128bit") the flags break, or NULL. */
const char *policy_min_security_violation(const ntlm_policy *p, uint32_t flags);
/* The policy rule an error reports, or NULL when the error is not a policy refusal. */
const char *policy_rule_for_error(ntlm_err e);

#endif
