/*
 * ntlm-dcom-demo-server - serves NtlmDemo (demo_class.c) over ncacn_ip_tcp
 * (activation and the OXID resolver on --port, 135 by default; the object
 * exporter on a port the kernel picks) with NTLMSSP against an smbpasswd
 * account file, and over ncalrpc, until SIGINT or SIGTERM. Every activation,
 * refusal, release and collection is logged on stdout.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_class.h"
#include "ntlmssp/dcom.h"

#define MAX_NAMES 32

struct options {
	const char *account_file, *computer, *principal, *port_file, *host, *ncalrpc;
	unsigned port, ping_period_ms, ping_count, min_level;
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
	        "--port: activation and OXID resolver (default 135); objects on a dynamic port.\n"
	        "ncacn_ip_tcp needs --account-file (NTLM accounts, Samba smbpasswd format;\n"
	        "  ntlm passwd --account-file FILE add USER makes one).\n"
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

static int add_name(const char **names, int *n, const char *arg)
{
	if (*n == MAX_NAMES)
		return -1;
	names[(*n)++] = arg;
	return 0;
}

/* The value of one option into o; -1 if it is not valid. */
static int set_option(struct options *o, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		o->account_file = arg;
		return 0;
	case 'H':
		o->host = arg;
		return 0;
	case 'L':
		o->ncalrpc = arg;
		return 0;
	case 'c':
		o->computer = arg;
		return 0;
	case 'r':
		o->principal = arg;
		return 0;
	case 'o':
		o->port_file = arg;
		return 0;
	case 'p':
		return parse_unsigned(arg, 65535, &o->port);
	case 'P':
		return parse_unsigned(arg, 3600000, &o->ping_period_ms);
	case 'n':
		return parse_unsigned(arg, 1000, &o->ping_count);
	case 'm':
		return parse_unsigned(arg, NTLM_RPC_LEVEL_PKT_PRIVACY, &o->min_level);
	case 'A':
		return add_name(o->allow, &o->n_allow, arg);
	case 'l':
		return add_name(o->launch, &o->n_launch, arg);
	default:
		return -1;
	}
}

/* -1 to go on, else the exit status: 0 after --help, 2 on a usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"account-file", required_argument, NULL, 'f'},
		{"port", required_argument, NULL, 'p'},
		{"host", required_argument, NULL, 'H'},
		{"ncalrpc", required_argument, NULL, 'L'},
		{"allow", required_argument, NULL, 'A'},
		{"launch", required_argument, NULL, 'l'},
		{"min-level", required_argument, NULL, 'm'},
		{"ping-period-ms", required_argument, NULL, 'P'},
		{"ping-count", required_argument, NULL, 'n'},
		{"computer", required_argument, NULL, 'c'},
		{"principal", required_argument, NULL, 'r'},
		{"port-file", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->computer = "NTLMDEMO";
	o->host = "0.0.0.0";
	o->port = 135;
	int opt;
	while ((opt = getopt_long(argc, argv, "f:p:H:L:A:l:m:P:n:c:r:o:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (set_option(o, opt, optarg) != 0) {
			if (opt != '?')
				fprintf(stderr, "ntlm-dcom-demo-server: bad value: %s\n", optarg);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (!o->account_file && !o->ncalrpc)) {
		usage(stderr);
		return 2;
	}
	if (o->n_allow == 0)
		o->allow[o->n_allow++] = "S-1-5-11"; /* the demo's default: any authenticated user */
	if (o->n_launch == 0)
		memcpy(o->launch, o->allow, sizeof(o->launch));
	return -1;
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
	if (o.account_file) {
		ntlm_err e = ntlm_account_store_smbpasswd(&store, o.account_file);
		if (e != NTLM_OK) {
			fprintf(stderr, "ntlm-dcom-demo-server: %s: %s\n", o.account_file, ntlm_strerror(e));
			return 1;
		}
	}
	rc = serve(&o, store);
	ntlm_account_store_free(store);
	return rc;
}
