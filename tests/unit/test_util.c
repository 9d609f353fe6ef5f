/* test_util.c - constant-time compare, strings (UTF-8/UTF-16/OEM, upper case), hex, time. */
#include "t.h"
#include "filetime.h"
#include "mem.h"
#include "text.h"

static void test_ct_compare(void)
{
	T_ASSERT(ntlm_ct_equal("abcd", "abcd", 4));
	T_ASSERT(!ntlm_ct_equal("abcd", "abce", 4));
	T_ASSERT(!ntlm_ct_equal("xbcd", "abcd", 4));
	T_ASSERT(ntlm_ct_equal("a", "b", 0));
	T_ASSERT(ntlm_ct_is_zero("\0\0\0", 3));
	T_ASSERT(!ntlm_ct_is_zero("\0\0\1", 3));
}

static void test_utf16_round_trip(void)
{
	/* "Ab€😀": ASCII, a 3-byte BMP character and a surrogate pair */
	const char *s = "Ab\xE2\x82\xAC\xF0\x9F\x98\x80";
	uint8_t *u;
	size_t n;
	T_OK(ntlm_utf8_to_utf16le(s, 0, &u, &n));
	const uint8_t want[] = {'A', 0, 'b', 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE};
	T_ASSERT(n == sizeof(want));
	T_BYTES(u, want, sizeof(want));
	char *back;
	T_OK(ntlm_utf16le_to_utf8(u, n, &back));
	T_STR(back, s);
	free(back);
	free(u);
}

static void test_utf_rejects(void)
{
	uint8_t *u;
	size_t n;
	char *s;
	T_EXPECT_ERR(ntlm_utf8_to_utf16le("\xC3", 0, &u, &n), NTLM_E_BAD_STRING);     /* truncated */
	T_EXPECT_ERR(ntlm_utf8_to_utf16le("\xC0\xAF", 0, &u, &n), NTLM_E_BAD_STRING); /* overlong */
	T_EXPECT_ERR(ntlm_utf8_to_utf16le("\xED\xA0\x80", 0, &u, &n),
	             NTLM_E_BAD_STRING); /* surrogate */
	T_EXPECT_ERR(ntlm_utf16le_to_utf8((const uint8_t *)"A\0B", 3, &s), NTLM_E_BAD_STRING); /* odd */
	T_EXPECT_ERR(ntlm_utf16le_to_utf8((const uint8_t *)"\0\0", 2, &s), NTLM_E_BAD_STRING); /* NUL */
	const uint8_t lone_hi[] = {0x3D, 0xD8, 'A', 0}, lone_lo[] = {0x00, 0xDE};
	T_EXPECT_ERR(ntlm_utf16le_to_utf8(lone_hi, 4, &s), NTLM_E_BAD_STRING);
	T_EXPECT_ERR(ntlm_utf16le_to_utf8(lone_lo, 2, &s), NTLM_E_BAD_STRING);
	T_ASSERT(s == NULL);
}

static void test_upper_and_case_insensitive(void)
{
	char *up;
	T_OK(ntlm_utf8_upper("user\xC3\xA9\xD0\xB6\xCE\xB1", &up)); /* é, ж, α */
	T_STR(up, "USER\xC3\x89\xD0\x96\xCE\x91");
	free(up);
	T_ASSERT(ntlm_strcasecmp_utf8("Alice", "aLICE") == 0);
	T_ASSERT(ntlm_strcasecmp_utf8("\xC3\xA9t\xC3\xA9", "\xC3\x89T\xC3\x89") == 0);
	T_ASSERT(ntlm_strcasecmp_utf8("alice", "alic") != 0);
	uint8_t *u;
	size_t n;
	T_OK(ntlm_utf8_to_utf16le("user", 1, &u, &n));
	T_BYTES(u, "U\0S\0E\0R\0", 8);
	free(u);
}

struct collected {
	uint8_t buf[1024];
	size_t len, pieces;
};

static void collect(void *arg, const uint8_t *p, size_t n)
{
	struct collected *c = arg;
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	c->pieces++;
}

static void test_utf16_without_copies(void)
{
	/* the streaming and in-place forms give the allocating form's bytes */
	char long_name[400];
	const char *cases[] = {"", "user", "Ab\xE2\x82\xAC\xF0\x9F\x98\x80", long_name};
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	long_name[100] = (char)0xC3,
	long_name[101] = (char)0xA9; /* several pieces, one 2-byte character */
	for (size_t i = 0; i < NTLM_ARRAY_LEN(cases); i++)
		for (int upper = 0; upper < 2; upper++) {
			uint8_t *want, into[1024];
			size_t n, m;
			struct collected c = {{0}, 0, 0};
			T_OK(ntlm_utf8_to_utf16le(cases[i], upper, &want, &n));
			T_OK(ntlm_utf8_to_utf16le_each(cases[i], upper, collect, &c));
			T_ASSERT(c.len == n && memcmp(c.buf, want, n) == 0);
			if (!upper) {
				T_OK(ntlm_utf8_to_utf16le_into(cases[i], into, 2 * strlen(cases[i]), &m));
				T_ASSERT(m == n && memcmp(into, want, n) == 0);
				T_ASSERT(ntlm_utf16le_equals_utf8(want, n, cases[i]));
			}
			free(want);
		}
	uint8_t small[4];
	size_t m;
	T_EXPECT_ERR(ntlm_utf8_to_utf16le_into("abc", small, sizeof(small), &m),
	             NTLM_E_INVALID_PARAMETER);
	struct collected c = {{0}, 0, 0};
	T_EXPECT_ERR(ntlm_utf8_to_utf16le_each("a\xC3", 0, collect, &c), NTLM_E_BAD_STRING);
	T_ASSERT(ntlm_utf8_upper_differs("user") && !ntlm_utf8_upper_differs("USER"));
	T_ASSERT(ntlm_utf8_upper_differs("\xC3\xA9") && !ntlm_utf8_upper_differs("\xC3\x89"));
	T_ASSERT(!ntlm_utf8_upper_differs("") && !ntlm_utf8_upper_differs("a\xC3"));
}

static void test_utf16_equals_utf8(void)
{
	/* what decoding and strcmp said: exact, no NUL, no broken UTF-16 or UTF-8 */
	T_ASSERT(ntlm_utf16le_equals_utf8((const uint8_t *)"S\0R\0V\0", 6, "SRV"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"S\0R\0V\0", 6, "SR"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"S\0R\0", 4, "SRV"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"S\0R\0V", 5, "SRV"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"s\0r\0v\0", 6, "SRV"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"S\0\0\0", 4, "S"));
	T_ASSERT(ntlm_utf16le_equals_utf8((const uint8_t *)"", 0, ""));
	const uint8_t pair[] = {0x3D, 0xD8, 0x00, 0xDE}, lone[] = {0x3D, 0xD8};
	T_ASSERT(ntlm_utf16le_equals_utf8(pair, 4, "\xF0\x9F\x98\x80"));
	T_ASSERT(!ntlm_utf16le_equals_utf8(lone, 2, "\xF0\x9F\x98\x80"));
	T_ASSERT(!ntlm_utf16le_equals_utf8((const uint8_t *)"\xC3\0", 2, "\xC3"));
}

static void test_oem(void)
{
	uint8_t *o;
	size_t n;
	T_OK(ntlm_utf8_to_oem("caf\xC3\xA9", 1, &o, &n));
	T_ASSERT(n == 4 && o[3] == 0xC9 && o[0] == 'C');
	free(o);
	T_OK(ntlm_utf8_to_oem("\xC3\xBF", 1, &o, &n)); /* ÿ stays ÿ: its upper case is not Latin-1 */
	T_ASSERT(n == 1 && o[0] == 0xFF);
	free(o);
	T_EXPECT_ERR(ntlm_utf8_to_oem("\xE2\x82\xAC", 0, &o, &n), NTLM_E_BAD_STRING); /* € */
	char *s;
	T_OK(ntlm_oem_to_utf8((const uint8_t *)"caf\xE9", 4, &s));
	T_STR(s, "caf\xC3\xA9");
	free(s);
	T_EXPECT_ERR(ntlm_oem_to_utf8((const uint8_t *)"a\0b", 3, &s), NTLM_E_BAD_STRING);
}

static void test_hex_and_trim(void)
{
	uint8_t b[3];
	char h[7];
	T_OK(ntlm_hex_decode("0aFf10", b, 3));
	T_ASSERT(b[0] == 0x0a && b[1] == 0xff && b[2] == 0x10);
	ntlm_hex_encode(b, 3, h);
	T_STR(h, "0aff10");
	T_EXPECT_ERR(ntlm_hex_decode("0aFf1", b, 3), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_hex_decode("0aFg10", b, 3), NTLM_E_INVALID_PARAMETER);
	char t[] = "  key = v \t\n";
	T_STR(ntlm_trim(t), "key = v");
	T_ASSERT(ntlm_hex_value('B') == 11 && ntlm_hex_value('x') == -1);
}

static void test_filetime(void)
{
	T_ASSERT(ntlm_unix_to_filetime(0) == 116444736000000000ull);
	T_ASSERT(ntlm_filetime_to_unix(116444736000000000ull) == 0);
	T_ASSERT(ntlm_filetime_to_unix(ntlm_unix_to_filetime(1700000000)) == 1700000000);
}

static void test_grow_secret(void)
{
	void *p = NULL;
	size_t cap = 0;
	T_OK(ntlm_grow_secret(&p, &cap, 0, 10, 8));
	T_ASSERT(cap == 16 && p);
	memcpy(p, "0123456789", 10);
	T_OK(ntlm_grow_secret(&p, &cap, 10, 100, 8));
	T_ASSERT(cap == 128 && memcmp(p, "0123456789", 10) == 0);
	ntlm_free_secret(p, cap);
}

int main(void)
{
	T_RUN(test_ct_compare);
	T_RUN(test_utf16_round_trip);
	T_RUN(test_utf_rejects);
	T_RUN(test_upper_and_case_insensitive);
	T_RUN(test_utf16_without_copies);
	T_RUN(test_utf16_equals_utf8);
	T_RUN(test_oem);
	T_RUN(test_hex_and_trim);
	T_RUN(test_filetime);
	T_RUN(test_grow_secret);
	T_END();
}
