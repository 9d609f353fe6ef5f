/*
 * client_priv.h - what the client runtime's two halves share: client.c
 * (the client, its resolvers, activation, OXIDs, the ping thread) and
 * proxy.c (calls, QueryInterface, release, the blanket).
 *
 * Locks: cli->lock guards the lists, the OID reference counts and the
 * messages; a resolver's lock and a proxy's lock guard their RPC
 * connection (one call at a time on it). Order: a resolver's or a proxy's
 * lock first, cli->lock inside it, never the other way round.
 */
#ifndef DCOM_CLIENT_PRIV_H
#define DCOM_CLIENT_PRIV_H

#include <pthread.h>
#include <sys/types.h>

#include "orpc.h"

#define DCOM_MSG_CAP     256
#define DCOM_BINDING_CAP 320
#define DCOM_PING_MS     120000u /* [MS-DCOM] 3.2.6.1 */
#ifndef DCOM_TOWER_NCALRPC
#define DCOM_TOWER_NCALRPC 0x0010u /* what the server advertises for ncalrpc */
#endif
#define DCOM_QI_REFS 5u /* public references asked for per interface, as Windows does */

/* How a connection authenticates: the blanket and the identity. */
typedef struct dcom_blanket {
	uint32_t svc, level, imp;
	char *principal;       /* NULL: unchecked */
	const ntlm_cred *cred; /* NULL: the thread's identity (not owned) */
	/* With cred NULL, the identity is the thread's: its real and effective
	 * uid when the blanket was made. An association keeps the identity it
	 * was made with, so it serves that identity only. */
	uid_t ruid, euid;
} dcom_blanket;

/* One OID a resolver's ping set holds (or is to hold, or to drop). */
typedef struct dcom_oid {
	uint64_t oid;
	uint32_t refs; /* proxies holding it */
	int in_set;    /* the server has it in our set */
} dcom_oid;

/* An OXID resolver (an activation endpoint) as one identity and blanket reach it. */
typedef struct dcom_resolver {
	struct dcom_resolver *next; /* immutable once listed */
	char binding[DCOM_BINDING_CAP];
	char host[DCOM_BINDING_CAP]; /* ncacn_ip_tcp: the host the exporters are reached on */
	int local;                   /* ncalrpc */
	dcom_blanket blanket;
	pthread_mutex_t lock; /* conn */
	ntlm_rpc_client *conn;
	/* the ping set, under cli->lock */
	uint64_t setid;
	uint16_t seq;
	dcom_oid *oids;
	size_t n_oids, cap_oids;
} dcom_resolver;

/* An object exporter, from ResolveOxid2. */
typedef struct dcom_oxid {
	struct dcom_oxid *next;
	dcom_resolver *resolver;
	uint64_t oxid;
	ntlm_guid remunknown; /* the IPID of its IRemUnknown(2) */
	char exporter[DCOM_BINDING_CAP];
	int old_remunknown; /* 1: IRemUnknown2 was refused, use IRemUnknown */
} dcom_oxid;

struct ntlm_dcom_client {
	ntlm_dcom_client_config cfg;
	uint32_t svc; /* the service picked from the list */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t pinger;
	int stopping, have_pinger;
	dcom_resolver *resolvers;
	dcom_oxid *oxids;
	ntlm_dcom_proxy *proxies;
	char msg[DCOM_MSG_CAP];
};

struct ntlm_dcom_proxy {
	ntlm_dcom_proxy *next, *prev; /* in cli->proxies, under cli->lock */
	ntlm_dcom_client *cli;
	dcom_oxid *ox;
	ntlm_guid iid;
	dcom_stdobjref std;
	uint32_t refs; /* local references (atomic) */
	pthread_mutex_t lock;
	dcom_blanket origin; /* the activation's: what QueryInterface's proxies start from */
	dcom_blanket blanket;
	ntlm_rpc_client *conn;
	char msg[DCOM_MSG_CAP];
};

/*
 * One call on *conn (made and bound on first use, and again after a failure
 * ended the association, unless may_bind is 0): iface, object (NULL: none),
 * opnum.
 */
ntlm_hresult dcom_rpc_call(ntlm_rpc_client **conn, const char *binding, const dcom_blanket *b,
                           int may_bind, const ntlm_guid *iface, const ntlm_guid *object,
                           uint16_t opnum, const ntlm_buffer *in, ntlm_buffer *out,
                           char msg[DCOM_MSG_CAP]);
/* The calling thread's real and effective uid (per thread: the raw system call). */
void dcom_thread_ids(uid_t *ruid, uid_t *euid);
/*
 * S_OK if the calling thread may use an association made with b: always with
 * explicit credentials; with the thread's identity, only by a thread of the
 * same identity (an impersonating thread must not speak as its process, nor
 * the process as a client it once impersonated). E_ACCESSDENIED otherwise.
 */
ntlm_hresult dcom_identity_check(const dcom_blanket *b, char msg[DCOM_MSG_CAP]);
ntlm_hresult dcom_blanket_copy(dcom_blanket *dst, const dcom_blanket *src);
void dcom_blanket_clear(dcom_blanket *b);
/* A fresh ORPCTHIS (version 5.7, a random causality id). */
void dcom_orpcthis_new(dcom_orpcthis *o);
/* The OID's reference in its resolver's ping set, under cli->lock (SORF_NOPING: nothing). */
ntlm_hresult dcom_oid_hold(dcom_resolver *r, const dcom_stdobjref *std);
void dcom_oid_drop(dcom_resolver *r, const dcom_stdobjref *std);
/* A proxy for std on ox with blanket b, listed in cli (refs 1). */
ntlm_hresult dcom_proxy_new(ntlm_dcom_client *cli, dcom_oxid *ox, const ntlm_guid *iid,
                            const dcom_stdobjref *std, const dcom_blanket *b,
                            ntlm_dcom_proxy **out);
/*
 * "ncacn_ip_tcp:HOST[PORT]" (no port: 135) or "ncalrpc:[PATH]" -> out; *host
 * gets HOST: a tcp server's exporters are reached there, whatever names they
 * give themselves, so credentials never go to a host the caller did not name.
 */
ntlm_hresult dcom_normalise_binding(const char *in, char out[DCOM_BINDING_CAP],
                                    char host[DCOM_BINDING_CAP], int *local);
/*
 * The exporter's binding from its string bindings: over tcp the resolver's
 * host with the port of the first ncacn_ip_tcp binding, over ncalrpc the
 * path of the first ncalrpc one. RPC_S_SERVER_UNAVAILABLE if none fits.
 */
ntlm_hresult dcom_exporter_binding(const dcom_resolver *r, const dcom_dualstringarray *dsa,
                                   char out[DCOM_BINDING_CAP]);
/* The ping set's bookkeeping (under cli->lock): what to add and drop, what the server took, a lost set. */
void dcom_ping_delta(dcom_resolver *r, dcom_complexping_req *req);
void dcom_ping_applied(dcom_resolver *r, const dcom_complexping_req *req, uint64_t setid);
void dcom_ping_set_lost(dcom_resolver *r);
/* 1 if a QueryInterface answer (got) names the object the proxy (have) is on. */
int dcom_qi_same_object(const dcom_stdobjref *have, const dcom_stdobjref *got);
/* RemRelease of the proxy's references, unlisting, freeing (the server's answer returned). */
ntlm_hresult dcom_proxy_destroy(ntlm_dcom_proxy *p);

#endif
