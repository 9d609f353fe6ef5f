/*
 * t.h - the project's tiny test runner. Each test binary lists its tests in
 * main() with T_RUN(); the binary prints one line per test and a closing
 * "N passed, N failed" line, and exits non-zero if anything failed.
 */
#ifndef NTLM_T_H
#define NTLM_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static int t_failed_current;
static int t_passed, t_failed;

static inline void t_hexdump(const char *label, const void *p, size_t n)
{
	const uint8_t *b = p;
	fprintf(stderr, "    %s (%zu):", label, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", (i % 32) ? "" : "\n      ", b[i]);
	fprintf(stderr, "\n");
}

#define T_FAIL(...)                                                                                \
	do {                                                                                           \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                          \
		fprintf(stderr, __VA_ARGS__);                                                              \
		fprintf(stderr, "\n");                                                                     \
		t_failed_current = 1;                                                                      \
		return;                                                                                    \
	} while (0)

#define T_ASSERT(cond)                                                                             \
	do {                                                                                           \
		if (!(cond))                                                                               \
			T_FAIL("assertion failed: %s", #cond);                                                 \
	} while (0)

/* expr must return the ntlm_err want */
#define T_EXPECT_ERR(expr, want)                                                                   \
	do {                                                                                           \
		int t_got_ = (int)(expr);                                                                  \
		if (t_got_ != (int)(want))                                                                 \
			T_FAIL("%s returned %s (%d), wanted %s", #expr, ntlm_err_name((ntlm_err)t_got_),       \
			       t_got_, #want);                                                                 \
	} while (0)

#define T_OK(expr) T_EXPECT_ERR(expr, NTLM_OK)

/* Setup the test cannot go on without (hashes, account files, credentials):
   a failure ends the whole binary loudly instead of testing garbage. */
#define T_SETUP(expr)                                                                              \
	do {                                                                                           \
		int t_rc_ = (int)(expr);                                                                   \
		if (t_rc_ != 0) {                                                                          \
			fprintf(stderr, "  %s:%d: setup %s failed: %s\n", __FILE__, __LINE__, #expr,           \
			        ntlm_err_name((ntlm_err)t_rc_));                                               \
			exit(2);                                                                               \
		}                                                                                          \
	} while (0)

#define T_BYTES(got, want, n)                                                                      \
	do {                                                                                           \
		if (memcmp((got), (want), (n)) != 0) {                                                     \
			t_hexdump("got", (got), (n));                                                          \
			t_hexdump("want", (want), (n));                                                        \
			T_FAIL("bytes differ: %s vs %s", #got, #want);                                         \
		}                                                                                          \
	} while (0)

#define T_STR(got, want)                                                                           \
	do {                                                                                           \
		const char *t_g_ = (got), *t_w_ = (want);                                                  \
		if (!t_g_ || !t_w_ || strcmp(t_g_, t_w_) != 0)                                             \
			T_FAIL("%s is \"%s\", wanted \"%s\"", #got, t_g_ ? t_g_ : "(null)",                    \
			       t_w_ ? t_w_ : "(null)");                                                        \
	} while (0)

#define T_RUN(fn)                                                                                  \
	do {                                                                                           \
		t_failed_current = 0;                                                                      \
		fn();                                                                                      \
		if (t_failed_current) {                                                                    \
			t_failed++;                                                                            \
			printf("FAIL %s\n", #fn);                                                              \
		} else {                                                                                   \
			t_passed++;                                                                            \
			printf("ok   %s\n", #fn);                                                              \
		}                                                                                          \
		fflush(stdout);                                                                            \
	} while (0)

#define T_END()                                                                                    \
	do {                                                                                           \
		printf("%d passed, %d failed\n", t_passed, t_failed);                                      \
		return t_failed ? 1 : 0;                                                                   \
	} while (0)

/* Decode a hex string literal into a static-size buffer (tests only). */
static inline size_t t_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; *p && p[1] && n < cap;) {
		if (*p == ' ' || *p == '\n' || *p == ':') {
			p++;
			continue;
		}
		unsigned v;
		if (sscanf(p, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

#endif
