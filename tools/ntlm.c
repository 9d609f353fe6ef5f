/*
 * ntlm - the command-line face of libntlmssp: one binary, one subcommand
 * per job (see ntlm(1)). This file only dispatches; each subcommand lives
 * in its own tools/ntlm_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "ntlm_tool.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct subcommand subcommands[] = {
	{"client", cmd_client, "NTLM client in line-protocol helper mode (stdin/stdout)"},
	{"server", cmd_server, "NTLM server in line-protocol helper mode (stdin/stdout)"},
	{"decode", cmd_decode, "explain an NTLM message (base64, hex or HTTP header)"},
	{"hash", cmd_hash, "print the NT hash of a password"},
	{"passwd", cmd_passwd, "add, delete, disable, enable or re-password accounts"},
	{"squid-helper", cmd_squid_helper, "Squid NTLM authentication helper (squid-2.5-ntlmssp)"},
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: ntlm COMMAND [OPTIONS] [ARGS]\n"
	           "       ntlm COMMAND --help\n"
	           "       ntlm --version\n\ncommands:\n");
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\nSee ntlm(1) for the protocols and the exit statuses.\n");
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

/* "ntlm help CMD" is "ntlm CMD --help". */
static int help(int argc, char **argv)
{
	const struct subcommand *s = argc > 1 ? find(argv[1]) : NULL;
	if (argc > 1 && !s) {
		fprintf(stderr, "ntlm: unknown command '%s'\n", argv[1]);
		return TOOL_EXIT_USAGE;
	}
	if (!s) {
		usage(stdout);
		return TOOL_EXIT_OK;
	}
	char *args[] = {argv[1], "--help", NULL};
	return s->run(2, args);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return help(1, argv + 1);
	if (!strcmp(name, "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(name, "--version")) {
		printf("ntlm (libntlmssp) %s\n", ntlm_version());
		return TOOL_EXIT_OK;
	}
	const struct subcommand *s = find(name);
	if (!s) {
		fprintf(stderr, "ntlm: unknown command '%s' (see ntlm --help)\n", name);
		return TOOL_EXIT_USAGE;
	}
	return s->run(argc - 1, argv + 1);
}
