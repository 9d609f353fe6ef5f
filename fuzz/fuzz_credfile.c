/* Target functions: credfile_parse_line, credfile_lookup, ntlm_cred_from_file */
/*
 * A gss-ntlmssp credential file (DOMAIN:USER:PASSWORD per line). One line:
 * the three parts put back together with ':' are the line without its end
 * of line. The whole input as a file: lookups by the first entry's names
 * find it, and ntlm_cred_from_file builds a credential from it.
 */
#include "fuzz_common.h"
#include "credfile.h"

static size_t strip_eol(const char *s, size_t n)
{
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = (char *)fz_dup(data, size);
	const char *nl = memchr(in, '\n', size);
	size_t first = nl ? (size_t)(nl - in) + 1 : size;

	char *d = NULL, *u = NULL, *p = NULL;
	ntlm_err rc = credfile_parse_line(in, first, &d, &u, &p);
	if (rc == NTLM_OK) {
		FZ_CHECK(d && u && p && *u);
		FZ_CHECK(!strchr(d, ':') && !strchr(u, ':'));
		size_t dl = strlen(d), ul = strlen(u), pl = strlen(p);
		size_t n = strip_eol(in, first);
		FZ_CHECK(dl + 1 + ul + 1 + pl == n);
		FZ_CHECK(memcmp(in, d, dl) == 0 && in[dl] == ':');
		FZ_CHECK(memcmp(in + dl + 1, u, ul) == 0 && in[dl + 1 + ul] == ':');
		FZ_CHECK(memcmp(in + dl + ul + 2, p, pl) == 0);
	} else {
		FZ_CHECK(!d && !u && !p);
	}

	char path[64];
	int fd = fz_memfile(in, size, path);
	char *d2 = NULL, *u2 = NULL, *p2 = NULL;
	/* a BOM before the first line is skipped by the file reader, not the line parser */
	int bom = size >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0;
	if (rc == NTLM_OK && !bom) {
		FZ_CHECK(credfile_lookup(path, d, u, &d2, &u2, &p2) == NTLM_OK);
		FZ_CHECK(ntlm_strcasecmp_utf8(d, d2) == 0 && ntlm_strcasecmp_utf8(u, u2) == 0);
		ntlm_free_string(d2);
		ntlm_free_string(u2);
		ntlm_free_string(p2);
		FZ_CHECK(credfile_lookup(path, NULL, NULL, &d2, &u2, &p2) == NTLM_OK);
		FZ_CHECK(strcmp(d, d2) == 0 && strcmp(u, u2) == 0 && strcmp(p, p2) == 0);
		ntlm_free_string(d2);
		ntlm_free_string(u2);
		ntlm_free_string(p2);
	} else {
		if (credfile_lookup(path, NULL, "alice", &d2, &u2, &p2) == NTLM_OK) {
			FZ_CHECK(d2 && u2 && p2);
			ntlm_free_string(d2);
			ntlm_free_string(u2);
			ntlm_free_string(p2);
		} else {
			FZ_CHECK(!d2 && !u2 && !p2);
		}
	}
	ntlm_cred *cred = NULL;
	if (ntlm_cred_from_file(&cred, path, NULL, NULL) == NTLM_OK)
		FZ_CHECK(cred != NULL);
	else
		FZ_CHECK(cred == NULL);
	ntlm_cred_free(cred);
	close(fd);
	ntlm_free_string(d);
	ntlm_free_string(u);
	ntlm_free_string(p);
	free(in);
	return 0;
}
