/*
 * proxy.c - interface pointers on remote objects: method calls by opnum
 * (ORPCTHIS written, ORPCTHAT read for the caller, the IPID as the
 * request's object UUID), QueryInterface and Release through the
 * exporter's IRemUnknown2 (or IRemUnknown), and the per-proxy blanket
 * (IClientSecurity::SetBlanket). Each proxy has its own association with
 * its exporter, bound to its interface, IRemUnknown2 added by
 * alter_context: a blanket belongs to an association.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_priv.h"
#include "mem.h"
#include "sized.h"

#define PROXY_INFO_V0_SIZE NTLM_SIZE_UPTO(ntlm_dcom_proxy_info, exporter)

static const ntlm_guid iid_remunknown2 = NTLM_DCOM_IID_IREMUNKNOWN2;
static const ntlm_guid iid_remunknown = NTLM_DCOM_IID_IREMUNKNOWN;

ntlm_hresult dcom_proxy_new(ntlm_dcom_client *cli, dcom_oxid *ox, const ntlm_guid *iid,
                            const dcom_stdobjref *std, const dcom_blanket *b, ntlm_dcom_proxy **out)
{
	ntlm_dcom_proxy *p = calloc(1, sizeof(*p));
	if (!p)
		return NTLM_DCOM_E_OUTOFMEMORY;
	ntlm_hresult hr = dcom_blanket_copy(&p->origin, b);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_blanket_copy(&p->blanket, b);
	if (NTLM_DCOM_SUCCEEDED(hr) && pthread_mutex_init(&p->lock, NULL) != 0)
		hr = NTLM_DCOM_E_OUTOFMEMORY;
	if (NTLM_DCOM_FAILED(hr)) {
		dcom_blanket_clear(&p->origin);
		dcom_blanket_clear(&p->blanket);
		free(p);
		return hr;
	}
	p->cli = cli;
	p->ox = ox;
	p->iid = *iid;
	p->std = *std;
	p->refs = 1;
	pthread_mutex_lock(&cli->lock);
	hr = dcom_oid_hold(ox->resolver, std);
	if (NTLM_DCOM_SUCCEEDED(hr)) {
		p->next = cli->proxies;
		if (cli->proxies)
			cli->proxies->prev = p;
		cli->proxies = p;
	}
	pthread_mutex_unlock(&cli->lock);
	if (NTLM_DCOM_FAILED(hr)) {
		pthread_mutex_destroy(&p->lock);
		dcom_blanket_clear(&p->origin);
		dcom_blanket_clear(&p->blanket);
		free(p);
		return hr;
	}
	*out = p;
	return NTLM_DCOM_S_OK;
}

NTLM_API const char *ntlm_dcom_proxy_message(const ntlm_dcom_proxy *proxy)
{
	return proxy ? proxy->msg : "";
}

/* A call on the proxy's association. Under p->lock. */
static ntlm_hresult proxy_call(ntlm_dcom_proxy *p, const ntlm_guid *iface, const ntlm_guid *ipid,
                               uint16_t opnum, const ntlm_buffer *in, ntlm_buffer *out)
{
	p->msg[0] = '\0';
	ntlm_hresult hr = dcom_identity_check(&p->blanket, p->msg);
	if (NTLM_DCOM_FAILED(hr))
		return hr;
	return dcom_rpc_call(&p->conn, p->ox->exporter, &p->blanket, 1, iface, ipid, opnum, in, out,
	                     p->msg);
}

/*
 * A call on the exporter's IRemUnknown2, or IRemUnknown when the exporter
 * refuses the former (remembered for the OXID). Under p->lock.
 */
static ntlm_hresult remunknown_call(ntlm_dcom_proxy *p, uint16_t opnum, const ntlm_buffer *in,
                                    ntlm_buffer *out)
{
	ntlm_dcom_client *cli = p->cli;
	pthread_mutex_lock(&cli->lock);
	int old = p->ox->old_remunknown;
	pthread_mutex_unlock(&cli->lock);
	ntlm_hresult hr = proxy_call(p, old ? &iid_remunknown : &iid_remunknown2, &p->ox->remunknown,
	                             opnum, in, out);
	if (old || hr != NTLM_DCOM_HRESULT_FROM_WIN32(NTLM_RPC_S_UNKNOWN_IF))
		return hr;
	pthread_mutex_lock(&cli->lock);
	p->ox->old_remunknown = 1;
	pthread_mutex_unlock(&cli->lock);
	return proxy_call(p, &iid_remunknown, &p->ox->remunknown, opnum, in, out);
}

/* ORPCTHIS then the caller's arguments (ORPCTHIS is 32 bytes: they stay 8-aligned). */
static ntlm_hresult request_stub(const uint8_t *args, size_t args_len, ntlm_buffer *in)
{
	dcom_orpc_req req;
	ntlm_buffer head = {NULL, 0};
	dcom_orpcthis_new(&req.orpc);
	ntlm_err rc = dcom_orpc_req_encode(&req, &head);
	if (rc == NTLM_OK && head.len % 8 != 0)
		rc = NTLM_E_INVALID_PARAMETER; /* never: ORPCTHIS without extensions */
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, head.data, head.len);
	nb_write_bytes(&w, args, args_len);
	if (rc == NTLM_OK)
		rc = nb_writer_finish(&w, in);
	nb_writer_free(&w);
	ntlm_buffer_free(&head);
	return dcom_hresult_from_err(rc);
}

NTLM_API ntlm_hresult ntlm_dcom_proxy_call(ntlm_dcom_proxy *proxy, uint16_t opnum,
                                           const uint8_t *args, size_t args_len, ntlm_buffer *out,
                                           size_t *args_off)
{
	if (!out || !args_off)
		return NTLM_DCOM_E_POINTER;
	out->data = NULL;
	out->len = 0;
	*args_off = 0;
	if (!proxy || (!args && args_len))
		return NTLM_DCOM_E_INVALIDARG;
	if (opnum < 3)
		return NTLM_DCOM_RPC_E_INVALIDMETHOD; /* IUnknown's: query_interface, add_ref, release */
	ntlm_buffer in = {NULL, 0};
	ntlm_hresult hr = request_stub(args, args_len, &in);
	pthread_mutex_lock(&proxy->lock);
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = proxy_call(proxy, &proxy->iid, &proxy->std.ipid, opnum, &in, out);
	ntlm_buffer_free(&in);
	nb_reader r;
	dcom_orpcthat that;
	nb_reader_init(&r, out->data, out->len);
	if (NTLM_DCOM_SUCCEEDED(hr) &&
	    (dcom_get_orpcthat(&r, &that) != NTLM_OK || nb_remaining(&r) < 4)) {
		snprintf(proxy->msg, sizeof(proxy->msg), "malformed response (no ORPCTHAT and HRESULT)");
		hr = NTLM_DCOM_RPC_E_INVALID_HEADER;
	} else if (NTLM_DCOM_SUCCEEDED(hr)) {
		*args_off = nb_pos(&r);
		hr = (ntlm_hresult)nb_load_u32le(out->data + out->len - 4);
	}
	pthread_mutex_unlock(&proxy->lock);
	if (!*args_off)
		ntlm_buffer_free(out);
	return hr;
}

/* RemQueryInterface for one IID: the STDOBJREF on success. Under p->lock. */
static ntlm_hresult remote_qi(ntlm_dcom_proxy *p, const ntlm_guid *iid, dcom_stdobjref *std)
{
	dcom_remqi_req req;
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	memset(&req, 0, sizeof(req));
	dcom_orpcthis_new(&req.orpc);
	req.ipid = p->std.ipid;
	req.refs = DCOM_QI_REFS;
	req.n_iids = 1;
	req.iids[0] = *iid;
	ntlm_err rc = dcom_remqi_req_encode(&req, &in);
	ntlm_hresult hr = rc == NTLM_OK ? remunknown_call(p, DCOM_OP_REMQUERYINTERFACE, &in, &out)
	                                : dcom_hresult_from_err(rc);
	ntlm_buffer_free(&in);
	dcom_remqi_resp *resp = malloc(sizeof(*resp));
	if (NTLM_DCOM_SUCCEEDED(hr) && !resp)
		hr = NTLM_DCOM_E_OUTOFMEMORY;
	if (NTLM_DCOM_SUCCEEDED(hr) &&
	    (rc = dcom_remqi_resp_decode(out.data, out.len, resp)) != NTLM_OK)
		hr = dcom_hresult_from_err(rc);
	else if (NTLM_DCOM_SUCCEEDED(hr) && NTLM_DCOM_FAILED(resp->hr))
		hr = resp->hr;
	else if (NTLM_DCOM_SUCCEEDED(hr) && (!resp->has_results || resp->n_results != 1))
		hr = NTLM_DCOM_RPC_X_BAD_STUB_DATA;
	else if (NTLM_DCOM_SUCCEEDED(hr) && NTLM_DCOM_FAILED(resp->results[0].hr))
		hr = resp->results[0].hr;
	else if (NTLM_DCOM_SUCCEEDED(hr))
		*std = resp->results[0].std;
	free(resp);
	ntlm_buffer_free(&out);
	return hr;
}

int dcom_qi_same_object(const dcom_stdobjref *have, const dcom_stdobjref *got)
{
	return have->oxid == got->oxid && have->oid == got->oid;
}

NTLM_API ntlm_hresult ntlm_dcom_query_interface(ntlm_dcom_proxy *proxy, const ntlm_guid *iid,
                                                ntlm_dcom_proxy **out)
{
	if (!out)
		return NTLM_DCOM_E_POINTER;
	*out = NULL;
	if (!proxy || !iid)
		return NTLM_DCOM_E_INVALIDARG;
	dcom_stdobjref std;
	memset(&std, 0, sizeof(std));
	pthread_mutex_lock(&proxy->lock);
	ntlm_hresult hr = remote_qi(proxy, iid, &std);
	pthread_mutex_unlock(&proxy->lock);
	if (NTLM_DCOM_SUCCEEDED(hr) && !dcom_qi_same_object(&proxy->std, &std)) {
		/* QueryInterface answers for the same object: another exporter is a forgery */
		snprintf(proxy->msg, sizeof(proxy->msg), "RemQueryInterface answered another object");
		hr = NTLM_DCOM_RPC_E_INVALID_OBJREF;
	}
	if (NTLM_DCOM_SUCCEEDED(hr))
		hr = dcom_proxy_new(proxy->cli, proxy->ox, iid, &std, &proxy->origin, out);
	return hr;
}

NTLM_API uint32_t ntlm_dcom_add_ref(ntlm_dcom_proxy *proxy)
{
	return proxy ? __atomic_add_fetch(&proxy->refs, 1, __ATOMIC_RELAXED) : 0;
}

/* RemRelease of all the references this proxy holds. Under p->lock. */
static ntlm_hresult remote_release(ntlm_dcom_proxy *p)
{
	dcom_remrefs_req req;
	dcom_hr_resp resp;
	ntlm_buffer in = {NULL, 0}, out = {NULL, 0};
	memset(&req, 0, sizeof(req));
	dcom_orpcthis_new(&req.orpc);
	req.n_refs = 1;
	req.refs[0].ipid = p->std.ipid;
	req.refs[0].public_refs = p->std.public_refs;
	ntlm_err rc = dcom_remrefs_req_encode(&req, &in);
	ntlm_hresult hr = rc == NTLM_OK ? remunknown_call(p, DCOM_OP_REMRELEASE, &in, &out)
	                                : dcom_hresult_from_err(rc);
	if (NTLM_DCOM_SUCCEEDED(hr) && (rc = dcom_hr_resp_decode(out.data, out.len, &resp)) != NTLM_OK)
		hr = dcom_hresult_from_err(rc);
	else if (NTLM_DCOM_SUCCEEDED(hr))
		hr = resp.hr;
	ntlm_buffer_free(&in);
	ntlm_buffer_free(&out);
	return hr;
}

ntlm_hresult dcom_proxy_destroy(ntlm_dcom_proxy *p)
{
	ntlm_dcom_client *cli = p->cli;
	pthread_mutex_lock(&p->lock);
	ntlm_hresult hr = p->std.public_refs ? remote_release(p) : NTLM_DCOM_S_OK;
	ntlm_rpc_client_free(p->conn);
	p->conn = NULL;
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_lock(&cli->lock);
	dcom_oid_drop(p->ox->resolver, &p->std);
	if (p->prev)
		p->prev->next = p->next;
	else
		cli->proxies = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_unlock(&cli->lock);
	pthread_mutex_destroy(&p->lock);
	dcom_blanket_clear(&p->origin);
	dcom_blanket_clear(&p->blanket);
	free(p);
	return hr;
}

NTLM_API ntlm_hresult ntlm_dcom_release(ntlm_dcom_proxy *proxy)
{
	if (!proxy)
		return NTLM_DCOM_E_POINTER;
	if (__atomic_sub_fetch(&proxy->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return NTLM_DCOM_S_OK;
	return dcom_proxy_destroy(proxy);
}

NTLM_API ntlm_hresult ntlm_dcom_set_blanket(ntlm_dcom_proxy *proxy, uint32_t authn_svc,
                                            uint32_t authn_level, uint32_t imp_level,
                                            const char *server_principal)
{
	if (!proxy)
		return NTLM_DCOM_E_INVALIDARG;
	if (authn_svc != NTLM_RPC_AUTHN_WINNT && authn_svc != NTLM_RPC_AUTHN_NONE)
		return NTLM_DCOM_RPC_E_NO_GOOD_SECURITY_PACKAGES;
	if (authn_level > NTLM_RPC_LEVEL_PKT_PRIVACY || imp_level > NTLM_RPC_IMP_DELEGATE)
		return NTLM_DCOM_E_INVALIDARG;
	char *principal = NULL;
	if (server_principal && !(principal = ntlm_strdup(server_principal)))
		return NTLM_DCOM_E_OUTOFMEMORY;
	const ntlm_dcom_client_config *d = &proxy->cli->cfg;
	pthread_mutex_lock(&proxy->lock);
	free(proxy->blanket.principal);
	proxy->blanket.principal = principal;
	proxy->blanket.svc = authn_svc;
	proxy->blanket.level = authn_svc == NTLM_RPC_AUTHN_NONE ? NTLM_RPC_LEVEL_NONE
	                       : authn_level                    ? authn_level
	                                                        : d->authn_level;
	proxy->blanket.imp = imp_level ? imp_level : d->imp_level;
	/* a blanket belongs to an association: the next call opens a new one */
	ntlm_rpc_client_free(proxy->conn);
	proxy->conn = NULL;
	pthread_mutex_unlock(&proxy->lock);
	return NTLM_DCOM_S_OK;
}

NTLM_API ntlm_hresult ntlm_dcom_proxy_get_info(ntlm_dcom_proxy *proxy, ntlm_dcom_proxy_info *out)
{
	if (!proxy || !out)
		return NTLM_DCOM_E_INVALIDARG;
	ntlm_dcom_proxy_info full = {NTLM_DCOM_PROXY_INFO_INIT};
	pthread_mutex_lock(&proxy->lock);
	full.iid = proxy->iid;
	full.ipid = proxy->std.ipid;
	full.oxid = proxy->std.oxid;
	full.oid = proxy->std.oid;
	full.public_refs = proxy->std.public_refs;
	full.authn_svc = proxy->blanket.svc;
	full.authn_level = proxy->blanket.level;
	full.imp_level = proxy->blanket.imp;
	full.server_principal = proxy->blanket.principal;
	full.exporter = proxy->ox->exporter;
	pthread_mutex_unlock(&proxy->lock);
	return ntlm_sized_out(out, &full, sizeof(full), PROXY_INFO_V0_SIZE) == NTLM_OK
	           ? NTLM_DCOM_S_OK
	           : NTLM_DCOM_E_INVALIDARG;
}
