/*
 * ntlm_helper.c - the line-protocol engine of `ntlm client` and `ntlm
 * server` (see ntlm_helper.h; protocol: ntlm(1)). The commands are
 * ntlm_client.c and ntlm_server.c.
 *
 * Every request gets exactly one answer line, flushed at once, because
 * the peer waits for it before writing the next request.
 */
#include "ntlm_helper.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm_b64.h"
#include "ntlm_io.h"
#include "ntlm_setup.h"
#include "mem.h"
#include "text.h"

typedef struct blob {
	uint8_t *data;
	size_t len;
} blob;

static void reply(const char *verb, const blob *parts, size_t n)
{
	fputs(verb, stdout);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', stdout);
		b64_fput(stdout, parts[i].data, parts[i].len);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/*
 * A request that cannot be served: "ERR <reason>", except while a server
 * is still in its handshake, where the exchange is over: "FAIL <reason>".
 */
static int reject(helper *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reject(helper *h, const char *fmt, ...)
{
	va_list ap;
	int fatal = h->server && !h->done;
	fputs(fatal ? "FAIL " : "ERR ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return fatal ? H_FAIL : H_NEXT;
}

static int reject_lib(helper *h, ntlm_err rc)
{
	return reject(h, "%s %s", ntlm_err_name(rc), ntlm_strerror(rc));
}

/* A word from the peer, shortened and made printable for an error message. */
static const char *safe_word(const char *w, char out[48])
{
	size_t i = 0;
	for (; w[i] && i < 40; i++)
		out[i] = (w[i] >= 0x20 && w[i] < 0x7f) ? w[i] : '?';
	strcpy(out + i, w[i] ? "..." : "");
	return out;
}

/* ------------------------------------------------------------ handshake */

/*
 * "DONE [user=..] flags=.. [sessionkey=..] kind=..": the key only when asked
 * for (it decrypts the whole session); "sessionkey=-" means there is none.
 */
static void say_done(helper *h)
{
	uint8_t key[16];
	char hex[33] = "-";
	fputs("DONE ", stdout);
	if (h->server)
		printf("user=%s ", ntlm_ctx_principal(h->ctx));
	printf("flags=0x%08x ", ntlm_ctx_flags(h->ctx));
	if (h->show_key) {
		if (ntlm_ctx_session_key(h->ctx, key) == NTLM_OK)
			ntlm_hex_encode(key, sizeof(key), hex);
		printf("sessionkey=%s ", hex);
	}
	printf("kind=%s\n", ntlm_response_kind_name(ntlm_ctx_response_kind(h->ctx)));
	fflush(stdout);
	ntlm_memzero(key, sizeof(key));
	ntlm_memzero(hex, sizeof(hex));
}

/* Sends what a step produced and reports how the handshake stands. */
static int after_step(helper *h, ntlm_err rc, ntlm_buffer *out)
{
	if (out->len)
		reply("TOKEN", &(blob){out->data, out->len}, 1);
	ntlm_buffer_free(out);
	if (rc == NTLM_CONTINUE)
		return H_NEXT;
	if (rc == NTLM_OK) {
		h->done = 1;
		say_done(h);
		return H_NEXT;
	}
	/* the context is failed for good: nothing more can happen */
	const char *rule = ntlm_ctx_refusal_rule(h->ctx);
	printf("FAIL %s %s%s%s%s\n", ntlm_err_name(rc), ntlm_strerror(rc), *rule ? " (rule: " : "",
	       rule, *rule ? ")" : "");
	fflush(stdout);
	return H_FAIL;
}

static int run_token(helper *h, blob *a)
{
	ntlm_buffer out = {NULL, 0};
	return after_step(h, ntlm_step(h->ctx, a[0].data, a[0].len, &out), &out);
}

/* ------------------------------------------------------ session security */

typedef enum { OP_SEAL, OP_UNSEAL, OP_SIGN, OP_VERIFY } ss_op;

/*
 * One sign/seal/verify/unseal. Connection mode: the context numbers the
 * messages. Datagram mode: we do, per direction from 0, counting only the
 * messages that succeeded, as the context does for itself.
 */
static ntlm_err session_op(helper *h, ss_op op, uint8_t *data, size_t len,
                           uint8_t sig[NTLM_SIGNATURE_SIZE])
{
	int sending = op == OP_SEAL || op == OP_SIGN;
	uint32_t *seq = sending ? &h->send_seq : &h->recv_seq;
	unsigned mode = (op == OP_SEAL || op == OP_UNSEAL) ? NTLM_PROTECT_SEAL : NTLM_PROTECT_SIGN;
	uint32_t n = 0;
	if (h->datagram) {
		mode |= NTLM_PROTECT_EXPLICIT_SEQ;
		n = *seq;
	}
	ntlm_err rc = sending ? ntlm_protect(h->ctx, mode, n, data, len, sig)
	                      : ntlm_unprotect(h->ctx, mode, n, data, len, sig);
	if (rc == NTLM_OK)
		(*seq)++;
	return rc;
}

static int check_sig_len(helper *h, const blob *sig, int *status)
{
	if (sig->len == NTLM_SIGNATURE_SIZE)
		return 0;
	*status = reject(h, "syntax: the signature is %zu bytes, expected %d", sig->len,
	                 NTLM_SIGNATURE_SIZE);
	return -1;
}

static int run_seal(helper *h, blob *a)
{
	uint8_t sig[16];
	ntlm_err rc = session_op(h, OP_SEAL, a[0].data, a[0].len, sig);
	if (rc != NTLM_OK)
		return reject_lib(h, rc);
	blob parts[2] = {a[0], {sig, sizeof(sig)}};
	reply("SEALED", parts, 2);
	return H_NEXT;
}

static int run_unseal(helper *h, blob *a)
{
	int st;
	if (check_sig_len(h, &a[1], &st))
		return st;
	ntlm_err rc = session_op(h, OP_UNSEAL, a[0].data, a[0].len, a[1].data);
	if (rc != NTLM_OK)
		return reject_lib(h, rc);
	reply("PLAIN", &a[0], 1);
	return H_NEXT;
}

static int run_sign(helper *h, blob *a)
{
	uint8_t sig[16];
	ntlm_err rc = session_op(h, OP_SIGN, a[0].data, a[0].len, sig);
	if (rc != NTLM_OK)
		return reject_lib(h, rc);
	reply("SIG", &(blob){sig, sizeof(sig)}, 1);
	return H_NEXT;
}

static int run_verify(helper *h, blob *a)
{
	int st;
	if (check_sig_len(h, &a[1], &st))
		return st;
	ntlm_err rc = session_op(h, OP_VERIFY, a[0].data, a[0].len, a[1].data);
	if (rc == NTLM_OK)
		puts("OK");
	else
		printf("BAD %s %s\n", ntlm_err_name(rc), ntlm_strerror(rc));
	fflush(stdout);
	return H_NEXT;
}

static int run_quit(helper *h, blob *a)
{
	return H_QUIT;
}

/* ------------------------------------------------------------ requests */

typedef enum { PHASE_HANDSHAKE, PHASE_SESSION, PHASE_ANY } phase;

#define MAX_ARGS 2

static const struct request {
	const char *name;
	size_t nargs;
	phase when;
	int (*run)(helper *h, blob *args);
} requests[] = {
	{"TOKEN", 1, PHASE_HANDSHAKE, run_token}, {"SEAL", 1, PHASE_SESSION, run_seal},
	{"UNSEAL", 2, PHASE_SESSION, run_unseal}, {"SIGN", 1, PHASE_SESSION, run_sign},
	{"VERIFY", 2, PHASE_SESSION, run_verify}, {"QUIT", 0, PHASE_ANY, run_quit},
};

static const struct request *find_request(const char *name)
{
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (!strcmp(requests[i].name, name))
			return &requests[i];
	return NULL;
}

/* The request's shape and timing, before any argument is decoded. */
static int check_request(helper *h, const struct request *r, size_t nargs)
{
	if (nargs != r->nargs)
		return reject(h, "syntax: %s takes %zu argument%s, got %s%zu", r->name, r->nargs,
		              r->nargs == 1 ? "" : "s", nargs > MAX_ARGS ? "more than " : "",
		              nargs > MAX_ARGS ? (size_t)MAX_ARGS : nargs);
	if (r->when == PHASE_HANDSHAKE && h->done)
		return reject(h, "state: %s after the handshake is complete", r->name);
	if (r->when == PHASE_SESSION && !h->done)
		return reject(h, "state: %s before the handshake is complete", r->name);
	return -1;
}

static int decode_args(helper *h, char **words, size_t n, blob *args)
{
	for (size_t i = 0; i < n; i++) {
		size_t where;
		const char *why = b64_decode(words[i], strlen(words[i]), 1, &args[i].data, &args[i].len,
		                             &where);
		if (why)
			return reject(h, "base64: argument %zu: %s at character %zu", i + 1, why, where + 1);
	}
	return -1;
}

int helper_handle_line(helper *h, char *line, size_t len)
{
	char *w[MAX_ARGS + 2], shown[48];
	blob args[MAX_ARGS];
	int st;
	if (strlen(line) != len)
		return reject(h, "syntax: the line contains a NUL byte");
	size_t n = io_split_words(line, w, MAX_ARGS + 1);
	if (n == 0)
		return reject(h, "syntax: empty line");
	const struct request *r = find_request(w[0]);
	if (!r)
		return reject(h, "syntax: unknown command '%s'", safe_word(w[0], shown));
	if ((st = check_request(h, r, n - 1)) >= 0)
		return st;
	memset(args, 0, sizeof(args));
	st = decode_args(h, w + 1, n - 1, args);
	if (st < 0)
		st = r->run(h, args);
	for (size_t i = 0; i < MAX_ARGS; i++)
		ntlm_free_secret(args[i].data, args[i].len);
	return st;
}

int helper_start(helper *h)
{
	/* the client opens a connection, the server a datagram exchange */
	if (h->server == h->datagram) {
		ntlm_buffer out = {NULL, 0};
		return after_step(h, ntlm_step(h->ctx, NULL, 0, &out), &out);
	}
	return H_NEXT;
}

static int helper_loop(helper *h)
{
	io_line line = {NULL, 0, 0};
	/* a vanished peer is an error to report, not a reason to die by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	int st = helper_start(h);
	while (st == H_NEXT && !ferror(stdout)) {
		int got = io_read_line(stdin, &line, IO_LINE_MAX);
		if (got == IO_EOF || got == IO_ERROR)
			break;
		if (got == IO_TOO_LONG)
			st = reject(h, "syntax: line longer than %d bytes", IO_LINE_MAX);
		else
			st = helper_handle_line(h, line.data, line.len);
	}
	io_line_free(&line);
	if (ferror(stdout))
		return tool_error(TOOL_EXIT_FAIL, h->cmd, "standard output closed: peer gone");
	if (st == H_FAIL)
		return TOOL_EXIT_FAIL;
	if (!h->done)
		return tool_error(TOOL_EXIT_FAIL, h->cmd, "input ended before the handshake completed");
	return TOOL_EXIT_OK;
}

int helper_run(int argc, char **argv, const tool_cmd *cmd, unsigned role)
{
	setup_opts o;
	setup_client c;
	setup_server s;
	helper h;
	int first, st;
	ntlm_err rc;
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	s.audit_fd = -1;
	memset(&h, 0, sizeof(h));
	setup_opts_init(&o, cmd->name);
	st = tool_parse(argc, argv, cmd, setup_table, setup_table_len, role, setup_option, &o, &first);
	if (st == TOOL_EXIT_OK && first < argc)
		st = tool_error(TOOL_EXIT_USAGE, cmd->name, "unexpected argument '%s'", argv[first]);
	h.cmd = cmd->name;
	h.server = role == ROLE_SERVER;
	h.datagram = o.datagram;
	h.show_key = o.show_session_key;
	if (st == TOOL_EXIT_OK)
		st = h.server ? setup_server_build(&o, 0, &s) : setup_client_build(&o, &c);
	if (st == TOOL_EXIT_OK) {
		rc = h.server ? ntlm_server_new(&h.ctx, &s.cfg) : ntlm_client_new(&h.ctx, c.cred, &c.cfg);
		st = rc == NTLM_OK ? helper_loop(&h)
		                   : tool_lib_error(TOOL_EXIT_FAIL, cmd->name, "context", rc);
	}
	ntlm_ctx_free(h.ctx);
	setup_client_free(&c);
	setup_server_free(&s);
	setup_opts_free(&o);
	return st < 0 ? TOOL_EXIT_OK : st;
}
