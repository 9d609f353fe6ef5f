/* test_error.c - every error has a name, a distinct message and Windows' status codes. */
#include "ntlmssp/ntlmssp.h"
#include "t.h"

static const ntlm_err all[] = {
#define NTLM_ERR_ALL_(name, value, nt, sec, msg) name,
	NTLM_ERROR_LIST(NTLM_ERR_ALL_)
#undef NTLM_ERR_ALL_
};

static void test_every_value_described(void)
{
	size_t n = sizeof(all) / sizeof(all[0]);
	for (size_t i = 0; i < n; i++) {
		T_ASSERT(ntlm_strerror(all[i]) && *ntlm_strerror(all[i]));
		T_ASSERT(strncmp(ntlm_err_name(all[i]), "NTLM_", 5) == 0);
		for (size_t j = 0; j < i; j++)
			T_ASSERT(strcmp(ntlm_strerror(all[i]), ntlm_strerror(all[j])) != 0);
	}
	T_STR(ntlm_strerror((ntlm_err)9999), "unknown error");
	T_STR(ntlm_err_name((ntlm_err)9999), "NTLM_E_UNKNOWN");
	T_STR(ntlm_version(), NTLMSSP_VERSION_STRING);
}

static void test_windows_codes(void)
{
	T_ASSERT(ntlm_err_ntstatus(NTLM_OK) == 0 && ntlm_err_sec_status(NTLM_OK) == 0);
	T_ASSERT(ntlm_err_sec_status(NTLM_CONTINUE) == 0x00090312); /* SEC_I_CONTINUE_NEEDED */
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_LOGON_FAILURE) == 0xC000006Du);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_LOGON_FAILURE) == (int32_t)0x8009030C); /* LOGON_DENIED */
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_NO_SUCH_USER) == 0xC0000064u);
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_ACCOUNT_DISABLED) == 0xC0000072u);
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_TIME_SKEW) == 0xC0000133u);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_TIME_SKEW) == (int32_t)0x80090324); /* TIME_SKEW */
	T_ASSERT(ntlm_err_sec_status(NTLM_E_BAD_MAC) == (int32_t)0x8009030F);   /* MESSAGE_ALTERED */
	T_ASSERT(ntlm_err_sec_status(NTLM_E_OUT_OF_SEQUENCE) == (int32_t)0x80090310);
	T_ASSERT(ntlm_err_ntstatus(NTLM_E_INVALID_PARAMETER) == 0xC000000Du);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_TRUNCATED) == (int32_t)0x80090308); /* INVALID_TOKEN */
}

int main(void)
{
	T_RUN(test_every_value_described);
	T_RUN(test_windows_codes);
	T_END();
}
