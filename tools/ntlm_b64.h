/* ntlm_b64.h - base64 (RFC 4648, standard alphabet) for the line protocols. */
#ifndef NTLM_B64_H
#define NTLM_B64_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes the base64 of in[0..n) to f (with padding). Returns 0, or -1 on a write error. */
int b64_fput(FILE *f, const uint8_t *in, size_t n);

/*
 * Decodes s[0..len). strict: the line protocols' form (padding required,
 * canonical trailing bits); otherwise padding may be left off, as people
 * paste it. On success returns NULL and *out holds *out_len bytes (free
 * with ntlm_free_secret(*out, *out_len); NULL when empty). On failure
 * returns what is wrong and *where is the offending character's index.
 */
const char *b64_decode(const char *s, size_t len, int strict, uint8_t **out, size_t *out_len,
                       size_t *where);

#endif
