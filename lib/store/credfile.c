/* credfile.c - gss-ntlmssp style credential files; see credfile.h */
#include "credfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "smbpasswd.h"
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

void credfile_entry_free(credfile_entry *e)
{
	free_outputs(&e->domain, &e->user, &e->password);
	ntlm_memzero(e->nt, sizeof(e->nt));
	e->has_nt = 0;
}

static ntlm_err clear_line(const char *line, size_t len, credfile_entry *e)
{
	return credfile_parse_line(line, len, &e->domain, &e->user, &e->password);
}

/*
 * An smbpasswd line (name:uid:LMHASH:NTHASH:...): its NT hash, and the
 * domain when the name is qualified ("DOMAIN\user"; else none: any matches).
 * Anything else: a DOMAIN:USER:PASSWORD line.
 */
static ntlm_err client_line(const char *line, size_t len, credfile_entry *e)
{
	smbpw_entry pw;
	if (smbpw_parse_client_line(line, len, &pw) != NTLM_OK)
		return clear_line(line, len, e);
	const char *bs = strchr(pw.name, '\\');
	ntlm_err rc = NTLM_OK;
	if (bs && (!(e->domain = dup_span(pw.name, (size_t)(bs - pw.name))) ||
	           !(e->user = ntlm_strdup(bs + 1))))
		rc = NTLM_E_NO_MEMORY;
	else if (!bs && !(e->user = ntlm_strdup(pw.name)))
		rc = NTLM_E_NO_MEMORY;
	e->has_nt = pw.has_nt;
	memcpy(e->nt, pw.nt, sizeof(e->nt));
	ntlm_memzero(&pw, sizeof(pw));
	if (rc == NTLM_OK && !*e->user)
		rc = NTLM_E_BAD_FILE; /* "DOMAIN\" names nobody */
	if (rc != NTLM_OK)
		credfile_entry_free(e);
	return rc;
}

static int matches(const char *want, const char *have)
{
	return !want || !have || ntlm_strcasecmp_utf8(want, have) == 0;
}

static ntlm_err find_entry(const char *s, size_t len, const char *domain, const char *user,
                           ntlm_err (*parse)(const char *, size_t, credfile_entry *),
                           credfile_entry *e)
{
	size_t off = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		off = 3; /* written by some editors; not part of the first domain */
	while (off < len) {
		size_t end = tf_line_end(s, len, off);
		ntlm_err rc = parse(s + off, end - off, e);
		off = end;
		if (rc == NTLM_E_NO_MEMORY)
			return rc;
		if (rc != NTLM_OK)
			continue; /* comments, blank and malformed lines */
		if (matches(domain, e->domain) && matches(user, e->user))
			return NTLM_OK;
		credfile_entry_free(e);
	}
	return NTLM_E_NOT_FOUND;
}

static ntlm_err lookup(const char *path, const char *domain, const char *user,
                       ntlm_err (*parse)(const char *, size_t, credfile_entry *), credfile_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (!path)
		return NTLM_E_INVALID_PARAMETER;
	tf_buf file;
	int exists = 0;
	tf_init(&file, CREDFILE_MAX);
	ntlm_err rc = tf_read(path, &file, &exists);
	if (rc == NTLM_OK && !exists)
		rc = NTLM_E_IO;
	if (rc == NTLM_OK)
		rc = find_entry(file.p, file.len, domain, user, parse, e);
	tf_free(&file);
	return rc;
}

ntlm_err credfile_lookup(const char *path, const char *domain, const char *user, char **domain_out,
                         char **user_out, char **password_out)
{
	if (!domain_out || !user_out || !password_out)
		return NTLM_E_INVALID_PARAMETER;
	credfile_entry e;
	ntlm_err rc = lookup(path, domain, user, clear_line, &e);
	*domain_out = e.domain;
	*user_out = e.user;
	*password_out = e.password;
	return rc;
}

ntlm_err credfile_lookup_client(const char *path, const char *domain, const char *user,
                                credfile_entry *out)
{
	if (!out)
		return NTLM_E_INVALID_PARAMETER;
	return lookup(path, domain, user, client_line, out);
}
