/*
 * rpc_hello.c - a DCE/RPC server and client in one process, using only the
 * installed public API: the server (one interface, one operation that
 * answers "hello, " and the caller's authenticated name) listens on
 * 127.0.0.1 with a port the kernel picks and authenticates with NTLM against
 * a one-account custom store; the client binds at PKT_PRIVACY (every stub
 * sealed) and calls the operation.
 * Build: cc rpc_hello.c $(pkg-config --cflags --libs rpcntlm) -pthread
 */
#include <ntlmssp/rpc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USER     "zoe"
#define PASSWORD "zoe's password"
#define IFACE    "12345678-1234-abcd-ef00-0123456789ab"

static uint8_t nt_hash[NTLM_HASH_SIZE];

static ntlm_err verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	(void)impl;
	if (strcasecmp(req->user, USER) != 0)
		return NTLM_E_NO_SUCH_USER;
	ntlm_err rc = ntlm_verify_response(req, nt_hash, NULL, res);
	if (rc == NTLM_OK) {
		snprintf(res->authority, sizeof(res->authority), "%s", req->server_name);
		snprintf(res->user, sizeof(res->user), "%s", USER);
	}
	return rc;
}

/* Operation 0: "hello, " + the client's principal as the server authenticated it. */
static uint32_t op_hello(ntlm_rpc_call *call, const uint8_t *in, size_t in_len, ntlm_buffer *out,
                         void *arg)
{
	(void)in;
	(void)in_len;
	(void)arg;
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	if (ntlm_rpc_query_client_blanket(call, &b) != NTLM_RPC_S_OK)
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	char *text = malloc(160);
	if (!text)
		return NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
	int n = snprintf(text, 160, "hello, %s (level %u)", b.client_principal, b.authn_level);
	out->data = (uint8_t *)text;
	out->len = n < 0 ? 0 : n >= 160 ? 159 : (size_t)n;
	return 0;
}

static void *serve(void *srv)
{
	ntlm_rpc_status st = ntlm_rpc_server_run(srv);
	if (st != NTLM_RPC_S_OK)
		fprintf(stderr, "server: %s\n", ntlm_rpc_strerror(st));
	return NULL;
}

static int failed(const char *what, ntlm_rpc_status st, const char *detail)
{
	fprintf(stderr, "%s: %s %s\n", what, ntlm_rpc_strerror(st), detail ? detail : "");
	return 1;
}

/* Binds to the interface at PKT_PRIVACY and calls operation 0; prints the answer. */
static int call_hello(uint16_t port, const ntlm_rpc_syntax *iface)
{
	char binding[64];
	snprintf(binding, sizeof(binding), "ncacn_ip_tcp:127.0.0.1[%u]", (unsigned)port);
	ntlm_cred *cred = NULL;
	if (ntlm_cred_password(&cred, "", USER, PASSWORD) != NTLM_OK)
		return failed("credential", NTLM_RPC_S_OUT_OF_MEMORY, NULL);
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer answer = {NULL, 0};
	ntlm_rpc_status st = ntlm_rpc_client_new(&cli, binding);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(cli, NTLM_RPC_AUTHN_WINNT, NTLM_RPC_LEVEL_PKT_PRIVACY,
		                                 NTLM_RPC_IMP_IDENTIFY, NULL);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(cli, cred);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_bind(cli, iface);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_call(cli, 0, NULL, 0, &answer);
	int rc = 0;
	if (st == NTLM_RPC_S_OK)
		printf("%.*s\n", (int)answer.len, (const char *)answer.data);
	else
		rc = failed("call", st, cli ? ntlm_rpc_client_message(cli) : NULL);
	ntlm_buffer_free(&answer);
	ntlm_rpc_client_free(cli);
	ntlm_cred_free(cred);
	return rc;
}

int main(void)
{
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = verify};
	static const ntlm_rpc_op table[] = {op_hello};
	ntlm_account_store *store = NULL;
	if (ntlm_nt_hash(PASSWORD, nt_hash) != NTLM_OK ||
	    ntlm_account_store_new(&store, &ops, NULL) != NTLM_OK)
		return failed("store", NTLM_RPC_S_OUT_OF_MEMORY, NULL);
	ntlm_server_config ntlm = {NTLM_SERVER_CONFIG_INIT, .computer_name = "EXAMPLE", .store = store};
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT, .ntlm = &ntlm,
	                              .min_level = NTLM_RPC_LEVEL_PKT_PRIVACY};
	ntlm_rpc_interface iface = {NTLM_RPC_INTERFACE_INIT, .id = {.major = 1}, .ops = table,
	                            .n_ops = 1};
	ntlm_rpc_server *srv = NULL;
	uint16_t port = 0;
	ntlm_rpc_status st = ntlm_rpc_uuid_parse(IFACE, iface.id.uuid);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_server_new(&srv, &cfg);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_server_register(srv, &iface);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_server_listen(srv, "ncacn_ip_tcp:127.0.0.1[0]", &port);
	pthread_t thread;
	if (st == NTLM_RPC_S_OK && pthread_create(&thread, NULL, serve, srv) != 0)
		st = NTLM_RPC_S_OUT_OF_MEMORY;
	int rc = st == NTLM_RPC_S_OK ? call_hello(port, &iface.id) : failed("server", st, NULL);
	if (st == NTLM_RPC_S_OK) {
		ntlm_rpc_server_stop(srv);
		pthread_join(thread, NULL);
	}
	ntlm_rpc_server_free(srv);
	ntlm_account_store_free(store);
	return rc;
}
