/*
 * config.h - the caller's structures read by the ABI rule of ntlmssp.h
 * (struct_size first, fields only added at the end): each *_in copies the
 * caller's structure into a full one of this library's version, the fields
 * the caller's size does not cover zeroed (their default). NTLM_E_STRUCT_SIZE
 * for an uninitialised or unknown size.
 */
#ifndef NTLM_CONFIG_H
#define NTLM_CONFIG_H

#include "sized.h"
#include "ntlmssp/ntlmssp.h"

NTLM_MUST_CHECK ntlm_err policy_in(ntlm_policy *dst, const ntlm_policy *caller);
NTLM_MUST_CHECK ntlm_err client_config_in(ntlm_client_config *dst,
                                          const ntlm_client_config *caller);
NTLM_MUST_CHECK ntlm_err server_config_in(ntlm_server_config *dst,
                                          const ntlm_server_config *caller);
NTLM_MUST_CHECK ntlm_err hooks_in(ntlm_hooks *dst, const ntlm_hooks *caller);

#endif
