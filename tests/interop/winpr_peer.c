/*
 * winpr_peer - WinPR 2's NTLM package (FreeRDP's SSPI) as an interop peer on
 * the suite's line protocol.
 *
 *   winpr_peer client --user U --domain D --password P
 *       AcquireCredentialsHandleA(SECPKG_CRED_OUTBOUND, "NTLM") with a
 *       SEC_WINNT_AUTH_IDENTITY, then InitializeSecurityContextA.
 *   winpr_peer server --sam FILE
 *       AcquireCredentialsHandleA(SECPKG_CRED_INBOUND), AcceptSecurityContext.
 *       WinPR's acceptor looks accounts up in a SAM file, lines
 *       "USER:DOMAIN:LMHASH:NTHASH:::" (default /etc/winpr/SAM); WinPR 2 takes
 *       another path only as a context attribute,
 *       SetContextAttributesA(SECPKG_ATTR_AUTH_NTLM_SAM_FILE), set here right
 *       after the first AcceptSecurityContext call (the NEGOTIATE).
 *
 * After DONE: SEAL/UNSEAL via EncryptMessage/DecryptMessage (a TOKEN buffer
 * of 16 bytes + a DATA buffer), SIGN/VERIFY via MakeSignature/VerifySignature.
 * WinPR takes MD4 from OpenSSL: OPENSSL_CONF must enable the legacy provider.
 */
#include <winpr/ntlm.h>
#include <winpr/sspi.h>

#include "lineproto.h"

static SecurityFunctionTableA *sspi;
/* as in gssntlm.c: the AUTHENTICATE's NegotiateFlags */
static uint32_t auth_flags;
/*
 * WinPR 2 takes the sequence number from the MessageSeqNo argument of
 * EncryptMessage/DecryptMessage instead of keeping its own (Windows ignores
 * it for connection-oriented contexts): the caller counts.
 */
static ULONG send_seq, recv_seq;

static void fail(const char *what, SECURITY_STATUS st)
{
	printf("FAIL %s 0x%08X %s\n", what, (unsigned)st, GetSecurityStatusString(st));
	fflush(stdout);
}

static int op_seal(void *c, const uint8_t *in, size_t n, uint8_t **data, size_t *dn,
                   uint8_t sig[16], char *err, size_t errlen)
{
	uint8_t *d = malloc(n + 1);
	memcpy(d, in, n);
	SecBuffer b[2] = {{16, SECBUFFER_TOKEN, sig}, {(ULONG)n, SECBUFFER_DATA, d}};
	SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = sspi->EncryptMessage(c, 0, &desc, send_seq++);
	if (st != SEC_E_OK || b[0].cbBuffer != 16) {
		snprintf(err, errlen, "EncryptMessage 0x%08X", (unsigned)st);
		free(d);
		return -1;
	}
	*data = d;
	*dn = n;
	return 0;
}

static int op_unseal(void *c, const uint8_t *dd, size_t dn, const uint8_t sig[16], uint8_t **plain,
                     size_t *pn, char *err, size_t errlen)
{
	uint8_t *d = malloc(dn + 1), s[16];
	ULONG qop = 0;
	memcpy(d, dd, dn);
	memcpy(s, sig, 16);
	SecBuffer b[2] = {{16, SECBUFFER_TOKEN, s}, {(ULONG)dn, SECBUFFER_DATA, d}};
	SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = sspi->DecryptMessage(c, &desc, recv_seq++, &qop);
	if (st != SEC_E_OK) {
		snprintf(err, errlen, "DecryptMessage 0x%08X %s", (unsigned)st,
		         GetSecurityStatusString(st));
		free(d);
		return -1;
	}
	*plain = d;
	*pn = dn;
	return 0;
}

static int op_sign(void *c, const uint8_t *m, size_t n, uint8_t sig[16], char *err, size_t errlen)
{
	uint8_t *d = malloc(n + 1);
	memcpy(d, m, n);
	SecBuffer b[2] = {{(ULONG)n, SECBUFFER_DATA, d}, {16, SECBUFFER_TOKEN, sig}};
	SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = sspi->MakeSignature(c, 0, &desc, send_seq);
	free(d);
	if (st != SEC_E_OK) {
		snprintf(err, errlen, "MakeSignature 0x%08X", (unsigned)st);
		return -1;
	}
	return 0;
}

static int op_verify(void *c, const uint8_t *m, size_t n, const uint8_t sig[16], char *err,
                     size_t errlen)
{
	uint8_t *d = malloc(n + 1), s[16];
	ULONG qop = 0;
	memcpy(d, m, n);
	memcpy(s, sig, 16);
	SecBuffer b[2] = {{(ULONG)n, SECBUFFER_DATA, d}, {16, SECBUFFER_TOKEN, s}};
	SecBufferDesc desc = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = sspi->VerifySignature(c, &desc, recv_seq, &qop);
	free(d);
	if (st != SEC_E_OK) {
		snprintf(err, errlen, "VerifySignature 0x%08X %s", (unsigned)st,
		         GetSecurityStatusString(st));
		return -1;
	}
	return 0;
}

static void report_done(CtxtHandle *ctx, int server)
{
	SecPkgContext_SessionKey sk = {0};
	printf("DONE ");
	if (server) {
		SecPkgContext_AuthIdentity id;
		memset(&id, 0, sizeof(id));
		if (sspi->QueryContextAttributesA(ctx, SECPKG_ATTR_AUTH_IDENTITY, &id) == SEC_E_OK)
			printf("user=%s\\%s ", id.Domain, id.User);
		else
			printf("user=- ");
	}
	printf("flags=0x%08x sessionkey=", auth_flags);
	if (sspi->QueryContextAttributesA(ctx, SECPKG_ATTR_SESSION_KEY, &sk) == SEC_E_OK &&
	    sk.SessionKeyLength) {
		lp_put_hex(sk.SessionKey, sk.SessionKeyLength);
		sspi->FreeContextBuffer(sk.SessionKey);
	} else
		printf("-");
	printf("\n");
	fflush(stdout);
}

#define ISC_FLAGS                                                                                  \
	(ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT)
#define ASC_FLAGS                                                                                  \
	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT)

int main(int argc, char **argv)
{
	const char *user = "", *domain = "", *password = "", *sam = "/etc/winpr/SAM";
	const lp_opt opts[] = {{"user", &user, NULL},
	                       {"domain", &domain, NULL},
	                       {"password", &password, NULL},
	                       {"sam", &sam, NULL}};
	int server = lp_args(argc, argv, opts, sizeof(opts) / sizeof(*opts));
	if (server < 0)
		return 2;
	sspi = InitSecurityInterfaceExA(0);
	if (!sspi) {
		printf("FAIL InitSecurityInterfaceExA\n");
		return 1;
	}
	PSecPkgInfoA info = NULL;
	SECURITY_STATUS st = sspi->QuerySecurityPackageInfoA("NTLM", &info);
	if (st != SEC_E_OK)
		return fail("QuerySecurityPackageInfoA", st), 1;
	ULONG max_token = info->cbMaxToken;
	sspi->FreeContextBuffer(info);
	CredHandle cred;
	CtxtHandle ctx;
	TimeStamp expiry;
	ULONG attrs = 0;
	SEC_WINNT_AUTH_IDENTITY identity;
	memset(&identity, 0, sizeof(identity));
	/* a process-lifetime buffer: the error returns below end the process */
	static uint8_t outbuf[65536];
	uint8_t *in = NULL;
	if (max_token > sizeof(outbuf))
		return printf("FAIL cbMaxToken %lu too large\n", (unsigned long)max_token), 1;
	size_t in_len = 0;
	int have_ctx = 0;
	if (!server) {
		if (sspi_SetAuthIdentity(&identity, user, domain, password) < 0)
			return printf("FAIL sspi_SetAuthIdentity\n"), 1;
		st = sspi->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, &identity,
		                                     NULL, NULL, &cred, &expiry);
		if (st != SEC_E_OK)
			return fail("AcquireCredentialsHandleA", st), 1;
		for (;;) {
			SecBuffer ib = {(ULONG)in_len, SECBUFFER_TOKEN, in},
					  ob = {max_token, SECBUFFER_TOKEN, outbuf};
			SecBufferDesc idesc = {SECBUFFER_VERSION, 1, &ib}, odesc = {SECBUFFER_VERSION, 1, &ob};
			st = sspi->InitializeSecurityContextA(
				&cred, have_ctx ? &ctx : NULL, "HOST/interop", ISC_FLAGS, 0, SECURITY_NATIVE_DREP,
				have_ctx ? &idesc : NULL, 0, &ctx, &odesc, &attrs, &expiry);
			have_ctx = 1;
			free(in);
			in = NULL;
			if (st == SEC_I_COMPLETE_NEEDED || st == SEC_I_COMPLETE_AND_CONTINUE) {
				SECURITY_STATUS x = sspi->CompleteAuthToken(&ctx, &odesc);
				if (x != SEC_E_OK)
					return fail("CompleteAuthToken", x), 1;
				st = st == SEC_I_COMPLETE_NEEDED ? SEC_E_OK : SEC_I_CONTINUE_NEEDED;
			}
			if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
				return fail("InitializeSecurityContextA", st), 1;
			if (ob.cbBuffer) {
				auth_flags |= lp_auth_flags(outbuf, ob.cbBuffer);
				lp_token(outbuf, ob.cbBuffer);
			}
			if (st == SEC_E_OK)
				break;
			if (!(in = lp_read_token(&in_len)))
				return 1;
		}
	} else {
		st = sspi->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_INBOUND, NULL, NULL, NULL,
		                                     NULL, &cred, &expiry);
		if (st != SEC_E_OK)
			return fail("AcquireCredentialsHandleA", st), 1;
		for (;;) {
			if (!(in = lp_read_token(&in_len)))
				return 1;
			auth_flags |= lp_auth_flags(in, in_len);
			SecBuffer ib = {(ULONG)in_len, SECBUFFER_TOKEN, in},
					  ob = {max_token, SECBUFFER_TOKEN, outbuf};
			SecBufferDesc idesc = {SECBUFFER_VERSION, 1, &ib}, odesc = {SECBUFFER_VERSION, 1, &ob};
			st = sspi->AcceptSecurityContext(&cred, have_ctx ? &ctx : NULL, &idesc, ASC_FLAGS,
			                                 SECURITY_NATIVE_DREP, &ctx, &odesc, &attrs, &expiry);
			free(in);
			in = NULL;
			if (!have_ctx && (st == SEC_E_OK || st == SEC_I_CONTINUE_NEEDED)) {
				SECURITY_STATUS x = sspi->SetContextAttributesA(
					&ctx, SECPKG_ATTR_AUTH_NTLM_SAM_FILE, (void *)sam, (ULONG)strlen(sam) + 1);
				if (x != SEC_E_OK)
					return fail("SetContextAttributesA(SECPKG_ATTR_AUTH_NTLM_SAM_FILE)", x), 0;
			}
			have_ctx = 1;
			if (st == SEC_I_COMPLETE_NEEDED || st == SEC_I_COMPLETE_AND_CONTINUE) {
				SECURITY_STATUS x = sspi->CompleteAuthToken(&ctx, &odesc);
				if (x != SEC_E_OK)
					return fail("CompleteAuthToken", x), 0;
				st = st == SEC_I_COMPLETE_NEEDED ? SEC_E_OK : SEC_I_CONTINUE_NEEDED;
			}
			if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
				return fail("AcceptSecurityContext", st), 0;
			if (ob.cbBuffer)
				lp_token(outbuf, ob.cbBuffer);
			if (st == SEC_E_OK)
				break;
		}
	}
	report_done(&ctx, server);
	lp_ops ops = {&ctx, op_seal, op_unseal, op_sign, op_verify};
	lp_session(&ops);
	sspi->DeleteSecurityContext(&ctx);
	sspi->FreeCredentialsHandle(&cred);
	return 0;
}
