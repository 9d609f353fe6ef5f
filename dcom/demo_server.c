/*
 * ntlm-dcom-demo-server - serves NtlmDemo (demo_class.c) over ncacn_ip_tcp
 * (activation and the OXID resolver on --port, 135 by default; the object
 * exporter on a port the kernel picks) with NTLMSSP against an smbpasswd
 * account file, and over ncalrpc, until SIGINT or SIGTERM. Every activation,
 * release and collection is logged on stdout.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_class.h"
#include "demo_common.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/dcom.h"

#define MAX_NAMES 32

struct options {
	const char *account_file, *computer, *principal, *port_file, *create, *host, *ncalrpc;
	unsigned port, ping_period_ms, ping_count;
	uint32_t min_level;
	const char *allow[MAX_NAMES + 1], *launch[MAX_NAMES + 1];
	int n_allow, n_launch;
};

/* The one server of this program, for the signal handler. */
static ntlm_dcom_server *running;

static void on_signal(int sig)
{
	(void)sig;
	ntlm_dcom_server_stop(running); /* async-signal-safe: an atomic store and a write(2) */
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ntlm-dcom-demo-server [--account-file SMBPASSWD] [--port N] [--host ADDR]\n"
	        "         [--ncalrpc PATH] [--allow USER]... [--launch USER]... [--min-level N]\n"
	        "         [--ping-period-ms N] [--ping-count N] [--computer NAME]\n"
	        "         [--principal DOMAIN\\\\user] [--port-file FILE]\n"
	        "         [--create-account USER:PASSWORD]\n"
	        "--port: activation and OXID resolver (default 135); objects on a dynamic port.\n"
	        "ncacn_ip_tcp needs --account-file (NTLM accounts, Samba smbpasswd format).\n"
	        "--allow: access permission (DOMAIN\\\\user, DOMAIN\\\\group, a Unix group, a SID);\n"
	        "  default S-1-5-11 (any authenticated user). --launch: launch permission;\n"
	        "  default the --allow list.\n"
	        "--min-level: activation and calls below are refused; default 5 (PKT_INTEGRITY).\n");
}

static int parse_unsigned(const char *arg, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	if (!*arg || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int set_port(void *opts, const char *arg)
{
	return parse_unsigned(arg, 65535, &((struct options *)opts)->port);
}

static int set_ping_period(void *opts, const char *arg)
{
	return parse_unsigned(arg, 3600000, &((struct options *)opts)->ping_period_ms);
}

static int set_ping_count(void *opts, const char *arg)
{
	return parse_unsigned(arg, 1000, &((struct options *)opts)->ping_count);
}

static int set_min_level(void *opts, const char *arg)
{
	unsigned v;
	if (parse_unsigned(arg, NTLM_RPC_LEVEL_PKT_PRIVACY, &v) != 0)
		return -1;
	((struct options *)opts)->min_level = v;
	return 0;
}

static int add_allow(void *opts, const char *arg)
{
	struct options *o = opts;
	if (o->n_allow == MAX_NAMES)
		return -1;
	o->allow[o->n_allow++] = arg;
	return 0;
}

static int add_launch(void *opts, const char *arg)
{
	struct options *o = opts;
	if (o->n_launch == MAX_NAMES)
		return -1;
	o->launch[o->n_launch++] = arg;
	return 0;
}

/* -1 to go on, else the exit status (demo_parse_options). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const demo_option table[] = {
		DEMO_STRING_OPTION("account-file", 'f', struct options, account_file),
		DEMO_CUSTOM_OPTION("port", 'p', required_argument, set_port),
		DEMO_STRING_OPTION("host", 'H', struct options, host),
		DEMO_STRING_OPTION("ncalrpc", 'L', struct options, ncalrpc),
		DEMO_CUSTOM_OPTION("allow", 'A', required_argument, add_allow),
		DEMO_CUSTOM_OPTION("launch", 'l', required_argument, add_launch),
		DEMO_CUSTOM_OPTION("min-level", 'm', required_argument, set_min_level),
		DEMO_CUSTOM_OPTION("ping-period-ms", 'P', required_argument, set_ping_period),
		DEMO_CUSTOM_OPTION("ping-count", 'n', required_argument, set_ping_count),
		DEMO_STRING_OPTION("computer", 'c', struct options, computer),
		DEMO_STRING_OPTION("principal", 'r', struct options, principal),
		DEMO_STRING_OPTION("port-file", 'o', struct options, port_file),
		DEMO_STRING_OPTION("create-account", 'a', struct options, create),
	};
	memset(o, 0, sizeof(*o));
	o->computer = "NTLMDEMO";
	o->host = "0.0.0.0";
	o->port = 135;
	int first;
	int rc = demo_parse_options(argc, argv, table, sizeof(table) / sizeof(table[0]), o, usage,
	                            &first);
	if (rc >= 0)
		return rc;
	if (first < argc || (!o->account_file && !o->ncalrpc)) {
		usage(stderr);
		return 2;
	}
	if (o->n_allow == 0)
		o->allow[o->n_allow++] = "S-1-5-11"; /* the demo's default: any authenticated user */
	if (o->n_launch == 0)
		memcpy(o->launch, o->allow, sizeof(o->launch));
	return -1;
}

/* USER:PASSWORD into the account file unless USER is there already (as rpc-demo-server does). */
static int create_account(const char *file, const char *spec)
{
	char user[128];
	const char *colon = strchr(spec, ':');
	if (!file || !colon || colon == spec || (size_t)(colon - spec) >= sizeof(user)) {
		fprintf(stderr, "ntlm-dcom-demo-server: --create-account needs --account-file and "
		                "USER:PASSWORD\n");
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
	return e == NTLM_OK ? 0 : demo_report_error("ntlm-dcom-demo-server", file, e);
}

static int fail(const char *what, ntlm_hresult hr)
{
	fprintf(stderr, "ntlm-dcom-demo-server: %s: %s (0x%08x): %s\n", what, ntlm_hresult_name(hr),
	        (unsigned)hr, ntlm_hresult_strerror(hr));
	return 1;
}

static void log_line(void *arg, const char *line)
{
	(void)arg;
	printf("ntlm-dcom-demo-server: %s\n", line);
	fflush(stdout);
}

static int listen_all(ntlm_dcom_server *srv, const struct options *o)
{
	if (o->account_file) {
		uint16_t act = 0, exp = 0;
		ntlm_hresult hr = ntlm_dcom_server_listen_tcp(srv, o->host, (uint16_t)o->port, &act, &exp);
		if (NTLM_DCOM_FAILED(hr))
			return fail("ncacn_ip_tcp", hr);
		printf("ntlm-dcom-demo-server: activation on %s port %u, objects on port %u\n", o->host,
		       act, exp);
		if (o->port_file) {
			FILE *f = fopen(o->port_file, "w");
			if (!f)
				return fail(o->port_file, NTLM_DCOM_E_INVALIDARG);
			fprintf(f, "%u %u\n", act, exp);
			fclose(f);
		}
	}
	if (o->ncalrpc) {
		ntlm_hresult hr = ntlm_dcom_server_listen_local(srv, o->ncalrpc);
		if (NTLM_DCOM_FAILED(hr))
			return fail(o->ncalrpc, hr);
		printf("ntlm-dcom-demo-server: ncalrpc on %s\n", o->ncalrpc);
	}
	fflush(stdout);
	return 0;
}

static int serve(const struct options *o, ntlm_account_store *store)
{
	ntlm_server_config ncfg = {NTLM_SERVER_CONFIG_INIT};
	ncfg.store = store;
	ncfg.computer_name = o->computer;
	ntlm_dcom_server_config cfg = {NTLM_DCOM_SERVER_CONFIG_INIT};
	cfg.ntlm = store ? &ncfg : NULL;
	cfg.principal = o->principal;
	cfg.authn_level = o->min_level;
	cfg.ping_period_ms = o->ping_period_ms;
	cfg.ping_count = o->ping_count;
	cfg.log = log_line;
	ntlm_dcom_class cls = {NTLM_DCOM_CLASS_INIT};
	dcom_demo_class(&cls, o->launch, o->allow);
	ntlm_hresult hr = ntlm_dcom_server_new(&running, &cfg);
	if (NTLM_DCOM_FAILED(hr))
		return fail("server", hr);
	int rc = 1;
	if (NTLM_DCOM_FAILED(hr = ntlm_dcom_server_register_class(running, &cls))) {
		fail("register", hr);
	} else if (listen_all(running, o) == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		hr = ntlm_dcom_server_run(running);
		rc = NTLM_DCOM_SUCCEEDED(hr) ? 0 : fail("run", hr);
		ntlm_dcom_server_stats st = {NTLM_DCOM_SERVER_STATS_INIT};
		if (NTLM_DCOM_SUCCEEDED(ntlm_dcom_server_get_stats(running, &st)))
			printf("ntlm-dcom-demo-server: stopped: %llu created, %llu released, %llu collected, "
			       "%llu live\n",
			       (unsigned long long)st.objects_created, (unsigned long long)st.objects_released,
			       (unsigned long long)st.objects_collected, (unsigned long long)st.objects_live);
	}
	ntlm_dcom_server_free(running);
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
	if (o.account_file) {
		ntlm_err e = ntlm_account_store_smbpasswd(&store, o.account_file);
		if (e != NTLM_OK)
			return demo_report_error("ntlm-dcom-demo-server", o.account_file, e);
	}
	rc = serve(&o, store);
	ntlm_account_store_free(store);
	return rc;
}
