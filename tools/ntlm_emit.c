/* ntlm_emit.c - text / JSON rendering; see ntlm_emit.h */
#include "ntlm_emit.h"

#include <inttypes.h>
#include <string.h>

static int top(const emit *e)
{
	return e->depth - 1;
}

static void put_escaped(emit *e, const char *s)
{
	fputc('"', e->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(e->f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(e->f, "\\u%04x", *p);
		else
			fputc(*p, e->f);
	}
	fputc('"', e->f);
}

static void text_prefix(emit *e, int k);

/* A list's header line is printed with its first item ("key: []" if none). */
static void flush_pending(emit *e, int k)
{
	if (!e->pending[k])
		return;
	text_prefix(e, k - 1);
	fprintf(e->f, "%s:\n", e->pending[k]);
	e->pending[k] = NULL;
}

/*
 * Indentation for the next member of container k: two spaces per level;
 * the first member of an object that is a list item, and a plain list
 * item, carry the "- " marker.
 */
static void text_prefix(emit *e, int k)
{
	if (e->is_list[k])
		flush_pending(e, k);
	int item = e->is_list[k] || (k > 0 && e->is_list[k - 1] && e->count[k] == 0);
	int indent = e->is_list[k] ? 2 * k + 2 : 2 * k;
	for (int i = 0; i < indent - (item ? 2 : 0); i++)
		fputc(' ', e->f);
	if (item)
		fputs("- ", e->f);
	e->count[k]++;
}

/* Starts a member of the innermost container: "key: " / "- " / "," "\"key\":". */
static void member(emit *e, const char *key)
{
	int k = top(e);
	if (!e->json) {
		text_prefix(e, k);
		if (!e->is_list[k])
			fprintf(e->f, "%s: ", key);
		return;
	}
	if (e->count[k]++)
		fputc(',', e->f);
	if (!e->is_list[k]) {
		put_escaped(e, key);
		fputc(':', e->f);
	}
}

static void push(emit *e, int list, const char *key)
{
	int k = top(e);
	if (e->depth == EMIT_MAX_DEPTH) {
		e->too_deep++; /* deeper than any caller goes: its members join the parent */
		return;
	}
	if (e->json) {
		member(e, key);
		fputc(list ? '[' : '{', e->f);
	} else if (list) {
		e->pending[k + 1] = e->is_list[k] ? "-" : key;
	} else if (!e->is_list[k]) {
		text_prefix(e, k);
		fprintf(e->f, "%s:\n", key);
	} else {
		/* an object item: its first member carries the "- " */
		flush_pending(e, k);
		e->count[k]++;
	}
	e->depth++;
	e->is_list[k + 1] = list;
	e->count[k + 1] = 0;
}

void emit_object(emit *e, const char *key)
{
	push(e, 0, key);
}

void emit_list(emit *e, const char *key)
{
	push(e, 1, key);
}

void emit_close(emit *e)
{
	int k = top(e);
	if (e->too_deep) {
		e->too_deep--;
		return;
	}
	if (k <= 0)
		return;
	if (e->json) {
		fputc(e->is_list[k] ? ']' : '}', e->f);
	} else if (e->pending[k]) {
		const char *key = e->pending[k];
		e->pending[k] = NULL;
		text_prefix(e, k - 1);
		fprintf(e->f, "%s: []\n", key);
	}
	e->depth--;
}

void emit_begin(emit *e, FILE *f, int json)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->json = json;
	e->depth = 1;
	if (json)
		fputc('{', f);
}

void emit_end(emit *e)
{
	while (e->depth > 1)
		emit_close(e);
	if (e->json)
		fputs("}\n", e->f);
	fflush(e->f);
}

void emit_str(emit *e, const char *key, const char *s)
{
	member(e, key);
	put_escaped(e, s ? s : "");
	if (!e->json)
		fputc('\n', e->f);
}

void emit_text(emit *e, const char *key, const char *s)
{
	if (e->json) {
		emit_str(e, key, s);
		return;
	}
	member(e, key);
	fprintf(e->f, "%s\n", s);
}

void emit_uint(emit *e, const char *key, uint64_t v)
{
	member(e, key);
	fprintf(e->f, e->json ? "%" PRIu64 : "%" PRIu64 "\n", v);
}

void emit_hex32(emit *e, const char *key, uint32_t v)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
	emit_text(e, key, buf);
}

void emit_bytes(emit *e, const char *key, const uint8_t *p, size_t n)
{
	member(e, key);
	if (e->json)
		fputc('"', e->f);
	for (size_t i = 0; i < n; i++)
		fprintf(e->f, "%02x", p[i]);
	fputs(e->json ? "\"" : "\n", e->f);
}

void emit_bool(emit *e, const char *key, int v)
{
	member(e, key);
	if (e->json)
		fputs(v ? "true" : "false", e->f);
	else
		fputs(v ? "yes\n" : "no\n", e->f);
}
