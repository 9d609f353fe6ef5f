/* credfile.c - gss-ntlmssp style credential files; see credfile.h */
#include "credfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "text.h"
#include "textfile.h"

/* Far beyond any real credential file: refuse it rather than exhaust memory. */
#define CREDFILE_MAX ((size_t)16 * 1024 * 1024)

/* ------------------------------------------------------------ one line */

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
	len = tf_strip_eol(line, len);
	if (memchr(line, '\0', len))
		return NTLM_E_BAD_FILE;
	if (tf_is_blank_or_comment(line, len))
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

static int matches(const char *want, const char *have)
{
	return !want || ntlm_strcasecmp_utf8(want, have) == 0;
}

static ntlm_err find_entry(const char *s, size_t len, const char *domain, const char *user,
                           char **d, char **u, char **p)
{
	size_t off = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		off = 3; /* written by some editors; not part of the first domain */
	while (off < len) {
		size_t end = tf_line_end(s, len, off);
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

ntlm_err credfile_lookup(const char *path, const char *domain, const char *user, char **domain_out,
                         char **user_out, char **password_out)
{
	if (!domain_out || !user_out || !password_out)
		return NTLM_E_INVALID_PARAMETER;
	*domain_out = *user_out = *password_out = NULL;
	if (!path)
		return NTLM_E_INVALID_PARAMETER;
	tf_buf file;
	int exists = 0;
	tf_init(&file, CREDFILE_MAX);
	ntlm_err rc = tf_read(path, &file, &exists);
	if (rc == NTLM_OK && !exists)
		rc = NTLM_E_IO;
	if (rc == NTLM_OK)
		rc = find_entry(file.p, file.len, domain, user, domain_out, user_out, password_out);
	tf_free(&file);
	return rc;
}
