/*
 * demo_class.h - NtlmDemo, the class every test can use (CLSID and IID in
 * dcom.h): WhoAmI reports the client blanket, Add adds, WhoAmIImpersonated
 * impersonates the client and reports the thread's effective uid and its
 * account name.
 */
#ifndef DCOM_DEMO_CLASS_H
#define DCOM_DEMO_CLASS_H

#include "ntlmssp/dcom.h"

/*
 * Fills *cls (initialised with NTLM_DCOM_CLASS_INIT) for NtlmDemo with the
 * given permission lists (NULL-terminated; they must outlive the
 * registration, which copies them).
 */
void dcom_demo_class(ntlm_dcom_class *cls, const char *const *launch, const char *const *access);

#endif
