/* filetime.h - Windows FILETIME (100 ns since 1601), the NTLMv2 timestamp, and Unix time. */
#ifndef NTLM_FILETIME_H
#define NTLM_FILETIME_H

#include <stdint.h>

uint64_t ntlm_unix_to_filetime(int64_t unix_seconds);
int64_t ntlm_filetime_to_unix(uint64_t filetime);

#endif
