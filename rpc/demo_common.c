/* demo_common.c - option parsing and error reports shared by the RPC demos. */
#include "demo_common.h"

#define MAX_OPTIONS 16

int demo_parse_options(int argc, char **argv, const demo_option *table, size_t n, void *opts,
                       void (*usage)(FILE *), int *first_operand)
{
	/* getopt_long wants its own tables; they are built from ours, plus --help. */
	struct option longopts[MAX_OPTIONS + 2];
	char shortopts[2 * MAX_OPTIONS + 2];
	size_t k = 0;
	if (n > MAX_OPTIONS)
		return 2;
	for (size_t i = 0; i < n; i++) {
		longopts[i] = (struct option){table[i].name, table[i].has_arg, NULL, table[i].letter};
		shortopts[k++] = table[i].letter;
		if (table[i].has_arg == required_argument)
			shortopts[k++] = ':';
	}
	longopts[n] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
	shortopts[k++] = 'h';
	shortopts[k] = '\0';
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		const demo_option *opt = NULL;
		for (size_t i = 0; i < n && !opt; i++)
			if (table[i].letter == c)
				opt = &table[i];
		if (!opt) {
			usage(stderr);
			return 2;
		}
		if (!opt->set)
			*(const char **)((char *)opts + opt->field) = optarg;
		else if (opt->set(opts, optarg) != 0)
			return 2;
	}
	*first_operand = optind;
	return -1;
}

int demo_report_error(const char *program, const char *what, ntlm_err e)
{
	fprintf(stderr, "%s: %s: %s\n", program, what, ntlm_strerror(e));
	return 1;
}
