/*
 * sspi.c - the SSPI-shaped face (include/ntlmssp/sspi.h): Windows handles,
 * buffer descriptors and status codes translated to and from the native API.
 * No protocol logic lives here: every decision about messages, keys and
 * policy is the native engine's, and every ntlm_err it returns reaches the
 * caller through ntlm_err_sec_status().
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "ntlmssp/sspi.h"
#include "sys.h"
#include "text.h"
#include "try.h"

#define NTLM_SSPI_MAX_TOKEN            2888 /* what Windows announces for NTLM */
#define NTLM_SSPI_DEFAULT_ACCOUNT_FILE "/etc/ntlmssp/smbpasswd"

/* dwUpper of our handles: a credential handle is never taken for a context. */
#define CRED_MAGIC ((ULONG_PTR)0x6e746c63u) /* "ntlc" */
#define CTX_MAGIC  ((ULONG_PTR)0x6e746c78u) /* "ntlx" */

static SECURITY_STATUS status(ntlm_err rc)
{
	return (SECURITY_STATUS)ntlm_err_sec_status(rc);
}

static int failed(SECURITY_STATUS st)
{
	return st < 0; /* SEC_E_* have the severity bit set; SEC_I_* do not */
}

/* ------------------------------------------------------------ handles */

static void *handle_get(const SecHandle *h, ULONG_PTR magic)
{
	if (!h || h->dwUpper != magic || !h->dwLower)
		return NULL;
	return (void *)h->dwLower;
}

static void handle_set(SecHandle *h, void *obj, ULONG_PTR magic)
{
	h->dwLower = (ULONG_PTR)obj;
	h->dwUpper = magic;
}

/* NTLM contexts and credentials do not expire by themselves. */
static void never_expires(PTimeStamp ts)
{
	if (!ts)
		return;
	ts->LowPart = 0xFFFFFFFFu;
	ts->HighPart = 0x7FFFFFFF;
}

/* ------------------------------------------------- caller-owned buffers */

/*
 * What FreeContextBuffer releases starts after a header recording its size,
 * so it can be wiped (tokens, session keys) although the caller passes only
 * the pointer.
 */
typedef union ctxbuf_hdr {
	size_t len;
	max_align_t align;
} ctxbuf_hdr;

static void *ctxbuf_alloc(size_t len)
{
	if (len > SIZE_MAX - sizeof(ctxbuf_hdr))
		return NULL;
	ctxbuf_hdr *h = ntlm_calloc(1, sizeof(*h) + len);
	if (!h)
		return NULL;
	h->len = len;
	return h + 1;
}

NTLM_API SECURITY_STATUS ntlm_sspi_FreeContextBuffer(void *pvContextBuffer)
{
	if (!pvContextBuffer)
		return SEC_E_OK;
	ctxbuf_hdr *h = (ctxbuf_hdr *)pvContextBuffer - 1;
	ntlm_free_secret(h, sizeof(*h) + h->len);
	return SEC_E_OK;
}

/* --------------------------------------------------------- packages */

static const char pkg_name[] = NTLMSP_NAME_A;
static const char pkg_comment[] = "NTLM security package (libntlmssp)";

static int is_ntlm(const char *name)
{
	return name && strcasecmp(name, pkg_name) == 0;
}

/* One allocation holding the structure and its strings: one FreeContextBuffer. */
static SecPkgInfoA *package_info_new(void)
{
	SecPkgInfoA *p = ctxbuf_alloc(sizeof(*p) + sizeof(pkg_name) + sizeof(pkg_comment));
	if (!p)
		return NULL;
	char *s = (char *)(p + 1);
	memcpy(s, pkg_name, sizeof(pkg_name));
	p->Name = s;
	memcpy(s + sizeof(pkg_name), pkg_comment, sizeof(pkg_comment));
	p->Comment = s + sizeof(pkg_name);
	p->fCapabilities = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY | SECPKG_FLAG_TOKEN_ONLY |
	                   SECPKG_FLAG_DATAGRAM | SECPKG_FLAG_CONNECTION | SECPKG_FLAG_MULTI_REQUIRED |
	                   SECPKG_FLAG_ACCEPT_WIN32_NAME | SECPKG_FLAG_NEGOTIABLE |
	                   SECPKG_FLAG_READONLY_WITH_CHECKSUM;
	p->wVersion = 1;
	p->wRPCID = RPC_C_AUTHN_WINNT;
	p->cbMaxToken = NTLM_SSPI_MAX_TOKEN;
	return p;
}

NTLM_API SECURITY_STATUS ntlm_sspi_QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName,
                                                             PSecPkgInfoA *ppPackageInfo)
{
	if (!ppPackageInfo)
		return status(NTLM_E_INVALID_PARAMETER);
	*ppPackageInfo = NULL;
	if (!is_ntlm(pszPackageName))
		return SEC_E_SECPKG_NOT_FOUND;
	*ppPackageInfo = package_info_new();
	return *ppPackageInfo ? SEC_E_OK : status(NTLM_E_NO_MEMORY);
}

NTLM_API SECURITY_STATUS ntlm_sspi_EnumerateSecurityPackagesA(PULONG pcPackages,
                                                              PSecPkgInfoA *ppPackageInfo)
{
	if (!pcPackages || !ppPackageInfo)
		return status(NTLM_E_INVALID_PARAMETER);
	*pcPackages = 0;
	*ppPackageInfo = package_info_new();
	if (!*ppPackageInfo)
		return status(NTLM_E_NO_MEMORY);
	*pcPackages = 1;
	return SEC_E_OK;
}

/* ------------------------------------------------------ credentials */

struct sspi_cred {
	atomic_uint refs; /* the handle, plus one per context made from it */
	ULONG use;        /* SECPKG_CRED_INBOUND / OUTBOUND bits */
	ntlm_policy policy;
	ntlm_cred *cred;           /* outbound */
	ntlm_account_store *store; /* inbound */
	ntlm_replay_cache *replay; /* inbound: shared by all its contexts */
	char *service;             /* inbound: our SPN, from pszPrincipal */
	const char *services[2];   /* {service, NULL} for ntlm_server_config */
};

static void cred_release(struct sspi_cred *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	ntlm_cred_free(c->cred);
	ntlm_account_store_free(c->store);
	ntlm_replay_cache_free(c->replay);
	free(c->service);
	ntlm_free_secret(c, sizeof(*c));
}

/*
 * One counted identity string as UTF-8. ANSI strings are taken as UTF-8
 * already; UNICODE ones are UTF-16 in host order. A NUL inside the counted
 * length is refused: it would silently shorten a password.
 */
static ntlm_err ident_string(const void *p, ULONG len, int unicode, char **out)
{
	*out = NULL;
	if (!p && len)
		return NTLM_E_INVALID_PARAMETER;
	if (!unicode) {
		if (len && memchr(p, 0, len))
			return NTLM_E_INVALID_PARAMETER;
		*out = malloc((size_t)len + 1);
		if (!*out)
			return NTLM_E_NO_MEMORY;
		if (len)
			memcpy(*out, p, len);
		(*out)[len] = '\0';
		return NTLM_OK;
	}
	size_t n = (size_t)len * 2;
	uint8_t *le = malloc(n ? n : 1);
	if (!le)
		return NTLM_E_NO_MEMORY;
	const uint16_t *w = p;
	for (size_t i = 0; i < len; i++) {
		le[2 * i] = (uint8_t)(w[i] & 0xFF);
		le[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	ntlm_err rc = ntlm_utf16le_to_utf8(le, n, out);
	ntlm_free_secret(le, n ? n : 1);
	return rc == NTLM_E_BAD_STRING ? NTLM_E_INVALID_PARAMETER : rc;
}

/* user, domain, password of a SEC_WINNT_AUTH_IDENTITY_A or _W, per its Flags. */
static ntlm_err ident_read(const void *auth, char *s[3])
{
	_Static_assert(offsetof(SEC_WINNT_AUTH_IDENTITY_A, Flags) ==
	                   offsetof(SEC_WINNT_AUTH_IDENTITY_W, Flags),
	               "the identity's Flags tell which of the two layouts it is");
	ULONG flags;
	memcpy(&flags, (const char *)auth + offsetof(SEC_WINNT_AUTH_IDENTITY_A, Flags), sizeof(flags));
	const void *str[3];
	ULONG len[3];
	int unicode = (flags & SEC_WINNT_AUTH_IDENTITY_UNICODE) != 0;
	if (unicode) {
		const SEC_WINNT_AUTH_IDENTITY_W *w = auth;
		str[0] = w->User, str[1] = w->Domain, str[2] = w->Password;
		len[0] = w->UserLength, len[1] = w->DomainLength, len[2] = w->PasswordLength;
	} else if (flags & SEC_WINNT_AUTH_IDENTITY_ANSI) {
		const SEC_WINNT_AUTH_IDENTITY_A *a = auth;
		str[0] = a->User, str[1] = a->Domain, str[2] = a->Password;
		len[0] = a->UserLength, len[1] = a->DomainLength, len[2] = a->PasswordLength;
	} else {
		return NTLM_E_INVALID_PARAMETER;
	}
	for (size_t i = 0; i < 3; i++)
		NTLM_TRY(ident_string(str[i], len[i], unicode, &s[i]));
	return NTLM_OK;
}

/* The gss-ntlmssp convention: "DOMAIN\user" names an entry by both, "user" by user alone. */
static ntlm_err cred_from_user_file(const char *principal, ntlm_cred **out)
{
	const char *sep = principal ? strchr(principal, '\\') : NULL;
	if (!sep)
		return ntlm_cred_from_file(out, NULL, NULL, principal && *principal ? principal : NULL);
	char *domain = strndup(principal, (size_t)(sep - principal));
	if (!domain)
		return NTLM_E_NO_MEMORY;
	ntlm_err rc = ntlm_cred_from_file(out, NULL, domain, sep + 1);
	free(domain);
	return rc;
}

static ntlm_err outbound_cred(const char *principal, const void *auth, ntlm_cred **out)
{
	if (!auth)
		return cred_from_user_file(principal, out);
	char *s[3] = {NULL, NULL, NULL};
	ntlm_err rc = ident_read(auth, s);
	if (rc == NTLM_OK) {
		/* Windows' convention: an identity of three empty strings is the anonymous one. */
		if (!*s[0] && !*s[1] && !*s[2])
			rc = ntlm_cred_anonymous(out);
		else
			rc = ntlm_cred_password(out, s[1], s[0], s[2]);
	}
	for (size_t i = 0; i < 3; i++)
		ntlm_free_string(s[i]);
	return rc;
}

static ntlm_err inbound_store(struct sspi_cred *c, const char *spn)
{
	const char *path = ntlm_secure_getenv("NTLM_ACCOUNT_FILE");
	if (!path || !*path)
		path = NTLM_SSPI_DEFAULT_ACCOUNT_FILE;
	NTLM_TRY(ntlm_account_store_smbpasswd(&c->store, path));
	if (c->policy.replay_cache)
		NTLM_TRY(ntlm_replay_cache_new(&c->replay, c->policy.replay_cache));
	if (spn && *spn) {
		c->service = ntlm_strdup(spn);
		if (!c->service)
			return NTLM_E_NO_MEMORY;
		c->services[0] = c->service;
	}
	return NTLM_OK;
}

static ntlm_err cred_fill(struct sspi_cred *c, const char *principal, const void *auth)
{
	ntlm_policy_init(&c->policy); /* the file, if any, is read over the defaults */
	NTLM_TRY(ntlm_policy_load(&c->policy, NULL, NULL));
	if (c->use & SECPKG_CRED_OUTBOUND)
		NTLM_TRY(outbound_cred(principal, auth, &c->cred));
	if (!(c->use & SECPKG_CRED_INBOUND))
		return NTLM_OK;
	/* With BOTH, pszPrincipal already chose the outbound identity: it is no SPN. */
	return inbound_store(c, (c->use & SECPKG_CRED_OUTBOUND) ? NULL : principal);
}

NTLM_API SECURITY_STATUS ntlm_sspi_AcquireCredentialsHandleA(
	SEC_CHAR *pszPrincipal, SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pvLogonId,
	void *pAuthData, SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument, PCredHandle phCredential,
	PTimeStamp ptsExpiry)
{
	ULONG use = fCredentialUse & SECPKG_CRED_BOTH;
	if (!phCredential || !use)
		return status(NTLM_E_INVALID_PARAMETER);
	if (!is_ntlm(pszPackage))
		return SEC_E_SECPKG_NOT_FOUND;
	/* The accounts come from the account file; an identity for inbound would be ignored. */
	if (use == SECPKG_CRED_INBOUND && pAuthData)
		return SEC_E_UNSUPPORTED_FUNCTION;
	struct sspi_cred *c = ntlm_calloc(1, sizeof(*c));
	if (!c)
		return status(NTLM_E_NO_MEMORY);
	atomic_init(&c->refs, 1);
	c->use = use;
	ntlm_err rc = cred_fill(c, pszPrincipal, pAuthData);
	if (rc != NTLM_OK) {
		cred_release(c);
		return status(rc);
	}
	handle_set(phCredential, c, CRED_MAGIC);
	never_expires(ptsExpiry);
	return SEC_E_OK;
}

NTLM_API SECURITY_STATUS ntlm_sspi_FreeCredentialsHandle(PCredHandle phCredential)
{
	struct sspi_cred *c = handle_get(phCredential, CRED_MAGIC);
	if (!c)
		return SEC_E_INVALID_HANDLE;
	SecInvalidateHandle(phCredential);
	cred_release(c); /* contexts made from it keep it alive */
	return SEC_E_OK;
}

/* ---------------------------------------------------------- contexts */

struct sspi_ctx {
	ntlm_ctx *ctx;
	struct sspi_cred *cred; /* held: a server context verifies through its store */
	int is_server;
	int datagram;
	ULONG attrs; /* the ISC_RET_ / ASC_RET_ bits last returned */
};

static void ctx_destroy(struct sspi_ctx *sc)
{
	ntlm_ctx_free(sc->ctx);
	cred_release(sc->cred);
	free(sc);
}

static ntlm_err ctx_alloc(struct sspi_cred *c, int is_server, int datagram, struct sspi_ctx **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return NTLM_E_NO_MEMORY;
	atomic_fetch_add(&c->refs, 1);
	(*out)->cred = c;
	(*out)->is_server = is_server;
	(*out)->datagram = datagram;
	return NTLM_OK;
}

static ntlm_err client_ctx_new(struct sspi_cred *c, const char *target, ULONG req,
                               struct sspi_ctx **out)
{
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	cfg.policy = &c->policy;
	cfg.target_name = target && *target ? target : NULL;
	cfg.datagram = (req & ISC_REQ_DATAGRAM) != 0;
	/* IDENTIFY asks the server not to impersonate: a protocol flag on top of the defaults. */
	if (req & ISC_REQ_IDENTIFY)
		cfg.flags = NTLM_CLIENT_DEFAULT_FLAGS | NTLMSSP_NEGOTIATE_IDENTIFY;
	NTLM_TRY(ctx_alloc(c, 0, cfg.datagram, out));
	ntlm_err rc = ntlm_client_new(&(*out)->ctx, c->cred, &cfg);
	if (rc != NTLM_OK) {
		ctx_destroy(*out);
		*out = NULL;
	}
	return rc;
}

static ntlm_err server_ctx_new(struct sspi_cred *c, ULONG req, struct sspi_ctx **out)
{
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	cfg.policy = &c->policy;
	cfg.store = c->store;
	cfg.replay = c->replay;
	cfg.service_names = c->service ? c->services : NULL;
	cfg.datagram = (req & ASC_REQ_DATAGRAM) != 0;
	NTLM_TRY(ctx_alloc(c, 1, cfg.datagram, out));
	ntlm_err rc = ntlm_server_new(&(*out)->ctx, &cfg);
	if (rc != NTLM_OK) {
		ctx_destroy(*out);
		*out = NULL;
	}
	return rc;
}

static struct sspi_ctx *ctx_get(const CtxtHandle *h)
{
	return handle_get(h, CTX_MAGIC);
}

/* ISC_RET_ and ASC_RET_ put a few attributes at different bits: one row per role. */
struct ret_bits {
	ULONG confidentiality, integrity, replay, sequence, identify, null_session;
	ULONG datagram, connection, allocated;
};

static const struct ret_bits client_bits = {
	ISC_RET_CONFIDENTIALITY, ISC_RET_INTEGRITY,  ISC_RET_REPLAY_DETECT,
	ISC_RET_SEQUENCE_DETECT, ISC_RET_IDENTIFY,   ISC_RET_NULL_SESSION,
	ISC_RET_DATAGRAM,        ISC_RET_CONNECTION, ISC_RET_ALLOCATED_MEMORY};
static const struct ret_bits server_bits = {
	ASC_RET_CONFIDENTIALITY, ASC_RET_INTEGRITY,  ASC_RET_REPLAY_DETECT,
	ASC_RET_SEQUENCE_DETECT, ASC_RET_IDENTIFY,   ASC_RET_NULL_SESSION,
	ASC_RET_DATAGRAM,        ASC_RET_CONNECTION, ASC_RET_ALLOCATED_MEMORY};

/* What the negotiated flags grant, in the caller's role's bits. */
static ULONG ret_attrs(const struct sspi_ctx *sc, int allocated)
{
	const struct ret_bits *b = sc->is_server ? &server_bits : &client_bits;
	uint32_t f = ntlm_ctx_flags(sc->ctx);
	ULONG a = sc->datagram ? b->datagram : b->connection;
	if (f & NTLMSSP_NEGOTIATE_SIGN) {
		a |= b->integrity;
		/* only connection-oriented contexts count messages themselves */
		if (!sc->datagram)
			a |= b->replay | b->sequence;
	}
	if (f & NTLMSSP_NEGOTIATE_SEAL)
		a |= b->confidentiality;
	if (f & NTLMSSP_NEGOTIATE_IDENTIFY)
		a |= b->identify;
	if (ntlm_ctx_is_anonymous(sc->ctx))
		a |= b->null_session;
	if (allocated)
		a |= b->allocated;
	return a;
}

/* The first buffer of this type (attribute bits ignored), or NULL. */
static SecBuffer *find_buffer(PSecBufferDesc desc, ULONG type)
{
	if (!desc || !desc->pBuffers)
		return NULL;
	for (ULONG i = 0; i < desc->cBuffers; i++)
		if ((desc->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) == type)
			return &desc->pBuffers[i];
	return NULL;
}

/*
 * Hands a produced token to the caller's SECBUFFER_TOKEN: a new buffer with
 * ALLOCATE_MEMORY, else a copy into the caller's, which must be big enough.
 */
static SECURITY_STATUS put_token(SecBuffer *b, const ntlm_buffer *tok, int allocate)
{
	if (allocate) {
		b->pvBuffer = NULL;
		b->cbBuffer = 0;
		if (!tok->len)
			return SEC_E_OK;
		b->pvBuffer = ctxbuf_alloc(tok->len);
		if (!b->pvBuffer)
			return status(NTLM_E_NO_MEMORY);
	} else if (tok->len > b->cbBuffer || (tok->len && !b->pvBuffer)) {
		return SEC_E_BUFFER_TOO_SMALL;
	}
	if (tok->len)
		memcpy(b->pvBuffer, tok->data, tok->len);
	b->cbBuffer = (ULONG)tok->len;
	return SEC_E_OK;
}

/*
 * In datagram mode the server speaks first: the client's first call has no
 * CHALLENGE yet and produces nothing (an empty token, SEC_I_CONTINUE_NEEDED).
 */
static int client_waits_for_challenge(const struct sspi_ctx *sc, int fresh, const uint8_t *in)
{
	return !sc->is_server && sc->datagram && fresh && !in;
}

/* One handshake leg, the same for both roles: token in, native step, token out. */
static SECURITY_STATUS ctx_leg(struct sspi_ctx *sc, int fresh, PSecBufferDesc pInput,
                               SecBuffer *out_tok, int allocate)
{
	SecBuffer *in_tok = find_buffer(pInput, SECBUFFER_TOKEN);
	const uint8_t *in = in_tok && in_tok->cbBuffer ? in_tok->pvBuffer : NULL;
	if (in_tok && in_tok->cbBuffer && !in)
		return SEC_E_INVALID_TOKEN;
	ntlm_buffer tok = {NULL, 0};
	ntlm_err rc = NTLM_CONTINUE;
	if (!client_waits_for_challenge(sc, fresh, in))
		rc = ntlm_step(sc->ctx, in, in ? in_tok->cbBuffer : 0, &tok);
	SECURITY_STATUS st = status(rc);
	if (!failed(st)) {
		SECURITY_STATUS put = put_token(out_tok, &tok, allocate);
		if (put != SEC_E_OK)
			st = put;
	}
	ntlm_buffer_free(&tok);
	sc->attrs = ret_attrs(sc, allocate);
	return st;
}

/*
 * After a leg: a context that failed on its first call is never handed out
 * (Windows returns no handle then); a later failure leaves it to the caller
 * to delete.
 */
static SECURITY_STATUS ctx_publish(struct sspi_ctx *sc, int fresh, SECURITY_STATUS st,
                                   PCtxtHandle phContext, PCtxtHandle phNewContext,
                                   PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	if (pfContextAttr)
		*pfContextAttr = sc->attrs;
	if (fresh && failed(st)) {
		ctx_destroy(sc);
		return st;
	}
	if (fresh)
		handle_set(phNewContext, sc, CTX_MAGIC);
	else if (phNewContext && phNewContext != phContext)
		*phNewContext = *phContext;
	never_expires(ptsExpiry);
	return st;
}

/*
 * The context behind phContext (a later call) or a new one made from the
 * credential (the first call, phContext NULL); role-checked either way.
 */
static SECURITY_STATUS ctx_for_leg(PCredHandle phCredential, PCtxtHandle phContext,
                                   PCtxtHandle phNewContext, int is_server, ULONG req,
                                   const char *target, struct sspi_ctx **out)
{
	*out = NULL;
	if (phContext) {
		*out = ctx_get(phContext);
		return *out && (*out)->is_server == is_server ? SEC_E_OK : SEC_E_INVALID_HANDLE;
	}
	struct sspi_cred *c = handle_get(phCredential, CRED_MAGIC);
	if (!c)
		return SEC_E_INVALID_HANDLE;
	if (!phNewContext)
		return status(NTLM_E_INVALID_PARAMETER);
	if (!(c->use & (is_server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND)))
		return status(NTLM_E_NO_CREDENTIALS);
	return status(is_server ? server_ctx_new(c, req, out) : client_ctx_new(c, target, req, out));
}

static SECURITY_STATUS handshake(PCredHandle phCredential, PCtxtHandle phContext, int is_server,
                                 const char *target, ULONG req, PSecBufferDesc pInput,
                                 PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                 PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	/* Checked before anything happens: a lost output token would strand the peer. */
	SecBuffer *out_tok = find_buffer(pOutput, SECBUFFER_TOKEN);
	if (!out_tok)
		return SEC_E_INVALID_TOKEN;
	struct sspi_ctx *sc;
	SECURITY_STATUS st = ctx_for_leg(phCredential, phContext, phNewContext, is_server, req, target,
	                                 &sc);
	/* No context, no leg: whatever status() made of the error, never go on without one. */
	if (failed(st) || !sc)
		return failed(st) ? st : SEC_E_INTERNAL_ERROR;
	/* ISC_REQ_ALLOCATE_MEMORY and ASC_REQ_ALLOCATE_MEMORY are the same bit. */
	st = ctx_leg(sc, !phContext, pInput, out_tok, (req & ISC_REQ_ALLOCATE_MEMORY) != 0);
	return ctx_publish(sc, !phContext, st, phContext, phNewContext, pfContextAttr, ptsExpiry);
}

NTLM_API SECURITY_STATUS ntlm_sspi_InitializeSecurityContextA(
	PCredHandle phCredential, PCtxtHandle phContext, SEC_CHAR *pszTargetName, ULONG fContextReq,
	ULONG Reserved1, ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
	PCtxtHandle phNewContext, PSecBufferDesc pOutput, PULONG pfContextAttr, PTimeStamp ptsExpiry)
{
	return handshake(phCredential, phContext, 0, pszTargetName, fContextReq, pInput, phNewContext,
	                 pOutput, pfContextAttr, ptsExpiry);
}

NTLM_API SECURITY_STATUS ntlm_sspi_AcceptSecurityContext(
	PCredHandle phCredential, PCtxtHandle phContext, PSecBufferDesc pInput, ULONG fContextReq,
	ULONG TargetDataRep, PCtxtHandle phNewContext, PSecBufferDesc pOutput, PULONG pfContextAttr,
	PTimeStamp ptsExpiry)
{
	return handshake(phCredential, phContext, 1, NULL, fContextReq, pInput, phNewContext, pOutput,
	                 pfContextAttr, ptsExpiry);
}

NTLM_API SECURITY_STATUS ntlm_sspi_CompleteAuthToken(PCtxtHandle phContext, PSecBufferDesc pToken)
{
	return ctx_get(phContext) ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

NTLM_API SECURITY_STATUS ntlm_sspi_DeleteSecurityContext(PCtxtHandle phContext)
{
	struct sspi_ctx *sc = ctx_get(phContext);
	if (!sc)
		return SEC_E_INVALID_HANDLE;
	SecInvalidateHandle(phContext);
	ctx_destroy(sc);
	return SEC_E_OK;
}

/* ------------------------------------------------------- attributes */

static SECURITY_STATUS query_sizes(SecPkgContext_Sizes *s)
{
	s->cbMaxToken = NTLM_SSPI_MAX_TOKEN;
	s->cbMaxSignature = NTLM_SIGNATURE_SIZE;
	s->cbBlockSize = 0; /* RC4 is a stream cipher: no padding */
	s->cbSecurityTrailer = NTLM_SIGNATURE_SIZE;
	return SEC_E_OK;
}

static SECURITY_STATUS query_names(const struct sspi_ctx *sc, SecPkgContext_NamesA *n)
{
	n->sUserName = NULL;
	if (!ntlm_ctx_established(sc->ctx))
		return status(NTLM_E_WRONG_STATE);
	const char *name = ntlm_ctx_principal(sc->ctx);
	n->sUserName = ctxbuf_alloc(strlen(name) + 1);
	if (!n->sUserName)
		return status(NTLM_E_NO_MEMORY);
	memcpy(n->sUserName, name, strlen(name) + 1);
	return SEC_E_OK;
}

static SECURITY_STATUS query_session_key(const struct sspi_ctx *sc, SecPkgContext_SessionKey *k)
{
	k->SessionKey = NULL;
	k->SessionKeyLength = 0;
	uint8_t key[16];
	ntlm_err rc = ntlm_ctx_session_key(sc->ctx, key);
	if (rc != NTLM_OK)
		return status(rc);
	k->SessionKey = ctxbuf_alloc(sizeof(key));
	if (k->SessionKey) {
		memcpy(k->SessionKey, key, sizeof(key));
		k->SessionKeyLength = sizeof(key);
	}
	ntlm_memzero(key, sizeof(key));
	return k->SessionKey ? SEC_E_OK : status(NTLM_E_NO_MEMORY);
}

static SECURITY_STATUS query_package(SecPkgContext_PackageInfoA *p)
{
	p->PackageInfo = package_info_new();
	return p->PackageInfo ? SEC_E_OK : status(NTLM_E_NO_MEMORY);
}

NTLM_API SECURITY_STATUS ntlm_sspi_QueryContextAttributesA(PCtxtHandle phContext, ULONG ulAttribute,
                                                           void *pBuffer)
{
	struct sspi_ctx *sc = ctx_get(phContext);
	if (!sc)
		return SEC_E_INVALID_HANDLE;
	if (!pBuffer)
		return status(NTLM_E_INVALID_PARAMETER);
	switch (ulAttribute) {
	case SECPKG_ATTR_SIZES:
		return query_sizes(pBuffer);
	case SECPKG_ATTR_NAMES:
		return query_names(sc, pBuffer);
	case SECPKG_ATTR_SESSION_KEY:
		return query_session_key(sc, pBuffer);
	case SECPKG_ATTR_FLAGS:
		((SecPkgContext_Flags *)pBuffer)->Flags = sc->attrs;
		return SEC_E_OK;
	case SECPKG_ATTR_PACKAGE_INFO:
		return query_package(pBuffer);
	default:
		return SEC_E_UNSUPPORTED_FUNCTION;
	}
}

/* ------------------------------------------------ message protection */

/* One of the four operations: the native mode and its direction. */
struct protect_op {
	unsigned mode;
	int sending;
};

static const struct protect_op op_seal = {NTLM_PROTECT_SEAL, 1};
static const struct protect_op op_unseal = {NTLM_PROTECT_SEAL, 0};
static const struct protect_op op_sign = {NTLM_PROTECT_SIGN, 1};
static const struct protect_op op_verify = {NTLM_PROTECT_SIGN, 0};

/* Windows ignores MessageSeqNo on connection-oriented contexts: the context counts. */
static ntlm_err run_op(struct sspi_ctx *sc, const struct protect_op *op, ntlm_iov *iov, size_t n,
                       ULONG seq)
{
	unsigned mode = op->mode | (sc->datagram ? NTLM_PROTECT_EXPLICIT_SEQ : 0);
	uint32_t s = sc->datagram ? (uint32_t)seq : 0;
	return op->sending ? ntlm_protect_iov(sc->ctx, mode, s, iov, n)
	                   : ntlm_unprotect_iov(sc->ctx, mode, s, iov, n);
}

static ntlm_iov to_iov(const SecBuffer *b)
{
	ULONG type = b->BufferType & ~SECBUFFER_ATTRMASK;
	ntlm_iov v = {NTLM_IOV_IGNORE, NULL, 0};
	if (type == SECBUFFER_TOKEN)
		v.type = NTLM_IOV_TOKEN;
	else if (type == SECBUFFER_DATA && (b->BufferType & SECBUFFER_READONLY_WITH_CHECKSUM))
		v.type = NTLM_IOV_SIGN_ONLY;
	else if (type == SECBUFFER_DATA && !(b->BufferType & SECBUFFER_READONLY))
		v.type = NTLM_IOV_DATA;
	/* Ignored buffers are never touched, so they are not checked either. */
	if (v.type != NTLM_IOV_IGNORE) {
		v.data = b->pvBuffer;
		v.len = b->cbBuffer;
	}
	return v;
}

/*
 * Exactly one SECBUFFER_TOKEN of at least a signature's size. A sender's
 * short token is the caller's buffer being too small; a receiver's is a
 * truncated message.
 */
static SECURITY_STATUS check_token(PSecBufferDesc msg, int sending)
{
	SecBuffer *tok = NULL;
	for (ULONG i = 0; i < msg->cBuffers; i++) {
		if ((msg->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) != SECBUFFER_TOKEN)
			continue;
		if (tok)
			return SEC_E_INVALID_TOKEN;
		tok = &msg->pBuffers[i];
	}
	if (!tok)
		return SEC_E_INVALID_TOKEN;
	if (tok->cbBuffer < NTLM_SIGNATURE_SIZE || !tok->pvBuffer)
		return sending ? SEC_E_BUFFER_TOO_SMALL : SEC_E_INVALID_TOKEN;
	return SEC_E_OK;
}

/* A sender reports what it used: the signature's size, and no padding (stream cipher). */
static void report_sizes(PSecBufferDesc msg)
{
	for (ULONG i = 0; i < msg->cBuffers; i++) {
		ULONG type = msg->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK;
		if (type == SECBUFFER_TOKEN)
			msg->pBuffers[i].cbBuffer = NTLM_SIGNATURE_SIZE;
		else if (type == SECBUFFER_PADDING)
			msg->pBuffers[i].cbBuffer = 0;
	}
}

/*
 * [STREAM = signature || data, DATA]: the stream is taken apart in place and
 * DATA is pointed at the plaintext, so the caller need not know the
 * signature's size.
 */
static SECURITY_STATUS unprotect_stream(struct sspi_ctx *sc, const struct protect_op *op,
                                        PSecBufferDesc msg, SecBuffer *stream, ULONG seq)
{
	if (stream->cbBuffer < NTLM_SIGNATURE_SIZE || !stream->pvBuffer)
		return SEC_E_INVALID_TOKEN;
	uint8_t *p = stream->pvBuffer;
	size_t n = stream->cbBuffer - NTLM_SIGNATURE_SIZE;
	ntlm_iov iov[2] = {{NTLM_IOV_TOKEN, p, NTLM_SIGNATURE_SIZE},
	                   {NTLM_IOV_DATA, p + NTLM_SIGNATURE_SIZE, n}};
	ntlm_err rc = run_op(sc, op, iov, 2, seq);
	SecBuffer *data = find_buffer(msg, SECBUFFER_DATA);
	if (rc == NTLM_OK && data) {
		data->pvBuffer = p + NTLM_SIGNATURE_SIZE;
		data->cbBuffer = (ULONG)n;
	}
	return status(rc);
}

static SECURITY_STATUS protect(PCtxtHandle phContext, const struct protect_op *op,
                               PSecBufferDesc msg, ULONG seq)
{
	struct sspi_ctx *sc = ctx_get(phContext);
	if (!sc)
		return SEC_E_INVALID_HANDLE;
	if (!msg || msg->ulVersion != SECBUFFER_VERSION || !msg->pBuffers || !msg->cBuffers)
		return SEC_E_INVALID_TOKEN;
	SecBuffer *stream = find_buffer(msg, SECBUFFER_STREAM);
	if (stream && !op->sending)
		return unprotect_stream(sc, op, msg, stream, seq);
	SECURITY_STATUS st = check_token(msg, op->sending);
	if (st != SEC_E_OK)
		return st;
	ntlm_iov *iov = calloc(msg->cBuffers, sizeof(*iov));
	if (!iov)
		return status(NTLM_E_NO_MEMORY);
	for (ULONG i = 0; i < msg->cBuffers; i++)
		iov[i] = to_iov(&msg->pBuffers[i]);
	ntlm_err rc = run_op(sc, op, iov, msg->cBuffers, seq);
	free(iov);
	if (rc == NTLM_OK && op->sending)
		report_sizes(msg);
	return status(rc);
}

NTLM_API SECURITY_STATUS ntlm_sspi_EncryptMessage(PCtxtHandle phContext, ULONG fQOP,
                                                  PSecBufferDesc pMessage, ULONG MessageSeqNo)
{
	if (fQOP)
		return SEC_E_QOP_NOT_SUPPORTED;
	return protect(phContext, &op_seal, pMessage, MessageSeqNo);
}

NTLM_API SECURITY_STATUS ntlm_sspi_DecryptMessage(PCtxtHandle phContext, PSecBufferDesc pMessage,
                                                  ULONG MessageSeqNo, PULONG pfQOP)
{
	if (pfQOP)
		*pfQOP = 0;
	return protect(phContext, &op_unseal, pMessage, MessageSeqNo);
}

NTLM_API SECURITY_STATUS ntlm_sspi_MakeSignature(PCtxtHandle phContext, ULONG fQOP,
                                                 PSecBufferDesc pMessage, ULONG MessageSeqNo)
{
	if (fQOP)
		return SEC_E_QOP_NOT_SUPPORTED;
	return protect(phContext, &op_sign, pMessage, MessageSeqNo);
}

NTLM_API SECURITY_STATUS ntlm_sspi_VerifySignature(PCtxtHandle phContext, PSecBufferDesc pMessage,
                                                   ULONG MessageSeqNo, PULONG pfQOP)
{
	if (pfQOP)
		*pfQOP = 0;
	return protect(phContext, &op_verify, pMessage, MessageSeqNo);
}
