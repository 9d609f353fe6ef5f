/* test_crypto.c - known-answer tests for the crypto shim (crypto.h). */
#include "crypto.h"

#include <errno.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "t.h"

struct hash_kat {
	const char *msg;
	const char *digest;
};

/* RFC 1320 appendix A.5 */
static const struct hash_kat md4_kats[] = {
	{"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
	{"a", "bde52cb31de33e46245e05fbdbd6fb24"},
	{"abc", "a448017aaf21d8525fc10ae87aa6729d"},
	{"message digest", "d9130a8164549fe818874806e1c7014b"},
	{"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "043f8582f241db351ce627e153e7f0e4"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "e33b4ddc9c38f2199c3e7b164fcc0536"},
};

/* RFC 1321 appendix A.5 */
static const struct hash_kat md5_kats[] = {
	{"", "d41d8cd98f00b204e9800998ecf8427e"},
	{"a", "0cc175b9c0f1b6a831c399e269772661"},
	{"abc", "900150983cd24fb0d6963f7d28e17f72"},
	{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

static void test_md4_rfc1320(void)
{
	for (size_t i = 0; i < sizeof(md4_kats) / sizeof(md4_kats[0]); i++) {
		uint8_t want[16], got[16];
		T_ASSERT(t_unhex(md4_kats[i].digest, want, sizeof(want)) == 16);
		cr_md4((const uint8_t *)md4_kats[i].msg, strlen(md4_kats[i].msg), got);
		T_BYTES(got, want, 16);
	}
}

static void test_md5_rfc1321(void)
{
	for (size_t i = 0; i < sizeof(md5_kats) / sizeof(md5_kats[0]); i++) {
		uint8_t want[16], got[16];
		T_ASSERT(t_unhex(md5_kats[i].digest, want, sizeof(want)) == 16);
		cr_md5_digest((const uint8_t *)md5_kats[i].msg, strlen(md5_kats[i].msg), got);
		T_BYTES(got, want, 16);
	}
}

/* Feeding in pieces gives the one-shot digest; final wipes the context. */
static void test_md5_incremental_and_wipe(void)
{
	const struct hash_kat *k = &md5_kats[6];
	size_t len = strlen(k->msg);
	uint8_t want[16], got[16];
	T_ASSERT(t_unhex(k->digest, want, sizeof(want)) == 16);

	cr_md5 c;
	cr_md5_init(&c);
	for (size_t off = 0; off < len; off += 7) {
		size_t n = len - off < 7 ? len - off : 7;
		cr_md5_update(&c, (const uint8_t *)k->msg + off, n);
	}
	cr_md5_final(&c, got);
	T_BYTES(got, want, 16);

	static const uint8_t zero[sizeof(c.opaque)];
	T_BYTES(c.opaque, zero, sizeof(zero));
}

struct hmac_kat {
	const char *key_hex;
	const char *data_hex;
	const char *mac;
};

/* RFC 2104 section 2 (first three) and RFC 2202 section 2 (larger-than-block key) */
static const struct hmac_kat hmac_kats[] = {
	{"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265" /* "Hi There" */,
     "9294727a3638bb1c13f48ef8158bfc9d"},
	{"4a656665" /* "Jefe" */, "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "750c783e6ab0b503eaa86e310a5db738"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
     "dddddddddddddddddddddddddddd",
     "56be34521d144c88dbb8c733f0e8b3f6"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     /* "Test Using Larger Than Block-Size Key - Hash Key First" */
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579"
     "202d2048617368204b6579204669727374",
     "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
};

static void test_hmac_md5_rfc2104(void)
{
	for (size_t i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); i++) {
		uint8_t key[80], data[64], want[16], got[16];
		size_t kl = t_unhex(hmac_kats[i].key_hex, key, sizeof(key));
		size_t dl = t_unhex(hmac_kats[i].data_hex, data, sizeof(data));
		T_ASSERT(kl == strlen(hmac_kats[i].key_hex) / 2);
		T_ASSERT(dl == strlen(hmac_kats[i].data_hex) / 2);
		T_ASSERT(t_unhex(hmac_kats[i].mac, want, sizeof(want)) == 16);

		/* incremental, one byte at a time, then the wipe */
		cr_hmac_md5_ctx c;
		cr_hmac_md5_init(&c, key, kl);
		for (size_t j = 0; j < dl; j++)
			cr_hmac_md5_update(&c, data + j, 1);
		memset(got, 0, sizeof(got));
		cr_hmac_md5_final(&c, got);
		T_BYTES(got, want, 16);
		static const uint8_t zero[sizeof(c.opaque)];
		T_BYTES(c.opaque, zero, sizeof(zero));
	}
}

/* The key-scheduled form gives the same MACs, reusable across messages, and wipes. */
static void test_hmac_md5_keyed(void)
{
	for (size_t i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); i++) {
		uint8_t key[80], data[64], want[16], got[16];
		size_t kl = t_unhex(hmac_kats[i].key_hex, key, sizeof(key));
		size_t dl = t_unhex(hmac_kats[i].data_hex, data, sizeof(data));
		T_ASSERT(t_unhex(hmac_kats[i].mac, want, sizeof(want)) == 16);
		cr_hmac_md5_key k;
		cr_hmac_md5_key_init(&k, key, kl);
		for (int round = 0; round < 2; round++) {
			cr_md5 c;
			cr_hmac_md5_start(&c, &k);
			for (size_t j = 0; j < dl; j++)
				cr_md5_update(&c, data + j, 1);
			memset(got, 0, sizeof(got));
			cr_hmac_md5_finish(&c, &k, got);
			T_BYTES(got, want, 16);
			static const uint8_t zero[sizeof(c.opaque)];
			T_BYTES(c.opaque, zero, sizeof(zero));
		}
	}
	/* messages longer than a block, against the context form */
	uint8_t key[16] = {1, 2, 3}, msg[300], a[16], b[16];
	for (size_t j = 0; j < sizeof(msg); j++)
		msg[j] = (uint8_t)(j * 11);
	cr_hmac_md5_key k;
	cr_hmac_md5_key_init(&k, key, sizeof(key));
	for (size_t n = 0; n <= sizeof(msg); n += 37) {
		cr_md5 c;
		cr_hmac_md5_ctx h;
		cr_hmac_md5_init(&h, key, sizeof(key));
		cr_hmac_md5_update(&h, msg, n);
		cr_hmac_md5_final(&h, a);
		cr_hmac_md5_start(&c, &k);
		cr_md5_update(&c, msg, n);
		cr_hmac_md5_finish(&c, &k, b);
		T_BYTES(a, b, 16);
	}
}

struct rc4_kat {
	const char *key;
	const char *plain;
	const char *cipher;
};

static const struct rc4_kat rc4_kats[] = {
	{"Key", "Plaintext", "bbf316e8d940af0ad3"},
	{"Wiki", "pedia", "1021bf0420"},
	{"Secret", "Attack at dawn", "45a01f645fc35b383552544b9bf5"},
};

static void test_rc4_known(void)
{
	for (size_t i = 0; i < sizeof(rc4_kats) / sizeof(rc4_kats[0]); i++) {
		const struct rc4_kat *k = &rc4_kats[i];
		size_t n = strlen(k->plain);
		uint8_t want[32], got[32];
		T_ASSERT(t_unhex(k->cipher, want, sizeof(want)) == n);

		cr_rc4 c;
		cr_rc4_init(&c, (const uint8_t *)k->key, strlen(k->key));
		cr_rc4_crypt(&c, got, (const uint8_t *)k->plain, n);
		cr_rc4_wipe(&c);
		T_BYTES(got, want, n);
		static const uint8_t zero[sizeof(c.opaque)];
		T_BYTES(c.opaque, zero, sizeof(zero));

		/* in place, in two pieces (the keystream continues), decrypts back */
		cr_rc4_init(&c, (const uint8_t *)k->key, strlen(k->key));
		cr_rc4_crypt(&c, got, got, 2);
		cr_rc4_crypt(&c, got + 2, got + 2, n - 2);
		cr_rc4_wipe(&c);
		T_BYTES(got, k->plain, n);
	}
}

static void test_des_known(void)
{
	/*
	 * FIPS 46 worked example: key 133457799BBCDFF1 (odd parity), whose 56
	 * key bits packed 7 per byte are 12695bc9b7b7f8.
	 */
	uint8_t key7[7], in[8], want[8], got[8];
	T_ASSERT(t_unhex("12695bc9b7b7f8", key7, sizeof(key7)) == 7);
	T_ASSERT(t_unhex("0123456789abcdef", in, sizeof(in)) == 8);
	T_ASSERT(t_unhex("85e813540f0ab405", want, sizeof(want)) == 8);
	cr_des56_encrypt(key7, in, got);
	T_BYTES(got, want, 8);
}

static void test_des_weak_key(void)
{
	/* The all-zero key is DES-weak; the LM hash of "" depends on it working. */
	static const uint8_t zero7[7];
	uint8_t want[8], got[8];
	T_ASSERT(t_unhex("aad3b435b51404ee", want, sizeof(want)) == 8);
	cr_des56_encrypt(zero7, (const uint8_t *)"KGS!@#$%", got);
	T_BYTES(got, want, 8);
}

static void test_des_bit_spread(void)
{
	/* Flipping any single key bit must change the output (no bit is dropped). */
	uint8_t key7[7] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd};
	const uint8_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t base[8], got[8];
	cr_des56_encrypt(key7, in, base);
	for (int bit = 0; bit < 56; bit++) {
		key7[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		cr_des56_encrypt(key7, in, got);
		key7[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
		if (memcmp(got, base, 8) == 0)
			T_FAIL("key bit %d has no effect", bit);
	}
}

static void test_crc32(void)
{
	const uint8_t *s = (const uint8_t *)"123456789";
	T_ASSERT(cr_crc32(0, s, 9) == 0xcbf43926u);
	/* chained over two pieces */
	T_ASSERT(cr_crc32(cr_crc32(0, s, 4), s + 4, 5) == 0xcbf43926u);
	T_ASSERT(cr_crc32(0, s, 0) == 0);
	T_ASSERT(cr_crc32(0x12345678u, NULL, 0) == 0x12345678u);
}

/*
 * getrandom() interposed for this binary, so short reads, EINTR and hard
 * failures can be forced; mode 0 passes through to the kernel.
 */
static int fake_mode; /* 0 real, 1 short reads + EINTR, 2 EIO */
static int fake_calls;

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	fake_calls++;
	if (fake_mode == 2) {
		errno = EIO;
		return -1;
	}
	if (fake_mode == 1) {
		if (fake_calls % 2) {
			errno = EINTR;
			return -1;
		}
		if (len > 5)
			len = 5;
	}
	return syscall(SYS_getrandom, buf, len, flags);
}

static void test_random(void)
{
	uint8_t a[32], b[32];
	static const uint8_t zero[32];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	fake_mode = 0;
	T_OK(cr_random(a, sizeof(a)));
	T_OK(cr_random(b, sizeof(b)));
	T_ASSERT(memcmp(a, b, sizeof(a)) != 0);
	T_ASSERT(memcmp(a, zero, sizeof(a)) != 0);
	T_OK(cr_random(a, 0));
}

static void test_random_short_reads_and_eintr(void)
{
	/* 5 bytes per successful call, EINTR in between: all 32 still filled */
	uint8_t a[32];
	memset(a, 0, sizeof(a));
	fake_mode = 1;
	fake_calls = 0;
	ntlm_err e = cr_random(a, sizeof(a));
	int calls = fake_calls;
	fake_mode = 0;
	T_OK(e);
	T_ASSERT(calls == 14); /* 7 reads (6 x 5 + 2) and 7 EINTRs */
	/* each 4-byte window being zero by chance is 2^-32 */
	for (size_t i = 0; i + 4 <= sizeof(a); i += 4) {
		static const uint8_t z4[4];
		if (memcmp(a + i, z4, 4) == 0)
			T_FAIL("bytes %zu..%zu left unfilled", i, i + 3);
	}
}

static void test_random_failure(void)
{
	uint8_t a[16];
	memset(a, 0xAB, sizeof(a));
	fake_mode = 2;
	ntlm_err e = cr_random(a, sizeof(a));
	fake_mode = 0;
	T_EXPECT_ERR(e, NTLM_E_RANDOM);
	/* no partial randomness is left behind */
	static const uint8_t zero[16];
	T_BYTES(a, zero, sizeof(a));
}

int main(void)
{
	T_RUN(test_md4_rfc1320);
	T_RUN(test_md5_rfc1321);
	T_RUN(test_md5_incremental_and_wipe);
	T_RUN(test_hmac_md5_rfc2104);
	T_RUN(test_hmac_md5_keyed);
	T_RUN(test_rc4_known);
	T_RUN(test_des_known);
	T_RUN(test_des_weak_key);
	T_RUN(test_des_bit_spread);
	T_RUN(test_crc32);
	T_RUN(test_random);
	T_RUN(test_random_short_reads_and_eintr);
	T_RUN(test_random_failure);
	T_END();
}
