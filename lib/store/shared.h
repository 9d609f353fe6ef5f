/*
 * shared.h - what a long-lived object (an account store, a client
 * credential) keeps for the contexts made from it, so that a handshake makes
 * no system call for it: random bytes drawn ahead, and the system policy as
 * last read. One per object, under its own lock; no global state.
 */
#ifndef NTLM_SHARED_H
#define NTLM_SHARED_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"
#include "textfile.h"

typedef struct sh_state sh_state;

NTLM_MUST_CHECK ntlm_err sh_new(sh_state **out);
void sh_free(sh_state *s); /* NULL-safe; wipes the random bytes */

/*
 * len random bytes. They come from a pool the object refills with one
 * getrandom(2) of a few KiB; bytes handed out are wiped from it. The pool's
 * page is mapped MADV_WIPEONFORK (and MADV_DONTDUMP): a child of fork(2)
 * finds it empty and draws its own, so parent and child never share a byte.
 * Where the kernel cannot wipe on fork, or s is NULL, every call is its own
 * getrandom.
 */
NTLM_MUST_CHECK ntlm_err sh_random(sh_state *s, uint8_t *buf, size_t len);

/*
 * The system policy as last read from path ($NTLMSSP_CONF or the default):
 * the file is looked at again SH_POLICY_RECHECK_MS after it was last looked
 * at (a change takes effect in the contexts created from then on) and read
 * again only when its identity changed.
 */
#define SH_POLICY_RECHECK_MS 1000
/* 1 and *out filled: the copy of path's policy was looked at less than the recheck time ago. */
int sh_policy_fresh(sh_state *s, const char *path, ntlm_policy *out);
/* 1 and *out filled: id is still the file the copy was read from (the time restarts). */
int sh_policy_same(sh_state *s, const char *path, const tf_file_id *id, ntlm_policy *out);
/* Keeps p, read from path whose identity was id (best effort: out of memory keeps nothing). */
void sh_policy_keep(sh_state *s, const char *path, const tf_file_id *id, const ntlm_policy *p);

#endif
