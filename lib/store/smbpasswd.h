/*
 * smbpasswd.h - Samba's smbpasswd(5) account file: parse and format one
 * line, look an account up. Editing the file (locking, rewriting, renaming)
 * is the tools' business: tools/ntlm_passwd_file.h.
 *
 * One account per line:
 *
 *   name:uid:LMHASH:NTHASH:[UX         ]:LCT-5F0A1B2C:
 *
 * A hash is 32 hex digits, or 32 'X' / '*' (no hash stored), or a field
 * starting with "NO PASSWORD" (no hash; Samba writes it when the N flag is
 * set). The flags sit between brackets (Samba pads them to 11 columns), and
 * LCT- carries the last password change as 8 hex digits of Unix time.
 * Lines whose first non-blank character is '#', and blank lines, are
 * ignored; CRLF line ends are accepted.
 */
#ifndef NTLM_SMBPASSWD_H
#define NTLM_SMBPASSWD_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/* Account flags: the values Samba (and [MS-SAMR] USER_ACCOUNT) use. */
#define SMBPW_ACB_DISABLED  0x00000001u /* D */
#define SMBPW_ACB_HOMDIRREQ 0x00000002u /* H: home directory required */
#define SMBPW_ACB_PWNOTREQ  0x00000004u /* N: no password required */
#define SMBPW_ACB_TEMPDUP   0x00000008u /* T: temporary duplicate account */
#define SMBPW_ACB_NORMAL    0x00000010u /* U: normal user */
#define SMBPW_ACB_MNS       0x00000020u /* M: MNS logon user */
#define SMBPW_ACB_DOMTRUST  0x00000040u /* I: interdomain trust */
#define SMBPW_ACB_WSTRUST   0x00000080u /* W: workstation trust */
#define SMBPW_ACB_SVRTRUST  0x00000100u /* S: server trust */
#define SMBPW_ACB_PWNOEXP   0x00000200u /* X: password does not expire */
#define SMBPW_ACB_AUTOLOCK  0x00000400u /* L: locked out */

/* Room for any line smbpw_format_line() writes, NUL included. */
#define SMBPW_LINE_MAX 256
/* Larger files are refused rather than read whole. */
#define SMBPW_FILE_MAX ((size_t)64 * 1024 * 1024)

typedef struct smbpw_entry {
	char name[128]; /* NUL-terminated, as written in the file */
	uint32_t uid;
	int has_lm; /* 0: no LM hash stored (X... or NO PASSWORD...) */
	uint8_t lm[NTLM_HASH_SIZE];
	int has_nt; /* 0: no NT hash stored; the caller decides what that means */
	uint8_t nt[NTLM_HASH_SIZE];
	uint32_t acb; /* SMBPW_ACB_*; never 0 (an empty bracket reads as U, as in Samba) */
	uint32_t lct; /* last change time, Unix seconds */
} smbpw_entry;

/*
 * Parses one line (len bytes, not necessarily NUL-terminated; a trailing
 * "\n" or "\r\n" is allowed). Pure: no I/O, no allocation.
 * NTLM_E_NOT_FOUND: a comment or blank line (no entry on it);
 * NTLM_E_BAD_FILE: anything malformed. *e is zeroed unless NTLM_OK.
 */
NTLM_MUST_CHECK ntlm_err smbpw_parse_line(const char *line, size_t len, smbpw_entry *e);
/*
 * A client's reading of a line (gss-ntlmssp's NTLM_USER_FILE may hold
 * smbpasswd lines): name, uid and the two hashes, each followed by ':';
 * what follows (flags, LCT) is not read and may be missing. Results as
 * smbpw_parse_line's (acb and lct stay 0).
 */
NTLM_MUST_CHECK ntlm_err smbpw_parse_client_line(const char *line, size_t len, smbpw_entry *e);

/*
 * Writes e as one Samba-compatible line ending in '\n' and NUL-terminates
 * it: upper-case hex, flags padded to "[U          ]", "LCT-%08X".
 * NTLM_E_BUFFER_TOO_SMALL if cap is short (SMBPW_LINE_MAX always fits);
 * NTLM_E_INVALID_PARAMETER for a name that cannot be written (empty,
 * unterminated, ':' or control characters, leading '#').
 */
NTLM_MUST_CHECK ntlm_err smbpw_format_line(const smbpw_entry *e, char *buf, size_t cap);

/*
 * The first entry whose name equals user case-insensitively. NTLM_E_IO if
 * the file cannot be read (missing included), NTLM_E_NOT_FOUND if no line
 * names user (always for an empty user). A malformed line naming someone else is skipped; a malformed
 * line naming user is NTLM_E_BAD_FILE (never fall through to a later one).
 */
NTLM_MUST_CHECK ntlm_err smbpw_lookup(const char *path, const char *user, smbpw_entry *e);
/* The same lookup over file contents already read (see textfile.h). */
struct tf_buf;
NTLM_MUST_CHECK ntlm_err smbpw_find(const struct tf_buf *file, const char *user, smbpw_entry *e);

/*
 * An index of file contents by account name (ignoring case as smbpw_find
 * does; the first line naming each name), so a cached file answers in
 * constant time however many accounts it holds. Built once per read of the
 * file; it points into that text and lives no longer.
 */
typedef struct smbpw_index {
	uint32_t *slot; /* offset + 1 of the first line naming a name; 0: empty */
	size_t mask;    /* slots - 1: a power of two, at least twice the lines */
} smbpw_index;
NTLM_MUST_CHECK ntlm_err smbpw_index_build(const struct tf_buf *file, smbpw_index *ix);
void smbpw_index_free(smbpw_index *ix);
/* smbpw_find's answers (the same entry, NTLM_E_NOT_FOUND, NTLM_E_BAD_FILE) through the index. */
NTLM_MUST_CHECK ntlm_err smbpw_find_indexed(const struct tf_buf *file, const smbpw_index *ix,
                                            const char *user, smbpw_entry *e);

/*
 * 1 for a name an account line can carry (see smbpw_format_line): not empty,
 * shorter than smbpw_entry.name, no ':' or control character, and not
 * starting with '#' or a blank.
 */
int smbpw_name_ok(const char *name);
/* 1 if the first field of the line (which may be malformed) is user, ignoring case. */
int smbpw_line_names(const char *line, size_t len, const char *user);

#endif
