/*
 * rpc_mitm_server - the server tests/mitm/rpc_mitm.py puts a proxy in front
 * of: interface A (the demo interface) and interface B, whose every
 * operation answers "interface B ran opnum N", so that a call landing on the
 * wrong interface shows.
 *
 *   rpc_mitm_server DIR USER PASSWORD MIN_LEVEL REQUIRE_VT
 *
 * Creates the account in DIR/accounts, listens on 127.0.0.1 (any port),
 * writes the port to DIR/port and serves until SIGTERM or SIGINT. MIN_LEVEL
 * 0 is the library's default; REQUIRE_VT 1 sets require_verification_trailer. The
 * account maps to uid 65534 (nobody): nothing here needs another.
 */
#include <signal.h>

#include "rpc_testutil.h"

#define B_UUID "5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f63"

static uint32_t op_b(uint16_t opnum, ntlm_buffer *out)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "interface B ran opnum %u", opnum);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, text, (size_t)n);
	ntlm_err rc = nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc == NTLM_OK ? 0 : NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
}

#define OP_B(n)                                                                                    \
	static uint32_t op_b##n(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,  \
	                        void *arg)                                                             \
	{                                                                                              \
		(void)call, (void)in, (void)len, (void)arg;                                                \
		return op_b(n, out);                                                                       \
	}
OP_B(0)
OP_B(1)
OP_B(2)
OP_B(3)
OP_B(4)

int main(int argc, char **argv)
{
	static const ntlm_rpc_op b_ops[] = {op_b0, op_b1, op_b2, op_b3, op_b4};
	if (argc != 6) {
		fprintf(stderr, "usage: rpc_mitm_server DIR USER PASSWORD MIN_LEVEL REQUIRE_VT\n");
		return 2;
	}
	char accounts[512], port_file[512];
	snprintf(accounts, sizeof(accounts), "%s/accounts", argv[1]);
	snprintf(port_file, sizeof(port_file), "%s/port", argv[1]);
	ntlm_rpc_interface b = {NTLM_RPC_INTERFACE_INIT, .ops = b_ops, .n_ops = 5};
	demo_syntax(&b.id);
	NTLM_IGNORE_RESULT(ntlm_rpc_uuid_parse(B_UUID, b.id.uuid)); /* a constant that parses */
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT, .min_level = (uint32_t)atoi(argv[4]),
	                              .require_verification_trailer = atoi(argv[5])};
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the server thread inherits it; sigwait below */
	rt_server s;
	smbpw_entry existing;
	if ((smbpw_lookup(accounts, argv[2], &existing) != NTLM_OK &&
	     rt_add_account(accounts, argv[2], argv[3], 65534) != NTLM_OK) ||
	    rt_server_start_cfg(&s, argv[1], "mitm", accounts, "MITM", &b, &cfg) != 0) {
		perror("rpc_mitm_server: set-up");
		return 1;
	}
	FILE *f = fopen(port_file, "w");
	if (!f)
		return 1;
	fprintf(f, "%u\n", s.port);
	fclose(f);
	int sig;
	sigwait(&stop, &sig);
	rt_server_stop(&s);
	return 0;
}
