/* errors_md.h - docs/ERRORS.md from the error list (NTLM_ERROR_LIST) */
#ifndef NTLMSSP_ERRORS_MD_H
#define NTLMSSP_ERRORS_MD_H

#include <stdio.h>

/* Writes the whole of docs/ERRORS.md; returns 0, or -1 on a write error. */
int errors_md_write(FILE *out);

#endif
