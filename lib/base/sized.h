/*
 * sized.h - the ABI rule of ntlmssp.h for the structures a caller fills:
 * struct_size first, fields only ever added at the end. Shared by the
 * library and the faces above it (rpc/), which copy such structures too.
 */
#ifndef NTLM_SIZED_H
#define NTLM_SIZED_H

#include <stddef.h>

#include "ntlmssp/ntlmssp.h"

/*
 * The ABI rule (ntlmssp.h) for a structure whose first member is size_t
 * struct_size. sized_in: copies the caller's *src into the library's own
 * structure *dst of dst_size bytes, zeroing the fields the caller's size does
 * not cover (their default). A size below min_size (the first published
 * version) or above dst_size is NTLM_E_STRUCT_SIZE; the copy's struct_size is
 * dst_size. sized_out: the library's
 * *src (src_size bytes) into the caller's *dst, as much as its struct_size
 * covers, keeping that struct_size.
 */
NTLM_MUST_CHECK ntlm_err ntlm_sized_in(void *dst, size_t dst_size, const void *src,
                                       size_t min_size);
NTLM_MUST_CHECK ntlm_err ntlm_sized_out(void *dst, const void *src, size_t src_size,
                                        size_t min_size);
/* The size a structure of the first published version ends at: the end of its last field. */
#define NTLM_SIZE_UPTO(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

/* The sizes of the first published versions: the end of their last field then. */
#define POLICY_V0_SIZE        NTLM_SIZE_UPTO(ntlm_policy, lockout_window)
#define CLIENT_CONFIG_V0_SIZE NTLM_SIZE_UPTO(ntlm_client_config, hooks)
#define SERVER_CONFIG_V0_SIZE NTLM_SIZE_UPTO(ntlm_server_config, replay)
#define HOOKS_V0_SIZE         NTLM_SIZE_UPTO(ntlm_hooks, arg)
#define STORE_OPS_V0_SIZE     NTLM_SIZE_UPTO(ntlm_account_store_ops, free)
/* the audit event before account_source */
#define AUDIT_EVENT_V0_SIZE NTLM_SIZE_UPTO(ntlm_audit_event, rule)

#endif
