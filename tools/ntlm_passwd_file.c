/*
 * ntlm_passwd_file.c - edits of an smbpasswd account file: a locked
 * read-modify-write whose result replaces the file atomically and durably;
 * see ntlm_passwd_file.h. Lines are parsed and written by the library's
 * smbpasswd.c, so the editor and the store agree on the format.
 */
#include "ntlm_passwd_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "textfile.h"
#include "mem.h"
#include "sys.h"
#include "try.h"

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
		if (tf_is_blank_or_comment(line, tf_strip_eol(line, n)) ||
		    !smbpw_line_names(line, n, ed->user)) {
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
	if (!path || !*path || !smbpw_name_ok(user))
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
	if (!path || !*path || !password || !smbpw_name_ok(user))
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
