/*
 * ctx_export.c - an established context moved between processes
 * (ntlm_ctx_export / ntlm_ctx_import, for gss_export_sec_context) and the
 * RC4 restart SPNEGO asks for after a mechListMIC (ntlm_ctx_reset_rc4).
 *
 * The token (version 2, little-endian):
 *   "NTLMCTX" 0x02, u8 is_server, datagram, anonymous, mic_verified,
 *   have_key, kind, has_session; u32 flags; key[16];
 *   six strings (u16 length, bytes: peer user, peer domain, peer
 *   workstation, principal, unix user, target name);
 *   two SID strings (u32 length, at most SIDS_MAX bytes: the account's SID
 *   and its group SIDs, space-separated; "" when not known);
 *   when has_session: per direction (out, in) u32 seq, RC4 state[258].
 * Version 1 (0x01) is version 2 without the SID strings: import still reads
 * it (a process of the previous build hands over a context with no SIDs);
 * any other version is refused.
 * The signing and sealing keys are derived again from the session key on
 * import; only the RC4 streams and counters carry state.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "context.h"
#include "mem.h"
#include "try.h"

static const uint8_t MAGIC[7] = {'N', 'T', 'L', 'M', 'C', 'T', 'X'};
#define VERSION_NO_SIDS 1
#define VERSION         2

#define NAME_COUNT 6
/* A SID string's bound: a domain user's groups are a few hundred at most, ~50 bytes each. */
#define SIDS_MAX (1u << 20)

static const char *name_of(const ntlm_ctx *ctx, size_t i)
{
	const char *v[NAME_COUNT] = {ctx->peer_user, ctx->peer_domain, ctx->peer_workstation,
	                             ctx->principal, ctx->unix_user,   ctx->target_name};
	return v[i] ? v[i] : "";
}

static void write_dir(nb_writer *w, const ss_dir *d)
{
	uint8_t st[CR_RC4_STATE_SIZE];
	nb_write_u32le(w, d->seq);
	cr_rc4_save(&d->rc4, st);
	nb_write_bytes(w, st, sizeof(st));
	ntlm_memzero(st, sizeof(st));
}

/* The SIDs (version 2): a u32 length each. */
static ntlm_err write_sids(nb_writer *w, const ntlm_ctx *ctx)
{
	const char *v[2] = {ctx->sid ? ctx->sid : "", ctx->group_sids ? ctx->group_sids : ""};
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(v[i]);
		if (n > SIDS_MAX)
			return NTLM_E_INTERNAL;
		nb_write_u32le(w, (uint32_t)n);
		nb_write_bytes(w, v[i], n);
	}
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_ctx_export(const ntlm_ctx *ctx, ntlm_buffer *out)
{
	if (!ctx || !out)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	if (ctx->state == CTX_FAILED)
		return NTLM_E_FAILED_CONTEXT;
	if (ctx->state != CTX_DONE)
		return NTLM_E_WRONG_STATE;
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, MAGIC, sizeof(MAGIC));
	nb_write_u8(&w, VERSION);
	nb_write_u8(&w, (uint8_t)ctx->is_server);
	nb_write_u8(&w, (uint8_t)ctx->datagram);
	nb_write_u8(&w, (uint8_t)ctx->anonymous);
	nb_write_u8(&w, (uint8_t)ctx->mic_verified);
	nb_write_u8(&w, (uint8_t)ctx->have_key);
	nb_write_u8(&w, (uint8_t)ctx->kind);
	nb_write_u8(&w, ctx->ss != NULL);
	nb_write_u32le(&w, ctx->flags);
	nb_write_bytes(&w, ctx->exported_key, sizeof(ctx->exported_key));
	for (size_t i = 0; i < NAME_COUNT; i++) {
		size_t n = strlen(name_of(ctx, i));
		if (n > UINT16_MAX) {
			nb_writer_free(&w);
			return NTLM_E_INTERNAL;
		}
		nb_write_u16le(&w, (uint16_t)n);
		nb_write_bytes(&w, name_of(ctx, i), n);
	}
	if (write_sids(&w, ctx) != NTLM_OK) {
		nb_writer_free(&w);
		return NTLM_E_INTERNAL;
	}
	if (ctx->ss) {
		write_dir(&w, &ctx->ss->out);
		write_dir(&w, &ctx->ss->in);
	}
	return nb_writer_finish(&w, out);
}

static ntlm_err read_flag(nb_reader *r, int *v)
{
	uint8_t b;
	NTLM_TRY(nb_read_u8(r, &b));
	if (b > 1)
		return NTLM_E_BAD_MESSAGE_TYPE;
	*v = b;
	return NTLM_OK;
}

/* n bytes of r as a new string in *slot; a NUL inside is refused. */
static ntlm_err read_string(nb_reader *r, size_t n, char **slot)
{
	const uint8_t *p;
	NTLM_TRY(nb_read_view(r, n, &p));
	if (memchr(p, '\0', n))
		return NTLM_E_BAD_STRING;
	char *s = malloc(n + 1);
	if (!s)
		return NTLM_E_NO_MEMORY;
	memcpy(s, p, n);
	s[n] = '\0';
	ntlm_free_string(*slot);
	*slot = s;
	return NTLM_OK;
}

static ntlm_err read_name(nb_reader *r, char **slot)
{
	uint16_t n;
	NTLM_TRY(nb_read_u16le(r, &n));
	return read_string(r, n, slot);
}

/*
 * A SID string as a domain logon leaves it: "" or SIDs ("S-" then digits
 * and dashes) separated by single spaces. The context hands it to callers
 * that may split it or put it into an access check: nothing else passes.
 */
static int sid_list_valid(const char *s, int one)
{
	if (!*s)
		return 1;
	for (;;) {
		if (s[0] != 'S' || s[1] != '-' || !s[2])
			return 0;
		for (s += 2; *s && *s != ' '; s++)
			if (!((*s >= '0' && *s <= '9') || *s == '-'))
				return 0;
		if (!*s)
			return 1;
		if (one || !*++s)
			return 0; /* a second SID where one belongs, or a trailing space */
	}
}

/* The SIDs of a version 2 token: bounded lengths, SID syntax. */
static ntlm_err read_sids(nb_reader *r, char *v[2])
{
	for (size_t i = 0; i < 2; i++) {
		uint32_t n;
		NTLM_TRY(nb_read_u32le(r, &n));
		if (n > SIDS_MAX)
			return NTLM_E_BAD_MESSAGE_TYPE;
		NTLM_TRY(read_string(r, n, &v[i]));
		if (!sid_list_valid(v[i], i == 0))
			return NTLM_E_BAD_STRING;
	}
	return NTLM_OK;
}

static ntlm_err read_dir(nb_reader *r, ss_dir *d)
{
	const uint8_t *st;
	NTLM_TRY(nb_read_u32le(r, &d->seq));
	NTLM_TRY(nb_read_view(r, CR_RC4_STATE_SIZE, &st));
	return cr_rc4_load(&d->rc4, st) == 0 ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE;
}

/* The session-security part: keys derived again, then the streams and counters restored. */
static ntlm_err read_session(nb_reader *r, ntlm_ctx *ctx)
{
	ss_state *ss;
	if (!ctx->have_key)
		return NTLM_E_BAD_MESSAGE_TYPE;
	NTLM_TRY(ctx_session(ctx, &ss));
	NTLM_TRY(read_dir(r, &ss->out));
	return read_dir(r, &ss->in);
}

/*
 * The six names (and, from version 2, the SIDs), packed into the context
 * as a handshake leaves them. The principal travels as "authority\\user"
 * and is split at its first backslash (ctx_set_results joins the two again).
 */
static ntlm_err read_names(nb_reader *r, ntlm_ctx *ctx, int with_sids)
{
	char *v[NAME_COUNT] = {0}, *sids[2] = {NULL, NULL};
	ntlm_err rc = NTLM_OK;
	for (size_t i = 0; i < NAME_COUNT && rc == NTLM_OK; i++)
		rc = read_name(r, &v[i]);
	if (rc == NTLM_OK && with_sids)
		rc = read_sids(r, sids);
	char *sep = rc == NTLM_OK ? strchr(v[3], '\\') : NULL;
	if (rc == NTLM_OK && !sep)
		rc = NTLM_E_BAD_STRING;
	if (rc == NTLM_OK) {
		*sep = '\0';
		struct ctx_results res = {v[0], v[1], v[2], v[3], sep + 1, v[4], v[5], sids[0], sids[1]};
		rc = ctx_set_results(ctx, &res);
	}
	for (size_t i = 0; i < NAME_COUNT; i++)
		ntlm_free_string(v[i]);
	ntlm_free_string(sids[0]);
	ntlm_free_string(sids[1]);
	return rc;
}

static ntlm_err read_token(nb_reader *r, ntlm_ctx *ctx)
{
	uint8_t kind, version;
	int has_session;
	NTLM_TRY(nb_expect(r, MAGIC, sizeof(MAGIC), NTLM_E_BAD_MESSAGE_TYPE));
	NTLM_TRY(nb_read_u8(r, &version));
	if (version != VERSION && version != VERSION_NO_SIDS)
		return NTLM_E_BAD_MESSAGE_TYPE;
	NTLM_TRY(read_flag(r, &ctx->is_server));
	NTLM_TRY(read_flag(r, &ctx->datagram));
	NTLM_TRY(read_flag(r, &ctx->anonymous));
	NTLM_TRY(read_flag(r, &ctx->mic_verified));
	NTLM_TRY(read_flag(r, &ctx->have_key));
	NTLM_TRY(nb_read_u8(r, &kind));
	if (kind > NTLM_KIND_LMV2)
		return NTLM_E_BAD_MESSAGE_TYPE;
	ctx->kind = (ntlm_response_kind)kind;
	NTLM_TRY(read_flag(r, &has_session));
	NTLM_TRY(nb_read_u32le(r, &ctx->flags));
	NTLM_TRY(nb_read_bytes(r, ctx->exported_key, sizeof(ctx->exported_key)));
	NTLM_TRY(read_names(r, ctx, version >= VERSION));
	ctx_finish(ctx);
	if (has_session)
		NTLM_TRY(read_session(r, ctx));
	return nb_remaining(r) == 0 ? NTLM_OK : NTLM_E_BAD_MESSAGE_TYPE;
}

NTLM_API ntlm_err ntlm_ctx_import(ntlm_ctx **out, const uint8_t *token, size_t len)
{
	if (!out || (!token && len))
		return NTLM_E_INVALID_PARAMETER;
	*out = NULL;
	ntlm_ctx *ctx = ntlm_calloc(1, sizeof(*ctx));
	if (!ctx)
		return NTLM_E_NO_MEMORY;
	nb_reader r;
	nb_reader_init(&r, token, len);
	ntlm_err rc = read_token(&r, ctx);
	if (rc != NTLM_OK) {
		ntlm_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return NTLM_OK;
}

NTLM_API ntlm_err ntlm_ctx_reset_rc4(ntlm_ctx *ctx, int receive)
{
	if (!ctx)
		return NTLM_E_INVALID_PARAMETER;
	ss_state *ss;
	NTLM_TRY(ctx_session(ctx, &ss));
	/* without ESS one stream (out) serves both directions */
	int ess = (ss->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) != 0;
	ss_dir *d = receive && ess ? &ss->in : &ss->out;
	cr_rc4_init(&d->rc4, d->seal_key, d->seal_key_len);
	return NTLM_OK;
}
