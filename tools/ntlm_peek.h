/*
 * ntlm_peek.h - what the line-protocol helpers need to know of an NTLMSSP
 * message before handing it to the engine: its type, read through the
 * bounded reader. Public API and base only, so the faces that sit on
 * libntlmssp.so (ntlm_auth) can use it.
 */
#ifndef NTLM_PEEK_H
#define NTLM_PEEK_H

#include <stddef.h>
#include <stdint.h>

/* [MS-NLMP] 2.2.1: every message starts with "NTLMSSP\0" and the MessageType. */
static const uint8_t NTLM_PEEK_SIGNATURE[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
enum { NTLM_PEEK_NEGOTIATE = 1, NTLM_PEEK_CHALLENGE = 2, NTLM_PEEK_AUTHENTICATE = 3 };

/* The MessageType of an NTLMSSP message, or 0 when data does not start like one. */
uint32_t ntlm_peek_type(const uint8_t *data, size_t len);

#endif
