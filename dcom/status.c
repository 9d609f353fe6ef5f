/* status.c - HRESULT names and sentences, the map from RPC statuses, GUID equality; see dcom.h */
#include <string.h>

#include "ntlmssp/dcom.h"

typedef struct hr_entry {
	ntlm_hresult hr;
	const char *name; /* the COM name: the symbol without NTLM_DCOM_ */
	const char *msg;
} hr_entry;

#define HR_ROW_(name, value, msg) {(ntlm_hresult)(int32_t)(value), #name + 10, msg},
static const hr_entry hr_table[] = {NTLM_DCOM_HRESULT_LIST(HR_ROW_)};
#undef HR_ROW_

static const hr_entry *hr_find(ntlm_hresult hr)
{
	for (size_t i = 0; i < sizeof(hr_table) / sizeof(hr_table[0]); i++)
		if (hr_table[i].hr == hr)
			return &hr_table[i];
	return NULL;
}

NTLM_API const char *ntlm_hresult_name(ntlm_hresult hr)
{
	const hr_entry *e = hr_find(hr);
	return e ? e->name : "HRESULT";
}

/* A Win32 code wrapped by HRESULT_FROM_WIN32 (facility 7) gets the RPC layer's sentence. */
NTLM_API const char *ntlm_hresult_strerror(ntlm_hresult hr)
{
	const hr_entry *e = hr_find(hr);
	if (e)
		return e->msg;
	if (((uint32_t)hr & 0xFFFF0000u) == 0x80070000u)
		return ntlm_rpc_strerror((uint32_t)hr & 0xFFFFu);
	return NTLM_DCOM_SUCCEEDED(hr) ? "success" : "unknown failure";
}

NTLM_API ntlm_hresult ntlm_hresult_from_rpc_status(ntlm_rpc_status status)
{
	switch (status) {
	case NTLM_RPC_S_OK:
		return NTLM_DCOM_S_OK;
	case NTLM_RPC_S_ACCESS_DENIED:
		return NTLM_DCOM_E_ACCESSDENIED;
	case NTLM_RPC_S_OUT_OF_MEMORY:
		return NTLM_DCOM_E_OUTOFMEMORY;
	case NTLM_RPC_S_INVALID_ARG:
		return NTLM_DCOM_E_INVALIDARG;
	default:
		break;
	}
	if (status & 0x80000000u) /* a SEC_E_* value is an HRESULT already */
		return (ntlm_hresult)status;
	return NTLM_DCOM_HRESULT_FROM_WIN32(status);
}

NTLM_API int ntlm_guid_equal(const ntlm_guid *a, const ntlm_guid *b)
{
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}
