/*
 * imp.c - impersonation with per-thread credentials.
 *
 * On Linux credentials belong to each thread; glibc's setresuid() and
 * friends broadcast the change to every thread of the process (POSIX
 * semantics), which would hand the whole server to one client. The raw
 * system calls change the calling thread only, so they are used here.
 *
 * While impersonating, the saved set-user-ID keeps the server's own uid,
 * which is what allows the way back. The real uid tells a later outgoing
 * call what was granted: it changes too only at delegate level.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* 32-bit x86 and ARM name the 32-bit-id versions *32. */
#if defined(SYS_setresuid32)
#define RPC_SYS_SETRESUID SYS_setresuid32
#define RPC_SYS_SETRESGID SYS_setresgid32
#define RPC_SYS_GETRESUID SYS_getresuid32
#define RPC_SYS_GETRESGID SYS_getresgid32
#define RPC_SYS_SETGROUPS SYS_setgroups32
#define RPC_SYS_GETGROUPS SYS_getgroups32
#else
#define RPC_SYS_SETRESUID SYS_setresuid
#define RPC_SYS_SETRESGID SYS_setresgid
#define RPC_SYS_GETRESUID SYS_getresuid
#define RPC_SYS_GETRESGID SYS_getresgid
#define RPC_SYS_SETGROUPS SYS_setgroups
#define RPC_SYS_GETGROUPS SYS_getgroups
#endif

#define KEEP       ((long)-1) /* setres*id: leave this one as it is */
#define MAX_GROUPS 65536

static int thread_setresuid(long r, long e, long s)
{
	return (int)syscall(RPC_SYS_SETRESUID, r, e, s);
}

static int thread_setresgid(long r, long e, long s)
{
	return (int)syscall(RPC_SYS_SETRESGID, r, e, s);
}

static int thread_setgroups(int n, const gid_t *groups)
{
	return (int)syscall(RPC_SYS_SETGROUPS, (long)n, groups);
}

static int save_creds(rpc_creds *c)
{
	memset(c, 0, sizeof(*c));
	if (syscall(RPC_SYS_GETRESUID, &c->ruid, &c->euid, &c->suid) != 0 ||
	    syscall(RPC_SYS_GETRESGID, &c->rgid, &c->egid, &c->sgid) != 0)
		return -1;
	long n = syscall(RPC_SYS_GETGROUPS, 0L, NULL);
	if (n < 0)
		return -1;
	c->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!c->groups)
		return -1;
	c->ngroups = (int)syscall(RPC_SYS_GETGROUPS, n, c->groups);
	return c->ngroups < 0 ? -1 : 0;
}

/* name's supplementary groups (with gid); just gid when the account has no name. */
static gid_t *target_groups(const char *name, gid_t gid, int *n)
{
	int cap = 32;
	for (;;) {
		gid_t *g = calloc((size_t)cap, sizeof(gid_t));
		if (!g)
			return NULL;
		*n = cap;
		if (!name || !*name) {
			g[0] = gid;
			*n = 1;
			return g;
		}
		if (getgrouplist(name, gid, g, n) >= 0)
			return g;
		free(g);
		if (*n <= cap)
			cap *= 2;
		else
			cap = *n;
		if (cap > MAX_GROUPS)
			return NULL;
	}
}

uint32_t rpc_imp_enter(uid_t uid, gid_t gid, const char *name, int delegate, rpc_creds *saved,
                       char *msg)
{
	int n = 0;
	gid_t *groups = NULL;
	if (save_creds(saved) != 0 || !(groups = target_groups(name, gid, &n))) {
		free(saved->groups);
		saved->groups = NULL;
		rpc_msg(msg, "cannot read the thread's or the account's credentials");
		return NTLM_RPC_S_OUT_OF_MEMORY;
	}
	/* Groups first: once the uid is the client's, changing them is no longer allowed. */
	int ok = thread_setgroups(n, groups) == 0 &&
	         thread_setresgid(delegate ? (long)gid : KEEP, (long)gid, KEEP) == 0 &&
	         thread_setresuid(delegate ? (long)uid : KEEP, (long)uid, KEEP) == 0;
	int err = errno;
	free(groups);
	if (ok)
		return NTLM_RPC_S_OK;
	thread_setgroups(saved->ngroups, saved->groups);
	thread_setresgid((long)saved->rgid, (long)saved->egid, (long)saved->sgid);
	free(saved->groups);
	saved->groups = NULL;
	rpc_msg(msg,
	        "cannot take uid %u / gid %u on this thread: %s (the server needs root or "
	        "CAP_SETUID and CAP_SETGID)",
	        (unsigned)uid, (unsigned)gid, strerror(err));
	return NTLM_RPC_S_ACCESS_DENIED;
}

uint32_t rpc_imp_leave(rpc_creds *saved, char *msg)
{
	/* The uid first: the saved set-user-ID gives back the right to restore the rest. */
	int ok = thread_setresuid((long)saved->ruid, (long)saved->euid, (long)saved->suid) == 0 &&
	         thread_setgroups(saved->ngroups, saved->groups) == 0 &&
	         thread_setresgid((long)saved->rgid, (long)saved->egid, (long)saved->sgid) == 0;
	int err = errno;
	if (ok) {
		rpc_creds_forget(saved);
		return NTLM_RPC_S_OK;
	}
	/* saved stays whole: the caller may try again, or must end the thread. */
	rpc_msg(msg, "cannot return to the server's own identity: %s", strerror(err));
	return NTLM_RPC_S_ACCESS_DENIED;
}

void rpc_creds_forget(rpc_creds *saved)
{
	free(saved->groups);
	saved->groups = NULL;
	saved->ngroups = 0;
}

rpc_thread_id rpc_thread_identity(uid_t *euid)
{
	uid_t r = 0, e = 0, s = 0;
	syscall(RPC_SYS_GETRESUID, &r, &e, &s);
	if (euid)
		*euid = e;
	if (e == s)
		return RPC_ID_SELF;
	return r == e ? RPC_ID_DELEGATING : RPC_ID_IMPERSONATING;
}
