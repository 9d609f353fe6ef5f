/*
 * avpairs.c - AV_PAIR lists ([MS-NLMP] 2.2.2.1): the CHALLENGE TargetInfo
 * and the AvPairs of an NTLMv2 client challenge; see wire.h.
 *
 * AV_PAIR, 2.2.2.1 (a list of these, ended by MsvAvEOL)
 *
 *    0  AvId                 2
 *    2  AvLen                2
 *    4  Value                AvLen bytes, any alignment
 *
 * Unknown ids are kept as they are (a later Windows may add ids; a server
 * must echo the list it got) and are not an error.
 */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "text.h"
#include "try.h"

static const char *const av_names[] = {
	"MsvAvEOL",           "MsvAvNbComputerName", "MsvAvNbDomainName",  "MsvAvDnsComputerName",
	"MsvAvDnsDomainName", "MsvAvDnsTreeName",    "MsvAvFlags",         "MsvAvTimestamp",
	"MsvAvSingleHost",    "MsvAvTargetName",     "MsvChannelBindings",
};

/* Sizes fixed by 2.2.2.1 (MsvAvSingleHost: 2.2.2.2 Single_Host_Data, >= 48). */
#define AV_FLAGS_SIZE            4
#define AV_TIMESTAMP_SIZE        8
#define AV_CHANNEL_BINDINGS_SIZE 16
#define AV_SINGLE_HOST_MIN       48

const char *nw_av_name(uint16_t id)
{
	return id < NTLM_ARRAY_LEN(av_names) ? av_names[id] : NULL;
}

static int av_is_string(uint16_t id)
{
	switch (id) {
	case NW_AV_NB_COMPUTER:
	case NW_AV_NB_DOMAIN:
	case NW_AV_DNS_COMPUTER:
	case NW_AV_DNS_DOMAIN:
	case NW_AV_DNS_TREE:
	case NW_AV_TARGET_NAME:
		return 1;
	default:
		return 0;
	}
}

/* The per-id value rules of nw_av_parse (MsvAvEOL is handled by the caller). */
static int av_value_ok(uint16_t id, size_t len)
{
	switch (id) {
	case NW_AV_FLAGS:
		return len == AV_FLAGS_SIZE;
	case NW_AV_TIMESTAMP:
		return len == AV_TIMESTAMP_SIZE;
	case NW_AV_CHANNEL_BINDINGS:
		return len == AV_CHANNEL_BINDINGS_SIZE;
	case NW_AV_SINGLE_HOST:
		return len >= AV_SINGLE_HOST_MIN;
	default:
		return !av_is_string(id) || len % 2 == 0;
	}
}

/*
 * nw_av_list has no capacity field, so the array is sized by a rule on n
 * alone: room for the next power of two. Appending then reallocates only
 * when n is 0 or a power of two, which keeps a 16k-pair list linear.
 * (Lists are built only by nw_av_parse and nw_av_set*, which follow it.)
 */
static int av_full(size_t n)
{
	return (n & (n - 1)) == 0; /* 0, 1, 2, 4, ... */
}

/* Appends a pair whose value buffer the list takes over (NULL iff len 0). */
static ntlm_err av_append_owned(nw_av_list *list, uint16_t id, uint8_t *value, size_t len)
{
	if (av_full(list->n)) {
		size_t cap = list->n ? 2 * list->n : 1;
		nw_av *items = realloc(list->items, cap * sizeof(*items));
		if (!items)
			return NTLM_E_NO_MEMORY;
		list->items = items;
	}
	list->items[list->n++] = (nw_av){id, value, len};
	return NTLM_OK;
}

/* A heap copy of a value; NULL for an empty one. */
static ntlm_err av_dup(const uint8_t *value, size_t len, uint8_t **out)
{
	*out = NULL;
	if (len == 0)
		return NTLM_OK;
	if (!value)
		return NTLM_E_INVALID_PARAMETER;
	*out = ntlm_calloc(len, 1);
	if (!*out)
		return NTLM_E_NO_MEMORY;
	memcpy(*out, value, len);
	return NTLM_OK;
}

/* Replaces the value of id, or appends the pair; takes over value either way. */
static ntlm_err av_put_owned(nw_av_list *list, uint16_t id, uint8_t *value, size_t len)
{
	ntlm_err rc = NTLM_E_INVALID_PARAMETER;
	if (list && !list->borrowed && id != NW_AV_EOL && len <= UINT16_MAX) {
		for (size_t i = 0; i < list->n; i++) {
			if (list->items[i].id == id) {
				ntlm_free_secret(list->items[i].value, list->items[i].len);
				list->items[i].value = value;
				list->items[i].len = len;
				return NTLM_OK;
			}
		}
		rc = av_append_owned(list, id, value, len);
	}
	if (rc != NTLM_OK)
		ntlm_free_secret(value, len);
	return rc;
}

/* "MsvAvTimestamp", or "AvId 77" for an id without a name. */
static const char *av_label(uint16_t id, char buf[16])
{
	if (nw_av_name(id))
		return nw_av_name(id);
	snprintf(buf, 16, "AvId %u", id);
	return buf;
}

/* Explains why av_value_ok refused the value of id. */
static void av_value_fault(nw_fault *fault, uint16_t id, uint16_t len, size_t at)
{
	char label[16];
	const char *expect = id == NW_AV_FLAGS              ? "4"
	                     : id == NW_AV_TIMESTAMP        ? "8"
	                     : id == NW_AV_CHANNEL_BINDINGS ? "16"
	                     : id == NW_AV_SINGLE_HOST      ? "at least 48"
	                                                    : NULL;
	if (expect)
		nw_fault_set(fault, av_label(id, label), at, "length %u, expected %s", len, expect);
	else
		nw_fault_set(fault, av_label(id, label), at, "odd length %u for a UTF-16 string", len);
}

/* Reads and checks one pair (MsvAvEOL included). Any fault is a bad pair. */
static ntlm_err av_read_pair(nb_reader *r, uint16_t *id, const uint8_t **value, uint16_t *len,
                             nw_fault *fault)
{
	char label[16];
	size_t at = nb_pos(r);
	if (nb_read_u16le(r, id) != NTLM_OK || nb_read_u16le(r, len) != NTLM_OK) {
		nw_fault_set(fault, "AV_PAIR", at,
		             "the header runs past the end of the list (no MsvAvEOL)");
		return NTLM_E_BAD_AV_PAIR;
	}
	if (nb_read_view(r, *len, value) != NTLM_OK) {
		nw_fault_set(fault, av_label(*id, label), at,
		             "length %u runs past the end of the list (%zu bytes left)", *len,
		             nb_remaining(r));
		return NTLM_E_BAD_AV_PAIR;
	}
	if (*id == NW_AV_EOL && *len != 0) {
		nw_fault_set(fault, "MsvAvEOL", at, "length %u, expected 0", *len);
		return NTLM_E_BAD_AV_PAIR;
	}
	if (*id != NW_AV_EOL && !av_value_ok(*id, *len)) {
		av_value_fault(fault, *id, *len, at);
		return NTLM_E_BAD_AV_PAIR;
	}
	return NTLM_OK;
}

/*
 * The ids a parse has met, one bit each: the known ids (< 64) in a word, any
 * other in a 64 Kibit set allocated at the first one. A duplicate costs one
 * lookup, so a list of n distinct unknown ids parses in O(n), not O(n^2).
 */
struct av_seen {
	uint64_t low;
	uint8_t *high;
};

/* NTLM_E_BAD_AV_PAIR if id was seen before; marks it seen. */
static ntlm_err av_mark_seen(struct av_seen *s, uint16_t id)
{
	if (id < 64) {
		uint64_t bit = (uint64_t)1 << id;
		if (s->low & bit)
			return NTLM_E_BAD_AV_PAIR;
		s->low |= bit;
		return NTLM_OK;
	}
	if (!s->high && !(s->high = ntlm_calloc((UINT16_MAX + 1) / 8, 1)))
		return NTLM_E_NO_MEMORY;
	uint8_t bit = (uint8_t)(1u << (id & 7));
	if (s->high[id >> 3] & bit)
		return NTLM_E_BAD_AV_PAIR;
	s->high[id >> 3] |= bit;
	return NTLM_OK;
}

/*
 * Checks every pair up to MsvAvEOL; with a list, also appends each: a copy
 * of its value, or with list->borrowed a view of it (the array then sized
 * once, by the count a first pass returned in *count).
 */
static ntlm_err av_walk(nb_reader *r, nw_av_list *list, size_t *count, nw_fault *fault)
{
	struct av_seen seen = {0, NULL};
	ntlm_err rc = NTLM_OK;
	*count = 0;
	for (;;) {
		uint16_t id, len;
		const uint8_t *value;
		uint8_t *copy = NULL;
		char label[16];
		size_t at = nb_pos(r);
		if ((rc = av_read_pair(r, &id, &value, &len, fault)) != NTLM_OK || id == NW_AV_EOL)
			break; /* trailing bytes after MsvAvEOL are padding (Windows adds some) */
		if ((rc = av_mark_seen(&seen, id)) != NTLM_OK) {
			if (rc == NTLM_E_BAD_AV_PAIR)
				nw_fault_set(fault, av_label(id, label), at, "appears twice");
			break;
		}
		++*count;
		if (list && list->borrowed) /* a view list never writes or frees through it */
			list->items[list->n++] = (nw_av){id, len ? (uint8_t *)value : NULL, len};
		else if (list && ((rc = av_dup(value, len, &copy)) != NTLM_OK ||
		                  (rc = av_append_owned(list, id, copy, len)) != NTLM_OK))
			break;
	}
	free(seen.high); /* ids only, nothing secret */
	return rc;
}

static ntlm_err av_parse(const uint8_t *data, size_t len, nw_av_list *list, int borrowed,
                         nw_fault *fault)
{
	nb_reader r;
	size_t count;
	if (!list)
		return NTLM_E_INVALID_PARAMETER;
	list->items = NULL;
	list->n = 0;
	list->borrowed = borrowed;
	if (len && !data)
		return NTLM_E_INVALID_PARAMETER;
	if (len == 0)
		return NTLM_OK;
	nb_reader_init(&r, data, len);
	ntlm_err rc = NTLM_OK;
	if (borrowed) {
		/* checked first, so the array is allocated once, at its size */
		rc = av_walk(&r, NULL, &count, fault);
		if (rc == NTLM_OK && count && !(list->items = malloc(count * sizeof(nw_av))))
			rc = NTLM_E_NO_MEMORY;
		nb_reader_init(&r, data, len);
	}
	if (rc == NTLM_OK)
		rc = av_walk(&r, list, &count, fault);
	if (rc != NTLM_OK)
		nw_av_clear(list);
	return rc;
}

ntlm_err nw_av_parse(const uint8_t *data, size_t len, nw_av_list *list)
{
	return av_parse(data, len, list, 0, NULL);
}

ntlm_err nw_av_parse_fault(const uint8_t *data, size_t len, nw_av_list *list, nw_fault *fault)
{
	return av_parse(data, len, list, 0, fault);
}

ntlm_err nw_av_parse_view(const uint8_t *data, size_t len, nw_av_list *list)
{
	return av_parse(data, len, list, 1, NULL);
}

ntlm_err nw_av_write(nb_writer *w, uint16_t id, const uint8_t *value, size_t len)
{
	/* An EOL inside the list would cut it short for every reader. */
	if (id == NW_AV_EOL || len > UINT16_MAX || (len && !value))
		return NTLM_E_INVALID_PARAMETER;
	nb_write_u16le(w, id);
	nb_write_u16le(w, (uint16_t)len);
	nb_write_bytes(w, value, len);
	return w->err;
}

ntlm_err nw_av_write_string(nb_writer *w, uint16_t id, const char *utf8)
{
	size_t room = 2 * (utf8 ? strlen(utf8) : 0), len, at = w->len;
	uint8_t *value;
	if (id == NW_AV_EOL)
		return NTLM_E_INVALID_PARAMETER;
	nb_write_u16le(w, id);
	nb_write_u16le(w, 0); /* AvLen, patched once the value is converted */
	if (!(value = nb_write_open(w, room)))
		return w->err;
	NTLM_TRY(ntlm_utf8_to_utf16le_into(utf8, value, room, &len));
	if (len > UINT16_MAX)
		return NTLM_E_INVALID_PARAMETER;
	nb_write_commit(w, len);
	NTLM_TRY(w->err);
	return nb_patch_u16le(w, at + 2, (uint16_t)len);
}

ntlm_err nw_av_write_eol(nb_writer *w)
{
	nb_write_u16le(w, NW_AV_EOL);
	nb_write_u16le(w, 0);
	return w->err;
}

ntlm_err nw_av_encode(const nw_av_list *list, ntlm_buffer *out)
{
	nb_writer w;
	if (!list || !out)
		return NTLM_E_INVALID_PARAMETER;
	out->data = NULL;
	out->len = 0;
	nb_writer_init(&w);
	size_t total = 4; /* MsvAvEOL */
	for (size_t i = 0; i < list->n; i++)
		total += 4 + list->items[i].len;
	nb_writer_reserve(&w, total);
	ntlm_err rc = NTLM_OK;
	for (size_t i = 0; i < list->n && rc == NTLM_OK; i++)
		rc = nw_av_write(&w, list->items[i].id, list->items[i].value, list->items[i].len);
	if (rc == NTLM_OK)
		rc = nw_av_write_eol(&w);
	if (rc != NTLM_OK) {
		nb_writer_free(&w);
		return rc;
	}
	return nb_writer_finish(&w, out);
}

const nw_av *nw_av_get(const nw_av_list *list, uint16_t id)
{
	if (!list)
		return NULL;
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i].id == id)
			return &list->items[i];
	return NULL;
}

void nw_av_remove(nw_av_list *list, uint16_t id)
{
	for (size_t i = 0; list && i < list->n; i++) {
		if (list->items[i].id != id)
			continue; /* ids are unique (nw_av_parse, nw_av_set): the first is the one */
		if (!list->borrowed)
			ntlm_free_secret(list->items[i].value, list->items[i].len);
		memmove(&list->items[i], &list->items[i + 1], (list->n - i - 1) * sizeof(nw_av));
		list->n--; /* the array keeps its size: still the room av_full expects of n */
		return;
	}
}

ntlm_err nw_av_set(nw_av_list *list, uint16_t id, const uint8_t *value, size_t len)
{
	uint8_t *copy;
	if (len > UINT16_MAX)
		return NTLM_E_INVALID_PARAMETER;
	NTLM_TRY(av_dup(value, len, &copy));
	return av_put_owned(list, id, copy, len);
}

ntlm_err nw_av_set_u32(nw_av_list *list, uint16_t id, uint32_t v)
{
	uint8_t b[4];
	nb_store_u32le(b, v);
	return nw_av_set(list, id, b, sizeof(b));
}

ntlm_err nw_av_set_u64(nw_av_list *list, uint16_t id, uint64_t v)
{
	uint8_t b[8];
	nb_store_u64le(b, v);
	return nw_av_set(list, id, b, sizeof(b));
}

ntlm_err nw_av_set_string(nw_av_list *list, uint16_t id, const char *utf8)
{
	uint8_t *enc;
	size_t enc_len;
	NTLM_TRY(ntlm_utf8_to_utf16le(utf8, 0, &enc, &enc_len));
	if (enc_len == 0) {
		free(enc); /* keep "value NULL iff len 0" */
		enc = NULL;
	}
	return av_put_owned(list, id, enc, enc_len);
}

/* A reader over the value of id, which must be exactly size bytes long. */
static ntlm_err av_get_sized(const nw_av_list *list, uint16_t id, size_t size, nb_reader *r)
{
	const nw_av *av = nw_av_get(list, id);
	nb_reader_init(r, NULL, 0);
	if (!av)
		return NTLM_E_NOT_FOUND;
	if (av->len != size)
		return NTLM_E_BAD_AV_PAIR;
	nb_reader_init(r, av->value, av->len);
	return NTLM_OK;
}

ntlm_err nw_av_get_u32(const nw_av_list *list, uint16_t id, uint32_t *v)
{
	nb_reader r;
	if (!v)
		return NTLM_E_INVALID_PARAMETER;
	*v = 0;
	NTLM_TRY(av_get_sized(list, id, 4, &r));
	return nb_read_u32le(&r, v);
}

ntlm_err nw_av_get_u64(const nw_av_list *list, uint16_t id, uint64_t *v)
{
	nb_reader r;
	if (!v)
		return NTLM_E_INVALID_PARAMETER;
	*v = 0;
	NTLM_TRY(av_get_sized(list, id, 8, &r));
	return nb_read_u64le(&r, v);
}

ntlm_err nw_av_get_string(const nw_av_list *list, uint16_t id, char **utf8)
{
	if (!utf8)
		return NTLM_E_INVALID_PARAMETER;
	*utf8 = NULL;
	const nw_av *av = nw_av_get(list, id);
	if (!av)
		return NTLM_E_NOT_FOUND;
	return ntlm_utf16le_to_utf8(av->value, av->len, utf8);
}

void nw_av_clear(nw_av_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n && !list->borrowed; i++)
		ntlm_free_secret(list->items[i].value, list->items[i].len);
	free(list->items); /* ids, lengths and pointers only */
	list->items = NULL;
	list->n = 0;
}
