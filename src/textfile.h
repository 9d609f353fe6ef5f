/*
 * textfile.h - the local text files (smbpasswd, credential file) hold hashes
 * and passwords: read them whole into a buffer whose every copy is wiped,
 * and walk them line by line.
 */
#ifndef NTLM_TEXTFILE_H
#define NTLM_TEXTFILE_H

#include <stddef.h>

#include "ntlmssp/ntlmssp.h"

typedef struct tf_buf {
	char *p;
	size_t len, cap;
	size_t max; /* growth beyond this fails with NTLM_E_BAD_FILE */
} tf_buf;

void tf_init(tf_buf *b, size_t max);
void tf_free(tf_buf *b); /* wipes */
ntlm_err tf_reserve(tf_buf *b, size_t more);
ntlm_err tf_append(tf_buf *b, const char *s, size_t n);
/* Reads path whole into b; a missing file gives *exists = 0 and NTLM_OK. */
ntlm_err tf_read(const char *path, tf_buf *b, int *exists);

/* Length of the line without its "\n" or "\r\n". */
size_t tf_strip_eol(const char *line, size_t len);
/* 1 for a line of blanks or a '#' comment (after leading blanks). */
int tf_is_blank_or_comment(const char *s, size_t n);
/* Offset just past the line that starts at off (its '\n' included). */
size_t tf_line_end(const char *s, size_t len, size_t off);

#endif
