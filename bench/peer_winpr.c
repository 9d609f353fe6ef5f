/*
 * peer_winpr.c - the ntlm-bench loops run against WinPR's NTLM package
 * through its SSPI API, for comparison. Built by bench/run:
 *   cc -O2 bench/peer_winpr.c $(pkg-config --cflags --libs winpr2) -lpthread
 * The client passes user/domain/password; the server verifies against a
 * WinPR SAM file (USER:DOMAIN:LMHASH:NTHASH:::) in a scratch directory,
 * named to each server context with SECPKG_ATTR_AUTH_NTLM_SAM_FILE.
 * Same result-line format as ntlm-bench ("R winpr <metric> <value> <unit>").
 */
#include <winpr/ntlm.h>
#include <winpr/sspi.h>
#include <winpr/version.h>

#include "bench_common.h"

static char sam_path[300];
static SecurityFunctionTableA *sspi;

typedef struct env {
	CredHandle ccred, scred;
	SEC_WINNT_AUTH_IDENTITY identity;
	ULONG max_token;
} env;

static void fail(const char *what, SECURITY_STATUS st)
{
	bc_die("%s failed: 0x%08x", what, (unsigned)st);
}

static void env_init(env *e)
{
	char line[200], nthash_hex[33];
	uint8_t nt[16];
	char pw[] = BC_PASSWORD;
	TimeStamp expiry;
	/*
	 * WinPR 2 takes MD4 from OpenSSL, which in OpenSSL 3 lives in the
	 * legacy provider: without it NTOWFv1 (the client's, per handshake)
	 * fails. Load it for this process, keeping the default provider.
	 */
	char conf[300];
	snprintf(conf, sizeof(conf), "%s/openssl.cnf", bc_scratch());
	bc_write_file(conf, "openssl_conf = openssl_init\n"
	                    "[openssl_init]\nproviders = provider_sect\n"
	                    "[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n"
	                    "[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n");
	setenv("OPENSSL_CONF", conf, 1);
	if (!NTOWFv1A(pw, (UINT32)strlen(pw), nt))
		bc_die("NTOWFv1A");
	for (int i = 0; i < 16; i++)
		snprintf(nthash_hex + 2 * i, 3, "%02x", nt[i]);
	snprintf(sam_path, sizeof(sam_path), "%s/SAM", bc_scratch());
	snprintf(line, sizeof(line), "%s:%s::%s:::\n", BC_USER, BC_DOMAIN, nthash_hex);
	bc_write_file(sam_path, line);
	sspi = InitSecurityInterfaceExA(0);
	if (!sspi)
		bc_die("InitSecurityInterfaceExA");
	PSecPkgInfoA info = NULL;
	SECURITY_STATUS st = sspi->QuerySecurityPackageInfoA("NTLM", &info);
	if (st != SEC_E_OK)
		fail("QuerySecurityPackageInfo", st);
	e->max_token = info->cbMaxToken;
	sspi->FreeContextBuffer(info);
	memset(&e->identity, 0, sizeof(e->identity));
	if (sspi_SetAuthIdentity(&e->identity, BC_USER, BC_DOMAIN, BC_PASSWORD) < 0)
		bc_die("sspi_SetAuthIdentity");
	st = sspi->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, &e->identity,
	                                     NULL, NULL, &e->ccred, &expiry);
	if (st != SEC_E_OK)
		fail("AcquireCredentialsHandle(outbound)", st);
	st = sspi->AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
	                                     &e->scred, &expiry);
	if (st != SEC_E_OK)
		fail("AcquireCredentialsHandle(inbound)", st);
}

#define ISC_FLAGS                                                                                  \
	(ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY | ISC_REQ_REPLAY_DETECT | ISC_REQ_SEQUENCE_DETECT)
#define ASC_FLAGS                                                                                  \
	(ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | ASC_REQ_REPLAY_DETECT | ASC_REQ_SEQUENCE_DETECT)

static void handshake(env *e, CtxtHandle *c, CtxtHandle *s)
{
	uint8_t tok_c[4096], tok_s[4096];
	SecBuffer cb = {0}, sb = {0};
	SecBufferDesc cdesc = {SECBUFFER_VERSION, 1, &cb}, sdesc = {SECBUFFER_VERSION, 1, &sb};
	ULONG attrs;
	TimeStamp expiry;
	SECURITY_STATUS cst = SEC_I_CONTINUE_NEEDED, sst = SEC_I_CONTINUE_NEEDED;
	int have_c = 0, have_s = 0;
	size_t in_len = 0;
	if (e->max_token > sizeof(tok_c))
		bc_die("max token too large");
	for (int round = 0; round < 4; round++) {
		/* client */
		SecBuffer inb = {(ULONG)in_len, SECBUFFER_TOKEN, tok_s};
		SecBufferDesc indesc = {SECBUFFER_VERSION, 1, &inb};
		cb.BufferType = SECBUFFER_TOKEN;
		cb.cbBuffer = e->max_token;
		cb.pvBuffer = tok_c;
		cst = sspi->InitializeSecurityContextA(
			&e->ccred, have_c ? c : NULL, "HOST/" BC_SERVER, ISC_FLAGS, 0, SECURITY_NATIVE_DREP,
			have_c ? &indesc : NULL, 0, c, &cdesc, &attrs, &expiry);
		have_c = 1;
		if (cst == SEC_I_COMPLETE_NEEDED || cst == SEC_I_COMPLETE_AND_CONTINUE) {
			SECURITY_STATUS x = sspi->CompleteAuthToken(c, &cdesc);
			if (x != SEC_E_OK)
				fail("CompleteAuthToken(client)", x);
			cst = cst == SEC_I_COMPLETE_NEEDED ? SEC_E_OK : SEC_I_CONTINUE_NEEDED;
		}
		if (cst != SEC_E_OK && cst != SEC_I_CONTINUE_NEEDED)
			fail("InitializeSecurityContext", cst);
		if (bc_describe_next && round == 1) {
			bc_report_auth(tok_c, cb.cbBuffer);
			bc_describe_next = 0;
		}
		if (cb.cbBuffer == 0)
			break;
		/* server */
		SecBuffer sin = {cb.cbBuffer, SECBUFFER_TOKEN, tok_c};
		SecBufferDesc sindesc = {SECBUFFER_VERSION, 1, &sin};
		sb.BufferType = SECBUFFER_TOKEN;
		sb.cbBuffer = e->max_token;
		sb.pvBuffer = tok_s;
		sst = sspi->AcceptSecurityContext(&e->scred, have_s ? s : NULL, &sindesc, ASC_FLAGS,
		                                  SECURITY_NATIVE_DREP, s, &sdesc, &attrs, &expiry);
		if (!have_s) {
			have_s = 1;
			/* the SAM file is a context attribute in WinPR 2 */
			SECURITY_STATUS x = sspi->SetContextAttributesA(s, SECPKG_ATTR_AUTH_NTLM_SAM_FILE,
			                                                sam_path, (ULONG)strlen(sam_path) + 1);
			if (x != SEC_E_OK)
				fail("SetContextAttributes(SAM_FILE)", x);
		}
		if (sst == SEC_I_COMPLETE_NEEDED || sst == SEC_I_COMPLETE_AND_CONTINUE) {
			SECURITY_STATUS x = sspi->CompleteAuthToken(s, &sdesc);
			if (x != SEC_E_OK)
				fail("CompleteAuthToken(server)", x);
			sst = sst == SEC_I_COMPLETE_NEEDED ? SEC_E_OK : SEC_I_CONTINUE_NEEDED;
		}
		if (sst != SEC_E_OK && sst != SEC_I_CONTINUE_NEEDED)
			fail("AcceptSecurityContext", sst);
		if (cst == SEC_E_OK && sst == SEC_E_OK)
			return;
		in_len = sb.cbBuffer;
	}
	bc_die("handshake did not complete (client 0x%08x server 0x%08x)", (unsigned)cst,
	       (unsigned)sst);
}

static void free_pair(CtxtHandle *c, CtxtHandle *s)
{
	sspi->DeleteSecurityContext(c);
	sspi->DeleteSecurityContext(s);
}

static void hs_loop(void *arg, long n)
{
	env *e = arg;
	for (long i = 0; i < n; i++) {
		CtxtHandle c, s;
		handshake(e, &c, &s);
		free_pair(&c, &s);
	}
}

/* ------------------------------------------------------------- messages */

typedef struct seal_arg {
	CtxtHandle c, s;
	size_t size;
	uint8_t *ring;
	uint8_t (*sig)[16];
	ULONG seq_send, seq_recv;
} seal_arg;

/*
 * Message i as SSPI takes it: EncryptMessage/DecryptMessage are given the
 * signature first, MakeSignature/VerifySignature the data first.
 */
static SecBufferDesc msg_desc(seal_arg *a, int i, int sig_first, SecBuffer b[2])
{
	SecBuffer sig = {16, SECBUFFER_TOKEN, a->sig[i]};
	SecBuffer data = {(ULONG)a->size, SECBUFFER_DATA, a->ring + (size_t)i * a->size};
	b[0] = sig_first ? sig : data;
	b[1] = sig_first ? data : sig;
	return (SecBufferDesc){SECBUFFER_VERSION, 2, b};
}

static void do_seal(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++) {
		SecBuffer b[2];
		SecBufferDesc d = msg_desc(a, i, 1, b);
		SECURITY_STATUS st = sspi->EncryptMessage(&a->c, 0, &d, a->seq_send++);
		if (st != SEC_E_OK)
			fail("EncryptMessage", st);
	}
}

static void do_unseal(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++) {
		SecBuffer b[2];
		SecBufferDesc d = msg_desc(a, i, 1, b);
		ULONG qop = 0;
		SECURITY_STATUS st = sspi->DecryptMessage(&a->s, &d, a->seq_recv++, &qop);
		if (st != SEC_E_OK)
			fail("DecryptMessage", st);
	}
}

static void do_sign(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++) {
		SecBuffer b[2];
		SecBufferDesc d = msg_desc(a, i, 0, b);
		SECURITY_STATUS st = sspi->MakeSignature(&a->c, 0, &d, a->seq_send++);
		if (st != SEC_E_OK)
			fail("MakeSignature", st);
	}
}

static void do_verify(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++) {
		SecBuffer b[2];
		SecBufferDesc d = msg_desc(a, i, 0, b);
		ULONG qop = 0;
		SECURITY_STATUS st = sspi->VerifySignature(&a->s, &d, a->seq_recv++, &qop);
		if (st != SEC_E_OK)
			fail("VerifySignature", st);
	}
}

/* WinPR 2 answers SEC_E_UNSUPPORTED_FUNCTION to MakeSignature (NTLM has it from WinPR 3). */
static int sign_supported(seal_arg *a)
{
	static int said;
	SecBuffer b[2];
	SecBufferDesc d = msg_desc(a, 0, 0, b);
	SECURITY_STATUS st = sspi->MakeSignature(&a->c, 0, &d, a->seq_send++);
	if (st == SEC_E_OK) {
		ULONG qop = 0;
		st = sspi->VerifySignature(&a->s, &d, a->seq_recv++, &qop); /* stay in step */
		if (st != SEC_E_OK)
			fail("VerifySignature", st);
		return 1;
	}
	if (!said++)
		bc_info("sign",
		        "MakeSignature/VerifySignature not measured: 0x%08x (unsupported in WinPR %s)",
		        (unsigned)st, WINPR_VERSION_FULL);
	return 0;
}

static void seal_size(const bc_opts *o, void *p, size_t size, int k, uint8_t *ring)
{
	env *e = p;
	seal_arg a;
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.ring = ring;
	a.sig = malloc((size_t)k * 16);
	if (!a.sig)
		bc_die("out of memory");
	handshake(e, &a.c, &a.s);
	bc_report_pair("seal", "unseal", size, bc_pair_rate(o->secs, do_seal, do_unseal, &a, k));
	if (sign_supported(&a))
		bc_report_pair("sign", "verify", size, bc_pair_rate(o->secs, do_sign, do_verify, &a, k));
	free_pair(&a.c, &a.s);
	free(a.sig);
}

/* --------------------------------------------------------------- memory */

static void hold_server(void *p, void *slot)
{
	CtxtHandle c;
	handshake(p, &c, slot);
	sspi->DeleteSecurityContext(&c);
}

static void drop_ctx(void *p, void *slot)
{
	sspi->DeleteSecurityContext(slot);
}

int main(int argc, char **argv)
{
	bc_opts o;
	bc_impl = "winpr";
	bc_peer_args(&o, argc, argv, "peer_winpr");
	setenv("WLOG_LEVEL", "OFF", 0);
	env e;
	env_init(&e);
	bc_info("version", "WinPR %s SSPI NTLM", WINPR_VERSION_FULL);
	static const bc_peer peer = {hs_loop, seal_size, sizeof(CtxtHandle), hold_server, drop_ctx};
	bc_peer_sections(&o, &peer, &e);
	sspi->FreeCredentialsHandle(&e.ccred);
	sspi->FreeCredentialsHandle(&e.scred);
	return 0;
}
