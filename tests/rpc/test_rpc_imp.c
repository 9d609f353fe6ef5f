/*
 * test_rpc_imp.c - impersonation, checked by file access, as root.
 *
 * Needs root and a local account (RPC_IMP_USER, default "ntlmrpcimp";
 * tests/suites/50-rpc.sh creates it with useradd). Clients that must be
 * that account run in a forked child that has become it for good.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "internal.h"
#include "rpc_testutil.h"
#include "t.h"

#define PASSWORD     "Imp-Passw0rd!"
#define COMPUTER     "IMPTEST"
#define PROBE_UUID   "5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f62"
#define ROOT_ACCOUNT "rootmapped" /* an NTLM account whose uid is 0 */

static char dir[64], accounts[128], user_file[128], root_file[128], principal[256];
static const char *user;
static uid_t uid;
static gid_t gid;
static rt_server a, b, c;
static ntlm_cred *cred, *root_cred;

/* ----------------------------------------------- a client as the user */

typedef struct child_result {
	uint32_t st, v[4];
	char s1[320], s2[320];
} child_result;

typedef struct child_job {
	const char *binding, *principal, *arg;
	uint32_t imp;
	int op; /* DEMO_OP_WHOAMI (impersonating), DEMO_OP_READFILE or DEMO_OP_RELAY */
} child_job;

static uint32_t call_string_op(ntlm_rpc_client *cli, int op, const char *s, ntlm_buffer *out)
{
	nb_writer w;
	nb_writer_init(&w);
	demo_put_string(&w, s, strlen(s));
	uint32_t st = ntlm_rpc_client_call(cli, (uint16_t)op, w.data, w.len, out);
	nb_writer_free(&w);
	return st;
}

/* Reads a "string" into out (cap bytes, always terminated); 0 if there is none. */
static int read_string(nb_reader *rd, const uint8_t **p, uint32_t *len)
{
	if (nb_read_u32le(rd, len) != NTLM_OK || nb_read_view(rd, *len, p) != NTLM_OK)
		return 0;
	return nb_skip(rd, (4 - *len % 4) % 4) == NTLM_OK;
}

/* ReadFile: status, errno, euid, content (into s1). */
static void parse_readfile(const ntlm_buffer *out, child_result *r)
{
	nb_reader rd;
	uint32_t len;
	const uint8_t *p;
	nb_reader_init(&rd, out->data, out->len);
	for (int i = 0; i < 3; i++)
		if (nb_read_u32le(&rd, &r->v[i]) != NTLM_OK)
			return; /* a short answer leaves the rest zero: the checks see it */
	if (read_string(&rd, &p, &len))
		snprintf(r->s1, sizeof(r->s1), "%.*s", (int)len, (const char *)p);
}

/* Relay: impersonation status, onward status, message (s1), onward WhoAmI (s2, v[2], v[3]). */
static void parse_relay(const ntlm_buffer *out, child_result *r)
{
	nb_reader rd;
	uint32_t len;
	const uint8_t *p;
	demo_whoami who;
	nb_reader_init(&rd, out->data, out->len);
	if (nb_read_u32le(&rd, &r->v[0]) != NTLM_OK || nb_read_u32le(&rd, &r->v[1]) != NTLM_OK)
		return; /* a short answer leaves the rest zero: the checks see it */
	if (read_string(&rd, &p, &len))
		snprintf(r->s1, sizeof(r->s1), "%.*s", (int)len, (const char *)p);
	if (read_string(&rd, &p, &len) && demo_parse_whoami(p, len, &who) == NTLM_OK) {
		snprintf(r->s2, sizeof(r->s2), "%s", who.client_principal);
		r->v[2] = who.euid;
		r->v[3] = who.local;
	}
}

static void parse_answer(int op, const ntlm_buffer *out, child_result *r)
{
	if (op == DEMO_OP_READFILE)
		parse_readfile(out, r);
	else
		parse_relay(out, r);
}

static void child_run(const child_job *job, child_result *r)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer out = {NULL, 0};
	demo_whoami who;
	memset(&who, 0, sizeof(who)); /* a failed call leaves it unwritten */
	r->st = rt_bind(&cli, job->binding, NTLM_RPC_LEVEL_PKT_PRIVACY, job->imp, job->principal, NULL);
	snprintf(r->s1, sizeof(r->s1), "%s", cli ? ntlm_rpc_client_message(cli) : "");
	if (r->st == NTLM_RPC_S_OK && job->op == DEMO_OP_WHOAMI) {
		r->st = rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who);
		r->v[0] = who.status;
		r->v[1] = who.euid;
		r->v[2] = who.imp_level;
		r->v[3] = who.local;
		snprintf(r->s1, sizeof(r->s1), "%s", who.client_principal);
	} else if (r->st == NTLM_RPC_S_OK) {
		r->st = call_string_op(cli, job->op, job->arg, &out);
		parse_answer(job->op, &out, r);
	}
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
}

/* Forks a child that becomes the user (all of its ids), runs job, and reports back. */
static int run_as_user(const child_job *job, child_result *r)
{
	int fds[2];
	memset(r, 0, sizeof(*r));
	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		child_result res;
		memset(&res, 0, sizeof(res));
		close(fds[0]);
		if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
		    setresuid(uid, uid, uid) != 0)
			_exit(3);
		child_run(job, &res);
		ssize_t n = write(fds[1], &res, sizeof(res));
		_exit(n == (ssize_t)sizeof(res) ? 0 : 4);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], r, sizeof(*r));
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	return n == (ssize_t)sizeof(*r) && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* ------------------------------------------------ clients with NTLM */

static uint32_t tcp_string_op(int op, const char *s, child_result *r, uint32_t imp)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer out = {NULL, 0};
	memset(r, 0, sizeof(*r));
	uint32_t st = rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, imp, NULL, cred);
	if (st == NTLM_RPC_S_OK)
		st = call_string_op(cli, op, s, &out);
	if (st == NTLM_RPC_S_OK)
		parse_answer(op, &out, r);
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
	return st;
}

/*
 * A client with no trust to this server, whose user name and password match
 * a local account, is that local account: NTLM principal COMPUTER\user and
 * the mapped Unix user, whose file the impersonating thread can read.
 */
static void test_tcp_client_reads_its_file(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	child_result r;
	T_OK(rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL, cred));
	T_OK(rt_whoami(cli, 0, &who));
	T_STR(who.client_principal, principal);
	T_STR(who.unix_user, user);
	ntlm_rpc_client_free(cli);
	T_OK(tcp_string_op(DEMO_OP_READFILE, user_file, &r, NTLM_RPC_IMP_IMPERSONATE));
	T_ASSERT(r.v[0] == 0 && r.v[1] == 0 && r.v[2] == uid);
	T_ASSERT(strncmp(r.s1, "only for ", 9) == 0);
	T_OK(tcp_string_op(DEMO_OP_READFILE, root_file, &r, NTLM_RPC_IMP_IMPERSONATE));
	T_ASSERT(r.v[0] == 0 && r.v[1] == EACCES); /* root's own file is closed to the client */
	T_OK(tcp_string_op(DEMO_OP_READFILE, user_file, &r, NTLM_RPC_IMP_IDENTIFY));
	T_ASSERT(r.v[0] == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL);
}

static void test_revert_restores(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	gid_t before[64], after[64];
	T_OK(rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL, cred));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.status == 0 && who.euid == uid && who.egid == gid);
	T_OK(rt_whoami(cli, 0, &who)); /* the same connection thread, next call */
	T_ASSERT(who.euid == 0 && who.egid == 0);
	int nb = getgroups(64, before), na;
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	na = getgroups(64, after);
	T_ASSERT(nb == na && memcmp(before, after, (size_t)nb * sizeof(gid_t)) == 0);
	ntlm_rpc_client_free(cli);
}

/* ------------------------- other threads keep their identity meanwhile */

static pthread_barrier_t probe_in, probe_out;

/* Impersonates, holds there until the test has looked around, reverts. */
static uint32_t op_probe(ntlm_rpc_call *call, const uint8_t *in, size_t len, ntlm_buffer *out,
                         void *arg)
{
	uint32_t st = ntlm_rpc_impersonate_client(call);
	uint32_t during = (uint32_t)geteuid(), during_gid = (uint32_t)getegid();
	pthread_barrier_wait(&probe_in);
	pthread_barrier_wait(&probe_out);
	uint32_t rst = ntlm_rpc_revert_to_self(call), after = (uint32_t)geteuid();
	nb_writer w;
	nb_writer_init(&w);
	nb_write_u32le(&w, st);
	nb_write_u32le(&w, during);
	nb_write_u32le(&w, during_gid);
	nb_write_u32le(&w, rst);
	nb_write_u32le(&w, after);
	ntlm_err rc = nb_writer_finish(&w, out);
	nb_writer_free(&w);
	return rc == NTLM_OK ? 0 : NTLM_RPC_FAULT_REMOTE_NO_MEMORY;
}

/* What op_lose_way_back saw: the two reverts' statuses and the euid after them. */
static uint32_t lost_revert[2];
static uid_t lost_euid;

/* Impersonates, then drops the saved set-user-ID (this thread only): no way back. */
static uint32_t op_lose_way_back(ntlm_rpc_call *call, const uint8_t *in, size_t len,
                                 ntlm_buffer *out, void *arg)
{
	if (ntlm_rpc_impersonate_client(call) != NTLM_RPC_S_OK)
		return NTLM_RPC_FAULT_ACCESS_DENIED;
	long me = (long)geteuid();
	syscall(SYS_setresuid, me, me, me);
	lost_revert[0] = ntlm_rpc_revert_to_self(call);
	lost_revert[1] = ntlm_rpc_revert_to_self(call); /* still impersonating: fails again */
	lost_euid = geteuid();
	return 0;
}

static const ntlm_rpc_op probe_ops[] = {op_probe, op_lose_way_back};

struct probe_call {
	uint32_t st;
	ntlm_buffer out;
};

static void *probe_client(void *arg)
{
	struct probe_call *pc = arg;
	ntlm_rpc_client *cli = NULL;
	ntlm_rpc_syntax s;
	demo_syntax(&s);
	T_SETUP(ntlm_rpc_uuid_parse(PROBE_UUID, s.uuid));
	pc->st = ntlm_rpc_client_new(&cli, a.tcp);
	if (pc->st == NTLM_RPC_S_OK)
		pc->st = ntlm_rpc_client_set_credentials(cli, cred);
	if (pc->st == NTLM_RPC_S_OK)
		pc->st = ntlm_rpc_client_bind(cli, &s);
	if (pc->st == NTLM_RPC_S_OK)
		pc->st = ntlm_rpc_client_call(cli, 0, NULL, 0, &pc->out);
	else
		pthread_barrier_wait(&probe_in), pthread_barrier_wait(&probe_out);
	ntlm_rpc_client_free(cli);
	return NULL;
}

static void *fresh_thread(void *arg)
{
	*(uid_t *)arg = geteuid();
	return NULL;
}

static void test_other_threads_unchanged(void)
{
	pthread_t t, f;
	struct probe_call pc = {0, {NULL, 0}};
	uid_t fresh = 12345;
	demo_whoami who;
	ntlm_rpc_client *cli = NULL;
	T_ASSERT(pthread_create(&t, NULL, probe_client, &pc) == 0);
	pthread_barrier_wait(&probe_in);
	/* a server thread is the client now: nobody else is */
	uid_t main_euid = geteuid();
	gid_t main_egid = getegid();
	pthread_create(&f, NULL, fresh_thread, &fresh);
	pthread_join(f, NULL);
	uint32_t st = rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	                      cred);
	if (st == NTLM_RPC_S_OK)
		st = rt_whoami(cli, 0, &who); /* another connection's thread of the same server */
	ntlm_rpc_client_free(cli);
	pthread_barrier_wait(&probe_out);
	pthread_join(t, NULL);
	T_ASSERT(main_euid == 0 && main_egid == 0 && fresh == 0);
	T_OK(st);
	T_ASSERT(who.euid == 0);
	T_OK(pc.st);
	T_ASSERT(pc.out.len == 20);
	T_ASSERT(nb_load_u32le(pc.out.data) == 0);       /* impersonated */
	T_ASSERT(nb_load_u32le(pc.out.data + 4) == uid); /* as the client */
	T_ASSERT(nb_load_u32le(pc.out.data + 8) == gid);
	T_ASSERT(nb_load_u32le(pc.out.data + 12) == 0); /* reverted */
	T_ASSERT(nb_load_u32le(pc.out.data + 16) == 0); /* to root */
	ntlm_buffer_free(&pc.out);
}

/* --------------------------------------------- impersonation failures */

static uint32_t bind_probe(ntlm_rpc_client **cli)
{
	ntlm_rpc_syntax s;
	demo_syntax(&s);
	T_SETUP(ntlm_rpc_uuid_parse(PROBE_UUID, s.uuid));
	uint32_t st = ntlm_rpc_client_new(cli, a.tcp);
	if (st == NTLM_RPC_S_OK)
		st = ntlm_rpc_client_set_credentials(*cli, cred);
	return st == NTLM_RPC_S_OK ? ntlm_rpc_client_bind(*cli, &s) : st;
}

/* A thread that cannot return to the server's identity answers nobody and ends. */
static void test_lost_way_back_ends_thread(void)
{
	ntlm_rpc_client *cli = NULL;
	ntlm_buffer out = {NULL, 0};
	demo_whoami who;
	T_OK(bind_probe(&cli));
	uint32_t st = ntlm_rpc_client_call(cli, 1, NULL, 0, &out);
	ntlm_buffer_free(&out);
	uint32_t again = ntlm_rpc_client_call(cli, 1, NULL, 0, &out);
	ntlm_buffer_free(&out);
	ntlm_rpc_client_free(cli);
	T_ASSERT(lost_revert[0] == NTLM_RPC_S_ACCESS_DENIED &&
	         lost_revert[1] == NTLM_RPC_S_ACCESS_DENIED);
	T_ASSERT(lost_euid == uid);
	T_ASSERT(st != NTLM_RPC_S_OK && again != NTLM_RPC_S_OK); /* no answer from that thread */
	/* the server itself is fine: a new connection gets a thread of its own identity */
	T_OK(rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL, cred));
	T_OK(rt_whoami(cli, 0, &who));
	T_ASSERT(who.euid == 0);
	ntlm_rpc_client_free(cli);
}

/* Whoever maps to uid 0 (NTLM account or local caller) is not impersonated by default. */
static void test_root_not_impersonated(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	child_result r;
	T_OK(rt_bind(&cli, a.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             root_cred));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_STR(who.unix_user, "root");
	T_ASSERT(who.status == NTLM_RPC_S_ACCESS_DENIED);
	nb_writer w;
	ntlm_buffer out = {NULL, 0};
	nb_writer_init(&w);
	demo_put_string(&w, root_file, strlen(root_file));
	T_OK(ntlm_rpc_client_call(cli, DEMO_OP_READFILE, w.data, w.len, &out));
	nb_writer_free(&w);
	memset(&r, 0, sizeof(r));
	parse_readfile(&out, &r);
	ntlm_buffer_free(&out);
	T_ASSERT(r.v[0] == NTLM_RPC_S_ACCESS_DENIED && r.v[1] == EACCES && r.s1[0] == '\0');
	ntlm_rpc_client_free(cli);
	/* this process is root: its local call is refused too */
	T_OK(rt_bind(&cli, a.local, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL, NULL));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.status == NTLM_RPC_S_ACCESS_DENIED);
	ntlm_rpc_client_free(cli);
	/* a server configured to allow it does impersonate root */
	T_OK(rt_bind(&cli, c.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             root_cred));
	T_OK(rt_whoami(cli, DEMO_WHOAMI_IMPERSONATE, &who));
	T_ASSERT(who.status == NTLM_RPC_S_OK && who.euid == 0);
	ntlm_rpc_client_free(cli);
}

/* ---------------------------------------------- local clients (ncalrpc) */

static void test_local_client_impersonated(void)
{
	child_result r;
	child_job who = {a.local, NULL, NULL, NTLM_RPC_IMP_IMPERSONATE, DEMO_OP_WHOAMI};
	T_ASSERT(run_as_user(&who, &r) == 0);
	T_OK(r.st);
	char want[256];
	rpc_local_principal(uid, want, sizeof(want));
	T_STR(r.s1, want);
	T_ASSERT(r.v[0] == 0 && r.v[1] == uid && r.v[2] == NTLM_RPC_IMP_IMPERSONATE && r.v[3] == 1);
	child_job rd = {a.local, NULL, user_file, NTLM_RPC_IMP_IMPERSONATE, DEMO_OP_READFILE};
	T_ASSERT(run_as_user(&rd, &r) == 0);
	T_OK(r.st);
	T_ASSERT(r.v[0] == 0 && r.v[1] == 0 && r.v[2] == uid && strncmp(r.s1, "only for ", 9) == 0);
	child_job id = {a.local, NULL, user_file, NTLM_RPC_IMP_IDENTIFY, DEMO_OP_READFILE};
	T_ASSERT(run_as_user(&id, &r) == 0);
	T_OK(r.st);
	T_ASSERT(r.v[0] == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL && r.v[1] == EACCES);
}

static void test_local_server_principal(void)
{
	child_result r;
	char wrong[160];
	snprintf(wrong, sizeof(wrong), ".\\%s", user); /* the server runs as root, not as the user */
	child_job bad = {a.local, wrong, NULL, NTLM_RPC_IMP_IMPERSONATE, DEMO_OP_WHOAMI};
	T_ASSERT(run_as_user(&bad, &r) == 0);
	T_ASSERT(r.st == NTLM_RPC_S_WRONG_PRINCIPAL);
	T_ASSERT(strstr(r.s1, "runs as") != NULL);
	child_job good = {a.local, ".\\root", NULL, NTLM_RPC_IMP_IMPERSONATE, DEMO_OP_WHOAMI};
	T_ASSERT(run_as_user(&good, &r) == 0);
	T_OK(r.st);
}

/* ----------------------------------------------------------- delegation */

static void test_delegation_local_yes(void)
{
	child_result r;
	char want[256];
	child_job job = {a.local, NULL, b.local, NTLM_RPC_IMP_DELEGATE, DEMO_OP_RELAY};
	T_ASSERT(run_as_user(&job, &r) == 0);
	T_OK(r.st);
	T_ASSERT(r.v[0] == 0 && r.v[1] == 0);
	/* server B saw the user, through server A's impersonating thread; B itself is root */
	rpc_local_principal(uid, want, sizeof(want));
	T_STR(r.s2, want);
	T_ASSERT(r.v[2] == 0 && r.v[3] == 1);
}

static void test_delegation_remote_no(void)
{
	child_result r;
	child_job job = {a.local, NULL, b.tcp, NTLM_RPC_IMP_DELEGATE, DEMO_OP_RELAY};
	T_ASSERT(run_as_user(&job, &r) == 0);
	T_OK(r.st);
	T_ASSERT(r.v[0] == 0 && r.v[1] == NTLM_RPC_S_NO_CREDENTIALS);
	T_ASSERT(strstr(r.s1, "cannot authenticate to another machine") != NULL);
}

static void test_impersonate_level_is_not_delegable(void)
{
	child_result r;
	child_job job = {a.local, NULL, b.local, NTLM_RPC_IMP_IMPERSONATE, DEMO_OP_RELAY};
	T_ASSERT(run_as_user(&job, &r) == 0);
	T_OK(r.st);
	T_ASSERT(r.v[0] == 0 && r.v[1] == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL);
	/* an NTLM client over the network can grant impersonate at most */
	T_OK(tcp_string_op(DEMO_OP_RELAY, b.local, &r, NTLM_RPC_IMP_DELEGATE));
	T_ASSERT(r.v[0] == 0 && r.v[1] == NTLM_RPC_S_BAD_IMPERSONATION_LEVEL);
	T_OK(tcp_string_op(DEMO_OP_RELAY, b.tcp, &r, NTLM_RPC_IMP_DELEGATE));
	T_ASSERT(r.v[0] == 0 && r.v[1] == NTLM_RPC_S_NO_CREDENTIALS);
}

/* ---------------------------------------------------------------- set-up */

static int write_file(const char *path, const char *text, uid_t owner, gid_t group, mode_t mode)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chown(path, owner, group) == 0 && chmod(path, mode) == 0 ? 0 : -1;
}

static int set_up(void)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "no local account %s: create it (useradd %s), as 50-rpc.sh does\n", user,
		        user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	char text[160];
	snprintf(text, sizeof(text), "only for %s\n", user);
	snprintf(accounts, sizeof(accounts), "%s/accounts", dir);
	snprintf(user_file, sizeof(user_file), "%s/user-file", dir);
	snprintf(root_file, sizeof(root_file), "%s/root-file", dir);
	snprintf(principal, sizeof(principal), "%s\\%s", COMPUTER, user);
	ntlm_rpc_interface probe = {NTLM_RPC_INTERFACE_INIT, .id = {{0}, 1, 0}, .ops = probe_ops,
	                            .n_ops = 2};
	ntlm_rpc_server_config allow_root = {NTLM_RPC_SERVER_CONFIG_INIT};
	allow_root.allow_root_impersonation = 1;
	T_SETUP(ntlm_rpc_uuid_parse(PROBE_UUID, probe.id.uuid));
	pthread_barrier_init(&probe_in, NULL, 2);
	pthread_barrier_init(&probe_out, NULL, 2);
	if (write_file(user_file, text, uid, gid, 0400) != 0 ||
	    write_file(root_file, "only for root\n", 0, 0, 0600) != 0 ||
	    rt_add_account(accounts, user, PASSWORD, (uint32_t)uid) != NTLM_OK ||
	    rt_add_account(accounts, ROOT_ACCOUNT, PASSWORD, 0) != NTLM_OK ||
	    ntlm_cred_password(&cred, "UNTRUSTED", user, PASSWORD) != NTLM_OK ||
	    ntlm_cred_password(&root_cred, "UNTRUSTED", ROOT_ACCOUNT, PASSWORD) != NTLM_OK ||
	    rt_server_start(&a, dir, "a", accounts, COMPUTER, &probe) != 0 ||
	    rt_server_start(&b, dir, "b", accounts, COMPUTER, NULL) != 0 ||
	    rt_server_start_cfg(&c, dir, "c", accounts, COMPUTER, NULL, &allow_root) != 0)
		return -1;
	return 0;
}

static void clean_up(void)
{
	rt_server_stop(&a);
	rt_server_stop(&b);
	rt_server_stop(&c);
	ntlm_cred_free(cred);
	ntlm_cred_free(root_cred);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", accounts);
	unlink(accounts);
	unlink(lock);
	unlink(user_file);
	unlink(root_file);
	rmdir(dir);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("skipped: impersonation tests need root\n0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	const char *env_user = getenv("RPC_IMP_USER");
	user = env_user ? env_user : "ntlmrpcimp";
	if (rt_tempdir(dir, sizeof(dir)) != 0 || set_up() != 0) {
		fprintf(stderr, "set-up failed: %s\n", strerror(errno));
		printf("0 passed, 1 failed\n");
		return 1;
	}
	T_RUN(test_tcp_client_reads_its_file);
	T_RUN(test_revert_restores);
	T_RUN(test_other_threads_unchanged);
	T_RUN(test_lost_way_back_ends_thread);
	T_RUN(test_root_not_impersonated);
	T_RUN(test_local_client_impersonated);
	T_RUN(test_local_server_principal);
	T_RUN(test_delegation_local_yes);
	T_RUN(test_delegation_remote_no);
	T_RUN(test_impersonate_level_is_not_delegable);
	clean_up();
	T_END();
}
