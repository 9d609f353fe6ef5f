/*
 * signseal.c - session security of [MS-NLMP] 3.4: MAC (3.4.4.1 without and
 * 3.4.4.2 with extended session security), SEAL (3.4.3), connection-oriented
 * sequence numbers and connectionless per-message keys, in three shapes:
 * plain (sign/seal), GSS_Wrap (signature || data) and SSPI buffer lists.
 *
 * Every function works on a list of segments (ntlm_iov): the signature covers
 * DATA and SIGN_ONLY segments in order; only DATA segments are encrypted.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "context.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "try.h"

#define SIG_VERSION 1u

static void dir_wipe(ss_dir *d)
{
	cr_rc4_wipe(&d->rc4);
	ntlm_memzero(d, sizeof(*d));
}

void ss_wipe(ss_state *ss)
{
	dir_wipe(&ss->out);
	dir_wipe(&ss->in);
	ntlm_memzero(ss, sizeof(*ss));
}

/* Keys of one direction: client_to_server picks the magic constants. */
static void dir_init(ss_dir *d, uint32_t flags, const uint8_t exported[16], int client_to_server)
{
	size_t len;
	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
		uint8_t sign_key[16];
		nk_sign_key(exported, client_to_server, sign_key);
		/* the HMAC key schedule once here, not once per message */
		cr_hmac_md5_key_init(&d->sign, sign_key, sizeof(sign_key));
		ntlm_memzero(sign_key, sizeof(sign_key));
	}
	nk_seal_key(flags, exported, client_to_server, d->seal_key, &len);
	d->seal_key_len = (uint8_t)len;
	cr_rc4_init(&d->rc4, d->seal_key, len);
}

ntlm_err ss_init(ss_state *ss, uint32_t flags, const uint8_t exported[16], int is_client,
                 int datagram)
{
	ss_wipe(ss);
	ss->flags = flags;
	ss->datagram = datagram;
	dir_init(&ss->out, flags, exported, is_client);
	/* Without ESS: one key, one RC4 stream for both directions (half duplex). */
	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)
		dir_init(&ss->in, flags, exported, !is_client);
	ss->active = 1;
	return NTLM_OK;
}

static int ess(const ss_state *ss)
{
	return (ss->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
}

/* Connectionless mode: a fresh RC4 state from MD5(SealingKey || SeqNum) per message (3.4). */
static void datagram_rekey(ss_dir *d, uint32_t seq)
{
	uint8_t buf[20], key[16];
	memcpy(buf, d->seal_key, d->seal_key_len);
	nb_store_u32le(buf + d->seal_key_len, seq);
	cr_md5_digest(buf, d->seal_key_len + 4, key);
	cr_rc4_init(&d->rc4, key, 16);
	ntlm_memzero(buf, sizeof(buf));
	ntlm_memzero(key, sizeof(key));
}

static int signs(ntlm_iov_type t)
{
	return t == NTLM_IOV_DATA || t == NTLM_IOV_SIGN_ONLY;
}

/* Phase 1 of MAC: the raw checksum over the signed segments (plaintext). */
static void mac_checksum(const ss_state *ss, const ss_dir *d, uint32_t seq, const ntlm_iov *iov,
                         size_t n, uint8_t checksum[8])
{
	if (ess(ss)) {
		uint8_t seqb[4], digest[16];
		cr_md5 h;
		nb_store_u32le(seqb, seq);
		cr_hmac_md5_start(&h, &d->sign);
		cr_md5_update(&h, seqb, 4);
		for (size_t i = 0; i < n; i++)
			if (signs(iov[i].type))
				cr_md5_update(&h, iov[i].data, iov[i].len);
		cr_hmac_md5_finish(&h, &d->sign, digest);
		memcpy(checksum, digest, 8);
		ntlm_memzero(digest, sizeof(digest));
	} else {
		uint32_t crc = 0;
		for (size_t i = 0; i < n; i++)
			if (signs(iov[i].type))
				crc = cr_crc32(crc, iov[i].data, iov[i].len);
		nb_store_u32le(checksum, crc);
		memset(checksum + 4, 0, 4);
	}
}

/* Phase 2 of MAC: assemble NTLMSSP_MESSAGE_SIGNATURE, using keystream after the data's. */
static void mac_finish(const ss_state *ss, ss_dir *d, uint32_t seq, const uint8_t checksum[8],
                       uint8_t sig[16])
{
	nb_store_u32le(sig, SIG_VERSION);
	if (ess(ss)) {
		if (ss->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
			cr_rc4_crypt(&d->rc4, sig + 4, checksum, 8);
		else
			memcpy(sig + 4, checksum, 8);
		nb_store_u32le(sig + 12, seq);
	} else {
		/* RandomPad (0), Checksum (CRC32), SeqNum (0) through RC4; then XOR the counter. */
		uint8_t fields[12] = {0};
		memcpy(fields + 4, checksum, 4);
		cr_rc4_crypt(&d->rc4, sig + 4, fields, 12);
		nb_store_u32le(sig + 12, nb_load_u32le(sig + 12) ^ seq);
	}
}

typedef enum { OP_SIGN, OP_SEAL, OP_VERIFY, OP_UNSEAL } ss_op;

ntlm_err ctx_session(ntlm_ctx *ctx, ss_state **out)
{
	*out = NULL;
	if (ctx->state == CTX_FAILED)
		return NTLM_E_FAILED_CONTEXT;
	if (ctx->state != CTX_DONE)
		return NTLM_E_WRONG_STATE;
	if (!ctx->ss) {
		if (!ctx->have_key || !(ctx->flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)))
			return NTLM_E_NO_SESSION_KEY;
		ss_state *ss = ntlm_calloc(1, sizeof(*ss));
		if (!ss)
			return NTLM_E_NO_MEMORY;
		ntlm_err rc = ss_init(ss, ctx->flags, ctx->exported_key, !ctx->is_server, ctx->datagram);
		if (rc != NTLM_OK) {
			ntlm_free_secret(ss, sizeof(*ss));
			return rc;
		}
		ctx->ss = ss;
	}
	*out = ctx->ss;
	return NTLM_OK;
}

void ctx_session_free(ntlm_ctx *ctx)
{
	if (!ctx->ss)
		return;
	ss_wipe(ctx->ss);
	ntlm_free_secret(ctx->ss, sizeof(*ctx->ss));
	ctx->ss = NULL;
}

static ntlm_err check_ready(ntlm_ctx *ctx, ss_op op, ss_state **ss)
{
	NTLM_TRY(ctx_session(ctx, ss));
	if ((op == OP_SEAL || op == OP_UNSEAL) && !((*ss)->flags & NTLMSSP_NEGOTIATE_SEAL))
		return NTLM_E_SEAL_NOT_NEGOTIATED;
	return NTLM_OK;
}

static ntlm_err find_token(ntlm_iov *iov, size_t n, ntlm_iov **token)
{
	*token = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!iov[i].data && iov[i].len)
			return NTLM_E_INVALID_PARAMETER;
		if (iov[i].type == NTLM_IOV_TOKEN) {
			if (*token)
				return NTLM_E_INVALID_PARAMETER;
			*token = &iov[i];
		} else if (iov[i].type != NTLM_IOV_DATA && iov[i].type != NTLM_IOV_SIGN_ONLY &&
		           iov[i].type != NTLM_IOV_IGNORE) {
			return NTLM_E_INVALID_PARAMETER;
		}
	}
	if (!*token || (*token)->len < NTLM_SIGNATURE_SIZE || !(*token)->data)
		return NTLM_E_INVALID_PARAMETER;
	return NTLM_OK;
}

static void crypt_data(ss_dir *d, ntlm_iov *iov, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (iov[i].type == NTLM_IOV_DATA && iov[i].len)
			cr_rc4_crypt(&d->rc4, iov[i].data, iov[i].data, iov[i].len);
}

/* Constant-time comparison of a received signature with the expected one. */
static ntlm_err compare_signature(const ss_state *ss, const uint8_t want[16], const uint8_t got[16],
                                  uint32_t seq)
{
	if (ess(ss)) {
		if (nb_load_u32le(got + 12) != seq)
			return NTLM_E_OUT_OF_SEQUENCE;
		return ntlm_ct_equal(want, got, 16) ? NTLM_OK : NTLM_E_BAD_MAC;
	}
	/* Without ESS the RandomPad is the sender's choice: check version, checksum, counter. */
	int ok = ntlm_ct_equal(want, got, 4) & ntlm_ct_equal(want + 8, got + 8, 8);
	return ok ? NTLM_OK : NTLM_E_BAD_MAC;
}

/*
 * The operation and the sequence choice a mode names (explicit_seq < 0: the
 * context's own counter); any other mode is refused, and so is a seq the
 * mode says nothing about (the caller believed it would be used).
 */
static ntlm_err parse_mode(unsigned mode, uint32_t seq, int sending, ss_op *op,
                           int64_t *explicit_seq)
{
	unsigned what = mode & ~NTLM_PROTECT_EXPLICIT_SEQ;
	if (what != NTLM_PROTECT_SIGN && what != NTLM_PROTECT_SEAL)
		return NTLM_E_INVALID_PARAMETER;
	if (!(mode & NTLM_PROTECT_EXPLICIT_SEQ) && seq != 0)
		return NTLM_E_INVALID_PARAMETER;
	int seal = what == NTLM_PROTECT_SEAL;
	if (sending)
		*op = seal ? OP_SEAL : OP_SIGN;
	else
		*op = seal ? OP_UNSEAL : OP_VERIFY;
	*explicit_seq = (mode & NTLM_PROTECT_EXPLICIT_SEQ) ? (int64_t)seq : -1;
	return NTLM_OK;
}

/*
 * The one engine behind every public protect/unprotect function.
 * A failed verification leaves the context as it was (RC4 state restored,
 * counter not advanced), so one forged message cannot desynchronise it.
 */
static ntlm_err ss_run(ntlm_ctx *ctx, int sending, unsigned mode, uint32_t mode_seq, ntlm_iov *iov,
                       size_t n)
{
	if (!ctx || (!iov && n))
		return NTLM_E_INVALID_PARAMETER;
	ss_op op;
	int64_t explicit_seq;
	NTLM_TRY(parse_mode(mode, mode_seq, sending, &op, &explicit_seq));
	ss_state *ss;
	NTLM_TRY(check_ready(ctx, op, &ss));
	ntlm_iov *token;
	NTLM_TRY(find_token(iov, n, &token));
	ss_dir *d = (sending || !ess(ss)) ? &ss->out : &ss->in;
	if (ss->datagram != (explicit_seq >= 0))
		return NTLM_E_INVALID_PARAMETER; /* datagram mode: the caller numbers messages */
	uint32_t seq = explicit_seq >= 0 ? (uint32_t)explicit_seq : d->seq;
	if (explicit_seq < 0 && seq == UINT32_MAX) {
		/* The counter stops short of wrapping: after UINT32_MAX it would repeat 0,
		 * a number already used (a replay that verifies). The context ends here. */
		ctx_fail(ctx, NTLM_E_SEQUENCE_EXHAUSTED);
		return NTLM_E_SEQUENCE_EXHAUSTED;
	}
	/* Sending cannot fail from here on: only a receiver needs the RC4 state to restore. */
	cr_rc4 saved;
	if (!sending)
		saved = d->rc4;
	if (ss->datagram)
		datagram_rekey(d, seq);

	uint8_t checksum[8], sig[16];
	if (op == OP_UNSEAL)
		crypt_data(d, iov, n);
	mac_checksum(ss, d, seq, iov, n, checksum);
	if (op == OP_SEAL)
		crypt_data(d, iov, n);
	mac_finish(ss, d, seq, checksum, sig);

	ntlm_err rc = NTLM_OK;
	if (sending)
		memcpy(token->data, sig, 16);
	else
		rc = compare_signature(ss, sig, token->data, seq);
	if (rc != NTLM_OK) {
		if (op == OP_UNSEAL) {
			/* Restore the ciphertext? No: never hand out unauthenticated plaintext. */
			for (size_t i = 0; i < n; i++)
				if (iov[i].type == NTLM_IOV_DATA)
					ntlm_memzero(iov[i].data, iov[i].len);
		}
		d->rc4 = saved;
	} else if (explicit_seq < 0) {
		d->seq++;
	}
	if (!sending)
		cr_rc4_wipe(&saved);
	ntlm_memzero(checksum, sizeof(checksum));
	ntlm_memzero(sig, sizeof(sig));
	return rc;
}

/* ------------------------------------------------------- public shapes */

/* Flat shape: the data as one segment (DATA or SIGN_ONLY by mode), the signature apart. */
static ntlm_err run_flat(ntlm_ctx *ctx, int sending, unsigned mode, uint32_t seq, uint8_t *data,
                         size_t len, uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	if ((!data && len) || !sig)
		return NTLM_E_INVALID_PARAMETER;
	ntlm_iov_type type = (mode & NTLM_PROTECT_SEAL) ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY;
	ntlm_iov iov[2] = {{type, data, len}, {NTLM_IOV_TOKEN, sig, NTLM_SIGNATURE_SIZE}};
	return ss_run(ctx, sending, mode, seq, iov, 2);
}

NTLM_API ntlm_err ntlm_protect(ntlm_ctx *ctx, unsigned mode, uint32_t seq, uint8_t *data,
                               size_t len, uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	return run_flat(ctx, 1, mode, seq, data, len, sig);
}

NTLM_API ntlm_err ntlm_unprotect(ntlm_ctx *ctx, unsigned mode, uint32_t seq, uint8_t *data,
                                 size_t len, const uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	uint8_t copy[NTLM_SIGNATURE_SIZE]; /* a receiver only reads the token */
	if (!sig)
		return NTLM_E_INVALID_PARAMETER;
	memcpy(copy, sig, NTLM_SIGNATURE_SIZE);
	return run_flat(ctx, 0, mode, seq, data, len, copy);
}

NTLM_API ntlm_err ntlm_wrap(ntlm_ctx *ctx, unsigned mode, uint32_t seq, const uint8_t *in,
                            size_t len, ntlm_buffer *out)
{
	if (!out || (!in && len) || len > SIZE_MAX - NTLM_SIGNATURE_SIZE)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	uint8_t *buf = malloc(len + NTLM_SIGNATURE_SIZE);
	if (!buf)
		return NTLM_E_NO_MEMORY;
	if (len)
		memcpy(buf + NTLM_SIGNATURE_SIZE, in, len);
	ntlm_err rc = run_flat(ctx, 1, mode, seq, buf + NTLM_SIGNATURE_SIZE, len, buf);
	if (rc != NTLM_OK) {
		ntlm_free_secret(buf, len + NTLM_SIGNATURE_SIZE);
		return rc;
	}
	out->data = buf;
	out->len = len + NTLM_SIGNATURE_SIZE;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_unwrap(ntlm_ctx *ctx, unsigned mode, uint32_t seq, const uint8_t *in,
                              size_t len, ntlm_buffer *out)
{
	if (!out || !in)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	if (len < NTLM_SIGNATURE_SIZE)
		return NTLM_E_TRUNCATED;
	size_t n = len - NTLM_SIGNATURE_SIZE;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return NTLM_E_NO_MEMORY;
	if (n)
		memcpy(buf, in + NTLM_SIGNATURE_SIZE, n);
	ntlm_err rc = ntlm_unprotect(ctx, mode, seq, buf, n, in);
	if (rc != NTLM_OK) {
		ntlm_free_secret(buf, n ? n : 1);
		return rc;
	}
	out->data = buf;
	out->len = n;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_protect_iov(ntlm_ctx *ctx, unsigned mode, uint32_t seq, ntlm_iov *iov,
                                   size_t n)
{
	return ss_run(ctx, 1, mode, seq, iov, n);
}

NTLM_API ntlm_err ntlm_unprotect_iov(ntlm_ctx *ctx, unsigned mode, uint32_t seq, ntlm_iov *iov,
                                     size_t n)
{
	return ss_run(ctx, 0, mode, seq, iov, n);
}
