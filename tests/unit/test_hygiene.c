/*
 * test_hygiene.c - secrets are wiped before their memory goes back to the
 * allocator. This binary replaces malloc/calloc/realloc/free (the library
 * is linked in statically, and libc's own calls come here too): every
 * block is zero-filled up to its usable size when allocated, and, while a
 * test has "armed" the checker with its known secrets, every block being
 * freed is searched for them: password (UTF-8 and UTF-16LE), NT and LM
 * hashes (binary and as smbpasswd hex), NTOWFv2, the session base key, the
 * exported session key, the signing and sealing keys, and sealed plaintext.
 * The library's free paths (ntlm_ctx_free, ntlm_cred_free,
 * ntlm_buffer_free, account store and file readers) run inside the armed
 * window, and so does every intermediate buffer of a full handshake.
 *
 * A first test proves the checker catches an unwiped block; otherwise a
 * broken interposition would make every other test pass vacuously.
 *
 * Skipped under AddressSanitizer and valgrind: both own malloc/free.
 */

#include <malloc.h>
#include <unistd.h>

#include "context.h"
#include "ntlm_keys.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"
#include "mem.h"
#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define HYGIENE_SKIP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HYGIENE_SKIP 1
#endif
#endif

#ifndef HYGIENE_SKIP

/* ------------------------------------------------ the allocator wrapper */

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void __libc_free(void *p);

struct pattern {
	const char *name;
	uint8_t bytes[80];
	size_t len;
};

#define MAX_PATTERNS 32
#define MAX_HITS     32
static struct pattern patterns[MAX_PATTERNS];
static size_t npatterns;
static int armed;
static unsigned long armed_frees; /* blocks checked while armed */
static struct {
	const char *pattern;
	size_t block;
} hits[MAX_HITS];
static size_t nhits;

/* No allocation and no stdio in here: this runs inside free(). */
static void check_block(void *p)
{
	size_t n = malloc_usable_size(p);
	armed_frees++;
	for (size_t i = 0; i < npatterns; i++) {
		if (patterns[i].len && memmem(p, n, patterns[i].bytes, patterns[i].len)) {
			if (nhits < MAX_HITS) {
				hits[nhits].pattern = patterns[i].name;
				hits[nhits].block = n;
			}
			nhits++;
		}
	}
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	if (p)
		memset(p, 0, malloc_usable_size(p)); /* no stale bytes past what the caller writes */
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);
	if (p)
		memset(p, 0, malloc_usable_size(p));
	return p;
}

void free(void *p)
{
	if (!p)
		return;
	if (armed)
		check_block(p);
	__libc_free(p);
}

/* realloc as malloc + copy + free, so the old block is checked like any freed one. */
void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	void *q = malloc(n);
	if (!q)
		return NULL;
	size_t old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

/* -------------------------------------------------------------- helpers */

static void add_pattern(const char *name, const void *bytes, size_t len)
{
	if (npatterns < MAX_PATTERNS && len <= sizeof(patterns[0].bytes)) {
		patterns[npatterns].name = name;
		memcpy(patterns[npatterns].bytes, bytes, len);
		patterns[npatterns].len = len;
		npatterns++;
	}
}

static void arm(void)
{
	nhits = 0;
	armed_frees = 0;
	armed = 1;
}

/* Disarms; fails the test (from the caller) if a secret was found in a freed block. */
static int disarm_and_report(const char *what)
{
	armed = 0;
	for (size_t i = 0; i < nhits && i < MAX_HITS; i++)
		fprintf(stderr, "    %s: freed a %zu-byte block holding the %s\n", what, hits[i].block,
		        hits[i].pattern);
	return (int)nhits;
}

static void clear_patterns(void)
{
	npatterns = 0;
}

#define PASSWORD  "Hyg1ene-Pa55w!" /* 14 bytes: has an LM hash too */
#define USER      "alice"
#define DOMAIN    "WORKGROUP"
#define PLAINTEXT "TOP-SECRET-PAYLOAD-0123456789"

static char store_path[256], cred_path[256];

/* Password, its UTF-16LE form, the NT and LM hashes (binary and hex), NTOWFv2. */
static void add_credential_patterns(void)
{
	uint8_t nt[16], lm[16], v2[16];
	char hex[33];
	uint8_t u16[2 * sizeof(PASSWORD)];
	for (size_t i = 0; i < strlen(PASSWORD); i++) {
		u16[2 * i] = (uint8_t)PASSWORD[i];
		u16[2 * i + 1] = 0;
	}
	add_pattern("password", PASSWORD, strlen(PASSWORD));
	add_pattern("password (UTF-16LE)", u16, 2 * strlen(PASSWORD));
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	T_SETUP(ntlm_lm_hash(PASSWORD, lm));
	add_pattern("NT hash", nt, 16);
	add_pattern("LM hash", lm, 16);
	for (size_t i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", nt[i]);
	add_pattern("NT hash (hex)", hex, 32);
	T_SETUP(nk_ntowfv2(nt, USER, DOMAIN, v2));
	add_pattern("NTOWFv2", v2, 16);
}

/* Fixed time and randomness, so a handshake can be repeated byte for byte. */
struct rng {
	uint64_t seed, n;
};

static int64_t fixed_now(void *arg)
{
	(void)arg;
	return 1700000000;
}

static ntlm_err seeded_random(void *arg, uint8_t *buf, size_t len)
{
	struct rng *r = arg;
	for (size_t i = 0; i < len; i++) {
		uint64_t x = (r->seed + r->n++) * 0x9E3779B97F4A7C15ull;
		x ^= x >> 29;
		buf[i] = (uint8_t)(x >> 24);
	}
	return NTLM_OK;
}

struct keys {
	uint8_t exported[16], base[16];
	int have_base;
	uint32_t flags; /* negotiated */
};

/*
 * A full handshake between a client and a server (smbpasswd store), then a
 * sealed message each way, everything freed. v1: NTLMv1 instead of v2.
 * Learns the exported key and the session base key into *k.
 */
static ntlm_err full_run(int v1, uint32_t flags, struct keys *k)
{
	struct rng crng = {11, 0}, srng = {22, 0};
	ntlm_hooks ch = {NTLM_HOOKS_INIT, .now = fixed_now, .random = seeded_random, .arg = &crng};
	ntlm_hooks sh = {NTLM_HOOKS_INIT, .now = fixed_now, .random = seeded_random, .arg = &srng};
	ntlm_policy cpol, spol;
	ntlm_client_config ccfg = {NTLM_CLIENT_CONFIG_INIT};
	ntlm_server_config scfg;
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	ntlm_ctx *client = NULL, *server = NULL;
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ntlm_err rc;
	scfg = (ntlm_server_config){NTLM_SERVER_CONFIG_INIT};
	ntlm_policy_init(&cpol);
	ntlm_policy_init(&spol);
	if (v1) {
		cpol.allowed_responses = NTLM_RESP_NTLMV1;
		spol.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_NTLMV2;
	}
	if (flags) /* explicit flags may lack key exchange: no minimum then */
		cpol.min_security = spol.min_security = 0;
	ccfg.policy = &cpol;
	ccfg.workstation = "WS";
	ccfg.flags = flags;
	ccfg.hooks = &ch;
	scfg.policy = &spol;
	scfg.computer_name = "SERVER";
	scfg.hooks = &sh;
	rc = ntlm_account_store_smbpasswd(&store, store_path);
	scfg.store = store;
	if (rc == NTLM_OK)
		rc = ntlm_cred_password(&cred, DOMAIN, USER, PASSWORD);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&client, cred, &ccfg);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&server, &scfg);
	if (rc == NTLM_OK && (rc = ntlm_step(client, NULL, 0, &neg)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(server, neg.data, neg.len, &chal)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(client, chal.data, chal.len, &auth)) == NTLM_OK)
		rc = ntlm_step(server, auth.data, auth.len, &none);
	if (rc == NTLM_OK) {
		rc = ntlm_ctx_session_key(client, k->exported);
		k->flags = ntlm_ctx_flags(client);
		nw_authenticate a;
		k->have_base = 0;
		nw_challenge c;
		memset(&c, 0, sizeof(c));
		if (rc == NTLM_OK && nw_challenge_decode(chal.data, chal.len, &c) == NTLM_OK &&
		    nw_authenticate_decode(auth.data, auth.len, &a) == NTLM_OK) {
			uint8_t nt[16], v2[16], proof[16];
			T_SETUP(ntlm_nt_hash(PASSWORD, nt));
			if (a.nt_response_len > 24) {
				T_SETUP(nk_ntowfv2(nt, USER, DOMAIN, v2));
				nk_v2_proof_and_key(v2, c.server_challenge, a.nt_response + 16,
				                    a.nt_response_len - 16, proof, k->base);
			} else {
				nk_v1_session_base_key(nt, k->base);
			}
			k->have_base = 1;
			nw_authenticate_clear(&a);
		}
		nw_challenge_clear(&c);
	}
	/* a sealed message each way, through every shape */
	for (int dir = 0; rc == NTLM_OK && dir < 2; dir++) {
		ntlm_ctx *from = dir ? server : client, *to = dir ? client : server;
		ntlm_buffer wrapped = {0}, plain = {0};
		rc = ntlm_wrap(from, NTLM_PROTECT_SEAL, 0, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT),
		               &wrapped);
		if (rc == NTLM_OK)
			rc = ntlm_unwrap(to, NTLM_PROTECT_SEAL, 0, wrapped.data, wrapped.len, &plain);
		if (rc == NTLM_OK &&
		    (plain.len != strlen(PLAINTEXT) || memcmp(plain.data, PLAINTEXT, plain.len) != 0))
			rc = NTLM_E_INTERNAL;
		ntlm_buffer_free(&wrapped);
		ntlm_buffer_free(&plain);
	}
	/*
	 * Last, a forged message: its failed unseal must not leak plaintext
	 * either. (Last, because without ESS a refused message leaves the two
	 * RC4 streams apart for good.)
	 */
	if (rc == NTLM_OK) {
		ntlm_buffer wrapped = {0}, plain = {0};
		rc = ntlm_wrap(client, NTLM_PROTECT_SEAL, 0, (const uint8_t *)PLAINTEXT, strlen(PLAINTEXT),
		               &wrapped);
		if (rc == NTLM_OK) {
			wrapped.data[wrapped.len - 1] ^= 1;
			if (ntlm_unwrap(server, NTLM_PROTECT_SEAL, 0, wrapped.data, wrapped.len, &plain) ==
			    NTLM_OK)
				rc = NTLM_E_INTERNAL;
		}
		ntlm_buffer_free(&wrapped);
		ntlm_buffer_free(&plain);
	}
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	return rc;
}

static void add_session_patterns(const struct keys *k, uint32_t negotiated)
{
	uint8_t key[16];
	size_t len;
	add_pattern("exported session key", k->exported, 16);
	if (k->have_base)
		add_pattern("session base key", k->base, 16);
	nk_sign_key(k->exported, 1, key);
	add_pattern("client signing key", key, 16);
	nk_sign_key(k->exported, 0, key);
	add_pattern("server signing key", key, 16);
	nk_seal_key(negotiated, k->exported, 1, key, &len);
	add_pattern("client sealing key", key, len);
	nk_seal_key(negotiated, k->exported, 0, key, &len);
	add_pattern("server sealing key", key, len);
	add_pattern("plaintext", PLAINTEXT, strlen(PLAINTEXT));
}

/* ---------------------------------------------------------------- tests */

/* The checker must catch an unwiped secret, and pass a wiped one. */
static void test_checker_catches_unwiped_block(void)
{
	/* through volatile pointers: the compiler may drop a malloc/memcpy/free it can see */
	void *(*volatile do_malloc)(size_t) = malloc;
	void *(*volatile do_realloc)(void *, size_t) = realloc;
	void (*volatile do_free)(void *) = free;
	uint8_t nt[16];
	clear_patterns();
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	add_pattern("NT hash", nt, 16);
	uint8_t *p = do_malloc(40);
	T_ASSERT(p != NULL);
	memcpy(p + 7, nt, 16);
	arm();
	do_free(p); /* plain free: the hash is still in the block */
	armed = 0;
	T_ASSERT(nhits == 1);
	T_ASSERT(armed_frees == 1);

	p = do_malloc(40);
	T_ASSERT(p != NULL);
	memcpy(p + 7, nt, 16);
	arm();
	ntlm_free_secret(p, 40);
	T_ASSERT(disarm_and_report("ntlm_free_secret") == 0);

	/* realloc moves the block: the old one is checked too */
	p = do_malloc(16);
	T_ASSERT(p != NULL);
	memcpy(p, nt, 16);
	arm();
	p = do_realloc(p, 4096);
	armed = 0;
	T_ASSERT(nhits == 1);
	do_free(p);
}

static void test_cred_free_paths(void)
{
	ntlm_cred *c = NULL;
	clear_patterns();
	add_credential_patterns();
	arm();
	T_OK(ntlm_cred_password(&c, DOMAIN, USER, PASSWORD));
	ntlm_cred_free(c);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	c = NULL;
	T_OK(ntlm_cred_nthash(&c, DOMAIN, USER, nt));
	ntlm_cred_free(c);
	c = NULL;
	/* from a gss-ntlmssp credential file: the file buffer holds the password in clear */
	T_OK(ntlm_cred_from_file(&c, cred_path, NULL, USER));
	ntlm_cred_free(c);
	uint8_t lm[16];
	T_OK(ntlm_nt_hash(PASSWORD, nt));
	T_OK(ntlm_lm_hash(PASSWORD, lm));
	if (disarm_and_report("credentials"))
		T_FAIL("a credential secret was freed unwiped");
	ntlm_memzero(nt, sizeof(nt));
	ntlm_memzero(lm, sizeof(lm));
}

static void handshake_case(int v1, uint32_t flags, const char *what)
{
	struct keys k;
	/* first run: learn the keys (deterministic hooks make the second run identical) */
	T_OK(full_run(v1, flags, &k));
	struct keys k2;
	clear_patterns();
	add_credential_patterns();
	add_session_patterns(&k, k.flags);
	arm();
	ntlm_err rc = full_run(v1, flags, &k2);
	if (disarm_and_report(what))
		T_FAIL("%s: a secret was freed unwiped", what);
	T_OK(rc);
	/* same run twice: otherwise the patterns were not the ones in memory */
	T_BYTES(k2.exported, k.exported, 16);
	T_ASSERT(armed_frees > 20);
	ntlm_memzero(&k, sizeof(k));
	ntlm_memzero(&k2, sizeof(k2));
}

static void test_handshake_ntlmv2(void)
{
	handshake_case(0, 0, "NTLMv2 handshake");
}

static void test_handshake_ntlmv2_no_key_exch(void)
{
	handshake_case(0,
	               NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_SIGN |
	                   NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	                   NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128,
	               "NTLMv2 handshake without key exchange");
}

static void test_handshake_ntlmv1(void)
{
	handshake_case(1, 0, "NTLMv1 handshake");
}

/* Without extended session security: one RC4 stream, the key used directly. */
static void test_handshake_ntlmv1_no_ess(void)
{
	handshake_case(1,
	               NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_SIGN |
	                   NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	                   NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH,
	               "NTLMv1 handshake without ESS");
}

/* A failed handshake (wrong password) frees as cleanly as a good one. */
static void test_failed_handshake(void)
{
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	ntlm_ctx *client = NULL, *server = NULL;
	ntlm_server_config scfg = {NTLM_SERVER_CONFIG_INIT};
	ntlm_client_config ccfg;
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ccfg = (ntlm_client_config){NTLM_CLIENT_CONFIG_INIT};
	clear_patterns();
	add_credential_patterns();
	add_pattern("wrong password", "Wr0ng-Passw0rd", 14);
	arm();
	T_OK(ntlm_account_store_smbpasswd(&store, store_path));
	scfg.store = store;
	scfg.computer_name = "SERVER";
	ccfg.workstation = "WS";
	T_OK(ntlm_cred_password(&cred, DOMAIN, USER, "Wr0ng-Passw0rd"));
	T_OK(ntlm_client_new(&client, cred, &ccfg));
	T_OK(ntlm_server_new(&server, &scfg));
	T_EXPECT_ERR(ntlm_step(client, NULL, 0, &neg), NTLM_CONTINUE);
	T_EXPECT_ERR(ntlm_step(server, neg.data, neg.len, &chal), NTLM_CONTINUE);
	T_OK(ntlm_step(client, chal.data, chal.len, &auth));
	T_EXPECT_ERR(ntlm_step(server, auth.data, auth.len, &none), NTLM_E_LOGON_FAILURE);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_ctx_free(client);
	ntlm_ctx_free(server);
	ntlm_cred_free(cred);
	ntlm_account_store_free(store);
	if (disarm_and_report("failed handshake"))
		T_FAIL("a secret was freed unwiped");
}

/* smbpasswd reading and editing: the file buffers hold hashes in hex. */
static void test_smbpasswd_paths(void)
{
	char path[300];
	snprintf(path, sizeof(path), "%s.edit", store_path);
	uint8_t nt[16];
	smbpw_entry e;
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	clear_patterns();
	add_credential_patterns();
	arm();
	T_OK(smbpw_modify(path, SMBPW_ADD, "carol", nt, NULL, 1000));
	T_OK(smbpw_modify(path, SMBPW_ADD, "dave", nt, NULL, 1001));
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "carol", NULL, NULL, 0));
	T_OK(smbpw_lookup(path, "dave", &e));
	ntlm_memzero(&e, sizeof(e));
	T_OK(smbpw_modify(path, SMBPW_DELETE, "carol", NULL, NULL, 0));
	if (disarm_and_report("smbpasswd"))
		T_FAIL("a hash was freed unwiped");
	unlink(path);
	char lock[320];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	unlink(lock);
	ntlm_memzero(nt, sizeof(nt));
}

/* ntlm_buffer_free wipes what it frees (here: a decrypted message). */
static void test_buffer_free(void)
{
	ntlm_buffer b = {NULL, 0};
	clear_patterns();
	add_pattern("plaintext", PLAINTEXT, strlen(PLAINTEXT));
	b.data = malloc(64);
	T_ASSERT(b.data != NULL);
	memcpy(b.data, PLAINTEXT, strlen(PLAINTEXT));
	b.len = strlen(PLAINTEXT);
	arm();
	ntlm_buffer_free(&b);
	if (disarm_and_report("ntlm_buffer_free"))
		T_FAIL("ntlm_buffer_free left the data in the block");
	T_ASSERT(b.data == NULL && b.len == 0);
	ntlm_buffer_free(NULL);
}

int main(void)
{
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-hygiene-%d.smbpasswd",
	         (int)getpid());
	snprintf(cred_path, sizeof(cred_path), "/tmp/ntlmssp-test-hygiene-%d.creds", (int)getpid());
	unlink(store_path);
	uint8_t nt[16], lm[16];
	T_SETUP(ntlm_nt_hash(PASSWORD, nt));
	T_SETUP(ntlm_lm_hash(PASSWORD, lm));
	FILE *f = fopen(cred_path, "w");
	if (!f || smbpw_modify(store_path, SMBPW_ADD, USER, nt, lm, 0) != NTLM_OK) {
		fprintf(stderr, "cannot create the test files\n");
		return 1;
	}
	fprintf(f, "# test\n%s:%s:%s\n", DOMAIN, USER, PASSWORD);
	fclose(f); /* (stdio's buffer is freed here, unarmed: it is the test's own write) */
	/* valgrind replaces malloc/free in the executable too: our checker never runs there */
	const char *preload = getenv("LD_PRELOAD");
	if (preload && strstr(preload, "vgpreload")) {
		printf("skipped: valgrind replaces this binary's malloc/free\n");
		T_END();
	}
	T_RUN(test_checker_catches_unwiped_block);
	T_RUN(test_cred_free_paths);
	T_RUN(test_handshake_ntlmv2);
	T_RUN(test_handshake_ntlmv2_no_key_exch);
	T_RUN(test_handshake_ntlmv1);
	T_RUN(test_handshake_ntlmv1_no_ess);
	T_RUN(test_failed_handshake);
	T_RUN(test_smbpasswd_paths);
	T_RUN(test_buffer_free);
	unlink(store_path);
	unlink(cred_path);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}

#else /* HYGIENE_SKIP */

int main(void)
{
	printf("skipped: AddressSanitizer owns malloc/free; run this test in a plain build\n");
	T_END();
}

#endif
