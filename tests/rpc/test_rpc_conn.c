/*
 * test_rpc_conn.c - what the server does with connections: idle and slow
 * peers cannot lock legitimate clients out (handshake timeout, per-peer
 * limit, the accept queue), and ncalrpc socket files are never taken from,
 * or deleted under, another server. Needs no root (clients come from
 * 127.0.0.x source addresses).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "internal.h"
#include "pdu.h"
#include "rpc_testutil.h"
#include "t.h"

#define USER         "carol"
#define PASSWORD     "Carol-Passw0rd!"
#define COMPUTER     "CONNTEST"
#define HANDSHAKE_MS 1000
#define MAX_CONNS    32
#define PER_PEER     4
#define MAX_IDLE     80

static char dir[64], accounts[128];
static rt_server server;
static ntlm_cred *good;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection to the server from source address src that sends nothing. */
static int idle_from(const char *src)
{
	struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
	inet_pton(AF_INET, src, &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(server.port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 once the server has closed fd (EOF or reset), waiting until the deadline at most. */
static int closed_by(int fd, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
			return 0;
		char b;
		ssize_t k = recv(fd, &b, 1, MSG_DONTWAIT);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
}

/* How many of fds[0..n) the server has closed by the deadline. */
static int count_closed(const int *fds, int n, long long deadline)
{
	int closed = 0;
	for (int i = 0; i < n; i++)
		closed += closed_by(fds[i], deadline);
	return closed;
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* A legitimate client: NTLM at privacy, one call; its time in milliseconds, or -1 if it failed. */
static long long legit_call(void)
{
	long long start = now_ms();
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	uint32_t st = rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE,
	                      NULL, good);
	if (st == NTLM_RPC_S_OK)
		st = rt_whoami(cli, 0, &who);
	ntlm_rpc_client_free(cli);
	if (st != NTLM_RPC_S_OK || strcmp(who.client_principal, COMPUTER "\\" USER) != 0)
		return -1;
	return now_ms() - start;
}

/*
 * 80 idle connections from one address: all but its share are closed at
 * once, a legitimate client gets in straight away, and the peer's
 * remaining connections are closed after the handshake timeout.
 */
static void test_one_address(void)
{
	int fds[MAX_IDLE];
	for (int i = 0; i < MAX_IDLE; i++) {
		fds[i] = idle_from("127.0.0.2");
		T_ASSERT(fds[i] >= 0);
	}
	long long opened = now_ms();
	/* well before the timeout: only the peer's share is still open */
	T_ASSERT(count_closed(fds, MAX_IDLE, opened + HANDSHAKE_MS / 2) == MAX_IDLE - PER_PEER);
	long long t = legit_call();
	T_ASSERT(t >= 0 && t < HANDSHAKE_MS);
	/* and those are closed once the handshake timeout has passed */
	T_ASSERT(count_closed(fds, MAX_IDLE, opened + 2 * HANDSHAKE_MS + 500) == MAX_IDLE);
	close_all(fds, MAX_IDLE);
}

/*
 * 64 idle connections from 16 addresses: more than the server's slots.
 * The extra ones wait in the accept queue instead of being reset, and the
 * legitimate client, queued behind them, is served within a few handshake
 * timeouts.
 */
static void test_many_addresses(void)
{
	int fds[16 * PER_PEER], n = 0;
	char src[32];
	for (int a = 0; a < 16; a++)
		for (int i = 0; i < PER_PEER; i++) {
			snprintf(src, sizeof(src), "127.0.0.%d", 10 + a);
			fds[n] = idle_from(src);
			T_ASSERT(fds[n] >= 0);
			n++;
		}
	long long t = legit_call();
	T_ASSERT(t >= 0 && t < 4 * HANDSHAKE_MS + 1000);
	T_ASSERT(count_closed(fds, n, now_ms() + 2 * HANDSHAKE_MS + 500) == n);
	close_all(fds, n);
}

/* A peer that sends a byte now and then still has to finish each PDU in time. */
static void test_trickle_is_cut(void)
{
	nb_writer w;
	ntlm_rpc_syntax s;
	demo_syntax(&s);
	nb_writer_init(&w);
	T_OK(rpc_put_bind(&w, RPC_PT_BIND, 1, 0, 0, &s));
	int fd = idle_from("127.0.0.3");
	T_ASSERT(fd >= 0);
	long long start = now_ms();
	int cut = 0;
	for (size_t i = 0; i < w.len && !cut; i++) {
		if (send(fd, w.data + i, 1, MSG_NOSIGNAL) != 1 || closed_by(fd, now_ms() + 200))
			cut = 1;
	}
	long long took = now_ms() - start;
	nb_writer_free(&w);
	close(fd);
	T_ASSERT(cut && took < 2 * HANDSHAKE_MS);
}

/* Once authenticated a connection may rest longer than the handshake timeout. */
static void test_authenticated_may_idle(void)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	T_OK(rt_bind(&cli, server.tcp, NTLM_RPC_LEVEL_PKT_INTEGRITY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	             good));
	T_OK(rt_whoami(cli, 0, &who));
	usleep((HANDSHAKE_MS + 500) * 1000);
	T_OK(rt_whoami(cli, 0, &who));
	ntlm_rpc_client_free(cli);
}

/* ------------------------------------------------------------ ncalrpc */

static ntlm_rpc_server *new_local(const char *binding, uint32_t *st)
{
	ntlm_rpc_server *s = NULL;
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT};
	ntlm_rpc_interface iface;
	demo_iface(&iface);
	*st = ntlm_rpc_server_new(&s, &cfg);
	if (*st == NTLM_RPC_S_OK)
		*st = ntlm_rpc_server_register(s, &iface);
	if (*st == NTLM_RPC_S_OK)
		*st = ntlm_rpc_server_listen(s, binding, NULL);
	return s;
}

static uint32_t local_whoami(const char *binding)
{
	ntlm_rpc_client *cli = NULL;
	demo_whoami who;
	uint32_t st = rt_bind(&cli, binding, NTLM_RPC_LEVEL_PKT_PRIVACY, NTLM_RPC_IMP_IMPERSONATE, NULL,
	                      NULL);
	if (st == NTLM_RPC_S_OK)
		st = rt_whoami(cli, 0, &who);
	ntlm_rpc_client_free(cli);
	return st;
}

/* A second server on a live socket path fails and leaves the first one reachable. */
static void test_live_path_in_use(void)
{
	uint32_t st;
	ntlm_rpc_server *second = new_local(server.local, &st);
	T_EXPECT_ERR(st, NTLM_RPC_S_DUPLICATE_ENDPOINT);
	ntlm_rpc_server_free(second);
	T_OK(local_whoami(server.local));
}

/* A socket file nobody listens on (a server that died) is replaced. */
static void test_stale_socket_replaced(void)
{
	char path[100], binding[160];
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	snprintf(binding, sizeof(binding), "ncalrpc:[%s]", path);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	T_ASSERT(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd); /* the file stays, with no listener */
	uint32_t st;
	ntlm_rpc_server *s = new_local(binding, &st);
	T_OK(st);
	ntlm_rpc_server_free(s);
	T_ASSERT(access(path, F_OK) != 0); /* removed at shutdown: it was this server's */
}

/* Anything but a socket at the path stays, and listening there fails. */
static void test_other_file_stays(void)
{
	char path[100], binding[160];
	snprintf(path, sizeof(path), "%s/plain", dir);
	snprintf(binding, sizeof(binding), "ncalrpc:[%s]", path);
	FILE *f = fopen(path, "w");
	T_ASSERT(f != NULL);
	fputs("keep\n", f);
	fclose(f);
	uint32_t st;
	ntlm_rpc_server *s = new_local(binding, &st);
	T_EXPECT_ERR(st, NTLM_RPC_S_DUPLICATE_ENDPOINT);
	ntlm_rpc_server_free(s);
	T_ASSERT(access(path, F_OK) == 0);
	unlink(path);
}

/* A server whose socket file was replaced by another's does not delete it at shutdown. */
static void test_shutdown_leaves_new_owner(void)
{
	char path[100], binding[160];
	snprintf(path, sizeof(path), "%s/moved.sock", dir);
	snprintf(binding, sizeof(binding), "ncalrpc:[%s]", path);
	uint32_t st;
	ntlm_rpc_server *first = new_local(binding, &st);
	T_OK(st);
	unlink(path); /* say an administrator removed it */
	ntlm_rpc_server *second = new_local(binding, &st);
	T_OK(st);
	ntlm_rpc_server_free(first);
	T_ASSERT(access(path, F_OK) == 0);
	ntlm_rpc_server_free(second);
	T_ASSERT(access(path, F_OK) != 0);
}

int main(void)
{
	if (rt_tempdir(dir, sizeof(dir)) != 0)
		return 1;
	snprintf(accounts, sizeof(accounts), "%s/accounts", dir);
	ntlm_rpc_server_config cfg = {NTLM_RPC_SERVER_CONFIG_INIT};
	cfg.max_connections = MAX_CONNS;
	cfg.max_connections_per_peer = PER_PEER;
	cfg.handshake_timeout_ms = HANDSHAKE_MS;
	if (rt_add_account(accounts, USER, PASSWORD, SMBPW_UID_NOBODY) != NTLM_OK ||
	    ntlm_cred_password(&good, "ELSEWHERE", USER, PASSWORD) != NTLM_OK ||
	    rt_server_start_cfg(&server, dir, "conn", accounts, COMPUTER, NULL, &cfg) != 0) {
		fprintf(stderr, "set-up failed: %s\n", strerror(errno));
		return 1;
	}
	T_RUN(test_one_address);
	T_RUN(test_many_addresses);
	T_RUN(test_trickle_is_cut);
	T_RUN(test_authenticated_may_idle);
	T_RUN(test_live_path_in_use);
	T_RUN(test_stale_socket_replaced);
	T_RUN(test_other_file_stays);
	T_RUN(test_shutdown_leaves_new_owner);
	rt_server_stop(&server);
	ntlm_cred_free(good);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", accounts);
	unlink(accounts);
	unlink(lock);
	rmdir(dir);
	T_END();
}
