/*
 * client_t.h - what the DCOM client's tests share: t.h and a check of an
 * HRESULT by its name.
 */
#ifndef NTLM_DCOM_CLIENT_T_H
#define NTLM_DCOM_CLIENT_T_H

#include "ntlmssp/dcom.h"
#include "t.h"

/* expr must return the HRESULT want. */
#define T_HR(expr, want)                                                                           \
	do {                                                                                           \
		ntlm_hresult t_hr_ = (expr);                                                               \
		if (t_hr_ != (ntlm_hresult)(want))                                                         \
			T_FAIL("%s returned %s (0x%08x), wanted %s", #expr, ntlm_hresult_name(t_hr_),          \
			       (unsigned)t_hr_, #want);                                                        \
	} while (0)

#endif
