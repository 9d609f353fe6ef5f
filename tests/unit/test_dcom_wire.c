/*
 * test_dcom_wire - the DCOM wire codec (dcom/ndr.h, orpc.h, actprops.h,
 * demo_ndr.h): byte-exact vectors, round trips, and malformed input refused
 * cleanly.
 *
 * The vectors were produced with impacket 0.10.0's NDR classes
 * (impacket.dcerpc.v5.dcomrt) from the field values given next to each, with
 * two normalisations so that our encoder must produce the same bytes:
 * referent ids renumbered 0x00020000, +4 in wire order (impacket draws random
 * ones), and alignment padding written as zeros (impacket fills it with
 * 0xaa/0xab/0xce...). VEC_REMQI_REQ_IMPACKET_PAD is impacket's unnormalised
 * padding, which a decoder must accept.
 */
#include <stdlib.h>

#include "actprops.h"
#include "demo_ndr.h"
#include "ndr.h"
#include "orpc.h"
#include "t.h"

#define MAXV 4096

/* Common field values of the vectors */
static const ntlm_guid CID = NTLM_GUID_INIT(0x11223344, 0x5566, 0x7788, 0x99, 0xaa, 0xbb, 0xcc,
                                            0xdd, 0xee, 0xff, 0x00);
static const ntlm_guid IPID = NTLM_GUID_INIT(0x00010203, 0x0405, 0x0607, 0x08, 0x09, 0x0a, 0x0b,
                                             0x0c, 0x0d, 0x0e, 0x0f);
static const ntlm_guid IID_UNK = NTLM_DCOM_IID_IUNKNOWN;
static const ntlm_guid IID_DEMO = NTLM_DCOM_IID_INTLMDEMO;
#define OXID 0x1122334455667788ull
#define OID  0x99aabbccddeeff00ull

static size_t unhex(const char *hex, uint8_t *out)
{
	return t_unhex(hex, out, MAXV);
}

static void orpcthis_init(dcom_orpcthis *o)
{
	memset(o, 0, sizeof(*o));
	o->version.major = DCOM_VERSION_MAJOR;
	o->version.minor = DCOM_VERSION_MINOR;
	o->cid = CID;
}

/* The encoding of *in equals the vector's bytes. */
#define EXPECT_ENCODES(type, in, hex)                                                              \
	do {                                                                                           \
		uint8_t want_[MAXV];                                                                       \
		size_t n_ = unhex((hex), want_);                                                           \
		ntlm_buffer got_ = {0};                                                                    \
		T_OK(type##_encode((in), &got_));                                                          \
		if (got_.len != n_) {                                                                      \
			t_hexdump("got", got_.data, got_.len);                                                 \
			ntlm_buffer_free(&got_);                                                               \
			T_FAIL("%s: %zu bytes, wanted %zu", #type, got_.len, n_);                              \
		}                                                                                          \
		int same_ = memcmp(got_.data, want_, n_) == 0;                                             \
		if (!same_)                                                                                \
			t_hexdump("got", got_.data, n_), t_hexdump("want", want_, n_);                         \
		ntlm_buffer_free(&got_);                                                                   \
		T_ASSERT(same_);                                                                           \
	} while (0)

/* Decodes the vector into *out (heap: the structures are large); every shorter prefix fails. */
#define DECODE_VECTOR(type, hex, out)                                                              \
	do {                                                                                           \
		static uint8_t v_[MAXV];                                                                   \
		size_t n_ = unhex((hex), v_);                                                              \
		T_OK(type##_decode(v_, n_, (out)));                                                        \
		type *p_ = calloc(1, sizeof(type));                                                        \
		T_ASSERT(p_);                                                                              \
		size_t k_;                                                                                 \
		for (k_ = 0; k_ < n_; k_++)                                                                \
			if (type##_decode(v_, k_, p_) == NTLM_OK)                                              \
				break;                                                                             \
		free(p_);                                                                                  \
		if (k_ < n_)                                                                               \
			T_FAIL("%s: a %zu-byte prefix of %zu decoded", #type, k_, n_);                         \
	} while (0)

/* ------------------------------------------------------------ status, GUIDs */

static void test_hresult_names(void)
{
	T_STR(ntlm_hresult_name(NTLM_DCOM_E_NOINTERFACE), "E_NOINTERFACE");
	T_STR(ntlm_hresult_name(NTLM_DCOM_S_OK), "S_OK");
	T_STR(ntlm_hresult_name((ntlm_hresult)0x12345), "HRESULT");
	T_STR(ntlm_hresult_strerror(NTLM_DCOM_E_ACCESSDENIED), "access denied");
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_OK) == NTLM_DCOM_S_OK);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_ACCESS_DENIED) == NTLM_DCOM_E_ACCESSDENIED);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_BAD_STUB_DATA) ==
	         NTLM_DCOM_RPC_X_BAD_STUB_DATA);
	T_ASSERT(ntlm_hresult_from_rpc_status(NTLM_RPC_S_WRONG_PRINCIPAL) ==
	         NTLM_DCOM_SEC_E_WRONG_PRINCIPAL);
	T_ASSERT(dcom_hresult_from_err(NTLM_E_TRUNCATED) == NTLM_DCOM_RPC_X_BAD_STUB_DATA);
	T_ASSERT(dcom_hresult_from_err(NTLM_E_NO_MEMORY) == NTLM_DCOM_E_OUTOFMEMORY);
	T_ASSERT(dcom_fault_from_err(NTLM_E_FIELD_RANGE) == NTLM_RPC_FAULT_NDR);
}

static void test_guid_init(void)
{
	static const ntlm_guid iid = NTLM_DCOM_IID_IREMUNKNOWN2;
	uint8_t wire[16];
	T_ASSERT(ntlm_rpc_uuid_parse("00000143-0000-0000-c000-000000000046", wire) == NTLM_RPC_S_OK);
	T_BYTES(iid.bytes, wire, 16);
	T_ASSERT(ntlm_rpc_uuid_parse("6c3c2d6e-1f0b-4b7e-9a51-5a2e0f1d7c02", wire) == NTLM_RPC_S_OK);
	T_BYTES(IID_DEMO.bytes, wire, 16);
	T_ASSERT(ntlm_guid_equal(&IID_DEMO, &IID_DEMO) && !ntlm_guid_equal(&IID_DEMO, &IID_UNK));
}

/* ------------------------------------------------------------ NDR primitives */

static void test_ndr_align_and_values(void)
{
	ndr_writer nw;
	ntlm_buffer b = {0};
	ndr_writer_init(&nw);
	ndr_put_u8(&nw, 1);
	ndr_put_u16(&nw, 0x0203);                /* pad 1 */
	ndr_put_u64(&nw, 0x0405060708090a0bull); /* pad 4 */
	ndr_put_ptr(&nw, 1);
	ndr_put_ptr(&nw, 0);
	ndr_put_ptr(&nw, 1);
	T_OK(ndr_writer_finish(&nw, &b));
	uint8_t want[28];
	T_ASSERT(t_unhex("0100030200000000"
	                 "0b0a090807060504"
	                 "00000200"
	                 "00000000"
	                 "04000200",
	                 want, sizeof(want)) == 28);
	T_ASSERT(b.len == 28);
	T_BYTES(b.data, want, 28);

	nb_reader r;
	uint8_t u8;
	uint16_t u16;
	uint64_t u64;
	int present;
	nb_reader_init(&r, b.data, b.len);
	T_OK(ndr_get_u8(&r, &u8));
	T_OK(ndr_get_u16(&r, &u16));
	T_OK(ndr_get_u64(&r, &u64));
	T_ASSERT(u8 == 1 && u16 == 0x0203 && u64 == 0x0405060708090a0bull);
	T_OK(ndr_get_ptr(&r, &present));
	T_ASSERT(present);
	T_EXPECT_ERR(ndr_get_ref_ptr(&r), NTLM_E_FIELD_RANGE); /* a NULL [ref] pointer */
	T_OK(ndr_get_ref_ptr(&r));
	T_EXPECT_ERR(ndr_get_u16(&r, &u16), NTLM_E_TRUNCATED);
	ntlm_buffer_free(&b);
}

static void test_ndr_wstring(void)
{
	ndr_writer nw;
	ntlm_buffer b = {0};
	ndr_string s;
	ndr_writer_init(&nw);
	ndr_put_unique_wstring(&nw, "DOM\\al\xc3\xaf"
	                            "ce");
	ndr_put_unique_wstring(&nw, NULL);
	T_OK(ndr_writer_finish(&nw, &b));
	/* referent, max 10, offset 0, actual 10, 9 units + NUL, NULL referent */
	T_ASSERT(b.len == 4 + 12 + 20 + 4);
	nb_reader r;
	nb_reader_init(&r, b.data, b.len);
	T_OK(ndr_get_unique_wstring(&r, &s));
	T_ASSERT(s.present);
	T_STR(s.utf8, "DOM\\al\xc3\xaf"
	              "ce");
	T_OK(ndr_get_unique_wstring(&r, &s));
	T_ASSERT(!s.present && s.utf8[0] == '\0');

	/* offset not 0, actual over max, missing terminator, over the limit */
	static const char *bad[] = {
		"02000000 01000000 01000000 4100 0000", "01000000 00000000 02000000 4100 0000",
		"02000000 00000000 02000000 4100 4200", "02000000 00000000 00000000",
		"02010000 00000000 02000000 4100 0000",
	};
	static const ntlm_err why[] = {NTLM_E_FIELD_RANGE, NTLM_E_FIELD_RANGE, NTLM_E_BAD_STRING,
	                               NTLM_E_FIELD_RANGE, NTLM_E_FIELD_RANGE};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t v[64];
		size_t n = t_unhex(bad[i], v, sizeof(v));
		nb_reader_init(&r, v, n);
		T_EXPECT_ERR(ndr_get_wstring(&r, &s), why[i]);
	}
	ntlm_buffer_free(&b);
}

static void test_ndr_mip_bounds(void)
{
	uint8_t v[64];
	nb_reader r;
	ndr_bytes m;
	size_t n = t_unhex("04000000 04000000 01020304", v, sizeof(v));
	nb_reader_init(&r, v, n);
	T_OK(ndr_get_mip(&r, &m));
	T_ASSERT(m.len == 4 && m.data == v + 8);
	n = t_unhex("04000000 05000000 0102030405", v, sizeof(v)); /* max_count != ulCntData */
	nb_reader_init(&r, v, n);
	T_EXPECT_ERR(ndr_get_mip(&r, &m), NTLM_E_FIELD_RANGE);
	n = t_unhex("01000100 01000100", v, sizeof(v)); /* over NDR_MAX_MIP_BYTES */
	nb_reader_init(&r, v, n);
	T_EXPECT_ERR(ndr_get_mip(&r, &m), NTLM_E_FIELD_RANGE);
	n = t_unhex("08000000 08000000 0102", v, sizeof(v)); /* fewer bytes than counted */
	nb_reader_init(&r, v, n);
	T_EXPECT_ERR(ndr_get_mip(&r, &m), NTLM_E_TRUNCATED);
}

/* ------------------------------------------------------------ ORPC, IRemUnknown */

/* RemQueryInterface: ORPCTHIS {5.7, flags 0, reserved1 0, cid CID, extensions NULL},
   ripid IPID, cRefs 5, cIids 2, iids {IUnknown, INtlmDemo} */
#define VEC_REMQI_REQ                                                                              \
	"050007000000000000000000443322116655887799aabbccddeeff0000000000030201000504070608090a0b0c0d" \
	"0e0f0500000002000000020000000000000000000000c0000000000000466e2d3c6c0b1f7e4b9a515a2e0f1d7c02"
#define VEC_REMQI_REQ_IMPACKET_PAD                                                                 \
	"050007000000000000000000443322116655887799aabbccddeeff0000000000030201000504070608090a0b0c0d" \
	"0e0f050000000200cece020000000000000000000000c0000000000000466e2d3c6c0b1f7e4b9a515a2e0f1d7c02"

static void remqi_req_fill(dcom_remqi_req *q)
{
	memset(q, 0, sizeof(*q));
	orpcthis_init(&q->orpc);
	q->ipid = IPID;
	q->refs = 5;
	q->n_iids = 2;
	q->iids[0] = IID_UNK;
	q->iids[1] = IID_DEMO;
}

static void test_remqi_req(void)
{
	dcom_remqi_req *q = calloc(2, sizeof(*q));
	T_SETUP(q == NULL);
	remqi_req_fill(&q[1]);
	EXPECT_ENCODES(dcom_remqi_req, &q[1], VEC_REMQI_REQ);
	DECODE_VECTOR(dcom_remqi_req, VEC_REMQI_REQ, &q[0]);
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	DECODE_VECTOR(dcom_remqi_req, VEC_REMQI_REQ_IMPACKET_PAD, &q[0]);
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	free(q);
}

/* Decodes hex (a variant of a vector) and expects err. */
#define EXPECT_REFUSED(type, hex, err)                                                             \
	do {                                                                                           \
		static uint8_t b_[MAXV];                                                                   \
		size_t n_ = unhex((hex), b_);                                                              \
		type *o_ = calloc(1, sizeof(type));                                                        \
		T_SETUP(o_ == NULL);                                                                       \
		ntlm_err rc_ = type##_decode(b_, n_, o_);                                                  \
		free(o_);                                                                                  \
		T_EXPECT_ERR(rc_, err);                                                                    \
	} while (0)

/* Writes a little-endian value of width bytes at off. */
static void patch(uint8_t *b, size_t off, size_t width, uint64_t value)
{
	for (size_t i = 0; i < width; i++)
		b[off + i] = (uint8_t)(value >> (8 * i));
}

/* The vector with a little-endian value of width bytes written at off decodes to err. */
#define EXPECT_PATCH_REFUSED(type, hex, off, width, value, err)                                    \
	EXPECT_PATCH2_REFUSED(type, hex, off, width, value, 0, 0, 0, err)
/* The same with two patches. */
#define EXPECT_PATCH2_REFUSED(type, hex, off, width, value, off2, width2, value2, err)             \
	do {                                                                                           \
		static uint8_t b_[MAXV];                                                                   \
		size_t n_ = unhex((hex), b_);                                                              \
		patch(b_, (off), (width), (uint64_t)(value));                                              \
		patch(b_, (off2), (width2), (uint64_t)(value2));                                           \
		type *o_ = calloc(1, sizeof(type));                                                        \
		T_SETUP(o_ == NULL);                                                                       \
		ntlm_err rc_ = type##_decode(b_, n_, o_);                                                  \
		free(o_);                                                                                  \
		if (rc_ != (err))                                                                          \
			T_FAIL("%s with %#llx at %d: %s, wanted %s", #type, (unsigned long long)(value),       \
			       (int)(off), ntlm_err_name(rc_), #err);                                          \
	} while (0)

/* Offsets in VEC_REMQI_REQ: ORPCTHIS 0..32 (extensions 28), ripid, cRefs 48, cIids 52,
   conformance 56 */
static void test_remqi_req_bounds(void)
{
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 0, 2, 6, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 52, 2, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 52, 2, DCOM_MAX_IIDS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 56, 4, 3, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 52, 2, 3, NTLM_E_FIELD_RANGE);
	/* extensions announced: the ripid is read as an ORPC_EXTENT_ARRAY of 0x03020100 */
	EXPECT_PATCH_REFUSED(dcom_remqi_req, VEC_REMQI_REQ, 28, 4, 0x20000, NTLM_E_FIELD_RANGE);
}

/* RemAddRef with one ORPC extension (impacket ORPC_EXTENT_ARRAY size 1, extent
   {id f1f2f3f4-f5f6-f7f8-f9fa-fbfcfdfeff00, size 5, data "hello\0\0\0"}, NULL),
   cInterfaceRefs 1, {IPID, 1, 0} */
#define VEC_REMADDREF_REQ_EXT                                                                      \
	"050007000000000000000000443322116655887799aabbccddeeff00000002000100000000000000040002000200" \
	"0000080002000000000008000000f4f3f2f1f6f5f8f7f9fafbfcfdfeff000500000068656c6c6f00000001000000" \
	"01000000030201000504070608090a0b0c0d0e0f0100000000000000"
/* The same without extensions */
#define VEC_REMADDREF_REQ                                                                          \
	"050007000000000000000000443322116655887799aabbccddeeff00000000000100000001000000030201000504" \
	"070608090a0b0c0d0e0f0100000000000000"

static void test_remaddref_req_and_extensions(void)
{
	dcom_remrefs_req *q = calloc(2, sizeof(*q));
	T_SETUP(q == NULL);
	orpcthis_init(&q[1].orpc);
	q[1].n_refs = 1;
	q[1].refs[0].ipid = IPID;
	q[1].refs[0].public_refs = 1;
	EXPECT_ENCODES(dcom_remrefs_req, &q[1], VEC_REMADDREF_REQ);
	DECODE_VECTOR(dcom_remrefs_req, VEC_REMADDREF_REQ, &q[0]);
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	DECODE_VECTOR(dcom_remrefs_req, VEC_REMADDREF_REQ_EXT, &q[0]);
	T_ASSERT(q[0].orpc.n_extensions == 1);
	q[0].orpc.n_extensions = 0;
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	free(q);
}

/* Offsets in VEC_REMADDREF_REQ_EXT: ORPC_EXTENT_ARRAY {size 32, reserved 36, extent 40},
   conformance 44, pointers 48 52, ORPC_EXTENT {conformance 56, id 60, size 76, data 80} */
static void test_extension_bounds(void)
{
	const char *v = VEC_REMADDREF_REQ_EXT;
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 32, 4, DCOM_MAX_EXTENTS + 1, NTLM_E_FIELD_RANGE);
	/* size 3 announces 4 pointers, the array has 2 */
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 32, 4, 3, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 44, 4, 4, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 40, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 56, 4, 16, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 76, 4, 9, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 56, 4, DCOM_MAX_EXTENT_BYTES + 8, NTLM_E_FIELD_RANGE);
	/* a second non-NULL extent pointer: its extent is read from what follows */
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, v, 52, 4, 0x2000c, NTLM_E_FIELD_RANGE);
}

/* Offsets in VEC_REMADDREF_REQ: cInterfaceRefs 32, conformance 36 */
static void test_remrefs_bounds(void)
{
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, VEC_REMADDREF_REQ, 32, 2, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, VEC_REMADDREF_REQ, 32, 2, DCOM_MAX_REFS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, VEC_REMADDREF_REQ, 36, 4, 2, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remrefs_req, VEC_REMADDREF_REQ, 32, 2, 2, NTLM_E_FIELD_RANGE);
}

/* RemQueryInterfaceResponse as impacket reads it (PREMQIRESULT: referent, then one
   REMQIRESULT {hResult 0, std {flags SORF_NOPING, cPublicRefs 5, OXID, OID, IPID}}),
   ErrorCode 0; the 4 bytes after the referent are where the conformance goes */
#define VEC_REMQI_RESP_IMPACKET                                                                    \
	"0000000000000000000002000000000000000000000000000010000005000000887766554433221100ffeeddcc"   \
	"bbaa99030201000504070608090a0b0c0d0e0f00000000"

static void test_remqi_resp(void)
{
	dcom_remqi_resp *p = calloc(2, sizeof(*p));
	T_SETUP(p == NULL);
	p[1].has_results = 1;
	p[1].n_results = 1;
	p[1].results[0].std.flags = DCOM_SORF_NOPING;
	p[1].results[0].std.public_refs = 5;
	p[1].results[0].std.oxid = OXID;
	p[1].results[0].std.oid = OID;
	p[1].results[0].std.ipid = IPID;
	/* ours differs from impacket's only in the conformance (1) it leaves out */
	uint8_t want[MAXV];
	size_t n = unhex(VEC_REMQI_RESP_IMPACKET, want);
	want[12] = 1;
	ntlm_buffer got = {0};
	T_OK(dcom_remqi_resp_encode(&p[1], &got));
	int same = got.len == n && memcmp(got.data, want, n) == 0;
	T_OK(dcom_remqi_resp_decode(got.data, got.len, &p[0]));
	ntlm_buffer_free(&got);
	T_ASSERT(same);
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	/* a failed QueryInterface: NULL results, E_NOINTERFACE */
	memset(&p[1], 0, sizeof(p[1]));
	p[1].hr = NTLM_DCOM_E_NOINTERFACE;
	T_OK(dcom_remqi_resp_encode(&p[1], &got));
	T_OK(dcom_remqi_resp_decode(got.data, got.len, &p[0]));
	ntlm_buffer_free(&got);
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	/* a result count over DCOM_MAX_IIDS */
	EXPECT_REFUSED(dcom_remqi_resp, "000000000000000000000200210000000000000000000000",
	               NTLM_E_FIELD_RANGE);
	free(p);
}

/* RemAddRefResponse {ORPCthat {0, NULL}, pResults [0], ErrorCode 0};
   RemReleaseResponse {ORPCthat {0, NULL}, ErrorCode E_NOINTERFACE} */
#define VEC_REMADDREF_RESP  "0000000000000000010000000000000000000000"
#define VEC_REMRELEASE_RESP "000000000000000002400080"

static void test_remaddref_release_resp(void)
{
	dcom_remaddref_resp a = {0}, a2;
	a.n_results = 1;
	EXPECT_ENCODES(dcom_remaddref_resp, &a, VEC_REMADDREF_RESP);
	DECODE_VECTOR(dcom_remaddref_resp, VEC_REMADDREF_RESP, &a2);
	T_ASSERT(memcmp(&a, &a2, sizeof(a)) == 0);
	dcom_hr_resp h = {0}, h2;
	h.hr = NTLM_DCOM_E_NOINTERFACE;
	EXPECT_ENCODES(dcom_hr_resp, &h, VEC_REMRELEASE_RESP);
	DECODE_VECTOR(dcom_hr_resp, VEC_REMRELEASE_RESP, &h2);
	T_ASSERT(memcmp(&h, &h2, sizeof(h)) == 0);
}

static void test_remqi2_roundtrip(void)
{
	dcom_remqi2_req *q = calloc(2, sizeof(*q));
	dcom_remqi2_resp *p = calloc(2, sizeof(*p));
	T_SETUP(q == NULL || p == NULL);
	orpcthis_init(&q[1].orpc);
	q[1].ipid = IPID;
	q[1].n_iids = 2;
	q[1].iids[0] = IID_DEMO;
	q[1].iids[1] = IID_UNK;
	ntlm_buffer b = {0};
	T_OK(dcom_remqi2_req_encode(&q[1], &b));
	T_OK(dcom_remqi2_req_decode(b.data, b.len, &q[0]));
	ntlm_buffer_free(&b);
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	static const uint8_t objref[] = {'M', 'E', 'O', 'W', 1, 2, 3};
	p[1].n_iids = 2;
	p[1].hrs[1] = NTLM_DCOM_E_NOINTERFACE;
	p[1].mifs[0].data = objref;
	p[1].mifs[0].len = sizeof(objref);
	T_OK(dcom_remqi2_resp_encode(&p[1], &b));
	T_OK(dcom_remqi2_resp_decode(b.data, b.len, &p[0]));
	T_ASSERT(p[0].n_iids == 2 && p[0].hrs[1] == NTLM_DCOM_E_NOINTERFACE && !p[0].mifs[1].data);
	T_ASSERT(p[0].mifs[0].len == sizeof(objref) &&
	         memcmp(p[0].mifs[0].data, objref, sizeof(objref)) == 0);
	ntlm_buffer_free(&b);
	free(q);
	free(p);
}

static void test_classfactory(void)
{
	dcom_cf_createinstance_req q = {0}, q2;
	orpcthis_init(&q.orpc);
	q.iid = IID_DEMO;
	/* ORPCTHIS (32 bytes) then the IID: no pUnkOuter on the wire */
	ntlm_buffer b = {0};
	T_OK(dcom_cf_createinstance_req_encode(&q, &b));
	T_ASSERT(b.len == 48 && memcmp(b.data + 32, IID_DEMO.bytes, 16) == 0);
	T_OK(dcom_cf_createinstance_req_decode(b.data, b.len, &q2));
	T_ASSERT(memcmp(&q, &q2, sizeof(q)) == 0);
	T_EXPECT_ERR(dcom_cf_createinstance_req_decode(b.data, b.len - 1, &q2), NTLM_E_TRUNCATED);
	ntlm_buffer_free(&b);
	static const uint8_t objref[] = {'M', 'E', 'O', 'W'};
	dcom_cf_createinstance_resp p = {0}, p2;
	p.object.data = objref;
	p.object.len = sizeof(objref);
	T_OK(dcom_cf_createinstance_resp_encode(&p, &b));
	/* ORPCTHAT, referent, MInterfacePointer {4, 4, MEOW}, S_OK */
	uint8_t want[32];
	T_ASSERT(t_unhex("00000000 00000000 00000200 04000000 04000000 4d454f57 00000000", want,
	                 sizeof(want)) == 28);
	T_ASSERT(b.len == 28 && memcmp(b.data, want, 28) == 0);
	T_OK(dcom_cf_createinstance_resp_decode(b.data, b.len, &p2));
	T_ASSERT(p2.object.len == 4 && memcmp(p2.object.data, objref, 4) == 0 && p2.hr == 0);
	ntlm_buffer_free(&b);
	dcom_cf_lockserver_req l = {0}, l2;
	orpcthis_init(&l.orpc);
	l.lock = 1;
	T_OK(dcom_cf_lockserver_req_encode(&l, &b));
	T_OK(dcom_cf_lockserver_req_decode(b.data, b.len, &l2));
	T_ASSERT(b.len == 36 && l2.lock == 1);
	ntlm_buffer_free(&b);
}

/* ------------------------------------------------------------ IObjectExporter */

/* ResolveOxid2 {pOxid OXID, cRequestedProtseqs 1, arRequestedProtseqs [7]} */
#define VEC_RESOLVEOXID2_REQ "887766554433221101000000010000000700"
/* ResolveOxid2Response {ppdsaOxidBindings {ncacn_ip_tcp "127.0.0.1[49152]"; authn 10, authz
   0xffff, ""}, pipidRemUnknown IPID, pAuthnHint 5, pComVersion 5.7, ErrorCode 0} */
#define VEC_RESOLVEOXID2_RESP                                                                      \
	"00000200170000001700130007003100320037002e0030002e0030002e0031005b00340039003100350032005d00" \
	"000000000a00ffff000000000000030201000504070608090a0b0c0d0e0f050000000500070000000000"
/* ServerAlive2Response {pComVersion 5.7, ppdsaOrBindings {ncacn_ip_tcp "127.0.0.1"; 10,
   0xffff, ""}, pReserved NULL, ErrorCode 0} */
#define VEC_SERVERALIVE2_RESP                                                                      \
	"05000700000002001000000010000c0007003100320037002e0030002e0030002e003100000000000a00ffff0000" \
	"00000000000000000000"

static void dsa_fill(dcom_dualstringarray *d, const char *addr)
{
	memset(d, 0, sizeof(*d));
	d->n_str = 1;
	d->str[0].tower_id = DCOM_TOWER_NCACN_IP_TCP;
	snprintf(d->str[0].addr, sizeof(d->str[0].addr), "%s", addr);
	d->n_sec = 1;
	d->sec[0].authn_svc = NTLM_RPC_AUTHN_WINNT;
	d->sec[0].authz_svc = 0xFFFF;
}

static void test_resolveoxid(void)
{
	dcom_resolveoxid_req q = {0}, q2;
	q.oxid = OXID;
	q.n_protseqs = 1;
	q.protseqs[0] = DCOM_TOWER_NCACN_IP_TCP;
	EXPECT_ENCODES(dcom_resolveoxid_req, &q, VEC_RESOLVEOXID2_REQ);
	DECODE_VECTOR(dcom_resolveoxid_req, VEC_RESOLVEOXID2_REQ, &q2);
	T_ASSERT(memcmp(&q, &q2, sizeof(q)) == 0);

	dcom_resolveoxid_resp *p = calloc(2, sizeof(*p));
	T_SETUP(p == NULL);
	p[1].has_bindings = 1;
	dsa_fill(&p[1].bindings, "127.0.0.1[49152]");
	p[1].ipid_remunknown = IPID;
	p[1].authn_hint = NTLM_RPC_LEVEL_PKT_INTEGRITY;
	p[1].version.major = 5;
	p[1].version.minor = 7;
	EXPECT_ENCODES(dcom_resolveoxid2_resp, &p[1], VEC_RESOLVEOXID2_RESP);
	DECODE_VECTOR(dcom_resolveoxid2_resp, VEC_RESOLVEOXID2_RESP, &p[0]);
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	/* ResolveOxid (opnum 0) has no version: a round trip */
	p[1].version.major = p[1].version.minor = 0;
	ntlm_buffer b = {0};
	T_OK(dcom_resolveoxid_resp_encode(&p[1], &b));
	T_ASSERT(b.len == unhex(VEC_RESOLVEOXID2_RESP, (uint8_t[MAXV]){0}) - 4);
	T_OK(dcom_resolveoxid_resp_decode(b.data, b.len, &p[0]));
	ntlm_buffer_free(&b);
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	free(p);
	/* cRequestedProtseqs (8) over DCOM_MAX_PROTSEQS or 0; conformance (12) not the count */
	EXPECT_PATCH_REFUSED(dcom_resolveoxid_req, VEC_RESOLVEOXID2_REQ, 8, 2, DCOM_MAX_PROTSEQS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_resolveoxid_req, VEC_RESOLVEOXID2_REQ, 8, 2, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_resolveoxid_req, VEC_RESOLVEOXID2_REQ, 12, 4, 2, NTLM_E_FIELD_RANGE);
	/* the bindings' conformance (4) or wNumEntries (8) disagree; wSecurityOffset (10) past the end;
	   the DSA over DCOM_MAX_DSA_UNITS */
	const char *v = VEC_RESOLVEOXID2_RESP;
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 4, 4, 0x18, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 8, 2, 0x16, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 10, 2, 0x18, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 4, 4, DCOM_MAX_DSA_UNITS + 1,
	                     NTLM_E_FIELD_RANGE);
	/* the security section without its end (its end marker, unit 22 at 56, overwritten) */
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 56, 2, 0x41, NTLM_E_TRUNCATED);
	/* a string binding running into the security section (its terminator overwritten) */
	EXPECT_PATCH_REFUSED(dcom_resolveoxid2_resp, v, 0x2e, 2, 0x41, NTLM_E_TRUNCATED);
}

static void test_serveralive2(void)
{
	dcom_serveralive2_resp *p = calloc(2, sizeof(*p));
	T_SETUP(p == NULL);
	p[1].version.major = 5;
	p[1].version.minor = 7;
	p[1].has_bindings = 1;
	dsa_fill(&p[1].bindings, "127.0.0.1");
	EXPECT_ENCODES(dcom_serveralive2_resp, &p[1], VEC_SERVERALIVE2_RESP);
	DECODE_VECTOR(dcom_serveralive2_resp, VEC_SERVERALIVE2_RESP, &p[0]);
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	free(p);
}

/* SimplePing {pSetId 0x0102030405060708}; ComplexPing {pSetId 0, SequenceNum 1, cAddToSet 2,
   cDelFromSet 0, AddToSet [0x1111, 0x2222], DelFromSet NULL};
   ComplexPingResponse {pSetId 0x42, pPingBackoffFactor 0, ErrorCode 0} */
#define VEC_SIMPLEPING_REQ "0807060504030201"
#define VEC_COMPLEXPING_REQ                                                                        \
	"000000000000000001000200000000000000020002000000111100000000000022220000000000000000000"      \
	"0"
#define VEC_COMPLEXPING_RESP "42000000000000000000000000000000"

static void test_pings(void)
{
	dcom_simpleping_req s = {0x0102030405060708ull}, s2;
	EXPECT_ENCODES(dcom_simpleping_req, &s, VEC_SIMPLEPING_REQ);
	DECODE_VECTOR(dcom_simpleping_req, VEC_SIMPLEPING_REQ, &s2);
	T_ASSERT(s2.setid == s.setid);
	dcom_complexping_req *c = calloc(2, sizeof(*c));
	T_SETUP(c == NULL);
	c[1].seq = 1;
	c[1].n_add = 2;
	c[1].add[0] = 0x1111;
	c[1].add[1] = 0x2222;
	EXPECT_ENCODES(dcom_complexping_req, &c[1], VEC_COMPLEXPING_REQ);
	DECODE_VECTOR(dcom_complexping_req, VEC_COMPLEXPING_REQ, &c[0]);
	T_ASSERT(memcmp(&c[0], &c[1], sizeof(*c)) == 0);
	free(c);
	dcom_complexping_resp r = {0x42, 0, 0}, r2;
	EXPECT_ENCODES(dcom_complexping_resp, &r, VEC_COMPLEXPING_RESP);
	DECODE_VECTOR(dcom_complexping_resp, VEC_COMPLEXPING_RESP, &r2);
	T_ASSERT(r2.setid == 0x42 && r2.backoff == 0 && r2.status == 0);
	/* 257 OIDs (over DCOM_MAX_PING_OIDS); cAddToSet 1 with a NULL set; conformance 3 for 2 */
	EXPECT_REFUSED(dcom_complexping_req, "0000000000000000010001010000000000000200",
	               NTLM_E_FIELD_RANGE);
	EXPECT_REFUSED(dcom_complexping_req, "00000000000000000100010000000000000000000000000",
	               NTLM_E_FIELD_RANGE);
	EXPECT_REFUSED(
		dcom_complexping_req,
		"00000000000000000100020000000000000002000300000011110000000000002222000000000000"
		"3333000000000000 00000000",
		NTLM_E_FIELD_RANGE);
	dcom_status_resp st = {1910}, st2;
	EXPECT_ENCODES(dcom_status_resp, &st, "76070000");
	DECODE_VECTOR(dcom_status_resp, "76070000", &st2);
	T_ASSERT(st2.status == DCOM_OR_INVALID_OXID);
}

/* ------------------------------------------------------------ OBJREF, DUALSTRINGARRAY */

/* OBJREF_STANDARD {signature MEOW, flags 1, iid INtlmDemo, std {0, 5, OXID, OID, IPID},
   saResAddr {ncacn_ip_tcp "127.0.0.1[135]"; 10, 0xffff, ""}} */
#define VEC_OBJREF_STD                                                                             \
	"4d454f57010000006e2d3c6c0b1f7e4b9a515a2e0f1d7c020000000005000000887766554433221100ffeeddccbb" \
	"aa99030201000504070608090a0b0c0d0e0f1500110007003100320037002e0030002e0030002e0031005b003100" \
	"330035005d00000000000a00ffff00000000"

static void test_objref_standard(void)
{
	dcom_objref *o = calloc(2, sizeof(*o));
	T_SETUP(o == NULL);
	o[1].flags = DCOM_OBJREF_STANDARD;
	o[1].iid = IID_DEMO;
	o[1].std.public_refs = 5;
	o[1].std.oxid = OXID;
	o[1].std.oid = OID;
	o[1].std.ipid = IPID;
	dsa_fill(&o[1].resaddr, "127.0.0.1[135]");
	EXPECT_ENCODES(dcom_objref, &o[1], VEC_OBJREF_STD);
	DECODE_VECTOR(dcom_objref, VEC_OBJREF_STD, &o[0]);
	T_ASSERT(memcmp(&o[0], &o[1], sizeof(*o)) == 0);
	free(o);
}

#define OBJREF_HEAD(flags) "4d454f57" flags "6e2d3c6c0b1f7e4b9a515a2e0f1d7c02"

static void test_objref_refused(void)
{
	/* wrong signature; HANDLER and EXTENDED (unsupported); an unknown flavour */
	EXPECT_REFUSED(dcom_objref, "4d454f58010000006e2d3c6c0b1f7e4b9a515a2e0f1d7c02",
	               NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_REFUSED(dcom_objref, OBJREF_HEAD("02000000"), NTLM_E_UNSUPPORTED);
	EXPECT_REFUSED(dcom_objref, OBJREF_HEAD("08000000"), NTLM_E_UNSUPPORTED);
	EXPECT_REFUSED(dcom_objref, OBJREF_HEAD("10000000"), NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_REFUSED(dcom_objref, OBJREF_HEAD("00000000"), NTLM_E_BAD_SIGNATURE_HEADER);
	/* a custom OBJREF with an extension */
	EXPECT_REFUSED(dcom_objref,
	               OBJREF_HEAD("04000000") "380300000000000000c0000000000000460400000010000000"
	                                       "00000000",
	               NTLM_E_UNSUPPORTED);
}

#define STD_HEAD                                                                                   \
	OBJREF_HEAD("01000000")                                                                        \
	"0000000005000000887766554433221100ffeeddccbbaa99030201000504070608090a0b0c0d0e0f"

static void test_dsa_bounds(void)
{
	/* security offset past the end */
	EXPECT_REFUSED(dcom_objref, STD_HEAD "0400050000000000000000000000", NTLM_E_FIELD_RANGE);
	/* a string binding without its terminator inside the string section */
	EXPECT_REFUSED(dcom_objref, STD_HEAD "04000200070041000000", NTLM_E_TRUNCATED);
	/* a string section whose end marker is missing */
	EXPECT_REFUSED(dcom_objref, STD_HEAD "0500030007004100000000000000", NTLM_E_TRUNCATED);
	/* over DCOM_MAX_DSA_UNITS */
	EXPECT_REFUSED(dcom_objref, STD_HEAD "01100200", NTLM_E_FIELD_RANGE);
	/* the smallest DUALSTRINGARRAY (no bindings): 4, 2, four zeros */
	dcom_objref *o = calloc(1, sizeof(*o));
	T_SETUP(o == NULL);
	uint8_t v[MAXV];
	size_t n = unhex(STD_HEAD "04000200 0000000000000000", v);
	T_OK(dcom_objref_decode(v, n, o));
	T_ASSERT(o->resaddr.n_str == 0 && o->resaddr.n_sec == 0);
	ntlm_buffer b = {0};
	T_OK(dcom_objref_encode(o, &b));
	T_ASSERT(b.len == n && memcmp(b.data, v, n) == 0);
	ntlm_buffer_free(&b);
	free(o);
}

static void test_dsa_many_bindings(void)
{
	/* more bindings than DCOM_MAX_BINDINGS: the first ones are kept, the rest parsed */
	ndr_writer nw;
	ntlm_buffer b = {0};
	ndr_writer_init(&nw);
	uint16_t units = 0;
	for (int i = 0; i < DCOM_MAX_BINDINGS + 2; i++)
		units += 3; /* tower, 'a', 0 */
	units += 1 + 2; /* end of strings, then an empty security section */
	ndr_put_u32(&nw, units);
	ndr_put_u16(&nw, units);
	ndr_put_u16(&nw, (uint16_t)(units - 2));
	for (int i = 0; i < DCOM_MAX_BINDINGS + 2; i++) {
		ndr_put_u16(&nw, 7);
		ndr_put_u16(&nw, (uint16_t)('a' + i));
		ndr_put_u16(&nw, 0);
	}
	for (int i = 0; i < 3; i++)
		ndr_put_u16(&nw, 0);
	T_OK(ndr_writer_finish(&nw, &b));
	dcom_dualstringarray *d = calloc(1, sizeof(*d));
	T_SETUP(d == NULL);
	nb_reader r;
	nb_reader_init(&r, b.data, b.len);
	T_OK(dcom_get_dsa(&r, d));
	T_ASSERT(d->n_str == DCOM_MAX_BINDINGS && d->n_sec == 0);
	T_STR(d->str[DCOM_MAX_BINDINGS - 1].addr, "h");
	ntlm_buffer_free(&b);
	free(d);
}

/* ------------------------------------------------------------ activation */

/*
 * RemoteCreateInstance as impacket's IRemoteSCMActivator.RemoteCreateInstance(NtlmDemo,
 * IUnknown) builds it: ORPCTHIS {5.7, flags 1, cid CID}, pUnkOuter NULL, pActProperties an
 * OBJREF_CUSTOM {IActivationPropertiesIn, CLSID_ActivationPropertiesIn} of an ACTIVATION_BLOB
 * {CustomHeader destCtx 2, pdwReserved NULL; InstantiationInfoData {classId NtlmDemo, cIID 1,
 * pIID [IUnknown], clientCOMVersion 5.7}, ActivationContextInfoData {NULL, NULL},
 * LocationInfoData {machineName NULL}, ScmRequestInfoData {pdwReserved NULL, remoteRequest
 * {ClientImpLevel 2, cRequestedProtseqs 1, [7]}}}. VEC_ACTPROPS_IN has thisSize 0x58 and each
 * ObjectBufferLength padded to 8 as we write them; VEC_ACTPROPS_IN_IMPACKET is the blob exactly
 * as impacket sends it (thisSize 0, unpadded lengths, 0xfa and 0xaa fillers).
 * VEC_ACTPROPS_IN6 adds SpecialPropertiesData {dwSessionId 0xffffffff, dwDefaultAuthnLvl 6,
 * dwOrigClsctx 0x14, dwFlags 2} first and SecurityInfoData {pServerInfo {pwszName "SERVER"}}
 * fourth, as Windows clients order them.
 * VEC_ACTPROPS_OUT: PropsOutInfo {cIfs 1, piid [IUnknown], phresults [S_OK], ppIntfData
 * [OBJREF_STANDARD {IUnknown, std {0, 5, OXID, OID, IPID}, ncacn_ip_tcp "127.0.0.1[135]";
 * 10, 0xffff, ""}]}, ScmReplyInfoData {pdwReserved NULL, remoteReply {OXID,
 * pdsaOxidBindings {ncacn_ip_tcp "127.0.0.1[49152]"; 10, 0xffff, ""}, IPID, authnHint 5,
 * serverVersion 5.7}}, in a RemoteCreateInstanceResponse {ORPCthat {0, NULL}, ..., 0}.
 */
#define VEC_CREATEINSTANCE_HEAD                                                                    \
	"050007000100000000000000443322116655887799aabbccddeeff00000000000000000000000200a0010000a001" \
	"0000"
#define VEC_ACTPROPS_IN                                                                            \
	"4d454f5704000000a201000000000000c0000000000000463803000000000000c000000000000046000000007801" \
	"0000680100000000000001100800cccccccc88000000cccccccc6801000098000000000000000200000004000000" \
	"0000000000000000000000000000000000000200040002000000000004000000ab01000000000000c00000000000" \
	"0046a501000000000000c000000000000046a401000000000000c000000000000046aa01000000000000c0000000" \
	"00000046040000005800000028000000200000003000000001100800cccccccc48000000cccccccc6e2d3c6c0b1f" \
	"7e4b9a515a2e0f1d7c01000000000000000000000000010000000000000000000200580000000500070001000000" \
	"0000000000000000c0000000000000460000000001100800cccccccc18000000cccccccc00000000000000000000" \
	"000000000000000000000000000001100800cccccccc10000000cccccccc00000000000000000000000000000000" \
	"01100800cccccccc20000000cccccccc000000000000020002000000010000000400020001000000070000000000" \
	"0000"
#define VEC_ACTPROPS_IN_IMPACKET                                                                   \
	"4d454f5704000000a201000000000000c0000000000000463803000000000000c000000000000046000000007801" \
	"0000680100000000000001100800cccccccc88000000cccccccc6801000098000000000000000200000004000000" \
	"0000000000000000000000000000000000000200040002000000000004000000ab01000000000000c00000000000" \
	"0046a501000000000000c000000000000046a401000000000000c000000000000046aa01000000000000c0000000" \
	"00000046040000005800000028000000200000003000000001100800cccccccc44000000cccccccc6e2d3c6c0b1f" \
	"7e4b9a515a2e0f1d7c01000000000000000000000000010000000000000000000200000000000500070001000000" \
	"0000000000000000c000000000000046fafafafa01100800cccccccc18000000cccccccc00000000000000000000" \
	"000000000000000000000000000001100800cccccccc10000000cccccccc00000000000000000000000000000000" \
	"01100800cccccccc1a000000cccccccc0000000000000200020000000100aaaa04000200010000000700fafafafa" \
	"fafa"
#define VEC_ACTPROPS_IN6                                                                           \
	"4d454f5704000000a201000000000000c0000000000000463803000000000000c000000000000046000000005002" \
	"0000400200000000000001100800ccccccccb0000000cccccccc40020000c0000000000000000200000006000000" \
	"0000000000000000000000000000000000000200040002000000000006000000b901000000000000c00000000000" \
	"0046ab01000000000000c000000000000046a501000000000000c000000000000046a601000000000000c0000000" \
	"00000046a401000000000000c000000000000046aa01000000000000c00000000000004606000000680000005800" \
	"00002800000048000000200000003000000001100800cccccccc58000000ccccccccffffffff0000000000000000" \
	"00000000060000000000000000000000000000000000000000000000140000000200000000000000000000000000" \
	"00000000000000000000000000000000000000000000000000000000000001100800cccccccc48000000cccccccc" \
	"6e2d3c6c0b1f7e4b9a515a2e0f1d7c01000000000000000000000000010000000000000000000200580000000500" \
	"0700010000000000000000000000c0000000000000460000000001100800cccccccc18000000cccccccc00000000" \
	"000000000000000000000000000000000000000001100800cccccccc38000000cccccccc00000000000002000000" \
	"00000000000004000200000000000000000007000000000000000700000053004500520056004500520000000000" \
	"01100800cccccccc10000000cccccccc0000000000000000000000000000000001100800cccccccc20000000cccc" \
	"cccc0000000000000200020000000100000004000200010000000700000000000000"
#define VEC_ACTIVATION_RESP_HEAD "000000000000000000000200e0010000e0010000"
#define VEC_ACTPROPS_OUT                                                                           \
	"4d454f5704000000a301000000000000c0000000000000463903000000000000c00000000000004600000000b801" \
	"0000a80100000000000001100800cccccccc60000000cccccccca801000070000000000000000200000002000000" \
	"00000000000000000000000000000000000002000400020000000000020000003903000000000000c00000000000" \
	"0046b601000000000000c00000000000004602000000c00000007800000001100800ccccccccb0000000cccccccc" \
	"01000000000002000400020008000200010000000000000000000000c00000000000004601000000000000000100" \
	"00000c0002006e0000006e0000004d454f57010000000000000000000000c0000000000000460000000005000000" \
	"887766554433221100ffeeddccbbaa99030201000504070608090a0b0c0d0e0f1500110007003100320037002e00" \
	"30002e0030002e0031005b003100330035005d00000000000a00ffff0000000000000000000001100800cccccccc" \
	"68000000cccccccc0000000000000200887766554433221104000200030201000504070608090a0b0c0d0e0f0500" \
	"000005000700170000001700130007003100320037002e0030002e0030002e0031005b0034003900310035003200" \
	"5d00000000000a00ffff00000000000000000000"
#define VEC_ACTIVATION_RESP_TAIL "00000000"

static void actprops_in_fill(dcom_actprops_in *a)
{
	static const ntlm_guid order[] = {DCOM_CLSID_INSTANTIATION, DCOM_CLSID_ACTIVATION_CTX,
	                                  DCOM_CLSID_SERVER_LOCATION, DCOM_CLSID_SCM_REQUEST};
	static const ntlm_guid demo = NTLM_DCOM_CLSID_NTLMDEMO;
	memset(a, 0, sizeof(*a));
	a->dest_ctx = DCOM_DESTCTX_DIFFERENTMACHINE;
	a->n_props = 4;
	memcpy(a->prop_clsids, order, sizeof(order));
	a->present = DCOM_PROP_INST | DCOM_PROP_ACTCTX | DCOM_PROP_LOCATION | DCOM_PROP_SCM_REQ;
	a->inst.clsid = demo;
	a->inst.n_iids = 1;
	a->inst.iids[0] = IID_UNK;
	a->inst.client_version.major = 5;
	a->inst.client_version.minor = 7;
	a->scm_req.has_remote = 1;
	a->scm_req.client_imp_level = 2;
	a->scm_req.n_protseqs = 1;
	a->scm_req.protseqs[0] = DCOM_TOWER_NCACN_IP_TCP;
}

static void test_actprops_in(void)
{
	dcom_actprops_in *a = calloc(2, sizeof(*a));
	T_SETUP(a == NULL);
	actprops_in_fill(&a[1]);
	EXPECT_ENCODES(dcom_actprops_in, &a[1], VEC_ACTPROPS_IN);
	a[1].inst.this_size = 0x58;
	DECODE_VECTOR(dcom_actprops_in, VEC_ACTPROPS_IN, &a[0]);
	T_ASSERT(memcmp(&a[0], &a[1], sizeof(*a)) == 0);
	/* as impacket sends it */
	a[1].inst.this_size = 0;
	DECODE_VECTOR(dcom_actprops_in, VEC_ACTPROPS_IN_IMPACKET, &a[0]);
	T_ASSERT(memcmp(&a[0], &a[1], sizeof(*a)) == 0);
	free(a);
}

static void test_actprops_in6(void)
{
	static const ntlm_guid order[] = {DCOM_CLSID_SPECIAL_PROPS,   DCOM_CLSID_INSTANTIATION,
	                                  DCOM_CLSID_ACTIVATION_CTX,  DCOM_CLSID_SECURITY_INFO,
	                                  DCOM_CLSID_SERVER_LOCATION, DCOM_CLSID_SCM_REQUEST};
	dcom_actprops_in *a = calloc(2, sizeof(*a));
	T_SETUP(a == NULL);
	actprops_in_fill(&a[1]);
	a[1].n_props = 6;
	memcpy(a[1].prop_clsids, order, sizeof(order));
	a[1].present |= DCOM_PROP_SPECIAL | DCOM_PROP_SECURITY;
	a[1].special.session_id = 0xFFFFFFFF;
	a[1].special.default_authn_level = NTLM_RPC_LEVEL_PKT_PRIVACY;
	a[1].special.orig_clsctx = 0x14;
	a[1].special.flags = 2;
	a[1].security.has_server_info = 1;
	a[1].security.server_name.present = 1;
	strcpy(a[1].security.server_name.utf8, "SERVER");
	EXPECT_ENCODES(dcom_actprops_in, &a[1], VEC_ACTPROPS_IN6);
	a[1].inst.this_size = 0x58;
	DECODE_VECTOR(dcom_actprops_in, VEC_ACTPROPS_IN6, &a[0]);
	T_ASSERT(memcmp(&a[0], &a[1], sizeof(*a)) == 0);
	free(a);
}

static void test_createinstance_req(void)
{
	dcom_createinstance_req q = {0}, q2;
	uint8_t objref[MAXV];
	orpcthis_init(&q.orpc);
	q.orpc.flags = 1;
	q.act_props.data = objref;
	q.act_props.len = unhex(VEC_ACTPROPS_IN, objref);
	EXPECT_ENCODES(dcom_createinstance_req, &q, VEC_CREATEINSTANCE_HEAD VEC_ACTPROPS_IN);
	DECODE_VECTOR(dcom_createinstance_req, VEC_CREATEINSTANCE_HEAD VEC_ACTPROPS_IN, &q2);
	T_ASSERT(q2.orpc.flags == 1 && !q2.unk_outer.data && q2.act_props.len == q.act_props.len);
	T_ASSERT(memcmp(q2.act_props.data, objref, q.act_props.len) == 0);
	/* RemoteGetClassObject: the same without pUnkOuter */
	dcom_getclassobject_req g = {q.orpc, q.act_props}, g2;
	ntlm_buffer b = {0};
	T_OK(dcom_getclassobject_req_encode(&g, &b));
	T_ASSERT(b.len == q.act_props.len + 48 - 4);
	T_OK(dcom_getclassobject_req_decode(b.data, b.len, &g2));
	T_ASSERT(g2.act_props.len == q.act_props.len);
	ntlm_buffer_free(&b);
}

/* Offsets in VEC_ACTPROPS_IN (the OBJREF): iid 8, clsid 24, blob 48: dwSize 48, CustomHeader
   56 (version 56, endianness 57, length 58, ObjectBufferLength 64), totalSize 72, headerSize 76,
   cIfs 88, pclsid 108, pSizes 112, clsids 124.., sizes 192..; InstantiationInfoData 208
   (ObjectBufferLength 216, cIID 252, pIID 260, conformance 272); ActivationContextInfoData 296;
   LocationInfoData 336; ScmRequestInfoData 368 (remoteRequest 388, cRequestedProtseqs 396,
   pointer 400, conformance 404) */
static void test_actprops_in_refused(void)
{
	const char *v = VEC_ACTPROPS_IN;
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 8, 1, 0xA3, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 24, 1, 0x39, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 4, 1, 1, NTLM_E_TRUNCATED); /* a standard OBJREF */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 48, 4, 0x1000, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 56, 1, 2, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 57, 1, 0, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 58, 2, 16, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 64, 4, 0x1000, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 72, 4, 0x170, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 76, 4, 0x100, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 76, 4, 0x20, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 88, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 88, 4, DCOM_MAX_PROPS + 1, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 88, 4, 3, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 108, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 112, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 192, 4, 0x10000, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 204, 4, 0x38, NTLM_E_FIELD_RANGE);
	/* the same with bytes after the blob: the sizes are checked against dwSize */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, VEC_ACTPROPS_IN "00000000000000000000000000000000", 204,
	                     4, 0x38, NTLM_E_FIELD_RANGE);
	/* ServerLocationInfo named twice (ScmRequestInfo's class renamed) */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 172, 1, 0xA4, NTLM_E_FIELD_RANGE);
	/* no IID at all, consistently: cIID 0 and a conformance of 0 */
	EXPECT_PATCH2_REFUSED(dcom_actprops_in, v, 252, 4, 0, 272, 4, 0, NTLM_E_FIELD_RANGE);
	/* InstantiationInfoData named twice; missing (its class renamed: an unknown property) */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 140, 1, 0xAB, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 124, 1, 0xEE, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 216, 4, 0x50, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 208, 1, 2, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 252, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 252, 4, DCOM_MAX_IIDS + 1, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 260, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 272, 4, 2, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 396, 2, DCOM_MAX_PROTSEQS + 1, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 400, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_in, v, 404, 4, 2, NTLM_E_FIELD_RANGE);
	/* another property class than ours is skipped: ActivationContextInfo renamed */
	dcom_actprops_in *a = calloc(1, sizeof(*a));
	T_SETUP(a == NULL);
	uint8_t b[MAXV];
	size_t n = unhex(v, b);
	b[140] = 0xEE;
	T_OK(dcom_actprops_in_decode(b, n, a));
	T_ASSERT(a->present == (DCOM_PROP_INST | DCOM_PROP_LOCATION | DCOM_PROP_SCM_REQ));
	/* an encoder refuses a class it does not know */
	T_EXPECT_ERR(dcom_actprops_in_encode(a, &(ntlm_buffer){0}), NTLM_E_INVALID_PARAMETER);
	free(a);
}

static void test_security_info_refused(void)
{
	/* SecurityInfoData at 480 in VEC_ACTPROPS_IN6: pServerInfo's pAuthInfo (at 516) set */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, VEC_ACTPROPS_IN6, 516, 4, 0x20008, NTLM_E_UNSUPPORTED);
	/* its name (the string at 524: max_count) over NDR_MAX_STRING_CHARS */
	EXPECT_PATCH_REFUSED(dcom_actprops_in, VEC_ACTPROPS_IN6, 524, 4, NDR_MAX_STRING_CHARS + 2,
	                     NTLM_E_FIELD_RANGE);
}

static void actprops_out_fill(dcom_actprops_out *a, const uint8_t *objref, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->present = DCOM_PROP_PROPS_OUT | DCOM_PROP_SCM_REPLY;
	a->props.n_ifs = 1;
	a->props.iids[0] = IID_UNK;
	a->props.objrefs[0].data = objref;
	a->props.objrefs[0].len = len;
	a->scm.has_remote = 1;
	a->scm.oxid = OXID;
	a->scm.has_bindings = 1;
	dsa_fill(&a->scm.bindings, "127.0.0.1[49152]");
	a->scm.ipid_remunknown = IPID;
	a->scm.authn_hint = NTLM_RPC_LEVEL_PKT_INTEGRITY;
	a->scm.version.major = 5;
	a->scm.version.minor = 7;
}

static void test_actprops_out(void)
{
	dcom_actprops_out *a = calloc(2, sizeof(*a));
	dcom_objref *o = calloc(1, sizeof(*o));
	T_SETUP(a == NULL || o == NULL);
	o->flags = DCOM_OBJREF_STANDARD;
	o->iid = IID_UNK;
	o->std.public_refs = 5;
	o->std.oxid = OXID;
	o->std.oid = OID;
	o->std.ipid = IPID;
	dsa_fill(&o->resaddr, "127.0.0.1[135]");
	ntlm_buffer std = {0};
	T_OK(dcom_objref_encode(o, &std));
	actprops_out_fill(&a[1], std.data, std.len);
	EXPECT_ENCODES(dcom_actprops_out, &a[1], VEC_ACTPROPS_OUT);
	DECODE_VECTOR(dcom_actprops_out, VEC_ACTPROPS_OUT, &a[0]);
	T_ASSERT(a[0].props.objrefs[0].len == std.len &&
	         memcmp(a[0].props.objrefs[0].data, std.data, std.len) == 0);
	a[0].props.objrefs[0] = a[1].props.objrefs[0];
	T_ASSERT(memcmp(&a[0], &a[1], sizeof(*a)) == 0);

	/* in a RemoteCreateInstance response */
	uint8_t out[MAXV];
	dcom_activation_resp r = {0}, r2;
	r.act_props.data = out;
	r.act_props.len = unhex(VEC_ACTPROPS_OUT, out);
	EXPECT_ENCODES(dcom_activation_resp, &r,
	               VEC_ACTIVATION_RESP_HEAD VEC_ACTPROPS_OUT VEC_ACTIVATION_RESP_TAIL);
	DECODE_VECTOR(dcom_activation_resp,
	              VEC_ACTIVATION_RESP_HEAD VEC_ACTPROPS_OUT VEC_ACTIVATION_RESP_TAIL, &r2);
	T_ASSERT(r2.hr == 0 && r2.act_props.len == r.act_props.len);
	ntlm_buffer_free(&std);
	free(a);
	free(o);
}

/* Offsets in VEC_ACTPROPS_OUT: iid 8, PropsOutInfo at 168 (cIfs 184, piid 188, phresults 192,
   ppIntfData 196, conformances 200, 220, 228, the pointer 232); ScmReplyInfoData at 344
   (remoteReply 364) */
static void test_actprops_out_refused(void)
{
	const char *v = VEC_ACTPROPS_OUT;
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 8, 1, 0xA2, NTLM_E_BAD_SIGNATURE_HEADER);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 184, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 184, 4, 2, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 192, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 196, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 220, 4, 2, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 228, 4, 2, NTLM_E_FIELD_RANGE);
	/* ScmReplyInfo missing (its class renamed) */
	EXPECT_PATCH_REFUSED(dcom_actprops_out, v, 140, 1, 0xEE, NTLM_E_FIELD_RANGE);
}

/* IActivation::RemoteActivation as impacket's IActivation.RemoteActivation(NtlmDemo, IUnknown)
   builds it: ORPCTHIS {5.7, flags 1, CID}, Clsid NtlmDemo, pwszObjectName NULL, pObjectStorage
   NULL, ClientImpLevel 2, Mode 0, Interfaces 1, pIIDs [IUnknown], cRequestedProtseqs 1, [7];
   the response {ORPCthat {0, NULL}, OXID, {ncacn_ip_tcp "127.0.0.1[49152]"; 10, 0xffff, ""},
   IPID, pAuthnHint 5, 5.7, phr 0, ppInterfaceData [{4, "MEOW"}], pResults [0], 0} */
#define VEC_RACT_REQ                                                                               \
	"050007000100000000000000443322116655887799aabbccddeeff00000000006e2d3c6c0b1f7e4b9a515a2e0f1d" \
	"7c01000000000000000002000000000000000100000000000200010000000000000000000000c000000000000046" \
	"0"                                                                                            \
	"1000000010000000700"
#define VEC_RACT_RESP                                                                              \
	"0000000000000000887766554433221100000200170000001700130007003100320037002e0030002e0030002e00" \
	"31005b00340039003100350032005d00000000000a00ffff000000000000030201000504070608090a0b0c0d0e0f" \
	"050000000500070000000000010000000400020004000000040000004d454f57010000000000000000000000"

static void test_remote_activation(void)
{
	static const ntlm_guid demo = NTLM_DCOM_CLSID_NTLMDEMO;
	dcom_remoteactivation_req *q = calloc(2, sizeof(*q));
	dcom_remoteactivation_resp *p = calloc(2, sizeof(*p));
	T_SETUP(q == NULL || p == NULL);
	orpcthis_init(&q[1].orpc);
	q[1].orpc.flags = 1;
	q[1].clsid = demo;
	q[1].imp_level = NTLM_RPC_IMP_IDENTIFY;
	q[1].n_iids = 1;
	q[1].iids[0] = IID_UNK;
	q[1].n_protseqs = 1;
	q[1].protseqs[0] = DCOM_TOWER_NCACN_IP_TCP;
	EXPECT_ENCODES(dcom_remoteactivation_req, &q[1], VEC_RACT_REQ);
	DECODE_VECTOR(dcom_remoteactivation_req, VEC_RACT_REQ, &q[0]);
	T_ASSERT(memcmp(&q[0], &q[1], sizeof(*q)) == 0);
	static const uint8_t meow[] = {'M', 'E', 'O', 'W'};
	p[1].oxid = OXID;
	p[1].has_bindings = 1;
	dsa_fill(&p[1].bindings, "127.0.0.1[49152]");
	p[1].ipid_remunknown = IPID;
	p[1].authn_hint = NTLM_RPC_LEVEL_PKT_INTEGRITY;
	p[1].version.major = 5;
	p[1].version.minor = 7;
	p[1].n_ifs = 1;
	p[1].ifs[0].data = meow;
	p[1].ifs[0].len = 4;
	EXPECT_ENCODES(dcom_remoteactivation_resp, &p[1], VEC_RACT_RESP);
	DECODE_VECTOR(dcom_remoteactivation_resp, VEC_RACT_RESP, &p[0]);
	T_ASSERT(p[0].ifs[0].len == 4 && memcmp(p[0].ifs[0].data, meow, 4) == 0);
	p[0].ifs[0] = p[1].ifs[0];
	T_ASSERT(memcmp(&p[0], &p[1], sizeof(*p)) == 0);
	/* Offsets in the request: object name 48, Interfaces 64, pIIDs 68, conformance 72,
	   cRequestedProtseqs 92, conformance 96 */
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_req, VEC_RACT_REQ, 64, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_req, VEC_RACT_REQ, 64, 4, DCOM_MAX_IIDS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_req, VEC_RACT_REQ, 68, 4, 0, NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_req, VEC_RACT_REQ, 96, 4, DCOM_MAX_PROTSEQS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_req, VEC_RACT_REQ, 92, 2, 2, NTLM_E_FIELD_RANGE);
	/* Offsets in the response: ppInterfaceData conformance 104, pResults conformance 124 */
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_resp, VEC_RACT_RESP, 104, 4, DCOM_MAX_IIDS + 1,
	                     NTLM_E_FIELD_RANGE);
	EXPECT_PATCH_REFUSED(dcom_remoteactivation_resp, VEC_RACT_RESP, 124, 4, 2, NTLM_E_FIELD_RANGE);
	free(q);
	free(p);
}

/* ------------------------------------------------------------ INtlmDemo */

/* INtlmDemo stubs written as impacket DCOMCALL/DCOMANSWER structures (LPWSTR, LONG):
   WhoAmI's response {ORPCthat {0, NULL}, principal "DOMAIN\alice", authn_svc 10,
   authn_level 6, imp_level 3, 0}; Add {ORPCthis {5.7, 0, CID}, a -2, b 40} -> {38, 0};
   WhoAmIImpersonated's response {euid 1001, unix_user "alice", 0} */
#define VEC_DEMO_WHOAMI_RESP                                                                       \
	"0000000000000000000002000d000000000000000d00000044004f004d00410049004e005c0061006c0069006300" \
	"6500000000000a000000060000000300000000000000"
#define VEC_DEMO_ADD_REQ                                                                           \
	"050007000000000000000000443322116655887799aabbccddeeff0000000000feffffff28000000"
#define VEC_DEMO_ADD_RESP "00000000000000002600000000000000"
#define VEC_DEMO_WHOAMI_IMP_RESP                                                                   \
	"0000000000000000e90300000000020006000000000000000600000061006c00690063006500000000000000"

static void test_demo_stubs(void)
{
	dcom_demo_whoami_resp *w = calloc(2, sizeof(*w));
	dcom_demo_whoami_imp_resp *i = calloc(2, sizeof(*i));
	T_SETUP(w == NULL || i == NULL);
	w[1].principal.present = 1;
	strcpy(w[1].principal.utf8, "DOMAIN\\alice");
	w[1].authn_svc = NTLM_RPC_AUTHN_WINNT;
	w[1].authn_level = NTLM_RPC_LEVEL_PKT_PRIVACY;
	w[1].imp_level = NTLM_RPC_IMP_IMPERSONATE;
	EXPECT_ENCODES(dcom_demo_whoami_resp, &w[1], VEC_DEMO_WHOAMI_RESP);
	DECODE_VECTOR(dcom_demo_whoami_resp, VEC_DEMO_WHOAMI_RESP, &w[0]);
	T_ASSERT(memcmp(&w[0], &w[1], sizeof(*w)) == 0);
	i[1].euid = 1001;
	i[1].unix_user.present = 1;
	strcpy(i[1].unix_user.utf8, "alice");
	EXPECT_ENCODES(dcom_demo_whoami_imp_resp, &i[1], VEC_DEMO_WHOAMI_IMP_RESP);
	DECODE_VECTOR(dcom_demo_whoami_imp_resp, VEC_DEMO_WHOAMI_IMP_RESP, &i[0]);
	T_ASSERT(memcmp(&i[0], &i[1], sizeof(*i)) == 0);
	free(w);
	free(i);

	dcom_demo_add_req a = {0}, a2;
	orpcthis_init(&a.orpc);
	a.a = -2;
	a.b = 40;
	EXPECT_ENCODES(dcom_demo_add_req, &a, VEC_DEMO_ADD_REQ);
	DECODE_VECTOR(dcom_demo_add_req, VEC_DEMO_ADD_REQ, &a2);
	T_ASSERT(memcmp(&a, &a2, sizeof(a)) == 0);
	dcom_demo_add_resp s = {0}, s2;
	s.sum = 38;
	EXPECT_ENCODES(dcom_demo_add_resp, &s, VEC_DEMO_ADD_RESP);
	DECODE_VECTOR(dcom_demo_add_resp, VEC_DEMO_ADD_RESP, &s2);
	T_ASSERT(s2.sum == 38 && s2.hr == 0);
	/* WhoAmI and WhoAmIImpersonated send ORPCTHIS only */
	dcom_orpc_req o = {0}, o2;
	orpcthis_init(&o.orpc);
	EXPECT_ENCODES(dcom_orpc_req, &o,
	               "050007000000000000000000443322116655887799aabbccddeeff0000000000");
	DECODE_VECTOR(dcom_orpc_req, "050007000000000000000000443322116655887799aabbccddeeff0000000000",
	              &o2);
	T_ASSERT(memcmp(&o, &o2, sizeof(o)) == 0);
	/* a principal with no terminator, or longer than NDR_MAX_STRING_CHARS */
	EXPECT_PATCH_REFUSED(dcom_demo_whoami_resp, VEC_DEMO_WHOAMI_RESP, 48, 2, 0x41,
	                     NTLM_E_BAD_STRING);
	EXPECT_PATCH_REFUSED(dcom_demo_whoami_resp, VEC_DEMO_WHOAMI_RESP, 12, 4,
	                     NDR_MAX_STRING_CHARS + 2, NTLM_E_FIELD_RANGE);
}

static void test_encoders_refuse_counts(void)
{
	dcom_remqi_req *q = calloc(1, sizeof(*q));
	T_SETUP(q == NULL);
	ntlm_buffer b = {0};
	q->n_iids = DCOM_MAX_IIDS + 1;
	T_EXPECT_ERR(dcom_remqi_req_encode(q, &b), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(b.data == NULL);
	free(q);
	dcom_remrefs_req *r = calloc(1, sizeof(*r));
	T_SETUP(r == NULL);
	r->n_refs = DCOM_MAX_REFS + 1;
	T_EXPECT_ERR(dcom_remrefs_req_encode(r, &b), NTLM_E_INVALID_PARAMETER);
	free(r);
	dcom_resolveoxid_req o = {0};
	o.n_protseqs = DCOM_MAX_PROTSEQS + 1;
	T_EXPECT_ERR(dcom_resolveoxid_req_encode(&o, &b), NTLM_E_INVALID_PARAMETER);
	dcom_objref *s = calloc(1, sizeof(*s));
	T_SETUP(s == NULL);
	s->flags = DCOM_OBJREF_STANDARD;
	s->resaddr.n_str = DCOM_MAX_BINDINGS + 1;
	T_EXPECT_ERR(dcom_objref_encode(s, &b), NTLM_E_INVALID_PARAMETER);
	s->resaddr.n_str = 0;
	s->flags = DCOM_OBJREF_HANDLER;
	T_EXPECT_ERR(dcom_objref_encode(s, &b), NTLM_E_UNSUPPORTED);
	free(s);
	dcom_actprops_out *a = calloc(1, sizeof(*a));
	T_SETUP(a == NULL);
	a->props.n_ifs = DCOM_MAX_IIDS + 1;
	T_EXPECT_ERR(dcom_actprops_out_encode(a, &b), NTLM_E_INVALID_PARAMETER);
	free(a);
}

int main(void)
{
	T_RUN(test_hresult_names);
	T_RUN(test_guid_init);
	T_RUN(test_ndr_align_and_values);
	T_RUN(test_ndr_wstring);
	T_RUN(test_ndr_mip_bounds);
	T_RUN(test_remqi_req);
	T_RUN(test_remqi_req_bounds);
	T_RUN(test_remaddref_req_and_extensions);
	T_RUN(test_extension_bounds);
	T_RUN(test_remrefs_bounds);
	T_RUN(test_remqi_resp);
	T_RUN(test_remaddref_release_resp);
	T_RUN(test_remqi2_roundtrip);
	T_RUN(test_classfactory);
	T_RUN(test_resolveoxid);
	T_RUN(test_serveralive2);
	T_RUN(test_pings);
	T_RUN(test_objref_standard);
	T_RUN(test_objref_refused);
	T_RUN(test_dsa_bounds);
	T_RUN(test_dsa_many_bindings);
	T_RUN(test_actprops_in);
	T_RUN(test_actprops_in6);
	T_RUN(test_createinstance_req);
	T_RUN(test_actprops_in_refused);
	T_RUN(test_security_info_refused);
	T_RUN(test_actprops_out);
	T_RUN(test_actprops_out_refused);
	T_RUN(test_remote_activation);
	T_RUN(test_demo_stubs);
	T_RUN(test_encoders_refuse_counts);
	T_END();
}
