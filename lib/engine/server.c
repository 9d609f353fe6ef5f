/*
 * server.c - the server (acceptor) state machine of [MS-NLMP] 3.2.5:
 *   INITIAL --(NEGOTIATE in, CHALLENGE out)--> CHALLENGE_SENT --(AUTHENTICATE in)--> DONE
 * In datagram mode the first call takes no input and produces the CHALLENGE.
 * The server never sees a password or hash: the account store verifies the
 * responses and hands back the session base key.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acct_store.h"
#include "buf.h"
#include "config.h"
#include "context.h"
#include "filetime.h"
#include "mem.h"
#include "ntlm_keys.h"
#include "policy.h"
#include "replay.h"
#include "text.h"
#include "try.h"
#include "verify.h"
#include "wire.h"

static const nw_version our_version = {10, 0, 20348, 15};

/* Flags the server can grant; the rest of a client's request is ignored. */
#define SERVER_SUPPORTED                                                                           \
	(NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_SIGN |                  \
	 NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |             \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_IDENTIFY |                     \
	 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |              \
	 NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_DATAGRAM)

void server_state_wipe(struct ntlm_server_state *sv)
{
	ntlm_free_string(sv->computer);
	ntlm_free_string(sv->domain);
	ntlm_free_string(sv->dns_computer);
	ntlm_free_string(sv->dns_domain);
	if (sv->services) {
		for (char **s = sv->services; *s; s++)
			ntlm_free_string(*s);
		free(sv->services);
	}
	ntlm_memzero(sv, sizeof(*sv));
}

static ntlm_err copy_services(struct ntlm_server_state *sv, const char *const *names)
{
	size_t n = 0;
	while (names && names[n])
		n++;
	sv->services = ntlm_calloc(n + 1, sizeof(char *));
	if (!sv->services)
		return NTLM_E_NO_MEMORY;
	for (size_t i = 0; i < n; i++)
		if (!(sv->services[i] = ntlm_strdup(names[i])))
			return NTLM_E_NO_MEMORY;
	return NTLM_OK;
}

/*
 * The DNS names of the CHALLENGE (see ntlm_server_config): configured, or
 * this host's fully qualified name when the server describes this host (no
 * computer_name); the domain is what follows the computer's first dot.
 */
static ntlm_err server_dns_names(struct ntlm_server_state *sv, const ntlm_server_config *cfg)
{
	if (cfg->dns_computer_name)
		NTLM_TRY(ctx_set_string(&sv->dns_computer, cfg->dns_computer_name));
	else if (!cfg->computer_name) {
		ntlm_err rc = ctx_host_dns_name(&sv->dns_computer);
		if (rc != NTLM_OK && rc != NTLM_E_NOT_FOUND)
			return rc;
	}
	const char *dot = sv->dns_computer ? strchr(sv->dns_computer, '.') : NULL;
	if (cfg->dns_domain_name)
		return ctx_set_string(&sv->dns_domain, cfg->dns_domain_name);
	if (dot && dot[1])
		return ctx_set_string(&sv->dns_domain, dot + 1);
	return NTLM_OK;
}

static ntlm_err server_copy_config(ntlm_ctx *ctx, const ntlm_server_config *cfg)
{
	struct ntlm_server_state *sv = &ctx->hs->sv;
	sv->store = cfg->store;
	sv->audit = cfg->audit;
	sv->audit_arg = cfg->audit_arg;
	sv->replay = cfg->replay;
	/* replay_cache means every server: one without a cache shares its store's */
	if (!sv->replay && ctx->hs->policy.replay_cache > 0)
		NTLM_TRY(
			acct_store_replay_cache(cfg->store, (size_t)ctx->hs->policy.replay_cache, &sv->replay));
	if (cfg->cbt_hash) {
		memcpy(sv->cbt, cfg->cbt_hash, NTLM_CBT_HASH_SIZE);
		sv->have_cbt = 1;
	}
	NTLM_TRY(cfg->computer_name ? ctx_set_string(&sv->computer, cfg->computer_name)
	                            : ctx_host_netbios_name(&sv->computer));
	NTLM_TRY(ctx_set_string(&sv->domain, cfg->domain_name ? cfg->domain_name : sv->computer));
	NTLM_TRY(server_dns_names(sv, cfg));
	return copy_services(sv, cfg->service_names);
}

NTLM_API ntlm_err ntlm_server_new(ntlm_ctx **out, const ntlm_server_config *caller_cfg)
{
	ntlm_server_config copy, *cfg = &copy;
	if (!out || !caller_cfg)
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	NTLM_TRY(server_config_in(cfg, caller_cfg));
	if (!cfg->store)
		return NTLM_E_INVALID_PARAMETER;
	ntlm_ctx *ctx = ntlm_calloc(1, sizeof(*ctx));
	if (!ctx)
		return NTLM_E_NO_MEMORY;
	ctx->is_server = 1;
	ctx->datagram = cfg->datagram;
	ntlm_err rc = ctx_handshake_new(ctx, acct_store_shared(cfg->store), cfg->policy, cfg->hooks);
	if (rc == NTLM_OK && ntlm_policy_conflict(&ctx->hs->policy, cfg))
		rc = NTLM_E_POLICY_CONFLICT;
	if (rc == NTLM_OK)
		rc = server_copy_config(ctx, cfg);
	if (rc != NTLM_OK) {
		ntlm_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return NTLM_OK;
}

/* NTLM_E_FLAGS_POLICY, recording which rule, when the flags break the minimum security. */
static ntlm_err check_min_security(ntlm_ctx *ctx, uint32_t f)
{
	const char *rule = policy_min_security_violation(&ctx->hs->policy, f);
	return rule ? ctx_refuse(ctx, rule, NTLM_E_FLAGS_POLICY) : NTLM_OK;
}

/* The CHALLENGE's flags: what the client asked for that we support, plus ours. */
static ntlm_err grant_flags(ntlm_ctx *ctx, uint32_t asked, uint32_t *out)
{
	uint32_t f = asked & SERVER_SUPPORTED;
	if (f & NTLMSSP_NEGOTIATE_UNICODE)
		f &= ~NTLMSSP_NEGOTIATE_OEM;
	else if (!(f & NTLMSSP_NEGOTIATE_OEM))
		f |= NTLMSSP_NEGOTIATE_UNICODE; /* neither: the spec default is Unicode */
	if (f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)
		f &= ~NTLMSSP_NEGOTIATE_LM_KEY;
	/* LM_KEY needs an LM hash, and its seal key has 56 bits at most */
	if (!(ctx->hs->policy.allowed_responses & (NTLM_RESP_LM | NTLM_RESP_NTLMV1)) ||
	    (ctx->hs->policy.min_security & NTLM_SEC_128BIT))
		f &= ~NTLMSSP_NEGOTIATE_LM_KEY;
	if (!ctx->datagram)
		f &= ~NTLMSSP_NEGOTIATE_DATAGRAM;
	else
		f |= NTLMSSP_NEGOTIATE_DATAGRAM;
	f |= NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_NTLM;
	if (asked & NTLMSSP_REQUEST_TARGET)
		f |= NTLMSSP_REQUEST_TARGET;
	f |= (ctx->hs->sv.domain && strcmp(ctx->hs->sv.domain, ctx->hs->sv.computer) != 0)
	         ? NTLMSSP_TARGET_TYPE_DOMAIN
	         : NTLMSSP_TARGET_TYPE_SERVER;
	NTLM_TRY(check_min_security(ctx, f));
	*out = f;
	return NTLM_OK;
}

/* Our TargetInfo, written straight into its buffer: names, then our timestamp. */
static ntlm_err build_target_info(ntlm_ctx *ctx, ntlm_buffer *out)
{
	struct ntlm_server_state *sv = &ctx->hs->sv;
	uint8_t ts[8];
	nb_writer w;
	nb_writer_init(&w);
	ntlm_err rc = nw_av_write_string(&w, NW_AV_NB_DOMAIN, sv->domain);
	if (rc == NTLM_OK)
		rc = nw_av_write_string(&w, NW_AV_NB_COMPUTER, sv->computer);
	if (rc == NTLM_OK && sv->dns_computer)
		rc = nw_av_write_string(&w, NW_AV_DNS_COMPUTER, sv->dns_computer);
	if (rc == NTLM_OK && sv->dns_domain)
		rc = nw_av_write_string(&w, NW_AV_DNS_DOMAIN, sv->dns_domain);
	/* the forest: one domain's forest is named after it, as Windows sends */
	if (rc == NTLM_OK && sv->dns_domain)
		rc = nw_av_write_string(&w, NW_AV_DNS_TREE, sv->dns_domain);
	sv->timestamp = ntlm_unix_to_filetime(ctx_now(ctx));
	nb_store_u64le(ts, sv->timestamp);
	if (rc == NTLM_OK)
		rc = nw_av_write(&w, NW_AV_TIMESTAMP, ts, sizeof(ts));
	if (rc == NTLM_OK)
		rc = nw_av_write_eol(&w);
	if (rc != NTLM_OK) {
		nb_writer_free(&w);
		return rc;
	}
	return nb_writer_finish(&w, out);
}

static ntlm_err send_challenge(ntlm_ctx *ctx, uint32_t flags, ntlm_buffer *out)
{
	nw_challenge chal;
	memset(&chal, 0, sizeof(chal));
	chal.flags = flags;
	NTLM_TRY(ctx_random(ctx, ctx->hs->sv.challenge, NTLM_CHALLENGE_SIZE));
	memcpy(chal.server_challenge, ctx->hs->sv.challenge, NTLM_CHALLENGE_SIZE);
	ntlm_buffer ti = {NULL, 0};
	ntlm_err rc = build_target_info(ctx, &ti);
	chal.target_info = ti.data;
	chal.target_info_len = ti.len;
	chal.target_name = (flags & NTLMSSP_REQUEST_TARGET) ? ctx->hs->sv.domain : NULL;
	if (flags & NTLMSSP_NEGOTIATE_VERSION) {
		chal.has_version = 1;
		chal.version = our_version;
	}
	if (rc == NTLM_OK)
		rc = nw_challenge_encode(&chal, out);
	ntlm_buffer_free(&ti);
	if (rc == NTLM_OK)
		rc = ctx_copy_bytes(out->data, out->len, &ctx->hs->challenge_msg);
	if (rc != NTLM_OK) {
		ntlm_buffer_free(out);
		return rc;
	}
	ctx->hs->sv.offered = flags;
	ctx->state = CTX_CHALLENGE_SENT;
	return NTLM_CONTINUE;
}

static ntlm_err handle_negotiate(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	nw_negotiate neg;
	ntlm_err rc = nw_negotiate_decode(in, in_len, &neg);
	if (rc != NTLM_OK)
		return nw_wrong_type_as_state(rc, in, in_len);
	uint32_t flags = 0;
	rc = grant_flags(ctx, neg.flags, &flags);
	nw_negotiate_clear(&neg);
	if (rc == NTLM_OK)
		rc = ctx_copy_bytes(in, in_len, &ctx->hs->negotiate_msg);
	if (rc != NTLM_OK)
		return rc;
	return send_challenge(ctx, flags, out);
}

/* ------------------------------------------------------ AUTHENTICATE */

/*
 * The AUTHENTICATE, decoded once: the message as received (for the MIC), its
 * fields, and for NTLMv2 the parsed response and AV pairs; every check reads
 * this one view.
 */
struct auth_in {
	const uint8_t *msg;
	size_t len;
	nw_authenticate a; /* its byte fields: views into msg */
	uint32_t flags;    /* negotiated: the client's flags limited to our offer */
	nw_v2_response v2; /* NTLMv2 only: views into a.nt_response */
	nw_av_list av;     /* NTLMv2 only: the client's AV pairs, views into a.nt_response */
};

/* Everything learned while checking an AUTHENTICATE, for the audit record. */
struct verdict {
	ntlm_response_kind kind;
	int mic, cbt, target;
	char *target_name;
	uint32_t weaknesses;
	ntlm_auth_result res;
	acct_logon_info logon; /* a built-in store's SIDs and account source */
};

/*
 * Channel bindings and target names travel only inside an NTLMv2 response:
 * when the policy requires either, any other kind would slip past the check.
 */
static ntlm_err check_kind_can_bind(const ntlm_policy *p, ntlm_response_kind k)
{
	if (k == NTLM_KIND_NTLMV2)
		return NTLM_OK;
	if (p->cbt == NTLM_CBT_REQUIRED)
		return NTLM_E_CBT_MISSING;
	if (p->require_target_name)
		return NTLM_E_TARGET_MISSING;
	return NTLM_OK;
}

/* Negotiated flags: the client's AUTHENTICATE flags limited to our offer. */
static uint32_t final_flags(const ntlm_ctx *ctx, const nw_authenticate *a)
{
	uint32_t offered = ctx->hs->sv.offered;
	if (a->flags == 0)
		return offered; /* some clients send no flags: keep the offer */
	uint32_t f = offered & (a->flags | NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_TARGET_TYPE_DOMAIN |
	                        NTLMSSP_TARGET_TYPE_SERVER | NTLMSSP_REQUEST_TARGET);
	f |= a->flags & NTLMSSP_ANONYMOUS;
	return f;
}

static int name_matches_service(const ntlm_ctx *ctx, const char *spn)
{
	for (char **s = ctx->hs->sv.services; s && *s; s++)
		if (ntlm_strcasecmp_utf8(*s, spn) == 0)
			return 1;
	return 0;
}

/* The pair id is present and spells want (compared as UTF-16LE: no copy). */
static int av_string_is(const nw_av_list *av, uint16_t id, const char *want)
{
	const nw_av *got = nw_av_get(av, id);
	return got && ntlm_utf16le_equals_utf8(got->value, got->len, want);
}

/*
 * The client echoes our TargetInfo under its NTProofStr ([MS-NLMP] 3.1.5.1.2).
 * Without our timestamp it sends no MIC, so a MitM that strips it could edit
 * the flags unseen; a missing timestamp or Nb name is that edit: refused.
 */
static ntlm_err check_echoed_target_info(const ntlm_ctx *ctx, const nw_av_list *av)
{
	const struct ntlm_server_state *sv = &ctx->hs->sv;
	uint64_t ts = 0;
	if (nw_av_get_u64(av, NW_AV_TIMESTAMP, &ts) != NTLM_OK || ts != sv->timestamp ||
	    !av_string_is(av, NW_AV_NB_COMPUTER, sv->computer) ||
	    !av_string_is(av, NW_AV_NB_DOMAIN, sv->domain))
		return NTLM_E_TARGET_INFO_MISMATCH;
	return NTLM_OK;
}

/* The target name the client vouches for, against our service names. */
static ntlm_err check_target_name(ntlm_ctx *ctx, const nw_av_list *av, struct verdict *v)
{
	const ntlm_policy *p = &ctx->hs->policy;
	char *target = NULL;
	if (nw_av_get_string(av, NW_AV_TARGET_NAME, &target) == NTLM_OK && *target) {
		v->target = 1;
		v->target_name = target;
		/* a name that is none of ours is refused whenever we know our names */
		int have_services = ctx->hs->sv.services && ctx->hs->sv.services[0];
		if ((p->require_target_name || have_services) && !name_matches_service(ctx, target))
			return NTLM_E_TARGET_MISMATCH;
		return NTLM_OK;
	}
	ntlm_free_string(target);
	v->weaknesses |= NTLM_WEAK_NO_TARGET;
	return p->require_target_name ? NTLM_E_TARGET_MISSING : NTLM_OK;
}

/* The channel bindings the client vouches for, against ours. */
static ntlm_err check_bindings(ntlm_ctx *ctx, const nw_av_list *av, struct verdict *v)
{
	const ntlm_policy *p = &ctx->hs->policy;
	const nw_av *cb = nw_av_get(av, NW_AV_CHANNEL_BINDINGS);
	int sent_cbt = cb && cb->len == NTLM_CBT_HASH_SIZE &&
	               !ntlm_ct_is_zero(cb->value, NTLM_CBT_HASH_SIZE);
	if (!sent_cbt)
		v->weaknesses |= NTLM_WEAK_NO_CBT;
	if (p->cbt == NTLM_CBT_REQUIRED && !sent_cbt)
		return NTLM_E_CBT_MISSING;
	if (p->cbt != NTLM_CBT_NEVER && (sent_cbt || p->cbt == NTLM_CBT_REQUIRED)) {
		if (!ctx->hs->sv.have_cbt || !ntlm_ct_equal(cb->value, ctx->hs->sv.cbt, NTLM_CBT_HASH_SIZE))
			return NTLM_E_CBT_MISMATCH;
		v->cbt = 1;
	}
	return NTLM_OK;
}

/* Checks on the client's NTLMv2 blob, parsed here once: echoed target info, timestamp window,
 * target name, bindings. */
static ntlm_err check_v2_blob(ntlm_ctx *ctx, struct auth_in *in, struct verdict *v,
                              int *mic_expected)
{
	nw_av_list *av = &in->av;
	NTLM_TRY(nw_v2_response_parse(in->a.nt_response, in->a.nt_response_len, &in->v2));
	NTLM_TRY(nw_av_parse_view(in->v2.av_pairs, in->v2.av_len, av));
	NTLM_TRY(check_echoed_target_info(ctx, av));
	const ntlm_policy *p = &ctx->hs->policy;
	if (p->timestamp_window) {
		int64_t t = ntlm_filetime_to_unix(in->v2.timestamp), now = ctx_now(ctx);
		int64_t skew = t > now ? t - now : now - t;
		if (skew > (int64_t)p->timestamp_window)
			return NTLM_E_TIME_SKEW;
	}
	uint32_t avflags = 0;
	/* absent reads as 0; nw_av_parse already refused a MsvAvFlags of the wrong size */
	NTLM_IGNORE_RESULT(nw_av_get_u32(av, NW_AV_FLAGS, &avflags));
	*mic_expected = (avflags & NW_AVF_MIC) != 0;
	NTLM_TRY(check_target_name(ctx, av, v));
	return check_bindings(ctx, av, v);
}

/* KXKEY from the LM hash (3.4.5.1): LM_KEY, which ESS overrides. */
static int uses_lm_key(uint32_t flags)
{
	return (flags & NTLMSSP_NEGOTIATE_LM_KEY) &&
	       !(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
}

/* Session keys from the store's answer ([MS-NLMP] 3.2.5.1.2). */
static ntlm_err derive_keys(ntlm_ctx *ctx, const struct auth_in *in, const struct verdict *v)
{
	const nw_authenticate *a = &in->a;
	uint32_t flags = in->flags;
	uint8_t kxkey[NTLM_SESSION_KEY_SIZE], exported[NTLM_SESSION_KEY_SIZE];
	if (v->kind == NTLM_KIND_NTLMV2) {
		memcpy(kxkey, v->res.session_base_key, NTLM_SESSION_KEY_SIZE);
	} else {
		/*
		 * Without the account's LM hash our KXKEY would differ from the
		 * client's: refuse rather than end with two different keys.
		 */
		if (uses_lm_key(flags) && !v->res.have_lm_session_key)
			return NTLM_E_NO_LM_HASH; /* the account's lack, not a policy's refusal */
		uint8_t lm8[NTLM_CHALLENGE_SIZE] = {0};
		if (a->lm_response_len >= NTLM_CHALLENGE_SIZE)
			memcpy(lm8, a->lm_response, NTLM_CHALLENGE_SIZE);
		nk_kxkey_v1(flags, v->res.session_base_key,
		            v->res.have_lm_session_key ? v->res.lm_session_key : NULL, lm8,
		            ctx->hs->sv.challenge, kxkey);
	}
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (a->encrypted_session_key_len != NTLM_SESSION_KEY_SIZE) {
			ntlm_memzero(kxkey, sizeof(kxkey));
			return NTLM_E_BAD_SESSION_KEY;
		}
		nk_rc4_oneshot(kxkey, NTLM_SESSION_KEY_SIZE, a->encrypted_session_key, exported,
		               NTLM_SESSION_KEY_SIZE);
	} else {
		memcpy(exported, kxkey, NTLM_SESSION_KEY_SIZE);
	}
	ctx_set_key(ctx, exported);
	ntlm_memzero(kxkey, sizeof(kxkey));
	ntlm_memzero(exported, sizeof(exported));
	return NTLM_OK;
}

/* MIC over the three messages, the AUTHENTICATE's MIC field read as zero (3.2.5.1.2). */
static ntlm_err verify_mic(const ntlm_ctx *ctx, const struct auth_in *in)
{
	if (!in->a.has_mic_field)
		return NTLM_E_MIC_MISSING;
	uint8_t mic[NW_MIC_SIZE];
	nk_mic(ctx->exported_key, ctx->hs->negotiate_msg.data, ctx->hs->negotiate_msg.len,
	       ctx->hs->challenge_msg.data, ctx->hs->challenge_msg.len, in->msg, in->len,
	       NW_AUTH_MIC_OFFSET, mic);
	ntlm_err rc = ntlm_ct_equal(mic, in->a.mic, NW_MIC_SIZE) ? NTLM_OK : NTLM_E_MIC_MISMATCH;
	ntlm_memzero(mic, sizeof(mic));
	return rc;
}

static uint32_t flag_weaknesses(uint32_t flags, ntlm_response_kind kind)
{
	uint32_t w = 0;
	if (kind == NTLM_KIND_LM)
		w |= NTLM_WEAK_LM;
	if (kind == NTLM_KIND_NTLMV1 || kind == NTLM_KIND_NTLMV1_ESS)
		w |= NTLM_WEAK_NTLMV1;
	if (policy_short_key(flags))
		w |= NTLM_WEAK_SHORT_KEY;
	if ((flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) &&
	    !(flags & NTLMSSP_NEGOTIATE_KEY_EXCH))
		w |= NTLM_WEAK_NO_KEY_EXCH;
	return w;
}

static void emit_audit(ntlm_ctx *ctx, ntlm_err result, const nw_authenticate *a, uint32_t flags,
                       const struct verdict *v)
{
	if (!ctx->hs->sv.audit || ctx->hs->sv.audited)
		return;
	ntlm_audit_event ev = {NTLM_AUDIT_EVENT_INIT};
	ev.time = ctx_now(ctx);
	ev.result = result;
	ev.domain = a ? a->domain : "";
	ev.user = a ? a->user : "";
	ev.workstation = a ? a->workstation : "";
	ev.authenticated = result == NTLM_OK ? ctx->principal : NULL;
	ev.kind = v->kind;
	ev.flags = flags;
	ev.mic = v->mic;
	ev.cbt = v->cbt;
	ev.target = v->target;
	ev.target_name = v->target_name;
	ev.weaknesses = v->weaknesses;
	ev.rule = ctx->rule ? ctx->rule : policy_rule_for_error(result);
	ev.account_source = result == NTLM_OK ? v->logon.source : NULL;
	ctx->hs->sv.audited = 1;
	ctx->hs->sv.audit(ctx->hs->sv.audit_arg, &ev);
}

static ntlm_err verify_with_store(ntlm_ctx *ctx, const struct auth_in *in, struct verdict *v)
{
	const nw_authenticate *a = &in->a;
	ntlm_auth_request req;
	memset(&req, 0, sizeof(req));
	req.user = a->user;
	req.domain = a->domain;
	req.workstation = a->workstation;
	req.server_challenge = ctx->hs->sv.challenge;
	req.nt_response = a->nt_response;
	req.nt_response_len = a->nt_response_len;
	req.lm_response = a->lm_response;
	req.lm_response_len = a->lm_response_len;
	req.flags = in->flags;
	/* an NTLMSSP logon is never MS-CHAP, whatever bits a policy holds */
	req.allowed_responses = ctx->hs->policy.allowed_responses & ~NTLM_RESP_MSCHAP;
	req.server_name = ctx->hs->sv.computer;
	req.server_domain = ctx->hs->sv.domain;
	req.lockout_threshold = ctx->hs->policy.lockout_threshold;
	req.lockout_window = ctx->hs->policy.lockout_window;
	req.now = ctx_now(ctx);
	NTLM_TRY(acct_store_verify_info(ctx->hs->sv.store, &req, &v->res, &v->logon));
	/* The store may have verified only the LM half of an NTLMv1 response: the same check. */
	v->kind = nv_verified_kind(v->kind, v->res.kind);
	return nv_kind_allowed(v->kind, ctx->hs->policy.allowed_responses, 0);
}

static ntlm_err accept_anonymous(ntlm_ctx *ctx, struct verdict *v)
{
	ctx->anonymous = 1;
	ctx_set_key(ctx, NULL);
	ntlm_copy_string(v->res.authority, sizeof(v->res.authority), "NT AUTHORITY");
	ntlm_copy_string(v->res.user, sizeof(v->res.user), "ANONYMOUS LOGON");
	v->res.unix_user[0] = '\0';
	return NTLM_OK;
}

static ntlm_err check_authenticate(ntlm_ctx *ctx, struct auth_in *in, struct verdict *v)
{
	const nw_authenticate *a = &in->a;
	const ntlm_policy *p = &ctx->hs->policy;
	int mic_expected = 0;
	NTLM_TRY(check_min_security(ctx, in->flags));
	v->kind = nv_classify(a->lm_response, a->lm_response_len, a->nt_response_len, a->user,
	                      in->flags);
	NTLM_TRY(nv_kind_allowed(v->kind, p->allowed_responses, p->allow_anonymous));
	NTLM_TRY(check_kind_can_bind(&ctx->hs->policy, v->kind));
	if (v->kind == NTLM_KIND_ANONYMOUS)
		return accept_anonymous(ctx, v);
	if (v->kind == NTLM_KIND_NTLMV2)
		NTLM_TRY(check_v2_blob(ctx, in, v, &mic_expected));
	NTLM_TRY(verify_with_store(ctx, in, v));
	NTLM_TRY(derive_keys(ctx, in, v));
	if (mic_expected) {
		ntlm_err rc = verify_mic(ctx, in);
		v->mic = rc == NTLM_OK;
		NTLM_TRY(rc);
	} else {
		v->weaknesses |= NTLM_WEAK_NO_MIC;
		if (p->require_mic)
			return NTLM_E_MIC_MISSING;
	}
	if (v->kind == NTLM_KIND_NTLMV2 && ctx->hs->sv.replay)
		NTLM_TRY(replay_check_and_add(ctx->hs->sv.replay, in->v2.proof, ctx_now(ctx),
		                              p->timestamp_window ? p->timestamp_window : 7200));
	ctx->mic_verified = v->mic;
	return NTLM_OK;
}

static ntlm_err handle_authenticate(ntlm_ctx *ctx, const uint8_t *msg, size_t len)
{
	struct auth_in in;
	struct verdict v;
	memset(&in, 0, sizeof(in));
	memset(&v, 0, sizeof(v));
	in.msg = msg;
	in.len = len;
	/* NegotiateFlags 0 (old clients): the flags of our CHALLENGE stand, its encoding too */
	ntlm_err rc = nw_authenticate_decode_view(msg, len, ctx->hs->sv.offered, &in.a);
	if (rc != NTLM_OK) {
		rc = nw_wrong_type_as_state(rc, msg, len);
		emit_audit(ctx, rc, NULL, ctx->hs->sv.offered, &v);
		return rc;
	}
	in.flags = final_flags(ctx, &in.a);
	rc = check_authenticate(ctx, &in, &v);
	v.weaknesses |= flag_weaknesses(in.flags, v.kind);
	if (rc == NTLM_OK) {
		const struct ctx_results r = {in.a.user,       in.a.domain, in.a.workstation,
		                              v.res.authority, v.res.user,  v.res.unix_user,
		                              v.target_name,   v.logon.sid, v.logon.group_sids};
		rc = ctx_set_results(ctx, &r);
	}
	emit_audit(ctx, rc, &in.a, in.flags, &v);
	/*
	 * The audit keeps the truth; the peer cannot tell an unknown user, a
	 * domain we do not serve, or a user outside the required group from a
	 * wrong password.
	 */
	if (rc == NTLM_E_NO_SUCH_USER || rc == NTLM_E_NO_SUCH_DOMAIN || rc == NTLM_E_NOT_MEMBER)
		rc = NTLM_E_LOGON_FAILURE;
	ntlm_free_string(v.target_name);
	ntlm_memzero(&v.res, sizeof(v.res));
	acct_logon_info_clear(&v.logon);
	nw_av_clear(&in.av);
	nw_authenticate_clear(&in.a);
	if (rc != NTLM_OK)
		return rc;
	ctx->flags = in.flags;
	ctx->kind = v.kind;
	ctx_finish(ctx);
	return NTLM_OK;
}

static ntlm_err server_dispatch(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	switch (ctx->state) {
	case CTX_INITIAL:
		if (ctx->datagram) {
			if (in)
				return NTLM_E_WRONG_STATE; /* connectionless: we speak first */
			uint32_t flags = 0;
			NTLM_TRY(grant_flags(
				ctx,
				NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
					NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
					NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION |
					NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56,
				&flags));
			return send_challenge(ctx, flags, out);
		}
		if (!in)
			return NTLM_E_INVALID_PARAMETER;
		return handle_negotiate(ctx, in, in_len, out);
	case CTX_CHALLENGE_SENT:
		if (!in)
			return NTLM_E_INVALID_PARAMETER;
		return handle_authenticate(ctx, in, in_len);
	default:
		return NTLM_E_WRONG_STATE;
	}
}

ntlm_err server_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	ntlm_err rc = server_dispatch(ctx, in, in_len, out);
	/* Every refusal is audited, also those before any AUTHENTICATE arrived. */
	if (rc != NTLM_OK && rc != NTLM_CONTINUE && !ctx->hs->sv.audited) {
		struct verdict v;
		memset(&v, 0, sizeof(v));
		emit_audit(ctx, rc, NULL, ctx->hs->sv.offered, &v);
	}
	return rc;
}
