/* test_buf.c - the bounded reader and the writer: every boundary and failure. */
#include "buf.h"
#include "t.h"

static void test_reads_and_truncation(void)
{
	const uint8_t d[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	nb_reader r;
	nb_reader_init(&r, d, sizeof(d));
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	T_OK(nb_read_u8(&r, &u8));
	T_ASSERT(u8 == 1);
	T_OK(nb_read_u16le(&r, &u16));
	T_ASSERT(u16 == 0x0302);
	T_OK(nb_read_u32le(&r, &u32));
	T_ASSERT(u32 == 0x07060504);
	T_OK(nb_read_u64le(&r, &u64));
	T_ASSERT(u64 == 0x0f0e0d0c0b0a0908ull);
	T_ASSERT(nb_remaining(&r) == 0 && nb_pos(&r) == 15);
	T_EXPECT_ERR(nb_read_u8(&r, &u8), NTLM_E_TRUNCATED);
	T_ASSERT(u8 == 0); /* outputs are cleared on failure */
	nb_reader_init(&r, d, 3);
	T_EXPECT_ERR(nb_read_u32le(&r, &u32), NTLM_E_TRUNCATED);
	T_ASSERT(nb_pos(&r) == 0); /* a failed read consumes nothing */
	T_OK(nb_skip(&r, 3));
	T_EXPECT_ERR(nb_skip(&r, 1), NTLM_E_TRUNCATED);
	nb_reader_init(&r, NULL, 10); /* no data means no length */
	T_ASSERT(nb_remaining(&r) == 0);
}

static void test_expect(void)
{
	nb_reader r;
	nb_reader_init(&r, (const uint8_t *)"NTLMSSP\0x", 9);
	T_OK(nb_expect(&r, (const uint8_t *)"NTLMSSP\0", 8, NTLM_E_BAD_SIGNATURE_HEADER));
	nb_reader_init(&r, (const uint8_t *)"NTLMSSQ\0", 8);
	T_EXPECT_ERR(nb_expect(&r, (const uint8_t *)"NTLMSSP\0", 8, NTLM_E_BAD_SIGNATURE_HEADER),
	             NTLM_E_BAD_SIGNATURE_HEADER);
	nb_reader_init(&r, (const uint8_t *)"NTLM", 4);
	T_EXPECT_ERR(nb_expect(&r, (const uint8_t *)"NTLMSSP\0", 8, NTLM_E_BAD_SIGNATURE_HEADER),
	             NTLM_E_TRUNCATED);
}

static void test_slice_bounds_and_overflow(void)
{
	uint8_t d[16] = {0};
	nb_reader r, c;
	nb_reader_init(&r, d, sizeof(d));
	T_OK(nb_slice(&r, 0, 16, &c));
	T_ASSERT(nb_remaining(&c) == 16);
	T_OK(nb_slice(&r, 16, 0, &c)); /* an empty slice at the end is fine */
	T_EXPECT_ERR(nb_slice(&r, 8, 9, &c), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(nb_slice(&r, 17, 0, &c), NTLM_E_FIELD_RANGE);
	T_EXPECT_ERR(nb_slice(&r, SIZE_MAX, 2, &c), NTLM_E_FIELD_RANGE); /* off + len wraps */
	T_EXPECT_ERR(nb_slice(&r, 2, SIZE_MAX, &c), NTLM_E_FIELD_RANGE);
	T_ASSERT(nb_remaining(&c) == 0); /* cleared on failure */
}

static void test_writer_growth_patch_and_errors(void)
{
	nb_writer w;
	nb_writer_init(&w);
	for (int i = 0; i < 1000; i++)
		nb_write_u32le(&w, (uint32_t)i);
	T_OK(w.err);
	T_ASSERT(w.len == 4000);
	T_OK(nb_patch_u32le(&w, 4, 0xdeadbeef));
	T_OK(nb_patch_u16le(&w, 0, 0x1234));
	T_EXPECT_ERR(nb_patch_u32le(&w, 3998, 1), NTLM_E_INTERNAL); /* past what was written */
	nb_write_zeros(&w, 3);
	nb_write_u8(&w, 7);
	nb_write_u16le(&w, 0xBEEF);
	nb_write_u64le(&w, 1);
	T_OK(w.err);
	ntlm_buffer out;
	T_OK(nb_writer_finish(&w, &out));
	T_ASSERT(out.len == 4000 + 3 + 1 + 2 + 8);
	T_ASSERT(out.data[0] == 0x34 && out.data[1] == 0x12 && out.data[4] == 0xef &&
	         out.data[7] == 0xde);
	T_ASSERT(out.data[4003] == 7 && out.data[4004] == 0xEF && out.data[4005] == 0xBE);
	T_ASSERT(w.data == NULL && w.len == 0); /* ownership moved */
	ntlm_buffer_free(&out);
	T_ASSERT(out.data == NULL && out.len == 0);

	/* an empty writer still yields a non-NULL buffer */
	nb_writer_init(&w);
	T_OK(nb_writer_finish(&w, &out));
	T_ASSERT(out.data != NULL && out.len == 0);
	ntlm_buffer_free(&out);

	/* the first failure is sticky and reported by finish */
	nb_writer_init(&w);
	nb_write_u8(&w, 1);
	T_OK(w.err);
	nb_write_zeros(&w, (size_t)32 * 1024 * 1024);
	T_EXPECT_ERR(w.err, NTLM_E_BUFFER_TOO_SMALL);
	nb_write_u8(&w, 2);
	T_ASSERT(w.len == 1); /* nothing more is written after the failure */
	T_EXPECT_ERR(w.err, NTLM_E_BUFFER_TOO_SMALL);
	T_EXPECT_ERR(nb_writer_finish(&w, &out), NTLM_E_BUFFER_TOO_SMALL);
	T_ASSERT(out.data == NULL && w.data == NULL);
}

static void test_le_helpers(void)
{
	uint8_t b[8];
	nb_store_u32le(b, 0x01020304);
	T_ASSERT(b[0] == 4 && b[3] == 1);
	T_ASSERT(nb_load_u32le(b) == 0x01020304);
	nb_store_u64le(b, 0x0102030405060708ull);
	T_ASSERT(b[0] == 8 && b[7] == 1);
}

int main(void)
{
	T_RUN(test_reads_and_truncation);
	T_RUN(test_expect);
	T_RUN(test_slice_bounds_and_overflow);
	T_RUN(test_writer_growth_patch_and_errors);
	T_RUN(test_le_helpers);
	T_END();
}
