/*
 * ntlm-dcom-demo-client - activates NtlmDemo on a host with the blanket
 * given on the command line, calls its methods, queries interfaces, releases,
 * and prints what came back, one line each (tests/suites/53-dcom-client.sh
 * reads them).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_ndr.h"
#include "ntlmssp/dcom.h"

struct options {
	const char *binding, *host, *port, *user, *password, *domain, *cred_file, *principal;
	const char *ping_ms, *hold;
	uint32_t level, imp;
	char **calls;
	int n_calls;
};

static const char *const level_names[] = {"default", "none",      "connect", "call",
                                          "pkt",     "integrity", "privacy"};
static const char *const imp_names[] = {"default", "anonymous", "identify", "impersonate",
                                        "delegate"};
/* What is called when no call is named: every method, both QueryInterfaces, the release. */
static const char *const default_calls[] = {"whoami",      "add:2:40",   "whoami-imp",
                                            "qi-iunknown", "qi-unknown", "release"};

static int set_by_name(uint32_t *dst, const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*dst = (uint32_t)i;
			return 0;
		}
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ntlm-dcom-demo-client (--binding B | --host H [--port N])\n"
	        "         [--user U --password P [--domain D] | --cred-file FILE]\n"
	        "         [--level none|connect|call|pkt|integrity|privacy]\n"
	        "         [--imp-level anonymous|identify|impersonate|delegate]\n"
	        "         [--server-principal DOMAIN\\\\user] [--ping-period-ms N] [CALL...]\n"
	        "B: ncacn_ip_tcp:HOST[PORT] (the activation port, 135 by default) or ncalrpc:[PATH]\n"
	        "CALL: whoami | add:A:B | whoami-imp | qi-iunknown | qi-unknown | hold:SECONDS |\n"
	        "      blanket:LEVEL:IMP[:PRINCIPAL] (SetBlanket on the proxy) | release\n"
	        "      (default: whoami add:2:40 whoami-imp qi-iunknown qi-unknown release)\n"
	        "Without --user or --cred-file: the process's identity (ncalrpc: the kernel's;\n"
	        "ncacn_ip_tcp: $NTLM_USER_FILE).\n");
}

/* -1 to go on, else the exit status (0 after --help, 2 on a usage error). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {{"binding", required_argument, NULL, 'b'},
	                                      {"host", required_argument, NULL, 'H'},
	                                      {"port", required_argument, NULL, 'n'},
	                                      {"user", required_argument, NULL, 'u'},
	                                      {"password", required_argument, NULL, 'p'},
	                                      {"domain", required_argument, NULL, 'd'},
	                                      {"cred-file", required_argument, NULL, 'f'},
	                                      {"level", required_argument, NULL, 'l'},
	                                      {"imp-level", required_argument, NULL, 'i'},
	                                      {"server-principal", required_argument, NULL, 'P'},
	                                      {"ping-period-ms", required_argument, NULL, 'T'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	/* the library's defaults unless named: PKT_INTEGRITY, IMPERSONATE */
	*o = (struct options){
		.level = NTLM_RPC_LEVEL_DEFAULT, .imp = NTLM_RPC_IMP_DEFAULT, .domain = ""};
	int c, bad = 0;
	while ((c = getopt_long(argc, argv, "b:H:n:u:p:d:f:l:i:P:T:h", longs, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->binding = optarg;
			break;
		case 'H':
			o->host = optarg;
			break;
		case 'n':
			o->port = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'p':
			o->password = optarg;
			break;
		case 'd':
			o->domain = optarg;
			break;
		case 'f':
			o->cred_file = optarg;
			break;
		case 'l':
			bad |= set_by_name(&o->level, optarg, level_names, 7);
			break;
		case 'i':
			bad |= set_by_name(&o->imp, optarg, imp_names, 5);
			break;
		case 'P':
			o->principal = optarg;
			break;
		case 'T':
			o->ping_ms = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			bad = 1;
		}
	}
	o->calls = argv + optind;
	o->n_calls = argc - optind;
	if (bad || (!o->binding == !o->host) || (o->port && !o->host) || (o->user && !o->password) ||
	    (o->user && o->cred_file)) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static void print_failure(const char *what, ntlm_hresult hr, const char *why)
{
	printf("%s: %s (0x%08x)%s%s\n", what, ntlm_hresult_name(hr), (uint32_t)hr,
	       why && *why ? ": " : "", why ? why : "");
}

static void print_guid(const char *label, const ntlm_guid *g)
{
	const uint8_t *b = g->bytes;
	printf("%s%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", label, b[3],
	       b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	       b[15]);
}

/* A method of INtlmDemo: the response stub decoded with decode, or the failure printed. */
static ntlm_hresult call(ntlm_dcom_proxy *p, const char *what, uint16_t opnum, const uint8_t *args,
                         size_t args_len, ntlm_buffer *out)
{
	size_t off;
	ntlm_hresult hr = ntlm_dcom_proxy_call(p, opnum, args, args_len, out, &off);
	if (NTLM_DCOM_FAILED(hr))
		print_failure(what, hr, ntlm_dcom_proxy_message(p));
	return hr;
}

static int do_whoami(ntlm_dcom_proxy *p)
{
	ntlm_buffer out = {NULL, 0};
	dcom_demo_whoami_resp r;
	if (NTLM_DCOM_FAILED(call(p, "whoami", NTLM_DCOM_DEMO_OP_WHOAMI, NULL, 0, &out)))
		return 1;
	int bad = dcom_demo_whoami_resp_decode(out.data, out.len, &r) != NTLM_OK;
	if (bad)
		printf("whoami: malformed answer (%zu bytes)\n", out.len);
	else
		printf("whoami: principal=%s authn_svc=%d authn_level=%d imp_level=%d\n", r.principal.utf8,
		       r.authn_svc, r.authn_level, r.imp_level);
	ntlm_buffer_free(&out);
	return bad;
}

static int do_add(ntlm_dcom_proxy *p, const char *spec)
{
	ntlm_buffer out = {NULL, 0};
	dcom_demo_add_resp r;
	uint8_t args[8];
	int32_t a = 0, b = 0;
	if (sscanf(spec, "add:%d:%d", &a, &b) != 2) {
		fprintf(stderr, "bad call %s (add:A:B)\n", spec);
		return 2;
	}
	nb_store_u32le(args, (uint32_t)a);
	nb_store_u32le(args + 4, (uint32_t)b);
	if (NTLM_DCOM_FAILED(call(p, "add", NTLM_DCOM_DEMO_OP_ADD, args, sizeof(args), &out)))
		return 1;
	int bad = dcom_demo_add_resp_decode(out.data, out.len, &r) != NTLM_OK;
	if (bad)
		printf("add: malformed answer (%zu bytes)\n", out.len);
	else
		printf("add: %d + %d = %d\n", a, b, r.sum);
	ntlm_buffer_free(&out);
	return bad;
}

static int do_whoami_imp(ntlm_dcom_proxy *p)
{
	ntlm_buffer out = {NULL, 0};
	dcom_demo_whoami_imp_resp r;
	if (NTLM_DCOM_FAILED(
			call(p, "whoami-imp", NTLM_DCOM_DEMO_OP_WHOAMI_IMPERSONATED, NULL, 0, &out)))
		return 1;
	int bad = dcom_demo_whoami_imp_resp_decode(out.data, out.len, &r) != NTLM_OK;
	if (bad)
		printf("whoami-imp: malformed answer (%zu bytes)\n", out.len);
	else
		printf("whoami-imp: euid=%d unix_user=%s\n", r.euid, r.unix_user.utf8);
	ntlm_buffer_free(&out);
	return bad;
}

static int do_qi(ntlm_dcom_proxy *p, const char *what, const ntlm_guid *iid)
{
	ntlm_dcom_proxy *q = NULL;
	ntlm_hresult hr = ntlm_dcom_query_interface(p, iid, &q);
	if (NTLM_DCOM_FAILED(hr)) {
		print_failure(what, hr, ntlm_dcom_proxy_message(p));
		return hr == NTLM_DCOM_E_NOINTERFACE ? 0 : 1; /* an answer, not a failure */
	}
	ntlm_dcom_proxy_info info = {NTLM_DCOM_PROXY_INFO_INIT};
	if (NTLM_DCOM_SUCCEEDED(ntlm_dcom_proxy_get_info(q, &info))) {
		printf("%s: S_OK", what);
		print_guid(" ipid=", &info.ipid);
		printf(" refs=%u\n", info.public_refs);
	}
	hr = ntlm_dcom_release(q);
	if (NTLM_DCOM_FAILED(hr))
		print_failure(what, hr, "its release failed");
	return NTLM_DCOM_FAILED(hr);
}

static int do_blanket(ntlm_dcom_proxy *p, const char *spec)
{
	char level[16] = "", imp[16] = "", principal[256] = "";
	uint32_t l = 0, i = 0;
	int n = sscanf(spec, "blanket:%15[^:]:%15[^:]:%255[^\n]", level, imp, principal);
	if (n < 2 || set_by_name(&l, level, level_names, 7) || set_by_name(&i, imp, imp_names, 5)) {
		fprintf(stderr, "bad call %s (blanket:LEVEL:IMP[:PRINCIPAL])\n", spec);
		return 2;
	}
	uint32_t svc = l == NTLM_RPC_LEVEL_NONE ? NTLM_RPC_AUTHN_NONE : NTLM_RPC_AUTHN_WINNT;
	ntlm_hresult hr = ntlm_dcom_set_blanket(p, svc, l, i, n == 3 ? principal : NULL);
	printf("blanket: %s\n", ntlm_hresult_name(hr));
	return NTLM_DCOM_FAILED(hr);
}

/* One call by name; 0 ok, 1 failed, 2 not a call. *p becomes NULL after release. */
static int run_call(ntlm_dcom_proxy **p, const char *c)
{
	static const ntlm_guid iunknown = NTLM_DCOM_IID_IUNKNOWN;
	/* an IID nobody implements */
	static const ntlm_guid unknown = NTLM_GUID_INIT(0x6c3c2d6e, 0x1f0b, 0x4b7e, 0x9a, 0x51, 0x5a,
	                                                0x2e, 0x0f, 0x1d, 0x7c, 0xff);
	if (!*p) {
		printf("%s: the proxy was released\n", c);
		return 1;
	}
	if (strcmp(c, "whoami") == 0)
		return do_whoami(*p);
	if (strncmp(c, "add:", 4) == 0)
		return do_add(*p, c);
	if (strcmp(c, "whoami-imp") == 0)
		return do_whoami_imp(*p);
	if (strcmp(c, "qi-iunknown") == 0)
		return do_qi(*p, "qi IUnknown", &iunknown);
	if (strcmp(c, "qi-unknown") == 0)
		return do_qi(*p, "qi unknown", &unknown);
	if (strncmp(c, "blanket:", 8) == 0)
		return do_blanket(*p, c);
	if (strncmp(c, "hold:", 5) == 0) {
		printf("holding %s s\n", c + 5);
		fflush(stdout);
		sleep((unsigned)atoi(c + 5));
		return 0;
	}
	if (strcmp(c, "release") == 0) {
		ntlm_hresult hr = ntlm_dcom_release(*p);
		*p = NULL;
		printf("release: %s\n", ntlm_hresult_name(hr));
		return NTLM_DCOM_FAILED(hr);
	}
	fprintf(stderr, "unknown call %s\n", c);
	usage(stderr);
	return 2;
}

static int run(const struct options *o, const ntlm_cred *cred)
{
	static const ntlm_guid clsid = NTLM_DCOM_CLSID_NTLMDEMO, iid = NTLM_DCOM_IID_INTLMDEMO;
	char binding[512];
	if (o->host)
		snprintf(binding, sizeof(binding), "ncacn_ip_tcp:%s[%s]", o->host,
		         o->port ? o->port : "135");
	else
		snprintf(binding, sizeof(binding), "%s", o->binding);
	ntlm_dcom_client_config cfg = {NTLM_DCOM_CLIENT_CONFIG_INIT};
	uint32_t svc = o->level == NTLM_RPC_LEVEL_NONE ? NTLM_RPC_AUTHN_NONE : NTLM_RPC_AUTHN_WINNT;
	cfg.authn_level = o->level;
	cfg.imp_level = o->imp;
	cfg.authn_svcs = &svc;
	cfg.n_authn_svcs = 1;
	cfg.ping_period_ms = o->ping_ms ? (unsigned)strtoul(o->ping_ms, NULL, 10) : 0;
	ntlm_dcom_client *cli = NULL;
	ntlm_hresult hr = ntlm_dcom_client_new(&cli, &cfg);
	if (NTLM_DCOM_FAILED(hr)) {
		print_failure("client", hr, NULL);
		return 1;
	}
	ntlm_dcom_server_info si = {NTLM_DCOM_SERVER_INFO_INIT};
	si.binding = binding;
	si.cred = cred;
	si.server_principal = o->principal;
	ntlm_dcom_proxy *p = NULL;
	hr = ntlm_dcom_create_instance(cli, &si, &clsid, &iid, &p);
	if (NTLM_DCOM_FAILED(hr)) {
		print_failure("activate", hr, ntlm_dcom_client_message(cli));
		ntlm_dcom_client_free(cli);
		return 1;
	}
	ntlm_dcom_proxy_info info = {NTLM_DCOM_PROXY_INFO_INIT};
	if (NTLM_DCOM_SUCCEEDED(ntlm_dcom_proxy_get_info(p, &info))) {
		printf("activate: S_OK oxid=0x%016llx oid=0x%016llx", (unsigned long long)info.oxid,
		       (unsigned long long)info.oid);
		print_guid(" ipid=", &info.ipid);
		printf(" refs=%u exporter=%s\n", info.public_refs, info.exporter);
	}
	fflush(stdout);
	int failed = 0;
	if (o->n_calls == 0)
		for (size_t i = 0; i < sizeof(default_calls) / sizeof(default_calls[0]); i++)
			failed |= run_call(&p, default_calls[i]);
	for (int i = 0; i < o->n_calls; i++) {
		int rc = run_call(&p, o->calls[i]);
		if (rc == 2) {
			failed = 2;
			break;
		}
		failed |= rc;
		fflush(stdout);
	}
	ntlm_dcom_client_free(cli); /* releases a proxy not released by a call */
	return failed;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	ntlm_cred *cred = NULL;
	ntlm_err e = NTLM_OK;
	if (o.user)
		e = ntlm_cred_password(&cred, o.domain, o.user, o.password);
	else if (o.cred_file)
		e = ntlm_cred_from_file(&cred, o.cred_file, NULL, NULL);
	if (e != NTLM_OK) {
		fprintf(stderr, "ntlm-dcom-demo-client: credentials: %s\n", ntlm_strerror(e));
		return 1;
	}
	rc = run(&o, cred);
	ntlm_cred_free(cred);
	return rc;
}
