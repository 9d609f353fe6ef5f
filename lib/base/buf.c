/* buf.c - bounded reader and growable writer; see buf.h */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "try.h"

/* Writers never grow past this: no NTLM message comes near it. */
#define NB_WRITER_MAX (16u * 1024u * 1024u)

void nb_reader_init(nb_reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->pos = 0;
}

ntlm_err nb_skip(nb_reader *r, size_t n)
{
	const uint8_t *v;
	return nb_read_view(r, n, &v);
}

ntlm_err nb_read_bytes(nb_reader *r, uint8_t *out, size_t n)
{
	const uint8_t *v;
	NTLM_TRY(nb_read_view(r, n, &v));
	if (n)
		memcpy(out, v, n);
	return NTLM_OK;
}

/* The integer reads decode in place from the bounded view: no copy through memcpy. */
ntlm_err nb_read_u8(nb_reader *r, uint8_t *v)
{
	const uint8_t *b;
	*v = 0;
	NTLM_TRY(nb_read_view(r, 1, &b));
	*v = b[0];
	return NTLM_OK;
}

ntlm_err nb_read_u16le(nb_reader *r, uint16_t *v)
{
	const uint8_t *b;
	*v = 0;
	NTLM_TRY(nb_read_view(r, 2, &b));
	*v = (uint16_t)(b[0] | (b[1] << 8));
	return NTLM_OK;
}

ntlm_err nb_read_u32le(nb_reader *r, uint32_t *v)
{
	const uint8_t *b;
	*v = 0;
	NTLM_TRY(nb_read_view(r, 4, &b));
	*v = nb_load_u32le(b);
	return NTLM_OK;
}

ntlm_err nb_read_u64le(nb_reader *r, uint64_t *v)
{
	const uint8_t *b;
	*v = 0;
	NTLM_TRY(nb_read_view(r, 8, &b));
	*v = (uint64_t)nb_load_u32le(b) | ((uint64_t)nb_load_u32le(b + 4) << 32);
	return NTLM_OK;
}

ntlm_err nb_expect(nb_reader *r, const uint8_t *expect, size_t n, ntlm_err on_mismatch)
{
	const uint8_t *v;
	NTLM_TRY(nb_read_view(r, n, &v));
	return memcmp(v, expect, n) == 0 ? NTLM_OK : on_mismatch;
}

ntlm_err nb_slice(const nb_reader *r, size_t off, size_t len, nb_reader *child)
{
	nb_reader_init(child, NULL, 0);
	if (off > r->len || len > r->len - off)
		return NTLM_E_FIELD_RANGE;
	nb_reader_init(child, r->data + off, len);
	return NTLM_OK;
}

uint32_t nb_load_u32le(const uint8_t b[4])
{
	return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

void nb_store_u32le(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

void nb_store_u64le(uint8_t b[8], uint64_t v)
{
	nb_store_u32le(b, (uint32_t)v);
	nb_store_u32le(b + 4, (uint32_t)(v >> 32));
}

void nb_writer_init(nb_writer *w)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
	w->err = NTLM_OK;
}

static ntlm_err nb_reserve(nb_writer *w, size_t n)
{
	if (w->err != NTLM_OK)
		return w->err;
	if (n > NB_WRITER_MAX - w->len) {
		w->err = NTLM_E_BUFFER_TOO_SMALL;
		return w->err;
	}
	if (n <= w->cap - w->len)
		return NTLM_OK; /* the common case: room already */
	void *block = w->data;
	ntlm_err rc = ntlm_grow_secret(&block, &w->cap, w->len, w->len + n, 64);
	w->data = block;
	if (rc != NTLM_OK)
		w->err = rc;
	return rc;
}

/* Room for n more bytes at once; a failure sticks in w->err like a write's. */
void nb_writer_reserve(nb_writer *w, size_t n)
{
	(void)nb_reserve(w, n);
}

uint8_t *nb_write_open(nb_writer *w, size_t n)
{
	return nb_reserve(w, n) == NTLM_OK ? w->data + w->len : NULL;
}

void nb_write_commit(nb_writer *w, size_t used)
{
	if (w->err == NTLM_OK && used <= w->cap - w->len)
		w->len += used;
	else if (w->err == NTLM_OK)
		w->err = NTLM_E_INVALID_PARAMETER; /* more than nb_write_open made room for */
}

/* n more bytes at the end, for the caller to fill; NULL when the writer failed (sticky). */
static uint8_t *nb_append(nb_writer *w, size_t n)
{
	if (nb_reserve(w, n) != NTLM_OK)
		return NULL;
	uint8_t *at = w->data + w->len;
	w->len += n;
	return at;
}

void nb_write_bytes(nb_writer *w, const void *p, size_t n)
{
	uint8_t *at = nb_append(w, n);
	if (at && n)
		memcpy(at, p, n);
}

void nb_write_zeros(nb_writer *w, size_t n)
{
	uint8_t *at = nb_append(w, n);
	if (at && n)
		memset(at, 0, n);
}

void nb_write_u8(nb_writer *w, uint8_t v)
{
	uint8_t *at = nb_append(w, 1);
	if (at)
		at[0] = v;
}

void nb_write_u16le(nb_writer *w, uint16_t v)
{
	uint8_t *at = nb_append(w, 2);
	if (at) {
		at[0] = (uint8_t)v;
		at[1] = (uint8_t)(v >> 8);
	}
}

void nb_write_u32le(nb_writer *w, uint32_t v)
{
	uint8_t *at = nb_append(w, 4);
	if (at)
		nb_store_u32le(at, v);
}

void nb_write_u64le(nb_writer *w, uint64_t v)
{
	uint8_t *at = nb_append(w, 8);
	if (at)
		nb_store_u64le(at, v);
}

ntlm_err nb_patch_bytes(nb_writer *w, size_t off, const void *p, size_t n)
{
	if (w->err != NTLM_OK)
		return w->err;
	if (off > w->len || n > w->len - off)
		return NTLM_E_INTERNAL;
	memcpy(w->data + off, p, n);
	return NTLM_OK;
}

ntlm_err nb_patch_u16le(nb_writer *w, size_t off, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	return nb_patch_bytes(w, off, b, 2);
}

ntlm_err nb_patch_u32le(nb_writer *w, size_t off, uint32_t v)
{
	uint8_t b[4];
	nb_store_u32le(b, v);
	return nb_patch_bytes(w, off, b, 4);
}

ntlm_err nb_writer_finish(nb_writer *w, ntlm_buffer *out)
{
	out->data = NULL;
	out->len = 0;
	if (w->err != NTLM_OK) {
		ntlm_err e = w->err;
		nb_writer_free(w);
		return e;
	}
	if (w->len == 0) {
		/* callers expect a non-NULL pointer even for empty output */
		if (nb_reserve(w, 1) != NTLM_OK) {
			nb_writer_free(w);
			return NTLM_E_NO_MEMORY;
		}
	}
	out->data = w->data;
	out->len = w->len;
	nb_writer_init(w);
	return NTLM_OK;
}

void nb_writer_free(nb_writer *w)
{
	ntlm_free_secret(w->data, w->cap);
	nb_writer_init(w);
}
