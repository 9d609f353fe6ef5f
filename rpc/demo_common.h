/*
 * demo_common.h - command-line handling shared by rpc/demo_client and
 * rpc/demo_server, so both parse options and report errors the same way.
 */
#ifndef NTLM_RPC_DEMO_COMMON_H
#define NTLM_RPC_DEMO_COMMON_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "ntlmssp/ntlmssp.h"

/*
 * One option of a demo program. With set == NULL the option takes an
 * argument and stores it as a const char * at offset field of the caller's
 * options struct; otherwise set handles it and returns nonzero for a bad value.
 */
typedef struct demo_option {
	const char *name;
	char letter;
	int has_arg; /* no_argument or required_argument */
	size_t field;
	int (*set)(void *opts, const char *arg);
} demo_option;

#define DEMO_STRING_OPTION(name, letter, type, member)                                             \
	{                                                                                              \
		name, letter, required_argument, offsetof(type, member), NULL                              \
	}
#define DEMO_CUSTOM_OPTION(name, letter, has_arg, set)                                             \
	{                                                                                              \
		name, letter, has_arg, 0, set                                                              \
	}

/*
 * getopt_long over table[0..n) plus --help (-h), filling opts. Returns -1 to
 * go on, with *first_operand the index of the first non-option argument;
 * otherwise the exit status: 0 after --help, 2 on a usage error. An unknown
 * option prints usage to stderr; a value set rejects does not.
 */
int demo_parse_options(int argc, char **argv, const demo_option *table, size_t n, void *opts,
                       void (*usage)(FILE *), int *first_operand);

/* "program: what: reason" on stderr; returns 1, the exit status for it. */
int demo_report_error(const char *program, const char *what, ntlm_err e);

#endif
