/* ntlm_ntstatus.c - NT_STATUS names of library errors; see ntlm_ntstatus.h */
#include "ntlm_ntstatus.h"

#include <stddef.h>
#include <stdint.h>

/* [MS-ERREF] 2.3.1: the values ntlm_err_ntstatus() gives, by Samba's names. */
static const struct {
	uint32_t status;
	const char *name;
} names[] = {
	{0x00000000u, "NT_STATUS_OK"},
	{0xC0000001u, "NT_STATUS_UNSUCCESSFUL"},
	{0xC000000Du, "NT_STATUS_INVALID_PARAMETER"},
	{0xC0000017u, "NT_STATUS_NO_MEMORY"},
	{0xC0000022u, "NT_STATUS_ACCESS_DENIED"},
	{0xC0000023u, "NT_STATUS_BUFFER_TOO_SMALL"},
	{0xC000005Eu, "NT_STATUS_NO_LOGON_SERVERS"},
	{0xC0000064u, "NT_STATUS_NO_SUCH_USER"},
	{0xC000006Du, "NT_STATUS_LOGON_FAILURE"},
	{0xC0000072u, "NT_STATUS_ACCOUNT_DISABLED"},
	{0xC00000BBu, "NT_STATUS_NOT_SUPPORTED"},
	{0xC00000E5u, "NT_STATUS_INTERNAL_ERROR"},
	{0xC0000133u, "NT_STATUS_TIME_DIFFERENCE_AT_DC"},
	{0xC0000198u, "NT_STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT"},
	{0xC0000199u, "NT_STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT"},
	{0xC000019Au, "NT_STATUS_NOLOGON_SERVER_TRUST_ACCOUNT"},
	{0xC0000225u, "NT_STATUS_NOT_FOUND"},
	{0xC000022Au, "NT_STATUS_ACCESS_DENIED"},
	{0xC0000234u, "NT_STATUS_ACCOUNT_LOCKED_OUT"},
	{0xC0000388u, "NT_STATUS_DOWNGRADE_DETECTED"},
};

const char *ntstatus_name_of(ntlm_err rc)
{
	if (rc == NTLM_E_WRONG_STATE || rc == NTLM_E_FAILED_CONTEXT)
		rc = NTLM_E_INVALID_PARAMETER;
	uint32_t st = ntlm_err_ntstatus(rc);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].status == st)
			return names[i].name;
	return "NT_STATUS_UNSUCCESSFUL";
}
