/*
 * gss_names.c - names: Windows user names (DOMAIN\user, user@domain, user),
 * host-based services (service@host), the anonymous name; display, compare,
 * export, the mapped local account (gss_localname) and name attributes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gss_ntlm.h"

/*
 * Name attributes (RFC 6680) of an authenticated peer: who vouched for it,
 * its mapped Unix account, and for a domain logon the SIDs the domain
 * controller listed: ours one value each (a group per value, primary group
 * first), and gss-ntlmssp's urn:gssntlmssp:sids (one value: the account's
 * SID then its groups', comma-separated) so its consumers keep working.
 */
typedef enum attr_id { A_DOMAIN, A_UNIX, A_SID, A_GROUP, A_SIDS, A_COUNT } attr_id;
static const char *const attr_names[A_COUNT] = {"urn:ntlmssp:domain", "urn:ntlmssp:unix-user",
                                                "urn:ntlmssp:sid", "urn:ntlmssp:group-sid",
                                                "urn:gssntlmssp:sids"};

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

ntlm_err gn_name_new(gn_name **out, gn_kind kind, const char *domain, const char *user,
                     const char *host)
{
	gn_name *n = calloc(1, sizeof(*n));
	if (!n)
		return NTLM_E_NO_MEMORY;
	n->kind = kind;
	n->domain = dup_or_empty(domain);
	n->user = dup_or_empty(user);
	n->host = dup_or_empty(host);
	n->unix_user = dup_or_empty(NULL);
	n->sid = dup_or_empty(NULL);
	n->groups = dup_or_empty(NULL);
	if (!n->domain || !n->user || !n->host || !n->unix_user || !n->sid || !n->groups) {
		gn_name_free(n);
		return NTLM_E_NO_MEMORY;
	}
	*out = n;
	return NTLM_OK;
}

void gn_name_free(gn_name *n)
{
	if (!n)
		return;
	free(n->domain);
	free(n->user);
	free(n->host);
	free(n->unix_user);
	free(n->sid);
	free(n->groups);
	free(n);
}

static int replace(char **field, const char *value)
{
	char *s = strdup(value);
	if (!s)
		return 0;
	free(*field);
	*field = s;
	return 1;
}

/*
 * What only an authenticated peer carries: the mapped account and the SIDs
 * the store reported. On failure *n is freed and NULL.
 */
static ntlm_err set_peer(gn_name **n, const char *unix_user, const char *sid, const char *groups,
                         int authenticated)
{
	if (!replace(&(*n)->unix_user, unix_user) || !replace(&(*n)->sid, sid) ||
	    !replace(&(*n)->groups, groups)) {
		gn_name_free(*n);
		*n = NULL;
		return NTLM_E_NO_MEMORY;
	}
	(*n)->authenticated = authenticated;
	return NTLM_OK;
}

ntlm_err gn_name_user(gn_name **out, const char *text)
{
	const char *bs = strchr(text, '\\');
	if (!bs)
		return gn_name_new(out, GN_USER, "", text, NULL);
	char *domain = strndup(text, (size_t)(bs - text));
	if (!domain)
		return NTLM_E_NO_MEMORY;
	ntlm_err rc = gn_name_new(out, GN_USER, domain, bs + 1, NULL);
	free(domain);
	return rc;
}

ntlm_err gn_name_copy(gn_name **out, const gn_name *in)
{
	ntlm_err rc = gn_name_new(out, in->kind, in->domain, in->user, in->host);
	return rc != NTLM_OK ? rc
	                     : set_peer(out, in->unix_user, in->sid, in->groups, in->authenticated);
}

char *gn_name_spn(const gn_name *n)
{
	size_t len = strlen(n->user) + strlen(n->host) + 2;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, *n->host ? "%s/%s" : "%s", n->user, n->host);
	return s;
}

ntlm_err gn_name_from_peer(gn_name **out, ntlm_ctx *ctx)
{
	if (ntlm_ctx_is_anonymous(ctx))
		return gn_name_new(out, GN_ANON, NULL, NULL, NULL);
	ntlm_err rc = gn_name_user(out, ntlm_ctx_principal(ctx));
	return rc != NTLM_OK ? rc
	                     : set_peer(out, ntlm_ctx_unix_user(ctx), ntlm_ctx_sid(ctx),
	                                ntlm_ctx_group_sids(ctx), 1);
}

/* "service@host" or "service" (this host). */
static ntlm_err parse_service(gn_name **out, const char *text)
{
	const char *at = strchr(text, '@');
	if (at) {
		char *svc = strndup(text, (size_t)(at - text));
		if (!svc)
			return NTLM_E_NO_MEMORY;
		ntlm_err rc = gn_name_new(out, GN_SERVICE, NULL, svc, at + 1);
		free(svc);
		return rc;
	}
	char host[256];
	if (gethostname(host, sizeof(host) - 1) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return gn_name_new(out, GN_SERVICE, NULL, text, host);
}

/*
 * An exported name (RFC 2743 3.2): 04 01, the DER mech OID with a 2-byte
 * length, a 4-byte name length, the name. Ours carry the display form, and
 * an SPN ("HTTP/host") for a service. The glue may also hand over the name
 * part alone.
 */
static ntlm_err parse_exported(gn_name **out, const uint8_t *p, size_t n)
{
	const size_t oidlen = gn_mech_oid.length;
	if (!p || !n)
		return NTLM_E_TRUNCATED;
	if (n >= 2 && p[0] == 0x04 && p[1] == 0x01) {
		size_t hdr = 2 + 2 + 2 + oidlen + 4;
		if (n < hdr || p[2] != 0 || p[3] != oidlen + 2 || p[4] != 0x06 || p[5] != oidlen)
			return NTLM_E_BAD_MESSAGE_TYPE;
		size_t len = (size_t)p[hdr - 4] << 24 | (size_t)p[hdr - 3] << 16 | (size_t)p[hdr - 2] << 8 |
		             p[hdr - 1];
		if (len != n - hdr)
			return NTLM_E_TRUNCATED;
		p += hdr;
		n = len;
	}
	if (memchr(p, '\0', n))
		return NTLM_E_BAD_STRING;
	char *s = strndup((const char *)p, n);
	if (!s)
		return NTLM_E_NO_MEMORY;
	ntlm_err rc;
	char *slash = strchr(s, '/');
	if (slash && !strchr(s, '\\')) {
		*slash = '\0';
		rc = gn_name_new(out, GN_SERVICE, NULL, s, slash + 1);
	} else {
		rc = gn_name_user(out, s);
	}
	free(s);
	return rc;
}

static OM_uint32 import_name(OM_uint32 *minor, gss_buffer_t in, gss_OID type, gss_name_t *out)
{
	if (!out)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	*out = GSS_C_NO_NAME;
	if (!in)
		return GSS_S_CALL_INACCESSIBLE_READ;
	gn_name *n = NULL;
	ntlm_err rc;
	if (gn_oid_equal(type, &gn_nt_export)) {
		rc = parse_exported(&n, in->value, in->value ? in->length : 0);
		if (rc != NTLM_OK)
			return rc == NTLM_E_NO_MEMORY ? gn_fail(minor, rc)
			                              : gn_fail_as(minor, rc, GSS_S_BAD_NAME);
		*out = (gss_name_t)n;
		return gn_ok(minor);
	}
	char *text = gn_buffer_string(in);
	if (!text)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	if (strlen(text) != (in->value ? in->length : 0)) {
		free(text);
		return gn_fail_as(minor, NTLM_E_BAD_STRING, GSS_S_BAD_NAME);
	}
	if (gn_oid_equal(type, &gn_nt_hostbased) || gn_oid_equal(type, &gn_nt_hostbased_x))
		rc = parse_service(&n, text);
	else if (gn_oid_equal(type, &gn_nt_anonymous))
		rc = gn_name_new(&n, GN_ANON, NULL, NULL, NULL);
	else if (!type || gn_oid_equal(type, &gn_nt_user) || gn_oid_equal(type, &gn_nt_string_uid))
		rc = gn_name_user(&n, text);
	else
		rc = NTLM_E_UNSUPPORTED;
	free(text);
	if (rc == NTLM_E_UNSUPPORTED)
		return gn_fail_as(minor, rc, GSS_S_BAD_NAMETYPE);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	*out = (gss_name_t)n;
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_import_name(OM_uint32 *minor, gss_buffer_t in, gss_OID type,
                                    gss_name_t *out)
{
	return import_name(minor, in, type, out);
}

GN_EXPORT OM_uint32 gssspi_import_name_by_mech(OM_uint32 *minor, gss_const_OID mech,
                                               gss_buffer_t in, gss_OID type, gss_name_t *out)
{
	return import_name(minor, in, type, out);
}

GN_EXPORT OM_uint32 gss_release_name(OM_uint32 *minor, gss_name_t *name)
{
	if (!name)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	gn_name_free((gn_name *)*name);
	*name = GSS_C_NO_NAME;
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_duplicate_name(OM_uint32 *minor, const gss_name_t in, gss_name_t *out)
{
	if (!out)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	*out = GSS_C_NO_NAME;
	if (!in)
		return GSS_S_BAD_NAME;
	gn_name *n;
	ntlm_err rc = gn_name_copy(&n, (const gn_name *)in);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	*out = (gss_name_t)n;
	return gn_ok(minor);
}

/* The display form: DOMAIN\user (or user), service@host, or the anonymous name. */
static char *display_form(const gn_name *n)
{
	if (n->kind == GN_ANON)
		return strdup("NT AUTHORITY\\ANONYMOUS LOGON");
	size_t len = strlen(n->domain) + strlen(n->user) + strlen(n->host) + 2;
	char *s = malloc(len);
	if (!s)
		return NULL;
	if (n->kind == GN_SERVICE)
		snprintf(s, len, *n->host ? "%s@%s" : "%s", n->user, n->host);
	else
		snprintf(s, len, *n->domain ? "%s\\%s" : "%s%s", n->domain, n->user);
	return s;
}

GN_EXPORT OM_uint32 gss_display_name(OM_uint32 *minor, gss_name_t in, gss_buffer_t out,
                                     gss_OID *type)
{
	const gn_name *n = (const gn_name *)in;
	if (!n)
		return GSS_S_BAD_NAME;
	char *s = display_form(n);
	if (!s)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	OM_uint32 major = gn_buffer(minor, out, s, strlen(s));
	free(s);
	/* a copy: the glue frees the type it stores with a name it did not make */
	if (type && major == GSS_S_COMPLETE) {
		*type = gn_oid_copy(n->kind == GN_SERVICE ? &gn_nt_hostbased
		                    : n->kind == GN_ANON  ? &gn_nt_anonymous
		                                          : &gn_nt_user);
		if (!*type) {
			free(out->value);
			out->value = NULL;
			out->length = 0;
			major = gn_fail(minor, NTLM_E_NO_MEMORY);
		}
	}
	return major;
}

static int same(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

GN_EXPORT OM_uint32 gss_compare_name(OM_uint32 *minor, gss_name_t a, gss_name_t b, int *equal)
{
	const gn_name *x = (const gn_name *)a, *y = (const gn_name *)b;
	if (!x || !y)
		return GSS_S_BAD_NAME;
	if (!equal)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	/* Windows names compare without case; an empty domain matches any */
	*equal = x->kind == y->kind && same(x->user, y->user) && same(x->host, y->host) &&
	         (!*x->domain || !*y->domain || same(x->domain, y->domain));
	return gn_ok(minor);
}

GN_EXPORT OM_uint32 gss_export_name(OM_uint32 *minor, const gss_name_t in, gss_buffer_t out)
{
	const gn_name *n = (const gn_name *)in;
	if (!n)
		return GSS_S_BAD_NAME;
	if (n->kind == GN_ANON)
		return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_NAME_NOT_MN);
	char *s = n->kind == GN_SERVICE ? gn_name_spn(n) : display_form(n);
	if (!s)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	size_t len = strlen(s), oidlen = gn_mech_oid.length, hdr = 2 + 2 + 2 + oidlen + 4;
	uint8_t *t = malloc(hdr + len);
	if (!t) {
		free(s);
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	}
	t[0] = 0x04;
	t[1] = 0x01;
	t[2] = 0;
	t[3] = (uint8_t)(oidlen + 2);
	t[4] = 0x06;
	t[5] = (uint8_t)oidlen;
	memcpy(t + 6, gn_mech_oid.elements, oidlen);
	for (int i = 0; i < 4; i++)
		t[6 + oidlen + (size_t)i] = (uint8_t)(len >> (24 - 8 * i));
	memcpy(t + hdr, s, len);
	free(s);
	OM_uint32 major = gn_buffer(minor, out, t, hdr + len);
	free(t);
	return major;
}

GN_EXPORT OM_uint32 gss_localname(OM_uint32 *minor, const gss_name_t in, gss_const_OID mech,
                                  gss_buffer_t out)
{
	const gn_name *n = (const gn_name *)in;
	if (!n)
		return GSS_S_BAD_NAME;
	/* the account the store mapped the user to; a name we did not authenticate has none */
	if (n->kind != GN_USER || !*n->unix_user)
		return gn_fail_as(minor, NTLM_E_NOT_FOUND, GSS_S_UNAVAILABLE);
	return gn_buffer(minor, out, n->unix_user, strlen(n->unix_user));
}

/* The number of space-separated words in s. */
static size_t count_words(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (*s != ' ' && (s[1] == ' ' || !s[1]))
			n++;
	return n;
}

/* A copy of word i (from 0) of the space-separated s; NULL when out of memory. */
static char *word(const char *s, size_t i)
{
	for (;;) {
		s += strspn(s, " ");
		if (!*s)
			return NULL; /* no such word: callers stay below count_words() */
		size_t len = strcspn(s, " ");
		if (i-- == 0)
			return strndup(s, len);
		s += len;
	}
}

/* urn:gssntlmssp:sids: the account's SID, then its groups', comma-separated. */
static char *all_sids(const gn_name *n)
{
	size_t len = strlen(n->sid) + strlen(n->groups) + 2;
	char *v = malloc(len);
	if (!v)
		return NULL;
	snprintf(v, len, *n->groups ? "%s,%s" : "%s", n->sid, n->groups);
	for (char *p = v; *p; p++)
		if (*p == ' ')
			*p = ',';
	return v;
}

/* How many values attribute a has on n (0: none; a name nobody authenticated has none). */
static size_t attr_count(const gn_name *n, attr_id a)
{
	if (!n->authenticated)
		return 0;
	switch (a) {
	case A_DOMAIN:
		return 1;
	case A_UNIX:
		return *n->unix_user ? 1 : 0;
	case A_SID:
	case A_SIDS:
		return *n->sid ? 1 : 0;
	case A_GROUP:
		return count_words(n->groups);
	default:
		return 0;
	}
}

/* Value i (< attr_count) of attribute a, malloc'ed; NULL when out of memory. */
static char *attr_value(const gn_name *n, attr_id a, size_t i)
{
	switch (a) {
	case A_DOMAIN:
		return strdup(n->domain);
	case A_UNIX:
		return strdup(n->unix_user);
	case A_SID:
		return strdup(n->sid);
	case A_GROUP:
		return word(n->groups, i);
	default:
		return all_sids(n);
	}
}

GN_EXPORT OM_uint32 gss_inquire_name(OM_uint32 *minor, gss_name_t in, int *name_is_mn,
                                     gss_OID *mn_mech, gss_buffer_set_t *attrs)
{
	const gn_name *n = (const gn_name *)in;
	if (!n)
		return GSS_S_BAD_NAME;
	if (name_is_mn)
		*name_is_mn = 1;
	if (mn_mech)
		*mn_mech = (gss_OID)&gn_mech_oid;
	if (!attrs)
		return gn_ok(minor);
	*attrs = GSS_C_NO_BUFFER_SET;
	OM_uint32 major = gn_ok(minor);
	for (int a = 0; a < A_COUNT && major == GSS_S_COMPLETE; a++)
		if (attr_count(n, (attr_id)a))
			major = gn_buffer_set_add(minor, attrs, attr_names[a], strlen(attr_names[a]));
	return major;
}

static int find_attr(const gss_buffer_t attr, attr_id *out)
{
	for (int a = 0; attr && attr->value && a < A_COUNT; a++) {
		if (attr->length == strlen(attr_names[a]) &&
		    memcmp(attr->value, attr_names[a], attr->length) == 0) {
			*out = (attr_id)a;
			return 1;
		}
	}
	return 0;
}

/*
 * RFC 6680 iteration: *more is -1 (or 0) for the first value; each answer
 * sets it to what the next call passes, 0 after the last value.
 */
GN_EXPORT OM_uint32 gss_get_name_attribute(OM_uint32 *minor, gss_name_t in, gss_buffer_t attr,
                                           int *authenticated, int *complete, gss_buffer_t value,
                                           gss_buffer_t display_value, int *more)
{
	const gn_name *n = (const gn_name *)in;
	if (!n)
		return GSS_S_BAD_NAME;
	attr_id a;
	if (!find_attr(attr, &a))
		return gn_fail_as(minor, NTLM_E_NOT_FOUND, GSS_S_UNAVAILABLE);
	size_t count = attr_count(n, a), i = more && *more > 0 ? (size_t)*more : 0;
	if ((more && *more < -1) || i >= count)
		return gn_fail_as(minor, NTLM_E_NOT_FOUND, GSS_S_UNAVAILABLE);
	char *v = attr_value(n, a, i);
	if (!v)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	if (authenticated)
		*authenticated = 1;
	if (complete)
		*complete = 1;
	if (more)
		*more = i + 1 < count ? (int)(i + 1) : 0;
	OM_uint32 major = gn_ok(minor);
	if (value)
		major = gn_buffer(minor, value, v, strlen(v));
	if (major == GSS_S_COMPLETE && display_value) {
		major = gn_buffer(minor, display_value, v, strlen(v));
		if (major != GSS_S_COMPLETE && value) {
			free(value->value);
			value->value = NULL;
			value->length = 0;
		}
	}
	free(v);
	return major;
}

GN_EXPORT OM_uint32 gss_inquire_names_for_mech(OM_uint32 *minor, gss_OID mech, gss_OID_set *types)
{
	static const gss_OID_desc *const list[] = {&gn_nt_user, &gn_nt_hostbased, &gn_nt_hostbased_x,
	                                           &gn_nt_anonymous, &gn_nt_export};
	if (!types)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	return gn_oid_set(minor, types, list, sizeof(list) / sizeof(list[0]));
}
