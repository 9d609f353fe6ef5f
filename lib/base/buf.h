/*
 * buf.h - the one bounded reader and the growable writer.
 *
 * Every byte that arrives from a peer is read through an nb_reader: each
 * read checks the remaining length first and fails with NTLM_E_TRUNCATED;
 * no caller does pointer arithmetic on wire data. Views returned by
 * nb_read_view() borrow the reader's memory.
 */
#ifndef NTLM_BUF_H
#define NTLM_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

typedef struct nb_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
} nb_reader;

void nb_reader_init(nb_reader *r, const uint8_t *data, size_t len);
/* The three calls every field read makes, inline (a message is read in about a hundred reads). */
static inline size_t nb_remaining(const nb_reader *r)
{
	return r->len - r->pos;
}

static inline size_t nb_pos(const nb_reader *r)
{
	return r->pos;
}

NTLM_MUST_CHECK ntlm_err nb_read_u8(nb_reader *r, uint8_t *v);
NTLM_MUST_CHECK ntlm_err nb_read_u16le(nb_reader *r, uint16_t *v);
NTLM_MUST_CHECK ntlm_err nb_read_u32le(nb_reader *r, uint32_t *v);
NTLM_MUST_CHECK ntlm_err nb_read_u64le(nb_reader *r, uint64_t *v);
NTLM_MUST_CHECK ntlm_err nb_read_bytes(nb_reader *r, uint8_t *out, size_t n);
/* *view = the next n bytes (borrowed), or NTLM_E_TRUNCATED and the reader does not move. */
NTLM_MUST_CHECK static inline ntlm_err nb_read_view(nb_reader *r, size_t n, const uint8_t **view)
{
	*view = NULL;
	if (n > nb_remaining(r))
		return NTLM_E_TRUNCATED;
	*view = r->data + r->pos;
	r->pos += n;
	return NTLM_OK;
}
NTLM_MUST_CHECK ntlm_err nb_skip(nb_reader *r, size_t n);
/* Fails (NTLM_E_BAD_SIGNATURE_HEADER) unless the next n bytes equal expect. */
NTLM_MUST_CHECK ntlm_err nb_expect(nb_reader *r, const uint8_t *expect, size_t n,
                                   ntlm_err on_mismatch);
/*
 * child = bytes [off, off+len) of r's whole buffer (absolute, independent of
 * r->pos). Overflow-safe; NTLM_E_FIELD_RANGE when outside.
 */
NTLM_MUST_CHECK ntlm_err nb_slice(const nb_reader *r, size_t off, size_t len, nb_reader *child);
/* Little-endian loads from a fixed-size array the caller owns (not wire data). */
uint32_t nb_load_u32le(const uint8_t b[4]);
void nb_store_u32le(uint8_t b[4], uint32_t v);
void nb_store_u64le(uint8_t b[8], uint64_t v);

/* Growable writer. Reallocation wipes the old block (it may hold secrets). */
typedef struct nb_writer {
	uint8_t *data;
	size_t len;
	size_t cap;
	ntlm_err err; /* sticky: first failure */
} nb_writer;

void nb_writer_init(nb_writer *w);
/*
 * Writes return nothing: the first failure sticks in w->err and every later
 * write does nothing, so a sequence of writes is checked once, by
 * nb_writer_finish() (or w->err).
 */
void nb_write_u8(nb_writer *w, uint8_t v);
void nb_write_u16le(nb_writer *w, uint16_t v);
void nb_write_u32le(nb_writer *w, uint32_t v);
void nb_write_u64le(nb_writer *w, uint64_t v);
void nb_write_bytes(nb_writer *w, const void *p, size_t n);
void nb_write_zeros(nb_writer *w, size_t n);
/* Room for n more bytes at once: an encoder that knows its size grows the block only once. */
void nb_writer_reserve(nb_writer *w, size_t n);
/*
 * For a producer that writes in place (a text converter): room for up to n
 * bytes at the end, or NULL (the failure sticks); the producer fills some of
 * them and nb_write_commit() appends the first `used`. Until then the bytes
 * are not part of the output.
 */
uint8_t *nb_write_open(nb_writer *w, size_t n);
void nb_write_commit(nb_writer *w, size_t used);
/* Overwrite already-written bytes (header fields filled in later). */
NTLM_MUST_CHECK ntlm_err nb_patch_u16le(nb_writer *w, size_t off, uint16_t v);
NTLM_MUST_CHECK ntlm_err nb_patch_u32le(nb_writer *w, size_t off, uint32_t v);
NTLM_MUST_CHECK ntlm_err nb_patch_bytes(nb_writer *w, size_t off, const void *p, size_t n);
/* Hands the bytes to *out (w is emptied); returns w->err if any write failed. */
NTLM_MUST_CHECK ntlm_err nb_writer_finish(nb_writer *w, ntlm_buffer *out);
/* Wipes and frees. */
void nb_writer_free(nb_writer *w);

#endif
