/* ntlm_setup.c - shared options of the helper subcommands; see ntlm_setup.h */
#include "ntlm_setup.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ntlm_io.h"
#include "textfile.h"
#include "mem.h"
#include "sys.h"

#define BOTH      (ROLE_CLIENT | ROLE_SERVER)
#define ACCEPTORS (ROLE_SERVER | ROLE_SQUID)
#define ALL       (ROLE_CLIENT | ROLE_SERVER | ROLE_SQUID)

enum {
	O_USER = 256,
	O_DOMAIN,
	O_PASSWORD,
	O_PASSWORD_FILE,
	O_NT_HASH,
	O_CRED_FILE,
	O_ANONYMOUS,
	O_WORKSTATION,
	O_TARGET_NAME,
	O_FLAGS,
	O_NTLMV1,
	O_ACCOUNT_FILE,
	O_COMPUTER_NAME,
	O_DOMAIN_NAME,
	O_SERVICE_NAME,
	O_AUDIT_LOG,
	O_CONFIG,
	O_ALLOW_NTLMV1,
	O_ALLOW_LM,
	O_ALLOW_ANONYMOUS,
	O_REQUIRE_MIC,
	O_REQUIRE_TARGET_NAME,
	O_CBT_HASH,
	O_CBT_POLICY,
	O_MIN_SECURITY,
	O_RESPONSES,
	O_DATAGRAM,
	O_WINBIND,
	O_WINBIND_DOMAIN,
	O_SHOW_SESSION_KEY,
	O_DNS_COMPUTER_NAME,
	O_DNS_DOMAIN_NAME,
	O_FALLBACK_FILE,
	O_FALLBACK_UNREACHABLE,
	O_NAMES_FROM_WINBIND,
	O_WINBIND_CCACHE
};

const tool_opt setup_table[] = {
	{"user", O_USER, ROLE_CLIENT, "NAME", "user name (default $NTLM_USER)"},
	{"domain", O_DOMAIN, ROLE_CLIENT, "NAME", "user's domain (default $NTLM_DOMAIN)"},
	{"password", O_PASSWORD, ROLE_CLIENT, "PW",
     "password (visible to other users: prefer --password-file)"},
	{"password-file", O_PASSWORD_FILE, ROLE_CLIENT, "FILE", "password: the first line of FILE"},
	{"nt-hash", O_NT_HASH, ROLE_CLIENT, "HEX", "the NT hash (32 hex digits) instead of a password"},
	{"cred-file", O_CRED_FILE, ROLE_CLIENT, "FILE",
     "DOMAIN:USER:PASSWORD file (default $NTLM_USER_FILE)"},
	{"anonymous", O_ANONYMOUS, ROLE_CLIENT, NULL, "authenticate anonymously"},
	{"winbind-ccache", O_WINBIND_CCACHE, ROLE_CLIENT, NULL,
     "the logged-on domain user's credentials from winbindd's cache (no password)"},
	{"workstation", O_WORKSTATION, ROLE_CLIENT, "NAME",
     "workstation name sent (default: host name)"},
	{"target-name", O_TARGET_NAME, ROLE_CLIENT, "SPN", "send SPN as MsvAvTargetName"},
	{"flags", O_FLAGS, ROLE_CLIENT, "HEX", "request exactly these NEGOTIATE flags"},
	{"ntlmv1", O_NTLMV1, ROLE_CLIENT, NULL, "send an NTLMv1 response (= --responses ntlmv1)"},
	{"account-file", O_ACCOUNT_FILE, ACCEPTORS, "FILE",
     "smbpasswd-format accounts (default $NTLM_ACCOUNT_FILE)"},
	{"winbind", O_WINBIND, ACCEPTORS, NULL,
     "verify users through winbindd (a domain) instead of an account file"},
	{"winbind-domain", O_WINBIND_DOMAIN, ACCEPTORS, "NAME",
     "with --winbind: accept only users of this NetBIOS domain"},
	{"fallback-account-file", O_FALLBACK_FILE, ACCEPTORS, "FILE",
     "with --winbind: local accounts for clients of a domain we do not trust"},
	{"fallback-when-unreachable", O_FALLBACK_UNREACHABLE, ACCEPTORS, NULL,
     "with --fallback-account-file: also when the domain cannot be asked (weaker)"},
	{"domain-names-from-winbind", O_NAMES_FROM_WINBIND, ACCEPTORS, NULL,
     "the CHALLENGE names winbind's domain (NetBIOS and DNS names)"},
	{"computer-name", O_COMPUTER_NAME, ACCEPTORS, "NAME",
     "NetBIOS computer name (default: host name)"},
	{"domain-name", O_DOMAIN_NAME, ACCEPTORS, "NAME",
     "NetBIOS domain name (default: computer name)"},
	{"dns-computer-name", O_DNS_COMPUTER_NAME, ACCEPTORS, "NAME",
     "DNS computer name (default: the host name if fully qualified)"},
	{"dns-domain-name", O_DNS_DOMAIN_NAME, ACCEPTORS, "NAME",
     "DNS domain name (default: the DNS computer name after its first dot)"},
	{"service-name", O_SERVICE_NAME, ACCEPTORS, "SPN",
     "an SPN this server answers to (repeatable)"},
	{"require-target-name", O_REQUIRE_TARGET_NAME, ACCEPTORS, NULL,
     "refuse clients whose MsvAvTargetName is not a --service-name"},
	{"allow-anonymous", O_ALLOW_ANONYMOUS, ACCEPTORS, NULL, "accept anonymous authentication"},
	{"require-mic", O_REQUIRE_MIC, ACCEPTORS, NULL, "refuse an AUTHENTICATE without a MIC"},
	{"audit-log", O_AUDIT_LOG, ACCEPTORS, "FILE", "append one JSON line per authentication"},
	{"config", O_CONFIG, ALL, "FILE", "policy file (default $NTLMSSP_CONF, /etc/ntlmssp.conf)"},
	{"allow-ntlmv1", O_ALLOW_NTLMV1, ALL, NULL, "permit NTLMv1 responses"},
	{"allow-lm", O_ALLOW_LM, ALL, NULL, "permit LM responses"},
	{"responses", O_RESPONSES, ALL, "LIST", "exactly these responses: lm,ntlmv1,ntlmv2"},
	{"min-security", O_MIN_SECURITY, ALL, "LIST", "sign,seal,128bit,key_exch,ess or none"},
	{"cbt-hash", O_CBT_HASH, BOTH, "HEX", "channel bindings MD5 (client: send; server: expect)"},
	{"cbt-policy", O_CBT_POLICY, ACCEPTORS, "POLICY", "never, if_present or required"},
	{"datagram", O_DATAGRAM, BOTH, NULL, "connectionless NTLM (the server speaks first)"},
	{"show-session-key", O_SHOW_SESSION_KEY, BOTH, NULL,
     "print the exported session key (a secret) in the DONE line"},
};
const size_t setup_table_len = sizeof(setup_table) / sizeof(setup_table[0]);

void setup_opts_init(setup_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
}

void setup_opts_free(setup_opts *o)
{
	ntlm_free_string(o->password);
	o->password = NULL;
}

/* Options that only record a string. */
static const char **string_slot(setup_opts *o, int id)
{
	switch (id) {
	case O_USER:
		return &o->user;
	case O_DOMAIN:
		return &o->domain;
	case O_PASSWORD_FILE:
		return &o->password_file;
	case O_NT_HASH:
		return &o->nt_hash;
	case O_CRED_FILE:
		return &o->cred_file;
	case O_WORKSTATION:
		return &o->workstation;
	case O_TARGET_NAME:
		return &o->target_name;
	case O_FLAGS:
		return &o->flags;
	case O_ACCOUNT_FILE:
		return &o->account_file;
	case O_COMPUTER_NAME:
		return &o->computer_name;
	case O_DOMAIN_NAME:
		return &o->domain_name;
	case O_DNS_COMPUTER_NAME:
		return &o->dns_computer_name;
	case O_DNS_DOMAIN_NAME:
		return &o->dns_domain_name;
	case O_AUDIT_LOG:
		return &o->audit_log;
	case O_WINBIND_DOMAIN:
		return &o->winbind_domain;
	case O_FALLBACK_FILE:
		return &o->fallback_file;
	case O_CONFIG:
		return &o->config;
	case O_CBT_HASH:
		return &o->cbt_hash;
	case O_CBT_POLICY:
		return &o->cbt_policy;
	case O_MIN_SECURITY:
		return &o->min_security;
	case O_RESPONSES:
		return &o->responses;
	default:
		return NULL;
	}
}

/* Switches that only set a flag. */
static int *switch_slot(setup_opts *o, int id)
{
	switch (id) {
	case O_ANONYMOUS:
		return &o->anonymous;
	case O_WINBIND_CCACHE:
		return &o->winbind_ccache;
	case O_ALLOW_NTLMV1:
		return &o->allow_ntlmv1;
	case O_ALLOW_LM:
		return &o->allow_lm;
	case O_ALLOW_ANONYMOUS:
		return &o->allow_anonymous;
	case O_REQUIRE_MIC:
		return &o->require_mic;
	case O_REQUIRE_TARGET_NAME:
		return &o->require_target_name;
	case O_DATAGRAM:
		return &o->datagram;
	case O_WINBIND:
		return &o->winbind;
	case O_FALLBACK_UNREACHABLE:
		return &o->fallback_unreachable;
	case O_NAMES_FROM_WINBIND:
		return &o->names_from_winbind;
	case O_SHOW_SESSION_KEY:
		return &o->show_session_key;
	default:
		return NULL;
	}
}

int setup_option(void *arg, int id, char *value)
{
	setup_opts *o = arg;
	/* The parser always hands back the options it was given. Said for the
	 * analyzer, which otherwise takes a null &o->field as a null o. */
	assert(o != NULL);
	const char **s = string_slot(o, id);
	int *sw = switch_slot(o, id);
	if (s) {
		*s = value;
	} else if (sw) {
		*sw = 1;
	} else if (id == O_NTLMV1) {
		o->responses = "ntlmv1";
	} else if (id == O_PASSWORD) {
		ntlm_free_string(o->password);
		if (!(o->password = tool_take_argv_secret(value)))
			return tool_error(-1, o->cmd, "out of memory");
	} else if (id == O_SERVICE_NAME) {
		if (o->n_services == SETUP_MAX_SERVICES)
			return tool_error(-1, o->cmd, "more than %d --service-name", SETUP_MAX_SERVICES);
		o->services[o->n_services++] = value;
	} else {
		return tool_error(-1, o->cmd, "internal: unhandled option %d", id);
	}
	return 0;
}

/* ---------------------------------------------------------------- policy */

struct word_bit {
	const char *word;
	uint32_t bit;
};

static const struct word_bit response_words[] = {
	{"lm", NTLM_RESP_LM}, {"ntlmv1", NTLM_RESP_NTLMV1}, {"ntlmv2", NTLM_RESP_NTLMV2}};
static const struct word_bit security_words[] = {{"sign", NTLM_SEC_SIGN},
                                                 {"seal", NTLM_SEC_SEAL},
                                                 {"128bit", NTLM_SEC_128BIT},
                                                 {"key_exch", NTLM_SEC_KEY_EXCH},
                                                 {"ess", NTLM_SEC_ESS}};

/* "a,b c" -> bits; "none" alone is the empty set. 0, or -1 naming the bad word. */
static int parse_words(const setup_opts *o, const char *opt, const char *list,
                       const struct word_bit *t, size_t n, uint32_t *out)
{
	char buf[256], *save = NULL;
	uint32_t bits = 0;
	if (strlen(list) >= sizeof(buf))
		return tool_error(-1, o->cmd, "--%s: list too long", opt);
	strcpy(buf, list);
	for (char *w = strtok_r(buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		size_t i = 0;
		while (i < n && strcasecmp(w, t[i].word) != 0)
			i++;
		if (i < n)
			bits |= t[i].bit;
		else if (strcasecmp(w, "none") != 0)
			return tool_error(-1, o->cmd, "--%s: unknown word '%s'", opt, w);
	}
	*out = bits;
	return 0;
}

static int parse_cbt_policy(const setup_opts *o, ntlm_cbt_policy *out)
{
	static const struct {
		const char *word;
		ntlm_cbt_policy value;
	} words[] = {{"never", NTLM_CBT_NEVER},
	             {"if_present", NTLM_CBT_IF_PRESENT},
	             {"required", NTLM_CBT_REQUIRED}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcasecmp(o->cbt_policy, words[i].word)) {
			*out = words[i].value;
			return 0;
		}
	}
	return tool_error(-1, o->cmd, "--cbt-policy: '%s' is not never, if_present or required",
	                  o->cbt_policy);
}

/* The config file (or the defaults), then the switches over it. */
static int build_policy(const setup_opts *o, ntlm_policy *p)
{
	unsigned line = 0;
	ntlm_policy_init(p);
	ntlm_err rc = ntlm_policy_load(p, o->config, &line);
	if (rc == NTLM_E_BAD_FILE)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "%s: line %u: not a valid policy setting",
		                  o->config ? o->config : "policy file", line);
	if (rc != NTLM_OK)
		return tool_lib_error(TOOL_EXIT_USAGE, o->cmd, o->config ? o->config : "policy file", rc);
	if (o->responses &&
	    parse_words(o, "responses", o->responses, response_words, 3, &p->allowed_responses))
		return TOOL_EXIT_USAGE;
	if (o->min_security &&
	    parse_words(o, "min-security", o->min_security, security_words, 5, &p->min_security))
		return TOOL_EXIT_USAGE;
	if (o->cbt_policy && parse_cbt_policy(o, &p->cbt))
		return TOOL_EXIT_USAGE;
	if (o->allow_ntlmv1)
		p->allowed_responses |= NTLM_RESP_NTLMV1;
	if (o->allow_lm)
		p->allowed_responses |= NTLM_RESP_LM;
	p->require_mic |= o->require_mic;
	p->require_target_name |= o->require_target_name;
	p->allow_anonymous |= o->allow_anonymous;
	return 0;
}

static int parse_cbt(const setup_opts *o, uint8_t out[16])
{
	if (tool_parse_hex(o->cbt_hash, out, 16) != 0)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "--cbt-hash: expected 32 hex digits");
	return 0;
}

/* ------------------------------------------------------------ client */

static int cred_error(const setup_opts *o, const char *what, ntlm_err rc)
{
	return tool_lib_error(rc == NTLM_E_INVALID_PARAMETER ? TOOL_EXIT_USAGE : TOOL_EXIT_FAIL, o->cmd,
	                      what, rc);
}

/* A password or hash given explicitly (--password, --password-file, --nt-hash). */
static int explicit_cred(const setup_opts *o, const char *domain, const char *user, ntlm_cred **out)
{
	char pw[1024];
	uint8_t hash[16];
	ntlm_err rc;
	if (!user)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "a user name is needed (--user or $NTLM_USER)");
	if (o->nt_hash) {
		if (tool_parse_hex(o->nt_hash, hash, 16) != 0)
			return tool_error(TOOL_EXIT_USAGE, o->cmd, "--nt-hash: expected 32 hex digits");
		rc = ntlm_cred_nthash(out, domain, user, hash);
		ntlm_memzero(hash, sizeof(hash));
		return rc == NTLM_OK ? 0 : cred_error(o, "credential", rc);
	}
	if (o->password) {
		rc = ntlm_cred_password(out, domain, user, o->password);
		return rc == NTLM_OK ? 0 : cred_error(o, "credential", rc);
	}
	if (io_read_first_line(o->cmd, o->password_file, pw, sizeof(pw)) != 0)
		return TOOL_EXIT_FAIL;
	rc = ntlm_cred_password(out, domain, user, pw);
	ntlm_memzero(pw, sizeof(pw));
	return rc == NTLM_OK ? 0 : cred_error(o, "credential", rc);
}

/* --winbind-ccache: winbindd holds the password (single sign-on), we hold nothing. */
static int winbind_cache_cred(const setup_opts *o, const char *domain, const char *user,
                              int n_explicit, ntlm_cred **out)
{
	if (n_explicit || o->cred_file || o->anonymous)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "--winbind-ccache takes no password");
	if (!user)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "a user name is needed (--user or $NTLM_USER)");
	ntlm_err rc = ntlm_cred_from_winbind_cache(out, domain, user);
	return rc == NTLM_OK ? 0 : cred_error(o, "winbindd's credential cache", rc);
}

/*
 * Where the credential comes from, first match wins: --winbind-ccache; --anonymous; one of
 * --password, --password-file, --nt-hash; --cred-file; $NTLM_PASSWORD;
 * $NTLM_USER_FILE.
 */
static int build_cred(const setup_opts *o, ntlm_cred **out)
{
	const char *user = o->user ? o->user : getenv("NTLM_USER");
	const char *domain = o->domain ? o->domain : getenv("NTLM_DOMAIN");
	int n_explicit = !!o->password + !!o->password_file + !!o->nt_hash;
	ntlm_err rc;
	if (n_explicit > 1)
		return tool_error(TOOL_EXIT_USAGE, o->cmd,
		                  "give only one of --password, --password-file and --nt-hash");
	if (o->winbind_ccache)
		return winbind_cache_cred(o, domain, user, n_explicit, out);
	if (o->anonymous) {
		if (n_explicit || o->cred_file)
			return tool_error(TOOL_EXIT_USAGE, o->cmd, "--anonymous takes no password");
		rc = ntlm_cred_anonymous(out);
		return rc == NTLM_OK ? 0 : cred_error(o, "credential", rc);
	}
	if (n_explicit)
		return explicit_cred(o, domain, user, out);
	const char *user_file = ntlm_secure_getenv("NTLM_USER_FILE");
	if (o->cred_file || (!getenv("NTLM_PASSWORD") && user_file)) {
		const char *path = o->cred_file ? o->cred_file : user_file;
		rc = ntlm_cred_from_file(out, path, domain, user);
		return rc == NTLM_OK ? 0 : cred_error(o, path, rc);
	}
	if (getenv("NTLM_PASSWORD")) {
		if (!user)
			return tool_error(TOOL_EXIT_USAGE, o->cmd, "$NTLM_PASSWORD needs $NTLM_USER or --user");
		rc = ntlm_cred_password(out, domain, user, getenv("NTLM_PASSWORD"));
		return rc == NTLM_OK ? 0 : cred_error(o, "credential", rc);
	}
	return tool_error(TOOL_EXIT_USAGE, o->cmd,
	                  "no credentials: use --password-file, --password, --nt-hash, --cred-file, "
	                  "--anonymous or $NTLM_USER/$NTLM_PASSWORD");
}

static int parse_flags(const setup_opts *o, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(o->flags, &end, 16);
	if (errno || end == o->flags || *end || v == 0 || v > 0xFFFFFFFFul)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "--flags: expected a non-zero hex number");
	*out = (uint32_t)v;
	return 0;
}

int setup_client_build(const setup_opts *o, setup_client *c)
{
	int st;
	memset(c, 0, sizeof(*c));
	c->cfg = (ntlm_client_config){NTLM_CLIENT_CONFIG_INIT};
	if ((st = build_policy(o, &c->policy)) != 0)
		return st;
	if (o->cbt_hash && (st = parse_cbt(o, c->cbt)) != 0)
		return st;
	if (o->flags && (st = parse_flags(o, &c->cfg.flags)) != 0)
		return st;
	if ((st = build_cred(o, &c->cred)) != 0)
		return st;
	c->cfg.policy = &c->policy;
	c->cfg.workstation = o->workstation;
	c->cfg.target_name = o->target_name;
	c->cfg.cbt_hash = o->cbt_hash ? c->cbt : NULL;
	c->cfg.datagram = o->datagram;
	return 0;
}

void setup_client_free(setup_client *c)
{
	ntlm_cred_free(c->cred);
	ntlm_memzero(c, sizeof(*c));
}

/* ------------------------------------------------------------ server */

/*
 * ntlm_server_config.audit: one JSON line per authentication, written with
 * one write(2) on an O_APPEND descriptor so that concurrent writers (Squid
 * runs several helpers) never interleave parts of lines.
 */
static void audit_append(void *arg, const ntlm_audit_event *ev)
{
	setup_server *s = arg;
	ntlm_buffer json = {NULL, 0};
	if (ntlm_audit_json(ev, &json) != NTLM_OK)
		return;
	uint8_t *line = malloc(json.len + 1);
	if (line) {
		memcpy(line, json.data, json.len);
		line[json.len] = '\n';
		if (ntlm_write_all(s->audit_fd, line, json.len + 1) != 0)
			fprintf(stderr, "ntlm: %s: audit record not written: %s\n", s->audit_path,
			        strerror(errno));
		free(line);
	}
	ntlm_buffer_free(&json);
}

/* Why a file named on the command line or in the environment cannot be used. */
static int open_error(const setup_opts *o, const char *path, ntlm_err rc)
{
	if (rc == NTLM_E_UNSAFE_FILE)
		return tool_lib_error(TOOL_EXIT_FAIL, o->cmd, path, rc);
	return tool_error(TOOL_EXIT_FAIL, o->cmd, "%s: %s", path, strerror(errno));
}

static int open_file_store(const setup_opts *o, const char *path, ntlm_account_store **out)
{
	/* The store re-reads the file when it changes; say now if it cannot be used at all. */
	int fd;
	ntlm_err rc = tf_open(path, O_RDONLY, 0, TF_NOT_OTHERS_WRITABLE, &fd, NULL);
	if (rc != NTLM_OK)
		return open_error(o, path, rc);
	close(fd);
	rc = ntlm_account_store_smbpasswd(out, path);
	return rc == NTLM_OK ? 0 : tool_lib_error(TOOL_EXIT_FAIL, o->cmd, path, rc);
}

/*
 * The domain store: winbindd is asked per logon, so its absence shows then
 * (NTLM_E_BACKEND). With --fallback-account-file, the chained store: the
 * domain first, that file only for clients of a domain we do not serve.
 */
static int open_winbind_store(const setup_opts *o, setup_server *s)
{
	if (o->account_file)
		return tool_error(TOOL_EXIT_USAGE, o->cmd,
		                  "--winbind and --account-file exclude each other");
	ntlm_err rc = ntlm_account_store_winbind(&s->links[0], o->winbind_domain);
	if (rc == NTLM_E_UNSUPPORTED)
		return tool_error(TOOL_EXIT_FAIL, o->cmd, "--winbind: built without libwbclient");
	if (rc != NTLM_OK)
		return tool_lib_error(TOOL_EXIT_FAIL, o->cmd, "winbind", rc);
	if (!o->fallback_file) {
		s->store = s->links[0];
		s->links[0] = NULL;
		return 0;
	}
	int st = open_file_store(o, o->fallback_file, &s->links[1]);
	if (st != 0)
		return st;
	rc = ntlm_account_store_chain(&s->store, s->links[0], s->links[1],
	                              o->fallback_unreachable ? NTLM_CHAIN_FALLBACK_UNREACHABLE : 0);
	return rc == NTLM_OK ? 0 : tool_lib_error(TOOL_EXIT_FAIL, o->cmd, "chained store", rc);
}

static int open_store(const setup_opts *o, setup_server *s)
{
	int domain = o->winbind || o->winbind_domain || o->fallback_file;
	if (!o->fallback_file && o->fallback_unreachable)
		return tool_error(TOOL_EXIT_USAGE, o->cmd,
		                  "--fallback-when-unreachable needs --fallback-account-file");
	if (domain)
		return open_winbind_store(o, s);
	const char *path = o->account_file ? o->account_file : ntlm_secure_getenv("NTLM_ACCOUNT_FILE");
	if (!path || !*path)
		return tool_error(TOOL_EXIT_USAGE, o->cmd,
		                  "no account file: use --account-file or $NTLM_ACCOUNT_FILE");
	return open_file_store(o, path, &s->store);
}

/* --domain-names-from-winbind: the names of the domain that verifies the users. */
static int names_from_winbind(const setup_opts *o, setup_server *s)
{
	if (o->domain_name || o->dns_domain_name)
		return tool_error(TOOL_EXIT_USAGE, o->cmd,
		                  "--domain-names-from-winbind and --domain-name/--dns-domain-name "
		                  "exclude each other");
	ntlm_err rc = ntlm_winbind_domain_names(s->wb_domain, sizeof(s->wb_domain), s->wb_dns_domain,
	                                        sizeof(s->wb_dns_domain));
	if (rc != NTLM_OK)
		return tool_lib_error(TOOL_EXIT_FAIL, o->cmd, "winbind domain names", rc);
	s->cfg.domain_name = s->wb_domain;
	s->cfg.dns_domain_name = *s->wb_dns_domain ? s->wb_dns_domain : NULL;
	return 0;
}

static int open_audit(const setup_opts *o, setup_server *s)
{
	/* a regular file only: a FIFO must not block the logons, a link not redirect them */
	ntlm_err rc = tf_open(o->audit_log, O_WRONLY | O_APPEND | O_CREAT, 0600, 0, &s->audit_fd, NULL);
	if (rc != NTLM_OK)
		return open_error(o, o->audit_log, rc);
	s->audit_path = o->audit_log;
	s->cfg.audit = audit_append;
	s->cfg.audit_arg = s;
	return 0;
}

int setup_server_build(const setup_opts *o, int with_replay_cache, setup_server *s)
{
	int st;
	memset(s, 0, sizeof(*s));
	s->cfg = (ntlm_server_config){NTLM_SERVER_CONFIG_INIT};
	s->audit_fd = -1;
	if ((st = build_policy(o, &s->policy)) != 0)
		return st;
	if (o->cbt_hash && (st = parse_cbt(o, s->cbt)) != 0)
		return st;
	if ((st = open_store(o, s)) != 0)
		return st;
	if (with_replay_cache && s->policy.replay_cache > 0) {
		ntlm_err rc = ntlm_replay_cache_new(&s->replay, (size_t)s->policy.replay_cache);
		if (rc != NTLM_OK)
			return tool_lib_error(TOOL_EXIT_FAIL, o->cmd, "replay cache", rc);
	}
	if (o->audit_log && (st = open_audit(o, s)) != 0)
		return st;
	s->cfg.policy = &s->policy;
	s->cfg.computer_name = o->computer_name;
	s->cfg.domain_name = o->domain_name;
	s->cfg.dns_computer_name = o->dns_computer_name;
	s->cfg.dns_domain_name = o->dns_domain_name;
	if (o->names_from_winbind && (st = names_from_winbind(o, s)) != 0)
		return st;
	s->cfg.service_names = o->n_services ? o->services : NULL;
	s->cfg.store = s->store;
	s->cfg.cbt_hash = o->cbt_hash ? s->cbt : NULL;
	s->cfg.datagram = o->datagram;
	s->cfg.replay = s->replay;
	/* the library would refuse the context (NTLM_E_POLICY_CONFLICT): say which settings */
	const char *why = ntlm_policy_conflict(&s->policy, &s->cfg);
	if (why)
		return tool_error(TOOL_EXIT_USAGE, o->cmd, "contradictory policy: %s", why);
	return 0;
}

int setup_server_require_member(setup_server *s, const char *cmd, const char *option,
                                const char *sid)
{
	ntlm_account_store *member = NULL;
	ntlm_err rc = ntlm_account_store_require_member(&member, s->store, sid);
	if (rc == NTLM_E_INVALID_PARAMETER)
		return tool_error(TOOL_EXIT_USAGE, cmd, "%s: '%s' is not a SID (S-1-5-21-...)", option,
		                  sid);
	if (rc != NTLM_OK)
		return tool_lib_error(TOOL_EXIT_FAIL, cmd, option, rc);
	s->links[2] = s->store;
	s->store = member;
	s->cfg.store = member;
	return 0;
}

void setup_server_free(setup_server *s)
{
	ntlm_account_store_free(s->store);
	for (size_t i = 0; i < sizeof(s->links) / sizeof(s->links[0]); i++)
		ntlm_account_store_free(s->links[i]);
	ntlm_replay_cache_free(s->replay);
	if (s->audit_fd >= 0)
		close(s->audit_fd);
	memset(s, 0, sizeof(*s));
	s->audit_fd = -1;
}
