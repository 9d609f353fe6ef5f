/*
 * credfile.h - gss-ntlmssp's NTLM_USER_FILE: client credentials in clear,
 * one per line:
 *
 *   DOMAIN:USER:PASSWORD
 *
 * The domain may be empty; the password is everything after the second
 * ':' (it may itself contain ':') up to the line end, "\r\n" tolerated.
 * Lines whose first non-blank character is '#', and blank lines, are
 * ignored; a UTF-8 byte order mark at the start of the file is skipped.
 */
#ifndef NTLM_CREDFILE_H
#define NTLM_CREDFILE_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/*
 * Parses one line (len bytes, not necessarily NUL-terminated; a trailing
 * "\n" or "\r\n" is allowed). Pure: no I/O. On NTLM_OK the three outputs
 * are allocated (free the password with ntlm_free_string(), which wipes
 * it); otherwise they are NULL.
 * NTLM_E_NOT_FOUND: a comment or blank line; NTLM_E_BAD_FILE: fewer than
 * two ':', an empty user, or a NUL byte.
 */
NTLM_MUST_CHECK ntlm_err credfile_parse_line(const char *line, size_t len, char **domain,
                                             char **user, char **password);

/*
 * The first entry whose user and domain match, ignoring case. domain NULL
 * matches any domain ("" matches only an empty one); user NULL matches any
 * user. Malformed lines are skipped. NTLM_E_NOT_FOUND when nothing
 * matches, NTLM_E_IO when the file cannot be read. Outputs as above.
 */
NTLM_MUST_CHECK ntlm_err credfile_lookup(const char *path, const char *domain, const char *user,
                                         char **domain_out, char **user_out, char **password_out);

/* What a client takes from the file: a password, or an smbpasswd line's NT hash. */
typedef struct credfile_entry {
	char *domain; /* NULL: an smbpasswd line without "DOMAIN\\" (any domain matches) */
	char *user;
	char *password; /* NULL for an smbpasswd line */
	int has_nt;     /* an smbpasswd line that stores an NT hash */
	uint8_t nt[NTLM_HASH_SIZE];
} credfile_entry;

/*
 * As credfile_lookup, for a client (gss-ntlmssp's initiator reads both
 * forms): a line that reads as smbpasswd (name:uid:LMHASH:NTHASH:..., the
 * name optionally "DOMAIN\\user") gives its NT hash, any other line is
 * DOMAIN:USER:PASSWORD. Free with credfile_entry_free() (wipes).
 */
NTLM_MUST_CHECK ntlm_err credfile_lookup_client(const char *path, const char *domain,
                                                const char *user, credfile_entry *out);
void credfile_entry_free(credfile_entry *e);

#endif
