/*
 * wincommon.h - what the Windows test programs run under Wine share: one
 * report line per check ("ok NAME" or "FAIL NAME: why"), counted, and the
 * summary line the suite reads ("N passed, N failed").
 */
#ifndef WINE_TEST_COMMON_H
#define WINE_TEST_COMMON_H

#include <stdarg.h>
#include <stddef.h>

/* Reports a check; returns cond so callers can stop after a failed step. */
int wt_check(int cond, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A step inside a check: reported (and counted) only when it fails. */
int wt_step(int cond, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints "PROG: N passed, N failed"; the exit status: 0 if none failed. */
int wt_finish(const char *prog);
/* A Windows error or status code as text (FormatMessage) into buf, for reports. */
const char *wt_strerror(unsigned long code, char *buf, size_t cap);

#endif
