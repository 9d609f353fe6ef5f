/*
 * spnego.h - the SPNEGO tokens ntlm_auth's gss-spnego modes exchange
 * (RFC 4178, [MS-SPNG]): a DER codec for exactly what SPNEGO needs, on the
 * bounded reader (lib/base/buf.h), and nothing of ASN.1 beyond it.
 *
 *   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *       thisMech OID (1.3.6.1.5.5.2), innerToken [0] NegTokenInit }   (RFC 2743 3.1)
 *   NegTokenInit ::= SEQUENCE { mechTypes [0] SEQUENCE OF OID,
 *       reqFlags [1] BIT STRING OPTIONAL, mechToken [2] OCTET STRING OPTIONAL,
 *       mechListMIC [3] OCTET STRING OPTIONAL }
 *     (Microsoft's NegTokenInit2 has negHints [3] SEQUENCE and mechListMIC [4])
 *   NegTokenResp ::= [1] SEQUENCE { negState [0] ENUMERATED OPTIONAL,
 *       supportedMech [1] OID OPTIONAL, responseToken [2] OCTET STRING OPTIONAL,
 *       mechListMIC [3] OCTET STRING OPTIONAL }
 *
 * Decoded tokens borrow the input's memory. The decoder is strict about
 * structure (every length inside its parent, context tags in increasing
 * order and each once, nothing after the token, indefinite lengths and
 * high tag numbers refused, nesting bounded by the grammar) and tolerant
 * of the merely unusual (non-minimal lengths, unknown mechanisms, reqFlags).
 */
#ifndef NTLM_AUTH_SPNEGO_H
#define NTLM_AUTH_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

enum { SPNEGO_INIT = 1, SPNEGO_RESP = 2 };

/* negState (RFC 4178 4.2.2) */
enum {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
	SPNEGO_NO_STATE = -1 /* absent */
};

typedef struct spnego_view {
	const uint8_t *data; /* NULL when absent */
	size_t len;
} spnego_view;

typedef struct spnego_token {
	int kind; /* SPNEGO_INIT or SPNEGO_RESP */
	/* NegTokenInit */
	spnego_view mech_types; /* the MechTypeList as encoded (SEQUENCE tag and length
	                           included): what the mechListMIC covers */
	int ntlm_offered;       /* NTLMSSP's OID is among mechTypes */
	int ntlm_first;         /* ... and is the initiator's first choice */
	size_t n_mechs;
	/* NegTokenResp */
	int neg_state;      /* SPNEGO_NO_STATE when absent */
	int supported_mech; /* 0 absent, 1 NTLMSSP, 2 another mechanism */
	/* both */
	spnego_view mech_token; /* mechToken / responseToken */
	spnego_view mic;        /* mechListMIC */
} spnego_token;

/*
 * Decodes an InitialContextToken carrying a NegTokenInit (or NegTokenInit2),
 * or a NegTokenResp. NTLM_E_BAD_SIGNATURE_HEADER: not SPNEGO at all;
 * NTLM_E_TRUNCATED / NTLM_E_FIELD_RANGE / NTLM_E_BAD_MESSAGE_TYPE: malformed.
 */
NTLM_MUST_CHECK ntlm_err spnego_decode(const uint8_t *data, size_t len, spnego_token *t);

/* Our MechTypeList: NTLMSSP alone (its DER, which the mechListMIC covers). */
const uint8_t *spnego_ntlm_mech_types(size_t *len);

/* InitialContextToken with a NegTokenInit offering NTLMSSP; mech_token may be NULL. */
NTLM_MUST_CHECK ntlm_err spnego_encode_init(const uint8_t *mech_token, size_t len,
                                            ntlm_buffer *out);
/*
 * NegTokenResp. neg_state SPNEGO_NO_STATE leaves it out; with_mech adds
 * supportedMech NTLMSSP; token and mic may be NULL (left out).
 */
NTLM_MUST_CHECK ntlm_err spnego_encode_resp(int neg_state, int with_mech, const uint8_t *token,
                                            size_t token_len, const uint8_t *mic, size_t mic_len,
                                            ntlm_buffer *out);

#endif
