/*
 * ntlm_io.h - input for the line protocols and for passwords. Every buffer
 * that may have held a secret (a password, data to seal) is wiped before
 * it is freed or grown.
 */
#ifndef NTLM_IO_H
#define NTLM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest protocol line accepted: far above any NTLM token, low enough to bound memory. */
#define IO_LINE_MAX (1024 * 1024)

typedef struct io_line {
	char *data; /* NUL-terminated, without "\n" / "\r\n" */
	size_t len;
	size_t cap;
} io_line;

enum { IO_EOF = 0, IO_LINE = 1, IO_TOO_LONG = -1, IO_ERROR = -2 };

/*
 * Reads the next line of f. IO_LINE: l->data holds it (a last line without
 * "\n" counts); IO_EOF: nothing left; IO_TOO_LONG: the line exceeded max
 * bytes and was skipped to its end; IO_ERROR: a read error.
 */
int io_read_line(FILE *f, io_line *l, size_t max);
/* Wipes and frees. */
void io_line_free(io_line *l);

/*
 * Splits s in place at runs of blanks (space, tab) into at most max words.
 * Returns the number of words, or max + 1 when there are more.
 */
size_t io_split_words(char *s, char **words, size_t max);

/*
 * Reads a password into buf (NUL-terminated, line end removed): from the
 * terminal without echo, after printing prompt on stderr, when fd 0 is a
 * terminal and !force_stdin; else one line of fd 0, read byte by byte so
 * nothing after it is consumed. Returns 0, or -1 after printing why
 * (end of input, too long, interrupted).
 */
int io_read_password(const char *cmd, const char *prompt, int force_stdin, char *buf, size_t cap);

/* The first line of a file (a password file), as io_read_password does; 0 or -1. */
int io_read_first_line(const char *cmd, const char *path, char *buf, size_t cap);

#endif
