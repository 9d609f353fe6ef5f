/*
 * util.h - all of lib/base's small helpers at once, for programs outside
 * the library (tools, tests, rpc). Library files include what they use:
 * mem.h, text.h, filetime.h, sys.h, try.h (tests/layers.py checks it).
 */
#ifndef NTLM_UTIL_H
#define NTLM_UTIL_H

#include "filetime.h"
#include "mem.h"
#include "sys.h"
#include "text.h"
#include "try.h"

#endif
