/*
 * ntlm_auth.h - a Samba-compatible `ntlm_auth`: the stdin/stdout helper that
 * Wine, Squid, FreeRADIUS and curl run for NTLM, over libntlmssp.so's public
 * API (a face: it links the shared library and the private base only).
 *
 * main.c parses Samba's command line into one na_opts and dispatches on the
 * mode; each mode lives in its own file:
 *   oneshot.c       no --helper-protocol: one challenge/response check
 *                   (FreeRADIUS: --request-nt-key, MS-CHAP with --allow-mschapv2)
 *   client.c        ntlmssp-client-1 (Wine's client, curl's --ntlm-wb)
 *   server.c        squid-2.5-ntlmssp (the Squid engine, tools/ntlm_squid.c, in
 *                   Samba's words), squid-2.5-basic; the store and policy
 *   spnego.c        the SPNEGO tokens (DER), gss.c the gss-spnego modes
 * docs/ntlm_auth.md describes each protocol and where ours differs from Samba's.
 */
#ifndef NTLM_AUTH_H
#define NTLM_AUTH_H

#include <stdio.h>

#include "ntlm_setup.h"
#include "ntlmssp/ntlmssp.h"

/* Exit statuses, as Samba's: 0 success, 1 anything else (bad usage included). */
#define NA_EXIT_OK   0
#define NA_EXIT_FAIL 1

/* The version line callers parse ("Version X.Y.Z"; Wine wants >= 3.0.25). */
#define NA_SAMBA_LEVEL "4.0.0"

/* --helper-protocol=, or none (the one-shot check). */
typedef enum na_mode {
	NA_MODE_ONESHOT = 0,    /* no --helper-protocol */
	NA_MODE_NTLMSSP_CLIENT, /* ntlmssp-client-1: YR/TT/KK/AF/PW/SF/GK/GF (Wine's client) */
	NA_MODE_SQUID_NTLMSSP,  /* squid-2.5-ntlmssp: the server side (Squid, Wine's server) */
	NA_MODE_SQUID_BASIC,    /* squid-2.5-basic (and squid-2.4-basic): "user password" -> OK/ERR */
	NA_MODE_NTLM_SERVER,    /* ntlm-server-1: "key: value" lines ended by "." */
	NA_MODE_GSS_SPNEGO,     /* gss-spnego: SPNEGO (or raw NTLMSSP) server for Negotiate */
	NA_MODE_GSS_SPNEGO_CLIENT, /* gss-spnego-client */
	NA_MODE_CHANGE_PASSWORD    /* ntlm-change-password-1 */
} na_mode;

/*
 * Everything the command line said. Strings point into argv, except
 * password (an owned copy: the argv string is overwritten at once so ps(1)
 * shows it only for an instant; wiped by na_opts_free).
 */
typedef struct na_opts {
	na_mode mode;
	const char *protocol; /* the --helper-protocol word, for messages */

	/* Who: --username, --domain, --workstation. The client modes also take
	 * the user from a "PW" exchange or the credential file. */
	const char *username, *domain, *workstation;
	char *password; /* --password (owned, wiped) */

	/* One-shot (oneshot.c): hex strings as given; checked by the mode. */
	const char *challenge;   /* --challenge: 8 bytes */
	const char *lm_response; /* --lm-response: 24 bytes */
	const char *nt_response; /* --nt-response: 24 bytes, or an NTLMv2 response */
	int request_nt_key;      /* --request-nt-key: print "NT_KEY: <hex>" on success */
	int request_lm_key;      /* --request-lm-key: print "LM_KEY: <hex>" on success */
	int allow_mschapv2;      /* --allow-mschapv2: accept MS-CHAP's NTLMv1-style responses */
	int diagnostics;         /* --diagnostics: Samba's self-test (not implemented: refused) */

	/* Client credentials: --use-cached-creds asks winbindd's cache when no
	 * password is given (neither on the command line nor by PW). */
	int use_cached_creds;

	/* Ours: the server's account store and policy. */
	const char *account_file; /* --account-file: smbpasswd file (else $NTLM_ACCOUNT_FILE,
	                             else NA_DEFAULT_ACCOUNT_FILE) */
	int winbind;              /* --winbind: verify through winbindd instead */
	/* The chained store, as `ntlm server` has it: the domain (winbindd) first, this
	   smbpasswd file only for clients of a domain winbindd does not serve */
	const char *fallback_account_file; /* --fallback-account-file (implies --winbind) */
	int fallback_when_unreachable;     /* --fallback-when-unreachable: also with the DC down */
	int domain_names_from_winbind;     /* --domain-names-from-winbind: the CHALLENGE's names */
	const char *policy;    /* --policy: policy file (else $NTLMSSP_CONF, /etc/ntlmssp.conf) */
	const char *audit_log; /* --audit-log: one JSON line per logon checked */

	/* Samba's, accepted so callers' command lines work; see docs/ntlm_auth.md. */
	const char *require_membership_of; /* a SID, or a name winbindd resolves; needs --winbind */
	const char *target_service, *target_hostname; /* gss-spnego-client: the SPN's parts */
	const char *configfile;                       /* smb.conf: ignored */
	int debuglevel;                               /* -d: 0 quiet; > 0 logs to stderr */
	int offline_logon;                            /* accepted, no effect */
} na_opts;

/* Where the account store is when neither --account-file nor $NTLM_ACCOUNT_FILE says. */
#define NA_DEFAULT_ACCOUNT_FILE "/etc/ntlmssp/smbpasswd"

/*
 * Parses argv into *o. Returns -1 when the run is over and the status is
 * in *status (--version, --help, a usage error already reported), else 0.
 */
int na_parse(int argc, char **argv, na_opts *o, int *status);
void na_opts_free(na_opts *o);

/* Each mode: runs to the end of input (or the one check) and returns the exit status. */
int na_oneshot(const na_opts *o);
int na_ntlmssp_client(const na_opts *o);
int na_squid_ntlmssp(const na_opts *o);
int na_squid_basic(const na_opts *o);
int na_gss_spnego(const na_opts *o);
int na_gss_spnego_client(const na_opts *o);
int na_ntlm_server(const na_opts *o);
int na_change_password(const na_opts *o);

/* ------------------------------------------------------------ server.c */

/*
 * The server's store and policy from o (--winbind, --account-file,
 * $NTLM_ACCOUNT_FILE, NA_DEFAULT_ACCOUNT_FILE; --fallback-account-file;
 * --policy), wrapped for --require-membership-of, which an account file
 * alone cannot answer (refused). NA_EXIT_OK, or
 * NA_EXIT_FAIL after saying why on stderr. Free with setup_server_free()
 * and setup_opts_free() in any case.
 */
int na_server_open(const na_opts *o, setup_opts *so, setup_server *srv);
/*
 * Checks a plaintext password: a whole handshake between a client context
 * and a server context on srv, in this process. principal (may be NULL)
 * gets "DOMAIN\user" as the store names the user.
 */
NTLM_MUST_CHECK ntlm_err na_check_password(setup_server *srv, const char *domain, const char *user,
                                           const char *password, char *principal, size_t cap);
/*
 * Verifies a challenge and the responses a caller computed (ntlm-server-1,
 * the one-shot mode) with srv's store, under its policy's allowed responses
 * plus extra_allowed (NTLM_RESP_NTLMV1 for MS-CHAP with --allow-mschapv2);
 * lm / nt may be empty. res: the session base key, the LM session key.
 */
NTLM_MUST_CHECK ntlm_err na_verify_challenge(setup_server *srv, const char *domain,
                                             const char *user,
                                             const uint8_t challenge[NTLM_CHALLENGE_SIZE],
                                             const uint8_t *lm, size_t lm_len, const uint8_t *nt,
                                             size_t nt_len, uint32_t extra_allowed,
                                             ntlm_auth_result *res);
/* "DOMAIN\user" or "DOMAIN/user" split in place; a bare name gets default_domain. */
void na_split_user(char *name, const char *default_domain, const char **domain, const char **user);
/* Reads stdin line by line until its end; handle gets each line, overlong each line too long. */
int na_line_loop(void (*handle)(void *arg, char *line, size_t len),
                 void (*overlong)(void *arg, const char *start, size_t len), void *arg);

/* ------------------------------------------------------------ client.c */

/* An NTLM client driven by a line protocol (ntlmssp-client-1, gss-spnego-client). */
typedef struct na_client {
	const na_opts *o;
	ntlm_policy policy;
	const char *spn;       /* MsvAvTargetName to send (gss-spnego-client), or NULL */
	char *password;        /* from a PW line (wiped) */
	ntlm_cred *cred;       /* built at the first TT that has a password */
	ntlm_buffer negotiate; /* the NEGOTIATE sent: the context answering TT must match it */
	ntlm_ctx *ctx;
	int done; /* ctx is established */
} na_client;

void na_client_init(na_client *cl, const na_opts *o);
void na_client_free(na_client *cl);
/* --policy or the system policy; 0, or -1 after saying why. */
int na_client_load_policy(na_client *cl);
NTLM_MUST_CHECK ntlm_err na_client_set_password(na_client *cl, const char *password);
/* YR: a new handshake; *out gets the NEGOTIATE. */
NTLM_MUST_CHECK ntlm_err na_client_start(na_client *cl, ntlm_buffer *out);
/* TT: *out gets the AUTHENTICATE; NTLM_E_NO_CREDENTIALS when a password is needed. */
NTLM_MUST_CHECK ntlm_err na_client_answer(na_client *cl, const uint8_t *challenge, size_t len,
                                          ntlm_buffer *out);
/* GF: the negotiated flags, before a handshake the ones requested. */
uint32_t na_client_flags(const na_client *cl);
/* One line of ntlmssp-client-1 (gss-spnego-client hands over all but YR and TT). */
void na_client_line(na_client *cl, char *line, size_t len);
/* A line too long for na_line_loop: BH. */
void na_client_overlong(void *arg, const char *start, size_t len);

#endif
