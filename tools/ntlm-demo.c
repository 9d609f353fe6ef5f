/*
 * ntlm-demo - the main job in one command: a server and a client in two
 * processes on 127.0.0.1 authenticate with NTLMv2 against the embedded
 * default account store (an smbpasswd file, created on first run) and
 * exchange sealed messages both ways.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netframe.h"
#include "ntlm_passwd_file.h"
#include "ntlmssp/ntlmssp.h"

#define DEMO_DOMAIN "DEMO"

struct demo_opts {
	const char *account_file;
	const char *user;
	const char *password;
};

static int fail(const char *who, const char *what, ntlm_err rc)
{
	fprintf(stderr, "%s: %s: %s (%s)\n", who, what, ntlm_strerror(rc), ntlm_err_name(rc));
	return 1;
}

/* Drive a context over the socket until it is established. */
static ntlm_err handshake(ntlm_ctx *ctx, int fd, int client)
{
	uint8_t *in = NULL;
	size_t in_len = 0;
	ntlm_err rc;
	if (!client && netframe_recv(fd, &in, &in_len))
		return NTLM_E_IO;
	for (;;) {
		ntlm_buffer out = {NULL, 0};
		rc = ntlm_step(ctx, in, in_len, &out);
		free(in);
		in = NULL;
		if (out.len && netframe_send(fd, out.data, out.len))
			rc = NTLM_E_IO;
		ntlm_buffer_free(&out);
		if (rc != NTLM_CONTINUE)
			break;
		if (netframe_recv(fd, &in, &in_len))
			return NTLM_E_IO;
	}
	if (!client) /* tell the client how it went: one status byte */
		netframe_send(fd, (const uint8_t[]){(uint8_t)rc}, 1);
	else if (rc == NTLM_OK) {
		uint8_t *st;
		size_t n;
		if (netframe_recv(fd, &st, &n) || n != 1)
			return NTLM_E_IO;
		rc = (ntlm_err)st[0];
		free(st);
	}
	return rc;
}

static int send_sealed(ntlm_ctx *ctx, int fd, const char *text)
{
	ntlm_buffer wrapped = {NULL, 0};
	ntlm_err rc = ntlm_wrap(ctx, NTLM_PROTECT_SEAL, 0, (const uint8_t *)text, strlen(text),
	                        &wrapped);
	if (rc != NTLM_OK)
		return fail("demo", "seal", rc);
	int r = netframe_send(fd, wrapped.data, wrapped.len);
	ntlm_buffer_free(&wrapped);
	return r ? 1 : 0;
}

static int recv_sealed(ntlm_ctx *ctx, int fd, const char *who)
{
	uint8_t *in;
	size_t n;
	if (netframe_recv(fd, &in, &n))
		return 1;
	ntlm_buffer plain = {NULL, 0};
	ntlm_err rc = ntlm_unwrap(ctx, NTLM_PROTECT_SEAL, 0, in, n, &plain);
	free(in);
	if (rc != NTLM_OK)
		return fail(who, "unseal", rc);
	printf("%s: received sealed message (%zu bytes on the wire): \"%.*s\"\n", who, n,
	       (int)plain.len, (const char *)plain.data);
	ntlm_buffer_free(&plain);
	return 0;
}

static int run_server(int lfd, const struct demo_opts *o)
{
	ntlm_account_store *store = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_err rc = ntlm_account_store_smbpasswd(&store, o->account_file);
	if (rc != NTLM_OK)
		return fail("server", "account store", rc);
	ntlm_server_config cfg = {NTLM_SERVER_CONFIG_INIT};
	cfg.store = store;
	cfg.computer_name = "NTLMDEMO";
	rc = ntlm_server_new(&ctx, &cfg);
	int fd = rc == NTLM_OK ? accept(lfd, NULL, NULL) : -1;
	int status = 1;
	if (rc != NTLM_OK)
		fail("server", "context", rc);
	else if (fd < 0)
		perror("server: accept");
	else if ((rc = handshake(ctx, fd, 0)) != NTLM_OK)
		fail("server", "authentication", rc);
	else {
		printf("server: authenticated %s (client said %s\\%s from %s; local account \"%s\")\n",
		       ntlm_ctx_principal(ctx), ntlm_ctx_peer_domain(ctx), ntlm_ctx_peer_user(ctx),
		       ntlm_ctx_peer_workstation(ctx), ntlm_ctx_unix_user(ctx));
		printf("server: %s, flags 0x%08x, MIC %s\n",
		       ntlm_response_kind_name(ntlm_ctx_response_kind(ctx)), ntlm_ctx_flags(ctx),
		       ntlm_ctx_mic_verified(ctx) ? "verified" : "absent");
		fflush(stdout);
		status = recv_sealed(ctx, fd, "server");
		if (!status)
			status = send_sealed(ctx, fd, "hello client, this reply is sealed too");
	}
	fflush(stdout);
	if (fd >= 0)
		close(fd);
	ntlm_ctx_free(ctx);
	ntlm_account_store_free(store);
	return status;
}

static int run_client(uint16_t port, const struct demo_opts *o)
{
	ntlm_cred *cred = NULL;
	ntlm_ctx *ctx = NULL;
	ntlm_err rc = ntlm_cred_password(&cred, DEMO_DOMAIN, o->user, o->password);
	if (rc == NTLM_OK) {
		ntlm_client_config cfg = {NTLM_CLIENT_CONFIG_INIT};
		cfg.workstation = "DEMOCLIENT";
		rc = ntlm_client_new(&ctx, cred, &cfg);
	}
	if (rc != NTLM_OK) {
		ntlm_cred_free(cred);
		return fail("client", "set-up", rc);
	}
	int fd = netframe_connect_loopback(port);
	int status = 1;
	if (fd < 0)
		perror("client: connect");
	else if ((rc = handshake(ctx, fd, 1)) != NTLM_OK)
		fail("client", "authentication", rc);
	else {
		uint8_t key[16];
		if ((rc = ntlm_ctx_session_key(ctx, key)) != NTLM_OK) {
			fail("client", "session key", rc);
		} else {
			printf("client: authenticated as %s, session key %02x%02x..%02x%02x\n",
			       ntlm_ctx_principal(ctx), key[0], key[1], key[14], key[15]);
			fflush(stdout);
			status = send_sealed(ctx, fd, "hello server, this message is sealed");
		}
		if (!status)
			status = recv_sealed(ctx, fd, "client");
	}
	fflush(stdout);
	if (fd >= 0)
		close(fd);
	ntlm_ctx_free(ctx);
	ntlm_cred_free(cred);
	return status;
}

int main(int argc, char **argv)
{
	struct demo_opts o = {"ntlm-demo.smbpasswd", "demo", "Demo-Passw0rd"};
	static const struct option longopts[] = {{"account-file", required_argument, NULL, 'f'},
	                                         {"user", required_argument, NULL, 'u'},
	                                         {"password", required_argument, NULL, 'p'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "f:u:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.account_file = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'p':
			o.password = optarg;
			break;
		default:
			printf("usage: ntlm-demo [--account-file F] [--user U] [--password P]\n"
			       "Creates F with account \"demo\" if missing, then authenticates a client\n"
			       "to a server over 127.0.0.1 and exchanges sealed messages.\n");
			return c == 'h' ? 0 : 2;
		}
	}
	/* Never the running uid: run as root, the demo account would be root. */
	ntlm_err rc = smbpw_create_default(o.account_file, "demo", "Demo-Passw0rd",
	                                   smbpw_default_uid("demo"));
	if (rc != NTLM_OK)
		return fail("demo", o.account_file, rc);
	printf("demo: account store %s (smbpasswd format)\n", o.account_file);
	uint16_t port;
	int lfd = netframe_listen_loopback(&port);
	if (lfd < 0) {
		perror("demo: listen");
		return 1;
	}
	printf("demo: server listening on 127.0.0.1:%u\n", port);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("demo: fork");
		return 1;
	}
	if (pid == 0)
		_exit(run_server(lfd, &o));
	close(lfd);
	int cst = run_client(port, &o);
	int wst = 0;
	waitpid(pid, &wst, 0);
	int sst = WIFEXITED(wst) ? WEXITSTATUS(wst) : 1;
	printf("demo: %s\n", (cst == 0 && sst == 0) ? "success" : "FAILED");
	return (cst == 0 && sst == 0) ? 0 : 1;
}
