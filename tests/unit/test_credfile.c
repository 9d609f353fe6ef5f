/* test_credfile.c - gss-ntlmssp style credential files (DOMAIN:USER:PASSWORD) */
#include "t.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cred.h"
#include "credfile.h"
#include "mem.h"

static char tmpdir[64];

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int write_text(const char *path, const char *text, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	int ok = write(fd, text, n) == (ssize_t)n;
	close(fd);
	return ok ? 0 : -1;
}

typedef struct triple {
	char *d, *u, *p;
} triple;

static void triple_free(triple *t)
{
	ntlm_free_string(t->d);
	ntlm_free_string(t->u);
	ntlm_free_string(t->p);
	t->d = t->u = t->p = NULL;
}

static ntlm_err parse(const char *s, triple *t)
{
	return credfile_parse_line(s, strlen(s), &t->d, &t->u, &t->p);
}

static int is_null(const triple *t)
{
	return !t->d && !t->u && !t->p;
}

/* Compares and frees: a mismatch is reported by the caller's T_ASSERT. */
static int got(triple *t, const char *d, const char *u, const char *p)
{
	int ok = t->d && t->u && t->p && strcmp(t->d, d) == 0 && strcmp(t->u, u) == 0 &&
	         strcmp(t->p, p) == 0;
	if (!ok)
		fprintf(stderr, "    got [%s] [%s] [%s]\n", t->d ? t->d : "(null)", t->u ? t->u : "(null)",
		        t->p ? t->p : "(null)");
	triple_free(t);
	return ok;
}

/* ------------------------------------------------------------ parsing */

static void test_parse_basic(void)
{
	triple t = {0};
	T_OK(parse("CORP:alice:s3cret\n", &t));
	T_ASSERT(got(&t, "CORP", "alice", "s3cret"));
	T_OK(parse("CORP:alice:s3cret\r\n", &t));
	T_ASSERT(got(&t, "CORP", "alice", "s3cret"));
	T_OK(parse("CORP:alice:s3cret", &t));
	T_ASSERT(got(&t, "CORP", "alice", "s3cret"));
	/* negative: the comparison does notice a difference */
	T_OK(parse("CORP:alice:s3cret", &t));
	int differs = strcmp(t.p, "s3cret ") != 0;
	triple_free(&t);
	T_ASSERT(differs);
}

static void test_parse_password_with_colons(void)
{
	triple t = {0};
	T_OK(parse("CORP:bob:pa:ss:word:\n", &t));
	T_ASSERT(got(&t, "CORP", "bob", "pa:ss:word:"));
	T_OK(parse("D:u:::", &t));
	T_ASSERT(got(&t, "D", "u", "::"));
	/* spaces and '#' inside a password are kept as they are */
	T_OK(parse("D:u: #not a comment ", &t));
	T_ASSERT(got(&t, "D", "u", " #not a comment "));
}

static void test_parse_empty_domain_and_password(void)
{
	triple t = {0};
	T_OK(parse(":carol:pw", &t));
	T_ASSERT(got(&t, "", "carol", "pw"));
	T_OK(parse("D:dave:", &t));
	T_ASSERT(got(&t, "D", "dave", ""));
	T_EXPECT_ERR(parse("::x:", &t), NTLM_E_BAD_FILE); /* the user may not be empty */
	T_ASSERT(is_null(&t));
}

static void test_parse_comments_blank(void)
{
	triple t = {0};
	const char *skip[] = {"# D:u:p", "#", "   # D:u:p\n", "", "\n", "\r\n", " \t "};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(skip); i++) {
		if (parse(skip[i], &t) != NTLM_E_NOT_FOUND)
			T_FAIL("line %zu is not a comment/blank", i);
		T_ASSERT(is_null(&t));
	}
	/* negative: '#' that does not start the line is data */
	T_OK(parse("D#:u:p", &t));
	T_ASSERT(got(&t, "D#", "u", "p"));
}

static void test_parse_malformed(void)
{
	triple t = {0};
	const char *bad[] = {"alice", "CORP:alice", "CORP:alice\n", "CORP::pw",
	                     "::",    ":",          "CORP\r:alice"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++) {
		if (parse(bad[i], &t) != NTLM_E_BAD_FILE)
			T_FAIL("accepted malformed line %zu: %s", i, bad[i]);
		T_ASSERT(is_null(&t));
	}
	/* a NUL byte inside the line */
	static const char nul_line[] = "D:u\0x:pw";
	T_EXPECT_ERR(credfile_parse_line(nul_line, sizeof(nul_line) - 1, &t.d, &t.u, &t.p),
	             NTLM_E_BAD_FILE);
	T_ASSERT(is_null(&t));
	/* the length bounds the parse: "D:u:pw" cut before the second ':' */
	T_EXPECT_ERR(credfile_parse_line("D:u:pw", 3, &t.d, &t.u, &t.p), NTLM_E_BAD_FILE);
	T_OK(credfile_parse_line("D:u:pwXYZ", 6, &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "D", "u", "pw"));
	T_EXPECT_ERR(credfile_parse_line(NULL, 2, &t.d, &t.u, &t.p), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(credfile_parse_line("D:u:p", 5, NULL, &t.u, &t.p), NTLM_E_INVALID_PARAMETER);
}

/* --------------------------------------------------------------- lookup */

static const char sample[] = "# client credentials\n"
							 "\n"
							 "not a valid line\n"
							 "CORP:alice:alice:pw:1\n"
							 "  # CORP:bob:commented-out\n"
							 ":localuser:local pw\r\n"
							 "OTHER:Alice:other-alice\n"
							 "CORP:bob:bobpw\n"
							 "CORP::empty-user\n"
							 "LAST:zed:no-newline";

static void write_sample(char *path, size_t cap)
{
	path_in(path, cap, "creds");
	write_text(path, sample, sizeof(sample) - 1);
}

static void test_lookup_user_and_domain(void)
{
	char path[256];
	triple t = {0};
	write_sample(path, sizeof(path));
	T_OK(credfile_lookup(path, "corp", "ALICE", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "CORP", "alice", "alice:pw:1"));
	T_OK(credfile_lookup(path, "Other", "alice", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "OTHER", "Alice", "other-alice"));
	/* any domain: the first alice */
	T_OK(credfile_lookup(path, NULL, "alice", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "CORP", "alice", "alice:pw:1"));
	T_OK(credfile_lookup(path, "CORP", "bob", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "CORP", "bob", "bobpw"));
	T_OK(credfile_lookup(path, NULL, "zed", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "LAST", "zed", "no-newline"));
	/* negative: the right user in the wrong domain is no match */
	T_EXPECT_ERR(credfile_lookup(path, "OTHER", "bob", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
	T_ASSERT(is_null(&t));
}

static void test_lookup_empty_domain(void)
{
	char path[256];
	triple t = {0};
	write_sample(path, sizeof(path));
	T_OK(credfile_lookup(path, "", "LOCALUSER", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "", "localuser", "local pw"));
	T_OK(credfile_lookup(path, NULL, "localuser", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "", "localuser", "local pw"));
	/* negative: "" only matches an empty domain */
	T_EXPECT_ERR(credfile_lookup(path, "", "alice", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

static void test_lookup_first_entry(void)
{
	char path[256];
	triple t = {0};
	write_sample(path, sizeof(path));
	/* comments, blank and malformed lines are not "the first entry" */
	T_OK(credfile_lookup(path, NULL, NULL, &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "CORP", "alice", "alice:pw:1"));
	T_OK(credfile_lookup(path, "other", NULL, &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "OTHER", "Alice", "other-alice"));
	T_EXPECT_ERR(credfile_lookup(path, "NOWHERE", NULL, &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

static void test_lookup_comments_skipped(void)
{
	char path[256];
	triple t = {0};
	write_sample(path, sizeof(path));
	T_OK(credfile_lookup(path, "CORP", "bob", &t.d, &t.u, &t.p));
	/* the commented-out bob line would have given another password */
	T_ASSERT(got(&t, "CORP", "bob", "bobpw"));
	T_EXPECT_ERR(credfile_lookup(path, "  # CORP", "bob", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
	/* the line without a user is skipped, never matched by an empty user */
	T_EXPECT_ERR(credfile_lookup(path, "CORP", "", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
	T_ASSERT(is_null(&t));
}

static void test_lookup_missing_user(void)
{
	char path[256];
	triple t = {0};
	write_sample(path, sizeof(path));
	T_EXPECT_ERR(credfile_lookup(path, NULL, "mallory", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
	T_ASSERT(is_null(&t));
	T_EXPECT_ERR(credfile_lookup(path, NULL, "alic", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(credfile_lookup(path, NULL, "not a valid line", &t.d, &t.u, &t.p),
	             NTLM_E_NOT_FOUND);
	/* an empty file has no entries */
	path_in(path, sizeof(path), "empty");
	T_ASSERT(write_text(path, "", 0) == 0);
	T_EXPECT_ERR(credfile_lookup(path, NULL, NULL, &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

static void test_lookup_bom(void)
{
	char path[256];
	triple t = {0};
	static const char text[] = "\xEF\xBB\xBF"
							   "CORP:alice:pw\n";
	path_in(path, sizeof(path), "bom");
	T_ASSERT(write_text(path, text, sizeof(text) - 1) == 0);
	T_OK(credfile_lookup(path, "CORP", "alice", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "CORP", "alice", "pw"));
	/* negative: a BOM is only skipped at the very start */
	static const char late[] = "X:y:z\n\xEF\xBB\xBF"
							   "CORP:alice:pw\n";
	T_ASSERT(write_text(path, late, sizeof(late) - 1) == 0);
	T_EXPECT_ERR(credfile_lookup(path, "CORP", "alice", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

static void test_lookup_io(void)
{
	char path[256];
	triple t = {0};
	path_in(path, sizeof(path), "does-not-exist");
	T_EXPECT_ERR(credfile_lookup(path, NULL, NULL, &t.d, &t.u, &t.p), NTLM_E_IO);
	T_ASSERT(is_null(&t));
	/* a directory is no credential file */
	T_EXPECT_ERR(credfile_lookup(tmpdir, NULL, NULL, &t.d, &t.u, &t.p), NTLM_E_UNSAFE_FILE);
	T_EXPECT_ERR(credfile_lookup(NULL, NULL, NULL, &t.d, &t.u, &t.p), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(credfile_lookup(path, NULL, NULL, NULL, &t.u, &t.p), NTLM_E_INVALID_PARAMETER);
}

/* Entries far into a file larger than one read. */
static void test_lookup_large_file(void)
{
	char path[256];
	triple t = {0};
	size_t cap = 200000, n = 0;
	char *text = malloc(cap);
	T_ASSERT(text != NULL);
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(text + n, cap - n, "DOM:user%d:password-%d\n", i, i);
	path_in(path, sizeof(path), "large");
	int w = write_text(path, text, n);
	free(text);
	T_ASSERT(w == 0);
	T_OK(credfile_lookup(path, "dom", "USER4999", &t.d, &t.u, &t.p));
	T_ASSERT(got(&t, "DOM", "user4999", "password-4999"));
	T_EXPECT_ERR(credfile_lookup(path, "dom", "user5000", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

static void cleanup(void)
{
	const char *names[] = {"creds", "empty", "bom", "large"};
	char path[256];
	for (size_t i = 0; i < NTLM_ARRAY_LEN(names); i++) {
		path_in(path, sizeof(path), names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

/* ------------------------------------------- a client's smbpasswd lines */

/*
 * gss-ntlmssp's initiator also reads smbpasswd lines (name:uid:LM:NT:...,
 * flags and LCT optional, the name optionally DOMAIN\\user): their NT hash is
 * the credential. A line without an NT hash gives none; a line whose hash is
 * not 32 hex digits is no smbpasswd line.
 */
static void test_client_smbpasswd_lines(void)
{
	uint8_t nt[NTLM_HASH_SIZE];
	char hex[33], path[256], text[600];
	T_OK(ntlm_nt_hash("B0bsecret", nt));
	for (int i = 0; i < NTLM_HASH_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", nt[i]);
	static const char x32[] = "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
	snprintf(text, sizeof(text),
	         "# initiator\n"
	         "bob:1001:%s:%s:[U          ]:LCT-00000000:\n"
	         "CORP\\carol:1002:%s:%s:\n"
	         "dave:1003:%s:%s:[U          ]:LCT-00000000:\n"
	         "eve:1004:%s:%.31sZ:\n"
	         "CORP:alice:pw\n",
	         x32, hex, x32, hex, x32, x32, x32, hex);
	path_in(path, sizeof(path), "client-smbpasswd");
	T_ASSERT(write_text(path, text, strlen(text)) == 0);
	credfile_entry e;
	T_OK(credfile_lookup_client(path, NULL, "BOB", &e));
	T_ASSERT(!e.domain && e.user && strcmp(e.user, "bob") == 0 && !e.password && e.has_nt);
	T_BYTES(e.nt, nt, NTLM_HASH_SIZE);
	credfile_entry_free(&e);
	/* a line without a domain matches any; a qualified one only its own */
	T_OK(credfile_lookup_client(path, "ANY", "bob", &e));
	credfile_entry_free(&e);
	T_OK(credfile_lookup_client(path, "corp", "carol", &e));
	T_ASSERT(e.domain && strcmp(e.domain, "CORP") == 0 && e.has_nt);
	credfile_entry_free(&e);
	T_EXPECT_ERR(credfile_lookup_client(path, "OTHER", "carol", &e), NTLM_E_NOT_FOUND);
	/* the clear line is still read as DOMAIN:USER:PASSWORD */
	T_OK(credfile_lookup_client(path, NULL, "alice", &e));
	T_ASSERT(e.password && strcmp(e.password, "pw") == 0 && !e.has_nt);
	credfile_entry_free(&e);
	/* a bad hash: no smbpasswd line (read as domain "eve", user "1004") */
	T_EXPECT_ERR(credfile_lookup_client(path, NULL, "eve", &e), NTLM_E_NOT_FOUND);
	ntlm_cred *c = NULL;
	T_OK(ntlm_cred_from_file(&c, path, "DOM", "bob"));
	T_ASSERT(c && strcmp(c->domain, "DOM") == 0 && strcmp(c->user, "bob") == 0);
	T_BYTES(c->nt_hash, nt, NTLM_HASH_SIZE);
	ntlm_cred_free(c);
	T_OK(ntlm_cred_from_file(&c, path, NULL, "carol"));
	T_ASSERT(c && strcmp(c->domain, "CORP") == 0);
	ntlm_cred_free(c);
	c = NULL;
	T_EXPECT_ERR(ntlm_cred_from_file(&c, path, NULL, "dave"), NTLM_E_NO_CREDENTIALS);
	T_ASSERT(c == NULL);
	/* the server's lookup of clear lines does not take smbpasswd lines */
	triple t = {0};
	T_EXPECT_ERR(credfile_lookup(path, NULL, "bob", &t.d, &t.u, &t.p), NTLM_E_NOT_FOUND);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_credfile.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_parse_basic);
	T_RUN(test_parse_password_with_colons);
	T_RUN(test_parse_empty_domain_and_password);
	T_RUN(test_parse_comments_blank);
	T_RUN(test_parse_malformed);
	T_RUN(test_lookup_user_and_domain);
	T_RUN(test_lookup_empty_domain);
	T_RUN(test_lookup_first_entry);
	T_RUN(test_lookup_comments_skipped);
	T_RUN(test_lookup_missing_user);
	T_RUN(test_lookup_bom);
	T_RUN(test_lookup_io);
	T_RUN(test_lookup_large_file);
	T_RUN(test_client_smbpasswd_lines);
	cleanup();
	T_END();
}
