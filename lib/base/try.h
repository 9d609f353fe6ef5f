/* try.h - the one error-propagation macro (the errors themselves: ntlmssp.h). */
#ifndef NTLM_TRY_H
#define NTLM_TRY_H

#include "ntlmssp/ntlmssp.h"

/* Propagate an error: the one guard macro used throughout. */
#define NTLM_TRY(expr)                                                                             \
	do {                                                                                           \
		ntlm_err try_rc_ = (expr);                                                                 \
		if (try_rc_ != NTLM_OK)                                                                    \
			return try_rc_;                                                                        \
	} while (0)

#endif
