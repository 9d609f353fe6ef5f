/*
 * demo_ndr.h - INtlmDemo's stubs (both directions; server and client use them).
 *
 *   opnum 3  HRESULT WhoAmI([out, string] wchar_t **principal, [out] long *authn_svc,
 *                           [out] long *authn_level, [out] long *imp_level);
 *   opnum 4  HRESULT Add([in] long a, [in] long b, [out] long *sum);
 *   opnum 5  HRESULT WhoAmIImpersonated([out] long *euid, [out, string] wchar_t **unix_user);
 *
 * WhoAmI and WhoAmIImpersonated send ORPCTHIS only: dcom_orpc_req (orpc.h).
 */
#ifndef DCOM_DEMO_NDR_H
#define DCOM_DEMO_NDR_H

#include "orpc.h"

typedef struct dcom_demo_whoami_resp {
	dcom_orpcthat orpc;
	ndr_string principal; /* "DOMAIN\user" */
	int32_t authn_svc;
	int32_t authn_level;
	int32_t imp_level;
	ntlm_hresult hr;
} dcom_demo_whoami_resp;
NDR_CODEC(dcom_demo_whoami_resp);

typedef struct dcom_demo_add_req {
	dcom_orpcthis orpc;
	int32_t a;
	int32_t b;
} dcom_demo_add_req;
NDR_CODEC(dcom_demo_add_req);

typedef struct dcom_demo_add_resp {
	dcom_orpcthat orpc;
	int32_t sum;
	ntlm_hresult hr;
} dcom_demo_add_resp;
NDR_CODEC(dcom_demo_add_resp);

typedef struct dcom_demo_whoami_imp_resp {
	dcom_orpcthat orpc;
	int32_t euid;
	ndr_string unix_user;
	ntlm_hresult hr;
} dcom_demo_whoami_imp_resp;
NDR_CODEC(dcom_demo_whoami_imp_resp);

#endif
