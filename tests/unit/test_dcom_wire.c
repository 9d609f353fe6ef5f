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

/* The vector with a little-endian value of width bytes written at off decodes to err. */
#define EXPECT_PATCH_REFUSED(type, hex, off, width, value, err)                                    \
	do {                                                                                           \
		static uint8_t b_[MAXV];                                                                   \
		size_t n_ = unhex((hex), b_);                                                              \
		for (size_t i_ = 0; i_ < (width); i_++)                                                    \
			b_[(off) + i_] = (uint8_t)((uint64_t)(value) >> (8 * i_));                             \
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
	T_END();
}
