/*
 * replay.h - the replay cache's one internal entry point (replay.c); the
 * public half (ntlm_replay_cache_new/free) is in ntlmssp.h.
 */
#ifndef NTLM_REPLAY_H
#define NTLM_REPLAY_H

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/*
 * NTLM_E_REPLAY if proof (an NTProofStr) was recorded at most window
 * seconds before now; otherwise records it, evicting the oldest entry of
 * its set when the set is full, and NTLM_OK. Thread-safe.
 */
/* What the cache keeps of a logon: its NTProofStr, an HMAC-MD5 ([MS-NLMP] 2.2.2.8). */
#define REPLAY_PROOF_SIZE 16

NTLM_MUST_CHECK ntlm_err replay_check_and_add(ntlm_replay_cache *rc,
                                              const uint8_t proof[REPLAY_PROOF_SIZE], int64_t now,
                                              uint32_t window);

#endif
