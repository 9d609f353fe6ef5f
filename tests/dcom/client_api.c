/*
 * client_api.c - the DCOM client without a server: what it refuses before
 * sending anything, where it connects for an exporter a server names, the
 * ping set's bookkeeping, and QueryInterface answers for another object.
 * The whole path against the demo server is tests/suites/53-dcom-client.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "client_priv.h"
#include "client_t.h"

static void test_client_config(void)
{
	ntlm_dcom_client *cli = NULL;
	static const uint32_t kerberos[] = {NTLM_RPC_AUTHN_WINNT, 16};
	static const uint32_t none[] = {NTLM_RPC_AUTHN_NONE};
	ntlm_dcom_client_config cfg = {NTLM_DCOM_CLIENT_CONFIG_INIT};
	T_HR(ntlm_dcom_client_new(NULL, NULL), NTLM_DCOM_E_POINTER);
	cfg.authn_svcs = kerberos;
	cfg.n_authn_svcs = 2;
	T_HR(ntlm_dcom_client_new(&cli, &cfg), NTLM_DCOM_RPC_E_NO_GOOD_SECURITY_PACKAGES);
	T_ASSERT(cli == NULL);
	cfg.n_authn_svcs = 1;
	cfg.authn_level = 7;
	T_HR(ntlm_dcom_client_new(&cli, &cfg), NTLM_DCOM_E_INVALIDARG);
	cfg.authn_level = 0;
	cfg.struct_size = 4;
	T_HR(ntlm_dcom_client_new(&cli, &cfg), NTLM_DCOM_E_INVALIDARG);
	/* the defaults: NTLM at PKT_INTEGRITY, IMPERSONATE, pinged every 120 s */
	T_HR(ntlm_dcom_client_new(&cli, NULL), NTLM_DCOM_S_OK);
	T_ASSERT(cli->svc == NTLM_RPC_AUTHN_WINNT && cli->cfg.authn_level == 5);
	T_ASSERT(cli->cfg.imp_level == 3 && cli->cfg.ping_period_ms == 120000);
	ntlm_dcom_client_free(cli);
	/* NONE alone: unauthenticated, whatever level was asked for */
	cfg = (ntlm_dcom_client_config){NTLM_DCOM_CLIENT_CONFIG_INIT, .authn_level = 6,
	                                .authn_svcs = none, .n_authn_svcs = 1};
	T_HR(ntlm_dcom_client_new(&cli, &cfg), NTLM_DCOM_S_OK);
	T_ASSERT(cli->svc == NTLM_RPC_AUTHN_NONE && cli->cfg.authn_level == NTLM_RPC_LEVEL_NONE);
	ntlm_dcom_client_free(cli);
}

static void test_activation_refusals(void)
{
	static const ntlm_guid clsid = NTLM_DCOM_CLSID_NTLMDEMO, iid = NTLM_DCOM_IID_INTLMDEMO;
	ntlm_dcom_client *cli = NULL;
	ntlm_dcom_proxy *p = NULL;
	ntlm_dcom_server_info si = {NTLM_DCOM_SERVER_INFO_INIT};
	T_HR(ntlm_dcom_client_new(&cli, NULL), NTLM_DCOM_S_OK);
	T_HR(ntlm_dcom_create_instance(cli, &si, &clsid, &iid, NULL), NTLM_DCOM_E_POINTER);
	T_HR(ntlm_dcom_create_instance(cli, &si, &clsid, &iid, &p), NTLM_DCOM_E_INVALIDARG);
	si.binding = "http://example.org/";
	T_HR(ntlm_dcom_create_instance(cli, &si, &clsid, &iid, &p), NTLM_DCOM_CO_E_BAD_SERVER_NAME);
	si.binding = "ncalrpc:[/nonexistent/dcom-client-test.sock]";
	si.imp_level = 9;
	T_HR(ntlm_dcom_create_instance(cli, &si, &clsid, &iid, &p), NTLM_DCOM_E_INVALIDARG);
	si.imp_level = 0;
	T_HR(ntlm_dcom_create_instance(cli, &si, &clsid, &iid, &p), NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE);
	T_ASSERT(p == NULL && ntlm_dcom_client_message(cli)[0] != '\0');
	ntlm_dcom_client_free(cli);
	/* the calls on a proxy refuse what they cannot use */
	size_t off;
	ntlm_buffer out = {NULL, 0};
	T_HR(ntlm_dcom_proxy_call(NULL, 3, NULL, 0, &out, &off), NTLM_DCOM_E_INVALIDARG);
	T_HR(ntlm_dcom_proxy_call(NULL, 3, NULL, 0, NULL, &off), NTLM_DCOM_E_POINTER);
	T_HR(ntlm_dcom_release(NULL), NTLM_DCOM_E_POINTER);
	T_HR(ntlm_dcom_set_blanket(NULL, 10, 5, 3, NULL), NTLM_DCOM_E_INVALIDARG);
}

static void test_bindings(void)
{
	char out[DCOM_BINDING_CAP], host[DCOM_BINDING_CAP];
	int local = -1;
	T_HR(dcom_normalise_binding("ncacn_ip_tcp:server.example", out, host, &local), 0);
	T_STR(out, "ncacn_ip_tcp:server.example[135]");
	T_STR(host, "server.example");
	T_ASSERT(local == 0);
	T_HR(dcom_normalise_binding("ncacn_ip_tcp:127.0.0.1[4000]", out, host, &local), 0);
	T_STR(out, "ncacn_ip_tcp:127.0.0.1[4000]");
	T_STR(host, "127.0.0.1");
	T_HR(dcom_normalise_binding("ncalrpc:[/run/x.sock]", out, host, &local), 0);
	T_ASSERT(local == 1);
	T_HR(dcom_normalise_binding("ncacn_ip_tcp:[135]", out, host, &local),
	     NTLM_DCOM_CO_E_BAD_SERVER_NAME);
	T_HR(dcom_normalise_binding("ncacn_np:host", out, host, &local),
	     NTLM_DCOM_CO_E_BAD_SERVER_NAME);
}

/* A server may name any host: only its port is taken, the host stays the one the caller named. */
static void test_exporter_binding(void)
{
	dcom_resolver r;
	dcom_dualstringarray d;
	char out[DCOM_BINDING_CAP];
	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	snprintf(r.host, sizeof(r.host), "127.0.0.1");
	d.n_str = 5;
	d.str[0] = (dcom_string_binding){DCOM_TOWER_NCALRPC, "/tmp/elsewhere.sock"};
	d.str[1] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "evil.example[0]"};
	d.str[2] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "evil.example[70000]"};
	d.str[3] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "evil.example[4444]"};
	d.str[4] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "127.0.0.1[5555]"};
	T_HR(dcom_exporter_binding(&r, &d, out), 0);
	T_STR(out, "ncacn_ip_tcp:127.0.0.1[4444]");
	r.local = 1;
	T_HR(dcom_exporter_binding(&r, &d, out), 0);
	T_STR(out, "ncalrpc:[/tmp/elsewhere.sock]");
	d.n_str = 1;
	d.str[0] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "127.0.0.1[5555]"};
	T_HR(dcom_exporter_binding(&r, &d, out), NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE);
	r.local = 0;
	d.str[0] = (dcom_string_binding){DCOM_TOWER_NCACN_IP_TCP, "127.0.0.1[55x]"};
	T_HR(dcom_exporter_binding(&r, &d, out), NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE);
}

/* Two proxies on one object, one on another, one not pinged: the set follows them. */
static void test_ping_set(void)
{
	dcom_resolver r;
	static dcom_complexping_req one; /* 4 KiB: not on the stack */
	dcom_complexping_req *req = &one;
	dcom_stdobjref a = {.oid = 0xA}, b = {.oid = 0xB}, np = {.flags = DCOM_SORF_NOPING, .oid = 0xC};
	memset(&r, 0, sizeof(r));
	T_HR(dcom_oid_hold(&r, &a), 0);
	T_HR(dcom_oid_hold(&r, &a), 0);
	T_HR(dcom_oid_hold(&r, &b), 0);
	T_HR(dcom_oid_hold(&r, &np), 0);
	T_ASSERT(r.n_oids == 2);
	dcom_ping_delta(&r, req);
	T_ASSERT(req->n_add == 2 && req->n_del == 0);
	dcom_ping_applied(&r, req, 77);
	T_ASSERT(r.setid == 77 && r.oids[0].in_set && r.oids[1].in_set);
	/* one of a's two proxies goes: a stays; b goes: it is dropped from the set */
	dcom_oid_drop(&r, &a);
	dcom_oid_drop(&r, &b);
	memset(req, 0, sizeof(*req));
	dcom_ping_delta(&r, req);
	T_ASSERT(req->n_add == 0 && req->n_del == 1 && req->del[0] == 0xB);
	dcom_ping_applied(&r, req, 77);
	T_ASSERT(r.n_oids == 1 && r.oids[0].oid == 0xA && r.oids[0].in_set);
	/* the server lost the set: a is added again */
	dcom_ping_set_lost(&r);
	memset(req, 0, sizeof(*req));
	dcom_ping_delta(&r, req);
	T_ASSERT(r.setid == 0 && req->n_add == 1 && req->add[0] == 0xA);
	free(r.oids);
}

/* With the thread's identity, an association serves only the identity it was made with. */
static void test_identity_check(void)
{
	char msg[DCOM_MSG_CAP];
	dcom_blanket b;
	memset(&b, 0, sizeof(b));
	dcom_thread_ids(&b.ruid, &b.euid);
	T_HR(dcom_identity_check(&b, msg), NTLM_DCOM_S_OK);
	b.euid++;
	T_HR(dcom_identity_check(&b, msg), NTLM_DCOM_E_ACCESSDENIED);
	T_ASSERT(strstr(msg, "make a proxy for each identity") != NULL);
	b.cred = (const ntlm_cred *)&b; /* explicit credentials: whoever calls */
	T_HR(dcom_identity_check(&b, msg), NTLM_DCOM_S_OK);
}

static void test_qi_same_object(void)
{
	dcom_stdobjref have = {.oxid = 1, .oid = 2}, got = have;
	T_ASSERT(dcom_qi_same_object(&have, &got));
	got.oxid = 3;
	T_ASSERT(!dcom_qi_same_object(&have, &got));
	got = have;
	got.oid = 3;
	T_ASSERT(!dcom_qi_same_object(&have, &got));
}

int main(void)
{
	T_RUN(test_client_config);
	T_RUN(test_activation_refusals);
	T_RUN(test_bindings);
	T_RUN(test_exporter_binding);
	T_RUN(test_ping_set);
	T_RUN(test_qi_same_object);
	T_RUN(test_identity_check);
	T_END();
}
