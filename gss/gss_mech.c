/*
 * gss_mech.c - what the mechanism says about itself (status text, mech
 * attributes, SASL names) and the context and mechanism options gss-ntlmssp
 * defined (gssapi_ntlmssp.h), so its users need not change a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gss_ntlm.h"

#define OID(s)                                                                                     \
	{                                                                                              \
		sizeof(s) - 1, (void *)(s)                                                                 \
	}
/* gss-ntlmssp's extension arc 1.3.6.1.4.1.7165.655.1 (gssapi_ntlmssp.h) */
#define NTLMSSP_ARC "\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01"

static const gss_OID_desc set_seq_num_oid = OID(NTLMSSP_ARC "\x01");
static const gss_OID_desc spnego_req_mic_oid = OID(NTLMSSP_ARC "\x02");
static const gss_OID_desc reset_crypto_oid = OID(NTLMSSP_ARC "\x03");
static const gss_OID_desc debug_oid = OID(NTLMSSP_ARC "\x04");
/* GSS_C_INQ_SSPI_SESSION_KEY 1.2.840.113554.1.2.2.5.5 and the SASL SSF, ...5.15 */
static const gss_OID_desc session_key_oid = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x05");
static const gss_OID_desc sasl_ssf_oid = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x0f");

#define SASL_NAME "GS2-NTLM"

GN_EXPORT OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech,
                                       OM_uint32 *message_context, gss_buffer_t text)
{
	/* the glue words major statuses itself; ours are the library's errors */
	if (type != GSS_C_MECH_CODE)
		return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_BAD_STATUS);
	if (message_context)
		*message_context = 0;
	char s[256];
	snprintf(s, sizeof(s), "ntlmssp: %s (%s)", ntlm_strerror((ntlm_err)status),
	         ntlm_err_name((ntlm_err)status));
	return gn_buffer(minor, text, s, strlen(s));
}

/* RFC 5587 mechanism attributes, 1.3.6.1.5.5.13.n */
#define MA(n) OID("\x2b\x06\x01\x05\x05\x0d" n)
static const gss_OID_desc ma_concrete = MA("\x01");
static const gss_OID_desc ma_auth_init = MA("\x0a");
static const gss_OID_desc ma_auth_targ = MA("\x0b");
static const gss_OID_desc ma_auth_init_anon = MA("\x0e");
static const gss_OID_desc ma_integ = MA("\x11");
static const gss_OID_desc ma_conf = MA("\x12");
static const gss_OID_desc ma_mic = MA("\x13");
static const gss_OID_desc ma_wrap = MA("\x14");
static const gss_OID_desc ma_replay = MA("\x16");
static const gss_OID_desc ma_oos = MA("\x17");
static const gss_OID_desc ma_cbindings = MA("\x18");
static const gss_OID_desc ma_ctx_trans = MA("\x1b");

GN_EXPORT OM_uint32 gss_inquire_attrs_for_mech(OM_uint32 *minor, gss_const_OID mech,
                                               gss_OID_set *attrs, gss_OID_set *known)
{
	static const gss_OID_desc *const list[] = {
		&ma_concrete, &ma_auth_init, &ma_auth_targ, &ma_auth_init_anon,
		&ma_integ,    &ma_conf,      &ma_mic,       &ma_wrap,
		&ma_replay,   &ma_oos,       &ma_cbindings, &ma_ctx_trans};
	const size_t n = sizeof(list) / sizeof(list[0]);
	OM_uint32 major = gn_ok(minor);
	if (attrs)
		major = gn_oid_set(minor, attrs, list, n);
	if (major == GSS_S_COMPLETE && known)
		major = gn_oid_set(minor, known, list, n);
	return major;
}

GN_EXPORT OM_uint32 gss_inquire_saslname_for_mech(OM_uint32 *minor, const gss_OID mech,
                                                  gss_buffer_t sasl_name, gss_buffer_t mech_name,
                                                  gss_buffer_t description)
{
	static const char name[] = "NTLM", desc[] = "NTLM Mechanism (ntlmssp)";
	OM_uint32 major = gn_ok(minor);
	if (sasl_name)
		major = gn_buffer(minor, sasl_name, SASL_NAME, strlen(SASL_NAME));
	if (major == GSS_S_COMPLETE && mech_name)
		major = gn_buffer(minor, mech_name, name, strlen(name));
	if (major == GSS_S_COMPLETE && description)
		major = gn_buffer(minor, description, desc, strlen(desc));
	return major;
}

GN_EXPORT OM_uint32 gss_inquire_mech_for_saslname(OM_uint32 *minor, const gss_buffer_t sasl_name,
                                                  gss_OID *mech)
{
	if (!sasl_name || sasl_name->length != strlen(SASL_NAME) ||
	    memcmp(sasl_name->value, SASL_NAME, sasl_name->length) != 0)
		return gn_fail_as(minor, NTLM_E_NOT_FOUND, GSS_S_BAD_MECH);
	if (mech)
		*mech = (gss_OID)&gn_mech_oid;
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gssspi_mech_invoke(OM_uint32 *minor, const gss_OID mech, const gss_OID what,
                                       gss_buffer_t value)
{
	/* gss-ntlmssp's debug switch: accepted so its callers keep working; our
	   record of each logon is the audit log (docs/gssapi.md) */
	if (gn_oid_equal(what, &debug_oid))
		return gn_ok(minor);
	return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_UNAVAILABLE);
}

/* ---------------------------------------------------- context queries */

static OM_uint32 session_key(OM_uint32 *minor, const gn_ctx *g, gss_buffer_set_t *set)
{
	uint8_t key[NTLM_SESSION_KEY_SIZE];
	ntlm_err rc = ntlm_ctx_session_key(g->ntlm, key);
	if (rc != NTLM_OK)
		return gn_fail_as(minor, rc, GSS_S_UNAVAILABLE);
	OM_uint32 major = gn_buffer_set_add(minor, set, key, sizeof(key));
	memset(key, 0, sizeof(key));
	return major;
}

/* The SASL security strength: 64 for 128-bit RC4 (degraded), 56, 40; 1 signing only. */
static OM_uint32 sasl_ssf(OM_uint32 *minor, const gn_ctx *g, gss_buffer_set_t *set)
{
	uint32_t f = ntlm_ctx_flags(g->ntlm), ssf = 0;
	if (f & NTLMSSP_NEGOTIATE_SEAL)
		ssf = (f & NTLMSSP_NEGOTIATE_128) ? 64 : (f & NTLMSSP_NEGOTIATE_56) ? 56 : 40;
	else if (f & NTLMSSP_NEGOTIATE_SIGN)
		ssf = 1;
	uint8_t be[4] = {(uint8_t)(ssf >> 24), (uint8_t)(ssf >> 16), (uint8_t)(ssf >> 8), (uint8_t)ssf};
	return gn_buffer_set_add(minor, set, be, sizeof(be));
}

/*
 * SPNEGO asks before the AUTHENTICATE (it can send a mechListMIC) and after
 * it (did the AUTHENTICATE carry a MIC? then a mechListMIC must follow). We
 * send a MIC whenever the CHALLENGE has a timestamp, whether asked or not.
 */
static OM_uint32 spnego_req_mic(OM_uint32 *minor, gn_ctx *g, gss_buffer_set_t *set)
{
	uint8_t mic = g->open && ntlm_ctx_mic_verified(g->ntlm) ? 1 : 0;
	g->spnego_asked = 1;
	return gn_buffer_set_add(minor, set, &mic, 1);
}

GN_EXPORT OM_uint32 gss_inquire_sec_context_by_oid(OM_uint32 *minor, const gss_ctx_id_t context,
                                                   const gss_OID what, gss_buffer_set_t *set)
{
	gn_ctx *g = (gn_ctx *)context;
	if (!g || !what)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	if (!set)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	*set = GSS_C_NO_BUFFER_SET;
	if (gn_oid_equal(what, &spnego_req_mic_oid))
		return spnego_req_mic(minor, g, set);
	if (!g->open)
		return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_NO_CONTEXT);
	if (gn_oid_equal(what, &session_key_oid))
		return session_key(minor, g, set);
	if (gn_oid_equal(what, &sasl_ssf_oid))
		return sasl_ssf(minor, g, set);
	return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_UNAVAILABLE);
}

static int read_u32(const gss_buffer_t value, uint32_t *v)
{
	if (!value || value->length != sizeof(*v) || !value->value)
		return 0;
	memcpy(v, value->value, sizeof(*v)); /* host order, as gss-ntlmssp takes it */
	return 1;
}

GN_EXPORT OM_uint32 gss_set_sec_context_option(OM_uint32 *minor, gss_ctx_id_t *context,
                                               const gss_OID what, const gss_buffer_t value)
{
	if (!context || !*context || !what)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	gn_ctx *g = (gn_ctx *)*context;
	uint32_t v;
	if (gn_oid_equal(what, &set_seq_num_oid)) {
		/* only a connectionless context has a counter the caller keeps */
		if (!(g->flags & GN_DATAGRAM_FLAG) || !read_u32(value, &v))
			return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_FAILURE);
		g->dg_seq = v;
		return gn_ok(minor);
	}
	if (gn_oid_equal(what, &reset_crypto_oid)) {
		if (!read_u32(value, &v))
			return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_FAILURE);
		if (!g->open)
			return gn_fail_as(minor, NTLM_E_WRONG_STATE, GSS_S_NO_CONTEXT);
		/* 1: the stream that verifies; else the one that signs ([MS-SPNG] 3.3.5.1) */
		ntlm_err rc = ntlm_ctx_reset_rc4(g->ntlm, v == 1);
		if (rc == NTLM_E_NO_SESSION_KEY)
			return gn_ok(minor); /* nothing to reset */
		return rc == NTLM_OK ? gn_ok(minor) : gn_fail(minor, rc);
	}
	return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_UNAVAILABLE);
}
