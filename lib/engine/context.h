/*
 * context.h - struct ntlm_ctx, shared by the client and server state
 * machines (client.c, server.c) and session security (signseal.c).
 * Credentials, the replay cache and the policy rules have their own
 * headers (cred.h, replay.h, policy.h).
 */
#ifndef NTLM_CONTEXT_H
#define NTLM_CONTEXT_H

#include "crypto.h"
#include "ntlmssp/ntlmssp.h"
#include "shared.h"

typedef enum ctx_state {
	CTX_INITIAL = 0,
	CTX_NEGOTIATE_SENT, /* client: waiting for CHALLENGE */
	CTX_CHALLENGE_SENT, /* server: waiting for AUTHENTICATE */
	CTX_DONE,
	CTX_FAILED
} ctx_state;

/*
 * One direction of session security ([MS-NLMP] 3.4). Laid out without
 * padding (312 bytes, two per context): the signing key is kept key-scheduled
 * for HMAC-MD5 (its midstates), which is all the MAC needs; the sealing key
 * is kept for connectionless rekeying.
 */
typedef struct ss_dir {
	cr_hmac_md5_key sign; /* SigningKey (with ESS) */
	uint8_t seal_key[NTLM_SESSION_KEY_SIZE];
	uint32_t seq;
	uint8_t seal_key_len;
	cr_rc4 rc4;
} ss_dir;

/* Without ESS one RC4 stream and one counter serve both directions (half
 * duplex, 3.4): `in` is then unused and both directions use `out`. */
typedef struct ss_state {
	int active;
	uint32_t flags;
	int datagram;
	ss_dir out, in;
} ss_state;

struct ntlm_client_state {
	char *domain, *user;
	uint8_t nt_hash[NTLM_HASH_SIZE];
	uint8_t lm_hash[NTLM_HASH_SIZE];
	int have_lm;
	int anonymous;
	char *workstation;
	char *target_spn;
	uint8_t cbt[NTLM_CBT_HASH_SIZE];
	int have_cbt;
	uint32_t requested;
	int send_version;
	int winbind_cache; /* winbindd answers the CHALLENGE (client.c, wb_ccache.h) */
};

struct ntlm_server_state {
	char *computer, *domain, *dns_computer, *dns_domain;
	char **services; /* NULL-terminated copy */
	ntlm_account_store *store;
	void (*audit)(void *, const ntlm_audit_event *);
	void *audit_arg;
	ntlm_replay_cache *replay;
	uint8_t challenge[NTLM_CHALLENGE_SIZE];
	uint8_t cbt[NTLM_CBT_HASH_SIZE]; /* expected channel bindings hash */
	int have_cbt;
	uint32_t offered;   /* flags of our CHALLENGE */
	uint64_t timestamp; /* MsvAvTimestamp of our CHALLENGE (FILETIME) */
	int audited;        /* the audit callback has seen this context's outcome */
};

/* Everything only the handshake needs; freed (wiped) once the context is established. */
struct ctx_handshake {
	ntlm_policy policy;
	ntlm_hooks hooks;
	/* Kept for the MIC. */
	ntlm_buffer negotiate_msg, challenge_msg;
	sh_state *shared; /* the credential's or store's: random bytes, system policy */
	/* Only one role's state exists. */
	union {
		struct ntlm_client_state cl;
		struct ntlm_server_state sv;
	};
};

struct ntlm_ctx {
	int is_server;
	ctx_state state;
	ntlm_err failure; /* sticky, when state == CTX_FAILED */
	const char *rule; /* the policy rule behind the failure (static string), or NULL */
	int datagram;
	uint32_t flags;           /* negotiated */
	struct ctx_handshake *hs; /* NULL once established */

	/* Results: set once, by ctx_set_results, as strings packed in names_block (one allocation). */
	const char *peer_user, *peer_domain, *peer_workstation, *principal, *unix_user, *target_name;
	const char *sid, *group_sids; /* server: a domain logon's SIDs (group_sids space-separated) */
	char *names_block;
	size_t names_len;
	ntlm_response_kind kind;
	int mic_verified;
	int anonymous;
	uint8_t exported_key[NTLM_SESSION_KEY_SIZE];
	int have_key;
	/*
	 * Session security, derived from exported_key on the first sign, seal,
	 * verify or unseal: a context that only authenticates (HTTP, Squid) never
	 * pays for the four keys and two RC4 schedules, nor keeps their 636 bytes.
	 */
	ss_state *ss;
};

/*
 * The context is established: drop everything only the handshake needed
 * (message copies, the client's hashes, the server's configuration copies),
 * so an established context stays small. Its results are set before.
 */
void ctx_finish(ntlm_ctx *ctx);

/* What an established context reports (NULL reads as ""). */
struct ctx_results {
	const char *peer_user, *peer_domain, *peer_workstation;
	const char *authority, *user; /* the principal, "authority\\user" */
	const char *unix_user, *target_name;
	const char *sid, *group_sids; /* server: a domain logon's SIDs (NULL: not known) */
};
/* Packs the results into one block (the context's only copy of them). */
NTLM_MUST_CHECK ntlm_err ctx_set_results(ntlm_ctx *ctx, const struct ctx_results *r);

/* Fails the context for good: keys wiped, every later call refused (why is kept). */
void ctx_fail(ntlm_ctx *ctx, ntlm_err why);
/* The exported session key (NULL: none, e.g. anonymous); the only writer of have_key. */
void ctx_set_key(ntlm_ctx *ctx, const uint8_t key[NTLM_SESSION_KEY_SIZE]);
/* Records the policy rule (a static string) behind a refusal and returns why; with
 * ctx_fail the only writers of rule. */
NTLM_MUST_CHECK ntlm_err ctx_refuse(ntlm_ctx *ctx, const char *rule, ntlm_err why);

/* Time and randomness through the hooks (or the real ones). */
int64_t ctx_now(const ntlm_ctx *ctx);
NTLM_MUST_CHECK ntlm_err ctx_random(ntlm_ctx *ctx, uint8_t *buf, size_t len);
/* Replace *slot with a copy of s ("" for NULL). */
NTLM_MUST_CHECK ntlm_err ctx_set_string(char **slot, const char *s);
/* This host's name as a NetBIOS name: short, upper-case, at most 15 characters. */
NTLM_MUST_CHECK ntlm_err ctx_host_netbios_name(char **out);
/* The host name when it is fully qualified (has an inner dot), else NTLM_E_NOT_FOUND. */
NTLM_MUST_CHECK ntlm_err ctx_host_dns_name(char **out);
/* *out = a new copy of p[0..n) (a previous value is wiped and freed). */
NTLM_MUST_CHECK ntlm_err ctx_copy_bytes(const uint8_t *p, size_t n, ntlm_buffer *out);
NTLM_MUST_CHECK ntlm_err client_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len,
                                     ntlm_buffer *out);
NTLM_MUST_CHECK ntlm_err server_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len,
                                     ntlm_buffer *out);
void client_state_wipe(struct ntlm_client_state *cl);
void server_state_wipe(struct ntlm_server_state *sv);

/* Session security set-up once the exported key is known. */
NTLM_MUST_CHECK ntlm_err ss_init(ss_state *ss, uint32_t flags,
                                 const uint8_t exported[NTLM_SESSION_KEY_SIZE], int is_client,
                                 int datagram);
void ss_wipe(ss_state *ss);
/* The context's session security, derived now if this is its first use. */
NTLM_MUST_CHECK ntlm_err ctx_session(ntlm_ctx *ctx, ss_state **out);
/* Wipes and frees ctx->ss (NULL-safe). */
void ctx_session_free(ntlm_ctx *ctx);
/*
 * Allocates ctx->hs with the policy (NULL: the system policy, through shared)
 * and hooks (NULL: real ones); shared is the credential's or the store's, and
 * outlives the context.
 */
NTLM_MUST_CHECK ntlm_err ctx_handshake_new(ntlm_ctx *ctx, sh_state *shared,
                                           const ntlm_policy *policy, const ntlm_hooks *hooks);

#endif
