/*
 * ntlm_ntstatus.h - a library error in Samba's words: the NT_STATUS_* name
 * its ntlm_auth prints in "NA NT_STATUS_LOGON_FAILURE" and the like, so that
 * callers matching those texts (Wine, scripts) read ours the same way.
 */
#ifndef NTLM_NTSTATUS_H
#define NTLM_NTSTATUS_H

#include "ntlmssp/ntlmssp.h"

/*
 * "NT_STATUS_LOGON_FAILURE", ... from ntlm_err_ntstatus(rc); a message at the
 * wrong time reads as NT_STATUS_INVALID_PARAMETER, as Samba's does (its
 * helper feeds any token to a fresh context). Never NULL.
 */
const char *ntstatus_name_of(ntlm_err rc);

#endif
