/* smbpasswd.c - Samba smbpasswd(5) files; see smbpasswd.h */
#include "smbpasswd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "textfile.h"
#include "util.h"

/* Far beyond any real account file: refuse it rather than exhaust memory. */


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
static int parse_hash(span f, int *has, uint8_t out[16])
{
	*has = 0;
	if (f.n != 32)
		return 0;
	if (memcmp(f.p, "NO PASSWORD", 11) == 0 || all_no_hash_marks(f))
		return 1;
	if (!parse_hex(f.p, out, 16))
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

static ntlm_err parse_fields(const char *line, size_t len, smbpw_entry *e)
{
	span rest = {line, len}, f;
	if (!next_field(&rest, &f) || !name_ok(f.p, f.n))
		return NTLM_E_BAD_FILE;
	memcpy(e->name, f.p, f.n);
	e->name[f.n] = '\0';
	if (!next_field(&rest, &f) || !parse_uid(f, &e->uid))
		return NTLM_E_BAD_FILE;
	if (!next_field(&rest, &f) || !parse_hash(f, &e->has_lm, e->lm))
		return NTLM_E_BAD_FILE;
	if (!next_field(&rest, &f) || !parse_hash(f, &e->has_nt, e->nt))
		return NTLM_E_BAD_FILE;
	if (!next_field(&rest, &f) || !parse_flags(f, &e->acb))
		return NTLM_E_BAD_FILE;
	if (!parse_lct(rest, &e->lct))
		return NTLM_E_BAD_FILE;
	return NTLM_OK;
}

ntlm_err smbpw_parse_line(const char *line, size_t len, smbpw_entry *e)
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
	ntlm_err rc = parse_fields(line, len, e);
	if (rc != NTLM_OK)
		ntlm_memzero(e, sizeof(*e));
	return rc;
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

static void format_hash(int has, const uint8_t h[16], uint32_t acb, char out[33])
{
	if (has)
		hex_upper(h, 16, out);
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
	int n = snprintf(buf, cap, "%s:%" PRIu32 ":%s:%s:%s:LCT-%08" PRIX32 ":\n", e->name, e->uid,
	                 lm, nt, flags, e->lct);
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

/* ------------------------------------------------------ whole files */

/* 1 if the first field of the line (which may be malformed) is user, ignoring case. */
static int line_names(const char *line, size_t len, const char *user)
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
		if (tf_is_blank_or_comment(line, tf_strip_eol(line, n)) || !line_names(line, n, user))
			continue;
		/* the first line naming user decides: never fall through to a later one */
		return smbpw_parse_line(line, n, e) == NTLM_OK ? NTLM_OK : NTLM_E_BAD_FILE;
	}
	return NTLM_E_NOT_FOUND;
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

/* -------------------------------------------------------------- editing */

typedef struct smbpw_edit {
	smbpw_op op;
	const char *user;
	const uint8_t *nt_hash;
	const uint8_t *lm_hash;
	uint32_t uid;
	int only_if_missing; /* smbpw_create_default(): an existing file is left alone */
} smbpw_edit;

static void set_hashes(smbpw_entry *e, const smbpw_edit *ed)
{
	memcpy(e->nt, ed->nt_hash, 16);
	e->has_nt = 1;
	e->has_lm = ed->lm_hash != NULL;
	if (ed->lm_hash)
		memcpy(e->lm, ed->lm_hash, 16);
	else
		ntlm_memzero(e->lm, sizeof(e->lm));
	e->lct = (uint32_t)time(NULL);
}

static void apply_op(smbpw_entry *e, const smbpw_edit *ed)
{
	switch (ed->op) {
	case SMBPW_ENABLE:
		e->acb &= ~SMBPW_ACB_DISABLED;
		break;
	case SMBPW_DISABLE:
		e->acb |= SMBPW_ACB_DISABLED;
		break;
	case SMBPW_SET_HASH:
		set_hashes(e, ed);
		break;
	default:
		break;
	}
}

/* Appends the formatted entry, ending it as the line it replaces ended ("\r\n" kept). */
static ntlm_err append_entry(tf_buf *out, const smbpw_entry *e, int crlf)
{
	char text[SMBPW_LINE_MAX];
	ntlm_err rc = smbpw_format_line(e, text, sizeof(text));
	if (rc == NTLM_OK) {
		size_t n = strlen(text) - 1; /* without the '\n' */
		rc = tf_append(out, text, n);
		if (rc == NTLM_OK)
			rc = crlf ? tf_append(out, "\r\n", 2) : tf_append(out, "\n", 1);
	}
	ntlm_memzero(text, sizeof(text));
	return rc;
}

/* A line naming ed->user: rewritten, dropped (DELETE), or a reason to stop. */
static ntlm_err rewrite_entry(const char *line, size_t n, const smbpw_edit *ed, tf_buf *out)
{
	smbpw_entry e;
	ntlm_err rc = smbpw_parse_line(line, n, &e);
	if (rc != NTLM_OK)
		rc = NTLM_E_BAD_FILE; /* do not guess what a damaged entry of this user meant */
	else if (ed->op == SMBPW_ADD)
		rc = NTLM_E_INVALID_PARAMETER;
	else if (ed->op != SMBPW_DELETE) {
		apply_op(&e, ed);
		rc = append_entry(out, &e, n >= 2 && line[n - 2] == '\r' && line[n - 1] == '\n');
	}
	ntlm_memzero(&e, sizeof(e));
	return rc;
}

/* Copies in to out byte for byte, except the lines naming ed->user (counted in *found). */
static ntlm_err rewrite_lines(const tf_buf *in, const smbpw_edit *ed, tf_buf *out, int *found)
{
	*found = 0;
	for (size_t off = 0; off < in->len;) {
		size_t end = tf_line_end(in->p, in->len, off);
		const char *line = in->p + off;
		size_t n = end - off;
		off = end;
		if (tf_is_blank_or_comment(line, tf_strip_eol(line, n)) || !line_names(line, n, ed->user)) {
			NTLM_TRY(tf_append(out, line, n));
			continue;
		}
		(*found)++;
		NTLM_TRY(rewrite_entry(line, n, ed, out));
	}
	return NTLM_OK;
}

static ntlm_err append_new_account(const smbpw_edit *ed, tf_buf *out)
{
	smbpw_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.name, ed->user, strlen(ed->user) + 1); /* length checked by the caller */
	e.uid = ed->uid;
	e.acb = SMBPW_ACB_NORMAL;
	set_hashes(&e, ed);
	ntlm_err rc = NTLM_OK;
	/* a last line without its '\n' must not swallow the new one */
	if (out->len && out->p[out->len - 1] != '\n')
		rc = tf_append(out, "\n", 1);
	if (rc == NTLM_OK)
		rc = append_entry(out, &e, 0);
	ntlm_memzero(&e, sizeof(e));
	return rc;
}

static char *path_with_suffix(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);
	char *s = malloc(a + b + 1);
	if (s) {
		memcpy(s, path, a);
		memcpy(s + a, suffix, b + 1);
	}
	return s;
}

/*
 * Opens and exclusively flock()s "<path>.lock". The lock file stays after
 * use: removing it would let a later editor lock a new inode while a waiter
 * still holds the old one, and both would edit at once.
 */
static ntlm_err lock_file(const char *path, int *fd_out)
{
	*fd_out = -1;
	char *name = path_with_suffix(path, ".lock");
	if (!name)
		return NTLM_E_NO_MEMORY;
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(name);
	if (fd < 0)
		return NTLM_E_IO;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return NTLM_E_IO;
		}
	}
	*fd_out = fd;
	return NTLM_OK;
}

/* Makes the rename durable. Best effort: the new content is already in place. */
static void sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * The new file gets the old one's owner, group and permission bits: a
 * service reading it through its group (Squid as "proxy", mode 0640) must
 * keep reading it after an edit. Only root may give a file away; when the
 * owner or the group cannot be kept, the file is ours and only we may read
 * it (0600), so no group we belong to gains the hashes. A new file is 0600.
 */
static ntlm_err take_old_attributes(int fd, const struct stat *old)
{
	mode_t mode = 0600;
	if (old) {
		mode = old->st_mode & 0777;
		int differ = old->st_uid != geteuid() || old->st_gid != getegid();
		if (differ && fchown(fd, old->st_uid, old->st_gid) != 0) {
			if (errno != EPERM)
				return NTLM_E_IO;
			mode &= 0600;
		}
	}
	return fchmod(fd, mode) == 0 ? NTLM_OK : NTLM_E_IO;
}

/* Writes data to a fresh file beside path and renames it over path (atomic). */
static ntlm_err replace_file(const char *path, const tf_buf *data, const struct stat *old)
{
	char *tmp = path_with_suffix(path, ".XXXXXX");
	if (!tmp)
		return NTLM_E_NO_MEMORY;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return NTLM_E_IO;
	}
	ntlm_err rc = take_old_attributes(fd, old);
	if (rc == NTLM_OK && (ntlm_write_all(fd, data->p, data->len) != 0 || fsync(fd) != 0))
		rc = NTLM_E_IO;
	if (close(fd) != 0)
		rc = NTLM_E_IO;
	if (rc == NTLM_OK && rename(tmp, path) != 0)
		rc = NTLM_E_IO;
	if (rc != NTLM_OK)
		unlink(tmp);
	else
		sync_parent_dir(path);
	free(tmp);
	return rc;
}

/* Builds the new content from the old (in; absent when !exists) into out. */
static ntlm_err edit_content(const tf_buf *in, int exists, const smbpw_edit *ed, tf_buf *out)
{
	int found;
	if (!exists && ed->op != SMBPW_ADD)
		return NTLM_E_NOT_FOUND;
	NTLM_TRY(rewrite_lines(in, ed, out, &found));
	if (ed->op == SMBPW_ADD)
		return append_new_account(ed, out);
	return found ? NTLM_OK : NTLM_E_NOT_FOUND;
}

/* The whole read-modify-write, under the lock. */
static ntlm_err edit_file(const char *path, const smbpw_edit *ed)
{
	int lock;
	NTLM_TRY(lock_file(path, &lock));
	tf_buf in, out;
	tf_init(&in, SMBPW_FILE_MAX);
	tf_init(&out, SMBPW_FILE_MAX);
	int exists;
	struct stat old;
	ntlm_err rc = tf_read_stat(path, &in, &exists, &old);
	if (rc == NTLM_OK && !(exists && ed->only_if_missing)) {
		rc = edit_content(&in, exists, ed, &out);
		if (rc == NTLM_OK)
			rc = replace_file(path, &out, exists ? &old : NULL);
	}
	tf_free(&in);
	tf_free(&out);
	close(lock); /* releases the flock */
	return rc;
}

ntlm_err smbpw_modify(const char *path, smbpw_op op, const char *user, const uint8_t nt_hash[16],
                      const uint8_t *lm_hash, uint32_t uid)
{
	if (!path || !*path || !user || !name_ok(user, strnlen(user, SMBPW_NAME_CAP)))
		return NTLM_E_INVALID_PARAMETER;
	if ((unsigned)op > SMBPW_SET_HASH)
		return NTLM_E_INVALID_PARAMETER;
	if ((op == SMBPW_ADD || op == SMBPW_SET_HASH) && !nt_hash)
		return NTLM_E_INVALID_PARAMETER;
	smbpw_edit ed = {op, user, nt_hash, lm_hash, uid, 0};
	return edit_file(path, &ed);
}

ntlm_err smbpw_create_default(const char *path, const char *user, const char *password,
                              uint32_t uid)
{
	if (!path || !*path || !user || !password || !name_ok(user, strnlen(user, SMBPW_NAME_CAP)))
		return NTLM_E_INVALID_PARAMETER;
	uint8_t nt[16];
	ntlm_err rc = ntlm_nt_hash(password, nt);
	if (rc == NTLM_OK) {
		smbpw_edit ed = {SMBPW_ADD, user, nt, NULL, uid, 1};
		rc = edit_file(path, &ed);
	}
	ntlm_memzero(nt, sizeof(nt));
	return rc;
}

uint32_t smbpw_default_uid(const char *user)
{
	struct passwd pwd, *found = NULL;
	char buf[2048];
	if (user && getpwnam_r(user, &pwd, buf, sizeof(buf), &found) == 0 && found)
		return (uint32_t)found->pw_uid;
	return SMBPW_UID_NOBODY;
}
