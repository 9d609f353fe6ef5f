/* ndr.c - NDR 2.0 primitives on the bounded reader/writer; see ndr.h */
#include "ndr.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "try.h"

void ndr_writer_init(ndr_writer *nw)
{
	nb_writer_init(&nw->w);
	nw->next_ref = NDR_REFERENT_FIRST;
}

ntlm_err ndr_writer_finish(ndr_writer *nw, ntlm_buffer *out)
{
	nw->next_ref = NDR_REFERENT_FIRST;
	return nb_writer_finish(&nw->w, out);
}

/* ------------------------------------------------------------ decoding */

ntlm_err ndr_align(nb_reader *r, size_t alignment)
{
	size_t pad = (alignment - nb_pos(r) % alignment) % alignment;
	return nb_skip(r, pad);
}

ntlm_err ndr_get_u8(nb_reader *r, uint8_t *v)
{
	return nb_read_u8(r, v);
}

ntlm_err ndr_get_u16(nb_reader *r, uint16_t *v)
{
	*v = 0;
	NTLM_TRY(ndr_align(r, 2));
	return nb_read_u16le(r, v);
}

ntlm_err ndr_get_u32(nb_reader *r, uint32_t *v)
{
	*v = 0;
	NTLM_TRY(ndr_align(r, 4));
	return nb_read_u32le(r, v);
}

ntlm_err ndr_get_i32(nb_reader *r, int32_t *v)
{
	uint32_t u;
	*v = 0;
	NTLM_TRY(ndr_get_u32(r, &u));
	*v = (int32_t)u;
	return NTLM_OK;
}

ntlm_err ndr_get_u64(nb_reader *r, uint64_t *v)
{
	*v = 0;
	NTLM_TRY(ndr_align(r, 8));
	return nb_read_u64le(r, v);
}

ntlm_err ndr_get_guid(nb_reader *r, ntlm_guid *g)
{
	memset(g, 0, sizeof(*g));
	NTLM_TRY(ndr_align(r, 4));
	return nb_read_bytes(r, g->bytes, sizeof(g->bytes));
}

ntlm_err ndr_get_ptr(nb_reader *r, int *present)
{
	uint32_t ref;
	*present = 0;
	NTLM_TRY(ndr_get_u32(r, &ref));
	*present = ref != 0;
	return NTLM_OK;
}

ntlm_err ndr_get_ref_ptr(nb_reader *r)
{
	int present;
	NTLM_TRY(ndr_get_ptr(r, &present));
	return present ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

ntlm_err ndr_get_count(nb_reader *r, uint32_t limit, uint32_t *count)
{
	NTLM_TRY(ndr_get_u32(r, count));
	return *count <= limit ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

ntlm_err ndr_get_count_eq(nb_reader *r, uint32_t expect)
{
	uint32_t count;
	NTLM_TRY(ndr_get_u32(r, &count));
	return count == expect ? NTLM_OK : NTLM_E_FIELD_RANGE;
}

ntlm_err ndr_get_view(nb_reader *r, size_t n, ndr_bytes *v)
{
	v->len = 0;
	NTLM_TRY(nb_read_view(r, n, &v->data));
	v->len = n;
	return NTLM_OK;
}

ntlm_err ndr_utf16_to_utf8(const uint8_t *u16, size_t units, char *out, size_t cap)
{
	char *s = NULL;
	out[0] = '\0';
	if (units == 0)
		return NTLM_OK;
	NTLM_TRY(ntlm_utf16le_to_utf8(u16, units * 2, &s));
	size_t n = strlen(s);
	ntlm_err rc = n < cap ? NTLM_OK : NTLM_E_FIELD_RANGE;
	if (rc == NTLM_OK)
		memcpy(out, s, n + 1);
	ntlm_free_string(s);
	return rc;
}

ntlm_err ndr_get_wstring(nb_reader *r, ndr_string *s)
{
	uint32_t max, offset, actual;
	const uint8_t *units;
	memset(s, 0, sizeof(*s));
	NTLM_TRY(ndr_get_count(r, NDR_MAX_STRING_CHARS + 1, &max));
	NTLM_TRY(ndr_get_u32(r, &offset));
	NTLM_TRY(ndr_get_u32(r, &actual));
	if (offset != 0 || actual == 0 || actual > max)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(nb_read_view(r, (size_t)actual * 2, &units));
	if (units[actual * 2 - 2] != 0 || units[actual * 2 - 1] != 0)
		return NTLM_E_BAD_STRING; /* [string]: the terminator is part of the count */
	NTLM_TRY(ndr_utf16_to_utf8(units, actual - 1, s->utf8, sizeof(s->utf8)));
	s->present = 1;
	return NTLM_OK;
}

ntlm_err ndr_get_unique_wstring(nb_reader *r, ndr_string *s)
{
	int present;
	memset(s, 0, sizeof(*s));
	NTLM_TRY(ndr_get_ptr(r, &present));
	return present ? ndr_get_wstring(r, s) : NTLM_OK;
}

ntlm_err ndr_get_guids(nb_reader *r, size_t n, ntlm_guid *out)
{
	for (size_t i = 0; i < n; i++)
		NTLM_TRY(ndr_get_guid(r, &out[i]));
	return NTLM_OK;
}

ntlm_err ndr_get_guid_array(nb_reader *r, uint32_t limit, ntlm_guid *out, uint32_t *count)
{
	NTLM_TRY(ndr_get_count(r, limit, count));
	return ndr_get_guids(r, *count, out);
}

ntlm_err ndr_get_u16_array(nb_reader *r, uint32_t limit, uint16_t *out, uint32_t *count)
{
	NTLM_TRY(ndr_get_count(r, limit, count));
	for (uint32_t i = 0; i < *count; i++)
		NTLM_TRY(ndr_get_u16(r, &out[i]));
	return NTLM_OK;
}

ntlm_err ndr_get_u32_array(nb_reader *r, uint32_t limit, uint32_t *out, uint32_t *count)
{
	NTLM_TRY(ndr_get_count(r, limit, count));
	for (uint32_t i = 0; i < *count; i++)
		NTLM_TRY(ndr_get_u32(r, &out[i]));
	return NTLM_OK;
}

ntlm_err ndr_get_mip(nb_reader *r, ndr_bytes *v)
{
	uint32_t max, cnt;
	v->data = NULL;
	v->len = 0;
	NTLM_TRY(ndr_get_count(r, NDR_MAX_MIP_BYTES, &max));
	NTLM_TRY(ndr_get_u32(r, &cnt));
	if (cnt != max)
		return NTLM_E_FIELD_RANGE;
	return ndr_get_view(r, cnt, v);
}

ntlm_err ndr_get_unique_mip(nb_reader *r, ndr_bytes *v)
{
	int present;
	v->data = NULL;
	v->len = 0;
	NTLM_TRY(ndr_get_ptr(r, &present));
	return present ? ndr_get_mip(r, v) : NTLM_OK;
}

/* A conformant array of HRESULTs (count <= limit). */
ntlm_err ndr_get_hresults(nb_reader *r, uint32_t limit, ntlm_hresult *out, uint32_t *n)
{
	NTLM_TRY(ndr_get_count(r, limit, n));
	for (uint32_t i = 0; i < *n; i++)
		NTLM_TRY(ndr_get_i32(r, &out[i]));
	return NTLM_OK;
}

void ndr_put_hresults(ndr_writer *nw, const ntlm_hresult *v, size_t n)
{
	ndr_put_u32(nw, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ndr_put_i32(nw, v[i]);
}

/*
 * A conformant array of n unique MInterfacePointer* (count = n exactly):
 * the referents, then the non-NULL pointees in order.
 */
ntlm_err ndr_get_mip_ptr_elems(nb_reader *r, uint32_t n, ndr_bytes *out)
{
	int present[NDR_MAX_MIP_PTRS];
	if (n > NDR_MAX_MIP_PTRS)
		return NTLM_E_FIELD_RANGE;
	for (uint32_t i = 0; i < n; i++)
		NTLM_TRY(ndr_get_ptr(r, &present[i]));
	for (uint32_t i = 0; i < n; i++)
		if (present[i])
			NTLM_TRY(ndr_get_mip(r, &out[i]));
	return NTLM_OK;
}

ntlm_err ndr_get_mip_ptrs(nb_reader *r, uint32_t n, ndr_bytes *out)
{
	if (n > NDR_MAX_MIP_PTRS)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, n));
	return ndr_get_mip_ptr_elems(r, n, out);
}

void ndr_put_mip_ptrs(ndr_writer *nw, const ndr_bytes *v, size_t n)
{
	ndr_put_u32(nw, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ndr_put_ptr(nw, v[i].data != NULL);
	for (size_t i = 0; i < n; i++)
		if (v[i].data)
			ndr_put_mip(nw, &v[i]);
}

/* ------------------------------------------------------------ encoding */

int ndr_put_limit(ndr_writer *nw, size_t n, size_t limit)
{
	if (n <= limit)
		return 1;
	if (nw->w.err == NTLM_OK)
		nw->w.err = NTLM_E_INVALID_PARAMETER;
	return 0;
}

/* Writes of nothing are skipped: the base writer would offset its NULL block by 0 (UB). */
void ndr_walign(ndr_writer *nw, size_t alignment)
{
	size_t pad = (alignment - nw->w.len % alignment) % alignment;
	if (pad)
		nb_write_zeros(&nw->w, pad);
}

void ndr_put_u8(ndr_writer *nw, uint8_t v)
{
	nb_write_u8(&nw->w, v);
}

void ndr_put_u16(ndr_writer *nw, uint16_t v)
{
	ndr_walign(nw, 2);
	nb_write_u16le(&nw->w, v);
}

void ndr_put_u32(ndr_writer *nw, uint32_t v)
{
	ndr_walign(nw, 4);
	nb_write_u32le(&nw->w, v);
}

void ndr_put_i32(ndr_writer *nw, int32_t v)
{
	ndr_put_u32(nw, (uint32_t)v);
}

void ndr_put_u64(ndr_writer *nw, uint64_t v)
{
	ndr_walign(nw, 8);
	nb_write_u64le(&nw->w, v);
}

void ndr_put_guid(ndr_writer *nw, const ntlm_guid *g)
{
	ndr_walign(nw, 4);
	nb_write_bytes(&nw->w, g->bytes, sizeof(g->bytes));
}

void ndr_put_ptr(ndr_writer *nw, int present)
{
	uint32_t ref = 0;
	if (present) {
		ref = nw->next_ref;
		nw->next_ref += 4;
	}
	ndr_put_u32(nw, ref);
}

void ndr_put_bytes(ndr_writer *nw, const void *p, size_t n)
{
	if (n)
		nb_write_bytes(&nw->w, p, n);
}

void ndr_put_wstring(ndr_writer *nw, const char *utf8)
{
	uint8_t *u16 = NULL;
	size_t len = 0;
	if (ntlm_utf8_to_utf16le(utf8, 0, &u16, &len) != NTLM_OK || len / 2 > NDR_MAX_STRING_CHARS) {
		if (nw->w.err == NTLM_OK)
			nw->w.err = NTLM_E_INVALID_PARAMETER;
		free(u16);
		return;
	}
	uint32_t units = (uint32_t)(len / 2) + 1;
	ndr_put_u32(nw, units);
	ndr_put_u32(nw, 0);
	ndr_put_u32(nw, units);
	ndr_put_bytes(nw, u16, len);
	nb_write_u16le(&nw->w, 0);
	free(u16);
}

void ndr_put_unique_wstring(ndr_writer *nw, const char *utf8)
{
	ndr_put_ptr(nw, utf8 != NULL);
	if (utf8)
		ndr_put_wstring(nw, utf8);
}

void ndr_put_guids(ndr_writer *nw, const ntlm_guid *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ndr_put_guid(nw, &g[i]);
}

void ndr_put_guid_array(ndr_writer *nw, const ntlm_guid *g, size_t n)
{
	ndr_put_u32(nw, (uint32_t)n);
	ndr_put_guids(nw, g, n);
}

void ndr_put_u16_array(ndr_writer *nw, const uint16_t *v, size_t n)
{
	ndr_put_u32(nw, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ndr_put_u16(nw, v[i]);
}

void ndr_put_u32_array(ndr_writer *nw, const uint32_t *v, size_t n)
{
	ndr_put_u32(nw, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ndr_put_u32(nw, v[i]);
}

void ndr_put_mip(ndr_writer *nw, const ndr_bytes *v)
{
	ndr_put_u32(nw, (uint32_t)v->len);
	ndr_put_u32(nw, (uint32_t)v->len);
	ndr_put_bytes(nw, v->data, v->len);
}

void ndr_put_unique_mip(ndr_writer *nw, const ndr_bytes *v)
{
	ndr_put_ptr(nw, v->data != NULL);
	if (v->data)
		ndr_put_mip(nw, v);
}

/* ------------------------------------------------------------ errors */

ntlm_hresult dcom_hresult_from_err(ntlm_err err)
{
	switch (err) {
	case NTLM_OK:
		return NTLM_DCOM_S_OK;
	case NTLM_E_NO_MEMORY:
		return NTLM_DCOM_E_OUTOFMEMORY;
	case NTLM_E_INVALID_PARAMETER:
		return NTLM_DCOM_E_INVALIDARG;
	default:
		return NTLM_DCOM_RPC_X_BAD_STUB_DATA;
	}
}

uint32_t dcom_fault_from_err(ntlm_err err)
{
	return err == NTLM_E_NO_MEMORY ? NTLM_RPC_FAULT_REMOTE_NO_MEMORY : NTLM_RPC_FAULT_NDR;
}
