/*
 * test_avpairs.c - AV_PAIR lists (avpairs.c): parse / encode round trips,
 * the typed helpers, unknown ids, one negative test per parse rule, and the
 * [MS-NLMP] 4.2.4 TargetInfo.
 */
#include "t.h"

#include <time.h>

#include "ntlmssp/ntlmssp.h"
#include "nlmp_vectors.h"
#include "mem.h"
#include "wire.h"

/* ntlm_buffer_free lives in context.c, which these tests do not link. */
static void buf_free(ntlm_buffer *b)
{
	ntlm_free_secret(b->data, b->len);
	b->data = NULL;
	b->len = 0;
}

/* Parses hex; expects the given result; clears the list. */
static ntlm_err parse_hex(const char *hex)
{
	uint8_t b[256];
	nw_av_list l;
	size_t n = t_unhex(hex, b, sizeof(b));
	ntlm_err rc = nw_av_parse(b, n, &l);
	if (rc != NTLM_OK && (l.items != NULL || l.n != 0))
		return NTLM_E_INTERNAL; /* a failed parse must leave the list empty */
	nw_av_clear(&l);
	/* the view parse applies the same rules */
	if (nw_av_parse_view(b, n, &l) != rc || (rc != NTLM_OK && (l.items != NULL || l.n != 0)))
		return NTLM_E_INTERNAL;
	nw_av_clear(&l);
	return rc;
}

static void test_parse_spec_target_info(void)
{
	nw_av_list l;
	char *s;
	T_OK(nw_av_parse(V2_TARGET_INFO, sizeof(V2_TARGET_INFO), &l));
	T_ASSERT(l.n == 2);
	T_ASSERT(l.items[0].id == NW_AV_NB_DOMAIN && l.items[1].id == NW_AV_NB_COMPUTER);
	T_ASSERT(l.items[0].len == sizeof(V2_AV_NB_DOMAIN_NAME));
	T_BYTES(l.items[0].value, V2_AV_NB_DOMAIN_NAME, sizeof(V2_AV_NB_DOMAIN_NAME));
	T_OK(nw_av_get_string(&l, NW_AV_NB_COMPUTER, &s));
	T_STR(s, "Server");
	free(s);
	T_OK(nw_av_get_string(&l, NW_AV_NB_DOMAIN, &s));
	T_STR(s, "Domain");
	free(s);
	nw_av_clear(&l);
	T_ASSERT(l.items == NULL && l.n == 0);
}

static void test_encode_spec_target_info(void)
{
	/* Built with the setters in the spec's order, the list encodes to its bytes. */
	nw_av_list l = {NULL, 0, 0};
	ntlm_buffer b;
	T_OK(nw_av_set_string(&l, NW_AV_NB_DOMAIN, V_DOMAIN_STR));
	T_OK(nw_av_set_string(&l, NW_AV_NB_COMPUTER, V_SERVER_STR));
	T_OK(nw_av_encode(&l, &b));
	T_ASSERT(b.len == sizeof(V2_TARGET_INFO));
	T_BYTES(b.data, V2_TARGET_INFO, sizeof(V2_TARGET_INFO));
	buf_free(&b);
	nw_av_clear(&l);
}

static void test_roundtrip_all_kinds(void)
{
	static const uint8_t cbt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	uint8_t single_host[48];
	nw_av_list l = {NULL, 0, 0}, d;
	ntlm_buffer b;
	uint32_t flags;
	uint64_t ts;
	char *s;
	for (size_t i = 0; i < sizeof(single_host); i++)
		single_host[i] = (uint8_t)i;
	T_OK(nw_av_set_string(&l, NW_AV_NB_COMPUTER, "SRV"));
	T_OK(nw_av_set_string(&l, NW_AV_DNS_DOMAIN, "corp.\xc3\xa9xample"));
	T_OK(nw_av_set_u32(&l, NW_AV_FLAGS, NW_AVF_MIC | NW_AVF_UNTRUSTED_SPN));
	T_OK(nw_av_set_u64(&l, NW_AV_TIMESTAMP, 0x01d9aabbccddeeffull));
	T_OK(nw_av_set(&l, NW_AV_CHANNEL_BINDINGS, cbt, sizeof(cbt)));
	T_OK(nw_av_set(&l, NW_AV_SINGLE_HOST, single_host, sizeof(single_host)));
	T_OK(nw_av_set_string(&l, NW_AV_TARGET_NAME, "HOST/srv.corp"));
	T_OK(nw_av_set(&l, 0x1234, (const uint8_t *)"xyz", 3)); /* unknown id, odd length */
	T_OK(nw_av_encode(&l, &b));
	T_OK(nw_av_parse(b.data, b.len, &d));
	T_ASSERT(d.n == l.n);
	for (size_t i = 0; i < d.n; i++) {
		T_ASSERT(d.items[i].id == l.items[i].id && d.items[i].len == l.items[i].len);
		T_BYTES(d.items[i].value, l.items[i].value, d.items[i].len);
	}
	T_OK(nw_av_get_u32(&d, NW_AV_FLAGS, &flags));
	T_ASSERT(flags == (NW_AVF_MIC | NW_AVF_UNTRUSTED_SPN));
	T_OK(nw_av_get_u64(&d, NW_AV_TIMESTAMP, &ts));
	T_ASSERT(ts == 0x01d9aabbccddeeffull);
	T_OK(nw_av_get_string(&d, NW_AV_DNS_DOMAIN, &s));
	T_STR(s, "corp.\xc3\xa9xample");
	free(s);
	T_ASSERT(nw_av_get(&d, 0x1234) != NULL && nw_av_get(&d, 0x1234)->len == 3);
	/* re-encoding the parsed list gives the same bytes: unknown ids survive */
	ntlm_buffer b2;
	T_OK(nw_av_encode(&d, &b2));
	T_ASSERT(b2.len == b.len);
	T_BYTES(b2.data, b.data, b.len);
	buf_free(&b2);
	buf_free(&b);
	nw_av_clear(&d);
	nw_av_clear(&l);
}

static void test_set_replaces(void)
{
	nw_av_list l = {NULL, 0, 0};
	uint32_t v;
	T_OK(nw_av_set_u32(&l, NW_AV_FLAGS, 1));
	T_OK(nw_av_set_string(&l, NW_AV_NB_DOMAIN, "A"));
	T_OK(nw_av_set_u32(&l, NW_AV_FLAGS, 2));
	T_ASSERT(l.n == 2 && l.items[0].id == NW_AV_FLAGS); /* replaced in place */
	T_OK(nw_av_get_u32(&l, NW_AV_FLAGS, &v));
	T_ASSERT(v == 2);
	T_OK(nw_av_set_string(&l, NW_AV_NB_DOMAIN, ""));
	T_ASSERT(l.n == 2 && l.items[1].len == 0 && l.items[1].value == NULL);
	char *s;
	T_OK(nw_av_get_string(&l, NW_AV_NB_DOMAIN, &s));
	T_STR(s, "");
	free(s);
	nw_av_clear(&l);
}

static void test_many_pairs(void)
{
	/* Grows past several powers of two; order and values survive. */
	nw_av_list l = {NULL, 0, 0}, d;
	ntlm_buffer b;
	for (uint16_t id = 100; id < 1100; id++)
		T_OK(nw_av_set_u32(&l, id, id * 7u));
	T_ASSERT(l.n == 1000);
	T_OK(nw_av_encode(&l, &b));
	T_ASSERT(b.len == 1000 * 8 + 4);
	T_OK(nw_av_parse(b.data, b.len, &d));
	T_ASSERT(d.n == 1000);
	for (uint16_t id = 100; id < 1100; id++) {
		uint32_t v;
		T_OK(nw_av_get_u32(&d, id, &v));
		T_ASSERT(v == id * 7u && d.items[id - 100].id == id);
	}
	buf_free(&b);
	nw_av_clear(&d);
	nw_av_clear(&l);
}

/* CPU time of the fastest of a few parses of buf (less noise on a busy machine). */
static double parse_seconds(const uint8_t *buf, size_t len, size_t want_n)
{
	double best = 1e9;
	for (int rep = 0; rep < 5; rep++) {
		struct timespec a, b;
		nw_av_list l;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		ntlm_err rc = nw_av_parse(buf, len, &l);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		size_t n = l.n;
		nw_av_clear(&l);
		if (rc != NTLM_OK || n != want_n)
			return -1;
		double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
		if (t < best)
			best = t;
	}
	return best;
}

/*
 * Parsing is linear in the number of pairs, also when every id is a distinct
 * unknown one (what an attacker's TargetInfo or NTLMv2 blob can hold): 8x the
 * pairs may cost about 8x the time, never the 64x of a list scanned per pair
 * for duplicates. Measured as a ratio so a slow machine, ASan or valgrind
 * changes nothing; the bound (24x) sits far from both.
 */
static void test_parse_linear_in_distinct_unknown_ids(void)
{
	enum { SMALL = 2000, LARGE = 16000 };
	static uint8_t buf[LARGE * 4 + 4];
	for (size_t i = 0; i < LARGE; i++) {
		uint16_t id = (uint16_t)(64 + i); /* unknown ids, all distinct, empty values */
		buf[4 * i] = (uint8_t)id;
		buf[4 * i + 1] = (uint8_t)(id >> 8);
		buf[4 * i + 2] = buf[4 * i + 3] = 0;
	}
	/* the same list shorter: its first SMALL pairs and an MsvAvEOL */
	static uint8_t small[SMALL * 4 + 4];
	memcpy(small, buf, SMALL * 4);
	memset(small + SMALL * 4, 0, 4);
	memset(buf + LARGE * 4, 0, 4);
	double ts = parse_seconds(small, sizeof(small), SMALL);
	double tl = parse_seconds(buf, sizeof(buf), LARGE);
	T_ASSERT(ts > 0 && tl > 0);
	if (tl > 24 * ts)
		T_FAIL("%d pairs took %.1f x the time of %d (%.2f ms vs %.2f ms)", LARGE, tl / ts, SMALL,
		       tl * 1e3, ts * 1e3);
	/* and a duplicate far down the list is still found */
	buf[4 * (LARGE - 1)] = buf[0];
	buf[4 * (LARGE - 1) + 1] = buf[1];
	nw_av_list l;
	T_EXPECT_ERR(nw_av_parse(buf, sizeof(buf), &l), NTLM_E_BAD_AV_PAIR);
}

static void test_getters_absent_and_wrong_size(void)
{
	nw_av_list l = {NULL, 0, 0};
	uint32_t v32 = 7;
	uint64_t v64 = 7;
	char *s = (char *)"x";
	T_ASSERT(nw_av_get(&l, NW_AV_FLAGS) == NULL);
	T_EXPECT_ERR(nw_av_get_u32(&l, NW_AV_FLAGS, &v32), NTLM_E_NOT_FOUND);
	T_ASSERT(v32 == 0);
	T_EXPECT_ERR(nw_av_get_u64(&l, NW_AV_TIMESTAMP, &v64), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(nw_av_get_string(&l, NW_AV_TARGET_NAME, &s), NTLM_E_NOT_FOUND);
	T_ASSERT(s == NULL);
	/* the setters do not police sizes (the parser does); the getters do */
	T_OK(nw_av_set(&l, 0x4000, (const uint8_t *)"abc", 3));
	T_EXPECT_ERR(nw_av_get_u32(&l, 0x4000, &v32), NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(nw_av_get_u64(&l, 0x4000, &v64), NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(nw_av_get_string(&l, 0x4000, &s), NTLM_E_BAD_STRING);
	nw_av_clear(&l);
}

static void test_set_and_encode_reject_eol(void)
{
	nw_av_list l = {NULL, 0, 0};
	ntlm_buffer b;
	nw_av eol = {NW_AV_EOL, NULL, 0};
	nw_av_list bad = {&eol, 1, 0};
	T_EXPECT_ERR(nw_av_set_u32(&l, NW_AV_EOL, 0), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(l.n == 0);
	T_EXPECT_ERR(nw_av_encode(&bad, &b), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(b.data == NULL);
	static uint8_t big[0x10000];
	T_EXPECT_ERR(nw_av_set(&l, NW_AV_DNS_TREE, big, sizeof(big)), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(nw_av_set(&l, NW_AV_DNS_TREE, NULL, 2), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(l.n == 0);
}

static void test_empty_and_padding(void)
{
	nw_av_list l;
	ntlm_buffer b;
	T_OK(nw_av_parse(NULL, 0, &l)); /* no TargetInfo at all: empty list */
	T_ASSERT(l.n == 0 && l.items == NULL);
	T_OK(nw_av_encode(&l, &b));
	T_ASSERT(b.len == 4 && ntlm_ct_is_zero(b.data, 4)); /* just MsvAvEOL */
	buf_free(&b);
	T_OK(parse_hex("0000 0000"));
	/* bytes after MsvAvEOL are padding: ignored, even if they look wrong */
	T_OK(parse_hex("0600 0400 02000000 0000 0000 ffff ffff 00"));
	uint8_t x[] = {6, 0, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB, 0xCC, 0xDD};
	T_OK(nw_av_parse(x, sizeof(x), &l));
	T_ASSERT(l.n == 1);
	nw_av_clear(&l);
}

static void test_unknown_ids_kept(void)
{
	nw_av_list l;
	/* id 0x000B (next after ChannelBindings) and 0xFFFF, any length */
	uint8_t x[] = {0x0b, 0, 1, 0, 0x7f, 0xff, 0xff, 0, 0, 0, 0, 0, 0};
	T_OK(nw_av_parse(x, sizeof(x), &l));
	T_ASSERT(l.n == 2 && l.items[0].id == 0x000B && l.items[1].id == 0xFFFF);
	T_ASSERT(l.items[0].len == 1 && l.items[0].value[0] == 0x7f);
	T_ASSERT(l.items[1].len == 0 && l.items[1].value == NULL);
	nw_av_clear(&l);
}

static void test_parse_errors(void)
{
	/* missing MsvAvEOL */
	T_EXPECT_ERR(parse_hex("0100 0200 4100"), NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(parse_hex("01"), NTLM_E_BAD_AV_PAIR);
	/* MsvAvEOL with a non-zero length (even when the bytes are there) */
	T_EXPECT_ERR(parse_hex("0000 0200 0000"), NTLM_E_BAD_AV_PAIR);
	/* EOL header cut short */
	T_EXPECT_ERR(parse_hex("0100 0200 4100 0000 00"), NTLM_E_BAD_AV_PAIR);
	/* a value running past the end */
	T_EXPECT_ERR(parse_hex("0100 0400 4100"), NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(parse_hex("0100 ffff 4100 0000 0000"), NTLM_E_BAD_AV_PAIR);
	/* MsvAvFlags of 3 and 5 bytes */
	T_EXPECT_ERR(parse_hex("0600 0300 020000 0000 0000"), NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(parse_hex("0600 0500 0200000000 0000 0000"), NTLM_E_BAD_AV_PAIR);
	/* MsvAvTimestamp of 7 bytes */
	T_EXPECT_ERR(parse_hex("0700 0700 00112233445566 0000 0000"), NTLM_E_BAD_AV_PAIR);
	/* MsvChannelBindings of 15 bytes */
	T_EXPECT_ERR(parse_hex("0a00 0f00 000102030405060708090a0b0c0d0e 0000 0000"),
	             NTLM_E_BAD_AV_PAIR);
	/* MsvAvSingleHost shorter than 48 bytes */
	T_EXPECT_ERR(parse_hex("0800 0800 3000000000000000 0000 0000"), NTLM_E_BAD_AV_PAIR);
	/* the same id twice */
	T_EXPECT_ERR(parse_hex("0200 0200 4100 0100 0200 4200 0200 0200 4300 0000 0000"),
	             NTLM_E_BAD_AV_PAIR);
	T_EXPECT_ERR(parse_hex("3412 0000 3412 0000 0000 0000"), NTLM_E_BAD_AV_PAIR);
	/* odd-length string pairs, one per string id */
	static const char *const odd[] = {
		"0100 0300 410042 0000 0000", "0200 0100 41 0000 0000",     "0300 0300 410042 0000 0000",
		"0400 0300 410042 0000 0000", "0500 0300 410042 0000 0000", "0900 0300 410042 0000 0000",
	};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(odd); i++)
		if (parse_hex(odd[i]) != NTLM_E_BAD_AV_PAIR)
			T_FAIL("odd string pair accepted: %s", odd[i]);
	/* and the lengths just right are fine */
	T_OK(parse_hex("0600 0400 02000000 0700 0800 0011223344556677 0000 0000"));
}

static void test_parse_error_clears_list(void)
{
	/* the error comes after two pairs were copied: nothing may be left */
	uint8_t x[] = {1, 0, 2, 0, 'A', 0, 2, 0, 2, 0, 'B', 0, 6, 0, 3, 0, 1, 2, 3, 0, 0, 0, 0};
	nw_av_list l = {(nw_av *)1, 99, 0};
	T_EXPECT_ERR(nw_av_parse(x, sizeof(x), &l), NTLM_E_BAD_AV_PAIR);
	T_ASSERT(l.items == NULL && l.n == 0);
	T_EXPECT_ERR(nw_av_parse(NULL, 4, &l), NTLM_E_INVALID_PARAMETER);
}

static void test_truncation_and_bitflip_sweep(void)
{
	/* every proper prefix lacks its EOL; every bit flip is handled cleanly */
	nw_av_list l;
	for (size_t cut = 0; cut < sizeof(V2_TARGET_INFO); cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		T_ASSERT(p);
		memcpy(p, V2_TARGET_INFO, cut);
		ntlm_err rc = nw_av_parse(p, cut, &l);
		free(p);
		if (cut == 0 ? rc != NTLM_OK : rc != NTLM_E_BAD_AV_PAIR)
			T_FAIL("prefix %zu gave %s", cut, ntlm_err_name(rc));
		nw_av_clear(&l);
	}
	uint8_t p[sizeof(V2_TARGET_INFO)];
	for (size_t i = 0; i < sizeof(p); i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p, V2_TARGET_INFO, sizeof(p));
			p[i] ^= (uint8_t)(1u << bit);
			if (nw_av_parse(p, sizeof(p), &l) == NTLM_OK) {
				ntlm_buffer b;
				T_OK(nw_av_encode(&l, &b));
				buf_free(&b);
			}
			nw_av_clear(&l);
		}
}

static void test_parse_view(void)
{
	/* the values are the message's own bytes; the list only reads them */
	static const uint8_t cbt[16] = {1};
	uint8_t x[] = {2, 0, 2, 0, 'A', 0, 9, 0, 0, 0, 6, 0, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0};
	nw_av_list l, c;
	uint32_t flags;
	T_OK(nw_av_parse_view(x, sizeof(x), &l));
	T_OK(nw_av_parse(x, sizeof(x), &c));
	T_ASSERT(l.n == 3 && c.n == 3 && l.borrowed && !c.borrowed);
	T_ASSERT(l.items[0].value == x + 4 && l.items[0].len == 2);
	T_ASSERT(l.items[1].id == NW_AV_TARGET_NAME && l.items[1].value == NULL && l.items[1].len == 0);
	for (size_t i = 0; i < 3; i++)
		T_ASSERT(l.items[i].id == c.items[i].id && l.items[i].len == c.items[i].len);
	T_OK(nw_av_get_u32(&l, NW_AV_FLAGS, &flags));
	T_ASSERT(flags == 2);
	/* never written through: setting is refused, removing drops the entry only */
	T_EXPECT_ERR(nw_av_set(&l, NW_AV_CHANNEL_BINDINGS, cbt, 16), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(nw_av_set_u32(&l, NW_AV_FLAGS, 0), NTLM_E_INVALID_PARAMETER);
	nw_av_remove(&l, NW_AV_NB_DOMAIN);
	T_ASSERT(l.n == 2 && x[4] == 'A');
	nw_av_clear(&l);
	nw_av_clear(&c);
	T_ASSERT(x[4] == 'A');
	T_OK(nw_av_parse_view(NULL, 0, &l));
	T_ASSERT(l.n == 0 && l.items == NULL);
}

static void test_names(void)
{
	static const char *const want[] = {
		"MsvAvEOL",           "MsvAvNbComputerName", "MsvAvNbDomainName",  "MsvAvDnsComputerName",
		"MsvAvDnsDomainName", "MsvAvDnsTreeName",    "MsvAvFlags",         "MsvAvTimestamp",
		"MsvAvSingleHost",    "MsvAvTargetName",     "MsvChannelBindings",
	};
	for (uint16_t id = 0; id < NTLM_ARRAY_LEN(want); id++)
		T_STR(nw_av_name(id), want[id]);
	T_ASSERT(nw_av_name(11) == NULL);
	T_ASSERT(nw_av_name(0xFFFF) == NULL);
}

int main(void)
{
	T_RUN(test_parse_spec_target_info);
	T_RUN(test_encode_spec_target_info);
	T_RUN(test_roundtrip_all_kinds);
	T_RUN(test_set_replaces);
	T_RUN(test_many_pairs);
	T_RUN(test_parse_linear_in_distinct_unknown_ids);
	T_RUN(test_getters_absent_and_wrong_size);
	T_RUN(test_set_and_encode_reject_eol);
	T_RUN(test_empty_and_padding);
	T_RUN(test_unknown_ids_kept);
	T_RUN(test_parse_errors);
	T_RUN(test_parse_error_clears_list);
	T_RUN(test_truncation_and_bitflip_sweep);
	T_RUN(test_parse_view);
	T_RUN(test_names);
	T_END();
}
