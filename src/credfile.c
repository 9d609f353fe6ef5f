/* credfile.c - gss-ntlmssp style credential files; see credfile.h */
#include "credfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Far beyond any real credential file: refuse it rather than exhaust memory. */
#define CREDFILE_MAX ((size_t)16 * 1024 * 1024)

/* ------------------------------------------------------------ one line */

/* Length of the line without its "\n" or "\r\n". */
static size_t strip_eol(const char *line, size_t len)
{
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	return len;
}

static int is_blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}

static char *dup_span(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void free_outputs(char **domain, char **user, char **password)
{
	ntlm_free_string(*domain);
	ntlm_free_string(*user);
	ntlm_free_string(*password);
	*domain = *user = *password = NULL;
}

ntlm_err credfile_parse_line(const char *line, size_t len, char **domain, char **user,
                             char **password)
{
	if (!domain || !user || !password)
		return NTLM_E_INVALID_PARAMETER;
	*domain = *user = *password = NULL;
	if (!line)
		return len ? NTLM_E_INVALID_PARAMETER : NTLM_E_NOT_FOUND;
	len = strip_eol(line, len);
	if (memchr(line, '\0', len))
		return NTLM_E_BAD_FILE;
	if (is_blank_or_comment(line, len))
		return NTLM_E_NOT_FOUND;
	const char *c1 = memchr(line, ':', len);
	if (!c1)
		return NTLM_E_BAD_FILE;
	const char *u = c1 + 1, *end = line + len;
	const char *c2 = memchr(u, ':', (size_t)(end - u));
	if (!c2 || c2 == u)
		return NTLM_E_BAD_FILE;
	*domain = dup_span(line, (size_t)(c1 - line));
	*user = dup_span(u, (size_t)(c2 - u));
	*password = dup_span(c2 + 1, (size_t)(end - (c2 + 1)));
	if (!*domain || !*user || !*password) {
		free_outputs(domain, user, password);
		return NTLM_E_NO_MEMORY;
	}
	return NTLM_OK;
}

/* ------------------------------------------------------ the whole file */

/*
 * Reads fd to its end into *buf (*cap bytes allocated, *len used). Every
 * outgrown block is wiped: the file holds passwords in clear.
 */
static ntlm_err read_file(int fd, char **buf, size_t *len, size_t *cap)
{
	for (;;) {
		if (*cap - *len < 4096) {
			size_t ncap = *cap ? *cap * 2 : 8192;
			if (ncap > CREDFILE_MAX)
				return NTLM_E_BAD_FILE;
			char *p = malloc(ncap);
			if (!p)
				return NTLM_E_NO_MEMORY;
			if (*len)
				memcpy(p, *buf, *len);
			ntlm_free_secret(*buf, *cap);
			*buf = p;
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + *len, *cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return NTLM_E_IO;
		if (r == 0)
			return NTLM_OK;
		*len += (size_t)r;
	}
}

static int matches(const char *want, const char *have)
{
	return !want || ntlm_strcasecmp_utf8(want, have) == 0;
}

/* Offset just past the line that starts at off (its '\n' included). */
static size_t line_end(const char *s, size_t len, size_t off)
{
	const char *nl = memchr(s + off, '\n', len - off);
	return nl ? (size_t)(nl - s) + 1 : len;
}

static ntlm_err find_entry(const char *s, size_t len, const char *domain, const char *user,
                           char **d, char **u, char **p)
{
	size_t off = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		off = 3; /* written by some editors; not part of the first domain */
	while (off < len) {
		size_t end = line_end(s, len, off);
		ntlm_err rc = credfile_parse_line(s + off, end - off, d, u, p);
		off = end;
		if (rc == NTLM_E_NO_MEMORY)
			return rc;
		if (rc != NTLM_OK)
			continue; /* comments, blank and malformed lines */
		if (matches(domain, *d) && matches(user, *u))
			return NTLM_OK;
		free_outputs(d, u, p);
	}
	return NTLM_E_NOT_FOUND;
}

ntlm_err credfile_lookup(const char *path, const char *domain, const char *user,
                         char **domain_out, char **user_out, char **password_out)
{
	if (!domain_out || !user_out || !password_out)
		return NTLM_E_INVALID_PARAMETER;
	*domain_out = *user_out = *password_out = NULL;
	if (!path)
		return NTLM_E_INVALID_PARAMETER;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NTLM_E_IO;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ntlm_err rc = read_file(fd, &buf, &len, &cap);
	close(fd);
	if (rc == NTLM_OK)
		rc = find_entry(buf, len, domain, user, domain_out, user_out, password_out);
	ntlm_free_secret(buf, cap);
	return rc;
}
