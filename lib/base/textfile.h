/*
 * textfile.h - the local text files (smbpasswd, credential file) hold hashes
 * and passwords: read them whole into a buffer whose every copy is wiped,
 * and walk them line by line.
 */
#ifndef NTLM_TEXTFILE_H
#define NTLM_TEXTFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "ntlmssp/ntlmssp.h"

typedef struct tf_buf {
	char *p;
	size_t len, cap;
	size_t max; /* growth beyond this fails with NTLM_E_BAD_FILE */
} tf_buf;

void tf_init(tf_buf *b, size_t max);
void tf_free(tf_buf *b); /* wipes */
NTLM_MUST_CHECK ntlm_err tf_reserve(tf_buf *b, size_t more);
NTLM_MUST_CHECK ntlm_err tf_append(tf_buf *b, const char *s, size_t n);
/*
 * Opens a file the library takes accounts, credentials, settings or audit
 * records from or to (flags: O_RDONLY, or O_WRONLY | O_APPEND | O_CREAT with
 * mode for an audit log; O_CLOEXEC is added): never through a symbolic link
 * (O_NOFOLLOW), never waiting for a FIFO's other end (O_NONBLOCK), and only a
 * regular file. With TF_NOT_OTHERS_WRITABLE a file that others can write is
 * refused too: whoever can write it could add an account or weaken the
 * policy. NTLM_E_NOT_FOUND if it does not exist, NTLM_E_UNSAFE_FILE for a
 * refused file, NTLM_E_IO otherwise (errno tells why). *st (may be NULL)
 * gets the file's status.
 */
#define TF_NOT_OTHERS_WRITABLE 1u
NTLM_MUST_CHECK ntlm_err tf_open(const char *path, int flags, unsigned mode, unsigned checks,
                                 int *fd, struct stat *st);
/* Reads path whole into b; a missing file gives *exists = 0 and NTLM_OK. */
NTLM_MUST_CHECK ntlm_err tf_read(const char *path, tf_buf *b, int *exists);
/* The same, also giving the status of the file read (st may be NULL). */
NTLM_MUST_CHECK ntlm_err tf_read_stat(const char *path, tf_buf *b, int *exists, struct stat *st);

/*
 * A file's identity for "has it changed?": device, inode, size, mtime and
 * ctime (editors and the tools replace a file, so its inode changes; an edit
 * in place changes size or times). exists 0: there was no file.
 */
typedef struct tf_file_id {
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
} tf_file_id;
/* The identity of st (a file that exists). */
void tf_file_id_from_stat(const struct stat *st, tf_file_id *id);
/*
 * The identity of path without following a symbolic link (one put in the
 * file's place is a change, then refused when read): 0, with id->exists 0
 * when there is no file; -1 when it cannot be told (errno says why).
 */
int tf_file_id_of(const char *path, tf_file_id *id);
int tf_same_file(const tf_file_id *a, const tf_file_id *b);

/* Length of the line without its "\n" or "\r\n". */
size_t tf_strip_eol(const char *line, size_t len);
/* 1 for a line of blanks or a '#' comment (after leading blanks). */
int tf_is_blank_or_comment(const char *s, size_t n);
/* Offset just past the line that starts at off (its '\n' included). */
size_t tf_line_end(const char *s, size_t len, size_t off);

#endif
