/*
 * rpc-demo-server - serves the demonstration interface (demo_iface.h) over
 * ncacn_ip_tcp with NTLMSSP against an smbpasswd account file, and over
 * ncalrpc with the local call, until SIGINT or SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_common.h"
#include "demo_iface.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/rpc.h"

#define MAX_ENDPOINTS 8

struct options {
	const char *endpoints[MAX_ENDPOINTS];
	int n_endpoints;
	const char *account_file, *computer, *principal, *port_file, *create;
	uint32_t min_level;
	int winbind; /* the domain's accounts (winbindd) instead of an account file */
};

/* The one server of this program, for the signal handler. */
static ntlm_rpc_server *running;

static void on_signal(int sig)
{
	(void)sig;
	ntlm_rpc_server_stop(running); /* async-signal-safe: an atomic store and a write(2) */
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rpc-demo-server --listen ENDPOINT [--listen ENDPOINT]...\n"
	           "         [--account-file SMBPASSWD] [--computer NAME] [--min-level N]\n"
	           "         [--principal DOMAIN\\\\user] [--port-file FILE]\n"
	           "         [--create-account USER:PASSWORD] [--winbind]\n"
	           "ENDPOINT: ncacn_ip_tcp:HOST[PORT] (port 0: any) or ncalrpc:[/path/socket]\n"
	           "ncacn_ip_tcp needs --account-file (NTLM accounts, Samba smbpasswd format)\n"
	           "or --winbind (a domain's accounts through winbindd, mapped by its idmap).\n"
	           "--min-level: calls below are refused; default 5 (PKT_INTEGRITY). 2 (CONNECT)\n"
	           "  or 1 (NONE) lets anyone on the path inject calls: only when asked for.\n");
}

static int add_endpoint(void *opts, const char *arg)
{
	struct options *o = opts;
	if (o->n_endpoints == MAX_ENDPOINTS)
		return -1;
	o->endpoints[o->n_endpoints++] = arg;
	return 0;
}

static int set_winbind(void *opts, const char *arg)
{
	(void)arg;
	((struct options *)opts)->winbind = 1;
	return 0;
}

static int set_min_level(void *opts, const char *arg)
{
	((struct options *)opts)->min_level = (uint32_t)strtoul(arg, NULL, 10);
	return 0;
}

/* -1 to go on, else the exit status (demo_parse_options). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const demo_option table[] = {
		DEMO_CUSTOM_OPTION("listen", 'l', required_argument, add_endpoint),
		DEMO_STRING_OPTION("account-file", 'f', struct options, account_file),
		DEMO_STRING_OPTION("computer", 'c', struct options, computer),
		DEMO_STRING_OPTION("principal", 'P', struct options, principal),
		DEMO_CUSTOM_OPTION("min-level", 'm', required_argument, set_min_level),
		DEMO_STRING_OPTION("port-file", 'p', struct options, port_file),
		DEMO_STRING_OPTION("create-account", 'a', struct options, create),
		DEMO_CUSTOM_OPTION("winbind", 'w', no_argument, set_winbind),
	};
	*o = (struct options){.computer = "NTLMRPC"};
	int first;
	int rc = demo_parse_options(argc, argv, table, sizeof(table) / sizeof(table[0]), o, usage,
	                            &first);
	if (rc >= 0)
		return rc;
	if (o->n_endpoints == 0) {
		usage(stderr);
		return 2;
	}
	return -1;
}

/*
 * USER:PASSWORD into the account file unless USER is there already; the
 * account maps to the local Unix account of the same name when there is one,
 * else to 65534, never to the uid the server runs as.
 */
static int create_account(const char *file, const char *spec)
{
	char user[128];
	const char *colon = strchr(spec, ':');
	if (!file || !colon || colon == spec || (size_t)(colon - spec) >= sizeof(user)) {
		fprintf(stderr,
		        "rpc-demo-server: --create-account needs --account-file and USER:PASSWORD\n");
		return 1;
	}
	memcpy(user, spec, (size_t)(colon - spec));
	user[colon - spec] = '\0';
	uint8_t nt[16];
	ntlm_err e = ntlm_nt_hash(colon + 1, nt);
	if (e == NTLM_OK) {
		smbpw_entry existing;
		if (smbpw_lookup(file, user, &existing) != NTLM_OK)
			e = smbpw_modify(file, SMBPW_ADD, user, nt, NULL, smbpw_default_uid(user));
	}
	return e == NTLM_OK ? 0 : demo_report_error("rpc-demo-server", file, e);
}

static int fail(const char *what, uint32_t st)
{
	fprintf(stderr, "rpc-demo-server: %s: %s (0x%08x)\n", what, ntlm_rpc_status_name(st), st);
	return 1;
}

static int listen_all(ntlm_rpc_server *srv, const struct options *o)
{
	for (int i = 0; i < o->n_endpoints; i++) {
		uint16_t port = 0;
		uint32_t st = ntlm_rpc_server_listen(srv, o->endpoints[i], &port);
		if (st != NTLM_RPC_S_OK)
			return fail(o->endpoints[i], st);
		printf("rpc-demo-server: listening on %s (port %u)\n", o->endpoints[i], port);
		if (port && o->port_file) {
			FILE *f = fopen(o->port_file, "w");
			if (!f)
				return fail("port file", NTLM_RPC_S_INVALID_ARG);
			fprintf(f, "%u\n", port);
			fclose(f);
		}
	}
	fflush(stdout);
	return 0;
}

static int serve(const struct options *o, ntlm_account_store *store)
{
	ntlm_server_config ncfg = {NTLM_SERVER_CONFIG_INIT};
	ncfg.store = store;
	ncfg.computer_name = o->computer;
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT};
	cfg.ntlm = store ? &ncfg : NULL;
	cfg.principal = o->principal;
	cfg.min_level = o->min_level;
	ntlm_rpc_interface iface = {NTLM_RPC_INTERFACE_INIT};
	demo_iface(&iface);
	uint32_t st = ntlm_rpc_server_new(&running, &cfg);
	if (st != NTLM_RPC_S_OK)
		return fail("server", st);
	int rc = 1;
	if ((st = ntlm_rpc_server_register(running, &iface)) != NTLM_RPC_S_OK)
		fail("register", st);
	else if (listen_all(running, o) == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		st = ntlm_rpc_server_run(running);
		rc = st == NTLM_RPC_S_OK ? 0 : fail("run", st);
		printf("rpc-demo-server: stopped\n");
	}
	ntlm_rpc_server_free(running);
	running = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	ntlm_account_store *store = NULL;
	if (o.create && create_account(o.account_file, o.create) != 0)
		return 1;
	if (o.winbind && o.account_file) {
		fprintf(stderr, "rpc-demo-server: --winbind and --account-file exclude each other\n");
		return 2;
	}
	if (o.winbind) {
		ntlm_err e = ntlm_account_store_winbind(&store, NULL);
		if (e != NTLM_OK)
			return demo_report_error("rpc-demo-server", "winbind", e);
	} else if (o.account_file) {
		ntlm_err e = ntlm_account_store_smbpasswd(&store, o.account_file);
		if (e != NTLM_OK)
			return demo_report_error("rpc-demo-server", o.account_file, e);
	}
	rc = serve(&o, store);
	ntlm_account_store_free(store);
	return rc;
}
