/*
 * ntlm_passwd.c - `ntlm hash` (the NT hash of a password) and `ntlm passwd`
 * (edits of the smbpasswd-format account file). A password is read from
 * the terminal without echo, or as one line of standard input; it is on
 * the command line only when the caller asks for that by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntlm_io.h"
#include "ntlm_passwd_file.h"
#include "ntlm_tool.h"
#include "mem.h"
#include "sys.h"
#include "text.h"

#define PW_MAX 512

/* ------------------------------------------------------------ hash */

static const tool_cmd hash_cmd = {
	"hash", "",
	"Prints the NT hash (MD4 of the UTF-16LE password, 32 hex digits) of a\n"
	"password read from the terminal without echo, or from the first line of\n"
	"standard input when it is not a terminal."};

static int no_option(void *arg, int id, char *value)
{
	return 0;
}

int cmd_hash(int argc, char **argv)
{
	char pw[PW_MAX], hex[33];
	uint8_t hash[16];
	int first;
	int st = tool_parse(argc, argv, &hash_cmd, NULL, 0, 0, no_option, NULL, &first);
	if (st != TOOL_EXIT_OK)
		return st < 0 ? TOOL_EXIT_OK : st;
	if (first < argc)
		return tool_error(TOOL_EXIT_USAGE, "hash",
		                  "the password is read from the terminal or standard input, not "
		                  "the command line");
	if (io_read_password("hash", "Password: ", 0, pw, sizeof(pw)) != 0)
		return TOOL_EXIT_FAIL;
	ntlm_err rc = ntlm_nt_hash(pw, hash);
	ntlm_memzero(pw, sizeof(pw));
	if (rc != NTLM_OK)
		return tool_lib_error(TOOL_EXIT_FAIL, "hash", "NT hash", rc);
	ntlm_hex_encode(hash, sizeof(hash), hex);
	printf("%s\n", hex);
	ntlm_memzero(hash, sizeof(hash));
	ntlm_memzero(hex, sizeof(hex));
	return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------ passwd */

enum { O_ACCOUNT_FILE = 256, O_UID, O_STDIN, O_PW_ARG, O_LM };

static const tool_opt passwd_table[] = {
	{"account-file", O_ACCOUNT_FILE, 1, "FILE",
     "the smbpasswd-format file (default $NTLM_ACCOUNT_FILE)"},
	{"uid", O_UID, 1, "N", "add: Unix uid (default: the Unix user's, else 65534)"},
	{"stdin", O_STDIN, 1, NULL, "read the password as one line of standard input"},
	{"password-on-command-line", O_PW_ARG, 1, "PW",
     "take the password from here (other users can see it)"},
	{"with-lm-hash", O_LM, 1, NULL, "also store the (weak) LM hash, for LM clients"},
};

static const tool_cmd passwd_cmd = {
	"passwd", "[OPTIONS] add|set|delete|disable|enable USER",
	"Edits the smbpasswd-format account file the server reads: add an account,\n"
	"set (change) its password, delete, disable or enable it. Each edit is one\n"
	"locked, atomic rewrite of the file (mode 0600). The password of add and\n"
	"set is read from the terminal without echo (asked twice), or as one line\n"
	"of standard input when it is not a terminal or with --stdin."};

typedef struct passwd_opts {
	const char *account_file, *uid;
	char *password; /* --password-on-command-line copy */
	int from_stdin, lm;
} passwd_opts;

static int passwd_option(void *arg, int id, char *value)
{
	passwd_opts *o = arg;
	switch (id) {
	case O_ACCOUNT_FILE:
		o->account_file = value;
		break;
	case O_UID:
		o->uid = value;
		break;
	case O_STDIN:
		o->from_stdin = 1;
		break;
	case O_LM:
		o->lm = 1;
		break;
	default:
		ntlm_free_string(o->password);
		if (!(o->password = tool_take_argv_secret(value)))
			return tool_error(-1, "passwd", "out of memory");
	}
	return 0;
}

static const struct action {
	const char *name;
	smbpw_op op;
	int needs_password;
	const char *done;
} actions[] = {
	{"add", SMBPW_ADD, 1, "added"},         {"set", SMBPW_SET_HASH, 1, "changed the password of"},
	{"delete", SMBPW_DELETE, 0, "deleted"}, {"disable", SMBPW_DISABLE, 0, "disabled"},
	{"enable", SMBPW_ENABLE, 0, "enabled"},
};

static const struct action *find_action(const char *name)
{
	for (size_t i = 0; i < NTLM_ARRAY_LEN(actions); i++)
		if (!strcmp(actions[i].name, name))
			return &actions[i];
	return NULL;
}

/* The new password: from the option, standard input, or the terminal twice. */
static int new_password(const passwd_opts *o, char *pw, size_t cap)
{
	char again[PW_MAX];
	int tty = !o->from_stdin && isatty(STDIN_FILENO);
	if (o->password) {
		if (strlen(o->password) >= cap)
			return tool_error(-1, "passwd", "password longer than %zu bytes", cap - 1);
		strcpy(pw, o->password);
	} else if (io_read_password("passwd", "New password: ", o->from_stdin, pw, cap) != 0) {
		return -1;
	}
	if (tty) {
		if (io_read_password("passwd", "Retype new password: ", 0, again, sizeof(again)) != 0)
			return -1;
		int same = strcmp(pw, again) == 0;
		ntlm_memzero(again, sizeof(again));
		if (!same)
			return tool_error(-1, "passwd", "the passwords do not match");
	}
	if (!*pw)
		return tool_error(-1, "passwd", "empty password refused");
	return 0;
}

static int hashes_of(const passwd_opts *o, uint8_t nt[16], uint8_t lm[16])
{
	char pw[PW_MAX];
	if (new_password(o, pw, sizeof(pw)) != 0)
		return TOOL_EXIT_FAIL;
	ntlm_err rc = ntlm_nt_hash(pw, nt);
	if (rc == NTLM_OK && o->lm) {
		rc = ntlm_lm_hash(pw, lm);
		if (rc == NTLM_E_UNSUPPORTED)
			tool_error(0, "passwd", "an LM hash needs a password of at most 14 bytes");
	}
	ntlm_memzero(pw, sizeof(pw));
	if (rc == NTLM_E_UNSUPPORTED)
		return TOOL_EXIT_FAIL;
	return rc == NTLM_OK ? 0 : tool_lib_error(TOOL_EXIT_FAIL, "passwd", "hash", rc);
}

/* --uid, else the uid of the Unix user of that name, else an unprivileged placeholder. */
static int account_uid(const passwd_opts *o, const char *user, uint32_t *uid)
{
	if (o->uid) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(o->uid, &end, 10);
		if (errno || end == o->uid || *end || *o->uid == '-' || v > 0xFFFFFFFFul)
			return tool_error(TOOL_EXIT_USAGE, "passwd", "--uid: not a number: '%s'", o->uid);
		*uid = (uint32_t)v;
		return 0;
	}
	*uid = smbpw_default_uid(user);
	return 0;
}

static int modify_error(const char *path, const struct action *a, const char *user, ntlm_err rc)
{
	smbpw_entry e;
	if (rc == NTLM_E_NOT_FOUND)
		return tool_error(TOOL_EXIT_FAIL, "passwd", "%s: no account named '%s'", path, user);
	if (rc == NTLM_E_INVALID_PARAMETER && a->op == SMBPW_ADD &&
	    smbpw_lookup(path, user, &e) == NTLM_OK)
		return tool_error(TOOL_EXIT_FAIL, "passwd", "%s: account '%s' already exists", path, user);
	if (rc == NTLM_E_INVALID_PARAMETER)
		return tool_error(TOOL_EXIT_USAGE, "passwd", "'%s' cannot be an account name", user);
	return tool_lib_error(TOOL_EXIT_FAIL, "passwd", path, rc);
}

static int run_passwd(const passwd_opts *o, const struct action *a, const char *user)
{
	const char *path = o->account_file ? o->account_file : ntlm_secure_getenv("NTLM_ACCOUNT_FILE");
	uint8_t nt[16], lm[16];
	uint32_t uid = 0;
	int st;
	if (!path || !*path)
		return tool_error(TOOL_EXIT_USAGE, "passwd",
		                  "no account file: use --account-file or $NTLM_ACCOUNT_FILE");
	if (!a->needs_password && (o->password || o->from_stdin || o->lm))
		return tool_error(TOOL_EXIT_USAGE, "passwd", "'%s' takes no password", a->name);
	if (a->op == SMBPW_ADD && (st = account_uid(o, user, &uid)) != 0)
		return st;
	if (a->needs_password && (st = hashes_of(o, nt, lm)) != 0)
		return st;
	ntlm_err rc = smbpw_modify(path, a->op, user, a->needs_password ? nt : NULL,
	                           a->needs_password && o->lm ? lm : NULL, uid);
	ntlm_memzero(nt, sizeof(nt));
	ntlm_memzero(lm, sizeof(lm));
	if (rc != NTLM_OK)
		return modify_error(path, a, user, rc);
	printf("%s account '%s'\n", a->done, user);
	return TOOL_EXIT_OK;
}

int cmd_passwd(int argc, char **argv)
{
	passwd_opts o;
	int first;
	memset(&o, 0, sizeof(o));
	int st = tool_parse(argc, argv, &passwd_cmd, passwd_table, NTLM_ARRAY_LEN(passwd_table), 1,
	                    passwd_option, &o, &first);
	if (st == TOOL_EXIT_OK && argc - first != 2)
		st = tool_error(TOOL_EXIT_USAGE, "passwd",
		                "expected an action and a user name (see "
		                "ntlm passwd --help)");
	const struct action *a = st == TOOL_EXIT_OK ? find_action(argv[first]) : NULL;
	if (st == TOOL_EXIT_OK && !a)
		st = tool_error(TOOL_EXIT_USAGE, "passwd",
		                "unknown action '%s': add, set, delete, "
		                "disable or enable",
		                argv[first]);
	if (st == TOOL_EXIT_OK && o.password && o.from_stdin)
		st = tool_error(TOOL_EXIT_USAGE, "passwd",
		                "--stdin and --password-on-command-line exclude each other");
	if (st == TOOL_EXIT_OK && a)
		st = run_passwd(&o, a, argv[first + 1]);
	ntlm_free_string(o.password);
	return st < 0 ? TOOL_EXIT_OK : st;
}
