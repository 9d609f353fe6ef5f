/*
 * test_errors_doc.c - docs/ERRORS.md is what the generator writes from
 * NTLM_ERROR_LIST today: an error added, renamed or reworded without
 * `ninja -C build errors-md` fails here, naming the first stale line.
 */
#include "errors_md.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

static char *read_all(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			char *p = realloc(buf, cap ? cap * 2 : 4096);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap = cap ? cap * 2 : 4096;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	*len = n;
	return buf;
}

/* 1-based number of the first line where a and b differ. */
static size_t first_diff_line(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t line = 1;
	for (size_t i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		if (a[i] == '\n')
			line++;
	return line;
}

static void print_line(const char *label, const char *s, size_t len, size_t line)
{
	size_t i = 0;
	for (size_t l = 1; l < line && i < len; i++)
		if (s[i] == '\n')
			l++;
	size_t end = i;
	while (end < len && s[end] != '\n')
		end++;
	fprintf(stderr, "    %s: %.*s\n", label, (int)(end - i), s + i);
}

static void test_committed_file_is_current(void)
{
	char *want = NULL, *have = NULL;
	size_t want_len = 0, have_len = 0;
	FILE *mem = open_memstream(&want, &want_len);
	T_ASSERT(mem != NULL);
	int rc = errors_md_write(mem);
	T_ASSERT(fclose(mem) == 0 && rc == 0);

	FILE *f = fopen(ERRORS_MD, "r");
	if (!f) {
		free(want);
		T_FAIL("cannot open %s", ERRORS_MD);
	}
	have = read_all(f, &have_len);
	fclose(f);
	int same = have && have_len == want_len && memcmp(have, want, want_len) == 0;
	if (!same && have) {
		size_t line = first_diff_line(have, have_len, want, want_len);
		fprintf(stderr, "  %s is stale from line %zu (regenerate: ninja -C build errors-md)\n",
		        ERRORS_MD, line);
		print_line("committed", have, have_len, line);
		print_line("generated", want, want_len, line);
	}
	free(have);
	free(want);
	T_ASSERT(same);
}

/* The generator writes a row for every value, so a check on its output is a check on the list. */
static void test_one_row_per_error(void)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&doc, &len);
	T_ASSERT(mem != NULL);
	int rc = errors_md_write(mem);
	T_ASSERT(fclose(mem) == 0 && rc == 0);
	size_t rows = 0, want = 0;
	for (const char *p = doc; (p = strstr(p, "\n| ")) != NULL; p++)
		rows++;
#define COUNT_(name, value, nt, sec, msg) want++;
	NTLM_ERROR_LIST(COUNT_)
#undef COUNT_
	int found = strstr(doc, "| 17 | `NTLM_E_LOGON_FAILURE` | 0xC000006D | 0x8009030C | ") != NULL;
	free(doc);
	T_ASSERT(rows == want + 1); /* and the header row */
	T_ASSERT(found);
}

int main(void)
{
	T_RUN(test_committed_file_is_current);
	T_RUN(test_one_row_per_error);
	T_END();
}
