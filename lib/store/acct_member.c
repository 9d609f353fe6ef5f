/*
 * acct_member.c - "only the members of this group may log on" (ntlm_auth's
 * --require-membership-of): a store around another one that lets a logon
 * through only when the required SID is among the logon's SIDs, the
 * account's own and its groups' as the domain listed them, or names a
 * domain-local group (an alias, such as BUILTIN\Users) winbindd says they
 * belong to, as Samba's own check adds aliases to the token.
 *
 * The SIDs are compared as canonical strings: the required one is parsed
 * and written back in decimal once, at creation, and the domain's come from
 * libwbclient's formatter, which writes the same form. Whole SIDs only: a
 * prefix or a substring of a group's SID is another group.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acct_store.h"
#include "mem.h"
#include "try.h"

#define SID_MAX_SUB_AUTHORITIES 15 /* [MS-DTYP] 2.4.2 */
#define SID_TEXT_MAX            192

struct member_store {
	ntlm_account_store *inner; /* not owned */
	char sid[SID_TEXT_MAX];    /* canonical */
};

/* One decimal number up to max at *p (digits only); advances *p. 0, or -1. */
static int read_number(const char **p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

/*
 * "S-1-<authority>-<sub>..." ([MS-DTYP] 2.4.2.1, the decimal form) into its
 * canonical text: 1 to 15 sub-authorities of 32 bits, an authority below
 * 2^32 (larger ones are written in hex and no domain uses them).
 */
static ntlm_err canonical_sid(const char *in, char out[SID_TEXT_MAX])
{
	uint64_t v;
	const char *p = in;
	if ((p[0] != 'S' && p[0] != 's') || p[1] != '-')
		return NTLM_E_INVALID_PARAMETER;
	p += 2;
	if (read_number(&p, 1, &v) != 0 || v != 1 || *p != '-')
		return NTLM_E_INVALID_PARAMETER;
	p++;
	if (read_number(&p, UINT32_MAX, &v) != 0)
		return NTLM_E_INVALID_PARAMETER;
	int len = snprintf(out, SID_TEXT_MAX, "S-1-%llu", (unsigned long long)v);
	int subs = 0;
	while (*p == '-' && subs < SID_MAX_SUB_AUTHORITIES) {
		p++;
		if (read_number(&p, UINT32_MAX, &v) != 0)
			return NTLM_E_INVALID_PARAMETER;
		len += snprintf(out + len, SID_TEXT_MAX - (size_t)len, "-%llu", (unsigned long long)v);
		subs++;
	}
	return *p || subs == 0 ? NTLM_E_INVALID_PARAMETER : NTLM_OK;
}

/* Is sid one of the space-separated SIDs of list (whole entries only)? */
static int listed(const char *list, const char *sid)
{
	size_t n = strlen(sid);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && memcmp(p, sid, n) == 0)
			return 1;
		p += len;
		p += strspn(p, " ");
	}
	return 0;
}

static ntlm_err member_verify_info(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res,
                                   acct_logon_info *info)
{
	const struct member_store *m = impl;
	/* This store is the one the server counts failures on: once per logon. */
	ntlm_auth_request sub = *req;
	sub.lockout_threshold = 0;
	NTLM_TRY(acct_store_verify_info(m->inner, &sub, res, info));
	if ((info->sid && strcmp(info->sid, m->sid) == 0) || listed(info->group_sids, m->sid))
		return NTLM_OK;
	/* a domain-local group (BUILTIN\Users, ...): winbindd knows who is in it */
	int alias = 0;
	if (info->sid)
		acct_winbind_alias_member(m->sid, info->sid, info->group_sids, &alias);
	return alias ? NTLM_OK : NTLM_E_NOT_MEMBER;
}

static ntlm_err member_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	acct_logon_info info = {NULL, NULL, NULL};
	ntlm_err rc = member_verify_info(impl, req, res, &info);
	acct_logon_info_clear(&info);
	return rc;
}

NTLM_API ntlm_err ntlm_account_store_require_member(ntlm_account_store **out,
                                                    ntlm_account_store *inner, const char *sid)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	if (!inner || !sid)
		return NTLM_E_INVALID_PARAMETER;
	struct member_store *m = ntlm_calloc(1, sizeof(*m));
	if (!m)
		return NTLM_E_NO_MEMORY;
	m->inner = inner;
	ntlm_err rc = canonical_sid(sid, m->sid);
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = member_verify,
	                                           .free = free};
	if (rc == NTLM_OK)
		rc = acct_store_new_builtin(out, &ops, member_verify_info, NULL, m);
	if (rc != NTLM_OK)
		free(m);
	return rc;
}
