/*
 * gss_ntlm.h - the GSSAPI face: an MIT krb5 mechglue module for NTLMSSP
 * (OID 1.3.6.1.4.1.311.2.2.10) over the public API of libntlmssp.so.
 *
 * The mechglue loads the module named in a mech.d file and looks up each
 * gss_* / gssspi_* entry point by name (dlsym): the module exports exactly
 * those (gssntlm.map) and never calls one of them itself, since a call by
 * that name could resolve back through the glue. Everything else is hidden.
 * The module does not link libgssapi_krb5: the OIDs it needs are its own
 * constants, and the buffers, OID sets and buffer sets it returns are
 * malloc'ed, which is what the glue's release functions free.
 */
#ifndef GSS_NTLM_H
#define GSS_NTLM_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

#define GN_EXPORT __attribute__((visibility("default")))

/* The mechglue's SPI entry points, which no public header declares. */
OM_uint32 gssspi_acquire_cred_with_password(OM_uint32 *minor, const gss_name_t name,
                                            const gss_buffer_t password, OM_uint32 time_req,
                                            const gss_OID_set mechs, gss_cred_usage_t usage,
                                            gss_cred_id_t *out, gss_OID_set *actual,
                                            OM_uint32 *time_rec);
OM_uint32 gssspi_import_name_by_mech(OM_uint32 *minor, gss_const_OID mech, gss_buffer_t in,
                                     gss_OID type, gss_name_t *out);
OM_uint32 gssspi_set_cred_option(OM_uint32 *minor, gss_cred_id_t *cred, const gss_OID what,
                                 const gss_buffer_t value);
OM_uint32 gssspi_mech_invoke(OM_uint32 *minor, const gss_OID mech, const gss_OID what,
                             gss_buffer_t value);

/* gss-ntlmssp's request flag for connectionless mode (gssapi_ntlmssp.h). */
#define GN_DATAGRAM_FLAG 0x10000u

/* ----------------------------------------------------------- the OIDs */

extern const gss_OID_desc gn_mech_oid;       /* 1.3.6.1.4.1.311.2.2.10 */
extern const gss_OID_desc gn_nt_user;        /* GSS_C_NT_USER_NAME */
extern const gss_OID_desc gn_nt_hostbased;   /* GSS_C_NT_HOSTBASED_SERVICE */
extern const gss_OID_desc gn_nt_hostbased_x; /* the older 1.3.6.1.5.6.2 */
extern const gss_OID_desc gn_nt_anonymous;   /* GSS_C_NT_ANONYMOUS */
extern const gss_OID_desc gn_nt_export;      /* GSS_C_NT_EXPORT_NAME */
extern const gss_OID_desc gn_nt_string_uid;  /* GSS_C_NT_STRING_UID_NAME */
extern const gss_OID_desc gn_nt_machine_uid; /* GSS_C_NT_MACHINE_UID_NAME */

int gn_oid_equal(gss_const_OID a, gss_const_OID b);

/* ----------------------------------------------------- result helpers */

/*
 * The result helpers are inline so callers (and the static analyzer) see
 * that a failure never comes back as GSS_S_COMPLETE.
 * gn_major_for: the GSS major status that says what an ntlm_err says;
 * gn_fail: stores why in *minor and returns its major status; gn_fail_as:
 * the same with the major status given; gn_ok: *minor = 0, GSS_S_COMPLETE.
 */
static inline OM_uint32 gn_ok(OM_uint32 *minor)
{
	if (minor)
		*minor = 0;
	return GSS_S_COMPLETE;
}

/* Which GSS major status says what an ntlm_err says. */
static inline OM_uint32 gn_major_for(ntlm_err why)
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

static inline OM_uint32 gn_fail(OM_uint32 *minor, ntlm_err why)
{
	if (minor)
		*minor = (OM_uint32)why;
	return gn_major_for(why);
}

static inline OM_uint32 gn_fail_as(OM_uint32 *minor, ntlm_err why, OM_uint32 major)
{
	if (minor)
		*minor = (OM_uint32)why;
	return major;
}

/* out = a malloc'ed copy of p[0..n) (NUL-terminated past the end for strings). */
OM_uint32 gn_buffer(OM_uint32 *minor, gss_buffer_t out, const void *p, size_t n);
/* Appends a copy of p[0..n) to *set (created if empty). */
OM_uint32 gn_buffer_set_add(OM_uint32 *minor, gss_buffer_set_t *set, const void *p, size_t n);
/* A new OID set holding copies of the given OIDs. */
OM_uint32 gn_oid_set(OM_uint32 *minor, gss_OID_set *out, const gss_OID_desc *const *oids, size_t n);
/* A malloc'ed copy of an OID (NULL when out of memory). */
gss_OID gn_oid_copy(const gss_OID_desc *oid);
/* A NUL-terminated copy of a GSS buffer ("" for none); NULL only when out of memory. */
char *gn_buffer_string(const gss_buffer_t b);

/*
 * The debug log ($GSSNTLMSSP_DEBUG, gss-ntlmssp's variable): one line for
 * fn's result (errors only when errors_only); returns major.
 */
OM_uint32 gn_trace(const char *fn, OM_uint32 major, const OM_uint32 *minor, int errors_only);

/* -------------------------------------------------------------- names */

typedef enum gn_kind { GN_USER = 1, GN_SERVICE, GN_ANON } gn_kind;

typedef struct gn_name {
	gn_kind kind;
	char *domain;    /* user: the domain part ("" for none) */
	char *user;      /* user: the user name; service: the service ("HTTP") */
	char *host;      /* service: the host ("" for none) */
	char *unix_user; /* an authenticated peer: the mapped local account ("" if none) */
	char *sid;       /* an authenticated domain user: the account's SID ("" if none) */
	char *groups;    /* its group SIDs, space-separated, primary group first ("" if none) */
	int authenticated;
} gn_name;

NTLM_MUST_CHECK ntlm_err gn_name_new(gn_name **out, gn_kind kind, const char *domain,
                                     const char *user, const char *host);
/* Parses "DOMAIN\\user", "user@domain" (kept whole, as a UPN) or "user". */
NTLM_MUST_CHECK ntlm_err gn_name_user(gn_name **out, const char *text);
NTLM_MUST_CHECK ntlm_err gn_name_copy(gn_name **out, const gn_name *in);
void gn_name_free(gn_name *n);
/* "service/host" (an SPN, as MsvAvTargetName carries it); NULL when out of memory. */
char *gn_name_spn(const gn_name *n);
/* The authenticated peer of an acceptor context. */
NTLM_MUST_CHECK ntlm_err gn_name_from_peer(gn_name **out, ntlm_ctx *ctx);

/* -------------------------------------------------------- credentials */

typedef enum gn_src { GN_SRC_NONE = 0, GN_SRC_HASH, GN_SRC_FILE, GN_SRC_ANON } gn_src;
typedef enum gn_store_kind {
	GN_STORE_NONE = 0,
	GN_STORE_SMBPASSWD,
	GN_STORE_USERFILE,
	GN_STORE_WINBIND
} gn_store_kind;

typedef struct gn_cred {
	/*
	 * Holders: the application's handle plus every context still in its
	 * handshake (an acceptor's server context uses the store and the audit
	 * path until the AUTHENTICATE is verified; mod_auth_gssapi releases its
	 * credential between the two requests of one handshake).
	 */
	atomic_uint refs;
	gss_cred_usage_t usage;
	gn_name *name; /* NULL: the default identity */
	/* initiator */
	ntlm_cred *client;
	gn_src src;          /* how client was made (what export_cred writes) */
	uint8_t nt_hash[16]; /* GN_SRC_HASH */
	char *file;          /* GN_SRC_FILE: the user file ("" = $NTLM_USER_FILE) */
	char *domain, *user; /* the identity (GN_SRC_HASH, GN_SRC_FILE lookups) */
	uint32_t neg_flags;  /* set_cred_option(NEG_FLAGS); 0 = the library's default */
	/* acceptor */
	ntlm_account_store *store; /* what verifies: one store, or the chain of links */
	gn_store_kind store_kind;
	char *store_path;
	char *winbind_domain; /* GN_STORE_WINBIND: accept only this domain's users (NULL: any) */
	/* a domain member's chain (winbind first, then a local account): */
	ntlm_account_store *links[2]; /* the domain and the local store the chain uses */
	gn_store_kind local_kind;     /* GN_STORE_SMBPASSWD or _USERFILE; NONE: no chain */
	char *local_path;
	int fallback_unreachable;            /* also fall back when the domain cannot be asked */
	char nb_domain[64], dns_domain[256]; /* winbind's domain names for the CHALLENGE ("": ours) */
	char *spn;                           /* the service names the SPN check accepts (NULL: any) */
	char *policy_path; /* ntlmssp_policy: a policy file instead of the system one */
	ntlm_policy policy;
	int have_policy;
	char *audit_path; /* ntlmssp_audit: append one JSON line per logon */
} gn_cred;

/* A new credential with one holder (NULL when out of memory). */
gn_cred *gn_cred_new(gss_cred_usage_t usage);
/* One more holder; returns c. */
gn_cred *gn_cred_hold(gn_cred *c);
/* Drops one holder; the last one wipes and frees. NULL-safe. */
void gn_cred_free(gn_cred *c);
/* The default initiator (anon: the anonymous identity) or acceptor credential. */
OM_uint32 gn_cred_default(OM_uint32 *minor, gss_cred_usage_t usage, int anon, gn_cred **out);

/* ----------------------------------------------------------- contexts */

typedef struct gn_ctx {
	ntlm_ctx *ntlm;
	gn_cred *own_cred; /* the credential the handshake uses, held (or a default the context
	                      made); dropped once established */
	gn_name *target;   /* initiator: the target as given */
	int initiator;
	int open;
	OM_uint32 flags;  /* the GSS flags granted (ret_flags) */
	int64_t expiry;   /* 0: no end (NTLM contexts do not expire by themselves) */
	uint32_t dg_seq;  /* connectionless mode: the sequence number set by the caller */
	int spnego_asked; /* SPNEGO asked for require-MIC before the AUTHENTICATE */
} gn_ctx;

void gn_ctx_free(gn_ctx *g);
/* The GSS flags an established context grants. */
OM_uint32 gn_ctx_gss_flags(const gn_ctx *g);
/* Seconds left (GSS_C_INDEFINITE for none), 0 once expired. */
OM_uint32 gn_ctx_lifetime(const gn_ctx *g);

/* -------------------------------------------------- session security */
/* gss_protect.c: the only file calling the library's sign/seal functions. */

typedef enum gn_op { GN_SIGN, GN_SEAL, GN_VERIFY, GN_UNSEAL } gn_op;
/* Runs op over the segments (NTLM_IOV_*), with the connectionless counter when datagram. */
NTLM_MUST_CHECK ntlm_err gn_protect(gn_ctx *g, gn_op op, ntlm_iov *iov, size_t n);
/* Whether wrap seals (sealing negotiated) or only signs. */
int gn_seals(const gn_ctx *g);

#endif
