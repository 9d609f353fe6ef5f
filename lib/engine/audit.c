/* audit.c - one JSON object per authentication; see ntlm_audit_json() */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "sized.h"
#include "try.h"

static void put(nb_writer *w, const char *s)
{
	nb_write_bytes(w, s, strlen(s));
}

/* JSON string with the escapes RFC 8259 requires (input is UTF-8). */
static void put_json_string(nb_writer *w, const char *s)
{
	put(w, "\"");
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			nb_write_bytes(w, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(w, esc);
		} else {
			nb_write_bytes(w, p, 1);
		}
	}
	put(w, "\"");
}

static void put_field_string(nb_writer *w, const char *key, const char *value)
{
	put(w, ",\"");
	put(w, key);
	put(w, "\":");
	put_json_string(w, value);
}

static void put_field_bool(nb_writer *w, const char *key, int value)
{
	put(w, ",\"");
	put(w, key);
	put(w, value ? "\":true" : "\":false");
}

static const struct {
	uint32_t bit;
	const char *name;
} weakness_names[] = {
	{NTLM_WEAK_LM, "lm"},
	{NTLM_WEAK_NTLMV1, "ntlmv1"},
	{NTLM_WEAK_NO_MIC, "no_mic"},
	{NTLM_WEAK_NO_CBT, "no_channel_bindings"},
	{NTLM_WEAK_SHORT_KEY, "short_key"},
	{NTLM_WEAK_NO_KEY_EXCH, "no_key_exchange"},
	{NTLM_WEAK_NO_TARGET, "no_target_name"},
};

NTLM_API ntlm_err ntlm_audit_json(const ntlm_audit_event *caller, ntlm_buffer *out)
{
	ntlm_audit_event own;
	const ntlm_audit_event *ev = &own;
	if (!caller || !out)
		return NTLM_E_INVALID_PARAMETER;
	/* an event from an older header is read only as far as its size goes */
	NTLM_TRY(ntlm_sized_in(&own, sizeof(own), caller, AUDIT_EVENT_V0_SIZE));
	nb_writer w;
	nb_writer_init(&w);
	char tbuf[64];
	time_t t = (time_t)ev->time;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(tbuf, "1970-01-01T00:00:00Z");
	put(&w, "{\"time\":");
	put_json_string(&w, tbuf);
	put_field_string(&w, "result", ev->result == NTLM_OK ? "success" : "failure");
	put_field_string(&w, "error", ntlm_err_name(ev->result));
	put_field_string(&w, "reason", ntlm_strerror(ev->result));
	if (ev->rule)
		put_field_string(&w, "rule", ev->rule);
	put_field_string(&w, "domain", ev->domain);
	put_field_string(&w, "user", ev->user);
	put_field_string(&w, "workstation", ev->workstation);
	if (ev->authenticated)
		put_field_string(&w, "authenticated", ev->authenticated);
	if (ev->account_source)
		put_field_string(&w, "account_source", ev->account_source);
	put_field_string(&w, "response", ntlm_response_kind_name(ev->kind));
	char flags[16];
	snprintf(flags, sizeof(flags), "0x%08x", ev->flags);
	put_field_string(&w, "flags", flags);
	put_field_bool(&w, "mic", ev->mic);
	put_field_bool(&w, "channel_bindings", ev->cbt);
	put_field_bool(&w, "target_name_present", ev->target);
	if (ev->target_name)
		put_field_string(&w, "target_name", ev->target_name);
	put(&w, ",\"weaknesses\":[");
	int first = 1;
	for (size_t i = 0; i < NTLM_ARRAY_LEN(weakness_names); i++) {
		if (!(ev->weaknesses & weakness_names[i].bit))
			continue;
		if (!first)
			put(&w, ",");
		put_json_string(&w, weakness_names[i].name);
		first = 0;
	}
	put(&w, "]}");
	return nb_writer_finish(&w, out);
}
