/*
 * ntlm_emit.h - structured output written once and rendered either as
 * indented "key: value" text for people (YAML-like: list items start with
 * "- ") or as one compact JSON object per document for programs.
 */
#ifndef NTLM_EMIT_H
#define NTLM_EMIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EMIT_MAX_DEPTH 8

typedef struct emit {
	FILE *f;
	int json;
	int depth; /* open containers, the document included */
	int is_list[EMIT_MAX_DEPTH];
	size_t count[EMIT_MAX_DEPTH];        /* members written so far per container */
	const char *pending[EMIT_MAX_DEPTH]; /* text: header of a list not yet printed */
	int too_deep;                        /* containers refused past EMIT_MAX_DEPTH */
} emit;

/* Opens the document (an object). */
void emit_begin(emit *e, FILE *f, int json);
/* Closes whatever is open and ends the document with a newline. */
void emit_end(emit *e);

/* Containers; key is ignored for an item of a list. */
void emit_object(emit *e, const char *key);
void emit_list(emit *e, const char *key);
void emit_close(emit *e);

/* A string from the wire: text mode quotes it; control characters are escaped. */
void emit_str(emit *e, const char *key, const char *s);
/* Our own words: text mode prints them as they are. */
void emit_text(emit *e, const char *key, const char *s);
void emit_uint(emit *e, const char *key, uint64_t v);
/* "0x%08x": a hex string in both modes. */
void emit_hex32(emit *e, const char *key, uint32_t v);
/* Bytes as a lower-case hex string. */
void emit_bytes(emit *e, const char *key, const uint8_t *p, size_t n);
void emit_bool(emit *e, const char *key, int v);

#endif
