/* config.c - the caller's configuration structures, read by the ABI rule; see config.h */
#include "config.h"

ntlm_err policy_in(ntlm_policy *dst, const ntlm_policy *caller)
{
	return ntlm_sized_in(dst, sizeof(*dst), caller, POLICY_V0_SIZE);
}

ntlm_err client_config_in(ntlm_client_config *dst, const ntlm_client_config *caller)
{
	return ntlm_sized_in(dst, sizeof(*dst), caller, CLIENT_CONFIG_V0_SIZE);
}

ntlm_err server_config_in(ntlm_server_config *dst, const ntlm_server_config *caller)
{
	return ntlm_sized_in(dst, sizeof(*dst), caller, SERVER_CONFIG_V0_SIZE);
}

ntlm_err hooks_in(ntlm_hooks *dst, const ntlm_hooks *caller)
{
	return ntlm_sized_in(dst, sizeof(*dst), caller, HOOKS_V0_SIZE);
}
