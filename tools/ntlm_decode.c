/*
 * ntlm_decode.c - `ntlm decode`: explains NTLM messages for people
 * debugging a peer: every field, flag and AV pair, the kind of response,
 * and what is weak about it. Input: base64, hex, "NTLM <b64>" or a whole
 * HTTP Authorization / WWW-Authenticate / Proxy-* header line, also the
 * TOKEN/YR/KK/TT lines of the helper protocols.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "ntlm_b64.h"
#include "ntlm_emit.h"
#include "ntlm_io.h"
#include "ntlm_keys.h"
#include "ntlm_tool.h"
#include "filetime.h"
#include "mem.h"
#include "text.h"
#include "try.h"
#include "verify.h"
#include "wire.h"

enum { O_JSON = 256 };

static const tool_opt decode_table[] = {
	{"json", O_JSON, 1, NULL, "one JSON object per message instead of text"},
};

static const tool_cmd decode_cmd = {
	"decode", "[--json] [MESSAGE...]",
	"Explains NTLM messages: type, flags, version, names, AV pairs, the\n"
	"response kind, the MIC and security warnings. Each MESSAGE argument is one\n"
	"message (\"-\" reads standard input); with none, each non-empty line of\n"
	"standard input is one. A message is base64, hex, \"NTLM <base64>\", an HTTP\n"
	"Authorization, Proxy-Authorization, WWW-Authenticate or Proxy-Authenticate\n"
	"header (with or without its name), or a TOKEN/YR/KK/TT helper line.\n"
	"Exits 1 if a message is malformed, naming the field, its offset and the rule\n"
	"it breaks."};

/* Weaknesses found while rendering, printed last. */
#define MAX_WARNINGS 16
typedef struct warnings {
	const char *w[MAX_WARNINGS];
	size_t n;
} warnings;

static void warn(warnings *w, const char *s)
{
	if (w->n < MAX_WARNINGS)
		w->w[w->n++] = s;
}

/* ------------------------------------------------------------ input */

/* If s starts with word (any case) and then a separator sep, returns what follows; else s. */
static char *strip_word(char *s, const char *word, const char *seps)
{
	size_t n = strlen(word);
	if (strncasecmp(s, word, n) == 0 && s[n] && strchr(seps, s[n]))
		return ntlm_trim(s + n + 1);
	return s;
}

/* What is left of a line once header name, helper verb and auth scheme are gone. */
static char *token_text(char *s)
{
	static const char *const headers[] = {"Authorization", "Proxy-Authorization",
	                                      "WWW-Authenticate", "Proxy-Authenticate"};
	static const char *const prefixes[] = {"TOKEN", "YR", "KK", "TT", "NTLM", "Negotiate"};
	s = ntlm_trim(s);
	for (size_t i = 0; i < NTLM_ARRAY_LEN(headers); i++)
		s = strip_word(s, headers[i], ":");
	for (size_t i = 0; i < NTLM_ARRAY_LEN(prefixes); i++)
		s = strip_word(s, prefixes[i], " \t");
	return s;
}

/* Removes blanks (and, when hex_seps, ':' and '-') in place: wrapped or grouped input. */
static size_t squeeze(char *s, int hex_seps)
{
	size_t k = 0;
	for (size_t i = 0; s[i]; i++)
		if (!isspace((unsigned char)s[i]) && !(hex_seps && (s[i] == ':' || s[i] == '-')))
			s[k++] = s[i];
	s[k] = '\0';
	return k;
}

/* Hex when it is all hex digits spelling the "NTLMSSP\0" signature first. */
static int looks_hex(const char *s, size_t n)
{
	if (n < 16 || n % 2 || strncasecmp(s, "4e544c4d53535000", 16) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Decodes t as hex if it looks like hex; 1 if it did, 0 if not hex, -1 out of memory. */
static int try_hex(const char *t, uint8_t **msg, size_t *len)
{
	char *copy = ntlm_strdup(t);
	int done = 0;
	if (!copy)
		return -1;
	size_t n = squeeze(copy, 1);
	if (looks_hex(copy, n)) {
		*len = n / 2;
		*msg = ntlm_calloc(*len, 1);
		done = *msg && ntlm_hex_decode(copy, *msg, *len) == NTLM_OK ? 1 : -1;
	}
	ntlm_free_string(copy);
	return done;
}

/* The message bytes of one input text; NULL on success, else why not. */
static const char *parse_input(char *text, uint8_t **msg, size_t *len, const char **format,
                               char *why, size_t cap)
{
	char *t = token_text(text);
	size_t where;
	*msg = NULL;
	*len = 0;
	if (!*t)
		return "no message in the input";
	*format = "hex";
	int hex = try_hex(t, msg, len);
	if (hex)
		return hex < 0 ? "out of memory" : NULL;
	*format = "base64";
	size_t n = squeeze(t, 0);
	const char *bad = b64_decode(t, n, 0, msg, len, &where);
	if (!bad && *len == 0)
		bad = "empty";
	if (bad) {
		snprintf(why, cap, "input is neither hex nor base64 (%s at character %zu)", bad, where + 1);
		return why;
	}
	return NULL;
}

/* ------------------------------------------------------------ values */

static void render_flags(emit *e, uint32_t flags)
{
	emit_hex32(e, "flags", flags);
	emit_list(e, "flag_names");
	for (unsigned i = 0; i < 32; i++) {
		uint32_t bit = 1u << i;
		char unknown[32];
		if (!(flags & bit))
			continue;
		snprintf(unknown, sizeof(unknown), "unknown 0x%08x", bit);
		emit_text(e, NULL, ntlm_flag_name(bit) ? ntlm_flag_name(bit) : unknown);
	}
	emit_close(e);
}

static void render_version(emit *e, int has, const nw_version *v)
{
	char buf[64];
	if (!has)
		return;
	snprintf(buf, sizeof(buf), "%u.%u.%u, NTLM revision %u", v->major, v->minor, v->build,
	         v->revision);
	emit_text(e, "version", buf);
}

/* FILETIME as ISO 8601 UTC with its full 100 ns precision. */
static void render_filetime(emit *e, const char *key, uint64_t ft)
{
	time_t t = (time_t)ntlm_filetime_to_unix(ft);
	struct tm tm;
	char buf[64];
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, sizeof(buf), "(out of range)");
	else
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%07uZ",
		         (unsigned)(ft % 10000000u));
	emit_text(e, key, buf);
}

/* What the AV pairs of a CHALLENGE or an NTLMv2 response say, for the warnings. */
typedef struct av_facts {
	int timestamp, flags_present, cbt, cbt_zero, target;
	uint32_t flags;
} av_facts;

static void render_av_flags(emit *e, nb_reader *r, av_facts *facts)
{
	static const char *const names[] = {"MSV_AV_FLAG_CONSTRAINED_AUTHENTICATION",
	                                    "MSV_AV_FLAG_MIC_PRESENT",
	                                    "MSV_AV_FLAG_TARGET_SPN_UNTRUSTED"};
	uint32_t v = 0;
	/* nw_av_parse refused a MsvAvFlags that is not four bytes */
	NTLM_IGNORE_RESULT(nb_read_u32le(r, &v));
	facts->flags_present = 1;
	facts->flags = v;
	emit_hex32(e, "value", v);
	emit_list(e, "flag_names");
	for (unsigned i = 0; i < 32; i++)
		if (v & (1u << i))
			emit_text(e, NULL, i < NTLM_ARRAY_LEN(names) ? names[i] : "unknown");
	emit_close(e);
}

static void render_av_value(emit *e, const nw_av *av, av_facts *facts)
{
	nb_reader r;
	char *s = NULL;
	uint64_t ts = 0;
	nb_reader_init(&r, av->value, av->len);
	switch (av->id) {
	case NW_AV_FLAGS:
		render_av_flags(e, &r, facts);
		return;
	case NW_AV_TIMESTAMP:
		/* nw_av_parse refused a MsvAvTimestamp that is not eight bytes */
		NTLM_IGNORE_RESULT(nb_read_u64le(&r, &ts));
		facts->timestamp = 1;
		render_filetime(e, "value", ts);
		emit_uint(e, "filetime", ts);
		return;
	case NW_AV_CHANNEL_BINDINGS:
		facts->cbt = 1;
		facts->cbt_zero = ntlm_ct_is_zero(av->value, av->len);
		emit_bytes(e, "value", av->value, av->len);
		emit_bool(e, "all_zero", facts->cbt_zero);
		return;
	case NW_AV_TARGET_NAME:
		facts->target = av->len != 0; /* clients without an SPN send an empty one */
		break;
	default:
		break;
	}
	if (av->id >= NW_AV_NB_COMPUTER && (av->id <= NW_AV_DNS_TREE || av->id == NW_AV_TARGET_NAME) &&
	    ntlm_utf16le_to_utf8(av->value, av->len, &s) == NTLM_OK)
		emit_str(e, "value", s);
	else
		emit_bytes(e, "value", av->value, av->len);
	ntlm_free_string(s);
}

static void render_av_pairs(emit *e, const char *key, const uint8_t *p, size_t n, av_facts *facts)
{
	nw_av_list list = {NULL, 0, 0};
	memset(facts, 0, sizeof(*facts));
	if (nw_av_parse(p, n, &list) != NTLM_OK) {
		emit_text(e, key, "malformed"); /* decode_message refuses these first */
		return;
	}
	emit_list(e, key);
	for (size_t i = 0; i < list.n; i++) {
		const nw_av *av = &list.items[i];
		emit_object(e, NULL);
		emit_text(e, "name", nw_av_name(av->id) ? nw_av_name(av->id) : "unknown");
		emit_uint(e, "id", av->id);
		emit_uint(e, "length", av->len);
		render_av_value(e, av, facts);
		emit_close(e);
	}
	emit_close(e);
	nw_av_clear(&list);
}

/* ------------------------------------------------------------ warnings */

static void flag_warnings(warnings *w, uint32_t f)
{
	if (!(f & NTLMSSP_NEGOTIATE_128))
		warn(w, (f & NTLMSSP_NEGOTIATE_56) ? "56-bit session keys (NEGOTIATE_128 not set)"
		                                   : "40-bit session keys (neither NEGOTIATE_128 nor "
		                                     "NEGOTIATE_56 set)");
	else if (nk_seal_key_bits(f) < 128)
		warn(w, nk_seal_key_bits(f) == 56 ? "56-bit seal key (LM_KEY or DATAGRAM without extended "
		                                    "session security, despite NEGOTIATE_128)"
		                                  : "40-bit seal key (LM_KEY or DATAGRAM without extended "
		                                    "session security, despite NEGOTIATE_128)");
	if (!(f & NTLMSSP_NEGOTIATE_KEY_EXCH))
		warn(w, "no key exchange (NEGOTIATE_KEY_EXCH not set): the session key is derived "
		        "straight from the password hash");
	if (!(f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		warn(w, "no extended session security: NTLMv1 session security");
	if (f & NTLMSSP_NEGOTIATE_LM_KEY)
		warn(w, "NEGOTIATE_LM_KEY: session key derived from the LM hash");
}

static void render_warnings(emit *e, const warnings *w)
{
	emit_list(e, "warnings");
	for (size_t i = 0; i < w->n; i++)
		emit_text(e, NULL, w->w[i]);
	emit_close(e);
}

/* ------------------------------------------------------------ messages */

static void render_negotiate(emit *e, const nw_negotiate *m, warnings *w)
{
	render_flags(e, m->flags);
	render_version(e, m->has_version, &m->version);
	if (m->domain)
		emit_str(e, "domain", m->domain);
	if (m->workstation)
		emit_str(e, "workstation", m->workstation);
	flag_warnings(w, m->flags);
}

static void render_challenge(emit *e, const nw_challenge *m, warnings *w)
{
	av_facts facts;
	render_flags(e, m->flags);
	render_version(e, m->has_version, &m->version);
	if (m->target_name)
		emit_str(e, "target_name", m->target_name);
	emit_bytes(e, "server_challenge", m->server_challenge, sizeof(m->server_challenge));
	render_av_pairs(e, "target_info", m->target_info, m->target_info_len, &facts);
	if (m->target_name_misencoded)
		warn(w, (m->flags & NTLMSSP_NEGOTIATE_UNICODE)
		            ? "TargetName is not UTF-16LE as NEGOTIATE_UNICODE says (shown as OEM if "
		              "valid); tolerated: NTLMv2 does not use it"
		            : "TargetName is not OEM text as the flags say (shown as UTF-16LE if valid; "
		              "impacket sends this); tolerated: NTLMv2 does not use it");
	flag_warnings(w, m->flags);
	if (!m->target_info_len)
		warn(w, "no TargetInfo: clients cannot send NTLMv2 protections (timestamp, MIC)");
	else if (!facts.timestamp)
		warn(w, "no MsvAvTimestamp in TargetInfo: clients will not send a MIC");
}

static void render_ntlmv2(emit *e, const nw_authenticate *m, av_facts *facts)
{
	nw_v2_response v2;
	memset(facts, 0, sizeof(*facts));
	if (nw_v2_response_parse(m->nt_response, m->nt_response_len, &v2) != NTLM_OK)
		return; /* decode_message refuses these first */
	emit_object(e, "ntlmv2");
	emit_bytes(e, "nt_proof", v2.proof, 16);
	render_filetime(e, "timestamp", v2.timestamp);
	emit_bytes(e, "client_challenge", v2.client_challenge, sizeof(v2.client_challenge));
	render_av_pairs(e, "av_pairs", v2.av_pairs, v2.av_len, facts);
	emit_close(e);
}

static void response_warnings(warnings *w, ntlm_response_kind kind, const av_facts *f,
                              int mic_field)
{
	switch (kind) {
	case NTLM_KIND_LM:
		warn(w, "LM response: the password is recoverable from it");
		break;
	case NTLM_KIND_NTLMV1:
	case NTLM_KIND_NTLMV1_ESS:
		warn(w, "NTLMv1 response: crackable offline; use NTLMv2");
		break;
	case NTLM_KIND_NTLMV2:
		if (!(f->flags & NW_AVF_MIC) || !mic_field)
			warn(w, "no MIC: the NEGOTIATE and CHALLENGE messages are not integrity-protected");
		if (!f->cbt || f->cbt_zero)
			warn(w, "no channel bindings: the authentication can be relayed to another TLS "
			        "channel");
		if (!f->target)
			warn(w, "no MsvAvTargetName: the authentication names no service (relayable)");
		break;
	default:
		break;
	}
}

static void render_authenticate(emit *e, const nw_authenticate *m, warnings *w)
{
	av_facts facts;
	/* the library's own classifier: the kind the server would name */
	ntlm_response_kind kind = nv_classify(m->lm_response, m->lm_response_len, m->nt_response_len,
	                                      m->user, m->flags);
	memset(&facts, 0, sizeof(facts));
	render_flags(e, m->flags);
	render_version(e, m->has_version, &m->version);
	emit_str(e, "domain", m->domain);
	emit_str(e, "user", m->user);
	emit_str(e, "workstation", m->workstation);
	emit_text(e, "response_kind",
	          kind == NTLM_KIND_NONE ? "unknown" : ntlm_response_kind_name(kind));
	emit_uint(e, "lm_response_length", m->lm_response_len);
	emit_bytes(e, "lm_response", m->lm_response, m->lm_response_len);
	emit_uint(e, "nt_response_length", m->nt_response_len);
	emit_bytes(e, "nt_response", m->nt_response, m->nt_response_len);
	if (kind == NTLM_KIND_NTLMV2)
		render_ntlmv2(e, m, &facts);
	if (m->encrypted_session_key_len)
		emit_bytes(e, "encrypted_session_key", m->encrypted_session_key,
		           m->encrypted_session_key_len);
	emit_bool(e, "mic_present", m->has_mic_field);
	if (m->has_mic_field)
		emit_bytes(e, "mic", m->mic, sizeof(m->mic));
	emit_bool(e, "mic_announced", facts.flags_present && (facts.flags & NW_AVF_MIC));
	if (kind == NTLM_KIND_ANONYMOUS)
		warn(w, "anonymous: no identity and no session key");
	else
		flag_warnings(w, m->flags);
	response_warnings(w, kind, &facts, m->has_mic_field);
}

static const char *const type_names[] = {"", "NEGOTIATE", "CHALLENGE", "AUTHENTICATE"};

/* One decoded message of any type. */
typedef struct decoded {
	uint32_t type;
	nw_negotiate neg;
	nw_challenge chal;
	nw_authenticate auth;
} decoded;

static void decoded_clear(decoded *d)
{
	nw_negotiate_clear(&d->neg);
	nw_challenge_clear(&d->chal);
	nw_authenticate_clear(&d->auth);
}

/* An AV pair list found at base in the message; faults name the list and the absolute offset. */
static ntlm_err check_av_pairs(const uint8_t *p, size_t n, const char *where, size_t base,
                               nw_fault *fault)
{
	nw_av_list list = {NULL, 0, 0};
	ntlm_err rc = nw_av_parse_fault(p, n, &list, fault);
	nw_av_clear(&list);
	if (rc != NTLM_OK)
		nw_fault_within(fault, where, base);
	return rc;
}

/* The NTLMv2 response of an AUTHENTICATE and its AV pairs, which the message codec keeps raw. */
static ntlm_err check_ntlmv2(const nw_authenticate *m, nw_fault *fault)
{
	nw_v2_response v2;
	if (m->nt_response_len <= 24)
		return NTLM_OK; /* NTLMv1 (24) or none */
	ntlm_err rc = nw_v2_response_parse_fault(m->nt_response, m->nt_response_len, &v2, fault);
	if (rc != NTLM_OK) {
		nw_fault_within(fault, NULL, m->nt_response_offset);
		return rc;
	}
	return check_av_pairs(v2.av_pairs, v2.av_len, "NtChallengeResponse AvPairs",
	                      m->nt_response_offset + (size_t)(v2.av_pairs - m->nt_response), fault);
}

/* Decodes with the codec, which names the field, offset and rule of any fault. */
static ntlm_err decode_message(const uint8_t *msg, size_t len, decoded *d, nw_fault *fault)
{
	NTLM_TRY(nw_message_type_fault(msg, len, &d->type, fault));
	if (d->type == NW_NEGOTIATE)
		return nw_negotiate_decode_fault(msg, len, &d->neg, fault);
	if (d->type == NW_CHALLENGE) {
		NTLM_TRY(nw_challenge_decode_fault(msg, len, &d->chal, fault));
		return check_av_pairs(d->chal.target_info, d->chal.target_info_len, "TargetInfo",
		                      d->chal.target_info_offset, fault);
	}
	NTLM_TRY(nw_authenticate_decode_fault(msg, len, 0, &d->auth, fault));
	return check_ntlmv2(&d->auth, fault);
}

static void render_message(emit *e, const decoded *d, size_t len)
{
	warnings w;
	memset(&w, 0, sizeof(w));
	emit_text(e, "message", type_names[d->type]);
	emit_uint(e, "type", d->type);
	emit_uint(e, "length", len);
	if (d->type == NW_NEGOTIATE)
		render_negotiate(e, &d->neg, &w);
	else if (d->type == NW_CHALLENGE)
		render_challenge(e, &d->chal, &w);
	else
		render_authenticate(e, &d->auth, &w);
	render_warnings(e, &w);
}

/* ------------------------------------------------------------ driver */

typedef struct decode_run {
	int json;
	size_t count; /* messages done, for the text separator */
	int status;
} decode_run;

static void report_malformed(decode_run *d, const char *source, const char *why)
{
	d->status = TOOL_EXIT_FAIL;
	if (!d->json) {
		tool_error(0, "decode", "%s: malformed: %s", source, why);
		return;
	}
	emit e;
	emit_begin(&e, stdout, 1);
	emit_bool(&e, "valid", 0);
	emit_text(&e, "source", source);
	emit_text(&e, "error", why);
	emit_end(&e);
}

/* "<field> at offset 0x...: <rule>", or the error's own words when the codec gave none. */
static void explain_fault(ntlm_err rc, const nw_fault *f, const uint8_t *msg, char *why, size_t cap)
{
	if (f->field[0])
		snprintf(why, cap, "%s at offset 0x%08zx: %s", f->field, f->offset, f->rule);
	else
		snprintf(why, cap, "%s (%s)", ntlm_strerror(rc), ntlm_err_name(rc));
	/* "Negotiate" headers usually wrap NTLM in SPNEGO (DER: 0x60 or 0xa1) */
	if (msg[0] == 0x60 || msg[0] == 0xa1)
		snprintf(why + strlen(why), cap - strlen(why),
		         "; the input looks like SPNEGO, which decode does not unwrap");
}

static void decode_one(decode_run *d, char *text, const char *source)
{
	char why[512];
	uint8_t *msg;
	size_t len;
	decoded m;
	nw_fault fault;
	const char *format, *bad = parse_input(text, &msg, &len, &format, why, sizeof(why));
	memset(&m, 0, sizeof(m));
	memset(&fault, 0, sizeof(fault));
	if (!bad) {
		ntlm_err rc = decode_message(msg, len, &m, &fault);
		if (rc != NTLM_OK) {
			explain_fault(rc, &fault, msg, why, sizeof(why));
			bad = why;
		}
	}
	if (bad) {
		report_malformed(d, source, bad);
		decoded_clear(&m);
		ntlm_free_secret(msg, len);
		return;
	}
	if (!d->json && d->count)
		fputc('\n', stdout);
	d->count++;
	emit e;
	emit_begin(&e, stdout, d->json);
	if (d->json)
		emit_bool(&e, "valid", 1);
	emit_text(&e, "source", source);
	emit_text(&e, "encoding", format);
	render_message(&e, &m, len);
	emit_end(&e);
	decoded_clear(&m);
	ntlm_free_secret(msg, len);
}

static void decode_stdin(decode_run *d)
{
	io_line line = {NULL, 0, 0};
	size_t lineno = 0, messages = 0;
	char source[64];
	int got;
	while ((got = io_read_line(stdin, &line, IO_LINE_MAX)) != IO_EOF) {
		lineno++;
		snprintf(source, sizeof(source), "line %zu of standard input", lineno);
		if (got == IO_ERROR) {
			report_malformed(d, source, "read error");
			break;
		}
		if (got == IO_TOO_LONG) {
			report_malformed(d, source, "line too long");
			continue;
		}
		if (strlen(line.data) != line.len) {
			report_malformed(d, source, "the line contains a NUL byte");
			continue;
		}
		if (!*ntlm_trim(line.data))
			continue;
		messages++;
		decode_one(d, line.data, source);
	}
	io_line_free(&line);
	if (!messages)
		report_malformed(d, "standard input", "no message in the input");
}

static int decode_option(void *arg, int id, char *value)
{
	((decode_run *)arg)->json = 1;
	return 0;
}

int cmd_decode(int argc, char **argv)
{
	decode_run d = {0, 0, TOOL_EXIT_OK};
	int first;
	int st = tool_parse(argc, argv, &decode_cmd, decode_table, NTLM_ARRAY_LEN(decode_table), 1,
	                    decode_option, &d, &first);
	if (st != TOOL_EXIT_OK)
		return st < 0 ? TOOL_EXIT_OK : st;
	if (first == argc)
		decode_stdin(&d);
	for (int i = first; i < argc; i++) {
		char source[64];
		snprintf(source, sizeof(source), "argument %d", i - first + 1);
		if (!strcmp(argv[i], "-"))
			decode_stdin(&d);
		else
			decode_one(&d, argv[i], source);
	}
	return d.status;
}
