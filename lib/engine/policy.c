/* policy.c - the policy object and its config file; see ntlmssp.h */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "ntlm_keys.h"
#include "config.h"
#include "policy.h"
#include "sys.h"
#include "text.h"
#include "textfile.h"
#include "try.h"

NTLM_API void ntlm_policy_init_sized(ntlm_policy *caller, size_t size)
{
	if (!caller || size < POLICY_V0_SIZE)
		return; /* not a policy of any version: nothing to fill */
	ntlm_policy full, *p = &full;
	memset(p, 0, sizeof(*p));
	p->struct_size = size < sizeof(*p) ? size : sizeof(*p);
	p->allowed_responses = NTLM_RESP_NTLMV2;
	p->min_security = NTLM_SEC_128BIT | NTLM_SEC_KEY_EXCH | NTLM_SEC_ESS;
	p->require_mic = 0;
	p->cbt = NTLM_CBT_IF_PRESENT;
	p->require_target_name = 0;
	p->timestamp_window = 7200;
	p->allow_anonymous = 0;
	p->replay_cache = 4096;
	p->lockout_threshold = 0;
	p->lockout_window = 1800;
	memcpy(caller, p, p->struct_size);
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	         !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_u32(const char *v, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long x = strtoul(v, &end, 10);
	if (errno || end == v || *end || x > 0xFFFFFFFFul || *v == '-')
		return -1;
	*out = (uint32_t)x;
	return 0;
}

struct word_bit {
	const char *word;
	uint32_t bit;
};

/* Comma/space separated list of words -> bit set; "none" is the empty set. */
static int parse_words(char *v, const struct word_bit *table, size_t n, uint32_t *out)
{
	uint32_t bits = 0;
	char *save = NULL;
	for (char *w = strtok_r(v, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		if (!strcasecmp(w, "none"))
			continue;
		size_t i;
		for (i = 0; i < n; i++)
			if (!strcasecmp(w, table[i].word))
				break;
		if (i == n)
			return -1;
		bits |= table[i].bit;
	}
	*out = bits;
	return 0;
}

static const struct word_bit response_words[] = {
	{"lm", NTLM_RESP_LM}, {"ntlmv1", NTLM_RESP_NTLMV1}, {"ntlmv2", NTLM_RESP_NTLMV2}};
static const struct word_bit security_words[] = {{"sign", NTLM_SEC_SIGN},
                                                 {"seal", NTLM_SEC_SEAL},
                                                 {"128bit", NTLM_SEC_128BIT},
                                                 {"key_exch", NTLM_SEC_KEY_EXCH},
                                                 {"ess", NTLM_SEC_ESS}};

static int apply_setting(ntlm_policy *p, const char *key, char *value)
{
	int b;
	if (!strcmp(key, "allowed_responses"))
		return parse_words(value, response_words, NTLM_ARRAY_LEN(response_words),
		                   &p->allowed_responses);
	if (!strcmp(key, "min_security"))
		return parse_words(value, security_words, NTLM_ARRAY_LEN(security_words), &p->min_security);
	if (!strcmp(key, "timestamp_window"))
		return parse_u32(value, &p->timestamp_window);
	if (!strcmp(key, "lockout_threshold"))
		return parse_u32(value, &p->lockout_threshold);
	if (!strcmp(key, "lockout_window"))
		return parse_u32(value, &p->lockout_window);
	if (!strcmp(key, "replay_cache")) {
		uint32_t v;
		if (parse_u32(value, &v))
			return -1;
		p->replay_cache = (int)(v > 1000000 ? 1000000 : v);
		return 0;
	}
	if (!strcmp(key, "channel_bindings")) {
		if (!strcasecmp(value, "never"))
			p->cbt = NTLM_CBT_NEVER;
		else if (!strcasecmp(value, "if_present"))
			p->cbt = NTLM_CBT_IF_PRESENT;
		else if (!strcasecmp(value, "required"))
			p->cbt = NTLM_CBT_REQUIRED;
		else
			return -1;
		return 0;
	}
	int *flag = !strcmp(key, "require_mic")           ? &p->require_mic
	            : !strcmp(key, "require_target_name") ? &p->require_target_name
	            : !strcmp(key, "allow_anonymous")     ? &p->allow_anonymous
	                                                  : NULL;
	if (!flag || parse_bool(value, &b))
		return -1;
	*flag = b;
	return 0;
}

/* Longer lines are refused (NTLM_E_BAD_FILE): no setting needs more. */
#define POLICY_LINE_MAX 4096

/* The file the system policy is read from; *explicit_path: named by $NTLMSSP_CONF. */
static const char *system_policy_path(int *explicit_path)
{
	const char *path = ntlm_secure_getenv("NTLMSSP_CONF");
	*explicit_path = path != NULL;
	return path ? path : "/etc/ntlmssp.conf";
}

/*
 * Applies the settings of the file at path over *work; id (may be NULL) gets
 * the identity of the file read (exists 0: none, which is the defaults unless
 * the path was named explicitly).
 */
static ntlm_err policy_read(ntlm_policy *work, const char *path, int explicit_path,
                            unsigned *line_out, tf_file_id *id)
{
	int fd;
	struct stat st;
	if (id)
		memset(id, 0, sizeof(*id));
	ntlm_err opened = tf_open(path, O_RDONLY, 0, TF_NOT_OTHERS_WRITABLE, &fd, &st);
	if (opened == NTLM_E_NOT_FOUND)
		return explicit_path ? NTLM_E_IO : NTLM_OK;
	if (opened != NTLM_OK)
		return opened;
	if (id)
		tf_file_id_from_stat(&st, id);
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NTLM_E_NO_MEMORY;
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	ntlm_err rc = NTLM_OK;
	/*
	 * Whole lines (getline, not a fixed fgets buffer: the tail of an overlong
	 * line must never be read as a line of its own, e.g. a setting at the end
	 * of a long comment). NUL bytes would hide the rest of a line: refused.
	 */
	while ((n = getline(&buf, &cap, f)) > 0) {
		lineno++;
		if ((size_t)n > POLICY_LINE_MAX || memchr(buf, '\0', (size_t)n)) {
			rc = NTLM_E_BAD_FILE;
			break;
		}
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *s = ntlm_trim(buf);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = NTLM_E_BAD_FILE;
			break;
		}
		*eq = '\0';
		if (apply_setting(work, ntlm_trim(s), ntlm_trim(eq + 1))) {
			rc = NTLM_E_BAD_FILE;
			break;
		}
	}
	/* a read error (EISDIR, EIO) is not an end of file: nothing read counts */
	if (rc == NTLM_OK && ferror(f))
		rc = NTLM_E_IO;
	free(buf);
	fclose(f);
	if (rc != NTLM_OK && line_out)
		*line_out = lineno;
	return rc;
}

NTLM_API ntlm_err ntlm_policy_load(ntlm_policy *p, const char *path, unsigned *line_out)
{
	ntlm_policy work;
	if (!p)
		return NTLM_E_INVALID_PARAMETER;
	NTLM_TRY(policy_in(&work, p));
	if (line_out)
		*line_out = 0;
	int explicit_path = path != NULL;
	if (!path)
		path = system_policy_path(&explicit_path);
	/* never a half-applied policy: p changes only when the whole file applied */
	NTLM_TRY(policy_read(&work, path, explicit_path, line_out, NULL));
	return ntlm_sized_out(p, &work, sizeof(work), POLICY_V0_SIZE);
}

ntlm_err policy_system(sh_state *sh, ntlm_policy *out)
{
	int explicit_path;
	const char *path = system_policy_path(&explicit_path);
	if (sh_policy_fresh(sh, path, out))
		return NTLM_OK;
	tf_file_id id;
	if (tf_file_id_of(path, &id) == 0 && sh_policy_same(sh, path, &id, out))
		return NTLM_OK;
	ntlm_policy work;
	ntlm_policy_init(&work);
	NTLM_TRY(policy_read(&work, path, explicit_path, NULL, &id));
	sh_policy_keep(sh, path, &id, &work);
	*out = work;
	return NTLM_OK;
}

/* Settings that can never take effect together, each message naming both. */
NTLM_API const char *ntlm_policy_conflict(const ntlm_policy *caller,
                                          const ntlm_server_config *server_cfg)
{
	ntlm_policy policy, *p = &policy;
	ntlm_server_config server_copy, *server = NULL;
	if (!caller)
		return NULL;
	if (policy_in(p, caller) != NTLM_OK)
		return "the policy is not initialised (ntlm_policy_init)";
	if (server_cfg) {
		if (server_config_in(&server_copy, server_cfg) != NTLM_OK)
			return "the server configuration is not initialised (NTLM_SERVER_CONFIG_INIT)";
		server = &server_copy;
	}
	if (!server) /* a client applies only allowed_responses and min_security */
		return p->allowed_responses ? NULL
		                            : "allowed_responses = none: a client has no response to send";
	int v2 = (p->allowed_responses & NTLM_RESP_NTLMV2) != 0;
	if (!p->allowed_responses && !p->allow_anonymous)
		return "allowed_responses = none with allow_anonymous = no: no logon could succeed";
	if (p->cbt == NTLM_CBT_REQUIRED && !v2)
		return "channel_bindings = required, but allowed_responses lacks ntlmv2 "
			   "(only an NTLMv2 response carries channel bindings)";
	if (p->require_target_name && !v2)
		return "require_target_name = yes, but allowed_responses lacks ntlmv2 "
			   "(only an NTLMv2 response carries a target name)";
	if (p->allow_anonymous && (p->min_security & (NTLM_SEC_SIGN | NTLM_SEC_SEAL)))
		return "allow_anonymous = yes, but min_security asks for sign or seal "
			   "(an anonymous logon has no session key)";
	if (p->require_target_name && !(server->service_names && server->service_names[0]))
		return "require_target_name = yes, but the server has no service_names to match";
	if (p->cbt == NTLM_CBT_REQUIRED && !server->cbt_hash)
		return "channel_bindings = required, but the server has no channel bindings (cbt_hash) "
			   "to compare";
	return NULL;
}

int policy_short_key(uint32_t f)
{
	if (!(f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)))
		return 0; /* no key in use */
	return !(f & NTLMSSP_NEGOTIATE_128) || nk_seal_key_bits(f) < 128;
}

const char *policy_min_security_violation(const ntlm_policy *p, uint32_t f)
{
	uint32_t need = p->min_security;
	/* Key strength, key exchange and ESS only matter once keys are used. */
	int keyed = (f & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) != 0;
	if ((need & NTLM_SEC_SIGN) && !(f & NTLMSSP_NEGOTIATE_SIGN))
		return "min_security: sign";
	if ((need & NTLM_SEC_SEAL) && !(f & NTLMSSP_NEGOTIATE_SEAL))
		return "min_security: seal";
	if ((need & NTLM_SEC_128BIT) && policy_short_key(f))
		return "min_security: 128bit";
	if ((need & NTLM_SEC_KEY_EXCH) && keyed && !(f & NTLMSSP_NEGOTIATE_KEY_EXCH))
		return "min_security: key_exch";
	/* Without ESS signing is a CRC32 under one RC4 stream shared by both directions. */
	if ((need & NTLM_SEC_ESS) && keyed && !(f & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return "min_security: ess";
	return NULL;
}

const char *policy_rule_for_error(ntlm_err e)
{
	switch (e) {
	case NTLM_E_NTLMV2_REFUSED:
	case NTLM_E_NTLMV1_REFUSED:
	case NTLM_E_LM_REFUSED:
		return "allowed_responses";
	case NTLM_E_ANONYMOUS_REFUSED:
		return "allow_anonymous";
	case NTLM_E_TIME_SKEW:
		return "timestamp_window";
	case NTLM_E_TARGET_MISMATCH:
	case NTLM_E_TARGET_MISSING:
		return "require_target_name";
	case NTLM_E_CBT_MISMATCH:
	case NTLM_E_CBT_MISSING:
		return "channel_bindings";
	case NTLM_E_MIC_MISSING:
		return "require_mic";
	case NTLM_E_REPLAY:
		return "replay_cache";
	case NTLM_E_FLAGS_POLICY:
		return "min_security";
	default:
		return NULL;
	}
}
