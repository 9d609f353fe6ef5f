/* orpc.c - ORPC structures and the IRemUnknown(2) / IObjectExporter stubs; see orpc.h */
#include "orpc.h"

#include <stdlib.h>
#include <string.h>

#include "ndr_stub.h"
#include "text.h"
#include "try.h"

/* ------------------------------------------------- COMVERSION, ORPCTHIS, ORPCTHAT */

ntlm_err dcom_get_comversion(nb_reader *r, dcom_comversion *v)
{
	NTLM_TRY(ndr_get_u16(r, &v->major));
	return ndr_get_u16(r, &v->minor);
}

void dcom_put_comversion(ndr_writer *nw, const dcom_comversion *v)
{
	ndr_put_u16(nw, v->major);
	ndr_put_u16(nw, v->minor);
}

/* One ORPC_EXTENT (conformant structure), its data skipped. */
static ntlm_err skip_extent(nb_reader *r)
{
	uint32_t max, size;
	ntlm_guid id;
	NTLM_TRY(ndr_get_count(r, DCOM_MAX_EXTENT_BYTES, &max));
	NTLM_TRY(ndr_get_guid(r, &id));
	NTLM_TRY(ndr_get_u32(r, &size));
	if (max != ((size + 7u) & ~7u)) /* size <= max here, so no overflow */
		return NTLM_E_FIELD_RANGE;
	return nb_skip(r, max);
}

/*
 * The pointee of ORPCTHIS/ORPCTHAT.extensions: an ORPC_EXTENT_ARRAY, its
 * array of unique pointers, then each ORPC_EXTENT. None is understood
 * ([MS-DCOM] 2.2.21: unknown extensions are ignored), all are skipped
 * within the limits; *n gets how many were present.
 */
static ntlm_err skip_extensions(nb_reader *r, uint32_t *n)
{
	uint32_t size, reserved, max;
	int has_array, present[DCOM_MAX_EXTENTS + 1];
	*n = 0;
	NTLM_TRY(ndr_get_count(r, DCOM_MAX_EXTENTS, &size));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	NTLM_TRY(ndr_get_ptr(r, &has_array));
	if (!has_array)
		return size == 0 ? NTLM_OK : NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count(r, DCOM_MAX_EXTENTS + 1, &max));
	if (max != ((size + 1u) & ~1u))
		return NTLM_E_FIELD_RANGE;
	for (uint32_t i = 0; i < max; i++)
		NTLM_TRY(ndr_get_ptr(r, &present[i]));
	for (uint32_t i = 0; i < max; i++) {
		if (!present[i])
			continue;
		NTLM_TRY(skip_extent(r));
		(*n)++;
	}
	return NTLM_OK;
}

/* The extensions pointer and, if set, its pointee (which follows: ORPCTHIS/THAT are top-level). */
static ntlm_err get_extensions(nb_reader *r, uint32_t *n)
{
	int present;
	*n = 0;
	NTLM_TRY(ndr_get_ptr(r, &present));
	return present ? skip_extensions(r, n) : NTLM_OK;
}

ntlm_err dcom_get_orpcthis(nb_reader *r, dcom_orpcthis *o)
{
	memset(o, 0, sizeof(*o));
	NTLM_TRY(ndr_align(r, 4));
	NTLM_TRY(dcom_get_comversion(r, &o->version));
	NTLM_TRY(ndr_get_u32(r, &o->flags));
	NTLM_TRY(ndr_get_u32(r, &o->reserved1));
	NTLM_TRY(ndr_get_guid(r, &o->cid));
	NTLM_TRY(get_extensions(r, &o->n_extensions));
	/* a major version other than ours is refused: the server answers RPC_E_VERSION_MISMATCH */
	return o->version.major == DCOM_VERSION_MAJOR ? NTLM_OK : NTLM_E_BAD_SIGNATURE_HEADER;
}

void dcom_put_orpcthis(ndr_writer *nw, const dcom_orpcthis *o)
{
	ndr_walign(nw, 4);
	dcom_put_comversion(nw, &o->version);
	ndr_put_u32(nw, o->flags);
	ndr_put_u32(nw, o->reserved1);
	ndr_put_guid(nw, &o->cid);
	ndr_put_ptr(nw, 0); /* no extensions */
}

ntlm_err dcom_get_orpcthat(nb_reader *r, dcom_orpcthat *o)
{
	memset(o, 0, sizeof(*o));
	NTLM_TRY(ndr_get_u32(r, &o->flags));
	return get_extensions(r, &o->n_extensions);
}

void dcom_put_orpcthat(ndr_writer *nw, const dcom_orpcthat *o)
{
	ndr_put_u32(nw, o->flags);
	ndr_put_ptr(nw, 0);
}

/* ------------------------------------------------------------ STDOBJREF */

ntlm_err dcom_get_stdobjref(nb_reader *r, dcom_stdobjref *s)
{
	memset(s, 0, sizeof(*s));
	NTLM_TRY(ndr_align(r, 8));
	NTLM_TRY(ndr_get_u32(r, &s->flags));
	NTLM_TRY(ndr_get_u32(r, &s->public_refs));
	NTLM_TRY(ndr_get_u64(r, &s->oxid));
	NTLM_TRY(ndr_get_u64(r, &s->oid));
	return ndr_get_guid(r, &s->ipid);
}

void dcom_put_stdobjref(ndr_writer *nw, const dcom_stdobjref *s)
{
	ndr_walign(nw, 8);
	ndr_put_u32(nw, s->flags);
	ndr_put_u32(nw, s->public_refs);
	ndr_put_u64(nw, s->oxid);
	ndr_put_u64(nw, s->oid);
	ndr_put_guid(nw, &s->ipid);
}

/* ------------------------------------------------------ DUALSTRINGARRAY */

/* A NUL-terminated UTF-16 string in the units of a DUALSTRINGARRAY, as UTF-8 into out[cap]. */
static ntlm_err get_units_string(nb_reader *u, char *out, size_t cap)
{
	nb_reader scan = *u;
	size_t units = 0;
	uint16_t c;
	const uint8_t *v;
	for (;;) { /* find the NUL on a copy, then take the string as a view */
		NTLM_TRY(nb_read_u16le(&scan, &c));
		if (c == 0)
			break;
		units++;
	}
	NTLM_TRY(nb_read_view(u, units * 2, &v));
	NTLM_TRY(nb_skip(u, 2));
	return ndr_utf16_to_utf8(v, units, out, cap);
}

/* STRINGBINDINGs up to the 0 that ends them; bindings past DCOM_MAX_BINDINGS are parsed, not kept. */
static ntlm_err get_string_bindings(nb_reader *u, dcom_dualstringarray *d)
{
	uint16_t tower;
	dcom_string_binding spare;
	for (;;) {
		NTLM_TRY(nb_read_u16le(u, &tower));
		if (tower == 0)
			return NTLM_OK;
		dcom_string_binding *b = d->n_str < DCOM_MAX_BINDINGS ? &d->str[d->n_str++] : &spare;
		b->tower_id = tower;
		NTLM_TRY(get_units_string(u, b->addr, sizeof(b->addr)));
	}
}

static ntlm_err get_security_bindings(nb_reader *u, dcom_dualstringarray *d)
{
	uint16_t authn;
	dcom_security_binding spare;
	for (;;) {
		NTLM_TRY(nb_read_u16le(u, &authn));
		if (authn == 0)
			return NTLM_OK;
		dcom_security_binding *b = d->n_sec < DCOM_MAX_BINDINGS ? &d->sec[d->n_sec++] : &spare;
		b->authn_svc = authn;
		NTLM_TRY(nb_read_u16le(u, &b->authz_svc));
		NTLM_TRY(get_units_string(u, b->princ_name, sizeof(b->princ_name)));
	}
}

/*
 * The entries (units 16-bit units, security section from sec_off): each
 * section must end with its 0 inside its bounds.
 */
static ntlm_err get_dsa_entries(nb_reader *r, uint32_t units, uint32_t sec_off,
                                dcom_dualstringarray *d)
{
	nb_reader all, str, sec;
	const uint8_t *v;
	if (sec_off > units)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(nb_read_view(r, (size_t)units * 2, &v));
	nb_reader_init(&all, v, (size_t)units * 2);
	NTLM_TRY(nb_slice(&all, 0, (size_t)sec_off * 2, &str));
	NTLM_TRY(nb_slice(&all, (size_t)sec_off * 2, (size_t)(units - sec_off) * 2, &sec));
	NTLM_TRY(get_string_bindings(&str, d));
	return get_security_bindings(&sec, d);
}

ntlm_err dcom_get_dsa(nb_reader *r, dcom_dualstringarray *d)
{
	uint32_t max;
	uint16_t n, sec_off;
	memset(d, 0, sizeof(*d));
	NTLM_TRY(ndr_get_count(r, DCOM_MAX_DSA_UNITS, &max));
	NTLM_TRY(ndr_get_u16(r, &n));
	NTLM_TRY(ndr_get_u16(r, &sec_off));
	if (n != max)
		return NTLM_E_FIELD_RANGE;
	return get_dsa_entries(r, n, sec_off, d);
}

ntlm_err dcom_get_dsa_packed(nb_reader *r, dcom_dualstringarray *d)
{
	uint16_t n, sec_off;
	memset(d, 0, sizeof(*d));
	NTLM_TRY(nb_read_u16le(r, &n));
	NTLM_TRY(nb_read_u16le(r, &sec_off));
	if (n > DCOM_MAX_DSA_UNITS)
		return NTLM_E_FIELD_RANGE;
	return get_dsa_entries(r, n, sec_off, d);
}

ntlm_err dcom_get_unique_dsa(nb_reader *r, int *present, dcom_dualstringarray *d)
{
	memset(d, 0, sizeof(*d));
	NTLM_TRY(ndr_get_ptr(r, present));
	return *present ? dcom_get_dsa(r, d) : NTLM_OK;
}

/* A UTF-8 string as UTF-16LE units and the terminating 0. */
static void put_units_string(nb_writer *u, const char *s)
{
	uint8_t *u16 = NULL;
	size_t len = 0;
	if (ntlm_utf8_to_utf16le(s, 0, &u16, &len) != NTLM_OK) {
		if (u->err == NTLM_OK)
			u->err = NTLM_E_INVALID_PARAMETER;
	} else if (len) {
		nb_write_bytes(u, u16, len);
	}
	free(u16);
	nb_write_u16le(u, 0);
}

/*
 * The units of a DUALSTRINGARRAY into u (from its start); *sec_off gets the
 * security offset. An empty section is two zeros ([MS-DCOM] 2.2.19.1).
 */
static void put_dsa_units(nb_writer *u, const dcom_dualstringarray *d, uint16_t *sec_off)
{
	size_t n_str = d->n_str, n_sec = d->n_sec;
	if (n_str > DCOM_MAX_BINDINGS || n_sec > DCOM_MAX_BINDINGS) {
		if (u->err == NTLM_OK)
			u->err = NTLM_E_INVALID_PARAMETER;
		return;
	}
	for (size_t i = 0; i < n_str; i++) {
		nb_write_u16le(u, d->str[i].tower_id);
		put_units_string(u, d->str[i].addr);
	}
	nb_write_u16le(u, 0);
	if (n_str == 0)
		nb_write_u16le(u, 0);
	*sec_off = (uint16_t)(u->len / 2);
	for (size_t i = 0; i < n_sec; i++) {
		nb_write_u16le(u, d->sec[i].authn_svc);
		nb_write_u16le(u, d->sec[i].authz_svc);
		put_units_string(u, d->sec[i].princ_name);
	}
	nb_write_u16le(u, 0);
	if (n_sec == 0)
		nb_write_u16le(u, 0);
	if (u->err == NTLM_OK && u->len / 2 > DCOM_MAX_DSA_UNITS)
		u->err = NTLM_E_INVALID_PARAMETER;
}

/* Both forms: with_max adds the NDR conformance first. */
static void put_dsa(ndr_writer *nw, const dcom_dualstringarray *d, int with_max)
{
	nb_writer u;
	uint16_t sec_off = 0;
	nb_writer_init(&u);
	put_dsa_units(&u, d, &sec_off);
	if (u.err != NTLM_OK && nw->w.err == NTLM_OK)
		nw->w.err = u.err;
	uint16_t n = (uint16_t)(u.len / 2);
	if (with_max)
		ndr_put_u32(nw, n);
	ndr_put_u16(nw, n);
	ndr_put_u16(nw, sec_off);
	ndr_put_bytes(nw, u.data, u.len);
	nb_writer_free(&u);
}

void dcom_put_dsa(ndr_writer *nw, const dcom_dualstringarray *d)
{
	put_dsa(nw, d, 1);
}

void dcom_put_dsa_packed(ndr_writer *nw, const dcom_dualstringarray *d)
{
	put_dsa(nw, d, 0);
}

void dcom_put_unique_dsa(ndr_writer *nw, const dcom_dualstringarray *d)
{
	ndr_put_ptr(nw, d != NULL);
	if (d)
		dcom_put_dsa(nw, d);
}

/* ---------------------------------------------------------------- OBJREF */

static ntlm_err get_objref_custom(nb_reader *r, dcom_objref *o)
{
	uint32_t cb_extension, reserved;
	NTLM_TRY(ndr_get_guid(r, &o->clsid));
	NTLM_TRY(nb_read_u32le(r, &cb_extension));
	NTLM_TRY(nb_read_u32le(r, &reserved)); /* a size some peers send: ignored, as the spec says */
	if (cb_extension != 0)
		return NTLM_E_UNSUPPORTED; /* no envoy or context extensions in activation blobs */
	return ndr_get_view(r, nb_remaining(r), &o->object_data);
}

ntlm_err dcom_objref_decode(const uint8_t *in, size_t len, dcom_objref *out)
{
	nb_reader r;
	uint32_t signature;
	memset(out, 0, sizeof(*out));
	nb_reader_init(&r, in, len);
	NTLM_TRY(nb_read_u32le(&r, &signature));
	if (signature != DCOM_OBJREF_SIGNATURE)
		return NTLM_E_BAD_SIGNATURE_HEADER;
	NTLM_TRY(nb_read_u32le(&r, &out->flags));
	NTLM_TRY(ndr_get_guid(&r, &out->iid));
	switch (out->flags) {
	case DCOM_OBJREF_STANDARD:
		NTLM_TRY(dcom_get_stdobjref(&r, &out->std));
		return dcom_get_dsa_packed(&r, &out->resaddr);
	case DCOM_OBJREF_CUSTOM:
		return get_objref_custom(&r, out);
	default: /* HANDLER and EXTENDED are never needed here; anything else is not an OBJREF */
		return out->flags == DCOM_OBJREF_HANDLER || out->flags == DCOM_OBJREF_EXTENDED
		           ? NTLM_E_UNSUPPORTED
		           : NTLM_E_BAD_SIGNATURE_HEADER;
	}
}

ntlm_err dcom_objref_encode(const dcom_objref *in, ntlm_buffer *out)
{
	ndr_writer nw;
	ndr_writer_init(&nw);
	ndr_put_u32(&nw, DCOM_OBJREF_SIGNATURE);
	ndr_put_u32(&nw, in->flags);
	ndr_put_guid(&nw, &in->iid);
	if (in->flags == DCOM_OBJREF_STANDARD) {
		dcom_put_stdobjref(&nw, &in->std);
		dcom_put_dsa_packed(&nw, &in->resaddr);
	} else if (in->flags == DCOM_OBJREF_CUSTOM) {
		ndr_put_guid(&nw, &in->clsid);
		ndr_put_u32(&nw, 0);                                  /* cbExtension */
		ndr_put_u32(&nw, (uint32_t)in->object_data.len + 8u); /* reserved: the size, as Windows */
		ndr_put_bytes(&nw, in->object_data.data, in->object_data.len);
	} else if (nw.w.err == NTLM_OK) {
		nw.w.err = NTLM_E_UNSUPPORTED;
	}
	return ndr_writer_finish(&nw, out);
}

/* ------------------------------------------------------ shared stubs */

static ntlm_err get_orpc_req(nb_reader *r, dcom_orpc_req *q)
{
	return dcom_get_orpcthis(r, &q->orpc);
}

static void put_orpc_req(ndr_writer *nw, const dcom_orpc_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
}
STUB_CODEC(dcom_orpc_req, get_orpc_req, put_orpc_req)

static ntlm_err get_hr_resp(nb_reader *r, dcom_hr_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	return ndr_get_i32(r, &p->hr);
}

static void put_hr_resp(ndr_writer *nw, const dcom_hr_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_hr_resp, get_hr_resp, put_hr_resp)

static ntlm_err get_status_resp(nb_reader *r, dcom_status_resp *p)
{
	return ndr_get_u32(r, &p->status);
}

static void put_status_resp(ndr_writer *nw, const dcom_status_resp *p)
{
	ndr_put_u32(nw, p->status);
}
STUB_CODEC(dcom_status_resp, get_status_resp, put_status_resp)

/* ------------------------------------------------------ IRemUnknown(2) */

/* A count field n (1..limit) and the conformant array of GUIDs it sizes. */
static ntlm_err get_counted_guids(nb_reader *r, uint32_t n, uint32_t limit, ntlm_guid *out)
{
	if (n == 0 || n > limit)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, n));
	return ndr_get_guids(r, n, out);
}

static ntlm_err get_remqi_req(nb_reader *r, dcom_remqi_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_guid(r, &q->ipid));
	NTLM_TRY(ndr_get_u32(r, &q->refs));
	NTLM_TRY(ndr_get_u16(r, &q->n_iids));
	return get_counted_guids(r, q->n_iids, DCOM_MAX_IIDS, q->iids);
}

/* cIids and the conformant array it sizes (the encoding side of get_counted_guids). */
static void put_counted_guids(ndr_writer *nw, uint16_t n, const ntlm_guid *iids)
{
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS))
		return;
	ndr_put_u16(nw, n);
	ndr_put_guid_array(nw, iids, n);
}

static void put_remqi_req(ndr_writer *nw, const dcom_remqi_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_guid(nw, &q->ipid);
	ndr_put_u32(nw, q->refs);
	put_counted_guids(nw, q->n_iids, q->iids);
}
STUB_CODEC(dcom_remqi_req, get_remqi_req, put_remqi_req)

static ntlm_err get_remqiresult(nb_reader *r, dcom_remqiresult *q)
{
	NTLM_TRY(ndr_align(r, 8));
	NTLM_TRY(ndr_get_i32(r, &q->hr));
	return dcom_get_stdobjref(r, &q->std);
}

static ntlm_err get_remqi_resp(nb_reader *r, dcom_remqi_resp *p)
{
	uint32_t n;
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_ptr(r, &p->has_results));
	if (p->has_results) {
		NTLM_TRY(ndr_get_count(r, DCOM_MAX_IIDS, &n));
		p->n_results = (uint16_t)n;
		for (uint32_t i = 0; i < n; i++)
			NTLM_TRY(get_remqiresult(r, &p->results[i]));
	}
	return ndr_get_i32(r, &p->hr);
}

static void put_remqi_resp(ndr_writer *nw, const dcom_remqi_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	if (!ndr_put_limit(nw, p->n_results, DCOM_MAX_IIDS))
		return;
	ndr_put_ptr(nw, p->has_results);
	if (p->has_results) {
		ndr_put_u32(nw, p->n_results);
		for (uint32_t i = 0; i < p->n_results; i++) {
			ndr_walign(nw, 8);
			ndr_put_i32(nw, p->results[i].hr);
			dcom_put_stdobjref(nw, &p->results[i].std);
		}
	}
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_remqi_resp, get_remqi_resp, put_remqi_resp)

static ntlm_err get_remrefs_req(nb_reader *r, dcom_remrefs_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_u16(r, &q->n_refs));
	if (q->n_refs == 0 || q->n_refs > DCOM_MAX_REFS)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, q->n_refs));
	for (uint32_t i = 0; i < q->n_refs; i++) {
		NTLM_TRY(ndr_get_guid(r, &q->refs[i].ipid));
		NTLM_TRY(ndr_get_u32(r, &q->refs[i].public_refs));
		NTLM_TRY(ndr_get_u32(r, &q->refs[i].private_refs));
	}
	return NTLM_OK;
}

static void put_remrefs_req(ndr_writer *nw, const dcom_remrefs_req *q)
{
	if (!ndr_put_limit(nw, q->n_refs, DCOM_MAX_REFS))
		return;
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_u16(nw, q->n_refs);
	ndr_put_u32(nw, q->n_refs);
	for (uint32_t i = 0; i < q->n_refs; i++) {
		ndr_put_guid(nw, &q->refs[i].ipid);
		ndr_put_u32(nw, q->refs[i].public_refs);
		ndr_put_u32(nw, q->refs[i].private_refs);
	}
}
STUB_CODEC(dcom_remrefs_req, get_remrefs_req, put_remrefs_req)

static ntlm_err get_remaddref_resp(nb_reader *r, dcom_remaddref_resp *p)
{
	uint32_t n;
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_hresults(r, DCOM_MAX_REFS, p->results, &n));
	p->n_results = (uint16_t)n;
	return ndr_get_i32(r, &p->hr);
}

static void put_remaddref_resp(ndr_writer *nw, const dcom_remaddref_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	if (!ndr_put_limit(nw, p->n_results, DCOM_MAX_REFS))
		return;
	ndr_put_hresults(nw, p->results, p->n_results);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_remaddref_resp, get_remaddref_resp, put_remaddref_resp)

static ntlm_err get_remqi2_req(nb_reader *r, dcom_remqi2_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	NTLM_TRY(ndr_get_guid(r, &q->ipid));
	NTLM_TRY(ndr_get_u16(r, &q->n_iids));
	return get_counted_guids(r, q->n_iids, DCOM_MAX_IIDS, q->iids);
}

static void put_remqi2_req(ndr_writer *nw, const dcom_remqi2_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_guid(nw, &q->ipid);
	put_counted_guids(nw, q->n_iids, q->iids);
}
STUB_CODEC(dcom_remqi2_req, get_remqi2_req, put_remqi2_req)

static ntlm_err get_remqi2_resp(nb_reader *r, dcom_remqi2_resp *p)
{
	uint32_t n;
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_hresults(r, DCOM_MAX_IIDS, p->hrs, &n));
	p->n_iids = (uint16_t)n;
	NTLM_TRY(ndr_get_mip_ptrs(r, n, p->mifs));
	return ndr_get_i32(r, &p->hr);
}

static void put_remqi2_resp(ndr_writer *nw, const dcom_remqi2_resp *p)
{
	size_t n = p->n_iids;
	if (!ndr_put_limit(nw, n, DCOM_MAX_IIDS))
		return;
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_hresults(nw, p->hrs, n);
	ndr_put_mip_ptrs(nw, p->mifs, n);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_remqi2_resp, get_remqi2_resp, put_remqi2_resp)

/* ------------------------------------------------------ IClassFactory */

static ntlm_err get_cf_createinstance_req(nb_reader *r, dcom_cf_createinstance_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	return ndr_get_guid(r, &q->iid);
}

static void put_cf_createinstance_req(ndr_writer *nw, const dcom_cf_createinstance_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_guid(nw, &q->iid);
}
STUB_CODEC(dcom_cf_createinstance_req, get_cf_createinstance_req, put_cf_createinstance_req)

static ntlm_err get_cf_createinstance_resp(nb_reader *r, dcom_cf_createinstance_resp *p)
{
	NTLM_TRY(dcom_get_orpcthat(r, &p->orpc));
	NTLM_TRY(ndr_get_unique_mip(r, &p->object));
	return ndr_get_i32(r, &p->hr);
}

static void put_cf_createinstance_resp(ndr_writer *nw, const dcom_cf_createinstance_resp *p)
{
	dcom_put_orpcthat(nw, &p->orpc);
	ndr_put_unique_mip(nw, &p->object);
	ndr_put_i32(nw, p->hr);
}
STUB_CODEC(dcom_cf_createinstance_resp, get_cf_createinstance_resp, put_cf_createinstance_resp)

static ntlm_err get_cf_lockserver_req(nb_reader *r, dcom_cf_lockserver_req *q)
{
	NTLM_TRY(dcom_get_orpcthis(r, &q->orpc));
	return ndr_get_i32(r, &q->lock);
}

static void put_cf_lockserver_req(ndr_writer *nw, const dcom_cf_lockserver_req *q)
{
	dcom_put_orpcthis(nw, &q->orpc);
	ndr_put_i32(nw, q->lock);
}
STUB_CODEC(dcom_cf_lockserver_req, get_cf_lockserver_req, put_cf_lockserver_req)

/* ------------------------------------------------------ IObjectExporter */

static ntlm_err get_resolveoxid_req(nb_reader *r, dcom_resolveoxid_req *q)
{
	NTLM_TRY(ndr_get_u64(r, &q->oxid));
	NTLM_TRY(ndr_get_u16(r, &q->n_protseqs));
	if (q->n_protseqs == 0 || q->n_protseqs > DCOM_MAX_PROTSEQS)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, q->n_protseqs));
	for (uint32_t i = 0; i < q->n_protseqs; i++)
		NTLM_TRY(ndr_get_u16(r, &q->protseqs[i]));
	return NTLM_OK;
}

static void put_resolveoxid_req(ndr_writer *nw, const dcom_resolveoxid_req *q)
{
	ndr_put_u64(nw, q->oxid);
	ndr_put_u16(nw, q->n_protseqs);
	if (ndr_put_limit(nw, q->n_protseqs, DCOM_MAX_PROTSEQS))
		ndr_put_u16_array(nw, q->protseqs, q->n_protseqs);
}
STUB_CODEC(dcom_resolveoxid_req, get_resolveoxid_req, put_resolveoxid_req)

/* ResolveOxid's and ResolveOxid2's answer: v2 adds pComVersion before the status. */
static ntlm_err get_resolveoxid_any(nb_reader *r, dcom_resolveoxid_resp *p, int v2)
{
	NTLM_TRY(dcom_get_unique_dsa(r, &p->has_bindings, &p->bindings));
	NTLM_TRY(ndr_get_guid(r, &p->ipid_remunknown));
	NTLM_TRY(ndr_get_u32(r, &p->authn_hint));
	if (v2)
		NTLM_TRY(dcom_get_comversion(r, &p->version));
	return ndr_get_u32(r, &p->status);
}

static void put_resolveoxid_any(ndr_writer *nw, const dcom_resolveoxid_resp *p, int v2)
{
	dcom_put_unique_dsa(nw, p->has_bindings ? &p->bindings : NULL);
	ndr_put_guid(nw, &p->ipid_remunknown);
	ndr_put_u32(nw, p->authn_hint);
	if (v2)
		dcom_put_comversion(nw, &p->version);
	ndr_put_u32(nw, p->status);
}

static ntlm_err get_resolveoxid_resp(nb_reader *r, dcom_resolveoxid_resp *p)
{
	return get_resolveoxid_any(r, p, 0);
}

static void put_resolveoxid_resp(ndr_writer *nw, const dcom_resolveoxid_resp *p)
{
	put_resolveoxid_any(nw, p, 0);
}
STUB_CODEC(dcom_resolveoxid_resp, get_resolveoxid_resp, put_resolveoxid_resp)

static ntlm_err get_resolveoxid2_resp(nb_reader *r, dcom_resolveoxid_resp *p)
{
	return get_resolveoxid_any(r, p, 1);
}

static void put_resolveoxid2_resp(ndr_writer *nw, const dcom_resolveoxid_resp *p)
{
	put_resolveoxid_any(nw, p, 1);
}

ntlm_err dcom_resolveoxid2_resp_decode(const uint8_t *in, size_t len, dcom_resolveoxid_resp *out)
{
	DECODE_WITH(get_resolveoxid2_resp, in, len, out);
}

ntlm_err dcom_resolveoxid2_resp_encode(const dcom_resolveoxid_resp *in, ntlm_buffer *out)
{
	ENCODE_WITH(put_resolveoxid2_resp, in, out);
}

static ntlm_err get_simpleping_req(nb_reader *r, dcom_simpleping_req *q)
{
	return ndr_get_u64(r, &q->setid);
}

static void put_simpleping_req(ndr_writer *nw, const dcom_simpleping_req *q)
{
	ndr_put_u64(nw, q->setid);
}
STUB_CODEC(dcom_simpleping_req, get_simpleping_req, put_simpleping_req)

/* A unique pointer to n OIDs (count field n, conformance = n), or NULL when n is 0. */
static ntlm_err get_oid_set(nb_reader *r, uint16_t n, uint64_t *out)
{
	int present;
	if (n > DCOM_MAX_PING_OIDS)
		return NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_ptr(r, &present));
	if (!present)
		return n == 0 ? NTLM_OK : NTLM_E_FIELD_RANGE;
	NTLM_TRY(ndr_get_count_eq(r, n));
	for (uint32_t i = 0; i < n; i++)
		NTLM_TRY(ndr_get_u64(r, &out[i]));
	return NTLM_OK;
}

static void put_oid_set(ndr_writer *nw, uint16_t n, const uint64_t *v)
{
	if (!ndr_put_limit(nw, n, DCOM_MAX_PING_OIDS))
		return;
	ndr_put_ptr(nw, n != 0);
	if (n == 0)
		return;
	ndr_put_u32(nw, n);
	for (uint32_t i = 0; i < n; i++)
		ndr_put_u64(nw, v[i]);
}

static ntlm_err get_complexping_req(nb_reader *r, dcom_complexping_req *q)
{
	NTLM_TRY(ndr_get_u64(r, &q->setid));
	NTLM_TRY(ndr_get_u16(r, &q->seq));
	NTLM_TRY(ndr_get_u16(r, &q->n_add));
	NTLM_TRY(ndr_get_u16(r, &q->n_del));
	NTLM_TRY(get_oid_set(r, q->n_add, q->add));
	return get_oid_set(r, q->n_del, q->del);
}

static void put_complexping_req(ndr_writer *nw, const dcom_complexping_req *q)
{
	ndr_put_u64(nw, q->setid);
	ndr_put_u16(nw, q->seq);
	ndr_put_u16(nw, q->n_add);
	ndr_put_u16(nw, q->n_del);
	put_oid_set(nw, q->n_add, q->add);
	put_oid_set(nw, q->n_del, q->del);
}
STUB_CODEC(dcom_complexping_req, get_complexping_req, put_complexping_req)

static ntlm_err get_complexping_resp(nb_reader *r, dcom_complexping_resp *p)
{
	NTLM_TRY(ndr_get_u64(r, &p->setid));
	NTLM_TRY(ndr_get_u16(r, &p->backoff));
	return ndr_get_u32(r, &p->status);
}

static void put_complexping_resp(ndr_writer *nw, const dcom_complexping_resp *p)
{
	ndr_put_u64(nw, p->setid);
	ndr_put_u16(nw, p->backoff);
	ndr_put_u32(nw, p->status);
}
STUB_CODEC(dcom_complexping_resp, get_complexping_resp, put_complexping_resp)

static ntlm_err get_serveralive2_resp(nb_reader *r, dcom_serveralive2_resp *p)
{
	uint32_t reserved;
	NTLM_TRY(dcom_get_comversion(r, &p->version));
	NTLM_TRY(dcom_get_unique_dsa(r, &p->has_bindings, &p->bindings));
	NTLM_TRY(ndr_get_u32(r, &reserved));
	return ndr_get_u32(r, &p->status);
}

static void put_serveralive2_resp(ndr_writer *nw, const dcom_serveralive2_resp *p)
{
	dcom_put_comversion(nw, &p->version);
	dcom_put_unique_dsa(nw, p->has_bindings ? &p->bindings : NULL);
	ndr_put_u32(nw, 0); /* pReserved */
	ndr_put_u32(nw, p->status);
}
STUB_CODEC(dcom_serveralive2_resp, get_serveralive2_resp, put_serveralive2_resp)
