/*
 * resolver.c - the OXID resolver ([MS-DCOM] 3.1.2.5.1, IObjectExporter):
 * ResolveOxid(2) tell where the exporter listens, SimplePing and ComplexPing
 * keep objects alive through ping sets, ServerAlive(2) answer anyone.
 *
 * Windows clients call ServerAlive2 without security ([MS-DCOM] 3.2.4.1.1.1),
 * so the interface is open at the RPC level and every other method checks
 * the configured level itself.
 */
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"

/*
 * impacket takes the hint as the level of its calls on the objects: the
 * caller's own level keeps a PKT_PRIVACY client at privacy (docs/interop.md).
 */
uint32_t dcom_authn_hint(const ntlm_dcom_server *s, ntlm_rpc_call *rc)
{
	uint32_t level = dcom_call_level(rc);
	return level > s->cfg.authn_level ? level : s->cfg.authn_level;
}

static uint32_t resolve_oxid(ntlm_dcom_server *s, ntlm_rpc_call *rc, const uint8_t *in, size_t len,
                             ntlm_buffer *out, int v2)
{
	dcom_resolveoxid_req req;
	ntlm_err err = dcom_resolveoxid_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_fault_from_err(err);
	dcom_resolveoxid_resp resp;
	memset(&resp, 0, sizeof(resp));
	if (req.oxid != s->oxid) {
		resp.status = DCOM_OR_INVALID_OXID;
	} else {
		resp.has_bindings = 1;
		dcom_exporter_bindings(s, rc, &resp.bindings);
		resp.ipid_remunknown = s->ipid_remunknown;
		resp.authn_hint = dcom_authn_hint(s, rc);
		resp.version = (dcom_comversion){DCOM_VERSION_MAJOR, DCOM_VERSION_MINOR};
	}
	return dcom_encoded(v2 ? dcom_resolveoxid2_resp_encode(&resp, out)
	                       : dcom_resolveoxid_resp_encode(&resp, out));
}

/* A ping of set: it and its objects live another timeout (s->lock held). */
static void refresh(ntlm_dcom_server *s, struct dcom_pingset *set)
{
	int64_t until = dcom_now_ms() + dcom_ping_timeout_ms(s);
	set->expires_ms = until;
	for (size_t i = 0; i < set->n; i++) {
		struct dcom_object *o = dcom_object_find(s, set->oids[i]);
		if (o)
			o->expires_ms = until;
	}
	s->stats.pings++;
}

static struct dcom_pingset *find_set(ntlm_dcom_server *s, uint64_t setid)
{
	for (struct dcom_pingset *set = s->sets; set; set = set->next)
		if (set->setid == setid)
			return set;
	return NULL;
}

static uint32_t simple_ping(ntlm_dcom_server *s, const uint8_t *in, size_t len, ntlm_buffer *out)
{
	dcom_simpleping_req req;
	ntlm_err err = dcom_simpleping_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_fault_from_err(err);
	dcom_status_resp resp = {0};
	pthread_mutex_lock(&s->lock);
	struct dcom_pingset *set = find_set(s, req.setid);
	if (set)
		refresh(s, set);
	else
		resp.status = DCOM_OR_INVALID_SET;
	pthread_mutex_unlock(&s->lock);
	return dcom_encoded(dcom_status_resp_encode(&resp, out));
}

static void set_remove(struct dcom_pingset *set, uint64_t oid)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->oids[i] == oid) {
			set->oids[i] = set->oids[--set->n];
			return;
		}
}

/* Adds oid to set unless it is there; 0 if out of memory. */
static int set_add(struct dcom_pingset *set, uint64_t oid)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->oids[i] == oid)
			return 1;
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 8;
		uint64_t *grown = realloc(set->oids, cap * sizeof(*grown));
		if (!grown)
			return 0;
		set->oids = grown;
		set->cap = cap;
	}
	set->oids[set->n++] = oid;
	return 1;
}

/* The set a ComplexPing names, or a new one for setid 0 (s->lock held); NULL: status says why. */
static struct dcom_pingset *complex_set(ntlm_dcom_server *s, uint64_t setid, uint32_t *status)
{
	if (setid) {
		struct dcom_pingset *set = find_set(s, setid);
		*status = set ? 0 : DCOM_OR_INVALID_SET;
		return set;
	}
	struct dcom_pingset *set = calloc(1, sizeof(*set));
	if (!set) {
		*status = NTLM_RPC_S_OUT_OF_MEMORY;
		return NULL;
	}
	do
		dcom_random(&set->setid, sizeof(set->setid));
	while (find_set(s, set->setid));
	set->next = s->sets;
	s->sets = set;
	s->stats.ping_sets++;
	*status = 0;
	return set;
}

static uint32_t complex_ping(ntlm_dcom_server *s, const uint8_t *in, size_t len, ntlm_buffer *out)
{
	dcom_complexping_req *req = malloc(sizeof(*req)); /* two arrays of OIDs: not on the stack */
	if (!req)
		return NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
	ntlm_err err = dcom_complexping_req_decode(in, len, req);
	if (err != NTLM_OK) {
		free(req);
		return dcom_fault_from_err(err);
	}
	dcom_complexping_resp resp = {0, 0, 0};
	pthread_mutex_lock(&s->lock);
	struct dcom_pingset *set = complex_set(s, req->setid, &resp.status);
	for (uint16_t i = 0; set && i < req->n_del; i++)
		set_remove(set, req->del[i]);
	/* OIDs we do not export (released, collected, or never ours) are not added */
	for (uint16_t i = 0; set && i < req->n_add && !resp.status; i++)
		if (dcom_object_find(s, req->add[i]) && !set_add(set, req->add[i]))
			resp.status = NTLM_RPC_S_OUT_OF_MEMORY;
	if (set) {
		refresh(s, set);
		resp.setid = set->setid;
	}
	pthread_mutex_unlock(&s->lock);
	free(req);
	return dcom_encoded(dcom_complexping_resp_encode(&resp, out));
}

static uint32_t server_alive2(ntlm_dcom_server *s, ntlm_rpc_call *rc, ntlm_buffer *out)
{
	dcom_serveralive2_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.version = (dcom_comversion){DCOM_VERSION_MAJOR, DCOM_VERSION_MINOR};
	resp.has_bindings = 1;
	dcom_resolver_bindings(s, rc, &resp.bindings);
	return dcom_encoded(dcom_serveralive2_resp_encode(&resp, out));
}

static uint32_t resolver_call(ntlm_rpc_call *rc, const uint8_t *in, size_t len, ntlm_buffer *out,
                              void *arg)
{
	ntlm_dcom_server *s = ((struct dcom_served *)arg)->srv;
	uint16_t opnum = ntlm_rpc_call_opnum(rc);
	if (opnum == DCOM_OP_SERVERALIVE) {
		dcom_status_resp alive = {0};
		return dcom_encoded(dcom_status_resp_encode(&alive, out));
	}
	if (opnum == DCOM_OP_SERVERALIVE2)
		return server_alive2(s, rc, out);
	/* Everything else is held to the configured level, as activation and calls are. */
	if (dcom_call_level(rc) < s->cfg.authn_level)
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	switch (opnum) {
	case DCOM_OP_RESOLVEOXID:
		return resolve_oxid(s, rc, in, len, out, 0);
	case DCOM_OP_RESOLVEOXID2:
		return resolve_oxid(s, rc, in, len, out, 1);
	case DCOM_OP_SIMPLEPING:
		return simple_ping(s, in, len, out);
	case DCOM_OP_COMPLEXPING:
		return complex_ping(s, in, len, out);
	default:
		return NTLM_RPC_FAULT_OP_RNG_ERROR;
	}
}

ntlm_hresult dcom_resolver_register(ntlm_dcom_server *s)
{
	static const ntlm_guid iid = NTLM_DCOM_IID_IOBJECTEXPORTER;
	/* min_level 0: the server's floor (NONE); resolver_call checks the rest */
	return dcom_serve(s, &iid, DCOM_OP_SERVERALIVE2 + 1, resolver_call, 0);
}
