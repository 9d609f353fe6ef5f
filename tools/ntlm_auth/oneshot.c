/*
 * oneshot.c - ntlm_auth without --helper-protocol: one check of a
 * challenge and its responses given on the command line, as FreeRADIUS's
 * mschap module runs it (--request-nt-key --username --challenge
 * --nt-response, MS-CHAP only with --allow-mschapv2), printing Samba's
 * lines (NT_KEY: ..., or the failure's NT_STATUS text) and exiting 0 on
 * success, 1 otherwise.
 */
#include "ntlm_auth.h"

int na_oneshot(const na_opts *o)
{
	if (!o->username) {
		fputs("username must be specified!\n\n", stderr);
		return NA_EXIT_FAIL;
	}
	fputs("ntlm_auth: the one-shot check is not implemented yet\n", stderr);
	return NA_EXIT_FAIL;
}
