/*
 * ntlm-bench - performance of libntlmssp, measured in one run on one machine,
 * next to the bound that bare Nettle calls set for the same work:
 *
 *   handshake  full NTLMv2 + ESS + KEY_EXCH + MIC handshakes, client and
 *              server in this process, the server verifying against an
 *              smbpasswd file (with a shared replay cache); 1 thread and one
 *              thread per core
 *   crypto     the Nettle operations each side of a handshake performs
 *              (reasoned from the code, checked by counting calls through
 *              -Wl,--wrap) and the handshakes/s of those operations alone
 *   seal       seal+sign, unseal+verify, sign, verify, wrap, unwrap for
 *              64 B .. 64 KiB, and the bare-Nettle bound for each
 *   memory     bytes per established context (RSS delta and live heap over
 *              N contexts), allocations per handshake
 *   scaling    server handshakes/s with 1, 10, 100, 1000 contexts in flight
 *   squid      `ntlm squid-helper` driven through a pipe (--squid CMD)
 *
 * Output: "R ours <metric> <value> <unit>" lines (see bench_common.h);
 * bench/run collects them from repeated runs and prints the table.
 */
#include <nettle/arcfour.h>
#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/version.h>
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "bench_common.h"
#include "context.h"
#include "ntlm_keys.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "text.h"
#include "try.h"

/* --------------------------------------------- Nettle call counting (--wrap) */

/*
 * The bench is linked with -Wl,--wrap=<fn> for these: every call from the
 * library (and from this file) goes through a counter. Calls Nettle makes
 * internally (hmac_md5_set_key -> md5_init) are not seen, so md5_init counts
 * stand-alone MD5 computations only. RC4 key schedules are counted at the
 * crypto shim (cr_rc4_init), which schedules RC4 keys itself.
 */
enum { OP_MD4, OP_MD5, OP_HMAC, OP_HMAC_KEY, OP_RC4_KEY, OP_RC4_CRYPT, OP_DES, OP_N };
static const char *const op_names[OP_N] = {"MD4",     "MD5",       "HMAC-MD5", "HMAC-key",
                                           "RC4-key", "RC4-crypt", "DES"};
static _Thread_local unsigned long op_count[OP_N];

void __real_nettle_md4_init(struct md4_ctx *c);
void __real_nettle_md5_init(struct md5_ctx *c);
void __real_nettle_hmac_md5_set_key(struct hmac_md5_ctx *c, size_t n, const uint8_t *k);
void __real_nettle_hmac_md5_digest(struct hmac_md5_ctx *c, size_t n, uint8_t *d);
void __real_cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t len);
void __real_nettle_arcfour_crypt(struct arcfour_ctx *c, size_t n, uint8_t *d, const uint8_t *s);
int __real_nettle_des_set_key(void *c, const uint8_t *k);

void __wrap_nettle_md4_init(struct md4_ctx *c);
void __wrap_nettle_md5_init(struct md5_ctx *c);
void __wrap_nettle_hmac_md5_set_key(struct hmac_md5_ctx *c, size_t n, const uint8_t *k);
void __wrap_nettle_hmac_md5_digest(struct hmac_md5_ctx *c, size_t n, uint8_t *d);
void __wrap_cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t len);
void __wrap_nettle_arcfour_crypt(struct arcfour_ctx *c, size_t n, uint8_t *d, const uint8_t *s);
int __wrap_nettle_des_set_key(void *c, const uint8_t *k);

void __wrap_nettle_md4_init(struct md4_ctx *c)
{
	op_count[OP_MD4]++;
	__real_nettle_md4_init(c);
}

void __wrap_nettle_md5_init(struct md5_ctx *c)
{
	op_count[OP_MD5]++;
	__real_nettle_md5_init(c);
}

void __wrap_nettle_hmac_md5_set_key(struct hmac_md5_ctx *c, size_t n, const uint8_t *k)
{
	op_count[OP_HMAC_KEY]++;
	__real_nettle_hmac_md5_set_key(c, n, k);
}

void __wrap_nettle_hmac_md5_digest(struct hmac_md5_ctx *c, size_t n, uint8_t *d)
{
	op_count[OP_HMAC]++;
	__real_nettle_hmac_md5_digest(c, n, d);
}

void __wrap_cr_rc4_init(cr_rc4 *c, const uint8_t *key, size_t len)
{
	op_count[OP_RC4_KEY]++;
	__real_cr_rc4_init(c, key, len);
}

void __wrap_nettle_arcfour_crypt(struct arcfour_ctx *c, size_t n, uint8_t *d, const uint8_t *s)
{
	op_count[OP_RC4_CRYPT]++;
	__real_nettle_arcfour_crypt(c, n, d, s);
}

int __wrap_nettle_des_set_key(void *c, const uint8_t *k)
{
	op_count[OP_DES]++;
	return __real_nettle_des_set_key(c, k);
}

/*
 * What each side of one handshake computes, reasoned from the code
 * (client.c, server.c, acct_store.c, ntlm_keys.c, signseal.c ss_init):
 *
 * client  NTOWFv2 (HMAC), NTProofStr (HMAC), SessionBaseKey (HMAC), MIC (HMAC);
 *         RC4(KXKEY, ExportedSessionKey) (1 key schedule + 16 bytes);
 *         sign keys c2s/s2c and seal keys c2s/s2c (4 MD5);
 *         the two signing keys' HMAC key schedules (kept for the messages)
 *         and the two sealing RC4 states (2 key schedules).
 *         (MD4 of the password happens once, in ntlm_cred_password().)
 * server  NTOWFv2 from the stored NT hash (HMAC), NTProofStr (HMAC),
 *         SessionBaseKey (HMAC), MIC (HMAC); RC4 decryption of the
 *         ExportedSessionKey (1 key schedule); 4 MD5; 2 HMAC key
 *         schedules; 2 RC4 key schedules.
 * HMAC-MD5 counts complete MACs (hmac_md5_digest), HMAC-key the key
 * schedules (hmac_md5_set_key: one per MAC plus the two signing keys).
 * The LMv2 response is skipped (zeros) because the CHALLENGE carries a
 * TargetInfo; NTLMv2 needs no DES.
 */
static const unsigned reasoned_client[OP_N] = {0, 4, 4, 6, 3, 1, 0};
static const unsigned reasoned_server[OP_N] = {0, 4, 4, 6, 3, 1, 0};

/* ----------------------------------------------------------------- setup */

typedef struct hs_env {
	ntlm_cred *cred;
	ntlm_client_config ccfg;
	ntlm_server_config scfg;
	ntlm_account_store *store;
	ntlm_replay_cache *replay;
	char smbpasswd[300];
} hs_env;

static void check(ntlm_err rc, const char *what)
{
	if (rc != NTLM_OK)
		bc_die("%s: %s (%s)", what, ntlm_strerror(rc), ntlm_err_name(rc));
}

/* The first two legs of a handshake answer NTLM_CONTINUE. */
static void check_continue(ntlm_err rc, const char *what)
{
	if (rc != NTLM_CONTINUE)
		bc_die("%s: %s (%s)", what, ntlm_strerror(rc), ntlm_err_name(rc));
}

static void env_init(hs_env *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->smbpasswd, sizeof(e->smbpasswd), "%s/smbpasswd", bc_scratch());
	check(smbpw_create_default(e->smbpasswd, BC_USER, BC_PASSWORD, (uint32_t)getuid()),
	      "smbpasswd");
	check(ntlm_account_store_smbpasswd(&e->store, e->smbpasswd), "account store");
	check(ntlm_replay_cache_new(&e->replay, 4096), "replay cache");
	check(ntlm_cred_password(&e->cred, BC_DOMAIN, BC_USER, BC_PASSWORD), "credential");
	e->ccfg.struct_size = sizeof(e->ccfg);
	e->ccfg.workstation = "BENCHCLIENT";
	e->ccfg.target_name = "HOST/" BC_SERVER;
	e->scfg.struct_size = sizeof(e->scfg);
	e->scfg.store = e->store;
	e->scfg.computer_name = BC_SERVER;
	e->scfg.domain_name = BC_DOMAIN;
	e->scfg.replay = e->replay;
}

static void env_free(hs_env *e)
{
	ntlm_cred_free(e->cred);
	ntlm_account_store_free(e->store);
	ntlm_replay_cache_free(e->replay);
}

/*
 * One handshake; *c and *s are the established contexts. Token lengths in
 * len[3] if not NULL. Reports the AUTHENTICATE when bc_describe_next is set.
 */
static void handshake(const hs_env *e, ntlm_ctx **c, ntlm_ctx **s, size_t len[3])
{
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	check(ntlm_client_new(c, e->cred, &e->ccfg), "client_new");
	check(ntlm_server_new(s, &e->scfg), "server_new");
	if (ntlm_step(*c, NULL, 0, &neg) != NTLM_CONTINUE)
		bc_die("client: NEGOTIATE");
	if (ntlm_step(*s, neg.data, neg.len, &chal) != NTLM_CONTINUE)
		bc_die("server: CHALLENGE");
	check(ntlm_step(*c, chal.data, chal.len, &auth), "client: AUTHENTICATE");
	check(ntlm_step(*s, auth.data, auth.len, &none), "server: accept");
	if (bc_describe_next) {
		bc_report_auth(auth.data, auth.len);
		bc_describe_next = 0;
	}
	if (len) {
		len[0] = neg.len;
		len[1] = chal.len;
		len[2] = auth.len;
	}
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
}

/* ------------------------------------------------------------ handshakes */

static void hs_loop(void *arg, long n)
{
	const hs_env *e = arg;
	for (long i = 0; i < n; i++) {
		ntlm_ctx *c, *s;
		handshake(e, &c, &s, NULL);
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
	}
}

/*
 * The same, and then one sealed message each way: our contexts derive their
 * session keys on first use, the peers' at the end of the handshake, so this
 * row is the like-for-like comparison when session security is used.
 */
static void hs_sealed_loop(void *arg, long n)
{
	const hs_env *e = arg;
	for (long i = 0; i < n; i++) {
		ntlm_ctx *c, *s;
		uint8_t msg[16] = "sixteen bytes!!", sig[16];
		handshake(e, &c, &s, NULL);
		check(ntlm_protect(c, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig), "seal c->s");
		check(ntlm_unprotect(s, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig), "unseal c->s");
		check(ntlm_protect(s, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig), "seal s->c");
		check(ntlm_unprotect(c, NTLM_PROTECT_SEAL, 0, msg, sizeof(msg), sig), "unseal s->c");
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
	}
}

static void section_handshake(const bc_opts *o, const hs_env *e)
{
	ntlm_ctx *c, *s;
	bc_describe_next = 1;
	handshake(e, &c, &s, NULL);
	bc_info("handshake", "server: flags=0x%08x kind=%s mic_verified=%d principal=%s",
	        ntlm_ctx_flags(s), ntlm_response_kind_name(ntlm_ctx_response_kind(s)),
	        ntlm_ctx_mic_verified(s), ntlm_ctx_principal(s));
	uint32_t want = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_KEY_EXCH |
	                NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_128;
	if ((ntlm_ctx_flags(s) & want) != want || !ntlm_ctx_mic_verified(s) ||
	    ntlm_ctx_response_kind(s) != NTLM_KIND_NTLMV2)
		bc_die("the handshake is not NTLMv2 + ESS + KEY_EXCH + MIC");
	ntlm_ctx_free(c);
	ntlm_ctx_free(s);

	bc_result("hs.1t", bc_rate(o->secs * 2, hs_loop, (void *)e), "hs/s");
	bc_result("hs.1t.sealed", bc_rate(o->secs * 2, hs_sealed_loop, (void *)e), "hs/s");
	static const bc_mt_plan plan = {10, 16, 256};
	bc_report_hs_mt(o, &plan, hs_loop, (void *)e);
}

/* ------------------------------------------------- handshake crypto bound */

typedef struct hs_sizes {
	size_t neg, chal, auth, temp;
} hs_sizes;

/* One side's Nettle work in a handshake, on messages of the real sizes. */
static void bare_side(const hs_sizes *z, const uint8_t *msgs, uint8_t out[16])
{
	static const char magic[] = "session key to client-to-server signing key magic constant";
	struct hmac_md5_ctx h;
	struct md5_ctx m;
	struct arcfour_ctx r;
	uint8_t k[16], proof[16], sbk[16], exported[16], mic[16], key[16];
	memcpy(k, msgs, 16); /* the NT hash */
	/* NTOWFv2: HMAC(NT hash, UTF-16(UPPER(user)) || UTF-16(domain)) */
	hmac_md5_set_key(&h, 16, k);
	hmac_md5_update(&h, 2 * (sizeof(BC_USER) - 1), msgs + 16);
	hmac_md5_update(&h, 2 * (sizeof(BC_DOMAIN) - 1), msgs + 64);
	hmac_md5_digest(&h, 16, k);
	/* NTProofStr: HMAC(NTOWFv2, ServerChallenge || temp) */
	hmac_md5_set_key(&h, 16, k);
	hmac_md5_update(&h, 8, msgs + 32);
	hmac_md5_update(&h, z->temp, msgs + 40);
	hmac_md5_digest(&h, 16, proof);
	/* SessionBaseKey */
	hmac_md5_set_key(&h, 16, k);
	hmac_md5_update(&h, 16, proof);
	hmac_md5_digest(&h, 16, sbk);
	/* ExportedSessionKey under KXKEY */
	arcfour_set_key(&r, 16, sbk);
	arcfour_crypt(&r, 16, exported, msgs + 8);
	/* MIC over the three messages */
	hmac_md5_set_key(&h, 16, exported);
	hmac_md5_update(&h, z->neg, msgs);
	hmac_md5_update(&h, z->chal, msgs + z->neg);
	hmac_md5_update(&h, z->auth, msgs + z->neg + z->chal);
	hmac_md5_digest(&h, 16, mic);
	/* two signing keys (key-scheduled for HMAC) and two sealing keys (RC4 states) */
	for (int i = 0; i < 4; i++) {
		md5_init(&m);
		md5_update(&m, 16, exported);
		md5_update(&m, sizeof(magic), (const uint8_t *)magic);
		md5_digest(&m, 16, key);
		if (i < 2)
			hmac_md5_set_key(&h, 16, key);
		else
			arcfour_set_key(&r, 16, key);
	}
	for (int i = 0; i < 16; i++)
		out[i] ^= mic[i] ^ key[i] ^ r.S[i];
}

typedef struct bare_hs_arg {
	hs_sizes z;
	uint8_t msgs[4096];
	uint8_t sink[16];
} bare_hs_arg;

static void bare_hs_loop(void *arg, long n)
{
	bare_hs_arg *a = arg;
	for (long i = 0; i < n; i++) {
		bare_side(&a->z, a->msgs, a->sink); /* client */
		bare_side(&a->z, a->msgs, a->sink); /* server */
		a->msgs[0]++;
	}
}

static void section_crypto(const bc_opts *o, const hs_env *e, double *bound_out)
{
	/* measured counts, per side, averaged over a few handshakes */
	enum { N = 8 };
	unsigned long cl[OP_N] = {0}, sv[OP_N] = {0}, before[OP_N];
	size_t len[3] = {0};
	size_t temp = 0;
	for (int r = 0; r < N; r++) {
		ntlm_ctx *c, *s;
		ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
		memcpy(before, op_count, sizeof(before));
		check(ntlm_client_new(&c, e->cred, &e->ccfg), "client_new");
		check_continue(ntlm_step(c, NULL, 0, &neg), "step");
		for (int i = 0; i < OP_N; i++)
			cl[i] += op_count[i] - before[i];
		memcpy(before, op_count, sizeof(before));
		check(ntlm_server_new(&s, &e->scfg), "server_new");
		check_continue(ntlm_step(s, neg.data, neg.len, &chal), "step");
		for (int i = 0; i < OP_N; i++)
			sv[i] += op_count[i] - before[i];
		memcpy(before, op_count, sizeof(before));
		check(ntlm_step(c, chal.data, chal.len, &auth), "client: AUTHENTICATE");
		for (int i = 0; i < OP_N; i++)
			cl[i] += op_count[i] - before[i];
		memcpy(before, op_count, sizeof(before));
		check(ntlm_step(s, auth.data, auth.len, &none), "server: accept");
		for (int i = 0; i < OP_N; i++)
			sv[i] += op_count[i] - before[i];
		len[0] = neg.len;
		len[1] = chal.len;
		len[2] = auth.len;
		/* NtChallengeResponseFields.Len at offset 20 of the AUTHENTICATE */
		temp = (size_t)(auth.data[20] | auth.data[21] << 8) - 16;
		ntlm_buffer_free(&neg);
		ntlm_buffer_free(&chal);
		ntlm_buffer_free(&auth);
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
	}
	int mismatch = 0;
	for (int i = 0; i < OP_N; i++) {
		if (i == OP_RC4_CRYPT)
			continue; /* a data operation, not a separate computation: reported, not reasoned */
		char name[48];
		snprintf(name, sizeof(name), "ops.client.%s", op_names[i]);
		bc_result(name, (double)cl[i] / N, "ops/hs");
		snprintf(name, sizeof(name), "ops.server.%s", op_names[i]);
		bc_result(name, (double)sv[i] / N, "ops/hs");
		if (cl[i] != (unsigned long)reasoned_client[i] * N ||
		    sv[i] != (unsigned long)reasoned_server[i] * N)
			mismatch = 1;
		bc_info("ops", "%-9s client reasoned %u measured %.2f | server reasoned %u measured %.2f",
		        op_names[i], reasoned_client[i], (double)cl[i] / N, reasoned_server[i],
		        (double)sv[i] / N);
	}
	bc_info("ops", "RC4-crypt calls: client %.2f server %.2f (key exchange: 16 bytes each side)",
	        (double)cl[OP_RC4_CRYPT] / N, (double)sv[OP_RC4_CRYPT] / N);
	bc_info("ops", "reasoned and measured counts %s", mismatch ? "DIFFER" : "agree");
	bc_info("ops", "random bytes per handshake: client 8 (client challenge) + 16 (session key), "
	               "server 8 (server challenge)");
	bc_info("sizes", "NEGOTIATE %zu CHALLENGE %zu AUTHENTICATE %zu NTLMv2 temp %zu bytes", len[0],
	        len[1], len[2], temp);

	bare_hs_arg *a = calloc(1, sizeof(*a));
	if (!a)
		bc_die("out of memory");
	a->z = (hs_sizes){len[0], len[1], len[2], temp};
	if (len[0] + len[1] + len[2] > sizeof(a->msgs) || temp + 40 > sizeof(a->msgs))
		bc_die("messages larger than expected");
	for (size_t i = 0; i < sizeof(a->msgs); i++)
		a->msgs[i] = (uint8_t)(i * 31 + 7);
	double bound = bc_rate(o->secs, bare_hs_loop, a);
	free(a);
	bc_result("hs.bound", bound, "hs/s");
	*bound_out = bound;
}

/* ------------------------------------------------------- session security */

typedef struct seal_arg {
	ntlm_ctx *c, *s;
	size_t size;
	uint8_t *ring; /* k messages */
	uint8_t (*sig)[16];
	ntlm_buffer *wrapped;
} seal_arg;

static void do_seal(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++)
		if (ntlm_protect(a->c, NTLM_PROTECT_SEAL, 0, a->ring + (size_t)i * a->size, a->size,
		                 a->sig[i]) != NTLM_OK)
			bc_die("seal");
}

static void do_unseal(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++)
		if (ntlm_unprotect(a->s, NTLM_PROTECT_SEAL, 0, a->ring + (size_t)i * a->size, a->size,
		                   a->sig[i]) != NTLM_OK)
			bc_die("unseal");
}

static void do_sign(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++)
		if (ntlm_protect(a->c, NTLM_PROTECT_SIGN, 0, a->ring + (size_t)i * a->size, a->size,
		                 a->sig[i]) != NTLM_OK)
			bc_die("sign");
}

static void do_verify(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++)
		if (ntlm_unprotect(a->s, NTLM_PROTECT_SIGN, 0, a->ring + (size_t)i * a->size, a->size,
		                   a->sig[i]) != NTLM_OK)
			bc_die("verify");
}

static void do_wrap(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++)
		if (ntlm_wrap(a->c, NTLM_PROTECT_SEAL, 0, a->ring + (size_t)i * a->size, a->size,
		              &a->wrapped[i]) != NTLM_OK)
			bc_die("wrap");
}

static void do_unwrap(void *p, int k)
{
	seal_arg *a = p;
	for (int i = 0; i < k; i++) {
		ntlm_buffer plain;
		if (ntlm_unwrap(a->s, NTLM_PROTECT_SEAL, 0, a->wrapped[i].data, a->wrapped[i].len,
		                &plain) != NTLM_OK)
			bc_die("unwrap");
		ntlm_buffer_free(&plain);
		ntlm_buffer_free(&a->wrapped[i]);
	}
}

/*
 * The bound: the same per-message work with bare Nettle calls, keys set up
 * once (an HMAC key schedule is per key, not per message: hmac_md5_digest
 * leaves the context ready for the next message).
 *   seal:   HMAC-MD5(SignKey, SeqNum || data), RC4 over data, RC4 over the
 *           8-byte checksum
 *   unseal: RC4 over data, the same HMAC, RC4 over the checksum, compare
 *   sign/verify: the HMAC and the checksum RC4
 */
typedef struct bare_dir {
	struct hmac_md5_ctx h;
	struct arcfour_ctx rc4;
	uint32_t seq;
} bare_dir;

typedef struct bare_arg {
	bare_dir send, recv;
	size_t size;
	uint8_t *ring;
	uint8_t (*sig)[16];
} bare_arg;

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* HMAC-MD5(SignKey, SeqNum || data): the first half of a signature. */
static void bare_digest(bare_dir *d, const uint8_t *data, size_t len, uint8_t digest[16])
{
	uint8_t seq[4];
	le32(seq, d->seq);
	hmac_md5_update(&d->h, 4, seq);
	hmac_md5_update(&d->h, len, data);
	hmac_md5_digest(&d->h, 16, digest);
}

/* The second half: the checksum RC4 (seal runs the data's RC4 between the two). */
static void bare_finish(bare_dir *d, const uint8_t digest[16], uint8_t sig[16])
{
	le32(sig, 1);
	arcfour_crypt(&d->rc4, 8, sig + 4, digest);
	le32(sig + 12, d->seq);
	d->seq++;
}

static void bare_mac(bare_dir *d, const uint8_t *data, size_t len, uint8_t sig[16])
{
	uint8_t digest[16];
	bare_digest(d, data, len, digest);
	bare_finish(d, digest, sig);
}

static void bare_seal(void *p, int k)
{
	bare_arg *a = p;
	for (int i = 0; i < k; i++) {
		uint8_t *m = a->ring + (size_t)i * a->size, digest[16];
		bare_digest(&a->send, m, a->size, digest);
		arcfour_crypt(&a->send.rc4, a->size, m, m);
		bare_finish(&a->send, digest, a->sig[i]);
	}
}

static void bare_unseal(void *p, int k)
{
	bare_arg *a = p;
	for (int i = 0; i < k; i++) {
		uint8_t *m = a->ring + (size_t)i * a->size, sig[16];
		arcfour_crypt(&a->recv.rc4, a->size, m, m);
		bare_mac(&a->recv, m, a->size, sig);
		if (memcmp(sig, a->sig[i], 16) != 0)
			bc_die("bare unseal: signature mismatch");
	}
}

static void bare_sign(void *p, int k)
{
	bare_arg *a = p;
	for (int i = 0; i < k; i++)
		bare_mac(&a->send, a->ring + (size_t)i * a->size, a->size, a->sig[i]);
}

static void bare_verify(void *p, int k)
{
	bare_arg *a = p;
	for (int i = 0; i < k; i++) {
		uint8_t sig[16];
		bare_mac(&a->recv, a->ring + (size_t)i * a->size, a->size, sig);
		if (memcmp(sig, a->sig[i], 16) != 0)
			bc_die("bare verify: signature mismatch");
	}
}

static void bare_init(bare_arg *a)
{
	static const uint8_t sign_key[16] = "0123456789abcdef", seal_key[16] = "fedcba9876543210";
	hmac_md5_set_key(&a->send.h, 16, sign_key);
	hmac_md5_set_key(&a->recv.h, 16, sign_key);
	arcfour_set_key(&a->send.rc4, 16, seal_key);
	arcfour_set_key(&a->recv.rc4, 16, seal_key);
	a->send.seq = a->recv.seq = 0;
}

static void seal_size(const bc_opts *o, void *p, size_t size, int k, uint8_t *ring)
{
	const hs_env *e = p;
	uint8_t(*sig)[16] = malloc((size_t)k * 16);
	ntlm_buffer *wrapped = calloc((size_t)k, sizeof(*wrapped));
	if (!sig || !wrapped)
		bc_die("out of memory");

	seal_arg a = {NULL, NULL, size, ring, sig, wrapped};
	handshake(e, &a.c, &a.s, NULL);
	bc_report_pair("seal", "unseal", size, bc_pair_rate(o->secs, do_seal, do_unseal, &a, k));
	bc_report_pair("sign", "verify", size, bc_pair_rate(o->secs, do_sign, do_verify, &a, k));
	bc_report_pair("wrap", "unwrap", size, bc_pair_rate(o->secs, do_wrap, do_unwrap, &a, k));
	ntlm_ctx_free(a.c);
	ntlm_ctx_free(a.s);

	bare_arg *b = calloc(1, sizeof(*b));
	if (!b)
		bc_die("out of memory");
	b->size = size;
	b->ring = ring;
	b->sig = sig;
	bare_init(b);
	bc_report_pair("bound.seal", "bound.unseal", size,
	               bc_pair_rate(o->secs, bare_seal, bare_unseal, b, k));
	bare_init(b);
	bc_report_pair("bound.sign", "bound.verify", size,
	               bc_pair_rate(o->secs, bare_sign, bare_verify, b, k));
	free(b);
	free(sig);
	free(wrapped);
}

/* ---------------------------------------------------------------- memory */

/* Keeps one side of a fresh handshake (side 0: the server's context, 1: the client's). */
typedef struct hold_arg {
	const hs_env *e;
	int side;
} hold_arg;

static void hold_side(void *p, void *slot)
{
	hold_arg *h = p;
	ntlm_ctx *c, *s, **keep = slot;
	handshake(h->e, &c, &s, NULL);
	*keep = h->side == 0 ? s : c;
	ntlm_ctx_free(h->side == 0 ? c : s);
}

static void drop_ctx(void *p, void *slot)
{
	ntlm_ctx_free(*(ntlm_ctx **)slot);
}

static void section_memory(const bc_opts *o, const hs_env *e)
{
	long n = o->contexts;
	ntlm_ctx **keep = calloc((size_t)n, sizeof(*keep));
	if (!keep)
		bc_die("out of memory");
	bc_info("sizeof", "struct ntlm_ctx %zu bytes (ss_state %zu, ss_dir %zu, cr_rc4 %zu)",
	        sizeof(struct ntlm_ctx), sizeof(ss_state), sizeof(ss_dir), sizeof(cr_rc4));

	/* allocations per handshake, per side */
	{
		ntlm_ctx *c, *s;
		handshake(e, &c, &s, NULL); /* warm-up */
		ntlm_ctx_free(c);
		ntlm_ctx_free(s);
		enum { R = 50 };
		unsigned long ca = 0, sa = 0, b;
		for (int r = 0; r < R; r++) {
			ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
			b = bc_allocs;
			check(ntlm_client_new(&c, e->cred, &e->ccfg), "client_new");
			check_continue(ntlm_step(c, NULL, 0, &neg), "step");
			ca += bc_allocs - b;
			b = bc_allocs;
			check(ntlm_server_new(&s, &e->scfg), "server_new");
			check_continue(ntlm_step(s, neg.data, neg.len, &chal), "step");
			sa += bc_allocs - b;
			b = bc_allocs;
			check(ntlm_step(c, chal.data, chal.len, &auth), "client: AUTHENTICATE");
			ca += bc_allocs - b;
			b = bc_allocs;
			check(ntlm_step(s, auth.data, auth.len, &none), "server: accept");
			sa += bc_allocs - b;
			ntlm_buffer_free(&neg);
			ntlm_buffer_free(&chal);
			ntlm_buffer_free(&auth);
			ntlm_ctx_free(c);
			ntlm_ctx_free(s);
		}
		bc_result("alloc.client", (double)ca / R, "allocs/hs");
		bc_result("alloc.server", (double)sa / R, "allocs/hs");
		bc_result("alloc.hs", (double)(ca + sa) / R, "allocs/hs");
	}

	for (int side = 0; side < 2; side++) {
		hold_arg h = {e, side};
		bc_mem_per_ctx(side == 0 ? "server" : "client", keep, n, sizeof(*keep), hold_side, drop_ctx,
		               &h);
	}
	bc_info("contexts", "%ld established contexts per memory measurement", n);
	free(keep);
}

/* --------------------------------------------------------------- scaling */

/*
 * A single-threaded server with n handshakes in flight: n NEGOTIATEs arrive,
 * n CHALLENGEs go out, n AUTHENTICATEs arrive, n contexts are established
 * and then released. Only the server's work is timed; the clients' is
 * done between the timed phases.
 */
static double scaling(const hs_env *e, int n, double secs)
{
	ntlm_ctx **cc = calloc((size_t)n, sizeof(*cc)), **sc = calloc((size_t)n, sizeof(*sc));
	ntlm_buffer *neg = calloc((size_t)n, sizeof(*neg)), *chal = calloc((size_t)n, sizeof(*chal)),
				*auth = calloc((size_t)n, sizeof(*auth));
	if (!cc || !sc || !neg || !chal || !auth)
		bc_die("out of memory");
	double timed = 0;
	long done = 0;
	int warm = 1;
	while (timed < secs) {
		for (int i = 0; i < n; i++) {
			check(ntlm_client_new(&cc[i], e->cred, &e->ccfg), "client_new");
			check_continue(ntlm_step(cc[i], NULL, 0, &neg[i]), "step");
		}
		double t0 = bc_now();
		for (int i = 0; i < n; i++) {
			check(ntlm_server_new(&sc[i], &e->scfg), "server_new");
			if (ntlm_step(sc[i], neg[i].data, neg[i].len, &chal[i]) != NTLM_CONTINUE)
				bc_die("server: CHALLENGE");
		}
		double t1 = bc_now();
		for (int i = 0; i < n; i++)
			check(ntlm_step(cc[i], chal[i].data, chal[i].len, &auth[i]), "client: AUTHENTICATE");
		double t2 = bc_now();
		for (int i = 0; i < n; i++) {
			ntlm_buffer none = {0};
			check(ntlm_step(sc[i], auth[i].data, auth[i].len, &none), "server: accept");
		}
		for (int i = 0; i < n; i++)
			ntlm_ctx_free(sc[i]);
		double t3 = bc_now();
		for (int i = 0; i < n; i++) {
			ntlm_ctx_free(cc[i]);
			ntlm_buffer_free(&neg[i]);
			ntlm_buffer_free(&chal[i]);
			ntlm_buffer_free(&auth[i]);
		}
		if (warm) {
			warm = 0;
			continue;
		}
		timed += (t1 - t0) + (t3 - t2);
		done += n;
	}
	free(cc);
	free(sc);
	free(neg);
	free(chal);
	free(auth);
	return (double)done / timed;
}

static void section_scaling(const bc_opts *o, const hs_env *e)
{
	static const int inflight[] = {1, 10, 100, 1000};
	for (size_t i = 0; i < sizeof(inflight) / sizeof(inflight[0]); i++) {
		char name[48];
		snprintf(name, sizeof(name), "server.inflight.%d", inflight[i]);
		bc_result(name, scaling(e, inflight[i], o->secs), "hs/s");
	}
}

/* --------------------------------------------------------------- profile */

/*
 * Where a handshake's time goes: the four ntlm_step() calls timed apart, the
 * pieces of the server's smbpasswd store timed alone, and the same handshake
 * against an in-memory store that verifies exactly as the smbpasswd store
 * does (ntlm_verify_response, the check the smbpasswd store runs) without
 * reading the file and /etc/passwd each time.
 */
typedef struct phase_arg {
	const hs_env *e;
	double t[4]; /* client NEGOTIATE, server CHALLENGE, client AUTHENTICATE, server accept */
	double t_new[2], t_free[2];
	long n;
} phase_arg;

static void phase_loop(void *p, long n)
{
	phase_arg *a = p;
	for (long i = 0; i < n; i++) {
		ntlm_ctx *c, *s;
		ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
		double t0 = bc_now();
		check(ntlm_client_new(&c, a->e->cred, &a->e->ccfg), "client_new");
		double t1 = bc_now();
		check_continue(ntlm_step(c, NULL, 0, &neg), "step");
		double t2 = bc_now();
		check(ntlm_server_new(&s, &a->e->scfg), "server_new");
		double t3 = bc_now();
		check_continue(ntlm_step(s, neg.data, neg.len, &chal), "step");
		double t4 = bc_now();
		check(ntlm_step(c, chal.data, chal.len, &auth), "client: AUTHENTICATE");
		double t5 = bc_now();
		check(ntlm_step(s, auth.data, auth.len, &none), "server: accept");
		double t6 = bc_now();
		ntlm_ctx_free(c);
		double t7 = bc_now();
		ntlm_ctx_free(s);
		double t8 = bc_now();
		a->t_new[0] += t1 - t0;
		a->t[0] += t2 - t1;
		a->t_new[1] += t3 - t2;
		a->t[1] += t4 - t3;
		a->t[2] += t5 - t4;
		a->t[3] += t6 - t5;
		a->t_free[0] += t7 - t6;
		a->t_free[1] += t8 - t7;
		a->n++;
		ntlm_buffer_free(&neg);
		ntlm_buffer_free(&chal);
		ntlm_buffer_free(&auth);
	}
}

typedef struct lookup_arg {
	const char *path;
} lookup_arg;

static void lookup_loop(void *p, long n)
{
	lookup_arg *a = p;
	for (long i = 0; i < n; i++) {
		smbpw_entry e;
		check(smbpw_lookup(a->path, BC_USER, &e), "smbpw_lookup");
	}
}

static void getpw_loop(void *p, long n)
{
	(void)p;
	for (long i = 0; i < n; i++) {
		struct passwd pw, *found = NULL;
		char buf[2048];
		if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) != 0 || !found)
			bc_die("getpwuid_r");
	}
}

static void random_loop(void *p, long n)
{
	(void)p;
	for (long i = 0; i < n; i++) {
		uint8_t b[16];
		check(cr_random(b, 16), "cr_random");
	}
}

/* The in-memory store: one account, the same NTLMv2 verification as the smbpasswd store. */
typedef struct mem_store {
	uint8_t nt[16];
} mem_store;

static ntlm_err mem_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	mem_store *m = impl;
	if (ntlm_strcasecmp_utf8(req->user, BC_USER) != 0)
		return NTLM_E_NO_SUCH_USER;
	NTLM_TRY(ntlm_verify_response(req, m->nt, NULL, res));
	snprintf(res->authority, sizeof(res->authority), "%s", req->server_name);
	snprintf(res->user, sizeof(res->user), "%s", BC_USER);
	snprintf(res->unix_user, sizeof(res->unix_user), "%s", "root");
	return NTLM_OK;
}

/* Session security set-up as each side runs it at the end of a handshake. */
static void ssinit_loop(void *p, long n)
{
	ss_state *ss = p;
	static const uint8_t key[16] = "exported-key-16";
	uint32_t flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128 |
	                 NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL;
	for (long i = 0; i < n; i++)
		check(ss_init(ss, flags, key, (int)(i & 1), 0), "ss_init");
}

static void section_profile(const bc_opts *o, const hs_env *e)
{
	phase_arg a;
	memset(&a, 0, sizeof(a));
	a.e = e;
	bc_rate(o->secs, phase_loop, &a);
	double us = 1e6 / (double)a.n;
	bc_result("phase.client.new", a.t_new[0] * us, "us");
	bc_result("phase.client.negotiate", a.t[0] * us, "us");
	bc_result("phase.server.new", a.t_new[1] * us, "us");
	bc_result("phase.server.challenge", a.t[1] * us, "us");
	bc_result("phase.client.authenticate", a.t[2] * us, "us");
	bc_result("phase.server.accept", a.t[3] * us, "us");
	bc_result("phase.client.free", a.t_free[0] * us, "us");
	bc_result("phase.server.free", a.t_free[1] * us, "us");

	lookup_arg la = {e->smbpasswd};
	bc_result("store.smbpw_lookup", 1e6 / bc_rate(o->secs, lookup_loop, &la), "us");
	bc_result("store.getpwuid_r", 1e6 / bc_rate(o->secs, getpw_loop, NULL), "us");
	bc_result("store.getrandom16", 1e6 / bc_rate(o->secs, random_loop, NULL), "us");

	ss_state *ss = calloc(1, sizeof(*ss));
	if (!ss)
		bc_die("out of memory");
	bc_result("store.ss_init", 1e6 / bc_rate(o->secs, ssinit_loop, ss), "us");
	ss_wipe(ss);
	free(ss);

	hs_env m = *e;
	mem_store *ms = calloc(1, sizeof(*ms));
	if (!ms)
		bc_die("out of memory");
	check(ntlm_nt_hash(BC_PASSWORD, ms->nt), "nt hash");
	static const ntlm_account_store_ops ops = {NTLM_ACCOUNT_STORE_OPS_INIT, .verify = mem_verify,
	                                           .free = free};
	check(ntlm_account_store_new(&m.store, &ops, ms), "memory store");
	m.scfg.store = m.store;
	bc_result("hs.1t.memstore", bc_rate(o->secs * 2, hs_loop, &m), "hs/s");
	ntlm_account_store_free(m.store);
}

/* ----------------------------------------------------------------- squid */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64chars[(v >> 18) & 63];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64chars[v & 63] : '=';
	}
	out[o] = '\0';
}

static size_t b64_decode(const char *in, uint8_t *out, size_t cap)
{
	size_t o = 0;
	uint32_t v = 0;
	int bits = 0;
	for (; *in && *in != '\n' && *in != '\r'; in++) {
		const char *p = strchr(b64chars, *in);
		if (*in == '=' || !p)
			break;
		v = (v << 6) | (uint32_t)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < cap)
				out[o++] = (uint8_t)(v >> bits);
		}
	}
	return o;
}

typedef struct squid {
	pid_t pid;
	FILE *to, *from;
	const hs_env *e;
	long failures;
} squid;

static int squid_start(squid *q, const char *cmd)
{
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return -1;
	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (q->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	q->to = fdopen(in[1], "w");
	q->from = fdopen(out[0], "r");
	return q->to && q->from ? 0 : -1;
}

/* One YR/KK exchange; 0 when the helper answered AF. */
static int squid_one(squid *q)
{
	char line[8192], b64[8192];
	uint8_t tok[4096];
	ntlm_ctx *c;
	ntlm_buffer neg = {0}, auth = {0};
	int ok = -1;
	check(ntlm_client_new(&c, q->e->cred, &q->e->ccfg), "client_new");
	check_continue(ntlm_step(c, NULL, 0, &neg), "step");
	b64_encode(neg.data, neg.len, b64);
	fprintf(q->to, "YR %s\n", b64);
	fflush(q->to);
	if (fgets(line, sizeof(line), q->from) && strncmp(line, "TT ", 3) == 0) {
		size_t n = b64_decode(line + 3, tok, sizeof(tok));
		if (ntlm_step(c, tok, n, &auth) == NTLM_OK) {
			b64_encode(auth.data, auth.len, b64);
			fprintf(q->to, "KK %s\n", b64);
			fflush(q->to);
			if (fgets(line, sizeof(line), q->from) && strncmp(line, "AF", 2) == 0)
				ok = 0;
		}
	}
	if (ok && line[0])
		fprintf(stderr, "squid helper said: %s", line);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&auth);
	ntlm_ctx_free(c);
	return ok;
}

static void squid_loop(void *arg, long n)
{
	squid *q = arg;
	for (long i = 0; i < n; i++)
		if (squid_one(q) != 0 && ++q->failures > 3)
			bc_die("squid helper: handshakes fail");
}

static void section_squid(const bc_opts *o, const hs_env *e, const char *cmd)
{
	if (!cmd) {
		bc_info("squid", "skipped: no --squid command (the ntlm squid-helper was not built)");
		return;
	}
	char full[1024];
	/* %s in the command stands for the smbpasswd file */
	if (strstr(cmd, "%s"))
		snprintf(full, sizeof(full), cmd, e->smbpasswd);
	else
		snprintf(full, sizeof(full), "%s", cmd);
	squid q = {0};
	q.e = e;
	if (squid_start(&q, full) != 0)
		bc_die("cannot start %s", full);
	signal(SIGPIPE, SIG_IGN);
	if (squid_one(&q) != 0) {
		bc_info("squid", "helper did not authenticate (%s): skipped", cmd);
	} else {
		bc_info("squid", "%s", cmd);
		bc_result("squid.helper", bc_rate_wall(o->secs * 2, squid_loop, &q), "hs/s");
	}
	fclose(q.to);
	fclose(q.from);
	waitpid(q.pid, NULL, 0);
}

/* ------------------------------------------------------------------ main */

/*
 * --count N: exactly N handshakes and nothing else (--count-bound N: N
 * rounds of the bound's bare-Nettle work), for instruction counts
 * that do not depend on the machine's load: the difference between two
 * `valgrind --tool=callgrind` runs with different N, divided by the
 * difference in N, is the cost of one handshake without the set-up.
 */
static int count_handshakes(hs_env *e, long n, int bound)
{
	unsigned long before = bc_allocs;
	if (bound) {
		/* the bound's loop on messages of the sizes ntlm-bench measures (section crypto) */
		static bare_hs_arg a;
		a.z = (hs_sizes){40, 116, 334, 140};
		for (size_t i = 0; i < sizeof(a.msgs); i++)
			a.msgs[i] = (uint8_t)(i * 31 + 7);
		bare_hs_loop(&a, n);
	} else {
		hs_loop(e, n);
	}
	printf("%s %ld allocations/hs %.2f\n", bound ? "bound" : "handshakes", n,
	       (double)(bc_allocs - before) / (double)n);
	env_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	bc_opts o;
	const char *squid_cmd = NULL;
	long count = 0;
	int count_bound = 0;
	bc_opts_init(&o);
	bc_impl = "ours";
	for (int i = 1; i < argc; i++) {
		if (bc_parse_common(&o, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--squid") == 0 && i + 1 < argc) {
			squid_cmd = argv[++i];
			continue;
		}
		if ((strcmp(argv[i], "--count") == 0 || strcmp(argv[i], "--count-bound") == 0) &&
		    i + 1 < argc) {
			count_bound = argv[i][7] == '-';
			count = atol(argv[++i]);
			continue;
		}
		fprintf(stderr,
		        "usage: ntlm-bench [--quick] [--secs S] [--threads N] [--contexts N]\n"
		        "                  [--only handshake,crypto,seal,memory,scaling,profile,squid]\n"
		        "                  [--squid 'CMD' (%%s: the smbpasswd file)]\n"
		        "       ntlm-bench --count N | --count-bound N\n"
		        "                  (N handshakes, or N of the bound's, nothing timed: for "
		        "callgrind)\n");
		return 2;
	}
	hs_env e;
	env_init(&e);
	if (count > 0)
		return count_handshakes(&e, count, count_bound);
	bc_info("version", "libntlmssp %s, Nettle %d.%d", ntlm_version(), NETTLE_VERSION_MAJOR,
	        NETTLE_VERSION_MINOR);
	if (bc_section(&o, "handshake"))
		section_handshake(&o, &e);
	double bound = 0;
	if (bc_section(&o, "crypto"))
		section_crypto(&o, &e, &bound);
	if (bc_section(&o, "seal"))
		bc_each_size(&o, seal_size, &e);
	if (bc_section(&o, "memory"))
		section_memory(&o, &e);
	if (bc_section(&o, "scaling"))
		section_scaling(&o, &e);
	if (bc_section(&o, "profile"))
		section_profile(&o, &e);
	if (bc_section(&o, "squid"))
		section_squid(&o, &e, squid_cmd);
	env_free(&e);
	return 0;
}
