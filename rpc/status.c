/*
 * status.c - the library's one error type: names and sentences of RPC statuses
 * and faults, the fault -> status and ntlm_err -> status mappings, messages.
 */
#include <stdio.h>

#include "internal.h"
#include "mem.h"

void rpc_msg(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, RPC_MSG_CAP, fmt, ap);
	va_end(ap);
}

static const struct {
	ntlm_rpc_status value;
	const char *name;
	const char *text;
} names[] = {
	{NTLM_RPC_S_OK, "NTLM_RPC_S_OK", "success"},
	{NTLM_RPC_S_CONTINUE_NEEDED, "NTLM_RPC_S_CONTINUE_NEEDED",
     "continue: send the handshake PDU and wait for the answer"},
	{NTLM_RPC_S_ACCESS_DENIED, "NTLM_RPC_S_ACCESS_DENIED", "access denied"},
	{NTLM_RPC_S_OUT_OF_MEMORY, "NTLM_RPC_S_OUT_OF_MEMORY", "out of memory"},
	{NTLM_RPC_S_INVALID_ARG, "NTLM_RPC_S_INVALID_ARG", "invalid argument"},
	{NTLM_RPC_S_BAD_IMPERSONATION_LEVEL, "NTLM_RPC_S_BAD_IMPERSONATION_LEVEL",
     "the client granted identification only: no impersonation"},
	{NTLM_RPC_S_CANT_OPEN_ANONYMOUS, "NTLM_RPC_S_CANT_OPEN_ANONYMOUS",
     "the client is anonymous: no impersonation"},
	{NTLM_RPC_S_INVALID_BINDING, "NTLM_RPC_S_INVALID_BINDING", "invalid binding or endpoint"},
	{NTLM_RPC_S_UNKNOWN_IF, "NTLM_RPC_S_UNKNOWN_IF", "the server does not offer the interface"},
	{NTLM_RPC_S_SERVER_UNAVAILABLE, "NTLM_RPC_S_SERVER_UNAVAILABLE", "the server is unavailable"},
	{NTLM_RPC_S_DUPLICATE_ENDPOINT, "NTLM_RPC_S_DUPLICATE_ENDPOINT",
     "another server listens on the endpoint"},
	{NTLM_RPC_S_CALL_FAILED, "NTLM_RPC_S_CALL_FAILED", "the call failed"},
	{NTLM_RPC_S_PROTOCOL_ERROR, "NTLM_RPC_S_PROTOCOL_ERROR", "RPC protocol error"},
	{NTLM_RPC_S_PROCNUM_OUT_OF_RANGE, "NTLM_RPC_S_PROCNUM_OUT_OF_RANGE",
     "no such operation in the interface"},
	{NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE, "NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE",
     "unknown or unsupported authentication service or level"},
	{NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL, "NTLM_RPC_S_UNKNOWN_AUTHN_LEVEL",
     "unknown authentication level"},
	{NTLM_RPC_S_NO_CONTEXT_AVAILABLE, "NTLM_RPC_S_NO_CONTEXT_AVAILABLE",
     "not an authenticated call"},
	{NTLM_RPC_S_BAD_STUB_DATA, "NTLM_RPC_S_BAD_STUB_DATA", "malformed stub data"},
	{NTLM_RPC_S_SEC_PKG_ERROR, "NTLM_RPC_S_SEC_PKG_ERROR", "security package error"},
	{NTLM_RPC_S_LOGON_DENIED, "NTLM_RPC_S_LOGON_DENIED", "logon denied"},
	{NTLM_RPC_S_NO_CREDENTIALS, "NTLM_RPC_S_NO_CREDENTIALS", "no credentials available"},
	{NTLM_RPC_S_WRONG_PRINCIPAL, "NTLM_RPC_S_WRONG_PRINCIPAL",
     "the server is not the principal asked for"},
	{NTLM_RPC_FAULT_OP_RNG_ERROR, "nca_s_op_rng_error", "fault: operation number out of range"},
	{NTLM_RPC_FAULT_UNKNOWN_IF, "nca_s_unknown_if", "fault: unknown interface"},
	{NTLM_RPC_FAULT_PROTO_ERROR, "nca_s_proto_error", "fault: protocol error"},
	{NTLM_RPC_FAULT_CONTEXT_MISMATCH, "nca_s_fault_context_mismatch",
     "fault: context handle mismatch"},
	{NTLM_RPC_FAULT_REMOTE_NO_MEMORY, "nca_s_fault_remote_no_memory",
     "fault: the server ran out of memory"},
};

NTLM_API const char *ntlm_rpc_status_name(ntlm_rpc_status status)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(names); i++)
		if (names[i].value == status)
			return names[i].name;
	return "unknown status";
}

NTLM_API const char *ntlm_rpc_strerror(ntlm_rpc_status status)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(names); i++)
		if (names[i].value == status)
			return names[i].text;
	/* the NTLM package's SEC_E_* values without a name of their own here */
	return (status & 0xFFFF0000u) == 0x80090000u ? "security package error" : "unknown status";
}

/*
 * The one place an ntlm_err of the NTLM package becomes this library's
 * status: what Windows' RPC runtime reports for it, the package's SEC_E_*
 * value unless the runtime has a status of its own for the condition.
 */
ntlm_rpc_status rpc_status(ntlm_err err)
{
	switch (err) {
	case NTLM_OK:
		return NTLM_RPC_S_OK;
	case NTLM_E_INVALID_PARAMETER:
	case NTLM_E_STRUCT_SIZE: /* a structure not initialised with its _INIT macro */
		return NTLM_RPC_S_INVALID_ARG;
	case NTLM_E_NO_MEMORY:
		return NTLM_RPC_S_OUT_OF_MEMORY;
	case NTLM_E_UNSUPPORTED: /* the sec layer's only use: not service 10, or no level */
		return NTLM_RPC_S_UNKNOWN_AUTHN_SERVICE;
	default:
		return (ntlm_rpc_status)ntlm_err_sec_status(err); /* NTLM_CONTINUE: SEC_I_CONTINUE_NEEDED */
	}
}

/* A Windows client reports these nca faults as the matching RPC_S_* value. */
NTLM_API ntlm_rpc_status ntlm_rpc_status_from_fault(uint32_t fault)
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
