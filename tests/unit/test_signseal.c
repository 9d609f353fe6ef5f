/*
 * test_signseal.c - session security: the MS-NLMP 4.2.2.4, 4.2.3.4 and
 * 4.2.4.4 GSS_WrapEx examples byte for byte, every API shape, sequence
 * numbers (and their end: no wrap), datagram mode, and every verification
 * failure.
 */
#include "context.h"
#include "nlmp_vectors.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "mem.h"

/* An established context with a known exported key (what a handshake yields). */
static ntlm_ctx *fake_ctx(uint32_t flags, const uint8_t key[16], int is_client, int datagram)
{
	ntlm_ctx *ctx = ntlm_calloc(1, sizeof(*ctx));
	ctx->is_server = !is_client;
	ctx->state = CTX_DONE;
	ctx->flags = flags;
	ctx->datagram = datagram;
	memcpy(ctx->exported_key, key, 16);
	ctx->have_key = 1;
	return ctx; /* session security is derived on first use */
}

static ss_state *session_of(ntlm_ctx *ctx)
{
	ss_state *ss = NULL;
	if (ctx_session(ctx, &ss) != NTLM_OK)
		return NULL; /* the callers assert a session */
	return ss;
}

static void check_vector(uint32_t flags, const uint8_t key[16], const uint8_t *plain, size_t n,
                         const uint8_t *sealed, const uint8_t *signature)
{
	uint8_t buf[64], sig[16];
	ntlm_ctx *client = fake_ctx(flags, key, 1, 0);
	ntlm_ctx *server = fake_ctx(flags, key, 0, 0);
	memcpy(buf, plain, n);
	T_OK(ntlm_protect(client, NTLM_PROTECT_SEAL, 0, buf, n, sig));
	T_BYTES(buf, sealed, n);
	T_BYTES(sig, signature, 16);
	T_OK(ntlm_unprotect(server, NTLM_PROTECT_SEAL, 0, buf, n, sig));
	T_BYTES(buf, plain, n);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
}

/* 4.2.2.4: NTLMv1 without ESS: CRC32 checksum, RC4 pad, one key, full 16-byte seal key. */
static void test_vector_ntlmv1(void)
{
	check_vector(V1_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, V_PLAINTEXT, sizeof(V_PLAINTEXT),
	             V1_SEALED_DATA, V1_SIGNATURE);
}

/* 4.2.3.4: NTLMv1 with ESS, 56-bit, no key exchange: exported key = KXKEY. */
static void test_vector_ntlmv1_ess(void)
{
	check_vector(V1ESS_NEGOTIATE_FLAGS, V1ESS_KEYEXCH_KEY, V_PLAINTEXT, sizeof(V_PLAINTEXT),
	             V1ESS_SEALED_DATA, V1ESS_SIGNATURE);
}

/* 4.2.4.4: NTLMv2, ESS, 128-bit, key exchange. */
static void test_vector_ntlmv2(void)
{
	check_vector(V2_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, V_PLAINTEXT, sizeof(V_PLAINTEXT),
	             V2_SEALED_DATA, V2_SIGNATURE);
}

/* The context keeps the signing key key-scheduled: compare with the vector's key, scheduled. */
static void check_sign_key(const ss_dir *d, const uint8_t key[16])
{
	cr_hmac_md5_key want;
	cr_hmac_md5_key_init(&want, key, 16);
	T_BYTES(&d->sign, &want, sizeof(want));
}

static void test_derived_keys_match_vectors(void)
{
	ntlm_ctx *c = fake_ctx(V2_NEGOTIATE_FLAGS, V_RANDOM_SESSION_KEY, 1, 0);
	T_ASSERT(session_of(c) != NULL);
	T_BYTES(c->ss->out.seal_key, V2_SEAL_KEY, 16);
	check_sign_key(&c->ss->out, V2_SIGN_KEY);
	ntlm_ctx_free(c);
	c = fake_ctx(V1ESS_NEGOTIATE_FLAGS, V1ESS_KEYEXCH_KEY, 1, 0);
	T_ASSERT(session_of(c) != NULL);
	T_BYTES(c->ss->out.seal_key, V1ESS_SEAL_KEY, 16);
	check_sign_key(&c->ss->out, V1ESS_SIGN_KEY);
	ntlm_ctx_free(c);
}

static const uint32_t all_flag_sets[] = {
	0xe28a8235u, /* NTLMv2 defaults: ESS, 128, KEY_EXCH */
	0x628a8235u, /* ESS, 128, KEY_EXCH, no 56 */
	0x820a8235u, /* ESS, 56, no key exchange */
	0x02088235u, /* ESS, 40-bit, no key exchange */
	0xe2028235u, /* no ESS, KEY_EXCH */
	0x820282b5u, /* no ESS, LM_KEY, 56-bit: 8-byte seal key */
	0x020282b5u, /* no ESS, LM_KEY, 40-bit */
};

/* Round trips in both directions for many messages, every flag set. */
static void test_round_trips_all_flag_sets(void)
{
	for (size_t f = 0; f < NTLM_ARRAY_LEN(all_flag_sets); f++) {
		ntlm_ctx *c = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 1, 0);
		ntlm_ctx *s = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 0, 0);
		for (int i = 0; i < 20; i++) {
			uint8_t msg[100], orig[100], sig[16];
			size_t n = (size_t)(i * 5);
			for (size_t k = 0; k < n; k++)
				orig[k] = msg[k] = (uint8_t)(k * 7 + i);
			ntlm_ctx *from = (i % 3 == 0) ? s : c, *to = from == c ? s : c;
			T_OK(ntlm_protect(from, NTLM_PROTECT_SEAL, 0, msg, n, sig));
			T_OK(ntlm_unprotect(to, NTLM_PROTECT_SEAL, 0, msg, n, sig));
			T_BYTES(msg, orig, n);
			T_OK(ntlm_protect(to, NTLM_PROTECT_SIGN, 0, orig, n, sig));
			T_OK(ntlm_unprotect(from, NTLM_PROTECT_SIGN, 0, orig, n, sig));
		}
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
	}
}

static void test_tampered_data_and_signature_refused(void)
{
	for (size_t f = 0; f < NTLM_ARRAY_LEN(all_flag_sets); f++) {
		ntlm_ctx *c = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 1, 0);
		ntlm_ctx *s = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 0, 0);
		uint8_t msg[32] = "sealed and then tampered with!!", sig[16], bad[16];
		T_OK(ntlm_protect(c, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig));
		msg[3] ^= 1;
		T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig),
		             NTLM_E_BAD_MAC);
		T_ASSERT(ntlm_ct_is_zero(msg, sizeof(msg))); /* no unauthenticated plaintext */
		/* The failure did not consume the sequence number or the key stream. */
		uint8_t msg2[8] = "retry!!";
		T_OK(ntlm_protect(c, NTLM_PROTECT_SEAL, 0, msg2, 8, sig));
		memcpy(bad, sig, 16);
		bad[9] ^= 0x80;
		T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, msg2, 8, bad) == NTLM_OK
		                 ? NTLM_OK
		                 : NTLM_E_BAD_MAC,
		             NTLM_E_BAD_MAC);
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
	}
}

static void test_failed_verify_keeps_state(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	uint8_t msg[5] = "abcd", sig[16], forged[16] = {1};
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, msg, 5, forged), NTLM_E_BAD_MAC);
	T_OK(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, msg, 5, sig));
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, msg, 5, sig));
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

static void test_replayed_and_reordered_messages(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	uint8_t m1[4] = "one", m2[4] = "two", s1[16], s2[16];
	T_OK(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, m1, 4, s1));
	T_OK(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, m2, 4, s2));
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m2, 4, s2), NTLM_E_OUT_OF_SEQUENCE);
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1));
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1),
	             NTLM_E_OUT_OF_SEQUENCE); /* replay */
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m2, 4, s2));
	/* A message sent by the server cannot be reflected back to it, even with
	 * the sequence number the server expects next (2): the keys differ per direction. */
	T_OK(ntlm_protect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1));
	T_OK(ntlm_protect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1));
	T_OK(ntlm_protect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1));
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m1, 4, s1), NTLM_E_BAD_MAC);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

static void test_wrap_unwrap(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	ntlm_buffer w = {0}, p = {0};
	T_OK(ntlm_wrap(c, NTLM_PROTECT_SEAL, 0, (const uint8_t *)"wrapped", 7, &w));
	T_ASSERT(w.len == 23);
	T_OK(ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w.data, w.len, &p));
	T_ASSERT(p.len == 7 && memcmp(p.data, "wrapped", 7) == 0);
	ntlm_buffer_free(&p);
	T_EXPECT_ERR(ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w.data, 15, &p), NTLM_E_TRUNCATED);
	w.data[20] ^= 4;
	T_EXPECT_ERR(ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w.data, w.len, &p), NTLM_E_OUT_OF_SEQUENCE);
	ntlm_buffer_free(&w);
	/* empty message */
	T_OK(ntlm_wrap(c, NTLM_PROTECT_SEAL, 0, NULL, 0, &w));
	T_OK(ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w.data, w.len, &p));
	T_ASSERT(p.len == 0);
	ntlm_buffer_free(&w);
	ntlm_buffer_free(&p);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

/* SSPI EncryptMessage shape: header signed only, body sealed, trailer ignored. */
static void test_iov(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	uint8_t hdr[8] = "HEADER!", body[12] = "secret body", trailer[4] = "pad", tok[16];
	ntlm_iov iov[4] = {{NTLM_IOV_SIGN_ONLY, hdr, 8},
	                   {NTLM_IOV_DATA, body, 12},
	                   {NTLM_IOV_IGNORE, trailer, 4},
	                   {NTLM_IOV_TOKEN, tok, 16}};
	T_OK(ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, iov, 4));
	T_ASSERT(memcmp(body, "secret body", 12) != 0);
	T_ASSERT(memcmp(hdr, "HEADER!", 8) == 0);
	trailer[0] = 'X'; /* not covered */
	T_OK(ntlm_unprotect_iov(s, NTLM_PROTECT_SEAL, 0, iov, 4));
	T_ASSERT(memcmp(body, "secret body", 12) == 0);
	/* Same bytes through the flat API give the same signature as DATA+SIGN_ONLY order. */
	T_OK(ntlm_protect_iov(c, NTLM_PROTECT_SIGN, 0, iov, 4));
	hdr[0] ^= 1; /* header is covered by the signature */
	T_EXPECT_ERR(ntlm_unprotect_iov(s, NTLM_PROTECT_SIGN, 0, iov, 4), NTLM_E_BAD_MAC);
	/* malformed lists */
	ntlm_iov no_token[1] = {{NTLM_IOV_DATA, body, 12}};
	T_EXPECT_ERR(ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, no_token, 1), NTLM_E_INVALID_PARAMETER);
	ntlm_iov short_token[2] = {{NTLM_IOV_DATA, body, 12}, {NTLM_IOV_TOKEN, tok, 15}};
	T_EXPECT_ERR(ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, short_token, 2),
	             NTLM_E_INVALID_PARAMETER);
	ntlm_iov two_tokens[2] = {{NTLM_IOV_TOKEN, tok, 16}, {NTLM_IOV_TOKEN, tok, 16}};
	T_EXPECT_ERR(ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, two_tokens, 2),
	             NTLM_E_INVALID_PARAMETER);
	ntlm_iov bad_type[2] = {{(ntlm_iov_type)99, body, 12}, {NTLM_IOV_TOKEN, tok, 16}};
	T_EXPECT_ERR(ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, bad_type, 2), NTLM_E_INVALID_PARAMETER);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

/* Connectionless: per-message keys, explicit sequence numbers, any order. */
static void test_datagram(void)
{
	uint32_t flags = 0xe28a8275u; /* defaults + DATAGRAM */
	ntlm_ctx *c = fake_ctx(flags, V_RANDOM_SESSION_KEY, 1, 1);
	ntlm_ctx *s = fake_ctx(flags, V_RANDOM_SESSION_KEY, 0, 1);
	uint8_t a[6] = "first", b[7] = "second", sa[16], sb[16];
	T_OK(ntlm_protect(c, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 7, a, 6, sa));
	T_OK(ntlm_protect(c, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 8, b, 7, sb));
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 8, b, 7,
	                    sb)); /* out of order is fine */
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ, 7, a, 6, sa));
	T_ASSERT(memcmp(a, "first", 6) == 0 && memcmp(b, "second", 7) == 0);
	T_OK(ntlm_protect(c, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, 3, a, 6, sa));
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, 4, a, 6, sa),
	             NTLM_E_OUT_OF_SEQUENCE);
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, 3, a, 6, sa));
	/* connection-oriented calls are refused in datagram mode and vice versa */
	T_EXPECT_ERR(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, a, 6, sa), NTLM_E_INVALID_PARAMETER);
	ntlm_ctx *co = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	T_EXPECT_ERR(ntlm_protect(co, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, 0, a, 6, sa),
	             NTLM_E_INVALID_PARAMETER);
	ntlm_ctx_free(co);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

/* The five shapes of one message, sending and receiving (iov: the flat layout as a list). */
enum { SH_SIGN, SH_SEAL, SH_WRAP, SH_SIGN_IOV, SH_SEAL_IOV, SH_COUNT };

static ntlm_err shape_send(ntlm_ctx *c, int shape, uint8_t msg[8], uint8_t sig[16], ntlm_buffer *w)
{
	ntlm_iov iov[2] = {{shape == SH_SEAL_IOV ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY, msg, 8},
	                   {NTLM_IOV_TOKEN, sig, 16}};
	switch (shape) {
	case SH_SIGN:
		return ntlm_protect(c, NTLM_PROTECT_SIGN, 0, msg, 8, sig);
	case SH_SEAL:
		return ntlm_protect(c, NTLM_PROTECT_SEAL, 0, msg, 8, sig);
	case SH_WRAP:
		return ntlm_wrap(c, NTLM_PROTECT_SEAL, 0, msg, 8, w);
	case SH_SIGN_IOV:
		return ntlm_protect_iov(c, NTLM_PROTECT_SIGN, 0, iov, 2);
	default:
		return ntlm_protect_iov(c, NTLM_PROTECT_SEAL, 0, iov, 2);
	}
}

static ntlm_err shape_recv(ntlm_ctx *s, int shape, uint8_t msg[8], uint8_t sig[16],
                           const ntlm_buffer *w)
{
	ntlm_iov iov[2] = {{shape == SH_SEAL_IOV ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY, msg, 8},
	                   {NTLM_IOV_TOKEN, sig, 16}};
	ntlm_buffer plain = {0};
	ntlm_err rc;
	switch (shape) {
	case SH_SIGN:
		return ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, msg, 8, sig);
	case SH_SEAL:
		return ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, msg, 8, sig);
	case SH_WRAP:
		rc = ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w->data, w->len, &plain);
		ntlm_buffer_free(&plain);
		return rc;
	case SH_SIGN_IOV:
		return ntlm_unprotect_iov(s, NTLM_PROTECT_SIGN, 0, iov, 2);
	default:
		return ntlm_unprotect_iov(s, NTLM_PROTECT_SEAL, 0, iov, 2);
	}
}

/*
 * The context's own counter never wraps: every shape, with and without ESS,
 * works up to 0xFFFFFFFE; the message that would take 0xFFFFFFFF (after which
 * 0 would come again) fails the context for good, in both directions.
 */
static void test_sequence_never_wraps(void)
{
	for (size_t f = 0; f < NTLM_ARRAY_LEN(all_flag_sets); f++) {
		for (int shape = 0; shape < SH_COUNT; shape++) {
			ntlm_ctx *c = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 1, 0);
			ntlm_ctx *s = fake_ctx(all_flag_sets[f], V_RANDOM_SESSION_KEY, 0, 0);
			ss_state *cs = session_of(c), *sv = session_of(s);
			cs->out.seq = cs->in.seq = sv->out.seq = sv->in.seq = UINT32_MAX - 1;
			uint8_t msg[8] = "counter", sig[16], k[16];
			ntlm_buffer w = {0}, none = {0};
			T_OK(shape_send(c, shape, msg, sig, &w));
			T_OK(shape_recv(s, shape, msg, sig, &w));
			T_EXPECT_ERR(shape_send(c, shape, msg, sig, &none), NTLM_E_SEQUENCE_EXHAUSTED);
			T_ASSERT(none.data == NULL);
			T_ASSERT(!ntlm_ctx_established(c));
			T_EXPECT_ERR(ntlm_ctx_session_key(c, k), NTLM_E_WRONG_STATE);
			T_EXPECT_ERR(shape_recv(c, shape, msg, sig, &w), NTLM_E_FAILED_CONTEXT);
			T_EXPECT_ERR(shape_send(c, shape, msg, sig, &none), NTLM_E_FAILED_CONTEXT);
			/* the receiver stops at the same number */
			T_EXPECT_ERR(shape_recv(s, shape, msg, sig, &w), NTLM_E_SEQUENCE_EXHAUSTED);
			T_EXPECT_ERR(shape_send(s, shape, msg, sig, &none), NTLM_E_FAILED_CONTEXT);
			ntlm_buffer_free(&w);
			ntlm_ctx_free(c);
			ntlm_ctx_free(s);
		}
	}
}

/*
 * A receiver at 0xFFFFFFFF refuses a message that verifies there, and so never
 * wraps to take a replay of message 0. ESS without key exchange signs without
 * the RC4 stream, so a datagram signer with the same key and an explicit
 * sequence number makes the message a peer at 0xFFFFFFFF would send.
 */
static void test_receiver_never_wraps_to_a_replay(void)
{
	ntlm_ctx *s = fake_ctx(0x820a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	ntlm_ctx *dg = fake_ctx(0x820a8275u, V_RANDOM_SESSION_KEY, 1, 1);
	uint8_t m0[6] = "first", last[5] = "last", s0[16], s1[16];
	T_OK(ntlm_protect(dg, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, 0, m0, 6, s0));
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m0, 6,
	                    s0)); /* the datagram signer speaks for the peer */
	session_of(s)->in.seq = UINT32_MAX;
	T_OK(ntlm_protect(dg, NTLM_PROTECT_SIGN | NTLM_PROTECT_EXPLICIT_SEQ, UINT32_MAX, last, 5,
	                  s1)); /* explicit numbers are the caller's */
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, last, 5, s1), NTLM_E_SEQUENCE_EXHAUSTED);
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SIGN, 0, m0, 6, s0), NTLM_E_FAILED_CONTEXT);
	ntlm_ctx_free(s);
	ntlm_ctx_free(dg);
}

/*
 * The mode names one operation (SIGN or SEAL) and whether seq is used; a
 * seq the mode ignores is refused, since the caller believed it counted.
 */
static void test_bad_modes_refused(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	uint8_t m[4] = "abc", sig[NTLM_SIGNATURE_SIZE];
	ntlm_buffer w = {0};
	const unsigned bad[] = {0, NTLM_PROTECT_SIGN | NTLM_PROTECT_SEAL, NTLM_PROTECT_EXPLICIT_SEQ,
	                        NTLM_PROTECT_SIGN | 0x8u, 0x100u};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++) {
		T_EXPECT_ERR(ntlm_protect(c, bad[i], 0, m, 4, sig), NTLM_E_INVALID_PARAMETER);
		T_EXPECT_ERR(ntlm_wrap(c, bad[i], 0, m, 4, &w), NTLM_E_INVALID_PARAMETER);
		T_ASSERT(w.data == NULL);
	}
	T_EXPECT_ERR(ntlm_protect(c, NTLM_PROTECT_SIGN, 1, m, 4, sig), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_unprotect(s, NTLM_PROTECT_SEAL, 5, m, 4, sig), NTLM_E_INVALID_PARAMETER);
	/* none of it consumed a sequence number */
	T_OK(ntlm_protect(c, NTLM_PROTECT_SEAL, 0, m, 4, sig));
	T_OK(ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, m, 4, sig));
	T_BYTES(m, "abc", 4);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

/* GSS_Wrap with conf_req 0: signature || data in clear; datagram wraps take the caller's number. */
static void test_wrap_sign_only_and_datagram(void)
{
	ntlm_ctx *c = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 1, 0);
	ntlm_ctx *s = fake_ctx(0xe28a8235u, V_RANDOM_SESSION_KEY, 0, 0);
	ntlm_buffer w = {0}, p = {0};
	T_OK(ntlm_wrap(c, NTLM_PROTECT_SIGN, 0, (const uint8_t *)"in clear", 8, &w));
	T_ASSERT(w.len == NTLM_SIGNATURE_SIZE + 8);
	T_BYTES(w.data + NTLM_SIGNATURE_SIZE, "in clear", 8);
	/* a signed message is not a sealed one */
	T_EXPECT_ERR(ntlm_unwrap(s, NTLM_PROTECT_SEAL, 0, w.data, w.len, &p), NTLM_E_BAD_MAC);
	T_OK(ntlm_unwrap(s, NTLM_PROTECT_SIGN, 0, w.data, w.len, &p));
	T_ASSERT(p.len == 8 && memcmp(p.data, "in clear", 8) == 0);
	ntlm_buffer_free(&p);
	ntlm_buffer_free(&w);
	T_OK(ntlm_wrap(c, NTLM_PROTECT_SIGN, 0, (const uint8_t *)"in clear", 8, &w));
	w.data[NTLM_SIGNATURE_SIZE] ^= 1; /* the clear data is covered */
	T_EXPECT_ERR(ntlm_unwrap(s, NTLM_PROTECT_SIGN, 0, w.data, w.len, &p), NTLM_E_BAD_MAC);
	T_ASSERT(p.data == NULL);
	ntlm_buffer_free(&w);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);

	const unsigned dg = NTLM_PROTECT_SEAL | NTLM_PROTECT_EXPLICIT_SEQ;
	c = fake_ctx(0xe28a8275u, V_RANDOM_SESSION_KEY, 1, 1);
	s = fake_ctx(0xe28a8275u, V_RANDOM_SESSION_KEY, 0, 1);
	T_OK(ntlm_wrap(c, dg, 41, (const uint8_t *)"datagram", 8, &w));
	T_EXPECT_ERR(ntlm_unwrap(s, dg, 40, w.data, w.len, &p), NTLM_E_OUT_OF_SEQUENCE);
	T_OK(ntlm_unwrap(s, dg, 41, w.data, w.len, &p));
	T_ASSERT(p.len == 8 && memcmp(p.data, "datagram", 8) == 0);
	ntlm_buffer_free(&p);
	ntlm_buffer_free(&w);
	uint8_t hdr[4] = "hdr", body[5] = "body", tok[NTLM_SIGNATURE_SIZE];
	ntlm_iov iov[3] = {{NTLM_IOV_SIGN_ONLY, hdr, 4},
	                   {NTLM_IOV_DATA, body, 5},
	                   {NTLM_IOV_TOKEN, tok, NTLM_SIGNATURE_SIZE}};
	T_OK(ntlm_protect_iov(c, dg, 9, iov, 3));
	T_OK(ntlm_unprotect_iov(s, dg, 9, iov, 3));
	T_BYTES(body, "body", 5);
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);
}

static void test_not_ready_or_not_negotiated(void)
{
	uint8_t m[4] = "abc", sig[16];
	ntlm_ctx *c = ntlm_calloc(1, sizeof(*c));
	T_EXPECT_ERR(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, m, 4, sig), NTLM_E_WRONG_STATE);
	c->state = CTX_DONE;
	T_EXPECT_ERR(ntlm_protect(c, NTLM_PROTECT_SIGN, 0, m, 4, sig), NTLM_E_NO_SESSION_KEY);
	ntlm_ctx_free(c);
	ntlm_ctx *signonly = fake_ctx(0xe28a8215u /* SIGN, no SEAL */, V_RANDOM_SESSION_KEY, 1, 0);
	T_EXPECT_ERR(ntlm_protect(signonly, NTLM_PROTECT_SEAL, 0, m, 4, sig),
	             NTLM_E_SEAL_NOT_NEGOTIATED);
	T_OK(ntlm_protect(signonly, NTLM_PROTECT_SIGN, 0, m, 4, sig));
	ntlm_ctx_free(signonly);
	T_EXPECT_ERR(ntlm_protect(NULL, NTLM_PROTECT_SIGN, 0, m, 4, sig), NTLM_E_INVALID_PARAMETER);
}

int main(void)
{
	T_RUN(test_vector_ntlmv1);
	T_RUN(test_vector_ntlmv1_ess);
	T_RUN(test_vector_ntlmv2);
	T_RUN(test_derived_keys_match_vectors);
	T_RUN(test_round_trips_all_flag_sets);
	T_RUN(test_tampered_data_and_signature_refused);
	T_RUN(test_failed_verify_keeps_state);
	T_RUN(test_replayed_and_reordered_messages);
	T_RUN(test_wrap_unwrap);
	T_RUN(test_iov);
	T_RUN(test_datagram);
	T_RUN(test_bad_modes_refused);
	T_RUN(test_wrap_sign_only_and_datagram);
	T_RUN(test_not_ready_or_not_negotiated);
	T_RUN(test_sequence_never_wraps);
	T_RUN(test_receiver_never_wraps_to_a_replay);
	T_END();
}
