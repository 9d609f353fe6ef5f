/* mem.c - secret hygiene: wiping, constant-time comparison, wiping allocation; see mem.h */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ntlm_memzero(void *p, size_t n)
{
	if (!p || !n)
		return;
	/* A volatile function pointer keeps the compiler from eliding the wipe. */
	static void *(*const volatile memset_v)(void *, int, size_t) = memset;
	memset_v(p, 0, n);
}

int ntlm_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(x[i] ^ y[i]);
	return d == 0;
}

int ntlm_ct_is_zero(const void *a, size_t n)
{
	const volatile uint8_t *x = a;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i];
	return d == 0;
}

void *ntlm_calloc(size_t n, size_t size)
{
	n = n ? n : 1;
	size = size ? size : 1;
	if (n > SIZE_MAX / size)
		return NULL;
	/* not calloc: glibc's calloc bypasses the per-thread cache that malloc
	   serves small blocks from, and a handshake makes dozens of them (and
	   not memset: the compiler would fold malloc + memset back into calloc) */
	void *p = malloc(n * size);
	ntlm_memzero(p, n * size);
	return p;
}

void ntlm_free_secret(void *p, size_t n)
{
	if (!p)
		return;
	ntlm_memzero(p, n);
	free(p);
}

char *ntlm_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void ntlm_free_string(char *s)
{
	if (s)
		ntlm_free_secret(s, strlen(s));
}

ntlm_err ntlm_grow_secret(void **block, size_t *cap, size_t used, size_t need, size_t first)
{
	if (need <= *cap)
		return NTLM_OK;
	size_t n = *cap ? *cap : first;
	while (n < need)
		n *= 2;
	uint8_t *p = malloc(n);
	if (!p)
		return NTLM_E_NO_MEMORY;
	if (used)
		memcpy(p, *block, used);
	/* realloc() would free the old block without wiping it */
	ntlm_free_secret(*block, *cap);
	*block = p;
	*cap = n;
	return NTLM_OK;
}
