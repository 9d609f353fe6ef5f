/*
 * ntlm_tool.h - what the subcommands of the `ntlm` command share: their
 * entry points, the option tables that drive both getopt_long and --help,
 * and small helpers for reporting.
 */
#ifndef NTLM_TOOL_H
#define NTLM_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ntlmssp/ntlmssp.h"

/* Exit statuses of every subcommand (documented in ntlm(1)). */
#define TOOL_EXIT_OK    0
#define TOOL_EXIT_FAIL  1 /* authentication failed, malformed input, I/O error */
#define TOOL_EXIT_USAGE 2 /* bad command line */

/* Subcommands; argv[0] is the subcommand name. */
int cmd_client(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_squid_helper(int argc, char **argv);

/*
 * One option of a subcommand. A single table per subcommand family feeds
 * getopt_long and the --help text, so the two cannot drift apart. roles
 * selects the subcommands (bits chosen by the table's owner) that take it.
 */
typedef struct tool_opt {
	const char *name;
	int id; /* what getopt_long returns for it (>= 256 by convention) */
	unsigned roles;
	const char *arg; /* placeholder shown by --help ("FILE"); NULL: no argument */
	const char *help;
} tool_opt;

typedef struct tool_cmd {
	const char *name;  /* "client" */
	const char *usage; /* "[OPTIONS]" */
	const char *about; /* paragraph printed by --help */
} tool_cmd;

/* Called for each option found; returns 0, or non-zero after printing why. */
typedef int (*tool_opt_fn)(void *arg, int id, char *value);

/*
 * Parses argv with the options of table whose roles intersect role, plus
 * --help. Returns TOOL_EXIT_OK with *first_arg = index of the first operand,
 * -1 when --help was printed (the caller exits 0), or TOOL_EXIT_USAGE.
 */
int tool_parse(int argc, char **argv, const tool_cmd *cmd, const tool_opt *table, size_t n,
               unsigned role, tool_opt_fn fn, void *arg, int *first_arg);
void tool_help(FILE *f, const tool_cmd *cmd, const tool_opt *table, size_t n, unsigned role);

/* "ntlm CMD: message\n" on stderr; returns status, for `return tool_error(...)`. */
int tool_error(int status, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a library error: "ntlm CMD: what: message (NAME)". */
int tool_lib_error(int status, const char *cmd, const char *what, ntlm_err rc);

/*
 * Copies a secret given on the command line and overwrites the argv
 * string, so that ps(1) shows it only for the instant before this runs.
 * NULL when out of memory. Free with ntlm_free_string().
 */
char *tool_take_argv_secret(char *arg);

/* Exactly 2n hex digits -> n bytes; 0 on success. */
int tool_parse_hex(const char *s, uint8_t *out, size_t n);

#endif
