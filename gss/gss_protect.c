/*
 * gss_protect.c - per-message protection: gss_wrap / gss_unwrap,
 * gss_get_mic / gss_verify_mic, their IOV forms and the size queries.
 * gn_protect() is the one place that calls the library's sign/seal API.
 *
 * Tokens are what Windows' SSPI and gss-ntlmssp produce: a MIC token is the
 * 16-byte NTLMSSP_MESSAGE_SIGNATURE; a wrap token is the signature followed
 * by the data, sealed when sealing was negotiated (then always, as SSPI
 * does: its peers unseal whatever they get), else in clear.
 */
#include <stdlib.h>
#include <string.h>

#include "gss_ntlm.h"
#include "mem.h"

#define SIG NTLM_SIGNATURE_SIZE

ntlm_err gn_protect(gn_ctx *g, gn_op op, ntlm_iov *iov, size_t n)
{
	unsigned mode = (op == GN_SEAL || op == GN_UNSEAL) ? NTLM_PROTECT_SEAL : NTLM_PROTECT_SIGN;
	uint32_t seq = 0;
	if (g->flags & GN_DATAGRAM_FLAG) { /* the caller sets the counter (SET_SEQ_NUM) */
		mode |= NTLM_PROTECT_EXPLICIT_SEQ;
		seq = g->dg_seq;
	}
	if (op == GN_SIGN || op == GN_SEAL)
		return ntlm_protect_iov(g->ntlm, mode, seq, iov, n);
	return ntlm_unprotect_iov(g->ntlm, mode, seq, iov, n);
}

int gn_seals(const gn_ctx *g)
{
	return (ntlm_ctx_flags(g->ntlm) & NTLMSSP_NEGOTIATE_SEAL) != 0;
}

static OM_uint32 ready(OM_uint32 *minor, const gn_ctx *g, gss_qop_t qop)
{
	if (!g)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_NO_CONTEXT);
	if (!g->open)
		return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_NO_CONTEXT);
	if (qop != GSS_C_QOP_DEFAULT)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_BAD_QOP);
	if (!gn_ctx_lifetime(g))
		return gn_fail_as(minor, NTLM_OK, GSS_S_CONTEXT_EXPIRED);
	return GSS_S_COMPLETE;
}

static const uint8_t *data_of(const gss_buffer_t b)
{
	return b && b->value ? b->value : (const uint8_t *)"";
}

static size_t len_of(const gss_buffer_t b)
{
	return b && b->value ? b->length : 0;
}

GN_EXPORT OM_uint32 gss_get_mic(OM_uint32 *minor, gss_ctx_id_t context, gss_qop_t qop,
                                gss_buffer_t msg, gss_buffer_t token)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	uint8_t sig[SIG];
	ntlm_iov iov[2] = {{NTLM_IOV_SIGN_ONLY, (uint8_t *)data_of(msg), len_of(msg)},
	                   {NTLM_IOV_TOKEN, sig, SIG}};
	ntlm_err rc = gn_protect(g, GN_SIGN, iov, 2);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	return gn_buffer(minor, token, sig, SIG);
}

static OM_uint32 verify_mic_(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t msg,
                             gss_buffer_t token, gss_qop_t *qop_state)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, GSS_C_QOP_DEFAULT);
	if (major != GSS_S_COMPLETE)
		return major;
	if (qop_state)
		*qop_state = GSS_C_QOP_DEFAULT;
	if (len_of(token) != SIG)
		return gn_fail_as(minor, NTLM_E_TRUNCATED, GSS_S_DEFECTIVE_TOKEN);
	uint8_t sig[SIG];
	memcpy(sig, token->value, SIG);
	ntlm_iov iov[2] = {{NTLM_IOV_SIGN_ONLY, (uint8_t *)data_of(msg), len_of(msg)},
	                   {NTLM_IOV_TOKEN, sig, SIG}};
	ntlm_err rc = gn_protect(g, GN_VERIFY, iov, 2);
	return rc == NTLM_OK ? gn_ok(minor) : gn_fail(minor, rc);
}

GN_EXPORT OM_uint32 gss_verify_mic(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t msg,
                                   gss_buffer_t token, gss_qop_t *qop_state)
{
	return gn_trace(__func__, verify_mic_(minor, context, msg, token, qop_state), minor, 1);
}

GN_EXPORT OM_uint32 gss_wrap(OM_uint32 *minor, gss_ctx_id_t context, int conf_req, gss_qop_t qop,
                             gss_buffer_t in, int *conf_state, gss_buffer_t out)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	if (!out)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	size_t n = len_of(in);
	uint8_t *buf = malloc(SIG + n);
	if (!buf)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	memcpy(buf + SIG, data_of(in), n);
	int seal = gn_seals(g);
	ntlm_iov iov[2] = {{NTLM_IOV_TOKEN, buf, SIG},
	                   {seal ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY, buf + SIG, n}};
	ntlm_err rc = gn_protect(g, seal ? GN_SEAL : GN_SIGN, iov, 2);
	if (rc != NTLM_OK) {
		ntlm_free_secret(buf, SIG + n);
		return gn_fail(minor, rc);
	}
	out->value = buf;
	out->length = SIG + n;
	if (conf_state)
		*conf_state = seal;
	return gn_ok(minor);
}

static OM_uint32 unwrap_(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t in, gss_buffer_t out,
                         int *conf_state, gss_qop_t *qop_state)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, GSS_C_QOP_DEFAULT);
	if (major != GSS_S_COMPLETE)
		return major;
	if (!out)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	if (len_of(in) < SIG)
		return gn_fail_as(minor, NTLM_E_TRUNCATED, GSS_S_DEFECTIVE_TOKEN);
	size_t n = in->length - SIG;
	uint8_t sig[SIG], *buf = malloc(n ? n : 1);
	if (!buf)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	memcpy(sig, in->value, SIG);
	memcpy(buf, (const uint8_t *)in->value + SIG, n);
	int seal = gn_seals(g);
	ntlm_iov iov[2] = {{NTLM_IOV_TOKEN, sig, SIG},
	                   {seal ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY, buf, n}};
	ntlm_err rc = gn_protect(g, seal ? GN_UNSEAL : GN_VERIFY, iov, 2);
	if (rc != NTLM_OK) {
		ntlm_free_secret(buf, n);
		return gn_fail(minor, rc);
	}
	out->value = buf;
	out->length = n;
	if (conf_state)
		*conf_state = seal;
	if (qop_state)
		*qop_state = GSS_C_QOP_DEFAULT;
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_unwrap(OM_uint32 *minor, gss_ctx_id_t context, gss_buffer_t in,
                               gss_buffer_t out, int *conf_state, gss_qop_t *qop_state)
{
	return gn_trace(__func__, unwrap_(minor, context, in, out, conf_state, qop_state), minor, 1);
}

GN_EXPORT OM_uint32 gss_wrap_size_limit(OM_uint32 *minor, gss_ctx_id_t context, int conf_req,
                                        gss_qop_t qop, OM_uint32 req_output, OM_uint32 *max_input)
{
	OM_uint32 major = ready(minor, (const gn_ctx *)context, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	if (max_input)
		*max_input = req_output > SIG ? req_output - SIG : 0;
	return gn_ok(minor);
}

/* ------------------------------------------------------------- IOV forms */

/*
 * GSS IOV buffers as the library's segments: DATA is sealed (or only signed
 * when sealing is off or not asked for), SIGN_ONLY signed, HEADER (wrap) or
 * MIC_TOKEN (get_mic) holds the signature; PADDING, TRAILER and EMPTY must
 * be empty (NTLM needs none) and are left out; any other type is refused.
 */
#define MAX_IOV 64

static ntlm_err to_segments(gss_iov_buffer_desc *iov, int count, OM_uint32 sig_type, int seal,
                            ntlm_iov *seg, size_t *n)
{
	*n = 0;
	int sigs = 0;
	if (count < 0 || count > MAX_IOV)
		return NTLM_E_INVALID_PARAMETER;
	for (int i = 0; i < count; i++) {
		OM_uint32 t = GSS_IOV_BUFFER_TYPE(iov[i].type);
		gss_buffer_t b = &iov[i].buffer;
		if (b->length && !b->value)
			return NTLM_E_INVALID_PARAMETER;
		if (t == GSS_IOV_BUFFER_TYPE_DATA)
			seg[*n] = (ntlm_iov){seal ? NTLM_IOV_DATA : NTLM_IOV_SIGN_ONLY, b->value, b->length};
		else if (t == GSS_IOV_BUFFER_TYPE_SIGN_ONLY)
			seg[*n] = (ntlm_iov){NTLM_IOV_SIGN_ONLY, b->value, b->length};
		else if (t == sig_type && b->length == SIG && !sigs++)
			seg[*n] = (ntlm_iov){NTLM_IOV_TOKEN, b->value, b->length};
		else if ((t == GSS_IOV_BUFFER_TYPE_PADDING || t == GSS_IOV_BUFFER_TYPE_TRAILER ||
		          t == GSS_IOV_BUFFER_TYPE_EMPTY) &&
		         b->length == 0)
			continue;
		else
			return NTLM_E_INVALID_PARAMETER;
		(*n)++;
	}
	return sigs == 1 ? NTLM_OK : NTLM_E_INVALID_PARAMETER;
}

/* A signature buffer asked to be allocated (GSS_IOV_BUFFER_FLAG_ALLOCATE) gets 16 bytes. */
static ntlm_err allocate_sig(gss_iov_buffer_desc *iov, int count, OM_uint32 sig_type)
{
	for (int i = 0; i < count; i++) {
		if (GSS_IOV_BUFFER_TYPE(iov[i].type) != sig_type ||
		    !(iov[i].type & GSS_IOV_BUFFER_FLAG_ALLOCATE))
			continue;
		iov[i].buffer.value = calloc(1, SIG);
		if (!iov[i].buffer.value)
			return NTLM_E_NO_MEMORY;
		iov[i].buffer.length = SIG;
		iov[i].type |= GSS_IOV_BUFFER_FLAG_ALLOCATED;
	}
	return NTLM_OK;
}

static OM_uint32 run_iov(OM_uint32 *minor, gn_ctx *g, gn_op op, OM_uint32 sig_type, int seal,
                         gss_iov_buffer_desc *iov, int count)
{
	ntlm_iov seg[MAX_IOV];
	size_t n;
	ntlm_err rc = to_segments(iov, count, sig_type, seal, seg, &n);
	if (rc == NTLM_OK)
		rc = gn_protect(g, op, seg, n);
	if (rc == NTLM_E_INVALID_PARAMETER)
		return gn_fail_as(minor, rc, GSS_S_FAILURE);
	return rc == NTLM_OK ? gn_ok(minor) : gn_fail(minor, rc);
}

GN_EXPORT OM_uint32 gss_wrap_iov(OM_uint32 *minor, gss_ctx_id_t context, int conf_req,
                                 gss_qop_t qop, int *conf_state, gss_iov_buffer_desc *iov,
                                 int count)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	int seal = conf_req && gn_seals(g);
	ntlm_err rc = allocate_sig(iov, count, GSS_IOV_BUFFER_TYPE_HEADER);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	major = run_iov(minor, g, seal ? GN_SEAL : GN_SIGN, GSS_IOV_BUFFER_TYPE_HEADER, seal, iov,
	                count);
	if (major == GSS_S_COMPLETE && conf_state)
		*conf_state = seal;
	return major;
}

GN_EXPORT OM_uint32 gss_unwrap_iov(OM_uint32 *minor, gss_ctx_id_t context, int *conf_state,
                                   gss_qop_t *qop_state, gss_iov_buffer_desc *iov, int count)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, GSS_C_QOP_DEFAULT);
	if (major != GSS_S_COMPLETE)
		return major;
	/* the token does not say whether it was sealed: sealing negotiated means sealed */
	int seal = gn_seals(g);
	major = run_iov(minor, g, seal ? GN_UNSEAL : GN_VERIFY, GSS_IOV_BUFFER_TYPE_HEADER, seal, iov,
	                count);
	if (major == GSS_S_COMPLETE && conf_state)
		*conf_state = seal;
	if (major == GSS_S_COMPLETE && qop_state)
		*qop_state = GSS_C_QOP_DEFAULT;
	return major;
}

/* The signature buffer's length (16); padding and trailer need nothing. */
static OM_uint32 iov_length(OM_uint32 *minor, gss_iov_buffer_desc *iov, int count,
                            OM_uint32 sig_type)
{
	for (int i = 0; i < count; i++) {
		OM_uint32 t = GSS_IOV_BUFFER_TYPE(iov[i].type);
		if (t == sig_type)
			iov[i].buffer.length = SIG;
		else if (t == GSS_IOV_BUFFER_TYPE_PADDING || t == GSS_IOV_BUFFER_TYPE_TRAILER)
			iov[i].buffer.length = 0;
	}
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_wrap_iov_length(OM_uint32 *minor, gss_ctx_id_t context, int conf_req,
                                        gss_qop_t qop, int *conf_state, gss_iov_buffer_desc *iov,
                                        int count)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	if (conf_state)
		*conf_state = conf_req && gn_seals(g);
	return iov_length(minor, iov, count, GSS_IOV_BUFFER_TYPE_HEADER);
}

GN_EXPORT OM_uint32 gss_get_mic_iov(OM_uint32 *minor, gss_ctx_id_t context, gss_qop_t qop,
                                    gss_iov_buffer_desc *iov, int count)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	ntlm_err rc = allocate_sig(iov, count, GSS_IOV_BUFFER_TYPE_MIC_TOKEN);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	return run_iov(minor, g, GN_SIGN, GSS_IOV_BUFFER_TYPE_MIC_TOKEN, 0, iov, count);
}

GN_EXPORT OM_uint32 gss_verify_mic_iov(OM_uint32 *minor, gss_ctx_id_t context, gss_qop_t *qop_state,
                                       gss_iov_buffer_desc *iov, int count)
{
	gn_ctx *g = (gn_ctx *)context;
	OM_uint32 major = ready(minor, g, GSS_C_QOP_DEFAULT);
	if (major != GSS_S_COMPLETE)
		return major;
	if (qop_state)
		*qop_state = GSS_C_QOP_DEFAULT;
	return run_iov(minor, g, GN_VERIFY, GSS_IOV_BUFFER_TYPE_MIC_TOKEN, 0, iov, count);
}

GN_EXPORT OM_uint32 gss_get_mic_iov_length(OM_uint32 *minor, gss_ctx_id_t context, gss_qop_t qop,
                                           gss_iov_buffer_desc *iov, int count)
{
	OM_uint32 major = ready(minor, (const gn_ctx *)context, qop);
	if (major != GSS_S_COMPLETE)
		return major;
	return iov_length(minor, iov, count, GSS_IOV_BUFFER_TYPE_MIC_TOKEN);
}
