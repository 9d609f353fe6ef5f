/*
 * errors_md.c - writes docs/ERRORS.md from NTLM_ERROR_LIST, so the table
 * cannot drift from the header: `ninja -C build errors-md` regenerates the
 * file, tests/unit/test_errors_doc.c fails when the committed one is stale.
 */
#include "errors_md.h"

#include <stdint.h>

#include "ntlmssp/ntlmssp.h"

static const char intro[] =
	"# Errors\n"
	"\n"
	"Every call returns an `ntlm_err`. `ntlm_strerror()` gives the message, `ntlm_err_name()` the "
	"name,\n"
	"`ntlm_err_ntstatus()` and `ntlm_err_sec_status()` what Windows would report for the same "
	"condition.\n"
	"This table is generated from `NTLM_ERROR_LIST` in `include/ntlmssp/ntlmssp.h` by\n"
	"`ninja -C build errors-md`; do not edit it by hand (a unit test fails when it is stale).\n"
	"\n"
	"| value | name | NTSTATUS | SECURITY_STATUS | message |\n"
	"|---|---|---|---|---|\n";

/* A message is prose; a '|' in it would split the Markdown cell. */
static int put_cell(FILE *out, const char *s)
{
	for (; *s; s++)
		if ((*s == '|' ? fputs("\\|", out) : fputc(*s, out)) == EOF)
			return -1;
	return 0;
}

static int put_row(FILE *out, const char *name, int value, uint32_t nt, int32_t sec,
                   const char *msg)
{
	if (fprintf(out, "| %d | `%s` | 0x%08X | 0x%08X | ", value, name, (unsigned)nt,
	            (unsigned)(uint32_t)sec) < 0 ||
	    put_cell(out, msg) < 0 || fputs(" |\n", out) == EOF)
		return -1;
	return 0;
}

int errors_md_write(FILE *out)
{
	int rc = fputs(intro, out) == EOF ? -1 : 0;
#define ERRORS_MD_ROW_(name, value, nt, sec, msg)                                                  \
	if (rc == 0)                                                                                   \
		rc = put_row(out, #name, value, nt, sec, msg);
	NTLM_ERROR_LIST(ERRORS_MD_ROW_)
#undef ERRORS_MD_ROW_
	return rc;
}
