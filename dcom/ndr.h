/*
 * ndr.h - NDR 2.0 primitives ([C706] 14, [MS-RPCE] 2.2.5) on the bounded
 * reader and the writer of lib/base/buf.h.
 *
 * Little-endian only (the data representation every peer sends; the RPC
 * layer refuses others). Alignment is relative to the start of the reader or
 * writer: the stub data of a PDU, or one type-serialized object ([MS-RPCE]
 * 2.2.6), each of which starts 8-aligned. Padding bytes are skipped unread
 * (peers fill them differently). Every decoder takes an nb_reader, every
 * encoder an ndr_writer (an nb_writer and the next referent id), and returns
 * ntlm_err:
 *   NTLM_E_TRUNCATED     the data ends early
 *   NTLM_E_FIELD_RANGE   a count or size over its named limit, or inconsistent
 *   NTLM_E_BAD_SIGNATURE_HEADER  a signature, version or fixed field is wrong
 *   NTLM_E_UNSUPPORTED   valid but not implemented (an OBJREF flavour...)
 *   NTLM_E_NO_MEMORY     allocation failed (the writer)
 * Decoded structures borrow from the input (views) or copy into fixed,
 * bounded arrays: they need no freeing and are valid while the input is.
 */
#ifndef DCOM_NDR_H
#define DCOM_NDR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ntlmssp/dcom.h"
#include "ntlmssp/ntlmssp.h"

/* Limits of decoded strings (UTF-16 code units, terminator excluded). */
#define NDR_MAX_STRING_CHARS 256
/* A decoded string as UTF-8 with its terminator: every code unit can take 3 bytes. */
#define NDR_STRING_UTF8_MAX (3 * NDR_MAX_STRING_CHARS + 1)

/* A borrowed byte range (of the input when decoded, of the caller when encoded). */
typedef struct ndr_bytes {
	const uint8_t *data;
	size_t len;
} ndr_bytes;

/* A unique [string] wchar_t* decoded as UTF-8 (NUL-terminated); present = 0 for a NULL pointer. */
typedef struct ndr_string {
	int present;
	char utf8[NDR_STRING_UTF8_MAX];
} ndr_string;

/* Referent ids of the pointers an encoder writes: 0x00020000, +4 each (as Windows numbers them). */
#define NDR_REFERENT_FIRST 0x00020000u
typedef struct ndr_writer {
	nb_writer w;
	uint32_t next_ref;
} ndr_writer;

void ndr_writer_init(ndr_writer *nw);
/* The bytes to *out (ntlm_buffer_free), or the first failure; nw is emptied either way. */
NTLM_MUST_CHECK ntlm_err ndr_writer_finish(ndr_writer *nw, ntlm_buffer *out);

/* ---- decoding: each aligns to the size of the value first ---- */
NTLM_MUST_CHECK ntlm_err ndr_align(nb_reader *r, size_t alignment);
NTLM_MUST_CHECK ntlm_err ndr_get_u8(nb_reader *r, uint8_t *v);
NTLM_MUST_CHECK ntlm_err ndr_get_u16(nb_reader *r, uint16_t *v);
NTLM_MUST_CHECK ntlm_err ndr_get_u32(nb_reader *r, uint32_t *v);
NTLM_MUST_CHECK ntlm_err ndr_get_i32(nb_reader *r, int32_t *v);
NTLM_MUST_CHECK ntlm_err ndr_get_u64(nb_reader *r, uint64_t *v);
NTLM_MUST_CHECK ntlm_err ndr_get_guid(nb_reader *r, ntlm_guid *g);
/* A unique or embedded full pointer's referent id: *present = 1 if not NULL. */
NTLM_MUST_CHECK ntlm_err ndr_get_ptr(nb_reader *r, int *present);
/* An embedded [ref] pointer: a NULL referent is refused (NTLM_E_FIELD_RANGE). */
NTLM_MUST_CHECK ntlm_err ndr_get_ref_ptr(nb_reader *r);
/* A conformance (max_count) not above limit, else NTLM_E_FIELD_RANGE. */
NTLM_MUST_CHECK ntlm_err ndr_get_count(nb_reader *r, uint32_t limit, uint32_t *count);
/* A conformance that must equal expect (the count field the array is sized by). */
NTLM_MUST_CHECK ntlm_err ndr_get_count_eq(nb_reader *r, uint32_t expect);
/*
 * A conformant varying string of wchar_t ([string] wchar_t*, the pointee):
 * max_count, offset 0, actual_count <= max_count <= NDR_MAX_STRING_CHARS + 1,
 * ending in NUL, converted to UTF-8 into s (present set to 1).
 */
NTLM_MUST_CHECK ntlm_err ndr_get_wstring(nb_reader *r, ndr_string *s);
/* A unique pointer to a [string] wchar_t: the referent here, the string now (top-level). */
NTLM_MUST_CHECK ntlm_err ndr_get_unique_wstring(nb_reader *r, ndr_string *s);
/* UTF-16LE code units (no terminator) as UTF-8 with NUL into out[cap]; NTLM_E_FIELD_RANGE if longer. */
NTLM_MUST_CHECK ntlm_err ndr_utf16_to_utf8(const uint8_t *u16, size_t units, char *out, size_t cap);
/* n bytes as a view (no alignment). */
NTLM_MUST_CHECK ntlm_err ndr_get_view(nb_reader *r, size_t n, ndr_bytes *v);
/* An array of n GUIDs (already counted) into out[] (cap n). */
NTLM_MUST_CHECK ntlm_err ndr_get_guids(nb_reader *r, size_t n, ntlm_guid *out);
/* A conformant array of GUIDs: count <= limit, into out[]. */
NTLM_MUST_CHECK ntlm_err ndr_get_guid_array(nb_reader *r, uint32_t limit, ntlm_guid *out,
                                            uint32_t *count);
/* A conformant array of u16 or u32: count <= limit. */
NTLM_MUST_CHECK ntlm_err ndr_get_u16_array(nb_reader *r, uint32_t limit, uint16_t *out,
                                           uint32_t *count);
NTLM_MUST_CHECK ntlm_err ndr_get_u32_array(nb_reader *r, uint32_t limit, uint32_t *out,
                                           uint32_t *count);
/*
 * An MInterfacePointer (the pointee): max_count, ulCntData, abData. max_count
 * must equal ulCntData, which must not exceed NDR_MAX_MIP_BYTES; *v borrows abData.
 */
#define NDR_MAX_MIP_BYTES (64u * 1024u)
NTLM_MUST_CHECK ntlm_err ndr_get_mip(nb_reader *r, ndr_bytes *v);
/* A unique MInterfacePointer* (top-level: the pointee follows): v->data NULL if NULL. */
NTLM_MUST_CHECK ntlm_err ndr_get_unique_mip(nb_reader *r, ndr_bytes *v);
/* A conformant array of HRESULTs, count <= limit, into out[]. */
NTLM_MUST_CHECK ntlm_err ndr_get_hresults(nb_reader *r, uint32_t limit, ntlm_hresult *out,
                                          uint32_t *n);
/*
 * A conformant array of exactly n unique MInterfacePointer* (n <=
 * NDR_MAX_MIP_PTRS): the referents, then the pointees; out[i].data NULL for NULL.
 */
#define NDR_MAX_MIP_PTRS 32
NTLM_MUST_CHECK ntlm_err ndr_get_mip_ptrs(nb_reader *r, uint32_t n, ndr_bytes *out);
/* The same after a conformance already read. */
NTLM_MUST_CHECK ntlm_err ndr_get_mip_ptr_elems(nb_reader *r, uint32_t n, ndr_bytes *out);

/*
 * ---- encoding: each aligns first; failures stick in the writer. A count
 * over its limit is refused (NTLM_E_INVALID_PARAMETER), never truncated ----
 */
/* 1 if n <= limit; else 0 and the writer fails with NTLM_E_INVALID_PARAMETER. */
int ndr_put_limit(ndr_writer *nw, size_t n, size_t limit);
void ndr_walign(ndr_writer *nw, size_t alignment);
void ndr_put_u8(ndr_writer *nw, uint8_t v);
void ndr_put_u16(ndr_writer *nw, uint16_t v);
void ndr_put_u32(ndr_writer *nw, uint32_t v);
void ndr_put_i32(ndr_writer *nw, int32_t v);
void ndr_put_u64(ndr_writer *nw, uint64_t v);
void ndr_put_guid(ndr_writer *nw, const ntlm_guid *g);
/* A pointer's referent id: the next one if present, else 0. */
void ndr_put_ptr(ndr_writer *nw, int present);
void ndr_put_bytes(ndr_writer *nw, const void *p, size_t n);
/* The pointee of a [string] wchar_t* from UTF-8 (max_count, 0, actual_count, code units, NUL). */
void ndr_put_wstring(ndr_writer *nw, const char *utf8);
/* A unique [string] wchar_t*: referent id and (top-level) the string now; NULL for utf8 NULL. */
void ndr_put_unique_wstring(ndr_writer *nw, const char *utf8);
void ndr_put_guids(ndr_writer *nw, const ntlm_guid *g, size_t n);
/* Conformant arrays: max_count then the elements. */
void ndr_put_guid_array(ndr_writer *nw, const ntlm_guid *g, size_t n);
void ndr_put_u16_array(ndr_writer *nw, const uint16_t *v, size_t n);
void ndr_put_u32_array(ndr_writer *nw, const uint32_t *v, size_t n);
/* An MInterfacePointer (pointee) holding the bytes of v. */
void ndr_put_mip(ndr_writer *nw, const ndr_bytes *v);
/* A unique MInterfacePointer*: referent and the pointee now, or a NULL referent if v->data is NULL. */
void ndr_put_unique_mip(ndr_writer *nw, const ndr_bytes *v);
void ndr_put_hresults(ndr_writer *nw, const ntlm_hresult *v, size_t n);
void ndr_put_mip_ptrs(ndr_writer *nw, const ndr_bytes *v, size_t n);

/*
 * A stub's codec pair: X_encode writes a whole stub (request or response
 * body) to *out (ntlm_buffer_free); X_decode reads one from in/len into *out,
 * which borrows from in. Bytes after the stub are ignored (the RPC layer
 * may leave alignment padding there).
 */
#define NDR_CODEC(type)                                                                            \
	NTLM_MUST_CHECK ntlm_err type##_encode(const type *in, ntlm_buffer *out);                      \
	NTLM_MUST_CHECK ntlm_err type##_decode(const uint8_t *in, size_t len, type *out)

/*
 * The HRESULT for a codec failure: NO_MEMORY -> E_OUTOFMEMORY,
 * INVALID_PARAMETER -> E_INVALIDARG, anything a peer's bytes caused ->
 * RPC_X_BAD_STUB_DATA (as HRESULT), NTLM_OK -> S_OK.
 */
ntlm_hresult dcom_hresult_from_err(ntlm_err err);
/* The fault a server answers a request it could not decode with (nca_s_fault_ndr, or remote_no_memory). */
uint32_t dcom_fault_from_err(ntlm_err err);

#endif
