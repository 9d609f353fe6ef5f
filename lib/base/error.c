/* error.c - messages and Windows status codes for ntlm_err; see ntlmssp.h */
#include "ntlmssp/ntlmssp.h"

struct err_info {
	ntlm_err value;
	const char *name;
	uint32_t ntstatus;
	int32_t sec_status;
	const char *message;
};

static const struct err_info err_table[] = {
#define NTLM_ERR_ROW_(name, value, nt, sec, msg) {name, #name, nt, sec, msg},
	NTLM_ERROR_LIST(NTLM_ERR_ROW_)
#undef NTLM_ERR_ROW_
};

static const struct err_info *err_lookup(ntlm_err err)
{
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].value == err)
			return &err_table[i];
	return NULL;
}

NTLM_API const char *ntlm_strerror(ntlm_err err)
{
	const struct err_info *e = err_lookup(err);
	return e ? e->message : "unknown error";
}

NTLM_API const char *ntlm_err_name(ntlm_err err)
{
	const struct err_info *e = err_lookup(err);
	return e ? e->name : "NTLM_E_UNKNOWN";
}

NTLM_API uint32_t ntlm_err_ntstatus(ntlm_err err)
{
	const struct err_info *e = err_lookup(err);
	return e ? e->ntstatus : 0xC0000001u; /* STATUS_UNSUCCESSFUL */
}

NTLM_API int32_t ntlm_err_sec_status(ntlm_err err)
{
	const struct err_info *e = err_lookup(err);
	return e ? e->sec_status : (int32_t)0x80090304; /* SEC_E_INTERNAL_ERROR */
}

NTLM_API const char *ntlm_version(void)
{
	return NTLMSSP_VERSION_STRING;
}
