/*
 * acct_winbind_none.c - ntlm_account_store_winbind() for builds without
 * libwbclient: the symbol stays, so the ABI does not depend on what the
 * build host had installed, and callers learn at run time that the domain
 * backend is missing.
 */
#include "acct_store.h"
#include "ntlmssp/ntlmssp.h"
#include "wb_ccache.h"

NTLM_API ntlm_err ntlm_account_store_winbind(ntlm_account_store **out, const char *domain_filter)
{
	if (out)
		*out = NULL;
	return NTLM_E_UNSUPPORTED;
}

NTLM_API ntlm_err ntlm_winbind_domain_names(char *netbios, size_t nb_cap, char *dns, size_t dns_cap)
{
	if (netbios && nb_cap)
		netbios[0] = '\0';
	if (dns && dns_cap)
		dns[0] = '\0';
	return NTLM_E_UNSUPPORTED;
}

NTLM_API ntlm_err ntlm_winbind_name_to_sid(const char *name, char *sid, size_t cap)
{
	if (sid && cap)
		sid[0] = '\0';
	return NTLM_E_UNSUPPORTED;
}

void acct_winbind_alias_member(const char *alias, const char *sid, const char *group_sids,
                               int *member)
{
	*member = 0;
}

ntlm_err wb_ccache_probe(const char *domain, const char *user)
{
	return NTLM_E_UNSUPPORTED;
}

ntlm_err wb_ccache_answer(const char *domain, const char *user, const uint8_t *negotiate,
                          size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                          ntlm_buffer *auth, uint8_t session_key[NTLM_SESSION_KEY_SIZE])
{
	auth->data = NULL;
	auth->len = 0;
	return NTLM_E_UNSUPPORTED;
}
