/*
 * ntlm_squid.c - the engine of `ntlm squid-helper`: Squid's
 * "squid-2.5-ntlmssp" helper protocol (auth_param ntlm program ...); see
 * ntlm_squid.h. The command around it is ntlm_squid_helper.c.
 *
 * Squid 5 reads "AF <user>" as NTLM's
 * user-only form; a name with blanks or quotes is sent quoted, since
 * Squid splits the reply into words and honours quotes.
 */
#include "ntlm_squid.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ntlm_b64.h"
#include "ntlm_io.h"
#include "mem.h"
#include "ntlm_ntstatus.h"
#include "ntlm_peek.h"

/* One answer line, with the channel ID when the request had one. */
static void answer(const char *id, const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void answer(const char *id, const char *verb, const char *fmt, ...)
{
	va_list ap;
	if (id)
		printf("%s ", id);
	fputs(verb, stdout);
	if (fmt) {
		fputc(' ', stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/* A failure: our words and the error's name, or Samba's NT_STATUS name (ntlm_auth). */
static void answer_lib(const squid *s, const char *id, const char *verb, ntlm_err rc)
{
	if (s->samba)
		answer(id, verb, "%s", ntstatus_name_of(rc));
	else
		answer(id, verb, "%s (%s)", ntlm_strerror(rc), ntlm_err_name(rc));
}

/* A request that is not one: Samba answers every such line with the same words. */
static void answer_bad(const squid *s, const char *id, const char *why)
{
	answer(id, "BH", "%s", s->samba ? "SPNEGO request invalid prefix" : why);
}

static void reset(squid_channel *c)
{
	ntlm_ctx_free(c->ctx);
	c->ctx = NULL;
	ntlm_ctx_free(c->done);
	c->done = NULL;
}

/* The slot whose handshake waited longest (the table is full, so n > 0). */
static squid_channel *oldest_channel(squid *s)
{
	squid_channel *old = &s->ch[0];
	for (size_t i = 1; i < s->n; i++)
		if (s->ch[i].used < old->used)
			old = &s->ch[i];
	return old;
}

/* The channel id, else a new one (evicting the oldest when full); NULL: out of memory. */
static squid_channel *find_channel(squid *s, uint64_t id)
{
	squid_channel *c;
	for (size_t i = 0; i < s->n; i++)
		if (s->ch[i].id == id) {
			s->ch[i].used = ++s->clock;
			return &s->ch[i];
		}
	if (s->n == SQUID_MAX_CHANNELS) {
		c = oldest_channel(s);
		reset(c); /* its handshake is abandoned: a KK on it is answered BH */
	} else {
		squid_channel *grown = realloc(s->ch, (s->n + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		s->ch = grown;
		c = &s->ch[s->n++];
	}
	*c = (squid_channel){id, NULL, NULL, ++s->clock};
	return c;
}

/* Drops a channel with neither a handshake in progress nor one to answer GK/GF about. */
static void release_channel(squid *s, squid_channel *c)
{
	if (c->ctx || c->done)
		return;
	*c = s->ch[--s->n];
}

/* AF's user word: as is, or quoted with \ escapes when Squid would split or unquote it. */
static void answer_user(const char *id, const char *user)
{
	int plain = *user != '\0';
	for (const char *p = user; *p; p++)
		if (isspace((unsigned char)*p) || *p == '"')
			plain = 0;
	if (id)
		printf("%s ", id);
	fputs("AF ", stdout);
	if (plain) {
		fputs(user, stdout);
	} else {
		fputc('"', stdout);
		for (const char *p = user; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', stdout);
			fputc(*p, stdout);
		}
		fputc('"', stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/*
 * Squid does not always forward the client's NEGOTIATE: stand in with typical
 * flags ([MS-NLMP] 2.2.1.1: no domain, no workstation, no VERSION).
 */
static ntlm_err default_negotiate(ntlm_buffer *out)
{
	nb_writer w;
	nb_writer_init(&w);
	nb_write_bytes(&w, NTLM_PEEK_SIGNATURE, sizeof(NTLM_PEEK_SIGNATURE));
	nb_write_u32le(&w, NTLM_PEEK_NEGOTIATE);
	nb_write_u32le(&w, NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET |
	                       NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	                       NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	                       NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128 |
	                       NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56);
	nb_write_zeros(&w, 16); /* DomainNameFields, WorkstationFields: empty */
	return nb_writer_finish(&w, out);
}

/* YR (or a KK that carries a NEGOTIATE: the client started over): a new handshake. */
static void start(squid *s, squid_channel *c, const char *id, const uint8_t *neg, size_t neg_len)
{
	ntlm_buffer out = {NULL, 0}, stand_in = {NULL, 0};
	reset(c);
	ntlm_err rc = ntlm_server_new(&c->ctx, &s->srv->cfg);
	if (rc == NTLM_OK && !neg && (rc = default_negotiate(&stand_in)) == NTLM_OK) {
		neg = stand_in.data;
		neg_len = stand_in.len;
	}
	if (rc == NTLM_OK)
		rc = ntlm_step(c->ctx, neg, neg_len, &out);
	if (rc == NTLM_CONTINUE) {
		if (id)
			printf("%s ", id);
		fputs("TT ", stdout);
		b64_fput(stdout, out.data, out.len);
		fputc('\n', stdout);
		fflush(stdout);
	} else {
		reset(c);
		answer_lib(s, id, "NA", rc == NTLM_OK ? NTLM_E_INTERNAL : rc);
	}
	ntlm_buffer_free(&out);
	ntlm_buffer_free(&stand_in);
}

/*
 * KK: one authentication per handshake, whatever the outcome; the finished
 * context stays only to answer GK and GF about (Wine's server asks both).
 */
static void finish(const squid *s, squid_channel *c, const char *id, const uint8_t *auth,
                   size_t len)
{
	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = ntlm_step(c->ctx, auth, len, &out);
	ntlm_buffer_free(&out);
	if (rc == NTLM_OK)
		answer_user(id, ntlm_ctx_principal(c->ctx));
	else
		answer_lib(s, id, "NA", rc == NTLM_CONTINUE ? NTLM_E_WRONG_STATE : rc);
	ntlm_ctx_free(c->done);
	c->done = c->ctx;
	c->ctx = NULL;
}

/* GK: the exported session key of the channel's finished handshake, as Samba answers it. */
static void answer_key(squid_channel *c, const char *id)
{
	uint8_t key[NTLM_SESSION_KEY_SIZE];
	if (!c->done || ntlm_ctx_session_key(c->done, key) != NTLM_OK) {
		answer(id, "BH", "No session key");
		return;
	}
	if (id)
		printf("%s ", id);
	fputs("GK ", stdout);
	b64_fput(stdout, key, sizeof(key));
	fputc('\n', stdout);
	fflush(stdout);
	ntlm_memzero(key, sizeof(key));
}

/* GF: the negotiated flags of the handshake in progress, else of the finished one. */
static void answer_flags(squid_channel *c, const char *id)
{
	ntlm_ctx *ctx = c->ctx ? c->ctx : c->done;
	answer(id, "GF", "0x%08x", ctx ? (unsigned)ntlm_ctx_flags(ctx) : 0u);
}

typedef enum verb { V_NONE, V_YR, V_KK, V_GK, V_GF, V_SF, V_PW } verb;

static verb verb_of(const char *w)
{
	static const char *const names[] = {"YR", "KK", "GK", "GF", "SF", "PW"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(w, names[i]))
			return (verb)(i + 1);
	return V_NONE;
}

/* Why a request cannot be served at all, or NULL. SF and PW take any words (Wine's SF has several). */
static const char *request_fault(size_t n, verb v)
{
	if (v == V_NONE)
		return "unknown request (expected YR or KK)";
	if (v == V_SF || v == V_PW)
		return NULL;
	if (n > 2 || ((v == V_GK || v == V_GF) && n > 1))
		return "too many words";
	if (v == V_KK && n < 2)
		return "KK without a token";
	return NULL;
}

/* YR or KK with its token decoded. */
static void handle_token(squid *s, const char *id, squid_channel *c, verb v, const uint8_t *tok,
                         size_t len)
{
	if (tok && ntlm_peek_type(tok, len) == NTLM_PEEK_NEGOTIATE)
		start(s, c, id, tok, len);
	else if (v == V_YR)
		start(s, c, id, tok, len);
	else if (!c->ctx && s->samba)
		answer(id, "NA", "%s", ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
	else if (!c->ctx)
		answer(id, "BH", "KK without a preceding YR");
	else
		finish(s, c, id, tok, len);
}

static void handle_request(squid *s, const char *id, squid_channel *c, char **w, size_t n)
{
	uint8_t *tok = NULL;
	size_t len = 0, where = 0;
	verb v = verb_of(w[0]);
	const char *bad = request_fault(n, v);
	int token = !bad && (v == V_YR || v == V_KK) && n == 2;
	if (token && (bad = b64_decode(w[1], strlen(w[1]), 0, &tok, &len, &where)) != NULL) {
		if (s->samba)
			answer(id, "NA", "%s", ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
		else
			answer(id, "BH", "bad base64 token: %s at character %zu", bad, where + 1);
	} else if (bad && s->samba && !strcmp(w[0], "OK")) {
		answer(id, "BH", "Command expected"); /* Samba's answer to a lone OK */
	} else if (bad) {
		answer_bad(s, id, bad);
	} else if (v == V_GK) {
		answer_key(c, id);
	} else if (v == V_GF) {
		answer_flags(c, id);
	} else if (v == V_SF || v == V_PW) {
		/* Wine's feature request and a password: the server's flags and store decide */
		answer(id, "OK", NULL);
	} else {
		handle_token(s, id, c, v, tok, len);
	}
	ntlm_free_secret(tok, len);
}

void squid_read_channel_id(const char *line, size_t len, channel_id *id)
{
	size_t i = 0, n = 0;
	memset(id, 0, sizeof(*id));
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	while (i + n < len && line[i + n] >= '0' && line[i + n] <= '9')
		n++;
	if (n == 0 || (i + n < len && line[i + n] != ' ' && line[i + n] != '\t'))
		return;
	id->present = 1;
	for (size_t k = 0; k < n && !id->overflow; k++) {
		unsigned digit = (unsigned)(line[i + k] - '0');
		if (n > CHANNEL_ID_DIGITS || id->value > (UINT64_MAX - digit) / 10)
			id->overflow = 1;
		else
			id->value = id->value * 10 + digit;
	}
	if (!id->overflow)
		memcpy(id->text, line + i, n);
}

/*
 * "[ID] VERB [TOKEN]". The channel ID is read first, so that every answer,
 * even to a malformed line, goes to the channel that asked; an ID that does
 * not fit is refused before anything else.
 */
void squid_handle_line(squid *s, char *line, size_t len)
{
	char *w[4];
	channel_id cid;
	squid_channel *c = NULL;
	size_t n = 0;
	squid_read_channel_id(line, len, &cid);
	const char *id = cid.present && !cid.overflow ? cid.text : NULL;
	if (cid.overflow) {
		answer(NULL, "BH", "channel ID out of range");
		return;
	}
	if (strlen(line) != len) {
		answer(id, "BH", "the line contains a NUL byte");
		return;
	}
	n = io_split_words(line, w, 3); /* 4: more than 3, of which w[3] is unset */
	if (id) {
		memmove(w, w + 1, ((n > 3 ? 3 : n) - 1) * sizeof(w[0]));
		n--;
	}
	if (n > 0 && (!strcmp(w[0], "SF") || !strcmp(w[0], "PW")))
		n = 1; /* SF and PW: the words after the verb are not looked at */
	if (n > 0 && n <= 2)
		c = find_channel(s, cid.value);
	if (n > 2 && s->samba && verb_of(w[0]) != V_NONE) /* Samba: a token that does not decode */
		answer(id, "NA", "%s", ntstatus_name_of(NTLM_E_INVALID_PARAMETER));
	else if (n == 0 || n > 2)
		answer(id, "BH", "%s", n ? "too many words" : "empty request");
	else if (!c)
		answer(id, "BH", "out of memory");
	if (c) {
		handle_request(s, id, c, w, n);
		release_channel(s, c);
	}
}

void squid_handle_overlong(const char *start, size_t len)
{
	channel_id cid;
	squid_read_channel_id(start, len, &cid);
	answer(cid.present && !cid.overflow ? cid.text : NULL, "BH", "line longer than %d bytes",
	       IO_LINE_MAX);
}

void squid_init(squid *s, setup_server *srv)
{
	memset(s, 0, sizeof(*s));
	s->srv = srv;
}

void squid_free(squid *s)
{
	for (size_t i = 0; i < s->n; i++)
		reset(&s->ch[i]);
	free(s->ch);
	memset(s, 0, sizeof(*s));
}
