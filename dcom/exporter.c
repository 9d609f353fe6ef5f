/*
 * exporter.c - the object exporter ([MS-DCOM] 3.1.1.5): IRemUnknown and
 * IRemUnknown2 (RemQueryInterface, RemAddRef, RemRelease,
 * RemQueryInterface2) on the exporter's own IPID, and the classes'
 * interfaces, dispatched by the IPID each request carries as its object
 * UUID. Every call on an object is held to its class's access permission.
 */
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"

#define MAX_REFS_PER_CALL 0x7FFFFFFFu /* a client's count, bounded so the sums cannot wrap */

/* The ORPCTHIS every ORPC request starts with; 0 or the fault to answer with. */
static uint32_t check_orpcthis(const uint8_t *in, size_t len)
{
	dcom_orpc_req req;
	ntlm_err rc = dcom_orpc_req_decode(in, len, &req);
	if (rc != NTLM_OK)
		return dcom_fault_from_err(rc);
	if (req.orpc.version.major != DCOM_VERSION_MAJOR)
		return (uint32_t)NTLM_DCOM_RPC_E_VERSION_MISMATCH;
	return 0;
}

/* The object behind ipid, pinned for the caller (dcom_object_unpin); NULL if none. */
static struct dcom_object *pin_ipid(ntlm_dcom_server *s, const ntlm_guid *ipid,
                                    const ntlm_guid *want_iid, const ntlm_dcom_interface **iface)
{
	pthread_mutex_lock(&s->lock);
	struct dcom_ipid *ip = dcom_ipid_find(s, ipid);
	struct dcom_object *obj = NULL;
	if (ip && (!want_iid || ntlm_guid_equal(&ip->iid, want_iid))) {
		obj = ip->obj;
		obj->pins++;
		if (iface)
			*iface = ip->iface;
	}
	pthread_mutex_unlock(&s->lock);
	return obj;
}

/* ------------------------------------------------- the classes' methods */

static uint32_t object_call(ntlm_rpc_call *rc, const uint8_t *in, size_t len, ntlm_buffer *out,
                            void *arg)
{
	struct dcom_served *sv = arg;
	ntlm_dcom_server *s = sv->srv;
	ntlm_guid ipid;
	const ntlm_dcom_interface *iface = NULL;
	struct dcom_object *obj = NULL;
	if (ntlm_rpc_call_object(rc, ipid.bytes))
		obj = pin_ipid(s, &ipid, &sv->iid, &iface);
	if (!obj || !iface)
		return (uint32_t)NTLM_DCOM_RPC_E_INVALID_IPID;
	uint32_t fault = 0;
	uint16_t opnum = ntlm_rpc_call_opnum(rc);
	ntlm_dcom_method method = opnum < iface->n_methods ? iface->methods[opnum] : NULL;
	if (!dcom_permitted(s, rc, obj->cls->access)) {
		dcom_log(s, "call on %s refused: not in its access permission", obj->cls->name);
		fault = (uint32_t)NTLM_DCOM_E_ACCESSDENIED;
	} else if ((fault = check_orpcthis(in, len)) != 0) {
	} else if (!method) {
		fault = NTLM_RPC_FAULT_OP_RNG_ERROR;
	} else {
		ntlm_dcom_call call = {rc, s};
		ntlm_hresult hr = method(&call, obj->instance, in, len, out);
		if (!out->len && NTLM_DCOM_FAILED(hr)) {
			fault = (uint32_t)hr;
		} else if (!out->len) {
			dcom_hr_resp ok = {{0, 0}, NTLM_DCOM_S_OK};
			fault = dcom_encoded(dcom_hr_resp_encode(&ok, out));
		}
	}
	dcom_object_unpin(s, obj);
	return fault;
}

/* --------------------------------------------------- IRemUnknown(2) */

/* The object ipid names, pinned, if the caller may use it; else the fault. */
static uint32_t pin_permitted(ntlm_dcom_server *s, ntlm_rpc_call *rc, const ntlm_guid *ipid,
                              struct dcom_object **obj)
{
	*obj = pin_ipid(s, ipid, NULL, NULL);
	if (!*obj)
		return 0;
	if (dcom_permitted(s, rc, (*obj)->cls->access))
		return 0;
	dcom_log(s, "call on %s refused: not in its access permission", (*obj)->cls->name);
	dcom_object_unpin(s, *obj);
	*obj = NULL;
	return (uint32_t)NTLM_DCOM_E_ACCESSDENIED;
}

/* One interface of a QueryInterface: its IPID with refs more references, or a failure. */
static ntlm_hresult query_one(ntlm_dcom_server *s, struct dcom_object *obj, const ntlm_guid *iid,
                              uint64_t refs, struct dcom_ipid **out)
{
	const ntlm_dcom_interface *iface;
	*out = NULL;
	if (!obj->exported)
		return NTLM_DCOM_RPC_E_DISCONNECTED;
	if (!dcom_class_has(obj->cls, iid, &iface))
		return NTLM_DCOM_E_NOINTERFACE;
	*out = dcom_ipid_get(s, obj, iid, refs);
	return *out ? NTLM_DCOM_S_OK : NTLM_DCOM_E_OUTOFMEMORY;
}

/* S_OK if any interface was found, else the first failure ([MS-DCOM] 3.1.1.5.6.1.1). */
static ntlm_hresult overall(const ntlm_hresult *hrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (NTLM_DCOM_SUCCEEDED(hrs[i]))
			return NTLM_DCOM_S_OK;
	return n ? hrs[0] : NTLM_DCOM_E_INVALIDARG;
}

static uint32_t rem_query_interface(ntlm_dcom_server *s, ntlm_rpc_call *rc, const uint8_t *in,
                                    size_t len, ntlm_buffer *out)
{
	dcom_remqi_req req;
	ntlm_err err = dcom_remqi_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_fault_from_err(err);
	struct dcom_object *obj;
	uint32_t fault = pin_permitted(s, rc, &req.ipid, &obj);
	if (fault)
		return fault;
	dcom_remqi_resp resp;
	memset(&resp, 0, sizeof(resp));
	if (!obj) {
		resp.hr = NTLM_DCOM_RPC_E_INVALID_IPID;
		return dcom_encoded(dcom_remqi_resp_encode(&resp, out));
	}
	uint64_t refs = req.refs > MAX_REFS_PER_CALL ? MAX_REFS_PER_CALL : req.refs;
	ntlm_hresult hrs[DCOM_MAX_IIDS];
	resp.has_results = 1;
	resp.n_results = req.n_iids;
	pthread_mutex_lock(&s->lock);
	for (uint16_t i = 0; i < req.n_iids; i++) {
		struct dcom_ipid *ip;
		hrs[i] = resp.results[i].hr = query_one(s, obj, &req.iids[i], refs, &ip);
		if (ip) {
			dcom_stdobjref_of(s, ip, &resp.results[i].std);
			resp.results[i].std.public_refs = (uint32_t)refs;
		}
	}
	pthread_mutex_unlock(&s->lock);
	dcom_object_unpin(s, obj);
	resp.hr = overall(hrs, req.n_iids);
	return dcom_encoded(dcom_remqi_resp_encode(&resp, out));
}

static uint32_t rem_query_interface2(ntlm_dcom_server *s, ntlm_rpc_call *rc, const uint8_t *in,
                                     size_t len, ntlm_buffer *out)
{
	dcom_remqi2_req req;
	ntlm_err err = dcom_remqi2_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_fault_from_err(err);
	struct dcom_object *obj;
	uint32_t fault = pin_permitted(s, rc, &req.ipid, &obj);
	if (fault)
		return fault;
	dcom_remqi2_resp resp;
	ntlm_buffer objrefs[DCOM_MAX_IIDS];
	memset(&resp, 0, sizeof(resp));
	memset(objrefs, 0, sizeof(objrefs));
	resp.n_iids = req.n_iids;
	if (!obj) {
		for (uint16_t i = 0; i < req.n_iids; i++)
			resp.hrs[i] = NTLM_DCOM_RPC_E_INVALID_IPID;
		resp.hr = NTLM_DCOM_RPC_E_INVALID_IPID;
		return dcom_encoded(dcom_remqi2_resp_encode(&resp, out));
	}
	pthread_mutex_lock(&s->lock);
	for (uint16_t i = 0; i < req.n_iids; i++) {
		struct dcom_ipid *ip;
		resp.hrs[i] = query_one(s, obj, &req.iids[i], DCOM_SERVER_PUBLIC_REFS, &ip);
		if (ip && dcom_objref_of(s, rc, ip, &objrefs[i]) != NTLM_OK)
			resp.hrs[i] = NTLM_DCOM_E_OUTOFMEMORY; /* the reference stays until collected */
		resp.mifs[i] = (ndr_bytes){objrefs[i].data, objrefs[i].len};
	}
	pthread_mutex_unlock(&s->lock);
	dcom_object_unpin(s, obj);
	resp.hr = overall(resp.hrs, req.n_iids);
	err = dcom_remqi2_resp_encode(&resp, out);
	for (uint16_t i = 0; i < req.n_iids; i++)
		ntlm_buffer_free(&objrefs[i]);
	return dcom_encoded(err);
}

/* 1 if no IPID of obj holds a reference any more (s->lock held). */
static int unreferenced(const ntlm_dcom_server *s, const struct dcom_object *obj)
{
	for (const struct dcom_ipid *ip = s->ipids; ip; ip = ip->next)
		if (ip->obj == obj && ip->refs)
			return 0;
	return 1;
}

/* One REMINTERFACEREF of RemAddRef (add) or RemRelease; its HRESULT. */
static ntlm_hresult adjust_refs(ntlm_dcom_server *s, ntlm_rpc_call *rc,
                                const dcom_reminterfaceref *r, int add)
{
	struct dcom_object *obj;
	if (pin_permitted(s, rc, &r->ipid, &obj))
		return NTLM_DCOM_E_ACCESSDENIED;
	if (!obj)
		return NTLM_DCOM_RPC_E_INVALID_IPID;
	uint64_t n = (uint64_t)r->public_refs + r->private_refs;
	ntlm_hresult hr = NTLM_DCOM_S_OK;
	pthread_mutex_lock(&s->lock);
	struct dcom_ipid *ip = dcom_ipid_find(s, &r->ipid);
	if (!ip) {
		hr = NTLM_DCOM_RPC_E_INVALID_IPID; /* released by another call meanwhile */
	} else if (add) {
		ip->refs += n;
	} else {
		ip->refs = ip->refs > n ? ip->refs - n : 0;
		if (unreferenced(s, obj)) {
			s->stats.objects_released++;
			dcom_object_unexport(s, obj, "released");
		}
	}
	pthread_mutex_unlock(&s->lock);
	dcom_object_unpin(s, obj);
	return hr;
}

static uint32_t rem_refs(ntlm_dcom_server *s, ntlm_rpc_call *rc, const uint8_t *in, size_t len,
                         ntlm_buffer *out, int add)
{
	dcom_remrefs_req req;
	ntlm_err err = dcom_remrefs_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_fault_from_err(err);
	dcom_remaddref_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.n_results = req.n_refs;
	for (uint16_t i = 0; i < req.n_refs; i++) {
		resp.results[i] = adjust_refs(s, rc, &req.refs[i], add);
		if (req.refs[i].public_refs > MAX_REFS_PER_CALL)
			resp.results[i] = NTLM_DCOM_E_INVALIDARG;
		if (NTLM_DCOM_FAILED(resp.results[i]) && NTLM_DCOM_SUCCEEDED(resp.hr))
			resp.hr = resp.results[i];
	}
	if (add)
		return dcom_encoded(dcom_remaddref_resp_encode(&resp, out));
	dcom_hr_resp done = {{0, 0}, resp.hr};
	return dcom_encoded(dcom_hr_resp_encode(&done, out));
}

static uint32_t remunknown_call(ntlm_rpc_call *rc, const uint8_t *in, size_t len, ntlm_buffer *out,
                                void *arg)
{
	struct dcom_served *sv = arg;
	ntlm_dcom_server *s = sv->srv;
	ntlm_guid ipid;
	if (!ntlm_rpc_call_object(rc, ipid.bytes) || !ntlm_guid_equal(&ipid, &s->ipid_remunknown))
		return (uint32_t)NTLM_DCOM_RPC_E_INVALID_IPID;
	uint32_t fault = check_orpcthis(in, len);
	if (fault)
		return fault;
	switch (ntlm_rpc_call_opnum(rc)) {
	case DCOM_OP_REMQUERYINTERFACE:
		return rem_query_interface(s, rc, in, len, out);
	case DCOM_OP_REMADDREF:
		return rem_refs(s, rc, in, len, out, 1);
	case DCOM_OP_REMRELEASE:
		return rem_refs(s, rc, in, len, out, 0);
	case DCOM_OP_REMQUERYINTERFACE2:
		return rem_query_interface2(s, rc, in, len, out);
	default:
		return NTLM_RPC_FAULT_OP_RNG_ERROR; /* 0..2: IUnknown's, never on the wire */
	}
}

static int served(const ntlm_dcom_server *s, const ntlm_guid *iid)
{
	for (size_t k = 0; k < s->n_served; k++)
		if (ntlm_guid_equal(&s->served[k]->iid, iid))
			return 1;
	return 0;
}

/* Classes may share an interface: its opnums are those of the longest method table. */
static size_t max_methods(const ntlm_dcom_server *s, const ntlm_guid *iid)
{
	size_t n = 0;
	for (size_t c = 0; c < s->n_classes; c++)
		for (size_t i = 0; i < s->classes[c].pub.n_interfaces; i++)
			if (ntlm_guid_equal(&s->classes[c].ifaces[i].iid, iid) &&
			    s->classes[c].ifaces[i].n_methods > n)
				n = s->classes[c].ifaces[i].n_methods;
	return n;
}

/* The classes' interfaces, each once, and IRemUnknown(2): all at the configured level. */
ntlm_hresult dcom_exporter_register(ntlm_dcom_server *s)
{
	static const ntlm_guid remunknown = NTLM_DCOM_IID_IREMUNKNOWN,
						   remunknown2 = NTLM_DCOM_IID_IREMUNKNOWN2;
	uint32_t level = s->cfg.authn_level; /* object calls' floor */
	ntlm_hresult hr = dcom_serve(s, &remunknown, DCOM_OP_REMRELEASE + 1, remunknown_call, level);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_serve(s, &remunknown2, DCOM_OP_REMQUERYINTERFACE2 + 1, remunknown_call, level);
	for (size_t c = 0; c < s->n_classes && NTLM_DCOM_SUCCEEDED(hr); c++)
		for (size_t i = 0; i < s->classes[c].pub.n_interfaces && NTLM_DCOM_SUCCEEDED(hr); i++)
			if (!served(s, &s->classes[c].ifaces[i].iid))
				hr = dcom_serve(s, &s->classes[c].ifaces[i].iid,
				                max_methods(s, &s->classes[c].ifaces[i].iid), object_call, level);
	return hr;
}
