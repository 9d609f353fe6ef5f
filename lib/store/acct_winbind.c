/*
 * acct_winbind.c - an account store that asks a domain, through Samba's
 * winbindd (libwbclient), to verify the client's challenge responses. The
 * hashes never leave the domain controller: winbindd answers "verified" with
 * the session keys, or an NTSTATUS saying why not.
 *
 * The user is reported as the domain's DOMAIN\account and mapped to the
 * local Unix account winbind's idmap gives its SID.
 */
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* wbclient.h uses the fixed-width types and bool without including their headers. */
#include <wbclient.h>

#include "acct_store.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "text.h"
#include "try.h"
#include "verify.h"
#include "wb_ccache.h"

/*
 * The NTSTATUS values winbindd passes on from the domain. Only the ones with
 * a more precise meaning than "refused" are listed; see map_nt_status().
 * (Macros: an enum constant must fit an int, and these do not.)
 */
#define ST_NO_MEMORY                    0xC0000017u
#define ST_NO_SUCH_USER                 0xC0000064u
#define ST_WRONG_PASSWORD               0xC000006Au
#define ST_LOGON_FAILURE                0xC000006Du
#define ST_ACCOUNT_RESTRICTION          0xC000006Eu
#define ST_INVALID_LOGON_HOURS          0xC000006Fu
#define ST_INVALID_WORKSTATION          0xC0000070u
#define ST_PASSWORD_EXPIRED             0xC0000071u
#define ST_ACCOUNT_DISABLED             0xC0000072u
#define ST_NO_LOGON_SERVERS             0xC000005Eu
#define ST_INSUFFICIENT_RESOURCES       0xC000009Au
#define ST_NO_SUCH_DOMAIN               0xC00000DFu
#define ST_INVALID_SERVER_STATE         0xC00000DCu
#define ST_INTERNAL_ERROR               0xC00000E5u
#define ST_IO_TIMEOUT                   0xC00000B5u
#define ST_LOGON_TYPE_NOT_GRANTED       0xC000015Bu
#define ST_TRUSTED_RELATIONSHIP_FAILURE 0xC000018Du
#define ST_TRUSTED_DOMAIN_FAILURE       0xC000018Cu
#define ST_NO_TRUST_SAM_ACCOUNT         0xC000018Bu
#define ST_NETLOGON_NOT_STARTED         0xC0000192u
#define ST_ACCOUNT_EXPIRED              0xC0000193u
#define ST_ACCESS_DENIED                0xC0000022u
#define ST_PASSWORD_MUST_CHANGE         0xC0000224u
#define ST_ACCOUNT_LOCKED_OUT           0xC0000234u
#define ST_NTLM_BLOCKED                 0xC0000418u

struct winbind_store {
	char *domain_filter; /* NetBIOS domain, NULL = any */
};

/* What the client sent, decided before winbindd is asked anything. */
struct response_shape {
	ntlm_response_kind kind;
	uint8_t challenge[NTLM_CHALLENGE_SIZE]; /* the challenge the NT response answers */
	int send_nt, send_lm;
};

/*
 * Classifies the responses as the server and every store do (verify.c), so
 * the policy means the same whatever the store, and picks what winbindd is
 * given: only the response the policy lets count. A DC that fails the NT
 * response falls back to the LM one, so the LM response is withheld unless
 * LM is allowed.
 */
static ntlm_err classify(const ntlm_auth_request *req, struct response_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = nv_classify_request(req);
	NTLM_TRY(nv_kind_allowed(s->kind, req->allowed_responses, 0));
	nv_v1_challenge(s->kind, req->server_challenge, req->lm_response, s->challenge);
	s->send_nt = s->kind != NTLM_KIND_LM;
	s->send_lm = s->kind == NTLM_KIND_LM ||
	             (s->kind == NTLM_KIND_NTLMV1 && req->lm_response_len == 24 &&
	              (req->allowed_responses & NTLM_RESP_LM));
	return NTLM_OK;
}

/*
 * The domain's verdict. Each account state the domain enforces keeps its own
 * value (disabled, locked out, expired, a password expired or to be changed;
 * the rest of the restrictions, hours, workstations, logon type, as one),
 * so an administrator reads the DC's reason in our audit record. "No logon
 * servers" (a domain with no reachable DC, or a foreign domain without a
 * trust) is its own answer; other failures of the domain (broken trust, a DC
 * in trouble) are the backend's, so callers can tell a bad password from an
 * outage. Anything else is a refusal whose finer reason we do not need.
 */
static ntlm_err map_nt_status(uint32_t st, ntlm_response_kind kind)
{
	switch (st) {
	case ST_NO_SUCH_USER:
	case ST_NO_SUCH_DOMAIN:
		return NTLM_E_NO_SUCH_USER;
	case ST_ACCOUNT_DISABLED:
		return NTLM_E_ACCOUNT_DISABLED;
	case ST_ACCOUNT_LOCKED_OUT:
		return NTLM_E_ACCOUNT_LOCKED;
	case ST_ACCOUNT_EXPIRED:
		return NTLM_E_ACCOUNT_EXPIRED;
	case ST_PASSWORD_EXPIRED:
		return NTLM_E_PASSWORD_EXPIRED;
	case ST_PASSWORD_MUST_CHANGE:
		return NTLM_E_PASSWORD_MUST_CHANGE;
	case ST_ACCOUNT_RESTRICTION:
	case ST_INVALID_LOGON_HOURS:
	case ST_INVALID_WORKSTATION:
	case ST_LOGON_TYPE_NOT_GRANTED:
		return NTLM_E_ACCOUNT_RESTRICTION;
	case ST_NTLM_BLOCKED:
		return nv_refusal(kind); /* the domain refuses this kind */
	case ST_NO_MEMORY:
		return NTLM_E_NO_MEMORY;
	case ST_NO_LOGON_SERVERS:
		/* the user's domain has no reachable DC, or is one we do not trust */
		return NTLM_E_NO_LOGON_SERVERS;
	case ST_INSUFFICIENT_RESOURCES:
	case ST_INVALID_SERVER_STATE:
	case ST_INTERNAL_ERROR:
	case ST_IO_TIMEOUT:
	case ST_TRUSTED_RELATIONSHIP_FAILURE:
	case ST_TRUSTED_DOMAIN_FAILURE:
	case ST_NO_TRUST_SAM_ACCOUNT:
	case ST_NETLOGON_NOT_STARTED:
		return NTLM_E_BACKEND;
	case ST_WRONG_PASSWORD:
	case ST_LOGON_FAILURE:
	case ST_ACCESS_DENIED:
	default:
		return NTLM_E_LOGON_FAILURE;
	}
}

/* libwbclient's own failures (winbindd not running, out of memory, ...). */
static ntlm_err map_wbc_error(wbcErr wrc, const struct wbcAuthErrorInfo *err,
                              ntlm_response_kind kind)
{
	switch (wrc) {
	case WBC_ERR_AUTH_ERROR:
		return err ? map_nt_status(err->nt_status, kind) : NTLM_E_LOGON_FAILURE;
	case WBC_ERR_NO_MEMORY:
		return NTLM_E_NO_MEMORY;
	case WBC_ERR_UNKNOWN_USER:
	case WBC_ERR_DOMAIN_NOT_FOUND:
		return NTLM_E_NO_SUCH_USER;
	default:
		return NTLM_E_BACKEND;
	}
}

/*
 * The request. libwbclient takes the responses through non-const pointers
 * but only reads them (it copies them into its request to winbindd).
 *
 * parameter_control: machine accounts may log on, as they do to Samba's own
 * NTLMSSP server; server (DC) trust accounts may not. ALLOW_MSVCHAPV2 only
 * for an answer the caller vouched is MS-CHAP (NTLM_RESP_MSCHAP): claimed
 * for NTLMSSP it would bypass a domain that allows NTLMv1 only for MS-CHAP
 * ("ntlm auth = mschapv2-and-ntlmv2-only").
 */
static void fill_params(const ntlm_auth_request *req, const struct response_shape *s,
                        struct wbcAuthUserParams *p)
{
	memset(p, 0, sizeof(*p));
	p->account_name = req->user;
	p->domain_name = req->domain ? req->domain : "";
	p->workstation_name = req->workstation ? req->workstation : "";
	p->parameter_control = WBC_MSV1_0_ALLOW_WORKSTATION_TRUST_ACCOUNT;
	if (s->kind == NTLM_KIND_MSCHAP)
		p->parameter_control |= WBC_MSV1_0_ALLOW_MSVCHAPV2;
	p->level = WBC_AUTH_USER_LEVEL_RESPONSE;
	memcpy(p->password.response.challenge, s->challenge, NTLM_CHALLENGE_SIZE);
	if (s->send_nt) {
		p->password.response.nt_length = (uint32_t)req->nt_response_len;
		p->password.response.nt_data = (uint8_t *)(uintptr_t)req->nt_response;
	}
	if (s->send_lm) {
		p->password.response.lm_length = (uint32_t)req->lm_response_len;
		p->password.response.lm_data = (uint8_t *)(uintptr_t)req->lm_response;
	}
}

/* Copies s into out[cap]; a name that does not fit is an error, never truncated. */
static int copy_name(char *out, size_t cap, const char *s)
{
	if (!s || strlen(s) >= cap)
		return -1;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/*
 * The local account winbind's idmap gives the user's SID (sids[0] is the
 * account's own). No mapping, or a name too long to hold, leaves "": a
 * truncated name could be somebody else's account.
 */
static void map_unix_user(struct wbcContext *wb, const struct wbcAuthUserInfo *info, char *out,
                          size_t cap)
{
	out[0] = '\0';
	uid_t uid;
	if (info->num_sids < 1 || !info->sids ||
	    !WBC_ERROR_IS_OK(wbcCtxSidToUid(wb, &info->sids[0].sid, &uid)))
		return;
	struct passwd pw, *found = NULL;
	char buf[4096];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		(void)copy_name(out, cap, found->pw_name);
}

/*
 * The SIDs of the logon (the domain's info3): sids[0] is the account's own,
 * the others its groups (primary group first), as a space-separated list.
 */
static ntlm_err copy_sids(const struct wbcAuthUserInfo *info, acct_logon_info *out)
{
	if (info->num_sids < 1 || !info->sids)
		return NTLM_OK;
	char one[WBC_SID_STRING_BUFLEN];
	if (wbcSidToStringBuf(&info->sids[0].sid, one, sizeof(one)) < 0 ||
	    !(out->sid = ntlm_strdup(one)))
		return NTLM_E_NO_MEMORY;
	size_t cap = (size_t)info->num_sids * WBC_SID_STRING_BUFLEN + 1, len = 0;
	if (!(out->group_sids = ntlm_calloc(1, cap)))
		return NTLM_E_NO_MEMORY;
	for (uint32_t i = 1; i < info->num_sids; i++) {
		int n = wbcSidToStringBuf(&info->sids[i].sid, one, sizeof(one));
		if (n < 0 || (size_t)n >= sizeof(one))
			return NTLM_E_BACKEND;
		len += (size_t)snprintf(out->group_sids + len, cap - len, "%s%s", len ? " " : "", one);
	}
	return NTLM_OK;
}

/* Takes over winbindd's answer: keys, names, the kind that was verified, the SIDs. */
static ntlm_err fill_result(struct winbind_store *st, struct wbcContext *wb,
                            const struct wbcAuthUserInfo *info, const struct response_shape *s,
                            ntlm_auth_result *res, acct_logon_info *logon)
{
	if (copy_name(res->authority, sizeof(res->authority), info->domain_name) != 0 ||
	    copy_name(res->user, sizeof(res->user), info->account_name) != 0)
		return NTLM_E_BACKEND;
	/* The filter names the domain that must vouch for the user, whatever was sent. */
	if (st->domain_filter && ntlm_strcasecmp_utf8(st->domain_filter, res->authority) != 0)
		return NTLM_E_LOGON_FAILURE;
	res->kind = s->kind;
	if (s->kind == NTLM_KIND_NTLMV1 && (info->user_flags & WBC_AUTH_USER_INFO_USED_LM_PASSWORD))
		res->kind = NTLM_KIND_LM;
	/* The DC's UserSessionKey is [MS-NLMP]'s SessionBaseKey for every kind. */
	memcpy(res->session_base_key, info->user_session_key, NTLM_SESSION_KEY_SIZE);
	/*
	 * Its LMSessionKey is LMOWF[0..7] only for NTLMv1/LM logons (and zero when
	 * the domain keeps no LM hash); other kinds never use it.
	 */
	if ((res->kind == NTLM_KIND_NTLMV1 || res->kind == NTLM_KIND_LM ||
	     res->kind == NTLM_KIND_MSCHAP) &&
	    !ntlm_ct_is_zero(info->lm_session_key, NTLM_LM_SESSION_KEY_SIZE)) {
		memcpy(res->lm_session_key, info->lm_session_key, NTLM_LM_SESSION_KEY_SIZE);
		res->have_lm_session_key = 1;
	}
	map_unix_user(wb, info, res->unix_user, sizeof(res->unix_user));
	return copy_sids(info, logon);
}

/* The user's domain must be the filtered one; an empty domain lets winbindd pick its own. */
static int domain_passes(const struct winbind_store *st, const ntlm_auth_request *req)
{
	if (!st->domain_filter || !req->domain || !*req->domain)
		return 1;
	return ntlm_strcasecmp_utf8(st->domain_filter, req->domain) == 0;
}

/*
 * After "no such user" or "no logon servers": is the client's domain one
 * winbindd serves at all (ours, our own SAM, or trusted)? If winbindd does
 * not know it, the account cannot be the domain's: NTLM_E_NO_SUCH_DOMAIN,
 * which a chained store may answer with a local account. A domain winbindd
 * knows keeps its answer, so an unreachable DC of ours or of a trusted
 * domain never looks like a foreign domain. A client that names no domain
 * is winbindd's own domain's.
 */
static ntlm_err refine_unknown_domain(struct wbcContext *wb, const ntlm_auth_request *req,
                                      ntlm_err rc)
{
	if ((rc != NTLM_E_NO_SUCH_USER && rc != NTLM_E_NO_LOGON_SERVERS) || !req->domain ||
	    !*req->domain)
		return rc;
	struct wbcDomainInfo *dom = NULL;
	wbcErr wrc = wbcCtxDomainInfo(wb, req->domain, &dom);
	wbcFreeMemory(dom);
	return wrc == WBC_ERR_DOMAIN_NOT_FOUND ? NTLM_E_NO_SUCH_DOMAIN : rc;
}

/* Frees winbindd's answer; the session keys in it are wiped first. */
static void free_answer(struct wbcAuthUserInfo *info, struct wbcAuthErrorInfo *err)
{
	if (info) {
		ntlm_memzero(info->user_session_key, sizeof(info->user_session_key));
		ntlm_memzero(info->lm_session_key, sizeof(info->lm_session_key));
		wbcFreeMemory(info);
	}
	wbcFreeMemory(err);
}

/*
 * A wbcContext holds one connection and is not thread-safe, so each
 * verification makes its own: the store then holds no mutable state and
 * may be shared between threads.
 */
static ntlm_err winbind_verify_info(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res,
                                    acct_logon_info *logon)
{
	struct winbind_store *st = impl;
	if ((!req->nt_response && req->nt_response_len) || (!req->lm_response && req->lm_response_len))
		return NTLM_E_INVALID_PARAMETER;
	if (!*req->user)
		return nv_verify_nobody(req, NTLM_E_NO_SUCH_USER);
	/* a domain outside the filter is, for this store, a domain it does not serve */
	if (!domain_passes(st, req))
		return nv_verify_nobody(req, NTLM_E_NO_SUCH_DOMAIN);
	struct response_shape shape;
	NTLM_TRY(classify(req, &shape));

	struct wbcContext *wb = wbcCtxCreate();
	if (!wb)
		return NTLM_E_NO_MEMORY;
	struct wbcAuthUserParams params;
	fill_params(req, &shape, &params);
	struct wbcAuthUserInfo *info = NULL;
	struct wbcAuthErrorInfo *err = NULL;
	wbcErr wrc = wbcCtxAuthenticateUserEx(wb, &params, &info, &err);
	ntlm_err rc;
	if (WBC_ERROR_IS_OK(wrc) && info)
		rc = fill_result(st, wb, info, &shape, res, logon);
	else
		rc = refine_unknown_domain(
			wb, req,
			map_wbc_error(WBC_ERROR_IS_OK(wrc) ? WBC_ERR_UNKNOWN_FAILURE : wrc, err, shape.kind));
	free_answer(info, err);
	ntlm_memzero(&params, sizeof(params));
	ntlm_memzero(&shape, sizeof(shape));
	wbcCtxFree(wb);
	return rc;
}

static ntlm_err winbind_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	acct_logon_info logon = {NULL, NULL, NULL};
	ntlm_err rc = winbind_verify_info(impl, req, res, &logon);
	acct_logon_info_clear(&logon);
	return rc;
}

static void winbind_free(void *impl)
{
	struct winbind_store *st = impl;
	if (!st)
		return;
	free(st->domain_filter);
	free(st);
}

NTLM_API ntlm_err ntlm_account_store_winbind(ntlm_account_store **out, const char *domain_filter)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	struct winbind_store *st = ntlm_calloc(1, sizeof(*st));
	if (!st)
		return NTLM_E_NO_MEMORY;
	if (domain_filter && *domain_filter && !(st->domain_filter = ntlm_strdup(domain_filter))) {
		free(st);
		return NTLM_E_NO_MEMORY;
	}
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
	                                           .verify = winbind_verify, .free = winbind_free};
	ntlm_err rc = acct_store_new_builtin(out, &ops, winbind_verify_info, "domain", st);
	if (rc != NTLM_OK)
		winbind_free(st);
	return rc;
}

/* src into out[cap]: a name that does not fit is refused, never cut short. */
static ntlm_err copy_domain_name(char *out, size_t cap, const char *src)
{
	if (!src)
		src = "";
	if (strlen(src) >= cap)
		return NTLM_E_BUFFER_TOO_SMALL;
	memcpy(out, src, strlen(src) + 1);
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_winbind_domain_names(char *netbios, size_t nb_cap, char *dns, size_t dns_cap)
{
	if (!netbios || !nb_cap || !dns || !dns_cap)
		return NTLM_E_INVALID_PARAMETER;
	netbios[0] = dns[0] = '\0';
	struct wbcContext *wb = wbcCtxCreate();
	if (!wb)
		return NTLM_E_NO_MEMORY;
	struct wbcInterfaceDetails *d = NULL;
	wbcErr wrc = wbcCtxInterfaceDetails(wb, &d);
	ntlm_err rc = NTLM_E_BACKEND;
	if (WBC_ERROR_IS_OK(wrc) && d && d->netbios_domain && *d->netbios_domain) {
		rc = copy_domain_name(netbios, nb_cap, d->netbios_domain);
		if (rc == NTLM_OK)
			rc = copy_domain_name(dns, dns_cap, d->dns_domain);
	}
	if (rc != NTLM_OK)
		netbios[0] = dns[0] = '\0';
	wbcFreeMemory(d);
	wbcCtxFree(wb);
	return rc;
}

NTLM_API ntlm_err ntlm_winbind_name_to_sid(const char *name, char *sid, size_t cap)
{
	if (!name || !strchr(name, '\\') || !sid || !cap)
		return NTLM_E_INVALID_PARAMETER;
	sid[0] = '\0';
	struct wbcContext *wb = wbcCtxCreate();
	if (!wb)
		return NTLM_E_NO_MEMORY;
	/* "DOMAIN\name" as one name: winbindd splits it at its separator */
	struct wbcDomainSid found;
	enum wbcSidType type;
	wbcErr wrc = wbcCtxLookupName(wb, "", name, &found, &type);
	wbcCtxFree(wb);
	if (wrc == WBC_ERR_DOMAIN_NOT_FOUND || wrc == WBC_ERR_UNKNOWN_USER ||
	    wrc == WBC_ERR_UNKNOWN_GROUP || wrc == WBC_ERR_INVALID_SID)
		return NTLM_E_NOT_FOUND;
	if (!WBC_ERROR_IS_OK(wrc))
		return wrc == WBC_ERR_NO_MEMORY ? NTLM_E_NO_MEMORY : NTLM_E_BACKEND;
	char text[WBC_SID_STRING_BUFLEN];
	int n = wbcSidToStringBuf(&found, text, sizeof(text));
	if (n < 0 || (size_t)n >= sizeof(text))
		return NTLM_E_BACKEND;
	return copy_domain_name(sid, cap, text);
}

/* The SIDs of a logon: sid, then each of the space-separated group_sids. */
static struct wbcDomainSid *logon_sids(const char *sid, const char *group_sids, uint32_t *n)
{
	size_t cap = 1;
	for (const char *p = group_sids; p && *p; p++)
		cap += *p == ' ';
	cap += group_sids && *group_sids;
	struct wbcDomainSid *out = ntlm_calloc(cap, sizeof(*out));
	if (!out || !WBC_ERROR_IS_OK(wbcStringToSid(sid, &out[0]))) {
		free(out);
		return NULL;
	}
	*n = 1;
	char one[WBC_SID_STRING_BUFLEN];
	for (const char *p = group_sids; p && *p && *n < cap;) {
		size_t len = strcspn(p, " ");
		if (len && len < sizeof(one)) {
			memcpy(one, p, len);
			one[len] = '\0';
			if (WBC_ERROR_IS_OK(wbcStringToSid(one, &out[*n])))
				(*n)++;
		}
		p += len;
		p += strspn(p, " ");
	}
	return out;
}

void acct_winbind_alias_member(const char *alias, const char *sid, const char *group_sids,
                               int *member)
{
	*member = 0;
	struct wbcDomainSid dom;
	uint32_t n = 0, n_rids = 0, *rids = NULL;
	if (!sid || !WBC_ERROR_IS_OK(wbcStringToSid(alias, &dom)) || dom.num_auths < 1)
		return;
	uint32_t rid = dom.sub_auths[--dom.num_auths]; /* the alias in its domain */
	struct wbcDomainSid *sids = logon_sids(sid, group_sids, &n);
	struct wbcContext *wb = sids ? wbcCtxCreate() : NULL;
	if (wb && WBC_ERROR_IS_OK(wbcCtxGetSidAliases(wb, &dom, sids, n, &rids, &n_rids)))
		for (uint32_t i = 0; i < n_rids; i++)
			*member |= rids[i] == rid;
	wbcFreeMemory(rids);
	wbcCtxFree(wb);
	free(sids);
}

/* ------------------------------------------- winbindd's credential cache */

/*
 * What winbindd says about the cache. It answers a request it refuses with
 * no reason (no entry, another uid's entry, a CHALLENGE it could not
 * answer all look the same), so everything but "not running" and "out of
 * memory" is "no credentials for you".
 */
static ntlm_err map_ccache_error(wbcErr wrc)
{
	switch (wrc) {
	case WBC_ERR_WINBIND_NOT_AVAILABLE:
		return NTLM_E_BACKEND;
	case WBC_ERR_NO_MEMORY:
		return NTLM_E_NO_MEMORY;
	default:
		return NTLM_E_NO_CREDENTIALS;
	}
}

static const struct wbcBlob *named_blob(const struct wbcCredentialCacheInfo *info, const char *name)
{
	for (size_t i = 0; info && i < info->num_blobs; i++)
		if (info->blobs[i].name && !strcmp(info->blobs[i].name, name))
			return &info->blobs[i].blob;
	return NULL;
}

/*
 * One request. No blobs: winbindd only checks that the entry is there and
 * ours. libwbclient reads the blobs through non-const pointers but copies
 * them. The NEGOTIATE goes as "negotiate_blob" (the name libwbclient 4.17
 * reads; the older "initial_blob" reaches no winbindd we could test), after
 * the CHALLENGE.
 */
static ntlm_err ccache_request(const char *domain, const char *user, struct wbcNamedBlob *blobs,
                               size_t n, struct wbcCredentialCacheInfo **info)
{
	if (!user || !*user)
		return NTLM_E_INVALID_PARAMETER;
	struct wbcCredentialCacheParams params;
	memset(&params, 0, sizeof(params));
	params.account_name = user;
	params.domain_name = domain && *domain ? domain : NULL;
	params.level = WBC_CREDENTIAL_CACHE_LEVEL_NTLMSSP;
	params.num_blobs = n;
	params.blobs = n ? blobs : NULL;
	struct wbcContext *wb = wbcCtxCreate();
	if (!wb)
		return NTLM_E_NO_MEMORY;
	struct wbcAuthErrorInfo *err = NULL;
	wbcErr wrc = wbcCtxCredentialCache(wb, &params, info, &err);
	wbcFreeMemory(err);
	wbcCtxFree(wb);
	return WBC_ERROR_IS_OK(wrc) ? NTLM_OK : map_ccache_error(wrc);
}

/* Frees winbindd's answer, the session key in it wiped first. */
static void free_ccache_info(struct wbcCredentialCacheInfo *info)
{
	for (size_t i = 0; info && i < info->num_blobs; i++)
		if (info->blobs[i].blob.data)
			ntlm_memzero(info->blobs[i].blob.data, info->blobs[i].blob.length);
	wbcFreeMemory(info);
}

ntlm_err wb_ccache_probe(const char *domain, const char *user)
{
	struct wbcCredentialCacheInfo *info = NULL;
	ntlm_err rc = ccache_request(domain, user, NULL, 0, &info);
	free_ccache_info(info);
	return rc;
}

static void set_blob(struct wbcNamedBlob *b, const char *name, const uint8_t *data, size_t len)
{
	b->name = name;
	b->flags = 0;
	b->blob.data = (uint8_t *)(uintptr_t)data;
	b->blob.length = len;
}

ntlm_err wb_ccache_answer(const char *domain, const char *user, const uint8_t *negotiate,
                          size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                          ntlm_buffer *auth, uint8_t session_key[NTLM_SESSION_KEY_SIZE])
{
	auth->data = NULL;
	auth->len = 0;
	if (!negotiate || !negotiate_len || !challenge || !challenge_len)
		return NTLM_E_INVALID_PARAMETER;
	struct wbcNamedBlob blobs[2];
	set_blob(&blobs[0], "challenge_blob", challenge, challenge_len);
	set_blob(&blobs[1], "negotiate_blob", negotiate, negotiate_len);
	struct wbcCredentialCacheInfo *info = NULL;
	ntlm_err rc = ccache_request(domain, user, blobs, 2, &info);
	const struct wbcBlob *msg = named_blob(info, "auth_blob");
	const struct wbcBlob *key = named_blob(info, "session_key");
	/* winbindd's answer is checked like any peer's: present, sized, bounded */
	if (rc == NTLM_OK && (!msg || !msg->data || !msg->length || msg->length > UINT16_MAX || !key ||
	                      !key->data || key->length != NTLM_SESSION_KEY_SIZE))
		rc = NTLM_E_BACKEND;
	if (rc == NTLM_OK && !(auth->data = ntlm_calloc(1, msg->length)))
		rc = NTLM_E_NO_MEMORY;
	if (rc == NTLM_OK) {
		memcpy(auth->data, msg->data, msg->length);
		auth->len = msg->length;
		memcpy(session_key, key->data, NTLM_SESSION_KEY_SIZE);
	}
	free_ccache_info(info);
	return rc;
}
