/*
 * sspi_peer.exe - a Windows SSPI program for the Wine suite (38-wine.sh),
 * NTLM in either role against a peer speaking the line protocol of
 * `ntlm server` and `ntlm client` (TOKEN lines, DONE or FAIL, then SEAL /
 * UNSEAL / SIGN / VERIFY / QUIT: see ntlm(1)) over TCP on 127.0.0.1; the
 * suite's relay runs the peer with the connection as its stdin and stdout.
 * Under Wine every SSPI call below goes to ntlm_auth.
 *
 * usage: sspi_peer.exe connect PORT USER DOMAIN PASSWORD [MODE]
 *          InitializeSecurityContext with explicit SEC_WINNT_AUTH_IDENTITY
 *          credentials; the peer is a server
 *        sspi_peer.exe accept PORT [MODE]
 *          AcceptSecurityContext; the peer is a client
 * MODE: handshake-only (no session security after the logon) or no-resync
 *   (the peer may consume its sequence number on a refused message, as
 *   Samba's gensec does: no genuine message after a forgery).
 *
 * Prints the peer's DONE / FAIL line as "peer: ...", one line per check and
 * "sspi_peer: N passed, N failed"; exits 0 when all passed, 1 when a check
 * failed (a refused logon is a failed check: the suite expects it for a
 * wrong password and reads the peer's line or the status).
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define SECURITY_WIN32
#include <security.h>
#include <sspi.h>
#include <wincrypt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wincommon.h"

#define LINE_MAX_LEN 65536

typedef struct conn {
	SOCKET s;
	char line[LINE_MAX_LEN];
} conn;

static int send_all(conn *c, const char *p, size_t n)
{
	while (n) {
		int k = send(c->s, p, n > 0x10000 ? 0x10000 : (int)n, 0);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The next line from the peer, without its end; NULL at EOF or if too long. */
static const char *recv_line(conn *c)
{
	size_t n = 0;
	for (;;) {
		char ch;
		if (recv(c->s, &ch, 1, 0) != 1 || n + 1 >= sizeof(c->line))
			return NULL;
		if (ch == '\n')
			break;
		if (ch != '\r')
			c->line[n++] = ch;
	}
	c->line[n] = '\0';
	return c->line;
}

/* Base64 through crypt32: malloc'd, NUL-terminated, no line breaks. */
static char *b64(const void *data, DWORD len)
{
	DWORD n = 0;
	const DWORD how = CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF;
	if (!CryptBinaryToStringA(data, len, how, NULL, &n))
		return NULL;
	char *out = malloc(n + 1);
	if (out && !CryptBinaryToStringA(data, len, how, out, &n)) {
		free(out);
		return NULL;
	}
	return out;
}

/* Decodes the base64 word of line at index word (0-based); malloc'd or NULL. */
static BYTE *unb64_word(const char *line, int word, DWORD *len)
{
	const char *p = line;
	for (int i = 0; i < word && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	DWORD n = (DWORD)strcspn(p, " "), out_len = 0;
	if (!CryptStringToBinaryA(p, n, CRYPT_STRING_BASE64, NULL, &out_len, NULL, NULL))
		return NULL;
	BYTE *out = malloc(out_len ? out_len : 1);
	if (out && !CryptStringToBinaryA(p, n, CRYPT_STRING_BASE64, out, &out_len, NULL, NULL)) {
		free(out);
		return NULL;
	}
	*len = out_len;
	return out;
}

/* Sends "VERB b64(a)[ b64(b)]" and returns the answer line (NULL on I/O error). */
static const char *ask(conn *c, const char *verb, const void *a, DWORD alen, const void *b,
                       DWORD blen)
{
	char *ea = b64(a, alen), *eb = b ? b64(b, blen) : NULL;
	int rc = !ea || (b && !eb) || send_all(c, verb, strlen(verb)) || send_all(c, " ", 1) ||
	         send_all(c, ea, strlen(ea)) || (eb && send_all(c, " ", 1)) ||
	         (eb && send_all(c, eb, strlen(eb))) || send_all(c, "\n", 1);
	free(ea);
	free(eb);
	return rc ? NULL : recv_line(c);
}

static SOCKET connect_loopback(const char *port)
{
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("127.0.0.1", port, &hints, &ai) != 0)
		return INVALID_SOCKET;
	SOCKET s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (s != INVALID_SOCKET && connect(s, ai->ai_addr, (int)ai->ai_addrlen) != 0) {
		closesocket(s);
		s = INVALID_SOCKET;
	}
	freeaddrinfo(ai);
	return s;
}

struct session {
	CredHandle cred;
	CtxtHandle ctx;
	SecPkgContext_Sizes sizes;
	conn *c;
};

/* InitializeSecurityContext until it is done, tokens through TOKEN lines. */
static SECURITY_STATUS connect_handshake(struct session *s)
{
	const ULONG req = ISC_REQ_CONFIDENTIALITY | ISC_REQ_INTEGRITY | ISC_REQ_SEQUENCE_DETECT |
	                  ISC_REQ_REPLAY_DETECT | ISC_REQ_CONNECTION;
	BYTE out_tok[4096];
	BYTE *in_tok = NULL;
	DWORD in_len = 0;
	SECURITY_STATUS st;
	int first = 1;
	for (;;) {
		SecBuffer ib = {in_len, SECBUFFER_TOKEN, in_tok};
		SecBuffer ob = {sizeof(out_tok), SECBUFFER_TOKEN, out_tok};
		SecBufferDesc in = {SECBUFFER_VERSION, 1, &ib}, out = {SECBUFFER_VERSION, 1, &ob};
		ULONG attrs = 0;
		TimeStamp expiry;
		st = InitializeSecurityContextA(&s->cred, first ? NULL : &s->ctx, "host/127.0.0.1", req, 0,
		                                SECURITY_NATIVE_DREP, first ? NULL : &in, 0, &s->ctx, &out,
		                                &attrs, &expiry);
		free(in_tok);
		in_tok = NULL;
		first = 0;
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			return st;
		if (ob.cbBuffer && !ask(s->c, "TOKEN", out_tok, ob.cbBuffer, NULL, 0))
			return SEC_E_INTERNAL_ERROR;
		const char *line = s->c->line;
		if (st == SEC_E_OK)
			return st; /* the line is the peer's DONE or FAIL */
		if (strncmp(line, "TOKEN ", 6) != 0 || !(in_tok = unb64_word(line, 1, &in_len)))
			return SEC_E_INVALID_TOKEN;
	}
}

/*
 * AcceptSecurityContext on the peer's tokens. The peer prints its DONE line
 * right after its last token, whatever the verdict: it is read after the
 * last call, into the connection's line.
 */
static SECURITY_STATUS accept_handshake(struct session *s)
{
	const ULONG req = ASC_REQ_CONFIDENTIALITY | ASC_REQ_INTEGRITY | ASC_REQ_CONNECTION;
	BYTE out_tok[4096], *in_tok = NULL;
	DWORD in_len = 0;
	SECURITY_STATUS st = SEC_E_INTERNAL_ERROR;
	const char *line = recv_line(s->c);
	for (int first = 1;; first = 0) {
		if (!line || strncmp(line, "TOKEN ", 6) != 0 || !(in_tok = unb64_word(line, 1, &in_len)))
			return SEC_E_INVALID_TOKEN;
		SecBuffer ib = {in_len, SECBUFFER_TOKEN, in_tok};
		SecBuffer ob = {sizeof(out_tok), SECBUFFER_TOKEN, out_tok};
		SecBufferDesc in = {SECBUFFER_VERSION, 1, &ib}, out = {SECBUFFER_VERSION, 1, &ob};
		ULONG attrs = 0;
		TimeStamp expiry;
		st = AcceptSecurityContext(&s->cred, first ? NULL : &s->ctx, &in, req, SECURITY_NATIVE_DREP,
		                           &s->ctx, &out, &attrs, &expiry);
		free(in_tok);
		if (st != SEC_I_CONTINUE_NEEDED)
			break;
		line = ask(s->c, "TOKEN", out_tok, ob.cbBuffer, NULL, 0);
	}
	if (!recv_line(s->c))
		strcpy(s->c->line, "(no answer)");
	return st;
}

/* "UNSEAL" data and sig; the plaintext the peer answered (malloc'd) or NULL. */
static BYTE *peer_unseal(struct session *s, const BYTE *data, DWORD n, const BYTE *sig,
                         DWORD sig_len, DWORD *plain_len)
{
	const char *line = ask(s->c, "UNSEAL", data, n, sig, sig_len);
	return line && !strncmp(line, "PLAIN ", 6) ? unb64_word(line, 1, plain_len) : NULL;
}

/*
 * Seals msg (EncryptMessage) and has the peer unseal it; with tamper, first
 * a copy with one bit flipped, which the peer must refuse without
 * consuming its sequence number: the genuine message still unseals after it.
 */
static void seal_to_peer(struct session *s, const char *name, const char *msg, int tamper,
                         int resync)
{
	DWORD n = (DWORD)strlen(msg), plain_len = 0;
	BYTE sig[64], *data = malloc(n), *plain = NULL;
	memcpy(data, msg, n);
	SecBuffer b[2] = {{s->sizes.cbSecurityTrailer, SECBUFFER_TOKEN, sig},
	                  {n, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = EncryptMessage(&s->ctx, 0, &d, 0);
	char err[256];
	if (!wt_step(st == SEC_E_OK, name, "EncryptMessage: %s", wt_strerror(st, err, sizeof(err))))
		goto out;
	if (tamper) {
		data[0] ^= 1;
		plain = peer_unseal(s, data, b[1].cbBuffer, sig, b[0].cbBuffer, &plain_len);
		wt_check(!plain, name, "the peer unsealed a tampered message: %s", s->c->line);
		free(plain);
		if (!resync)
			goto out;
		data[0] ^= 1;
		name = "genuine seal after a refused forgery (no sequence number consumed)";
	}
	plain = peer_unseal(s, data, b[1].cbBuffer, sig, b[0].cbBuffer, &plain_len);
	wt_check(plain && plain_len == n && !memcmp(plain, msg, n), name, "peer answered %s",
	         s->c->line);
	free(plain);
out:
	free(data);
}

/* Has the peer seal msg and unseals it (DecryptMessage). */
static void seal_from_peer(struct session *s, const char *name, const char *msg)
{
	const char *line = ask(s->c, "SEAL", msg, (DWORD)strlen(msg), NULL, 0);
	DWORD n = 0, sig_len = 0;
	BYTE *data = NULL, *sig = NULL;
	if (line && !strncmp(line, "SEALED ", 7)) {
		data = unb64_word(line, 1, &n);
		sig = unb64_word(line, 2, &sig_len);
	}
	if (wt_step(data && sig, name, "peer answered %s", line ? line : "(no answer)")) {
		SecBuffer b[2] = {{sig_len, SECBUFFER_TOKEN, sig}, {n, SECBUFFER_DATA, data}};
		SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
		ULONG qop = 0;
		SECURITY_STATUS st = DecryptMessage(&s->ctx, &d, 0, &qop);
		char err[256];
		wt_check(st == SEC_E_OK && b[1].cbBuffer == strlen(msg) && !memcmp(data, msg, n), name,
		         "DecryptMessage: %s", wt_strerror(st, err, sizeof(err)));
	}
	free(data);
	free(sig);
}

/* Signs msg (MakeSignature) and has the peer verify it. */
static void sign_to_peer(struct session *s, const char *msg)
{
	DWORD n = (DWORD)strlen(msg);
	BYTE sig[64];
	SecBuffer b[2] = {{n, SECBUFFER_DATA, (void *)msg},
	                  {s->sizes.cbMaxSignature, SECBUFFER_TOKEN, sig}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	SECURITY_STATUS st = MakeSignature(&s->ctx, 0, &d, 0);
	char err[256];
	if (!wt_step(st == SEC_E_OK, "sign Wine->peer", "MakeSignature: %s",
	             wt_strerror(st, err, sizeof(err))))
		return;
	const char *line = ask(s->c, "VERIFY", msg, n, sig, b[1].cbBuffer);
	wt_check(line && !strcmp(line, "OK"), "sign Wine->peer", "peer answered %s",
	         line ? line : "(no answer)");
}

/* Has the peer sign msg and verifies it (VerifySignature), tampered when asked. */
static void sign_from_peer(struct session *s, const char *name, const char *msg, int tamper)
{
	const char *line = ask(s->c, "SIGN", msg, (DWORD)strlen(msg), NULL, 0);
	DWORD sig_len = 0, n = (DWORD)strlen(msg);
	BYTE *sig = line && !strncmp(line, "SIG ", 4) ? unb64_word(line, 1, &sig_len) : NULL;
	if (!wt_step(sig != NULL, name, "peer answered %s", line ? line : "(no answer)"))
		return;
	char *data = _strdup(msg);
	if (tamper)
		data[0] ^= 1;
	SecBuffer b[2] = {{n, SECBUFFER_DATA, data}, {sig_len, SECBUFFER_TOKEN, sig}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	ULONG qop = 0;
	SECURITY_STATUS st = VerifySignature(&s->ctx, &d, 0, &qop);
	char err[256];
	if (tamper)
		wt_check(st == SEC_E_MESSAGE_ALTERED, name, "VerifySignature of a tampered message: %s",
		         wt_strerror(st, err, sizeof(err)));
	else
		wt_check(st == SEC_E_OK, name, "VerifySignature: %s", wt_strerror(st, err, sizeof(err)));
	free(data);
	free(sig);
}

static void session_security(struct session *s, int resync)
{
	SECURITY_STATUS st = QueryContextAttributesA(&s->ctx, SECPKG_ATTR_SIZES, &s->sizes);
	char err[256];
	if (!wt_step(st == SEC_E_OK && s->sizes.cbSecurityTrailer <= 64 &&
	                 s->sizes.cbMaxSignature <= 64,
	             "context sizes", "QueryContextAttributes: %s", wt_strerror(st, err, sizeof(err))))
		return;
	seal_to_peer(s, "seal Wine->peer", "sealed by a Windows program under Wine", 0, 0);
	seal_from_peer(s, "seal peer->Wine", "sealed by the peer for Wine");
	sign_to_peer(s, "signed by a Windows program under Wine");
	sign_from_peer(s, "sign peer->Wine", "signed by the peer for Wine", 0);
	seal_to_peer(s, "tampered seal refused by the peer", "a message changed on the way", 1, resync);
	/* last: whether a failed verification consumes a sequence number is Wine's affair */
	sign_from_peer(s, "tampered signature refused by Wine", "changed on the way back", 1);
}

static int usage(void)
{
	fprintf(stderr, "usage: sspi_peer.exe connect PORT USER DOMAIN PASSWORD [MODE]\n"
	                "       sspi_peer.exe accept PORT [MODE]\n"
	                "MODE: handshake-only or no-resync\n");
	return 2;
}

/* The handshake in the role asked for; the peer's verdict is in c->line. */
static SECURITY_STATUS logon(struct session *s, int accept, char **argv)
{
	char err[256];
	TimeStamp expiry;
	SECURITY_STATUS st;
	if (accept) {
		st = AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
		                               &s->cred, &expiry);
	} else {
		SEC_WINNT_AUTH_IDENTITY_A id = {
			.User = (unsigned char *)argv[3],
			.UserLength = (unsigned long)strlen(argv[3]),
			.Domain = (unsigned char *)argv[4],
			.DomainLength = (unsigned long)strlen(argv[4]),
			.Password = (unsigned char *)argv[5],
			.PasswordLength = (unsigned long)strlen(argv[5]),
			.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
		};
		st = AcquireCredentialsHandleA(NULL, "NTLM", SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL,
		                               &s->cred, &expiry);
	}
	if (!wt_step(st == SEC_E_OK, "AcquireCredentialsHandle NTLM", "%s",
	             wt_strerror(st, err, sizeof(err))))
		return st;
	st = accept ? accept_handshake(s) : connect_handshake(s);
	printf("peer: %s\n", s->c->line);
	printf("status: %s\n", wt_strerror(st, err, sizeof(err)));
	return st;
}

int main(int argc, char **argv)
{
	int accept = argc >= 3 && !strcmp(argv[1], "accept");
	if (!accept && !(argc >= 6 && !strcmp(argv[1], "connect")))
		return usage();
	const char *mode = argc > (accept ? 3 : 6) ? argv[accept ? 3 : 6] : "";
	WSADATA wsa;
	conn c = {.s = INVALID_SOCKET, .line = "(no answer)"};
	struct session s = {.c = &c};
	SecInvalidateHandle(&s.cred);
	SecInvalidateHandle(&s.ctx);
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0 ||
	    (c.s = connect_loopback(argv[2])) == INVALID_SOCKET) {
		wt_check(0, "connect", "no connection to 127.0.0.1:%s", argv[2]);
		return wt_finish("sspi_peer");
	}
	SECURITY_STATUS st = logon(&s, accept, argv);
	int done = st == SEC_E_OK && !strncmp(c.line, "DONE ", 5);
	if (wt_check(done, "handshake", "%s", c.line) && strcmp(mode, "handshake-only") != 0)
		session_security(&s, strcmp(mode, "no-resync") != 0);
	send_all(&c, "QUIT\n", 5);
	if (SecIsValidHandle(&s.ctx))
		DeleteSecurityContext(&s.ctx);
	if (SecIsValidHandle(&s.cred))
		FreeCredentialsHandle(&s.cred);
	closesocket(c.s);
	WSACleanup();
	return wt_finish("sspi_peer");
}
