/*
 * demo_class.c - NtlmDemo (INtlmDemo, opnums 3..5): what a class looks like
 * on the server API, and the methods the tests call.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_class.h"
#include "demo_ndr.h"

/* The codec's failure as the method's HRESULT (the runtime answers with a fault). */
static ntlm_hresult sent(ntlm_err rc)
{
	return rc == NTLM_OK ? NTLM_DCOM_S_OK : dcom_hresult_from_err(rc);
}

/* CoQueryClientBlanket, as the seed has it: service 10, level, impersonation level, DOMAIN\user. */
static ntlm_hresult whoami(ntlm_dcom_call *call, void *object, const uint8_t *in, size_t len,
                           ntlm_buffer *out)
{
	(void)object;
	(void)in;
	(void)len;
	ntlm_rpc_blanket b = {NTLM_RPC_BLANKET_INIT};
	dcom_demo_whoami_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.hr = ntlm_dcom_query_client_blanket(call, &b);
	if (NTLM_DCOM_SUCCEEDED(resp.hr)) {
		resp.principal.present = 1;
		snprintf(resp.principal.utf8, sizeof(resp.principal.utf8), "%s", b.client_principal);
		resp.authn_svc = (int32_t)b.authn_svc;
		resp.authn_level = (int32_t)b.authn_level;
		resp.imp_level = (int32_t)b.imp_level;
	}
	return sent(dcom_demo_whoami_resp_encode(&resp, out));
}

static ntlm_hresult add(ntlm_dcom_call *call, void *object, const uint8_t *in, size_t len,
                        ntlm_buffer *out)
{
	(void)call;
	(void)object;
	dcom_demo_add_req req;
	ntlm_err rc = dcom_demo_add_req_decode(in, len, &req);
	if (rc != NTLM_OK)
		return dcom_hresult_from_err(rc);
	dcom_demo_add_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.sum = (int32_t)((uint32_t)req.a + (uint32_t)req.b); /* wraps as Windows' long does */
	return sent(dcom_demo_add_resp_encode(&resp, out));
}

/* CoImpersonateClient, geteuid() (this thread's), its account name, CoRevertToSelf. */
static ntlm_hresult whoami_impersonated(ntlm_dcom_call *call, void *object, const uint8_t *in,
                                        size_t len, ntlm_buffer *out)
{
	(void)object;
	(void)in;
	(void)len;
	dcom_demo_whoami_imp_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.euid = -1;
	resp.hr = ntlm_dcom_impersonate_client(call);
	if (NTLM_DCOM_SUCCEEDED(resp.hr)) {
		uid_t euid = geteuid();
		struct passwd pw, *found = NULL;
		char buf[2048];
		resp.euid = (int32_t)euid;
		resp.unix_user.present = 1;
		if (getpwuid_r(euid, &pw, buf, sizeof(buf), &found) == 0 && found)
			snprintf(resp.unix_user.utf8, sizeof(resp.unix_user.utf8), "%s", found->pw_name);
		resp.hr = ntlm_dcom_revert_to_self(call);
	}
	return sent(dcom_demo_whoami_imp_resp_encode(&resp, out));
}

static const ntlm_dcom_method demo_methods[] = {
	NULL,   NULL, NULL, /* IUnknown's: IRemUnknown serves them */
	whoami, add,  whoami_impersonated,
};

static const ntlm_dcom_interface demo_interfaces[] = {
	{NTLM_DCOM_INTERFACE_INIT, NTLM_DCOM_IID_INTLMDEMO, demo_methods,
     sizeof(demo_methods) / sizeof(demo_methods[0])},
};

/* An instance holds nothing; it exists so that reference counting has something to free. */
static ntlm_hresult demo_create(void *class_arg, void **object)
{
	(void)class_arg;
	*object = calloc(1, 1);
	return *object ? NTLM_DCOM_S_OK : NTLM_DCOM_E_OUTOFMEMORY;
}

static void demo_destroy(void *class_arg, void *object)
{
	(void)class_arg;
	free(object);
}

void dcom_demo_class(ntlm_dcom_class *cls, const char *const *launch, const char *const *access)
{
	static const ntlm_guid clsid = NTLM_DCOM_CLSID_NTLMDEMO;
	cls->clsid = clsid;
	cls->name = "NtlmDemo";
	cls->interfaces = demo_interfaces;
	cls->n_interfaces = sizeof(demo_interfaces) / sizeof(demo_interfaces[0]);
	cls->create = demo_create;
	cls->destroy = demo_destroy;
	cls->class_arg = NULL;
	cls->launch_permission = launch;
	cls->access_permission = access;
}
