/* demo_ndr.c - INtlmDemo's stubs; see demo_ndr.h */
#include "demo_ndr.h"

#include "ndr_stub.h"
#include "try.h"

static ntlm_err get_whoami_resp(nb_reader *r, dcom_demo_whoami_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_unique_wstring(r, &p->principal));
	NTLM_TRY(ndr_get_i32(r, &p->authn_svc));
	NTLM_TRY(ndr_get_i32(r, &p->authn_level));
	NTLM_TRY(ndr_get_i32(r, &p->imp_level));
	return ndr_get_i32(r, &p->hr);
}

static void put_whoami_resp(ndr_writer *nw, const dcom_demo_whoami_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_unique_wstring(nw, p->principal.present ? p->principal.utf8 : NULL);
	ndr_put_i32(nw, p->authn_svc);
	ndr_put_i32(nw, p->authn_level);
	ndr_put_i32(nw, p->imp_level);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_demo_whoami_resp, get_whoami_resp, put_whoami_resp)

static ntlm_err get_add_req(nb_reader *r, dcom_demo_add_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_i32(r, &q->a));
	return ndr_get_i32(r, &q->b);
}

static void put_add_req(ndr_writer *nw, const dcom_demo_add_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_i32(nw, q->a);
	ndr_put_i32(nw, q->b);
}
STUB_CODEC(dcom_demo_add_req, get_add_req, put_add_req)

static ntlm_err get_add_resp(nb_reader *r, dcom_demo_add_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_i32(r, &p->sum));
	return ndr_get_i32(r, &p->hr);
}

static void put_add_resp(ndr_writer *nw, const dcom_demo_add_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_i32(nw, p->sum);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_demo_add_resp, get_add_resp, put_add_resp)

static ntlm_err get_whoami_imp_resp(nb_reader *r, dcom_demo_whoami_imp_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_i32(r, &p->euid));
	NTLM_TRY(ndr_get_unique_wstring(r, &p->unix_user));
	return ndr_get_i32(r, &p->hr);
}

static void put_whoami_imp_resp(ndr_writer *nw, const dcom_demo_whoami_imp_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_i32(nw, p->euid);
	ndr_put_unique_wstring(nw, p->unix_user.present ? p->unix_user.utf8 : NULL);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_demo_whoami_imp_resp, get_whoami_imp_resp, put_whoami_imp_resp)
