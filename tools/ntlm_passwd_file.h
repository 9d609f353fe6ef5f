/*
 * ntlm_passwd_file.h - editing an smbpasswd(5) account file in place: the
 * write side, which only programs that manage accounts need (`ntlm passwd`,
 * the demos, the tests). The library only reads the file (smbpasswd.h).
 */
#ifndef NTLM_PASSWD_FILE_H
#define NTLM_PASSWD_FILE_H

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"
#include "smbpasswd.h"

typedef enum smbpw_op {
	SMBPW_ADD,
	SMBPW_DELETE,
	SMBPW_ENABLE,
	SMBPW_DISABLE,
	SMBPW_SET_HASH
} smbpw_op;

/*
 * One read-modify-write of the file, serialised with every other
 * smbpw_modify()/smbpw_create_default() by an exclusive flock(2) on
 * "<path>.lock"; the new content goes to a temporary file in the same
 * directory and is renamed over path, so readers see the old or the new
 * file, never a mix. Comments and lines of other users keep their bytes;
 * the new file keeps the old one's permission bits, owner and group (when
 * the owner or group cannot be kept: mode 0600); a new file is 0600. The
 * file is read as the store reads it (no symbolic link, a regular file that
 * others cannot write: NTLM_E_UNSAFE_FILE otherwise).
 *
 * ADD: new [U] account with nt_hash, lm_hash (NULL: none stored) and uid;
 *      creates the file if missing; NTLM_E_INVALID_PARAMETER if user exists.
 * DELETE, ENABLE (clear D), DISABLE (set D): NTLM_E_NOT_FOUND if absent.
 * SET_HASH: replaces both hashes (lm_hash NULL: none), keeps the flags.
 * ADD and SET_HASH set LCT to now. Every line naming user (in any case) is
 * changed; one of them being malformed is NTLM_E_BAD_FILE and nothing is
 * written.
 */
NTLM_MUST_CHECK ntlm_err smbpw_modify(const char *path, smbpw_op op, const char *user,
                                      const uint8_t nt_hash[16], const uint8_t *lm_hash,
                                      uint32_t uid);

/*
 * If path does not exist, creates it holding one [U] account for user with
 * the NT hash of password (no LM hash: it is too weak to store). If it
 * exists, NTLM_OK and nothing changes.
 */
NTLM_MUST_CHECK ntlm_err smbpw_create_default(const char *path, const char *user,
                                              const char *password, uint32_t uid);

#define SMBPW_UID_NOBODY 65534u /* an unprivileged placeholder */
/*
 * The uid a new account maps to when none is given: the Unix account of the
 * same name, else SMBPW_UID_NOBODY; never the caller's own uid, which for a
 * tool run as root would let the account impersonate root.
 */
uint32_t smbpw_default_uid(const char *user);

#endif
