/*
 * test_rpc_runtime.c - client and server runtimes end to end in one process
 * (the server on its own thread): levels, fragmentation, faults, the
 * blanket, server principals, the ncalrpc local call. Needs no root.
 */
#include <errno.h>
#include <sys/socket.h>

#include "internal.h"
#include "pdu.h"
#include "rpc_testutil.h"
#include "t.h"
#include "mem.h"

#define USER        "bob"
#define PASSWORD    "Bob-Passw0rd!"
#define COMPUTER    "RUNTEST"
#define STRICT_UUID "5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f61"

static char dir[64], accounts[128], me[256];
static rt_server server, weak; /* weak: CONNECT and NONE allowed by name */
static ntlm_cred *good, *wrong;

/* Every level against a server that allows them all (test_rpc_vt: the default refuses them). */
static void test_tcp_every_level(void)
{
	static const uint32_t levels[] = {NTLM_RPC_LEVEL_NONE,          NTLM_RPC_LEVEL_CONNECT,
	                                  NTLM_RPC_LEVEL_CALL,          NTLM_RPC_LEVEL_PKT,
	                                  NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_LEVEL_PKT_PRIVACY};
	static const uint32_t seen[] = {1, 2, 4, 4, 5, 6};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(levels); i++) {
		ntlm_rpc_client *cli = NULL;
		demo_whoami who;
		ntlm_buffer out = {NULL, 0};
		T_OK(rt_bind(&cli, weak.tcp, levels[i], NTLM_RPC_IMP_IMPERSONATE, NULL, good));
		T_OK(ntlm_rpc_client_call(cli, DEMO_OP_ADD, (const uint8_t *)"\x28\0\0\0\x02\0\0\0", 8,
		                          &out));
		T_ASSERT(out.len == 4 && nb_load_u32le(out.data) == 42);
		ntlm_buffer_free(&out);
		T_OK(rt_whoami(cli, 0, &who));
		T_ASSERT(who.authn_level == seen[i]);
		if (levels[i] == NTLM_RPC_LEVEL_NONE) {
			T_ASSERT(who.authn_svc == 0);
			T_STR(who.client_principal, "");
		} else {
			T_ASSERT(who.authn_svc == 10 && who.local == 0 && who.imp_level == 3);
			T_STR(who.client_principal, COMPUTER "\\" USER);
		}
		ntlm_rpc_client_free(cli);
	}
}

/* 100 KiB each way: many fragments, each signed or sealed on its own. */
static void test_fragmented_calls(void)
{
	static uint8_t big[100 * 1024];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	for (uint32_t level = NTLM_RPC_LEVEL_PKT_INTEGRITY; level <= NTLM_RPC_LEVEL_PKT_PRIVACY;
	     level++) {
		ntlm_rpc_client *cli = NULL;
		ntlm_buffer out = {NULL, 0};
		T_OK(rt_bind(&cli, server.tcp, level, NTLM_RPC_IMP_IMPERSONATE, NULL, good));
		T_OK(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, big, sizeof(big), &out));
		T_ASSERT(out.len == sizeof(big) && memcmp(out.data, big, sizeof(big)) == 0);
		ntlm_buffer_free(&out);
		T_OK(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, NULL, 0, &out)); /* and an empty stub */
		T_ASSERT(out.len == 0);
		ntlm_buffer_free(&out);
		ntlm_rpc_client_free(cli);
	}
}

static void test_wrong_password_and_unknown_user(void)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer out = {NULL, 0};
	/* the bind goes through (rpc_auth_3 has no answer); the first call is refused */
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             wrong));
	T_EXPECT_ERR(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, (const uint8_t *)"x", 1, &out),
	             NTLM_RPC_S_ACCESS_DENIED);
	T_ASSERT(ntlm_rpc_client_fault(cli) == NTLM_RPC_FAULT_ACCESS_DENIED);
	ntlm_rpc_client_free(cli);
	ntlm_cred *nobody = NULL;
	T_OK(ntlm_cred_password(&nobody, "X", "nobody-here", PASSWORD));
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             nobody));
	T_EXPECT_ERR(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, (const uint8_t *)"x", 1, &out),
	             NTLM_RPC_S_ACCESS_DENIED);
	ntlm_rpc_client_free(cli);
	ntlm_cred_free(nobody);
}

static void test_unknown_interface_and_opnum(void)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_rpc_syntax other;
	ntlm_buffer out = {NULL, 0};
	demo_syntax(&other);
	other.major = 2; /* no such version */
	T_OK(ntlm_rpc_client_new(&cli, server.tcp));
	T_OK(ntlm_rpc_client_set_credentials(cli, good));
	T_EXPECT_ERR(ntlm_rpc_client_bind(cli, &other), NTLM_RPC_S_UNKNOWN_IF);
	ntlm_rpc_client_free(cli);
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             good));
	T_EXPECT_ERR(ntlm_rpc_client_call(cli, 99, NULL, 0, &out), NTLM_RPC_S_PROCNUM_OUT_OF_RANGE);
	T_ASSERT(ntlm_rpc_client_fault(cli) == NTLM_RPC_FAULT_OP_RNG_ERROR);
	/* a handler's own fault, and the association survives it */
	T_EXPECT_ERR(ntlm_rpc_client_call(cli, DEMO_OP_ADD, (const uint8_t *)"abc", 3, &out),
	             NTLM_RPC_S_BAD_STUB_DATA);
	T_OK(ntlm_rpc_client_call(cli, DEMO_OP_ECHO, (const uint8_t *)"still here!!", 12, &out));
	T_ASSERT(out.len == 12);
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
}

/*
 * Two interfaces on one association (alter_context) and calls naming an
 * object (PFC_OBJECT_UUID), fragmented, signed and sealed: the server checks
 * each call's verification trailer against the context it names, and with
 * ESS the signature covers the header with the object in it.
 */
static void test_alter_context_and_object(void)
{
	static uint8_t big[20 * 1024];
	static const uint8_t ipid[16] = {0x6c, 0x3c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
	ntlm_rpc_syntax demo, strict, unknown;
	demo_syntax(&demo);
	demo_syntax(&strict);
	T_SETUP(ntlm_rpc_uuid_parse(STRICT_UUID, strict.uuid));
	unknown = strict;
	unknown.major = 9;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 5 + 1);
	for (uint32_t level = NTLM_RPC_LEVEL_PKT_INTEGRITY; level <= NTLM_RPC_LEVEL_PKT_PRIVACY;
	     level++) {
		ntlm_rpc_client *cli = NULL;
		ntlm_buffer out = {NULL, 0};
		T_OK(rt_bind(&cli, server.tcp, level, NTLM_RPC_IMP_IMPERSONATE, NULL, good));
		T_OK(ntlm_rpc_client_alter_context(cli, &strict));
		T_OK(ntlm_rpc_client_alter_context(cli, &strict)); /* already there: nothing sent */
		T_EXPECT_ERR(ntlm_rpc_client_alter_context(cli, &unknown), NTLM_RPC_S_UNKNOWN_IF);
		for (int round = 0; round < 2; round++) {
			const ntlm_rpc_syntax *iface = round ? &demo : &strict;
			T_OK(ntlm_rpc_client_call_object(cli, iface, ipid, DEMO_OP_ECHO, big, sizeof(big),
			                                 &out));
			T_ASSERT(out.len == sizeof(big) && memcmp(out.data, big, sizeof(big)) == 0);
			ntlm_buffer_free(&out);
			T_OK(ntlm_rpc_client_call_object(cli, iface, NULL, DEMO_OP_ADD,
			                                 (const uint8_t *)"\x28\0\0\0\x02\0\0\0", 8, &out));
			T_ASSERT(out.len == 4 && nb_load_u32le(out.data) == 42);
			ntlm_buffer_free(&out);
		}
		/* NULL is the bound interface */
		T_OK(ntlm_rpc_client_call_object(cli, NULL, ipid, DEMO_OP_ECHO, (const uint8_t *)"ab", 2,
		                                 &out));
		T_ASSERT(out.len >= 2 && memcmp(out.data, "ab", 2) == 0);
		ntlm_buffer_free(&out);
		ntlm_rpc_client_free(cli);
	}
	/* an interface the server lacks, added implicitly by a call: refused, association intact */
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer out = {NULL, 0};
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             good));
	T_EXPECT_ERR(ntlm_rpc_client_call_object(cli, &unknown, ipid, 0, NULL, 0, &out),
	             NTLM_RPC_S_UNKNOWN_IF);
	T_OK(ntlm_rpc_client_call_object(cli, &strict, ipid, DEMO_OP_ECHO, NULL, 0, &out));
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
	/* not bound yet */
	T_OK(ntlm_rpc_client_new(&cli, server.tcp));
	T_EXPECT_ERR(ntlm_rpc_client_alter_context(cli, &strict), NTLM_RPC_S_INVALID_BINDING);
	T_EXPECT_ERR(ntlm_rpc_client_call_object(cli, &strict, ipid, 0, NULL, 0, &out),
	             NTLM_RPC_S_INVALID_BINDING);
	T_EXPECT_ERR(ntlm_rpc_client_alter_context(cli, NULL), NTLM_RPC_S_INVALID_ARG);
	ntlm_rpc_client_free(cli);
}

/* The second interface demands PKT_INTEGRITY of a server that asks for nothing. */
static void test_minimum_level(void)
{
	ntlm_rpc_syntax strict;
	ntlm_buffer out = {NULL, 0};
	demo_syntax(&strict);
	T_SETUP(ntlm_rpc_uuid_parse(STRICT_UUID, strict.uuid));
	static const uint32_t levels[] = {NTLM_RPC_LEVEL_NONE, NTLM_RPC_LEVEL_CONNECT,
	                                  NTLM_RPC_LEVEL_PKT, NTLM_RPC_LEVEL_PKT_INTEGRITY,
	                                  NTLM_RPC_LEVEL_PKT_PRIVACY};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(levels); i++) {
		ntlm_rpc_client *cli = NULL;
		uint32_t svc = levels[i] == NTLM_RPC_LEVEL_NONE ? NTLM_RPC_AUTHN_NONE
		                                                : NTLM_RPC_AUTHN_WINNT;
		T_OK(ntlm_rpc_client_new(&cli, weak.tcp));
		T_OK(ntlm_rpc_client_set_blanket(cli, svc, levels[i], NTLM_RPC_IMP_IMPERSONATE, NULL));
		T_OK(ntlm_rpc_client_set_credentials(cli, good));
		T_OK(ntlm_rpc_client_bind(cli, &strict));
		uint32_t st = ntlm_rpc_client_call(cli, DEMO_OP_ECHO, (const uint8_t *)"x", 1, &out);
		ntlm_buffer_free(&out);
		T_ASSERT(st == (levels[i] >= NTLM_RPC_LEVEL_PKT_INTEGRITY ? 0 : NTLM_RPC_S_ACCESS_DENIED));
		ntlm_rpc_client_free(cli);
	}
}

static void test_tcp_principal_is_target_name(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE,
	             "SOMEWHERE\\svc-account", good));
	T_OK(rt_whoami(cli, 0, &who));
	T_STR(who.target_name, "SOMEWHERE\\svc-account");
	T_STR(who.server_principal, me); /* what the server calls itself */
	T_ASSERT(ntlm_rpc_client_header_signing(cli));
	ntlm_rpc_client_free(cli);
}

static void test_tcp_identify_level(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(
		rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IDENTIFY, NULL, good));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.imp_level == NTLM_RPC_IMP_IDENTIFY);
	T_ASSERT(who.status == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL);
	T_ASSERT(who.euid == (uint32_t)geteuid());
	ntlm_rpc_client_free(cli);
}

static void test_unauthenticated_cannot_impersonate(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(rt_bind(&cli, weak.tcp, NTLM_RPC_LEVEL_NONE, NTLM_RPC_IMP_IMPERSONATE, NULL, NULL));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.status == NTLM_RPC_S_NO_CONTEXT_AVAILABLE);
	ntlm_rpc_client_free(cli);
}

static void test_tcp_without_credentials(void)
{
	ntlm_rpc_client *cli = NULL;
	unsetenv("NTLM_USER_FILE");
	T_EXPECT_ERR(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE,
	                     NULL, NULL),
	             NTLM_RPC_S_NO_CREDENTIALS);
	ntlm_rpc_client_free(cli);
	/* ... unless the credential file names some */
	char credfile[160];
	snprintf(credfile, sizeof(credfile), "%s/creds", dir);
	FILE *f = fopen(credfile, "w");
	T_ASSERT(f);
	fprintf(f, "ELSEWHERE:%s:%s\n", USER, PASSWORD);
	fclose(f);
	setenv("NTLM_USER_FILE", credfile, 1);
	demo_whoami who;
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             NULL));
	T_OK(rt_whoami(cli, 0, &who));
	T_STR(who.client_principal, COMPUTER "\\" USER);
	ntlm_rpc_client_free(cli);
	unsetenv("NTLM_USER_FILE");
	unlink(credfile);
}

static void test_ncalrpc_local_call(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	char want[256];
	rpc_local_principal(geteuid(), want, sizeof(want));
	/* whatever level is asked, the kernel's channel is reported as privacy, as on Windows */
	T_OK(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_CONNECT, NTLM_RPC_IMP_IMPERSONATE, NULL, NULL));
	T_OK(rt_whoami(cli, 0, &who));
	T_ASSERT(who.local == 1 && who.authn_svc == 10 && who.authn_level == 6 && who.imp_level == 3);
	T_STR(who.client_principal, want);
	ntlm_rpc_client_free(cli);
}

static void test_ncalrpc_with_ntlm(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             good));
	T_OK(rt_whoami(cli, 0, &who));
	T_ASSERT(who.local == 0 && who.authn_level == 5);
	T_STR(who.client_principal, COMPUTER "\\" USER);
	ntlm_rpc_client_free(cli);
}

static void test_ncalrpc_server_principal(void)
{
	ntlm_rpc_client *cli = NULL;
	char account[128], dot[160];
	rpc_account_name(geteuid(), account, sizeof(account));
	snprintf(dot, sizeof(dot), ".\\%s", account);
	T_OK(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, me,
	             NULL));
	ntlm_rpc_client_free(cli);
	T_OK(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, dot,
	             NULL));
	ntlm_rpc_client_free(cli);
	T_EXPECT_ERR(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE,
	                     ".\\someone-else", NULL),
	             NTLM_RPC_S_WRONG_PRINCIPAL);
	T_ASSERT(strstr(ntlm_rpc_client_message(cli), "mismatch") != NULL);
	ntlm_rpc_client_free(cli);
	T_EXPECT_ERR(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE,
	                     "OTHERHOST\\root", NULL),
	             NTLM_RPC_S_WRONG_PRINCIPAL);
	ntlm_rpc_client_free(cli);
}

static void test_ncalrpc_identify_and_anonymous(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(
		rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IDENTIFY, NULL, NULL));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.imp_level == 2 && who.status == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL);
	ntlm_rpc_client_free(cli);
	T_OK(rt_bind(&cli, server.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_ANONYMOUS, NULL,
	             NULL));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.imp_level == 1 && who.status == NTLM_RPC_S_CANT_OPEN_ANONYMOUS);
	T_STR(who.client_principal, "NT AUTHORITY\\ANONYMOUS LOGON");
	T_STR(who.unix_user, ""); /* no local account, certainly not the caller's (or server's) */
	ntlm_rpc_client_free(cli);
}

static void test_local_token_refused_over_tcp(void)
{
	/* The local call is meaningless across a network: a tcp server refuses it. */
	ntlm_rpc_syntax s;
	demo_syntax(&s);
	nb_writer w;
	uint8_t token[RPC_LOCAL_TOKEN_LEN];
	rpc_local_token(NTLM_RPC_IMP_IMPERSONATE, token);
	nb_writer_init(&w);
	T_OK(rpc_put_bind(&w, RPC_PT_BIND, 1, 0, 0, &s));
	T_OK(rpc_put_verifier(&w, 10, 6, 0, 0, token, sizeof(token)));
	rpc_endpoint ep;
	T_OK(rpc_endpoint_parse(server.tcp, &ep));
	int fd = rpc_connect(&ep);
	T_ASSERT(fd >= 0);
	rpc_set_timeouts(fd, 10);
	T_OK(rpc_send_all(fd, w.data, w.len));
	nb_writer_free(&w);
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	uint16_t reason = 0;
	T_OK(rpc_recv_pdu(fd, 65535, &pdu, &len));
	T_OK(rpc_pdu_parse(pdu, len, &p));
	T_OK(rpc_parse_nak(&p, &reason));
	T_ASSERT(reason == NTLM_RPC_NAK_AUTHN_TYPE_NOT_RECOGNIZED);
	free(pdu);
	close(fd);
}

static void test_garbage_is_refused(void)
{
	rpc_endpoint ep;
	T_OK(rpc_endpoint_parse(server.tcp, &ep));
	int fd = rpc_connect(&ep);
	T_ASSERT(fd >= 0);
	rpc_set_timeouts(fd, 10);
	/* a request before any bind: a fault, then the server hangs up */
	nb_writer w;
	nb_writer_init(&w);
	T_OK(rpc_put_request(&w, 5, RPC_PFC_FIRST | RPC_PFC_LAST, 0, 0, 0, NULL, 0));
	T_OK(rpc_send_all(fd, w.data, w.len));
	nb_writer_free(&w);
	uint8_t *pdu = NULL;
	size_t len = 0;
	rpc_pdu p;
	rpc_call_body c;
	T_OK(rpc_recv_pdu(fd, 65535, &pdu, &len));
	T_OK(rpc_pdu_parse(pdu, len, &p));
	T_OK(rpc_parse_call(&p, &c));
	T_ASSERT(p.hdr.ptype == RPC_PT_FAULT && c.status == NTLM_RPC_FAULT_PROTO_ERROR);
	free(pdu);
	T_EXPECT_ERR(rpc_recv_pdu(fd, 65535, &pdu, &len), NTLM_E_IO);
	close(fd);
	/* not even a PDU header */
	fd = rpc_connect(&ep);
	T_ASSERT(fd >= 0);
	rpc_set_timeouts(fd, 10);
	T_OK(rpc_send_all(fd, (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18));
	T_EXPECT_ERR(rpc_recv_pdu(fd, 65535, &pdu, &len), NTLM_E_IO);
	close(fd);
}

static void test_bindings(void)
{
	rpc_endpoint ep;
	ntlm_rpc_client *cli = NULL;
	T_OK(rpc_endpoint_parse("ncacn_ip_tcp:localhost[135]", &ep));
	T_ASSERT(ep.kind == RPC_TR_TCP && ep.port == 135 && strcmp(ep.host, "localhost") == 0);
	T_OK(rpc_endpoint_parse("ncalrpc:[/run/x.sock]", &ep));
	T_ASSERT(ep.kind == RPC_TR_LOCAL && strcmp(ep.path, "/run/x.sock") == 0);
	T_OK(rpc_endpoint_parse("ncalrpc:/run/y.sock", &ep));
	T_ASSERT(strcmp(ep.path, "/run/y.sock") == 0);
	static const char *bad[] = {
		"ncacn_ip_tcp:host",        "ncacn_ip_tcp:[1]", "ncacn_ip_tcp:h[99999]",
		"ncacn_np:host[\\pipe\\x]", "ncalrpc:[]",       "",
		"ncacn_ip_tcp:h[1x]"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++)
		T_EXPECT_ERR(ntlm_rpc_client_new(&cli, bad[i]), NTLM_RPC_S_INVALID_BINDING);
	T_OK(ntlm_rpc_client_new(&cli, "ncalrpc:[/nonexistent/dir/x.sock]"));
	ntlm_rpc_syntax s;
	demo_syntax(&s);
	T_EXPECT_ERR(ntlm_rpc_client_bind(cli, &s), NTLM_RPC_S_SERVER_UNAVAILABLE);
	ntlm_buffer out = {NULL, 0};
	T_EXPECT_ERR(ntlm_rpc_client_call(cli, 0, NULL, 0, &out), NTLM_RPC_S_INVALID_BINDING);
	ntlm_rpc_client_free(cli);
}

/* The ABI rule: structures without their _INIT macro's size are refused, not read. */
static void test_unset_struct_sizes(void)
{
	ntlm_rpc_server *srv = NULL;
	ntlm_rpc_server_config bare = {.min_level = NTLM_RPC_LEVEL_PKT_PRIVACY};
	T_ASSERT(ntlm_rpc_server_new(&srv, &bare) == NTLM_RPC_S_INVALID_ARG && !srv);
	ntlm_server_config ntlm = {.computer_name = COMPUTER};
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT, .ntlm = &ntlm};
	T_ASSERT(ntlm_rpc_server_new(&srv, &cfg) == NTLM_RPC_S_INVALID_ARG && !srv);
	cfg.ntlm = NULL;
	T_ASSERT(ntlm_rpc_server_new(&srv, &cfg) == NTLM_RPC_S_OK);
	ntlm_rpc_interface iface;
	demo_iface(&iface);
	iface.struct_size = 0;
	T_ASSERT(ntlm_rpc_server_register(srv, &iface) == NTLM_RPC_S_INVALID_ARG);
	ntlm_rpc_server_free(srv);
	ntlm_rpc_client *cli = NULL;
	T_ASSERT(ntlm_rpc_client_new(&cli, "ncalrpc:[/nonexistent]") == NTLM_RPC_S_OK);
	ntlm_client_config cc = {.workstation = "WS"};
	T_ASSERT(ntlm_rpc_client_set_ntlm_config(cli, &cc) == NTLM_RPC_S_INVALID_ARG);
	ntlm_rpc_client_free(cli);
}

int main(void)
{
	if (rt_tempdir(dir, sizeof(dir)) != 0)
		return 1;
	snprintf(accounts, sizeof(accounts), "%s/accounts", dir);
	rpc_local_principal(geteuid(), me, sizeof(me));
	ntlm_rpc_interface strict = {NTLM_RPC_INTERFACE_INIT};
	demo_iface(&strict);
	T_SETUP(ntlm_rpc_uuid_parse(STRICT_UUID, strict.id.uuid));
	strict.min_level = NTLM_RPC_LEVEL_PKT_INTEGRITY;
	ntlm_rpc_server_config none = {NTLM_RPC_SERVER_CONFIG_INIT, .min_level = NTLM_RPC_LEVEL_NONE};
	if (rt_add_account(accounts, USER, PASSWORD, (uint32_t)getuid()) != NTLM_OK ||
	    ntlm_cred_password(&good, "ELSEWHERE", USER, PASSWORD) != NTLM_OK ||
	    ntlm_cred_password(&wrong, "ELSEWHERE", USER, "not-it") != NTLM_OK ||
	    rt_server_start(&server, dir, "runtime", accounts, COMPUTER, &strict) != 0 ||
	    rt_server_start_cfg(&weak, dir, "weak", accounts, COMPUTER, &strict, &none) != 0) {
		fprintf(stderr, "set-up failed: %s\n", strerror(errno));
		return 1;
	}
	T_RUN(test_tcp_every_level);
	T_RUN(test_fragmented_calls);
	T_RUN(test_wrong_password_and_unknown_user);
	T_RUN(test_unknown_interface_and_opnum);
	T_RUN(test_minimum_level);
	T_RUN(test_alter_context_and_object);
	T_RUN(test_tcp_principal_is_target_name);
	T_RUN(test_tcp_identify_level);
	T_RUN(test_unauthenticated_cannot_impersonate);
	T_RUN(test_tcp_without_credentials);
	T_RUN(test_ncalrpc_local_call);
	T_RUN(test_ncalrpc_with_ntlm);
	T_RUN(test_ncalrpc_server_principal);
	T_RUN(test_ncalrpc_identify_and_anonymous);
	T_RUN(test_local_token_refused_over_tcp);
	T_RUN(test_garbage_is_refused);
	T_RUN(test_bindings);
	T_RUN(test_unset_struct_sizes);
	rt_server_stop(&server);
	rt_server_stop(&weak);
	ntlm_cred_free(good);
	ntlm_cred_free(wrong);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", accounts);
	unlink(accounts);
	unlink(lock);
	rmdir(dir);
	T_END();
}
