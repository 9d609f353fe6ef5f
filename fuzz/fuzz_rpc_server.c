/* Target functions: the RPC server's association logic (rpc/server.c serve_pdu: bind, alter_context, rpc_auth_3, requests), ntlm_rpc_sec_step/unprotect (server), ntlm_rpc_query_client_blanket */
/*
 * One server connection fed what a network client can send, PDU after PDU,
 * without a socket (rpc_server_conn_detached; what the server answers is
 * dropped). NTLM time and randomness are fixed, so the seeds (a real
 * client's bind, rpc_auth_3 and sealed requests for the same challenge, from
 * gen_corpus) authenticate and the fuzzer starts inside the success path.
 *
 * Input: sel(1) | PDUs back to back (each as long as its frag_length says;
 * the last one gets what is left).
 *
 * Invariants, checked in the handler, i.e. whenever a call runs: the
 * association is at least at the interface's min_level; an authenticated
 * caller over the network is an account of the store (or anonymous when
 * the policy allows it); an unauthenticated one has no identity.
 */
#include "fuzz_rpc_common.h"

struct fzr_seen {
	uint8_t sel;
	int calls;
};

static uint32_t fzr_echo(ntlm_rpc_call *call, const uint8_t *in, size_t in_len, ntlm_buffer *out,
                         void *arg)
{
	struct fzr_seen *seen = arg;
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	seen->calls++;
	FZ_CHECK(ntlm_rpc_query_client_blanket(call, &b) == NTLM_RPC_S_OK);
	FZ_CHECK(b.authn_level >= fzr_min_level(seen->sel));
	if (b.authn_svc == NTLM_RPC_AUTHN_NONE) {
		FZ_CHECK(b.authn_level == NTLM_RPC_LEVEL_NONE && b.client_principal[0] == '\0');
	} else if (!b.local) {
		FZ_CHECK(!strcmp(b.client_principal, "FUZZSRV\\" FZ_USER) ||
		         !strcmp(b.client_principal, "FUZZSRV\\" FZ_LM_USER) ||
		         (((seen->sel >> 4) & 3) == 3 &&
		          !strcmp(b.client_principal, "NT AUTHORITY\\ANONYMOUS LOGON")));
	}
	out->data = fz_dup(in, in_len);
	out->len = in_len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	struct fzr_seen seen = {sel, 0};
	static const ntlm_rpc_op ops[] = {fzr_echo};
	ntlm_rpc_interface iface = {
		NTLM_RPC_INTERFACE_INIT,        .id = fzr_iface_id, .ops = ops, .n_ops = 1, .arg = &seen,
		.min_level = fzr_min_level(sel)};
	ntlm_account_store *store = fz_store_new();
	ntlm_policy policy;
	ntlm_hooks hooks = {NTLM_HOOKS_INIT};
	fz_rng rng;
	ntlm_server_config ncfg;
	fzr_ntlm_config(sel, store, &policy, &hooks, &rng, &ncfg);
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT, .ntlm = &ncfg,
	                              .principal = "FUZZSRV\\service"};
	ntlm_rpc_server *srv = NULL;
	FZ_CHECK(ntlm_rpc_server_new(&srv, &cfg) == NTLM_RPC_S_OK);
	FZ_CHECK(ntlm_rpc_server_register(srv, &iface) == NTLM_RPC_S_OK);
	rpc_peer me = {getpid(), getuid(), getgid()};
	struct conn *c = rpc_server_conn_detached(srv, (sel & FZR_SEL_LOCAL) ? &me : NULL);
	FZ_CHECK(c != NULL);
	int open = 1;
	while (open && size > 0) {
		size_t n = size;
		uint16_t frag;
		if (size >= RPC_HDR_LEN && rpc_peek_frag_len(data, &frag) == NTLM_OK && frag < size)
			n = frag;
		uint8_t *pdu = fz_dup(data, n); /* the server unseals in place */
		open = rpc_server_conn_serve(c, pdu, n);
		free(pdu);
		data += n;
		size -= n;
	}
	rpc_server_conn_free(c);
	ntlm_rpc_server_free(srv);
	ntlm_account_store_free(store);
	return 0;
}
