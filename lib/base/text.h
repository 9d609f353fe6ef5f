/*
 * text.h - text as NTLM carries it: UTF-8 <-> UTF-16LE and OEM, the
 * upper-casing NTOWFv2 and name comparisons need, hex, trimming.
 */
#ifndef NTLM_TEXT_H
#define NTLM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

/*
 * UTF-8 -> UTF-16LE. *out is allocated (free with ntlm_free_secret(*out, *out_len)
 * when it may hold a secret). Rejects invalid UTF-8 with NTLM_E_BAD_STRING.
 * upper != 0 upper-cases (the Unicode simple mapping for the common scripts:
 * Latin, Greek, Cyrillic), as NTOWFv2's Uppercase(User) needs.
 */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_utf16le(const char *s, int upper, uint8_t **out,
                                              size_t *out_len);
/*
 * The same with no allocation: the UTF-16LE is handed to sink in pieces
 * (NTOWFv2 hashes the names as they are converted). On NTLM_E_BAD_STRING
 * the sink may have seen the start of the string.
 */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_utf16le_each(
	const char *s, int upper, void (*sink)(void *arg, const uint8_t *p, size_t n), void *arg);
/*
 * The same into the caller's out of cap bytes, which must hold 2 * strlen(s)
 * (the most UTF-16LE a UTF-8 string can give; else NTLM_E_INVALID_PARAMETER).
 */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_utf16le_into(const char *s, uint8_t *out, size_t cap,
                                                   size_t *out_len);
/*
 * 1 when the UTF-16LE bytes u16[0..len) spell the UTF-8 string s exactly
 * (what decoding them and comparing would say, without the copy: invalid
 * UTF-16, a NUL or invalid UTF-8 never match). Names only: not constant time.
 */
int ntlm_utf16le_equals_utf8(const uint8_t *u16, size_t len, const char *s);
/* 1 when s is valid UTF-8 and upper-casing it (as above) changes it. */
int ntlm_utf8_upper_differs(const char *s);
/* UTF-16LE -> UTF-8 (NUL-terminated). Odd length, unpaired surrogates, NUL -> BAD_STRING. */
NTLM_MUST_CHECK ntlm_err ntlm_utf16le_to_utf8(const uint8_t *in, size_t len, char **out);
/* OEM (treated as ISO-8859-1) -> UTF-8; NUL -> BAD_STRING. */
NTLM_MUST_CHECK ntlm_err ntlm_oem_to_utf8(const uint8_t *in, size_t len, char **out);
/* UTF-8 -> OEM (ISO-8859-1); characters outside Latin-1 -> BAD_STRING. upper as above. */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_to_oem(const char *s, int upper, uint8_t **out, size_t *out_len);
/* Case-insensitive compare of two UTF-8 strings (same folding as above); 0 if equal. */
int ntlm_strcasecmp_utf8(const char *a, const char *b);
/* A hash that agrees with it: strings it calls equal hash the same (not for secrets). */
uint32_t ntlm_strcasehash_utf8(const char *s);
/* Upper-case a UTF-8 string in a new allocation. */
NTLM_MUST_CHECK ntlm_err ntlm_utf8_upper(const char *s, char **out);

/* src (NULL: "") into dst[cap], cut short to fit and always terminated: snprintf's "%s", faster. */
void ntlm_copy_string(char *dst, size_t cap, const char *src);

/* Strips leading and trailing white space in place; returns the new start. */
char *ntlm_trim(char *s);

/* Lower-case hex of n bytes into out (2n+1). */
void ntlm_hex_encode(const uint8_t *in, size_t n, char *out);
/* Value of one hex digit (either case), or -1. */
int ntlm_hex_value(char c);
/* Exactly 2n hex digits -> n bytes; NTLM_E_INVALID_PARAMETER otherwise. */
NTLM_MUST_CHECK ntlm_err ntlm_hex_decode(const char *hex, uint8_t *out, size_t n);

#endif
