/*
 * test_dcom_wire - the DCOM wire codec (dcom/ndr.h, orpc.h, actprops.h,
 * demo_ndr.h): byte-exact vectors, round trips, and malformed input refused
 * cleanly.
 */
#include "actprops.h"
#include "demo_ndr.h"
#include "ndr.h"
#include "orpc.h"
#include "t.h"

static void test_hresult_names(void)
{
	T_STR(ntlm_hresult_name(NTLM_DCOM_E_NOINTERFACE), "E_NOINTERFACE");
	T_STR(ntlm_hresult_name(NTLM_DCOM_S_OK), "S_OK");
	T_STR(ntlm_hresult_name((ntlm_hresult)0x12345), "HRESULT");
	T_STR(ntlm_hresult_strerror(NTLM_DCOM_E_ACCESSDENIED), "access denied");
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_OK) == NTLM_DCOM_S_OK);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_ACCESS_DENIED) == NTLM_DCOM_E_ACCESSDENIED);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_BAD_STUB_DATA) ==
	         NTLM_DCOM_RPC_X_BAD_STUB_DATA);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_WRONG_PRINCIPAL) ==
	         NTLM_DCOM_SEC_E_WRONG_PRINCIPAL);
}

static void test_guid_init(void)
{
	static const ntlm_guid iid = NTLM_DCOM_IID_IREMUNKNOWN2;
	uint8_t wire[16];
	T_ASSERT(ntlm_rpc_uuid_parse("00000143-0000-0000-c000-000000000046", wire) == NTLM_RPC_S_OK);
	T_BYTES(iid.bytes, wire, 16);
	static const ntlm_guid demo = NTLM_DCOM_IID_INTLMDEMO;
	T_ASSERT(ntlm_rpc_uuid_parse("6c3c2d6e-1f0b-4b7e-9a51-5a2e0f1d7c02", wire) == NTLM_RPC_S_OK);
	T_BYTES(demo.bytes, wire, 16);
}

int main(void)
{
	T_RUN(test_hresult_names);
	T_RUN(test_guid_init);
	T_END();
}
