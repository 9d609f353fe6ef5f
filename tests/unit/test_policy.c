/*
 * test_policy.c - ntlm_policy_init defaults and ntlm_policy_load: every key
 * and value spelling, comments and blank lines, and each kind of invalid
 * line (no '=', unknown key, bad boolean, bad number, bad enum, bad list
 * word, overlong line, NUL byte), each of which must report its line and
 * leave the policy exactly as it was (never half applied). Also the file
 * lookup: explicit path, $NTLMSSP_CONF, missing files.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntlmssp/ntlmssp.h"
#include "shared.h"
#include "t.h"

static char dir[] = "/tmp/ntlmssp-test-policy-XXXXXX";
static char path[300];

/* Writes n bytes of content to path (a fresh file each time). */
static void write_conf_n(const char *content, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(content, 1, n, f);
	fclose(f);
	chmod(path, 0600); /* whatever the umask: others may not write a policy file */
}

static void write_conf(const char *content)
{
	write_conf_n(content, strlen(content));
}

/* A policy unlike the defaults, so that "left as it was" shows. */
static void odd_policy(ntlm_policy *p)
{
	ntlm_policy_init(p);
	p->allowed_responses = NTLM_RESP_LM;
	p->min_security = NTLM_SEC_SIGN;
	p->require_mic = 1;
	p->cbt = NTLM_CBT_NEVER;
	p->require_target_name = 1;
	p->timestamp_window = 42;
	p->allow_anonymous = 1;
	p->replay_cache = 3;
}

static void test_defaults(void)
{
	ntlm_policy p;
	memset(&p, 0xAB, sizeof(p));
	ntlm_policy_init(&p);
	T_ASSERT(p.allowed_responses == NTLM_RESP_NTLMV2);
	T_ASSERT(p.min_security == (NTLM_SEC_128BIT | NTLM_SEC_KEY_EXCH | NTLM_SEC_ESS));
	T_ASSERT(p.require_mic == 0);
	T_ASSERT(p.cbt == NTLM_CBT_IF_PRESENT);
	T_ASSERT(p.require_target_name == 0);
	T_ASSERT(p.timestamp_window == 7200);
	T_ASSERT(p.allow_anonymous == 0);
	T_ASSERT(p.replay_cache == 4096);
	T_ASSERT(p.lockout_threshold == 0); /* no lockout unless asked for */
	T_ASSERT(p.lockout_window == 1800);
	ntlm_policy_init(NULL); /* NULL-safe */
}

static void test_every_key(void)
{
	ntlm_policy p;
	unsigned line = 99;
	ntlm_policy_init(&p);
	write_conf("# every key\n"
	           "\n"
	           "allowed_responses = ntlmv2, ntlmv1 lm\n"
	           "min_security = sign,seal,128bit,key_exch,ess\n"
	           "require_mic = yes\n"
	           "channel_bindings = required\n"
	           "require_target_name = true\n"
	           "timestamp_window = 300\n"
	           "allow_anonymous = on\n"
	           "replay_cache = 100\n"
	           "lockout_threshold = 5\n"
	           "lockout_window = 900\n");
	T_OK(ntlm_policy_load(&p, path, &line));
	T_ASSERT(p.lockout_threshold == 5 && p.lockout_window == 900);
	T_ASSERT(line == 0);
	T_ASSERT(p.allowed_responses == (NTLM_RESP_NTLMV2 | NTLM_RESP_NTLMV1 | NTLM_RESP_LM));
	T_ASSERT(p.min_security ==
	         (NTLM_SEC_SIGN | NTLM_SEC_SEAL | NTLM_SEC_128BIT | NTLM_SEC_KEY_EXCH | NTLM_SEC_ESS));
	T_ASSERT(p.require_mic == 1);
	T_ASSERT(p.cbt == NTLM_CBT_REQUIRED);
	T_ASSERT(p.require_target_name == 1);
	T_ASSERT(p.timestamp_window == 300);
	T_ASSERT(p.allow_anonymous == 1);
	T_ASSERT(p.replay_cache == 100);
}

static void test_spellings(void)
{
	ntlm_policy p;
	odd_policy(&p);
	/* value case, tabs, CRLF, trailing comments, "none", the other enum and bool words */
	write_conf("  allowed_responses\t=\tNTLMv2   # v2 only\r\n"
	           "min_security = none\r\n"
	           "\t# indented comment\n"
	           "require_mic = 0\n"
	           "channel_bindings = If_Present\n"
	           "require_target_name = off\n"
	           "allow_anonymous = FALSE\n"
	           "timestamp_window = 0\n"
	           "replay_cache = 0\n");
	T_OK(ntlm_policy_load(&p, path, NULL));
	T_ASSERT(p.allowed_responses == NTLM_RESP_NTLMV2);
	T_ASSERT(p.min_security == 0);
	T_ASSERT(p.require_mic == 0 && p.require_target_name == 0 && p.allow_anonymous == 0);
	T_ASSERT(p.cbt == NTLM_CBT_IF_PRESENT);
	T_ASSERT(p.timestamp_window == 0);
	T_ASSERT(p.replay_cache == 0);

	write_conf("channel_bindings = never\nreplay_cache = 4000000000\n");
	T_OK(ntlm_policy_load(&p, path, NULL));
	T_ASSERT(p.cbt == NTLM_CBT_NEVER);
	T_ASSERT(p.replay_cache == 1000000); /* clamped */
}

/* Settings only over what the file says: the rest is kept. */
static void test_partial_file_keeps_the_rest(void)
{
	ntlm_policy p, want;
	odd_policy(&p);
	odd_policy(&want);
	write_conf("timestamp_window = 60\n");
	T_OK(ntlm_policy_load(&p, path, NULL));
	want.timestamp_window = 60;
	T_ASSERT(memcmp(&p, &want, sizeof(p)) == 0);
	/* an empty file and a comments-only file change nothing */
	write_conf("");
	T_OK(ntlm_policy_load(&p, path, NULL));
	T_ASSERT(memcmp(&p, &want, sizeof(p)) == 0);
	write_conf("# nothing\n\n   \n");
	T_OK(ntlm_policy_load(&p, path, NULL));
	T_ASSERT(memcmp(&p, &want, sizeof(p)) == 0);
}

/* Each bad line: BAD_FILE, its number, and the policy untouched. */
static void expect_bad(const char *content, size_t n, unsigned want_line, const char *what)
{
	ntlm_policy p, before;
	odd_policy(&p);
	before = p;
	unsigned line = 0;
	write_conf_n(content, n);
	ntlm_err rc = ntlm_policy_load(&p, path, &line);
	if (rc != NTLM_E_BAD_FILE)
		T_FAIL("%s: got %s, wanted NTLM_E_BAD_FILE", what, ntlm_err_name(rc));
	if (line != want_line)
		T_FAIL("%s: line %u reported, wanted %u", what, line, want_line);
	if (memcmp(&p, &before, sizeof(p)) != 0)
		T_FAIL("%s: policy half applied", what);
}

#define GOOD_PREFIX  "allowed_responses = ntlmv2\nrequire_mic = 0\nallow_anonymous = 0\n"
#define BAD(s, line) expect_bad(GOOD_PREFIX s, strlen(GOOD_PREFIX s), (line), s)

static void test_invalid_lines(void)
{
	/* The good lines before the bad one are not applied either. */
	BAD("no equals sign\n", 4);
	BAD("unknown_key = 1\n", 4);
	BAD("= 1\n", 4);
	BAD("require_mic = maybe\n", 4);
	BAD("require_mic =\n", 4);
	BAD("allow_anonymous = 2\n", 4);
	BAD("timestamp_window = -1\n", 4);
	BAD("timestamp_window = 12abc\n", 4);
	BAD("timestamp_window = 4294967296\n", 4);
	BAD("timestamp_window = \n", 4);
	BAD("replay_cache = ten\n", 4);
	BAD("channel_bindings = sometimes\n", 4);
	BAD("allowed_responses = ntlmv3\n", 4);
	BAD("allowed_responses = ntlmv2, kerberos\n", 4);
	BAD("min_security = sign, strong\n", 4);
	/* a bad line after more good ones reports its own number */
	BAD("timestamp_window = 10\n\n# c\nrequire_mic = 1\nbogus\n", 8);
	/* the first bad line counts */
	BAD("bogus1\nbogus2\n", 4);
}

/*
 * A line longer than the reader's buffer must not be split into two lines:
 * the tail of a long comment would otherwise be applied as a setting.
 */
static void test_overlong_line(void)
{
	ntlm_policy p;
	char buf[3000];
	memset(buf, 'x', sizeof(buf));
	buf[0] = '#';
	const char *tail = " allow_anonymous = 1\n";
	memcpy(buf + 1100, tail, strlen(tail));
	size_t n = 1100 + strlen(tail);
	odd_policy(&p);
	p.allow_anonymous = 0;
	write_conf_n(buf, n);
	ntlm_err rc = ntlm_policy_load(&p, path, NULL);
	/* one comment line: nothing applied */
	T_OK(rc);
	T_ASSERT(p.allow_anonymous == 0);

	/* a line too long to be a setting is refused, not cut */
	char big[6000];
	memset(big, ' ', sizeof(big));
	memcpy(big, "require_mic = 1", 15);
	big[sizeof(big) - 1] = '\n';
	expect_bad(big, sizeof(big), 1, "overlong line");
}

/* A NUL byte would hide the rest of its line from the parser. */
static void test_nul_byte(void)
{
	static const char conf[] = "require_mic = 0\n#\0 allow_anonymous = 1\n";
	expect_bad(conf, sizeof(conf) - 1, 2, "NUL byte");
	static const char conf2[] = "require_mic = 1\0\n";
	expect_bad(conf2, sizeof(conf2) - 1, 1, "NUL at end of value");
}

static void test_files(void)
{
	ntlm_policy p, before;
	unsigned line = 7;
	odd_policy(&p);
	before = p;
	char missing[400];
	snprintf(missing, sizeof(missing), "%s/does-not-exist.conf", dir);
	/* an explicit path that does not exist is an error */
	T_EXPECT_ERR(ntlm_policy_load(&p, missing, &line), NTLM_E_IO);
	T_ASSERT(memcmp(&p, &before, sizeof(p)) == 0);
	/* so is $NTLMSSP_CONF naming a missing file */
	setenv("NTLMSSP_CONF", missing, 1);
	T_EXPECT_ERR(ntlm_policy_load(&p, NULL, &line), NTLM_E_IO);
	/* $NTLMSSP_CONF is read when path is NULL */
	write_conf("timestamp_window = 11\n");
	setenv("NTLMSSP_CONF", path, 1);
	T_OK(ntlm_policy_load(&p, NULL, &line));
	T_ASSERT(p.timestamp_window == 11);
	unsetenv("NTLMSSP_CONF");
	/* the default file missing is not an error (only checkable where it is absent) */
	if (access("/etc/ntlmssp.conf", F_OK) != 0) {
		p = before;
		T_OK(ntlm_policy_load(&p, NULL, &line));
		T_ASSERT(memcmp(&p, &before, sizeof(p)) == 0);
	}
	T_EXPECT_ERR(ntlm_policy_load(NULL, path, &line), NTLM_E_INVALID_PARAMETER);
	/* a directory is not a config file */
	T_ASSERT(ntlm_policy_load(&p, dir, &line) != NTLM_OK);
}

/* Symbolic links, files others can write and FIFOs are refused, the policy untouched. */
static void test_unsafe_files(void)
{
	ntlm_policy p, before;
	unsigned line = 0;
	char link_path[400], fifo[400];
	odd_policy(&p);
	before = p;
	write_conf("timestamp_window = 11\n");
	snprintf(link_path, sizeof(link_path), "%s/link.conf", dir);
	T_ASSERT(symlink(path, link_path) == 0);
	T_EXPECT_ERR(ntlm_policy_load(&p, link_path, &line), NTLM_E_UNSAFE_FILE);
	setenv("NTLMSSP_CONF", link_path, 1);
	T_EXPECT_ERR(ntlm_policy_load(&p, NULL, &line), NTLM_E_UNSAFE_FILE);
	unsetenv("NTLMSSP_CONF");
	unlink(link_path);
	T_ASSERT(chmod(path, 0666) == 0);
	T_EXPECT_ERR(ntlm_policy_load(&p, path, &line), NTLM_E_UNSAFE_FILE);
	T_ASSERT(memcmp(&p, &before, sizeof(p)) == 0);
	/* negative: group-writable is the administrator's choice */
	T_ASSERT(chmod(path, 0664) == 0);
	T_OK(ntlm_policy_load(&p, path, &line));
	T_ASSERT(p.timestamp_window == 11);
	/* a FIFO (or a device such as /dev/null) is no policy file, and must not block */
	snprintf(fifo, sizeof(fifo), "%s/fifo.conf", dir);
	T_ASSERT(mkfifo(fifo, 0600) == 0);
	alarm(5);
	T_EXPECT_ERR(ntlm_policy_load(&p, fifo, &line), NTLM_E_UNSAFE_FILE);
	alarm(0);
	unlink(fifo);
	T_EXPECT_ERR(ntlm_policy_load(&p, "/dev/null", &line), NTLM_E_UNSAFE_FILE);
}

/* ------------------------------- the system policy reaches every context */

static ntlm_err never_verify(void *impl, const ntlm_auth_request *req, ntlm_auth_result *res)
{
	return NTLM_E_LOGON_FAILURE;
}

static const ntlm_account_store_ops never_ops = {NTLM_ACCOUNT_STORE_OPS_INIT,
                                                 .verify = never_verify};

/* ntlm_server_new / ntlm_client_new with no policy of the caller's, the file at path. */
static ntlm_err server_with_system_policy(const char *const *services)
{
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	T_SETUP(ntlm_account_store_new(&store, &never_ops, NULL));
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT, .store = store, .computer_name = "SRV",
	                          .service_names = services};
	ntlm_err rc = ntlm_server_new(&ctx, &cfg);
	ntlm_ctx_free(ctx);
	ntlm_account_store_free(store);
	return rc;
}

static ntlm_err client_with_system_policy(void)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	T_SETUP(ntlm_cred_password(&cred, "D", "u", "p"));
	ntlm_err rc = ntlm_client_new(&ctx, cred, NULL);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	return rc;
}

static void test_null_policy_reads_the_system_file(void)
{
	static const char *const services[] = {"HOST/srv", NULL};
	setenv("NTLMSSP_CONF", path, 1);
	/* the file's settings reach both roles: each is refused only because of them */
	write_conf("allowed_responses = none\n");
	T_EXPECT_ERR(client_with_system_policy(), NTLM_E_POLICY_CONFLICT);
	write_conf("require_target_name = yes\n");
	T_EXPECT_ERR(server_with_system_policy(NULL), NTLM_E_POLICY_CONFLICT);
	T_OK(server_with_system_policy(services));
	/* a file that does not load fails the creation: no silent defaults */
	write_conf("allowed_responses = ntlmv3\n");
	T_EXPECT_ERR(client_with_system_policy(), NTLM_E_BAD_FILE);
	T_EXPECT_ERR(server_with_system_policy(services), NTLM_E_BAD_FILE);
	chmod(path, 0666);
	T_EXPECT_ERR(server_with_system_policy(services), NTLM_E_UNSAFE_FILE);
	unlink(path);
	T_EXPECT_ERR(client_with_system_policy(), NTLM_E_IO); /* $NTLMSSP_CONF names a missing file */
	write_conf("# the defaults\n");
	T_OK(client_with_system_policy());
	T_OK(server_with_system_policy(NULL));
	unsetenv("NTLMSSP_CONF");
}

static ntlm_err server_from(ntlm_account_store *store)
{
	ntlm_ctx *ctx = NULL;
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT, .store = store, .computer_name = "SRV"};
	ntlm_err rc = ntlm_server_new(&ctx, &cfg);
	ntlm_ctx_free(ctx);
	return rc;
}

static ntlm_err client_from(const ntlm_cred *cred)
{
	ntlm_ctx *ctx = NULL;
	ntlm_err rc = ntlm_client_new(&ctx, cred, NULL);
	ntlm_ctx_free(ctx);
	return rc;
}

static void after_the_recheck_time(void)
{
	usleep((SH_POLICY_RECHECK_MS + 300) * 1000);
}

/*
 * A credential or store keeps the system policy it last read for its
 * contexts; a change of the file reaches them after at most the recheck
 * time, and a new credential or store at once. A file that stops loading
 * fails the creation then, every time: a failed read is never kept.
 */
static void test_system_policy_kept_per_object(void)
{
	ntlm_cred *cred = NULL;
	ntlm_account_store *store = NULL;
	setenv("NTLMSSP_CONF", path, 1);
	write_conf("# the defaults\n");
	T_SETUP(ntlm_cred_password(&cred, "D", "u", "p"));
	T_SETUP(ntlm_account_store_new(&store, &never_ops, NULL));
	T_OK(client_from(cred));
	T_OK(server_from(store));
	write_conf("allowed_responses = none\n");
	T_EXPECT_ERR(client_with_system_policy(), NTLM_E_POLICY_CONFLICT);
	T_EXPECT_ERR(server_with_system_policy(NULL), NTLM_E_POLICY_CONFLICT);
	after_the_recheck_time();
	T_EXPECT_ERR(client_from(cred), NTLM_E_POLICY_CONFLICT);
	T_EXPECT_ERR(server_from(store), NTLM_E_POLICY_CONFLICT);
	write_conf("allowed_responses = ntlmv3\n");
	after_the_recheck_time();
	T_EXPECT_ERR(client_from(cred), NTLM_E_BAD_FILE);
	T_EXPECT_ERR(client_from(cred), NTLM_E_BAD_FILE);
	T_EXPECT_ERR(server_from(store), NTLM_E_BAD_FILE);
	write_conf("# the defaults again\n"); /* repaired: read at once, the old copy is stale */
	T_OK(client_from(cred));
	T_OK(server_from(store));
	/* $NTLMSSP_CONF naming another file is another policy: read at once */
	char other[400];
	snprintf(other, sizeof(other), "%s/other.conf", dir);
	setenv("NTLMSSP_CONF", other, 1);
	T_EXPECT_ERR(client_from(cred), NTLM_E_IO); /* named, and missing */
	unsetenv("NTLMSSP_CONF");
	ntlm_account_store_free(store);
	ntlm_cred_free(cred);
}

/* ------------------------------------------ contradictions are refused */

/* ntlm_server_new refuses p with cfg; the message names both settings. */
static void expect_conflict(const ntlm_policy *p, const char *const *services, const uint8_t *cbt,
                            const char *first, const char *second)
{
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	T_SETUP(ntlm_account_store_new(&store, &never_ops, NULL));
	ntlm_server_config cfg = {
		NTLM_SERVER_CONFIG_INIT,   .policy = p,    .store = store, .computer_name = "SRV",
		.service_names = services, .cbt_hash = cbt};
	ntlm_err rc = ntlm_server_new(&ctx, &cfg);
	const char *why = ntlm_policy_conflict(p, &cfg);
	ntlm_ctx_free(ctx);
	ntlm_account_store_free(store);
	T_EXPECT_ERR(rc, NTLM_E_POLICY_CONFLICT);
	T_ASSERT(ctx == NULL);
	T_ASSERT(why && strstr(why, first) && strstr(why, second));
}

static void test_conflicts_refused(void)
{
	static const char *const services[] = {"HOST/srv", NULL};
	static const uint8_t cbt[16] = {1};
	ntlm_policy p;

	ntlm_policy_init(&p);
	p.require_target_name = 1;
	expect_conflict(&p, NULL, NULL, "require_target_name", "service_names");

	ntlm_policy_init(&p);
	p.cbt = NTLM_CBT_REQUIRED;
	expect_conflict(&p, services, NULL, "channel_bindings", "cbt_hash");

	ntlm_policy_init(&p);
	p.cbt = NTLM_CBT_REQUIRED;
	p.allowed_responses = NTLM_RESP_NTLMV1;
	expect_conflict(&p, services, cbt, "channel_bindings", "allowed_responses");

	ntlm_policy_init(&p);
	p.require_target_name = 1;
	p.allowed_responses = NTLM_RESP_NTLMV1 | NTLM_RESP_LM;
	expect_conflict(&p, services, cbt, "require_target_name", "allowed_responses");

	ntlm_policy_init(&p);
	p.allowed_responses = 0;
	expect_conflict(&p, services, cbt, "allowed_responses", "allow_anonymous");

	ntlm_policy_init(&p);
	p.allow_anonymous = 1;
	p.min_security |= NTLM_SEC_SIGN;
	expect_conflict(&p, services, cbt, "allow_anonymous", "min_security");

	/* the same settings apart are fine; a client is judged on what it applies */
	ntlm_policy_init(&p);
	T_ASSERT(ntlm_policy_conflict(&p, NULL) == NULL);
	p.allowed_responses = 0;
	p.allow_anonymous = 1;
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT, .service_names = services, .cbt_hash = cbt};
	T_ASSERT(ntlm_policy_conflict(&p, &cfg) == NULL); /* an anonymous-only server */
	T_ASSERT(ntlm_policy_conflict(&p, NULL) != NULL); /* a client with nothing to send */
	ntlm_policy_init(&p);
	p.cbt = NTLM_CBT_REQUIRED;
	p.require_target_name = 1;
	p.allowed_responses = NTLM_RESP_NTLMV1;
	T_ASSERT(ntlm_policy_conflict(&p, NULL) == NULL); /* server settings: no client's business */
	T_ASSERT(ntlm_policy_conflict(NULL, NULL) == NULL);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/ntlmssp.conf", dir);
	unsetenv("NTLMSSP_CONF");
	T_RUN(test_defaults);
	T_RUN(test_every_key);
	T_RUN(test_spellings);
	T_RUN(test_partial_file_keeps_the_rest);
	T_RUN(test_invalid_lines);
	T_RUN(test_overlong_line);
	T_RUN(test_nul_byte);
	T_RUN(test_files);
	T_RUN(test_unsafe_files);
	T_RUN(test_null_policy_reads_the_system_file);
	T_RUN(test_system_policy_kept_per_object);
	T_RUN(test_conflicts_refused);
	unlink(path);
	rmdir(dir);
	T_END();
}
