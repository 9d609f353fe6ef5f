/*
 * fuzz_rpc_common.h - what fuzz_rpc_server and gen_corpus share: the RPC
 * server configuration selected by a fuzz input's first byte and the
 * interface it serves.
 */
#ifndef NTLM_FUZZ_RPC_COMMON_H
#define NTLM_FUZZ_RPC_COMMON_H

#include "fuzz_common.h"
#include "internal.h"
#include "pdu.h"

/* The interface served: 12345778-1234-abcd-ef00-0123456789ac v1.0 (opnum 0 echoes). */
static const ntlm_rpc_syntax fzr_iface_id = {{0x78, 0x57, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab, 0xef,
                                              0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac},
                                             1,
                                             0};

/*
 * Selector byte of a server input:
 *   bits 0-2  the interface's min_level (0: none; 1-6: NTLM_RPC_LEVEL_*; 7 as 6)
 *   bit 3     ncalrpc (a local peer, uid = this process's) instead of ncacn_ip_tcp
 *   bits 4-7  the NTLM policy: fz_policy(sel >> 4) (responses, require MIC, channel
 *             bindings required)
 */
#define FZR_SEL_LOCAL 0x08u

static inline uint32_t fzr_min_level(uint8_t sel)
{
	uint32_t l = sel & 7u;
	return l > NTLM_RPC_LEVEL_PKT_PRIVACY ? NTLM_RPC_LEVEL_PKT_PRIVACY : l;
}

/* The NTLM server settings for selector sel; the store, policy and hooks outlive the server. */
static inline void fzr_ntlm_config(uint8_t sel, ntlm_account_store *store, ntlm_policy *policy,
                                   ntlm_hooks *hooks, fz_rng *rng, ntlm_server_config *cfg)
{
	*cfg = (ntlm_server_config){NTLM_SERVER_CONFIG_INIT};
	fz_policy((uint8_t)(sel >> 4), policy);
	fz_hooks_init(hooks, rng, 0x5e5e5e5e02ull);
	cfg->policy = policy;
	cfg->computer_name = "FUZZSRV";
	cfg->domain_name = FZ_DOMAIN;
	cfg->service_names = fz_services;
	cfg->store = store;
	cfg->cbt_hash = fz_cbt;
	cfg->hooks = hooks;
}

#endif
