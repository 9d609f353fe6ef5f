/*
 * rpc_testutil.h - what the RPC tests share: a scratch directory, an
 * smbpasswd account file, and a server running on its own thread.
 */
#ifndef NTLM_RPC_TESTUTIL_H
#define NTLM_RPC_TESTUTIL_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo_iface.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/rpc.h"

/* expr must return the ntlm_rpc_status want (t.h's T_FAIL). */
#define T_STATUS(expr, want)                                                                       \
	do {                                                                                           \
		ntlm_rpc_status t_st_ = (expr);                                                            \
		if (t_st_ != (ntlm_rpc_status)(want))                                                      \
			T_FAIL("%s returned %s (0x%x), wanted %s", #expr, ntlm_rpc_status_name(t_st_),         \
			       (unsigned)t_st_, #want);                                                        \
	} while (0)

/* A fresh directory under /tmp, world-searchable (impersonated threads walk into it). */
static inline int rt_tempdir(char *out, size_t cap)
{
	snprintf(out, cap, "/tmp/ntlm-rpc-test.XXXXXX");
	if (!mkdtemp(out))
		return -1;
	return chmod(out, 0711);
}

static inline ntlm_err rt_add_account(const char *file, const char *user, const char *password,
                                      uint32_t uid)
{
	uint8_t nt[16];
	ntlm_err rc = ntlm_nt_hash(password, nt);
	return rc == NTLM_OK ? smbpw_modify(file, SMBPW_ADD, user, nt, NULL, uid) : rc;
}

/* A server with the demo interface (plus extra, if not NULL) serving on its own thread. */
typedef struct rt_server {
	ntlm_rpc_server *srv;
	ntlm_account_store *store;
	ntlm_server_config ncfg;
	pthread_t thread;
	ntlm_rpc_status run_status; /* what ntlm_rpc_server_run answered when it ended */
	uint16_t port;
	char tcp[64], local[160];
} rt_server;

static inline void *rt_server_main(void *arg)
{
	rt_server *s = arg;
	s->run_status = ntlm_rpc_server_run(s->srv);
	return NULL;
}

/*
 * Listens on 127.0.0.1 (any port) and on ncalrpc:[dir/name.sock]; NTLM
 * against account_file (NULL: ncalrpc only) with computer name computer;
 * base (NULL: the defaults) gives the other server settings.
 */
static inline int rt_server_start_cfg(rt_server *s, const char *dir, const char *name,
                                      const char *account_file, const char *computer,
                                      const ntlm_rpc_interface *extra,
                                      const ntlm_rpc_server_config *base)
{
	memset(s, 0, sizeof(*s));
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT};
	if (base)
		cfg = *base;
	if (account_file) {
		if (ntlm_account_store_smbpasswd(&s->store, account_file) != NTLM_OK)
			return -1;
		s->ncfg.struct_size = sizeof(s->ncfg);
		s->ncfg.store = s->store;
		s->ncfg.computer_name = computer;
		cfg.ntlm = &s->ncfg;
	}
	ntlm_rpc_interface iface = {NTLM_RPC_INTERFACE_INIT};
	demo_iface(&iface);
	if (ntlm_rpc_server_new(&s->srv, &cfg) != NTLM_RPC_S_OK ||
	    ntlm_rpc_server_register(s->srv, &iface) != NTLM_RPC_S_OK ||
	    (extra && ntlm_rpc_server_register(s->srv, extra) != NTLM_RPC_S_OK) ||
	    ntlm_rpc_server_listen(s->srv, "ncacn_ip_tcp:127.0.0.1[0]", &s->port) != NTLM_RPC_S_OK)
		return -1;
	snprintf(s->tcp, sizeof(s->tcp), "ncacn_ip_tcp:127.0.0.1[%u]", s->port);
	snprintf(s->local, sizeof(s->local), "ncalrpc:[%s/%s.sock]", dir, name);
	if (ntlm_rpc_server_listen(s->srv, s->local, NULL) != NTLM_RPC_S_OK)
		return -1;
	return pthread_create(&s->thread, NULL, rt_server_main, s) == 0 ? 0 : -1;
}

static inline int rt_server_start(rt_server *s, const char *dir, const char *name,
                                  const char *account_file, const char *computer,
                                  const ntlm_rpc_interface *extra)
{
	return rt_server_start_cfg(s, dir, name, account_file, computer, extra, NULL);
}

static inline void rt_server_stop(rt_server *s)
{
	if (!s->srv)
		return;
	ntlm_rpc_server_stop(s->srv);
	pthread_join(s->thread, NULL);
	ntlm_rpc_server_free(s->srv);
	ntlm_account_store_free(s->store);
	memset(s, 0, sizeof(*s));
}

/* Binds a new client to the demo interface; the status of the bind. */
static inline uint32_t rt_bind(ntlm_rpc_client **cli, const char *binding, uint32_t level,
                               uint32_t imp, const char *principal, const ntlm_cred *cred)
{
	ntlm_rpc_syntax syn;
	demo_syntax(&syn);
	uint32_t svc = level == NTLM_RPC_LEVEL_NONE ? NTLM_RPC_AUTHN_NONE : NTLM_RPC_AUTHN_WINNT;
	uint32_t st = ntlm_rpc_client_new(cli, binding);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(*cli, svc, level, imp, principal);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(*cli, cred);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_bind(*cli, &syn);
	return st;
}

/* WhoAmI on a bound client (flags: DEMO_WHOAMI_*). */
static inline uint32_t rt_whoami(ntlm_rpc_client *cli, uint32_t flags, demo_whoami *who)
{
	uint8_t in[4];
	ntlm_buffer out = {NULL, 0};
	nb_store_u32le(in, flags);
	uint32_t st = ntlm_rpc_client_call(cli, DEMO_OP_WHOAMI, in, 4, &out);
	if (st == NTLM_RPC_S_OK && demo_parse_whoami(out.data, out.len, who) != NTLM_OK)
		st = NTLM_RPC_S_BAD_STUB_DATA;
	ntlm_buffer_free(&out);
	return st;
}

#endif
