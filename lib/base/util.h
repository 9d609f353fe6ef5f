/* util.h - secret hygiene, constant-time compare, strings (no protocol knowledge). */
#ifndef NTLM_UTIL_H
#define NTLM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

#define NTLM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Propagate an error: the one guard macro used throughout. */
#define NTLM_TRY(expr)                     \
	do {                                   \
		ntlm_err try_rc_ = (expr);         \
		if (try_rc_ != NTLM_OK)            \
			return try_rc_;                \
	} while (0)

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
NTLM_MUST_CHECK ntlm_err ntlm_grow_secret(void **block, size_t *cap, size_t used, size_t need, size_t first);
/* strdup that tolerates NULL (returns NULL) */
char *ntlm_strdup(const char *s);
/* Wipes strlen(s) bytes then frees. NULL-safe. */
void ntlm_free_string(char *s);

/*
 * UTF-8 -> UTF-16LE. *out is allocated (free with ntlm_free_secret(*out, *out_len)
 * when it may hold a secret). Rejects invalid UTF-8 with NTLM_E_BAD_STRING.
 * upper != 0 upper-cases (the Unicode simple mapping for the common scripts:
 * Latin, Greek, Cyrillic), as NTOWFv2's Uppercase(User) needs.
 */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_utf16le(const char *s, int upper, uint8_t **out, size_t *out_len);
/* UTF-16LE -> UTF-8 (NUL-terminated). Odd length, unpaired surrogates, NUL -> BAD_STRING. */
NTLM_MUST_CHECK ntlm_err ntlm_utf16le_to_utf8(const uint8_t *in, size_t len, char **out);
/* OEM (treated as ISO-8859-1) -> UTF-8; NUL -> BAD_STRING. */
NTLM_MUST_CHECK ntlm_err ntlm_oem_to_utf8(const uint8_t *in, size_t len, char **out);
/* UTF-8 -> OEM (ISO-8859-1); characters outside Latin-1 -> BAD_STRING. upper as above. */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_oem(const char *s, int upper, uint8_t **out, size_t *out_len);
/* Case-insensitive compare of two UTF-8 strings (same folding as above); 0 if equal. */
int ntlm_strcasecmp_utf8(const char *a, const char *b);
/* Upper-case a UTF-8 string in a new allocation. */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_upper(const char *s, char **out);

/*
 * getenv(), except in a set-user-ID or set-group-ID program, where the
 * environment belongs to a less trusted caller: NULL there. For the
 * variables that name files (NTLMSSP_CONF, NTLM_USER_FILE, NTLM_ACCOUNT_FILE).
 */
const char *ntlm_secure_getenv(const char *name);

/* Strips leading and trailing white space in place; returns the new start. */
char *ntlm_trim(char *s);

/* write(2)/read(2) all n bytes, retrying on EINTR and short transfers; 0 or -1. */
int ntlm_write_all(int fd, const void *p, size_t n);
int ntlm_read_all(int fd, void *p, size_t n);

/* Lower-case hex of n bytes into out (2n+1). */
void ntlm_hex_encode(const uint8_t *in, size_t n, char *out);
/* Value of one hex digit (either case), or -1. */
int ntlm_hex_value(char c);
/* Exactly 2n hex digits -> n bytes; NTLM_E_INVALID_PARAMETER otherwise. */
NTLM_MUST_CHECK ntlm_err ntlm_hex_decode(const char *hex, uint8_t *out, size_t n);

/* Windows FILETIME (100 ns since 1601) from Unix seconds, and back. */
uint64_t ntlm_unix_to_filetime(int64_t unix_seconds);
int64_t ntlm_filetime_to_unix(uint64_t filetime);

#endif
