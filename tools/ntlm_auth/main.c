/*
 * main.c - ntlm_auth's command line (Samba's options, as callers pass them)
 * and the dispatch by mode; see ntlm_auth.h.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ntlm_auth.h"
#include "ntlm_tool.h"
#include "mem.h"

enum {
	O_HELPER_PROTOCOL = 256,
	O_USERNAME,
	O_DOMAIN,
	O_WORKSTATION,
	O_CHALLENGE,
	O_LM_RESPONSE,
	O_NT_RESPONSE,
	O_PASSWORD,
	O_REQUEST_LM_KEY,
	O_REQUEST_NT_KEY,
	O_USE_CACHED_CREDS,
	O_ALLOW_MSCHAPV2,
	O_OFFLINE_LOGON,
	O_DIAGNOSTICS,
	O_REQUIRE_MEMBERSHIP_OF,
	O_PAM_WINBIND_CONF,
	O_TARGET_SERVICE,
	O_TARGET_HOSTNAME,
	O_DEBUG_STDOUT,
	O_CONFIGFILE,
	O_OPTION,
	O_USAGE,
	O_ACCOUNT_FILE,
	O_WINBIND,
	O_FALLBACK_ACCOUNT_FILE,
	O_FALLBACK_WHEN_UNREACHABLE,
	O_DOMAIN_NAMES_FROM_WINBIND,
	O_POLICY,
	O_AUDIT_LOG
};

/* Samba's options (popt accepts "--name=value" and "--name value", as getopt_long does). */
static const struct option long_options[] = {
	{"helper-protocol", required_argument, NULL, O_HELPER_PROTOCOL},
	{"username", required_argument, NULL, O_USERNAME},
	{"domain", required_argument, NULL, O_DOMAIN},
	{"workstation", required_argument, NULL, O_WORKSTATION},
	{"challenge", required_argument, NULL, O_CHALLENGE},
	{"lm-response", required_argument, NULL, O_LM_RESPONSE},
	{"nt-response", required_argument, NULL, O_NT_RESPONSE},
	{"password", required_argument, NULL, O_PASSWORD},
	{"request-lm-key", no_argument, NULL, O_REQUEST_LM_KEY},
	{"request-nt-key", no_argument, NULL, O_REQUEST_NT_KEY},
	{"use-cached-creds", no_argument, NULL, O_USE_CACHED_CREDS},
	{"allow-mschapv2", no_argument, NULL, O_ALLOW_MSCHAPV2},
	{"offline-logon", no_argument, NULL, O_OFFLINE_LOGON},
	{"diagnostics", no_argument, NULL, O_DIAGNOSTICS},
	{"require-membership-of", required_argument, NULL, O_REQUIRE_MEMBERSHIP_OF},
	{"pam-winbind-conf", required_argument, NULL, O_PAM_WINBIND_CONF},
	{"target-service", required_argument, NULL, O_TARGET_SERVICE},
	{"target-hostname", required_argument, NULL, O_TARGET_HOSTNAME},
	{"debuglevel", required_argument, NULL, 'd'},
	{"debug-stdout", no_argument, NULL, O_DEBUG_STDOUT},
	{"configfile", required_argument, NULL, O_CONFIGFILE},
	{"option", required_argument, NULL, O_OPTION},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, '?'},
	{"usage", no_argument, NULL, O_USAGE},
	/* ours */
	{"account-file", required_argument, NULL, O_ACCOUNT_FILE},
	{"winbind", no_argument, NULL, O_WINBIND},
	{"fallback-account-file", required_argument, NULL, O_FALLBACK_ACCOUNT_FILE},
	{"fallback-when-unreachable", no_argument, NULL, O_FALLBACK_WHEN_UNREACHABLE},
	{"domain-names-from-winbind", no_argument, NULL, O_DOMAIN_NAMES_FROM_WINBIND},
	{"policy", required_argument, NULL, O_POLICY},
	{"audit-log", required_argument, NULL, O_AUDIT_LOG},
	{NULL, 0, NULL, 0},
};

static const struct {
	const char *name;
	na_mode mode;
} protocols[] = {
	{"squid-2.4-basic", NA_MODE_SQUID_BASIC},
	{"squid-2.5-basic", NA_MODE_SQUID_BASIC},
	{"squid-2.5-ntlmssp", NA_MODE_SQUID_NTLMSSP},
	{"ntlmssp-client-1", NA_MODE_NTLMSSP_CLIENT},
	{"gss-spnego", NA_MODE_GSS_SPNEGO},
	{"gss-spnego-client", NA_MODE_GSS_SPNEGO_CLIENT},
	{"ntlm-server-1", NA_MODE_NTLM_SERVER},
	{"ntlm-change-password-1", NA_MODE_CHANGE_PASSWORD},
};
#define N_PROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

static void usage(FILE *f)
{
	fputs("Usage: ntlm_auth [OPTION...]\n"
	      "  --helper-protocol=NAME       operate as a stdio-based helper:\n"
	      "                               squid-2.5-ntlmssp, squid-2.5-basic, ntlmssp-client-1,\n"
	      "                               gss-spnego, gss-spnego-client, ntlm-server-1,\n"
	      "                               ntlm-change-password-1\n"
	      "  --username=NAME --domain=NAME --workstation=NAME --password=PW\n"
	      "  --challenge=HEX --lm-response=HEX --nt-response=HEX\n"
	      "  --request-nt-key --request-lm-key --allow-mschapv2\n"
	      "  --use-cached-creds           take the password from winbindd's cache\n"
	      "  --require-membership-of=GROUP  only members of GROUP (a SID, or DOMAIN\\name\n"
	      "                               resolved by winbindd) may log on; needs --winbind\n"
	      "  --target-service=S --target-hostname=H   gss-spnego-client's SPN\n"
	      "  --account-file=FILE          smbpasswd accounts (default $NTLM_ACCOUNT_FILE,\n"
	      "                               else " NA_DEFAULT_ACCOUNT_FILE ")\n"
	      "  --winbind                    verify users through winbindd\n"
	      "  --fallback-account-file=FILE the domain first; FILE's accounts for clients of\n"
	      "                               a domain winbindd does not serve (implies --winbind)\n"
	      "  --fallback-when-unreachable  FILE also when the domain cannot be asked (weaker)\n"
	      "  --domain-names-from-winbind  the CHALLENGE names winbindd's domain\n"
	      "  --policy=FILE                policy file (default $NTLMSSP_CONF, /etc/ntlmssp.conf)\n"
	      "  --audit-log=FILE             append one JSON line per logon checked\n"
	      "  -d, --debuglevel=N  --configfile=FILE  --option=NAME=VALUE  (accepted, ignored)\n"
	      "  -V, --version  -?, --help\n",
	      f);
}

static int set_protocol(na_opts *o, const char *name)
{
	for (size_t i = 0; i < N_PROTOCOLS; i++)
		if (!strcmp(protocols[i].name, name)) {
			o->mode = protocols[i].mode;
			o->protocol = protocols[i].name;
			return 0;
		}
	/* Samba's words, on stderr, exit 1 */
	fprintf(stderr, "unknown helper protocol [%s]\n\nValid helper protools:\n\n", name);
	for (size_t i = 0; i < N_PROTOCOLS; i++)
		fprintf(stderr, "%s\n", protocols[i].name);
	return -1;
}

static int set_debuglevel(na_opts *o, const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);
	if (end == value || *end || v < 0 || v > INT_MAX) {
		fprintf(stderr, "ntlm_auth: --debuglevel: '%s' is not a number\n", value);
		return -1;
	}
	o->debuglevel = (int)v;
	return 0;
}

/* Options that only record a string. */
static const char **string_slot(na_opts *o, int id)
{
	switch (id) {
	case O_USERNAME:
		return &o->username;
	case O_DOMAIN:
		return &o->domain;
	case O_WORKSTATION:
		return &o->workstation;
	case O_CHALLENGE:
		return &o->challenge;
	case O_LM_RESPONSE:
		return &o->lm_response;
	case O_NT_RESPONSE:
		return &o->nt_response;
	case O_REQUIRE_MEMBERSHIP_OF:
		return &o->require_membership_of;
	case O_TARGET_SERVICE:
		return &o->target_service;
	case O_TARGET_HOSTNAME:
		return &o->target_hostname;
	case O_CONFIGFILE:
		return &o->configfile;
	case O_ACCOUNT_FILE:
		return &o->account_file;
	case O_FALLBACK_ACCOUNT_FILE:
		return &o->fallback_account_file;
	case O_POLICY:
		return &o->policy;
	case O_AUDIT_LOG:
		return &o->audit_log;
	default:
		return NULL;
	}
}

/* Switches that only set a flag. */
static int *switch_slot(na_opts *o, int id)
{
	switch (id) {
	case O_REQUEST_LM_KEY:
		return &o->request_lm_key;
	case O_REQUEST_NT_KEY:
		return &o->request_nt_key;
	case O_USE_CACHED_CREDS:
		return &o->use_cached_creds;
	case O_ALLOW_MSCHAPV2:
		return &o->allow_mschapv2;
	case O_OFFLINE_LOGON:
		return &o->offline_logon;
	case O_DIAGNOSTICS:
		return &o->diagnostics;
	case O_WINBIND:
		return &o->winbind;
	case O_FALLBACK_WHEN_UNREACHABLE:
		return &o->fallback_when_unreachable;
	case O_DOMAIN_NAMES_FROM_WINBIND:
		return &o->domain_names_from_winbind;
	default:
		return NULL;
	}
}

/* One option; 0, or -1 after printing why. */
static int take_option(na_opts *o, int id, char *value)
{
	const char **s = string_slot(o, id);
	int *sw = switch_slot(o, id);
	if (s) {
		*s = value;
		return 0;
	}
	if (sw) {
		*sw = 1;
		return 0;
	}
	switch (id) {
	case O_HELPER_PROTOCOL:
		return set_protocol(o, value);
	case O_PASSWORD:
		ntlm_free_string(o->password);
		o->password = tool_take_argv_secret(value);
		if (!o->password)
			fputs("ntlm_auth: out of memory\n", stderr);
		return o->password ? 0 : -1;
	case 'd':
		return set_debuglevel(o, value);
	case O_PAM_WINBIND_CONF: /* Samba's PAM glue: nothing of ours reads it */
	case O_DEBUG_STDOUT:
	case O_OPTION: /* smb.conf settings: we read no smb.conf */
		return 0;
	default:
		fprintf(stderr, "ntlm_auth: internal: unhandled option %d\n", id);
		return -1;
	}
}

int na_parse(int argc, char **argv, na_opts *o, int *status)
{
	int c;
	memset(o, 0, sizeof(*o));
	opterr = 0; /* our own messages, in Samba's words */
	optind = 1;
	while ((c = getopt_long(argc, argv, ":d:V?", long_options, NULL)) != -1) {
		if (c == 'V') {
			/* one write, as Wine reads it with a single read(2) */
			printf("Version %s-ntlmssp-%s\n", NA_SAMBA_LEVEL, ntlm_version());
			*status = NA_EXIT_OK;
			return -1;
		}
		if ((c == '?' && optopt == 0 && !strcmp(argv[optind - 1], "--help")) ||
		    (c == '?' && optopt == '?')) {
			usage(stdout);
			*status = NA_EXIT_OK;
			return -1;
		}
		if (c == O_USAGE) {
			usage(stdout);
			*status = NA_EXIT_OK;
			return -1;
		}
		if (c == '?' || c == ':') {
			fprintf(stderr, "Invalid option %s: %s\n\n", argv[optind - 1],
			        c == '?' ? "unknown option" : "missing argument");
			usage(stderr);
			*status = NA_EXIT_FAIL;
			return -1;
		}
		if (take_option(o, c, optarg) != 0) {
			*status = NA_EXIT_FAIL;
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Invalid option %s: unexpected argument\n\n", argv[optind]);
		usage(stderr);
		*status = NA_EXIT_FAIL;
		return -1;
	}
	return 0;
}

void na_opts_free(na_opts *o)
{
	ntlm_free_string(o->password);
	o->password = NULL;
}

static int dispatch(const na_opts *o)
{
	switch (o->mode) {
	case NA_MODE_ONESHOT:
		return na_oneshot(o);
	case NA_MODE_NTLMSSP_CLIENT:
		return na_ntlmssp_client(o);
	case NA_MODE_SQUID_NTLMSSP:
		return na_squid_ntlmssp(o);
	case NA_MODE_SQUID_BASIC:
		return na_squid_basic(o);
	case NA_MODE_GSS_SPNEGO:
		return na_gss_spnego(o);
	case NA_MODE_GSS_SPNEGO_CLIENT:
		return na_gss_spnego_client(o);
	case NA_MODE_NTLM_SERVER:
		return na_ntlm_server(o);
	case NA_MODE_CHANGE_PASSWORD:
		return na_change_password(o);
	}
	return NA_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	na_opts o;
	int status = NA_EXIT_OK;
	if (na_parse(argc, argv, &o, &status) == 0)
		status = dispatch(&o);
	na_opts_free(&o);
	return status;
}
