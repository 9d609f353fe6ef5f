/*
 * activation.c - IRemoteSCMActivator / ISystemActivator (RemoteCreateInstance,
 * RemoteGetClassObject; [MS-DCOM] 3.1.2.5.2.3) and IActivation
 * (RemoteActivation, 3.1.2.5.2.2): a class's launch permission is checked,
 * its factory makes the object, and the reply carries an interface pointer
 * (OBJREF) per requested interface, the OXID, the exporter's bindings and
 * the IPID of IRemUnknown.
 */
#include <stdlib.h>
#include <string.h>

#include "actprops.h"
#include "server_internal.h"

/* The interface pointers of one activation: an OBJREF (or a failure) per IID. */
struct activated {
	size_t n;
	ntlm_hresult hrs[DCOM_MAX_IIDS];
	ntlm_buffer objrefs[DCOM_MAX_IIDS];
};

static void activated_free(struct activated *a)
{
	for (size_t i = 0; i < a->n; i++)
		ntlm_buffer_free(&a->objrefs[i]);
}

/*
 * Launch permission, then a new object of cls (or of its class object) and
 * its interface pointers; the HRESULT of it all.
 */
static ntlm_hresult activate(ntlm_dcom_server *s, ntlm_rpc_call *rc, const ntlm_guid *clsid,
                             int class_object, const ntlm_guid *iids, size_t n, struct activated *a)
{
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	memset(a, 0, sizeof(*a));
	a->n = n;
	if (ntlm_rpc_query_client_blanket(rc, &b) != NTLM_RPC_S_OK)
		b.client_principal = "";
	const struct dcom_class *cls = dcom_find_class(s, clsid);
	if (!cls)
		return NTLM_DCOM_REGDB_E_CLASSNOTREG;
	if (class_object)
		cls = &s->classes[cls->factory];
	if (!dcom_permitted(s, rc, cls->launch)) {
		dcom_log(s, "activation of %s refused to %s: not in its launch permission", cls->name,
		         b.client_principal);
		return NTLM_DCOM_E_ACCESSDENIED;
	}
	struct dcom_object *obj;
	ntlm_hresult hr = dcom_object_new(s, cls, &obj);
	if (NTLM_DCOM_FAILED(hr))
		return hr;
	int any = 0;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++) {
		const ntlm_dcom_interface *iface;
		struct dcom_ipid *ip = NULL;
		a->hrs[i] = NTLM_DCOM_E_NOINTERFACE;
		if (dcom_class_has(cls, &iids[i], &iface))
			ip = dcom_ipid_get(s, obj, &iids[i], DCOM_SERVER_PUBLIC_REFS);
		if (ip)
			a->hrs[i] = dcom_objref_of(s, rc, ip, &a->objrefs[i]) == NTLM_OK
			                ? NTLM_DCOM_S_OK
			                : NTLM_DCOM_E_OUTOFMEMORY;
		any |= NTLM_DCOM_SUCCEEDED(a->hrs[i]);
	}
	dcom_log(s, "activated %s for %s: object %016llx", cls->name, b.client_principal,
	         (unsigned long long)obj->oid);
	if (!any)
		dcom_object_unexport(s, obj, "dropped (none of the interfaces asked for)");
	pthread_mutex_unlock(&s->lock);
	return any ? NTLM_DCOM_S_OK : n ? a->hrs[0] : NTLM_DCOM_E_INVALIDARG;
}

static void scm_reply(ntlm_dcom_server *s, ntlm_rpc_call *rc, dcom_scm_reply *r)
{
	r->has_remote = 1;
	r->oxid = s->oxid;
	r->has_bindings = 1;
	dcom_exporter_bindings(s, rc, &r->bindings);
	r->ipid_remunknown = s->ipid_remunknown;
	r->authn_hint = dcom_authn_hint(s, rc);
	r->version = (dcom_comversion){DCOM_VERSION_MAJOR, DCOM_VERSION_MINOR};
}

/* The ActivationPropertiesOut OBJREF for a successful activation. */
static ntlm_err props_out(ntlm_dcom_server *s, ntlm_rpc_call *rc, const dcom_inst_info *inst,
                          const struct activated *a, ntlm_buffer *blob)
{
	dcom_actprops_out *po = calloc(1, sizeof(*po));
	if (!po)
		return NTLM_E_NO_MEMORY;
	po->present = DCOM_PROP_PROPS_OUT | DCOM_PROP_SCM_REPLY;
	po->props.n_ifs = (uint32_t)a->n;
	for (size_t i = 0; i < a->n; i++) {
		po->props.iids[i] = inst->iids[i];
		po->props.hrs[i] = a->hrs[i];
		po->props.objrefs[i] = (ndr_bytes){a->objrefs[i].data, a->objrefs[i].len};
	}
	scm_reply(s, rc, &po->scm);
	ntlm_err rc2 = dcom_actprops_out_encode(po, blob);
	free(po);
	return rc2;
}

/*
 * RemoteCreateInstance (class_object 0) and RemoteGetClassObject (1): the
 * same properties in and out; the second makes the class object, whose
 * IClassFactory::CreateInstance makes instances.
 */
static uint32_t scm_activate(ntlm_dcom_server *s, ntlm_rpc_call *rc, const uint8_t *in, size_t len,
                             ntlm_buffer *out, int class_object)
{
	dcom_createinstance_req req;
	dcom_getclassobject_req gco;
	dcom_actprops_in *props = calloc(1, sizeof(*props));
	if (!props)
		return NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
	memset(&req, 0, sizeof(req));
	ntlm_err err;
	if (class_object) {
		err = dcom_getclassobject_req_decode(in, len, &gco);
		req.act_props = gco.act_props;
	} else {
		err = dcom_createinstance_req_decode(in, len, &req);
	}
	if (err == NTLM_OK)
		err = req.act_props.data
		          ? dcom_actprops_in_decode(req.act_props.data, req.act_props.len, props)
		          : NTLM_E_FIELD_RANGE;
	if (err == NTLM_OK && !(props->present & DCOM_PROP_INST))
		err = NTLM_E_FIELD_RANGE; /* nothing says what to make */
	if (err != NTLM_OK) {
		free(props);
		return dcom_fault_from_err(err);
	}
	dcom_activation_resp resp;
	memset(&resp, 0, sizeof(resp));
	struct activated a;
	memset(&a, 0, sizeof(a));
	ntlm_buffer blob = {NULL, 0};
	if (req.unk_outer.data)
		resp.hr = NTLM_DCOM_CLASS_E_NOAGGREGATION;
	else
		resp.hr = activate(s, rc, &props->inst.clsid, class_object, props->inst.iids,
		                   props->inst.n_iids, &a);
	if (NTLM_DCOM_SUCCEEDED(resp.hr) && props_out(s, rc, &props->inst, &a, &blob) != NTLM_OK)
		resp.hr = NTLM_DCOM_E_OUTOFMEMORY; /* the object goes with the ping timeout */
	if (NTLM_DCOM_SUCCEEDED(resp.hr))
		resp.act_props = (ndr_bytes){blob.data, blob.len};
	err = dcom_activation_resp_encode(&resp, out);
	ntlm_buffer_free(&blob);
	activated_free(&a);
	free(props);
	return dcom_encoded(err);
}

static uint32_t scm_call(ntlm_rpc_call *rc, const uint8_t *in, size_t len, ntlm_buffer *out,
                         void *arg)
{
	ntlm_dcom_server *s = ((struct dcom_served *)arg)->srv;
	switch (ntlm_rpc_call_opnum(rc)) {
	case DCOM_OP_REMOTECREATEINSTANCE:
		return scm_activate(s, rc, in, len, out, 0);
	case DCOM_OP_REMOTEGETCLASSOBJECT:
		return scm_activate(s, rc, in, len, out, 1);
	default:
		return NTLM_RPC_FAULT_OP_RNG_ERROR; /* 0..2 are not used on the wire */
	}
}

/* IActivation::RemoteActivation, what older clients call. */
static uint32_t remote_activation(ntlm_rpc_call *rc, const uint8_t *in, size_t len,
                                  ntlm_buffer *out, void *arg)
{
	ntlm_dcom_server *s = ((struct dcom_served *)arg)->srv;
	if (ntlm_rpc_call_opnum(rc) != DCOM_OP_REMOTEACTIVATION)
		return NTLM_RPC_FAULT_OP_RNG_ERROR;
	dcom_remoteactivation_req *req = calloc(1, sizeof(*req));
	dcom_remoteactivation_resp *resp = calloc(1, sizeof(*resp));
	struct activated a;
	memset(&a, 0, sizeof(a));
	ntlm_err err = req && resp ? dcom_remoteactivation_req_decode(in, len, req) : NTLM_E_NO_MEMORY;
	if (err == NTLM_OK) {
		resp->hr = activate(s, rc, &req->clsid, 0, req->iids, req->n_iids, &a);
		if (NTLM_DCOM_SUCCEEDED(resp->hr)) {
			dcom_scm_reply r;
			memset(&r, 0, sizeof(r));
			scm_reply(s, rc, &r);
			resp->oxid = r.oxid;
			resp->has_bindings = 1;
			resp->bindings = r.bindings;
			resp->ipid_remunknown = r.ipid_remunknown;
			resp->authn_hint = r.authn_hint;
			resp->version = r.version;
			resp->n_ifs = (uint32_t)a.n;
			for (size_t i = 0; i < a.n; i++) {
				resp->ifs[i] = (ndr_bytes){a.objrefs[i].data, a.objrefs[i].len};
				resp->results[i] = a.hrs[i];
			}
		}
		err = dcom_remoteactivation_resp_encode(resp, out);
	}
	activated_free(&a);
	free(req);
	free(resp);
	return dcom_encoded(err);
}

/* ------------------------------------------------- the class objects */

/* IClassFactory::CreateInstance: object is the index of the class to make. */
static ntlm_hresult cf_create_instance(ntlm_dcom_call *call, void *object, const uint8_t *in,
                                       size_t len, ntlm_buffer *out)
{
	ntlm_dcom_server *s = call->srv;
	dcom_cf_createinstance_req req;
	ntlm_err err = dcom_cf_createinstance_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_hresult_from_err(err);
	const struct dcom_class *cls = &s->classes[(uintptr_t)object];
	dcom_cf_createinstance_resp resp;
	memset(&resp, 0, sizeof(resp));
	struct activated a;
	memset(&a, 0, sizeof(a));
	resp.hr = activate(s, call->rpc, &cls->pub.clsid, 0, &req.iid, 1, &a);
	if (NTLM_DCOM_SUCCEEDED(resp.hr))
		resp.object = (ndr_bytes){a.objrefs[0].data, a.objrefs[0].len};
	err = dcom_cf_createinstance_resp_encode(&resp, out);
	activated_free(&a);
	return err == NTLM_OK ? resp.hr : dcom_hresult_from_err(err);
}

/* IClassFactory::LockServer: the server runs until stopped anyway. */
static ntlm_hresult cf_lock_server(ntlm_dcom_call *call, void *object, const uint8_t *in,
                                   size_t len, ntlm_buffer *out)
{
	(void)call;
	(void)object;
	dcom_cf_lockserver_req req;
	ntlm_err err = dcom_cf_lockserver_req_decode(in, len, &req);
	if (err != NTLM_OK)
		return dcom_hresult_from_err(err);
	dcom_hr_resp ok = {{0, 0}, NTLM_DCOM_S_OK};
	err = dcom_hr_resp_encode(&ok, out);
	return err == NTLM_OK ? NTLM_DCOM_S_OK : dcom_hresult_from_err(err);
}

static const ntlm_dcom_method class_factory_methods[] = {
	NULL, NULL, NULL, cf_create_instance, cf_lock_server,
};

const ntlm_dcom_interface dcom_class_factory_iface = {
	NTLM_DCOM_INTERFACE_INIT, NTLM_DCOM_IID_ICLASSFACTORY, class_factory_methods,
	sizeof(class_factory_methods) / sizeof(class_factory_methods[0])};

ntlm_hresult dcom_activation_register(ntlm_dcom_server *s)
{
	static const ntlm_guid scm = NTLM_DCOM_IID_IREMOTESCMACTIVATOR,
						   activation = NTLM_DCOM_IID_IACTIVATION;
	/* Activation is refused below the configured level by the RPC runtime itself. */
	uint32_t level = s->cfg.authn_level; /* activation floor */
	ntlm_hresult hr = dcom_serve(s, &scm, DCOM_OP_REMOTECREATEINSTANCE + 1, scm_call, level);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_serve(s, &activation, DCOM_OP_REMOTEACTIVATION + 1, remote_activation, level);
	return hr;
}
