/* status.c - names of RPC statuses and faults, the fault -> status mapping, messages. */
#include <stdio.h>

#include "internal.h"
#include "util.h"

void rpc_msg(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, RPC_MSG_CAP, fmt, ap);
	va_end(ap);
}

static const struct {
	uint32_t value;
	const char *name;
} names[] = {
	{NTLM_RPC_S_OK, "NTLM_RPC_S_OK"},
	{NTLM_RPC_S_ACCESS_DENIED, "NTLM_RPC_S_ACCESS_DENIED"},
	{NTLM_RPC_S_OUT_OF_MEMORY, "NTLM_RPC_S_OUT_OF_MEMORY"},
	{NTLM_RPC_S_INVALID_ARG, "NTLM_RPC_S_INVALID_ARG"},
	{NTLM_RPC_S_BAD_IMPERSONATION_LEVEL, "NTLM_RPC_S_BAD_IMPERSONATION_LEVEL"},
	{NTLM_RPC_S_CANT_OPEN_ANONYMOUS, "NTLM_RPC_S_CANT_OPEN_ANONYMOUS"},
	{NTLM_RPC_S_INVALID_BINDING, "NTLM_RPC_S_INVALID_BINDING"},
	{NTLM_RPC_S_UNKNOWN_IF, "NTLM_RPC_S_UNKNOWN_IF"},
	{NTLM_RPC_S_SERVER_UNAVAILABLE, "NTLM_RPC_S_SERVER_UNAVAILABLE"},
	{NTLM_RPC_S_DUPLICATE_ENDPOINT, "NTLM_RPC_S_DUPLICATE_ENDPOINT"},
	{NTLM_RPC_S_CALL_FAILED, "NTLM_RPC_S_CALL_FAILED"},
	{NTLM_RPC_S_PROTOCOL_ERROR, "NTLM_RPC_S_PROTOCOL_ERROR"},
	{NTLM_RPC_S_PROCNUM_OUT_OF_RANGE, "NTLM_RPC_S_PROCNUM_OUT_OF_RANGE"},
	{NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE, "NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE"},
	{NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL, "NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL"},
	{NTLM_RPC_S_NO_CONTEXT_AVAILABLE, "NTLM_RPC_S_NO_CONTEXT_AVAILABLE"},
	{NTLM_RPC_S_BAD_STUB_DATA, "NTLM_RPC_S_BAD_STUB_DATA"},
	{NTLM_RPC_S_SEC_PKG_ERROR, "NTLM_RPC_S_SEC_PKG_ERROR"},
	{NTLM_RPC_S_LOGON_DENIED, "NTLM_RPC_S_LOGON_DENIED"},
	{NTLM_RPC_S_NO_CREDENTIALS, "NTLM_RPC_S_NO_CREDENTIALS"},
	{NTLM_RPC_S_WRONG_PRINCIPAL, "NTLM_RPC_S_WRONG_PRINCIPAL"},
	{NTLM_RPC_FAULT_OP_RNG_ERROR, "nca_s_op_rng_error"},
	{NTLM_RPC_FAULT_UNKNOWN_IF, "nca_s_unknown_if"},
	{NTLM_RPC_FAULT_PROTO_ERROR, "nca_s_proto_error"},
	{NTLM_RPC_FAULT_CONTEXT_MISMATCH, "nca_s_fault_context_mismatch"},
	{NTLM_RPC_FAULT_REMOTE_NO_MEMORY, "nca_s_fault_remote_no_memory"},
};

NTLM_API const char *ntlm_rpc_status_name(uint32_t status)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(names); i++)
		if (names[i].value == status)
			return names[i].name;
	return "unknown status";
}

/* A Windows client reports these nca faults as the matching RPC_S_* value. */
NTLM_API uint32_t ntlm_rpc_status_from_fault(uint32_t fault)
{
	switch (fault) {
	case NTLM_RPC_FAULT_OP_RNG_ERROR:
		return NTLM_RPC_S_PROCNUM_OUT_OF_RANGE;
	case NTLM_RPC_FAULT_UNKNOWN_IF:
		return NTLM_RPC_S_UNKNOWN_IF;
	case NTLM_RPC_FAULT_PROTO_ERROR:
		return NTLM_RPC_S_PROTOCOL_ERROR;
	case NTLM_RPC_FAULT_REMOTE_NO_MEMORY:
		return NTLM_RPC_S_OUT_OF_MEMORY;
	case NTLM_RPC_FAULT_CONTEXT_MISMATCH:
		return NTLM_RPC_S_CALL_FAILED;
	default:
		return fault; /* access denied (5), sec pkg error (1825), fault_ndr (1783), app codes */
	}
}
