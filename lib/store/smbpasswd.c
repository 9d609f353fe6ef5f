/* smbpasswd.c - Samba smbpasswd(5) files: one line each way, and look-ups; see smbpasswd.h */
#include "smbpasswd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"
#include "textfile.h"

#define SMBPW_NAME_CAP sizeof(((smbpw_entry *)0)->name)

/* ------------------------------------------------------------ one line */

/* Part of a line; not NUL-terminated. */
typedef struct span {
	const char *p;
	size_t n;
} span;

/* Samba's order of the flag letters, which smbpw_format_line() keeps. */
static const struct {
	char letter;
	uint32_t bit;
} acb_letters[] = {
	{'N', SMBPW_ACB_PWNOTREQ}, {'D', SMBPW_ACB_DISABLED}, {'H', SMBPW_ACB_HOMDIRREQ},
	{'T', SMBPW_ACB_TEMPDUP},  {'U', SMBPW_ACB_NORMAL},   {'M', SMBPW_ACB_MNS},
	{'W', SMBPW_ACB_WSTRUST},  {'S', SMBPW_ACB_SVRTRUST}, {'L', SMBPW_ACB_AUTOLOCK},
	{'X', SMBPW_ACB_PWNOEXP},  {'I', SMBPW_ACB_DOMTRUST},
};

/* Moves the text before the next ':' into *f and steps over the ':'; 0 if none. */
static int next_field(span *rest, span *f)
{
	const char *colon = memchr(rest->p, ':', rest->n);
	if (!colon)
		return 0;
	f->p = rest->p;
	f->n = (size_t)(colon - rest->p);
	rest->p = colon + 1;
	rest->n -= f->n + 1;
	return 1;
}

/*
 * A name that fits smbpw_entry, can be written back as it was read, and
 * cannot turn its line into a comment or a blank line.
 */
static int name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= SMBPW_NAME_CAP || s[0] == '#' || s[0] == ' ' || s[0] == '\t')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == ':')
			return 0;
	}
	return 1;
}

static int parse_uid(span f, uint32_t *uid)
{
	uint64_t v = 0;
	if (f.n == 0 || f.n > 10)
		return 0;
	for (size_t i = 0; i < f.n; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(f.p[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*uid = (uint32_t)v;
	return 1;
}

static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = ntlm_hex_value(s[2 * i]), lo = ntlm_hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			ntlm_memzero(out, n);
			return 0;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 1;
}

static int all_no_hash_marks(span f)
{
	for (size_t i = 0; i < f.n; i++)
		if (f.p[i] != 'X' && f.p[i] != '*')
			return 0;
	return 1;
}

/* A 32-column hash field: hex (*has = 1), or one of the "no hash" spellings (*has = 0). */
static int parse_hash(span f, int *has, uint8_t out[NTLM_HASH_SIZE])
{
	*has = 0;
	if (f.n != 32)
		return 0;
	if (memcmp(f.p, "NO PASSWORD", 11) == 0 || all_no_hash_marks(f))
		return 1;
	if (!parse_hex(f.p, out, NTLM_HASH_SIZE))
		return 0;
	*has = 1;
	return 1;
}

static uint32_t acb_bit(char letter)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(acb_letters); i++)
		if (acb_letters[i].letter == letter)
			return acb_letters[i].bit;
	return 0;
}

/* "[" letters and padding spaces "]", any width. */
static int parse_flags(span f, uint32_t *acb)
{
	*acb = 0;
	if (f.n < 2 || f.p[0] != '[' || f.p[f.n - 1] != ']')
		return 0;
	for (size_t i = 1; i + 1 < f.n; i++) {
		if (f.p[i] == ' ')
			continue;
		uint32_t bit = acb_bit(f.p[i]);
		if (!bit)
			return 0;
		*acb |= bit;
	}
	/* Samba reads an account without any type as a normal user. */
	if (*acb == 0)
		*acb = SMBPW_ACB_NORMAL;
	return 1;
}

/* "LCT-" and 8 hex digits, then the end of the line or ':' (Samba ignores what follows). */
static int parse_lct(span rest, uint32_t *lct)
{
	uint8_t b[4];
	if (rest.n < 12 || strncasecmp(rest.p, "LCT-", 4) != 0 || !parse_hex(rest.p + 4, b, 4))
		return 0;
	if (rest.n > 12 && rest.p[12] != ':')
		return 0;
	*lct = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 1;
}

/* name:uid:LMHASH:NTHASH: — what every reader needs; *rest is left at what follows. */
static ntlm_err parse_head(span *rest, smbpw_entry *e)
{
	span f;
	if (!next_field(rest, &f) || !name_ok(f.p, f.n))
		return NTLM_E_BAD_FILE;
	memcpy(e->name, f.p, f.n);
	e->name[f.n] = '\0';
	if (!next_field(rest, &f) || !parse_uid(f, &e->uid))
		return NTLM_E_BAD_FILE;
	if (!next_field(rest, &f) || !parse_hash(f, &e->has_lm, e->lm))
		return NTLM_E_BAD_FILE;
	if (!next_field(rest, &f) || !parse_hash(f, &e->has_nt, e->nt))
		return NTLM_E_BAD_FILE;
	return NTLM_OK;
}

static ntlm_err parse_fields(const char *line, size_t len, smbpw_entry *e)
{
	span rest = {line, len}, f;
	if (parse_head(&rest, e) != NTLM_OK)
		return NTLM_E_BAD_FILE;
	if (!next_field(&rest, &f) || !parse_flags(f, &e->acb))
		return NTLM_E_BAD_FILE;
	if (!parse_lct(rest, &e->lct))
		return NTLM_E_BAD_FILE;
	return NTLM_OK;
}

/* A client needs the name and the hashes; the flags and LCT may be missing or anything. */
static ntlm_err parse_client_fields(const char *line, size_t len, smbpw_entry *e)
{
	span rest = {line, len};
	return parse_head(&rest, e);
}

static ntlm_err parse_with(const char *line, size_t len, smbpw_entry *e,
                           ntlm_err (*fields)(const char *, size_t, smbpw_entry *))
{
	if (!e)
		return NTLM_E_INVALID_PARAMETER;
	memset(e, 0, sizeof(*e));
	if (!line && len)
		return NTLM_E_INVALID_PARAMETER;
	if (!line)
		return NTLM_E_NOT_FOUND;
	len = tf_strip_eol(line, len);
	if (memchr(line, '\0', len))
		return NTLM_E_BAD_FILE;
	if (tf_is_blank_or_comment(line, len))
		return NTLM_E_NOT_FOUND;
	ntlm_err rc = fields(line, len, e);
	if (rc != NTLM_OK)
		ntlm_memzero(e, sizeof(*e));
	return rc;
}

ntlm_err smbpw_parse_line(const char *line, size_t len, smbpw_entry *e)
{
	return parse_with(line, len, e, parse_fields);
}

ntlm_err smbpw_parse_client_line(const char *line, size_t len, smbpw_entry *e)
{
	return parse_with(line, len, e, parse_client_fields);
}

/* Samba writes upper-case hex. */
static void hex_upper(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void format_hash(int has, const uint8_t h[NTLM_HASH_SIZE], uint32_t acb, char out[33])
{
	if (has)
		hex_upper(h, NTLM_HASH_SIZE, out);
	else if (acb & SMBPW_ACB_PWNOTREQ)
		memcpy(out, "NO PASSWORDXXXXXXXXXXXXXXXXXXXXX", 33);
	else
		memcpy(out, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", 33);
}

/* "[" + the letters padded with spaces to 11 columns + "]", as Samba writes them. */
static void format_flags(uint32_t acb, char out[14])
{
	size_t i = 0;
	out[i++] = '[';
	for (size_t k = 0; k < NTLM_ARRAY_LEN(acb_letters); k++)
		if (acb & acb_letters[k].bit)
			out[i++] = acb_letters[k].letter;
	while (i < 12)
		out[i++] = ' ';
	out[12] = ']';
	out[13] = '\0';
}

ntlm_err smbpw_format_line(const smbpw_entry *e, char *buf, size_t cap)
{
	if (!e || !buf)
		return NTLM_E_INVALID_PARAMETER;
	if (!name_ok(e->name, strnlen(e->name, SMBPW_NAME_CAP)))
		return NTLM_E_INVALID_PARAMETER;
	char lm[33], nt[33], flags[14];
	format_hash(e->has_lm, e->lm, e->acb, lm);
	format_hash(e->has_nt, e->nt, e->acb, nt);
	format_flags(e->acb, flags);
	int n = snprintf(buf, cap, "%s:%" PRIu32 ":%s:%s:%s:LCT-%08" PRIX32 ":\n", e->name, e->uid, lm,
	                 nt, flags, e->lct);
	ntlm_memzero(lm, sizeof(lm));
	ntlm_memzero(nt, sizeof(nt));
	if (n < 0)
		return NTLM_E_INTERNAL;
	if ((size_t)n >= cap) {
		/* a truncated line would still carry part of the hashes */
		ntlm_memzero(buf, cap);
		return NTLM_E_BUFFER_TOO_SMALL;
	}
	return NTLM_OK;
}

int smbpw_name_ok(const char *name)
{
	return name && name_ok(name, strnlen(name, SMBPW_NAME_CAP));
}

/* ------------------------------------------------------ whole files */

int smbpw_line_names(const char *line, size_t len, const char *user)
{
	char name[SMBPW_NAME_CAP];
	const char *colon = memchr(line, ':', len);
	size_t n = colon ? (size_t)(colon - line) : tf_strip_eol(line, len);
	if (n >= sizeof(name) || memchr(line, '\0', n))
		return 0;
	memcpy(name, line, n);
	name[n] = '\0';
	return ntlm_strcasecmp_utf8(name, user) == 0;
}

ntlm_err smbpw_find(const tf_buf *file, const char *user, smbpw_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!user || !*user)
		return NTLM_E_NOT_FOUND;
	for (size_t off = 0; off < file->len;) {
		size_t end = tf_line_end(file->p, file->len, off);
		const char *line = file->p + off;
		size_t n = end - off;
		off = end;
		if (tf_is_blank_or_comment(line, tf_strip_eol(line, n)) || !smbpw_line_names(line, n, user))
			continue;
		/* the first line naming user decides: never fall through to a later one */
		return smbpw_parse_line(line, n, e) == NTLM_OK ? NTLM_OK : NTLM_E_BAD_FILE;
	}
	return NTLM_E_NOT_FOUND;
}

/* The name a line starts with, NUL-terminated into name; 0 for a line naming nobody. */
static int line_name(const char *line, size_t len, char name[SMBPW_NAME_CAP])
{
	if (tf_is_blank_or_comment(line, tf_strip_eol(line, len)))
		return 0;
	const char *colon = memchr(line, ':', len);
	size_t n = colon ? (size_t)(colon - line) : tf_strip_eol(line, len);
	if (n >= SMBPW_NAME_CAP || memchr(line, '\0', n))
		return 0;
	memcpy(name, line, n);
	name[n] = '\0';
	return 1;
}

/* The slot holding a line that names name, or the empty slot where it would go. */
static size_t probe(const tf_buf *file, const smbpw_index *ix, const char *name)
{
	size_t i = ntlm_strcasehash_utf8(name) & ix->mask;
	while (ix->slot[i]) {
		size_t off = ix->slot[i] - 1;
		if (smbpw_line_names(file->p + off, tf_line_end(file->p, file->len, off) - off, name))
			return i;
		i = (i + 1) & ix->mask;
	}
	return i;
}

ntlm_err smbpw_index_build(const tf_buf *file, smbpw_index *ix)
{
	size_t lines = 0, slots = 16;
	ix->slot = NULL;
	ix->mask = 0;
	if (file->len > UINT32_MAX - 1)
		return NTLM_E_BAD_FILE; /* offsets are 32-bit; SMBPW_FILE_MAX is far below */
	char name[SMBPW_NAME_CAP];
	/* only lines that name someone take a slot: comments and blank lines are free */
	for (size_t off = 0, end; off < file->len; off = end) {
		end = tf_line_end(file->p, file->len, off);
		lines += (size_t)line_name(file->p + off, end - off, name);
	}
	while (slots < 2 * lines)
		slots *= 2;
	if (!(ix->slot = ntlm_calloc(slots, sizeof(*ix->slot))))
		return NTLM_E_NO_MEMORY;
	ix->mask = slots - 1;
	for (size_t off = 0, end; off < file->len; off = end) {
		end = tf_line_end(file->p, file->len, off);
		if (!line_name(file->p + off, end - off, name))
			continue;
		size_t i = probe(file, ix, name);
		if (!ix->slot[i]) /* the first line naming it decides, as in smbpw_find */
			ix->slot[i] = (uint32_t)off + 1;
	}
	return NTLM_OK;
}

void smbpw_index_free(smbpw_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->mask = 0;
}

ntlm_err smbpw_find_indexed(const tf_buf *file, const smbpw_index *ix, const char *user,
                            smbpw_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!user || !*user || !ix->slot)
		return NTLM_E_NOT_FOUND;
	size_t i = probe(file, ix, user);
	if (!ix->slot[i])
		return NTLM_E_NOT_FOUND;
	size_t off = ix->slot[i] - 1;
	size_t n = tf_line_end(file->p, file->len, off) - off;
	return smbpw_parse_line(file->p + off, n, e) == NTLM_OK ? NTLM_OK : NTLM_E_BAD_FILE;
}

ntlm_err smbpw_lookup(const char *path, const char *user, smbpw_entry *e)
{
	if (!e)
		return NTLM_E_INVALID_PARAMETER;
	memset(e, 0, sizeof(*e));
	if (!path || !user)
		return NTLM_E_INVALID_PARAMETER;
	if (!*user)
		return NTLM_E_NOT_FOUND; /* no account has an empty name */
	tf_buf file;
	tf_init(&file, SMBPW_FILE_MAX);
	int exists;
	ntlm_err rc = tf_read(path, &file, &exists);
	if (rc == NTLM_OK && !exists)
		rc = NTLM_E_IO;
	if (rc == NTLM_OK)
		rc = smbpw_find(&file, user, e);
	tf_free(&file);
	return rc;
}
