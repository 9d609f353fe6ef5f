/*
 * test_e2e_socket.c - client and server contexts in separate processes over a
 * TCP socket on 127.0.0.1: the handshake, then sealed and signed traffic in
 * both directions, then a tampered message and a wrong password.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netframe.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"
#include "t.h"

static char store_path[128];

/* Runs the server side of one connection; exit status = ntlm_err of the outcome. */
static int serve_one(int lfd)
{
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	if (ntlm_account_store_smbpasswd(&store, store_path))
		return 100;
	cfg.store = store;
	cfg.computer_name = "E2ESRV";
	if (ntlm_server_new(&ctx, &cfg))
		return 101;
	int fd = accept(lfd, NULL, NULL);
	ntlm_err rc = NTLM_CONTINUE;
	while (rc == NTLM_CONTINUE) {
		uint8_t *in;
		size_t n;
		ntlm_buffer out = {0};
		if (netframe_recv(fd, &in, &n))
			return 102;
		rc = ntlm_step(ctx, in, n, &out);
		free(in);
		if (out.len)
			netframe_send(fd, out.data, out.len);
		ntlm_buffer_free(&out);
	}
	uint8_t verdict = (uint8_t)rc;
	netframe_send(fd, &verdict, 1);
	if (rc != NTLM_OK)
		return rc;
	/* echo service: unwrap each message, answer with it reversed, wrapped */
	for (;;) {
		uint8_t *in;
		size_t n;
		if (netframe_recv(fd, &in, &n))
			break;
		ntlm_buffer plain = {0}, reply = {0};
		ntlm_err r = ntlm_unwrap(ctx, NTLM_PROTECT_SEAL, 0, in, n, &plain);
		free(in);
		if (r != NTLM_OK) {
			uint8_t code = (uint8_t)r;
			netframe_send(fd, &code, 1);
			continue;
		}
		for (size_t i = 0; i < plain.len / 2; i++) {
			uint8_t t = plain.data[i];
			plain.data[i] = plain.data[plain.len - 1 - i];
			plain.data[plain.len - 1 - i] = t;
		}
		r = ntlm_wrap(ctx, NTLM_PROTECT_SEAL, 0, plain.data, plain.len, &reply);
		ntlm_buffer_free(&plain);
		if (r != NTLM_OK) {
			uint8_t code = (uint8_t)r; /* a one-byte answer: the client sees the failure */
			netframe_send(fd, &code, 1);
			continue;
		}
		netframe_send(fd, reply.data, reply.len);
		ntlm_buffer_free(&reply);
	}
	close(fd);
	ntlm_ctx_free(ctx);
	ntlm_account_store_free(store);
	return 0;
}

struct conn {
	pid_t pid;
	int fd;
	ntlm_ctx *ctx;
	ntlm_cred *cred;
};

static ntlm_err connect_and_auth(struct conn *c, const char *password)
{
	uint16_t port;
	int lfd = netframe_listen_loopback(&port);
	c->pid = fork();
	if (c->pid == 0)
		_exit(serve_one(lfd));
	close(lfd);
	c->fd = netframe_connect_loopback(port);
	ntlm_err rc = ntlm_cred_password(&c->cred, "ANYDOMAIN", "erin", password);
	if (rc == NTLM_OK)
		rc = ntlm_client_new(&c->ctx, c->cred, NULL);
	if (rc != NTLM_OK)
		return rc;
	uint8_t *in = NULL;
	size_t n = 0;
	for (;;) {
		ntlm_buffer out = {0};
		rc = ntlm_step(c->ctx, in, n, &out);
		free(in);
		in = NULL;
		if (out.len)
			netframe_send(c->fd, out.data, out.len);
		ntlm_buffer_free(&out);
		if (rc != NTLM_CONTINUE)
			break;
		if (netframe_recv(c->fd, &in, &n))
			return NTLM_E_IO;
	}
	if (rc != NTLM_OK)
		return rc;
	if (netframe_recv(c->fd, &in, &n) || n != 1)
		return NTLM_E_IO;
	rc = (ntlm_err)in[0];
	free(in);
	return rc;
}

static int conn_close(struct conn *c)
{
	close(c->fd);
	int st = 0;
	waitpid(c->pid, &st, 0);
	ntlm_ctx_free(c->ctx);
	ntlm_cred_free(c->cred);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_handshake_and_sealed_echo(void)
{
	struct conn c;
	T_OK(connect_and_auth(&c, "Erin-pw-9"));
	for (int i = 0; i < 50; i++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "message number %d", i);
		ntlm_buffer w = {0}, p = {0};
		T_OK(ntlm_wrap(c.ctx, NTLM_PROTECT_SEAL, 0, (uint8_t *)msg, (size_t)len, &w));
		T_ASSERT(netframe_send(c.fd, w.data, w.len) == 0);
		ntlm_buffer_free(&w);
		uint8_t *in;
		size_t n;
		T_ASSERT(netframe_recv(c.fd, &in, &n) == 0);
		T_OK(ntlm_unwrap(c.ctx, NTLM_PROTECT_SEAL, 0, in, n, &p));
		free(in);
		T_ASSERT(p.len == (size_t)len);
		for (int k = 0; k < len; k++)
			T_ASSERT(p.data[k] == (uint8_t)msg[len - 1 - k]);
		ntlm_buffer_free(&p);
	}
	T_ASSERT(conn_close(&c) == 0);
}

static void test_tampered_message_refused_by_peer(void)
{
	struct conn c;
	T_OK(connect_and_auth(&c, "Erin-pw-9"));
	ntlm_buffer w = {0};
	T_OK(ntlm_wrap(c.ctx, NTLM_PROTECT_SEAL, 0, (const uint8_t *)"pay 10 EUR", 10, &w));
	w.data[20] ^= 0x08; /* flips a bit of the sealed data */
	netframe_send(c.fd, w.data, w.len);
	ntlm_buffer_free(&w);
	uint8_t *in;
	size_t n;
	T_ASSERT(netframe_recv(c.fd, &in, &n) == 0);
	T_ASSERT(n == 1 && in[0] == NTLM_E_BAD_MAC);
	free(in);
	T_ASSERT(conn_close(&c) == 0);
}

static void test_wrong_password_refused_by_peer(void)
{
	struct conn c;
	T_EXPECT_ERR(connect_and_auth(&c, "not-it"), NTLM_E_LOGON_FAILURE);
	T_ASSERT(conn_close(&c) == NTLM_E_LOGON_FAILURE);
}

int main(void)
{
	snprintf(store_path, sizeof(store_path), "/tmp/ntlmssp-e2e-%d.smbpasswd", (int)getpid());
	unlink(store_path);
	if (smbpw_create_default(store_path, "erin", "Erin-pw-9", 0) != NTLM_OK) {
		printf("cannot create %s\n0 passed, 1 failed\n", store_path);
		return 1;
	}
	T_RUN(test_handshake_and_sealed_echo);
	T_RUN(test_tampered_message_refused_by_peer);
	T_RUN(test_wrong_password_refused_by_peer);
	unlink(store_path);
	char lock[160];
	snprintf(lock, sizeof(lock), "%s.lock", store_path);
	unlink(lock);
	T_END();
}
