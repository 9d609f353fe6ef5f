/*
 * rpc-demo-client - calls the demonstration interface (demo_iface.h) with
 * the blanket given on the command line and prints what came back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_common.h"
#include "demo_iface.h"
#include "ntlmssp/rpc.h"

struct options {
	const char *binding, *user, *password, *domain, *principal;
	uint32_t authn_svc, level, imp;
	int impersonate;
	char **args;
	int n_args;
};

static const char *const level_names[] = {"default", "none",      "connect", "call",
                                          "pkt",     "integrity", "privacy"};
static const char *const imp_names[] = {"default", "anonymous", "identify", "impersonate",
                                        "delegate"};

/* *dst = the index of s in names[], or s as a number below n; -1 if neither. */
static int set_by_name(uint32_t *dst, const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*dst = (uint32_t)i;
			return 0;
		}
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || (size_t)v >= n)
		return -1;
	*dst = (uint32_t)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(
		f, "usage: rpc-demo-client --binding B [--user U --password P [--domain D]]\n"
		   "         [--level none|connect|call|pkt|integrity|privacy]\n"
		   "         [--imp anonymous|identify|impersonate|delegate] [--principal DOMAIN\\\\user]\n"
		   "         COMMAND [ARG...]\n"
		   "B: ncacn_ip_tcp:HOST[PORT] or ncalrpc:[/path/socket]\n"
		   "COMMAND: echo TEXT | add A B | whoami [--impersonate] | readfile PATH | relay BINDING\n"
		   "Without --user, ncalrpc uses this process's own identity (the local call).\n");
}

static int set_level(void *opts, const char *arg)
{
	return set_by_name(&((struct options *)opts)->level, arg, level_names, 7);
}

static int set_imp(void *opts, const char *arg)
{
	return set_by_name(&((struct options *)opts)->imp, arg, imp_names, 5);
}

static int set_impersonate(void *opts, const char *arg)
{
	(void)arg;
	((struct options *)opts)->impersonate = 1;
	return 0;
}

/* -1 to go on, else the exit status (demo_parse_options). */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const demo_option table[] = {
		DEMO_STRING_OPTION("binding", 'b', struct options, binding),
		DEMO_STRING_OPTION("user", 'u', struct options, user),
		DEMO_STRING_OPTION("password", 'p', struct options, password),
		DEMO_STRING_OPTION("domain", 'd', struct options, domain),
		DEMO_CUSTOM_OPTION("level", 'l', required_argument, set_level),
		DEMO_CUSTOM_OPTION("imp", 'i', required_argument, set_imp),
		DEMO_STRING_OPTION("principal", 'P', struct options, principal),
		DEMO_CUSTOM_OPTION("impersonate", 'I', no_argument, set_impersonate),
	};
	*o = (struct options){.authn_svc = NTLM_RPC_AUTHN_WINNT,
	                      .level = NTLM_RPC_LEVEL_PKT_PRIVACY,
	                      .imp = NTLM_RPC_IMP_IMPERSONATE,
	                      .domain = ""};
	int first;
	int rc = demo_parse_options(argc, argv, table, sizeof(table) / sizeof(table[0]), o, usage,
	                            &first);
	if (rc >= 0)
		return rc;
	if (o->level == NTLM_RPC_LEVEL_NONE)
		o->authn_svc = NTLM_RPC_AUTHN_NONE;
	o->args = argv + first;
	o->n_args = argc - first;
	if (!o->binding || o->n_args < 1 || (o->user && !o->password)) {
		usage(stderr);
		return 2;
	}
	return -1;
}

static void put_u32(nb_writer *w, const char *s)
{
	nb_write_u32le(w, (uint32_t)strtoul(s, NULL, 0));
}

/* The request stub for the command; -1 if the command or its arguments are wrong. */
static int build_request(const struct options *o, uint16_t *opnum, nb_writer *w)
{
	const char *cmd = o->args[0];
	if (strcmp(cmd, "echo") == 0 && o->n_args == 2) {
		*opnum = DEMO_OP_ECHO;
		nb_write_bytes(w, o->args[1], strlen(o->args[1]));
	} else if (strcmp(cmd, "add") == 0 && o->n_args == 3) {
		*opnum = DEMO_OP_ADD;
		put_u32(w, o->args[1]);
		put_u32(w, o->args[2]);
	} else if (strcmp(cmd, "whoami") == 0 && o->n_args == 1) {
		*opnum = DEMO_OP_WHOAMI;
		nb_write_u32le(w, o->impersonate ? DEMO_WHOAMI_IMPERSONATE : 0);
	} else if ((strcmp(cmd, "readfile") == 0 || strcmp(cmd, "relay") == 0) && o->n_args == 2) {
		*opnum = strcmp(cmd, "readfile") == 0 ? DEMO_OP_READFILE : DEMO_OP_RELAY;
		demo_put_string(w, o->args[1], strlen(o->args[1]));
	} else {
		return -1;
	}
	return 0;
}

static void print_whoami(const char *prefix, const uint8_t *p, size_t n)
{
	demo_whoami who;
	if (demo_parse_whoami(p, n, &who) != NTLM_OK) {
		printf("%swhoami: malformed answer (%zu bytes)\n", prefix, n);
		return;
	}
	printf("%swhoami: status=%u euid=%u egid=%u authn_svc=%u level=%u imp=%u local=%u\n", prefix,
	       who.status, who.euid, who.egid, who.authn_svc, who.authn_level, who.imp_level,
	       who.local);
	printf("%swhoami: client=%s unix=%s server=%s target=%s\n", prefix, who.client_principal,
	       who.unix_user, who.server_principal, who.target_name);
}

/* u32 fields then one trailing "string", as ReadFile and Relay answer. */
static void print_fields(const char *cmd, const uint8_t *p, size_t n, const char *const *labels,
                         size_t n_labels)
{
	nb_reader r;
	nb_reader_init(&r, p, n);
	printf("%s:", cmd);
	for (size_t i = 0; i < n_labels; i++) {
		uint32_t v = 0;
		if (nb_read_u32le(&r, &v) != NTLM_OK)
			break; /* a short answer: print what there is */
		printf(" %s=%u", labels[i], v);
	}
	uint32_t len = 0;
	const uint8_t *s = NULL;
	if (nb_read_u32le(&r, &len) != NTLM_OK || nb_read_view(&r, len, &s) != NTLM_OK)
		len = 0;
	printf(" data=%.*s\n", (int)len, s ? (const char *)s : "");
}

static void print_relay(const uint8_t *p, size_t n)
{
	nb_reader r;
	uint32_t imp = 0, onward = 0, mlen = 0, alen = 0;
	const uint8_t *msg = NULL, *ans = NULL;
	nb_reader_init(&r, p, n);
	if (nb_read_u32le(&r, &imp) != NTLM_OK || nb_read_u32le(&r, &onward) != NTLM_OK) {
		printf("relay: short answer (%zu bytes)\n", n);
		return;
	}
	if (nb_read_u32le(&r, &mlen) != NTLM_OK || nb_read_view(&r, mlen, &msg) != NTLM_OK)
		mlen = 0;
	if (nb_skip(&r, (4 - mlen % 4) % 4) != NTLM_OK)
		alen = 0; /* no padding, so no answer either */
	else if (nb_read_u32le(&r, &alen) != NTLM_OK || nb_read_view(&r, alen, &ans) != NTLM_OK)
		alen = 0;
	printf("relay: impersonation=%u onward=%u (%s) message=%.*s\n", imp, onward,
	       ntlm_rpc_status_name(onward), (int)mlen, msg ? (const char *)msg : "");
	if (alen)
		print_whoami("relay: ", ans, alen);
}

static void print_answer(const char *cmd, const ntlm_buffer *out)
{
	static const char *const readfile_labels[] = {"status", "errno", "euid"};
	nb_reader r;
	uint32_t v = 0;
	if (strcmp(cmd, "echo") == 0) {
		printf("echo: %.*s\n", (int)out->len, (const char *)out->data);
	} else if (strcmp(cmd, "add") == 0) {
		nb_reader_init(&r, out->data, out->len);
		if (nb_read_u32le(&r, &v) != NTLM_OK)
			printf("add: short answer (%zu bytes)\n", out->len);
		else
			printf("add: %u\n", v);
	} else if (strcmp(cmd, "whoami") == 0) {
		print_whoami("", out->data, out->len);
	} else if (strcmp(cmd, "readfile") == 0) {
		print_fields("readfile", out->data, out->len, readfile_labels, 3);
	} else {
		print_relay(out->data, out->len);
	}
}

static int run(const struct options *o, const ntlm_cred *cred)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_rpc_syntax syn;
	ntlm_buffer out = {NULL, 0};
	nb_writer w;
	uint16_t opnum = 0;
	demo_syntax(&syn);
	nb_writer_init(&w);
	if (build_request(o, &opnum, &w) != 0) {
		nb_writer_free(&w);
		usage(stderr);
		return 2;
	}
	uint32_t st = ntlm_rpc_client_new(&cli, o->binding);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(cli, o->authn_svc, o->level, o->imp, o->principal);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(cli, cred);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_bind(cli, &syn);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_call(cli, opnum, w.data, w.len, &out);
	if (st == NTLM_RPC_S_OK)
		print_answer(o->args[0], &out);
	else
		printf("error: %s (0x%08x): %s\n", ntlm_rpc_status_name(st), st,
		       cli ? ntlm_rpc_client_message(cli) : "bad binding");
	ntlm_buffer_free(&out);
	nb_writer_free(&w);
	ntlm_rpc_client_free(cli);
	return st == NTLM_RPC_S_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	ntlm_cred *cred = NULL;
	if (o.user) {
		ntlm_err e = ntlm_cred_password(&cred, o.domain, o.user, o.password);
		if (e != NTLM_OK)
			return demo_report_error("rpc-demo-client", "credentials", e);
	}
	rc = run(&o, cred);
	ntlm_cred_free(cred);
	return rc;
}
