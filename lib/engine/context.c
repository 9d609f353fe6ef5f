/* context.c - context life cycle, the step dispatcher and queries; see ntlmssp.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "mem.h"
#include "policy.h"
#include "text.h"
#include "try.h"

int64_t ctx_now(const ntlm_ctx *ctx)
{
	if (ctx->hs && ctx->hs->hooks.now)
		return ctx->hs->hooks.now(ctx->hs->hooks.arg);
	return (int64_t)time(NULL);
}

/*
 * Without a hook, random bytes come from the pool of the object the context
 * was made from (its credential or account store, see shared.h): a
 * getrandom(2) per draw cost more than the rest of a step's bookkeeping. A
 * hook is called for each value.
 */
ntlm_err ctx_random(ntlm_ctx *ctx, uint8_t *buf, size_t len)
{
	struct ctx_handshake *hs = ctx->hs;
	if (hs && hs->hooks.random)
		return hs->hooks.random(hs->hooks.arg, buf, len);
	return sh_random(hs ? hs->shared : NULL, buf, len);
}

ntlm_err ctx_set_string(char **slot, const char *s)
{
	char *copy = ntlm_strdup(s ? s : "");
	if (!copy)
		return NTLM_E_NO_MEMORY;
	ntlm_free_string(*slot);
	*slot = copy;
	return NTLM_OK;
}

ntlm_err ctx_host_netbios_name(char **out)
{
	char host[256];
	if (gethostname(host, sizeof(host) - 1) != 0)
		strcpy(host, "LOCALHOST");
	host[sizeof(host) - 1] = '\0';
	char *dot = strchr(host, '.');
	if (dot)
		*dot = '\0';
	if (strlen(host) > 15)
		host[15] = '\0'; /* NetBIOS names are at most 15 characters */
	return ntlm_utf8_upper(host, out);
}

ntlm_err ctx_host_dns_name(char **out)
{
	char host[256];
	*out = NULL;
	if (gethostname(host, sizeof(host) - 1) != 0)
		return NTLM_E_NOT_FOUND;
	host[sizeof(host) - 1] = '\0';
	/* a name without a dot, or ending in one, is no fully qualified name */
	const char *dot = strchr(host, '.');
	if (!dot || dot == host || dot[1] == '\0' || host[strlen(host) - 1] == '.')
		return NTLM_E_NOT_FOUND;
	return ctx_set_string(out, host);
}

ntlm_err ctx_copy_bytes(const uint8_t *p, size_t n, ntlm_buffer *out)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		return NTLM_E_NO_MEMORY;
	if (n)
		memcpy(copy, p, n);
	ntlm_buffer_free(out);
	out->data = copy;
	out->len = n;
	return NTLM_OK;
}

NTLM_API void ntlm_buffer_free(ntlm_buffer *b)
{
	if (!b)
		return;
	ntlm_free_secret(b->data, b->len);
	b->data = NULL;
	b->len = 0;
}

/* strlen of NULL is that of "" */
static size_t result_len(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Appends s (NULL: "") and its NUL at block + *off; returns where it went. */
static char *result_put(char *block, size_t *off, const char *s)
{
	size_t n = result_len(s);
	char *at = block + *off;
	memcpy(at, s ? s : "", n);
	at[n] = '\0';
	*off += n + 1;
	return at;
}

ntlm_err ctx_set_results(ntlm_ctx *ctx, const struct ctx_results *r)
{
	/* the principal "authority\\user" is one string: +1 for the backslash */
	size_t total = result_len(r->peer_user) + result_len(r->peer_domain) +
	               result_len(r->peer_workstation) + result_len(r->authority) + 1 +
	               result_len(r->user) + result_len(r->unix_user) + result_len(r->target_name) +
	               result_len(r->sid) + result_len(r->group_sids) + 8;
	char *block = malloc(total);
	if (!block)
		return NTLM_E_NO_MEMORY;
	size_t off = 0;
	ctx->peer_user = result_put(block, &off, r->peer_user);
	ctx->peer_domain = result_put(block, &off, r->peer_domain);
	ctx->peer_workstation = result_put(block, &off, r->peer_workstation);
	ctx->principal = result_put(block, &off, r->authority);
	block[off - 1] = '\\'; /* the authority's NUL becomes the separator */
	result_put(block, &off, r->user);
	ctx->unix_user = result_put(block, &off, r->unix_user);
	ctx->target_name = result_put(block, &off, r->target_name);
	ctx->sid = result_put(block, &off, r->sid);
	ctx->group_sids = result_put(block, &off, r->group_sids);
	if (ctx->names_block)
		ntlm_free_secret(ctx->names_block, ctx->names_len);
	ctx->names_block = block;
	ctx->names_len = total;
	return NTLM_OK;
}

ntlm_err ctx_handshake_new(ntlm_ctx *ctx, sh_state *shared, const ntlm_policy *policy,
                           const ntlm_hooks *hooks)
{
	ctx->hs = ntlm_calloc(1, sizeof(*ctx->hs));
	if (!ctx->hs)
		return NTLM_E_NO_MEMORY;
	ctx->hs->shared = shared;
	if (policy) {
		NTLM_TRY(policy_in(&ctx->hs->policy, policy));
	} else {
		/* No policy of the caller's: the administrator's (/etc/ntlmssp.conf,
		   $NTLMSSP_CONF) as the credential or store last read it (looked at
		   again at most every second); a file that does not load fails the
		   creation, never falls back to the defaults. */
		NTLM_TRY(policy_system(shared, &ctx->hs->policy));
	}
	if (hooks)
		NTLM_TRY(hooks_in(&ctx->hs->hooks, hooks));
	return NTLM_OK;
}

static void release_handshake(ntlm_ctx *ctx)
{
	struct ctx_handshake *hs = ctx->hs;
	if (!hs)
		return;
	ntlm_buffer_free(&hs->negotiate_msg);
	ntlm_buffer_free(&hs->challenge_msg);
	if (ctx->is_server)
		server_state_wipe(&hs->sv);
	else
		client_state_wipe(&hs->cl);
	ntlm_free_secret(hs, sizeof(*hs));
	ctx->hs = NULL;
}

void ctx_finish(ntlm_ctx *ctx)
{
	release_handshake(ctx);
	ctx->state = CTX_DONE;
}

NTLM_API void ntlm_ctx_free(ntlm_ctx *ctx)
{
	if (!ctx)
		return;
	release_handshake(ctx);
	ntlm_free_secret(ctx->names_block, ctx->names_len);
	ctx_session_free(ctx);
	ntlm_free_secret(ctx, sizeof(*ctx));
}

void ctx_set_key(ntlm_ctx *ctx, const uint8_t key[NTLM_SESSION_KEY_SIZE])
{
	if (key)
		memcpy(ctx->exported_key, key, sizeof(ctx->exported_key));
	else
		ntlm_memzero(ctx->exported_key, sizeof(ctx->exported_key));
	ctx->have_key = key != NULL;
}

ntlm_err ctx_refuse(ntlm_ctx *ctx, const char *rule, ntlm_err why)
{
	ctx->rule = rule;
	return why;
}

void ctx_fail(ntlm_ctx *ctx, ntlm_err why)
{
	ctx_session_free(ctx);
	ctx_set_key(ctx, NULL);
	ctx->state = CTX_FAILED;
	ctx->failure = why;
	if (!ctx->rule)
		ctx->rule = policy_rule_for_error(why);
}

NTLM_API ntlm_err ntlm_step(ntlm_ctx *ctx, const uint8_t *in, size_t in_len, ntlm_buffer *out)
{
	if (!ctx || !out || (!in && in_len))
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	if (ctx->state == CTX_FAILED)
		return NTLM_E_FAILED_CONTEXT;
	if (ctx->state == CTX_DONE)
		return NTLM_E_WRONG_STATE; /* e.g. a replayed AUTHENTICATE */
	ntlm_err rc = ctx->is_server ? server_step(ctx, in, in_len, out)
	                             : client_step(ctx, in, in_len, out);
	if (rc != NTLM_OK && rc != NTLM_CONTINUE) {
		ntlm_buffer_free(out); /* never leave a half-built context usable */
		ctx_fail(ctx, rc);
	}
	return rc;
}

NTLM_API int ntlm_ctx_established(const ntlm_ctx *ctx)
{
	return ctx && ctx->state == CTX_DONE;
}

NTLM_API uint32_t ntlm_ctx_flags(const ntlm_ctx *ctx)
{
	return ctx ? ctx->flags : 0;
}

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

NTLM_API const char *ntlm_ctx_peer_user(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->peer_user) : "";
}

NTLM_API const char *ntlm_ctx_peer_domain(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->peer_domain) : "";
}

NTLM_API const char *ntlm_ctx_peer_workstation(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->peer_workstation) : "";
}

NTLM_API const char *ntlm_ctx_principal(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->principal) : "";
}

NTLM_API const char *ntlm_ctx_unix_user(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->unix_user) : "";
}

NTLM_API const char *ntlm_ctx_sid(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->sid) : "";
}

NTLM_API const char *ntlm_ctx_group_sids(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->group_sids) : "";
}

NTLM_API const char *ntlm_ctx_target_name(const ntlm_ctx *ctx)
{
	return ctx ? str_or_empty(ctx->target_name) : "";
}

NTLM_API ntlm_response_kind ntlm_ctx_response_kind(const ntlm_ctx *ctx)
{
	return ctx ? ctx->kind : NTLM_KIND_NONE;
}

NTLM_API ntlm_err ntlm_ctx_session_key(const ntlm_ctx *ctx, uint8_t out[NTLM_SESSION_KEY_SIZE])
{
	if (!ctx || !out)
		return NTLM_E_INVALID_PARAMETER;
	if (ctx->state != CTX_DONE)
		return NTLM_E_WRONG_STATE;
	if (!ctx->have_key)
		return NTLM_E_NO_SESSION_KEY;
	memcpy(out, ctx->exported_key, NTLM_SESSION_KEY_SIZE);
	return NTLM_OK;
}

NTLM_API const char *ntlm_ctx_refusal_rule(const ntlm_ctx *ctx)
{
	return ctx && ctx->state == CTX_FAILED && ctx->rule ? ctx->rule : "";
}

NTLM_API int ntlm_ctx_mic_verified(const ntlm_ctx *ctx)
{
	return ctx ? ctx->mic_verified : 0;
}

NTLM_API int ntlm_ctx_is_anonymous(const ntlm_ctx *ctx)
{
	return ctx ? ctx->anonymous : 0;
}

NTLM_API const char *ntlm_response_kind_name(ntlm_response_kind k)
{
	switch (k) {
	case NTLM_KIND_ANONYMOUS:
		return "anonymous";
	case NTLM_KIND_LM:
		return "LM";
	case NTLM_KIND_NTLMV1:
		return "NTLMv1";
	case NTLM_KIND_NTLMV1_ESS:
		return "NTLMv1-ESS";
	case NTLM_KIND_NTLMV2:
		return "NTLMv2";
	case NTLM_KIND_LMV2:
		return "LMv2";
	case NTLM_KIND_MSCHAP:
		return "MS-CHAP";
	case NTLM_KIND_NONE:
	default:
		return "none";
	}
}

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{NTLMSSP_NEGOTIATE_UNICODE, "NTLMSSP_NEGOTIATE_UNICODE"},
	{NTLMSSP_NEGOTIATE_OEM, "NTLMSSP_NEGOTIATE_OEM"},
	{NTLMSSP_REQUEST_TARGET, "NTLMSSP_REQUEST_TARGET"},
	{0x00000008u, "NTLMSSP_RESERVED_R10"},
	{NTLMSSP_NEGOTIATE_SIGN, "NTLMSSP_NEGOTIATE_SIGN"},
	{NTLMSSP_NEGOTIATE_SEAL, "NTLMSSP_NEGOTIATE_SEAL"},
	{NTLMSSP_NEGOTIATE_DATAGRAM, "NTLMSSP_NEGOTIATE_DATAGRAM"},
	{NTLMSSP_NEGOTIATE_LM_KEY, "NTLMSSP_NEGOTIATE_LM_KEY"},
	{0x00000100u, "NTLMSSP_RESERVED_R9"},
	{NTLMSSP_NEGOTIATE_NTLM, "NTLMSSP_NEGOTIATE_NTLM"},
	{0x00000400u, "NTLMSSP_RESERVED_R8"},
	{NTLMSSP_ANONYMOUS, "NTLMSSP_ANONYMOUS"},
	{NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED, "NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED"},
	{NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED, "NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED"},
	{0x00004000u, "NTLMSSP_RESERVED_R7"},
	{NTLMSSP_NEGOTIATE_ALWAYS_SIGN, "NTLMSSP_NEGOTIATE_ALWAYS_SIGN"},
	{NTLMSSP_TARGET_TYPE_DOMAIN, "NTLMSSP_TARGET_TYPE_DOMAIN"},
	{NTLMSSP_TARGET_TYPE_SERVER, "NTLMSSP_TARGET_TYPE_SERVER"},
	{0x00040000u, "NTLMSSP_RESERVED_R6"},
	{NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY"},
	{NTLMSSP_NEGOTIATE_IDENTIFY, "NTLMSSP_NEGOTIATE_IDENTIFY"},
	{0x00200000u, "NTLMSSP_RESERVED_R5"},
	{NTLMSSP_REQUEST_NON_NT_SESSION_KEY, "NTLMSSP_REQUEST_NON_NT_SESSION_KEY"},
	{NTLMSSP_NEGOTIATE_TARGET_INFO, "NTLMSSP_NEGOTIATE_TARGET_INFO"},
	{0x01000000u, "NTLMSSP_RESERVED_R4"},
	{NTLMSSP_NEGOTIATE_VERSION, "NTLMSSP_NEGOTIATE_VERSION"},
	{0x04000000u, "NTLMSSP_RESERVED_R3"},
	{0x08000000u, "NTLMSSP_RESERVED_R2"},
	{0x10000000u, "NTLMSSP_RESERVED_R1"},
	{NTLMSSP_NEGOTIATE_128, "NTLMSSP_NEGOTIATE_128"},
	{NTLMSSP_NEGOTIATE_KEY_EXCH, "NTLMSSP_NEGOTIATE_KEY_EXCH"},
	{NTLMSSP_NEGOTIATE_56, "NTLMSSP_NEGOTIATE_56"},
};

NTLM_API const char *ntlm_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(flag_names); i++)
		if (flag_names[i].bit == bit)
			return flag_names[i].name;
	return NULL;
}
