/*
 * server_internal.h - what the server runtime's files share: the class
 * registry, the object tables (OIDs, IPIDs, ping sets) and their locking,
 * access checks and the bindings the server advertises (server.c), the
 * object exporter (exporter.c), the OXID resolver (resolver.c) and
 * activation (activation.c).
 *
 * Locking: one mutex guards every table and counter. A method runs without
 * it, on an object pinned for the call, so a release or the collector may
 * unexport an object while a call runs: it is destroyed when the call ends.
 */
#ifndef DCOM_SERVER_INTERNAL_H
#define DCOM_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "ntlmssp/dcom.h"
#include "orpc.h"

/* STDOBJREF.cPublicRefs we hand out with each interface pointer. */
#define DCOM_SERVER_PUBLIC_REFS 1u

struct dcom_class {
	ntlm_dcom_class pub; /* interfaces and permission lists point into this entry's copies */
	ntlm_dcom_interface *ifaces;
	char **launch, **access; /* NULL-terminated copies */
	char *name;
	/* A class object (IClassFactory, RemoteGetClassObject) is a class of its
	 * own whose objects make objects of another: real is that class's index
	 * in the registry (-1 for a registered class); factory is the class
	 * object's index (-1 until the server runs). */
	long real, factory;
};

struct dcom_object {
	uint64_t oid;
	const struct dcom_class *cls;
	void *instance;
	unsigned pins;      /* 1 while exported, +1 per running call */
	int exported;       /* 0 once released or collected */
	int64_t expires_ms; /* collected after this unless pinged */
	struct dcom_object *next;
};

struct dcom_ipid {
	ntlm_guid ipid;
	struct dcom_object *obj;
	ntlm_guid iid;
	const ntlm_dcom_interface *iface; /* NULL: IUnknown */
	uint64_t refs;                    /* public and private references clients hold */
	struct dcom_ipid *next;
};

struct dcom_pingset {
	uint64_t setid;
	uint64_t *oids;
	size_t n, cap;
	int64_t expires_ms;
	struct dcom_pingset *next;
};

/* An interface served through the RPC runtime: every opnum goes to one dispatcher. */
struct dcom_served {
	ntlm_dcom_server *srv;
	ntlm_guid iid;
	ntlm_rpc_op *ops;
	size_t n_ops;
};

struct ntlm_dcom_server {
	ntlm_dcom_server_config cfg;
	ntlm_server_config ntlm;
	ntlm_rpc_server *rpc;
	char principal[256];
	char computer[64]; /* names that mean "this server" in a principal */
	char ntlm_computer[64];
	pthread_mutex_t lock;
	struct dcom_class *classes;
	size_t n_classes;
	struct dcom_object *objects;
	struct dcom_ipid *ipids;
	struct dcom_pingset *sets;
	struct dcom_served **served;
	size_t n_served;
	uint64_t oxid;
	ntlm_guid ipid_remunknown;
	char tcp_host[64];
	uint16_t activation_port, exporter_port;
	char local_path[108];
	/* the collector */
	pthread_t gc;
	int gc_started;
	pthread_mutex_t gc_lock;
	pthread_cond_t gc_cond;
	atomic_int stopping;
	ntlm_dcom_server_stats stats;
};

struct ntlm_dcom_call {
	ntlm_rpc_call *rpc;
	ntlm_dcom_server *srv;
};

/* ---- server.c ---- */
/* An encoded response: 0, or the fault for the codec's failure. */
uint32_t dcom_encoded(ntlm_err rc);
int64_t dcom_now_ms(void);
/* How long an object lives without a ping: ping_period_ms * ping_count. */
int64_t dcom_ping_timeout_ms(const ntlm_dcom_server *s);
void dcom_log(ntlm_dcom_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fresh random bytes (OXIDs, OIDs, IPIDs, set ids); never all zero. */
void dcom_random(void *out, size_t n);
/* The caller as permission lists see it (strings never NULL: "" when unknown). */
struct dcom_caller {
	const char *principal;        /* "DOMAIN\\user" */
	const char *unix_user;        /* the mapped local account */
	const char *sid, *group_sids; /* a domain logon's (space-separated) */
	int authenticated, anonymous;
};
/* 1 if the caller is named by list (a NULL-terminated permission list), else 0. */
int dcom_caller_permitted(const ntlm_dcom_server *s, const struct dcom_caller *c,
                          char *const *list);
/* The same for the client of a call. */
int dcom_permitted(const ntlm_dcom_server *s, ntlm_rpc_call *call, char *const *list);
/* The level a call was made at (NTLM_RPC_LEVEL_NONE when unauthenticated). */
uint32_t dcom_call_level(ntlm_rpc_call *call);
const struct dcom_class *dcom_find_class(const ntlm_dcom_server *s, const ntlm_guid *clsid);
/* Where objects are reached (exporter) and where the resolver is, as the caller reached us. */
void dcom_exporter_bindings(const ntlm_dcom_server *s, ntlm_rpc_call *call,
                            dcom_dualstringarray *d);
void dcom_resolver_bindings(const ntlm_dcom_server *s, ntlm_rpc_call *call,
                            dcom_dualstringarray *d);

/* Tables; the caller holds s->lock. */
struct dcom_ipid *dcom_ipid_find(ntlm_dcom_server *s, const ntlm_guid *ipid);
struct dcom_object *dcom_object_find(ntlm_dcom_server *s, uint64_t oid);
/* The interface of obj's class with that IID, IUnknown included (*iface NULL). 0 if none. */
int dcom_class_has(const struct dcom_class *cls, const ntlm_guid *iid,
                   const ntlm_dcom_interface **iface);
/* The IPID of obj for iid (made if needed) with refs more references; NULL: no such interface or memory. */
struct dcom_ipid *dcom_ipid_get(ntlm_dcom_server *s, struct dcom_object *obj, const ntlm_guid *iid,
                                uint64_t refs);
/* Unexports obj (its IPIDs go; destroyed once no call runs on it). */
void dcom_object_unexport(ntlm_dcom_server *s, struct dcom_object *obj, const char *why);
void dcom_object_unpin(ntlm_dcom_server *s, struct dcom_object *obj);
/* The STDOBJREF of an IPID. */
void dcom_stdobjref_of(const ntlm_dcom_server *s, const struct dcom_ipid *ip, dcom_stdobjref *std);

/* Makes an object of cls (no lock held); pinned once (exported). */
ntlm_hresult dcom_object_new(ntlm_dcom_server *s, const struct dcom_class *cls,
                             struct dcom_object **out);
/* An OBJREF_STANDARD for ip (s->lock held), for activation and RemQueryInterface2. */
ntlm_err dcom_objref_of(const ntlm_dcom_server *s, ntlm_rpc_call *call, const struct dcom_ipid *ip,
                        ntlm_buffer *out);

/* The level activation replies hint at (ScmReplyInfo, ResolveOxid): the caller's, never below the floor. */
uint32_t dcom_authn_hint(const ntlm_dcom_server *s, ntlm_rpc_call *call);

/* The class objects' interface (activation.c): IClassFactory's CreateInstance and LockServer. */
extern const ntlm_dcom_interface dcom_class_factory_iface;
/* One class object per registered class, made when the server starts (server.c). */
ntlm_hresult dcom_make_class_objects(ntlm_dcom_server *s);

/* ---- exporter.c, resolver.c, activation.c: their interfaces, registered at run ---- */
ntlm_hresult dcom_exporter_register(ntlm_dcom_server *s);
ntlm_hresult dcom_resolver_register(ntlm_dcom_server *s);
ntlm_hresult dcom_activation_register(ntlm_dcom_server *s);
/* One rpc interface whose n_ops opnums all go to op with a struct dcom_served as arg. */
ntlm_hresult dcom_serve(ntlm_dcom_server *s, const ntlm_guid *iid, size_t n_ops, ntlm_rpc_op op,
                        uint32_t min_level);

#endif
