/* test_smbpasswd.c - smbpasswd(5) parsing, formatting, lookup and locked edits */
#include "t.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ntlm_passwd_file.h"
#include "textfile.h"
#include "mem.h"

/* NT hash of "Password" */
#define NT_PASSWORD_HEX    "a4f49c406510bdcab6824ee7c30fd852"
#define NT_PASSWORD_HEX_UC "A4F49C406510BDCAB6824EE7C30FD852"
#define LM_HEX_UC          "E52CAC67419A9A224A3B108F3FA6CB6D"
#define XS                 "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
#define NOPW               "NO PASSWORDXXXXXXXXXXXXXXXXXXXXX"

/*
 * The real ntlm_nt_hash() is in ntlm_keys.c; this stand-in knows one vector
 * so the test builds alone. It is weak: linked with the whole library, the
 * real one takes over and gives the same answer.
 */
__attribute__((weak)) ntlm_err ntlm_nt_hash(const char *password, uint8_t out[16])
{
	if (strcmp(password, "Password") != 0)
		return NTLM_E_UNSUPPORTED;
	t_unhex(NT_PASSWORD_HEX, out, 16);
	return NTLM_OK;
}

/* ------------------------------------------------------------ helpers */

static char tmpdir[64];

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int ok = write(fd, text, n) == (ssize_t)n;
	fchmod(fd, mode);
	close(fd);
	return ok ? 0 : -1;
}

/* Whole file as a NUL-terminated string (caller frees); NULL if unreadable. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	(void)n;
	fclose(f);
	return buf;
}

static int file_mode(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static int count_dir_entries(void)
{
	DIR *d = opendir(tmpdir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	if (d)
		closedir(d);
	return n;
}

static void clean_dir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char p[512];
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path_in(p, sizeof(p), de->d_name);
		if (rmdir(p) != 0)
			unlink(p);
	}
	if (d)
		closedir(d);
}

static int is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void line_of(char *out, size_t cap, const char *name, const char *uid, const char *lm,
                    const char *nt, const char *flags, const char *lct)
{
	snprintf(out, cap, "%s:%s:%s:%s:%s:%s\n", name, uid, lm, nt, flags, lct);
}

static ntlm_err parse(const char *s, smbpw_entry *e)
{
	return smbpw_parse_line(s, strlen(s), e);
}

/* ------------------------------------------------------------ parsing */

static void test_parse_valid(void)
{
	smbpw_entry e;
	uint8_t nt[16], lm[16];
	t_unhex(NT_PASSWORD_HEX, nt, 16);
	t_unhex(LM_HEX_UC, lm, 16);
	T_OK(parse("alice:1000:" LM_HEX_UC ":" NT_PASSWORD_HEX ":[U          ]:LCT-5F0A1B2C:\n", &e));
	T_STR(e.name, "alice");
	T_ASSERT(e.uid == 1000);
	T_ASSERT(e.has_lm && e.has_nt);
	T_BYTES(e.lm, lm, 16);
	T_BYTES(e.nt, nt, 16);
	T_ASSERT(e.acb == SMBPW_ACB_NORMAL);
	T_ASSERT(e.lct == 0x5F0A1B2Cu);
	/* negative: other values really come out different */
	T_OK(parse("bob:7:" XS ":" LM_HEX_UC ":[W          ]:lct-0000000A:", &e));
	T_STR(e.name, "bob");
	T_ASSERT(e.uid == 7 && !e.has_lm && e.has_nt);
	T_ASSERT(memcmp(e.nt, nt, 16) != 0);
	T_BYTES(e.nt, lm, 16);
	T_ASSERT(e.acb == SMBPW_ACB_WSTRUST && e.lct == 10);
}

static void test_parse_disabled(void)
{
	smbpw_entry e;
	T_OK(parse("carol:1001:" XS ":" NT_PASSWORD_HEX ":[DU         ]:LCT-00000000:\n", &e));
	T_ASSERT(e.acb == (SMBPW_ACB_DISABLED | SMBPW_ACB_NORMAL));
	T_OK(parse("carol:1001:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n", &e));
	T_ASSERT(!(e.acb & SMBPW_ACB_DISABLED));
}

static void test_parse_no_lm_hash(void)
{
	smbpw_entry e;
	T_OK(parse("dave:1002:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000001:", &e));
	T_ASSERT(!e.has_lm && e.has_nt);
	T_ASSERT(is_zero(e.lm, 16));
	/* '*' is Samba's other spelling of "no hash" */
	T_OK(
		parse("dave:1002:********************************:" XS ":[U          ]:LCT-00000001:", &e));
	T_ASSERT(!e.has_lm && !e.has_nt);
	/* negative: a mixture of X and hex is neither */
	T_EXPECT_ERR(parse("dave:1002:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX0:" NT_PASSWORD_HEX
	                   ":[U          ]:LCT-00000001:",
	                   &e),
	             NTLM_E_BAD_FILE);
}

static void test_parse_no_password(void)
{
	smbpw_entry e;
	T_OK(parse("guest:65534:" NOPW ":" NOPW ":[NU         ]:LCT-3B9ACA00:\n", &e));
	T_ASSERT(!e.has_lm && !e.has_nt);
	T_ASSERT(e.acb == (SMBPW_ACB_PWNOTREQ | SMBPW_ACB_NORMAL));
	T_ASSERT(e.uid == 65534 && e.lct == 0x3B9ACA00u);
	/* negative: "NO PASSWORD" still has to fill the 32 columns */
	T_EXPECT_ERR(parse("guest:65534:NO PASSWORD:" NOPW ":[NU         ]:LCT-3B9ACA00:", &e),
	             NTLM_E_BAD_FILE);
}

static void test_parse_flags(void)
{
	smbpw_entry e;
	T_OK(parse("m$:1:" XS ":" XS ":[NDHTUMWSLXI]:LCT-00000000:", &e));
	T_ASSERT(e.acb == 0x7FFu);
	T_OK(parse("m$:1:" XS ":" XS ":[S]:LCT-00000000:", &e));
	T_ASSERT(e.acb == SMBPW_ACB_SVRTRUST);
	/* no letter at all reads as a normal user, as in Samba */
	T_OK(parse("m$:1:" XS ":" XS ":[           ]:LCT-00000000:", &e));
	T_ASSERT(e.acb == SMBPW_ACB_NORMAL);
	T_OK(parse("m$:1:" XS ":" XS ":[]:LCT-00000000:", &e));
	T_ASSERT(e.acb == SMBPW_ACB_NORMAL);
	T_EXPECT_ERR(parse("m$:1:" XS ":" XS ":[u          ]:LCT-00000000:", &e), NTLM_E_BAD_FILE);
}

static void test_parse_crlf_and_end(void)
{
	smbpw_entry e;
	T_OK(parse("eve:1:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-0000000F:\r\n", &e));
	T_ASSERT(e.lct == 15);
	/* the trailing ':' after LCT is optional; what follows it is ignored */
	T_OK(parse("eve:1:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-0000000F", &e));
	T_OK(parse("eve:1:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-0000000F:x:y", &e));
	/* negative: a bare '\r' in the middle is part of the line, not an end */
	T_EXPECT_ERR(parse("eve:1:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-0000000F\r:\n", &e),
	             NTLM_E_BAD_FILE);
}

static void test_parse_comments_blank(void)
{
	smbpw_entry e;
	T_EXPECT_ERR(parse("# alice:1000:" XS ":" XS ":[U          ]:LCT-00000000:", &e),
	             NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(parse("   \t# indented comment\n", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(parse("", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(parse("\r\n", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(parse("  \t \n", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_parse_line(NULL, 0, &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_parse_line(NULL, 3, &e), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_parse_line("x", 1, NULL), NTLM_E_INVALID_PARAMETER);
	/* negative: text before the '#' makes it an (invalid) entry, not a comment */
	T_EXPECT_ERR(parse("x # comment", &e), NTLM_E_BAD_FILE);
}

static void test_parse_uid(void)
{
	smbpw_entry e;
	char line[256];
	line_of(line, sizeof(line), "u", "4294967295", XS, XS, "[U          ]", "LCT-00000000:");
	T_OK(parse(line, &e));
	T_ASSERT(e.uid == 4294967295u);
	line_of(line, sizeof(line), "u", "0", XS, XS, "[U          ]", "LCT-00000000:");
	T_OK(parse(line, &e));
	T_ASSERT(e.uid == 0);
	const char *bad[] = {"4294967296", "", "-1", "12a", " 12", "99999999999", "+5"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++) {
		line_of(line, sizeof(line), "u", bad[i], XS, XS, "[U          ]", "LCT-00000000:");
		T_EXPECT_ERR(parse(line, &e), NTLM_E_BAD_FILE);
	}
}

/* Each malformed variant differs from a valid line in one field. */
static void test_parse_malformed(void)
{
	static const struct {
		const char *name, *uid, *lm, *nt, *flags, *lct;
	} bad[] = {
		{"", "1", XS, XS, "[U          ]", "LCT-00000000:"},                   /* empty name */
		{"a b\x01", "1", XS, XS, "[U          ]", "LCT-00000000:"},            /* control char */
		{" alice", "1", XS, XS, "[U          ]", "LCT-00000000:"},             /* leading blank */
		{"a", "1", NT_PASSWORD_HEX "0", XS, "[U          ]", "LCT-00000000:"}, /* 33 digits */
		{"a", "1", XS, "a4f49c406510bdcab6824ee7c30fd85", "[U          ]", "LCT-00000000:"},
		{"a", "1", XS, "g4f49c406510bdcab6824ee7c30fd852", "[U          ]", "LCT-00000000:"},
		{"a", "1", XS, "a4f49c406510bdcab6824ee7c30fd85 ", "[U          ]", "LCT-00000000:"},
		{"a", "1", XS, "", "[U          ]", "LCT-00000000:"},
		{"a", "1", XS, XS, "U          ]", "LCT-00000000:"},  /* no '[' */
		{"a", "1", XS, XS, "[U          ", "LCT-00000000:"},  /* no ']' */
		{"a", "1", XS, XS, "[U    Q     ]", "LCT-00000000:"}, /* unknown letter */
		{"a", "1", XS, XS, "[U] ", "LCT-00000000:"},          /* text after ']' */
		{"a", "1", XS, XS, "", "LCT-00000000:"},
		{"a", "1", XS, XS, "[U          ]", "LCT-0000000:"},   /* 7 digits */
		{"a", "1", XS, XS, "[U          ]", "LCT-000000000:"}, /* 9 digits */
		{"a", "1", XS, XS, "[U          ]", "LCT-0000000G:"},
		{"a", "1", XS, XS, "[U          ]", "LCX-00000000:"},
		{"a", "1", XS, XS, "[U          ]", "00000000:"},
		{"a", "1", XS, XS, "[U          ]", ""}, /* LCT missing */
	};
	smbpw_entry e;
	char line[512];
	line_of(line, sizeof(line), "a", "1", XS, XS, "[U          ]", "LCT-00000000:");
	T_OK(parse(line, &e)); /* the template itself is valid */
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++) {
		line_of(line, sizeof(line), bad[i].name, bad[i].uid, bad[i].lm, bad[i].nt, bad[i].flags,
		        bad[i].lct);
		if (parse(line, &e) != NTLM_E_BAD_FILE)
			T_FAIL("case %zu accepted: %s", i, line);
	}
	/* missing fields */
	const char *short_lines[] = {
		"alice",
		"alice:",
		"alice:1000",
		"alice:1000:" XS,
		"alice:1000:" XS ":" XS,
		"alice:1000:" XS ":" XS ":",
		"alice:1000:" XS ":" XS ":[U          ]",
		"alice:1000:" XS ":" XS ":[U          ]:",
	};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(short_lines); i++)
		if (parse(short_lines[i], &e) != NTLM_E_BAD_FILE)
			T_FAIL("short line accepted: %s", short_lines[i]);
}

static void test_parse_name_limits(void)
{
	smbpw_entry e;
	char name[200], line[512];
	memset(name, 'n', 127);
	name[127] = '\0';
	line_of(line, sizeof(line), name, "1", XS, XS, "[U          ]", "LCT-00000000:");
	T_OK(parse(line, &e));
	T_ASSERT(strlen(e.name) == 127);
	memset(name, 'n', 128);
	name[128] = '\0';
	line_of(line, sizeof(line), name, "1", XS, XS, "[U          ]", "LCT-00000000:");
	T_EXPECT_ERR(parse(line, &e), NTLM_E_BAD_FILE);
	/* UTF-8 and '$' (machine accounts) are fine */
	T_OK(parse("j\xc3\xb6rg$:1:" XS ":" XS ":[W          ]:LCT-00000000:", &e));
	T_STR(e.name, "j\xc3\xb6rg$");
}

static void test_parse_embedded_nul_and_wipe(void)
{
	smbpw_entry e;
	static const char ok_line[] = "alice:1:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:";
	char line[sizeof(ok_line)];
	memcpy(line, ok_line, sizeof(line));
	T_OK(smbpw_parse_line(line, sizeof(line) - 1, &e));
	T_ASSERT(!is_zero(e.nt, 16));
	line[3] = '\0';
	T_EXPECT_ERR(smbpw_parse_line(line, sizeof(line) - 1, &e), NTLM_E_BAD_FILE);
	/* a failed parse leaves nothing behind, the hash of an earlier field included */
	T_EXPECT_ERR(
		parse("alice:1:" NT_PASSWORD_HEX ":" NT_PASSWORD_HEX ":[U          ]:LCT-0000000:", &e),
		NTLM_E_BAD_FILE);
	T_ASSERT(is_zero(&e, sizeof(e)));
	/* the length bounds the parse: the text past len is never looked at */
	T_EXPECT_ERR(smbpw_parse_line(ok_line, sizeof(ok_line) - 3, &e), NTLM_E_BAD_FILE);
}

/* ---------------------------------------------------------- formatting */

static void fill(smbpw_entry *e, const char *name, uint32_t uid, uint32_t acb, uint32_t lct)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->uid = uid;
	e->acb = acb;
	e->lct = lct;
}

static void test_format_samba_layout(void)
{
	smbpw_entry e;
	char buf[SMBPW_LINE_MAX];
	fill(&e, "alice", 1000, SMBPW_ACB_NORMAL, 0x5F0A1B2Cu);
	e.has_nt = 1;
	t_unhex(NT_PASSWORD_HEX, e.nt, 16);
	T_OK(smbpw_format_line(&e, buf, sizeof(buf)));
	T_STR(buf, "alice:1000:" XS ":" NT_PASSWORD_HEX_UC ":[U          ]:LCT-5F0A1B2C:\n");

	fill(&e, "guest", 65534, SMBPW_ACB_NORMAL | SMBPW_ACB_PWNOTREQ | SMBPW_ACB_DISABLED, 0xabc);
	T_OK(smbpw_format_line(&e, buf, sizeof(buf)));
	T_STR(buf, "guest:65534:" NOPW ":" NOPW ":[NDU        ]:LCT-00000ABC:\n");

	fill(&e, "m$", 4294967295u, 0x7FFu, 0xFFFFFFFFu);
	e.has_lm = 1;
	t_unhex(LM_HEX_UC, e.lm, 16);
	T_OK(smbpw_format_line(&e, buf, sizeof(buf)));
	/* N set: the missing NT hash is spelt "NO PASSWORD..." */
	T_STR(buf, "m$:4294967295:" LM_HEX_UC ":" NOPW ":[NDHTUMWSLXI]:LCT-FFFFFFFF:\n");
	T_ASSERT(strlen(buf) < SMBPW_LINE_MAX);
}

static void test_format_errors(void)
{
	smbpw_entry e;
	char buf[SMBPW_LINE_MAX];
	fill(&e, "alice", 1, SMBPW_ACB_NORMAL, 0);
	e.has_nt = 1;
	t_unhex(NT_PASSWORD_HEX, e.nt, 16);
	size_t need = strlen("alice:1:" XS ":" XS ":[U          ]:LCT-00000000:\n") + 1;
	T_OK(smbpw_format_line(&e, buf, need));
	memset(buf, 'z', sizeof(buf));
	T_EXPECT_ERR(smbpw_format_line(&e, buf, need - 1), NTLM_E_BUFFER_TOO_SMALL);
	T_ASSERT(is_zero(buf, need - 1)); /* no half line with half a hash */
	T_EXPECT_ERR(smbpw_format_line(&e, buf, 0), NTLM_E_BUFFER_TOO_SMALL);
	T_EXPECT_ERR(smbpw_format_line(NULL, buf, sizeof(buf)), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_format_line(&e, NULL, sizeof(buf)), NTLM_E_INVALID_PARAMETER);

	const char *bad[] = {"", "a:b", "#x", " x", "a\nb", "a\tb", "\x7f"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++) {
		snprintf(e.name, sizeof(e.name), "%s", bad[i]);
		if (smbpw_format_line(&e, buf, sizeof(buf)) != NTLM_E_INVALID_PARAMETER)
			T_FAIL("name \"%s\" formatted", bad[i]);
	}
	memset(e.name, 'a', sizeof(e.name)); /* unterminated */
	T_EXPECT_ERR(smbpw_format_line(&e, buf, sizeof(buf)), NTLM_E_INVALID_PARAMETER);
}

static int entries_equal(const smbpw_entry *a, const smbpw_entry *b)
{
	return strcmp(a->name, b->name) == 0 && a->uid == b->uid && a->has_lm == b->has_lm &&
	       a->has_nt == b->has_nt && memcmp(a->lm, b->lm, 16) == 0 &&
	       memcmp(a->nt, b->nt, 16) == 0 && a->acb == b->acb && a->lct == b->lct;
}

static void test_roundtrip(void)
{
	static const uint32_t acbs[] = {
		SMBPW_ACB_NORMAL,
		SMBPW_ACB_NORMAL | SMBPW_ACB_DISABLED,
		SMBPW_ACB_NORMAL | SMBPW_ACB_PWNOTREQ,
		SMBPW_ACB_WSTRUST,
		0x7FFu,
		SMBPW_ACB_DOMTRUST | SMBPW_ACB_AUTOLOCK | SMBPW_ACB_PWNOEXP,
	};
	smbpw_entry a, b;
	char buf[SMBPW_LINE_MAX];
	for (size_t i = 0; i < NTLM_ARRAY_LEN(acbs); i++) {
		fill(&a, i % 2 ? "Bob.Smith" : "w1$", (uint32_t)(i * 977u), acbs[i],
		     (uint32_t)(0x12345678u * (i + 1)));
		a.has_nt = i != 2;
		a.has_lm = i % 3 == 1;
		for (int k = 0; k < 16; k++) {
			a.nt[k] = a.has_nt ? (uint8_t)(i * 31 + (size_t)k) : 0;
			a.lm[k] = a.has_lm ? (uint8_t)(255 - k) : 0;
		}
		T_OK(smbpw_format_line(&a, buf, sizeof(buf)));
		T_OK(parse(buf, &b));
		if (!entries_equal(&a, &b))
			T_FAIL("round trip %zu changed: %s", i, buf);
	}
	/* negative: the comparison notices a change */
	b.nt[0] ^= 1;
	T_ASSERT(!entries_equal(&a, &b));

	/* a Samba line comes back byte for byte */
	static const char samba[] = "root:0:" LM_HEX_UC ":" NT_PASSWORD_HEX_UC
								":[UX         ]:LCT-4E7A2B3C:\n";
	T_OK(parse(samba, &a));
	T_OK(smbpw_format_line(&a, buf, sizeof(buf)));
	T_STR(buf, samba);
}

/* --------------------------------------------------------------- lookup */

static const char sample_file[] = "# smbpasswd for tests\n"
								  "\n"
								  "alice:1000:" XS ":" NT_PASSWORD_HEX_UC
								  ":[U          ]:LCT-5F0A1B2C:\n"
								  "mallory:1001:" XS ":nothex:[U          ]:LCT-5F0A1B2C:\n"
								  "   # indented comment\r\n"
								  "Bob:1002:" LM_HEX_UC ":" NT_PASSWORD_HEX_UC
								  ":[DU         ]:LCT-00000010:\r\n"
								  "garbage line without colons\n"
								  "zed:1003:" XS ":" XS
								  ":[U          ]:LCT-00000000:"; /* no final newline */

static void test_lookup_case_insensitive(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16];
	t_unhex(NT_PASSWORD_HEX, nt, 16);
	path_in(path, sizeof(path), "lookup");
	T_ASSERT(write_text(path, sample_file, 0600) == 0);
	T_OK(smbpw_lookup(path, "ALICE", &e));
	T_STR(e.name, "alice");
	T_BYTES(e.nt, nt, 16);
	T_OK(smbpw_lookup(path, "bob", &e));
	T_STR(e.name, "Bob");
	T_ASSERT(e.uid == 1002 && e.has_lm && (e.acb & SMBPW_ACB_DISABLED));
	T_OK(smbpw_lookup(path, "Zed", &e));
	T_ASSERT(e.uid == 1003 && !e.has_nt);
	T_EXPECT_ERR(smbpw_lookup(path, "carol", &e), NTLM_E_NOT_FOUND);
	T_ASSERT(is_zero(&e, sizeof(e)));
	T_EXPECT_ERR(smbpw_lookup(path, "alic", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_lookup(path, "alice2", &e), NTLM_E_NOT_FOUND);
	/* comment text is never an account */
	T_EXPECT_ERR(smbpw_lookup(path, "# smbpasswd for tests", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_lookup(path, NULL, &e), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_lookup(path, "", &e), NTLM_E_NOT_FOUND);
	T_ASSERT(write_text(path, ":1:" XS ":" XS ":[U          ]:LCT-00000000:\n", 0600) == 0);
	T_EXPECT_ERR(smbpw_lookup(path, "", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_lookup(NULL, "alice", &e), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_lookup(path, "alice", NULL), NTLM_E_INVALID_PARAMETER);
}

static void test_lookup_malformed(void)
{
	char path[256];
	smbpw_entry e;
	path_in(path, sizeof(path), "lookup");
	T_ASSERT(write_text(path, sample_file, 0600) == 0);
	/* other users' damaged lines are skipped; the damaged user's own is an error */
	T_OK(smbpw_lookup(path, "alice", &e));
	T_EXPECT_ERR(smbpw_lookup(path, "MALLORY", &e), NTLM_E_BAD_FILE);
	T_ASSERT(is_zero(&e, sizeof(e)));
	T_EXPECT_ERR(smbpw_lookup(path, "garbage line without colons", &e), NTLM_E_BAD_FILE);
	/* a damaged first line does not fall through to a later good one */
	T_ASSERT(write_text(path,
	                    "alice:1000:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-XX:\n"
	                    "alice:1000:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n",
	                    0600) == 0);
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_BAD_FILE);
	/* ...while a good first line wins over a later damaged one */
	T_ASSERT(write_text(path,
	                    "alice:1000:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n"
	                    "alice:1000:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-XX:\n",
	                    0600) == 0);
	T_OK(smbpw_lookup(path, "alice", &e));
}

/* smbpw_find and the index agree on user (answer, then the entry). */
static int same_answer(const tf_buf *b, const smbpw_index *ix, const char *user)
{
	smbpw_entry a, x;
	ntlm_err ra = smbpw_find(b, user, &a), rx = smbpw_find_indexed(b, ix, user, &x);
	if (ra != rx || memcmp(&a, &x, sizeof(a)) != 0) {
		fprintf(stderr, "    %s: scan %s, index %s\n", user, ntlm_err_name(ra), ntlm_err_name(rx));
		return 0;
	}
	return 1;
}

/*
 * The index a cached file is looked up through gives smbpw_find's answers:
 * the first line naming a user wins (a later duplicate never shadows it,
 * nor a damaged first line fall through), names compare without case
 * (Unicode's simple mapping too), comments and damaged lines of others are
 * no accounts, and a thousand fillers make the probes collide.
 */
static void test_lookup_indexed(void)
{
	tf_buf b;
	tf_init(&b, SMBPW_FILE_MAX);
	T_OK(tf_append(&b, sample_file, sizeof(sample_file) - 1));
	static const char more[] = "ALICE:4000:" XS ":" XS ":[U          ]:LCT-00000000:\n"
							   "\xc3\x89mile:1005:" XS ":" NT_PASSWORD_HEX
							   ":[U          ]:LCT-00000000:\n"
							   "bad\xff:1006:" XS ":" NT_PASSWORD_HEX
							   ":[U          ]:LCT-00000000:\n"
							   "dave:1007:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-XX:\n"
							   "dave:1008:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n"
							   "erin:1009:" XS ":" NT_PASSWORD_HEX ":[DU         ]:LCT-00000000:\n"
							   "ERIN:1010:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n";
	T_OK(tf_append(&b, more, sizeof(more) - 1));
	char line[200], name[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line),
		         "filler%04d:%d:" XS ":" NT_PASSWORD_HEX ":[U          ]:LCT-00000000:\n", i,
		         2000 + i);
		T_OK(tf_append(&b, line, strlen(line)));
	}
	smbpw_index ix;
	T_OK(smbpw_index_build(&b, &ix));
	static const char *const users[] = {"alice",
	                                    "ALICE",
	                                    "Alice",
	                                    "bob",
	                                    "BOB",
	                                    "mallory",
	                                    "Zed",
	                                    "zed",
	                                    "carol",
	                                    "",
	                                    "\xc3\x89mile",
	                                    "\xc3\xa9mile",
	                                    "\xc3\xa9MILE",
	                                    "bad\xff",
	                                    "BAD\xff",
	                                    "dave",
	                                    "erin",
	                                    "garbage line without colons",
	                                    "# smbpasswd for tests",
	                                    "filler",
	                                    "filler0999x"};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		T_ASSERT(same_answer(&b, &ix, users[i]));
	for (int i = 0; i < 1000; i += 7) {
		snprintf(name, sizeof(name), i % 2 ? "FILLER%04d" : "filler%04d", i);
		T_ASSERT(same_answer(&b, &ix, name));
	}
	smbpw_entry e;
	T_OK(smbpw_find_indexed(&b, &ix, "Alice", &e));
	T_ASSERT(e.uid == 1000); /* the first alice, not the later ALICE */
	T_OK(smbpw_find_indexed(&b, &ix, "ERIN", &e));
	T_ASSERT(e.uid == 1009 && (e.acb & SMBPW_ACB_DISABLED)); /* a later enabled copy never wins */
	T_EXPECT_ERR(smbpw_find_indexed(&b, &ix, "dave", &e), NTLM_E_BAD_FILE);
	T_OK(smbpw_find_indexed(&b, &ix, "\xc3\xa9MILE", &e));
	T_ASSERT(e.uid == 1005);
	T_ASSERT(ix.mask + 1 >= 2 * 1000);
	smbpw_index_free(&ix);
	/* an empty text: nothing found, no slot read */
	tf_buf empty;
	tf_init(&empty, SMBPW_FILE_MAX);
	T_OK(smbpw_index_build(&empty, &ix));
	T_EXPECT_ERR(smbpw_find_indexed(&empty, &ix, "alice", &e), NTLM_E_NOT_FOUND);
	smbpw_index_free(&ix);
	tf_free(&b);
}

static void test_lookup_io(void)
{
	char path[256];
	smbpw_entry e;
	path_in(path, sizeof(path), "does-not-exist");
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_IO);
	path_in(path, sizeof(path), "subdir");
	T_ASSERT(mkdir(path, 0700) == 0);
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_UNSAFE_FILE); /* not a regular file */
	rmdir(path);
	/* negative: an empty but readable file is simply without the user */
	path_in(path, sizeof(path), "empty");
	T_ASSERT(write_text(path, "", 0600) == 0);
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_NOT_FOUND);
}

/* ------------------------------------------------------------- editing */

static void test_modify_add(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16], lm[16];
	t_unhex(NT_PASSWORD_HEX, nt, 16);
	t_unhex(LM_HEX_UC, lm, 16);
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	uint32_t before = (uint32_t)time(NULL);
	T_OK(smbpw_modify(path, SMBPW_ADD, "alice", nt, NULL, 1000));
	T_ASSERT(file_mode(path) == 0600);
	T_OK(smbpw_lookup(path, "alice", &e));
	T_ASSERT(e.uid == 1000 && e.has_nt && !e.has_lm && e.acb == SMBPW_ACB_NORMAL);
	T_BYTES(e.nt, nt, 16);
	T_ASSERT(e.lct >= before && e.lct <= (uint32_t)time(NULL));

	T_OK(smbpw_modify(path, SMBPW_ADD, "bob", nt, lm, 1001));
	T_OK(smbpw_lookup(path, "bob", &e));
	T_ASSERT(e.has_lm);
	T_BYTES(e.lm, lm, 16);

	/* an existing name, in any case, is refused and nothing changes */
	char *was = read_text(path);
	T_ASSERT(was != NULL);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_ADD, "ALICE", lm, NULL, 5), NTLM_E_INVALID_PARAMETER);
	char *now = read_text(path);
	int same = now && strcmp(was, now) == 0;
	free(was);
	free(now);
	T_ASSERT(same);
	T_OK(smbpw_lookup(path, "alice", &e));
	T_BYTES(e.nt, nt, 16);
	T_ASSERT(e.uid == 1000);
}

static const char edit_file_text[] = "# local accounts\n"
									 "\n"
									 "alice:1000:" XS ":" NT_PASSWORD_HEX_UC
									 ":[U          ]:LCT-5F0A1B2C:\n"
									 "weird:line:kept\n"
									 "bob:1001:" LM_HEX_UC ":" NT_PASSWORD_HEX_UC
									 ":[UX         ]:LCT-00000001:\r\n"
									 "  # trailing comment\n"
									 "carol:1002:" XS ":" NT_PASSWORD_HEX ":[U]:LCT-00000002:\n";

static void test_modify_preserves_other_lines(void)
{
	char path[256];
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0644) == 0);
	T_ASSERT(file_mode(path) == 0644);
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "BOB", NULL, NULL, 0));
	T_ASSERT(file_mode(path) == 0644); /* the mode is kept */
	char *got = read_text(path);
	T_ASSERT(got != NULL);
	static const char want[] = "# local accounts\n"
							   "\n"
							   "alice:1000:" XS ":" NT_PASSWORD_HEX_UC
							   ":[U          ]:LCT-5F0A1B2C:\n"
							   "weird:line:kept\n"
							   "bob:1001:" LM_HEX_UC ":" NT_PASSWORD_HEX_UC
							   ":[DUX        ]:LCT-00000001:\r\n"
							   "  # trailing comment\n"
							   "carol:1002:" XS ":" NT_PASSWORD_HEX ":[U]:LCT-00000002:\n";
	int ok = strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr, "    got:\n%s", got);
	free(got);
	T_ASSERT(ok);
	/* enabling again restores the original bytes (LCT untouched by flag changes) */
	T_OK(smbpw_modify(path, SMBPW_ENABLE, "bob", NULL, NULL, 0));
	got = read_text(path);
	ok = got && strcmp(got, edit_file_text) == 0;
	free(got);
	T_ASSERT(ok);
	/* negative: the check above does see a difference after a real change */
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "alice", NULL, NULL, 0));
	got = read_text(path);
	ok = got && strcmp(got, edit_file_text) != 0;
	free(got);
	T_ASSERT(ok);
}

static void test_modify_enable_disable(void)
{
	char path[256];
	smbpw_entry e;
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0600) == 0);
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "carol", NULL, NULL, 0));
	T_OK(smbpw_lookup(path, "carol", &e));
	T_ASSERT(e.acb == (SMBPW_ACB_DISABLED | SMBPW_ACB_NORMAL) && e.lct == 2);
	/* twice is harmless */
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "carol", NULL, NULL, 0));
	T_OK(smbpw_modify(path, SMBPW_ENABLE, "Carol", NULL, NULL, 0));
	T_OK(smbpw_lookup(path, "carol", &e));
	T_ASSERT(e.acb == SMBPW_ACB_NORMAL);
	T_OK(smbpw_lookup(path, "alice", &e));
	T_ASSERT(e.acb == SMBPW_ACB_NORMAL); /* untouched */
}

static void test_modify_set_hash(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16], other[16], lm[16];
	t_unhex(NT_PASSWORD_HEX, nt, 16);
	t_unhex(LM_HEX_UC, lm, 16);
	memset(other, 0x5a, sizeof(other));
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0600) == 0);
	uint32_t before = (uint32_t)time(NULL);
	T_OK(smbpw_modify(path, SMBPW_SET_HASH, "bob", other, NULL, 0));
	T_OK(smbpw_lookup(path, "bob", &e));
	T_BYTES(e.nt, other, 16);
	T_ASSERT(!e.has_lm && is_zero(e.lm, 16)); /* the old LM hash must not survive */
	T_ASSERT(e.acb == (SMBPW_ACB_NORMAL | SMBPW_ACB_PWNOEXP) && e.uid == 1001);
	T_ASSERT(e.lct >= before);
	T_OK(smbpw_modify(path, SMBPW_SET_HASH, "bob", nt, lm, 0));
	T_OK(smbpw_lookup(path, "bob", &e));
	T_BYTES(e.nt, nt, 16);
	T_ASSERT(e.has_lm);
	T_BYTES(e.lm, lm, 16);
	/* negative: the neighbour keeps its hash and date */
	T_OK(smbpw_lookup(path, "alice", &e));
	T_ASSERT(e.lct == 0x5F0A1B2Cu);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_SET_HASH, "bob", NULL, NULL, 0),
	             NTLM_E_INVALID_PARAMETER);
}

static void test_modify_delete(void)
{
	char path[256];
	smbpw_entry e;
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0600) == 0);
	T_OK(smbpw_modify(path, SMBPW_DELETE, "Bob", NULL, NULL, 0));
	T_EXPECT_ERR(smbpw_lookup(path, "bob", &e), NTLM_E_NOT_FOUND);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_DELETE, "bob", NULL, NULL, 0), NTLM_E_NOT_FOUND);
	char *got = read_text(path);
	T_ASSERT(got != NULL);
	int ok = strstr(got, "# local accounts\n\n") == got && strstr(got, "  # trailing comment\n") &&
	         strstr(got, "weird:line:kept\n") && !strstr(got, "bob") && strstr(got, "carol:");
	free(got);
	T_ASSERT(ok);
	T_OK(smbpw_lookup(path, "alice", &e));
	T_OK(smbpw_lookup(path, "carol", &e));
}

static void test_modify_missing(void)
{
	char path[256];
	uint8_t nt[16] = {1};
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0644) == 0);
	static const smbpw_op ops[] = {SMBPW_DELETE, SMBPW_ENABLE, SMBPW_DISABLE, SMBPW_SET_HASH};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(ops); i++)
		T_EXPECT_ERR(smbpw_modify(path, ops[i], "dave", nt, NULL, 0), NTLM_E_NOT_FOUND);
	/* nothing rewritten: mode and content as before */
	T_ASSERT(file_mode(path) == 0644);
	char *got = read_text(path);
	int same = got && strcmp(got, edit_file_text) == 0;
	free(got);
	T_ASSERT(same);
	/* a missing file is not created by anything but ADD */
	path_in(path, sizeof(path), "nofile");
	for (size_t i = 0; i < NTLM_ARRAY_LEN(ops); i++)
		T_EXPECT_ERR(smbpw_modify(path, ops[i], "dave", nt, NULL, 0), NTLM_E_NOT_FOUND);
	T_ASSERT(access(path, F_OK) != 0);
	/* negative: a path that is no regular file is refused, not "not found" */
	path_in(path, sizeof(path), "dir");
	T_ASSERT(mkdir(path, 0700) == 0);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_DELETE, "dave", NULL, NULL, 0), NTLM_E_UNSAFE_FILE);
	char lock[300];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	unlink(lock);
	rmdir(path);
}

static void test_modify_malformed_target(void)
{
	char path[256];
	uint8_t nt[16] = {1};
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, edit_file_text, 0600) == 0);
	/* "weird" is damaged: editing it (even adding it) is refused, nothing is written */
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_DISABLE, "weird", NULL, NULL, 0), NTLM_E_BAD_FILE);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_DELETE, "WEIRD", NULL, NULL, 0), NTLM_E_BAD_FILE);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_ADD, "weird", nt, NULL, 1), NTLM_E_BAD_FILE);
	char *got = read_text(path);
	int same = got && strcmp(got, edit_file_text) == 0;
	free(got);
	T_ASSERT(same);
	/* negative: the damaged line does not block edits of others */
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "alice", NULL, NULL, 0));
}

static void test_modify_params(void)
{
	char path[256];
	uint8_t nt[16] = {1};
	char long_name[200];
	memset(long_name, 'x', 128);
	long_name[128] = '\0';
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_ADD, "alice", NULL, NULL, 1), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_modify(NULL, SMBPW_ADD, "alice", nt, NULL, 1), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_modify("", SMBPW_ADD, "alice", nt, NULL, 1), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_ADD, NULL, nt, NULL, 1), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_modify(path, (smbpw_op)99, "alice", nt, NULL, 1), NTLM_E_INVALID_PARAMETER);
	const char *bad[] = {"", "a:b", "#a", " a", "a\nb:1:x", long_name};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(bad); i++)
		if (smbpw_modify(path, SMBPW_ADD, bad[i], nt, NULL, 1) != NTLM_E_INVALID_PARAMETER)
			T_FAIL("name %zu accepted", i);
	T_ASSERT(access(path, F_OK) != 0);
	/* negative: the longest valid name is accepted */
	long_name[127] = '\0';
	T_OK(smbpw_modify(path, SMBPW_ADD, long_name, nt, NULL, 1));
	unlink(path);
}

static void test_modify_last_line_without_newline(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16] = {7};
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, "zed:1:" XS ":" XS ":[U          ]:LCT-00000000:", 0600) == 0);
	T_OK(smbpw_modify(path, SMBPW_ADD, "amy", nt, NULL, 2));
	T_OK(smbpw_lookup(path, "zed", &e));
	T_OK(smbpw_lookup(path, "amy", &e));
	T_ASSERT(e.uid == 2);
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "amy", NULL, NULL, 0));
	T_OK(smbpw_lookup(path, "amy", &e));
	T_ASSERT(e.acb & SMBPW_ACB_DISABLED);
	T_OK(smbpw_lookup(path, "zed", &e));
	T_ASSERT(!(e.acb & SMBPW_ACB_DISABLED));
}

static void test_modify_leaves_no_temp_files(void)
{
	char path[256], lock[300];
	uint8_t nt[16] = {7};
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	snprintf(lock, sizeof(lock), "%s.lock", path);
	T_ASSERT(count_dir_entries() == 0);
	T_OK(smbpw_modify(path, SMBPW_ADD, "a", nt, NULL, 1));
	T_OK(smbpw_modify(path, SMBPW_ADD, "b", nt, NULL, 2));
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_ADD, "a", nt, NULL, 1), NTLM_E_INVALID_PARAMETER);
	T_OK(smbpw_modify(path, SMBPW_DELETE, "a", NULL, NULL, 0));
	/* the account file and its lock file, nothing else */
	T_ASSERT(count_dir_entries() == 2);
	T_ASSERT(file_mode(lock) == 0600);
	T_ASSERT(file_mode(path) == 0600);
	/* negative: the count does see an extra file */
	T_ASSERT(write_text(lock, "", 0600) == 0 && count_dir_entries() == 2);
	char extra[300];
	snprintf(extra, sizeof(extra), "%s.XXXXXX", path);
	T_ASSERT(write_text(extra, "", 0600) == 0 && count_dir_entries() == 3);
	unlink(extra);
}

#define WRITERS         8
#define ADDS_PER_WRITER 20

static void writer_child(const char *path, int w)
{
	uint8_t nt[16];
	char name[32];
	int failures = 0;
	for (int i = 0; i < ADDS_PER_WRITER; i++) {
		memset(nt, w * ADDS_PER_WRITER + i, sizeof(nt));
		snprintf(name, sizeof(name), "w%d_u%d", w, i);
		if (smbpw_modify(path, SMBPW_ADD, name, nt, NULL, (uint32_t)(10000 + w * 100 + i)))
			failures++;
	}
	_exit(failures ? 1 : 0);
}

static void test_concurrent_adds(void)
{
	char path[256], name[32];
	smbpw_entry e;
	pid_t pids[WRITERS];
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	T_ASSERT(write_text(path, "# shared\n", 0600) == 0);
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		T_ASSERT(pids[w] >= 0);
		if (pids[w] == 0)
			writer_child(path, w);
	}
	int child_failures = 0;
	for (int w = 0; w < WRITERS; w++) {
		int st;
		if (waitpid(pids[w], &st, 0) != pids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			child_failures++;
	}
	T_ASSERT(child_failures == 0);
	int present = 0;
	for (int w = 0; w < WRITERS; w++) {
		for (int i = 0; i < ADDS_PER_WRITER; i++) {
			snprintf(name, sizeof(name), "w%d_u%d", w, i);
			if (smbpw_lookup(path, name, &e) == NTLM_OK &&
			    e.uid == (uint32_t)(10000 + w * 100 + i) && e.nt[0] == (uint8_t)(w * 20 + i))
				present++;
		}
	}
	T_ASSERT(present == WRITERS * ADDS_PER_WRITER);
	char *got = read_text(path);
	T_ASSERT(got != NULL);
	int lines = 0;
	for (const char *p = got; *p; p++)
		lines += *p == '\n';
	int comment_kept = strncmp(got, "# shared\n", 9) == 0;
	free(got);
	T_ASSERT(comment_kept);
	T_ASSERT(lines == 1 + WRITERS * ADDS_PER_WRITER);
	/* negative: a name nobody added is not there */
	T_EXPECT_ERR(smbpw_lookup(path, "w8_u0", &e), NTLM_E_NOT_FOUND);
}

/* An editor waits for whoever holds "<path>.lock". */
static void test_lock_is_honoured(void)
{
	char path[256], lock[300];
	smbpw_entry e;
	uint8_t nt[16] = {9};
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	snprintf(lock, sizeof(lock), "%s.lock", path);
	T_ASSERT(write_text(path, "# x\n", 0600) == 0);
	int fd = open(lock, O_RDWR | O_CREAT, 0600);
	T_ASSERT(fd >= 0);
	T_ASSERT(flock(fd, LOCK_EX) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(smbpw_modify(path, SMBPW_ADD, "late", nt, NULL, 1) == NTLM_OK ? 0 : 1);
	T_ASSERT(pid > 0);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	ntlm_err while_locked = smbpw_lookup(path, "late", &e);
	int st = 0;
	pid_t early = waitpid(pid, &st, WNOHANG);
	flock(fd, LOCK_UN);
	close(fd);
	pid_t done = waitpid(pid, &st, 0);
	T_ASSERT(early == 0); /* still waiting for the lock */
	T_EXPECT_ERR(while_locked, NTLM_E_NOT_FOUND);
	T_ASSERT(done == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_OK(smbpw_lookup(path, "late", &e));
}

static void test_create_default(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16];
	t_unhex(NT_PASSWORD_HEX, nt, 16);
	clean_dir();
	path_in(path, sizeof(path), "passwd");
	T_EXPECT_ERR(smbpw_create_default(path, "demo", NULL, 1000), NTLM_E_INVALID_PARAMETER);
	T_EXPECT_ERR(smbpw_create_default(path, "a:b", "Password", 1000), NTLM_E_INVALID_PARAMETER);
	T_ASSERT(access(path, F_OK) != 0);
	T_OK(smbpw_create_default(path, "demo", "Password", 1000));
	T_ASSERT(file_mode(path) == 0600);
	T_OK(smbpw_lookup(path, "DEMO", &e));
	T_BYTES(e.nt, nt, 16);
	T_ASSERT(e.has_nt && !e.has_lm && e.uid == 1000 && e.acb == SMBPW_ACB_NORMAL);
	char *was = read_text(path);
	T_ASSERT(was != NULL);
	int one_line = strchr(was, '\n') && strchr(was, '\n')[1] == '\0';
	/* an existing file is left exactly as it is */
	T_OK(smbpw_create_default(path, "other", "Password", 1001));
	char *now = read_text(path);
	int same = now && strcmp(was, now) == 0;
	free(was);
	free(now);
	T_ASSERT(one_line);
	T_ASSERT(same);
	T_EXPECT_ERR(smbpw_lookup(path, "other", &e), NTLM_E_NOT_FOUND);
}

/* An edit by root keeps the owner of the file it replaces (a service's account file). */
/* ------------------------------------------------- files refused (issue 10) */

static const char one_account[] = "alice:1000:" XS ":" NT_PASSWORD_HEX_UC
								  ":[U          ]:LCT-5F0A1B2C:\n";

static void test_refuses_symlink(void)
{
	char target[256], link_path[256];
	smbpw_entry e;
	uint8_t nt[16] = {7};
	path_in(target, sizeof(target), "real");
	path_in(link_path, sizeof(link_path), "link");
	T_ASSERT(write_text(target, one_account, 0600) == 0);
	unlink(link_path);
	T_ASSERT(symlink(target, link_path) == 0);
	T_EXPECT_ERR(smbpw_lookup(link_path, "alice", &e), NTLM_E_UNSAFE_FILE);
	T_EXPECT_ERR(smbpw_modify(link_path, SMBPW_SET_HASH, "alice", nt, NULL, 0), NTLM_E_UNSAFE_FILE);
	char *got = read_text(target);
	T_ASSERT(got && strcmp(got, one_account) == 0); /* nothing written through the link */
	free(got);
	/* negative: the file itself is fine */
	T_OK(smbpw_lookup(target, "alice", &e));
	unlink(link_path);
}

static void test_refuses_world_writable(void)
{
	char path[256];
	smbpw_entry e;
	uint8_t nt[16] = {7};
	path_in(path, sizeof(path), "open");
	T_ASSERT(write_text(path, one_account, 0666) == 0);
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_UNSAFE_FILE);
	T_EXPECT_ERR(smbpw_modify(path, SMBPW_SET_HASH, "alice", nt, NULL, 0), NTLM_E_UNSAFE_FILE);
	T_ASSERT(file_mode(path) == 0666);
	/* negative: writable by its group only is an administrator's choice, accepted */
	T_ASSERT(chmod(path, 0660) == 0);
	T_OK(smbpw_lookup(path, "alice", &e));
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "test_smbpasswd: opening a FIFO blocked\n";
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static void test_refuses_fifo_without_blocking(void)
{
	char path[256];
	smbpw_entry e;
	path_in(path, sizeof(path), "fifo");
	unlink(path);
	T_ASSERT(mkfifo(path, 0600) == 0);
	signal(SIGALRM, on_alarm);
	alarm(5); /* without O_NONBLOCK, open(2) waits for a writer for ever */
	T_EXPECT_ERR(smbpw_lookup(path, "alice", &e), NTLM_E_UNSAFE_FILE);
	alarm(0);
	unlink(path);
}

/* The group a service reads the file through (Squid's "proxy"), or any other. */
static gid_t service_group(void)
{
	static const char *const names[] = {"proxy", "nogroup", "daemon"};
	for (size_t i = 0; i < NTLM_ARRAY_LEN(names); i++) {
		struct group *g = getgrnam(names[i]);
		if (g && g->gr_gid != getegid())
			return g->gr_gid;
	}
	return (gid_t)-1;
}

static void test_modify_keeps_mode_and_group(void)
{
	char path[256];
	struct stat st;
	uint8_t nt[16] = {7};
	gid_t gid = service_group();
	path_in(path, sizeof(path), "shared");
	T_ASSERT(write_text(path, one_account, 0640) == 0);
	if (gid != (gid_t)-1 && geteuid() == 0)
		T_ASSERT(chown(path, (uid_t)-1, gid) == 0);
	T_ASSERT(stat(path, &st) == 0);
	gid_t before = st.st_gid;
	T_OK(smbpw_modify(path, SMBPW_SET_HASH, "alice", nt, NULL, 0));
	T_OK(smbpw_modify(path, SMBPW_ADD, "bob", nt, NULL, 1001));
	T_ASSERT(stat(path, &st) == 0);
	T_ASSERT((st.st_mode & 07777) == 0640);
	T_ASSERT(st.st_gid == before);
}

static void test_modify_keeps_owner(void)
{
	if (geteuid() != 0)
		return; /* only root can hand a file to someone else */
	char path[128];
	snprintf(path, sizeof(path), "/tmp/ntlmssp-owner-%d.smbpasswd", (int)getpid());
	unlink(path);
	uint8_t nt[16] = {1};
	T_OK(smbpw_modify(path, SMBPW_ADD, "owned", nt, NULL, 0));
	T_ASSERT(chown(path, 65534, 65534) == 0);
	T_OK(smbpw_modify(path, SMBPW_DISABLE, "owned", NULL, NULL, 0));
	struct stat st;
	T_ASSERT(stat(path, &st) == 0);
	T_ASSERT(st.st_uid == 65534 && st.st_gid == 65534);
	T_ASSERT((st.st_mode & 0777) == 0600);
	unlink(path);
	strcat(path, ".lock");
	unlink(path);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_smbpasswd.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_parse_valid);
	T_RUN(test_parse_disabled);
	T_RUN(test_parse_no_lm_hash);
	T_RUN(test_parse_no_password);
	T_RUN(test_parse_flags);
	T_RUN(test_parse_crlf_and_end);
	T_RUN(test_parse_comments_blank);
	T_RUN(test_parse_uid);
	T_RUN(test_parse_malformed);
	T_RUN(test_parse_name_limits);
	T_RUN(test_parse_embedded_nul_and_wipe);
	T_RUN(test_format_samba_layout);
	T_RUN(test_format_errors);
	T_RUN(test_roundtrip);
	T_RUN(test_lookup_case_insensitive);
	T_RUN(test_lookup_indexed);
	T_RUN(test_lookup_malformed);
	T_RUN(test_lookup_io);
	T_RUN(test_modify_add);
	T_RUN(test_modify_preserves_other_lines);
	T_RUN(test_modify_enable_disable);
	T_RUN(test_modify_set_hash);
	T_RUN(test_modify_delete);
	T_RUN(test_modify_missing);
	T_RUN(test_modify_malformed_target);
	T_RUN(test_modify_params);
	T_RUN(test_modify_last_line_without_newline);
	T_RUN(test_modify_leaves_no_temp_files);
	T_RUN(test_concurrent_adds);
	T_RUN(test_lock_is_honoured);
	T_RUN(test_create_default);
	T_RUN(test_refuses_symlink);
	T_RUN(test_refuses_world_writable);
	T_RUN(test_refuses_fifo_without_blocking);
	T_RUN(test_modify_keeps_mode_and_group);
	clean_dir();
	rmdir(tmpdir);
	T_RUN(test_modify_keeps_owner);
	T_END();
}
