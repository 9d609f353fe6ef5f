/*
 * fuzz_common.h - what the fuzz targets (and fuzz/gen_corpus.c, which writes
 * their seeds) share: deterministic time/random hooks, an in-memory account
 * store, the server and client configurations selected by a fuzz input's
 * first byte, and an invariant check that aborts.
 *
 * Everything here is `static`: each target is its own program (and, for the
 * replay unit test, its own object with LLVMFuzzerTestOneInput renamed).
 * A target keeps no state between inputs except read-only tables, so a
 * finding replays from its input alone.
 */
#ifndef NTLM_FUZZ_COMMON_H
#define NTLM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "context.h"
#include "ntlm_keys.h"
#include "ntlmssp/ntlmssp.h"
#include "mem.h"
#include "text.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the library that an input broke: a finding. */
#define FZ_CHECK(cond)                                                                             \
	do {                                                                                           \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
			abort();                                                                               \
		}                                                                                          \
	} while (0)

/* ------------------------------------------------- deterministic hooks */

/* Server and client clock: 2023-11-14T22:13:20Z. */
#define FZ_NOW 1700000000

typedef struct fz_rng {
	uint64_t state;
} fz_rng;

static inline int64_t fz_hook_now(void *arg)
{
	(void)arg;
	return FZ_NOW;
}

/* splitmix64: a fixed stream per seed, so every run sees the same challenge. */
static inline ntlm_err fz_hook_random(void *arg, uint8_t *buf, size_t len)
{
	fz_rng *r = arg;
	uint64_t z = 0;
	for (size_t i = 0; i < len; i++) {
		if (i % 8 == 0) {
			z = (r->state += 0x9E3779B97F4A7C15ull);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			z ^= z >> 31;
		}
		buf[i] = (uint8_t)(z >> (8 * (i % 8)));
	}
	return NTLM_OK;
}

static inline void fz_hooks_init(ntlm_hooks *h, fz_rng *r, uint64_t seed)
{
	r->state = seed;
	*h = (ntlm_hooks){NTLM_HOOKS_INIT};
	h->now = fz_hook_now;
	h->random = fz_hook_random;
	h->arg = r;
}

/* ------------------------------------------------ in-memory account store */

#define FZ_DOMAIN      "FUZZDOM"
#define FZ_USER        "alice"
#define FZ_PASSWORD    "Fuzz-Passw0rd"
#define FZ_LM_USER     "bob"
#define FZ_LM_PASSWORD "SHORTPW" /* has an LM hash too */

static const char *const fz_services[] = {"HOST/fuzzsrv.example", "HTTP/fuzzsrv", NULL};
static const uint8_t fz_cbt[16] = {0xc0, 0xb1, 0xa2, 0x93, 0x84, 0x75, 0x66, 0x57,
                                   0x48, 0x39, 0x2a, 0x1b, 0x0c, 0xfd, 0xee, 0xdf};

struct fz_account {
	const char *user, *password;
	int disabled;
};

static const struct fz_account fz_accounts[] = {
	{FZ_USER, FZ_PASSWORD, 0},
	{FZ_LM_USER, FZ_LM_PASSWORD, 0},
	{"mallory", "Disabled-1", 1},
};

/* Finds the account and lets the library's ntlm_verify_response check the answer. */
static inline ntlm_err fz_store_verify(void *impl, const ntlm_auth_request *req,
                                       ntlm_auth_result *res)
{
	(void)impl;
	const struct fz_account *acct = NULL;
	for (size_t i = 0; i < sizeof(fz_accounts) / sizeof(fz_accounts[0]); i++)
		if (ntlm_strcasecmp_utf8(fz_accounts[i].user, req->user) == 0)
			acct = &fz_accounts[i];
	if (!acct)
		return NTLM_E_NO_SUCH_USER;
	if (acct->disabled)
		return NTLM_E_ACCOUNT_DISABLED;
	uint8_t nt[16], lm[16];
	int have_lm = nk_lmowfv1(acct->password, lm) == NTLM_OK;
	ntlm_err rc = nk_ntowfv1(acct->password, nt);
	if (rc == NTLM_OK)
		rc = ntlm_verify_response(req, nt, have_lm ? lm : NULL, res);
	if (rc == NTLM_OK) {
		snprintf(res->authority, sizeof(res->authority), "%s", req->server_name);
		snprintf(res->user, sizeof(res->user), "%s", acct->user);
	}
	ntlm_memzero(nt, sizeof(nt));
	ntlm_memzero(lm, sizeof(lm));
	return rc;
}

static inline ntlm_account_store *fz_store_new(void)
{
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
	                                           .verify = fz_store_verify};
	ntlm_account_store *s = NULL;
	FZ_CHECK(ntlm_account_store_new(&s, &ops, NULL) == NTLM_OK);
	return s;
}

/* ------------------------------------------- configurations by selector */

/*
 * The first byte of a server or client fuzz input selects the policy, so
 * the fuzzer explores every branch of the checks without a config file.
 *   bits 0-1  allowed responses: v2 / v2+v1 / v2+v1+lm / all + anonymous
 *   bit 2     require MIC
 *   bit 3     channel bindings required (else if_present); the server
 *             expects fz_cbt and the client sends it
 *   bit 4     require target name (the client sends fz_services[0])
 *   bit 5     min_security none (else the defaults)
 *   bit 6     datagram (connectionless) mode
 *   bit 7     timestamp window off (else the default 7200 s)
 */
#define FZ_SEL_DATAGRAM 0x40u

static inline void fz_policy(uint8_t sel, ntlm_policy *p)
{
	ntlm_policy_init(p);
	static const uint32_t kinds[4] = {NTLM_RESP_NTLMV2, NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1,
	                                  NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1 | NTLM_RESP_LM,
	                                  NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1 | NTLM_RESP_LM};
	p->allowed_responses = kinds[sel & 3];
	p->allow_anonymous = (sel & 3) == 3;
	p->require_mic = (sel & 0x04) != 0;
	p->cbt = (sel & 0x08) ? NTLM_CBT_REQUIRED : NTLM_CBT_IF_PRESENT;
	p->require_target_name = (sel & 0x10) != 0;
	if (sel & 0x20)
		p->min_security = 0;
	if (sel & 0x80)
		p->timestamp_window = 0;
}

/* Client flag sets (0: the library's defaults), picked by a second selector byte. */
#define FZ_BASE_FLAGS                                                                              \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |                 \
	 NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |             \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56)
static const uint32_t fz_client_flags[8] = {
	0,
	FZ_BASE_FLAGS | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
	FZ_BASE_FLAGS | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, /* no key exchange */
	FZ_BASE_FLAGS | NTLMSSP_NEGOTIATE_KEY_EXCH,                 /* no ESS */
	FZ_BASE_FLAGS | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_LM_KEY,
	(FZ_BASE_FLAGS & ~(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_128)) | NTLMSSP_NEGOTIATE_OEM |
		NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, /* OEM, 56-bit */
	NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_SIGN |
		NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, /* sign only */
	NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_IDENTIFY |
		NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED | NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
};

/* A server context for selector sel; *rng must outlive it. */
static inline ntlm_err fz_server_new(uint8_t sel, ntlm_account_store *store,
                                     ntlm_replay_cache *replay, ntlm_policy *policy,
                                     ntlm_hooks *hooks, fz_rng *rng,
                                     void (*audit)(void *, const ntlm_audit_event *),
                                     void *audit_arg, ntlm_ctx **out)
{
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	fz_policy(sel, policy);
	fz_hooks_init(hooks, rng, 0x5e5e5e5e01ull);
	cfg.policy = policy;
	cfg.computer_name = "FUZZSRV";
	cfg.domain_name = FZ_DOMAIN;
	cfg.dns_computer_name = "fuzzsrv.fuzzdom.example";
	cfg.dns_domain_name = "fuzzdom.example";
	cfg.service_names = fz_services;
	cfg.store = store;
	cfg.cbt_hash = fz_cbt;
	cfg.datagram = (sel & FZ_SEL_DATAGRAM) != 0;
	cfg.hooks = hooks;
	cfg.audit = audit;
	cfg.audit_arg = audit_arg;
	cfg.replay = replay;
	return ntlm_server_new(out, &cfg);
}

/*
 * A client context for selector sel (same bit meanings, seen from the
 * client: it answers with the strongest response its policy allows, and
 * with an anonymous credential when bits 0-1 are 3 and bit 2 is clear).
 * flags: 0 for the defaults, else the exact flags to request.
 */
static inline ntlm_err fz_client_new(uint8_t sel, uint32_t flags, ntlm_cred **cred,
                                     ntlm_policy *policy, ntlm_hooks *hooks, fz_rng *rng,
                                     uint64_t seed, ntlm_ctx **out)
{
	ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
	ntlm_err rc;
	fz_policy(sel, policy);
	/* The client variety: v2 only, or v1 only (so the server sees NTLMv1 answers). */
	if ((sel & 3) == 1 || (sel & 3) == 2)
		policy->allowed_responses = NTLM_RESP_NTLMV1 | ((sel & 3) == 2 ? NTLM_RESP_LM : 0);
	fz_hooks_init(hooks, rng, seed);
	if ((sel & 3) == 3 && !(sel & 0x04))
		rc = ntlm_cred_anonymous(cred);
	else if ((sel & 3) == 2)
		rc = ntlm_cred_password(cred, FZ_DOMAIN, FZ_LM_USER, FZ_LM_PASSWORD);
	else
		rc = ntlm_cred_password(cred, FZ_DOMAIN, FZ_USER, FZ_PASSWORD);
	if (rc != NTLM_OK)
		return rc;
	cfg.policy = policy;
	cfg.workstation = "FUZZWS";
	cfg.target_name = (sel & 0x10) ? fz_services[0] : NULL;
	cfg.cbt_hash = (sel & 0x08) ? fz_cbt : NULL;
	cfg.flags = flags;
	cfg.datagram = (sel & FZ_SEL_DATAGRAM) != 0;
	cfg.hooks = hooks;
	rc = ntlm_client_new(out, *cred, &cfg);
	if (rc != NTLM_OK) {
		ntlm_cred_free(*cred);
		*cred = NULL;
	}
	return rc;
}

/* ------------------------------------------------ an established pair */

struct fz_pair {
	ntlm_ctx *client, *server;
	ntlm_cred *cred;
	ntlm_account_store *store;
	ntlm_policy cpol, spol;
	ntlm_hooks ch, sh;
	fz_rng cr, sr;
	int datagram;
};

/*
 * An established client/server pair over a real handshake (selector: NTLMv2,
 * no minimum security; client flags fz_client_flags[1 + (fsel & 7) % 7]; datagram
 * when fsel bit 3). Returns 2 when sealing was negotiated, 1 for signing only, 0 for neither. */
static inline int fz_pair_open(struct fz_pair *p, uint8_t fsel)
{
	memset(p, 0, sizeof(*p));
	/* selector: v2, min security none, datagram from bit 3 of fsel */
	uint8_t sel = 0x20 | ((fsel & 8) ? FZ_SEL_DATAGRAM : 0);
	size_t set = 1 + (fsel & 7) % 7;
	p->datagram = (sel & FZ_SEL_DATAGRAM) != 0;
	if (p->datagram && set == 5)
		set = 1; /* a connectionless server offers Unicode only: no OEM-only client */
	uint32_t flags = fz_client_flags[set];
	p->store = fz_store_new();
	FZ_CHECK(fz_client_new(sel, flags, &p->cred, &p->cpol, &p->ch, &p->cr, 0xc11e47ull,
	                       &p->client) == NTLM_OK);
	FZ_CHECK(fz_server_new(sel, p->store, NULL, &p->spol, &p->sh, &p->sr, NULL, NULL, &p->server) ==
	         NTLM_OK);
	ntlm_buffer a = {NULL, 0}, b = {NULL, 0};
	ntlm_err rc;
	if (p->datagram) {
		FZ_CHECK(ntlm_step(p->server, NULL, 0, &a) == NTLM_CONTINUE);
	} else {
		FZ_CHECK(ntlm_step(p->client, NULL, 0, &b) == NTLM_CONTINUE);
		FZ_CHECK(ntlm_step(p->server, b.data, b.len, &a) == NTLM_CONTINUE);
		ntlm_buffer_free(&b);
	}
	rc = ntlm_step(p->client, a.data, a.len, &b);
	ntlm_buffer_free(&a);
	if (rc == NTLM_OK)
		rc = ntlm_step(p->server, b.data, b.len, &a);
	ntlm_buffer_free(&b);
	ntlm_buffer_free(&a);
	if (rc != NTLM_OK)
		fprintf(stderr, "fz_pair_open(0x%02x): %s\n", fsel, ntlm_err_name(rc));
	/* every flag set of the table must work in this configuration */
	FZ_CHECK(rc == NTLM_OK);
	uint32_t f = ntlm_ctx_flags(p->server);
	return (f & NTLMSSP_NEGOTIATE_SEAL) ? 2 : (f & NTLMSSP_NEGOTIATE_SIGN) ? 1 : 0;
}

static inline void fz_pair_close(struct fz_pair *p)
{
	ntlm_ctx_free(p->client);
	ntlm_ctx_free(p->server);
	ntlm_cred_free(p->cred);
	ntlm_account_store_free(p->store);
}

/* ------------------------------------------------------ input framing */

/* Little-endian u16 length prefix, then that many bytes (clamped to what is left). */
static inline size_t fz_take(const uint8_t **data, size_t *size, const uint8_t **part)
{
	size_t n = 0;
	if (*size >= 2) {
		n = (size_t)(*data)[0] | (size_t)(*data)[1] << 8;
		*data += 2;
		*size -= 2;
	} else {
		*data += *size;
		*size = 0;
	}
	if (n > *size)
		n = *size;
	*part = *data;
	*data += n;
	*size -= n;
	return n;
}

/* A heap copy, so ASan sees reads past the end of exactly this input. */
static inline uint8_t *fz_dup(const uint8_t *p, size_t n)
{
	uint8_t *d = calloc(1, n ? n : 1); /* an empty input is one defined NUL byte */
	FZ_CHECK(d != NULL);
	if (n)
		memcpy(d, p, n);
	return d;
}

/* A heap copy with a terminating NUL (the line handlers take C strings). */
static inline char *fz_dup_str(const uint8_t *p, size_t n)
{
	char *d = malloc(n + 1);
	FZ_CHECK(d != NULL);
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* The private directory of fz_memfile's files, removed with them at exit. */
static char fz_tmpdir[32];

static void fz_tmpdir_remove(void)
{
	DIR *d = opendir(fz_tmpdir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(fz_tmpdir);
}

/*
 * A file holding data, for the functions that read files, as a path. The
 * stores only read regular files that others cannot write, named without
 * a symbolic link (so no /proc/self/fd/N): a 0600 file in a private
 * directory, named after its descriptor, so that a closed one's name is
 * reused rather than piling up. Returns the fd (close it when done).
 */
static inline int fz_memfile(const void *data, size_t n, char path[64])
{
	if (!fz_tmpdir[0]) {
		snprintf(fz_tmpdir, sizeof(fz_tmpdir), "/tmp/ntlm-fuzz.XXXXXX");
		FZ_CHECK(mkdtemp(fz_tmpdir) != NULL);
		atexit(fz_tmpdir_remove);
	}
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "%s/new", fz_tmpdir);
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FZ_CHECK(fd >= 0);
	const uint8_t *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		FZ_CHECK(w > 0);
		p += w;
		n -= (size_t)w;
	}
	snprintf(path, 64, "%s/f%d", fz_tmpdir, fd);
	FZ_CHECK(rename(tmp, path) == 0);
	return fd;
}

#endif
