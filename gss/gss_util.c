/* gss_util.c - the module's OIDs, GSS result helpers, the error mapping and the debug log. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gss_ntlm.h"
#include "sys.h"

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

/*
 * gss-ntlmssp's debug log, for its users' habits: with GSSNTLMSSP_DEBUG
 * naming a file, one line per traced call, in its form ("[time] ALLOK|ERROR:
 * function() [major:minor]") plus our error's name. The variable is read at
 * each call (the module keeps no global state: a process that sets it late
 * is traced from then on) through secure_getenv, so a setuid program never
 * writes where its caller says; the file is opened without following a
 * symbolic link, created 0600, appended. A line carries no name, key, hash
 * or token: who logged on, and why not, is the audit log's business.
 */
OM_uint32 gn_trace(const char *fn, OM_uint32 major, const OM_uint32 *minor, int errors_only)
{
	if (errors_only && !GSS_ERROR(major))
		return major;
	const char *path = ntlm_secure_getenv("GSSNTLMSSP_DEBUG");
	if (!path || !*path)
		return major;
	OM_uint32 why = minor ? *minor : 0;
	char line[160];
	int n = snprintf(line, sizeof(line), "[%lld] %s: %s() [%u:%u] %s\n", (long long)time(NULL),
	                 GSS_ERROR(major) ? "ERROR" : "ALLOK", fn, major, why,
	                 why ? ntlm_err_name((ntlm_err)why) : "");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		/* a lost debug line must not change the call's result */
		if (n > 0)
			(void)!ntlm_write_all(fd, line,
			                      (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		close(fd);
	}
	return major;
}
