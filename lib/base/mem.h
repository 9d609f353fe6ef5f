/* mem.h - secret hygiene: wiping, constant-time comparison, allocation that wipes. */
#ifndef NTLM_MEM_H
#define NTLM_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

#define NTLM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Zeroes memory in a way the compiler may not elide. */
void ntlm_memzero(void *p, size_t n);
/* 1 if equal, 0 if not; time depends only on n. */
int ntlm_ct_equal(const void *a, const void *b, size_t n);
/* 1 if all n bytes are zero; time depends only on n. */
int ntlm_ct_is_zero(const void *a, size_t n);

/* calloc/free that wipe (free_secret needs the size). */
void *ntlm_calloc(size_t n, size_t size);
void ntlm_free_secret(void *p, size_t n);
/*
 * Grows *block (capacity *cap, of which used bytes are kept) to hold at least
 * need bytes, doubling from first; the old block is wiped before it is freed.
 */
NTLM_MUST_CHECK ntlm_err ntlm_grow_secret(void **block, size_t *cap, size_t used, size_t need,
                                          size_t first);
/* strdup that tolerates NULL (returns NULL) */
char *ntlm_strdup(const char *s);
/* Wipes strlen(s) bytes then frees. NULL-safe. */
void ntlm_free_string(char *s);

#endif
