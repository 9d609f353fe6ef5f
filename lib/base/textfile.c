/* textfile.c - see textfile.h */
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "try.h"

void tf_init(tf_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void tf_free(tf_buf *b)
{
	size_t max = b->max;
	ntlm_free_secret(b->p, b->cap);
	tf_init(b, max);
}

ntlm_err tf_reserve(tf_buf *b, size_t more)
{
	if (more > b->max - b->len)
		return NTLM_E_BAD_FILE;
	void *block = b->p;
	ntlm_err rc = ntlm_grow_secret(&block, &b->cap, b->len, b->len + more, 4096);
	b->p = block;
	return rc;
}

ntlm_err tf_append(tf_buf *b, const char *s, size_t n)
{
	NTLM_TRY(tf_reserve(b, n));
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return NTLM_OK;
}

ntlm_err tf_open(const char *path, int flags, unsigned mode, unsigned checks, int *fd,
                 struct stat *st)
{
	struct stat own;
	st = st ? st : &own;
	*fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, (mode_t)mode);
	if (*fd < 0) {
		/* ELOOP: the name is a symbolic link; ENXIO: a FIFO nobody reads (write side) */
		if (errno == ELOOP || errno == ENXIO)
			return NTLM_E_UNSAFE_FILE;
		return errno == ENOENT ? NTLM_E_NOT_FOUND : NTLM_E_IO;
	}
	ntlm_err rc = NTLM_OK;
	if (fstat(*fd, st) != 0)
		rc = NTLM_E_IO;
	else if (!S_ISREG(st->st_mode))
		rc = NTLM_E_UNSAFE_FILE;
	else if ((checks & TF_NOT_OTHERS_WRITABLE) && (st->st_mode & S_IWOTH))
		rc = NTLM_E_UNSAFE_FILE;
	if (rc != NTLM_OK) {
		int saved = errno;
		close(*fd);
		*fd = -1;
		errno = saved;
	}
	return rc;
}

ntlm_err tf_read_stat(const char *path, tf_buf *b, int *exists, struct stat *st)
{
	int fd;
	*exists = 0;
	ntlm_err rc = tf_open(path, O_RDONLY, 0, TF_NOT_OTHERS_WRITABLE, &fd, st);
	if (rc == NTLM_E_NOT_FOUND)
		return NTLM_OK;
	if (rc != NTLM_OK)
		return rc;
	*exists = 1;
	for (;;) {
		rc = tf_reserve(b, 4096);
		if (rc != NTLM_OK)
			break;
		ssize_t r = read(fd, b->p + b->len, b->cap - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = NTLM_E_IO;
		if (r <= 0)
			break;
		b->len += (size_t)r;
	}
	close(fd);
	return rc;
}

ntlm_err tf_read(const char *path, tf_buf *b, int *exists)
{
	return tf_read_stat(path, b, exists, NULL);
}

void tf_file_id_from_stat(const struct stat *st, tf_file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->exists = 1;
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

int tf_file_id_of(const char *path, tf_file_id *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (lstat(path, &st) == 0) {
		tf_file_id_from_stat(&st, id);
		return 0;
	}
	return errno == ENOENT ? 0 : -1;
}

int tf_same_file(const tf_file_id *a, const tf_file_id *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

size_t tf_strip_eol(const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	return len;
}

int tf_is_blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

size_t tf_line_end(const char *s, size_t len, size_t off)
{
	const char *nl = memchr(s + off, '\n', len - off);
	return nl ? (size_t)(nl - s) + 1 : len;
}
