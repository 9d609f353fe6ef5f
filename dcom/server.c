/*
 * server.c - the DCOM server: configuration (CoInitializeSecurity's
 * defaults), the class registry, endpoints, the object tables and their
 * reference counts, ping-based garbage collection, access checks, and the
 * COM security calls a method makes (CoQueryClientBlanket,
 * CoImpersonateClient, CoRevertToSelf) over the RPC layer's.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "server_internal.h"
#include "sized.h"

/* The first published versions of the sized structures (the ABI rule, ntlmssp.h). */
#define SERVER_CONFIG_V0 NTLM_SIZE_UPTO(ntlm_dcom_server_config, log_arg)
#define CLASS_V0         NTLM_SIZE_UPTO(ntlm_dcom_class, access_permission)
#define INTERFACE_V0     NTLM_SIZE_UPTO(ntlm_dcom_interface, n_methods)
#define STATS_V0         NTLM_SIZE_UPTO(ntlm_dcom_server_stats, pings)

#define DEFAULT_PING_PERIOD_MS 120000u /* [MS-DCOM] 3.2.6.1: two minutes, */
#define DEFAULT_PING_COUNT     3u      /* three missed pings */
#define MAX_CLASSES            64
#define MAX_PERMISSIONS        256
#define LOG_CAP                512

/* ------------------------------------------------------------ helpers */

uint32_t dcom_encoded(ntlm_err rc)
{
	return rc == NTLM_OK ? 0 : dcom_fault_from_err(rc);
}

int64_t dcom_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dcom_log(ntlm_dcom_server *s, const char *fmt, ...)
{
	if (!s->cfg.log)
		return;
	char line[LOG_CAP];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_arg, line);
}

void dcom_random(void *out, size_t n)
{
	uint8_t *p = out, any = 0;
	do {
		size_t got = 0;
		while (got < n) {
			ssize_t r = getrandom(p + got, n - got, 0);
			if (r > 0)
				got += (size_t)r;
			else if (errno != EINTR)
				abort(); /* no randomness: identifiers would be guessable */
		}
		any = 0;
		for (size_t i = 0; i < n; i++)
			any |= p[i];
	} while (!any);
}

/* This machine's short name, upper case, at most 15 characters (as NetBIOS has it). */
static void computer_name(char *out, size_t cap)
{
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[strcspn(host, ".")] = '\0';
	size_t n = 0;
	for (; host[n] && n < 15 && n + 1 < cap; n++)
		out[n] = (char)(host[n] >= 'a' && host[n] <= 'z' ? host[n] - 'a' + 'A' : host[n]);
	out[n] = '\0';
}

/* ------------------------------------------------------- access checks */

static int is_this_server(const ntlm_dcom_server *s, const char *dom, size_t n)
{
	if (n == 0 || (n == 1 && dom[0] == '.'))
		return 1;
	return (strlen(s->computer) == n && strncasecmp(dom, s->computer, n) == 0) ||
	       (strlen(s->ntlm_computer) == n && strncasecmp(dom, s->ntlm_computer, n) == 0);
}

/* 1 if sid is one of the space-separated SIDs in list. */
static int sid_listed(const char *sid, const char *list)
{
	size_t n = strlen(sid);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && strncasecmp(p, sid, n) == 0)
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

/* 1 if the Unix account user belongs to the Unix group named group. */
static int in_unix_group(const char *group, const char *user)
{
	char buf[4096];
	struct group gr, *g = NULL;
	struct passwd pw, *u = NULL;
	if (getgrnam_r(group, &gr, buf, sizeof(buf), &g) != 0 || !g)
		return 0;
	gid_t want = g->gr_gid;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &u) != 0 || !u)
		return 0;
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));
	if (getgrouplist(user, u->pw_gid, groups, &n) < 0)
		return 0; /* more groups than we look at: not a member as far as we can tell */
	for (int i = 0; i < n; i++)
		if (groups[i] == want)
			return 1;
	return 0;
}

static int entry_matches(const ntlm_dcom_server *s, const char *e, const struct dcom_caller *c)
{
	if (strncasecmp(e, "S-1-", 4) == 0) {
		if (strcmp(e, "S-1-1-0") == 0 || strcmp(e, "S-1-5-11") == 0)
			return 1; /* Everyone, Authenticated Users: the caller checked for anonymous */
		return sid_listed(e, c->sid) || sid_listed(e, c->group_sids);
	}
	const char *slash = strchr(e, '\\'), *name = slash ? slash + 1 : e;
	size_t dlen = slash ? (size_t)(slash - e) : 0;
	const char *p = c->principal, *pslash = strchr(p, '\\');
	const char *pname = pslash ? pslash + 1 : p;
	size_t pdlen = pslash ? (size_t)(pslash - p) : 0;
	int local = is_this_server(s, e, dlen);
	int same_domain = local ? is_this_server(s, p, pdlen)
	                        : (dlen == pdlen && strncasecmp(e, p, dlen) == 0);
	if (same_domain && strcasecmp(name, pname) == 0)
		return 1;
	/* a group: a Unix group of this machine that the client's mapped account is in */
	return local && c->unix_user[0] && in_unix_group(name, c->unix_user);
}

int dcom_caller_permitted(const ntlm_dcom_server *s, const struct dcom_caller *c, char *const *list)
{
	/* An unauthenticated or anonymous caller is nobody: no list names it. */
	if (!list || !c->authenticated || c->anonymous || !c->principal[0] ||
	    strcasecmp(c->principal, "NT AUTHORITY\\ANONYMOUS LOGON") == 0)
		return 0;
	for (size_t i = 0; list[i]; i++)
		if (entry_matches(s, list[i], c))
			return 1;
	return 0;
}

int dcom_permitted(const ntlm_dcom_server *s, ntlm_rpc_call *call, char *const *list)
{
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	if (ntlm_rpc_query_client_blanket(call, &b) != NTLM_RPC_S_OK)
		return 0;
	const ntlm_ctx *ctx = ntlm_rpc_call_ntlm_context(call);
	struct dcom_caller c = {
		.principal = b.client_principal,
		.unix_user = b.unix_user,
		.sid = ctx ? ntlm_ctx_sid(ctx) : "",
		.group_sids = ctx ? ntlm_ctx_group_sids(ctx) : "",
		.authenticated = b.authn_svc == NTLM_RPC_AUTHN_WINNT,
		.anonymous = b.imp_level == NTLM_RPC_IMP_ANONYMOUS,
	};
	return dcom_caller_permitted(s, &c, list);
}

uint32_t dcom_call_level(ntlm_rpc_call *call)
{
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	if (ntlm_rpc_query_client_blanket(call, &b) != NTLM_RPC_S_OK ||
	    b.authn_svc != NTLM_RPC_AUTHN_WINNT)
		return NTLM_RPC_LEVEL_NONE;
	return b.authn_level;
}

/* ------------------------------------------------------------ set-up */

static uint32_t effective_level(uint32_t level)
{
	if (level == NTLM_RPC_LEVEL_DEFAULT)
		return NTLM_RPC_LEVEL_PKT_INTEGRITY;
	return level == NTLM_RPC_LEVEL_CALL ? NTLM_RPC_LEVEL_PKT : level;
}

NTLM_API ntlm_hresult ntlm_dcom_server_new(ntlm_dcom_server **out,
                                           const ntlm_dcom_server_config *caller_cfg)
{
	ntlm_dcom_server_config copy, *cfg = &copy;
	ntlm_server_config ntlm = {NTLM_SERVER_CONFIG_INIT};
	if (!out || !caller_cfg)
		return NTLM_DCOM_E_INVALIDARG;
	*out = NULL;
	if (ntlm_sized_in(cfg, sizeof(*cfg), caller_cfg, SERVER_CONFIG_V0) != NTLM_OK ||
	    (cfg->ntlm &&
	     ntlm_sized_in(&ntlm, sizeof(ntlm), cfg->ntlm, SERVER_CONFIG_V0_SIZE) != NTLM_OK))
		return NTLM_DCOM_E_INVALIDARG;
	if ((cfg->authn_svc != 0 && cfg->authn_svc != NTLM_RPC_AUTHN_WINNT) ||
	    cfg->authn_level > NTLM_RPC_LEVEL_PKT_PRIVACY)
		return NTLM_DCOM_E_INVALIDARG;
	ntlm_dcom_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NTLM_DCOM_E_OUTOFMEMORY;
	s->cfg = *cfg;
	s->cfg.authn_level = effective_level(cfg->authn_level);
	if (!s->cfg.ping_period_ms)
		s->cfg.ping_period_ms = DEFAULT_PING_PERIOD_MS;
	if (!s->cfg.ping_count)
		s->cfg.ping_count = DEFAULT_PING_COUNT;
	computer_name(s->computer, sizeof(s->computer));
	if (cfg->ntlm) {
		s->ntlm = ntlm;
		if (ntlm.computer_name)
			snprintf(s->ntlm_computer, sizeof(s->ntlm_computer), "%s", ntlm.computer_name);
	}
	/* advertised in the security bindings; "" (as Windows sends for NTLM) when not named */
	snprintf(s->principal, sizeof(s->principal), "%s", cfg->principal ? cfg->principal : "");
	s->cfg.principal = cfg->principal ? s->principal : NULL;
	ntlm_rpc_server_config rcfg = {NTLM_RPC_SERVER_CONFIG_INIT};
	rcfg.ntlm = cfg->ntlm ? &s->ntlm : NULL;
	rcfg.principal = cfg->principal;
	/* The floor is per interface (dcom_serve): only ServerAlive(2) take
	 * unauthenticated calls, as Windows clients make them ([MS-DCOM] 3.2.4.1.1.1). */
	rcfg.min_level = NTLM_RPC_LEVEL_NONE;
	rcfg.allow_root_impersonation = cfg->allow_root_impersonation;
	/* impacket re-authenticates on every alter_context of an object connection */
	rcfg.allow_reauthentication = 1;
	ntlm_rpc_status st = ntlm_rpc_server_new(&s->rpc, &rcfg);
	if (st != NTLM_RPC_S_OK) {
		free(s);
		return ntlm_hresult_from_rpc_status(st);
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->gc_lock, NULL);
	pthread_cond_init(&s->gc_cond, NULL);
	atomic_init(&s->stopping, 0);
	dcom_random(&s->oxid, sizeof(s->oxid));
	dcom_random(s->ipid_remunknown.bytes, sizeof(s->ipid_remunknown.bytes));
	s->stats.struct_size = sizeof(s->stats);
	*out = s;
	return NTLM_DCOM_S_OK;
}

static char **copy_list(const char *const *list)
{
	size_t n = 0;
	while (list && list[n] && n < MAX_PERMISSIONS)
		n++;
	char **copy = calloc(n + 1, sizeof(*copy));
	for (size_t i = 0; copy && i < n; i++)
		if (!(copy[i] = strdup(list[i]))) {
			for (size_t j = 0; j < i; j++)
				free(copy[j]);
			free(copy);
			return NULL;
		}
	return copy;
}

static void free_list(char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		free(list[i]);
	free(list);
}

static void class_clear(struct dcom_class *c)
{
	free(c->ifaces);
	free_list(c->launch);
	free_list(c->access);
	free(c->name);
}

const struct dcom_class *dcom_find_class(const ntlm_dcom_server *s, const ntlm_guid *clsid)
{
	for (size_t i = 0; i < s->n_classes; i++)
		if (s->classes[i].real < 0 && ntlm_guid_equal(&s->classes[i].pub.clsid, clsid))
			return &s->classes[i];
	return NULL;
}

static int valid_class(const ntlm_dcom_class *cls)
{
	if (!cls->create || (cls->n_interfaces && !cls->interfaces) || cls->n_interfaces > 64)
		return 0;
	return 1;
}

/* The caller's interfaces, each by its own struct_size, into ours. */
static int copy_interfaces(ntlm_dcom_interface *dst, const ntlm_dcom_class *cls)
{
	for (size_t i = 0; i < cls->n_interfaces; i++) {
		if (ntlm_sized_in(&dst[i], sizeof(dst[i]), &cls->interfaces[i], INTERFACE_V0) != NTLM_OK ||
		    (dst[i].n_methods && !dst[i].methods) || dst[i].n_methods > 1024)
			return 0;
	}
	return 1;
}

NTLM_API ntlm_hresult ntlm_dcom_server_register_class(ntlm_dcom_server *srv,
                                                      const ntlm_dcom_class *caller_cls)
{
	ntlm_dcom_class copy, *cls = &copy;
	if (!srv || !caller_cls || ntlm_sized_in(cls, sizeof(*cls), caller_cls, CLASS_V0) != NTLM_OK)
		return NTLM_DCOM_E_INVALIDARG;
	if (!valid_class(cls) || dcom_find_class(srv, &cls->clsid) || srv->n_classes == MAX_CLASSES ||
	    srv->gc_started)
		return NTLM_DCOM_E_INVALIDARG;
	struct dcom_class c;
	memset(&c, 0, sizeof(c));
	c.real = c.factory = -1;
	c.pub = *cls;
	c.ifaces = calloc(cls->n_interfaces + 1, sizeof(*c.ifaces));
	c.launch = copy_list(cls->launch_permission);
	c.access = copy_list(cls->access_permission);
	c.name = strdup(cls->name ? cls->name : "class");
	struct dcom_class *grown = realloc(srv->classes, (srv->n_classes + 1) * sizeof(*grown));
	if (!c.ifaces || !c.launch || !c.access || !c.name || !grown) {
		class_clear(&c);
		if (grown)
			srv->classes = grown;
		return NTLM_DCOM_E_OUTOFMEMORY;
	}
	if (!copy_interfaces(c.ifaces, cls)) {
		class_clear(&c);
		srv->classes = grown;
		return NTLM_DCOM_E_INVALIDARG;
	}
	c.pub.interfaces = c.ifaces;
	c.pub.name = c.name;
	c.pub.launch_permission = (const char *const *)c.launch;
	c.pub.access_permission = (const char *const *)c.access;
	srv->classes = grown;
	srv->classes[srv->n_classes++] = c;
	return NTLM_DCOM_S_OK;
}

NTLM_API ntlm_hresult ntlm_dcom_server_listen_tcp(ntlm_dcom_server *srv, const char *host,
                                                  uint16_t port, uint16_t *activation_port,
                                                  uint16_t *exporter_port)
{
	char ep[128];
	if (!srv || !host || strlen(host) >= sizeof(srv->tcp_host) || srv->activation_port)
		return NTLM_DCOM_E_INVALIDARG;
	snprintf(ep, sizeof(ep), "ncacn_ip_tcp:%s[%u]", host, port);
	ntlm_rpc_status st = ntlm_rpc_server_listen(srv->rpc, ep, &srv->activation_port);
	if (st == NTLM_RPC_S_OK) {
		snprintf(ep, sizeof(ep), "ncacn_ip_tcp:%s[0]", host);
		st = ntlm_rpc_server_listen(srv->rpc, ep, &srv->exporter_port);
	}
	if (st != NTLM_RPC_S_OK)
		return ntlm_hresult_from_rpc_status(st);
	snprintf(srv->tcp_host, sizeof(srv->tcp_host), "%s", host);
	if (activation_port)
		*activation_port = srv->activation_port;
	if (exporter_port)
		*exporter_port = srv->exporter_port;
	return NTLM_DCOM_S_OK;
}

NTLM_API ntlm_hresult ntlm_dcom_server_listen_local(ntlm_dcom_server *srv, const char *path)
{
	char ep[160];
	if (!srv || !path || strlen(path) >= sizeof(srv->local_path) || srv->local_path[0])
		return NTLM_DCOM_E_INVALIDARG;
	snprintf(ep, sizeof(ep), "ncalrpc:[%s]", path);
	ntlm_rpc_status st = ntlm_rpc_server_listen(srv->rpc, ep, NULL);
	if (st != NTLM_RPC_S_OK)
		return ntlm_hresult_from_rpc_status(st);
	snprintf(srv->local_path, sizeof(srv->local_path), "%s", path);
	return NTLM_DCOM_S_OK;
}

/* --------------------------------------------------------- bindings */

static void add_binding(dcom_dualstringarray *d, uint16_t tower, const char *addr)
{
	if (d->n_str < DCOM_MAX_BINDINGS) {
		d->str[d->n_str].tower_id = tower;
		snprintf(d->str[d->n_str].addr, sizeof(d->str[d->n_str].addr), "%s", addr);
		d->n_str++;
	}
}

static void bindings(const ntlm_dcom_server *s, ntlm_rpc_call *call, uint16_t port,
                     dcom_dualstringarray *d)
{
	char host[64], addr[DCOM_MAX_BINDING_UTF8];
	uint16_t reached = 0;
	memset(d, 0, sizeof(*d));
	/* The address the client reached is the one that works for it. */
	if (s->activation_port) {
		int wildcard = strcmp(s->tcp_host, "0.0.0.0") == 0 || strcmp(s->tcp_host, "::") == 0;
		/* a local caller: the tcp host, or loopback for a wildcard */
		if (ntlm_rpc_call_endpoint(call, host, sizeof(host), &reached) != NTLM_RPC_S_OK || !reached)
			snprintf(host, sizeof(host), "%s", wildcard ? "127.0.0.1" : s->tcp_host);
		snprintf(addr, sizeof(addr), "%s[%u]", host, port);
		add_binding(d, DCOM_TOWER_NCACN_IP_TCP, addr);
		if (strcmp(host, s->computer) != 0 && s->computer[0]) {
			snprintf(addr, sizeof(addr), "%s[%u]", s->computer, port);
			add_binding(d, DCOM_TOWER_NCACN_IP_TCP, addr);
		}
	}
	if (s->local_path[0])
		add_binding(d, DCOM_TOWER_NCALRPC, s->local_path);
	d->n_sec = 1;
	d->sec[0].authn_svc = NTLM_RPC_AUTHN_WINNT;
	d->sec[0].authz_svc = 0xFFFF; /* none given, as Windows sends */
	snprintf(d->sec[0].princ_name, sizeof(d->sec[0].princ_name), "%s", s->principal);
}

void dcom_exporter_bindings(const ntlm_dcom_server *s, ntlm_rpc_call *call, dcom_dualstringarray *d)
{
	bindings(s, call, s->exporter_port, d);
}

void dcom_resolver_bindings(const ntlm_dcom_server *s, ntlm_rpc_call *call, dcom_dualstringarray *d)
{
	bindings(s, call, s->activation_port, d);
}

/* ------------------------------------------------------------ tables */

struct dcom_ipid *dcom_ipid_find(ntlm_dcom_server *s, const ntlm_guid *ipid)
{
	for (struct dcom_ipid *ip = s->ipids; ip; ip = ip->next)
		if (ntlm_guid_equal(&ip->ipid, ipid))
			return ip;
	return NULL;
}

struct dcom_object *dcom_object_find(ntlm_dcom_server *s, uint64_t oid)
{
	for (struct dcom_object *o = s->objects; o; o = o->next)
		if (o->oid == oid)
			return o;
	return NULL;
}

int dcom_class_has(const struct dcom_class *cls, const ntlm_guid *iid,
                   const ntlm_dcom_interface **iface)
{
	static const ntlm_guid iunknown = NTLM_DCOM_IID_IUNKNOWN;
	*iface = NULL;
	if (ntlm_guid_equal(iid, &iunknown))
		return 1;
	for (size_t i = 0; i < cls->pub.n_interfaces; i++)
		if (ntlm_guid_equal(&cls->ifaces[i].iid, iid)) {
			*iface = &cls->ifaces[i];
			return 1;
		}
	return 0;
}

struct dcom_ipid *dcom_ipid_get(ntlm_dcom_server *s, struct dcom_object *obj, const ntlm_guid *iid,
                                uint64_t refs)
{
	const ntlm_dcom_interface *iface;
	if (!obj->exported || !dcom_class_has(obj->cls, iid, &iface))
		return NULL;
	for (struct dcom_ipid *ip = s->ipids; ip; ip = ip->next)
		if (ip->obj == obj && ntlm_guid_equal(&ip->iid, iid)) {
			ip->refs += refs;
			return ip;
		}
	struct dcom_ipid *ip = calloc(1, sizeof(*ip));
	if (!ip)
		return NULL;
	dcom_random(ip->ipid.bytes, sizeof(ip->ipid.bytes));
	ip->obj = obj;
	ip->iid = *iid;
	ip->iface = iface;
	ip->refs = refs;
	ip->next = s->ipids;
	s->ipids = ip;
	return ip;
}

void dcom_stdobjref_of(const ntlm_dcom_server *s, const struct dcom_ipid *ip, dcom_stdobjref *std)
{
	memset(std, 0, sizeof(*std));
	std->flags = 0; /* pinged: the collector may take it */
	std->public_refs = DCOM_SERVER_PUBLIC_REFS;
	std->oxid = s->oxid;
	std->oid = ip->obj->oid;
	std->ipid = ip->ipid;
}

ntlm_err dcom_objref_of(const ntlm_dcom_server *s, ntlm_rpc_call *call, const struct dcom_ipid *ip,
                        ntlm_buffer *out)
{
	dcom_objref o;
	memset(&o, 0, sizeof(o));
	o.flags = DCOM_OBJREF_STANDARD;
	o.iid = ip->iid;
	dcom_stdobjref_of(s, ip, &o.std);
	dcom_resolver_bindings(s, call, &o.resaddr);
	return dcom_objref_encode(&o, out);
}

static void object_destroy(struct dcom_object *obj)
{
	if (obj->cls->pub.destroy)
		obj->cls->pub.destroy(obj->cls->pub.class_arg, obj->instance);
	free(obj);
}

void dcom_object_unpin(ntlm_dcom_server *s, struct dcom_object *obj)
{
	pthread_mutex_lock(&s->lock);
	int last = --obj->pins == 0;
	pthread_mutex_unlock(&s->lock);
	if (last)
		object_destroy(obj);
}

void dcom_object_unexport(ntlm_dcom_server *s, struct dcom_object *obj, const char *why)
{
	if (!obj->exported)
		return;
	obj->exported = 0;
	for (struct dcom_ipid **pp = &s->ipids; *pp;) {
		struct dcom_ipid *ip = *pp;
		if (ip->obj == obj) {
			*pp = ip->next;
			free(ip);
		} else {
			pp = &ip->next;
		}
	}
	for (struct dcom_object **pp = &s->objects; *pp; pp = &(*pp)->next)
		if (*pp == obj) {
			*pp = obj->next;
			break;
		}
	s->stats.objects_live--;
	dcom_log(s, "object %016llx of %s %s", (unsigned long long)obj->oid, obj->cls->name, why);
	if (--obj->pins == 0)
		object_destroy(obj); /* the class's destroy must not call back into the server */
}

int64_t dcom_ping_timeout_ms(const ntlm_dcom_server *s)
{
	return (int64_t)s->cfg.ping_period_ms * s->cfg.ping_count;
}

ntlm_hresult dcom_object_new(ntlm_dcom_server *s, const struct dcom_class *cls,
                             struct dcom_object **out)
{
	*out = NULL;
	struct dcom_object *obj = calloc(1, sizeof(*obj));
	if (!obj)
		return NTLM_DCOM_E_OUTOFMEMORY;
	ntlm_hresult hr = cls->pub.create(cls->pub.class_arg, &obj->instance);
	if (NTLM_DCOM_FAILED(hr)) {
		free(obj);
		return hr;
	}
	obj->cls = cls;
	obj->pins = 1;
	obj->exported = 1;
	pthread_mutex_lock(&s->lock);
	do
		dcom_random(&obj->oid, sizeof(obj->oid));
	while (dcom_object_find(s, obj->oid));
	obj->expires_ms = dcom_now_ms() + dcom_ping_timeout_ms(s);
	obj->next = s->objects;
	s->objects = obj;
	s->stats.objects_live++;
	s->stats.objects_created++;
	pthread_mutex_unlock(&s->lock);
	*out = obj;
	return NTLM_DCOM_S_OK;
}

/* ---------------------------------------------------------- collector */

/* Drops expired ping sets and collects objects nobody pinged in time (s->lock held). */
static void collect(ntlm_dcom_server *s, int64_t now)
{
	for (struct dcom_pingset **pp = &s->sets; *pp;) {
		struct dcom_pingset *set = *pp;
		if (set->expires_ms <= now) {
			*pp = set->next;
			s->stats.ping_sets--;
			free(set->oids);
			free(set);
		} else {
			pp = &set->next;
		}
	}
	for (struct dcom_object *o = s->objects, *next; o; o = next) {
		next = o->next;
		if (o->expires_ms <= now) {
			s->stats.objects_collected++;
			dcom_object_unexport(s, o, "collected (not pinged in time)");
		}
	}
}

static void *collector_main(void *arg)
{
	ntlm_dcom_server *s = arg;
	/* Looking twice a period is enough: collection is late by at most half a period. */
	unsigned tick = s->cfg.ping_period_ms / 2;
	if (tick < 20)
		tick = 20;
	pthread_mutex_lock(&s->gc_lock);
	while (!atomic_load(&s->stopping)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += tick / 1000;
		until.tv_nsec += (long)(tick % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->gc_cond, &s->gc_lock, &until);
		pthread_mutex_lock(&s->lock);
		collect(s, dcom_now_ms());
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&s->gc_lock);
	return NULL;
}

/* ---------------------------------------------------- serving the RPC */

/* The class object's factory: its instance is the index of the class it makes. */
static ntlm_hresult class_object_create(void *class_arg, void **object)
{
	*object = class_arg;
	return NTLM_DCOM_S_OK;
}

ntlm_hresult dcom_make_class_objects(ntlm_dcom_server *s)
{
	size_t n = s->n_classes;
	struct dcom_class *grown = realloc(s->classes, 2 * n * sizeof(*grown));
	if (n && !grown)
		return NTLM_DCOM_E_OUTOFMEMORY;
	s->classes = grown;
	for (size_t i = 0; i < n; i++) {
		struct dcom_class *real = &s->classes[i], *c = &s->classes[n + i];
		memset(c, 0, sizeof(*c));
		c->real = (long)i;
		c->factory = -1;
		c->ifaces = calloc(1, sizeof(*c->ifaces));
		/* who may launch the class may use its class object */
		c->launch = copy_list(real->pub.launch_permission);
		c->access = copy_list(real->pub.launch_permission);
		size_t len = strlen(real->name) + sizeof(" class object");
		c->name = malloc(len);
		s->n_classes++;
		if (!c->ifaces || !c->launch || !c->access || !c->name)
			return NTLM_DCOM_E_OUTOFMEMORY; /* freed with the registry */
		snprintf(c->name, len, "%s class object", real->name);
		c->ifaces[0] = dcom_class_factory_iface;
		c->pub = real->pub;
		c->pub.name = c->name;
		c->pub.interfaces = c->ifaces;
		c->pub.n_interfaces = 1;
		c->pub.create = class_object_create;
		c->pub.destroy = NULL;
		c->pub.class_arg = (void *)(uintptr_t)i;
		c->pub.launch_permission = (const char *const *)c->launch;
		c->pub.access_permission = (const char *const *)c->access;
		real->factory = (long)(n + i);
	}
	return NTLM_DCOM_S_OK;
}

ntlm_hresult dcom_serve(ntlm_dcom_server *s, const ntlm_guid *iid, size_t n_ops, ntlm_rpc_op op,
                        uint32_t min_level)
{
	struct dcom_served *sv = calloc(1, sizeof(*sv));
	struct dcom_served **grown = realloc(s->served, (s->n_served + 1) * sizeof(*grown));
	if (grown)
		s->served = grown;
	if (sv)
		sv->ops = calloc(n_ops ? n_ops : 1, sizeof(*sv->ops));
	if (!sv || !sv->ops || !grown) {
		if (sv)
			free(sv->ops);
		free(sv);
		return NTLM_DCOM_E_OUTOFMEMORY;
	}
	sv->srv = s;
	sv->iid = *iid;
	sv->n_ops = n_ops;
	for (size_t i = 0; i < n_ops; i++)
		sv->ops[i] = op;
	s->served[s->n_served++] = sv;
	ntlm_rpc_interface ri = {NTLM_RPC_INTERFACE_INIT};
	memcpy(ri.id.uuid, iid->bytes, 16);
	ri.ops = sv->ops;
	ri.n_ops = n_ops;
	ri.arg = sv;
	ri.min_level = min_level;
	return ntlm_hresult_from_rpc_status(ntlm_rpc_server_register(s->rpc, &ri));
}

NTLM_API ntlm_hresult ntlm_dcom_server_run(ntlm_dcom_server *srv)
{
	if (!srv || srv->gc_started || (!srv->activation_port && !srv->local_path[0]))
		return NTLM_DCOM_E_INVALIDARG;
	ntlm_hresult hr = dcom_make_class_objects(srv);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_resolver_register(srv);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_activation_register(srv);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_exporter_register(srv);
	if (NTLM_DCOM_FAILED(hr))
		return hr;
	if (pthread_create(&srv->gc, NULL, collector_main, srv) != 0)
		return NTLM_DCOM_E_OUTOFMEMORY;
	srv->gc_started = 1;
	return ntlm_hresult_from_rpc_status(ntlm_rpc_server_run(srv->rpc));
}

NTLM_API void ntlm_dcom_server_stop(ntlm_dcom_server *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stopping, 1);
	ntlm_rpc_server_stop(
		srv->rpc); /* async-signal-safe; the collector sees stopping within a tick */
}

NTLM_API void ntlm_dcom_server_free(ntlm_dcom_server *srv)
{
	if (!srv)
		return;
	ntlm_dcom_server_stop(srv);
	ntlm_rpc_server_free(srv->rpc); /* every call has ended */
	if (srv->gc_started) {
		pthread_mutex_lock(&srv->gc_lock);
		pthread_cond_signal(&srv->gc_cond);
		pthread_mutex_unlock(&srv->gc_lock);
		pthread_join(srv->gc, NULL);
	}
	pthread_mutex_lock(&srv->lock);
	while (srv->objects)
		dcom_object_unexport(srv, srv->objects, "destroyed (server stopping)");
	while (srv->sets) {
		struct dcom_pingset *set = srv->sets;
		srv->sets = set->next;
		free(set->oids);
		free(set);
	}
	pthread_mutex_unlock(&srv->lock);
	for (size_t i = 0; i < srv->n_served; i++) {
		free(srv->served[i]->ops);
		free(srv->served[i]);
	}
	free(srv->served);
	for (size_t i = 0; i < srv->n_classes; i++)
		class_clear(&srv->classes[i]);
	free(srv->classes);
	pthread_mutex_destroy(&srv->lock);
	pthread_mutex_destroy(&srv->gc_lock);
	pthread_cond_destroy(&srv->gc_cond);
	free(srv);
}

NTLM_API ntlm_hresult ntlm_dcom_server_get_stats(ntlm_dcom_server *srv, ntlm_dcom_server_stats *out)
{
	if (!srv || !out)
		return NTLM_DCOM_E_INVALIDARG;
	pthread_mutex_lock(&srv->lock);
	ntlm_dcom_server_stats now = srv->stats;
	pthread_mutex_unlock(&srv->lock);
	now.struct_size = sizeof(now);
	/* only the fields the caller's structure has room for */
	return ntlm_sized_out(out, &now, sizeof(now), STATS_V0) == NTLM_OK ? NTLM_DCOM_S_OK
	                                                                   : NTLM_DCOM_E_INVALIDARG;
}

/* ------------------------------------------------ COM security calls */

NTLM_API ntlm_hresult ntlm_dcom_query_client_blanket(ntlm_dcom_call *call, ntlm_rpc_blanket *out)
{
	if (!call)
		return NTLM_DCOM_RPC_E_NO_CONTEXT;
	return ntlm_hresult_from_rpc_status(ntlm_rpc_query_client_blanket(call->rpc, out));
}

NTLM_API ntlm_hresult ntlm_dcom_impersonate_client(ntlm_dcom_call *call)
{
	if (!call)
		return NTLM_DCOM_RPC_E_NO_CONTEXT;
	return ntlm_hresult_from_rpc_status(ntlm_rpc_impersonate_client(call->rpc));
}

NTLM_API ntlm_hresult ntlm_dcom_revert_to_self(ntlm_dcom_call *call)
{
	if (!call)
		return NTLM_DCOM_RPC_E_NO_CONTEXT;
	return ntlm_hresult_from_rpc_status(ntlm_rpc_revert_to_self(call->rpc));
}

NTLM_API ntlm_rpc_call *ntlm_dcom_call_rpc(ntlm_dcom_call *call)
{
	return call ? call->rpc : NULL;
}
