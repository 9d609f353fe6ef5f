/*
 * ntlm_walk.h - a validating walk over one NTLM message for `ntlm decode`.
 * The codec (lib/wire/wire.c) says what kind of fault a message has; people
 * debugging a peer need to know which field and where. The walk follows
 * the codec's layout decisions (which optional header parts exist, which
 * fields are read) and checks every field it would read, so a message the
 * walk passes is one the codec decodes.
 */
#ifndef NTLM_WALK_H
#define NTLM_WALK_H

#include <stddef.h>
#include <stdint.h>

/*
 * 0: well formed. -1: malformed, and why (NUL-terminated) names the field
 * and its offset, e.g. "DomainNameFields: offset 0x00000100 + length 12
 * beyond message end (length 88)".
 */
int walk_message(const uint8_t *msg, size_t len, char *why, size_t cap);

#endif
