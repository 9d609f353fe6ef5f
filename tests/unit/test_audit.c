/*
 * test_audit.c - the audit trail: a server with an audit callback records
 * one event per authentication, and ntlm_audit_json renders it as one line
 * of valid JSON (checked by a small strict parser here) carrying time,
 * result, error, the names as sent, DOMAIN\user as authenticated, response
 * kind, flags, MIC / channel bindings / target name status and weaknesses
 * (NTLMv1, no MIC, ...), with every string escaped.
 */
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

/* ---------------------------------------------------- a strict JSON reader */

/*
 * Validates one JSON value (RFC 8259) and, for the top-level object, keeps
 * each member's value: strings unescaped, anything else as its raw text.
 */
#define MAX_FIELDS 32

struct json {
	const char *p, *end;
	int depth;
	size_t n;
	char key[MAX_FIELDS][64];
	char val[MAX_FIELDS][512];
	int is_string[MAX_FIELDS];
};

static void ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int put_utf8(char *out, size_t cap, size_t *o, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	if (*o + n >= cap)
		return -1;
	memcpy(out + *o, b, n);
	*o += n;
	return 0;
}

/* A string; unescaped into out (may be NULL). */
static int jstring(struct json *j, char *out, size_t cap)
{
	size_t o = 0;
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		if (c < 0x20)
			return -1; /* control characters must be escaped */
		if (c == '\\') {
			if (j->p >= j->end)
				return -1;
			char e = *j->p++;
			unsigned cp;
			switch (e) {
			case '"':
				cp = '"';
				break;
			case '\\':
				cp = '\\';
				break;
			case '/':
				cp = '/';
				break;
			case 'b':
				cp = '\b';
				break;
			case 'f':
				cp = '\f';
				break;
			case 'n':
				cp = '\n';
				break;
			case 'r':
				cp = '\r';
				break;
			case 't':
				cp = '\t';
				break;
			case 'u':
				if (j->end - j->p < 4 || sscanf(j->p, "%4x", &cp) != 1)
					return -1;
				for (int i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF", j->p[i]))
						return -1;
				j->p += 4;
				break;
			default:
				return -1;
			}
			if (out && put_utf8(out, cap, &o, cp))
				return -1;
		} else if (out) {
			if (o + 1 >= cap)
				return -1;
			out[o++] = (char)c;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	if (out)
		out[o] = '\0';
	return 0;
}

static int jvalue(struct json *j);

static int jnumber(struct json *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return -1;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return -1;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s ? 0 : -1;
}

static int jliteral(struct json *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int jarray(struct json *j)
{
	j->p++; /* [ */
	ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if (jvalue(j))
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		return -1;
	}
}

static int jobject(struct json *j)
{
	int top = j->depth == 1;
	j->p++; /* { */
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		char key[64];
		ws(j);
		if (jstring(j, key, sizeof(key)))
			return -1;
		ws(j);
		if (j->p >= j->end || *j->p != ':')
			return -1;
		j->p++;
		ws(j);
		const char *vstart = j->p;
		int str = j->p < j->end && *j->p == '"';
		if (top && j->n < MAX_FIELDS) {
			for (size_t i = 0; i < j->n; i++)
				if (!strcmp(j->key[i], key))
					return -1; /* duplicate member */
			snprintf(j->key[j->n], sizeof(j->key[0]), "%s", key);
			j->is_string[j->n] = str;
			if (str) {
				if (jstring(j, j->val[j->n], sizeof(j->val[0])))
					return -1;
			} else {
				if (jvalue(j))
					return -1;
				snprintf(j->val[j->n], sizeof(j->val[0]), "%.*s", (int)(j->p - vstart), vstart);
			}
			j->n++;
		} else if (jvalue(j)) {
			return -1;
		}
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return 0;
		}
		return -1;
	}
}

static int jvalue(struct json *j)
{
	int rc;
	ws(j);
	if (j->p >= j->end || ++j->depth > 16)
		return -1;
	switch (*j->p) {
	case '{':
		rc = jobject(j);
		break;
	case '[':
		rc = jarray(j);
		break;
	case '"':
		rc = jstring(j, NULL, 0);
		break;
	case 't':
		rc = jliteral(j, "true");
		break;
	case 'f':
		rc = jliteral(j, "false");
		break;
	case 'n':
		rc = jliteral(j, "null");
		break;
	default:
		rc = jnumber(j);
		break;
	}
	j->depth--;
	return rc;
}

/* 0 if text[0..n) is exactly one JSON object (one line: no raw newline). */
static int json_parse(const char *text, size_t n, struct json *j)
{
	memset(j, 0, sizeof(*j));
	if (memchr(text, '\n', n))
		return -1;
	j->p = text;
	j->end = text + n;
	ws(j);
	if (j->p >= j->end || *j->p != '{' || jvalue(j))
		return -1;
	ws(j);
	return j->p == j->end ? 0 : -1;
}

/* The value of a top-level member, or NULL. */
static const char *field(const struct json *j, const char *key)
{
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->key[i], key))
			return j->val[i];
	return NULL;
}

static int weakness(const struct json *j, const char *name)
{
	const char *w = field(j, "weaknesses");
	char quoted[64];
	snprintf(quoted, sizeof(quoted), "\"%s\"", name);
	return w && strstr(w, quoted) != NULL;
}

/* ------------------------------------------------------------- fixtures */

static char store_path[256];
#define NOW 1700000000 /* 2023-11-14T22:13:20Z */

static int64_t fixed_now(void *arg)
{
	return *(int64_t *)arg;
}

/* What the audit callback saw. */
struct trail {
	int calls;
	char line[4][2048];
	size_t len[4];
	ntlm_audit_event last;
};

static void audit_cb(void *arg, const ntlm_audit_event *ev)
{
	struct trail *t = arg;
	ntlm_buffer json = {NULL, 0};
	if (t->calls < 4 && ntlm_audit_json(ev, &json) == NTLM_OK && json.len < sizeof(t->line[0])) {
		memcpy(t->line[t->calls], json.data, json.len);
		t->line[t->calls][json.len] = '\0';
		t->len[t->calls] = json.len;
	}
	ntlm_buffer_free(&json);
	t->last = *ev;
	t->last.domain = t->last.user = t->last.workstation = t->last.authenticated = NULL;
	t->last.target_name = NULL; /* pointers die with the call */
	t->calls++;
}

struct run {
	ntlm_policy cpol, spol;
	ntlm_client_config ccfg;
	ntlm_server_config scfg;
	ntlm_hooks hooks;
	int64_t now;
	struct trail trail;
	ntlm_ctx *client, *server;
	ntlm_cred *cred;
	ntlm_account_store *store;
	ntlm_err rc;
	uint32_t server_flags;
};

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->now = NOW;
	r->hooks.struct_size = sizeof(r->hooks);
	r->hooks.now = fixed_now;
	r->hooks.arg = &r->now;
	ntlm_policy_init(&r->cpol);
	ntlm_policy_init(&r->spol);
	r->ccfg.struct_size = sizeof(r->ccfg);
	r->ccfg.policy = &r->cpol;
	r->ccfg.workstation = "CLIENTPC";
	r->ccfg.hooks = &r->hooks;
	r->scfg.struct_size = sizeof(r->scfg);
	r->scfg.policy = &r->spol;
	r->scfg.computer_name = "SERVER";
	r->scfg.hooks = &r->hooks;
	r->scfg.audit = audit_cb;
	r->scfg.audit_arg = &r->trail;
}

/* One handshake as user/password (user NULL: a raw AUTHENTICATE from auth_override). */
static ntlm_err run_go(struct run *r, const char *user, const char *password,
                       const uint8_t *auth_override, size_t auth_len)
{
	ntlm_buffer neg = {0}, chal = {0}, auth = {0}, none = {0};
	ntlm_err rc;
	if (ntlm_account_store_smbpasswd(&r->store, store_path) != NTLM_OK)
		return NTLM_E_INTERNAL;
	r->scfg.store = r->store;
	rc = ntlm_cred_password(&r->cred, "WORKGROUP", user ? user : "x", password ? password : "x");
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&r->client, r->cred, &r->ccfg);
	if (rc == NTLM_OK)
		rc = ntlm_server_new(&r->server, &r->scfg);
	if (rc == NTLM_OK && (rc = ntlm_step(r->client, NULL, 0, &neg)) == NTLM_CONTINUE &&
	    (rc = ntlm_step(r->server, neg.data, neg.len, &chal)) == NTLM_CONTINUE) {
		rc = ntlm_step(r->client, chal.data, chal.len, &auth);
		if (auth_override)
			rc = ntlm_step(r->server, auth_override, auth_len, &none);
		else if (rc == NTLM_OK)
			rc = ntlm_step(r->server, auth.data, auth.len, &none);
	}
	r->server_flags = ntlm_ctx_flags(r->server);
	ntlm_buffer_free(&neg);
	ntlm_buffer_free(&chal);
	ntlm_buffer_free(&auth);
	ntlm_buffer_free(&none);
	r->rc = rc;
	return rc;
}

static void run_free(struct run *r)
{
	ntlm_ctx_free(r->client);
	ntlm_ctx_free(r->server);
	ntlm_cred_free(r->cred);
	ntlm_account_store_free(r->store);
}

/* The one audit line of r, parsed. */
#define PARSE_ONE(r, j)                                                                            \
	do {                                                                                           \
		T_ASSERT((r)->trail.calls == 1);                                                           \
		if (json_parse((r)->trail.line[0], (r)->trail.len[0], (j)) != 0)                           \
			T_FAIL("not one valid JSON object: %s", (r)->trail.line[0]);                           \
	} while (0)

/* ---------------------------------------------------------------- tests */

static void test_json_reader_rejects(void)
{
	/* the checker itself must be able to fail */
	struct json j;
	static const char *bad[] = {
		"{\"a\":1,}",  "{\"a\" 1}", "{\"a\":\"x\ty\"}",  "{\"a\":\"\\q\"}",   "{\"a\":tru}",
		"{\"a\":1}{",  "[1]",       "{\"a\":1,\"a\":2}", "{\"a\":\"\\u12\"}", "{\"a\":01}",
		"{\"a\":1}\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_parse(bad[i], strlen(bad[i]), &j) == 0)
			T_FAIL("accepted bad JSON %s", bad[i]);
	const char *good = "{\"a\":\"x\\\"\\\\\\u0001\",\"b\":[true,false,null,-1.5],\"c\":{}}";
	T_ASSERT(json_parse(good, strlen(good), &j) == 0);
	T_STR(field(&j, "a"), "x\"\\\x01");
}

static void test_success_ntlmv2(void)
{
	struct run r;
	struct json j;
	run_init(&r);
	T_OK(run_go(&r, "alice", "Secret-1", NULL, 0));
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "time"), "2023-11-14T22:13:20Z");
	T_STR(field(&j, "result"), "success");
	T_STR(field(&j, "error"), "NTLM_OK");
	T_STR(field(&j, "domain"), "WORKGROUP");
	T_STR(field(&j, "user"), "alice");
	T_STR(field(&j, "workstation"), "CLIENTPC");
	T_STR(field(&j, "authenticated"), "SERVER\\alice");
	T_STR(field(&j, "response"), "NTLMv2");
	char flags[16];
	snprintf(flags, sizeof(flags), "0x%08x", r.server_flags);
	T_STR(field(&j, "flags"), flags);
	T_STR(field(&j, "mic"), "true"); /* the server sent a timestamp: the client sent a MIC */
	T_STR(field(&j, "channel_bindings"), "false");
	T_STR(field(&j, "target_name_present"), "false");
	T_ASSERT(field(&j, "target_name") == NULL);
	T_ASSERT(weakness(&j, "no_channel_bindings"));
	T_ASSERT(weakness(&j, "no_target_name"));
	T_ASSERT(!weakness(&j, "no_mic"));
	T_ASSERT(!weakness(&j, "ntlmv1"));
	T_ASSERT(!weakness(&j, "lm"));
	/* the event itself */
	T_ASSERT(r.trail.last.result == NTLM_OK);
	T_ASSERT(r.trail.last.time == NOW);
	T_ASSERT(r.trail.last.kind == NTLM_KIND_NTLMV2);
	T_ASSERT(r.trail.last.mic == 1);
	run_free(&r);
}

static void test_failure_wrong_password(void)
{
	struct run r;
	struct json j;
	run_init(&r);
	T_EXPECT_ERR(run_go(&r, "alice", "wrong", NULL, 0), NTLM_E_LOGON_FAILURE);
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "result"), "failure");
	T_STR(field(&j, "error"), "NTLM_E_LOGON_FAILURE");
	T_ASSERT(field(&j, "reason") && field(&j, "reason")[0]);
	T_STR(field(&j, "user"), "alice");
	T_STR(field(&j, "domain"), "WORKGROUP");
	T_ASSERT(field(&j, "authenticated") == NULL); /* nobody was authenticated */
	T_STR(field(&j, "mic"), "false");             /* not verified */
	run_free(&r);
}

static void test_failure_unknown_user(void)
{
	struct run r;
	struct json j;
	run_init(&r);
	/* the peer sees a logon failure, as for a wrong password; the audit, the truth */
	T_EXPECT_ERR(run_go(&r, "nobody", "x", NULL, 0), NTLM_E_LOGON_FAILURE);
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "result"), "failure");
	T_STR(field(&j, "error"), "NTLM_E_NO_SUCH_USER");
	T_STR(field(&j, "user"), "nobody");
	run_free(&r);
}

static void test_ntlmv1_weaknesses(void)
{
	struct run r;
	struct json j;
	run_init(&r);
	r.cpol.allowed_responses = NTLM_RESP_NTLMV1;
	r.spol.allowed_responses = NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1;
	T_OK(run_go(&r, "alice", "Secret-1", NULL, 0));
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "result"), "success");
	T_STR(field(&j, "response"), "NTLMv1-ESS");
	T_STR(field(&j, "mic"), "false");
	T_ASSERT(weakness(&j, "ntlmv1"));
	T_ASSERT(weakness(&j, "no_mic"));
	T_ASSERT(r.trail.last.weaknesses & NTLM_WEAK_NTLMV1);
	T_ASSERT(r.trail.last.weaknesses & NTLM_WEAK_NO_MIC);
	run_free(&r);

	/* refused by policy: still audited, as a failure */
	run_init(&r);
	r.cpol.allowed_responses = NTLM_RESP_NTLMV1;
	T_EXPECT_ERR(run_go(&r, "alice", "Secret-1", NULL, 0), NTLM_E_NTLMV1_REFUSED);
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "result"), "failure");
	T_STR(field(&j, "error"), "NTLM_E_NTLMV1_REFUSED");
	T_STR(field(&j, "response"), "NTLMv1-ESS");
	run_free(&r);
}

static void test_target_and_bindings(void)
{
	static const uint8_t cbt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const char *const services[] = {"HOST/server.example", NULL};
	struct run r;
	struct json j;
	run_init(&r);
	r.ccfg.target_name = "HOST/server.example";
	r.ccfg.cbt_hash = cbt;
	r.scfg.service_names = services;
	r.scfg.cbt_hash = cbt;
	r.spol.require_target_name = 1;
	r.spol.cbt = NTLM_CBT_REQUIRED;
	T_OK(run_go(&r, "alice", "Secret-1", NULL, 0));
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "target_name_present"), "true");
	T_STR(field(&j, "target_name"), "HOST/server.example");
	T_STR(field(&j, "channel_bindings"), "true");
	T_ASSERT(!weakness(&j, "no_target_name"));
	T_ASSERT(!weakness(&j, "no_channel_bindings"));
	run_free(&r);
}

/* Names as sent may hold anything JSON must escape. */
static void test_escaping(void)
{
	struct run r;
	struct json j;
	const char *user = "we\"ird\\na\x01me\t/\xc3\xa9";
	run_init(&r);
	T_EXPECT_ERR(run_go(&r, user, "x", NULL, 0), NTLM_E_LOGON_FAILURE); /* unknown user */
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "user"), user);
	run_free(&r);
}

/* A message that does not even decode is audited too, with empty names. */
static void test_malformed_authenticate(void)
{
	static const uint8_t junk[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 3, 0, 0, 0, 0xff};
	struct run r;
	struct json j;
	run_init(&r);
	ntlm_err rc = run_go(&r, "alice", "Secret-1", junk, sizeof(junk));
	T_ASSERT(rc != NTLM_OK);
	PARSE_ONE(&r, &j);
	T_STR(field(&j, "result"), "failure");
	T_STR(field(&j, "error"), ntlm_err_name(rc));
	T_STR(field(&j, "user"), "");
	T_STR(field(&j, "response"), "none");
	run_free(&r);
}

static void test_audit_json_direct(void)
{
	ntlm_audit_event ev = {NTLM_AUDIT_EVENT_INIT};
	ntlm_buffer out = {0};
	struct json j;
	ev.time = 0;
	ev.result = NTLM_E_MIC_MISMATCH;
	ev.kind = NTLM_KIND_LM;
	ev.flags = 0xe2888215u;
	ev.weaknesses = NTLM_WEAK_LM | NTLM_WEAK_NTLMV1 | NTLM_WEAK_NO_MIC | NTLM_WEAK_NO_CBT |
	                NTLM_WEAK_SHORT_KEY | NTLM_WEAK_NO_KEY_EXCH | NTLM_WEAK_NO_TARGET;
	/* NULL names render as "" */
	T_OK(ntlm_audit_json(&ev, &out));
	if (json_parse((const char *)out.data, out.len, &j) != 0)
		T_FAIL("invalid JSON: %.*s", (int)out.len, (const char *)out.data);
	T_STR(field(&j, "time"), "1970-01-01T00:00:00Z");
	T_STR(field(&j, "error"), "NTLM_E_MIC_MISMATCH");
	T_STR(field(&j, "response"), "LM");
	T_STR(field(&j, "flags"), "0xe2888215");
	T_STR(field(&j, "domain"), "");
	const char *names[] = {"lm",        "ntlmv1",          "no_mic",        "no_channel_bindings",
	                       "short_key", "no_key_exchange", "no_target_name"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!weakness(&j, names[i]))
			T_FAIL("weakness %s missing", names[i]);
	ntlm_buffer_free(&out);
	ev.weaknesses = 0;
	T_OK(ntlm_audit_json(&ev, &out));
	T_ASSERT(json_parse((const char *)out.data, out.len, &j) == 0);
	T_STR(field(&j, "weaknesses"), "[]");
	ntlm_buffer_free(&out);
	T_EXPECT_ERR(ntlm_audit_json(NULL, &out), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(ntlm_audit_json(&ev, NULL), NTLM_E_INVALID_PARAMETER);
}

int main(void)
{
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-test-audit-%d.smbpasswd", (int)getpid());
	unlink(store_path);
	uint8_t nt[16];
	T_SETUP(ntlm_nt_hash("Secret-1", nt));
	if (smbpw_modify(store_path, SMBPW_ADD, "alice", nt, NULL, 0) != NTLM_OK) {
		fprintf(stderr, "cannot create %s\n", store_path);
		return 1;
	}
	T_RUN(test_json_reader_rejects);
	T_RUN(test_success_ntlmv2);
	T_RUN(test_failure_wrong_password);
	T_RUN(test_failure_unknown_user);
	T_RUN(test_ntlmv1_weaknesses);
	T_RUN(test_target_and_bindings);
	T_RUN(test_escaping);
	T_RUN(test_malformed_authenticate);
	T_RUN(test_audit_json_direct);
	unlink(store_path);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}
