/*
 * test_sspi.c - the SSPI face as code ported from Windows uses it: this file
 * calls the Windows names (AcquireCredentialsHandle, InitializeSecurityContext,
 * AcceptSecurityContext, EncryptMessage, ...), so it also proves that such
 * code compiles unchanged against <ntlmssp/sspi.h>.
 *
 * Client and server run in one process: the classic token loop until both
 * sides say SEC_E_OK, then attributes, message protection in the buffer
 * layouts Windows callers use, and every failure a caller must be able to
 * tell apart (altered, out of sequence, logon denied, invalid handle,
 * buffer too small).
 */
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/sspi.h"
#include "t.h"
#include "mem.h"

#define T_SEC(expr, want)                                                                          \
	do {                                                                                           \
		SECURITY_STATUS t_st_ = (expr);                                                            \
		if (t_st_ != (SECURITY_STATUS)(want))                                                      \
			T_FAIL("%s returned 0x%08X, wanted %s (0x%08X)", #expr, (unsigned)t_st_, #want,        \
			       (unsigned)(want));                                                              \
	} while (0)

#define PASSWORD "Secret-1"
#define SPN      "HOST/server.example"

static char store_path[256], tmp_dir[128];
static char host[32]; /* the server's NetBIOS name: its default authority */

/* As the library derives it: first DNS label, at most 15 characters, upper-case. */
static void host_netbios_name(void)
{
	if (gethostname(host, sizeof(host) - 1) != 0)
		strcpy(host, "LOCALHOST");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	host[15] = '\0';
	for (char *p = host; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

static void setup(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/ntlmssp-test-sspi-%d", (int)getpid());
	snprintf(store_path, sizeof(store_path), "%s.smbpasswd", tmp_dir);
	unlink(store_path);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	T_SETUP(smbpw_modify(store_path, SMBPW_ADD, "alice", nt, NULL, 0));
	setenv("NTLM_ACCOUNT_FILE", store_path, 1);
	unsetenv("NTLMSSP_CONF");
	unsetenv("NTLM_USER_FILE");
	host_netbios_name();
}

/* ------------------------------------------------ ported-style helpers */

static SECURITY_STATUS acquire_client(CredHandle *cred, const char *domain, const char *user,
                                      const char *password)
{
	SEC_WINNT_AUTH_IDENTITY id;
	memset(&id, 0, sizeof(id));
	id.User = (unsigned char *)user;
	id.UserLength = (ULONG)strlen(user);
	id.Domain = (unsigned char *)domain;
	id.DomainLength = (ULONG)strlen(domain);
	id.Password = (unsigned char *)password;
	id.PasswordLength = (ULONG)strlen(password);
	id.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI;
	TimeStamp expiry;
	return AcquireCredentialsHandle(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL, cred,
	                                &expiry);
}

static SECURITY_STATUS acquire_server(CredHandle *cred, SEC_CHAR *spn)
{
	TimeStamp expiry;
	return AcquireCredentialsHandle(spn, "NTLM", SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, cred,
	                                &expiry);
}

struct session {
	CredHandle ccred, scred;
	CtxtHandle cctx, sctx;
	ULONG creq, sreq;     /* context requirements */
	ULONG cattrs, sattrs; /* what each side was granted */
	SECURITY_STATUS cst, sst;
	SEC_CHAR *target;
	int caller_buffers; /* cbMaxToken buffers of our own instead of ALLOCATE_MEMORY */
};

static void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	SecInvalidateHandle(&s->ccred);
	SecInvalidateHandle(&s->scred);
	SecInvalidateHandle(&s->cctx);
	SecInvalidateHandle(&s->sctx);
	s->creq = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT |
	          ISC_REQ_SEQUENCE_DETECT | ISC_REQ_CONNECTION;
	s->sreq = ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | ASC_REQ_CONNECTION;
	s->target = SPN;
}

static void session_free(struct session *s)
{
	if (SecIsValidHandle(&s->cctx))
		DeleteSecurityContext(&s->cctx);
	if (SecIsValidHandle(&s->sctx))
		DeleteSecurityContext(&s->sctx);
	if (SecIsValidHandle(&s->ccred))
		FreeCredentialsHandle(&s->ccred);
	if (SecIsValidHandle(&s->scred))
		FreeCredentialsHandle(&s->scred);
}

/* One call of either side: token in, token out (replacing *tok). */
static SECURITY_STATUS session_leg(struct session *s, int server, uint8_t **tok, ULONG *len)
{
	uint8_t own[2888];
	SecBuffer ib = {*len, SECBUFFER_TOKEN, *tok};
	SecBuffer ob = {s->caller_buffers ? sizeof(own) : 0, SECBUFFER_TOKEN,
	                s->caller_buffers ? own : NULL};
	SecBufferDesc in = {SECBUFFER_VERSION, 1, &ib}, out = {SECBUFFER_VERSION, 1, &ob};
	ULONG alloc = s->caller_buffers ? 0 : ISC_REQ_ALLOCATE_MEMORY;
	SECURITY_STATUS st;
	if (server) {
		int first = !SecIsValidHandle(&s->sctx);
		st = AcceptSecurityContext(&s->scred, first ? NULL : &s->sctx, &in, s->sreq | alloc,
		                           SECURITY_NATIVE_DREP, &s->sctx, &out, &s->sattrs, NULL);
		s->sst = st;
	} else {
		int first = !SecIsValidHandle(&s->cctx);
		st = InitializeSecurityContext(&s->ccred, first ? NULL : &s->cctx, s->target,
		                               s->creq | alloc, 0, SECURITY_NATIVE_DREP, *tok ? &in : NULL,
		                               0, &s->cctx, &out, &s->cattrs, NULL);
		s->cst = st;
	}
	if (s->caller_buffers) {
		free(*tok);
		*tok = malloc(ob.cbBuffer ? ob.cbBuffer : 1);
		memcpy(*tok, own, ob.cbBuffer);
	} else {
		FreeContextBuffer(*tok);
		*tok = ob.pvBuffer;
	}
	*len = ob.cbBuffer;
	return st;
}

/* The loop of ported code: alternate until both sides say SEC_E_OK (or one fails). */
static SECURITY_STATUS session_run(struct session *s)
{
	uint8_t *tok = NULL;
	ULONG len = 0;
	SECURITY_STATUS st = SEC_E_INTERNAL_ERROR;
	s->cst = s->sst = SEC_I_CONTINUE_NEEDED;
	for (int round = 0; round < 6; round++) {
		int server = round % 2;
		if ((server ? s->sst : s->cst) == SEC_E_OK)
			break; /* this side is done but the other still waits: a protocol error */
		st = session_leg(s, server, &tok, &len);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			break;
		if (s->cst == SEC_E_OK && s->sst == SEC_E_OK)
			break;
	}
	if (s->caller_buffers)
		free(tok);
	else
		FreeContextBuffer(tok);
	return st;
}

/* A session for alice with the default requirements, established. */
static SECURITY_STATUS session_open(struct session *s)
{
	SECURITY_STATUS st = acquire_client(&s->ccred, host, "alice", PASSWORD);
	if (st == SEC_E_OK)
		st = acquire_server(&s->scred, NULL);
	return st == SEC_E_OK ? session_run(s) : st;
}

/* Seal (or sign) a [TOKEN, DATA] message, and the reverse. */
static SECURITY_STATUS two_buffers(CtxtHandle *h, int sign, int send, uint8_t sig[16],
                                   uint8_t *data, ULONG len, ULONG seq)
{
	SecBuffer b[2] = {{16, SECBUFFER_TOKEN, sig}, {len, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	ULONG qop = 0;
	if (send)
		return sign ? MakeSignature(h, 0, &d, seq) : EncryptMessage(h, 0, &d, seq);
	return sign ? VerifySignature(h, &d, seq, &qop) : DecryptMessage(h, &d, seq, &qop);
}

/* ---------------------------------------------------------------- tests */

static void test_windows_names(void)
{
	T_ASSERT(AcquireCredentialsHandle == ntlm_sspi_AcquireCredentialsHandleA);
	T_ASSERT(InitializeSecurityContext == ntlm_sspi_InitializeSecurityContextA);
	T_ASSERT(AcceptSecurityContext == ntlm_sspi_AcceptSecurityContext);
	T_ASSERT(QueryContextAttributes == ntlm_sspi_QueryContextAttributesA);
	T_ASSERT(EncryptMessage == ntlm_sspi_EncryptMessage);
	T_ASSERT(FreeContextBuffer == ntlm_sspi_FreeContextBuffer);
	/* The engine's status codes are the ones named here. */
	T_ASSERT(ntlm_err_sec_status(NTLM_CONTINUE) == SEC_I_CONTINUE_NEEDED);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_BAD_MAC) == SEC_E_MESSAGE_ALTERED);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_OUT_OF_SEQUENCE) == SEC_E_OUT_OF_SEQUENCE);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_LOGON_FAILURE) == SEC_E_LOGON_DENIED);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_REPLAY) == SEC_E_LOGON_DENIED);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_BUFFER_TOO_SMALL) == SEC_E_BUFFER_TOO_SMALL);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_NO_CREDENTIALS) == SEC_E_NO_CREDENTIALS);
	T_ASSERT(ntlm_err_sec_status(NTLM_E_TRUNCATED) == SEC_E_INVALID_TOKEN);
}

static void test_package_info(void)
{
	PSecPkgInfo info = NULL;
	T_SEC(QuerySecurityPackageInfo("NTLM", &info), SEC_E_OK);
	T_STR(info->Name, "NTLM");
	T_ASSERT(info->wRPCID == RPC_C_AUTHN_WINNT && info->wRPCID == 10);
	T_ASSERT(info->cbMaxToken == 2888);
	T_ASSERT(info->fCapabilities & SECPKG_FLAG_READONLY_WITH_CHECKSUM);
	T_SEC(FreeContextBuffer(info), SEC_E_OK);
	T_SEC(QuerySecurityPackageInfo("Kerberos", &info), SEC_E_SECPKG_NOT_FOUND);
	T_ASSERT(info == NULL);

	ULONG n = 0;
	T_SEC(EnumerateSecurityPackages(&n, &info), SEC_E_OK);
	T_ASSERT(n == 1);
	T_STR(info[0].Name, "NTLM");
	T_SEC(FreeContextBuffer(info), SEC_E_OK);

	CredHandle cred;
	T_SEC(AcquireCredentialsHandle(NULL, "Negotiate", SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
	                               &cred, NULL),
	      SEC_E_SECPKG_NOT_FOUND);
}

static void test_handshake_and_attributes(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	T_ASSERT(s.cattrs & ISC_RET_CONFIDENTIALITY);
	T_ASSERT(s.cattrs & ISC_RET_INTEGRITY);
	T_ASSERT(s.cattrs & ISC_RET_SEQUENCE_DETECT);
	T_ASSERT(s.cattrs & ISC_RET_CONNECTION);
	T_ASSERT(s.cattrs & ISC_RET_ALLOCATED_MEMORY);
	T_ASSERT(!(s.cattrs & ISC_RET_MUTUAL_AUTH)); /* NTLM cannot authenticate the server */
	T_ASSERT(s.sattrs & ASC_RET_CONFIDENTIALITY);
	T_ASSERT(s.sattrs & ASC_RET_INTEGRITY);
	T_ASSERT(s.sattrs & ASC_RET_CONNECTION);
	T_SEC(CompleteAuthToken(&s.cctx, NULL), SEC_E_OK);

	SecPkgContext_Sizes cs, ss;
	T_SEC(QueryContextAttributes(&s.cctx, SECPKG_ATTR_SIZES, &cs), SEC_E_OK);
	T_SEC(QueryContextAttributes(&s.sctx, SECPKG_ATTR_SIZES, &ss), SEC_E_OK);
	T_ASSERT(cs.cbMaxToken == 2888 && cs.cbMaxSignature == 16);
	T_ASSERT(cs.cbBlockSize == 0 && cs.cbSecurityTrailer == 16);
	T_ASSERT(!memcmp(&cs, &ss, sizeof(cs)));

	SecPkgContext_Names cn, sn;
	char want[64];
	snprintf(want, sizeof(want), "%s\\alice", host);
	T_SEC(QueryContextAttributes(&s.cctx, SECPKG_ATTR_NAMES, &cn), SEC_E_OK);
	T_SEC(QueryContextAttributes(&s.sctx, SECPKG_ATTR_NAMES, &sn), SEC_E_OK);
	T_STR(cn.sUserName, want);
	T_STR(sn.sUserName, cn.sUserName);
	FreeContextBuffer(cn.sUserName);
	FreeContextBuffer(sn.sUserName);

	SecPkgContext_SessionKey ck, sk;
	T_SEC(QueryContextAttributes(&s.cctx, SECPKG_ATTR_SESSION_KEY, &ck), SEC_E_OK);
	T_SEC(QueryContextAttributes(&s.sctx, SECPKG_ATTR_SESSION_KEY, &sk), SEC_E_OK);
	T_ASSERT(ck.SessionKeyLength == 16 && sk.SessionKeyLength == 16);
	T_BYTES(ck.SessionKey, sk.SessionKey, 16);
	FreeContextBuffer(ck.SessionKey);
	FreeContextBuffer(sk.SessionKey);

	SecPkgContext_Flags cf, sf;
	T_SEC(QueryContextAttributes(&s.cctx, SECPKG_ATTR_FLAGS, &cf), SEC_E_OK);
	T_SEC(QueryContextAttributes(&s.sctx, SECPKG_ATTR_FLAGS, &sf), SEC_E_OK);
	T_ASSERT(cf.Flags == s.cattrs && sf.Flags == s.sattrs);

	SecPkgContext_PackageInfo pi;
	T_SEC(QueryContextAttributes(&s.cctx, SECPKG_ATTR_PACKAGE_INFO, &pi), SEC_E_OK);
	T_STR(pi.PackageInfo->Name, "NTLM");
	FreeContextBuffer(pi.PackageInfo);
	T_SEC(QueryContextAttributes(&s.cctx, 12345, &pi), SEC_E_UNSUPPORTED_FUNCTION);
	session_free(&s);
}

static void test_caller_buffers(void)
{
	struct session s;
	session_init(&s);
	s.caller_buffers = 1;
	T_SEC(session_open(&s), SEC_E_OK);
	T_ASSERT(!(s.cattrs & ISC_RET_ALLOCATED_MEMORY));
	session_free(&s);
}

static void test_identify(void)
{
	struct session s;
	session_init(&s);
	s.creq |= ISC_REQ_IDENTIFY;
	T_SEC(session_open(&s), SEC_E_OK);
	T_ASSERT(s.cattrs & ISC_RET_IDENTIFY);
	T_ASSERT(s.sattrs & ASC_RET_IDENTIFY);
	session_free(&s);
}

/* [TOKEN, DATA]: sealed in place, then opened by the peer. */
static void seal_token_data(CtxtHandle *from, CtxtHandle *to)
{
	static const char text[] = "a message for the other side";
	uint8_t data[sizeof(text)], sig[16];
	memcpy(data, text, sizeof(text));
	T_SEC(two_buffers(from, 0, 1, sig, data, sizeof(data), 0), SEC_E_OK);
	T_ASSERT(memcmp(data, text, sizeof(text)) != 0);
	T_SEC(two_buffers(to, 0, 0, sig, data, sizeof(data), 0), SEC_E_OK);
	T_BYTES(data, text, sizeof(text));
}

static void test_encrypt_token_data(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	for (int i = 0; i < 3; i++) {
		seal_token_data(&s.cctx, &s.sctx);
		seal_token_data(&s.sctx, &s.cctx);
	}
	session_free(&s);
}

/*
 * [TOKEN, READONLY_WITH_CHECKSUM header, DATA, READONLY trailer], the layout
 * of DCE/RPC: the header is covered by the signature but stays in clear, the
 * trailer is neither.
 */
static void seal_rpc_layout(CtxtHandle *from, CtxtHandle *to)
{
	uint8_t hdr[8] = "HDR-0001", trl[4] = "TRL!", body[24] = "the confidential body..", sig[16];
	SecBuffer b[4] = {{16, SECBUFFER_TOKEN, sig},
	                  {8, SECBUFFER_DATA | SECBUFFER_READONLY_WITH_CHECKSUM, hdr},
	                  {24, SECBUFFER_DATA, body},
	                  {4, SECBUFFER_DATA | SECBUFFER_READONLY, trl}};
	SecBufferDesc d = {SECBUFFER_VERSION, 4, b};
	ULONG qop;
	T_SEC(EncryptMessage(from, 0, &d, 0), SEC_E_OK);
	T_ASSERT(b[0].cbBuffer == 16);
	T_BYTES(hdr, "HDR-0001", 8);
	T_BYTES(trl, "TRL!", 4);
	T_ASSERT(memcmp(body, "the confidential body..", 24) != 0);
	memcpy(trl, "XXXX", 4); /* not covered: may change in transit */
	T_SEC(DecryptMessage(to, &d, 0, &qop), SEC_E_OK);
	T_BYTES(body, "the confidential body..", 24);

	/* The header is covered: changing it is detected (and costs no sequence number). */
	T_SEC(EncryptMessage(from, 0, &d, 0), SEC_E_OK);
	uint8_t saved[24];
	memcpy(saved, body, 24);
	hdr[0] ^= 1;
	T_SEC(DecryptMessage(to, &d, 0, &qop), SEC_E_MESSAGE_ALTERED);
	hdr[0] ^= 1;
	memcpy(body, saved, 24);
	T_SEC(DecryptMessage(to, &d, 0, &qop), SEC_E_OK);
	T_BYTES(body, "the confidential body..", 24);
}

static void test_encrypt_readonly_layout(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	seal_rpc_layout(&s.cctx, &s.sctx);
	seal_rpc_layout(&s.sctx, &s.cctx);
	session_free(&s);
}

static void test_stream_decrypt(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	/* signature || data in one block, as it travels */
	uint8_t wire[16 + 11];
	memcpy(wire + 16, "stream body", 11);
	T_SEC(two_buffers(&s.cctx, 0, 1, wire, wire + 16, 11, 0), SEC_E_OK);
	SecBuffer b[2] = {{sizeof(wire), SECBUFFER_STREAM, wire}, {0, SECBUFFER_DATA, NULL}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	T_SEC(DecryptMessage(&s.sctx, &d, 0, NULL), SEC_E_OK);
	T_ASSERT(b[1].pvBuffer == wire + 16 && b[1].cbBuffer == 11);
	T_BYTES(b[1].pvBuffer, "stream body", 11);
	session_free(&s);
}

static void test_tampered_and_replayed(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	uint8_t data[16] = "sixteen bytes!!", sig[16], copy[16], copy_sig[16];
	T_SEC(two_buffers(&s.cctx, 0, 1, sig, data, 16, 0), SEC_E_OK);
	memcpy(copy, data, 16);
	memcpy(copy_sig, sig, 16);
	data[3] ^= 0x40;
	T_SEC(two_buffers(&s.sctx, 0, 0, sig, data, 16, 0), SEC_E_MESSAGE_ALTERED);
	T_ASSERT(ntlm_ct_is_zero(data, 16)); /* no unauthenticated plaintext handed out */
	memcpy(data, copy, 16);
	T_SEC(two_buffers(&s.sctx, 0, 0, sig, data, 16, 0), SEC_E_OK);
	/* The same message again: the receiver has moved on. */
	memcpy(data, copy, 16);
	T_SEC(two_buffers(&s.sctx, 0, 0, copy_sig, data, 16, 0), SEC_E_OUT_OF_SEQUENCE);
	session_free(&s);
}

static void test_sign_verify(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	uint8_t msg[12] = "signed only", sig[16], sig2[16];
	T_SEC(two_buffers(&s.sctx, 1, 1, sig, msg, 12, 0), SEC_E_OK);
	T_BYTES(msg, "signed only", 12); /* signing leaves the data alone */
	T_SEC(two_buffers(&s.cctx, 1, 0, sig, msg, 12, 0), SEC_E_OK);
	T_SEC(two_buffers(&s.cctx, 1, 0, sig, msg, 12, 0), SEC_E_OUT_OF_SEQUENCE);

	T_SEC(two_buffers(&s.sctx, 1, 1, sig2, msg, 12, 0), SEC_E_OK);
	msg[0] = 'S';
	T_SEC(two_buffers(&s.cctx, 1, 0, sig2, msg, 12, 0), SEC_E_MESSAGE_ALTERED);
	msg[0] = 's';
	T_SEC(two_buffers(&s.cctx, 1, 0, sig2, msg, 12, 0), SEC_E_OK);
	session_free(&s);
}

static void test_wrong_password(void)
{
	struct session s;
	session_init(&s);
	T_SEC(acquire_client(&s.ccred, host, "alice", "not-the-password"), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_LOGON_DENIED);
	T_SEC(s.sst, SEC_E_LOGON_DENIED);
	/* A context that failed after its first call is still the caller's to delete. */
	T_ASSERT(SecIsValidHandle(&s.sctx));
	SecPkgContext_Names n;
	T_ASSERT(QueryContextAttributes(&s.sctx, SECPKG_ATTR_NAMES, &n) != SEC_E_OK);
	session_free(&s);

	session_init(&s);
	T_SEC(acquire_client(&s.ccred, host, "mallory", PASSWORD), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_LOGON_DENIED);
	session_free(&s);
}

static void test_anonymous_identity(void)
{
	struct session s;
	session_init(&s);
	T_SEC(acquire_client(&s.ccred, "", "", ""), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	/* the default policy refuses anonymous logons */
	T_SEC(session_run(&s), SEC_E_LOGON_DENIED);
	T_ASSERT(s.cattrs & ISC_RET_NULL_SESSION);
	session_free(&s);
}

static void test_invalid_handles(void)
{
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	CtxtHandle zero = {0, 0};
	uint8_t sig[16], data[4] = "abc";
	SecPkgContext_Sizes sz;
	T_SEC(two_buffers(&zero, 0, 1, sig, data, 4, 0), SEC_E_INVALID_HANDLE);
	T_SEC(QueryContextAttributes(&zero, SECPKG_ATTR_SIZES, &sz), SEC_E_INVALID_HANDLE);
	T_SEC(DeleteSecurityContext(&zero), SEC_E_INVALID_HANDLE);
	T_SEC(CompleteAuthToken(&zero, NULL), SEC_E_INVALID_HANDLE);
	T_SEC(FreeCredentialsHandle(&zero), SEC_E_INVALID_HANDLE);
	/* a credential is not a context, nor the other way round */
	T_SEC(two_buffers(&s.ccred, 0, 1, sig, data, 4, 0), SEC_E_INVALID_HANDLE);
	T_SEC(FreeCredentialsHandle(&s.cctx), SEC_E_INVALID_HANDLE);
	/* nor is a client context a server's */
	SecBuffer ob = {0, SECBUFFER_TOKEN, NULL};
	SecBufferDesc od = {SECBUFFER_VERSION, 1, &ob};
	ULONG attrs;
	T_SEC(AcceptSecurityContext(NULL, &s.cctx, NULL, ASC_REQ_ALLOCATE_MEMORY, 0, NULL, &od, &attrs,
	                            NULL),
	      SEC_E_INVALID_HANDLE);
	T_SEC(InitializeSecurityContext(&zero, NULL, NULL, ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0,
	                                &zero, &od, &attrs, NULL),
	      SEC_E_INVALID_HANDLE);
	/* an inbound credential cannot start a client */
	CtxtHandle c2;
	T_SEC(InitializeSecurityContext(&s.scred, NULL, NULL, ISC_REQ_ALLOCATE_MEMORY, 0, 0, NULL, 0,
	                                &c2, &od, &attrs, NULL),
	      SEC_E_NO_CREDENTIALS);

	/* deleting invalidates the caller's handle: a second delete is caught */
	CtxtHandle copy = s.cctx;
	T_SEC(DeleteSecurityContext(&s.cctx), SEC_E_OK);
	T_ASSERT(!SecIsValidHandle(&s.cctx));
	T_SEC(DeleteSecurityContext(&s.cctx), SEC_E_INVALID_HANDLE);
	(void)copy;
	T_SEC(FreeCredentialsHandle(&s.ccred), SEC_E_OK);
	T_SEC(FreeCredentialsHandle(&s.ccred), SEC_E_INVALID_HANDLE);
	session_free(&s);
}

/* Windows lets credentials go before the contexts made from them. */
static void test_credentials_freed_early(void)
{
	struct session s;
	session_init(&s);
	T_SEC(acquire_client(&s.ccred, host, "alice", PASSWORD), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	uint8_t *tok = NULL;
	ULONG len = 0;
	/* every step runs, the token is freed, then the answers are checked */
	SECURITY_STATUS st[6];
	st[0] = session_leg(&s, 0, &tok, &len);
	st[1] = session_leg(&s, 1, &tok, &len);
	st[2] = FreeCredentialsHandle(&s.ccred);
	st[3] = FreeCredentialsHandle(&s.scred);
	st[4] = session_leg(&s, 0, &tok, &len);
	st[5] = session_leg(&s, 1, &tok, &len); /* verified through the freed cred's store */
	FreeContextBuffer(tok);
	T_SEC(st[0], SEC_I_CONTINUE_NEEDED);
	T_SEC(st[1], SEC_I_CONTINUE_NEEDED);
	T_SEC(st[2], SEC_E_OK);
	T_SEC(st[3], SEC_E_OK);
	T_SEC(st[4], SEC_E_OK);
	T_SEC(st[5], SEC_E_OK);
	seal_token_data(&s.cctx, &s.sctx);
	session_free(&s);
}

static void test_buffer_too_small(void)
{
	CredHandle cred;
	CtxtHandle ctx;
	SecInvalidateHandle(&ctx);
	T_SEC(acquire_client(&cred, host, "alice", PASSWORD), SEC_E_OK);
	uint8_t small[8];
	SecBuffer ob = {sizeof(small), SECBUFFER_TOKEN, small};
	SecBufferDesc od = {SECBUFFER_VERSION, 1, &ob};
	ULONG attrs;
	T_SEC(InitializeSecurityContext(&cred, NULL, SPN, 0, 0, SECURITY_NATIVE_DREP, NULL, 0, &ctx,
	                                &od, &attrs, NULL),
	      SEC_E_BUFFER_TOO_SMALL);
	T_ASSERT(!SecIsValidHandle(&ctx)); /* a failed first call returns no context */
	/* no output token buffer at all */
	SecBufferDesc none = {SECBUFFER_VERSION, 0, NULL};
	T_SEC(InitializeSecurityContext(&cred, NULL, SPN, 0, 0, SECURITY_NATIVE_DREP, NULL, 0, &ctx,
	                                &none, &attrs, NULL),
	      SEC_E_INVALID_TOKEN);
	FreeCredentialsHandle(&cred);

	/* message protection: the sender's token buffer too small, the receiver's truncated */
	struct session s;
	session_init(&s);
	T_SEC(session_open(&s), SEC_E_OK);
	uint8_t data[4] = "abc", sig[16];
	ULONG qop;
	SecBuffer b[2] = {{8, SECBUFFER_TOKEN, sig}, {4, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	T_SEC(EncryptMessage(&s.cctx, 0, &d, 0), SEC_E_BUFFER_TOO_SMALL);
	T_SEC(MakeSignature(&s.cctx, 0, &d, 0), SEC_E_BUFFER_TOO_SMALL);
	T_SEC(DecryptMessage(&s.sctx, &d, 0, &qop), SEC_E_INVALID_TOKEN);
	SecBufferDesc data_only = {SECBUFFER_VERSION, 1, &b[1]};
	T_SEC(DecryptMessage(&s.sctx, &data_only, 0, &qop), SEC_E_INVALID_TOKEN);
	T_SEC(EncryptMessage(&s.cctx, 0, &data_only, 0), SEC_E_INVALID_TOKEN);
	b[0].cbBuffer = 16;
	T_SEC(EncryptMessage(&s.cctx, SECQOP_WRAP_NO_ENCRYPT, &d, 0), SEC_E_QOP_NOT_SUPPORTED);
	/* none of that cost a sequence number */
	seal_token_data(&s.cctx, &s.sctx);
	session_free(&s);
}

static void test_unicode_identity(void)
{
	static const uint16_t user[] = {'a', 'l', 'i', 'c', 'e'};
	static const uint16_t password[] = {'S', 'e', 'c', 'r', 'e', 't', '-', '1'};
	uint16_t domain[16];
	size_t dlen = strlen(host);
	for (size_t i = 0; i < dlen; i++)
		domain[i] = (uint16_t)host[i];
	SEC_WINNT_AUTH_IDENTITY_W id = {(uint16_t *)user,
	                                5,
	                                domain,
	                                (ULONG)dlen,
	                                (uint16_t *)password,
	                                8,
	                                SEC_WINNT_AUTH_IDENTITY_UNICODE};
	struct session s;
	session_init(&s);
	T_SEC(AcquireCredentialsHandle(NULL, "ntlm", SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL,
	                               &s.ccred, NULL),
	      SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_OK);
	session_free(&s);

	id.Flags = 0; /* neither ANSI nor UNICODE */
	CredHandle c;
	T_SEC(AcquireCredentialsHandle(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL, &c,
	                               NULL),
	      SEC_E_INVALID_PARAMETER);
}

static void test_credential_file(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s.creds", tmp_dir);
	FILE *f = fopen(path, "w");
	T_ASSERT(f);
	fprintf(f, "# test\nOTHER:bob:x\n%s:alice:%s\n", host, PASSWORD);
	fclose(f);
	setenv("NTLM_USER_FILE", path, 1);
	struct session s;
	session_init(&s);
	T_SEC(AcquireCredentialsHandle("alice", "NTLM", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL,
	                               &s.ccred, NULL),
	      SEC_E_OK);
	T_SEC(acquire_server(&s.scred, NULL), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_OK);
	session_free(&s);

	CredHandle c;
	T_SEC(AcquireCredentialsHandle("OTHER\\alice", "NTLM", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL,
	                               NULL, &c, NULL),
	      SEC_E_NO_CREDENTIALS);
	unsetenv("NTLM_USER_FILE");
	unlink(path);
	T_SEC(AcquireCredentialsHandle(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &c,
	                               NULL),
	      SEC_E_NO_CREDENTIALS);
	/* inbound takes its accounts from the file, never from an identity */
	SEC_WINNT_AUTH_IDENTITY id = {NULL, 0, NULL, 0, NULL, 0, SEC_WINNT_AUTH_IDENTITY_ANSI};
	T_SEC(AcquireCredentialsHandle(NULL, "NTLM", SECPKG_CRED_INBOUND, NULL, &id, NULL, NULL, &c,
	                               NULL),
	      SEC_E_UNSUPPORTED_FUNCTION);
}

/* pszTargetName reaches the server, which checks it against its own SPN (pszPrincipal). */
static void test_target_name(void)
{
	char conf[256];
	snprintf(conf, sizeof(conf), "%s.conf", tmp_dir);
	FILE *f = fopen(conf, "w");
	T_ASSERT(f);
	fputs("require_target_name = yes\n", f);
	fclose(f);
	setenv("NTLMSSP_CONF", conf, 1);
	struct session s;
	session_init(&s);
	T_SEC(acquire_client(&s.ccred, host, "alice", PASSWORD), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, SPN), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_OK);
	session_free(&s);

	session_init(&s);
	s.target = "HOST/elsewhere.example";
	T_SEC(acquire_client(&s.ccred, host, "alice", PASSWORD), SEC_E_OK);
	T_SEC(acquire_server(&s.scred, SPN), SEC_E_OK);
	T_SEC(session_run(&s), SEC_E_LOGON_DENIED);
	session_free(&s);
	unsetenv("NTLMSSP_CONF");
	unlink(conf);
}

static void test_datagram(void)
{
	struct session s;
	session_init(&s);
	s.creq |= ISC_REQ_DATAGRAM;
	s.sreq |= ASC_REQ_DATAGRAM;
	T_SEC(session_open(&s), SEC_E_OK);
	T_ASSERT(s.cattrs & ISC_RET_DATAGRAM);
	T_ASSERT(s.sattrs & ASC_RET_DATAGRAM);
	T_ASSERT(s.cattrs & ISC_RET_CONFIDENTIALITY);
	uint8_t data[8] = "dgram-1", sig[16];
	/* the caller numbers the messages; any order works */
	T_SEC(two_buffers(&s.cctx, 0, 1, sig, data, 8, 7), SEC_E_OK);
	T_SEC(two_buffers(&s.sctx, 0, 0, sig, data, 8, 7), SEC_E_OK);
	T_BYTES(data, "dgram-1", 8);
	T_SEC(two_buffers(&s.sctx, 1, 1, sig, data, 8, 3), SEC_E_OK);
	T_SEC(two_buffers(&s.cctx, 1, 0, sig, data, 8, 3), SEC_E_OK);
	T_SEC(two_buffers(&s.cctx, 0, 1, sig, data, 8, 8), SEC_E_OK);
	T_SEC(two_buffers(&s.sctx, 0, 0, sig, data, 8, 9), SEC_E_OUT_OF_SEQUENCE);
	session_free(&s);
}

int main(void)
{
	setup();
	T_RUN(test_windows_names);
	T_RUN(test_package_info);
	T_RUN(test_handshake_and_attributes);
	T_RUN(test_caller_buffers);
	T_RUN(test_identify);
	T_RUN(test_encrypt_token_data);
	T_RUN(test_encrypt_readonly_layout);
	T_RUN(test_stream_decrypt);
	T_RUN(test_tampered_and_replayed);
	T_RUN(test_sign_verify);
	T_RUN(test_wrong_password);
	T_RUN(test_anonymous_identity);
	T_RUN(test_invalid_handles);
	T_RUN(test_credentials_freed_early);
	T_RUN(test_buffer_too_small);
	T_RUN(test_unicode_identity);
	T_RUN(test_credential_file);
	T_RUN(test_target_name);
	T_RUN(test_datagram);
	unlink(store_path);
	T_END();
}
