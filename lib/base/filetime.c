/* filetime.c - Windows FILETIME and Unix time; see filetime.h */
#include "filetime.h"

/* Seconds between 1601-01-01 and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 11644473600LL

uint64_t ntlm_unix_to_filetime(int64_t unix_seconds)
{
	return (uint64_t)(unix_seconds + FILETIME_UNIX_EPOCH) * 10000000ULL;
}

int64_t ntlm_filetime_to_unix(uint64_t filetime)
{
	return (int64_t)(filetime / 10000000ULL) - FILETIME_UNIX_EPOCH;
}
