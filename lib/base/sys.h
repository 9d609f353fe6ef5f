/* sys.h - what the operating system gives: the environment, whole reads and writes. */
#ifndef NTLM_SYS_H
#define NTLM_SYS_H

#include <stddef.h>

/*
 * getenv(), except in a set-user-ID or set-group-ID program, where the
 * environment belongs to a less trusted caller: NULL there. For the
 * variables that name files (NTLMSSP_CONF, NTLM_USER_FILE, NTLM_ACCOUNT_FILE).
 */
const char *ntlm_secure_getenv(const char *name);

/* write(2)/read(2) all n bytes, retrying on EINTR and short transfers; 0 or -1. */
int ntlm_write_all(int fd, const void *p, size_t n);
int ntlm_read_all(int fd, void *p, size_t n);

#endif
