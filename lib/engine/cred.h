/*
 * cred.h - what a client credential (ntlm_cred, cred.c) holds: the names and
 * the hashes, never the password, which becomes hashes as it arrives (or,
 * for winbind's credential cache, nothing secret at all).
 * client.c copies them into a context's handshake state.
 */
#ifndef NTLM_CRED_H
#define NTLM_CRED_H

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"
#include "shared.h"

struct ntlm_cred {
	char *domain, *user;
	uint8_t nt_hash[NTLM_HASH_SIZE];
	uint8_t lm_hash[NTLM_HASH_SIZE];
	int have_lm;
	int anonymous;
	sh_state *shared;  /* random bytes and the system policy for its contexts */
	int winbind_cache; /* no hashes: winbindd answers the CHALLENGE (wb_ccache.h) */
};

#endif
