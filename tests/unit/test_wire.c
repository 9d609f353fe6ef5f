/*
 * test_wire.c - the message codecs of wire.c: round trips of every message
 * form, the short historical header forms, one negative test per decoder
 * check, truncation and bit-flip sweeps, and the [MS-NLMP] 4.2 values.
 */
#include "t.h"

#include "ntlmssp/ntlmssp.h"
#include "nlmp_vectors.h"
#include "mem.h"
#include "wire.h"

/* ------------------------------------------------------------- helpers */

/* Tests patch wire bytes directly: these are test-side, not library code. */
static void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static uint16_t get16(const uint8_t *b, size_t off)
{
	return (uint16_t)(b[off] | (b[off + 1] << 8));
}

static uint32_t get32(const uint8_t *b, size_t off)
{
	return get16(b, off) | ((uint32_t)get16(b, off + 2) << 16);
}

/*
 * ntlm_buffer_free lives in context.c; the codec tests link without it, so
 * they release encoder output through the same wipe-and-free.
 */
static void buf_free(ntlm_buffer *b)
{
	ntlm_free_secret(b->data, b->len);
	b->data = NULL;
	b->len = 0;
}

/* Rewrites the security buffer at pos. */
static void set_field(uint8_t *b, size_t pos, uint16_t len, uint16_t maxlen, uint32_t off)
{
	put16(b, pos, len);
	put16(b, pos + 2, maxlen);
	put32(b, pos + 4, off);
}

/* Header positions of the fields ([MS-NLMP] 2.2.1.x). */
#define NEG_DOMAIN  16
#define NEG_WS      24
#define CHAL_NAME   12
#define CHAL_FLAGS  20
#define CHAL_INFO   40
#define AUTH_LM     12
#define AUTH_NT     20
#define AUTH_DOMAIN 28
#define AUTH_USER   36
#define AUTH_WS     44
#define AUTH_KEY    52

static const nw_version test_version = {10, 0, 19041, 15};

static const uint8_t lm_resp[24] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                    13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
static const uint8_t nt_resp[30] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
                                    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9,
                                    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9};
static const uint8_t sess_key[16] = {0x55, 0x66, 0x77, 0x88, 0x55, 0x66, 0x77, 0x88,
                                     0x55, 0x66, 0x77, 0x88, 0x55, 0x66, 0x77, 0x88};
static const uint8_t target_info[] = {
	0x02, 0x00, 0x04, 0x00, 'D', 0, 'M', 0, /* MsvAvNbDomainName "DM" */
	0x00, 0x00, 0x00, 0x00,                 /* MsvAvEOL */
};

#define AUTH_FLAGS_BASE                                                                            \
	(NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |                         \
	 NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128)

/* An AUTHENTICATE with every field filled (strings borrowed, not owned). */
static nw_authenticate sample_auth(int unicode, int has_version)
{
	nw_authenticate m;
	memset(&m, 0, sizeof(m));
	m.flags = AUTH_FLAGS_BASE | (unicode ? NTLMSSP_NEGOTIATE_UNICODE : NTLMSSP_NEGOTIATE_OEM) |
	          (has_version ? NTLMSSP_NEGOTIATE_VERSION : 0);
	m.lm_response = (uint8_t *)lm_resp;
	m.lm_response_len = sizeof(lm_resp);
	m.nt_response = (uint8_t *)nt_resp;
	m.nt_response_len = sizeof(nt_resp);
	m.domain = "D\xc3\xa9main"; /* U+00E9: fits OEM (Latin-1) as well */
	m.user = "user";
	m.workstation = "WS01";
	m.encrypted_session_key = (uint8_t *)sess_key;
	m.encrypted_session_key_len = sizeof(sess_key);
	m.has_version = has_version;
	m.version = test_version;
	return m;
}

/* The default test message: Unicode, VERSION, MIC (88-byte header). */
static ntlm_err encode_sample_auth(ntlm_buffer *out)
{
	nw_authenticate m = sample_auth(1, 1);
	return nw_authenticate_encode(&m, 1, out);
}

static int version_eq(const nw_version *a, const nw_version *b)
{
	return a->major == b->major && a->minor == b->minor && a->build == b->build &&
	       a->revision == b->revision;
}

/* ------------------------------------------------------------ NEGOTIATE */

static void test_negotiate_roundtrip_plain(void)
{
	nw_negotiate m = {.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM}, d;
	ntlm_buffer b;
	T_OK(nw_negotiate_encode(&m, &b));
	T_ASSERT(b.len == 32);
	T_OK(nw_negotiate_decode(b.data, b.len, &d));
	T_ASSERT(d.flags == m.flags);
	T_ASSERT(d.domain == NULL && d.workstation == NULL);
	T_ASSERT(!d.has_version);
	nw_negotiate_clear(&d);
	buf_free(&b);
}

static void test_negotiate_roundtrip_version_names(void)
{
	nw_negotiate m = {.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_VERSION |
	                           NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
	                           NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
	                  .domain = "D\xc3\x96M",
	                  .workstation = "WS1",
	                  .has_version = 1,
	                  .version = test_version};
	nw_negotiate d;
	ntlm_buffer b;
	T_OK(nw_negotiate_encode(&m, &b));
	T_ASSERT(b.len == 40 + 3 + 3);
	T_ASSERT(b.data[40] == 'D' && b.data[41] == 0xD6); /* OEM, one byte per char */
	T_ASSERT(get32(b.data, NEG_DOMAIN + 4) == 40);
	T_OK(nw_negotiate_decode(b.data, b.len, &d));
	T_ASSERT(d.flags == m.flags);
	T_STR(d.domain, "D\xc3\x96M");
	T_STR(d.workstation, "WS1");
	T_ASSERT(d.has_version && version_eq(&d.version, &test_version));
	nw_negotiate_clear(&d);
	buf_free(&b);
}

static void test_negotiate_supplied_empty(void)
{
	nw_negotiate m = {.flags = NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED}, d;
	ntlm_buffer b;
	T_OK(nw_negotiate_encode(&m, &b)); /* NULL domain with its flag: "" */
	T_OK(nw_negotiate_decode(b.data, b.len, &d));
	T_STR(d.domain, "");
	T_ASSERT(d.workstation == NULL);
	nw_negotiate_clear(&d);
	buf_free(&b);
}

static const uint8_t neg16[] = {'N', 'T', 'L', 'M', 'S',  'S',  'P',  0,
                                1,   0,   0,   0,   0x07, 0x82, 0x08, 0x02}; /* ... | VERSION */

static void test_negotiate_16_byte_form(void)
{
	nw_negotiate d;
	T_OK(nw_negotiate_decode(neg16, sizeof(neg16), &d));
	T_ASSERT(d.flags == 0x02088207u);
	T_ASSERT(d.domain == NULL && d.workstation == NULL && !d.has_version);
	nw_negotiate_clear(&d);
}

static void test_negotiate_16_byte_supplied_truncated(void)
{
	uint8_t b[16];
	nw_negotiate d;
	memcpy(b, neg16, sizeof(b));
	put32(b, 12, NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED);
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_TRUNCATED);
}

static void test_negotiate_32_byte_form(void)
{
	/* VERSION flagged but the header stops at 32: no version is read. */
	uint8_t b[32] = {0};
	nw_negotiate d;
	memcpy(b, neg16, sizeof(neg16));
	T_OK(nw_negotiate_decode(b, sizeof(b), &d));
	T_ASSERT(d.flags == 0x02088207u && !d.has_version);
	nw_negotiate_clear(&d);
}

static void test_negotiate_version_needs_room(void)
{
	/* 32-byte header, domain right after it, VERSION flagged: the payload wins. */
	uint8_t b[44] = {0};
	nw_negotiate d;
	memcpy(b, neg16, sizeof(neg16));
	put32(b, 12, NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED);
	set_field(b, NEG_DOMAIN, 12, 12, 32);
	memcpy(b + 32, "CORPORATION1", 12);
	T_OK(nw_negotiate_decode(b, sizeof(b), &d));
	T_ASSERT(!d.has_version);
	T_STR(d.domain, "CORPORATION1");
	nw_negotiate_clear(&d);
}

static void test_negotiate_unflagged_fields_ignored(void)
{
	uint8_t b[40] = {0};
	nw_negotiate d;
	memcpy(b, neg16, sizeof(neg16));
	set_field(b, NEG_DOMAIN, 9, 1, 0xFFFFFFF0u); /* would fail three checks */
	set_field(b, NEG_WS, 3, 3, 4);
	T_OK(nw_negotiate_decode(b, sizeof(b), &d));
	T_ASSERT(d.domain == NULL && d.workstation == NULL);
	T_ASSERT(d.has_version); /* unflagged fields do not hide the version */
	nw_negotiate_clear(&d);
}

static void test_negotiate_truncated(void)
{
	static const size_t cuts[] = {0, 1, 7, 8, 11, 12, 15, 17, 23, 24, 31};
	uint8_t b[32] = {0};
	nw_negotiate d;
	memcpy(b, neg16, sizeof(neg16));
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cuts); i++)
		if (nw_negotiate_decode(b, cuts[i], &d) != NTLM_E_TRUNCATED)
			T_FAIL("prefix %zu not truncated", cuts[i]);
	T_EXPECT_ERR(nw_negotiate_decode(NULL, 0, &d), NTLM_E_TRUNCATED);
}

/* A NEGOTIATE with both names flagged: domain "CORP" at 40, workstation "WS" at 44. */
static void build_negotiate(uint8_t b[46])
{
	memset(b, 0, 46);
	memcpy(b, neg16, sizeof(neg16));
	put32(b, 12,
	      NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED |
	          NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED);
	set_field(b, NEG_DOMAIN, 4, 4, 40);
	set_field(b, NEG_WS, 2, 2, 44);
	memcpy(b + 40, "CORPWS", 6);
}

static void test_negotiate_field_errors(void)
{
	uint8_t b[46];
	nw_negotiate d;
	build_negotiate(b);
	T_OK(nw_negotiate_decode(b, sizeof(b), &d));
	T_STR(d.domain, "CORP");
	T_STR(d.workstation, "WS");
	nw_negotiate_clear(&d);

	set_field(b, NEG_DOMAIN, 4, 3, 40);
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_FIELD_MAXLEN);
	build_negotiate(b);
	set_field(b, NEG_DOMAIN, 4, 4, 43);
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_FIELD_RANGE);
	build_negotiate(b);
	set_field(b, NEG_DOMAIN, 4, 4, 20);
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_FIELD_OVERLAP);
	build_negotiate(b);
	set_field(b, NEG_WS, 2, 2, 42);
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_FIELD_OVERLAP);
	build_negotiate(b);
	b[41] = 0;
	T_EXPECT_ERR(nw_negotiate_decode(b, sizeof(b), &d), NTLM_E_BAD_STRING);
	T_ASSERT(d.domain == NULL && d.workstation == NULL && d.flags == 0);
}

/* ------------------------------------------------------------ CHALLENGE */

static nw_challenge sample_challenge(uint32_t flags, const char *name, int has_version)
{
	nw_challenge m;
	memset(&m, 0, sizeof(m));
	m.flags = flags | (has_version ? NTLMSSP_NEGOTIATE_VERSION : 0);
	memcpy(m.server_challenge, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	m.target_name = (char *)name;
	m.target_info = (uint8_t *)target_info;
	m.target_info_len = sizeof(target_info);
	m.has_version = has_version;
	m.version = test_version;
	return m;
}

static void check_challenge_roundtrip(uint32_t flags, const char *name, int has_version,
                                      size_t header)
{
	nw_challenge m = sample_challenge(flags, name, has_version), d;
	ntlm_buffer b;
	T_OK(nw_challenge_encode(&m, &b));
	T_ASSERT(get32(b.data, CHAL_INFO + 4) == header || get32(b.data, CHAL_NAME + 4) == header);
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_ASSERT(d.flags == m.flags);
	T_BYTES(d.server_challenge, m.server_challenge, 8);
	if (name)
		T_STR(d.target_name, name);
	else
		T_ASSERT(d.target_name == NULL);
	T_ASSERT(d.target_info_len == sizeof(target_info));
	T_BYTES(d.target_info, target_info, sizeof(target_info));
	T_ASSERT(d.has_version == has_version);
	if (has_version)
		T_ASSERT(version_eq(&d.version, &test_version));
	nw_challenge_clear(&d);
	buf_free(&b);
}

static void test_challenge_roundtrips(void)
{
	check_challenge_roundtrip(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_TARGET_INFO,
	                          "SERV\xc3\x89R", 1, 56);
	check_challenge_roundtrip(NTLMSSP_NEGOTIATE_UNICODE, "\xf0\x9f\x94\x91KEY", 0, 48);
	check_challenge_roundtrip(NTLMSSP_NEGOTIATE_OEM, "SERV\xc3\x89R", 1, 56);
	check_challenge_roundtrip(NTLMSSP_NEGOTIATE_OEM, "SRV", 0, 48);
	check_challenge_roundtrip(NTLMSSP_NEGOTIATE_UNICODE, NULL, 1, 56);
}

static void test_challenge_no_target_info(void)
{
	nw_challenge m = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE, "S", 0), d;
	ntlm_buffer b;
	m.target_info = NULL;
	m.target_info_len = 0;
	T_OK(nw_challenge_encode(&m, &b));
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_ASSERT(d.target_info == NULL && d.target_info_len == 0);
	T_STR(d.target_name, "S");
	nw_challenge_clear(&d);
	buf_free(&b);
}

static void test_challenge_version_needs_room(void)
{
	/* VERSION flagged but not written: the payload starts at 48. */
	nw_challenge m = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_VERSION,
	                                  "SERVER", 0);
	nw_challenge d;
	ntlm_buffer b;
	T_OK(nw_challenge_encode(&m, &b));
	T_ASSERT(get32(b.data, CHAL_NAME + 4) == 48);
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_ASSERT(!d.has_version);
	T_STR(d.target_name, "SERVER");
	T_ASSERT(d.target_info_len == sizeof(target_info));
	nw_challenge_clear(&d);
	buf_free(&b);
}

static void test_challenge_unicode_and_oem(void)
{
	/* Peers set both; the name is then UTF-16LE. */
	nw_challenge m = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM, "SRV", 1);
	nw_challenge d;
	ntlm_buffer b;
	T_OK(nw_challenge_encode(&m, &b));
	T_ASSERT(get16(b.data, CHAL_NAME) == 6);
	T_ASSERT(b.data[56] == 'S' && b.data[57] == 0);
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_STR(d.target_name, "SRV");
	nw_challenge_clear(&d);
	buf_free(&b);
}

/* A challenge with a 32-byte header (oldest servers): name "SRV" (OEM) at 32. */
static void build_old_challenge(uint8_t b[35])
{
	memset(b, 0, 35);
	memcpy(b, "NTLMSSP\0\x02\0\0\0", 12);
	set_field(b, CHAL_NAME, 3, 3, 32);
	put32(b, CHAL_FLAGS, NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_VERSION);
	memcpy(b + 24, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	memcpy(b + 32, "SRV", 3);
}

static void test_challenge_32_byte_header(void)
{
	uint8_t b[35];
	nw_challenge d;
	build_old_challenge(b);
	T_OK(nw_challenge_decode(b, sizeof(b), &d));
	T_STR(d.target_name, "SRV");
	T_ASSERT(d.target_info == NULL && !d.has_version);
	T_ASSERT(d.server_challenge[7] == 8);
	nw_challenge_clear(&d);
	/* nothing at all after the challenge: also accepted */
	put16(b, CHAL_NAME, 0);
	T_OK(nw_challenge_decode(b, 32, &d));
	T_ASSERT(d.target_name == NULL);
	nw_challenge_clear(&d);
}

static void test_challenge_40_byte_header(void)
{
	/* Reserved present, then the payload at 40: the bytes at 40..47 are the
	 * name, not TargetInfoFields, though the message is longer than 48. */
	uint8_t b[52] = {0};
	nw_challenge d;
	build_old_challenge(b);
	set_field(b, CHAL_NAME, 12, 12, 40);
	memset(b + 32, 0xEE, 8);
	memcpy(b + 40, "ABCDEFGHIJKL", 12);
	T_OK(nw_challenge_decode(b, sizeof(b), &d));
	T_STR(d.target_name, "ABCDEFGHIJKL");
	T_ASSERT(d.target_info == NULL && !d.has_version);
	nw_challenge_clear(&d);
}

static void test_challenge_truncated(void)
{
	static const size_t cuts[] = {0, 7, 8, 11, 12, 19, 20, 23, 24, 31};
	uint8_t b[35];
	nw_challenge d;
	build_old_challenge(b);
	put16(b, CHAL_NAME, 0);
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cuts); i++)
		if (nw_challenge_decode(b, cuts[i], &d) != NTLM_E_TRUNCATED)
			T_FAIL("prefix %zu not truncated", cuts[i]);
}

static void test_challenge_field_errors(void)
{
	nw_challenge m = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE, "SRV", 1), d;
	ntlm_buffer enc;
	uint8_t b[128];
	T_OK(nw_challenge_encode(&m, &enc));
	T_ASSERT(enc.len <= sizeof(b));
	size_t n = enc.len;
	uint32_t name_off = get32(enc.data, CHAL_NAME + 4), info_off = get32(enc.data, CHAL_INFO + 4);
#define RESET() memcpy(b, enc.data, n)
	RESET();
	set_field(b, CHAL_INFO, sizeof(target_info), sizeof(target_info) - 1, info_off);
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_MAXLEN);
	RESET();
	set_field(b, CHAL_INFO, sizeof(target_info), 0xFFFF, info_off); /* MaxLen > Len: fine */
	T_OK(nw_challenge_decode(b, n, &d));
	nw_challenge_clear(&d);
	RESET();
	set_field(b, CHAL_INFO, sizeof(target_info), sizeof(target_info), (uint32_t)n);
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, CHAL_INFO, 0x20, 0x20, 0xFFFFFFF0u);
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, CHAL_NAME, 6, 6, 20); /* inside the header */
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, CHAL_INFO, 8, 8, 44); /* TargetInfo inside its own header part */
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, CHAL_INFO, sizeof(target_info), sizeof(target_info), name_off + 4);
	T_EXPECT_ERR(nw_challenge_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	/* A TargetName bad in its encoding is tolerated (nothing uses it) and marked. */
	set_field(b, CHAL_NAME, 5, 5, name_off); /* odd UTF-16 length; has NULs for OEM */
	T_OK(nw_challenge_decode(b, n, &d));
	T_ASSERT(d.target_name == NULL && d.target_name_misencoded);
	nw_challenge_clear(&d);
	RESET();
	b[name_off + 2] = 0; /* "S\0V" */
	T_OK(nw_challenge_decode(b, n, &d));
	T_ASSERT(d.target_name == NULL && d.target_name_misencoded);
	nw_challenge_clear(&d);
	RESET();
	put16(b, name_off, 0xDC00); /* lone low surrogate (and a NUL for OEM) */
	T_OK(nw_challenge_decode(b, n, &d));
	T_ASSERT(d.target_name == NULL && d.target_name_misencoded);
	nw_challenge_clear(&d);
	RESET();
	set_field(b, CHAL_NAME, 0, 0, 0xFFFFFFFFu); /* empty: offset never checked */
	T_OK(nw_challenge_decode(b, n, &d));
	T_ASSERT(d.target_name == NULL);
	nw_challenge_clear(&d);
#undef RESET
	buf_free(&enc);
}

/* --------------------------------------------------------- AUTHENTICATE */

static void check_auth_roundtrip(int unicode, int has_version, int with_mic)
{
	nw_authenticate m = sample_auth(unicode, has_version), d;
	ntlm_buffer b;
	size_t header = with_mic ? 88 : has_version ? 72 : 64;
	T_OK(nw_authenticate_encode(&m, with_mic, &b));
	size_t lowest = b.len;
	for (size_t pos = AUTH_LM; pos <= AUTH_KEY; pos += 8)
		if (get32(b.data, pos + 4) < lowest)
			lowest = get32(b.data, pos + 4);
	if (lowest != header)
		T_FAIL("payload at %zu, wanted %zu (u=%d v=%d mic=%d)", lowest, header, unicode,
		       has_version, with_mic);
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(d.flags == m.flags);
	T_ASSERT(d.lm_response_len == sizeof(lm_resp));
	T_BYTES(d.lm_response, lm_resp, sizeof(lm_resp));
	T_ASSERT(d.nt_response_len == sizeof(nt_resp));
	T_BYTES(d.nt_response, nt_resp, sizeof(nt_resp));
	T_ASSERT(d.encrypted_session_key_len == sizeof(sess_key));
	T_BYTES(d.encrypted_session_key, sess_key, sizeof(sess_key));
	T_STR(d.domain, m.domain);
	T_STR(d.user, m.user);
	T_STR(d.workstation, m.workstation);
	T_ASSERT(d.has_version == has_version);
	if (has_version)
		T_ASSERT(version_eq(&d.version, &test_version));
	T_ASSERT(d.has_mic_field == with_mic);
	T_ASSERT(ntlm_ct_is_zero(d.mic, sizeof(d.mic)));
	if (with_mic && !has_version)
		T_ASSERT(ntlm_ct_is_zero(b.data + 64, 8)); /* the zero VERSION slot */
	nw_authenticate_clear(&d);
	/* the view decode: the same fields, the byte fields in the message itself */
	nw_authenticate v;
	T_OK(nw_authenticate_decode_view(b.data, b.len, 0, &v));
	T_ASSERT(v.borrowed && v.flags == m.flags && v.has_mic_field == with_mic);
	T_ASSERT(v.lm_response == b.data + get32(b.data, AUTH_LM + 4));
	T_ASSERT(v.nt_response == b.data + get32(b.data, AUTH_NT + 4));
	T_ASSERT(v.nt_response_len == sizeof(nt_resp));
	T_BYTES(v.encrypted_session_key, sess_key, sizeof(sess_key));
	T_ASSERT(v.encrypted_session_key >= b.data && v.encrypted_session_key < b.data + b.len);
	T_STR(v.user, m.user);
	nw_authenticate_clear(&v);
	T_BYTES(b.data + get32(b.data, AUTH_NT + 4), nt_resp, sizeof(nt_resp)); /* not wiped */
	T_EXPECT_ERR(nw_authenticate_decode_view(b.data, 63, 0, &v), NTLM_E_TRUNCATED);
	T_ASSERT(v.nt_response == NULL && v.user == NULL);
	buf_free(&b);
}

static void test_auth_roundtrips(void)
{
	for (int unicode = 0; unicode < 2; unicode++)
		for (int version = 0; version < 2; version++)
			for (int mic = 0; mic < 2; mic++) {
				check_auth_roundtrip(unicode, version, mic);
				if (t_failed_current)
					return;
			}
}

static void test_auth_string_encoding(void)
{
	nw_authenticate m = sample_auth(1, 0);
	ntlm_buffer b;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_ASSERT(get16(b.data, AUTH_USER) == 8); /* UTF-16LE "user" */
	T_BYTES(b.data + get32(b.data, AUTH_USER + 4), "u\0s\0e\0r\0", 8);
	buf_free(&b);
	m = sample_auth(0, 0);
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_ASSERT(get16(b.data, AUTH_DOMAIN) == 6); /* OEM "Démain" */
	T_BYTES(b.data + get32(b.data, AUTH_DOMAIN + 4), "D\xe9main", 6);
	buf_free(&b);
	m.user = "\xe2\x82\xac"; /* U+20AC has no OEM (Latin-1) form */
	T_EXPECT_ERR(nw_authenticate_encode(&m, 0, &b), NTLM_E_BAD_STRING);
	T_ASSERT(b.data == NULL && b.len == 0);
}

static void test_auth_mic_patch(void)
{
	ntlm_buffer b;
	nw_authenticate d;
	uint8_t mic[16];
	for (int i = 0; i < 16; i++)
		mic[i] = (uint8_t)(0xF0 + i);
	T_OK(encode_sample_auth(&b));
	T_ASSERT(ntlm_ct_is_zero(b.data + NW_AUTH_MIC_OFFSET, 16));
	memcpy(b.data + NW_AUTH_MIC_OFFSET, mic, 16);
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(d.has_mic_field);
	T_BYTES(d.mic, mic, 16);
	nw_authenticate_clear(&d);
	buf_free(&b);
}

static void test_auth_empty_fields(void)
{
	nw_authenticate m, d;
	ntlm_buffer b;
	memset(&m, 0, sizeof(m));
	m.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_ANONYMOUS;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_ASSERT(b.len == 64);
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_STR(d.domain, "");
	T_STR(d.user, "");
	T_STR(d.workstation, "");
	T_ASSERT(d.lm_response == NULL && d.lm_response_len == 0);
	T_ASSERT(d.nt_response == NULL && d.encrypted_session_key == NULL);
	T_ASSERT(!d.has_mic_field && !d.has_version);
	nw_authenticate_clear(&d);
	buf_free(&b);

	/* all fields empty with a MIC: the message length says the header is 88 */
	T_OK(nw_authenticate_encode(&m, 1, &b));
	T_ASSERT(b.len == 88);
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(d.has_mic_field);
	nw_authenticate_clear(&d);
	buf_free(&b);
}

static void test_auth_version_needs_room(void)
{
	/* VERSION flagged, but the payload starts at 64: no version, no MIC. */
	nw_authenticate m = sample_auth(1, 0), d;
	ntlm_buffer b;
	m.flags |= NTLMSSP_NEGOTIATE_VERSION;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(!d.has_version && !d.has_mic_field);
	T_STR(d.user, "user");
	nw_authenticate_clear(&d);
	buf_free(&b);

	/* MIC but no VERSION flag: the slot at 64 is skipped, not reported */
	m = sample_auth(1, 0);
	T_OK(nw_authenticate_encode(&m, 1, &b));
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(!d.has_version && d.has_mic_field);
	nw_authenticate_clear(&d);
	buf_free(&b);
}

static void test_signature_and_type(void)
{
	ntlm_buffer b;
	nw_authenticate a;
	nw_challenge c;
	nw_negotiate n;
	uint32_t type;
	T_OK(encode_sample_auth(&b));
	T_OK(nw_message_type(b.data, b.len, &type));
	T_ASSERT(type == NW_AUTHENTICATE);
	T_EXPECT_ERR(nw_challenge_decode(b.data, b.len, &c), NTLM_E_BAD_MESSAGE_TYPE);
	T_EXPECT_ERR(nw_negotiate_decode(b.data, b.len, &n), NTLM_E_BAD_MESSAGE_TYPE);
	b.data[8] = 4;
	T_EXPECT_ERR(nw_message_type(b.data, b.len, &type), NTLM_E_BAD_MESSAGE_TYPE);
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len, &a), NTLM_E_BAD_MESSAGE_TYPE);
	b.data[8] = 3;
	b.data[7] = '!';
	T_EXPECT_ERR(nw_message_type(b.data, b.len, &type), NTLM_E_BAD_SIGNATURE_HEADER);
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len, &a), NTLM_E_BAD_SIGNATURE_HEADER);
	T_EXPECT_ERR(nw_challenge_decode(b.data, b.len, &c), NTLM_E_BAD_SIGNATURE_HEADER);
	T_EXPECT_ERR(nw_negotiate_decode(b.data, b.len, &n), NTLM_E_BAD_SIGNATURE_HEADER);
	b.data[7] = 0;
	b.data[0] = 'n'; /* the signature is case-sensitive */
	T_EXPECT_ERR(nw_message_type(b.data, b.len, &type), NTLM_E_BAD_SIGNATURE_HEADER);
	T_EXPECT_ERR(nw_message_type(b.data, 11, &type), NTLM_E_BAD_SIGNATURE_HEADER);
	b.data[0] = 'N';
	T_EXPECT_ERR(nw_message_type(b.data, 11, &type), NTLM_E_TRUNCATED);
	T_EXPECT_ERR(nw_message_type(b.data, 5, &type), NTLM_E_TRUNCATED);
	T_OK(nw_message_type(neg16, sizeof(neg16), &type));
	T_ASSERT(type == NW_NEGOTIATE);
	buf_free(&b);
}

static void test_auth_truncation_points(void)
{
	static const size_t cuts[] = {0, 7, 8, 11, 12, 19, 20, 35, 36, 59, 60, 63};
	ntlm_buffer b;
	nw_authenticate d;
	T_OK(encode_sample_auth(&b));
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cuts); i++)
		if (nw_authenticate_decode(b.data, cuts[i], &d) != NTLM_E_TRUNCATED)
			T_FAIL("prefix %zu not truncated", cuts[i]);
	/* past the fixed header, the payload fields leave the message */
	T_EXPECT_ERR(nw_authenticate_decode(b.data, 64, &d), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(nw_authenticate_decode(b.data, 87, &d), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len - 1, &d), NTLM_E_FIELD_RANGE);
	buf_free(&b);
}

static void test_auth_field_errors(void)
{
	ntlm_buffer enc;
	nw_authenticate d;
	uint8_t b[256];
	T_OK(encode_sample_auth(&enc));
	T_ASSERT(enc.len <= sizeof(b));
	size_t n = enc.len;
	uint16_t ulen = get16(enc.data, AUTH_USER);
	uint32_t uoff = get32(enc.data, AUTH_USER + 4), doff = get32(enc.data, AUTH_DOMAIN + 4);
#define RESET() memcpy(b, enc.data, n)
	RESET();
	set_field(b, AUTH_USER, ulen, (uint16_t)(ulen - 1), uoff);
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_MAXLEN);
	RESET();
	set_field(b, AUTH_USER, ulen, (uint16_t)(ulen + 100), uoff);
	T_OK(nw_authenticate_decode(b, n, &d)); /* MaxLen > Len: padding, accepted */
	T_STR(d.user, "user");
	nw_authenticate_clear(&d);
	RESET();
	set_field(b, AUTH_KEY, 16, 16, (uint32_t)n); /* starts at the end */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, AUTH_KEY, 16, 16, (uint32_t)n - 15); /* ends one byte past it */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, AUTH_NT, 0x20, 0x20, 0xFFFFFFF0u); /* offset + len wraps 32 bits */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, AUTH_NT, 0xFFFF, 0xFFFF, 0xFFFFFFFFu);
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_RANGE);
	RESET();
	set_field(b, AUTH_USER, ulen, ulen, 60); /* inside the fixed header */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, AUTH_USER, ulen, ulen, 0);
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, AUTH_USER, ulen, ulen, doff + 2); /* overlaps the domain */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, AUTH_LM, 24, 24, get32(b, AUTH_NT + 4)); /* two fields, same bytes */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_FIELD_OVERLAP);
	RESET();
	set_field(b, AUTH_USER, 3, 3, uoff); /* odd UTF-16 length */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_BAD_STRING);
	RESET();
	put16(b, uoff + 2, 0); /* "u\0er" */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_BAD_STRING);
	RESET();
	put16(b, uoff + 6, 0xD800); /* high surrogate with nothing after it */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_BAD_STRING);
	RESET();
	put16(b, uoff, 0xD83D); /* high surrogate followed by 's', not a low one */
	T_EXPECT_ERR(nw_authenticate_decode(b, n, &d), NTLM_E_BAD_STRING);
	RESET();
	set_field(b, AUTH_KEY, 0, 0, 0xFFFFFFF0u); /* empty: offset never checked */
	T_OK(nw_authenticate_decode(b, n, &d));
	T_ASSERT(d.encrypted_session_key == NULL && d.encrypted_session_key_len == 0);
	nw_authenticate_clear(&d);
#undef RESET
	buf_free(&enc);
}

static void test_auth_oem_nul(void)
{
	nw_authenticate m = sample_auth(0, 1), d;
	ntlm_buffer b;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	b.data[get32(b.data, AUTH_WS + 4) + 1] = 0;
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len, &d), NTLM_E_BAD_STRING);
	buf_free(&b);
}

static int auth_is_cleared(const nw_authenticate *d)
{
	static const nw_authenticate zero;
	return memcmp(d, &zero, sizeof(zero)) == 0;
}

static void test_auth_cleared_on_error(void)
{
	/* The workstation is decoded last of the strings: fail there, after the
	 * responses, domain and user have been allocated. */
	ntlm_buffer b;
	nw_authenticate d;
	T_OK(encode_sample_auth(&b));
	put16(b.data, get32(b.data, AUTH_WS + 4), 0);
	memset(&d, 0xA5, sizeof(d));
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len, &d), NTLM_E_BAD_STRING);
	T_ASSERT(auth_is_cleared(&d));
	buf_free(&b);
	memset(&d, 0xA5, sizeof(d));
	T_EXPECT_ERR(nw_authenticate_decode(neg16, sizeof(neg16), &d), NTLM_E_BAD_MESSAGE_TYPE);
	T_ASSERT(auth_is_cleared(&d));
}

static void test_encode_bad_params(void)
{
	nw_authenticate m = sample_auth(1, 1);
	nw_challenge c = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE, "S", 0);
	ntlm_buffer b;
	m.nt_response = NULL;
	T_EXPECT_ERR(nw_authenticate_encode(&m, 0, &b), NTLM_E_INVALID_PARAMETER);
	m = sample_auth(1, 1);
	m.nt_response_len = 0x10000; /* does not fit Len */
	static uint8_t big[0x10000];
	m.nt_response = big;
	T_EXPECT_ERR(nw_authenticate_encode(&m, 0, &b), NTLM_E_INVALID_PARAMETER);
	c.target_info = NULL;
	T_EXPECT_ERR(nw_challenge_encode(&c, &b), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(nw_negotiate_encode(NULL, &b), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(nw_authenticate_decode(neg16, sizeof(neg16), NULL), NTLM_E_INVALID_PARAMETER);
}

/* ---------------------------------------------------------------- sweeps */

/* Every proper prefix of a valid message must fail, and cleanly. */
static void test_auth_truncation_sweep(void)
{
	for (int variant = 0; variant < 4; variant++) {
		nw_authenticate m = sample_auth(variant & 1, variant >> 1), d;
		ntlm_buffer b;
		T_OK(nw_authenticate_encode(&m, variant >> 1, &b));
		for (size_t cut = 0; cut < b.len; cut++) {
			/* a heap copy of the prefix, so ASan sees any read past it */
			uint8_t *p = malloc(cut ? cut : 1);
			T_ASSERT(p);
			memcpy(p, b.data, cut);
			ntlm_err rc = nw_authenticate_decode(p, cut, &d);
			free(p);
			if (rc == NTLM_OK)
				T_FAIL("variant %d: prefix %zu of %zu decoded", variant, cut, b.len);
			T_ASSERT(auth_is_cleared(&d));
		}
		buf_free(&b);
	}
}

typedef ntlm_err (*decode_fn)(const uint8_t *data, size_t len, int reencode);

static ntlm_err try_negotiate(const uint8_t *data, size_t len, int reencode)
{
	nw_negotiate m;
	ntlm_buffer b;
	ntlm_err rc = nw_negotiate_decode(data, len, &m);
	if (rc == NTLM_OK && reencode) {
		rc = nw_negotiate_encode(&m, &b);
		buf_free(&b);
	}
	nw_negotiate_clear(&m);
	return rc;
}

static ntlm_err try_challenge(const uint8_t *data, size_t len, int reencode)
{
	nw_challenge m;
	ntlm_buffer b;
	ntlm_err rc = nw_challenge_decode(data, len, &m);
	if (rc == NTLM_OK && reencode) {
		rc = nw_challenge_encode(&m, &b);
		buf_free(&b);
	}
	nw_challenge_clear(&m);
	return rc;
}

static ntlm_err try_authenticate(const uint8_t *data, size_t len, int reencode)
{
	nw_authenticate m;
	ntlm_buffer b;
	ntlm_err rc = nw_authenticate_decode(data, len, &m);
	if (rc == NTLM_OK && reencode) {
		rc = nw_authenticate_encode(&m, m.has_mic_field, &b);
		buf_free(&b);
	}
	nw_authenticate_clear(&m);
	return rc;
}

/*
 * Flips every bit of msg in turn and decodes (under ASan in the test
 * build): nothing may crash, and whatever decodes must encode again (it
 * holds only valid strings). Returns the number of re-encode failures.
 */
static int bitflip_sweep(const uint8_t *msg, size_t len, decode_fn fn)
{
	int bad = 0;
	uint8_t *p = malloc(len);
	if (!p)
		return 1;
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, msg, len);
			p[i] ^= (uint8_t)(1u << bit);
			ntlm_err rc = fn(p, len, 0);
			if (rc == NTLM_OK && fn(p, len, 1) != NTLM_OK)
				bad++;
		}
	free(p);
	return bad;
}

static void test_bitflip_sweeps(void)
{
	ntlm_buffer b;
	T_OK(encode_sample_auth(&b));
	T_ASSERT(bitflip_sweep(b.data, b.len, try_authenticate) == 0);
	buf_free(&b);

	nw_authenticate m = sample_auth(0, 0);
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_ASSERT(bitflip_sweep(b.data, b.len, try_authenticate) == 0);
	buf_free(&b);

	nw_challenge c = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE, "SRV", 1);
	T_OK(nw_challenge_encode(&c, &b));
	T_ASSERT(bitflip_sweep(b.data, b.len, try_challenge) == 0);
	buf_free(&b);

	uint8_t neg[46];
	build_negotiate(neg);
	T_ASSERT(bitflip_sweep(neg, sizeof(neg), try_negotiate) == 0);
}

/* Deterministic random mutation (several bytes at once), all three decoders. */
static void test_random_mutations(void)
{
	ntlm_buffer b;
	uint32_t seed = 0x12345678u;
	T_OK(encode_sample_auth(&b));
	uint8_t *p = malloc(b.len);
	T_ASSERT(p);
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(p, b.data, b.len);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			p[(seed >> 8) % b.len] = (uint8_t)(seed >> 24);
		}
		/* the type byte decides which decoder gets past the header */
		p[8] = (uint8_t)(1 + iter % 3);
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % (b.len + 1);
		try_negotiate(p, len, 1);
		try_challenge(p, len, 1);
		try_authenticate(p, len, 1);
	}
	free(p);
	buf_free(&b);
}

/* -------------------------------------------------------- NTLMv2 response */

static void test_v2_response_parse(void)
{
	/* [MS-NLMP] 4.2.4.2.2: NTProofStr || temp */
	nw_v2_response v;
	T_OK(nw_v2_response_parse(V2_NT_RESPONSE, sizeof(V2_NT_RESPONSE), &v));
	T_BYTES(v.proof, V2_NT_PROOF_STR, 16);
	T_ASSERT(v.temp_len == sizeof(V2_TEMP));
	T_BYTES(v.temp, V2_TEMP, sizeof(V2_TEMP));
	T_ASSERT(v.timestamp == 0);
	T_BYTES(v.client_challenge, V_CLIENT_CHALLENGE, 8);
	T_ASSERT(v.av_len == sizeof(V2_TARGET_INFO) + 4); /* the list, then Z(4) */
	T_BYTES(v.av_pairs, V2_TARGET_INFO, sizeof(V2_TARGET_INFO));
	T_ASSERT(v.av_pairs == V2_NT_RESPONSE + 44); /* a view, not a copy */
}

static void test_v2_response_errors(void)
{
	uint8_t r[48] = {0};
	nw_v2_response v;
	r[16] = 1;
	r[17] = 1;
	r[24] = 0x11; /* timestamp low byte */
	T_OK(nw_v2_response_parse(r, 48, &v));
	T_ASSERT(v.timestamp == 0x11 && v.av_len == 4 && v.temp_len == 32);
	T_EXPECT_ERR(nw_v2_response_parse(r, 47, &v), NTLM_E_BAD_RESPONSE);
	T_ASSERT(v.proof == NULL && v.av_pairs == NULL);
	T_EXPECT_ERR(nw_v2_response_parse(r, 24, &v), NTLM_E_BAD_RESPONSE); /* NTLMv1 size */
	T_EXPECT_ERR(nw_v2_response_parse(NULL, 48, &v), NTLM_E_BAD_RESPONSE);
	r[16] = 2;
	T_EXPECT_ERR(nw_v2_response_parse(r, 48, &v), NTLM_E_BAD_RESPONSE);
	r[16] = 1;
	r[17] = 0;
	T_EXPECT_ERR(nw_v2_response_parse(r, 48, &v), NTLM_E_BAD_RESPONSE);
	T_ASSERT(v.temp == NULL && v.timestamp == 0);
}

/* -------------------------------------------------- [MS-NLMP] 4.2 values */

/* The spec's 4.2.1 strings, encoded by our codec, are the spec's bytes. */
static void test_spec_values_authenticate(void)
{
	nw_authenticate m, d;
	ntlm_buffer b;
	memset(&m, 0, sizeof(m));
	m.flags = V2_NEGOTIATE_FLAGS;
	m.lm_response = (uint8_t *)V2_LM_RESPONSE;
	m.lm_response_len = sizeof(V2_LM_RESPONSE);
	m.nt_response = (uint8_t *)V2_NT_RESPONSE;
	m.nt_response_len = sizeof(V2_NT_RESPONSE);
	m.domain = (char *)V_DOMAIN_STR;
	m.user = (char *)V_USER_STR;
	m.workstation = (char *)V_WORKSTATION_STR;
	m.encrypted_session_key = (uint8_t *)V2_ENCRYPTED_SESSION_KEY;
	m.encrypted_session_key_len = sizeof(V2_ENCRYPTED_SESSION_KEY);
	m.has_version = 1;
	m.version = (nw_version){6, 0, 6000, 15};
	T_OK(nw_authenticate_encode(&m, 0, &b));
	T_BYTES(b.data + 60, V2_NEGOTIATE_FLAGS_BYTES, 4);
	T_ASSERT(get16(b.data, AUTH_USER) == sizeof(V_USER));
	T_BYTES(b.data + get32(b.data, AUTH_USER + 4), V_USER, sizeof(V_USER));
	T_BYTES(b.data + get32(b.data, AUTH_DOMAIN + 4), V_USERDOM, sizeof(V_USERDOM));
	T_BYTES(b.data + get32(b.data, AUTH_WS + 4), V_WORKSTATION, sizeof(V_WORKSTATION));
	T_OK(nw_authenticate_decode(b.data, b.len, &d));
	T_ASSERT(d.flags == V2_NEGOTIATE_FLAGS && d.has_version && !d.has_mic_field);
	T_STR(d.user, "User");
	T_STR(d.domain, "Domain");
	T_STR(d.workstation, "COMPUTER");
	T_ASSERT(d.nt_response_len == 84 && d.lm_response_len == 24);
	T_BYTES(d.encrypted_session_key, V2_ENCRYPTED_SESSION_KEY, 16);
	nw_authenticate_clear(&d);
	buf_free(&b);
}

static void test_spec_values_challenge(void)
{
	nw_challenge m, d;
	ntlm_buffer b;
	memset(&m, 0, sizeof(m));
	m.flags = V2_NEGOTIATE_FLAGS;
	memcpy(m.server_challenge, V_SERVER_CHALLENGE, 8);
	m.target_name = (char *)V_SERVER_STR;
	m.target_info = (uint8_t *)V2_TARGET_INFO;
	m.target_info_len = sizeof(V2_TARGET_INFO);
	m.has_version = 1;
	T_OK(nw_challenge_encode(&m, &b));
	T_BYTES(b.data + CHAL_FLAGS, V2_NEGOTIATE_FLAGS_BYTES, 4);
	T_ASSERT(get32(b.data, CHAL_NAME + 4) == 56); /* payload after the VERSION */
	T_BYTES(b.data + 56, V_SERVER_NAME, sizeof(V_SERVER_NAME));
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_STR(d.target_name, "Server");
	T_BYTES(d.server_challenge, V_SERVER_CHALLENGE, 8);
	T_ASSERT(d.target_info_len == sizeof(V2_TARGET_INFO));
	nw_challenge_clear(&d);
	buf_free(&b);
}

#if NLMP_VECTORS_HAVE_MESSAGES
/* The 4.2.x.3 message dumps, when the vectors file carries them. */
static void check_spec_challenge(const uint8_t *msg, size_t len, uint32_t flags_mask,
                                 uint32_t flags)
{
	nw_challenge d;
	T_OK(nw_challenge_decode(msg, len, &d));
	T_ASSERT((d.flags & flags_mask) == (flags & flags_mask));
	T_STR(d.target_name, "Server");
	T_BYTES(d.server_challenge, V_SERVER_CHALLENGE, 8);
	nw_challenge_clear(&d);
}

static void check_spec_authenticate(const uint8_t *msg, size_t len, size_t lm_len, size_t nt_len)
{
	nw_authenticate d;
	T_OK(nw_authenticate_decode(msg, len, &d));
	T_STR(d.domain, "Domain");
	T_STR(d.user, "User");
	T_STR(d.workstation, "COMPUTER");
	T_ASSERT(d.lm_response_len == lm_len);
	T_ASSERT(d.nt_response_len == nt_len);
	nw_authenticate_clear(&d);
}

static void test_spec_messages(void)
{
	nw_challenge c;
	check_spec_challenge(V1_CHALLENGE_MESSAGE, sizeof(V1_CHALLENGE_MESSAGE), 0xFFFFFFFFu,
	                     V1_NEGOTIATE_FLAGS);
	check_spec_authenticate(V1_AUTHENTICATE_MESSAGE, sizeof(V1_AUTHENTICATE_MESSAGE), 24, 24);
	/* 4.2.3 flags are not confirmed (vectors note N4): check ESS only */
	check_spec_challenge(V1ESS_CHALLENGE_MESSAGE, sizeof(V1ESS_CHALLENGE_MESSAGE),
	                     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
	                     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
	check_spec_authenticate(V1ESS_AUTHENTICATE_MESSAGE, sizeof(V1ESS_AUTHENTICATE_MESSAGE), 24, 24);
	check_spec_challenge(V2_CHALLENGE_MESSAGE, sizeof(V2_CHALLENGE_MESSAGE), 0xFFFFFFFFu,
	                     V2_NEGOTIATE_FLAGS);
	check_spec_authenticate(V2_AUTHENTICATE_MESSAGE, sizeof(V2_AUTHENTICATE_MESSAGE), 24,
	                        sizeof(V2_NT_RESPONSE));
	T_OK(nw_challenge_decode(V2_CHALLENGE_MESSAGE, sizeof(V2_CHALLENGE_MESSAGE), &c));
	T_ASSERT(c.target_info_len == sizeof(V2_TARGET_INFO));
	nw_challenge_clear(&c);
}
#endif

/* impacket's server: a UTF-16LE TargetName under OEM flags. Tolerated, decoded the other way, marked. */
static void test_challenge_misencoded_target_name(void)
{
	nw_challenge m = sample_challenge(NTLMSSP_NEGOTIATE_UNICODE, "SRV", 1), d;
	ntlm_buffer b;
	T_OK(nw_challenge_encode(&m, &b));
	put32(b.data, 20, get32(b.data, 20) & ~NTLMSSP_NEGOTIATE_UNICODE); /* OEM flags, UTF-16 name */
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_STR(d.target_name, "SRV");
	T_ASSERT(d.target_name_misencoded == 1);
	/* re-encoded, the name goes back in the encoding it came in: the same bytes */
	ntlm_buffer again;
	T_OK(nw_challenge_encode(&d, &again));
	T_ASSERT(again.len == b.len && memcmp(again.data, b.data, b.len) == 0);
	buf_free(&again);
	nw_challenge_clear(&d);
	/* a name valid in neither encoding: still tolerated, no name */
	put32(b.data, 20, get32(b.data, 20) | NTLMSSP_NEGOTIATE_UNICODE);
	put16(b.data, CHAL_NAME, 5);
	b.data[get32(b.data, CHAL_NAME + 4) + 1] = 0; /* odd for UTF-16, NUL for OEM */
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_ASSERT(d.target_name == NULL && d.target_name_misencoded == 1);
	nw_challenge_clear(&d);
	/* a well-encoded name is not marked */
	m = sample_challenge(0, "SRV", 1);
	buf_free(&b);
	T_OK(nw_challenge_encode(&m, &b));
	T_OK(nw_challenge_decode(b.data, b.len, &d));
	T_ASSERT(d.target_name_misencoded == 0);
	T_STR(d.target_name, "SRV");
	nw_challenge_clear(&d);
	buf_free(&b);
}

/* NegotiateFlags 0 (old clients): the caller's flags choose the encoding; the flags stay 0. */
static void test_auth_flags_zero_uses_callers_flags(void)
{
	nw_authenticate m = sample_auth(1, 0), d;
	ntlm_buffer b;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	put32(b.data, 60, 0);
	T_EXPECT_ERR(nw_authenticate_decode(b.data, b.len, &d), NTLM_E_BAD_STRING);
	T_OK(nw_authenticate_decode_fault(b.data, b.len, NTLMSSP_NEGOTIATE_UNICODE, &d, NULL));
	T_STR(d.user, "user");
	T_ASSERT(d.flags == 0);
	nw_authenticate_clear(&d);
	/* the message's own flags win over the caller's */
	put32(b.data, 60, NTLMSSP_NEGOTIATE_OEM);
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, NTLMSSP_NEGOTIATE_UNICODE, &d, NULL),
	             NTLM_E_BAD_STRING);
	buf_free(&b);
}

#define T_FAULT(f, fld, off, rule_part)                                                            \
	do {                                                                                           \
		T_STR((f).field, fld);                                                                     \
		T_ASSERT((f).offset == (off));                                                             \
		if (!strstr((f).rule, rule_part))                                                          \
			T_FAIL("rule '%s' lacks '%s'", (f).rule, rule_part);                                   \
	} while (0)

/* Each refusal names its field, offset and rule. */
static void test_fault_details(void)
{
	nw_authenticate m = sample_auth(1, 0), d;
	nw_fault f;
	ntlm_buffer b;
	T_OK(nw_authenticate_encode(&m, 0, &b));
	memset(&f, 0, sizeof(f));
	T_OK(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f));
	T_ASSERT(f.field[0] == 0); /* untouched on success */
	nw_authenticate_clear(&d);

	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, 50, 0, &d, &f), NTLM_E_TRUNCATED);
	T_FAULT(f, "WorkstationFields", 44, "the message ends at 50 bytes, inside the header");
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, 61, 0, &d, &f), NTLM_E_TRUNCATED);
	T_FAULT(f, "NegotiateFlags", 60, "the message ends at 61 bytes");

	uint32_t user_off = get32(b.data, AUTH_USER + 4);
	put16(b.data, AUTH_USER + 2, 6);
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f), NTLM_E_FIELD_MAXLEN);
	T_FAULT(f, "UserNameFields", AUTH_USER, "MaxLen 6 is less than Len 8");
	put16(b.data, AUTH_USER + 2, 8);
	put32(b.data, AUTH_USER + 4, 0x1000);
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f), NTLM_E_FIELD_RANGE);
	T_FAULT(f, "UserNameFields", AUTH_USER, "offset 0x00001000 + length 8 beyond message end");
	put32(b.data, AUTH_USER + 4, 8);
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f), NTLM_E_FIELD_OVERLAP);
	T_FAULT(f, "UserNameFields", AUTH_USER, "offset 0x00000008 lies inside the 64-byte header");
	put32(b.data, AUTH_USER + 4, get32(b.data, AUTH_DOMAIN + 4));
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f), NTLM_E_FIELD_OVERLAP);
	T_FAULT(f, "UserNameFields", AUTH_USER, "overlaps DomainNameFields");
	put32(b.data, AUTH_USER + 4, user_off);
	put16(b.data, AUTH_USER, 7);
	put16(b.data, AUTH_USER + 2, 7);
	T_EXPECT_ERR(nw_authenticate_decode_fault(b.data, b.len, 0, &d, &f), NTLM_E_BAD_STRING);
	T_FAULT(f, "UserName", user_off, "not a valid UTF-16LE string (odd length)");

	T_EXPECT_ERR(nw_challenge_decode_fault(b.data, b.len, &(nw_challenge){0}, &f),
	             NTLM_E_BAD_MESSAGE_TYPE);
	T_FAULT(f, "MessageType", 8, "3, expected 2");
	b.data[3] = 'X';
	T_EXPECT_ERR(nw_message_type_fault(b.data, b.len, &(uint32_t){0}, &f),
	             NTLM_E_BAD_SIGNATURE_HEADER);
	T_FAULT(f, "Signature", 0, "not an NTLM message");
	T_EXPECT_ERR(nw_message_type_fault(b.data, 5, &(uint32_t){0}, &f), NTLM_E_TRUNCATED);
	T_FAULT(f, "Signature", 0, "the message is 5 bytes");
	buf_free(&b);

	/* AV pairs: relative offsets, then placed inside the message by the caller */
	static const uint8_t av[] = {7, 0, 6, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0};
	nw_av_list list;
	T_EXPECT_ERR(nw_av_parse_fault(av, sizeof(av), &list, &f), NTLM_E_BAD_AV_PAIR);
	T_FAULT(f, "MsvAvTimestamp", 0, "length 6, expected 8");
	nw_fault_within(&f, "TargetInfo", 56);
	T_FAULT(f, "TargetInfo: MsvAvTimestamp", 56, "length 6, expected 8");
	static const uint8_t dup[] = {1, 0, 2, 0, 'A', 0, 1, 0, 2, 0, 'B', 0, 0, 0, 0, 0};
	T_EXPECT_ERR(nw_av_parse_fault(dup, sizeof(dup), &list, &f), NTLM_E_BAD_AV_PAIR);
	T_FAULT(f, "MsvAvNbComputerName", 6, "appears twice");
	static const uint8_t noeol[] = {1, 0, 2, 0, 'A', 0, 0};
	T_EXPECT_ERR(nw_av_parse_fault(noeol, sizeof(noeol), &list, &f), NTLM_E_BAD_AV_PAIR);
	T_FAULT(f, "AV_PAIR", 6, "no MsvAvEOL");
	static const uint8_t longval[] = {99, 0, 9, 0, 1, 2};
	T_EXPECT_ERR(nw_av_parse_fault(longval, sizeof(longval), &list, &f), NTLM_E_BAD_AV_PAIR);
	T_FAULT(f, "AvId 99", 0, "length 9 runs past the end of the list (2 bytes left)");

	/* NTLMv2 response */
	uint8_t v2[48];
	nw_v2_response r;
	memset(v2, 0, sizeof(v2));
	v2[16] = 2;
	v2[17] = 1;
	T_EXPECT_ERR(nw_v2_response_parse_fault(v2, sizeof(v2), &r, &f), NTLM_E_BAD_RESPONSE);
	T_FAULT(f, "RespType/HiRespType", 16, "2/1, expected 1/1");
	T_EXPECT_ERR(nw_v2_response_parse_fault(v2, 30, &r, &f), NTLM_E_BAD_RESPONSE);
	T_FAULT(f, "NtChallengeResponse", 0, "30 bytes");
}

int main(void)
{
	T_RUN(test_negotiate_roundtrip_plain);
	T_RUN(test_negotiate_roundtrip_version_names);
	T_RUN(test_negotiate_supplied_empty);
	T_RUN(test_negotiate_16_byte_form);
	T_RUN(test_negotiate_16_byte_supplied_truncated);
	T_RUN(test_negotiate_32_byte_form);
	T_RUN(test_negotiate_version_needs_room);
	T_RUN(test_negotiate_unflagged_fields_ignored);
	T_RUN(test_negotiate_truncated);
	T_RUN(test_negotiate_field_errors);
	T_RUN(test_challenge_roundtrips);
	T_RUN(test_challenge_no_target_info);
	T_RUN(test_challenge_version_needs_room);
	T_RUN(test_challenge_unicode_and_oem);
	T_RUN(test_challenge_32_byte_header);
	T_RUN(test_challenge_40_byte_header);
	T_RUN(test_challenge_truncated);
	T_RUN(test_challenge_field_errors);
	T_RUN(test_auth_roundtrips);
	T_RUN(test_auth_string_encoding);
	T_RUN(test_auth_mic_patch);
	T_RUN(test_auth_empty_fields);
	T_RUN(test_auth_version_needs_room);
	T_RUN(test_signature_and_type);
	T_RUN(test_auth_truncation_points);
	T_RUN(test_auth_field_errors);
	T_RUN(test_auth_oem_nul);
	T_RUN(test_challenge_misencoded_target_name);
	T_RUN(test_auth_flags_zero_uses_callers_flags);
	T_RUN(test_fault_details);
	T_RUN(test_auth_cleared_on_error);
	T_RUN(test_encode_bad_params);
	T_RUN(test_auth_truncation_sweep);
	T_RUN(test_bitflip_sweeps);
	T_RUN(test_random_mutations);
	T_RUN(test_v2_response_parse);
	T_RUN(test_v2_response_errors);
	T_RUN(test_spec_values_authenticate);
	T_RUN(test_spec_values_challenge);
#if NLMP_VECTORS_HAVE_MESSAGES
	T_RUN(test_spec_messages);
#endif
	T_END();
}
