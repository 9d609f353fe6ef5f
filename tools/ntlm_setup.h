/*
 * ntlm_setup.h - the options `ntlm client`, `ntlm server` and `ntlm
 * squid-helper` share (credentials, policy, names), and turning them into
 * a credential, a policy and a client or server configuration.
 */
#ifndef NTLM_SETUP_H
#define NTLM_SETUP_H

#include <stddef.h>
#include <stdint.h>

#include "ntlm_tool.h"

/* Roles (tool_opt.roles) of the shared option table. */
#define ROLE_CLIENT 0x1u
#define ROLE_SERVER 0x2u
#define ROLE_SQUID  0x4u

#define SETUP_MAX_SERVICES 32

/* Everything the command line said; strings point into argv (or the environment). */
typedef struct setup_opts {
	const char *cmd; /* for messages */
	/* client credentials */
	const char *user, *domain, *password_file, *nt_hash, *cred_file;
	char *password; /* owned copy of --password (argv overwritten); wiped */
	int anonymous;
	int winbind_ccache; /* --winbind-ccache */
	const char *workstation, *target_name, *flags;
	/* server */
	const char *account_file, *computer_name, *domain_name, *audit_log;
	const char *dns_computer_name, *dns_domain_name;
	int winbind;                /* verify through winbindd instead of account_file */
	const char *winbind_domain; /* --winbind-domain (implies --winbind) */
	const char *fallback_file;  /* --fallback-account-file: the chained store's local link */
	int fallback_unreachable;   /* --fallback-when-unreachable */
	int names_from_winbind;     /* --domain-names-from-winbind */
	const char *services[SETUP_MAX_SERVICES + 1];
	size_t n_services;
	/* policy, both sides */
	const char *config, *cbt_hash, *cbt_policy, *min_security, *responses;
	int allow_ntlmv1, allow_lm, allow_anonymous, require_mic, require_target_name;
	int datagram;
	int show_session_key; /* client and server: the key in the DONE line */
} setup_opts;

extern const tool_opt setup_table[];
extern const size_t setup_table_len;

void setup_opts_init(setup_opts *o, const char *cmd);
/* tool_opt_fn for setup_table (arg: setup_opts *). */
int setup_option(void *arg, int id, char *value);
void setup_opts_free(setup_opts *o);

/* A ready client: its credential, policy and configuration. */
typedef struct setup_client {
	ntlm_policy policy;
	ntlm_cred *cred;
	uint8_t cbt[16];
	ntlm_client_config cfg;
} setup_client;

/* A ready server configuration with what it points at. */
typedef struct setup_server {
	ntlm_policy policy;
	ntlm_account_store *store;
	ntlm_account_store *links[3];           /* a chained store's domain and local stores; what a
	                                 membership store wraps */
	char wb_domain[64], wb_dns_domain[256]; /* --domain-names-from-winbind */
	ntlm_replay_cache *replay;
	uint8_t cbt[16];
	int audit_fd;
	const char *audit_path;
	ntlm_server_config cfg;
} setup_server;

/* 0, or TOOL_EXIT_USAGE / TOOL_EXIT_FAIL after printing why. */
int setup_client_build(const setup_opts *o, setup_client *c);
void setup_client_free(setup_client *c);
int setup_server_build(const setup_opts *o, int with_replay_cache, setup_server *s);
/*
 * Lets only the members of the group (or account) sid log on: s's store is
 * wrapped in ntlm_account_store_require_member(). 0, or TOOL_EXIT_USAGE /
 * TOOL_EXIT_FAIL after printing why (what names the check: option).
 */
int setup_server_require_member(setup_server *s, const char *cmd, const char *option,
                                const char *sid);
void setup_server_free(setup_server *s);

#endif
