/*
 * ntlm_squid.c - `ntlm squid-helper`: Squid's "squid-2.5-ntlmssp" helper
 * protocol (auth_param ntlm program ...), checking against the account file.
 *
 *   request                  answer
 *   [ID] YR [<b64 NEGOTIATE>] [ID] TT <b64 CHALLENGE>    new handshake
 *   [ID] KK <b64 AUTHENTICATE> [ID] AF <DOMAIN\user>     success
 *                            [ID] NA <reason>            authentication failed
 *   anything wrong           [ID] BH <reason>            protocol fault
 *
 * ID is Squid's concurrency channel: present, it is echoed, and each
 * channel has its own handshake. Squid 5 reads "AF <user>" as NTLM's
 * user-only form; a name with blanks or quotes is sent quoted, since
 * Squid splits the reply into words and honours quotes.
 */
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm_b64.h"
#include "ntlm_io.h"
#include "ntlm_setup.h"
#include "util.h"
#include "wire.h"

/* Squid's concurrency is a few hundred at most; more is a confused caller. */
#define MAX_CHANNELS 1024

typedef struct channel {
	uint64_t id;
	ntlm_ctx *ctx;
} channel;

/*
 * Squid numbers its requests with a uint64_t (written with PRIu64): an ID
 * of digits that does not fit is no channel of Squid's, and it must not
 * alias one (as strtoul's saturation to ULONG_MAX would).
 */
#define CHANNEL_ID_DIGITS 20

typedef struct channel_id {
	int present; /* the line starts with a word of digits */
	int overflow;
	uint64_t value;
	char text[CHANNEL_ID_DIGITS + 1]; /* echoed as it came */
} channel_id;

typedef struct squid {
	setup_server *srv;
	channel *ch;
	size_t n;
} squid;

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

static void answer_lib(const char *id, const char *verb, ntlm_err rc)
{
	answer(id, verb, "%s (%s)", ntlm_strerror(rc), ntlm_err_name(rc));
}

static channel *find_channel(squid *s, uint64_t id, int create)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ch[i].id == id)
			return &s->ch[i];
	if (!create || s->n == MAX_CHANNELS)
		return NULL;
	channel *grown = realloc(s->ch, (s->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	s->ch = grown;
	s->ch[s->n] = (channel){id, NULL};
	return &s->ch[s->n++];
}

static void reset(channel *c)
{
	ntlm_ctx_free(c->ctx);
	c->ctx = NULL;
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

/* Squid does not always forward the client's NEGOTIATE: stand in with typical flags. */
static ntlm_err default_negotiate(ntlm_buffer *out)
{
	nw_negotiate m;
	memset(&m, 0, sizeof(m));
	m.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET |
	          NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM |
	          NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	          NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;
	return nw_negotiate_encode(&m, out);
}

/* YR (or a KK that carries a NEGOTIATE: the client started over): a new handshake. */
static void start(squid *s, channel *c, const char *id, const uint8_t *neg, size_t neg_len)
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
		answer_lib(id, "NA", rc == NTLM_OK ? NTLM_E_INTERNAL : rc);
	}
	ntlm_buffer_free(&out);
	ntlm_buffer_free(&stand_in);
}

static void finish(channel *c, const char *id, const uint8_t *auth, size_t len)
{
	ntlm_buffer out = {NULL, 0};
	ntlm_err rc = ntlm_step(c->ctx, auth, len, &out);
	ntlm_buffer_free(&out);
	if (rc == NTLM_OK)
		answer_user(id, ntlm_ctx_principal(c->ctx));
	else
		answer_lib(id, "NA", rc == NTLM_CONTINUE ? NTLM_E_WRONG_STATE : rc);
	reset(c); /* one authentication per handshake, whatever the outcome */
}

/* Why a request cannot be served at all, or NULL. */
static const char *request_fault(char **w, size_t n, int yr, int kk)
{
	if (!yr && !kk)
		return "unknown request (expected YR or KK)";
	if (n > 2)
		return "too many words";
	if (kk && n < 2)
		return "KK without a token";
	return NULL;
}

static void handle_request(squid *s, const char *id, channel *c, char **w, size_t n)
{
	uint8_t *tok = NULL;
	size_t len = 0, where = 0;
	uint32_t type = 0;
	int yr = !strcmp(w[0], "YR"), kk = !strcmp(w[0], "KK");
	const char *bad = request_fault(w, n, yr, kk);
	if (!bad && n == 2 && (bad = b64_decode(w[1], strlen(w[1]), 0, &tok, &len, &where)) != NULL)
		answer(id, "BH", "bad base64 token: %s at character %zu", bad, where + 1);
	else if (bad)
		answer(id, "BH", "%s", bad);
	else if (tok && nw_message_type(tok, len, &type) == NTLM_OK && type == NW_NEGOTIATE)
		start(s, c, id, tok, len);
	else if (yr)
		start(s, c, id, tok, len);
	else if (!c->ctx)
		answer(id, "BH", "KK without a preceding YR");
	else
		finish(c, id, tok, len);
	ntlm_free_secret(tok, len);
}

/* The first word of the line (len bytes, NUL bytes included), if it is all digits. */
static void read_channel_id(const char *line, size_t len, channel_id *id)
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
static void handle_line(squid *s, char *line, size_t len)
{
	char *w[4];
	channel_id cid;
	channel *c = NULL;
	size_t n = 0;
	read_channel_id(line, len, &cid);
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
	if (n > 0 && n <= 2)
		c = find_channel(s, cid.value, 1);
	if (n == 0 || n > 2)
		answer(id, "BH", "%s", n ? "too many words" : "empty request");
	else if (!c)
		answer(id, "BH", "too many channels");
	else
		handle_request(s, id, c, w, n);
}

/* A line over IO_LINE_MAX bytes: refused, on the channel its start names. */
static void handle_overlong(const char *start, size_t len)
{
	channel_id cid;
	read_channel_id(start, len, &cid);
	answer(cid.present && !cid.overflow ? cid.text : NULL, "BH", "line longer than %d bytes",
	       IO_LINE_MAX);
}

static const tool_cmd squid_cmd = {
	"squid-helper", "[OPTIONS]",
	"Squid NTLM authentication helper (protocol squid-2.5-ntlmssp), checking\n"
	"users against an smbpasswd-format account file. In squid.conf:\n"
	"  auth_param ntlm program /usr/bin/ntlm squid-helper --account-file FILE\n"
	"Reads \"[ID] YR [token]\" and \"[ID] KK token\", answers \"TT token\",\n"
	"\"AF DOMAIN\\user\", \"NA reason\" or \"BH reason\"; a leading numeric channel ID\n"
	"(Squid's concurrency) is echoed and keeps a handshake per channel."};

int cmd_squid_helper(int argc, char **argv)
{
	setup_opts o;
	setup_server srv;
	squid s = {&srv, NULL, 0};
	io_line line = {NULL, 0, 0};
	int first, got;
	setup_opts_init(&o, squid_cmd.name);
	memset(&srv, 0, sizeof(srv));
	srv.audit_fd = -1;
	int st = tool_parse(argc, argv, &squid_cmd, setup_table, setup_table_len, ROLE_SQUID,
	                    setup_option, &o, &first);
	if (st == TOOL_EXIT_OK && first < argc)
		st = tool_error(TOOL_EXIT_USAGE, squid_cmd.name, "unexpected argument '%s'", argv[first]);
	if (st == TOOL_EXIT_OK)
		st = setup_server_build(&o, 1, &srv);
	signal(SIGPIPE, SIG_IGN); /* Squid gone: stop at the failed write, quietly */
	while (st == TOOL_EXIT_OK && !ferror(stdout) &&
	       (got = io_read_line(stdin, &line, IO_LINE_MAX)) != IO_EOF && got != IO_ERROR) {
		if (got == IO_TOO_LONG)
			handle_overlong(line.data, line.len);
		else
			handle_line(&s, line.data, line.len);
	}
	io_line_free(&line);
	for (size_t i = 0; i < s.n; i++)
		reset(&s.ch[i]);
	free(s.ch);
	setup_server_free(&srv);
	setup_opts_free(&o);
	return st < 0 ? TOOL_EXIT_OK : st;
}
