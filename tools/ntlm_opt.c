/* ntlm_opt.c - option tables, --help, error reporting; see ntlm_tool.h */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm_tool.h"
#include "mem.h"
#include "text.h"

#define HELP_ID 1 /* below every table id (they are >= 256) */

static int takes_role(const tool_opt *o, unsigned role)
{
	return (o->roles & role) != 0;
}

void tool_help(FILE *f, const tool_cmd *cmd, const tool_opt *table, size_t n, unsigned role)
{
	fprintf(f, "usage: ntlm %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->usage, cmd->about);
	for (size_t i = 0; i < n; i++) {
		if (!takes_role(&table[i], role))
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", table[i].name, table[i].arg ? " " : "",
		         table[i].arg ? table[i].arg : "");
		/* a long left column gets the help on its own line, aligned */
		if (strlen(left) > 26)
			fprintf(f, "  %s\n  %-26s  %s\n", left, "", table[i].help);
		else
			fprintf(f, "  %-26s  %s\n", left, table[i].help);
	}
	fprintf(f, "  %-26s  %s\n", "--help", "show this help and exit");
}

/* getopt_long's view of the options this role takes (plus --help). */
static struct option *build_longopts(const tool_opt *table, size_t n, unsigned role)
{
	struct option *lo = calloc(n + 2, sizeof(*lo));
	size_t k = 0;
	if (!lo)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!takes_role(&table[i], role))
			continue;
		lo[k].name = table[i].name;
		lo[k].has_arg = table[i].arg ? required_argument : no_argument;
		lo[k].val = table[i].id;
		k++;
	}
	lo[k].name = "help";
	lo[k].val = HELP_ID;
	return lo; /* calloc left the terminating entry zero */
}

int tool_parse(int argc, char **argv, const tool_cmd *cmd, const tool_opt *table, size_t n,
               unsigned role, tool_opt_fn fn, void *arg, int *first_arg)
{
	struct option *lo = build_longopts(table, n, role);
	int status = TOOL_EXIT_OK, c;
	if (!lo)
		return tool_error(TOOL_EXIT_FAIL, cmd->name, "out of memory");
	opterr = 0; /* our own messages name the subcommand */
	optind = 1;
	while (status == TOOL_EXIT_OK && (c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		if (c == HELP_ID) {
			tool_help(stdout, cmd, table, n, role);
			status = -1;
		} else if (c == '?') {
			status = tool_error(TOOL_EXIT_USAGE, cmd->name,
			                    "unknown option '%s' (see ntlm %s --help)", argv[optind - 1],
			                    cmd->name);
		} else if (c == ':') {
			status = tool_error(TOOL_EXIT_USAGE, cmd->name, "option '%s' needs an argument",
			                    argv[optind - 1]);
		} else if (fn(arg, c, optarg) != 0) {
			status = TOOL_EXIT_USAGE;
		}
	}
	free(lo);
	*first_arg = optind;
	return status;
}

int tool_error(int status, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ntlm %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int tool_lib_error(int status, const char *cmd, const char *what, ntlm_err rc)
{
	return tool_error(status, cmd, "%s: %s (%s)", what, ntlm_strerror(rc), ntlm_err_name(rc));
}

char *tool_take_argv_secret(char *arg)
{
	char *copy = ntlm_strdup(arg);
	ntlm_memzero(arg, strlen(arg));
	return copy;
}

int tool_parse_hex(const char *s, uint8_t *out, size_t n)
{
	return ntlm_hex_decode(s, out, n) == NTLM_OK ? 0 : -1;
}
