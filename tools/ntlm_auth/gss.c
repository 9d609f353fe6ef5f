/*
 * gss.c - ntlm_auth's gss-spnego (Squid's "auth_param negotiate") and
 * gss-spnego-client: NTLM inside SPNEGO (spnego.c), or raw NTLMSSP as
 * browsers without Kerberos send it ("Negotiate TlRM...").
 *
 * Server, one handshake per channel ("[ID] " first, as Squid's concurrency
 * sends it, echoed):
 *   YR [<b64>]   TT <b64> *              continue (YR alone: our NegTokenInit offer)
 *   KK <b64>     AF <b64>|* DOMAIN\user   success (* : no token to send, raw NTLMSSP)
 *                NA * NT_STATUS_...       authentication failed
 *   GK / GF      as squid-2.5-ntlmssp;  anything else: BH <reason>
 * Client:
 *   YR           YR <b64 NegTokenInit>, or PW when no password is known yet
 *   TT <b64>     KK <b64 NegTokenResp>, AF once the server's last token is accepted,
 *                PW, or BH <reason>
 *   PW, GK, GF   as ntlmssp-client-1
 *
 * The mechListMIC ([MS-SPNG] 3.3.5.1, RFC 4178 5): the NTLM context's
 * signature (GSS_GetMIC: sequence number 0 each way) over the MechTypeList
 * as the initiator encoded it. The server verifies the client's when sent,
 * and requires it when the client's NTLM AUTHENTICATE carried a MIC or NTLM
 * was not its first choice (else a downgrade of the mechanism list would go
 * unseen); it then answers with its own. Our client always sends one, and
 * checks the server's when it comes.
 */
#include <stdlib.h>
#include <string.h>

#include "ntlm_auth.h"
#include "ntlm_b64.h"
#include "ntlm_io.h"
#include "ntlm_ntstatus.h"
#include "ntlm_peek.h"
#include "ntlm_squid.h"
#include "spnego.h"
#include "mem.h"
#include "sys.h"

#define GSS_MAX_CHANNELS SQUID_MAX_CHANNELS

/* One handshake of the server. */
typedef struct gss_state {
	ntlm_ctx *ctx;
	int raw;             /* raw NTLMSSP: tokens go unwrapped */
	int ntlm_first;      /* NTLM was the initiator's first choice */
	uint8_t *mech_types; /* the initiator's MechTypeList as encoded */
	size_t mech_types_len;
	int done;
} gss_state;

typedef struct gss_chan {
	uint64_t id;
	gss_state st;
	uint64_t used;
} gss_chan;

typedef struct gss_server {
	setup_server *srv;
	gss_chan *ch;
	size_t n;
	uint64_t clock;
} gss_server;

static void state_reset(gss_state *st)
{
	ntlm_ctx_free(st->ctx);
	free(st->mech_types);
	memset(st, 0, sizeof(*st));
}

/* ------------------------------------------------------------ answers */

/* "[ID] VERB[ <b64>][ <rest>]" */
static void reply(const char *id, const char *verb, const ntlm_buffer *tok, const char *rest)
{
	if (id)
		printf("%s ", id);
	fputs(verb, stdout);
	if (tok && tok->len) {
		fputc(' ', stdout);
		b64_fput(stdout, tok->data, tok->len);
	} else if (tok) {
		fputs(" *", stdout);
	}
	if (rest)
		printf(" %s", rest);
	fputc('\n', stdout);
	fflush(stdout);
}

static void reply_na(const char *id, const char *status)
{
	ntlm_buffer none = {NULL, 0};
	reply(id, "NA", &none, status);
}

/* ------------------------------------------------------------ server */

/* The server's token out: raw, or inside a NegTokenResp. */
static ntlm_err wrap_out(const gss_state *st, int neg_state, int with_mech, const ntlm_buffer *tok,
                         const uint8_t *mic, ntlm_buffer *out)
{
	if (st->raw) {
		out->data = NULL;
		out->len = 0;
		if (!tok->len)
			return NTLM_OK;
		if (!(out->data = malloc(tok->len)))
			return NTLM_E_NO_MEMORY;
		memcpy(out->data, tok->data, tok->len);
		out->len = tok->len;
		return NTLM_OK;
	}
	return spnego_encode_resp(neg_state, with_mech, tok->len ? tok->data : NULL, tok->len, mic,
	                          mic ? NTLM_SIGNATURE_SIZE : 0, out);
}

/* One NTLM step on the channel's context; TT or NA (a CHALLENGE is never the last step). */
static void step_challenge(gss_server *g, gss_state *st, const char *id, const uint8_t *tok,
                           size_t len, int with_mech)
{
	ntlm_buffer out = {NULL, 0}, wrapped = {NULL, 0};
	ntlm_err rc = ntlm_step(st->ctx, tok, len, &out);
	if (rc == NTLM_CONTINUE)
		rc = wrap_out(st, SPNEGO_ACCEPT_INCOMPLETE, with_mech, &out, NULL, &wrapped);
	else if (rc == NTLM_OK)
		rc = NTLM_E_WRONG_STATE; /* an AUTHENTICATE where a NEGOTIATE belongs */
	if (rc == NTLM_OK) {
		reply(id, "TT", &wrapped, "*");
	} else {
		reply_na(id, ntstatus_name_of(rc));
		state_reset(st);
	}
	ntlm_buffer_free(&out);
	ntlm_buffer_free(&wrapped);
}

/*
 * The client's mechListMIC: verified when sent; required when its NTLM
 * AUTHENTICATE had a MIC or NTLM was not its first choice. 0, or -1.
 */
static int check_client_mic(gss_state *st, const spnego_token *t)
{
	int need = ntlm_ctx_mic_verified(st->ctx) || !st->ntlm_first;
	if (!t->mic.data)
		return need ? -1 : 0;
	if (t->mic.len != NTLM_SIGNATURE_SIZE)
		return -1;
	return ntlm_unprotect(st->ctx, NTLM_PROTECT_SIGN, 0, st->mech_types, st->mech_types_len,
	                      t->mic.data) == NTLM_OK
	           ? 0
	           : -1;
}

/* The AUTHENTICATE verified: our final token (with our mechListMIC when the client sent one). */
static void accept_final(gss_state *st, const char *id, const spnego_token *t)
{
	uint8_t mic[NTLM_SIGNATURE_SIZE];
	ntlm_buffer none = {NULL, 0}, out = {NULL, 0};
	ntlm_err rc = NTLM_OK;
	if (!st->raw && check_client_mic(st, t) != 0) {
		reply_na(id, "NT_STATUS_ACCESS_DENIED"); /* mechListMIC missing or wrong */
		state_reset(st);
		return;
	}
	if (!st->raw && t->mic.data)
		rc = ntlm_protect(st->ctx, NTLM_PROTECT_SIGN, 0, st->mech_types, st->mech_types_len, mic);
	if (rc == NTLM_OK)
		rc = wrap_out(st, SPNEGO_ACCEPT_COMPLETED, 0, &none, !st->raw && t->mic.data ? mic : NULL,
		              &out);
	if (rc == NTLM_OK) {
		st->done = 1;
		reply(id, "AF", &out, ntlm_ctx_principal(st->ctx));
	} else {
		reply_na(id, ntstatus_name_of(rc));
		state_reset(st);
	}
	ntlm_buffer_free(&out);
}

/* KK: the next NTLM token (a NEGOTIATE when NTLM was not the optimistic mechanism). */
static void server_continue(gss_server *g, gss_state *st, const char *id, const uint8_t *tok,
                            size_t len)
{
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	memset(&t, 0, sizeof(t));
	const uint8_t *inner = tok;
	size_t inner_len = len;
	if (!st->ctx || st->done) {
		reply_na(id, ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
		return;
	}
	if (!st->raw) {
		if (spnego_decode(tok, len, &t) != NTLM_OK || t.kind != SPNEGO_RESP || !t.mech_token.data ||
		    t.neg_state == SPNEGO_REJECT) {
			reply_na(id, ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
			state_reset(st);
			return;
		}
		inner = t.mech_token.data;
		inner_len = t.mech_token.len;
	}
	if (ntlm_peek_type(inner, inner_len) == NTLM_PEEK_NEGOTIATE) {
		step_challenge(g, st, id, inner, inner_len, 0);
		return;
	}
	ntlm_err rc = ntlm_step(st->ctx, inner, inner_len, &out);
	ntlm_buffer_free(&out); /* a server's last step sends nothing */
	if (rc == NTLM_OK) {
		accept_final(st, id, &t);
	} else {
		reply_na(id, ntstatus_name_of(rc == NTLM_CONTINUE ? NTLM_E_WRONG_STATE : rc));
		state_reset(st);
	}
}

/* YR with a token: a new handshake, SPNEGO or raw NTLMSSP. */
static void server_start(gss_server *g, gss_state *st, const char *id, const uint8_t *tok,
                         size_t len)
{
	spnego_token t;
	ntlm_err rc;
	state_reset(st);
	if ((rc = ntlm_server_new(&st->ctx, &g->srv->cfg)) != NTLM_OK) {
		reply_na(id, ntstatus_name_of(rc));
		return;
	}
	if (ntlm_peek_type(tok, len) != 0) {
		st->raw = 1;
		step_challenge(g, st, id, tok, len, 0);
		return;
	}
	if (spnego_decode(tok, len, &t) != NTLM_OK || t.kind != SPNEGO_INIT || !t.ntlm_offered ||
	    !(st->mech_types = malloc(t.mech_types.len))) {
		reply_na(id, ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
		state_reset(st);
		return;
	}
	memcpy(st->mech_types, t.mech_types.data, t.mech_types.len);
	st->mech_types_len = t.mech_types.len;
	st->ntlm_first = t.ntlm_first;
	if (t.ntlm_first && t.mech_token.data) {
		step_challenge(g, st, id, t.mech_token.data, t.mech_token.len, 1);
		return;
	}
	/* NTLM chosen, but the optimistic token (if any) was another mechanism's: ask for ours */
	ntlm_buffer none = {NULL, 0}, out = {NULL, 0};
	if ((rc = wrap_out(st, SPNEGO_ACCEPT_INCOMPLETE, 1, &none, NULL, &out)) == NTLM_OK)
		reply(id, "TT", &out, "*");
	else
		reply_na(id, ntstatus_name_of(rc));
	ntlm_buffer_free(&out);
}

/* YR alone: offer NTLM (the client then sends its NegTokenInit). */
static void server_offer(gss_state *st, const char *id)
{
	ntlm_buffer out = {NULL, 0};
	state_reset(st);
	ntlm_err rc = spnego_encode_init(NULL, 0, &out);
	if (rc == NTLM_OK)
		reply(id, "TT", &out, "*");
	else
		reply_na(id, ntstatus_name_of(rc));
	ntlm_buffer_free(&out);
}

static gss_chan *find_chan(gss_server *g, uint64_t id)
{
	gss_chan *c = NULL;
	for (size_t i = 0; i < g->n && !c; i++)
		if (g->ch[i].id == id)
			c = &g->ch[i];
	if (!c && g->n == GSS_MAX_CHANNELS) {
		c = &g->ch[0]; /* full: the channel that waited longest makes room */
		for (size_t i = 1; i < g->n; i++)
			if (g->ch[i].used < c->used)
				c = &g->ch[i];
		state_reset(&c->st);
	} else if (!c) {
		gss_chan *grown = realloc(g->ch, (g->n + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		g->ch = grown;
		c = &g->ch[g->n++];
		memset(c, 0, sizeof(*c));
	}
	c->id = id;
	c->used = ++g->clock;
	return c;
}

static void server_query(gss_state *st, const char *id, int key)
{
	uint8_t k[NTLM_SESSION_KEY_SIZE];
	ntlm_buffer kb = {k, sizeof(k)};
	char flags[16];
	if (!key) {
		snprintf(flags, sizeof(flags), "0x%08x", st->ctx ? (unsigned)ntlm_ctx_flags(st->ctx) : 0u);
		reply(id, "GF", NULL, flags);
	} else if (st->done && ntlm_ctx_session_key(st->ctx, k) == NTLM_OK) {
		reply(id, "GK", &kb, NULL);
	} else {
		reply(id, "BH", NULL, "No session key");
	}
	ntlm_memzero(k, sizeof(k));
}

static void server_request(gss_server *g, gss_chan *c, const char *id, char **w, size_t n)
{
	uint8_t *tok = NULL;
	size_t len = 0, where = 0;
	int yr = !strcmp(w[0], "YR"), kk = !strcmp(w[0], "KK");
	if ((yr || kk) && n == 2 && b64_decode(w[1], strlen(w[1]), 0, &tok, &len, &where) != NULL)
		reply_na(id, ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
	else if (yr && n == 1)
		server_offer(&c->st, id);
	else if (yr && n == 2)
		server_start(g, &c->st, id, tok, len);
	else if (kk && n == 2)
		server_continue(g, &c->st, id, tok, len);
	else if (n == 1 && (!strcmp(w[0], "GK") || !strcmp(w[0], "GF")))
		server_query(&c->st, id, w[0][1] == 'K');
	else
		reply(id, "BH", NULL, "SPNEGO request invalid prefix");
	ntlm_free_secret(tok, len);
}

static void server_line(void *arg, char *line, size_t len)
{
	gss_server *g = arg;
	channel_id cid;
	char *w[4];
	squid_read_channel_id(line, len, &cid);
	const char *id = cid.present && !cid.overflow ? cid.text : NULL;
	if (cid.overflow || strlen(line) != len) {
		reply(id, "BH", NULL, cid.overflow ? "channel ID out of range" : "NUL byte in the line");
		return;
	}
	size_t n = io_split_words(line, w, 3);
	if (id) {
		memmove(w, w + 1, ((n > 3 ? 3 : n) - 1) * sizeof(w[0]));
		n--;
	}
	gss_chan *c = n >= 1 && n <= 2 ? find_chan(g, cid.value) : NULL;
	if (n > 2 && (!strcmp(w[0], "YR") || !strcmp(w[0], "KK")))
		reply_na(id, ntstatus_name_of(NTLM_E_INVALID_PARAMETER)); /* a token that does not decode */
	else if (c)
		server_request(g, c, id, w, n);
	else
		reply(id, "BH", NULL, n == 0 || n > 2 ? "SPNEGO request invalid prefix" : "out of memory");
}

static void server_overlong(void *arg, const char *start, size_t len)
{
	channel_id cid;
	squid_read_channel_id(start, len, &cid);
	reply(cid.present && !cid.overflow ? cid.text : NULL, "BH", NULL, "line too long");
}

int na_gss_spnego(const na_opts *o)
{
	setup_opts so;
	setup_server srv;
	gss_server g;
	memset(&g, 0, sizeof(g));
	g.srv = &srv;
	int st = na_server_open(o, &so, &srv);
	if (st == NA_EXIT_OK)
		st = na_line_loop(server_line, server_overlong, &g);
	for (size_t i = 0; i < g.n; i++)
		state_reset(&g.ch[i].st);
	free(g.ch);
	setup_server_free(&srv);
	setup_opts_free(&so);
	return st;
}

/* ------------------------------------------------------------ client */

typedef struct gss_client {
	na_client cl;
	int finished; /* the server's last token accepted */
} gss_client;

/* YR: our NegTokenInit with the NEGOTIATE, or PW when no password is known (as Samba asks). */
static void client_start(gss_client *gc)
{
	ntlm_buffer neg = {NULL, 0}, out = {NULL, 0};
	ntlm_err rc;
	gc->finished = 0;
	if (!gc->cl.o->username ||
	    (!gc->cl.o->password && !gc->cl.password && !ntlm_secure_getenv("NTLM_USER_FILE"))) {
		reply(NULL, "PW", NULL, NULL);
		return;
	}
	rc = na_client_start(&gc->cl, &neg);
	if (rc == NTLM_OK)
		rc = spnego_encode_init(neg.data, neg.len, &out);
	if (rc == NTLM_OK)
		reply(NULL, "YR", &out, NULL);
	else
		reply(NULL, "BH", NULL, ntlm_strerror(rc));
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&out);
}

/*
 * The client's mechListMIC over our fixed MechTypeList: verifies check when
 * given, else signs into out. The session-security calls take writable data
 * (sealing works in place), so the constant list is signed from a copy.
 */
static ntlm_err client_mech_list_mic(ntlm_ctx *ctx, const uint8_t *check, uint8_t *out)
{
	size_t len;
	const uint8_t *types = spnego_ntlm_mech_types(&len);
	uint8_t copy[64];
	if (len > sizeof(copy))
		return NTLM_E_INTERNAL;
	memcpy(copy, types, len);
	return check ? ntlm_unprotect(ctx, NTLM_PROTECT_SIGN, 0, copy, len, check)
	             : ntlm_protect(ctx, NTLM_PROTECT_SIGN, 0, copy, len, out);
}

/* The server's NegTokenResp with the CHALLENGE: our AUTHENTICATE and mechListMIC. */
static ntlm_err client_answer(gss_client *gc, const spnego_token *t, ntlm_buffer *out)
{
	ntlm_buffer auth = {NULL, 0};
	uint8_t mic[NTLM_SIGNATURE_SIZE];
	if (t->neg_state != SPNEGO_ACCEPT_INCOMPLETE && t->neg_state != SPNEGO_NO_STATE)
		return NTLM_E_LOGON_FAILURE;
	if (t->supported_mech == 2 || !t->mech_token.data)
		return NTLM_E_UNSUPPORTED; /* another mechanism chosen: we have none */
	ntlm_err rc = na_client_answer(&gc->cl, t->mech_token.data, t->mech_token.len, &auth);
	if (rc == NTLM_OK)
		rc = client_mech_list_mic(gc->cl.ctx, NULL, mic);
	if (rc == NTLM_OK)
		rc = spnego_encode_resp(SPNEGO_NO_STATE, 0, auth.data, auth.len, mic, sizeof(mic), out);
	ntlm_buffer_free(&auth);
	return rc;
}

/* The server's last token: accept-completed, and its mechListMIC verifies when sent. */
static ntlm_err client_finish(gss_client *gc, const spnego_token *t)
{
	if (t->neg_state != SPNEGO_ACCEPT_COMPLETED)
		return NTLM_E_LOGON_FAILURE;
	if (t->mic.data && (t->mic.len != NTLM_SIGNATURE_SIZE ||
	                    client_mech_list_mic(gc->cl.ctx, t->mic.data, NULL) != NTLM_OK))
		return NTLM_E_BAD_MAC;
	gc->finished = 1;
	return NTLM_OK;
}

static void client_token(gss_client *gc, const char *b64)
{
	uint8_t *tok = NULL;
	size_t len = 0, where = 0;
	spnego_token t;
	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = NTLM_E_INVALID_PARAMETER;
	if (!b64_decode(b64, strlen(b64), 0, &tok, &len, &where) &&
	    spnego_decode(tok, len, &t) == NTLM_OK && t.kind == SPNEGO_RESP)
		rc = gc->cl.done ? client_finish(gc, &t) : client_answer(gc, &t, &out);
	if (rc == NTLM_OK && gc->finished)
		reply(NULL, "AF", NULL, NULL);
	else if (rc == NTLM_OK)
		reply(NULL, "KK", &out, NULL);
	else if (rc == NTLM_E_NO_CREDENTIALS)
		reply(NULL, "PW", NULL, NULL);
	else if (rc == NTLM_E_LOGON_FAILURE)
		reply(NULL, "NA", NULL, ntstatus_name_of(rc));
	else
		reply(NULL, "BH", NULL, ntlm_strerror(rc));
	ntlm_buffer_free(&out);
	ntlm_free_secret(tok, len);
}

/* PW, GK, GF and the rest as ntlmssp-client-1 (client.c); YR and TT wrapped in SPNEGO. */
static void gss_client_line(void *arg, char *line, size_t len)
{
	gss_client *gc = arg;
	if (strlen(line) == len && (!strcmp(line, "YR") || !strncmp(line, "YR ", 3)))
		client_start(gc);
	else if (strlen(line) == len && len > 3 && !strncmp(line, "TT ", 3))
		client_token(gc, line + 3);
	else
		na_client_line(&gc->cl, line, len);
}

int na_gss_spnego_client(const na_opts *o)
{
	gss_client gc;
	char spn[512];
	memset(&gc, 0, sizeof(gc));
	na_client_init(&gc.cl, o);
	if (o->target_service && o->target_hostname) {
		snprintf(spn, sizeof(spn), "%s/%s", o->target_service, o->target_hostname);
		gc.cl.spn = spn;
	}
	int st = na_client_load_policy(&gc.cl) == 0
	             ? na_line_loop(gss_client_line, na_client_overlong, &gc)
	             : NA_EXIT_FAIL;
	na_client_free(&gc.cl);
	return st;
}
