/* sys.c - what the operating system gives: the environment, whole reads and writes; see sys.h */
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int ntlm_write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ntlm_read_all(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

const char *ntlm_secure_getenv(const char *name)
{
#if defined(NTLMSSP_HAVE_SECURE_GETENV)
	return secure_getenv(name);
#elif defined(NTLMSSP_HAVE_ISSETUGID)
	return issetugid() ? NULL : getenv(name);
#else
	return (getuid() != geteuid() || getgid() != getegid()) ? NULL : getenv(name);
#endif
}
