/* ntlm_io.c - protocol lines and passwords; see ntlm_io.h */
#include "ntlm_io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ntlm_tool.h"
#include "mem.h"

/* Grows l to hold need bytes, wiping the old block (it may hold a secret). */
static int line_grow(io_line *l, size_t need)
{
	size_t cap = l->cap ? l->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = ntlm_calloc(cap, 1);
	if (!p)
		return -1;
	if (l->data) {
		memcpy(p, l->data, l->len);
		ntlm_free_secret(l->data, l->cap);
	}
	l->data = p;
	l->cap = cap;
	return 0;
}

int io_read_line(FILE *f, io_line *l, size_t max)
{
	int c, too_long = 0;
	if (l->data)
		ntlm_memzero(l->data, l->cap);
	l->len = 0;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (too_long || l->len >= max) {
			too_long = 1;
			continue;
		}
		if ((!l->data || l->len + 2 > l->cap) && line_grow(l, l->len + 2) != 0)
			return IO_ERROR;
		l->data[l->len++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return IO_ERROR;
	if (c == EOF && l->len == 0 && !too_long)
		return IO_EOF;
	if (too_long)
		return IO_TOO_LONG;
	if (!l->data && line_grow(l, 1) != 0)
		return IO_ERROR;
	if (l->len && l->data[l->len - 1] == '\r')
		l->len--;
	l->data[l->len] = '\0';
	return IO_LINE;
}

void io_line_free(io_line *l)
{
	if (l->data)
		ntlm_free_secret(l->data, l->cap);
	memset(l, 0, sizeof(*l));
}

size_t io_split_words(char *s, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

/* ------------------------------------------------------------ passwords */

/*
 * One line of fd, byte by byte (stdio would read ahead and keep a copy of
 * the secret in its buffer). Returns the length, -1 on EOF before any byte
 * or an error (errno EINTR when a signal interrupted), -2 when too long.
 */
static ssize_t read_fd_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	int any = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		any = 1;
		if (c == '\n')
			break;
		if (n + 1 >= cap) {
			ntlm_memzero(buf, cap);
			return -2;
		}
		buf[n++] = c;
	}
	if (!any)
		return -1;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

/*
 * The terminal is put back the way it was even if a signal arrives while
 * echo is off: the handlers below only make read(2) return EINTR; the
 * signal is re-raised once the terminal is restored.
 */
static volatile sig_atomic_t pending_signal;

static void note_signal(int sig)
{
	pending_signal = sig;
}

static const int tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
#define N_TTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static ssize_t read_tty_line(const char *prompt, char *buf, size_t cap)
{
	struct termios saved, quiet;
	struct sigaction sa, old[N_TTY_SIGNALS];
	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal; /* no SA_RESTART: read() must return */
	sigemptyset(&sa.sa_mask);
	pending_signal = 0;
	for (size_t i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &sa, &old[i]);
	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL; /* the user still sees the Enter */
	fputs(prompt, stderr);
	fflush(stderr);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	ssize_t n = read_fd_line(STDIN_FILENO, buf, cap);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	for (size_t i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	if (pending_signal) {
		fputc('\n', stderr);
		ntlm_memzero(buf, cap);
		raise(pending_signal);
		return -1;
	}
	return n;
}

static int report_read(const char *cmd, const char *from, ssize_t n, size_t cap)
{
	if (n == -2)
		return tool_error(-1, cmd, "%s: password longer than %zu bytes", from, cap - 1);
	if (n < 0)
		return tool_error(-1, cmd, "%s: no password (end of input)", from);
	return 0;
}

int io_read_password(const char *cmd, const char *prompt, int force_stdin, char *buf, size_t cap)
{
	if (!force_stdin && isatty(STDIN_FILENO))
		return report_read(cmd, "terminal", read_tty_line(prompt, buf, cap), cap);
	return report_read(cmd, "standard input", read_fd_line(STDIN_FILENO, buf, cap), cap);
}

int io_read_first_line(const char *cmd, const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tool_error(-1, cmd, "%s: %s", path, strerror(errno));
	ssize_t n = read_fd_line(fd, buf, cap);
	close(fd);
	return report_read(cmd, path, n, cap);
}
