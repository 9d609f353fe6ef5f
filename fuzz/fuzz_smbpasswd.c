/* Target functions: smbpw_parse_line, smbpw_format_line, smbpw_lookup */
/*
 * An smbpasswd account file written by someone else. One line: what parses
 * formats back (the parser only accepts writable names) and re-parses to
 * the same entry; the formatted line is a fixed point. The whole input as
 * a file: smbpw_lookup of the first line's name (and of a fixed name) must
 * agree with the line parser.
 */
#include "fuzz_common.h"
#include "smbpasswd.h"

static void same_entry(const smbpw_entry *a, const smbpw_entry *b)
{
	FZ_CHECK(strcmp(a->name, b->name) == 0);
	FZ_CHECK(a->uid == b->uid);
	FZ_CHECK(a->has_lm == b->has_lm && (!a->has_lm || memcmp(a->lm, b->lm, 16) == 0));
	FZ_CHECK(a->has_nt == b->has_nt && (!a->has_nt || memcmp(a->nt, b->nt, 16) == 0));
	FZ_CHECK(a->acb == b->acb);
	FZ_CHECK(a->lct == b->lct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = (char *)fz_dup(data, size);
	const char *nl = memchr(in, '\n', size);
	size_t first = nl ? (size_t)(nl - in) + 1 : size;

	smbpw_entry e, e2, found;
	ntlm_err rc = smbpw_parse_line(in, first, &e);
	if (rc == NTLM_OK) {
		FZ_CHECK(e.acb != 0);
		FZ_CHECK(e.name[0] != '\0' && strlen(e.name) < sizeof(e.name));
		char line[SMBPW_LINE_MAX], line2[SMBPW_LINE_MAX];
		FZ_CHECK(smbpw_format_line(&e, line, sizeof(line)) == NTLM_OK);
		FZ_CHECK(smbpw_parse_line(line, strlen(line), &e2) == NTLM_OK);
		same_entry(&e, &e2);
		FZ_CHECK(smbpw_format_line(&e2, line2, sizeof(line2)) == NTLM_OK);
		FZ_CHECK(strcmp(line, line2) == 0);
		char tiny[16];
		FZ_CHECK(smbpw_format_line(&e, tiny, sizeof(tiny)) == NTLM_E_BUFFER_TOO_SMALL);
		FZ_CHECK(ntlm_ct_is_zero(tiny, sizeof(tiny))); /* no half line with a hash */
	} else {
		FZ_CHECK(ntlm_ct_is_zero(&e, sizeof(e)));
	}

	/* The whole input as a file. */
	char path[64];
	int fd = fz_memfile(in, size, path);
	if (rc == NTLM_OK) {
		/* the first line names e.name: lookup finds exactly that line */
		FZ_CHECK(smbpw_lookup(path, e.name, &found) == NTLM_OK);
		same_entry(&e, &found);
	}
	/* exercised for crashes only: the file is fuzzed, alice may be anywhere or nowhere */
	NTLM_IGNORE_RESULT(smbpw_lookup(path, "alice", &found));
	close(fd);
	ntlm_memzero(&e, sizeof(e));
	free(in);
	return 0;
}
