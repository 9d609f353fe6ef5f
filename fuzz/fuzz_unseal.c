/* Target functions: ntlm_unprotect, ntlm_unwrap, ntlm_unprotect_iov, each sign and seal, connection and datagram (and ntlm_protect on the peer) */
/*
 * Session security fed what the network peer can send, on an established
 * client/server pair (a real handshake with fixed time and randomness;
 * byte 0 picks the client's flags from fz_client_flags and datagram mode).
 *
 * Input: flagsel(1) | mode(1) | seq(4, datagram only) | sig(16) | data (the rest).
 * Modes 0-4 hand (sig, data) to one of the receiving functions as they
 * are. Mode 5 has the client seal data for real and flips one byte of
 * signature or ciphertext (position sig[0], xor sig[1]; xor 0 = untouched).
 *
 * Invariants: an untouched sealed message unseals to the plaintext; a
 * single changed byte is refused (except the RandomPad of a non-ESS
 * signature, which no one checks); a refused message leaves the receiver
 * in step with the sender (the next real message still unseals).
 */
#include "fuzz_common.h"

/* what (SIGN or SEAL) with the pair's sequence choice: datagram pairs number messages. */
static unsigned pmode(const struct fz_pair *p, unsigned what)
{
	return what | (p->datagram ? NTLM_PROTECT_EXPLICIT_SEQ : 0u);
}

static ntlm_err c_seal(struct fz_pair *p, uint32_t seq, uint8_t *d, size_t n,
                       uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	return ntlm_protect(p->client, pmode(p, NTLM_PROTECT_SEAL), seq, d, n, sig);
}

static ntlm_err s_unseal(struct fz_pair *p, uint32_t seq, uint8_t *d, size_t n,
                         const uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	return ntlm_unprotect(p->server, pmode(p, NTLM_PROTECT_SEAL), seq, d, n, sig);
}

/* The next real message must still get through: the receiver is in step. */
static void still_in_step(struct fz_pair *p, uint32_t seq, int sealing)
{
	uint8_t msg[5] = {'p', 'i', 'n', 'g', '!'}, sig[NTLM_SIGNATURE_SIZE];
	unsigned mode = pmode(p, NTLM_PROTECT_SIGN);
	if (sealing) {
		FZ_CHECK(c_seal(p, seq, msg, 5, sig) == NTLM_OK);
		FZ_CHECK(s_unseal(p, seq, msg, 5, sig) == NTLM_OK);
		FZ_CHECK(memcmp(msg, "ping!", 5) == 0);
	} else {
		FZ_CHECK(ntlm_protect(p->client, mode, seq, msg, 5, sig) == NTLM_OK);
		FZ_CHECK(ntlm_unprotect(p->server, mode, seq, msg, 5, sig) == NTLM_OK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 + 4 + 16)
		return 0;
	uint8_t fsel = data[0], mode = data[1] % 6;
	uint32_t seq = (uint32_t)data[2] | (uint32_t)data[3] << 8 | (uint32_t)data[4] << 16 |
	               (uint32_t)data[5] << 24;
	uint8_t sig[NTLM_SIGNATURE_SIZE];
	memcpy(sig, data + 6, NTLM_SIGNATURE_SIZE);
	size_t n = size - 22;
	uint8_t *buf = fz_dup(data + 22, n);

	struct fz_pair p;
	int level = fz_pair_open(&p, fsel), sealing = level == 2;
	int ess = (ntlm_ctx_flags(p.server) & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	if (!p.datagram)
		seq = 0;
	ntlm_err rc = NTLM_OK;
	switch (mode) {
	case 0:
		rc = s_unseal(&p, seq, buf, n, sig);
		if (!sealing)
			FZ_CHECK(rc == (level == 1 ? NTLM_E_SEAL_NOT_NEGOTIATED : NTLM_E_NO_SESSION_KEY));
		break;
	case 1:
		rc = ntlm_unprotect(p.server, pmode(&p, NTLM_PROTECT_SIGN), seq, buf, n, sig);
		break;
	case 2: {
		ntlm_buffer out = {NULL, 0};
		uint8_t *msg = fz_dup(data + 6, size - 6); /* sig || data */
		rc = ntlm_unwrap(p.server, pmode(&p, NTLM_PROTECT_SEAL), seq, msg, size - 6, &out);
		if (rc == NTLM_OK)
			FZ_CHECK(out.len == n);
		else
			FZ_CHECK(out.data == NULL);
		ntlm_buffer_free(&out);
		free(msg);
		break;
	}
	case 3:
	case 4: {
		/* data split in three: DATA, SIGN_ONLY, IGNORE, with the token last */
		size_t a = n / 3, b = n / 3;
		ntlm_iov iov[4] = {{NTLM_IOV_DATA, buf, a},
		                   {NTLM_IOV_SIGN_ONLY, buf + a, b},
		                   {NTLM_IOV_IGNORE, buf + a + b, n - a - b},
		                   {NTLM_IOV_TOKEN, sig, NTLM_SIGNATURE_SIZE}};
		unsigned what = mode == 3 ? NTLM_PROTECT_SEAL : NTLM_PROTECT_SIGN;
		rc = ntlm_unprotect_iov(p.server, pmode(&p, what), seq, iov, 4);
		break;
	}
	case 5: {
		if (!sealing)
			break;
		uint8_t *plain = fz_dup(buf, n), real[16];
		FZ_CHECK(c_seal(&p, seq, buf, n, real) == NTLM_OK);
		size_t pos = sig[0] % (16 + n);
		uint8_t x = sig[1];
		if (pos < 16)
			real[pos] ^= x;
		else
			buf[pos - 16] ^= x;
		rc = s_unseal(&p, seq, buf, n, real);
		if (x == 0) {
			FZ_CHECK(rc == NTLM_OK);
			FZ_CHECK(n == 0 || memcmp(buf, plain, n) == 0);
		} else if (ess || pos < 4 || pos >= 8) {
			FZ_CHECK(rc != NTLM_OK);
		}
		if (rc != NTLM_OK)
			FZ_CHECK(ntlm_ct_is_zero(buf, n)); /* never unauthenticated plaintext */
		seq++;
		free(plain);
		break;
	}
	}
	/* (a message the client sent and the server refused is lost for good in
	 * connection-oriented mode: the streams cannot meet again) */
	if (rc != NTLM_OK && level > 0 && (mode != 5 || p.datagram))
		still_in_step(&p, seq, sealing);
	fz_pair_close(&p);
	free(buf);
	return 0;
}
