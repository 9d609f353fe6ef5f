/* gen_errors_md.c - `gen-errors-md [FILE]`: writes docs/ERRORS.md to FILE or stdout */
#include <stdio.h>

#include "errors_md.h"

int main(int argc, char **argv)
{
	if (argc > 2) {
		fprintf(stderr, "usage: gen-errors-md [FILE]\n");
		return 2;
	}
	FILE *out = argc == 2 ? fopen(argv[1], "w") : stdout;
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	int rc = errors_md_write(out);
	if (fclose(out) == EOF)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "gen-errors-md: write failed\n");
		return 1;
	}
	return 0;
}
