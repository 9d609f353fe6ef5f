/*
 * gss_creds.c - credentials. An initiator credential is an NTLM identity
 * (a password or NT hash given through the credential store or
 * gssspi_acquire_cred_with_password, or an entry of the gss-ntlmssp user
 * file, or the anonymous identity); an acceptor credential is an account
 * store plus the service name the SPN check accepts, a policy and an
 * optional audit log. Where each comes from is documented in docs/gssapi.md.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "gss_ntlm.h"
#include "mem.h"
#include "sys.h"
#include "text.h"
#include "try.h"

/* Credential-store keys: gss-ntlmssp's, then ours. */
#define CS_DOMAIN   "ntlmssp_domain"
#define CS_NTHASH   "ntlmssp_nthash"
#define CS_PASSWORD "ntlmssp_password"
#define CS_KEYFILE  "ntlmssp_keyfile"
#define CS_ACCOUNTS "ntlmssp_accounts"
#define CS_POLICY   "ntlmssp_policy"
#define CS_AUDIT    "ntlmssp_audit"
/* the domain through winbind, and a domain member's local fallback (docs/gssapi.md) */
#define CS_WINBIND              "ntlmssp_winbind"
#define CS_FALLBACK_ACCOUNTS    "ntlmssp_fallback_accounts"
#define CS_FALLBACK_KEYFILE     "ntlmssp_fallback_keyfile"
#define CS_FALLBACK_UNREACHABLE "ntlmssp_fallback_unreachable"

/* The acceptor's account file when nothing names one (as the SSPI face's). */
#define DEFAULT_ACCOUNT_FILE "/etc/ntlmssp/smbpasswd"

static const char *cs_get(gss_const_key_value_set_t cs, const char *key)
{
	if (!cs)
		return NULL;
	for (OM_uint32 i = 0; i < cs->count; i++)
		if (cs->elements[i].key && strcmp(cs->elements[i].key, key) == 0)
			return cs->elements[i].value;
	return NULL;
}

gn_cred *gn_cred_new(gss_cred_usage_t usage)
{
	gn_cred *c = calloc(1, sizeof(*c));
	if (c) {
		atomic_init(&c->refs, 1);
		c->usage = usage;
	}
	return c;
}

gn_cred *gn_cred_hold(gn_cred *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

void gn_cred_free(gn_cred *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) > 1)
		return;
	gn_name_free(c->name);
	ntlm_cred_free(c->client);
	ntlm_account_store_free(c->store);
	free(c->file);
	free(c->domain);
	free(c->user);
	ntlm_account_store_free(c->links[0]); /* after the chain that uses them */
	ntlm_account_store_free(c->links[1]);
	free(c->store_path);
	free(c->winbind_domain);
	free(c->local_path);
	free(c->spn);
	free(c->policy_path);
	free(c->audit_path);
	ntlm_free_secret(c, sizeof(*c));
}

/*
 * gss-ntlmssp's LM_COMPAT_LEVEL (Windows' LmCompatibilityLevel), when set,
 * for an initiator only: below 3 it may answer with NTLMv1 (a peer that
 * accepts nothing better). An acceptor takes what the policy allows
 * (NTLMv2 only by default), never loosened by the environment.
 */
static void apply_lm_compat(ntlm_policy *p, gss_cred_usage_t usage)
{
	const char *v = getenv("LM_COMPAT_LEVEL");
	if (usage != GSS_C_INITIATE || !v || *v < '0' || *v > '5' || v[1])
		return;
	if (*v < '3') {
		p->allowed_responses = NTLM_RESP_NTLMV1;
		/* NTLMv1 without key exchange is what such peers speak */
		p->min_security &= ~(uint32_t)(NTLM_SEC_KEY_EXCH | NTLM_SEC_ESS);
	} else {
		p->allowed_responses = NTLM_RESP_NTLMV2;
	}
}

static ntlm_err load_policy(gn_cred *c, gss_const_key_value_set_t cs)
{
	const char *path = cs_get(cs, CS_POLICY);
	ntlm_policy_init(&c->policy);
	ntlm_err rc = ntlm_policy_load(&c->policy, path, NULL);
	if (rc != NTLM_OK)
		return rc;
	if (path && !(c->policy_path = strdup(path)))
		return NTLM_E_NO_MEMORY;
	apply_lm_compat(&c->policy, c->usage);
	c->have_policy = 1;
	return NTLM_OK;
}

/* ------------------------------------------------------- initiator */

static ntlm_err client_from_hash(gn_cred *c)
{
	c->src = GN_SRC_HASH;
	return ntlm_cred_nthash(&c->client, c->domain, c->user, c->nt_hash);
}

static ntlm_err client_from_file(gn_cred *c, const char *file)
{
	c->src = GN_SRC_FILE;
	if (!(c->file = strdup(file ? file : "")))
		return NTLM_E_NO_MEMORY;
	/* an empty domain in the name matches any entry's */
	const char *domain = c->domain && *c->domain ? c->domain : NULL;
	return ntlm_cred_from_file(&c->client, file, domain, c->user);
}

static ntlm_err acquire_initiator(gn_cred *c, gss_const_key_value_set_t cs, const char *password)
{
	if (c->name && c->name->kind == GN_ANON) {
		c->src = GN_SRC_ANON;
		return ntlm_cred_anonymous(&c->client);
	}
	const char *domain = cs_get(cs, CS_DOMAIN);
	if (!domain && c->name)
		domain = c->name->domain;
	if (!(c->domain = strdup(domain ? domain : "")))
		return NTLM_E_NO_MEMORY;
	if (c->name && !(c->user = strdup(c->name->user)))
		return NTLM_E_NO_MEMORY;
	if (!password)
		password = cs_get(cs, CS_PASSWORD);
	const char *hash = cs_get(cs, CS_NTHASH);
	if ((password || hash) && !c->user)
		return NTLM_E_NO_CREDENTIALS; /* a secret needs a name to go with it */
	if (password) {
		ntlm_err rc = ntlm_nt_hash(password, c->nt_hash);
		return rc != NTLM_OK ? rc : client_from_hash(c);
	}
	if (hash) {
		ntlm_err rc = ntlm_hex_decode(hash, c->nt_hash, sizeof(c->nt_hash));
		return rc != NTLM_OK ? NTLM_E_NO_CREDENTIALS : client_from_hash(c);
	}
	return client_from_file(c, cs_get(cs, CS_KEYFILE));
}

/* -------------------------------------------------------- acceptor */

static ntlm_err open_file_store(gn_store_kind kind, const char *path, ntlm_account_store **out)
{
	if (kind == GN_STORE_SMBPASSWD)
		return ntlm_account_store_smbpasswd(out, path);
	if (kind == GN_STORE_USERFILE)
		return ntlm_account_store_userfile(out, path);
	return NTLM_E_NO_CREDENTIALS;
}

/*
 * The domain through winbind; with a local fallback, the chained store
 * (ntlm_account_store_chain: a foreign domain's client may be represented by
 * the local account of the same name, never a domain user whose logon
 * failed). winbind's own domain names go in the CHALLENGE unless
 * NETBIOS_DOMAIN_NAME says otherwise (as gss-ntlmssp does); without
 * winbindd at hand the CHALLENGE keeps the defaults.
 */
static ntlm_err open_domain(gn_cred *c)
{
	if (!getenv("NETBIOS_DOMAIN_NAME") &&
	    ntlm_winbind_domain_names(c->nb_domain, sizeof(c->nb_domain), c->dns_domain,
	                              sizeof(c->dns_domain)) != NTLM_OK)
		c->nb_domain[0] = c->dns_domain[0] = '\0';
	if (c->local_kind == GN_STORE_NONE)
		return ntlm_account_store_winbind(&c->store, c->winbind_domain);
	NTLM_TRY(ntlm_account_store_winbind(&c->links[0], c->winbind_domain));
	NTLM_TRY(open_file_store(c->local_kind, c->local_path, &c->links[1]));
	return ntlm_account_store_chain(&c->store, c->links[0], c->links[1],
	                                c->fallback_unreachable ? NTLM_CHAIN_FALLBACK_UNREACHABLE : 0);
}

static ntlm_err open_store(gn_cred *c)
{
	if (c->store_kind == GN_STORE_WINBIND)
		return open_domain(c);
	if (c->local_kind != GN_STORE_NONE)
		return NTLM_E_INVALID_PARAMETER; /* only a domain store falls back */
	return open_file_store(c->store_kind, c->store_path, &c->store);
}

/* "1" / "yes" / "true" / "on", "0" / "no" / "false" / "off" / "": anything else is a mistake. */
static int word_in(const char *v, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(v, words[i]) == 0)
			return 1;
	return 0;
}

static ntlm_err parse_yes_no(const char *v, int *out)
{
	static const char *const yes[] = {"1", "yes", "true", "on"};
	static const char *const no[] = {"", "0", "no", "false", "off"};
	*out = word_in(v, yes, sizeof(yes) / sizeof(yes[0]));
	if (*out || word_in(v, no, sizeof(no) / sizeof(no[0])))
		return NTLM_OK;
	return NTLM_E_INVALID_PARAMETER;
}

/*
 * A domain member's local fallback: the credential store's keys, else (no
 * fallback key given, the domain verifying) $NTLM_FALLBACK_ACCOUNT_FILE and
 * $NTLM_FALLBACK_WHEN_UNREACHABLE. A fallback with an account file as the
 * primary store, or "when unreachable" without a fallback, is refused: a
 * setting that would silently do nothing, or something else, is a mistake.
 */
static ntlm_err choose_fallback(gn_cred *c, gss_const_key_value_set_t cs, int fallback_keys)
{
	const char *p, *unreachable = cs_get(cs, CS_FALLBACK_UNREACHABLE);
	if ((p = cs_get(cs, CS_FALLBACK_ACCOUNTS)) != NULL) {
		c->local_kind = GN_STORE_SMBPASSWD;
	} else if ((p = cs_get(cs, CS_FALLBACK_KEYFILE)) != NULL) {
		c->local_kind = GN_STORE_USERFILE;
	} else if (!fallback_keys && c->store_kind == GN_STORE_WINBIND &&
	           (p = ntlm_secure_getenv("NTLM_FALLBACK_ACCOUNT_FILE")) != NULL && *p) {
		c->local_kind = GN_STORE_SMBPASSWD;
		unreachable = ntlm_secure_getenv("NTLM_FALLBACK_WHEN_UNREACHABLE");
	}
	if (unreachable)
		NTLM_TRY(parse_yes_no(unreachable, &c->fallback_unreachable));
	if (c->local_kind == GN_STORE_NONE || !p)
		return c->fallback_unreachable ? NTLM_E_INVALID_PARAMETER : NTLM_OK;
	if (c->store_kind != GN_STORE_WINBIND || !*p)
		return NTLM_E_INVALID_PARAMETER;
	return (c->local_path = strdup(p)) ? NTLM_OK : NTLM_E_NO_MEMORY;
}

/*
 * Which accounts verify logons, first match: the credential store's
 * ntlmssp_accounts (smbpasswd) or ntlmssp_keyfile (gss-ntlmssp user file),
 * ntlmssp_winbind or a fallback key (the domain), $NTLM_ACCOUNT_FILE
 * (smbpasswd), $NTLM_USER_FILE (user file), then /etc/ntlmssp/smbpasswd
 * when it exists, else the domain through winbind.
 */
static ntlm_err choose_store(gn_cred *c, gss_const_key_value_set_t cs)
{
	const char *p, *wb = cs_get(cs, CS_WINBIND);
	int fallback_keys = cs_get(cs, CS_FALLBACK_ACCOUNTS) || cs_get(cs, CS_FALLBACK_KEYFILE) ||
	                    cs_get(cs, CS_FALLBACK_UNREACHABLE);
	if ((p = cs_get(cs, CS_ACCOUNTS)) != NULL) {
		c->store_kind = GN_STORE_SMBPASSWD;
	} else if ((p = cs_get(cs, CS_KEYFILE)) != NULL) {
		c->store_kind = GN_STORE_USERFILE;
	} else if (wb || fallback_keys) {
		p = NULL;
		c->store_kind = GN_STORE_WINBIND;
	} else if ((p = ntlm_secure_getenv("NTLM_ACCOUNT_FILE")) != NULL && *p) {
		c->store_kind = GN_STORE_SMBPASSWD;
	} else if ((p = ntlm_secure_getenv("NTLM_USER_FILE")) != NULL && *p) {
		c->store_kind = GN_STORE_USERFILE;
	} else if (access(DEFAULT_ACCOUNT_FILE, F_OK) == 0) {
		p = DEFAULT_ACCOUNT_FILE;
		c->store_kind = GN_STORE_SMBPASSWD;
	} else {
		p = NULL;
		c->store_kind = GN_STORE_WINBIND;
	}
	if (p && !(c->store_path = strdup(p)))
		return NTLM_E_NO_MEMORY;
	/* "*" or "": users of any domain winbindd serves */
	if (wb && *wb && strcmp(wb, "*") != 0 && !(c->winbind_domain = strdup(wb)))
		return NTLM_E_NO_MEMORY;
	if (wb && c->store_kind != GN_STORE_WINBIND)
		return NTLM_E_INVALID_PARAMETER;
	return choose_fallback(c, cs, fallback_keys);
}

static ntlm_err acquire_acceptor(gn_cred *c, gss_const_key_value_set_t cs)
{
	NTLM_TRY(choose_store(c, cs));
	const char *audit = cs_get(cs, CS_AUDIT);
	if (!audit)
		audit = ntlm_secure_getenv("NTLMSSP_AUDIT_LOG");
	if (audit && *audit && !(c->audit_path = strdup(audit)))
		return NTLM_E_NO_MEMORY;
	if (c->name && c->name->kind == GN_SERVICE && !(c->spn = gn_name_spn(c->name)))
		return NTLM_E_NO_MEMORY;
	return open_store(c);
}

/* ----------------------------------------------------------- both */

static ntlm_err cred_build(gn_cred *c, gss_const_key_value_set_t cs, const char *password)
{
	ntlm_err rc = load_policy(c, cs);
	if (rc == NTLM_OK && c->usage != GSS_C_ACCEPT)
		rc = acquire_initiator(c, cs, password);
	if (rc == NTLM_OK && c->usage != GSS_C_INITIATE)
		rc = acquire_acceptor(c, cs);
	return rc;
}

static OM_uint32 acquire(OM_uint32 *minor, gss_name_t name, gss_cred_usage_t usage,
                         gss_const_key_value_set_t cs, const char *password, gss_cred_id_t *out,
                         gss_OID_set *actual, OM_uint32 *time_rec)
{
	static const gss_OID_desc *const mechs[] = {&gn_mech_oid};
	if (!out)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	*out = GSS_C_NO_CREDENTIAL;
	if (usage != GSS_C_INITIATE && usage != GSS_C_ACCEPT && usage != GSS_C_BOTH)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_FAILURE);
	gn_cred *c = gn_cred_new(usage);
	if (!c)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	ntlm_err rc = name ? gn_name_copy(&c->name, (const gn_name *)name) : NTLM_OK;
	if (rc == NTLM_OK)
		rc = cred_build(c, cs, password);
	if (rc != NTLM_OK) {
		gn_cred_free(c);
		return gn_fail_as(minor, rc, rc == NTLM_E_NO_MEMORY ? GSS_S_FAILURE : GSS_S_NO_CRED);
	}
	if (actual && gn_oid_set(minor, actual, mechs, 1) != GSS_S_COMPLETE) {
		gn_cred_free(c);
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	}
	if (time_rec)
		*time_rec = GSS_C_INDEFINITE;
	*out = (gss_cred_id_t)c;
	return gn_ok(minor);
}

OM_uint32 gn_cred_default(OM_uint32 *minor, gss_cred_usage_t usage, int anon, gn_cred **out)
{
	gss_name_t name = GSS_C_NO_NAME;
	gn_name *n = NULL;
	if (anon) {
		ntlm_err rc = gn_name_new(&n, GN_ANON, NULL, NULL, NULL);
		if (rc != NTLM_OK)
			return gn_fail(minor, rc);
		name = (gss_name_t)n;
	}
	gss_cred_id_t c;
	OM_uint32 major = acquire(minor, name, usage, NULL, NULL, &c, NULL, NULL);
	gn_name_free(n);
	*out = major == GSS_S_COMPLETE ? (gn_cred *)c : NULL;
	return major;
}

GN_EXPORT OM_uint32 gss_acquire_cred_from(OM_uint32 *minor, gss_name_t name, OM_uint32 time_req,
                                          gss_OID_set mechs, gss_cred_usage_t usage,
                                          gss_const_key_value_set_t cs, gss_cred_id_t *out,
                                          gss_OID_set *actual, OM_uint32 *time_rec)
{
	return gn_trace(__func__, acquire(minor, name, usage, cs, NULL, out, actual, time_rec), minor,
	                0);
}

GN_EXPORT OM_uint32 gss_acquire_cred(OM_uint32 *minor, gss_name_t name, OM_uint32 time_req,
                                     gss_OID_set mechs, gss_cred_usage_t usage, gss_cred_id_t *out,
                                     gss_OID_set *actual, OM_uint32 *time_rec)
{
	return gn_trace(__func__, acquire(minor, name, usage, NULL, NULL, out, actual, time_rec), minor,
	                0);
}

GN_EXPORT OM_uint32 gssspi_acquire_cred_with_password(OM_uint32 *minor, const gss_name_t name,
                                                      const gss_buffer_t password,
                                                      OM_uint32 time_req, const gss_OID_set mechs,
                                                      gss_cred_usage_t usage, gss_cred_id_t *out,
                                                      gss_OID_set *actual, OM_uint32 *time_rec)
{
	if (!name || !password)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	char *pw = gn_buffer_string(password);
	if (!pw)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	OM_uint32 major = acquire(minor, name, usage, NULL, pw, out, actual, time_rec);
	ntlm_free_secret(pw, strlen(pw) + 1);
	return gn_trace(__func__, major, minor, 0);
}

GN_EXPORT OM_uint32 gss_release_cred(OM_uint32 *minor, gss_cred_id_t *cred)
{
	if (!cred)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_WRITE);
	gn_cred_free((gn_cred *)*cred);
	*cred = GSS_C_NO_CREDENTIAL;
	return gn_ok(minor);
}

/*
 * An acceptor acquired without a name answers for this host: "host@<name>"
 * (mod_auth_gssapi's Basic path asks for the credential's name, and the
 * mechglue cannot represent "no name").
 */
static ntlm_err acceptor_host_name(gn_name **out)
{
	char host[256];
	if (gethostname(host, sizeof(host) - 1) != 0)
		return NTLM_E_INTERNAL;
	host[sizeof(host) - 1] = '\0';
	return gn_name_new(out, GN_SERVICE, NULL, "host", host);
}

static OM_uint32 inquire(OM_uint32 *minor, gss_cred_id_t cred, gss_name_t *name,
                         gss_cred_usage_t *usage)
{
	gn_cred *own = NULL;
	const gn_cred *c = (const gn_cred *)cred;
	if (!c) { /* the default credential is what the caller asks about */
		OM_uint32 major = gn_cred_default(minor, GSS_C_INITIATE, 0, &own);
		if (!own)
			return major == GSS_S_COMPLETE ? GSS_S_NO_CRED : major;
		c = own;
	}
	OM_uint32 major = gn_ok(minor);
	if (name) {
		*name = GSS_C_NO_NAME;
		gn_name *n = NULL;
		ntlm_err rc = NTLM_OK;
		if (c->name)
			rc = gn_name_copy(&n, c->name);
		else if (c->user)
			rc = gn_name_new(&n, GN_USER, c->domain, c->user, NULL);
		else if (c->usage == GSS_C_ACCEPT)
			rc = acceptor_host_name(&n);
		if (rc != NTLM_OK)
			major = gn_fail(minor, rc);
		*name = (gss_name_t)n;
	}
	if (usage)
		*usage = c->usage;
	gn_cred_free(own);
	return major;
}

GN_EXPORT OM_uint32 gss_inquire_cred(OM_uint32 *minor, gss_cred_id_t cred, gss_name_t *name,
                                     OM_uint32 *lifetime, gss_cred_usage_t *usage,
                                     gss_OID_set *mechs)
{
	static const gss_OID_desc *const list[] = {&gn_mech_oid};
	if (lifetime)
		*lifetime = GSS_C_INDEFINITE;
	OM_uint32 major = inquire(minor, cred, name, usage);
	if (major == GSS_S_COMPLETE && mechs)
		major = gn_oid_set(minor, mechs, list, 1);
	return major;
}

GN_EXPORT OM_uint32 gss_inquire_cred_by_mech(OM_uint32 *minor, gss_cred_id_t cred, gss_OID mech,
                                             gss_name_t *name, OM_uint32 *init_lifetime,
                                             OM_uint32 *accept_lifetime, gss_cred_usage_t *usage)
{
	if (init_lifetime)
		*init_lifetime = GSS_C_INDEFINITE;
	if (accept_lifetime)
		*accept_lifetime = GSS_C_INDEFINITE;
	return inquire(minor, cred, name, usage);
}

/* gss-ntlmssp's negotiate-flags option: a uint32 in host order, the flags to request. */
static const gss_OID_desc neg_flags_oid = {11,
                                           (void *)"\x2b\x06\x01\x04\x01\xb7\x7d\x85\x0f\x01\x05"};

GN_EXPORT OM_uint32 gssspi_set_cred_option(OM_uint32 *minor, gss_cred_id_t *cred,
                                           const gss_OID what, const gss_buffer_t value)
{
	if (!cred || !*cred || !what)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	gn_cred *c = (gn_cred *)*cred;
	if (!gn_oid_equal(what, &neg_flags_oid))
		return gn_fail_as(minor, NTLM_E_UNSUPPORTED, GSS_S_UNAVAILABLE);
	if (!value || value->length != sizeof(uint32_t))
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_FAILURE);
	memcpy(&c->neg_flags, value->value, sizeof(uint32_t));
	return gn_ok(minor);
}

/* ------------------------------------------------ export and import */

/*
 * The token says how to make the credential again, not its state: "GNC2",
 * usage, source, store kind, name kind, the local fallback's kind, "fall
 * back when unreachable", flags, the NT hash (zero unless the source is
 * one), then the strings (u16 length each): domain, user, user file, store
 * path, SPN, policy path, audit path, winbind's domain filter, the local
 * fallback's path. It holds the NT hash: a secret, as gss-ntlmssp's is.
 */
static const uint8_t CRED_MAGIC[4] = {'G', 'N', 'C', '2'};

static void put_str(nb_writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	nb_write_u16le(w, (uint16_t)(n > 0xFFFF ? 0xFFFF : n));
	nb_write_bytes(w, s ? s : "", n > 0xFFFF ? 0xFFFF : n);
}

GN_EXPORT OM_uint32 gss_export_cred(OM_uint32 *minor, gss_cred_id_t cred, gss_buffer_t token)
{
	const gn_cred *c = (const gn_cred *)cred;
	if (!c)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_NO_CRED);
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, CRED_MAGIC, sizeof(CRED_MAGIC));
	nb_write_u8(&w, (uint8_t)c->usage);
	nb_write_u8(&w, (uint8_t)c->src);
	nb_write_u8(&w, (uint8_t)c->store_kind);
	nb_write_u8(&w, c->name ? (uint8_t)c->name->kind : 0);
	nb_write_u8(&w, (uint8_t)c->local_kind);
	nb_write_u8(&w, (uint8_t)c->fallback_unreachable);
	nb_write_u32le(&w, c->neg_flags);
	nb_write_bytes(&w, c->nt_hash, sizeof(c->nt_hash));
	const char *strs[] = {c->domain,      c->user,       c->file,           c->store_path, c->spn,
	                      c->policy_path, c->audit_path, c->winbind_domain, c->local_path};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		put_str(&w, strs[i]);
	ntlm_buffer b;
	ntlm_err rc = nb_writer_finish(&w, &b);
	if (rc != NTLM_OK)
		return gn_fail(minor, rc);
	OM_uint32 major = gn_buffer(minor, token, b.data, b.len);
	ntlm_buffer_free(&b);
	return major;
}

static ntlm_err get_str(nb_reader *r, char **out)
{
	uint16_t n;
	const uint8_t *p;
	NTLM_TRY(nb_read_u16le(r, &n));
	NTLM_TRY(nb_read_view(r, n, &p));
	if (memchr(p, '\0', n))
		return NTLM_E_BAD_STRING;
	*out = strndup((const char *)p, n);
	return *out ? NTLM_OK : NTLM_E_NO_MEMORY;
}

/* "" read back as absent, as export wrote an absent string. */
static void empty_to_null(char **s)
{
	if (*s && !**s) {
		free(*s);
		*s = NULL;
	}
}

static ntlm_err read_cred(nb_reader *r, gn_cred *c, uint8_t *name_kind)
{
	uint8_t usage, src, store, local, unreachable;
	NTLM_TRY(nb_expect(r, CRED_MAGIC, sizeof(CRED_MAGIC), NTLM_E_BAD_MESSAGE_TYPE));
	NTLM_TRY(nb_read_u8(r, &usage));
	NTLM_TRY(nb_read_u8(r, &src));
	NTLM_TRY(nb_read_u8(r, &store));
	NTLM_TRY(nb_read_u8(r, name_kind));
	NTLM_TRY(nb_read_u8(r, &local));
	NTLM_TRY(nb_read_u8(r, &unreachable));
	if (usage > GSS_C_ACCEPT || src > GN_SRC_ANON || store > GN_STORE_WINBIND ||
	    *name_kind > GN_ANON || local > GN_STORE_USERFILE || unreachable > 1)
		return NTLM_E_BAD_MESSAGE_TYPE;
	c->usage = usage;
	c->src = (gn_src)src;
	c->store_kind = (gn_store_kind)store;
	c->local_kind = (gn_store_kind)local;
	c->fallback_unreachable = unreachable;
	NTLM_TRY(nb_read_u32le(r, &c->neg_flags));
	NTLM_TRY(nb_read_bytes(r, c->nt_hash, sizeof(c->nt_hash)));
	char **strs[] = {&c->domain,      &c->user,       &c->file,           &c->store_path, &c->spn,
	                 &c->policy_path, &c->audit_path, &c->winbind_domain, &c->local_path};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		NTLM_TRY(get_str(r, strs[i]));
	for (size_t i = 3; i < sizeof(strs) / sizeof(strs[0]); i++)
		empty_to_null(strs[i]);
	return nb_remaining(r) == 0 ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE;
}

/* The credential made again from what read_cred restored. */
static ntlm_err rebuild(gn_cred *c, uint8_t name_kind)
{
	ntlm_err rc = NTLM_OK;
	if (name_kind == GN_ANON)
		rc = gn_name_new(&c->name, GN_ANON, NULL, NULL, NULL);
	else if (name_kind == GN_USER)
		rc = gn_name_new(&c->name, GN_USER, c->domain, c->user, NULL);
	if (rc != NTLM_OK)
		return rc;
	ntlm_policy_init(&c->policy);
	NTLM_TRY(ntlm_policy_load(&c->policy, c->policy_path, NULL));
	apply_lm_compat(&c->policy, c->usage);
	c->have_policy = 1;
	if (c->usage != GSS_C_ACCEPT) {
		if (c->src == GN_SRC_ANON)
			rc = ntlm_cred_anonymous(&c->client);
		else if (c->src == GN_SRC_HASH)
			rc = ntlm_cred_nthash(&c->client, c->domain, c->user, c->nt_hash);
		else if (c->src == GN_SRC_FILE)
			rc = ntlm_cred_from_file(&c->client, *c->file ? c->file : NULL,
			                         *c->domain ? c->domain : NULL, *c->user ? c->user : NULL);
		else
			rc = NTLM_E_BAD_MESSAGE_TYPE;
		if (rc != NTLM_OK)
			return rc;
	}
	return c->usage != GSS_C_INITIATE ? open_store(c) : NTLM_OK;
}

GN_EXPORT OM_uint32 gss_import_cred(OM_uint32 *minor, gss_buffer_t token, gss_cred_id_t *cred)
{
	if (!cred)
		return GSS_S_CALL_INACCESSIBLE_WRITE;
	*cred = GSS_C_NO_CREDENTIAL;
	if (!token || !token->value)
		return gn_fail_as(minor, NTLM_E_INVALID_PARAMETER, GSS_S_CALL_INACCESSIBLE_READ);
	gn_cred *c = gn_cred_new(0);
	if (!c)
		return gn_fail(minor, NTLM_E_NO_MEMORY);
	nb_reader r;
	uint8_t name_kind = 0;
	nb_reader_init(&r, token->value, token->length);
	ntlm_err rc = read_cred(&r, c, &name_kind);
	if (rc == NTLM_OK)
		rc = rebuild(c, name_kind);
	if (rc != NTLM_OK) {
		gn_cred_free(c);
		return gn_fail_as(minor, rc,
		                  rc == NTLM_E_NO_MEMORY ? GSS_S_FAILURE : GSS_S_DEFECTIVE_TOKEN);
	}
	*cred = (gss_cred_id_t)c;
	return gn_ok(minor);
}
