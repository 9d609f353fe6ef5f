/* gss_util.c - the module's OIDs, GSS result helpers and the error mapping. */
#include <stdlib.h>
#include <string.h>

#include "gss_ntlm.h"

#define OID(s)                                                                                     \
	{                                                                                              \
		sizeof(s) - 1, (void *)(s)                                                                 \
	}

const gss_OID_desc gn_mech_oid = OID("\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a");
const gss_OID_desc gn_nt_user = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x01");
const gss_OID_desc gn_nt_machine_uid = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x02");
const gss_OID_desc gn_nt_string_uid = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x03");
const gss_OID_desc gn_nt_hostbased = OID("\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04");
const gss_OID_desc gn_nt_hostbased_x = OID("\x2b\x06\x01\x05\x06\x02");
const gss_OID_desc gn_nt_anonymous = OID("\x2b\x06\x01\x05\x06\x03");
const gss_OID_desc gn_nt_export = OID("\x2b\x06\x01\x05\x06\x04");

int gn_oid_equal(gss_const_OID a, gss_const_OID b)
{
	return a && b && a->length == b->length && memcmp(a->elements, b->elements, a->length) == 0;
}

OM_uint32 gn_ok(OM_uint32 *minor)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

/* Which GSS major status says what an ntlm_err says. */
static OM_uint32 major_for(ntlm_err why)
{
	switch (why) {
	case NTLM_OK:
		return GSS_S_COMPLETE;
	case NTLM_CONTINUE:
		return GSS_S_CONTINUE_NEEDED;
	case NTLM_E_TRUNCATED:
	case NTLM_E_BAD_SIGNATURE_HEADER:
	case NTLM_E_BAD_MESSAGE_TYPE:
	case NTLM_E_FIELD_RANGE:
	case NTLM_E_FIELD_OVERLAP:
	case NTLM_E_FIELD_MAXLEN:
	case NTLM_E_BAD_STRING:
	case NTLM_E_BAD_AV_PAIR:
	case NTLM_E_BAD_RESPONSE:
	case NTLM_E_BAD_SESSION_KEY:
		return GSS_S_DEFECTIVE_TOKEN;
	case NTLM_E_CBT_MISMATCH:
	case NTLM_E_CBT_MISSING:
		return GSS_S_BAD_BINDINGS;
	case NTLM_E_BAD_MAC:
		return GSS_S_BAD_SIG;
	case NTLM_E_OUT_OF_SEQUENCE:
		return GSS_S_BAD_SIG | GSS_S_UNSEQ_TOKEN;
	case NTLM_E_NO_CREDENTIALS:
	case NTLM_E_NOT_FOUND:
		return GSS_S_NO_CRED;
	case NTLM_E_WRONG_STATE:
	case NTLM_E_FAILED_CONTEXT:
		return GSS_S_NO_CONTEXT;
	case NTLM_E_SEQUENCE_EXHAUSTED:
		return GSS_S_CONTEXT_EXPIRED;
	case NTLM_E_NO_SESSION_KEY:
	case NTLM_E_SEAL_NOT_NEGOTIATED:
	case NTLM_E_UNSUPPORTED:
		return GSS_S_UNAVAILABLE;
	case NTLM_E_BAD_FILE:
	case NTLM_E_UNSAFE_FILE:
	case NTLM_E_IO:
		return GSS_S_DEFECTIVE_CREDENTIAL;
	default:
		return GSS_S_FAILURE;
	}
}

OM_uint32 gn_fail(OM_uint32 *minor, ntlm_err why)
{
	if (minor)
		*minor = (OM_uint32)why;
	return major_for(why);
}

OM_uint32 gn_fail_as(OM_uint32 *minor, ntlm_err why, OM_uint32 major)
{
	if (minor)
		*minor = (OM_uint32)why;
	return major;
}

OM_uint32 gn_buffer(OM_uint32 *minor, gss_buffer_t out, const void *p, size_t n)
{
	if (!out)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	out->length = 0;
	out->value = malloc(n + 1);
	if (!out->value)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	if (n)
		memcpy(out->value, p, n);
	((char *)out->value)[n] = '\0';
	out->length = n;
	return gn_ok(minor);
}

OM_uint32 gn_buffer_set_add(OM_uint32 *minor, gss_buffer_set_t *set, const void *p, size_t n)
{
	if (!set)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	if (!*set) {
		*set = calloc(1, sizeof(**set));
		if (!*set)
			return gn_fail(minor, NTLM_E_NO_MEMORY);
	}
	gss_buffer_desc *e = realloc((*set)->elements, ((*set)->count + 1) * sizeof(*e));
	if (!e)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	(*set)->elements = e;
	OM_uint32 major = gn_buffer(minor, &e[(*set)->count], p, n);
	if (major == GSS_S_COMPLETE)
		(*set)->count++;
	return major;
}

OM_uint32 gn_oid_set(OM_uint32 *minor, gss_OID_set *out, const gss_OID_desc *const *oids, size_t n)
{
	gss_OID_set s = calloc(1, sizeof(*s));
	if (!s)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	s->elements = calloc(n ? n : 1, sizeof(*s->elements));
	if (!s->elements) {
		free(s);
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	}
	for (; s->count < n; s->count++) {
		gss_OID_desc *e = &s->elements[s->count];
		e->elements = malloc(oids[s->count]->length);
		if (!e->elements)
			break;
		memcpy(e->elements, oids[s->count]->elements, oids[s->count]->length);
		e->length = oids[s->count]->length;
	}
	if (s->count < n) {
		for (size_t i = 0; i < s->count; i++)
			free(s->elements[i].elements);
		free(s->elements);
		free(s);
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	}
	*out = s;
	return gn_ok(minor);
}

gss_OID gn_oid_copy(const gss_OID_desc *oid)
{
	gss_OID o = malloc(sizeof(*o));
	if (!o)
		return NULL;
	o->elements = malloc(oid->length);
	if (!o->elements) {
		free(o);
		return NULL;
	}
	memcpy(o->elements, oid->elements, oid->length);
	o->length = oid->length;
	return o;
}

char *gn_buffer_string(const gss_buffer_t b)
{
	size_t n = b && b->value ? b->length : 0;
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, b->value, n);
	s[n] = '\0';
	return s;
}
