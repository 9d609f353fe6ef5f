/*
 * client.c - the DCOM client ([MS-DCOM] 3.2): the process's defaults
 * (CoInitializeSecurity), activation (IRemoteSCMActivator::
 * RemoteCreateInstance), OXID resolution (IObjectExporter::ResolveOxid2)
 * and the ping thread (ComplexPing to change the set, SimplePing to keep
 * it). Calls on proxies are in proxy.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "actprops.h"
#include "client_priv.h"
#include "mem.h"
#include "sized.h"

#define CLIENT_CONFIG_V0_SIZE_ NTLM_SIZE_UPTO(ntlm_dcom_client_config, ping_period_ms)
#define SERVER_INFO_V0_SIZE    NTLM_SIZE_UPTO(ntlm_dcom_server_info, server_principal)
#define TCP_DEFAULT_PORT       "135"

static const ntlm_guid iid_activator = NTLM_DCOM_IID_ISYSTEMACTIVATOR;
static const ntlm_guid iid_exporter = NTLM_DCOM_IID_IOBJECTEXPORTER;

/* ------------------------------------------------------------ helpers */

static void set_msg(char msg[DCOM_MSG_CAP], const char *fmt, const char *detail)
{
	snprintf(msg, DCOM_MSG_CAP, fmt, detail);
}

void dcom_orpcthis_new(dcom_orpcthis *o)
{
	memset(o, 0, sizeof(*o));
	o->version.major = DCOM_VERSION_MAJOR;
	o->version.minor = DCOM_VERSION_MINOR;
	o->flags = DCOM_ORPCF_NULL;
	/* A causality id only has to be unique; without randomness a clock will do. */
	if (getrandom(o->cid.bytes, sizeof(o->cid.bytes), 0) != (ssize_t)sizeof(o->cid.bytes)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(o->cid.bytes, &ts, sizeof(ts) < 16 ? sizeof(ts) : 16);
	}
	o->cid.bytes[7] = (uint8_t)((o->cid.bytes[7] & 0x0F) | 0x40); /* version 4 */
	o->cid.bytes[8] = (uint8_t)((o->cid.bytes[8] & 0x3F) | 0x80);
}

#if defined(SYS_getresuid32)
#define DCOM_SYS_GETRESUID SYS_getresuid32
#else
#define DCOM_SYS_GETRESUID SYS_getresuid
#endif

void dcom_thread_ids(uid_t *ruid, uid_t *euid)
{
	uid_t suid = 0;
	*ruid = *euid = (uid_t)-1;
	if (syscall(DCOM_SYS_GETRESUID, ruid, euid, &suid) != 0)
		*ruid = *euid = (uid_t)-1; /* matches no real identity */
}

ntlm_hresult dcom_identity_check(const dcom_blanket *b, char msg[DCOM_MSG_CAP])
{
	uid_t r, e;
	if (b->cred)
		return NTLM_DCOM_S_OK;
	dcom_thread_ids(&r, &e);
	if (r == b->ruid && e == b->euid)
		return NTLM_DCOM_S_OK;
	snprintf(msg, DCOM_MSG_CAP,
	         "made for the identity of uid %u/%u, called by uid %u/%u: an association keeps "
	         "its identity; make a proxy for each identity",
	         (unsigned)b->ruid, (unsigned)b->euid, (unsigned)r, (unsigned)e);
	return NTLM_DCOM_E_ACCESSDENIED;
}

ntlm_hresult dcom_blanket_copy(dcom_blanket *dst, const dcom_blanket *src)
{
	char *p = NULL;
	if (src->principal && !(p = ntlm_strdup(src->principal)))
		return NTLM_DCOM_E_OUTOFMEMORY;
	*dst = *src;
	dst->principal = p;
	return NTLM_DCOM_S_OK;
}

void dcom_blanket_clear(dcom_blanket *b)
{
	free(b->principal);
	memset(b, 0, sizeof(*b));
}

static int same_blanket(const dcom_blanket *a, const dcom_blanket *b)
{
	if (a->svc != b->svc || a->level != b->level || a->imp != b->imp || a->cred != b->cred)
		return 0;
	if (!a->cred && (a->ruid != b->ruid || a->euid != b->euid))
		return 0; /* the thread's identity: one association per identity */
	if (!a->principal || !b->principal)
		return a->principal == b->principal;
	return strcmp(a->principal, b->principal) == 0;
}

/* The status of a failed RPC call as an HRESULT: a fault that is one is kept as it is. */
static ntlm_hresult call_failure(ntlm_rpc_client *c, ntlm_rpc_status st)
{
	uint32_t fault = ntlm_rpc_client_fault(c);
	if (st != NTLM_RPC_S_OK && (fault & 0x80000000u))
		return (ntlm_hresult)fault;
	return ntlm_hresult_from_rpc_status(st);
}

static ntlm_rpc_status open_conn(ntlm_rpc_client **conn, const char *binding, const dcom_blanket *b)
{
	ntlm_rpc_status st = ntlm_rpc_client_new(conn, binding);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_blanket(*conn, b->svc, b->level, b->imp, b->principal);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(*conn, b->cred);
	return st;
}

ntlm_hresult dcom_rpc_call(ntlm_rpc_client **conn, const char *binding, const dcom_blanket *b,
                           int may_bind, const ntlm_guid *iface, const ntlm_guid *object,
                           uint16_t opnum, const ntlm_buffer *in, ntlm_buffer *out,
                           char msg[DCOM_MSG_CAP])
{
	ntlm_rpc_syntax syn = {.major = 0, .minor = 0}; /* COM interfaces are version 0.0 */
	memcpy(syn.uuid, iface->bytes, 16);
	ntlm_rpc_status st = *conn      ? NTLM_RPC_S_OK
	                     : may_bind ? open_conn(conn, binding, b)
	                                : NTLM_RPC_S_INVALID_BINDING;
	if (st != NTLM_RPC_S_OK) {
		set_msg(msg, "cannot use the binding %s", binding);
		ntlm_rpc_client_free(*conn);
		*conn = NULL;
		return ntlm_hresult_from_rpc_status(st);
	}
	const uint8_t *obj = object ? object->bytes : NULL;
	st = ntlm_rpc_client_call_object(*conn, &syn, obj, opnum, in->data, in->len, out);
	if (st == NTLM_RPC_S_INVALID_BINDING && may_bind) {
		/* not bound yet, or the last failure ended the association: bind afresh */
		st = ntlm_rpc_client_bind(*conn, &syn);
		if (st == NTLM_RPC_S_OK)
			st = ntlm_rpc_client_call_object(*conn, &syn, obj, opnum, in->data, in->len, out);
	}
	if (st == NTLM_RPC_S_OK)
		return NTLM_DCOM_S_OK;
	set_msg(msg, "%s", ntlm_rpc_client_message(*conn));
	return call_failure(*conn, st);
}

/* ------------------------------------------------------------ the client */

static void *ping_main(void *arg);

NTLM_API ntlm_hresult ntlm_dcom_client_new(ntlm_dcom_client **out,
                                           const ntlm_dcom_client_config *cfg)
{
	if (!out)
		return NTLM_DCOM_E_POINTER;
	*out = NULL;
	ntlm_dcom_client_config c = {NTLM_DCOM_CLIENT_CONFIG_INIT};
	if (cfg && ntlm_sized_in(&c, sizeof(c), cfg, CLIENT_CONFIG_V0_SIZE_) != NTLM_OK)
		return NTLM_DCOM_E_INVALIDARG;
	if (c.authn_level > NTLM_RPC_LEVEL_PKT_PRIVACY || c.imp_level > NTLM_RPC_IMP_DELEGATE ||
	    (c.n_authn_svcs && !c.authn_svcs))
		return NTLM_DCOM_E_INVALIDARG;
	uint32_t svc = c.n_authn_svcs ? NTLM_RPC_AUTHN_NONE : NTLM_RPC_AUTHN_WINNT;
	for (size_t i = 0; i < c.n_authn_svcs; i++) {
		if (c.authn_svcs[i] == NTLM_RPC_AUTHN_WINNT)
			svc = NTLM_RPC_AUTHN_WINNT;
		else if (c.authn_svcs[i] != NTLM_RPC_AUTHN_NONE)
			return NTLM_DCOM_RPC_E_NO_GOOD_SECURITY_PACKAGES;
	}
	c.authn_svcs = NULL; /* not kept: the choice is */
	c.n_authn_svcs = 0;
	if (!c.authn_level)
		c.authn_level = NTLM_RPC_LEVEL_PKT_INTEGRITY;
	if (svc == NTLM_RPC_AUTHN_NONE)
		c.authn_level = NTLM_RPC_LEVEL_NONE;
	if (!c.imp_level)
		c.imp_level = NTLM_RPC_IMP_IMPERSONATE;
	if (!c.ping_period_ms)
		c.ping_period_ms = DCOM_PING_MS;
	ntlm_dcom_client *cli = calloc(1, sizeof(*cli));
	if (!cli)
		return NTLM_DCOM_E_OUTOFMEMORY;
	cli->cfg = c;
	cli->svc = svc;
	pthread_condattr_t ca;
	int ok = pthread_condattr_init(&ca) == 0;
	ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
	ok = ok && pthread_cond_init(&cli->wake, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!ok || pthread_mutex_init(&cli->lock, NULL) != 0) {
		free(cli);
		return NTLM_DCOM_E_OUTOFMEMORY;
	}
	if (pthread_create(&cli->pinger, NULL, ping_main, cli) != 0) {
		ntlm_dcom_client_free(cli);
		return NTLM_DCOM_E_OUTOFMEMORY;
	}
	cli->have_pinger = 1;
	*out = cli;
	return NTLM_DCOM_S_OK;
}

NTLM_API const char *ntlm_dcom_client_message(const ntlm_dcom_client *cli)
{
	return cli ? cli->msg : "";
}

static void ping_all(ntlm_dcom_client *cli);

NTLM_API void ntlm_dcom_client_free(ntlm_dcom_client *cli)
{
	if (!cli)
		return;
	pthread_mutex_lock(&cli->lock);
	cli->stopping = 1;
	pthread_cond_broadcast(&cli->wake);
	pthread_mutex_unlock(&cli->lock);
	if (cli->have_pinger)
		pthread_join(cli->pinger, NULL);
	/* Release what the caller still holds, then tell each resolver its OIDs are gone. */
	while (cli->proxies) {
		ntlm_hresult ignored = dcom_proxy_destroy(cli->proxies);
		(void)ignored; /* best effort: the server collects what it did not hear about */
	}
	ping_all(cli);
	while (cli->oxids) {
		dcom_oxid *o = cli->oxids;
		cli->oxids = o->next;
		free(o);
	}
	while (cli->resolvers) {
		dcom_resolver *r = cli->resolvers;
		cli->resolvers = r->next;
		ntlm_rpc_client_free(r->conn);
		dcom_blanket_clear(&r->blanket);
		pthread_mutex_destroy(&r->lock);
		free(r->oids);
		free(r);
	}
	pthread_cond_destroy(&cli->wake);
	pthread_mutex_destroy(&cli->lock);
	free(cli);
}

/* ------------------------------------------------------------ resolvers */

/* client_priv.h says why the host is kept. */
ntlm_hresult dcom_normalise_binding(const char *in, char out[DCOM_BINDING_CAP],
                                    char host[DCOM_BINDING_CAP], int *local)
{
	static const char tcp[] = "ncacn_ip_tcp:", lrpc[] = "ncalrpc:";
	int n;
	*local = strncmp(in, lrpc, sizeof(lrpc) - 1) == 0;
	host[0] = '\0';
	if (*local) {
		n = snprintf(out, DCOM_BINDING_CAP, "%s", in);
	} else if (strncmp(in, tcp, sizeof(tcp) - 1) == 0) {
		const char *h = in + sizeof(tcp) - 1, *open = strchr(h, '[');
		size_t hl = open ? (size_t)(open - h) : strlen(h);
		if (hl == 0 || hl >= DCOM_BINDING_CAP)
			return NTLM_DCOM_CO_E_BAD_SERVER_NAME;
		memcpy(host, h, hl);
		host[hl] = '\0';
		n = open ? snprintf(out, DCOM_BINDING_CAP, "%s", in)
		         : snprintf(out, DCOM_BINDING_CAP, "%s[%s]", in, TCP_DEFAULT_PORT);
	} else {
		return NTLM_DCOM_CO_E_BAD_SERVER_NAME;
	}
	return n > 0 && n < DCOM_BINDING_CAP ? NTLM_DCOM_S_OK : NTLM_DCOM_CO_E_BAD_SERVER_NAME;
}

/* The resolver for binding and blanket, made and listed if new (takes cli->lock). */
static ntlm_hresult get_resolver(ntlm_dcom_client *cli, const char *binding, const dcom_blanket *b,
                                 dcom_resolver **out)
{
	char norm[DCOM_BINDING_CAP], host[DCOM_BINDING_CAP];
	int local;
	ntlm_hresult hr = dcom_normalise_binding(binding, norm, host, &local);
	if (NTLM_DCOM_FAILED(hr))
		return hr;
	pthread_mutex_lock(&cli->lock);
	for (dcom_resolver *r = cli->resolvers; r; r = r->next)
		if (strcmp(r->binding, norm) == 0 && same_blanket(&r->blanket, b)) {
			pthread_mutex_unlock(&cli->lock);
			*out = r;
			return NTLM_DCOM_S_OK;
		}
	dcom_resolver *r = calloc(1, sizeof(*r));
	hr = r ? dcom_blanket_copy(&r->blanket, b) : NTLM_DCOM_E_OUTOFMEMORY;
	if (NTLM_DCOM_SUCCEEDED(hr) && pthread_mutex_init(&r->lock, NULL) != 0) {
		dcom_blanket_clear(&r->blanket);
		hr = NTLM_DCOM_E_OUTOFMEMORY;
	}
	if (NTLM_DCOM_FAILED(hr)) {
		free(r);
		pthread_mutex_unlock(&cli->lock);
		return hr;
	}
	memcpy(r->binding, norm, sizeof(norm));
	memcpy(r->host, host, sizeof(host));
	r->local = local;
	r->next = cli->resolvers;
	cli->resolvers = r;
	pthread_mutex_unlock(&cli->lock);
	*out = r;
	return NTLM_DCOM_S_OK;
}

ntlm_hresult dcom_oid_hold(dcom_resolver *r, const dcom_stdobjref *std)
{
	if (std->flags & DCOM_SORF_NOPING)
		return NTLM_DCOM_S_OK;
	for (size_t i = 0; i < r->n_oids; i++)
		if (r->oids[i].oid == std->oid) {
			r->oids[i].refs++;
			return NTLM_DCOM_S_OK;
		}
	if (r->n_oids == r->cap_oids) {
		size_t cap = r->cap_oids ? 2 * r->cap_oids : 8;
		dcom_oid *n = realloc(r->oids, cap * sizeof(*n));
		if (!n)
			return NTLM_DCOM_E_OUTOFMEMORY;
		r->oids = n;
		r->cap_oids = cap;
	}
	r->oids[r->n_oids++] = (dcom_oid){std->oid, 1, 0};
	return NTLM_DCOM_S_OK;
}

void dcom_oid_drop(dcom_resolver *r, const dcom_stdobjref *std)
{
	if (std->flags & DCOM_SORF_NOPING)
		return;
	for (size_t i = 0; i < r->n_oids; i++)
		if (r->oids[i].oid == std->oid && r->oids[i].refs)
			r->oids[i].refs--; /* the ping thread removes it from the set */
}

/* ------------------------------------------------------------ activation */

/* The ActivationPropertiesIn a Windows client sends for CoCreateInstanceEx with one IID. */
static void activation_props(const dcom_resolver *r, const ntlm_guid *clsid, const ntlm_guid *iid,
                             dcom_actprops_in *p)
{
	static const ntlm_guid classes[] = {DCOM_CLSID_SPECIAL_PROPS,   DCOM_CLSID_INSTANTIATION,
	                                    DCOM_CLSID_ACTIVATION_CTX,  DCOM_CLSID_SECURITY_INFO,
	                                    DCOM_CLSID_SERVER_LOCATION, DCOM_CLSID_SCM_REQUEST};
	memset(p, 0, sizeof(*p));
	p->dest_ctx = DCOM_DESTCTX_DIFFERENTMACHINE;
	p->n_props = NTLM_ARRAY_LEN(classes);
	memcpy(p->prop_clsids, classes, sizeof(classes));
	p->present = DCOM_PROP_SPECIAL | DCOM_PROP_INST | DCOM_PROP_ACTCTX | DCOM_PROP_SECURITY |
	             DCOM_PROP_LOCATION | DCOM_PROP_SCM_REQ;
	p->special.default_authn_level = r->blanket.level;
	p->special.orig_clsctx = 0x10; /* CLSCTX_REMOTE_SERVER */
	p->special.flags = 0x2;        /* SPD_FLAG_USE_CONSOLE_SESSION */
	p->inst.clsid = *clsid;
	p->inst.class_ctx = 0x10;
	p->inst.n_iids = 1;
	p->inst.iids[0] = *iid;
	p->inst.client_version.major = DCOM_VERSION_MAJOR;
	p->inst.client_version.minor = DCOM_VERSION_MINOR;
	p->scm_req.has_remote = 1;
	p->scm_req.client_imp_level = r->blanket.imp;
	p->scm_req.n_protseqs = 1;
	p->scm_req.protseqs[0] = r->local ? DCOM_TOWER_NCALRPC : DCOM_TOWER_NCACN_IP_TCP;
}

/* A call on the resolver's connection (ISystemActivator and IObjectExporter share it). */
static ntlm_hresult resolver_call(dcom_resolver *r, const ntlm_guid *iface, uint16_t opnum,
                                  const ntlm_buffer *in, ntlm_buffer *out, char *msg)
{
	/* The ping thread may use another identity's association, never make one in its name. */
	int may_bind = NTLM_DCOM_SUCCEEDED(dcom_identity_check(&r->blanket, msg));
	return dcom_rpc_call(&r->conn, r->binding, &r->blanket, may_bind, iface, NULL, opnum, in, out,
	                     msg);
}

/* RemoteCreateInstance: the object's STDOBJREF for iid. Under r->lock. */
static ntlm_hresult remote_create(dcom_resolver *r, const ntlm_guid *clsid, const ntlm_guid *iid,
                                  dcom_stdobjref *std, char *msg)
{
	dcom_actprops_in props;
	dcom_createinstance_req req;
	ntlm_buffer blob = {NULL, 0}, in = {NULL, 0}, out = {NULL, 0};
	activation_props(r, clsid, iid, &props);
	memset(&req, 0, sizeof(req));
	dcom_orpcthis_new(&req.orpc);
	ntlm_err rc = dcom_actprops_in_encode(&props, &blob);
	req.act_props = (ndr_bytes){blob.data, blob.len};
	if (rc == NTLM_OK)
		rc = dcom_createinstance_req_encode(&req, &in);
	ntlm_buffer_free(&blob);
	if (rc != NTLM_OK)
		return dcom_hresult_from_err(rc);
	ntlm_hresult hr = resolver_call(r, &iid_activator, DCOM_OP_REMOTECREATEINSTANCE, &in, &out,
	                                msg);
	ntlm_buffer_free(&in);
	dcom_activation_resp resp;
	dcom_actprops_out *po = calloc(1, sizeof(*po)); /* large: keep it off the stack */
	if (NTLM_DCOM_SUCCEEDED(hr) && !po)
		hr = NTLM_DCOM_E_OUTOFMEMORY;
	if (NTLM_DCOM_SUCCEEDED(hr) &&
	    (rc = dcom_activation_resp_decode(out.data, out.len, &resp)) != NTLM_OK) {
		set_msg(msg, "%s", "malformed RemoteCreateInstance response");
		hr = dcom_hresult_from_err(rc);
	} else if (NTLM_DCOM_SUCCEEDED(hr) && NTLM_DCOM_FAILED(resp.hr)) {
		set_msg(msg, "the activator refused: %s", ntlm_hresult_name(resp.hr));
		hr = resp.hr;
	} else if (NTLM_DCOM_SUCCEEDED(hr)) {
		rc = resp.act_props.data
		         ? dcom_actprops_out_decode(resp.act_props.data, resp.act_props.len, po)
		         : NTLM_E_TRUNCATED;
		if (rc != NTLM_OK || !(po->present & DCOM_PROP_PROPS_OUT) || po->props.n_ifs != 1) {
			set_msg(msg, "%s", "malformed activation properties in the answer");
			hr = NTLM_DCOM_RPC_E_INVALID_DATA;
		} else if (NTLM_DCOM_FAILED(po->props.hrs[0])) {
			set_msg(msg, "the object refused the interface: %s",
			        ntlm_hresult_name(po->props.hrs[0]));
			hr = po->props.hrs[0];
		} else {
			dcom_objref ref;
			const ndr_bytes *b = &po->props.objrefs[0];
			rc = b->data ? dcom_objref_decode(b->data, b->len, &ref) : NTLM_E_TRUNCATED;
			if (rc != NTLM_OK || ref.flags != DCOM_OBJREF_STANDARD ||
			    !ntlm_guid_equal(&ref.iid, iid)) {
				set_msg(msg, "%s", "the activator answered no standard OBJREF for the interface");
				hr = NTLM_DCOM_RPC_E_INVALID_OBJREF;
			} else {
				*std = ref.std;
			}
		}
	}
	free(po);
	ntlm_buffer_free(&out);
	return hr;
}

/* Only a port is taken from a server over tcp (client_priv.h). */
ntlm_hresult dcom_exporter_binding(const dcom_resolver *r, const dcom_dualstringarray *dsa,
                                   char out[DCOM_BINDING_CAP])
{
	for (size_t i = 0; i < dsa->n_str; i++) {
		const dcom_string_binding *s = &dsa->str[i];
		int n = -1;
		if (r->local && s->tower_id == DCOM_TOWER_NCALRPC) {
			n = s->addr[0] == '[' ? snprintf(out, DCOM_BINDING_CAP, "ncalrpc:%s", s->addr)
			                      : snprintf(out, DCOM_BINDING_CAP, "ncalrpc:[%s]", s->addr);
		} else if (!r->local && s->tower_id == DCOM_TOWER_NCACN_IP_TCP) {
			const char *open = strrchr(s->addr, '[');
			char *end = NULL;
			unsigned long port = open ? strtoul(open + 1, &end, 10) : 0;
			if (!open || !end || strcmp(end, "]") != 0 || port == 0 || port > 65535)
				continue;
			n = snprintf(out, DCOM_BINDING_CAP, "ncacn_ip_tcp:%s[%lu]", r->host, port);
		}
		if (n > 0 && n < DCOM_BINDING_CAP)
			return NTLM_DCOM_S_OK;
	}
	return NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE;
}

/* ResolveOxid2. Under r->lock. */
static ntlm_hresult resolve_oxid(dcom_resolver *r, uint64_t oxid, dcom_oxid *ox, char *msg)
{
	dcom_resolveoxid_req req;
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	memset(&req, 0, sizeof(req));
	req.oxid = oxid;
	req.n_protseqs = 1;
	req.protseqs[0] = r->local ? DCOM_TOWER_NCALRPC : DCOM_TOWER_NCACN_IP_TCP;
	ntlm_err rc = dcom_resolveoxid_req_encode(&req, &in);
	if (rc != NTLM_OK)
		return dcom_hresult_from_err(rc);
	ntlm_hresult hr = resolver_call(r, &iid_exporter, DCOM_OP_RESOLVEOXID2, &in, &out, msg);
	ntlm_buffer_free(&in);
	dcom_resolveoxid_resp *resp = malloc(sizeof(*resp));
	if (NTLM_DCOM_SUCCEEDED(hr) && !resp)
		hr = NTLM_DCOM_E_OUTOFMEMORY;
	if (NTLM_DCOM_SUCCEEDED(hr) &&
	    (rc = dcom_resolveoxid2_resp_decode(out.data, out.len, resp)) != NTLM_OK) {
		set_msg(msg, "%s", "malformed ResolveOxid2 response");
		hr = dcom_hresult_from_err(rc);
	} else if (NTLM_DCOM_SUCCEEDED(hr) && (resp->status || !resp->has_bindings)) {
		set_msg(msg, "%s", "the resolver does not know the object's OXID");
		hr = resp->status ? NTLM_DCOM_HRESULT_FROM_WIN32(resp->status)
		                  : NTLM_DCOM_RPC_S_SERVER_UNAVAILABLE;
	} else if (NTLM_DCOM_SUCCEEDED(hr) && resp->version.major != DCOM_VERSION_MAJOR) {
		set_msg(msg, "%s", "the exporter speaks another DCOM major version");
		hr = NTLM_DCOM_RPC_E_VERSION_MISMATCH;
	} else if (NTLM_DCOM_SUCCEEDED(hr)) {
		ox->oxid = oxid;
		ox->remunknown = resp->ipid_remunknown;
		hr = dcom_exporter_binding(r, &resp->bindings, ox->exporter);
		if (NTLM_DCOM_FAILED(hr))
			set_msg(msg, "%s", "the resolver names no exporter binding for our transport");
	}
	free(resp);
	ntlm_buffer_free(&out);
	return hr;
}

/* The OXID's entry (resolved when new). Under r->lock; takes cli->lock. */
static ntlm_hresult get_oxid(ntlm_dcom_client *cli, dcom_resolver *r, uint64_t oxid,
                             dcom_oxid **out)
{
	pthread_mutex_lock(&cli->lock);
	for (dcom_oxid *o = cli->oxids; o; o = o->next)
		if (o->resolver == r && o->oxid == oxid) {
			pthread_mutex_unlock(&cli->lock);
			*out = o;
			return NTLM_DCOM_S_OK;
		}
	pthread_mutex_unlock(&cli->lock);
	dcom_oxid *o = calloc(1, sizeof(*o));
	if (!o)
		return NTLM_DCOM_E_OUTOFMEMORY;
	char msg[DCOM_MSG_CAP] = "";
	ntlm_hresult hr = resolve_oxid(r, oxid, o, msg);
	pthread_mutex_lock(&cli->lock);
	if (NTLM_DCOM_FAILED(hr)) {
		snprintf(cli->msg, sizeof(cli->msg), "%s", msg);
		free(o);
	} else {
		o->resolver = r;
		o->next = cli->oxids;
		cli->oxids = o;
		*out = o;
	}
	pthread_mutex_unlock(&cli->lock);
	return hr;
}

static ntlm_hresult server_blanket(const ntlm_dcom_client *cli, const ntlm_dcom_server_info *si,
                                   dcom_blanket *b)
{
	memset(b, 0, sizeof(*b));
	if (si->authn_level > NTLM_RPC_LEVEL_PKT_PRIVACY || si->imp_level > NTLM_RPC_IMP_DELEGATE)
		return NTLM_DCOM_E_INVALIDARG;
	b->svc = cli->svc;
	b->level = si->authn_level ? si->authn_level : cli->cfg.authn_level;
	if (b->svc == NTLM_RPC_AUTHN_NONE)
		b->level = NTLM_RPC_LEVEL_NONE;
	b->imp = si->imp_level ? si->imp_level : cli->cfg.imp_level;
	b->principal = (char *)si->server_principal; /* copied by get_resolver */
	b->cred = si->cred;
	if (!b->cred)
		dcom_thread_ids(&b->ruid, &b->euid);
	return NTLM_DCOM_S_OK;
}

static void record(ntlm_dcom_client *cli, const char *msg)
{
	pthread_mutex_lock(&cli->lock);
	snprintf(cli->msg, sizeof(cli->msg), "%s", msg);
	pthread_mutex_unlock(&cli->lock);
}

NTLM_API ntlm_hresult ntlm_dcom_create_instance(ntlm_dcom_client *cli,
                                                const ntlm_dcom_server_info *server,
                                                const ntlm_guid *clsid, const ntlm_guid *iid,
                                                ntlm_dcom_proxy **out)
{
	if (!out)
		return NTLM_DCOM_E_POINTER;
	*out = NULL;
	if (!cli || !server || !clsid || !iid)
		return NTLM_DCOM_E_INVALIDARG;
	ntlm_dcom_server_info si = {NTLM_DCOM_SERVER_INFO_INIT};
	if (ntlm_sized_in(&si, sizeof(si), server, SERVER_INFO_V0_SIZE) != NTLM_OK || !si.binding)
		return NTLM_DCOM_E_INVALIDARG;
	dcom_blanket b;
	dcom_resolver *r = NULL;
	ntlm_hresult hr = server_blanket(cli, &si, &b);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = get_resolver(cli, si.binding, &b, &r);
	if (NTLM_DCOM_FAILED(hr)) {
		record(cli, "bad server info (binding, level or impersonation level)");
		return hr;
	}
	char msg[DCOM_MSG_CAP] = "";
	dcom_stdobjref std;
	dcom_oxid *ox = NULL;
	memset(&std, 0, sizeof(std));
	pthread_mutex_lock(&r->lock);
	hr = remote_create(r, clsid, iid, &std, msg);
	if (NTLM_DCOM_SUCCEEDED(hr)) {
		hr = get_oxid(cli, r, std.oxid, &ox);
		if (NTLM_DCOM_FAILED(hr))
			snprintf(msg, sizeof(msg), "%s", cli->msg);
	}
	pthread_mutex_unlock(&r->lock);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_proxy_new(cli, ox, iid, &std, &r->blanket, out);
	record(cli, NTLM_DCOM_SUCCEEDED(hr) ? "" : msg[0] ? msg : ntlm_hresult_strerror(hr));
	return hr;
}

/* ------------------------------------------------------------ pinging */

/* The OIDs to add to and drop from the set, under cli->lock. */
void dcom_ping_delta(dcom_resolver *r, dcom_complexping_req *req)
{
	for (size_t i = 0; i < r->n_oids; i++) {
		dcom_oid *o = &r->oids[i];
		if (o->refs && !o->in_set && req->n_add < DCOM_MAX_PING_OIDS)
			req->add[req->n_add++] = o->oid;
		else if (!o->refs && o->in_set && req->n_del < DCOM_MAX_PING_OIDS)
			req->del[req->n_del++] = o->oid;
	}
}

/* After a ComplexPing the server took: the set now holds the added, not the dropped. */
void dcom_ping_applied(dcom_resolver *r, const dcom_complexping_req *req, uint64_t setid)
{
	r->setid = setid;
	for (size_t i = 0; i < r->n_oids;) {
		dcom_oid *o = &r->oids[i];
		for (size_t k = 0; k < req->n_add; k++)
			if (req->add[k] == o->oid)
				o->in_set = 1;
		for (size_t k = 0; k < req->n_del; k++)
			if (req->del[k] == o->oid)
				o->in_set = 0;
		if (!o->refs && !o->in_set)
			r->oids[i] = r->oids[--r->n_oids];
		else
			i++;
	}
}

/* The server lost our set (OR_INVALID_SET): everything held is added again next time. */
void dcom_ping_set_lost(dcom_resolver *r)
{
	r->setid = 0;
	for (size_t i = 0; i < r->n_oids; i++)
		r->oids[i].in_set = 0;
}

static ntlm_hresult complex_ping(ntlm_dcom_client *cli, dcom_resolver *r, dcom_complexping_req *req,
                                 char *msg)
{
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	dcom_complexping_resp resp;
	ntlm_err rc = dcom_complexping_req_encode(req, &in);
	ntlm_hresult hr = rc == NTLM_OK
	                      ? resolver_call(r, &iid_exporter, DCOM_OP_COMPLEXPING, &in, &out, msg)
	                      : dcom_hresult_from_err(rc);
	if (NTLM_DCOM_SUCCEEDED(hr) &&
	    dcom_complexping_resp_decode(out.data, out.len, &resp) != NTLM_OK)
		hr = NTLM_DCOM_RPC_X_BAD_STUB_DATA;
	pthread_mutex_lock(&cli->lock);
	if (NTLM_DCOM_SUCCEEDED(hr) && resp.status == DCOM_OR_INVALID_SET)
		dcom_ping_set_lost(r);
	else if (NTLM_DCOM_SUCCEEDED(hr) && resp.status == 0)
		dcom_ping_applied(r, req, resp.setid);
	pthread_mutex_unlock(&cli->lock);
	ntlm_buffer_free(&in);
	ntlm_buffer_free(&out);
	return hr;
}

static ntlm_hresult simple_ping(ntlm_dcom_client *cli, dcom_resolver *r, uint64_t setid, char *msg)
{
	dcom_simpleping_req req = {setid};
	dcom_status_resp resp;
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	ntlm_err rc = dcom_simpleping_req_encode(&req, &in);
	ntlm_hresult hr = rc == NTLM_OK
	                      ? resolver_call(r, &iid_exporter, DCOM_OP_SIMPLEPING, &in, &out, msg)
	                      : dcom_hresult_from_err(rc);
	if (NTLM_DCOM_SUCCEEDED(hr) && dcom_status_resp_decode(out.data, out.len, &resp) != NTLM_OK)
		hr = NTLM_DCOM_RPC_X_BAD_STUB_DATA;
	if (NTLM_DCOM_SUCCEEDED(hr) && resp.status == DCOM_OR_INVALID_SET) {
		pthread_mutex_lock(&cli->lock);
		dcom_ping_set_lost(r);
		pthread_mutex_unlock(&cli->lock);
	}
	ntlm_buffer_free(&in);
	ntlm_buffer_free(&out);
	return hr;
}

/*
 * One round for one resolver: a ComplexPing when the set changes (or must
 * be made), else a SimplePing while it holds anything. A failure is retried
 * next round; the server collects after missing several.
 */
static void ping_resolver(ntlm_dcom_client *cli, dcom_resolver *r)
{
	dcom_complexping_req *req = calloc(1, sizeof(*req));
	char msg[DCOM_MSG_CAP];
	if (!req)
		return;
	pthread_mutex_lock(&r->lock);
	pthread_mutex_lock(&cli->lock);
	dcom_ping_delta(r, req);
	req->setid = r->setid;
	req->seq = ++r->seq;
	int held = 0;
	for (size_t i = 0; i < r->n_oids; i++)
		held |= r->oids[i].in_set;
	uint64_t setid = r->setid;
	pthread_mutex_unlock(&cli->lock);
	ntlm_hresult hr = NTLM_DCOM_S_OK;
	if (req->n_add || (req->n_del && setid))
		hr = complex_ping(cli, r, req, msg);
	else if (held && setid)
		hr = simple_ping(cli, r, setid, msg);
	(void)hr; /* nothing to report to: the next round tries again */
	pthread_mutex_unlock(&r->lock);
	free(req);
}

static void ping_all(ntlm_dcom_client *cli)
{
	pthread_mutex_lock(&cli->lock);
	dcom_resolver *first = cli->resolvers;
	pthread_mutex_unlock(&cli->lock);
	for (dcom_resolver *r = first; r; r = r->next)
		ping_resolver(cli, r);
}

static void *ping_main(void *arg)
{
	ntlm_dcom_client *cli = arg;
	pthread_mutex_lock(&cli->lock);
	while (!cli->stopping) {
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += cli->cfg.ping_period_ms / 1000;
		at.tv_nsec += (long)(cli->cfg.ping_period_ms % 1000) * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		while (!cli->stopping && pthread_cond_timedwait(&cli->wake, &cli->lock, &at) != ETIMEDOUT)
			;
		if (cli->stopping)
			break;
		pthread_mutex_unlock(&cli->lock);
		ping_all(cli);
		pthread_mutex_lock(&cli->lock);
	}
	pthread_mutex_unlock(&cli->lock);
	return NULL;
}
