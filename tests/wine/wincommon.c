/* wincommon.c - report lines for the Windows test programs (wincommon.h). */
#include "wincommon.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

static int passed, failed;

static void report_failure(const char *name, const char *fmt, va_list ap)
{
	failed++;
	printf("FAIL %s: ", name);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

int wt_check(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (cond) {
		passed++;
		printf("ok   %s\n", name);
		fflush(stdout);
	} else {
		report_failure(name, fmt, ap);
	}
	va_end(ap);
	return cond;
}

int wt_step(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (!cond)
		report_failure(name, fmt, ap);
	va_end(ap);
	return cond;
}

int wt_finish(const char *prog)
{
	printf("%s: %d passed, %d failed\n", prog, passed, failed);
	fflush(stdout);
	return failed ? 1 : 0;
}

const char *wt_strerror(unsigned long code, char *buf, size_t cap)
{
	DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
	                         0, buf, (DWORD)(cap > 32 ? cap - 32 : 0), NULL);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	snprintf(buf + n, cap - n, "%s0x%08lx", n ? " " : "", code);
	return buf;
}
